/*
** relationships.c — scoring check-ins and reading partnerships from them.
*/
#include "analysis/relationships.h"

#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "stats/desc.h"
#include "store/store.h"

/* ---- loading and scoring ---- */

struct loader {
    struct rel_data *d;
    strmap items;              /* item name -> items in its instrument's construct */
    size_t *item_total;
    size_t nitems;
    struct rel_partnership *cur;
    int member, mod;           /* indexes into cur */
    char *last_person;
    int last_module;
    double sum[REL_MAX_CONSTRUCTS];
    int n[REL_MAX_CONSTRUCTS], total[REL_MAX_CONSTRUCTS];
    /* This person-module's item answers, per construct, for alpha. */
    const char *item_name[REL_MAX_CONSTRUCTS][REL_MAX_ITEMS];
    double item_value[REL_MAX_CONSTRUCTS][REL_MAX_ITEMS];
    int nitem[REL_MAX_CONSTRUCTS];
    int failed_alloc;
    strmap names;              /* interned item names */
    char **name;
    size_t nname;
};

static const char *intern(struct loader *L, const char *s)
{
    size_t i;
    if (strmap_get(&L->names, s, strlen(s), &i))
        return L->name[i];
    char **nn = realloc(L->name, (L->nname + 1) * sizeof *nn);
    if (nn == NULL)
        return NULL;
    L->name = nn;
    if ((L->name[L->nname] = strdup(s)) == NULL ||
        strmap_put(&L->names, s, strlen(s), L->nname) != 0)
        return NULL;
    return L->name[L->nname++];
}

static struct rel_alpha *alpha_for(struct rel_data *d, int module, int c)
{
    for (size_t i = 0; i < d->nalpha; i++)
        if (d->alpha[i].module == module && d->alpha[i].construct == c)
            return &d->alpha[i];
    struct rel_alpha *na = realloc(d->alpha, (d->nalpha + 1) * sizeof *na);
    if (na == NULL)
        return NULL;
    d->alpha = na;
    struct rel_alpha *a = &d->alpha[d->nalpha++];
    memset(a, 0, sizeof *a);
    a->module = module;
    a->construct = c;
    return a;
}

/* Adds this person-module's answers of construct c as one row of its alpha matrix. */
static void alpha_row(struct loader *L, int c)
{
    struct rel_alpha *a = alpha_for(L->d, L->last_module, c);
    if (a == NULL) {
        L->failed_alloc = 1;
        return;
    }
    double row[REL_MAX_ITEMS];
    for (size_t j = 0; j < REL_MAX_ITEMS; j++)
        row[j] = NAN;
    for (int i = 0; i < L->nitem[c]; i++) {
        size_t j = 0;
        while (j < a->k && strcmp(a->item[j], L->item_name[c][i]) != 0)
            j++;
        if (j == a->k) {
            if (a->k == REL_MAX_ITEMS)
                continue;
            /* A new column; earlier rows hold NaN (not answered) in it. */
            a->item[a->k++] = strdup(L->item_name[c][i]);
        }
        row[j] = L->item_value[c][i];
    }
    if (a->nrows == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        double *nr = realloc(a->rows, cap * REL_MAX_ITEMS * sizeof *nr);
        if (nr == NULL) {
            L->failed_alloc = 1;
            return;
        }
        a->rows = nr;
        a->cap = cap;
    }
    memcpy(a->rows + a->nrows * REL_MAX_ITEMS, row, sizeof row);
    a->nrows++;
}

int rel_construct(const struct rel_data *d, const char *name)
{
    for (size_t i = 0; i < d->nconstructs; i++)
        if (strcmp(d->construct[i], name) == 0)
            return (int)i;
    return -1;
}

