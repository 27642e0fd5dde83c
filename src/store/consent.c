/*
** consent.c — consent per purpose, and erasure on withdrawal.
**
** Withdrawal is final. Withdrawing "research" takes the person out of every
** analysis and export for research (see CONSENT_IN_FORCE in db.h) and
** erases their identifiable content from the store: name, organisation,
** contact, reflections, free-text answers, Q-sorts, the audit payloads that
** held them (the chain hashes payload digests, so it still verifies) and
** their name as the actor of audit entries (replaced by their pseudonym,
** with a record that lets verify check those entries; see db.c). Erased
** rows are zeroed in the file (secure_delete) and the WAL is emptied after
** the transaction, so the words are gone from the disk too.
*/
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
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

/* What names a person: their key, display name and contact (organisations
** are shared, so they are erased from the person's own records only), and
** the pseudonym they are known by once erased. */
struct names {
    char key[80], display_name[256], contact[256];
    char pseudonym[48];
};

static int names_of(struct store *st, int64_t pid, struct names *n, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT key, display_name, contact FROM person WHERE id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        snprintf(n->key, sizeof n->key, "%s", (const char *)sqlite3_column_text(s, 0));
        snprintf(n->display_name, sizeof n->display_name, "%s",
                 (const char *)sqlite3_column_text(s, 1));
        snprintf(n->contact, sizeof n->contact, "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(n->pseudonym, sizeof n->pseudonym, "withdrawn-%lld", (long long)pid);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : db_fail(st, "reading a person", e);
}

/* name as a JSON string, as the audit payloads hold it; NULL for "". */
static char *quoted(const char *name)
{
    if (name == NULL || *name == '\0')
        return NULL;
    json_t *v = json_string(name);
    char *q = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    return q;
}

/* The payloads of the audit entries about the person's own records (their
** person row, reflections, check-ins, Q-sorts, API tokens, coder row) and
** of any other entry whose payload holds their key, name or contact as a
** value (another person's record aside: two people may share a name). The
** "erase" entries of earlier withdrawals are never touched. */
static int erase_payloads(struct store *st, int64_t pid, const struct names *n, const char *now,
                          duet_err *e)
{
    static const char sql[] =
        "UPDATE audit_payload SET old_value = NULL, new_value = NULL, erased_at = ?2 "
        "WHERE erased_at IS NULL AND seq IN (SELECT a.seq FROM audit a JOIN audit_payload p "
        "ON p.seq = a.seq WHERE a.action <> 'erase' AND ("
        "(a.tbl = 'person' AND a.row_id = ?1) OR "
        "(a.tbl = 'reflection' AND a.row_id IN (SELECT id FROM reflection WHERE person_id = ?1)) OR "
        "(a.tbl = 'checkin' AND a.row_id IN (SELECT id FROM checkin WHERE person_id = ?1)) OR "
        "(a.tbl = 'qsort' AND a.row_id IN (SELECT id FROM qsort WHERE person_id = ?1)) OR "
        "(a.tbl = 'api_token' AND a.row_id IN (SELECT t.id FROM api_token t JOIN account c "
        "ON c.id = t.account_id WHERE c.person_id = ?1)) OR "
        "(a.tbl = 'coder' AND a.row_id IN (SELECT k.id FROM coder k JOIN account c "
        "ON c.id = k.account_id WHERE c.person_id = ?1)) OR "
        "(a.tbl <> 'person' AND (instr(p.old_value, ?3) OR instr(p.new_value, ?3) OR "
        "instr(p.old_value, ?4) OR instr(p.new_value, ?4) OR "
        "instr(p.old_value, ?5) OR instr(p.new_value, ?5)))))";
    char *q[3] = {quoted(n->key), quoted(n->display_name), quoted(n->contact)};
    sqlite3_stmt *s = db_prep(st, sql, e);
    int rc = SQLITE_ERROR;
    if (s) {
        sqlite3_bind_int64(s, 1, pid);
        db_bind_text(s, 2, now);
        for (int i = 0; i < 3; i++)
            db_bind_text(s, 3 + i, q[i]);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
    }
    for (int i = 0; i < 3; i++)
        free(q[i]);
    if (s == NULL)
        return -1;
    return rc == SQLITE_DONE ? 0 : db_fail(st, "erasing audit payloads", e);
}

/* Other columns that may hold their key or name: their coder row, memos
** and the blind-mode switch they wrote as actor, their API tokens' labels. */
static int rename_elsewhere(struct store *st, int64_t pid, const struct names *n, duet_err *e)
{
    static const char *const sql[] = {
        "UPDATE coder SET name = ?2 WHERE account_id IN "
        "(SELECT id FROM account WHERE person_id = ?1)",
        "UPDATE memo SET author = ?2 WHERE author IN (?3, ?4, ?5)",
        "UPDATE coding_state SET changed_by = ?2 WHERE changed_by IN (?3, ?4, ?5)",
        "UPDATE api_token SET label = '' WHERE account_id IN "
        "(SELECT id FROM account WHERE person_id = ?1)",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *s = db_prep(st, sql[i], e);
        if (s == NULL)
            return -1;
        sqlite3_bind_int64(s, 1, pid);
        db_bind_text(s, 2, n->pseudonym);
        db_bind_text(s, 3, n->key);
        db_bind_text(s, 4, n->display_name);
        db_bind_text(s, 5, *n->contact ? n->contact : NULL);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return db_fail(st, "erasing", e);
    }
    return 0;
}

static int erase_person(struct store *st, int64_t pid, const struct names *n, duet_err *e)
{
    char now[32];
    db_now(now);
    if (erase_payloads(st, pid, n, now, e) != 0)
        return -1;
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
                "(SELECT id FROM checkin WHERE person_id = ?)", pid, e) != 0 ||
        rename_elsewhere(st, pid, n, e) != 0)
        return -1;
    /* The entries they made as actor keep their place in the chain under
    ** the pseudonym; the records that let verify check them go in the
    ** erase entry. */
    const char *const names[] = {n->key, n->display_name, n->contact};
    json_t *records = json_array();
    int ok = db_audit_redact_actor(st, names, 3, n->pseudonym, records, e) == 0;
    sqlite3_stmt *s = ok ? db_prep(st, "UPDATE person SET key = 'withdrawn-' || id, "
                                       "display_name = '(withdrawn)', organisation = '', "
                                       "contact = '', erased_at = ?2 WHERE id = ?1", e)
                         : NULL;
    ok = s != NULL;
    if (ok) {
        sqlite3_bind_int64(s, 1, pid);
        db_bind_text(s, 2, now);
        ok = sqlite3_step(s) == SQLITE_DONE || db_fail(st, "erasing a person", e) == 0;
        sqlite3_reset(s);
    }
    json_t *v = json_array_size(records) ? json_pack("{s:O}", "redacted", records) : NULL;
    ok = ok && db_audit(st, "person", pid, "erase", NULL, v, e) == 0;
    json_decref(v);
    json_decref(records);
    return ok ? 0 : -1;
}

