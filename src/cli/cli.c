/*
** cli.c — helpers shared by the commands: errors, JSON, numbers, output files.
*/
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/opts.h"
#include "store/store.h"

struct store *cli_store(struct cli *c)
{
    if (c->store)
        return c->store;
    duet_err e;
    if (!c->create && strcmp(c->db_path, ":memory:") != 0 && access(c->db_path, F_OK) != 0) {
        cli_failf("%s does not exist; create it with 'duet init' (or 'duet demo'), or name "
                  "another with --db", c->db_path);
        return NULL;
    }
    if (store_open(c->db_path, &c->store, &e) != 0) {
        cli_fail(&e);
        return NULL;
    }
    store_set_actor(c->store, c->actor);
    return c->store;
}

int cli_fail(const duet_err *e)
{
    fprintf(stderr, "duet: error: %s\n", e->msg[0] ? e->msg : "unknown error");
    return CLI_EUSER;
}

int cli_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("duet: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EUSER;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "duet %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'duet %s --help'.\n", cmd);
    va_end(ap);
    return CLI_EUSAGE;
}

int cli_print_json(FILE *out, json_t *v)
{
    if (v == NULL)
        return cli_failf("out of memory");
    int rc = json_dumpf(v, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENCODE_ANY);
    json_decref(v);
    if (rc != 0 || fputc('\n', out) == EOF)
        return cli_failf("writing JSON failed");
    return CLI_OK;
}

int cli_parse_long(const char *s, long long lo, long long hi, long long *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

FILE *cli_open_out(const char *path, duet_err *e)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return stdout;
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    if (tmp == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        duet_errf(e, DUET_EIO, "%s: cannot write: %s", path, strerror(errno));
    free(tmp);
    return f;
}

int cli_close_out(FILE *f, const char *path, int ok, duet_err *e)
{
    if (f == stdout) {
        if (fflush(stdout) != 0)
            return duet_errf(e, DUET_EIO, "writing to standard output failed");
        return ok ? 0 : -1;
    }
    size_t n = strlen(path) + 5;
    char tmp[4096];
    if (n > sizeof tmp) {
        fclose(f);
        return duet_errf(e, DUET_EIO, "%s: path too long", path);
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int werr = ferror(f);
    if (fclose(f) != 0 || werr) {
        unlink(tmp);
        return duet_errf(e, DUET_EIO, "%s: writing failed", path);
    }
    if (!ok) {
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return duet_errf(e, DUET_EIO, "%s: cannot write: %s", path, strerror(err));
    }
    return 0;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

/* One cell as text (borrowed from the value or written into buf). */
static const char *cell(json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%.4g", json_real_value(v));
        return buf;
    }
    if (json_is_true(v))
        return "yes";
    if (json_is_false(v))
        return "no";
    return "";
}

#define CELL_MAX 48

/* Width in characters of the first max bytes of s, as displayed. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

static void put_cell(FILE *out, const char *s, size_t width, int last)
{
    size_t w = 0;
    const char *p = s;
    /* Cut long cells at a character boundary and mark the cut. */
    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (w == CELL_MAX - 1 && display_width(p) > 1)
                break;
            w++;
        }
        fputc(*p == '\n' || *p == '\t' ? ' ' : *p, out);
    }
    if (*p) {
        fputs("…", out);
        w++;
    }
    if (!last)
        for (; w < width + 2; w++)
            fputc(' ', out);
}

void cli_print_table(FILE *out, json_t *rows, const char *const cols[], size_t ncols)
{
    if (json_array_size(rows) == 0) {
        fputs("(none)\n", out);
        return;
    }
    size_t width[32] = {0};
    char buf[64];
    if (ncols > 32)
        ncols = 32;
    for (size_t k = 0; k < ncols; k++)
        width[k] = display_width(cols[k]);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        for (size_t k = 0; k < ncols; k++) {
            size_t w = display_width(cell(json_object_get(row, cols[k]), buf, sizeof buf));
            if (w > CELL_MAX)
                w = CELL_MAX;
            if (w > width[k])
                width[k] = w;
        }
    }
    for (size_t k = 0; k < ncols; k++)
        put_cell(out, cols[k], width[k], k + 1 == ncols);
    fputc('\n', out);
    json_array_foreach(rows, i, row) {
        for (size_t k = 0; k < ncols; k++)
            put_cell(out, cell(json_object_get(row, cols[k]), buf, sizeof buf), width[k],
                     k + 1 == ncols);
        fputc('\n', out);
    }
}

