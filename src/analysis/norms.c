/*
** norms.c — positions, distances, regimes, movement and viewpoints from
** Q-sorts (definitions in norms.h; how to read them in docs/norms.md).
*/
#include "analysis/norms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/qfactor.h"
#include "store/store.h"

static int oom(duet_err *e) { return duet_errf(e, DUET_EINTERNAL, "out of memory"); }

/* A number, or null when it is not finite. */
static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

/* ------------------------------------------------------------------ */
/* pure functions                                                      */

void norms_positions(const struct qset *q, const int *values, double *pos)
{
    for (size_t k = 0; k < q->ndims; k++)
        pos[k] = 0;
    for (size_t i = 0; i < q->nstatements; i++)
        pos[q->statements[i].dimension] += q->statements[i].polarity * (double)values[i];
    for (size_t k = 0; k < q->ndims; k++)
        pos[k] = pos[k] / (double)q->dims[k].nstatements / qset_dimension_max(q, k);
}

double norms_mean(const double *pos, size_t k)
{
    double s = 0;
    for (size_t i = 0; i < k; i++)
        s += pos[i];
    return k ? s / (double)k : NAN;
}

double norms_distance(const double *a, const double *b, size_t k)
{
    double s = 0;
    for (size_t i = 0; i < k; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return k ? sqrt(s / (double)k) : NAN;
}

enum sim_regime norms_regime(double d0, double dm, double xbar)
{
    if (dm > 1.1 * d0)
        return SIM_POLARISED;
    if (dm < 0.6 * d0 && fabs(xbar) <= 1.0 / 3)
        return SIM_PARTNERSHIP;
    if (dm < 0.6 * d0 && xbar < -1.0 / 3)
        return SIM_PATIENT_NATIVE;
    if (dm < 0.6 * d0 && xbar > 1.0 / 3)
        return SIM_SYSTEM_NATIVE;
    return SIM_STALLED;
}

double norms_moved_toward(const double *from, const double *to, const double *toward, size_t k)
{
    double gg = 0, dg = 0;
    for (size_t i = 0; i < k; i++) {
        double g = toward[i] - from[i];
        gg += g * g;
        dg += (to[i] - from[i]) * g;
    }
    return gg > 0 ? dg / gg : NAN;
}

/* ------------------------------------------------------------------ */
/* loading                                                             */

struct lctx {
    struct norms_data *d;
    size_t capsorts, capparts;
    char *qset;
    int qset_version;
    char other[160];
    int several;
    size_t *nvalues;             /* per sort: values seen */
};

static char *dup(const char *s) { return strdup(s ? s : ""); }

static int load_row(void *ctx, const struct store_qsort_row *row, duet_err *e)
{
    struct lctx *c = ctx;
    struct norms_data *d = c->d;
    if (c->qset == NULL) {
        if ((c->qset = dup(row->qset)) == NULL)
            return oom(e);
        c->qset_version = row->qset_version;
    }
    if (strcmp(c->qset, row->qset) != 0 || c->qset_version != row->qset_version) {
        c->several = 1;
        snprintf(c->other, sizeof c->other, "'%s' version %d", row->qset, row->qset_version);
        return 0;
    }
    struct norms_partnership *p = d->nparts ? &d->parts[d->nparts - 1] : NULL;
    if (p == NULL || strcmp(p->code, row->partnership) != 0 ||
        strcmp(p->cohort, row->cohort) != 0) {
        if (d->nparts == c->capparts) {
            size_t n = c->capparts ? c->capparts * 2 : 16;
            struct norms_partnership *v = realloc(d->parts, n * sizeof *v);
            if (v == NULL)
                return oom(e);
            d->parts = v;
            c->capparts = n;
        }
        p = &d->parts[d->nparts++];
        memset(p, 0, sizeof *p);
        p->first = d->nsorts;
        p->code = dup(row->partnership);
        p->cohort = dup(row->cohort);
        p->kind = dup(row->kind);
        if (p->code == NULL || p->cohort == NULL || p->kind == NULL)
            return oom(e);
    }
    struct norms_sort *s = p->n ? &d->sorts[d->nsorts - 1] : NULL;
    if (s == NULL || s->module != row->module || strcmp(s->person, row->person) != 0) {
        if (d->nsorts == c->capsorts) {
            size_t n = c->capsorts ? c->capsorts * 2 : 64;
            struct norms_sort *v = realloc(d->sorts, n * sizeof *v);
            size_t *nv = realloc(c->nvalues, n * sizeof *nv);
            if (nv)
                c->nvalues = nv;
            if (v)
                d->sorts = v;
            if (v == NULL || nv == NULL)
                return oom(e);
            c->capsorts = n;
        }
        s = &d->sorts[d->nsorts];
        memset(s, 0, sizeof *s);
        c->nvalues[d->nsorts] = 0;
        d->nsorts++;
        p->n++;
        s->person = dup(row->person);
        s->role = dup(row->role);
        s->lived = strcmp(row->side, "lived_experience") == 0;
        s->module = row->module;
        s->values = calloc(QSET_MAX_STATEMENTS, sizeof *s->values);
        if (s->person == NULL || s->role == NULL || s->values == NULL)
            return oom(e);
    }
    if (row->ordinal < 1 || row->ordinal > QSET_MAX_STATEMENTS)
        return duet_errf(e, DUET_EINTERNAL, "statement ordinal %d is out of range", row->ordinal);
    s->values[row->ordinal - 1] = row->value;
    c->nvalues[d->nsorts - 1]++;
    return 0;
}

void norms_free(struct norms_data *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->nsorts; i++) {
        free(d->sorts[i].person);
        free(d->sorts[i].role);
        free(d->sorts[i].values);
        free(d->sorts[i].pos);
    }
    for (size_t i = 0; i < d->nparts; i++) {
        free(d->parts[i].code);
        free(d->parts[i].cohort);
        free(d->parts[i].kind);
    }
    free(d->sorts);
    free(d->parts);
    qset_free(&d->q);
    memset(d, 0, sizeof *d);
}

