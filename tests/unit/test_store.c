/*
** test_store.c — the SQLite store through its public API (store.h): opening
** and migrating, records and their JSON, input checks, partnership rules,
** consent and erasure, the audit chain (including tampering with the file
** behind the store's back) and transactions.
**
** Every test gets its own fresh database file (mkstemp in /tmp), removed
** afterwards, so the tests do not depend on each other or on their order.
** Expected values are written by hand from the data each test makes; none is
** copied from what the code under test returned. DUET_NOW fixes the clock.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "io/instrument.h"
#include "store/db.h"
#include "store/store.h"
#include "testlib.h"

#define NOW "2026-03-01T09:00:00Z"

/* ------------------------------------------------------------------ */
/* fixture and helpers                                                 */

/* db_prep caches statements by the address of their text. Two texts
** written one after the other into the same buffer must still each run as
** themselves (a bug that once made coding an observation after a
** reflection insert into the wrong column). */
static void test_prep_same_buffer_other_text(void **state)
{
    struct tl_world *f = *state;
    char sql[64];
    duet_err e;
    for (int k = 1; k <= 3; k++) {
        snprintf(sql, sizeof sql, "SELECT %d", k * 7);
        sqlite3_stmt *s = db_prep(f->st, sql, &e);
        assert_non_null(s);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(s, 0), k * 7);
        sqlite3_reset(s);
    }
}

static int setup(void **state)
{
    struct tl_world *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (tl_store_open(f, "store") != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct tl_world *f = *state;
    tl_world_close(f);
    free(f);
    return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("key '%s' is not a string", key);
    return json_string_value(v);
}

static long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("key '%s' is not an integer", key);
    return (long long)json_integer_value(v);
}

/* 0 for a value (released), -1 for NULL: lets REFUSED check read calls. */
static int json_or_fail(json_t *v)
{
    if (v == NULL)
        return -1;
    json_decref(v);
    return 0;
}

static int jnull(const json_t *o, const char *key)
{
    return json_is_null(json_object_get(o, key));
}

static struct store_audit_report verify(struct store *st)
{
    struct store_audit_report r;
    OK(store_audit_verify(st, &r, e));
    return r;
}

/* A small instrument of our own: two scale items and a text item. */
static const char mini_json[] =
    "{\"format\": \"duet-instrument/1\", \"name\": \"mini\", \"version\": 1, "
    "\"title\": \"Mini\", \"constructs\": [{\"name\": \"voice\", \"label\": \"Voice\"}], "
    "\"items\": ["
    "{\"name\": \"m_q1\", \"construct\": \"voice\", \"type\": \"scale\", \"text\": \"Q1\", "
    "\"min\": 1, \"max\": 5},"
    "{\"name\": \"m_q2\", \"construct\": \"voice\", \"type\": \"scale\", \"text\": \"Q2\", "
    "\"min\": 1, \"max\": 5, \"reverse\": true},"
    "{\"name\": \"m_note\", \"type\": \"text\", \"text\": \"Note\"}]}";

static int64_t add_mini_instrument(struct store *st)
{
    struct instrument ins;
    int64_t id = 0;
    OK(instrument_parse(mini_json, strlen(mini_json), "mini.json", &ins, e));
    OK(store_instrument_add(st, &ins, &id, e));
    instrument_free(&ins);
    return id;
}

/* Programme "Alpha", cohort "Cohort 1" with modules 1 and 2: 4 audit entries. */
static void add_frame(struct store *st)
{
    OK(store_programme_add(st, "Alpha", "Pairs of leaders", NULL, e));
    OK(store_cohort_add(st, "Alpha", "Cohort 1", "2026-01-15", NULL, e));
    OK(store_module_add(st, "Cohort 1", 1, "2026-01-20", "Finding a partner", NULL, e));
    OK(store_module_add(st, "Cohort 1", 2, "2026-02-20", "Power and voice", NULL, e));
}

static void add_person(struct store *st, const char *key, const char *name)
{
    struct store_person p = {key, name, "Org", "x@example.org"};
    OK(store_person_add(st, &p, NULL, e));
}

/* "cohort|module|partnership|person|item|value\n" per response. */
static int collect_row(void *ctx, const struct store_response_row *row, duet_err *e)
{
    (void)e;
    return buf_printf(ctx, "%s|%d|%s|%s|%s|%s\n", row->cohort, row->module, row->partnership,
                      row->person, row->item, row->value);
}

