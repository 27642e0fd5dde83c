/*
** test_csv.c — the CSV reader and writer against hand-written inputs, with
** exact expected fields, line numbers and messages.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "io/csv.h"
#include "testlib.h"

/* Reads every record of s (n bytes) and renders them as
** "LINE:[f1|f2]\n..."; on error appends "ERR:<message>". */
static char *render_n(const char *s, size_t n, size_t ncols)
{
    csv_reader r;
    csv_record rec;
    duet_err e;
    duet_buf out;
    int rc;
    buf_init(&out, 1 << 24);
    csv_reader_init(&r, s, n, "t.csv");
    csv_set_columns(&r, ncols);
    while ((rc = csv_next(&r, &rec, &e)) == 1) {
        buf_printf(&out, "%zu:[", rec.line);
        for (size_t k = 0; k < rec.nfields; k++) {
            if (k > 0)
                buf_putc(&out, '|');
            buf_append(&out, rec.fields[k].p, rec.fields[k].n);
        }
        buf_puts(&out, "]\n");
    }
    if (rc < 0)
        buf_printf(&out, "ERR:%s", e.msg);
    csv_reader_free(&r);
    buf_putc(&out, '\0');
    return buf_take(&out);
}

static char *render(const char *s)
{
    return render_n(s, strlen(s), 0);
}

#define CHECK(input, expected) do {              \
        char *got_ = render(input);              \
        assert_string_equal(got_, expected);     \
        free(got_);                              \
    } while (0)

#define CHECK_N(input, len, ncols, expected) do {       \
        char *got_ = render_n(input, len, ncols);       \
        assert_string_equal(got_, expected);            \
        free(got_);                                     \
    } while (0)

/* ---- accepted input ---- */

static void test_lf_and_crlf(void **state)
{
    (void)state;
    CHECK("a,b,c\nd,e,f\n", "1:[a|b|c]\n2:[d|e|f]\n");
    CHECK("a,b,c\r\nd,e,f\r\n", "1:[a|b|c]\n2:[d|e|f]\n");
    CHECK("a,b\r\nc,d\ne,f", "1:[a|b]\n2:[c|d]\n3:[e|f]\n");
}

static void test_bom_skipped(void **state)
{
    (void)state;
    CHECK("\xEF\xBB\xBFname,value\nx,1\n", "1:[name|value]\n2:[x|1]\n");
    CHECK("\xEF\xBB\xBF", "");
    CHECK("", "");
}

static void test_final_record_and_blank_lines(void **state)
{
    (void)state;
    CHECK("a,b\nc,d", "1:[a|b]\n2:[c|d]\n");
    CHECK("a,b\n\n", "1:[a|b]\n");
    CHECK("a,b\r\n\r\n\n", "1:[a|b]\n");
    CHECK("\n\n", "");
    /* A blank line in the middle is a record of one empty field... */
    CHECK("a,b\n\nc,d\n", "1:[a|b]\n2:[]\n3:[c|d]\n");
    /* ...which a reader that knows the column count refuses clearly. */
    CHECK_N("a,b\n\nc,d\n", 9, 2, "1:[a|b]\nERR:t.csv:2: blank line (expected 2 columns); delete it");
}

static void test_empty_fields(void **state)
{
    (void)state;
    CHECK("a,,b,\n", "1:[a||b|]\n");
    CHECK(",\n", "1:[|]\n");
    CHECK("\"\"\n", "1:[]\n");
    CHECK("\"\",\"\"", "1:[|]\n");
    CHECK(" a , b \n", "1:[ a | b ]\n");   /* spaces are data (RFC 4180) */
}

