/*
** http.h — the parsers for what arrives in a request, kept free of the
** server library so they can be unit-tested and fuzzed on their own.
**
** Everything here is bounded: a form has at most HTTP_MAX_FIELDS fields;
** names and values must be valid UTF-8 without control characters other
** than tab, CR and LF (in values); percent escapes must be well formed.
*/
#ifndef DUET_WEB_HTTP_H
#define DUET_WEB_HTTP_H

#include <stddef.h>

#include "core/err.h"

#define HTTP_MAX_FIELDS 256
#define HTTP_MAX_NAME 128

struct http_field {
    char *name;
    char *value;
};

/* A decoded application/x-www-form-urlencoded body or query string. */
struct http_form {
    struct http_field *f;
    size_t n;
};

/* Parses s[0..len) into *out (which the caller frees with http_form_free,
** also after a failure). Fails with DUET_EINPUT naming the field and reason. */
int http_form_parse(const char *s, size_t len, struct http_form *out, duet_err *e);
void http_form_free(struct http_form *f);
/* Appends one already-decoded field after the same checks as parsing. */
int http_form_add(struct http_form *f, const char *name, const char *value, duet_err *e);
/* The first value of name, or NULL. */
const char *http_form_get(const struct http_form *f, const char *name);

/* Copies the value of cookie name from a Cookie header into out (NUL-
** terminated); returns 1 when found and it fit, else 0. */
int http_cookie_get(const char *header, const char *name, char *out, size_t outsz);

/* Parses "HOST:PORT" or ":PORT" or "PORT" (host defaults to 127.0.0.1;
** "[::1]:8080" for IPv6). */
int http_parse_listen(const char *s, char *host, size_t hostsz, int *port, duet_err *e);

/* Matches path against a pattern such as "/partnerships/{code}/modules/{n}";
** fills up to maxp captured segments (pointers into buf, which receives a
** copy of path) and returns the count, or -1 when it does not match. A
** captured segment is percent-decoded and must be non-empty UTF-8 without
** '/' or control characters. */
int http_route_match(const char *pattern, const char *path, char *buf, size_t bufsz,
                     const char **params, int maxp);

/* Whether an Origin header value names this server: "https://HOST" when tls,
** else "http://HOST" (the scheme compared without regard to case, HOST
** exactly as in the Host header). NULL origin → 1 (browsers that send
** none are checked by Sec-Fetch-Site or the CSRF token instead). */
int http_same_origin(const char *origin, const char *host, int tls);

/* The first field name of f that appears more than once and is not listed
** in may_repeat (NULL-terminated; NULL for none), or NULL. */
const char *http_form_repeated(const struct http_form *f, const char *const *may_repeat);

/* Whether a Content-Type header value is the media type type ("a/b",
** lower case), compared without regard to case, with at most the one
** parameter charset=utf-8 (the value optionally quoted, any case). NULL
** or anything else → 0. */
int http_media_type_is(const char *content_type, const char *type);

#define HTTP_SAFE_PATH_MAX 400

/* Whether s may be sent as a redirect target (after signing in) that no
** browser resolves to another origin or reads as a scheme: a path that
** starts with exactly one '/', holds no "//", no "." or ".." segment, at
** most HTTP_SAFE_PATH_MAX bytes, only the characters A-Z a-z 0-9 - . _ ~
** ! $ & ' ( ) * + , ; = / ? and %HH escapes, whose bytes are valid UTF-8
** and decode to no '/', '\', '.', control character (C0, DEL, C1) or
** U+2028 / U+2029. So no backslash, whitespace, '@', ':' or '#' at all. */
int http_safe_path(const char *s);

#endif
