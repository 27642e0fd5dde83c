/*
** qfactor.c — Q-methodology factor analysis (see qfactor.h).
**
** The steps and whose algorithm each one follows:
**
**  1. Each sort is standardised to unit length: z_j = (x_j − mean) / ‖x_j − mean‖,
**     so that the person correlations are R = ZᵀZ (Z is N × n).
**  2. PCA, as psych::principal(r, nfactors = F): loadings are the top F
**     eigenvectors of R times √eigenvalue. With fewer statements than sorts
**     (the usual large study: 40 statements, hundreds of sorts) the n × n
**     matrix is never formed: the nonzero eigenvalues of ZᵀZ are those of the
**     N × N matrix G = ZZᵀ, and for G u = λ u the loading vector is
**     √λ · Zᵀu/√λ = Zᵀu. Otherwise R itself is decomposed (GSL's symmv).
**  3. Centroid, as qmethod::centroid(r, F, spc) (Brown 1980, pp. 208–224):
**     see qf_centroid below.
**  4. Varimax, as R's stats::varimax(x, normalize = TRUE, eps = 1e-5), which
**     psych::principal(rotate = "varimax") calls: Kaiser-normalise the rows,
**     then from T = I repeat z = xT, B = xᵀ(z³ − z·diag(Σᵢz²)/p), T = UVᵀ
**     from the SVD B = UDVᵀ, d = ΣD, until d < d_previous · (1 + eps) (at
**     most 1000 times); then z = xT and undo the normalisation.
**  5. As psych::principal after rotating: factors ordered by their sums of
**     squared loadings, largest first (a stable order), each signed so that
**     its loadings sum to ≥ 0. The centroid's factors get the same treatment,
**     which qmethod does not give them: its factors can come out in another
**     order and with other signs, never with other values.
**  6. Flagging, weights, z-scores, reliability and SE, distinguishing and
**     consensus statements as in domain.md §5 and qmethod's qflag, qzscores,
**     qfcharact and qdc: the z-score of a statement is the weighted sum of
**     the flagged sorts' raw values standardised over the statements (mean
**     0, SD 1 with denominator N − 1, as R's sd); SE = SD(z)·√(1 − r);
**     thresholds 1.96 and 2.576 times √(SE_a² + SE_b²).
**  7. The factor array: statements in order of z-score, ties broken by
**     statement order (the first statement takes the lower place), fill the
**     grid from its lowest column up. z-scores are compared after rounding
**     to 10 decimal places, so that statements whose weighted sums are equal
**     in exact arithmetic tie whatever the rounding of the weights.
**
** Pure numerics: never prints, never exits, touches no file.
*/
#include "stats/qfactor.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#define QF_FLAG_Z      1.96     /* flagging, and distinguishing at p < .05 (as qmethod) */
#define QF_P01_Z       2.576    /* distinguishing at p < .01 (as qmethod) */
#define QF_REL_COEF    0.8      /* the average reliability of one sort */
#define QF_VARIMAX_MAX 1000     /* stats::varimax's iteration limit */
#define QF_CENTROID_MAX 1000    /* communality iterations per centroid factor */
#define QF_MAX_GRID    1000000  /* |grid value| */
#define QF_TIE_SCALE   1e10     /* z-scores are ranked after rounding to 10 places */

/* ---- helpers ---- */

static void *xcalloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

/* "'ana'" or "3" (from 1) into buf, for messages. */
static const char *sort_label(const char *const *names, size_t j, char *buf, size_t cap)
{
    if (names && names[j])
        snprintf(buf, cap, "'%s'", names[j]);
    else
        snprintf(buf, cap, "%zu", j + 1);
    return buf;
}

/* A grid value as people write it: +4, 0, -4. */
static const char *grid_label(int v, char *buf, size_t cap)
{
    snprintf(buf, cap, v > 0 ? "+%d" : "%d", v);
    return buf;
}

/* C[i][j] = A_i · A_j for the rows of A (rows × len, row-major), the full
** symmetric rows × rows matrix. Each entry is one thread's fixed sum, so the
** result does not depend on the number of threads. */
static void gram(const double *a, size_t rows, size_t len, double *c)
{
    long nr = (long)rows;
    int big = (double)rows * (double)rows * (double)len > 4e6;
#pragma omp parallel for schedule(dynamic, 8) if (big)
    for (long il = 0; il < nr; il++) {
        size_t i = (size_t)il;
        const double *x = a + i * len;
        for (size_t j = i; j < rows; j++) {
            const double *y = a + j * len;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            size_t k = 0;
            for (; k + 4 <= len; k += 4) {
                s0 += x[k] * y[k];
                s1 += x[k + 1] * y[k + 1];
                s2 += x[k + 2] * y[k + 2];
                s3 += x[k + 3] * y[k + 3];
            }
            for (; k < len; k++)
                s0 += x[k] * y[k];
            c[i * rows + j] = (s0 + s1) + (s2 + s3);
        }
    }
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < i; j++)
            c[i * rows + j] = c[j * rows + i];
}

