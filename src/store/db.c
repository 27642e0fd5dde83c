/*
** db.c — opening, migrating, transactions, statement cache and the audit
** chain of the SQLite store.
*/
#include "store/db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Migrations, embedded from src/store/migrations/NNN_*.sql by the Makefile. */
extern const char migration_001_initial[];
extern const char migration_002_accounts[];
extern const char migration_003_drafts[];
extern const char migration_004_qsorts[];
extern const char migration_005_codebook[];
extern const char migration_006_coding[];
extern const char migration_007_tokens[];
extern const char migration_008_withdrawal[];
static const char *const migrations[] = {migration_001_initial, migration_002_accounts,
                                         migration_003_drafts, migration_004_qsorts,
                                         migration_005_codebook, migration_006_coding,
                                         migration_007_tokens, migration_008_withdrawal};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int db_schema_latest(void)
{
    return NMIGRATIONS;
}

const char *db_migration_sql(int v)
{
    return v >= 1 && v <= NMIGRATIONS ? migrations[v - 1] : NULL;
}

int db_fail(struct store *st, const char *what, duet_err *e)
{
    int rc = sqlite3_errcode(st->db);
    enum duet_errcode code = DUET_EIO;
    if (rc == SQLITE_CONSTRAINT)
        code = DUET_ECONFLICT;
    return duet_errf(e, code, "%s: %s", what, sqlite3_errmsg(st->db));
}

sqlite3_stmt *db_prep(struct store *st, const char *sql, duet_err *e)
{
    for (int i = 0; i < st->ncache; i++) {
        if (st->cache[i].sql != sql)
            continue;
        /* Keyed by address: a text built in a reused buffer would find the
        ** statement of another text. Check, and prepare the new text then. */
        if (strcmp(sqlite3_sql(st->cache[i].stmt), sql) != 0) {
            sqlite3_stmt *s = NULL;
            if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
                SQLITE_OK) {
                db_fail(st, "preparing a query", e);
                return NULL;
            }
            sqlite3_finalize(st->cache[i].stmt);
            st->cache[i].stmt = s;
            return s;
        }
        sqlite3_reset(st->cache[i].stmt);
        sqlite3_clear_bindings(st->cache[i].stmt);
        return st->cache[i].stmt;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        db_fail(st, "preparing a query", e);
        return NULL;
    }
    if (st->ncache < DB_STMT_CACHE) {
        st->cache[st->ncache].sql = sql;
        st->cache[st->ncache].stmt = s;
        st->ncache++;
    } else {
        /* Should never happen: the set of queries is fixed and small. */
        sqlite3_finalize(s);
        duet_errf(e, DUET_EINTERNAL, "statement cache full");
        return NULL;
    }
    return s;
}

