/*
** membership.c — a partnership as its own members see it: the partnerships
** of a person, one partnership's overview with that person's check-in
** status per module, their reflections as stored, and check-in drafts; and
** whom a facilitator may enrol in a partnership.
**
** These reads serve the participant's web pages, which are requested often,
** so each is one or a few indexed queries on cached statements. They return
** internal ids only where a caller needs one to decide access (a
** reflection's author_id); such fields are documented and must never be
** shown.
*/
#include "store/db.h"

#include <stdio.h>
#include <string.h>

/* Moves each member row (which carries partnership_id) into the "members"
** array of the partnership with that id, then drops the ids. */
static void attach_members(json_t *parts, json_t *members)
{
    size_t i, j;
    json_t *p, *m;
    json_array_foreach(parts, i, p)
        json_object_set_new(p, "members", json_array());
    json_array_foreach(members, j, m) {
        json_int_t pid = json_integer_value(json_object_get(m, "partnership_id"));
        json_array_foreach(parts, i, p) {
            if (json_integer_value(json_object_get(p, "id")) == pid) {
                json_object_del(m, "partnership_id");
                json_array_append(json_object_get(p, "members"), m);
                break;
            }
        }
    }
    json_array_foreach(parts, i, p)
        json_object_del(p, "id");
}

json_t *store_person_partnerships(struct store *st, int64_t person_id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st,
        "SELECT t.id, t.code, c.name AS cohort, t.kind, t.project_title, "
        "(SELECT count(*) FROM module m WHERE m.cohort_id = t.cohort_id) AS modules, "
        "(SELECT count(*) FROM checkin k WHERE k.person_id = ?1 AND k.partnership_id = t.id) "
        "AS checkins_done "
        "FROM membership mb JOIN partnership t ON t.id = mb.partnership_id "
        "JOIN cohort c ON c.id = t.cohort_id WHERE mb.person_id = ?1 ORDER BY c.name, t.code", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, person_id);
    json_t *parts = db_query_json(st, s, e);
    if (parts == NULL)
        return NULL;
    s = db_prep(st,
        "SELECT m.partnership_id, p.key AS person, p.display_name, r.name AS role, "
        "r.label AS role_label, r.side FROM membership mine "
        "JOIN membership m ON m.partnership_id = mine.partnership_id "
        "JOIN person p ON p.id = m.person_id JOIN role r ON r.id = m.role_id "
        "WHERE mine.person_id = ? ORDER BY m.partnership_id, r.side, m.person_id", e);
    json_t *members = NULL;
    if (s) {
        sqlite3_bind_int64(s, 1, person_id);
        members = db_query_json(st, s, e);
    }
    if (members == NULL) {
        json_decref(parts);
        return NULL;
    }
    attach_members(parts, members);
    json_decref(members);
    return parts;
}

/* The members of one partnership, lived-experience side first, then in the
** order they were added (researchers' pseudonyms number them so). */
static json_t *members_of(struct store *st, int64_t tid, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st,
        "SELECT p.key AS person, p.display_name, r.name AS role, r.label AS role_label, r.side "
        "FROM membership m JOIN person p ON p.id = m.person_id JOIN role r ON r.id = m.role_id "
        "WHERE m.partnership_id = ? ORDER BY r.side, m.person_id", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, tid);
    return db_query_json(st, s, e);
}

/* The cohort's modules with person_id's check-in status for each. */
static json_t *modules_with_status(struct store *st, int64_t tid, int64_t cohort_id,
                                   int64_t person_id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st,
        "SELECT m.ordinal AS module, m.held_on, m.theme, "
        "CASE WHEN ?2 = 0 THEN NULL WHEN k.id IS NOT NULL THEN 'done' "
        "WHEN d.updated_at IS NOT NULL THEN 'draft' ELSE 'not_started' END AS my_checkin, "
        "CASE WHEN k.id IS NULL THEN d.updated_at END AS draft_saved_at "
        "FROM module m "
        "LEFT JOIN checkin k ON k.person_id = ?2 AND k.partnership_id = ?1 AND k.module_id = m.id "
        "LEFT JOIN checkin_draft d ON d.person_id = ?2 AND d.partnership_id = ?1 "
        "AND d.module_id = m.id WHERE m.cohort_id = ?3 ORDER BY m.ordinal", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int64(s, 2, person_id);
    sqlite3_bind_int64(s, 3, cohort_id);
    return db_query_json(st, s, e);
}

