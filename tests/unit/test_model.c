/*
** test_model.c — the pair identity model (model/philox, model/params,
** model/sim) against known answers: Random123's test vectors, the golden
** trajectory file of the spec, an independent scalar implementation of
** spec §2-§5 written here, a case worked out by hand, the regime shares the
** spec states, and bit-identity across threads and splits.
**
** The golden file is tests/fixtures/model/golden-seed1.csv (tests run from
** the repository root; see the README beside it for its source).
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
#include "model/params.h"
#include "model/philox.h"
#include "model/sim.h"
#include "testlib.h"

/* |x - want| <= eps, with both values in the message. */
#define assert_near(x, want, eps)                                                     \
    do {                                                                              \
        double x_ = (x), w_ = (want);                                                 \
        if (!(fabs(x_ - w_) <= (eps)))                                                \
            fail_msg("%s = %.17g, expected %.17g", #x, x_, w_);                       \
    } while (0)

/* ---- Philox ------------------------------------------------------------- */

static void check_block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                        uint32_t k1, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3)
{
    uint32_t ctr[4] = {c0, c1, c2, c3}, key[2] = {k0, k1}, out[4];
    philox_block(ctr, key, out);
    assert_int_equal(out[0], r0);
    assert_int_equal(out[1], r1);
    assert_int_equal(out[2], r2);
    assert_int_equal(out[3], r3);
}

