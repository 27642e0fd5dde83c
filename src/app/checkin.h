/*
** checkin.h — one person filling in one check-in: the answers a form or an
** API client sends, checked against the instrument, saved as a draft or
** submitted through the same ingest as the CSV import (app/ingest.h).
**
** Answers travel as a JSON object {"item": value}. On the way in a value may
** be what a form sends (always a string) or what an API client sends
** (scale and ladder: a whole number or a string of one; text: a string;
** list: an array of strings or one string with an entry per line). Empty
** strings, empty arrays and null mean "not answered". checkin_normalise
** turns them into the canonical form that is stored in drafts and returned
** by the API: scale and ladder answers as integers, text as a string with
** LF line breaks, lists as arrays of non-empty strings.
**
** Which items must be answered: scale and ladder items (the scores need
** them); text and list items are optional.
*/
#ifndef DUET_APP_CHECKIN_H
#define DUET_APP_CHECKIN_H

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

struct store;
struct instrument;
struct instrument_item;

/* The instrument web check-ins use: the latest stored version of it. */
#define CHECKIN_INSTRUMENT "partnership-checkin"

/* The latest stored version of CHECKIN_INSTRUMENT, parsed; NULL with
** DUET_ENOTFOUND when it is not stored. It belongs to st (see
** store_instrument_current): do not free it. */
const struct instrument *checkin_instrument(struct store *st, duet_err *e);

/* 1 when the item must be answered before a check-in can be submitted. */
int checkin_item_required(const struct instrument_item *it);

/* Checks answers against ins and sets *out to a new object holding the
** canonical value of every answered item (in instrument order). Adds one
** message per problem to errors (an object: item name -> message written
** for the participant, e.g. "Select an answer to question 3"): an item the
** instrument does not have, a value of the wrong type or out of bounds,
** and, when complete is 1, a required item left unanswered. Returns the
** number of problems, or -1 when answers is not an object or memory runs
** out (*out is then NULL). */
int checkin_normalise(const struct instrument *ins, json_t *answers, int complete,
                      json_t **out, json_t *errors);

/* The answer as one line of the responses CSV would give it ("5", the text,
** or a list's entries joined by LF), written into b; 0, or -1 when the
** value is not canonical. */
int checkin_value_text(const json_t *canonical, duet_buf *b);

/* Submits person's check-in for partnership at module: checkin_normalise
** (complete) — problems fail with DUET_EINPUT and are added to errors —
** then, in one transaction, the ingest writes every answer (all or nothing)
** and the person's draft for the module is deleted. Fails with
** DUET_ECONFLICT when the check-in already exists (whatever the answers),
** DUET_EINPUT when nothing was answered. *stored (may be NULL) receives the
** canonical answers. */
int checkin_submit(struct store *st, const struct instrument *ins, const char *partnership,
                   int module, const char *person, json_t *answers, json_t *errors,
                   json_t **stored, duet_err *e);

/* Saves answers (checkin_normalise, not complete: unanswered items are
** fine, wrong values are not) as person's draft for partnership at module,
** replacing any earlier draft. DUET_ECONFLICT when the check-in was
** already submitted. *stored (may be NULL) receives the canonical answers. */
int checkin_save_draft(struct store *st, const struct instrument *ins, const char *partnership,
                       int module, const char *person, json_t *answers, json_t *errors,
                       json_t **stored, duet_err *e);

#endif
