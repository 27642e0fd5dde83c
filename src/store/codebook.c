/*
** codebook.c — codebooks, their codes (a tree) and memos.
**
** A codebook is written in one transaction: its row, then its codes in
** pre-order so that every parent has an id before its children; each row is
** audited with its values. Reading back orders codes by id, which is that
** same pre-order. The store checks only shapes; io/codebook.h holds the
** rules and every reader applies them before anything gets here.
*/
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/codebook.h"

int store_codebook_add(struct store *st, const struct codebook *cb, int64_t *id, duet_err *e)
{
    int64_t *ids = calloc(cb->ncodes ? cb->ncodes : 1, sizeof *ids);
    if (ids == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    int started;
    if (db_tx_begin(st, &started, e) != 0) {
        free(ids);
        return -1;
    }
    char now[32], what[160];
    db_now(now);
    int64_t cid = 0;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO codebook (name, version, created_at) "
                                  "VALUES (?,?,?)", e);
    int ok = s != NULL;
    if (ok) {
        db_bind_text(s, 1, cb->name);
        sqlite3_bind_int(s, 2, cb->version);
        db_bind_text(s, 3, now);
        snprintf(what, sizeof what, "codebook '%s' version %d", cb->name, cb->version);
        ok = db_insert_audited(st, s, "codebook",
                               json_pack("{s:s, s:i}", "name", cb->name, "version", cb->version),
                               what, &cid, e) == 0;
    }
    for (size_t i = 0; ok && i < cb->ncodes; i++) {
        const struct codebook_code *k = &cb->codes[i];
        s = db_prep(st, "INSERT INTO code (codebook_id, guid, parent_id, name, definition, "
                        "when_to_use, when_not_to_use, example, colour, position) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?)", e);
        if (s == NULL) {
            ok = 0;
            break;
        }
        sqlite3_bind_int64(s, 1, cid);
        db_bind_text(s, 2, k->guid);
        if (k->parent >= 0)
            sqlite3_bind_int64(s, 3, ids[k->parent]);
        else
            sqlite3_bind_null(s, 3);
        db_bind_text(s, 4, k->name);
        db_bind_text(s, 5, k->definition);
        db_bind_text(s, 6, k->when_to_use);
        db_bind_text(s, 7, k->when_not_to_use);
        db_bind_text(s, 8, k->example);
        db_bind_text(s, 9, k->colour);
        sqlite3_bind_int64(s, 10, (sqlite3_int64)k->position);
        snprintf(what, sizeof what, "code %s in codebook '%s'", k->guid, cb->name);
        ok = db_insert_audited(st, s, "code",
                               json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:I}",
                                         "codebook_id", (json_int_t)cid, "guid", k->guid,
                                         "name", k->name, "definition", k->definition,
                                         "when_to_use", k->when_to_use, "when_not_to_use",
                                         k->when_not_to_use, "example", k->example, "colour",
                                         k->colour, "position", (json_int_t)k->position),
                               what, &ids[i], e) == 0;
    }
    free(ids);
    if (ok && id)
        *id = cid;
    return db_tx_end(st, started, ok, e);
}

json_t *store_codebook_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT b.name, b.version, "
                                  "(SELECT count(*) FROM code c WHERE c.codebook_id = b.id) "
                                  "AS codes, b.created_at FROM codebook b "
                                  "ORDER BY b.name, b.version", e);
    return s ? db_query_json(st, s, e) : NULL;
}

static int codebook_id(struct store *st, const char *name, int version, int64_t *id,
                       int *found_version, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, version FROM codebook WHERE name = ?1 AND "
                                  "(?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return db_fail(st, "reading a codebook", e);
        if (version)
            return duet_errf(e, DUET_ENOTFOUND, "codebook '%s' version %d does not exist", name,
                             version);
        return duet_errf(e, DUET_ENOTFOUND,
                         "codebook '%s' does not exist (see 'duet codebook list')", name);
    }
    *id = sqlite3_column_int64(s, 0);
    if (found_version)
        *found_version = sqlite3_column_int(s, 1);
    sqlite3_reset(s);
    return 0;
}

static char *col_dup(sqlite3_stmt *s, int i, int *oom)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (t == NULL)
        return NULL;
    char *d = strdup((const char *)t);
    *oom |= d == NULL;
    return d;
}

