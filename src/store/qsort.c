/*
** qsort.c — Q-sets (their statements, dimensions and grid) and Q-sorts.
**
** A Q-set is stored once per name and version, with its canonical
** definition and one row per statement. A sort is written with all its
** values in one audited insert; the store checks shapes (every statement
** belongs to the sort's Q-set, values are whole numbers) while the grid
** rules are the caller's (app/sorts.c validates before writing). Reads for
** analysis follow store_scored_each: a purpose filter on consent, erased
** people never. A withdrawal of research consent deletes the person's
** sorts (consent.c).
*/
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/qset.h"

int store_qset_add(struct store *st, const struct qset *q, int64_t *id, duet_err *e)
{
    char *definition = qset_to_json(q);
    if (definition == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    int started;
    if (db_tx_begin(st, &started, e) != 0) {
        free(definition);
        return -1;
    }
    int64_t qid = 0;
    sqlite3_stmt *s = db_prep(st, "INSERT INTO qset (name, version, title, definition, "
                                  "created_at) VALUES (?,?,?,?,?)", e);
    int ok = s != NULL;
    if (ok) {
        char now[32], what[160];
        db_now(now);
        db_bind_text(s, 1, q->name);
        sqlite3_bind_int(s, 2, q->version);
        db_bind_text(s, 3, q->title);
        db_bind_text(s, 4, definition);
        db_bind_text(s, 5, now);
        snprintf(what, sizeof what, "Q-set '%s' version %d", q->name, q->version);
        ok = db_insert_audited(st, s, "qset",
                               json_pack("{s:s, s:i, s:s}", "name", q->name, "version",
                                         q->version, "definition", definition),
                               what, &qid, e) == 0;
    }
    s = ok ? db_prep(st, "INSERT INTO qstatement (qset_id, ordinal, code, text, dimension, "
                         "dimension_name, polarity) VALUES (?,?,?,?,?,?,?)", e) : NULL;
    ok = ok && s != NULL;
    for (size_t i = 0; ok && i < q->nstatements; i++) {
        const struct qset_statement *x = &q->statements[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, qid);
        sqlite3_bind_int(s, 2, (int)i + 1);
        db_bind_text(s, 3, x->id);
        db_bind_text(s, 4, x->text);
        sqlite3_bind_int(s, 5, (int)x->dimension);
        db_bind_text(s, 6, q->dims[x->dimension].name);
        sqlite3_bind_int(s, 7, x->polarity);
        ok = sqlite3_step(s) == SQLITE_DONE || db_fail(st, "adding a statement", e) == 0;
    }
    if (s)
        sqlite3_reset(s);
    free(definition);
    if (ok && id)
        *id = qid;
    return db_tx_end(st, started, ok, e);
}

json_t *store_qset_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT q.id, q.name, q.version, q.title, "
                                  "(SELECT count(*) FROM qstatement x WHERE x.qset_id = q.id) "
                                  "AS statements, "
                                  "(SELECT count(*) FROM qsort o WHERE o.qset_id = q.id) AS sorts, "
                                  "q.created_at FROM qset q ORDER BY q.name, q.version", e);
    return s ? db_query_json(st, s, e) : NULL;
}

/* The stored definition text of name (version 0: the latest) and its id;
** the text is a copy the caller frees. */
static int qset_definition(struct store *st, const char *name, int version, char **text,
                           int64_t *id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, definition FROM qset WHERE name = ?1 AND "
                                  "(?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return db_fail(st, "reading a Q-set", e);
        if (version)
            return duet_errf(e, DUET_ENOTFOUND, "Q-set '%s' version %d does not exist", name,
                             version);
        return duet_errf(e, DUET_ENOTFOUND, "Q-set '%s' does not exist (see 'duet qset list')",
                         name);
    }
    *id = sqlite3_column_int64(s, 0);
    *text = strdup((const char *)sqlite3_column_text(s, 1));
    sqlite3_reset(s);
    return *text ? 0 : duet_errf(e, DUET_EINTERNAL, "out of memory");
}

