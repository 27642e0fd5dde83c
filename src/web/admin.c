/*
** admin.c — the administrator's page and API: the accounts, adding one,
** disabling one (after a confirmation page; it also ends its sessions and
** revokes its API tokens, app/auth.h) and enabling a disabled one again.
** Password hashes never leave app/auth; this file only passes the typed
** password through and never writes it back into a page.
*/
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "web/html.h"
#include "web/paging.h"
#include "web/staffui.h"
#include "web/web.h"

static const char *const roles[4] = {"participant", "facilitator", "researcher", "admin"};
static const char *const role_labels[4] = {"Participant", "Facilitator", "Researcher",
                                           "Administrator"};


/* ---- the data ---- */

/* {users: [{person, display_name, role, created_at, disabled_at}]}. */
static json_t *users(struct web_req *rq, duet_err *e)
{
    json_t *list = auth_user_list(rq->st, e);
    return list ? json_pack("{s:o}", "users", list) : NULL;
}

/* People who have no account yet, {person, display_name} by key: the
** choices of the add form (a set lookup per person, not a scan). */
static json_t *people_without_account(struct web_req *rq, json_t *accounts, duet_err *e)
{
    json_t *people = store_person_list(rq->st, e);
    if (people == NULL)
        return NULL;
    json_t *has = json_object(), *out = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(accounts, i, a)
        json_object_set_new(has, staffui_str(a, "person"), json_true());
    json_array_foreach(people, i, a)
        if (json_object_get(has, staffui_str(a, "key")) == NULL)
            json_array_append_new(out, json_pack("{s:s, s:s}", "person", staffui_str(a, "key"),
                                                 "display_name",
                                                 staffui_str(a, "display_name")));
    json_decref(has);
    json_decref(people);
    return out;
}

struct user_in {
    const char *person, *role, *password, *confirm;   /* confirm: NULL for the API */
};

/* Checks and adds an account. Returns 0 when added, 1 with fe filled when
** the input is wrong, -1 with *e set when the store fails. */
static int user_save(struct web_req *rq, const struct user_in *in, struct staffui_errors *fe,
                     duet_err *e)
{
    enum auth_role r;
    if (in->person == NULL || *in->person == '\0')
        staffui_error_add(fe, "person", "Choose the person the account is for");
    else if (!staffui_key_ok(in->person))
        staffui_error_add(fe, "person", "There is no person with the key '%s'", in->person);
    if (in->role == NULL || auth_role_parse(in->role, &r, NULL) != 0)
        staffui_error_add(fe, "role", "Choose the account's role");
    duet_err pe;
    if (in->password == NULL || *in->password == '\0')
        staffui_error_add(fe, "password", "Enter a password");
    else if (auth_password_policy(in->password, &pe) != 0)
        staffui_error_add(fe, "password", "%s", pe.msg);
    else if (in->confirm && strcmp(in->password, in->confirm) != 0)
        staffui_error_add(fe, "confirm", "The passwords do not match");
    if (fe->n)
        return 1;
    if (auth_user_add(rq->st, in->person, in->role, in->password, e) == 0)
        return 0;
    if (e->code == DUET_ENOTFOUND || e->code == DUET_ECONFLICT) {
        staffui_error_add(fe, "person", "%s", e->code == DUET_ECONFLICT
                                                  ? "This person already has an account"
                                                  : "There is no such person");
        return 1;
    }
    if (e->code == DUET_EINPUT) {
        staffui_error_add(fe, "password", "%s", e->msg);
        return 1;
    }
    return -1;
}

/* ---- the page ---- */

