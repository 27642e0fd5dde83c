/*
** cmd_analyse.c — `duet analyse relationships|partnership|determinants`.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/determinants.h"
#include "analysis/norms.h"
#include "analysis/relationships.h"
#include "analysis/relcsv.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "store/store.h"

/* A number for a table, or "-" when it is missing. */
static const char *cell(json_t *v, const char *fmt, char *buf, size_t n)
{
    if (!json_is_number(v))
        return "-";
    snprintf(buf, n, fmt, json_number_value(v));
    return buf;
}

static int load(struct cli *c, const char *cohort, struct rel_data *d)
{
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (rel_load(st, cohort, "research", d, &e) != 0)
        return cli_fail(&e);
    if (d->nparts == 0) {
        rel_free(d);
        return cli_failf("no check-ins to analyse%s%s%s (only people whose research consent is "
                         "in force count)", cohort ? " in cohort '" : "", cohort ? cohort : "",
                         cohort ? "'" : "");
    }
    return CLI_OK;
}

/* One CSV row per partnership and module: the bytes the web's download has. */
static int write_csv(FILE *f, const struct rel_data *d, json_t *report, enum csv_cells how)
{
    duet_buf b;
    buf_init(&b, (size_t)1 << 30);
    int rc = rel_csv(d, report, how, &b) == 0 &&
             fwrite(b.data ? b.data : "", 1, b.len, f) == b.len ? 0 : -1;
    buf_free(&b);
    return rc;
}

static void print_ranking(json_t *report)
{
    printf("%-12s %7s %9s %9s %9s %-11s %s\n", "partnership", "concern", "quality", "tokenism",
           "gap", "pattern", "flags");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(json_object_get(report, "cohort"), "ranking"), i, r) {
        const char *code = json_string_value(json_object_get(r, "partnership"));
        json_t *p = NULL, *x;
        size_t k;
        json_array_foreach(json_object_get(report, "partnerships"), k, x)
            if (strcmp(json_string_value(json_object_get(x, "partnership")), code) == 0)
                p = x;
        json_t *flags = json_object_get(r, "flags");
        char fl[96] = "";
        static const char *const names[] = {"tokenistic", "polarising", "diverging", "low_quality"};
        for (int f = 0; f < 4; f++)
            if (json_is_true(json_object_get(flags, names[f])))
                snprintf(fl + strlen(fl), sizeof fl - strlen(fl), "%s%s", fl[0] ? ", " : "", names[f]);
        json_t *mods = json_object_get(p, "modules");
        json_t *last = json_array_get(mods, json_array_size(mods) - 1);
        double gap = json_number_value(json_object_get(json_object_get(last, "gap"), "quality"));
        printf("%-12s %7.0f %9.2f %8.0f%% %+9.2f %-11s %s\n", code,
               json_number_value(json_object_get(r, "concern")),
               json_number_value(json_object_get(r, "final_quality")),
               100 * json_number_value(json_object_get(p, "tokenism_share")), gap,
               json_string_value(json_object_get(json_object_get(p, "trajectory"), "pattern")),
               fl[0] ? fl : "-");
    }
    printf("\nquality: both sides' mean of voice, trust, purpose and safety (1..7) at the last "
           "module;\ntokenism: share of modules with a tokenism signal; gap: lived-experience "
           "minus system\nquality at the last module. docs/analysis.md explains every number.\n");
}

static int relationships(struct cli *c, int argc, char **argv)
{
    const char *cohort = NULL, *out = NULL;
    int json = 0, csv = 0, exact = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &cohort, 0, 0, "C", "only this cohort", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {"csv", CLI_FLAG, &csv, 0, 0, NULL, "print CSV", NULL},
        {"exact", CLI_FLAG, &exact, 0, 0, NULL, "with --csv: cells exactly as stored", NULL},
        {"out", CLI_STR, &out, 0, 0, "FILE", "write there (default: stdout)", NULL},
        {0}};
    int prc = cli_parse_opts("analyse relationships", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc)
        return cli_usage_error("analyse relationships", "unexpected argument '%s'", argv[first]);
    if (json && csv)
        return cli_usage_error("analyse relationships", "choose --json or --csv");
    if (exact && !csv)
        return cli_usage_error("analyse relationships", "--exact goes with --csv");
    struct rel_data d;
    int rc = load(c, cohort, &d);
    if (rc)
        return rc;
    duet_err e;
    json_t *report = rel_report(&d, &e);
    if (report == NULL) {
        rel_free(&d);
        return cli_fail(&e);
    }
    FILE *f = cli_open_out(out, &e);
    if (f == NULL) {
        rc = cli_fail(&e);
    } else {
        int ok = 1;
        if (json)
            ok = json_dumpf(report, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) == 0 &&
                 fputc('\n', f) != EOF;
        else if (csv)
            ok = write_csv(f, &d, report, exact ? CSV_EXACT : CSV_SAFE) == 0;
        else
            print_ranking(report);
        if (cli_close_out(f, out, ok, ok ? &e : NULL) != 0)
            rc = ok ? cli_fail(&e) : cli_failf("writing the analysis failed");
    }
    json_decref(report);
    rel_free(&d);
    return rc;
}