int db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL)
        return sqlite3_bind_null(s, i);
    return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void db_now(char out[32])
{
    const char *fixed = getenv("DUET_NOW");   /* for reproducible tests and demos */
    if (fixed && *fixed) {
        snprintf(out, 32, "%s", fixed);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int exec(struct store *st, const char *sql, duet_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        duet_errf(e, DUET_EIO, "database: %s", msg ? msg : "unknown error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* 0 when no row refers to a missing one (PRAGMA foreign_key_check). */
static int foreign_keys_hold(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "checking foreign keys", e);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        duet_errf(e, DUET_EIO, "rows of table '%s' refer to missing rows of '%s'",
                  (const char *)sqlite3_column_text(s, 0),
                  (const char *)sqlite3_column_text(s, 2));
    else if (rc != SQLITE_DONE)
        db_fail(st, "checking foreign keys", e);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Each missing migration in its own transaction, with foreign keys off so
** that a migration can rebuild a table (create, copy, drop, rename) without
** the DROP cascading into the tables that refer to it; foreign_key_check
** must then find nothing before it commits. (The pragma cannot change
** inside a transaction; foreign keys are on again afterwards, whatever
** happened.) */
static int migrate(struct store *st, duet_err *e)
{
    int version = store_schema_version(st);
    if (version > NMIGRATIONS)
        return duet_errf(e, DUET_EIO,
                         "the database has schema version %d but this duet knows only "
                         "up to %d; use a newer duet", version, NMIGRATIONS);
    int rc = 0;
    for (int v = version; v < NMIGRATIONS && rc == 0; v++) {
        if (exec(st, "PRAGMA foreign_keys = OFF", e) != 0 || exec(st, "BEGIN IMMEDIATE", e) != 0) {
            rc = -1;
            break;
        }
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (exec(st, migrations[v], e) != 0 || foreign_keys_hold(st, e) != 0 ||
            exec(st, pragma, e) != 0) {
            exec(st, "ROLLBACK", NULL);
            duet_err_prefix(e, "applying migration %d", v + 1);
            rc = -1;
        } else if (exec(st, "COMMIT", e) != 0) {
            rc = -1;
        }
    }
    duet_err ignored;
    if (exec(st, "PRAGMA foreign_keys = ON", rc ? &ignored : e) != 0 && rc == 0)
        rc = -1;
    return rc;
}

int store_open(const char *path, struct store **out, duet_err *e)
{
    *out = NULL;
    if (sodium_init() < 0)
        return duet_errf(e, DUET_EINTERNAL, "libsodium could not be initialised");
    struct store *st = calloc(1, sizeof *st);
    if (st == NULL || (st->path = strdup(path)) == NULL) {
        free(st);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    snprintf(st->actor, sizeof st->actor, "%s", "duet");
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                             SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        duet_errf(e, DUET_EIO, "%s: cannot open the database: %s", path,
                  st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        store_close(st);
        return -1;
    }
    sqlite3_extended_result_codes(st->db, 0);
    sqlite3_busy_timeout(st->db, 5000);
    char wal[128];
    snprintf(wal, sizeof wal, "PRAGMA journal_size_limit = %d; PRAGMA wal_autocheckpoint = %d;",
             DB_WAL_SIZE_LIMIT, DB_WAL_AUTOCHECKPOINT);
    if (exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                 "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
                 "PRAGMA cache_size = -65536;", e) != 0 ||
        exec(st, wal, e) != 0 ||
        migrate(st, e) != 0) {
        duet_err_prefix(e, "%s", path);
        store_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    db_memo_free(st);
    for (int i = 0; i < st->ncache; i++)
        sqlite3_finalize(st->cache[i].stmt);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

void store_set_actor(struct store *st, const char *actor)
{
    snprintf(st->actor, sizeof st->actor, "%s", actor && *actor ? actor : "duet");
}

int store_schema_version(struct store *st)
{
    sqlite3_stmt *s = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

int store_begin(struct store *st, duet_err *e)
{
    if (st->depth++ > 0)
        return 0;
    st->head_loaded = 0;
    if (exec(st, "BEGIN IMMEDIATE", e) != 0) {
        st->depth = 0;
        return -1;
    }
    return 0;
}

int store_commit(struct store *st, duet_err *e)
{
    if (st->depth == 0)
        return duet_errf(e, DUET_EINTERNAL, "commit without a transaction");
    if (--st->depth > 0)
        return 0;
    st->head_loaded = 0;
    if (exec(st, "COMMIT", e) != 0) {
        exec(st, "ROLLBACK", NULL);
        return -1;
    }
    return 0;
}

void store_rollback(struct store *st)
{
    if (st->depth == 0)
        return;
    st->depth = 0;
    st->head_loaded = 0;
    exec(st, "ROLLBACK", NULL);
}

int db_tx_begin(struct store *st, int *started, duet_err *e)
{
    *started = 0;
    if (st->depth > 0)
        return 0;
    if (store_begin(st, e) != 0)
        return -1;
    *started = 1;
    return 0;
}

int db_tx_end(struct store *st, int started, int ok, duet_err *e)
{
    if (!started)
        return ok ? 0 : -1;
    if (!ok) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, e);
}

/* Runs an INSERT whose statement is bound; audits it; sets *id. */
int db_insert_audited(struct store *st, sqlite3_stmt *s, const char *tbl, json_t *values,
                          const char *what, int64_t *id, duet_err *e)
{
    int started, ok = 0;
    if (db_tx_begin(st, &started, e) != 0) {
        json_decref(values);
        return -1;
    }
    if (sqlite3_step(s) == SQLITE_DONE) {
        int64_t rid = sqlite3_last_insert_rowid(st->db);
        ok = db_audit(st, tbl, rid, "insert", NULL, values, e) == 0;
        if (ok && id)
            *id = rid;
    } else if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT) {
        duet_errf(e, DUET_ECONFLICT, "%s already exists", what);
    } else {
        db_fail(st, what, e);
    }
    sqlite3_reset(s);
    json_decref(values);
    return db_tx_end(st, started, ok, e);
}

/* ---- the audit chain ---- */

static void payload_digest(const char *old_text, const char *new_text, unsigned char out[32])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    if (old_text)
        crypto_hash_sha256_update(&h, (const unsigned char *)old_text, strlen(old_text));
    crypto_hash_sha256_update(&h, (const unsigned char *)"\0", 1);
    if (new_text)
        crypto_hash_sha256_update(&h, (const unsigned char *)new_text, strlen(new_text));
    crypto_hash_sha256_final(&h, out);
}

static void entry_hash(const unsigned char prev[32], int64_t seq, const char *at,
                       const char *actor, const char *tbl, int64_t row_id,
                       const char *action, const unsigned char digest[32],
                       unsigned char out[32])
{
    char head[512];
    int n = snprintf(head, sizeof head, "%lld\n%s\n%s\n%s\n%lld\n%s\n", (long long)seq, at,
                     actor, tbl, (long long)row_id, action);
    if (n < 0 || n >= (int)sizeof head)
        n = (int)sizeof head - 1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, prev, 32);
    crypto_hash_sha256_update(&h, (const unsigned char *)head, (size_t)n);
    crypto_hash_sha256_update(&h, digest, 32);
    crypto_hash_sha256_final(&h, out);
}

static int load_head(struct store *st, duet_err *e)
{
    if (st->head_loaded)
        return 0;
    sqlite3_stmt *s = db_prep(st, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", e);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        st->head_seq = sqlite3_column_int64(s, 0);
        if (sqlite3_column_bytes(s, 1) != 32)
            return duet_errf(e, DUET_EIO, "the audit log's last entry is damaged");
        memcpy(st->head_hash, sqlite3_column_blob(s, 1), 32);
    } else if (rc == SQLITE_DONE) {
        st->head_seq = 0;
        memset(st->head_hash, 0, 32);
    } else {
        return db_fail(st, "reading the audit log", e);
    }
    sqlite3_reset(s);
    st->head_loaded = 1;
    return 0;
}

static char *dump_canonical(json_t *v)
{
    if (v == NULL)
        return NULL;
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17) |
                             JSON_ENCODE_ANY);
}

int db_audit(struct store *st, const char *tbl, int64_t row_id, const char *action,
             json_t *old_value, json_t *new_value, duet_err *e)
{
    if (st->depth == 0)
        return duet_errf(e, DUET_EINTERNAL, "audit entry outside a transaction");
    if (load_head(st, e) != 0)
        return -1;
    char *old_text = dump_canonical(old_value);
    char *new_text = dump_canonical(new_value);
    char at[32];
    db_now(at);
    unsigned char digest[32], hash[32];
    int64_t seq = st->head_seq + 1;
    payload_digest(old_text, new_text, digest);
    entry_hash(st->head_hash, seq, at, st->actor, tbl, row_id, action, digest, hash);

    int ok = 0;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO audit (seq, at, actor, tbl, row_id, action, "
                                  "payload_digest, hash) VALUES (?,?,?,?,?,?,?,?)", e);
    if (s) {
        sqlite3_bind_int64(s, 1, seq);
        db_bind_text(s, 2, at);
        db_bind_text(s, 3, st->actor);
        db_bind_text(s, 4, tbl);
        sqlite3_bind_int64(s, 5, row_id);
        db_bind_text(s, 6, action);
        sqlite3_bind_blob(s, 7, digest, 32, SQLITE_STATIC);
        sqlite3_bind_blob(s, 8, hash, 32, SQLITE_STATIC);
        ok = sqlite3_step(s) == SQLITE_DONE;
        if (!ok)
            db_fail(st, "writing the audit log", e);
    }
    if (ok) {
        s = db_prep(st, "INSERT INTO audit_payload (seq, old_value, new_value) VALUES (?,?,?)", e);
        ok = s != NULL;
        if (ok) {
            sqlite3_bind_int64(s, 1, seq);
            db_bind_text(s, 2, old_text);
            db_bind_text(s, 3, new_text);
            ok = sqlite3_step(s) == SQLITE_DONE;
            if (!ok)
                db_fail(st, "writing the audit log", e);
        }
    }
    free(old_text);
    free(new_text);
    if (!ok)
        return -1;
    st->head_seq = seq;
    memcpy(st->head_hash, hash, 32);
    return 0;
}

/* ---- redacting the actor of entries, on withdrawal ----
** An entry's hash covers its actor, so an entry whose actor was replaced by
** a pseudonym cannot be recomputed as written. The withdrawal therefore
** records, in its own "erase" entry (whose payload the chain protects like
** any other), for each entry it redacts: the entry's seq, the hash the entry
** has when computed as redacted (from the previous hash and its fields with
** the pseudonym) and the hash it was written with. verify checks a redacted
** entry against that record and carries on from the hash as written, so
** every other entry and link is checked exactly as before. */

static void hex32(const unsigned char h[32], char out[65])
{
    sodium_bin2hex(out, 65, h, 32);
}

static int unhex32(const char *s, unsigned char out[32])
{
    size_t n = 0;
    return s && strlen(s) == 64 &&
                   sodium_hex2bin(out, 32, s, 64, NULL, &n, NULL) == 0 && n == 32
               ? 0 : -1;
}

int db_audit_redact_actor(struct store *st, const char *const *names, size_t n,
                          const char *pseudonym, json_t *records, duet_err *e)
{
    if (st->depth == 0)
        return duet_errf(e, DUET_EINTERNAL, "audit redaction outside a transaction");
    static const char find[] =
        "SELECT a.seq, a.at, a.tbl, a.row_id, a.action, a.payload_digest, a.hash, "
        "(SELECT b.hash FROM audit b WHERE b.seq = a.seq - 1) FROM audit a "
        "WHERE a.actor = ? AND substr(a.actor, 1, 10) <> 'withdrawn-' ORDER BY a.seq";
    static const char set[] = "UPDATE audit SET actor = ? WHERE seq = ?";
    for (size_t i = 0; i < n; i++) {
        if (names[i] == NULL || names[i][0] == '\0')
            continue;
        sqlite3_stmt *s = db_prep(st, find, e);
        if (s == NULL)
            return -1;
        db_bind_text(s, 1, names[i]);
        json_t *seqs = json_array();
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t seq = sqlite3_column_int64(s, 0);
            unsigned char prev[32] = {0}, as_redacted[32];
            if (sqlite3_column_bytes(s, 5) != 32 || sqlite3_column_bytes(s, 6) != 32 ||
                (seq > 1 && sqlite3_column_bytes(s, 7) != 32)) {
                sqlite3_reset(s);
                json_decref(seqs);
                return duet_errf(e, DUET_EIO, "the audit log's entry %lld is damaged; run "
                                 "'duet audit verify'", (long long)seq);
            }
            if (seq > 1)
                memcpy(prev, sqlite3_column_blob(s, 7), 32);
            entry_hash(prev, seq, (const char *)sqlite3_column_text(s, 1), pseudonym,
                       (const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
                       (const char *)sqlite3_column_text(s, 4), sqlite3_column_blob(s, 5),
                       as_redacted);
            char a[65], h[65];
            hex32(as_redacted, a);
            hex32(sqlite3_column_blob(s, 6), h);
            json_array_append_new(records, json_pack("{s:I, s:s, s:s}", "seq", (json_int_t)seq,
                                                     "as_redacted", a, "hash", h));
            json_array_append_new(seqs, json_integer(seq));
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE) {
            json_decref(seqs);
            return db_fail(st, "reading the audit log", e);
        }
        size_t k;
        json_t *q;
        json_array_foreach(seqs, k, q) {
            sqlite3_stmt *u = db_prep(st, set, e);
            if (u == NULL) {
                json_decref(seqs);
                return -1;
            }
            db_bind_text(u, 1, pseudonym);
            sqlite3_bind_int64(u, 2, json_integer_value(q));
            rc = sqlite3_step(u);
            sqlite3_reset(u);
            if (rc != SQLITE_DONE) {
                json_decref(seqs);
                return db_fail(st, "redacting the audit log", e);
            }
        }
        json_decref(seqs);
    }
    return 0;
}

struct redaction {
    int64_t seq, by;                    /* the entry, and the erase entry recording it */
    unsigned char as_redacted[32], hash[32];
};

static int redaction_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct redaction *)a)->seq, y = ((const struct redaction *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Every redaction recorded by the erase entries, sorted by seq (*out NULL
** when none). A record that cannot be read is left out: the entry it was
** for then fails verification. */
static int redactions_load(struct store *st, struct redaction **out, size_t *n, duet_err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT a.seq, p.new_value FROM audit a JOIN audit_payload p "
                                   "ON p.seq = a.seq WHERE a.action = 'erase' AND "
                                   "p.new_value IS NOT NULL ORDER BY a.seq", -1, &s, NULL) !=
        SQLITE_OK)
        return db_fail(st, "reading the audit log", e);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *v = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
        json_t *list = json_object_get(v, "redacted");
        size_t i;
        json_t *r;
        json_array_foreach(list, i, r) {
            struct redaction x = {json_integer_value(json_object_get(r, "seq")),
                                  sqlite3_column_int64(s, 0), {0}, {0}};
            if (unhex32(json_string_value(json_object_get(r, "as_redacted")), x.as_redacted) ||
                unhex32(json_string_value(json_object_get(r, "hash")), x.hash) || x.seq < 1)
                continue;
            if (*n == cap) {
                size_t ncap = cap ? 2 * cap : 64;
                struct redaction *p = realloc(*out, ncap * sizeof *p);
                if (p == NULL) {
                    json_decref(v);
                    sqlite3_finalize(s);
                    free(*out);
                    *out = NULL;
                    return duet_errf(e, DUET_EINTERNAL, "out of memory");
                }
                *out = p;
                cap = ncap;
            }
            (*out)[(*n)++] = x;
        }
        json_decref(v);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        return db_fail(st, "reading the audit log", e);
    }
    if (*n > 1)
        qsort(*out, *n, sizeof **out, redaction_cmp);
    return 0;
}

