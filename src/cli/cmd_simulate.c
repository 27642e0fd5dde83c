/*
** cmd_simulate.c — `duet simulate`: run the pair identity model
** (docs/model.md; the specification is docs/spec/identity-model.md) and
** print a summary, the JSON summary (--summary) and/or write every
** trajectory as CSV (--out).
**
** Every model parameter is an option named as in the spec (--power_patient
** 0.2, or --power-patient 0.2); the list comes from model/params.h, so a
** new parameter needs no change here.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "model/params.h"
#include "model/sim.h"

#define PARAMS_MAX 64
#define NAME_MAX_LEN 48

/* Runs of at least this many pair-modules get a progress bar (on a terminal). */
#define PROGRESS_MIN 20000000ull

static void usage(FILE *out)
{
    sim_params d;
    sim_params_default(&d);
    fputs("usage: duet simulate [--pairs N] [--modules M] [--dims K] [--seed S]\n"
          "                     [--PARAMETER VALUE ...] [--out FILE.csv] [--summary]\n"
          "                     [--threads T]\n"
          "\n"
          "Runs the pair identity model: pairs of a patient leader and a system leader\n"
          "over the modules of a programme, each with norms that drift (see\n"
          "docs/model.md; the specification is docs/spec/identity-model.md). The same\n"
          "parameters and seed give the same numbers for any number of threads.\n"
          "\n"
          "Output:\n"
          "  (default)        a short table: regime shares, final quality, resistance\n"
          "  --summary        the summary as JSON (regime shares, mean final quality and\n"
          "                   resistance rate per side, mean balance, D0, DM, parameters)\n"
          "  --out FILE.csv   every pair's trajectory, one row per pair, module and\n"
          "                   member ('-' for standard output); written to FILE.csv.tmp\n"
          "                   and renamed only when complete\n"
          "  --threads T      OpenMP threads, 1..1024 (default 1)\n"
          "\n"
          "Parameters (--name VALUE; '-' may replace '_'):\n",
          out);
    for (size_t i = 0; i < sim_params_count(); i++) {
        const sim_param_info *pi = sim_params_info(i);
        fprintf(out, "  --%-17s %s\n  %-19s default %s; %s\n", pi->name, pi->help, "", pi->def,
                pi->range);
    }
    fputs("\nExit status: 0 done, 1 a bad value or a failed write, 2 bad usage.\n", out);
}

struct progress {
    int on;
    int last;                  /* last percentage shown */
};

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct progress *p = ctx;
    if (!p->on || total == 0)
        return;
    int pct = (int)(done * 100 / total);
    if (pct == p->last)
        return;
    p->last = pct;
    int width = 40, filled = pct * width / 100;
    fprintf(stderr, "\r[%.*s%*s] %3d%% of %llu pairs", filled,
            "========================================", width - filled, "", pct,
            (unsigned long long)total);
    if (done >= total)
        fputs("\r\033[K", stderr);     /* clear the bar when finished */
    fflush(stderr);
}

static int write_pair(void *ctx, const sim_traj *tr, duet_err *e)
{
    return sim_csv_pair(ctx, tr, e);
}

/* The short summary for people. */
static void print_table(const sim_summary *sum, const sim_params *p)
{
    sim_stats st;
    sim_summary_stats(sum, &st);
    static const enum sim_regime order[SIM_NREGIMES] = {
        SIM_PARTNERSHIP, SIM_PATIENT_NATIVE, SIM_SYSTEM_NATIVE, SIM_POLARISED, SIM_STALLED};
    printf("%llu pairs x %d modules, %d dimensions, seed %llu\n\n",
           (unsigned long long)st.pairs, p->modules, p->dims, (unsigned long long)p->seed);
    printf("%-16s %7s %9s\n", "regime", "share", "pairs");
    for (int i = 0; i < SIM_NREGIMES; i++)
        printf("%-16s %6.1f%% %9llu\n", sim_regime_name(order[i]), 100 * st.regime[order[i]],
               (unsigned long long)sum->regime[order[i]]);
    printf("\n%-16s %9s %9s\n", "", "patient", "system");
    printf("%-16s %9.3f %9.3f\n", "final quality", st.final_quality[0], st.final_quality[1]);
    printf("%-16s %9.3f %9.3f\n", "resistance rate", st.resistance_rate[0],
           st.resistance_rate[1]);
    printf("\nmean balance %.3f (share of the compromise borne by the patient leader)\n",
           st.balance);
    printf("mean distance between norms: %.3f at the start, %.3f at the end\n", st.d0, st.dm);
}

