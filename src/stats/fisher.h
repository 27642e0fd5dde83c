/*
** fisher.h — Fisher's exact test on a 2x2 table, and the Benjamini–Hochberg
** adjustment for a family of such tests.
**
** Pure functions of counts and arrays: nothing here knows where the counts
** came from (the code frequencies of analysis/codes.h use them). The
** two-sided p value follows R's fisher.test: the sum of the probabilities,
** under the hypergeometric distribution with the table's margins fixed, of
** every table no more likely than the observed one, "no more likely" with a
** relative tolerance of 1e-7 so that tables equally likely in exact
** arithmetic are not lost to rounding.
*/
#ifndef DUET_STATS_FISHER_H
#define DUET_STATS_FISHER_H

#include <stddef.h>

#include "core/err.h"

/* Relative tolerance when comparing tables' probabilities (R: 1 + 1e-7). */
#define FISHER_REL_TOL 1e-7

/* The two-sided p value of Fisher's exact test for the table
**     a  b
**     c  d
** (counts >= 0). A table with an empty margin has p = 1. The result is in
** [0, 1]. */
double fisher_exact(long a, long b, long c, long d);

/* Benjamini–Hochberg adjusted p values (q values, R's p.adjust(p, "BH")):
** with p sorted increasing, q_(i) = min over j >= i of p_(j) m / j, capped
** at 1, then put back in the input's order. p and q hold n values and may
** be the same array. Returns 0, or -1 with *e set when memory runs out. */
int fisher_bh(const double *p, size_t n, double *q, duet_err *e);

#endif
