/*
** abc.c — ABC-SMC calibration of the pair identity model (see abc.h).
*/
#include "model/abc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "model/philox.h"

static const char *const stat_names[ABC_NSTATS] = {
    "partnership", "patient_native", "system_native", "polarised", "stalled",
    "final_quality_patient", "final_quality_system", "resistance_patient",
    "resistance_system", "mean_balance"};

const char *abc_stat_name(size_t k) { return k < ABC_NSTATS ? stat_names[k] : "?"; }

void abc_stats(const sim_summary *s, double out[ABC_NSTATS])
{
    sim_stats st;
    sim_summary_stats(s, &st);
    out[0] = st.regime[SIM_PARTNERSHIP];
    out[1] = st.regime[SIM_PATIENT_NATIVE];
    out[2] = st.regime[SIM_SYSTEM_NATIVE];
    out[3] = st.regime[SIM_POLARISED];
    out[4] = st.regime[SIM_STALLED];
    out[5] = st.final_quality[0];
    out[6] = st.final_quality[1];
    out[7] = st.resistance_rate[0];
    out[8] = st.resistance_rate[1];
    out[9] = st.balance;
}

/* ---- reading targets and priors ---- */

static int read_number(json_t *v, const char *where, double lo, double hi, double *out,
                       duet_err *e)
{
    if (!json_is_number(v))
        return duet_errf(e, DUET_EINPUT, "%s must be a number", where);
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return duet_errf(e, DUET_EINPUT, "%s is %g, outside %g..%g", where, x, lo, hi);
    *out = x;
    return 0;
}

static int read_pair(json_t *obj, const char *name, const char *a, const char *b, int ka, int kb,
                     const char *src, struct abc_target *t, duet_err *e)
{
    char where[256];
    if (!json_is_object(obj))
        return duet_errf(e, DUET_EINPUT, "%s: \"%s\" must be an object with \"%s\" and \"%s\"",
                         src, name, a, b);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int k = strcmp(key, a) == 0 ? ka : strcmp(key, b) == 0 ? kb : -1;
        snprintf(where, sizeof where, "%s: %s.%s", src, name, key);
        if (k < 0)
            return duet_errf(e, DUET_EINPUT, "%s: unknown key (expected %s or %s)", where, a, b);
        if (read_number(v, where, 0, 1, &t->s[k], e) != 0)
            return -1;
        t->have[k] = 1;
    }
    return 0;
}

int abc_target_parse(const char *json, size_t len, const char *src, struct abc_target *t,
                     sim_params *base, duet_err *e)
{
    memset(t, 0, sizeof *t);
    if (len > (1u << 20))
        return duet_errf(e, DUET_EINPUT, "%s: the target is larger than 1 MiB", src);
    json_t *doc = duet_json_load(json, len, 0, src, e);
    if (doc == NULL)
        return -1;
    int rc = 0;
    if (!json_is_object(doc))
        rc = duet_errf(e, DUET_EINPUT, "%s: the target must be a JSON object", src);
    const char *key;
    json_t *v;
    char where[256];
    if (rc == 0) {
        json_object_foreach(doc, key, v) {
            snprintf(where, sizeof where, "%s: %s", src, key);
            if (strcmp(key, "regimes") == 0) {
                if (!json_is_object(v)) {
                    rc = duet_errf(e, DUET_EINPUT, "%s must be an object of shares", where);
                    break;
                }
                const char *rk;
                json_t *rv;
                json_object_foreach(v, rk, rv) {
                    int k = -1;
                    for (int i = 0; i < 5; i++)
                        if (strcmp(rk, stat_names[i]) == 0)
                            k = i;
                    snprintf(where, sizeof where, "%s: regimes.%s", src, rk);
                    if (k < 0) {
                        rc = duet_errf(e, DUET_EINPUT, "%s: unknown regime (expected "
                                       "partnership, patient_native, system_native, polarised, "
                                       "stalled)", where);
                        break;
                    }
                    if ((rc = read_number(rv, where, 0, 1, &t->s[k], e)) != 0)
                        break;
                    t->have[k] = 1;
                }
            } else if (strcmp(key, "mean_final_quality") == 0) {
                rc = read_pair(v, key, "patient", "system", 5, 6, src, t, e);
            } else if (strcmp(key, "resistance_rate") == 0) {
                rc = read_pair(v, key, "patient", "system", 7, 8, src, t, e);
            } else if (strcmp(key, "mean_balance") == 0) {
                rc = read_number(v, where, 0, 1, &t->s[9], e);
                t->have[9] = rc == 0;
            } else if (strcmp(key, "modules") == 0 || strcmp(key, "dims") == 0) {
                char text[32];
                if (!json_is_integer(v)) {
                    rc = duet_errf(e, DUET_EINPUT, "%s must be a whole number", where);
                } else {
                    snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
                    rc = sim_params_set(base, key, text, e);
                    if (rc)
                        duet_err_prefix(e, "%s", src);
                }
            } else if (strcmp(key, "pairs") && strcmp(key, "seed") && strcmp(key, "parameters") &&
                       strcmp(key, "mean_d0") && strcmp(key, "mean_dm")) {
                rc = duet_errf(e, DUET_EINPUT, "%s: unknown key (expected regimes, "
                               "mean_final_quality, resistance_rate, mean_balance, modules, dims)",
                               where);
            }
            if (rc)
                break;
        }
    }
    json_decref(doc);
    if (rc == 0) {
        int n = 0;
        for (int k = 0; k < ABC_NSTATS; k++)
            n += t->have[k];
        if (n == 0)
            rc = duet_errf(e, DUET_EINPUT, "%s: the target has no summaries to match", src);
    }
    return rc;
}