json_t *store_partnership_overview(struct store *st, const char *code, int64_t person_id,
                                   duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT t.id, t.cohort_id, t.code, c.name AS cohort, t.kind, "
                                  "t.project_title, t.project_aim FROM partnership t "
                                  "JOIN cohort c ON c.id = t.cohort_id WHERE t.code = ?", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, code);
    char what[256];
    snprintf(what, sizeof what, "partnership '%s'", code);
    json_t *p = db_query_one(st, s, what, e);
    if (p == NULL)
        return NULL;
    int64_t tid = json_integer_value(json_object_get(p, "id"));
    int64_t cid = json_integer_value(json_object_get(p, "cohort_id"));
    json_t *members = members_of(st, tid, e);
    json_t *modules = members ? modules_with_status(st, tid, cid, person_id, e) : NULL;
    if (modules == NULL) {
        json_decref(members);
        json_decref(p);
        return NULL;
    }
    json_object_del(p, "id");
    json_object_del(p, "cohort_id");
    json_object_set_new(p, "members", members);
    json_object_set_new(p, "modules", modules);
    return p;
}

json_t *store_partnership_reflections(struct store *st, int64_t partnership_id, duet_err *e)
{
    return store_partnership_reflections_page(st, partnership_id, 0, -1, e);
}

json_t *store_partnership_reflections_page(struct store *st, int64_t partnership_id,
                                           int64_t before, int64_t limit, duet_err *e)
{
    /* The index on partnership_id holds the rowid too: a range of it, read backwards. */
    sqlite3_stmt *s = db_prep(st, "SELECT r.id, r.person_id AS author_id, p.key AS person, "
                                  "p.display_name, m.ordinal AS module, r.visibility, r.text, "
                                  "r.created_at FROM reflection r "
                                  "JOIN person p ON p.id = r.person_id "
                                  "LEFT JOIN module m ON m.id = r.module_id "
                                  "WHERE r.partnership_id = ?1 AND (?2 <= 0 OR r.id < ?2) "
                                  "ORDER BY r.id DESC LIMIT ?3", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, partnership_id);
    sqlite3_bind_int64(s, 2, before);
    sqlite3_bind_int64(s, 3, limit);
    return db_query_json(st, s, e);
}

json_t *store_checkin_get(struct store *st, int64_t person_id, int64_t partnership_id,
                          int64_t module_id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT k.submitted_at, n.name, n.version, i.name, r.num, "
                                  "r.text FROM checkin k JOIN instrument n ON n.id = k.instrument_id "
                                  "LEFT JOIN response r ON r.checkin_id = k.id "
                                  "LEFT JOIN item i ON i.id = r.item_id WHERE k.person_id = ? "
                                  "AND k.partnership_id = ? AND k.module_id = ? ORDER BY i.ordinal", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    json_t *out = NULL, *answers = json_object();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out == NULL)
            out = json_pack("{s:s, s:s, s:i}", "submitted_at", sqlite3_column_text(s, 0),
                            "instrument", sqlite3_column_text(s, 1), "instrument_version",
                            sqlite3_column_int(s, 2));
        const char *item = (const char *)sqlite3_column_text(s, 3);
        if (item == NULL)
            continue;   /* a check-in without answers */
        json_t *v;
        if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
            double x = sqlite3_column_double(s, 4);
            v = x == (double)(json_int_t)x ? json_integer((json_int_t)x) : json_real(x);
        } else if (sqlite3_column_type(s, 5) != SQLITE_NULL) {
            v = json_stringn((const char *)sqlite3_column_text(s, 5),
                             (size_t)sqlite3_column_bytes(s, 5));
        } else {
            continue;   /* text erased on withdrawal */
        }
        json_object_set_new(answers, item, v);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(out);
        json_decref(answers);
        db_fail(st, "reading a check-in", e);
        return NULL;
    }
    if (out == NULL) {
        json_decref(answers);
        duet_errf(e, DUET_ENOTFOUND, "there is no such check-in");
        return NULL;
    }
    json_object_set_new(out, "answers", answers);
    return out;
}

