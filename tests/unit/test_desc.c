/*
** test_desc.c — descriptive statistics against hand calculations (the
** arithmetic is in the comments) and against R: the values marked "R" come
** from tests/fixtures/desc/check-values.R (R 4.2.2, psych 2.2.9), whose
** output is check-values.out beside it.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "core/err.h"
#include "stats/desc.h"

#define CLOSE(got, want, tol) assert_true(fabs((got) - (want)) <= (tol))

/* The message of a refused call contains `text`. */
#define REFUSED(call, text) do {                                   \
        duet_err e_;                                               \
        memset(&e_, 0, sizeof e_);                                 \
        assert_int_equal((call), -1);                              \
        assert_int_equal(e_.code, DUET_EINPUT);                    \
        if (strstr(e_.msg, text) == NULL)                          \
            fail_msg("message '%s' lacks '%s'", e_.msg, text);     \
    } while (0)

/* ---- mean and SD ---- */

static void test_mean_sd_by_hand(void **state)
{
    (void)state;
    duet_err e;
    /* 2 4 4 4 5 5 7 9: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
    ** SD = sqrt(32 / 7) = 2.1380899352993950. */
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    double m, s;
    assert_int_equal(desc_mean(x, 8, &m, &e), 0);
    assert_true(m == 5.0);
    assert_int_equal(desc_sd(x, 8, &s, &e), 0);
    CLOSE(s, sqrt(32.0 / 7.0), 1e-15);
    CLOSE(s, 2.1380899352993950, 1e-15);
    assert_int_equal(desc_count(x, 8), 8);
}

static void test_missing_values_are_skipped(void **state)
{
    (void)state;
    duet_err e;
    /* The same 8 values with two NaNs between them: same mean and SD, 8 counted. */
    const double x[] = {2, NAN, 4, 4, 4, 5, NAN, 5, 7, 9};
    double m, s;
    assert_int_equal(desc_count(x, 10), 8);
    assert_int_equal(desc_mean(x, 10, &m, &e), 0);
    assert_true(m == 5.0);
    assert_int_equal(desc_sd(x, 10, &s, &e), 0);
    CLOSE(s, 2.1380899352993950, 1e-15);
}

static void test_sd_is_exact_for_constant_and_offset_data(void **state)
{
    (void)state;
    duet_err e;
    /* 0.1 is not a binary fraction, and 7 * 0.1 / 7 need not be 0.1; the SD must
    ** still be exactly 0 and the mean exactly 0.1. */
    const double c[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    double m, s;
    assert_int_equal(desc_mean(c, 7, &m, &e), 0);
    assert_true(m == 0.1);
    assert_int_equal(desc_sd(c, 7, &s, &e), 0);
    assert_true(s == 0.0);
    /* 1e9 + {1, 2, 3}: deviations -1, 0, 1, so SD = sqrt(2 / 2) = 1 exactly; a
    ** one-pass sum of squares would lose it to cancellation. */
    const double big[] = {1e9 + 1, 1e9 + 2, 1e9 + 3};
    assert_int_equal(desc_sd(big, 3, &s, &e), 0);
    assert_true(s == 1.0);
    /* R: sd(x) of the regression data in check-values.R. */
    const double x[] = {1.5, 2.0, 3.25, 4.0, 4.5, 6.0, 7.5, 8.0, 9.0, 10.5};
    assert_int_equal(desc_sd(x, 10, &s, &e), 0);
    CLOSE(s, 3.0578905219847954, 1e-14);
}

static void test_mean_sd_refusals(void **state)
{
    (void)state;
    const double none[] = {NAN, NAN};
    const double one[] = {NAN, 3.0};
    const double inf[] = {1.0, INFINITY, 2.0};
    double v = 42.0;
    REFUSED(desc_mean(none, 2, &v, &e_), "all 2 are missing");
    REFUSED(desc_mean(none, 0, &v, &e_), "no values");
    REFUSED(desc_sd(one, 2, &v, &e_), "at least 2 values that are not missing, found 1");
    REFUSED(desc_mean(inf, 3, &v, &e_), "value 2 of 3 is infinite");
    REFUSED(desc_sd(inf, 3, &v, &e_), "value 2 of 3 is infinite");
    assert_true(v == 42.0);   /* untouched on failure */
    /* A sum of squares that overflows is refused, not returned as inf. */
    const double huge[] = {1e300, -1e300, 1e300};
    REFUSED(desc_sd(huge, 3, &v, &e_), "too large");
}

/* ---- Cronbach's alpha ---- */

static void test_alpha_by_hand(void **state)
{
    (void)state;
    duet_err e;
    /* 5 people x 3 items:
    **   person  i1 i2 i3  total
    **     1      1  2  2     5
    **     2      2  3  3     8
    **     3      3  3  4    10
    **     4      4  5  4    13
    **     5      5  4  5    14
    ** item 1: mean 3,   squared deviations 4+1+0+1+4 = 10,             var 2.5
    ** item 2: mean 3.4, 1.96+0.16+0.16+2.56+0.36 = 5.2,               var 1.3
    ** item 3: mean 3.6, 2.56+0.36+0.16+0.16+1.96 = 5.2,               var 1.3
    ** sum of item variances 5.1
    ** totals: mean 10, 25+4+0+9+16 = 54,                              var 13.5
    ** alpha = 3/2 * (1 - 5.1/13.5) = 1.5 * 8.4/13.5 = 12.6/13.5 = 14/15. */
    const double x[] = {1, 2, 2,
                        2, 3, 3,
                        3, 3, 4,
                        4, 5, 4,
                        5, 4, 5};
    struct desc_alpha a;
    assert_int_equal(desc_alpha(x, 5, 3, &a, &e), 0);
    CLOSE(a.alpha, 14.0 / 15.0, 1e-15);
    CLOSE(a.sum_item_var, 5.1, 1e-14);
    CLOSE(a.total_var, 13.5, 1e-14);
    assert_int_equal(a.k, 3);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.dropped, 0);
}

