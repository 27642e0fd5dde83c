/*
** test_checkin.c — one person's check-in as the web makes it (src/app/
** checkin.c): answers checked against the default instrument and turned
** into their canonical form, drafts, submitting through the ingest; and the
** store's reads for the participant's pages (src/store/membership.c), the
** per-connection memo and current instrument (src/store/memo.c), and a
** partnership's own scores (store_scored_each_partnership,
** rel_load_partnership).
**
** The store tests get a fresh database file each (mkstemp in /tmp), removed
** afterwards: cohort "Cohort A" with modules 1..3 and partnerships P1 (le.1,
** patient leader, with sy.1, clinician) and P2 (le.2 carer with sy.2 GP).
** Expected values and messages are written by hand from the default
** instrument (docs/instruments.md): items 1..21 are scale and ladder items,
** 22..25 text (up to 4000 characters), 26..28 lists (up to 10 entries).
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

#include "analysis/relationships.h"
#include "app/checkin.h"
#include "app/setup.h"
#include "core/buf.h"
#include "core/err.h"
#include "io/instrument.h"
#include "store/store.h"
#include "web/cache.h"
#include "testlib.h"

/* The 21 scale and ladder items of the default instrument, in order. */
static const char *const numeric[] = {
    "voice_1", "voice_2", "voice_3", "power_1", "power_2", "trust_1", "trust_2",
    "trust_3", "purpose_1", "purpose_2", "purpose_3", "safety_1", "safety_2", "safety_3",
    "safety_4", "safety_5", "resistance_1", "resistance_2", "strain_1", "strain_2", "rung"};
#define NNUMERIC 21

/* Every numeric item answered with value (as an integer). */
static json_t *all_numeric(int value)
{
    json_t *a = json_object();
    for (int i = 0; i < NNUMERIC; i++)
        json_object_set_new(a, numeric[i], json_integer(value));
    return a;
}

static const char *msg_for(json_t *errors, const char *item)
{
    const char *m = json_string_value(json_object_get(errors, item));
    return m ? m : "(none)";
}

/* ------------------------------------------------------------------ */
/* checkin_normalise and checkin_value_text (no database)              */

struct pure { struct instrument ins; };

static int pure_setup(void **state)
{
    struct pure *p = calloc(1, sizeof *p);
    duet_err err;
    if (p == NULL || instrument_load_default(&p->ins, &err) != 0) {
        free(p);
        return -1;
    }
    *state = p;
    return 0;
}

static int pure_teardown(void **state)
{
    struct pure *p = *state;
    instrument_free(&p->ins);
    free(p);
    return 0;
}

static void test_normalise_complete(void **state)
{
    struct pure *p = *state;
    json_t *a = all_numeric(4), *errors = json_object(), *out = NULL;
    /* What a form sends: strings, CRLF line breaks, blank lines in lists. */
    json_object_set_new(a, "voice_1", json_string(" 6 "));
    json_object_set_new(a, "helped", json_string("Line one\r\nline two"));
    json_object_set_new(a, "hindered", json_string("  \r\n "));
    json_object_set_new(a, "drivers", json_string("Better care\r\n\r\n  Fairness  \r\n"));
    json_object_set_new(a, "concerns", json_pack("[ss]", "Time", " "));
    assert_int_equal(checkin_normalise(&p->ins, a, 1, &out, errors), 0);
    assert_int_equal(json_object_size(errors), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "voice_1")), 6);
    assert_true(json_is_integer(json_object_get(out, "rung")));
    assert_string_equal(json_string_value(json_object_get(out, "helped")), "Line one\nline two");
    assert_null(json_object_get(out, "hindered"));   /* blank: not answered */
    json_t *drivers = json_object_get(out, "drivers");
    assert_int_equal(json_array_size(drivers), 2);
    assert_string_equal(json_string_value(json_array_get(drivers, 0)), "Better care");
    assert_string_equal(json_string_value(json_array_get(drivers, 1)), "Fairness");
    assert_int_equal(json_array_size(json_object_get(out, "concerns")), 1);
    assert_int_equal(json_object_size(out), NNUMERIC + 3);
    json_decref(out);
    json_decref(errors);
    json_decref(a);
}