static double mean_of_quality(const struct rel_data *d, const double *score)
{
    static const char *const parts[] = {"voice", "trust", "purpose", "safety"};
    double s = 0;
    int n = 0;
    for (int i = 0; i < 4; i++) {
        int c = rel_construct(d, parts[i]);
        if (c >= 0 && isfinite(score[c])) {
            s += score[c];
            n++;
        }
    }
    return n >= 3 ? s / n : NAN;   /* at least two-thirds of the four */
}

/* Closes the current person-module: construct scores by the two-thirds rule. */
static void flush(struct loader *L)
{
    if (L->cur == NULL || L->member < 0)
        return;
    struct rel_cell *cell = &L->cur->cell[L->mod][L->member];
    for (size_t c = 0; c < L->d->nconstructs; c++) {
        if (L->nitem[c] > 0)
            alpha_row(L, (int)c);
        L->nitem[c] = 0;
        if (L->n[c] > 0 && 3 * L->n[c] >= 2 * L->total[c])
            cell->score[c] = L->sum[c] / L->n[c];
        L->sum[c] = 0;
        L->n[c] = L->total[c] = 0;
    }
    cell->quality = mean_of_quality(L->d, cell->score);
    L->member = -1;
}

static char *dup(const char *s) { return strdup(s ? s : ""); }

static int on_row(void *ctx, const struct store_scored_row *r, duet_err *e)
{
    struct loader *L = ctx;
    struct rel_data *d = L->d;
    /* A new partnership? (Rows come ordered by partnership, module, person.) */
    if (L->cur == NULL || strcmp(L->cur->code, r->partnership) != 0) {
        flush(L);
        struct rel_partnership *np = realloc(d->parts, (d->nparts + 1) * sizeof *np);
        if (np == NULL)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        d->parts = np;
        L->cur = &d->parts[d->nparts++];
        memset(L->cur, 0, sizeof *L->cur);
        L->cur->code = dup(r->partnership);
        L->cur->cohort = dup(r->cohort);
        L->cur->kind = dup(r->kind);
        L->last_module = -1;
        free(L->last_person);
        L->last_person = NULL;
    }
    struct rel_partnership *p = L->cur;
    if (r->module != L->last_module || L->last_person == NULL ||
        strcmp(L->last_person, r->person) != 0) {
        flush(L);
        if (r->module != L->last_module) {
            if (p->nmodules == REL_MAX_MODULES)
                return duet_errf(e, DUET_EINPUT, "partnership '%s' has more than %d modules",
                                 p->code, REL_MAX_MODULES);
            L->mod = (int)p->nmodules;
            p->module[p->nmodules++] = r->module;
            for (size_t m = 0; m < REL_MAX_MEMBERS; m++) {
                for (size_t c = 0; c < REL_MAX_CONSTRUCTS; c++)
                    p->cell[L->mod][m].score[c] = NAN;
                p->cell[L->mod][m].quality = NAN;
            }
            L->last_module = r->module;
        }
        int m = -1;
        for (size_t i = 0; i < p->nmembers; i++)
            if (strcmp(p->person[i], r->person) == 0)
                m = (int)i;
        if (m < 0) {
            if (p->nmembers == REL_MAX_MEMBERS)
                return duet_errf(e, DUET_EINPUT, "partnership '%s' has more than %d members",
                                 p->code, REL_MAX_MEMBERS);
            m = (int)p->nmembers++;
            p->person[m] = dup(r->person);
            p->lived[m] = strcmp(r->side, "lived_experience") == 0;
        }
        L->member = m;
        free(L->last_person);
        L->last_person = dup(r->person);
    }
    if (r->construct[0] == '\0')
        return 0;
    int c = rel_construct(d, r->construct);
    if (c < 0) {
        if (d->nconstructs == REL_MAX_CONSTRUCTS)
            return duet_errf(e, DUET_EINPUT, "more than %d constructs", REL_MAX_CONSTRUCTS);
        c = (int)d->nconstructs++;
        d->construct[c] = dup(r->construct);
        d->cmin[c] = r->min;
        d->cmax[c] = r->max;
        for (size_t i = 0; i < d->nparts; i++)   /* earlier cells: not scored */
            for (size_t t = 0; t < REL_MAX_MODULES; t++)
                for (size_t m = 0; m < REL_MAX_MEMBERS; m++)
                    d->parts[i].cell[t][m].score[c] = NAN;
    }
    size_t k;
    size_t total = strmap_get(&L->items, r->item, strlen(r->item), &k) ? L->item_total[k] : 1;
    L->total[c] = (int)total;
    double scored = r->reverse ? r->min + r->max - r->value : r->value;
    L->sum[c] += scored;
    L->n[c]++;
    if (L->nitem[c] < REL_MAX_ITEMS) {
        /* The store's strings last only for this call: keep our own copy. */
        const char *name = intern(L, r->item);
        if (name == NULL)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        L->item_name[c][L->nitem[c]] = name;
        L->item_value[c][L->nitem[c]] = scored;
        L->nitem[c]++;
    }
    return L->failed_alloc ? duet_errf(e, DUET_EINTERNAL, "out of memory") : 0;
}

