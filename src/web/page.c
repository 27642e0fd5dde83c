/*
** page.c — the NHS.UK page template shared by every page, and small
** pieces of markup used on many (see docs/frontend.md for the markup).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "web/assets.h"
#include "web/html.h"
#include "web/web.h"

void web_num(duet_buf *b, double v)
{
    if (isnan(v)) {
        buf_puts(b, "–");
        return;
    }
    char s[64];
    snprintf(s, sizeof s, "%.3f", v);
    char *dot = strchr(s, '.');
    if (dot) {
        char *end = s + strlen(s) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    if (strcmp(s, "-0") == 0)
        snprintf(s, sizeof s, "0");
    buf_puts(b, s);
}

void page_begin(struct web_req *rq, struct web_res *rs, const char *title)
{
    duet_buf *b = &rs->body;
    rs->content_type = "text/html; charset=utf-8";
    html_printf(b,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<title>%s%s – duet</title>\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, "
        "viewport-fit=cover\">\n"
        "<meta name=\"theme-color\" content=\"#005eb8\">\n"
        "<link rel=\"icon\" href=\"%s\" sizes=\"any\" type=\"image/svg+xml\">\n"
        "<link rel=\"stylesheet\" href=\"%s\">\n"
        "<script type=\"module\" src=\"%s\"></script>\n"
        "</head>\n<body>\n"
        "<a class=\"nhsuk-skip-link\" data-module=\"nhsuk-skip-link\" href=\"#maincontent\">"
        "Skip to main content</a>\n"
        "<header class=\"nhsuk-header\" data-module=\"nhsuk-header\" role=\"banner\">\n"
        "<div class=\"nhsuk-header__container nhsuk-width-container\">\n"
        "<div class=\"nhsuk-header__service\">\n"
        "<a class=\"nhsuk-header__service-logo\" href=\"/\" aria-label=\"duet homepage\">"
        "<span class=\"nhsuk-header__service-name\">duet</span></a>\n"
        "</div>\n", rs->status == 422 ? "Error: " : "", title,
        assets_href("/assets/nhsuk/images/favicon.svg"), assets_href("/assets/duet.css"),
        assets_href("/assets/duet.js"));
    if (rq->who) {
        /* The sign-out form says how long the session surely lasts without
        ** a request (last_seen is written at most once a minute, so the
        ** idle timeout less that): duet.js warns before it ends (docs/web.md,
        ** "Sessions"). */
        html_printf(b,
            "<nav class=\"nhsuk-header__account\" aria-label=\"Account\">\n"
            "<ul class=\"nhsuk-header__account-list\">\n"
            "<li class=\"nhsuk-header__account-item\">%s</li>\n"
            "<li class=\"nhsuk-header__account-item\">"
            "<form class=\"nhsuk-header__account-form\" action=\"/sign-out\" method=\"post\" "
            "novalidate data-session-idle=\"%d\">",
            rq->who->display_name, AUTH_IDLE_TIMEOUT - AUTH_TOUCH_INTERVAL);
        page_csrf_field(rq, rs);
        html_printf(b, "<button class=\"nhsuk-header__account-button\">Sign out</button>"
                       "</form></li>\n</ul>\n</nav>\n");
    }
    html_printf(b,
        "</div>\n</header>\n"
        "<div class=\"nhsuk-width-container\">\n"
        "<main class=\"nhsuk-main-wrapper nhsuk-main-wrapper--s\" id=\"maincontent\">\n");
}

void page_end(struct web_req *rq, struct web_res *rs)
{
    (void)rq;
    html_printf(&rs->body,
        "</main>\n</div>\n"
        "<footer class=\"nhsuk-footer\" role=\"contentinfo\">\n"
        "<div class=\"nhsuk-width-container\">\n<div class=\"nhsuk-footer__meta\">\n"
        "<p class=\"nhsuk-body-s\">duet – leading collaboratively with patients and "
        "communities. What you write is used only as your consent allows.</p>\n"
        "</div>\n</div>\n</footer>\n"
        "</body>\n</html>\n");
}

void page_error(struct web_req *rq, struct web_res *rs, int status, const char *message)
{
    static const struct { int status; const char *title; } titles[] = {
        {400, "There is a problem with the request"}, {401, "Sign in to continue"},
        {403, "You do not have access to this page"}, {404, "Page not found"},
        {405, "That cannot be done here"}, {409, "That has already been done"},
        {413, "The request is too large"}, {415, "The form could not be read"},
        {422, "There is a problem"}, {429, "Too many attempts"},
    };
    const char *title = "Sorry, there is a problem with the service";
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (titles[i].status == status)
            title = titles[i].title;
    buf_reset(&rs->body);
    rs->status = status;
    rs->location[0] = '\0';
    page_begin(rq, rs, title);
    html_printf(&rs->body,
        "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/\">Go to your home page</a></p>\n",
        title, message);
    page_end(rq, rs);
}

void page_csrf_field(struct web_req *rq, struct web_res *rs)
{
    if (rq->session)
        html_printf(&rs->body, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                    rq->session->csrf);
}

void page_back(struct web_res *rs, const char *href, const char *text)
{
    html_printf(&rs->body, "<a class=\"nhsuk-back-link\" href=\"%s\">%s</a>\n", href, text);
}

void page_chart(struct web_res *rs, const char *id, const char *spec_json, const char *label)
{
    html_printf(&rs->body,
        "<div class=\"duet-chart\" id=\"%s\" data-vl-spec=\"%s-spec\" role=\"img\" "
        "aria-label=\"%s\"></div>\n<script type=\"application/json\" id=\"%s-spec\">",
        id, id, label, id);
    html_json_block(&rs->body, spec_json);
    html_printf(&rs->body, "</script>\n");
}
