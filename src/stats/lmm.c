/*
** lmm.c — random-intercept linear mixed models by profiled REML/ML (see lmm.h).
**
** The method is lme4's (Bates, Maechler, Bolker & Walker 2015, JSS 67(1),
** section 3). With theta_k = tau_k / sigma, Lambda = diag(theta_1 I, theta_2 I)
** and A = Lambda Z'Z Lambda + I, write W = [X y] and
**
**   M(theta) = W'W - W'Z Lambda A^-1 Lambda Z'W          ((p+1) x (p+1)).
**
** Its leading p x p block is R_X'R_X, the Cholesky factor of M gives beta in
** closed form, and the square of its last diagonal element is the penalised
** residual sum of squares r2. The profiled deviance is then
**
**   ML:   log|A| + n (1 + log(2 pi r2 / n))
**   REML: log|A| + log|R_X'R_X| + (n-p) (1 + log(2 pi r2 / (n-p)))
**
** Everything M needs comes from per-level sums computed in one pass over the
** data (counts, sums of the rows of W), so an evaluation costs O(levels p^2).
** With two factors the one with more levels (the inner one when nested) is
** eliminated first: its block of A is diagonal. The Schur complement S onto
** the other factor is diagonal when nested and is factorised densely when
** crossed.
**
** Before that, X = Q R (Gram–Schmidt, which also finds collinear columns)
** and the fit works with W = [Q r], r being y's least-squares residual on X.
** The model is invariant to both changes: beta maps back through R and the
** OLS coefficients, and log|R_X'R_X| gains the constant log|R'R|. They keep
** W'W from cancelling catastrophically when y or a column of X has a large
** mean or scale.
**
** The deviance depends on theta only through theta^2, so it is smooth and
** even in each theta_k: the optimiser works on t with theta = |t|, then
** polishes the optimum with Newton steps on central differences and compares
** it with the optima on the boundary faces theta_k = 0.
**
** Pure numerics: never prints, never exits, touches no file.
*/
#include "stats/lmm.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LMM_CROSSED_MAX 4000    /* levels of the kept factor when crossed */
#define LMM_COLLINEAR_TOL 1e-7  /* as R's qr() in lm and lme4 */
#define LMM_THETA_MAX 1e6
#define LMM_MAX_EVALS 5000
#define LMM_SINGULAR_TOL 1e-6

/* ---- the work space: sufficient statistics and scratch ---- */

struct lmm_work {
    size_t n, p, P;     /* P = p + 1: the columns of W = [X y] */
    int nf;
    int el, kp;         /* the eliminated and the kept factor (kp < 0: one factor) */
    size_t qe, qk;
    int nested;         /* the eliminated factor is nested in the kept one */
    double *G;          /* [P][P] W'W */
    double *De, *Dk;    /* [qe], [qk] counts */
    double *Se, *Sk;    /* [qe][P], [qk][P] sums of the rows of W */
    size_t *nz_start;   /* [qe + 1] crossed: the kept levels met by each eliminated level */
    uint32_t *nz_k;     /* [nnz] */
    double *nz_c;       /* [nnz] how often */
    uint32_t *parent;   /* [qe] nested: the kept level of each eliminated level */
    double *beta_ols;   /* [p] the shift taken out of y */
    double *R;          /* [p][p] X = Q R: the fit works with Q in place of X */
    double logdetR2;    /* log |R'R|, what REML's log |R_X'R_X| loses to Q */
    /* scratch for one evaluation */
    double *M;          /* [P][P], lower triangle: M, then its Cholesky factor */
    double *ck;         /* [qk][P] */
    double *S;          /* [qk] (nested) or [qk][qk] (crossed) */
    double *rw;         /* [P] */
    long nevals;
    int reml;
};

static void work_free(struct lmm_work *w)
{
    free(w->G);
    free(w->De);
    free(w->Dk);
    free(w->Se);
    free(w->Sk);
    free(w->nz_start);
    free(w->nz_k);
    free(w->nz_c);
    free(w->parent);
    free(w->beta_ols);
    free(w->R);
    free(w->M);
    free(w->ck);
    free(w->S);
    free(w->rw);
}

/* In-place Cholesky of the lower triangle of the k x k row-major matrix a
** (lda = k): a = L L'. Returns 0, or -1 when a is not positive definite. */
static int chol_lower(double *a, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        double *ri = a + i * k;
        for (size_t j = 0; j <= i; j++) {
            const double *rj = a + j * k;
            double s0 = ri[j], s1 = 0, s2 = 0, s3 = 0;
            size_t m = 0;
            for (; m + 4 <= j; m += 4) {
                s0 -= ri[m] * rj[m];
                s1 -= ri[m + 1] * rj[m + 1];
                s2 -= ri[m + 2] * rj[m + 2];
                s3 -= ri[m + 3] * rj[m + 3];
            }
            for (; m < j; m++)
                s0 -= ri[m] * rj[m];
            double s = (s0 + s1) + (s2 + s3);
            if (i == j) {
                if (!(s > 0))
                    return -1;
                ri[i] = sqrt(s);
            } else {
                ri[j] = s / rj[j];
            }
        }
    }
    return 0;
}

/* The dense Cholesky for crossed factors: right-looking, in blocks of
** CHOL_NB columns; the trailing update (nearly all the work) runs in tiles
** of 4 x 4 so that each loaded value serves four products, on every core
** when the matrix is big enough to pay for the threads. Same contract as
** chol_lower; a is n x n, row-major, lower triangle used. */
#define CHOL_NB 64

static void chol_tile4(double *a, size_t n, size_t k0, size_t kb, size_t i0, size_t j0)
{
    double c[4][4] = {{0}};
    const double *ai[4], *aj[4];
    for (int r = 0; r < 4; r++) {
        ai[r] = a + (i0 + (size_t)r) * n + k0;
        aj[r] = a + (j0 + (size_t)r) * n + k0;
    }
    for (size_t m = 0; m < kb; m++) {
        double x0 = ai[0][m], x1 = ai[1][m], x2 = ai[2][m], x3 = ai[3][m];
        for (int q = 0; q < 4; q++) {
            double y = aj[q][m];
            c[0][q] += x0 * y;
            c[1][q] += x1 * y;
            c[2][q] += x2 * y;
            c[3][q] += x3 * y;
        }
    }
    for (int r = 0; r < 4; r++)
        for (int q = 0; q < 4; q++)
            a[(i0 + (size_t)r) * n + j0 + (size_t)q] -= c[r][q];
}

