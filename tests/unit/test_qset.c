/*
** test_qset.c — the Q-set format (duet-qset/1): the default Q-set's content
** and that it is the shipped data file, round trips, the largest position
** mean per dimension, and one test per validation rule asserting the exact
** message. The tiny Q-set below is written by hand: two dimensions, four
** statements each, the grid -2..+2 holding 1,2,2,2,1.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/qset.h"

static const char tiny[] =
    "{\"format\": \"duet-qset/1\", \"name\": \"tiny\", \"version\": 1, \"title\": \"Tiny\",\n"
    " \"dimensions\": [\n"
    "  {\"name\": \"voice\", \"label\": \"Voice\", \"lived_experience_pole\": \"Speak up\","
    " \"system_pole\": \"Defer\"},\n"
    "  {\"name\": \"pace\", \"label\": \"Pace\", \"lived_experience_pole\": \"Now\","
    " \"system_pole\": \"Carefully\"}],\n"
    " \"grid\": [{\"value\": -2, \"count\": 1}, {\"value\": -1, \"count\": 2},"
    " {\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 2}, {\"value\": 2, \"count\": 1}],\n"
    " \"statements\": [\n"
    "  {\"id\": \"a\", \"text\": \"A\", \"dimension\": \"voice\", \"polarity\": 1},\n"
    "  {\"id\": \"b\", \"text\": \"B\", \"dimension\": \"voice\", \"polarity\": -1},\n"
    "  {\"id\": \"c\", \"text\": \"C\", \"dimension\": \"voice\", \"polarity\": 1},\n"
    "  {\"id\": \"d\", \"text\": \"D\", \"dimension\": \"voice\", \"polarity\": -1},\n"
    "  {\"id\": \"e\", \"text\": \"E\", \"dimension\": \"pace\", \"polarity\": 1},\n"
    "  {\"id\": \"f\", \"text\": \"F\", \"dimension\": \"pace\", \"polarity\": -1},\n"
    "  {\"id\": \"g\", \"text\": \"G\", \"dimension\": \"pace\", \"polarity\": 1},\n"
    "  {\"id\": \"h\", \"text\": \"H\", \"dimension\": \"pace\", \"polarity\": -1}]}\n";

/* tiny with the first occurrence of `from` replaced by `to` (static buffer). */
static const char *with(const char *from, const char *to)
{
    static char buf[8192];
    const char *at = strstr(tiny, from);
    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - tiny), tiny, to, at + strlen(from));
    return buf;
}

