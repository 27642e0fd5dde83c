/*
** lmm.h — linear mixed models with random intercepts, fitted by REML or ML.
**
**   y = X beta + Z1 b1 + Z2 b2 + e,  b1 ~ N(0, tau1^2 I), b2 ~ N(0, tau2^2 I),
**   e ~ N(0, sigma^2 I)
**
** with one grouping factor or two (nested, e.g. person within partnership,
** or crossed). Like lme4, the likelihood is profiled over the relative
** standard deviations theta_k = tau_k / sigma, so only one or two numbers
** are optimised; beta and sigma follow in closed form. Results agree with
** lme4's lmer (same criterion, same parameterisation).
**
** Pure numerics over arrays: knows nothing of files, the store or the CLI.
*/
#ifndef DUET_STATS_LMM_H
#define DUET_STATS_LMM_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct lmm_data {
    size_t n;               /* observations */
    size_t p;               /* fixed effects (columns of X, intercept included by the caller) */
    const double *y;        /* [n] */
    const double *x;        /* [n][p], row-major */
    int nfactors;           /* 1 or 2 */
    const uint32_t *g[2];   /* level of each observation, 0 .. q[k]-1 */
    size_t q[2];            /* levels per factor (every level must occur) */
    const char *const *xnames; /* [p] optional names of X's columns, used only in
                               ** messages; NULL: columns are named by number */
};

struct lmm_fit {
    int reml;               /* 1: REML, 0: ML */
    size_t n, p;
    size_t q[2];
    int nfactors;
    int nested;             /* 1 when factor 2 is nested in factor 1 (or vice versa) */
    double *beta, *se, *t;  /* [p] each, owned */
    double *ci_lo, *ci_hi;  /* [p] Wald 95% intervals: beta -/+ 1.959964 se */
    double *vcov;           /* [p][p] */
    double sigma2;          /* residual variance */
    double tau2[2];         /* variance of each grouping factor's intercepts */
    double theta[2];        /* tau / sigma at the optimum */
    double deviance;        /* the REML criterion or -2 log-likelihood */
    double loglik;          /* -deviance / 2 */
    double aic, bic;        /* with p + nfactors + 1 parameters */
    int converged;          /* the optimiser met its tolerance and the gradient
                            ** of the deviance vanishes at an interior optimum */
    int iterations;         /* evaluations of the profiled deviance */
    int singular;           /* a variance component at (or within 1e-6 of) zero */
    int eliminated;         /* the factor (0 or 1) whose block was eliminated first;
                            ** 0 with one factor */
    double r2;              /* penalised residual sum of squares at the optimum */
};

/* Fits the model by REML (reml = 1) or ML (reml = 0). On success *out owns
** its arrays (free them with lmm_fit_free) and 0 is returned. On failure -1
** is returned, *out is left empty (lmm_fit_free is still safe) and *e says
** what was wrong; DUET_EINPUT, with a message for a person, for:
**   - nfactors other than 1 or 2, no fixed effects, n <= p;
**   - a value of y or x that is not finite (drop missing rows first, as R does);
**   - a singular design: a column of X that is zero or, to a relative
**     tolerance of 1e-7 (as R's qr), a linear combination of the columns
**     before it (the message names it, by xnames[j] or by its number from 1);
**   - y fitted exactly by X (no residual variation);
**   - a factor with a single level, a level outside 0..q-1, a level that
**     never occurs, or as many levels as observations (as lme4 refuses);
**   - two crossed factors of which the smaller has more than 4000 levels
**     (its Schur complement is factorised densely).
** Observations and columns in messages are numbered from 1.
** Cost: one O(n p^2) pass over the data; then each evaluation of the profiled
** deviance costs O((q1 + q2) p^2) when the factors are nested, plus
** O(q_small^3) when they are crossed. Memory: O(n p). */
int lmm_fit(const struct lmm_data *d, int reml, struct lmm_fit *out, duet_err *e);
void lmm_fit_free(struct lmm_fit *f);

#endif
