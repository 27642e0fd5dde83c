/*
** qsortcsv.c — Q-sorts from a statements × sorts CSV file.
**
** The CSV reader owns the syntax (and the count of cells in a row); this
** file owns the meaning of a cell: a whole grid place or a refusal that says
** which cell and why. It reads the rows statement by statement and turns
** them into the sort-by-sort (column-major) layout of the analysis only once
** the whole file is known to be good.
*/
#include "io/qsortcsv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "io/csv.h"

void qsortcsv_init(struct qsortcsv *q)
{
    memset(q, 0, sizeof *q);
}

void qsortcsv_free(struct qsortcsv *q)
{
    if (q == NULL)
        return;
    for (size_t j = 0; q->sort && j < q->n; j++)
        free(q->sort[j]);
    for (size_t i = 0; q->stmt && i < q->N; i++)
        free(q->stmt[i]);
    free(q->sort);
    free(q->stmt);
    free(q->line);
    free(q->x);
    qsortcsv_init(q);
}

/* One cell as a whole grid number, or -1 with why set (a static format
** with at most one %s, for the cell's text). */
static int grid_cell(const csv_field *f, double *v, const char **why)
{
    const char *p;
    size_t n = csv_field_trim(f, &p);
    if (n == 0 || (n == 2 && (memcmp(p, "NA", 2) == 0 || memcmp(p, "na", 2) == 0)) ||
        (n == 1 && *p == '.')) {
        *why = "no value; every statement needs a place in every sort";
        return -1;
    }
    char buf[QSORTCSV_CELL_MAX + 1];
    int plain = n <= QSORTCSV_CELL_MAX;
    for (size_t k = 0; k < n && plain; k++)
        plain = strchr("0123456789+-.eE", p[k]) != NULL;
    if (!plain) {
        *why = "'%s' is not a number; give the statement's place in the sort, e.g. -2 or +3";
        return -1;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (end != buf + n || !isfinite(d)) {
        *why = "'%s' is not a number; give the statement's place in the sort, e.g. -2 or +3";
        return -1;
    }
    if (d != floor(d)) {
        *why = "'%s' is not a whole number; a sort holds grid places such as -4 .. +4";
        return -1;
    }
    if (fabs(d) > 1000000) {
        *why = "'%s' is too far from 0 for a grid place (at most 1000000 either way)";
        return -1;
    }
    *v = d;
    return 0;
}

/* The header: the statement column, then the sorts, each named once. */
static int read_header(csv_reader *r, const char *name, struct qsortcsv *q, duet_err *e)
{
    csv_record rec;
    int got = csv_next(r, &rec, e);
    if (got < 0)
        return -1;
    if (got == 0)
        return duet_errf(e, DUET_EINPUT, "%s: the file is empty; expected a header line "
                         "'statement,SORT,SORT,...'", name);
    if (rec.nfields < 3)
        return duet_errf(e, DUET_EINPUT, "%s:1: the header has %zu column%s; expected the "
                         "statement column, then one column per sort (at least two)", name,
                         rec.nfields, rec.nfields == 1 ? "" : "s");
    q->n = rec.nfields - 1;
    q->sort = calloc(q->n, sizeof *q->sort);
    if (q->sort == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu sorts", q->n);
    strmap seen;
    strmap_init(&seen);
    int rc = 0;
    for (size_t j = 0; j < q->n && rc == 0; j++) {
        const csv_field *f = &rec.fields[j + 1];
        size_t first;
        if (f->n == 0)
            rc = duet_errf(e, DUET_EINPUT, "%s:1: header column %zu has no name; name the "
                           "sort or delete the column", name, j + 2);
        else if (strmap_get(&seen, f->p, f->n, &first))
            rc = duet_errf(e, DUET_EINPUT, "%s:1: sort '%.*s' appears twice in the header "
                           "(columns %zu and %zu); give each sort its own name", name,
                           (int)(f->n > 200 ? 200 : f->n), f->p, first + 2, j + 2);
        else if ((q->sort[j] = strndup(f->p, f->n)) == NULL || strmap_put(&seen, f->p, f->n, j))
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory for the sort names");
    }
    strmap_free(&seen);
    return rc;
}

/* The body, after the header: rows (statement-major, [N][n]) and ids. */
static int read_body(csv_reader *r, const char *name, struct qsortcsv *q, double **rows,
                     duet_err *e)
{
    size_t cap = 0;
    strmap ids;
    strmap_init(&ids);
    int rc = 0;
    csv_record rec;
    int got;
    while ((got = csv_next(r, &rec, e)) == 1) {
        size_t i = q->N;
        if (i == QSORTCSV_MAX_STATEMENTS) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: more than %d statements; a Q-set this "
                           "large is not supported", name, rec.line, QSORTCSV_MAX_STATEMENTS);
            goto done;
        }
        if ((i + 1) * q->n > QSORTCSV_MAX_CELLS) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: more than %zu cells (statements x "
                           "sorts); analyse fewer sorts at a time", name, rec.line,
                           QSORTCSV_MAX_CELLS);
            goto done;
        }
        if (i == cap) {
            size_t nc = cap ? 2 * cap : 64;
            double *nr = realloc(*rows, nc * q->n * sizeof *nr);
            if (nr)
                *rows = nr;
            char **ns = realloc(q->stmt, nc * sizeof *ns);
            if (ns)
                q->stmt = ns;
            size_t *nl = ns ? realloc(q->line, nc * sizeof *nl) : NULL;
            if (nl)
                q->line = nl;
            if (nr == NULL || ns == NULL || nl == NULL) {
                rc = duet_errf(e, DUET_EINTERNAL, "out of memory for %zu statements", nc);
                goto done;
            }
            cap = nc;
        }
        const csv_field *id = &rec.fields[0];
        size_t prev;
        if (id->n == 0) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column 'statement': the statement has no "
                           "id; give each statement an id (e.g. its number)", name, rec.line);
            goto done;
        }
        if (strmap_get(&ids, id->p, id->n, &prev)) {
            rc = duet_errf(e, DUET_EINPUT, "%s:%zu: statement '%.*s' appears twice (lines %zu "
                           "and %zu); give each statement its own id", name, rec.line,
                           (int)(id->n > 200 ? 200 : id->n), id->p, q->line[prev], rec.line);
            goto done;
        }
        if ((q->stmt[i] = strndup(id->p, id->n)) == NULL || strmap_put(&ids, id->p, id->n, i)) {
            free(q->stmt[i]);
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory for the statement ids");
            goto done;
        }
        q->line[i] = rec.line;
        q->N++;
        for (size_t j = 0; j < q->n; j++) {
            const char *why;
            const csv_field *f = &rec.fields[j + 1];
            if (grid_cell(f, &(*rows)[i * q->n + j], &why) != 0) {
                char cell[QSORTCSV_CELL_MAX + 8];
                if (f->n > QSORTCSV_CELL_MAX)
                    snprintf(cell, sizeof cell, "%.*s...", QSORTCSV_CELL_MAX, f->p);
                else
                    snprintf(cell, sizeof cell, "%.*s", (int)f->n, f->p);
                char msg[512];
                snprintf(msg, sizeof msg, why, cell);   /* why has one %s, or none */
                rc = duet_errf(e, DUET_EINPUT, "%s:%zu: column '%s': %s", name, rec.line,
                               q->sort[j], msg);
                goto done;
            }
        }
    }
    if (got < 0)
        rc = -1;
    else if (q->N == 0)
        rc = duet_errf(e, DUET_EINPUT, "%s: no statements: the file has a header but no rows",
                       name);
