/*
** test_norms.c — positions, distances, regimes and movement from Q-sorts
** (analysis/norms.h), worked out by hand on the tiny Q-set (tl_qset_tiny of
** testlib, as in test_qset.c): statements a..h, a-d on voice and e-h on pace
** with polarities + - + -, the grid -2..+2 holding 1,2,2,2,1. On this grid
** the largest mean of polarity x value over a dimension is
** (2 + 1 + 2 + 1) / 4 = 1.5.
**
** The sorts used (values of a..h) and their positions (voice, pace):
**   S1 = 2 -2  1 -1  1  0  0 -1   voice (2+2+1+1)/4/1.5 = 1, pace (1+0+0+1)/4/1.5 = 1/3
**   S2 = S1 mirrored (every value negated)             -1, -1/3
**   Z1 = 2  1 -1  0  1  0 -2 -1   voice (2-1-1-0)/4 = 0, pace (1-0-2+1)/4 = 0
**   Z2 = Z1 mirrored                                    0, 0
**   N  = 0  0  1  1 -1 -1  2 -2   voice (0-0+1-1) = 0, pace (-1+1+2+2)/4/1.5 = 2/3
**   Nb = N mirrored                                     0, -2/3
** and the partnerships (lived member first; module 1, then module 2):
**   P1  S1|S2 then Z1|Z2: D0 = RMS(2, 2/3) = sqrt((4 + 4/9)/2) = 2 sqrt(5)/3,
**       DM = 0 < 0.6 D0, x-bar = 0: partnership. Each member covered half
**       of the gap toward the other's start: (2 + 2/9) / (4 + 4/9) = 0.5.
**   P2  N|Nb then S1|S2: D0 = RMS(0, 4/3) = 2 sqrt(2)/3, DM = 2 sqrt(5)/3,
**       DM/D0 = sqrt(5/2) > 1.1: polarised; x = 2/3 and -2/3, x-bar 0.
**       Movement: lived (1, -1/3).(0, -4/3) / (16/9) = (4/9)/(16/9) = 0.25,
**       the system side the same.
**   P3  S1|S2 then S2|S2: DM = 0, x-bar = -2/3: patient_native; the lived
**       member went all the way (1), the system member nowhere (0).
**   P4  S1|S2 then S1|Nb: DM = RMS(1, 1) = 1, DM/D0 = 3/(2 sqrt 5) = 0.67:
**       stalled; x-bar = (2/3 - 1/3)/2 = 1/6.
**   P5  a triad, S1|S2+Nb then Z1|Z2+Z1: the system side at module 1 is the
**       mean of S2 and Nb = (-1/2, -1/2); D0 = RMS(3/2, 5/6) =
**       sqrt((9/4 + 25/36)/2) = sqrt(53)/6; DM = 0: partnership.
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
#include <unistd.h>

#include "analysis/norms.h"
#include "app/sorts.h"
#include "io/qset.h"
#include "model/sim.h"
#include "store/store.h"
#include "testlib.h"

static const int S1[8] = {2, -2, 1, -1, 1, 0, 0, -1};
static const int S2[8] = {-2, 2, -1, 1, -1, 0, 0, 1};
static const int Z1[8] = {2, 1, -1, 0, 1, 0, -2, -1};
static const int Z2[8] = {-2, -1, 1, 0, -1, 0, 2, 1};
static const int N[8] = {0, 0, 1, 1, -1, -1, 2, -2};
static const int Nb[8] = {0, 0, -1, -1, 1, 1, -2, 2};
static const char *const ids[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};

#define EPS 1e-12

static void near(double got, double want)
{
    if (!(fabs(got - want) <= EPS))
        fail_msg("expected %.17g, got %.17g", want, got);
}

static void parse_tiny(struct qset *q)
{
    OK(qset_parse(tl_qset_tiny, strlen(tl_qset_tiny), "tiny", q, e));
}

/* ------------------------------------------------------------------ */
/* pure functions                                                      */

