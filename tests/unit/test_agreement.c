/*
** test_agreement.c — Krippendorff's alpha, Cohen's and Fleiss' kappa against
** published values: Krippendorff (2011) "Computing Krippendorff's
** Alpha-Reliability" (4 coders × 12 units) and Wikipedia's "Krippendorff's
** alpha" (3 × 15) from tests/fixtures/agreement/ (check values:
** tests/fixtures/agreement/README.md), Wikipedia's "Fleiss' kappa"
** example (10 subjects, 14 raters, 5 categories, from its counts table), and
** hand calculations in the comments.
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
#include "stats/agreement.h"

#define CLOSE(got, want, tol) do {                                              \
        double g_ = (got), w_ = (want);                                         \
        if (!(fabs(g_ - w_) <= (tol)))                                          \
            fail_msg("%s = %.10f, want %.10f", #got, g_, w_);                   \
    } while (0)

#define REFUSED(call, text) do {                                   \
        duet_err e_;                                               \
        memset(&e_, 0, sizeof e_);                                 \
        assert_int_equal((call), -1);                              \
        assert_int_equal(e_.code, DUET_EINPUT);                    \
        if (strstr(e_.msg, text) == NULL)                          \
            fail_msg("message '%s' lacks '%s'", e_.msg, text);     \
    } while (0)

#define N NAN

/* Krippendorff (2011), units × coders A..D (the fixture's rows). */
static const double kripp[12 * 4] = {
    1, 1, N, 1,   2, 2, 3, 2,   3, 3, 3, 3,   3, 3, 3, 3,
    2, 2, 2, 2,   1, 2, 3, 4,   4, 4, 4, 4,   1, 1, 2, 1,
    2, 2, 2, 2,   N, 5, 5, 5,   N, N, 1, 1,   N, 3, N, N,
};

/* Wikipedia, "Krippendorff's alpha", units × coders A..C. */
static const double wiki[15 * 3] = {
    N, 1, N,   N, N, N,   N, 2, 2,   N, 1, 1,   N, 3, 3,
    3, 3, 4,   4, 4, 4,   1, 3, N,   2, N, 2,   1, N, 1,
    1, N, 1,   3, N, 3,   3, N, 3,   N, N, N,   3, N, 4,
};

/* The fixture CSVs hold the same numbers: read them back to be sure. */
static void read_fixture(const char *name, double *x, size_t nunits, size_t ncoders)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/agreement/%s",
             getenv("DUET_SRC") ? getenv("DUET_SRC") : ".", name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    for (size_t u = 0; u < nunits; u++) {
        assert_non_null(fgets(line, sizeof line, f));
        char *p = strchr(line, ',');
        for (size_t c = 0; c < ncoders; c++) {
            assert_non_null(p);
            p++;
            x[u * ncoders + c] = (*p == ',' || *p == '\n' || *p == '\r' || *p == '\0')
                                     ? NAN : strtod(p, NULL);
            p = strchr(p, ',');
        }
    }
    fclose(f);
}

static void same_matrix(const double *a, const double *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        assert_true((isnan(a[k]) && isnan(b[k])) || a[k] == b[k]);
}

static void test_fixtures_match(void **state)
{
    (void)state;
    double x[15 * 4];
    read_fixture("krippendorff-2011.csv", x, 12, 4);
    same_matrix(x, kripp, 48);
    read_fixture("wikipedia-3x15.csv", x, 15, 3);
    same_matrix(x, wiki, 45);
}

static double alpha_of(const double *x, size_t nu, size_t nc, enum agree_level lv)
{
    struct agree_alpha a;
    duet_err e;
    if (agree_alpha(x, nu, nc, lv, &a, &e) != 0)
        fail_msg("agree_alpha: %s", e.msg);
    return a.alpha;
}

