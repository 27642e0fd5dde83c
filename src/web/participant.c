/*
** participant.c — the participant's pages and API: their partnerships, one
** partnership (project, partners, modules and how it is going), the
** check-in form and reflections; one's own consent, and withdrawing it.
**
** Every page and its API route share one function that builds the data
** (a json_t): the page renders exactly what the API returns. Access is the
** route table's business (app/access); what a handler decides itself is
** only what the access rules leave to it: which reflections a reader may
** see (access_reflection_visible, applied in reflections_data so no
** response can include another person's private reflection) and whether
** names are shown (access_sees_identities). Many participants are not
** technical and some use screen readers or phones: plain English, one
** question per fieldset, big targets, errors that say what to do.
*/
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/relationships.h"
#include "app/checkin.h"
#include "core/utf8.h"
#include "io/instrument.h"
#include "store/store.h"
#include "web/cache.h"
#include "web/html.h"
#include "web/norms.h"
#include "web/paging.h"
#include "web/web.h"

#define MODULE_MAX 1000              /* module numbers, as the store allows */
#define REFLECTION_MAX_CHARS 5000    /* always within the store's 20 000 bytes */

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

/* A module number from a path or form: 1..MODULE_MAX in plain digits. */
static int parse_module(const char *s, int *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 4)
        return -1;
    int v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > MODULE_MAX)
        return -1;
    *out = v;
    return 0;
}

/* "2026-03-01" or "2026-03-01T09:00:00Z" as "1 March 2026" ("" if not a date). */
static void fmt_date(const char *iso, char out[32])
{
    static const char *const months[] = {"January", "February", "March", "April", "May",
                                         "June", "July", "August", "September", "October",
                                         "November", "December"};
    int y, m, d;
    out[0] = '\0';
    if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 && d >= 1 &&
        d <= 31)
        snprintf(out, 32, "%d %s %d", d, months[m - 1], y);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int is_participant(const struct web_req *rq)
{
    return rq->who && rq->who->role == AUTH_PARTICIPANT;
}

static const char *side_label(const char *side)
{
    return strcmp(side, "lived_experience") == 0 ? "Lived-experience side" : "System side";
}

/* A JSON error with per-field messages: {"error": {status, message, fields}}. */
static void json_fields_error(struct web_res *rs, int status, const char *msg, json_t *fields)
{
    web_json(rs, status, json_pack("{s:{s:i, s:s, s:O}}", "error", "status", status, "message",
                                   msg, "fields", fields));
}

/* An error page for a failed data function. */
static void fail_page(struct web_req *rq, struct web_res *rs, const duet_err *e)
{
    int status = web_status_for(e);
    page_error(rq, rs, status, status == 404 ? "We could not find that page. Check the "
                                               "address, or go back to your partnerships."
                               : status >= 500 ? "Something went wrong on our side. Please "
                                                 "try again later."
                                               : e->msg);
}

static void fail_json(struct web_res *rs, const duet_err *e)
{
    int status = web_status_for(e);
    web_json_error(rs, status, "%s", status >= 500 ? "something went wrong on our side" : e->msg);
}

/* The body of an API POST as a JSON object (NULL with a 400 already set). */
static json_t *json_body(struct web_req *rq, struct web_res *rs)
{
    json_error_t jerr;
    json_t *v = rq->body && rq->body_len
                    ? json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (v == NULL) {
        web_json_error(rs, 400, "the body must be a JSON object%s%s", rq->body_len ? ": " : "",
                       rq->body_len ? jerr.text : "");
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        web_json_error(rs, 400, "the body must be a JSON object");
        return NULL;
    }
    return v;
}

/* Refuses keys of obj other than those listed (NULL-terminated). */
static int only_keys(json_t *obj, const char *const *allowed, json_t *fields)
{
    const char *key;
    json_t *v;
    int bad = 0;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, key) == 0;
        if (!ok) {
            json_object_set_new(fields, key, json_string("unknown field"));
            bad++;
        }
    }
    return bad;
}

/* ---- NHS.UK pieces ---- */

static void success_banner(struct web_res *rs, const char *heading, const char *text)
{
    html_printf(&rs->body,
        "<div class=\"nhsuk-notification-banner nhsuk-notification-banner--success\" "
        "role=\"alert\" aria-labelledby=\"banner-title\" data-module=\"nhsuk-notification-banner\">\n"
        "<div class=\"nhsuk-notification-banner__header\">\n"
        "<h2 class=\"nhsuk-notification-banner__title\" id=\"banner-title\">Success</h2>\n</div>\n"
        "<div class=\"nhsuk-notification-banner__content\">\n"
        "<p class=\"nhsuk-notification-banner__heading\">%s</p>\n<p>%s</p>\n</div>\n</div>\n",
        heading, text);
}

/* Opens the error summary; description (may be NULL) comes before the list. */
static void error_summary_begin(struct web_res *rs, const char *description)
{
    html_printf(&rs->body,
        "<div class=\"nhsuk-error-summary\" data-module=\"nhsuk-error-summary\">\n"
        "<div role=\"alert\">\n<h2 class=\"nhsuk-error-summary__heading\">There is a "
        "problem</h2>\n<div class=\"nhsuk-error-summary__body\">\n");
    if (description)
        html_printf(&rs->body, "<p>%s</p>\n", description);
    html_printf(&rs->body, "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n");
}

static void error_summary_item(struct web_res *rs, const char *id, const char *msg)
{
    if (id)
        html_printf(&rs->body, "<li><a href=\"#%s\">%s</a></li>\n", id, msg);
    else
        html_printf(&rs->body, "<li>%s</li>\n", msg);
}

static void error_summary_end(struct web_res *rs)
{
    html_printf(&rs->body, "</ul>\n</div>\n</div>\n</div>\n");
}

static void error_message(struct web_res *rs, const char *id, const char *msg)
{
    html_printf(&rs->body,
        "<span class=\"nhsuk-error-message\" id=\"%s-error\"><span "
        "class=\"nhsuk-u-visually-hidden\">Error: </span>%s</span>\n", id, msg);
}

/* Text with its line breaks kept: one line per <br>. */
static void text_lines(duet_buf *b, const char *s)
{
    for (const char *p = s;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        while (n > 0) {   /* html_text needs a C string: copy in pieces */
            size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
            memcpy(line, p, k);
            line[k] = '\0';
            html_text(b, line);
            p += k;
            n -= k;
        }
        if (nl == NULL)
            break;
        buf_puts(b, "<br>\n");
        p = nl + 1;
    }
}

/* A responsive table cell with its column name for narrow screens. */
static void cell_head(duet_buf *b, const char *heading)
{
    html_printf(b, "<td role=\"cell\" class=\"nhsuk-table__cell\"><span "
                   "class=\"nhsuk-table__heading\" aria-hidden=\"true\">%s </span>",
                heading);
}

static void table_begin(duet_buf *b, const char *caption, const char *const *cols)
{
    html_printf(b, "<table class=\"nhsuk-table nhsuk-table--responsive\" role=\"table\">\n"
                   "<caption class=\"nhsuk-table__caption nhsuk-table__caption--s\">%s</caption>\n"
                   "<thead role=\"rowgroup\" class=\"nhsuk-table__head\"><tr role=\"row\" "
                   "class=\"nhsuk-table__row\">", caption);
    for (const char *const *c = cols; *c; c++)
        html_printf(b, "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">"
                       "%s</th>", *c);
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
}

/* ------------------------------------------------------------------ */
/* data: what the pages show and the API returns                       */

/* The partnerships the caller is a member of. */
static json_t *partnerships_data(struct web_req *rq, duet_err *e)
{
    json_t *rows = store_person_partnerships(rq->st, rq->who->person_id, e);
    size_t i, j;
    json_t *p, *m;
    json_array_foreach(rows, i, p)
        json_array_foreach(json_object_get(p, "members"), j, m)
            json_object_set_new(m, "you", json_boolean(strcmp(str(m, "person"),
                                                              rq->who->person_key) == 0));
    return rows;
}

/* Members as the reader may see them: everything for roles that see
** identities; for the others only the side and the pseudonym researchers
** see everywhere (code, side letter, number on that side in the order
** people were added: "P03-L1"; members come in that order). */
static void members_for(struct web_req *rq, const char *code, json_t *members)
{
    size_t i;
    json_t *m;
    int names = access_sees_identities(rq->who), nlived = 0, nsystem = 0;
    json_array_foreach(members, i, m) {
        if (names) {
            json_object_set_new(m, "you", json_boolean(strcmp(str(m, "person"),
                                                              rq->who->person_key) == 0));
            continue;
        }
        int lived = strcmp(str(m, "side"), "lived_experience") == 0;
        char pseudonym[96];
        snprintf(pseudonym, sizeof pseudonym, "%s-%c%d", code, lived ? 'L' : 'S',
                 lived ? ++nlived : ++nsystem);
        json_array_set_new(members, i, json_pack("{s:s, s:s, s:s}", "person", pseudonym, "side",
                                                 str(m, "side"), "label",
                                                 lived ? "lived-experience partner"
                                                       : "system partner"));
    }
}

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* Each side's quality, voice and balance of power at each module, from the
** partnership's own answers (researchers: only people whose research
** consent is in force). */
static json_t *trajectory_compute(struct web_req *rq, const char *code, const char *purpose,
                                  duet_err *e)
{
    struct rel_data d;
    if (rel_load_partnership(rq->st, code, purpose, &d, e) != 0)
        return NULL;
    int cv = rel_construct(&d, "voice"), cp = rel_construct(&d, "power");
    json_t *points = json_array();
    for (size_t k = 0; k < d.nparts; k++) {
        const struct rel_partnership *p = &d.parts[k];
        for (size_t t = 0; t < p->nmodules; t++) {
            for (int lived = 1; lived >= 0; lived--) {
                double q = rel_side(p, t, lived, -1);
                double v = cv >= 0 ? rel_side(p, t, lived, cv) : NAN;
                double w = cp >= 0 ? rel_side(p, t, lived, cp) : NAN;
                if (!isfinite(q) && !isfinite(v) && !isfinite(w))
                    continue;   /* nobody on this side answered */
                json_array_append_new(points, json_pack(
                    "{s:i, s:s, s:o, s:o, s:o}", "module", p->module[t], "side",
                    lived ? "lived_experience" : "system", "quality", jnum(q), "voice", jnum(v),
                    "power", jnum(w)));
            }
        }
    }
    int lo = cv >= 0 ? d.cmin[cv] : 1, hi = cv >= 0 ? d.cmax[cv] : 7;
    double mid = cp >= 0 ? (d.cmin[cp] + d.cmax[cp]) / 2.0 : 4;
    rel_free(&d);
    return json_pack("{s:i, s:i, s:f, s:o}", "scale_min", lo, "scale_max", hi,
                     "power_balanced_at", mid, "points", points);
}

