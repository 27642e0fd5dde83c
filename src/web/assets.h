/*
** assets.h — the front-end files (CSS, JavaScript, icons), held in memory.
**
** scripts/assets.sh builds a folder from the npm packages and writes a
** manifest.txt listing every file to serve; the server reads exactly those
** files at start-up, so no request can name a path on disk.
*/
#ifndef DUET_WEB_ASSETS_H
#define DUET_WEB_ASSETS_H

#include "core/err.h"

/* Loads dir/manifest.txt and the files it lists (NULL dir: serve none). */
int assets_load(const char *dir, duet_err *e);
void assets_free(void);
/* The media type for a file name, from its extension. */
const char *assets_type(const char *name);

#endif
