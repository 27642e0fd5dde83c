/*
** cmd_stats.c — `duet stats SUBCOMMAND`: statistics over a CSV file.
**
**   stats lmm FILE.csv --y COL [--fixed COL,...] --group COL [--group COL]
**   stats qfactor FILE.csv --factors F [--extract pca|centroid] [--rotate varimax|none]
**   stats alpha FILE.csv [--level L] [--bootstrap B] [--seed S]
**   stats kappa FILE.csv
**
** lmm reads only the columns it is told to use, refuses a non-numeric column
** with advice instead of coding it, drops (and counts) rows with a missing
** value in a used column, and prints the fit for people or as JSON. qfactor
** reads a statements × sorts file with io/qsortcsv.h, which refuses any cell
** that is not a whole grid number, naming file, line and column. alpha and
** kappa read a units × coders file with io/codetable.h (empty cell =
** missing; numbers, or text labels where the statistic is nominal). None
** touches the database.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/strmap.h"
#include "io/codetable.h"
#include "io/qsortcsv.h"
#include "io/table.h"
#include "stats/agreement.h"
#include "stats/lmm.h"
#include "stats/qfactor.h"

#define STR_(x) #x
#define STR(x) STR_(x)
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
    const char *ys[2], *fixed[LMM_MAX_FIXED + 1], *groups[3];
    struct cli_strs y = {ys, 0, 2}, fx = {fixed, 0, LMM_MAX_FIXED + 1}, grp = {groups, 0, 3};
    int first, rc;
    const struct cli_opt opts[] = {
        {"y", CLI_LIST, &y, 0, 0, "COLUMN", "the response", NULL},
        {"fixed", CLI_LIST, &fx, 0, 0, "A,B", "fixed effects", NULL},
        {"group", CLI_LIST, &grp, 0, 0, "COLUMN", "random-intercept groups (at most two)", NULL},
        {"ml", CLI_FLAG, ml, 0, 0, NULL, "maximum likelihood instead of REML", NULL},
        {"json", CLI_FLAG, json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    if ((rc = cli_parse_opts(LMM_CMD, "", opts, argc, argv, &first)) >= 0)
        return rc == CLI_OK ? CLI_EUSAGE : rc; /* its --help is cli_dispatch's */
    if (y.n > 1)
        return cli_usage_error(LMM_CMD, "--y given twice; a model has one response");
    if (y.n == 1 && *ys[0] == '\0')
        return cli_usage_error(LMM_CMD, "--y needs a column name");
    if (y.n == 1)
        m->y = ys[0];
    for (size_t i = 0; i < fx.n; i++)
        if ((rc = add_fixed(m, fixed[i])) != CLI_OK)
            return rc;
    for (size_t i = 0; i < grp.n; i++) {
        if (m->ngroups == 2)
            return cli_usage_error(LMM_CMD, "at most two --group factors");
        if (*groups[i] == '\0')
            return cli_usage_error(LMM_CMD, "--group needs a column name");
        m->group[m->ngroups++] = groups[i];
    }
    if (first != argc - 1)
        return cli_usage_error(LMM_CMD, first >= argc ? "give the CSV file to read"
                                                       : "give exactly one CSV file");
    *path = argv[first];
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

/* ---- stats qfactor ---- */

#define QF_CMD "stats qfactor"

/* The reader refuses what the analysis could not take. */
_Static_assert(QSORTCSV_MAX_SORTS == QF_MAX_SORTS && QSORTCSV_MAX_STATEMENTS == QF_MAX_STATEMENTS,
               "io/qsortcsv.h's caps must be stats/qfactor.h's");

