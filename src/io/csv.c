/*
** csv.c — strict RFC 4180 CSV reading and writing.
**
** The reader is one byte loop over the caller's buffer, driven by two
** 256-entry tables of "stop" bytes; a field is only looked at again when it
** held a byte >= 0x80 (UTF-8 validation). It must never allocate per field,
** never read past len, and never let input grow memory past its caps.
** The writer neutralises cells a spreadsheet would run as formulas unless
** told the file is for a program (csv.h).
*/
#include "io/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/utf8.h"

#define NO_SCRATCH SIZE_MAX

/* Bytes that end the fast scan of an unquoted field. */
static const unsigned char unq_stop[256] = {
    [0] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};
/* Bytes that end the fast scan inside a quoted field. */
static const unsigned char q_stop[256] = {
    [0] = 1, ['\n'] = 1, ['"'] = 1,
};

static const char *rname(const csv_reader *r)
{
    return r->name ? r->name : "<input>";
}

/* "column 'value'" once the header is known, "column 6" before. */
static void col_label(const csv_reader *r, size_t col, char *out, size_t cap)
{
    if (r->header != NULL && col < r->nheader && r->header[col] != NULL)
        snprintf(out, cap, "column '%.200s'", r->header[col]);
    else
        snprintf(out, cap, "column %zu", col + 1);
}

