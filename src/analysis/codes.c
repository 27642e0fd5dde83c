/*
** codes.c — code frequencies by side and module, and co-occurrence, from
** the codings of a cohort (codes.h has the definitions).
**
** One pass over store_coding_each keeps every chosen coder's codings in
** memory as small index records (document, coder, code, passage bounds);
** the rows of a document arrive together, ordered by coder and start, so
** each document is then read once: which codes it holds, and which pairs
** of codes one coder put on overlapping passages. Stamps (the document's
** number) mark what was already counted in a document, so nothing is
** cleared between documents.
*/
#include "analysis/codes.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "stats/fisher.h"
#include "store/store.h"

/* What a document is, for the counts. */
enum doc_class { DOC_LIVED, DOC_SYSTEM, DOC_OBSERVATION, DOC_IMPORTED, DOC_OTHER, DOC_NCLASS };

struct crow {
    size_t doc, coder, code;
    size_t start, end;
};

struct cdoc {
    enum doc_class cls;
    int module;
};

struct ccode {
    char *guid, *name;
};

struct collect {
    const char *coder;           /* NULL: every coder */
    strmap codes, coders;
    struct ccode *code;
    size_t ncodes, capcodes;
    struct cdoc *doc;
    size_t ndocs, capdocs;
    struct crow *row;
    size_t nrows, caprows;
    char last_kind[16];
    int64_t last_id;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, c * size);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static enum doc_class classify(const struct store_coding_row *r)
{
    if (strcmp(r->kind, "imported") == 0)
        return DOC_IMPORTED;
    if (strcmp(r->kind, "observation") == 0)
        return DOC_OBSERVATION;
    if (r->side && strcmp(r->side, "lived_experience") == 0)
        return DOC_LIVED;
    if (r->side && strcmp(r->side, "system") == 0)
        return DOC_SYSTEM;
    return DOC_OTHER;
}

static int on_row(void *vctx, const struct store_coding_row *r, duet_err *e)
{
    struct collect *c = vctx;
    if (c->coder && strcmp(c->coder, r->coder) != 0)
        return 0;
    if (c->ndocs == 0 || strcmp(c->last_kind, r->kind) != 0 || c->last_id != r->doc_id) {
        if (grow((void **)&c->doc, &c->capdocs, c->ndocs, sizeof *c->doc) != 0)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        c->doc[c->ndocs++] = (struct cdoc){classify(r), r->module};
        snprintf(c->last_kind, sizeof c->last_kind, "%s", r->kind);
        c->last_id = r->doc_id;
    }
    size_t code, coder;
    if (!strmap_get(&c->codes, r->code, strlen(r->code), &code)) {
        if (grow((void **)&c->code, &c->capcodes, c->ncodes, sizeof *c->code) != 0)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        struct ccode k = {strdup(r->code), strdup(r->code_name ? r->code_name : "")};
        if (k.guid == NULL || k.name == NULL ||
            strmap_put(&c->codes, r->code, strlen(r->code), c->ncodes) != 0) {
            free(k.guid);
            free(k.name);
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        }
        code = c->ncodes;
        c->code[c->ncodes++] = k;
    }
    if (!strmap_get(&c->coders, r->coder, strlen(r->coder), &coder)) {
        coder = c->coders.count;
        if (strmap_put(&c->coders, r->coder, strlen(r->coder), coder) != 0)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    if (grow((void **)&c->row, &c->caprows, c->nrows, sizeof *c->row) != 0)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    c->row[c->nrows++] = (struct crow){c->ndocs - 1, coder, code, r->start, r->end};
    return 0;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->ncodes; i++) {
        free(c->code[i].guid);
        free(c->code[i].name);
    }
    free(c->code);
    free(c->doc);
    free(c->row);
    strmap_free(&c->codes);
    strmap_free(&c->coders);
}

/* ------------------------------------------------------------------ */
/* counting                                                            */

struct counts {
    size_t k, m;                 /* codes, modules */
    int *module;                 /* the modules with coded documents, increasing */
    size_t coded[DOC_NCLASS];    /* coded documents by class */
    size_t *with;                /* [code * DOC_NCLASS + class] */
    size_t *mod_coded;           /* [module] */
    size_t *mod_with;            /* [code * m + module] */
    size_t *cooc;                /* [i * k + j] */
    size_t *stamp, *pair_stamp;  /* the last document + 1 that counted code / pair */
};