/* z[j*n + i] = (x[j*n + i] − mean_j) / ‖x_j − mean_j‖ for the m columns of x
** (n × m, column-major); refuses a column that does not vary. */
static int standardise(const double *x, size_t n, size_t m, const char *const *names, double *z,
                       duet_err *e)
{
    for (size_t j = 0; j < m; j++) {
        const double *c = x + j * n;
        double sum = 0.0, dev = 0.0, ss = 0.0;
        for (size_t i = 0; i < n; i++)
            sum += c[i];
        double m0 = sum / (double)n;
        for (size_t i = 0; i < n; i++)
            dev += c[i] - m0;
        double mu = m0 + dev / (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (c[i] - mu) * (c[i] - mu);
        if (!(ss > 0.0)) {
            char lb[96];
            return duet_errf(e, DUET_EINPUT, "sort %s: every statement has the same value, so "
                             "it does not correlate with anything",
                             sort_label(names, j, lb, sizeof lb));
        }
        double s = 1.0 / sqrt(ss);
        for (size_t i = 0; i < n; i++)
            z[j * n + i] = (c[i] - mu) * s;
    }
    return 0;
}

int qf_correlate(const double *x, size_t n, size_t m, double *r, duet_err *e)
{
    if (n < 3)
        return duet_errf(e, DUET_EINPUT, "%zu statements are too few to correlate; give at "
                         "least 3", n);
    if (m > SIZE_MAX / sizeof(double) / (n ? n : 1))
        return duet_errf(e, DUET_EINPUT, "too many values");
    for (size_t k = 0; k < n * m; k++)
        if (!isfinite(x[k]))
            return duet_errf(e, DUET_EINPUT, "value %zu of column %zu is not a finite number",
                             k % n + 1, k / n + 1);
    double *z = malloc((m ? n * m : 1) * sizeof *z);
    if (z == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu x %zu values", n, m);
    int rc = standardise(x, n, m, NULL, z, e);
    if (rc == 0) {
        gram(z, m, n, r);
        for (size_t j = 0; j < m; j++)
            r[j * m + j] = 1.0;
    }
    free(z);
    return rc;
}

/* ---- extraction ---- */

/* The eigenvalues (descending) and eigenvectors (columns) of the k × k
** symmetric matrix a (destroyed). */
static int eigen(double *a, size_t k, double *eval, double *evec, duet_err *e)
{
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(k);
    if (w == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for an eigenproblem of order %zu", k);
    gsl_matrix_view A = gsl_matrix_view_array(a, k, k);
    gsl_matrix_view V = gsl_matrix_view_array(evec, k, k);
    gsl_vector_view L = gsl_vector_view_array(eval, k);
    int rc = gsl_eigen_symmv(&A.matrix, &L.vector, &V.matrix, w);
    gsl_eigen_symmv_free(w);
    if (rc != 0)
        return duet_errf(e, DUET_EINTERNAL, "the eigenproblem of order %zu failed (GSL %d)", k,
                         rc);
    gsl_eigen_symmv_sort(&L.vector, &V.matrix, GSL_EIGEN_SORT_VAL_DESC);
    return 0;
}

/* PCA loadings [n][f] and the f largest eigenvalues from the standardised
** sorts z (N × n column-major: sort j at z + j*N). corr, when not NULL, is
** R already computed. */
static int pca(const double *z, size_t N, size_t n, size_t f, const double *corr, double *load,
               double *evals, duet_err *e)
{
    size_t k = N < n ? N : n;
    double *a = malloc(k * k * sizeof *a), *vec = malloc(k * k * sizeof *vec),
           *val = malloc(k * sizeof *val), *zs = NULL;
    int rc = -1;
    if (a == NULL || vec == NULL || val == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory for a %zu x %zu matrix", k, k);
        goto done;
    }
    if (N < n) {
        /* G = Z Zᵀ over the rows of Z (statement-major copy). */
        zs = malloc(N * n * sizeof *zs);
        if (zs == NULL) {
            duet_errf(e, DUET_EINTERNAL, "out of memory for %zu x %zu values", N, n);
            goto done;
        }
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < N; i++)
                zs[i * n + j] = z[j * N + i];
        gram(zs, N, n, a);
    } else if (corr) {
        memcpy(a, corr, n * n * sizeof *a);
    } else {
        gram(z, n, N, a);
    }
    if (eigen(a, k, val, vec, e) != 0)
        goto done;
    for (size_t c = 0; c < f; c++) {
        evals[c] = val[c];
        if (N < n) {
            /* loading of sort j = z_j · u_c */
            for (size_t j = 0; j < n; j++) {
                const double *zj = z + j * N;
                double s = 0.0;
                for (size_t i = 0; i < N; i++)
                    s += zj[i] * vec[i * k + c];
                load[j * f + c] = s;
            }
        } else {
            double l = sqrt(val[c] < DBL_EPSILON ? DBL_EPSILON : val[c]);
            for (size_t j = 0; j < n; j++)
                load[j * f + c] = vec[j * k + c] * l;
        }
    }
    rc = 0;
done:
    free(a);
    free(vec);
    free(val);
    free(zs);
    return rc;
}

/*
** Brown's centroid method, as qmethod::centroid (Hermans 2021, after Brown
** 1980, pp. 208–224). Per factor, on the residual matrix T (the correlations
** the factors before it leave over), with T's diagonal set to 0:
**   - reflection: while some column sum of T is negative, reflect (negate
**     the row and the column of) the sort with the smallest sum, the first
**     such sort on ties. qmethod reflects while a sum is ≤ 0; a sum of
**     exactly 0 would make it reflect forever, so that case differs;
**   - c = the column sums, h = c/(m − 1) (first communality estimates),
**     t = c + h, f = t/√Σt;
**   - communality iteration: while some |h − f²| ≥ spc: h = f², t = c + f²,
**     f = t/√Σt (qmethod iterates without a limit; here at most 1000 times);
**   - the loadings are f with the reflected sorts' signs flipped back, and
**     the residuals lose L Lᵀ.
*/
int qf_centroid(const double *r, size_t m, size_t f, double spc, double *loadings, duet_err *e)
{
    if (m < 2 || f < 1)
        return duet_errf(e, DUET_EINPUT, "the centroid needs at least 2 sorts and 1 factor");
    double *t = malloc(m * m * sizeof *t), *c = malloc(m * sizeof *c),
           *h = malloc(m * sizeof *h), *fv = malloc(m * sizeof *fv);
    signed char *s = malloc(m);
    int rc = -1;
    if (t == NULL || c == NULL || h == NULL || fv == NULL || s == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory for the centroid of %zu sorts", m);
        goto done;
    }
    memcpy(t, r, m * m * sizeof *t);
    double tol = 1e-12 * (double)m;
    for (size_t k = 0; k < f; k++) {
        /* t holds the residuals unreflected; c the column sums as reflected by s. */
        for (size_t j = 0; j < m; j++) {
            s[j] = 1;
            double sum = 0.0;
            for (size_t i = 0; i < m; i++)
                if (i != j)
                    sum += t[i * m + j];
            c[j] = sum;
        }
        size_t flips = 0, maxflips = 100 * m + 1000;
        for (;;) {
            size_t jmin = 0;
            for (size_t j = 1; j < m; j++)
                if (c[j] < c[jmin])
                    jmin = j;
            if (!(c[jmin] < -tol))
                break;
            if (++flips > maxflips) {
                duet_errf(e, DUET_EINTERNAL, "the centroid's reflections of factor %zu do not "
                          "settle", k + 1);
                goto done;
            }
            /* Reflect sort jmin: entry (i, jmin) of the reflected matrix,
            ** s_i s_jmin t_ij, changes sign. */
            for (size_t i = 0; i < m; i++)
                if (i != jmin)
                    c[i] -= 2.0 * s[i] * s[jmin] * t[i * m + jmin];
            s[jmin] = (signed char)-s[jmin];
            c[jmin] = -c[jmin];
        }
        /* Correlations are at most 1, so a sum this small is rounding error. */
        double sum = 0.0, least = 1e-10 * (double)m;
        for (size_t j = 0; j < m; j++) {
            h[j] = c[j] / (double)(m - 1);
            sum += h[j] + c[j];
        }
        if (!(sum > least)) {
            duet_errf(e, DUET_EINPUT, "the correlations left after %zu centroid factor%s are "
                      "all zero: extract fewer factors", k, k == 1 ? "" : "s");
            goto done;
        }
        double root = sqrt(sum);
        for (size_t j = 0; j < m; j++)
            fv[j] = (h[j] + c[j]) / root;
        for (int it = 0; it < QF_CENTROID_MAX; it++) {
            int settled = 1;
            for (size_t j = 0; j < m && settled; j++)
                settled = fabs(h[j] - fv[j] * fv[j]) < spc;
            if (settled)
                break;
            sum = 0.0;
            for (size_t j = 0; j < m; j++) {
                h[j] = fv[j] * fv[j];
                sum += c[j] + h[j];
            }
            if (!(sum > least)) {
                duet_errf(e, DUET_EINPUT, "the correlations left after %zu centroid factor%s "
                          "are all zero: extract fewer factors", k, k == 1 ? "" : "s");
                goto done;
            }
            root = sqrt(sum);
            for (size_t j = 0; j < m; j++)
                fv[j] = (c[j] + h[j]) / root;
        }
        for (size_t j = 0; j < m; j++)
            loadings[j * f + k] = s[j] * fv[j];
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++)
                t[i * m + j] -= loadings[i * f + k] * loadings[j * f + k];
    }
    rc = 0;
done:
    free(t);
    free(c);
    free(h);
    free(fv);
    free(s);
    return rc;
}

/* ---- rotation ---- */

static int varimax(double *a, size_t p, size_t f, double eps, int *iterations, duet_err *e)
{
    *iterations = 0;
    if (f < 2)
        return 0;
    if (f > QF_MAX_FACTORS)
        return duet_errf(e, DUET_EINPUT, "varimax of %zu factors: at most %d", f,
                         QF_MAX_FACTORS);
    double *x = malloc(p * f * sizeof *x), *z = malloc(p * f * sizeof *z),
           *sc = malloc(p * sizeof *sc);
    if (x == NULL || z == NULL || sc == NULL) {
        free(x);
        free(z);
        free(sc);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for varimax of %zu rows", p);
    }
    /* Kaiser normalisation: rows to unit length (a row of zeros stays). */
    for (size_t i = 0; i < p; i++) {
        double ss = 0.0;
        for (size_t k = 0; k < f; k++)
            ss += a[i * f + k] * a[i * f + k];
        sc[i] = ss > 0.0 ? sqrt(ss) : 1.0;
        for (size_t k = 0; k < f; k++)
            x[i * f + k] = a[i * f + k] / sc[i];
    }
    double tt[QF_MAX_FACTORS * QF_MAX_FACTORS] = {0}, b[QF_MAX_FACTORS * QF_MAX_FACTORS],
           v[QF_MAX_FACTORS * QF_MAX_FACTORS], sv[QF_MAX_FACTORS],
           work[QF_MAX_FACTORS], col2[QF_MAX_FACTORS];
    for (size_t k = 0; k < f; k++)
        tt[k * f + k] = 1.0;
    double d = 0.0;
    int it;
    for (it = 1; it <= QF_VARIMAX_MAX; it++) {
        /* z = x T */
        for (size_t i = 0; i < p; i++)
            for (size_t k = 0; k < f; k++) {
                double s = 0.0;
                for (size_t l = 0; l < f; l++)
                    s += x[i * f + l] * tt[l * f + k];
                z[i * f + k] = s;
            }
        for (size_t k = 0; k < f; k++) {
            double s = 0.0;
            for (size_t i = 0; i < p; i++)
                s += z[i * f + k] * z[i * f + k];
            col2[k] = s;
        }
        /* B = xᵀ (z³ − z diag(col2) / p) */
        memset(b, 0, sizeof b);
        for (size_t i = 0; i < p; i++)
            for (size_t k = 0; k < f; k++) {
                double zk = z[i * f + k];
                double w = zk * zk * zk - zk * col2[k] / (double)p;
                for (size_t l = 0; l < f; l++)
                    b[l * f + k] += x[i * f + l] * w;
            }
        gsl_matrix_view B = gsl_matrix_view_array(b, f, f);
        gsl_matrix_view V = gsl_matrix_view_array(v, f, f);
        gsl_vector_view S = gsl_vector_view_array(sv, f);
        gsl_vector_view W = gsl_vector_view_array(work, f);
        if (gsl_linalg_SV_decomp(&B.matrix, &V.matrix, &S.vector, &W.vector) != 0) {
            free(x);
            free(z);
            free(sc);
            return duet_errf(e, DUET_EINTERNAL, "varimax: the SVD failed");
        }
        /* T = U Vᵀ (U is in b) */
        for (size_t k = 0; k < f; k++)
            for (size_t l = 0; l < f; l++) {
                double s = 0.0;
                for (size_t q = 0; q < f; q++)
                    s += b[k * f + q] * v[l * f + q];
                tt[k * f + l] = s;
            }
        double dpast = d;
        d = 0.0;
        for (size_t k = 0; k < f; k++)
            d += sv[k];
        if (d < dpast * (1.0 + eps))
            break;
    }
    *iterations = it > QF_VARIMAX_MAX ? QF_VARIMAX_MAX : it;
    for (size_t i = 0; i < p; i++)
        for (size_t k = 0; k < f; k++) {
            double s = 0.0;
            for (size_t l = 0; l < f; l++)
                s += x[i * f + l] * tt[l * f + k];
            a[i * f + k] = s * sc[i];
        }
    free(x);
    free(z);
    free(sc);
    return 0;
}

int qf_varimax(double *a, size_t p, size_t f, double eps, duet_err *e)
{
    int it;
    return varimax(a, p, f, eps, &it, e);
}

/* psych::principal's last step: columns by decreasing sum of squares
** (stable), each signed so that it sums to ≥ 0. */
static void order_and_sign(double *a, size_t p, size_t f)
{
    double ss[QF_MAX_FACTORS], tmp[QF_MAX_FACTORS];
    size_t ord[QF_MAX_FACTORS];
    for (size_t k = 0; k < f; k++) {
        ss[k] = 0.0;
        for (size_t i = 0; i < p; i++)
            ss[k] += a[i * f + k] * a[i * f + k];
        ord[k] = k;
    }
    if (f > 1) {
        for (size_t k = 1; k < f; k++) {   /* insertion sort: stable */
            size_t o = ord[k], q = k;
            while (q > 0 && ss[ord[q - 1]] < ss[o]) {
                ord[q] = ord[q - 1];
                q--;
            }
            ord[q] = o;
        }
        for (size_t i = 0; i < p; i++) {
            for (size_t k = 0; k < f; k++)
                tmp[k] = a[i * f + ord[k]];
            memcpy(a + i * f, tmp, f * sizeof *tmp);
        }
    }
    for (size_t k = 0; k < f; k++) {
        double sum = 0.0;
        for (size_t i = 0; i < p; i++)
            sum += a[i * f + k];
        if (sum < 0.0)
            for (size_t i = 0; i < p; i++)
                a[i * f + k] = -a[i * f + k];
    }
}

/* ---- after extraction ---- */

void qf_flag(const double *loadings, size_t p, size_t f, size_t nstatements, int *flagged)
{
    double thr = QF_FLAG_Z / sqrt((double)nstatements);
    for (size_t i = 0; i < p; i++) {
        const double *l = loadings + i * f;
        double total = 0.0;
        for (size_t k = 0; k < f; k++)
            total += l[k] * l[k];
        for (size_t k = 0; k < f; k++) {
            double sq = l[k] * l[k];
            flagged[i * f + k] = sq > total - sq && fabs(l[k]) > thr;
        }
    }
}

struct ranked {
    long long key;
    size_t i;
};

static int cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* The grid from the first sort, or the one given; checks every sort against it. */
static int grid_setup(const double *x, size_t N, size_t n, const struct qf_grid *g,
                      const char *const *names, struct qf_result *r, duet_err *e)
{
    char lb[96], vb[24], vb2[24], vb3[24];
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < N; i++) {
            double v = x[j * N + i];
            if (!isfinite(v) || v != floor(v) || fabs(v) > QF_MAX_GRID) {
                if (isnan(v))
                    return duet_errf(e, DUET_EINPUT, "sort %s: statement %zu has no value; "
                                     "every statement needs a place in every sort",
                                     sort_label(names, j, lb, sizeof lb), i + 1);
                return duet_errf(e, DUET_EINPUT, "sort %s: statement %zu: %g is not a whole "
                                 "grid number (within -%d .. +%d)",
                                 sort_label(names, j, lb, sizeof lb), i + 1, v, QF_MAX_GRID,
                                 QF_MAX_GRID);
            }
        }
    size_t nc = 0;
    if (g) {
        if (g->ncols < 1 || g->value == NULL || g->count == NULL)
            return duet_errf(e, DUET_EINPUT, "the grid has no columns");
        size_t total = 0;
        for (size_t c = 0; c < g->ncols; c++) {
            if (c > 0 && g->value[c] <= g->value[c - 1])
                return duet_errf(e, DUET_EINPUT, "the grid's values must be strictly "
                                 "ascending (%d after %d)", g->value[c], g->value[c - 1]);
            if (g->count[c] < 0)
                return duet_errf(e, DUET_EINPUT, "the grid's column %d holds %d statements",
                                 g->value[c], g->count[c]);
            total += (size_t)g->count[c];
        }
        if (total != N)
            return duet_errf(e, DUET_EINPUT, "the grid holds %zu statements, the sorts %zu",
                             total, N);
        nc = g->ncols;
    }
    r->grid_value = xcalloc(g ? nc : N, sizeof *r->grid_value);
    r->grid_count = xcalloc(g ? nc : N, sizeof *r->grid_count);
    int *have = xcalloc(g ? nc : N, sizeof *have);
    if (r->grid_value == NULL || r->grid_count == NULL || have == NULL) {
        free(have);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for the grid");
    }
    if (g) {
        memcpy(r->grid_value, g->value, nc * sizeof *g->value);
        memcpy(r->grid_count, g->count, nc * sizeof *g->count);
    } else {
        /* the first sort's distinct values, ascending, with their counts */
        for (size_t i = 0; i < N; i++) {
            int v = (int)x[i];
            size_t c = 0;
            while (c < nc && r->grid_value[c] < v)
                c++;
            if (c < nc && r->grid_value[c] == v) {
                r->grid_count[c]++;
                continue;
            }
            memmove(r->grid_value + c + 1, r->grid_value + c, (nc - c) * sizeof(int));
            memmove(r->grid_count + c + 1, r->grid_count + c, (nc - c) * sizeof(int));
            r->grid_value[c] = v;
            r->grid_count[c] = 1;
            nc++;
        }
    }
    r->grid_cols = nc;
    int rc = 0;
    for (size_t j = 0; j < n && rc == 0; j++) {
        memset(have, 0, nc * sizeof *have);
        for (size_t i = 0; i < N && rc == 0; i++) {
            int v = (int)x[j * N + i];
            size_t lo = 0, hi = nc;   /* binary search in the ascending values */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (r->grid_value[mid] < v)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < nc && r->grid_value[lo] == v) {
                have[lo]++;
                continue;
            }
            size_t same = 0;
            for (size_t q = 0; q < N; q++)
                same += x[j * N + q] == (double)v;
            rc = duet_errf(e, DUET_EINPUT, "sort %s: has %zu statement%s at %s, the grid holds "
                           "none (its columns are %s .. %s)",
                           sort_label(names, j, lb, sizeof lb), same, same == 1 ? "" : "s",
                           grid_label(v, vb, sizeof vb),
                           grid_label(r->grid_value[0], vb2, sizeof vb2),
                           grid_label(r->grid_value[nc - 1], vb3, sizeof vb3));
        }
        for (size_t c = 0; c < nc && rc == 0; c++)
            if (have[c] != r->grid_count[c])
                rc = duet_errf(e, DUET_EINPUT, "sort %s: has %d statement%s at %s, the grid "
                               "holds %d", sort_label(names, j, lb, sizeof lb), have[c],
                               have[c] == 1 ? "" : "s", grid_label(r->grid_value[c], vb, sizeof vb),
                               r->grid_count[c]);
    }
    free(have);
    if (rc == 0 && nc < 2)
        rc = duet_errf(e, DUET_EINPUT, "the grid has a single column (%s): the sorts do not "
                       "vary, so nothing can be correlated",
                       grid_label(r->grid_value[0], vb, sizeof vb));
    return rc;
}

