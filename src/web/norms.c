/*
** norms.c — Q-sorts of norm statements in the browser and the API: the
** participant's sorting page, and a cohort's norms page for its
** facilitators and for researchers (viewpoints drawn as grids, shared and
** side-specific statements, how each partnership moved and its regime).
**
** The sorting page needs neither drag and drop nor JavaScript: one fieldset
** per statement (the legend is the statement), a radio per grid column.
** The grid is enforced on submit: sort_check() names every problem for
** people (a column over its count, a statement without a column), and
** sorts_add() (app/sorts.h, through sorts_validate) is the final word
** before anything is stored. duet.js only adds a live count per column.
**
** As everywhere in the web layer, each page and its API route share one
** function that builds the data (sort_data, norms_data). Access is the
** route table's business; what this file decides itself is only whose
** names are shown (access_sees_identities): researchers get the research
** reading (consenting people only) and pseudonyms, as on the dashboard.
** Nothing is written into HTML except through html_printf's escaping.
*/
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/norms.h"
#include "app/sorts.h"
#include "io/qset.h"
#include "store/store.h"
#include "web/cache.h"
#include "web/html.h"
#include "web/norms.h"
#include "web/staffui.h"
#include "web/web.h"

#define MODULE_MAX 1000         /* module numbers, as the store allows */
#define UNSET INT_MIN           /* a statement without a column */
#define NOT_A_NUMBER (INT_MIN + 1)  /* a column sent as something else */
#define MIN_VIEWPOINT_SORTS 3   /* norms_viewpoints needs this many at a module */

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int num(const json_t *o, const char *key)
{
    return (int)json_integer_value(json_object_get(o, key));
}

/* A grid value as people read it: "+4", "0", "−4" (a real minus sign). */
static const char *col_label(int v, char out[16])
{
    if (v < 0)
        snprintf(out, 16, "\xe2\x88\x92%d", -v);
    else
        snprintf(out, 16, v > 0 ? "+%d" : "%d", v);
    return out;
}

/* "2026-03-01T09:00:00Z" as "1 March 2026" ("" if not a date). */
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

/* {"error": {status, message, fields}} (fields not stolen). */
static void json_fields_error(struct web_res *rs, int status, const char *msg, json_t *fields)
{
    web_json(rs, status, json_pack("{s:{s:i, s:s, s:O}}", "error", "status", status, "message",
                                   msg, "fields", fields));
}

static void success_banner(duet_buf *b, const char *heading, const char *text)
{
    html_printf(b,
        "<div class=\"nhsuk-notification-banner nhsuk-notification-banner--success\" "
        "role=\"alert\" aria-labelledby=\"sort-banner-title\" "
        "data-module=\"nhsuk-notification-banner\">\n"
        "<div class=\"nhsuk-notification-banner__header\">\n"
        "<h2 class=\"nhsuk-notification-banner__title\" id=\"sort-banner-title\">Success</h2>\n"
        "</div>\n<div class=\"nhsuk-notification-banner__content\">\n"
        "<p class=\"nhsuk-notification-banner__heading\">%s</p>\n<p>%s</p>\n</div>\n</div>\n",
        heading, text);
}

/* The Q-set's grid as [{value, count}]. */
static json_t *grid_json(const struct qset *q)
{
    json_t *g = json_array();
    for (size_t c = 0; c < q->ncols; c++)
        json_array_append_new(g, json_pack("{s:i, s:i}", "value", q->value[c], "count",
                                           q->count[c]));
    return g;
}

/* ------------------------------------------------------------------ */
/* the grid drawn as a table                                           */

/* A sort drawn as its grid: a real table whose columns are the grid's
** values (−4 … +4), each cell listing the statements placed there in
** statement order. place[i] is statement i's value (statements is
** [{id, text}] in Q-set order; a value off the grid is left out). With
** ids, each statement shows its id (for staff); otherwise its number.
** Responsive: on a phone each column becomes a block headed by its value. */
static void grid_table(duet_buf *b, const char *caption, json_t *grid, json_t *statements,
                       const int *place, int ids)
{
    size_t ncols = json_array_size(grid), c, i;
    json_t *g, *s;
    html_printf(b, "<table class=\"nhsuk-table nhsuk-table--responsive duet-qgrid\" "
                   "role=\"table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-table__caption--s\">%s</caption>\n<thead role=\"rowgroup\" "
                   "class=\"nhsuk-table__head\"><tr role=\"row\" class=\"nhsuk-table__row\">",
                caption);
    json_array_foreach(grid, c, g) {
        char v[16];
        html_printf(b, "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">"
                       "%s", col_label(num(g, "value"), v));
        html_raw_if(b, c == 0, "<br><span class=\"nhsuk-u-font-size-14\">Most disagree</span>");
        html_raw_if(b, c != 0 && c + 1 == ncols,
                    "<br><span class=\"nhsuk-u-font-size-14\">Most agree</span>");
        html_raw(b, "</th>");
    }
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\" role=\"rowgroup\">"
                   "<tr role=\"row\" class=\"nhsuk-table__row\">\n");
    json_array_foreach(grid, c, g) {
        char v[16];
        int value = num(g, "value");
        html_printf(b, "<td role=\"cell\" class=\"nhsuk-table__cell\"><span "
                       "class=\"nhsuk-table__heading\" aria-hidden=\"true\">%s%s </span>"
                       "<ul class=\"duet-qgrid__list\">",
                    col_label(value, v), c == 0 ? " (most disagree)"
                                         : c + 1 == ncols ? " (most agree)" : "");
        json_array_foreach(statements, i, s) {
            if (place[i] != value)
                continue;
            if (ids)
                html_printf(b, "<li class=\"duet-qgrid__item\"><strong>%s</strong> %s</li>",
                            str(s, "id"), str(s, "text"));
            else
                html_printf(b, "<li class=\"duet-qgrid__item\">%d. %s</li>", (int)i + 1,
                            str(s, "text"));
        }
        html_printf(b, "</ul></td>\n");
    }
    html_printf(b, "</tr>\n</tbody>\n</table>\n");
}

/* ------------------------------------------------------------------ */
/* the participant's sort: data                                        */

/* What a sort route is about, once resolved from its path. */
struct sort_target {
    int module;
    int64_t tid, mid, qid;
    struct qset q;              /* the default Q-set, latest version */
};

/* Resolves /partnerships/{code}/modules/{n}/sort; on failure *e is set and
** t->q is still safe to free. */
static int sort_resolve(struct web_req *rq, struct sort_target *t, duet_err *e)
{
    memset(t, 0, sizeof *t);
    long n;
    int64_t cid;
    if (!staffui_int(rq->params[1], 1, MODULE_MAX, &n))
        return duet_errf(e, DUET_ENOTFOUND, "there is no module '%.20s'", rq->params[1]);
    t->module = (int)n;
    if (store_partnership_id(rq->st, rq->params[0], &t->tid, &cid, e) != 0)
        return -1;
    if (store_module_id(rq->st, cid, t->module, &t->mid, e) != 0) {
        if (e->code == DUET_ENOTFOUND)
            duet_errf(e, DUET_ENOTFOUND, "module %d does not exist in the cohort of "
                      "partnership '%s'", t->module, rq->params[0]);
        return -1;
    }
    return store_qset_get(rq->st, QSET_DEFAULT_NAME, 0, &t->q, &t->qid, e);
}

/* The caller's sort for the target, or NULL: *e is set only on failure
** (no sort is not one). */
static json_t *my_sort(struct web_req *rq, const struct sort_target *t, int *failed, duet_err *e)
{
    duet_err tmp;
    json_t *mine = store_qsort_get(rq->st, rq->who->person_id, t->tid, t->mid, t->q.name, &tmp);
    *failed = mine == NULL && tmp.code != DUET_ENOTFOUND;
    if (*failed)
        *e = tmp;
    return mine;
}

/* The module's row of a partnership overview, or NULL. */
static json_t *module_row(json_t *ov, int n)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ov, "modules"), i, m)
        if (num(m, "module") == n)
            return m;
    return NULL;
}

