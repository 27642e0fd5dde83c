/*
** opts.h — declared options: one table per command, parsed and checked by
** cli_parse_opts() and listed in --help by cli_opts_help() from the same table.
**
** A command declares what it accepts:
**
**     long long pairs = 12; int json = 0;
**     const struct cli_opt opts[] = {
**         {"pairs", CLI_LONG, &pairs, 3, 500, "N", "partnerships (default 12)"},
**         {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON"},
**         {0}};
**     int rc, first;
**     if ((rc = cli_parse_opts("demo", usage, opts, argc, argv, &first)) >= 0)
**         return rc;
**
** and then reads argv[first..argc-1], its positional arguments. Every refusal
** is a usage error (exit 2) with one message: an unknown option, a missing
** value, a number that is not whole or out of [min, max], a repeated option
** given too often, an empty file name, a word that is not one of the choices.
*/
#ifndef DUET_CLI_OPTS_H
#define DUET_CLI_OPTS_H

#include <stddef.h>
#include <stdio.h>

enum cli_opt_kind {
    CLI_FLAG = 1, /* --name; dest: int *, set to 1 */
    CLI_STR,      /* --name VALUE; dest: const char **, the last one given */
    CLI_FILE,     /* --name PATH; dest: const char **; an empty path is refused */
    CLI_LONG,     /* --name N; dest: long long *, a whole number in [min, max] */
    CLI_DOUBLE,   /* --name X; dest: double *, a finite number (in [min, max] unless both 0) */
    CLI_LIST,     /* --name VALUE, repeatable; dest: struct cli_strs *, each value in order */
    CLI_CHOICE,   /* --name WORD, one of arg's words ("pca|centroid"); dest: int *, the
                     word's index (0 for the first) */
};

/* The values of a repeated option: v[0..n-1] borrow argv; at most cap. */
struct cli_strs {
    const char **v;
    size_t n, cap;
};

struct cli_opt {
    const char *name;        /* without the leading "--"; NULL ends the table */
    enum cli_opt_kind kind;
    void *dest;              /* where the value goes (see the kinds) */
    long long min, max;      /* CLI_LONG and CLI_DOUBLE bounds */
    const char *arg;         /* the value's name in --help ("N", "FILE"); NULL for flags;
                                CLI_CHOICE: the words, separated by '|' */
    const char *help;        /* one line or more for --help ('\n' starts a new line) */
    const char *bad;         /* optional printf format for a bad value, given the value
                                as its one %s; default "--NAME 'V' is not a number in
                                MIN..MAX" ("... is not a number" for doubles, "--NAME
                                'V': give one of a, b or c" for choices) */
};

/* Parses argv[1..] against opts (argv[0] is the command's name). "-h" or
** "--help" anywhere before "--" prints usage, then the option list, on
** stdout and returns CLI_OK. "--name VALUE" and "--name=VALUE" are the same;
** options and positional arguments may mix (the positional ones are moved to
** the end, as getopt_long does). Returns -1 to go on, with *first the index of
** the first positional argument; otherwise the exit code, after printing
** "duet CMD: MESSAGE" and a pointer to --help. */
int cli_parse_opts(const char *cmd, const char *usage, const struct cli_opt *opts, int argc,
                   char **argv, int *first);

/* Prints "\nOptions:\n" and one entry per option of opts (--name ARG, then its
** help, aligned), as --help shows them. */
void cli_opts_help(FILE *out, const struct cli_opt *opts);

#endif