static void expect_error(const char *text, const char *msg)
{
    struct qset q;
    memset(&q, 0x5a, sizeof q);
    struct qset before = q;
    duet_err e = {0};
    assert_int_equal(qset_parse(text, strlen(text), "q.json", &q, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    if (strcmp(e.msg, msg) != 0)
        fail_msg("expected \"%s\"\n      got \"%s\"", msg, e.msg);
    assert_memory_equal(&q, &before, sizeof q);   /* untouched on failure */
}

static void parse_ok(const char *text, struct qset *q)
{
    duet_err e = {0};
    if (qset_parse(text, strlen(text), "q.json", q, &e) != 0)
        fail_msg("parse failed: %s", e.msg);
}

/* ------------------------------------------------------------------ */

static void test_tiny(void **state)
{
    (void)state;
    struct qset q;
    parse_ok(tiny, &q);
    assert_string_equal(q.name, "tiny");
    assert_int_equal(q.ndims, 2);
    assert_int_equal(q.nstatements, 8);
    assert_int_equal(q.ncols, 5);
    assert_int_equal(q.dims[0].nstatements, 4);
    assert_int_equal(q.dims[0].nplus, 2);
    assert_int_equal(q.statements[5].dimension, 1);
    assert_int_equal(q.statements[5].polarity, -1);
    assert_int_equal(qset_statement_index(&q, "g", 1), 6);
    assert_int_equal(qset_statement_index(&q, "gg", 2), -1);
    assert_int_equal(qset_dimension_index(&q, "pace"), 1);
    assert_int_equal(qset_column(&q, -2), 0);
    assert_int_equal(qset_column(&q, 2), 4);
    assert_int_equal(qset_column(&q, 3), -1);
    /* voice: its two +1 statements at +2 and +1, its two -1 statements at
    ** -2 and -1: (2 + 1 + 2 + 1) / 4 = 1.5. */
    assert_true(qset_dimension_max(&q, 0) == 1.5);
    assert_true(qset_dimension_max(&q, 1) == 1.5);
    qset_free(&q);
    qset_free(&q);   /* safe twice */
    qset_free(NULL);
}

static void test_default(void **state)
{
    (void)state;
    struct qset q;
    duet_err e = {0};
    assert_int_equal(qset_load_default(&q, &e), 0);
    assert_string_equal(q.name, QSET_DEFAULT_NAME);
    assert_int_equal(q.version, 1);
    assert_int_equal(q.nstatements, 36);
    static const char *const dims[] = {"voice", "evidence", "pace", "accountability"};
    static const size_t plus[] = {5, 4, 5, 4};
    assert_int_equal(q.ndims, 4);
    size_t total_plus = 0;
    for (size_t k = 0; k < 4; k++) {
        assert_string_equal(q.dims[k].name, dims[k]);
        assert_int_equal(q.dims[k].nstatements, 9);
        assert_int_equal(q.dims[k].nplus, plus[k]);
        total_plus += q.dims[k].nplus;
        /* 5 (or 4) statements at +4 +4 +3 +3 +3 and 4 (or 5) at -4 -4 -3 -3
        ** (-3): 31 / 9 either way. */
        assert_true(fabs(qset_dimension_max(&q, k) - 31.0 / 9) < 1e-15);
    }
    assert_int_equal(total_plus, 18);
    static const int counts[] = {2, 3, 4, 5, 8, 5, 4, 3, 2};
    assert_int_equal(q.ncols, 9);
    for (size_t c = 0; c < 9; c++) {
        assert_int_equal(q.value[c], (int)c - 4);
        assert_int_equal(q.count[c], counts[c]);
    }
    assert_int_equal(qset_statement_index(&q, "s05", 3), 4);
    assert_string_equal(q.statements[4].text,
                        "I should wait to be invited before I speak in a meeting.");
    qset_free(&q);
}

/* The compiled-in copy is the shipped file (tests run from the repository's
** top folder): regenerate src/io/qset_default.c with scripts/embed.sh after
** editing data/qsets/norms-default.json. */
static void test_default_is_the_data_file(void **state)
{
    (void)state;
    FILE *f = fopen("data/qsets/norms-default.json", "rb");
    if (f == NULL)
        skip();
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, qset_default_json);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct qset a, b;
    duet_err e = {0};
    assert_int_equal(qset_load_default(&a, &e), 0);
    char *text = qset_to_json(&a);
    assert_non_null(text);
    parse_ok(text, &b);
    char *again = qset_to_json(&b);
    assert_string_equal(text, again);
    assert_int_equal(b.nstatements, a.nstatements);
    for (size_t i = 0; i < a.nstatements; i++) {
        assert_string_equal(a.statements[i].id, b.statements[i].id);
        assert_string_equal(a.statements[i].text, b.statements[i].text);
        assert_int_equal(a.statements[i].dimension, b.statements[i].dimension);
        assert_int_equal(a.statements[i].polarity, b.statements[i].polarity);
    }
    assert_string_equal(a.instructions, b.instructions);
    free(text);
    free(again);
    qset_free(&a);
    qset_free(&b);
}

static void test_err_top_level(void **state)
{
    (void)state;
    expect_error("[1]", "q.json: the top level must be a JSON object, not an array");
    expect_error("{\"name\": \"x\"}", "q.json: missing 'format' (expected \"duet-qset/1\")");
    expect_error(with("duet-qset/1", "duet-instrument/1"),
                 "q.json: format: 'duet-instrument/1' is not supported; expected 'duet-qset/1'");
    expect_error(with("\"title\": \"Tiny\"", "\"title\": \"Tiny\", \"titel\": \"x\""),
                 "q.json: unknown key 'titel'");
    expect_error(with("\"name\": \"tiny\"", "\"name\": \"Tiny\""),
                 "q.json: name: 'Tiny' is not a valid name (use lower-case letters, digits and "
                 "_ or -, start with a letter, at most 48 characters)");
    expect_error(with("\"version\": 1", "\"version\": 1.0"),
                 "q.json: version: expected a whole number, found 1");
    expect_error(with("\"title\": \"Tiny\"", "\"title\": \"\""), "q.json: title: must not be empty");
    expect_error(with("\"title\": \"Tiny\"", "\"title\": \"Ti\\nny\""),
                 "q.json: title: control character U+000A is not allowed (this text must be "
                 "one line)");
    expect_error("{\"format\": \"duet-qset/1\",", "q.json:1:25: invalid JSON: string or '}' expected near end of file");
}

static void test_err_dimensions(void **state)
{
    (void)state;
    expect_error(with("\"label\": \"Voice\"", "\"label\": \"Voice\", \"colour\": \"red\""),
                 "q.json: dimensions[0]: unknown key 'colour'");
    expect_error(with("\"name\": \"pace\"", "\"name\": \"voice\""),
                 "q.json: dimensions[1].name: duplicate dimension name 'voice' (also "
                 "dimensions[0])");
    expect_error(with(", \"system_pole\": \"Carefully\"", ""),
                 "q.json: dimensions[1]: missing 'system_pole'");
    expect_error(with("\"name\": \"pace\"", "\"name\": \"pace-of-change\""),
                 "q.json: dimensions[1].name: 'pace-of-change' is not a valid name (use "
                 "lower-case letters, digits and _, start with a letter, at most 48 characters)");
    /* Every statement of pace moved to voice: pace has none. */
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", tiny);
    for (char *p; (p = strstr(buf, "\"dimension\": \"pace\"")) != NULL;)
        memcpy(p, "\"dimension\":\"voice\"", 19);
    expect_error(buf, "q.json: dimensions[1]: dimension 'pace' has no statements");
    /* Both -1 statements of voice turned to +1. */
    snprintf(buf, sizeof buf, "%s",
             with("\"id\": \"b\", \"text\": \"B\", \"dimension\": \"voice\", \"polarity\": -1",
                  "\"id\": \"b\", \"text\": \"B\", \"dimension\": \"voice\", \"polarity\": 1"));
    char *d = strstr(buf, "\"id\": \"d\", \"text\": \"D\", \"dimension\": \"voice\", \"polarity\": -1");
    assert_non_null(d);
    memcpy(strstr(d, "-1"), " 1", 2);
    expect_error(buf, "q.json: dimensions[0]: dimension 'voice' has no statement with polarity "
                      "-1; each dimension needs statements toward both poles");
    expect_error(with("\"dimensions\": [", "\"dimensions\": [], \"x\": ["),
                 "q.json: unknown key 'x'");
}

static void test_err_grid(void **state)
{
    (void)state;
    expect_error(with("{\"value\": 1, \"count\": 2}", "{\"value\": 3, \"count\": 2}"),
                 "q.json: grid[3].value: +3 does not follow 0 (the columns must be consecutive "
                 "whole numbers in ascending order, e.g. -4 .. +4)");
    expect_error(with("{\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 2}, "
                      "{\"value\": 2, \"count\": 1}",
                      "{\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 3}"),
                 "q.json: grid[0].value: the grid runs -2 .. +1; it must be symmetric around 0 "
                 "(e.g. -4 .. +4)");
    expect_error(with("{\"value\": 1, \"count\": 2}", "{\"value\": 1, \"count\": 1}"),
                 "q.json: grid[3].count: column +1 holds 1 but column -1 holds 2; the grid must "
                 "be symmetric");
    expect_error(with("{\"value\": -2, \"count\": 1}, {\"value\": -1, \"count\": 2}, "
                      "{\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 2}, "
                      "{\"value\": 2, \"count\": 1}",
                      "{\"value\": -2, \"count\": 2}, {\"value\": -1, \"count\": 1}, "
                      "{\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 1}, "
                      "{\"value\": 2, \"count\": 2}"),
                 "q.json: grid[1].count: column -1 holds 1, fewer than column -2 (2); counts "
                 "must not fall toward the middle (a quasi-normal grid)");
    expect_error(with("{\"value\": 0, \"count\": 2}", "{\"value\": 0, \"count\": 1}"),
                 "q.json: grid[2].count: column 0 holds 1, fewer than column -1 (2); counts "
                 "must not fall toward the middle (a quasi-normal grid)");
    expect_error(with("{\"value\": 0, \"count\": 2}", "{\"value\": 0, \"count\": 4}"),
                 "q.json: grid: the columns hold 10 statements but there are 8; the counts "
                 "must add up to the number of statements");
    expect_error(with("{\"value\": 0, \"count\": 2}", "{\"value\": 0, \"count\": 0}"),
                 "q.json: grid[2].count: 0 is outside the allowed range 1..200");
    expect_error(with("{\"value\": 0, \"count\": 2}", "{\"value\": 0, \"count\": 2, \"label\": \"x\"}"),
                 "q.json: grid[2]: unknown key 'label'");
    expect_error(with("\"grid\": [{\"value\": -2, \"count\": 1}, {\"value\": -1, \"count\": 2}, "
                      "{\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 2}, "
                      "{\"value\": 2, \"count\": 1}]",
                      "\"grid\": [{\"value\": 0, \"count\": 8}]"),
                 "q.json: grid: a Q-set needs at least 3 columns, found 1");
    expect_error(with("{\"value\": 0, \"count\": 2}", "{\"value\": 0.5, \"count\": 2}"),
                 "q.json: grid[2].value: expected a whole number, found 0.5");
}

static void test_err_statements(void **state)
{
    (void)state;
    expect_error(with("\"id\": \"b\"", "\"id\": \"a\""),
                 "q.json: statements[1].id: duplicate statement id 'a' (also statements[0])");
    expect_error(with("\"id\": \"b\"", "\"id\": \"b c\""),
                 "q.json: statements[1].id: 'b c' is not a valid statement id (letters, digits, "
                 "'_', '.' or '-', starting with a letter or digit, at most 32 characters)");
    expect_error(with("\"dimension\": \"pace\"", "\"dimension\": \"speed\""),
                 "q.json: statements[4].dimension: 'speed' is not a declared dimension");
    expect_error(with("\"polarity\": -1", "\"polarity\": 2"),
                 "q.json: statements[1].polarity: 2 is not +1 or -1");
    expect_error(with("\"polarity\": -1", "\"polarity\": \"-1\""),
                 "q.json: statements[1].polarity: expected 1 or -1, found a string");
    expect_error(with(", \"polarity\": -1}", "}"),
                 "q.json: statements[1]: missing 'polarity' (+1: toward the lived-experience "
                 "pole, -1: toward the system pole)");
    expect_error(with("\"text\": \"A\"", "\"text\": \"A\", \"weight\": 2"),
                 "q.json: statements[0]: unknown key 'weight'");
    char big[700], text[760];
    memset(big, 'x', 501);
    big[501] = '\0';
    snprintf(text, sizeof text, "\"text\": \"%s\"", big);
    expect_error(with("\"text\": \"C\"", text),
                 "q.json: statements[2].text: 501 characters; the limit is 500");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_default),
        cmocka_unit_test(test_default_is_the_data_file),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_err_top_level),
        cmocka_unit_test(test_err_dimensions),
        cmocka_unit_test(test_err_grid),
        cmocka_unit_test(test_err_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
