/*
** server.c — the HTTP server on libmicrohttpd.
**
** libmicrohttpd runs a pool of worker threads, each with its own epoll loop;
** it enforces the connection limits (total, per address, idle timeout) and
** the header size limit (its per-connection memory pool). This file opens
** the listening socket itself (so that an address in use is named as
** such, and never shared: no SO_REUSEPORT), adds a deadline for the whole
** request head (a watchdog thread), refuses ambiguous framing (two
** Content-Length headers, Content-Length with Transfer-Encoding), adds the
** body limit, parses the request, works out who is asking, refuses
** cross-site state changes, finds the route, asks app/access for a
** decision, runs the handler and writes the response with the security
** headers. Each worker thread opens its own database connection on first
** use (SQLite in WAL mode: readers never wait for the writer).
*/
#include "web/server.h"

#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "web/assets.h"
#include "web/cache.h"
#include "web/html.h"
#include "web/web.h"
#include "web/writelimit.h"

#define MAX_STORES 256
#define HEADER_MEMORY (64 * 1024)   /* per connection: request line + headers */
#define MAX_CONNECTIONS 1000
#define HEAD_TIMEOUT_DEFAULT 10     /* seconds for a whole request head */
#define HEAD_WATCH_MS 250           /* how often the watchdog looks */

static const char *const CSP =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

static const struct web_config *g_cfg;

/* ---- one database connection per worker thread ---- */

static pthread_mutex_t stores_mu = PTHREAD_MUTEX_INITIALIZER;
static struct store *stores[MAX_STORES];
static struct web_cache *caches[MAX_STORES];   /* the cache that goes with each */
static int nstores;
static __thread struct store *tl_store;
static __thread struct web_cache *tl_cache;

/* This thread's connection and its cache of derived results (web/cache.h),
** opened on first use; NULL when the database cannot be opened (a missing
** cache only means nothing is cached). */
static struct store *thread_store(struct web_cache **cache, duet_err *e)
{
    if (tl_store) {
        *cache = tl_cache;
        return tl_store;
    }
    struct store *st = NULL;
    if (store_open(g_cfg->db_path, &st, e) != 0)
        return NULL;
    struct web_cache *c = web_cache_new();
    pthread_mutex_lock(&stores_mu);
    if (nstores == MAX_STORES) {
        pthread_mutex_unlock(&stores_mu);
        store_close(st);
        web_cache_free(c);
        duet_errf(e, DUET_EINTERNAL, "too many database connections");
        return NULL;
    }
    caches[nstores] = c;
    stores[nstores++] = st;
    pthread_mutex_unlock(&stores_mu);
    tl_store = st;
    tl_cache = c;
    *cache = c;
    return st;
}

static void close_stores(void)
{
    pthread_mutex_lock(&stores_mu);
    for (int i = 0; i < nstores; i++) {
        web_cache_free(caches[i]);
        store_close(stores[i]);
    }
    nstores = 0;
    pthread_mutex_unlock(&stores_mu);
}

/* ---- the head deadline ----
**
** libmicrohttpd's connection timeout is an idle timer: each byte that
** arrives starts it again, so a client sending its headers a byte at a
** time would hold its connection (and its place under the connection
** limits) for ever. Here every connection has a slot in a fixed table:
** once opened (NOTIFY_CONNECTION STARTED) it waits for a request head; the
** first call of on_request for a request (all headers in) stops the clock;
** a completed request (NOTIFY_COMPLETED) starts it again for the next one
** on a kept-alive connection. A watchdog thread looks every HEAD_WATCH_MS
** and shuts down (never closes) the socket of a connection that has waited
** longer than the deadline; libmicrohttpd then reads EOF and closes it in
** its own thread. libmicrohttpd calls NOTIFY_CONNECTION CLOSED, which
** frees the slot under the same mutex, before it closes the socket, so the
** watchdog never touches a descriptor that has been reused. */

struct head_slot {
    int used;
    int fd;
    int waiting;                /* for a request head, since `since` */
    int cut;                    /* shut down already */
    struct timespec since;
};

