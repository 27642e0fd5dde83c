/*
** norms.h — what Q-sorts of norm statements say about each partnership
** and the cohort: positions on the identity model's norm dimensions,
** distances between partners, the regime the model's rules give (spec §5),
** who moved toward whom, and the shared and side-specific viewpoints that a
** Q factor analysis finds (stats/qfactor.h). docs/norms.md says how to read
** every number.
**
** Definitions (all on the grid's own scale, from the sorts of people whose
** consent for the purpose is in force):
**   position of a sort on dimension k = mean over k's statements of
**     polarity x grid value, divided by qset_dimension_max(q, k): +1 when
**     the sort puts all of k's +1 statements at the top and its -1
**     statements at the bottom (the lived-experience prescription), -1 the
**     reverse (the system prescription), 0 when it leans neither way;
**   x of a sort = the mean of its positions over the dimensions;
**   a side's position at a module = the mean of its members' positions (a
**     pair has one member per side; in a triad the system side is the mean
**     of its two members);
**   distance = RMS over the dimensions of lived-experience minus system
**     side positions; D0 at the first module where both sides sorted, DM at
**     the last; x_lived, x_system at the last, x-bar their mean;
**   regime, by the model's rules: polarised if DM > 1.1 D0; else, if
**     DM < 0.6 D0: partnership when |x-bar| <= 1/3, patient_native when
**     x-bar < -1/3, system_native when x-bar > 1/3; else stalled;
**   movement of a member = the part of their shift from the first to the
**     last module that points toward the other side's first position, as a
**     share of the starting gap (RMS units): 1 = went all the way, 0 = did
**     not move toward it, < 0 = moved away.
** Nothing here prints; reports are JSON (snake_case keys, full precision).
*/
#ifndef DUET_ANALYSIS_NORMS_H
#define DUET_ANALYSIS_NORMS_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "io/qset.h"
#include "model/sim.h"

struct store;

#define NORMS_MAX_MEMBERS 3
#define NORMS_DEFAULT_FACTORS 3
#define NORMS_MAX_FACTORS 8      /* QF_MAX_FACTORS */
/* A member counts as having moved toward (or away from) the other side when
** the share of the starting gap they covered is at least this. */
#define NORMS_MOVED 0.2

/* ---- pure functions: one sort, one pair ---------------------------- */

/* The positions of a sort of q: values[i] is statement i's grid value (Q-set
** order); pos receives q->ndims positions in -1 .. +1. */
void norms_positions(const struct qset *q, const int *values, double *pos);
/* The mean of pos[0..k): x. */
double norms_mean(const double *pos, size_t k);
/* RMS over k dimensions of a - b. */
double norms_distance(const double *a, const double *b, size_t k);
/* The model's regime for D0, DM and x-bar (spec §5, same thresholds). */
enum sim_regime norms_regime(double d0, double dm, double xbar);
/* The share of the gap from `from` to `toward` (both start positions) that a
** member starting at `from` and ending at `to` covered toward `toward`; NaN
** when the two starts are equal. */
double norms_moved_toward(const double *from, const double *to, const double *toward,
                          size_t k);

/* ---- a cohort's sorts ------------------------------------------------ */

struct norms_options {
    const char *cohort;          /* NULL: every cohort */
    const char *qset;            /* NULL: the only Q-set the sorts use (refused if several) */
    const char *purpose;         /* normally "research"; NULL: everyone not erased */
    int module;                  /* viewpoints at this module; 0: the last with sorts */
    int factors;                 /* viewpoint factors; 0: NORMS_DEFAULT_FACTORS, fewer
                                    when there are too few sorts */
};

struct norms_sort {
    char *person, *role;
    int lived;                   /* 1: lived-experience side, 0: system side */
    int module;
    int *values;                 /* [q.nstatements] grid values, Q-set order */
    double *pos;                 /* [q.ndims] positions */
    double x;                    /* their mean */
};

struct norms_partnership {
    char *code, *cohort, *kind;
    size_t first, n;             /* its sorts: d->sorts[first .. first + n), by module,
                                    side (lived experience first) and person */
};

struct norms_data {
    struct qset q;               /* the Q-set of the sorts */
    size_t nsorts;
    struct norms_sort *sorts;
    size_t nparts;
    struct norms_partnership *parts;   /* by cohort and code */
};

/* Loads the sorts o selects (o->module and o->factors are not used here).
** d->nsorts is 0 when there are none; refuses sorts of several Q-sets
** unless o->qset names one. Release with norms_free. */
int norms_load(struct store *st, const struct norms_options *o, struct norms_data *d,
               duet_err *e);
void norms_free(struct norms_data *d);

/* One partnership (NULL with DUET_ENOTFOUND when it has no sorts):
** {partnership, cohort, kind, members: [{person, side, role}],
**  modules: [{module, sorts: [{person, side, positions: {dim: p}, x}],
**             sides: {lived_experience: {dim: p}, system: {dim: p}}, distance}],
**  first_module, last_module, d0, dm, dm_over_d0,
**  x: {lived_experience, system}, xbar, regime,
**  movement: {members: [{person, side, toward_other_side}], lived_experience,
**             system, who_moved}}
** Numbers that cannot be computed (one side never sorted, a single module)
** are null; regime is null without two modules sorted by both sides;
** who_moved is "both", "lived_experience", "system", "apart" or "neither". */
json_t *norms_partnership_report(const struct norms_data *d, const char *code, duet_err *e);

/* The viewpoints at module (0: the last module with sorts): a Q factor
** analysis of every sort at that module (principal components, varimax),
** with factors (0: NORMS_DEFAULT_FACTORS) reduced to one fewer than the
** sorts, or than the statements, when there are too few. {module, sorts, factors_requested,
** factors: [{factor, eigenvalue, explained, flagged, flagged_lived_experience,
** flagged_system, side, reliability, se}], loadings: [{person, partnership,
** side, loadings: [..], flagged: factor or null}], statements: [{id, text,
** dimension, polarity, z: [..], array: [..], consensus}], shared_norms: [ids],
** side_specific: {lived_experience_factor, system_factor, statements:
** [{id, text, dimension, polarity, lived_experience, system, difference,
** distinguishing}]}} (factors counted from 1; side_specific is null unless
** one factor is held mostly by each side). Fails with DUET_EINPUT when
** fewer than 3 sorts were made at the module. */
json_t *norms_viewpoints(const struct norms_data *d, int module, int factors, duet_err *e);

/* The whole report: {qset: {name, version, title}, cohort, dimensions:
** [{name, label, lived_experience_pole, system_pole}], sorts, partnerships:
** [as norms_partnership_report], regimes: {name: count} over the
** partnerships with a regime, viewpoints (as norms_viewpoints, or null when
** there are too few sorts, with viewpoints_note saying why)}. DUET_ENOTFOUND
** when d holds no sorts. */
json_t *norms_report(const struct norms_data *d, const struct norms_options *o, duet_err *e);

#endif