static const char qfactor_usage[] =
    "qfactor FILE.csv --factors F [--extract pca|centroid] [--rotate varimax|none]\n"
    "        [--correlations] [--json]\n"
    "  Q-methodology factor analysis of the sorts in FILE.csv: person correlations,\n"
    "  F factors extracted by principal components (default; as R's psych::principal)\n"
    "  or Brown's centroid method (as R's qmethod), rotated by varimax with Kaiser\n"
    "  normalisation (default) or not, then ordered by the variance they explain.\n"
    "  Sorts are flagged automatically (|loading| > 1.96/sqrt(N) and its square larger\n"
    "  than the sort's other squared loadings together) and weighted w = a/(1 - a^2);\n"
    "  each factor gets statement z-scores, a factor array on the grid, composite\n"
    "  reliability and the SE of its z-scores; statements that distinguish a pair of\n"
    "  factors (p < .05, p < .01) and consensus statements are listed.\n"
    "  FILE.csv: a header line 'statement,SORT,SORT,...' (the first column's name is\n"
    "  free), then one row per statement: its id, then its place in each sort as a\n"
    "  whole number of the grid (e.g. -4 .. +4). Every sort must fill the same grid\n"
    "  as the first (the same number of statements in each column).\n"
    "  --factors F      factors to extract, 1 to 8 (fewer than sorts and statements)\n"
    "  --extract M      pca (default) or centroid\n"
    "  --rotate R       varimax (default) or none\n"
    "  --correlations   also print the sort x sort correlations (--json only)\n"
    "  --json           one document with every number at full precision\n"
    "  Prints the factors (eigenvalue, explained variance, flagged sorts,\n"
    "  reliability, SE), the loadings with flagged sorts marked *, the factor arrays\n"
    "  with z-scores, and the distinguishing and consensus statements.\n"
    "  Exit status: 0 analysed, 1 a problem with the data, 2 bad usage.\n";

static json_t *num_array(const double *v, size_t n, size_t stride)
{
    json_t *a = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(a, num(v[k * stride]));
    return a;
}

static json_t *qf_report(const char *path, const struct qsortcsv *q, const struct qf_options *o,
                         const struct qf_result *r, int correlations)
{
    size_t F = r->nfactors, n = r->nsorts, N = r->nstatements;
    json_t *grid = json_array(), *load = json_array(), *stmts = json_array(),
           *dist = json_array(), *cons = json_array(), *nfl = json_array();
    for (size_t c = 0; c < r->grid_cols; c++)
        json_array_append_new(grid, json_pack("{s:i, s:i}", "value", r->grid_value[c], "count",
                                              r->grid_count[c]));
    for (size_t k = 0; k < F; k++)
        json_array_append_new(nfl, json_integer((json_int_t)r->nflagged[k]));
    for (size_t j = 0; j < n; j++) {
        json_t *fl = json_array(), *def = json_null();
        for (size_t k = 0; k < F; k++) {
            json_array_append_new(fl, json_boolean(r->flagged[j * F + k]));
            if (r->flagged[j * F + k]) {
                json_decref(def);
                def = json_integer((json_int_t)k + 1);
            }
        }
        json_array_append_new(load, json_pack("{s:s, s:o, s:o, s:o, s:o}", "sort", q->sort[j],
                                              "loadings", num_array(r->loadings + j * F, F, 1),
                                              "flagged", fl, "defines", def,
                                              "weights", num_array(r->weights + j * F, F, 1)));
    }
    for (size_t i = 0; i < N; i++) {
        json_t *arr = json_array();
        for (size_t k = 0; k < F; k++)
            json_array_append_new(arr, r->array[i * F + k] == QF_NO_VALUE
                                           ? json_null()
                                           : json_integer(r->array[i * F + k]));
        json_array_append_new(stmts, json_pack("{s:s, s:o, s:o, s:b}", "statement", q->stmt[i],
                                               "z_scores", num_array(r->zscores + i * F, F, 1),
                                               "factor_array", arr, "consensus",
                                               r->consensus[i]));
        for (size_t a = 0; a < F; a++)
            for (size_t b = a + 1; b < F; b++) {
                int lv = r->distinguishing[(i * F + a) * F + b];
                if (lv == 0)
                    continue;
                json_array_append_new(
                    dist, json_pack("{s:s, s:[I, I], s:o, s:f}", "statement", q->stmt[i],
                                    "factors", (json_int_t)a + 1, (json_int_t)b + 1,
                                    "difference", num(r->zscores[i * F + a] - r->zscores[i * F + b]),
                                    "p_below", lv == 2 ? 0.01 : 0.05));
            }
        if (r->consensus[i])
            json_array_append_new(cons, json_string(q->stmt[i]));
    }
    json_t *doc = json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:o, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
        " s:o}",
        "model", "qfactor", "file", path, "n_statements", (json_int_t)N, "n_sorts",
        (json_int_t)n, "n_factors", (json_int_t)F, "extraction",
        o->extract == QF_PCA ? "pca" : "centroid", "rotation",
        o->rotate == QF_VARIMAX ? "varimax" : "none", "grid", grid, "flag_threshold",
        r->flag_threshold, "eigenvalues", num_array(r->eigenvalues, F, 1), "explained_variance",
        num_array(r->explained, F, 1), "n_flagged", nfl, "reliability",
        num_array(r->reliability, F, 1), "se", num_array(r->se, F, 1), "loadings", load,
        "statements", stmts, "distinguishing", dist, "consensus", cons);
    if (doc && o->rotate == QF_VARIMAX)
        json_object_set_new(doc, "varimax_iterations", json_integer(r->iterations));
    if (doc && correlations && r->corr) {
        json_t *names = json_array(), *rows = json_array();
        for (size_t j = 0; j < n; j++) {
            json_array_append_new(names, json_string(q->sort[j]));
            json_array_append_new(rows, num_array(r->corr + j * n, n, 1));
        }
        json_object_set_new(doc, "correlations", json_pack("{s:o, s:o}", "sorts", names,
                                                           "r", rows));
    }
    return doc;
}