static void test_philox_known_answers(void **state)
{
    (void)state;
    /* Spec §2. */
    check_block(0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
    check_block(7, 3, 5, 1, 42, 0, 0x8fef3c5b, 0xbc30fec0, 0xffcf01be, 0xded9a9b3);
    /* Random123's own known-answer vectors for philox4x32 with 10 rounds,
    ** from the distribution's tests/kat_vectors
    ** (https://github.com/DEShawResearch/random123): counter and key all
    ** zero, all ones, and the digits of pi. */
    check_block(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
    check_block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
                0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    /* The key of a 64-bit seed. */
    uint32_t key[2];
    philox_key(0x0000000500000007ull, key);
    assert_int_equal(key[0], 7);
    assert_int_equal(key[1], 5);
}

static void test_philox_normals(void **state)
{
    (void)state;
    assert_true(philox_u01(0) == 0x1p-33);
    assert_true(philox_u01(0xffffffffu) == 1.0 - 0x1p-33);
    /* Box-Muller of block (7, 3, 5, 1) under seed 42, from its known words. */
    const uint32_t x[4] = {0x8fef3c5b, 0xbc30fec0, 0xffcf01be, 0xded9a9b3};
    double z[4];
    philox_normals(42, 7, 3, 5, 1, z);
    for (int h = 0; h < 2; h++) {
        double r = sqrt(-2 * log((x[2 * h] + 0.5) / 4294967296.0));
        double a = 2 * M_PI * ((x[2 * h + 1] + 0.5) / 4294967296.0);
        assert_near(z[2 * h], r * cos(a), 1e-15);
        assert_near(z[2 * h + 1], r * sin(a), 1e-15);
    }
    /* j-th normal = element j mod 4 of block j / 4. */
    assert_true(philox_normal(42, 7, 3, 5, 6) == z[2]);
    assert_true(philox_normal(42, 7, 3, 5, 5) == z[1]);
}

/* ---- Parameters --------------------------------------------------------- */

static const char *const spec_names[] = {
    "pairs", "modules", "dims", "seed", "prescription", "init_spread", "tau_patient",
    "tau_system", "tau_spread", "coordination", "power_patient", "action_noise", "externality",
    "response_cost", "resistance_loss", "accept", "reject", "learning", "assimilation",
    "repulsion", "self_consistency", "home_pull", "norm_noise"};

static void test_params_table(void **state)
{
    (void)state;
    size_t n = sizeof spec_names / sizeof spec_names[0];
    assert_int_equal(sim_params_count(), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(sim_params_info(i)->name, spec_names[i]);
        assert_int_equal(sim_params_find(spec_names[i]), (int)i);
        assert_int_equal(sim_params_is_model(i), i >= 4);
    }
    assert_null(sim_params_info(n));
    assert_int_equal(sim_params_find("power-patient"), sim_params_find("power_patient"));
    assert_int_equal(sim_params_find("power"), -1);
    assert_int_equal(sim_params_find("power_patient_"), -1);

    sim_params p;
    sim_params_default(&p);
    duet_err e;
    assert_int_equal(sim_params_validate(&p, &e), 0);
    /* Spec §8 defaults. */
    assert_int_equal(p.pairs, 1000);
    assert_int_equal(p.modules, 8);
    assert_int_equal(p.dims, 4);
    assert_int_equal(p.seed, 1);
    const double want[] = {1.0, 0.5, 1.0, 1.0, 0.3, 1.0, 0.3, 0.1, 0.5, 1.0,
                           0.5, 1.2, 1.8, 0.3, 1.0, 0.5, 0.3, 0.05, 0.05};
    for (size_t i = 4; i < n; i++)
        assert_true(sim_params_get(&p, i) == want[i - 4]);

    /* Every parameter can be set by its spec name. */
    for (size_t i = 0; i < n; i++) {
        const char *v = i == 0 ? "7" : i == 1 ? "3" : i == 2 ? "5" : i == 3 ? "99" : "0.25";
        if (strcmp(spec_names[i], "reject") == 0)
            v = "1.5";
        assert_int_equal(sim_params_set(&p, spec_names[i], v, &e), 0);
        assert_true(sim_params_get(&p, i) == strtod(v, NULL));
    }
    assert_int_equal(sim_params_validate(&p, &e), 0);
    assert_int_equal(sim_params_set(&p, "power-patient", "0.2", &e), 0);
    assert_true(p.power_patient == 0.2);
    assert_int_equal(sim_params_set(&p, "seed", "18446744073709551615", &e), 0);
    assert_true(p.seed == UINT64_MAX);
}

/* Sets name to value on defaults and expects exactly msg (NULL: success). */
static void expect_set(const char *name, const char *value, const char *msg)
{
    sim_params p;
    sim_params_default(&p);
    sim_params before = p;
    duet_err e = {0};
    int rc = sim_params_set(&p, name, value, &e);
    if (msg == NULL) {
        assert_int_equal(rc, 0);
        return;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    assert_memory_equal(&p, &before, sizeof p);    /* unchanged on failure */
}

static void test_params_validation(void **state)
{
    (void)state;
    expect_set("power_patient", "1.5", "parameter 'power_patient': 1.5 is outside (0, 1)");
    expect_set("power_patient", "0", "parameter 'power_patient': 0 is outside (0, 1)");
    expect_set("power_patient", "1", "parameter 'power_patient': 1 is outside (0, 1)");
    expect_set("init_spread", "-0.5",
               "parameter 'init_spread': -0.5 is negative (it must be >= 0)");
    expect_set("norm_noise", "-1", "parameter 'norm_noise': -1 is negative (it must be >= 0)");
    expect_set("action_noise", "-1e-9",
               "parameter 'action_noise': -1e-09 is negative (it must be >= 0)");
    expect_set("learning", "-2", "parameter 'learning': -2 is negative (it must be >= 0)");
    expect_set("tau_patient", "0", "parameter 'tau_patient': 0 is not positive (it must be > 0)");
    expect_set("prescription", "-1",
               "parameter 'prescription': -1 is not positive (it must be > 0)");
    expect_set("home_pull", "nan", "parameter 'home_pull': nan is not a finite number");
    expect_set("home_pull", "inf", "parameter 'home_pull': inf is not a finite number");
    expect_set("home_pull", "1e999", "parameter 'home_pull': '1e999' is too large");
    expect_set("learning", "abc", "parameter 'learning': 'abc' is not a number");
    expect_set("learning", "0.3x", "parameter 'learning': '0.3x' is not a number");
    expect_set("learning", "", "parameter 'learning': a value is needed");
    expect_set("dims", "65", "parameter 'dims': 65 is outside 1 .. 64");
    expect_set("dims", "0", "parameter 'dims': 0 is outside 1 .. 64");
    expect_set("dims", "4.5", "parameter 'dims': '4.5' is not a whole number in 1 .. 64");
    expect_set("modules", "10001", "parameter 'modules': 10001 is outside 1 .. 10000");
    expect_set("pairs", "0", "parameter 'pairs': 0 is outside 1 .. 4294967296");
    expect_set("pairs", "-3", "parameter 'pairs': -3 is outside 1 .. 4294967296");
    expect_set("seed", "-1", "parameter 'seed': '-1' is not a whole number in 0 .. 2^64-1");
    expect_set("seed", "18446744073709551616",
               "parameter 'seed': '18446744073709551616' is not a whole number in 0 .. 2^64-1");
    expect_set("nonsense", "1", "unknown parameter 'nonsense'");
    expect_set("dims", "64", NULL);
    expect_set("modules", "10000", NULL);
    expect_set("accept", "0", NULL);

    /* Rules between parameters, and fields set directly. */
    sim_params p;
    sim_params_default(&p);
    duet_err e;
    p.accept = 2.0;
    assert_int_equal(sim_params_validate(&p, &e), -1);
    assert_string_equal(e.msg,
                        "parameter 'accept': 2 is above 'reject' (1.8); the latitude of "
                        "acceptance must end where the latitude of rejection begins, or before");
    sim_params_default(&p);
    p.reject = p.accept;
    assert_int_equal(sim_params_validate(&p, &e), 0);
    p.repulsion = -0.1;
    assert_int_equal(sim_params_validate(&p, &e), -1);
    assert_string_equal(e.msg, "parameter 'repulsion': -0.1 is negative (it must be >= 0)");
    sim_params_default(&p);
    p.dims = -1;
    assert_int_equal(sim_params_validate(&p, &e), -1);
    assert_string_equal(e.msg, "parameter 'dims': -1 is outside 1 .. 64");
    sim_params_default(&p);
    p.tau_spread = INFINITY;
    assert_int_equal(sim_params_validate(&p, &e), -1);
    assert_string_equal(e.msg, "parameter 'tau_spread': inf is not a finite number");
    /* The runners validate too. */
    sim_summary s;
    sim_summary_init(&s);
    assert_int_equal(sim_run(&p, 0, 10, NULL, &s, &e), -1);
    assert_string_equal(e.msg, "parameter 'tau_spread': inf is not a finite number");
    assert_int_equal(s.pairs, 0);
}

/* ---- An independent scalar implementation of spec §3-§5 ------------------ */

struct ref {
    double a[10][2][SIM_DIMS_MAX], n[11][2][SIM_DIMS_MAX];
    double q[10][2], e[10][2], g[10], b[10], dist[11];
    int r[10][2];
    double d0, dm, xbar;
    enum sim_regime regime;
};

static double rms(const double *x, const double *y, int K)
{
    double s = 0;
    for (int k = 0; k < K; k++)
        s += (x[k] - y[k]) * (x[k] - y[k]);
    return sqrt(s / K);
}

/* Spec §2-§5 word for word, with libm and the scalar Philox (M <= 10). */
static void ref_pair(const sim_params *p, uint32_t pair, struct ref *R)
{
    const int K = p->dims, M = p->modules;
    const uint64_t seed = p->seed;
    const double pi[2] = {p->prescription, -p->prescription};
    const double s[2] = {p->power_patient, 1 - p->power_patient};
    const double taubar[2] = {p->tau_patient, p->tau_system};
    double tau[2], kap[2], lam[2];
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < K; k++)
            R->n[0][i][k] = pi[i] + p->init_spread * philox_normal(seed, pair, 0, (uint32_t)i,
                                                                    (uint32_t)k);
        double z = philox_normal(seed, pair, 0, 2, (uint32_t)i);
        tau[i] = taubar[i] * exp(p->tau_spread * z - p->tau_spread * p->tau_spread / 2);
        kap[i] = 2 * p->coordination * (1 - s[i]);
        lam[i] = kap[i] / (kap[i] + tau[i]);
    }
    R->dist[0] = R->d0 = rms(R->n[0][0], R->n[0][1], K);
    for (int t = 1; t <= M; t++) {
        double(*n)[SIM_DIMS_MAX] = R->n[t - 1], (*a)[SIM_DIMS_MAX] = R->a[t - 1];
        for (int k = 0; k < K; k++) {
            double den = 1 - lam[0] * lam[1];
            a[0][k] = ((1 - lam[0]) * n[0][k] + lam[0] * (1 - lam[1]) * n[1][k]) / den +
                      p->action_noise * philox_normal(seed, pair, (uint32_t)t, 3, (uint32_t)k);
            a[1][k] = ((1 - lam[1]) * n[1][k] + lam[1] * (1 - lam[0]) * n[0][k]) / den +
                      p->action_noise * philox_normal(seed, pair, (uint32_t)t, 4, (uint32_t)k);
        }
        double d[2], e[2];
        for (int i = 0; i < 2; i++) {
            d[i] = rms(a[1 - i], n[i], K);
            e[i] = rms(a[i], n[i], K);
        }
        double g = rms(a[0], a[1], K);
        int r[2];
        for (int i = 0; i < 2; i++)
            r[i] = p->externality * d[i] * d[i] > 2 * p->response_cost * (1 - s[i]);
        for (int i = 0; i < 2; i++) {
            double L = kap[i] * g * g + tau[i] * e[i] * e[i] + p->externality * d[i] * d[i] +
                       p->resistance_loss * r[1 - i];
            R->q[t - 1][i] = 1 / (1 + L);
            R->e[t - 1][i] = e[i];
            R->r[t - 1][i] = r[i];
        }
        R->g[t - 1] = g;
        R->b[t - 1] = e[0] + e[1] == 0 ? 0.5 : e[0] / (e[0] + e[1]);
        for (int i = 0; i < 2; i++) {
            double w = d[i] < p->accept ? p->assimilation : d[i] > p->reject ? -p->repulsion : 0;
            for (int k = 0; k < K; k++)
                R->n[t][i][k] =
                    n[i][k] +
                    p->learning * (w * (a[1 - i][k] - n[i][k]) +
                                   p->self_consistency * (a[i][k] - n[i][k]) +
                                   p->home_pull * (pi[i] - n[i][k])) +
                    p->norm_noise *
                        philox_normal(seed, pair, (uint32_t)t, 5 + (uint32_t)i, (uint32_t)k);
        }
        R->dist[t] = rms(R->n[t][0], R->n[t][1], K);
    }
    R->dm = R->dist[M];
    double x[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < K; k++)
            x[i] += R->n[M][i][k];
        x[i] = x[i] / K / p->prescription;
    }
    R->xbar = (x[0] + x[1]) / 2;
    if (R->dm > 1.1 * R->d0)
        R->regime = SIM_POLARISED;
    else if (R->dm < 0.6 * R->d0 && fabs(R->xbar) <= 1.0 / 3)
        R->regime = SIM_PARTNERSHIP;
    else if (R->dm < 0.6 * R->d0 && R->xbar < -1.0 / 3)
        R->regime = SIM_PATIENT_NATIVE;
    else if (R->dm < 0.6 * R->d0 && R->xbar > 1.0 / 3)
        R->regime = SIM_SYSTEM_NATIVE;
    else
        R->regime = SIM_STALLED;
}