static int partnership(struct cli *c, int argc, char **argv)
{
    int json;
    const char *code;
    int rc = cli_json_args(argc, argv, "analyse partnership", &json, 1, &code);
    if (rc)
        return rc;
    struct rel_data d;
    if ((rc = load(c, NULL, &d)) != 0)
        return rc;
    duet_err e;
    json_t *p = rel_partnership_report(&d, code, &e);
    rel_free(&d);
    if (p == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, p);
    printf("partnership %s (%s, %s)\n\n", code, json_string_value(json_object_get(p, "kind")),
           json_string_value(json_object_get(p, "cohort")));
    printf("%-7s %9s %9s %8s %-9s %7s %11s  %s\n", "module", "q lived", "q system", "gap",
           "rungs", "power", "compromise", "tokenism");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(p, "modules"), i, m) {
        char rungs[32] = "";
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(m, "rungs"), k, r)
        {
            json_t *rv = json_object_get(r, "rung");
            char one[16];
            snprintf(one, sizeof one, json_is_integer(rv) ? "%lld" : "-",
                     (long long)json_integer_value(rv));
            snprintf(rungs + strlen(rungs), sizeof rungs - strlen(rungs), "%s%s", k ? "/" : "",
                     one);
        }
        json_t *sides = json_object_get(m, "sides");
        char b[5][32];
        printf("%-7lld %9s %9s %8s %-9s %7s %11s  %s\n",
               (long long)json_integer_value(json_object_get(m, "module")),
               cell(json_object_get(json_object_get(sides, "lived_experience"), "quality"), "%.2f", b[0], 32),
               cell(json_object_get(json_object_get(sides, "system"), "quality"), "%.2f", b[1], 32),
               cell(json_object_get(json_object_get(m, "gap"), "quality"), "%+.2f", b[2], 32), rungs,
               cell(json_object_get(m, "power_balance"), "%+.2f", b[3], 32),
               cell(json_object_get(m, "compromise_share_lived"), "%.2f", b[4], 32),
               json_is_true(json_object_get(m, "tokenism_signal")) ? "signal" : "-");
    }
    json_t *tr = json_object_get(p, "trajectory");
    printf("\ntrajectory: quality %+.3f per module (lived experience), %+.3f (system); the "
           "partners are %s\n",
           json_number_value(json_object_get(json_object_get(json_object_get(tr, "quality_slope"), "lived_experience"), "slope")),
           json_number_value(json_object_get(json_object_get(json_object_get(tr, "quality_slope"), "system"), "slope")),
           json_string_value(json_object_get(tr, "pattern")));
    json_decref(p);
    return CLI_OK;
}

static void print_effect(const char *label, json_t *x)
{
    printf("  %-34s %8.3f %8.3f  [%7.3f, %7.3f]\n", label,
           json_number_value(json_object_get(x, "estimate")),
           json_number_value(json_object_get(x, "se")),
           json_number_value(json_object_get(x, "lo95")),
           json_number_value(json_object_get(x, "hi95")));
}

