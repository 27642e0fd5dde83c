/*
** test_qfactor.c — Q-methodology factor analysis (src/stats/qfactor.c).
** Expected values come from outside the code under test: a case of 8
** statements × 4 sorts worked out by hand (the arithmetic is in the
** comments), a centroid and a flagging case by hand, and R: psych::principal
** and the formulas of domain.md §5 written in R, over the data sets in
** tests/fixtures/qfactor/ (made by make.R there; versions in versions.txt).
** Loadings must agree with R's to 1e-6 up to the order and the signs of
** the factors; eigenvalues, z-scores, reliability and SE to 1e-6 as well;
** flags, factor arrays, distinguishing and consensus decisions exactly.
** Run from the repository root.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "stats/qfactor.h"

#define FIXDIR "tests/fixtures/qfactor/"
#define TOL 1e-6

/* ---- 1. by hand ---- */

/*
** Eight statements on the grid -2 (1), -1 (2), 0 (2), +1 (2), +2 (1); four
** sorts, each summing to 0 with sum of squares 4+1+1+0+0+1+1+4 = 12:
**
**   statement   s1  s2  s3  s4  s5  s6  s7  s8
**   sort 1      -2  -1  -1   0   0   1   1   2
**   sort 2      -2  -1  -1   0   1   0   2   1
**   sort 3      -1   0   1   2  -2   0   1  -1
**   sort 4       0   0  -1   1  -1   2   1  -2
**
** Correlations r = Σxy / 12:
**   r12 = (4+1+1+0+0+0+2+2)/12 = 10/12 = 5/6
**   r34 = (0+0-1+2+2+0+1+2)/12 = 6/12 = 1/2
**   r13 = (2+0-1+0+0+0+1-2)/12 = 0, r14 = (0+0+1+0+0+2+1-4)/12 = 0,
**   r23 = (2+0-1+0-2+0+2-1)/12 = 0, r24 = (0+0+1+0-1+0+2-2)/12 = 0.
** R is block diagonal: eigenvalues 1 + 5/6 = 11/6 (vector (1,1,0,0)/√2),
** 1 + 1/2 = 3/2 ((0,0,1,1)/√2), 1/2 and 1/6. Two principal components:
**   loadings f1 = √(11/6)/√2 = √(11/12) = 0.95742710775633811 on sorts 1, 2
**            f2 = √(3/2)/√2  = √(3/4)   = 0.86602540378443865 on sorts 3, 4
** and 0 elsewhere. Varimax: the Kaiser-normalised rows are (1,0), (1,0),
** (0,1), (0,1); at T = I each loaded entry gives z³ − z·(Σz²)/p = 1 − 2/4 =
** 1/2, so B = xᵀ(…) = I, T = UVᵀ = I, d = 2; the second iteration gives
** d = 2 again, < 2(1 + 1e-5): stop after 2 iterations, loadings unchanged.
** Explained: (11/6)/4 = 11/24, (3/2)/4 = 3/8.
** Flags (threshold 1.96/√8 = 0.69296): sorts 1, 2 on f1; 3, 4 on f2.
** Weights: f1 √(11/12)/(1 − 11/12) = 12√(11/12); f2 √(3/4)/(1/4) = 4√(3/4).
** z-scores: both sorts of a factor have the same weight, so z is the
** standardised x1 + x2 (and x3 + x4), whose mean is 0:
**   f1: s = (-4,-2,-2,0,1,1,3,3), Σs² = 44, SD = √(44/7), z = s·√(7/44) = s·0.39886201
**       z = (-1.595448, -0.797724, -0.797724, 0, 0.398862, 0.398862, 1.196586, 1.196586)
**   f2: s = (-1,0,0,3,-3,2,2,-3), Σs² = 36, SD = 6/√7, z = s·√7/6 = s·0.44095855
**       z = (-0.440959, 0, 0, 1.322876, -1.322876, 0.881917, 0.881917, -1.322876)
** Factor arrays (lowest z to the lowest column; ties: the earlier statement
** lower):
**   f1: s1 -2 | s2 -1, s3 -1 | s4 0, s5 0 | s6 +1, s7 +1 | s8 +2
**       (s5 and s6 tie at 0.3989 across the 0/+1 boundary, s7 and s8 at 1.1966
**       across +1/+2)
**   f2: s5 -2 | s8 -1, s1 -1 | s2 0, s3 0 | s6 +1, s7 +1 | s4 +2
** Reliability p = 2: 0.8·2/(1 + 0.8) = 8/9; SE = SD(z)·√(1 − 8/9) = 1/3.
** Distinguishing: SED = √(1/9 + 1/9) = √2/3 = 0.47140452; thresholds
** 1.96·SED = 0.92395286 (p < .05), 2.576·SED = 1.21433805 (p < .01).
**   |z1 − z2|: s1 1.154489 (.05), s2 0.797724, s3 0.797724, s4 1.322876 (.01),
**              s5 1.721738 (.01), s6 0.483055, s7 0.314669, s8 2.519462 (.01)
** Consensus: s2, s3, s6, s7.
*/
static const double hand_sorts[4 * 8] = {
    -2, -1, -1, 0, 0, 1, 1, 2,
    -2, -1, -1, 0, 1, 0, 2, 1,
    -1, 0, 1, 2, -2, 0, 1, -1,
    0, 0, -1, 1, -1, 2, 1, -2,
};