/* |x - want| within 1e-9 relative (1e-15 absolute for values near 0). */
static int close9(double x, double want)
{
    return fabs(x - want) <= 1e-9 * fabs(want) + 1e-15;
}

#define assert_close(x, want)                                                          \
    do {                                                                              \
        double x_ = (x), w_ = (want);                                                 \
        if (!close9(x_, w_))                                                          \
            fail_msg("%s = %.17g, expected %.17g (%s)", #x, x_, w_, #want);           \
    } while (0)

static void compare_with_ref(const sim_params *p, const sim_traj *tr, const struct ref *R)
{
    const int K = p->dims;
    for (int t = 0; t <= p->modules; t++) {
        assert_close(tr->distance[t], R->dist[t]);
        for (int m = 0; m < 2; m++)
            for (int k = 0; k < K; k++)
                assert_close(sim_traj_norm(tr, t, m)[k], R->n[t][m][k]);
        if (t == 0)
            continue;
        for (int m = 0; m < 2; m++) {
            for (int k = 0; k < K; k++)
                assert_close(sim_traj_action(tr, t, m)[k], R->a[t - 1][m][k]);
            assert_close(sim_traj_quality(tr, t, m), R->q[t - 1][m]);
            assert_close(sim_traj_strain(tr, t, m), R->e[t - 1][m]);
            assert_int_equal(sim_traj_resisted(tr, t, m), R->r[t - 1][m]);
        }
        assert_close(tr->gap[t - 1], R->g[t - 1]);
        assert_close(tr->balance[t - 1], R->b[t - 1]);
    }
    assert_close(tr->d0, R->d0);
    assert_close(tr->dm, R->dm);
    assert_close(tr->xbar, R->xbar);
    assert_int_equal(tr->regime, R->regime);
}

/* Runs pairs 0..np-1 with sim_run_pair and checks each against ref_pair. */
static void check_against_ref(const sim_params *p, uint32_t np)
{
    sim_traj tr;
    duet_err e;
    struct ref *R = malloc(sizeof *R);
    assert_non_null(R);
    assert_int_equal(sim_traj_init(&tr, p->modules, p->dims, &e), 0);
    for (uint32_t q = 0; q < np; q++) {
        assert_int_equal(sim_run_pair(p, q, &tr, &e), 0);
        assert_int_equal(tr.pair, q);
        ref_pair(p, q, R);
        compare_with_ref(p, &tr, R);
    }
    sim_traj_free(&tr);
    free(R);
}

static void test_reference_dims(void **state)
{
    (void)state;
    sim_params p;
    sim_params_default(&p);
    const int dims[] = {1, 4, 5, 7, 9, 64};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        p.dims = dims[i];
        check_against_ref(&p, 24);
    }
    /* Other parameters: more resistance, repulsion, a big seed. */
    sim_params_default(&p);
    p.dims = 5;
    p.modules = 10;
    p.seed = 0x123456789abcdefull;
    p.externality = 2.0;
    p.response_cost = 0.4;
    p.init_spread = 1.5;
    p.power_patient = 0.15;
    p.accept = 0.8;
    p.reject = 1.0;
    check_against_ref(&p, 40);
}

