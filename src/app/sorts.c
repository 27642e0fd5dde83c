/*
** sorts.c — validating, adding, importing and exporting Q-sorts.
**
** Every path into the store goes through the same checks: a placement names
** a statement of the Q-set once, at a value on the grid; a sort places every
** statement; each grid column holds exactly its count. Files are read whole
** with a size cap and checked completely before anything is written, in one
** transaction. Nothing here prints or exits.
*/
#include "app/sorts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "io/qset.h"
#include "store/store.h"

static int oom(duet_err *e) { return duet_errf(e, DUET_EINTERNAL, "out of memory"); }

/* s[0..n) quoted for a message: at most ~40 bytes, cut on a character
** boundary, control characters as '?'. */
static const char *quoted(const char *s, size_t n, char out[64])
{
    size_t take = n > 40 ? 40 : n;
    while (take < n && take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80)
        take--;
    size_t k = 0;
    for (size_t i = 0; i < take; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[k++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (take < n) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

/* A grid value as people write it: +4, 0, -4. */
static const char *signed_value(int v, char out[16])
{
    snprintf(out, 16, v > 0 ? "+%d" : "%d", v);
    return out;
}

static void grid_range(const struct qset *q, char out[48])
{
    char lo[16], hi[16];
    snprintf(out, 48, "%s .. %s", signed_value(q->value[0], lo),
             signed_value(q->value[q->ncols - 1], hi));
}

int sorts_parse_value(const char *s, size_t n, int *value, duet_err *e)
{
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    char q[64];
    size_t i = a;
    int neg = 0;
    if (i < b && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == b || b - i > 3)
        return duet_errf(e, DUET_EINPUT, "'%s' is not a whole number", quoted(s + a, b - a, q));
    int v = 0;
    for (; i < b; i++) {
        if (s[i] < '0' || s[i] > '9')
            return duet_errf(e, DUET_EINPUT, "'%s' is not a whole number",
                             quoted(s + a, b - a, q));
        v = v * 10 + (s[i] - '0');
    }
    *value = neg ? -v : v;
    return 0;
}

/* Checks one placement: a statement of q not placed before (seen[] marks
** those placed) at a value on the grid. Returns the statement's index, or
** -1 with *e set. */
static long check_entry(const struct qset *q, const char *id, size_t idn, int value, char *seen,
                        duet_err *e)
{
    char qbuf[64];
    long i = qset_statement_index(q, id, idn);
    if (i < 0)
        return duet_errf(e, DUET_EINPUT, "'%s' is not a statement of Q-set '%s'",
                         quoted(id, idn, qbuf), q->name);
    if (seen[i])
        return duet_errf(e, DUET_EINPUT, "statement '%s' is placed twice", q->statements[i].id);
    if (qset_column(q, value) < 0) {
        char range[48], v[16];
        grid_range(q, range);
        return duet_errf(e, DUET_EINPUT, "statement '%s': %s is not a column of the grid (%s)",
                         q->statements[i].id, signed_value(value, v), range);
    }
    seen[i] = 1;
    return i;
}

/* The rules over a whole sort: nothing omitted, every column full to its
** count. seen[i] says whether statement i was placed; values[i] where. */
static int check_whole(const struct qset *q, const char *seen, const int *values, duet_err *e)
{
    size_t missing = 0, first = 0;
    for (size_t i = 0; i < q->nstatements; i++)
        if (!seen[i] && missing++ == 0)
            first = i;
    if (missing == 1)
        return duet_errf(e, DUET_EINPUT, "statement '%s' is not placed (a sort places all %zu "
                         "statements)", q->statements[first].id, q->nstatements);
    if (missing > 1) {
        char list[512] = "";
        size_t named = 0, len = 0;
        for (size_t i = first; i < q->nstatements && named < 5; i++) {
            if (seen[i])
                continue;
            int w = snprintf(list + len, sizeof list - len, "%s'%s'", named ? ", " : "",
                             q->statements[i].id);
            if (w < 0 || (size_t)w >= sizeof list - len)
                break;
            len += (size_t)w;
            named++;
        }
        return duet_errf(e, DUET_EINPUT, "%zu statements are not placed: %s%s", missing, list,
                         missing > named ? ", ..." : "");
    }
    int held[QSET_MAX_COLUMNS] = {0};
    for (size_t i = 0; i < q->nstatements; i++)
        held[qset_column(q, values[i])]++;
    char v[16];
    for (size_t c = 0; c < q->ncols; c++)
        if (held[c] > q->count[c])
            return duet_errf(e, DUET_EINPUT, "column %s holds %d statement%s; the grid allows %d",
                             signed_value(q->value[c], v), held[c], held[c] == 1 ? "" : "s",
                             q->count[c]);
    for (size_t c = 0; c < q->ncols; c++)   /* unreachable when the counts add up */
        if (held[c] != q->count[c])
            return duet_errf(e, DUET_EINPUT, "column %s holds %d statements; the grid needs %d",
                             signed_value(q->value[c], v), held[c], q->count[c]);
    return 0;
}

int sorts_validate(const struct qset *q, const struct sorts_entry *v, size_t n, int *values,
                   duet_err *e)
{
    char *seen = calloc(q->nstatements ? q->nstatements : 1, 1);
    if (seen == NULL)
        return oom(e);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        long i = check_entry(q, v[k].statement, v[k].statement_len, v[k].value, seen, e);
        if (i < 0)
            rc = -1;
        else
            values[i] = v[k].value;
    }
    if (rc == 0)
        rc = check_whole(q, seen, values, e);
    free(seen);
    return rc;
}

/* ------------------------------------------------------------------ */
/* adding one sort                                                     */

/* What a sort is written against, once resolved. */
struct target {
    int64_t person_id, partnership_id, module_id, qset_id;
    struct qset q;
};

static int resolve(struct store *st, const struct sorts_sort *s, struct target *t, duet_err *e)
{
    memset(t, 0, sizeof *t);
    int64_t cohort_id;
    const char *side;
    if (s->person == NULL || s->partnership == NULL)
        return duet_errf(e, DUET_EINPUT, "a sort needs a person and a partnership");
    if (store_person_id(st, s->person, &t->person_id, e) != 0 ||
        store_partnership_id(st, s->partnership, &t->partnership_id, &cohort_id, e) != 0)
        return -1;
    duet_err ignored;
    if (store_member_side(st, t->partnership_id, t->person_id, &side, &ignored) != 0)
        return duet_errf(e, DUET_EINPUT, "person '%s' is not a member of partnership '%s'",
                         s->person, s->partnership);
    if (s->module < 1 || store_module_id(st, cohort_id, s->module, &t->module_id, &ignored) != 0)
        return duet_errf(e, DUET_ENOTFOUND, "module %d does not exist in the cohort of "
                         "partnership '%s'", s->module, s->partnership);
    return store_qset_get(st, s->qset ? s->qset : QSET_DEFAULT_NAME, s->qset_version, &t->q,
                          &t->qset_id, e);
}

/* Stores values (in Q-set order) as t's sort, refusing a duplicate. */
static int write_one(struct store *st, const struct target *t, const struct sorts_sort *s,
                     const int *values, duet_err *e)
{
    int exists = 0;
    if (store_qsort_exists(st, t->person_id, t->partnership_id, t->module_id, t->qset_id,
                           &exists, e) != 0)
        return -1;
    if (exists)
        return duet_errf(e, DUET_ECONFLICT, "person '%s' already has a sort for partnership "
                         "'%s' at module %d with Q-set '%s'", s->person, s->partnership,
                         s->module, t->q.name);
    const char **ids = malloc(t->q.nstatements * sizeof *ids);
    if (ids == NULL)
        return oom(e);
    for (size_t i = 0; i < t->q.nstatements; i++)
        ids[i] = t->q.statements[i].id;
    struct store_qsort row = {t->person_id, t->partnership_id, t->module_id, t->qset_id,
                              s->source, t->q.nstatements, ids, values};
    int rc = store_qsorts_insert(st, &row, 1, e);
    free(ids);
    return rc;
}

int sorts_add(struct store *st, const struct sorts_sort *s, duet_err *e)
{
    struct target t;
    if (resolve(st, s, &t, e) != 0) {
        qset_free(&t.q);
        return -1;
    }
    int *values = malloc(t.q.nstatements * sizeof *values);
    int rc = values ? sorts_validate(&t.q, s->entries, s->n, values, e) : oom(e);
    if (rc == 0)
        rc = write_one(st, &t, s, values, e);
    free(values);
    qset_free(&t.q);
    return rc;
}

int sorts_add_file(struct store *st, const struct sorts_sort *s, const char *path, duet_err *e)
{
    static const char *const header[] = {"statement", "value"};
    struct target t;
    if (resolve(st, s, &t, e) != 0) {
        qset_free(&t.q);
        return -1;
    }
    char *data = NULL;
    size_t len = 0;
    if (csv_read_file(path, SORTS_MAX_BYTES, &data, &len, e) != 0) {
        qset_free(&t.q);
        return -1;
    }
    csv_reader r;
    csv_reader_init(&r, data, len, path);
    int *values = calloc(t.q.nstatements, sizeof *values);
    char *seen = calloc(t.q.nstatements, 1);
    int rc = values && seen ? csv_expect_header(&r, header, 2, e) : oom(e);
    csv_record rec;
    size_t rows = 0;
    while (rc == 0) {
        int got = csv_next(&r, &rec, e);
        if (got <= 0) {
            rc = got;
            break;
        }
        rows++;
        const csv_field *f = rec.fields;
        int value;
        if (f[1].n == 0)
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column 'value': no value", path, rec.line);
        else if (sorts_parse_value(f[1].p, f[1].n, &value, e) != 0) {
            duet_err_prefix(e, "%s:%zu: column 'value'", path, rec.line);
            rc = -1;
        } else {
            /* An unknown or repeated statement is the first column's fault,
            ** a value off the grid the second's. */
            long known = qset_statement_index(&t.q, f[0].p, f[0].n);
            const char *col = known < 0 || seen[known] ? "statement" : "value";
            long i = check_entry(&t.q, f[0].p, f[0].n, value, seen, e);
            if (i < 0) {
                duet_err_prefix(e, "%s:%zu: column '%s'", path, rec.line, col);
                rc = -1;
            } else {
                values[i] = value;
            }
        }
    }
    if (rc == 0 && rows == 0)
        rc = duet_errf(e, DUET_EINPUT, "%s: no rows after the header; nothing added", path);
    if (rc == 0 && check_whole(&t.q, seen, values, e) != 0) {
        duet_err_prefix(e, "%s", path);
        rc = -1;
    }
    if (rc == 0)
        rc = write_one(st, &t, s, values, e);
    csv_reader_free(&r);
    free(data);
    free(values);
    free(seen);
    qset_free(&t.q);
    return rc;
}

/* ------------------------------------------------------------------ */
/* import: statements x persons                                        */

struct column {
    char *name;                    /* as in the header */
    char *person;                  /* the key */
    char *partnership;             /* its code */
    int module;
    struct target t;               /* ids only; t.q unused */
    int *values;                   /* [nstatements] */
};

static void free_columns(struct column *c, size_t n)
{
    for (size_t j = 0; c != NULL && j < n; j++) {
        free(c[j].name);
        free(c[j].person);
        free(c[j].partnership);
        free(c[j].values);
    }
    free(c);
}

/* The one partnership of person_id in cohort (NULL: any) into *code. */
static int person_partnership(struct store *st, int64_t person_id, const char *key,
                              const char *cohort, char **code, duet_err *e)
{
    json_t *parts = store_person_partnerships(st, person_id, e);
    if (parts == NULL)
        return -1;
    size_t i, found = 0;
    json_t *p;
    char list[256] = "";
    json_array_foreach(parts, i, p) {
        const char *c = json_string_value(json_object_get(p, "cohort"));
        if (cohort != NULL && (c == NULL || strcmp(c, cohort) != 0))
            continue;
        const char *pc = json_string_value(json_object_get(p, "code"));
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", found ? ", " : "", pc);
        if (found++ == 0) {
            *code = strdup(pc);
            if (*code == NULL) {
                json_decref(parts);
                return oom(e);
            }
        }
    }
    json_decref(parts);
    if (found == 1)
        return 0;
    if (found > 1) {
        free(*code);
        *code = NULL;
    }
    char where[256] = "";
    if (cohort)
        snprintf(where, sizeof where, " in cohort '%s'", cohort);
    if (found == 0)
        return duet_errf(e, DUET_EINPUT, "person '%s' is not a member of any partnership%s",
                         key, where);
    return duet_errf(e, DUET_EINPUT, "person '%s' is a member of %zu partnerships%s (%s), so "
                     "the column does not say which one%s", key, found, where, list,
                     cohort ? "" : "; give --cohort");
}

/* Resolves the sort a header cell names: "key" or "key@module". */
static int resolve_column(struct store *st, const struct sorts_import_options *o,
                          const csv_field *f, struct column *c, duet_err *e)
{
    char q[64];
    c->name = malloc(f->n + 1);
    if (c->name == NULL)
        return oom(e);
    memcpy(c->name, f->p, f->n);
    c->name[f->n] = '\0';
    if (f->n == 0 || strlen(c->name) != f->n)
        return duet_errf(e, DUET_EINPUT, "a column needs a person's key as its name");
    char *at = strrchr(c->name, '@');
    c->module = o->module;
    if (at != NULL) {
        long long m = 0;
        const char *d = at + 1;
        if (*d == '\0' || strlen(d) > 4 || strspn(d, "0123456789") != strlen(d) ||
            (m = strtoll(d, NULL, 10)) < 1)
            return duet_errf(e, DUET_EINPUT, "'%s' is not 'key@module' with a module number",
                             quoted(c->name, f->n, q));
        c->module = (int)m;
        c->person = strndup(c->name, (size_t)(at - c->name));
    } else {
        c->person = strdup(c->name);
    }
    if (c->person == NULL)
        return oom(e);
    if (c->module == 0)
        return duet_errf(e, DUET_EINPUT, "no module for this sort: give --module M, or name the "
                         "column '%s@M'", quoted(c->person, strlen(c->person), q));
    int64_t cohort_id;
    duet_err ignored;
    if (store_person_id(st, c->person, &c->t.person_id, e) != 0 ||
        person_partnership(st, c->t.person_id, c->person, o->cohort, &c->partnership, e) != 0 ||
        store_partnership_id(st, c->partnership, &c->t.partnership_id, &cohort_id, e) != 0)
        return -1;
    if (store_module_id(st, cohort_id, c->module, &c->t.module_id, &ignored) != 0)
        return duet_errf(e, DUET_ENOTFOUND, "module %d does not exist in the cohort of "
                         "partnership '%s'", c->module, c->partnership);
    return 0;
}

int sorts_import(struct store *st, const char *path, const struct sorts_import_options *o,
                 struct sorts_import_stats *out, duet_err *e)
{
    struct qset q;
    int64_t qid;
    int64_t cohort_id;
    if (o->cohort != NULL && store_cohort_id(st, o->cohort, &cohort_id, e) != 0)
        return -1;
    if (store_qset_get(st, o->qset ? o->qset : QSET_DEFAULT_NAME, o->qset_version, &q, &qid,
                       e) != 0)
        return -1;
    char *data = NULL;
    size_t len = 0;
    if (csv_read_file(path, SORTS_MAX_BYTES, &data, &len, e) != 0) {
        qset_free(&q);
        return -1;
    }
    const size_t N = q.nstatements;
    csv_reader r;
    csv_reader_init(&r, data, len, path);
    csv_record rec;
    struct column *cols = NULL;
    const char **names = NULL;
    size_t ncols = 0;
    size_t *row_of = calloc(N, sizeof *row_of);   /* line of each statement's row; 0: none */
    int rc = row_of ? 0 : oom(e);
    if (rc == 0) {
        int got = csv_next(&r, &rec, e);
        if (got == 0)
            rc = duet_errf(e, DUET_EINPUT, "%s: the file is empty; expected the header "
                           "'statement,<person>,<person>,...'", path);
        else if (got < 0)
            rc = -1;
    }
    if (rc == 0) {
        char qb[64];
        if (rec.fields[0].n != 9 || memcmp(rec.fields[0].p, "statement", 9) != 0)
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: the first column must be 'statement' (the "
                           "statement ids), not '%s'", path, rec.line,
                           quoted(rec.fields[0].p, rec.fields[0].n, qb));
        else if (rec.nfields < 2)
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: no sorts: after 'statement' the header needs "
                           "one column per person", path, rec.line);
    }
    if (rc == 0) {
        ncols = rec.nfields - 1;
        cols = calloc(ncols, sizeof *cols);
        names = calloc(ncols + 1, sizeof *names);
        rc = cols && names ? 0 : oom(e);
    }
    /* The header's fields are valid only until the next record: resolve and
    ** copy each column's name now. */
    for (size_t j = 0; rc == 0 && j < ncols; j++) {
        struct column *c = &cols[j];
        if (resolve_column(st, o, &rec.fields[j + 1], c, e) != 0) {
            char qb[64];
            duet_err_prefix(e, "%s:%zu: column '%s'", path, rec.line,
                            quoted(rec.fields[j + 1].p, rec.fields[j + 1].n, qb));
            rc = -1;
            break;
        }
        for (size_t k = 0; k < j; k++)
            if (cols[k].t.person_id == c->t.person_id &&
                cols[k].t.partnership_id == c->t.partnership_id && cols[k].module == c->module) {
                rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column '%s': the same sort as column "
                               "'%s' (person '%s', module %d)", path, rec.line, c->name,
                               cols[k].name, c->person, c->module);
                break;
            }
        int exists = 0;
        if (rc == 0 && store_qsort_exists(st, c->t.person_id, c->t.partnership_id,
                                          c->t.module_id, qid, &exists, e) != 0)
            rc = -1;
        if (rc == 0 && exists)
            rc = duet_errf(e, DUET_ECONFLICT, "%s:%zu: column '%s': person '%s' already has a "
                           "sort for partnership '%s' at module %d with Q-set '%s'", path,
                           rec.line, c->name, c->person, c->partnership, c->module, q.name);
        c->values = rc == 0 ? calloc(N, sizeof *c->values) : NULL;
        if (rc == 0 && c->values == NULL)
            rc = oom(e);
        names[j + 1] = c->name;
    }
    if (rc == 0) {
        names[0] = "statement";
        csv_set_columns(&r, ncols + 1);
        csv_set_header(&r, names, ncols + 1);
    }
    size_t rows = 0;
    while (rc == 0) {
        int got = csv_next(&r, &rec, e);
        if (got <= 0) {
            rc = got;
            break;
        }
        rows++;
        const csv_field *f = rec.fields;
        char qb[64];
        long i = qset_statement_index(&q, f[0].p, f[0].n);
        if (i < 0) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column 'statement': '%s' is not a statement "
                           "of Q-set '%s'", path, rec.line, quoted(f[0].p, f[0].n, qb), q.name);
            break;
        }
        if (row_of[i]) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column 'statement': statement '%s' has a "
                           "second row (the first is on line %zu)", path, rec.line,
                           q.statements[i].id, row_of[i]);
            break;
        }
        row_of[i] = rec.line;
        for (size_t j = 0; rc == 0 && j < ncols; j++) {
            int value;
            const csv_field *cell = &f[j + 1];
            if (cell->n == 0) {
                rc = duet_errf(e, DUET_EINPUT, "no value for statement '%s'",
                               q.statements[i].id);
            } else if (sorts_parse_value(cell->p, cell->n, &value, e) != 0) {
                rc = -1;
            } else if (qset_column(&q, value) < 0) {
                char range[48], v[16];
                grid_range(&q, range);
                rc = duet_errf(e, DUET_EINPUT, "%s is not a column of the grid (%s)",
                               signed_value(value, v), range);
            } else {
                cols[j].values[i] = value;
            }
            if (rc != 0)
                duet_err_prefix(e, "%s:%zu: column '%s'", path, rec.line, cols[j].name);
        }
    }
    if (rc == 0 && rows == 0)
        rc = duet_errf(e, DUET_EINPUT, "%s: no rows after the header; nothing imported", path);
    if (rc == 0) {
        size_t missing = 0, first = 0;
        for (size_t i = 0; i < N; i++)
            if (!row_of[i] && missing++ == 0)
                first = i;
        if (missing == 1)
            rc = duet_errf(e, DUET_EINPUT, "%s: statement '%s' has no row (every statement of "
                           "Q-set '%s' needs one)", path, q.statements[first].id, q.name);
        else if (missing > 1)
            rc = duet_errf(e, DUET_EINPUT, "%s: %zu statements have no row, the first '%s' "
                           "(every statement of Q-set '%s' needs one)", path, missing,
                           q.statements[first].id, q.name);
    }
    char *all = rc == 0 ? malloc(N) : NULL;
    if (rc == 0 && all == NULL)
        rc = oom(e);
    if (all)
        memset(all, 1, N);
    for (size_t j = 0; rc == 0 && j < ncols; j++)
        if (check_whole(&q, all, cols[j].values, e) != 0) {
            duet_err_prefix(e, "%s:1: column '%s'", path, cols[j].name);
            rc = -1;
        }
    free(all);

    /* Everything is valid: write it all in one transaction. */
    struct store_qsort *rowsv = rc == 0 ? calloc(ncols, sizeof *rowsv) : NULL;
    const char **ids = rc == 0 ? malloc(N * sizeof *ids) : NULL;
    if (rc == 0 && (rowsv == NULL || ids == NULL))
        rc = oom(e);
    if (rc == 0) {
        for (size_t i = 0; i < N; i++)
            ids[i] = q.statements[i].id;
        for (size_t j = 0; j < ncols; j++)
            rowsv[j] = (struct store_qsort){cols[j].t.person_id, cols[j].t.partnership_id,
                                            cols[j].t.module_id, qid,
                                            o->source ? o->source : "import", N, ids,
                                            cols[j].values};
        rc = store_qsorts_insert(st, rowsv, ncols, e);
    }
    if (rc == 0 && out) {
        out->sorts = ncols;
        out->statements = N;
    }
    free(rowsv);
    free(ids);
    free(names);
    free_columns(cols, ncols);
    free(row_of);
    csv_reader_free(&r);
    free(data);
    qset_free(&q);
    return rc;
}