int store_audit_verify(struct store *st, struct store_audit_report *r, duet_err *e)
{
    memset(r, 0, sizeof *r);
    struct redaction *red;
    size_t nred, ri = 0;
    if (redactions_load(st, &red, &nred, e) != 0)
        return -1;
    sqlite3_stmt *s = NULL;
    const char *sql = "SELECT a.seq, a.at, a.actor, a.tbl, a.row_id, a.action, "
                      "a.payload_digest, a.hash, p.old_value, p.new_value, p.erased_at, "
                      "p.seq IS NULL FROM audit a LEFT JOIN audit_payload p ON p.seq = a.seq "
                      "ORDER BY a.seq";
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        free(red);
        return db_fail(st, "reading the audit log", e);
    }
    unsigned char prev[32] = {0}, hash[32], digest[32];
    int64_t expect = 1;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(s, 0);
        r->entries++;
        while (ri < nred && red[ri].seq < seq)
            ri++;
        const struct redaction *x = ri < nred && red[ri].seq == seq ? &red[ri] : NULL;
        int bad = seq != expect || sqlite3_column_bytes(s, 6) != 32 ||
                  sqlite3_column_bytes(s, 7) != 32 || sqlite3_column_int(s, 11);
        /* one record per entry, made by a withdrawal after it */
        bad = bad || (x && (x->by <= seq || (ri + 1 < nred && red[ri + 1].seq == seq)));
        if (!bad) {
            const void *stored_digest = sqlite3_column_blob(s, 6);
            if (sqlite3_column_type(s, 10) == SQLITE_NULL) {
                payload_digest((const char *)sqlite3_column_text(s, 8),
                               (const char *)sqlite3_column_text(s, 9), digest);
                bad = memcmp(digest, stored_digest, 32) != 0;
            } else {
                /* An erased payload holds nothing; one that does was forged. */
                r->erased_payloads++;
                bad = sqlite3_column_type(s, 8) != SQLITE_NULL ||
                      sqlite3_column_type(s, 9) != SQLITE_NULL;
            }
            entry_hash(prev, seq, (const char *)sqlite3_column_text(s, 1),
                       (const char *)sqlite3_column_text(s, 2),
                       (const char *)sqlite3_column_text(s, 3), sqlite3_column_int64(s, 4),
                       (const char *)sqlite3_column_text(s, 5), stored_digest, hash);
            if (x) {
                /* As redacted it must be what the withdrawal recorded, and
                ** the hash it was written with must be the one stored. */
                r->redacted_actors++;
                bad = bad || memcmp(hash, x->as_redacted, 32) != 0 ||
                      memcmp(x->hash, sqlite3_column_blob(s, 7), 32) != 0;
            } else {
                bad = bad || memcmp(hash, sqlite3_column_blob(s, 7), 32) != 0;
            }
        }
        if (bad && r->first_bad == 0)
            r->first_bad = seq;
        if (sqlite3_column_bytes(s, 7) == 32)
            memcpy(prev, sqlite3_column_blob(s, 7), 32);
        expect = seq + 1;
    }
    sqlite3_finalize(s);
    free(red);
    if (rc != SQLITE_DONE)
        return db_fail(st, "reading the audit log", e);
    sodium_bin2hex(r->head, sizeof r->head, prev, 32);
    return 0;
}

