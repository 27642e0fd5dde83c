/*
** cli.h — what every `duet` command shares.
**
** The CLI is a thin front end: each cmd_*.c declares its options in a table
** that cli_parse_opts() (opts.h) parses and --help lists, calls library
** functions, and prints. Exit codes: 0 success,
** 1 user error (one line "duet: error: ..." on stderr), 2 bad usage.
** Only this layer prints to the terminal or calls exit().
*/
#ifndef DUET_CLI_CLI_H
#define DUET_CLI_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "core/err.h"

struct store;

enum { CLI_OK = 0, CLI_EUSER = 1, CLI_EUSAGE = 2 };

struct cli {
    const char *db_path;     /* --db, DUET_DB or ./duet.db */
    const char *actor;       /* who is recorded in the audit log */
    struct store *store;     /* opened on first use by cli_store() */
    int create;              /* cli_store may create a missing database (init, demo) */
};

/* A command: argv[0] is the command name (e.g. "simulate"); returns an exit code. */
typedef int (*cli_fn)(struct cli *c, int argc, char **argv);

/* Opens (and migrates) the database on first use; NULL after printing an error. */
struct store *cli_store(struct cli *c);

/* Prints "duet: error: <msg>" and returns CLI_EUSER. */
int cli_fail(const duet_err *e);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "duet <cmd>: <msg>" and a pointer to --help; returns CLI_EUSAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints one JSON document (numbers at 17 significant digits) and a newline
** to out; steals the reference to v. Returns CLI_OK or CLI_EUSER. */
int cli_print_json(FILE *out, json_t *v);

/* Prints rows (an array of objects) as an aligned table of the named
** columns for people; "(none)" when empty. Borrows rows. */
void cli_print_table(FILE *out, json_t *rows, const char *const cols[], size_t ncols);
/* Prints an object as "key: value" lines, nested arrays as indented tables. */
void cli_print_record(FILE *out, json_t *obj);

/* Print a list (as JSON, or a table of cols) or one record (JSON or
** "key: value"); both steal the value and print *e's message when it is
** NULL. Return an exit code. */
int cli_emit_list(json_t *rows, int json, const char *const cols[], size_t n, duet_err *e);
int cli_emit_one(json_t *obj, int json, duet_err *e);

/* Parses --json and exactly nargs positional arguments into args. */
int cli_json_args(int argc, char **argv, const char *cmd, int *json, int nargs,
                  const char **args);

/* A list command: --json and at most one filter option `--FILTER VALUE`. */
struct cli_list {
    const char *cmd;           /* e.g. "cohort list" */
    const char *filter;        /* option name, e.g. "programme"; NULL for none */
    int required;              /* the filter must be given */
    json_t *(*list)(struct store *, duet_err *);                  /* no filter */
    json_t *(*list_by)(struct store *, const char *, duet_err *); /* with one */
    const char *const *cols;   /* the table's columns */
    size_t ncols;
};
int cli_run_list(struct cli *c, int argc, char **argv, const struct cli_list *l);

/* True when argv holds -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Parses a whole decimal number / a finite double; 0 on success. */
int cli_parse_long(const char *s, long long lo, long long hi, long long *out);
int cli_parse_double(const char *s, double *out);

/* Opens FILE for writing ("-" or NULL = stdout). Writes go to FILE.tmp and
** cli_close_out() renames it into place only on success, so a failed command
** never leaves a partial file. */
FILE *cli_open_out(const char *path, duet_err *e);
int cli_close_out(FILE *f, const char *path, int ok, duet_err *e);

/* Subcommands of a command ("programme add", "programme list", ...). */
struct cli_sub {
    const char *name;
    cli_fn fn;
    const char *usage;         /* full help text, printed for --help */
};
/* A subcommand whose function parses with cli_parse_opts(), which prints its
** --help (the usage and its option table): its usage text begins with this
** (cli_dispatch skips it when it shows the synopsis). */
#define CLI_OWN_HELP "\a"

/* Runs the subcommand named by argv[1]; prints help for --help or none. */
int cli_dispatch(struct cli *c, const char *cmd, const char *summary,
                 const struct cli_sub *subs, size_t nsubs, int argc, char **argv);

/* Prints usage for --help; returns 1 if it did. */
int cli_help(int argc, char **argv, const char *usage);

/* The subcommands, one per cmd_*.c. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_programme(struct cli *c, int argc, char **argv);
int cmd_cohort(struct cli *c, int argc, char **argv);
int cmd_module(struct cli *c, int argc, char **argv);
int cmd_person(struct cli *c, int argc, char **argv);
int cmd_partnership(struct cli *c, int argc, char **argv);
int cmd_instrument(struct cli *c, int argc, char **argv);
int cmd_checkin(struct cli *c, int argc, char **argv);
int cmd_qset(struct cli *c, int argc, char **argv);
int cmd_sort(struct cli *c, int argc, char **argv);
int cmd_codebook(struct cli *c, int argc, char **argv);
int cmd_reflection(struct cli *c, int argc, char **argv);
int cmd_observation(struct cli *c, int argc, char **argv);
int cmd_consent(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_demo(struct cli *c, int argc, char **argv);
int cmd_audit(struct cli *c, int argc, char **argv);
/* `duet backup` and `duet restore` (cmd_backup.c). */
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_restore(struct cli *c, int argc, char **argv);
int cmd_simulate(struct cli *c, int argc, char **argv);
int cmd_sweep(struct cli *c, int argc, char **argv);
int cmd_calibrate(struct cli *c, int argc, char **argv);
int cmd_analyse(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_token(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_coding(struct cli *c, int argc, char **argv);
/* `duet analyse agreement` (cmd_coding.c). */
int cmd_analyse_agreement(struct cli *c, int argc, char **argv);
/* `duet analyse codes` (cmd_codes.c). */
int cmd_analyse_codes(struct cli *c, int argc, char **argv);

#endif