static int chol_blocked(double *a, size_t n)
{
    if (n < 1024)
        return chol_lower(a, n);    /* fits in cache: blocking only costs */
    for (size_t k0 = 0; k0 < n; k0 += CHOL_NB) {
        size_t kb = n - k0 < CHOL_NB ? n - k0 : CHOL_NB, k1 = k0 + kb;
        /* the diagonal block (earlier columns are already subtracted) */
        for (size_t i = k0; i < k1; i++) {
            double *ri = a + i * n;
            for (size_t j = k0; j <= i; j++) {
                const double *rj = a + j * n;
                double sum = ri[j];
                for (size_t m = k0; m < j; m++)
                    sum -= ri[m] * rj[m];
                if (i == j) {
                    if (!(sum > 0))
                        return -1;
                    ri[i] = sqrt(sum);
                } else {
                    ri[j] = sum / rj[j];
                }
            }
        }
        if (k1 == n)
            break;
        /* the panel below it: each row solves against the block's L' */
        size_t rows = n - k1;
#pragma omp parallel for schedule(static) if (rows >= 512)
        for (size_t i = k1; i < n; i++) {
            double *ri = a + i * n;
            for (size_t j = k0; j < k1; j++) {
                const double *rj = a + j * n;
                double sum = ri[j];
                for (size_t m = k0; m < j; m++)
                    sum -= ri[m] * rj[m];
                ri[j] = sum / rj[j];
            }
        }
        /* the trailing matrix, in tiles of 4 rows */
        size_t ntile = (rows + 3) / 4;
#pragma omp parallel for schedule(dynamic, 4) if (rows >= 512)
        for (size_t t = 0; t < ntile; t++) {
            size_t i0 = k1 + 4 * t, ni = n - i0 < 4 ? n - i0 : 4;
            size_t j0 = k1;
            if (ni == 4)
                for (; j0 + 4 <= i0; j0 += 4)
                    chol_tile4(a, n, k0, kb, i0, j0);
            for (size_t i = i0; i < i0 + ni; i++) {
                double *ri = a + i * n;
                for (size_t j = j0; j <= i; j++) {
                    const double *rj = a + j * n;
                    double s0 = 0, s1 = 0;
                    size_t m = k0;
                    for (; m + 2 <= k1; m += 2) {
                        s0 += ri[m] * rj[m];
                        s1 += ri[m + 1] * rj[m + 1];
                    }
                    for (; m < k1; m++)
                        s0 += ri[m] * rj[m];
                    ri[j] -= s0 + s1;
                }
            }
        }
    }
    return 0;
}

/* ---- the profiled deviance ---- */

/* log of a long product, with one log at the end instead of one per factor:
** the mantissa is renormalised every 8 factors (each factor is >= 1 and
** below 1e38 here, so nothing overflows in between). */
struct logprod {
    double m;
    int e, k;
};

static void lp_init(struct logprod *l)
{
    l->m = 1;
    l->e = 0;
    l->k = 0;
}

static inline void lp_mul(struct logprod *l, double x)
{
    l->m *= x;
    if (++l->k == 8) {
        int ex;
        l->m = frexp(l->m, &ex);
        l->e += ex;
        l->k = 0;
    }
}

static double lp_log(const struct logprod *l) { return log(l->m) + l->e * M_LN2; }

/* Fills w->M with M(theta) and factorises it; *logdetA gets log|A|.
** Returns 0, or -1 when a factorisation fails (theta out of reach). */
static int build_M(struct lmm_work *w, const double theta[2], double *logdetA)
{
    const size_t P = w->P;
    double *M = w->M;
    memcpy(M, w->G, P * P * sizeof *M);
    double te = theta[w->el], te2 = te * te;
    struct logprod ld;
    lp_init(&ld);

    /* The eliminated factor: A_ee = te^2 De + I is diagonal. */
    for (size_t i = 0; i < w->qe; i++) {
        double a = te2 * w->De[i] + 1;
        lp_mul(&ld, a);
        double c = te2 / a;
        if (c == 0)
            continue;
        const double *s = w->Se + i * P;
        for (size_t r = 0; r < P; r++) {
            double cr = c * s[r];
            for (size_t k = 0; k <= r; k++)
                M[r * P + k] -= cr * s[k];
        }
    }
    if (w->kp >= 0) {
        double tk = theta[w->kp], tk2 = tk * tk;
        const size_t qk = w->qk;
        /* ck = Sk - te^2 N A_ee^-1 Se: the kept factor's sums with the
        ** eliminated factor projected out. */
        memcpy(w->ck, w->Sk, qk * P * sizeof *w->ck);
        if (w->nested) {
            /* S_jj = 1 + tk^2 sum_{i in j} De_i / a_i: diagonal, >= 1. */
            for (size_t j = 0; j < qk; j++)
                w->S[j] = 0;
            for (size_t i = 0; i < w->qe; i++) {
                double a = te2 * w->De[i] + 1;
                size_t j = w->parent[i];
                w->S[j] += w->De[i] / a;
                double c = te2 * w->De[i] / a;
                if (c == 0)
                    continue;
                const double *s = w->Se + i * P;
                double *cj = w->ck + j * P;
                for (size_t r = 0; r < P; r++)
                    cj[r] -= c * s[r];
            }
            for (size_t j = 0; j < qk; j++) {
                double sj = 1 + tk2 * w->S[j];
                lp_mul(&ld, sj);
                double c = tk2 / sj;
                if (c == 0)
                    continue;
                const double *cj = w->ck + j * P;
                for (size_t r = 0; r < P; r++) {
                    double cr = c * cj[r];
                    for (size_t k = 0; k <= r; k++)
                        M[r * P + k] -= cr * cj[k];
                }
            }
        } else {
            /* S = I + tk^2 (Dk - te^2 N A_ee^-1 N'), dense; lower triangle. */
            double *S = w->S;
            memset(S, 0, qk * qk * sizeof *S);
            for (size_t j = 0; j < qk; j++)
                S[j * qk + j] = 1 + tk2 * w->Dk[j];
            for (size_t i = 0; i < w->qe; i++) {
                double a = te2 * w->De[i] + 1;
                double c = te2 / a;
                if (c == 0)
                    continue;
                const double *s = w->Se + i * P;
                for (size_t m = w->nz_start[i]; m < w->nz_start[i + 1]; m++) {
                    size_t j = w->nz_k[m];
                    double cm = c * w->nz_c[m];
                    double *cj = w->ck + j * P;
                    for (size_t r = 0; r < P; r++)
                        cj[r] -= cm * s[r];
                    double cs = tk2 * cm;
                    for (size_t l = w->nz_start[i]; l <= m; l++)
                        S[j * qk + w->nz_k[l]] -= cs * w->nz_c[l];
                }
            }
            if (chol_blocked(S, qk) != 0)
                return -1;
            for (size_t j = 0; j < qk; j++)
                lp_mul(&ld, S[j * qk + j] * S[j * qk + j]);
            /* V = tk L^-1 ck, then M -= V'V, row by row of V. */
            for (size_t j = 0; j < qk; j++) {
                double *vj = w->ck + j * P;
                const double *lj = S + j * qk;
                for (size_t l = 0; l < j; l++) {
                    double c = lj[l];
                    if (c == 0)
                        continue;
                    const double *vl = w->ck + l * P;
                    for (size_t r = 0; r < P; r++)
                        vj[r] -= c * vl[r];
                }
                for (size_t r = 0; r < P; r++)
                    vj[r] /= lj[j];
            }
            for (size_t j = 0; j < qk; j++) {
                const double *vj = w->ck + j * P;
                for (size_t r = 0; r < P; r++) {
                    double cr = tk2 * vj[r];
                    for (size_t k = 0; k <= r; k++)
                        M[r * P + k] -= cr * vj[k];
                }
            }
        }
    }
    *logdetA = lp_log(&ld);
    return chol_lower(M, P);
}