void cli_print_record(FILE *out, json_t *obj)
{
    const char *key;
    json_t *v;
    char buf[64];
    json_object_foreach(obj, key, v) {
        if (json_is_array(v)) {
            fprintf(out, "%s:\n", key);
            json_t *first = json_array_get(v, 0);
            if (json_is_object(first)) {
                const char *cols[32];
                size_t n = 0;
                const char *k2;
                json_t *v2;
                json_object_foreach(first, k2, v2) {
                    if (n < 32)
                        cols[n++] = k2;
                }
                cli_print_table(out, v, cols, n);
            } else if (first == NULL) {
                fputs("  (none)\n", out);
            }
        } else if (json_is_object(v)) {
            fprintf(out, "%s: %s\n", key, "(object; use --json)");
        } else {
            fprintf(out, "%s: %s\n", key, cell(v, buf, sizeof buf));
        }
    }
}

int cli_help(int argc, char **argv, const char *usage)
{
    if (!cli_wants_help(argc, argv))
        return 0;
    fputs(usage, stdout);
    return 1;
}

int cli_dispatch(struct cli *c, const char *cmd, const char *summary,
                 const struct cli_sub *subs, size_t nsubs, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        fprintf(out, "usage: duet %s SUBCOMMAND ...\n\n%s\n\nSubcommands:\n", cmd, summary);
        for (size_t i = 0; i < nsubs; i++) {
            /* The first line of each usage text is its synopsis. */
            const char *u = subs[i].usage;
            if (strncmp(u, CLI_OWN_HELP, strlen(CLI_OWN_HELP)) == 0)
                u += strlen(CLI_OWN_HELP);
            const char *nl = strchr(u, '\n');
            fprintf(out, "  %.*s\n", nl ? (int)(nl - u) : (int)strlen(u), u);
        }
        fprintf(out, "\n'duet %s SUBCOMMAND --help' tells more.\n", cmd);
        return argc < 2 ? CLI_EUSAGE : CLI_OK;
    }
    for (size_t i = 0; i < nsubs; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            if (strncmp(subs[i].usage, CLI_OWN_HELP, strlen(CLI_OWN_HELP)) != 0 &&
                cli_help(argc - 1, argv + 1, subs[i].usage))
                return CLI_OK;
            return subs[i].fn(c, argc - 1, argv + 1);
        }
    }
    return cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
}

/* Prints rows as JSON or as a table of cols; steals rows. */
int cli_emit_list(json_t *rows, int json, const char *const cols[], size_t n, duet_err *e)
{
    if (rows == NULL)
        return cli_fail(e);
    if (json)
        return cli_print_json(stdout, rows);
    cli_print_table(stdout, rows, cols, n);
    json_decref(rows);
    return CLI_OK;
}

int cli_emit_one(json_t *obj, int json, duet_err *e)
{
    if (obj == NULL)
        return cli_fail(e);
    if (json)
        return cli_print_json(stdout, obj);
    cli_print_record(stdout, obj);
    json_decref(obj);
    return CLI_OK;
}


int cli_json_args(int argc, char **argv, const char *cmd, int *json, int nargs,
                  const char **args)
{
    *json = 0;
    const struct cli_opt opts[] = {{"json", CLI_FLAG, json, 0, 0, NULL, "print JSON", NULL},
                                   {0}};
    int first, rc = cli_parse_opts(cmd, "", opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != nargs)
        return cli_usage_error(cmd, "expected %d argument(s), got %d", nargs, argc - first);
    for (int i = 0; i < nargs; i++)
        args[i] = argv[first + i];
    return CLI_OK;
}

int cli_run_list(struct cli *c, int argc, char **argv, const struct cli_list *l)
{
    const char *filter = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {l->filter, CLI_STR, &filter, 0, 0, "VALUE", "only these", NULL},
        {0}};
    int rc = cli_parse_opts(l->cmd, "", opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc)
        return cli_usage_error(l->cmd, "unexpected argument '%s'", argv[first]);
    if (l->required && filter == NULL)
        return cli_usage_error(l->cmd, "--%s is required", l->filter);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    json_t *rows = l->filter ? l->list_by(st, filter, &e) : l->list(st, &e);
    return cli_emit_list(rows, json, l->cols, l->ncols, &e);
}
