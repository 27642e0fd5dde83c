/*
** qset.c — parsing, validation and canonical output of "duet-qset/1" JSON
** (format: docs/norms.md).
**
** Every key is checked against an allow-list and every value against its
** type and bounds before anything is kept; a failed parse frees what it
** built and leaves the caller's struct alone. Messages name the source, the
** path to the element (statements[3].polarity) and the reason. Nothing here
** prints or exits.
*/
#include "io/qset.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/utf8.h"

#define PATH_MAX_LEN 96

/* Limits on strings, in characters (code points). */
#define TITLE_MAX        200
#define DESCRIPTION_MAX  4000
#define LABEL_MAX        200
#define POLE_MAX         300

struct pctx {
    const char *src;
    duet_err *e;
};

/* ------------------------------------------------------------------ */
/* messages                                                            */

/* At most ~40 bytes of s[0..n) for quoting in a message, cut on a
** character boundary, control characters shown as '?'. */
static void quote_safe(const char *s, size_t n, char *out, size_t outsz)
{
    size_t take = n;
    int trunc = 0;
    if (take > 40) {
        take = 40;
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

static int fail(struct pctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct pctx *c, const char *path, const char *fmt, ...)
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

static int oom(struct pctx *c)
{
    return duet_errf(c->e, DUET_EINTERNAL, "%s: out of memory", c->src);
}

static const char *json_kind(const json_t *v)
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

static void subpath(char *out, size_t outsz, const char *path, const char *key)
{
    if (path[0] != '\0')
        snprintf(out, outsz, "%s.%s", path, key);
    else
        snprintf(out, outsz, "%s", key);
}

/* ------------------------------------------------------------------ */
/* typed getters                                                       */

static int check_keys(struct pctx *c, json_t *obj, const char *path,
                      const char *const allowed[])
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i] != NULL; i++)
            ok |= strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char q[64];
            quote_safe(key, strlen(key), q, sizeof q);
            return fail(c, path, "unknown key '%s'", q);
        }
    }
    return 0;
}

enum textkind { ONE_LINE, MULTI_LINE };

static int check_text(struct pctx *c, const char *p, const char *s, size_t n,
                      enum textkind kind, size_t max_chars)
{
    if (utf8_invalid_at(s, n) != (size_t)-1)
        return fail(c, p, "invalid UTF-8");
    size_t chars = utf8_codepoints(s, n);
    if (chars > max_chars)
        return fail(c, p, "%zu characters; the limit is %zu", chars, max_chars);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != 0x7f)
            continue;
        if (kind == MULTI_LINE && (ch == '\n' || ch == '\t' || ch == '\r'))
            continue;
        return fail(c, p, "control character U+%04X is not allowed%s", ch,
                    kind == ONE_LINE ? " (this text must be one line)" : "");
    }
    return 0;
}

static int get_string(struct pctx *c, json_t *obj, const char *path, const char *key,
                      int required, enum textkind kind, size_t max_chars, char **out)
{
    char p[PATH_MAX_LEN];
    subpath(p, sizeof p, path, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? fail(c, path, "missing '%s'", key) : 0;
    if (!json_is_string(v))
        return fail(c, p, "expected a string, found %s", json_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return fail(c, p, "must not be empty");
    if (check_text(c, p, s, n, kind, max_chars) != 0)
        return -1;
    *out = strdup(s);
    return *out == NULL ? oom(c) : 0;
}

/* Names: [a-z][a-z0-9_]{0,47}, and '-' too where dash is set. */
static int valid_name(const char *s, size_t n, int dash)
{
    if (n < 1 || n > QSET_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              (dash && ch == '-')))
            return 0;
    }
    return 1;
}

/* Statement ids: [A-Za-z0-9][A-Za-z0-9_.-]{0,31} ("s07", "12", "voice.3"). */
static int valid_id(const char *s, size_t n)
{
    if (n < 1 || n > QSET_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
            return 0;
    }
    return 1;
}