static void test_krippendorff_2011(void **state)
{
    (void)state;
    CLOSE(alpha_of(kripp, 12, 4, AGREE_NOMINAL), 0.7434, 5e-5);
    CLOSE(alpha_of(kripp, 12, 4, AGREE_ORDINAL), 0.8154, 5e-5);
    CLOSE(alpha_of(kripp, 12, 4, AGREE_INTERVAL), 0.8491, 5e-5);
    CLOSE(alpha_of(kripp, 12, 4, AGREE_RATIO), 0.7974, 5e-5);
    /* By hand, nominal: 11 pairable units hold n = 40 values (the last unit
    ** has one), n_c = 9, 13, 10, 5, 3 for 1..5, so sum over pairs of all values
    ** of [c != k] = 40^2 - (81 + 169 + 100 + 25 + 9) = 1216. Units that
    ** disagree: (2,2,3,2) 16 - 10 = 6 pairs, (1,2,3,4) 16 - 4 = 12 and
    ** (1,1,2,1) 6, each over m - 1 = 3: 2 + 4 + 2 = 8. alpha = 1 - 39 * 8 / 1216. */
    struct agree_alpha a;
    duet_err e;
    assert_int_equal(agree_alpha(kripp, 12, 4, AGREE_NOMINAL, &a, &e), 0);
    assert_int_equal(a.n_units, 11);
    assert_int_equal(a.n_values, 40);
    assert_int_equal(a.n_distinct, 5);
    assert_int_equal(a.n_unpaired, 1);
    CLOSE(a.alpha, 1 - 39.0 * 8.0 / 1216.0, 1e-15);
    CLOSE(a.alpha, 1 - a.d_o / a.d_e, 1e-15);
}

static void test_wikipedia_3x15(void **state)
{
    (void)state;
    CLOSE(alpha_of(wiki, 15, 3, AGREE_NOMINAL), 0.6914, 5e-5);
    CLOSE(alpha_of(wiki, 15, 3, AGREE_ORDINAL), 0.8067, 5e-5);
    CLOSE(alpha_of(wiki, 15, 3, AGREE_INTERVAL), 0.8108, 5e-5);
    CLOSE(alpha_of(wiki, 15, 3, AGREE_RATIO), 0.8089, 5e-5);
}

static void test_two_units_minus_half(void **state)
{
    (void)state;
    /* (A,B), (B,A): n = 4, o_AB = o_BA = 2, n_A = n_B = 2; D_o = 1,
    ** D_e = (2*2 + 2*2) / (4*3) = 2/3, alpha = 1 - 3/2 = -0.5. */
    const double x[] = {1, 2, 2, 1};
    CLOSE(alpha_of(x, 2, 2, AGREE_NOMINAL), -0.5, 1e-15);
    /* Text labels mapped to any distinct numbers give the same. */
    const double y[] = {7, -3, -3, 7};
    CLOSE(alpha_of(y, 2, 2, AGREE_NOMINAL), -0.5, 1e-15);
}

/* Many categories (more than the 64 the one-pass count of distinct values
** holds, so the sorting path too): 70 units coded (i, i) by two coders,
** except unit 0, coded (0, 1). n = 140; n_0 = 1, n_1 = 3, the other 68
** values twice each; one disagreeing unit gives 2 ordered pairs: D_o =
** 2/140; D_e = (140^2 - (1 + 9 + 68*4)) / (140*139) = 19318/19460;
** alpha = 1 - (2/140)/(19318/19460). With 50 categories (the one-pass path)
** the same reasoning: n = 100, D_e = (10000 - (1 + 9 + 48*4)) / 9900. */
static void test_many_categories(void **state)
{
    (void)state;
    for (size_t nu = 50; nu <= 70; nu += 20) {
        double x[140];
        for (size_t u = 0; u < nu; u++)
            x[2 * u] = x[2 * u + 1] = (double)u;
        x[1] = 1;
        double n = (double)(2 * nu);
        double de = (n * n - (1 + 9 + (double)(nu - 2) * 4)) / (n * (n - 1));
        CLOSE(alpha_of(x, nu, 2, AGREE_NOMINAL), 1.0 - (2.0 / n) / de, 1e-14);
        x[1] = 0;
        CLOSE(alpha_of(x, nu, 2, AGREE_INTERVAL), 1.0, 1e-15);
    }
}

static void test_perfect_and_order_free(void **state)
{
    (void)state;
    const double x[] = {1, 1, 1, 2, 2, N, 3, 3, 3};
    for (int lv = AGREE_NOMINAL; lv <= AGREE_RATIO; lv++)
        CLOSE(alpha_of(x, 3, 3, (enum agree_level)lv), 1.0, 1e-15);
    /* Swapping coders within units changes nothing. */
    double k2[48];
    for (size_t u = 0; u < 12; u++)
        for (size_t c = 0; c < 4; c++)
            k2[u * 4 + c] = kripp[u * 4 + (3 - c)];
    CLOSE(alpha_of(k2, 12, 4, AGREE_ORDINAL), alpha_of(kripp, 12, 4, AGREE_ORDINAL), 1e-14);
}

