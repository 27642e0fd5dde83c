/*
** test_table.c — the numeric table reader: cells to numbers, the spellings of
** missing, text columns, column selection, and an exact message for every
** refusal (file, line, column and reason).
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

#include "core/err.h"
#include "io/table.h"
#include "testlib.h"

static int parse(struct table *t, const char *csv, const struct table_opts *o, duet_err *e)
{
    return table_parse(t, csv, strlen(csv), "t.csv", o, e);
}

/* Parsing csv fails with code and exactly msg. */
static void refused(const char *csv, const struct table_opts *o, enum duet_errcode code,
                    const char *msg)
{
    struct table t;
    duet_err e;
    assert_int_equal(parse(&t, csv, o, &e), -1);
    assert_int_equal(e.code, code);
    assert_string_equal(e.msg, msg);
    table_free(&t);
}

/* The message table_numeric gives for a one-column file "v\n<cell>\n", or "" when
** the cell is a number (then *v holds it). */
static const char *numeric_msg(const char *cell, double *v)
{
    static duet_err e;
    char csv[512];
    snprintf(csv, sizeof csv, "v\n%s\n", cell);
    struct table t;
    assert_int_equal(parse(&t, csv, NULL, &e), 0);
    assert_int_equal(t.nrows, 1);
    if (table_numeric(&t, 0, &e) == 0)
        e.msg[0] = '\0';
    *v = table_num(&t, 0, 0);
    table_free(&t);
    return e.msg;
}

static void test_numbers_missing_and_text(void **state)
{
    (void)state;
    const char *csv = "id,score,side\n"
                      "1,3.5,patient\n"
                      "2, 4 ,system\n"
                      "3,NA,  patient \n"
                      "4,.,\n"
                      "5,,na\n"
                      "6,na,\"a, b\"\n";
    const char *const text[] = {"side"};
    struct table_opts o = {.text = text, .ntext = 1};
    struct table t;
    duet_err e;
    assert_int_equal(parse(&t, csv, &o, &e), 0);
    assert_int_equal(t.nrows, 6);
    assert_int_equal(t.ncols, 3);
    size_t id, score, side;
    assert_int_equal(table_col(&t, "id", &id, &e), 0);
    assert_int_equal(table_col(&t, "score", &score, &e), 0);
    assert_int_equal(table_col(&t, "side", &side, &e), 0);
    assert_int_equal(id, 0);
    assert_int_equal(side, 2);
    assert_int_equal(table_numeric(&t, id, &e), 0);
    assert_int_equal(table_numeric(&t, score, &e), 0);
    assert_true(table_num(&t, score, 0) == 3.5);
    assert_true(table_num(&t, score, 1) == 4.0);   /* spaces around a number are ignored */
    for (size_t r = 2; r < 6; r++)
        assert_true(isnan(table_num(&t, score, r)));
    assert_int_equal(t.cols[score].nmissing, 4);
    assert_int_equal(t.cols[score].nbad, 0);
    /* Text is kept as written (spaces too); the missing spellings are NULL. */
    assert_string_equal(table_str(&t, side, 0), "patient");
    assert_string_equal(table_str(&t, side, 2), "  patient ");
    assert_null(table_str(&t, side, 3));
    assert_null(table_str(&t, side, 4));
    assert_string_equal(table_str(&t, side, 5), "a, b");
    assert_int_equal(t.cols[side].nmissing, 2);
    assert_true(isnan(table_num(&t, side, 0)));
    assert_null(table_str(&t, score, 0));
    assert_int_equal(table_line(&t, 0), 2);
    assert_int_equal(table_line(&t, 5), 7);
    assert_int_equal(table_numeric(&t, side, &e), -1);
    assert_string_equal(e.msg, "t.csv: column 'side' was read as text, not numbers");
    table_free(&t);
}

