/*
** store.h — duet's store: the only door to persisted data.
**
** Callers see records through this narrow interface; nothing here names
** SQLite, so a PostgreSQL backend can later implement the same functions.
** Reads return jansson values (new references, owned by the caller) so the
** CLI and the web can print them without knowing the schema. Every write
** runs in a transaction and appends to the hash-chained audit log.
**
** Records are named by their natural keys: programme and cohort by name,
** module by cohort + ordinal, person by key, partnership by code, item by
** name. All functions return 0 on success or -1 with *e filled in.
*/
#ifndef DUET_STORE_STORE_H
#define DUET_STORE_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct store;
struct instrument;

/* Opens (creating if needed) and migrates the database at path. */
int store_open(const char *path, struct store **out, duet_err *e);
void store_close(struct store *st);
/* Who the audit log records for writes made through st (copied). */
void store_set_actor(struct store *st, const char *actor);
/* Schema version (PRAGMA user_version) after migration. */
int store_schema_version(struct store *st);

/* Groups several writes into one all-or-nothing transaction. Writes made
** outside store_begin/store_commit each get their own. */
int store_begin(struct store *st, duet_err *e);
int store_commit(struct store *st, duet_err *e);
void store_rollback(struct store *st);

/* ---- programme, cohort, module ---- */
int store_programme_add(struct store *st, const char *name, const char *description,
                        int64_t *id, duet_err *e);
json_t *store_programme_list(struct store *st, duet_err *e);
json_t *store_programme_show(struct store *st, const char *name, duet_err *e);

int store_cohort_add(struct store *st, const char *programme, const char *name,
                     const char *starts_on, int64_t *id, duet_err *e);
json_t *store_cohort_list(struct store *st, const char *programme, duet_err *e);
json_t *store_cohort_show(struct store *st, const char *name, duet_err *e);

int store_module_add(struct store *st, const char *cohort, int ordinal,
                     const char *held_on, const char *theme, int64_t *id, duet_err *e);
json_t *store_module_list(struct store *st, const char *cohort, duet_err *e);
json_t *store_module_show(struct store *st, const char *cohort, int ordinal, duet_err *e);

/* ---- people and partnerships ---- */
struct store_person {
    const char *key;           /* unique handle, e.g. "amira.k" */
    const char *display_name;
    const char *organisation;  /* may be NULL */
    const char *contact;       /* may be NULL */
};
int store_person_add(struct store *st, const struct store_person *p, int64_t *id, duet_err *e);
json_t *store_person_list(struct store *st, duet_err *e);
json_t *store_person_show(struct store *st, const char *key, duet_err *e);

struct store_member {
    const char *person;        /* person key */
    const char *role;          /* role name from the catalogue */
};
struct store_partnership {
    const char *cohort;
    const char *code;          /* unique, e.g. "P01" */
    const char *project_title;
    const char *project_aim;
    size_t nmembers;           /* 2 (pair) or 3 (triad) */
    const struct store_member *members;
};
/* Refuses a partnership without a member on each side, with staff members,
** with the same person twice, or with more than three members. */
int store_partnership_add(struct store *st, const struct store_partnership *p,
                          int64_t *id, duet_err *e);
json_t *store_partnership_list(struct store *st, const char *cohort, duet_err *e);
json_t *store_partnership_show(struct store *st, const char *code, duet_err *e);
json_t *store_role_list(struct store *st, duet_err *e);

/* ---- instruments ---- */
/* Stores a parsed instrument; refuses a name+version already stored and
** item names used by another instrument. */
int store_instrument_add(struct store *st, const struct instrument *ins, int64_t *id,
                         duet_err *e);
json_t *store_instrument_list(struct store *st, duet_err *e);
/* The stored definition (version 0 = latest). */
json_t *store_instrument_show(struct store *st, const char *name, int version, duet_err *e);
/* One row per item of every instrument: the data dictionary. */
json_t *store_item_list(struct store *st, duet_err *e);

/* ---- resolving names to ids (for importers that cache) ---- */
int store_cohort_id(struct store *st, const char *name, int64_t *id, duet_err *e);
int store_module_id(struct store *st, int64_t cohort_id, int ordinal, int64_t *id, duet_err *e);
int store_person_id(struct store *st, const char *key, int64_t *id, duet_err *e);
int store_partnership_id(struct store *st, const char *code, int64_t *id,
                         int64_t *cohort_id, duet_err *e);
/* Side of person in partnership: "lived_experience" or "system"; -1 if not a member. */
int store_member_side(struct store *st, int64_t partnership_id, int64_t person_id,
                      const char **side, duet_err *e);