static pthread_mutex_t head_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t head_cv = PTHREAD_COND_INITIALIZER;
static struct head_slot head_slots[MAX_CONNECTIONS + 24];
static int head_stop;
static double head_limit_s = HEAD_TIMEOUT_DEFAULT;

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        pthread_mutex_lock(&head_mu);
        struct head_slot *h = *socket_context;
        if (h != NULL)
            h->used = 0;
        pthread_mutex_unlock(&head_mu);
        *socket_context = NULL;
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? ci->connect_fd : -1;
    struct head_slot *h = NULL;
    pthread_mutex_lock(&head_mu);
    for (size_t i = 0; fd >= 0 && i < sizeof head_slots / sizeof head_slots[0]; i++)
        if (!head_slots[i].used) {
            h = &head_slots[i];
            h->used = 1;
            h->fd = fd;
            h->waiting = 1;
            h->cut = 0;
            clock_gettime(CLOCK_MONOTONIC, &h->since);
            break;
        }
    pthread_mutex_unlock(&head_mu);
    *socket_context = h;
    if (h == NULL && fd >= 0)
        shutdown(fd, SHUT_RDWR);   /* no slot (not under the connection limit): refuse */
}

/* The request head of conn is in (waiting 0), or the next one is awaited
** from now on (waiting 1). */
static void head_mark(struct MHD_Connection *conn, int waiting)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct head_slot *h = ci ? ci->socket_context : NULL;
    if (h == NULL)
        return;
    pthread_mutex_lock(&head_mu);
    h->waiting = waiting;
    if (waiting)
        clock_gettime(CLOCK_MONOTONIC, &h->since);
    pthread_mutex_unlock(&head_mu);
}

static void *head_watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&head_mu);
    while (!head_stop) {
        struct timespec now, until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += HEAD_WATCH_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&head_cv, &head_mu, &until);
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (size_t i = 0; i < sizeof head_slots / sizeof head_slots[0]; i++) {
            struct head_slot *h = &head_slots[i];
            if (!h->used || !h->waiting || h->cut)
                continue;
            double waited = (double)(now.tv_sec - h->since.tv_sec) +
                            (double)(now.tv_nsec - h->since.tv_nsec) / 1e9;
            if (waited >= head_limit_s) {
                shutdown(h->fd, SHUT_RDWR);
                h->cut = 1;
            }
        }
    }
    pthread_mutex_unlock(&head_mu);
    return NULL;
}

/* ---- per-request state ---- */

struct conn_ctx {
    char *query;                /* the raw query string, as sent (may be NULL) */
    duet_buf body;
    int too_big;
    struct timespec t0;
    int status;
    size_t bytes;
    char method[8];
    char path[200];
    char role[16];
};