static char *responses(struct store *st, const char *purpose)
{
    duet_buf b;
    buf_init(&b, 1 << 20);
    OK(store_responses_each(st, purpose, collect_row, &b, e));
    buf_putc(&b, '\0');
    return buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* opening and migrating                                               */

/* The number of migrations grows with every release; the tests check that a
** new database gets all of them rather than naming the count. */
static int latest_version(void)
{
    struct store *st = NULL;
    OK(store_open(":memory:", &st, e));
    int v = store_schema_version(st);
    store_close(st);
    return v;
}

static void test_open_creates_and_migrates(void **state)
{
    struct tl_world *f = *state;
    int latest = latest_version();
    assert_true(latest >= 2);   /* 001_initial, 002_accounts, ... */
    assert_int_equal(store_schema_version(f->st), latest);
    assert_int_equal(tl_sql_int(f->path, "PRAGMA user_version"), latest);
    json_t *roles;
    OK((roles = store_role_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(roles), 13);   /* the catalogue in 001_initial.sql */
    json_decref(roles);
    json_t *list;
    OK((list = store_programme_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);

    int64_t id = 0;
    OK(store_programme_add(f->st, "Alpha", "First", &id, e));
    assert_int_equal(id, 1);

    /* Re-opening keeps the data and does not migrate again. */
    store_close(f->st);
    f->st = NULL;
    OK(store_open(f->path, &f->st, e));
    assert_int_equal(store_schema_version(f->st), latest);
    OK((list = store_programme_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(jstr(json_array_get(list, 0), "name"), "Alpha");
    assert_string_equal(jstr(json_array_get(list, 0), "description"), "First");
    json_decref(list);
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 1);
    assert_int_equal(r.first_bad, 0);
}

static void test_open_refuses_newer_schema(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "store"), 0);
    assert_int_equal(tl_sql_exec(path, "PRAGMA user_version = 99", NULL, 0), SQLITE_OK);
    struct store *st = NULL;
    duet_err e;
    assert_int_equal(store_open(path, &st, &e), -1);
    assert_null(st);
    assert_int_equal(e.code, DUET_EIO);
    assert_int_equal(strncmp(e.msg, path, strlen(path)), 0);
    char want[128];
    snprintf(want, sizeof want, "the database has schema version 99 but this duet knows "
             "only up to %d; use a newer duet", latest_version());
    assert_non_null(strstr(e.msg, want));
    tl_remove_db(path);

    assert_int_equal(store_open("/nonexistent-duet-dir/x.db", &st, &e), -1);
    assert_null(st);
    assert_int_equal(e.code, DUET_EIO);
    assert_int_equal(strncmp(e.msg, "/nonexistent-duet-dir/x.db: cannot open the database",
                             strlen("/nonexistent-duet-dir/x.db: cannot open the database")), 0);
}

/* ------------------------------------------------------------------ */
/* programme, cohort, module                                           */

static void test_programme_cohort_module(void **state)
{
    struct tl_world *f = *state;
    int64_t pid = 0, cid = 0, mid = 0;
    OK(store_programme_add(f->st, "Alpha", "Pairs of leaders\nsecond line", &pid, e));
    OK(store_programme_add(f->st, "Beta", NULL, NULL, e));
    OK(store_cohort_add(f->st, "Alpha", "Cohort 1", "2026-01-15", &cid, e));
    OK(store_cohort_add(f->st, "Alpha", "Cohort 0", NULL, NULL, e));
    OK(store_module_add(f->st, "Cohort 1", 2, "2026-02-20", "Power and voice", &mid, e));
    OK(store_module_add(f->st, "Cohort 1", 1, NULL, NULL, NULL, e));
    assert_int_equal(pid, 1);
    assert_int_equal(cid, 1);
    assert_int_equal(mid, 1);

    json_t *list;
    OK((list = store_programme_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    json_t *a = json_array_get(list, 0), *b = json_array_get(list, 1);
    assert_string_equal(jstr(a, "name"), "Alpha");
    assert_string_equal(jstr(a, "description"), "Pairs of leaders\nsecond line");
    assert_string_equal(jstr(a, "created_at"), NOW);
    assert_int_equal(jint(a, "cohorts"), 2);
    assert_string_equal(jstr(b, "name"), "Beta");
    assert_string_equal(jstr(b, "description"), "");
    assert_int_equal(jint(b, "cohorts"), 0);
    json_decref(list);

    json_t *p;
    OK((p = store_programme_show(f->st, "Alpha", e)) == NULL);
    assert_int_equal(jint(p, "id"), 1);
    json_t *cohorts = json_object_get(p, "cohorts");
    assert_int_equal(json_array_size(cohorts), 2);
    /* ordered by name */
    assert_string_equal(jstr(json_array_get(cohorts, 0), "name"), "Cohort 0");
    assert_true(jnull(json_array_get(cohorts, 0), "starts_on"));
    assert_string_equal(jstr(json_array_get(cohorts, 1), "name"), "Cohort 1");
    assert_string_equal(jstr(json_array_get(cohorts, 1), "starts_on"), "2026-01-15");
    assert_string_equal(jstr(json_array_get(cohorts, 1), "programme"), "Alpha");
    assert_int_equal(jint(json_array_get(cohorts, 1), "modules"), 2);
    assert_int_equal(jint(json_array_get(cohorts, 1), "partnerships"), 0);
    json_decref(p);

    OK((list = store_module_list(f->st, "Cohort 1", e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    a = json_array_get(list, 0);
    b = json_array_get(list, 1);
    assert_int_equal(jint(a, "ordinal"), 1);
    assert_true(jnull(a, "held_on"));
    assert_string_equal(jstr(a, "theme"), "");
    assert_int_equal(jint(a, "checkins"), 0);
    assert_int_equal(jint(b, "ordinal"), 2);
    assert_int_equal(jint(b, "id"), 1);
    assert_string_equal(jstr(b, "held_on"), "2026-02-20");
    assert_string_equal(jstr(b, "theme"), "Power and voice");
    json_decref(list);

    json_t *m;
    OK((m = store_module_show(f->st, "Cohort 1", 2, e)) == NULL);
    assert_string_equal(jstr(m, "cohort"), "Cohort 1");
    assert_string_equal(jstr(m, "theme"), "Power and voice");
    json_decref(m);

    json_t *c;
    OK((c = store_cohort_show(f->st, "Cohort 1", e)) == NULL);
    assert_string_equal(jstr(c, "programme"), "Alpha");
    assert_string_equal(jstr(c, "created_at"), NOW);
    assert_int_equal(json_array_size(json_object_get(c, "modules")), 2);
    assert_int_equal(json_array_size(json_object_get(c, "partnerships")), 0);
    json_decref(c);

    int64_t id = 0;
    OK(store_cohort_id(f->st, "Cohort 1", &id, e));
    assert_int_equal(id, 1);
    OK(store_module_id(f->st, 1, 2, &id, e));
    assert_int_equal(id, 1);
    OK(store_module_id(f->st, 1, 1, &id, e));
    assert_int_equal(id, 2);
}

static void test_duplicates_and_missing(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);
    add_person(f->st, "amira.k", "Amira Khan");
    REFUSED(store_programme_add(f->st, "Alpha", "again", NULL, e), DUET_ECONFLICT,
            "programme 'Alpha' already exists");
    REFUSED(store_cohort_add(f->st, "Alpha", "Cohort 1", NULL, NULL, e), DUET_ECONFLICT,
            "cohort 'Cohort 1' already exists");
    REFUSED(store_module_add(f->st, "Cohort 1", 2, NULL, NULL, NULL, e), DUET_ECONFLICT,
            "module 2 of cohort 'Cohort 1' already exists");
    struct store_person p = {"amira.k", "Another Amira", NULL, NULL};
    REFUSED(store_person_add(f->st, &p, NULL, e), DUET_ECONFLICT,
            "person 'amira.k' already exists");

    REFUSED(store_cohort_add(f->st, "Gamma", "Cohort 9", NULL, NULL, e), DUET_ENOTFOUND,
            "programme 'Gamma' does not exist");
    REFUSED(store_module_add(f->st, "Cohort 9", 1, NULL, NULL, NULL, e), DUET_ENOTFOUND,
            "cohort 'Cohort 9' does not exist");
    REFUSED(json_or_fail(store_programme_show(f->st, "Gamma", e)),
            DUET_ENOTFOUND, "programme 'Gamma' does not exist");
    REFUSED(json_or_fail(store_module_show(f->st, "Cohort 1", 3, e)),
            DUET_ENOTFOUND, "module 3 of cohort 'Cohort 1' does not exist");
    REFUSED(json_or_fail(store_person_show(f->st, "nobody", e)),
            DUET_ENOTFOUND, "person 'nobody' does not exist");
    int64_t id;
    REFUSED(store_person_id(f->st, "nobody", &id, e), DUET_ENOTFOUND,
            "person 'nobody' does not exist");

    /* Refused writes leave no trace: 4 frame entries and 1 person. */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 5);
    assert_int_equal(r.first_bad, 0);
    json_t *list;
    OK((list = store_programme_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

static void test_bad_inputs(void **state)
{
    struct tl_world *f = *state;
    char name[256];

    /* names: length, control characters, UTF-8, required */
    memset(name, 'n', 201);
    name[201] = '\0';
    REFUSED(store_programme_add(f->st, name, NULL, NULL, e), DUET_EINPUT,
            "programme name is too long (201 bytes; at most 200)");
    REFUSED(store_programme_add(f->st, "bad\x01name", NULL, NULL, e), DUET_EINPUT,
            "programme name contains a control character (byte 4)");
    REFUSED(store_programme_add(f->st, "tab\there", NULL, NULL, e), DUET_EINPUT,
            "programme name contains a control character (byte 4)");
    REFUSED(store_programme_add(f->st, "del\x7f", NULL, NULL, e), DUET_EINPUT,
            "programme name contains a control character (byte 4)");
    REFUSED(store_programme_add(f->st, "caf\xc3", NULL, NULL, e), DUET_EINPUT,
            "programme name is not valid UTF-8 (byte 4)");
    REFUSED(store_programme_add(f->st, "\xc0\xaf", NULL, NULL, e), DUET_EINPUT,
            "programme name is not valid UTF-8 (byte 1)");      /* overlong '/' */
    REFUSED(store_programme_add(f->st, "x\xed\xa0\x80", NULL, NULL, e), DUET_EINPUT,
            "programme name is not valid UTF-8 (byte 2)");      /* a surrogate */
    REFUSED(store_programme_add(f->st, "", NULL, NULL, e), DUET_EINPUT,
            "programme name is required");
    REFUSED(store_programme_add(f->st, NULL, NULL, NULL, e), DUET_EINPUT,
            "programme name is required");
    REFUSED(store_programme_add(f->st, "Ok", "desc\x02", NULL, e), DUET_EINPUT,
            "description contains a control character (byte 5)");

    /* exactly 200 bytes, multi-byte UTF-8 and multi-line descriptions pass */
    name[200] = '\0';
    OK(store_programme_add(f->st, name, "two\nlines\tand a tab", NULL, e));
    OK(store_programme_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", NULL, NULL, e));
    json_t *p;
    OK((p = store_programme_show(f->st, "Caf\xc3\xa9 \xe2\x98\x95", e)) == NULL);
    assert_string_equal(jstr(p, "name"), "Caf\xc3\xa9 \xe2\x98\x95");
    json_decref(p);

    /* dates */
    REFUSED(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "C", "2026-02-30", NULL, e),
            DUET_EINPUT, "start date '2026-02-30' is not a real date");
    REFUSED(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "C", "2025-02-29", NULL, e),
            DUET_EINPUT, "start date '2025-02-29' is not a real date");
    REFUSED(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "C", "2026-04-31", NULL, e),
            DUET_EINPUT, "start date '2026-04-31' is not a real date");
    REFUSED(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "C", "2026-13-01", NULL, e),
            DUET_EINPUT, "start date '2026-13-01' is not a date of the form YYYY-MM-DD");
    REFUSED(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "C", "2026/01/15", NULL, e),
            DUET_EINPUT, "start date '2026/01/15' is not a date of the form YYYY-MM-DD");
    REFUSED(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "C", "2026-01-15x", NULL, e),
            DUET_EINPUT, "start date '2026-01-15x' is not a date of the form YYYY-MM-DD");
    OK(store_cohort_add(f->st, "Caf\xc3\xa9 \xe2\x98\x95", "Leap", "2024-02-29", NULL, e));
    REFUSED(store_module_add(f->st, "Leap", 1, "2026-06-31", NULL, NULL, e), DUET_EINPUT,
            "module date '2026-06-31' is not a real date");
    REFUSED(store_module_add(f->st, "Leap", 0, NULL, NULL, NULL, e), DUET_EINPUT,
            "module number 0 is outside 1..1000");
    REFUSED(store_module_add(f->st, "Leap", 1001, NULL, NULL, NULL, e), DUET_EINPUT,
            "module number 1001 is outside 1..1000");

    /* person keys and names */
    struct store_person bad = {"a b", "A B", NULL, NULL};
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT,
            "person key 'a b' may contain only letters, digits, '.', '_' and '-' "
            "(and must start with a letter or digit)");
    bad.key = ".ab";
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT,
            "person key '.ab' may contain only letters, digits, '.', '_' and '-' "
            "(and must start with a letter or digit)");
    bad.key = "";
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT, "person key is required");
    char key[80], msg[200];
    memset(key, 'k', 65);
    key[65] = '\0';
    bad.key = key;
    snprintf(msg, sizeof msg, "person key '%.64s...' is too long (at most 64 characters)", key);
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT, msg);
    bad.key = "ok.key";
    bad.display_name = "Two\nLines";
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT,
            "display name contains a control character (byte 4)");
    bad.display_name = NULL;
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT, "display name is required");
    bad.display_name = "Ok";
    bad.contact = "\xff";
    REFUSED(store_person_add(f->st, &bad, NULL, e), DUET_EINPUT,
            "contact is not valid UTF-8 (byte 1)");
    key[64] = '\0';   /* 64 characters are allowed */
    struct store_person good = {key, "Long Key", NULL, NULL};
    OK(store_person_add(f->st, &good, NULL, e));

    /* Only the four accepted writes are in the audit log. */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 4);
    json_t *list;
    OK((list = store_person_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
}

/* ------------------------------------------------------------------ */
/* people and partnerships                                             */

static void test_person_list_show(void **state)
{
    struct tl_world *f = *state;
    struct store_person z = {"zoe.w", "Zoe Williams", "Northshire ICB", "zoe@example.org"};
    struct store_person a = {"amira.k", "Amira Khan", NULL, NULL};
    int64_t zid = 0, aid = 0;
    OK(store_person_add(f->st, &z, &zid, e));
    OK(store_person_add(f->st, &a, &aid, e));
    assert_int_equal(zid, 1);
    assert_int_equal(aid, 2);

    json_t *list;
    OK((list = store_person_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    json_t *first = json_array_get(list, 0), *second = json_array_get(list, 1);
    assert_string_equal(jstr(first, "key"), "amira.k");   /* by key */
    assert_string_equal(jstr(first, "display_name"), "Amira Khan");
    assert_string_equal(jstr(first, "organisation"), "");
    assert_true(jnull(first, "partnerships"));
    assert_true(jnull(first, "erased_at"));
    assert_string_equal(jstr(second, "key"), "zoe.w");
    assert_string_equal(jstr(second, "organisation"), "Northshire ICB");
    json_decref(list);

    json_t *p;
    OK((p = store_person_show(f->st, "zoe.w", e)) == NULL);
    assert_int_equal(jint(p, "id"), 1);
    assert_string_equal(jstr(p, "display_name"), "Zoe Williams");
    assert_string_equal(jstr(p, "contact"), "zoe@example.org");
    assert_string_equal(jstr(p, "created_at"), NOW);
    assert_int_equal(json_array_size(json_object_get(p, "partnerships")), 0);
    assert_int_equal(json_array_size(json_object_get(p, "consent")), 0);
    json_decref(p);

    int64_t id = 0;
    OK(store_person_id(f->st, "amira.k", &id, e));
    assert_int_equal(id, 2);
}

/* Cohort "Cohort 1" plus five people: two lived experience, two system, one
** facilitator. */
static void add_people(struct store *st)
{
    add_frame(st);
    add_person(st, "le.a", "Lived A");       /* id 1 */
    add_person(st, "le.b", "Lived B");       /* id 2 */
    add_person(st, "sy.c", "System C");      /* id 3 */
    add_person(st, "sy.d", "System D");      /* id 4 */
    add_person(st, "fac.e", "Facilitator");  /* id 5 */
}

static void test_partnership_rules(void **state)
{
    struct tl_world *f = *state;
    add_people(f->st);
    struct store_member two_lived[] = {{"le.a", "patient_leader"}, {"le.b", "carer"}};
    struct store_partnership p = {"Cohort 1", "P01", "Title", "Aim", 2, two_lived};
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "partnership 'P01' needs at least one member on each side (lived experience: 2, "
            "system: 0)");
    struct store_member two_system[] = {{"sy.c", "clinician"}, {"sy.d", "gp"}};
    p.members = two_system;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "partnership 'P01' needs at least one member on each side (lived experience: 0, "
            "system: 2)");
    struct store_member staff[] = {{"le.a", "patient_leader"}, {"fac.e", "facilitator"}};
    p.members = staff;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "role 'facilitator' is a staff role; partnerships are made of participants");
    struct store_member twice[] = {{"le.a", "patient_leader"}, {"le.a", "clinician"}};
    p.members = twice;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "partnership 'P01' names person 'le.a' twice");
    struct store_member four[] = {{"le.a", "patient_leader"}, {"le.b", "carer"},
                                  {"sy.c", "clinician"}, {"sy.d", "gp"}};
    p.members = four;
    p.nmembers = 4;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "partnership 'P01' has 4 member(s); a pair has 2 and a triad 3");
    p.nmembers = 1;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "partnership 'P01' has 1 member(s); a pair has 2 and a triad 3");
    struct store_member unknown_role[] = {{"le.a", "patient_leader"}, {"sy.c", "mayor"}};
    p.members = unknown_role;
    p.nmembers = 2;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_ENOTFOUND,
            "role 'mayor' is not in the catalogue (see 'duet partnership roles')");
    struct store_member unknown_person[] = {{"le.a", "patient_leader"}, {"nobody", "gp"}};
    p.members = unknown_person;
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_ENOTFOUND,
            "person 'nobody' does not exist");
    p.cohort = "Cohort 9";
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_ENOTFOUND,
            "cohort 'Cohort 9' does not exist");
    p.cohort = "Cohort 1";
    p.code = "P 01";
    REFUSED(store_partnership_add(f->st, &p, NULL, e), DUET_EINPUT,
            "partnership code 'P 01' may contain only letters, digits, '.', '_' and '-' "
            "(and must start with a letter or digit)");

    /* a pair and a triad */
    struct store_member pair[] = {{"le.a", "patient_leader"}, {"sy.c", "clinician"}};
    struct store_partnership ok_pair = {"Cohort 1", "P01", "Discharge", "Better discharge", 2,
                                        pair};
    int64_t id1 = 0, id2 = 0;
    OK(store_partnership_add(f->st, &ok_pair, &id1, e));
    struct store_member triad[] = {{"le.b", "carer"}, {"sy.d", "gp"},
                                   {"sy.c", "specialist_service"}};
    struct store_partnership ok_triad = {"Cohort 1", "P02", NULL, NULL, 3, triad};
    OK(store_partnership_add(f->st, &ok_triad, &id2, e));
    assert_int_equal(id1, 1);
    assert_int_equal(id2, 2);
    REFUSED(store_partnership_add(f->st, &ok_pair, NULL, e), DUET_ECONFLICT,
            "partnership 'P01' already exists");

    json_t *t;
    OK((t = store_partnership_show(f->st, "P02", e)) == NULL);
    assert_string_equal(jstr(t, "kind"), "triad");
    assert_string_equal(jstr(t, "cohort"), "Cohort 1");
    assert_string_equal(jstr(t, "project_title"), "");
    json_t *members = json_object_get(t, "members");
    assert_int_equal(json_array_size(members), 3);
    /* ordered by side, then key */
    assert_string_equal(jstr(json_array_get(members, 0), "person"), "le.b");
    assert_string_equal(jstr(json_array_get(members, 0), "side"), "lived_experience");
    assert_string_equal(jstr(json_array_get(members, 1), "person"), "sy.c");
    assert_string_equal(jstr(json_array_get(members, 1), "role"), "specialist_service");
    assert_string_equal(jstr(json_array_get(members, 2), "person"), "sy.d");
    assert_string_equal(jstr(json_array_get(members, 2), "role"), "gp");
    assert_string_equal(jstr(json_array_get(members, 2), "display_name"), "System D");
    json_decref(t);

    json_t *list;
    OK((list = store_partnership_list(f->st, "Cohort 1", e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(jstr(json_array_get(list, 0), "code"), "P01");
    assert_string_equal(jstr(json_array_get(list, 0), "kind"), "pair");
    assert_string_equal(jstr(json_array_get(list, 0), "members"),
                        "le.a (patient_leader), sy.c (clinician)");
    assert_string_equal(jstr(json_array_get(list, 1), "kind"), "triad");
    json_decref(list);

    json_t *person;
    OK((person = store_person_show(f->st, "sy.c", e)) == NULL);
    json_t *parts = json_object_get(person, "partnerships");
    assert_int_equal(json_array_size(parts), 2);
    assert_string_equal(jstr(json_array_get(parts, 0), "partnership"), "P01");
    assert_string_equal(jstr(json_array_get(parts, 1), "role"), "specialist_service");
    json_decref(person);

    int64_t tid = 0, cid = 0;
    OK(store_partnership_id(f->st, "P02", &tid, &cid, e));
    assert_int_equal(tid, 2);
    assert_int_equal(cid, 1);
    const char *side = NULL;
    OK(store_member_side(f->st, 1, 1, &side, e));
    assert_string_equal(side, "lived_experience");
    OK(store_member_side(f->st, 1, 3, &side, e));
    assert_string_equal(side, "system");
    REFUSED(store_member_side(f->st, 1, 4, &side, e), DUET_ENOTFOUND,
            "not a member of the partnership");

    /* 4 frame + 5 people + 2 partnerships; refused attempts wrote nothing */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 11);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM membership"), 5);
}

/* ------------------------------------------------------------------ */
/* consent and erasure                                                 */

static void test_consent_lifecycle(void **state)
{
    struct tl_world *f = *state;
    add_person(f->st, "amira.k", "Amira Khan");
    OK(store_consent_give(f->st, "amira.k", "quotes", "2026-01", e));
    REFUSED(store_consent_give(f->st, "amira.k", "quotes", "2026-02", e), DUET_ECONFLICT,
            "person 'amira.k' has already given consent for quotes");
    REFUSED(store_consent_withdraw(f->st, "amira.k", "contact", e), DUET_ECONFLICT,
            "person 'amira.k' has not given consent for contact");
    REFUSED(store_consent_give(f->st, "amira.k", "marketing", "1", e), DUET_EINPUT,
            "consent purpose 'marketing' is not one of research, quotes, contact");
    REFUSED(store_consent_give(f->st, "nobody", "quotes", "1", e), DUET_ENOTFOUND,
            "person 'nobody' does not exist");
    REFUSED(store_consent_give(f->st, "amira.k", "contact", "", e), DUET_EINPUT,
            "consent version is required");
    OK(store_consent_withdraw(f->st, "amira.k", "quotes", e));
    REFUSED(store_consent_withdraw(f->st, "amira.k", "quotes", e), DUET_ECONFLICT,
            "person 'amira.k' has already withdrawn consent for quotes");
    REFUSED(store_consent_give(f->st, "amira.k", "quotes", "2026-03", e), DUET_ECONFLICT,
            "person 'amira.k' withdrew consent for quotes; withdrawal is final");

    json_t *list;
    OK((list = store_consent_list(f->st, "amira.k", e)) == NULL);
    assert_int_equal(json_array_size(list), 1);
    json_t *c = json_array_get(list, 0);
    assert_string_equal(jstr(c, "purpose"), "quotes");
    assert_string_equal(jstr(c, "version"), "2026-01");
    assert_string_equal(jstr(c, "given_at"), NOW);
    assert_string_equal(jstr(c, "withdrawn_at"), NOW);
    json_decref(list);

    /* Withdrawing quotes erases nothing. */
    json_t *p;
    OK((p = store_person_show(f->st, "amira.k", e)) == NULL);
    assert_string_equal(jstr(p, "display_name"), "Amira Khan");
    assert_true(jnull(p, "erased_at"));
    json_decref(p);
    /* person, give, withdraw (one update entry) */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 3);
    assert_int_equal(r.erased_payloads, 0);
}

