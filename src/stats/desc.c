/*
** desc.c — mean, SD, Cronbach's alpha, Pearson's r, simple regression.
**
** Every statistic is built from the same helper, moments(): a refined mean
** and the sum of squared deviations around it over a selection of values.
** It must never read an unselected value, and never divide by a count it
** has not checked.
*/
#include "stats/desc.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Refuses an infinite value; what = "value", "x", "y" for the message. */
static int check_finite(const double *x, size_t n, const char *what, duet_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (isinf(x[i]))
            return duet_errf(e, DUET_EINPUT, "%s %zu of %zu is infinite; use finite numbers, "
                             "or NaN for a missing value", what, i + 1, n);
    return 0;
}

static int too_large(duet_err *e)
{
    return duet_errf(e, DUET_EINPUT, "the values are too large: their sums overflow a double");
}

/* The selection: use[i] when use is given, else the values that are not NaN. */
static int picked(const double *x, size_t stride, size_t i, const unsigned char *use)
{
    return use ? use[i] != 0 : !isnan(x[i * stride]);
}

/* Over the m >= 1 selected values x[i*stride], i < n: their mean (the plain
** mean corrected by the mean of the deviations from it) and the sum of
** squared deviations, exactly 0 when they are all equal. Returns 1 when they
** are all equal, else 0. */
static int moments(const double *x, size_t stride, size_t n, const unsigned char *use, size_t m,
                   double *mean, double *ss)
{
    double sum = 0.0, first = NAN;
    int same = 1;
    for (size_t i = 0; i < n; i++) {
        if (!picked(x, stride, i, use))
            continue;
        double v = x[i * stride];
        if (isnan(first))
            first = v;
        else if (v != first)
            same = 0;
        sum += v;
    }
    if (same) {
        *mean = first;
        *ss = 0.0;
        return 1;
    }
    double m0 = sum / (double)m, dev = 0.0;
    for (size_t i = 0; i < n; i++)
        if (picked(x, stride, i, use))
            dev += x[i * stride] - m0;
    double mu = m0 + dev / (double)m, s = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (picked(x, stride, i, use)) {
            double d = x[i * stride] - mu;
            s += d * d;
        }
    }
    *mean = mu;
    *ss = s;
    return 0;
}

size_t desc_count(const double *x, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += !isnan(x[i]);
    return m;
}

int desc_mean(const double *x, size_t n, double *mean, duet_err *e)
{
    if (check_finite(x, n, "value", e) != 0)
        return -1;
    size_t m = desc_count(x, n);
    if (m == 0)
        return duet_errf(e, DUET_EINPUT, "no values to average (all %zu are missing)", n);
    double mu, ss;
    moments(x, 1, n, NULL, m, &mu, &ss);
    if (!isfinite(mu))
        return too_large(e);
    *mean = mu;
    return 0;
}

int desc_sd(const double *x, size_t n, double *sd, duet_err *e)
{
    if (check_finite(x, n, "value", e) != 0)
        return -1;
    size_t m = desc_count(x, n);
    if (m < 2)
        return duet_errf(e, DUET_EINPUT, "a standard deviation needs at least 2 values that "
                         "are not missing, found %zu", m);
    double mu, ss;
    moments(x, 1, n, NULL, m, &mu, &ss);
    if (!isfinite(mu) || !isfinite(ss))
        return too_large(e);
    *sd = sqrt(ss / (double)(m - 1));
    return 0;
}

int desc_alpha(const double *x, size_t nrows, size_t k, struct desc_alpha *out, duet_err *e)
{
    if (k < 2)
        return duet_errf(e, DUET_EINPUT, "Cronbach's alpha needs at least 2 items, got %zu", k);
    if (nrows > SIZE_MAX / k)
        return duet_errf(e, DUET_EINTERNAL, "%zu rows of %zu items are too many", nrows, k);
    for (size_t i = 0; i < nrows * k; i++)
        if (isinf(x[i]))
            return duet_errf(e, DUET_EINPUT, "row %zu, item %zu is infinite; use finite "
                             "numbers, or NaN for a missing answer", i / k + 1, i % k + 1);
    /* total[i] is row i's sum over its items, NaN when an item is missing. */
    double *total = malloc((nrows ? nrows : 1) * sizeof *total);
    if (total == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu rows", nrows);
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++) {
        double t = 0.0;
        for (size_t j = 0; j < k; j++)
            t += x[i * k + j];   /* NaN propagates: the row is incomplete */
        total[i] = t;
        n += !isnan(t);
    }
    if (n < 2) {
        free(total);
        return duet_errf(e, DUET_EINPUT, "Cronbach's alpha needs at least 2 rows with every item "
                         "answered, found %zu of %zu", n, nrows);
    }
    double mu, total_ss;
    int flat = moments(total, 1, nrows, NULL, n, &mu, &total_ss);
    /* Item j over the complete rows: the rows whose total is not NaN. */
    unsigned char *use = malloc(nrows);
    if (use == NULL) {
        free(total);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu rows", nrows);
    }
    for (size_t i = 0; i < nrows; i++)
        use[i] = !isnan(total[i]);
    free(total);
    double item_ss = 0.0;
    for (size_t j = 0; j < k; j++) {
        double mj, ssj;
        moments(x + j, k, nrows, use, n, &mj, &ssj);
        item_ss += ssj;
    }
    free(use);
    if (!isfinite(total_ss) || !isfinite(item_ss) || !isfinite(mu))
        return too_large(e);
    if (flat || total_ss == 0.0)
        return duet_errf(e, DUET_EINPUT, "every complete row has the same total, so the totals "
                         "do not vary and Cronbach's alpha is undefined");
    double kk = (double)k;
    out->k = k;
    out->n = n;
    out->dropped = nrows - n;
    out->sum_item_var = item_ss / (double)(n - 1);
    out->total_var = total_ss / (double)(n - 1);
    /* The (n - 1) denominators cancel in the ratio; use the sums directly. */
    out->alpha = kk / (kk - 1.0) * (1.0 - item_ss / total_ss);
    return 0;
}

