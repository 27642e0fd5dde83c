/*
** test_qsortcsv.c — the Q-sort CSV reader: good files read into the
** column-major layout with values worked out by hand, and an exact message
** (file, line, column and reason) for every refusal, with the output left
** empty.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "io/qsortcsv.h"
#include "testlib.h"

static int parse(struct qsortcsv *q, const char *csv, duet_err *e)
{
    return qsortcsv_parse(q, csv, strlen(csv), "t.csv", e);
}

static void assert_empty(const struct qsortcsv *q)
{
    assert_int_equal(q->N, 0);
    assert_int_equal(q->n, 0);
    assert_null(q->x);
    assert_null(q->sort);
    assert_null(q->stmt);
    assert_null(q->line);
}

/* Parsing csv fails with code and exactly msg, leaving *q empty. */
static void refused(const char *csv, enum duet_errcode code, const char *msg)
{
    struct qsortcsv q;
    duet_err e;
    assert_int_equal(parse(&q, csv, &e), -1);
    assert_int_equal(e.code, code);
    assert_string_equal(e.msg, msg);
    assert_empty(&q);
    qsortcsv_free(&q);
}

/* A file of 2 sorts whose second statement's place in sort 'a' is cell. */
static void bad_cell(const char *cell, const char *msg)
{
    char csv[512];
    snprintf(csv, sizeof csv, "s,a,b\n1,0,1\n2,%s,0\n", cell);
    refused(csv, DUET_EINPUT, msg);
}

static void test_good_file(void **state)
{
    (void)state;
    /* statements (rows) x sorts (columns); blanks around a place, + signs,
    ** 1e0 and -0 are whole places */
    const char *csv = "statement,a,b,c\n"
                      "1,-1,+1,0\n"
                      "2,0,0,1e0\n"
                      "3, 1 ,-1,-1\n"
                      "4,0,\t0,-0\n";
    struct qsortcsv q;
    duet_err e;
    assert_int_equal(parse(&q, csv, &e), 0);
    assert_int_equal(q.N, 4);
    assert_int_equal(q.n, 3);
    assert_string_equal(q.sort[0], "a");
    assert_string_equal(q.sort[1], "b");
    assert_string_equal(q.sort[2], "c");
    const char *ids[] = {"1", "2", "3", "4"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(q.stmt[i], ids[i]);
        assert_int_equal(q.line[i], i + 2);
    }
    /* sort j's column of the file at x + j*N */
    const double want[3][4] = {{-1, 0, 1, 0}, {1, 0, -1, 0}, {0, 1, -1, 0}};
    for (size_t j = 0; j < 3; j++)
        for (size_t i = 0; i < 4; i++)
            assert_true(q.x[j * 4 + i] == want[j][i]);
    qsortcsv_free(&q);
    assert_empty(&q);
    qsortcsv_free(&q);   /* twice is safe */
    qsortcsv_free(NULL);
}

static void test_quoted_ids_crlf_bom_and_lines(void **state)
{
    (void)state;
    /* a BOM, CRLF endings, a quoted id with a comma and one with a line break
    ** (so the next row starts two lines further on), quoted sort names */
    const char *csv = "\xEF\xBB\xBFid,\"ana, 1\",bo\r\n"
                      "\"s, one\",2,-2\r\n"
                      "\"two\nlines\",-2,2\r\n"
                      "3,0,0\r\n";
    struct qsortcsv q;
    duet_err e;
    assert_int_equal(parse(&q, csv, &e), 0);
    assert_int_equal(q.N, 3);
    assert_int_equal(q.n, 2);
    assert_string_equal(q.sort[0], "ana, 1");
    assert_string_equal(q.sort[1], "bo");
    assert_string_equal(q.stmt[0], "s, one");
    assert_string_equal(q.stmt[1], "two\nlines");
    assert_string_equal(q.stmt[2], "3");
    assert_int_equal(q.line[0], 2);
    assert_int_equal(q.line[1], 3);
    assert_int_equal(q.line[2], 5);
    assert_true(q.x[0] == 2 && q.x[1] == -2 && q.x[2] == 0);
    assert_true(q.x[3] == -2 && q.x[4] == 2 && q.x[5] == 0);
    qsortcsv_free(&q);
}

