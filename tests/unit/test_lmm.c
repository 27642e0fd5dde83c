/*
** test_lmm.c — random-intercept mixed models (src/stats/lmm.c). Expected
** values come from outside the code under test: a balanced one-way design
** worked out by hand (ANOVA estimates, which REML reproduces), and lme4's
** lmer fits of the data sets in tests/fixtures/lmm/ (made by make.R there;
** versions in its README). Agreement asked: 1e-6 relative, or 1e-8 absolute
** for values near 0.
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
#include "stats/lmm.h"

#define FIXDIR "tests/fixtures/lmm/"
#define REL_TOL 1e-6
#define ABS_TOL 1e-8

/* ---- 1. the hand-checked case ---- */

/* Three groups of two: {2, 4}, {5, 9}, {10, 12}.
**   group means 3, 7, 11; grand mean 7
**   SSW = (1 + 1) + (4 + 4) + (1 + 1) = 12, on 6 - 3 = 3 df: MSW = 4
**   SSB = 2 * ((3-7)^2 + 0 + (11-7)^2) = 64, on 2 df:         MSB = 32
**   tau^2 = (MSB - MSW) / 2 = 14, sigma^2 = MSW = 4, beta0 = 7
**   Var(beta0) = (tau^2 + sigma^2 / 2) / 3 = 16 / 3
** With V = Var(y) at these values, the REML log-likelihood
**   -1/2 [(N-1) log 2pi + log|V| + log|X'V^-1 X| + r'V^-1 r]
** has log|V| = 3 log sigma^2 + 3 log(sigma^2 + 2 tau^2) = 3 log 4 + 3 log 32,
** X'V^-1 X = 6 / 32 and r'V^-1 r = SSW / 4 + SSB / 32 = 3 + 2 = 5. */
static void test_anova_by_hand(void **state)
{
    (void)state;
    const double y[6] = {2, 4, 5, 9, 10, 12};
    const double x[6] = {1, 1, 1, 1, 1, 1};
    const uint32_t g[6] = {0, 0, 1, 1, 2, 2};
    struct lmm_data d = {.n = 6, .p = 1, .y = y, .x = x, .nfactors = 1, .g = {g, NULL},
                         .q = {3, 0}};
    struct lmm_fit f;
    duet_err e;
    assert_int_equal(lmm_fit(&d, 1, &f, &e), 0);
    double ll = -0.5 * (5 * log(2 * M_PI) + 3 * log(4.0) + 3 * log(32.0) + log(6.0 / 32.0) + 5);
    assert_float_equal(f.beta[0], 7.0, 1e-9);
    assert_float_equal(f.tau2[0], 14.0, 14.0 * 1e-7);
    assert_float_equal(f.sigma2, 4.0, 4.0 * 1e-7);
    assert_float_equal(f.se[0], sqrt(16.0 / 3.0), 1e-7);
    assert_float_equal(f.theta[0], sqrt(14.0 / 4.0), 1e-7);
    assert_float_equal(f.loglik, ll, 1e-9);
    assert_float_equal(f.aic, -2 * ll + 2 * 3, 1e-8);
    assert_float_equal(f.bic, -2 * ll + 3 * log(6.0), 1e-8);
    assert_int_equal(f.reml, 1);
    assert_int_equal(f.converged, 1);
    assert_int_equal(f.singular, 0);
    assert_int_equal(f.nfactors, 1);
    assert_float_equal(f.t[0], 7.0 / sqrt(16.0 / 3.0), 1e-6);
    assert_float_equal(f.ci_lo[0], 7.0 - 1.959964 * sqrt(16.0 / 3.0), 1e-6);
    assert_float_equal(f.vcov[0], 16.0 / 3.0, 1e-6);
    lmm_fit_free(&f);
}

/* ---- 2. lme4's fits ---- */

struct table {
    size_t ncol, nrow;
    char names[8][32];
    double *v;          /* [nrow][ncol]; NAN for "NA" */
};