static void test_normalise_missing(void **state)
{
    struct pure *p = *state;
    json_t *a = json_pack("{s:i}", "voice_1", 5), *errors = json_object(), *out = NULL;
    assert_int_equal(checkin_normalise(&p->ins, a, 1, &out, errors), NNUMERIC - 1);
    assert_string_equal(msg_for(errors, "voice_2"), "Select an answer to question 2");
    assert_string_equal(msg_for(errors, "rung"), "Select an answer to question 21");
    assert_null(json_object_get(errors, "helped"));   /* text items are optional */
    json_decref(out);
    json_decref(errors);
    /* A draft may leave anything out. */
    errors = json_object();
    assert_int_equal(checkin_normalise(&p->ins, a, 0, &out, errors), 0);
    assert_int_equal(json_object_size(out), 1);
    json_decref(out);
    json_decref(errors);
    json_decref(a);
}

static void test_normalise_bad_values(void **state)
{
    struct pure *p = *state;
    char *long_text = malloc(4002), *long_entry = malloc(502);
    memset(long_text, 'x', 4001);
    long_text[4001] = '\0';
    memset(long_entry, 'y', 501);
    long_entry[501] = '\0';
    json_t *a = json_pack("{s:i, s:s, s:f, s:b, s:i, s:s, s:i, s:s, s:[sssssssssss], s:[s], "
                          "s:[i], s:i}",
                          "voice_1", 9, "voice_2", "abc", "voice_3", 5.0, "power_1", 1,
                          "rung", 0, "discoveries", long_text, "issues_addressed", 3,
                          "helped", "bell \x07", "drivers", "1", "2", "3", "4", "5", "6", "7",
                          "8", "9", "10", "11", "concerns", long_entry, "accountabilities", 1,
                          "nope", 1);
    json_t *errors = json_object(), *out = NULL;
    assert_int_equal(checkin_normalise(&p->ins, a, 0, &out, errors), 12);
    assert_string_equal(msg_for(errors, "voice_1"),
                        "Question 1: the answer must be a whole number from 1 to 7");
    assert_string_equal(msg_for(errors, "voice_2"),
                        "Question 2: the answer must be a whole number from 1 to 7");
    assert_string_equal(msg_for(errors, "voice_3"),   /* 5.0 is not a whole number */
                        "Question 3: the answer must be a whole number from 1 to 7");
    assert_string_equal(msg_for(errors, "power_1"),   /* true is not a number */
                        "Question 4: the answer must be a whole number from 1 to 7");
    assert_string_equal(msg_for(errors, "rung"),
                        "Question 21: the answer must be a whole number from 1 to 8");
    assert_string_equal(msg_for(errors, "discoveries"),
                        "Question 22: the answer must be 4000 characters or fewer (it has 4001)");
    assert_string_equal(msg_for(errors, "issues_addressed"), "Question 23: the answer must be text");
    assert_true(strncmp(msg_for(errors, "helped"), "Question 24: ", 13) == 0);
    assert_string_equal(msg_for(errors, "drivers"),
                        "Question 26: write 10 things or fewer, one per line (there are 11)");
    assert_string_equal(msg_for(errors, "concerns"),
                        "Question 27: each line must be 500 characters or fewer (line 1 has 501)");
    assert_string_equal(msg_for(errors, "accountabilities"),
                        "Question 28: the answer must be a list of text, one entry per line");
    assert_string_equal(msg_for(errors, "nope"), "There is no question 'nope' in this check-in");
    json_decref(out);
    json_decref(errors);
    json_decref(a);
    free(long_text);
    free(long_entry);
}

static void test_normalise_not_object(void **state)
{
    struct pure *p = *state;
    json_t *a = json_array(), *errors = json_object(), *out = NULL;
    assert_int_equal(checkin_normalise(&p->ins, a, 1, &out, errors), -1);
    assert_null(out);
    json_decref(errors);
    json_decref(a);
}