/* The profiled deviance (REML criterion or -2 log-likelihood) at theta. */
static double deviance_at(struct lmm_work *w, const double theta[2])
{
    w->nevals++;
    double ld;
    if (build_M(w, theta, &ld) != 0)
        return HUGE_VAL;
    const size_t P = w->P, p = w->p;
    double lrr = w->M[p * P + p];
    double r2 = lrr * lrr;
    if (!(r2 > 0))
        return HUGE_VAL;
    double n = (double)w->n;
    if (!w->reml)
        return ld + n * (1 + log(2 * M_PI * r2 / n));
    double lx = w->logdetR2;
    for (size_t i = 0; i < p; i++)
        lx += 2 * log(w->M[i * P + i]);
    double df = n - (double)p;
    return ld + lx + df * (1 + log(2 * M_PI * r2 / df));
}

/* ---- optimisation ---- */

/* The objective in the coordinates the optimisers see: free[] picks which
** thetas vary (their values are |t|), the others stay at fixed[]. */
struct objective {
    struct lmm_work *w;
    int nfree;
    int idx[2];         /* theta index of each free coordinate */
    double base[2];     /* theta with the fixed ones set */
};

static double obj_eval(struct objective *o, const double *t)
{
    double th[2] = {o->base[0], o->base[1]};
    for (int k = 0; k < o->nfree; k++)
        th[o->idx[k]] = fabs(t[k]);
    if (th[0] > LMM_THETA_MAX || th[1] > LMM_THETA_MAX)
        return HUGE_VAL;
    return deviance_at(o->w, th);
}

static double obj1(struct objective *o, double t) { return obj_eval(o, &t); }

/* Brent's minimiser without derivatives (Brent 1973, ch. 5) on [a, b]. */
static double brent_min(struct objective *o, double a, double b, double tol, double *fmin)
{
    const double cg = 0.3819660112501051;  /* (3 - sqrt 5) / 2 */
    const double eps = sqrt(DBL_EPSILON);
    double x = a + cg * (b - a), v = x, wv = x;
    double fx = obj1(o, x), fv = fx, fw = fx;
    double d = 0, e = 0;
    for (int it = 0; it < 500; it++) {
        double xm = 0.5 * (a + b);
        double tol1 = eps * fabs(x) + tol / 3, tol2 = 2 * tol1;
        if (fabs(x - xm) <= tol2 - 0.5 * (b - a))
            break;
        int golden = 1;
        if (fabs(e) > tol1) {
            double r = (x - wv) * (fx - fv);
            double q = (x - v) * (fx - fw);
            double pp = (x - v) * q - (x - wv) * r;
            q = 2 * (q - r);
            if (q > 0)
                pp = -pp;
            else
                q = -q;
            double etemp = e;
            e = d;
            if (fabs(pp) < fabs(0.5 * q * etemp) && pp > q * (a - x) && pp < q * (b - x)) {
                d = pp / q;
                double u = x + d;
                if (u - a < tol2 || b - u < tol2)
                    d = x < xm ? tol1 : -tol1;
                golden = 0;
            }
        }
        if (golden) {
            e = x < xm ? b - x : a - x;
            d = cg * e;
        }
        double u = x + (fabs(d) >= tol1 ? d : (d > 0 ? tol1 : -tol1));
        double fu = obj1(o, u);
        if (fu <= fx) {
            if (u < x)
                b = x;
            else
                a = x;
            v = wv;
            fv = fw;
            wv = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if (u < x)
                a = u;
            else
                b = u;
            if (fu <= fw || wv == x) {
                v = wv;
                fv = fw;
                wv = u;
                fw = fu;
            } else if (fu <= fv || v == x || v == wv) {
                v = u;
                fv = fu;
            }
        }
    }
    *fmin = fx;
    return x;
}

/* Noise allowance when comparing deviances. */
static double dev_tol(double f) { return 1e-12 * (1 + fabs(f)); }