static void read_table(const char *path, struct table *t)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open %s (run the tests from the repository root)", path);
    char line[1024];
    memset(t, 0, sizeof *t);
    assert_non_null(fgets(line, sizeof line, fp));
    line[strcspn(line, "\r\n")] = '\0';
    for (char *tok = strtok(line, ","); tok != NULL; tok = strtok(NULL, ",")) {
        assert_true(t->ncol < 8);
        snprintf(t->names[t->ncol++], sizeof t->names[0], "%s", tok);
    }
    size_t cap = 64;
    t->v = malloc(cap * t->ncol * sizeof *t->v);
    while (fgets(line, sizeof line, fp) != NULL) {
        if (t->nrow == cap) {
            cap *= 2;
            t->v = realloc(t->v, cap * t->ncol * sizeof *t->v);
        }
        char *s = line;
        for (size_t j = 0; j < t->ncol; j++) {
            char *end;
            double *cell = &t->v[t->nrow * t->ncol + j];
            if (strncmp(s, "NA", 2) == 0) {
                *cell = NAN;
                end = s + 2;
            } else {
                *cell = strtod(s, &end);
                assert_true(end != s);
            }
            s = end + 1;
        }
        t->nrow++;
    }
    fclose(fp);
}

/* The expected values: "key,value" rows. */
struct expected {
    size_t n;
    char key[64][24];
    double val[64];
};

static void read_expected(const char *path, struct expected *x)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        fail_msg("cannot open %s", path);
    char line[256];
    x->n = 0;
    assert_non_null(fgets(line, sizeof line, fp));
    while (fgets(line, sizeof line, fp) != NULL) {
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        *comma = '\0';
        assert_true(x->n < 64);
        snprintf(x->key[x->n], sizeof x->key[0], "%s", line);
        x->val[x->n] = strtod(comma + 1, NULL);
        x->n++;
    }
    fclose(fp);
}

static int has(const struct expected *x, const char *key, double *v)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->key[i], key) == 0) {
            *v = x->val[i];
            return 1;
        }
    return 0;
}

static double want(const struct expected *x, const char *key)
{
    double v = 0;
    if (!has(x, key, &v))
        fail_msg("no %s in the fixture", key);
    return v;
}

struct agreement {
    double worst;       /* the largest relative error (absolute near 0) */
    char what[24];
};

static void check(struct agreement *a, const char *fx, const char *key, double got, double exp)
{
    double err = fabs(got - exp);
    double rel = fabs(exp) > ABS_TOL / REL_TOL ? err / fabs(exp) : err / (ABS_TOL / REL_TOL);
    if (rel > a->worst) {
        a->worst = rel;
        snprintf(a->what, sizeof a->what, "%s", key);
    }
    if (!(err <= REL_TOL * fabs(exp) || err <= ABS_TOL))
        fail_msg("%s: %s is %.17g, lme4 says %.17g (error %.3g)", fx, key, got, exp, err);
}

/* The fitted value that a fixture's key names. */
static int lookup(const struct lmm_fit *f, const char *key, double *v)
{
    size_t j;
    if (sscanf(key, "beta[%zu]", &j) == 1 && j < f->p)
        *v = f->beta[j];
    else if (sscanf(key, "se[%zu]", &j) == 1 && j < f->p)
        *v = f->se[j];
    else if (sscanf(key, "tau2[%zu]", &j) == 1 && j < 2)
        *v = f->tau2[j];
    else if (sscanf(key, "theta[%zu]", &j) == 1 && j < 2)
        *v = f->theta[j];
    else if (strcmp(key, "sigma2") == 0)
        *v = f->sigma2;
    else if (strcmp(key, "loglik") == 0)
        *v = f->loglik;
    else if (strcmp(key, "deviance") == 0)
        *v = f->deviance;
    else if (strcmp(key, "aic") == 0)
        *v = f->aic;
    else if (strcmp(key, "bic") == 0)
        *v = f->bic;
    else
        return 0;
    return 1;
}