/* ---- drafts ---- */

int store_draft_save(struct store *st, int64_t person_id, int64_t partnership_id,
                     int64_t module_id, const char *answers_json, duet_err *e)
{
    size_t n = answers_json ? strlen(answers_json) : 0;
    if (n == 0 || n > STORE_DRAFT_MAX)
        return duet_errf(e, DUET_EINPUT, "a draft must hold 1 to %d bytes of answers",
                         STORE_DRAFT_MAX);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO checkin_draft (person_id, partnership_id, "
                                  "module_id, answers, updated_at) VALUES (?,?,?,?,?) "
                                  "ON CONFLICT (person_id, partnership_id, module_id) DO UPDATE "
                                  "SET answers = excluded.answers, updated_at = excluded.updated_at", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    sqlite3_bind_text(s, 4, answers_json, (int)n, SQLITE_STATIC);
    db_bind_text(s, 5, now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
            return duet_errf(e, DUET_EINPUT, "a draft must be a JSON object of answers");
        return db_fail(st, "saving a draft", e);
    }
    return 0;
}

int store_draft_get(struct store *st, int64_t person_id, int64_t partnership_id,
                    int64_t module_id, json_t **answers, char updated_at[32], duet_err *e)
{
    *answers = NULL;
    if (updated_at)
        updated_at[0] = '\0';
    sqlite3_stmt *s = db_prep(st, "SELECT answers, updated_at FROM checkin_draft WHERE "
                                  "person_id = ? AND partnership_id = ? AND module_id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *answers = json_loadb((const char *)sqlite3_column_text(s, 0),
                              (size_t)sqlite3_column_bytes(s, 0), 0, NULL);
        if (updated_at)
            snprintf(updated_at, 32, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, "reading a draft", e);
    if (rc == SQLITE_ROW && !json_is_object(*answers)) {
        json_decref(*answers);
        *answers = NULL;
        return duet_errf(e, DUET_EIO, "a saved draft is damaged");
    }
    return 0;
}

int store_draft_delete(struct store *st, int64_t person_id, int64_t partnership_id,
                       int64_t module_id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "DELETE FROM checkin_draft WHERE person_id = ? AND "
                                  "partnership_id = ? AND module_id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : db_fail(st, "deleting a draft", e);
}

/* ---- enrolment ---- */

int store_person_enrollable(struct store *st, const char *person, int64_t staff_person_id,
                            int *yes, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st,
        "SELECT 1 FROM person p WHERE p.key = ?1 AND p.erased_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM account a WHERE a.person_id = p.id "
        "AND a.role <> 'participant') "
        "AND NOT EXISTS (SELECT 1 FROM cohort_staff c WHERE c.person_id = p.id) "
        "AND NOT EXISTS (SELECT 1 FROM membership m JOIN partnership t "
        "ON t.id = m.partnership_id WHERE m.person_id = p.id AND t.cohort_id NOT IN "
        "(SELECT c.cohort_id FROM cohort_staff c WHERE c.person_id = ?2))", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, person);
    sqlite3_bind_int64(s, 2, staff_person_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, "looking up whom a partnership may take", e);
    *yes = rc == SQLITE_ROW;
    return 0;
}