/* What the sorting page shows and GET .../sort returns: {partnership,
** project_title, module: {module, held_on, theme}, qset: {name, version,
** title, description, instructions}, grid: [{value, count}], statements:
** [{id, number, text}], status ("done" or "not_started"), sort: null or
** {qset_version, created_at, values: {id: value}}}. The statements'
** dimensions and polarities are left out: they would steer the sort. */
static json_t *sort_data(struct web_req *rq, const struct sort_target *t, duet_err *e)
{
    json_t *ov = store_partnership_overview(rq->st, rq->params[0], 0, e);
    if (ov == NULL)
        return NULL;
    int failed;
    json_t *mine = my_sort(rq, t, &failed, e);
    if (failed) {
        json_decref(ov);
        return NULL;
    }
    const struct qset *q = &t->q;
    json_t *stmts = json_array();
    for (size_t i = 0; i < q->nstatements; i++)
        json_array_append_new(stmts, json_pack("{s:s, s:i, s:s}", "id", q->statements[i].id,
                                               "number", (int)i + 1, "text",
                                               q->statements[i].text));
    json_t *m = module_row(ov, t->module);
    json_t *sort = mine ? json_pack("{s:O, s:O, s:O}", "qset_version",
                                    json_object_get(mine, "qset_version"), "created_at",
                                    json_object_get(mine, "created_at"), "values",
                                    json_object_get(mine, "values"))
                        : json_null();
    json_t *out = json_pack(
        "{s:s, s:O?, s:{s:i, s:O?, s:O?}, s:{s:s, s:i, s:s, s:s?, s:s?}, s:o, s:o, s:s, s:o}",
        "partnership", rq->params[0], "project_title", json_object_get(ov, "project_title"),
        "module", "module", t->module, "held_on", json_object_get(m, "held_on"), "theme",
        json_object_get(m, "theme"), "qset", "name", q->name, "version", q->version, "title",
        q->title, "description", q->description, "instructions", q->instructions, "grid",
        grid_json(q), "statements", stmts, "status", mine ? "done" : "not_started", "sort",
        sort);
    json_decref(mine);
    json_decref(ov);
    if (out == NULL)
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    return out;
}

/* ------------------------------------------------------------------ */
/* the participant's sort: checking and saving                         */

/* Checks values[0..q->nstatements) (UNSET: no column chosen; NOT_A_NUMBER:
** something else was sent) against the grid and names every problem for
** people. summary receives [{statement (the id to link to), message}] in
** the order to show them: over-full columns from the lowest, then the
** statements without a column in statement order; fields receives
** {statement id: message} for the messages shown at a statement. *missing
** counts the statements without a column. Returns the number of problems
** (0: the sort fills the grid exactly, which is what sorts_validate checks). */
static size_t sort_check(const struct qset *q, const int *values, json_t *summary,
                         json_t *fields, size_t *missing)
{
    int held[QSET_MAX_COLUMNS] = {0};
    long first[QSET_MAX_COLUMNS];
    for (size_t c = 0; c < q->ncols; c++)
        first[c] = -1;
    json_t *later = json_array();
    size_t problems = 0;
    *missing = 0;
    for (size_t i = 0; i < q->nstatements; i++) {
        char msg[160];
        long c = values[i] == UNSET || values[i] == NOT_A_NUMBER ? -1
                                                                 : qset_column(q, values[i]);
        if (c >= 0) {
            if (held[c]++ == 0)
                first[c] = (long)i;
            continue;
        }
        if (values[i] == UNSET) {
            ++*missing;
            snprintf(msg, sizeof msg, "Choose a column for statement %zu", i + 1);
        } else {
            char lo[16], hi[16];
            snprintf(msg, sizeof msg, "Choose a column from %s to %s for statement %zu",
                     col_label(q->value[0], lo), col_label(q->value[q->ncols - 1], hi), i + 1);
        }
        json_array_append_new(later, json_pack("{s:s, s:s}", "statement", q->statements[i].id,
                                               "message", msg));
        json_object_set_new(fields, q->statements[i].id, json_string(msg));
        problems++;
    }
    for (size_t c = 0; c < q->ncols; c++) {
        if (held[c] <= q->count[c])
            continue;
        char msg[200], v[16];
        int over = held[c] - q->count[c];
        snprintf(msg, sizeof msg, "Column %s holds %d statements; the grid allows %d. Move %d "
                 "of them to another column", col_label(q->value[c], v), held[c], q->count[c],
                 over);
        const char *id = q->statements[first[c]].id;
        json_array_append_new(summary, json_pack("{s:s, s:s}", "statement", id, "message", msg));
        json_object_set_new(fields, id, json_string(msg));
        problems++;
    }
    json_array_extend(summary, later);
    json_decref(later);
    return problems;
}

/* A sort of the target's Q-set with every statement placed, as the
** placements sorts_add wants (borrowing the Q-set's ids). NULL when
** memory runs out. */
static struct sorts_entry *sort_entries(const struct qset *q, const int *values, size_t *n)
{
    struct sorts_entry *v = calloc(q->nstatements ? q->nstatements : 1, sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < q->nstatements; i++)
        if (values[i] != UNSET && values[i] != NOT_A_NUMBER)
            v[(*n)++] = (struct sorts_entry){q->statements[i].id, strlen(q->statements[i].id),
                                             values[i]};
    return v;
}

/* Stores the caller's sort (sorts_add validates it again, through
** sorts_validate, and refuses a second one with DUET_ECONFLICT). */
static int sort_save(struct web_req *rq, const struct sort_target *t, const int *values,
                     duet_err *e)
{
    size_t n;
    struct sorts_entry *v = sort_entries(&t->q, values, &n);
    if (v == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    struct sorts_sort s = {rq->who->person_key, rq->params[0], t->module, t->q.name,
                           t->q.version, "web", n, v};
    int rc = sorts_add(rq->st, &s, e);
    free(v);
    return rc;
}

/* sorts_validate's own words for what is wrong with values (for the API's
** message): the first problem, as the CLI would name it. */
static void validate_message(const struct qset *q, const int *values, char *out, size_t len)
{
    size_t n;
    struct sorts_entry *v = sort_entries(q, values, &n);
    int *tmp = calloc(q->nstatements ? q->nstatements : 1, sizeof *tmp);
    duet_err e;
    duet_err_clear(&e);
    snprintf(out, len, "the sort does not fill the grid");
    if (v && tmp && sorts_validate(q, v, n, tmp, &e) != 0)
        snprintf(out, len, "%s", e.msg);
    free(v);
    free(tmp);
}

/* ------------------------------------------------------------------ */
/* the participant's sort: the page                                    */

/* What the form shows besides the data: the columns as chosen (NULL:
** nothing chosen yet) and the problems (NULL: none). */
struct sort_form {
    const int *values;
    json_t *summary, *fields;
    size_t missing;
    const char *general;        /* a problem with no statement to link to */
};

static void sort_errors(duet_buf *b, const struct sort_form *f)
{
    if (json_array_size(f->summary) == 0 && f->general == NULL)
        return;
    html_printf(b, "<div class=\"nhsuk-error-summary\" data-module=\"nhsuk-error-summary\">\n"
                   "<div role=\"alert\">\n<h2 class=\"nhsuk-error-summary__heading\">There is a "
                   "problem</h2>\n<div class=\"nhsuk-error-summary__body\">\n");
    if (f->missing >= 3)   /* a long list: say what to do first */
        html_printf(b, "<p>%d statements have no column yet. Choose a column for each "
                       "statement, keeping to the number each column takes.</p>\n",
                    (int)f->missing);
    html_printf(b, "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n");
    if (f->general)
        html_printf(b, "<li>%s</li>\n", f->general);
    size_t i;
    json_t *p;
    json_array_foreach(f->summary, i, p)
        html_printf(b, "<li><a href=\"#statement-%s\">%s</a></li>\n", str(p, "statement"),
                    str(p, "message"));
    html_printf(b, "</ul>\n</div>\n</div>\n</div>\n");
}

/* One "Placed" cell of the grid's shape: plain under the count, a green
** tag when full, a red one when over (duet.js rewrites it the same way). */
static void placed_cell(duet_buf *b, int value, int held, int count)
{
    html_printf(b, "<td class=\"nhsuk-table__cell\" data-qsort-placed=\"%d\" "
                   "data-qsort-capacity=\"%d\">", value, count);
    if (held > count)
        html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--red\">%d<span "
                       "class=\"nhsuk-u-visually-hidden\"> (too many)</span></strong>", held);
    else if (held == count)
        html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--green\">%d</strong>", held);
    else
        html_printf(b, "%d", held);
    html_printf(b, "</td>");
}

/* The grid's shape: how many statements each column takes and how many
** are placed there so far (live with JavaScript). */
static void shape_table(duet_buf *b, const struct qset *q, const int *values)
{
    int held[QSET_MAX_COLUMNS] = {0};
    for (size_t i = 0; values && i < q->nstatements; i++) {
        long c = qset_column(q, values[i]);
        if (values[i] != UNSET && values[i] != NOT_A_NUMBER && c >= 0)
            held[c]++;
    }
    html_printf(b, "<table class=\"nhsuk-table duet-qsort-shape\">\n<caption "
                   "class=\"nhsuk-table__caption nhsuk-table__caption--s\">How many statements "
                   "each column takes</caption>\n<thead class=\"nhsuk-table__head\"><tr "
                   "class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"col\">"
                   "Column</th>");
    for (size_t c = 0; c < q->ncols; c++) {
        char v[16];
        html_printf(b, "<th class=\"nhsuk-table__header\" scope=\"col\">%s</th>",
                    col_label(q->value[c], v));
    }
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n<tr "
                   "class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                   "scope=\"row\">Takes</th>");
    for (size_t c = 0; c < q->ncols; c++)
        html_printf(b, "<td class=\"nhsuk-table__cell\">%d</td>", q->count[c]);
    html_printf(b, "</tr>\n<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                   "scope=\"row\">Placed</th>");
    for (size_t c = 0; c < q->ncols; c++)
        placed_cell(b, q->value[c], held[c], q->count[c]);
    html_printf(b, "</tr>\n</tbody>\n</table>\n");
}

