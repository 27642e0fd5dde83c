/*
** test_ingest.c — check-in answers through src/app: the ingest (resolve,
** validate, group, write all or nothing) and the responses CSV import and
** export, with CSV files written by the tests.
**
** Every test gets its own fresh database file and its own CSV files (mkstemp
** in /tmp), removed afterwards. The programme is made by hand through the
** store: cohort "Cohort A" with modules 1..8 and partnerships P001..P030
** (le.NNN, patient leader, with sy.NNN, clinician), and cohort "Cohort B"
** with modules 1..2 and partnership Q001 (le.q with sy.q). Answers use the
** default instrument, whose 21 numeric items are listed below by hand.
** Expected messages and counts are written by hand, never copied from output.
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

#include "app/ingest.h"
#include "app/responses.h"
#include "app/setup.h"
#include "core/buf.h"
#include "core/err.h"
#include "io/instrument.h"
#include "store/store.h"
#include "testlib.h"

#define NPAIRS 30
#define NMODULES 8
#define MAXFILES 8
#define HEADER "cohort,module,partnership,person,item,value\n"

/* The numeric items of partnership-checkin, in instrument order. */
static const char *const numeric_items[] = {
    "voice_1", "voice_2", "voice_3", "power_1", "power_2", "trust_1", "trust_2",
    "trust_3", "purpose_1", "purpose_2", "purpose_3", "safety_1", "safety_2", "safety_3",
    "safety_4", "safety_5", "resistance_1", "resistance_2", "strain_1", "strain_2", "rung"};
#define NNUMERIC 21

/* ------------------------------------------------------------------ */
/* fixture and helpers                                                 */

struct fx {
    char db[64];
    struct store *st;
    char files[MAXFILES][64];
    int nfiles;
};

static void add_pair(struct store *st, const char *cohort, const char *code, const char *lived,
                     const char *lived_role, const char *system, const char *system_role)
{
    struct store_person a = {lived, "Lived", NULL, NULL}, b = {system, "System", NULL, NULL};
    OK(store_person_add(st, &a, NULL, e));
    OK(store_person_add(st, &b, NULL, e));
    struct store_member m[] = {{lived, lived_role}, {system, system_role}};
    struct store_partnership p = {cohort, code, NULL, NULL, 2, m};
    OK(store_partnership_add(st, &p, NULL, e));
}

static void make_programme(struct store *st)
{
    OK(store_begin(st, e));
    OK(setup_default_instrument(st, e));
    OK(store_programme_add(st, "Ingest test", NULL, NULL, e));
    OK(store_cohort_add(st, "Ingest test", "Cohort A", "2026-01-15", NULL, e));
    OK(store_cohort_add(st, "Ingest test", "Cohort B", "2026-06-15", NULL, e));
    for (int m = 1; m <= NMODULES; m++)
        OK(store_module_add(st, "Cohort A", m, NULL, NULL, NULL, e));
    for (int m = 1; m <= 2; m++)
        OK(store_module_add(st, "Cohort B", m, NULL, NULL, NULL, e));
    for (int i = 1; i <= NPAIRS; i++) {
        char code[16], le[16], sy[16];
        snprintf(code, sizeof code, "P%03d", i);
        snprintf(le, sizeof le, "le.%03d", i);
        snprintf(sy, sizeof sy, "sy.%03d", i);
        add_pair(st, "Cohort A", code, le, "patient_leader", sy, "clinician");
    }
    add_pair(st, "Cohort B", "Q001", "le.q", "carer", "sy.q", "commissioner");
    OK(store_commit(st, e));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (tl_temp_path(f->db, sizeof f->db, "ingest") != 0) {
        free(f);
        return -1;
    }
    duet_err e;
    if (store_open(f->db, &f->st, &e) != 0) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        tl_remove_db(f->db);
        free(f);
        return -1;
    }
    *state = f;
    make_programme(f->st);
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    tl_remove_db(f->db);
    for (int i = 0; i < f->nfiles; i++)
        unlink(f->files[i]);
    free(f);
    return 0;
}