json_t *store_audit_list(struct store *st, int64_t limit, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT a.seq, a.at, a.actor, a.tbl AS \"table\", a.row_id, "
                                  "a.action, p.old_value, p.new_value, p.erased_at "
                                  "FROM audit a LEFT JOIN audit_payload p ON p.seq = a.seq "
                                  "ORDER BY a.seq DESC LIMIT ?", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, limit > 0 ? limit : -1);
    json_t *rows = db_query_json(st, s, e);
    size_t i;
    json_t *row;
    /* The payloads are stored as canonical JSON text; give them back as JSON. */
    json_array_foreach(rows, i, row) {
        static const char *const keys[] = {"old_value", "new_value"};
        for (int k = 0; k < 2; k++) {
            const char *text = json_string_value(json_object_get(row, keys[k]));
            json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
            if (v)
                json_object_set_new(row, keys[k], v);
        }
    }
    return rows;
}

/* ---- generic reads ---- */

json_t *db_query_json(struct store *st, sqlite3_stmt *s, duet_err *e)
{
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *row = json_object();
        int n = sqlite3_column_count(s);
        for (int i = 0; i < n; i++) {
            json_t *v;
            switch (sqlite3_column_type(s, i)) {
            case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(s, i)); break;
            case SQLITE_FLOAT:   v = json_real(sqlite3_column_double(s, i)); break;
            case SQLITE_NULL:    v = json_null(); break;
            default:
                v = json_stringn((const char *)sqlite3_column_text(s, i),
                                 (size_t)sqlite3_column_bytes(s, i));
                if (v == NULL)
                    v = json_null();
            }
            json_object_set_new(row, sqlite3_column_name(s, i), v);
        }
        json_array_append_new(rows, row);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        db_fail(st, "reading", e);
        return NULL;
    }
    return rows;
}