static void test_alpha_matches_psych_listwise(void **state)
{
    (void)state;
    duet_err e;
    /* R: psych::alpha(items, use = "complete.obs")$total$raw_alpha; person 5's
    ** missing item 3 drops that whole row. */
    const double x[] = {5, 6, 5, 6,
                        3, 4, 2, 3,
                        6, 6, 7, 5,
                        2, 3, 3, 2,
                        4, 5, NAN, 4,
                        7, 6, 6, 7,
                        4, 3, 5, 4,
                        5, 5, 4, 6};
    struct desc_alpha a;
    assert_int_equal(desc_alpha(x, 8, 4, &a, &e), 0);
    CLOSE(a.alpha, 0.93470790378006863, 1e-13);
    CLOSE(a.sum_item_var, 11.047619047619047, 1e-12);
    CLOSE(a.total_var, 36.952380952380949, 1e-12);
    assert_int_equal(a.n, 7);
    assert_int_equal(a.dropped, 1);
}

static void test_alpha_negative_and_refusals(void **state)
{
    (void)state;
    duet_err e;
    /* A reverse-keyed item left unflipped: items 1 and 2 are 1,2,3 and 3,2,1.
    ** Item variances 1 + 1 = 2; totals 4,4,4 do not vary: refused. */
    const double flat[] = {1, 3, 2, 2, 3, 1};
    struct desc_alpha a;
    REFUSED(desc_alpha(flat, 3, 2, &a, &e_), "totals do not vary");
    /* Items 1,2,3 and 3,1,2: variances 1 and 1 (sum 2); totals 4,3,5 (mean 4,
    ** squared deviations 0+1+1 = 2, var 1); alpha = 2/1 * (1 - 2/1) = -2. */
    const double neg[] = {1, 3, 2, 1, 3, 2};
    assert_int_equal(desc_alpha(neg, 3, 2, &a, &e), 0);
    CLOSE(a.alpha, -2.0, 1e-15);
    const double one_item[] = {1, 2, 3};
    REFUSED(desc_alpha(one_item, 3, 1, &a, &e_), "at least 2 items, got 1");
    /* Only one complete row. */
    const double sparse[] = {1, NAN, 2, 3, NAN, 4};
    REFUSED(desc_alpha(sparse, 3, 2, &a, &e_), "found 1 of 3");
    const double inf[] = {1, 2, 3, INFINITY};
    REFUSED(desc_alpha(inf, 2, 2, &a, &e_), "row 2, item 2 is infinite");
}

/* ---- Pearson's r and Fisher's interval ---- */

