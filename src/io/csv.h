/*
** csv.h — a strict, bounded RFC 4180 CSV reader and a matching writer.
**
** The reader works over a buffer the caller has read whole (csv_read_file
** does that with a size cap). It never allocates per field: unquoted fields
** point into the caller's buffer, quoted fields point into it too unless
** they contain "" escapes, in which case they point into a scratch buffer
** owned by the reader. Every field is checked for valid UTF-8 and NUL bytes;
** field length and field count are capped. Errors name the file, the line
** and the column: "responses.csv:17: column 'value': invalid UTF-8 (...)".
**
** Accepted: an optional UTF-8 BOM, CRLF or LF line endings, quoted fields
** with embedded commas, quotes ("") and line breaks, a last record without a
** line ending, and blank lines at the end of the file. A blank line anywhere
** else is a record with one empty field. A bare CR outside quotes, a quote
** inside an unquoted field and text after a closing quote are refused.
**
** The writer quotes only where needed and ends rows with LF. It writes for
** one of two readers (enum csv_cells). For people (CSV_SAFE, what the plain
** functions do): a cell that a spreadsheet would take for a formula (see
** csv_cell_risky) is neutralised as OWASP's "CSV Injection" page advises:
** it is written quoted, with a single quote ' before its first byte, so
** that Excel, LibreOffice Calc and Google Sheets show it as text. For a
** program (CSV_EXACT, the _as functions): every cell as given, and the
** output reads back through the reader byte for byte.
*/
#ifndef DUET_IO_CSV_H
#define DUET_IO_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"

#define CSV_MAX_FIELD_DEFAULT  ((size_t)64 * 1024)  /* bytes in one field */
#define CSV_MAX_FIELDS_DEFAULT ((size_t)1024)       /* fields in one record */

typedef struct csv_field {
    const char *p;   /* not NUL-terminated; valid until the next csv_next */
    size_t n;
} csv_field;

typedef struct csv_record {
    size_t line;               /* physical line (1-based) where it starts */
    size_t nfields;            /* >= 1 */
    const csv_field *fields;   /* borrowed from the reader */
} csv_record;

/* Treat the members as private; use the functions below. */
typedef struct csv_reader {
    const unsigned char *data;   /* borrowed: the caller's buffer */
    size_t len, pos;
    size_t line;                 /* line of data[pos] */
    const char *name;            /* borrowed: used in messages */
    size_t max_field, max_fields;
    size_t ncols;                /* expected fields per record; 0 = any */
    const char *const *header;   /* borrowed: names for messages, or NULL */
    size_t nheader;
    csv_field *fields;           /* owned */
    size_t *soff;                /* owned: scratch offsets of escaped fields */
    size_t fcap;
    char *scratch;               /* owned: unescaped quoted fields */
    size_t scap;
    int failed;
} csv_reader;

/* Starts reading the len bytes at data, which must stay alive and unchanged
** while the reader and its records are used. name (borrowed, usually the file
** name) starts every message. Allocates nothing; pair with csv_reader_free. */
void csv_reader_init(csv_reader *r, const void *data, size_t len, const char *name);
void csv_reader_free(csv_reader *r);

/* Caps (0 keeps the default): a longer field or a record with more fields is
** refused with a message naming the limit. */
void csv_set_limits(csv_reader *r, size_t max_field_bytes, size_t max_fields);

/* Every later record must have exactly ncols fields (0: any number). */
void csv_set_columns(csv_reader *r, size_t ncols);

/* Names for columns 1..n, so that messages read "column 'value'" rather than
** "column 6". names is borrowed and must outlive the reader. */
void csv_set_header(csv_reader *r, const char *const names[], size_t n);

/* Reads the next record into *rec. Returns 1 for a record, 0 at the end of
** the input, -1 on error with *e set (DUET_EINPUT for bad input,
** DUET_EINTERNAL when memory runs out). After -1 the reader stays failed.
** rec's fields are valid until the next call or csv_reader_free. */
int csv_next(csv_reader *r, csv_record *rec, duet_err *e);

/* The field without the spaces and tabs around it: its start (borrowed,
** like the field) and length; 0 when nothing else is in it. */
size_t csv_field_trim(const csv_field *f, const char **p);

/* Reads the first record and checks that it is exactly names[0..n-1] (same
** count, same bytes). On success sets the expected column count and the
** header names (borrowed) and returns 0; otherwise -1 with a message giving
** the expected and the found header. An empty input is an error too. */
int csv_expect_header(csv_reader *r, const char *const names[], size_t n, duet_err *e);

/* Reads the file at path into a new NUL-terminated buffer (*data, freed by
** the caller with free(); *len excludes the NUL). A file over max_bytes is
** refused without being read. Returns 0, or -1 with *e set (DUET_EIO,
** DUET_EINPUT for an oversized file, DUET_EINTERNAL for memory). */
int csv_read_file(const char *path, size_t max_bytes, char **data, size_t *len,
                  duet_err *e);

/* Who the written cells are for. */
enum csv_cells {
    CSV_SAFE = 0,    /* people: a risky cell is written as "'..." (see above) */
    CSV_EXACT = 1,   /* a program: every cell byte for byte, for round trips */
};

/* Whether a spreadsheet could run the n bytes at s as a formula: they begin
** with '=', '+', '-', '@', a tab (0x09) or a carriage return (0x0D), the
** characters OWASP lists, or with a full-width U+FF1D, U+FF0B, U+FF0D or
** U+FF20 (which East Asian spreadsheet set-ups may read as = + - @), and
** they are not a plain decimal number: an optional sign, digits with an
** optional point and fraction (or a point and digits), an optional exponent
** (e, an optional sign, digits); so "-0.5", "-3" and "+1e-05" stay numbers
** while "-2+3" and "+44 20 7946 0000" are risky. */
int csv_cell_risky(const char *s, size_t n);

/* Writes one field, quoted when it holds a comma, quote, CR or LF, starts or
** ends with a space or tab, starts with a UTF-8 byte order mark, or is
** neutralised (CSV_SAFE and csv_cell_risky). Otherwise bytes are written as
** given. Returns 0, or -1 when the stream reports an error. */
int csv_write_field_as(FILE *f, enum csv_cells how, const char *s, size_t n);

/* Writes fields[0..n-1] (NUL-terminated strings) separated by commas and a
** final LF. A row of one empty field is written as "" so that it does not
** read back as a blank line. n must be at least 1. Returns 0 or -1. */
int csv_write_row_as(FILE *f, enum csv_cells how, const char *const fields[], size_t n);

/* The same, appending to b. Return 0, or -1 when b's cap or memory runs out
** (b is then freed, as buf_append does). */
int csv_buf_field_as(duet_buf *b, enum csv_cells how, const char *s, size_t n);
int csv_buf_row_as(duet_buf *b, enum csv_cells how, const char *const fields[], size_t n);
/* The same for counted fields, e.g. a record from csv_next. */
int csv_buf_record_as(duet_buf *b, enum csv_cells how, const csv_field fields[], size_t n);

/* The functions above with CSV_SAFE: for every file meant for people. */
int csv_write_field(FILE *f, const char *s, size_t n);
int csv_write_row(FILE *f, const char *const fields[], size_t n);
int csv_buf_field(duet_buf *b, const char *s, size_t n);
int csv_buf_row(duet_buf *b, const char *const fields[], size_t n);
int csv_buf_record(duet_buf *b, const csv_field fields[], size_t n);

#endif