static void test_header_refusals(void **state)
{
    (void)state;
    refused("", DUET_EINPUT,
            "t.csv: the file is empty; expected a header line 'statement,SORT,SORT,...'");
    refused("statement\n1\n", DUET_EINPUT,
            "t.csv:1: the header has 1 column; expected the statement column, then one column "
            "per sort (at least two)");
    refused("statement,a\n1,0\n", DUET_EINPUT,
            "t.csv:1: the header has 2 columns; expected the statement column, then one column "
            "per sort (at least two)");
    refused("s,a,,c\n1,0,0,0\n", DUET_EINPUT,
            "t.csv:1: header column 3 has no name; name the sort or delete the column");
    refused("s,a,b,a\n1,0,0,0\n", DUET_EINPUT,
            "t.csv:1: sort 'a' appears twice in the header (columns 2 and 4); give each sort "
            "its own name");
    refused("s,a,b\n", DUET_EINPUT, "t.csv: no statements: the file has a header but no rows");
    refused("s,a\"b,c\n", DUET_EINPUT,
            "t.csv:1: column 2: a quote (\") inside an unquoted field (at offset 1); enclose "
            "the whole field in quotes and write the quote as \"\"");
}

static void test_row_refusals(void **state)
{
    (void)state;
    refused("s,a,b\n1,0,1\n,1,0\n", DUET_EINPUT,
            "t.csv:3: column 'statement': the statement has no id; give each statement an id "
            "(e.g. its number)");
    refused("s,a,b\n1,0,1\n2,1,0\n1,0,0\n", DUET_EINPUT,
            "t.csv:4: statement '1' appears twice (lines 2 and 4); give each statement its own "
            "id");
    refused("s,a,b\n1,0,1\n2,1,0,3\n", DUET_EINPUT, "t.csv:3: expected 3 columns, found 4");
    refused("s,a,b\n1,0,1\n2,1\n", DUET_EINPUT, "t.csv:3: expected 3 columns, found 2");
    refused("s,a,b\n1,0,1\n2,\xff,0\n", DUET_EINPUT,
            "t.csv:3: column 'a': invalid UTF-8 (byte 0xff at offset 0 of the field)");
    /* the message names the sort of the bad cell */
    refused("s,a,b\n1,0,x\n", DUET_EINPUT,
            "t.csv:2: column 'b': 'x' is not a number; give the statement's place in the "
            "sort, e.g. -2 or +3");
}

static void test_cell_refusals(void **state)
{
    (void)state;
    const char *none = "t.csv:3: column 'a': no value; every statement needs a place in every sort";
    bad_cell("", none);
    bad_cell(" \t ", none);
    bad_cell("NA", none);
    bad_cell("na", none);
    bad_cell(".", none);
    bad_cell("x", "t.csv:3: column 'a': 'x' is not a number; give the statement's place in the "
                  "sort, e.g. -2 or +3");
    bad_cell("1e", "t.csv:3: column 'a': '1e' is not a number; give the statement's place in "
                   "the sort, e.g. -2 or +3");
    bad_cell("1e400", "t.csv:3: column 'a': '1e400' is not a number; give the statement's place "
                      "in the sort, e.g. -2 or +3");
    bad_cell("inf", "t.csv:3: column 'a': 'inf' is not a number; give the statement's place in "
                    "the sort, e.g. -2 or +3");
    bad_cell("\"1\"\"\"", "t.csv:3: column 'a': '1\"' is not a number; give the statement's "
                          "place in the sort, e.g. -2 or +3");
    bad_cell("1.5", "t.csv:3: column 'a': '1.5' is not a whole number; a sort holds grid places "
                    "such as -4 .. +4");
    bad_cell("-0.25", "t.csv:3: column 'a': '-0.25' is not a whole number; a sort holds grid "
                      "places such as -4 .. +4");
    bad_cell("1000001", "t.csv:3: column 'a': '1000001' is too far from 0 for a grid place (at "
                        "most 1000000 either way)");
    bad_cell("-2e6", "t.csv:3: column 'a': '-2e6' is too far from 0 for a grid place (at most "
                     "1000000 either way)");
    /* a long cell is quoted to its first 64 bytes */
    char cell[80], msg[300];
    memset(cell, 'x', 70);
    cell[70] = '\0';
    snprintf(msg, sizeof msg, "t.csv:3: column 'a': '%.64s...' is not a number; give the "
             "statement's place in the sort, e.g. -2 or +3", cell);
    bad_cell(cell, msg);
    /* the bound itself is a place */
    struct qsortcsv q;
    duet_err e;
    assert_int_equal(parse(&q, "s,a,b\n1,1000000,-1000000\n", &e), 0);
    assert_true(q.x[0] == 1000000 && q.x[1] == -1000000);
    qsortcsv_free(&q);
}