static void test_quoted_fields(void **state)
{
    (void)state;
    CHECK("\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\n", "1:[a,b|say \"hi\"|\"]\n");
    CHECK("\"x\"\r\n\"y\"", "1:[x]\n2:[y]\n");
    CHECK("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"\n", "1:[caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80]\n");
}

static void test_embedded_newline_line_numbers(void **state)
{
    (void)state;
    /* The record starts on line 2; its field spans lines 2-4; the next
    ** record is on line 5. */
    CHECK("h1,h2\n"
          "1,\"first\nsecond\r\nthird\"\n"
          "2,x\n",
          "1:[h1|h2]\n"
          "2:[1|first\nsecond\r\nthird]\n"
          "5:[2|x]\n");
    /* An escaped field spanning lines, to check the scratch path counts too. */
    CHECK("\"a\"\"\n\"\"b\",c\nd,e\n", "1:[a\"\n\"b|c]\n3:[d|e]\n");
}

static void test_scratch_growth_keeps_fields(void **state)
{
    (void)state;
    /* Many escaped fields in one record force the scratch buffer to grow
    ** (and move) while earlier fields still refer to it. */
    duet_buf in, want;
    buf_init(&in, 1 << 24);
    buf_init(&want, 1 << 24);
    buf_puts(&want, "1:[");
    for (int k = 0; k < 300; k++) {
        char f[64];
        snprintf(f, sizeof f, "%s\"v\"\"%d\"\"\"", k ? "," : "", k);
        buf_puts(&in, f);
        snprintf(f, sizeof f, "%sv\"%d\"", k ? "|" : "", k);
        buf_puts(&want, f);
    }
    buf_puts(&in, "\n");
    buf_puts(&want, "]\n");
    CHECK(in.data, want.data);
    buf_free(&in);
    buf_free(&want);
}

/* ---- errors ---- */

/* 16 good lines then line 17 as given. */
static char *line17(const char *bad)
{
    duet_buf b;
    buf_init(&b, 1 << 20);
    buf_puts(&b, "cohort,module,partnership,person,item,value\n");
    for (int k = 2; k <= 16; k++)
        buf_printf(&b, "c1,m1,p1,alice,q%d,%d\n", k, k % 7 + 1);
    buf_puts(&b, bad);
    buf_putc(&b, '\0');
    b.len--;
    return buf_take(&b);
}

static const char *const HEAD[] = {"cohort", "module", "partnership", "person", "item", "value"};

/* Reads name, header included, and returns the message of the first error. */
static void expect_error(const char *data, size_t n, int with_header, const char *msg)
{
    csv_reader r;
    csv_record rec;
    duet_err e;
    int rc;
    csv_reader_init(&r, data, n, "responses.csv");
    if (with_header)
        assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), 0);
    while ((rc = csv_next(&r, &rec, &e)) == 1)
        ;
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    /* A failed reader stays failed. */
    assert_int_equal(csv_next(&r, &rec, &e), -1);
    assert_string_equal(e.msg, "responses.csv: reading stopped at an earlier error");
    csv_reader_free(&r);
}

static void test_unclosed_quote(void **state)
{
    (void)state;
    char *s = line17("c1,m1,p1,bob,q1,\"7\nc1,m1,p1,bob,q2,3\n");
    expect_error(s, strlen(s), 0,
                 "responses.csv:17: column 6: a quoted field is not closed "
                 "(it runs to the end of the file)");
    expect_error(s, strlen(s), 1,
                 "responses.csv:17: column 'value': a quoted field is not closed "
                 "(it runs to the end of the file)");
    free(s);
    expect_error("\"", 1, 0, "responses.csv:1: column 1: a quoted field is not closed "
                 "(it runs to the end of the file)");
    expect_error("a,\"b\"\"", 6, 0, "responses.csv:1: column 2: a quoted field is not "
                 "closed (it runs to the end of the file)");
}

static void test_quote_in_unquoted_field(void **state)
{
    (void)state;
    char *s = line17("c1,m1,p1,bo\"b,q1,7\n");
    expect_error(s, strlen(s), 1,
                 "responses.csv:17: column 'person': a quote (\") inside an unquoted field "
                 "(at offset 2); enclose the whole field in quotes and write the quote as \"\"");
    free(s);
}