/* Fails the reader with "NAME:LINE: <message>". */
__attribute__((format(printf, 4, 5)))
static int rec_err(csv_reader *r, duet_err *e, size_t line, const char *fmt, ...)
{
    char msg[DUET_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->failed = 1;
    return duet_errf(e, DUET_EINPUT, "%s:%zu: %s", rname(r), line, msg);
}

/* Fails the reader with "NAME:LINE: column X: <message>". */
__attribute__((format(printf, 5, 6)))
static int field_err(csv_reader *r, duet_err *e, size_t line, size_t col,
                     const char *fmt, ...)
{
    char msg[DUET_ERR_MAX], label[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    col_label(r, col, label, sizeof label);
    r->failed = 1;
    return duet_errf(e, DUET_EINPUT, "%s:%zu: %s: %s", rname(r), line, label, msg);
}

static int oom(csv_reader *r, duet_err *e)
{
    r->failed = 1;
    return duet_errf(e, DUET_EINTERNAL, "%s: out of memory while reading CSV", rname(r));
}

void csv_reader_init(csv_reader *r, const void *data, size_t len, const char *name)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = len;
    r->line = 1;
    r->name = name;
    r->max_field = CSV_MAX_FIELD_DEFAULT;
    r->max_fields = CSV_MAX_FIELDS_DEFAULT;
    if (len >= 3 && r->data[0] == 0xEF && r->data[1] == 0xBB && r->data[2] == 0xBF)
        r->pos = 3;
}

void csv_reader_free(csv_reader *r)
{
    free(r->fields);
    free(r->soff);
    free(r->scratch);
    r->fields = NULL;
    r->soff = NULL;
    r->scratch = NULL;
    r->fcap = r->scap = 0;
}

void csv_set_limits(csv_reader *r, size_t max_field_bytes, size_t max_fields)
{
    r->max_field = max_field_bytes ? max_field_bytes : CSV_MAX_FIELD_DEFAULT;
    r->max_fields = max_fields ? max_fields : CSV_MAX_FIELDS_DEFAULT;
}

void csv_set_columns(csv_reader *r, size_t ncols)
{
    r->ncols = ncols;
}

void csv_set_header(csv_reader *r, const char *const names[], size_t n)
{
    r->header = names;
    r->nheader = names ? n : 0;
}

static int grow_fields(csv_reader *r, duet_err *e)
{
    size_t ncap = r->fcap ? r->fcap * 2 : 16;
    if (ncap > r->max_fields)
        ncap = r->max_fields;
    csv_field *f = realloc(r->fields, ncap * sizeof *f);
    if (f == NULL)
        return oom(r, e);
    r->fields = f;
    size_t *s = realloc(r->soff, ncap * sizeof *s);
    if (s == NULL)
        return oom(r, e);
    r->soff = s;
    r->fcap = ncap;
    return 0;
}

/* Appends n bytes to the scratch area at *used; the field being built there
** started at soff and may not pass max_field bytes. */
static int scratch_put(csv_reader *r, duet_err *e, size_t *used, size_t soff,
                       const unsigned char *p, size_t n, size_t line, size_t col)
{
    if (*used - soff + n > r->max_field)
        return field_err(r, e, line, col,
                         "the field is longer than the limit of %zu bytes", r->max_field);
    if (r->scap - *used < n) {
        size_t ncap = r->scap ? r->scap * 2 : 256;
        if (ncap < *used + n)
            ncap = *used + n;
        char *s = realloc(r->scratch, ncap);
        if (s == NULL)
            return oom(r, e);
        r->scratch = s;
        r->scap = ncap;
    }
    memcpy(r->scratch + *used, p, n);
    *used += n;
    return 0;
}

static int is_eol(const unsigned char *d, size_t i, size_t n)
{
    return d[i] == '\n' || (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n');
}

static int nul_err(csv_reader *r, duet_err *e, size_t line, size_t col, size_t off)
{
    return field_err(r, e, line, col,
                     "a NUL byte (0x00) at offset %zu of the field; the file may be "
                     "binary or UTF-16 encoded: save it as UTF-8 CSV", off);
}

int csv_next(csv_reader *r, csv_record *rec, duet_err *e)
{
    if (r->failed)
        return duet_errf(e, DUET_EINPUT, "%s: reading stopped at an earlier error", rname(r));
    const unsigned char *d = r->data;
    size_t n = r->len, i = r->pos;
    if (i >= n)
        return 0;
    if (i == 0 && n >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF)))
        return rec_err(r, e, 1, "the file is UTF-16 encoded (it starts with a UTF-16 "
                       "byte order mark): save it as UTF-8 CSV");
    /* Blank lines that run to the end of the input are not records. */
    if (d[i] == '\n' || d[i] == '\r') {
        size_t j = i;
        while (j < n && is_eol(d, j, n))
            j += d[j] == '\r' ? 2 : 1;
        if (j == n) {
            r->pos = n;
            return 0;
        }
    }

    size_t line = r->line, nf = 0, used = 0;
    int scratch_fields = 0;
    for (;;) {
        if (nf == r->max_fields)
            return rec_err(r, e, r->line,
                           "more than %zu columns in one record (the limit); "
                           "is the file really comma-separated?", r->max_fields);
        if (nf == r->fcap && grow_fields(r, e) < 0)
            return -1;
        size_t fline = line;
        const unsigned char *fp;
        size_t fn, soff = NO_SCRATCH;
        unsigned acc = 0;
        if (i < n && d[i] == '"') {
            size_t seg = ++i;
            for (;;) {
                while (i < n && !q_stop[d[i]])
                    acc |= d[i++];
                if (i == n)
                    return field_err(r, e, fline, nf, "a quoted field is not closed "
                                     "(it runs to the end of the file)");
                if (d[i] == '\n') {
                    line++;
                    i++;
                    continue;
                }
                if (d[i] == 0)
                    return nul_err(r, e, line, nf,
                                   (soff == NO_SCRATCH ? 0 : used - soff) + (i - seg));
                if (i + 1 < n && d[i + 1] == '"') {   /* "" stands for one quote */
                    if (soff == NO_SCRATCH)
                        soff = used;
                    if (scratch_put(r, e, &used, soff, d + seg, i + 1 - seg, fline, nf) < 0)
                        return -1;
                    i += 2;
                    seg = i;
                    continue;
                }
                break;                                /* the closing quote */
            }
            if (soff == NO_SCRATCH) {
                fp = d + seg;
                fn = i - seg;
            } else {
                if (scratch_put(r, e, &used, soff, d + seg, i - seg, fline, nf) < 0)
                    return -1;
                fp = (const unsigned char *)r->scratch + soff;
                fn = used - soff;
                scratch_fields = 1;
            }
            i++;
            if (i < n && d[i] != ',' && !is_eol(d, i, n)) {
                unsigned c = d[i];
                if (c == '\r')
                    return field_err(r, e, line, nf, "a carriage return (CR) after the "
                                     "closing quote is not followed by a line feed (LF)");
                if (c >= 0x20 && c < 0x7F)
                    return field_err(r, e, line, nf, "unexpected '%c' after the closing "
                                     "quote; a quoted field must end at a comma or the end "
                                     "of the line (write a quote inside it as \"\")", (int)c);
                return field_err(r, e, line, nf, "unexpected byte 0x%02x after the closing "
                                 "quote; a quoted field must end at a comma or the end "
                                 "of the line", c);
            }
        } else {
            size_t start = i;
            while (i < n && !unq_stop[d[i]])
                acc |= d[i++];
            if (i < n) {
                if (d[i] == '"')
                    return field_err(r, e, line, nf, "a quote (\") inside an unquoted field "
                                     "(at offset %zu); enclose the whole field in quotes and "
                                     "write the quote as \"\"", i - start);
                if (d[i] == 0)
                    return nul_err(r, e, line, nf, i - start);
                if (d[i] == '\r' && !(i + 1 < n && d[i + 1] == '\n'))
                    return field_err(r, e, line, nf, "a carriage return (CR) not followed "
                                     "by a line feed (LF); save the file with LF or CRLF "
                                     "line endings, or quote the field");
            }
            fp = d + start;
            fn = i - start;
        }
        if (fn > r->max_field)
            return field_err(r, e, fline, nf,
                             "the field is longer than the limit of %zu bytes", r->max_field);
        if (acc & 0x80) {
            size_t bad = utf8_invalid_at((const char *)fp, fn);
            if (bad != (size_t)-1)
                return field_err(r, e, fline, nf,
                                 "invalid UTF-8 (byte 0x%02x at offset %zu of the field)",
                                 (unsigned)fp[bad], bad);
        }
        r->fields[nf].p = soff == NO_SCRATCH ? (const char *)fp : NULL;
        r->fields[nf].n = fn;
        r->soff[nf] = soff;
        nf++;
        if (i >= n)
            break;
        if (d[i] == ',') {
            i++;
            continue;
        }
        i += d[i] == '\r' ? 2 : 1;   /* LF or CRLF, checked above */
        line++;
        break;
    }
    if (scratch_fields)   /* the scratch may have moved while it grew */
        for (size_t k = 0; k < nf; k++)
            if (r->soff[k] != NO_SCRATCH)
                r->fields[k].p = r->scratch + r->soff[k];

    rec->line = r->line;
    if (r->ncols != 0 && nf != r->ncols) {
        if (nf == 1 && r->fields[0].n == 0 && d[r->pos] != '"')
            return rec_err(r, e, r->line, "blank line (expected %zu columns); delete it",
                           r->ncols);
        return rec_err(r, e, r->line, "expected %zu columns, found %zu", r->ncols, nf);
    }
    rec->nfields = nf;
    rec->fields = r->fields;
    r->pos = i;
    r->line = line;
    return 1;
}