/* The accounts as NHS.UK's responsive table: on a phone each account is a
** block of rows headed by the column names (the spans, hidden from screen
** readers, which read the real headers), so its button stays on the screen. */
static void accounts_table(struct web_req *rq, struct web_res *rs, json_t *list)
{
    duet_buf *b = &rs->body;
    html_printf(b, "<table class=\"nhsuk-table nhsuk-table--responsive\" role=\"table\">\n"
                   "<caption class=\"nhsuk-table__caption\">Accounts</caption>\n"
                   "<thead role=\"rowgroup\" class=\"nhsuk-table__head\"><tr role=\"row\" class=\"nhsuk-table__row\">"
                   "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">Person</th>"
                   "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">Name</th>"
                   "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">Role</th>"
                   "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\">Status</th>"
                   "<th role=\"columnheader\" class=\"nhsuk-table__header\" scope=\"col\"><span class=\"nhsuk-u-visually-hidden\">Action</span></th>"
                   "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
    size_t i;
    json_t *u;
    json_array_foreach(list, i, u) {
        const char *person = staffui_str(u, "person");
        int disabled = json_is_string(json_object_get(u, "disabled_at"));
        html_printf(b, "<tr role=\"row\" class=\"nhsuk-table__row\"><th role=\"rowheader\" class=\"nhsuk-table__header\" scope=\"row\">"
                       "<span class=\"nhsuk-table__heading\" aria-hidden=\"true\">Person </span>%s</th>"
                       "<td role=\"cell\" class=\"nhsuk-table__cell\"><span class=\"nhsuk-table__heading\" aria-hidden=\"true\">Name </span>%s</td>"
                       "<td role=\"cell\" class=\"nhsuk-table__cell\"><span class=\"nhsuk-table__heading\" aria-hidden=\"true\">Role </span>%s</td>"
                       "<td role=\"cell\" class=\"nhsuk-table__cell\"><span class=\"nhsuk-table__heading\" aria-hidden=\"true\">Status </span>",
                    person, staffui_str(u, "display_name"), staffui_str(u, "role"));
        html_raw_if(b, disabled, "<strong class=\"nhsuk-tag nhsuk-tag--grey\">Disabled</strong>");
        html_raw_if(b, !disabled, "<strong class=\"nhsuk-tag nhsuk-tag--green\">Enabled</strong>");
        html_raw(b, "</td><td role=\"cell\" class=\"nhsuk-table__cell\">");
        char action[300];
        if (strcmp(person, rq->who->person_key) == 0) {
            /* No button: one's own account is neither disabled nor enabled here. */
        } else if (!disabled) {
            /* A link to the confirmation page: a GET changes nothing. */
            staffui_href(action, sizeof action, "/admin/users/", person, "/disable");
            html_printf(b, "<a class=\"nhsuk-button nhsuk-button--secondary nhsuk-button--small "
                           "nhsuk-u-margin-bottom-0\" data-module=\"nhsuk-button\" "
                           "role=\"button\" draggable=\"false\" href=\"%s\">Disable"
                           "<span class=\"nhsuk-u-visually-hidden\"> %s</span></a>",
                        action, person);
        } else {
            staffui_href(action, sizeof action, "/admin/users/", person, "/enable");
            html_printf(b, "<form method=\"post\" action=\"%s\">", action);
            page_csrf_field(rq, rs);
            html_printf(b, "<button data-module=\"nhsuk-button\" class=\"nhsuk-button nhsuk-button--secondary "
                           "nhsuk-button--small nhsuk-u-margin-bottom-0\" type=\"submit\">Enable"
                           "<span class=\"nhsuk-u-visually-hidden\"> %s</span></button></form>",
                        person);
        }
        html_printf(b, "</td></tr>\n");
    }
    html_printf(b, "</tbody>\n</table>\n");
}

static void person_select(duet_buf *b, const struct staffui_errors *fe, json_t *people,
                          const char *chosen)
{
    char d[160];
    staffui_describedby(d, sizeof d, fe, "person", 1);
    staffui_group_open(b, fe, "person");
    html_printf(b, "<label class=\"nhsuk-label\" for=\"person\">Person</label>\n"
                   "<div class=\"nhsuk-hint\" id=\"person-hint\">People without an account. "
                   "People are added with duet person add.</div>\n");
    staffui_error_message(b, fe, "person");
    html_printf(b, "<select class=\"nhsuk-select%s\" id=\"person\" name=\"person\" "
                   "aria-describedby=\"%s\">\n<option value=\"\">Choose a person</option>\n",
                staffui_error_for(fe, "person") ? " nhsuk-select--error" : "", d);
    size_t i;
    json_t *p;
    json_array_foreach(people, i, p) {
        const char *key = staffui_str(p, "person");
        html_printf(b, "<option value=\"%s\"", key);
        html_raw_if(b, chosen && strcmp(chosen, key) == 0, " selected");
        html_printf(b, ">%s (%s)</option>\n", staffui_str(p, "display_name"), key);
    }
    html_printf(b, "</select>\n</div>\n");
}

static void role_radios(duet_buf *b, const struct staffui_errors *fe, const char *chosen)
{
    staffui_group_open(b, fe, "role");
    char d[160];
    staffui_describedby(d, sizeof d, fe, "role", 0);
    html_raw(b, "<fieldset class=\"nhsuk-fieldset\"");
    if (d[0])
        html_printf(b, " aria-describedby=\"%s\"", d);
    html_raw(b, ">\n<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Role"
                "</legend>\n");
    staffui_error_message(b, fe, "role");
    html_printf(b, "<div class=\"nhsuk-radios\">\n");
    for (int i = 0; i < 4; i++) {
        /* The first radio carries the field's id, so the error summary's link lands on it. */
        char id[32];
        if (i == 0)
            snprintf(id, sizeof id, "role");
        else
            snprintf(id, sizeof id, "role-%d", i + 1);
        html_printf(b, "<div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" "
                       "id=\"%s\" name=\"role\" type=\"radio\" value=\"%s\"", id, roles[i]);
        html_raw_if(b, chosen && strcmp(chosen, roles[i]) == 0, " checked");
        html_printf(b, "><label class=\"nhsuk-label nhsuk-radios__label\" for=\"%s\">%s</label>"
                       "</div>\n", id, role_labels[i]);
    }
    html_printf(b, "</div>\n</fieldset>\n</div>\n");
}

static void add_form(struct web_req *rq, struct web_res *rs, const struct staffui_errors *fe,
                     json_t *people, const struct user_in *typed)
{
    duet_buf *b = &rs->body;
    html_printf(b, "<h2 id=\"add\">Add an account</h2>\n"
                   "<form method=\"post\" action=\"/admin/users\" novalidate>\n");
    page_csrf_field(rq, rs);
    person_select(b, fe, people, typed->person);
    role_radios(b, fe, typed->role);
    staffui_input(b, fe, "password", "Password",
                  "At least 8 characters. Not a common password, and without the person's "
                  "name, their person key or the word duet.", NULL, "password",
                  "autocomplete=\"new-password\" maxlength=\"256\"", "nhsuk-u-width-two-thirds");
    staffui_input(b, fe, "confirm", "Confirm the password", NULL, NULL, "password",
                  "autocomplete=\"new-password\" maxlength=\"256\"", "nhsuk-u-width-two-thirds");
    html_printf(b, "<button data-module=\"nhsuk-button\" class=\"nhsuk-button\" type=\"submit\">Add account</button>\n"
                   "</form>\n");
}

/* The success banner after disabling (?disabled=KEY) or enabling
** (?enabled=KEY) an account, shown only when the account is now so. */
static void account_banner(struct web_req *rq, struct web_res *rs)
{
    const char *key = web_query(rq, "disabled");
    int want_disabled = key != NULL;
    if (key == NULL)
        key = web_query(rq, "enabled");
    struct store_account a;
    duet_err e;
    if (key == NULL || !staffui_key_ok(key) || store_account_get(rq->st, key, &a, &e) != 0 ||
        a.disabled != want_disabled)
        return;
    html_printf(&rs->body,
        "<div class=\"nhsuk-notification-banner nhsuk-notification-banner--success\" "
        "role=\"alert\" aria-labelledby=\"account-banner-title\" "
        "data-module=\"nhsuk-notification-banner\">\n"
        "<div class=\"nhsuk-notification-banner__header\">\n"
        "<h2 class=\"nhsuk-notification-banner__title\" id=\"account-banner-title\">Success</h2>\n"
        "</div>\n<div class=\"nhsuk-notification-banner__content\">\n"
        "<p class=\"nhsuk-notification-banner__heading\">%s's account has been %s</p>\n"
        "<p>%s</p>\n</div>\n</div>\n", a.display_name, want_disabled ? "disabled" : "enabled",
        want_disabled ? "They have been signed out everywhere and their API tokens revoked."
                      : "They can sign in again. API tokens revoked when the account was "
                        "disabled stay revoked.");
}

static void page_users(struct web_req *rq, struct web_res *rs, const struct staffui_errors *fe,
                       const struct user_in *typed)
{
    duet_err e;
    json_t *d = users(rq, &e);
    json_t *list = json_object_get(d, "users");
    json_t *people = d ? people_without_account(rq, list, &e) : NULL;
    if (people == NULL) {
        json_decref(d);
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    duet_buf *b = &rs->body;
    buf_reset(b);
    page_begin(rq, rs, fe && fe->n ? "Error: Accounts" : "Accounts");
    if (fe == NULL || fe->n == 0)
        account_banner(rq, rs);
    staffui_error_summary(b, fe);
    html_printf(b, "<h1>Accounts</h1>\n<p>Who can sign in, and as what. Disabling an account "
                   "signs the person out everywhere and revokes their API tokens. A disabled "
                   "account can be enabled again; its revoked tokens stay revoked.</p>\n"
                   "<p><a href=\"#add\">Add an account</a></p>\n");
    accounts_table(rq, rs, list);
    add_form(rq, rs, fe, people, typed);
    page_end(rq, rs);
    json_decref(people);
    json_decref(d);
}

void home_admin(struct web_req *rq, struct web_res *rs)
{
    struct user_in typed = {0};
    page_users(rq, rs, NULL, &typed);
}

static void post_user(struct web_req *rq, struct web_res *rs)
{
    struct user_in in = {http_form_get(&rq->form, "person"), http_form_get(&rq->form, "role"),
                         http_form_get(&rq->form, "password"),
                         http_form_get(&rq->form, "confirm")};
    if (in.confirm == NULL)
        in.confirm = "";
    struct staffui_errors fe = {0};
    duet_err e;
    int rc = user_save(rq, &in, &fe, &e);
    if (rc < 0) {
        staffui_fail(rq, rs, 0, &e);
    } else if (rc > 0) {
        rs->status = 422;
        page_users(rq, rs, &fe, &in);
    } else {
        web_redirect(rs, "/home");
    }
}

/* The account of person for disabling, or -1 with *e: one's own (which
** would lock the last administrator out), one without an account, one
** already disabled. */
static int disable_target(struct web_req *rq, const char *person, struct store_account *a,
                          duet_err *e)
{
    if (strcmp(person, rq->who->person_key) == 0)
        return duet_errf(e, DUET_ECONFLICT, "you cannot disable your own account");
    if (store_account_get(rq->st, person, a, e) != 0)
        return -1;
    if (a->disabled)
        return duet_errf(e, DUET_ECONFLICT, "the account of person '%s' is already disabled",
                         person);
    return 0;
}

static int user_disable(struct web_req *rq, const char *person, duet_err *e)
{
    struct store_account a;
    if (disable_target(rq, person, &a, e) != 0)
        return -1;
    return auth_user_disable(rq->st, person, e);
}

/* "Are you sure?": the page that GET and an unconfirmed POST show. */
static void page_confirm_disable(struct web_req *rq, struct web_res *rs)
{
    const char *person = rq->params[0];
    struct store_account a;
    duet_err e;
    if (disable_target(rq, person, &a, &e) != 0) {
        staffui_fail(rq, rs, 0, &e);
        return;
    }
    char action[300], title[400];
    staffui_href(action, sizeof action, "/admin/users/", person, "/disable");
    snprintf(title, sizeof title, "Are you sure you want to disable %s's account?",
             a.display_name);
    duet_buf *b = &rs->body;
    buf_reset(b);
    rs->status = 200;
    page_begin(rq, rs, title);
    page_back(rs, "/home", "Back to the accounts");
    html_printf(b, "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-two-thirds\">\n"
                   "<h1>%s</h1>\n<p>%s (person key <code>%s</code>, %s) will be signed out "
                   "everywhere at once, and their API tokens revoked. You can enable the "
                   "account again later; the revoked tokens stay revoked.</p>\n"
                   "<form method=\"post\" action=\"%s\" novalidate>\n",
                title, a.display_name, person, a.role, action);
    page_csrf_field(rq, rs);
    html_printf(b, "<input type=\"hidden\" name=\"confirm\" value=\"yes\">\n"
                   "<div class=\"nhsuk-button-group\">\n"
                   "<button data-module=\"nhsuk-button\" class=\"nhsuk-button nhsuk-button--warning\" "
                   "type=\"submit\">Yes, disable the account</button>\n"
                   "<a class=\"nhsuk-link\" href=\"/home\">No, go back</a>\n</div>\n"
                   "</form>\n</div></div>\n");
    page_end(rq, rs);
}

static void get_disable(struct web_req *rq, struct web_res *rs)
{
    page_confirm_disable(rq, rs);
}

static void post_disable(struct web_req *rq, struct web_res *rs)
{
    const char *confirm = http_form_get(&rq->form, "confirm");
    if (confirm == NULL || strcmp(confirm, "yes") != 0) {
        page_confirm_disable(rq, rs);   /* not confirmed: ask */
        return;
    }
    duet_err e;
    char loc[300];
    if (user_disable(rq, rq->params[0], &e) != 0)
        staffui_fail(rq, rs, 0, &e);
    else
        web_redirect(rs, staffui_href(loc, sizeof loc, "/home?disabled=", rq->params[0], ""));
}

static void post_enable(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    char loc[300];
    if (auth_user_enable(rq->st, rq->params[0], &e) != 0)
        staffui_fail(rq, rs, 0, &e);
    else
        web_redirect(rs, staffui_href(loc, sizeof loc, "/home?enabled=", rq->params[0], ""));
}

/* One page of the accounts, by person key: {users, next}. The cursor is
** the person key of the last account of the page before. */
static void api_users(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    struct web_paging pg;
    if (web_paging_read(rq, &pg, &e) != 0) {
        web_paging_fail(rq, rs, 1, &e);
        return;
    }
    json_t *list = store_account_page(rq->st, pg.cursor, pg.limit + 1, &e);
    if (list == NULL) {
        staffui_fail(rq, rs, 1, &e);
        return;
    }
    char next[80] = "";
    if ((int64_t)json_array_size(list) > pg.limit) {
        json_array_remove(list, json_array_size(list) - 1);
        snprintf(next, sizeof next, "%s",
                 staffui_str(json_array_get(list, json_array_size(list) - 1), "person"));
    }
    web_json(rs, 200, json_pack("{s:o, s:o}", "users", list, "next",
                                web_paging_next(rq, &pg, next[0] ? next : NULL)));
}

static void api_post_user(struct web_req *rq, struct web_res *rs)
{
    json_t *body = staffui_body(rq, rs);
    if (body == NULL)
        return;
    struct staffui_errors fe = {0};
    static const char *const keys[3] = {"person", "role", "password"};
    for (int k = 0; k < 3; k++) {
        json_t *v = json_object_get(body, keys[k]);
        if (!json_is_string(v))
            staffui_error_add(&fe, keys[k], "%s must be a string", keys[k]);
    }
    struct user_in in = {staffui_str(body, "person"), staffui_str(body, "role"),
                         staffui_str(body, "password"), NULL};
    duet_err e;
    int rc = fe.n ? 1 : user_save(rq, &in, &fe, &e);
    if (rc < 0)
        staffui_fail(rq, rs, 1, &e);
    else if (rc > 0)
        staffui_errors_json(rs, &fe);
    else
        web_json(rs, 201, json_pack("{s:s, s:s, s:b}", "person", in.person, "role", in.role,
                                    "disabled", 0));
    json_decref(body);
}

static void api_disable(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    if (user_disable(rq, rq->params[0], &e) != 0)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, json_pack("{s:s, s:b}", "person", rq->params[0], "disabled", 1));
}

static void api_enable(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    if (auth_user_enable(rq->st, rq->params[0], &e) != 0)
        staffui_fail(rq, rs, 1, &e);
    else
        web_json(rs, 200, json_pack("{s:s, s:b}", "person", rq->params[0], "disabled", 0));
}

const struct web_route web_routes_admin[] = {
    {"POST", "/admin/users", ACCESS_USERS, WEB_OBJ_NONE, post_user},
    {"GET", "/admin/users/{person}/disable", ACCESS_USERS, WEB_OBJ_NONE, get_disable},
    {"POST", "/admin/users/{person}/disable", ACCESS_USERS, WEB_OBJ_NONE, post_disable},
    {"POST", "/admin/users/{person}/enable", ACCESS_USERS, WEB_OBJ_NONE, post_enable},
    {"GET", "/api/v1/users", ACCESS_USERS, WEB_OBJ_NONE, api_users},
    {"POST", "/api/v1/users", ACCESS_USERS, WEB_OBJ_NONE, api_post_user},
    {"POST", "/api/v1/users/{person}/disable", ACCESS_USERS, WEB_OBJ_NONE, api_disable},
    {"POST", "/api/v1/users/{person}/enable", ACCESS_USERS, WEB_OBJ_NONE, api_enable},
    {NULL, NULL, 0, 0, NULL},
};
