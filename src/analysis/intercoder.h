/*
** intercoder.h — agreement between the coders of codable documents: per
** code, Krippendorff's alpha (nominal) and percent agreement over document
** segments, for any set of coders (docs/coding.md, "Agreement between coders
** in duet").
**
** Units. Every start and end of a passage that a chosen coder selected in a
** document cuts the document into segments; the segments that at least one
** chosen coder selected are the units (uncoded stretches between passages
** say nothing and are left out). For a code, a coder's value at a unit is 1
** when one of their passages covering it carries the code and 0 when not;
** a coder who coded nothing in that document has no value there (missing),
** so coders who split the documents still compare where they overlap.
** Percent agreement is the share of units with two or more values on which
** all values are the same. "All codes" pools the units of every code.
*/
#ifndef DUET_ANALYSIS_INTERCODER_H
#define DUET_ANALYSIS_INTERCODER_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

struct store;

#define INTERCODER_MAX_CODERS 200

struct intercoder_opts {
    const char *cohort;            /* NULL: every codable document */
    const char *const *coders;     /* coder names (person keys); NULL: everyone who coded */
    size_t ncoders;                /* 0 with coders NULL */
};

/* {cohort, coders: [..], documents, documents_shared, units, codes: [{code,
** name, alpha, alpha_note, percent_agreement, units_pairable, units_applied}],
** all_codes: {alpha, alpha_note, percent_agreement, units_pairable}}.
** alpha and percent_agreement are null (with alpha_note saying why) where
** they are undefined. Refuses a named coder with no codings, a coder named
** twice and fewer than two coders. NULL with *e set on failure. */
json_t *intercoder_report(struct store *st, const struct intercoder_opts *o, duet_err *e);

#endif