/* Writes "a,b,c" into out, cut short with "..." if it does not fit. */
static void preview(char *out, size_t cap, const csv_field *f, const char *const *s, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        const char *p = f ? f[k].p : s[k];
        size_t len = f ? f[k].n : strlen(s[k]);
        if (o + len + 2 >= cap - 4) {
            memcpy(out + o, "...", 4);
            return;
        }
        if (k > 0)
            out[o++] = ',';
        memcpy(out + o, p, len);
        o += len;
        out[o] = '\0';
    }
}

int csv_expect_header(csv_reader *r, const char *const names[], size_t n, duet_err *e)
{
    char want[400], got[400];
    size_t saved = r->ncols;
    csv_record rec;
    r->ncols = 0;   /* a wrong count is reported below, with both headers */
    int rc = csv_next(r, &rec, e);
    r->ncols = saved;
    if (rc < 0)
        return -1;
    preview(want, sizeof want, NULL, names, n);
    if (rc == 0)
        return duet_errf(e, DUET_EINPUT, "%s: the file is empty; expected a header line: %s",
                         rname(r), want);
    preview(got, sizeof got, rec.fields, NULL, rec.nfields);
    if (rec.nfields != n)
        return duet_errf(e, DUET_EINPUT, "%s:%zu: the header has %zu columns, expected %zu "
                         "(expected \"%s\", found \"%s\")",
                         rname(r), rec.line, rec.nfields, n, want, got);
    for (size_t k = 0; k < n; k++) {
        size_t len = strlen(names[k]);
        if (rec.fields[k].n != len || memcmp(rec.fields[k].p, names[k], len) != 0)
            return duet_errf(e, DUET_EINPUT, "%s:%zu: header column %zu is '%.*s', expected "
                             "'%s' (expected \"%s\", found \"%s\")", rname(r), rec.line,
                             k + 1, (int)(rec.fields[k].n > 100 ? 100 : rec.fields[k].n),
                             rec.fields[k].p, names[k], want, got);
    }
    csv_set_columns(r, n);
    csv_set_header(r, names, n);
    return 0;
}

