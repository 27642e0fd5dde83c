/*
** cmd_programme.c — `duet programme|cohort|module add|list|show`.
*/
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"

/* ---- programme ---- */

static int programme_add(struct cli *c, int argc, char **argv)
{
    const char *desc = "";
    int first;
    const struct cli_opt opts[] = {
        {"description", CLI_STR, &desc, 0, 0, "TEXT", "what the programme is", NULL}, {0}};
    int prc = cli_parse_opts("programme add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1)
        return cli_usage_error("programme add", "give exactly one NAME");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    int64_t id;
    if (store_programme_add(st, argv[first], desc, &id, &e) != 0)
        return cli_fail(&e);
    printf("added programme '%s' (id %lld)\n", argv[first], (long long)id);
    return CLI_OK;
}

static int programme_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"name", "cohorts", "description"};
    static const struct cli_list l = {"programme list", NULL, 0, store_programme_list, NULL,
                                      cols, 3};
    return cli_run_list(c, argc, argv, &l);
}

static int programme_show(struct cli *c, int argc, char **argv)
{
    int json;
    const char *name;
    int rc = cli_json_args(argc, argv, "programme show", &json, 1, &name);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    return cli_emit_one(store_programme_show(st, name, &e), json, &e);
}

int cmd_programme(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", programme_add, "add NAME [--description TEXT]\n"
                               "  Adds a programme (a scheme of cohorts), e.g.\n"
                               "  duet programme add \"Leading collaboratively 2026\"\n"},
        {"list", programme_list, "list [--json]\n  Lists programmes.\n"},
        {"show", programme_show, "show NAME [--json]\n  Shows a programme and its cohorts.\n"},
    };
    return cli_dispatch(c, "programme", "Programmes: an organisation's scheme of cohorts.", subs,
                        3, argc, argv);
}

/* ---- cohort ---- */

static int cohort_add(struct cli *c, int argc, char **argv)
{
    const char *programme = NULL, *starts = NULL;
    int first;
    const struct cli_opt opts[] = {
        {"programme", CLI_STR, &programme, 0, 0, "PROGRAMME", "the cohort's programme", NULL},
        {"starts", CLI_STR, &starts, 0, 0, "DATE", "when it starts", NULL},
        {0}};
    int prc = cli_parse_opts("cohort add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1 || programme == NULL)
        return cli_usage_error("cohort add", "give NAME and --programme PROGRAMME");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    int64_t id;
    if (store_cohort_add(st, programme, argv[first], starts, &id, &e) != 0)
        return cli_fail(&e);
    printf("added cohort '%s' (id %lld)\n", argv[first], (long long)id);
    return CLI_OK;
}

static int cohort_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"name", "programme", "starts_on", "modules",
                                       "partnerships"};
    static const struct cli_list l = {"cohort list", "programme", 0, NULL, store_cohort_list,
                                      cols, 5};
    return cli_run_list(c, argc, argv, &l);
}

static int cohort_show(struct cli *c, int argc, char **argv)
{
    int json;
    const char *name;
    int rc = cli_json_args(argc, argv, "cohort show", &json, 1, &name);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    return cli_emit_one(store_cohort_show(st, name, &e), json, &e);
}

static int staff_add(struct cli *c, int argc, char **argv)
{
    int json;
    const char *args[2];
    int rc = cli_json_args(argc, argv, "cohort staff add", &json, 2, args);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    if (store_cohort_staff_add(st, args[0], args[1], &e) != 0)
        return cli_fail(&e);
    printf("'%s' is now staff of cohort '%s'\n", args[1], args[0]);
    return CLI_OK;
}

static int staff_list(struct cli *c, int argc, char **argv)
{
    int json;
    const char *cohort;
    int rc = cli_json_args(argc, argv, "cohort staff list", &json, 1, &cohort);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    static const char *const cols[] = {"person", "display_name", "organisation", "role"};
    return cli_emit_list(store_cohort_staff_list(st, cohort, &e), json, cols, 4, &e);
}