/* One statement: a fieldset whose legend is the statement, with a radio
** for each column of the grid (inline; they wrap on a phone). */
static void statement_fieldset(duet_buf *b, const struct qset *q, size_t i, int value,
                               const char *err)
{
    const char *sid = q->statements[i].id;
    char id[64];
    snprintf(id, sizeof id, "statement-%s", sid);
    html_raw(b, "<div class=\"nhsuk-form-group");
    html_raw_if(b, err, " nhsuk-form-group--error");
    html_raw(b, "\">\n<fieldset class=\"nhsuk-fieldset\"");
    if (err)
        html_printf(b, " aria-describedby=\"%s-error\"", id);
    html_printf(b, ">\n<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">%d. %s"
                   "</legend>\n", (int)i + 1, q->statements[i].text);
    if (err)
        html_printf(b, "<span class=\"nhsuk-error-message\" id=\"%s-error\"><span "
                       "class=\"nhsuk-u-visually-hidden\">Error: </span>%s</span>\n", id, err);
    html_printf(b, "<div class=\"nhsuk-radios nhsuk-radios--inline nhsuk-radios--small "
                   "duet-qsort-scale\" data-module=\"nhsuk-radios\">\n");
    for (size_t c = 0; c < q->ncols; c++) {
        char rid[80], v[16];
        if (c == 0)
            snprintf(rid, sizeof rid, "%s", id);
        else
            snprintf(rid, sizeof rid, "%s-%zu", id, c + 1);
        html_printf(b, "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" "
                       "id=\"%s\" name=\"%s\" type=\"radio\" value=\"%d\"",
                    rid, id, q->value[c]);
        html_raw_if(b, value == q->value[c], " checked");
        html_printf(b, "><label "
                       "class=\"nhsuk-label nhsuk-radios__label\" for=\"%s\">%s%s</label></div>\n",
                    rid, col_label(q->value[c], v),
                    c == 0 ? " Most disagree" : c + 1 == q->ncols ? " Most agree" : "");
    }
    html_printf(b, "</div>\n</fieldset>\n</div>\n");
}