struct store_item {
    int64_t id;
    int64_t instrument_id;
    char type[8];              /* "scale", "ladder", "text", "list" */
    int min, max;              /* scale and ladder */
    int max_length, max_entries;
};
int store_item_get(struct store *st, const char *name, struct store_item *out, duet_err *e);

/* ---- check-ins ---- */
struct store_answer {
    int64_t item_id;
    int has_num;               /* 1: num holds the answer; 0: text does */
    double num;
    const char *text;
    size_t text_len;
};
struct store_checkin {
    int64_t person_id, partnership_id, module_id, instrument_id;
    size_t nanswers;
    const struct store_answer *answers;
};
/* Inserts n already-validated check-ins; refuses one that already exists
** (same person, partnership and module). Runs in the caller's transaction
** when there is one. */
int store_checkins_insert(struct store *st, const struct store_checkin *c, size_t n,
                          duet_err *e);
int store_checkin_exists(struct store *st, int64_t person_id, int64_t partnership_id,
                         int64_t module_id, int *exists, duet_err *e);

/* One response row as exported: natural keys and the value as text. */
struct store_response_row {
    const char *cohort;
    int module;
    const char *partnership;
    const char *person;
    const char *item;
    const char *value;         /* numbers printed exactly; text as stored */
};
typedef int (*store_response_fn)(void *ctx, const struct store_response_row *row,
                                 duet_err *e);
/* Calls fn for every response in a stable order (cohort, module, partnership,
** person, item order). With purpose non-NULL, only people whose consent for
** that purpose is in force are included. */
int store_responses_each(struct store *st, const char *purpose, store_response_fn fn,
                         void *ctx, duet_err *e);

/* One numeric answer with what analysis needs to score it. */
struct store_scored_row {
    const char *cohort;
    const char *partnership;
    const char *kind;          /* "pair" or "triad" */
    const char *person;
    const char *side;          /* "lived_experience" or "system" */
    int module;
    const char *item;
    const char *construct;
    const char *type;          /* "scale" or "ladder" */
    int min, max, reverse;
    double value;              /* as answered (not flipped) */
};
typedef int (*store_scored_fn)(void *ctx, const struct store_scored_row *row, duet_err *e);
/* Calls fn for every numeric answer (scale and ladder items) of cohort (NULL:
** every cohort), ordered by cohort, partnership, module, person, item. With
** purpose non-NULL only people whose consent for it is in force count;
** erased people never do. */
int store_scored_each(struct store *st, const char *cohort, const char *purpose,
                      store_scored_fn fn, void *ctx, duet_err *e);

/* ---- reflections, observations, project log ---- */
int store_reflection_add(struct store *st, const char *person, const char *partnership,
                         int module /* 0 = none */, const char *visibility,
                         const char *text, int64_t *id, duet_err *e);
json_t *store_reflection_list(struct store *st, const char *partnership, duet_err *e);

struct store_observation {
    const char *observer;      /* person key of a facilitator/observer */
    const char *partnership;
    int module;
    const char *text;
    double talk_share_lived;   /* 0..1, or NAN when not recorded */
    int decisions_lived;       /* -1 when not recorded */
    int decisions_system;
};
int store_observation_add(struct store *st, const struct store_observation *o,
                          int64_t *id, duet_err *e);
json_t *store_observation_list(struct store *st, const char *partnership, duet_err *e);

int store_project_log_add(struct store *st, const char *partnership, const char *kind,
                          const char *description, const char *happened_on,
                          int64_t *id, duet_err *e);

/* ---- consent ---- */
int store_consent_give(struct store *st, const char *person, const char *purpose,
                       const char *version, duet_err *e);
/* Final: a purpose once withdrawn cannot be given again. Withdrawing
** "research" also erases the person's identifiable content (see docs). */
int store_consent_withdraw(struct store *st, const char *person, const char *purpose,
                           duet_err *e);
json_t *store_consent_list(struct store *st, const char *person, duet_err *e);

/* ---- audit ---- */
struct store_audit_report {
    int64_t entries;
    int64_t erased_payloads;
    int64_t first_bad;         /* seq of the first broken entry, 0 if none */
    char head[65];             /* hex hash of the last entry */
};
/* Recomputes the chain; returns 0 even when broken (see first_bad). */
int store_audit_verify(struct store *st, struct store_audit_report *r, duet_err *e);
json_t *store_audit_list(struct store *st, int64_t limit, duet_err *e);

#endif
