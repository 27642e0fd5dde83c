/*
** facilitator.c — the pages and API of the people who run cohorts: their
** cohorts, the cohort dashboard (every partnership as a small chart with
** the analysis flags, flagged ones first), adding modules and partnerships,
** and observers' field notes.
**
** Each page is drawn from the same JSON its API route returns (dashboard(),
** observations()), and each form and its API route save through one
** function (module_save(), pship_save(), note_save()) that checks every
** field, so the two can never disagree. The dashboard reads the analysis
** for operational use (rel_load with no purpose): a facilitator sees every
** member's check-ins. Researchers may open the dashboard too (cohort_view):
** they get the research reading (consenting people only) and pseudonyms.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/relationships.h"
#include "store/store.h"
#include "web/html.h"
#include "web/paging.h"
#include "web/staffui.h"
#include "web/web.h"

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 20000

/* ---- shared small pieces ---- */

/* A number, or JSON null when v is not one (a new reference either way). */
static json_t *num_or_null(json_t *v)
{
    return json_is_number(v) ? json_incref(v) : json_null();
}

/* ---- home: the cohorts a facilitator runs ---- */

void home_facilitator(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *cohorts = staffui_cohorts(rq, &e);
    if (cohorts == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    duet_buf *b = &rs->body;
    page_begin(rq, rs, "Your cohorts");
    html_printf(b, "<h1>Your cohorts</h1>\n");
    if (json_array_size(cohorts) == 0) {
        html_printf(b, "<p>You are not running any cohort yet. Ask the programme's "
                       "administrator to add you to a cohort's staff.</p>\n");
    } else {
        html_printf(b, "<p>Open a cohort to see how its partnerships are going, record field "
                       "notes and add modules or partnerships.</p>\n"
                       "<ul class=\"nhsuk-list nhsuk-list--border\">\n");
        size_t i;
        json_t *c;
        json_array_foreach(cohorts, i, c) {
            char href[600];
            staffui_href(href, sizeof href, "/cohorts/", staffui_str(c, "name"), "");
            html_printf(b, "<li><a href=\"%s\">%s</a> <span class=\"nhsuk-body-s\">(%s: %" PRId64 " "
                           "partnerships, %" PRId64 " modules)</span></li>\n",
                        href, staffui_str(c, "name"), staffui_str(c, "programme"),
                        (int64_t)json_integer_value(json_object_get(c, "partnerships")),
                        (int64_t)json_integer_value(json_object_get(c, "modules")));
        }
        html_printf(b, "</ul>\n");
    }
    page_end(rq, rs);
    json_decref(cohorts);
}

static void api_cohorts(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *cohorts = staffui_cohorts(rq, &e);
    if (cohorts == NULL) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    web_json(rs, 200, json_pack("{s:o}", "cohorts", cohorts));
}

/* ---- the dashboard's data ---- */

/* One module of a partnership's analysis, cut down to what the dashboard
** shows: each side's quality, the gap and the tokenism signal. */
static json_t *dash_module(json_t *m)
{
    json_t *sides = json_object_get(m, "sides");
    json_t *sig = json_object_get(m, "tokenism_signal");
    return json_pack("{s:O, s:o, s:o, s:o, s:O}", "module", json_object_get(m, "module"),
                     "quality_lived_experience",
                     num_or_null(json_object_get(json_object_get(sides, "lived_experience"),
                                                 "quality")),
                     "quality_system",
                     num_or_null(json_object_get(json_object_get(sides, "system"), "quality")),
                     "quality_gap", num_or_null(json_object_get(json_object_get(m, "gap"),
                                                                "quality")),
                     "tokenism_signal", sig ? sig : json_null());
}

/* Adds to p (a partnership row) what the analysis says about it (ap: its
** element of rel_report's partnerships[], or NULL when nobody's check-ins
** could be analysed). */
static void dash_analysis(json_t *p, json_t *ap)
{
    json_t *flags = json_object(), *flagged = json_array(), *mods = json_array();
    for (int f = 0; f < 4; f++) {
        int on = json_is_true(json_object_get(json_object_get(ap, "flags"), staffui_flags[f]));
        json_object_set_new(flags, staffui_flags[f], json_boolean(on));
        if (on)
            json_array_append_new(flagged, json_string(staffui_flags[f]));
    }
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ap, "modules"), i, m)
        json_array_append_new(mods, dash_module(m));
    json_t *last = json_array_get(mods, json_array_size(mods) - 1);
    json_object_set_new(p, "analysed", json_boolean(ap != NULL));
    json_object_set_new(p, "flags", flags);
    json_object_set_new(p, "flagged", flagged);
    json_object_set_new(p, "concern", ap ? num_or_null(json_object_get(ap, "concern"))
                                         : json_integer(0));
    json_object_set_new(p, "final_quality", num_or_null(json_object_get(ap, "final_quality")));
    json_object_set_new(p, "tokenism_share", num_or_null(json_object_get(ap, "tokenism_share")));
    json_t *pattern = json_object_get(json_object_get(ap, "trajectory"), "pattern");
    json_object_set_new(p, "pattern", json_is_string(pattern) ? json_incref(pattern) : json_null());
    json_object_set_new(p, "latest", last ? json_deep_copy(last) : json_null());
    json_object_set_new(p, "modules", mods);
}

/* Flagged first (highest concern), then by code: where to look first. */
static int by_concern(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double cx = json_number_value(json_object_get(x, "concern"));
    double cy = json_number_value(json_object_get(y, "concern"));
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(staffui_str(x, "partnership"), staffui_str(y, "partnership"));
}

/* Replaces the array's elements by themselves in concern order. */
static void sort_by_concern(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, by_concern);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

/* The partnerships of the cohort, keyed by code (each a new row object in
** the returned array; idx borrows them). */
static json_t *dash_partnerships(json_t *list, json_t *idx)
{
    json_t *out = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        json_t *p = json_pack("{s:s, s:s, s:s, s:[]}", "partnership", staffui_str(t, "code"),
                              "kind", staffui_str(t, "kind"), "project_title",
                              staffui_str(t, "project_title"), "members");
        json_array_append_new(out, p);
        json_object_set(idx, staffui_str(t, "code"), p);
    }
    return out;
}

/* Attaches each member row to its partnership (one pass, by code). */
static void dash_members(json_t *idx, json_t *members)
{
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m) {
        json_t *p = json_object_get(idx, staffui_str(m, "partnership"));
        if (p)
            json_array_append_new(json_object_get(p, "members"),
                                  json_pack("{s:s, s:s, s:s, s:s}", "person",
                                            staffui_str(m, "person"), "display_name",
                                            staffui_str(m, "display_name"), "role",
                                            staffui_str(m, "role"), "side",
                                            staffui_str(m, "side")));
    }
}

/* The analysis of the cohort (rel_report), for the purpose this reader's
** role allows: operational (everyone) for staff, research for others. */
static json_t *dash_report(struct web_req *rq, const char *cohort, duet_err *e)
{
    struct rel_data d;
    const char *purpose = access_sees_identities(rq->who) ? NULL : "research";
    if (rel_load(rq->st, cohort, purpose, &d, e) != 0)
        return NULL;
    json_t *r = rel_report(&d, e);
    rel_free(&d);
    return r;
}

