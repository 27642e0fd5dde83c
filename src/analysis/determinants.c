/*
** determinants.c — APIM by a two-level linear mixed model, with bootstrap k.
*/
#include "analysis/determinants.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "stats/lmm.h"

/* One member at one module. */
struct obs {
    size_t part;          /* partnership index in d->parts */
    size_t person;        /* person index, unique per partnership member */
    int lived;
    int module;
    double y;
    double actor[DET_MAX_PREDICTORS], partner[DET_MAX_PREDICTORS];
};

static double value(const struct rel_partnership *p, size_t t, size_t m, int c)
{
    return c < 0 ? p->cell[t][m].quality : p->cell[t][m].score[c];
}

/* Resolves a construct name ("quality" = -1); -2 when unknown. */
static int construct_of(const struct rel_data *d, const char *name)
{
    if (strcmp(name, "quality") == 0)
        return -1;
    int c = rel_construct(d, name);
    return c >= 0 ? c : -2;
}

/* Builds the observations: every member-module with the outcome, every actor
** predictor and every partner predictor present. */
static struct obs *collect(const struct rel_data *d, int yc, const int *xc, size_t k, size_t *nobs,
                           size_t *npersons)
{
    size_t cap = 0, n = 0, person_base = 0;
    for (size_t i = 0; i < d->nparts; i++)
        cap += d->parts[i].nmodules * d->parts[i].nmembers;
    struct obs *v = malloc((cap ? cap : 1) * sizeof *v);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < d->nparts; i++) {
        const struct rel_partnership *p = &d->parts[i];
        for (size_t t = 0; t < p->nmodules; t++) {
            for (size_t m = 0; m < p->nmembers; m++) {
                struct obs o = {i, person_base + m, p->lived[m], p->module[t],
                                value(p, t, m, yc), {0}, {0}};
                int ok = isfinite(o.y);
                for (size_t j = 0; ok && j < k; j++) {
                    o.actor[j] = value(p, t, m, xc[j]);
                    double s = 0;
                    int cnt = 0;
                    for (size_t q = 0; q < p->nmembers; q++) {
                        double x = value(p, t, q, xc[j]);
                        if (q != m && isfinite(x)) {
                            s += x;
                            cnt++;
                        }
                    }
                    o.partner[j] = cnt ? s / cnt : NAN;
                    ok = isfinite(o.actor[j]) && isfinite(o.partner[j]);
                }
                if (ok)
                    v[n++] = o;
            }
        }
        person_base += p->nmembers;
    }
    *nobs = n;
    *npersons = person_base;
    return v;
}

/* Column layout of X: 0 intercept, 1 lived, 2 module (centred), then per
** predictor j: actor*lived, actor*system, partner*lived, partner*system. */
#define COL_ACTOR_L(j) (3 + 4 * (j))
#define COL_ACTOR_S(j) (4 + 4 * (j))
#define COL_PART_L(j) (5 + 4 * (j))
#define COL_PART_S(j) (6 + 4 * (j))

/* Fits the model to the observations listed in idx (with cluster ids). */
static int fit(const struct obs *v, const size_t *idx, const uint32_t *cluster,
               const uint32_t *person, size_t n, size_t k, size_t qclusters, size_t qpersons,
               const double *xmean, double mod_mean, struct lmm_fit *f, duet_err *e)
{
    size_t p = 3 + 4 * k;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    for (size_t r = 0; r < n; r++) {
        const struct obs *o = &v[idx[r]];
        double *row = x + r * p;
        y[r] = o->y;
        row[0] = 1;
        row[1] = o->lived;
        row[2] = o->module - mod_mean;
        for (size_t j = 0; j < k; j++) {
            double a = o->actor[j] - xmean[j], b = o->partner[j] - xmean[j];
            row[COL_ACTOR_L(j)] = o->lived ? a : 0;
            row[COL_ACTOR_S(j)] = o->lived ? 0 : a;
            row[COL_PART_L(j)] = o->lived ? b : 0;
            row[COL_PART_S(j)] = o->lived ? 0 : b;
        }
    }
    struct lmm_data dd = {n, p, y, x, 2, {cluster, person}, {qclusters, qpersons}, NULL};
    int rc = lmm_fit(&dd, 1, f, e);
    free(x);
    free(y);
    return rc;
}