static void test_value_text(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1024);
    json_t *v = json_integer(5);
    assert_int_equal(checkin_value_text(v, &b), 0);
    assert_string_equal(b.data, "5");
    json_decref(v);
    v = json_pack("[ss]", "a", "b c");
    assert_int_equal(checkin_value_text(v, &b), 0);
    assert_string_equal(b.data, "a\nb c");
    json_decref(v);
    v = json_string("text");
    assert_int_equal(checkin_value_text(v, &b), 0);
    assert_string_equal(b.data, "text");
    json_decref(v);
    v = json_object();
    assert_int_equal(checkin_value_text(v, &b), -1);
    json_decref(v);
    buf_free(&b);
}

/* ------------------------------------------------------------------ */
/* with a database                                                     */

struct fx {
    char path[64];
    struct store *st;
    int64_t le1, sy1, p1, m1;   /* ids */
};

static void add_pair(struct store *st, const char *code, const char *lived, const char *lrole,
                     const char *system, const char *srole)
{
    struct store_person a = {lived, "Lived person", NULL, NULL};
    struct store_person b = {system, "System person", NULL, NULL};
    OK(store_person_add(st, &a, NULL, e));
    OK(store_person_add(st, &b, NULL, e));
    struct store_member m[] = {{lived, lrole}, {system, srole}};
    struct store_partnership p = {"Cohort A", code, "Better discharge", "Fewer delays", 2, m};
    OK(store_partnership_add(st, &p, NULL, e));
}

static int db_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (tl_temp_path(f->path, sizeof f->path, "checkin") != 0) {
        free(f);
        return -1;
    }
    duet_err e0;
    if (store_open(f->path, &f->st, &e0) != 0) {
        tl_remove_db(f->path);
        free(f);
        return -1;
    }
    *state = f;
    struct store *st = f->st;
    OK(store_begin(st, e));
    OK(setup_default_instrument(st, e));
    OK(store_programme_add(st, "Checkin test", NULL, NULL, e));
    OK(store_cohort_add(st, "Checkin test", "Cohort A", NULL, NULL, e));
    OK(store_module_add(st, "Cohort A", 1, "2026-01-15", "Finding a partner", NULL, e));
    OK(store_module_add(st, "Cohort A", 2, NULL, NULL, NULL, e));
    OK(store_module_add(st, "Cohort A", 3, NULL, NULL, NULL, e));
    add_pair(st, "P1", "le.1", "patient_leader", "sy.1", "clinician");
    add_pair(st, "P2", "le.2", "carer", "sy.2", "gp");
    OK(store_commit(st, e));
    int64_t cohort;
    OK(store_person_id(st, "le.1", &f->le1, e));
    OK(store_person_id(st, "sy.1", &f->sy1, e));
    OK(store_partnership_id(st, "P1", &f->p1, &cohort, e));
    OK(store_module_id(st, cohort, 1, &f->m1, e));
    return 0;
}

static int db_teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    tl_remove_db(f->path);
    free(f);
    return 0;
}

static const struct instrument *current(struct store *st)
{
    duet_err err;
    const struct instrument *ins = checkin_instrument(st, &err);
    if (ins == NULL)
        fail_msg("checkin_instrument: %s", err.msg);
    return ins;
}

static void test_submit_then_conflict(void **state)
{
    struct fx *f = *state;
    const struct instrument *ins = current(f->st);
    json_t *a = all_numeric(5), *errors = json_object(), *stored = NULL;
    json_object_set_new(a, "drivers", json_pack("[ss]", "Better care", "Fairness"));
    OK(checkin_submit(f->st, ins, "P1", 1, "le.1", a, errors, &stored, e));
    assert_int_equal(json_object_size(stored), NNUMERIC + 1);
    json_decref(stored);
    int exists = 0;
    OK(store_checkin_exists(f->st, f->le1, f->p1, f->m1, &exists, e));
    assert_true(exists);
    json_t *got;
    OK((got = store_checkin_get(f->st, f->le1, f->p1, f->m1, e)) == NULL);
    assert_string_equal(json_string_value(json_object_get(got, "instrument")),
                        "partnership-checkin");
    json_t *answers = json_object_get(got, "answers");
    assert_int_equal(json_integer_value(json_object_get(answers, "rung")), 5);
    assert_string_equal(json_string_value(json_object_get(answers, "drivers")),
                        "Better care\nFairness");
    json_decref(got);
    /* The same check-in again is refused and changes nothing. */
    duet_err err;
    assert_int_equal(checkin_submit(f->st, ins, "P1", 1, "le.1", a, errors, NULL, &err), -1);
    assert_int_equal(err.code, DUET_ECONFLICT);
    /* Even with answers that would not do: it is the check-in that is done. */
    json_t *some = json_pack("{s:i}", "voice_1", 99);
    assert_int_equal(checkin_submit(f->st, ins, "P1", 1, "le.1", some, errors, NULL, &err), -1);
    assert_int_equal(err.code, DUET_ECONFLICT);
    json_decref(some);
    json_decref(errors);
    json_decref(a);
}

