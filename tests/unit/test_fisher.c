/*
** test_fisher.c — Fisher's exact test and Benjamini–Hochberg q values
** (stats/fisher.h) against published values and hand calculations.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "stats/fisher.h"

static void near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fabs(want) + 1e-300))
        fail_msg("expected %.17g, got %.17g", want, got);
}

/* R: fisher.test(matrix(c(3,1,1,3),2))$p.value = 0.4857143 (Fisher's lady
** tasting tea: 34/70), and fisher.test(matrix(c(10,0,0,10),2))$p.value =
** 1.0825088224469026e-05 (2 / choose(20, 10)). */
static void test_published(void **state)
{
    (void)state;
    near(fisher_exact(3, 1, 1, 3), 34.0 / 70, 1e-12);
    near(fisher_exact(3, 1, 1, 3), 0.4857142857142857, 1e-12);
    near(fisher_exact(10, 0, 0, 10), 1.0825088224469026e-05, 1e-12);
    near(fisher_exact(0, 10, 10, 0), 1.0825088224469026e-05, 1e-12);
}

/* By hand from the hypergeometric probabilities. (10,0,0,4): only the
** observed table is as unlikely, 1/C(14,4) = 1/1001. (3,7,3,1): margins
** 10, 4 and 6: tables x = 2..6 have 45, 480, 1260, 1008, 210 / 3003, and
** those no more likely than 480 sum to 735. (0,10,1,4): 10/105 of x = 0,
** 50 and 45 the others: only the observed. (3,7,3,7): the mode, p = 1. */
static void test_by_hand(void **state)
{
    (void)state;
    near(fisher_exact(10, 0, 0, 4), 1.0 / 1001, 1e-12);
    near(fisher_exact(3, 7, 3, 1), 735.0 / 3003, 1e-12);
    near(fisher_exact(0, 10, 2, 3), 10.0 / 105, 1e-12);
    near(fisher_exact(3, 7, 3, 7), 1, 1e-12);
    /* Transposing or swapping rows does not change p. */
    near(fisher_exact(3, 3, 7, 1), 735.0 / 3003, 1e-12);
    near(fisher_exact(3, 1, 3, 7), 735.0 / 3003, 1e-12);
    /* An empty margin: nothing to test. */
    near(fisher_exact(0, 0, 3, 4), 1, 0);
    near(fisher_exact(0, 5, 0, 4), 1, 0);
    assert_true(isnan(fisher_exact(-1, 0, 0, 1)));
    /* Large tables neither overflow nor underflow to nonsense. */
    double p = fisher_exact(500, 500, 500, 500);
    near(p, 1, 1e-9);
    p = fisher_exact(1000, 0, 0, 1000);
    assert_true(p >= 0 && p < 1e-300);
}

/* p = (0.01, 0.04, 0.03, 0.5): sorted 0.01, 0.03, 0.04, 0.5 with ranks
** 1..4, m = 4: p m / rank = 0.04, 0.06, 0.05333.., 0.5; the running minimum
** from the top leaves 0.04, 0.05333, 0.05333, 0.5, so in input order
** q = (0.04, 0.05333.., 0.05333.., 0.5). Ties share a q value. */
static void test_bh(void **state)
{
    (void)state;
    duet_err e;
    double p[4] = {0.01, 0.04, 0.03, 0.5}, q[4];
    assert_int_equal(fisher_bh(p, 4, q, &e), 0);
    near(q[0], 0.04, 1e-15);
    near(q[1], 0.04 * 4 / 3, 1e-15);
    near(q[2], 0.04 * 4 / 3, 1e-15);
    near(q[3], 0.5, 1e-15);
    double t[3] = {0.02, 0.02, 0.9};       /* 0.03, 0.03, 0.9 */
    assert_int_equal(fisher_bh(t, 3, t, &e), 0);
    near(t[0], 0.03, 1e-15);
    near(t[1], 0.03, 1e-15);
    near(t[2], 0.9, 1e-15);
    double big[2] = {0.8, 0.9};             /* 1.6 capped at 1; 0.9 */
    assert_int_equal(fisher_bh(big, 2, big, &e), 0);
    near(big[0], 0.9, 1e-15);
    near(big[1], 0.9, 1e-15);
    assert_int_equal(fisher_bh(NULL, 0, NULL, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published),
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_bh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
