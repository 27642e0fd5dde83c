/*
** table.h — a table of numbers (and, where asked, raw text) from a CSV file
** with a header, addressed by column name.
**
** The strict CSV reader (csv.h) checks the syntax; this module turns cells
** into values. A numeric cell is a finite decimal number ("3", "-0.5",
** "1e3"; spaces and tabs around it are ignored). Empty, "NA", "na" and "."
** mean missing (NaN). Any other cell — a word, "inf", "nan", a hex number,
** a decimal comma — is not refused while reading: the column remembers how
** many such cells it has and the first one (line and text), and
** table_numeric() turns that into the message for the person, so that a
** column nobody uses can hold anything. Categorical data are never coded
** here: columns named as text keep their cells as strings for the caller
** (e.g. grouping factors), with the same four spellings of missing.
**
** Bounded: the file is at most TABLE_MAX_BYTES, the header at most
** TABLE_MAX_COLS columns, every field at most CSV_MAX_FIELD_DEFAULT bytes.
** Memory is 8 bytes per loaded numeric cell plus the text of loaded text
** cells, so ask only for the columns you use (table_opts.columns).
** Every message names the file and, where there is one, the line and the
** column ("scores.csv:17: column 'trust': ..."). Never prints.
*/
#ifndef DUET_IO_TABLE_H
#define DUET_IO_TABLE_H

#include <stddef.h>

#include "core/err.h"

#define TABLE_MAX_BYTES ((size_t)1 << 30)   /* 1 GiB */
#define TABLE_MAX_COLS  ((size_t)1024)
#define TABLE_BAD_MAX   64                  /* bytes of a bad cell kept for messages */

/* One loaded column. Treat as read-only; use the accessors below. */
struct table_col {
    char *name;              /* owned */
    int text;                /* 1: cells kept as strings; 0: numbers */
    double *num;             /* numbers: [nrows], NaN where missing or not a number */
    size_t *off;             /* text: [nrows] offsets into table.text, SIZE_MAX if missing */
    size_t nmissing;         /* cells that were empty, NA, na or . */
    size_t nbad;             /* numbers: cells that are not numbers (stored as NaN) */
    size_t bad_line;         /* the first such cell's line (0 when nbad == 0) */
    char bad_cell[TABLE_BAD_MAX + 4];   /* its text, cut at a character with "…" */
    const char *bad_why;     /* static: why the first bad cell is not a number */
};

struct table {
    char *name;              /* owned: the file name, for messages */
    size_t nrows, ncols;     /* data rows (header excluded) and loaded columns */
    struct table_col *cols;  /* owned: [ncols], in the file's order */
    size_t *line;            /* owned: [nrows] physical line where each row starts */
    char *text;              /* owned: NUL-terminated strings of the text columns */
    size_t textlen, textcap;
};

/* Which columns to load. A zeroed struct (or NULL) loads every column as numbers. */
struct table_opts {
    const char *const *columns;   /* load only these (and the text ones); NULL: all */
    size_t ncolumns;
    const char *const *text;      /* load these as strings, not numbers */
    size_t ntext;
    size_t max_bytes;             /* 0: TABLE_MAX_BYTES; table_read only */
};

/* Empties *t so that table_free is safe on it. */
void table_init(struct table *t);
void table_free(struct table *t);

/* Reads the CSV file at path into *t (which table_read initialises; free it
** with table_free, also after a failure). A name in opts that is not in the
** header fails with DUET_ENOTFOUND and a message listing the columns; a
** name the header holds twice, an empty header name among the loaded
** columns, bad syntax, a ragged row or a file over the cap fail with
** DUET_EINPUT; an unreadable file with DUET_EIO; memory with DUET_EINTERNAL. */
int table_read(struct table *t, const char *path, const struct table_opts *opts, duet_err *e);

/* The same over len bytes at data (borrowed only during the call); name
** starts every message. */
int table_parse(struct table *t, const void *data, size_t len, const char *name,
                const struct table_opts *opts, duet_err *e);

/* The loaded column called name: 0 with *col set, or -1 (DUET_ENOTFOUND,
** "FILE: no column 'x' (the columns are: a, b, c)"). */
int table_col(const struct table *t, const char *name, size_t *col, duet_err *e);

/* 0 when column col holds only numbers and missing cells; otherwise -1 with
** DUET_EINPUT and "FILE:LINE: column 'side' is not numeric ('patient'); code
** it as numbers (e.g. 0/1) or leave it out". A text column also fails. */
int table_numeric(const struct table *t, size_t col, duet_err *e);

/* Cell accessors; row < nrows, col < ncols. table_num is NaN for a missing
** (or bad) cell and for a text column; table_str is NULL for a missing cell
** and for a numeric column; the string lives as long as *t. */
double table_num(const struct table *t, size_t col, size_t row);
const char *table_str(const struct table *t, size_t col, size_t row);
/* The physical line of the file where data row `row` starts. */
size_t table_line(const struct table *t, size_t row);

#endif
