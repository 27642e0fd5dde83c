/*
** signin.c — signing in and out, and the home page that sends each role to
** its own start page.
**
** The sign-in form is protected against cross-site submission (login CSRF)
** by a double-submit token: GET /sign-in sets a random cookie and puts the
** same value in the form; POST /sign-in must bring both. Signing in always
** creates a new session token (no fixation); signing out ends it on the
** server, so a copied cookie stops working.
*/
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "web/html.h"
#include "web/web.h"

#define SIGNIN_COOKIE "duet_signin"

const char *web_query(const struct web_req *rq, const char *name)
{
    return http_form_get(&rq->query, name);
}

/* Where to go after signing in: a plain path of this site that no browser
** reads as another origin (see http_safe_path); anything else goes home. */
static const char *safe_next(const char *next)
{
    return http_safe_path(next) ? next : "/home";
}

static void set_cookie(struct web_req *rq, struct web_res *rs, const char *name,
                       const char *value, int clear)
{
    snprintf(rs->cookie, sizeof rs->cookie, "%s%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
             rq->tls && strcmp(name, "duet_session") == 0 ? "__Host-" : "", name, value,
             rq->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

static void signin_form(struct web_req *rq, struct web_res *rs, const char *error,
                        const char *person)
{
    unsigned char raw[24];
    char token[48];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, sizeof token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    set_cookie(rq, rs, SIGNIN_COOKIE, token, 0);
    const char *next = safe_next(web_query(rq, "next") ? web_query(rq, "next")
                                                       : http_form_get(&rq->form, "next"));
    duet_buf *b = &rs->body;
    buf_reset(b);
    page_begin(rq, rs, "Sign in");
    html_printf(b, "<div class=\"nhsuk-grid-row\"><div class=\"nhsuk-grid-column-two-thirds\">\n");
    if (error) {
        /* nhsuk-frontend 10 markup: its script finds the summary by
        ** data-module and focuses it on load (see docs/frontend.md). */
        html_printf(b,
            "<div class=\"nhsuk-error-summary\" data-module=\"nhsuk-error-summary\">\n"
            "<div role=\"alert\">\n"
            "<h2 class=\"nhsuk-error-summary__heading\">There is a problem</h2>\n"
            "<div class=\"nhsuk-error-summary__body\">\n"
            "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n"
            "<li><a href=\"#person\">%s</a></li>\n</ul>\n</div>\n</div>\n</div>\n", error);
    }
    /* Why the last session ended, when duet.js or the server says so
    ** (see post_session_keep and run_route in server.c). */
    const char *why = NULL;
    if (web_query(rq, "expired") && strcmp(web_query(rq, "expired"), "1") == 0)
        why = "Your session ended, so what you sent was not saved. Sign in again and we will "
              "put back what you typed.";
    else if (web_query(rq, "timeout") && strcmp(web_query(rq, "timeout"), "1") == 0)
        why = "You were signed out because you were inactive for 30 minutes. Sign in again "
              "to carry on.";
    html_printf(b, "<h1>Sign in to duet</h1>\n");
    if (why && !error)
        html_printf(b, "<div class=\"nhsuk-warning-callout\" id=\"session-ended\">\n"
                       "<h2 class=\"nhsuk-warning-callout__label\">"
                       "<span class=\"nhsuk-u-visually-hidden\">Important: </span>"
                       "You have been signed out</h2>\n<p>%s</p>\n</div>\n", why);
    html_printf(b,
        "<form method=\"post\" action=\"/sign-in\" novalidate>\n"
        "<input type=\"hidden\" name=\"signin_token\" value=\"%s\">\n"
        "<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
        "<div class=\"nhsuk-form-group%s\">\n"
        "<label class=\"nhsuk-label\" for=\"person\">Your sign-in name</label>\n"
        "<div class=\"nhsuk-hint\" id=\"person-hint\">The name your programme team gave you, "
        "for example amira.01</div>\n"
        "<input class=\"nhsuk-input nhsuk-u-width-two-thirds\" id=\"person\" name=\"person\" "
        "type=\"text\" autocomplete=\"username\" spellcheck=\"false\" "
        "aria-describedby=\"person-hint\" value=\"%s\" maxlength=\"64\">\n</div>\n"
        "<div class=\"nhsuk-form-group%s\">\n"
        "<label class=\"nhsuk-label\" for=\"password\">Password</label>\n"
        "<input class=\"nhsuk-input nhsuk-u-width-two-thirds\" id=\"password\" "
        "name=\"password\" type=\"password\" autocomplete=\"current-password\" maxlength=\"256\">\n"
        "</div>\n"
        "<button class=\"nhsuk-button\" type=\"submit\">Sign in</button>\n"
        "</form>\n</div></div>\n",
        token, next, error ? " nhsuk-form-group--error" : "", person ? person : "",
        error ? " nhsuk-form-group--error" : "");
    page_end(rq, rs);
}

static void get_signin(struct web_req *rq, struct web_res *rs)
{
    if (rq->who) {
        web_redirect(rs, "/home");
        return;
    }
    signin_form(rq, rs, NULL, NULL);
}

static void post_signin(struct web_req *rq, struct web_res *rs)
{
    char cookie[64];
    const char *sent = http_form_get(&rq->form, "signin_token");
    if (!http_cookie_get(web_header(rq, "Cookie"), SIGNIN_COOKIE, cookie, sizeof cookie) ||
        sent == NULL || strlen(sent) != strlen(cookie) ||
        sodium_memcmp(sent, cookie, strlen(cookie)) != 0) {
        rs->status = 403;
        signin_form(rq, rs, "The sign-in page had expired. Please enter your details again.",
                    NULL);
        return;
    }
    const char *person = http_form_get(&rq->form, "person");
    const char *password = http_form_get(&rq->form, "password");
    if (person == NULL || *person == '\0' || password == NULL || *password == '\0') {
        rs->status = 422;
        signin_form(rq, rs, "Enter your sign-in name and password", person);
        return;
    }
    struct auth_session s;
    duet_err e;
    if (auth_login(rq->st, person, password, rq->addr, rq->now, &s, &e) != 0) {
        rs->status = e.code == DUET_ELIMIT ? 429 : e.code == DUET_EDENIED ? 401 : 500;
        signin_form(rq, rs, e.code == DUET_EDENIED
                                ? "The sign-in name or password is not right"
                                : e.msg, person);
        return;
    }
    const char *next = safe_next(http_form_get(&rq->form, "next"));
    set_cookie(rq, rs, "duet_session", s.token, 0);
    web_redirect(rs, next);
}

static void post_signout(struct web_req *rq, struct web_res *rs)
{
    duet_err e;
    if (rq->session)
        auth_logout(rq->st, rq->session->token, rq->now, &e);
    set_cookie(rq, rs, "duet_session", "", 1);
    web_redirect(rs, "/sign-in");
}

/* POST /session/keep: "Stay signed in" in the timeout warning (duet.js).
** The server has already touched the session on this request, so there is
** nothing left to do but answer 204. */
static void post_session_keep(struct web_req *rq, struct web_res *rs)
{
    (void)rq;
    buf_reset(&rs->body);
    rs->status = 204;
    rs->content_type = "text/plain; charset=utf-8";
}

static void get_root(struct web_req *rq, struct web_res *rs)
{
    web_redirect(rs, rq->who ? "/home" : "/sign-in");
}

static void get_home(struct web_req *rq, struct web_res *rs)
{
    switch (rq->who->role) {
    case AUTH_PARTICIPANT: home_participant(rq, rs); break;
    case AUTH_FACILITATOR: home_facilitator(rq, rs); break;
    case AUTH_RESEARCHER: home_researcher(rq, rs); break;
    case AUTH_ADMIN: home_admin(rq, rs); break;
    default: page_error(rq, rs, 403, "Your account has no role."); break;
    }
}

const struct web_route web_routes_auth[] = {
    {"GET", "/", ACCESS_PUBLIC, WEB_OBJ_NONE, get_root},
    {"GET", "/sign-in", ACCESS_PUBLIC, WEB_OBJ_NONE, get_signin},
    {"POST", "/sign-in", ACCESS_PUBLIC, WEB_OBJ_NONE, post_signin},
    {"POST", "/sign-out", ACCESS_SIGNED_IN, WEB_OBJ_NONE, post_signout},
    {"POST", "/session/keep", ACCESS_SIGNED_IN, WEB_OBJ_NONE, post_session_keep},
    {"GET", "/home", ACCESS_SIGNED_IN, WEB_OBJ_NONE, get_home},
    {NULL, NULL, 0, 0, NULL},
};