int store_codebook_get(struct store *st, const char *name, int version, struct codebook *out,
                       duet_err *e)
{
    int64_t cid;
    int v;
    if (codebook_id(st, name, version, &cid, &v, e) != 0)
        return -1;
    struct codebook cb;
    memset(&cb, 0, sizeof cb);
    cb.name = strdup(name);
    cb.version = v;
    int oom = cb.name == NULL, rc = 0;
    int64_t *ids = NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT id, guid, parent_id, name, definition, when_to_use, "
                                  "when_not_to_use, example, colour, position FROM code "
                                  "WHERE codebook_id = ? ORDER BY id", e);
    if (s == NULL) {
        codebook_free(&cb);
        return -1;
    }
    sqlite3_bind_int64(s, 1, cid);
    while (!oom && rc == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        rc = 0;
        struct codebook_code *k = codebook_append(&cb);
        int64_t *ni = k ? realloc(ids, cb.ncodes * sizeof *ids) : NULL;
        if (ni == NULL) {
            oom = 1;
            break;
        }
        ids = ni;
        ids[cb.ncodes - 1] = sqlite3_column_int64(s, 0);
        k->guid = col_dup(s, 1, &oom);
        if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
            int64_t p = sqlite3_column_int64(s, 2);
            for (size_t j = 0; j + 1 < cb.ncodes; j++)
                if (ids[j] == p)
                    k->parent = (long)j;
            if (k->parent >= 0)
                k->depth = cb.codes[k->parent].depth + 1;
        }
        k->name = col_dup(s, 3, &oom);
        k->definition = col_dup(s, 4, &oom);
        k->when_to_use = col_dup(s, 5, &oom);
        k->when_not_to_use = col_dup(s, 6, &oom);
        k->example = col_dup(s, 7, &oom);
        k->colour = col_dup(s, 8, &oom);
        k->position = (size_t)sqlite3_column_int64(s, 9);
    }
    if (rc != SQLITE_DONE && rc != 0 && !oom)
        db_fail(st, "reading codes", e);
    else if (oom)
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    int bad = oom || (rc != SQLITE_DONE && rc != 0);
    sqlite3_reset(s);
    free(ids);
    if (!bad) {
        char src[96];
        snprintf(src, sizeof src, "stored codebook '%.60s'", name);
        bad = codebook_check(&cb, src, e) != 0;
    }
    if (bad) {
        codebook_free(&cb);
        return -1;
    }
    *out = cb;
    return 0;
}

int store_codebook_memo_add(struct store *st, const char *name, const char *code_guid,
                            const char *text, const char *author, int64_t *id, duet_err *e)
{
    if (db_check_text("memo", text, DB_TEXT_MAX, 1, 1, e) != 0 ||
        db_check_text("author", author, DB_NAME_MAX, 0, 0, e) != 0)
        return -1;
    int64_t cid, target;
    if (codebook_id(st, name, 0, &cid, NULL, e) != 0)
        return -1;
    target = cid;
    if (code_guid != NULL) {
        sqlite3_stmt *q = db_prep(st, "SELECT id FROM code WHERE codebook_id = ? AND guid = ?", e);
        if (q == NULL)
            return -1;
        sqlite3_bind_int64(q, 1, cid);
        db_bind_text(q, 2, code_guid);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            target = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
        if (rc != SQLITE_ROW)
            return duet_errf(e, DUET_ENOTFOUND, "codebook '%s' has no code with guid '%.40s'",
                             name, code_guid);
    }
    sqlite3_stmt *s = db_prep(st, "INSERT INTO memo (target_kind, target_id, text, author, "
                                  "created_at) VALUES (?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    const char *kind = code_guid ? "code" : "codebook";
    const char *who = author && *author ? author : st->actor;
    char now[32];
    db_now(now);
    db_bind_text(s, 1, kind);
    sqlite3_bind_int64(s, 2, target);
    db_bind_text(s, 3, text);
    db_bind_text(s, 4, who);
    db_bind_text(s, 5, now);
    return db_insert_audited(st, s, "memo",
                             json_pack("{s:s, s:I, s:s, s:s}", "target_kind", kind, "target_id",
                                       (json_int_t)target, "text", text, "author", who),
                             "memo", id, e);
}

json_t *store_codebook_memo_list(struct store *st, const char *name, duet_err *e)
{
    int64_t cid;
    if (codebook_id(st, name, 0, &cid, NULL, e) != 0)
        return NULL;
    sqlite3_stmt *s = db_prep(st, "SELECT m.target_kind AS target, c.guid AS code, m.text, "
                                  "m.author, m.created_at FROM memo m LEFT JOIN code c ON "
                                  "m.target_kind = 'code' AND c.id = m.target_id WHERE "
                                  "(m.target_kind = 'codebook' AND m.target_id = ?1) OR "
                                  "(m.target_kind = 'code' AND c.codebook_id = ?1) ORDER BY m.id",
                              e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, cid);
    return db_query_json(st, s, e);
}