json_t *db_query_one(struct store *st, sqlite3_stmt *s, const char *what, duet_err *e)
{
    json_t *rows = db_query_json(st, s, e);
    if (rows == NULL)
        return NULL;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        duet_errf(e, DUET_ENOTFOUND, "%s does not exist", what);
        return NULL;
    }
    json_t *one = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return one;
}

static int lookup_id(struct store *st, sqlite3_stmt *s, int64_t *id, int64_t *second,
                     const char *what, duet_err *e)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        if (second)
            *second = sqlite3_column_int64(s, 1);
        sqlite3_reset(s);
        return 0;
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "%s does not exist", what);
    return db_fail(st, "looking up", e);
}

int db_person_id(struct store *st, const char *key, int64_t *id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id FROM person WHERE key = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, key);
    char what[256];
    snprintf(what, sizeof what, "person '%s'", key);
    return lookup_id(st, s, id, NULL, what, e);
}

int db_partnership_id(struct store *st, const char *code, int64_t *id, int64_t *cohort_id,
                      duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, cohort_id FROM partnership WHERE code = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, code);
    char what[256];
    snprintf(what, sizeof what, "partnership '%s'", code);
    return lookup_id(st, s, id, cohort_id, what, e);
}

int db_cohort_id(struct store *st, const char *name, int64_t *id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id FROM cohort WHERE name = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, name);
    char what[256];
    snprintf(what, sizeof what, "cohort '%s'", name);
    return lookup_id(st, s, id, NULL, what, e);
}

int db_module_id(struct store *st, int64_t cohort_id, int ordinal, int64_t *id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id FROM module WHERE cohort_id = ? AND ordinal = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, cohort_id);
    sqlite3_bind_int(s, 2, ordinal);
    char what[64];
    snprintf(what, sizeof what, "module %d", ordinal);
    return lookup_id(st, s, id, NULL, what, e);
}

int store_cohort_id(struct store *st, const char *name, int64_t *id, duet_err *e)
{
    return db_cohort_id(st, name, id, e);
}
int store_module_id(struct store *st, int64_t cohort_id, int ordinal, int64_t *id, duet_err *e)
{
    return db_module_id(st, cohort_id, ordinal, id, e);
}
int store_person_id(struct store *st, const char *key, int64_t *id, duet_err *e)
{
    return db_person_id(st, key, id, e);
}
int store_partnership_id(struct store *st, const char *code, int64_t *id, int64_t *cohort_id,
                         duet_err *e)
{
    return db_partnership_id(st, code, id, cohort_id, e);
}
