/*
** cmd_stats.c — `duet stats SUBCOMMAND`: statistics over a CSV file.
**
**   stats lmm FILE.csv --y COL [--fixed COL,...] --group COL [--group COL]
**
** Reads only the columns it is told to use, refuses a non-numeric column
** with advice instead of coding it, drops (and counts) rows with a missing
** value in a used column, and prints the fit for people or as JSON. Never
** touches the database.
*/
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/strmap.h"
#include "io/table.h"
#include "stats/lmm.h"

#define LMM_CMD "stats lmm"
#define LMM_MAX_FIXED 256

static const char lmm_usage[] =
    "lmm FILE.csv --y COL [--fixed COL,COL,...] --group COL [--group COL] [--ml] [--json]\n"
    "  Fits a linear mixed model with an intercept, the fixed effects named by --fixed\n"
    "  (comma-separated, or --fixed repeated; none: intercept only) and a random\n"
    "  intercept for each --group (one, or two that are nested or crossed):\n"
    "    y = b0 + b1 x1 + ... + u[group1] + (u[group2]) + e\n"
    "  by REML, or by maximum likelihood with --ml (to compare fixed effects by AIC).\n"
    "  FILE.csv has a header line. --y and --fixed columns must be numbers; empty,\n"
    "  NA, na and . mean missing; code categories as numbers (e.g. 0/1) yourself.\n"
    "  --group columns may hold any text or numbers: each distinct value is a group,\n"
    "  numbered in order of first appearance. Rows with a missing value in any used\n"
    "  column are dropped and counted.\n"
    "  Prints the fixed effects (estimate, SE, t, Wald 95% CI), the variance\n"
    "  components, log-likelihood, AIC, BIC and convergence; --json prints one\n"
    "  document with every number at full precision.\n"
    "  Exit status: 0 fitted, 1 a problem with the data, 2 bad usage.\n";

/* The columns a model uses, each once. names[0] is y, then the fixed
** effects, then the groups; all are borrowed from argv or owned by buf. */
struct lmm_cols {
    const char *y;
    const char *fixed[LMM_MAX_FIXED];
    size_t nfixed;
    const char *group[2];
    int ngroups;
    char *bufs[LMM_MAX_FIXED];   /* owned copies of --fixed arguments */
    size_t nbufs;
};

static void cols_free(struct lmm_cols *m)
{
    for (size_t i = 0; i < m->nbufs; i++)
        free(m->bufs[i]);
}

/* Splits one --fixed argument into names (the copy is kept in m->bufs). */
static int add_fixed(struct lmm_cols *m, const char *arg)
{
    if (m->nbufs == LMM_MAX_FIXED)
        return cli_usage_error(LMM_CMD, "too many --fixed options");
    char *s = strdup(arg);
    if (s == NULL)
        return cli_failf("out of memory");
    m->bufs[m->nbufs++] = s;
    for (char *p = s;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p == '\0')
            return cli_usage_error(LMM_CMD, "--fixed '%s' has an empty column name", arg);
        if (m->nfixed == LMM_MAX_FIXED)
            return cli_usage_error(LMM_CMD, "more than %d fixed effects", LMM_MAX_FIXED);
        m->fixed[m->nfixed++] = p;
        if (comma == NULL)
            return CLI_OK;
        p = comma + 1;
    }
}

/* Each column may play one part once. */
static int check_distinct(const struct lmm_cols *m)
{
    const char *name[LMM_MAX_FIXED + 3], *role[LMM_MAX_FIXED + 3];
    size_t n = 0;
    name[n] = m->y;
    role[n++] = "--y";
    for (size_t i = 0; i < m->nfixed; i++) {
        name[n] = m->fixed[i];
        role[n++] = "--fixed";
    }
    for (int k = 0; k < m->ngroups; k++) {
        name[n] = m->group[k];
        role[n++] = "--group";
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(name[i], name[j]) == 0)
                return strcmp(role[i], role[j]) == 0
                           ? cli_usage_error(LMM_CMD, "column '%s' is named twice in %s",
                                             name[i], role[i])
                           : cli_usage_error(LMM_CMD, "column '%s' is used twice (in %s and "
                                             "in %s); each column can play one part",
                                             name[i], role[j], role[i]);
    return CLI_OK;
}