static void check_hand(const struct qf_result *r)
{
    const double l1 = 0.95742710775633811, l2 = 0.86602540378443865;
    const double k1 = 0.39886201760873157, k2 = 0.44095855184409843;   /* √(7/44), √7/6 */
    const double s1[8] = {-4, -2, -2, 0, 1, 1, 3, 3}, s2[8] = {-1, 0, 0, 3, -3, 2, 2, -3};
    const int a1[8] = {-2, -1, -1, 0, 0, 1, 1, 2}, a2[8] = {-1, 0, 0, 2, -2, 1, 1, -1};
    const int dist[8] = {1, 0, 0, 2, 2, 0, 0, 2}, cons[8] = {0, 1, 1, 0, 0, 1, 1, 0};
    assert_int_equal(r->nfactors, 2);
    assert_float_equal(r->eigenvalues[0], 11.0 / 6.0, 1e-12);
    assert_float_equal(r->eigenvalues[1], 1.5, 1e-12);
    const double want[4][2] = {{l1, 0}, {l1, 0}, {0, l2}, {0, l2}};
    for (size_t j = 0; j < 4; j++)
        for (size_t k = 0; k < 2; k++)
            assert_float_equal(r->loadings[j * 2 + k], want[j][k], 1e-12);
    assert_float_equal(r->explained[0], 11.0 / 24.0, 1e-12);
    assert_float_equal(r->explained[1], 3.0 / 8.0, 1e-12);
    assert_float_equal(r->flag_threshold, 1.96 / sqrt(8.0), 1e-15);
    const int flag[4][2] = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    for (size_t j = 0; j < 4; j++)
        for (size_t k = 0; k < 2; k++)
            assert_int_equal(r->flagged[j * 2 + k], flag[j][k]);
    assert_int_equal(r->nflagged[0], 2);
    assert_int_equal(r->nflagged[1], 2);
    assert_float_equal(r->weights[0], 12 * l1, 1e-9);
    assert_float_equal(r->weights[1], 0, 0);
    assert_float_equal(r->weights[2 * 2 + 1], 4 * l2, 1e-9);
    for (size_t i = 0; i < 8; i++) {
        assert_float_equal(r->zscores[i * 2], s1[i] * k1, 1e-12);
        assert_float_equal(r->zscores[i * 2 + 1], s2[i] * k2, 1e-12);
        assert_int_equal(r->array[i * 2], a1[i]);
        assert_int_equal(r->array[i * 2 + 1], a2[i]);
        assert_int_equal(r->distinguishing[(i * 2 + 0) * 2 + 1], dist[i]);
        assert_int_equal(r->distinguishing[(i * 2 + 1) * 2 + 0], dist[i]);
        assert_int_equal(r->distinguishing[(i * 2 + 0) * 2 + 0], 0);
        assert_int_equal(r->consensus[i], cons[i]);
    }
    assert_float_equal(r->reliability[0], 8.0 / 9.0, 1e-15);
    assert_float_equal(r->reliability[1], 8.0 / 9.0, 1e-15);
    assert_float_equal(r->se[0], 1.0 / 3.0, 1e-12);
    assert_float_equal(r->se[1], 1.0 / 3.0, 1e-12);
    assert_int_equal(r->grid_cols, 5);
    const int gv[5] = {-2, -1, 0, 1, 2}, gc[5] = {1, 2, 2, 2, 1};
    for (size_t c = 0; c < 5; c++) {
        assert_int_equal(r->grid_value[c], gv[c]);
        assert_int_equal(r->grid_count[c], gc[c]);
    }
}