static void test_positions(void **state)
{
    (void)state;
    struct qset q;
    parse_tiny(&q);
    double p[2];
    norms_positions(&q, S1, p);
    near(p[0], 1);
    near(p[1], 1.0 / 3);
    near(norms_mean(p, 2), 2.0 / 3);
    norms_positions(&q, S2, p);
    near(p[0], -1);
    near(p[1], -1.0 / 3);
    norms_positions(&q, Z1, p);
    near(p[0], 0);
    near(p[1], 0);
    norms_positions(&q, N, p);
    near(p[0], 0);
    near(p[1], 2.0 / 3);
    norms_positions(&q, Nb, p);
    near(p[1], -2.0 / 3);

    double a[2] = {1, 1.0 / 3}, b[2] = {-1, -1.0 / 3}, z[2] = {0, 0};
    near(norms_distance(a, b, 2), 2 * sqrt(5.0) / 3);
    near(norms_moved_toward(a, z, b, 2), 0.5);
    near(norms_moved_toward(a, b, b, 2), 1);
    near(norms_moved_toward(a, a, b, 2), 0);
    near(norms_moved_toward(z, a, b, 2), -1);     /* from 0 to a, away from b = -a */
    assert_true(isnan(norms_moved_toward(a, b, a, 2)));
    qset_free(&q);

    /* The default Q-set: a sort with every voice +1 statement at the top and
    ** every voice -1 statement at the bottom gives voice +1. */
    struct qset d;
    OK(qset_load_default(&d, e));
    int *v = calloc(d.nstatements, sizeof *v);
    size_t top = 0, bottom = 0;
    static const int high[] = {4, 4, 3, 3, 3}, low[] = {-4, -4, -3, -3};
    for (size_t i = 0; i < d.nstatements; i++)
        if (d.statements[i].dimension == 0)
            v[i] = d.statements[i].polarity > 0 ? high[top++] : low[bottom++];
    double pos[4];
    norms_positions(&d, v, pos);
    near(pos[0], 1);
    free(v);
    qset_free(&d);
}

static void test_regime_rules(void **state)
{
    (void)state;
    assert_int_equal(norms_regime(1, 1.2, 0), SIM_POLARISED);
    assert_int_equal(norms_regime(1, 1.1, 0), SIM_STALLED);      /* not above 1.1 D0 */
    assert_int_equal(norms_regime(1, 0.59, 1.0 / 3), SIM_PARTNERSHIP);
    assert_int_equal(norms_regime(1, 0.6, 0), SIM_STALLED);      /* not below 0.6 D0 */
    assert_int_equal(norms_regime(1, 0.1, -0.34), SIM_PATIENT_NATIVE);
    assert_int_equal(norms_regime(1, 0.1, 0.34), SIM_SYSTEM_NATIVE);
    assert_int_equal(norms_regime(1, 0.8, 0.9), SIM_STALLED);

    /* The same rules as the model: its own classification of 2,000 pairs. */
    sim_params p;
    sim_params_default(&p);
    p.modules = 8;
    sim_traj tr = {0};
    OK(sim_traj_init(&tr, p.modules, p.dims, e));
    int seen[SIM_NREGIMES] = {0};
    for (uint64_t i = 0; i < 2000; i++) {
        OK(sim_run_pair(&p, i, &tr, e));
        assert_int_equal(norms_regime(tr.d0, tr.dm, tr.xbar), tr.regime);
        seen[tr.regime]++;
    }
    for (int r = 0; r < SIM_NREGIMES - 1; r++)   /* all but stalled (under 1%) occur */
        assert_true(seen[r] > 0);
    sim_traj_free(&tr);
}

/* ------------------------------------------------------------------ */
/* from the store                                                      */

struct fx {
    char db[64];
    struct store *st;
    struct qset q;
};

static void add_sort(struct store *st, const char *person, const char *code, int module,
                     const int *values)
{
    struct sorts_entry v[8];
    for (size_t i = 0; i < 8; i++)
        v[i] = (struct sorts_entry){ids[i], 1, values[i]};
    struct sorts_sort s = {person, code, module, "tiny", 0, "test", 8, v};
    OK(sorts_add(st, &s, e));
}

