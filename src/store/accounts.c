/*
** accounts.c — accounts, sessions, API tokens and cohort staff.
**
** This file stores what app/auth.c decides; it never hashes a password or
** judges a session. It must never write a password hash, a token or a
** token digest into the audit log, and session reads must stay one indexed
** SELECT: they run on every web request.
*/
#include "store/db.h"

#include <stdio.h>
#include <string.h>

static const char *const account_roles[] = {"participant", "facilitator", "researcher",
                                            "admin"};

static int check_role(const char *role, duet_err *e)
{
    for (size_t i = 0; i < sizeof account_roles / sizeof account_roles[0]; i++)
        if (role && strcmp(role, account_roles[i]) == 0)
            return 0;
    return duet_errf(e, DUET_EINPUT, "account role '%s' is not one of participant, "
                     "facilitator, researcher, admin", role ? role : "");
}

/* Copies a text column into a fixed buffer ("" for NULL). */
static void column_copy(sqlite3_stmt *s, int i, char *out, size_t n)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    snprintf(out, n, "%s", v ? (const char *)v : "");
}

/* Columns 0..5 of the account queries below: a.id, a.person_id, p.key,
** p.display_name, a.role, a.disabled_at IS NOT NULL. */
#define ACCOUNT_COLUMNS "a.id, a.person_id, p.key, p.display_name, a.role, " \
                        "a.disabled_at IS NOT NULL"

static void account_from_row(sqlite3_stmt *s, struct store_account *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(s, 0);
    out->person_id = sqlite3_column_int64(s, 1);
    column_copy(s, 2, out->person_key, sizeof out->person_key);
    column_copy(s, 3, out->display_name, sizeof out->display_name);
    column_copy(s, 4, out->role, sizeof out->role);
    out->disabled = sqlite3_column_int(s, 5);
}

/* Steps a bound statement that returns no rows; resets it. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what, duet_err *e)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : db_fail(st, what, e);
}

/* ---- accounts ---- */