static void trajectory_section(struct web_res *rs, json_t *traj);

/* The trajectory and its page section, {"data": ..., "html": "..."}, from
** the web's cache (cache.h) when the data have not changed since they were last
** made: scoring reads every numeric answer of the partnership and drawing
** writes three chart specs and a table (together about half a
** millisecond), and the partnership page, the most visited, needs them on
** every request. They are made together so that the page's section is
** always the API's data. Read-only: the value may be shared. */
static json_t *trajectory_cached(struct web_req *rq, const char *code, duet_err *e)
{
    const char *purpose = rq->who->role == AUTH_RESEARCHER ? "research" : NULL;
    char key[WEB_CACHE_KEY];
    snprintf(key, sizeof key, "participant/trajectory\n%s\n%s", purpose ? purpose : "all",
             code);
    json_t *m = web_cache_get(rq->cache, rq->st, key);
    if (m)
        return m;
    json_t *traj = trajectory_compute(rq, code, purpose, e);
    if (traj == NULL)
        return NULL;
    struct web_res tmp;   /* the section is written as into a response */
    memset(&tmp, 0, sizeof tmp);
    buf_init(&tmp.body, WEB_PAGE_MAX);
    trajectory_section(&tmp, traj);
    m = json_pack("{s:o, s:s%}", "data", traj, "html", tmp.body.data ? tmp.body.data : "",
                  tmp.body.len);
    buf_free(&tmp.body);
    if (m == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    web_cache_put(rq->cache, rq->st, key, m);
    return m;
}

/* One partnership: project, members, modules (with the caller's check-in
** status when a participant) and the trajectory; *html (may be NULL)
** receives the page's trajectory section (a JSON string). */
static json_t *partnership_data(struct web_req *rq, const char *code, json_t **html,
                                duet_err *e)
{
    int mine = is_participant(rq);
    json_t *ov = store_partnership_overview(rq->st, code, mine ? rq->who->person_id : 0, e);
    if (ov == NULL)
        return NULL;
    json_t *memo = trajectory_cached(rq, code, e);
    if (memo == NULL) {
        json_decref(ov);
        return NULL;
    }
    json_t *traj = json_incref(json_object_get(memo, "data"));
    if (html)
        *html = json_incref(json_object_get(memo, "html"));
    json_decref(memo);
    members_for(rq, code, json_object_get(ov, "members"));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ov, "modules"), i, m) {
        if (!mine) {
            json_object_del(m, "my_checkin");
            json_object_del(m, "draft_saved_at");
        }
    }
    json_t *out = json_pack("{s:s, s:O, s:O, s:{s:O, s:O}, s:O, s:O, s:o}",
                            "partnership", code, "cohort", json_object_get(ov, "cohort"),
                            "kind", json_object_get(ov, "kind"), "project", "title",
                            json_object_get(ov, "project_title"), "aim",
                            json_object_get(ov, "project_aim"), "members",
                            json_object_get(ov, "members"), "modules",
                            json_object_get(ov, "modules"), "trajectory", traj);
    json_decref(ov);
    if (out == NULL)
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    return out;
}

/* The instrument's items as the form asks them. */
static json_t *items_data(const struct instrument *ins)
{
    json_t *items = json_array();
    for (size_t k = 0; k < ins->nitems; k++) {
        const struct instrument_item *it = &ins->items[k];
        json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:b}", "name", it->name, "number",
                              (int)k + 1, "type", instrument_item_type_name(it->type), "text",
                              it->text, "required", checkin_item_required(it));
        if (it->type == ITEM_SCALE || it->type == ITEM_LADDER) {
            json_t *labels = it->labels_json ? json_loads(it->labels_json, 0, NULL) : NULL;
            json_object_set_new(o, "min", json_integer(it->min));
            json_object_set_new(o, "max", json_integer(it->max));
            json_object_set_new(o, "labels", labels ? labels : json_object());
        } else if (it->type == ITEM_TEXT) {
            json_object_set_new(o, "max_length", json_integer(it->max_length));
        } else {
            json_object_set_new(o, "max_entries", json_integer(it->max_entries));
            json_object_set_new(o, "max_entry_length", json_integer(INSTRUMENT_ENTRY_MAX));
        }
        json_array_append_new(items, o);
    }
    return items;
}

/* The module's row of the overview, or NULL. */
static json_t *module_row(json_t *ov, int n)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ov, "modules"), i, m)
        if (json_integer_value(json_object_get(m, "module")) == n)
            return m;
    return NULL;
}

/* Gives a stored check-in's answers in the canonical form (lists as
** arrays), as drafts and the API's input have them. */
static void canonical_answers(const struct instrument *ins, json_t *checkin)
{
    json_t *errors = json_object(), *canon = NULL;
    if (checkin_normalise(ins, json_object_get(checkin, "answers"), 0, &canon, errors) == 0)
        json_object_set(checkin, "answers", canon);
    json_decref(canon);
    json_decref(errors);
}

/* The caller's check-in for module n: the questions, its status, the
** draft or the submitted answers. */
static json_t *checkin_data(struct web_req *rq, const char *code, int n,
                            const struct instrument *ins, duet_err *e)
{
    json_t *ov = store_partnership_overview(rq->st, code, rq->who->person_id, e);
    if (ov == NULL)
        return NULL;
    json_t *m = module_row(ov, n), *draft = json_null(), *done = json_null();
    int64_t tid, cid, mid;
    int rc = m ? 0 : duet_errf(e, DUET_ENOTFOUND, "module %d does not exist in the cohort of "
                               "partnership '%s'", n, code);
    if (rc == 0)
        rc = store_partnership_id(rq->st, code, &tid, &cid, e) != 0 ||
             store_module_id(rq->st, cid, n, &mid, e) != 0 ? -1 : 0;
    const char *status = m ? str(m, "my_checkin") : "";
    if (rc == 0 && strcmp(status, "draft") == 0) {
        json_t *answers;
        char at[32];
        rc = store_draft_get(rq->st, rq->who->person_id, tid, mid, &answers, at, e);
        if (rc == 0 && answers)
            draft = json_pack("{s:o, s:s}", "answers", answers, "saved_at", at);
    } else if (rc == 0 && strcmp(status, "done") == 0) {
        json_decref(done);
        done = store_checkin_get(rq->st, rq->who->person_id, tid, mid, e);
        rc = done ? 0 : -1;
        canonical_answers(ins, done);
    }
    json_t *out = NULL;
    if (rc == 0)
        out = json_pack("{s:s, s:O, s:{s:i, s:O, s:O}, s:s, s:{s:s, s:i, s:s, s:s?}, s:o, s:O, "
                        "s:O}", "partnership", code, "project_title",
                        json_object_get(ov, "project_title"), "module", "module", n, "held_on",
                        json_object_get(m, "held_on"), "theme", json_object_get(m, "theme"),
                        "status", status, "instrument", "name", ins->name, "version",
                        ins->version, "title", ins->title, "description", ins->description,
                        "items", items_data(ins), "draft", draft, "checkin", done);
    json_decref(draft);
    json_decref(done);
    json_decref(ov);
    if (rc == 0 && out == NULL)
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    return out;
}

/* Whether the caller is a member of the partnership (for reflections). */
static int caller_is_member(struct web_req *rq, int64_t tid, int *member, duet_err *e)
{
    const char *side;
    duet_err tmp;
    *member = 0;
    if (rq->who->role != AUTH_PARTICIPANT)
        return 0;
    if (store_member_side(rq->st, tid, rq->who->person_id, &side, &tmp) == 0) {
        *member = 1;
        return 0;
    }
    if (tmp.code == DUET_ENOTFOUND)
        return 0;
    *e = tmp;
    return -1;
}

/* One page of the partnership's reflections the caller may read, newest
** first: {partnership, reflections, next}. Private reflections of others
** are dropped here, before anything is rendered or returned, so the page
** and the API cannot disagree. The cursor is the id of the last reflection
** of the page before; the store is read in chunks of limit + 1 from there
** until a page and one more readable row are found or the list ends, so no
** more than that is held at once however many rows the caller may not read. */
static json_t *reflections_data(struct web_req *rq, const char *code,
                                const struct web_paging *pg, duet_err *e)
{
    int64_t tid, cid, before;
    int member;
    if (web_paging_ints(pg, 1, &before, e) != 0)
        return NULL;   /* the callers read pg with reflections_paging: cannot happen */
    if (store_partnership_id(rq->st, code, &tid, &cid, e) != 0 ||
        caller_is_member(rq, tid, &member, e) != 0)
        return NULL;
    json_t *out = json_array();
    int names = access_sees_identities(rq->who), more = 0;
    int64_t last = 0;
    while (!more) {
        json_t *rows = store_partnership_reflections_page(rq->st, tid, before, pg->limit + 1, e);
        if (rows == NULL) {
            json_decref(out);
            return NULL;
        }
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r) {
            int64_t author = json_integer_value(json_object_get(r, "author_id"));
            before = json_integer_value(json_object_get(r, "id"));
            if (!access_reflection_visible(rq->who, author, str(r, "visibility"), member))
                continue;
            if ((int64_t)json_array_size(out) == pg->limit) {
                more = 1;
                break;
            }
            last = before;
            int you = author == rq->who->person_id;
            json_t *who = json_pack("{s:s, s:b}", "person", str(r, "person"), "you", you);
            if (names)
                json_object_set(who, "display_name", json_object_get(r, "display_name"));
            json_array_append_new(out, json_pack("{s:O, s:o, s:O, s:O, s:O, s:O}", "id",
                                                 json_object_get(r, "id"), "author", who,
                                                 "module", json_object_get(r, "module"),
                                                 "visibility", json_object_get(r, "visibility"),
                                                 "text", json_object_get(r, "text"),
                                                 "created_at", json_object_get(r, "created_at")));
        }
        int end = (int64_t)json_array_size(rows) < pg->limit + 1;
        json_decref(rows);
        if (end)
            break;
    }
    char next[32];
    snprintf(next, sizeof next, "%lld", (long long)last);
    return json_pack("{s:s, s:o, s:o}", "partnership", code, "reflections", out, "next",
                     web_paging_next(rq, pg, more ? next : NULL));
}

/* ------------------------------------------------------------------ */
/* home: your partnerships                                             */

