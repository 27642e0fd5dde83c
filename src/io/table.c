/*
** table.c — numbers (and raw text) by column name from a CSV file.
**
** The CSV reader owns the syntax; this file owns the meaning of a cell. It
** must never accept a cell as a number that is not a finite decimal, never
** code a category as a number, and never grow past what the file's size
** implies.
*/
#include "io/table.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "io/csv.h"

#define NUM_MAX 256   /* bytes of a numeric cell after trimming */

static const char WHY_WORD[] = "is not a number";
static const char WHY_COMMA[] = "has a decimal comma";
static const char WHY_RANGE[] = "is out of range for a number";

void table_init(struct table *t)
{
    memset(t, 0, sizeof *t);
}

void table_free(struct table *t)
{
    if (t == NULL)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].num);
        free(t->cols[c].off);
    }
    free(t->cols);
    free(t->line);
    free(t->text);
    free(t->name);
    table_init(t);
}

/* ---- cells ---- */

static void trim(const char **p, size_t *n)
{
    while (*n > 0 && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

/* Empty (or blank), NA, na or . */
static int is_missing(const char *p, size_t n)
{
    trim(&p, &n);
    return n == 0 || (n == 2 && (memcmp(p, "NA", 2) == 0 || memcmp(p, "na", 2) == 0)) ||
           (n == 1 && p[0] == '.');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* True when p[0..n-1] is a decimal number: [+-] digits [. digits] [e [+-] digits],
** with at least one digit before the exponent. */
static int decimal_syntax(const char *p, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        i++;
    for (; i < n && is_digit(p[i]); i++)
        digits++;
    if (i < n && p[i] == '.')
        for (i++; i < n && is_digit(p[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t ed = 0;
        for (; i < n && is_digit(p[i]); i++)
            ed++;
        if (ed == 0)
            return 0;
    }
    return i == n;
}

/* Parses a trimmed, non-missing cell. Returns 0 with *v, or -1 with *why. */
static int parse_number(const char *p, size_t n, double *v, const char **why)
{
    char buf[NUM_MAX + 1];
    if (n > NUM_MAX || !decimal_syntax(p, n)) {
        /* "3,5": one comma between digits reads as a decimal comma. */
        const char *comma = n <= NUM_MAX ? memchr(p, ',', n) : NULL;
        if (comma && comma > p && comma + 1 < p + n && is_digit(comma[-1]) &&
            is_digit(comma[1])) {
            memcpy(buf, p, n);
            buf[comma - p] = '.';
            if (decimal_syntax(buf, n)) {
                *why = WHY_COMMA;
                return -1;
            }
        }
        *why = WHY_WORD;
        return -1;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double x = strtod(buf, &end);
    /* Underflow (ERANGE with a tiny result) is a number; overflow is not. */
    if (end != buf + n || !isfinite(x)) {
        *why = WHY_RANGE;
        return -1;
    }
    *v = x;
    return 0;
}

/* Keeps at most TABLE_BAD_MAX bytes of p, cut before a UTF-8 character. */
static void keep_bad(char *dst, const char *p, size_t n)
{
    size_t k = n;
    if (k > TABLE_BAD_MAX) {
        k = TABLE_BAD_MAX;
        while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
            k--;
    }
    for (size_t i = 0; i < k; i++)   /* one line: no line breaks or tabs */
        dst[i] = (unsigned char)p[i] < 0x20 ? ' ' : p[i];
    if (k < n)
        memcpy(dst + k, "\xE2\x80\xA6", 3);   /* … */
    dst[k < n ? k + 3 : k] = '\0';
}

/* ---- loading ---- */

/* "a, b, c" (cut with ", …" past about 300 bytes) into out. */
static void list_names(char *out, size_t cap, const char *const names[], size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 8 < cap; i++) {
        int w = used > 300 ? snprintf(out + used, cap - used, ", …")
                           : snprintf(out + used, cap - used, "%s'%.60s'", i ? ", " : "",
                                      names[i]);
        if (w < 0)
            break;
        used += (size_t)w < cap - used ? (size_t)w : cap - used - 1;
        if (used > 300 + 8)
            break;
    }
}

static int in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

static int oom(duet_err *e, const char *name)
{
    return duet_errf(e, DUET_EINTERNAL, "%s: out of memory", name);
}

/* Every requested name must be a header column. */
static int check_requested(const char *name, const char *const *req, size_t nreq,
                           char **hdr, size_t nh, duet_err *e)
{
    for (size_t i = 0; req && i < nreq; i++) {
        if (in_list(req[i], (const char *const *)hdr, nh))
            continue;
        char cols[400];
        list_names(cols, sizeof cols, (const char *const *)hdr, nh);
        return duet_errf(e, DUET_ENOTFOUND, "%s: no column '%.200s' (the columns are: %s)",
                         name, req[i], cols);
    }
    return 0;
}

static int grow_rows(struct table *t, size_t *cap, duet_err *e)
{
    if (t->nrows < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    if (nc > SIZE_MAX / sizeof(double))
        return oom(e, t->name);
    size_t *line = realloc(t->line, nc * sizeof *line);
    if (line == NULL)
        return oom(e, t->name);
    t->line = line;
    for (size_t c = 0; c < t->ncols; c++) {
        struct table_col *col = &t->cols[c];
        if (col->text) {
            size_t *off = realloc(col->off, nc * sizeof *off);
            if (off == NULL)
                return oom(e, t->name);
            col->off = off;
        } else {
            double *num = realloc(col->num, nc * sizeof *num);
            if (num == NULL)
                return oom(e, t->name);
            col->num = num;
        }
    }
    *cap = nc;
    return 0;
}

/* Appends n bytes and a NUL to t->text; returns the offset or SIZE_MAX. */
static size_t put_text(struct table *t, const char *p, size_t n)
{
    if (n >= SIZE_MAX / 4 - t->textlen)
        return SIZE_MAX;
    if (t->textlen + n + 1 > t->textcap) {
        size_t nc = t->textcap ? t->textcap : 4096;
        while (nc < t->textlen + n + 1)
            nc *= 2;
        char *s = realloc(t->text, nc);
        if (s == NULL)
            return SIZE_MAX;
        t->text = s;
        t->textcap = nc;
    }
    size_t at = t->textlen;
    memcpy(t->text + at, p, n);
    t->text[at + n] = '\0';
    t->textlen += n + 1;
    return at;
}

static void cell(struct table *t, struct table_col *col, size_t row, size_t line,
                 const csv_field *f, int *fail)
{
    if (is_missing(f->p, f->n)) {
        col->nmissing++;
        if (col->text)
            col->off[row] = SIZE_MAX;
        else
            col->num[row] = NAN;
        return;
    }
    if (col->text) {
        size_t at = put_text(t, f->p, f->n);
        if (at == SIZE_MAX)
            *fail = 1;
        col->off[row] = at;
        return;
    }
    const char *p = f->p, *why = NULL;
    size_t n = f->n;
    trim(&p, &n);
    if (parse_number(p, n, &col->num[row], &why) == 0)
        return;
    col->num[row] = NAN;
    if (col->nbad++ == 0) {
        col->bad_line = line;
        col->bad_why = why;
        keep_bad(col->bad_cell, f->p, f->n);
    }
}

/* The header: owned copies of the names in *hdrp (nh of them). */
static int read_header(csv_reader *r, const char *name, char ***hdrp, size_t *nh, duet_err *e)
{
    csv_record rec;
    int rc = csv_next(r, &rec, e);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return duet_errf(e, DUET_EINPUT, "%s: the file is empty; expected a header line with "
                         "the column names", name);
    char **hdr = calloc(rec.nfields, sizeof *hdr);
    if (hdr == NULL)
        return oom(e, name);
    for (size_t c = 0; c < rec.nfields; c++) {
        hdr[c] = strndup(rec.fields[c].p, rec.fields[c].n);
        if (hdr[c] == NULL) {
            for (size_t k = 0; k < c; k++)
                free(hdr[k]);
            free(hdr);
            return oom(e, name);
        }
    }
    *hdrp = hdr;
    *nh = rec.nfields;
    return 0;
}

/* Sets up t->cols for the loaded header columns; pick[c] is the index into
** t->cols of header column c, or SIZE_MAX when it is not loaded. */
static int plan_columns(struct table *t, char **hdr, size_t nh, const struct table_opts *o,
                        size_t *pick, duet_err *e)
{
    if (check_requested(t->name, o->columns, o->ncolumns, hdr, nh, e) != 0 ||
        check_requested(t->name, o->text, o->ntext, hdr, nh, e) != 0)
        return -1;
    t->cols = calloc(nh, sizeof *t->cols);
    if (t->cols == NULL)
        return oom(e, t->name);
    strmap seen;
    strmap_init(&seen);
    int rc = 0;
    for (size_t c = 0; c < nh && rc == 0; c++) {
        int text = in_list(hdr[c], o->text, o->ntext);
        pick[c] = SIZE_MAX;
        if (!text && o->columns && !in_list(hdr[c], o->columns, o->ncolumns))
            continue;
        size_t len = strlen(hdr[c]), first;
        if (len == 0) {
            rc = duet_errf(e, DUET_EINPUT, "%s:1: header column %zu has no name; name it or "
                           "delete the column", t->name, c + 1);
        } else if (strmap_get(&seen, hdr[c], len, &first)) {
            rc = duet_errf(e, DUET_EINPUT, "%s:1: column '%.200s' appears twice in the header "
                           "(columns %zu and %zu); rename one", t->name, hdr[c], first + 1, c + 1);
        } else if (strmap_put(&seen, hdr[c], len, c) != 0 ||
                   (t->cols[t->ncols].name = strdup(hdr[c])) == NULL) {
            rc = oom(e, t->name);
        } else {
            t->cols[t->ncols].text = text;
            pick[c] = t->ncols++;
        }
    }
    strmap_free(&seen);
    return rc;
}

int table_parse(struct table *t, const void *data, size_t len, const char *name,
                const struct table_opts *opts, duet_err *e)
{
    static const struct table_opts all = {0};
    const struct table_opts *o = opts ? opts : &all;
    table_init(t);
    t->name = strdup(name);
    if (t->name == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    csv_reader r;
    csv_reader_init(&r, data, len, name);
    csv_set_limits(&r, 0, TABLE_MAX_COLS);
    char **hdr = NULL;
    size_t nh = 0, *pick = NULL, cap = 0;
    int rc = read_header(&r, name, &hdr, &nh, e);
    if (rc == 0 && (pick = malloc(nh * sizeof *pick)) == NULL)
        rc = oom(e, name);
    if (rc == 0)
        rc = plan_columns(t, hdr, nh, o, pick, e);
    if (rc == 0) {
        csv_set_header(&r, (const char *const *)hdr, nh);
        csv_set_columns(&r, nh);
    }
    csv_record rec;
    int got;
    while (rc == 0 && (got = csv_next(&r, &rec, e)) != 0) {
        if (got < 0 || grow_rows(t, &cap, e) != 0) {
            rc = -1;
            break;
        }
        size_t row = t->nrows;
        int fail = 0;
        t->line[row] = rec.line;
        for (size_t c = 0; c < nh; c++)
            if (pick[c] != SIZE_MAX)
                cell(t, &t->cols[pick[c]], row, rec.line, &rec.fields[c], &fail);
        if (fail)
            rc = oom(e, name);
        t->nrows++;
    }
    csv_reader_free(&r);
    for (size_t c = 0; c < nh; c++)
        free(hdr[c]);
    free(hdr);
    free(pick);
    return rc;
}

int table_read(struct table *t, const char *path, const struct table_opts *opts, duet_err *e)
{
    size_t max = opts && opts->max_bytes ? opts->max_bytes : TABLE_MAX_BYTES;
    char *data = NULL;
    size_t len = 0;
    table_init(t);
    if (csv_read_file(path, max, &data, &len, e) != 0)
        return -1;
    int rc = table_parse(t, data, len, path, opts, e);
    free(data);
    return rc;
}

/* ---- access ---- */

int table_col(const struct table *t, const char *name, size_t *col, duet_err *e)
{
    const char *names[TABLE_MAX_COLS];
    for (size_t c = 0; c < t->ncols; c++) {
        if (strcmp(t->cols[c].name, name) == 0) {
            *col = c;
            return 0;
        }
        names[c] = t->cols[c].name;
    }
    char cols[400];
    list_names(cols, sizeof cols, names, t->ncols);
    return duet_errf(e, DUET_ENOTFOUND, "%s: no column '%.200s' (the columns are: %s)",
                     t->name, name, t->ncols ? cols : "none");
}

int table_numeric(const struct table *t, size_t col, duet_err *e)
{
    const struct table_col *c = &t->cols[col];
    if (c->text)
        return duet_errf(e, DUET_EINPUT, "%s: column '%.200s' was read as text, not numbers",
                         t->name, c->name);
    if (c->nbad == 0)
        return 0;
    char more[80] = "";
    if (c->nbad > 1)
        snprintf(more, sizeof more, "; %zu more cells in it are not numbers either", c->nbad - 1);
    if (c->bad_why == WHY_COMMA)
        return duet_errf(e, DUET_EINPUT, "%s:%zu: column '%.200s': '%s' has a decimal comma%s; "
                         "write decimals with a point (3.5) and no thousands separators",
                         t->name, c->bad_line, c->name, c->bad_cell, more);
    if (c->bad_why == WHY_RANGE)
        return duet_errf(e, DUET_EINPUT, "%s:%zu: column '%.200s': '%s' is out of range for a "
                         "number%s; correct it, or mark it missing (NA)",
                         t->name, c->bad_line, c->name, c->bad_cell, more);
    return duet_errf(e, DUET_EINPUT, "%s:%zu: column '%.200s' is not numeric ('%s'%s); code it "
                     "as numbers (e.g. 0/1) or leave it out",
                     t->name, c->bad_line, c->name, c->bad_cell, more);
}

double table_num(const struct table *t, size_t col, size_t row)
{
    const struct table_col *c = &t->cols[col];
    return c->text ? NAN : c->num[row];
}

const char *table_str(const struct table *t, size_t col, size_t row)
{
    const struct table_col *c = &t->cols[col];
    if (!c->text || c->off[row] == SIZE_MAX)
        return NULL;
    return t->text + c->off[row];
}

size_t table_line(const struct table *t, size_t row)
{
    return t->line[row];
}
