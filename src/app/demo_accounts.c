/*
** demo_accounts.c — sign-ins for the demo programme, so the web application
** can be explored in every role.
**
** Each role's password is hashed once and the hash shared by all accounts
** of that role: the passwords are published anyway, and 25 Argon2id hashes
** would make the demo slow. Real accounts are made one by one with
** auth_user_add, each with its own salt. Nothing here may be used for real
** data: the passwords are in the source and the documentation.
*/
#include "app/setup.h"

#include <string.h>

#include "app/auth.h"
#include "store/store.h"

enum { HASH_PARTICIPANT, HASH_FACILITATOR, HASH_RESEARCHER, HASH_ADMIN, NHASHES };

static const struct {
    const char *role;
    const char *password;
} demo_roles[NHASHES] = {
    {"participant", SETUP_DEMO_PASSWORD_PARTICIPANT},
    {"facilitator", SETUP_DEMO_PASSWORD_FACILITATOR},
    {"researcher", SETUP_DEMO_PASSWORD_RESEARCHER},
    {"admin", SETUP_DEMO_PASSWORD_ADMIN},
};

/* Hashes every role's password (before the transaction: no lock is held
** while Argon2id runs). */
static int demo_hashes(char hash[NHASHES][AUTH_HASH_MAX], duet_err *e)
{
    for (int i = 0; i < NHASHES; i++)
        if (auth_password_policy(demo_roles[i].password, e) != 0 ||
            auth_password_hash(demo_roles[i].password, hash[i], e) != 0)
            return -1;
    return 0;
}

/* Gives person (display name name) an account of role i unless they have
** one. The shared password must pass the policy for this person as well
** (auth_password_check: no sign-in name or name in it), as any account's. */
static int demo_account(struct store *st, const char *person, const char *name, int i,
                        char hash[NHASHES][AUTH_HASH_MAX], duet_err *e)
{
    struct store_account a;
    duet_err look;
    if (store_account_get(st, person, &a, &look) == 0)
        return 0;
    if (look.code != DUET_ENOTFOUND) {
        if (e)
            *e = look;
        return -1;
    }
    if (auth_password_check(demo_roles[i].password, person, name, e) != 0) {
        duet_err_prefix(e, "the demo %s password for '%s'", demo_roles[i].role, person);
        return -1;
    }
    return store_account_add(st, person, demo_roles[i].role, hash[i], NULL, e);
}

/* demo_account for a member of the programme team, whose name is looked up. */
static int demo_team_account(struct store *st, const char *person, int i,
                             char hash[NHASHES][AUTH_HASH_MAX], duet_err *e)
{
    json_t *p = store_person_show(st, person, e);
    if (p == NULL)
        return -1;
    int rc = demo_account(st, person, json_string_value(json_object_get(p, "display_name")), i,
                          hash, e);
    json_decref(p);
    return rc;
}

/* Adds a member of the programme team unless they are there. */
static int demo_staff_person(struct store *st, const char *key, const char *name,
                             const char *org, duet_err *e)
{
    int64_t id;
    duet_err look;
    if (store_person_id(st, key, &id, &look) == 0)
        return 0;
    if (look.code != DUET_ENOTFOUND) {
        if (e)
            *e = look;
        return -1;
    }
    struct store_person p = {key, name, org, NULL};
    return store_person_add(st, &p, NULL, e);
}

/* A participant account for each member of one partnership. */
static int demo_members(struct store *st, const char *code, char hash[NHASHES][AUTH_HASH_MAX],
                        duet_err *e)
{
    json_t *p = store_partnership_show(st, code, e);
    if (p == NULL)
        return -1;
    int rc = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "members"), i, m) {
        const char *key = json_string_value(json_object_get(m, "person"));
        if (rc == 0 && key)
            rc = demo_account(st, key, json_string_value(json_object_get(m, "display_name")),
                              HASH_PARTICIPANT, hash, e);
    }
    json_decref(p);
    return rc;
}

static int demo_participants(struct store *st, const char *cohort,
                             char hash[NHASHES][AUTH_HASH_MAX], duet_err *e)
{
    json_t *list = store_partnership_list(st, cohort, e);
    if (list == NULL)
        return -1;
    int rc = 0;
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row) {
        const char *code = json_string_value(json_object_get(row, "code"));
        if (rc == 0 && code)
            rc = demo_members(st, code, hash, e);
    }
    json_decref(list);
    return rc;
}

/* fac.demo runs the cohort; res.demo and admin.demo are added if missing. */
static int demo_team(struct store *st, const char *cohort, char hash[NHASHES][AUTH_HASH_MAX],
                     duet_err *e)
{
    int64_t cid, fid;
    int staff = 0;
    if (store_cohort_id(st, cohort, &cid, e) != 0 ||
        store_person_id(st, SETUP_DEMO_FACILITATOR, &fid, e) != 0 ||
        store_cohort_staff_is(st, cid, fid, &staff, e) != 0)
        return -1;
    if (!staff && store_cohort_staff_add(st, cohort, SETUP_DEMO_FACILITATOR, e) != 0)
        return -1;
    if (demo_staff_person(st, SETUP_DEMO_RESEARCHER, "Sam Okafor (researcher)",
                          "University research team", e) != 0 ||
        demo_staff_person(st, SETUP_DEMO_ADMIN, "Dana Whitfield (administrator)",
                          "The programme team", e) != 0)
        return -1;
    return demo_team_account(st, SETUP_DEMO_FACILITATOR, HASH_FACILITATOR, hash, e) != 0 ||
           demo_team_account(st, SETUP_DEMO_RESEARCHER, HASH_RESEARCHER, hash, e) != 0 ||
           demo_team_account(st, SETUP_DEMO_ADMIN, HASH_ADMIN, hash, e) != 0 ? -1 : 0;
}

int setup_demo_accounts(struct store *st, const char *cohort, duet_err *e)
{
    char hash[NHASHES][AUTH_HASH_MAX];
    int64_t cid;
    if (store_cohort_id(st, cohort, &cid, e) != 0 || demo_hashes(hash, e) != 0)
        return -1;
    if (store_begin(st, e) != 0)
        return -1;
    if (demo_team(st, cohort, hash, e) != 0 || demo_participants(st, cohort, hash, e) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, e);
}