const char *web_header(const struct web_req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t n)
{
    snprintf(out, n, "unknown");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

/* ---- responses ---- */

void web_json(struct web_res *rs, int status, void *json_value)
{
    json_t *v = json_value;
    rs->status = status;
    rs->content_type = "application/json";
    buf_reset(&rs->body);
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(v);
    if (s == NULL) {
        rs->status = 500;
        buf_puts(&rs->body, "{\"error\":{\"status\":500,\"message\":\"could not write JSON\"}}");
        return;
    }
    buf_puts(&rs->body, s);
    buf_putc(&rs->body, '\n');
    free(s);
}

void web_json_error(struct web_res *rs, int status, const char *fmt, ...)
{
    char msg[DUET_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    web_json(rs, status, json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", msg));
}

int web_status_for(const duet_err *e)
{
    switch (e->code) {
    case DUET_EINPUT: return 422;
    case DUET_ENOTFOUND: return 404;
    case DUET_ECONFLICT: return 409;
    case DUET_EDENIED: return 403;
    case DUET_ELIMIT: return 429;
    default: return 500;
    }
}

void web_redirect(struct web_res *rs, const char *location)
{
    rs->status = 303;
    snprintf(rs->location, sizeof rs->location, "%s", location);
    buf_reset(&rs->body);
}

/* What the API says for the refusals the server core makes itself, in the
** API's own style (lower case, no full stop, about the request rather than
** a page); NULL where the caller's message is the right one. */
static const char *api_message(int status)
{
    switch (status) {
    case 403: return "you do not have access to this";
    case 404: return "there is nothing at this address";
    case 405: return "this address does not take that method (see the Allow header)";
    case 413: return "the request is too large";
    case 500: return "something went wrong on our side; please try again";
    case 503: return "the service is unavailable; please try again shortly";
    default: return NULL;
    }
}

/* An error in the form the client reads: JSON for the API (one shape,
** {"error": {"status", "message"}}: docs/openapi.json's Error), a page
** otherwise. */
static void fail(struct web_req *rq, struct web_res *rs, int is_api, int status, const char *msg)
{
    if (is_api) {
        const char *own = api_message(status);
        web_json_error(rs, status, "%s", own ? own : msg);
    } else {
        page_error(rq, rs, status, msg);
    }
}

/* ---- who is asking ---- */

static const char *session_cookie_name(int tls)
{
    return tls ? "__Host-duet_session" : "duet_session";
}

/* Fills rq->who from a bearer token (API only) or the session cookie.
** Returns 0, or an HTTP status to refuse with (a bad bearer token). */
static int identify(struct web_req *rq, int is_api, struct auth_session *sess,
                    struct auth_principal *who)
{
    duet_err e;
    const char *authz = web_header(rq, "Authorization");
    if (authz != NULL) {
        if (!is_api || strncmp(authz, "Bearer ", 7) != 0)
            return 401;
        if (auth_token_resume(rq->st, authz + 7, who, &e) != 0)
            return e.code == DUET_EDENIED ? 401 : 500;
        rq->who = who;
        return 0;
    }
    char token[AUTH_TOKEN_SIZE];
    if (http_cookie_get(web_header(rq, "Cookie"), session_cookie_name(rq->tls), token,
                        sizeof token) &&
        auth_session_resume(rq->st, token, rq->now, sess, &e) == 0) {
        rq->session = sess;
        rq->who = &sess->who;
    }
    return 0;
}

/* State changes must come from our own pages: Fetch metadata and Origin
** first (browsers send them), then the session's CSRF token. Requests with
** a bearer token carry no ambient credentials and need neither. */
static int cross_site_refused(struct web_req *rq, int is_api)
{
    const char *m = rq->method;
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0)
        return 0;
    if (rq->who != NULL && rq->session == NULL)
        return 0;   /* bearer token */
    const char *site = web_header(rq, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
        return 1;
    if (!http_same_origin(web_header(rq, "Origin"), web_header(rq, "Host"), rq->tls))
        return 1;
    if (rq->session == NULL)
        return 0;   /* signing in: checked by its own double-submit token */
    const char *sent = is_api ? web_header(rq, "X-CSRF-Token") : http_form_get(&rq->form, "csrf");
    size_t n = strlen(rq->session->csrf);
    return sent == NULL || strlen(sent) != n || sodium_memcmp(sent, rq->session->csrf, n) != 0;
}

/* ---- routing ---- */

static const struct web_route *const tables[] = {
    web_routes_auth, web_routes_participant, web_routes_facilitator,
    web_routes_researcher, web_routes_admin, web_routes_meta, web_routes_norms,
    web_routes_coding, web_routes_codes,
};

void web_routes_each(void (*fn)(const struct web_route *r, void *ctx), void *ctx)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct web_route *r = tables[t]; r->method; r++)
            fn(r, ctx);
}

/* Adds method to the comma-separated list allow (size n) unless it is there. */
static void allow_add(char *allow, size_t n, const char *method)
{
    size_t len = strlen(allow), m = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)) != NULL; p += m)
        if ((p == allow || p[-1] == ' ') && (p[m] == ',' || p[m] == '\0'))
            return;
    if (len + m + 3 <= n)
        snprintf(allow + len, n - len, "%s%s", len ? ", " : "", method);
}

/* Finds the route for method + path; *path_known is set when the path
** matches some route with another method (405), and allow (size n) then
** lists the methods the path takes, for the Allow header. */
static const struct web_route *find_route(struct web_req *rq, char *buf, size_t bufsz,
                                          int *path_known, char *allow, size_t n)
{
    *path_known = 0;
    allow[0] = '\0';
    const char *method = strcmp(rq->method, "HEAD") == 0 ? "GET" : rq->method;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (const struct web_route *r = tables[t]; r->method; r++) {
            int k = http_route_match(r->pattern, rq->path, buf, bufsz, rq->params,
                                     WEB_MAX_PARAMS);
            if (k < 0)
                continue;
            if (strcmp(r->method, method) != 0) {
                *path_known = 1;
                allow_add(allow, n, r->method);
                if (strcmp(r->method, "GET") == 0)
                    allow_add(allow, n, "HEAD");
                continue;
            }
            rq->nparams = k;
            return r;
        }
    }
    return NULL;
}

