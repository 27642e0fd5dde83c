/*
** web.h — what the server core shares with the page and API handlers.
**
** A request arrives, is bounded and parsed by server.c, matched against the
** route tables (one per handler file, web_routes_* below; server.c
** matches them in order), checked by access_check() for the route's action
** (app/access.h) and only then handed to its handler. Handlers read the
** request, call the same library functions as the CLI, and fill in the
** response; they never decide access by themselves and never write
** unescaped text into HTML (see html.h).
*/
#ifndef DUET_WEB_WEB_H
#define DUET_WEB_WEB_H

#include <stdint.h>

#include "app/access.h"
#include "app/auth.h"
#include "core/buf.h"
#include "core/err.h"
#include "web/http.h"

struct store;
struct MHD_Connection;

#define WEB_MAX_PARAMS 4
#define WEB_BODY_MAX (64 * 1024)          /* request bodies, bytes */
#define WEB_PAGE_MAX (8 * 1024 * 1024)    /* response bodies, bytes */

struct web_req {
    const char *method;             /* "GET", "POST", ... */
    const char *path;               /* without the query string */
    const char *params[WEB_MAX_PARAMS];  /* the route's {captures}, decoded */
    int nparams;
    struct http_form query;         /* the query string */
    struct http_form form;          /* a urlencoded POST body (pages) */
    const char *body;               /* the raw body (API: JSON), NUL-terminated */
    size_t body_len;
    struct store *st;               /* this worker thread's connection */
    struct web_cache *cache;        /* and its cache of derived results (cache.h), or NULL */
    const struct auth_principal *who;   /* NULL when nobody is signed in */
    const struct auth_session *session; /* page requests with a cookie; else NULL */
    const char *addr;               /* the client's address, for rate limits */
    int tls;                        /* served over TLS */
    int64_t now;                    /* unix seconds */
    struct MHD_Connection *conn;    /* for web_header(); handlers need nothing else */
};

struct web_res {
    int status;
    const char *content_type;       /* a static string */
    duet_buf body;
    char location[512];             /* a redirect (status 303) */
    char cookie[512];               /* one Set-Cookie value, or "" */
    char disposition[160];          /* Content-Disposition, for downloads */
    int cacheable;                  /* static assets: may be cached */
    const char *cache_control;      /* static assets: Cache-Control (NULL: an hour) */
    const char *content_encoding;   /* static assets: "br", "gzip", or NULL */
    int vary_encoding;              /* static assets: Vary: Accept-Encoding */
    char retry_after[16];           /* Retry-After seconds (429), or "" */
    char allow[48];                 /* the methods a path takes (405's Allow), or "" */
};

/* A request header (NULL when absent). */
const char *web_header(const struct web_req *rq, const char *name);

typedef void (*web_handler)(struct web_req *rq, struct web_res *rs);

/* How the route's access object is taken from its captures. */
enum web_obj { WEB_OBJ_NONE = 0, WEB_OBJ_PARTNERSHIP, WEB_OBJ_COHORT };

struct web_route {
    const char *method;
    const char *pattern;            /* "/partnerships/{code}" */
    enum access_action action;
    enum web_obj obj;               /* params[0] names the object */
    web_handler fn;
};

/* ---- responses ---- */
/* Sets a JSON body (steals v): 200 unless status says otherwise. Numbers
** are written at full precision (17 significant digits). */
void web_json(struct web_res *rs, int status, void *json_value);
/* {"error": {"status": N, "message": "..."}} */
void web_json_error(struct web_res *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps a library error to a status: EINPUT 422, ENOTFOUND 404,
** ECONFLICT 409, EDENIED 403, ELIMIT 429, else 500. */
int web_status_for(const duet_err *e);
void web_redirect(struct web_res *rs, const char *location);

/* ---- pages (page.c) ---- */
/* Starts an NHS.UK page: doctype, head, header with the signed-in person
** and sign-out form, and the opening of <main>. title is escaped. */
void page_begin(struct web_req *rq, struct web_res *rs, const char *title);
/* Closes <main>, writes the footer and the script tags. */
void page_end(struct web_req *rq, struct web_res *rs);
/* A whole error page ("Page not found", "You cannot see this page", ...). */
void page_error(struct web_req *rq, struct web_res *rs, int status, const char *message);
/* The hidden CSRF input for forms ("" when there is no session). */
void page_csrf_field(struct web_req *rq, struct web_res *rs);
/* A back link. */
void page_back(struct web_res *rs, const char *href, const char *text);
/* A Vega-Lite chart: a data block holding spec (JSON text, not stolen), the
** element duet.js draws it into, and nothing else — callers write the text
** alternative (a table or summary) next to it. id must be unique on the page. */
void page_chart(struct web_res *rs, const char *id, const char *spec_json,
                const char *label);

/* Writes a number for people: up to 3 significant decimals, no trailing zeros. */
void web_num(duet_buf *b, double v);

/* Each role's home page (GET /home), in that role's handler file. */
void home_participant(struct web_req *rq, struct web_res *rs);
void home_facilitator(struct web_req *rq, struct web_res *rs);
void home_researcher(struct web_req *rq, struct web_res *rs);
void home_admin(struct web_req *rq, struct web_res *rs);

/* The value of a required path capture / query field (NULL when absent). */
const char *web_query(const struct web_req *rq, const char *name);

/* ---- route tables, one per handler file ---- */
extern const struct web_route web_routes_auth[];      /* signin.c: sign in/out, home */
extern const struct web_route web_routes_participant[];
extern const struct web_route web_routes_facilitator[];
extern const struct web_route web_routes_researcher[];
extern const struct web_route web_routes_admin[];
extern const struct web_route web_routes_meta[];       /* meta.c: /api/v1/openapi.json, /api/v1/me */
extern const struct web_route web_routes_norms[];      /* norms.c: Q-sorts and a cohort's norms */
extern const struct web_route web_routes_coding[];     /* coding.c: coding passages, blind mode */
extern const struct web_route web_routes_codes[];      /* codes.c: code frequencies and co-occurrence */
/* Each table ends with an entry whose method is NULL. */

/* Calls fn for every route of every table, in matching order. */
void web_routes_each(void (*fn)(const struct web_route *r, void *ctx), void *ctx);

/* Serves a file from the in-memory asset table, in the encoding the
** request's Accept-Encoding prefers (assets.h); 0 when path is not one. */
int web_asset(const struct web_req *rq, const char *path, struct web_res *rs);

#endif
