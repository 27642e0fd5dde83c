/*
** researcher.c — the researcher's pages and API: the relationships analysis
** and the determinants (actor–partner) model of a cohort, as pages with a
** chart and a table, as JSON and as CSV.
**
** Researchers see pseudonymised data only. Everything here is read for the
** purpose "research", so only people whose research consent is in force
** count, and every person key is replaced by a pseudonym (staffui.h:
** "P03-L1", "P03-S2") before anything leaves, in pages, JSON and CSV alike.
** Names, keys and contact details never reach a researcher.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/determinants.h"
#include "analysis/relationships.h"
#include "analysis/relcsv.h"
#include "io/csv.h"
#include "store/store.h"
#include "web/html.h"
#include "web/staffui.h"
#include "web/web.h"

#define DET_BOOTSTRAP 200   /* resamples for k's interval: the CLI's default */

/* ---- shared small pieces ---- */


/* A number cell of a CSV row: 17 significant digits, "" when missing. */
static const char *csv_num(double v, char buf[40])
{
    if (isnan(v))
        return "";
    snprintf(buf, 40, "%.17g", v);
    return buf;
}

/* A download's file name: the cohort with anything but [A-Za-z0-9._-] as '-'. */
static void set_download(struct web_res *rs, const char *what, const char *cohort)
{
    char name[96];
    size_t i = 0;
    for (const char *p = cohort; *p && i + 1 < sizeof name; p++) {
        char c = *p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
        name[i++] = ok ? c : '-';
    }
    name[i] = '\0';
    rs->content_type = "text/csv; charset=utf-8";
    snprintf(rs->disposition, sizeof rs->disposition, "attachment; filename=\"%s-%s.csv\"",
             what, name);
}

/* Headings and links shared by both results pages. */
static void results_head(struct web_req *rq, struct web_res *rs, const char *cohort,
                         const char *title)
{
    page_begin(rq, rs, title);
    page_back(rs, "/home", "Back to the cohorts");
    html_printf(&rs->body, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>%s</h1>\n", cohort,
                title);
}

/* ---- home: the cohorts ---- */

void home_researcher(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *cohorts = staffui_cohorts(rq, &e);
    if (cohorts == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    duet_buf *b = &rs->body;
    page_begin(rq, rs, "Cohorts");
    html_printf(b, "<h1>Cohorts</h1>\n<p>The results count only people whose research consent "
                   "is in force. People appear by pseudonym: the partnership's code, L for the "
                   "lived-experience side or S for the system side, and a number, for example "
                   "P03-S2.</p>\n<p><a href=\"/coding\">Code reflections and observers' "
                   "notes</a> with the codebook, alone or as a team.</p>\n");
    if (json_array_size(cohorts) == 0)
        html_printf(b, "<p>There are no cohorts yet.</p>\n");
    else {
        html_scroll_begin(b, "Cohorts and their results");
        html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                       "Cohorts and their results</caption>\n<thead class=\"nhsuk-table__head\">"
                       "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"col\">Cohort</th><th class=\"nhsuk-table__header\" scope=\"col\">Partnerships</th>"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">Modules</th><th class=\"nhsuk-table__header\" scope=\"col\">Results</th></tr>"
                       "</thead>\n<tbody class=\"nhsuk-table__body\">\n");
    }
    size_t i;
    json_t *c;
    json_array_foreach(cohorts, i, c) {
        const char *name = staffui_str(c, "name");
        char rel[600], det[600], norms[600], codes[600];
        staffui_href(rel, sizeof rel, "/research/relationships?cohort=", name, "");
        staffui_href(det, sizeof det, "/research/determinants?cohort=", name, "");
        staffui_href(norms, sizeof norms, "/cohorts/", name, "/norms");   /* norms.c */
        staffui_href(codes, sizeof codes, "/cohorts/", name, "/codes");   /* codes.c */
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%s<br><span class=\"nhsuk-body-s\">%s</span></th>"
                       "<td class=\"nhsuk-table__cell\">%" PRId64 "</td><td class=\"nhsuk-table__cell\">%" PRId64 "</td><td class=\"nhsuk-table__cell\"><a href=\"%s\">Relationships"
                       "<span class=\"nhsuk-u-visually-hidden\"> in %s</span></a><br>"
                       "<a href=\"%s\">Determinants<span class=\"nhsuk-u-visually-hidden\"> in "
                       "%s</span></a><br><a href=\"%s\">Unspoken norms<span "
                       "class=\"nhsuk-u-visually-hidden\"> in %s</span></a><br><a "
                       "href=\"%s\">Code frequencies<span class=\"nhsuk-u-visually-hidden\"> "
                       "in %s</span></a></td></tr>\n",
                    name, staffui_str(c, "programme"),
                    (int64_t)json_integer_value(json_object_get(c, "partnerships")),
                    (int64_t)json_integer_value(json_object_get(c, "modules")), rel, name, det,
                    name, norms, name, codes, name);
    }
    if (json_array_size(cohorts) > 0) {
        html_printf(b, "</tbody>\n</table>\n");
        html_scroll_end(b);
    }
    page_end(rq, rs);
    json_decref(cohorts);
}