int norms_load(struct store *st, const struct norms_options *o, struct norms_data *d,
               duet_err *e)
{
    memset(d, 0, sizeof *d);
    struct lctx c;
    memset(&c, 0, sizeof c);
    c.d = d;
    int rc = store_qsort_each(st, o->cohort, 0, o->qset, o->purpose, load_row, &c, e);
    if (rc == 0 && c.several)
        rc = duet_errf(e, DUET_EINPUT, "the sorts use more than one Q-set ('%s' version %d, %s); "
                       "choose one with --qset", c.qset, c.qset_version, c.other);
    if (rc == 0 && c.qset != NULL)
        rc = store_qset_get(st, c.qset, c.qset_version, &d->q, NULL, e);
    for (size_t i = 0; rc == 0 && i < d->nsorts; i++) {
        struct norms_sort *s = &d->sorts[i];
        if (c.nvalues[i] != d->q.nstatements) {
            rc = duet_errf(e, DUET_EINTERNAL, "the sort of '%s' at module %d places %zu of the "
                           "%zu statements", s->person, s->module, c.nvalues[i],
                           d->q.nstatements);
            break;
        }
        s->pos = malloc(d->q.ndims * sizeof *s->pos);
        if (s->pos == NULL) {
            rc = oom(e);
            break;
        }
        norms_positions(&d->q, s->values, s->pos);
        s->x = norms_mean(s->pos, d->q.ndims);
    }
    free(c.qset);
    free(c.nvalues);
    if (rc != 0)
        norms_free(d);
    return rc;
}

/* ------------------------------------------------------------------ */
/* one partnership                                                     */

static const char *side_name(int lived) { return lived ? "lived_experience" : "system"; }