static void test_submit_invalid_writes_nothing(void **state)
{
    struct fx *f = *state;
    const struct instrument *ins = current(f->st);
    json_t *a = json_pack("{s:i}", "voice_1", 5), *errors = json_object();
    duet_err err;
    assert_int_equal(checkin_submit(f->st, ins, "P1", 1, "le.1", a, errors, NULL, &err), -1);
    assert_int_equal(err.code, DUET_EINPUT);
    assert_int_equal(json_object_size(errors), NNUMERIC - 1);
    int exists = 1;
    OK(store_checkin_exists(f->st, f->le1, f->p1, f->m1, &exists, e));
    assert_false(exists);
    json_decref(a);
    /* A module the cohort does not have; a person not in the partnership. */
    a = all_numeric(3);
    assert_int_equal(checkin_submit(f->st, ins, "P1", 9, "le.1", a, errors, NULL, &err), -1);
    assert_int_equal(err.code, DUET_ENOTFOUND);
    assert_string_equal(err.msg, "module 9 does not exist in the cohort of partnership 'P1'");
    assert_int_equal(checkin_submit(f->st, ins, "P1", 1, "le.2", a, errors, NULL, &err), -1);
    assert_int_equal(err.code, DUET_EINPUT);
    json_decref(a);
    /* Nothing answered at all (an instrument with no required items would allow it). */
    json_decref(errors);
}

static void test_draft_round_trip(void **state)
{
    struct fx *f = *state;
    const struct instrument *ins = current(f->st);
    json_t *a = json_pack("{s:s, s:s}", "voice_1", "6", "concerns", "Time\r\nMoney"),
           *errors = json_object(), *stored = NULL;
    OK(checkin_save_draft(f->st, ins, "P1", 1, "le.1", a, errors, &stored, e));
    json_decref(stored);
    json_t *draft = NULL;
    char at[32];
    OK(store_draft_get(f->st, f->le1, f->p1, f->m1, &draft, at, e));
    assert_non_null(draft);
    assert_int_equal(json_integer_value(json_object_get(draft, "voice_1")), 6);
    assert_int_equal(json_array_size(json_object_get(draft, "concerns")), 2);
    assert_true(strlen(at) > 0);
    json_decref(draft);

    json_t *ov;
    OK((ov = store_partnership_overview(f->st, "P1", f->le1, e)) == NULL);
    json_t *mods = json_object_get(ov, "modules");
    assert_int_equal(json_array_size(mods), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(mods, 0), "my_checkin")),
                        "draft");
    assert_string_equal(json_string_value(json_object_get(json_array_get(mods, 1), "my_checkin")),
                        "not_started");
    json_decref(ov);

    /* Submitting deletes the draft; a draft after that is refused. */
    json_t *full = all_numeric(4);
    OK(checkin_submit(f->st, ins, "P1", 1, "le.1", full, errors, NULL, e));
    OK(store_draft_get(f->st, f->le1, f->p1, f->m1, &draft, at, e));
    assert_null(draft);
    assert_string_equal(at, "");
    duet_err err;
    assert_int_equal(checkin_save_draft(f->st, ins, "P1", 1, "le.1", a, errors, NULL, &err), -1);
    assert_int_equal(err.code, DUET_ECONFLICT);
    OK((ov = store_partnership_overview(f->st, "P1", f->le1, e)) == NULL);
    mods = json_object_get(ov, "modules");
    assert_string_equal(json_string_value(json_object_get(json_array_get(mods, 0), "my_checkin")),
                        "done");
    json_decref(ov);
    /* Without a person the status is left out (null). */
    OK((ov = store_partnership_overview(f->st, "P1", 0, e)) == NULL);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(ov, "modules"), 0),
                                             "my_checkin")));
    json_decref(ov);
    json_decref(full);
    json_decref(errors);
    json_decref(a);
}