/* Writes n bytes to a new temporary .csv file and returns its path (owned
** by the fixture, removed at teardown). */
static const char *write_csv_n(struct fx *f, const char *text, size_t n)
{
    assert_true(f->nfiles < MAXFILES);
    char *path = f->files[f->nfiles];
    assert_int_equal(tl_temp_file(path, sizeof f->files[0], "ingest", ".csv", text, n), 0);
    f->nfiles++;
    return path;
}

static const char *write_csv(struct fx *f, const char *text)
{
    return write_csv_n(f, text, strlen(text));
}

/* Check-ins in the database, summed over the modules of both cohorts. */
static long count_checkins(struct store *st)
{
    long n = 0;
    const char *cohorts[] = {"Cohort A", "Cohort B"};
    for (size_t c = 0; c < 2; c++) {
        json_t *mods;
        OK((mods = store_module_list(st, cohorts[c], e)) == NULL);
        size_t i;
        json_t *m;
        json_array_foreach(mods, i, m)
            n += (long)json_integer_value(json_object_get(m, "checkins"));
        json_decref(mods);
    }
    return n;
}

/* The whole export (purpose NULL: everyone) as a string, with person keys
** and every byte as stored, as for an import elsewhere. */
static char *export_all(struct store *st, const char *purpose, size_t *rows)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    OK(responses_export(st, mem, purpose, RESPONSES_NAMES | RESPONSES_EXACT, rows, e));
    assert_int_equal(fclose(mem), 0);
    return text;
}

/* Imports text (written to a temporary file) and expects it to fail with
** code and the message fmt, where the one %s is the file's path. Nothing may
** be written. */
static void expect_import_error(struct fx *f, const char *text, enum duet_errcode code,
                                const char *fmt)
{
    long before = count_checkins(f->st);
    const char *path = write_csv(f, text);
    char want[DUET_ERR_MAX];
    snprintf(want, sizeof want, fmt, path);
    struct responses_stats s = {99, 99};
    duet_err e = {0};
    assert_int_equal(responses_import(f->st, path, &s, &e), -1);
    assert_string_equal(e.msg, want);
    assert_int_equal(e.code, code);
    assert_int_equal(s.rows, 99);          /* untouched on failure */
    assert_int_equal(count_checkins(f->st), before);
}

/* One CSV line for item k of a check-in, with a value from a fixed formula. */
static void put_row(duet_buf *b, int module, int pair, int lived, int k)
{
    int v = k == NNUMERIC - 1 ? 1 + (module + pair + k) % 8 : 1 + (module * 3 + pair + k) % 7;
    buf_printf(b, "Cohort A,%d,P%03d,%s.%03d,%s,%d\n", module, pair, lived ? "le" : "sy", pair,
               numeric_items[k], v);
}

/* ------------------------------------------------------------------ */
/* a valid file, and the export round trip                             */

