/*
** intercoder.c — units from coders' passages, then alpha per code (see
** intercoder.h for the definitions).
**
** The store hands codings ordered by document, so the rows of a document
** are consecutive: they are gathered, then each document is cut into
** segments at every passage boundary. A unit records which coders coded
** the document (the others are missing) and, as (unit, coder, code)
** triples, which codes each coder applied there. One units × coders matrix
** per code then goes to agree_alpha (stats/agreement.h).
*/
#include "analysis/intercoder.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "stats/agreement.h"
#include "store/store.h"

struct row { size_t doc, coder, code, start, end; };
struct triple { size_t unit, coder, code; };

struct gather {
    const struct intercoder_opts *o;
    strmap coders, codes;
    char last_kind[16];               /* the document of the last row */
    int64_t last_id;
    char **coder_names, **code_guids, **code_names;
    size_t ncoders, ncodes, ndocs;
    struct row *rows;
    size_t nrows, caprows;
    int oom;
};

static int push_name(char ***arr, size_t n, const char *s)
{
    char **a = realloc(*arr, (n + 1) * sizeof *a);
    if (a == NULL)
        return -1;
    *arr = a;
    a[n] = strdup(s ? s : "");
    return a[n] ? 0 : -1;
}

/* The index of key in m, added (with its names) when new; (size_t)-1 on OOM. */
static size_t intern(strmap *m, const char *key, char ***names, char ***names2,
                     const char *name2, size_t *n)
{
    size_t v;
    if (strmap_get(m, key, strlen(key), &v))
        return v;
    if (push_name(names, *n, key) != 0 || (names2 && push_name(names2, *n, name2) != 0) ||
        strmap_put(m, key, strlen(key), *n) != 0)
        return (size_t)-1;
    return (*n)++;
}

static int on_row(void *ctx, const struct store_coding_row *r, duet_err *e)
{
    struct gather *g = ctx;
    size_t coder;
    if (g->o->ncoders) {
        if (!strmap_get(&g->coders, r->coder, strlen(r->coder), &coder))
            return 0;
    } else {
        coder = intern(&g->coders, r->coder, &g->coder_names, NULL, NULL, &g->ncoders);
    }
    /* Rows come ordered by document: a new document starts a new index. */
    if (g->ndocs == 0 || strcmp(g->last_kind, r->kind) != 0 || g->last_id != r->doc_id) {
        snprintf(g->last_kind, sizeof g->last_kind, "%s", r->kind);
        g->last_id = r->doc_id;
        g->ndocs++;
    }
    size_t doc = g->ndocs - 1;
    size_t code = intern(&g->codes, r->code, &g->code_guids, &g->code_names, r->code_name,
                         &g->ncodes);
    if (coder == (size_t)-1 || code == (size_t)-1)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (g->nrows == g->caprows) {
        size_t cap = g->caprows ? 2 * g->caprows : 1024;
        struct row *nr = realloc(g->rows, cap * sizeof *nr);
        if (nr == NULL)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        g->rows = nr;
        g->caprows = cap;
    }
    g->rows[g->nrows++] = (struct row){doc, coder, code, r->start, r->end};
    return 0;
}

struct units {
    size_t n, cap;
    unsigned char *present;       /* n × ncoders: the coder coded the document */
    struct triple *t;
    size_t nt, capt;
    size_t shared_docs;           /* documents coded by two coders or more */
};

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int add_unit(struct units *u, size_t nc)
{
    if (u->n == u->cap) {
        size_t cap = u->cap ? 2 * u->cap : 256;
        unsigned char *p = realloc(u->present, cap * nc);
        if (p == NULL)
            return -1;
        u->present = p;
        u->cap = cap;
    }
    memset(u->present + u->n * nc, 0, nc);
    u->n++;
    return 0;
}

static int add_triple(struct units *u, size_t unit, size_t coder, size_t code)
{
    if (u->nt == u->capt) {
        size_t cap = u->capt ? 2 * u->capt : 1024;
        struct triple *t = realloc(u->t, cap * sizeof *t);
        if (t == NULL)
            return -1;
        u->t = t;
        u->capt = cap;
    }
    u->t[u->nt++] = (struct triple){unit, coder, code};
    return 0;
}