/* All noise off: n_0 = +c, n_1 = -c, tau = 1, and the first module can be
** worked out by hand. kappa = 2 (1 - s): 1.4 and 0.6; lambda = kappa /
** (kappa + 1): 7/12 and 3/8; 1 - lambda_0 lambda_1 = 75/96, so
** a*_0 = (5/12 - (7/12)(5/8)) / (75/96) = 1/15 and
** a*_1 = (-5/8 + (3/8)(5/12)) / (75/96) = -3/5 on every dimension. */
static void test_hand_computed_module(void **state)
{
    (void)state;
    const int dims[] = {4, 5, 7};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        sim_params p;
        sim_params_default(&p);
        p.dims = dims[i];
        p.modules = 1;
        p.init_spread = 0;
        p.tau_spread = 0;
        p.action_noise = 0;
        p.norm_noise = 0;
        sim_traj tr;
        duet_err e;
        assert_int_equal(sim_traj_init(&tr, 1, p.dims, &e), 0);
        assert_int_equal(sim_run_pair(&p, 3, &tr, &e), 0);
        const double a0 = 1.0 / 15, a1 = -3.0 / 5;
        for (int k = 0; k < p.dims; k++) {
            assert_near(sim_traj_norm(&tr, 0, 0)[k], 1.0, 0);
            assert_near(sim_traj_norm(&tr, 0, 1)[k], -1.0, 0);
            assert_near(sim_traj_action(&tr, 1, 0)[k], a0, 1e-15);
            assert_near(sim_traj_action(&tr, 1, 1)[k], a1, 1e-15);
        }
        /* d_0 = |a_1 - n_0| = 1.6, d_1 = 16/15, e_0 = 14/15, e_1 = 0.4, g = 2/3;
        ** no one resists (0.5 d^2 is below 2 (1 - s)); balance 14/20. */
        const double d0 = 1.6, d1 = 16.0 / 15, e0 = 14.0 / 15, e1 = 0.4, g = 2.0 / 3;
        assert_near(sim_traj_strain(&tr, 1, 0), e0, 1e-15);
        assert_near(sim_traj_strain(&tr, 1, 1), e1, 1e-15);
        assert_near(tr.gap[0], g, 1e-15);
        assert_near(tr.balance[0], 0.7, 1e-15);
        assert_int_equal(sim_traj_resisted(&tr, 1, 0), 0);
        assert_int_equal(sim_traj_resisted(&tr, 1, 1), 0);
        assert_near(sim_traj_quality(&tr, 1, 0),
                            1 / (1 + 1.4 * g * g + e0 * e0 + 0.5 * d0 * d0), 1e-15);
        assert_near(sim_traj_quality(&tr, 1, 1),
                            1 / (1 + 0.6 * g * g + e1 * e1 + 0.5 * d1 * d1), 1e-15);
        /* d_0 = 1.6 lies between accept and reject (w_0 = 0); d_1 < accept
        ** (w_1 = 1): n_0 = 1 + 0.3 (0.3 (1/15 - 1)) = 0.916 and
        ** n_1 = -1 + 0.3 ((1/15 + 1) + 0.3 (-3/5 + 1)) = -0.644. */
        for (int k = 0; k < p.dims; k++) {
            assert_near(sim_traj_norm(&tr, 1, 0)[k], 0.916, 1e-15);
            assert_near(sim_traj_norm(&tr, 1, 1)[k], -0.644, 1e-15);
        }
        assert_near(tr.d0, 2.0, 0);
        assert_near(tr.dm, 1.56, 1e-15);
        assert_int_equal(tr.regime, SIM_STALLED);   /* 1.56 is neither < 1.2 nor > 2.2 */
        sim_traj_free(&tr);
    }
}