/* ---- relationships ---- */

/* The research reading of cohort: rel_report's document (docs/analysis.md,
** section 3) with pseudonyms for people. d (may be NULL) keeps the loaded
** data for the CSV; the caller frees it with rel_free. */
static json_t *relationships(struct web_req *rq, const char *cohort, struct rel_data *keep,
                             duet_err *e)
{
    struct rel_data d;
    if (rel_load(rq->st, cohort, "research", &d, e) != 0)
        return NULL;
    json_t *r = rel_report(&d, e);
    json_t *map = r ? staffui_pseudonyms(rq->st, cohort, e) : NULL;
    if (map == NULL) {
        json_decref(r);
        rel_free(&d);
        return NULL;
    }
    staffui_pseudonymise(r, map);
    json_decref(map);
    if (keep)
        *keep = d;
    else
        rel_free(&d);
    return r;
}

/* The quality of side at a module of the report (NaN when missing). */
static double side_quality(json_t *m, const char *side)
{
    return staffui_num(json_object_get(json_object_get(m, "sides"), side), "quality");
}

/* The Vega-Lite spec of the gap over modules, one line per partnership. */
static char *gap_spec(json_t *report)
{
    json_t *values = json_array();
    size_t i, k;
    json_t *p, *m;
    json_array_foreach(json_object_get(report, "partnerships"), i, p)
        json_array_foreach(json_object_get(p, "modules"), k, m) {
            json_t *g = json_object_get(json_object_get(m, "gap"), "quality");
            if (json_is_number(g))
                json_array_append_new(values, json_pack("{s:s, s:O, s:O}", "partnership",
                                                        staffui_str(p, "partnership"), "module",
                                                        json_object_get(m, "module"), "gap", g));
        }
    json_t *spec = json_pack(
        "{s:s, s:s, s:i, s:{s:o}, s:[{s:{s:s, s:b}, s:{s:{s:s, s:s, s:s, s:{s:i}}, "
        "s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}}, {s:{s:[{s:i}]}, "
        "s:{s:s, s:s}, "
        "s:{s:{s:s, s:s}}}]}",
        "description", "Quality gap (lived experience minus system) over modules, by "
        "partnership", "width", "container", "height", 260, "data", "values", values, "layer",
        "mark", "type", "line", "point", 1, "encoding", "x", "field", "module", "type",
        "ordinal", "title", "Module", "axis", "labelAngle", 0, "y", "field", "gap", "type",
        "quantitative", "title", "Gap in quality", "color", "field", "partnership", "type",
        "nominal", "title", "Partnership",
        /* a dash pattern as well as a colour: twelve lines outnumber the palette */
        "strokeDash", "field", "partnership", "type", "nominal", "title", "Partnership",
        "data", "values", "zero", 0, "mark", "type", "rule",
        "color", "#425563", "encoding", "y", "field", "zero", "type", "quantitative");
    char *s = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(spec);
    return s;
}