/* {dim: p} for the Q-set's dimensions. */
static json_t *dims_json(const struct qset *q, const double *pos)
{
    json_t *o = json_object();
    for (size_t k = 0; o && k < q->ndims; k++)
        json_object_set_new(o, q->dims[k].name, jnum(pos[k]));
    return o;
}

/* The mean position of side `lived` at module m into out; 0 when nobody on
** that side sorted at m. */
static int side_at(const struct norms_data *d, const struct norms_partnership *p, int m, int lived,
                   double *out)
{
    size_t K = d->q.ndims, n = 0;
    for (size_t k = 0; k < K; k++)
        out[k] = 0;
    for (size_t i = p->first; i < p->first + p->n; i++) {
        const struct norms_sort *s = &d->sorts[i];
        if (s->module != m || s->lived != lived)
            continue;
        for (size_t k = 0; k < K; k++)
            out[k] += s->pos[k];
        n++;
    }
    for (size_t k = 0; n && k < K; k++)
        out[k] /= (double)n;
    return n > 0;
}

static const struct norms_sort *sort_of(const struct norms_data *d,
                                        const struct norms_partnership *p, const char *person,
                                        int m)
{
    for (size_t i = p->first; i < p->first + p->n; i++)
        if (d->sorts[i].module == m && strcmp(d->sorts[i].person, person) == 0)
            return &d->sorts[i];
    return NULL;
}

/* The summary numbers of a partnership, for its report and the cohort's. */
struct pair_summary {
    int first, last;             /* modules where both sides sorted; 0 when none */
    double d0, dm, xl, xs, xbar;
    int has_regime;
    enum sim_regime regime;
};

static void summarise(const struct norms_data *d, const struct norms_partnership *p,
                      struct pair_summary *ps)
{
    size_t K = d->q.ndims;
    double a[QSET_MAX_DIMENSIONS], b[QSET_MAX_DIMENSIONS];
    memset(ps, 0, sizeof *ps);
    ps->d0 = ps->dm = ps->xl = ps->xs = ps->xbar = NAN;
    for (size_t i = p->first; i < p->first + p->n; i++) {
        int m = d->sorts[i].module;
        if (side_at(d, p, m, 1, a) && side_at(d, p, m, 0, b)) {
            if (ps->first == 0)
                ps->first = m;
            ps->last = m;
        }
    }
    if (ps->first == 0)
        return;
    side_at(d, p, ps->first, 1, a);
    side_at(d, p, ps->first, 0, b);
    ps->d0 = norms_distance(a, b, K);
    if (ps->last == ps->first)
        return;
    side_at(d, p, ps->last, 1, a);
    side_at(d, p, ps->last, 0, b);
    ps->dm = norms_distance(a, b, K);
    ps->xl = norms_mean(a, K);
    ps->xs = norms_mean(b, K);
    ps->xbar = (ps->xl + ps->xs) / 2;
    ps->has_regime = 1;
    ps->regime = norms_regime(ps->d0, ps->dm, ps->xbar);
}

static const struct norms_partnership *find_part(const struct norms_data *d, const char *code)
{
    for (size_t i = 0; i < d->nparts; i++)
        if (strcmp(d->parts[i].code, code) == 0)
            return &d->parts[i];
    return NULL;
}

