/*
** coding.c — coders' selections of passages and the codes applied to them.
**
** Every read goes through the view "codable" (006_coding.sql), which holds
** exactly the texts a coder may see; a document outside it is "not found"
** whatever the reason, so nothing leaks about private reflections or
** people who withdrew. A source row (with the GUID that REFI-QDA exchange
** needs) is made for a reflection or observation the first time it is
** coded. Each coder is a row of its own, made for an account on its first
** coding. Positions are code points; the text is UTF-8 in the store, so
** passages are cut with utf8_offset.
*/
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "io/codebook.h"

static int valid_kind(const char *kind)
{
    return kind && (strcmp(kind, "reflection") == 0 || strcmp(kind, "observation") == 0 ||
                    strcmp(kind, "imported") == 0);
}

static int not_found(const char *kind, int64_t id, duet_err *e)
{
    if (!valid_kind(kind))
        return duet_errf(e, DUET_ENOTFOUND, "document kind '%.40s' is not one of reflection, "
                                         "observation, imported", kind ? kind : "");
    return duet_errf(e, DUET_ENOTFOUND, "there is no codable %s %lld", kind, (long long)id);
}

/* The document's source id (0 when not coded yet) and text (malloc'd). */
static int doc_lookup(struct store *st, const char *kind, int64_t id, int64_t *source,
                      char **text, duet_err *e)
{
    if (!valid_kind(kind))
        return not_found(kind, id, e);
    sqlite3_stmt *s = db_prep(st, "SELECT source_id, text FROM codable "
                                  "WHERE kind = ? AND doc_id = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, kind);
    sqlite3_bind_int64(s, 2, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *source = sqlite3_column_int64(s, 0);
        const unsigned char *t = sqlite3_column_text(s, 1);
        *text = strdup(t ? (const char *)t : "");
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return not_found(kind, id, e);
    if (rc != SQLITE_ROW)
        return db_fail(st, "reading a document", e);
    return *text ? 0 : duet_errf(e, DUET_EINTERNAL, "out of memory");
}

int db_source_make(struct store *st, const char *kind, int64_t id, int64_t *source,
                       duet_err *e)
{
    /* db_prep caches statements by the address of their text: two literals. */
    static const char refl[] = "INSERT INTO source (guid, reflection_id, created_at) "
                               "VALUES (?,?,?)";
    static const char obs[] = "INSERT INTO source (guid, observation_id, created_at) "
                              "VALUES (?,?,?)";
    const char *sql = strcmp(kind, "reflection") == 0 ? refl : obs;
    char guid[CODEBOOK_GUID_LEN + 1], now[32];
    sqlite3_stmt *s = db_prep(st, sql, e);
    if (s == NULL)
        return -1;
    codebook_new_guid(guid);
    db_now(now);
    db_bind_text(s, 1, guid);
    sqlite3_bind_int64(s, 2, id);
    db_bind_text(s, 3, now);
    return db_insert_audited(st, s, "source",
                             json_pack("{s:s, s:s, s:I}", "guid", guid, "kind", kind, "id",
                                       (json_int_t)id),
                             "source", source, e);
}

/* The coder row of the account of person key, made when create is set. */
static int coder_of(struct store *st, const char *key, int create, int64_t *coder, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT a.id, (SELECT k.id FROM coder k WHERE "
                                  "k.account_id = a.id) FROM account a JOIN person p ON "
                                  "p.id = a.person_id WHERE p.key = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    int64_t account = 0, existing = 0;
    if (rc == SQLITE_ROW) {
        account = sqlite3_column_int64(s, 0);
        existing = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "'%.64s' has no account, so cannot code", key);
    if (rc != SQLITE_ROW)
        return db_fail(st, "reading a coder", e);
    if (existing || !create) {
        *coder = existing;
        return 0;
    }
    char guid[CODEBOOK_GUID_LEN + 1];
    codebook_new_guid(guid);
    s = db_prep(st, "INSERT INTO coder (guid, name, account_id) VALUES (?,?,?)", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, guid);
    db_bind_text(s, 2, key);
    sqlite3_bind_int64(s, 3, account);
    return db_insert_audited(st, s, "coder",
                             json_pack("{s:s, s:s, s:I}", "guid", guid, "name", key,
                                       "account_id", (json_int_t)account),
                             "coder", coder, e);
}

/* The code with GUID guid in the newest codebook that holds it. */
static int code_lookup(struct store *st, const char *guid, int64_t *code, duet_err *e)
{
    char canon[CODEBOOK_GUID_LEN + 1];
    if (!codebook_valid_guid(guid))
        return duet_errf(e, DUET_EINPUT, "code '%.40s' is not a GUID", guid);
    codebook_canonical_guid(guid, canon);
    sqlite3_stmt *s = db_prep(st, "SELECT id FROM code WHERE guid = ? "
                                  "ORDER BY codebook_id DESC LIMIT 1", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, canon);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *code = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "no codebook has a code with GUID %s", canon);
    return rc == SQLITE_ROW ? 0 : db_fail(st, "reading a code", e);
}

static int check_passage(const char *text, size_t start, size_t end, size_t ncodes,
                         duet_err *e)
{
    size_t len = utf8_codepoints(text, strlen(text));
    if (start >= end)
        return duet_errf(e, DUET_EINPUT, "passage: start %zu must be before end %zu", start,
                         end);
    if (end > len)
        return duet_errf(e, DUET_EINPUT, "passage: end %zu is past the end of the text "
                                         "(%zu characters)", end, len);
    if (ncodes == 0)
        return duet_errf(e, DUET_EINPUT, "passage: choose at least one code");
    if (ncodes > STORE_CODING_MAX_CODES)
        return duet_errf(e, DUET_EINPUT, "passage: at most %d codes at once",
                         STORE_CODING_MAX_CODES);
    return 0;
}

static int selection_insert(struct store *st, int64_t source, int64_t coder, size_t start,
                            size_t end, char *guid, int64_t *id, duet_err *e)
{
    char now[32];
    db_now(now);
    codebook_new_guid(guid);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO selection (guid, source_id, start_pos, end_pos, "
                                  "coder_id, created_at) VALUES (?,?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, guid);
    sqlite3_bind_int64(s, 2, source);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)start);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)end);
    sqlite3_bind_int64(s, 5, coder);
    db_bind_text(s, 6, now);
    return db_insert_audited(st, s, "selection",
                             json_pack("{s:s, s:I, s:I, s:I, s:I}", "guid", guid, "source_id",
                                       (json_int_t)source, "start", (json_int_t)start, "end",
                                       (json_int_t)end, "coder_id", (json_int_t)coder),
                             "selection", id, e);
}

