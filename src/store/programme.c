/*
** programme.c — programmes, cohorts and modules.
*/
#include "store/db.h"

#include <stdio.h>
#include <string.h>

int store_programme_add(struct store *st, const char *name, const char *description,
                        int64_t *id, duet_err *e)
{
    if (db_check_text("programme name", name, DB_NAME_MAX, 1, 0, e) != 0 ||
        db_check_text("description", description, DB_TEXT_MAX, 0, 1, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO programme (name, description, created_at) "
                                  "VALUES (?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32], what[256];
    db_now(now);
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, description ? description : "");
    db_bind_text(s, 3, now);
    snprintf(what, sizeof what, "programme '%s'", name);
    return db_insert_audited(st, s, "programme",
                          json_pack("{s:s, s:s}", "name", name, "description",
                                    description ? description : ""),
                          what, id, e);
}

json_t *store_programme_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT p.id, p.name, p.description, p.created_at, "
                                  "(SELECT count(*) FROM cohort c WHERE c.programme_id = p.id) "
                                  "AS cohorts FROM programme p ORDER BY p.name", e);
    return s ? db_query_json(st, s, e) : NULL;
}

json_t *store_programme_show(struct store *st, const char *name, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, name, description, created_at FROM programme "
                                  "WHERE name = ?", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, name);
    char what[256];
    snprintf(what, sizeof what, "programme '%s'", name);
    json_t *p = db_query_one(st, s, what, e);
    if (p == NULL)
        return NULL;
    json_t *cohorts = store_cohort_list(st, name, e);
    if (cohorts == NULL) {
        json_decref(p);
        return NULL;
    }
    json_object_set_new(p, "cohorts", cohorts);
    return p;
}

int store_cohort_add(struct store *st, const char *programme, const char *name,
                     const char *starts_on, int64_t *id, duet_err *e)
{
    if (db_check_text("cohort name", name, DB_NAME_MAX, 1, 0, e) != 0 ||
        db_check_date("start date", starts_on, 0, e) != 0)
        return -1;
    /* The name is one segment of the cohort's web addresses (/cohorts/NAME):
    ** a '/' would split it, and browsers resolve "." and ".." away. */
    if (strchr(name, '/') != NULL)
        return duet_errf(e, DUET_EINPUT, "cohort name '%s' may not contain '/'", name);
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return duet_errf(e, DUET_EINPUT, "cohort name '%s' may not be '.' or '..'", name);
    sqlite3_stmt *s = db_prep(st, "SELECT id FROM programme WHERE name = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, programme);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return duet_errf(e, DUET_ENOTFOUND, "programme '%s' does not exist", programme);
    }
    int64_t pid = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    s = db_prep(st, "INSERT INTO cohort (programme_id, name, starts_on, created_at) "
                    "VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32], what[256];
    db_now(now);
    sqlite3_bind_int64(s, 1, pid);
    db_bind_text(s, 2, name);
    db_bind_text(s, 3, starts_on && *starts_on ? starts_on : NULL);
    db_bind_text(s, 4, now);
    snprintf(what, sizeof what, "cohort '%s'", name);
    return db_insert_audited(st, s, "cohort",
                          json_pack("{s:I, s:s, s:s?}", "programme_id", (json_int_t)pid,
                                    "name", name, "starts_on",
                                    starts_on && *starts_on ? starts_on : NULL),
                          what, id, e);
}

json_t *store_cohort_list(struct store *st, const char *programme, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT c.id, c.name, p.name AS programme, c.starts_on, "
                                  "(SELECT count(*) FROM module m WHERE m.cohort_id = c.id) AS modules, "
                                  "(SELECT count(*) FROM partnership t WHERE t.cohort_id = c.id) "
                                  "AS partnerships FROM cohort c JOIN programme p ON p.id = c.programme_id "
                                  "WHERE ?1 IS NULL OR p.name = ?1 ORDER BY c.name", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, programme);
    return db_query_json(st, s, e);
}

json_t *store_cohort_show(struct store *st, const char *name, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT c.id, c.name, p.name AS programme, c.starts_on, "
                                  "c.created_at FROM cohort c JOIN programme p ON p.id = c.programme_id "
                                  "WHERE c.name = ?", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, name);
    char what[256];
    snprintf(what, sizeof what, "cohort '%s'", name);
    json_t *c = db_query_one(st, s, what, e);
    if (c == NULL)
        return NULL;
    json_t *mods = store_module_list(st, name, e);
    json_t *parts = mods ? store_partnership_list(st, name, e) : NULL;
    if (parts == NULL) {
        json_decref(mods);
        json_decref(c);
        return NULL;
    }
    json_object_set_new(c, "modules", mods);
    json_object_set_new(c, "partnerships", parts);
    return c;
}

int store_module_add(struct store *st, const char *cohort, int ordinal, const char *held_on,
                     const char *theme, int64_t *id, duet_err *e)
{
    if (ordinal < 1 || ordinal > 1000)
        return duet_errf(e, DUET_EINPUT, "module number %d is outside 1..1000", ordinal);
    if (db_check_date("module date", held_on, 0, e) != 0 ||
        db_check_text("theme", theme, DB_NAME_MAX, 0, 0, e) != 0)
        return -1;
    int64_t cid;
    if (db_cohort_id(st, cohort, &cid, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO module (cohort_id, ordinal, held_on, theme) "
                                  "VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, cid);
    sqlite3_bind_int(s, 2, ordinal);
    db_bind_text(s, 3, held_on && *held_on ? held_on : NULL);
    db_bind_text(s, 4, theme ? theme : "");
    char what[256];
    snprintf(what, sizeof what, "module %d of cohort '%s'", ordinal, cohort);
    return db_insert_audited(st, s, "module",
                          json_pack("{s:I, s:i, s:s?, s:s}", "cohort_id", (json_int_t)cid,
                                    "ordinal", ordinal, "held_on",
                                    held_on && *held_on ? held_on : NULL, "theme",
                                    theme ? theme : ""),
                          what, id, e);
}

json_t *store_module_list(struct store *st, const char *cohort, duet_err *e)
{
    int64_t cid;
    if (db_cohort_id(st, cohort, &cid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT m.id, m.ordinal, m.held_on, m.theme, "
                                  "(SELECT count(*) FROM checkin k WHERE k.module_id = m.id) "
                                  "AS checkins FROM module m WHERE m.cohort_id = ? ORDER BY m.ordinal", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, cid);
    return db_query_json(st, s, e);
}

json_t *store_module_show(struct store *st, const char *cohort, int ordinal, duet_err *e)
{
    int64_t cid;
    if (db_cohort_id(st, cohort, &cid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT m.id, c.name AS cohort, m.ordinal, m.held_on, m.theme, "
                                  "(SELECT count(*) FROM checkin k WHERE k.module_id = m.id) AS checkins "
                                  "FROM module m JOIN cohort c ON c.id = m.cohort_id "
                                  "WHERE m.cohort_id = ? AND m.ordinal = ?", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, cid);
    sqlite3_bind_int(s, 2, ordinal);
    char what[256];
    snprintf(what, sizeof what, "module %d of cohort '%s'", ordinal, cohort);
    return db_query_one(st, s, what, e);
}
