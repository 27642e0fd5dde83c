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
/* As store_scored_each for the one partnership with code (ordered by module,
** person, item): a few indexed reads, fast enough for a web page. */
int store_scored_each_partnership(struct store *st, const char *partnership,
                                  const char *purpose, store_scored_fn fn, void *ctx,
                                  duet_err *e);

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

/* ---- a partnership as its members see it (membership.c) ----
** Reads for the participant's web pages, and check-in drafts. Drafts are
** one person's unfinished answers for one partnership and module, a JSON
** object {"item": value} kept as text; saving replaces the draft. They are
** not research data: not audited, never exported, deleted with the
** person's other free text when research consent is withdrawn. */
#define STORE_DRAFT_MAX (256 * 1024)   /* bytes of a draft's JSON text */

/* The partnerships person_id is a member of, by cohort and code: rows
** {code, cohort, kind, project_title, modules (in the cohort),
** checkins_done (by this person), members: [{person, display_name, role,
** role_label, side}]}; members by side (lived experience first), then in
** the order they were added. */
json_t *store_person_partnerships(struct store *st, int64_t person_id, duet_err *e);
/* {code, cohort, kind, project_title, project_aim, members: [as above],
** modules: [{module, held_on, theme, my_checkin, draft_saved_at}]} where
** my_checkin is "done", "draft" or "not_started" for person_id (null when
** person_id is 0) and draft_saved_at is set only for a draft. */
json_t *store_partnership_overview(struct store *st, const char *code, int64_t person_id,
                                   duet_err *e);
/* Every reflection of the partnership, newest first: rows {id, author_id,
** person, display_name, module (null: none), visibility, text, created_at}.
** author_id is for access_reflection_visible only: never show it. Callers
** filter the rows per reader before anything leaves the process. */
json_t *store_partnership_reflections(struct store *st, int64_t partnership_id, duet_err *e);
/* One person's check-in: {submitted_at, instrument, instrument_version,
** answers: {item: number or text}}; DUET_ENOTFOUND when there is none. */
json_t *store_checkin_get(struct store *st, int64_t person_id, int64_t partnership_id,
                          int64_t module_id, duet_err *e);
/* Saves (inserts or replaces) a draft; answers_json must be a JSON object of
** at most STORE_DRAFT_MAX bytes. */
int store_draft_save(struct store *st, int64_t person_id, int64_t partnership_id,
                     int64_t module_id, const char *answers_json, duet_err *e);
/* *answers: the saved object (new reference), or NULL when there is no
** draft; updated_at (may be NULL) receives when it was saved, or "". */
int store_draft_get(struct store *st, int64_t person_id, int64_t partnership_id,
                    int64_t module_id, json_t **answers, char updated_at[32], duet_err *e);
/* Deletes the draft if there is one (runs in the caller's transaction). */
int store_draft_delete(struct store *st, int64_t person_id, int64_t partnership_id,
                       int64_t module_id, duet_err *e);

/* Whether staff_person_id (a facilitator) may put person into a
** partnership: *yes = 1 when person exists, is not erased, has no account
** or a participant one, is staff of no cohort, and is a member of no
** partnership outside the cohorts staff_person_id runs (so people in none
** stay enrollable); else 0, the same for a key that does not exist, so the
** answer says nothing of people the facilitator may not see. One query. */
int store_person_enrollable(struct store *st, const char *person, int64_t staff_person_id,
                            int *yes, duet_err *e);

/* ---- the data version (memo.c) ----
** Caches above the store (the web's, of results costly to recompute that
** change only when the data do) key what they keep by this number: it is
** the same on two calls only if nothing was committed to the database in
** between, by this connection or any other (SQLite's data_version and this
** connection's change count). It only grows. -1 when it cannot be read. */
int64_t store_data_version(struct store *st);
/* The latest stored version of instrument name, parsed; NULL with
** DUET_ENOTFOUND when there is none. The connection keeps it and hands it
** out again while the stored definition is the same (one indexed read that
** compares it), so callers that need it on every request do not parse it
** each time. It belongs to st: do not free or change it. It stays valid
** until the next call for the same name on st, or store_close. */
const struct instrument *store_instrument_current(struct store *st, const char *name,
                                                  duet_err *e);