static void test_text_after_closing_quote(void **state)
{
    (void)state;
    char *s = line17("c1,m1,p1,\"bob\" smith,q1,7\n");
    expect_error(s, strlen(s), 0,
                 "responses.csv:17: column 4: unexpected ' ' after the closing quote; a "
                 "quoted field must end at a comma or the end of the line (write a quote "
                 "inside it as \"\")");
    free(s);
    expect_error("\"a\"\xff", 4, 0, "responses.csv:1: column 1: unexpected byte 0xff after "
                 "the closing quote; a quoted field must end at a comma or the end of the line");
    /* The line is the one holding the closing quote. */
    expect_error("\"a\nb\"x\n", 7, 0, "responses.csv:2: column 1: unexpected 'x' after the "
                 "closing quote; a quoted field must end at a comma or the end of the line "
                 "(write a quote inside it as \"\")");
    expect_error("\"a\"\rb", 5, 0, "responses.csv:1: column 1: a carriage return (CR) after "
                 "the closing quote is not followed by a line feed (LF)");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    char *s = line17("c1,m1,partnership\xff,alice,q1,7\n");
    expect_error(s, strlen(s), 0,
                 "responses.csv:17: column 3: invalid UTF-8 (byte 0xff at offset 11 of the field)");
    free(s);
    s = line17("c1,m1,abcdefghijkl\xff,alice,q1,7\n");
    expect_error(s, strlen(s), 0,
                 "responses.csv:17: column 3: invalid UTF-8 (byte 0xff at offset 12 of the field)");
    free(s);
    /* Overlong, surrogate, truncated; offsets count unescaped bytes. */
    expect_error("\xC0\xAF\n", 3, 0,
                 "responses.csv:1: column 1: invalid UTF-8 (byte 0xc0 at offset 0 of the field)");
    expect_error("a,\xED\xA0\x80\n", 6, 0,
                 "responses.csv:1: column 2: invalid UTF-8 (byte 0xed at offset 0 of the field)");
    expect_error("\"\"\"\"\"\xE2\x82\"\n", 9, 0,
                 "responses.csv:1: column 1: invalid UTF-8 (byte 0xe2 at offset 2 of the field)");
    expect_error("\xFF\xFE" "a\0,\0", 6, 0, "responses.csv:1: the file is UTF-16 encoded (it "
                 "starts with a UTF-16 byte order mark): save it as UTF-8 CSV");
}

static void test_column_count(void **state)
{
    (void)state;
    char *s = line17("c1,m1,p1,bob,q1,7,extra\n");
    expect_error(s, strlen(s), 1, "responses.csv:17: expected 6 columns, found 7");
    free(s);
    s = line17("c1,m1,p1,bob,q1\n");
    expect_error(s, strlen(s), 1, "responses.csv:17: expected 6 columns, found 5");
    free(s);
    /* The line is where the record starts, even when it spans lines. */
    s = line17("c1,\"m\n1\",p1,bob,q1\n");
    expect_error(s, strlen(s), 1, "responses.csv:17: expected 6 columns, found 5");
    free(s);
}

static void test_nul_bytes(void **state)
{
    (void)state;
    expect_error("ab\0c,d\n", 7, 0, "responses.csv:1: column 1: a NUL byte (0x00) at offset 2 "
                 "of the field; the file may be binary or UTF-16 encoded: save it as UTF-8 CSV");
    expect_error("x\ny,\"a\"\"b\0\"\n", 12, 0, "responses.csv:2: column 2: a NUL byte (0x00) at "
                 "offset 3 of the field; the file may be binary or UTF-16 encoded: save it as "
                 "UTF-8 CSV");
}

static void test_bare_cr(void **state)
{
    (void)state;
    expect_error("a,b\rc,d\r", 8, 0, "responses.csv:1: column 2: a carriage return (CR) not "
                 "followed by a line feed (LF); save the file with LF or CRLF line endings, "
                 "or quote the field");
    /* Inside quotes a CR is data. */
    CHECK("\"a\rb\"\n", "1:[a\rb]\n");
}

