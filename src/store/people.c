/*
** people.c — people, the role catalogue and partnerships.
*/
#include "store/db.h"

#include <stdio.h>
#include <string.h>

int store_person_add(struct store *st, const struct store_person *p, int64_t *id, duet_err *e)
{
    if (p->key && strncmp(p->key, "withdrawn-", 10) == 0)
        return duet_errf(e, DUET_EINPUT, "person key '%s': keys starting with 'withdrawn-' are "
                         "kept for people who withdrew", p->key);
    if (db_check_key("person key", p->key, e) != 0 ||
        db_check_text("display name", p->display_name, DB_NAME_MAX, 1, 0, e) != 0 ||
        db_check_text("organisation", p->organisation, DB_NAME_MAX, 0, 0, e) != 0 ||
        db_check_text("contact", p->contact, DB_NAME_MAX, 0, 0, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO person (key, display_name, organisation, contact, "
                                  "created_at) VALUES (?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32], what[256];
    db_now(now);
    const char *org = p->organisation ? p->organisation : "";
    const char *contact = p->contact ? p->contact : "";
    db_bind_text(s, 1, p->key);
    db_bind_text(s, 2, p->display_name);
    db_bind_text(s, 3, org);
    db_bind_text(s, 4, contact);
    db_bind_text(s, 5, now);
    snprintf(what, sizeof what, "person '%s'", p->key);
    return db_insert_audited(st, s, "person",
                             json_pack("{s:s, s:s, s:s, s:s}", "key", p->key, "display_name",
                                       p->display_name, "organisation", org, "contact", contact),
                             what, id, e);
}

json_t *store_person_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT p.id, p.key, p.display_name, p.organisation, "
                                  "(SELECT group_concat(t.code, ' ') FROM membership m JOIN partnership t "
                                  "ON t.id = m.partnership_id WHERE m.person_id = p.id) AS partnerships, "
                                  "p.erased_at FROM person p ORDER BY p.key", e);
    return s ? db_query_json(st, s, e) : NULL;
}

json_t *store_person_show(struct store *st, const char *key, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, key, display_name, organisation, contact, "
                                  "created_at, erased_at FROM person WHERE key = ?", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, key);
    char what[256];
    snprintf(what, sizeof what, "person '%s'", key);
    json_t *p = db_query_one(st, s, what, e);
    if (p == NULL)
        return NULL;
    s = db_prep(st, "SELECT t.code AS partnership, r.name AS role, r.side FROM membership m "
                    "JOIN partnership t ON t.id = m.partnership_id JOIN role r ON r.id = m.role_id "
                    "WHERE m.person_id = ? ORDER BY t.code", e);
    json_t *mem = NULL;
    if (s) {
        sqlite3_bind_int64(s, 1, json_integer_value(json_object_get(p, "id")));
        mem = db_query_json(st, s, e);
    }
    json_t *cons = mem ? store_consent_list(st, key, e) : NULL;
    if (cons == NULL) {
        json_decref(mem);
        json_decref(p);
        return NULL;
    }
    json_object_set_new(p, "partnerships", mem);
    json_object_set_new(p, "consent", cons);
    return p;
}

json_t *store_role_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT name, label, side FROM role ORDER BY side, id", e);
    return s ? db_query_json(st, s, e) : NULL;
}

static int role_lookup(struct store *st, const char *name, int64_t *id, char side[24],
                       duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, side FROM role WHERE name = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, name);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return duet_errf(e, DUET_ENOTFOUND, "role '%s' is not in the catalogue (see "
                         "'duet partnership roles')", name);
    }
    *id = sqlite3_column_int64(s, 0);
    snprintf(side, 24, "%s", (const char *)sqlite3_column_text(s, 1));
    sqlite3_reset(s);
    return 0;
}