static void test_draft_refuses_bad_values(void **state)
{
    struct fx *f = *state;
    json_t *a = json_pack("{s:i}", "voice_1", 8), *errors = json_object();
    duet_err err;
    assert_int_equal(checkin_save_draft(f->st, current(f->st), "P1", 1, "le.1", a, errors,
                                        NULL, &err), -1);
    assert_int_equal(err.code, DUET_EINPUT);
    assert_string_equal(msg_for(errors, "voice_1"),
                        "Question 1: the answer must be a whole number from 1 to 7");
    json_t *draft = NULL;
    OK(store_draft_get(f->st, f->le1, f->p1, f->m1, &draft, NULL, e));
    assert_null(draft);
    /* The store itself refuses what is not a JSON object. */
    assert_int_equal(store_draft_save(f->st, f->le1, f->p1, f->m1, "[1]", &err), -1);
    assert_int_equal(err.code, DUET_EINPUT);
    json_decref(errors);
    json_decref(a);
}

static void test_withdrawal_deletes_drafts(void **state)
{
    struct fx *f = *state;
    OK(store_draft_save(f->st, f->le1, f->p1, f->m1, "{\"helped\":\"private words\"}", e));
    OK(store_consent_give(f->st, "le.1", "research", "1", e));
    OK(store_consent_withdraw(f->st, "le.1", "research", e));
    json_t *draft = NULL;
    OK(store_draft_get(f->st, f->le1, f->p1, f->m1, &draft, NULL, e));
    assert_null(draft);
}

static void test_person_partnerships(void **state)
{
    struct fx *f = *state;
    json_t *a = all_numeric(4), *errors = json_object();
    OK(checkin_submit(f->st, current(f->st), "P1", 2, "le.1", a, errors, NULL, e));
    json_t *rows;
    OK((rows = store_person_partnerships(f->st, f->le1, e)) == NULL);
    assert_int_equal(json_array_size(rows), 1);
    json_t *p = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_object_get(p, "code")), "P1");
    assert_string_equal(json_string_value(json_object_get(p, "cohort")), "Cohort A");
    assert_int_equal(json_integer_value(json_object_get(p, "modules")), 3);
    assert_int_equal(json_integer_value(json_object_get(p, "checkins_done")), 1);
    assert_null(json_object_get(p, "id"));   /* internal ids never leave the store */
    json_t *members = json_object_get(p, "members");
    assert_int_equal(json_array_size(members), 2);
    json_t *first = json_array_get(members, 0);   /* lived-experience side first */
    assert_string_equal(json_string_value(json_object_get(first, "person")), "le.1");
    assert_string_equal(json_string_value(json_object_get(first, "role_label")), "Patient leader");
    assert_null(json_object_get(first, "partnership_id"));
    json_decref(rows);
    OK((rows = store_person_partnerships(f->st, 999, e)) == NULL);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    json_decref(errors);
    json_decref(a);
}

static void test_reflections_newest_first(void **state)
{
    struct fx *f = *state;
    OK(store_reflection_add(f->st, "le.1", "P1", 1, "private", "first", NULL, e));
    OK(store_reflection_add(f->st, "sy.1", "P1", 0, "partner", "second", NULL, e));
    OK(store_reflection_add(f->st, "le.2", "P2", 0, "partner", "elsewhere", NULL, e));
    json_t *rows;
    OK((rows = store_partnership_reflections(f->st, f->p1, e)) == NULL);
    assert_int_equal(json_array_size(rows), 2);
    json_t *r0 = json_array_get(rows, 0), *r1 = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_object_get(r0, "text")), "second");
    assert_int_equal(json_integer_value(json_object_get(r0, "author_id")), f->sy1);
    assert_true(json_is_null(json_object_get(r0, "module")));
    assert_string_equal(json_string_value(json_object_get(r1, "visibility")), "private");
    assert_int_equal(json_integer_value(json_object_get(r1, "module")), 1);
    json_decref(rows);
}