/* Newton steps on central differences at an interior optimum of the
** nfree-dimensional objective (theta = t > 0, *f = its value there). Gets
** the optimum to about eps_f / (h * curvature) instead of Brent's or the
** simplex's sqrt(eps_f / curvature). Returns 1 when the gradient at the
** last point examined is small (below 1e-3, the size lme4 checks for). */
static int newton_polish(struct objective *o, double *t, double *f)
{
    int ok = 0;
    for (int it = 0; it < 4; it++) {
        double h[2] = {0, 0}, g[2] = {0, 0}, H[2][2] = {{0, 0}, {0, 0}};
        for (int k = 0; k < o->nfree; k++) {
            if (!(t[k] > 1e-4))
                return 0;
            h[k] = 1e-4 * t[k];
        }
        double f0 = *f;
        if (o->nfree == 1) {
            double fp = obj1(o, t[0] + h[0]), fm = obj1(o, t[0] - h[0]);
            g[0] = (fp - fm) / (2 * h[0]);
            H[0][0] = (fp - 2 * f0 + fm) / (h[0] * h[0]);
        } else {
            double fv[3][3];
            for (int i = -1; i <= 1; i++)
                for (int j = -1; j <= 1; j++) {
                    double tt[2] = {t[0] + i * h[0], t[1] + j * h[1]};
                    fv[i + 1][j + 1] = i == 0 && j == 0 ? f0 : obj_eval(o, tt);
                }
            g[0] = (fv[2][1] - fv[0][1]) / (2 * h[0]);
            g[1] = (fv[1][2] - fv[1][0]) / (2 * h[1]);
            H[0][0] = (fv[2][1] - 2 * f0 + fv[0][1]) / (h[0] * h[0]);
            H[1][1] = (fv[1][2] - 2 * f0 + fv[1][0]) / (h[1] * h[1]);
            H[0][1] = H[1][0] = (fv[2][2] - fv[2][0] - fv[0][2] + fv[0][0]) / (4 * h[0] * h[1]);
        }
        double gmax = 0;
        for (int k = 0; k < o->nfree; k++)
            gmax = fmax(gmax, fabs(g[k]));
        ok = gmax < 1e-3;
        double step[2] = {0, 0};
        if (o->nfree == 1) {
            if (!(H[0][0] > 0))
                return 0;
            step[0] = -g[0] / H[0][0];
        } else {
            double det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
            if (!(H[0][0] > 0) || !(det > 0))
                return 0;
            step[0] = -(H[1][1] * g[0] - H[0][1] * g[1]) / det;
            step[1] = -(H[0][0] * g[1] - H[1][0] * g[0]) / det;
        }
        double tn[2], big = 0;
        for (int k = 0; k < o->nfree; k++) {
            tn[k] = t[k] + step[k];
            big = fmax(big, fabs(step[k]) / t[k]);
            if (!(tn[k] > 0))
                return ok;
        }
        if (big > 0.1)
            return 0;       /* too far for this quadratic model: not an optimum yet */
        if (big < 1e-10)
            break;          /* below what the differences resolve */
        double fn = obj_eval(o, tn);
        if (!(fn <= f0 + dev_tol(f0)))
            return ok;
        for (int k = 0; k < o->nfree; k++)
            t[k] = tn[k];
        *f = fn;
        if (big < 1e-8)
            break;
    }
    return ok;
}

/* Minimises the objective in one free theta over [0, LMM_THETA_MAX] and
** returns 1 when converged. With hint > 0 it brackets the minimum by steps
** of 4 from hint; otherwise it scans a geometric grid 2^-12 .. 2^11. Then
** Brent in the bracket, theta = 0 when that is as good, and, with polish,
** Newton steps. */
static int minimise_1d(struct objective *o, double hint, int polish, double *t, double *f)
{
    double f0 = obj1(o, 0);
    double lo, mid, hi, fmid;
    if (hint > 0) {
        double a = hint, fa = obj1(o, a);
        double b = 4 * a, fb = obj1(o, b);
        if (fb < fa) {
            /* falling upwards: a < b < c with f(b) lowest */
            for (;;) {
                double c = 4 * b;
                if (c > LMM_THETA_MAX) {
                    *t = b;
                    *f = fb;
                    return 0;
                }
                double fc = obj1(o, c);
                if (fc >= fb) {
                    lo = a;
                    mid = b;
                    fmid = fb;
                    hi = c;
                    break;
                }
                a = b;
                fa = fb;
                b = c;
                fb = fc;
            }
        } else {
            /* falling downwards (or flat): c < a < b with f(a) lowest */
            hi = b;
            for (;;) {
                double c = a / 4;
                double fc = c < 1e-7 ? f0 : obj1(o, c);
                if (c < 1e-7)
                    c = 0;
                if (fc >= fa || c == 0) {
                    lo = c;
                    mid = a;
                    fmid = fa;
                    break;
                }
                hi = a;
                a = c;
                fa = fc;
            }
        }
    } else {
        enum { NG = 24 };
        double gt[NG + 1], fg[NG + 1];
        gt[0] = 0;
        fg[0] = f0;
        int best = 0;
        for (int i = 1; i <= NG; i++) {
            gt[i] = ldexp(1.0, i - 13);
            fg[i] = obj1(o, gt[i]);
            if (fg[i] < fg[best])
                best = i;
        }
        if (best == NG) {
            /* still falling at the top of the grid */
            return minimise_1d(o, gt[NG - 1], polish, t, f);
        }
        lo = best == 0 ? 0 : gt[best - 1];
        mid = gt[best];
        fmid = fg[best];
        hi = gt[best + 1];
    }
    double fb;
    double tb = brent_min(o, lo, hi, 1e-10, &fb);
    if (fmid < fb) {
        tb = mid;
        fb = fmid;
    }
    int converged = 1;
    if (polish && tb > 0)
        converged = newton_polish(o, &tb, &fb) || tb < 1e-3;
    if (f0 <= fb + dev_tol(fb)) {
        tb = 0;
        fb = f0;
        converged = 1;
    }
    *t = tb;
    *f = fb;
    return converged;
}

