/*
** opts.c — the one parser of declared options (see opts.h): the table
** becomes getopt_long's, each value is checked against its kind, and the
** same table prints the option list of --help. The only use of getopt in
** the command line.
*/
#include "cli/opts.h"

#include <getopt.h>
#include <string.h>

#include "cli/cli.h"

#define OPTS_MAX 160

/* getopt_long, quiet: an unknown option or a missing value becomes a usage
** error for cmd. The option's value, -1 at the end, or '?' after the error. */
static int next_opt(int argc, char **argv, const struct option *opts, const char *cmd)
{
    /* Long options only: "-x" is unknown; ':' reports a missing value as such. */
    opterr = 0;
    int ch = getopt_long(argc, argv, ":", opts, NULL);
    if (ch == '?') {
        if (optopt && optopt < 128 && optopt != '?')
            cli_usage_error(cmd, "unknown option '-%c'", optopt);
        else
            cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        return '?';
    }
    if (ch == ':') {
        cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        return '?';
    }
    return ch;
}

/* Stores one value; 0, or a usage error's exit code after printing it. */
static int take(const char *cmd, const struct cli_opt *o, const char *v)
{
    switch (o->kind) {
    case CLI_FLAG:
        *(int *)o->dest = 1;
        return 0;
    case CLI_STR:
        *(const char **)o->dest = v;
        return 0;
    case CLI_FILE:
        if (*v == '\0')
            return cli_usage_error(cmd, "--%s needs a file name", o->name);
        *(const char **)o->dest = v;
        return 0;
    case CLI_LONG: {
        long long n;
        if (cli_parse_long(v, o->min, o->max, &n) == 0) {
            *(long long *)o->dest = n;
            return 0;
        }
        break;
    }
    case CLI_DOUBLE: {
        double d;
        if (cli_parse_double(v, &d) == 0 &&
            ((o->min == 0 && o->max == 0) || (d >= (double)o->min && d <= (double)o->max))) {
            *(double *)o->dest = d;
            return 0;
        }
        break;
    }
    case CLI_CHOICE: {
        int k = 0;
        size_t n = strlen(v);
        for (const char *w = o->arg; *w; k++) {
            const char *bar = strchr(w, '|');
            size_t len = bar ? (size_t)(bar - w) : strlen(w);
            if (len == n && strncmp(w, v, n) == 0) {
                *(int *)o->dest = k;
                return 0;
            }
            if (bar == NULL)
                break;
            w = bar + 1;
        }
        break;
    }
    case CLI_LIST: {
        struct cli_strs *s = o->dest;
        if (s->n >= s->cap)
            return cli_usage_error(cmd, "--%s is given more than %zu times", o->name, s->cap);
        s->v[s->n++] = v;
        return 0;
    }
    }
    if (o->bad) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        return cli_usage_error(cmd, o->bad, v);
#pragma GCC diagnostic pop
    }
    if (o->kind == CLI_CHOICE) {
        /* "give a, b or c", from "a|b|c" */
        char words[256] = "";
        const char *w = o->arg;
        for (size_t len = 0; *w && len + 1 < sizeof words;) {
            const char *bar = strchr(w, '|');
            size_t k = bar ? (size_t)(bar - w) : strlen(w);
            const char *sep = !bar ? "" : strchr(bar + 1, '|') ? ", " : " or ";
            len += (size_t)snprintf(words + len, sizeof words - len, "%.*s%s", (int)k, w, sep);
            if (bar == NULL)
                break;
            w = bar + 1;
        }
        return cli_usage_error(cmd, "--%s '%s': give %s", o->name, v, words);
    }
    if (o->kind == CLI_DOUBLE && o->min == 0 && o->max == 0)
        return cli_usage_error(cmd, "--%s '%s' is not a number", o->name, v);
    return cli_usage_error(cmd, "--%s '%s' is not a number in %lld..%lld", o->name, v, o->min,
                           o->max);
}

int cli_parse_opts(const char *cmd, const char *usage, const struct cli_opt *opts, int argc,
                   char **argv, int *first)
{
    if (cli_wants_help(argc, argv)) {
        size_t k = strlen(CLI_OWN_HELP);
        fputs(strncmp(usage, CLI_OWN_HELP, k) == 0 ? usage + k : usage, stdout);
        cli_opts_help(stdout, opts);
        return CLI_OK;
    }
    struct option lo[OPTS_MAX + 1];
    size_t n = 0;
    for (; opts[n].name; n++) {
        if (n == OPTS_MAX)
            return cli_failf("internal error: '%s' declares too many options", cmd);
        /* Values above 255: no short options, and the index comes back. */
        lo[n] = (struct option){opts[n].name,
                                opts[n].kind == CLI_FLAG ? no_argument : required_argument,
                                NULL, 256 + (int)n};
    }
    lo[n] = (struct option){0};
    int ch;
    optind = 0;
    while ((ch = next_opt(argc, argv, lo, cmd)) != -1) {
        if (ch < 256 || ch >= 256 + (int)n)
            return CLI_EUSAGE;
        int rc = take(cmd, &opts[ch - 256], optarg);
        if (rc != 0)
            return rc;
    }
    *first = optind;
    return -1;
}

void cli_opts_help(FILE *out, const struct cli_opt *opts)
{
    if (opts[0].name == NULL)
        return;
    size_t w = 0;
    for (const struct cli_opt *o = opts; o->name; o++) {
        size_t k = strlen(o->name) + (o->arg ? strlen(o->arg) + 1 : 0);
        if (o->kind == CLI_LIST)
            k += 4; /* " ..." */
        if (k > w)
            w = k;
    }
    fputs("\nOptions:\n", out);
    for (const struct cli_opt *o = opts; o->name; o++) {
        char head[128];
        snprintf(head, sizeof head, "%s%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
                 o->kind == CLI_LIST ? " ..." : "");
        const char *h = o->help ? o->help : "";
        const char *nl = strchr(h, '\n');
        fprintf(out, "  --%-*s  %.*s\n", (int)w, head, nl ? (int)(nl - h) : (int)strlen(h), h);
        while (nl) {
            h = nl + 1;
            nl = strchr(h, '\n');
            if (*h)
                fprintf(out, "    %*s  %.*s\n", (int)w, "", nl ? (int)(nl - h) : (int)strlen(h),
                        h);
        }
    }
}