static void partnership_card(struct web_res *rs, json_t *p)
{
    duet_buf *b = &rs->body;
    const char *code = str(p, "code"), *title = str(p, "project_title");
    html_printf(b, "<div class=\"nhsuk-card\">\n<div class=\"nhsuk-card__content\">\n"
                   "<h2 class=\"nhsuk-card__heading nhsuk-heading-m\">"
                   "<a class=\"nhsuk-card__link\" href=\"/partnerships/%s\">", code);
    if (*title)
        html_printf(b, "%s", title);
    else
        html_printf(b, "Partnership %s", code);
    html_printf(b, "</a></h2>\n<dl class=\"nhsuk-summary-list\">\n");
    html_printf(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Partnership</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n"
                   "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Cohort</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n"
                   "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Partners</dt><dd class=\"nhsuk-summary-list__value\"><ul class=\"nhsuk-list\">",
                code, str(p, "cohort"));
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "members"), i, m)
        html_printf(b, "<li>%s%s – %s</li>", str(m, "display_name"),
                    json_is_true(json_object_get(m, "you")) ? " (you)" : "", str(m, "role_label"));
    json_int_t done = json_integer_value(json_object_get(p, "checkins_done"));
    json_int_t all = json_integer_value(json_object_get(p, "modules"));
    html_printf(b, "</ul></dd></div>\n"
                   "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Your check-ins</dt><dd class=\"nhsuk-summary-list__value\">%" PRId64 " of %" PRId64 " "
                   "modules done</dd></div>\n</dl>\n</div>\n</div>\n",
                (int64_t)done, (int64_t)all);
}

void home_participant(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *rows = partnerships_data(rq, &e);
    if (rows == NULL) {
        fail_page(rq, rs, &e);
        return;
    }
    page_begin(rq, rs, "Your partnerships");
    html_printf(&rs->body, "<h1>Your partnerships</h1>\n");
    if (json_array_size(rows) == 0)
        html_printf(&rs->body, "<p>You are not part of a partnership yet. Your programme team "
                               "will add you to one.</p>\n");
    else
        html_printf(&rs->body, "<p>Choose a partnership to see your project, fill in a "
                               "check-in after a module, or write a reflection.</p>\n");
    size_t i;
    json_t *p;
    json_array_foreach(rows, i, p)
        partnership_card(rs, p);
    json_decref(rows);
    html_printf(&rs->body, "<h2>Your consent</h2>\n<p><a href=\"/consent\">See what you agreed "
                           "to, or withdraw</a>: research, quoting your words and contact about "
                           "research.</p>\n");
    page_end(rq, rs);
}

static void api_partnerships(struct web_req *rq, struct web_res *rs)
{
    /* The route admits everyone signed in (access decides, not this
    ** handler); only participants are members of partnerships, so staff
    ** get an empty list and use the cohort endpoints instead. */
    duet_err e;
    json_t *rows = is_participant(rq) ? partnerships_data(rq, &e) : json_array();
    if (rows == NULL)
        fail_json(rs, &e);
    else
        web_json(rs, 200, json_pack("{s:o}", "partnerships", rows));
}

/* ------------------------------------------------------------------ */
/* one partnership                                                     */

static void members_section(struct web_res *rs, json_t *d)
{
    duet_buf *b = &rs->body;
    html_printf(b, "<h2>Partners</h2>\n<ul class=\"nhsuk-list nhsuk-list--bullet\">\n");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(d, "members"), i, m) {
        if (json_object_get(m, "label"))   /* identities hidden */
            html_printf(b, "<li>%s – a %s</li>\n", str(m, "person"), str(m, "label"));
        else
            html_printf(b, "<li>%s%s – %s (%s)</li>\n", str(m, "display_name"),
                        json_is_true(json_object_get(m, "you")) ? " (you)" : "",
                        str(m, "role_label"),
                        strcmp(str(m, "side"), "lived_experience") == 0 ? "lived-experience side"
                                                                        : "system side");
    }
    html_printf(b, "</ul>\n");
}

static void checkin_status_cell(duet_buf *b, const char *code, json_t *m)
{
    const char *st = str(m, "my_checkin");
    int n = (int)json_integer_value(json_object_get(m, "module"));
    cell_head(b, "Your check-in");
    if (strcmp(st, "done") == 0) {
        html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--green\">Done</strong>");
    } else {
        int draft = strcmp(st, "draft") == 0;
        html_printf(b, "<strong class=\"nhsuk-tag %s\">%s</strong><br>\n"
                       "<a href=\"/partnerships/%s/modules/%d/checkin\">%s your check-in for "
                       "module %d</a>",
                    draft ? "nhsuk-tag--yellow" : "nhsuk-tag--grey",
                    draft ? "Draft saved" : "Not started", code, n,
                    draft ? "Continue" : "Complete", n);
    }
    html_printf(b, "</td>");
}

static void modules_section(struct web_req *rq, struct web_res *rs, json_t *d)
{
    duet_buf *b = &rs->body;
    json_t *mods = json_object_get(d, "modules");
    int mine = is_participant(rq);
    html_printf(b, "<h2>Modules%s</h2>\n", mine ? " and your check-ins" : "");
    if (json_array_size(mods) == 0) {
        html_printf(b, "<p>No modules have been planned yet.</p>\n");
        return;
    }
    if (mine)
        html_printf(b, "<p>After each module, fill in a short check-in about how the "
                       "partnership worked for you. It takes about 10 minutes.</p>\n");
    static const char *const cols_mine[] = {"Module", "Date", "Theme", "Your check-in", NULL};
    table_begin(b, mine ? "Your check-in for each module" : "Dates and themes",
                mine ? cols_mine : (const char *const[]){"Module", "Date", "Theme", NULL});
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m) {
        char date[32];
        fmt_date(str(m, "held_on"), date);
        html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\">");
        cell_head(b, "Module");
        html_printf(b, "%" PRId64 "</td>", (int64_t)json_integer_value(json_object_get(m, "module")));
        cell_head(b, "Date");
        html_printf(b, "%s</td>", *date ? date : "Not set");
        cell_head(b, "Theme");
        html_printf(b, "%s</td>", *str(m, "theme") ? str(m, "theme") : "–");
        if (mine)
            checkin_status_cell(b, str(d, "partnership"), m);
        html_printf(b, "</tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
}

/* One measure's chart without its data: a line per side (colour and dash,
** so colour is not the only cue), as wide as its grid cell. */
static const char TRAJECTORY_SPEC[] =
    "{\"data\": {}, \"width\": \"container\", \"height\": 160,"
    " \"mark\": {\"type\": \"line\", \"point\": true},"
    " \"encoding\": {"
    "   \"x\": {\"field\": \"module\", \"type\": \"ordinal\", \"title\": \"Module\","
    "         \"axis\": {\"labelAngle\": 0}},"
    "   \"y\": {\"field\": \"score\", \"type\": \"quantitative\", \"title\": \"Score\"},"
    "   \"color\": {\"field\": \"side\", \"type\": \"nominal\", \"title\": \"Side\","
    "             \"legend\": {\"orient\": \"bottom\", \"direction\": \"vertical\"}},"
    "   \"strokeDash\": {\"field\": \"side\", \"type\": \"nominal\", \"title\": \"Side\","
    "                  \"legend\": {\"orient\": \"bottom\", \"direction\": \"vertical\"}}}}";

/* The measures of the trajectory: key in the data, name on the page. */
static const char *const measure_keys[] = {"quality", "voice", "power"};
static const char *const measure_names[] = {"Quality", "Voice", "Balance of power"};

/* The Vega-Lite spec of one measure's chart, with the partnership's scores. */
static char *trajectory_spec(json_t *traj, int k)
{
    json_t *values = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(traj, "points"), i, p) {
        json_t *v = json_object_get(p, measure_keys[k]);
        if (json_is_number(v))
            json_array_append_new(values, json_pack("{s:O, s:s, s:O}", "module",
                                                    json_object_get(p, "module"), "side",
                                                    side_label(str(p, "side")), "score", v));
    }
    json_t *spec = json_loads(TRAJECTORY_SPEC, 0, NULL);
    char description[160];
    snprintf(description, sizeof description, "%s by module, for each side",
             measure_names[k]);
    json_object_set_new(spec, "description", json_string(description));
    json_object_set_new(json_object_get(spec, "data"), "values", values);
    json_object_set_new(json_object_get(json_object_get(spec, "encoding"), "y"), "scale",
                        json_pack("{s:[OO]}", "domain", json_object_get(traj, "scale_min"),
                                  json_object_get(traj, "scale_max")));
    char *s = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(spec);
    return s;
}

/* The three charts as small multiples (one column on a phone). */
static void trajectory_charts(struct web_res *rs, json_t *traj)
{
    html_printf(&rs->body, "<ul class=\"duet-chart-grid\">\n");
    for (int k = 0; k < 3; k++) {
        char id[32], label[160];
        snprintf(id, sizeof id, "trajectory-%s", measure_keys[k]);
        snprintf(label, sizeof label, "Line chart of %s by module for each side. The same "
                 "numbers are in the table below.", k == 2 ? "balance of power"
                                                           : measure_keys[k]);
        html_printf(&rs->body, "<li class=\"duet-chart-grid__item\">\n"
                               "<h3 class=\"duet-chart-grid__title\">%s</h3>\n",
                    measure_names[k]);
        char *spec = trajectory_spec(traj, k);
        if (spec)
            page_chart(rs, id, spec, label);
        free(spec);
        html_printf(&rs->body, "</li>\n");
    }
    html_printf(&rs->body, "</ul>\n");
}

static void score_cell(duet_buf *b, const char *heading, json_t *v)
{
    cell_head(b, heading);
    if (json_is_number(v))
        web_num(b, json_number_value(v));
    else
        html_printf(b, "Not enough answers");
    html_printf(b, "</td>");
}

