/*
** codes.c — a cohort's code frequencies in the browser and the API: how
** often each code was applied on each side of the partnerships, at each
** module, and which codes go together (analysis/codes.h; docs/coding.md,
** "Code frequencies and co-occurrence").
**
** The page and its API route share codes_data, so they always agree. The
** routes admit researchers only (ACCESS_ANALYSIS). They name the cohort as
** their object, as every route with a cohort in its path must
** (tests/web/test_access.mjs), though the analysis action has no object to
** check: codes_report itself refuses an unknown cohort (404). The report
** holds counts per code, never a passage or a
** person, so nothing needs pseudonymising; coders are named as they code.
** Every chart has its numbers in a table beside it, and nothing is written
** into HTML except through html_printf's escaping.
*/
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/codes.h"
#include "store/store.h"
#include "web/html.h"
#include "web/staffui.h"
#include "web/web.h"

#define NAME_MAX_BYTES 200      /* cohort and coder names from the request */
#define MATRIX_MAX_CODES 40     /* beyond this the co-occurrence is listed by pair */
#define PAIRS_MAX 500           /* pairs listed on the page (the API has them all) */

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long count(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* ------------------------------------------------------------------ */
/* the data                                                            */

/* The ?coder= of a request: NULL for every coder (absent or empty); sets
** *bad when it is not a reasonable name. */
static const char *coder_param(const struct web_req *rq, int *bad)
{
    const char *c = web_query(rq, "coder");
    *bad = 0;
    if (c == NULL || *c == '\0')
        return NULL;
    if (!staffui_text_ok(c, NAME_MAX_BYTES, 0))
        *bad = 1;
    return c;
}

/* codes_report for the path's cohort, or NULL after writing the failure. */
static json_t *codes_data(struct web_req *rq, struct web_res *rs, int is_api)
{
    const char *cohort = rq->params[0];
    int bad;
    const char *coder = coder_param(rq, &bad);
    if (bad) {
        if (is_api)
            web_json_error(rs, 400, "coder: a name of at most %d bytes, one line",
                           NAME_MAX_BYTES);
        else
            page_error(rq, rs, 400, "Choose a coder from the list.");
        return NULL;
    }
    duet_err e;
    if (cohort == NULL || !staffui_text_ok(cohort, NAME_MAX_BYTES, 0)) {
        duet_errf(&e, DUET_ENOTFOUND, "there is no such cohort");
        staffui_fail(rq, rs, is_api, &e);
        return NULL;
    }
    json_t *r = codes_report(rq->st, cohort, coder, &e);
    if (r == NULL)
        staffui_fail(rq, rs, is_api, &e);
    return r;
}

/* ------------------------------------------------------------------ */
/* pieces of the page                                                  */

static void table_begin(duet_buf *b, const char *caption, const char *const *cols, size_t n)
{
    html_scroll_begin(b, "%s", caption);
    html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-table__caption--s\">%s</caption>\n<thead class=\"nhsuk-table__head\">"
                   "<tr class=\"nhsuk-table__row\">", caption);
    for (size_t k = 0; k < n; k++)
        html_printf(b, "<th class=\"nhsuk-table__header\" scope=\"col\">%s</th>", cols[k]);
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
}

static void table_end(duet_buf *b)
{
    html_printf(b, "</tbody>\n</table>\n");
    html_scroll_end(b);
}

/* "3 of 10 (30%)", or "none coded". */
static void share_cell(duet_buf *b, const json_t *s)
{
    html_printf(b, "<td class=\"nhsuk-table__cell\">");
    json_t *p = json_object_get(s, "proportion");
    if (json_is_number(p)) {
        html_printf(b, "%" PRId64 " of %" PRId64 " (", (int64_t)count(s, "count"), (int64_t)count(s, "coded"));
        web_num(b, 100 * json_number_value(p));
        html_printf(b, "%%)");
    } else {
        html_printf(b, "none coded");
    }
    html_printf(b, "</td>");
}

/* A p or q value for people: "< 0.001" when tiny, "–" when untested. */
static void p_cell(duet_buf *b, const json_t *v)
{
    html_printf(b, "<td class=\"nhsuk-table__cell\">");
    if (!json_is_number(v))
        html_printf(b, "–");
    else if (json_number_value(v) < 0.001)
        html_printf(b, "&lt; 0.001");
    else
        web_num(b, json_number_value(v));
    html_printf(b, "</td>");
}

static const char *reading(const char *cls)
{
    if (strcmp(cls, "lived_experience") == 0)
        return "More common on the lived-experience side";
    if (strcmp(cls, "system") == 0)
        return "More common on the system side";
    if (strcmp(cls, "shared") == 0)
        return "Shared by both sides";
    if (strcmp(cls, "one_side") == 0)
        return "Found on one side only (not significant)";
    return "Not in any reflection";
}