static void test_field_length_limit(void **state)
{
    (void)state;
    size_t n = CSV_MAX_FIELD_DEFAULT;
    char *s = malloc(n + 8);
    memset(s, 'x', n + 8);
    s[0] = 'a';
    s[1] = ',';
    /* field 2 is exactly at the limit: accepted */
    s[n + 2] = '\n';
    csv_reader r;
    csv_record rec;
    duet_err e;
    csv_reader_init(&r, s, n + 3, "big.csv");
    assert_int_equal(csv_next(&r, &rec, &e), 1);
    assert_int_equal(rec.fields[1].n, n);
    csv_reader_free(&r);
    /* one byte more: refused */
    s[n + 2] = 'x';
    s[n + 3] = '\n';
    expect_error(s, n + 4, 0, "responses.csv:1: column 2: the field is longer than the limit "
                 "of 65536 bytes");
    /* the same through the quoted path: n + 1 bytes between the quotes */
    s[2] = '"';
    memset(s + 3, 'x', n + 1);
    s[n + 4] = '"';
    expect_error(s, n + 5, 0, "responses.csv:1: column 2: the field is longer than the limit "
                 "of 65536 bytes");
    /* and the escaped path: "" then x's, counted unescaped */
    s[3] = '"';
    s[4] = '"';
    memset(s + 5, 'x', n - 1);
    s[n + 4] = '"';
    s[n + 5] = '\n';
    csv_reader_init(&r, s, n + 6, "big.csv");
    assert_int_equal(csv_next(&r, &rec, &e), 1);
    assert_int_equal(rec.fields[1].n, n);      /* one quote + n - 1 x's: at the limit */
    assert_int_equal(rec.fields[1].p[0], '"');
    assert_int_equal(rec.fields[1].p[n - 1], 'x');
    csv_reader_free(&r);
    s[n + 4] = 'x';
    s[n + 5] = '"';
    expect_error(s, n + 6, 0, "responses.csv:1: column 2: the field is longer than the limit "
                 "of 65536 bytes");
    free(s);

    /* a small limit set by the caller */
    csv_reader_init(&r, "ab,\"c\"\"d\"\n", 10, "s.csv");
    csv_set_limits(&r, 2, 0);
    assert_int_equal(csv_next(&r, &rec, &e), -1);
    assert_string_equal(e.msg, "s.csv:1: column 2: the field is longer than the limit of 2 bytes");
    csv_reader_free(&r);
}

static void test_field_count_limit(void **state)
{
    (void)state;
    size_t m = CSV_MAX_FIELDS_DEFAULT;
    char *s = malloc(2 * m + 4);
    for (size_t k = 0; k < m; k++) {
        s[2 * k] = 'x';
        s[2 * k + 1] = ',';
    }
    s[2 * m - 1] = '\n';   /* exactly m fields */
    csv_reader r;
    csv_record rec;
    duet_err e;
    csv_reader_init(&r, s, 2 * m, "wide.csv");
    assert_int_equal(csv_next(&r, &rec, &e), 1);
    assert_int_equal(rec.nfields, m);
    csv_reader_free(&r);
    s[2 * m - 1] = ',';
    s[2 * m] = 'y';
    s[2 * m + 1] = '\n';
    expect_error(s, 2 * m + 2, 0, "responses.csv:1: more than 1024 columns in one record "
                 "(the limit); is the file really comma-separated?");
    free(s);
    csv_reader_init(&r, "a,b\nc,d,e\n", 10, "s.csv");
    csv_set_limits(&r, 0, 2);
    assert_int_equal(csv_next(&r, &rec, &e), 1);
    assert_int_equal(csv_next(&r, &rec, &e), -1);
    assert_string_equal(e.msg, "s.csv:2: more than 2 columns in one record (the limit); "
                        "is the file really comma-separated?");
    csv_reader_free(&r);
}