static int determinants(struct cli *c, int argc, char **argv)
{
    struct det_options o = {.outcome = "quality", .bootstrap = 200, .seed = 1};
    const char *cohort = NULL, *predictors = "strain,resistance";
    long long bootstrap = o.bootstrap, seed = (long long)o.seed;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"outcome", CLI_STR, &o.outcome, 0, 0, "Y", "the outcome (default quality)", NULL},
        {"predictors", CLI_STR, &predictors, 0, 0, "a,b", "the predictors", NULL},
        {"cohort", CLI_STR, &cohort, 0, 0, "C", "only this cohort", NULL},
        {"bootstrap", CLI_LONG, &bootstrap, 0, 10000, "B", "bootstrap resamples (default 200)",
         NULL},
        {"seed", CLI_LONG, &seed, 0, 9007199254740991LL, "S", "the bootstrap's seed",
         "--seed '%s' is not a whole number"},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("analyse determinants", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    o.bootstrap = (int)bootstrap;
    o.seed = (uint64_t)seed;
    char list[512];
    snprintf(list, sizeof list, "%s", predictors);
    if (first != argc)
        return cli_usage_error("analyse determinants", "unexpected argument '%s'", argv[first]);
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (o.npredictors == DET_MAX_PREDICTORS)
            return cli_usage_error("analyse determinants", "at most %d predictors",
                                   DET_MAX_PREDICTORS);
        o.predictors[o.npredictors++] = t;
    }
    struct rel_data d;
    int rc = load(c, cohort, &d);
    if (rc)
        return rc;
    duet_err e;
    json_t *r = det_fit(&d, &o, &e);
    rel_free(&d);
    if (r == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, r);
    printf("actor-partner model of %s: %lld observations, %lld partnerships, %lld people\n\n",
           o.outcome, (long long)json_integer_value(json_object_get(r, "observations")),
           (long long)json_integer_value(json_object_get(r, "partnerships")),
           (long long)json_integer_value(json_object_get(r, "persons")));
    printf("  %-34s %8s %8s  %s\n", "effect", "estimate", "SE", "95% interval");
    const char *name;
    json_t *x;
    json_object_foreach(json_object_get(r, "effects"), name, x) {
        char label[96];
        json_t *a = json_object_get(x, "actor"), *p = json_object_get(x, "partner");
        snprintf(label, sizeof label, "%s: actor, lived experience", name);
        print_effect(label, json_object_get(a, "lived_experience"));
        snprintf(label, sizeof label, "%s: actor, system", name);
        print_effect(label, json_object_get(a, "system"));
        snprintf(label, sizeof label, "%s: partner -> lived experience", name);
        print_effect(label, json_object_get(p, "on_lived_experience"));
        snprintf(label, sizeof label, "%s: partner -> system", name);
        print_effect(label, json_object_get(p, "on_system"));
        json_t *k = json_object_get(x, "k");
        for (int s = 0; s < 2; s++) {
            json_t *ks = json_object_get(k, s ? "system" : "lived_experience");
            char b[3][32];
            printf("  k (%s, %s) = %s [%s, %s]: %s\n", name, s ? "system" : "lived experience",
                   cell(json_object_get(ks, "estimate"), "%.2f", b[0], 32),
                   cell(json_object_get(ks, "lo95"), "%.2f", b[1], 32),
                   cell(json_object_get(ks, "hi95"), "%.2f", b[2], 32),
                   json_string_value(json_object_get(ks, "reading")));
        }
        putchar('\n');
    }
    json_t *var = json_object_get(r, "variances");
    printf("variances: partnership %.4f, person %.4f, residual %.4f\n",
           json_number_value(json_object_get(var, "partnership")),
           json_number_value(json_object_get(var, "person")),
           json_number_value(json_object_get(var, "residual")));
    json_decref(r);
    return CLI_OK;
}

/* A number with a sign for a table, or "-". */
static const char *signed_cell(json_t *v, char *buf, size_t n)
{
    return cell(v, "%+.2f", buf, n);
}