static void test_pearson_by_hand(void **state)
{
    (void)state;
    duet_err e;
    /* x 1..5 (mean 3), y 2,4,5,4,5 (mean 4):
    ** dx -2,-1,0,1,2; dy -2,0,1,0,1; Sxy = 4+0+0+0+2 = 6, Sxx = 10, Syy = 6;
    ** r = 6 / sqrt(60) = 0.77459666924148338. */
    const double x[] = {1, 2, 3, 4, 5}, y[] = {2, 4, 5, 4, 5};
    struct desc_pearson p;
    assert_int_equal(desc_pearson(x, y, 5, &p, &e), 0);
    CLOSE(p.r, 6.0 / sqrt(60.0), 1e-15);
    assert_int_equal(p.n, 5);
    assert_int_equal(p.dropped, 0);
    /* n = 5: z = atanh(r) = 0.5 ln(1.7745967 / 0.2254033) = 1.0317; half-width
    ** 1.959964 / sqrt(2) = 1.3859038; tanh(1.0317 -/+ 1.3859) = -0.3401, 0.9842. */
    double lo, hi;
    assert_int_equal(desc_fisher_ci(p.r, p.n, &lo, &hi, &e), 0);
    double z = atanh(6.0 / sqrt(60.0)), h = 1.959963984540054 / sqrt(2.0);
    CLOSE(lo, tanh(z - h), 1e-15);
    CLOSE(hi, tanh(z + h), 1e-15);
    CLOSE(lo, -0.3401, 1e-4);
    CLOSE(hi, 0.9842, 1e-4);
}

static void test_pearson_matches_r_with_missing(void **state)
{
    (void)state;
    duet_err e;
    /* R: cor.test(x, y) on the 10 complete pairs; the NaNs add two incomplete ones. */
    const double x[] = {1.5, 2.0, NAN, 3.25, 4.0, 4.5, 6.0, 7.5, 8.0, 9.0, 10.5, 3.0};
    const double y[] = {2.1, 2.9, 1.0, 3.0, 4.8, 4.1, 6.5, 6.9, 8.8, 8.1, 11.0, NAN};
    struct desc_pearson p;
    assert_int_equal(desc_pearson(x, y, 12, &p, &e), 0);
    CLOSE(p.r, 0.97639572369800176, 1e-14);
    assert_int_equal(p.n, 10);
    assert_int_equal(p.dropped, 2);
    double lo, hi;
    assert_int_equal(desc_fisher_ci(p.r, p.n, &lo, &hi, &e), 0);
    CLOSE(lo, 0.90014902002305142, 1e-13);
    CLOSE(hi, 0.99458595755936952, 1e-13);
}

static void test_pearson_refusals(void **state)
{
    (void)state;
    duet_err e;
    struct desc_pearson p;
    const double x2[] = {1, 2, NAN}, y2[] = {3, 4, 5};
    REFUSED(desc_pearson(x2, y2, 3, &p, &e_), "at least 3 pairs with both values present, found 2");
    const double xc[] = {2, 2, 2, 2}, yc[] = {1, 2, 3, 4};
    REFUSED(desc_pearson(xc, yc, 4, &p, &e_), "x does not vary");
    REFUSED(desc_pearson(yc, xc, 4, &p, &e_), "y does not vary");
    const double xi[] = {1, 2, 3}, yi[] = {1, -INFINITY, 3};
    REFUSED(desc_pearson(xi, yi, 3, &p, &e_), "y 2 of 3 is infinite");
    /* Perfectly correlated: r = 1 up to rounding, never above; r = -1 gives a
    ** degenerate interval. */
    const double a[] = {1, 2, 3, 4}, b[] = {3, 5, 7, 9};
    assert_int_equal(desc_pearson(a, b, 4, &p, &e), 0);
    assert_true(p.r <= 1.0 && p.r > 1.0 - 1e-15);
    const double c[] = {0.3, 0.7, 1.1, 1.9}, d[] = {-0.6, -1.4, -2.2, -3.8};
    assert_int_equal(desc_pearson(c, d, 4, &p, &e), 0);
    assert_true(p.r >= -1.0 && p.r < -1.0 + 1e-15);
    double lo = 0, hi = 0;
    assert_int_equal(desc_fisher_ci(-1.0, 10, &lo, &hi, &e), 0);
    assert_true(lo == -1.0 && hi == -1.0);
    REFUSED(desc_fisher_ci(0.5, 3, &lo, &hi, &e_), "at least 4 pairs, found 3");
    REFUSED(desc_fisher_ci(1.5, 10, &lo, &hi, &e_), "-1..1");
    REFUSED(desc_fisher_ci(NAN, 10, &lo, &hi, &e_), "-1..1");
    /* n = 4 is the smallest with an interval: half-width 1.959964 / 1. */
    assert_int_equal(desc_fisher_ci(0.0, 4, &lo, &hi, &e), 0);
    CLOSE(lo, -tanh(1.959963984540054), 1e-15);
    CLOSE(hi, tanh(1.959963984540054), 1e-15);
}