/* The whole dashboard: {cohort, modules, partnerships (concern order),
** flagged (how many)}. Linear in partnerships and members: rows are matched
** through a code-keyed object, never by scanning. */
static json_t *dashboard(struct web_req *rq, const char *cohort, duet_err *e)
{
    json_t *show = store_cohort_show(rq->st, cohort, e);
    json_t *members = show ? store_cohort_member_list(rq->st, cohort, e) : NULL;
    json_t *report = members ? dash_report(rq, cohort, e) : NULL;
    if (report == NULL) {
        json_decref(show);
        json_decref(members);
        return NULL;
    }
    json_t *idx = json_object();
    json_t *parts = dash_partnerships(json_object_get(show, "partnerships"), idx);
    dash_members(idx, members);
    json_t *analysed = json_object();
    size_t i;
    json_t *ap, *p;
    json_array_foreach(json_object_get(report, "partnerships"), i, ap)
        json_object_set(analysed, staffui_str(ap, "partnership"), ap);
    int flagged = 0;
    json_array_foreach(parts, i, p) {
        dash_analysis(p, json_object_get(analysed, staffui_str(p, "partnership")));
        flagged += json_array_size(json_object_get(p, "flagged")) > 0;
    }
    sort_by_concern(parts);
    json_t *mods = json_array();
    json_t *m;
    json_array_foreach(json_object_get(show, "modules"), i, m)
        json_array_append_new(mods, json_pack("{s:O, s:O, s:O, s:O}", "ordinal",
                                              json_object_get(m, "ordinal"), "held_on",
                                              json_object_get(m, "held_on"), "theme",
                                              json_object_get(m, "theme"), "checkins",
                                              json_object_get(m, "checkins")));
    json_t *out = json_pack("{s:{s:s, s:s, s:O}, s:o, s:o, s:i}", "cohort", "name",
                            staffui_str(show, "name"), "programme",
                            staffui_str(show, "programme"), "starts_on",
                            json_object_get(show, "starts_on"), "modules", mods,
                            "partnerships", parts, "flagged", flagged);
    json_decref(idx);
    json_decref(analysed);
    json_decref(report);
    json_decref(members);
    json_decref(show);
    if (out && !access_sees_identities(rq->who)) {
        json_t *map = staffui_pseudonyms(rq->st, cohort, e);
        if (map == NULL) {
            json_decref(out);
            return NULL;
        }
        staffui_pseudonymise(out, map);
        json_decref(map);
    }
    if (out == NULL)
        duet_errf(e, DUET_EINTERNAL, "out of memory building the dashboard");
    return out;
}

/* ---- the dashboard page ---- */

/* The Vega-Lite spec of one partnership's small chart: each side's quality
** over modules (a new string, or NULL when there is nothing to draw). */
static char *card_spec(json_t *p)
{
    json_t *values = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "modules"), i, m) {
        static const char *const key[2] = {"quality_lived_experience", "quality_system"};
        static const char *const side[2] = {"Lived experience", "System"};
        for (int s = 0; s < 2; s++)
            if (json_is_number(json_object_get(m, key[s])))
                json_array_append_new(values, json_pack("{s:O, s:s, s:O}", "module",
                                                        json_object_get(m, "module"), "side",
                                                        side[s], "quality",
                                                        json_object_get(m, key[s])));
    }
    if (json_array_size(values) == 0) {
        json_decref(values);
        return NULL;
    }
    json_t *spec = json_pack(
        "{s:s, s:s, s:i, s:{s:o}, s:{s:s, s:b}, s:{s:{s:s, s:s, s:s, s:{s:i}}, "
        "s:{s:s, s:s, s:s, s:{s:[i,i]}}, s:{s:s, s:s, s:n, s:{s:s}}, "
        "s:{s:s, s:s, s:n, s:{s:s}}}}",
        "description", "Quality of each side over modules", "width", "container", "height", 110,
        "data", "values", values, "mark", "type", "line", "point", 1, "encoding", "x", "field",
        "module", "type", "ordinal", "title", "Module", "axis", "labelAngle", 0, "y", "field",
        "quality", "type", "quantitative", "title", "Quality (1–7)", "scale", "domain", 1, 7,
        "color", "field", "side", "type", "nominal", "title", "legend", "orient", "bottom",
        /* Not by colour alone: the system side's line is dashed too. */
        "strokeDash", "field", "side", "type", "nominal", "title", "legend", "orient", "bottom");
    char *s = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(spec);
    return s;
}

/* The flags of a partnership as tags (or a grey tag saying there are none). */
static void card_tags(duet_buf *b, json_t *p)
{
    json_t *flagged = json_object_get(p, "flagged");
    html_printf(b, "<p class=\"duet-card-tags\">");
    if (!json_is_true(json_object_get(p, "analysed")))
        html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--grey\">No check-ins yet</strong>");
    else if (json_array_size(flagged) == 0)
        html_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--green\">Nothing flagged</strong>");
    size_t i;
    json_t *f;
    json_array_foreach(flagged, i, f)
        html_printf(b, "%s<strong class=\"%s\">%s</strong>", i ? " " : "",
                    staffui_flag_class(json_string_value(f)),
                    staffui_flag_text(json_string_value(f)));
    html_printf(b, "</p>\n");
}

/* "Latest (module 6): lived experience 2.5, system 6.5, gap -4." */
static void latest_text(duet_buf *b, json_t *p)
{
    json_t *l = json_object_get(p, "latest");
    if (!json_is_object(l)) {
        html_printf(b, "No check-ins have been analysed yet.");
        return;
    }
    html_printf(b, "Latest quality (module %" PRId64 "): lived experience ",
                (int64_t)json_integer_value(json_object_get(l, "module")));
    web_num(b, staffui_num(l, "quality_lived_experience"));
    html_printf(b, ", system ");
    web_num(b, staffui_num(l, "quality_system"));
    html_printf(b, ", gap ");
    web_num(b, staffui_num(l, "quality_gap"));
    html_printf(b, ".");
}

/* "a, b and c" of the members' names (or pseudonyms). */
static void member_names(duet_buf *b, json_t *p)
{
    json_t *ms = json_object_get(p, "members");
    size_t n = json_array_size(ms), i;
    json_t *m;
    json_array_foreach(ms, i, m) {
        const char *name = staffui_str(m, "display_name");
        html_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                    *name ? name : staffui_str(m, "person"));
    }
}

/* The flag names joined by spaces, for data-flags. */
static void flag_list(char *out, size_t n, json_t *p)
{
    out[0] = '\0';
    size_t i, k = 0;
    json_t *f;
    json_array_foreach(json_object_get(p, "flagged"), i, f)
        k += (size_t)snprintf(out + k, k < n ? n - k : 0, "%s%s", i ? " " : "",
                              json_string_value(f));
}

static void card_numbers(duet_buf *b, json_t *p);

