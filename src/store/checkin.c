/*
** checkin.c — check-ins and their item responses; the responses export.
*/
#include "store/db.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int store_checkin_exists(struct store *st, int64_t person_id, int64_t partnership_id,
                         int64_t module_id, int *exists, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT 1 FROM checkin WHERE person_id = ? AND "
                                  "partnership_id = ? AND module_id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, "looking up a check-in", e);
    *exists = rc == SQLITE_ROW;
    return 0;
}

static json_t *checkin_json(const struct store_checkin *c)
{
    json_t *answers = json_object();
    for (size_t k = 0; k < c->nanswers; k++) {
        const struct store_answer *a = &c->answers[k];
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)a->item_id);
        json_t *v;
        if (!a->has_num)
            v = json_stringn(a->text, a->text_len);
        else if (a->num == (double)(json_int_t)a->num)
            v = json_integer((json_int_t)a->num);   /* scale answers are whole numbers */
        else
            v = json_real(a->num);
        json_object_set_new(answers, key, v);
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:o}", "person_id", (json_int_t)c->person_id,
                     "partnership_id", (json_int_t)c->partnership_id, "module_id",
                     (json_int_t)c->module_id, "instrument_id", (json_int_t)c->instrument_id,
                     "answers", answers);
}

int store_checkins_insert(struct store *st, const struct store_checkin *c, size_t n,
                          duet_err *e)
{
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    sqlite3_stmt *ins = db_prep(st, "INSERT INTO checkin (person_id, partnership_id, module_id, "
                                    "instrument_id, submitted_at) VALUES (?,?,?,?,?)", e);
    sqlite3_stmt *resp = ins ? db_prep(st, "INSERT INTO response (checkin_id, item_id, num, text) "
                                           "VALUES (?,?,?,?)", e) : NULL;
    int ok = resp != NULL;
    char now[32];
    db_now(now);
    for (size_t i = 0; ok && i < n; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, c[i].person_id);
        sqlite3_bind_int64(ins, 2, c[i].partnership_id);
        sqlite3_bind_int64(ins, 3, c[i].module_id);
        sqlite3_bind_int64(ins, 4, c[i].instrument_id);
        sqlite3_bind_text(ins, 5, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
                duet_errf(e, DUET_ECONFLICT, "a check-in by this person for this partnership "
                          "and module already exists");
            else
                db_fail(st, "adding a check-in", e);
            ok = 0;
            break;
        }
        int64_t cid = sqlite3_last_insert_rowid(st->db);
        for (size_t k = 0; ok && k < c[i].nanswers; k++) {
            const struct store_answer *a = &c[i].answers[k];
            sqlite3_reset(resp);
            sqlite3_bind_int64(resp, 1, cid);
            sqlite3_bind_int64(resp, 2, a->item_id);
            if (a->has_num) {
                sqlite3_bind_double(resp, 3, a->num);
                sqlite3_bind_null(resp, 4);
            } else {
                sqlite3_bind_null(resp, 3);
                sqlite3_bind_text(resp, 4, a->text, (int)a->text_len, SQLITE_STATIC);
            }
            if (sqlite3_step(resp) != SQLITE_DONE) {
                if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
                    duet_errf(e, DUET_ECONFLICT, "a check-in answers the same item twice");
                else
                    db_fail(st, "adding a response", e);
                ok = 0;
            }
        }
        if (ok) {
            json_t *v = checkin_json(&c[i]);
            ok = db_audit(st, "checkin", cid, "insert", NULL, v, e) == 0;
            json_decref(v);
        }
    }
    if (ins)
        sqlite3_reset(ins);
    if (resp)
        sqlite3_reset(resp);
    return db_tx_end(st, started, ok, e);
}