int store_account_add(struct store *st, const char *person, const char *role,
                      const char *password_hash, int64_t *id, duet_err *e)
{
    if (check_role(role, e) != 0 ||
        db_check_text("password hash", password_hash, STORE_HASH_MAX - 1, 1, 0, e) != 0)
        return -1;
    int64_t pid;
    if (db_person_id(st, person, &pid, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO account (person_id, role, password_hash, "
                                  "created_at) VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    char now[32], what[256];
    db_now(now);
    sqlite3_bind_int64(s, 1, pid);
    db_bind_text(s, 2, role);
    db_bind_text(s, 3, password_hash);
    db_bind_text(s, 4, now);
    snprintf(what, sizeof what, "an account for person '%s'", person);
    /* The payload names the person by id (erasure on withdrawal looks for
    ** keys in person payloads only) and never carries the hash. */
    return db_insert_audited(st, s, "account",
                             json_pack("{s:I, s:s}", "person_id", (json_int_t)pid, "role", role),
                             what, id, e);
}

json_t *store_account_list(struct store *st, duet_err *e)
{
    return store_account_page(st, NULL, -1, e);
}

json_t *store_account_page(struct store *st, const char *after, int64_t limit, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT p.key AS person, p.display_name, a.role, "
                                  "a.created_at, a.disabled_at FROM account a "
                                  "JOIN person p ON p.id = a.person_id "
                                  "WHERE ?1 IS NULL OR p.key > ?1 ORDER BY p.key LIMIT ?2", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, after);
    sqlite3_bind_int64(s, 2, limit);
    return db_query_json(st, s, e);
}

int store_account_get(struct store *st, const char *person, struct store_account *out,
                      duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT " ACCOUNT_COLUMNS ", a.password_hash FROM account a "
                                  "JOIN person p ON p.id = a.person_id WHERE p.key = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, person);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        account_from_row(s, out);
        column_copy(s, 6, out->password_hash, sizeof out->password_hash);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "person '%s' has no account", person ? person : "");
    return db_fail(st, "reading an account", e);
}

int store_account_disable(struct store *st, const char *person, int64_t *id, duet_err *e)
{
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    struct store_account a;
    int ok = store_account_get(st, person, &a, e) == 0;
    if (ok && a.disabled) {
        duet_errf(e, DUET_ECONFLICT, "the account of person '%s' is already disabled", person);
        ok = 0;
    }
    char now[32];
    db_now(now);
    sqlite3_stmt *s = ok ? db_prep(st, "UPDATE account SET disabled_at = ? WHERE id = ?", e)
                         : NULL;
    ok = s != NULL;
    if (ok) {
        db_bind_text(s, 1, now);
        sqlite3_bind_int64(s, 2, a.id);
        ok = step_done(st, s, "disabling an account", e) == 0;
    }
    if (ok) {
        json_t *before = json_pack("{s:n}", "disabled_at");
        json_t *after = json_pack("{s:s}", "disabled_at", now);
        ok = db_audit(st, "account", a.id, "update", before, after, e) == 0;
        json_decref(before);
        json_decref(after);
    }
    if (ok && id)
        *id = a.id;
    return db_tx_end(st, started, ok, e);
}

int store_account_enable(struct store *st, const char *person, int64_t *id, duet_err *e)
{
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    struct store_account a;
    int ok = store_account_get(st, person, &a, e) == 0;
    if (ok && !a.disabled) {
        duet_errf(e, DUET_ECONFLICT, "the account of person '%s' is not disabled", person);
        ok = 0;
    }
    sqlite3_stmt *q = ok ? db_prep(st, "SELECT disabled_at FROM account WHERE id = ?", e) : NULL;
    char was[32] = "";
    ok = q != NULL;
    if (ok) {
        sqlite3_bind_int64(q, 1, a.id);
        ok = sqlite3_step(q) == SQLITE_ROW;
        if (ok)
            column_copy(q, 0, was, sizeof was);
        else
            db_fail(st, "reading an account", e);
        sqlite3_reset(q);
    }
    sqlite3_stmt *s = ok ? db_prep(st, "UPDATE account SET disabled_at = NULL WHERE id = ?", e)
                         : NULL;
    ok = s != NULL;
    if (ok) {
        sqlite3_bind_int64(s, 1, a.id);
        ok = step_done(st, s, "enabling an account", e) == 0;
    }
    if (ok) {
        json_t *before = json_pack("{s:s}", "disabled_at", was);
        json_t *after = json_pack("{s:n}", "disabled_at");
        ok = db_audit(st, "account", a.id, "update", before, after, e) == 0;
        json_decref(before);
        json_decref(after);
    }
    if (ok && id)
        *id = a.id;
    return db_tx_end(st, started, ok, e);
}

/* ---- sessions: never audited ---- */

int store_session_insert(struct store *st, const unsigned char token_hash[32],
                         int64_t account_id, const char *csrf, int64_t now, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "INSERT INTO session (token_hash, account_id, csrf, "
                                  "created_at, last_seen) VALUES (?,?,?,?,?4)", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, account_id);
    db_bind_text(s, 3, csrf);
    sqlite3_bind_int64(s, 4, now);
    return step_done(st, s, "opening a session", e);
}

int store_session_get(struct store *st, const unsigned char token_hash[32],
                      struct store_session *out, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT " ACCOUNT_COLUMNS ", s.csrf, s.created_at, "
                                  "s.last_seen, s.ended_at IS NOT NULL, s.ended_at "
                                  "FROM session s JOIN account a ON a.id = s.account_id "
                                  "JOIN person p ON p.id = a.person_id WHERE s.token_hash = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        account_from_row(s, &out->account);
        column_copy(s, 6, out->csrf, sizeof out->csrf);
        out->created_at = sqlite3_column_int64(s, 7);
        out->last_seen = sqlite3_column_int64(s, 8);
        out->ended = sqlite3_column_int(s, 9);
        out->ended_at = sqlite3_column_int64(s, 10);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "no such session");
    return db_fail(st, "reading a session", e);
}