static void test_hand_pca_varimax(void **state)
{
    (void)state;
    struct qf_options o = {.factors = 2, .extract = QF_PCA, .rotate = QF_VARIMAX};
    struct qf_result r;
    duet_err e;
    assert_int_equal(qf_analyse(hand_sorts, 8, 4, NULL, &o, &r, &e), 0);
    check_hand(&r);
    assert_int_equal(r.iterations, 2);
    /* the correlations, as worked out above */
    const double c[4][4] = {{1, 5.0 / 6, 0, 0}, {5.0 / 6, 1, 0, 0}, {0, 0, 1, 0.5},
                            {0, 0, 0.5, 1}};
    assert_non_null(r.corr);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            assert_float_equal(r.corr[i * 4 + j], c[i][j], 1e-15);
    qf_free(&r);
}

static void test_hand_unrotated_and_grid(void **state)
{
    (void)state;
    /* Without rotation the loadings are the same; the grid given explicitly. */
    const int gv[5] = {-2, -1, 0, 1, 2}, gc[5] = {1, 2, 2, 2, 1};
    struct qf_grid g = {.ncols = 5, .value = gv, .count = gc};
    struct qf_options o = {.factors = 2, .extract = QF_PCA, .rotate = QF_NONE,
                           .skip_correlations = 1};
    struct qf_result r;
    duet_err e;
    assert_int_equal(qf_analyse(hand_sorts, 8, 4, &g, &o, &r, &e), 0);
    check_hand(&r);
    assert_int_equal(r.iterations, 0);
    assert_null(r.corr);
    qf_free(&r);
}