done:
    strmap_free(&ids);
    return rc;
}

int qsortcsv_parse(struct qsortcsv *q, const void *data, size_t len, const char *name,
                   duet_err *e)
{
    qsortcsv_init(q);
    csv_reader r;
    csv_reader_init(&r, data, len, name);
    csv_set_limits(&r, 0, QSORTCSV_MAX_SORTS + 1);
    double *rows = NULL;
    const char **names = NULL;
    int rc = read_header(&r, name, q, e);
    if (rc != 0)
        goto done;
    /* messages name columns: the first by its header, the sorts by name */
    names = calloc(q->n + 1, sizeof *names);
    if (names == NULL) {
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
        goto done;
    }
    names[0] = "statement";
    for (size_t j = 0; j < q->n; j++)
        names[j + 1] = q->sort[j];
    csv_set_header(&r, names, q->n + 1);
    csv_set_columns(&r, q->n + 1);
    rc = read_body(&r, name, q, &rows, e);
    if (rc != 0)
        goto done;
    q->x = malloc(q->N * q->n * sizeof *q->x);
    if (q->x == NULL) {
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory for %zu x %zu values", q->N, q->n);
        goto done;
    }
    for (size_t i = 0; i < q->N; i++)
        for (size_t j = 0; j < q->n; j++)
            q->x[j * q->N + i] = rows[i * q->n + j];
done:
    free(rows);
    free(names);
    csv_reader_free(&r);
    if (rc != 0)
        qsortcsv_free(q);
    return rc;
}

int qsortcsv_read(struct qsortcsv *q, const char *path, duet_err *e)
{
    char *data = NULL;
    size_t len = 0;
    qsortcsv_init(q);
    if (csv_read_file(path, QSORTCSV_MAX_BYTES, &data, &len, e) != 0)
        return -1;
    int rc = qsortcsv_parse(q, data, len, path, e);
    free(data);
    return rc;
}