/* ------------------------------------------------------------------ */
/* export                                                              */

struct xsort {
    char *person, *partnership;
    int module;
    int values[QSET_MAX_STATEMENTS];
};

struct xctx {
    char *cohort, *qset;
    int qset_version;
    int several_cohorts, several_qsets;
    char other_cohort[256], other_qset[128];
    struct xsort *v;
    size_t n, cap;
};

static int export_row(void *ctx, const struct store_qsort_row *row, duet_err *e)
{
    struct xctx *x = ctx;
    if (x->cohort == NULL) {
        x->cohort = strdup(row->cohort);
        x->qset = strdup(row->qset);
        x->qset_version = row->qset_version;
        if (x->cohort == NULL || x->qset == NULL)
            return oom(e);
    }
    if (strcmp(x->cohort, row->cohort) != 0) {
        x->several_cohorts = 1;
        snprintf(x->other_cohort, sizeof x->other_cohort, "%s", row->cohort);
        return 0;
    }
    if (strcmp(x->qset, row->qset) != 0 || x->qset_version != row->qset_version) {
        x->several_qsets = 1;
        snprintf(x->other_qset, sizeof x->other_qset, "'%s' version %d", row->qset,
                 row->qset_version);
        return 0;
    }
    struct xsort *last = x->n ? &x->v[x->n - 1] : NULL;
    if (last == NULL || last->module != row->module || strcmp(last->person, row->person) != 0 ||
        strcmp(last->partnership, row->partnership) != 0) {
        if (x->n == x->cap) {
            size_t c = x->cap ? x->cap * 2 : 16;
            struct xsort *p = realloc(x->v, c * sizeof *p);
            if (p == NULL)
                return oom(e);
            x->v = p;
            x->cap = c;
        }
        last = &x->v[x->n++];
        memset(last, 0, sizeof *last);
        last->person = strdup(row->person);
        last->partnership = strdup(row->partnership);
        last->module = row->module;
        if (last->person == NULL || last->partnership == NULL)
            return oom(e);
    }
    if (row->ordinal >= 1 && row->ordinal <= QSET_MAX_STATEMENTS)
        last->values[row->ordinal - 1] = row->value;
    return 0;
}

