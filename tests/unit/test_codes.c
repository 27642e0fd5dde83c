/*
** test_codes.c — code frequencies, the side test and co-occurrence
** (analysis/codes.h) on a world built by hand, every number worked out
** below.
**
** Cohort C, modules 1 and 2, partnerships P1..P5, each a lived-experience
** member l1..l5 and a system member s1..s5 with research consent; each
** member shares one reflection at each module (Li1, Li2, Si1, Si2, text
** "0123456789abcdefghij"). An observer o1 notes P1 at module 1 (O). Coders
** r1 and r2 are researchers. Codes: Alpha, Beta, Gamma, Delta.
**
** r1: Alpha [0,4) on every Li1 and Li2 except L31, where one passage [0,4)
**     carries Alpha and Beta (the same passage: co-occurrence);
**     Beta [2,6) on L11 (overlaps Alpha [0,4): co-occurrence), [4,8) on
**     L21 (touches Alpha [0,4) without overlapping: none), [0,3) on S11,
**     S21, S31; Gamma [0,5) on S41; Delta [0,5) on O.
** r2: Alpha [0,3) and Gamma [1,2) on S51 (overlap: co-occurrence); Beta
**     [0,4) on L21 (r1's Alpha there is another coder's: none).
**
** Coder r1 alone. Coded: lived 10, system 4 (S11, S21, S31, S41),
** observations 1, all 15.
**   Alpha 10/10 vs 0/4: Fisher (10,0,0,4): margins 10, 4, column 10; the
**     tables x = 6..10 have C(10,x)C(4,10-x) = 210, 480, 270, 40, 1 of
**     1001; only the observed is as unlikely: p = 1/1001.
**   Beta 3/10 vs 3/4: (3,7,3,1): x = 2..6 give 45, 480, 1260, 1008, 210 of
**     3003; those <= 480: p = 735/3003.
**   Gamma 0/10 vs 1/4: x = 0 has 4/14, x = 1 10/14: p = 4/14 = 2/7.
**   Delta: in no reflection: absent, untested; observations 1.
**   BH over (1/1001, 735/3003, 2/7), m = 3: sorted ranks 1, 2, 3; 2/7 stays;
**     735/3003 x 3/2 = 0.367 > 2/7, so 2/7; 3/1001 < 2/7. Alpha q = 3/1001
**     (lived_experience), Beta q = 2/7 (shared), Gamma q = 2/7 (one_side).
**   By module: module 1 has 10 coded (5 Li1, S11..S41, O), module 2 has 5
**     (Li2). Alpha 5/10 and 5/5; Beta 6/10 and 0/5; Gamma 1/10, 0/5;
**     Delta 1/10, 0/5.
**   Co-occurrence: Alpha-Beta 2 (L11, L31); diagonal 10, 6, 1, 1.
** Every coder. System adds S51: 5 coded; all 16.
**   Alpha 10/10 vs 1/5: (10,0,1,4): x = 6..10 give 210, 600, 450, 100, 5 of
**     1365: p = 5/1365 = 1/273.
**   Beta 3/10 vs 3/5 (r2's Beta on L21 adds no document): (3,7,3,2): x =
**     1..6 give 10, 225, 1200, 2100, 1260, 210 of 5005; <= 1200: p = 1645/5005.
**   Gamma 0/10 vs 2/5: x = 0, 1, 2 give 10, 50, 45 of 105: p = 10/105.
**   BH: sorted 1/273, 10/105, 1645/5005: q = 1645/5005; min(10/105 x 3/2,
**     that) = 1/7; min(3/273, 1/7) = 1/91.
**   Co-occurrence: Alpha-Beta 2, Alpha-Gamma 1 (S51).
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

#include "analysis/codes.h"
#include "io/codebook.h"
#include "stats/fisher.h"
#include "store/store.h"
#include "testlib.h"

#define ALPHA "00000000-0000-4000-8000-00000000000a"
#define BETA  "00000000-0000-4000-8000-00000000000b"
#define GAMMA "00000000-0000-4000-8000-00000000000c"
#define DELTA "00000000-0000-4000-8000-00000000000d"

static const char book[] =
    "{\"format\": \"duet-codebook/1\", \"name\": \"test\", \"version\": 1, \"codes\": ["
    " {\"guid\": \"" GAMMA "\", \"name\": \"Gamma\"},"
    " {\"guid\": \"" ALPHA "\", \"name\": \"Alpha\"},"
    " {\"guid\": \"" DELTA "\", \"name\": \"Delta\"},"
    " {\"guid\": \"" BETA "\", \"name\": \"Beta\"},"
    " {\"guid\": \"00000000-0000-4000-8000-00000000000e\", \"name\": \"Unused\"}]}";

#define TEXT "0123456789abcdefghij"

struct fx {
    char db[64];
    struct store *st;
    int64_t lived[6][3], sys[6][3], obs;   /* [partnership 1..5][module 1..2] */
};

