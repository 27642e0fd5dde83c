/*
** fisher.c — Fisher's exact test (2x2) and Benjamini–Hochberg q values.
**
** Probabilities are computed in logs (gsl_sf_lnchoose), so large tables
** neither overflow nor underflow before they are compared; only the terms
** that are summed are exponentiated.
*/
#include "stats/fisher.h"

#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>

/* log P(X = x) for X hypergeometric: x of the r1 row-1 items among the c1
** column-1 items, n items in all. */
static double log_prob(long x, long r1, long r2, long c1)
{
    return gsl_sf_lnchoose((unsigned)r1, (unsigned)x) +
           gsl_sf_lnchoose((unsigned)r2, (unsigned)(c1 - x)) -
           gsl_sf_lnchoose((unsigned)(r1 + r2), (unsigned)c1);
}

double fisher_exact(long a, long b, long c, long d)
{
    if (a < 0 || b < 0 || c < 0 || d < 0)
        return NAN;
    long r1 = a + b, r2 = c + d, c1 = a + c, c2 = b + d;
    if (r1 == 0 || r2 == 0 || c1 == 0 || c2 == 0)
        return 1.0;
    long lo = c1 - r2 > 0 ? c1 - r2 : 0, hi = r1 < c1 ? r1 : c1;
    double observed = log_prob(a, r1, r2, c1);
    double limit = observed + log1p(FISHER_REL_TOL);
    double p = 0;
    for (long x = lo; x <= hi; x++) {
        double lp = log_prob(x, r1, r2, c1);
        if (lp <= limit)
            p += exp(lp);
    }
    return p > 1 ? 1 : p;
}

struct ranked {
    double p;
    size_t at;
};

static int by_p(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

int fisher_bh(const double *p, size_t n, double *q, duet_err *e)
{
    if (n == 0)
        return 0;
    struct ranked *r = malloc(n * sizeof *r);
    if (r == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n; i++)
        r[i] = (struct ranked){p[i], i};
    qsort(r, n, sizeof *r, by_p);
    double run = 1;
    for (size_t k = n; k-- > 0;) {
        double v = r[k].p * (double)n / (double)(k + 1);
        if (v < run)
            run = v;
        r[k].p = run;
    }
    for (size_t k = 0; k < n; k++)
        q[r[k].at] = r[k].p;
    free(r);
    return 0;
}
