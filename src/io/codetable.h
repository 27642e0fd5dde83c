/*
** codetable.h — coders' values for units from a CSV file of units × coders,
** as `duet stats alpha` and `duet stats kappa` read them.
**
** The file: a header line 'unit,CODER,CODER,...' (the first column's name is
** free; at least two coders, each named once and not empty), then one row
** per unit: its id (not empty, each once; spaces and tabs around it are
** ignored), then each coder's value. An empty (or blank) cell is missing. A
** value is kept twice: as a number when it is a finite decimal ("3", "-0.5",
** "1e3"; spaces and tabs around it ignored), and as a label, the same text
** coded 0, 1, 2, ... in order of first appearance. A cell that is not a
** number is not refused while reading: the table remembers the first one,
** and codetable_numbers() turns it into the message when the statistic
** needs numbers; codetable_values() gives the labels instead when it does
** not.
**
** Bounded: the file is at most CODETABLE_MAX_BYTES, the header at most
** CODETABLE_MAX_CODERS coders, the body at most CODETABLE_MAX_CELLS cells
** (units × coders). Every message names the file and, where there is one,
** the line and the column ("codes.csv:5: unit 'u1' appears twice ...").
** Never prints.
*/
#ifndef DUET_IO_CODETABLE_H
#define DUET_IO_CODETABLE_H

#include <stddef.h>

#include "core/err.h"

#define CODETABLE_MAX_BYTES  ((size_t)256 << 20)   /* 256 MiB */
#define CODETABLE_MAX_CELLS  ((size_t)50000000)    /* units × coders */
#define CODETABLE_MAX_CODERS 10000
#define CODETABLE_CELL_MAX   64   /* bytes of a number worth parsing (and quoting) */

/* The values of one file. Every pointer is owned and freed by codetable_free. */
struct codetable {
    char *name;             /* the file name, for messages */
    size_t nu, nc;          /* units, coders */
    double *num;            /* [nu][nc] row-major: numbers; NaN where missing or not a number */
    double *lab;            /* [nu][nc] row-major: label codes 0, 1, ... by first appearance;
                               NaN where missing */
    char **coder;           /* [nc] the coders' names, in the header's order */
    size_t nlabels;         /* distinct labels (the distinct non-empty cells) */
    size_t text_line;       /* the first cell that is not a number: its line (0: none), */
    size_t text_col;        /* its column (1 = the first coder), */
    char text[CODETABLE_CELL_MAX + 8];   /* and its text, cut at 64 bytes with "..." */
};

/* Empties *t so that codetable_free is safe on it. */
void codetable_init(struct codetable *t);
/* Frees what *t owns and empties it; accepts NULL and an empty struct. */
void codetable_free(struct codetable *t);

/* Reads the CSV file at path (the name of every message) into *t, which it
** initialises. Returns 0, or -1 with *e set and *t left empty: DUET_EIO for
** a file that cannot be read, DUET_EINPUT for a file over the cap, bad
** syntax, a row with the wrong number of cells, a refused header or unit
** id, or no units, DUET_EINTERNAL when memory runs out. */
int codetable_read(struct codetable *t, const char *path, duet_err *e);

/* The same over the len bytes at data (borrowed only during the call);
** name (copied) starts every message. */
int codetable_parse(struct codetable *t, const void *data, size_t len, const char *name,
                    duet_err *e);

/* The numbers (t->num, borrowed from *t) when every cell is a number or
** missing; otherwise NULL with DUET_EINPUT and "FILE:LINE: column 'CODER':
** 'TEXT' is not a number; WHY", where why (e.g. "--level interval needs
** numbers") says what needs them. */
const double *codetable_numbers(const struct codetable *t, const char *why, duet_err *e);

/* For a statistic that takes labels: the numbers when every cell is a number
** or missing, otherwise the label codes (t->lab); borrowed from *t. */
const double *codetable_values(const struct codetable *t);

#endif