/* ---- Q-sets and Q-sorts (qsort.c) ----
** A Q-set (io/qset.h) is stored once per name and version with its
** canonical definition and its statements; a sort is one person's placing
** of every statement of one Q-set on its grid, for one partnership and
** module (at most one per person, partnership, module and Q-set). The
** store checks that each value names a statement of the sort's Q-set; the
** grid rules are checked before writing (app/sorts.h). Withdrawing research
** consent deletes the person's sorts and erases their audit payloads. */
struct qset;

/* Stores a parsed Q-set; DUET_ECONFLICT when that name and version exist. */
int store_qset_add(struct store *st, const struct qset *q, int64_t *id, duet_err *e);
/* Rows {id, name, version, title, statements, sorts, created_at} by name and
** version. */
json_t *store_qset_list(struct store *st, duet_err *e);
/* The stored definition as JSON (version 0 = the latest); DUET_ENOTFOUND. */
json_t *store_qset_show(struct store *st, const char *name, int version, duet_err *e);
/* The stored definition parsed into *out (release with qset_free) and its
** id (id may be NULL); version 0 = the latest. DUET_ENOTFOUND. */
int store_qset_get(struct store *st, const char *name, int version, struct qset *out,
                   int64_t *id, duet_err *e);

struct store_qsort {
    int64_t person_id, partnership_id, module_id, qset_id;
    const char *source;              /* how it arrived ("cli", "import", "web", "demo"); NULL: "" */
    size_t nvalues;
    const char *const *statements;   /* [nvalues] statement ids of the Q-set (borrowed) */
    const int *values;               /* [nvalues] grid values */
};
/* Inserts n already-validated sorts, each audited with its values; refuses
** one that already exists (DUET_ECONFLICT) and a statement id that is not
** in the sort's Q-set (DUET_EINPUT). Runs in the caller's transaction when
** there is one; otherwise all n or none. */
int store_qsorts_insert(struct store *st, const struct store_qsort *s, size_t n, duet_err *e);
int store_qsort_exists(struct store *st, int64_t person_id, int64_t partnership_id,
                       int64_t module_id, int64_t qset_id, int *exists, duet_err *e);
/* One person's sort for a partnership and module: {qset, qset_version,
** source, created_at, values: {statement: value}} in statement order. With
** qset NULL, the sort of the first Q-set by name; DUET_ENOTFOUND when none. */
json_t *store_qsort_get(struct store *st, int64_t person_id, int64_t partnership_id,
                        int64_t module_id, const char *qset, duet_err *e);
/* Who has sorted: rows {cohort, module, partnership, person, side, qset,
** qset_version, source, created_at} of cohort (NULL: all), by cohort,
** module, partnership, side and person; purpose as for store_qsort_each
** (NULL: everyone not erased). */
json_t *store_qsort_list(struct store *st, const char *cohort, const char *purpose,
                         duet_err *e);

/* One value of one sort with what analysis needs. Strings are borrowed for
** the duration of the callback. */
struct store_qsort_row {
    const char *cohort;
    const char *partnership;
    const char *kind;          /* "pair" or "triad" */
    const char *person;
    const char *side;          /* "lived_experience" or "system" */
    const char *role;          /* the member's role, e.g. "patient_leader" */
    int module;
    const char *qset;
    int qset_version;
    const char *statement;     /* the statement's id */
    int ordinal;               /* 1-based place in the Q-set's definition */
    int dimension;             /* index k of the Q-set's dimensions */
    const char *dimension_name;
    int polarity;              /* +1 lived-experience pole, -1 system pole */
    int value;                 /* the grid column */
};
typedef int (*store_qsort_fn)(void *ctx, const struct store_qsort_row *row, duet_err *e);
/* Calls fn for every value of every sort of cohort (NULL: all), module (0:
** all) and Q-set name (NULL: all), ordered by cohort, Q-set name and
** version, partnership, module, side (lived experience first), person (in
** the order people were added) and statement ordinal: the values of one sort are consecutive. With purpose
** non-NULL only people whose consent for it is in force count; erased
** people never do. A non-zero return from fn stops with that error. */
int store_qsort_each(struct store *st, const char *cohort, int module, const char *qset,
                     const char *purpose, store_qsort_fn fn, void *ctx, duet_err *e);