/* A chart's spec as a new string (json_dumps), or NULL. Steals spec. */
static char *dump(json_t *spec)
{
    char *s = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(spec);
    return s;
}

/* Bars: the proportion of coded reflections with each code, by side. */
static char *side_spec(json_t *r)
{
    json_t *values = json_array(), *order = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "by_side"), i, row) {
        json_array_append_new(order, json_string(str(row, "name")));
        static const char *const sides[2][2] = {{"lived_experience", "Lived experience"},
                                                {"system", "System"}};
        for (int s = 0; s < 2; s++) {
            json_t *p = json_object_get(json_object_get(row, sides[s][0]), "proportion");
            if (json_is_number(p))
                json_array_append_new(values, json_pack("{s:s, s:s, s:O}", "code",
                                                        str(row, "name"), "side", sides[s][1],
                                                        "proportion", p));
        }
    }
    return dump(json_pack(
        "{s:s, s:s, s:{s:i}, s:{s:o}, s:s, s:{s:{s:s, s:s, s:n, s:o, s:{s:i}}, "
        "s:{s:s, s:s, s:[s,s]}, s:{s:s, s:s, s:s, s:{s:[i,i]}, s:{s:s}}, "
        "s:{s:s, s:s, s:n, s:{s:[s,s], s:[s,s]}, s:{s:s, s:s}}}}",
        "description", "Share of coded reflections with each code, by side", "width",
        "container", "height", "step", 12, "data", "values", values, "mark", "bar", "encoding",
        "y", "field", "code", "type", "nominal", "title", "sort", order, "axis", "labelLimit",
        260, "yOffset", "field", "side", "type", "nominal", "sort", "Lived experience", "System",
        "x", "field", "proportion", "type", "quantitative", "title",
        "Share of coded reflections", "scale", "domain", 0, 1, "axis", "format", "%", "color",
        "field", "side", "type", "nominal", "title", "scale", "domain", "Lived experience",
        "System", "range", "#005eb8", "#ed8b00", "legend", "orient", "bottom", "direction",
        "horizontal"));
}

/* A heatmap of the co-occurrence matrix. */
static char *cooc_spec(json_t *r)
{
    json_t *co = json_object_get(r, "co_occurrence");
    json_t *names = json_object_get(co, "names"), *values = json_array();
    size_t i, j;
    json_t *line;
    json_array_foreach(json_object_get(co, "matrix"), i, line)
        for (j = 0; j < json_array_size(line); j++)
            json_array_append_new(values, json_pack(
                "{s:s, s:s, s:O}", "row", json_string_value(json_array_get(names, i)), "column",
                json_string_value(json_array_get(names, j)), "documents",
                json_array_get(line, j)));
    return dump(json_pack(
        "{s:s, s:s, s:{s:i}, s:{s:o}, s:s, s:{s:{s:s, s:s, s:n, s:O, s:{s:i, s:i}}, "
        "s:{s:s, s:s, s:n, s:O, s:{s:i}}, s:{s:s, s:s, s:s, s:{s:s}}}}",
        "description", "Documents in which one coder applied both codes to overlapping passages",
        "width", "container", "height", "step", 22, "data", "values", values, "mark", "rect",
        "encoding", "x", "field", "column", "type", "nominal", "title", "sort", names, "axis",
        "labelAngle", -45, "labelLimit", 160, "y", "field", "row", "type", "nominal", "title",
        "sort", names, "axis", "labelLimit", 260, "color", "field", "documents", "type",
        "quantitative", "title", "Documents", "scale", "scheme", "blues"));
}

static void chart(struct web_res *rs, const char *id, char *spec, const char *label)
{
    if (spec == NULL)
        return;
    page_chart(rs, id, spec, label);
    free(spec);
}

static void coder_form(duet_buf *b, struct web_req *rq, const char *cohort, const char *coder)
{
    duet_err e;
    json_t *coders = store_coder_list(rq->st, &e);
    if (coders == NULL || json_array_size(coders) == 0) {
        json_decref(coders);
        return;
    }
    char action[600];
    staffui_href(action, sizeof action, "/cohorts/", cohort, "/codes");
    html_printf(b, "<form method=\"get\" action=\"%s\" novalidate>\n<div "
                   "class=\"nhsuk-form-group\">\n<label class=\"nhsuk-label\" for=\"coder\">"
                   "Whose coding to count</label>\n<select class=\"nhsuk-select\" id=\"coder\" "
                   "name=\"coder\">\n<option value=\"\"", action);
    html_raw_if(b, !coder, " selected");
    html_raw(b, ">Every coder</option>\n");
    size_t i;
    json_t *c;
    json_array_foreach(coders, i, c) {
        const char *name = str(c, "coder");
        html_printf(b, "<option value=\"%s\"", name);
        html_raw_if(b, coder && strcmp(coder, name) == 0, " selected");
        html_printf(b, ">%s</option>\n", name);
    }
    html_printf(b, "</select>\n</div>\n<button class=\"nhsuk-button nhsuk-button--secondary\" "
                   "data-module=\"nhsuk-button\" type=\"submit\">Show</button>\n</form>\n");
    json_decref(coders);
}