static json_t *effect(const struct lmm_fit *f, size_t col)
{
    return json_pack("{s:f, s:f, s:f, s:f}", "estimate", f->beta[col], "se", f->se[col], "lo95",
                     f->ci_lo[col], "hi95", f->ci_hi[col]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *reading(double actor_lo, double actor_hi, double k)
{
    if (actor_lo <= 0 && actor_hi >= 0)
        return "withheld: the actor effect's interval covers 0";
    if (!isfinite(k))
        return "withheld";
    double d1 = fabs(k - 1), d0 = fabs(k), dm = fabs(k + 1);
    if (d1 <= d0 && d1 <= dm)
        return "couple pattern (k near 1)";
    if (d0 <= dm)
        return "actor-only pattern (k near 0)";
    return "contrast pattern (k near -1)";
}

json_t *det_fit(const struct rel_data *d, const struct det_options *o, duet_err *e)
{
    int yc = construct_of(d, o->outcome);
    if (yc == -2) {
        duet_errf(e, DUET_EINPUT, "outcome '%s' is not a construct of the check-ins (nor "
                  "'quality')", o->outcome);
        return NULL;
    }
    int xc[DET_MAX_PREDICTORS];
    size_t k = o->npredictors;
    if (k == 0 || k > DET_MAX_PREDICTORS) {
        duet_errf(e, DUET_EINPUT, "give 1 to %d predictors", DET_MAX_PREDICTORS);
        return NULL;
    }
    for (size_t j = 0; j < k; j++) {
        xc[j] = construct_of(d, o->predictors[j]);
        if (xc[j] == -2) {
            duet_errf(e, DUET_EINPUT, "predictor '%s' is not a construct of the check-ins",
                      o->predictors[j]);
            return NULL;
        }
        if (xc[j] == yc) {
            duet_errf(e, DUET_EINPUT, "'%s' cannot be both the outcome and a predictor",
                      o->predictors[j]);
            return NULL;
        }
    }
    size_t n, npersons;
    struct obs *v = collect(d, yc, xc, k, &n, &npersons);
    if (v == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    /* Partnerships with both sides observed. */
    size_t nboth = 0;
    for (size_t i = 0; i < d->nparts; i++) {
        int l = 0, s = 0;
        for (size_t r = 0; r < n; r++)
            if (v[r].part == i)
                *(v[r].lived ? &l : &s) = 1;
        nboth += l && s;
    }
    size_t p = 3 + 4 * k;
    if (nboth < DET_MIN_PARTNERSHIPS || n < 2 * p) {
        free(v);
        duet_errf(e, DUET_EINPUT, "too few partnerships to estimate actor and partner effects: "
                  "%zu have both sides scored on %s and the predictors (at least %d are needed, "
                  "and %zu observations for %zu coefficients)", nboth, o->outcome,
                  DET_MIN_PARTNERSHIPS, n, p);
        return NULL;
    }
    /* Grand-mean centring. */
    double xmean[DET_MAX_PREDICTORS] = {0}, mod_mean = 0;
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < k; j++)
            xmean[j] += v[r].actor[j] / (double)n;
        mod_mean += v[r].module / (double)n;
    }
    size_t *idx = malloc(n * sizeof *idx);
    uint32_t *cl = malloc(n * sizeof *cl), *pe = malloc(n * sizeof *pe);
    uint32_t *pmap = malloc((d->nparts + 1) * sizeof *pmap);
    uint32_t *qmap = malloc((npersons + 1) * sizeof *qmap);
    json_t *out = NULL;
    struct lmm_fit f = {0};
    if (!idx || !cl || !pe || !pmap || !qmap) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        goto done;
    }
    /* Levels in order of first appearance. */
    size_t qc = 0, qp = 0;
    for (size_t i = 0; i < d->nparts; i++)
        pmap[i] = UINT32_MAX;
    for (size_t i = 0; i < npersons; i++)
        qmap[i] = UINT32_MAX;
    for (size_t r = 0; r < n; r++) {
        idx[r] = r;
        if (pmap[v[r].part] == UINT32_MAX)
            pmap[v[r].part] = (uint32_t)qc++;
        if (qmap[v[r].person] == UINT32_MAX)
            qmap[v[r].person] = (uint32_t)qp++;
        cl[r] = pmap[v[r].part];
        pe[r] = qmap[v[r].person];
    }
    if (fit(v, idx, cl, pe, n, k, qc, qp, xmean, mod_mean, &f, e) != 0)
        goto done;

    /* Bootstrap over partnerships for k = partner / actor. */
    int B = o->bootstrap;
    double *kb[DET_MAX_PREDICTORS][2] = {{0}};
    int nb = 0;
    if (B > 0) {
        for (size_t j = 0; j < k; j++)
            for (int s = 0; s < 2; s++)
                kb[j][s] = malloc((size_t)B * sizeof(double));
        size_t *parts = malloc(qc * sizeof *parts), *start = malloc((d->nparts + 1) * sizeof *start);
        size_t *bidx = malloc(2 * n * sizeof *bidx + 1);
        uint32_t *bcl = malloc(2 * n * sizeof *bcl + 1), *bpe = malloc(2 * n * sizeof *bpe + 1);
        size_t *which = malloc(qc * sizeof *which);
        int ok = parts && start && bidx && bcl && bpe && which;
        for (size_t j = 0; j < k; j++)
            ok = ok && kb[j][0] && kb[j][1];
        /* The distinct partnerships in the data, by level, and each
        ** partnership's rows grouped together (a counting sort), so a
        ** resample copies a partnership's rows without scanning them all. */
        for (size_t r = 0; ok && r < n; r++)
            which[cl[r]] = v[r].part;
        size_t *order = ok ? malloc(n * sizeof *order) : NULL;
        ok = ok && order;
        for (size_t i = 0; ok && i <= d->nparts; i++)
            start[i] = 0;
        for (size_t r = 0; ok && r < n; r++)
            start[v[r].part + 1]++;
        for (size_t i = 0; ok && i < d->nparts; i++)
            start[i + 1] += start[i];
        for (size_t i = 0; ok && i < qc; i++)
            parts[i] = start[which[i]];   /* next free slot per level's partnership */
        for (size_t r = 0; ok && r < n; r++)
            order[parts[cl[r]]++] = r;
        rng g;
        rng_seed(&g, o->seed);
        for (int b = 0; ok && b < B; b++) {
            size_t m = 0;
            uint32_t np2 = 0;
            for (size_t c = 0; c < qc; c++) {
                size_t pick = which[(size_t)rng_int(&g, 0, (int)qc - 1)];
                /* Copy every observation of that partnership as a new cluster
                ** c; its persons become new levels within the cluster. */
                size_t m0 = m;
                for (size_t x = start[pick]; x < start[pick + 1] && m < 2 * n; x++) {
                    size_t r = order[x];
                    bidx[m] = r;
                    bcl[m] = (uint32_t)c;
                    bpe[m] = UINT32_MAX;
                    for (size_t y = m0; y < m; y++)
                        if (v[bidx[y]].person == v[r].person)
                            bpe[m] = bpe[y];
                    if (bpe[m] == UINT32_MAX)
                        bpe[m] = np2++;
                    m++;
                }
            }
            struct lmm_fit fb = {0};
            duet_err be;
            if (m > p && fit(v, bidx, bcl, bpe, m, k, qc, np2, xmean, mod_mean, &fb, &be) == 0) {
                for (size_t j = 0; j < k; j++) {
                    kb[j][1][nb] = fb.beta[COL_PART_L(j)] / fb.beta[COL_ACTOR_L(j)];
                    kb[j][0][nb] = fb.beta[COL_PART_S(j)] / fb.beta[COL_ACTOR_S(j)];
                }
                nb++;
            }
            lmm_fit_free(&fb);
        }
        free(order);
        free(parts);
        free(start);
        free(bidx);
        free(bcl);
        free(bpe);
        free(which);
    }

    json_t *effects = json_object();
    for (size_t j = 0; j < k; j++) {
        json_t *kj = json_object();
        for (int s = 1; s >= 0; s--) {
            size_t ac = s ? COL_ACTOR_L(j) : COL_ACTOR_S(j);
            size_t pc = s ? COL_PART_L(j) : COL_PART_S(j);
            double kk = f.beta[pc] / f.beta[ac];
            double lo = NAN, hi = NAN;
            if (nb >= 20) {
                qsort(kb[j][s], (size_t)nb, sizeof(double), cmp_double);
                lo = kb[j][s][(size_t)floor(0.025 * (nb - 1))];
                hi = kb[j][s][(size_t)ceil(0.975 * (nb - 1))];
            }
            json_object_set_new(kj, s ? "lived_experience" : "system",
                                json_pack("{s:o, s:o, s:o, s:s}", "estimate",
                                          isfinite(kk) ? json_real(kk) : json_null(), "lo95",
                                          isfinite(lo) ? json_real(lo) : json_null(), "hi95",
                                          isfinite(hi) ? json_real(hi) : json_null(), "reading",
                                          reading(f.ci_lo[ac], f.ci_hi[ac], kk)));
        }
        json_object_set_new(effects, o->predictors[j], json_pack(
            "{s:{s:o, s:o}, s:{s:o, s:o}, s:o}",
            "actor", "lived_experience", effect(&f, COL_ACTOR_L(j)), "system",
            effect(&f, COL_ACTOR_S(j)),
            "partner", "on_lived_experience", effect(&f, COL_PART_L(j)), "on_system",
            effect(&f, COL_PART_S(j)), "k", kj));
    }
    for (size_t j = 0; j < k; j++) {
        free(kb[j][0]);
        free(kb[j][1]);
    }
    out = json_pack("{s:s, s:o, s:i, s:i, s:i, s:o, s:o, s:o, s:{s:f, s:f, s:f}, s:o, s:f, s:b, s:b, s:i, s:I, s:s}",
                    "outcome", o->outcome, "predictors", json_array(), "observations", (int)n,
                    "partnerships", (int)qc, "persons", (int)qp,
                    "intercept", effect(&f, 0), "side_effect", effect(&f, 1),
                    "module_effect", effect(&f, 2),
                    "variances", "partnership", f.tau2[0], "person", f.tau2[1], "residual",
                    f.sigma2,
                    "effects", effects, "log_likelihood", f.loglik, "converged", f.converged, "singular", f.singular,
                    "bootstrap_resamples", nb, "bootstrap_seed", (json_int_t)o->seed,
                    "note", "predictors are grand-mean centred; in a triad a member's partner is "
                            "the mean of the other members; REML with random intercepts for "
                            "partnership and person");
    for (size_t j = 0; j < k; j++)
        json_array_append_new(json_object_get(out, "predictors"), json_string(o->predictors[j]));
done:
    lmm_fit_free(&f);
    free(idx);
    free(cl);
    free(pe);
    free(pmap);
    free(qmap);
    free(v);
    return out;
}
