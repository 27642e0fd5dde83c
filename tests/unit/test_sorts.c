/*
** test_sorts.c — Q-sorts through src/app/sorts.c and the store: every
** refusal of sorts_validate with its exact message, parsing typed values,
** adding one sort, importing the statements x persons CSV (all or nothing,
** file:line:column messages), exporting it back byte for byte, and the
** consent rules (a purpose filter; withdrawal deletes the sorts).
**
** The Q-set is the hand-written "tiny" (tl_qset_tiny of testlib, as in
** test_qset.c): statements a..h, a-d on voice and e-h on pace, polarities
** + - + -, the grid -2..+2 holding 1,2,2,2,1. The programme: cohort C1
** (modules 1..3) with P1 (le.1 patient leader, sy.1 clinician), P3 (a
** triad: le.3, sy.3 clinician, gp.3 GP), P5 (le.5, sy.5) and P6 (le.5
** again, sy.6); cohort C2 (module 1) with Q1 (le.1 again, sy.q). Everyone
** gave research consent except sy.6.
** Expected messages are written by hand.
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

#include "app/setup.h"
#include "app/sorts.h"
#include "io/qset.h"
#include "store/store.h"
#include "testlib.h"

#define MAXFILES 24

/* Valid sorts of tiny, values for a..h. */
static const int S1[8] = {2, -2, 1, -1, 1, 0, 0, -1};
static const int S2[8] = {-2, 2, -1, 1, -1, 0, 0, 1};
static const int Z1[8] = {2, 1, -1, 0, 1, 0, -2, -1};
static const char *const ids[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};

struct fx {
    char db[64];
    struct store *st;
    struct qset q;
    char files[MAXFILES][64];
    int nfiles;
};

static void expect_msg(const duet_err *e, const char *want)
{
    if (strcmp(e->msg, want) != 0)
        fail_msg("expected \"%s\"\n      got \"%s\"", want, e->msg);
}

static void person(struct store *st, const char *key)
{
    struct store_person p = {key, key, NULL, NULL};
    OK(store_person_add(st, &p, NULL, e));
    if (strcmp(key, "sy.6") != 0)
        OK(store_consent_give(st, key, "research", "v1", e));
}

static void partnership(struct store *st, const char *cohort, const char *code, size_t n,
                        const struct store_member *m)
{
    struct store_partnership p = {cohort, code, NULL, NULL, n, m};
    OK(store_partnership_add(st, &p, NULL, e));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (tl_temp_path(f->db, sizeof f->db, "sorts") != 0) {
        free(f);
        return -1;
    }
    duet_err e0;
    if (store_open(f->db, &f->st, &e0) != 0 ||
        qset_parse(tl_qset_tiny, strlen(tl_qset_tiny), "tiny", &f->q, &e0) != 0) {
        fprintf(stderr, "setup: %s\n", e0.msg);
        return -1;
    }
    *state = f;
    struct store *st = f->st;
    OK(store_begin(st, e));
    OK(store_qset_add(st, &f->q, NULL, e));
    OK(store_programme_add(st, "Sorts test", NULL, NULL, e));
    OK(store_cohort_add(st, "Sorts test", "C1", NULL, NULL, e));
    OK(store_cohort_add(st, "Sorts test", "C2", NULL, NULL, e));
    for (int m = 1; m <= 3; m++)
        OK(store_module_add(st, "C1", m, NULL, NULL, NULL, e));
    OK(store_module_add(st, "C2", 1, NULL, NULL, NULL, e));
    const char *people[] = {"le.1", "sy.1", "le.3", "sy.3", "gp.3", "le.5", "sy.5", "sy.6",
                            "sy.q"};
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        person(st, people[i]);
    partnership(st, "C1", "P1", 2,
                (struct store_member[]){{"le.1", "patient_leader"}, {"sy.1", "clinician"}});
    partnership(st, "C1", "P3", 3,
                (struct store_member[]){{"le.3", "patient_leader"}, {"sy.3", "clinician"},
                                        {"gp.3", "gp"}});
    partnership(st, "C1", "P5", 2,
                (struct store_member[]){{"le.5", "carer"}, {"sy.5", "commissioner"}});
    partnership(st, "C1", "P6", 2,
                (struct store_member[]){{"le.5", "carer"}, {"sy.6", "commissioner"}});
    partnership(st, "C2", "Q1", 2,
                (struct store_member[]){{"le.1", "patient_leader"}, {"sy.q", "clinician"}});
    OK(store_commit(st, e));
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    qset_free(&f->q);
    tl_remove_db(f->db);
    for (int i = 0; i < f->nfiles; i++)
        unlink(f->files[i]);
    free(f);
    return 0;
}

