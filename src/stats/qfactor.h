/*
** qfactor.h — Q-methodology factor analysis (by-person factor analysis of
** Q-sorts), as in Brown (1980), PQMethod and R's qmethod; the formulas are
** in docs/norms.md ("qfactor").
**
** Input: N statements × n sorts, each sort a column of grid values (e.g.
** −4 … +4). Persons (sorts) are correlated; factors are extracted by
** principal components (loadings = eigenvectors × √eigenvalues of the
** person correlation matrix, as psych::principal) or Brown's centroid
** method (as qmethod::centroid); then optionally rotated by varimax with
** Kaiser normalisation (exactly R's stats::varimax with eps = 1e-5, which
** psych::principal calls). Then, as psych::principal does after rotating,
** the factors are ordered by their sums of squared loadings (largest
** first) and each is signed so that its loadings sum to ≥ 0. Then, per
** factor: sorts flagged automatically (|a| > 1.96/√N and a² > the sum of
** the sort's squared loadings on the other factors), weights
** w = a/(1 − a²), statement z-scores (the standardised weighted sum of the
** flagged sorts), the factor array (z-scores mapped back onto the grid),
** composite reliability and standard errors, and per statement whether it
** distinguishes each pair of factors (p < .05, p < .01) or is a consensus
** statement.
**
** Pure numerics (GSL for linear algebra): knows nothing of files, the
** store or the CLI. Every function that can fail returns 0, or -1 with *e
** set; qf_flag and qf_free cannot fail.
*/
#ifndef DUET_STATS_QFACTOR_H
#define DUET_STATS_QFACTOR_H

#include <limits.h>
#include <stddef.h>

#include "core/err.h"

#define QF_MAX_FACTORS    8
#define QF_MAX_STATEMENTS 2000      /* N */
#define QF_MAX_SORTS      100000    /* n */
#define QF_MAX_CORR_SORTS 10000     /* n when the n × n correlations are kept (800 MB) */
#define QF_VARIMAX_EPS    1e-5      /* stats::varimax's default, as psych::principal uses it */
#define QF_CENTROID_SPC   1e-5      /* qmethod::qmethod's default spc for centroid() */
#define QF_NO_VALUE       INT_MIN   /* factor array of a factor without flagged sorts */

enum qf_extract { QF_PCA = 0, QF_CENTROID };
enum qf_rotate { QF_VARIMAX = 0, QF_NONE };

struct qf_options {
    int factors;               /* 1 .. QF_MAX_FACTORS, < number of sorts, < N */
    enum qf_extract extract;
    enum qf_rotate rotate;
    /* 1: leave qf_result.corr NULL. PCA with fewer statements than sorts
    ** then never forms the n × n matrix (it works on the N × N one), which
    ** saves O(n² N) time and 8 n² bytes; the centroid always needs it. */
    int skip_correlations;
    /* Optional [nsorts] names, borrowed during the call and used only in
    ** messages ("sort 'ana': ..."); NULL: sorts are numbered from 1. */
    const char *const *names;
};

/* The grid: ncols columns, value[c] (strictly ascending, e.g. −4 … +4)
** holding count[c] statements; the counts sum to N. */
struct qf_grid {
    size_t ncols;
    const int *value;
    const int *count;
};