int store_session_touch(struct store *st, const unsigned char token_hash[32], int64_t now,
                        duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "UPDATE session SET last_seen = ?2 "
                                  "WHERE token_hash = ?1 AND last_seen < ?2", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return step_done(st, s, "recording a session's activity", e);
}

int store_session_end(struct store *st, const unsigned char token_hash[32], int64_t now,
                      duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "UPDATE session SET ended_at = ?2 "
                                  "WHERE token_hash = ?1 AND ended_at IS NULL", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    return step_done(st, s, "ending a session", e);
}

int store_session_end_all(struct store *st, int64_t account_id, int64_t now, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "UPDATE session SET ended_at = ?2 "
                                  "WHERE account_id = ?1 AND ended_at IS NULL", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int64(s, 2, now);
    return step_done(st, s, "ending sessions", e);
}

int store_session_prune(struct store *st, int64_t idle_before, int64_t created_before,
                        duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "DELETE FROM session WHERE ended_at IS NOT NULL "
                                  "OR last_seen < ? OR created_at < ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, idle_before);
    sqlite3_bind_int64(s, 2, created_before);
    return step_done(st, s, "removing old sessions", e);
}

/* ---- API tokens ----
** Times are ISO 8601 text like every other table's, so "has it expired" is
** a comparison of strings of one format (db_now's). */

/* now plus days, in db_now's format, through SQLite's date functions. */
static int time_plus_days(struct store *st, const char *now, int days, char out[32],
                          duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1, '+' || ?2 || "
                                  "' days')", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, now);
    sqlite3_bind_int(s, 2, days);
    int rc = sqlite3_step(s);
    int ok = rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT;
    if (ok)
        column_copy(s, 0, out, 32);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return db_fail(st, "computing a token's expiry", e);
    if (!ok)   /* DUET_NOW set to something that is not a time */
        return duet_errf(e, DUET_EINPUT, "the current time '%s' is not an ISO 8601 time", now);
    return 0;
}

int store_token_insert(struct store *st, const unsigned char token_hash[32], int64_t account_id,
                       const char *label, int days, struct store_token_made *out, duet_err *e)
{
    if (db_check_text("token label", label, DB_NAME_MAX, 0, 0, e) != 0)
        return -1;
    if (days < 1 || days > STORE_TOKEN_DAYS_MAX)
        return duet_errf(e, DUET_EINPUT, "a token lasts 1 to %d days, not %d",
                         STORE_TOKEN_DAYS_MAX, days);
    char now[32], until[32];
    db_now(now);
    if (time_plus_days(st, now, days, until, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO api_token (token_hash, account_id, label, "
                                  "created_at, expires_at) VALUES (?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    const char *text = label ? label : "";
    sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, account_id);
    db_bind_text(s, 3, text);
    db_bind_text(s, 4, now);
    db_bind_text(s, 5, until);
    int64_t id;
    if (db_insert_audited(st, s, "api_token",
                          json_pack("{s:I, s:s, s:s}", "account_id", (json_int_t)account_id,
                                    "label", text, "expires_at", until),
                          "the API token", &id, e) != 0)
        return -1;
    if (out) {
        out->id = id;
        snprintf(out->created_at, sizeof out->created_at, "%s", now);
        snprintf(out->expires_at, sizeof out->expires_at, "%s", until);
    }
    return 0;
}

int store_token_get(struct store *st, const unsigned char token_hash[32],
                    struct store_account *out, int64_t *token_id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT " ACCOUNT_COLUMNS ", t.id FROM api_token t "
                                  "JOIN account a ON a.id = t.account_id "
                                  "JOIN person p ON p.id = a.person_id "
                                  "WHERE t.token_hash = ? AND t.revoked_at IS NULL "
                                  "AND t.expires_at > ?", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_bind_blob(s, 1, token_hash, 32, SQLITE_STATIC);
    db_bind_text(s, 2, now);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        account_from_row(s, out);
        if (token_id)
            *token_id = sqlite3_column_int64(s, 6);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "no such API token");
    return db_fail(st, "reading an API token", e);
}

int store_token_touch(struct store *st, int64_t token_id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "UPDATE api_token SET last_used_at = ?1 WHERE id = ?2 AND "
                                  "(last_used_at IS NULL OR last_used_at < "
                                  "strftime('%Y-%m-%dT%H:%M:%SZ', ?1, '-60 seconds'))", e);
    if (s == NULL)
        return -1;
    char now[32];
    db_now(now);
    db_bind_text(s, 1, now);
    sqlite3_bind_int64(s, 2, token_id);
    return step_done(st, s, "recording a token's use", e);
}