static void counts_free(struct counts *n)
{
    free(n->module);
    free(n->with);
    free(n->mod_coded);
    free(n->mod_with);
    free(n->cooc);
    free(n->stamp);
    free(n->pair_stamp);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static size_t module_index(const struct counts *n, int module)
{
    int *at = bsearch(&module, n->module, n->m, sizeof *n->module, cmp_int);
    return at ? (size_t)(at - n->module) : SIZE_MAX;
}

static int count(const struct collect *c, struct counts *n, duet_err *e)
{
    size_t k = c->ncodes;
    memset(n, 0, sizeof *n);
    n->k = k;
    n->module = malloc((c->ndocs + 1) * sizeof *n->module);
    if (n->module == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    for (size_t d = 0; d < c->ndocs; d++)
        if (c->doc[d].module > 0)
            n->module[n->m++] = c->doc[d].module;
    qsort(n->module, n->m, sizeof *n->module, cmp_int);
    size_t u = 0;
    for (size_t i = 0; i < n->m; i++)
        if (u == 0 || n->module[u - 1] != n->module[i])
            n->module[u++] = n->module[i];
    n->m = u;
    n->with = calloc(k * DOC_NCLASS + 1, sizeof *n->with);
    n->mod_coded = calloc(n->m + 1, sizeof *n->mod_coded);
    n->mod_with = calloc(k * n->m + 1, sizeof *n->mod_with);
    n->cooc = calloc(k * k + 1, sizeof *n->cooc);
    n->stamp = calloc(k + 1, sizeof *n->stamp);
    n->pair_stamp = calloc(k * k + 1, sizeof *n->pair_stamp);
    if (!n->with || !n->mod_coded || !n->mod_with || !n->cooc || !n->stamp || !n->pair_stamp) {
        counts_free(n);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    size_t r0 = 0;
    while (r0 < c->nrows) {
        size_t d = c->row[r0].doc, r1 = r0;
        while (r1 < c->nrows && c->row[r1].doc == d)
            r1++;
        const struct cdoc *doc = &c->doc[d];
        size_t mi = doc->module > 0 ? module_index(n, doc->module) : SIZE_MAX;
        n->coded[doc->cls]++;
        if (mi != SIZE_MAX)
            n->mod_coded[mi]++;
        for (size_t i = r0; i < r1; i++) {
            size_t a = c->row[i].code;
            if (n->stamp[a] != d + 1) {
                n->stamp[a] = d + 1;
                n->with[a * DOC_NCLASS + doc->cls]++;
                if (mi != SIZE_MAX)
                    n->mod_with[a * n->m + mi]++;
                n->cooc[a * k + a]++;
            }
            /* Later rows of the same coder, in order of start: they overlap
            ** row i while they start before it ends. */
            for (size_t j = i + 1; j < r1 && c->row[j].coder == c->row[i].coder; j++) {
                if (c->row[j].start >= c->row[i].end)
                    break;
                size_t b = c->row[j].code;
                if (a == b || c->row[i].start >= c->row[j].end)
                    continue;
                size_t lo = a < b ? a : b, hi = a < b ? b : a;
                if (n->pair_stamp[lo * k + hi] != d + 1) {
                    n->pair_stamp[lo * k + hi] = d + 1;
                    n->cooc[lo * k + hi]++;
                    n->cooc[hi * k + lo]++;
                }
            }
        }
        r0 = r1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the report                                                          */

/* A code's place in the report's order (no global state: the server sorts
** in many threads at once). */
struct placed {
    const struct ccode *code;
    size_t index;
};

static int by_name(const void *x, const void *y)
{
    const struct ccode *a = ((const struct placed *)x)->code, *b = ((const struct placed *)y)->code;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->guid, b->guid);
}

static json_t *proportion(size_t with, size_t coded)
{
    return coded ? json_real((double)with / (double)coded) : json_null();
}

static json_t *side_json(size_t with, size_t coded)
{
    return json_pack("{s:I, s:I, s:o}", "count", (json_int_t)with, "coded", (json_int_t)coded,
                     "proportion", proportion(with, coded));
}

static json_t *report(const struct collect *c, const struct counts *n, const size_t *order,
                      const char *cohort, const char *coder, duet_err *e)
{
    size_t k = n->k;
    double *p = malloc((k + 1) * sizeof *p), *q = malloc((k + 1) * sizeof *q);
    size_t *tested = malloc((k + 1) * sizeof *tested), nt = 0;
    if (!p || !q || !tested) {
        free(p);
        free(q);
        free(tested);
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    const size_t nl = n->coded[DOC_LIVED], ns = n->coded[DOC_SYSTEM];
    for (size_t i = 0; i < k; i++) {
        size_t l = n->with[i * DOC_NCLASS + DOC_LIVED], s = n->with[i * DOC_NCLASS + DOC_SYSTEM];
        if (l + s > 0) {
            p[nt] = fisher_exact((long)l, (long)(nl - l), (long)s, (long)(ns - s));
            tested[nt++] = i;
        }
    }
    if (fisher_bh(p, nt, q, e) != 0) {
        free(p);
        free(q);
        free(tested);
        return NULL;
    }
    double *pc = malloc((k + 1) * sizeof *pc), *qc = malloc((k + 1) * sizeof *qc);
    if (!pc || !qc) {
        free(p); free(q); free(tested); free(pc); free(qc);
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < k; i++)
        pc[i] = qc[i] = NAN;
    for (size_t t = 0; t < nt; t++) {
        pc[tested[t]] = p[t];
        qc[tested[t]] = q[t];
    }
    free(p);
    free(q);
    free(tested);

    json_t *codes = json_array(), *by_side = json_array(), *by_module = json_array();
    json_t *guids = json_array(), *names = json_array(), *matrix = json_array();
    for (size_t o = 0; o < k; o++) {
        size_t i = order[o];
        const struct ccode *code = &c->code[i];
        const size_t *w = &n->with[i * DOC_NCLASS];
        json_array_append_new(codes, json_pack("{s:s, s:s, s:I}", "code", code->guid, "name",
                                               code->name, "n_documents",
                                               (json_int_t)n->cooc[i * k + i]));
        size_t l = w[DOC_LIVED], s = w[DOC_SYSTEM];
        const char *cls;
        if (l + s == 0)
            cls = "absent";
        else if (qc[i] < CODES_ALPHA)
            cls = (double)l * (double)ns > (double)s * (double)nl ? "lived_experience"
                                                                   : "system";
        else if (l > 0 && s > 0)
            cls = "shared";
        else
            cls = "one_side";
        json_array_append_new(by_side, json_pack(
            "{s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:o, s:s}", "code", code->guid, "name",
            code->name, "lived_experience", side_json(l, nl), "system", side_json(s, ns),
            "observations", (json_int_t)w[DOC_OBSERVATION], "imported",
            (json_int_t)w[DOC_IMPORTED], "p", isnan(pc[i]) ? json_null() : json_real(pc[i]),
            "q", isnan(qc[i]) ? json_null() : json_real(qc[i]), "classification", cls));
        for (size_t m = 0; m < n->m; m++) {
            size_t with = n->mod_with[i * n->m + m], coded = n->mod_coded[m];
            json_array_append_new(by_module, json_pack(
                "{s:s, s:s, s:i, s:I, s:I, s:o}", "code", code->guid, "name", code->name,
                "module", n->module[m], "count", (json_int_t)with, "coded", (json_int_t)coded,
                "proportion", proportion(with, coded)));
        }
        json_array_append_new(guids, json_string(code->guid));
        json_array_append_new(names, json_string(code->name));
        json_t *line = json_array();
        for (size_t o2 = 0; o2 < k; o2++)
            json_array_append_new(line, json_integer((json_int_t)n->cooc[i * k + order[o2]]));
        json_array_append_new(matrix, line);
    }
    free(pc);
    free(qc);
    size_t all = 0;
    for (int cl = 0; cl < DOC_NCLASS; cl++)
        all += n->coded[cl];
    json_t *r = json_pack(
        "{s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:o, s:{s:o, s:o, s:o}}", "cohort",
        cohort ? json_string(cohort) : json_null(), "coder",
        coder ? json_string(coder) : json_null(), "n_documents_coded", "lived_experience",
        (json_int_t)nl, "system", (json_int_t)ns, "observations",
        (json_int_t)n->coded[DOC_OBSERVATION], "imported", (json_int_t)n->coded[DOC_IMPORTED],
        "all", (json_int_t)all, "codes", codes, "by_side", by_side, "by_module", by_module,
        "co_occurrence", "codes", guids, "names", names, "matrix", matrix);
    if (r == NULL)
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    return r;
}

json_t *codes_report(struct store *st, const char *cohort, const char *coder, duet_err *e)
{
    if (cohort) {
        int64_t id;
        if (store_cohort_id(st, cohort, &id, e) != 0)
            return NULL;
    }
    struct collect c = {.coder = coder};
    strmap_init(&c.codes);
    strmap_init(&c.coders);
    if (store_coding_each(st, cohort, on_row, &c, e) != 0) {
        collect_free(&c);
        return NULL;
    }
    struct counts n;
    if (count(&c, &n, e) != 0) {
        collect_free(&c);
        return NULL;
    }
    size_t *order = malloc((c.ncodes + 1) * sizeof *order);
    struct placed *pl = malloc((c.ncodes + 1) * sizeof *pl);
    json_t *r = NULL;
    if (order == NULL || pl == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
    } else {
        for (size_t i = 0; i < c.ncodes; i++)
            pl[i] = (struct placed){&c.code[i], i};
        qsort(pl, c.ncodes, sizeof *pl, by_name);
        for (size_t i = 0; i < c.ncodes; i++)
            order[i] = pl[i].index;
        r = report(&c, &n, order, cohort, coder, e);
    }
    free(pl);
    free(order);
    counts_free(&n);
    collect_free(&c);
    return r;
}