static void print_norms(json_t *r)
{
    json_t *q = json_object_get(r, "qset");
    printf("Q-set %s (version %lld): %lld sorts, %zu partnerships\n\n",
           json_string_value(json_object_get(q, "name")),
           (long long)json_integer_value(json_object_get(q, "version")),
           (long long)json_integer_value(json_object_get(r, "sorts")),
           json_array_size(json_object_get(r, "partnerships")));
    printf("%-12s %-5s %7s %7s %7s %8s %8s %7s  %-15s %s\n", "partnership", "kind", "D0", "DM",
           "DM/D0", "x lived", "x system", "x-bar", "regime", "moved toward");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(r, "partnerships"), i, p) {
        char b[8][32];
        json_t *x = json_object_get(p, "x");
        json_t *regime = json_object_get(p, "regime");
        json_t *who = json_object_get(json_object_get(p, "movement"), "who_moved");
        printf("%-12s %-5s %7s %7s %7s %8s %8s %7s  %-15s %s\n",
               json_string_value(json_object_get(p, "partnership")),
               json_string_value(json_object_get(p, "kind")),
               cell(json_object_get(p, "d0"), "%.2f", b[0], 32),
               cell(json_object_get(p, "dm"), "%.2f", b[1], 32),
               cell(json_object_get(p, "dm_over_d0"), "%.2f", b[2], 32),
               signed_cell(json_object_get(x, "lived_experience"), b[3], 32),
               signed_cell(json_object_get(x, "system"), b[4], 32),
               signed_cell(json_object_get(p, "xbar"), b[5], 32),
               json_is_string(regime) ? json_string_value(regime) : "-",
               json_is_string(who) ? json_string_value(who) : "-");
    }
    printf("\nregimes:");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r, "regimes"), k, v)
        printf(" %s %lld", k, (long long)json_integer_value(v));
    printf("\n");
    json_t *vp = json_object_get(r, "viewpoints");
    if (!json_is_object(vp)) {
        printf("\nviewpoints: %s\n", json_string_value(json_object_get(r, "viewpoints_note")));
    } else {
        printf("\nviewpoints at module %lld: %lld sorts, %lld factors (principal components, "
               "varimax)\n", (long long)json_integer_value(json_object_get(vp, "module")),
               (long long)json_integer_value(json_object_get(vp, "sorts")),
               (long long)json_integer_value(json_object_get(vp, "factors_extracted")));
        printf("%-7s %10s %10s %8s %6s %7s  %s\n", "factor", "eigenvalue", "explained",
               "flagged", "lived", "system", "held mostly by");
        json_t *f;
        json_array_foreach(json_object_get(vp, "factors"), i, f) {
            char b[2][32];
            json_t *ex = json_object_get(f, "explained");
            json_t *pct = json_is_number(ex) ? json_real(100 * json_number_value(ex)) : NULL;
            printf("%-7lld %10s %9s%% %8lld %6lld %7lld  %s\n",
                   (long long)json_integer_value(json_object_get(f, "factor")),
                   cell(json_object_get(f, "eigenvalue"), "%.2f", b[0], 32),
                   cell(pct, "%.0f", b[1], 32),
                   (long long)json_integer_value(json_object_get(f, "flagged")),
                   (long long)json_integer_value(json_object_get(f, "flagged_lived_experience")),
                   (long long)json_integer_value(json_object_get(f, "flagged_system")),
                   json_string_value(json_object_get(f, "side")));
            json_decref(pct);
        }
        /* Statement texts by id, for the two lists below. */
        json_t *stmts = json_object_get(vp, "statements");
        json_t *shared = json_object_get(vp, "shared_norms");
        printf("\nshared norms (consensus statements, %zu):\n", json_array_size(shared));
        json_t *id;
        json_array_foreach(shared, i, id) {
            size_t j;
            json_t *st;
            json_array_foreach(stmts, j, st)
                if (strcmp(json_string_value(json_object_get(st, "id")),
                           json_string_value(id)) == 0) {
                    char arr[64] = "";
                    size_t a;
                    json_t *av;
                    json_array_foreach(json_object_get(st, "array"), a, av)
                        snprintf(arr + strlen(arr), sizeof arr - strlen(arr), "%s%+lld",
                                 a ? " " : "", (long long)json_integer_value(av));
                    printf("  %-5s [%s] %s\n", json_string_value(id), arr,
                           json_string_value(json_object_get(st, "text")));
                }
        }
        json_t *ss = json_object_get(vp, "side_specific");
        if (!json_is_object(ss)) {
            printf("\nside-specific norms: no factor is held mostly by each side\n");
        } else {
            json_t *list = json_object_get(ss, "statements");
            printf("\nside-specific norms (factor %lld, held mostly by the lived-experience side, "
                   "vs factor %lld, the system side; %zu statements 2+ columns apart):\n",
                   (long long)json_integer_value(json_object_get(ss, "lived_experience_factor")),
                   (long long)json_integer_value(json_object_get(ss, "system_factor")),
                   json_array_size(list));
            printf("  %-5s %5s %6s  %s\n", "id", "lived", "system", "statement");
            json_t *st;
            json_array_foreach(list, i, st)
                printf("  %-5s %+5lld %+6lld  %s\n", json_string_value(json_object_get(st, "id")),
                       (long long)json_integer_value(json_object_get(st, "lived_experience")),
                       (long long)json_integer_value(json_object_get(st, "system")),
                       json_string_value(json_object_get(st, "text")));
        }
    }
    printf("\npositions run from -1 (the system side's unspoken rules) to +1 (the lived-experience\n"
           "side's); D0 and DM are the partners' distance at the first and last module. The\n"
           "regime follows the identity model's rules. docs/norms.md explains every number.\n");
}