/* ---- codebooks, codes and memos (codebook.c) ----
** A codebook (io/codebook.h) is stored once per name and version, one row
** per code with its GUID, parent and position among its siblings; every
** code is audited. Memos attach to a code (by GUID) or a whole codebook. */
struct codebook;
/* Stores cb in one transaction; "already exists" for a name and version
** that are there. *id (may be NULL) is the codebook's id. */
int store_codebook_add(struct store *st, const struct codebook *cb, int64_t *id, duet_err *e);
/* Rows {name, version, codes, created_at} by name and version. */
json_t *store_codebook_list(struct store *st, duet_err *e);
/* The codebook name at version (0: the latest) into *out (codebook_free);
** DUET_ENOTFOUND when there is none. */
int store_codebook_get(struct store *st, const char *name, int version, struct codebook *out,
                       duet_err *e);
/* Adds a memo (audited) to codebook name (latest version) or, with
** code_guid not NULL, to its code with that GUID. */
int store_codebook_memo_add(struct store *st, const char *name, const char *code_guid,
                            const char *text, const char *author, int64_t *id, duet_err *e);
/* The memos of codebook name (latest version) and its codes: rows {target,
** code, text, author, created_at} in the order written. */
json_t *store_codebook_memo_list(struct store *st, const char *name, duet_err *e);

/* ---- coding passages (coding.c) ----
** A document is a text a coder may see (the view "codable" in
** 006_coding.sql): a reflection shared with the programme by an author
** whose research consent is in force, an observer's note on a partnership
** whose members' research consent is all in force, or an imported text.
** Documents are named by kind ("reflection", "observation", "imported")
** and id; anything else is "not found", so a private reflection's
** existence is not revealed. Coders are named by person key (their
** account) or, for imported work, by the name in the file. Positions are
** Unicode code points from 0, end exclusive. */
#define STORE_CODING_MAX_CODES 50     /* codes applied to one passage at once */

/* Rows {kind, id, partnership, cohort, module, side, pseudonym, length,
** selections} for cohort (NULL: all, imported texts included), ordered by
** cohort, partnership, module, kind and id; "selections" counts those of
** coder (a person key; NULL: everyone's). */
json_t *store_coding_documents(struct store *st, const char *cohort, const char *coder,
                               duet_err *e);
/* One document {kind, id, partnership, cohort, module, side, pseudonym,
** text, length, source}; "source" is its GUID or null before first coded. */
json_t *store_coding_document(struct store *st, const char *kind, int64_t id, duet_err *e);
/* The selections on a document, ordered by start, end and GUID: rows
** {selection, start, end, coder, created_at, codes: [{coding, code, name,
** colour}]}. With only_coder non-NULL, only that coder's. */
json_t *store_coding_selections(struct store *st, const char *kind, int64_t id,
                                const char *only_coder, duet_err *e);
/* Coder (a person key with an account) applies codes (GUIDs of codes in
** any stored codebook; the newest codebook holding a GUID wins) to the
** passage [start, end) of a document, in one transaction: one selection,
** one coding per code. Refuses an empty or out-of-range passage, no codes,
** more than STORE_CODING_MAX_CODES, an unknown code and the same code
** twice. *selection (may be NULL; 37 bytes) receives the new GUID. */
int store_coding_add(struct store *st, const char *kind, int64_t id, const char *coder,
                     size_t start, size_t end, const char *const *codes, size_t ncodes,
                     char *selection, duet_err *e);
