/*
** agreement.c — Krippendorff's alpha, Cohen's and Fleiss' kappa (see
** agreement.h for the formulas and the contracts).
**
** Alpha never forms the V × V coincidence matrix: the sums of delta^2 over
** pairs are computed from each unit's (value, count) runs and from the
** marginals n_c, which for nominal, interval and ordinal data take O(V)
** (sum over ordered pairs of n_c n_k (p_c - p_k)^2 = 2 n sum n_c (p_c - mean)^2),
** and O(V^2) only for ratio. The same routine serves the bootstrap, which
** weights each unit by the number of times it was drawn.
*/
#include "stats/agreement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

const char *agree_level_name(enum agree_level level)
{
    switch (level) {
    case AGREE_NOMINAL: return "nominal";
    case AGREE_ORDINAL: return "ordinal";
    case AGREE_INTERVAL: return "interval";
    case AGREE_RATIO: return "ratio";
    }
    return "?";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sort_small(double *v, size_t m)
{
    if (m > 32) {
        qsort(v, m, sizeof *v, cmp_double);
        return;
    }
    for (size_t i = 1; i < m; i++) {
        double t = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > t; j--)
            v[j] = v[j - 1];
        v[j] = t;
    }
}

/* The index of v in the sorted distinct values val[0..nv-1] (v is there). */
static size_t find(const double *val, size_t nv, double v)
{
    size_t lo = 0, hi = nv;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (val[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The pairable units as runs: unit u has runs [start[u], start[u+1]) of
** (index into val, count), m[u] values in all. */
struct prep {
    enum agree_level level;
    double *val;       /* [nv] distinct values, ascending */
    size_t nv;
    size_t nunits;     /* pairable units */
    size_t nunpaired;
    size_t *start;     /* [nunits + 1] */
    size_t *idx;       /* [runs] */
    double *cnt;       /* [runs] */
    double *m;         /* [nunits] */
    double *nc;        /* [nv] scratch: marginals */
    double *pos;       /* [nv] scratch: the position used by the metric */
    double *su;        /* [nunits] per-unit sum of delta^2 / (m - 1), unless ordinal */
};

static void prep_free(struct prep *p)
{
    free(p->val);
    free(p->start);
    free(p->idx);
    free(p->cnt);
    free(p->m);
    free(p->nc);
    free(p->pos);
    free(p->su);
}

static int check_matrix(const double *x, size_t nunits, size_t ncoders, duet_err *e)
{
    if (nunits == 0)
        return duet_errf(e, DUET_EINPUT, "no units: there is nothing to agree on");
    if (ncoders < 2)
        return duet_errf(e, DUET_EINPUT, "%zu coder%s: agreement needs at least two coders",
                         ncoders, ncoders == 1 ? "" : "s");
    if (nunits > SIZE_MAX / ncoders / sizeof(double))
        return duet_errf(e, DUET_EINPUT, "%zu units x %zu coders is too large", nunits, ncoders);
    for (size_t k = 0; k < nunits * ncoders; k++)
        if (isinf(x[k]))
            return duet_errf(e, DUET_EINPUT, "unit %zu, coder %zu: the value is infinite",
                             k / ncoders + 1, k % ncoders + 1);
    return 0;
}

/* Sum over ordered pairs (a != b) of a unit's / the sample's values of
** delta^2, given (position, count) for each of nr runs. */
static double pair_sum(enum agree_level level, const double *posv, const double *cnt,
                       size_t nr, double total)
{
    double s = 0;
    if (level == AGREE_NOMINAL) {
        double sq = 0;
        for (size_t r = 0; r < nr; r++)
            sq += cnt[r] * cnt[r];
        return total * total - sq;
    }
    if (level == AGREE_RATIO) {
        for (size_t a = 0; a < nr; a++)
            for (size_t b = a + 1; b < nr; b++) {
                double den = posv[a] + posv[b];
                if (den > 0 && cnt[a] > 0 && cnt[b] > 0) {
                    double d = (posv[a] - posv[b]) / den;
                    s += cnt[a] * cnt[b] * d * d;
                }
            }
        return 2 * s;
    }
    /* interval and ordinal: 2 n sum n_c (p_c - mean)^2, mean refined once */
    double mean = 0;
    for (size_t r = 0; r < nr; r++)
        mean += cnt[r] * posv[r];
    mean /= total;
    double corr = 0;
    for (size_t r = 0; r < nr; r++)
        corr += cnt[r] * (posv[r] - mean);
    mean += corr / total;
    for (size_t r = 0; r < nr; r++) {
        double d = posv[r] - mean;
        s += cnt[r] * d * d;
    }
    return 2 * total * s;
}

#define FEW_VALUES 64   /* distinct values kept in a small sorted set before sorting all */

/* Leaves the distinct values of v[0..n) in v[0..nv), ascending, and returns
** nv. Coding data have a handful of categories, so a small sorted set found
** by binary search does it in one pass; past FEW_VALUES distinct values, a
** sort of everything. */
static size_t distinct_values(double *v, size_t n)
{
    double few[FEW_VALUES];
    size_t nf = 0;
    for (size_t k = 0; k < n; k++) {
        size_t lo = 0, hi = nf;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (few[mid] < v[k])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < nf && few[lo] == v[k])
            continue;
        if (nf == FEW_VALUES) {
            qsort(v, n, sizeof *v, cmp_double);
            size_t nv = 0;
            for (size_t i = 0; i < n; i++)
                if (nv == 0 || v[i] != v[nv - 1])
                    v[nv++] = v[i];
            return nv;
        }
        memmove(few + lo + 1, few + lo, (nf - lo) * sizeof *few);
        few[lo] = v[k];
        nf++;
    }
    memcpy(v, few, nf * sizeof *v);
    return nf;
}

static int prep_init(struct prep *p, const double *x, size_t nunits, size_t ncoders,
                     enum agree_level level, duet_err *e)
{
    memset(p, 0, sizeof *p);
    p->level = level;
    if (level != AGREE_NOMINAL && level != AGREE_ORDINAL && level != AGREE_INTERVAL &&
        level != AGREE_RATIO)
        return duet_errf(e, DUET_EINPUT, "unknown level of measurement %d", (int)level);
    if (check_matrix(x, nunits, ncoders, e) != 0)
        return -1;
    size_t nval = 0, npu = 0;
    for (size_t u = 0; u < nunits; u++) {
        size_t m = 0;
        for (size_t c = 0; c < ncoders; c++)
            m += !isnan(x[u * ncoders + c]);
        if (m >= 2) {
            npu++;
            nval += m;
        } else if (m == 1) {
            p->nunpaired++;
        }
    }
    if (npu == 0)
        return duet_errf(e, DUET_EINPUT, "no pairable unit: no unit has values from two "
                         "coders, so there is no agreement to measure");
    p->val = malloc(nval * sizeof *p->val);
    p->start = malloc((npu + 1) * sizeof *p->start);
    p->idx = malloc(nval * sizeof *p->idx);
    p->cnt = malloc(nval * sizeof *p->cnt);
    p->m = malloc(npu * sizeof *p->m);
    double *row = malloc(ncoders * sizeof *row);
    if (!p->val || !p->start || !p->idx || !p->cnt || !p->m || !row) {
        free(row);
        prep_free(p);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu values", nval);
    }
    size_t k = 0;
    for (size_t u = 0; u < nunits; u++) {
        size_t m = 0;
        for (size_t c = 0; c < ncoders; c++)
            m += !isnan(x[u * ncoders + c]);
        if (m < 2)
            continue;
        for (size_t c = 0; c < ncoders; c++)
            if (!isnan(x[u * ncoders + c]))
                p->val[k++] = x[u * ncoders + c];
    }
    for (k = 0; k < nval; k++)
        if (level == AGREE_RATIO && p->val[k] < 0) {
            double neg = p->val[k];
            free(row);
            prep_free(p);
            return duet_errf(e, DUET_EINPUT, "value %g is negative; the ratio metric needs "
                             "values of 0 or more (use the interval level)", neg);
        }
    size_t nv = distinct_values(p->val, nval);
    p->nv = nv;
    if (nv == 1) {
        double only = p->val[0];
        free(row);
        prep_free(p);
        return duet_errf(e, DUET_EINPUT, "every pairable value is %g: with a single distinct "
                         "value alpha is undefined (no variation to agree on)", only);
    }
    if (level == AGREE_RATIO && nv > AGREE_MAX_RATIO_VALUES) {
        free(row);
        prep_free(p);
        return duet_errf(e, DUET_EINPUT, "%zu distinct values: the ratio metric handles at "
                         "most %d", nv, AGREE_MAX_RATIO_VALUES);
    }
    double *shrunk = realloc(p->val, nv * sizeof *p->val);
    if (shrunk)
        p->val = shrunk;
    p->nc = malloc(nv * sizeof *p->nc);
    p->pos = malloc(nv * sizeof *p->pos);
    p->su = malloc(npu * sizeof *p->su);
    if (!p->nc || !p->pos || !p->su) {
        free(row);
        prep_free(p);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu values", nv);
    }
    size_t r = 0, pu = 0;
    for (size_t u = 0; u < nunits; u++) {
        size_t m = 0;
        for (size_t c = 0; c < ncoders; c++)
            if (!isnan(x[u * ncoders + c]))
                row[m++] = x[u * ncoders + c];
        if (m < 2)
            continue;
        sort_small(row, m);
        p->start[pu] = r;
        p->m[pu] = (double)m;
        for (size_t i = 0; i < m; i++) {
            if (i > 0 && row[i] == row[i - 1]) {
                p->cnt[r - 1] += 1;
                continue;
            }
            p->idx[r] = find(p->val, nv, row[i]);
            p->cnt[r++] = 1;
        }
        pu++;
    }
    p->start[pu] = r;
    p->nunits = npu;
    free(row);
    if (level != AGREE_ORDINAL) {
        /* positions do not depend on the sample: per-unit sums once */
        double pv[64];
        for (size_t u = 0; u < npu; u++) {
            size_t a = p->start[u], nr = p->start[u + 1] - a;
            double s;
            if (level == AGREE_NOMINAL || nr <= 64) {
                for (size_t q = 0; q < nr && q < 64; q++)
                    pv[q] = p->val[p->idx[a + q]];
                s = pair_sum(level, pv, p->cnt + a, nr, p->m[u]);
            } else {
                double *big = malloc(nr * sizeof *big);
                if (big == NULL) {
                    prep_free(p);
                    return duet_errf(e, DUET_EINTERNAL, "out of memory");
                }
                for (size_t q = 0; q < nr; q++)
                    big[q] = p->val[p->idx[a + q]];
                s = pair_sum(level, big, p->cnt + a, nr, p->m[u]);
                free(big);
            }
            p->su[u] = s / (p->m[u] - 1);
        }
    }
    return 0;
}

/* Alpha of the prepared units, unit u weighted w[u] (NULL: 1 each). Returns
** 0, or 1 when D_e is 0 (a single distinct value among the weighted units). */
static int prep_alpha(struct prep *p, const unsigned *w, struct agree_alpha *out, double *scratch)
{
    size_t nv = p->nv;
    memset(p->nc, 0, nv * sizeof *p->nc);
    double n = 0;
    for (size_t u = 0; u < p->nunits; u++) {
        double wu = w ? (double)w[u] : 1.0;
        if (wu == 0)
            continue;
        for (size_t r = p->start[u]; r < p->start[u + 1]; r++)
            p->nc[p->idx[r]] += wu * p->cnt[r];
        n += wu * p->m[u];
    }
    if (p->level == AGREE_ORDINAL) {
        double below = 0;
        for (size_t c = 0; c < nv; c++) {
            p->pos[c] = below + p->nc[c] / 2;
            below += p->nc[c];
        }
    } else {
        memcpy(p->pos, p->val, nv * sizeof *p->pos);
    }
    double stot = pair_sum(p->level, p->pos, p->nc, nv, n);
    double so = 0;
    for (size_t u = 0; u < p->nunits; u++) {
        double wu = w ? (double)w[u] : 1.0;
        if (wu == 0)
            continue;
        if (p->level == AGREE_ORDINAL) {
            size_t a = p->start[u], nr = p->start[u + 1] - a;
            for (size_t q = 0; q < nr; q++)
                scratch[q] = p->pos[p->idx[a + q]];
            so += wu * pair_sum(AGREE_ORDINAL, scratch, p->cnt + a, nr, p->m[u]) / (p->m[u] - 1);
        } else {
            so += wu * p->su[u];
        }
    }
    if (!(stot > 0))
        return 1;
    out->d_o = so / n;
    out->d_e = stot / (n * (n - 1));
    out->alpha = 1 - (n - 1) * so / stot;
    out->n_values = (size_t)n;
    return 0;
}

static size_t max_runs(const struct prep *p)
{
    size_t mr = 1;
    for (size_t u = 0; u < p->nunits; u++)
        if (p->start[u + 1] - p->start[u] > mr)
            mr = p->start[u + 1] - p->start[u];
    return mr;
}

int agree_alpha(const double *x, size_t nunits, size_t ncoders, enum agree_level level,
                struct agree_alpha *out, duet_err *e)
{
    struct prep p;
    if (prep_init(&p, x, nunits, ncoders, level, e) != 0)
        return -1;
    double *scratch = malloc(max_runs(&p) * sizeof *scratch);
    if (scratch == NULL) {
        prep_free(&p);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    struct agree_alpha a = {0};
    int rc = prep_alpha(&p, NULL, &a, scratch);
    if (rc == 0) {
        a.n_units = p.nunits;
        a.n_distinct = p.nv;
        a.n_unpaired = p.nunpaired;
        *out = a;
    } else {
        rc = duet_errf(e, DUET_EINPUT, "the pairable values do not vary: alpha is undefined");
    }
    free(scratch);
    prep_free(&p);
    return rc;
}

/* R's quantile type 7 of the sorted v[0..n-1]. */
static double quantile7(const double *v, size_t n, double prob)
{
    double h = (double)(n - 1) * prob;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

int agree_alpha_bootstrap(const double *x, size_t nunits, size_t ncoders,
                          enum agree_level level, size_t b, uint64_t seed,
                          struct agree_boot *out, duet_err *e)
{
    if (b < 1 || b > AGREE_MAX_BOOTSTRAP)
        return duet_errf(e, DUET_EINPUT, "%zu bootstrap replicates: give 1 to %d", b,
                         AGREE_MAX_BOOTSTRAP);
    struct prep p;
    if (prep_init(&p, x, nunits, ncoders, level, e) != 0)
        return -1;
    double *scratch = malloc(max_runs(&p) * sizeof *scratch);
    unsigned *w = malloc(p.nunits * sizeof *w);
    double *rep = malloc(b * sizeof *rep);
    if (!scratch || !w || !rep) {
        free(scratch);
        free(w);
        free(rep);
        prep_free(&p);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu replicates", b);
    }
    rng g;
    rng_seed(&g, seed);
    size_t used = 0;
    for (size_t k = 0; k < b; k++) {
        memset(w, 0, p.nunits * sizeof *w);
        for (size_t i = 0; i < p.nunits; i++)
            w[(size_t)(rng_uniform(&g) * (double)p.nunits) % p.nunits]++;
        struct agree_alpha a;
        if (prep_alpha(&p, w, &a, scratch) == 0)
            rep[used++] = a.alpha;
    }
    int rc = 0;
    if (used < 2) {
        rc = duet_errf(e, DUET_EINPUT, "only %zu of %zu bootstrap replicates have a defined "
                       "alpha: too few units vary for an interval", used, b);
    } else {
        qsort(rep, used, sizeof *rep, cmp_double);
        out->lo = quantile7(rep, used, 0.025);
        out->hi = quantile7(rep, used, 0.975);
        out->b = b;
        out->used = used;
    }
    free(scratch);
    free(w);
    free(rep);
    prep_free(&p);
    return rc;
}

/* The sorted distinct non-NaN values of v[0..n-1] into *dv (owned by the
** caller), their number into *nd. */
static int distinct(const double *v, size_t n, double **dv, size_t *nd, duet_err *e)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu values", n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            d[k++] = v[i];
    qsort(d, k, sizeof *d, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || d[i] != d[m - 1])
            d[m++] = d[i];
    *dv = d;
    *nd = m;
    return 0;
}

int agree_cohen(const double *a, const double *b, size_t n, struct agree_kappa *out,
                duet_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (isinf(a[i]) || isinf(b[i]))
            return duet_errf(e, DUET_EINPUT, "unit %zu: the value is infinite", i + 1);
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += !isnan(a[i]) && !isnan(b[i]);
    if (used == 0)
        return duet_errf(e, DUET_EINPUT, "no unit was coded by both coders, so there is no "
                         "agreement to measure");
    double *both = malloc(2 * used * sizeof *both);
    if (both == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu units", used);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(a[i]) && !isnan(b[i])) {
            both[k++] = a[i];
            both[k++] = b[i];
        }
    double *dv;
    size_t nd;
    if (distinct(both, 2 * used, &dv, &nd, e) != 0) {
        free(both);
        return -1;
    }
    free(both);
    double *ca = calloc(nd, sizeof *ca), *cb = calloc(nd, sizeof *cb);
    if (!ca || !cb) {
        free(ca);
        free(cb);
        free(dv);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    double agree = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(a[i]) || isnan(b[i]))
            continue;
        ca[find(dv, nd, a[i])] += 1;
        cb[find(dv, nd, b[i])] += 1;
        agree += a[i] == b[i];
    }
    double N = (double)used, pe = 0;
    for (size_t c = 0; c < nd; c++)
        pe += (ca[c] / N) * (cb[c] / N);
    free(ca);
    free(cb);
    free(dv);
    if (nd == 1 || pe >= 1)
        return duet_errf(e, DUET_EINPUT, "both coders used one and the same value for every "
                         "unit: chance agreement is 1 and kappa is undefined");
    out->p_o = agree / N;
    out->p_e = pe;
    out->kappa = (out->p_o - pe) / (1 - pe);
    out->n_units = used;
    out->n_dropped = n - used;
    out->n_raters = 2;
    out->n_categories = nd;
    return 0;
}

int agree_fleiss_counts(const unsigned *counts, size_t nsubjects, size_t ncat,
                        struct agree_kappa *out, duet_err *e)
{
    if (nsubjects == 0)
        return duet_errf(e, DUET_EINPUT, "no subjects: there is nothing to agree on");
    if (ncat == 0)
        return duet_errf(e, DUET_EINPUT, "no categories");
    double r = 0;
    for (size_t i = 0; i < nsubjects; i++) {
        double s = 0;
        for (size_t j = 0; j < ncat; j++)
            s += counts[i * ncat + j];
        if (i == 0)
            r = s;
        if (s != r)
            return duet_errf(e, DUET_EINPUT, "subject %zu has %.0f ratings but subject 1 has "
                             "%.0f; Fleiss' kappa needs the same number for every subject "
                             "(Krippendorff's alpha allows unequal numbers)", i + 1, s, r);
    }
    if (r < 2)
        return duet_errf(e, DUET_EINPUT, "%.0f rating%s per subject: Fleiss' kappa needs at "
                         "least two", r, r == 1 ? "" : "s");
    double pbar = 0, pe = 0, N = (double)nsubjects;
    size_t used = 0;
    for (size_t i = 0; i < nsubjects; i++) {
        double sq = 0;
        for (size_t j = 0; j < ncat; j++)
            sq += (double)counts[i * ncat + j] * counts[i * ncat + j];
        pbar += (sq - r) / (r * (r - 1));
    }
    pbar /= N;
    for (size_t j = 0; j < ncat; j++) {
        double s = 0;
        for (size_t i = 0; i < nsubjects; i++)
            s += counts[i * ncat + j];
        used += s > 0;
        pe += (s / (N * r)) * (s / (N * r));
    }
    if (used < 2 || pe >= 1)
        return duet_errf(e, DUET_EINPUT, "every rating is in one category: chance agreement "
                         "is 1 and kappa is undefined");
    out->p_o = pbar;
    out->p_e = pe;
    out->kappa = (pbar - pe) / (1 - pe);
    out->n_units = nsubjects;
    out->n_dropped = 0;
    out->n_raters = (size_t)r;
    out->n_categories = used;
    return 0;
}

int agree_fleiss(const double *x, size_t nunits, size_t ncoders, struct agree_kappa *out,
                 duet_err *e)
{
    if (check_matrix(x, nunits, ncoders, e) != 0)
        return -1;
    size_t r0 = 0;
    for (size_t u = 0; u < nunits; u++) {
        size_t m = 0;
        for (size_t c = 0; c < ncoders; c++)
            m += !isnan(x[u * ncoders + c]);
        if (u == 0)
            r0 = m;
        if (m != r0)
            return duet_errf(e, DUET_EINPUT, "unit %zu has %zu ratings but unit 1 has %zu; "
                             "Fleiss' kappa needs the same number for every unit "
                             "(Krippendorff's alpha allows missing values)", u + 1, m, r0);
    }
    if (r0 < 2)
        return duet_errf(e, DUET_EINPUT, "%zu rating%s per unit: Fleiss' kappa needs at least "
                         "two", r0, r0 == 1 ? "" : "s");
    double *dv;
    size_t nd;
    if (distinct(x, nunits * ncoders, &dv, &nd, e) != 0)
        return -1;
    unsigned *cnt = calloc(nunits * nd, sizeof *cnt);
    if (cnt == NULL) {
        free(dv);
        return duet_errf(e, DUET_EINTERNAL, "out of memory for %zu x %zu counts", nunits, nd);
    }
    for (size_t u = 0; u < nunits; u++)
        for (size_t c = 0; c < ncoders; c++)
            if (!isnan(x[u * ncoders + c]))
                cnt[u * nd + find(dv, nd, x[u * ncoders + c])]++;
    int rc = agree_fleiss_counts(cnt, nunits, nd, out, e);
    free(cnt);
    free(dv);
    return rc;
}