json_t *store_qset_show(struct store *st, const char *name, int version, duet_err *e)
{
    char *text;
    int64_t id;
    if (qset_definition(st, name, version, &text, &id, e) != 0)
        return NULL;
    json_error_t jerr;
    json_t *def = json_loads(text, 0, &jerr);
    free(text);
    if (def == NULL)
        duet_errf(e, DUET_EIO, "the stored definition of Q-set '%s' is damaged: %s", name,
                  jerr.text);
    return def;
}

int store_qset_get(struct store *st, const char *name, int version, struct qset *out,
                   int64_t *id, duet_err *e)
{
    char *text;
    int64_t qid;
    if (qset_definition(st, name, version, &text, &qid, e) != 0)
        return -1;
    char src[96];
    snprintf(src, sizeof src, "stored Q-set '%.60s'", name);
    int rc = qset_parse(text, strlen(text), src, out, e);
    free(text);
    if (rc == 0 && id)
        *id = qid;
    return rc;
}

int store_qsort_exists(struct store *st, int64_t person_id, int64_t partnership_id,
                       int64_t module_id, int64_t qset_id, int *exists, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT 1 FROM qsort WHERE person_id = ? AND partnership_id = ? "
                                  "AND module_id = ? AND qset_id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    sqlite3_bind_int64(s, 4, qset_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(st, "looking up a sort", e);
    *exists = rc == SQLITE_ROW;
    return 0;
}

int store_qsorts_insert(struct store *st, const struct store_qsort *q, size_t n, duet_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (q[i].source != NULL && db_check_text("sort source", q[i].source, DB_NAME_MAX, 0, 0, e))
            return -1;
    int started;
    if (db_tx_begin(st, &started, e) != 0)
        return -1;
    sqlite3_stmt *ins = db_prep(st, "INSERT INTO qsort (person_id, partnership_id, module_id, "
                                    "qset_id, source, created_at) VALUES (?,?,?,?,?,?)", e);
    /* The statement must belong to the sort's Q-set: the SELECT finds none
    ** otherwise and nothing is inserted, which is caught below. */
    sqlite3_stmt *val = ins ? db_prep(st, "INSERT INTO qsort_value (qsort_id, statement_id, value) "
                                          "SELECT ?1, id, ?2 FROM qstatement WHERE qset_id = ?3 "
                                          "AND code = ?4", e) : NULL;
    int ok = val != NULL;
    char now[32];
    db_now(now);
    for (size_t i = 0; ok && i < n; i++) {
        const struct store_qsort *x = &q[i];
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, x->person_id);
        sqlite3_bind_int64(ins, 2, x->partnership_id);
        sqlite3_bind_int64(ins, 3, x->module_id);
        sqlite3_bind_int64(ins, 4, x->qset_id);
        db_bind_text(ins, 5, x->source ? x->source : "");
        db_bind_text(ins, 6, now);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
                duet_errf(e, DUET_ECONFLICT, "a sort by this person for this partnership, module "
                          "and Q-set already exists");
            else
                db_fail(st, "adding a sort", e);
            ok = 0;
            break;
        }
        int64_t sid = sqlite3_last_insert_rowid(st->db);
        json_t *values = json_object();
        if (values == NULL)
            ok = duet_errf(e, DUET_EINTERNAL, "out of memory") == 0;
        for (size_t k = 0; ok && k < x->nvalues; k++) {
            sqlite3_reset(val);
            sqlite3_bind_int64(val, 1, sid);
            sqlite3_bind_int(val, 2, x->values[k]);
            sqlite3_bind_int64(val, 3, x->qset_id);
            db_bind_text(val, 4, x->statements[k]);
            int rc = sqlite3_step(val);
            if (rc != SQLITE_DONE) {
                if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
                    duet_errf(e, DUET_ECONFLICT, "statement '%s' is sorted twice",
                              x->statements[k]);
                else
                    db_fail(st, "adding a sort's value", e);
                ok = 0;
            } else if (sqlite3_changes(st->db) != 1) {
                duet_errf(e, DUET_EINPUT, "'%s' is not a statement of the sort's Q-set",
                          x->statements[k]);
                ok = 0;
            } else if (json_object_set_new(values, x->statements[k],
                                           json_integer(x->values[k])) != 0) {
                ok = duet_errf(e, DUET_EINTERNAL, "out of memory") == 0;
            }
        }
        if (ok) {
            json_t *v = json_pack("{s:I, s:I, s:I, s:I, s:s, s:O}", "person_id",
                                  (json_int_t)x->person_id, "partnership_id",
                                  (json_int_t)x->partnership_id, "module_id",
                                  (json_int_t)x->module_id, "qset_id", (json_int_t)x->qset_id,
                                  "source", x->source ? x->source : "", "values", values);
            if (v == NULL)
                ok = duet_errf(e, DUET_EINTERNAL, "out of memory") == 0;
            else
                ok = db_audit(st, "qsort", sid, "insert", NULL, v, e) == 0;
            json_decref(v);
        }
        json_decref(values);
    }
    if (ins)
        sqlite3_reset(ins);
    if (val)
        sqlite3_reset(val);
    return db_tx_end(st, started, ok, e);
}