static int get_name(struct pctx *c, json_t *obj, const char *path, const char *key, int dash,
                    char **out)
{
    char p[PATH_MAX_LEN];
    subpath(p, sizeof p, path, key);
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return fail(c, path, "missing '%s'", key);
    if (!json_is_string(v))
        return fail(c, p, "expected a string, found %s", json_kind(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!valid_name(s, n, dash)) {
        char q[64];
        quote_safe(s, n, q, sizeof q);
        return fail(c, p, "'%s' is not a valid name (use lower-case letters, digits and _%s, "
                    "start with a letter, at most %d characters)", q, dash ? " or -" : "",
                    QSET_NAME_MAX);
    }
    *out = strdup(s);
    return *out == NULL ? oom(c) : 0;
}

/* obj[key] as a whole number in lo..hi (required). */
static int get_int(struct pctx *c, json_t *obj, const char *path, const char *key, long lo,
                   long hi, int *out)
{
    char p[PATH_MAX_LEN];
    subpath(p, sizeof p, path, key);
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return fail(c, path, "missing '%s'", key);
    if (json_is_real(v))
        return fail(c, p, "expected a whole number, found %g", json_real_value(v));
    if (!json_is_integer(v))
        return fail(c, p, "expected a whole number, found %s", json_kind(v));
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return fail(c, p, "%lld is outside the allowed range %ld..%ld", (long long)x, lo, hi);
    *out = (int)x;
    return 0;
}

/* obj[key] as an array of min..max elements. */
static int get_array(struct pctx *c, json_t *obj, const char *key, size_t min, size_t max,
                     const char *what, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return fail(c, NULL, "missing '%s'", key);
    if (!json_is_array(v))
        return fail(c, key, "expected an array, found %s", json_kind(v));
    size_t n = json_array_size(v);
    if (n < min)
        return fail(c, key, "a Q-set needs at least %zu %s, found %zu", min, what, n);
    if (n > max)
        return fail(c, key, "%zu %s; the limit is %zu", n, what, max);
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* the parts                                                           */

static int parse_dimension(struct pctx *c, json_t *v, const char *path,
                           struct qset_dimension *d)
{
    static const char *const keys[] = {"name", "label", "lived_experience_pole", "system_pole",
                                       NULL};
    if (!json_is_object(v))
        return fail(c, path, "expected an object, found %s", json_kind(v));
    if (check_keys(c, v, path, keys) != 0 || get_name(c, v, path, "name", 0, &d->name) != 0 ||
        get_string(c, v, path, "label", 1, ONE_LINE, LABEL_MAX, &d->label) != 0 ||
        get_string(c, v, path, "lived_experience_pole", 1, ONE_LINE, POLE_MAX,
                   &d->lived_pole) != 0 ||
        get_string(c, v, path, "system_pole", 1, ONE_LINE, POLE_MAX, &d->system_pole) != 0)
        return -1;
    return 0;
}

static int parse_column(struct pctx *c, json_t *v, const char *path, int *value, int *count)
{
    static const char *const keys[] = {"value", "count", NULL};
    if (!json_is_object(v))
        return fail(c, path, "expected an object, found %s", json_kind(v));
    if (check_keys(c, v, path, keys) != 0 ||
        get_int(c, v, path, "value", -QSET_VALUE_LIMIT, QSET_VALUE_LIMIT, value) != 0 ||
        get_int(c, v, path, "count", 1, QSET_MAX_STATEMENTS, count) != 0)
        return -1;
    return 0;
}

/* The grid: consecutive ascending values, symmetric around 0 in values and
** counts, counts never falling toward the middle (quasi-normal). */
/* A grid value as people write it: +4, 0, -4. */
static const char *sv(int v, char out[16])
{
    snprintf(out, 16, v > 0 ? "+%d" : "%d", v);
    return out;
}

static int check_grid(struct pctx *c, const struct qset *q)
{
    char p[PATH_MAX_LEN], a[16], b[16];
    size_t n = q->ncols;
    for (size_t i = 1; i < n; i++)
        if (q->value[i] != q->value[i - 1] + 1) {
            snprintf(p, sizeof p, "grid[%zu].value", i);
            return fail(c, p, "%s does not follow %s (the columns must be consecutive whole "
                        "numbers in ascending order, e.g. -4 .. +4)", sv(q->value[i], a),
                        sv(q->value[i - 1], b));
        }
    if (q->value[0] != -q->value[n - 1]) {
        snprintf(p, sizeof p, "grid[0].value");
        return fail(c, p, "the grid runs %s .. %s; it must be symmetric around 0 "
                    "(e.g. -4 .. +4)", sv(q->value[0], a), sv(q->value[n - 1], b));
    }
    for (size_t i = 0; i < n / 2; i++) {
        size_t j = n - 1 - i;
        if (q->count[i] != q->count[j]) {
            snprintf(p, sizeof p, "grid[%zu].count", j);
            return fail(c, p, "column %s holds %d but column %s holds %d; the grid must be "
                        "symmetric", sv(q->value[j], a), q->count[j], sv(q->value[i], b),
                        q->count[i]);
        }
        if (i > 0 && q->count[i] < q->count[i - 1]) {
            snprintf(p, sizeof p, "grid[%zu].count", i);
            return fail(c, p, "column %s holds %d, fewer than column %s (%d); counts must not "
                        "fall toward the middle (a quasi-normal grid)", sv(q->value[i], a),
                        q->count[i], sv(q->value[i - 1], b), q->count[i - 1]);
        }
    }
    if (n >= 3 && q->count[n / 2] < q->count[n / 2 - 1]) {
        snprintf(p, sizeof p, "grid[%zu].count", n / 2);
        return fail(c, p, "column %s holds %d, fewer than column %s (%d); counts must not "
                    "fall toward the middle (a quasi-normal grid)", sv(q->value[n / 2], a),
                    q->count[n / 2], sv(q->value[n / 2 - 1], b), q->count[n / 2 - 1]);
    }
    return 0;
}

static int parse_statement(struct pctx *c, json_t *v, const char *path, const struct qset *q,
                           struct qset_statement *s)
{
    static const char *const keys[] = {"id", "text", "dimension", "polarity", NULL};
    if (!json_is_object(v))
        return fail(c, path, "expected an object, found %s", json_kind(v));
    if (check_keys(c, v, path, keys) != 0)
        return -1;
    char p[PATH_MAX_LEN];
    subpath(p, sizeof p, path, "id");
    json_t *id = json_object_get(v, "id");
    if (id == NULL)
        return fail(c, path, "missing 'id'");
    if (!json_is_string(id))
        return fail(c, p, "expected a string, found %s", json_kind(id));
    if (!valid_id(json_string_value(id), json_string_length(id))) {
        char q2[64];
        quote_safe(json_string_value(id), json_string_length(id), q2, sizeof q2);
        return fail(c, p, "'%s' is not a valid statement id (letters, digits, '_', '.' or "
                    "'-', starting with a letter or digit, at most %d characters)", q2,
                    QSET_ID_MAX);
    }
    s->id = strdup(json_string_value(id));
    if (s->id == NULL)
        return oom(c);
    if (get_string(c, v, path, "text", 1, ONE_LINE, QSET_STATEMENT_MAX, &s->text) != 0)
        return -1;
    subpath(p, sizeof p, path, "dimension");
    json_t *d = json_object_get(v, "dimension");
    if (d == NULL)
        return fail(c, path, "missing 'dimension'");
    if (!json_is_string(d))
        return fail(c, p, "expected a string, found %s", json_kind(d));
    long k = qset_dimension_index(q, json_string_value(d));
    if (k < 0) {
        char q2[64];
        quote_safe(json_string_value(d), json_string_length(d), q2, sizeof q2);
        return fail(c, p, "'%s' is not a declared dimension", q2);
    }
    s->dimension = (size_t)k;
    subpath(p, sizeof p, path, "polarity");
    json_t *pv = json_object_get(v, "polarity");
    if (pv == NULL)
        return fail(c, path, "missing 'polarity' (+1: toward the lived-experience pole, -1: "
                    "toward the system pole)");
    if (!json_is_integer(pv) || (json_integer_value(pv) != 1 && json_integer_value(pv) != -1)) {
        if (json_is_integer(pv))
            return fail(c, p, "%lld is not +1 or -1", (long long)json_integer_value(pv));
        return fail(c, p, "expected 1 or -1, found %s", json_kind(pv));
    }
    s->polarity = (int)json_integer_value(pv);
    return 0;
}

static int parse_root(struct pctx *c, json_t *root, struct qset *q)
{
    static const char *const keys[] = {"format", "name", "version", "title", "description",
                                       "instructions", "dimensions", "grid", "statements",
                                       NULL};
    if (!json_is_object(root))
        return fail(c, NULL, "the top level must be a JSON object, not %s", json_kind(root));
    json_t *fmt = json_object_get(root, "format");
    if (fmt == NULL)
        return fail(c, NULL, "missing 'format' (expected \"%s\")", QSET_FORMAT);
    if (!json_is_string(fmt))
        return fail(c, "format", "expected a string, found %s", json_kind(fmt));
    if (strcmp(json_string_value(fmt), QSET_FORMAT) != 0) {
        char q2[64];
        quote_safe(json_string_value(fmt), json_string_length(fmt), q2, sizeof q2);
        return fail(c, "format", "'%s' is not supported; expected '%s'", q2, QSET_FORMAT);
    }
    if (check_keys(c, root, "", keys) != 0 || get_name(c, root, "", "name", 1, &q->name) != 0 ||
        get_int(c, root, "", "version", 1, QSET_MAX_VERSION, &q->version) != 0 ||
        get_string(c, root, "", "title", 1, ONE_LINE, TITLE_MAX, &q->title) != 0 ||
        get_string(c, root, "", "description", 0, MULTI_LINE, DESCRIPTION_MAX,
                   &q->description) != 0 ||
        get_string(c, root, "", "instructions", 0, MULTI_LINE, DESCRIPTION_MAX,
                   &q->instructions) != 0)
        return -1;

    char path[PATH_MAX_LEN];
    json_t *dims, *grid, *stmts;
    if (get_array(c, root, "dimensions", 1, QSET_MAX_DIMENSIONS, "dimensions", &dims) != 0)
        return -1;
    size_t n = json_array_size(dims);
    q->dims = calloc(n, sizeof *q->dims);
    if (q->dims == NULL)
        return oom(c);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "dimensions[%zu]", i);
        q->ndims = i + 1;   /* so that qset_free sees it */
        if (parse_dimension(c, json_array_get(dims, i), path, &q->dims[i]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->dims[j].name, q->dims[i].name) == 0) {
                snprintf(path, sizeof path, "dimensions[%zu].name", i);
                return fail(c, path, "duplicate dimension name '%s' (also dimensions[%zu])",
                            q->dims[i].name, j);
            }
    }

    if (get_array(c, root, "grid", 3, QSET_MAX_COLUMNS, "columns", &grid) != 0)
        return -1;
    n = json_array_size(grid);
    q->value = calloc(n, sizeof *q->value);
    q->count = calloc(n, sizeof *q->count);
    if (q->value == NULL || q->count == NULL)
        return oom(c);
    q->ncols = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "grid[%zu]", i);
        if (parse_column(c, json_array_get(grid, i), path, &q->value[i], &q->count[i]) != 0)
            return -1;
    }
    if (check_grid(c, q) != 0)
        return -1;

    if (get_array(c, root, "statements", QSET_MIN_STATEMENTS, QSET_MAX_STATEMENTS, "statements",
                  &stmts) != 0)
        return -1;
    n = json_array_size(stmts);
    q->statements = calloc(n, sizeof *q->statements);
    if (q->statements == NULL)
        return oom(c);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "statements[%zu]", i);
        struct qset_statement *s = &q->statements[i];
        q->nstatements = i + 1;
        if (parse_statement(c, json_array_get(stmts, i), path, q, s) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->statements[j].id, s->id) == 0) {
                snprintf(path, sizeof path, "statements[%zu].id", i);
                return fail(c, path, "duplicate statement id '%s' (also statements[%zu])", s->id,
                            j);
            }
        q->dims[s->dimension].nstatements++;
        q->dims[s->dimension].nplus += s->polarity > 0;
    }

    /* Rules over the whole Q-set. */
    long total = 0;
    for (size_t i = 0; i < q->ncols; i++)
        total += q->count[i];
    if (total != (long)q->nstatements)
        return fail(c, "grid", "the columns hold %ld statements but there are %zu; the counts "
                    "must add up to the number of statements", total, q->nstatements);
    for (size_t k = 0; k < q->ndims; k++) {
        const struct qset_dimension *d = &q->dims[k];
        snprintf(path, sizeof path, "dimensions[%zu]", k);
        if (d->nstatements == 0)
            return fail(c, path, "dimension '%s' has no statements", d->name);
        if (d->nplus == 0 || d->nplus == d->nstatements)
            return fail(c, path, "dimension '%s' has no statement with polarity %s; each "
                        "dimension needs statements toward both poles", d->name,
                        d->nplus == 0 ? "+1" : "-1");
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* public API                                                          */

int qset_parse(const char *json, size_t len, const char *source, struct qset *out,
               duet_err *e)
{
    struct pctx c = {source != NULL ? source : "qset", e};
    if (json == NULL)
        len = 0;
    if (len > QSET_MAX_BYTES)
        return fail(&c, NULL, "%zu bytes; a Q-set may have at most %zu", len, QSET_MAX_BYTES);
    if (len == 0)
        return fail(&c, NULL, "the input is empty; expected a JSON object");
    json_t *root = duet_json_load(json, len, JSON_DECODE_ANY, c.src, e);
    if (root == NULL)
        return -1;
    struct qset tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = parse_root(&c, root, &tmp);
    json_decref(root);
    if (rc != 0) {
        qset_free(&tmp);
        return -1;
    }
    *out = tmp;
    return 0;
}

int qset_load_default(struct qset *out, duet_err *e)
{
    return qset_parse(qset_default_json, strlen(qset_default_json), "norms-default.json", out, e);
}

void qset_free(struct qset *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->ndims && q->dims != NULL; i++) {
        free(q->dims[i].name);
        free(q->dims[i].label);
        free(q->dims[i].lived_pole);
        free(q->dims[i].system_pole);
    }
    for (size_t i = 0; i < q->nstatements && q->statements != NULL; i++) {
        free(q->statements[i].id);
        free(q->statements[i].text);
    }
    free(q->dims);
    free(q->statements);
    free(q->value);
    free(q->count);
    free(q->name);
    free(q->title);
    free(q->description);
    free(q->instructions);
    memset(q, 0, sizeof *q);
}