/* ---- The golden file ---------------------------------------------------- */

static int csv_cb(void *ctx, const sim_traj *tr, duet_err *e)
{
    return sim_csv_pair(ctx, tr, e);
}

/* The trajectory CSV of pairs [p0, p1) as sim_run writes it (caller frees). */
static char *run_csv(const sim_params *p, uint64_t p0, uint64_t p1, int threads, int portable,
                     sim_summary *sum)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    assert_non_null(f);
    duet_err e;
    sim_opts o = {0};
    o.threads = threads;
    o.portable = portable;
    o.on_pair = csv_cb;
    o.pair_ctx = f;
    sim_summary local;
    if (sum == NULL)
        sum = &local;
    sim_summary_init(sum);
    assert_int_equal(sim_csv_header(f, p->dims, &e), 0);
    assert_int_equal(sim_run(p, p0, p1, &o, sum, &e), 0);
    assert_int_equal(fclose(f), 0);
    return text;
}

/* Splits s into lines (in place; LF or CRLF); returns the count. */
static size_t lines(char *s, char **out, size_t max)
{
    size_t n = 0;
    for (char *l = strtok(s, "\n"); l && n < max; l = strtok(NULL, "\n")) {
        size_t len = strlen(l);
        if (len > 0 && l[len - 1] == '\r')
            l[len - 1] = '\0';
        out[n++] = l;
    }
    return n;
}