static void test_late_line_error(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 26);
    buf_puts(&b, "cohort,module,partnership,person,item,value\n");
    for (int k = 2; k < 250000; k++)
        buf_printf(&b, "c1,m1,p%d,\"per\nson\",q,%d\r\n", k % 50, k % 7 + 1);
    /* each of those records takes two lines: the next starts on 2*250000-2 */
    buf_puts(&b, "c1,m1,p1,bob,q,\"7\"x\n");
    csv_reader r;
    csv_record rec;
    duet_err e;
    int rc;
    size_t count = 0, last = 0;
    csv_reader_init(&r, b.data, b.len, "late.csv");
    assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), 0);
    while ((rc = csv_next(&r, &rec, &e)) == 1) {
        count++;
        last = rec.line;
    }
    assert_int_equal(rc, -1);
    assert_int_equal(count, 249998);
    assert_int_equal(last, 499996);
    assert_string_equal(e.msg, "late.csv:499998: column 'value': unexpected 'x' after the "
                        "closing quote; a quoted field must end at a comma or the end of the "
                        "line (write a quote inside it as \"\")");
    csv_reader_free(&r);
    buf_free(&b);
}

/* ---- header ---- */

static void test_expect_header(void **state)
{
    (void)state;
    csv_reader r;
    csv_record rec;
    duet_err e;
    const char *ok = "\xEF\xBB\xBF" "cohort,module,partnership,person,item,value\r\nc,m,p,a,i,1\r\n";
    csv_reader_init(&r, ok, strlen(ok), "h.csv");
    assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), 0);
    assert_int_equal(csv_next(&r, &rec, &e), 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.nfields, 6);
    assert_memory_equal(rec.fields[5].p, "1", 1);
    assert_int_equal(csv_next(&r, &rec, &e), 0);
    csv_reader_free(&r);

    const char *renamed = "cohort,module,partner,person,item,value\n";
    csv_reader_init(&r, renamed, strlen(renamed), "h.csv");
    assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), -1);
    assert_string_equal(e.msg, "h.csv:1: header column 3 is 'partner', expected 'partnership' "
                        "(expected \"cohort,module,partnership,person,item,value\", found "
                        "\"cohort,module,partner,person,item,value\")");
    csv_reader_free(&r);

    const char *short_ = "cohort,module\n";
    csv_reader_init(&r, short_, strlen(short_), "h.csv");
    assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), -1);
    assert_string_equal(e.msg, "h.csv:1: the header has 2 columns, expected 6 (expected "
                        "\"cohort,module,partnership,person,item,value\", found "
                        "\"cohort,module\")");
    csv_reader_free(&r);

    csv_reader_init(&r, "\n\n", 2, "h.csv");
    assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), -1);
    assert_string_equal(e.msg, "h.csv: the file is empty; expected a header line: "
                        "cohort,module,partnership,person,item,value");
    csv_reader_free(&r);

    /* case matters */
    const char *upper = "Cohort,module,partnership,person,item,value\n";
    csv_reader_init(&r, upper, strlen(upper), "h.csv");
    assert_int_equal(csv_expect_header(&r, HEAD, 6, &e), -1);
    assert_non_null(strstr(e.msg, "header column 1 is 'Cohort', expected 'cohort'"));
    csv_reader_free(&r);
}

/* ---- writer ---- */

/* One row written for a program (exact) or, with how CSV_SAFE, through the
** plain csv_write_row (for people). */
static char *write_rows_as(enum csv_cells how, const char *const *fields, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    if (how == CSV_SAFE)
        assert_int_equal(csv_write_row(f, fields, n), 0);
    else
        assert_int_equal(csv_write_row_as(f, how, fields, n), 0);
    assert_int_equal(fclose(f), 0);
    return out;
}

