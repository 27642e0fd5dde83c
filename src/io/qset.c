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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsonread.h"

_Static_assert(QSET_NAME_MAX == JR_NAME_MAX, "names are read by jr_get_name");

/* Limits on strings, in characters (code points). */
#define TITLE_MAX        200
#define DESCRIPTION_MAX  4000
#define LABEL_MAX        200
#define POLE_MAX         300

/* ------------------------------------------------------------------ */
/* typed getters                                                       */

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

/* obj[key] as an array of min..max elements. */
static int get_array(struct jr_ctx *c, json_t *obj, const char *key, size_t min, size_t max,
                     const char *what, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return jr_fail(c, NULL, "missing '%s'", key);
    if (!json_is_array(v))
        return jr_fail(c, key, "expected an array, found %s", jr_kind(v));
    size_t n = json_array_size(v);
    if (n < min)
        return jr_fail(c, key, "a Q-set needs at least %zu %s, found %zu", min, what, n);
    if (n > max)
        return jr_fail(c, key, "%zu %s; the limit is %zu", n, what, max);
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* the parts                                                           */

static int parse_dimension(struct jr_ctx *c, json_t *v, const char *path,
                           struct qset_dimension *d)
{
    static const char *const keys[] = {"name", "label", "lived_experience_pole", "system_pole",
                                       NULL};
    if (!json_is_object(v))
        return jr_fail(c, path, "expected an object, found %s", jr_kind(v));
    if (jr_check_keys(c, v, path, keys) != 0 ||
        jr_get_name(c, v, path, "name", 1, 0, &d->name) != 0 ||
        jr_get_string(c, v, path, "label", 1, JR_ONE_LINE, LABEL_MAX, &d->label) != 0 ||
        jr_get_string(c, v, path, "lived_experience_pole", 1, JR_ONE_LINE, POLE_MAX,
                      &d->lived_pole) != 0 ||
        jr_get_string(c, v, path, "system_pole", 1, JR_ONE_LINE, POLE_MAX, &d->system_pole) != 0)
        return -1;
    return 0;
}

static int parse_column(struct jr_ctx *c, json_t *v, const char *path, int *value, int *count)
{
    static const char *const keys[] = {"value", "count", NULL};
    if (!json_is_object(v))
        return jr_fail(c, path, "expected an object, found %s", jr_kind(v));
    if (jr_check_keys(c, v, path, keys) != 0 ||
        jr_get_int(c, v, path, "value", 1, -QSET_VALUE_LIMIT, QSET_VALUE_LIMIT, value, NULL) != 0 ||
        jr_get_int(c, v, path, "count", 1, 1, QSET_MAX_STATEMENTS, count, NULL) != 0)
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

static int check_grid(struct jr_ctx *c, const struct qset *q)
{
    char p[JR_PATH_MAX], a[16], b[16];
    size_t n = q->ncols;
    for (size_t i = 1; i < n; i++)
        if (q->value[i] != q->value[i - 1] + 1) {
            snprintf(p, sizeof p, "grid[%zu].value", i);
            return jr_fail(c, p, "%s does not follow %s (the columns must be consecutive whole "
                           "numbers in ascending order, e.g. -4 .. +4)", sv(q->value[i], a),
                           sv(q->value[i - 1], b));
        }
    if (q->value[0] != -q->value[n - 1]) {
        snprintf(p, sizeof p, "grid[0].value");
        return jr_fail(c, p, "the grid runs %s .. %s; it must be symmetric around 0 "
                       "(e.g. -4 .. +4)", sv(q->value[0], a), sv(q->value[n - 1], b));
    }
    for (size_t i = 0; i < n / 2; i++) {
        size_t j = n - 1 - i;
        if (q->count[i] != q->count[j]) {
            snprintf(p, sizeof p, "grid[%zu].count", j);
            return jr_fail(c, p, "column %s holds %d but column %s holds %d; the grid must be "
                           "symmetric", sv(q->value[j], a), q->count[j], sv(q->value[i], b),
                           q->count[i]);
        }
        if (i > 0 && q->count[i] < q->count[i - 1]) {
            snprintf(p, sizeof p, "grid[%zu].count", i);
            return jr_fail(c, p, "column %s holds %d, fewer than column %s (%d); counts must not "
                           "fall toward the middle (a quasi-normal grid)", sv(q->value[i], a),
                           q->count[i], sv(q->value[i - 1], b), q->count[i - 1]);
        }
    }
    if (n >= 3 && q->count[n / 2] < q->count[n / 2 - 1]) {
        snprintf(p, sizeof p, "grid[%zu].count", n / 2);
        return jr_fail(c, p, "column %s holds %d, fewer than column %s (%d); counts must not "
                       "fall toward the middle (a quasi-normal grid)", sv(q->value[n / 2], a),
                       q->count[n / 2], sv(q->value[n / 2 - 1], b), q->count[n / 2 - 1]);
    }
    return 0;
}

static int parse_statement(struct jr_ctx *c, json_t *v, const char *path, const struct qset *q,
                           struct qset_statement *s)
{
    static const char *const keys[] = {"id", "text", "dimension", "polarity", NULL};
    if (!json_is_object(v))
        return jr_fail(c, path, "expected an object, found %s", jr_kind(v));
    if (jr_check_keys(c, v, path, keys) != 0)
        return -1;
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, "id");
    json_t *id = json_object_get(v, "id");
    if (id == NULL)
        return jr_fail(c, path, "missing 'id'");
    if (!json_is_string(id))
        return jr_fail(c, p, "expected a string, found %s", jr_kind(id));
    if (!valid_id(json_string_value(id), json_string_length(id))) {
        char q2[64];
        jr_quote_safe(json_string_value(id), json_string_length(id), q2, sizeof q2);
        return jr_fail(c, p, "'%s' is not a valid statement id (letters, digits, '_', '.' or "
                       "'-', starting with a letter or digit, at most %d characters)", q2,
                       QSET_ID_MAX);
    }
    s->id = strdup(json_string_value(id));
    if (s->id == NULL)
        return jr_oom(c);
    if (jr_get_string(c, v, path, "text", 1, JR_ONE_LINE, QSET_STATEMENT_MAX, &s->text) != 0)
        return -1;
    jr_subpath(p, sizeof p, path, "dimension");
    json_t *d = json_object_get(v, "dimension");
    if (d == NULL)
        return jr_fail(c, path, "missing 'dimension'");
    if (!json_is_string(d))
        return jr_fail(c, p, "expected a string, found %s", jr_kind(d));
    long k = qset_dimension_index(q, json_string_value(d));
    if (k < 0) {
        char q2[64];
        jr_quote_safe(json_string_value(d), json_string_length(d), q2, sizeof q2);
        return jr_fail(c, p, "'%s' is not a declared dimension", q2);
    }
    s->dimension = (size_t)k;
    jr_subpath(p, sizeof p, path, "polarity");
    json_t *pv = json_object_get(v, "polarity");
    if (pv == NULL)
        return jr_fail(c, path, "missing 'polarity' (+1: toward the lived-experience pole, -1: "
                       "toward the system pole)");
    if (!json_is_integer(pv) || (json_integer_value(pv) != 1 && json_integer_value(pv) != -1)) {
        if (json_is_integer(pv))
            return jr_fail(c, p, "%lld is not +1 or -1", (long long)json_integer_value(pv));
        return jr_fail(c, p, "expected 1 or -1, found %s", jr_kind(pv));
    }
    s->polarity = (int)json_integer_value(pv);
    return 0;
}

static int parse_root(struct jr_ctx *c, json_t *root, struct qset *q)
{
    static const char *const keys[] = {"format", "name", "version", "title", "description",
                                       "instructions", "dimensions", "grid", "statements",
                                       NULL};
    if (!json_is_object(root))
        return jr_fail(c, NULL, "the top level must be a JSON object, not %s", jr_kind(root));
    json_t *fmt = json_object_get(root, "format");
    if (fmt == NULL)
        return jr_fail(c, NULL, "missing 'format' (expected \"%s\")", QSET_FORMAT);
    if (!json_is_string(fmt))
        return jr_fail(c, "format", "expected a string, found %s", jr_kind(fmt));
    if (strcmp(json_string_value(fmt), QSET_FORMAT) != 0) {
        char q2[64];
        jr_quote_safe(json_string_value(fmt), json_string_length(fmt), q2, sizeof q2);
        return jr_fail(c, "format", "'%s' is not supported; expected '%s'", q2, QSET_FORMAT);
    }
    if (jr_check_keys(c, root, "", keys) != 0 ||
        jr_get_name(c, root, "", "name", 1, 1, &q->name) != 0 ||
        jr_get_int(c, root, "", "version", 1, 1, QSET_MAX_VERSION, &q->version, NULL) != 0 ||
        jr_get_string(c, root, "", "title", 1, JR_ONE_LINE, TITLE_MAX, &q->title) != 0 ||
        jr_get_string(c, root, "", "description", 0, JR_MULTI_LINE, DESCRIPTION_MAX,
                      &q->description) != 0 ||
        jr_get_string(c, root, "", "instructions", 0, JR_MULTI_LINE, DESCRIPTION_MAX,
                      &q->instructions) != 0)
        return -1;

    char path[JR_PATH_MAX];
    json_t *dims, *grid, *stmts;
    if (get_array(c, root, "dimensions", 1, QSET_MAX_DIMENSIONS, "dimensions", &dims) != 0)
        return -1;
    size_t n = json_array_size(dims);
    q->dims = calloc(n, sizeof *q->dims);
    if (q->dims == NULL)
        return jr_oom(c);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "dimensions[%zu]", i);
        q->ndims = i + 1;   /* so that qset_free sees it */
        if (parse_dimension(c, json_array_get(dims, i), path, &q->dims[i]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->dims[j].name, q->dims[i].name) == 0) {
                snprintf(path, sizeof path, "dimensions[%zu].name", i);
                return jr_fail(c, path, "duplicate dimension name '%s' (also dimensions[%zu])",
                               q->dims[i].name, j);
            }
    }

    if (get_array(c, root, "grid", 3, QSET_MAX_COLUMNS, "columns", &grid) != 0)
        return -1;
    n = json_array_size(grid);
    q->value = calloc(n, sizeof *q->value);
    q->count = calloc(n, sizeof *q->count);
    if (q->value == NULL || q->count == NULL)
        return jr_oom(c);
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
        return jr_oom(c);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "statements[%zu]", i);
        struct qset_statement *s = &q->statements[i];
        q->nstatements = i + 1;
        if (parse_statement(c, json_array_get(stmts, i), path, q, s) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(q->statements[j].id, s->id) == 0) {
                snprintf(path, sizeof path, "statements[%zu].id", i);
                return jr_fail(c, path, "duplicate statement id '%s' (also statements[%zu])", s->id,
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
        return jr_fail(c, "grid", "the columns hold %ld statements but there are %zu; the counts "
                       "must add up to the number of statements", total, q->nstatements);
    for (size_t k = 0; k < q->ndims; k++) {
        const struct qset_dimension *d = &q->dims[k];
        snprintf(path, sizeof path, "dimensions[%zu]", k);
        if (d->nstatements == 0)
            return jr_fail(c, path, "dimension '%s' has no statements", d->name);
        if (d->nplus == 0 || d->nplus == d->nstatements)
            return jr_fail(c, path, "dimension '%s' has no statement with polarity %s; each "
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
    struct jr_ctx c = {source != NULL ? source : "qset", e};
    json_t *root = jr_load(&c, json, len, QSET_MAX_BYTES, "a Q-set");
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