static void test_withdraw_research_erases(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);                                     /* 4 entries */
    int64_t iid = add_mini_instrument(f->st);             /* 1 */
    struct store_person le = {"le.a", "Lived A", "Carers Network", "le@example.org"};
    struct store_person sy = {"sy.b", "System B", "Northshire ICB", "sy@example.org"};
    OK(store_person_add(f->st, &le, NULL, e));            /* 1, id 1 */
    OK(store_person_add(f->st, &sy, NULL, e));            /* 1, id 2 */
    struct store_member pair[] = {{"le.a", "patient_leader"}, {"sy.b", "clinician"}};
    struct store_partnership p = {"Cohort 1", "P1", "T", "A", 2, pair};
    OK(store_partnership_add(f->st, &p, NULL, e));        /* 1 */
    OK(store_consent_give(f->st, "le.a", "research", "v1", e));   /* 1 */
    OK(store_consent_give(f->st, "sy.b", "research", "v1", e));   /* 1 */
    OK(store_reflection_add(f->st, "le.a", "P1", 1, "private", "I felt heard.", NULL, e));
    OK(store_reflection_add(f->st, "sy.b", "P1", 0, "partner", "Good start.", NULL, e));

    struct store_item q1, q2, note;
    OK(store_item_get(f->st, "m_q1", &q1, e));
    OK(store_item_get(f->st, "m_q2", &q2, e));
    OK(store_item_get(f->st, "m_note", &note, e));
    int64_t mod1;
    OK(store_module_id(f->st, 1, 1, &mod1, e));
    struct store_answer a1[] = {{q1.id, 1, 4, NULL, 0}, {q2.id, 1, 2, NULL, 0},
                                {note.id, 0, 0, "Kept the minutes", 16}};
    struct store_answer a2[] = {{q1.id, 1, 5, NULL, 0}, {q2.id, 1, 1, NULL, 0}};
    struct store_checkin c[] = {{1, 1, mod1, iid, 3, a1}, {2, 1, mod1, iid, 2, a2}};
    OK(store_checkins_insert(f->st, c, 2, e));            /* 2 */

    char *all = responses(f->st, NULL);
    assert_string_equal(all, "Cohort 1|1|P1|le.a|m_q1|4\n"
                             "Cohort 1|1|P1|le.a|m_q2|2\n"
                             "Cohort 1|1|P1|le.a|m_note|Kept the minutes\n"
                             "Cohort 1|1|P1|sy.b|m_q1|5\n"
                             "Cohort 1|1|P1|sy.b|m_q2|1\n");
    free(all);

    OK(store_consent_withdraw(f->st, "le.a", "research", e));     /* 2: update + erase */

    /* The person is pseudonymised under "withdrawn-<id>". */
    REFUSED(json_or_fail(store_person_show(f->st, "le.a", e)), DUET_ENOTFOUND,
            "person 'le.a' does not exist");
    json_t *w;
    OK((w = store_person_show(f->st, "withdrawn-1", e)) == NULL);
    assert_string_equal(jstr(w, "display_name"), "(withdrawn)");
    assert_string_equal(jstr(w, "organisation"), "");
    assert_string_equal(jstr(w, "contact"), "");
    assert_string_equal(jstr(w, "erased_at"), NOW);
    json_t *cons = json_object_get(w, "consent");
    assert_int_equal(json_array_size(cons), 1);
    assert_string_equal(jstr(json_array_get(cons, 0), "withdrawn_at"), NOW);
    json_decref(w);

    /* Their reflection is gone; the partner's stays. */
    json_t *refl;
    OK((refl = store_reflection_list(f->st, "P1", e)) == NULL);
    assert_int_equal(json_array_size(refl), 1);
    assert_string_equal(jstr(json_array_get(refl, 0), "person"), "sy.b");
    assert_string_equal(jstr(json_array_get(refl, 0), "text"), "Good start.");
    json_decref(refl);

    /* They are out of every export, for research and without a purpose alike
    ** (an erased person is never exported); their numeric answers stay in
    ** the database under the pseudonym, their free text does not. */
    char *research = responses(f->st, "research");
    assert_string_equal(research, "Cohort 1|1|P1|sy.b|m_q1|5\n"
                                  "Cohort 1|1|P1|sy.b|m_q2|1\n");
    free(research);
    all = responses(f->st, NULL);
    assert_string_equal(all, "Cohort 1|1|P1|sy.b|m_q1|5\n"
                             "Cohort 1|1|P1|sy.b|m_q2|1\n");
    free(all);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM response r JOIN checkin k "
                                      "ON k.id = r.checkin_id WHERE k.person_id = 1 AND "
                                      "r.num IS NOT NULL"), 2);
    /* the text answer's row stays, with its value cleared */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM response r JOIN checkin k "
                                      "ON k.id = r.checkin_id WHERE k.person_id = 1 AND "
                                      "r.num IS NULL AND r.text IS NULL"), 1);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM response WHERE text IS NOT NULL"), 0);

    /* The chain still verifies; three payloads (person, reflection, check-in)
    ** were erased. 4+1+2+1+2+2+2+2 = 16 entries. */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 16);
    assert_int_equal(r.first_bad, 0);
    assert_int_equal(r.erased_payloads, 3);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit_payload WHERE "
                                      "new_value LIKE '%Lived A%' OR new_value LIKE '%le@example%' "
                                      "OR new_value LIKE '%I felt heard%' OR "
                                      "new_value LIKE '%Kept the minutes%'"), 0);
    json_t *log;
    OK((log = store_audit_list(f->st, 2, e)) == NULL);
    assert_int_equal(json_array_size(log), 2);
    assert_int_equal(jint(json_array_get(log, 0), "seq"), 16);
    assert_string_equal(jstr(json_array_get(log, 0), "action"), "erase");
    assert_string_equal(jstr(json_array_get(log, 0), "table"), "person");
    assert_int_equal(jint(json_array_get(log, 0), "row_id"), 1);
    assert_string_equal(jstr(json_array_get(log, 1), "action"), "update");
    assert_string_equal(jstr(json_array_get(log, 1), "table"), "consent");
    json_decref(log);

    /* Withdrawal is final, under the new key too. */
    REFUSED(store_consent_give(f->st, "withdrawn-1", "research", "v2", e), DUET_ECONFLICT,
            "person 'withdrawn-1' withdrew consent for research; withdrawal is final");
}

