/*
** codetable.c — coders' values from a units × coders CSV file.
**
** The CSV reader owns the syntax (and the count of cells in a row); this
** file owns the meaning of a cell: missing, a number, a label, or both. It
** refuses only what no statistic could use (a bad header, a unit without an
** id or twice, an empty body) and leaves "is this a number?" to the caller.
*/
#include "io/codetable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "io/csv.h"

void codetable_init(struct codetable *t)
{
    memset(t, 0, sizeof *t);
}

void codetable_free(struct codetable *t)
{
    if (t == NULL)
        return;
    for (size_t j = 0; t->coder && j < t->nc; j++)
        free(t->coder[j]);
    free(t->coder);
    free(t->num);
    free(t->lab);
    free(t->name);
    codetable_init(t);
}

/* The cell as a finite number; -1 when it is not one. */
static int cell_number(const char *p, size_t n, double *v)
{
    char buf[CODETABLE_CELL_MAX + 1];
    if (n > CODETABLE_CELL_MAX)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (strchr("0123456789+-.eE", p[k]) == NULL)
            return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (end != buf + n || !isfinite(d))
        return -1;
    *v = d;
    return 0;
}

/* The header: the unit column, then the coders, each named once. */
static int read_header(csv_reader *r, struct codetable *t, duet_err *e)
{
    csv_record rec;
    int got = csv_next(r, &rec, e);
    if (got < 0)
        return -1;
    if (got == 0)
        return duet_errf(e, DUET_EINPUT, "%s: the file is empty; expected a header line "
                         "'unit,CODER,CODER,...'", t->name);
    if (rec.nfields < 3)
        return duet_errf(e, DUET_EINPUT, "%s:1: the header has %zu column%s; expected the "
                         "unit column, then one column per coder (at least two)", t->name,
                         rec.nfields, rec.nfields == 1 ? "" : "s");
    t->nc = rec.nfields - 1;
    t->coder = calloc(t->nc, sizeof *t->coder);
    if (t->coder == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu coders", t->nc);
    strmap seen;
    strmap_init(&seen);
    int rc = 0;
    for (size_t j = 0; j < t->nc && rc == 0; j++) {
        const csv_field *f = &rec.fields[j + 1];
        size_t first;
        if (f->n == 0)
            rc = duet_errf(e, DUET_EINPUT, "%s:1: header column %zu has no name; name the "
                           "coder or delete the column", t->name, j + 2);
        else if (strmap_get(&seen, f->p, f->n, &first))
            rc = duet_errf(e, DUET_EINPUT, "%s:1: coder '%.*s' appears twice in the header "
                           "(columns %zu and %zu); give each coder its own name", t->name,
                           (int)(f->n > 200 ? 200 : f->n), f->p, first + 2, j + 2);
        else if ((t->coder[j] = strndup(f->p, f->n)) == NULL ||
                 strmap_put(&seen, f->p, f->n, j))
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory for the coder names");
    }
    strmap_free(&seen);
    return rc;
}

/* The body, after the header: one row of values per unit. */
static int read_body(csv_reader *r, struct codetable *t, duet_err *e)
{
    const char *name = t->name;
    strmap ids, labels;
    strmap_init(&ids);
    strmap_init(&labels);
    size_t cap = 0;
    int rc = 0;
    csv_record rec;
    int got;
    while ((got = csv_next(r, &rec, e)) == 1) {
        size_t u = t->nu;
        if ((u + 1) * t->nc > CODETABLE_MAX_CELLS) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: more than %zu cells (units x coders); "
                           "split the file", name, rec.line, CODETABLE_MAX_CELLS);
            goto done;
        }
        if (u == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            double *nn = realloc(t->num, ncap * t->nc * sizeof *nn);
            if (nn)
                t->num = nn;
            double *nl = nn ? realloc(t->lab, ncap * t->nc * sizeof *nl) : NULL;
            if (nl)
                t->lab = nl;
            if (nn == NULL || nl == NULL) {
                rc = duet_errf(e, DUET_EINTERNAL, "out of memory for %zu units", ncap);
                goto done;
            }
            cap = ncap;
        }
        const char *id;
        size_t idn = csv_field_trim(&rec.fields[0], &id), prev;
        if (idn == 0) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column 'unit': the unit has no id; give "
                           "each unit an id (e.g. its number)", name, rec.line);
            goto done;
        }
        if (strmap_get(&ids, id, idn, &prev)) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: unit '%.*s' appears twice (lines %zu and "
                           "%zu); give each unit its own id", name, rec.line,
                           (int)(idn > 200 ? 200 : idn), id, prev, rec.line);
            goto done;
        }
        if (strmap_put(&ids, id, idn, rec.line)) {
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory for the unit ids");
            goto done;
        }
        for (size_t j = 0; j < t->nc; j++) {
            const char *p;
            size_t n = csv_field_trim(&rec.fields[j + 1], &p);
            double *num = &t->num[u * t->nc + j], *lab = &t->lab[u * t->nc + j];
            if (n == 0) {
                *num = *lab = NAN;
                continue;
            }
            if (cell_number(p, n, num) != 0) {
                *num = NAN;
                if (t->text_line == 0) {
                    t->text_line = rec.line;
                    t->text_col = j + 1;
                    if (n > CODETABLE_CELL_MAX)
                        snprintf(t->text, sizeof t->text, "%.*s...", CODETABLE_CELL_MAX, p);
                    else
                        snprintf(t->text, sizeof t->text, "%.*s", (int)n, p);
                }
            }
            size_t code;
            if (!strmap_get(&labels, p, n, &code)) {
                code = t->nlabels++;
                if (strmap_put(&labels, p, n, code)) {
                    rc = duet_errf(e, DUET_EINTERNAL, "out of memory for the labels");
                    goto done;
                }
            }
            *lab = (double)code;
        }
        t->nu++;
    }
    if (got < 0)
        rc = -1;
    else if (t->nu == 0)
        rc = duet_errf(e, DUET_EINPUT, "%s: no units: the file has a header but no rows", name);
