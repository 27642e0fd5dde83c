/*
** determinants.h — the actor–partner interdependence model (APIM) for
** distinguishable dyads (Kenny, Kashy & Cook 2006), over scored check-ins.
**
** Each member's outcome at each module is regressed on their own predictors
** (actor effects) and their partner's (partner effects), separately for the
** lived-experience and the system side, with the side and the module as
** covariates and random intercepts for partnership and person (a linear mixed
** model, REML). Predictors are grand-mean centred. In a triad the "partner"
** of a member is the mean of the other members. k = partner / actor effect
** per side, with a bootstrap interval over partnerships.
*/
#ifndef DUET_ANALYSIS_DETERMINANTS_H
#define DUET_ANALYSIS_DETERMINANTS_H

#include <jansson.h>
#include <stdint.h>

#include "analysis/relationships.h"
#include "core/err.h"

#define DET_MAX_PREDICTORS 8
#define DET_MIN_PARTNERSHIPS 8

struct det_options {
    const char *outcome;                 /* a construct, or "quality" (default) */
    size_t npredictors;
    const char *predictors[DET_MAX_PREDICTORS];   /* default strain, resistance */
    int bootstrap;                       /* resamples for k (default 200; 0: none) */
    uint64_t seed;                       /* for the bootstrap (default 1) */
};

/* Fits the model; refuses with a clear message when there are fewer than
** DET_MIN_PARTNERSHIPS partnerships with both sides scored, or an unknown
** construct. Returns a new JSON document (see docs/analysis.md). */
json_t *det_fit(const struct rel_data *d, const struct det_options *o, duet_err *e);

#endif