static json_t *partnership_json(const struct norms_data *d, const struct norms_partnership *p)
{
    size_t K = d->q.ndims;
    double a[QSET_MAX_DIMENSIONS], b[QSET_MAX_DIMENSIONS];
    struct pair_summary ps;
    summarise(d, p, &ps);

    /* Members: lived-experience side first, then in the order of the sorts. */
    const struct norms_sort *mem[NORMS_MAX_MEMBERS * 4];
    size_t nmem = 0;
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = p->first; i < p->first + p->n; i++) {
            const struct norms_sort *s = &d->sorts[i];
            int seen = s->lived != pass;
            for (size_t j = 0; !seen && j < nmem; j++)
                seen = strcmp(mem[j]->person, s->person) == 0;
            if (!seen && nmem < sizeof mem / sizeof mem[0])
                mem[nmem++] = s;
        }
    json_t *members = json_array();
    for (size_t j = 0; j < nmem; j++)
        json_array_append_new(members, json_pack("{s:s, s:s, s:s}", "person", mem[j]->person,
                                                 "side", side_name(mem[j]->lived), "role",
                                                 mem[j]->role));

    json_t *modules = json_array();
    for (size_t i = p->first; i < p->first + p->n; i++) {
        int m = d->sorts[i].module;
        if (i > p->first && d->sorts[i - 1].module == m)
            continue;
        json_t *sorts = json_array();
        for (size_t j = i; j < p->first + p->n && d->sorts[j].module == m; j++) {
            const struct norms_sort *s = &d->sorts[j];
            json_array_append_new(sorts, json_pack("{s:s, s:s, s:o, s:o}", "person", s->person,
                                                   "side", side_name(s->lived), "positions",
                                                   dims_json(&d->q, s->pos), "x", jnum(s->x)));
        }
        int hl = side_at(d, p, m, 1, a), hs = side_at(d, p, m, 0, b);
        json_t *sides = json_object();
        json_object_set_new(sides, "lived_experience", hl ? dims_json(&d->q, a) : json_null());
        json_object_set_new(sides, "system", hs ? dims_json(&d->q, b) : json_null());
        json_array_append_new(modules, json_pack("{s:i, s:o, s:o, s:o}", "module", m, "sorts",
                                                 sorts, "sides", sides, "distance",
                                                 hl && hs ? jnum(norms_distance(a, b, K))
                                                          : json_null()));
    }

    /* Movement toward the other side's first position. */
    json_t *moves = json_array();
    double share[2] = {0, 0};
    int nshare[2] = {0, 0};
    if (ps.has_regime) {
        for (size_t j = 0; j < nmem; j++) {
            const struct norms_sort *s0 = sort_of(d, p, mem[j]->person, ps.first);
            const struct norms_sort *s1 = sort_of(d, p, mem[j]->person, ps.last);
            double other[QSET_MAX_DIMENSIONS], v = NAN;
            if (s0 && s1 && side_at(d, p, ps.first, !mem[j]->lived, other))
                v = norms_moved_toward(s0->pos, s1->pos, other, K);
            if (isfinite(v)) {
                share[mem[j]->lived] += v;
                nshare[mem[j]->lived]++;
            }
            json_array_append_new(moves, json_pack("{s:s, s:s, s:o}", "person", mem[j]->person,
                                                   "side", side_name(mem[j]->lived),
                                                   "toward_other_side", jnum(v)));
        }
    }
    double sl = nshare[1] ? share[1] / nshare[1] : NAN;
    double ss = nshare[0] ? share[0] / nshare[0] : NAN;
    const char *who = NULL;
    if (isfinite(sl) && isfinite(ss)) {
        int ml = sl >= NORMS_MOVED, ms = ss >= NORMS_MOVED;
        who = ml && ms ? "both" : ml ? "lived_experience" : ms ? "system"
            : sl <= -NORMS_MOVED && ss <= -NORMS_MOVED ? "apart" : "neither";
    }
    json_t *movement = json_pack("{s:o, s:o, s:o, s:s?}", "members", moves, "lived_experience",
                                 jnum(sl), "system", jnum(ss), "who_moved", who);

    json_t *out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "partnership", p->code, "cohort",
                            p->cohort, "kind", p->kind, "members", members, "modules", modules);
    if (out == NULL)
        return NULL;
    json_object_set_new(out, "first_module", ps.first ? json_integer(ps.first) : json_null());
    json_object_set_new(out, "last_module",
                        ps.has_regime ? json_integer(ps.last) : json_null());
    json_object_set_new(out, "d0", jnum(ps.d0));
    json_object_set_new(out, "dm", jnum(ps.dm));
    json_object_set_new(out, "dm_over_d0", jnum(ps.d0 > 0 ? ps.dm / ps.d0 : NAN));
    json_object_set_new(out, "x", json_pack("{s:o, s:o}", "lived_experience", jnum(ps.xl),
                                            "system", jnum(ps.xs)));
    json_object_set_new(out, "xbar", jnum(ps.xbar));
    json_object_set_new(out, "regime", ps.has_regime ? json_string(sim_regime_name(ps.regime))
                                                     : json_null());
    json_object_set_new(out, "movement", movement);
    return out;
}

