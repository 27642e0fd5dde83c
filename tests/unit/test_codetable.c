/*
** test_codetable.c — the coding table reader: numbers and label codes
** worked out by hand, missing cells, text cells kept for the caller's
** message, and an exact message (file, line, column and reason) for every
** refusal, with the output left empty.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "io/codetable.h"
#include "testlib.h"

static int parse(struct codetable *t, const char *csv, duet_err *e)
{
    return codetable_parse(t, csv, strlen(csv), "t.csv", e);
}

static void assert_empty(const struct codetable *t)
{
    assert_null(t->name);
    assert_int_equal(t->nu, 0);
    assert_int_equal(t->nc, 0);
    assert_null(t->num);
    assert_null(t->lab);
    assert_null(t->coder);
    assert_int_equal(t->nlabels, 0);
    assert_int_equal(t->text_line, 0);
}

/* Parsing csv fails with code and exactly msg, leaving *t empty. */
static void refused(const char *csv, enum duet_errcode code, const char *msg)
{
    struct codetable t;
    duet_err e;
    assert_int_equal(parse(&t, csv, &e), -1);
    assert_int_equal(e.code, code);
    assert_string_equal(e.msg, msg);
    assert_empty(&t);
    codetable_free(&t);
}

/* want[k] equals got[k] for k < n, NaN matching NaN. */
static void assert_values(const double *got, const double *want, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (isnan(want[k]))
            assert_true(isnan(got[k]));
        else
            assert_true(got[k] == want[k]);
    }
}

static void test_numbers(void **state)
{
    (void)state;
    /* blanks around a value are ignored; an empty cell is missing */
    const char *csv = "unit,a,b,c\n"
                      "1,1,1,2\n"
                      "2,2,2,2\n"
                      "3,1,,1\n"
                      "4, 3 ,3,\t1\n";
    struct codetable t;
    duet_err e;
    assert_int_equal(parse(&t, csv, &e), 0);
    assert_string_equal(t.name, "t.csv");
    assert_int_equal(t.nu, 4);
    assert_int_equal(t.nc, 3);
    assert_string_equal(t.coder[0], "a");
    assert_string_equal(t.coder[1], "b");
    assert_string_equal(t.coder[2], "c");
    /* row-major, unit by unit */
    const double num[] = {1, 1, 2, 2, 2, 2, 1, NAN, 1, 3, 3, 1};
    /* labels by first appearance of the text: "1" 0, "2" 1, "3" 2 */
    const double lab[] = {0, 0, 1, 1, 1, 1, 0, NAN, 0, 2, 2, 0};
    assert_values(t.num, num, 12);
    assert_values(t.lab, lab, 12);
    assert_int_equal(t.nlabels, 3);
    assert_int_equal(t.text_line, 0);
    /* every cell a number: numbers for both kinds of statistic */
    assert_ptr_equal(codetable_values(&t), t.num);
    assert_ptr_equal(codetable_numbers(&t, "unused", &e), t.num);
    codetable_free(&t);
    assert_empty(&t);
    codetable_free(&t);   /* twice is safe */
    codetable_free(NULL);
}

static void test_number_spellings(void **state)
{
    (void)state;
    /* "1" and "1.0" are one number but two labels; -0.5, +2 and 1e1 are numbers */
    const char *csv = "u,a,b\n"
                      "x,1,1.0\n"
                      "y,-0.5,+2\n"
                      "z,1e1,1\n";
    struct codetable t;
    duet_err e;
    assert_int_equal(parse(&t, csv, &e), 0);
    const double num[] = {1, 1, -0.5, 2, 10, 1};
    const double lab[] = {0, 1, 2, 3, 4, 0};
    assert_values(t.num, num, 6);
    assert_values(t.lab, lab, 6);
    assert_int_equal(t.nlabels, 5);
    assert_int_equal(t.text_line, 0);
    codetable_free(&t);
}

static void test_text_labels(void **state)
{
    (void)state;
    const char *csv = "u,a,b\n"
                      "1,1,1\n"
                      "2,x,y\n"
                      "3,2,\n"
                      "4,y,y\n";
    struct codetable t;
    duet_err e;
    assert_int_equal(parse(&t, csv, &e), 0);
    assert_int_equal(t.nu, 4);
    const double num[] = {1, 1, NAN, NAN, 2, NAN, NAN, NAN};
    /* "1" 0, "x" 1, "y" 2, "2" 3 */
    const double lab[] = {0, 0, 1, 2, 3, NAN, 2, 2};
    assert_values(t.num, num, 8);
    assert_values(t.lab, lab, 8);
    assert_int_equal(t.nlabels, 4);
    /* the first text cell is remembered, not refused */
    assert_int_equal(t.text_line, 3);
    assert_int_equal(t.text_col, 1);
    assert_string_equal(t.text, "x");
    assert_ptr_equal(codetable_values(&t), t.lab);
    assert_null(codetable_numbers(&t, "--level interval needs numbers", &e));
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, "t.csv:3: column 'a': 'x' is not a number; --level interval "
                               "needs numbers");
    codetable_free(&t);

    /* the second coder's column, a non-finite number, a long cell cut at 64 bytes */
    assert_int_equal(parse(&t, "u,a,b\n1,1,1e400\n2,inf,nan\n", &e), 0);
    assert_int_equal(t.text_line, 2);
    assert_int_equal(t.text_col, 2);
    assert_string_equal(t.text, "1e400");
    assert_null(codetable_numbers(&t, "WHY", &e));
    assert_string_equal(e.msg, "t.csv:2: column 'b': '1e400' is not a number; WHY");
    codetable_free(&t);
    char csv2[256], want[64 + 4];
    memset(want, 'x', 64);
    strcpy(want + 64, "...");
    snprintf(csv2, sizeof csv2, "u,a,b\n1,%.64sxxxxxx,1\n", want);
    assert_int_equal(parse(&t, csv2, &e), 0);
    assert_string_equal(t.text, want);
    codetable_free(&t);
}