/* Removes a selection and its codings; only its own coder may. */
int store_coding_remove(struct store *st, const char *selection, const char *coder,
                        duet_err *e);
/* Blind coding: while on, coders see only their own selections. */
int store_coding_blind(struct store *st, int *blind, duet_err *e);
int store_coding_set_blind(struct store *st, int blind, duet_err *e);
/* A memo (audited, without its text in the log) on a document or on a
** coding (by GUID). target is "document" or "coding". */
int store_coding_memo_add(struct store *st, const char *kind, int64_t id,
                          const char *coding, const char *text, const char *author,
                          int64_t *memo_id, duet_err *e);
/* Memos on a document and its codings: rows {target ("document" or
** "coding"), coding, code_name, coder (the coding's; null for the
** document's), text, author, created_at} in the order written. */
json_t *store_coding_memo_list(struct store *st, const char *kind, int64_t id, duet_err *e);

/* One coding of a passage, as store_coding_each gives it. Strings are
** borrowed for the call only. */
struct store_coding_row {
    const char *kind;          /* of the document */
    int64_t doc_id;
    const char *source;        /* GUID */
    const char *partnership;   /* NULL for imported texts */
    const char *cohort;        /* NULL for imported texts */
    int module;                /* 0 when none */
    const char *side;          /* author's: lived_experience, system, staff; NULL imported */
    const char *pseudonym;     /* author's, or "observer"; NULL imported */
    size_t length;             /* of the document, code points */
    const char *coder;
    const char *selection;     /* GUID */
    size_t start, end;
    const char *code;          /* GUID */
    const char *code_name;
    const char *passage;       /* the selected text */
};
typedef int (*store_coding_fn)(void *ctx, const struct store_coding_row *row, duet_err *e);
/* Calls fn for every coding on every codable document of cohort (NULL:
** all), ordered by document (cohort, partnership, module, kind, id), coder,
** start, end, selection and code name. A non-zero return from fn stops
** with that error. */
int store_coding_each(struct store *st, const char *cohort, store_coding_fn fn, void *ctx,
                      duet_err *e);
/* Every coder: rows {coder, imported (1 for a user of an imported project),
** selections, codings} counted on codable documents. */
json_t *store_coder_list(struct store *st, duet_err *e);

/* ---- REFI-QDA projects (project.c) ----
** The coding work as a REFI-QDA project (io/qdpx.h). Export: the codebook
** (name and version) whose codes were applied (refused when codings use
** several; with none applied, the newest stored codebook, preferring
** "starter"), every coder as a user, every codable
** document of cohort (NULL: all) as a text source with its selections and
** codings, and a case per partnership with variables cohort, kind,
** members and project_title. pseudonymise replaces authors' names by
** pseudonyms in source names and every member's display name in texts, and
** moves the selections so that they cover the same words of the new text.
** The store makes source rows (GUIDs) for documents not yet coded. */
struct qdpx_project;
int store_qdpx_export(struct store *st, const char *cohort, int pseudonymise,
                      struct qdpx_project *out, duet_err *e);
/* Imports p in one transaction: its codebook (reused when the same name and
** version is stored with the same codes; refused when it differs), its
** users as coders, its sources as imported texts, its selections and
** codings. Refuses GUIDs already in the database. Cases are not kept. */
int store_qdpx_import(struct store *st, const struct qdpx_project *p, duet_err *e);