/* Cuts one document's rows r[0..n) into units. */
static int document_units(const struct row *r, size_t n, size_t nc, struct units *u)
{
    size_t *cut = malloc(2 * n * sizeof *cut);
    unsigned char *on = calloc(nc, 1);
    if (cut == NULL || on == NULL) {
        free(cut);
        free(on);
        return -1;
    }
    size_t ncut = 0, ncoders = 0;
    for (size_t i = 0; i < n; i++) {
        cut[ncut++] = r[i].start;
        cut[ncut++] = r[i].end;
        ncoders += !on[r[i].coder];
        on[r[i].coder] = 1;
    }
    u->shared_docs += ncoders >= 2;
    qsort(cut, ncut, sizeof *cut, cmp_size);
    int rc = 0;
    for (size_t k = 0; rc == 0 && k + 1 < ncut; k++) {
        size_t a = cut[k], b = cut[k + 1];
        if (a == b)
            continue;
        int covered = 0;
        for (size_t i = 0; i < n && !covered; i++)
            covered = r[i].start <= a && r[i].end >= b;
        if (!covered)
            continue;
        if (add_unit(u, nc) != 0) {
            rc = -1;
            break;
        }
        memcpy(u->present + (u->n - 1) * nc, on, nc);
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (r[i].start <= a && r[i].end >= b)
                rc = add_triple(u, u->n - 1, r[i].coder, r[i].code);
    }
    free(cut);
    free(on);
    return rc;
}

static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Fills x (units × coders) for code k (or every code, pooled, when k is
** (size_t)-1, with ncodes blocks of units). */
static void fill(const struct units *u, size_t nc, size_t k, size_t ncodes, double *x)
{
    size_t blocks = k == (size_t)-1 ? ncodes : 1;
    for (size_t b = 0; b < blocks; b++)
        for (size_t i = 0; i < u->n * nc; i++)
            x[b * u->n * nc + i] = u->present[i] ? 0.0 : NAN;
    for (size_t i = 0; i < u->nt; i++) {
        const struct triple *t = &u->t[i];
        if (k == (size_t)-1)
            x[(t->code * u->n + t->unit) * nc + t->coder] = 1.0;
        else if (t->code == k)
            x[t->unit * nc + t->coder] = 1.0;
    }
}

/* Percent agreement, pairable and applied units of the matrix x. */
static void tally(const double *x, size_t nunits, size_t nc, double *pct, size_t *pairable,
                  size_t *applied)
{
    size_t agree = 0;
    *pairable = *applied = 0;
    for (size_t u = 0; u < nunits; u++) {
        size_t m = 0, ones = 0;
        for (size_t c = 0; c < nc; c++) {
            double v = x[u * nc + c];
            if (!isnan(v)) {
                m++;
                ones += v == 1.0;
            }
        }
        *applied += ones > 0;
        if (m >= 2) {
            (*pairable)++;
            agree += ones == 0 || ones == m;
        }
    }
    *pct = *pairable ? (double)agree / (double)*pairable : NAN;
}

static json_t *measure(const double *x, size_t nunits, size_t nc)
{
    struct agree_alpha a;
    duet_err e;
    double pct;
    size_t pairable, applied;
    tally(x, nunits, nc, &pct, &pairable, &applied);
    int ok = nunits > 0 && agree_alpha(x, nunits, nc, AGREE_NOMINAL, &a, &e) == 0;
    if (nunits == 0)
        snprintf(e.msg, sizeof e.msg, "no units");
    return json_pack("{s:o, s:s?, s:o, s:I, s:I}", "alpha", ok ? jnum(a.alpha) : json_null(),
                     "alpha_note", ok ? NULL : e.msg, "percent_agreement", jnum(pct),
                     "units_pairable", (json_int_t)pairable, "units_applied",
                     (json_int_t)applied);
}

static json_t *report(const struct gather *g, const struct units *u)
{
    size_t nc = g->ncoders;
    json_t *codes = json_array(), *coders = json_array();
    for (size_t c = 0; c < nc; c++)
        json_array_append_new(coders, json_string(g->coder_names[c]));
    double *x = malloc((u->n ? u->n : 1) * nc * (g->ncodes ? g->ncodes : 1) * sizeof *x);
    if (x == NULL || codes == NULL || coders == NULL) {
        free(x);
        json_decref(codes);
        json_decref(coders);
        return NULL;
    }
    for (size_t k = 0; k < g->ncodes; k++) {
        fill(u, nc, k, g->ncodes, x);
        json_t *m = measure(x, u->n, nc);
        json_object_set_new(m, "code", json_string(g->code_guids[k]));
        json_object_set_new(m, "name", json_string(g->code_names[k]));
        json_array_append_new(codes, m);
    }
    fill(u, nc, (size_t)-1, g->ncodes, x);
    json_t *all = measure(x, u->n * g->ncodes, nc);
    json_object_del(all, "units_applied");
    free(x);
    return json_pack("{s:s?, s:o, s:I, s:I, s:I, s:o, s:o}", "cohort", g->o->cohort, "coders",
                     coders, "documents", (json_int_t)g->ndocs, "documents_shared",
                     (json_int_t)u->shared_docs, "units", (json_int_t)u->n, "codes", codes,
                     "all_codes", all);
}