static void sort_form_html(struct web_req *rq, struct web_res *rs, const struct sort_target *t,
                           const struct sort_form *f)
{
    duet_buf *b = &rs->body;
    const struct qset *q = &t->q;
    if (q->instructions)
        html_printf(b, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Information: </span><p>%s</p></div>\n", q->instructions);
    char lo[16], hi[16];
    html_printf(b, "<p>Choose a column for each of the %d statements below, from %s (most "
                   "disagree) to %s (most agree). Each column takes only as many statements "
                   "as the table shows, so you will need to choose which ones matter most to "
                   "you. Your partners do not see your sort.</p>\n", (int)q->nstatements,
                col_label(q->value[0], lo), col_label(q->value[q->ncols - 1], hi));
    shape_table(b, q, f->values);
    html_printf(b, "<p class=\"nhsuk-body-s\" data-qsort-status role=\"status\" "
                   "aria-live=\"polite\"></p>\n");
    html_printf(b, "<form method=\"post\" action=\"/partnerships/%s/modules/%d/sort\" "
                   "novalidate data-qsort>\n", rq->params[0], t->module);
    page_csrf_field(rq, rs);
    html_printf(b, "<h2>The statements</h2>\n");
    for (size_t i = 0; i < q->nstatements; i++)
        statement_fieldset(b, q, i, f->values ? f->values[i] : UNSET,
                           json_string_value(json_object_get(f->fields, q->statements[i].id)));
    size_t placed = 0;
    for (size_t i = 0; f->values && i < q->nstatements; i++)
        placed += qset_column(q, f->values[i]) >= 0 && f->values[i] != UNSET &&
                  f->values[i] != NOT_A_NUMBER;
    html_printf(b, "<p data-qsort-total data-qsort-of=\"%d\">You have placed %d of %d "
                   "statements.</p>\n<button class=\"nhsuk-button\" type=\"submit\" "
                   "data-module=\"nhsuk-button\">Save my sort</button>\n</form>\n",
                (int)q->nstatements, (int)placed, (int)q->nstatements);
}

/* A finished sort, drawn as the grid. */
static void sort_done_html(duet_buf *b, json_t *data)
{
    json_t *sort = json_object_get(data, "sort"), *vals = json_object_get(sort, "values");
    json_t *stmts = json_object_get(data, "statements");
    size_t n = json_array_size(stmts), i;
    json_t *s;
    int *place = calloc(n ? n : 1, sizeof *place);
    if (place == NULL)
        return;
    json_array_foreach(stmts, i, s) {
        json_t *v = json_object_get(vals, str(s, "id"));
        place[i] = json_is_integer(v) ? (int)json_integer_value(v) : UNSET;
    }
    char date[32];
    fmt_date(str(sort, "created_at"), date);
    html_printf(b, "<p>You sorted the statements on %s. Each sort can be made once, so it "
                   "cannot be changed now.</p>\n", date);
    grid_table(b, "Your sort: the statements in the columns you chose",
               json_object_get(data, "grid"), stmts, place, 0);
    free(place);
}

static void sort_page(struct web_req *rq, struct web_res *rs, const struct sort_target *t,
                      json_t *data, const struct sort_form *f)
{
    int done = strcmp(str(data, "status"), "done") == 0;
    json_t *m = json_object_get(data, "module");
    char title[96], back[160], date[32];
    snprintf(title, sizeof title, "%s module %d", done ? "Your sort for" : "Sort the statements "
             "for", t->module);
    snprintf(back, sizeof back, "/partnerships/%s", rq->params[0]);
    page_begin(rq, rs, title);
    page_back(rs, back, "Back to your partnership");
    if (!done)
        sort_errors(&rs->body, f);
    html_printf(&rs->body, "<h1><span class=\"nhsuk-caption-l\">Partnership %s%s%s</span>%s</h1>\n",
                rq->params[0], *str(m, "theme") ? " – " : "", str(m, "theme"), title);
    fmt_date(str(m, "held_on"), date);
    if (*date)
        html_printf(&rs->body, "<p class=\"nhsuk-body-s\">Module held on %s</p>\n", date);
    if (done)
        sort_done_html(&rs->body, data);
    else
        sort_form_html(rq, rs, t, f);
    page_end(rq, rs);
}

/* Resolves the route and loads its data; on failure writes the error
** (page or JSON) and returns NULL (t->q is freed by the caller either way). */
static json_t *sort_load(struct web_req *rq, struct web_res *rs, int api, struct sort_target *t)
{
    duet_err e;
    json_t *data = sort_resolve(rq, t, &e) == 0 ? sort_data(rq, t, &e) : NULL;
    if (data == NULL)
        staffui_fail(rq, rs, api, &e);
    return data;
}

static void get_sort(struct web_req *rq, struct web_res *rs)
{
    struct sort_target t;
    json_t *data = sort_load(rq, rs, 0, &t);
    if (data) {
        struct sort_form f = {NULL, NULL, NULL, 0, NULL};
        sort_page(rq, rs, &t, data, &f);
    }
    json_decref(data);
    qset_free(&t.q);
}

static void api_get_sort(struct web_req *rq, struct web_res *rs)
{
    struct sort_target t;
    json_t *data = sort_load(rq, rs, 1, &t);
    if (data)
        web_json(rs, 200, data);
    qset_free(&t.q);
}

static void sort_conflict_page(struct web_req *rq, struct web_res *rs, int n)
{
    char back[160];
    snprintf(back, sizeof back, "/partnerships/%s", rq->params[0]);
    buf_reset(&rs->body);
    rs->status = 409;
    page_begin(rq, rs, "You have already sorted the statements");
    html_printf(&rs->body, "<h1>You have already sorted the statements for module %d</h1>\n"
                           "<p>Each sort can be made once, so your sort has not been "
                           "changed.</p>\n<p><a href=\"%s/modules/%d/sort\">See the sort you "
                           "made</a></p>\n<p><a href=\"%s\">Go back to your partnership</a></p>\n",
                n, back, n, back);
    page_end(rq, rs);
}

/* Whether the caller has sorted for the target already (-1: the store failed). */
static int already_sorted(struct web_req *rq, const struct sort_target *t, duet_err *e)
{
    int exists = 0;
    if (store_qsort_exists(rq->st, rq->who->person_id, t->tid, t->mid, t->qid, &exists, e) != 0)
        return -1;
    return exists;
}

/* The columns chosen in the form, by statement (UNSET where none). */
static int *form_values(struct web_req *rq, const struct qset *q)
{
    int *v = malloc((q->nstatements ? q->nstatements : 1) * sizeof *v);
    for (size_t i = 0; v && i < q->nstatements; i++) {
        char name[64];
        snprintf(name, sizeof name, "statement-%s", q->statements[i].id);
        const char *s = http_form_get(&rq->form, name);
        duet_err ignored;
        v[i] = UNSET;
        if (s && *s && sorts_parse_value(s, strlen(s), &v[i], &ignored) != 0)
            v[i] = NOT_A_NUMBER;
    }
    return v;
}

/* Shows the form again with the columns chosen and what is wrong (422). */
static void sort_invalid(struct web_req *rq, struct web_res *rs, const struct sort_target *t,
                         struct sort_form *f)
{
    duet_err e;
    json_t *data = sort_data(rq, t, &e);
    if (data == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    rs->status = 422;
    sort_page(rq, rs, t, data, f);
    json_decref(data);
}

static void post_sort(struct web_req *rq, struct web_res *rs)
{
    struct sort_target t;
    duet_err e;
    int rc = sort_resolve(rq, &t, &e) == 0 ? already_sorted(rq, &t, &e) : -1;
    int *values = rc == 0 ? form_values(rq, &t.q) : NULL;
    if (rc == 0 && values == NULL)
        rc = duet_errf(&e, DUET_EINTERNAL, "out of memory");
    struct sort_form f = {values, json_array(), json_object(), 0, NULL};
    if (rc > 0) {
        sort_conflict_page(rq, rs, t.module);
    } else if (rc < 0) {
        staffui_fail(rq, rs, 0, &e);
    } else if (sort_check(&t.q, values, f.summary, f.fields, &f.missing) > 0) {
        sort_invalid(rq, rs, &t, &f);
    } else if (sort_save(rq, &t, values, &e) == 0) {
        char loc[200];
        snprintf(loc, sizeof loc, "/partnerships/%s?sorted=%d", rq->params[0], t.module);
        web_redirect(rs, loc);
    } else if (e.code == DUET_ECONFLICT) {
        sort_conflict_page(rq, rs, t.module);
    } else if (e.code == DUET_EINPUT) {   /* sorts_validate disagreed: say its words */
        f.general = e.msg;
        sort_invalid(rq, rs, &t, &f);
    } else {
        staffui_fail(rq, rs, 0, &e);
    }
    json_decref(f.summary);
    json_decref(f.fields);
    free(values);
    qset_free(&t.q);
}

/* The sort of a JSON body {"sort": {"ID": value, ...}} as values by
** statement (UNSET where missing); type problems go to fields. NULL when
** memory runs out. */
static int *json_values(json_t *sort, const struct qset *q, json_t *fields)
{
    int *v = malloc((q->nstatements ? q->nstatements : 1) * sizeof *v);
    for (size_t i = 0; v && i < q->nstatements; i++)
        v[i] = UNSET;
    const char *key;
    json_t *x;
    json_object_foreach(sort, key, x) {
        long i = qset_statement_index(q, key, strlen(key));
        char msg[160];
        if (i < 0) {
            snprintf(msg, sizeof msg, "not a statement of Q-set '%s'", q->name);
            json_object_set_new(fields, key, json_string(msg));
        } else if (!json_is_integer(x) || json_integer_value(x) < -QSET_VALUE_LIMIT ||
                   json_integer_value(x) > QSET_VALUE_LIMIT) {
            snprintf(msg, sizeof msg, "must be a whole number from %d to %d", q->value[0],
                     q->value[q->ncols - 1]);
            json_object_set_new(fields, key, json_string(msg));
        } else if (v) {
            v[i] = (int)json_integer_value(x);
        }
    }
    return v;
}

/* The body's {"sort": {...}}, or NULL after writing a 400 or 422. */
static json_t *sort_body(struct web_req *rq, struct web_res *rs)
{
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return NULL;
    json_t *fields = json_object();
    const char *key;
    json_t *x;
    json_object_foreach(body, key, x)
        if (strcmp(key, "sort") != 0)
            json_object_set_new(fields, key, json_string("unknown field"));
    if (!json_is_object(json_object_get(body, "sort")))
        json_object_set_new(fields, "sort", json_string("must be an object of statement ids "
                                                        "and grid values"));
    if (json_object_size(fields)) {
        json_fields_error(rs, 422, "the request has fields that are missing or wrong", fields);
        json_decref(body);
        body = NULL;
    }
    json_decref(fields);
    return body;
}

/* Checks values and saves them for the API; writes the response. */
static void api_sort_save(struct web_req *rq, struct web_res *rs, const struct sort_target *t,
                          const int *values, json_t *fields)
{
    json_t *summary = json_array();
    size_t missing;
    duet_err e;
    if (json_object_size(fields)) {
        json_fields_error(rs, 422, "the sort names statements that are not in the Q-set or "
                          "values that are not whole numbers", fields);
    } else if (sort_check(&t->q, values, summary, fields, &missing) > 0) {
        char msg[DUET_ERR_MAX];
        validate_message(&t->q, values, msg, sizeof msg);
        json_fields_error(rs, 422, msg, fields);
    } else if (sort_save(rq, t, values, &e) == 0) {
        json_t *data = sort_data(rq, t, &e);   /* what GET now returns */
        if (data)
            web_json(rs, 201, data);
        else
            staffui_fail(rq, rs, 1, &e);
    } else if (e.code == DUET_ECONFLICT) {
        web_json_error(rs, 409, "you have already sorted the statements for module %d",
                       t->module);
    } else if (e.code == DUET_EINPUT) {
        json_fields_error(rs, 422, e.msg, fields);
    } else {
        staffui_fail(rq, rs, 1, &e);
    }
    json_decref(summary);
}

static void api_post_sort(struct web_req *rq, struct web_res *rs)
{
    json_t *body = sort_body(rq, rs);
    if (body == NULL)
        return;
    struct sort_target t;
    duet_err e;
    int rc = sort_resolve(rq, &t, &e) == 0 ? already_sorted(rq, &t, &e) : -1;
    json_t *fields = json_object();
    int *values = rc == 0 ? json_values(json_object_get(body, "sort"), &t.q, fields) : NULL;
    if (rc == 0 && values == NULL)
        rc = duet_errf(&e, DUET_EINTERNAL, "out of memory");
    if (rc > 0)
        web_json_error(rs, 409, "you have already sorted the statements for module %d",
                       t.module);
    else if (rc < 0)
        staffui_fail(rq, rs, 1, &e);
    else
        api_sort_save(rq, rs, &t, values, fields);
    free(values);
    json_decref(fields);
    json_decref(body);
    qset_free(&t.q);
}

/* ------------------------------------------------------------------ */
/* the partnership page's part (web/norms.h)                           */

/* Who has sorted the default Q-set at which modules in cohort:
** {"CODE\nPERSON": {"N": true}}, from the web's cache while the data have
** not changed. The partnership page asks on every participant's visit, and
** one entry per cohort (not per person) keeps the memo's few places for the
** partnership trajectories. Read-only: the value may be shared. NULL when
** the store fails. */
static json_t *sorted_by_member(struct web_req *rq, const char *cohort)
{
    char key[WEB_CACHE_KEY];
    snprintf(key, sizeof key, "norms/sorted\n%s", cohort);
    json_t *done = web_cache_get(rq->cache, rq->st, key);
    if (done)
        return done;
    duet_err e;
    json_t *rows = store_qsort_list(rq->st, cohort, NULL, &e);
    if (rows == NULL)
        return NULL;
    done = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (strcmp(str(r, "qset"), QSET_DEFAULT_NAME) != 0)
            continue;
        char who[256], mod[16];
        snprintf(who, sizeof who, "%s\n%s", str(r, "partnership"), str(r, "person"));
        snprintf(mod, sizeof mod, "%d", num(r, "module"));
        json_t *mods = json_object_get(done, who);
        if (mods == NULL) {
            mods = json_object();
            json_object_set_new(done, who, mods);
        }
        json_object_set_new(mods, mod, json_true());
    }
    json_decref(rows);
    web_cache_put(rq->cache, rq->st, key, done);
    return done;
}

/* The modules at which the caller has sorted the default Q-set in the
** partnership, as {"N": true} (a new reference); NULL when the store fails. */
static json_t *my_sorted_modules(struct web_req *rq, json_t *partnership)
{
    json_t *all = sorted_by_member(rq, str(partnership, "cohort"));
    if (all == NULL)
        return NULL;
    char who[256];
    snprintf(who, sizeof who, "%s\n%s", str(partnership, "partnership"), rq->who->person_key);
    json_t *mine = json_object_get(all, who);
    mine = mine ? json_incref(mine) : json_object();
    json_decref(all);
    return mine;
}

static int is_participant(const struct web_req *rq)
{
    return rq->who && rq->who->role == AUTH_PARTICIPANT;
}

void norms_sort_banner(struct web_req *rq, struct web_res *rs, json_t *partnership)
{
    long n;
    if (!is_participant(rq) || !staffui_int(web_query(rq, "sorted"), 1, MODULE_MAX, &n))
        return;
    json_t *done = my_sorted_modules(rq, partnership);
    char key[16], text[160];
    snprintf(key, sizeof key, "%ld", n);
    if (json_object_get(done, key)) {
        snprintf(text, sizeof text, "Thank you. Your sort of the statements for module %ld has "
                 "been saved.", n);
        success_banner(&rs->body, "Sort saved", text);
    }
    json_decref(done);
}

void norms_sort_section(struct web_req *rq, struct web_res *rs, json_t *partnership)
{
    json_t *mods = json_object_get(partnership, "modules");
    if (!is_participant(rq) || json_array_size(mods) == 0)
        return;
    json_t *done = my_sorted_modules(rq, partnership);
    if (done == NULL)
        return;   /* the rest of the page still helps; the sort list is extra */
    duet_buf *b = &rs->body;
    const char *code = str(partnership, "partnership");
    html_printf(b, "<h2>Unspoken norms</h2>\n<p>At some modules we ask you to sort statements "
                   "about how people work together, from the ones you most disagree with to "
                   "the ones you most agree with. It takes about 15 minutes. Your partners do "
                   "not see your sort; your facilitators see the results for your cohort.</p>\n"
                   "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-table__caption--s\">Your sort for each module</caption>\n<thead "
                   "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Module</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Your sort</th></tr></thead>\n"
                   "<tbody class=\"nhsuk-table__body\">\n");
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m) {
        int n = num(m, "module");
        char key[16];
        snprintf(key, sizeof key, "%d", n);
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                       "scope=\"row\">%d</th><td class=\"nhsuk-table__cell\">", n);
        if (json_object_get(done, key))
            html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--green\">Done</strong> "
                           "<a href=\"/partnerships/%s/modules/%d/sort\">See your sort for "
                           "module %d</a>", code, n, n);
        else
            html_printf(b, "<a href=\"/partnerships/%s/modules/%d/sort\">Sort the statements "
                           "for module %d</a>", code, n, n);
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
    json_decref(done);
}