/* ------------------------------------------------------------------ */
/* check-ins                                                           */

static void test_checkins_insert(void **state)
{
    struct tl_world *f = *state;
    add_people(f->st);
    int64_t iid = add_mini_instrument(f->st);
    struct store_member pair[] = {{"le.a", "patient_leader"}, {"sy.c", "clinician"}};
    struct store_partnership p = {"Cohort 1", "P01", NULL, NULL, 2, pair};
    OK(store_partnership_add(f->st, &p, NULL, e));

    struct store_item it;
    OK(store_item_get(f->st, "m_q2", &it, e));
    assert_string_equal(it.type, "scale");
    assert_int_equal(it.min, 1);
    assert_int_equal(it.max, 5);
    assert_int_equal(it.instrument_id, iid);
    OK(store_item_get(f->st, "m_note", &it, e));
    assert_string_equal(it.type, "text");
    assert_int_equal(it.max_length, 4000);   /* the documented default */
    REFUSED(store_item_get(f->st, "zz", &it, e), DUET_ENOTFOUND,
            "item 'zz' is not defined by any instrument");
    struct store_item q1, q2;
    OK(store_item_get(f->st, "m_q1", &q1, e));
    OK(store_item_get(f->st, "m_q2", &q2, e));

    int64_t m1, m2;
    OK(store_module_id(f->st, 1, 1, &m1, e));
    OK(store_module_id(f->st, 1, 2, &m2, e));
    struct store_answer a[] = {{q1.id, 1, 2.5, NULL, 0}, {q2.id, 1, 0.1, NULL, 0}};
    struct store_answer twice[] = {{q1.id, 1, 1, NULL, 0}, {q1.id, 1, 2, NULL, 0}};
    struct store_checkin good = {3, 1, m2, iid, 2, a};
    struct store_checkin batch[] = {{1, 1, m1, iid, 2, a}, {3, 1, m1, iid, 2, twice}};

    /* The second check-in answers an item twice: neither is written. */
    REFUSED(store_checkins_insert(f->st, batch, 2, e), DUET_ECONFLICT,
            "a check-in answers the same item twice");
    int exists = 1;
    OK(store_checkin_exists(f->st, 1, 1, m1, &exists, e));
    assert_int_equal(exists, 0);

    OK(store_checkins_insert(f->st, &good, 1, e));
    OK(store_checkin_exists(f->st, 3, 1, m2, &exists, e));
    assert_int_equal(exists, 1);
    REFUSED(store_checkins_insert(f->st, &good, 1, e), DUET_ECONFLICT,
            "a check-in by this person for this partnership and module already exists");

    /* Numbers are printed exactly: 0.1 needs 17 significant digits. */
    char *all = responses(f->st, NULL);
    assert_string_equal(all, "Cohort 1|2|P01|sy.c|m_q1|2.5\n"
                             "Cohort 1|2|P01|sy.c|m_q2|0.10000000000000001\n");
    free(all);

    json_t *mods;
    OK((mods = store_module_list(f->st, "Cohort 1", e)) == NULL);
    assert_int_equal(jint(json_array_get(mods, 0), "checkins"), 0);
    assert_int_equal(jint(json_array_get(mods, 1), "checkins"), 1);
    json_decref(mods);
    /* 4 frame + 5 people + instrument + partnership + 1 check-in */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 12);
}

