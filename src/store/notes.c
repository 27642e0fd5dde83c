/*
** notes.c — reflections, observers' field notes and the project log.
*/
#include "store/db.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int module_of(struct store *st, int64_t cohort_id, int module, int64_t *mid,
                     const char *code, duet_err *e)
{
    if (db_module_id(st, cohort_id, module, mid, e) != 0) {
        if (e && e->code == DUET_ENOTFOUND)
            duet_errf(e, DUET_ENOTFOUND, "module %d does not exist in the cohort of "
                      "partnership '%s'", module, code);
        return -1;
    }
    return 0;
}

int store_reflection_add(struct store *st, const char *person, const char *partnership,
                         int module, const char *visibility, const char *text, int64_t *id,
                         duet_err *e)
{
    if (visibility == NULL || (strcmp(visibility, "private") != 0 &&
                               strcmp(visibility, "partner") != 0 &&
                               strcmp(visibility, "programme") != 0))
        return duet_errf(e, DUET_EINPUT, "visibility '%s' is not one of private, partner, "
                         "programme", visibility ? visibility : "");
    if (db_check_text("reflection text", text, DB_TEXT_MAX, 1, 1, e) != 0)
        return -1;
    int64_t pid, tid, cid, mid = 0;
    const char *side;
    if (db_person_id(st, person, &pid, e) != 0 ||
        db_partnership_id(st, partnership, &tid, &cid, e) != 0)
        return -1;
    if (store_member_side(st, tid, pid, &side, e) != 0)
        return duet_errf(e, DUET_EINPUT, "person '%s' is not a member of partnership '%s'",
                         person, partnership);
    if (module && module_of(st, cid, module, &mid, partnership, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO reflection (person_id, partnership_id, module_id, "
                                  "visibility, text, created_at) VALUES (?,?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_bind_int64(s, 1, pid);
    sqlite3_bind_int64(s, 2, tid);
    if (mid)
        sqlite3_bind_int64(s, 3, mid);
    db_bind_text(s, 4, visibility);
    db_bind_text(s, 5, text);
    db_bind_text(s, 6, now);
    return db_insert_audited(st, s, "reflection",
                             json_pack("{s:I, s:I, s:I, s:s, s:s}", "person_id", (json_int_t)pid,
                                       "partnership_id", (json_int_t)tid, "module_id",
                                       (json_int_t)mid, "visibility", visibility, "text", text),
                             "reflection", id, e);
}

json_t *store_reflection_list(struct store *st, const char *partnership, duet_err *e)
{
    int64_t tid, cid;
    if (db_partnership_id(st, partnership, &tid, &cid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT r.id, p.key AS person, m.ordinal AS module, "
                                  "r.visibility, r.text, r.created_at FROM reflection r "
                                  "JOIN person p ON p.id = r.person_id "
                                  "LEFT JOIN module m ON m.id = r.module_id "
                                  "WHERE r.partnership_id = ? ORDER BY r.id", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, tid);
    return db_query_json(st, s, e);
}

int store_observation_add(struct store *st, const struct store_observation *o, int64_t *id,
                          duet_err *e)
{
    if (db_check_text("observation text", o->text, DB_TEXT_MAX, 1, 1, e) != 0)
        return -1;
    if (!isnan(o->talk_share_lived) && !(o->talk_share_lived >= 0 && o->talk_share_lived <= 1))
        return duet_errf(e, DUET_EINPUT, "share of talk by the lived-experience side %g is "
                         "outside 0..1", o->talk_share_lived);
    if (o->decisions_lived < -1 || o->decisions_system < -1 || o->decisions_lived > 1000 ||
        o->decisions_system > 1000)
        return duet_errf(e, DUET_EINPUT, "decision counts must be between 0 and 1000");
    int64_t oid, tid, cid, mid;
    if (db_person_id(st, o->observer, &oid, e) != 0 ||
        db_partnership_id(st, o->partnership, &tid, &cid, e) != 0 ||
        module_of(st, cid, o->module, &mid, o->partnership, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO observation (observer_id, partnership_id, module_id, "
                                  "text, talk_share_lived, decisions_lived, decisions_system, "
                                  "created_at) VALUES (?,?,?,?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_bind_int64(s, 1, oid);
    sqlite3_bind_int64(s, 2, tid);
    sqlite3_bind_int64(s, 3, mid);
    db_bind_text(s, 4, o->text);
    if (!isnan(o->talk_share_lived))
        sqlite3_bind_double(s, 5, o->talk_share_lived);
    if (o->decisions_lived >= 0)
        sqlite3_bind_int(s, 6, o->decisions_lived);
    if (o->decisions_system >= 0)
        sqlite3_bind_int(s, 7, o->decisions_system);
    db_bind_text(s, 8, now);
    json_t *v = json_pack("{s:I, s:I, s:I, s:s}", "observer_id", (json_int_t)oid,
                          "partnership_id", (json_int_t)tid, "module_id", (json_int_t)mid,
                          "text", o->text);
    if (!isnan(o->talk_share_lived))
        json_object_set_new(v, "talk_share_lived", json_real(o->talk_share_lived));
    if (o->decisions_lived >= 0)
        json_object_set_new(v, "decisions_lived", json_integer(o->decisions_lived));
    if (o->decisions_system >= 0)
        json_object_set_new(v, "decisions_system", json_integer(o->decisions_system));
    return db_insert_audited(st, s, "observation", v, "observation", id, e);
}

json_t *store_observation_list(struct store *st, const char *partnership, duet_err *e)
{
    return store_observation_page(st, partnership, 0, 0, -1, e);
}

json_t *store_observation_page(struct store *st, const char *partnership, int after_module,
                               int64_t after_id, int64_t limit, duet_err *e)
{
    int64_t tid, cid;
    if (db_partnership_id(st, partnership, &tid, &cid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT o.id, p.key AS observer, m.ordinal AS module, o.text, "
                                  "o.talk_share_lived, o.decisions_lived, o.decisions_system, "
                                  "o.created_at FROM observation o JOIN person p ON p.id = o.observer_id "
                                  "JOIN module m ON m.id = o.module_id WHERE o.partnership_id = ?1 "
                                  "AND (m.ordinal > ?2 OR (m.ordinal = ?2 AND o.id > ?3)) "
                                  "ORDER BY m.ordinal, o.id LIMIT ?4", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, tid);
    sqlite3_bind_int(s, 2, after_module);
    sqlite3_bind_int64(s, 3, after_id);
    sqlite3_bind_int64(s, 4, limit);
    return db_query_json(st, s, e);
}

int store_project_log_add(struct store *st, const char *partnership, const char *kind,
                          const char *description, const char *happened_on, int64_t *id,
                          duet_err *e)
{
    if (kind == NULL || (strcmp(kind, "obstacle") != 0 && strcmp(kind, "lever") != 0 &&
                         strcmp(kind, "milestone") != 0))
        return duet_errf(e, DUET_EINPUT, "project log kind '%s' is not one of obstacle, lever, "
                         "milestone", kind ? kind : "");
    if (db_check_text("description", description, DB_TEXT_MAX, 1, 1, e) != 0 ||
        db_check_date("date", happened_on, 1, e) != 0)
        return -1;
    int64_t tid, cid;
    if (db_partnership_id(st, partnership, &tid, &cid, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO project_log (partnership_id, kind, description, "
                                  "happened_on, created_at) VALUES (?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_bind_int64(s, 1, tid);
    db_bind_text(s, 2, kind);
    db_bind_text(s, 3, description);
    db_bind_text(s, 4, happened_on);
    db_bind_text(s, 5, now);
    return db_insert_audited(st, s, "project_log",
                             json_pack("{s:I, s:s, s:s, s:s}", "partnership_id", (json_int_t)tid,
                                       "kind", kind, "description", description, "happened_on",
                                       happened_on),
                             "project log entry", id, e);
}