json_t *store_token_list(struct store *st, const char *person, duet_err *e)
{
    int64_t pid;
    if (person && db_person_id(st, person, &pid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT t.id, p.key AS person, t.label, t.created_at, "
                                  "t.expires_at, t.last_used_at, t.revoked_at, "
                                  "CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked' "
                                  "WHEN t.expires_at <= ?2 THEN 'expired' ELSE 'active' END "
                                  "AS status FROM api_token t "
                                  "JOIN account a ON a.id = t.account_id "
                                  "JOIN person p ON p.id = a.person_id "
                                  "WHERE ?1 IS NULL OR p.key = ?1 ORDER BY t.id", e);
    if (s == NULL)
        return NULL;
    char now[32];
    db_now(now);
    db_bind_text(s, 1, person);
    db_bind_text(s, 2, now);
    return db_query_json(st, s, e);
}

/* Sets revoked_at of token id (not yet revoked) and audits it, inside the
** caller's transaction. */
static int token_revoke_row(struct store *st, int64_t id, const char *now, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "UPDATE api_token SET revoked_at = ? WHERE id = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, now);
    sqlite3_bind_int64(s, 2, id);
    if (step_done(st, s, "revoking an API token", e) != 0)
        return -1;
    json_t *before = json_pack("{s:n}", "revoked_at");
    json_t *after = json_pack("{s:s}", "revoked_at", now);
    int rc = db_audit(st, "api_token", id, "update", before, after, e);
    json_decref(before);
    json_decref(after);
    return rc;
}

int store_token_revoke(struct store *st, int64_t id, char person[72], duet_err *e)
{
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "SELECT t.revoked_at IS NOT NULL, p.key FROM api_token t "
                                  "JOIN account a ON a.id = t.account_id "
                                  "JOIN person p ON p.id = a.person_id WHERE t.id = ?", e);
    int ok = s != NULL, revoked = 0;
    char key[72] = "";
    if (ok) {
        sqlite3_bind_int64(s, 1, id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            revoked = sqlite3_column_int(s, 0);
            column_copy(s, 1, key, sizeof key);
        } else if (rc == SQLITE_DONE) {
            duet_errf(e, DUET_ENOTFOUND, "API token %lld does not exist (see 'duet token list')",
                      (long long)id);
            ok = 0;
        } else {
            db_fail(st, "reading an API token", e);
            ok = 0;
        }
        sqlite3_reset(s);
    }
    if (ok && revoked) {
        duet_errf(e, DUET_ECONFLICT, "API token %lld is already revoked", (long long)id);
        ok = 0;
    }
    char now[32];
    db_now(now);
    if (ok)
        ok = token_revoke_row(st, id, now, e) == 0;
    if (ok && person)
        snprintf(person, 72, "%s", key);
    return db_tx_end(st, started, ok, e);
}