/* The page's "How the partnership is going": explanation, charts, table. */
static void trajectory_section(struct web_res *rs, json_t *traj)
{
    duet_buf *b = &rs->body;
    json_t *points = json_object_get(traj, "points");
    html_printf(b, "<h2>How the partnership is going</h2>\n");
    if (json_array_size(points) == 0) {
        html_printf(b, "<p>There are no check-ins to show yet. Scores appear here once "
                       "partners have filled in their check-ins.</p>\n");
        return;
    }
    html_printf(b, "<p>Scores from the check-ins, for each side of the partnership. "
                   "<strong>Quality</strong> combines voice, trust, shared purpose and feeling "
                   "safe to speak up; higher is better. <strong>Voice</strong> is whether "
                   "views were heard; higher is better. <strong>Balance of power</strong> "
                   "runs from the system side deciding everything (%" PRId64 ") to the "
                   "lived-experience side deciding everything (%" PRId64 "); ",
                (int64_t)json_integer_value(json_object_get(traj, "scale_min")),
                (int64_t)json_integer_value(json_object_get(traj, "scale_max")));
    web_num(b, json_number_value(json_object_get(traj, "power_balanced_at")));
    html_printf(b, " means decisions were shared equally.</p>\n");
    trajectory_charts(rs, traj);
    static const char *const cols[] = {"Module", "Side", "Quality", "Voice", "Balance of power",
                                       NULL};
    table_begin(b, "Scores by module", cols);
    size_t i;
    json_t *p;
    json_array_foreach(points, i, p) {
        html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\">");
        cell_head(b, "Module");
        html_printf(b, "%" PRId64 "</td>", (int64_t)json_integer_value(json_object_get(p, "module")));
        cell_head(b, "Side");
        html_printf(b, "%s</td>", side_label(str(p, "side")));
        score_cell(b, "Quality", json_object_get(p, "quality"));
        score_cell(b, "Voice", json_object_get(p, "voice"));
        score_cell(b, "Balance of power", json_object_get(p, "power"));
        html_printf(b, "</tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
}

/* Whether module n of the partnership data d has check-in status st. */
static int module_status_is(json_t *d, int n, const char *st)
{
    json_t *m = module_row(d, n);
    return m && strcmp(str(m, "my_checkin"), st) == 0;
}

/* The banner after a redirect: ?done=N (check-in sent) or ?saved=N (draft),
** shown only when it is true. */
static void partnership_banner(struct web_req *rq, struct web_res *rs, json_t *d)
{
    int n;
    char text[160];
    if (!is_participant(rq))
        return;
    if (parse_module(web_query(rq, "done"), &n) == 0 && module_status_is(d, n, "done")) {
        snprintf(text, sizeof text, "Thank you. Your check-in for module %d has been sent.", n);
        success_banner(rs, "Check-in saved", text);
    } else if (parse_module(web_query(rq, "saved"), &n) == 0 &&
               module_status_is(d, n, "draft")) {
        snprintf(text, sizeof text, "Your answers for module %d are saved. You can come back "
                 "and finish your check-in at any time.", n);
        success_banner(rs, "Draft saved", text);
    }
}

static void project_section(struct web_res *rs, json_t *d, int mine)
{
    json_t *proj = json_object_get(d, "project");
    html_printf(&rs->body,
        "<h2>%s project</h2>\n<dl class=\"nhsuk-summary-list\">\n"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">Project"
        "</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">Aim</dt>"
        "<dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n"
        "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">Cohort"
        "</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n</dl>\n",
        mine ? "Your" : "The", *str(proj, "title") ? str(proj, "title") : "Not written yet",
        *str(proj, "aim") ? str(proj, "aim") : "Not written yet", str(d, "cohort"));
}

static void get_partnership(struct web_req *rq, struct web_res *rs)
{
    const char *code = rq->params[0];
    duet_err e;
    json_t *html = NULL;
    json_t *d = partnership_data(rq, code, &html, &e);
    if (d == NULL) {
        fail_page(rq, rs, &e);
        return;
    }
    char title[96];
    snprintf(title, sizeof title, "Partnership %s", code);
    page_begin(rq, rs, title);
    page_back(rs, "/home", is_participant(rq) ? "Your partnerships" : "Home");
    partnership_banner(rq, rs, d);
    norms_sort_banner(rq, rs, d);   /* ?sorted=N, from norms.c */
    const char *ptitle = str(json_object_get(d, "project"), "title");
    html_printf(&rs->body, "<h1><span class=\"nhsuk-caption-l\">Partnership %s</span>%s</h1>\n",
                code, *ptitle ? ptitle : "Project not named yet");
    project_section(rs, d, is_participant(rq));
    members_section(rs, d);
    modules_section(rq, rs, d);
    norms_sort_section(rq, rs, d);   /* the caller's Q-sorts, from norms.c */
    buf_append(&rs->body, json_string_value(html), json_string_length(html));
    json_decref(html);
    if (rq->who->role == AUTH_PARTICIPANT || rq->who->role == AUTH_FACILITATOR)
        html_printf(&rs->body, "<h2>Reflections</h2>\n<p><a href=\"/partnerships/%s/reflections\">"
                               "Read and write reflections for partnership %s</a></p>\n",
                    code, code);
    json_decref(d);
    page_end(rq, rs);
}

static void api_partnership(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *d = partnership_data(rq, rq->params[0], NULL, &e);
    if (d == NULL)
        fail_json(rs, &e);
    else
        web_json(rs, 200, d);
}

/* ------------------------------------------------------------------ */
/* the check-in form                                                   */

/* What one form needs besides the data: answers as typed (strings) after a
** failed post, or NULL to show the draft; the problems by item. */
struct form_state {
    json_t *typed;
    json_t *errors;
};

/* The answer to prefill for item name, as text ("" when none). */
static const char *prefill(json_t *data, const struct form_state *fs, const char *name,
                           duet_buf *tmp)
{
    json_t *v = fs->typed ? json_object_get(fs->typed, name)
                          : json_object_get(json_object_get(json_object_get(data, "draft"),
                                                            "answers"), name);
    if (v == NULL || checkin_value_text(v, tmp) != 0 || tmp->data == NULL)
        return "";
    return tmp->data;
}

static void group_begin(duet_buf *b, int error)
{
    html_printf(b, "<div class=\"nhsuk-form-group%s\">\n", error ? " nhsuk-form-group--error"
                                                                 : "");
}

/* The ids a control is described by: its hint or count message, and its
** error message when there is one. */
static void described_by(char *out, size_t n, const char *id, const char *suffix, int error)
{
    if (error)
        snprintf(out, n, "%s-%s %s-error", id, suffix, id);
    else
        snprintf(out, n, "%s-%s", id, suffix);
}

static void choice_item(struct web_res *rs, json_t *it, const char *value, const char *err)
{
    duet_buf *b = &rs->body;
    const char *name = str(it, "name");
    char id[80];
    snprintf(id, sizeof id, "answer-%s", name);
    int ladder = strcmp(str(it, "type"), "ladder") == 0;
    json_t *labels = json_object_get(it, "labels");
    int lo = (int)json_integer_value(json_object_get(it, "min"));
    int hi = (int)json_integer_value(json_object_get(it, "max"));
    char desc[200];
    described_by(desc, sizeof desc, id, "hint", err != NULL);
    group_begin(b, err != NULL);
    html_printf(b, "<fieldset class=\"nhsuk-fieldset\" aria-describedby=\"%s\">\n"
                   "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">%" PRId64 ". %s"
                   "</legend>\n<div class=\"nhsuk-hint\" id=\"%s-hint\">%s</div>\n",
                desc, (int64_t)json_integer_value(json_object_get(it, "number")), str(it, "text"), id,
                ladder ? "Choose the one that is closest."
                : json_object_size(labels) > 0 ? "Choose one answer."
                                               : "Choose one number: the lowest is the least.");
    if (err)
        error_message(rs, id, err);
    html_printf(b, "<div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">\n");
    for (int x = lo; x <= hi; x++) {
        char key[16], rid[96];
        snprintf(key, sizeof key, "%d", x);
        if (x == lo)
            snprintf(rid, sizeof rid, "%s", id);
        else
            snprintf(rid, sizeof rid, "%s-%d", id, x - lo + 1);
        const char *label = json_string_value(json_object_get(labels, key));
        html_printf(b, "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" "
                       "id=\"%s\" name=\"%s\" type=\"radio\" value=\"%d\"", rid, id, x);
        html_raw_if(b, strcmp(value, key) == 0, " checked");
        html_printf(b, "><label class=\"nhsuk-label nhsuk-radios__label\" for=\"%s\">%s</label>"
                       "</div>\n", rid, label ? label : key);
    }
    html_printf(b, "</div>\n</fieldset>\n</div>\n");
}

static void text_item(struct web_res *rs, json_t *it, const char *value, const char *err)
{
    duet_buf *b = &rs->body;
    char id[80];
    snprintf(id, sizeof id, "answer-%s", str(it, "name"));
    int list = strcmp(str(it, "type"), "list") == 0;
    json_int_t max = json_integer_value(json_object_get(it, list ? "max_entries" : "max_length"));
    html_printf(b, "<div class=\"nhsuk-form-group%s%s\"",
                err ? " nhsuk-form-group--error" : "", list ? "" : " nhsuk-character-count");
    if (!list)
        html_printf(b, " data-module=\"nhsuk-character-count\" data-maxlength=\"%lld\"",
                    (long long)max);
    html_raw(b, ">\n");
    html_printf(b, "<label class=\"nhsuk-label nhsuk-label--s\" for=\"%s\">%" PRId64 ". %s "
                   "(optional)</label>\n",
                id, (int64_t)json_integer_value(json_object_get(it, "number")), str(it, "text"));
    if (list)
        html_printf(b, "<div class=\"nhsuk-hint\" id=\"%s-info\">You can write up to %" PRId64 " things, "
                       "one on each line.</div>\n", id, (int64_t)max);
    if (err)
        error_message(rs, id, err);
    char desc[200];
    described_by(desc, sizeof desc, id, "info", err != NULL);
    html_printf(b, "<textarea class=\"nhsuk-textarea%s%s\" id=\"%s\" name=\"%s\" rows=\"%d\" "
                   "aria-describedby=\"%s\">\n%s</textarea>\n",
                list ? "" : " nhsuk-js-character-count", err ? " nhsuk-textarea--error" : "",
                id, id, list ? 4 : 5, desc, value);
    if (!list)
        html_printf(b, "<div class=\"nhsuk-hint nhsuk-character-count__message\" id=\"%s-info\">"
                       "You can enter up to %" PRId64 " characters</div>\n", id, (int64_t)max);
    html_printf(b, "</div>\n");
}

static void checkin_errors(struct web_res *rs, json_t *data, json_t *errors, const char *general)
{
    if (json_object_size(errors) == 0 && general == NULL)
        return;
    size_t i, missing = 0;
    json_t *it;
    json_array_foreach(json_object_get(data, "items"), i, it) {
        const char *msg = json_string_value(json_object_get(errors, str(it, "name")));
        missing += msg && strncmp(msg, "Select an answer", 16) == 0;
    }
    char what[200];
    snprintf(what, sizeof what, "%zu questions have no answer yet. Answer them and submit "
             "again, or save your answers and come back later.", missing);
    error_summary_begin(rs, missing >= 3 ? what : NULL);   /* a long list: say what to do */
    if (general)
        error_summary_item(rs, NULL, general);
    json_array_foreach(json_object_get(data, "items"), i, it) {
        const char *msg = json_string_value(json_object_get(errors, str(it, "name")));
        char id[80];
        snprintf(id, sizeof id, "answer-%s", str(it, "name"));
        if (msg)
            error_summary_item(rs, id, msg);
    }
    error_summary_end(rs);
}

static void checkin_form(struct web_req *rq, struct web_res *rs, json_t *data,
                         const struct form_state *fs)
{
    duet_buf *b = &rs->body, tmp;
    buf_init(&tmp, WEB_BODY_MAX * 2);
    json_t *ins = json_object_get(data, "instrument");
    if (json_object_get(data, "draft") && !json_is_null(json_object_get(data, "draft")) &&
        fs->typed == NULL)
        html_printf(b, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Information: </span><p>We have filled in the answers you saved. Check "
                       "them, finish the rest and submit.</p></div>\n");
    if (*str(ins, "description"))
        html_printf(b, "<p>%s</p>\n", str(ins, "description"));
    html_printf(b, "<form method=\"post\" action=\"/partnerships/%s/modules/%" PRId64 "/checkin\" "
                   "novalidate>\n", str(data, "partnership"),
                (int64_t)json_integer_value(json_object_get(json_object_get(data, "module"),
                                                            "module")));
    page_csrf_field(rq, rs);
    size_t i;
    json_t *it;
    int last_required = -1;
    json_array_foreach(json_object_get(data, "items"), i, it) {
        int req = json_is_true(json_object_get(it, "required"));
        if (req != last_required)
            html_printf(b, "<h2>%s</h2>\n", req ? "About the last module"
                                                : "In your own words");
        last_required = req;
        const char *value = prefill(data, fs, str(it, "name"), &tmp);
        const char *err = json_string_value(json_object_get(fs->errors, str(it, "name")));
        if (strcmp(str(it, "type"), "scale") == 0 || strcmp(str(it, "type"), "ladder") == 0)
            choice_item(rs, it, value, err);
        else
            text_item(rs, it, value, err);
    }
    html_printf(b, "<div class=\"nhsuk-button-group\">\n"
                   "<button class=\"nhsuk-button\" type=\"submit\" name=\"action\" "
                   "value=\"submit\" data-module=\"nhsuk-button\">Submit check-in</button>\n"
                   "<button class=\"nhsuk-button nhsuk-button--secondary\" type=\"submit\" "
                   "name=\"action\" value=\"draft\" data-module=\"nhsuk-button\">Save and "
                   "return later</button>\n</div>\n</form>\n");
    buf_free(&tmp);
}

/* The answers of a finished check-in, as a summary list. */
static void checkin_done(struct web_res *rs, json_t *data)
{
    duet_buf *b = &rs->body, tmp;
    buf_init(&tmp, WEB_BODY_MAX * 2);
    json_t *done = json_object_get(data, "checkin"), *answers = json_object_get(done, "answers");
    char date[32];
    fmt_date(str(done, "submitted_at"), date);
    html_printf(b, "<p>You sent this check-in on %s. Each check-in can be sent once, so it "
                   "cannot be changed now.</p>\n<h2>Your answers</h2>\n"
                   "<dl class=\"nhsuk-summary-list\">\n", date);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(data, "items"), i, it) {
        json_t *v = json_object_get(answers, str(it, "name"));
        const char *text = "Not answered";
        if (v && checkin_value_text(v, &tmp) == 0 && tmp.data)
            text = tmp.data;
        if (json_is_integer(v)) {
            const char *label = json_string_value(json_object_get(json_object_get(it, "labels"),
                                                                  text));
            text = label ? label : text;
        }
        html_printf(b, "<div class=\"nhsuk-summary-list__row\"><dt "
                       "class=\"nhsuk-summary-list__key\">%" PRId64 ". %s</dt><dd "
                       "class=\"nhsuk-summary-list__value\">",
                    (int64_t)json_integer_value(json_object_get(it, "number")), str(it, "text"));
        text_lines(b, text);
        html_printf(b, "</dd></div>\n");
    }
    html_printf(b, "</dl>\n");
    buf_free(&tmp);
}

/* Renders the check-in page: the form, or the answers when done. */
static void checkin_page(struct web_req *rq, struct web_res *rs, json_t *data,
                         const struct form_state *fs, const char *general)
{
    json_t *m = json_object_get(data, "module");
    int n = (int)json_integer_value(json_object_get(m, "module"));
    int done = strcmp(str(data, "status"), "done") == 0;
    char title[96], back[160], date[32];
    snprintf(title, sizeof title, "Check-in for module %d", n);
    snprintf(back, sizeof back, "/partnerships/%s", str(data, "partnership"));
    page_begin(rq, rs, title);
    page_back(rs, back, "Back to your partnership");
    if (!done)
        checkin_errors(rs, data, fs->errors, general);
    fmt_date(str(m, "held_on"), date);
    html_printf(&rs->body, "<h1><span class=\"nhsuk-caption-l\">Partnership %s%s%s</span>"
                           "%s module %d</h1>\n", str(data, "partnership"),
                *str(m, "theme") ? " – " : "", str(m, "theme"),
                done ? "Your check-in for" : "Check-in for", n);
    if (*date)
        html_printf(&rs->body, "<p class=\"nhsuk-body-s\">Module held on %s</p>\n", date);
    if (done)
        checkin_done(rs, data);
    else
        checkin_form(rq, rs, data, fs);
    page_end(rq, rs);
}

static void checkin_fail(struct web_req *rq, struct web_res *rs, int api, const duet_err *e)
{
    if (api)
        fail_json(rs, e);
    else
        fail_page(rq, rs, e);
}

/* The module number and the instrument of a check-in route; NULL after
** writing the failure (page or JSON). */
static const struct instrument *checkin_route(struct web_req *rq, struct web_res *rs, int api,
                                              int *n)
{
    duet_err e;
    const struct instrument *ins = NULL;
    if (parse_module(rq->params[1], n) != 0)
        duet_errf(&e, DUET_ENOTFOUND, "there is no module '%.20s'", rq->params[1]);
    else
        ins = checkin_instrument(rq->st, &e);
    if (ins == NULL)
        checkin_fail(rq, rs, api, &e);
    return ins;
}

/* checkin_data, or NULL after writing the failure. */
static json_t *checkin_load(struct web_req *rq, struct web_res *rs, int api,
                            const struct instrument *ins, int n)
{
    duet_err e;
    json_t *data = checkin_data(rq, rq->params[0], n, ins, &e);
    if (data == NULL)
        checkin_fail(rq, rs, api, &e);
    return data;
}

static void get_checkin(struct web_req *rq, struct web_res *rs)
{
    int n;
    const struct instrument *ins = checkin_route(rq, rs, 0, &n);
    json_t *data = ins ? checkin_load(rq, rs, 0, ins, n) : NULL;
    if (data == NULL)
        return;
    struct form_state fs = {NULL, NULL};
    checkin_page(rq, rs, data, &fs, NULL);
    json_decref(data);
}

static void api_get_checkin(struct web_req *rq, struct web_res *rs)
{
    int n;
    const struct instrument *ins = checkin_route(rq, rs, 1, &n);
    json_t *data = ins ? checkin_load(rq, rs, 1, ins, n) : NULL;
    if (data)
        web_json(rs, 200, data);
}

/* Saves or submits answers for the caller; returns 0, or -1 with *e set
** and per-item problems in errors. */
static int checkin_store(struct web_req *rq, const struct instrument *ins, int n,
                         json_t *answers, int draft, json_t *errors, json_t **stored,
                         duet_err *e)
{
    if (draft)
        return checkin_save_draft(rq->st, ins, rq->params[0], n, rq->who->person_key, answers,
                                  errors, stored, e);
    return checkin_submit(rq->st, ins, rq->params[0], n, rq->who->person_key, answers, errors,
                          stored, e);
}

static void checkin_conflict_page(struct web_req *rq, struct web_res *rs, int n)
{
    char back[160];
    snprintf(back, sizeof back, "/partnerships/%s", rq->params[0]);
    buf_reset(&rs->body);
    rs->status = 409;
    page_begin(rq, rs, "You have already sent this check-in");
    html_printf(&rs->body, "<h1>You have already sent your check-in for module %d</h1>\n"
                           "<p>Each check-in can be sent once, so your answers have not been "
                           "changed.</p>\n<p><a href=\"%s/modules/%d/checkin\">See the answers "
                           "you sent</a></p>\n<p><a href=\"%s\">Go back to your partnership"
                           "</a></p>\n", n, back, n, back);
    page_end(rq, rs);
}

/* The form's answers as typed, by item name. */
static json_t *form_answers(struct web_req *rq, const struct instrument *ins)
{
    json_t *typed = json_object();
    for (size_t k = 0; k < ins->nitems; k++) {
        char field[80];
        snprintf(field, sizeof field, "answer-%s", ins->items[k].name);
        const char *v = http_form_get(&rq->form, field);
        if (v)
            json_object_set_new(typed, ins->items[k].name, json_string(v));
    }
    return typed;
}

/* Shows the form again with what was typed and what is wrong (422). */
static void checkin_invalid(struct web_req *rq, struct web_res *rs, const struct instrument *ins,
                            int n, json_t *typed, json_t *errors)
{
    json_t *data = checkin_load(rq, rs, 0, ins, n);
    if (data == NULL)
        return;
    struct form_state fs = {typed, errors};
    rs->status = 422;
    checkin_page(rq, rs, data, &fs, json_object_size(errors) ? NULL
                                      : "Answer at least one question before you submit");
    json_decref(data);
}

static void post_checkin(struct web_req *rq, struct web_res *rs)
{
    int n;
    const struct instrument *ins = checkin_route(rq, rs, 0, &n);
    if (ins == NULL)
        return;
    json_t *typed = form_answers(rq, ins), *errors = json_object();
    const char *action = http_form_get(&rq->form, "action");
    int draft = action && strcmp(action, "draft") == 0;
    duet_err e;
    if (checkin_store(rq, ins, n, typed, draft, errors, NULL, &e) == 0) {
        char loc[200];
        snprintf(loc, sizeof loc, "/partnerships/%s?%s=%d", rq->params[0],
                 draft ? "saved" : "done", n);
        web_redirect(rs, loc);
    } else if (e.code == DUET_ECONFLICT) {
        checkin_conflict_page(rq, rs, n);
    } else if (e.code == DUET_EINPUT) {
        checkin_invalid(rq, rs, ins, n, typed, errors);
    } else {
        fail_page(rq, rs, &e);
    }
    json_decref(typed);
    json_decref(errors);
}

/* The body of a check-in POST: {"answers": {...}, "draft": false}; NULL
** after writing a 400 or 422. */
static json_t *checkin_body(struct web_req *rq, struct web_res *rs)
{
    static const char *const keys[] = {"answers", "draft", NULL};
    json_t *body = json_body(rq, rs);
    if (body == NULL)
        return NULL;
    json_t *errors = json_object(), *draft = json_object_get(body, "draft");
    if (!json_is_object(json_object_get(body, "answers")))
        json_object_set_new(errors, "answers", json_string("must be an object of item names "
                                                           "and answers"));
    if (draft && !json_is_boolean(draft))
        json_object_set_new(errors, "draft", json_string("must be true or false"));
    if (only_keys(body, keys, errors) || json_object_size(errors)) {
        json_fields_error(rs, 422, "the request has fields that are missing or wrong", errors);
        json_decref(body);
        body = NULL;
    }
    json_decref(errors);
    return body;
}

static void api_post_checkin(struct web_req *rq, struct web_res *rs)
{
    int n;
    json_t *body = checkin_body(rq, rs);
    const struct instrument *ins = body ? checkin_route(rq, rs, 1, &n) : NULL;
    if (ins == NULL) {
        json_decref(body);
        return;
    }
    int draft = json_is_true(json_object_get(body, "draft"));
    json_t *errors = json_object(), *stored = NULL;
    duet_err e;
    if (checkin_store(rq, ins, n, json_object_get(body, "answers"), draft, errors, &stored,
                      &e) == 0)
        web_json(rs, draft ? 200 : 201,
                 json_pack("{s:s, s:i, s:s, s:o}", "partnership", rq->params[0], "module", n,
                           "status", draft ? "draft" : "done", "answers", stored));
    else if (e.code == DUET_EINPUT)
        json_fields_error(rs, 422, e.msg, errors);
    else
        fail_json(rs, &e);
    json_decref(errors);
    json_decref(body);
}

/* ------------------------------------------------------------------ */
/* reflections                                                         */

static const struct {
    const char *value, *label, *hint, *tag;
} visibilities[] = {
    {"private", "Only me", "No one else can read it: not your partners, not the programme "
     "team.", "Only you"},
    {"partner", "Me and my partners", "The other people in your partnership can read it. "
     "The programme team cannot.", "Shared with partners"},
    {"programme", "My partners and the programme team", "Your partners and the "
     "facilitators of your cohort can read it. If you have agreed to take part in research, "
     "the programme's researchers may also study it, without your name.",
     "Shared with the programme team"},
};
#define NVIS (sizeof visibilities / sizeof visibilities[0])

/* A reflection as sent: text, module (0: none) and visibility, checked;
** problems go to errors under "text", "module" and "visibility". */
struct reflection_in {
    const char *text;
    int module;
    const char *visibility;
};

static int reflection_check(struct reflection_in *in, json_t *modules, json_t *errors)
{
    size_t n = in->text ? strlen(in->text) : 0;
    const char *p = in->text;
    while (p && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    if (in->text == NULL || *p == '\0')
        json_object_set_new(errors, "text", json_string("Write your reflection"));
    else if (utf8_codepoints(in->text, n) > REFLECTION_MAX_CHARS)
        json_object_set_new(errors, "text", json_string("Your reflection must be 5000 "
                                                        "characters or fewer"));
    if (in->module != 0 && module_row(modules, in->module) == NULL)
        json_object_set_new(errors, "module", json_string("Select a module from the list"));
    int ok = 0;
    for (size_t i = 0; i < NVIS && in->visibility; i++)
        ok |= strcmp(in->visibility, visibilities[i].value) == 0;
    if (!ok)
        json_object_set_new(errors, "visibility", json_string("Select who can read your "
                                                              "reflection"));
    return (int)json_object_size(errors);
}

/* Adds the caller's reflection; *e DUET_EINPUT with errors when it is not valid. */
static int reflection_add(struct web_req *rq, struct reflection_in *in, json_t *errors,
                          int64_t *id, duet_err *e)
{
    json_t *ov = store_partnership_overview(rq->st, rq->params[0], 0, e);
    if (ov == NULL)
        return -1;
    int bad = reflection_check(in, ov, errors);
    json_decref(ov);
    if (bad)
        return duet_errf(e, DUET_EINPUT, "the reflection has problems");
    /* Forms send CRLF: store LF, as the check-in answers are. */
    char *text = strdup(in->text);
    if (text == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    char *o = text;
    for (const char *s = in->text; *s; s++)
        if (!(*s == '\r' && s[1] == '\n'))
            *o++ = *s == '\r' ? '\n' : *s;
    *o = '\0';
    int rc = store_reflection_add(rq->st, rq->who->person_key, rq->params[0], in->module,
                                  in->visibility, text, id, e);
    free(text);
    return rc;
}

static void reflection_card(struct web_res *rs, json_t *r)
{
    duet_buf *b = &rs->body;
    json_t *a = json_object_get(r, "author");
    char date[32];
    fmt_date(str(r, "created_at"), date);
    const char *tag = "", *vis = str(r, "visibility");
    for (size_t i = 0; i < NVIS; i++)
        if (strcmp(vis, visibilities[i].value) == 0)
            tag = visibilities[i].tag;
    html_printf(b, "<div class=\"nhsuk-card\">\n<div class=\"nhsuk-card__content\">\n"
                   "<h3 class=\"nhsuk-card__heading\">%s",
                json_is_true(json_object_get(a, "you")) ? "You"
                : *str(a, "display_name") ? str(a, "display_name") : str(a, "person"));
    if (json_is_integer(json_object_get(r, "module")))
        html_printf(b, ", module %" PRId64 "", (int64_t)json_integer_value(json_object_get(r, "module")));
    html_printf(b, "</h3>\n<p class=\"nhsuk-body-s\">%s <strong class=\"nhsuk-tag %s\">%s"
                   "</strong></p>\n<p>", date,
                strcmp(vis, "private") == 0 ? "nhsuk-tag--grey" : "nhsuk-tag--blue", tag);
    text_lines(b, str(r, "text"));
    html_printf(b, "</p>\n</div>\n</div>\n");
}

static void reflection_form(struct web_req *rq, struct web_res *rs, json_t *modules,
                            const struct reflection_in *in, json_t *errors)
{
    duet_buf *b = &rs->body;
    const char *te = json_string_value(json_object_get(errors, "text"));
    const char *me = json_string_value(json_object_get(errors, "module"));
    const char *ve = json_string_value(json_object_get(errors, "visibility"));
    html_printf(b, "<h2>Write a reflection</h2>\n<form method=\"post\" action=\"/partnerships/%s/"
                   "reflections\" novalidate>\n", rq->params[0]);
    page_csrf_field(rq, rs);
    html_printf(b, "<div class=\"nhsuk-form-group nhsuk-character-count%s\" "
                   "data-module=\"nhsuk-character-count\" data-maxlength=\"%d\">\n"
                   "<label class=\"nhsuk-label nhsuk-label--s\" for=\"text\">Your reflection"
                   "</label>\n<div class=\"nhsuk-hint\" id=\"text-hint\">What went well, what "
                   "was hard, what you learned or want to try next.</div>\n",
                te ? " nhsuk-form-group--error" : "", REFLECTION_MAX_CHARS);
    if (te)
        error_message(rs, "text", te);
    html_printf(b, "<textarea class=\"nhsuk-textarea nhsuk-js-character-count%s\" id=\"text\" "
                   "name=\"text\" rows=\"8\" aria-describedby=\"text-info text-hint%s\">\n%s"
                   "</textarea>\n<div class=\"nhsuk-hint nhsuk-character-count__message\" "
                   "id=\"text-info\">You can enter up to %d characters</div>\n</div>\n",
                te ? " nhsuk-textarea--error" : "", te ? " text-error" : "",
                in->text ? in->text : "", REFLECTION_MAX_CHARS);
    group_begin(b, me != NULL);
    html_printf(b, "<label class=\"nhsuk-label nhsuk-label--s\" for=\"module\">Module "
                   "(optional)</label>\n");
    if (me)
        error_message(rs, "module", me);
    html_printf(b, "<select class=\"nhsuk-select%s\" id=\"module\" name=\"module\"",
                me ? " nhsuk-select--error" : "");
    html_raw_if(b, me, " aria-describedby=\"module-error\"");
    html_raw(b, ">\n<option value=\"\">Not about one module</option>\n");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(modules, "modules"), i, m) {
        int n = (int)json_integer_value(json_object_get(m, "module"));
        html_printf(b, "<option value=\"%d\"", n);
        html_raw_if(b, n == in->module, " selected");
        html_printf(b, ">Module %d%s%s</option>\n", n, *str(m, "theme") ? " – " : "",
                    str(m, "theme"));
    }
    html_printf(b, "</select>\n</div>\n");
    group_begin(b, ve != NULL);
    html_raw(b, "<fieldset class=\"nhsuk-fieldset\"");
    html_raw_if(b, ve, " aria-describedby=\"visibility-error\"");
    html_raw(b, ">\n<legend class=\"nhsuk-fieldset__legend "
                "nhsuk-fieldset__legend--s\">Who can read it?</legend>\n");
    if (ve)
        error_message(rs, "visibility", ve);
    html_printf(b, "<div class=\"nhsuk-radios\" data-module=\"nhsuk-radios\">\n");
    for (size_t k = 0; k < NVIS; k++) {
        char id[32] = "visibility";
        if (k > 0)
            snprintf(id, sizeof id, "visibility-%d", (int)k + 1);
        int checked = in->visibility ? strcmp(in->visibility, visibilities[k].value) == 0 : k == 0;
        html_printf(b, "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" "
                       "id=\"%s\" name=\"visibility\" type=\"radio\" value=\"%s\" "
                       "aria-describedby=\"%s-hint\"", id, visibilities[k].value, id);
        html_raw_if(b, checked, " checked");
        html_printf(b, "><label class=\"nhsuk-label "
                       "nhsuk-radios__label\" for=\"%s\">%s</label><div class=\"nhsuk-hint "
                       "nhsuk-radios__hint\" id=\"%s-hint\">%s</div></div>\n",
                    id, visibilities[k].label, id, visibilities[k].hint);
    }
    html_printf(b, "</div>\n</fieldset>\n</div>\n<button class=\"nhsuk-button\" type=\"submit\" "
                   "data-module=\"nhsuk-button\">Save reflection</button>\n</form>\n");
}

static void reflections_page(struct web_req *rq, struct web_res *rs, json_t *data,
                             json_t *overview, const struct reflection_in *in, json_t *errors)
{
    duet_buf *b = &rs->body;
    const char *code = rq->params[0];
    char back[160];
    snprintf(back, sizeof back, "/partnerships/%s", code);
    page_begin(rq, rs, "Reflections");
    page_back(rs, back, "Back to the partnership");
    if (json_object_size(errors)) {
        static const char *const fields[] = {"text", "module", "visibility"};
        error_summary_begin(rs, NULL);
        for (int k = 0; k < 3; k++)
            if (json_object_get(errors, fields[k]))
                error_summary_item(rs, fields[k],
                                   json_string_value(json_object_get(errors, fields[k])));
        error_summary_end(rs);
    } else if (web_query(rq, "added") && is_participant(rq)) {
        success_banner(rs, "Reflection saved", "Your reflection has been saved.");
    }
    html_printf(b, "<h1><span class=\"nhsuk-caption-l\">Partnership %s</span>Reflections</h1>\n",
                code);
    if (is_participant(rq))
        reflection_form(rq, rs, overview, in, errors);
    json_t *list = json_object_get(data, "reflections");
    html_printf(b, "<h2>Reflections you can read</h2>\n");
    if (json_array_size(list) == 0)
        html_printf(b, "<p>There are no reflections you can read yet.</p>\n");
    size_t i;
    json_t *r;
    json_array_foreach(list, i, r)
        reflection_card(rs, r);
    const char *older = json_string_value(json_object_get(data, "next"));
    if (older)
        html_printf(b, "<p><a href=\"%s\">Older reflections</a></p>\n", older);
    page_end(rq, rs);
}

/* Reads the reflections' ?limit= and ?cursor=; on a bad one answers 400. */
static int reflections_paging(struct web_req *rq, struct web_res *rs, int is_api,
                              struct web_paging *pg)
{
    duet_err e;
    int64_t before;
    if (web_paging_read(rq, pg, &e) == 0 && web_paging_ints(pg, 1, &before, &e) == 0)
        return 0;
    web_paging_fail(rq, rs, is_api, &e);
    return -1;
}

/* Loads what the reflections page shows; on failure writes the error page. */
static int reflections_load(struct web_req *rq, struct web_res *rs, json_t **data,
                            json_t **overview)
{
    duet_err e;
    struct web_paging pg;
    if (reflections_paging(rq, rs, 0, &pg) != 0)
        return -1;
    *data = reflections_data(rq, rq->params[0], &pg, &e);
    *overview = *data ? store_partnership_overview(rq->st, rq->params[0], 0, &e) : NULL;
    if (*overview)
        return 0;
    json_decref(*data);
    fail_page(rq, rs, &e);
    return -1;
}

static void get_reflections(struct web_req *rq, struct web_res *rs)
{
    json_t *data, *ov;
    if (reflections_load(rq, rs, &data, &ov) != 0)
        return;
    struct reflection_in in = {NULL, 0, NULL};
    reflections_page(rq, rs, data, ov, &in, NULL);
    json_decref(data);
    json_decref(ov);
}

static void post_reflection(struct web_req *rq, struct web_res *rs)
{
    const char *mod = http_form_get(&rq->form, "module");
    struct reflection_in in = {http_form_get(&rq->form, "text"), 0,
                               http_form_get(&rq->form, "visibility")};
    json_t *errors = json_object();
    duet_err e;
    int rc;
    if (mod && *mod && parse_module(mod, &in.module) != 0) {
        json_object_set_new(errors, "module", json_string("Select a module from the list"));
        rc = duet_errf(&e, DUET_EINPUT, "the reflection has problems");
    } else {
        rc = reflection_add(rq, &in, errors, NULL, &e);
    }
    if (rc == 0) {
        char loc[200];
        snprintf(loc, sizeof loc, "/partnerships/%s/reflections?added=1", rq->params[0]);
        web_redirect(rs, loc);
    } else if (e.code == DUET_EINPUT && json_object_size(errors)) {
        json_t *data, *ov;
        if (reflections_load(rq, rs, &data, &ov) == 0) {
            rs->status = 422;
            reflections_page(rq, rs, data, ov, &in, errors);
            json_decref(data);
            json_decref(ov);
        }
    } else {
        fail_page(rq, rs, &e);
    }
    json_decref(errors);
}

static void api_get_reflections(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    struct web_paging pg;
    if (reflections_paging(rq, rs, 1, &pg) != 0)
        return;
    json_t *data = reflections_data(rq, rq->params[0], &pg, &e);
    if (data == NULL)
        fail_json(rs, &e);
    else
        web_json(rs, 200, data);
}

static void api_post_reflection(struct web_req *rq, struct web_res *rs)
{
    json_t *body = json_body(rq, rs);
    if (body == NULL)
        return;
    static const char *const keys[] = {"text", "module", "visibility", NULL};
    json_t *errors = json_object(), *text = json_object_get(body, "text");
    json_t *mod = json_object_get(body, "module"), *vis = json_object_get(body, "visibility");
    struct reflection_in in = {json_string_value(text), 0,
                               vis ? json_string_value(vis) : "private"};
    if (!json_is_string(text))
        json_object_set_new(errors, "text", json_string("must be a string"));
    if (mod && !json_is_null(mod) && (!json_is_integer(mod) || json_integer_value(mod) < 1 ||
                                      json_integer_value(mod) > MODULE_MAX))
        json_object_set_new(errors, "module", json_string("must be a module number or null"));
    else if (json_is_integer(mod))
        in.module = (int)json_integer_value(mod);
    if (vis && !json_is_string(vis))
        json_object_set_new(errors, "visibility", json_string("must be private, partner or "
                                                              "programme"));
    duet_err e;
    int64_t id = 0;
    if (only_keys(body, keys, errors) || json_object_size(errors))
        json_fields_error(rs, 422, "the request has fields that are missing or wrong", errors);
    else if (reflection_add(rq, &in, errors, &id, &e) == 0)
        web_json(rs, 201, json_pack("{s:I, s:s, s:o, s:s, s:s}", "id", (json_int_t)id,
                                    "partnership", rq->params[0], "module",
                                    in.module ? json_integer(in.module) : json_null(),
                                    "visibility", in.visibility, "text", in.text));
    else if (e.code == DUET_EINPUT && json_object_size(errors))
        json_fields_error(rs, 422, "the reflection has problems", errors);
    else
        fail_json(rs, &e);
    json_decref(errors);
    json_decref(body);
}

/* ------------------------------------------------------------------ */
/* consent and withdrawal                                              */

/* Each purpose as the pages name it: a heading (and in a sentence), what it
** covers, the title of its withdrawal page, the button, and what the page
** says once it is done. */
static const struct consent_purpose {
    const char *purpose, *label, *in_sentence, *covers, *withdraw_title, *button, *done;
} consent_purposes[] = {
    {"research", "Research", "research",
     "The programme's researchers may study your check-ins, the reflections you share with "
     "the programme team and your sorting of the norm statements, without your name.",
     "Withdraw from research", "Withdraw from research", NULL},
    {"quotes", "Quoting your words", "quoting your words",
     "Your words may be quoted in reports, without your name.",
     "Stop quoting your words", "Stop quoting my words",
     "Your words will not be quoted in reports from now on."},
    {"contact", "Contact about research", "contact about research",
     "The programme may contact you about research beyond the programme itself.",
     "Stop contact about research", "Stop contacting me",
     "The programme will not contact you about research from now on."},
};
#define NPURPOSES (sizeof consent_purposes / sizeof consent_purposes[0])

static const struct consent_purpose *consent_purpose_of(const char *purpose)
{
    for (size_t i = 0; purpose && i < NPURPOSES; i++)
        if (strcmp(purpose, consent_purposes[i].purpose) == 0)
            return &consent_purposes[i];
    return NULL;
}

/* The consent of the caller, whose key is key (their key changes when they
** withdraw from research): {sign_in_name, withdrawn_from_research,
** consent: [{purpose, given, in_force, version, given_at, withdrawn_at}]},
** one row per purpose (given once, withdrawn once: docs/data-model.md). */
static json_t *consent_data_of(struct web_req *rq, const char *key, duet_err *e)
{
    json_t *rows = store_consent_list(rq->st, key, e);
    if (rows == NULL)
        return NULL;
    json_t *list = json_array();
    int withdrawn = 0;
    for (size_t k = 0; k < NPURPOSES; k++) {
        json_t *found = NULL, *r;
        size_t i;
        json_array_foreach(rows, i, r)
            if (strcmp(str(r, "purpose"), consent_purposes[k].purpose) == 0)
                found = r;
        json_t *wd = found ? json_object_get(found, "withdrawn_at") : NULL;
        int in_force = found && (wd == NULL || json_is_null(wd));
        if (strcmp(consent_purposes[k].purpose, "research") == 0 && found && !in_force)
            withdrawn = 1;
        json_array_append_new(list, json_pack(
            "{s:s, s:b, s:b, s:O?, s:O?, s:O?}", "purpose", consent_purposes[k].purpose,
            "given", found != NULL, "in_force", in_force, "version",
            found ? json_object_get(found, "version") : NULL, "given_at",
            found ? json_object_get(found, "given_at") : NULL, "withdrawn_at",
            found ? json_object_get(found, "withdrawn_at") : NULL));
    }
    json_decref(rows);
    return json_pack("{s:s, s:b, s:o}", "sign_in_name", key, "withdrawn_from_research",
                     withdrawn, "consent", list);
}

static json_t *consent_data(struct web_req *rq, duet_err *e)
{
    return consent_data_of(rq, rq->who->person_key, e);
}

/* The row of purpose in consent_data's list. */
static json_t *consent_row(json_t *data, const char *purpose)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(data, "consent"), i, r)
        if (strcmp(str(r, "purpose"), purpose) == 0)
            return r;
    return NULL;
}