static void xctx_free(struct xctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        free(x->v[i].person);
        free(x->v[i].partnership);
    }
    free(x->v);
    free(x->cohort);
    free(x->qset);
}

int sorts_export(struct store *st, FILE *f, const struct sorts_export_options *o, size_t *nsorts,
                 duet_err *e)
{
    struct xctx x;
    memset(&x, 0, sizeof x);
    int rc = store_qsort_each(st, o->cohort, o->module, o->qset, o->purpose, export_row, &x, e);
    if (rc == 0 && x.n == 0)
        rc = duet_errf(e, DUET_ENOTFOUND, "there are no sorts to export%s%s%s", o->cohort ?
                       " in cohort '" : "", o->cohort ? o->cohort : "", o->cohort ? "'" : "");
    if (rc == 0 && x.several_cohorts)
        rc = duet_errf(e, DUET_EINPUT, "there are sorts in more than one cohort ('%s', '%s'); "
                       "choose one with --cohort", x.cohort, x.other_cohort);
    if (rc == 0 && x.several_qsets)
        rc = duet_errf(e, DUET_EINPUT, "the sorts use more than one Q-set ('%s' version %d, %s); "
                       "choose one with --qset", x.qset, x.qset_version, x.other_qset);
    struct qset q;
    memset(&q, 0, sizeof q);
    if (rc == 0)
        rc = store_qset_get(st, x.qset, x.qset_version, &q, NULL, e);
    json_t *pseudonyms = rc == 0 && !o->names ? store_pseudonym_map(st, e) : NULL;
    if (rc == 0 && !o->names && pseudonyms == NULL)
        rc = -1;
    char **head = rc == 0 ? calloc(x.n + 1, sizeof *head) : NULL;
    if (rc == 0 && head == NULL)
        rc = oom(e);
    enum csv_cells how = o->exact ? CSV_EXACT : CSV_SAFE;
    for (size_t j = 0; rc == 0 && j < x.n; j++) {
        char name[160];
        const char *who = x.v[j].person;
        if (pseudonyms && (who = store_pseudonym_of(pseudonyms, x.v[j].partnership, who)) == NULL) {
            rc = duet_errf(e, DUET_EINTERNAL, "a sort in partnership '%s' has no pseudonym "
                           "for its person", x.v[j].partnership);
            break;
        }
        if (o->module)
            snprintf(name, sizeof name, "%s", who);
        else
            snprintf(name, sizeof name, "%s@%d", who, x.v[j].module);
        for (size_t k = 0; rc == 0 && k < j; k++)
            if (strcmp(head[k + 1], name) == 0)
                rc = duet_errf(e, DUET_EINPUT, "person '%s' has sorts in partnerships '%s' and "
                               "'%s' at module %d; one statements x persons file cannot tell "
                               "them apart", x.v[j].person, x.v[k].partnership,
                               x.v[j].partnership, x.v[j].module);
        head[j + 1] = strdup(name);
        if (rc == 0 && head[j + 1] == NULL)
            rc = oom(e);
    }
    if (rc == 0) {
        head[0] = (char *)"statement";
        int bad = csv_write_row_as(f, how, (const char *const *)head, x.n + 1) != 0;
        head[0] = NULL;
        const char **cells = malloc((x.n + 1) * sizeof *cells);
        char (*num)[16] = malloc((x.n + 1) * sizeof *num);
        if (cells == NULL || num == NULL)
            rc = oom(e);
        for (size_t i = 0; rc == 0 && !bad && i < q.nstatements; i++) {
            cells[0] = q.statements[i].id;
            for (size_t j = 0; j < x.n; j++) {
                snprintf(num[j], sizeof num[j], "%d", x.v[j].values[i]);
                cells[j + 1] = num[j];
            }
            bad = csv_write_row_as(f, how, cells, x.n + 1) != 0;
        }
        free(cells);
        free(num);
        if (rc == 0 && bad)
            rc = duet_errf(e, DUET_EIO, "writing the export failed");
    }
    for (size_t j = 0; head != NULL && j <= x.n; j++)
        free(head[j]);
    free(head);
    json_decref(pseudonyms);
    if (rc == 0 && nsorts)
        *nsorts = x.n;
    qset_free(&q);
    xctx_free(&x);
    return rc;
}