static void test_import_valid_round_trip(void **state)
{
    struct fx *f = *state;
    /* Modules 1..2, P001..P002, both members, 21 numeric items, in export
    ** order (cohort, module, partnership, person, item order); two text
    ** answers that the writer must quote. */
    duet_buf b;
    buf_init(&b, 1 << 20);
    buf_puts(&b, HEADER);
    for (int m = 1; m <= 2; m++)
        for (int p = 1; p <= 2; p++)
            for (int lived = 1; lived >= 0; lived--) {
                for (int k = 0; k < NNUMERIC; k++)
                    put_row(&b, m, p, lived, k);
                if (m == 1 && p == 1 && lived)
                    buf_printf(&b, "Cohort A,1,P001,le.001,discoveries,"
                                   "\"We agreed, at last, on \"\"one\"\" aim\"\n");
                if (m == 2 && p == 2 && !lived)
                    buf_printf(&b, "Cohort A,2,P002,sy.002,drivers,"
                                   "\"Fewer complaints\nBetter discharge\"\n");
            }
    buf_putc(&b, '\0');
    char *input = buf_take(&b);
    const char *path = write_csv(f, input);

    assert_int_equal(count_checkins(f->st), 0);
    struct responses_stats s = {0};
    OK(responses_import(f->st, path, &s, e));
    assert_int_equal(s.rows, 2 * 2 * 2 * NNUMERIC + 2);   /* 170 */
    assert_int_equal(s.checkins, 8);
    assert_int_equal(count_checkins(f->st), 8);

    size_t rows = 0;
    char *out = export_all(f->st, NULL, &rows);
    assert_int_equal(rows, 170);
    assert_string_equal(out, input);
    free(out);

    /* For research, only people whose consent is in force. */
    out = export_all(f->st, "research", &rows);
    assert_int_equal(rows, 0);
    assert_string_equal(out, HEADER);
    free(out);
    OK(store_consent_give(f->st, "le.001", "research", "v1", e));
    out = export_all(f->st, "research", &rows);
    assert_int_equal(rows, 2 * NNUMERIC + 1);             /* 43 */
    /* ... which are the input's le.001 lines, in the same order */
    duet_buf want;
    buf_init(&want, 1 << 20);
    buf_puts(&want, HEADER);
    for (const char *line = input; *line;) {
        const char *end = strchr(line, '\n');
        /* the quoted discoveries answer is on one line */
        if (strstr(line, ",le.001,") != NULL && strstr(line, ",le.001,") < end)
            buf_append(&want, line, (size_t)(end - line) + 1);
        line = end + 1;
    }
    buf_putc(&want, '\0');
    assert_string_equal(out, want.data);
    buf_free(&want);
    free(out);
    free(input);
}

static void test_import_crlf_bom_quotes_spaces(void **state)
{
    struct fx *f = *state;
    const char *path = write_csv(f, "\xEF\xBB\xBF" "cohort,module,partnership,person,item,value\r\n"
                                    "\"Cohort A\",\"1\",P003,le.003,voice_1, 5 \r\n"
                                    "Cohort A,1,P003,le.003,rung,\"8\"\r\n"
                                    "Cohort A,1,P003,sy.003,voice_1,\t1\r\n"
                                    "\r\n");
    struct responses_stats s = {0};
    OK(responses_import(f->st, path, &s, e));
    assert_int_equal(s.rows, 3);
    assert_int_equal(s.checkins, 2);
    /* numbers are stored as numbers: the spaces and quotes are gone */
    char *out = export_all(f->st, NULL, NULL);
    assert_string_equal(out, HEADER "Cohort A,1,P003,le.003,voice_1,5\n"
                                    "Cohort A,1,P003,le.003,rung,8\n"
                                    "Cohort A,1,P003,sy.003,voice_1,1\n");
    free(out);
}

/* ------------------------------------------------------------------ */
/* all or nothing                                                      */

/* 10,000 good rows in export order; with bad_line > 0, a bad row is put so
** that it is that line of the file (the header is line 1). */
static char *ten_thousand(int bad_line)
{
    duet_buf b;
    buf_init(&b, 1 << 24);
    buf_puts(&b, HEADER);
    int rows = 0, line = 1;
    for (int m = 1; m <= NMODULES && rows < 10000; m++)
        for (int p = 1; p <= NPAIRS && rows < 10000; p++)
            for (int lived = 1; lived >= 0 && rows < 10000; lived--)
                for (int k = 0; k < NNUMERIC && rows < 10000; k++) {
                    if (++line == bad_line) {
                        buf_puts(&b, "Cohort A,8,P030,le.030,voice_1,9\n");
                        line++;
                    }
                    put_row(&b, m, p, lived, k);
                    rows++;
                }
    buf_putc(&b, '\0');
    assert_non_null(b.data);
    return buf_take(&b);
}

