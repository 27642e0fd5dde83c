/*
** qset.h — Q-sets as data ("duet-qset/1" JSON): the norm statements a
** person sorts in a Q-sort, the norm dimensions they belong to, and the
** forced grid they are sorted into.
**
** A Q-set maps every statement to one of the identity model's norm
** dimensions (docs/model.md) and a polarity: +1 when agreeing with it leans
** toward the lived-experience prescription, -1 toward the system one. That
** mapping is what turns a sort into a position on each dimension
** (analysis/norms.h). docs/norms.md is the format's reference. The parser
** checks everything against a declared allow-list, as instrument.h does,
** and refuses with the path to the offending element
** ("qset.json: statements[3].polarity: 2 is not +1 or -1"). It never
** prints, never exits and never keeps a pointer into its input.
*/
#ifndef DUET_IO_QSET_H
#define DUET_IO_QSET_H

#include <stddef.h>

#include "core/err.h"

#define QSET_FORMAT           "duet-qset/1"
#define QSET_DEFAULT_NAME     "norms-default"   /* the name of the Q-set duet ships */
#define QSET_MAX_BYTES        ((size_t)1024 * 1024) /* whole JSON text */
#define QSET_NAME_MAX         48     /* [a-z][a-z0-9_-]{0,47} (dimensions: no '-') */
#define QSET_ID_MAX           32     /* statement ids: [A-Za-z0-9][A-Za-z0-9_.-]{0,31} */
#define QSET_MAX_VERSION      1000000
#define QSET_MAX_DIMENSIONS   16
#define QSET_MAX_STATEMENTS   200
#define QSET_MIN_STATEMENTS   4
#define QSET_MAX_COLUMNS      25
#define QSET_VALUE_LIMIT      12     /* grid values lie in -12..+12 */
#define QSET_STATEMENT_MAX    500    /* characters in a statement's text */

/* All strings are owned by the Q-set, NUL-terminated, valid UTF-8. */
struct qset_dimension {
    char *name;          /* e.g. "voice" */
    char *label;         /* e.g. "Speaking up" */
    char *lived_pole;    /* what the lived-experience prescription holds */
    char *system_pole;   /* what the system prescription holds */
    size_t nstatements;  /* statements on this dimension */
    size_t nplus;        /* of which polarity +1 */
};

struct qset_statement {
    char *id;            /* unique in the Q-set, e.g. "s07" */
    char *text;          /* as shown to the person sorting */
    size_t dimension;    /* index into dims */
    int polarity;        /* +1: toward the lived-experience pole; -1: system */
};

struct qset {
    char *name;
    char *title;
    char *description;   /* NULL when absent */
    char *instructions;  /* the condition of instruction; NULL when absent */
    int version;
    size_t ndims, ncols, nstatements;
    struct qset_dimension *dims;
    int *value;          /* [ncols] grid values, ascending and consecutive (-4 .. +4) */
    int *count;          /* [ncols] statements each column holds; they sum to nstatements */
    struct qset_statement *statements;   /* in the order of the file (the deck) */
};

/* The default Q-set, data/qsets/norms-default.json, compiled in from
** src/io/qset_default.c (NUL-terminated). */
extern const char qset_default_json[];

/* Parses and validates the len bytes at json (need not be NUL-terminated).
** source (borrowed; e.g. the file name, or NULL for "qset") starts every
** message. All or nothing: on success fills *out (release with qset_free)
** and returns 0; on failure returns -1 with *e set (DUET_EINPUT, or
** DUET_EINTERNAL when memory runs out) and *out untouched. */
int qset_parse(const char *json, size_t len, const char *source, struct qset *out,
               duet_err *e);

/* Parses qset_default_json. Fails only when memory runs out. */
int qset_load_default(struct qset *out, duet_err *e);

/* Frees everything *q owns and zeroes it; safe on a zeroed struct and NULL. */
void qset_free(struct qset *q);

/* Canonical JSON text (malloc'd, caller frees; NULL when memory runs out):
** fixed key order, two-space indent, final newline. qset_parse of the
** result gives an equal Q-set. */
char *qset_to_json(const struct qset *q);

/* The index of the statement with id s[0..n) (n bytes), or -1. */
long qset_statement_index(const struct qset *q, const char *s, size_t n);

/* The index of the dimension called name, or -1. */
long qset_dimension_index(const struct qset *q, const char *name);

/* The grid column that holds value, or -1 when value is not on the grid. */
long qset_column(const struct qset *q, int value);

/* The largest value that the mean of polarity x grid value over dimension
** k's statements can take on this grid: its +1 statements in the highest
** places and its -1 statements in the lowest. Dividing by it scales a
** position so that +1 is that sort (analysis/norms.h). Always > 0 for a
** parsed Q-set. */
double qset_dimension_max(const struct qset *q, size_t k);

#endif
