/*
** staffui.c — helpers shared by the facilitator, researcher and admin pages
** (see staffui.h). Nothing here decides access or writes to the store.
*/
#include "web/staffui.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/utf8.h"
#include "store/store.h"
#include "web/html.h"

/* ---- addresses ---- */

const char *staffui_href(char *out, size_t n, const char *prefix, const char *s,
                         const char *suffix)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = (size_t)snprintf(out, n, "%s", prefix);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && k + 4 < n; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        if (plain) {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    if (k >= n)
        k = n - 1;
    out[k] = '\0';
    snprintf(out + k, n - k, "%s", suffix ? suffix : "");
    return out;
}

/* ---- failures ---- */

void staffui_fail(struct web_req *rq, struct web_res *rs, int is_api, const duet_err *e)
{
    int status = web_status_for(e);
    if (status >= 500) {
        if (is_api)
            web_json_error(rs, status, "something went wrong on our side");
        else
            page_error(rq, rs, status, "Something went wrong on our side. Please try again.");
        return;
    }
    if (is_api) {
        web_json_error(rs, status, "%s", e->msg);
        return;
    }
    char msg[DUET_ERR_MAX + 1];
    snprintf(msg, sizeof msg, "%s", e->msg);
    if (msg[0] >= 'a' && msg[0] <= 'z')
        msg[0] = (char)(msg[0] - 'a' + 'A');
    size_t n = strlen(msg);
    if (n > 0 && n + 1 < sizeof msg && msg[n - 1] != '.') {
        msg[n] = '.';
        msg[n + 1] = '\0';
    }
    page_error(rq, rs, status, msg);
}

/* ---- forms ---- */

void staffui_error_add(struct staffui_errors *fe, const char *field, const char *fmt, ...)
{
    if (fe->n == STAFFUI_MAX_ERRORS || staffui_error_for(fe, field) != NULL)
        return;   /* one message per field: the first is the one to fix */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fe->e[fe->n].msg, sizeof fe->e[fe->n].msg, fmt, ap);
    va_end(ap);
    /* Library messages start in lower case; a form's sentences do not. */
    char *m = fe->e[fe->n].msg;
    if (m[0] >= 'a' && m[0] <= 'z')
        m[0] = (char)(m[0] - 'a' + 'A');
    fe->e[fe->n].field = field;
    fe->n++;
}

const char *staffui_error_for(const struct staffui_errors *fe, const char *field)
{
    for (size_t i = 0; fe && i < fe->n; i++)
        if (strcmp(fe->e[i].field, field) == 0)
            return fe->e[i].msg;
    return NULL;
}

void staffui_error_summary(duet_buf *b, const struct staffui_errors *fe)
{
    if (fe == NULL || fe->n == 0)
        return;
    html_printf(b,
        "<div class=\"nhsuk-error-summary\" data-module=\"nhsuk-error-summary\">\n"
        "<div role=\"alert\">\n<h2 class=\"nhsuk-error-summary__heading\">There is a "
        "problem</h2>\n<div class=\"nhsuk-error-summary__body\">\n"
        "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n");
    for (size_t i = 0; i < fe->n; i++)
        html_printf(b, "<li><a href=\"#%s\">%s</a></li>\n", fe->e[i].field, fe->e[i].msg);
    html_printf(b, "</ul>\n</div>\n</div>\n</div>\n");
}

void staffui_errors_json(struct web_res *rs, const struct staffui_errors *fe)
{
    json_t *fields = json_object();   /* the same shape as the participant API's */
    for (size_t i = 0; i < fe->n; i++)
        if (json_object_get(fields, fe->e[i].field) == NULL)
            json_object_set_new(fields, fe->e[i].field, json_string(fe->e[i].msg));
    web_json(rs, 422, json_pack("{s:{s:i, s:s, s:o}}", "error", "status", 422, "message",
                                fe->n ? fe->e[0].msg : "the request is not valid", "fields",
                                fields));
}

void staffui_group_open(duet_buf *b, const struct staffui_errors *fe, const char *field)
{
    html_printf(b, "<div class=\"nhsuk-form-group%s\">\n",
                staffui_error_for(fe, field) ? " nhsuk-form-group--error" : "");
}

void staffui_error_message(duet_buf *b, const struct staffui_errors *fe, const char *field)
{
    const char *msg = staffui_error_for(fe, field);
    if (msg)
        html_printf(b, "<span class=\"nhsuk-error-message\" id=\"%s-error\">"
                       "<span class=\"nhsuk-u-visually-hidden\">Error: </span>%s</span>\n",
                    field, msg);
}