static void code(struct store *st, const char *kind, int64_t id, const char *coder,
                 size_t start, size_t end, const char *c1, const char *c2)
{
    const char *codes[2] = {c1, c2};
    OK(store_coding_add(st, kind, id, coder, start, end, codes, c2 ? 2 : 1, NULL, e));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (tl_temp_path(f->db, sizeof f->db, "codes") != 0)
        return -1;
    duet_err e0;
    if (store_open(f->db, &f->st, &e0) != 0)
        return -1;
    *state = f;
    struct store *st = f->st;
    struct codebook cb;
    OK(codebook_parse(book, strlen(book), "test", &cb, e));
    OK(store_begin(st, e));
    OK(store_codebook_add(st, &cb, NULL, e));
    codebook_free(&cb);
    OK(store_programme_add(st, "Codes test", NULL, NULL, e));
    OK(store_cohort_add(st, "Codes test", "C", NULL, NULL, e));
    OK(store_cohort_add(st, "Codes test", "Empty", NULL, NULL, e));
    for (int m = 1; m <= 2; m++)
        OK(store_module_add(st, "C", m, NULL, NULL, NULL, e));
    for (int i = 1; i <= 5; i++) {
        char l[8], s[8], code[8];
        snprintf(l, sizeof l, "l%d", i);
        snprintf(s, sizeof s, "s%d", i);
        snprintf(code, sizeof code, "P%d", i);
        tl_person(st, l, NULL, 1);
        tl_person(st, s, NULL, 1);
        struct store_member mem[] = {{l, "patient_leader"}, {s, "clinician"}};
        struct store_partnership p = {"C", code, NULL, NULL, 2, mem};
        OK(store_partnership_add(st, &p, NULL, e));
        for (int m = 1; m <= 2; m++) {
            OK(store_reflection_add(st, l, code, m, "programme", TEXT, &f->lived[i][m], e));
            OK(store_reflection_add(st, s, code, m, "programme", TEXT, &f->sys[i][m], e));
        }
    }
    tl_person(st, "o1", NULL, 0);
    struct store_observation o = {"o1", "P1", 1, TEXT, NAN, -1, -1};
    OK(store_observation_add(st, &o, &f->obs, e));
    tl_person(st, "r1", NULL, 0);
    tl_person(st, "r2", NULL, 0);
    OK(store_account_add(st, "r1", "researcher", "x", NULL, e));
    OK(store_account_add(st, "r2", "researcher", "x", NULL, e));
    OK(store_commit(st, e));

    for (int i = 1; i <= 5; i++)
        for (int m = 1; m <= 2; m++)
            if (!(i == 3 && m == 1))
                code(st, "reflection", f->lived[i][m], "r1", 0, 4, ALPHA, NULL);
    code(st, "reflection", f->lived[3][1], "r1", 0, 4, ALPHA, BETA);
    code(st, "reflection", f->lived[1][1], "r1", 2, 6, BETA, NULL);
    code(st, "reflection", f->lived[2][1], "r1", 4, 8, BETA, NULL);
    for (int i = 1; i <= 3; i++)
        code(st, "reflection", f->sys[i][1], "r1", 0, 3, BETA, NULL);
    code(st, "reflection", f->sys[4][1], "r1", 0, 5, GAMMA, NULL);
    code(st, "reflection", f->sys[5][1], "r2", 0, 3, ALPHA, NULL);
    code(st, "reflection", f->sys[5][1], "r2", 1, 2, GAMMA, NULL);
    code(st, "reflection", f->lived[2][1], "r2", 0, 4, BETA, NULL);
    /* An observation's source after reflections' on one connection. */
    code(st, "observation", f->obs, "r1", 0, 5, DELTA, NULL);
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    tl_remove_db(f->db);
    free(f);
    return 0;
}

static void near(double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * fabs(want) + 1e-15))
        fail_msg("expected %.17g, got %.17g", want, got);
}

static long long ival(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("'%s' is not an integer", key);
    return json_integer_value(v);
}

static double rval(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("'%s' is not a number", key);
    return json_number_value(v);
}

static const char *sval(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The by_side row of code name. */
static json_t *side_row(json_t *r, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "by_side"), i, row)
        if (strcmp(sval(row, "name"), name) == 0)
            return row;
    fail_msg("no by_side row for %s", name);
    return NULL;
}