static int width_of(char *const *s, size_t n, int least, int most)
{
    int w = least;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(s[i]);
        w = l > w ? l : w;
    }
    return w > most ? most : w;
}

/* v, with values that print as zero at `places` decimals made +0 (no "-0.0000"). */
static double tidy(double v, int places)
{
    return fabs(v) < 0.5 * pow(10.0, -places) ? 0.0 : v;
}

static void print_grid_value(int v)
{
    printf(v > 0 ? "+%d" : "%d", v);
}

static void qf_print(const char *path, const struct qsortcsv *q, const struct qf_options *o,
                     const struct qf_result *r)
{
    size_t F = r->nfactors, n = r->nsorts, N = r->nstatements;
    printf("Q-methodology factor analysis: %s, %s\n",
           o->extract == QF_PCA ? "principal components" : "centroid (Brown)",
           o->rotate == QF_NONE || F == 1 ? "no rotation" : "varimax rotation");
    printf("  data: %s: %zu statements x %zu sorts\n  grid:", path, N, n);
    for (size_t c = 0; c < r->grid_cols; c++) {
        printf(" ");
        print_grid_value(r->grid_value[c]);
        printf(" (%d)", r->grid_count[c]);
    }
    printf("\n  flagged (*): |loading| > %.4f (1.96/sqrt(%zu)) and its square larger than the "
           "sort's other squared loadings\n\n", r->flag_threshold, N);

    printf("Factors (numbered by the variance they explain%s):\n"
           "factor  SS loadings  explained  flagged  reliability      se\n",
           o->rotate == QF_VARIMAX && F > 1 ? " after rotation" : "");
    for (size_t k = 0; k < F; k++) {
        printf("f%-5zu  %11.4f  %8.1f%%  %7zu  %11.4f", k + 1,
               r->explained[k] * (double)n, 100.0 * r->explained[k], r->nflagged[k],
               r->reliability[k]);
        if (isnan(r->se[k]))
            printf("       -\n");
        else
            printf("  %6.4f\n", r->se[k]);
    }
    printf("%s:", o->extract == QF_PCA ? "Largest eigenvalues of the correlations"
                                      : "Sums of squares of the centroid factors as extracted");
    for (size_t k = 0; k < F; k++)
        printf(" %.4f", r->eigenvalues[k]);
    printf("\n\n");

    int sw = width_of(q->sort, n, 4, 24);
    printf("Loadings:\n%-*s", sw, "sort");
    for (size_t k = 0; k < F; k++) {
        char h[16];
        snprintf(h, sizeof h, "f%zu", k + 1);
        printf("  %8s ", h);
    }
    printf("\n");
    for (size_t j = 0; j < n; j++) {
        printf("%-*.*s", sw, sw, q->sort[j]);
        for (size_t k = 0; k < F; k++)
            printf("  %8.4f%c", tidy(r->loadings[j * F + k], 4),
                   r->flagged[j * F + k] ? '*' : ' ');
        printf("\n");
    }

    int tw = width_of(q->stmt, N, 9, 24);
    printf("\nFactor arrays (z-scores):\n%-*s", tw, "statement");
    for (size_t k = 0; k < F; k++) {
        char h[16];
        snprintf(h, sizeof h, "f%zu", k + 1);
        printf("  %4s %-8s", h, "(z)");
    }
    printf("\n");
    for (size_t i = 0; i < N; i++) {
        printf("%-*.*s", tw, tw, q->stmt[i]);
        for (size_t k = 0; k < F; k++) {
            int v = r->array[i * F + k];
            if (v == QF_NO_VALUE) {
                printf("  %4s %8s", "-", "");
                continue;
            }
            char b[16];
            snprintf(b, sizeof b, v > 0 ? "+%d" : "%d", v);
            printf("  %4s (%6.3f)", b, tidy(r->zscores[i * F + k], 3));
        }
        printf("\n");
    }

    printf("\nDistinguishing statements (* p < .05, ** p < .01):\n");
    int any = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t a = 0; a < F; a++)
            for (size_t b = a + 1; b < F; b++) {
                int lv = r->distinguishing[(i * F + a) * F + b];
                if (lv == 0)
                    continue;
                if (!any)
                    printf("%-*s  %-7s  %12s\n", tw, "statement", "factors", "z difference");
                any = 1;
                char pair[32];
                snprintf(pair, sizeof pair, "f%zu-f%zu", a + 1, b + 1);
                printf("%-*.*s  %-7s  %12.3f %s\n", tw, tw, q->stmt[i], pair,
                       r->zscores[i * F + a] - r->zscores[i * F + b], lv == 2 ? "**" : "*");
            }
    if (!any)
        printf("(none)\n");
    printf("\nConsensus statements (distinguish no pair of factors at p < .05):\n");
    any = 0;
    for (size_t i = 0; i < N; i++)
        if (r->consensus[i]) {
            printf("%s%s", any ? ", " : "", q->stmt[i]);
            any = 1;
        }
    printf("%s\n", any ? "" : "(none)");
}