/* Flags, weights, z-scores, factor arrays, reliability, SE, distinguishing
** and consensus statements from r->loadings. */
static int scores(const double *x, const char *const *names, struct qf_result *r, duet_err *e)
{
    size_t N = r->nstatements, n = r->nsorts, F = r->nfactors;
    char lb[96];
    qf_flag(r->loadings, n, F, N, r->flagged);
    for (size_t k = 0; k < F; k++) {
        r->nflagged[k] = 0;
        for (size_t j = 0; j < n; j++) {
            if (!r->flagged[j * F + k]) {
                r->weights[j * F + k] = 0.0;
                continue;
            }
            double a = r->loadings[j * F + k], u = 1.0 - a * a;
            if (!(u > 1e-12))
                return duet_errf(e, DUET_EINPUT, "sort %s loads %.12g on factor %zu, so its "
                                 "weight a/(1 - a^2) is infinite: it is a copy (or a reversal) "
                                 "of the factor; remove sorts that copy others",
                                 sort_label(names, j, lb, sizeof lb), a, k + 1);
            r->weights[j * F + k] = a / u;
            r->nflagged[k]++;
        }
    }
    double *sum = malloc(N * sizeof *sum);
    struct ranked *rk = malloc(N * sizeof *rk);
    if (sum == NULL || rk == NULL) {
        free(sum);
        free(rk);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu statements", N);
    }
    for (size_t k = 0; k < F; k++) {
        size_t p = r->nflagged[k];
        double rel = p ? QF_REL_COEF * (double)p / (1.0 + QF_REL_COEF * ((double)p - 1.0)) : 0.0;
        r->reliability[k] = rel;
        r->se[k] = NAN;
        for (size_t i = 0; i < N; i++) {
            r->zscores[i * F + k] = NAN;
            r->array[i * F + k] = QF_NO_VALUE;
        }
        if (p == 0)
            continue;
        for (size_t i = 0; i < N; i++)
            sum[i] = 0.0;
        for (size_t j = 0; j < n; j++) {
            if (!r->flagged[j * F + k])
                continue;
            double w = r->weights[j * F + k];
            for (size_t i = 0; i < N; i++)
                sum[i] += w * x[j * N + i];
        }
        double mean = 0.0, ss = 0.0;
        for (size_t i = 0; i < N; i++)
            mean += sum[i];
        mean /= (double)N;
        for (size_t i = 0; i < N; i++)
            ss += (sum[i] - mean) * (sum[i] - mean);
        double sd = sqrt(ss / (double)(N - 1));
        if (!(sd > 0.0) || !isfinite(sd))
            continue;   /* weights that cancel: no z-scores (never with real sorts) */
        double zmean = 0.0, zss = 0.0;
        for (size_t i = 0; i < N; i++) {
            r->zscores[i * F + k] = (sum[i] - mean) / sd;
            zmean += r->zscores[i * F + k];
        }
        zmean /= (double)N;
        for (size_t i = 0; i < N; i++) {
            double d = r->zscores[i * F + k] - zmean;
            zss += d * d;
        }
        r->se[k] = sqrt(zss / (double)(N - 1)) * sqrt(1.0 - rel);
        for (size_t i = 0; i < N; i++) {
            rk[i].key = llround(r->zscores[i * F + k] * QF_TIE_SCALE);
            rk[i].i = i;
        }
        qsort(rk, N, sizeof *rk, cmp_ranked);
        size_t pos = 0;
        for (size_t c = 0; c < r->grid_cols; c++)
            for (int q = 0; q < r->grid_count[c]; q++)
                r->array[rk[pos++].i * F + k] = r->grid_value[c];
    }
    free(sum);
    free(rk);
    size_t defined = 0;
    for (size_t k = 0; k < F; k++)
        defined += !isnan(r->se[k]);
    for (size_t i = 0; i < N; i++) {
        int any = 0;
        for (size_t a = 0; a < F; a++) {
            r->distinguishing[(i * F + a) * F + a] = 0;
            for (size_t b = a + 1; b < F; b++) {
                int lv = 0;
                if (!isnan(r->se[a]) && !isnan(r->se[b])) {
                    double sed = sqrt(r->se[a] * r->se[a] + r->se[b] * r->se[b]);
                    double d = fabs(r->zscores[i * F + a] - r->zscores[i * F + b]);
                    lv = d > QF_P01_Z * sed ? 2 : d > QF_FLAG_Z * sed ? 1 : 0;
                }
                r->distinguishing[(i * F + a) * F + b] = lv;
                r->distinguishing[(i * F + b) * F + a] = lv;
                any |= lv > 0;
            }
        }
        r->consensus[i] = defined >= 2 && !any;
    }
    return 0;
}