static void check_side(json_t *row, const char *side, long long count, long long coded)
{
    json_t *s = json_object_get(row, side);
    assert_int_equal(ival(s, "count"), count);
    assert_int_equal(ival(s, "coded"), coded);
    near(rval(s, "proportion"), (double)count / (double)coded);
}

/* The by_module row of code name at module m. */
static json_t *module_row(json_t *r, const char *name, int m)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "by_module"), i, row)
        if (strcmp(sval(row, "name"), name) == 0 && ival(row, "module") == m)
            return row;
    fail_msg("no by_module row for %s at module %d", name, m);
    return NULL;
}

static void check_module(json_t *r, const char *name, int m, long long count, long long coded)
{
    json_t *row = module_row(r, name, m);
    assert_int_equal(ival(row, "count"), count);
    assert_int_equal(ival(row, "coded"), coded);
    near(rval(row, "proportion"), (double)count / (double)coded);
}

static long long cooc(json_t *r, size_t i, size_t j)
{
    json_t *m = json_object_get(json_object_get(r, "co_occurrence"), "matrix");
    return json_integer_value(json_array_get(json_array_get(m, i), j));
}

static void test_one_coder(void **state)
{
    struct fx *f = *state;
    duet_err e;
    json_t *r = codes_report(f->st, "C", "r1", &e);
    if (r == NULL)
        fail_msg("%s", e.msg);
    assert_string_equal(sval(r, "cohort"), "C");
    assert_string_equal(sval(r, "coder"), "r1");
    json_t *n = json_object_get(r, "n_documents_coded");
    assert_int_equal(ival(n, "lived_experience"), 10);
    assert_int_equal(ival(n, "system"), 4);
    assert_int_equal(ival(n, "observations"), 1);
    assert_int_equal(ival(n, "imported"), 0);
    assert_int_equal(ival(n, "all"), 15);

    /* Codes found at least once, by name; "Unused" is not listed. */
    json_t *codes = json_object_get(r, "codes");
    assert_int_equal(json_array_size(codes), 4);
    static const char *const names[] = {"Alpha", "Beta", "Delta", "Gamma"};
    static const char *const guids[] = {ALPHA, BETA, DELTA, GAMMA};
    static const long long ndocs[] = {10, 6, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        json_t *c = json_array_get(codes, i);
        assert_string_equal(sval(c, "name"), names[i]);
        assert_string_equal(sval(c, "code"), guids[i]);
        assert_int_equal(ival(c, "n_documents"), ndocs[i]);
        assert_string_equal(sval(json_array_get(json_object_get(r, "by_side"), i), "name"),
                            names[i]);
        assert_string_equal(json_string_value(json_array_get(json_object_get(
                                json_object_get(r, "co_occurrence"), "codes"), i)), guids[i]);
    }

    json_t *a = side_row(r, "Alpha"), *b = side_row(r, "Beta");
    json_t *g = side_row(r, "Gamma"), *d = side_row(r, "Delta");
    check_side(a, "lived_experience", 10, 10);
    check_side(a, "system", 0, 4);
    near(rval(a, "p"), 1.0 / 1001);
    near(rval(a, "q"), 3.0 / 1001);
    assert_string_equal(sval(a, "classification"), "lived_experience");
    check_side(b, "lived_experience", 3, 10);
    check_side(b, "system", 3, 4);
    near(rval(b, "p"), 735.0 / 3003);
    near(rval(b, "q"), 2.0 / 7);
    assert_string_equal(sval(b, "classification"), "shared");
    check_side(g, "lived_experience", 0, 10);
    check_side(g, "system", 1, 4);
    near(rval(g, "p"), 2.0 / 7);
    near(rval(g, "q"), 2.0 / 7);
    assert_string_equal(sval(g, "classification"), "one_side");
    check_side(d, "lived_experience", 0, 10);
    assert_int_equal(ival(d, "observations"), 1);
    assert_int_equal(ival(a, "observations"), 0);
    assert_true(json_is_null(json_object_get(d, "p")));
    assert_true(json_is_null(json_object_get(d, "q")));
    assert_string_equal(sval(d, "classification"), "absent");
    /* The library's test agrees with the report. */
    near(rval(b, "p"), fisher_exact(3, 7, 3, 1));

    assert_int_equal(json_array_size(json_object_get(r, "by_module")), 8);
    check_module(r, "Alpha", 1, 5, 10);
    check_module(r, "Alpha", 2, 5, 5);
    check_module(r, "Beta", 1, 6, 10);
    check_module(r, "Beta", 2, 0, 5);
    check_module(r, "Gamma", 1, 1, 10);
    check_module(r, "Delta", 1, 1, 10);
    check_module(r, "Delta", 2, 0, 5);

    /* Order Alpha, Beta, Delta, Gamma. */
    static const long long want[4][4] = {{10, 2, 0, 0}, {2, 6, 0, 0}, {0, 0, 1, 0},
                                         {0, 0, 0, 1}};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            if (cooc(r, i, j) != want[i][j])
                fail_msg("co-occurrence [%zu][%zu]: expected %lld, got %lld", i, j, want[i][j],
                         cooc(r, i, j));
    json_decref(r);
}