static int coding_insert(struct store *st, int64_t selection, int64_t code, duet_err *e)
{
    char guid[CODEBOOK_GUID_LEN + 1], now[32];
    codebook_new_guid(guid);
    db_now(now);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO coding (guid, selection_id, code_id, created_at) "
                                  "VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, guid);
    sqlite3_bind_int64(s, 2, selection);
    sqlite3_bind_int64(s, 3, code);
    db_bind_text(s, 4, now);
    return db_insert_audited(st, s, "coding",
                             json_pack("{s:s, s:I, s:I}", "guid", guid, "selection_id",
                                       (json_int_t)selection, "code_id", (json_int_t)code),
                             "the same code on this passage", NULL, e);
}

int store_coding_add(struct store *st, const char *kind, int64_t id, const char *coder,
                     size_t start, size_t end, const char *const *codes, size_t ncodes,
                     char *selection, duet_err *e)
{
    int64_t source = 0, coder_id = 0, sel = 0, code = 0;
    char *text = NULL, guid[CODEBOOK_GUID_LEN + 1];
    if (doc_lookup(st, kind, id, &source, &text, e) != 0)
        return -1;
    int rc = check_passage(text, start, end, ncodes, e);
    free(text);
    if (rc != 0)
        return -1;
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    int ok = coder_of(st, coder, 1, &coder_id, e) == 0;
    if (ok && source == 0 && strcmp(kind, "imported") != 0)
        ok = db_source_make(st, kind, id, &source, e) == 0;
    ok = ok && selection_insert(st, source, coder_id, start, end, guid, &sel, e) == 0;
    for (size_t i = 0; ok && i < ncodes; i++)
        ok = code_lookup(st, codes[i], &code, e) == 0 && coding_insert(st, sel, code, e) == 0;
    if (ok && selection)
        memcpy(selection, guid, sizeof guid);
    return db_tx_end(st, started, ok, e);
}