/* One partnership's card in the grid: title linking to its page, flags as
** tags (and in data-flags), the small chart and a one-line summary. */
static void card(struct web_res *rs, json_t *p, size_t index, int staff)
{
    duet_buf *b = &rs->body;
    const char *code = staffui_str(p, "partnership");
    char href[300], flags[96];
    staffui_href(href, sizeof href, "/partnerships/", code, "");
    flag_list(flags, sizeof flags, p);
    html_printf(b, "<li class=\"duet-chart-grid__item\" data-partnership=\"%s\" "
                   "data-flags=\"%s\">\n<h3 class=\"duet-chart-grid__title\">"
                   "<a href=\"%s\">%s</a> <span class=\"nhsuk-body-s\">%s</span></h3>\n",
                code, flags, href, code, staffui_str(p, "project_title"));
    card_tags(b, p);
    char *spec = card_spec(p);
    if (spec) {
        char label[200], id[32];
        snprintf(label, sizeof label, "Chart of each side's quality over modules in %s; "
                 "the numbers are under 'Numbers for %s' below", code, code);
        snprintf(id, sizeof id, "chart-%zu", index + 1);
        page_chart(rs, id, spec, label);
        free(spec);
    }
    html_printf(b, "<p class=\"nhsuk-body-s\">");
    member_names(b, p);
    html_printf(b, ". ");
    latest_text(b, p);
    html_printf(b, "</p>\n");
    if (staff) {   /* researchers may not read notes or reflections */
        char notes[300], refl[300];
        staffui_href(notes, sizeof notes, "/partnerships/", code, "/observations");
        staffui_href(refl, sizeof refl, "/partnerships/", code, "/reflections");
        html_printf(b, "<p class=\"nhsuk-body-s\"><a href=\"%s\">Field notes<span "
                       "class=\"nhsuk-u-visually-hidden\"> on %s</span></a> · <a href=\"%s\">"
                       "Reflections<span class=\"nhsuk-u-visually-hidden\"> in %s</span></a></p>\n",
                    notes, code, refl, code);
    }
    card_numbers(b, p);
    html_printf(b, "</li>\n");
}

/* A partnership's numbers module by module, inside a details element: the
** text alternative of its chart, kept next to it. */
static void card_numbers(duet_buf *b, json_t *p)
{
    json_t *mods = json_object_get(p, "modules");
    if (json_array_size(mods) == 0)
        return;
    const char *code = staffui_str(p, "partnership");
    html_printf(b, "<details class=\"nhsuk-details\">\n<summary class=\"nhsuk-details__summary\">"
                   "<span class=\"nhsuk-details__summary-text\">Numbers for %s</span></summary>\n"
                   "<div class=\"nhsuk-details__text\">\n<table class=\"nhsuk-table\">\n"
                   "<caption class=\"nhsuk-table__caption nhsuk-u-font-size-16\">Quality of each "
                   "side of %s by module (1–7)</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Module</th><th class=\"nhsuk-table__header\" scope=\"col\">Lived experience</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">System</th><th class=\"nhsuk-table__header\" scope=\"col\">Gap</th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n",
                code, code);
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m) {
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%" PRId64 "</th><td class=\"nhsuk-table__cell\">",
                    (int64_t)json_integer_value(json_object_get(m, "module")));
        web_num(b, staffui_num(m, "quality_lived_experience"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(m, "quality_system"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(m, "quality_gap"));
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n</div>\n</details>\n");
}

/* The flags' names for people, joined ("Tokenism signal, Polarising"), or "None". */
static void flag_texts(duet_buf *b, json_t *p)
{
    json_t *flagged = json_object_get(p, "flagged");
    if (json_array_size(flagged) == 0)
        html_printf(b, "%s", json_is_true(json_object_get(p, "analysed")) ? "None"
                                                                           : "No check-ins yet");
    size_t i;
    json_t *f;
    json_array_foreach(flagged, i, f)
        html_printf(b, "%s%s", i ? ", " : "", staffui_flag_text(json_string_value(f)));
}

/* The text alternative of the whole grid: one row per partnership. */
static void dash_table(duet_buf *b, json_t *parts)
{
    html_printf(b, "<h2>Partnerships in numbers</h2>\n");
    html_scroll_begin(b, "Latest quality of each side (1–7), the gap (lived experience minus "
                         "system) and the flags, in order of concern");
    html_printf(b, "<table class=\"nhsuk-table\">\n"
                   "<caption class=\"nhsuk-table__caption\">Latest quality of each side "
                   "(1–7), the gap (lived experience minus system) and the flags, in order of "
                   "concern</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Partnership</th><th class=\"nhsuk-table__header\" scope=\"col\">Module</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Lived experience</th><th class=\"nhsuk-table__header\" scope=\"col\">System</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Gap</th><th class=\"nhsuk-table__header\" scope=\"col\">Flags</th></tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p) {
        json_t *l = json_object_get(p, "latest");
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%s</th><td class=\"nhsuk-table__cell\">", staffui_str(p, "partnership"));
        if (json_is_object(l))
            html_printf(b, "%" PRId64 "", (int64_t)json_integer_value(json_object_get(l, "module")));
        else
            html_printf(b, "–");
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(l, "quality_lived_experience"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(l, "quality_system"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(l, "quality_gap"));
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        flag_texts(b, p);
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
    html_scroll_end(b);
}

/* The modules table (shared by the dashboard and the modules page). */
static void modules_table(duet_buf *b, json_t *mods, const char *cohort)
{
    if (json_array_size(mods) == 0) {
        html_printf(b, "<p>No modules yet.</p>\n");
        return;
    }
    html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">"
                   "Modules of %s</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Module</th><th class=\"nhsuk-table__header\" scope=\"col\">Date held</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Theme</th><th class=\"nhsuk-table__header\" scope=\"col\">Check-ins</th></tr></thead>\n"
                   "<tbody class=\"nhsuk-table__body\">\n", cohort);
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m) {
        const char *held = staffui_str(m, "held_on"), *theme = staffui_str(m, "theme");
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%" PRId64 "</th><td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">%" PRId64 "</td></tr>\n",
                    (int64_t)json_integer_value(json_object_get(m, "ordinal")),
                    *held ? held : "–", *theme ? theme : "–",
                    (int64_t)json_integer_value(json_object_get(m, "checkins")));
    }
    html_printf(b, "</tbody>\n</table>\n");
}

/* What the flags mean, in two sentences and a link to the full account. */
static void dash_intro(duet_buf *b, json_t *dash)
{
    size_t n = json_array_size(json_object_get(dash, "partnerships"));
    int64_t flagged = (int64_t)json_integer_value(json_object_get(dash, "flagged"));
    if (n == 0)
        return;
    html_printf(b, "<p>%" PRId64 " of %" PRId64 " partnerships %s flagged for a closer look; they come first. "
                   "Each chart shows how both sides rate the working relationship (quality, "
                   "1–7) module by module.</p>\n",
                flagged, (int64_t)n, flagged == 1 ? "is" : "are");
    html_printf(b, "<div class=\"nhsuk-inset-text\"><span class=\"nhsuk-u-visually-hidden\">"
                   "Information: </span>\n<p><strong>Tokenism signal</strong>: a member places "
                   "the work on the informing, consultation or placation rungs, or the members' "
                   "rungs are far apart, at most modules including the last two. "
                   "<strong>Polarising</strong>: quality falls on both sides while resistance "
                   "grows. <strong>Perceptions diverge</strong>: the partners' ratings are "
                   "moving apart. <strong>Low quality</strong>: the last rating is below the "
                   "neutral point.</p>\n</div>\n");
}