static void compare_golden(int portable)
{
    const char *path = "tests/fixtures/model/golden-seed1.csv";
    size_t n;
    char *golden = tl_read_file(path, &n);
    if (golden == NULL)
        fail_msg("cannot read the golden file %s (run from the repository root)", path);

    sim_params p;
    sim_params_default(&p);
    p.pairs = 3;
    p.modules = 4;
    p.seed = 1;
    char *mine = run_csv(&p, 0, p.pairs, 1, portable, NULL);
    char *gl[64], *ml[64];
    size_t ng = lines(golden, gl, 64), nm = lines(mine, ml, 64);
    assert_int_equal(ng, 1 + 3 * 4 * 2);
    assert_int_equal(nm, ng);
    assert_string_equal(ml[0], gl[0]);       /* the header, exactly */
    for (size_t i = 1; i < ng; i++) {
        char *sg, *sm;
        char *fg = strtok_r(gl[i], ",", &sg), *fm = strtok_r(ml[i], ",", &sm);
        for (int col = 0; fg || fm; col++) {
            assert_non_null(fg);
            assert_non_null(fm);
            /* pair, module, member, side and resisted are exact. */
            if (col < 4 || col == 4 + 2 * p.dims + 2) {
                if (strcmp(fg, fm) != 0)
                    fail_msg("line %zu column %d: %s, expected %s", i + 1, col + 1, fm, fg);
            } else if (!close9(strtod(fm, NULL), strtod(fg, NULL))) {
                fail_msg("line %zu column %d: %s, expected %s", i + 1, col + 1, fm, fg);
            }
            fg = strtok_r(NULL, ",", &sg);
            fm = strtok_r(NULL, ",", &sm);
        }
    }
    free(mine);
    free(golden);
}

static void test_golden(void **state)
{
    (void)state;
    compare_golden(0);
}

static void test_golden_portable(void **state)
{
    (void)state;
    compare_golden(1);
}

/* ---- Summaries, threads, splits ----------------------------------------- */

static void run_summary(const sim_params *p, uint64_t p0, uint64_t p1, int threads,
                        sim_summary *s)
{
    duet_err e;
    sim_opts o = {0};
    o.threads = threads;
    sim_summary_init(s);
    assert_int_equal(sim_run(p, p0, p1, &o, s, &e), 0);
}

static void assert_same_stats(const sim_summary *a, const sim_summary *b)
{
    sim_stats x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    sim_summary_stats(a, &x);
    sim_summary_stats(b, &y);
    assert_memory_equal(&x, &y, sizeof x);
    assert_memory_equal(a->regime, b->regime, sizeof a->regime);
    assert_memory_equal(a->resisted, b->resisted, sizeof a->resisted);
}