int store_partnership_add(struct store *st, const struct store_partnership *p, int64_t *id,
                          duet_err *e)
{
    if (db_check_key("partnership code", p->code, e) != 0 ||
        db_check_text("project title", p->project_title, DB_NAME_MAX, 0, 0, e) != 0 ||
        db_check_text("project aim", p->project_aim, DB_TEXT_MAX, 0, 1, e) != 0)
        return -1;
    if (p->nmembers < 2 || p->nmembers > 3)
        return duet_errf(e, DUET_EINPUT, "partnership '%s' has %zu member(s); a pair has 2 "
                         "and a triad 3", p->code, p->nmembers);
    int64_t cid;
    if (db_cohort_id(st, p->cohort, &cid, e) != 0)
        return -1;
    int64_t pid[3], rid[3];
    int lived = 0, system = 0;
    for (size_t i = 0; i < p->nmembers; i++) {
        char side[24];
        if (db_person_id(st, p->members[i].person, &pid[i], e) != 0 ||
            role_lookup(st, p->members[i].role, &rid[i], side, e) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (pid[j] == pid[i])
                return duet_errf(e, DUET_EINPUT, "partnership '%s' names person '%s' twice",
                                 p->code, p->members[i].person);
        if (strcmp(side, "staff") == 0)
            return duet_errf(e, DUET_EINPUT, "role '%s' is a staff role; partnerships are "
                             "made of participants", p->members[i].role);
        if (strcmp(side, "lived_experience") == 0)
            lived++;
        else
            system++;
    }
    if (lived == 0 || system == 0)
        return duet_errf(e, DUET_EINPUT, "partnership '%s' needs at least one member on each "
                         "side (lived experience: %d, system: %d)", p->code, lived, system);

    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    int ok = 0;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO partnership (cohort_id, code, kind, project_title, "
                                  "project_aim, created_at) VALUES (?,?,?,?,?,?)", e);
    if (s) {
        char now[32], what[256];
        db_now(now);
        const char *kind = p->nmembers == 2 ? "pair" : "triad";
        sqlite3_bind_int64(s, 1, cid);
        db_bind_text(s, 2, p->code);
        db_bind_text(s, 3, kind);
        db_bind_text(s, 4, p->project_title ? p->project_title : "");
        db_bind_text(s, 5, p->project_aim ? p->project_aim : "");
        db_bind_text(s, 6, now);
        snprintf(what, sizeof what, "partnership '%s'", p->code);
        json_t *members = json_array();
        for (size_t i = 0; i < p->nmembers; i++)
            json_array_append_new(members, json_pack("{s:I, s:I}", "person_id",
                                                     (json_int_t)pid[i], "role_id",
                                                     (json_int_t)rid[i]));
        int64_t tid = 0;
        ok = db_insert_audited(st, s, "partnership",
                               json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "cohort_id",
                                         (json_int_t)cid, "code", p->code, "kind", kind,
                                         "project_title", p->project_title ? p->project_title : "",
                                         "project_aim", p->project_aim ? p->project_aim : "",
                                         "members", members),
                               what, &tid, e) == 0;
        sqlite3_stmt *m = ok ? db_prep(st, "INSERT INTO membership (partnership_id, person_id, "
                                           "role_id) VALUES (?,?,?)", e) : NULL;
        ok = m != NULL;
        for (size_t i = 0; ok && i < p->nmembers; i++) {
            sqlite3_reset(m);
            sqlite3_bind_int64(m, 1, tid);
            sqlite3_bind_int64(m, 2, pid[i]);
            sqlite3_bind_int64(m, 3, rid[i]);
            ok = sqlite3_step(m) == SQLITE_DONE || db_fail(st, "adding a member", e) == 0;
        }
        if (m)
            sqlite3_reset(m);
        if (ok && id)
            *id = tid;
    }
    return db_tx_end(st, started, ok, e);
}

json_t *store_partnership_list(struct store *st, const char *cohort, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st,
        "SELECT t.id, t.code, c.name AS cohort, t.kind, t.project_title, "
        "(SELECT group_concat(x, ', ') FROM (SELECT p.key || ' (' || r.name || ')' AS x "
        " FROM membership m JOIN person p ON p.id = m.person_id JOIN role r ON r.id = m.role_id "
        " WHERE m.partnership_id = t.id ORDER BY r.side, p.key)) AS members "
        "FROM partnership t JOIN cohort c ON c.id = t.cohort_id "
        "WHERE ?1 IS NULL OR c.name = ?1 ORDER BY c.name, t.code", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, cohort);
    return db_query_json(st, s, e);
}

json_t *store_partnership_show(struct store *st, const char *code, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT t.id, t.code, c.name AS cohort, t.kind, t.project_title, "
                                  "t.project_aim, t.created_at FROM partnership t "
                                  "JOIN cohort c ON c.id = t.cohort_id WHERE t.code = ?", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, code);
    char what[256];
    snprintf(what, sizeof what, "partnership '%s'", code);
    json_t *p = db_query_one(st, s, what, e);
    if (p == NULL)
        return NULL;
    json_int_t tid = json_integer_value(json_object_get(p, "id"));
    s = db_prep(st, "SELECT p.key AS person, p.display_name, r.name AS role, r.side "
                    "FROM membership m JOIN person p ON p.id = m.person_id "
                    "JOIN role r ON r.id = m.role_id WHERE m.partnership_id = ? "
                    "ORDER BY r.side, p.key", e);
    json_t *members = NULL, *log = NULL;
    if (s) {
        sqlite3_bind_int64(s, 1, tid);
        members = db_query_json(st, s, e);
    }
    s = members ? db_prep(st, "SELECT kind, description, happened_on FROM project_log "
                              "WHERE partnership_id = ? ORDER BY happened_on, id", e) : NULL;
    if (s) {
        sqlite3_bind_int64(s, 1, tid);
        log = db_query_json(st, s, e);
    }
    s = log ? db_prep(st, "SELECT m.ordinal AS module, count(*) AS checkins FROM checkin k "
                          "JOIN module m ON m.id = k.module_id WHERE k.partnership_id = ? "
                          "GROUP BY m.ordinal ORDER BY m.ordinal", e) : NULL;
    json_t *checkins = NULL;
    if (s) {
        sqlite3_bind_int64(s, 1, tid);
        checkins = db_query_json(st, s, e);
    }
    if (checkins == NULL) {
        json_decref(members);
        json_decref(log);
        json_decref(p);
        return NULL;
    }
    json_object_set_new(p, "members", members);
    json_object_set_new(p, "project_log", log);
    json_object_set_new(p, "checkins_by_module", checkins);
    return p;
}

int store_member_side(struct store *st, int64_t partnership_id, int64_t person_id,
                      const char **side, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT r.side FROM membership m JOIN role r ON r.id = m.role_id "
                                  "WHERE m.partnership_id = ? AND m.person_id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, partnership_id);
    sqlite3_bind_int64(s, 2, person_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(s, 0);
        *side = strcmp(v, "system") == 0 ? "system" : "lived_experience";
        sqlite3_reset(s);
        return 0;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE) {
        *side = NULL;
        return duet_errf(e, DUET_ENOTFOUND, "not a member of the partnership");
    }
    return db_fail(st, "looking up a member", e);
}