int csv_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                  duet_err *e)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return duet_errf(e, DUET_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return duet_errf(e, DUET_EIO, "%s: cannot read: %s", path, strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return duet_errf(e, DUET_EIO, "%s: is a directory, not a CSV file", path);
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max_bytes) {
        close(fd);
        return duet_errf(e, DUET_EINPUT, "%s: the file is %jd bytes, over the limit of %zu "
                         "bytes", path, (intmax_t)st.st_size, max_bytes);
    }
    /* A regular file gets one spare byte so that EOF is seen without a realloc. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    if (cap > max_bytes)
        cap = max_bytes;
    char *buf = malloc(cap + 1);
    size_t got = 0;
    if (buf == NULL)
        goto nomem;
    for (;;) {
        if (got == cap) {
            if (cap == max_bytes) {
                char c;
                ssize_t k = read(fd, &c, 1);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k < 0)
                    goto ioerr;
                if (k == 0)
                    break;
                free(buf);
                close(fd);
                return duet_errf(e, DUET_EINPUT, "%s: the file is over the limit of %zu bytes",
                                 path, max_bytes);
            }
            size_t ncap = cap ? cap * 2 : 65536;
            if (ncap > max_bytes || ncap < cap)
                ncap = max_bytes;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL)
                goto nomem;
            buf = nb;
            cap = ncap;
        }
        ssize_t k = read(fd, buf + got, cap - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            goto ioerr;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;

ioerr: {
        int err = errno;
        free(buf);
        close(fd);
        return duet_errf(e, DUET_EIO, "%s: cannot read: %s", path, strerror(err));
    }
nomem:
    free(buf);
    close(fd);
    return duet_errf(e, DUET_EINTERNAL, "%s: out of memory reading the file", path);
}

/* ---- writer ---- */

typedef int (*sink_fn)(void *ctx, const char *p, size_t n);

static int file_sink(void *ctx, const char *p, size_t n)
{
    return fwrite(p, 1, n, (FILE *)ctx) == n ? 0 : -1;
}

static int buf_sink(void *ctx, const char *p, size_t n)
{
    return buf_append((duet_buf *)ctx, p, n);
}

/* A plain decimal number: [+-]? (digits [. digits*] | . digits) [e [+-]? digits]. */
static int plain_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, exp++;
        if (exp == 0)
            return 0;
    }
    return i == n;
}