static void get_consent(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *d = consent_data(rq, &e);
    if (d == NULL) {
        fail_page(rq, rs, &e);
        return;
    }
    const struct consent_purpose *done = consent_purpose_of(web_query(rq, "withdrawn"));
    page_begin(rq, rs, "Your consent");
    duet_buf *b = &rs->body;
    if (done && strcmp(done->purpose, "research") == 0) {
        char text[256];
        snprintf(text, sizeof text, "We have erased your name and what you wrote. Your sign-in "
                 "name is now %s. Use it with your usual password next time you sign in.",
                 rq->who->person_key);
        success_banner(rs, "You have withdrawn from research", text);
    } else if (done) {
        success_banner(rs, "You have withdrawn your consent", done->done);
    }
    html_printf(b, "<h1>Your consent</h1>\n<p>You agreed to some uses of what you tell the "
                   "programme. You can withdraw from any of them at any time. You do not have "
                   "to give a reason.</p>\n<dl class=\"nhsuk-summary-list\">\n");
    for (size_t k = 0; k < NPURPOSES; k++) {
        const struct consent_purpose *cp = &consent_purposes[k];
        json_t *r = consent_row(d, cp->purpose);
        char when[32];
        html_printf(b, "<div class=\"nhsuk-summary-list__row\">\n<dt class=\"nhsuk-summary-list__key\">"
                       "%s</dt>\n<dd class=\"nhsuk-summary-list__value\"><p>%s</p><p>", cp->label,
                    cp->covers);
        if (!json_is_true(json_object_get(r, "given"))) {
            html_printf(b, "You have not agreed to this.");
        } else if (json_is_true(json_object_get(r, "in_force"))) {
            fmt_date(str(r, "given_at"), when);
            html_printf(b, "You agreed on %s.", when);
        } else {
            fmt_date(str(r, "withdrawn_at"), when);
            html_printf(b, "You withdrew on %s.", when);
        }
        html_printf(b, "</p></dd>\n<dd class=\"nhsuk-summary-list__actions\">");
        if (json_is_true(json_object_get(r, "in_force")))
            html_printf(b, "<a class=\"nhsuk-link\" href=\"/consent/withdraw?purpose=%s\">"
                           "Withdraw<span class=\"nhsuk-u-visually-hidden\"> from %s</span></a>",
                        cp->purpose, cp->in_sentence);
        html_printf(b, "</dd>\n</div>\n");
    }
    html_printf(b, "</dl>\n");
    if (json_is_true(json_object_get(d, "withdrawn_from_research")))
        html_printf(b, "<h2>Signing in</h2>\n<p>Because you withdrew from research, your "
                       "sign-in name is now <strong>%s</strong>. Your password has not "
                       "changed.</p>\n", rq->who->person_key);
    html_printf(b, "<p>If you have a question about your consent, ask your programme team.</p>\n"
                   "<p><a href=\"/\">Go to your home page</a></p>\n");
    json_decref(d);
    page_end(rq, rs);
}