/* ---- the whole analysis ---- */

void qf_free(struct qf_result *r)
{
    if (r == NULL)
        return;
    free(r->corr);
    free(r->eigenvalues);
    free(r->loadings);
    free(r->explained);
    free(r->flagged);
    free(r->nflagged);
    free(r->weights);
    free(r->zscores);
    free(r->array);
    free(r->grid_value);
    free(r->grid_count);
    free(r->reliability);
    free(r->se);
    free(r->distinguishing);
    free(r->consensus);
    memset(r, 0, sizeof *r);
}

int qf_analyse(const double *sorts, size_t nstatements, size_t nsorts,
               const struct qf_grid *grid, const struct qf_options *o,
               struct qf_result *out, duet_err *e)
{
    memset(out, 0, sizeof *out);
    size_t N = nstatements, n = nsorts;
    if (o == NULL || sorts == NULL)
        return duet_errf(e, DUET_EINPUT, "no sorts or no options given");
    if (N < 3)
        return duet_errf(e, DUET_EINPUT, "%zu statements are too few; a Q-set needs at least 3",
                         N);
    if (n < 2)
        return duet_errf(e, DUET_EINPUT, "%zu sort%s: factor analysis needs at least 2", n,
                         n == 1 ? "" : "s");
    if (N > QF_MAX_STATEMENTS)
        return duet_errf(e, DUET_EINPUT, "%zu statements: at most %d", N, QF_MAX_STATEMENTS);
    if (n > QF_MAX_SORTS)
        return duet_errf(e, DUET_EINPUT, "%zu sorts: at most %d", n, QF_MAX_SORTS);
    if (o->factors < 1 || o->factors > QF_MAX_FACTORS)
        return duet_errf(e, DUET_EINPUT, "%d factors: give 1 to %d", o->factors,
                         QF_MAX_FACTORS);
    size_t F = (size_t)o->factors;
    if (F >= n)
        return duet_errf(e, DUET_EINPUT, "%zu factors from %zu sorts: extract fewer factors "
                         "than there are sorts", F, n);
    if (F >= N)
        return duet_errf(e, DUET_EINPUT, "%zu factors from %zu statements: extract fewer "
                         "factors than there are statements", F, N);
    if (o->extract != QF_PCA && o->extract != QF_CENTROID)
        return duet_errf(e, DUET_EINPUT, "unknown extraction method %d", (int)o->extract);
    if (o->rotate != QF_VARIMAX && o->rotate != QF_NONE)
        return duet_errf(e, DUET_EINPUT, "unknown rotation %d", (int)o->rotate);
    int need_corr = o->extract == QF_CENTROID || !o->skip_correlations;
    if (need_corr && n > QF_MAX_CORR_SORTS)
        return duet_errf(e, DUET_EINPUT, "%zu sorts: the person correlations (and the centroid "
                         "method) are limited to %d sorts; use PCA without the correlations",
                         n, QF_MAX_CORR_SORTS);