/*
** The centroid by hand: four sorts correlating 0.49 with each other, sort 4
** reversed (−0.49 with the rest). With the diagonal 0 the column sums are
** 0.49, 0.49, 0.49 and −1.47: sort 4 is reflected, after which every
** off-diagonal entry is 0.49 and every column sum 1.47. h = 1.47/3 = 0.49,
** t = h + 1.47 = 1.96, Σt = 7.84, f = 1.96/√7.84 = 1.96/2.8 = 0.7, and
** f² = 0.49 = h: settled at once. Reflected back: (0.7, 0.7, 0.7, −0.7).
** The residuals 0.49 − 0.7·0.7 are all 0: a second factor is refused.
*/
static void test_hand_centroid(void **state)
{
    (void)state;
    const double r[16] = {1, .49, .49, -.49, .49, 1, .49, -.49, .49, .49, 1, -.49,
                          -.49, -.49, -.49, 1};
    double l[8];
    duet_err e;
    assert_int_equal(qf_centroid(r, 4, 1, 1e-5, l, &e), 0);
    assert_float_equal(l[0], 0.7, 1e-12);
    assert_float_equal(l[1], 0.7, 1e-12);
    assert_float_equal(l[2], 0.7, 1e-12);
    assert_float_equal(l[3], -0.7, 1e-12);
    assert_int_equal(qf_centroid(r, 4, 2, 1e-5, l, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_non_null(strstr(e.msg, "extract fewer factors"));
}

/*
** Flagging by hand, N = 16: threshold 1.96/√16 = 0.49.
**   ( 0.60, 0.30, 0.10)  0.36 > 0.09 + 0.01, 0.60 > 0.49        -> f1
**   ( 0.50, 0.40, 0.25)  0.25 > 0.16 + 0.0625 = 0.2225          -> f1
**   ( 0.52, 0.40, 0.35)  0.2704 < 0.16 + 0.1225 = 0.2825        -> none (confounded)
**   ( 0.45, 0.10, 0.00)  0.45 < 0.49                            -> none
**   (-0.70, 0.20, 0.10)  0.49 > 0.05, |-0.70| > 0.49            -> f1 (negatively)
**   ( 0.10, 0.20, 0.80)                                         -> f3
**   ( 0.49, 0.00, 0.00)  0.49 is not > 0.49                     -> none
*/
static void test_hand_flags(void **state)
{
    (void)state;
    const double l[7 * 3] = {0.60, 0.30, 0.10, 0.50, 0.40, 0.25, 0.52, 0.40, 0.35,
                             0.45, 0.10, 0.00, -0.70, 0.20, 0.10, 0.10, 0.20, 0.80,
                             0.49, 0.00, 0.00};
    const int want[7 * 3] = {1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0};
    int got[7 * 3];
    qf_flag(l, 7, 3, 16, got);
    for (size_t i = 0; i < 21; i++)
        assert_int_equal(got[i], want[i]);
}

/* ---- 2. R's analyses ---- */

struct sorts {
    size_t n, m;            /* statements, sorts */
    double *x;              /* column-major [m][n] */
};

static void read_sorts(const char *path, struct sorts *s)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open %s (run the tests from the repository root)", path);
    static char line[65536];
    assert_non_null(fgets(line, sizeof line, fp));
    s->m = 0;
    for (char *p = line; *p; p++)
        s->m += *p == ',';
    size_t cap = 64;
    double *rows = malloc(cap * s->m * sizeof *rows);
    s->n = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        if (s->n == cap) {
            cap *= 2;
            rows = realloc(rows, cap * s->m * sizeof *rows);
        }
        char *p = strchr(line, ',');
        for (size_t j = 0; j < s->m; j++) {
            assert_non_null(p);
            char *end;
            rows[s->n * s->m + j] = strtod(p + 1, &end);
            p = strchr(end, ',');
        }
        s->n++;
    }
    fclose(fp);
    s->x = malloc(s->n * s->m * sizeof *s->x);
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < s->m; j++)
            s->x[j * s->n + i] = rows[i * s->m + j];
    free(rows);
}

struct ref {
    size_t n;
    char (*key)[32];
    double *val;            /* NaN for "NA" */
};

static void read_ref(const char *path, struct ref *x)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open %s", path);
    char line[256];
    size_t cap = 1024;
    x->n = 0;
    x->key = malloc(cap * sizeof *x->key);
    x->val = malloc(cap * sizeof *x->val);
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp) != NULL) {
        if (x->n == cap) {
            cap *= 2;
            x->key = realloc(x->key, cap * sizeof *x->key);
            x->val = realloc(x->val, cap * sizeof *x->val);
        }
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        *comma = '\0';
        snprintf(x->key[x->n], sizeof x->key[0], "%s", line);
        x->val[x->n] = strncmp(comma + 1, "NA", 2) == 0 ? NAN : strtod(comma + 1, NULL);
        x->n++;
    }
    fclose(fp);
}

static double ref_get(const struct ref *x, const char *fmt, ...)
{
    char key[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->key[i], key) == 0)
            return x->val[i];
    fail_msg("no %s in the fixture", key);
    return NAN;
}

static void close_to(const char *what, size_t i, size_t k, double got, double want, double tol)
{
    if (isnan(want) && isnan(got))
        return;
    if (!(fabs(got - want) <= tol))
        fail_msg("%s[%zu][%zu] is %.17g, R says %.17g", what, i, k, got, want);
}

