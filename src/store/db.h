/*
** db.h — internals shared by the SQLite implementation of store.h.
** Nothing outside src/store includes this file.
*/
#ifndef DUET_STORE_DB_H
#define DUET_STORE_DB_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define DB_STMT_CACHE 160   /* every distinct SQL text of the store, with room to grow */

/* The write-ahead log (docs/data-model.md). SQLite checkpoints it into the
** database after a commit leaves more than DB_WAL_AUTOCHECKPOINT pages in it
** (a PASSIVE checkpoint: it never waits for readers), and the next writer
** then starts the log again from its beginning; the file is then cut back
** to DB_WAL_SIZE_LIMIT bytes, so one large transaction, or a reader that
** held a snapshot while others wrote, does not leave a large file behind. */
#define DB_WAL_AUTOCHECKPOINT 1000            /* pages (4 KiB each) */
#define DB_WAL_SIZE_LIMIT (16 * 1024 * 1024)  /* bytes (PRAGMA journal_size_limit) */

/* The schema version this duet migrates to (the number of migrations). */
int db_schema_latest(void);
/* The SQL of migration v (1..db_schema_latest()), or NULL. */
const char *db_migration_sql(int v);

struct store {
    sqlite3 *db;
    char *path;
    char actor[128];
    int depth;                    /* store_begin nesting */
    int head_loaded;              /* head_* valid (only inside a transaction) */
    int64_t head_seq;
    unsigned char head_hash[32];
    struct { const char *sql; sqlite3_stmt *stmt; } cache[DB_STMT_CACHE];
    int ncache;
    struct db_memo *memo;         /* memo.c: data version, instruments; NULL until used */
};

/* Frees the memo (store_close). */
void db_memo_free(struct store *st);

/* A prepared, reset statement for sql, cached by its address: pass a string
** literal or a static array. (A different text at a cached address is
** noticed and prepared afresh, so a reused buffer cannot run the wrong
** statement, but it is prepared every time.) */
sqlite3_stmt *db_prep(struct store *st, const char *sql, duet_err *e);
/* Fills *e from the connection's last error, prefixed with what was done. */
int db_fail(struct store *st, const char *what, duet_err *e);

/* Starts a write transaction unless one is open; db_tx_end commits or rolls
** back only what db_tx_begin started. */
int db_tx_begin(struct store *st, int *started, duet_err *e);
int db_tx_end(struct store *st, int started, int ok, duet_err *e);

/* The current time as ISO 8601 UTC ("2026-11-26T08:30:00Z"). */
void db_now(char out[32]);

/* Appends an entry to the audit log (inside the current transaction).
** old_value/new_value are JSON objects or NULL; they are not stolen. */
int db_audit(struct store *st, const char *tbl, int64_t row_id, const char *action,
             json_t *old_value, json_t *new_value, duet_err *e);

/* Replaces the actor of every audit entry whose actor is one of names (n of
** them; NULL and empty ones are skipped; pseudonyms are never replaced)
** with pseudonym, which must start with "withdrawn-", inside the current
** transaction. Appends to records (a JSON array, borrowed) one object per
** entry changed, {"seq", "as_redacted", "hash"}: what store_audit_verify
** needs to check the entry as redacted. The caller must write records,
** as {"redacted": records}, in the new_value of an "erase" entry in the
** same transaction, or the chain no longer verifies. */
int db_audit_redact_actor(struct store *st, const char *const *names, size_t n,
                          const char *pseudonym, json_t *records, duet_err *e);

/* Steps a bound INSERT in a transaction, audits it with values (stolen) and
** sets *id (may be NULL); a constraint failure reads "<what> already exists". */
int db_insert_audited(struct store *st, sqlite3_stmt *s, const char *tbl, json_t *values,
                      const char *what, int64_t *id, duet_err *e);

/* Binds text or NULL. */
int db_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Runs a SELECT and returns its rows as an array of objects keyed by column
** name (integers, reals, text, null). */
json_t *db_query_json(struct store *st, sqlite3_stmt *s, duet_err *e);
/* As db_query_json but expects exactly one row; what names it for "not found". */
json_t *db_query_one(struct store *st, sqlite3_stmt *s, const char *what, duet_err *e);

/* Makes the source row (a new GUID) of reflection or observation id, inside
** the caller's transaction (coding.c). */
int db_source_make(struct store *st, const char *kind, int64_t id, int64_t *source, duet_err *e);

/* Ids by natural keys (not found is DUET_ENOTFOUND with a clear message). */
int db_person_id(struct store *st, const char *key, int64_t *id, duet_err *e);
int db_partnership_id(struct store *st, const char *code, int64_t *id, int64_t *cohort_id,
                      duet_err *e);
int db_cohort_id(struct store *st, const char *name, int64_t *id, duet_err *e);
int db_module_id(struct store *st, int64_t cohort_id, int ordinal, int64_t *id, duet_err *e);

/* An SQL condition: with ?1 NULL always true; otherwise the person whose id
** is person_col has consent for purpose ?1 in force: given and never
** withdrawn (withdrawal is final). */
#define CONSENT_IN_FORCE(person_col)                                                   \
    "(?1 IS NULL OR (EXISTS (SELECT 1 FROM consent c WHERE c.person_id = " person_col \
    " AND c.purpose = ?1) AND NOT EXISTS (SELECT 1 FROM consent c WHERE c.person_id = " \
    person_col " AND c.purpose = ?1 AND c.withdrawn_at IS NOT NULL)))"

#endif

/* Input checks shared by every write (the store is the last line of defence
** for the CLI and the web alike). */
#define DB_NAME_MAX  200      /* names and titles */
#define DB_TEXT_MAX  20000    /* free text: reflections, notes, aims */
/* Valid UTF-8, no control characters except (when multiline) newline and tab,
** at most max bytes; empty refused when required. */
int db_check_text(const char *field, const char *v, size_t max, int required,
                  int multiline, duet_err *e);
/* A key: 1..64 of [A-Za-z0-9._-], starting with a letter or digit. */
int db_check_key(const char *field, const char *v, duet_err *e);
/* A date YYYY-MM-DD (or NULL/empty when optional). */
int db_check_date(const char *field, const char *v, int required, duet_err *e);