/* The page before withdrawing: what will be erased, what is kept, that it
** cannot be undone, and one button. */
static void withdraw_confirm_page(struct web_req *rq, struct web_res *rs,
                                  const struct consent_purpose *cp)
{
    duet_buf *b = &rs->body;
    page_begin(rq, rs, cp->withdraw_title);
    page_back(rs, "/consent", "Back to your consent");
    html_printf(b, "<h1>%s</h1>\n", cp->withdraw_title);
    if (strcmp(cp->purpose, "research") == 0) {
        html_printf(b,
            "<p>If you withdraw, the programme's researchers will stop using anything about "
            "you, and we will erase what could identify you. You can still take part in the "
            "programme and use duet.</p>\n"
            "<h2>What we will erase</h2>\n<ul class=\"nhsuk-list nhsuk-list--bullet\">\n"
            "<li>your name, organisation and contact details</li>\n"
            "<li>all your reflections, including private ones, and any notes researchers made "
            "about them</li>\n"
            "<li>what you wrote in your check-ins</li>\n"
            "<li>check-ins you saved to finish later</li>\n"
            "<li>your sorting of the norm statements</li>\n"
            "<li>your name in duet's record of changes</li>\n</ul>\n"
            "<h2>What we will keep</h2>\n<ul class=\"nhsuk-list nhsuk-list--bullet\">\n"
            "<li>the scores you gave in check-ins you sent, without your name: they are not "
            "used for research and do not appear in any report, chart or download</li>\n"
            "<li>that you are a member of your partnership, and your role in it</li>\n"
            "<li>a record that you agreed to research and then withdrew</li>\n"
            "<li>your account, so you can still sign in</li>\n</ul>\n"
            "<h2>Signing in afterwards</h2>\n"
            "<p>Your sign-in name could identify you, so it will change to <strong>withdrawn-%" PRId64 ""
            "</strong>. Your password stays the same. Write your new sign-in name down before "
            "you continue.</p>\n"
            "<p>Your partners and the programme team will see you as \"(withdrawn)\". Anything "
            "you write after you withdraw will not be used for research either.</p>\n",
            rq->who->person_id);
    } else {
        html_printf(b, "<p>If you withdraw, we will record that from today %s</p>\n"
                       "<p>Nothing is erased. Your answers and reflections stay as they are, "
                       "and what you agreed to for research does not change.</p>\n",
                    strcmp(cp->purpose, "quotes") == 0
                        ? "your words must not be quoted in reports."
                        : "the programme must not contact you about research beyond the "
                          "programme itself.");
    }
    html_printf(b, "<div class=\"nhsuk-card nhsuk-card--warning\">\n<div class=\"nhsuk-card__content\">\n"
                   "<h2 class=\"nhsuk-card__heading\">This cannot be undone</h2>\n<p>%s</p>\n"
                   "</div>\n</div>\n"
                   "<form action=\"/consent/withdraw\" method=\"post\" novalidate>\n",
                strcmp(cp->purpose, "research") == 0
                    ? "We cannot get back what we erase, and you cannot agree to research "
                      "again later."
                    : "You cannot agree to this again later.");
    page_csrf_field(rq, rs);
    html_printf(b, "<input type=\"hidden\" name=\"purpose\" value=\"%s\">\n"
                   "<div class=\"nhsuk-button-group\">\n"
                   "<button class=\"nhsuk-button nhsuk-button--warning\" data-module=\"nhsuk-button\" "
                   "data-prevent-double-click=\"true\" type=\"submit\">%s</button>\n"
                   "<a class=\"nhsuk-link\" href=\"/consent\">Cancel and keep my consent</a>\n"
                   "</div>\n</form>\n", cp->purpose, cp->button);
    page_end(rq, rs);
}