/* Sorts the report's codes by name (codes were interned in reading order). */
static void sort_codes(json_t *rep)
{
    json_t *codes = json_object_get(rep, "codes");
    size_t n = json_array_size(codes);
    for (size_t i = 1; i < n; i++)      /* insertion sort: codes are few */
        for (size_t j = i; j > 0; j--) {
            const char *a = json_string_value(json_object_get(json_array_get(codes, j - 1), "name"));
            const char *b = json_string_value(json_object_get(json_array_get(codes, j), "name"));
            if (strcmp(a, b) <= 0)
                break;
            json_t *t = json_incref(json_array_get(codes, j - 1));
            json_array_set(codes, j - 1, json_array_get(codes, j));
            json_array_set_new(codes, j, t);
        }
}

static void gather_free(struct gather *g)
{
    for (size_t i = 0; i < g->ncoders; i++)
        free(g->coder_names[i]);
    for (size_t i = 0; i < g->ncodes; i++) {
        free(g->code_guids[i]);
        free(g->code_names[i]);
    }
    free(g->coder_names);
    free(g->code_guids);
    free(g->code_names);
    free(g->rows);
    strmap_free(&g->coders);
    strmap_free(&g->codes);
}

static int named_coders(struct gather *g, const struct intercoder_opts *o, duet_err *e)
{
    if (o->ncoders > INTERCODER_MAX_CODERS)
        return duet_errf(e, DUET_EINPUT, "at most %d coders", INTERCODER_MAX_CODERS);
    for (size_t i = 0; i < o->ncoders; i++) {
        size_t v;
        if (strmap_get(&g->coders, o->coders[i], strlen(o->coders[i]), &v))
            return duet_errf(e, DUET_EINPUT, "coder '%.64s' is named twice", o->coders[i]);
        if (intern(&g->coders, o->coders[i], &g->coder_names, NULL, NULL, &g->ncoders) ==
            (size_t)-1)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    return 0;
}

json_t *intercoder_report(struct store *st, const struct intercoder_opts *o, duet_err *e)
{
    struct gather g;
    memset(&g, 0, sizeof g);
    g.o = o;
    strmap_init(&g.coders);
    strmap_init(&g.codes);
    struct units u;
    memset(&u, 0, sizeof u);
    json_t *rep = NULL;
    if (named_coders(&g, o, e) != 0 || store_coding_each(st, o->cohort, on_row, &g, e) != 0)
        goto done;
    /* A named coder without codings is a typing error more often than not. */
    unsigned char *seen = calloc(g.ncoders ? g.ncoders : 1, 1);
    if (seen == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < g.nrows; i++)
        seen[g.rows[i].coder] = 1;
    for (size_t c = 0; c < g.ncoders; c++)
        if (!seen[c]) {
            duet_errf(e, DUET_EINPUT, "coder '%.64s' has no codings%s%.64s", g.coder_names[c],
                      o->cohort ? " in cohort " : "", o->cohort ? o->cohort : "");
            free(seen);
            goto done;
        }
    free(seen);
    if (g.ncoders < 2) {
        duet_errf(e, DUET_EINPUT, "agreement needs two coders or more; %zu coded%s%.64s",
                  g.ncoders, o->cohort ? " in cohort " : "", o->cohort ? o->cohort : "");
        goto done;
    }
    for (size_t a = 0, b; a < g.nrows; a = b) {
        for (b = a; b < g.nrows && g.rows[b].doc == g.rows[a].doc; b++)
            ;
        if (document_units(g.rows + a, b - a, g.ncoders, &u) != 0) {
            duet_errf(e, DUET_EINTERNAL, "out of memory");
            goto done;
        }
    }
    rep = report(&g, &u);
    if (rep == NULL)
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    else
        sort_codes(rep);
done:
    free(u.present);
    free(u.t);
    gather_free(&g);
    return rep;
}