static void test_all_or_nothing_10000(void **state)
{
    struct fx *f = *state;
    char *text = ten_thousand(5001);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 10002);
    const char *path = write_csv(f, text);

    assert_int_equal(count_checkins(f->st), 0);
    duet_err err = {0};
    struct responses_stats s = {0};
    assert_int_equal(responses_import(f->st, path, &s, &err), -1);
    char want[256];
    snprintf(want, sizeof want, "%s:5001: column 'value': 9 is outside the scale 1..7", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, DUET_EINPUT);
    assert_int_equal(count_checkins(f->st), 0);
    free(text);

    /* Without the bad row all 10,000 go in: 476 full check-ins of 21 answers
    ** and one of 4. */
    text = ten_thousand(0);
    path = write_csv(f, text);
    OK(responses_import(f->st, path, &s, e));
    assert_int_equal(s.rows, 10000);
    assert_int_equal(s.checkins, 477);
    assert_int_equal(count_checkins(f->st), 477);
    size_t rows = 0;
    char *out = export_all(f->st, NULL, &rows);
    assert_int_equal(rows, 10000);
    assert_string_equal(out, text);
    free(out);
    free(text);
}

/* ------------------------------------------------------------------ */
/* one message per problem                                             */

static void test_err_unknown_person(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                       "Cohort A,1,P001,nobody,voice_1,3\n",
                        DUET_ENOTFOUND,
                        "%s:3: column 'person': person 'nobody' does not exist");
}

static void test_err_not_a_member(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,sy.002,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'person': person 'sy.002' is not a member of "
                        "partnership 'P001'");
    /* a member of another cohort's partnership */
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                       "Cohort A,1,P001,le.q,voice_1,3\n", DUET_EINPUT,
                        "%s:3: column 'person': person 'le.q' is not a member of "
                        "partnership 'P001'");
}

static void test_err_unknown_item(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_9,3\n", DUET_ENOTFOUND,
                        "%s:2: column 'item': item 'voice_9' is not defined by any instrument");
}

static void test_err_unknown_partnership(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P999,le.001,voice_1,3\n", DUET_ENOTFOUND,
                        "%s:2: column 'partnership': partnership 'P999' does not exist");
}

static void test_err_module(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,9,P001,le.001,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'module': module 9 does not exist in the cohort of "
                        "partnership 'P001'");
    /* Cohort B has modules 1..2 only */
    expect_import_error(*state, HEADER "Cohort B,3,Q001,le.q,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'module': module 3 does not exist in the cohort of "
                        "partnership 'Q001'");
    expect_import_error(*state, HEADER "Cohort A,one,P001,le.001,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'module': 'one' is not a module number (1, 2, ...)");
    expect_import_error(*state, HEADER "Cohort A,0,P001,le.001,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'module': '0' is not a module number (1, 2, ...)");
}

static void test_err_cohort(void **state)
{
    expect_import_error(*state, HEADER "Cohort B,1,P001,le.001,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'cohort': partnership 'P001' is not in cohort 'Cohort B'");
    expect_import_error(*state, HEADER "Cohort Z,1,P001,le.001,voice_1,3\n", DUET_ENOTFOUND,
                        "%s:2: column 'cohort': cohort 'Cohort Z' does not exist");
}

static void test_err_duplicate_answer(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                       "Cohort A,1,P001,le.001,voice_2,4\n"
                                       "Cohort A,1,P001,sy.001,voice_1,4\n"
                                       "Cohort A,1,P001,le.001,voice_1,5\n", DUET_EINPUT,
                        "%s:5: the same item is answered twice in one check-in "
                        "(first on line 2)");
}