/* ------------------------------------------------------------------ */
/* a cohort's norms: data                                              */

/* The modules with sorts and how many each has: [{module, sorts}];
** *pick receives the module to show viewpoints for by default: the last
** with enough sorts for a factor analysis, else the last with any. */
static json_t *sorted_modules(const struct norms_data *d, int *pick)
{
    int *c = calloc(MODULE_MAX + 1, sizeof *c);
    json_t *out = json_array();
    *pick = 0;
    if (c == NULL)
        return out;
    for (size_t i = 0; i < d->nsorts; i++)
        if (d->sorts[i].module >= 1 && d->sorts[i].module <= MODULE_MAX)
            c[d->sorts[i].module]++;
    int last_any = 0;
    for (int m = 1; m <= MODULE_MAX; m++) {
        if (c[m] == 0)
            continue;
        json_array_append_new(out, json_pack("{s:i, s:i}", "module", m, "sorts", c[m]));
        last_any = m;
        if (c[m] >= MIN_VIEWPOINT_SORTS)
            *pick = m;
    }
    if (*pick == 0)
        *pick = last_any;
    free(c);
    return out;
}

/* Adds each member's display name to the report's partnerships (for
** readers who see identities). */
static int add_names(struct web_req *rq, const char *cohort, json_t *report, duet_err *e)
{
    json_t *rows = store_cohort_member_list(rq->st, cohort, e);
    if (rows == NULL)
        return -1;
    json_t *names = json_object();
    size_t i, j;
    json_t *r, *p, *m;
    json_array_foreach(rows, i, r) {
        char key[256];
        snprintf(key, sizeof key, "%s\n%s", str(r, "partnership"), str(r, "person"));
        json_object_set(names, key, json_object_get(r, "display_name"));
    }
    json_array_foreach(json_object_get(report, "partnerships"), i, p)
        json_array_foreach(json_object_get(p, "members"), j, m) {
            char key[256];
            snprintf(key, sizeof key, "%s\n%s", str(p, "partnership"), str(m, "person"));
            json_t *n = json_object_get(names, key);
            if (n)
                json_object_set(m, "display_name", n);
        }
    json_decref(names);
    json_decref(rows);
    return 0;
}

/* The report when nobody in the cohort has sorted yet. */
static json_t *empty_report(const char *cohort)
{
    return json_pack("{s:n, s:s, s:[], s:i, s:[], s:{}, s:n, s:s}", "qset", "cohort", cohort,
                     "dimensions", "sorts", 0, "partnerships", "regimes", "viewpoints",
                     "viewpoints_note", "nobody in this cohort has sorted the statements yet");
}

/* What the norms page shows and GET /api/v1/cohorts/{name}/norms returns:
** norms_report's document (docs/norms.md) for the cohort, read for the
** purpose the reader's role allows (operational for facilitators, research
** for researchers, who also get pseudonyms), with viewpoints at module
** (0: the default of sorted_modules), plus "module" (the module the
** viewpoints are for, or null), "modules" ([{module, sorts}]) and "grid"
** ([{value, count}] of the Q-set). Members carry display_name for readers
** who see identities. */
static json_t *norms_data(struct web_req *rq, const char *cohort, int module, duet_err *e)
{
    int names = access_sees_identities(rq->who);
    struct norms_options o = {cohort, NULL, names ? NULL : "research", module, 0};
    struct norms_data d;
    if (norms_load(rq->st, &o, &d, e) != 0)
        return NULL;
    int pick;
    json_t *mods = sorted_modules(&d, &pick);
    if (o.module == 0)
        o.module = pick;
    json_t *r = d.nsorts ? norms_report(&d, &o, e) : empty_report(cohort);
    json_t *grid = d.nsorts ? grid_json(&d.q) : json_array();
    norms_free(&d);
    if (r == NULL) {
        json_decref(mods);
        json_decref(grid);
        return NULL;
    }
    json_object_set_new(r, "module", o.module ? json_integer(o.module) : json_null());
    json_object_set_new(r, "modules", mods);
    json_object_set_new(r, "grid", grid);
    if (names && add_names(rq, cohort, r, e) != 0) {
        json_decref(r);
        return NULL;
    }
    if (!names) {
        json_t *map = staffui_pseudonyms(rq->st, cohort, e);
        if (map == NULL) {
            json_decref(r);
            return NULL;
        }
        staffui_pseudonymise(r, map);
        json_decref(map);
    }
    return r;
}

/* The ?module= of a norms request: 0 when absent; -1 after writing a 400. */
static int module_param(struct web_req *rq, struct web_res *rs, int api)
{
    const char *s = web_query(rq, "module");
    long n;
    if (s == NULL || *s == '\0')
        return 0;
    if (staffui_int(s, 1, MODULE_MAX, &n))
        return (int)n;
    if (api)
        web_json_error(rs, 400, "module must be a whole number from 1 to %d", MODULE_MAX);
    else
        page_error(rq, rs, 400, "The module must be a whole number, such as 6.");
    return -1;
}

/* ------------------------------------------------------------------ */
/* a cohort's norms: the page                                          */

static const struct {
    const char *name, *label, *meaning;
} regimes[] = {
    {"partnership", "Partnership", "the partners came close together, near the middle"},
    {"patient_native", "Met on system norms", "the partners came close together on the "
     "system side's unspoken rules"},
    {"system_native", "Met on lived-experience norms", "the partners came close together on "
     "the lived-experience side's unspoken rules"},
    {"polarised", "Polarised", "the partners moved further apart"},
    {"stalled", "Stalled", "the partners came somewhat closer, but not enough to meet"},
};
#define NREGIMES (sizeof regimes / sizeof regimes[0])

static const char *regime_label(const char *name)
{
    for (size_t k = 0; k < NREGIMES; k++)
        if (strcmp(regimes[k].name, name) == 0)
            return regimes[k].label;
    return *name ? name : "Not enough sorts yet";
}

static const char *who_moved_text(const char *w)
{
    static const char *const t[][2] = {{"both", "Both sides"},
                                       {"lived_experience", "The lived-experience side"},
                                       {"system", "The system side"},
                                       {"apart", "Both moved away"},
                                       {"neither", "Neither side"}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(t[k][0], w) == 0)
            return t[k][1];
    return "–";
}

/* A member's name as this reader may see it: the display name for staff,
** the pseudonym (already in "person") for researchers. */
static const char *member_name(json_t *p, const char *person)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "members"), i, m)
        if (strcmp(str(m, "person"), person) == 0 && *str(m, "display_name"))
            return str(m, "display_name");
    return person;
}

/* "Amira Khan (lived experience)": one line of a partnership's chart. */
static void partner_label(char *out, size_t n, json_t *p, json_t *s)
{
    snprintf(out, n, "%s (%s)", member_name(p, str(s, "person")),
             strcmp(str(s, "side"), "lived_experience") == 0 ? "lived experience" : "system");
}