/* The largest module number in the report (columns of the gap table). */
static int64_t last_module(json_t *report)
{
    int64_t last = 0;
    size_t i, k;
    json_t *p, *m;
    json_array_foreach(json_object_get(report, "partnerships"), i, p)
        json_array_foreach(json_object_get(p, "modules"), k, m)
            if (json_integer_value(json_object_get(m, "module")) > last)
                last = json_integer_value(json_object_get(m, "module"));
    return last > 64 ? 64 : last;
}

/* The chart's text alternative: partnerships × modules of gaps. */
static void gap_table(duet_buf *b, json_t *report)
{
    int64_t last = last_module(report);
    html_scroll_begin(b, "Gap in quality (lived experience minus system) by partnership and module");
    html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">Gap "
                   "in quality (lived experience minus system) by partnership and module"
                   "</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Partnership</th>");
    for (int64_t t = 1; t <= last; t++)
        html_printf(b, "<th class=\"nhsuk-table__header\" scope=\"col\">Module %" PRId64 "</th>", t);
    html_printf(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    size_t i, k;
    json_t *p, *m;
    double gaps[65];
    json_array_foreach(json_object_get(report, "partnerships"), i, p) {
        for (int64_t t = 0; t <= last; t++)
            gaps[t] = NAN;
        json_array_foreach(json_object_get(p, "modules"), k, m) {
            int64_t t = json_integer_value(json_object_get(m, "module"));
            if (t >= 1 && t <= last)
                gaps[t] = staffui_num(json_object_get(m, "gap"), "quality");
        }
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%s</th>", staffui_str(p, "partnership"));
        for (int64_t t = 1; t <= last; t++) {
            html_printf(b, "<td class=\"nhsuk-table__cell\">");
            web_num(b, gaps[t]);
            html_printf(b, "</td>");
        }
        html_printf(b, "</tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
    html_scroll_end(b);
}

/* A summary-list row with a number, or "–". */
static void summary_num(duet_buf *b, const char *key, double v, const char *after)
{
    html_printf(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "%s</dt><dd class=\"nhsuk-summary-list__value\">", key);
    web_num(b, v);
    html_printf(b, "%s</dd></div>\n", isnan(v) ? "" : after);
}

/* The cohort view: distributions, flags and nonindependence. */
static void cohort_summary(duet_buf *b, json_t *report)
{
    json_t *c = json_object_get(report, "cohort");
    json_t *dist = json_object_get(c, "distributions");
    int flagged = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(c, "ranking"), i, r)
        flagged += json_number_value(json_object_get(r, "concern")) > 0;
    html_printf(b, "<h2>The cohort</h2>\n<dl class=\"nhsuk-summary-list\">\n");
    summary_num(b, "Partnerships analysed", staffui_num(c, "partnerships"), "");
    summary_num(b, "Partnerships flagged", (double)flagged, "");
    summary_num(b, "Mean final quality, lived-experience side",
                staffui_num(json_object_get(dist, "final_quality_lived_experience"), "mean"),
                " (1–7)");
    summary_num(b, "Mean final quality, system side",
                staffui_num(json_object_get(dist, "final_quality_system"), "mean"), " (1–7)");
    summary_num(b, "Mean final gap in quality",
                staffui_num(json_object_get(dist, "final_quality_gap"), "mean"),
                " (lived experience minus system)");
    summary_num(b, "Mean final power balance",
                staffui_num(json_object_get(dist, "final_power_balance"), "mean"),
                " (−1 system decided, 0 shared, +1 lived experience decided)");
    summary_num(b, "Agreement between the sides on quality (Pearson r)",
                staffui_num(json_object_get(json_object_get(c, "nonindependence"), "quality"),
                            "r"), "");
    html_printf(b, "</dl>\n");
}

/* "P03-L1 4, P03-S1 6" */
static void rungs_text(duet_buf *b, json_t *m)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(m, "rungs"), i, r) {
        html_printf(b, "%s%s ", i ? ", " : "", staffui_str(r, "person"));
        web_num(b, staffui_num(r, "rung"));
    }
}