/* Collects one partnership's (module, person, item, value) rows as text. */
static int collect(void *ctx, const struct store_scored_row *r, duet_err *e)
{
    (void)e;
    duet_buf *b = ctx;
    if (strcmp(r->partnership, "P1") == 0)
        buf_printf(b, "%d %s %s %s %g\n", r->module, r->person, r->side, r->item, r->value);
    return 0;
}

static void test_scored_each_partnership(void **state)
{
    struct fx *f = *state;
    const struct instrument *ins = current(f->st);
    json_t *errors = json_object();
    for (int m = 1; m <= 2; m++) {
        json_t *a = all_numeric(m + 2), *b = all_numeric(6);
        OK(checkin_submit(f->st, ins, "P1", m, "le.1", a, errors, NULL, e));
        OK(checkin_submit(f->st, ins, "P1", m, "sy.1", b, errors, NULL, e));
        OK(checkin_submit(f->st, ins, "P2", m, "le.2", b, errors, NULL, e));
        json_decref(a);
        json_decref(b);
    }
    /* The same rows as the cohort-wide read, in the same order. */
    duet_buf all, one;
    buf_init(&all, 1 << 20);
    buf_init(&one, 1 << 20);
    OK(store_scored_each(f->st, "Cohort A", NULL, collect, &all, e));
    OK(store_scored_each_partnership(f->st, "P1", NULL, collect, &one, e));
    assert_true(one.len > 0);
    assert_string_equal(all.data, one.data);
    buf_free(&all);
    buf_free(&one);
    duet_err err;
    assert_int_equal(store_scored_each_partnership(f->st, "P9", NULL, collect, &one, &err), -1);
    assert_int_equal(err.code, DUET_ENOTFOUND);

    /* rel_load_partnership scores P1 exactly as rel_load does. */
    struct rel_data d1, d2;
    OK(rel_load(f->st, "Cohort A", NULL, &d1, e));
    OK(rel_load_partnership(f->st, "P1", NULL, &d2, e));
    assert_int_equal(d2.nparts, 1);
    const struct rel_partnership *a = NULL, *b = &d2.parts[0];
    for (size_t i = 0; i < d1.nparts; i++)
        if (strcmp(d1.parts[i].code, "P1") == 0)
            a = &d1.parts[i];
    assert_non_null(a);
    assert_int_equal(a->nmodules, 2);
    assert_int_equal(b->nmodules, 2);
    int cv = rel_construct(&d2, "voice");
    assert_true(cv >= 0);
    /* voice_3 is reverse-keyed: answers 3, 3, 3 score (3 + 3 + 5) / 3. */
    assert_true(fabs(rel_side(b, 0, 1, cv) - 11.0 / 3) < 1e-12);
    for (size_t t = 0; t < 2; t++)
        for (int lived = 0; lived < 2; lived++)
            assert_true(fabs(rel_side(a, t, lived, -1) - rel_side(b, t, lived, -1)) < 1e-12);
    rel_free(&d1);
    rel_free(&d2);
    /* With research consent required and given by nobody: nothing to score. */
    OK(rel_load_partnership(f->st, "P1", "research", &d2, e));
    assert_int_equal(d2.nparts, 0);
    rel_free(&d2);
    json_decref(errors);
}