/* Percent-encodes s into out (truncating whole escapes only); '/' is kept. */
static void url_encode(char *out, size_t n, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (; *s && k + 4 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    out[k] = '\0';
}

/* Room for any path a route can be given: the longest name (200 bytes,
** DB_NAME_MAX) escaped byte by byte takes 600, plus the rest of the route. */
#define ROUTE_PATH_MAX 2048

static void run_route(struct web_req *rq, struct web_res *rs, int is_api)
{
    char pathbuf[ROUTE_PATH_MAX];
    int known = 0;
    const struct web_route *r = find_route(rq, pathbuf, sizeof pathbuf, &known, rs->allow,
                                           sizeof rs->allow);
    if (r == NULL) {
        fail(rq, rs, is_api, known ? 405 : 404, known ? "That method is not allowed here."
                                                       : "Page not found.");
        if (!known)
            rs->allow[0] = '\0';
        return;
    }
    rs->allow[0] = '\0';
    struct access_object obj = {0};
    if (r->obj == WEB_OBJ_PARTNERSHIP && rq->nparams > 0)
        obj.partnership = rq->params[0];
    if (r->obj == WEB_OBJ_COHORT && rq->nparams > 0)
        obj.cohort = rq->params[0];
    enum access_result res;
    duet_err e;
    if (access_check(rq->st, rq->who, r->action, &obj, &res, &e) != 0) {
        fail(rq, rs, is_api, 500, "Something went wrong on our side. Please try again.");
        return;
    }
    switch (res) {
    case ACCESS_ALLOW:
        if (web_write_limited(rq, rs, is_api))   /* writes per account: writelimit.h */
            return;
        r->fn(rq, rs);
        return;
    case ACCESS_SIGN_IN:
        if (is_api) {
            web_json_error(rs, 401, "sign in or send a bearer token");
        } else {
            /* A form sent after the session ended: back to the page the
            ** form was on (its own path when that is a page, else the
            ** Referer's path on this site, else home), saying so; duet.js
            ** kept what was typed and puts it back there (docs/web.md). */
            int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
            char from[512] = "/home";
            if (get) {
                snprintf(from, sizeof from, "%s", rq->path);
            } else {
                int page = 0;
                const char *pp[WEB_MAX_PARAMS];
                for (size_t t = 0; t < sizeof tables / sizeof tables[0] && !page; t++)
                    for (const struct web_route *g = tables[t]; g->method && !page; g++)
                        page = strcmp(g->method, "GET") == 0 &&
                               http_route_match(g->pattern, rq->path, pathbuf, sizeof pathbuf,
                                                pp, WEB_MAX_PARAMS) >= 0;
                const char *ref = web_header(rq, "Referer");
                const char *sep = ref ? strstr(ref, "://") : NULL;
                const char *slash = sep ? strchr(sep + 3, '/') : NULL;
                char origin[256];
                if (page) {
                    snprintf(from, sizeof from, "%s", rq->path);
                } else if (slash && (size_t)(slash - ref) < sizeof origin) {
                    snprintf(origin, sizeof origin, "%.*s", (int)(slash - ref), ref);
                    size_t n = strcspn(slash, "?#");
                    if (n < sizeof from && http_same_origin(origin, web_header(rq, "Host"), rq->tls)) {
                        snprintf(from, sizeof from, "%.*s", (int)n, slash);
                        if (!http_safe_path(from))
                            snprintf(from, sizeof from, "/home");
                    }
                }
            }
            char loc[512] = "/sign-in?next=";
            url_encode(loc + strlen(loc), sizeof loc - strlen(loc) - 16, from);
            if (!get)
                strcat(loc, "&expired=1");
            web_redirect(rs, loc);
        }
        return;
    case ACCESS_FORBIDDEN:
        fail(rq, rs, is_api, 403, "You do not have access to this.");
        return;
    case ACCESS_HIDDEN:
        fail(rq, rs, is_api, 404, "Page not found.");
        return;
    }
}

/* Form fields that may come more than once: a group of checkboxes (the
** codes of a coding, coding.c). Every other field is refused if repeated. */
static const char *const form_may_repeat[] = {"code", NULL};

static void handle(struct web_req *rq, struct web_res *rs, struct conn_ctx *cx)
{
    int is_api = strncmp(rq->path, "/api/", 5) == 0;
    int get = strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0;
    if (strncmp(rq->path, "/assets/", 8) == 0 && get) {
        if (!web_asset(rq, rq->path + 8, rs))
            fail(rq, rs, 0, 404, "Page not found.");
        return;
    }
    if (cx->too_big) {
        fail(rq, rs, is_api, 413, "The request is too large.");
        return;
    }
    duet_err e;
    rq->st = thread_store(&rq->cache, &e);
    if (rq->st == NULL) {
        fail(rq, rs, is_api, 503, "The service is unavailable. Please try again shortly.");
        return;
    }
    if (cx->query && http_form_parse(cx->query, strlen(cx->query), &rq->query, &e) != 0) {
        char msg[DUET_ERR_MAX + 64];
        snprintf(msg, sizeof msg, "The address is not valid: %s.", e.msg);
        fail(rq, rs, is_api, 400, msg);
        return;
    }
    const char *twice = http_form_repeated(&rq->query, NULL);
    if (twice != NULL) {
        char msg[HTTP_MAX_NAME + 96];
        snprintf(msg, sizeof msg, "The address is not valid: field '%s' was sent more than once.",
                 twice);
        fail(rq, rs, is_api, 400, msg);
        return;
    }
    struct auth_session sess;
    struct auth_principal who;
    int refuse = identify(rq, is_api, &sess, &who);
    if (refuse) {
        fail(rq, rs, is_api, refuse, refuse == 401 ? "The bearer token is not valid."
                                                   : "Something went wrong on our side.");
        return;
    }
    if (rq->who)
        snprintf(cx->role, sizeof cx->role, "%s", auth_role_name(rq->who->role));
    /* The audit log records who made each change made through the web. */
    store_set_actor(rq->st, rq->who ? rq->who->person_key : "web");
    /* A body is read only as the type it says it is (so a cross-site
    ** text/plain "form" or JSON never passes), and a field sent twice is
    ** refused rather than one copy silently winning. */
    const char *ct = web_header(rq, "Content-Type");
    if (!get && is_api && rq->body_len > 0 && !http_media_type_is(ct, "application/json")) {
        web_json_error(rs, 415, "the body must be sent as application/json "
                                "(optionally with charset=utf-8)");
        return;
    }
    if (!get && !is_api && rq->body_len > 0) {
        if (!http_media_type_is(ct, "application/x-www-form-urlencoded")) {
            fail(rq, rs, is_api, 415, "Forms must be sent as application/x-www-form-urlencoded.");
            return;
        }
        if (http_form_parse(rq->body, rq->body_len, &rq->form, &e) != 0) {
            fail(rq, rs, is_api, 400, e.msg);
            return;
        }
        twice = http_form_repeated(&rq->form, form_may_repeat);
        if (twice != NULL) {
            char msg[HTTP_MAX_NAME + 64];
            snprintf(msg, sizeof msg, "The form field '%s' was sent more than once.", twice);
            fail(rq, rs, is_api, 400, msg);
            return;
        }
    }
    if (cross_site_refused(rq, is_api)) {
        fail(rq, rs, is_api, 403,
             "This form has expired or came from another site. Go back, reload the page and "
             "try again.");
        return;
    }
    run_route(rq, rs, is_api);
}

static void add_security_headers(struct MHD_Response *r, const struct web_res *rs, int tls)
{
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    MHD_add_response_header(r, "Cache-Control",
                            !rs->cacheable ? "no-store"
                            : rs->cache_control ? rs->cache_control : "public, max-age=3600");
    if (tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

/* Queues rs; close: end the connection after it (the rest of what was
** sent cannot be trusted to be framed right). */
static enum MHD_Result send_response(struct MHD_Connection *conn, struct web_res *rs,
                                     struct conn_ctx *cx, int tls, int close)
{
    if (!rs->cacheable && rs->body.overflowed) {
        /* The body outgrew its cap (WEB_PAGE_MAX): what is left is not the
        ** page, so it is never sent; a 500 says so instead. */
        if (rs->content_type && strncmp(rs->content_type, "application/json", 16) == 0) {
            web_json_error(rs, 500, "the answer was too large to send");
        } else {
            rs->status = 500;
            rs->content_type = "text/plain; charset=utf-8";
            buf_reset(&rs->body);
            buf_puts(&rs->body, "The page was too large to send.\n");
        }
        rs->location[0] = '\0';
        rs->disposition[0] = '\0';
    }
    size_t len = rs->body.len;
    struct MHD_Response *r;
    if (rs->cacheable) {   /* static asset: the body points into the asset table */
        r = MHD_create_response_from_buffer(len, rs->body.data, MHD_RESPMEM_PERSISTENT);
    } else {
        char *data = len ? buf_take(&rs->body) : NULL;
        r = MHD_create_response_from_buffer(len, data, data ? MHD_RESPMEM_MUST_FREE
                                                            : MHD_RESPMEM_PERSISTENT);
    }
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", rs->content_type);
    add_security_headers(r, rs, tls);
    if (rs->location[0])
        MHD_add_response_header(r, "Location", rs->location);
    if (rs->cookie[0])
        MHD_add_response_header(r, "Set-Cookie", rs->cookie);
    if (rs->disposition[0])
        MHD_add_response_header(r, "Content-Disposition", rs->disposition);
    if (rs->content_encoding)
        MHD_add_response_header(r, "Content-Encoding", rs->content_encoding);
    if (rs->vary_encoding)
        MHD_add_response_header(r, "Vary", "Accept-Encoding");
    if (close)
        MHD_add_response_header(r, "Connection", "close");
    if (rs->retry_after[0])
        MHD_add_response_header(r, "Retry-After", rs->retry_after);
    if (rs->status == 405 && rs->allow[0])
        MHD_add_response_header(r, "Allow", rs->allow);
    cx->status = rs->status;
    cx->bytes = len;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* How the request's headers frame it. Counts the headers that say where
** it ends or where it goes; more than one of any, or both Content-Length
** and Transfer-Encoding, is ambiguous (RFC 9112 6.3: a front end and this
** server could read two different requests out of the same bytes). */
struct framing {
    int content_length, transfer_encoding, host;
    const char *te;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct framing *f = cls;
    if (strcasecmp(key, "Content-Length") == 0)
        f->content_length++;
    else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding++;
        f->te = value;
    } else if (strcasecmp(key, "Host") == 0)
        f->host++;
    return MHD_YES;
}

/* 0 when the request is framed plainly, else the status to refuse it with
** and *why. */
static int framing_refused(struct MHD_Connection *conn, const char **why)
{
    struct framing f = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 1) {
        *why = "The request has more than one Content-Length header.";
        return 400;
    }
    if (f.transfer_encoding > 1) {
        *why = "The request has more than one Transfer-Encoding header.";
        return 400;
    }
    if (f.content_length && f.transfer_encoding) {
        *why = "The request has both Content-Length and Transfer-Encoding.";
        return 400;
    }
    if (f.host > 1) {
        *why = "The request has more than one Host header.";
        return 400;
    }
    if (f.transfer_encoding && strcasecmp(f.te ? f.te : "", "chunked") != 0) {
        *why = "The only transfer coding accepted is chunked.";
        return 501;
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **req_cls)
{
    (void)cls;
    (void)version;
    struct conn_ctx *cx = *req_cls;
    if (cx == NULL)
        return MHD_NO;   /* on_uri could not allocate */
    if (cx->method[0] == '\0') {   /* the first call: headers are in */
        head_mark(conn, 0);
        snprintf(cx->method, sizeof cx->method, "%s", method);
        /* For the log: printable ASCII only, so every line is valid JSON. */
        size_t k = 0;
        for (const char *p = url; *p && k + 1 < sizeof cx->path; p++)
            cx->path[k++] = (*p > 0x20 && *p < 0x7f) ? *p : '?';
        cx->path[k] = '\0';
        const char *why = NULL;
        int status = framing_refused(conn, &why);
        if (status == 0)
            return MHD_YES;
        /* Answered now, before any body is read, and the connection closed:
        ** what follows the head cannot be told apart from a next request. */
        struct web_req rq = {0};
        struct web_res rs = {0};
        rq.method = method;
        rq.path = url;
        rq.conn = conn;
        rq.tls = g_cfg->tls_cert != NULL;
        rs.content_type = "text/html; charset=utf-8";
        buf_init(&rs.body, WEB_PAGE_MAX);
        fail(&rq, &rs, strncmp(url, "/api/", 5) == 0, status, why);
        enum MHD_Result ok = send_response(conn, &rs, cx, rq.tls, 1);
        buf_free(&rs.body);
        return ok;
    }
    if (cx->status != 0)   /* refused on the first call: ignore the rest */
        return MHD_YES;
    if (*upload_size != 0) {   /* more of the body: keep it while it fits */
        if (!cx->too_big && buf_append(&cx->body, upload, *upload_size) != 0)
            cx->too_big = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    struct web_req rq = {0};
    struct web_res rs = {0};
    rq.method = method;
    rq.path = url;
    rq.conn = conn;
    rq.body = cx->body.data ? cx->body.data : "";
    rq.body_len = cx->body.len;
    rq.tls = g_cfg->tls_cert != NULL;
    rq.now = (int64_t)time(NULL);
    char addr[64];
    client_addr(conn, addr, sizeof addr);
    rq.addr = addr;
    rs.status = 200;
    rs.content_type = "text/html; charset=utf-8";
    buf_init(&rs.body, WEB_PAGE_MAX);
    handle(&rq, &rs, cx);
    enum MHD_Result ok = send_response(conn, &rs, cx, rq.tls, 0);
    if (!rs.cacheable)
        buf_free(&rs.body);
    http_form_free(&rq.query);
    http_form_free(&rq.form);
    return ok;
}

/* Called first for every request with the URI as sent: keeps its query
** string so that http_form_parse can check it (libmicrohttpd would pass
** malformed escapes through silently). Its result becomes *req_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    struct conn_ctx *cx = calloc(1, sizeof *cx);
    if (cx == NULL)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &cx->t0);
    buf_init(&cx->body, WEB_BODY_MAX);
    const char *q = uri ? strchr(uri, '?') : NULL;
    if (q && q[1] && (cx->query = strdup(q + 1)) == NULL) {
        free(cx);
        return NULL;
    }
    return cx;
}

/* libmicrohttpd would percent-decode the path before the handler sees it;
** keeping it as sent means each route capture is decoded exactly once, by
** http_route_match, which refuses NUL, '/' and control characters in it.
** (Query strings are parsed from the URI as sent: see on_uri.) */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

/* The access log: one JSON object per request, written whole. No query
** strings or bodies: they can hold personal data. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    head_mark(conn, 1);   /* the next request on this connection: a new head */
    struct conn_ctx *cx = *req_cls;
    if (cx == NULL)
        return;
    if (g_cfg->access_log) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - cx->t0.tv_sec) * 1e3 +
                    (double)(t1.tv_nsec - cx->t0.tv_nsec) / 1e6;
        char addr[64], ts[32];
        client_addr(conn, addr, sizeof addr);
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:f, s:s, s:b}", "time", ts,
                                 "client", addr, "method", cx->method, "path", cx->path,
                                 "status", cx->status, "bytes", (json_int_t)cx->bytes,
                                 "ms", ms, "role", cx->role,
                                 "completed", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
        char *s = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
        if (s) {
            fprintf(g_cfg->access_log, "%s\n", s);
            fflush(g_cfg->access_log);
        }
        free(s);
        json_decref(line);
    }
    buf_free(&cx->body);
    free(cx->query);
    free(cx);
    *req_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("duet serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static char *read_file(const char *path, duet_err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        duet_errf(e, DUET_EIO, "%s: cannot open", path);
        return NULL;
    }
    duet_buf b;
    buf_init(&b, 1 << 20);
    int ok = buf_read_stream(&b, f) == 0;
    fclose(f);
    if (!ok || b.data == NULL) {
        buf_free(&b);
        duet_errf(e, DUET_EIO, "%s: empty or larger than 1 MiB", path);
        return NULL;
    }
    return buf_take(&b);
}