/* ---- pseudonyms in exports (project.c) ----
** A member's pseudonym is the one researchers see: the partnership's code,
** L (lived experience) or S (system) and the member's number on that side
** in the order people were added ("P03-L1"). */
/* Every partnership member's pseudonym: an object mapping "CODE/person-key"
** to it; read it with store_pseudonym_of. */
json_t *store_pseudonym_map(struct store *st, duet_err *e);
/* The pseudonym of person in partnership code in map, or NULL. */
const char *store_pseudonym_of(const json_t *map, const char *code, const char *person);
/* store_coding_each with every member's full display name in a passage
** replaced by their pseudonym, as store_qdpx_export does in texts: the
** passage is cut from the document's replaced text, widened to take a
** whole pseudonym where the selection cuts a name. start and end stay
** positions in the stored text. Imported texts go as they are. */
int store_coding_each_pseudonymised(struct store *st, const char *cohort, store_coding_fn fn,
                                    void *ctx, duet_err *e);

/* ---- consent ---- */
int store_consent_give(struct store *st, const char *person, const char *purpose,
                       const char *version, duet_err *e);
/* Final: a purpose once withdrawn cannot be given again. Withdrawing
** "research" also erases the person's identifiable content (see docs). */
int store_consent_withdraw(struct store *st, const char *person, const char *purpose,
                           duet_err *e);
json_t *store_consent_list(struct store *st, const char *person, duet_err *e);

/* ---- accounts, sessions, tokens, cohort staff ----
** Signing in to the web application. The store keeps password hashes (the
** encoded strings app/auth.c makes) and SHA-256 digests of session and API
** tokens, never the tokens. Adding, disabling and enabling an account,
** creating and revoking a token and assigning staff are audited, never
** with a hash or a digest; sessions are not (they are not research data,
** and one is read on every web request). Session times are unix seconds. */
#define STORE_HASH_MAX 128           /* an encoded password hash and its NUL */
#define STORE_CSRF_MAX 48            /* a session's form token and its NUL */

/* An account and the person it belongs to. */
struct store_account {
    int64_t id;
    int64_t person_id;
    char person_key[72];
    char display_name[256];
    char role[16];                   /* participant, facilitator, researcher, admin */
    int disabled;                    /* disabled_at is set */
    char password_hash[STORE_HASH_MAX];   /* filled by store_account_get only */
};

/* Refuses an unknown person or role and a person who already has an
** account. The audit entry records the person id and role only. */
int store_account_add(struct store *st, const char *person, const char *role,
                      const char *password_hash, int64_t *id, duet_err *e);
/* Rows {person, display_name, role, created_at, disabled_at}, by person key;
** never hashes. */
json_t *store_account_list(struct store *st, duet_err *e);
/* The account of person, with its hash; DUET_ENOTFOUND when there is none. */
int store_account_get(struct store *st, const char *person, struct store_account *out,
                      duet_err *e);
/* Sets disabled_at (audited) and *id (may be NULL) to the account's id;
** refuses an account already disabled. Ending its sessions and revoking its
** tokens in the same transaction is the caller's job (store_begin). */
int store_account_disable(struct store *st, const char *person, int64_t *id, duet_err *e);
/* Clears disabled_at (audited) and sets *id (may be NULL); refuses an
** account that is not disabled. Sessions ended and tokens revoked when it
** was disabled stay so. */
int store_account_enable(struct store *st, const char *person, int64_t *id, duet_err *e);

struct store_session {
    struct store_account account;    /* password_hash left empty */
    char csrf[STORE_CSRF_MAX];
    int64_t created_at, last_seen;
    int ended;                       /* ended_at is set */
    int64_t ended_at;
};
int store_session_insert(struct store *st, const unsigned char token_hash[32],
                         int64_t account_id, const char *csrf, int64_t now, duet_err *e);
/* One read by primary key, joined with the account and person; DUET_ENOTFOUND
** for an unknown digest. Ended and expired sessions are returned as they
** are: judging them is the caller's. */
int store_session_get(struct store *st, const unsigned char token_hash[32],
                      struct store_session *out, duet_err *e);
/* Sets last_seen to now unless it is already later. */
int store_session_touch(struct store *st, const unsigned char token_hash[32], int64_t now,
                        duet_err *e);