static int stats_qfactor(struct cli *c, int argc, char **argv)
{
    (void)c;
    struct qf_options o = {.factors = 0, .extract = QF_PCA, .rotate = QF_VARIMAX,
                           .skip_correlations = 1};
    int json = 0, correlations = 0, extract = 0, rotate = 0, first;
    long long factors = 0;
    const struct cli_opt opts[] = {
        {"factors", CLI_LONG, &factors, 1, QF_MAX_FACTORS, "K", "how many factors to extract",
         "--factors '%s': give a whole number from 1 to " STR(QF_MAX_FACTORS)},
        {"extract", CLI_CHOICE, &extract, 0, 0, "pca|centroid", "the extraction (default pca)",
         NULL},
        {"rotate", CLI_CHOICE, &rotate, 0, 0, "varimax|none", "the rotation (default varimax)",
         NULL},
        {"correlations", CLI_FLAG, &correlations, 0, 0, NULL, "with --json: the correlations",
         NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts(QF_CMD, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    o.factors = (int)factors;
    o.extract = extract == 0 ? QF_PCA : QF_CENTROID;
    o.rotate = rotate == 0 ? QF_VARIMAX : QF_NONE;
    if (first != argc - 1)
        return cli_usage_error(QF_CMD, first >= argc ? "give the CSV file of sorts to read"
                                                      : "give exactly one CSV file");
    if (o.factors == 0)
        return cli_usage_error(QF_CMD, "--factors is required: how many factors to extract "
                               "(1 to %d)", QF_MAX_FACTORS);
    if (correlations && !json)
        return cli_usage_error(QF_CMD, "--correlations goes with --json");
    const char *path = argv[first];
    o.skip_correlations = !correlations;
    struct qsortcsv q;
    struct qf_result r = {0};
    duet_err e;
    if (qsortcsv_read(&q, path, &e) != 0)
        return cli_fail(&e);
    o.names = (const char *const *)q.sort;
    int rc;
    if (qf_analyse(q.x, q.N, q.n, NULL, &o, &r, &e) != 0) {
        duet_err_prefix(&e, "%s", path);
        rc = cli_fail(&e);
        goto done;
    }
    if (o.rotate == QF_VARIMAX && r.iterations >= 1000)
        fprintf(stderr, "duet: warning: varimax stopped after 1000 iterations without "
                        "converging\n");
    for (size_t k = 0; k < r.nfactors; k++)
        if (r.nflagged[k] == 0)
            fprintf(stderr, "duet: warning: no sort is flagged for factor %zu, so it has no "
                            "z-scores or factor array; try fewer factors\n", k + 1);
    if (json) {
        json_t *doc = qf_report(path, &q, &o, &r, correlations);
        rc = doc ? cli_print_json(stdout, doc) : cli_failf("out of memory");
    } else {
        qf_print(path, &q, &o, &r);
        rc = CLI_OK;
    }
done:
    qf_free(&r);
    qsortcsv_free(&q);
    return rc;
}

/* ---- stats alpha and stats kappa ---- */

#define AL_CMD "stats alpha"
#define KA_CMD "stats kappa"

static const char alpha_usage[] =
    "alpha FILE.csv [--level nominal|ordinal|interval|ratio] [--bootstrap B] [--seed S]\n"
    "      [--json]\n"
    "  Krippendorff's alpha: agreement between any number of coders, missing values\n"
    "  allowed (units with fewer than two values are left out), at the given level\n"
    "  of measurement (default nominal; ordinal ranks by how often values occur, as\n"
    "  Krippendorff 2011). 1 is perfect agreement, 0 chance, below 0 systematic\n"
    "  disagreement; Krippendorff: >= .800 reliable, .667 to .800 tentative only.\n"
    "  FILE.csv: a header line 'unit,CODER,CODER,...' (the first column's name is\n"
    "  free), then one row per unit: its id, then each coder's value, an empty cell\n"
    "  where a coder gave none. Values are numbers; for nominal data they may be\n"
    "  text labels (then every cell is a label, compared as written).\n"
    "  --level L        nominal (default), ordinal, interval or ratio (values >= 0)\n"
    "  --bootstrap B    also a 95% interval from B replicates (1 to 100000) that\n"
    "                   resample units with replacement (percentile method)\n"
    "  --seed S         the bootstrap's seed (default 1)\n"
    "  --json           one document with every number at full precision\n"
    "  Exit status: 0 computed, 1 a problem with the data, 2 bad usage.\n";

static const char kappa_usage[] =
    "kappa FILE.csv [--json]\n"
    "  Cohen's kappa when FILE.csv has two coder columns (over the units both\n"
    "  coded), Fleiss' kappa when it has more (every unit must have the same\n"
    "  number of ratings; empty cells are allowed only if that holds). Prints the\n"
    "  observed agreement p_o (Fleiss: P-bar), chance agreement p_e (P_e) and\n"
    "  kappa = (p_o - p_e) / (1 - p_e). Categories are the distinct values: numbers\n"
    "  or text labels (if any cell is not a number, every cell is a label).\n"
    "  FILE.csv: as for 'duet stats alpha': 'unit,CODER,CODER,...', one row per unit.\n"
    "  --json           one document with every number at full precision\n"
    "  Exit status: 0 computed, 1 a problem with the data, 2 bad usage.\n";

static const char *alpha_reading(double alpha)
{
    return alpha >= 0.800 ? "reliable (alpha >= .800)"
           : alpha >= 0.667 ? "tentative conclusions only (.667 <= alpha < .800)"
                            : "not reliable (alpha < .667)";
}

static int stats_alpha(struct cli *c, int argc, char **argv)
{
    (void)c;
    static const enum agree_level levels[] = {AGREE_NOMINAL, AGREE_ORDINAL, AGREE_INTERVAL,
                                              AGREE_RATIO};
    long long boot = 0, seed = -1;
    int json = 0, li = 0, first;
    const struct cli_opt opts[] = {
        {"level", CLI_CHOICE, &li, 0, 0, "nominal|ordinal|interval|ratio",
         "the level of measurement (default nominal)", NULL},
        {"bootstrap", CLI_LONG, &boot, 1, AGREE_MAX_BOOTSTRAP, "B", "bootstrap replicates",
         "--bootstrap '%s': give a whole number of replicates from 1 to "
         STR(AGREE_MAX_BOOTSTRAP)},
        {"seed", CLI_LONG, &seed, 0, (long long)1 << 53, "S", "the bootstrap's seed (default 1)",
         "--seed '%s': give a whole number from 0 to 2^53"},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts(AL_CMD, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    enum agree_level level = levels[li];
    int have_seed = seed >= 0;
    if (!have_seed)
        seed = 1;
    if (first != argc - 1)
        return cli_usage_error(AL_CMD, first >= argc ? "give the CSV file of codings to read"
                                                      : "give exactly one CSV file");
    if (have_seed && boot == 0)
        return cli_usage_error(AL_CMD, "--seed goes with --bootstrap");
    const char *path = argv[first];
    struct codetable a;
    duet_err e;
    if (codetable_read(&a, path, &e) != 0)
        return cli_fail(&e);
    int rc;
    /* text labels are values only at the nominal level */
    char why[160];
    snprintf(why, sizeof why, "--level %s needs numbers (text labels work with --level nominal "
             "and with 'duet stats kappa')", agree_level_name(level));
    const double *x = level == AGREE_NOMINAL ? codetable_values(&a)
                                             : codetable_numbers(&a, why, &e);
    if (x == NULL) {
        codetable_free(&a);
        return cli_fail(&e);
    }
    struct agree_alpha r;
    struct agree_boot b = {0};
    if (agree_alpha(x, a.nu, a.nc, level, &r, &e) != 0 ||
        (boot > 0 && agree_alpha_bootstrap(x, a.nu, a.nc, level, (size_t)boot,
                                           (uint64_t)seed, &b, &e) != 0)) {
        duet_err_prefix(&e, "%s", path);
        codetable_free(&a);
        return cli_fail(&e);
    }
    if (json) {
        json_t *bs = boot > 0 ? json_pack("{s:I, s:I, s:I, s:f, s:o, s:o, s:s}", "replicates",
                                          (json_int_t)b.b, "used", (json_int_t)b.used, "seed",
                                          (json_int_t)seed, "confidence", 0.95, "lo", num(b.lo),
                                          "hi", num(b.hi), "method", "percentile, units resampled")
                              : json_null();
        json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, "
                                "s:b, s:o}",
                                "statistic", "krippendorff_alpha", "file", path, "level",
                                agree_level_name(level), "alpha", num(r.alpha), "d_o",
                                num(r.d_o), "d_e", num(r.d_e), "n_units", (json_int_t)a.nu,
                                "n_coders", (json_int_t)a.nc, "n_pairable_units",
                                (json_int_t)r.n_units, "n_pairable_values",
                                (json_int_t)r.n_values, "n_distinct_values",
                                (json_int_t)r.n_distinct, "n_unpaired_units",
                                (json_int_t)r.n_unpaired, "labels", x == a.lab, "bootstrap",
                                bs);
        rc = doc ? cli_print_json(stdout, doc) : cli_failf("out of memory");
    } else {
        printf("Krippendorff's alpha (%s): %.4f\n", agree_level_name(level), tidy(r.alpha, 4));
        printf("  data: %s: %zu units x %zu coders%s; %zu pairable units with %zu values, %zu "
               "distinct\n", path, a.nu, a.nc, x == a.lab ? " (text labels)" : "", r.n_units,
               r.n_values, r.n_distinct);
        if (r.n_unpaired > 0)
            printf("  left out: %zu unit%s with a single value\n", r.n_unpaired,
                   r.n_unpaired == 1 ? "" : "s");
        printf("  disagreement: observed D_o %.6g, expected D_e %.6g\n", r.d_o, r.d_e);
        if (boot > 0)
            printf("  95%% bootstrap interval: [%.4f, %.4f] (%zu of %zu replicates, units "
                   "resampled, seed %lld)\n", tidy(b.lo, 4), tidy(b.hi, 4), b.used, b.b, seed);
        printf("  reading: %s, by Krippendorff's conventions\n", alpha_reading(r.alpha));
        rc = CLI_OK;
    }
    codetable_free(&a);
    return rc;
}

static int stats_kappa(struct cli *c, int argc, char **argv)
{
    (void)c;
    int json = 0, first;
    const struct cli_opt opts[] = {{"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
                                   {0}};
    int prc = cli_parse_opts(KA_CMD, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1)
        return cli_usage_error(KA_CMD, first >= argc ? "give the CSV file of codings to read"
                                                      : "give exactly one CSV file");
    const char *path = argv[first];
    struct codetable a;
    duet_err e;
    if (codetable_read(&a, path, &e) != 0)
        return cli_fail(&e);
    int rc;
    const double *x = codetable_values(&a);   /* numbers, or labels if any cell is text */
    int cohen = a.nc == 2;
    struct agree_kappa k;
    int bad;
    if (cohen) {
        double *ca = malloc(a.nu * sizeof *ca), *cb = malloc(a.nu * sizeof *cb);
        if (ca == NULL || cb == NULL) {
            free(ca);
            free(cb);
            codetable_free(&a);
            return cli_failf("out of memory");
        }
        for (size_t u = 0; u < a.nu; u++) {
            ca[u] = x[2 * u];
            cb[u] = x[2 * u + 1];
        }
        bad = agree_cohen(ca, cb, a.nu, &k, &e);
        free(ca);
        free(cb);
    } else {
        bad = agree_fleiss(x, a.nu, a.nc, &k, &e);
    }
    if (bad != 0) {
        duet_err_prefix(&e, "%s", path);
        codetable_free(&a);
        return cli_fail(&e);
    }
    if (json) {
        json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
                                "statistic", cohen ? "cohen_kappa" : "fleiss_kappa", "file",
                                path, "kappa", num(k.kappa), "p_o", num(k.p_o), "p_e",
                                num(k.p_e), "n_units", (json_int_t)a.nu, "n_coders",
                                (json_int_t)a.nc, "n_used", (json_int_t)k.n_units,
                                "n_dropped", (json_int_t)k.n_dropped, "n_raters",
                                (json_int_t)k.n_raters, "n_categories",
                                (json_int_t)k.n_categories, "labels", x == a.lab);
        rc = doc ? cli_print_json(stdout, doc) : cli_failf("out of memory");
    } else if (cohen) {
        printf("Cohen's kappa (2 coders: %s, %s): %.4f\n", a.coder[0], a.coder[1],
               tidy(k.kappa, 4));
        printf("  data: %s: %zu units, %zu coded by both", path, a.nu, k.n_units);
        if (k.n_dropped > 0)
            printf(" (%zu left out)", k.n_dropped);
        printf(", %zu categor%s%s\n", k.n_categories, k.n_categories == 1 ? "y" : "ies",
               x == a.lab ? " (text labels)" : "");
        printf("  observed agreement p_o %.4f, chance agreement p_e %.4f\n", k.p_o, k.p_e);
        rc = CLI_OK;
    } else {
        printf("Fleiss' kappa (%zu ratings per unit): %.4f\n", k.n_raters, tidy(k.kappa, 4));
        printf("  data: %s: %zu units x %zu coders, %zu categor%s%s\n", path, a.nu, a.nc,
               k.n_categories, k.n_categories == 1 ? "y" : "ies",
               x == a.lab ? " (text labels)" : "");
        printf("  mean agreement P-bar %.4f, chance agreement P_e %.4f\n", k.p_o, k.p_e);
        rc = CLI_OK;
    }
    codetable_free(&a);
    return rc;
}

static const struct cli_sub subs[] = {
    {"lmm", stats_lmm, lmm_usage},
    {"qfactor", stats_qfactor, qfactor_usage},
    {"alpha", stats_alpha, alpha_usage},
    {"kappa", stats_kappa, kappa_usage},
};

int cmd_stats(struct cli *c, int argc, char **argv)
{
    return cli_dispatch(c, "stats", "Statistics over a CSV file (no database needed).", subs,
                        sizeof subs / sizeof subs[0], argc, argv);
}