static const char *write_csv(struct fx *f, const char *text)
{
    assert_true(f->nfiles < MAXFILES);
    char *path = f->files[f->nfiles];
    assert_int_equal(tl_temp_file(path, sizeof f->files[0], "sorts", ".csv", text, strlen(text)),
                     0);
    f->nfiles++;
    return path;
}

static size_t count_sorts(struct store *st)
{
    json_t *rows;
    OK((rows = store_qsort_list(st, NULL, NULL, e)) == NULL);
    size_t n = json_array_size(rows);
    json_decref(rows);
    return n;
}

/* Entries for ids[0..n) with values v (the ids are the statements a..h). */
static void entries(struct sorts_entry *out, const int *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (struct sorts_entry){ids[i], 1, v[i]};
}

static void expect_invalid(const struct qset *q, const struct sorts_entry *v, size_t n,
                           const char *want)
{
    int values[8];
    duet_err e = {0};
    assert_int_equal(sorts_validate(q, v, n, values, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    expect_msg(&e, want);
}

/* ------------------------------------------------------------------ */

static void test_validate(void **state)
{
    struct fx *f = *state;
    struct sorts_entry v[9];
    int values[8];
    duet_err e = {0};

    /* Valid, given in any order. */
    entries(v, S1, 8);
    struct sorts_entry t = v[0];
    v[0] = v[7];
    v[7] = t;
    assert_int_equal(sorts_validate(&f->q, v, 8, values, &e), 0);
    assert_memory_equal(values, S1, sizeof S1);

    entries(v, S1, 8);
    v[3] = (struct sorts_entry){"zz", 2, -1};
    expect_invalid(&f->q, v, 8, "'zz' is not a statement of Q-set 'tiny'");

    entries(v, S1, 8);
    v[8] = (struct sorts_entry){"c", 1, 0};
    expect_invalid(&f->q, v, 9, "statement 'c' is placed twice");

    entries(v, S1, 8);
    v[4].value = 3;
    expect_invalid(&f->q, v, 8, "statement 'e': +3 is not a column of the grid (-2 .. +2)");
    v[4].value = -5;
    expect_invalid(&f->q, v, 8, "statement 'e': -5 is not a column of the grid (-2 .. +2)");

    entries(v, S1, 7);
    expect_invalid(&f->q, v, 7, "statement 'h' is not placed (a sort places all 8 statements)");
    entries(v, S1, 5);
    expect_invalid(&f->q, v, 5, "3 statements are not placed: 'f', 'g', 'h'");
    expect_invalid(&f->q, v, 0, "8 statements are not placed: 'a', 'b', 'c', 'd', 'e', ...");

    /* b moves from -2 to +2: column +2 now holds a and b. */
    entries(v, S1, 8);
    v[1].value = 2;
    expect_invalid(&f->q, v, 8, "column +2 holds 2 statements; the grid allows 1");
    /* f moves from 0 to -1: column -1 holds d, f and h. */
    entries(v, S1, 8);
    v[5].value = -1;
    expect_invalid(&f->q, v, 8, "column -1 holds 3 statements; the grid allows 2");
}

static void test_parse_value(void **state)
{
    (void)state;
    int v = 99;
    duet_err e = {0};
    assert_int_equal(sorts_parse_value("+2", 2, &v, &e), 0);
    assert_int_equal(v, 2);
    assert_int_equal(sorts_parse_value(" -1\t", 4, &v, &e), 0);
    assert_int_equal(v, -1);
    assert_int_equal(sorts_parse_value("0", 1, &v, &e), 0);
    assert_int_equal(v, 0);
    static const char *const bad[] = {"x", "", "1.5", "+", "1234", "2 2", "--1"};
    static const char *const msg[] = {"'x' is not a whole number", "'' is not a whole number",
                                      "'1.5' is not a whole number", "'+' is not a whole number",
                                      "'1234' is not a whole number",
                                      "'2 2' is not a whole number",
                                      "'--1' is not a whole number"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sorts_parse_value(bad[i], strlen(bad[i]), &v, &e), -1);
        expect_msg(&e, msg[i]);
    }
}

static void test_add(void **state)
{
    struct fx *f = *state;
    struct sorts_entry v[8];
    entries(v, S1, 8);
    struct sorts_sort s = {"le.1", "P1", 1, "tiny", 0, "test", 8, v};
    OK(sorts_add(f->st, &s, e));
    assert_int_equal(count_sorts(f->st), 1);

    int64_t pid, tid, cid, mid;
    OK(store_person_id(f->st, "le.1", &pid, e));
    OK(store_partnership_id(f->st, "P1", &tid, &cid, e));
    OK(store_module_id(f->st, cid, 1, &mid, e));
    json_t *got;
    OK((got = store_qsort_get(f->st, pid, tid, mid, NULL, e)) == NULL);
    assert_string_equal(json_string_value(json_object_get(got, "qset")), "tiny");
    assert_string_equal(json_string_value(json_object_get(got, "source")), "test");
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "values"),
                                                            ids[i])), S1[i]);
    json_decref(got);

    duet_err e = {0};
    assert_int_equal(sorts_add(f->st, &s, &e), -1);
    assert_int_equal(e.code, DUET_ECONFLICT);
    expect_msg(&e, "person 'le.1' already has a sort for partnership 'P1' at module 1 with "
                   "Q-set 'tiny'");

    struct sorts_sort bad = s;
    bad.person = "le.3";
    assert_int_equal(sorts_add(f->st, &bad, &e), -1);
    expect_msg(&e, "person 'le.3' is not a member of partnership 'P1'");
    bad = s;
    bad.module = 9;
    assert_int_equal(sorts_add(f->st, &bad, &e), -1);
    expect_msg(&e, "module 9 does not exist in the cohort of partnership 'P1'");
    bad = s;
    bad.qset = "nope";
    bad.module = 2;
    assert_int_equal(sorts_add(f->st, &bad, &e), -1);
    assert_int_equal(e.code, DUET_ENOTFOUND);
    expect_msg(&e, "Q-set 'nope' does not exist (see 'duet qset list')");
    bad = s;
    bad.module = 2;
    bad.n = 7;
    assert_int_equal(sorts_add(f->st, &bad, &e), -1);
    expect_msg(&e, "statement 'h' is not placed (a sort places all 8 statements)");
    assert_int_equal(count_sorts(f->st), 1);
}