static void page_dashboard(struct web_req *rq, struct web_res *rs, json_t *dash)
{
    duet_buf *b = &rs->body;
    json_t *c = json_object_get(dash, "cohort");
    const char *name = staffui_str(c, "name");
    json_t *parts = json_object_get(dash, "partnerships");
    page_begin(rq, rs, name);
    page_back(rs, "/home", "Back to your cohorts");
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>%s</h1>\n",
                staffui_str(c, "programme"), name);
    dash_intro(b, dash);
    html_printf(b, "<h2>Partnerships</h2>\n");
    if (json_array_size(parts) == 0)
        html_printf(b, "<p>This cohort has no partnerships yet.</p>\n");
    else
        html_printf(b, "<ul class=\"duet-chart-grid\">\n");
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p) {
        card(rs, p, i, rq->who->role == AUTH_FACILITATOR);
    }
    if (json_array_size(parts) > 0) {
        html_printf(b, "</ul>\n");
        dash_table(b, parts);
    }
    char norms[600];   /* the Q-sorts' page (norms.c) */
    staffui_href(norms, sizeof norms, "/cohorts/", name, "/norms");
    html_printf(b, "<h2>Unspoken norms</h2>\n<p><a href=\"%s\">Unspoken norms in %s</a>: the "
                   "viewpoints in the Q-sorts and how each partnership moved.</p>\n", norms, name);
    html_printf(b, "<h2>Modules</h2>\n");
    modules_table(b, json_object_get(dash, "modules"), name);
    if (rq->who->role == AUTH_FACILITATOR) {
        char mods[600], add[600];
        staffui_href(mods, sizeof mods, "/cohorts/", name, "/modules");
        staffui_href(add, sizeof add, "/cohorts/", name, "/partnerships");
        html_printf(b, "<h2>Manage the cohort</h2>\n<ul class=\"nhsuk-list\">\n"
                       "<li><a href=\"%s\">Manage modules</a></li>\n"
                       "<li><a href=\"%s\">Add a partnership</a></li>\n</ul>\n", mods, add);
    }
    page_end(rq, rs);
}

static void get_cohort(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *dash = dashboard(rq, rq->params[0], &e);
    if (dash == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    page_dashboard(rq, rs, dash);
    json_decref(dash);
}

static void api_cohort(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    json_t *dash = dashboard(rq, rq->params[0], &e);
    if (dash == NULL)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, dash);
}

/* ---- adding a module ---- */

struct module_in {
    int has_ordinal;       /* 0: missing or not a whole number */
    long ordinal;
    const char *held_on;   /* "" or NULL: not given */
    const char *theme;
};

/* Checks and saves a module. Returns 0 when saved, 1 with fe filled when the
** input is wrong, -1 with *e set when the store fails. */
static int module_save(struct web_req *rq, const char *cohort, const struct module_in *in,
                       struct staffui_errors *fe, duet_err *e)
{
    if (!in->has_ordinal || in->ordinal < 1 || in->ordinal > 1000)
        staffui_error_add(fe, "ordinal", "Enter the module number, a whole number from 1 to 1000");
    if (in->held_on && *in->held_on && !staffui_date_ok(in->held_on))
        staffui_error_add(fe, "held_on", "Enter the date the module was held as YYYY-MM-DD, "
                                         "for example 2026-03-14");
    if (!staffui_text_ok(in->theme, NAME_MAX_BYTES, 0))
        staffui_error_add(fe, "theme", "The theme must be at most %d characters on one line",
                          NAME_MAX_BYTES);
    if (fe->n)
        return 1;
    if (store_module_add(rq->st, cohort, (int)in->ordinal, in->held_on, in->theme, NULL, e) == 0)
        return 0;
    if (e->code == DUET_ECONFLICT) {
        staffui_error_add(fe, "ordinal", "Module %ld already exists in this cohort; choose "
                                         "another number", in->ordinal);
        return 1;
    }
    if (e->code == DUET_EINPUT) {
        staffui_error_add(fe, "ordinal", "%s", e->msg);
        return 1;
    }
    return -1;
}

