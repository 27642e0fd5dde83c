/*
** jsonread.h — strict reading of duet's JSON definition formats
** (duet-instrument/1, duet-qset/1, duet-codebook/1); the REFI-QDA readers
** (qdc.c, qdpx.c) use its context for their messages too.
**
** Small typed getters over a parsed jansson tree that refuse unknown keys,
** wrong types, out-of-range numbers, bad names and unsafe text, and say so
** with a path-like message for the user: "file: items[3].label: ...". Each
** getter returns 0, or -1 with the error set in the context. Strings handed
** out are new copies the caller frees. Nothing here prints or exits.
*/
#ifndef DUET_IO_JSONREAD_H
#define DUET_IO_JSONREAD_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* Room for a path to an element ("statements[120].polarity"); longer ones
** are cut short, never overflowed. */
#define JR_PATH_MAX 96

/* Longest name jr_get_name accepts, in characters. */
#define JR_NAME_MAX 48

/* What a read is about: the source named in messages and where they go. */
struct jr_ctx {
    const char *src;
    duet_err *e;
};

enum jr_textkind { JR_ONE_LINE, JR_MULTI_LINE };

/* Copies at most ~40 bytes of the UTF-8 text s[0..n) into out for quoting in
** a message, cut on a character boundary, control characters shown as '?'. */
void jr_quote_safe(const char *s, size_t n, char *out, size_t outsz);

/* Sets an input error "src: path: reason" ("src: reason" when path is NULL
** or empty) and returns -1. */
int jr_fail(struct jr_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets "src: out of memory" and returns -1. */
int jr_oom(struct jr_ctx *c);

/* Loads a whole definition document: json[0..len) (NULL: empty), at most
** max bytes, not empty, valid JSON. what names it in the size message ("a
** codebook"). Returns the value (json_decref) or NULL with the error set. */
json_t *jr_load(struct jr_ctx *c, const char *json, size_t len, size_t max, const char *what);

/* The kind of a JSON value in words ("an array", "a whole number"). */
const char *jr_kind(const json_t *v);

/* "path.key", or "key" at the top level; cut short (never overflowing) if
** it does not fit. */
void jr_subpath(char *out, size_t outsz, const char *path, const char *key);

/* Refuses any key of obj that is not in allowed (NULL-terminated). */
int jr_check_keys(struct jr_ctx *c, json_t *obj, const char *path,
                  const char *const allowed[]);

/* Checks the UTF-8 text s[0..n) at path p for validity, length (at most
** max_chars code points) and control characters (JR_MULTI_LINE allows
** newline, tab and carriage return). */
int jr_check_text(struct jr_ctx *c, const char *p, const char *s, size_t n,
                  enum jr_textkind kind, size_t max_chars);

/* Reads obj[key] as a non-empty string into a new copy (*out). Absent:
** *out = NULL, and an error when required. */
int jr_get_string(struct jr_ctx *c, json_t *obj, const char *path,
                  const char *key, int required, enum jr_textkind kind,
                  size_t max_chars, char **out);

/* Whether s[0..n) is a name: [a-z][a-z0-9_]{0,JR_NAME_MAX-1}, and '-' too
** where dash is set. */
int jr_valid_name(const char *s, size_t n, int dash);

/* Reads obj[key] as a name (jr_valid_name) into a new copy (*out). Absent:
** *out = NULL, and an error when required. */
int jr_get_name(struct jr_ctx *c, json_t *obj, const char *path,
                const char *key, int required, int dash, char **out);

/* Reads obj[key] as a whole number in lo..hi. Absent: *present = 0 and *out
** unchanged (an error when required). present may be NULL. */
int jr_get_int(struct jr_ctx *c, json_t *obj, const char *path,
               const char *key, int required, long lo, long hi, int *out,
               int *present);

#endif