/* One partnership's table: quality per side, gap, rungs and the signal. */
static void partnership_table(duet_buf *b, json_t *p)
{
    const char *code = staffui_str(p, "partnership");
    json_t *flags = json_object_get(p, "flags");
    html_printf(b, "<h3>%s</h3>\n<p>", code);
    int any = 0;
    for (int f = 0; f < 4; f++)
        if (json_is_true(json_object_get(flags, staffui_flags[f])))
            html_printf(b, "%s<strong class=\"%s\">%s</strong>", any++ ? " " : "",
                        staffui_flag_class(staffui_flags[f]), staffui_flag_text(staffui_flags[f]));
    if (!any)
        html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--green\">Nothing flagged</strong>");
    html_printf(b, " Trajectory: %s.</p>\n",
                staffui_str(json_object_get(p, "trajectory"), "pattern"));
    html_scroll_begin(b, "%s by module", code);
    html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                   "nhsuk-u-font-size-19\">%s by module</caption>\n"
                   "<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"col\">Module</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Quality, lived experience</th><th class=\"nhsuk-table__header\" scope=\"col\">Quality, "
                   "system</th><th class=\"nhsuk-table__header\" scope=\"col\">Gap</th><th class=\"nhsuk-table__header\" scope=\"col\">Participation rungs"
                   "</th><th class=\"nhsuk-table__header\" scope=\"col\">Tokenism signal</th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n", code);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "modules"), i, m) {
        json_t *sig = json_object_get(m, "tokenism_signal");
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%" PRId64 "</th><td class=\"nhsuk-table__cell\">",
                    (int64_t)json_integer_value(json_object_get(m, "module")));
        web_num(b, side_quality(m, "lived_experience"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, side_quality(m, "system"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(json_object_get(m, "gap"), "quality"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        rungs_text(b, m);
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">%s</td></tr>\n",
                    json_is_true(sig) ? "Yes" : json_is_false(sig) ? "No" : "–");
    }
    html_printf(b, "</tbody>\n</table>\n");
    html_scroll_end(b);
}

static void page_relationships(struct web_req *rq, struct web_res *rs, const char *cohort,
                               json_t *report)
{
    duet_buf *b = &rs->body;
    char csv[600];
    staffui_href(csv, sizeof csv, "/research/relationships.csv?cohort=", cohort, "");
    results_head(rq, rs, cohort, "Relationships");
    html_printf(b, "<p>How each partnership's working relationship developed, from the "
                   "check-ins of people whose research consent is in force. Quality is the "
                   "mean of voice, trust, purpose and safety (1–7); the gap is the "
                   "lived-experience side's quality minus the system side's.</p>\n"
                   "<p><a href=\"%s\" download>Download the results as CSV</a> (one row per "
                   "partnership and module).</p>\n", csv);
    json_t *parts = json_object_get(report, "partnerships");
    if (json_array_size(parts) == 0) {
        html_printf(b, "<p>There are no check-ins to analyse in this cohort yet.</p>\n");
        page_end(rq, rs);
        return;
    }
    cohort_summary(b, report);
    html_printf(b, "<h2>The gap over modules</h2>\n");
    char *spec = gap_spec(report);
    if (spec)
        page_chart(rs, "chart-gap", spec, "Line chart of the quality gap of every partnership "
                   "over modules; the table below gives the numbers");
    free(spec);
    gap_table(b, report);
    html_printf(b, "<h2>Partnerships</h2>\n<p>In order of concern: flagged partnerships "
                   "first.</p>\n");
    json_t *idx = json_object();
    size_t i;
    json_t *p, *r;
    json_array_foreach(parts, i, p)
        json_object_set(idx, staffui_str(p, "partnership"), p);
    json_array_foreach(json_object_get(json_object_get(report, "cohort"), "ranking"), i, r) {
        p = json_object_get(idx, staffui_str(r, "partnership"));
        if (p)
            partnership_table(b, p);
    }
    json_decref(idx);
    page_end(rq, rs);
}

static void get_relationships(struct web_req *rq, struct web_res *rs)
{
    const char *cohort = staffui_cohort_param(rq, rs, 0);
    if (cohort == NULL)
        return;
    duet_err e;
    json_t *report = relationships(rq, cohort, NULL, &e);
    if (report == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    page_relationships(rq, rs, cohort, report);
    json_decref(report);
}

static void api_relationships(struct web_req *rq, struct web_res *rs)
{
    const char *cohort = staffui_cohort_param(rq, rs, 1);
    if (cohort == NULL)
        return;
    duet_err e;
    json_t *report = relationships(rq, cohort, NULL, &e);
    if (report == NULL)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, report);
}

static void get_relationships_csv(struct web_req *rq, struct web_res *rs)
{
    const char *cohort = staffui_cohort_param(rq, rs, 0);
    if (cohort == NULL)
        return;
    duet_err e;
    struct rel_data d;
    json_t *report = relationships(rq, cohort, &d, &e);
    if (report == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    buf_reset(&rs->body);
    int rc = rel_csv(&d, report, CSV_SAFE, &rs->body);
    rel_free(&d);
    json_decref(report);
    if (rc != 0) {
        page_error(rq, rs, 500, "The file is too large to make here; use duet analyse "
                                "relationships --csv.");
        return;
    }
    set_download(rs, "relationships", cohort);
}

/* ---- determinants ---- */

/* The model's options from ?outcome= and ?predictors=a,b (defaults as the
** CLI's); list is the caller's buffer the predictor names point into. */
static int det_options_from(struct web_req *rq, struct det_options *o, char *list, size_t n,
                            duet_err *e)
{
    *o = (struct det_options){.outcome = "quality", .bootstrap = DET_BOOTSTRAP, .seed = 1};
    const char *y = web_query(rq, "outcome"), *x = web_query(rq, "predictors");
    if (y && *y)
        o->outcome = y;
    if (strlen(o->outcome) > 64 || (x && strlen(x) >= n))
        return duet_errf(e, DUET_EINPUT, "the outcome or the predictors are too long");
    snprintf(list, n, "%s", x && *x ? x : "strain,resistance");
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o->npredictors == DET_MAX_PREDICTORS)
            return duet_errf(e, DUET_EINPUT, "give at most %d predictors", DET_MAX_PREDICTORS);
        o->predictors[o->npredictors++] = t;
    }
    return 0;
}