int abc_default_prior(int param, double *lo, double *hi)
{
    static const struct { const char *name; double lo, hi; } table[] = {
        {"prescription", 0.5, 2.0},   {"init_spread", 0.0, 1.5},   {"tau_patient", 0.2, 3.0},
        {"tau_system", 0.2, 3.0},     {"tau_spread", 0.0, 1.0},    {"coordination", 0.0, 3.0},
        {"power_patient", 0.05, 0.95}, {"action_noise", 0.0, 0.5}, {"externality", 0.0, 2.0},
        {"response_cost", 0.0, 3.0},  {"resistance_loss", 0.0, 2.0}, {"accept", 0.2, 1.8},
        {"reject", 1.2, 4.0},         {"learning", 0.0, 1.0},      {"assimilation", 0.0, 2.0},
        {"repulsion", 0.0, 2.0},      {"self_consistency", 0.0, 1.0}, {"home_pull", 0.0, 0.3},
        {"norm_noise", 0.0, 0.3}};
    const char *name = sim_params_info((size_t)param)->name;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(table[i].name, name) == 0) {
            *lo = table[i].lo;
            *hi = table[i].hi;
            return 0;
        }
    }
    return -1;
}

int abc_priors_parse(const char *json, size_t len, const char *src, struct abc_prior *priors,
                     size_t n, duet_err *e)
{
    json_t *doc = duet_json_load(json, len, 0, src, e);
    if (doc == NULL)
        return -1;
    int rc = 0;
    if (!json_is_object(doc))
        rc = duet_errf(e, DUET_EINPUT, "%s: priors must be an object {\"name\": [lo, hi]}", src);
    const char *key;
    json_t *v;
    if (rc == 0) {
        json_object_foreach(doc, key, v) {
            int p = sim_params_find(key);
            size_t j = n;
            for (size_t i = 0; i < n; i++)
                if (priors[i].param == p)
                    j = i;
            if (j == n) {
                rc = duet_errf(e, DUET_EINPUT, "%s: '%s' is not one of the parameters being "
                               "calibrated (--params)", src, key);
                break;
            }
            json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1);
            if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(a) ||
                !json_is_number(b) || !(json_number_value(a) < json_number_value(b)) ||
                !isfinite(json_number_value(a)) || !isfinite(json_number_value(b))) {
                rc = duet_errf(e, DUET_EINPUT, "%s: %s: expected [lo, hi] with lo < hi", src, key);
                break;
            }
            priors[j].lo = json_number_value(a);
            priors[j].hi = json_number_value(b);
        }
    }
    json_decref(doc);
    return rc;
}

/* ---- the sampler ---- */

void abc_options_default(struct abc_options *o)
{
    memset(o, 0, sizeof *o);
    sim_params_default(&o->base);
    o->base.pairs = 1000;
    o->particles = 200;
    o->generations = 5;
    o->quantile = 0.5;
    o->max_attempts = 2000;
    o->seed = 1;
    o->threads = 1;
}

void abc_result_free(struct abc_result *r)
{
    free(r->theta);
    free(r->weight);
    free(r->distance);
    memset(r, 0, sizeof *r);
}

