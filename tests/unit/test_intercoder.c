/*
** test_intercoder.c — coding passages in the store (store/coding.c) and
** agreement between coders over document segments (analysis/intercoder.h),
** on a world built by hand; every expected value is worked out below.
**
** Partnership P1: l1 (lived experience) and s1 (system), research consent.
** D1: l1's reflection shared with the programme, 100 characters.
** D2: s1's reflection shared with the programme, 100 characters.
** Coders A, B, C (researchers). Codes X and Y.
**   A: D1 [0,20) X, [40,60) Y; D2 [0,10) X.
**   B: D1 [0,10) X, [40,60) X.
**   C: D2 [0,10) X.
** Units: D1 is cut at 0, 10, 20, 40, 60; [20,40) nobody selected, so the
** units are u1 [0,10), u2 [10,20), u3 [40,60); D2 gives u4 [0,10). A coder
** who coded nothing in a document is missing there (B in D2, C in D1).
**
** Every coder (A, B, C):
**   X: u1 (1,1), u2 (1,0), u3 (0,1), u4 (1,1): n = 8 values, six 1s, two 0s;
**      disagreeing ordered pairs 4: D_o = 4/8; D_e = 2*6*2/(8*7) = 3/7;
**      alpha = 1 - (1/2)/(3/7) = -1/6; percent agreement 2/4.
**   Y: u1 (0,0), u2 (0,0), u3 (1,0), u4 (0,0): n = 8, one 1; D_o = 2/8,
**      D_e = 2*1*7/56 = 1/4: alpha = 0; agreement 3/4.
**   Pooled: n = 16, seven 1s, nine 0s, 6 disagreeing pairs: D_o = 6/16,
**      D_e = 2*7*9/(16*15) = 21/40: alpha = 1 - (3/8)/(21/40) = 2/7;
**      agreement 5/8.
** Coders A and B: u4 has A's value only (unpaired).
**   X: u1 (1,1), u2 (1,0), u3 (0,1): n = 6, four 1s: D_o = 4/6, D_e =
**      2*4*2/(6*5) = 16/30: alpha = 1 - (2/3)(30/16) = -1/4; agreement 1/3.
**   Y: n = 6, one 1: D_o = 2/6, D_e = 10/30: alpha = 0; 2/3.
**   Pooled: n = 12, five 1s: D_o = 6/12, D_e = 2*5*7/(12*11) = 70/132:
**      alpha = 1 - 66/70 = 2/35; agreement 3/6.
** Coders A and C: only u4 has two values, (1,1) for X and (0,0) for Y: one
** value only, so alpha is undefined (null with a note); agreement 1.
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

#include "analysis/intercoder.h"
#include "io/codebook.h"
#include "store/store.h"
#include "testlib.h"

#define X "00000000-0000-4000-8000-0000000000aa"
#define Y "00000000-0000-4000-8000-0000000000bb"

static const char book[] =
    "{\"format\": \"duet-codebook/1\", \"name\": \"ic\", \"version\": 1, \"codes\": ["
    " {\"guid\": \"" X "\", \"name\": \"X\"}, {\"guid\": \"" Y "\", \"name\": \"Y\"}]}";

struct fx {
    char db[64];
    struct store *st;
    int64_t d1, d2, priv, utf;
};

static void code(struct store *st, int64_t doc, const char *coder, size_t a, size_t b,
                 const char *c)
{
    const char *codes[1] = {c};
    OK(store_coding_add(st, "reflection", doc, coder, a, b, codes, 1, NULL, e));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (tl_temp_path(f->db, sizeof f->db, "ic") != 0)
        return -1;
    duet_err e0;
    if (store_open(f->db, &f->st, &e0) != 0)
        return -1;
    *state = f;
    struct store *st = f->st;
    char hundred[101];
    for (int i = 0; i < 100; i++)
        hundred[i] = (char)('a' + i % 26);
    hundred[100] = '\0';
    struct codebook cb;
    OK(codebook_parse(book, strlen(book), "test", &cb, e));
    OK(store_codebook_add(st, &cb, NULL, e));
    codebook_free(&cb);
    OK(store_programme_add(st, "IC", NULL, NULL, e));
    OK(store_cohort_add(st, "IC", "C", NULL, NULL, e));
    OK(store_module_add(st, "C", 1, NULL, NULL, NULL, e));
    tl_person(st, "l1", NULL, 1);
    tl_person(st, "s1", NULL, 1);
    struct store_member mem[] = {{"l1", "patient_leader"}, {"s1", "clinician"}};
    struct store_partnership p = {"C", "P1", NULL, NULL, 2, mem};
    OK(store_partnership_add(st, &p, NULL, e));
    OK(store_reflection_add(st, "l1", "P1", 1, "programme", hundred, &f->d1, e));
    OK(store_reflection_add(st, "s1", "P1", 1, "programme", hundred, &f->d2, e));
    OK(store_reflection_add(st, "l1", "P1", 1, "private", hundred, &f->priv, e));
    OK(store_reflection_add(st, "s1", "P1", 1, "programme", "\xc3\x87" "a va \xe2\x80\x94 na"
                            "\xc3\xaf" "ve", &f->utf, e));
    const char *coders[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        tl_person(st, coders[i], NULL, 0);
        OK(store_account_add(st, coders[i], "researcher", "x", NULL, e));
    }
    code(st, f->d1, "A", 0, 20, X);
    code(st, f->d1, "A", 40, 60, Y);
    code(st, f->d2, "A", 0, 10, X);
    code(st, f->d1, "B", 0, 10, X);
    code(st, f->d1, "B", 40, 60, X);
    code(st, f->d2, "C", 0, 10, X);
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

static void near(json_t *v, double want)
{
    if (!json_is_number(v))
        fail_msg("expected %.17g, got a non-number", want);
    double got = json_number_value(v);
    if (!(fabs(got - want) <= 1e-12))
        fail_msg("expected %.17g, got %.17g", want, got);
}

static json_t *report(struct store *st, const char *const *coders, size_t n)
{
    struct intercoder_opts o = {NULL, coders, n};
    duet_err e;
    json_t *r = intercoder_report(st, &o, &e);
    if (r == NULL)
        fail_msg("intercoder_report: %s", e.msg);
    return r;
}

/* The measures of code name in r ("all" for the pooled ones). */
static json_t *of(json_t *r, const char *name)
{
    if (strcmp(name, "all") == 0)
        return json_object_get(r, "all_codes");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "codes"), i, c)
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return c;
    fail_msg("no code %s", name);
    return NULL;
}