/* det_fit's document (docs/analysis.md, section 5) for cohort; it names no
** person, only counts. */
static json_t *determinants(struct web_req *rq, const char *cohort, duet_err *e)
{
    struct det_options o;
    char list[512];
    if (det_options_from(rq, &o, list, sizeof list, e) != 0)
        return NULL;
    struct rel_data d;
    if (rel_load(rq->st, cohort, "research", &d, e) != 0)
        return NULL;
    json_t *r = det_fit(&d, &o, e);
    rel_free(&d);
    return r;
}

/* A JSON number, or null for NaN (json_real refuses NaN). */
static json_t *jnum(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

/* One row per reported effect: {term, predictor, side, estimate, se, lo95,
** hi95, reading}, in the order the page, the chart and the CSV show them. */
static json_t *det_rows(json_t *det)
{
    json_t *rows = json_array();
    static const struct { const char *term, *group, *key, *side; } kinds[] = {
        {"actor", "actor", "lived_experience", "lived_experience"},
        {"actor", "actor", "system", "system"},
        {"partner", "partner", "on_lived_experience", "lived_experience"},
        {"partner", "partner", "on_system", "system"},
        {"k", "k", "lived_experience", "lived_experience"},
        {"k", "k", "system", "system"},
    };
    json_t *s = json_object_get(det, "side_effect");
    json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "term",
                                          "side", "predictor", "", "side", "lived_experience",
                                          "estimate", jnum(staffui_num(s, "estimate")),
                                          "se", jnum(staffui_num(s, "se")), "lo95",
                                          jnum(staffui_num(s, "lo95")), "hi95",
                                          jnum(staffui_num(s, "hi95")), "reading", ""));
    const char *pred;
    json_t *eff;
    json_object_foreach(json_object_get(det, "effects"), pred, eff)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            json_t *v = json_object_get(json_object_get(eff, kinds[k].group), kinds[k].key);
            json_array_append_new(rows, json_pack(
                "{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "term", kinds[k].term, "predictor",
                pred, "side", kinds[k].side, "estimate", jnum(staffui_num(v, "estimate")),
                "se", jnum(staffui_num(v, "se")), "lo95", jnum(staffui_num(v, "lo95")),
                "hi95", jnum(staffui_num(v, "hi95")), "reading", staffui_str(v, "reading")));
        }
    return rows;
}