int store_token_revoke_all(struct store *st, int64_t account_id, duet_err *e)
{
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    char now[32];
    db_now(now);
    int ok = 1;
    /* One by one, so that each revocation has its audit entry. */
    while (ok) {
        sqlite3_stmt *s = db_prep(st, "SELECT id FROM api_token WHERE account_id = ? AND "
                                      "revoked_at IS NULL ORDER BY id LIMIT 1", e);
        if (s == NULL) {
            ok = 0;
            break;
        }
        sqlite3_bind_int64(s, 1, account_id);
        int rc = sqlite3_step(s);
        int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            db_fail(st, "reading API tokens", e);
            ok = 0;
            break;
        }
        ok = token_revoke_row(st, id, now, e) == 0;
    }
    return db_tx_end(st, started, ok, e);
}

/* ---- cohort staff ---- */

/* Refuses a person who takes part in the cohort: staff see every
** partnership's records, which participants must not see of each other. */
static int check_not_member(struct store *st, int64_t cid, int64_t pid, const char *person,
                            const char *cohort, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT t.code FROM membership m JOIN partnership t "
                                  "ON t.id = m.partnership_id "
                                  "WHERE m.person_id = ? AND t.cohort_id = ? LIMIT 1", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    sqlite3_bind_int64(s, 2, cid);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        duet_errf(e, DUET_ECONFLICT, "person '%s' is a member of partnership '%s' in cohort "
                  "'%s'; staff cannot take part in the cohort they run", person,
                  (const char *)sqlite3_column_text(s, 0), cohort);
    else if (rc != SQLITE_DONE)
        db_fail(st, "looking up memberships", e);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_cohort_staff_add(struct store *st, const char *cohort, const char *person,
                           duet_err *e)
{
    int64_t cid, pid;
    if (db_cohort_id(st, cohort, &cid, e) != 0 || db_person_id(st, person, &pid, e) != 0 ||
        check_not_member(st, cid, pid, person, cohort, e) != 0)
        return -1;
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO cohort_staff (cohort_id, person_id) "
                                  "VALUES (?,?)", e);
    int ok = s != NULL;
    if (ok) {
        sqlite3_bind_int64(s, 1, cid);
        sqlite3_bind_int64(s, 2, pid);
        int rc = sqlite3_step(s);
        ok = rc == SQLITE_DONE;
        if (!ok && sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
            duet_errf(e, DUET_ECONFLICT, "person '%s' is already staff of cohort '%s'",
                      person, cohort);
        else if (!ok)
            db_fail(st, "assigning staff", e);
        sqlite3_reset(s);
    }
    if (ok) {
        /* A WITHOUT ROWID table has no row id: the entry is filed under the
        ** person, and names both by id. */
        json_t *v = json_pack("{s:I, s:I}", "cohort_id", (json_int_t)cid, "person_id",
                              (json_int_t)pid);
        ok = db_audit(st, "cohort_staff", pid, "insert", NULL, v, e) == 0;
        json_decref(v);
    }
    return db_tx_end(st, started, ok, e);
}

json_t *store_cohort_staff_list(struct store *st, const char *cohort, duet_err *e)
{
    int64_t cid;
    if (db_cohort_id(st, cohort, &cid, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT p.key AS person, p.display_name, p.organisation, "
                                  "a.role FROM cohort_staff c JOIN person p ON p.id = c.person_id "
                                  "LEFT JOIN account a ON a.person_id = p.id "
                                  "WHERE c.cohort_id = ? ORDER BY p.key", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, cid);
    return db_query_json(st, s, e);
}

int store_cohort_staff_is(struct store *st, int64_t cohort_id, int64_t person_id, int *yes,
                          duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT 1 FROM cohort_staff "
                                  "WHERE cohort_id = ? AND person_id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, cohort_id);
    sqlite3_bind_int64(s, 2, person_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, "looking up staff", e);
    *yes = rc == SQLITE_ROW;
    return 0;
}