/* Opens a responsive table (its rows stack on a phone, each cell headed by
** its column's name): caption (size class: "--s" or a font-size utility)
** and the column headings cols[0..n). */
static void rtable_begin(duet_buf *b, const char *caption, const char *size,
                         const char *const *cols, size_t n)
{
    html_printf(b, "<table class=\"nhsuk-table nhsuk-table--responsive\" role=\"table\">\n"
                   "<caption class=\"nhsuk-table__caption %s\">%s</caption>\n<thead "
                   "role=\"rowgroup\" class=\"nhsuk-table__head\"><tr role=\"row\" "
                   "class=\"nhsuk-table__row\">", size, caption);
    for (size_t k = 0; k < n; k++)
        html_printf(b, "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">"
                       "%s</th>", cols[k]);
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\" role=\"rowgroup\">\n");
}

static void rtable_end(duet_buf *b)
{
    html_printf(b, "</tbody>\n</table>\n");
}

/* Opens a cell of a responsive table, with its column's name for phones. */
static void rcell(duet_buf *b, const char *heading)
{
    html_printf(b, "<td role=\"cell\" class=\"nhsuk-table__cell\"><span "
                   "class=\"nhsuk-table__heading\" aria-hidden=\"true\">%s </span>", heading);
}

/* A number cell of a responsive table ("–" when missing). */
static void rcell_num(duet_buf *b, const char *heading, json_t *v)
{
    rcell(b, heading);
    web_num(b, json_is_number(v) ? json_number_value(v) : NAN);
    html_printf(b, "</td>");
}

static void cell_num(duet_buf *b, json_t *v)
{
    html_printf(b, "<td class=\"nhsuk-table__cell\">");
    web_num(b, json_is_number(v) ? json_number_value(v) : NAN);
    html_printf(b, "</td>");
}

/* Where each partnership ended up: the text alternative of the charts'
** story in one table, with the regime. */
static void regime_table(duet_buf *b, json_t *parts)
{
    static const char *const cols[] = {"Partnership", "Modules", "Distance at the first",
                                       "Distance at the last", "Where they ended (mean)",
                                       "Regime", "Who moved toward the other side"};
    rtable_begin(b, "Each partnership's distance at its first and last module with sorts, "
                 "where the partners ended up, and the regime", "nhsuk-table__caption--s", cols,
                 sizeof cols / sizeof cols[0]);
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p) {
        html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\">");
        rcell(b, cols[0]);
        html_printf(b, "%s</td>", str(p, "partnership"));
        rcell(b, cols[1]);
        json_t *f = json_object_get(p, "first_module"), *l = json_object_get(p, "last_module");
        if (json_is_integer(f) && json_is_integer(l) &&
            num(p, "first_module") != num(p, "last_module"))
            html_printf(b, "%d and %d", num(p, "first_module"), num(p, "last_module"));
        else if (json_is_integer(f))
            html_printf(b, "%d", num(p, "first_module"));
        else
            html_printf(b, "–");
        html_printf(b, "</td>");
        rcell_num(b, cols[2], json_object_get(p, "d0"));
        rcell_num(b, cols[3], json_object_get(p, "dm"));
        rcell_num(b, cols[4], json_object_get(p, "xbar"));
        rcell(b, cols[5]);
        html_printf(b, "%s</td>", regime_label(str(p, "regime")));
        rcell(b, cols[6]);
        html_printf(b, "%s</td></tr>\n",
                    who_moved_text(str(json_object_get(p, "movement"), "who_moved")));
    }
    rtable_end(b);
}

/* One line per partner, coloured and dashed by side so every card reads
** the same way (not by colour alone): the lived-experience side solid and
** blue, the system side dashed and orange (a triad's second system partner
** green, dotted). {"domain": [...], "range": [...]} of one scale. */
static void partner_scales(json_t *p, json_t **colour, json_t **dash)
{
    static const char *const lived_colours[] = {"#005eb8", "#330072", "#00a499"};
    static const char *const system_colours[] = {"#ed8b00", "#007f3b", "#7c2855"};
    static const int dashes[][2] = {{6, 4}, {2, 2}, {8, 2}};
    json_t *domain = json_array(), *colours = json_array(), *strokes = json_array();
    size_t i, nl = 0, ns = 0;
    json_t *m;
    json_array_foreach(json_object_get(p, "members"), i, m) {
        char label[200];
        partner_label(label, sizeof label, p, m);
        int lived = strcmp(str(m, "side"), "lived_experience") == 0;
        size_t k = lived ? nl++ : ns++;
        json_array_append_new(domain, json_string(label));
        json_array_append_new(colours, json_string(lived ? lived_colours[k % 3]
                                                         : system_colours[k % 3]));
        json_array_append_new(strokes, lived ? json_pack("[i,i]", 1, 0)
                                             : json_pack("[i,i]", dashes[k % 3][0],
                                                         dashes[k % 3][1]));
    }
    *colour = json_pack("{s:O, s:o}", "domain", domain, "range", colours);
    *dash = json_pack("{s:o, s:o}", "domain", domain, "range", strokes);
}

/* The Vega-Lite spec of one partnership's chart: each partner's position
** (the mean over the dimensions) at each module with sorts. A new string,
** or NULL when there is nothing to draw. */
static char *movement_spec(json_t *p)
{
    json_t *values = json_array();
    size_t i, j;
    json_t *m, *s;
    json_array_foreach(json_object_get(p, "modules"), i, m)
        json_array_foreach(json_object_get(m, "sorts"), j, s) {
            char label[200];
            partner_label(label, sizeof label, p, s);
            if (json_is_number(json_object_get(s, "x")))
                json_array_append_new(values, json_pack("{s:O, s:s, s:O}", "module",
                                                        json_object_get(m, "module"), "partner",
                                                        label, "position",
                                                        json_object_get(s, "x")));
        }
    if (json_array_size(values) == 0) {
        json_decref(values);
        return NULL;
    }
    json_t *colour, *dash;
    partner_scales(p, &colour, &dash);
    json_t *spec = json_pack(
        "{s:s, s:s, s:i, s:{s:o}, s:{s:s, s:b}, s:{s:{s:s, s:s, s:s, s:{s:i}}, "
        "s:{s:s, s:s, s:s, s:{s:[i,i]}}, s:{s:s, s:s, s:n, s:o, s:{s:s, s:s, s:i}}, "
        "s:{s:s, s:s, s:n, s:o, s:{s:s, s:s, s:i}}}}",
        "description", "Each partner's position over modules", "width", "container", "height",
        140, "data", "values", values, "mark", "type", "line", "point", 1, "encoding", "x",
        "field", "module", "type", "ordinal", "title", "Module", "axis", "labelAngle", 0, "y",
        "field", "position", "type", "quantitative", "title", "Position", "scale", "domain", -1,
        1, "color", "field", "partner", "type", "nominal", "title", "scale", colour, "legend",
        "orient", "bottom", "direction", "vertical", "labelLimit", 260, "strokeDash", "field",
        "partner", "type", "nominal", "title", "scale", dash, "legend", "orient", "bottom",
        "direction", "vertical", "labelLimit", 260);
    char *out = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(spec);
    return out;
}

/* A partnership's positions module by module: the text alternative of
** its chart, inside a details element next to it. */
static void movement_numbers(duet_buf *b, json_t *p)
{
    const char *code = str(p, "partnership");
    html_printf(b, "<details class=\"nhsuk-details\">\n<summary class=\"nhsuk-details__summary\">"
                   "<span class=\"nhsuk-details__summary-text\">Positions in %s</span></summary>\n"
                   "<div class=\"nhsuk-details__text\">\n<table class=\"nhsuk-table\">\n"
                   "<caption class=\"nhsuk-table__caption nhsuk-u-font-size-16\">Each partner's "
                   "position in %s by module (−1 to +1)</caption>\n<thead "
                   "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Module</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Partner</th><th "
                   "class=\"nhsuk-table__header\" scope=\"col\">Position</th></tr></thead>\n"
                   "<tbody class=\"nhsuk-table__body\">\n", code, code);
    size_t i, j;
    json_t *m, *s;
    json_array_foreach(json_object_get(p, "modules"), i, m)
        json_array_foreach(json_object_get(m, "sorts"), j, s) {
            char label[200];
            partner_label(label, sizeof label, p, s);
            html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                           "scope=\"row\">%d</th><td class=\"nhsuk-table__cell\">%s</td>",
                        num(m, "module"), label);
            cell_num(b, json_object_get(s, "x"));
            html_printf(b, "</tr>\n");
        }
    html_printf(b, "</tbody>\n</table>\n</div>\n</details>\n");
}