/* Runs one analysis and compares it with NAME.EXTRACT.ROTATE.csv. */
static void compare(const char *name, enum qf_extract ex, enum qf_rotate rot, int factors)
{
    char path[256];
    struct sorts s;
    snprintf(path, sizeof path, FIXDIR "%s.csv", name);
    read_sorts(path, &s);
    struct ref x;
    snprintf(path, sizeof path, FIXDIR "%s.%s.%s.csv", name, ex == QF_PCA ? "pca" : "centroid",
             rot == QF_VARIMAX ? "varimax" : "none");
    read_ref(path, &x);
    struct qf_options o = {.factors = factors, .extract = ex, .rotate = rot};
    struct qf_result r;
    duet_err e;
    if (qf_analyse(s.x, s.n, s.m, NULL, &o, &r, &e) != 0)
        fail_msg("%s: %s", path, e.msg);
    size_t F = (size_t)factors, n = s.m, N = s.n;
    for (size_t k = 0; k < F; k++)
        close_to("eigen", k, 0, r.eigenvalues[k], ref_get(&x, "eigen[%zu]", k), TOL);
    /* Match each of duet's factors to one of R's, up to sign. */
    size_t map[QF_MAX_FACTORS];
    double sgn[QF_MAX_FACTORS], worst = 0;
    int used[QF_MAX_FACTORS] = {0};
    for (size_t k = 0; k < F; k++) {
        double best = INFINITY;
        for (size_t m = 0; m < F; m++) {
            if (used[m])
                continue;
            for (int sg = -1; sg <= 1; sg += 2) {
                double d = 0;
                for (size_t j = 0; j < n; j++) {
                    double v = fabs(r.loadings[j * F + k] -
                                    sg * ref_get(&x, "loading[%zu][%zu]", j, m));
                    d = v > d ? v : d;
                }
                if (d < best) {
                    best = d;
                    map[k] = m;
                    sgn[k] = sg;
                }
            }
        }
        used[map[k]] = 1;
        if (!(best <= TOL))
            fail_msg("%s: duet's factor %zu matches no factor of R's (closest: %zu, "
                     "max difference %.3g)", path, k + 1, map[k] + 1, best);
        worst = best > worst ? best : worst;
    }
    print_message("%s: loadings within %.2g of R's\n", path, worst);
    /* duet orders and signs factors as psych does: the match is the identity,
    ** so everything derived from the loadings compares directly. */
    for (size_t k = 0; k < F; k++) {
        assert_int_equal(map[k], k);
        assert_true(sgn[k] > 0);
        close_to("explained", k, 0, r.explained[k], ref_get(&x, "explained[%zu]", k), TOL);
        assert_int_equal(r.nflagged[k], (size_t)ref_get(&x, "nflagged[%zu]", k));
        close_to("reliability", k, 0, r.reliability[k], ref_get(&x, "reliability[%zu]", k),
                 1e-12);
        close_to("se", k, 0, r.se[k], ref_get(&x, "se[%zu]", k), TOL);
    }
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < F; k++)
            if (r.flagged[j * F + k] != (int)ref_get(&x, "flagged[%zu][%zu]", j, k))
                fail_msg("%s: sort %zu factor %zu: flagged %d, R says otherwise", path, j + 1,
                         k + 1, r.flagged[j * F + k]);
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < F; k++) {
            close_to("z", i, k, r.zscores[i * F + k], ref_get(&x, "z[%zu][%zu]", i, k), TOL);
            double a = ref_get(&x, "array[%zu][%zu]", i, k);
            if (isnan(a))
                assert_int_equal(r.array[i * F + k], QF_NO_VALUE);
            else if (r.array[i * F + k] != (int)a)
                fail_msg("%s: statement %zu factor %zu: array %d, R says %d", path, i + 1, k + 1,
                         r.array[i * F + k], (int)a);
            for (size_t b = k + 1; b < F; b++)
                if (r.distinguishing[(i * F + k) * F + b] !=
                    (int)ref_get(&x, "dist[%zu][%zu][%zu]", i, k, b))
                    fail_msg("%s: statement %zu factors %zu, %zu: distinguishing %d, R says %g",
                             path, i + 1, k + 1, b + 1, r.distinguishing[(i * F + k) * F + b],
                             ref_get(&x, "dist[%zu][%zu][%zu]", i, k, b));
        }
        assert_int_equal(r.consensus[i], (int)ref_get(&x, "consensus[%zu]", i));
    }
    /* The same without the correlations (the N × N route when N < n). */
    struct qf_result r2;
    o.skip_correlations = 1;
    if (ex == QF_PCA) {
        assert_int_equal(qf_analyse(s.x, s.n, s.m, NULL, &o, &r2, &e), 0);
        assert_null(r2.corr);
        for (size_t q = 0; q < n * F; q++)
            assert_float_equal(r2.loadings[q], r.loadings[q], 1e-10);
        qf_free(&r2);
    }
    qf_free(&r);
    free(s.x);
    free(x.key);
    free(x.val);
}