static void page_modules(struct web_req *rq, struct web_res *rs, const struct staffui_errors *fe,
                         const char *ordinal, const char *held_on, const char *theme)
{
    const char *cohort = rq->params[0];
    duet_err e;
    json_t *mods = store_module_list(rq->st, cohort, &e);
    if (mods == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    char next[24], back[600], action[600];
    int64_t last = (int64_t)json_integer_value(
        json_object_get(json_array_get(mods, json_array_size(mods) - 1), "ordinal"));
    snprintf(next, sizeof next, "%lld", (long long)last + 1);
    staffui_href(back, sizeof back, "/cohorts/", cohort, "");
    staffui_href(action, sizeof action, "/cohorts/", cohort, "/modules");
    duet_buf *b = &rs->body;
    buf_reset(b);
    page_begin(rq, rs, fe && fe->n ? "Error: Modules" : "Modules");
    page_back(rs, back, "Back to the cohort");
    staffui_error_summary(b, fe);
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>Modules</h1>\n", cohort);
    modules_table(b, mods, cohort);
    html_printf(b, "<h2>Add a module</h2>\n<form method=\"post\" action=\"%s\" novalidate>\n",
                action);
    page_csrf_field(rq, rs);
    staffui_input(b, fe, "ordinal", "Module number", "Modules are numbered from 1 in the "
                  "order they are held", ordinal ? ordinal : next, "text",
                  "inputmode=\"numeric\" maxlength=\"4\" spellcheck=\"false\"",
                  "nhsuk-input--width-4");
    staffui_input(b, fe, "held_on", "Date held (optional)", "For example, 2026-03-14",
                  held_on, "text", "maxlength=\"10\" spellcheck=\"false\"",
                  "nhsuk-input--width-10");
    staffui_input(b, fe, "theme", "Theme (optional)", "For example, Power and decisions",
                  theme, "text", "maxlength=\"200\"", "");
    html_printf(b, "<button data-module=\"nhsuk-button\" class=\"nhsuk-button\" type=\"submit\">Add module</button>\n"
                   "</form>\n");
    page_end(rq, rs);
    json_decref(mods);
}

static void get_modules(struct web_req *rq, struct web_res *rs)
{
    page_modules(rq, rs, NULL, NULL, NULL, NULL);
}

static void post_modules(struct web_req *rq, struct web_res *rs)
{
    const char *ordinal = http_form_get(&rq->form, "ordinal");
    struct module_in in = {0};
    in.has_ordinal = staffui_int(ordinal, 1, 1000, &in.ordinal);
    in.held_on = http_form_get(&rq->form, "held_on");
    in.theme = http_form_get(&rq->form, "theme");
    struct staffui_errors fe = {0};
    duet_err e;
    int rc = module_save(rq, rq->params[0], &in, &fe, &e);
    if (rc < 0) {
        staffui_fail(rq, rs, 0, &e);
    } else if (rc > 0) {
        rs->status = 422;
        page_modules(rq, rs, &fe, ordinal, in.held_on, in.theme);
    } else {
        char loc[600];
        web_redirect(rs, staffui_href(loc, sizeof loc, "/cohorts/", rq->params[0], "/modules"));
    }
}

static void api_post_module(struct web_req *rq, struct web_res *rs)
{
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return;
    struct staffui_errors fe = {0};
    struct module_in in = {0};
    json_t *o = json_object_get(body, "ordinal"), *h = json_object_get(body, "held_on");
    json_t *t = json_object_get(body, "theme");
    in.has_ordinal = json_is_integer(o);
    in.ordinal = in.has_ordinal ? (long)json_integer_value(o) : 0;
    if (h && !json_is_null(h) && !json_is_string(h))
        staffui_error_add(&fe, "held_on", "held_on must be a string YYYY-MM-DD or null");
    if (t && !json_is_string(t))
        staffui_error_add(&fe, "theme", "theme must be a string");
    in.held_on = json_string_value(h);
    in.theme = json_string_value(t);
    duet_err e;
    int rc = module_save(rq, rq->params[0], &in, &fe, &e);   /* adds its checks to fe */
    if (rc < 0) {
        staffui_fail(rq, rs, 1, &e);
    } else if (rc > 0) {
        staffui_errors_json(rs, &fe);
    } else {
        json_t *m = store_module_show(rq->st, rq->params[0], (int)in.ordinal, &e);
        if (m)
            web_json(rs, 201, m);
        else
            staffui_fail(rq, rs, 1, &e);
    }
    json_decref(body);
}

/* ---- adding a partnership ---- */

#define PSHIP_MAX_MEMBERS 3

struct pship_in {
    const char *code, *title, *aim;
    const char *person[PSHIP_MAX_MEMBERS], *role[PSHIP_MAX_MEMBERS];   /* NULL or "": none */
};

/* The form field names of member i's person and role. */
static const char *const person_field[PSHIP_MAX_MEMBERS] = {"member1_person", "member2_person",
                                                            "member3_person"};
static const char *const role_field[PSHIP_MAX_MEMBERS] = {"member1_role", "member2_role",
                                                          "member3_role"};

static int blank(const char *s)
{
    return s == NULL || *s == '\0';
}

/* The side of role in the role list ("lived_experience", "system", "staff"),
** or NULL when there is no such role. */
static const char *role_side(json_t *roles, const char *role)
{
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
        if (strcmp(staffui_str(r, "name"), role) == 0)
            return staffui_str(r, "side");
    return NULL;
}

/* Checks one member (index i); counts its side. Returns 1 when the member
** is present and valid, 0 when not, -1 with *e when the store fails.
** A facilitator may enrol only participants they may see
** (store_person_enrollable); one message answers for a key that does not
** exist, a person of another cohort, staff and accounts of other roles, so
** it tells nothing of people outside the facilitator's cohorts. */
static int check_member(struct web_req *rq, const struct pship_in *in, size_t i, json_t *roles,
                        int *lived, int *system, struct staffui_errors *fe, duet_err *e)
{
    const char *p = in->person[i], *r = in->role[i];
    if (i == 2 && blank(p) && blank(r))
        return 0;   /* a pair */
    int yes = 0;
    if (!blank(p) && staffui_key_ok(p) &&
        store_person_enrollable(rq->st, p, rq->who->person_id, &yes, e) != 0)
        return -1;
    if (blank(p))
        staffui_error_add(fe, person_field[i], "Enter the person key of member %zu", i + 1);
    else if (!yes)
        staffui_error_add(fe, person_field[i], "There is no participant with the key '%s' "
                                               "that you can add (member %zu): check the key. "
                                               "Programme staff, and people in the partnerships "
                                               "of cohorts you do not run, cannot be added",
                          p, i + 1);
    for (size_t j = 0; j < i && !blank(p); j++)
        if (in->person[j] && strcmp(in->person[j], p) == 0)
            staffui_error_add(fe, person_field[i], "Member %zu is the same person as member %zu",
                              i + 1, j + 1);
    const char *side = blank(r) ? NULL : role_side(roles, r);
    if (side == NULL || strcmp(side, "staff") == 0) {
        staffui_error_add(fe, role_field[i], "Choose the role of member %zu", i + 1);
        return 0;
    }
    *lived += strcmp(side, "lived_experience") == 0;
    *system += strcmp(side, "system") == 0;
    return 1;
}

/* Checks and saves a partnership (see module_save for the return values). */
static int pship_save(struct web_req *rq, const char *cohort, const struct pship_in *in,
                      struct staffui_errors *fe, duet_err *e)
{
    json_t *roles = store_role_list(rq->st, e);
    if (roles == NULL)
        return -1;
    if (blank(in->code))
        staffui_error_add(fe, "code", "Enter a partnership code");
    else if (!staffui_key_ok(in->code))
        staffui_error_add(fe, "code", "The partnership code must be up to 64 letters, digits, "
                                      "dots, hyphens or underscores, starting with a letter or "
                                      "digit");
    if (blank(in->title))
        staffui_error_add(fe, "project_title", "Enter the project title");
    else if (!staffui_text_ok(in->title, NAME_MAX_BYTES, 0))
        staffui_error_add(fe, "project_title", "The project title must be at most %d characters "
                                               "on one line", NAME_MAX_BYTES);
    if (!staffui_text_ok(in->aim, TEXT_MAX_BYTES, 1))
        staffui_error_add(fe, "project_aim", "The project aim must be at most %d characters",
                          TEXT_MAX_BYTES);
    int lived = 0, system = 0;
    struct store_member m[PSHIP_MAX_MEMBERS];
    size_t n = 0;
    for (size_t i = 0; i < PSHIP_MAX_MEMBERS; i++) {
        int ok = check_member(rq, in, i, roles, &lived, &system, fe, e);
        if (ok < 0) {
            json_decref(roles);
            return -1;
        }
        if (ok)
            m[n++] = (struct store_member){in->person[i], in->role[i]};
    }
    json_decref(roles);
    if (fe->n == 0 && lived == 0)
        staffui_error_add(fe, "member1_role", "Choose a lived-experience role for at least one "
                                              "member");
    if (fe->n == 0 && system == 0)
        staffui_error_add(fe, "member2_role", "Choose a system role for at least one member");
    if (fe->n)
        return 1;
    struct store_partnership p = {cohort, in->code, in->title, in->aim ? in->aim : "", n, m};
    if (store_partnership_add(rq->st, &p, NULL, e) == 0)
        return 0;
    if (e->code == DUET_ECONFLICT || e->code == DUET_EINPUT || e->code == DUET_ENOTFOUND) {
        if (e->code == DUET_ECONFLICT)
            staffui_error_add(fe, "code", "The code '%s' is already used by another "
                                          "partnership; choose another", in->code);
        else
            staffui_error_add(fe, "code", "%s", e->msg);
        return 1;
    }
    return -1;
}

/* The role select of member i, options grouped by side (no staff roles). */
static void role_select(duet_buf *b, const struct staffui_errors *fe, json_t *roles, size_t i,
                        const char *chosen)
{
    char d[160];
    staffui_describedby(d, sizeof d, fe, role_field[i], 0);
    staffui_group_open(b, fe, role_field[i]);
    html_printf(b, "<label class=\"nhsuk-label\" for=\"%s\">Role</label>\n", role_field[i]);
    staffui_error_message(b, fe, role_field[i]);
    html_printf(b, "<select class=\"nhsuk-select%s\" id=\"%s\" name=\"%s\"",
                staffui_error_for(fe, role_field[i]) ? " nhsuk-select--error" : "",
                role_field[i], role_field[i]);
    if (d[0])
        html_printf(b, " aria-describedby=\"%s\"", d);
    html_printf(b, ">\n<option value=\"\">Choose a role</option>\n");
    static const char *const sides[2] = {"lived_experience", "system"};
    static const char *const labels[2] = {"Lived experience", "System"};
    for (int s = 0; s < 2; s++) {
        html_printf(b, "<optgroup label=\"%s\">\n", labels[s]);
        size_t k;
        json_t *r;
        json_array_foreach(roles, k, r) {
            if (strcmp(staffui_str(r, "side"), sides[s]) != 0)
                continue;
            const char *name = staffui_str(r, "name");
            html_printf(b, "<option value=\"%s\"", name);
            html_raw_if(b, chosen && strcmp(chosen, name) == 0, " selected");
            html_printf(b, ">%s</option>\n", staffui_str(r, "label"));
        }
        html_printf(b, "</optgroup>\n");
    }
    html_printf(b, "</select>\n</div>\n");
}

static void member_fieldset(duet_buf *b, const struct staffui_errors *fe, json_t *roles,
                            const struct pship_in *in, size_t i)
{
    html_printf(b, "<fieldset class=\"nhsuk-fieldset\">\n<legend class=\"nhsuk-fieldset__legend "
                   "nhsuk-fieldset__legend--s\">Member %d%s</legend>\n",
                (int)i + 1, i == 2 ? " (optional: leave empty for a pair)" : "");
    staffui_input(b, fe, person_field[i], "Person key", i == 0 ? "The key the person was added "
                  "with, for example amira.01a" : NULL, in->person[i], "text",
                  "maxlength=\"64\" spellcheck=\"false\" autocomplete=\"off\"",
                  "nhsuk-input--width-20");
    role_select(b, fe, roles, i, in->role[i]);
    html_printf(b, "</fieldset>\n");
}

static void page_pship_form(struct web_req *rq, struct web_res *rs,
                            const struct staffui_errors *fe, const struct pship_in *in)
{
    const char *cohort = rq->params[0];
    duet_err e;
    json_t *roles = store_role_list(rq->st, &e);
    if (roles == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    char back[600], action[600];
    staffui_href(back, sizeof back, "/cohorts/", cohort, "");
    staffui_href(action, sizeof action, "/cohorts/", cohort, "/partnerships");
    duet_buf *b = &rs->body;
    buf_reset(b);
    page_begin(rq, rs, fe && fe->n ? "Error: Add a partnership" : "Add a partnership");
    page_back(rs, back, "Back to the cohort");
    html_printf(b, "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-two-thirds\">\n");
    staffui_error_summary(b, fe);
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s</span>\n<h1>Add a partnership</h1>\n"
                   "<p>A partnership has two or three members, with at least one on the "
                   "lived-experience side and one on the system side. Each member's role "
                   "decides their side.</p>\n<form method=\"post\" action=\"%s\" novalidate>\n",
                cohort, action);
    page_csrf_field(rq, rs);
    staffui_input(b, fe, "code", "Partnership code", "Short and unique, for example P13",
                  in->code, "text", "maxlength=\"64\" spellcheck=\"false\" autocomplete=\"off\"",
                  "nhsuk-input--width-10");
    staffui_input(b, fe, "project_title", "Project title", NULL, in->title, "text",
                  "maxlength=\"200\"", "");
    staffui_textarea(b, fe, "project_aim", "Project aim (optional)", NULL, in->aim,
                     TEXT_MAX_BYTES);
    for (size_t i = 0; i < PSHIP_MAX_MEMBERS; i++)
        member_fieldset(b, fe, roles, in, i);
    html_printf(b, "<button data-module=\"nhsuk-button\" class=\"nhsuk-button\" type=\"submit\">Add partnership</button>\n"
                   "</form>\n</div></div>\n");
    page_end(rq, rs);
    json_decref(roles);
}

static void get_pship_form(struct web_req *rq, struct web_res *rs)
{
    struct pship_in in = {0};
    page_pship_form(rq, rs, NULL, &in);
}

static void post_pship(struct web_req *rq, struct web_res *rs)
{
    struct pship_in in = {http_form_get(&rq->form, "code"),
                          http_form_get(&rq->form, "project_title"),
                          http_form_get(&rq->form, "project_aim"), {0}, {0}};
    for (size_t i = 0; i < PSHIP_MAX_MEMBERS; i++) {
        in.person[i] = http_form_get(&rq->form, person_field[i]);
        in.role[i] = http_form_get(&rq->form, role_field[i]);
    }
    struct staffui_errors fe = {0};
    duet_err e;
    int rc = pship_save(rq, rq->params[0], &in, &fe, &e);
    if (rc < 0) {
        staffui_fail(rq, rs, 0, &e);
    } else if (rc > 0) {
        rs->status = 422;
        page_pship_form(rq, rs, &fe, &in);
    } else {
        char loc[600];
        web_redirect(rs, staffui_href(loc, sizeof loc, "/cohorts/", rq->params[0], ""));
    }
}

/* Reads {code, project_title, project_aim, members: [{person, role}]} into
** in (strings borrowed from body); type errors go to fe. */
static void pship_from_json(json_t *body, struct pship_in *in, struct staffui_errors *fe)
{
    static const char *const keys[3] = {"code", "project_title", "project_aim"};
    const char **dst[3] = {&in->code, &in->title, &in->aim};
    for (int k = 0; k < 3; k++) {
        json_t *v = json_object_get(body, keys[k]);
        if (v && !json_is_string(v))
            staffui_error_add(fe, keys[k], "%s must be a string", keys[k]);
        *dst[k] = json_string_value(v);
    }
    json_t *ms = json_object_get(body, "members");
    if (!json_is_array(ms) || json_array_size(ms) < 2 || json_array_size(ms) > 3) {
        staffui_error_add(fe, "members", "members must be an array of 2 or 3 objects "
                                         "{person, role}");
        return;
    }
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m) {
        if (!json_is_object(m) || !json_is_string(json_object_get(m, "person")) ||
            !json_is_string(json_object_get(m, "role")))
            staffui_error_add(fe, person_field[i], "member %zu must be an object with the "
                                                   "strings person and role", i + 1);
        in->person[i] = json_string_value(json_object_get(m, "person"));
        in->role[i] = json_string_value(json_object_get(m, "role"));
    }
}