/* Nelder–Mead on the two thetas (as |t|) from start; returns 1 when the
** simplex shrank to the tolerance before the evaluation budget ran out. */
static int nelder_mead(struct objective *o, const double start[2], double step, double t[2],
                       double *f)
{
    double x[3][2], fx[3];
    for (int i = 0; i < 3; i++) {
        x[i][0] = start[0] + (i == 1 ? step : 0);
        x[i][1] = start[1] + (i == 2 ? step : 0);
        fx[i] = obj_eval(o, x[i]);
    }
    int converged = 0;
    while (o->w->nevals < LMM_MAX_EVALS) {
        /* order: 0 best, 2 worst */
        for (int a = 0; a < 2; a++)
            for (int b = a + 1; b < 3; b++)
                if (fx[b] < fx[a]) {
                    double tf = fx[a];
                    fx[a] = fx[b];
                    fx[b] = tf;
                    for (int k = 0; k < 2; k++) {
                        double tx = x[a][k];
                        x[a][k] = x[b][k];
                        x[b][k] = tx;
                    }
                }
        double size = 0;
        for (int i = 1; i < 3; i++)
            for (int k = 0; k < 2; k++)
                size = fmax(size, fabs(x[i][k] - x[0][k]) / (1 + fabs(x[0][k])));
        if (size < 1e-7 && fx[2] - fx[0] <= dev_tol(fx[0])) {
            converged = 1;
            break;
        }
        double c[2] = {(x[0][0] + x[1][0]) / 2, (x[0][1] + x[1][1]) / 2};
        double xr[2] = {2 * c[0] - x[2][0], 2 * c[1] - x[2][1]};
        double fr = obj_eval(o, xr);
        if (fr < fx[0]) {
            double xe[2] = {3 * c[0] - 2 * x[2][0], 3 * c[1] - 2 * x[2][1]};
            double fe = obj_eval(o, xe);
            if (fe < fr) {
                memcpy(x[2], xe, sizeof xe);
                fx[2] = fe;
            } else {
                memcpy(x[2], xr, sizeof xr);
                fx[2] = fr;
            }
            continue;
        }
        if (fr < fx[1]) {
            memcpy(x[2], xr, sizeof xr);
            fx[2] = fr;
            continue;
        }
        /* contract: outside when the reflection helped a little, else inside */
        double xc[2], fc;
        if (fr < fx[2]) {
            xc[0] = c[0] + 0.5 * (xr[0] - c[0]);
            xc[1] = c[1] + 0.5 * (xr[1] - c[1]);
            fc = obj_eval(o, xc);
            if (fc <= fr) {
                memcpy(x[2], xc, sizeof xc);
                fx[2] = fc;
                continue;
            }
        } else {
            xc[0] = c[0] + 0.5 * (x[2][0] - c[0]);
            xc[1] = c[1] + 0.5 * (x[2][1] - c[1]);
            fc = obj_eval(o, xc);
            if (fc < fx[2]) {
                memcpy(x[2], xc, sizeof xc);
                fx[2] = fc;
                continue;
            }
        }
        for (int i = 1; i < 3; i++) {
            for (int k = 0; k < 2; k++)
                x[i][k] = x[0][k] + 0.5 * (x[i][k] - x[0][k]);
            fx[i] = obj_eval(o, x[i]);
        }
    }
    int b = 0;
    for (int i = 1; i < 3; i++)
        if (fx[i] < fx[b])
            b = i;
    t[0] = fabs(x[b][0]);
    t[1] = fabs(x[b][1]);
    *f = fx[b];
    return converged;
}

/* Finds the optimum theta; returns 1 when converged. */
static int optimise(struct lmm_work *w, double theta[2], double *dev)
{
    struct objective o = {.w = w, .base = {0, 0}};
    if (w->nf == 1) {
        o.nfree = 1;
        o.idx[0] = 0;
        double t, f;
        int c = minimise_1d(&o, 0, 1, &t, &f);
        theta[0] = t;
        theta[1] = 0;
        *dev = f;
        return c;
    }
    /* The interior: Nelder–Mead from lme4's start (1, 1), then Newton; when
    ** Newton finds no optimum there, the simplex starts again from where it
    ** stopped. */
    o.nfree = 2;
    o.idx[0] = 0;
    o.idx[1] = 1;
    double t[2], f;
    const double start[2] = {1, 1};
    int conv = nelder_mead(&o, start, 0.5, t, &f);
    int interior = t[0] > 1e-4 && t[1] > 1e-4;
    if (interior)
        conv = newton_polish(&o, t, &f);
    if (interior && !conv) {
        double t2[2], f2;
        double st = 0.1 * fmax(fmax(t[0], t[1]), 1e-3);
        conv = nelder_mead(&o, t, st, t2, &f2);
        if (f2 <= f) {
            t[0] = t2[0];
            t[1] = t2[1];
            f = f2;
        }
        if (t[0] > 1e-4 && t[1] > 1e-4)
            conv = newton_polish(&o, t, &f);
    }
    /* The faces theta_k = 0 (each includes the corner), searched from the
    ** interior optimum's other theta. */
    int best_face = -1;
    double face_t[2] = {0, 0}, face_f[2] = {HUGE_VAL, HUGE_VAL};
    int face_c[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        struct objective of = {.w = w, .nfree = 1, .idx = {1 - k, 0}, .base = {0, 0}};
        double hint = t[1 - k] > 1e-3 ? t[1 - k] : 1;
        face_c[k] = minimise_1d(&of, hint, 0, &face_t[k], &face_f[k]);
        if (face_f[k] <= f + dev_tol(f) && (best_face < 0 || face_f[k] < face_f[best_face]))
            best_face = k;
    }
    if (best_face >= 0) {
        int k = best_face;
        struct objective of = {.w = w, .nfree = 1, .idx = {1 - k, 0}, .base = {0, 0}};
        if (face_t[k] > 1e-3)
            face_c[k] = newton_polish(&of, &face_t[k], &face_f[k]) && face_c[k];
        theta[k] = 0;
        theta[1 - k] = face_t[k];
        *dev = face_f[k];
        return face_c[k];
    }
    theta[0] = t[0];
    theta[1] = t[1];
    *dev = f;
    return conv;
}

/* ---- checking the input and gathering the statistics ---- */