/* ------------------------------------------------------------------ */
/* audit                                                               */

static void test_audit_chain_intact(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);                                                  /* 1..4 */
    add_person(f->st, "le.a", "Lived A");                              /* 5 */
    add_person(f->st, "sy.b", "System B");                             /* 6 */
    struct store_member pair[] = {{"le.a", "carer"}, {"sy.b", "commissioner"}};
    struct store_partnership p = {"Cohort 1", "P01", NULL, NULL, 2, pair};
    OK(store_partnership_add(f->st, &p, NULL, e));                     /* 7 */
    OK(store_consent_give(f->st, "le.a", "research", "v1", e));        /* 8 */
    OK(store_project_log_add(f->st, "P01", "lever", "Care Act", "2026-02-01", NULL, e)); /* 9 */

    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 9);
    assert_int_equal(r.first_bad, 0);
    assert_int_equal(r.erased_payloads, 0);
    assert_int_equal(strlen(r.head), 64);
    /* head is the hex of the last entry's stored hash */
    char hex[80];
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT lower(hex(hash)) FROM audit WHERE seq = 9",
                                        -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(hex, sizeof hex, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    assert_string_equal(r.head, hex);

    json_t *log;
    OK((log = store_audit_list(f->st, 3, e)) == NULL);
    assert_int_equal(json_array_size(log), 3);
    json_t *last = json_array_get(log, 0);
    assert_int_equal(jint(last, "seq"), 9);
    assert_string_equal(jstr(last, "table"), "project_log");
    assert_string_equal(jstr(last, "action"), "insert");
    assert_string_equal(jstr(last, "actor"), "tester");
    assert_string_equal(jstr(last, "at"), NOW);
    assert_int_equal(jint(json_array_get(log, 1), "seq"), 8);
    assert_string_equal(jstr(json_array_get(log, 1), "table"), "consent");
    assert_int_equal(jint(json_array_get(log, 2), "seq"), 7);
    assert_string_equal(jstr(json_array_get(log, 2), "table"), "partnership");
    json_decref(log);
    OK((log = store_audit_list(f->st, 0, e)) == NULL);
    assert_int_equal(json_array_size(log), 9);
    json_t *first = json_array_get(log, 8);
    assert_int_equal(jint(first, "seq"), 1);
    assert_string_equal(jstr(first, "table"), "programme");
    assert_true(jnull(first, "old_value"));
    json_t *want = json_pack("{s:s, s:s}", "description", "Pairs of leaders", "name", "Alpha");
    assert_true(json_equal(json_object_get(first, "new_value"), want));
    json_decref(want);
    json_decref(log);
    /* payloads are stored as canonical JSON: compact, sorted keys */
    assert_int_equal(tl_sql_int(f->path, "SELECT new_value = '{\"description\":\"Pairs of "
                                      "leaders\",\"name\":\"Alpha\"}' FROM audit_payload "
                                      "WHERE seq = 1"), 1);

    /* The actor is recorded per write. */
    store_set_actor(f->st, "someone.else");
    add_person(f->st, "x.y", "X Y");                                   /* 10 */
    OK((log = store_audit_list(f->st, 1, e)) == NULL);
    assert_string_equal(jstr(json_array_get(log, 0), "actor"), "someone.else");
    json_decref(log);
    r = verify(f->st);
    assert_int_equal(r.entries, 10);
    assert_int_equal(r.first_bad, 0);
}