/* Marks the pairs where neither x nor y is missing; returns how many, or
** (size_t)-1 after failing on an infinite value or memory. *usep is owned by
** the caller on success. */
static size_t pairs(const double *x, const double *y, size_t n, unsigned char **usep,
                    duet_err *e)
{
    if (check_finite(x, n, "x", e) != 0 || check_finite(y, n, "y", e) != 0)
        return (size_t)-1;
    unsigned char *use = malloc(n ? n : 1);
    if (use == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory for %zu pairs", n);
        return (size_t)-1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        use[i] = !isnan(x[i]) && !isnan(y[i]);
        m += use[i];
    }
    *usep = use;
    return m;
}

/* Sum of cross products of deviations over the selected pairs. */
static double cross(const double *x, const double *y, size_t n, const unsigned char *use,
                    double mx, double my)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        if (use[i])
            s += (x[i] - mx) * (y[i] - my);
    return s;
}

int desc_pearson(const double *x, const double *y, size_t n, struct desc_pearson *out,
                 duet_err *e)
{
    unsigned char *use = NULL;
    size_t m = pairs(x, y, n, &use, e);
    if (m == (size_t)-1)
        return -1;
    if (m < 3) {
        free(use);
        return duet_errf(e, DUET_EINPUT, "a correlation needs at least 3 pairs with both values "
                         "present, found %zu", m);
    }
    double mx, my, sxx, syy;
    int xflat = moments(x, 1, n, use, m, &mx, &sxx);
    int yflat = moments(y, 1, n, use, m, &my, &syy);
    double sxy = cross(x, y, n, use, mx, my);
    free(use);
    if (xflat || yflat || sxx == 0.0 || syy == 0.0)
        return duet_errf(e, DUET_EINPUT, "%s does not vary over the %zu complete pairs, so the "
                         "correlation is undefined", xflat || sxx == 0.0 ? "x" : "y", m);
    /* One rounding in sqrt(Sxx Syy) where the product neither overflows nor underflows. */
    double prod = sxx * syy;
    double r = sxy / (isfinite(prod) && prod >= DBL_MIN ? sqrt(prod) : sqrt(sxx) * sqrt(syy));
    if (!isfinite(r) || !isfinite(sxx) || !isfinite(syy))
        return too_large(e);
    out->r = r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
    out->n = m;
    out->dropped = n - m;
    return 0;
}

int desc_fisher_ci(double r, size_t n, double *lo, double *hi, duet_err *e)
{
    if (!(r >= -1.0 && r <= 1.0))
        return duet_errf(e, DUET_EINPUT, "a correlation must lie in -1..1, got %g", r);
    if (n < 4)
        return duet_errf(e, DUET_EINPUT, "a confidence interval for r needs at least 4 pairs, "
                         "found %zu", n);
    if (r == 1.0 || r == -1.0) {
        *lo = *hi = r;
        return 0;
    }
    double z = atanh(r), h = DESC_Z975 / sqrt((double)(n - 3));
    *lo = tanh(z - h);
    *hi = tanh(z + h);
    return 0;
}

int desc_ols(const double *x, const double *y, size_t n, struct desc_ols *out, duet_err *e)
{
    unsigned char *use = NULL;
    size_t m = pairs(x, y, n, &use, e);
    if (m == (size_t)-1)
        return -1;
    if (m < 3) {
        free(use);
        return duet_errf(e, DUET_EINPUT, "a regression line with standard errors needs at least "
                         "3 pairs with both values present, found %zu", m);
    }
    double mx, my, sxx, syy;
    int xflat = moments(x, 1, n, use, m, &mx, &sxx);
    moments(y, 1, n, use, m, &my, &syy);
    if (xflat || sxx == 0.0) {
        free(use);
        return duet_errf(e, DUET_EINPUT, "x does not vary over the %zu complete pairs, so the "
                         "slope is undefined", m);
    }
    double b = cross(x, y, n, use, mx, my) / sxx;
    /* Residuals around the centred line: no cancellation against a large intercept. */
    double sse = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (use[i]) {
            double r = (y[i] - my) - b * (x[i] - mx);
            sse += r * r;
        }
    }
    free(use);
    double s = sqrt(sse / (double)(m - 2));
    struct desc_ols o = {
        .slope = b,
        .intercept = my - b * mx,
        .resid_sd = s,
        .se_slope = s / sqrt(sxx),
        .se_intercept = s * sqrt(1.0 / (double)m + mx * mx / sxx),
        .n = m,
        .dropped = n - m,
    };
    if (!isfinite(o.slope) || !isfinite(o.intercept) || !isfinite(sse) ||
        !isfinite(o.se_intercept) || !isfinite(syy))
        return too_large(e);
    *out = o;
    return 0;
}