const char *staffui_describedby(char *out, size_t n, const struct staffui_errors *fe,
                                const char *id, int has_hint)
{
    int err = staffui_error_for(fe, id) != NULL;
    snprintf(out, n, "%s%s%s%s%s", has_hint ? id : "", has_hint ? "-hint" : "",
             has_hint && err ? " " : "", err ? id : "", err ? "-error" : "");
    return out;
}

/* The hint paragraph under a label, when there is one. */
static void hint(duet_buf *b, const char *id, const char *text)
{
    if (text)
        html_printf(b, "<div class=\"nhsuk-hint\" id=\"%s-hint\">%s</div>\n", id, text);
}

/* aria-describedby="..." or nothing. */
static void describedby_attr(duet_buf *b, const struct staffui_errors *fe, const char *id,
                             int has_hint)
{
    char d[160];
    staffui_describedby(d, sizeof d, fe, id, has_hint);
    if (d[0])
        html_printf(b, " aria-describedby=\"%s\"", d);
}

void staffui_input_(duet_buf *b, const struct staffui_errors *fe, const char *id,
                    const char *label, const char *hint_text, const char *value,
                    const char *type, const char *attrs, const char *width)
{
    int err = staffui_error_for(fe, id) != NULL;
    staffui_group_open(b, fe, id);
    html_printf(b, "<label class=\"nhsuk-label\" for=\"%s\">%s</label>\n", id, label);
    hint(b, id, hint_text);
    staffui_error_message(b, fe, id);
    html_printf(b, "<input class=\"nhsuk-input%s%s%s\" id=\"%s\" name=\"%s\" type=\"%s\" "
                   "value=\"%s\" ",
                width && *width ? " " : "", width ? width : "", err ? " nhsuk-input--error" : "",
                id, id, type ? type : "text", value ? value : "");
    html_raw_literal_(b, attrs);   /* a literal: staffui_input admits nothing else */
    describedby_attr(b, fe, id, hint_text != NULL);
    html_printf(b, ">\n</div>\n");
}

void staffui_textarea(duet_buf *b, const struct staffui_errors *fe, const char *id,
                      const char *label, const char *hint_text, const char *value,
                      int maxlength)
{
    int err = staffui_error_for(fe, id) != NULL;
    staffui_group_open(b, fe, id);
    html_printf(b, "<label class=\"nhsuk-label\" for=\"%s\">%s</label>\n", id, label);
    hint(b, id, hint_text);
    staffui_error_message(b, fe, id);
    html_printf(b, "<textarea class=\"nhsuk-textarea%s\" id=\"%s\" name=\"%s\" rows=\"5\" "
                   "maxlength=\"%d\"",
                err ? " nhsuk-textarea--error" : "", id, id, maxlength);
    describedby_attr(b, fe, id, hint_text != NULL);
    html_printf(b, ">%s</textarea>\n</div>\n", value ? value : "");
}

/* ---- checking input ---- */

int staffui_int(const char *s, long min, long max, long *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 12)
        return 0;
    for (const char *p = s; *p; p++)
        if (!(*p >= '0' && *p <= '9') && !(p == s && *p == '-'))
            return 0;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

int staffui_date_ok(const char *s)
{
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

int staffui_key_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

int staffui_text_ok(const char *s, size_t max, int multiline)
{
    size_t n = s ? strlen(s) : 0;
    if (n > max || utf8_invalid_at(s ? s : "", n) != (size_t)-1)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
            return 0;
    }
    return 1;
}

/* ---- JSON ---- */

const char *staffui_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

double staffui_num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

json_t *staffui_body(const struct web_req *rq, struct web_res *rs)
{
    if (rq->body == NULL || rq->body_len == 0) {
        web_json_error(rs, 400, "send a JSON object in the request body");
        return NULL;
    }
    duet_err e;
    json_t *v = duet_json_load(rq->body, rq->body_len, 0, "request body", &e);
    if (v == NULL) {
        web_json_error(rs, 400, "%s", e.msg);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        web_json_error(rs, 422, "the request body must be a JSON object");
        return NULL;
    }
    return v;
}

/* ---- flags ---- */

const char *const staffui_flags[4] = {"tokenistic", "polarising", "diverging", "low_quality"};