/* One partnership's card: its regime, chart and numbers. */
static void movement_card(struct web_res *rs, json_t *p, size_t index)
{
    duet_buf *b = &rs->body;
    const char *code = str(p, "partnership");
    html_printf(b, "<li class=\"duet-chart-grid__item\" data-partnership=\"%s\" "
                   "data-regime=\"%s\">\n<h3 class=\"duet-chart-grid__title\">%s <span "
                   "class=\"nhsuk-body-s\">%s</span></h3>\n", code, str(p, "regime"), code,
                regime_label(str(p, "regime")));
    char *spec = movement_spec(p);
    if (spec) {
        char id[32], label[200];
        snprintf(id, sizeof id, "movement-%zu", index + 1);
        snprintf(label, sizeof label, "Chart of each partner's position over modules in %s; "
                 "the numbers are under 'Positions in %s' below", code, code);
        page_chart(rs, id, spec, label);
        free(spec);
    }
    movement_numbers(b, p);
    html_printf(b, "</li>\n");
}

/* Every partner's position on each dimension at each module: the whole
** story in numbers, folded away. */
static void dimensions_table(duet_buf *b, json_t *data)
{
    json_t *dims = json_object_get(data, "dimensions");
    size_t nd = json_array_size(dims), i, j, k, l;
    json_t *p, *m, *s, *d;
    const char **cols = calloc(nd + 4, sizeof *cols);
    if (cols == NULL)
        return;
    cols[0] = "Partnership";
    cols[1] = "Module";
    cols[2] = "Partner";
    json_array_foreach(dims, k, d)
        cols[3 + k] = str(d, "label");
    cols[3 + nd] = "Mean";
    html_printf(b, "<details class=\"nhsuk-details\">\n<summary class=\"nhsuk-details__summary\">"
                   "<span class=\"nhsuk-details__summary-text\">Positions on each dimension"
                   "</span></summary>\n<div class=\"nhsuk-details__text\">\n");
    rtable_begin(b, "Each partner's position on each norm dimension at each module (−1 to +1)",
                 "nhsuk-u-font-size-16", cols, nd + 4);
    json_array_foreach(json_object_get(data, "partnerships"), i, p)
        json_array_foreach(json_object_get(p, "modules"), j, m)
            json_array_foreach(json_object_get(m, "sorts"), l, s) {
                char label[200];
                partner_label(label, sizeof label, p, s);
                html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\">");
                rcell(b, cols[0]);
                html_printf(b, "%s</td>", str(p, "partnership"));
                rcell(b, cols[1]);
                html_printf(b, "%d</td>", num(m, "module"));
                rcell(b, cols[2]);
                html_printf(b, "%s</td>", label);
                json_array_foreach(dims, k, d)
                    rcell_num(b, cols[3 + k],
                              json_object_get(json_object_get(s, "positions"), str(d, "name")));
                rcell_num(b, cols[3 + nd], json_object_get(s, "x"));
                html_printf(b, "</tr>\n");
            }
    rtable_end(b);
    html_printf(b, "</div>\n</details>\n");
    free(cols);
}

static void movement_section(struct web_res *rs, json_t *data)
{
    duet_buf *b = &rs->body;
    json_t *parts = json_object_get(data, "partnerships");
    html_printf(b, "<h2>How each partnership moved</h2>\n<p>Each sort gives a person a "
                   "<strong>position</strong> on each norm dimension, from −1 (the system "
                   "side's unspoken rules) to +1 (the lived-experience side's); the charts show "
                   "the mean over the dimensions. The <strong>distance</strong> between the "
                   "partners is compared at their first and last module with sorts.</p>\n"
                   "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">"
                   "Information: </span>\n<p>");
    for (size_t k = 0; k < NREGIMES; k++)
        html_printf(b, "%s<strong>%s</strong>: %s.", k ? " " : "", regimes[k].label,
                    regimes[k].meaning);
    html_printf(b, "</p>\n</div>\n");
    regime_table(b, parts);
    html_printf(b, "<ul class=\"duet-chart-grid\">\n");
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p)
        movement_card(rs, p, i);
    html_printf(b, "</ul>\n");
    dimensions_table(b, data);
}

/* Links to the viewpoints at the other modules with sorts. */
static void module_links(duet_buf *b, json_t *data, const char *cohort, int shown)
{
    json_t *mods = json_object_get(data, "modules");
    if (json_array_size(mods) < 2)
        return;
    html_printf(b, "<ul class=\"nhsuk-list\">\n");
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m) {
        int n = num(m, "module");
        if (n == shown)
            continue;
        char href[600], suffix[48];
        snprintf(suffix, sizeof suffix, "/norms?module=%d#viewpoints", n);
        staffui_href(href, sizeof href, "/cohorts/", cohort, suffix);
        html_printf(b, "<li><a href=\"%s\">Viewpoints at module %d</a> (%d sort%s)</li>\n",
                    href, n, num(m, "sorts"), num(m, "sorts") == 1 ? "" : "s");
    }
    html_printf(b, "</ul>\n");
}

static const char *factor_side_text(const char *side)
{
    if (strcmp(side, "lived_experience") == 0)
        return "the lived-experience side";
    if (strcmp(side, "system") == 0)
        return "the system side";
    if (strcmp(side, "mixed") == 0)
        return "both sides equally";
    return "no sort";
}

static void factors_table(duet_buf *b, json_t *vp)
{
    static const char *const cols[] = {"Viewpoint", "Share of the variance", "Sorts that "
                                       "define it", "From the lived-experience side", "From "
                                       "the system side", "Held mostly by"};
    char caption[80];
    snprintf(caption, sizeof caption, "The viewpoints at module %d", num(vp, "module"));
    rtable_begin(b, caption, "nhsuk-table__caption--s", cols, sizeof cols / sizeof cols[0]);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(vp, "factors"), i, f) {
        double share = json_number_value(json_object_get(f, "explained"));
        html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\">");
        rcell(b, cols[0]);
        html_printf(b, "%d</td>", num(f, "factor"));
        rcell(b, cols[1]);
        html_printf(b, "%d%%</td>", (int)lround(100 * share));
        rcell(b, cols[2]);
        html_printf(b, "%d</td>", num(f, "flagged"));
        rcell(b, cols[3]);
        html_printf(b, "%d</td>", num(f, "flagged_lived_experience"));
        rcell(b, cols[4]);
        html_printf(b, "%d</td>", num(f, "flagged_system"));
        rcell(b, cols[5]);
        html_printf(b, "%s</td></tr>\n", factor_side_text(str(f, "side")));
    }
    rtable_end(b);
}

/* Viewpoint f (from 1) drawn as its model sort. */
static void factor_grid(duet_buf *b, json_t *data, json_t *vp, json_t *f)
{
    int k = num(f, "factor");
    html_printf(b, "<h3>Viewpoint %d, held mostly by %s</h3>\n", k,
                factor_side_text(str(f, "side")));
    json_t *stmts = json_object_get(vp, "statements");
    size_t n = json_array_size(stmts), i;
    json_t *s;
    if (num(f, "flagged") == 0 || n == 0) {
        html_printf(b, "<p>No sort defines this viewpoint, so it has no model sort.</p>\n");
        return;
    }
    int *place = calloc(n, sizeof *place);
    if (place == NULL)
        return;
    json_array_foreach(stmts, i, s) {
        json_t *v = json_array_get(json_object_get(s, "array"), (size_t)k - 1);
        place[i] = json_is_integer(v) ? (int)json_integer_value(v) : UNSET;
    }
    char caption[120];
    snprintf(caption, sizeof caption, "Where viewpoint %d places each statement, from most "
             "disagree to most agree", k);
    grid_table(b, caption, json_object_get(data, "grid"), stmts, place, 1);
    free(place);
}

/* A statement of the viewpoints by id, or NULL. */
static json_t *statement_by_id(json_t *vp, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(vp, "statements"), i, s)
        if (strcmp(str(s, "id"), id) == 0)
            return s;
    return NULL;
}

/* "+3, +2 and +2": where each viewpoint with sorts places statement s. */
static void places_text(duet_buf *b, json_t *vp, json_t *s)
{
    size_t i, shown = 0, total = 0;
    json_t *f;
    json_array_foreach(json_object_get(vp, "factors"), i, f)
        total += num(f, "flagged") > 0;
    json_array_foreach(json_object_get(vp, "factors"), i, f) {
        if (num(f, "flagged") == 0)
            continue;
        char v[16];
        json_t *x = json_array_get(json_object_get(s, "array"), i);
        shown++;
        html_printf(b, "%s%s", shown == 1 ? "" : shown == total ? " and " : ", ",
                    col_label((int)json_integer_value(x), v));
    }
}