/* The largest relative difference between f and the values of
** NAME.SUFFIX.csv whose keys start with prefix. */
static struct agreement distance(const struct lmm_fit *f, const char *name, const char *suffix,
                                 const char *prefix)
{
    char path[256];
    struct expected x;
    snprintf(path, sizeof path, FIXDIR "%s.%s.csv", name, suffix);
    read_expected(path, &x);
    struct agreement a = {0, ""};
    size_t lp = strlen(prefix);
    for (size_t i = 0; i < x.n; i++) {
        double got;
        if (strncmp(x.key[i], prefix, lp) != 0 || !lookup(f, x.key[i] + lp, &got))
            continue;
        double rel = fabs(got - x.val[i]) / fmax(fabs(x.val[i]), ABS_TOL / REL_TOL);
        if (rel > a.worst) {
            a.worst = rel;
            snprintf(a.what, sizeof a.what, "%s", x.key[i] + lp);
        }
    }
    return a;
}

/* A fixture's data set as lmm_fit takes it; the arrays are owned. */
struct dataset {
    struct lmm_data d;
    double *y, *x;
    uint32_t *g[2];
};

/* Reads NAME.csv (y, the predictors, then nf factor columns), drops the
** rows with a missing value (as R's na.omit), puts an intercept first and
** renumbers each factor's remaining levels 0..q-1 (as R drops unused
** levels). */
static void load(const char *name, int nf, struct dataset *ds)
{
    char path[256];
    struct table t;
    snprintf(path, sizeof path, FIXDIR "%s.csv", name);
    read_table(path, &t);
    assert_true(t.ncol >= (size_t)(1 + nf));
    size_t npred = t.ncol - 1 - (size_t)nf, p = npred + 1;
    double *y = malloc(t.nrow * sizeof *y);
    double *x = malloc(t.nrow * p * sizeof *x);
    uint32_t *g[2] = {malloc(t.nrow * sizeof(uint32_t)), malloc(t.nrow * sizeof(uint32_t))};
    size_t n = 0;
    for (size_t i = 0; i < t.nrow; i++) {
        const double *r = t.v + i * t.ncol;
        int missing = 0;
        for (size_t j = 0; j < t.ncol; j++)
            missing |= isnan(r[j]);
        if (missing)
            continue;
        y[n] = r[0];
        x[n * p] = 1;
        for (size_t j = 0; j < npred; j++)
            x[n * p + 1 + j] = r[1 + j];
        for (int k = 0; k < nf; k++)
            g[k][n] = (uint32_t)r[1 + npred + (size_t)k];
        n++;
    }
    struct lmm_data d = {.n = n, .p = p, .y = y, .x = x, .nfactors = nf, .g = {g[0], g[1]}};
    for (int k = 0; k < nf; k++) {
        uint32_t mx = 0;
        for (size_t i = 0; i < n; i++)
            mx = g[k][i] > mx ? g[k][i] : mx;
        uint32_t *code = malloc(((size_t)mx + 1) * sizeof *code);
        for (size_t l = 0; l <= mx; l++)
            code[l] = UINT32_MAX;
        for (size_t i = 0; i < n; i++)
            code[g[k][i]] = 0;
        uint32_t q = 0;
        for (size_t l = 0; l <= mx; l++)
            if (code[l] == 0)
                code[l] = q++;
        for (size_t i = 0; i < n; i++)
            g[k][i] = code[g[k][i]];
        d.q[k] = q;
        free(code);
    }
    free(t.v);
    ds->d = d;
    ds->y = y;
    ds->x = x;
    ds->g[0] = g[0];
    ds->g[1] = g[1];
}

static void dataset_free(struct dataset *ds)
{
    free(ds->y);
    free(ds->x);
    free(ds->g[0]);
    free(ds->g[1]);
}

