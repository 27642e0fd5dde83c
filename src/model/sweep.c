/*
** sweep.c — parsing grids and running them point by point.
*/
#include "model/sweep.h"

#include "core/json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int set_real(sim_params *p, int param, double v, duet_err *e)
{
    char text[40];
    snprintf(text, sizeof text, "%.17g", v);
    return sim_params_set(p, sim_params_info((size_t)param)->name, text, e);
}

static int set_json(sim_params *p, const char *name, json_t *v, const char *where, duet_err *e)
{
    char text[40];
    if (json_is_integer(v))
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(text, sizeof text, "%.17g", json_real_value(v));
    else
        return duet_errf(e, DUET_EINPUT, "%s: '%s' must be a number", where, name);
    if (sim_params_set(p, name, text, e) != 0) {
        duet_err_prefix(e, "%s", where);
        return -1;
    }
    return 0;
}

static int parse_axis(json_t *a, size_t i, const char *src, struct sweep_axis *ax, duet_err *e)
{
    char where[256];
    snprintf(where, sizeof where, "%s: vary[%zu]", src, i);
    if (!json_is_object(a))
        return duet_errf(e, DUET_EINPUT, "%s: expected an object with \"name\" and \"values\" "
                         "or \"from\", \"to\", \"steps\"", where);
    const char *key;
    json_t *v;
    json_object_foreach(a, key, v) {
        if (strcmp(key, "name") && strcmp(key, "values") && strcmp(key, "from") &&
            strcmp(key, "to") && strcmp(key, "steps"))
            return duet_errf(e, DUET_EINPUT, "%s: unknown key '%s'", where, key);
    }
    const char *name = json_string_value(json_object_get(a, "name"));
    if (name == NULL)
        return duet_errf(e, DUET_EINPUT, "%s: \"name\" (the parameter) is required", where);
    ax->param = sim_params_find(name);
    if (ax->param < 0)
        return duet_errf(e, DUET_EINPUT, "%s: unknown parameter '%s'", where, name);
    if (!sim_params_is_model((size_t)ax->param))
        return duet_errf(e, DUET_EINPUT, "%s: '%s' is a run setting; set it at the top of the "
                         "grid, not in \"vary\"", where, name);
    json_t *values = json_object_get(a, "values");
    json_t *from = json_object_get(a, "from"), *to = json_object_get(a, "to"),
           *steps = json_object_get(a, "steps");
    if (values && (from || to || steps))
        return duet_errf(e, DUET_EINPUT, "%s: give either \"values\" or \"from\", \"to\", "
                         "\"steps\", not both", where);
    if (values) {
        size_t n = json_array_size(values);
        if (!json_is_array(values) || n == 0 || n > SWEEP_MAX_VALUES)
            return duet_errf(e, DUET_EINPUT, "%s: \"values\" must be a list of 1 to %d numbers",
                             where, SWEEP_MAX_VALUES);
        ax->values = malloc(n * sizeof *ax->values);
        if (ax->values == NULL)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        ax->nvalues = n;
        for (size_t k = 0; k < n; k++) {
            json_t *x = json_array_get(values, k);
            if (!json_is_number(x))
                return duet_errf(e, DUET_EINPUT, "%s: values[%zu] is not a number", where, k);
            ax->values[k] = json_number_value(x);
        }
        return 0;
    }
    if (!json_is_number(from) || !json_is_number(to) || !json_is_integer(steps))
        return duet_errf(e, DUET_EINPUT, "%s: give \"values\", or \"from\" and \"to\" (numbers) "
                         "and \"steps\" (a whole number)", where);
    json_int_t n = json_integer_value(steps);
    if (n < 1 || n > SWEEP_MAX_VALUES)
        return duet_errf(e, DUET_EINPUT, "%s: \"steps\" %lld is outside 1..%d", where,
                         (long long)n, SWEEP_MAX_VALUES);
    double lo = json_number_value(from), hi = json_number_value(to);
    ax->values = malloc((size_t)n * sizeof *ax->values);
    if (ax->values == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    ax->nvalues = (size_t)n;
    for (json_int_t k = 0; k < n; k++)   /* ((steps-1-k) from + k to) / (steps-1) */
        ax->values[k] = n == 1 ? lo : ((double)(n - 1 - k) * lo + (double)k * hi) / (double)(n - 1);
    return 0;
}

void sweep_grid_free(struct sweep_grid *g)
{
    for (size_t i = 0; i < g->naxes; i++)
        free(g->axes[i].values);
    free(g->axes);
    memset(g, 0, sizeof *g);
}

int sweep_point(const struct sweep_grid *grid, uint64_t g, sim_params *out, uint64_t *replicate,
                duet_err *e)
{
    if (g >= grid->npoints)
        return duet_errf(e, DUET_EINPUT, "grid point %llu does not exist",
                         (unsigned long long)g);
    *out = grid->base;
    out->seed = grid->base.seed + g;
    uint64_t rest = g / grid->replicates;
    if (replicate)
        *replicate = g % grid->replicates;
    for (size_t i = grid->naxes; i-- > 0;) {   /* the last axis changes fastest */
        const struct sweep_axis *ax = &grid->axes[i];
        if (set_real(out, ax->param, ax->values[rest % ax->nvalues], e) != 0)
            return -1;
        rest /= ax->nvalues;
    }
    return 0;
}

int sweep_grid_parse(const char *json, size_t len, const char *src, uint64_t replicates,
                     struct sweep_grid *g, duet_err *e)
{
    memset(g, 0, sizeof *g);
    if (len > SWEEP_MAX_BYTES)
        return duet_errf(e, DUET_EINPUT, "%s: the grid is larger than 1 MiB", src);
    json_t *doc = duet_json_load(json, len, 0, src, e);
    if (doc == NULL)
        return -1;
    int rc = 0;
    sim_params_default(&g->base);
    g->replicates = 1;
    if (!json_is_object(doc))
        rc = duet_errf(e, DUET_EINPUT, "%s: the grid must be a JSON object", src);
    const char *key;
    json_t *v;
    char where[256];
    snprintf(where, sizeof where, "%s", src);
    if (rc == 0) {
        json_object_foreach(doc, key, v) {
            if (strcmp(key, "vary") == 0 || strcmp(key, "fixed") == 0)
                continue;
            if (strcmp(key, "replicates") == 0) {
                if (!json_is_integer(v) || json_integer_value(v) < 1 ||
                    json_integer_value(v) > 100000) {
                    rc = duet_errf(e, DUET_EINPUT, "%s: \"replicates\" must be a whole number "
                                   "in 1..100000", src);
                    break;
                }
                g->replicates = (uint64_t)json_integer_value(v);
                continue;
            }
            int i = sim_params_find(key);
            if (i < 0 || sim_params_is_model((size_t)i)) {
                rc = duet_errf(e, DUET_EINPUT, "%s: unknown key '%s' (expected pairs, modules, "
                               "dims, seed, replicates, fixed, vary)", src, key);
                break;
            }
            if ((rc = set_json(&g->base, key, v, where, e)) != 0)
                break;
        }
    }
    json_t *fixed = rc ? NULL : json_object_get(doc, "fixed");
    if (fixed) {
        if (!json_is_object(fixed)) {
            rc = duet_errf(e, DUET_EINPUT, "%s: \"fixed\" must be an object of parameters", src);
        } else {
            snprintf(where, sizeof where, "%s: fixed", src);
            json_object_foreach(fixed, key, v) {
                int i = sim_params_find(key);
                if (i < 0 || !sim_params_is_model((size_t)i)) {
                    rc = duet_errf(e, DUET_EINPUT, "%s: unknown model parameter '%s'", where, key);
                    break;
                }
                if ((rc = set_json(&g->base, key, v, where, e)) != 0)
                    break;
            }
        }
    }
    json_t *vary = rc ? NULL : json_object_get(doc, "vary");
    if (rc == 0 && (!json_is_array(vary) || json_array_size(vary) == 0 ||
                    json_array_size(vary) > 16))
        rc = duet_errf(e, DUET_EINPUT, "%s: \"vary\" must be a list of 1 to 16 parameters, e.g. "
                       "[{\"name\": \"power_patient\", \"from\": 0.1, \"to\": 0.5, \"steps\": 5}]",
                       src);
    if (rc == 0) {
        g->naxes = json_array_size(vary);
        g->axes = calloc(g->naxes, sizeof *g->axes);
        if (g->axes == NULL)
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < g->naxes; i++) {
        rc = parse_axis(json_array_get(vary, i), i, src, &g->axes[i], e);
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (g->axes[k].param == g->axes[i].param)
                rc = duet_errf(e, DUET_EINPUT, "%s: vary[%zu]: '%s' is varied twice", src, i,
                               sim_params_info((size_t)g->axes[i].param)->name);
    }
    if (rc == 0 && replicates > 0)
        g->replicates = replicates;
    if (rc == 0) {
        uint64_t n = g->replicates;
        for (size_t i = 0; i < g->naxes && n <= SWEEP_MAX_POINTS; i++)
            n *= g->axes[i].nvalues;
        if (n > SWEEP_MAX_POINTS)
            rc = duet_errf(e, DUET_EINPUT, "%s: the grid has more than %llu points", src,
                           (unsigned long long)SWEEP_MAX_POINTS);
        g->npoints = n;
    }
    /* Check every combination of values once (replicates change only the seed). */
    for (uint64_t p = 0; rc == 0 && p < g->npoints; p += g->replicates) {
        sim_params q;
        if (sweep_point(g, p, &q, NULL, e) != 0 || sim_params_validate(&q, e) != 0) {
            duet_err_prefix(e, "%s: grid point %llu", src, (unsigned long long)p);
            rc = -1;
        }
    }
    json_decref(doc);
    if (rc != 0)
        sweep_grid_free(g);
    return rc;
}

int sweep_run(const struct sweep_grid *grid, uint64_t first, uint64_t last, int threads,
              sim_summary *out, sim_progress_fn progress, void *progress_ctx, duet_err *e)
{
    int failed = 0;
    uint64_t done = 0;
    duet_err first_err = {0};
    if (threads < 1)
        threads = 1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (uint64_t g = first; g < last; g++) {
        int bad;
#pragma omp atomic read
        bad = failed;
        if (bad)
            continue;
        sim_params q;
        duet_err pe;
        sim_summary_init(&out[g - first]);
        int rc = sweep_point(grid, g, &q, NULL, &pe);
        if (rc == 0)
            rc = sim_run(&q, 0, q.pairs, NULL, &out[g - first], &pe);
        if (rc != 0) {
#pragma omp critical(sweep_err)
            {
                if (!failed) {
                    first_err = pe;
                    failed = 1;
                }
            }
        }
        if (progress) {
#pragma omp critical(sweep_progress)
            {
                done++;
                progress(progress_ctx, done, last - first);
            }
        }
    }
    if (failed) {
        if (e)
            *e = first_err;
        return -1;
    }
    return 0;
}

int sweep_csv_header(FILE *f, const struct sweep_grid *grid, duet_err *e)
{
    fputs("point,replicate,seed", f);
    for (size_t i = 0; i < grid->naxes; i++)
        fprintf(f, ",%s", sim_params_info((size_t)grid->axes[i].param)->name);
    fputs(",pairs,modules,partnership,patient_native,system_native,polarised,stalled,"
          "final_quality_patient,final_quality_system,resistance_patient,resistance_system,"
          "mean_balance,mean_d0,mean_dm\n", f);
    return ferror(f) ? duet_errf(e, DUET_EIO, "writing the sweep failed") : 0;
}

int sweep_csv_row(FILE *f, const struct sweep_grid *grid, uint64_t g, const sim_summary *s,
                  duet_err *e)
{
    sim_params q;
    uint64_t rep;
    if (sweep_point(grid, g, &q, &rep, e) != 0)
        return -1;
    sim_stats st;
    sim_summary_stats(s, &st);
    fprintf(f, "%llu,%llu,%llu", (unsigned long long)g, (unsigned long long)rep,
            (unsigned long long)q.seed);
    for (size_t i = 0; i < grid->naxes; i++)
        fprintf(f, ",%.17g", sim_params_get(&q, (size_t)grid->axes[i].param));
    fprintf(f, ",%llu,%d", (unsigned long long)q.pairs, q.modules);
    static const enum sim_regime order[] = {SIM_PARTNERSHIP, SIM_PATIENT_NATIVE,
                                            SIM_SYSTEM_NATIVE, SIM_POLARISED, SIM_STALLED};
    for (size_t r = 0; r < 5; r++)
        fprintf(f, ",%.17g", st.regime[order[r]]);
    fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", st.final_quality[0],
            st.final_quality[1], st.resistance_rate[0], st.resistance_rate[1], st.balance, st.d0,
            st.dm);
    return ferror(f) ? duet_errf(e, DUET_EIO, "writing the sweep failed") : 0;
}