/* Sets ended_at (of one session, or of every open session of an account);
** a session already ended, or unknown, is left alone. */
int store_session_end(struct store *st, const unsigned char token_hash[32], int64_t now,
                      duet_err *e);
int store_session_end_all(struct store *st, int64_t account_id, int64_t now, duet_err *e);
/* Deletes sessions that ended, were last seen before idle_before, or began
** before created_before: none of them can be resumed. */
int store_session_prune(struct store *st, int64_t idle_before, int64_t created_before,
                        duet_err *e);

#define STORE_TOKEN_DAYS_MAX 366     /* the longest an API token may last */

/* What store_token_insert made: the id and ISO 8601 times. */
struct store_token_made {
    int64_t id;
    char created_at[32];
    char expires_at[32];
};
/* label may be NULL; at most 200 bytes, one line. The token expires days
** (1..STORE_TOKEN_DAYS_MAX) after now; *out (may be NULL) says what was
** made. Audited as {account_id, label, expires_at}. */
int store_token_insert(struct store *st, const unsigned char token_hash[32], int64_t account_id,
                       const char *label, int days, struct store_token_made *out, duet_err *e);
/* The account an API token stands for (password_hash left empty) and the
** token's id (token_id may be NULL); DUET_ENOTFOUND when the digest is
** unknown, or the token revoked or past its expires_at. */
int store_token_get(struct store *st, const unsigned char token_hash[32],
                    struct store_account *out, int64_t *token_id, duet_err *e);
/* Sets last_used_at to now unless it was set less than a minute ago (not
** audited: a record of use, like a session's last_seen). */
int store_token_touch(struct store *st, int64_t token_id, duet_err *e);
/* Rows {id, person, label, created_at, expires_at, last_used_at, revoked_at,
** status} by id, of person's account (NULL: every account); status is
** "revoked", "expired" or "active". Never a token or a digest. Refuses an
** unknown person. */
json_t *store_token_list(struct store *st, const char *person, duet_err *e);
/* Revokes one token (audited: revoked_at); person (may be NULL) gets the
** key of its account's person. Refuses an unknown id and a token already
** revoked (an expired one may still be revoked). */
int store_token_revoke(struct store *st, int64_t id, char person[72], duet_err *e);
/* Revokes every API token of the account that is not revoked yet, each
** audited. */
int store_token_revoke_all(struct store *st, int64_t account_id, duet_err *e);

/* Assigns person (a facilitator) to run cohort. Refuses a person who is a
** member of a partnership in that cohort, and one already assigned. */
int store_cohort_staff_add(struct store *st, const char *cohort, const char *person,
                           duet_err *e);
/* Rows {person, display_name, organisation, role} (role: the person's account
** role, or null when they have no account), by person key. */
json_t *store_cohort_staff_list(struct store *st, const char *cohort, duet_err *e);
/* *yes = 1 when person_id is staff of cohort_id, else 0. */
int store_cohort_staff_is(struct store *st, int64_t cohort_id, int64_t person_id, int *yes,
                          duet_err *e);

/* (staff.c) The cohorts person_id is staff of, with store_cohort_list's
** columns {id, name, programme, starts_on, modules, partnerships}, by name. */
json_t *store_cohort_list_staffed(struct store *st, int64_t person_id, duet_err *e);
/* Every member of cohort's partnerships: rows {partnership, person,
** display_name, role, side}, ordered by partnership code, side
** (lived_experience first) and then the order people were added. */
json_t *store_cohort_member_list(struct store *st, const char *cohort, duet_err *e);

/* ---- audit ---- */
struct store_audit_report {
    int64_t entries;
    int64_t erased_payloads;
    int64_t redacted_actors;   /* entries whose actor a withdrawal replaced */
    int64_t first_bad;         /* seq of the first broken entry, 0 if none */
    char head[65];             /* hex hash of the last entry */
};
/* Recomputes the chain; returns 0 even when broken (see first_bad). */
int store_audit_verify(struct store *st, struct store_audit_report *r, duet_err *e);
json_t *store_audit_list(struct store *st, int64_t limit, duet_err *e);

