/*
** codes.h — how often each code of the codebook was applied, on which side
** of the partnership, at which module, and which codes go together: the
** reading of a cohort's coded passages (docs/coding.md, "Code frequencies
** and co-occurrence").
**
** Definitions (the codings read are those of store_coding_each: codable
** documents only, so only texts whose authors' research consent is in
** force):
**   the counting unit is the DOCUMENT (a reflection, an observer's note or
**     an imported text), not the passage: a code "is in" a document when
**     any chosen coder applied it to any passage of it, and a document is
**     "coded" when it has at least one coding by a chosen coder; so a long
**     reflection or a keen coder does not weigh more;
**   by side: for each code, among the coded reflections written by
**     lived-experience members and among those written by system members,
**     the count with the code, the number coded and the proportion;
**     Fisher's exact test, two-sided (stats/fisher.h), on the 2x2 table
**     side x (with, without), and the Benjamini-Hochberg q value over the
**     codes tested (those found in at least one such reflection); the
**     classification is "lived_experience" or "system" when q < 0.05 (the
**     side where the code is more common), "shared" when found on both
**     sides and not side-specific, "one_side" when found on one side only
**     and not significant, "absent" when in no reflection of either side.
**     Observers' notes (side "staff") and imported texts are not in the
**     test; their counts are reported apart;
**   by module: for each code and each module with coded documents, the
**     count of coded documents at that module with the code, the number
**     coded there and the proportion (documents without a module, such as
**     imported texts, are left out);
**   co-occurrence: for codes i != j, the number of documents in which one
**     coder applied i and j to overlapping passages ([a,b) and [c,d)
**     overlap when a < d and c < b; the same passage counts); the diagonal
**     is the number of documents with the code.
** Only codes found at least once are listed, ordered by name (then GUID).
** Nothing here prints.
*/
#ifndef DUET_ANALYSIS_CODES_H
#define DUET_ANALYSIS_CODES_H

#include <jansson.h>

#include "core/err.h"

struct store;

/* A code is side-specific when its q value is below this. */
#define CODES_ALPHA 0.05

/* The code frequencies of cohort (NULL: every cohort, imported texts
** included) as coded by coder (a coder's name, the person key of an
** account; NULL: every coder). A new object (json_decref):
**   {cohort, coder (null when all),
**    n_documents_coded: {lived_experience, system, observations, imported,
**      all},
**    codes: [{code (GUID), name, n_documents}],
**    by_side: [{code, name,
**      lived_experience: {count, coded, proportion}, system: {...},
**      observations, imported, p, q, classification}],
**    by_module: [{code, name, module, count, coded, proportion}],
**    co_occurrence: {codes: [GUID], names: [name], matrix: [[n]]}}
** codes, by_side and the matrix's rows and columns share one order;
** by_module runs by code, then module. A proportion with nothing coded,
** and p and q of an untested code, are null. DUET_ENOTFOUND for an
** unknown cohort. */
json_t *codes_report(struct store *st, const char *cohort, const char *coder, duet_err *e);

#endif