static void test_regime_shares(void **state)
{
    (void)state;
    sim_params p;
    sim_params_default(&p);
    sim_summary s;
    run_summary(&p, 0, 20000, 2, &s);
    sim_stats st;
    sim_summary_stats(&s, &st);
    assert_int_equal(s.pairs, 20000);
    assert_int_equal(s.pair_modules, 20000 * 8);
    /* Spec §8: about 70% partnership, 17% polarised, 10% system_native,
    ** 3% patient_native, under 1% stalled. */
    assert_true(fabs(st.regime[SIM_PARTNERSHIP] - 0.70) <= 0.03);
    assert_true(fabs(st.regime[SIM_POLARISED] - 0.17) <= 0.03);
    assert_true(fabs(st.regime[SIM_SYSTEM_NATIVE] - 0.10) <= 0.03);
    assert_true(fabs(st.regime[SIM_PATIENT_NATIVE] - 0.03) <= 0.02);
    assert_true(st.regime[SIM_STALLED] < 0.01);
    uint64_t total = 0;
    for (int r = 0; r < SIM_NREGIMES; r++)
        total += s.regime[r];
    assert_int_equal(total, 20000);
    for (int m = 0; m < 2; m++) {
        assert_true(st.final_quality[m] > 0 && st.final_quality[m] < 1);
        assert_true(st.resistance_rate[m] >= 0 && st.resistance_rate[m] <= 1);
    }
    assert_true(st.balance > 0.5 && st.balance < 1);   /* patient leaders bear more */
    assert_true(st.dm < st.d0);

    /* The JSON summary carries every key of spec §6. */
    json_t *j = sim_summary_json(&s, &p);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "pairs")), 20000);
    assert_int_equal(json_integer_value(json_object_get(j, "seed")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "modules")), 8);
    assert_int_equal(json_integer_value(json_object_get(j, "dims")), 4);
    json_t *reg = json_object_get(j, "regimes");
    assert_int_equal(json_object_size(reg), 5);
    assert_true(json_real_value(json_object_get(reg, "partnership")) ==
                st.regime[SIM_PARTNERSHIP]);
    assert_non_null(json_object_get(reg, "patient_native"));
    assert_true(json_real_value(json_object_get(json_object_get(j, "mean_final_quality"),
                                                "system")) == st.final_quality[1]);
    assert_true(json_real_value(json_object_get(json_object_get(j, "resistance_rate"),
                                                "patient")) == st.resistance_rate[0]);
    assert_true(json_real_value(json_object_get(j, "mean_balance")) == st.balance);
    assert_true(json_real_value(json_object_get(j, "mean_d0")) == st.d0);
    assert_true(json_real_value(json_object_get(j, "mean_dm")) == st.dm);
    json_t *par = json_object_get(j, "parameters");
    assert_int_equal(json_object_size(par), 19);
    assert_true(json_real_value(json_object_get(par, "power_patient")) == 0.3);
    json_decref(j);
}

static void test_threads_identical(void **state)
{
    (void)state;
    sim_params p;
    sim_params_default(&p);
    p.dims = 5;
    /* Summaries: 1, 2 and 3 threads, and odd block boundaries. */
    sim_summary s1, s2, s3;
    run_summary(&p, 3, 5001, 1, &s1);
    run_summary(&p, 3, 5001, 2, &s2);
    run_summary(&p, 3, 5001, 3, &s3);
    assert_same_stats(&s1, &s2);
    assert_same_stats(&s1, &s3);
    /* Trajectories, byte for byte. */
    p.modules = 3;
    char *c1 = run_csv(&p, 0, 301, 1, 0, NULL);
    char *c2 = run_csv(&p, 0, 301, 2, 0, NULL);
    assert_string_equal(c1, c2);
    free(c1);
    free(c2);
}

static void test_split_identical(void **state)
{
    (void)state;
    sim_params p;
    sim_params_default(&p);
    /* [0, 3000) in one go, and as [1234, 3000) + [0, 1234) merged (out of
    ** order, mid-block): exact sums make them bit-identical. */
    sim_summary whole, a, b;
    run_summary(&p, 0, 3000, 1, &whole);
    run_summary(&p, 1234, 3000, 2, &a);
    run_summary(&p, 0, 1234, 1, &b);
    sim_summary_merge(&a, &b);
    assert_int_equal(a.pairs, 3000);
    assert_same_stats(&whole, &a);
    /* A pair's trajectory is the same alone and inside any block. */
    p.modules = 4;
    char *all = run_csv(&p, 0, 11, 1, 0, NULL);
    char *one = run_csv(&p, 6, 7, 1, 0, NULL);
    char *nl = strchr(one, '\n');
    assert_non_null(nl);
    assert_non_null(strstr(all, nl + 1));
    free(all);
    free(one);
    /* The summary of a run with the trajectory callback is the same. */
    sim_summary withcb;
    char *c = run_csv(&p, 0, 999, 2, 0, &withcb);
    free(c);
    run_summary(&p, 0, 999, 2, &whole);
    assert_same_stats(&whole, &withcb);
}

