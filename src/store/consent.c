/*
** consent.c — consent per purpose, and erasure on withdrawal.
**
** Withdrawal is final. Withdrawing "research" takes the person out of every
** analysis and export for research (see CONSENT_IN_FORCE in db.h) and
** erases their identifiable content from the store: name, organisation,
** contact, reflections, free-text answers, Q-sorts, and the audit payloads
** that held them (the audit chain still verifies: it hashes payload digests).
*/
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char *const purposes[] = {"research", "quotes", "contact"};

static int check_purpose(const char *purpose, duet_err *e)
{
    for (size_t i = 0; i < sizeof purposes / sizeof purposes[0]; i++)
        if (purpose && strcmp(purpose, purposes[i]) == 0)
            return 0;
    return duet_errf(e, DUET_EINPUT, "consent purpose '%s' is not one of research, quotes, "
                     "contact", purpose ? purpose : "");
}

/* 0 = never given, 1 = in force, 2 = withdrawn. */
static int consent_state(struct store *st, int64_t pid, const char *purpose, int64_t *cid,
                         duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, withdrawn_at IS NOT NULL FROM consent "
                                  "WHERE person_id = ? AND purpose = ? "
                                  "ORDER BY withdrawn_at IS NOT NULL DESC, id DESC LIMIT 1", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    db_bind_text(s, 2, purpose);
    int state = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *cid = sqlite3_column_int64(s, 0);
        state = sqlite3_column_int(s, 1) ? 2 : 1;
    }
    sqlite3_reset(s);
    return state;
}

int store_consent_give(struct store *st, const char *person, const char *purpose,
                       const char *version, duet_err *e)
{
    if (check_purpose(purpose, e) != 0 ||
        db_check_text("consent version", version, 64, 1, 0, e) != 0)
        return -1;
    int64_t pid, cid = 0;
    if (db_person_id(st, person, &pid, e) != 0)
        return -1;
    int state = consent_state(st, pid, purpose, &cid, e);
    if (state < 0)
        return -1;
    if (state == 1)
        return duet_errf(e, DUET_ECONFLICT, "person '%s' has already given consent for %s",
                         person, purpose);
    if (state == 2)
        return duet_errf(e, DUET_ECONFLICT, "person '%s' withdrew consent for %s; withdrawal "
                         "is final", person, purpose);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO consent (person_id, purpose, version, given_at) "
                                  "VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_bind_int64(s, 1, pid);
    db_bind_text(s, 2, purpose);
    db_bind_text(s, 3, version);
    db_bind_text(s, 4, now);
    return db_insert_audited(st, s, "consent",
                             json_pack("{s:I, s:s, s:s, s:s}", "person_id", (json_int_t)pid,
                                       "purpose", purpose, "version", version, "given_at", now),
                             "consent", NULL, e);
}

static int run(struct store *st, const char *sql, int64_t pid, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, sql, e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : db_fail(st, "erasing", e);
}

static int erase_person(struct store *st, int64_t pid, duet_err *e)
{
    char now[32];
    db_now(now);
    static const char payloads[] =
        "UPDATE audit_payload SET old_value = NULL, new_value = NULL, erased_at = ?2 "
        "WHERE erased_at IS NULL AND seq IN (SELECT seq FROM audit WHERE "
        "(tbl = 'person' AND row_id = ?1) OR "
        "(tbl = 'reflection' AND row_id IN (SELECT id FROM reflection WHERE person_id = ?1)) OR "
        "(tbl = 'checkin' AND row_id IN (SELECT id FROM checkin WHERE person_id = ?1)) OR "
        "(tbl = 'qsort' AND row_id IN (SELECT id FROM qsort WHERE person_id = ?1)))";
    sqlite3_stmt *s = db_prep(st, payloads, e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    db_bind_text(s, 2, now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, "erasing audit payloads", e);
    /* Memos on the coding of their reflections may quote them: they go
    ** too (the sources, selections and codings go with the reflections). */
    if (run(st, "DELETE FROM memo WHERE (target_kind = 'source' AND target_id IN "
                "(SELECT s.id FROM source s JOIN reflection f ON f.id = s.reflection_id "
                "WHERE f.person_id = ?1)) OR (target_kind = 'coding' AND target_id IN "
                "(SELECT g.id FROM coding g JOIN selection x ON x.id = g.selection_id "
                "JOIN source s ON s.id = x.source_id JOIN reflection f ON f.id = "
                "s.reflection_id WHERE f.person_id = ?1))", pid, e) != 0 ||
        run(st, "DELETE FROM reflection WHERE person_id = ?", pid, e) != 0 ||
        run(st, "DELETE FROM checkin_draft WHERE person_id = ?", pid, e) != 0 ||
        run(st, "DELETE FROM qsort WHERE person_id = ?", pid, e) != 0 ||
        run(st, "UPDATE response SET text = NULL WHERE text IS NOT NULL AND checkin_id IN "
                "(SELECT id FROM checkin WHERE person_id = ?)", pid, e) != 0)
        return -1;
    s = db_prep(st, "UPDATE person SET key = 'withdrawn-' || id, display_name = '(withdrawn)', "
                    "organisation = '', contact = '', erased_at = ?2 WHERE id = ?1", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    db_bind_text(s, 2, now);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, "erasing a person", e);
    return db_audit(st, "person", pid, "erase", NULL, NULL, e);
}

int store_consent_withdraw(struct store *st, const char *person, const char *purpose,
                           duet_err *e)
{
    if (check_purpose(purpose, e) != 0)
        return -1;
    int64_t pid, cid = 0;
    if (db_person_id(st, person, &pid, e) != 0)
        return -1;
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    int ok = 0;
    int state = consent_state(st, pid, purpose, &cid, e);
    if (state == 0)
        duet_errf(e, DUET_ECONFLICT, "person '%s' has not given consent for %s", person, purpose);
    else if (state == 2)
        duet_errf(e, DUET_ECONFLICT, "person '%s' has already withdrawn consent for %s",
                  person, purpose);
    else if (state == 1) {
        char now[32];
        db_now(now);
        sqlite3_stmt *s = db_prep(st, "UPDATE consent SET withdrawn_at = ? WHERE id = ?", e);
        if (s) {
            db_bind_text(s, 1, now);
            sqlite3_bind_int64(s, 2, cid);
            ok = sqlite3_step(s) == SQLITE_DONE || db_fail(st, "withdrawing consent", e) == 0;
            sqlite3_reset(s);
        }
        json_t *v = json_pack("{s:s}", "withdrawn_at", now);
        ok = ok && db_audit(st, "consent", cid, "update", NULL, v, e) == 0;
        json_decref(v);
        if (ok && strcmp(purpose, "research") == 0)
            ok = erase_person(st, pid, e) == 0;
    }
    return db_tx_end(st, started, ok, e);
}

json_t *store_consent_list(struct store *st, const char *person, duet_err *e)
{
    int64_t pid;
    if (db_person_id(st, person, &pid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT purpose, version, given_at, withdrawn_at FROM consent "
                                  "WHERE person_id = ? ORDER BY purpose, id", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, pid);
    return db_query_json(st, s, e);
}