const char *staffui_flag_text(const char *flag)
{
    if (strcmp(flag, "tokenistic") == 0)
        return "Tokenism signal";
    if (strcmp(flag, "polarising") == 0)
        return "Polarising";
    if (strcmp(flag, "diverging") == 0)
        return "Perceptions diverge";
    if (strcmp(flag, "low_quality") == 0)
        return "Low quality";
    return flag;
}

const char *staffui_flag_class(const char *flag)
{
    /* Tokenism and polarisation weigh double in the concern score
    ** (docs/analysis.md), so they get the stronger colour. */
    if (strcmp(flag, "tokenistic") == 0 || strcmp(flag, "polarising") == 0)
        return "nhsuk-tag nhsuk-tag--red";
    return "nhsuk-tag nhsuk-tag--orange";
}

/* ---- cohorts and people ---- */

json_t *staffui_cohorts(struct web_req *rq, duet_err *e)
{
    if (rq->who->role == AUTH_FACILITATOR)
        return store_cohort_list_staffed(rq->st, rq->who->person_id, e);
    return store_cohort_list(rq->st, NULL, e);
}

/* The map's key of person in partnership code: "CODE/person" (a code has
** no '/'), because one person may be a member of several partnerships and
** has a pseudonym in each. */
static void member_key(char *out, size_t n, const char *code, const char *person)
{
    snprintf(out, n, "%s/%s", code ? code : "", person);
}

json_t *staffui_pseudonyms(struct store *st, const char *cohort, duet_err *e)
{
    json_t *rows = store_cohort_member_list(st, cohort, e);
    if (rows == NULL)
        return NULL;
    json_t *map = json_object();
    const char *last = "";
    int lived = 0, system = 0;
    size_t i;
    json_t *r;
    /* Rows come ordered by partnership, side and person id, so counting
    ** within each partnership and side numbers members the same way on
    ** every page and every day. */
    json_array_foreach(rows, i, r) {
        const char *code = staffui_str(r, "partnership");
        if (strcmp(code, last) != 0) {
            lived = system = 0;
            last = code;
        }
        int is_lived = strcmp(staffui_str(r, "side"), "lived_experience") == 0;
        char p[96], key[160];
        snprintf(p, sizeof p, "%s-%c%d", code, is_lived ? 'L' : 'S',
                 is_lived ? ++lived : ++system);
        member_key(key, sizeof key, code, staffui_str(r, "person"));
        json_object_set_new(map, key, json_string(p));
    }
    json_decref(rows);
    return map;
}

/* The walk of staffui_pseudonymise; code is the partnership the value is
** part of (the nearest enclosing object with a "partnership" string). */
static void pseudonymise(json_t *v, const json_t *map, const char *code)
{
    static const char *const drop[] = {"display_name", "organisation", "contact", "observer"};
    size_t i;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            pseudonymise(x, map, code);
        return;
    }
    if (!json_is_object(v))
        return;
    for (i = 0; i < sizeof drop / sizeof drop[0]; i++)
        json_object_del(v, drop[i]);
    const char *own = json_string_value(json_object_get(v, "partnership"));
    if (own)
        code = own;
    const char *key;
    json_object_foreach(v, key, x) {
        if (strcmp(key, "person") == 0 && json_is_string(x)) {
            char k[160];
            member_key(k, sizeof k, code, json_string_value(x));
            const char *p = json_string_value(json_object_get(map, k));
            json_string_set(x, p ? p : "unknown");
        } else {
            pseudonymise(x, map, code);
        }
    }
}

void staffui_pseudonymise(json_t *v, const json_t *map)
{
    pseudonymise(v, map, NULL);
}

const char *staffui_cohort_param(struct web_req *rq, struct web_res *rs, int is_api)
{
    const char *c = web_query(rq, "cohort");
    if (c == NULL || *c == '\0' || strlen(c) > 200) {
        if (is_api)
            web_json_error(rs, 400, "name the cohort: ?cohort=NAME");
        else
            page_error(rq, rs, 400, "Choose a cohort from your home page.");
        return NULL;
    }
    int64_t id;
    duet_err e;
    if (store_cohort_id(rq->st, c, &id, &e) != 0) {
        int status = e.code == DUET_ENOTFOUND || e.code == DUET_EINPUT ? 404 : 500;
        if (is_api)
            web_json_error(rs, status, "%s", status == 404 ? "no such cohort" : e.msg);
        else
            page_error(rq, rs, status, status == 404 ? "There is no such cohort."
                                                     : "Something went wrong on our side.");
        return NULL;
    }
    return c;
}
