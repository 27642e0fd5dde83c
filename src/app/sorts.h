/*
** sorts.h — Q-sorts as a use case: checking a sort against its Q-set,
** adding one (the CLI's `duet sort add`, the web's sorting page), and the
** statements x persons CSV that Q-method tools exchange (import all or
** nothing, export in the same layout so the two round-trip).
**
** A sort places every statement of a Q-set in one column of its forced grid
** (io/qset.h); the store keeps it (store/store.h, "Q-sets and Q-sorts").
** Every refusal names what is wrong precisely ("column +4 holds 3
** statements; the grid allows 2"), and nothing is written unless all is
** valid. Nothing here prints or exits.
*/
#ifndef DUET_APP_SORTS_H
#define DUET_APP_SORTS_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

struct store;
struct qset;

#define SORTS_MAX_BYTES ((size_t)64 << 20)   /* an import file */

/* One placement: a statement (by id; borrowed, need not be NUL-terminated)
** and the grid value it was placed at. */
struct sorts_entry {
    const char *statement;
    size_t statement_len;
    int value;
};

/* Checks that entries[0..n) form a complete sort of q, in this order:
**   an unknown id       "'x9' is not a statement of Q-set 'norms-default'"
**   a repeated one      "statement 's03' is placed twice"
**   a value off grid    "statement 's03': 5 is not a column of the grid (-4 .. +4)"
**   omitted ones        "statement 's07' is not placed (a sort places all 36
**                        statements)", or "3 statements are not placed: 's07',
**                        's12', 's30'" (the first five named)
**   a column's count    "column +4 holds 3 statements; the grid allows 2"
**                       (the first over-full column from the lowest value).
** On success writes the value of statement i (Q-set order) to values[i]
** (q->nstatements of them) and returns 0; otherwise -1 with *e set
** (DUET_EINPUT) and values unspecified. */
int sorts_validate(const struct qset *q, const struct sorts_entry *entries, size_t n,
                   int *values, duet_err *e);

/* Parses a grid value as typed: optional spaces or tabs around an optional
** sign and 1-3 digits ("+4", "-2", " 0 "). DUET_EINPUT with "'x' is not a
** whole number" otherwise; the grid itself is checked by sorts_validate. */
int sorts_parse_value(const char *s, size_t n, int *value, duet_err *e);

/* One sort to add. Strings are borrowed. */
struct sorts_sort {
    const char *person;          /* person key */
    const char *partnership;     /* partnership code */
    int module;                  /* module number in the partnership's cohort */
    const char *qset;            /* Q-set name; NULL: QSET_DEFAULT_NAME */
    int qset_version;            /* 0: the latest stored version */
    const char *source;          /* how it arrived: "cli", "web", ...; NULL: "" */
    size_t n;
    const struct sorts_entry *entries;
};

/* Resolves the person, partnership (the person must be a member), module
** and Q-set, validates the sort (sorts_validate) and stores it, audited.
** Refuses a second sort for the same person, partnership, module and Q-set
** (DUET_ECONFLICT). Runs in the caller's transaction when there is one. */
int sorts_add(struct store *st, const struct sorts_sort *s, duet_err *e);

/* As sorts_add, with the entries read from a CSV file of two columns and
** the header "statement,value" (s->entries and s->n are ignored). Errors in
** the file name its line and column ("sort.csv:4: column 'value': 'x' is
** not a whole number"); grid errors name the file ("sort.csv: column +4
** holds 3 statements; the grid allows 2"). */
int sorts_add_file(struct store *st, const struct sorts_sort *s, const char *path,
                   duet_err *e);

/* Importing the statements x persons layout: the header is "statement"
** and then one column per sort, named by the person's key ("amira.01a") or
** by key and module ("amira.01a@3"); each row is one statement's id and its
** value in every sort. */
struct sorts_import_options {
    const char *cohort;          /* find each person's partnership in this cohort;
                                    NULL: among all their partnerships */
    int module;                  /* the module of columns named by key alone; 0: none
                                    (every column must then say key@module) */
    const char *qset;            /* NULL: QSET_DEFAULT_NAME */
    int qset_version;            /* 0: the latest */
    const char *source;          /* recorded with each sort; NULL: "import" */
};
struct sorts_import_stats { size_t sorts, statements; };

/* Imports path: each column's person must belong to exactly one partnership
** (in the cohort, when given), every statement of the Q-set must have one
** row, and every column must be a valid sort that is not stored yet. All or
** nothing; each error names the file, the line and the column ("sorts.csv:5:
** column 'amira.01a': 7 is not a column of the grid (-4 .. +4)"; a column's
** own problems are reported at line 1, where it is named). */
int sorts_import(struct store *st, const char *path, const struct sorts_import_options *o,
                 struct sorts_import_stats *out, duet_err *e);

struct sorts_export_options {
    const char *cohort;          /* NULL: the only cohort with sorts (refused if several) */
    int module;                  /* 0: every module, columns named key@module */
    const char *qset;            /* NULL: the only Q-set used (refused if several) */
    const char *purpose;         /* normally "research"; NULL: everyone not erased */
    int names;                   /* 1: columns by person key; 0: by pseudonym (P03-L1) */
    int exact;                   /* 1: cells byte for byte (io/csv.h CSV_EXACT) */
};

/* Writes the sorts in the import layout to f: one row per statement in the
** Q-set's order, one column per sort (named by key, or by pseudonym unless
** o->names, when o->module is given; key@module or pseudonym@module
** otherwise), in the order partnership, module, side, person. The import
** needs o->names.
** *nsorts (may be NULL) receives the number of sorts. Writes nothing and
** fails with DUET_ENOTFOUND when there is no sort to export. */
int sorts_export(struct store *st, FILE *f, const struct sorts_export_options *o,
                 size_t *nsorts, duet_err *e);

#endif