static void test_small_pca_varimax(void **state) { (void)state; compare("small", QF_PCA, QF_VARIMAX, 2); }
static void test_small_pca_none(void **state) { (void)state; compare("small", QF_PCA, QF_NONE, 2); }
static void test_small_centroid_varimax(void **state) { (void)state; compare("small", QF_CENTROID, QF_VARIMAX, 2); }
static void test_small_centroid_none(void **state) { (void)state; compare("small", QF_CENTROID, QF_NONE, 2); }
static void test_medium_pca_varimax(void **state) { (void)state; compare("medium", QF_PCA, QF_VARIMAX, 3); }
static void test_medium_pca_none(void **state) { (void)state; compare("medium", QF_PCA, QF_NONE, 3); }
static void test_medium_centroid_varimax(void **state) { (void)state; compare("medium", QF_CENTROID, QF_VARIMAX, 3); }
static void test_medium_centroid_none(void **state) { (void)state; compare("medium", QF_CENTROID, QF_NONE, 3); }
static void test_large_pca_varimax(void **state) { (void)state; compare("large", QF_PCA, QF_VARIMAX, 4); }
static void test_large_pca_none(void **state) { (void)state; compare("large", QF_PCA, QF_NONE, 4); }
static void test_wide_pca_varimax(void **state) { (void)state; compare("wide", QF_PCA, QF_VARIMAX, 3); }
static void test_wide_pca_none(void **state) { (void)state; compare("wide", QF_PCA, QF_NONE, 3); }
static void test_wide_centroid_varimax(void **state) { (void)state; compare("wide", QF_CENTROID, QF_VARIMAX, 3); }
static void test_wide_centroid_none(void **state) { (void)state; compare("wide", QF_CENTROID, QF_NONE, 3); }

/* ---- 3. refusals ---- */

static void refused(const double *x, size_t N, size_t n, const struct qf_grid *g,
                    const struct qf_options *o, const char *want)
{
    struct qf_result r;
    duet_err e;
    assert_int_equal(qf_analyse(x, N, n, g, o, &r, &e), -1);
    if (strstr(e.msg, want) == NULL)
        fail_msg("message '%s' lacks '%s'", e.msg, want);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_null(r.loadings);
    qf_free(&r);
}

static void test_refusals(void **state)
{
    (void)state;
    const char *names[4] = {"ana", "ben", "cat", "dev"};
    struct qf_options o = {.factors = 2, .names = names};
    double x[4 * 8];
    memcpy(x, hand_sorts, sizeof x);
    /* ben puts a second statement at +2 (and one fewer at +1) */
    x[8 + 4] = 2;
    refused(x, 8, 4, NULL, &o, "sort 'ben': has 1 statement at +1, the grid holds 2");
    x[8 + 4] = 3;
    refused(x, 8, 4, NULL, &o, "sort 'ben': has 1 statement at +3, the grid holds none "
                               "(its columns are -2 .. +2)");
    x[8 + 4] = 0.5;
    refused(x, 8, 4, NULL, &o, "sort 'ben': statement 5: 0.5 is not a whole grid number");
    x[8 + 4] = NAN;
    refused(x, 8, 4, NULL, &o, "sort 'ben': statement 5 has no value");
    memcpy(x, hand_sorts, sizeof x);
    const int gv[3] = {-1, 0, 1}, gc[3] = {2, 4, 2};
    struct qf_grid g = {.ncols = 3, .value = gv, .count = gc};
    refused(x, 8, 4, &g, &o, "sort 'ana': has 1 statement at -2, the grid holds none "
                             "(its columns are -1 .. +1)");
    const int gc2[3] = {2, 4, 3};
    g.count = gc2;
    refused(x, 8, 4, &g, &o, "the grid holds 9 statements, the sorts 8");
    o.names = NULL;
    o.factors = 4;
    refused(hand_sorts, 8, 4, NULL, &o, "extract fewer factors than there are sorts");
    o.factors = 0;
    refused(hand_sorts, 8, 4, NULL, &o, "0 factors: give 1 to 8");
    o.factors = 3;
    refused(hand_sorts, 3, 4, NULL, &o, "extract fewer factors than there are statements");
    o.factors = 1;
    refused(hand_sorts, 2, 4, NULL, &o, "2 statements are too few");
    refused(hand_sorts, 8, 1, NULL, &o, "1 sort: factor analysis needs at least 2");
    /* every sort the same: one factor loads 1 on each, weight infinite */
    double same[3 * 8];
    for (size_t j = 0; j < 3; j++)
        memcpy(same + j * 8, hand_sorts, 8 * sizeof *same);
    refused(same, 8, 3, NULL, &o, "sort 1 loads");
    /* a grid of one column */
    double flat[2 * 4] = {0, 0, 0, 0, 0, 0, 0, 0};
    refused(flat, 4, 2, NULL, &o, "the grid has a single column (0)");
}