/* What a row of det_rows is, for people. */
static const char *term_text(const char *term)
{
    if (strcmp(term, "side") == 0)
        return "Side (lived experience compared with system)";
    if (strcmp(term, "actor") == 0)
        return "Actor: the member's own";
    if (strcmp(term, "partner") == 0)
        return "Partner: the other side's";
    return "k: partner ÷ actor";
}

static const char *side_text(const char *side)
{
    return strcmp(side, "lived_experience") == 0 ? "Lived experience" : "System";
}

/* "strain, actor, lived experience" — a row's label in the chart. */
static void row_label(char *out, size_t n, json_t *r)
{
    const char *pred = staffui_str(r, "predictor"), *term = staffui_str(r, "term");
    if (strcmp(term, "side") == 0)
        snprintf(out, n, "side: lived experience vs system");
    else
        snprintf(out, n, "%s, %s, %s", pred, term,
                 strcmp(staffui_str(r, "side"), "lived_experience") == 0 ? "lived experience"
                                                                        : "system");
}

/* The dot-and-interval chart of every effect but k (a ratio on its own scale). */
static char *det_spec(json_t *det, json_t *rows)
{
    json_t *values = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (strcmp(staffui_str(r, "term"), "k") == 0 ||
            !json_is_number(json_object_get(r, "estimate")))
            continue;
        char label[200];
        row_label(label, sizeof label, r);
        json_array_append_new(values, json_pack("{s:s, s:O, s:O, s:O}", "label", label,
                                                "estimate", json_object_get(r, "estimate"),
                                                "lo95", json_object_get(r, "lo95"), "hi95",
                                                json_object_get(r, "hi95")));
    }
    char xtitle[160];
    snprintf(xtitle, sizeof xtitle, "Effect on %s (estimate and 95%% interval)",
             staffui_str(det, "outcome"));
    json_t *y = json_pack("{s:s, s:s, s:n, s:n, s:{s:i}}", "field", "label", "type", "nominal",
                          "sort", "title", "axis", "labelLimit", 320);
    json_t *spec = json_pack(
        "{s:s, s:s, s:i, s:{s:o}, s:[{s:{s:s}, s:{s:O, s:{s:s, s:s, s:s}, s:{s:s}}}, "
        "{s:{s:s, s:b, s:i}, s:{s:O, s:{s:s, s:s}}}, {s:{s:[{s:i}]}, s:{s:s, s:[i,i]}, "
        "s:{s:{s:s, s:s}}}]}",
        "description", "Estimates of the effects with their 95% intervals", "width", "container",
        "height", 22 * (int)json_array_size(values) + 20, "data", "values", values, "layer",
        "mark", "type", "rule", "encoding", "y", y, "x", "field", "lo95", "type", "quantitative",
        "title", xtitle, "x2", "field", "hi95",
        "mark", "type", "point", "filled", 1, "size", 60, "encoding", "y", y, "x", "field",
        "estimate", "type", "quantitative",
        "data", "values", "zero", 0, "mark", "type", "rule", "strokeDash", 4, 4, "encoding",
        "x", "field", "zero", "type", "quantitative");
    json_decref(y);
    char *s = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(spec);
    return s;
}

/* "0.12 (−0.05 to 0.3)" */
static void interval_text(duet_buf *b, json_t *r)
{
    web_num(b, staffui_num(r, "lo95"));
    html_printf(b, " to ");
    web_num(b, staffui_num(r, "hi95"));
}