int store_consent_withdraw(struct store *st, const char *person, const char *purpose,
                           duet_err *e)
{
    if (check_purpose(purpose, e) != 0)
        return -1;
    int64_t pid, cid = 0;
    if (db_person_id(st, person, &pid, e) != 0)
        return -1;
    int research = strcmp(purpose, "research") == 0;
    /* Erased rows are overwritten with zeros in the file, whatever SQLite
    ** was built with (the setting stays on for this connection). */
    if (research && sqlite3_exec(st->db, "PRAGMA secure_delete = ON", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(st, "erasing", e);
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    int ok = 0;
    struct names n;
    int state = consent_state(st, pid, purpose, &cid, e);
    if (state == 0)
        duet_errf(e, DUET_ECONFLICT, "person '%s' has not given consent for %s", person, purpose);
    else if (state == 2)
        duet_errf(e, DUET_ECONFLICT, "person '%s' has already withdrawn consent for %s",
                  person, purpose);
    else if (state == 1 && (!research || names_of(st, pid, &n, e) == 0)) {
        /* A person withdrawing themselves is recorded under their
        ** pseudonym from here on. */
        if (research && (strcmp(st->actor, n.key) == 0 ||
                         strcmp(st->actor, n.display_name) == 0 ||
                         (*n.contact && strcmp(st->actor, n.contact) == 0)))
            store_set_actor(st, n.pseudonym);
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
        if (ok && research)
            ok = erase_person(st, pid, &n, e) == 0;
    }
    if (db_tx_end(st, started, ok, e) != 0)
        return -1;
    /* Old WAL frames still hold what was erased: copy the WAL into the
    ** file and empty it. Best effort: a reader still on an older snapshot
    ** keeps the WAL until the next checkpoint (docs/data-model.md). */
    if (research && started)
        sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    return 0;
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
