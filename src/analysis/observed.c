/*
** observed.c — a cohort's summaries as a calibration target (observed.h).
*/
#include "analysis/observed.h"

#include <math.h>
#include <string.h>

#include "analysis/norms.h"
#include "analysis/relationships.h"

/* The scale of the quality constructs: that of the first one present. */
static int quality_scale(const struct rel_data *d, double *lo, double *hi)
{
    static const char *const q[] = {"voice", "trust", "purpose", "safety"};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        int c = rel_construct(d, q[i]);
        if (c >= 0) {
            *lo = d->cmin[c];
            *hi = d->cmax[c];
            return *hi > *lo;
        }
    }
    return 0;
}

/* Adds the check-in summaries of d to t; returns the number of modules. */
static int from_checkins(const struct rel_data *d, json_t *t)
{
    double lo, hi;
    int cres = rel_construct(d, "resistance"), cstrain = rel_construct(d, "strain");
    double q[2] = {0, 0}, res[2] = {0, 0}, bal = 0;
    size_t nq[2] = {0, 0}, nres[2] = {0, 0}, nbal = 0, modules = 0;
    int scaled = quality_scale(d, &lo, &hi);
    for (size_t i = 0; i < d->nparts; i++) {
        const struct rel_partnership *p = &d->parts[i];
        if (p->nmodules > modules)
            modules = p->nmodules;
        for (int side = 0; side < 2 && scaled && p->nmodules; side++) {
            /* side 0: the patient (lived-experience) side, 1: the system side */
            double v = rel_side(p, p->nmodules - 1, side == 0, -1);
            if (isfinite(v)) {
                q[side] += (v - lo) / (hi - lo);
                nq[side]++;
            }
        }
        for (size_t m = 0; m < p->nmodules; m++) {
            if (cres >= 0) {
                double mid = (d->cmin[cres] + d->cmax[cres]) / 2.0;
                /* The patient side resisted when the system side met resistance. */
                double met_by_system = rel_side(p, m, 0, cres);
                double met_by_lived = rel_side(p, m, 1, cres);
                if (isfinite(met_by_system)) {
                    res[0] += met_by_system > mid;
                    nres[0]++;
                }
                if (isfinite(met_by_lived)) {
                    res[1] += met_by_lived > mid;
                    nres[1]++;
                }
            }
            if (cstrain >= 0) {
                double sl = rel_side(p, m, 1, cstrain) - d->cmin[cstrain];
                double ss = rel_side(p, m, 0, cstrain) - d->cmin[cstrain];
                if (isfinite(sl) && isfinite(ss)) {
                    bal += sl + ss > 0 ? sl / (sl + ss) : 0.5;
                    nbal++;
                }
            }
        }
    }
    if (nq[0] && nq[1])
        json_object_set_new(t, "mean_final_quality",
                            json_pack("{s:f, s:f}", "patient", q[0] / (double)nq[0], "system",
                                      q[1] / (double)nq[1]));
    if (nres[0] && nres[1])
        json_object_set_new(t, "resistance_rate",
                            json_pack("{s:f, s:f}", "patient", res[0] / (double)nres[0],
                                      "system", res[1] / (double)nres[1]));
    if (nbal)
        json_object_set_new(t, "mean_balance", json_real(bal / (double)nbal));
    return (int)modules;
}

json_t *observed_target(struct store *st, const char *cohort, const char *purpose, duet_err *e)
{
    struct rel_data d;
    if (rel_load(st, cohort, purpose, &d, e) != 0)
        return NULL;
    struct norms_data n;
    struct norms_options no = {.cohort = cohort, .purpose = purpose};
    if (norms_load(st, &no, &n, e) != 0) {
        rel_free(&d);
        return NULL;
    }
    json_t *t = json_object();
    int modules = from_checkins(&d, t);
    size_t pairs = d.nparts;
    if (n.nsorts > 0) {
        json_t *report = norms_report(&n, &no, e);
        if (report == NULL) {
            json_decref(t);
            t = NULL;
        } else {
            json_t *counts = json_object_get(report, "regimes");
            double total = 0;
            const char *k;
            json_t *v;
            json_object_foreach(counts, k, v)
                total += (double)json_integer_value(v);
            if (total > 0) {
                json_t *shares = json_object();
                json_object_foreach(counts, k, v)
                    json_object_set_new(shares, k,
                                        json_real((double)json_integer_value(v) / total));
                json_object_set_new(t, "regimes", shares);
                json_object_set_new(t, "dims", json_integer((json_int_t)n.q.ndims));
            }
            if (n.nparts > pairs)
                pairs = n.nparts;
            size_t i;
            json_t *p;
            json_array_foreach(json_object_get(report, "partnerships"), i, p) {
                json_t *last = json_object_get(p, "last_module");
                if (json_is_integer(last) && modules < json_integer_value(last))
                    modules = (int)json_integer_value(last);
            }
            json_decref(report);
        }
    }
    if (t != NULL && json_object_size(t) == 0) {
        json_decref(t);
        t = NULL;
        duet_errf(e, DUET_ENOTFOUND, "no check-ins or sorts to summarise%s%s%s (only people "
                  "whose %s consent is in force count)", cohort ? " in cohort '" : "",
                  cohort ? cohort : "", cohort ? "'" : "", purpose ? purpose : "research");
    }
    if (t != NULL) {
        if (modules > 0)
            json_object_set_new(t, "modules", json_integer(modules));
        json_object_set_new(t, "pairs", json_integer((json_int_t)pairs));
    }
    norms_free(&n);
    rel_free(&d);
    return t;
}