static void test_header_refusals(void **state)
{
    (void)state;
    refused("", DUET_EINPUT,
            "t.csv: the file is empty; expected a header line 'unit,CODER,CODER,...'");
    refused("unit\n1\n", DUET_EINPUT,
            "t.csv:1: the header has 1 column; expected the unit column, then one column per "
            "coder (at least two)");
    refused("unit,a\n1,0\n", DUET_EINPUT,
            "t.csv:1: the header has 2 columns; expected the unit column, then one column per "
            "coder (at least two)");
    refused("u,a,,c\n1,0,0,0\n", DUET_EINPUT,
            "t.csv:1: header column 3 has no name; name the coder or delete the column");
    refused("u,a,b,a\n1,0,0,0\n", DUET_EINPUT,
            "t.csv:1: coder 'a' appears twice in the header (columns 2 and 4); give each coder "
            "its own name");
    refused("u,a,b\n", DUET_EINPUT, "t.csv: no units: the file has a header but no rows");
    refused("u,\"a\"b,c\n", DUET_EINPUT,
            "t.csv:1: column 2: unexpected 'b' after the closing quote; a quoted field must "
            "end at a comma or the end of the line (write a quote inside it as \"\")");
}

static void test_row_refusals(void **state)
{
    (void)state;
    refused("u,a,b\n1,0,1\n  ,1,0\n", DUET_EINPUT,
            "t.csv:3: column 'unit': the unit has no id; give each unit an id (e.g. its "
            "number)");
    /* ids are compared without the blanks around them */
    refused("u,a,b\n1,0,1\n2,1,0\n 1 ,0,0\n", DUET_EINPUT,
            "t.csv:4: unit '1' appears twice (lines 2 and 4); give each unit its own id");
    refused("u,a,b\n1,0,1\n2,1,0,3\n", DUET_EINPUT, "t.csv:3: expected 3 columns, found 4");
    refused("u,a,b\n1,0,1\n2\n", DUET_EINPUT, "t.csv:3: expected 3 columns, found 1");
    refused("u,a,b\n1,0,\xc3\n", DUET_EINPUT,
            "t.csv:2: column 'b': invalid UTF-8 (byte 0xc3 at offset 0 of the field)");
}

static void test_limits(void **state)
{
    (void)state;
    /* 10000 coders (10001 columns) are the most a header may have */
    duet_buf b;
    buf_init(&b, (size_t)1 << 20);
    assert_int_equal(buf_append(&b, "u", 1), 0);
    for (int j = 1; j <= CODETABLE_MAX_CODERS; j++)
        assert_int_equal(buf_printf(&b, ",c%d", j), 0);
    assert_int_equal(buf_append(&b, "\n1", 2), 0);
    for (int j = 1; j <= CODETABLE_MAX_CODERS; j++)
        assert_int_equal(buf_append(&b, ",1", 2), 0);
    assert_int_equal(buf_append(&b, "\n", 1), 0);
    struct codetable t;
    duet_err e;
    assert_int_equal(codetable_parse(&t, b.data, b.len, "t.csv", &e), 0);
    assert_int_equal(t.nc, 10000);
    assert_string_equal(t.coder[9999], "c10000");
    codetable_free(&t);
    buf_reset(&b);
    assert_int_equal(buf_append(&b, "u", 1), 0);
    for (int j = 1; j <= CODETABLE_MAX_CODERS + 1; j++)
        assert_int_equal(buf_printf(&b, ",c%d", j), 0);
    assert_int_equal(buf_append(&b, "\n", 1), 0);
    assert_int_equal(codetable_parse(&t, b.data, b.len, "t.csv", &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, "t.csv:1: more than 10001 columns in one record (the limit); "
                               "is the file really comma-separated?");
    assert_empty(&t);
    buf_free(&b);
}

static void test_read_file(void **state)
{
    (void)state;
    char path[64];
    const char *csv = "u,a,b\n1,lo,hi\n2,hi,hi\n";
    assert_int_equal(tl_temp_file(path, sizeof path, "codetable", "", csv, strlen(csv)), 0);
    struct codetable t;
    duet_err e;
    assert_int_equal(codetable_read(&t, path, &e), 0);
    assert_string_equal(t.name, path);
    assert_int_equal(t.nu, 2);
    const double lab[] = {0, 1, 1, 1};
    assert_values(t.lab, lab, 4);
    char want[256];
    snprintf(want, sizeof want, "%s:2: column 'a': 'lo' is not a number; kappa needs them",
             path);
    assert_null(codetable_numbers(&t, "kappa needs them", &e));
    assert_string_equal(e.msg, want);
    codetable_free(&t);

    csv = "u,a,b\n1,0,1\n1,1,1\n";
    assert_int_equal(tl_write_file(path, csv, strlen(csv)), 0);
    assert_int_equal(codetable_read(&t, path, &e), -1);
    snprintf(want, sizeof want, "%s:3: unit '1' appears twice (lines 2 and 3); give each unit "
             "its own id", path);
    assert_string_equal(e.msg, want);
    assert_empty(&t);
    unlink(path);

    assert_int_equal(codetable_read(&t, path, &e), -1);
    assert_int_equal(e.code, DUET_EIO);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    assert_string_equal(e.msg, want);
    assert_empty(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_spellings),
        cmocka_unit_test(test_text_labels),
        cmocka_unit_test(test_header_refusals),
        cmocka_unit_test(test_row_refusals),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
