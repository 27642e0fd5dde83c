/*
** json.h — reading JSON documents with one kind of error message.
*/
#ifndef DUET_CORE_JSON_H
#define DUET_CORE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* Parses the len bytes at data with jansson, refusing duplicate keys (extra
** jansson flags may be added). On failure returns NULL with DUET_EINPUT and
** "SRC:LINE:COLUMN: invalid JSON: reason". Returns a new reference. */
json_t *duet_json_load(const char *data, size_t len, size_t flags, const char *src, duet_err *e);

#endif