/* `duet cohort staff add|list`: the facilitators who run a cohort. */
static int cohort_staff(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", staff_add, "add COHORT PERSON\n"
                           "  Makes a person (a facilitator) staff of a cohort: with a facilitator\n"
                           "  account they see and manage the cohort in the web application.\n"
                           "  Refused for a member of one of the cohort's partnerships.\n"},
        {"list", staff_list, "list COHORT [--json]\n  Lists the staff of a cohort and their account roles.\n"},
    };
    return cli_dispatch(c, "cohort staff", "The staff (facilitators) who run a cohort.", subs, 2,
                        argc, argv);
}

int cmd_cohort(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", cohort_add, "add NAME --programme PROGRAMME [--starts YYYY-MM-DD]\n"
                            "  Adds a cohort: partnerships that go through the modules together.\n"},
        {"list", cohort_list, "list [--programme PROGRAMME] [--json]\n  Lists cohorts.\n"},
        {"show", cohort_show, "show NAME [--json]\n  Shows a cohort, its modules and partnerships.\n"},
        {"staff", cohort_staff,
         "staff add COHORT PERSON | staff list COHORT [--json]\n"
         "  add: makes a person (a facilitator) staff of a cohort; with a facilitator\n"
         "  account they see and manage the cohort in the web application. Refused\n"
         "  for a member of one of the cohort's partnerships.\n"
         "  list: lists the cohort's staff and their account roles.\n"},
    };
    return cli_dispatch(c, "cohort", "Cohorts of partnerships.", subs, 4, argc, argv);
}

/* ---- module ---- */

static int module_opts(int argc, char **argv, const char *cmd, const char **cohort,
                       long long *number, const char **date, const char **theme, int *json)
{
    int first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, cohort, 0, 0, "COHORT", "the module's cohort", NULL},
        {"number", CLI_LONG, number, 1, 1000, "N", "its number",
         "--number '%s' is not a module number 1..1000"},
        {"date", CLI_STR, date, 0, 0, "DATE", "when it meets", NULL},
        {"theme", CLI_STR, theme, 0, 0, "TEXT", "what it is about", NULL},
        {"json", CLI_FLAG, json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts(cmd, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc == CLI_OK ? CLI_EUSAGE : prc; /* its --help is cli_dispatch's */
    if (first != argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[first]);
    if (*cohort == NULL)
        return cli_usage_error(cmd, "--cohort is required");
    return CLI_OK;
}

static int module_add(struct cli *c, int argc, char **argv)
{
    const char *cohort = NULL, *date = NULL, *theme = "";
    long long number = 0;
    int json = 0;
    int rc = module_opts(argc, argv, "module add", &cohort, &number, &date, &theme, &json);
    if (rc)
        return rc;
    if (number == 0)
        return cli_usage_error("module add", "--number is required");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (store_module_add(st, cohort, (int)number, date, theme, NULL, &e) != 0)
        return cli_fail(&e);
    printf("added module %lld to cohort '%s'\n", number, cohort);
    return CLI_OK;
}

static int module_list(struct cli *c, int argc, char **argv)
{
    const char *cohort = NULL, *date = NULL, *theme = "";
    long long number = 0;
    int json = 0;
    int rc = module_opts(argc, argv, "module list", &cohort, &number, &date, &theme, &json);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    static const char *const cols[] = {"ordinal", "held_on", "theme", "checkins"};
    return cli_emit_list(store_module_list(st, cohort, &e), json, cols, 4, &e);
}

static int module_show(struct cli *c, int argc, char **argv)
{
    const char *cohort = NULL, *date = NULL, *theme = "";
    long long number = 0;
    int json = 0;
    int rc = module_opts(argc, argv, "module show", &cohort, &number, &date, &theme, &json);
    if (rc == 0 && number == 0)
        rc = cli_usage_error("module show", "--number is required");
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    return cli_emit_one(store_module_show(st, cohort, (int)number, &e), json, &e);
}

int cmd_module(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", module_add, "add --cohort COHORT --number N [--date YYYY-MM-DD] [--theme TEXT]\n"
                            "  Adds module N (1, 2, ...) to a cohort: one programme session and\n"
                            "  one measurement occasion.\n"},
        {"list", module_list, "list --cohort COHORT [--json]\n  Lists a cohort's modules.\n"},
        {"show", module_show, "show --cohort COHORT --number N [--json]\n  Shows one module.\n"},
    };
    return cli_dispatch(c, "module", "Modules: the sessions of a cohort.", subs, 3, argc, argv);
}