static void side_section(struct web_res *rs, json_t *r)
{
    duet_buf *b = &rs->body;
    json_t *n = json_object_get(r, "n_documents_coded");
    html_printf(b, "<h2 id=\"by-side\">By side</h2>\n<p>The share of coded reflections with "
                   "each code: %" PRId64 " written by lived-experience members and %" PRId64 " by system "
                   "members. A code is side-specific when Fisher's exact test finds the two "
                   "shares different with q below 0.05 (Benjamini–Hochberg, over the codes "
                   "tested).</p>\n", (int64_t)count(n, "lived_experience"),
                (int64_t)count(n, "system"));
    chart(rs, "codes-by-side", side_spec(r),
          "Bar chart of the share of coded reflections with each code, lived-experience side "
          "and system side; the numbers are in the table below");
    static const char *const cols[] = {"Code", "Lived experience", "System",
                                       "Observers' notes", "p", "q", "Reading"};
    table_begin(b, "Coded reflections with each code, by the author's side",
                cols, sizeof cols / sizeof cols[0]);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "by_side"), i, row) {
        html_printf(b, "<tr class=\"nhsuk-table__row\" data-code=\"%s\" "
                       "data-classification=\"%s\"><th class=\"nhsuk-table__header\" "
                       "scope=\"row\">%s</th>", str(row, "code"), str(row, "classification"),
                    str(row, "name"));
        share_cell(b, json_object_get(row, "lived_experience"));
        share_cell(b, json_object_get(row, "system"));
        html_printf(b, "<td class=\"nhsuk-table__cell\">%" PRId64 "</td>",
                    (int64_t)count(row, "observations"));
        p_cell(b, json_object_get(row, "p"));
        p_cell(b, json_object_get(row, "q"));
        html_printf(b, "<td class=\"nhsuk-table__cell\">%s</td></tr>\n",
                    reading(str(row, "classification")));
    }
    table_end(b);
}

static void module_section(duet_buf *b, json_t *r)
{
    json_t *codes = json_object_get(r, "codes"), *bm = json_object_get(r, "by_module");
    size_t k = json_array_size(codes), nm = k ? json_array_size(bm) / k : 0;
    html_printf(b, "<h2 id=\"by-module\">By module</h2>\n");
    if (nm == 0) {
        html_printf(b, "<p>None of the coded documents belongs to a module.</p>\n");
        return;
    }
    html_printf(b, "<p>Of the documents coded at each module (reflections of both sides and "
                   "observers' notes), how many have the code.</p>\n");
    html_scroll_begin(b, "Coded documents with each code, by module");
    html_printf(b, "<table "
                   "class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-table__caption--s\">Coded documents with each code, by module"
                   "</caption>\n<thead class=\"nhsuk-table__head\"><tr "
                   "class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                   "scope=\"col\">Code</th>");
    for (size_t m = 0; m < nm; m++)
        html_printf(b, "<th class=\"nhsuk-table__header\" scope=\"col\">Module %" PRId64 "</th>",
                    (int64_t)count(json_array_get(bm, m), "module"));
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    for (size_t i = 0; i < k; i++) {
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                       "scope=\"row\">%s</th>", str(json_array_get(codes, i), "name"));
        for (size_t m = 0; m < nm; m++)
            share_cell(b, json_array_get(bm, i * nm + m));
        html_printf(b, "</tr>\n");
    }
    table_end(b);
}