static void test_audit_tamper_payload(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);                                       /* 1..4 */
    add_person(f->st, "le.a", "Lived A");                   /* 5 */
    add_person(f->st, "sy.b", "System B");                  /* 6 */
    assert_int_equal(verify(f->st).first_bad, 0);

    char msg[256];
    assert_int_equal(tl_sql_exec(f->path, "UPDATE audit_payload SET new_value = "
                              "'{\"name\":\"Forged\"}' WHERE seq = 3", msg, sizeof msg),
                     SQLITE_OK);
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 6);
    assert_int_equal(r.first_bad, 3);

    /* A missing payload row is caught too (at the first bad entry). */
    assert_int_equal(tl_sql_exec(f->path, "DELETE FROM audit_payload WHERE seq = 5", msg,
                              sizeof msg), SQLITE_OK);
    r = verify(f->st);
    assert_int_equal(r.first_bad, 3);
    assert_int_equal(r.entries, 6);
}

static void test_audit_tamper_entry(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);                                       /* 1..4 */
    add_person(f->st, "le.a", "Lived A");                   /* 5 */

    /* The triggers refuse changes to the log itself. */
    char msg[256];
    assert_int_equal(tl_sql_exec(f->path, "UPDATE audit SET actor = 'mallory' WHERE seq = 2",
                              msg, sizeof msg), SQLITE_CONSTRAINT);
    assert_string_equal(msg, "the audit log is append-only");
    assert_int_equal(tl_sql_exec(f->path, "DELETE FROM audit WHERE seq = 5", msg, sizeof msg),
                     SQLITE_CONSTRAINT);
    assert_string_equal(msg, "the audit log is append-only");
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit"), 5);
    assert_int_equal(verify(f->st).first_bad, 0);

    /* Someone who drops the trigger still cannot change an entry unseen. */
    assert_int_equal(tl_sql_exec(f->path, "DROP TRIGGER audit_no_update; "
                              "UPDATE audit SET actor = 'mallory' WHERE seq = 2",
                              msg, sizeof msg), SQLITE_OK);
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 5);
    assert_int_equal(r.first_bad, 2);
}

static void test_audit_tamper_gap(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);                                       /* 1..4 */
    char msg[256];
    /* Removing an entry from the middle breaks the sequence at the next one. */
    assert_int_equal(tl_sql_exec(f->path, "DROP TRIGGER audit_no_delete; "
                              "DELETE FROM audit_payload WHERE seq = 2; "
                              "DELETE FROM audit WHERE seq = 2", msg, sizeof msg), SQLITE_OK);
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 3);
    assert_int_equal(r.first_bad, 3);
}

/* ------------------------------------------------------------------ */
/* transactions                                                        */