static int parse_args(int argc, char **argv, struct lmm_cols *m, const char **path, int *ml,
                      int *json)
{
    static const struct option opts[] = {{"y", required_argument, NULL, 'y'},
                                         {"fixed", required_argument, NULL, 'f'},
                                         {"group", required_argument, NULL, 'g'},
                                         {"ml", no_argument, NULL, 'm'},
                                         {"json", no_argument, NULL, 'j'}, {0}};
    int ch, rc;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, opts, LMM_CMD)) != -1) {
        switch (ch) {
        case 'y':
            if (m->y)
                return cli_usage_error(LMM_CMD, "--y given twice; a model has one response");
            if (*optarg == '\0')
                return cli_usage_error(LMM_CMD, "--y needs a column name");
            m->y = optarg;
            break;
        case 'f':
            if ((rc = add_fixed(m, optarg)) != CLI_OK)
                return rc;
            break;
        case 'g':
            if (m->ngroups == 2)
                return cli_usage_error(LMM_CMD, "at most two --group factors");
            if (*optarg == '\0')
                return cli_usage_error(LMM_CMD, "--group needs a column name");
            m->group[m->ngroups++] = optarg;
            break;
        case 'm': *ml = 1; break;
        case 'j': *json = 1; break;
        default: return CLI_EUSAGE;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(LMM_CMD, optind >= argc ? "give the CSV file to read"
                                                       : "give exactly one CSV file");
    *path = argv[optind];
    if (m->y == NULL)
        return cli_usage_error(LMM_CMD, "--y is required: the column to model");
    if (m->ngroups == 0)
        return cli_usage_error(LMM_CMD, "--group is required: the column whose groups get a "
                               "random intercept (e.g. the partnership)");
    return check_distinct(m);
}

/* The model's arrays, built from the table's complete rows. */
struct lmm_rows {
    size_t n, dropped, first_dropped_line;
    double *y, *x;
    uint32_t *g[2];
    size_t q[2];
    const char *first_level[2];
};

static void rows_free(struct lmm_rows *r)
{
    free(r->y);
    free(r->x);
    free(r->g[0]);
    free(r->g[1]);
}

static int build_rows(const struct table *t, const size_t *col, size_t p,
                      const struct lmm_cols *m, const size_t *gcol, struct lmm_rows *r)
{
    size_t nr = t->nrows;
    if (nr > SIZE_MAX / sizeof(double) / (p ? p : 1))
        return cli_failf("%s: too many rows", t->name);
    r->y = malloc((nr ? nr : 1) * sizeof *r->y);
    r->x = malloc((nr ? nr : 1) * p * sizeof *r->x);
    for (int k = 0; k < m->ngroups; k++)
        r->g[k] = malloc((nr ? nr : 1) * sizeof *r->g[k]);
    if (r->y == NULL || r->x == NULL || r->g[0] == NULL || (m->ngroups == 2 && r->g[1] == NULL))
        return cli_failf("out of memory for %zu rows", nr);
    strmap levels[2];
    strmap_init(&levels[0]);
    strmap_init(&levels[1]);
    int rc = CLI_OK;
    for (size_t i = 0; i < nr && rc == CLI_OK; i++) {
        int complete = !isnan(table_num(t, col[0], i));
        for (size_t j = 1; j < p && complete; j++)
            complete = !isnan(table_num(t, col[j], i));
        for (int k = 0; k < m->ngroups && complete; k++)
            complete = table_str(t, gcol[k], i) != NULL;
        if (!complete) {
            if (r->dropped++ == 0)
                r->first_dropped_line = table_line(t, i);
            continue;
        }
        size_t n = r->n;
        r->y[n] = table_num(t, col[0], i);
        r->x[n * p] = 1.0;   /* the intercept */
        for (size_t j = 1; j < p; j++)
            r->x[n * p + j] = table_num(t, col[j], i);
        for (int k = 0; k < m->ngroups; k++) {
            const char *s = table_str(t, gcol[k], i);
            size_t len = strlen(s), lv;
            if (!strmap_get(&levels[k], s, len, &lv)) {
                lv = r->q[k];
                if (lv == UINT32_MAX || strmap_put(&levels[k], s, len, lv) != 0) {
                    rc = cli_failf("out of memory for the levels of column '%s'", m->group[k]);
                    break;
                }
                if (lv == 0)
                    r->first_level[k] = s;
                r->q[k]++;
            }
            r->g[k][n] = (uint32_t)lv;
        }
        r->n++;
    }
    strmap_free(&levels[0]);
    strmap_free(&levels[1]);
    return rc;
}

/* Refusals with column names, before the fit would give them by number. */
static int check_rows(const struct table *t, const struct lmm_cols *m, size_t p,
                      const struct lmm_rows *r)
{
    if (r->n == 0)
        return cli_failf("%s: no rows to fit: %s", t->name,
                         t->nrows == 0 ? "the file has a header but no data"
                                       : "every row has a missing value in a used column");
    if (r->n <= p)
        return cli_failf("%s: %zu complete rows are too few for %zu fixed effects (with the "
                         "intercept); the model needs more rows than fixed effects",
                         t->name, r->n, p);
    for (int k = 0; k < m->ngroups; k++) {
        if (r->q[k] < 2)
            return cli_failf("%s: column '%s' has a single group ('%s') in the %zu rows used; a "
                             "random intercept needs at least two groups", t->name,
                             m->group[k], r->first_level[k], r->n);
        if (r->q[k] >= r->n)
            return cli_failf("%s: column '%s' has a different value in every one of the %zu "
                             "rows used; a random intercept needs groups with repeated rows",
                             t->name, m->group[k], r->n);
    }
    return CLI_OK;
}

/* A finite number as JSON; null for NaN or infinity (which JSON lacks). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *report(const char *path, const struct lmm_cols *m, const char *const *xnames,
                      const struct table *t, const struct lmm_rows *r, const struct lmm_fit *f)
{
    json_t *fixed = json_array(), *random = json_array();
    for (size_t j = 0; j < f->p; j++)
        json_array_append_new(fixed, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}",
                                               "term", xnames[j], "estimate", num(f->beta[j]),
                                               "se", num(f->se[j]), "t", num(f->t[j]),
                                               "ci_lower", num(f->ci_lo[j]),
                                               "ci_upper", num(f->ci_hi[j])));
    for (int k = 0; k < f->nfactors; k++)
        json_array_append_new(random, json_pack("{s:s, s:I, s:o, s:o}", "group", m->group[k],
                                                "levels", (json_int_t)f->q[k],
                                                "variance", num(f->tau2[k]),
                                                "sd", num(sqrt(f->tau2[k]))));
    json_array_append_new(random, json_pack("{s:s, s:o, s:o}", "group", "residual",
                                            "variance", num(f->sigma2),
                                            "sd", num(sqrt(f->sigma2))));
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                     " s:b, s:i, s:b}",
                     "model", "lmm",
                     "file", path,
                     "method", f->reml ? "REML" : "ML",
                     "response", m->y,
                     "n_observations", (json_int_t)f->n,
                     "rows_read", (json_int_t)t->nrows,
                     "rows_dropped", (json_int_t)r->dropped,
                     "structure", json_string(f->nfactors == 1 ? "single"
                                              : f->nested     ? "nested" : "crossed"),
                     "fixed_effects", fixed,
                     "random_effects", random,
                     "log_likelihood", num(f->loglik),
                     "deviance", num(f->deviance),
                     "aic", num(f->aic),
                     "bic", num(f->bic),
                     "converged", f->converged,
                     "iterations", f->iterations,
                     "singular", f->singular);
}

static void print_fit(json_t *doc, const struct lmm_cols *m, const struct lmm_fit *f)
{
    static const char *const fcols[] = {"term", "estimate", "se", "t", "ci_lower", "ci_upper"};
    static const char *const rcols[] = {"group", "levels", "variance", "sd"};
    const char *method = f->reml ? "REML" : "ML";
    printf("Linear mixed model fit by %s\n", f->reml ? "REML" : "maximum likelihood (ML)");
    printf("  model: %s ~ 1", m->y);
    for (size_t i = 0; i < m->nfixed; i++)
        printf(" + %s", m->fixed[i]);
    for (int k = 0; k < m->ngroups; k++)
        printf(" + (1 | %s)", m->group[k]);
    printf("\n  data: %s: %lld observations",
           json_string_value(json_object_get(doc, "file")),
           (long long)json_integer_value(json_object_get(doc, "n_observations")));
    long long dropped = (long long)json_integer_value(json_object_get(doc, "rows_dropped"));
    if (dropped > 0)
        printf(" (dropped %lld row%s with missing values)", dropped, dropped == 1 ? "" : "s");
    printf("\n  groups:");
    for (int k = 0; k < f->nfactors; k++)
        printf("%s %s %zu", k ? "," : "", m->group[k], f->q[k]);
    if (f->nfactors == 2)
        printf(" (%s)", f->nested ? "nested" : "crossed");
    printf("\n\nFixed effects (Wald 95%% intervals):\n");
    cli_print_table(stdout, json_object_get(doc, "fixed_effects"), fcols, 6);
    printf("\nRandom effects:\n");
    cli_print_table(stdout, json_object_get(doc, "random_effects"), rcols, 4);
    printf("\nlog-likelihood (%s): %.6g   AIC: %.6g   BIC: %.6g\n", method, f->loglik, f->aic,
           f->bic);
    printf("converged: %s (%d evaluations)%s\n", f->converged ? "yes" : "NO", f->iterations,
           f->singular ? "; singular: a variance component is zero" : "");
}

static int stats_lmm(struct cli *c, int argc, char **argv)
{
    (void)c;
    struct lmm_cols m = {0};
    const char *path = NULL;
    int ml = 0, json = 0;
    int rc = parse_args(argc, argv, &m, &path, &ml, &json);
    if (rc != CLI_OK) {
        cols_free(&m);
        return rc;
    }
    /* Load y and the fixed effects as numbers, the groups as text. */
    size_t p = 1 + m.nfixed;
    const char *numeric[LMM_MAX_FIXED + 1];
    numeric[0] = m.y;
    for (size_t i = 0; i < m.nfixed; i++)
        numeric[1 + i] = m.fixed[i];
    struct table_opts o = {.columns = numeric, .ncolumns = p, .text = m.group,
                           .ntext = (size_t)m.ngroups};
    struct table t;
    struct lmm_rows r = {0};
    struct lmm_fit fit = {0};
    int fitted = 0;
    json_t *doc = NULL;
    duet_err e;
    size_t col[LMM_MAX_FIXED + 1], gcol[2];
    if (table_read(&t, path, &o, &e) != 0) {
        rc = e.code == DUET_ENOTFOUND ? cli_usage_error(LMM_CMD, "%s", e.msg) : cli_fail(&e);
        goto done;
    }
    for (size_t j = 0; j < p; j++) {
        if (table_col(&t, numeric[j], &col[j], &e) != 0 || table_numeric(&t, col[j], &e) != 0) {
            rc = cli_fail(&e);
            goto done;
        }
    }
    for (int k = 0; k < m.ngroups; k++) {
        if (table_col(&t, m.group[k], &gcol[k], &e) != 0) {
            rc = cli_fail(&e);
            goto done;
        }
    }
    if ((rc = build_rows(&t, col, p, &m, gcol, &r)) != CLI_OK ||
        (rc = check_rows(&t, &m, p, &r)) != CLI_OK)
        goto done;
    if (r.dropped > 0)
        fprintf(stderr, "duet: dropped %zu row%s with missing values (the first at line %zu)\n",
                r.dropped, r.dropped == 1 ? "" : "s", r.first_dropped_line);
    const char *xnames[LMM_MAX_FIXED + 1];
    xnames[0] = "(Intercept)";
    for (size_t i = 0; i < m.nfixed; i++)
        xnames[1 + i] = m.fixed[i];
    struct lmm_data d = {.n = r.n, .p = p, .y = r.y, .x = r.x, .nfactors = m.ngroups,
                         .g = {r.g[0], r.g[1]}, .q = {r.q[0], r.q[1]}, .xnames = xnames};
    if (lmm_fit(&d, !ml, &fit, &e) != 0) {
        duet_err_prefix(&e, "%s", path);
        rc = cli_fail(&e);
        goto done;
    }
    fitted = 1;
    if (!fit.converged)
        fprintf(stderr, "duet: warning: the fit did not converge; do not rely on these "
                        "estimates\n");
    if (fit.singular)
        fprintf(stderr, "duet: warning: the fit is singular (a variance component is zero); "
                        "the model may have more random effects than the data support\n");
    doc = report(path, &m, xnames, &t, &r, &fit);
    if (doc == NULL) {
        rc = cli_failf("out of memory");
        goto done;
    }
    if (json) {
        rc = cli_print_json(stdout, doc);
        doc = NULL;
    } else {
        print_fit(doc, &m, &fit);
        rc = CLI_OK;
    }
done:
    json_decref(doc);
    if (fitted)
        lmm_fit_free(&fit);
    rows_free(&r);
    table_free(&t);
    cols_free(&m);
    return rc;
}

static const struct cli_sub subs[] = {
    {"lmm", stats_lmm, lmm_usage},
};

int cmd_stats(struct cli *c, int argc, char **argv)
{
    return cli_dispatch(c, "stats", "Statistics over a CSV file (no database needed).", subs,
                        sizeof subs / sizeof subs[0], argc, argv);
}