static void test_categorical_column_is_refused_with_advice(void **state)
{
    (void)state;
    const char *csv = "y,side\n"
                      "1,patient\n"
                      "2,0\n"
                      "3,system\n"
                      "4,NA\n"
                      "5,patient\n";
    struct table t;
    duet_err e;
    assert_int_equal(parse(&t, csv, NULL, &e), 0);
    assert_int_equal(t.cols[1].nbad, 3);
    assert_int_equal(t.cols[1].nmissing, 1);
    assert_true(table_num(&t, 1, 1) == 0.0);
    assert_true(isnan(table_num(&t, 1, 0)));
    assert_int_equal(table_numeric(&t, 0, &e), 0);
    assert_int_equal(table_numeric(&t, 1, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, "t.csv:2: column 'side' is not numeric ('patient'; 2 more cells "
                               "in it are not numbers either); code it as numbers (e.g. 0/1) "
                               "or leave it out");
    table_free(&t);
    /* One bad cell: no count. */
    assert_int_equal(parse(&t, "a\n1\n\nyes\n", NULL, &e), 0);
    assert_int_equal(t.nrows, 3);   /* a blank line inside the file is an empty cell */
    assert_int_equal(table_numeric(&t, 0, &e), -1);
    assert_string_equal(e.msg, "t.csv:4: column 'a' is not numeric ('yes'); code it as numbers "
                               "(e.g. 0/1) or leave it out");
    table_free(&t);
}

static void test_number_syntax(void **state)
{
    (void)state;
    double v;
    static const struct { const char *cell; double want; } ok[] = {
        {"0", 0}, {"-0.5", -0.5}, {"+2", 2}, {".5", 0.5}, {"5.", 5}, {"1e3", 1000},
        {"1E-2", 0.01}, {"\" \t7\t\"", 7}, {"007", 7}, {"-1.25e+2", -125},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_string_equal(numeric_msg(ok[i].cell, &v), "");
        assert_true(v == ok[i].want);
    }
    /* Underflow is a (tiny) number, not an error. */
    assert_string_equal(numeric_msg("1e-400", &v), "");
    assert_true(v >= 0.0 && v < 1e-300);
    static const char *const words[] = {"inf", "-Infinity", "nan", "NaN", "0x10", "1e", "e5",
                                        "--1", "1.2.3", ".", "+", "1 2", "N/A", "TRUE"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const char *m = numeric_msg(words[i], &v);
        if (strcmp(words[i], ".") == 0) {   /* "." is a spelling of missing */
            assert_string_equal(m, "");
            assert_true(isnan(v));
            continue;
        }
        char want[256];
        snprintf(want, sizeof want, "t.csv:2: column 'v' is not numeric ('%s'); code it as "
                 "numbers (e.g. 0/1) or leave it out", words[i]);
        assert_string_equal(m, want);
        assert_true(isnan(v));
    }
    assert_string_equal(numeric_msg("\"3,5\"", &v),
                        "t.csv:2: column 'v': '3,5' has a decimal comma; write decimals with "
                        "a point (3.5) and no thousands separators");
    assert_string_equal(numeric_msg("1e999", &v),
                        "t.csv:2: column 'v': '1e999' is out of range for a number; correct "
                        "it, or mark it missing (NA)");
    assert_string_equal(numeric_msg("-1e309", &v),
                        "t.csv:2: column 'v': '-1e309' is out of range for a number; correct "
                        "it, or mark it missing (NA)");
}

static void test_bad_cell_is_cut_and_kept_on_one_line(void **state)
{
    (void)state;
    double v;
    char cell[200], want[400];
    memset(cell, 'x', 100);
    cell[100] = '\0';
    snprintf(want, sizeof want, "t.csv:2: column 'v' is not numeric ('%.64s…'); code it as "
             "numbers (e.g. 0/1) or leave it out", cell);
    assert_string_equal(numeric_msg(cell, &v), want);
    /* 40 two-byte characters: cut at 64 bytes, i.e. after 32 whole characters. */
    cell[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(cell, "\xC3\xA9");
    snprintf(want, sizeof want, "t.csv:2: column 'v' is not numeric ('%.64s…'); code it as "
             "numbers (e.g. 0/1) or leave it out", cell);
    assert_string_equal(numeric_msg(cell, &v), want);
    assert_string_equal(numeric_msg("\"two\nlines\"", &v),
                        "t.csv:2: column 'v' is not numeric ('two lines'); code it as numbers "
                        "(e.g. 0/1) or leave it out");
}

static void test_selected_columns(void **state)
{
    (void)state;
    /* Unloaded columns may hold anything, even a duplicate or empty name. */
    const char *csv = "note,y,,g,y2,note\n"
                      "hello,1,x,a,5,bye\n"
                      "\"multi\nline\",2,y,b,6,\n";
    const char *const cols[] = {"y", "y2"};
    const char *const text[] = {"g"};
    struct table_opts o = {.columns = cols, .ncolumns = 2, .text = text, .ntext = 1};
    struct table t;
    duet_err e;
    assert_int_equal(parse(&t, csv, &o, &e), 0);
    assert_int_equal(t.ncols, 3);   /* y, g, y2 in the file's order */
    assert_string_equal(t.cols[0].name, "y");
    assert_string_equal(t.cols[1].name, "g");
    assert_string_equal(t.cols[2].name, "y2");
    assert_int_equal(t.nrows, 2);
    assert_int_equal(table_line(&t, 1), 3);
    assert_true(table_num(&t, 2, 1) == 6.0);
    assert_string_equal(table_str(&t, 1, 1), "b");
    size_t c;
    assert_int_equal(table_col(&t, "note", &c, &e), -1);
    assert_int_equal(e.code, DUET_ENOTFOUND);
    assert_string_equal(e.msg, "t.csv: no column 'note' (the columns are: 'y', 'g', 'y2')");
    table_free(&t);
    /* Rows after a quoted line break keep their physical line numbers. */
    assert_int_equal(parse(&t, "a,b\n1,\"x\ny\"\n2,3\n", NULL, &e), 0);
    assert_int_equal(table_line(&t, 0), 2);
    assert_int_equal(table_line(&t, 1), 4);
    table_free(&t);
}

static void test_header_refusals(void **state)
{
    (void)state;
    const char *const scor[] = {"scor"};
    struct table_opts o = {.columns = scor, .ncolumns = 1};
    refused("id,score,side\n1,2,3\n", &o, DUET_ENOTFOUND,
            "t.csv: no column 'scor' (the columns are: 'id', 'score', 'side')");
    struct table_opts ot = {.text = scor, .ntext = 1};
    refused("id,score,side\n1,2,3\n", &ot, DUET_ENOTFOUND,
            "t.csv: no column 'scor' (the columns are: 'id', 'score', 'side')");
    refused("a,b,a\n1,2,3\n", NULL, DUET_EINPUT,
            "t.csv:1: column 'a' appears twice in the header (columns 1 and 3); rename one");
    refused("a,,c\n1,2,3\n", NULL, DUET_EINPUT,
            "t.csv:1: header column 2 has no name; name it or delete the column");
    refused("", NULL, DUET_EINPUT,
            "t.csv: the file is empty; expected a header line with the column names");
    refused("a,b\n1,2\n3\n", NULL, DUET_EINPUT, "t.csv:3: expected 2 columns, found 1");
    refused("a,b\n1,2\n3,\"4\n", NULL, DUET_EINPUT,
            "t.csv:3: column 'b': a quoted field is not closed (it runs to the end of the file)");
    /* 1025 columns: over the cap. */
    char *wide = malloc(1025 * 6 + 2);
    size_t n = 0;
    for (int i = 0; i < 1025; i++)
        n += (size_t)sprintf(wide + n, "%sc%d", i ? "," : "", i);
    strcpy(wide + n, "\n");
    struct table t;
    duet_err e;
    assert_int_equal(parse(&t, wide, NULL, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_non_null(strstr(e.msg, "more than 1024 columns"));
    table_free(&t);
    /* 1024 columns are fine. */
    *strrchr(wide, ',') = '\0';
    strcat(wide, "\n");
    assert_int_equal(parse(&t, wide, NULL, &e), 0);
    assert_int_equal(t.ncols, 1024);
    assert_int_equal(t.nrows, 0);
    table_free(&t);
    free(wide);
}

static void test_header_only_bom_and_crlf(void **state)
{
    (void)state;
    struct table t;
    duet_err e;
    assert_int_equal(parse(&t, "a,b\n", NULL, &e), 0);
    assert_int_equal(t.nrows, 0);
    assert_int_equal(t.ncols, 2);
    table_free(&t);
    assert_int_equal(parse(&t, "\xEF\xBB\xBFy,x\r\n1,2\r\n3,4", NULL, &e), 0);
    size_t y;
    assert_int_equal(table_col(&t, "y", &y, &e), 0);   /* the BOM is not part of the name */
    assert_int_equal(t.nrows, 2);
    assert_true(table_num(&t, y, 1) == 3.0);
    table_free(&t);
    table_free(&t);   /* safe twice */
}

static void test_read_file_and_cap(void **state)
{
    (void)state;
    char path[64];
    const char *csv = "y,x\n1,2\n3,4\n";
    assert_int_equal(tl_temp_file(path, sizeof path, "table", "", csv, strlen(csv)), 0);
    struct table t;
    duet_err e;
    assert_int_equal(table_read(&t, path, NULL, &e), 0);
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.name, path);
    table_free(&t);
    struct table_opts o = {.max_bytes = 8};
    assert_int_equal(table_read(&t, path, &o, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    table_free(&t);
    unlink(path);
    assert_int_equal(table_read(&t, path, NULL, &e), -1);
    assert_int_equal(e.code, DUET_EIO);
    assert_non_null(strstr(e.msg, path));
    table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_missing_and_text),
        cmocka_unit_test(test_categorical_column_is_refused_with_advice),
        cmocka_unit_test(test_number_syntax),
        cmocka_unit_test(test_bad_cell_is_cut_and_kept_on_one_line),
        cmocka_unit_test(test_selected_columns),
        cmocka_unit_test(test_header_refusals),
        cmocka_unit_test(test_header_only_bom_and_crlf),
        cmocka_unit_test(test_read_file_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