json_t *norms_partnership_report(const struct norms_data *d, const char *code, duet_err *e)
{
    const struct norms_partnership *p = find_part(d, code);
    if (p == NULL) {
        duet_errf(e, DUET_ENOTFOUND, "partnership '%s' has no sorts", code);
        return NULL;
    }
    json_t *out = partnership_json(d, p);
    if (out == NULL)
        oom(e);
    return out;
}

/* ------------------------------------------------------------------ */
/* viewpoints                                                          */

json_t *norms_viewpoints(const struct norms_data *d, int module, int factors, duet_err *e)
{
    const struct qset *q = &d->q;
    if (module == 0)
        for (size_t i = 0; i < d->nsorts; i++)
            if (d->sorts[i].module > module)
                module = d->sorts[i].module;
    size_t n = 0, N = q->nstatements;
    for (size_t i = 0; i < d->nsorts; i++)
        n += d->sorts[i].module == module;
    if (n < 3) {
        duet_errf(e, DUET_EINPUT, "%zu sort%s at module %d; viewpoints need at least 3", n,
                  n == 1 ? " was made" : "s were made", module);
        return NULL;
    }
    int requested = factors > 0 ? factors : NORMS_DEFAULT_FACTORS;
    if (requested > QF_MAX_FACTORS) {
        duet_errf(e, DUET_EINPUT, "%d factors; at most %d", requested, QF_MAX_FACTORS);
        return NULL;
    }
    /* Q factor analysis extracts fewer factors than there are sorts and
    ** fewer than there are statements. */
    size_t F = (size_t)requested;
    if (F > n - 1)
        F = n - 1;
    if (F > N - 1)
        F = N - 1;
    double *x = malloc(n * N * sizeof *x);
    const struct norms_sort **who = malloc(n * sizeof *who);
    const char **code = malloc(n * sizeof *code);
    if (x == NULL || who == NULL || code == NULL) {
        free(x);
        free(who);
        free(code);
        oom(e);
        return NULL;
    }
    size_t j = 0;
    for (size_t pi = 0; pi < d->nparts; pi++)
        for (size_t i = d->parts[pi].first; i < d->parts[pi].first + d->parts[pi].n; i++) {
            if (d->sorts[i].module != module)
                continue;
            for (size_t s = 0; s < N; s++)
                x[j * N + s] = d->sorts[i].values[s];
            who[j] = &d->sorts[i];
            code[j] = d->parts[pi].code;
            j++;
        }
    struct qf_grid grid = {q->ncols, q->value, q->count};
    const char **names = malloc(n * sizeof *names);
    for (size_t s = 0; names && s < n; s++)
        names[s] = who[s]->person;
    struct qf_options o = {.factors = (int)F, .extract = QF_PCA, .rotate = QF_VARIMAX,
                           .skip_correlations = 1, .names = names};
    struct qf_result r;
    memset(&r, 0, sizeof r);
    int qrc = qf_analyse(x, N, n, &grid, &o, &r, e);
    free(names);
    if (qrc != 0) {
        free(x);
        free(who);
        free(code);
        return NULL;
    }

    /* Which side's sorts define each factor. */
    size_t lived[QF_MAX_FACTORS] = {0}, sys[QF_MAX_FACTORS] = {0};
    for (size_t s = 0; s < n; s++)
        for (size_t f = 0; f < F; f++)
            if (r.flagged[s * F + f]) {
                if (who[s]->lived)
                    lived[f]++;
                else
                    sys[f]++;
            }
    long lf = -1, sf = -1;
    json_t *fac = json_array();
    for (size_t f = 0; f < F; f++) {
        const char *side = lived[f] > sys[f] ? "lived_experience" : sys[f] > lived[f] ? "system"
                         : lived[f] ? "mixed" : "none";
        if (lived[f] > sys[f] && (lf < 0 || lived[f] > lived[lf]))
            lf = (long)f;
        if (sys[f] > lived[f] && (sf < 0 || sys[f] > sys[sf]))
            sf = (long)f;
        json_array_append_new(fac, json_pack("{s:i, s:o, s:o, s:i, s:i, s:i, s:s, s:o, s:o}",
                                             "factor", (int)f + 1,
                                             /* after rotation: the factor's own sum of
                                             ** squared loadings, not the unrotated
                                             ** eigenvalue of the same rank */
                                             "eigenvalue", jnum(r.explained[f] * (double)n),
                                             "explained",
                                             jnum(r.explained[f]), "flagged",
                                             (int)r.nflagged[f], "flagged_lived_experience",
                                             (int)lived[f], "flagged_system", (int)sys[f], "side",
                                             side, "reliability", jnum(r.reliability[f]), "se",
                                             jnum(r.se[f])));
    }
    json_t *loads = json_array();
    for (size_t s = 0; s < n; s++) {
        json_t *l = json_array();
        int flag = 0;
        for (size_t f = 0; f < F; f++) {
            json_array_append_new(l, jnum(r.loadings[s * F + f]));
            if (r.flagged[s * F + f])
                flag = (int)f + 1;
        }
        json_array_append_new(loads, json_pack("{s:s, s:s, s:s, s:o, s:o}", "person",
                                               who[s]->person, "partnership", code[s], "side",
                                               side_name(who[s]->lived), "loadings", l, "flagged",
                                               flag ? json_integer(flag) : json_null()));
    }
    json_t *stmts = json_array(), *shared = json_array(), *specific = json_array();
    for (size_t i = 0; i < N; i++) {
        const struct qset_statement *st = &q->statements[i];
        json_t *z = json_array(), *arr = json_array();
        for (size_t f = 0; f < F; f++) {
            json_array_append_new(z, jnum(r.zscores[i * F + f]));
            int a = r.array[i * F + f];   /* QF_NO_VALUE: no sort defines f */
            json_array_append_new(arr, a == QF_NO_VALUE ? json_null() : json_integer(a));
        }
        json_array_append_new(stmts, json_pack("{s:s, s:s, s:s, s:i, s:o, s:o, s:b}", "id",
                                               st->id, "text", st->text, "dimension",
                                               q->dims[st->dimension].name, "polarity",
                                               st->polarity, "z", z, "array", arr, "consensus",
                                               r.consensus[i]));
        if (r.consensus[i])
            json_array_append_new(shared, json_string(st->id));
    }
    json_t *side_specific = json_null();
    if (lf >= 0 && sf >= 0) {
        /* Statements two or more columns apart, the lived side's highest first. */
        size_t *idx = malloc(N * sizeof *idx);
        size_t m = 0;
        for (size_t i = 0; idx && i < N; i++) {
            int diff = r.array[i * F + (size_t)lf] - r.array[i * F + (size_t)sf];
            if (abs(diff) >= 2)
                idx[m++] = i;
        }
        for (size_t a = 1; idx && a < m; a++)   /* insertion sort: stable, N is small */
            for (size_t b = a; b > 0; b--) {
                size_t u = idx[b - 1], v = idx[b];
                int du = r.array[u * F + (size_t)lf] - r.array[u * F + (size_t)sf];
                int dv = r.array[v * F + (size_t)lf] - r.array[v * F + (size_t)sf];
                if (dv <= du)
                    break;
                idx[b - 1] = v;
                idx[b] = u;
            }
        for (size_t a = 0; idx && a < m; a++) {
            size_t i = idx[a];
            const struct qset_statement *st = &q->statements[i];
            int al = r.array[i * F + (size_t)lf], as = r.array[i * F + (size_t)sf];
            json_array_append_new(specific, json_pack(
                "{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "id", st->id, "text", st->text,
                "dimension", q->dims[st->dimension].name, "polarity", st->polarity,
                "lived_experience", al, "system", as, "difference", al - as, "distinguishing",
                r.distinguishing[(i * F + (size_t)lf) * F + (size_t)sf]));
        }
        free(idx);
        side_specific = json_pack("{s:i, s:i, s:o}", "lived_experience_factor", (int)lf + 1,
                                  "system_factor", (int)sf + 1, "statements", specific);
    } else {
        json_decref(specific);
    }
    json_t *out = json_pack("{s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "module", module,
                            "sorts", (int)n, "factors_requested", requested, "factors_extracted",
                            (int)F, "factors", fac, "loadings", loads, "statements", stmts,
                            "shared_norms", shared, "side_specific", side_specific);
    qf_free(&r);
    free(x);
    free(who);
    free(code);
    if (out == NULL)
        oom(e);
    return out;
}