/* Opens, binds and listens on the address in ss: SO_REUSEADDR (a restart
** may bind while old connections linger in TIME_WAIT) but never
** SO_REUSEPORT, so a second server on the same address fails here instead
** of sharing the requests with the first. Returns the socket or -1. */
static int listen_on(const char *where, const struct sockaddr_storage *ss, duet_err *e)
{
    int v6 = ss->ss_family == AF_INET6;
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return duet_errf(e, DUET_EIO, "cannot listen on %s: no socket (%s)", where,
                         strerror(errno));
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (v6)   /* [::] means IPv6 only, as libmicrohttpd's own socket did */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
        int err = errno;
        close(fd);
        if (err == EADDRINUSE)
            return duet_errf(e, DUET_EIO, "cannot listen on %s: the address is already in use "
                             "(is another duet serve running?)", where);
        if (err == EADDRNOTAVAIL)
            return duet_errf(e, DUET_EIO, "cannot listen on %s: not an address of this machine",
                             where);
        if (err == EACCES)
            return duet_errf(e, DUET_EIO, "cannot listen on %s: permission denied (ports below "
                             "1024 need privileges)", where);
        return duet_errf(e, DUET_EIO, "cannot listen on %s: %s", where,
                         strerror(err));
    }
    return fd;
}