/* Every array is owned by the result (free with qf_free), row-major. */
struct qf_result {
    size_t nstatements, nsorts, nfactors;
    double *corr;              /* [nsorts][nsorts] person correlations; NULL with
                               ** skip_correlations (unless the centroid ran) */
    double *eigenvalues;       /* [nfactors] before rotation, in extraction order
                               ** (PCA: the largest eigenvalues of corr; centroid:
                               ** the sums of squared loadings of each factor) */
    double *loadings;          /* [nsorts][nfactors] after rotation, ordering, signs */
    double *explained;         /* [nfactors] share of the variance (0..1) after
                               ** rotation: the sum of squared loadings / nsorts */
    int iterations;            /* varimax iterations (0 without varimax or with
                               ** one factor); 1000 means it stopped unconverged */
    double flag_threshold;     /* 1.96 / √N */
    int *flagged;              /* [nsorts][nfactors] 1 if the sort defines the factor */
    size_t *nflagged;          /* [nfactors] */
    double *weights;           /* [nsorts][nfactors] a/(1 − a²) where flagged, else 0 */
    double *zscores;           /* [nstatements][nfactors]; NaN for a factor with no
                               ** flagged sort */
    int *array;                /* [nstatements][nfactors] grid value of the factor
                               ** array; QF_NO_VALUE for a factor with no flagged sort */
    size_t grid_cols;          /* the grid used (given, or the first sort's) */
    int *grid_value;           /* [grid_cols] ascending */
    int *grid_count;           /* [grid_cols] */
    double *reliability;       /* [nfactors] 0.8p/(1 + 0.8(p − 1)); 0 when p = 0 */
    double *se;                /* [nfactors] SE of z-scores: SD(z) · √(1 − r); NaN
                               ** when p = 0 */
    /* [nstatements][nfactors][nfactors], symmetric, 0 on the diagonal:
    ** 0 no difference, 1 p < .05, 2 p < .01; 0 for a pair with a factor that
    ** has no flagged sort */
    int *distinguishing;
    /* [nstatements] 1 when at least two factors have flagged sorts and the
    ** statement distinguishes no pair of them at p < .05 */
    int *consensus;
};

/* sorts is column-major by sort: sorts[j * nstatements + i] is statement i
** in sort j. With grid NULL, the grid is the first sort's values and their
** counts; every sort must hold exactly the grid's values, as many of each
** as the grid has (else "sort 'x': has 3 statements at +4, the grid holds
** 2"). Refuses values that are not whole numbers, NaN, fewer than 3
** statements or 2 sorts, more than the QF_MAX_ caps, a grid with a single
** column (no variance), factors outside 1 .. min(QF_MAX_FACTORS, n − 1,
** N − 1), and a centroid that runs out of common variance (extract fewer
** factors). On success *out owns its arrays; on failure it is empty
** (qf_free is safe either way).
** Cost: PCA O(N n min(N, n)) plus an eigenproblem of order min(N, n) (the
** N × N one when N < n: the nonzero eigenpairs of R = ZᵀZ come from ZZᵀ);
** the correlations O(N n²) unless skipped; varimax O(n f² iterations). */
int qf_analyse(const double *sorts, size_t nstatements, size_t nsorts,
               const struct qf_grid *grid, const struct qf_options *o,
               struct qf_result *out, duet_err *e);
void qf_free(struct qf_result *r);

/* The steps, for tests and other callers. */

/* Pearson correlations between the columns of x (n rows × m columns,
** column-major) into r[m][m]. Refuses n < 3, a value that is not finite and
** a column that does not vary. */
int qf_correlate(const double *x, size_t n, size_t m, double *r, duet_err *e);

/* Varimax with Kaiser normalisation of a [p][f] loading matrix, in place,
** following R's stats::varimax(x, normalize = TRUE, eps) step for step
** (eps = QF_VARIMAX_EPS as there). Does nothing when f < 2. */
int qf_varimax(double *a, size_t p, size_t f, double eps, duet_err *e);

/* Brown's centroid extraction of f factors from the m × m correlation
** matrix r (not changed) into loadings[m][f], as qmethod::centroid(r, f,
** spc): per factor, reflect sorts until no column sum of the residual
** matrix (diagonal zero) is negative, iterate the communalities until they
** change by less than spc, reflect the loadings back and take the factor
** out of the residuals. Signs and order are as extracted. */
int qf_centroid(const double *r, size_t m, size_t f, double spc, double *loadings,
                duet_err *e);

/* Automatic flagging of a [p][f] loading matrix for N statements into
** flagged[p][f] (1 or 0): |a| > 1.96/√N and a² greater than the sum of the
** sort's other squared loadings (a sort defines at most one factor). */
void qf_flag(const double *loadings, size_t p, size_t f, size_t nstatements, int *flagged);

#endif