done:
    strmap_free(&ids);
    strmap_free(&labels);
    return rc;
}

int codetable_parse(struct codetable *t, const void *data, size_t len, const char *name,
                    duet_err *e)
{
    codetable_init(t);
    if ((t->name = strdup(name)) == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    csv_reader r;
    csv_reader_init(&r, data, len, t->name);
    csv_set_limits(&r, 0, CODETABLE_MAX_CODERS + 1);
    const char **names = NULL;
    int rc = read_header(&r, t, e);
    if (rc != 0)
        goto done;
    /* messages name columns: the first by its header, the coders by name */
    names = calloc(t->nc + 1, sizeof *names);
    if (names == NULL) {
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory for %zu coders", t->nc);
        goto done;
    }
    names[0] = "unit";
    for (size_t j = 0; j < t->nc; j++)
        names[j + 1] = t->coder[j];
    csv_set_header(&r, names, t->nc + 1);
    csv_set_columns(&r, t->nc + 1);
    rc = read_body(&r, t, e);
done:
    free(names);
    csv_reader_free(&r);
    if (rc != 0)
        codetable_free(t);
    return rc;
}

int codetable_read(struct codetable *t, const char *path, duet_err *e)
{
    char *data = NULL;
    size_t len = 0;
    codetable_init(t);
    if (csv_read_file(path, CODETABLE_MAX_BYTES, &data, &len, e) != 0)
        return -1;
    int rc = codetable_parse(t, data, len, path, e);
    free(data);
    return rc;
}

const double *codetable_numbers(const struct codetable *t, const char *why, duet_err *e)
{
    if (t->text_line == 0)
        return t->num;
    duet_errf(e, DUET_EINPUT, "%s:%zu: column '%s': '%s' is not a number; %s", t->name,
              t->text_line, t->coder[t->text_col - 1], t->text, why);
    return NULL;
}

const double *codetable_values(const struct codetable *t)
{
    return t->text_line == 0 ? t->num : t->lab;
}