/* ------------------------------------------------------------------ */
/* the report                                                          */

json_t *norms_report(const struct norms_data *d, const struct norms_options *o, duet_err *e)
{
    const struct qset *q = &d->q;
    if (d->nsorts == 0) {
        duet_errf(e, DUET_ENOTFOUND, "there are no sorts to analyse");
        return NULL;
    }
    json_t *dims = json_array();
    for (size_t k = 0; k < q->ndims; k++)
        json_array_append_new(dims, json_pack("{s:s, s:s, s:s, s:s}", "name", q->dims[k].name,
                                              "label", q->dims[k].label,
                                              "lived_experience_pole", q->dims[k].lived_pole,
                                              "system_pole", q->dims[k].system_pole));
    json_t *parts = json_array();
    int count[SIM_NREGIMES] = {0};
    for (size_t i = 0; i < d->nparts; i++) {
        struct pair_summary ps;
        summarise(d, &d->parts[i], &ps);
        if (ps.has_regime)
            count[ps.regime]++;
        json_array_append_new(parts, partnership_json(d, &d->parts[i]));
    }
    static const enum sim_regime order[] = {SIM_PARTNERSHIP, SIM_PATIENT_NATIVE,
                                            SIM_SYSTEM_NATIVE, SIM_POLARISED, SIM_STALLED};
    json_t *regimes = json_object();
    for (size_t k = 0; k < SIM_NREGIMES; k++)
        json_object_set_new(regimes, sim_regime_name(order[k]), json_integer(count[order[k]]));
    duet_err ve;
    duet_err_clear(&ve);
    json_t *vp = norms_viewpoints(d, o->module, o->factors, &ve);
    /* With no sorts loaded there is no Q-set: report empty names, not a failure. */
    json_t *out = json_pack("{s:{s:s, s:i, s:s}, s:s?, s:o, s:i, s:o, s:o}", "qset", "name",
                            q->name ? q->name : "", "version", q->version, "title",
                            q->title ? q->title : "", "cohort",
                            o->cohort, "dimensions", dims, "sorts", (int)d->nsorts,
                            "partnerships", parts, "regimes", regimes);
    if (out == NULL) {
        json_decref(vp);
        oom(e);
        return NULL;
    }
    if (vp == NULL && ve.code != DUET_EINPUT) {
        json_decref(out);
        *e = ve;
        return NULL;
    }
    json_object_set_new(out, "viewpoints", vp ? vp : json_null());
    if (vp == NULL)
        json_object_set_new(out, "viewpoints_note", json_string(ve.msg));
    return out;
}