json_t *store_qsort_get(struct store *st, int64_t person_id, int64_t partnership_id,
                        int64_t module_id, const char *qset, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT o.id, q.name, q.version, o.source, o.created_at "
                                  "FROM qsort o JOIN qset q ON q.id = o.qset_id "
                                  "WHERE o.person_id = ?1 AND o.partnership_id = ?2 AND "
                                  "o.module_id = ?3 AND (?4 IS NULL OR q.name = ?4) "
                                  "ORDER BY q.name, q.version DESC LIMIT 1", e);
    if (s == NULL)
        return NULL;
    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_int64(s, 2, partnership_id);
    sqlite3_bind_int64(s, 3, module_id);
    db_bind_text(s, 4, qset);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            db_fail(st, "reading a sort", e);
        else
            duet_errf(e, DUET_ENOTFOUND, "there is no sort by this person for this partnership "
                      "and module%s%s%s", qset ? " with Q-set '" : "", qset ? qset : "",
                      qset ? "'" : "");
        return NULL;
    }
    int64_t sid = sqlite3_column_int64(s, 0);
    json_t *out = json_pack("{s:s, s:i, s:s, s:s}", "qset", (const char *)sqlite3_column_text(s, 1),
                            "qset_version", sqlite3_column_int(s, 2), "source",
                            (const char *)sqlite3_column_text(s, 3), "created_at",
                            (const char *)sqlite3_column_text(s, 4));
    sqlite3_reset(s);
    s = db_prep(st, "SELECT x.code, v.value FROM qsort_value v JOIN qstatement x ON "
                    "x.id = v.statement_id WHERE v.qsort_id = ? ORDER BY x.ordinal", e);
    if (s == NULL || out == NULL) {
        json_decref(out);
        return NULL;
    }
    sqlite3_bind_int64(s, 1, sid);
    json_t *values = json_object();
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        json_object_set_new(values, (const char *)sqlite3_column_text(s, 0),
                            json_integer(sqlite3_column_int(s, 1)));
    sqlite3_reset(s);
    json_object_set_new(out, "values", values);
    if (rc != SQLITE_DONE) {
        json_decref(out);
        db_fail(st, "reading a sort", e);
        return NULL;
    }
    return out;
}