static void test_every_coder(void **state)
{
    struct fx *f = *state;
    json_t *r = report(f->st, NULL, 0);
    assert_int_equal(json_integer_value(json_object_get(r, "units")), 4);
    assert_int_equal(json_integer_value(json_object_get(r, "documents")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "documents_shared")), 2);
    assert_int_equal(json_array_size(json_object_get(r, "coders")), 3);
    near(json_object_get(of(r, "X"), "alpha"), -1.0 / 6);
    near(json_object_get(of(r, "X"), "percent_agreement"), 0.5);
    assert_int_equal(json_integer_value(json_object_get(of(r, "X"), "units_pairable")), 4);
    assert_int_equal(json_integer_value(json_object_get(of(r, "X"), "units_applied")), 4);
    near(json_object_get(of(r, "Y"), "alpha"), 0.0);
    near(json_object_get(of(r, "Y"), "percent_agreement"), 0.75);
    assert_int_equal(json_integer_value(json_object_get(of(r, "Y"), "units_applied")), 1);
    near(json_object_get(of(r, "all"), "alpha"), 2.0 / 7);
    near(json_object_get(of(r, "all"), "percent_agreement"), 5.0 / 8);
    json_decref(r);
}

static void test_two_coders(void **state)
{
    struct fx *f = *state;
    const char *ab[] = {"A", "B"};
    json_t *r = report(f->st, ab, 2);
    near(json_object_get(of(r, "X"), "alpha"), -0.25);
    near(json_object_get(of(r, "X"), "percent_agreement"), 1.0 / 3);
    assert_int_equal(json_integer_value(json_object_get(of(r, "X"), "units_pairable")), 3);
    near(json_object_get(of(r, "Y"), "alpha"), 0.0);
    near(json_object_get(of(r, "Y"), "percent_agreement"), 2.0 / 3);
    near(json_object_get(of(r, "all"), "alpha"), 2.0 / 35);
    near(json_object_get(of(r, "all"), "percent_agreement"), 0.5);
    json_decref(r);
}

