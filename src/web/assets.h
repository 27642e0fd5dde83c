/*
** assets.h — the front-end files (CSS, JavaScript, icons), held in memory.
**
** scripts/assets.sh builds a folder from the npm packages and writes a
** manifest.txt listing every file to serve; the server reads exactly those
** files at start-up, so no request can name a path on disk. A manifest line
** is "NAME [HASHED [br] [gz]]": the file, its content-hashed name
** (NAME.HASH.EXT), and which precompressed copies (NAME.br, NAME.gz) sit
** beside it. /assets/HASHED is served with a year-long immutable cache,
** /assets/NAME with an hour's; each in the encoding Accept-Encoding prefers.
*/
#ifndef DUET_WEB_ASSETS_H
#define DUET_WEB_ASSETS_H

#include "core/err.h"

/* Loads dir/manifest.txt and the files it lists (NULL dir: serve none). */
int assets_load(const char *dir, duet_err *e);
void assets_free(void);
/* The media type for a file name, from its extension. */
const char *assets_type(const char *name);
/* The link for an asset: "/assets/NAME" -> "/assets/HASHED" when the table
** has a hashed name for it, else href itself (valid until assets_free). */
const char *assets_href(const char *href);
/* Which copy to send for an Accept-Encoding value (NULL: header absent):
** 0 brotli, 1 gzip, 2 the file itself. The highest q wins (q=0: refused),
** ties go br, gzip, identity; a coding the file lacks is never chosen, and
** when nothing acceptable is left the file itself is sent. */
int assets_pick_encoding(const char *accept, int have_br, int have_gzip);

#endif