json_t *store_qsort_list(struct store *st, const char *cohort, const char *purpose, duet_err *e)
{
    static const char sql[] =
        "SELECT c.name AS cohort, m.ordinal AS module, t.code AS partnership, p.key AS person, "
        "ro.side AS side, q.name AS qset, q.version AS qset_version, o.source, o.created_at "
        "FROM qsort o JOIN qset q ON q.id = o.qset_id JOIN module m ON m.id = o.module_id "
        "JOIN cohort c ON c.id = m.cohort_id JOIN partnership t ON t.id = o.partnership_id "
        "JOIN person p ON p.id = o.person_id "
        "JOIN membership mb ON mb.partnership_id = t.id AND mb.person_id = p.id "
        "JOIN role ro ON ro.id = mb.role_id "
        "WHERE p.erased_at IS NULL AND (?2 IS NULL OR c.name = ?2) AND "
        CONSENT_IN_FORCE("p.id")
        " ORDER BY c.name, m.ordinal, t.code, ro.side, p.id, q.name, q.version";
    sqlite3_stmt *s = db_prep(st, sql, e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, purpose);
    db_bind_text(s, 2, cohort);
    return db_query_json(st, s, e);
}

int store_qsort_each(struct store *st, const char *cohort, int module, const char *qset,
                     const char *purpose, store_qsort_fn fn, void *ctx, duet_err *e)
{
    static const char sql[] =
        "SELECT c.name, t.code, t.kind, p.key, ro.side, ro.name, m.ordinal, q.name, q.version, "
        "x.code, x.ordinal, x.dimension, x.dimension_name, x.polarity, v.value "
        "FROM qsort o JOIN qsort_value v ON v.qsort_id = o.id "
        "JOIN qstatement x ON x.id = v.statement_id JOIN qset q ON q.id = o.qset_id "
        "JOIN module m ON m.id = o.module_id JOIN cohort c ON c.id = m.cohort_id "
        "JOIN partnership t ON t.id = o.partnership_id JOIN person p ON p.id = o.person_id "
        "JOIN membership mb ON mb.partnership_id = t.id AND mb.person_id = p.id "
        "JOIN role ro ON ro.id = mb.role_id "
        "WHERE p.erased_at IS NULL AND (?2 IS NULL OR c.name = ?2) AND "
        "(?3 = 0 OR m.ordinal = ?3) AND (?4 IS NULL OR q.name = ?4) AND "
        CONSENT_IN_FORCE("p.id")
        " ORDER BY c.name, q.name, q.version, t.code, m.ordinal, ro.side, p.id, x.ordinal";
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(st, "reading sorts", e);
    db_bind_text(s, 1, purpose);
    db_bind_text(s, 2, cohort);
    sqlite3_bind_int(s, 3, module);
    db_bind_text(s, 4, qset);
    int rc = SQLITE_DONE, failed = 0;
    while (!failed && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_qsort_row row = {
            .cohort = (const char *)sqlite3_column_text(s, 0),
            .partnership = (const char *)sqlite3_column_text(s, 1),
            .kind = (const char *)sqlite3_column_text(s, 2),
            .person = (const char *)sqlite3_column_text(s, 3),
            .side = (const char *)sqlite3_column_text(s, 4),
            .role = (const char *)sqlite3_column_text(s, 5),
            .module = sqlite3_column_int(s, 6),
            .qset = (const char *)sqlite3_column_text(s, 7),
            .qset_version = sqlite3_column_int(s, 8),
            .statement = (const char *)sqlite3_column_text(s, 9),
            .ordinal = sqlite3_column_int(s, 10),
            .dimension = sqlite3_column_int(s, 11),
            .dimension_name = (const char *)sqlite3_column_text(s, 12),
            .polarity = sqlite3_column_int(s, 13),
            .value = sqlite3_column_int(s, 14),
        };
        failed = fn(ctx, &row, e) != 0;
    }
    if (!failed && rc != SQLITE_DONE)
        failed = db_fail(st, "reading sorts", e) != 0;
    sqlite3_finalize(s);
    return failed ? -1 : 0;
}