/* The effects (or k) rows as a table with a caption. */
static void effects_table(duet_buf *b, json_t *rows, int k, const char *outcome)
{
    if (k)
        html_scroll_begin(b, "k, the partner effect divided by the actor effect, with its "
                             "bootstrap 95%% interval");
    else
        html_scroll_begin(b, "Effects on %s, with their 95%% intervals", outcome);
    if (k)
        html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                       "k, the partner effect divided by the actor effect, with its bootstrap "
                       "95%% interval</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">Predictor</th><th class=\"nhsuk-table__header\" scope=\"col\">Side</th>"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">k</th><th class=\"nhsuk-table__header\" scope=\"col\">95%% interval</th>"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">Reading</th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    else
        html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                       "Effects on %s, with their 95%% intervals</caption>\n"
                       "<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"col\">Predictor</th>"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">Effect</th><th class=\"nhsuk-table__header\" scope=\"col\">On the outcome of</th>"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">Estimate</th><th class=\"nhsuk-table__header\" scope=\"col\">SE</th>"
                       "<th class=\"nhsuk-table__header\" scope=\"col\">95%% interval</th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n", outcome);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        const char *term = staffui_str(r, "term");
        if ((strcmp(term, "k") == 0) != k)
            continue;
        const char *pred = staffui_str(r, "predictor");
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%s</th>", *pred ? pred : "–");
        if (!k)
            html_printf(b, "<td class=\"nhsuk-table__cell\">%s</td>", term_text(term));
        html_printf(b, "<td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">", strcmp(term, "side") == 0 ? "Both" :
                                          side_text(staffui_str(r, "side")));
        web_num(b, staffui_num(r, "estimate"));
        if (!k) {
            html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
            web_num(b, staffui_num(r, "se"));
        }
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        interval_text(b, r);
        if (k)
            html_printf(b, "</td><td class=\"nhsuk-table__cell\">%s", staffui_str(r, "reading"));
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
    html_scroll_end(b);
}

static void det_summary(duet_buf *b, json_t *det)
{
    json_t *v = json_object_get(det, "variances");
    char preds[400] = "";
    size_t i, k = 0;
    json_t *p;
    json_array_foreach(json_object_get(det, "predictors"), i, p)
        k += (size_t)snprintf(preds + k, k < sizeof preds ? sizeof preds - k : 0, "%s%s",
                              i ? ", " : "", json_string_value(p));
    html_printf(b, "<dl class=\"nhsuk-summary-list\">\n"
                   "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Outcome</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n"
                   "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Predictors</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n",
                staffui_str(det, "outcome"), preds);
    summary_num(b, "Observations (member-modules)", staffui_num(det, "observations"), "");
    summary_num(b, "Partnerships", staffui_num(det, "partnerships"), "");
    summary_num(b, "People", staffui_num(det, "persons"), "");
    summary_num(b, "Variance between partnerships", staffui_num(v, "partnership"), "");
    summary_num(b, "Variance between people", staffui_num(v, "person"), "");
    summary_num(b, "Residual variance", staffui_num(v, "residual"), "");
    html_printf(b, "<div class=\"nhsuk-summary-list__row\"><dt class=\"nhsuk-summary-list__key\">"
                   "Converged</dt><dd class=\"nhsuk-summary-list__value\">%s</dd></div>\n</dl>\n",
                json_is_true(json_object_get(det, "converged")) ? "Yes" : "No: do not rely on "
                                                                          "this fit");
}

