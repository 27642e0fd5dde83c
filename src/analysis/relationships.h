/*
** relationships.h — what check-ins say about each partnership.
**
** From the answers of people whose research consent is in force, it scores
** every construct per person, partnership and module (reverse-keyed items
** flipped; a score only when at least two-thirds of the construct's items
** were answered), and then per partnership and module: each side's score,
** the perception gap (lived-experience side minus system side), the rung of
** the participation ladder each member reported, the tokenism signal,
** resistance met, the balance of power and of compromise, and the
** trajectory over modules. docs/analysis.md says how to read each number.
**
** Constructs with a meaning here (by name, as in the default instrument):
** voice, trust, purpose, safety (their mean is "quality"), power (bipolar:
** low = the system side decided), resistance, strain, participation (the
** ladder). Other constructs are scored and reported but not interpreted.
*/
#ifndef DUET_ANALYSIS_RELATIONSHIPS_H
#define DUET_ANALYSIS_RELATIONSHIPS_H

#include <jansson.h>

#include "core/err.h"

struct store;

#define REL_MAX_CONSTRUCTS 32
#define REL_MAX_MODULES 64
#define REL_MAX_MEMBERS 3

/* One member's scores at one module (NaN: not scored). */
struct rel_cell {
    double score[REL_MAX_CONSTRUCTS];
    double quality;              /* mean of voice, trust, purpose, safety */
};

struct rel_partnership {
    char *code, *cohort, *kind;
    size_t nmembers;
    char *person[REL_MAX_MEMBERS];
    int lived[REL_MAX_MEMBERS];  /* 1: lived-experience side, 0: system side */
    size_t nmodules;
    int module[REL_MAX_MODULES]; /* module numbers with answers, ascending */
    struct rel_cell cell[REL_MAX_MODULES][REL_MAX_MEMBERS];
};

#define REL_MAX_ITEMS 16   /* items per construct for reliability */

/* Item answers (scored) of one construct at one module, one row per
** person-partnership check-in, for Cronbach's alpha. */
struct rel_alpha {
    int module;
    int construct;
    size_t k;
    char *item[REL_MAX_ITEMS];
    size_t nrows, cap;
    double *rows;              /* [nrows][k], NaN = not answered */
};

struct rel_data {
    size_t nconstructs;
    char *construct[REL_MAX_CONSTRUCTS];
    int cmin[REL_MAX_CONSTRUCTS], cmax[REL_MAX_CONSTRUCTS];
    size_t nparts;
    struct rel_partnership *parts;
    size_t nalpha;
    struct rel_alpha *alpha;
};

/* Loads and scores the answers of cohort (NULL: all) for `purpose`
** (normally "research"). */
int rel_load(struct store *st, const char *cohort, const char *purpose, struct rel_data *d,
             duet_err *e);
/* The same for the one partnership with code (d->nparts is 0 when it has
** no answers to score): reads only its own answers, for the web pages. */
int rel_load_partnership(struct store *st, const char *code, const char *purpose,
                         struct rel_data *d, duet_err *e);
void rel_free(struct rel_data *d);

/* Index of a construct by name, or -1. */
int rel_construct(const struct rel_data *d, const char *name);

/* Mean of side (lived = 1 or 0) members' values of construct c (or of
** quality when c < 0) at module index t; NaN when nobody on that side has one. */
double rel_side(const struct rel_partnership *p, size_t t, int lived, int c);

/* The whole analysis as JSON: per partnership its modules (side scores, gaps,
** rungs, tokenism signal, resistance, balance), trajectory and flags; and
** the cohort view (distributions, ranking by concern, nonindependence). */
json_t *rel_report(const struct rel_data *d, duet_err *e);

/* One partnership's part of the report (NULL with DUET_ENOTFOUND). */
json_t *rel_partnership_report(const struct rel_data *d, const char *code, duet_err *e);

#endif