static void cooc_section(struct web_res *rs, json_t *r)
{
    duet_buf *b = &rs->body;
    json_t *co = json_object_get(r, "co_occurrence");
    json_t *names = json_object_get(co, "names"), *matrix = json_object_get(co, "matrix");
    size_t k = json_array_size(names), i, j;
    html_printf(b, "<h2 id=\"co-occurrence\">Codes that go together</h2>\n<p>How many "
                   "documents have a passage with both codes from the same coder (passages "
                   "that overlap, or the same passage). Along the diagonal: how many documents "
                   "have the code at all.</p>\n");
    if (k <= MATRIX_MAX_CODES) {
        chart(rs, "codes-co-occurrence", cooc_spec(r),
              "Heatmap of how many documents have each pair of codes on overlapping "
              "passages; the numbers are in the table below");
        html_scroll_begin(b, "Documents with both codes on overlapping passages");
        html_printf(b, "<table class=\"nhsuk-table\">\n"
                       "<caption class=\"nhsuk-table__caption nhsuk-table__caption--s\">"
                       "Documents with both codes on overlapping passages</caption>\n<thead "
                       "class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><td "
                       "class=\"nhsuk-table__header\"></td>");
        for (j = 0; j < k; j++)
            html_printf(b, "<th class=\"nhsuk-table__header\" scope=\"col\">%s</th>",
                        json_string_value(json_array_get(names, j)));
        html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
        json_t *line;
        json_array_foreach(matrix, i, line) {
            html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" "
                           "scope=\"row\">%s</th>", json_string_value(json_array_get(names, i)));
            for (j = 0; j < k; j++)
                html_printf(b, "<td class=\"nhsuk-table__cell\">%" PRId64 "</td>",
                            (int64_t)json_integer_value(json_array_get(line, j)));
            html_printf(b, "</tr>\n");
        }
        table_end(b);
        return;
    }
    /* Too many codes to draw: the pairs found, as a list. */
    static const char *const cols[] = {"Code", "With code", "Documents"};
    table_begin(b, "Pairs of codes found together", cols, 3);
    size_t shown = 0, found = 0;
    for (i = 0; i < k; i++)
        for (j = i + 1; j < k; j++) {
            long long n = (long long)json_integer_value(
                json_array_get(json_array_get(matrix, i), j));
            if (n == 0)
                continue;
            found++;
            if (shown == PAIRS_MAX)
                continue;
            shown++;
            html_printf(b, "<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">%s"
                           "</td><td class=\"nhsuk-table__cell\">%s</td><td "
                           "class=\"nhsuk-table__cell\">%" PRId64 "</td></tr>\n",
                        json_string_value(json_array_get(names, i)),
                        json_string_value(json_array_get(names, j)), (int64_t)n);
        }
    table_end(b);
    if (found > shown)
        html_printf(b, "<p>The first %" PRId64 " of %" PRId64 " pairs are shown; the API gives them all.</p>\n",
                    (int64_t)shown, (int64_t)found);
}

static void codes_page(struct web_req *rq, struct web_res *rs, json_t *r)
{
    duet_buf *b = &rs->body;
    const char *cohort = rq->params[0];
    const char *coder = json_is_string(json_object_get(r, "coder")) ? str(r, "coder") : NULL;
    page_begin(rq, rs, "Code frequencies");
    page_back(rs, "/home", "Back to the cohorts");
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>Code frequencies</h1>\n",
                cohort);
    coder_form(b, rq, cohort, coder);
    json_t *n = json_object_get(r, "n_documents_coded");
    if (count(n, "all") == 0) {
        html_printf(b, "<p>No coded documents yet%s%s. Codes are counted here once passages "
                       "of reflections or observers' notes have been coded.</p>\n",
                    coder ? " by " : "", coder ? coder : "");
        page_end(rq, rs);
        return;
    }
    html_printf(b, "<p>Coded documents: %" PRId64 " (reflections by lived-experience members %" PRId64 ", by "
                   "system members %" PRId64 ", observers' notes %" PRId64 "). A code counts once per document, "
                   "however many passages have it, so a long reflection or a keen coder does "
                   "not weigh more. Only texts whose authors' research consent is in force "
                   "count.</p>\n", (int64_t)count(n, "all"),
                (int64_t)count(n, "lived_experience"), (int64_t)count(n, "system"),
                (int64_t)count(n, "observations"));
    side_section(rs, r);
    module_section(b, r);
    cooc_section(rs, r);
    page_end(rq, rs);
}

static void get_codes(struct web_req *rq, struct web_res *rs)
{
    json_t *r = codes_data(rq, rs, 0);
    if (r == NULL)
        return;
    codes_page(rq, rs, r);
    json_decref(r);
}

static void api_codes(struct web_req *rq, struct web_res *rs)
{
    json_t *r = codes_data(rq, rs, 1);
    if (r)
        web_json(rs, 200, r);
}

const struct web_route web_routes_codes[] = {
    {"GET", "/cohorts/{name}/codes", ACCESS_ANALYSIS, WEB_OBJ_COHORT, get_codes},
    {"GET", "/api/v1/cohorts/{name}/codes", ACCESS_ANALYSIS, WEB_OBJ_COHORT, api_codes},
    {NULL, NULL, 0, 0, NULL},
};