int store_responses_each(struct store *st, const char *purpose, store_response_fn fn,
                         void *ctx, duet_err *e)
{
    static const char sql[] =
        "SELECT c.name, m.ordinal, t.code, p.key, i.name, r.num, r.text "
        "FROM response r JOIN checkin k ON k.id = r.checkin_id "
        "JOIN item i ON i.id = r.item_id JOIN module m ON m.id = k.module_id "
        "JOIN cohort c ON c.id = m.cohort_id JOIN partnership t ON t.id = k.partnership_id "
        "JOIN person p ON p.id = k.person_id WHERE p.erased_at IS NULL AND (r.num IS NOT NULL OR r.text IS NOT NULL) AND "
        CONSENT_IN_FORCE("p.id")
        " ORDER BY c.name, m.ordinal, t.code, p.key, i.instrument_id, i.ordinal";
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "reading responses", e);
    db_bind_text(s, 1, purpose);
    int rc = SQLITE_DONE, failed = 0;
    char num[40];
    while (!failed && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_response_row row = {
            .cohort = (const char *)sqlite3_column_text(s, 0),
            .module = sqlite3_column_int(s, 1),
            .partnership = (const char *)sqlite3_column_text(s, 2),
            .person = (const char *)sqlite3_column_text(s, 3),
            .item = (const char *)sqlite3_column_text(s, 4),
        };
        if (sqlite3_column_type(s, 5) != SQLITE_NULL) {
            double v = sqlite3_column_double(s, 5);
            if (v == floor(v) && fabs(v) < 1e15)
                snprintf(num, sizeof num, "%.0f", v);
            else
                snprintf(num, sizeof num, "%.17g", v);
            row.value = num;
        } else {
            row.value = (const char *)sqlite3_column_text(s, 6);
            if (row.value == NULL)
                row.value = "";
        }
        failed = fn(ctx, &row, e) != 0;
    }
    sqlite3_finalize(s);
    if (failed)
        return -1;
    if (rc != SQLITE_DONE)
        return db_fail(st, "reading responses", e);
    return 0;
}

/* Steps a bound statement whose columns are those of store_scored_each's
** query and calls fn for each row. Does not finalize or reset s. */
static int scored_rows(struct store *st, sqlite3_stmt *s, store_scored_fn fn, void *ctx,
                       duet_err *e)
{
    int rc = SQLITE_DONE, failed = 0;
    while (!failed && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_scored_row row = {
            (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
            (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
            (const char *)sqlite3_column_text(s, 4), sqlite3_column_int(s, 5),
            (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 7),
            (const char *)sqlite3_column_text(s, 8), sqlite3_column_int(s, 9),
            sqlite3_column_int(s, 10), sqlite3_column_int(s, 11), sqlite3_column_double(s, 12)};
        if (row.construct == NULL)
            row.construct = "";
        failed = fn(ctx, &row, e) != 0;
    }
    if (failed)
        return -1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "reading answers", e);
}

/* The columns and joins both scored queries share. */
#define SCORED_SELECT                                                                          \
    "SELECT c.name, t.code, t.kind, p.key, ro.side, m.ordinal, i.name, i.construct, i.type, "  \
    "i.min, i.max, i.reverse, r.num "                                                          \
    "FROM response r JOIN checkin k ON k.id = r.checkin_id "                                   \
    "JOIN item i ON i.id = r.item_id JOIN module m ON m.id = k.module_id "                     \
    "JOIN cohort c ON c.id = m.cohort_id JOIN partnership t ON t.id = k.partnership_id "       \
    "JOIN person p ON p.id = k.person_id "                                                     \
    "JOIN membership mb ON mb.partnership_id = t.id AND mb.person_id = p.id "                  \
    "JOIN role ro ON ro.id = mb.role_id "                                                      \
    "WHERE r.num IS NOT NULL AND i.type IN ('scale', 'ladder') AND p.erased_at IS NULL "

int store_scored_each(struct store *st, const char *cohort, const char *purpose,
                      store_scored_fn fn, void *ctx, duet_err *e)
{
    static const char sql[] =
        SCORED_SELECT "AND (?2 IS NULL OR c.name = ?2) AND " CONSENT_IN_FORCE("p.id")
        " ORDER BY c.name, t.code, m.ordinal, p.key, i.instrument_id, i.ordinal";
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "reading answers", e);
    db_bind_text(s, 1, purpose);
    db_bind_text(s, 2, cohort);
    int rc = scored_rows(st, s, fn, ctx, e);
    sqlite3_finalize(s);
    return rc;
}

int store_scored_each_partnership(struct store *st, const char *partnership,
                                  const char *purpose, store_scored_fn fn, void *ctx,
                                  duet_err *e)
{
    /* k.partnership_id = ?2 lets SQLite start from the checkin_partnership
    ** index, so the cost follows the partnership's answers, not the cohort's.
    ** Cached: a partnership page runs it on every request. */
    static const char sql[] =
        SCORED_SELECT "AND k.partnership_id = ?2 AND " CONSENT_IN_FORCE("p.id")
        " ORDER BY m.ordinal, p.key, i.instrument_id, i.ordinal";
    int64_t tid, cid;
    if (db_partnership_id(st, partnership, &tid, &cid, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, sql, e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, purpose);
    sqlite3_bind_int64(s, 2, tid);
    int rc = scored_rows(st, s, fn, ctx, e);
    sqlite3_reset(s);
    return rc;
}