void rel_free(struct rel_data *d)
{
    for (size_t i = 0; i < d->nparts; i++) {
        struct rel_partnership *p = &d->parts[i];
        free(p->code);
        free(p->cohort);
        free(p->kind);
        for (size_t m = 0; m < p->nmembers; m++)
            free(p->person[m]);
    }
    free(d->parts);
    for (size_t c = 0; c < d->nconstructs; c++)
        free(d->construct[c]);
    for (size_t i = 0; i < d->nalpha; i++) {
        for (size_t j = 0; j < d->alpha[i].k; j++)
            free(d->alpha[i].item[j]);
        free(d->alpha[i].rows);
    }
    free(d->alpha);
    memset(d, 0, sizeof *d);
}

/* Loads the answers of one partnership (code non-NULL) or of cohort (NULL:
** all) and scores them. */
static int load(struct store *st, const char *cohort, const char *code, const char *purpose,
                struct rel_data *d, duet_err *e)
{
    memset(d, 0, sizeof *d);
    /* How many items each construct of each instrument has (for the 2/3 rule). */
    json_t *items = store_item_list(st, e);
    if (items == NULL)
        return -1;
    struct loader L = {.d = d, .member = -1, .last_module = -1};
    strmap_init(&L.items);
    strmap counts;
    strmap_init(&counts);
    size_t n = json_array_size(items), i;
    size_t *per_key = calloc(n ? n : 1, sizeof *per_key);
    L.item_total = calloc(n ? n : 1, sizeof *L.item_total);
    int rc = per_key && L.item_total ? 0 : duet_errf(e, DUET_EINTERNAL, "out of memory");
    json_t *it;
    char key[256];
    size_t nkeys = 0;
    size_t *keyof = calloc(n ? n : 1, sizeof *keyof);
    json_array_foreach(items, i, it) {
        if (rc || keyof == NULL)
            break;
        const char *construct = json_string_value(json_object_get(it, "construct"));
        int len = snprintf(key, sizeof key, "%s\n%s",
                           json_string_value(json_object_get(it, "instrument")),
                           construct ? construct : "");
        size_t kidx;
        if (!strmap_get(&counts, key, (size_t)len, &kidx)) {
            kidx = nkeys++;
            if (strmap_put(&counts, key, (size_t)len, kidx) != 0)
                rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
        }
        per_key[kidx]++;
        keyof[i] = kidx;
    }
    json_array_foreach(items, i, it) {
        if (rc || keyof == NULL)
            break;
        const char *name = json_string_value(json_object_get(it, "item"));
        L.item_total[i] = per_key[keyof[i]];
        if (strmap_put(&L.items, name, strlen(name), i) != 0)
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    if (keyof == NULL && rc == 0)
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (rc == 0)
        rc = code ? store_scored_each_partnership(st, code, purpose, on_row, &L, e)
                  : store_scored_each(st, cohort, purpose, on_row, &L, e);
    if (rc == 0)
        flush(&L);
    free(L.last_person);
    for (size_t k = 0; k < L.nname; k++)
        free(L.name[k]);
    free(L.name);
    strmap_free(&L.names);
    free(keyof);
    free(per_key);
    free(L.item_total);
    strmap_free(&L.items);
    strmap_free(&counts);
    json_decref(items);
    if (rc != 0)
        rel_free(d);
    return rc;
}

int rel_load(struct store *st, const char *cohort, const char *purpose, struct rel_data *d,
             duet_err *e)
{
    return load(st, cohort, NULL, purpose, d, e);
}

int rel_load_partnership(struct store *st, const char *code, const char *purpose,
                         struct rel_data *d, duet_err *e)
{
    return load(st, NULL, code, purpose, d, e);
}

/* ---- reading a partnership ---- */

double rel_side(const struct rel_partnership *p, size_t t, int lived, int c)
{
    double s = 0;
    int n = 0;
    for (size_t m = 0; m < p->nmembers; m++) {
        if (p->lived[m] != lived)
            continue;
        double v = c < 0 ? p->cell[t][m].quality : p->cell[t][m].score[c];
        if (isfinite(v)) {
            s += v;
            n++;
        }
    }
    return n ? s / n : NAN;
}

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static const char *side_name(int lived) { return lived ? "lived_experience" : "system"; }

/* OLS of y on the module numbers, skipping NaN; slope and SE (NaN if < 2 / 3 points). */
static void slope_of(const struct rel_partnership *p, const double *y, double *slope, double *se)
{
    double xs[REL_MAX_MODULES], ys[REL_MAX_MODULES];
    size_t n = 0;
    for (size_t t = 0; t < p->nmodules; t++) {
        if (isfinite(y[t])) {
            xs[n] = p->module[t];
            ys[n] = y[t];
            n++;
        }
    }
    *slope = *se = NAN;
    if (n < 2)
        return;
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(xs, 1, ys, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    *slope = c1;
    if (n >= 3)
        *se = sqrt(cov11);
}

struct rel_summary {
    int tokenistic, polarising, diverging, low_quality;
    double concern;
    double final_quality;
    double tokenism_share;
    double quality_slope[2], quality_se[2];   /* [0] system, [1] lived */
    double gap_slope, resistance_slope;
};

static int rung_of(const struct rel_data *d, const struct rel_partnership *p, size_t t, size_t m)
{
    int c = rel_construct(d, "participation");
    double v = c >= 0 ? p->cell[t][m].score[c] : NAN;
    return isfinite(v) ? (int)lround(v) : 0;
}

static int tokenism_at(const struct rel_data *d, const struct rel_partnership *p, size_t t,
                       json_t *reasons)
{
    int lo = 99, hi = 0, any = 0, signal = 0;
    for (size_t m = 0; m < p->nmembers; m++) {
        int r = rung_of(d, p, t, m);
        if (r == 0)
            continue;
        any = 1;
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
        if (r >= 3 && r <= 5) {
            signal = 1;
            if (reasons)
                json_array_append_new(reasons, json_pack("{s:s, s:s, s:i}", "reason",
                                                         "tokenism_rung", "person",
                                                         p->person[m], "rung", r));
        }
    }
    if (any && hi - lo >= 2) {
        signal = 1;
        if (reasons)
            json_array_append_new(reasons, json_pack("{s:s, s:i}", "reason", "rungs_differ",
                                                     "difference", hi - lo));
    }
    return any ? signal : -1;
}

static void summarise(const struct rel_data *d, const struct rel_partnership *p,
                      struct rel_summary *s)
{
    memset(s, 0, sizeof *s);
    double q[2][REL_MAX_MODULES], gap[REL_MAX_MODULES], res[REL_MAX_MODULES];
    int cres = rel_construct(d, "resistance");
    int with_rungs = 0, signals = 0;
    for (size_t t = 0; t < p->nmodules; t++) {
        q[0][t] = rel_side(p, t, 0, -1);
        q[1][t] = rel_side(p, t, 1, -1);
        gap[t] = fabs(q[1][t] - q[0][t]);
        double r0 = cres >= 0 ? rel_side(p, t, 0, cres) : NAN;
        double r1 = cres >= 0 ? rel_side(p, t, 1, cres) : NAN;
        res[t] = isfinite(r0) && isfinite(r1) ? (r0 + r1) / 2 : isfinite(r0) ? r0 : r1;
        int sig = tokenism_at(d, p, t, NULL);
        if (sig >= 0) {
            with_rungs++;
            signals += sig;
        }
    }
    for (int side = 0; side < 2; side++)
        slope_of(p, q[side], &s->quality_slope[side], &s->quality_se[side]);
    double se;
    slope_of(p, gap, &s->gap_slope, &se);
    slope_of(p, res, &s->resistance_slope, &se);
    size_t last = p->nmodules ? p->nmodules - 1 : 0;
    double fq0 = q[0][last], fq1 = q[1][last];
    s->final_quality = isfinite(fq0) && isfinite(fq1) ? (fq0 + fq1) / 2 : isfinite(fq0) ? fq0 : fq1;
    s->tokenism_share = with_rungs ? (double)signals / with_rungs : NAN;
    /* Tokenistic: the signal persists (half the modules or more) and is still
    ** there at each of the last two modules with rungs, so an early low rung
    ** that grows into partnership, or one noisy module, is not flagged. */
    int recent = 0, seen = 0;
    for (size_t t = p->nmodules; t-- > 0 && seen < 2;) {
        int sig = tokenism_at(d, p, t, NULL);
        if (sig >= 0) {
            recent += sig;
            seen++;
        }
    }
    s->tokenistic = with_rungs > 0 && 2 * signals >= with_rungs && seen > 0 && recent == seen;
    /* Polarising: quality falls on both sides while resistance grows or is
    ** high by the end (at or above the middle of its scale). */
    double res_last = res[last];
    double res_mid = cres >= 0 ? (d->cmin[cres] + d->cmax[cres]) / 2.0 : NAN;
    s->polarising = s->quality_slope[0] < 0 && s->quality_slope[1] < 0 &&
                    (s->resistance_slope > 0 || res_last >= res_mid);
    s->diverging = s->gap_slope > 0.1;
    s->low_quality = isfinite(s->final_quality) && s->final_quality < 3.5;
    s->concern = 2.0 * s->tokenistic + 2.0 * s->polarising + s->diverging + s->low_quality;
}

static json_t *scores_json(const struct rel_data *d, const struct rel_partnership *p, size_t t,
                           int lived)
{
    json_t *o = json_object();
    for (size_t c = 0; c < d->nconstructs; c++)
        json_object_set_new(o, d->construct[c], jnum(rel_side(p, t, lived, (int)c)));
    json_object_set_new(o, "quality", jnum(rel_side(p, t, lived, -1)));
    return o;
}

static json_t *partnership_json(const struct rel_data *d, const struct rel_partnership *p,
                                const struct rel_summary *s)
{
    json_t *members = json_array(), *modules = json_array();
    for (size_t m = 0; m < p->nmembers; m++)
        json_array_append_new(members, json_pack("{s:s, s:s}", "person", p->person[m], "side",
                                                 side_name(p->lived[m])));
    int cpow = rel_construct(d, "power"), cstrain = rel_construct(d, "strain"),
        cres = rel_construct(d, "resistance");
    for (size_t t = 0; t < p->nmodules; t++) {
        json_t *gap = json_object();
        for (size_t c = 0; c < d->nconstructs; c++)
            json_object_set_new(gap, d->construct[c],
                                jnum(rel_side(p, t, 1, (int)c) - rel_side(p, t, 0, (int)c)));
        json_object_set_new(gap, "quality", jnum(rel_side(p, t, 1, -1) - rel_side(p, t, 0, -1)));
        json_t *rungs = json_array();
        for (size_t m = 0; m < p->nmembers; m++) {
            int r = rung_of(d, p, t, m);
            json_array_append_new(rungs, json_pack("{s:s, s:s, s:o}", "person", p->person[m],
                                                   "side", side_name(p->lived[m]), "rung",
                                                   r ? json_integer(r) : json_null()));
        }
        json_t *reasons = json_array();
        int sig = tokenism_at(d, p, t, reasons);
        /* Power: the mean of the two sides' means, from -1 (the system side
        ** decided) to +1 (the lived-experience side did). */
        double pw = NAN;
        if (cpow >= 0) {
            double a = rel_side(p, t, 0, cpow), b = rel_side(p, t, 1, cpow);
            double mean = isfinite(a) && isfinite(b) ? (a + b) / 2 : isfinite(a) ? a : b;
            double mid = (d->cmin[cpow] + d->cmax[cpow]) / 2.0;
            pw = (mean - mid) / ((d->cmax[cpow] - d->cmin[cpow]) / 2.0);
        }
        /* Compromise: the lived-experience side's share of all strain above the floor. */
        double share = NAN;
        if (cstrain >= 0) {
            double sl = rel_side(p, t, 1, cstrain) - d->cmin[cstrain];
            double ss = rel_side(p, t, 0, cstrain) - d->cmin[cstrain];
            if (isfinite(sl) && isfinite(ss))
                share = sl + ss > 0 ? sl / (sl + ss) : 0.5;
        }
        json_array_append_new(modules, json_pack(
            "{s:i, s:{s:o, s:o}, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o, s:o}",
            "module", p->module[t],
            "sides", "lived_experience", scores_json(d, p, t, 1), "system", scores_json(d, p, t, 0),
            "gap", gap, "rungs", rungs,
            "tokenism_signal", sig < 0 ? json_null() : json_boolean(sig),
            "tokenism_reasons", reasons,
            "resistance_met", "lived_experience", jnum(cres >= 0 ? rel_side(p, t, 1, cres) : NAN),
            "system", jnum(cres >= 0 ? rel_side(p, t, 0, cres) : NAN),
            "power_balance", jnum(pw), "compromise_share_lived", jnum(share)));
    }
    const char *pattern = !isfinite(s->gap_slope) ? "unknown"
                        : s->gap_slope > 0.1      ? "diverging"
                        : s->gap_slope < -0.1     ? "converging" : "steady";
    json_t *traj = json_pack("{s:{s:{s:o, s:o}, s:{s:o, s:o}}, s:o, s:s, s:o}",
                             "quality_slope", "lived_experience", "slope", jnum(s->quality_slope[1]),
                             "se", jnum(s->quality_se[1]), "system", "slope",
                             jnum(s->quality_slope[0]), "se", jnum(s->quality_se[0]),
                             "gap_slope", jnum(s->gap_slope), "pattern", pattern,
                             "resistance_slope", jnum(s->resistance_slope));
    json_t *flags = json_pack("{s:b, s:b, s:b, s:b}", "tokenistic", s->tokenistic, "polarising",
                              s->polarising, "diverging", s->diverging, "low_quality",
                              s->low_quality);
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:f, s:o}", "partnership", p->code,
                     "cohort", p->cohort, "kind", p->kind, "members", members, "modules", modules,
                     "trajectory", traj, "flags", flags, "tokenism_share", jnum(s->tokenism_share),
                     "concern", s->concern, "final_quality", jnum(s->final_quality));
}