static void col_name(const struct lmm_data *d, size_t j, char *buf, size_t len)
{
    if (d->xnames != NULL && d->xnames[j] != NULL)
        snprintf(buf, len, "'%s'", d->xnames[j]);
    else
        snprintf(buf, len, "%zu", j + 1);
}

static int check_input(const struct lmm_data *d, duet_err *e)
{
    if (d->nfactors != 1 && d->nfactors != 2)
        return duet_errf(e, DUET_EINPUT, "nfactors is %d; it must be 1 or 2", d->nfactors);
    if (d->p == 0)
        return duet_errf(e, DUET_EINPUT,
                         "the model has no fixed effects; include at least an intercept column in x");
    if (d->n <= d->p)
        return duet_errf(e, DUET_EINPUT,
                         "%zu observations are too few for %zu fixed effects: "
                         "there must be more observations than fixed effects",
                         d->n, d->p);
    if (d->y == NULL || d->x == NULL)
        return duet_errf(e, DUET_EINTERNAL, "lmm_fit: y or x is NULL");
    for (size_t i = 0; i < d->n; i++) {
        if (!isfinite(d->y[i]))
            return duet_errf(e, DUET_EINPUT,
                             "observation %zu: y is not finite (%g); drop rows with missing "
                             "values before fitting",
                             i + 1, d->y[i]);
        for (size_t j = 0; j < d->p; j++)
            if (!isfinite(d->x[i * d->p + j])) {
                char nm[64];
                col_name(d, j, nm, sizeof nm);
                return duet_errf(e, DUET_EINPUT,
                                 "observation %zu: column %s of x is not finite (%g); drop rows "
                                 "with missing values before fitting",
                                 i + 1, nm, d->x[i * d->p + j]);
            }
    }
    for (int k = 0; k < d->nfactors; k++) {
        if (d->g[k] == NULL)
            return duet_errf(e, DUET_EINTERNAL, "lmm_fit: factor %d has no levels array", k + 1);
        if (d->q[k] < 2)
            return duet_errf(e, DUET_EINPUT,
                             "factor %d has %s; a random intercept needs at least two levels",
                             k + 1, d->q[k] == 1 ? "a single level" : "no levels");
        if (d->q[k] >= d->n)
            return duet_errf(e, DUET_EINPUT,
                             "factor %d has %zu levels for %zu observations; it needs fewer "
                             "levels than observations",
                             k + 1, d->q[k], d->n);
        for (size_t i = 0; i < d->n; i++)
            if (d->g[k][i] >= d->q[k])
                return duet_errf(e, DUET_EINPUT,
                                 "factor %d: observation %zu has level %u, outside 0..%zu", k + 1,
                                 i + 1, (unsigned)d->g[k][i], d->q[k] - 1);
    }
    return 0;
}

/* X = Q R by Gram–Schmidt with reorthogonalisation (Q [p][n], column by
** column; R [p][p] upper triangular, zeroed by the caller): finds collinear
** columns, and the least-squares fit of y on X, whose coefficients go to
** beta and whose residual goes to yr. */
static int ols_residual(const struct lmm_data *d, double *Q, double *R, double *yr, double *beta,
                        duet_err *e)
{
    const size_t n = d->n, p = d->p;
    double *z = calloc(p, sizeof *z);
    int rc = 0;
    if (z == NULL) {
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory fitting the mixed model");
        goto done;
    }
    for (size_t j = 0; j < p; j++) {
        double *qj = Q + j * n;
        double nrm0 = 0;
        for (size_t i = 0; i < n; i++) {
            qj[i] = d->x[i * p + j];
            nrm0 += qj[i] * qj[i];
        }
        nrm0 = sqrt(nrm0);
        char nm[64];
        col_name(d, j, nm, sizeof nm);
        if (nrm0 == 0) {
            rc = duet_errf(e, DUET_EINPUT,
                           "the fixed-effects design is singular: column %s of x is all zeros",
                           nm);
            goto done;
        }
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < j; k++) {
                const double *qk = Q + k * n;
                double r = 0;
                for (size_t i = 0; i < n; i++)
                    r += qk[i] * qj[i];
                R[k * p + j] += r;
                for (size_t i = 0; i < n; i++)
                    qj[i] -= r * qk[i];
            }
        double nrm = 0;
        for (size_t i = 0; i < n; i++)
            nrm += qj[i] * qj[i];
        nrm = sqrt(nrm);
        if (nrm <= LMM_COLLINEAR_TOL * nrm0) {
            rc = duet_errf(e, DUET_EINPUT,
                           "the fixed-effects design is singular: column %s of x is a linear "
                           "combination of the columns before it; drop it or one of them",
                           nm);
            goto done;
        }
        R[j * p + j] = nrm;
        for (size_t i = 0; i < n; i++)
            qj[i] /= nrm;
    }
    double yy = 0;
    for (size_t i = 0; i < n; i++) {
        yr[i] = d->y[i];
        yy += yr[i] * yr[i];
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < p; k++) {
            const double *qk = Q + k * n;
            double c = 0;
            for (size_t i = 0; i < n; i++)
                c += qk[i] * yr[i];
            z[k] += c;
            for (size_t i = 0; i < n; i++)
                yr[i] -= c * qk[i];
        }
    double rss = 0;
    for (size_t i = 0; i < n; i++)
        rss += yr[i] * yr[i];
    if (!(rss > 1e-24 * yy)) {
        rc = duet_errf(e, DUET_EINPUT,
                       "y is fitted exactly by the fixed effects; there is no variation left "
                       "to estimate variances from");
        goto done;
    }
    for (size_t k = p; k-- > 0;) {
        double s = z[k];
        for (size_t m = k + 1; m < p; m++)
            s -= R[k * p + m] * beta[m];
        beta[k] = s / R[k * p + k];
    }
done:
    free(z);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Is factor a nested in factor b (each level of a meets one level of b)?
** parent (size q[a]) gets the level of b of each level of a. */
static int is_nested(const struct lmm_data *d, int a, int b, uint32_t *parent)
{
    for (size_t i = 0; i < d->q[a]; i++)
        parent[i] = UINT32_MAX;
    for (size_t i = 0; i < d->n; i++) {
        uint32_t la = d->g[a][i], lb = d->g[b][i];
        if (parent[la] == UINT32_MAX)
            parent[la] = lb;
        else if (parent[la] != lb)
            return 0;
    }
    return 1;
}