int store_coding_remove(struct store *st, const char *selection, const char *coder,
                        duet_err *e)
{
    int64_t coder_id = 0;
    if (coder_of(st, coder, 0, &coder_id, e) != 0)
        return -1;
    sqlite3_stmt *s = db_prep(st, "SELECT x.id FROM selection x JOIN source so ON "
                                  "so.id = x.source_id JOIN codable d ON d.source_id = so.id "
                                  "WHERE x.guid = ? AND x.coder_id = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, selection);
    sqlite3_bind_int64(s, 2, coder_id);
    int rc = sqlite3_step(s);
    int64_t sel = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return duet_errf(e, DUET_ENOTFOUND, "'%.64s' has no selection %.40s", coder, selection);
    if (rc != SQLITE_ROW)
        return db_fail(st, "reading a selection", e);
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    s = db_prep(st, "DELETE FROM selection WHERE id = ?", e);
    int ok = s != NULL;
    if (ok) {
        sqlite3_bind_int64(s, 1, sel);
        ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            db_fail(st, "removing a selection", e);
    }
    ok = ok && db_audit(st, "selection", sel, "delete", NULL, NULL, e) == 0;
    return db_tx_end(st, started, ok, e);
}

/* Replaces "text" in every row by "length" in code points. */
static void text_to_length(json_t *rows)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *t = json_string_value(json_object_get(r, "text"));
        json_object_set_new(r, "length", json_integer((json_int_t)utf8_codepoints(
                                             t ? t : "", t ? strlen(t) : 0)));
        json_object_del(r, "text");
    }
}

json_t *store_coding_documents(struct store *st, const char *cohort, const char *coder,
                               duet_err *e)
{
    return store_coding_documents_page(st, cohort, coder, 0, -1, e);
}

json_t *store_coding_documents_page(struct store *st, const char *cohort, const char *coder,
                                    int64_t offset, int64_t limit, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT d.kind, d.doc_id AS id, d.partnership, d.cohort, "
                                  "d.module, d.side, d.pseudonym, d.text, "
                                  "(SELECT count(*) FROM selection x JOIN coder k ON "
                                  "k.id = x.coder_id WHERE x.source_id = d.source_id AND "
                                  "(?2 IS NULL OR k.name = ?2)) AS selections "
                                  "FROM codable d WHERE ?1 IS NULL OR d.cohort = ?1 "
                                  "ORDER BY d.cohort, d.partnership, d.module, d.kind, d.doc_id "
                                  "LIMIT ?3 OFFSET ?4",
                              e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, cohort);
    db_bind_text(s, 2, coder);
    sqlite3_bind_int64(s, 3, limit);
    sqlite3_bind_int64(s, 4, offset > 0 ? offset : 0);
    json_t *rows = db_query_json(st, s, e);
    if (rows)
        text_to_length(rows);
    return rows;
}

json_t *store_coding_document(struct store *st, const char *kind, int64_t id, duet_err *e)
{
    if (!valid_kind(kind)) {
        not_found(kind, id, e);
        return NULL;
    }
    sqlite3_stmt *s = db_prep(st, "SELECT d.kind, d.doc_id AS id, d.partnership, d.cohort, "
                                  "d.module, d.side, d.pseudonym, d.text, "
                                  "(SELECT guid FROM source WHERE id = d.source_id) AS source "
                                  "FROM codable d WHERE d.kind = ? AND d.doc_id = ?", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, kind);
    sqlite3_bind_int64(s, 2, id);
    json_t *rows = db_query_json(st, s, e);
    if (rows == NULL)
        return NULL;
    if (json_array_size(rows) != 1) {
        json_decref(rows);
        not_found(kind, id, e);
        return NULL;
    }
    json_t *doc = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    const char *t = json_string_value(json_object_get(doc, "text"));
    json_object_set_new(doc, "length",
                        json_integer((json_int_t)utf8_codepoints(t, t ? strlen(t) : 0)));
    return doc;
}

json_t *store_coding_selections(struct store *st, const char *kind, int64_t id,
                                const char *only_coder, duet_err *e)
{
    int64_t source = 0;
    char *text = NULL;
    if (doc_lookup(st, kind, id, &source, &text, e) != 0)
        return NULL;
    free(text);
    sqlite3_stmt *s = db_prep(st, "SELECT x.guid, x.start_pos, x.end_pos, k.name, x.created_at, "
                                  "g.guid, c.guid, c.name, c.colour FROM selection x "
                                  "JOIN coder k ON k.id = x.coder_id "
                                  "LEFT JOIN coding g ON g.selection_id = x.id "
                                  "LEFT JOIN code c ON c.id = g.code_id "
                                  "WHERE x.source_id = ?1 AND (?2 IS NULL OR k.name = ?2) "
                                  "ORDER BY x.start_pos, x.end_pos, x.guid, c.name", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, source);
    db_bind_text(s, 2, only_coder);
    json_t *out = json_array(), *cur = NULL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *sel = (const char *)sqlite3_column_text(s, 0);
        if (cur == NULL || strcmp(json_string_value(json_object_get(cur, "selection")), sel)) {
            cur = json_pack("{s:s, s:I, s:I, s:s, s:s, s:[]}", "selection", sel, "start",
                            (json_int_t)sqlite3_column_int64(s, 1), "end",
                            (json_int_t)sqlite3_column_int64(s, 2), "coder",
                            (const char *)sqlite3_column_text(s, 3), "created_at",
                            (const char *)sqlite3_column_text(s, 4), "codes");
            json_array_append_new(out, cur);
        }
        if (sqlite3_column_type(s, 5) != SQLITE_NULL)
            json_array_append_new(json_object_get(cur, "codes"),
                                  json_pack("{s:s, s:s, s:s, s:s?}", "coding",
                                            (const char *)sqlite3_column_text(s, 5), "code",
                                            (const char *)sqlite3_column_text(s, 6), "name",
                                            (const char *)sqlite3_column_text(s, 7), "colour",
                                            (const char *)sqlite3_column_text(s, 8)));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(out);
        db_fail(st, "reading selections", e);
        return NULL;
    }
    return out;
}