static void test_missing_values(void **state)
{
    (void)state;
    /* Units with fewer than two values do not count: adding empty units and
    ** single-value units leaves alpha unchanged. */
    double x[(15 + 3) * 3];
    memcpy(x, wiki, sizeof wiki);
    const double extra[9] = {N, N, N, 9, N, N, N, N, 1};
    memcpy(x + 45, extra, sizeof extra);
    CLOSE(alpha_of(x, 18, 3, AGREE_INTERVAL), alpha_of(wiki, 15, 3, AGREE_INTERVAL), 1e-14);
    struct agree_alpha a;
    duet_err e;
    assert_int_equal(agree_alpha(x, 18, 3, AGREE_NOMINAL, &a, &e), 0);
    assert_int_equal(a.n_units, 12);
    assert_int_equal(a.n_unpaired, 3);
}

static void test_degenerate(void **state)
{
    (void)state;
    struct agree_alpha a;
    const double lone[] = {1, N, N, 2, 3, N};
    REFUSED(agree_alpha(lone, 3, 2, AGREE_NOMINAL, &a, &e_), "no pairable unit");
    const double same[] = {4, 4, 4, N, 4, 4, 9, N};
    REFUSED(agree_alpha(same, 4, 2, AGREE_NOMINAL, &a, &e_), "single distinct value");
    REFUSED(agree_alpha(same, 4, 2, AGREE_INTERVAL, &a, &e_), "alpha is undefined");
    const double neg[] = {-1, 1, 2, 2};
    REFUSED(agree_alpha(neg, 2, 2, AGREE_RATIO, &a, &e_), "negative");
    const double inf[] = {1, INFINITY};
    REFUSED(agree_alpha(inf, 1, 2, AGREE_NOMINAL, &a, &e_), "infinite");
    REFUSED(agree_alpha(kripp, 12, 1, AGREE_NOMINAL, &a, &e_), "at least two coders");
    REFUSED(agree_alpha(kripp, 0, 4, AGREE_NOMINAL, &a, &e_), "no units");
}

static void test_bootstrap(void **state)
{
    (void)state;
    struct agree_boot b1, b2;
    duet_err e;
    assert_int_equal(agree_alpha_bootstrap(kripp, 12, 4, AGREE_INTERVAL, 1000, 42, &b1, &e), 0);
    assert_int_equal(agree_alpha_bootstrap(kripp, 12, 4, AGREE_INTERVAL, 1000, 42, &b2, &e), 0);
    assert_true(b1.lo == b2.lo && b1.hi == b2.hi);          /* deterministic */
    assert_true(b1.lo < 0.8491 && 0.8491 < b1.hi && b1.hi <= 1.0);
    assert_int_equal(b1.b, 1000);
    assert_true(b1.used >= 990 && b1.used <= 1000);
    for (int lv = AGREE_NOMINAL; lv <= AGREE_RATIO; lv++) {
        assert_int_equal(agree_alpha_bootstrap(wiki, 15, 3, (enum agree_level)lv, 200, 7, &b1, &e), 0);
        assert_true(b1.lo <= b1.hi && b1.hi <= 1.0);
    }
    REFUSED(agree_alpha_bootstrap(kripp, 12, 4, AGREE_NOMINAL, 0, 1, &b1, &e_), "bootstrap");
    const double minus[] = {1, 2, 2, 1};
    /* two units: a third of the replicates draw one unit twice and still vary */
    assert_int_equal(agree_alpha_bootstrap(minus, 2, 2, AGREE_NOMINAL, 100, 3, &b1, &e), 0);
}

static void test_cohen(void **state)
{
    (void)state;
    /* 2x2: both yes 20, A yes B no 5, A no B yes 10, both no 15 (n = 50).
    ** p_o = 35/50 = 0.70; A yes 25/50, B yes 30/50: p_e = .5*.6 + .5*.4 = 0.50;
    ** kappa = (0.7 - 0.5) / 0.5 = 0.400. */
    double a[52], b[52];
    size_t k = 0;
    for (int i = 0; i < 20; i++, k++) { a[k] = 1; b[k] = 1; }
    for (int i = 0; i < 5; i++, k++) { a[k] = 1; b[k] = 0; }
    for (int i = 0; i < 10; i++, k++) { a[k] = 0; b[k] = 1; }
    for (int i = 0; i < 15; i++, k++) { a[k] = 0; b[k] = 0; }
    a[50] = N; b[50] = 1;          /* missing values: left out */
    a[51] = 0; b[51] = N;
    struct agree_kappa r;
    duet_err e;
    assert_int_equal(agree_cohen(a, b, 52, &r, &e), 0);
    CLOSE(r.p_o, 0.70, 1e-12);
    CLOSE(r.p_e, 0.50, 1e-12);
    CLOSE(r.kappa, 0.400, 1e-12);
    assert_int_equal(r.n_units, 50);
    assert_int_equal(r.n_dropped, 2);
    assert_int_equal(r.n_categories, 2);
    const double s[] = {3, 3, 3}, t[] = {3, 3, 3}, none[] = {N, N, N};
    REFUSED(agree_cohen(s, t, 3, &r, &e_), "kappa is undefined");
    REFUSED(agree_cohen(s, none, 3, &r, &e_), "no unit was coded by both");
}