json_t *rel_partnership_report(const struct rel_data *d, const char *code, duet_err *e)
{
    for (size_t i = 0; i < d->nparts; i++) {
        if (strcmp(d->parts[i].code, code) == 0) {
            struct rel_summary s;
            summarise(d, &d->parts[i], &s);
            return partnership_json(d, &d->parts[i], &s);
        }
    }
    duet_errf(e, DUET_ENOTFOUND, "partnership '%s' has no check-ins that can be analysed "
              "(none, or no member with research consent in force)", code);
    return NULL;
}

static json_t *distribution(const double *x, size_t n)
{
    double v[4096];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 4096; i++)
        if (isfinite(x[i]))
            v[k++] = x[i];
    if (k == 0)
        return json_pack("{s:i}", "n", 0);
    double mn, mx;
    gsl_stats_minmax(&mn, &mx, v, 1, k);
    return json_pack("{s:i, s:f, s:o, s:f, s:f}", "n", (int)k, "mean", gsl_stats_mean(v, 1, k),
                     "sd", k > 1 ? json_real(gsl_stats_sd(v, 1, k)) : json_null(), "min", mn,
                     "max", mx);
}

/* Partner nonindependence: Pearson r between the two sides' scores, one
** observation per partnership (each side's mean over modules), with a 95%
** interval by Fisher's z. */
static json_t *nonindependence(const struct rel_data *d)
{
    json_t *out = json_object();
    size_t np = d->nparts;
    double *a = malloc((np ? np : 1) * sizeof *a), *b = malloc((np ? np : 1) * sizeof *b);
    for (int c = -1; a && b && c < (int)d->nconstructs; c++) {
        size_t n = 0;
        for (size_t i = 0; i < np; i++) {
            const struct rel_partnership *p = &d->parts[i];
            double sa = 0, sb = 0;
            int na = 0, nb = 0;
            for (size_t t = 0; t < p->nmodules; t++) {
                double x = rel_side(p, t, 1, c), y = rel_side(p, t, 0, c);
                if (isfinite(x) && isfinite(y)) {
                    sa += x;
                    sb += y;
                    na++;
                    nb++;
                }
            }
            if (na && nb) {
                a[n] = sa / na;
                b[n] = sb / nb;
                n++;
            }
        }
        const char *name = c < 0 ? "quality" : d->construct[c];
        double r = n >= 3 ? gsl_stats_correlation(a, 1, b, 1, n) : NAN;
        double lo = NAN, hi = NAN;
        if (n >= 4 && isfinite(r) && fabs(r) < 1) {
            double z = atanh(r), h = 1.959963984540054 / sqrt((double)n - 3);
            lo = tanh(z - h);
            hi = tanh(z + h);
        }
        json_object_set_new(out, name, json_pack("{s:o, s:o, s:o, s:i}", "r", jnum(r), "lo95",
                                                 jnum(lo), "hi95", jnum(hi), "n", (int)n));
    }
    free(a);
    free(b);
    return out;
}