static void test_err_existing_checkin(void **state)
{
    struct fx *f = *state;
    const char *path = write_csv(f, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                           "Cohort A,1,P001,sy.001,voice_1,4\n");
    struct responses_stats s = {0};
    OK(responses_import(f->st, path, &s, e));
    assert_int_equal(s.checkins, 2);
    /* Importing the same file again: the first check-in already exists. */
    duet_err err = {0};
    assert_int_equal(responses_import(f->st, path, &s, &err), -1);
    char want[256];
    snprintf(want, sizeof want, "%s:2: a duplicate check-in: person 'le.001' already has a "
             "check-in for partnership 'P001' at module 1", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, DUET_ECONFLICT);
    /* A new check-in in the same file as an existing one is not written. */
    expect_import_error(f, HEADER "Cohort A,2,P001,le.001,voice_1,3\n"
                                  "Cohort A,1,P001,sy.001,voice_2,4\n", DUET_ECONFLICT,
                        "%s:3: a duplicate check-in: person 'sy.001' already has a check-in "
                        "for partnership 'P001' at module 1");
    assert_int_equal(count_checkins(f->st), 2);
}

static void test_err_quotes(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,discoveries,\"unclosed\n"
                                       "Cohort A,1,P001,le.001,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'value': a quoted field is not closed (it runs to the "
                        "end of the file)");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,discoveries,say \"hi\"\n",
                        DUET_EINPUT,
                        "%s:2: column 'value': a quote (\") inside an unquoted field (at "
                        "offset 4); enclose the whole field in quotes and write the quote "
                        "as \"\"");
    expect_import_error(*state, HEADER "Cohort A,1,P001,\"le.001\"x,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'person': unexpected 'x' after the closing quote; a "
                        "quoted field must end at a comma or the end of the line (write a "
                        "quote inside it as \"\")");
}

static void test_err_column_count(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,3,extra\n", DUET_EINPUT,
                        "%s:2: expected 6 columns, found 7");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                       "Cohort A,1,P001,le.001,voice_2\n", DUET_EINPUT,
                        "%s:3: expected 6 columns, found 5");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,3\n\n"
                                       "Cohort A,1,P001,le.001,voice_2,3\n", DUET_EINPUT,
                        "%s:3: blank line (expected 6 columns); delete it");
}

static void test_err_invalid_utf8(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,discoveries,caf\xe9\n",
                        DUET_EINPUT,
                        "%s:2: column 'value': invalid UTF-8 (byte 0xe9 at offset 3 of the "
                        "field)");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001\xff,voice_1,3\n", DUET_EINPUT,
                        "%s:2: column 'person': invalid UTF-8 (byte 0xff at offset 6 of the "
                        "field)");
}

static void test_err_header(void **state)
{
    expect_import_error(*state, "cohort,module,partner,person,item,value\n"
                                "Cohort A,1,P001,le.001,voice_1,3\n", DUET_EINPUT,
                        "%s:1: header column 3 is 'partner', expected 'partnership' (expected "
                        "\"cohort,module,partnership,person,item,value\", found "
                        "\"cohort,module,partner,person,item,value\")");
    expect_import_error(*state, "cohort,module,partnership,person,item\n", DUET_EINPUT,
                        "%s:1: the header has 5 columns, expected 6 (expected "
                        "\"cohort,module,partnership,person,item,value\", found "
                        "\"cohort,module,partnership,person,item\")");
    expect_import_error(*state, "", DUET_EINPUT,
                        "%s: the file is empty; expected a header line: "
                        "cohort,module,partnership,person,item,value");
    expect_import_error(*state, HEADER, DUET_EINPUT,
                        "%s: no rows after the header; nothing imported");
}

static void test_err_values(void **state)
{
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,\n", DUET_EINPUT,
                        "%s:2: column 'value': the value is empty; leave out the row of an "
                        "unanswered item");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,often\n", DUET_EINPUT,
                        "%s:2: column 'value': 'often' is not a whole number");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,4.5\n", DUET_EINPUT,
                        "%s:2: column 'value': '4.5' is not a whole number");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,voice_1,0\n", DUET_EINPUT,
                        "%s:2: column 'value': 0 is outside the scale 1..7");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,rung,9\n", DUET_EINPUT,
                        "%s:2: column 'value': 9 is outside the ladder 1..8");
    expect_import_error(*state, HEADER "Cohort A,1,P001,le.001,drivers,\"a\n\nb\"\n",
                        DUET_EINPUT, "%s:2: column 'value': entry 2 is empty");
}