static void get_withdraw(struct web_req *rq, struct web_res *rs)
{
    const struct consent_purpose *cp = consent_purpose_of(web_query(rq, "purpose"));
    if (cp == NULL) {
        web_redirect(rs, "/consent");
        return;
    }
    duet_err e;
    json_t *d = consent_data(rq, &e);
    if (d == NULL) {
        fail_page(rq, rs, &e);
        return;
    }
    int in_force = json_is_true(json_object_get(consent_row(d, cp->purpose), "in_force"));
    json_decref(d);
    if (!in_force)
        page_error(rq, rs, 409, "You have not agreed to this, or you have already withdrawn. "
                                "Go back to your consent to see what you agreed to.");
    else
        withdraw_confirm_page(rq, rs, cp);
}

/* Withdraws the caller's consent for cp. */
static int withdraw_own(struct web_req *rq, const struct consent_purpose *cp, duet_err *e)
{
    return store_consent_withdraw(rq->st, rq->who->person_key, cp->purpose, e);
}

static void post_withdraw(struct web_req *rq, struct web_res *rs)
{
    const struct consent_purpose *cp = consent_purpose_of(http_form_get(&rq->form, "purpose"));
    duet_err e;
    if (cp == NULL) {
        page_error(rq, rs, 422, "Choose what to withdraw from on your consent page.");
    } else if (withdraw_own(rq, cp, &e) != 0) {
        if (e.code == DUET_ECONFLICT)
            page_error(rq, rs, 409, "You have not agreed to this, or you have already "
                                    "withdrawn. Go back to your consent to see what you "
                                    "agreed to.");
        else
            fail_page(rq, rs, &e);
    } else {
        char loc[64];
        snprintf(loc, sizeof loc, "/consent?withdrawn=%s", cp->purpose);
        web_redirect(rs, loc);
    }
}