static int by_concern(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    double ca = json_real_value(json_object_get(a, "concern"));
    double cb = json_real_value(json_object_get(b, "concern"));
    if (ca != cb)
        return ca > cb ? -1 : 1;
    /* A partnership without a final quality sorts after those with one. */
    json_t *ja = json_object_get(a, "final_quality"), *jb = json_object_get(b, "final_quality");
    double qa = json_is_number(ja) ? json_number_value(ja) : INFINITY;
    double qb = json_is_number(jb) ? json_number_value(jb) : INFINITY;
    if (qa != qb)
        return qa < qb ? -1 : 1;
    return strcmp(json_string_value(json_object_get(a, "partnership")),
                  json_string_value(json_object_get(b, "partnership")));
}

json_t *rel_report(const struct rel_data *d, duet_err *e)
{
    (void)e;
    json_t *parts = json_array();
    size_t np = d->nparts;
    double *fq[2], *gap, *pw, *share;
    fq[0] = calloc(np + 1, sizeof(double));
    fq[1] = calloc(np + 1, sizeof(double));
    gap = calloc(np + 1, sizeof(double));
    pw = calloc(np + 1, sizeof(double));
    share = calloc(np + 1, sizeof(double));
    json_t **rank = calloc(np + 1, sizeof *rank);
    for (size_t i = 0; i < np; i++) {
        const struct rel_partnership *p = &d->parts[i];
        struct rel_summary s;
        summarise(d, p, &s);
        json_t *pj = partnership_json(d, p, &s);
        json_array_append_new(parts, pj);
        rank[i] = pj;
        json_t *last = json_array_get(json_object_get(pj, "modules"), p->nmodules - 1);
        size_t t = p->nmodules - 1;
        fq[0][i] = rel_side(p, t, 0, -1);
        fq[1][i] = rel_side(p, t, 1, -1);
        gap[i] = fq[1][i] - fq[0][i];
        pw[i] = json_is_number(json_object_get(last, "power_balance"))
                    ? json_number_value(json_object_get(last, "power_balance")) : NAN;
        share[i] = json_is_number(json_object_get(last, "compromise_share_lived"))
                       ? json_number_value(json_object_get(last, "compromise_share_lived")) : NAN;
    }
    qsort(rank, np, sizeof *rank, by_concern);
    json_t *ranking = json_array();
    for (size_t i = 0; i < np; i++) {
        json_t *flags = json_object_get(rank[i], "flags");
        json_array_append_new(ranking, json_pack("{s:O, s:O, s:O, s:O}", "partnership",
                                                 json_object_get(rank[i], "partnership"),
                                                 "concern", json_object_get(rank[i], "concern"),
                                                 "final_quality",
                                                 json_object_get(rank[i], "final_quality"),
                                                 "flags", flags));
    }
    json_t *dist = json_pack("{s:o, s:o, s:o, s:o, s:o}",
                             "final_quality_lived_experience", distribution(fq[1], np),
                             "final_quality_system", distribution(fq[0], np),
                             "final_quality_gap", distribution(gap, np),
                             "final_power_balance", distribution(pw, np),
                             "final_compromise_share_lived", distribution(share, np));
    json_t *constructs = json_array();
    for (size_t c = 0; c < d->nconstructs; c++)
        json_array_append_new(constructs, json_pack("{s:s, s:i, s:i}", "name", d->construct[c],
                                                    "min", d->cmin[c], "max", d->cmax[c]));
    json_t *reliability = json_array();
    for (size_t i = 0; i < d->nalpha; i++) {
        const struct rel_alpha *a = &d->alpha[i];
        if (a->k < 2)
            continue;
        /* Compact the rows to k columns for desc_alpha. */
        double *x = malloc((a->nrows ? a->nrows : 1) * a->k * sizeof *x);
        if (x == NULL)
            continue;
        for (size_t r = 0; r < a->nrows; r++)
            for (size_t j = 0; j < a->k; j++)
                x[r * a->k + j] = a->rows[r * REL_MAX_ITEMS + j];
        struct desc_alpha da;
        duet_err ae;
        int ok = desc_alpha(x, a->nrows, a->k, &da, &ae) == 0;
        free(x);
        json_array_append_new(reliability, json_pack(
            "{s:i, s:s, s:i, s:i, s:o, s:s?}", "module", a->module, "construct",
            d->construct[a->construct], "items", (int)a->k, "n", ok ? (int)da.n : (int)a->nrows,
            "alpha", ok ? jnum(da.alpha) : json_null(), "note", ok ? NULL : ae.msg));
    }
    json_t *out = json_pack("{s:o, s:o, s:o, s:{s:i, s:o, s:o, s:o}}", "constructs", constructs,
                            "reliability", reliability,
                            "partnerships", parts, "cohort", "partnerships", (int)np,
                            "distributions", dist, "ranking", ranking, "nonindependence",
                            nonindependence(d));
    free(fq[0]);
    free(fq[1]);
    free(gap);
    free(pw);
    free(share);
    free(rank);
    return out;
}
