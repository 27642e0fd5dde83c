/*
** instrument.c — stored instruments and their items (the data dictionary).
*/
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>

#include "io/instrument.h"

int store_instrument_add(struct store *st, const struct instrument *ins, int64_t *id,
                         duet_err *e)
{
    char *definition = instrument_to_json(ins);
    if (definition == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    int started, ok = 0;
    if (db_tx_begin(st, &started, e) != 0) {
        free(definition);
        return -1;
    }
    sqlite3_stmt *s = db_prep(st, "SELECT 1 FROM instrument WHERE name = ? AND version = ?", e);
    ok = s != NULL;
    if (ok) {
        db_bind_text(s, 1, ins->name);
        sqlite3_bind_int(s, 2, ins->version);
        if (sqlite3_step(s) == SQLITE_ROW) {
            duet_errf(e, DUET_ECONFLICT, "instrument '%s' version %d already exists", ins->name,
                      ins->version);
            ok = 0;
        }
        sqlite3_reset(s);
    }
    /* Item names are unique across instruments and their versions: CSVs name
    ** items alone, so a changed item in a new version needs a new name. */
    s = ok ? db_prep(st, "SELECT i.name FROM item i WHERE i.name = ?", e) : NULL;
    ok = s != NULL;
    for (size_t k = 0; ok && k < ins->nitems; k++) {
        sqlite3_reset(s);
        db_bind_text(s, 1, ins->items[k].name);
        if (sqlite3_step(s) == SQLITE_ROW) {
            duet_errf(e, DUET_ECONFLICT, "item '%s' is already defined by another instrument; "
                      "item names must be unique across instruments and versions (give a changed "
                      "item a new name)", ins->items[k].name);
            ok = 0;
        }
    }
    if (s)
        sqlite3_reset(s);
    int64_t iid = 0;
    if (ok) {
        s = db_prep(st, "INSERT INTO instrument (name, version, title, definition, created_at) "
                        "VALUES (?,?,?,?,?)", e);
        ok = s != NULL;
        if (ok) {
            char now[32], what[256];
            db_now(now);
            db_bind_text(s, 1, ins->name);
            sqlite3_bind_int(s, 2, ins->version);
            db_bind_text(s, 3, ins->title ? ins->title : ins->name);
            db_bind_text(s, 4, definition);
            db_bind_text(s, 5, now);
            snprintf(what, sizeof what, "instrument '%s' version %d", ins->name, ins->version);
            ok = db_insert_audited(st, s, "instrument",
                                   json_pack("{s:s, s:i, s:s}", "name", ins->name, "version",
                                             ins->version, "definition", definition),
                                   what, &iid, e) == 0;
        }
    }
    if (ok) {
        s = db_prep(st, "INSERT INTO item (instrument_id, ordinal, name, construct, type, min, "
                        "max, reverse, max_length, max_entries, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)", e);
        ok = s != NULL;
        for (size_t k = 0; ok && k < ins->nitems; k++) {
            const struct instrument_item *it = &ins->items[k];
            int numeric = it->type == ITEM_SCALE || it->type == ITEM_LADDER;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            sqlite3_bind_int64(s, 1, iid);
            sqlite3_bind_int(s, 2, (int)k + 1);
            db_bind_text(s, 3, it->name);
            db_bind_text(s, 4, it->construct);
            db_bind_text(s, 5, instrument_item_type_name(it->type));
            if (numeric) {
                sqlite3_bind_int(s, 6, it->min);
                sqlite3_bind_int(s, 7, it->max);
            }
            sqlite3_bind_int(s, 8, it->reverse ? 1 : 0);
            sqlite3_bind_int(s, 9, it->max_length);
            sqlite3_bind_int(s, 10, it->max_entries);
            db_bind_text(s, 11, it->text ? it->text : "");
            ok = sqlite3_step(s) == SQLITE_DONE || db_fail(st, "adding an item", e) == 0;
        }
        if (s)
            sqlite3_reset(s);
    }
    free(definition);
    if (ok && id)
        *id = iid;
    return db_tx_end(st, started, ok, e);
}

json_t *store_instrument_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT n.id, n.name, n.version, n.title, "
                                  "(SELECT count(*) FROM item i WHERE i.instrument_id = n.id) AS items "
                                  "FROM instrument n ORDER BY n.name, n.version", e);
    return s ? db_query_json(st, s, e) : NULL;
}

json_t *store_instrument_show(struct store *st, const char *name, int version, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT definition FROM instrument WHERE name = ?1 AND "
                                  "(?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        if (version)
            duet_errf(e, DUET_ENOTFOUND, "instrument '%s' version %d does not exist", name, version);
        else
            duet_errf(e, DUET_ENOTFOUND, "instrument '%s' does not exist", name);
        return NULL;
    }
    json_error_t jerr;
    json_t *def = json_loads((const char *)sqlite3_column_text(s, 0), 0, &jerr);
    sqlite3_reset(s);
    if (def == NULL)
        duet_errf(e, DUET_EIO, "the stored definition of instrument '%s' is damaged: %s", name,
                  jerr.text);
    return def;
}

json_t *store_item_list(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT i.name AS item, n.name AS instrument, n.version AS "
                                  "instrument_version, i.construct, i.text AS label, i.type, "
                                  "i.min, i.max, i.reverse AS reverse_keyed "
                                  "FROM item i JOIN instrument n ON n.id = i.instrument_id "
                                  "ORDER BY n.name, n.version, i.ordinal", e);
    json_t *rows = s ? db_query_json(st, s, e) : NULL;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_object_set_new(row, "reverse_keyed",
                            json_boolean(json_integer_value(json_object_get(row, "reverse_keyed"))));
    return rows;
}

int store_item_get(struct store *st, const char *name, struct store_item *out, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id, instrument_id, type, coalesce(min, 0), "
                                  "coalesce(max, 0), max_length, max_entries FROM item WHERE name = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        if (rc == SQLITE_DONE)
            return duet_errf(e, DUET_ENOTFOUND, "item '%s' is not defined by any instrument", name);
        return db_fail(st, "looking up an item", e);
    }
    out->id = sqlite3_column_int64(s, 0);
    out->instrument_id = sqlite3_column_int64(s, 1);
    snprintf(out->type, sizeof out->type, "%s", (const char *)sqlite3_column_text(s, 2));
    out->min = sqlite3_column_int(s, 3);
    out->max = sqlite3_column_int(s, 4);
    out->max_length = sqlite3_column_int(s, 5);
    out->max_entries = sqlite3_column_int(s, 6);
    sqlite3_reset(s);
    return 0;
}