int web_serve(const struct web_config *cfg, duet_err *e)
{
    g_cfg = cfg;
    if (assets_load(cfg->assets_dir, e) != 0)
        return -1;
    struct store *probe = NULL;   /* open (and migrate) once before serving */
    if (store_open(cfg->db_path, &probe, e) != 0)
        return -1;
    store_close(probe);

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC;   /* needed by MHD_quiesce_daemon */
    if (strchr(cfg->host, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)cfg->port);
        if (inet_pton(AF_INET6, cfg->host, &a6->sin6_addr) != 1)
            return duet_errf(e, DUET_EINPUT, "--listen: '%s' is not an IPv6 address", cfg->host);
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)cfg->port);
        if (inet_pton(AF_INET, cfg->host, &a4->sin_addr) != 1)
            return duet_errf(e, DUET_EINPUT, "--listen: '%s' is not an IPv4 address", cfg->host);
    }
    char *cert = NULL, *key = NULL;
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL))
        return duet_errf(e, DUET_EINPUT, "--tls-cert and --tls-key go together");
    if (cfg->tls_cert) {
        if ((cert = read_file(cfg->tls_cert, e)) == NULL || (key = read_file(cfg->tls_key, e)) == NULL) {
            free(cert);
            return -1;
        }
        flags |= MHD_USE_TLS;
    }
    char where[96];
    snprintf(where, sizeof where, strchr(cfg->host, ':') ? "[%s]:%d" : "%s:%d", cfg->host,
             cfg->port);
    int lfd = listen_on(where, &ss, e);
    if (lfd < 0) {
        free(cert);
        free(key);
        return -1;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads
                                        : (unsigned)(ncpu > 2 ? 2 * ncpu : 4);

    /* Workers inherit this mask, so only sigwait() below sees the signals. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_OptionItem tls_opts[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    head_limit_s = cfg->head_timeout_s > 0 ? cfg->head_timeout_s : HEAD_TIMEOUT_DEFAULT;
    head_stop = 0;
    pthread_t watcher;
    if (pthread_create(&watcher, NULL, head_watch, NULL) != 0) {
        close(lfd);
        free(cert);
        free(key);
        pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
        return duet_errf(e, DUET_EINTERNAL, "cannot start the head deadline watchdog");
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)lfd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)(cfg->per_ip_connections > 0 ? cfg->per_ip_connections : 128),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(cfg->timeout_s > 0 ? cfg->timeout_s : 30),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    int rc = 0;
    if (d == NULL) {
        if (fcntl(lfd, F_GETFD) != -1)   /* unless libmicrohttpd closed it already */
            close(lfd);
        rc = duet_errf(e, DUET_EIO, "cannot serve on %s (see the message above)", where);
    } else {
        if (cfg->on_ready)
            cfg->on_ready(cfg, cfg->ctx);
        int sig = 0;
        sigwait(&sigs, &sig);
        /* Stop accepting (the socket is ours again), let requests in
        ** progress finish, then stop. */
        MHD_socket back = MHD_quiesce_daemon(d);
        MHD_stop_daemon(d);
        if (back != MHD_INVALID_SOCKET)
            close(back);
    }
    pthread_mutex_lock(&head_mu);
    head_stop = 1;
    pthread_cond_signal(&head_cv);
    pthread_mutex_unlock(&head_mu);
    pthread_join(watcher, NULL);
    if (d == NULL) {
        free(cert);
        free(key);
        pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
        return rc;
    }
    close_stores();
    assets_free();
    free(cert);
    free(key);
    pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
    return 0;
}