static void page_determinants(struct web_req *rq, struct web_res *rs, const char *cohort,
                              json_t *det, const duet_err *refused)
{
    duet_buf *b = &rs->body;
    char csv[600];
    staffui_href(csv, sizeof csv, "/research/determinants.csv?cohort=", cohort, "");
    results_head(rq, rs, cohort, "Determinants");
    html_printf(b, "<p>Does a member's rating of the partnership depend on their own "
                   "experience (an actor effect) or also on their partner's (a partner "
                   "effect)? The actor–partner model answers this for each side, from the "
                   "check-ins of people whose research consent is in force. The effects are "
                   "associations, not causes.</p>\n");
    if (det == NULL) {
        html_printf(b, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Information: </span><p>The model cannot be fitted: %s.</p></div>\n",
                    refused->msg);
        page_end(rq, rs);
        return;
    }
    html_printf(b, "<p><a href=\"%s\" download>Download the effects as CSV</a>.</p>\n", csv);
    det_summary(b, det);
    json_t *rows = det_rows(det);
    html_printf(b, "<h2>Effects</h2>\n");
    char *spec = det_spec(det, rows);
    if (spec)
        page_chart(rs, "chart-effects", spec, "Dot and interval chart of the effects; the table "
                   "below gives the numbers");
    free(spec);
    effects_table(b, rows, 0, staffui_str(det, "outcome"));
    html_printf(b, "<h2>Patterns</h2>\n<p>k near 1: the partner's experience matters as much "
                   "as one's own (couple pattern); near 0: only one's own (actor-only); near "
                   "−1: it works against one's own (contrast).</p>\n");
    effects_table(b, rows, 1, staffui_str(det, "outcome"));
    const char *note = staffui_str(det, "note");
    if (*note)
        html_printf(b, "<p class=\"nhsuk-body-s\">%s</p>\n", note);
    json_decref(rows);
    page_end(rq, rs);
}

static void get_determinants(struct web_req *rq, struct web_res *rs)
{
    const char *cohort = staffui_cohort_param(rq, rs, 0);
    if (cohort == NULL)
        return;
    duet_err e;
    json_t *det = determinants(rq, cohort, &e);
    if (det == NULL && e.code != DUET_EINPUT) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    if (det == NULL)
        rs->status = 422;
    page_determinants(rq, rs, cohort, det, &e);
    json_decref(det);
}

static void api_determinants(struct web_req *rq, struct web_res *rs)
{
    const char *cohort = staffui_cohort_param(rq, rs, 1);
    if (cohort == NULL)
        return;
    duet_err e;
    json_t *det = determinants(rq, cohort, &e);
    if (det == NULL)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, det);
}

static void get_determinants_csv(struct web_req *rq, struct web_res *rs)
{
    const char *cohort = staffui_cohort_param(rq, rs, 0);
    if (cohort == NULL)
        return;
    duet_err e;
    json_t *det = determinants(rq, cohort, &e);
    if (det == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    json_t *rows = det_rows(det);
    static const char *const head[] = {"outcome", "term", "predictor", "side", "estimate",
                                       "se", "lo95", "hi95", "reading"};
    duet_buf *b = &rs->body;
    buf_reset(b);
    int rc = csv_buf_row(b, head, sizeof head / sizeof head[0]);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        char n[4][40];
        const char *f[] = {staffui_str(det, "outcome"), staffui_str(r, "term"),
                           staffui_str(r, "predictor"), staffui_str(r, "side"),
                           csv_num(staffui_num(r, "estimate"), n[0]),
                           csv_num(staffui_num(r, "se"), n[1]),
                           csv_num(staffui_num(r, "lo95"), n[2]),
                           csv_num(staffui_num(r, "hi95"), n[3]), staffui_str(r, "reading")};
        if (rc == 0)
            rc = csv_buf_row(b, f, sizeof f / sizeof f[0]);
    }
    json_decref(rows);
    json_decref(det);
    if (rc != 0) {
        page_error(rq, rs, 500, "Something went wrong on our side. Please try again.");
        return;
    }
    set_download(rs, "determinants", cohort);
}

const struct web_route web_routes_researcher[] = {
    {"GET", "/research/relationships", ACCESS_ANALYSIS, WEB_OBJ_NONE, get_relationships},
    {"GET", "/research/relationships.csv", ACCESS_ANALYSIS, WEB_OBJ_NONE, get_relationships_csv},
    {"GET", "/research/determinants", ACCESS_ANALYSIS, WEB_OBJ_NONE, get_determinants},
    {"GET", "/research/determinants.csv", ACCESS_ANALYSIS, WEB_OBJ_NONE, get_determinants_csv},
    {"GET", "/api/v1/analysis/relationships", ACCESS_ANALYSIS, WEB_OBJ_NONE, api_relationships},
    {"GET", "/api/v1/analysis/determinants", ACCESS_ANALYSIS, WEB_OBJ_NONE, api_determinants},
    {NULL, NULL, 0, 0, NULL},
};