/* The store's data version moves on with every commit, by this connection
** or another, and only then; the web's cache (web/cache.h) keys by it. */
static void test_data_version_and_cache(void **state)
{
    struct fx *f = *state;
    int64_t v0 = store_data_version(f->st);
    assert_true(v0 >= 0);
    assert_int_equal(store_data_version(f->st), v0);   /* reads change nothing */
    duet_err err;
    json_decref(store_programme_list(f->st, &err));
    assert_int_equal(store_data_version(f->st), v0);

    struct web_cache *c = web_cache_new();
    assert_non_null(c);
    json_t *v = json_string("computed");
    assert_null(web_cache_get(c, f->st, "k"));
    web_cache_put(c, f->st, "k", v);
    json_t *got = web_cache_get(c, f->st, "k");
    assert_ptr_equal(got, v);
    json_decref(got);
    /* A write through this connection moves the version on and drops it. */
    OK(store_programme_add(f->st, "Another", NULL, NULL, e));
    int64_t v1 = store_data_version(f->st);
    assert_true(v1 > v0);
    assert_null(web_cache_get(c, f->st, "k"));
    web_cache_put(c, f->st, "k", v);
    got = web_cache_get(c, f->st, "k");
    assert_non_null(got);
    json_decref(got);
    /* So does a write through another connection. */
    struct store *other;
    OK(store_open(f->path, &other, e));
    OK(store_programme_add(other, "Third", NULL, NULL, e));
    store_close(other);
    assert_true(store_data_version(f->st) > v1);
    assert_null(web_cache_get(c, f->st, "k"));
    /* A value computed before a write is not kept. */
    web_cache_put(c, f->st, "k", v);
    OK(store_programme_add(f->st, "Fourth", NULL, NULL, e));
    web_cache_put(c, f->st, "k", v);
    assert_null(web_cache_get(c, f->st, "k"));
    /* More keys than it holds: the oldest go, the newest stay. */
    char key[32];
    for (int i = 0; i < WEB_CACHE_MAX + 5; i++) {
        snprintf(key, sizeof key, "key%d", i);
        json_decref(web_cache_get(c, f->st, key));
        web_cache_put(c, f->st, key, v);
    }
    assert_null(web_cache_get(c, f->st, "key0"));
    snprintf(key, sizeof key, "key%d", WEB_CACHE_MAX + 4);
    got = web_cache_get(c, f->st, key);
    assert_non_null(got);
    json_decref(got);
    /* No cache: nothing is kept, nothing fails. */
    web_cache_put(NULL, f->st, "k", v);
    assert_null(web_cache_get(NULL, f->st, "k"));
    web_cache_free(c);
    json_decref(v);
}

static const char v2[] =
    "{\"format\": \"duet-instrument/1\", \"name\": \"partnership-checkin\", \"version\": 2,"
    " \"title\": \"Shorter check-in\", \"constructs\": [{\"name\": \"voice\", \"label\": \"Voice\"}],"
    " \"items\": [{\"name\": \"v2_voice\", \"construct\": \"voice\", \"type\": \"scale\","
    " \"text\": \"I was heard.\", \"min\": 1, \"max\": 5}]}";

static void test_instrument_current(void **state)
{
    struct fx *f = *state;
    const struct instrument *a = current(f->st), *b = current(f->st);
    assert_ptr_equal(a, b);   /* parsed once */
    assert_int_equal(a->version, 1);
    assert_int_equal(a->nitems, 28);
    struct instrument ins;
    OK(instrument_parse(v2, strlen(v2), "v2", &ins, e));
    OK(store_instrument_add(f->st, &ins, NULL, e));
    instrument_free(&ins);
    const struct instrument *c = current(f->st);
    assert_int_equal(c->version, 2);
    assert_int_equal(c->nitems, 1);
    duet_err err;
    assert_null(store_instrument_current(f->st, "no-such-instrument", &err));
    assert_int_equal(err.code, DUET_ENOTFOUND);
}

int main(void)
{
    setenv("DUET_NOW", "2026-03-01T09:00:00Z", 1);
    const struct CMUnitTest tests[] = {
#define P(fn) cmocka_unit_test_setup_teardown(fn, pure_setup, pure_teardown)
#define T(fn) cmocka_unit_test_setup_teardown(fn, db_setup, db_teardown)
        P(test_normalise_complete),
        P(test_normalise_missing),
        P(test_normalise_bad_values),
        P(test_normalise_not_object),
        cmocka_unit_test(test_value_text),
        T(test_submit_then_conflict),
        T(test_submit_invalid_writes_nothing),
        T(test_draft_round_trip),
        T(test_draft_refuses_bad_values),
        T(test_withdrawal_deletes_drafts),
        T(test_person_partnerships),
        T(test_reflections_newest_first),
        T(test_scored_each_partnership),
        T(test_data_version_and_cache),
        T(test_instrument_current),
#undef P
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
