/*
** memo.c — what a connection remembers between calls: the data version
** (store_data_version, for caches above the store) and the parsed current
** version of the instruments it was asked for (store_instrument_current).
**
** Each connection belongs to one thread (the web server opens one per
** worker), so none of it needs a lock. The data version is one cheap read:
** PRAGMA data_version changes when another connection commits, and
** sqlite3_total_changes when this one writes; either change moves the
** version on. The store keeps no derived results of its own: rendering and
** what is computed from the data are cached above it.
*/
#include "store/db.h"

#include "io/instrument.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMO_INSTRUMENTS 4

struct db_memo {
    struct {                         /* store_instrument_current */
        char name[INSTRUMENT_NAME_MAX + 1];
        int64_t id;
        char *definition;            /* the stored text it was parsed from */
        struct instrument ins;
    } ins[MEMO_INSTRUMENTS];
    int64_t data_version, changes;   /* as last read */
    int64_t version;                 /* store_data_version: moves on when they change */
};

void db_memo_free(struct store *st)
{
    if (st->memo == NULL)
        return;
    for (int i = 0; i < MEMO_INSTRUMENTS; i++) {
        free(st->memo->ins[i].definition);
        instrument_free(&st->memo->ins[i].ins);
    }
    free(st->memo);
    st->memo = NULL;
}

static struct db_memo *memo_of(struct store *st)
{
    if (st->memo == NULL) {
        st->memo = calloc(1, sizeof *st->memo);
        if (st->memo)
            st->memo->data_version = -1;
    }
    return st->memo;
}

/* The connection's current data version, or -1 when it cannot be read. */
static int64_t data_version(struct store *st)
{
    sqlite3_stmt *s = db_prep(st, "PRAGMA data_version", NULL);
    if (s == NULL)
        return -1;
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return v;
}

int64_t store_data_version(struct store *st)
{
    struct db_memo *m = memo_of(st);
    if (m == NULL)
        return -1;
    int64_t v = data_version(st), c = sqlite3_total_changes64(st->db);
    if (v < 0)
        return -1;
    if (v != m->data_version || c != m->changes) {
        m->data_version = v;
        m->changes = c;
        m->version++;
    }
    return m->version;
}

/* ---- the current version of an instrument ---- */

/* The slot for name: its own, a free one, or the first (replaced). */
static int instrument_slot(struct db_memo *m, const char *name)
{
    int free_slot = -1;
    for (int i = 0; i < MEMO_INSTRUMENTS; i++) {
        if (strcmp(m->ins[i].name, name) == 0)
            return i;
        if (free_slot < 0 && m->ins[i].name[0] == '\0')
            free_slot = i;
    }
    return free_slot >= 0 ? free_slot : 0;
}

/* Reads and parses the definition with id into slot i. */
static int instrument_load(struct store *st, struct db_memo *m, int i, const char *name,
                           int64_t id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT definition FROM instrument WHERE id = ?", e);
    if (s == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_fail(st, "reading an instrument", e);
    }
    char *text = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    struct instrument ins;
    if (text == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (instrument_parse(text, strlen(text), "the stored instrument", &ins, e) != 0) {
        free(text);
        return -1;
    }
    free(m->ins[i].definition);
    instrument_free(&m->ins[i].ins);
    snprintf(m->ins[i].name, sizeof m->ins[i].name, "%s", name);
    m->ins[i].id = id;
    m->ins[i].definition = text;
    m->ins[i].ins = ins;
    return 0;
}

const struct instrument *store_instrument_current(struct store *st, const char *name,
                                                  duet_err *e)
{
    struct db_memo *m = memo_of(st);
    if (m == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    if (name == NULL || strlen(name) > INSTRUMENT_NAME_MAX) {
        duet_errf(e, DUET_ENOTFOUND, "instrument '%.64s' does not exist", name ? name : "");
        return NULL;
    }
    int i = instrument_slot(m, name);
    int have = strcmp(m->ins[i].name, name) == 0;
    /* The latest version's id, and whether its text is the one parsed. */
    sqlite3_stmt *s = db_prep(st, "SELECT id, definition = ?2 FROM instrument WHERE name = ?1 "
                                  "ORDER BY version DESC LIMIT 1", e);
    if (s == NULL)
        return NULL;
    db_bind_text(s, 1, name);
    if (have)
        sqlite3_bind_text(s, 2, m->ins[i].definition, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    int same = rc == SQLITE_ROW && have && id == m->ins[i].id && sqlite3_column_int(s, 1) == 1;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        duet_errf(e, DUET_ENOTFOUND, "instrument '%s' does not exist", name);
    else if (rc != SQLITE_ROW)
        db_fail(st, "looking up an instrument", e);
    if (rc != SQLITE_ROW)
        return NULL;
    if (!same && instrument_load(st, m, i, name, id, e) != 0)
        return NULL;
    return &m->ins[i].ins;
}
