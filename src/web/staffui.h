/*
** staffui.h — pieces shared by the staff pages and their API (facilitator.c,
** researcher.c, admin.c, norms.c, coding.c, codes.c): addresses with names
** in them, forms with the NHS.UK error summary, reading JSON bodies, flags
** as tags, the cohorts a person may look at, and pseudonyms for people
** researchers must not see.
**
** Nothing here decides access: routes do (app/access.h). Everything written
** into HTML goes through html_printf's escaping.
*/
#ifndef DUET_WEB_STAFFUI_H
#define DUET_WEB_STAFFUI_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "web/web.h"

/* ---- addresses ---- */
/* Writes prefix, s percent-encoded as one path segment or query value
** (everything but A-Z a-z 0-9 - . _ ~), and suffix into out; truncates
** safely (out is always NUL-terminated). Returns out. */
const char *staffui_href(char *out, size_t n, const char *prefix, const char *s,
                         const char *suffix);

/* ---- failures ---- */
/* Writes a library failure as the client reads it: the status from
** web_status_for, the message (as a sentence on pages) for 4xx, a generic
** one for 5xx (details stay in the server's log, never in the response). */
void staffui_fail(struct web_req *rq, struct web_res *rs, int is_api, const duet_err *e);

/* ---- forms ---- */
#define STAFFUI_MAX_ERRORS 12

/* What was wrong with a submitted form, field by field (field is the id of
** the input the summary links to, a static string). */
struct staffui_errors {
    size_t n;
    struct {
        const char *field;
        char msg[DUET_ERR_MAX];
    } e[STAFFUI_MAX_ERRORS];
};

void staffui_error_add(struct staffui_errors *fe, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The message for field, or NULL. */
const char *staffui_error_for(const struct staffui_errors *fe, const char *field);
/* The NHS.UK error summary (nothing when there are no errors). */
void staffui_error_summary(duet_buf *b, const struct staffui_errors *fe);
/* 422 {"error": {"status", "message" (the first), "fields": [{field, message}]}}. */
void staffui_errors_json(struct web_res *rs, const struct staffui_errors *fe);

/* Opens <div class="nhsuk-form-group"> (with the error modifier when field
** has an error). */
void staffui_group_open(duet_buf *b, const struct staffui_errors *fe, const char *field);
/* A text input in its own form group: label, optional hint, the error
** message, and value kept as typed. attrs is markup and so, like html_raw's,
** a string literal only (e.g. "maxlength=\"200\""; anything else does not
** compile), width a class such as "nhsuk-input--width-10" or "". */
#define staffui_input(b, fe, id, label, hint, value, type, attrs, width) \
    staffui_input_((b), (fe), (id), (label), (hint), (value), (type), "" attrs "", (width))
void staffui_input_(duet_buf *b, const struct staffui_errors *fe, const char *id,
                    const char *label, const char *hint, const char *value, const char *type,
                    const char *attrs, const char *width);
/* A textarea in its own form group. */
void staffui_textarea(duet_buf *b, const struct staffui_errors *fe, const char *id,
                      const char *label, const char *hint, const char *value, int maxlength);
/* The hint and error ids an input is described by ("" when none), into out. */
const char *staffui_describedby(char *out, size_t n, const struct staffui_errors *fe,
                                const char *id, int has_hint);
/* The error message of field inside a form group (nothing when none). */
void staffui_error_message(duet_buf *b, const struct staffui_errors *fe, const char *field);

/* Whether s is a whole decimal integer within min..max (into *out). */
int staffui_int(const char *s, long min, long max, long *out);
/* Whether s is a real calendar date written YYYY-MM-DD. */
int staffui_date_ok(const char *s);
/* Whether s is a key: 1..64 of A-Z a-z 0-9 . _ -, starting with a letter or
** digit (as the store requires of person keys and partnership codes). */
int staffui_key_ok(const char *s);
/* Whether s is valid UTF-8 of at most max bytes without control characters
** (newline, carriage return and tab allowed when multiline). */
int staffui_text_ok(const char *s, size_t max, int multiline);

/* ---- JSON ---- */
/* A field of o as a string ("" when absent or not a string). */
const char *staffui_str(const json_t *o, const char *key);
/* The API request body as a JSON object, or NULL after writing a 400/422
** response that says what is wrong. */
json_t *staffui_body(const struct web_req *rq, struct web_res *rs);
/* A number of o, NaN when absent, null or not a number. */
double staffui_num(const json_t *o, const char *key);

/* ---- flags ---- */
/* The four relationship flags in the order they are shown. */
extern const char *const staffui_flags[4];
/* What a person reads for a flag ("Tokenism signal") and its tag class. */
const char *staffui_flag_text(const char *flag);
const char *staffui_flag_class(const char *flag);

/* ---- cohorts and people ---- */
/* The cohorts who may look at: a facilitator's own, every cohort for
** others (routes admit only facilitators and researchers). */
json_t *staffui_cohorts(struct web_req *rq, duet_err *e);

/* The pseudonyms of every member of cohort's partnerships: partnership
** code, side letter (L lived experience, S system) and the member's number
** on that side in the order people were added, e.g. "P03-L1", "P03-S2".
** A person in two partnerships has a pseudonym in each. The map is only
** for staffui_pseudonymise (its keys are internal). */
json_t *staffui_pseudonyms(struct store *st, const char *cohort, duet_err *e);
/* Replaces every "person" string in v (recursively) by its pseudonym in the
** partnership it appears under (the nearest enclosing object's
** "partnership"), or by "unknown" when it has none, and drops names,
** organisations, contact details and observers, so nothing identifying
** leaves for someone who must not see identities. */
void staffui_pseudonymise(json_t *v, const json_t *map);

/* Checks the ?cohort= of a research request: returns its name, or NULL after
** writing a 400/404 page or JSON error. */
const char *staffui_cohort_param(struct web_req *rq, struct web_res *rs, int is_api);

#endif
