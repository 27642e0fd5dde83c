/*
** cmd_demo.c — `duet demo`: a complete synthetic programme to explore.
*/
#include <getopt.h>
#include <stdio.h>

#include "app/setup.h"
#include "cli/cli.h"
#include "store/store.h"

int cmd_demo(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "demo [--pairs N] [--modules M] [--seed S] [--structure-only] [--json]\n"
        "  Creates a realistic synthetic programme in the database: one cohort, N\n"
        "  partnerships (default 12; at least one triad and one expert-by-experience +\n"
        "  regulator pair), M modules (default 6), everyone's check-ins with plausible\n"
        "  trajectories (some improving, some tokenistic, some polarising), reflections,\n"
        "  observations and consent. The same seed gives the same programme.\n"
        "  --structure-only creates the people, partnerships and modules but no answers\n"
        "  or notes (e.g. to import an exported responses file into).\n";
    static const struct option opts[] = {{"pairs", required_argument, NULL, 'p'},
                                         {"modules", required_argument, NULL, 'm'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"structure-only", no_argument, NULL, 'S'},
                                         {"json", no_argument, NULL, 'j'}, {0}};
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    struct demo_options o = {.pairs = 12, .modules = 6, .seed = 1};
    long long v;
    int json = 0, ch;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, opts, "demo")) != -1) {
        switch (ch) {
        case 'p':
            if (cli_parse_long(optarg, 3, 500, &v) != 0)
                return cli_usage_error("demo", "--pairs '%s' is not a number in 3..500", optarg);
            o.pairs = (int)v;
            break;
        case 'm':
            if (cli_parse_long(optarg, 2, 50, &v) != 0)
                return cli_usage_error("demo", "--modules '%s' is not a number in 2..50", optarg);
            o.modules = (int)v;
            break;
        case 's':
            if (cli_parse_long(optarg, 0, 9007199254740991LL, &v) != 0)
                return cli_usage_error("demo", "--seed '%s' is not a non-negative whole number",
                                       optarg);
            o.seed = (uint64_t)v;
            break;
        case 'S': o.structure_only = 1; break;
        case 'j': json = 1; break;
        default: return CLI_EUSAGE;
        }
    }
    if (optind != argc)
        return cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
    c->create = 1;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct demo_report r;
    if (setup_demo(st, &o, &r, &e) != 0)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
                                                "programme", r.programme, "cohort", r.cohort,
                                                "partnerships", r.partnerships, "people", r.people,
                                                "modules", o.modules, "checkins", r.checkins,
                                                "answers", r.answers, "reflections", r.reflections,
                                                "observations", r.observations));
    printf("created the demo programme '%s' in %s:\n"
           "  cohort '%s': %d partnerships, %d people, %d modules\n"
           "  %d check-ins (%d answers), %d reflections, %d observations\n",
           r.programme, c->db_path, r.cohort, r.partnerships, r.people, o.modules, r.checkins,
           r.answers, r.reflections, r.observations);
    return CLI_OK;
}