static void api_post_pship(struct web_req *rq, struct web_res *rs)
{
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return;
    struct pship_in in = {0};
    struct staffui_errors fe = {0};
    pship_from_json(body, &in, &fe);
    duet_err e;
    int rc = fe.n ? 1 : pship_save(rq, rq->params[0], &in, &fe, &e);
    if (rc < 0) {
        staffui_fail(rq, rs, 1, &e);
    } else if (rc > 0) {
        staffui_errors_json(rs, &fe);
    } else {
        json_t *p = store_partnership_show(rq->st, in.code, &e);
        if (p)
            web_json(rs, 201, p);
        else
            staffui_fail(rq, rs, 1, &e);
    }
    json_decref(body);
}

/* ---- observers' field notes ---- */

/* {partnership, cohort, modules: [ordinals], observations: [...], next}:
** what the notes page and its API show, one page of notes at a time (pg
** NULL: the first page). The cursor is "MODULE.ID" of the last note of the
** page before (notes are in module order, then as written). */
static json_t *observations(struct web_req *rq, const char *code, const struct web_paging *pg,
                            duet_err *e)
{
    struct web_paging first = {WEB_LIMIT_DEFAULT, NULL};
    int64_t after[2];
    if (pg == NULL)
        pg = &first;
    if (web_paging_ints(pg, 2, after, e) != 0)
        return NULL;   /* the callers read pg with notes_paging: cannot happen */
    if (after[0] > 1000000)
        after[0] = 1000000;   /* beyond any module: an empty page */
    json_t *p = store_partnership_show(rq->st, code, e);
    if (p == NULL)
        return NULL;
    const char *cohort = staffui_str(p, "cohort");
    json_t *mods = store_module_list(rq->st, cohort, e);
    json_t *notes = mods ? store_observation_page(rq->st, code, (int)after[0], after[1],
                                                  pg->limit + 1, e)
                         : NULL;
    json_t *out = NULL;
    if (notes) {
        json_t *ords = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(mods, i, m)
            json_array_append(ords, json_object_get(m, "ordinal"));
        char next[48] = "";
        if ((int64_t)json_array_size(notes) > pg->limit) {
            json_array_remove(notes, json_array_size(notes) - 1);
            json_t *lastn = json_array_get(notes, json_array_size(notes) - 1);
            snprintf(next, sizeof next, "%lld.%lld",
                     (long long)json_integer_value(json_object_get(lastn, "module")),
                     (long long)json_integer_value(json_object_get(lastn, "id")));
        }
        out = json_pack("{s:s, s:s, s:s, s:o, s:O, s:o}", "partnership", code, "cohort", cohort,
                        "project_title", staffui_str(p, "project_title"), "modules", ords,
                        "observations", notes, "next",
                        web_paging_next(rq, pg, next[0] ? next : NULL));
    }
    json_decref(notes);
    json_decref(mods);
    json_decref(p);
    return out;
}

