/*
** fuzz_csv.c — libFuzzer target for the CSV reader and writer.
**
** Any input must be read without a crash, a leak or undefined behaviour,
** and give either records or one error naming the input. Records that parse
** must obey the reader's promises (caps, valid UTF-8, no NUL) and, written
** back with the writer, must read again as exactly the same fields.
** Built and run by scripts/fuzz.sh.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/utf8.h"
#include "io/csv.h"

#define MAX_FIELD  512   /* small caps so the fuzzer reaches the limit paths */
#define MAX_FIELDS 64

/* Appends each record as <nfields> then <len><bytes> per field to canon and,
** when out is not NULL, writes it with the writer. Returns the number of
** records, or -1 when the input is refused. */
static long read_all(const void *data, size_t size, duet_buf *canon, duet_buf *out)
{
    csv_reader r;
    csv_record rec;
    duet_err e;
    long count = 0;
    int rc;
    csv_reader_init(&r, data, size, "fuzz.csv");
    csv_set_limits(&r, MAX_FIELD, MAX_FIELDS);
    while ((rc = csv_next(&r, &rec, &e)) == 1) {
        if (rec.nfields < 1 || rec.nfields > MAX_FIELDS || rec.line < 1)
            abort();
        if (buf_append(canon, &rec.nfields, sizeof rec.nfields) < 0)
            abort();
        for (size_t k = 0; k < rec.nfields; k++) {
            const csv_field *f = &rec.fields[k];
            if (f->n > MAX_FIELD || (f->n > 0 && f->p == NULL))
                abort();
            if (f->n > 0 && memchr(f->p, 0, f->n) != NULL)
                abort();
            if (utf8_invalid_at(f->p, f->n) != (size_t)-1)
                abort();
            if (buf_append(canon, &f->n, sizeof f->n) < 0 || buf_append(canon, f->p, f->n) < 0)
                abort();
        }
        if (out != NULL && csv_buf_record_as(out, CSV_EXACT, rec.fields, rec.nfields) < 0)
            abort();
        count++;
    }
    if (rc < 0) {
        if (strncmp(e.msg, "fuzz.csv", 8) != 0 || (e.code != DUET_EINPUT && e.code != DUET_EINTERNAL))
            abort();
        count = -1;
    }
    /* A failed reader stays failed; a finished one stays finished. */
    if (csv_next(&r, &rec, &e) != (rc < 0 ? -1 : 0))
        abort();
    csv_reader_free(&r);
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    duet_buf canon1, canon2, out;
    buf_init(&canon1, (size_t)1 << 28);
    buf_init(&canon2, (size_t)1 << 28);
    buf_init(&out, (size_t)1 << 28);
    long n1 = read_all(data, size, &canon1, &out);
    if (n1 >= 0) {
        long n2 = read_all(out.data ? out.data : "", out.len, &canon2, NULL);
        if (n2 != n1 || canon1.len != canon2.len ||
            (canon1.len > 0 && memcmp(canon1.data, canon2.data, canon1.len) != 0))
            abort();
    }
    buf_free(&canon1);
    buf_free(&canon2);
    buf_free(&out);
    return 0;
}