static void test_err_text_too_long(void **state)
{
    struct fx *f = *state;
    size_t n = strlen(HEADER) + 64 + 4001;
    char *text = malloc(n + 1);
    assert_non_null(text);
    int k = snprintf(text, n + 1, HEADER "Cohort A,1,P001,le.001,discoveries,");
    memset(text + k, 'x', 4001);
    text[k + 4001] = '\n';
    text[k + 4002] = '\0';
    expect_import_error(f, text, DUET_EINPUT,
                        "%s:2: column 'value': 4001 characters; the limit is 4000");
    free(text);
}

static void test_err_missing_file(void **state)
{
    struct fx *f = *state;
    duet_err e = {0};
    struct responses_stats s;
    assert_int_equal(responses_import(f->st, "/tmp/duet-test-no-such-file.csv", &s, &e), -1);
    assert_string_equal(e.msg, "/tmp/duet-test-no-such-file.csv: cannot open: No such file "
                               "or directory");
    assert_int_equal(e.code, DUET_EIO);
}

/* ------------------------------------------------------------------ */
/* the ingest itself                                                   */

static struct ingest_answer answer(const char *cohort, const char *module, const char *part,
                                   const char *person, const char *item, const char *value,
                                   size_t line)
{
    struct ingest_answer a = {cohort, cohort ? strlen(cohort) : 0, module, strlen(module),
                              part, strlen(part), person, strlen(person), item, strlen(item),
                              value, strlen(value), line};
    return a;
}

static void test_ingest_fields_and_lines(void **state)
{
    struct fx *f = *state;
    struct ingest *g = ingest_new(f->st);
    assert_non_null(g);
    enum ingest_field field;
    duet_err err = {0};
    struct ingest_answer a = answer(NULL, "1", "P001", "le.001", "voice_1", "9", 0);
    assert_int_equal(ingest_add(g, &a, &field, &err), -1);
    assert_int_equal(field, INGEST_VALUE);
    assert_string_equal(err.msg, "9 is outside the scale 1..7");
    assert_string_equal(ingest_field_name(field), "value");

    a = answer(NULL, "1", "P001", "sy.005", "voice_1", "3", 0);
    assert_int_equal(ingest_add(g, &a, &field, &err), -1);
    assert_int_equal(field, INGEST_PERSON);
    assert_string_equal(err.msg, "person 'sy.005' is not a member of partnership 'P001'");
    a = answer("Cohort B", "1", "P001", "le.001", "voice_1", "3", 0);
    assert_int_equal(ingest_add(g, &a, &field, &err), -1);
    assert_int_equal(field, INGEST_COHORT);
    a = answer(NULL, "1", "nope", "le.001", "voice_1", "3", 0);
    assert_int_equal(ingest_add(g, &a, &field, &err), -1);
    assert_int_equal(field, INGEST_PARTNERSHIP);
    assert_string_equal(ingest_field_name(INGEST_ITEM), "item");
    assert_string_equal(ingest_field_name(INGEST_COHORT), "cohort");

    /* Without a source, commit messages start with "line N: ". With no
    ** cohort, the partnership's own is used. */
    a = answer(NULL, "2", "P004", "sy.004", "trust_1", "6", 7);
    OK(ingest_add(g, &a, &field, e));
    a = answer("Cohort A", "2", "P004", "sy.004", "trust_2", "2", 8);
    OK(ingest_add(g, &a, &field, e));
    a = answer(NULL, "2", "P004", "sy.004", "trust_1", "5", 12);
    OK(ingest_add(g, &a, &field, e));
    assert_int_equal(ingest_commit(g, NULL, NULL, &err), -1);
    assert_string_equal(err.msg, "line 12: the same item is answered twice in one check-in "
                               "(first on line 7)");
    ingest_free(g);
    assert_int_equal(count_checkins(f->st), 0);

    /* A clean batch, answers out of order, spread over two check-ins. */
    g = ingest_new(f->st);
    const char *items[] = {"safety_2", "voice_1", "rung"};
    for (int i = 0; i < 3; i++) {
        a = answer(NULL, "3", "P005", "le.005", items[i], "4", 0);
        OK(ingest_add(g, &a, &field, e));
        a = answer(NULL, "3", "P005", "sy.005", items[i], "2", 0);
        OK(ingest_add(g, &a, &field, e));
    }
    size_t nc = 0, na = 0;
    OK(ingest_commit(g, &nc, &na, e));
    assert_int_equal(nc, 2);
    assert_int_equal(na, 6);
    ingest_free(g);
    assert_int_equal(count_checkins(f->st), 2);
    char *out = export_all(f->st, NULL, NULL);
    assert_string_equal(out, HEADER "Cohort A,3,P005,le.005,voice_1,4\n"
                                    "Cohort A,3,P005,le.005,safety_2,4\n"
                                    "Cohort A,3,P005,le.005,rung,4\n"
                                    "Cohort A,3,P005,sy.005,voice_1,2\n"
                                    "Cohort A,3,P005,sy.005,safety_2,2\n"
                                    "Cohort A,3,P005,sy.005,rung,2\n");
    free(out);

    /* Without lines, no prefix at all. */
    g = ingest_new(f->st);
    a = answer(NULL, "3", "P005", "le.005", "voice_2", "4", 0);
    OK(ingest_add(g, &a, &field, e));
    assert_int_equal(ingest_commit(g, NULL, NULL, &err), -1);
    assert_string_equal(err.msg, "a duplicate check-in: person 'le.005' already has a check-in "
                               "for partnership 'P005' at module 3");
    ingest_free(g);
}