static int norms(struct cli *c, int argc, char **argv)
{
    struct norms_options o = {.purpose = "research"};
    long long module = 0, factors = 0;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &o.cohort, 0, 0, "C", "only this cohort", NULL},
        {"module", CLI_LONG, &module, 1, 10000, "N", "only this module",
         "--module '%s' is not a module number"},
        {"factors", CLI_LONG, &factors, 1, NORMS_MAX_FACTORS, "K", "the number of factors", NULL},
        {"qset", CLI_STR, &o.qset, 0, 0, "NAME", "only this Q-set", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("analyse norms", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    o.module = (int)module;
    o.factors = (int)factors;
    if (first != argc)
        return cli_usage_error("analyse norms", "unexpected argument '%s'", argv[first]);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct norms_data d;
    if (norms_load(st, &o, &d, &e) != 0)
        return cli_fail(&e);
    if (d.nsorts == 0) {
        norms_free(&d);
        return cli_failf("no sorts to analyse%s%s%s (only people whose research consent is in "
                         "force count)", o.cohort ? " in cohort '" : "", o.cohort ? o.cohort : "",
                         o.cohort ? "'" : "");
    }
    json_t *r = norms_report(&d, &o, &e);
    norms_free(&d);
    if (r == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, r);
    print_norms(r);
    json_decref(r);
    return CLI_OK;
}

int cmd_analyse(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"relationships", relationships,
         "relationships [--cohort C] [--json | --csv [--exact]] [--out FILE]\n"
         "  Scores every check-in and reads each partnership: each side's scores, the\n"
         "  perception gap, the rungs of the participation ladder, the tokenism signal,\n"
         "  resistance, the balance of power and compromise, the trajectory over modules;\n"
         "  and the cohort: distributions, partnerships ranked by concern, partner\n"
         "  nonindependence. Only people whose research consent is in force count.\n"
         "  Default: the ranking as a table; --json the whole analysis; --csv one row per\n"
         "  partnership and module, text cells that a spreadsheet would run as formulas\n"
         "  (starting with = + - @, tab or CR) with a ' in front unless --exact.\n"},
        {"partnership", partnership, "partnership CODE [--json]\n"
                                     "  One partnership module by module.\n"},
        {"determinants", determinants,
         "determinants [--outcome X] [--predictors a,b] [--cohort C] [--bootstrap B]\n"
         "             [--seed S] [--json]\n"
         "  The actor-partner interdependence model: the outcome (default quality) on each\n"
         "  member's own predictors (actor effects) and their partner's (partner effects),\n"
         "  per side, with side and module, random intercepts for partnership and person.\n"
         "  Default predictors: strain,resistance. k = partner / actor effect with a\n"
         "  bootstrap interval over partnerships (B resamples, default 200).\n"},
        {"norms", norms,
         "norms [--cohort C] [--module M] [--factors F] [--qset NAME] [--json]\n"
         "  Reads the Q-sorts of norm statements: each person's position on every norm\n"
         "  dimension (-1 the system side's unspoken rules, +1 the lived-experience\n"
         "  side's), the partners' distance at the first and last module (D0, DM),\n"
         "  where they meet (x-bar), the regime by the identity model's rules\n"
         "  (partnership, patient_native, system_native, polarised, stalled) and who\n"
         "  moved toward whom; and the cohort's viewpoints at module M (default the last\n"
         "  with sorts): a Q factor analysis (principal components, varimax, F factors,\n"
         "  default 3 or fewer with few sorts), which side's sorts define each factor,\n"
         "  the shared norms (consensus statements) and the side-specific ones. Only\n"
         "  people whose research consent is in force count. --json: everything, in full\n"
         "  precision.\n"},
        {"agreement", cmd_analyse_agreement,
         "agreement [--cohort C] [--coders a,b,...] [--json]\n"
         "  Agreement between coders on the codable documents: per code, Krippendorff's\n"
         "  alpha (nominal) and percent agreement over document segments (the stretches\n"
         "  between passage boundaries that some coder selected; docs/coding.md), and\n"
         "  over all codes pooled. Default coders: everyone who coded.\n"},
        {"codes", cmd_analyse_codes,
         "codes [--cohort C] [--coder KEY] [--json | --csv [--exact]]\n"
         "  How often each code was applied, counting documents, not passages: by the\n"
         "  author's side (Fisher's exact test, Benjamini-Hochberg q; side-specific when\n"
         "  q < 0.05), by module, and codes one coder put on overlapping passages\n"
         "  (co-occurrence). --coder: one coder's codings only (default: everyone's).\n"
         "  Default: tables; --json the whole report; --csv one row per code (formula-\n"
         "  like cells with a ' in front unless --exact, as for relationships).\n"},
    };
    return cli_dispatch(c, "analyse", "Analyses of the recorded check-ins, Q-sorts and coding.",
                        subs, sizeof subs / sizeof subs[0], argc, argv);
}
