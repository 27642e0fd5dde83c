/*
** cmd_calibrate.c — `duet calibrate TARGET.json`: fit chosen parameters of
** the pair identity model to observed summaries by ABC-SMC.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/observed.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "model/abc.h"

static const char usage[] =
    "calibrate (TARGET.json | --from-db [--cohort C]) [--params a,b,c] [--priors FILE.json]\n"
    "          [--particles N] [--generations G] [--pairs N] [--seed S] [--threads T]\n"
    "          [--out POSTERIOR.csv] [--json] [--PARAM VALUE ...]\n"
    "  Fits the chosen model parameters (default power_patient,accept,self_consistency)\n"
    "  so that simulated summaries match TARGET.json, by approximate Bayesian computation\n"
    "  (ABC-SMC). TARGET.json has the shape of `duet simulate --summary`: any of\n"
    "  \"regimes\" {partnership, patient_native, system_native, polarised, stalled},\n"
    "  \"mean_final_quality\" {patient, system}, \"resistance_rate\" {patient, system},\n"
    "  \"mean_balance\", and optionally \"modules\" and \"dims\".\n"
    "  --from-db           build the target from the database instead: regime shares\n"
    "                      from the Q-sorts (duet analyse norms), final quality, balance\n"
    "                      and resistance from the check-ins, modules and dims; --pairs\n"
    "                      then defaults to the number of partnerships (docs/norms.md)\n"
    "  --cohort C          with --from-db: only this cohort (default: all)\n"
    "  --priors FILE.json  uniform priors {\"power_patient\": [0.05, 0.95], ...}; the defaults\n"
    "                      are listed in docs/model.md\n"
    "  --particles N       posterior sample size (default 200)\n"
    "  --generations G     SMC generations after the first (default 5)\n"
    "  --pairs N           pairs per simulation (default 1000)\n"
    "  --seed S            the calibration's seed (default 1); same seed, same result\n"
    "  --out FILE.csv      the weighted posterior sample: particle,weight,distance,<params>\n"
    "  --PARAM VALUE       fix any other model parameter (e.g. --learning 0.2)\n"
    "  Prints the posterior mean, median and 90% interval per parameter and the\n"
    "  acceptance statistics of each generation (--json: one JSON document).\n";

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    if (!*(int *)ctx)
        return;
    fprintf(stderr, "\rcalibrating: %llu/%llu particles", (unsigned long long)done,
            (unsigned long long)total);
}

static int read_all(const char *path, char **data, size_t *len)
{
    duet_err e;
    if (csv_read_file(path, 1 << 20, data, len, &e) != 0)
        return cli_fail(&e);
    return CLI_OK;
}

int cmd_calibrate(struct cli *c, int argc, char **argv)
{
    struct abc_options o;
    abc_options_default(&o);
    const char *params = "power_patient,accept,self_consistency", *priors = NULL, *out = NULL;
    const char *cohort = NULL;
    int json = 0, from_db = 0, pairs_given = 0;
    duet_err e;
    /* --PARAM VALUE for fixed parameters: take them out before cli_parse_opts sees them. */
    char **rest = malloc((size_t)(argc + 1) * sizeof *rest);
    if (rest == NULL)
        return cli_failf("out of memory");
    int nrest = 0, modules_given = 0, dims_given = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int pi = strncmp(a, "--", 2) == 0 ? sim_params_find(a + 2) : -1;
        if (pi >= 0 && (sim_params_is_model((size_t)pi) || strcmp(a + 2, "modules") == 0 ||
                        strcmp(a + 2, "dims") == 0)) {
            if (i + 1 >= argc) {
                free(rest);
                return cli_usage_error("calibrate", "option '%s' needs a value", a);
            }
            modules_given |= strcmp(a + 2, "modules") == 0;
            dims_given |= strcmp(a + 2, "dims") == 0;
            if (sim_params_set(&o.base, a + 2, argv[++i], &e) != 0) {
                free(rest);
                return cli_fail(&e);
            }
            continue;
        }
        rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    long long particles = o.particles, generations = o.generations, pairs = 0;
    long long threads = o.threads;
    const char *seed = NULL;
    const struct cli_opt opts[] = {
        {"params", CLI_STR, &params, 0, 0, "a,b,c", "the parameters to fit", NULL},
        {"priors", CLI_FILE, &priors, 0, 0, "FILE.json", "uniform priors", NULL},
        {"particles", CLI_LONG, &particles, 10, 100000, "N", "posterior sample size", NULL},
        {"generations", CLI_LONG, &generations, 0, 60, "G", "SMC generations after the first",
         NULL},
        {"pairs", CLI_LONG, &pairs, 1, 10000000, "N", "pairs per simulation", NULL},
        {"seed", CLI_STR, &seed, 0, 0, "S", "the calibration's seed", NULL},
        {"threads", CLI_LONG, &threads, 1, 1024, "T", "OpenMP threads", NULL},
        {"out", CLI_FILE, &out, 0, 0, "FILE.csv", "the weighted posterior sample", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print one JSON document", NULL},
        {"from-db", CLI_FLAG, &from_db, 0, 0, NULL, "build the target from the database", NULL},
        {"cohort", CLI_STR, &cohort, 0, 0, "C", "with --from-db: only this cohort", NULL},
        {0}};
    int first, rc = cli_parse_opts("calibrate", usage, opts, nrest, rest, &first);
    if (rc < 0) {
        rc = CLI_OK;
        o.particles = (int)particles;
        o.generations = (int)generations;
        o.threads = (int)threads;
        if (pairs) {
            o.base.pairs = (uint64_t)pairs;
            pairs_given = 1;
        }
        if (seed) {
            if (sim_params_set(&o.base, "seed", seed, &e) != 0)
                rc = cli_fail(&e);
            o.seed = o.base.seed;
        }
    }
    if (rc == CLI_OK && from_db && first != nrest)
        rc = cli_usage_error("calibrate", "give TARGET.json or --from-db, not both");
    else if (rc == CLI_OK && !from_db && first != nrest - 1)
        rc = cli_usage_error("calibrate", "give exactly one TARGET.json (or --from-db)");
    if (rc == CLI_OK && cohort && !from_db)
        rc = cli_usage_error("calibrate", "--cohort applies to --from-db only");
    const char *target_path = rc == CLI_OK && !from_db ? rest[first] : NULL;
    free(rest);
    if (rc != CLI_OK)
        return rc;

    /* The parameters to fit, with default priors. */
    char list[512];
    snprintf(list, sizeof list, "%s", params);
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        int pi = sim_params_find(name);
        if (pi < 0 || !sim_params_is_model((size_t)pi))
            return cli_usage_error("calibrate", "--params: '%s' is not a model parameter", name);
        if (o.nparams == ABC_MAX_PARAMS)
            return cli_usage_error("calibrate", "--params: at most %d parameters", ABC_MAX_PARAMS);
        for (size_t j = 0; j < o.nparams; j++)
            if (o.priors[j].param == pi)
                return cli_usage_error("calibrate", "--params: '%s' is named twice", name);
        o.priors[o.nparams].param = pi;
        abc_default_prior(pi, &o.priors[o.nparams].lo, &o.priors[o.nparams].hi);
        o.nparams++;
    }
    if (o.nparams == 0)
        return cli_usage_error("calibrate", "--params names no parameter");
    char *data;
    size_t len;
    if (priors) {
        if ((rc = read_all(priors, &data, &len)) != CLI_OK)
            return rc;
        rc = abc_priors_parse(data, len, priors, o.priors, o.nparams, &e);
        free(data);
        if (rc != 0)
            return cli_fail(&e);
    }
    json_t *observed = NULL;
    char source[300];
    if (from_db) {
        struct store *st = cli_store(c);
        if (st == NULL)
            return CLI_EUSER;
        observed = observed_target(st, cohort, "research", &e);
        if (observed == NULL)
            return cli_fail(&e);
        data = json_dumps(observed, JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (data == NULL) {
            json_decref(observed);
            return cli_failf("out of memory");
        }
        len = strlen(data);
        snprintf(source, sizeof source, "the target from %s%s%s", cohort ? "cohort '" : "the database",
                 cohort ? cohort : "", cohort ? "'" : "");
        target_path = source;
        if (!pairs_given)
            o.base.pairs = (uint64_t)json_integer_value(json_object_get(observed, "pairs"));
    } else if ((rc = read_all(target_path, &data, &len)) != CLI_OK) {
        return rc;
    }
    struct abc_target t;
    sim_params from_target = o.base;
    sim_params_default(&from_target);
    rc = abc_target_parse(data, len, target_path, &t, &from_target, &e);
    free(data);
    if (rc != 0) {
        json_decref(observed);
        return cli_fail(&e);
    }
    /* The target's modules and dims apply unless given on the command line. */
    if (!modules_given)
        o.base.modules = from_target.modules;
    if (!dims_given)
        o.base.dims = from_target.dims;

    int tty = isatty(STDERR_FILENO);
    struct abc_result r;
    rc = abc_run(&o, &t, &r, show_progress, &tty, &e);
    if (tty)
        fputc('\n', stderr);
    if (rc != 0) {
        json_decref(observed);
        return cli_fail(&e);
    }

    uint64_t sims = 0;
    for (int g = 0; g <= r.ngenerations && g < 64; g++)
        sims += r.gen[g].simulations;
    if (out) {
        FILE *f = cli_open_out(out, &e);
        int ok = f != NULL;
        if (ok) {
            fputs("particle,weight,distance", f);
            for (size_t j = 0; j < o.nparams; j++)
                fprintf(f, ",%s", sim_params_info((size_t)o.priors[j].param)->name);
            fputc('\n', f);
            for (size_t i = 0; i < r.nparticles; i++) {
                fprintf(f, "%zu,%.17g,%.17g", i, r.weight[i], r.distance[i]);
                for (size_t j = 0; j < o.nparams; j++)
                    fprintf(f, ",%.17g", r.theta[i * o.nparams + j]);
                fputc('\n', f);
            }
            ok = cli_close_out(f, out, 1, &e) == 0;
        }
        if (!ok) {
            abc_result_free(&r);
            json_decref(observed);
            return cli_fail(&e);
        }
    }
    json_t *doc = json_object(), *pj = json_object(), *gens = json_array();
    for (size_t j = 0; j < o.nparams; j++) {
        struct abc_posterior po;
        abc_posterior(&r, j, &po);
        json_object_set_new(pj, sim_params_info((size_t)o.priors[j].param)->name,
                            json_pack("{s:f, s:f, s:f, s:f, s:[f, f]}", "mean", po.mean, "median",
                                      po.median, "lo90", po.lo90, "hi90", po.hi90, "prior",
                                      o.priors[j].lo, o.priors[j].hi));
    }
    for (int g = 0; g < r.ngenerations + (r.stopped ? 1 : 0); g++)
        json_array_append_new(gens, json_pack("{s:i, s:f, s:I, s:I, s:f, s:f}", "generation", g,
                                              "epsilon", r.gen[g].epsilon, "simulations",
                                              (json_int_t)r.gen[g].simulations, "accepted",
                                              (json_int_t)r.gen[g].accepted, "acceptance_rate",
                                              r.gen[g].simulations ? (double)r.gen[g].accepted /
                                              (double)r.gen[g].simulations : 0.0,
                                              "effective_sample_size", r.gen[g].ess));
    json_t *scales = json_object();
    for (size_t k = 0; k < ABC_NSTATS; k++)
        if (t.have[k])
            json_object_set_new(scales, abc_stat_name(k), json_real(r.scale[k]));
    json_object_set_new(doc, "method", json_string("abc-smc"));
    json_object_set_new(doc, "parameters", pj);
    json_object_set_new(doc, "generations", gens);
    json_object_set_new(doc, "simulations", json_integer((json_int_t)sims));
    json_object_set_new(doc, "particles", json_integer((json_int_t)r.nparticles));
    json_object_set_new(doc, "pairs_per_simulation", json_integer((json_int_t)o.base.pairs));
    json_object_set_new(doc, "modules", json_integer(o.base.modules));
    char seedtext[24];
    snprintf(seedtext, sizeof seedtext, "%llu", (unsigned long long)o.seed);
    json_object_set_new(doc, "seed", o.seed <= (uint64_t)INT64_MAX ? json_integer((json_int_t)o.seed)
                                                                  : json_string(seedtext));
    json_object_set_new(doc, "stopped_early", json_boolean(r.stopped > 0));
    json_object_set_new(doc, "statistic_scales", scales);
    if (observed)
        json_object_set_new(doc, "target", json_incref(observed));
    if (json) {
        json_decref(observed);
        abc_result_free(&r);
        return cli_print_json(stdout, doc);
    }
    if (observed) {
        printf("target from the database (%llu partnerships):",
               (unsigned long long)json_integer_value(json_object_get(observed, "pairs")));
        for (size_t k = 0, n = 0; k < ABC_NSTATS; k++)
            if (t.have[k])
                printf("%s %s %.3f", n++ ? "," : "", abc_stat_name(k), t.s[k]);
        printf("\n");
        json_decref(observed);
    }
    printf("ABC-SMC: %zu particles, %d generations, %llu simulations of %llu pairs x %d modules\n\n",
           r.nparticles, r.ngenerations, (unsigned long long)sims,
           (unsigned long long)o.base.pairs, o.base.modules);
    printf("%-18s %10s %10s %22s %18s\n", "parameter", "mean", "median", "90% interval", "prior");
    for (size_t j = 0; j < o.nparams; j++) {
        struct abc_posterior po;
        abc_posterior(&r, j, &po);
        char iv[64], pr[64];
        snprintf(iv, sizeof iv, "[%.3f, %.3f]", po.lo90, po.hi90);
        snprintf(pr, sizeof pr, "[%.3g, %.3g]", o.priors[j].lo, o.priors[j].hi);
        printf("%-18s %10.4f %10.4f %22s %18s\n", sim_params_info((size_t)o.priors[j].param)->name,
               po.mean, po.median, iv, pr);
    }
    printf("\n%-10s %12s %12s %10s %10s\n", "generation", "tolerance", "simulations",
           "accepted", "ESS");
    for (int g = 0; g < r.ngenerations; g++)
        printf("%-10d %12.5f %12llu %10llu %10.1f\n", g, r.gen[g].epsilon,
               (unsigned long long)r.gen[g].simulations, (unsigned long long)r.gen[g].accepted,
               r.gen[g].ess);
    if (r.stopped)
        printf("stopped at generation %d: a particle needed more than %d attempts; the "
               "posterior is that of generation %d\n", r.stopped, o.max_attempts, r.stopped - 1);
    json_decref(doc);
    abc_result_free(&r);
    return CLI_OK;
}