static void test_transaction_rollback(void **state)
{
    struct tl_world *f = *state;
    OK(store_begin(f->st, e));
    add_frame(f->st);
    add_person(f->st, "le.a", "Lived A");
    OK(store_consent_give(f->st, "le.a", "research", "v1", e));
    store_rollback(f->st);

    json_t *list;
    OK((list = store_programme_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    OK((list = store_person_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit_payload"), 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM module"), 0);

    /* Nested: an inner commit does not commit; the outer rollback undoes all. */
    OK(store_begin(f->st, e));
    OK(store_begin(f->st, e));
    OK(store_programme_add(f->st, "Inner", NULL, NULL, e));
    OK(store_commit(f->st, e));
    store_rollback(f->st);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM programme"), 0);

    /* After a rollback the chain starts again at 1 and still verifies. */
    int64_t id = 0;
    OK(store_programme_add(f->st, "After", NULL, &id, e));
    r = verify(f->st);
    assert_int_equal(r.entries, 1);
    assert_int_equal(r.first_bad, 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT seq FROM audit"), 1);

    /* A committed group lands whole. */
    OK(store_begin(f->st, e));
    OK(store_programme_add(f->st, "G1", NULL, NULL, e));
    OK(store_programme_add(f->st, "G2", NULL, NULL, e));
    OK(store_commit(f->st, e));
    r = verify(f->st);
    assert_int_equal(r.entries, 3);
    assert_int_equal(r.first_bad, 0);

    REFUSED(store_commit(f->st, e), DUET_EINTERNAL, "commit without a transaction");
    store_rollback(f->st);   /* harmless without a transaction */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM programme"), 3);
}

/* A cohort's name is one segment of its web addresses (/cohorts/NAME): one
** that holds '/' or is "." or ".." could never be reached, so it is
** refused, with nothing written; other URL-special characters are kept. */
static void test_cohort_names_fit_urls(void **state)
{
    struct tl_world *f = *state;
    OK(store_programme_add(f->st, "Alpha", NULL, NULL, e));
    REFUSED(store_cohort_add(f->st, "Alpha", "a/b", NULL, NULL, e), DUET_EINPUT,
            "cohort name 'a/b' may not contain '/'");
    REFUSED(store_cohort_add(f->st, "Alpha", "/", NULL, NULL, e), DUET_EINPUT,
            "cohort name '/' may not contain '/'");
    REFUSED(store_cohort_add(f->st, "Alpha", "2026/27", NULL, NULL, e), DUET_EINPUT,
            "cohort name '2026/27' may not contain '/'");
    REFUSED(store_cohort_add(f->st, "Alpha", ".", NULL, NULL, e), DUET_EINPUT,
            "cohort name '.' may not be '.' or '..'");
    REFUSED(store_cohort_add(f->st, "Alpha", "..", NULL, NULL, e), DUET_EINPUT,
            "cohort name '..' may not be '.' or '..'");
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM cohort"), 0);
    OK(store_cohort_add(f->st, "Alpha", "...", NULL, NULL, e));
    OK(store_cohort_add(f->st, "Alpha", "A?b#c%d\\e ..f", NULL, NULL, e));
    OK(store_cohort_add(f->st, "Alpha", ".hidden", NULL, NULL, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM cohort"), 3);
}

/* ------------------------------------------------------------------ */
/* withdrawal leaves no trace                                          */

/* How many times needle occurs in the bytes of file path (0 when absent). */
static int file_count(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return 0;
    duet_buf b;
    buf_init(&b, (size_t)1 << 30);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        assert_int_equal(buf_append(&b, chunk, n), 0);
    fclose(fp);
    int count = 0;
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= b.len; i++)
        count += memcmp(b.data + i, needle, k) == 0;
    buf_free(&b);
    return count;
}

/* The same in the database file, its WAL and its shared-memory index. */
static int db_files_count(const char *path, const char *needle)
{
    char side[96];
    int n = file_count(path, needle);
    snprintf(side, sizeof side, "%s-wal", path);
    n += file_count(side, needle);
    snprintf(side, sizeof side, "%s-shm", path);
    return n + file_count(side, needle);
}

/* The erased words and names are gone from the bytes on disk while the
** store is still open (its WAL in use), even on an SQLite built without
** secure delete; the entry the person made as actor is kept under their
** pseudonym and the chain verifies. */
static void test_withdraw_leaves_no_bytes(void **state)
{
    struct tl_world *f = *state;
    assert_int_equal(sqlite3_exec(f->st->db, "PRAGMA secure_delete = OFF", NULL, NULL, NULL),
                     SQLITE_OK);
    add_frame(f->st);                                                  /* 4 entries */
    struct store_person zq = {"zq.a", "Quillon Zephyrine", "Zephyrine Trust", "qz@example.org"};
    OK(store_person_add(f->st, &zq, NULL, e));                         /* 1, id 1 */
    add_person(f->st, "sy.b", "System B");                             /* 1, id 2 */
    struct store_member pair[] = {{"zq.a", "patient_leader"}, {"sy.b", "clinician"}};
    struct store_partnership p = {"Cohort 1", "P1", "T", "A", 2, pair};
    OK(store_partnership_add(f->st, &p, NULL, e));                     /* 1 */
    OK(store_consent_give(f->st, "zq.a", "research", "v1", e));        /* 1 */
    store_set_actor(f->st, "zq.a");
    OK(store_reflection_add(f->st, "zq.a", "P1", 1, "programme",
                            "OKAPIMARKER42 we chose together", NULL, e));   /* 1, by zq.a */
    store_set_actor(f->st, "tester");
    OK(store_reflection_add(f->st, "sy.b", "P1", 1, "programme", "Partner words.", NULL, e));
    assert_true(db_files_count(f->path, "OKAPIMARKER42") > 0);
    assert_true(db_files_count(f->path, "Zephyrine") > 0);

    OK(store_consent_withdraw(f->st, "zq.a", "research", e));          /* 2 */
    static const char *const gone[] = {"OKAPIMARKER42", "Quillon", "Zephyrine", "qz@example",
                                       "zq.a"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (db_files_count(f->path, gone[i]) != 0)
            fail_msg("'%s' is still in the database files", gone[i]);
    assert_true(db_files_count(f->path, "Partner words.") > 0);

    /* 4 + 2 + 1 + 1 + 2 + 2 = 12 entries; zq.a's one entry redacted. */
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.entries, 12);
    assert_int_equal(r.first_bad, 0);
    assert_int_equal(r.redacted_actors, 1);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE actor = 'withdrawn-1'"),
                     1);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE actor = 'tester'"), 11);
}

/* The withdrawal's own entries are made under the pseudonym when the
** person withdraws themselves; a reflection id once erased is not given
** again; an entry cannot be changed in any other way. */
static void test_withdraw_self_and_ids(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);
    add_person(f->st, "le.a", "Lived A");
    add_person(f->st, "sy.b", "System B");
    struct store_member pair[] = {{"le.a", "patient_leader"}, {"sy.b", "clinician"}};
    struct store_partnership p = {"Cohort 1", "P1", "T", "A", 2, pair};
    OK(store_partnership_add(f->st, &p, NULL, e));
    OK(store_consent_give(f->st, "le.a", "research", "v1", e));
    int64_t a = 0, b = 0, c = 0;
    OK(store_reflection_add(f->st, "sy.b", "P1", 0, "private", "First.", &a, e));
    OK(store_reflection_add(f->st, "le.a", "P1", 0, "private", "Second.", &b, e));
    assert_int_equal(b, a + 1);
    store_set_actor(f->st, "le.a");
    OK(store_consent_withdraw(f->st, "le.a", "research", e));
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE actor = 'le.a'"), 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE actor = 'withdrawn-1' "
                                      "AND action IN ('update', 'erase')"), 2);
    store_set_actor(f->st, "tester");
    OK(store_reflection_add(f->st, "sy.b", "P1", 0, "private", "Third.", &c, e));
    assert_int_equal(c, b + 1);
    struct store_audit_report r = verify(f->st);
    assert_int_equal(r.first_bad, 0);
    assert_int_equal(r.redacted_actors, 0);

    char msg[256];
    assert_int_not_equal(tl_sql_exec(f->path, "UPDATE audit SET row_id = 99 WHERE seq = 2", msg,
                                  sizeof msg), SQLITE_OK);
    assert_string_equal(msg, "the audit log is append-only");
    assert_int_not_equal(tl_sql_exec(f->path, "UPDATE audit SET actor = 'withdrawn-7' "
                                           "WHERE actor = 'withdrawn-1'", msg, sizeof msg),
                         SQLITE_OK);
    assert_int_not_equal(tl_sql_exec(f->path, "DELETE FROM audit WHERE seq = 1", msg, sizeof msg),
                         SQLITE_OK);
}

/* A database at schema version 6 is upgraded with every row kept (the
** rebuilt tables' DROPs cascade into nothing) and ids never reused, not
** even one erased before the upgrade that only the audit log remembers. */
extern const char migration_001_initial[], migration_002_accounts[], migration_003_drafts[],
    migration_004_qsorts[], migration_005_codebook[], migration_006_coding[];

static void test_upgrade_from_6_keeps_rows_and_ids(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "store"), 0);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    const char *const v6[] = {migration_001_initial, migration_002_accounts,
                              migration_003_drafts, migration_004_qsorts,
                              migration_005_codebook, migration_006_coding};
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(sqlite3_exec(db, v6[i], NULL, NULL, NULL), SQLITE_OK);
    static const char rows[] =
        "INSERT INTO programme (id, name, created_at) VALUES (1, 'A', 'x');"
        "INSERT INTO cohort (id, programme_id, name, created_at) VALUES (1, 1, 'C', 'x');"
        "INSERT INTO person (id, key, display_name, created_at) VALUES (1, 'le.a', 'L', 'x'),"
        " (2, 'sy.b', 'S', 'x');"
        "INSERT INTO partnership (id, cohort_id, code, kind, created_at) VALUES"
        " (1, 1, 'P1', 'pair', 'x');"
        "INSERT INTO membership VALUES (1, 1, (SELECT id FROM role WHERE name = 'carer')),"
        " (1, 2, (SELECT id FROM role WHERE name = 'gp'));"
        "INSERT INTO reflection (id, person_id, partnership_id, visibility, text, created_at)"
        " VALUES (1, 1, 1, 'programme', 'one', 'x'), (2, 2, 1, 'programme', 'two', 'x'),"
        " (3, 1, 1, 'programme', 'three', 'x');"
        /* reflection 4 was erased before the upgrade: only the log names it */
        "INSERT INTO audit VALUES (1, 'x', 'a', 'reflection', 4, 'insert', zeroblob(32),"
        " zeroblob(32));"
        "INSERT INTO coder (id, guid, name) VALUES (1, 'g-coder', 'ann');"
        "INSERT INTO source (id, guid, reflection_id, created_at) VALUES (1, 'g-src', 3, 'x');"
        "INSERT INTO selection (id, guid, source_id, start_pos, end_pos, coder_id, created_at)"
        " VALUES (1, 'g-sel', 1, 0, 3, 1, 'x');"
        "INSERT INTO memo (id, target_kind, target_id, text, author, created_at)"
        " VALUES (1, 'source', 1, 'm', 'ann', 'x');"
        "PRAGMA user_version = 6;";
    assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    struct store *st = NULL;
    OK(store_open(path, &st, e));
    assert_int_equal(store_schema_version(st), latest_version());
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM reflection"), 3);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM source WHERE reflection_id = 3"), 1);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM selection WHERE source_id = 1"), 1);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM memo"), 1);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM codable WHERE kind = 'reflection'"), 0);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA foreign_keys", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);   /* on again after migrating */
    sqlite3_finalize(s);
    int64_t id = 0;
    OK(store_reflection_add(st, "sy.b", "P1", 0, "private", "after", &id, e));
    assert_int_equal(id, 5);
    /* deleting the reflection deletes its source and selection, as before */
    assert_int_equal(sqlite3_exec(st->db, "DELETE FROM reflection WHERE id = 3", NULL, NULL,
                                  NULL), SQLITE_OK);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM selection"), 0);
    store_close(st);
    tl_remove_db(path);
}

