/*
** agreement.h — agreement between coders: Krippendorff's alpha (nominal,
** ordinal, interval, ratio; any number of coders; missing values), with an
** optional bootstrap interval, Cohen's kappa for two coders and Fleiss' kappa
** for a fixed number of ratings per unit. Formulas:
** Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability",
** Cohen (1960), Fleiss (1971); docs/coding.md says how to read them.
**
** Data are units × coders, row-major (x[u*ncoders + c] is coder c's value for
** unit u), NaN for a missing value. Values are whatever numbers appear; text
** labels are the caller's business (map them to distinct numbers first).
** Infinite values are refused. Pure numerics: knows nothing of files, the
** store or the CLI. Every function returns 0, or -1 with *e set (DUET_EINPUT
** for data that give no answer, DUET_EINTERNAL when memory runs out); results
** are written only on success and are never NaN.
*/
#ifndef DUET_STATS_AGREEMENT_H
#define DUET_STATS_AGREEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* The ratio metric compares every pair of distinct values (O(V^2)); more
** distinct values than this are refused for it. The other metrics are O(V). */
#define AGREE_MAX_RATIO_VALUES 20000
#define AGREE_MAX_BOOTSTRAP    100000

enum agree_level { AGREE_NOMINAL = 0, AGREE_ORDINAL, AGREE_INTERVAL, AGREE_RATIO };

/* "nominal", "ordinal", "interval", "ratio". */
const char *agree_level_name(enum agree_level level);

struct agree_alpha {
    double alpha;          /* 1 - D_o / D_e; 1 perfect, 0 chance, < 0 systematic disagreement */
    double d_o, d_e;       /* observed and expected disagreement (mean squared difference
                              delta^2 over pairs of values within units / over all pairs) */
    size_t n_units;        /* pairable units: with at least two values */
    size_t n_values;       /* pairable values n: the values in those units */
    size_t n_distinct;     /* distinct values among them (V) */
    size_t n_unpaired;     /* units with exactly one value (left out, as Krippendorff) */
};

/* Krippendorff's alpha of the nunits × ncoders matrix x at the given level,
** through the coincidence matrix: within each unit of m >= 2 values, every
** ordered pair of values from different coders counts 1/(m - 1); D_o is the
** mean delta^2 over those pairs, D_e over all pairs of the n pairable values.
** delta^2: nominal [c != k]; interval (c - k)^2; ratio ((c - k)/(c + k))^2
** (values must be >= 0); ordinal (M_k - M_c)^2 with M_c = the number of
** pairable values below c plus half of those equal to c, which is
** Krippendorff's (sum_{g=c..k} n_g - (n_c + n_k)/2)^2. O(n log V) time for
** V distinct values up to 64, O(n log n) beyond.
** Refuses: no unit with two values; a single distinct value (alpha is
** undefined when there is no variation to agree on); negative values for
** ratio; more than AGREE_MAX_RATIO_VALUES distinct values for ratio. */
int agree_alpha(const double *x, size_t nunits, size_t ncoders, enum agree_level level,
                struct agree_alpha *out, duet_err *e);

struct agree_boot {
    double lo, hi;         /* the 2.5% and 97.5% quantiles of the replicates */
    size_t b;              /* replicates asked for */
    size_t used;           /* replicates with a defined alpha (the others drew units
                              holding a single value and are left out) */
};

/* A 95% percentile bootstrap interval for alpha: b times, draw the pairable
** units with replacement (as many as there are, uniform, core/rng.h seeded
** with seed), compute alpha of the drawn units (D_e from their own
** values), and take the 2.5% and 97.5% quantiles of the replicates
** (linear interpolation between order statistics, as R's quantile type 7).
** This resamples units, the sampling unit of a reliability study; it is not
** Krippendorff's own bootstrap, which resamples pairs of values, so intervals
** differ slightly from his macro's. Same refusals as agree_alpha, plus b
** outside 1..AGREE_MAX_BOOTSTRAP and fewer than 2 replicates with a defined
** alpha. Deterministic for a given seed. */
int agree_alpha_bootstrap(const double *x, size_t nunits, size_t ncoders,
                          enum agree_level level, size_t b, uint64_t seed,
                          struct agree_boot *out, duet_err *e);

struct agree_kappa {
    double p_o;            /* observed agreement */
    double p_e;            /* agreement expected by chance */
    double kappa;          /* (p_o - p_e) / (1 - p_e) */
    size_t n_units;        /* units used */
    size_t n_dropped;      /* units left out (Cohen: a missing value) */
    size_t n_raters;       /* ratings per unit (2 for Cohen) */
    size_t n_categories;   /* distinct values used */
};

/* Cohen's kappa of two coders' values a[i], b[i], i < n, over the units
** both coded (NaN: missing). p_e = sum_c p_a(c) p_b(c) from each coder's
** own marginals. Refuses: no unit coded by both; p_e = 1 (both coders used
** one and the same value throughout: kappa is undefined). */
int agree_cohen(const double *a, const double *b, size_t n, struct agree_kappa *out,
                duet_err *e);

/* Fleiss' kappa from counts: counts[i*ncat + j] raters put subject i in
** category j; every subject must have the same number r >= 2 of ratings.
** P_i = (sum_j n_ij^2 - r) / (r (r - 1)), p_o = P-bar = their mean,
** p_j = sum_i n_ij / (N r), p_e = P_e = sum_j p_j^2. Refuses: no subject,
** unequal or fewer than 2 ratings, P_e = 1 (one category only). */
int agree_fleiss_counts(const unsigned *counts, size_t nsubjects, size_t ncat,
                        struct agree_kappa *out, duet_err *e);

/* Fleiss' kappa of the nunits × ncoders matrix x: the categories are the
** distinct values, and every unit must have the same number of non-missing
** values (a unit with none at all is refused too; use agree_alpha for
** unequal numbers). */
int agree_fleiss(const double *x, size_t nunits, size_t ncoders, struct agree_kappa *out,
                 duet_err *e);

#endif