int store_coding_blind(struct store *st, int *blind, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT blind FROM coding_state WHERE id = 1", e);
    if (s == NULL)
        return -1;
    int rc = sqlite3_step(s);
    *blind = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 1;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(st, "reading blind mode", e);
}

int store_coding_set_blind(struct store *st, int blind, duet_err *e)
{
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    char now[32];
    db_now(now);
    sqlite3_stmt *s = db_prep(st, "UPDATE coding_state SET blind = ?, changed_at = ?, "
                                  "changed_by = ? WHERE id = 1", e);
    int ok = s != NULL;
    if (ok) {
        sqlite3_bind_int(s, 1, blind != 0);
        db_bind_text(s, 2, now);
        db_bind_text(s, 3, st->actor);
        ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            db_fail(st, "setting blind mode", e);
    }
    json_t *v = json_pack("{s:b}", "blind", blind != 0);
    ok = ok && db_audit(st, "coding_state", 1, "update", NULL, v, e) == 0;
    json_decref(v);
    return db_tx_end(st, started, ok, e);
}

int store_coding_memo_add(struct store *st, const char *kind, int64_t id,
                          const char *coding, const char *text, const char *author,
                          int64_t *memo_id, duet_err *e)
{
    if (db_check_text("memo", text, DB_TEXT_MAX, 1, 1, e) != 0 ||
        db_check_text("author", author, DB_NAME_MAX, 0, 0, e) != 0)
        return -1;
    int64_t source = 0, target = 0;
    char *doc = NULL;
    if (doc_lookup(st, kind, id, &source, &doc, e) != 0)
        return -1;
    free(doc);
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    int ok = 1;
    if (source == 0 && strcmp(kind, "imported") != 0)
        ok = db_source_make(st, kind, id, &source, e) == 0;
    target = source;
    if (ok && coding) {
        sqlite3_stmt *q = db_prep(st, "SELECT g.id FROM coding g JOIN selection x ON "
                                      "x.id = g.selection_id WHERE g.guid = ? AND "
                                      "x.source_id = ?", e);
        ok = q != NULL;
        if (ok) {
            db_bind_text(q, 1, coding);
            sqlite3_bind_int64(q, 2, source);
            int rc = sqlite3_step(q);
            target = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
            sqlite3_reset(q);
            if (rc != SQLITE_ROW)
                ok = rc == SQLITE_DONE ? duet_errf(e, DUET_ENOTFOUND, "this %s has no coding "
                                                   "%.40s", kind, coding) == 0
                                       : db_fail(st, "reading a coding", e) == 0;
        }
    }
    const char *who = author && *author ? author : st->actor;
    const char *tk = coding ? "coding" : "source";
    sqlite3_stmt *s = ok ? db_prep(st, "INSERT INTO memo (target_kind, target_id, text, author, "
                                       "created_at) VALUES (?,?,?,?,?)", e)
                         : NULL;
    if (s) {
        char now[32];
        db_now(now);
        db_bind_text(s, 1, tk);
        sqlite3_bind_int64(s, 2, target);
        db_bind_text(s, 3, text);
        db_bind_text(s, 4, who);
        db_bind_text(s, 5, now);
        /* The text may quote the document: it stays out of the audit log. */
        ok = db_insert_audited(st, s, "memo",
                               json_pack("{s:s, s:I, s:s}", "target_kind", tk, "target_id",
                                         (json_int_t)target, "author", who),
                               "memo", memo_id, e) == 0;
    } else {
        ok = 0;
    }
    return db_tx_end(st, started, ok, e);
}