static char *write_rows(const char *const *fields, size_t n)
{
    return write_rows_as(CSV_EXACT, fields, n);
}

static void test_writer_quotes_only_when_needed(void **state)
{
    (void)state;
    const char *row[] = {"plain", "a,b", "say \"hi\"", " lead", "trail ", "\ttab",
                         "two\nlines", "cr\r", "", "caf\xC3\xA9"};
    char *out = write_rows(row, 10);
    assert_string_equal(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",\"trail \",\"\ttab\","
                        "\"two\nlines\",\"cr\r\",,caf\xC3\xA9\n");
    free(out);
    const char *empty[] = {""};
    out = write_rows(empty, 1);
    assert_string_equal(out, "\"\"\n");
    free(out);
    /* a leading byte order mark is quoted, or a reader would drop it */
    const char *bom[] = {"\xEF\xBB\xBFx", "y"};
    out = write_rows(bom, 2);
    assert_string_equal(out, "\"\xEF\xBB\xBFx\",y\n");
    CHECK(out, "1:[\xEF\xBB\xBFx|y]\n");
    free(out);
    const char *two_empty[] = {"", ""};
    out = write_rows(two_empty, 2);
    assert_string_equal(out, ",\n");
    free(out);

    duet_buf b;
    buf_init(&b, 1 << 10);
    assert_int_equal(csv_buf_field_as(&b, CSV_EXACT, "\"", 1), 0);
    assert_int_equal(csv_buf_row_as(&b, CSV_EXACT, row, 2), 0);
    assert_string_equal(b.data, "\"\"\"\"plain,\"a,b\"\n");
    buf_free(&b);
    buf_init(&b, 4);   /* the cap is respected */
    assert_int_equal(csv_buf_row(&b, row, 2), -1);
    buf_free(&b);
}

/* ---- cells a spreadsheet would run (OWASP "CSV Injection") ---- */

static int risky(const char *s)
{
    return csv_cell_risky(s, strlen(s));
}

static void test_cell_risky(void **state)
{
    (void)state;
    /* OWASP's six first characters */
    assert_true(risky("=1+2"));
    assert_true(risky("@SUM(A1)"));
    assert_true(risky("+44 20 7946 0000"));
    assert_true(risky("-2+3"));
    assert_true(risky("\tx"));
    assert_true(risky("\rx"));
    assert_true(risky("=HYPERLINK(\"http://x\")"));
    assert_true(risky("="));
    assert_true(risky("-"));
    assert_true(risky("+"));
    assert_true(risky("@"));
    /* full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20) */
    assert_true(risky("\xEF\xBC\x9D" "1+2"));
    assert_true(risky("\xEF\xBC\x8B" "1"));
    assert_true(risky("\xEF\xBC\x8D" "1"));
    assert_true(risky("\xEF\xBC\xA0" "x"));
    /* signed numbers stay numbers */
    assert_false(risky("-0.5"));
    assert_false(risky("-3"));
    assert_false(risky("+3"));
    assert_false(risky("-.5"));
    assert_false(risky("-5."));
    assert_false(risky("-1e-05"));
    assert_false(risky("+2.5E+10"));
    assert_false(risky("-0.33333333333333331"));
    /* ... but not what only starts like one */
    assert_true(risky("-1e"));
    assert_true(risky("-e5"));
    assert_true(risky("--3"));
    assert_true(risky("- 3"));
    assert_true(risky("-3 "));
    assert_true(risky("-1,5"));
    assert_true(risky("-inf"));
    assert_true(risky("-nan"));
    assert_true(risky("-."));
    assert_true(risky("-0x10"));
    /* a cell is looked at as a whole: a NUL-free count, not strlen */
    assert_false(csv_cell_risky("-3=", 2));
    assert_true(csv_cell_risky("-3=", 3));
    /* harmless starts */
    assert_false(risky(""));
    assert_false(risky("plain text"));
    assert_false(risky("1+2"));
    assert_false(risky(" =1+2"));
    assert_false(risky("'=1+2"));
    assert_false(risky("a=b"));
    assert_false(risky("\nx"));
    assert_false(risky("\xEF\xBC\x91"));   /* full-width digit one */
    assert_false(risky("\xE2\x88\x92" "3"));   /* U+2212 minus sign */
}

