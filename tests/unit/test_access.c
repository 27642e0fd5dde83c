/*
** test_access.c — the access rules of src/app/access.c against the table in
** docs/access.md, written out here by hand: every action × role × own/other
** object, plus reflection visibility and identities.
**
** The world: two cohorts, each with one partnership. Amira (lived) and
** Sam (system) are partners in A1 of cohort A; Lee and Kim in B1 of cohort
** B. Fay is on the staff of cohort A only.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/access.h"
#include "store/store.h"
#include "testlib.h"

static char path[64];
static struct store *st;

static void must(int rc, const duet_err *e)
{
    if (rc != 0)
        fail_msg("setup failed: %s", e->msg);
}

static void person(const char *key)
{
    duet_err e;
    struct store_person p = {key, key, NULL, NULL};
    must(store_person_add(st, &p, NULL, &e), &e);
}

static void pship(const char *cohort, const char *code, const char *lived, const char *sys)
{
    duet_err e;
    struct store_member m[2] = {{lived, "patient_leader"}, {sys, "clinician"}};
    struct store_partnership p = {cohort, code, "Project", "Aim", 2, m};
    must(store_partnership_add(st, &p, NULL, &e), &e);
}

static int setup(void **state)
{
    (void)state;
    if (tl_temp_path(path, sizeof path, "access") != 0)
        return -1;
    duet_err e;
    if (store_open(path, &st, &e) != 0)
        return -1;
    must(store_programme_add(st, "Prog", "", NULL, &e), &e);
    must(store_cohort_add(st, "Prog", "A", "2026-01-01", NULL, &e), &e);
    must(store_cohort_add(st, "Prog", "B", "2026-01-01", NULL, &e), &e);
    const char *keys[] = {"amira", "sam", "lee", "kim", "fay", "rex", "ada"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        person(keys[i]);
    pship("A", "A1", "amira", "sam");
    pship("B", "B1", "lee", "kim");
    must(store_cohort_staff_add(st, "A", "fay", &e), &e);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(st);
    tl_remove_db(path);
    return 0;
}

static struct auth_principal who(const char *key, enum auth_role role)
{
    struct auth_principal w = {0};
    duet_err e;
    if (store_person_id(st, key, &w.person_id, &e) != 0)
        fail_msg("no person %s", key);
    w.role = role;
    snprintf(w.person_key, sizeof w.person_key, "%s", key);
    return w;
}

/* A = allow, F = forbidden (403), H = hidden (404), S = sign in (401). */
static char decide(const struct auth_principal *w, enum access_action a, const char *pcode,
                   const char *cohort)
{
    struct access_object obj = {pcode, cohort};
    enum access_result r;
    duet_err e;
    if (access_check(st, w, a, &obj, &r, &e) != 0)
        fail_msg("access_check failed: %s", e.msg);
    return "ASFH"[r];
}

/* Per action, the expected letter for: anonymous, participant (own, other),
** facilitator (own, other), researcher (own, other), admin (own, other).
** "own" objects are A1 / cohort A; "other" are B1 / cohort B. */
static const struct {
    enum access_action a;
    const char *want;
} table[] = {
    {ACCESS_PUBLIC,           "A" "AA" "AA" "AA" "AA"},
    {ACCESS_SIGNED_IN,        "S" "AA" "AA" "AA" "AA"},
    {ACCESS_PARTNERSHIP_VIEW, "S" "AH" "AH" "AA" "FF"},
    {ACCESS_CHECKIN,          "S" "AH" "FF" "FF" "FF"},
    {ACCESS_REFLECT,          "S" "AH" "FF" "FF" "FF"},
    {ACCESS_REFLECTIONS_READ, "S" "AH" "AH" "FF" "FF"},
    {ACCESS_OBSERVE,          "S" "FF" "AH" "FF" "FF"},
    {ACCESS_COHORT_LIST,      "S" "FF" "AA" "AA" "FF"},
    {ACCESS_COHORT_VIEW,      "S" "FF" "AH" "AA" "FF"},
    {ACCESS_COHORT_MANAGE,    "S" "FF" "AH" "FF" "FF"},
    {ACCESS_ANALYSIS,         "S" "FF" "FF" "AA" "FF"},
    {ACCESS_USERS,            "S" "FF" "FF" "FF" "AA"},
    {ACCESS_CODE,             "S" "FF" "FF" "AA" "FF"},
};