long qset_statement_index(const struct qset *q, const char *s, size_t n)
{
    for (size_t i = 0; i < q->nstatements; i++)
        if (strlen(q->statements[i].id) == n && memcmp(q->statements[i].id, s, n) == 0)
            return (long)i;
    return -1;
}

long qset_dimension_index(const struct qset *q, const char *name)
{
    for (size_t k = 0; k < q->ndims; k++)
        if (q->dims[k].name != NULL && strcmp(q->dims[k].name, name) == 0)
            return (long)k;
    return -1;
}

long qset_column(const struct qset *q, int value)
{
    for (size_t i = 0; i < q->ncols; i++)
        if (q->value[i] == value)
            return (long)i;
    return -1;
}

double qset_dimension_max(const struct qset *q, size_t k)
{
    const struct qset_dimension *d = &q->dims[k];
    size_t plus = d->nplus, minus = d->nstatements - d->nplus;
    double sum = 0;
    /* +1 statements fill the highest places, -1 statements the lowest. */
    size_t col = q->ncols, left = 0;
    for (size_t i = 0; i < plus; i++) {
        while (left == 0 && col > 0)
            left = (size_t)q->count[--col];
        sum += q->value[col];
        left--;
    }
    col = 0;
    left = (size_t)q->count[0];
    for (size_t i = 0; i < minus; i++) {
        while (left == 0 && col + 1 < q->ncols)
            left = (size_t)q->count[++col];
        sum -= q->value[col];
        left--;
    }
    return d->nstatements ? sum / (double)d->nstatements : 0;
}