/* Fits NAME.csv by REML or ML and compares with NAME.reml.csv or
** NAME.ml.csv; also checks the nested and singular flags. */
static void check_fixture(const char *name, int nf, int reml, int nested, int singular)
{
    char path[256];
    struct dataset ds;
    load(name, nf, &ds);
    const struct lmm_data d = ds.d;
    const size_t p = d.p;

    struct expected xp;
    snprintf(path, sizeof path, FIXDIR "%s.%s.csv", name, reml ? "reml" : "ml");
    read_expected(path, &xp);
    char fx[64];
    snprintf(fx, sizeof fx, "%s.%s", name, reml ? "reml" : "ml");

    struct lmm_fit f;
    duet_err e = {0};
    if (lmm_fit(&d, reml, &f, &e) != 0)
        fail_msg("%s: %s", fx, e.msg);
    assert_int_equal((double)f.n, want(&xp, "n"));
    assert_int_equal((double)(f.p + (size_t)f.nfactors + 1), want(&xp, "df"));
    struct agreement a = {0, ""};
    char key[24];
    for (size_t j = 0; j < p; j++) {
        snprintf(key, sizeof key, "beta[%zu]", j);
        check(&a, fx, key, f.beta[j], want(&xp, key));
        snprintf(key, sizeof key, "se[%zu]", j);
        check(&a, fx, key, f.se[j], want(&xp, key));
    }
    for (int k = 0; k < nf; k++) {
        snprintf(key, sizeof key, "tau2[%d]", k);
        check(&a, fx, key, f.tau2[k], want(&xp, key));
        snprintf(key, sizeof key, "theta[%d]", k);
        check(&a, fx, key, f.theta[k], want(&xp, key));
    }
    check(&a, fx, "sigma2", f.sigma2, want(&xp, "sigma2"));
    check(&a, fx, "loglik", f.loglik, want(&xp, "loglik"));
    check(&a, fx, "deviance", f.deviance, want(&xp, "deviance"));
    check(&a, fx, "aic", f.aic, want(&xp, "aic"));
    check(&a, fx, "bic", f.bic, want(&xp, "bic"));
    assert_int_equal(f.converged, 1);
    assert_int_equal(f.singular, singular);
    assert_int_equal(f.nested, nested);
    /* For information only: the distance to lme4's fits before make.R's
    ** polish (tight bobyqa) and, for REML, with lmer's default control. */
    struct agreement b = distance(&f, name, "bobyqa", reml ? "reml." : "ml.");
    struct agreement c = reml ? distance(&f, name, "default", "") : (struct agreement){-1, ""};
    print_message("%-13s agrees with lme4 to %.1e (worst: %s); with bobyqa unpolished %.1e (%s)",
                  fx, a.worst, a.what, b.worst, b.what);
    if (c.worst >= 0)
        print_message("; with lmer's default %.1e (%s)", c.worst, c.what);
    print_message("; %d evaluations\n", f.iterations);
    lmm_fit_free(&f);
    dataset_free(&ds);
}

