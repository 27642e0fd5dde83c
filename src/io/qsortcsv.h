/*
** qsortcsv.h — Q-sorts from a CSV file of statements × sorts, as
** `duet stats qfactor` reads them.
**
** The file: a header line 'statement,SORT,SORT,...' (the first column's name
** is free; at least two sorts, each named once and not empty), then one row
** per statement: its id (not empty, each once), then its place in each sort
** as a whole number of the grid (e.g. -4 .. +4; spaces and tabs around it are
** ignored). Every cell must hold a place: empty, NA, na and . are refused, as
** are words, fractions and places more than 1000000 from 0. Whether the sorts
** fill the same grid is for the analysis (stats/qfactor.h) to check.
**
** Bounded: the file is at most QSORTCSV_MAX_BYTES, the header at most
** QSORTCSV_MAX_SORTS sorts, the body at most QSORTCSV_MAX_STATEMENTS rows and
** QSORTCSV_MAX_CELLS cells (statements × sorts). Every message names the
** file and, where there is one, the line and the column
** ("sorts.csv:4: column 'ana': '1.5' is not a whole number; ..."). Never
** prints.
*/
#ifndef DUET_IO_QSORTCSV_H
#define DUET_IO_QSORTCSV_H

#include <stddef.h>

#include "core/err.h"

#define QSORTCSV_MAX_BYTES      ((size_t)256 << 20)   /* 256 MiB */
#define QSORTCSV_MAX_CELLS      ((size_t)20000000)    /* statements × sorts */
#define QSORTCSV_MAX_SORTS      100000   /* the analysis's QF_MAX_SORTS */
#define QSORTCSV_MAX_STATEMENTS 2000     /* the analysis's QF_MAX_STATEMENTS */
#define QSORTCSV_CELL_MAX       64       /* bytes of a cell worth parsing (and quoting) */

/* The sorts of one file. Every pointer is owned and freed by qsortcsv_free. */
struct qsortcsv {
    size_t N, n;          /* statements, sorts */
    double *x;            /* [n][N] column-major: sort j at x + j*N, as qf_analyse takes */
    char **sort;          /* [n] the sorts' names, in the header's order */
    char **stmt;          /* [N] the statements' ids, in the file's order */
    size_t *line;         /* [N] the physical line where each statement's row starts */
};

/* Empties *q so that qsortcsv_free is safe on it. */
void qsortcsv_init(struct qsortcsv *q);
/* Frees what *q owns and empties it; accepts NULL and an empty struct. */
void qsortcsv_free(struct qsortcsv *q);

/* Reads the CSV file at path (the name of every message) into *q, which it
** initialises. Returns 0, or -1 with *e set and *q left empty: DUET_EIO for
** a file that cannot be read, DUET_EINPUT for a file over the cap, bad
** syntax, a row with the wrong number of cells or any refused cell, header
** or id, DUET_EINTERNAL when memory runs out. */
int qsortcsv_read(struct qsortcsv *q, const char *path, duet_err *e);

/* The same over the len bytes at data (borrowed only during the call);
** name (borrowed only during the call) starts every message. */
int qsortcsv_parse(struct qsortcsv *q, const void *data, size_t len, const char *name,
                   duet_err *e);

#endif