static int put(json_t *obj, const char *key, json_t *v)
{
    return v == NULL ? -1 : json_object_set_new(obj, key, v);
}

char *qset_to_json(const struct qset *q)
{
    json_t *root = json_object(), *dims = json_array(), *grid = json_array(),
           *stmts = json_array();
    int rc = (root == NULL || dims == NULL || grid == NULL || stmts == NULL) ? -1 : 0;
    for (size_t k = 0; rc == 0 && k < q->ndims; k++) {
        json_t *o = json_object();
        rc |= o == NULL ? -1 : 0;
        if (rc == 0) {
            rc |= put(o, "name", json_string(q->dims[k].name));
            rc |= put(o, "label", json_string(q->dims[k].label));
            rc |= put(o, "lived_experience_pole", json_string(q->dims[k].lived_pole));
            rc |= put(o, "system_pole", json_string(q->dims[k].system_pole));
            rc |= json_array_append_new(dims, o);
        }
    }
    for (size_t i = 0; rc == 0 && i < q->ncols; i++)
        rc |= json_array_append_new(grid, json_pack("{s:i, s:i}", "value", q->value[i], "count",
                                                    q->count[i]));
    for (size_t i = 0; rc == 0 && i < q->nstatements; i++) {
        const struct qset_statement *s = &q->statements[i];
        rc |= json_array_append_new(stmts, json_pack("{s:s, s:s, s:s, s:i}", "id", s->id,
                                                     "text", s->text, "dimension",
                                                     q->dims[s->dimension].name, "polarity",
                                                     s->polarity));
    }
    char *text = NULL;
    if (rc == 0) {
        rc |= put(root, "format", json_string(QSET_FORMAT));
        rc |= put(root, "name", json_string(q->name));
        rc |= put(root, "version", json_integer(q->version));
        rc |= put(root, "title", json_string(q->title));
        if (q->description != NULL)
            rc |= put(root, "description", json_string(q->description));
        if (q->instructions != NULL)
            rc |= put(root, "instructions", json_string(q->instructions));
        rc |= json_object_set(root, "dimensions", dims);
        rc |= json_object_set(root, "grid", grid);
        rc |= json_object_set(root, "statements", stmts);
    }
    if (rc == 0)
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(dims);
    json_decref(grid);
    json_decref(stmts);
    json_decref(root);
    if (text == NULL)
        return NULL;
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (withnl == NULL) {
        free(text);
        return NULL;
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    return withnl;
}