static void test_matrix(void **state)
{
    (void)state;
    struct auth_principal p = who("amira", AUTH_PARTICIPANT);
    struct auth_principal f = who("fay", AUTH_FACILITATOR);
    struct auth_principal r = who("rex", AUTH_RESEARCHER);
    struct auth_principal d = who("ada", AUTH_ADMIN);
    const struct auth_principal *roles[] = {&p, &f, &r, &d};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char got[16] = {0};
        got[0] = decide(NULL, table[i].a, "A1", "A");
        for (int k = 0; k < 4; k++) {
            got[1 + 2 * k] = decide(roles[k], table[i].a, "A1", "A");
            got[2 + 2 * k] = decide(roles[k], table[i].a, "B1", "B");
        }
        if (strcmp(got, table[i].want) != 0)
            fail_msg("%s: got %s, want %s", access_action_name(table[i].a), got, table[i].want);
    }
}

static void test_missing_objects_are_hidden(void **state)
{
    (void)state;
    struct auth_principal r = who("rex", AUTH_RESEARCHER);
    struct auth_principal f = who("fay", AUTH_FACILITATOR);
    assert_int_equal(decide(&r, ACCESS_PARTNERSHIP_VIEW, "ZZ9", NULL), 'H');
    assert_int_equal(decide(&r, ACCESS_COHORT_VIEW, NULL, "No such cohort"), 'H');
    assert_int_equal(decide(&f, ACCESS_OBSERVE, "'; DROP TABLE person; --", NULL), 'H');
    /* a role-level refusal does not look at the object at all */
    struct auth_principal p = who("amira", AUTH_PARTICIPANT);
    assert_int_equal(decide(&p, ACCESS_OBSERVE, "ZZ9", NULL), 'F');
}

static void test_reflection_visibility(void **state)
{
    (void)state;
    struct auth_principal amira = who("amira", AUTH_PARTICIPANT);
    struct auth_principal sam = who("sam", AUTH_PARTICIPANT);
    struct auth_principal fay = who("fay", AUTH_FACILITATOR);
    struct auth_principal rex = who("rex", AUTH_RESEARCHER);
    struct auth_principal ada = who("ada", AUTH_ADMIN);
    int64_t author = amira.person_id;
    /* private: the author only */
    assert_true(access_reflection_visible(&amira, author, "private", 1));
    assert_false(access_reflection_visible(&sam, author, "private", 1));
    assert_false(access_reflection_visible(&fay, author, "private", 0));
    assert_false(access_reflection_visible(&rex, author, "private", 0));
    assert_false(access_reflection_visible(&ada, author, "private", 0));
    /* partner: and the partners */
    assert_true(access_reflection_visible(&sam, author, "partner", 1));
    assert_false(access_reflection_visible(&sam, author, "partner", 0));
    assert_false(access_reflection_visible(&fay, author, "partner", 0));
    /* programme: and the facilitators; never researchers */
    assert_true(access_reflection_visible(&sam, author, "programme", 1));
    assert_true(access_reflection_visible(&fay, author, "programme", 0));
    assert_false(access_reflection_visible(&rex, author, "programme", 0));
    assert_false(access_reflection_visible(NULL, author, "programme", 0));
    assert_false(access_reflection_visible(&sam, author, "nonsense", 1));
}

static void test_identities(void **state)
{
    (void)state;
    struct auth_principal r = who("rex", AUTH_RESEARCHER);
    struct auth_principal f = who("fay", AUTH_FACILITATOR);
    assert_false(access_sees_identities(&r));
    assert_true(access_sees_identities(&f));
    assert_false(access_sees_identities(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_missing_objects_are_hidden),
        cmocka_unit_test(test_reflection_visibility),
        cmocka_unit_test(test_identities),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
