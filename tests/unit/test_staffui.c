/*
** test_staffui.c — the helpers of the staff pages (web/staffui.h): addresses
** with names in them, input checks, form errors, the cohorts a facilitator
** runs, and pseudonyms (a researcher must never get a person key or a name,
** and a person in two partnerships gets a pseudonym in each); and the
** relationships CSV writer (analysis/relcsv.h).
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

#include "analysis/relcsv.h"
#include "store/store.h"
#include "web/staffui.h"

#define OK(call) assert_int_equal((call), 0)

static void test_href(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(staffui_href(b, sizeof b, "/cohorts/", "Demo cohort 2026", "/modules"),
                        "/cohorts/Demo%20cohort%202026/modules");
    assert_string_equal(staffui_href(b, sizeof b, "/x?c=", "a/b&c=d#é", ""),
                        "/x?c=a%2Fb%26c%3Dd%23%C3%A9");
    assert_string_equal(staffui_href(b, sizeof b, "/p/", "P01.a_b-c~", NULL), "/p/P01.a_b-c~");
    /* Truncation never splits an escape and always terminates. */
    char s[12];
    staffui_href(s, sizeof s, "/c/", "          ", "");
    assert_true(strlen(s) < sizeof s);
    assert_string_equal(s, "/c/%20%20");
}

static void test_checks(void **state)
{
    (void)state;
    long v = 0;
    assert_true(staffui_int("7", 1, 1000, &v) && v == 7);
    assert_false(staffui_int("0", 1, 1000, &v));
    assert_false(staffui_int("1001", 1, 1000, &v));
    assert_false(staffui_int("3x", 1, 1000, &v));
    assert_false(staffui_int(" 3", 1, 1000, &v));
    assert_false(staffui_int("", 1, 1000, &v));
    assert_false(staffui_int(NULL, 1, 1000, &v));
    assert_false(staffui_int("99999999999999999999", 0, 1000, &v));
    assert_true(staffui_date_ok("2024-02-29"));
    assert_false(staffui_date_ok("2026-02-29"));
    assert_false(staffui_date_ok("2026-13-01"));
    assert_false(staffui_date_ok("2026-1-01"));
    assert_false(staffui_date_ok("26-01-01xx"));
    assert_true(staffui_key_ok("P01"));
    assert_true(staffui_key_ok("amira.01a"));
    assert_false(staffui_key_ok(".x"));
    assert_false(staffui_key_ok("a b"));
    assert_false(staffui_key_ok(""));
    assert_true(staffui_text_ok("two\nlines", 20, 1));
    assert_false(staffui_text_ok("two\nlines", 20, 0));
    assert_false(staffui_text_ok("toolong", 3, 0));
    assert_false(staffui_text_ok("\xff", 3, 0));
    assert_true(staffui_text_ok(NULL, 3, 0));
}

static void test_errors(void **state)
{
    (void)state;
    struct staffui_errors fe = {0};
    staffui_error_add(&fe, "code", "enter a code");
    staffui_error_add(&fe, "code", "a second message for the same field");
    staffui_error_add(&fe, "title", "Enter a title");
    assert_int_equal(fe.n, 2);
    assert_string_equal(staffui_error_for(&fe, "code"), "Enter a code");   /* a sentence */
    assert_null(staffui_error_for(&fe, "aim"));
    char d[64];
    assert_string_equal(staffui_describedby(d, sizeof d, &fe, "code", 1), "code-hint code-error");
    assert_string_equal(staffui_describedby(d, sizeof d, &fe, "aim", 1), "aim-hint");
    assert_string_equal(staffui_describedby(d, sizeof d, &fe, "aim", 0), "");
    duet_buf b;
    buf_init(&b, 1 << 16);
    staffui_error_summary(&b, &fe);
    assert_non_null(strstr(b.data, "<a href=\"#code\">Enter a code</a>"));
    assert_non_null(strstr(b.data, "role=\"alert\""));
    buf_free(&b);
}

/* A cohort with a pair, a triad, a pair that reuses a person, and a
** facilitator on its staff. */
static struct store *fixture(duet_err *e)
{
    struct store *st = NULL;
    OK(store_open(":memory:", &st, e));
    OK(store_programme_add(st, "Prog", NULL, NULL, e));
    OK(store_cohort_add(st, "Prog", "C 1", NULL, NULL, e));
    OK(store_cohort_add(st, "Prog", "C 2", NULL, NULL, e));
    static const char *const keys[] = {"zed.sys", "ann.lived", "bob.gp", "cat.spec", "fac"};
    for (size_t i = 0; i < 5; i++) {
        struct store_person p = {keys[i], keys[i], NULL, "secret@example.org"};
        OK(store_person_add(st, &p, NULL, e));
    }
    struct store_member pair[] = {{"zed.sys", "system_leader"}, {"ann.lived", "patient_leader"}};
    struct store_member triad[] = {{"cat.spec", "specialist_service"}, {"bob.gp", "gp"},
                                   {"ann.lived", "patient_leader"}};
    struct store_partnership p1 = {"C 1", "P01", "T", "", 2, pair};
    struct store_partnership p2 = {"C 1", "P02", "T", "", 3, triad};
    OK(store_partnership_add(st, &p1, NULL, e));
    OK(store_partnership_add(st, &p2, NULL, e));
    OK(store_cohort_staff_add(st, "C 2", "fac", e));
    return st;
}

