/*
** responses.h — the long-format responses CSV: import (all or nothing),
** export (the same format, so the two round-trip) and the data dictionary.
**
** Header: cohort,module,partnership,person,item,value — cohort name, module
** number, partnership code, person key (or, in an export without
** RESPONSES_NAMES, the person's pseudonym), item name and the answer as text.
*/
#ifndef DUET_APP_RESPONSES_H
#define DUET_APP_RESPONSES_H

#include <stdio.h>

#include "core/err.h"
#include "io/csv.h"

struct store;

#define RESPONSES_MAX_BYTES ((size_t)2 << 30)   /* 2 GiB */

struct responses_stats { size_t rows, checkins; };

/* Imports path. Every error names the file, line, column and reason, and
** nothing is written unless every row is valid. */
int responses_import(struct store *st, const char *path, struct responses_stats *out,
                     duet_err *e);

/* What an export holds beyond the default, which is safe to hand to people:
** each person named by pseudonym ("P03-L1", store_pseudonym_map) and cells
** a spreadsheet would run as formulas neutralised (io/csv.h, CSV_SAFE). */
enum responses_flags {
    RESPONSES_NAMES = 1,   /* person keys, as the import needs them */
    RESPONSES_EXACT = 2,   /* every cell byte for byte (CSV_EXACT) */
};

/* Writes every response (purpose non-NULL: only people whose consent for it
** is in force) to f as CSV; flags: RESPONSES_NAMES | RESPONSES_EXACT, both
** for a file to import again. */
int responses_export(struct store *st, FILE *f, const char *purpose, unsigned flags,
                     size_t *rows, duet_err *e);

/* The data dictionary as CSV: item,instrument,instrument_version,construct,
** type,min,max,reverse_keyed,label; cells written as how says. */
int responses_dictionary_csv(struct store *st, FILE *f, enum csv_cells how, duet_err *e);

#endif
