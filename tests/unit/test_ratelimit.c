/*
** test_ratelimit.c — the per-account write limit (app/ratelimit.h): the
** burst, the refill, the wait it names, roles, accounts kept apart, and a
** full table that must not hand a drained account a fresh bucket.
**
** The clock is passed in, so every expected value is worked out by hand
** from the documented rates (docs/web.md, "Limits"): participants 60 a
** minute (one a second) with bursts of 20, staff 300 a minute (one every
** 200 ms) with bursts of 100.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "app/ratelimit.h"

static int setup(void **state)
{
    (void)state;
    ratelimit_reset();
    return 0;
}

/* How many writes account gets at now_ms before the first refusal. */
static int take_all(int64_t account, enum auth_role role, int64_t now_ms)
{
    int n = 0;
    duet_err e;
    while (ratelimit_write(account, role, now_ms, NULL, &e) == 0 && n < 100000)
        n++;
    return n;
}

static void test_participant_burst_and_refill(void **state)
{
    (void)state;
    int64_t t = 1000000;
    assert_int_equal(take_all(7, AUTH_PARTICIPANT, t), 20);
    duet_err e;
    int64_t wait = 0;
    assert_int_equal(ratelimit_write(7, AUTH_PARTICIPANT, t, &wait, &e), -1);
    assert_int_equal(e.code, DUET_ELIMIT);
    assert_int_equal(wait, 1);   /* one token a second */
    assert_string_equal(e.msg, "too many changes in a short time (at most 60 a minute, 20 at "
                               "once); try again in 1 second");
    /* Half a second gives half a token: still refused, still about a second. */
    assert_int_equal(ratelimit_write(7, AUTH_PARTICIPANT, t + 500, &wait, &e), -1);
    assert_int_equal(wait, 1);
    /* A second after the burst: exactly one more. */
    assert_int_equal(take_all(7, AUTH_PARTICIPANT, t + 1000), 1);
    /* Ten seconds later: ten more. */
    assert_int_equal(take_all(7, AUTH_PARTICIPANT, t + 11000), 10);
    /* An hour later the bucket is full again, never fuller than the burst. */
    assert_int_equal(take_all(7, AUTH_PARTICIPANT, t + 3600 * 1000), 20);
}

static void test_wait_grows_with_the_deficit(void **state)
{
    (void)state;
    /* A refused write takes nothing, so the wait is the time to one token. */
    int64_t t = 5000;
    assert_int_equal(take_all(3, AUTH_PARTICIPANT, t), 20);
    duet_err e;
    int64_t wait;
    for (int i = 0; i < 50; i++) {
        assert_int_equal(ratelimit_write(3, AUTH_PARTICIPANT, t, &wait, &e), -1);
        assert_int_equal(wait, 1);
    }
    /* 200 writes fired in the same instant: exactly the burst gets through. */
    ratelimit_reset();
    int ok = 0;
    for (int i = 0; i < 200; i++)
        ok += ratelimit_write(3, AUTH_PARTICIPANT, t, NULL, &e) == 0;
    assert_int_equal(ok, 20);
}

static void test_staff_rates(void **state)
{
    (void)state;
    int per_minute, burst;
    ratelimit_rate(AUTH_ADMIN, &per_minute, &burst);
    assert_int_equal(per_minute, 300);
    assert_int_equal(burst, 100);
    ratelimit_rate(AUTH_PARTICIPANT, &per_minute, &burst);
    assert_int_equal(per_minute, 60);
    assert_int_equal(burst, 20);
    int64_t t = 0;
    assert_int_equal(take_all(11, AUTH_FACILITATOR, t), 100);
    assert_int_equal(take_all(12, AUTH_RESEARCHER, t), 100);
    assert_int_equal(take_all(13, AUTH_ADMIN, t), 100);
    /* One every 200 ms: five in a second. */
    assert_int_equal(take_all(11, AUTH_FACILITATOR, t + 1000), 5);
    duet_err e;
    int64_t wait;
    assert_int_equal(ratelimit_write(11, AUTH_FACILITATOR, t + 1000, &wait, &e), -1);
    assert_int_equal(wait, 1);   /* 200 ms, rounded up to a whole second */
}

static void test_accounts_apart(void **state)
{
    (void)state;
    assert_int_equal(take_all(1, AUTH_PARTICIPANT, 0), 20);
    assert_int_equal(take_all(2, AUTH_PARTICIPANT, 0), 20);
    assert_int_equal(take_all(1, AUTH_PARTICIPANT, 0), 0);
}

static void test_full_table_keeps_drained_buckets(void **state)
{
    (void)state;
    /* Account 1 drains its bucket; then twice the table's size of other
    ** accounts write once each, at the same moment. Account 1 must still
    ** be refused: the table gives up full buckets (the others' are nearly
    ** full) before a drained one. */
    assert_int_equal(take_all(1, AUTH_PARTICIPANT, 0), 20);
    duet_err e;
    for (int64_t a = 2; a < 2 + 2 * RATELIMIT_SLOTS; a++)
        assert_int_equal(ratelimit_write(a, AUTH_PARTICIPANT, 0, NULL, &e), 0);
    assert_int_equal(ratelimit_write(1, AUTH_PARTICIPANT, 0, NULL, &e), -1);
}

static void test_clock_going_back(void **state)
{
    (void)state;
    /* A clock that goes back gives no tokens (and takes none). */
    assert_int_equal(take_all(9, AUTH_PARTICIPANT, 10000), 20);
    assert_int_equal(take_all(9, AUTH_PARTICIPANT, 0), 0);
    assert_int_equal(take_all(9, AUTH_PARTICIPANT, 11000), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_participant_burst_and_refill, setup),
        cmocka_unit_test_setup(test_wait_grows_with_the_deficit, setup),
        cmocka_unit_test_setup(test_staff_rates, setup),
        cmocka_unit_test_setup(test_accounts_apart, setup),
        cmocka_unit_test_setup(test_full_table_keeps_drained_buckets, setup),
        cmocka_unit_test_setup(test_clock_going_back, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