/* Reads the notes' ?limit= and ?cursor=; on a bad one answers 400. */
static int notes_paging(struct web_req *rq, struct web_res *rs, int is_api,
                        struct web_paging *pg)
{
    duet_err e;
    int64_t after[2];
    if (web_paging_read(rq, pg, &e) == 0 && web_paging_ints(pg, 2, after, &e) == 0)
        return 0;
    web_paging_fail(rq, rs, is_api, &e);
    return -1;
}

struct note_in {
    int has_module;
    long module;
    const char *text;
    double talk_share;     /* 0..1, NaN: not recorded */
    int talk_bad;          /* given but not a share */
    long decisions[2];     /* lived, system; -1: not recorded */
    int decisions_bad[2];
};

/* Checks and saves a field note by the signed-in person (see module_save
** for the return values). */
static int note_save(struct web_req *rq, const char *code, const struct note_in *in,
                     struct staffui_errors *fe, duet_err *e)
{
    if (!in->has_module)
        staffui_error_add(fe, "module", "Choose the module the note is about");
    if (blank(in->text))
        staffui_error_add(fe, "text", "Enter what you observed");
    else if (!staffui_text_ok(in->text, TEXT_MAX_BYTES, 1))
        staffui_error_add(fe, "text", "The note must be at most %d characters", TEXT_MAX_BYTES);
    if (in->talk_bad)
        staffui_error_add(fe, "talk_share", "Enter the lived-experience side's share of the "
                                            "talk as a whole number from 0 to 100, or leave it "
                                            "empty");
    static const char *const f[2] = {"decisions_lived", "decisions_system"};
    static const char *const side[2] = {"lived-experience", "system"};
    for (int s = 0; s < 2; s++)
        if (in->decisions_bad[s])
            staffui_error_add(fe, f[s], "Enter the number of decisions the %s side led as a "
                                        "whole number from 0 to 1000, or leave it empty",
                              side[s]);
    if (fe->n)
        return 1;
    struct store_observation o = {rq->who->person_key, code, (int)in->module, in->text,
                                  in->talk_share, (int)in->decisions[0], (int)in->decisions[1]};
    if (store_observation_add(rq->st, &o, NULL, e) == 0)
        return 0;
    if (e->code == DUET_ENOTFOUND || e->code == DUET_EINPUT) {
        staffui_error_add(fe, e->code == DUET_ENOTFOUND ? "module" : "text", "%s", e->msg);
        return 1;
    }
    return -1;
}

/* One optional whole number field of a form: -1 when empty; *bad when not
** a number within min..max. */
static long form_count(const char *s, long min, long max, int *bad)
{
    long v = -1;
    *bad = !blank(s) && !staffui_int(s, min, max, &v);
    return blank(s) || *bad ? -1 : v;
}

static void notes_table(duet_buf *b, json_t *notes, const char *code)
{
    if (json_array_size(notes) == 0) {
        html_printf(b, "<p>No field notes yet.</p>\n");
        return;
    }
    html_scroll_begin(b, "Field notes on %s, by module", code);
    html_printf(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption\">Field "
                   "notes on %s, by module</caption>\n<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Module</th><th class=\"nhsuk-table__header\" scope=\"col\">Observer</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Note</th><th class=\"nhsuk-table__header\" scope=\"col\">Lived-experience share of talk</th>"
                   "<th class=\"nhsuk-table__header\" scope=\"col\">Decisions led (lived experience / system)</th></tr></thead>\n"
                   "<tbody class=\"nhsuk-table__body\">\n", code);
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n) {
        html_printf(b, "<tr class=\"nhsuk-table__row\"><th class=\"nhsuk-table__header\" scope=\"row\">%" PRId64 "</th><td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">%s</td><td class=\"nhsuk-table__cell\">",
                    (int64_t)json_integer_value(json_object_get(n, "module")),
                    staffui_str(n, "observer"), staffui_str(n, "text"));
        double t = staffui_num(n, "talk_share_lived");
        if (isnan(t))
            html_printf(b, "–");
        else
            html_printf(b, "%d%%", (int)lround(100 * t));   /* people read whole percents */
        html_printf(b, "</td><td class=\"nhsuk-table__cell\">");
        web_num(b, staffui_num(n, "decisions_lived"));
        html_printf(b, " / ");
        web_num(b, staffui_num(n, "decisions_system"));
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
    html_scroll_end(b);
}

/* The module select of the note form. */
static void module_select(duet_buf *b, const struct staffui_errors *fe, json_t *ords,
                          const char *chosen)
{
    char d[160];
    staffui_describedby(d, sizeof d, fe, "module", 0);
    staffui_group_open(b, fe, "module");
    html_printf(b, "<label class=\"nhsuk-label\" for=\"module\">Module</label>\n");
    staffui_error_message(b, fe, "module");
    html_printf(b, "<select class=\"nhsuk-select%s\" id=\"module\" name=\"module\"",
                staffui_error_for(fe, "module") ? " nhsuk-select--error" : "");
    if (d[0])
        html_printf(b, " aria-describedby=\"%s\"", d);
    html_printf(b, ">\n<option value=\"\">Choose a module</option>\n");
    size_t i;
    json_t *o;
    json_array_foreach(ords, i, o) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)json_integer_value(o));
        html_printf(b, "<option value=\"%s\"", v);
        html_raw_if(b, chosen && strcmp(chosen, v) == 0, " selected");
        html_printf(b, ">Module %s</option>\n", v);
    }
    html_printf(b, "</select>\n</div>\n");
}

/* The typed values of the note form, kept when it is shown again. */
struct note_form {
    const char *module, *text, *talk, *dl, *ds;
};