#define FIXTURE(name, nf, nested, singular)                                                   \
    static void test_##name##_reml(void **state)                                              \
    {                                                                                         \
        (void)state;                                                                          \
        check_fixture(#name, nf, 1, nested, singular);                                        \
    }                                                                                         \
    static void test_##name##_ml(void **state)                                                \
    {                                                                                         \
        (void)state;                                                                          \
        check_fixture(#name, nf, 0, nested, singular);                                        \
    }

FIXTURE(anova, 1, 0, 0)
FIXTURE(one, 1, 0, 0)
FIXTURE(nested, 2, 1, 0)
FIXTURE(crossed, 2, 0, 0)
FIXTURE(missing, 2, 1, 0)
FIXTURE(zero, 1, 0, 1)
FIXTURE(zero2, 2, 1, 1)

/* ---- 3. inputs it must refuse, and the messages ---- */

static void expect_refusal(const struct lmm_data *d, const char *msg)
{
    struct lmm_fit f;
    duet_err e = {0};
    if (lmm_fit(d, 1, &f, &e) != -1)
        fail_msg("accepted what it should refuse with \"%s\"", msg);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    assert_null(f.beta);
    lmm_fit_free(&f);
}

static void test_refusals(void **state)
{
    (void)state;
    /* 8 observations in 4 groups of 2, x = [1, i]; x3 = [1, i, 2i] has a
    ** collinear third column. */
    double y[8] = {1.0, 2.5, 2.0, 4.0, 3.5, 3.0, 6.0, 5.5};
    double x[8][2], x3[8][3];
    uint32_t g[8] = {0, 0, 1, 1, 2, 2, 3, 3};
    uint32_t h[8] = {0, 1, 0, 1, 0, 1, 0, 1};
    for (int i = 0; i < 8; i++) {
        x[i][0] = x3[i][0] = 1;
        x[i][1] = x3[i][1] = i;
        x3[i][2] = 2.0 * i;
    }
    const char *names[3] = {"(intercept)", "module", "twice module"};
    struct lmm_data d = {.n = 8, .p = 2, .y = y, .x = &x[0][0], .nfactors = 1, .g = {g, h},
                         .q = {4, 2}};
    struct lmm_data c;

    /* The data as given can be fitted: every refusal below is caused by its change. */
    struct lmm_fit f;
    duet_err e;
    assert_int_equal(lmm_fit(&d, 1, &f, &e), 0);
    lmm_fit_free(&f);
    c = d;
    c.nfactors = 2;
    assert_int_equal(lmm_fit(&c, 0, &f, &e), 0);
    lmm_fit_free(&f);

    c = d;
    c.p = 3;
    c.x = &x3[0][0];
    expect_refusal(&c, "the fixed-effects design is singular: column 3 of x is a linear "
                       "combination of the columns before it; drop it or one of them");
    c.xnames = names;
    expect_refusal(&c, "the fixed-effects design is singular: column 'twice module' of x is a "
                       "linear combination of the columns before it; drop it or one of them");

    double xz[8][2];
    for (int i = 0; i < 8; i++) {
        xz[i][0] = 1;
        xz[i][1] = 0;
    }
    c = d;
    c.x = &xz[0][0];
    expect_refusal(&c, "the fixed-effects design is singular: column 2 of x is all zeros");

    c = d;
    c.n = 2;
    expect_refusal(&c, "2 observations are too few for 2 fixed effects: there must be more "
                       "observations than fixed effects");

    uint32_t one[8] = {0};
    c = d;
    c.g[0] = one;
    c.q[0] = 1;
    expect_refusal(&c, "factor 1 has a single level; a random intercept needs at least two "
                       "levels");

    c = d;
    c.q[0] = 5;   /* level 4 never occurs */
    expect_refusal(&c, "factor 1: level 4 of 0..4 has no observations; number only the levels "
                       "that occur");

    uint32_t bad[8] = {0, 0, 1, 1, 2, 2, 3, 9};
    c = d;
    c.g[0] = bad;
    expect_refusal(&c, "factor 1: observation 8 has level 9, outside 0..3");

    uint32_t each[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    c = d;
    c.g[0] = each;
    c.q[0] = 8;
    expect_refusal(&c, "factor 1 has 8 levels for 8 observations; it needs fewer levels than "
                       "observations");

    double yn[8];
    memcpy(yn, y, sizeof yn);
    yn[5] = NAN;
    c = d;
    c.y = yn;
    expect_refusal(&c, "observation 6: y is not finite (nan); drop rows with missing values "
                       "before fitting");

    double xn[8][2];
    for (int i = 0; i < 8; i++) {
        xn[i][0] = 1;
        xn[i][1] = i;
    }
    xn[2][1] = INFINITY;
    c = d;
    c.x = &xn[0][0];
    c.xnames = names;
    expect_refusal(&c, "observation 3: column 'module' of x is not finite (inf); drop rows with "
                       "missing values before fitting");

    double yl[8];
    for (int i = 0; i < 8; i++)
        yl[i] = 3 + 0.5 * i;
    c = d;
    c.y = yl;
    expect_refusal(&c, "y is fitted exactly by the fixed effects; there is no variation left "
                   "to estimate variances from");

    c = d;
    c.nfactors = 3;
    expect_refusal(&c, "nfactors is 3; it must be 1 or 2");

    c = d;
    c.p = 0;
    expect_refusal(&c, "the model has no fixed effects; include at least an intercept column "
                       "in x");
}

/* Two crossed factors whose smaller one has more than 4000 levels. */
static void test_refuses_large_crossed(void **state)
{
    (void)state;
    const size_t q = 4001, n = 2 * q;
    double *y = malloc(n * sizeof *y), *x = malloc(n * sizeof *x);
    uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        y[i] = (double)(i % 7);
        x[i] = 1;
        a[i] = (uint32_t)(i % q);
        b[i] = (uint32_t)((i / 2) % q);   /* level l of a meets levels l/2-ish of b */
    }
    struct lmm_data d = {.n = n, .p = 1, .y = y, .x = x, .nfactors = 2, .g = {a, b},
                         .q = {q, q}};
    expect_refusal(&d, "factors 1 and 2 are crossed and the smaller has 4001 levels; crossed "
                       "factors are supported up to 4000 levels in the smaller");
    free(y);
    free(x);
    free(a);
    free(b);
}

/* A fit's results do not depend on the order of the factors: the
** eliminated factor is the inner one when nested, the larger when crossed. */
static void swap_and_compare(const char *name, int el_as_given)
{
    struct dataset ds;
    load(name, 2, &ds);
    struct lmm_data d2 = ds.d;
    d2.g[0] = ds.d.g[1];
    d2.g[1] = ds.d.g[0];
    d2.q[0] = ds.d.q[1];
    d2.q[1] = ds.d.q[0];
    struct lmm_fit f1, f2;
    duet_err e;
    assert_int_equal(lmm_fit(&ds.d, 1, &f1, &e), 0);
    assert_int_equal(lmm_fit(&d2, 1, &f2, &e), 0);
    assert_int_equal(f1.eliminated, el_as_given);
    assert_int_equal(f2.eliminated, 1 - el_as_given);
    assert_int_equal(f1.nested, f2.nested);
    assert_float_equal(f1.tau2[0], f2.tau2[1], 1e-7 * f1.tau2[0]);
    assert_float_equal(f1.tau2[1], f2.tau2[0], 1e-7 * f1.tau2[1]);
    assert_float_equal(f1.deviance, f2.deviance, 1e-10 * fabs(f1.deviance));
    for (size_t j = 0; j < f1.p; j++)
        assert_float_equal(f1.beta[j], f2.beta[j], 1e-7 * f1.se[j]);
    lmm_fit_free(&f1);
    lmm_fit_free(&f2);
    dataset_free(&ds);
}

static void test_factor_order(void **state)
{
    (void)state;
    swap_and_compare("crossed", 0);   /* 20 subjects, 15 items: subjects go first */
    swap_and_compare("nested", 1);    /* persons within partnerships */
}

/* The fit does not depend on where y and x are centred: one.csv with
** 1e6 added to y and 1e4 to x (a predictor like a year, a badly scaled
** X'X) must give lme4's estimates for one.csv, the intercept moved by
** 1e6 - 1e4 beta1. */
static void test_shift_invariance(void **state)
{
    (void)state;
    struct dataset ds;
    load("one", 1, &ds);
    for (size_t i = 0; i < ds.d.n; i++) {
        ds.y[i] += 1e6;
        ds.x[2 * i + 1] += 1e4;
    }
    struct expected xp;
    read_expected(FIXDIR "one.reml.csv", &xp);
    struct lmm_fit f;
    duet_err e;
    assert_int_equal(lmm_fit(&ds.d, 1, &f, &e), 0);
    struct agreement a = {0, ""};
    double b1 = want(&xp, "beta[1]");
    check(&a, "one shifted", "beta[0]", f.beta[0], want(&xp, "beta[0]") + 1e6 - 1e4 * b1);
    check(&a, "one shifted", "beta[1]", f.beta[1], b1);
    check(&a, "one shifted", "se[1]", f.se[1], want(&xp, "se[1]"));
    check(&a, "one shifted", "tau2[0]", f.tau2[0], want(&xp, "tau2[0]"));
    check(&a, "one shifted", "sigma2", f.sigma2, want(&xp, "sigma2"));
    check(&a, "one shifted", "loglik", f.loglik, want(&xp, "loglik"));
    lmm_fit_free(&f);
    dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anova_by_hand),
        cmocka_unit_test(test_anova_reml),   cmocka_unit_test(test_anova_ml),
        cmocka_unit_test(test_one_reml),     cmocka_unit_test(test_one_ml),
        cmocka_unit_test(test_nested_reml),  cmocka_unit_test(test_nested_ml),
        cmocka_unit_test(test_crossed_reml), cmocka_unit_test(test_crossed_ml),
        cmocka_unit_test(test_missing_reml), cmocka_unit_test(test_missing_ml),
        cmocka_unit_test(test_zero_reml),    cmocka_unit_test(test_zero_ml),
        cmocka_unit_test(test_zero2_reml),   cmocka_unit_test(test_zero2_ml),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_refuses_large_crossed),
        cmocka_unit_test(test_factor_order),
        cmocka_unit_test(test_shift_invariance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