#define NOMEM() duet_errf(e, DUET_EINTERNAL, "out of memory fitting the mixed model")

static int build_work(const struct lmm_data *d, int reml, struct lmm_work *w, duet_err *e)
{
    const size_t n = d->n, p = d->p, P = p + 1;
    memset(w, 0, sizeof *w);
    w->n = n;
    w->p = p;
    w->P = P;
    w->nf = d->nfactors;
    w->reml = reml;
    w->el = 0;
    w->kp = -1;
    uint32_t *par = NULL;
    if (w->nf == 2) {
        size_t qmax = d->q[0] > d->q[1] ? d->q[0] : d->q[1];
        par = malloc(qmax * sizeof *par);
        if (par == NULL)
            return NOMEM();
        if (is_nested(d, 1, 0, par)) {
            w->el = 1;
            w->nested = 1;
        } else if (is_nested(d, 0, 1, par)) {
            w->el = 0;
            w->nested = 1;
        } else {
            w->el = d->q[1] > d->q[0] ? 1 : 0;
        }
        w->kp = 1 - w->el;
        w->qk = d->q[w->kp];
        if (w->nested) {
            w->parent = par;
            par = NULL;
        } else if (w->qk > LMM_CROSSED_MAX) {
            free(par);
            return duet_errf(e, DUET_EINPUT,
                             "factors 1 and 2 are crossed and the smaller has %zu levels; "
                             "crossed factors are supported up to %d levels in the smaller",
                             w->qk, LMM_CROSSED_MAX);
        }
        free(par);
    }
    w->qe = d->q[w->el];
    const size_t qe = w->qe, qk = w->qk;
    w->G = calloc(P * P, sizeof *w->G);
    w->De = calloc(qe, sizeof *w->De);
    w->Se = calloc(qe * P, sizeof *w->Se);
    w->beta_ols = calloc(p, sizeof *w->beta_ols);
    w->R = calloc(p * p, sizeof *w->R);
    w->M = calloc(P * P, sizeof *w->M);
    w->rw = calloc(P, sizeof *w->rw);
    double *yr = malloc(n * sizeof *yr);
    double *Q = malloc(n * p * sizeof *Q);
    if (w->G == NULL || w->De == NULL || w->Se == NULL || w->beta_ols == NULL || w->R == NULL ||
        w->M == NULL || w->rw == NULL || yr == NULL || Q == NULL) {
        free(yr);
        free(Q);
        return NOMEM();
    }
    if (qk > 0) {
        w->Dk = calloc(qk, sizeof *w->Dk);
        w->Sk = calloc(qk * P, sizeof *w->Sk);
        w->ck = calloc(qk * P, sizeof *w->ck);
        w->S = calloc(w->nested ? qk : qk * qk, sizeof *w->S);
        if (w->Dk == NULL || w->Sk == NULL || w->ck == NULL || w->S == NULL) {
            free(yr);
            free(Q);
            return NOMEM();
        }
    }
    if (ols_residual(d, Q, w->R, yr, w->beta_ols, e) != 0) {
        free(yr);
        free(Q);
        return -1;
    }
    w->logdetR2 = 0;
    for (size_t j = 0; j < p; j++)
        w->logdetR2 += 2 * log(w->R[j * p + j]);
    /* One pass: W'W and the per-level sums, with W = [Q yr]: orthonormal
    ** columns keep M well conditioned whatever the scale of X. */
    const uint32_t *ge = d->g[w->el], *gk = w->kp >= 0 ? d->g[w->kp] : NULL;
    double *row = w->rw;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < p; j++)
            row[j] = Q[j * n + i];
        row[p] = yr[i];
        for (size_t r = 0; r < P; r++)
            for (size_t k = 0; k <= r; k++)
                w->G[r * P + k] += row[r] * row[k];
        double *s = w->Se + (size_t)ge[i] * P;
        for (size_t r = 0; r < P; r++)
            s[r] += row[r];
        w->De[ge[i]] += 1;
        if (gk != NULL) {
            s = w->Sk + (size_t)gk[i] * P;
            for (size_t r = 0; r < P; r++)
                s[r] += row[r];
            w->Dk[gk[i]] += 1;
        }
    }
    free(yr);
    free(Q);
    for (int f = 0; f < d->nfactors; f++) {
        const double *D = f == w->el ? w->De : w->Dk;
        for (size_t l = 0; l < d->q[f]; l++)
            if (D[l] == 0)
                return duet_errf(e, DUET_EINPUT,
                                 "factor %d: level %zu of 0..%zu has no observations; number "
                                 "only the levels that occur",
                                 f + 1, l, d->q[f] - 1);
    }
    if (w->kp >= 0 && !w->nested) {
        /* The sparse cross-tabulation N: kept levels met by each eliminated
        ** level, with counts (a counting sort by eliminated level). */
        w->nz_start = calloc(qe + 1, sizeof *w->nz_start);
        uint32_t *ks = malloc(n * sizeof *ks);
        if (w->nz_start == NULL || ks == NULL) {
            free(ks);
            return NOMEM();
        }
        for (size_t i = 0; i < n; i++)
            w->nz_start[ge[i] + 1]++;
        for (size_t l = 0; l < qe; l++)
            w->nz_start[l + 1] += w->nz_start[l];
        size_t *fill = malloc(qe * sizeof *fill);
        if (fill == NULL) {
            free(ks);
            return NOMEM();
        }
        memcpy(fill, w->nz_start, qe * sizeof *fill);
        for (size_t i = 0; i < n; i++)
            ks[fill[ge[i]]++] = gk[i];
        free(fill);
        size_t nnz = 0;
        w->nz_k = malloc(n * sizeof *w->nz_k);
        w->nz_c = malloc(n * sizeof *w->nz_c);
        if (w->nz_k == NULL || w->nz_c == NULL) {
            free(ks);
            return NOMEM();
        }
        size_t from = 0;
        for (size_t l = 0; l < qe; l++) {
            size_t to = w->nz_start[l + 1];
            qsort(ks + from, to - from, sizeof *ks, cmp_u32);
            w->nz_start[l] = nnz;
            for (size_t m = from; m < to; m++) {
                if (m > from && ks[m] == ks[m - 1]) {
                    w->nz_c[nnz - 1] += 1;
                } else {
                    w->nz_k[nnz] = ks[m];
                    w->nz_c[nnz] = 1;
                    nnz++;
                }
            }
            from = to;
        }
        w->nz_start[qe] = nnz;
        free(ks);
    }
    return 0;
}