static void test_undefined_alpha(void **state)
{
    struct fx *f = *state;
    const char *ac[] = {"A", "C"};
    json_t *r = report(f->st, ac, 2);
    json_t *x = of(r, "X");
    assert_true(json_is_null(json_object_get(x, "alpha")));
    assert_non_null(strstr(json_string_value(json_object_get(x, "alpha_note")), "value"));
    near(json_object_get(x, "percent_agreement"), 1.0);
    json_decref(r);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    struct {
        const char *coders[3];
        size_t n;
        const char *says;
    } cases[] = {
        {{"A"}, 1, "two coders"},
        {{"A", "Z"}, 2, "'Z' has no codings"},
        {{"A", "A"}, 2, "named twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct intercoder_opts o = {NULL, cases[i].coders, cases[i].n};
        duet_err e;
        assert_null(intercoder_report(f->st, &o, &e));
        if (strstr(e.msg, cases[i].says) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, e.msg, cases[i].says);
    }
}

/* Positions are code points; a private reflection is not codable. */
static void test_passages(void **state)
{
    struct fx *f = *state;
    const char *codes[] = {X};
    duet_err e;
    /* "Ça va — naïve" is 13 code points (17 bytes). */
    assert_int_equal(store_coding_add(f->st, "reflection", f->utf, "A", 8, 14, codes, 1, NULL,
                                      &e), -1);
    assert_non_null(strstr(e.msg, "past the end"));
    assert_int_equal(store_coding_add(f->st, "reflection", f->utf, "A", 5, 5, codes, 1, NULL,
                                      &e), -1);
    assert_int_equal(store_coding_add(f->st, "reflection", f->priv, "A", 0, 5, codes, 1, NULL,
                                      &e), -1);
    assert_int_equal(e.code, DUET_ENOTFOUND);
    const char *unknown[] = {"00000000-0000-4000-8000-0000000000cc"};
    assert_int_equal(store_coding_add(f->st, "reflection", f->d1, "A", 0, 5, unknown, 1, NULL,
                                      &e), -1);
    assert_int_equal(store_coding_add(f->st, "reflection", f->d1, "nobody", 0, 5, codes, 1,
                                      NULL, &e), -1);
    char guid[40];
    if (store_coding_add(f->st, "reflection", f->utf, "A", 8, 13, codes, 1, guid, &e) != 0)
        fail_msg("%s", e.msg);
    json_t *sel = store_coding_selections(f->st, "reflection", f->utf, NULL, &e);
    assert_non_null(sel);
    assert_int_equal(json_array_size(sel), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sel, 0), "selection")),
                        guid);
    json_decref(sel);
    json_t *docs = store_coding_documents(f->st, NULL, "A", &e);
    size_t i;
    json_t *d;
    int seen_utf = 0;
    json_array_foreach(docs, i, d) {
        assert_int_not_equal(json_integer_value(json_object_get(d, "id")), f->priv);
        if (json_integer_value(json_object_get(d, "id")) == f->utf) {
            seen_utf = 1;
            assert_int_equal(json_integer_value(json_object_get(d, "length")), 13);
            assert_int_equal(json_integer_value(json_object_get(d, "selections")), 1);
        }
    }
    assert_true(seen_utf);
    json_decref(docs);
    /* B may not remove A's selection; A may. */
    assert_int_equal(store_coding_remove(f->st, guid, "B", &e), -1);
    if (store_coding_remove(f->st, guid, "A", &e) != 0)
        fail_msg("%s", e.msg);
}

static int find_passage(void *ctx, const struct store_coding_row *r, duet_err *e)
{
    (void)e;
    if (r->start == 8 && r->end == 13)
        snprintf(ctx, 32, "%s", r->passage);
    return 0;
}

static void test_passage_text(void **state)
{
    struct fx *f = *state;
    const char *codes[] = {Y};
    OK(store_coding_add(f->st, "reflection", f->utf, "B", 8, 13, codes, 1, NULL, e));
    char got[32] = "";
    OK(store_coding_each(f->st, NULL, find_passage, got, e));
    assert_string_equal(got, "na\xc3\xaf" "ve");
}

/* Withdrawing research consent takes the author's documents and their
** codings out of coding, export and agreement. */
static void test_withdrawal(void **state)
{
    struct fx *f = *state;
    duet_err e;
    if (store_consent_withdraw(f->st, "s1", "research", &e) != 0)
        fail_msg("%s", e.msg);
    assert_null(store_coding_document(f->st, "reflection", f->d2, &e));
    assert_int_equal(e.code, DUET_ENOTFOUND);
    const char *ac[] = {"A", "C"};
    struct intercoder_opts o = {NULL, ac, 2};
    assert_null(intercoder_report(f->st, &o, &e));
    assert_non_null(strstr(e.msg, "'C' has no codings"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_coder),   cmocka_unit_test(test_two_coders),
        cmocka_unit_test(test_undefined_alpha), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_passages),      cmocka_unit_test(test_passage_text),
        cmocka_unit_test(test_withdrawal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
