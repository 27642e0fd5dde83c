/*
** cmd_serve.c — `duet serve`: the web application.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
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
    "Options:\n"
    "  --listen ADDR      where to listen (default 127.0.0.1:8080; [::1]:8080 for IPv6)\n"
    "  --threads N        worker threads, each with its own event loop (default:\n"
    "                     twice the cores, at least 4)\n"
    "  --assets DIR       the front-end files built by make (default: the 'assets'\n"
    "                     folder next to the duet binary, or $DUET_ASSETS)\n"
    "  --tls-cert FILE    serve HTTPS with this PEM certificate ...\n"
    "  --tls-key FILE     ... and key (then cookies are __Host- and Secure, and HSTS is sent)\n"
    "  --access-log FILE  one JSON line per request (default: standard error; none: off)\n"
    "  --per-ip N         at most N connections from one address (default 128)\n"
    "  --timeout S        close connections idle for S seconds (default 30)\n"
    "  --head-timeout S   close a connection whose request line and headers have\n"
    "                     not all arrived S seconds after it opened or after the\n"
    "                     previous response (default 10; slow clients cannot\n"
    "                     hold connections open)\n"
    "  --routes           list every route with the access rule it is checked against\n"
    "  --json             with --routes: as JSON\n\n"
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
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'}, {"threads", required_argument, NULL, 't'},
        {"assets", required_argument, NULL, 'a'}, {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'}, {"access-log", required_argument, NULL, 'g'},
        {"per-ip", required_argument, NULL, 'p'}, {"timeout", required_argument, NULL, 'o'},
        {"head-timeout", required_argument, NULL, 'H'},
        {"routes", no_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    struct web_config cfg = {0};
    const char *listen = "127.0.0.1:8080", *log = NULL;
    char assets[4096];
    default_assets(assets, sizeof assets);
    int routes = 0, json = 0, ch;
    long long v;
    duet_err e;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, opts, "serve")) != -1) {
        switch (ch) {
        case 'l': listen = optarg; break;
        case 'a': snprintf(assets, sizeof assets, "%s", optarg); break;
        case 'c': cfg.tls_cert = optarg; break;
        case 'k': cfg.tls_key = optarg; break;
        case 'g': log = optarg; break;
        case 'r': routes = 1; break;
        case 'j': json = 1; break;
        case 't': case 'p': case 'o': case 'H':
            if (cli_parse_long(optarg, 1, ch == 'o' || ch == 'H' ? 3600 : 1024, &v) != 0)
                return cli_usage_error("serve", "--%s needs a whole number (got '%s')",
                                       ch == 't' ? "threads" : ch == 'p' ? "per-ip"
                                       : ch == 'o' ? "timeout" : "head-timeout", optarg);
            if (ch == 't') cfg.threads = (int)v;
            else if (ch == 'p') cfg.per_ip_connections = (int)v;
            else if (ch == 'o') cfg.timeout_s = (int)v;
            else cfg.head_timeout_s = (int)v;
            break;
        default: return CLI_EUSAGE;
        }
    }
    if (optind != argc)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
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
    int rc = web_serve(&cfg, &e);
    if (logf && logf != stderr)
        fclose(logf);
    if (rc != 0)
        return cli_fail(&e);
    fprintf(stderr, "duet: stopped\n");
    return CLI_OK;
}