static void test_limits(void **state)
{
    (void)state;
    /* 2000 statements are read, 2001 are refused at the 2001st row (line 2002) */
    duet_buf b;
    buf_init(&b, (size_t)16 << 20);
    assert_int_equal(buf_append(&b, "s,a,b\n", 6), 0);
    for (int i = 1; i <= QSORTCSV_MAX_STATEMENTS; i++)
        assert_int_equal(buf_printf(&b, "%d,0,1\n", i), 0);
    struct qsortcsv q;
    duet_err e;
    assert_int_equal(qsortcsv_parse(&q, b.data, b.len, "t.csv", &e), 0);
    assert_int_equal(q.N, 2000);
    assert_int_equal(q.line[1999], 2001);
    qsortcsv_free(&q);
    assert_int_equal(buf_printf(&b, "2001,0,1\n"), 0);
    assert_int_equal(qsortcsv_parse(&q, b.data, b.len, "t.csv", &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, "t.csv:2002: more than 2000 statements; a Q-set this large is "
                               "not supported");
    assert_empty(&q);
    buf_free(&b);

    /* 100000 sorts (100001 columns) are the most a header may have */
    buf_init(&b, (size_t)16 << 20);
    assert_int_equal(buf_append(&b, "s", 1), 0);
    for (int j = 1; j <= QSORTCSV_MAX_SORTS + 1; j++)
        assert_int_equal(buf_printf(&b, ",s%d", j), 0);
    assert_int_equal(buf_append(&b, "\n", 1), 0);
    assert_int_equal(qsortcsv_parse(&q, b.data, b.len, "t.csv", &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, "t.csv:1: more than 100001 columns in one record (the limit); "
                               "is the file really comma-separated?");
    assert_empty(&q);
    buf_free(&b);
}

static void test_read_file(void **state)
{
    (void)state;
    char path[64];
    const char *csv = "s,a,b\n1,-1,1\n2,1,-1\n3,0,0\n";
    assert_int_equal(tl_temp_file(path, sizeof path, "qsortcsv", "", csv, strlen(csv)), 0);
    struct qsortcsv q;
    duet_err e;
    assert_int_equal(qsortcsv_read(&q, path, &e), 0);
    assert_int_equal(q.N, 3);
    assert_int_equal(q.n, 2);
    assert_true(q.x[0] == -1 && q.x[1] == 1 && q.x[2] == 0);
    assert_true(q.x[3] == 1 && q.x[4] == -1 && q.x[5] == 0);
    qsortcsv_free(&q);

    /* messages name the file by the path given */
    csv = "s,a,b\n1,-1,1\n2,one,-1\n";
    assert_int_equal(tl_write_file(path, csv, strlen(csv)), 0);
    char want[256];
    snprintf(want, sizeof want, "%s:3: column 'a': 'one' is not a number; give the statement's "
             "place in the sort, e.g. -2 or +3", path);
    assert_int_equal(qsortcsv_read(&q, path, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, want);
    assert_empty(&q);
    unlink(path);

    assert_int_equal(qsortcsv_read(&q, path, &e), -1);
    assert_int_equal(e.code, DUET_EIO);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    assert_string_equal(e.msg, want);
    assert_empty(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_quoted_ids_crlf_bom_and_lines),
        cmocka_unit_test(test_header_refusals),
        cmocka_unit_test(test_row_refusals),
        cmocka_unit_test(test_cell_refusals),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