/* ------------------------------------------------------------------ */
/* the write-ahead log stays bounded under sustained writes             */

/* The documented bound on the -wal file after a checkpoint (docs/data-model.md:
** 16 MiB), written here rather than read from the code. */
#define WAL_LIMIT_BYTES (16LL * 1024 * 1024)

static long long wal_bytes(const char *path)
{
    char wal[96];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", path);
    return stat(wal, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* Fails naming the statement when a cached statement of st is left
** stepped but not reset: it would hold a read snapshot open, and no
** checkpoint could then pass it. */
static void no_open_statement(struct store *st, const char *after)
{
    for (int i = 0; i < st->ncache; i++)
        if (sqlite3_stmt_busy(st->cache[i].stmt))
            fail_msg("after %s a statement is left open: %s", after, st->cache[i].sql);
}

/* A reader that holds a snapshot makes the log grow past the bound while
** it holds it; once it lets go, sustained small writes (20,000 of them, with
** a second connection reading between them as a web worker would) bring
** the -wal file back under the bound and keep it there. */
static void test_wal_bounded(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);
    add_person(f->st, "le.a", "Lee A");
    add_person(f->st, "sy.b", "Sam B");
    struct store_member m[] = {{"le.a", "patient_leader"}, {"sy.b", "clinician"}};
    struct store_partnership p = {"Cohort 1", "P01", "Title", "Aim", 2, m};
    OK(store_partnership_add(f->st, &p, NULL, e));
    OK(store_reflection_add(f->st, "le.a", "P01", 1, "partner", "a reflection", NULL, e));

    /* A reader holding a snapshot: no checkpoint can pass it. */
    sqlite3 *reader = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open_v2(f->path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(reader, "SELECT count(*) FROM audit", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    sqlite3_finalize(s);
    char text[4096];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    int n = 0;
    while (wal_bytes(f->path) <= WAL_LIMIT_BYTES + (4 << 20)) {
        OK(store_project_log_add(f->st, "P01", "lever", text, "2026-02-01", NULL, e));
        assert_true(++n < 100000);
    }
    assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(reader);

    /* Sustained small writes, and a web worker's reads on another connection. */
    struct store *web = NULL;
    OK(store_open(f->path, &web, e));
    int64_t tid;
    OK(store_partnership_id(web, "P01", &tid, NULL, e));
    long long most = 0;
    for (int i = 0; i < 20000; i++) {
        OK(store_project_log_add(f->st, "P01", "milestone", "a small step", "2026-02-02", NULL, e));
        if (i % 100 == 0) {
            unsigned char digest[32] = {0};
            struct store_session sess;
            duet_err ignored;
            json_t *v = store_partnership_reflections(web, tid, &ignored);
            assert_non_null(v);
            json_decref(v);
            no_open_statement(web, "store_partnership_reflections");
            assert_non_null(v = store_observation_list(web, "P01", &ignored));
            json_decref(v);
            no_open_statement(web, "store_observation_list");
            assert_non_null(v = store_audit_list(web, 5, &ignored));
            json_decref(v);
            no_open_statement(web, "store_audit_list");
            assert_int_equal(store_session_get(web, digest, &sess, &ignored), -1);
            no_open_statement(web, "store_session_get");
            assert_non_null(v = store_partnership_overview(web, "P01", 0, &ignored));
            json_decref(v);
            no_open_statement(web, "store_partnership_overview");
        }
        if (i >= 10000 && wal_bytes(f->path) > most)
            most = wal_bytes(f->path);
    }
    store_close(web);
    long long now = wal_bytes(f->path);
    if (now > WAL_LIMIT_BYTES || most > WAL_LIMIT_BYTES)
        fail_msg("the -wal file is %lld bytes (at most %lld over the last 10,000 writes); "
                 "the bound is %lld", now, most, WAL_LIMIT_BYTES);
}

/* ------------------------------------------------------------------ */
/* backups and restores (the command-line test covers the refusals)     */

static void test_backup_and_restore(void **state)
{
    struct tl_world *f = *state;
    add_frame(f->st);                               /* 4 audit entries */
    char bak[96], dst[96];
    snprintf(bak, sizeof bak, "%s.bak", f->path);
    snprintf(dst, sizeof dst, "%s.restored", f->path);
    unlink(bak);
    tl_remove_db(dst);
    struct store_backup_report b;
    OK(store_backup(f->st, bak, 0, &b, e));
    assert_int_equal(b.audit_entries, 4);
    assert_int_equal(b.audit_first_bad, 0);
    assert_int_equal(b.bytes, b.pages * b.page_size);
    struct stat sb;
    assert_int_equal(stat(bak, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char head[65];
    memcpy(head, b.audit_head, sizeof head);
    /* A write after the backup is not in it. */
    OK(store_programme_add(f->st, "Later", NULL, NULL, e));
    char want[256];
    snprintf(want, sizeof want, "'%s' exists; choose another name or add --force to replace it",
             bak);
    REFUSED(store_backup(f->st, bak, 0, &b, e), DUET_ECONFLICT, want);
    struct store_restore_report r;
    OK(store_backup_check(bak, "/tmp", &r, e));
    assert_int_equal(r.audit_entries, 4);
    assert_string_equal(r.audit_head, head);
    OK(store_restore(bak, dst, 0, &r, e));
    assert_int_equal(r.replaced, 0);
    assert_int_equal(tl_sql_int(dst, "SELECT count(*) FROM programme"), 1);
    struct store *back = NULL;
    OK(store_open(dst, &back, e));
    assert_int_equal(verify(back).entries, 4);
    store_close(back);
    /* A second restore replaces it only with force. */
    snprintf(want, sizeof want, "'%s' exists; add --force to replace it (make a backup of it "
             "first)", dst);
    REFUSED(store_restore(bak, dst, 0, &r, e), DUET_ECONFLICT, want);
    OK(store_restore(bak, dst, 1, &r, e));
    assert_int_equal(r.replaced, 1);
    /* A tampered backup is refused and the target stays as it was. */
    char msg[256];
    assert_int_equal(tl_sql_exec(bak, "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'x' "
                              "WHERE seq = 2", msg, sizeof msg), SQLITE_OK);
    OK(store_programme_add(f->st, "Only in the source", NULL, NULL, e));
    duet_err err;
    assert_int_equal(store_restore(bak, dst, 1, &r, &err), -1);
    assert_int_equal(err.code, DUET_EINPUT);
    assert_non_null(strstr(err.msg, "does not have the schema of version"));
    assert_int_equal(tl_sql_int(dst, "SELECT count(*) FROM programme"), 1);
    unlink(bak);
    tl_remove_db(dst);
}

int main(void)
{
    setenv("DUET_NOW", NOW, 1);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_open_creates_and_migrates),
        T(test_prep_same_buffer_other_text),
        cmocka_unit_test(test_open_refuses_newer_schema),
        T(test_programme_cohort_module),
        T(test_duplicates_and_missing),
        T(test_bad_inputs),
        T(test_person_list_show),
        T(test_partnership_rules),
        T(test_consent_lifecycle),
        T(test_withdraw_research_erases),
        T(test_checkins_insert),
        T(test_audit_chain_intact),
        T(test_audit_tamper_payload),
        T(test_audit_tamper_entry),
        T(test_audit_tamper_gap),
        T(test_transaction_rollback),
        T(test_cohort_names_fit_urls),
        T(test_withdraw_leaves_no_bytes),
        T(test_withdraw_self_and_ids),
        cmocka_unit_test(test_upgrade_from_6_keeps_rows_and_ids),
        T(test_wal_bounded),
        T(test_backup_and_restore),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