/* Counter word 0 of every calibration draw carries this tag, so its streams
** never meet the model's (whose word 0 is a pair index of the same seed only
** when a simulation seed happens to equal the calibration seed). */
#define ABC_TAG 0xCA1B0000u

/* 4 uniforms in (0,1) for (generation, particle, attempt, block). */
static void draw(uint64_t seed, int gen, int i, int attempt, uint32_t b, double u[4],
                 uint32_t raw[4])
{
    uint32_t key[2], ctr[4] = {ABC_TAG | (uint32_t)gen, (uint32_t)i, (uint32_t)attempt, b};
    philox_key(seed, key);
    philox_block(ctr, key, raw);
    for (int k = 0; k < 4; k++)
        u[k] = philox_u01(raw[k]);
}

static double distance(const double s[ABC_NSTATS], const struct abc_target *t,
                       const double scale[ABC_NSTATS])
{
    double d = 0;
    for (int k = 0; k < ABC_NSTATS; k++) {
        if (!t->have[k])
            continue;
        double x = isfinite(s[k]) ? (s[k] - t->s[k]) / scale[k] : 1e6;
        d += x * x;
    }
    return sqrt(d);
}

/* Simulates theta; fills stats. Returns 0, or -1 when theta is not a valid
** point (outside the prior's support). */
static int simulate(const struct abc_options *o, const double *theta, uint64_t seed,
                    double stats[ABC_NSTATS])
{
    sim_params q = o->base;
    q.seed = seed;
    duet_err e;
    for (size_t j = 0; j < o->nparams; j++) {
        char text[40];
        snprintf(text, sizeof text, "%.17g", theta[j]);
        if (sim_params_set(&q, sim_params_info((size_t)o->priors[j].param)->name, text, &e) != 0)
            return -1;
    }
    if (sim_params_validate(&q, &e) != 0)
        return -1;
    sim_summary sum;
    sim_summary_init(&sum);
    if (sim_run(&q, 0, q.pairs, NULL, &sum, &e) != 0)
        return -1;
    abc_stats(&sum, stats);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct scored { double d; size_t i; };
static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static uint64_t sim_seed(const uint32_t raw[4]) { return (uint64_t)raw[0] << 32 | raw[1]; }

int abc_run(const struct abc_options *o, const struct abc_target *t, struct abc_result *r,
            sim_progress_fn progress, void *pctx, duet_err *e)
{
    memset(r, 0, sizeof *r);
    size_t np = o->nparams, n = (size_t)o->particles;
    if (np == 0 || np > ABC_MAX_PARAMS)
        return duet_errf(e, DUET_EINPUT, "choose 1 to %d parameters to calibrate", ABC_MAX_PARAMS);
    if (o->particles < 10 || o->particles > 100000)
        return duet_errf(e, DUET_EINPUT, "particles %d is outside 10..100000", o->particles);
    if (o->generations < 0 || o->generations > 60)
        return duet_errf(e, DUET_EINPUT, "generations %d is outside 0..60", o->generations);
    if (!(o->quantile > 0 && o->quantile < 1))
        return duet_errf(e, DUET_EINPUT, "the tolerance quantile must be in (0, 1)");
    for (size_t j = 0; j < np; j++)
        if (!(o->priors[j].lo < o->priors[j].hi))
            return duet_errf(e, DUET_EINPUT, "the prior of '%s' is empty",
                             sim_params_info((size_t)o->priors[j].param)->name);
    int threads = o->threads < 1 ? 1 : o->threads;

    /* Generation 0: 4N draws from the prior; keep the N closest. */
    size_t m0 = 4 * n;
    double *th0 = malloc(m0 * np * sizeof *th0);
    double *st0 = malloc(m0 * ABC_NSTATS * sizeof *st0);
    int *ok0 = malloc(m0 * sizeof *ok0);
    r->theta = malloc(n * np * sizeof *r->theta);
    r->weight = malloc(n * sizeof *r->weight);
    r->distance = malloc(n * sizeof *r->distance);
    double *nth = malloc(n * np * sizeof *nth), *nw = malloc(n * sizeof *nw),
           *nd = malloc(n * sizeof *nd);
    int *nattempts = malloc(n * sizeof *nattempts);
    struct scored *sc = malloc(m0 * sizeof *sc);
    if (!th0 || !st0 || !ok0 || !r->theta || !r->weight || !r->distance || !nth || !nw || !nd ||
        !nattempts || !sc) {
        free(th0); free(st0); free(ok0); free(nth); free(nw); free(nd); free(nattempts); free(sc);
        abc_result_free(r);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    r->nparams = np;
    r->nparticles = n;
    uint64_t done = 0, total = m0 + (uint64_t)o->generations * n;

#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
    for (size_t i = 0; i < m0; i++) {
        double u[4];
        uint32_t raw[4], seedraw[4];
        draw(o->seed, 0, (int)i, 0, 0, u, seedraw);
        for (size_t j = 0; j < np; j++) {
            if (j % 4 == 0)
                draw(o->seed, 0, (int)i, 0, 1 + (uint32_t)(j / 4), u, raw);
            th0[i * np + j] = o->priors[j].lo + (o->priors[j].hi - o->priors[j].lo) * u[j % 4];
        }
        ok0[i] = simulate(o, th0 + i * np, sim_seed(seedraw), st0 + i * ABC_NSTATS) == 0;
        if (progress) {
#pragma omp critical(abc_progress)
            progress(pctx, ++done, total);
        }
    }
    /* Scales: the spread of each statistic over generation 0. */
    double *col = malloc(m0 * sizeof *col);
    for (int k = 0; k < ABC_NSTATS && col; k++) {
        size_t c = 0;
        for (size_t i = 0; i < m0; i++)
            if (ok0[i] && isfinite(st0[i * ABC_NSTATS + k]))
                col[c++] = st0[i * ABC_NSTATS + k];
        double s = 0;
        if (c > 1) {
            double mean = 0, var = 0;   /* the standard deviation, as a fallback */
            for (size_t i = 0; i < c; i++)
                mean += col[i];
            mean /= (double)c;
            for (size_t i = 0; i < c; i++)
                var += (col[i] - mean) * (col[i] - mean);
            double sd = sqrt(var / (double)(c - 1));
            double med = median_of(col, c);
            for (size_t i = 0; i < c; i++)
                col[i] = fabs(col[i] - med);
            s = 1.4826 * median_of(col, c);
            if (!(s > 0))
                s = sd;
        }
        r->scale[k] = s > 0 ? s : 1;
    }
    free(col);
    size_t valid = 0;
    for (size_t i = 0; i < m0; i++) {
        sc[i].i = i;
        sc[i].d = ok0[i] ? distance(st0 + i * ABC_NSTATS, t, r->scale) : INFINITY;
        valid += ok0[i];
    }
    qsort(sc, m0, sizeof *sc, cmp_scored);
    int rc = 0;
    if (valid < n)
        rc = duet_errf(e, DUET_EINPUT, "only %zu of %zu draws from the priors were valid "
                       "parameter sets; narrow the priors (e.g. keep accept <= reject)",
                       valid, m0);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        memcpy(r->theta + i * np, th0 + sc[i].i * np, np * sizeof *r->theta);
        r->weight[i] = 1.0 / (double)n;
        r->distance[i] = sc[i].d;
    }
    if (rc == 0) {
        r->gen[0] = (struct abc_generation){sc[n - 1].d, m0, n, (double)n};
        r->ngenerations = 1;
    }
    free(th0);
    free(st0);
    free(ok0);
    free(sc);

    for (int g = 1; rc == 0 && g <= o->generations; g++) {
        /* Tolerance: the quantile of the current distances. */
        double *dd = malloc(n * sizeof *dd);
        if (dd == NULL) {
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
            break;
        }
        memcpy(dd, r->distance, n * sizeof *dd);
        qsort(dd, n, sizeof *dd, cmp_double);
        double eps = dd[(size_t)floor(o->quantile * (double)(n - 1))];
        free(dd);
        /* Kernel: twice the weighted variance of each parameter. */
        double sigma[ABC_MAX_PARAMS];
        for (size_t j = 0; j < np; j++) {
            double mean = 0, var = 0;
            for (size_t i = 0; i < n; i++)
                mean += r->weight[i] * r->theta[i * np + j];
            for (size_t i = 0; i < n; i++) {
                double x = r->theta[i * np + j] - mean;
                var += r->weight[i] * x * x;
            }
            sigma[j] = sqrt(2 * var);
            if (!(sigma[j] > 0))
                sigma[j] = 1e-3 * (o->priors[j].hi - o->priors[j].lo);
        }
        double *cum = malloc(n * sizeof *cum);
        if (cum == NULL) {
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
            break;
        }
        double acc = 0;
        for (size_t i = 0; i < n; i++)
            cum[i] = (acc += r->weight[i]);
        uint64_t sims = 0;
        int exhausted = 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : sims)
        for (size_t i = 0; i < n; i++) {
            int a;
            for (a = 0; a < o->max_attempts; a++) {
                double u[4], z[ABC_MAX_PARAMS + 4];
                uint32_t raw[4], seedraw[4];
                draw(o->seed, g, (int)i, a, 0, u, seedraw);
                /* Ancestor by weight. */
                double pick = u[2] * acc;
                size_t lo = 0, hi = n - 1;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (cum[mid] < pick)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                for (size_t j = 0; j < np; j += 2) {   /* Box–Muller, two at a time */
                    draw(o->seed, g, (int)i, a, 1 + (uint32_t)(j / 2), u, raw);
                    double rad = sqrt(-2 * log(u[0]));
                    z[j] = rad * cos(2 * M_PI * u[1]);
                    z[j + 1] = rad * sin(2 * M_PI * u[1]);
                }
                double *th = nth + i * np;
                int inside = 1;
                for (size_t j = 0; j < np; j++) {
                    th[j] = r->theta[lo * np + j] + sigma[j] * z[j];
                    inside = inside && th[j] >= o->priors[j].lo && th[j] <= o->priors[j].hi;
                }
                if (!inside)
                    continue;
                double s[ABC_NSTATS];
                if (simulate(o, th, sim_seed(seedraw), s) != 0)
                    continue;
                sims++;
                double d = distance(s, t, r->scale);
                if (d <= eps) {
                    nd[i] = d;
                    break;
                }
            }
            nattempts[i] = a;
            if (a == o->max_attempts) {
#pragma omp atomic write
                exhausted = 1;
            }
            if (progress) {
#pragma omp critical(abc_progress)
                progress(pctx, ++done, total);
            }
        }
        free(cum);
        if (exhausted) {
            /* Keep the last complete generation; say why we stopped. */
            r->gen[r->ngenerations] = (struct abc_generation){eps, sims, 0, 0};
            r->stopped = g;
            break;
        }
        /* Weights: uniform prior over the mixture of kernels around the old particles. */
        double wsum = 0;
        for (size_t i = 0; i < n; i++) {
            double den = 0;
            for (size_t k = 0; k < n; k++) {
                double q = 0;
                for (size_t j = 0; j < np; j++) {
                    double x = (nth[i * np + j] - r->theta[k * np + j]) / sigma[j];
                    q += x * x;
                }
                den += r->weight[k] * exp(-0.5 * q);
            }
            nw[i] = den > 0 ? 1 / den : 0;
            wsum += nw[i];
        }
        double ess = 0;
        for (size_t i = 0; i < n; i++) {
            nw[i] /= wsum;
            ess += nw[i] * nw[i];
        }
        memcpy(r->theta, nth, n * np * sizeof *nth);
        memcpy(r->weight, nw, n * sizeof *nw);
        memcpy(r->distance, nd, n * sizeof *nd);
        r->gen[r->ngenerations++] = (struct abc_generation){eps, sims, n, 1 / ess};
    }
    free(nth);
    free(nw);
    free(nd);
    free(nattempts);
    if (rc != 0)
        abc_result_free(r);
    return rc;
}

struct wv { double v, w; };
static int cmp_wv(const void *a, const void *b)
{
    const struct wv *x = a, *y = b;
    return x->v < y->v ? -1 : x->v > y->v;
}

static double wquantile(const struct wv *s, size_t n, double q)
{
    double acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += s[i].w;
        if (acc >= q)
            return s[i].v;
    }
    return s[n - 1].v;
}

void abc_posterior(const struct abc_result *r, size_t j, struct abc_posterior *out)
{
    size_t n = r->nparticles;
    struct wv *s = malloc(n * sizeof *s);
    out->mean = 0;
    for (size_t i = 0; i < n; i++)
        out->mean += r->weight[i] * r->theta[i * r->nparams + j];
    if (s == NULL) {
        out->median = out->lo90 = out->hi90 = NAN;
        return;
    }
    for (size_t i = 0; i < n; i++)
        s[i] = (struct wv){r->theta[i * r->nparams + j], r->weight[i]};
    qsort(s, n, sizeof *s, cmp_wv);
    out->median = wquantile(s, n, 0.5);
    out->lo90 = wquantile(s, n, 0.05);
    out->hi90 = wquantile(s, n, 0.95);
    free(s);
}