int cmd_simulate(struct cli *c, int argc, char **argv)
{
    (void)c;
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }

    /* Options: the fixed ones, then every parameter under both spellings. */
    size_t np = sim_params_count();
    if (np > PARAMS_MAX)
        np = PARAMS_MAX;
    static char hyphen[PARAMS_MAX][NAME_MAX_LEN];
    const char *out_path = NULL, *vals[PARAMS_MAX] = {0};
    int summary = 0, first;
    long long threads = 1;
    struct cli_opt opts[3 + 2 * PARAMS_MAX + 1];
    size_t n = 0;
    opts[n++] = (struct cli_opt){"out", CLI_STR, &out_path, 0, 0, "FILE.csv",
                                 "every pair's trajectory", NULL};
    opts[n++] = (struct cli_opt){"summary", CLI_FLAG, &summary, 0, 0, NULL,
                                 "the summary as JSON", NULL};
    opts[n++] = (struct cli_opt){"threads", CLI_LONG, &threads, 1, 1024, "T", "OpenMP threads",
                                 NULL};
    for (size_t i = 0; i < np; i++) {
        const sim_param_info *pi = sim_params_info(i);
        opts[n++] = (struct cli_opt){pi->name, CLI_STR, &vals[i], 0, 0, "VALUE", pi->help, NULL};
        if (strchr(pi->name, '_') && strlen(pi->name) < NAME_MAX_LEN) {
            strcpy(hyphen[i], pi->name);
            for (char *q = hyphen[i]; *q; q++)
                if (*q == '_')
                    *q = '-';
            opts[n++] = (struct cli_opt){hyphen[i], CLI_STR, &vals[i], 0, 0, "VALUE", pi->help,
                                         NULL};
        }
    }
    opts[n] = (struct cli_opt){0};
    /* Its --help is usage() above, with each parameter's default and range. */
    int prc = cli_parse_opts("simulate", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first < argc)
        return cli_usage_error("simulate", "unexpected argument '%s'", argv[first]);
    sim_params p;
    sim_params_default(&p);
    duet_err e;
    for (size_t i = 0; i < np; i++)
        if (vals[i] && sim_params_set(&p, sim_params_info(i)->name, vals[i], &e) != 0)
            return cli_fail(&e);
    if (summary && out_path && strcmp(out_path, "-") == 0)
        return cli_usage_error("simulate",
                               "--summary and --out - both want standard output; "
                               "give --out a file name");
    if (sim_params_validate(&p, &e) != 0)
        return cli_fail(&e);

    struct progress prog = {isatty(STDERR_FILENO) && p.pairs * (uint64_t)p.modules >= PROGRESS_MIN,
                            -1};
    sim_opts o = {0};
    o.threads = (int)threads;
    o.progress = show_progress;
    o.progress_ctx = &prog;

    sim_summary sum;
    sim_summary_init(&sum);
    FILE *f = NULL;
    if (out_path) {
        f = cli_open_out(out_path, &e);
        if (f == NULL)
            return cli_fail(&e);
        o.on_pair = write_pair;
        o.pair_ctx = f;
        if (sim_csv_header(f, p.dims, &e) != 0) {
            cli_close_out(f, out_path, 0, NULL);
            return cli_fail(&e);
        }
    }
    int rc = sim_run(&p, 0, p.pairs, &o, &sum, &e);
    if (f) {
        duet_err ce;
        if (cli_close_out(f, out_path, rc == 0, &ce) != 0 && rc == 0) {
            e = ce;
            rc = -1;
        }
    }
    if (rc != 0)
        return cli_fail(&e);

    if (summary)
        return cli_print_json(stdout, sim_summary_json(&sum, &p));
    if (out_path == NULL)
        print_table(&sum, &p);
    return CLI_OK;
}
