/*
** desc.h — descriptive statistics over arrays: mean, standard deviation,
** Cronbach's alpha, Pearson's r with Fisher's confidence interval, and the
** simple least-squares line.
**
** Pure numerics: knows nothing of files, the store or the CLI. NaN marks a
** missing value wherever a function says so; an infinite value is refused
** (DUET_EINPUT), never silently used. Every function returns 0, or -1 with
** *e set to a message a caller can prefix with its own context ("column
** 'trust': ..."). Results are written only on success.
**
** Sums use a two-pass scheme (the mean, refined by the mean of the
** deviations, then sums of squared deviations around it), so that constant
** data give a variance of exactly zero and large offsets cost no precision.
*/
#ifndef DUET_STATS_DESC_H
#define DUET_STATS_DESC_H

#include <stddef.h>

#include "core/err.h"

/* qnorm(0.975), the two-sided 95% normal quantile (1.959964 to 6 places). */
#define DESC_Z975 1.959963984540054

/* The number of values in x[0..n-1] that are not NaN (missing). */
size_t desc_count(const double *x, size_t n);

/* The arithmetic mean of the values of x[0..n-1] that are not NaN. Refuses
** an input with no such value. */
int desc_mean(const double *x, size_t n, double *mean, duet_err *e);

/* The sample standard deviation (denominator m - 1, where m values are not
** NaN) of x[0..n-1]. Refuses m < 2. Exactly 0 when all values are equal. */
int desc_sd(const double *x, size_t n, double *sd, duet_err *e);

struct desc_alpha {
    double alpha;          /* k/(k-1) * (1 - sum_item_var / total_var); at most 1,
                              negative when items covary negatively (e.g. a
                              reverse-keyed item left unflipped) */
    size_t k;              /* items */
    size_t n;              /* complete rows used */
    size_t dropped;        /* rows with at least one missing item */
    double sum_item_var;   /* sum of the items' variances (denominator n - 1) */
    double total_var;      /* variance of the row totals (denominator n - 1) */
};

/* Cronbach's alpha of the nrows x k matrix x (row-major: x[i*k + j] is
** person i's answer to item j). Missing answers (NaN) are handled listwise:
** a row with any missing item is dropped (and counted), so every variance is
** over the same people and alpha equals psych::alpha(x, use = "complete.obs")'s
** raw_alpha and the textbook formula. Refuses k < 2, fewer than 2 complete
** rows, and totals that do not vary (alpha undefined). */
int desc_alpha(const double *x, size_t nrows, size_t k, struct desc_alpha *out, duet_err *e);

struct desc_pearson {
    double r;              /* in [-1, 1] */
    size_t n;              /* complete pairs used */
    size_t dropped;        /* pairs with x or y missing */
};

/* Pearson's correlation of x[i] and y[i], i < n, over the pairs where
** neither is NaN (pairwise deletion). Refuses fewer than 3 complete pairs
** (with 2, r is always -1 or 1) and an x or y that does not vary. */
int desc_pearson(const double *x, const double *y, size_t n, struct desc_pearson *out,
                 duet_err *e);

/* The 95% confidence interval of a correlation r from n pairs by Fisher's z:
** tanh(atanh(r) -/+ DESC_Z975 / sqrt(n - 3)), as R's cor.test. Refuses
** n < 4 (the standard error 1/sqrt(n - 3) is undefined) and r outside
** [-1, 1] or NaN. r = -1 or 1 gives the degenerate interval [r, r]. */
int desc_fisher_ci(double r, size_t n, double *lo, double *hi, duet_err *e);

struct desc_ols {
    double intercept, slope;
    double se_intercept;   /* s * sqrt(1/n + mean_x^2 / Sxx) */
    double se_slope;       /* s / sqrt(Sxx) */
    double resid_sd;       /* s = sqrt(SSE / (n - 2)) */
    size_t n;              /* complete pairs used */
    size_t dropped;        /* pairs with x or y missing */
};

/* The least-squares line y = intercept + slope * x over the pairs where
** neither is NaN, with the classical standard errors (as R's lm). Refuses
** fewer than 3 complete pairs (no residual degrees of freedom) and an x that
** does not vary (the slope is undefined). */
int desc_ols(const double *x, const double *y, size_t n, struct desc_ols *out, duet_err *e);

#endif