static void test_ingest_two_instruments(void **state)
{
    struct fx *f = *state;
    static const char mini[] =
        "{\"format\": \"duet-instrument/1\", \"name\": \"mini\", \"version\": 1, "
        "\"title\": \"Mini\", \"constructs\": [{\"name\": \"voice\", \"label\": \"Voice\"}], "
        "\"items\": [{\"name\": \"m_q1\", \"construct\": \"voice\", \"type\": \"scale\", "
        "\"text\": \"Q1\", \"min\": 1, \"max\": 5}]}";
    struct instrument ins;
    OK(instrument_parse(mini, strlen(mini), "mini.json", &ins, e));
    OK(store_instrument_add(f->st, &ins, NULL, e));
    instrument_free(&ins);
    expect_import_error(f, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                  "Cohort A,1,P001,le.001,m_q1,6\n", DUET_EINPUT,
                        "%s:3: column 'value': 6 is outside the scale 1..5");
    expect_import_error(f, HEADER "Cohort A,1,P001,le.001,voice_1,3\n"
                                  "Cohort A,1,P001,le.001,m_q1,5\n", DUET_EINPUT,
                        "%s:3: column 'item': item 'm_q1' belongs to another instrument than "
                        "the other answers of this check-in");
}

int main(void)
{
    setenv("DUET_NOW", "2026-03-01T09:00:00Z", 1);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_import_valid_round_trip),
        T(test_import_crlf_bom_quotes_spaces),
        T(test_all_or_nothing_10000),
        T(test_err_unknown_person),
        T(test_err_not_a_member),
        T(test_err_unknown_item),
        T(test_err_unknown_partnership),
        T(test_err_module),
        T(test_err_cohort),
        T(test_err_duplicate_answer),
        T(test_err_existing_checkin),
        T(test_err_quotes),
        T(test_err_column_count),
        T(test_err_invalid_utf8),
        T(test_err_header),
        T(test_err_values),
        T(test_err_text_too_long),
        T(test_err_missing_file),
        T(test_ingest_fields_and_lines),
        T(test_ingest_two_instruments),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