int csv_cell_risky(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    switch (s[0]) {
    case '=': case '@': case '\t': case '\r':
        return 1;
    case '+': case '-':
        return !plain_number(s, n);
    default:
        break;
    }
    /* U+FF0B, U+FF0D, U+FF1D (EF BC 8B/8D/9D) and U+FF20 (EF BC A0) */
    const unsigned char *u = (const unsigned char *)s;
    return n >= 3 && u[0] == 0xEF && u[1] == 0xBC &&
           (u[2] == 0x8B || u[2] == 0x8D || u[2] == 0x9D || u[2] == 0xA0);
}

static int needs_quotes(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)   /* a reader would take it for a BOM */
        return 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return 1;
    }
    return 0;
}

static int put_field(sink_fn put, void *ctx, enum csv_cells how, const char *s, size_t n)
{
    int neutralise = how == CSV_SAFE && csv_cell_risky(s, n);
    if (!neutralise && !needs_quotes(s, n))
        return put(ctx, s, n);
    if (put(ctx, "\"'", neutralise ? 2 : 1) < 0)   /* the quote, and ' when neutralised */
        return -1;
    size_t seg = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '"')
            continue;
        if (put(ctx, s + seg, i + 1 - seg) < 0)   /* up to and including the quote */
            return -1;
        if (put(ctx, "\"", 1) < 0)                /* ... doubled */
            return -1;
        seg = i + 1;
    }
    if (put(ctx, s + seg, n - seg) < 0)
        return -1;
    return put(ctx, "\"", 1);
}

static int put_row(sink_fn put, void *ctx, enum csv_cells how, const csv_field *f,
                   const char *const *s, size_t n)
{
    if (n == 0) {
        errno = EINVAL;
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        const char *p = f ? f[k].p : s[k];
        size_t len = f ? f[k].n : strlen(s[k]);
        if (k > 0 && put(ctx, ",", 1) < 0)
            return -1;
        if (n == 1 && len == 0) {   /* an empty line would read back as no record */
            if (put(ctx, "\"\"", 2) < 0)
                return -1;
        } else if (put_field(put, ctx, how, p, len) < 0) {
            return -1;
        }
    }
    return put(ctx, "\n", 1);
}

int csv_write_field_as(FILE *f, enum csv_cells how, const char *s, size_t n)
{
    return put_field(file_sink, f, how, s, n);
}

int csv_write_row_as(FILE *f, enum csv_cells how, const char *const fields[], size_t n)
{
    return put_row(file_sink, f, how, NULL, fields, n);
}

int csv_buf_field_as(duet_buf *b, enum csv_cells how, const char *s, size_t n)
{
    return put_field(buf_sink, b, how, s, n);
}

int csv_buf_row_as(duet_buf *b, enum csv_cells how, const char *const fields[], size_t n)
{
    return put_row(buf_sink, b, how, NULL, fields, n);
}

int csv_buf_record_as(duet_buf *b, enum csv_cells how, const csv_field fields[], size_t n)
{
    return put_row(buf_sink, b, how, fields, NULL, n);
}

int csv_write_field(FILE *f, const char *s, size_t n)
{
    return csv_write_field_as(f, CSV_SAFE, s, n);
}

int csv_write_row(FILE *f, const char *const fields[], size_t n)
{
    return csv_write_row_as(f, CSV_SAFE, fields, n);
}

int csv_buf_field(duet_buf *b, const char *s, size_t n)
{
    return csv_buf_field_as(b, CSV_SAFE, s, n);
}

int csv_buf_row(duet_buf *b, const char *const fields[], size_t n)
{
    return csv_buf_row_as(b, CSV_SAFE, fields, n);
}

int csv_buf_record(duet_buf *b, const csv_field fields[], size_t n)
{
    return csv_buf_record_as(b, CSV_SAFE, fields, n);
}

size_t csv_field_trim(const csv_field *f, const char **p)
{
    const char *s = f->p;
    size_t n = f->n;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *p = s;
    return n;
}
