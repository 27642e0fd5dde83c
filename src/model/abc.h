/*
** abc.h — calibrating the pair identity model by approximate Bayesian
** computation (ABC-SMC: Toni et al. 2009; Beaumont et al. 2009).
**
** Chosen parameters get uniform priors; every other parameter stays at its
** given value. Generation 0 draws particles from the prior and keeps the
** closest; each later generation lowers the tolerance to a quantile of the
** previous distances and moves particles with a Gaussian kernel of twice
** the weighted posterior variance, weighting them by prior / mixture
** density. Why ABC-SMC rather than rejection: the same precision costs far
** fewer simulations once the posterior is much narrower than the prior.
**
** Summaries compared (those present in the target): regime shares, mean
** final quality per side, resistance rate per side, mean balance. Each is
** scaled by its spread (median absolute deviation) over generation 0, and
** the distance is Euclidean. Every random draw comes from Philox with the
** calibration seed, keyed by (generation, particle, attempt), so results do
** not depend on the number of threads.
*/
#ifndef DUET_MODEL_ABC_H
#define DUET_MODEL_ABC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/params.h"
#include "model/sim.h"

#define ABC_NSTATS 10
#define ABC_MAX_PARAMS 16

/* The observed summaries. have[k] = 0 for a statistic not observed. */
struct abc_target {
    double s[ABC_NSTATS];
    int have[ABC_NSTATS];
};

/* Names of the statistics, in order: partnership, patient_native,
** system_native, polarised, stalled, final_quality_patient,
** final_quality_system, resistance_patient, resistance_system, mean_balance. */
const char *abc_stat_name(size_t k);

/* Reads a target in the shape of `duet simulate --summary` (regimes,
** mean_final_quality, resistance_rate, mean_balance; modules and dims, when
** present, set those of base; pairs, seed and parameters are ignored). */
int abc_target_parse(const char *json, size_t len, const char *source, struct abc_target *t,
                     sim_params *base, duet_err *e);

/* The statistics of a simulated summary. */
void abc_stats(const sim_summary *s, double out[ABC_NSTATS]);

struct abc_prior {
    int param;                /* index in the parameter table */
    double lo, hi;            /* uniform on [lo, hi] */
};

/* The default prior range of a model parameter (documented in docs/model.md). */
int abc_default_prior(int param, double *lo, double *hi);

/* Reads {"name": [lo, hi], ...} for the chosen parameters (others refused). */
int abc_priors_parse(const char *json, size_t len, const char *source, struct abc_prior *priors,
                     size_t n, duet_err *e);

struct abc_options {
    sim_params base;          /* fixed parameters, modules, dims; pairs per simulation */
    size_t nparams;
    struct abc_prior priors[ABC_MAX_PARAMS];
    int particles;            /* N, default 200 */
    int generations;          /* after generation 0, default 5 */
    double quantile;          /* tolerance quantile, default 0.5 */
    int max_attempts;         /* per particle and generation, default 2000 */
    uint64_t seed;
    int threads;
};

struct abc_generation {
    double epsilon;           /* tolerance */
    uint64_t simulations;     /* simulations run */
    uint64_t accepted;        /* particles kept */
    double ess;               /* effective sample size of the weights */
};

struct abc_result {
    size_t nparams, nparticles;
    double *theta;            /* [particle][param] */
    double *weight;           /* normalised */
    double *distance;
    int ngenerations;         /* completed, including generation 0 */
    int stopped;              /* > 0: generation that ran out of attempts */
    struct abc_generation gen[64];
    double scale[ABC_NSTATS];
};

void abc_options_default(struct abc_options *o);
int abc_run(const struct abc_options *o, const struct abc_target *t, struct abc_result *r,
            sim_progress_fn progress, void *progress_ctx, duet_err *e);
void abc_result_free(struct abc_result *r);

/* Weighted posterior summaries of parameter j. */
struct abc_posterior { double mean, median, lo90, hi90; };
void abc_posterior(const struct abc_result *r, size_t j, struct abc_posterior *out);

#endif
