/*
** main.c — `duet [--db PATH] [--as NAME] COMMAND ...`: finds the command and runs it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const struct command {
    const char *name;
    cli_fn fn;
    const char *summary;
} commands[] = {
    {"init",        cmd_init,        "create or upgrade the database and load the default instrument"},
    {"programme",   cmd_programme,   "add, list and show programmes"},
    {"cohort",      cmd_cohort,      "add, list and show cohorts"},
    {"module",      cmd_module,      "add, list and show the modules of a cohort"},
    {"person",      cmd_person,      "add, list and show people"},
    {"partnership", cmd_partnership, "add, list and show partnerships; roles; project log"},
    {"instrument",  cmd_instrument,  "import, list and show instruments (questionnaires)"},
    {"checkin",     cmd_checkin,     "record a participant's check-in at a module"},
    {"qset",        cmd_qset,        "import, list and show Q-sets of norm statements"},
    {"codebook",    cmd_codebook,    "import, export, list and show codebooks (JSON or REFI-QDA .qdc)"},
    {"coding",      cmd_coding,      "code passages; export codings (JSON, CSV, REFI-QDA .qdpx); import .qdpx"},
    {"sort",        cmd_sort,        "record, show and list Q-sorts of norm statements"},
    {"reflection",  cmd_reflection,  "record and list reflections"},
    {"observation", cmd_observation, "record and list observers' field notes"},
    {"consent",     cmd_consent,     "give, withdraw and list consent"},
    {"import",      cmd_import,      "import responses or Q-sorts from a CSV file (all or nothing)"},
    {"export",      cmd_export,      "export responses, Q-sorts or the data dictionary"},
    {"demo",        cmd_demo,        "create a realistic synthetic programme"},
    {"analyse",     cmd_analyse,     "analyse relationships, partnerships, determinants and norms"},
    {"stats",       cmd_stats,       "statistics over a CSV file: mixed models, Q-sort factor analysis"},
    {"audit",       cmd_audit,       "verify and list the tamper-evident audit log"},
    {"backup",      cmd_backup,      "copy the database consistently while it is in use"},
    {"restore",     cmd_restore,     "check a backup and put it in place of the database"},
    {"user",        cmd_user,        "add, list and disable accounts for the web application"},
    {"token",       cmd_token,       "create personal API tokens"},
    {"simulate",    cmd_simulate,    "run the pair identity model"},
    {"sweep",       cmd_sweep,       "run the model over a grid of parameters"},
    {"serve",       cmd_serve,       "serve the web application and the JSON API"},
    {"calibrate",   cmd_calibrate,   "fit model parameters to observed summaries (ABC-SMC)"},
};

static void usage(FILE *out)
{
    fputs("usage: duet [--db PATH] [--as NAME] COMMAND [ARGS...]\n\n"
          "duet runs, records and analyses programmes that pair patient leaders with\n"
          "system leaders.\n\n"
          "Options:\n"
          "  --db PATH   the database (default: $DUET_DB, or ./duet.db)\n"
          "  --as NAME   who the audit log records for changes (default: $DUET_ACTOR or $USER)\n"
          "  --help      this help; 'duet COMMAND --help' for a command\n"
          "  --version   print the version\n\n"
          "Commands:\n", out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs("\nSee docs/cli.md for every command and option.\n", out);
}

int main(int argc, char **argv)
{
    struct cli c = {0};
    c.db_path = getenv("DUET_DB");
    if (c.db_path == NULL || *c.db_path == '\0')
        c.db_path = "duet.db";
    c.actor = getenv("DUET_ACTOR");
    if (c.actor == NULL || *c.actor == '\0')
        c.actor = getenv("USER");
    if (c.actor == NULL || *c.actor == '\0')
        c.actor = "duet";

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            puts("duet 0.1.0");
            return CLI_OK;
        } else if ((strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--as") == 0) &&
                   i + 1 < argc) {
            if (argv[i][2] == 'd')
                c.db_path = argv[++i];
            else
                c.actor = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            c.db_path = argv[i] + 5;
        } else if (strncmp(argv[i], "--as=", 5) == 0) {
            c.actor = argv[i] + 5;
        } else if (strcmp(argv[i], "--db") == 0 || strcmp(argv[i], "--as") == 0) {
            fprintf(stderr, "duet: option '%s' needs a value\nTry 'duet --help'.\n", argv[i]);
            return CLI_EUSAGE;
        } else {
            fprintf(stderr, "duet: unknown option '%s'\nTry 'duet --help'.\n", argv[i]);
            return CLI_EUSAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_EUSAGE;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(argv[i], commands[k].name) == 0) {
            int rc = commands[k].fn(&c, argc - i, argv + i);
            store_close(c.store);
            return rc;
        }
    }
    fprintf(stderr, "duet: unknown command '%s'\nTry 'duet --help'.\n", argv[i]);
    return CLI_EUSAGE;
}
