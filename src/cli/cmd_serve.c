/*
** cmd_serve.c — `duet serve`: the web application.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "web/http.h"
#include "web/server.h"
#include "web/web.h"

static const char usage[] =
    "usage: duet serve [--listen HOST:PORT] [--threads N] [--assets DIR]\n"
    "                  [--tls-cert FILE --tls-key FILE] [--access-log FILE|-|none]\n"
    "                  [--per-ip N] [--timeout S] [--head-timeout S]\n"
    "       duet serve --routes [--json]\n\n"
    "Serves the web application and the JSON API (/api/v1/) on the database\n"
    "(--db). Stops cleanly on Ctrl-C or SIGTERM: it stops accepting, lets the\n"
    "requests in progress finish and closes the database.\n\n"
    "Accounts are created with 'duet user add'; see docs/web.md and docs/access.md.\n";

static void ready(const struct web_config *cfg, void *ctx)
{
    (void)ctx;
    const char *scheme = cfg->tls_cert ? "https" : "http";
    if (strchr(cfg->host, ':'))
        printf("duet: serving %s on %s://[%s]:%d/ (Ctrl-C to stop)\n", cfg->db_path, scheme,
               cfg->host, cfg->port);
    else
        printf("duet: serving %s on %s://%s:%d/ (Ctrl-C to stop)\n", cfg->db_path, scheme,
               cfg->host, cfg->port);
    fflush(stdout);
}

static void add_route(const struct web_route *r, void *ctx)
{
    static const char *const objs[] = {"", "partnership", "cohort"};
    json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s}", "method", r->method, "path",
                                         r->pattern, "action", access_action_name(r->action),
                                         "object", objs[r->obj]));
}

static int list_routes(int json)
{
    json_t *rows = json_array();
    web_routes_each(add_route, rows);
    static const char *const cols[] = {"method", "path", "action", "object"};
    return cli_emit_list(rows, json, cols, 4, NULL);
}

/* The assets folder next to the running binary (build/duet -> build/assets). */
static void default_assets(char *out, size_t n)
{
    const char *env = getenv("DUET_ASSETS");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return;
    }
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        snprintf(out, n, "assets");
        return;
    }
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, n, "%s/assets", exe);
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
    struct web_config cfg = {0};
    const char *listen = "127.0.0.1:8080", *log = NULL, *assets_opt = NULL;
    long long threads = 0, per_ip = 0, timeout = 0, head_timeout = 0;
    int routes = 0, json = 0, first;
    const struct cli_opt opts[] = {
        {"listen", CLI_STR, &listen, 0, 0, "ADDR",
         "where to listen (default 127.0.0.1:8080; [::1]:8080 for IPv6)", NULL},
        {"threads", CLI_LONG, &threads, 1, 1024, "N",
         "worker threads, each with its own event loop (default:\ntwice the cores, at least 4)",
         "--threads needs a whole number (got '%s')"},
        {"assets", CLI_STR, &assets_opt, 0, 0, "DIR",
         "the front-end files built by make (default: the 'assets'\nfolder next to the duet "
         "binary, or $DUET_ASSETS)", NULL},
        {"tls-cert", CLI_STR, &cfg.tls_cert, 0, 0, "FILE", "serve HTTPS with this PEM certificate ...",
         NULL},
        {"tls-key", CLI_STR, &cfg.tls_key, 0, 0, "FILE",
         "... and key (then cookies are __Host- and Secure, and HSTS is sent)", NULL},
        {"access-log", CLI_STR, &log, 0, 0, "FILE",
         "one JSON line per request (default: standard error; none: off)", NULL},
        {"per-ip", CLI_LONG, &per_ip, 1, 1024, "N",
         "at most N connections from one address (default 128)",
         "--per-ip needs a whole number (got '%s')"},
        {"timeout", CLI_LONG, &timeout, 1, 3600, "S",
         "close connections idle for S seconds (default 30)",
         "--timeout needs a whole number (got '%s')"},
        {"head-timeout", CLI_LONG, &head_timeout, 1, 3600, "S",
         "close a connection whose request line and headers have\nnot all arrived S seconds "
         "after it opened or after the\nprevious response (default 10; slow clients cannot\n"
         "hold connections open)", "--head-timeout needs a whole number (got '%s')"},
        {"routes", CLI_FLAG, &routes, 0, 0, NULL,
         "list every route with the access rule it is checked against", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "with --routes: as JSON", NULL},
        {0}};
    int rc = cli_parse_opts("serve", usage, opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[first]);
    char assets[4096];
    if (assets_opt)
        snprintf(assets, sizeof assets, "%s", assets_opt);
    else
        default_assets(assets, sizeof assets);
    cfg.threads = (int)threads;
    cfg.per_ip_connections = (int)per_ip;
    cfg.timeout_s = (int)timeout;
    cfg.head_timeout_s = (int)head_timeout;
    duet_err e;
    if (routes)
        return list_routes(json);
    if (http_parse_listen(listen, cfg.host, sizeof cfg.host, &cfg.port, &e) != 0)
        return cli_fail(&e);
    if (access(c->db_path, F_OK) != 0)
        return cli_failf("%s: no such database; create one with 'duet init' or 'duet demo'",
                         c->db_path);
    cfg.db_path = c->db_path;
    cfg.assets_dir = assets;
    FILE *logf = stderr;
    if (log && strcmp(log, "none") == 0)
        logf = NULL;
    else if (log && strcmp(log, "-") != 0 && (logf = fopen(log, "a")) == NULL)
        return cli_failf("%s: cannot open the access log for appending", log);
    cfg.access_log = logf;
    cfg.on_ready = ready;
    rc = web_serve(&cfg, &e);
    if (logf && logf != stderr)
        fclose(logf);
    if (rc != 0)
        return cli_fail(&e);
    fprintf(stderr, "duet: stopped\n");
    return CLI_OK;
}