static void test_writer_neutralises_for_people(void **state)
{
    (void)state;
    const char *row[] = {"=1+2", "@SUM(A1)", "+44 20 7946 0000", "-2+3", "\tx", "\rx",
                         "-0.5", "-3", "plain", "=HYPERLINK(\"http://x\")",
                         "\xEF\xBC\x9D" "1", "", "'=quoted already"};
    enum { N = sizeof row / sizeof row[0] };
    char *out = write_rows_as(CSV_SAFE, row, N);
    assert_string_equal(out, "\"'=1+2\",\"'@SUM(A1)\",\"'+44 20 7946 0000\",\"'-2+3\","
                        "\"'\tx\",\"'\rx\",-0.5,-3,plain,\"'=HYPERLINK(\"\"http://x\"\")\","
                        "\"'\xEF\xBC\x9D" "1\",,'=quoted already\n");
    /* read back, a neutralised cell is the cell with ' before it */
    CHECK(out, "1:['=1+2|'@SUM(A1)|'+44 20 7946 0000|'-2+3|'\tx|'\rx|-0.5|-3|plain|"
               "'=HYPERLINK(\"http://x\")|'\xEF\xBC\x9D" "1||'=quoted already]\n");
    free(out);
    /* CSV_EXACT keeps every byte */
    out = write_rows_as(CSV_EXACT, row, N);
    assert_string_equal(out, "=1+2,@SUM(A1),+44 20 7946 0000,-2+3,\"\tx\",\"\rx\",-0.5,-3,"
                        "plain,\"=HYPERLINK(\"\"http://x\"\")\",\xEF\xBC\x9D" "1,,'=quoted already\n");
    free(out);
    /* one risky cell alone on its row */
    const char *one[] = {"-"};
    out = write_rows_as(CSV_SAFE, one, 1);
    assert_string_equal(out, "\"'-\"\n");
    free(out);

    /* the single field and buffer writers do the same */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(csv_write_field(f, "@x", 2), 0);
    assert_int_equal(fputc(',', f), ',');
    assert_int_equal(csv_write_field_as(f, CSV_EXACT, "@x", 2), 0);
    assert_int_equal(fclose(f), 0);
    assert_string_equal(text, "\"'@x\",@x");
    free(text);
    duet_buf b;
    buf_init(&b, 1 << 10);
    assert_int_equal(csv_buf_field(&b, "=a", 2), 0);
    assert_int_equal(csv_buf_row(&b, row + 6, 3), 0);
    assert_int_equal(csv_buf_row(&b, row, 1), 0);
    assert_int_equal(csv_buf_row_as(&b, CSV_EXACT, row, 1), 0);
    csv_field rec[2] = {{"+x", 2}, {"-1", 2}};
    assert_int_equal(csv_buf_record(&b, rec, 2), 0);
    assert_int_equal(csv_buf_record_as(&b, CSV_EXACT, rec, 2), 0);
    assert_string_equal(b.data, "\"'=a\"-0.5,-3,plain\n\"'=1+2\"\n=1+2\n\"'+x\",-1\n+x,-1\n");
    buf_free(&b);
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *awkward[] = {
        "", "\"", "\"\"", ",", ",,", "\n", "\r\n", "\r", " ", "  x  ", "a\"b",
        "\"quoted\"", "multi\nline\r\nfield", "caf\xC3\xA9 \xF0\x9F\x98\x80", "\xEF\xBB\xBF" "bom",
        "tab\there", "trailing,", ",leading", "=1+2", "@x", "+1 2", "-2+3", "\tlead", "\rlead",
        "-0.5", "x",
    };
    size_t na = sizeof awkward / sizeof awkward[0];
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    /* every field on its own row, then all in one row, then pairs */
    for (size_t k = 0; k < na; k++)
        assert_int_equal(csv_write_row_as(f, CSV_EXACT, &awkward[k], 1), 0);
    assert_int_equal(csv_write_row_as(f, CSV_EXACT, awkward, na), 0);
    for (size_t k = 0; k + 1 < na; k++)
        assert_int_equal(csv_write_row_as(f, CSV_EXACT, &awkward[k], 2), 0);
    assert_int_equal(fclose(f), 0);

    csv_reader r;
    csv_record rec;
    duet_err e;
    csv_reader_init(&r, out, len, "rt.csv");
    for (size_t k = 0; k < na; k++) {
        assert_int_equal(csv_next(&r, &rec, &e), 1);
        assert_int_equal(rec.nfields, 1);
        assert_int_equal(rec.fields[0].n, strlen(awkward[k]));
        assert_memory_equal(rec.fields[0].p, awkward[k], rec.fields[0].n);
    }
    assert_int_equal(csv_next(&r, &rec, &e), 1);
    assert_int_equal(rec.nfields, na);
    for (size_t k = 0; k < na; k++) {
        assert_int_equal(rec.fields[k].n, strlen(awkward[k]));
        assert_memory_equal(rec.fields[k].p, awkward[k], rec.fields[k].n);
    }
    for (size_t k = 0; k + 1 < na; k++) {
        assert_int_equal(csv_next(&r, &rec, &e), 1);
        assert_int_equal(rec.nfields, 2);
        for (size_t j = 0; j < 2; j++) {
            assert_int_equal(rec.fields[j].n, strlen(awkward[k + j]));
            assert_memory_equal(rec.fields[j].p, awkward[k + j], rec.fields[j].n);
        }
    }
    assert_int_equal(csv_next(&r, &rec, &e), 0);
    csv_reader_free(&r);
    free(out);
}