static void test_every_coder(void **state)
{
    struct fx *f = *state;
    duet_err e;
    json_t *r = codes_report(f->st, NULL, NULL, &e);
    if (r == NULL)
        fail_msg("%s", e.msg);
    assert_true(json_is_null(json_object_get(r, "cohort")));
    assert_true(json_is_null(json_object_get(r, "coder")));
    json_t *n = json_object_get(r, "n_documents_coded");
    assert_int_equal(ival(n, "lived_experience"), 10);
    assert_int_equal(ival(n, "system"), 5);
    assert_int_equal(ival(n, "all"), 16);
    json_t *a = side_row(r, "Alpha"), *b = side_row(r, "Beta"), *g = side_row(r, "Gamma");
    check_side(a, "system", 1, 5);
    near(rval(a, "p"), 1.0 / 273);
    near(rval(a, "q"), 1.0 / 91);
    assert_string_equal(sval(a, "classification"), "lived_experience");
    check_side(b, "lived_experience", 3, 10);
    check_side(b, "system", 3, 5);
    near(rval(b, "p"), 1645.0 / 5005);
    near(rval(b, "q"), 1645.0 / 5005);
    assert_string_equal(sval(b, "classification"), "shared");
    check_side(g, "system", 2, 5);
    near(rval(g, "p"), 10.0 / 105);
    near(rval(g, "q"), 1.0 / 7);
    assert_string_equal(sval(g, "classification"), "one_side");
    assert_int_equal(cooc(r, 0, 1), 2);       /* Alpha-Beta: not r2's Beta on L21 */
    assert_int_equal(cooc(r, 0, 3), 1);       /* Alpha-Gamma on S51 */
    assert_int_equal(cooc(r, 3, 0), 1);
    assert_int_equal(cooc(r, 1, 3), 0);
    assert_int_equal(cooc(r, 3, 3), 2);
    json_decref(r);

    /* r2 alone: S51 and L21. */
    r = codes_report(f->st, "C", "r2", &e);
    assert_non_null(r);
    n = json_object_get(r, "n_documents_coded");
    assert_int_equal(ival(n, "lived_experience"), 1);
    assert_int_equal(ival(n, "system"), 1);
    assert_int_equal(ival(n, "observations"), 0);
    assert_int_equal(json_array_size(json_object_get(r, "codes")), 3);
    json_decref(r);
}

static void test_empty_and_unknown(void **state)
{
    struct fx *f = *state;
    duet_err e;
    json_t *r = codes_report(f->st, "Empty", NULL, &e);
    assert_non_null(r);
    assert_int_equal(ival(json_object_get(r, "n_documents_coded"), "all"), 0);
    assert_int_equal(json_array_size(json_object_get(r, "codes")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "by_side")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "by_module")), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r, "co_occurrence"),
                                                     "matrix")), 0);
    json_decref(r);
    /* A coder who coded nothing. */
    r = codes_report(f->st, "C", "nobody", &e);
    assert_non_null(r);
    assert_int_equal(json_array_size(json_object_get(r, "codes")), 0);
    json_decref(r);
    assert_null(codes_report(f->st, "Nope", NULL, &e));
    assert_int_equal(e.code, DUET_ENOTFOUND);
}

/* Withdrawing research consent takes a member's reflections out. */
static void test_withdrawn(void **state)
{
    struct fx *f = *state;
    duet_err e;
    assert_int_equal(store_consent_withdraw(f->st, "l1", "research", &e), 0);
    json_t *r = codes_report(f->st, "C", "r1", &e);
    assert_non_null(r);
    json_t *n = json_object_get(r, "n_documents_coded");
    assert_int_equal(ival(n, "lived_experience"), 8);
    /* P1's observation is about l1 too: it goes. */
    assert_int_equal(ival(n, "observations"), 0);
    check_side(side_row(r, "Alpha"), "lived_experience", 8, 8);
    assert_int_equal(cooc(r, 0, 1), 1);       /* L31 only */
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_coder),
        cmocka_unit_test(test_every_coder),
        cmocka_unit_test(test_empty_and_unknown),
        cmocka_unit_test(test_withdrawn),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