static void add_pair(struct store *st, const char *code, const char *lived, const char *system,
                     const char *third)
{
    const char *keys[] = {lived, system, third};
    for (int i = 0; i < (third ? 3 : 2); i++) {
        struct store_person p = {keys[i], keys[i], NULL, NULL};
        OK(store_person_add(st, &p, NULL, e));
        OK(store_consent_give(st, keys[i], "research", "v1", e));
    }
    struct store_member m[] = {{lived, "patient_leader"}, {system, "clinician"},
                               {third, "gp"}};
    struct store_partnership p = {"C", code, NULL, NULL, third ? 3 : 2, m};
    OK(store_partnership_add(st, &p, NULL, e));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (tl_temp_path(f->db, sizeof f->db, "norms") != 0)
        return -1;
    duet_err e0;
    if (store_open(f->db, &f->st, &e0) != 0)
        return -1;
    *state = f;
    struct store *st = f->st;
    parse_tiny(&f->q);
    OK(store_begin(st, e));
    OK(store_qset_add(st, &f->q, NULL, e));
    OK(store_programme_add(st, "Norms test", NULL, NULL, e));
    OK(store_cohort_add(st, "Norms test", "C", NULL, NULL, e));
    for (int m = 1; m <= 2; m++)
        OK(store_module_add(st, "C", m, NULL, NULL, NULL, e));
    add_pair(st, "P1", "l1", "s1", NULL);
    add_pair(st, "P2", "l2", "s2", NULL);
    add_pair(st, "P3", "l3", "s3", NULL);
    add_pair(st, "P4", "l4", "s4", NULL);
    add_pair(st, "P5", "l5", "s5", "g5");
    add_sort(st, "l1", "P1", 1, S1);
    add_sort(st, "s1", "P1", 1, S2);
    add_sort(st, "l1", "P1", 2, Z1);
    add_sort(st, "s1", "P1", 2, Z2);
    add_sort(st, "l2", "P2", 1, N);
    add_sort(st, "s2", "P2", 1, Nb);
    add_sort(st, "l2", "P2", 2, S1);
    add_sort(st, "s2", "P2", 2, S2);
    add_sort(st, "l3", "P3", 1, S1);
    add_sort(st, "s3", "P3", 1, S2);
    add_sort(st, "l3", "P3", 2, S2);
    add_sort(st, "s3", "P3", 2, S2);
    add_sort(st, "l4", "P4", 1, S1);
    add_sort(st, "s4", "P4", 1, S2);
    add_sort(st, "l4", "P4", 2, S1);
    add_sort(st, "s4", "P4", 2, Nb);
    add_sort(st, "l5", "P5", 1, S1);
    add_sort(st, "s5", "P5", 1, S2);
    add_sort(st, "g5", "P5", 1, Nb);
    add_sort(st, "l5", "P5", 2, Z1);
    add_sort(st, "s5", "P5", 2, Z2);
    add_sort(st, "g5", "P5", 2, Z1);
    OK(store_commit(st, e));
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    qset_free(&f->q);
    tl_remove_db(f->db);
    free(f);
    return 0;
}