static void page_notes(struct web_req *rq, struct web_res *rs, const struct staffui_errors *fe,
                       const struct note_form *typed)
{
    const char *code = rq->params[0];
    duet_err e;
    struct web_paging pg;
    if (notes_paging(rq, rs, 0, &pg) != 0)
        return;
    json_t *d = observations(rq, code, &pg, &e);
    if (d == NULL) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    char back[300], action[300], refl[300];
    staffui_href(back, sizeof back, "/partnerships/", code, "");
    staffui_href(action, sizeof action, "/partnerships/", code, "/observations");
    staffui_href(refl, sizeof refl, "/partnerships/", code, "/reflections");
    duet_buf *b = &rs->body;
    buf_reset(b);
    page_begin(rq, rs, fe && fe->n ? "Error: Field notes" : "Field notes");
    page_back(rs, back, "Back to the partnership");
    staffui_error_summary(b, fe);
    html_printf(b, "<span class=\"nhsuk-caption-l\">%s: %s</span>\n<h1>Field notes</h1>\n"
                   "<p>What observers saw at the modules. The members' own reflections that "
                   "they chose to share are on the <a href=\"%s\">reflections page of %s</a>.</p>\n",
                code, staffui_str(d, "project_title"), refl, code);
    notes_table(b, json_object_get(d, "observations"), code);
    if (json_is_string(json_object_get(d, "next")))
        html_printf(b, "<p><a href=\"%s\">More field notes</a></p>\n",
                    staffui_str(d, "next"));
    html_printf(b, "<h2>Record a field note</h2>\n<form method=\"post\" action=\"%s\" "
                   "novalidate>\n", action);
    page_csrf_field(rq, rs);
    module_select(b, fe, json_object_get(d, "modules"), typed->module);
    staffui_textarea(b, fe, "text", "What did you observe?", "Who spoke, who decided, what "
                     "was left unsaid", typed->text, TEXT_MAX_BYTES);
    staffui_input(b, fe, "talk_share", "Lived-experience side's share of the talk, in % "
                  "(optional)", "A whole number from 0 to 100", typed->talk, "text",
                  "inputmode=\"numeric\" maxlength=\"3\"", "nhsuk-input--width-3");
    staffui_input(b, fe, "decisions_lived", "Decisions led by the lived-experience side "
                  "(optional)", NULL, typed->dl, "text", "inputmode=\"numeric\" maxlength=\"4\"",
                  "nhsuk-input--width-4");
    staffui_input(b, fe, "decisions_system", "Decisions led by the system side (optional)",
                  NULL, typed->ds, "text", "inputmode=\"numeric\" maxlength=\"4\"",
                  "nhsuk-input--width-4");
    html_printf(b, "<button data-module=\"nhsuk-button\" class=\"nhsuk-button\" type=\"submit\">Save field note</button>\n"
                   "</form>\n");
    page_end(rq, rs);
    json_decref(d);
}

static void get_notes(struct web_req *rq, struct web_res *rs)
{
    struct note_form typed = {0};
    page_notes(rq, rs, NULL, &typed);
}

static void post_notes(struct web_req *rq, struct web_res *rs)
{
    const struct http_form *f = &rq->form;
    struct note_form typed = {http_form_get(f, "module"), http_form_get(f, "text"),
                              http_form_get(f, "talk_share"), http_form_get(f, "decisions_lived"),
                              http_form_get(f, "decisions_system")};
    struct note_in in = {0};
    in.has_module = staffui_int(typed.module, 1, 1000, &in.module);
    in.text = typed.text;
    int bad;
    long talk = form_count(typed.talk, 0, 100, &bad);
    in.talk_bad = bad;
    in.talk_share = talk < 0 ? NAN : (double)talk / 100.0;
    in.decisions[0] = form_count(typed.dl, 0, 1000, &in.decisions_bad[0]);
    in.decisions[1] = form_count(typed.ds, 0, 1000, &in.decisions_bad[1]);
    struct staffui_errors fe = {0};
    duet_err e;
    int rc = note_save(rq, rq->params[0], &in, &fe, &e);
    if (rc < 0) {
        staffui_fail(rq, rs, 0, &e);
    } else if (rc > 0) {
        rs->status = 422;
        page_notes(rq, rs, &fe, &typed);
    } else {
        char loc[300];
        web_redirect(rs, staffui_href(loc, sizeof loc, "/partnerships/", rq->params[0],
                                      "/observations"));
    }
}

static void api_get_notes(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    struct web_paging pg;
    if (notes_paging(rq, rs, 1, &pg) != 0)
        return;
    json_t *d = observations(rq, rq->params[0], &pg, &e);
    if (d == NULL)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, d);
}

/* An optional count of a JSON body: -1 when absent or null; *bad otherwise
** unless it is an integer within 0..1000. */
static long json_count(json_t *body, const char *key, int *bad)
{
    json_t *v = json_object_get(body, key);
    *bad = 0;
    if (v == NULL || json_is_null(v))
        return -1;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000) {
        *bad = 1;
        return -1;
    }
    return (long)json_integer_value(v);
}

static void api_post_note(struct web_req *rq, struct web_res *rs)
{
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return;
    struct note_in in = {0};
    json_t *m = json_object_get(body, "module"), *t = json_object_get(body, "text");
    json_t *talk = json_object_get(body, "talk_share_lived");
    in.has_module = json_is_integer(m) && json_integer_value(m) >= 1 &&
                    json_integer_value(m) <= 1000;
    in.module = in.has_module ? (long)json_integer_value(m) : 0;
    in.text = json_string_value(t);
    in.talk_share = NAN;
    if (talk && !json_is_null(talk)) {
        double v = json_is_number(talk) ? json_number_value(talk) : -1;
        in.talk_bad = !(v >= 0 && v <= 1);
        in.talk_share = in.talk_bad ? NAN : v;
    }
    in.decisions[0] = json_count(body, "decisions_lived", &in.decisions_bad[0]);
    in.decisions[1] = json_count(body, "decisions_system", &in.decisions_bad[1]);
    struct staffui_errors fe = {0};
    if (t && !json_is_string(t))
        staffui_error_add(&fe, "text", "text must be a string");
    if (in.talk_bad)
        staffui_error_add(&fe, "talk_share_lived", "talk_share_lived must be a number from 0 "
                                                   "to 1, or null");
    in.talk_bad = 0;
    duet_err e;
    int rc = note_save(rq, rq->params[0], &in, &fe, &e);   /* adds its checks to fe */
    if (rc < 0) {
        staffui_fail(rq, rs, 1, &e);
    } else if (rc > 0) {
        staffui_errors_json(rs, &fe);
    } else {
        json_t *d = observations(rq, rq->params[0], NULL, &e);   /* the first page */
        if (d)
            web_json(rs, 201, d);
        else
            staffui_fail(rq, rs, 1, &e);
    }
    json_decref(body);
}

const struct web_route web_routes_facilitator[] = {
    {"GET", "/cohorts/{name}", ACCESS_COHORT_VIEW, WEB_OBJ_COHORT, get_cohort},
    {"GET", "/cohorts/{name}/modules", ACCESS_COHORT_MANAGE, WEB_OBJ_COHORT, get_modules},
    {"POST", "/cohorts/{name}/modules", ACCESS_COHORT_MANAGE, WEB_OBJ_COHORT, post_modules},
    {"GET", "/cohorts/{name}/partnerships", ACCESS_COHORT_MANAGE, WEB_OBJ_COHORT,
     get_pship_form},
    {"POST", "/cohorts/{name}/partnerships", ACCESS_COHORT_MANAGE, WEB_OBJ_COHORT, post_pship},
    {"GET", "/partnerships/{code}/observations", ACCESS_OBSERVE, WEB_OBJ_PARTNERSHIP,
     get_notes},
    {"POST", "/partnerships/{code}/observations", ACCESS_OBSERVE, WEB_OBJ_PARTNERSHIP,
     post_notes},
    {"GET", "/api/v1/cohorts", ACCESS_COHORT_LIST, WEB_OBJ_NONE, api_cohorts},
    {"GET", "/api/v1/cohorts/{name}", ACCESS_COHORT_VIEW, WEB_OBJ_COHORT, api_cohort},
    {"POST", "/api/v1/cohorts/{name}/modules", ACCESS_COHORT_MANAGE, WEB_OBJ_COHORT,
     api_post_module},
    {"POST", "/api/v1/cohorts/{name}/partnerships", ACCESS_COHORT_MANAGE, WEB_OBJ_COHORT,
     api_post_pship},
    {"GET", "/api/v1/partnerships/{code}/observations", ACCESS_OBSERVE, WEB_OBJ_PARTNERSHIP,
     api_get_notes},
    {"POST", "/api/v1/partnerships/{code}/observations", ACCESS_OBSERVE, WEB_OBJ_PARTNERSHIP,
     api_post_note},
    {NULL, NULL, 0, 0, NULL},
};