static void shared_section(duet_buf *b, json_t *vp)
{
    json_t *shared = json_object_get(vp, "shared_norms");
    html_printf(b, "<h3>Shared norms</h3>\n");
    if (json_array_size(shared) == 0) {
        html_printf(b, "<p>No statement is placed alike by every viewpoint, so there are no "
                       "shared norms at this module.</p>\n");
        return;
    }
    html_printf(b, "<p>Statements that no two viewpoints place significantly differently "
                   "(consensus statements): candidates for norms that both sides share. After "
                   "each, where the viewpoints place it.</p>\n<ul class=\"nhsuk-list "
                   "nhsuk-list--bullet\">\n");
    size_t i;
    json_t *id;
    json_array_foreach(shared, i, id) {
        json_t *s = statement_by_id(vp, json_string_value(id));
        if (s == NULL)
            continue;
        html_printf(b, "<li><strong>%s</strong> %s (", str(s, "id"), str(s, "text"));
        places_text(b, vp, s);
        html_printf(b, ")</li>\n");
    }
    html_printf(b, "</ul>\n");
}

static void specific_section(duet_buf *b, json_t *vp)
{
    json_t *ss = json_object_get(vp, "side_specific");
    html_printf(b, "<h3>Side-specific norms</h3>\n");
    if (!json_is_object(ss)) {
        html_printf(b, "<p>No two viewpoints are held mostly by one side each, so the sides' "
                       "own norms cannot be told apart at this module.</p>\n");
        return;
    }
    int lf = num(ss, "lived_experience_factor"), sf = num(ss, "system_factor");
    json_t *list = json_object_get(ss, "statements");
    html_printf(b, "<p>Statements that viewpoint %d (held mostly by the lived-experience side) "
                   "and viewpoint %d (held mostly by the system side) place two or more "
                   "columns apart, from those the lived-experience side places highest "
                   "relative to the system side.</p>\n", lf, sf);
    if (json_array_size(list) == 0) {
        html_printf(b, "<p>There are none.</p>\n");
        return;
    }
    char lh[64], sh[64];
    snprintf(lh, sizeof lh, "Lived-experience side (viewpoint %d)", lf);
    snprintf(sh, sizeof sh, "System side (viewpoint %d)", sf);
    const char *const cols[] = {"Statement", lh, sh, "Significant difference"};
    rtable_begin(b, "Where each side's viewpoint places the statements they differ on",
                 "nhsuk-table__caption--s", cols, 4);
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s) {
        char a[16], c[16];
        int dist = num(s, "distinguishing");
        html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\">");
        rcell(b, cols[0]);
        html_printf(b, "<strong>%s</strong> %s</td>", str(s, "id"), str(s, "text"));
        rcell(b, cols[1]);
        html_printf(b, "%s</td>", col_label(num(s, "lived_experience"), a));
        rcell(b, cols[2]);
        html_printf(b, "%s</td>", col_label(num(s, "system"), c));
        rcell(b, cols[3]);
        html_printf(b, "%s</td></tr>\n", dist == 2 ? "Yes (p < .01)" : dist == 1 ? "Yes (p < .05)"
                                                                                : "No");
    }
    rtable_end(b);
}

/* Whose sorts define which viewpoint, folded away. */
static void loadings_details(duet_buf *b, json_t *data, json_t *vp)
{
    html_printf(b, "<details class=\"nhsuk-details\">\n<summary class=\"nhsuk-details__summary\">"
                   "<span class=\"nhsuk-details__summary-text\">Which sorts define each "
                   "viewpoint</span></summary>\n<div class=\"nhsuk-details__text\">\n<table "
                   "class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-u-font-size-16\">The sorts at module %d and the viewpoint each "
                   "defines</caption>\n<thead class=\"nhsuk-table__head\"><tr "
                   "class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"col\">"
                   "Partner</th><th class=\"nhsuk-table__header\" scope=\"col\">Partnership</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Defines viewpoint</th></tr>"
                   "</thead>\n<tbody class=\"nhsuk-table__body\">\n", num(vp, "module"));
    /* Names come from the partnership's members (staff) or are pseudonyms. */
    json_t *byc = json_object();
    size_t i;
    json_t *p, *l;
    json_array_foreach(json_object_get(data, "partnerships"), i, p)
        json_object_set(byc, str(p, "partnership"), p);
    json_array_foreach(json_object_get(vp, "loadings"), i, l) {
        char label[200];
        json_t *owner = json_object_get(byc, str(l, "partnership"));
        partner_label(label, sizeof label, owner, l);
        html_printf(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%s</td>"
                       "<td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">",
                    label, str(l, "partnership"));
        if (json_is_integer(json_object_get(l, "flagged")))
            html_printf(b, "%d", num(l, "flagged"));
        else
            html_printf(b, "None");
        html_printf(b, "</td></tr>\n");
    }
    json_decref(byc);
    html_printf(b, "</tbody>\n</table>\n</div>\n</details>\n");
}

static void viewpoints_section(duet_buf *b, json_t *data, const char *cohort)
{
    json_t *vp = json_object_get(data, "viewpoints");
    int shown = num(data, "module");
    html_printf(b, "<h2 id=\"viewpoints\">Viewpoints at module %d</h2>\n", shown);
    if (!json_is_object(vp)) {
        const char *note = str(data, "viewpoints_note");
        html_printf(b, "<p>There are no viewpoints to show at this module: %s.</p>\n",
                    *note ? note : "too few sorts");
        module_links(b, data, cohort, shown);
        return;
    }
    html_printf(b, "<p>A Q factor analysis of the %d sorts made at module %d finds %d "
                   "viewpoints: groups of people who sorted the statements alike. Each "
                   "viewpoint is drawn as the sort that represents it best.</p>\n",
                num(vp, "sorts"), shown, (int)json_array_size(json_object_get(vp, "factors")));
    module_links(b, data, cohort, shown);
    factors_table(b, vp);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(vp, "factors"), i, f)
        factor_grid(b, data, vp, f);
    shared_section(b, vp);
    specific_section(b, vp);
    loadings_details(b, data, vp);
}

static void norms_page(struct web_req *rq, struct web_res *rs, const char *cohort, json_t *data)
{
    duet_buf *b = &rs->body;
    int staff = access_sees_identities(rq->who);
    char back[600];
    staffui_href(back, sizeof back, "/cohorts/", cohort, "");
    page_begin(rq, rs, "Unspoken norms");
    page_back(rs, staff ? back : "/home", staff ? "Back to the cohort" : "Back to the cohorts");
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>Unspoken norms</h1>\n", cohort);
    int sorts = num(data, "sorts");
    json_t *q = json_object_get(data, "qset");
    if (sorts == 0) {
        html_printf(b, "<p>Nobody in this cohort has sorted the statements yet%s. Participants "
                       "sort them from their partnership's page.</p>\n",
                    staff ? "" : " (or nobody who sorted has research consent in force)");
        page_end(rq, rs);
        return;
    }
    html_printf(b, "<p>What the Q-sorts of \"%s\" say: %d sorts by people in %d partnerships. "
                   "Each person sorted the statements about how work gets done from most "
                   "disagree to most agree; each statement leans toward the lived-experience "
                   "side's or the system side's unspoken rules.</p>\n", str(q, "title"), sorts,
                (int)json_array_size(json_object_get(data, "partnerships")));
    if (!staff)
        html_printf(b, "<p>Only people whose research consent is in force count. People appear "
                       "by pseudonym, for example P03-S2.</p>\n");
    movement_section(rs, data);
    viewpoints_section(b, data, cohort);
    page_end(rq, rs);
}

static void get_norms(struct web_req *rq, struct web_res *rs)
{
    int module = module_param(rq, rs, 0);
    if (module < 0)
        return;
    duet_err e;
    json_t *data = norms_data(rq, rq->params[0], module, &e);
    if (data == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    norms_page(rq, rs, rq->params[0], data);
    json_decref(data);
}

static void api_norms(struct web_req *rq, struct web_res *rs)
{
    int module = module_param(rq, rs, 1);
    if (module < 0)
        return;
    duet_err e;
    json_t *data = norms_data(rq, rq->params[0], module, &e);
    if (data == NULL)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, data);
}

const struct web_route web_routes_norms[] = {
    {"GET", "/partnerships/{code}/modules/{n}/sort", ACCESS_CHECKIN, WEB_OBJ_PARTNERSHIP,
     get_sort},
    {"POST", "/partnerships/{code}/modules/{n}/sort", ACCESS_CHECKIN, WEB_OBJ_PARTNERSHIP,
     post_sort},
    {"GET", "/cohorts/{name}/norms", ACCESS_COHORT_VIEW, WEB_OBJ_COHORT, get_norms},
    {"GET", "/api/v1/partnerships/{code}/modules/{n}/sort", ACCESS_CHECKIN,
     WEB_OBJ_PARTNERSHIP, api_get_sort},
    {"POST", "/api/v1/partnerships/{code}/modules/{n}/sort", ACCESS_CHECKIN,
     WEB_OBJ_PARTNERSHIP, api_post_sort},
    {"GET", "/api/v1/cohorts/{name}/norms", ACCESS_COHORT_VIEW, WEB_OBJ_COHORT, api_norms},
    {NULL, NULL, 0, 0, NULL},
};