/* The AVX2 kernel and the portable one agree within 1e-9 (same regimes). */
static void test_portable_agrees(void **state)
{
    (void)state;
    if (!sim_simd_available())
        skip();
    sim_params p;
    sim_params_default(&p);
    p.dims = 7;
    p.modules = 6;
    char *a = run_csv(&p, 0, 400, 1, 0, NULL);
    char *b = run_csv(&p, 0, 400, 1, 1, NULL);
    char *sa, *sb;
    char *x = strtok_r(a, ",\n", &sa), *y = strtok_r(b, ",\n", &sb);
    size_t fields = 0;
    for (; x && y; x = strtok_r(NULL, ",\n", &sa), y = strtok_r(NULL, ",\n", &sb), fields++) {
        char *ex, *ey;
        double dx = strtod(x, &ex), dy = strtod(y, &ey);
        if (*ex || *ey)
            assert_string_equal(x, y);
        else if (!close9(dx, dy))
            fail_msg("field %zu: %s (AVX2) vs %s (portable)", fields, x, y);
    }
    assert_null(x);
    assert_null(y);
    assert_true(fields > 400 * 6 * 2 * 20);
    free(a);
    free(b);
}

static void test_csv_header(void **state)
{
    (void)state;
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    duet_err e;
    assert_int_equal(sim_csv_header(f, 2, &e), 0);
    fclose(f);
    assert_string_equal(text, "pair,module,member,side,action_1,action_2,norm_1,norm_2,"
                              "quality,strain,resisted,gap,balance,distance\n");
    free(text);
    assert_string_equal(sim_regime_name(SIM_PATIENT_NATIVE), "patient_native");
    assert_string_equal(sim_regime_name(SIM_POLARISED), "polarised");
}

/* ---- Exact sums --------------------------------------------------------- */

static void test_xsum(void **state)
{
    (void)state;
    sim_xsum s;
    sim_xsum_init(&s);
    sim_xsum_add(&s, 1e100);
    sim_xsum_add(&s, 1.0);
    sim_xsum_add(&s, -1e100);
    assert_true(sim_xsum_value(&s) == 1.0);          /* a double sum gives 0 */
    sim_xsum_add(&s, 0x1p-1074);
    sim_xsum_add(&s, -1.0);
    assert_true(sim_xsum_value(&s) == 0x1p-1074);
    sim_xsum_add(&s, -0x1p-1074);
    sim_xsum_add(&s, 0x1.fffffffffffffp1023);
    assert_true(sim_xsum_value(&s) == 0x1.fffffffffffffp1023);

    /* Order and split do not matter. */
    double v[1000];
    uint64_t r = 12345;
    for (int i = 0; i < 1000; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = ldexp((double)(r >> 11), (int)(r % 200) - 150) * (r & 1 ? -1 : 1);
    }
    sim_xsum f, b, m1, m2;
    sim_xsum_init(&f);
    sim_xsum_init(&b);
    sim_xsum_init(&m1);
    sim_xsum_init(&m2);
    for (int i = 0; i < 1000; i++) {
        sim_xsum_add(&f, v[i]);
        sim_xsum_add(&b, v[999 - i]);
        sim_xsum_add(i % 3 ? &m1 : &m2, v[i]);
    }
    sim_xsum_merge(&m1, &m2);
    assert_true(sim_xsum_value(&f) == sim_xsum_value(&b));
    assert_true(sim_xsum_value(&f) == sim_xsum_value(&m1));
    long double ld = 0;     /* 64-bit mantissa: close, not exact */
    for (int i = 0; i < 1000; i++)
        ld += v[i];
    assert_true(fabs(sim_xsum_value(&f) - (double)ld) <= 1e-15 * fabs((double)ld));
    /* Negative totals. */
    sim_xsum_init(&s);
    sim_xsum_add(&s, -5.0);
    sim_xsum_add(&s, 0.25);
    assert_true(sim_xsum_value(&s) == -4.75);

    /* Non-finite values. */
    sim_xsum_init(&s);
    sim_xsum_add(&s, INFINITY);
    assert_true(sim_xsum_value(&s) == INFINITY);
    sim_xsum_add(&s, -INFINITY);
    assert_true(isnan(sim_xsum_value(&s)));
    sim_xsum_init(&s);
    sim_xsum_add(&s, NAN);
    assert_true(isnan(sim_xsum_value(&s)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_known_answers),
        cmocka_unit_test(test_philox_normals),
        cmocka_unit_test(test_params_table),
        cmocka_unit_test(test_params_validation),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_golden_portable),
        cmocka_unit_test(test_reference_dims),
        cmocka_unit_test(test_hand_computed_module),
        cmocka_unit_test(test_regime_shares),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_split_identical),
        cmocka_unit_test(test_portable_agrees),
        cmocka_unit_test(test_csv_header),
        cmocka_unit_test(test_xsum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