/* ---- files ---- */

static void test_read_file(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_file(path, sizeof path, "csv", "", "a,b\n1,2\n", 8), 0);
    char *data;
    size_t len;
    duet_err e;
    assert_int_equal(csv_read_file(path, 8, &data, &len, &e), 0);
    assert_int_equal(len, 8);
    assert_string_equal(data, "a,b\n1,2\n");
    free(data);
    assert_int_equal(csv_read_file(path, 7, &data, &len, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    char want[256];
    snprintf(want, sizeof want, "%s: the file is 8 bytes, over the limit of 7 bytes", path);
    assert_string_equal(e.msg, want);
    assert_null(data);
    unlink(path);
    assert_int_equal(csv_read_file(path, 100, &data, &len, &e), -1);
    assert_int_equal(e.code, DUET_EIO);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    assert_string_equal(e.msg, want);
    assert_int_equal(csv_read_file("/tmp", 100, &data, &len, &e), -1);
    assert_string_equal(e.msg, "/tmp: is a directory, not a CSV file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lf_and_crlf),
        cmocka_unit_test(test_bom_skipped),
        cmocka_unit_test(test_final_record_and_blank_lines),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_embedded_newline_line_numbers),
        cmocka_unit_test(test_scratch_growth_keeps_fields),
        cmocka_unit_test(test_unclosed_quote),
        cmocka_unit_test(test_quote_in_unquoted_field),
        cmocka_unit_test(test_text_after_closing_quote),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_column_count),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_bare_cr),
        cmocka_unit_test(test_field_length_limit),
        cmocka_unit_test(test_field_count_limit),
        cmocka_unit_test(test_late_line_error),
        cmocka_unit_test(test_expect_header),
        cmocka_unit_test(test_writer_quotes_only_when_needed),
        cmocka_unit_test(test_cell_risky),
        cmocka_unit_test(test_writer_neutralises_for_people),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