/* ---- 4. the steps on their own ---- */

static void test_correlate(void **state)
{
    (void)state;
    double r[16];
    duet_err e;
    assert_int_equal(qf_correlate(hand_sorts, 8, 4, r, &e), 0);
    assert_float_equal(r[1], 10.0 / 12.0, 1e-15);
    assert_float_equal(r[2 * 4 + 3], 0.5, 1e-15);
    assert_float_equal(r[0 * 4 + 3], 0.0, 1e-15);
    const double flat[6] = {1, 2, 3, 4, 4, 4};
    assert_int_equal(qf_correlate(flat, 3, 2, r, &e), -1);
    assert_non_null(strstr(e.msg, "sort 2: every statement has the same value"));
}

/* qf_varimax keeps each row's communality and leaves one factor alone. */
static void test_varimax_invariants(void **state)
{
    (void)state;
    double a[5 * 2] = {0.8, 0.3, 0.7, 0.4, 0.2, 0.9, -0.3, 0.6, 0.5, -0.5};
    double b[5 * 2];
    memcpy(b, a, sizeof a);
    duet_err e;
    assert_int_equal(qf_varimax(b, 5, 2, QF_VARIMAX_EPS, &e), 0);
    for (size_t i = 0; i < 5; i++)
        assert_float_equal(b[i * 2] * b[i * 2] + b[i * 2 + 1] * b[i * 2 + 1],
                           a[i * 2] * a[i * 2] + a[i * 2 + 1] * a[i * 2 + 1], 1e-12);
    double one[3] = {0.5, -0.2, 0.9};
    assert_int_equal(qf_varimax(one, 3, 1, QF_VARIMAX_EPS, &e), 0);
    assert_float_equal(one[1], -0.2, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_pca_varimax),
        cmocka_unit_test(test_hand_unrotated_and_grid),
        cmocka_unit_test(test_hand_centroid),
        cmocka_unit_test(test_hand_flags),
        cmocka_unit_test(test_small_pca_varimax),
        cmocka_unit_test(test_small_pca_none),
        cmocka_unit_test(test_small_centroid_varimax),
        cmocka_unit_test(test_small_centroid_none),
        cmocka_unit_test(test_medium_pca_varimax),
        cmocka_unit_test(test_medium_pca_none),
        cmocka_unit_test(test_medium_centroid_varimax),
        cmocka_unit_test(test_medium_centroid_none),
        cmocka_unit_test(test_large_pca_varimax),
        cmocka_unit_test(test_large_pca_none),
        cmocka_unit_test(test_wide_pca_varimax),
        cmocka_unit_test(test_wide_pca_none),
        cmocka_unit_test(test_wide_centroid_varimax),
        cmocka_unit_test(test_wide_centroid_none),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_correlate),
        cmocka_unit_test(test_varimax_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