    struct qf_result *r = out;
    r->nstatements = N;
    r->nsorts = n;
    r->nfactors = F;
    r->flag_threshold = QF_FLAG_Z / sqrt((double)N);
    double *z = NULL;
    int rc = -1;
    if (grid_setup(sorts, N, n, grid, o->names, r, e) != 0)
        goto fail;
    r->eigenvalues = xcalloc(F, sizeof *r->eigenvalues);
    r->loadings = xcalloc(n * F, sizeof *r->loadings);
    r->explained = xcalloc(F, sizeof *r->explained);
    r->flagged = xcalloc(n * F, sizeof *r->flagged);
    r->nflagged = xcalloc(F, sizeof *r->nflagged);
    r->weights = xcalloc(n * F, sizeof *r->weights);
    r->zscores = xcalloc(N * F, sizeof *r->zscores);
    r->array = xcalloc(N * F, sizeof *r->array);
    r->reliability = xcalloc(F, sizeof *r->reliability);
    r->se = xcalloc(F, sizeof *r->se);
    r->distinguishing = xcalloc(N * F * F, sizeof *r->distinguishing);
    r->consensus = xcalloc(N, sizeof *r->consensus);
    z = malloc(N * n * sizeof *z);
    if (need_corr)
        r->corr = malloc(n * n * sizeof *r->corr);
    if (r->eigenvalues == NULL || r->loadings == NULL || r->explained == NULL ||
        r->flagged == NULL || r->nflagged == NULL || r->weights == NULL || r->zscores == NULL ||
        r->array == NULL || r->reliability == NULL || r->se == NULL ||
        r->distinguishing == NULL || r->consensus == NULL || z == NULL ||
        (need_corr && r->corr == NULL)) {
        duet_errf(e, DUET_EINTERNAL, "out of memory for %zu statements x %zu sorts", N, n);
        goto fail;
    }
    if (standardise(sorts, N, n, o->names, z, e) != 0)
        goto fail;
    if (need_corr) {
        gram(z, n, N, r->corr);
        for (size_t j = 0; j < n; j++)
            r->corr[j * n + j] = 1.0;
    }
    if (o->extract == QF_PCA) {
        if (pca(z, N, n, F, r->corr, r->loadings, r->eigenvalues, e) != 0)
            goto fail;
    } else {
        if (qf_centroid(r->corr, n, F, QF_CENTROID_SPC, r->loadings, e) != 0)
            goto fail;
        for (size_t k = 0; k < F; k++) {
            double ss = 0.0;
            for (size_t j = 0; j < n; j++)
                ss += r->loadings[j * F + k] * r->loadings[j * F + k];
            r->eigenvalues[k] = ss;
        }
    }
    if (o->rotate == QF_VARIMAX &&
        varimax(r->loadings, n, F, QF_VARIMAX_EPS, &r->iterations, e) != 0)
        goto fail;
    order_and_sign(r->loadings, n, F);
    for (size_t k = 0; k < F; k++) {
        double ss = 0.0;
        for (size_t j = 0; j < n; j++)
            ss += r->loadings[j * F + k] * r->loadings[j * F + k];
        r->explained[k] = ss / (double)n;
    }
    if (scores(sorts, o->names, r, e) != 0)
        goto fail;
    rc = 0;
    free(z);
    return rc;
fail:
    free(z);
    qf_free(r);
    return rc;
}