static json_t *part(json_t *report, const char *code)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(report, "partnerships"), i, p)
        if (strcmp(json_string_value(json_object_get(p, "partnership")), code) == 0)
            return p;
    fail_msg("no partnership %s", code);
    return NULL;
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("%s is not a number", key);
    return json_number_value(v);
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_report(void **state)
{
    struct fx *f = *state;
    struct norms_data d;
    struct norms_options o = {"C", NULL, "research", 0, 0};
    OK(norms_load(f->st, &o, &d, e));
    assert_int_equal(d.nsorts, 22);
    assert_int_equal(d.nparts, 5);
    json_t *r;
    OK((r = norms_report(&d, &o, e)) == NULL);

    json_t *p = part(r, "P1");
    near(num(p, "d0"), 2 * sqrt(5.0) / 3);
    near(num(p, "dm"), 0);
    near(num(p, "xbar"), 0);
    assert_string_equal(str(p, "regime"), "partnership");
    json_t *mv = json_object_get(p, "movement");
    near(num(mv, "lived_experience"), 0.5);
    near(num(mv, "system"), 0.5);
    assert_string_equal(str(mv, "who_moved"), "both");
    json_t *m1 = json_array_get(json_object_get(p, "modules"), 0);
    json_t *s1 = json_array_get(json_object_get(m1, "sorts"), 0);
    assert_string_equal(str(s1, "person"), "l1");
    near(num(json_object_get(s1, "positions"), "voice"), 1);
    near(num(json_object_get(s1, "positions"), "pace"), 1.0 / 3);
    near(num(s1, "x"), 2.0 / 3);
    near(num(m1, "distance"), 2 * sqrt(5.0) / 3);

    p = part(r, "P2");
    near(num(p, "d0"), 2 * sqrt(2.0) / 3);
    near(num(p, "dm"), 2 * sqrt(5.0) / 3);
    near(num(p, "dm_over_d0"), sqrt(2.5));
    near(num(json_object_get(p, "x"), "lived_experience"), 2.0 / 3);
    near(num(json_object_get(p, "x"), "system"), -2.0 / 3);
    assert_string_equal(str(p, "regime"), "polarised");
    mv = json_object_get(p, "movement");
    near(num(mv, "lived_experience"), 0.25);
    near(num(mv, "system"), 0.25);

    p = part(r, "P3");
    near(num(p, "xbar"), -2.0 / 3);
    assert_string_equal(str(p, "regime"), "patient_native");
    mv = json_object_get(p, "movement");
    near(num(mv, "lived_experience"), 1);
    near(num(mv, "system"), 0);
    assert_string_equal(str(mv, "who_moved"), "lived_experience");

    p = part(r, "P4");
    near(num(p, "dm"), 1);
    near(num(p, "dm_over_d0"), 3 / (2 * sqrt(5.0)));
    near(num(p, "xbar"), 1.0 / 6);
    assert_string_equal(str(p, "regime"), "stalled");

    p = part(r, "P5");
    assert_string_equal(str(p, "kind"), "triad");
    near(num(p, "d0"), sqrt(53.0) / 6);
    json_t *sys1 = json_object_get(json_object_get(json_array_get(json_object_get(p, "modules"), 0),
                                                   "sides"), "system");
    near(num(sys1, "voice"), -0.5);
    near(num(sys1, "pace"), -0.5);
    near(num(p, "dm"), 0);
    assert_string_equal(str(p, "regime"), "partnership");
    assert_int_equal(json_array_size(json_object_get(p, "members")), 3);

    json_t *reg = json_object_get(r, "regimes");
    assert_int_equal(json_integer_value(json_object_get(reg, "partnership")), 2);
    assert_int_equal(json_integer_value(json_object_get(reg, "polarised")), 1);
    assert_int_equal(json_integer_value(json_object_get(reg, "patient_native")), 1);
    assert_int_equal(json_integer_value(json_object_get(reg, "stalled")), 1);
    assert_int_equal(json_integer_value(json_object_get(reg, "system_native")), 0);

    /* Viewpoints at the last module: 11 sorts, 3 factors by default. */
    json_t *vp = json_object_get(r, "viewpoints");
    assert_true(json_is_object(vp));
    assert_int_equal(json_integer_value(json_object_get(vp, "module")), 2);
    assert_int_equal(json_integer_value(json_object_get(vp, "sorts")), 11);
    assert_int_equal(json_array_size(json_object_get(vp, "factors")), 3);
    assert_int_equal(json_array_size(json_object_get(vp, "statements")), 8);
    assert_int_equal(json_array_size(json_object_get(vp, "loadings")), 11);
    json_decref(r);

    /* One partnership alone; an unknown one. */
    OK((r = norms_partnership_report(&d, "P4", e)) == NULL);
    assert_string_equal(str(r, "regime"), "stalled");
    json_decref(r);
    duet_err err = {0};
    assert_null(norms_partnership_report(&d, "P9", &err));
    assert_string_equal(err.msg, "partnership 'P9' has no sorts");

    /* Too few sorts at a module for viewpoints: a note, not a failure. */
    assert_null(norms_viewpoints(&d, 7, 0, &err));
    assert_string_equal(err.msg, "0 sorts were made at module 7; viewpoints need at least 3");
    /* More factors than the sorts and statements allow: reduced to one fewer
    ** than the 8 statements (there are 11 sorts). */
    json_t *v;
    OK((v = norms_viewpoints(&d, 1, 8, e)) == NULL);
    assert_int_equal(json_integer_value(json_object_get(v, "factors_requested")), 8);
    assert_int_equal(json_integer_value(json_object_get(v, "factors_extracted")), 7);
    json_decref(v);
    norms_free(&d);
}

static void test_consent_filter(void **state)
{
    struct fx *f = *state;
    OK(store_consent_withdraw(f->st, "s4", "research", e));
    struct norms_data d;
    struct norms_options o = {NULL, NULL, "research", 0, 0};
    OK(norms_load(f->st, &o, &d, e));
    assert_int_equal(d.nsorts, 20);
    json_t *r;
    OK((r = norms_partnership_report(&d, "P4", e)) == NULL);
    assert_true(json_is_null(json_object_get(r, "regime")));   /* the system side is gone */
    assert_true(json_is_null(json_object_get(r, "d0")));
    json_decref(r);
    norms_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_regime_rules),
        cmocka_unit_test_setup_teardown(test_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent_filter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