json_t *store_coding_memo_list(struct store *st, const char *kind, int64_t id, duet_err *e)
{
    int64_t source = 0;
    char *doc = NULL;
    if (doc_lookup(st, kind, id, &source, &doc, e) != 0)
        return NULL;
    free(doc);
    sqlite3_stmt *s = db_prep(st, "SELECT CASE m.target_kind WHEN 'source' THEN 'document' "
                                  "ELSE 'coding' END AS target, g.guid AS coding, "
                                  "c.name AS code_name, k.name AS coder, m.text, "
                                  "m.author, m.created_at FROM memo m LEFT JOIN coding g ON "
                                  "m.target_kind = 'coding' AND g.id = m.target_id "
                                  "LEFT JOIN code c ON c.id = g.code_id "
                                  "LEFT JOIN selection x ON x.id = g.selection_id "
                                  "LEFT JOIN coder k ON k.id = x.coder_id WHERE "
                                  "(m.target_kind = 'source' AND m.target_id = ?1) OR "
                                  "(m.target_kind = 'coding' AND x.source_id = ?1) "
                                  "ORDER BY m.id", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, source);
    return db_query_json(st, s, e);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

/* Fills the row's length and passage from the document's text; the passage
** goes in buf (grown as needed). */
static int cut_passage(struct store_coding_row *r, const char *text, char **buf, size_t *cap)
{
    size_t n = text ? strlen(text) : 0;
    r->length = utf8_codepoints(text ? text : "", n);
    size_t a = utf8_offset(text ? text : "", n, r->start);
    size_t b = utf8_offset(text ? text : "", n, r->end);
    if (b < a)
        b = a;
    if (b - a + 1 > *cap) {
        char *nb = realloc(*buf, b - a + 1);
        if (nb == NULL)
            return -1;
        *buf = nb;
        *cap = b - a + 1;
    }
    memcpy(*buf, text + a, b - a);
    (*buf)[b - a] = '\0';
    r->passage = *buf;
    return 0;
}

int store_coding_each(struct store *st, const char *cohort, store_coding_fn fn, void *ctx,
                      duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT d.kind, d.doc_id, so.guid, d.partnership, d.cohort, "
                                  "d.module, d.side, d.pseudonym, d.text, k.name, x.guid, "
                                  "x.start_pos, x.end_pos, c.guid, c.name FROM codable d "
                                  "JOIN source so ON so.id = d.source_id "
                                  "JOIN selection x ON x.source_id = so.id "
                                  "JOIN coder k ON k.id = x.coder_id "
                                  "JOIN coding g ON g.selection_id = x.id "
                                  "JOIN code c ON c.id = g.code_id "
                                  "WHERE ?1 IS NULL OR d.cohort = ?1 "
                                  "ORDER BY d.cohort, d.partnership, d.module, d.kind, "
                                  "d.doc_id, k.name, x.start_pos, x.end_pos, x.guid, c.name",
                              e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, cohort);
    char *buf = NULL;
    size_t cap = 0;
    int rc, out = 0;
    while (out == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_coding_row r = {
            .kind = col_text(s, 0), .doc_id = sqlite3_column_int64(s, 1),
            .source = col_text(s, 2), .partnership = col_text(s, 3), .cohort = col_text(s, 4),
            .module = sqlite3_column_int(s, 5), .side = col_text(s, 6),
            .pseudonym = col_text(s, 7), .coder = col_text(s, 9), .selection = col_text(s, 10),
            .start = (size_t)sqlite3_column_int64(s, 11),
            .end = (size_t)sqlite3_column_int64(s, 12), .code = col_text(s, 13),
            .code_name = col_text(s, 14)};
        if (cut_passage(&r, col_text(s, 8), &buf, &cap) != 0)
            out = duet_errf(e, DUET_EINTERNAL, "out of memory");
        else
            out = fn(ctx, &r, e);
    }
    if (out == 0 && rc != SQLITE_DONE)
        out = db_fail(st, "reading codings", e);
    sqlite3_reset(s);
    free(buf);
    return out ? -1 : 0;
}

json_t *store_coder_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT k.name AS coder, k.account_id IS NULL AS imported, "
                                  "(SELECT count(*) FROM selection x JOIN codable d ON "
                                  "d.source_id = x.source_id WHERE x.coder_id = k.id) "
                                  "AS selections, (SELECT count(*) FROM coding g JOIN "
                                  "selection x ON x.id = g.selection_id JOIN codable d ON "
                                  "d.source_id = x.source_id WHERE x.coder_id = k.id) "
                                  "AS codings FROM coder k ORDER BY k.id", e);
    return s ? db_query_json(st, s, e) : NULL;
}