static void test_add_file(void **state)
{
    struct fx *f = *state;
    struct sorts_sort s = {"sy.1", "P1", 2, "tiny", 0, "cli", 0, NULL};
    const char *p = write_csv(f, "statement,value\na,-2\nb,+2\nc,-1\nd,1\ne,-1\nf,0\ng,0\nh,+1\n");
    OK(sorts_add_file(f->st, &s, p, e));
    duet_err e = {0};
    assert_int_equal(count_sorts(f->st), 1);

    char want[DUET_ERR_MAX];
    s.module = 3;
    p = write_csv(f, "statement,value\na,-2\nb,+2\nc,x\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    snprintf(want, sizeof want, "%s:4: column 'value': 'x' is not a whole number", p);
    expect_msg(&e, want);
    p = write_csv(f, "statement,value\na,-2\nb,+2\nzz,1\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    snprintf(want, sizeof want, "%s:4: column 'statement': 'zz' is not a statement of Q-set "
             "'tiny'", p);
    expect_msg(&e, want);
    p = write_csv(f, "statement,value\na,-2\nb,+2\na,1\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    snprintf(want, sizeof want, "%s:4: column 'statement': statement 'a' is placed twice", p);
    expect_msg(&e, want);
    p = write_csv(f, "statement,value\na,-2\nb,+3\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    snprintf(want, sizeof want, "%s:3: column 'value': statement 'b': +3 is not a column of "
             "the grid (-2 .. +2)", p);
    expect_msg(&e, want);
    p = write_csv(f, "statement,value\na,-2\nb,\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    snprintf(want, sizeof want, "%s:3: column 'value': no value", p);
    expect_msg(&e, want);
    p = write_csv(f, "statement,value\na,-2\nb,+2\nc,-1\nd,1\ne,-1\nf,0\ng,0\nh,0\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    snprintf(want, sizeof want, "%s: column 0 holds 3 statements; the grid allows 2", p);
    expect_msg(&e, want);
    p = write_csv(f, "id,value\n");
    assert_int_equal(sorts_add_file(f->st, &s, p, &e), -1);
    assert_non_null(strstr(e.msg, "statement,value"));
    assert_int_equal(count_sorts(f->st), 1);
}

/* A statements x persons file: header, then rows a..h with each column's
** values from the given sorts. */
static const char *sorts_csv(struct fx *f, const char *header, size_t n, const int *const *cols)
{
    char text[2048];
    int len = snprintf(text, sizeof text, "%s\n", header);
    for (size_t i = 0; i < 8; i++) {
        len += snprintf(text + len, sizeof text - (size_t)len, "%s", ids[i]);
        for (size_t j = 0; j < n; j++)
            len += snprintf(text + len, sizeof text - (size_t)len, ",%d", cols[j][i]);
        len += snprintf(text + len, sizeof text - (size_t)len, "\n");
    }
    return write_csv(f, text);
}

static char *export_text(struct store *st, const struct sorts_export_options *o, size_t *n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    OK(sorts_export(st, mem, o, n, e));
    assert_int_equal(fclose(mem), 0);
    return text;
}

static void test_import_and_export(void **state)
{
    struct fx *f = *state;
    const int *cols[] = {S1, S2, Z1, S2, S2};
    const char *p = sorts_csv(f, "statement,le.1,sy.1,le.3,sy.3,gp.3", 5, cols);
    struct sorts_import_options o = {"C1", 1, "tiny", 0, NULL};
    struct sorts_import_stats s = {0};
    OK(sorts_import(f->st, p, &o, &s, e));
    assert_int_equal(s.sorts, 5);
    assert_int_equal(s.statements, 8);
    assert_int_equal(count_sorts(f->st), 5);

    /* Back out in the same layout, byte for byte (the columns are already
    ** in partnership, side and person order). */
    FILE *in = fopen(p, "rb");
    char want[2048];
    size_t n = fread(want, 1, sizeof want - 1, in);
    fclose(in);
    want[n] = '\0';
    struct sorts_export_options x = {"C1", 1, NULL, "research", 1, 1};
    size_t nsorts = 0;
    char *got = export_text(f->st, &x, &nsorts);
    assert_int_equal(nsorts, 5);
    assert_string_equal(got, want);
    free(got);
    /* Every module: columns named key@module. */
    x.module = 0;
    got = export_text(f->st, &x, &nsorts);
    assert_non_null(strstr(got, "statement,le.1@1,sy.1@1,le.3@1,sy.3@1,gp.3@1\na,2,-2,2,-2,-2\n"));
    free(got);

    /* key@module columns need no --module, and the file says which module. */
    const int *two[] = {S2, S1};
    p = sorts_csv(f, "statement,le.1@2,sy.1@3", 2, two);
    struct sorts_import_options o2 = {"C1", 0, "tiny", 0, NULL};
    OK(sorts_import(f->st, p, &o2, &s, e));
    assert_int_equal(count_sorts(f->st), 7);
    got = export_text(f->st, &x, &nsorts);
    assert_int_equal(nsorts, 7);
    assert_non_null(strstr(got, "statement,le.1@1,sy.1@1,le.1@2,sy.1@3,le.3@1"));
    free(got);

    /* Without names, columns are pseudonyms: partnership, side, the number
    ** on that side in the order people were added (gp.3 after sy.3). */
    x.names = 0;
    x.module = 1;
    got = export_text(f->st, &x, &nsorts);
    assert_non_null(strstr(got, "statement,P1-L1,P1-S1,P3-L1,P3-S1,P3-S2\na,2,-2,2,-2,-2\n"));
    assert_null(strstr(got, "le."));
    assert_null(strstr(got, "sy."));
    free(got);
    x.module = 0;
    got = export_text(f->st, &x, &nsorts);
    assert_non_null(strstr(got, "statement,P1-L1@1,P1-S1@1,P1-L1@2,P1-S1@3,P3-L1@1"));
    free(got);
}

/* Imports text and expects failure with the message fmt (its %s is the
** path); nothing may be written. */
static void expect_import_error(struct fx *f, const char *header, size_t n, const int *const *cols,
                                const char *edit_from, const char *edit_to,
                                const struct sorts_import_options *o, const char *fmt)
{
    size_t before = count_sorts(f->st);
    const char *p = sorts_csv(f, header, n, cols);
    if (edit_from) {
        FILE *in = fopen(p, "rb");
        char text[2048], out[2100];
        size_t len = fread(text, 1, sizeof text - 1, in);
        fclose(in);
        text[len] = '\0';
        char *at = strstr(text, edit_from);
        assert_non_null(at);
        snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, edit_to,
                 at + strlen(edit_from));
        FILE *w = fopen(p, "wb");
        fputs(out, w);
        fclose(w);
    }
    duet_err e = {0};
    struct sorts_import_stats s;
    assert_int_equal(sorts_import(f->st, p, o, &s, &e), -1);
    char want[DUET_ERR_MAX];
    snprintf(want, sizeof want, fmt, p);
    expect_msg(&e, want);
    assert_int_equal(count_sorts(f->st), before);
}

static void test_import_refusals(void **state)
{
    struct fx *f = *state;
    const int *pair[] = {S1, S2};
    struct sorts_import_options o = {"C1", 1, "tiny", 0, NULL};
    const char *h = "statement,le.1,sy.1";

    /* Columns. */
    struct sorts_import_options c2 = {"C2", 1, "tiny", 0, NULL};
    expect_import_error(f, "statement,sy.1,sy.q", 2, pair, NULL, NULL, &c2,
                        "%s:1: column 'sy.1': person 'sy.1' is not a member of any partnership "
                        "in cohort 'C2'");
    expect_import_error(f, "statement,le.5,sy.5", 2, pair, NULL, NULL, &o,
                        "%s:1: column 'le.5': person 'le.5' is a member of 2 partnerships in "
                        "cohort 'C1' (P5, P6), so the column does not say which one");
    struct sorts_import_options any = {NULL, 1, "tiny", 0, NULL};
    expect_import_error(f, h, 2, pair, NULL, NULL, &any,
                        "%s:1: column 'le.1': person 'le.1' is a member of 2 partnerships (P1, "
                        "Q1), so the column does not say which one; give --cohort");
    expect_import_error(f, "statement,nobody,sy.1", 2, pair, NULL, NULL, &o,
                        "%s:1: column 'nobody': person 'nobody' does not exist");
    struct sorts_import_options nomod = {"C1", 0, "tiny", 0, NULL};
    expect_import_error(f, h, 2, pair, NULL, NULL, &nomod,
                        "%s:1: column 'le.1': no module for this sort: give --module M, or name "
                        "the column 'le.1@M'");
    expect_import_error(f, "statement,le.1@x,sy.1", 2, pair, NULL, NULL, &o,
                        "%s:1: column 'le.1@x': 'le.1@x' is not 'key@module' with a module "
                        "number");
    expect_import_error(f, "statement,le.1@7,sy.1", 2, pair, NULL, NULL, &o,
                        "%s:1: column 'le.1@7': module 7 does not exist in the cohort of "
                        "partnership 'P1'");
    expect_import_error(f, "statement,le.1,le.1@1", 2, pair, NULL, NULL, &o,
                        "%s:1: column 'le.1@1': the same sort as column 'le.1' (person 'le.1', "
                        "module 1)");
    expect_import_error(f, "id,le.1,sy.1", 2, pair, NULL, NULL, &o,
                        "%s:1: the first column must be 'statement' (the statement ids), not "
                        "'id'");
    expect_import_error(f, "statement", 0, pair, NULL, NULL, &o,
                        "%s:1: no sorts: after 'statement' the header needs one column per "
                        "person");

    /* Cells and rows. */
    expect_import_error(f, h, 2, pair, "c,1,-1", "c,1,x", &o,
                        "%s:4: column 'sy.1': 'x' is not a whole number");
    expect_import_error(f, h, 2, pair, "c,1,-1", "c,1,", &o,
                        "%s:4: column 'sy.1': no value for statement 'c'");
    expect_import_error(f, h, 2, pair, "c,1,-1", "c,3,-1", &o,
                        "%s:4: column 'le.1': +3 is not a column of the grid (-2 .. +2)");
    expect_import_error(f, h, 2, pair, "c,1,-1", "c,1", &o,
                        "%s:4: expected 3 columns, found 2");
    expect_import_error(f, h, 2, pair, "c,1,-1", "cc,1,-1", &o,
                        "%s:4: column 'statement': 'cc' is not a statement of Q-set 'tiny'");
    expect_import_error(f, h, 2, pair, "c,1,-1", "b,1,-1", &o,
                        "%s:4: column 'statement': statement 'b' has a second row (the first is "
                        "on line 3)");
    expect_import_error(f, h, 2, pair, "c,1,-1\n", "", &o,
                        "%s: statement 'c' has no row (every statement of Q-set 'tiny' needs "
                        "one)");
    /* The second sort breaks the grid; the first, valid, is not written either. */
    expect_import_error(f, h, 2, pair, "f,0,0", "f,0,1", &o,
                        "%s:1: column 'sy.1': column +1 holds 3 statements; the grid allows 2");

    /* A sort that exists already. */
    struct sorts_entry v[8];
    entries(v, S1, 8);
    struct sorts_sort s = {"sy.1", "P1", 1, "tiny", 0, "test", 8, v};
    OK(sorts_add(f->st, &s, e));
    expect_import_error(f, h, 2, pair, NULL, NULL, &o,
                        "%s:1: column 'sy.1': person 'sy.1' already has a sort for partnership "
                        "'P1' at module 1 with Q-set 'tiny'");
}

/* Consent: a purpose filter on reads and export; withdrawal deletes. */
struct count_ctx { size_t rows; };
static int count_row(void *ctx, const struct store_qsort_row *row, duet_err *e)
{
    (void)row;
    (void)e;
    ((struct count_ctx *)ctx)->rows++;
    return 0;
}

static void test_consent(void **state)
{
    struct fx *f = *state;
    const int *cols[] = {S1, S2, Z1};
    const char *p = sorts_csv(f, "statement,le.1,sy.1,sy.6", 3, cols);
    struct sorts_import_options o = {"C1", 1, "tiny", 0, NULL};
    /* sy.6's partnership in C1 is P6 only; le.1's is P1. */
    OK(sorts_import(f->st, p, &o, NULL, e));
    struct count_ctx all = {0}, research = {0};
    OK(store_qsort_each(f->st, "C1", 0, NULL, NULL, count_row, &all, e));
    OK(store_qsort_each(f->st, "C1", 0, "tiny", "research", count_row, &research, e));
    assert_int_equal(all.rows, 24);        /* three sorts of eight */
    assert_int_equal(research.rows, 16);   /* sy.6 never gave research consent */

    struct store_audit_report before, after;
    OK(store_audit_verify(f->st, &before, e));
    OK(store_consent_withdraw(f->st, "le.1", "research", e));
    struct count_ctx left = {0};
    OK(store_qsort_each(f->st, NULL, 0, NULL, NULL, count_row, &left, e));
    assert_int_equal(left.rows, 16);       /* le.1's sort is gone */
    assert_int_equal(count_sorts(f->st), 2);
    OK(store_audit_verify(f->st, &after, e));
    assert_int_equal(after.first_bad, 0);
    /* Erased: the person's insert payload and their sort's. */
    assert_true(after.erased_payloads >= before.erased_payloads + 2);
}

/* A database made at schema version 3 (before Q-sorts) upgrades, keeps its
** data and takes the default Q-set. */
static void test_upgrade_from_version_3(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "sorts"), 0);
    tl_old_db(path, 3, "PRAGMA user_version = 3; INSERT INTO person (key, "
                       "display_name, created_at) VALUES ('old.p', 'Old P', "
                       "'2025-01-01T00:00:00Z')");
    struct store *st;
    OK(store_open(path, &st, e));
    assert_true(store_schema_version(st) >= 4);
    json_t *p;
    OK((p = store_person_show(st, "old.p", e)) == NULL);
    json_decref(p);
    OK(setup_default_qset(st, e));
    OK(setup_default_qset(st, e));   /* idempotent */
    json_t *list;
    OK((list = store_qset_list(st, e)) == NULL);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
                        QSET_DEFAULT_NAME);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "statements")),
                     36);
    json_decref(list);
    store_close(st);
    tl_remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validate, setup, teardown),
        cmocka_unit_test(test_parse_value),
        cmocka_unit_test_setup_teardown(test_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_and_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent, setup, teardown),
        cmocka_unit_test(test_upgrade_from_version_3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