/* ---- pages of long lists ----
** The lists the web answers in pages: the rows of the list named, in its
** order, from just after the last row of the page before (its key given)
** and at most limit rows (limit < 0: all of them; the unpaged list is this
** with no key and no limit). Asking for one row more than a page shows
** whether there is a next page. */
/* store_partnership_reflections (newest first) with id < before (before
** <= 0: from the newest). */
json_t *store_partnership_reflections_page(struct store *st, int64_t partnership_id,
                                           int64_t before, int64_t limit, duet_err *e);
/* store_observation_list (by module, then id) after (after_module,
** after_id); (0, 0): from the first. */
json_t *store_observation_page(struct store *st, const char *partnership, int after_module,
                               int64_t after_id, int64_t limit, duet_err *e);
/* store_account_list (by person key) after person key after (NULL: from the
** first). */
json_t *store_account_page(struct store *st, const char *after, int64_t limit, duet_err *e);
/* store_coding_documents skipping its first offset rows. The order of that
** list (by cohort, partnership, module, kind and id, imported texts first)
** has no single key, so this page is by position: a document shared while a
** client pages through may make it see one row twice or miss one. */
json_t *store_coding_documents_page(struct store *st, const char *cohort, const char *coder,
                                    int64_t offset, int64_t limit, duet_err *e);

/* ---- backups (backup.c) ----
** A backup is one self-contained database file: the database as it was at
** one moment, copied while others go on reading and writing it. A restore
** checks a backup completely before it changes anything. */
struct store_backup_report {
    int64_t pages;               /* pages copied */
    int64_t page_size;           /* bytes per page */
    int64_t bytes;               /* size of the file written */
    int64_t steps, retries;      /* copy steps, and steps retried while busy */
    int schema_version;
    int64_t audit_entries;       /* entries of the copy's audit chain, verified */
    int64_t audit_first_bad;     /* 0, or the first broken entry (copied as it was) */
    char audit_head[65];         /* hex hash of its last entry */
};
/* Writes a consistent copy of st's database to path with SQLite's online
** backup API, from one read transaction (writers on other connections go
** on; in the meantime the write-ahead log cannot be checkpointed past it).
** The copy goes to path.tmp (created mode 0600; refused when it exists),
** is synced and renamed to path; an existing path is refused (ECONFLICT)
** unless force, and the database itself always is. Then verifies the
** copy's audit chain into *r: a broken chain is reported there (the copy
** is kept, as evidence), not as a failure. Not inside a transaction. */
int store_backup(struct store *st, const char *path, int force, struct store_backup_report *r,
                 duet_err *e);

struct store_restore_report {
    int64_t pages, page_size;
    int64_t bytes;               /* of the backup file */
    int schema_version;
    int64_t audit_entries, erased_payloads;
    char audit_head[65];
    int replaced;                /* a database was at the target and was replaced */
};
/* Checks that file is a sound duet backup, on a private copy made in
** scratch_dir: an SQLite database with no write-ahead log beside it, that
** passes PRAGMA integrity_check and foreign_key_check, whose schema version
** is 1..this duet's, and whose audit chain is intact. DUET_EINPUT naming
** what failed. Changes nothing. */
int store_backup_check(const char *file, const char *scratch_dir,
                       struct store_restore_report *r, duet_err *e);
/* Puts the backup file in place of the database at db_path: copies it to a
** temporary file beside db_path, checks the copy as store_backup_check
** does, syncs it, then (when db_path exists, which needs force) takes an
** exclusive lock on db_path (DUET_ECONFLICT while another process, such as
** a running server, has it open), folds its write-ahead log in, removes
** the -wal, -shm and -journal files beside it and renames the copy over
** it. On any failure db_path is as it was. */
int store_restore(const char *file, const char *db_path, int force,
                  struct store_restore_report *r, duet_err *e);

#endif