static void api_get_consent(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *d = consent_data(rq, &e);
    if (d == NULL)
        fail_json(rs, &e);
    else
        web_json(rs, 200, d);
}

static void api_post_withdraw(struct web_req *rq, struct web_res *rs)
{
    json_t *body = json_body(rq, rs);
    if (body == NULL)
        return;
    static const char *const keys[] = {"purpose", NULL};
    json_t *errors = json_object();
    const struct consent_purpose *cp =
        consent_purpose_of(json_string_value(json_object_get(body, "purpose")));
    if (cp == NULL)
        json_object_set_new(errors, "purpose", json_string("must be research, quotes or "
                                                           "contact"));
    duet_err e;
    if (only_keys(body, keys, errors) || json_object_size(errors)) {
        json_fields_error(rs, 422, "the request has fields that are missing or wrong", errors);
    } else if (withdraw_own(rq, cp, &e) != 0) {
        fail_json(rs, &e);
    } else {
        /* Withdrawing from research changed the key (docs/data-model.md). */
        char key[40];
        snprintf(key, sizeof key, "withdrawn-%lld", (long long)rq->who->person_id);
        json_t *d = consent_data_of(rq, strcmp(cp->purpose, "research") == 0
                                            ? key : rq->who->person_key, &e);
        if (d == NULL)
            fail_json(rs, &e);
        else
            web_json(rs, 200, d);
    }
    json_decref(errors);
    json_decref(body);
}

const struct web_route web_routes_participant[] = {
    {"GET", "/partnerships/{code}", ACCESS_PARTNERSHIP_VIEW, WEB_OBJ_PARTNERSHIP, get_partnership},
    {"GET", "/partnerships/{code}/modules/{n}/checkin", ACCESS_CHECKIN, WEB_OBJ_PARTNERSHIP,
     get_checkin},
    {"POST", "/partnerships/{code}/modules/{n}/checkin", ACCESS_CHECKIN, WEB_OBJ_PARTNERSHIP,
     post_checkin},
    {"GET", "/partnerships/{code}/reflections", ACCESS_REFLECTIONS_READ, WEB_OBJ_PARTNERSHIP,
     get_reflections},
    {"POST", "/partnerships/{code}/reflections", ACCESS_REFLECT, WEB_OBJ_PARTNERSHIP,
     post_reflection},
    {"GET", "/api/v1/partnerships", ACCESS_SIGNED_IN, WEB_OBJ_NONE, api_partnerships},
    {"GET", "/api/v1/partnerships/{code}", ACCESS_PARTNERSHIP_VIEW, WEB_OBJ_PARTNERSHIP,
     api_partnership},
    {"GET", "/api/v1/partnerships/{code}/modules/{n}/checkin", ACCESS_CHECKIN,
     WEB_OBJ_PARTNERSHIP, api_get_checkin},
    {"POST", "/api/v1/partnerships/{code}/modules/{n}/checkin", ACCESS_CHECKIN,
     WEB_OBJ_PARTNERSHIP, api_post_checkin},
    {"GET", "/api/v1/partnerships/{code}/reflections", ACCESS_REFLECTIONS_READ,
     WEB_OBJ_PARTNERSHIP, api_get_reflections},
    {"POST", "/api/v1/partnerships/{code}/reflections", ACCESS_REFLECT, WEB_OBJ_PARTNERSHIP,
     api_post_reflection},
    /* One's own consent: the object is always the caller. */
    {"GET", "/consent", ACCESS_SIGNED_IN, WEB_OBJ_NONE, get_consent},
    {"GET", "/consent/withdraw", ACCESS_SIGNED_IN, WEB_OBJ_NONE, get_withdraw},
    {"POST", "/consent/withdraw", ACCESS_SIGNED_IN, WEB_OBJ_NONE, post_withdraw},
    {"GET", "/api/v1/consent", ACCESS_SIGNED_IN, WEB_OBJ_NONE, api_get_consent},
    {"POST", "/api/v1/consent/withdraw", ACCESS_SIGNED_IN, WEB_OBJ_NONE, api_post_withdraw},
    {NULL, NULL, 0, 0, NULL},
};
