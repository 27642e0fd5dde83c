/*
** jsonread.c — strict reading of duet's JSON definition formats: typed
** getters with path-like error messages ("file: items[3].label: ...").
**
** Shared by the instrument and Q-set readers; the wording of every message
** is part of their tested behaviour, so change it only with theirs. Nothing
** here prints or exits.
*/
#include "io/jsonread.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/utf8.h"

void jr_quote_safe(const char *s, size_t n, char *out, size_t outsz)
{
    const size_t cut = 40;
    size_t take = n;
    int trunc = 0;
    if (take > cut) {
        take = cut;
        while (take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80)
            take--;
        trunc = 1;
    }
    if (take + 4 > outsz)
        take = outsz > 4 ? outsz - 4 : 0;
    size_t k = 0;
    for (size_t i = 0; i < take; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[k++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (trunc && k + 3 < outsz) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

int jr_fail(struct jr_ctx *c, const char *path, const char *fmt, ...)
{
    char reason[DUET_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (path != NULL && path[0] != '\0')
        return duet_errf(c->e, DUET_EINPUT, "%s: %s: %s", c->src, path, reason);
    return duet_errf(c->e, DUET_EINPUT, "%s: %s", c->src, reason);
}

int jr_oom(struct jr_ctx *c)
{
    return duet_errf(c->e, DUET_EINTERNAL, "%s: out of memory", c->src);
}

json_t *jr_load(struct jr_ctx *c, const char *json, size_t len, size_t max, const char *what)
{
    if (json == NULL)
        len = 0;
    if (len > max) {
        jr_fail(c, NULL, "%zu bytes; %s may have at most %zu", len, what, max);
        return NULL;
    }
    if (len == 0) {
        jr_fail(c, NULL, "the input is empty; expected a JSON object");
        return NULL;
    }
    return duet_json_load(json, len, JSON_DECODE_ANY, c->src, c->e);
}

const char *jr_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER: return "a whole number";
    case JSON_REAL:    return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:   return "true/false";
    case JSON_NULL:    return "null";
    }
    return "something else";
}

void jr_subpath(char *out, size_t outsz, const char *path, const char *key)
{
    size_t k = 0;
    for (const char *s = path; *s != '\0' && k + 1 < outsz; s++)
        out[k++] = *s;
    if (path[0] != '\0' && k + 1 < outsz)
        out[k++] = '.';
    for (const char *s = key; *s != '\0' && k + 1 < outsz; s++)
        out[k++] = *s;
    out[k] = '\0';
}

int jr_check_keys(struct jr_ctx *c, json_t *obj, const char *path,
                  const char *const allowed[])
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i] != NULL; i++)
            if (strcmp(key, allowed[i]) == 0)
                ok = 1;
        if (!ok) {
            char q[64];
            jr_quote_safe(key, strlen(key), q, sizeof q);
            return jr_fail(c, path, "unknown key '%s'", q);
        }
    }
    return 0;
}

int jr_check_text(struct jr_ctx *c, const char *p, const char *s, size_t n,
                  enum jr_textkind kind, size_t max_chars)
{
    if (utf8_invalid_at(s, n) != (size_t)-1)
        return jr_fail(c, p, "invalid UTF-8");
    size_t chars = utf8_codepoints(s, n);
    if (chars > max_chars)
        return jr_fail(c, p, "%zu characters; the limit is %zu", chars, max_chars);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != 0x7f)
            continue;
        if (kind == JR_MULTI_LINE && (ch == '\n' || ch == '\t' || ch == '\r'))
            continue;
        return jr_fail(c, p, "control character U+%04X is not allowed%s", ch,
                       kind == JR_ONE_LINE ? " (this text must be one line)" : "");
    }
    return 0;
}

int jr_get_string(struct jr_ctx *c, json_t *obj, const char *path,
                  const char *key, int required, enum jr_textkind kind,
                  size_t max_chars, char **out)
{
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? jr_fail(c, path, "missing '%s'", key) : 0;
    if (!json_is_string(v))
        return jr_fail(c, p, "expected a string, found %s", jr_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return jr_fail(c, p, "must not be empty");
    if (jr_check_text(c, p, s, n, kind, max_chars) != 0)
        return -1;
    *out = strdup(s);
    return *out == NULL ? jr_oom(c) : 0;
}

int jr_valid_name(const char *s, size_t n, int dash)
{
    if (n < 1 || n > JR_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'
              || (dash && ch == '-')))
            return 0;
    }
    return 1;
}

int jr_get_name(struct jr_ctx *c, json_t *obj, const char *path,
                const char *key, int required, int dash, char **out)
{
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? jr_fail(c, path, "missing '%s'", key) : 0;
    if (!json_is_string(v))
        return jr_fail(c, p, "expected a string, found %s", jr_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!jr_valid_name(s, n, dash)) {
        char q[64];
        jr_quote_safe(s, n, q, sizeof q);
        return jr_fail(c, p, "'%s' is not a valid name (use lower-case letters, "
                       "digits and _%s, start with a letter, at most %d characters)",
                       q, dash ? " or -" : "", JR_NAME_MAX);
    }
    *out = strdup(s);
    return *out == NULL ? jr_oom(c) : 0;
}

int jr_get_int(struct jr_ctx *c, json_t *obj, const char *path,
               const char *key, int required, long lo, long hi, int *out,
               int *present)
{
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, key);
    if (present != NULL)
        *present = 0;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? jr_fail(c, path, "missing '%s'", key) : 0;
    if (json_is_real(v))
        return jr_fail(c, p, "expected a whole number, found %g", json_real_value(v));
    if (!json_is_integer(v))
        return jr_fail(c, p, "expected a whole number, found %s", jr_kind(v));
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return jr_fail(c, p, "%lld is outside the allowed range %ld..%ld",
                       (long long)x, lo, hi);
    *out = (int)x;
    if (present != NULL)
        *present = 1;
    return 0;
}
