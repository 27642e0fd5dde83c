/*
** relcsv.h — the relationships analysis as CSV: one row per partnership and
** module (docs/analysis.md, section 4), written to a memory buffer so the
** CLI and the web can serve the same bytes.
*/
#ifndef DUET_ANALYSIS_RELCSV_H
#define DUET_ANALYSIS_RELCSV_H

#include <jansson.h>

#include "analysis/relationships.h"
#include "core/buf.h"
#include "io/csv.h"

/* Appends the header and one row per element of report's partnerships[].
** modules[] (report from rel_report(d)) to out. Numbers are written with 17
** significant digits; a missing value is an empty cell. The text cells
** (cohort names, partnership codes, construct names) are written as how
** says: CSV_SAFE for people, CSV_EXACT for programs. Returns 0, or -1
** when out's cap or memory runs out (out is then freed). */
int rel_csv(const struct rel_data *d, const json_t *report, enum csv_cells how, duet_buf *out);

#endif