/* Wikipedia, "Fleiss' kappa": 10 subjects × 5 categories, 14 raters each. */
static const unsigned fleiss_counts[10 * 5] = {
    0, 0, 0, 0, 14,   0, 2, 6, 4, 2,   0, 0, 3, 5, 6,   0, 3, 9, 2, 0,   2, 2, 8, 1, 1,
    7, 7, 0, 0, 0,    3, 2, 6, 3, 0,   2, 5, 3, 2, 2,   6, 5, 2, 1, 0,   0, 2, 2, 3, 7,
};

static void test_fleiss(void **state)
{
    (void)state;
    struct agree_kappa r;
    duet_err e;
    assert_int_equal(agree_fleiss_counts(fleiss_counts, 10, 5, &r, &e), 0);
    CLOSE(r.p_o, 0.3780, 5e-5);
    CLOSE(r.p_e, 0.2128, 5e-5);
    CLOSE(r.kappa, 0.2099, 5e-5);
    assert_int_equal(r.n_raters, 14);
    /* The same as units × raters: subject i's 14 ratings, category j as j+1. */
    double x[10 * 14];
    for (size_t i = 0; i < 10; i++) {
        size_t c = 0;
        for (size_t j = 0; j < 5; j++)
            for (unsigned k = 0; k < fleiss_counts[i * 5 + j]; k++)
                x[i * 14 + c++] = (double)(j + 1);
        assert_int_equal(c, 14);
    }
    struct agree_kappa r2;
    assert_int_equal(agree_fleiss(x, 10, 14, &r2, &e), 0);
    CLOSE(r2.p_o, r.p_o, 1e-15);
    CLOSE(r2.p_e, r.p_e, 1e-15);
    CLOSE(r2.kappa, r.kappa, 1e-15);
    assert_int_equal(r2.n_categories, 5);
    /* Missing cells are fine while every unit keeps the same count. */
    const double m[] = {1, 1, N, 2, N, 2, N, 1, 2};
    assert_int_equal(agree_fleiss(m, 3, 3, &r2, &e), 0);
    /* P_i = 1, 1, 0: P-bar = 2/3; p = 1/2, 1/2: P_e = 1/2; kappa = 1/3 */
    CLOSE(r2.kappa, 1.0 / 3.0, 1e-15);
    const double uneq[] = {1, 1, 2, 2, N, 1};
    REFUSED(agree_fleiss(uneq, 2, 3, &r2, &e_), "unit 2 has 2 ratings but unit 1 has 3");
    const double one[] = {5, 5, 5, 5};
    REFUSED(agree_fleiss(one, 2, 2, &r2, &e_), "kappa is undefined");
    const unsigned bad[] = {1, 0, 1, 1};
    REFUSED(agree_fleiss_counts(bad, 2, 2, &r2, &e_), "subject 2 has 2 ratings");
}

static void test_large_is_fast_enough(void **state)
{
    (void)state;
    /* 10 coders × 100,000 units, 5 categories, 5% missing: must just work
    ** (timed by bench/alpha/run.sh). */
    size_t nu = 100000, nc = 10;
    double *x = malloc(nu * nc * sizeof *x);
    assert_non_null(x);
    uint64_t s = 12345;
    for (size_t k = 0; k < nu * nc; k++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned v = (unsigned)(s >> 33);
        x[k] = v % 20 == 0 ? NAN : (double)((k / nc) % 5 + (v % 7 == 0 ? 1 : 0));
    }
    for (int lv = AGREE_NOMINAL; lv <= AGREE_RATIO; lv++) {
        double a = alpha_of(x, nu, nc, (enum agree_level)lv);
        assert_true(a > 0.5 && a <= 1.0);
    }
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_match),
        cmocka_unit_test(test_krippendorff_2011),
        cmocka_unit_test(test_wikipedia_3x15),
        cmocka_unit_test(test_two_units_minus_half),
        cmocka_unit_test(test_perfect_and_order_free),
        cmocka_unit_test(test_many_categories),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_cohen),
        cmocka_unit_test(test_fleiss),
        cmocka_unit_test(test_large_is_fast_enough),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