static void test_staffed(void **state)
{
    (void)state;
    duet_err e;
    struct store *st = fixture(&e);
    int64_t fac;
    OK(store_person_id(st, "fac", &fac, &e));
    json_t *c = store_cohort_list_staffed(st, fac, &e);
    assert_int_equal(json_array_size(c), 1);
    assert_string_equal(staffui_str(json_array_get(c, 0), "name"), "C 2");
    json_decref(c);
    json_t *m = store_cohort_member_list(st, "C 1", &e);
    assert_int_equal(json_array_size(m), 5);
    /* Lived experience first within a partnership, then people in the order added. */
    assert_string_equal(staffui_str(json_array_get(m, 0), "person"), "ann.lived");
    assert_string_equal(staffui_str(json_array_get(m, 3), "person"), "bob.gp");
    assert_string_equal(staffui_str(json_array_get(m, 4), "person"), "cat.spec");
    json_decref(m);
    store_close(st);
}

static void test_pseudonyms(void **state)
{
    (void)state;
    duet_err e;
    struct store *st = fixture(&e);
    json_t *map = staffui_pseudonyms(st, "C 1", &e);
    assert_non_null(map);
    json_t *doc = json_pack(
        "{s:[{s:s, s:[{s:s, s:s, s:s}, {s:s}], s:[{s:[{s:s, s:i}]}]}, "
        "{s:s, s:[{s:s}, {s:s}, {s:s}]}], s:{s:s}}",
        "partnerships", "partnership", "P01", "members", "person", "zed.sys", "display_name",
        "Zed", "contact", "secret@example.org", "person", "ann.lived", "modules", "rungs",
        "person", "ann.lived", "rung", 4, "partnership", "P02", "members", "person", "ann.lived",
        "person", "bob.gp", "person", "cat.spec", "stray", "person", "ann.lived");
    staffui_pseudonymise(doc, map);
    char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s,
        "{\"partnerships\":[{\"members\":[{\"person\":\"P01-S1\"},{\"person\":\"P01-L1\"}],"
        "\"modules\":[{\"rungs\":[{\"person\":\"P01-L1\",\"rung\":4}]}],\"partnership\":\"P01\"},"
        "{\"members\":[{\"person\":\"P02-L1\"},{\"person\":\"P02-S1\"},{\"person\":\"P02-S2\"}],"
        "\"partnership\":\"P02\"}],\"stray\":{\"person\":\"unknown\"}}");
    free(s);
    json_decref(doc);
    json_decref(map);
    store_close(st);
}

static void test_relcsv(void **state)
{
    (void)state;
    struct rel_data d = {0};
    char voice[] = "voice";
    d.nconstructs = 1;
    d.construct[0] = voice;
    json_t *r = json_loads(
        "{\"partnerships\":[{\"cohort\":\"C, 1\",\"partnership\":\"P01\",\"modules\":["
        "{\"module\":2,\"sides\":{\"lived_experience\":{\"quality\":0.1,\"voice\":3},"
        "\"system\":{\"quality\":null}},\"gap\":{\"quality\":null},\"tokenism_signal\":true,"
        "\"resistance_met\":{},\"power_balance\":-0.5,\"compromise_share_lived\":null}]}]}",
        0, NULL);
    duet_buf b;
    buf_init(&b, 1 << 16);
    OK(rel_csv(&d, r, CSV_SAFE, &b));
    assert_string_equal(b.data,
        "cohort,partnership,module,quality_lived_experience,quality_system,quality_gap,"
        "tokenism_signal,resistance_met_lived_experience,resistance_met_system,power_balance,"
        "compromise_share_lived,voice_lived_experience,voice_system\n"
        "\"C, 1\",P01,2,0.10000000000000001,,,1,,,-0.5,,3,\n");
    buf_free(&b);
    /* A cohort name a spreadsheet would run: neutralised for people (the
    ** web's download), as it is with CSV_EXACT; -0.5 stays a number. */
    json_object_set_new(json_array_get(json_object_get(r, "partnerships"), 0), "cohort",
                        json_string("=cmd|' /C calc'!A0"));
    buf_init(&b, 1 << 16);
    OK(rel_csv(&d, r, CSV_SAFE, &b));
    assert_non_null(strstr(b.data, "\n\"'=cmd|' /C calc'!A0\",P01,2,0.10000000000000001,,,1,,,"
                                   "-0.5,,3,\n"));
    buf_reset(&b);
    OK(rel_csv(&d, r, CSV_EXACT, &b));
    assert_non_null(strstr(b.data, "\n=cmd|' /C calc'!A0,P01,2,0.10000000000000001,,,1,,,"
                                   "-0.5,,3,\n"));
    buf_free(&b);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_href),      cmocka_unit_test(test_checks),
        cmocka_unit_test(test_errors),    cmocka_unit_test(test_staffed),
        cmocka_unit_test(test_pseudonyms), cmocka_unit_test(test_relcsv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