/* ---- the public functions ---- */

void lmm_fit_free(struct lmm_fit *f)
{
    if (f == NULL)
        return;
    free(f->beta);
    free(f->se);
    free(f->t);
    free(f->ci_lo);
    free(f->ci_hi);
    free(f->vcov);
    memset(f, 0, sizeof *f);
}

int lmm_fit(const struct lmm_data *d, int reml, struct lmm_fit *out, duet_err *e)
{
    if (d == NULL || out == NULL)
        return duet_errf(e, DUET_EINTERNAL, "lmm_fit: NULL argument");
    memset(out, 0, sizeof *out);
    if (check_input(d, e) != 0)
        return -1;
    struct lmm_work w;
    if (build_work(d, reml != 0, &w, e) != 0) {
        work_free(&w);
        return -1;
    }
    const size_t p = d->p, P = p + 1;
    double theta[2], dev;
    int conv = optimise(&w, theta, &dev);
    double ld;
    if (build_M(&w, theta, &ld) != 0) {
        work_free(&w);
        return duet_errf(e, DUET_EINTERNAL, "the mixed model's fit broke down at its optimum");
    }
    out->beta = malloc(p * sizeof *out->beta);
    out->se = malloc(p * sizeof *out->se);
    out->t = malloc(p * sizeof *out->t);
    out->ci_lo = malloc(p * sizeof *out->ci_lo);
    out->ci_hi = malloc(p * sizeof *out->ci_hi);
    out->vcov = calloc(p * p, sizeof *out->vcov);
    if (out->beta == NULL || out->se == NULL || out->t == NULL || out->ci_lo == NULL ||
        out->ci_hi == NULL || out->vcov == NULL) {
        lmm_fit_free(out);
        work_free(&w);
        return NOMEM();
    }
    const double *L = w.M;
    double lrr = L[p * P + p];
    double r2 = lrr * lrr;
    double n = (double)d->n;
    double sigma2 = r2 / (reml ? n - (double)p : n);
    /* In Q's coordinates the shift is L11'^-1 l21; in X's, beta is
    ** beta_ols + R^-1 of that. */
    double *dq = out->t;    /* scratch until the end */
    for (size_t k = p; k-- > 0;) {
        double s = L[p * P + k];
        for (size_t m = k + 1; m < p; m++)
            s -= L[m * P + k] * dq[m];
        dq[k] = s / L[k * P + k];
    }
    const double *R = w.R;
    for (size_t k = p; k-- > 0;) {
        double s = dq[k];
        for (size_t m = k + 1; m < p; m++)
            s -= R[k * p + m] * out->beta[m];
        out->beta[k] = s / R[k * p + k];
    }
    for (size_t k = 0; k < p; k++)
        out->beta[k] += w.beta_ols[k];
    /* vcov = sigma2 R^-1 (L11 L11')^-1 R^-T = sigma2 B B' with B = R^-1 L11^-T,
    ** found column by column: R B = L11^-T, the latter's column c being the
    ** solution of L11' v = e_c (nonzero in rows 0..c only). */
    double *B = malloc(p * p * sizeof *B);
    double *v = malloc(p * sizeof *v);
    if (B == NULL || v == NULL) {
        free(B);
        free(v);
        lmm_fit_free(out);
        work_free(&w);
        return NOMEM();
    }
    for (size_t c = 0; c < p; c++) {
        for (size_t k = p; k-- > 0;) {
            double s = k == c ? 1 : 0;
            if (k <= c)
                for (size_t m = k + 1; m <= c; m++)
                    s -= L[m * P + k] * v[m];
            v[k] = k <= c ? s / L[k * P + k] : 0;
        }
        for (size_t k = p; k-- > 0;) {
            double s = v[k];
            for (size_t m = k + 1; m < p; m++)
                s -= R[k * p + m] * B[m * p + c];
            B[k * p + c] = s / R[k * p + k];
        }
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++) {
            double s = 0;
            for (size_t m = 0; m < p; m++)
                s += B[a * p + m] * B[b * p + m];
            out->vcov[a * p + b] = out->vcov[b * p + a] = sigma2 * s;
        }
    free(B);
    free(v);
    for (size_t k = 0; k < p; k++) {
        out->se[k] = sqrt(out->vcov[k * p + k]);
        out->t[k] = out->beta[k] / out->se[k];
        out->ci_lo[k] = out->beta[k] - 1.959964 * out->se[k];
        out->ci_hi[k] = out->beta[k] + 1.959964 * out->se[k];
    }
    out->reml = reml != 0;
    out->n = d->n;
    out->p = p;
    out->nfactors = d->nfactors;
    out->q[0] = d->q[0];
    out->q[1] = d->nfactors == 2 ? d->q[1] : 0;
    out->nested = w.nested;
    out->eliminated = w.el;
    out->sigma2 = sigma2;
    out->r2 = r2;
    out->singular = 0;
    for (int k = 0; k < 2; k++) {
        int used = k < d->nfactors;
        out->theta[k] = used ? theta[k] : 0;
        out->tau2[k] = used ? theta[k] * theta[k] * sigma2 : 0;
        if (used && theta[k] < LMM_SINGULAR_TOL)
            out->singular = 1;
    }
    out->deviance = dev;
    out->loglik = -dev / 2;
    double npar = (double)(p + (size_t)d->nfactors + 1);
    out->aic = dev + 2 * npar;
    out->bic = dev + npar * log(n);
    out->converged = conv;
    out->iterations = (int)w.nevals;
    work_free(&w);
    return 0;
}