/* ---- simple regression ---- */

static void test_ols_by_hand(void **state)
{
    (void)state;
    duet_err e;
    /* The same x 1..5, y 2,4,5,4,5: slope = Sxy/Sxx = 6/10 = 0.6;
    ** intercept = 4 - 0.6 * 3 = 2.2; fitted 2.8 3.4 4.0 4.6 5.2; residuals
    ** -0.8 0.6 1.0 -0.6 -0.2; SSE = 0.64+0.36+1+0.36+0.04 = 2.4;
    ** s = sqrt(2.4 / 3) = sqrt(0.8); SE(slope) = s / sqrt(10) = sqrt(0.08);
    ** SE(intercept) = s * sqrt(1/5 + 9/10) = sqrt(0.8 * 1.1) = sqrt(0.88). */
    const double x[] = {1, 2, 3, 4, 5}, y[] = {2, 4, 5, 4, 5};
    struct desc_ols o;
    assert_int_equal(desc_ols(x, y, 5, &o, &e), 0);
    CLOSE(o.slope, 0.6, 1e-15);
    CLOSE(o.intercept, 2.2, 1e-15);
    CLOSE(o.resid_sd, sqrt(0.8), 1e-15);
    CLOSE(o.se_slope, sqrt(0.08), 1e-15);
    CLOSE(o.se_intercept, sqrt(0.88), 1e-15);
    assert_int_equal(o.n, 5);
}

static void test_ols_matches_lm(void **state)
{
    (void)state;
    duet_err e;
    /* R: summary(lm(y ~ x)); one pair with y missing is dropped. */
    const double x[] = {1.5, 2.0, 3.25, 4.0, 4.5, 6.0, 7.5, 8.0, 9.0, 10.5, 12.0};
    const double y[] = {2.1, 2.9, 3.0, 4.8, 4.1, 6.5, 6.9, 8.8, 8.1, 11.0, NAN};
    struct desc_ols o;
    assert_int_equal(desc_ols(x, y, 11, &o, &e), 0);
    CLOSE(o.intercept, 0.57139249907166811, 1e-13);
    CLOSE(o.slope, 0.93308577794281466, 1e-13);
    CLOSE(o.se_intercept, 0.46186829372118265, 1e-13);
    CLOSE(o.se_slope, 0.072976495786690326, 1e-13);
    CLOSE(o.resid_sd, 0.66946240438135118, 1e-13);
    assert_int_equal(o.n, 10);
    assert_int_equal(o.dropped, 1);
}

static void test_ols_refusals_and_perfect_fit(void **state)
{
    (void)state;
    duet_err e;
    struct desc_ols o;
    const double x2[] = {1, 2}, y2[] = {1, 2};
    REFUSED(desc_ols(x2, y2, 2, &o, &e_), "at least 3 pairs with both values present, found 2");
    const double xc[] = {0.1, 0.1, 0.1, 0.1}, yc[] = {1, 2, 3, 4};
    REFUSED(desc_ols(xc, yc, 4, &o, &e_), "x does not vary");
    /* y = 1 + 2x exactly: no residual, standard errors 0. */
    const double x[] = {0, 1, 2, 3}, y[] = {1, 3, 5, 7};
    assert_int_equal(desc_ols(x, y, 4, &o, &e), 0);
    assert_true(o.slope == 2.0 && o.intercept == 1.0);
    assert_true(o.resid_sd == 0.0 && o.se_slope == 0.0 && o.se_intercept == 0.0);
    /* A constant y is allowed: slope 0. */
    const double yk[] = {4, 4, 4, 4};
    assert_int_equal(desc_ols(x, yk, 4, &o, &e), 0);
    assert_true(o.slope == 0.0 && o.intercept == 4.0 && o.resid_sd == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mean_sd_by_hand),
        cmocka_unit_test(test_missing_values_are_skipped),
        cmocka_unit_test(test_sd_is_exact_for_constant_and_offset_data),
        cmocka_unit_test(test_mean_sd_refusals),
        cmocka_unit_test(test_alpha_by_hand),
        cmocka_unit_test(test_alpha_matches_psych_listwise),
        cmocka_unit_test(test_alpha_negative_and_refusals),
        cmocka_unit_test(test_pearson_by_hand),
        cmocka_unit_test(test_pearson_matches_r_with_missing),
        cmocka_unit_test(test_pearson_refusals),
        cmocka_unit_test(test_ols_by_hand),
        cmocka_unit_test(test_ols_matches_lm),
        cmocka_unit_test(test_ols_refusals_and_perfect_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
