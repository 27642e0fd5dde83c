/*
** qdpx.c — REFI-QDA project (.qdpx) export and import with libxml2 and
** libzip.
**
** Export: qdpx_check first (so nothing invalid leaves), then project.qde
** built with an xmlTextWriter (the CodeBook's Codes by io/qdc.c, so .qdc
** and .qdpx write codes alike), then a zip made in memory holding it and
** sources/GUID.txt per source; the file is written to a temporary name in
** the same folder and renamed into place.
**
** Import: the zip is opened from memory; every entry read is bounded by its
** stated uncompressed size, QDPX_MAX_ENTRY and a running QDPX_MAX_TOTAL,
** and a stream that yields more than it states is refused, so a zip bomb
** costs nothing. Archive names are only looked up in the archive, never
** used as paths. project.qde (or the archive's one .qde of another name) is
** parsed as .qdc files are: no network
** (XML_PARSE_NONET), no entity expansion, any document type declaration
** refused, namespace checked, REFI-QDA Project.xsd validated. The walk
** keeps users, codes, variables, text sources with their selections and
** codings, and cases; notes, links, sets and graphs are not kept. A source
** that is not a text refuses the file, or with QDPX_TEXT_ONLY is passed
** over whole (its selections and codings counted, never read) and listed.
** It ends with qdpx_check: a file is taken whole or refused whole. Nothing here
** prints or exits; libxml2's own error output is captured, never shown.
*/
#include "io/qdpx.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/utf8.h"
#include "io/jsonread.h"
#include "io/qdc.h"

#define INTERNAL     "internal://"
#define VALUE_MAX    10000      /* characters in a variable's value */
#define BOM          "\xef\xbb\xbf"

/* ------------------------------------------------------------------ */
/* freeing                                                             */

static void free_source(struct qdpx_source *s)
{
    for (size_t j = 0; j < s->nselections; j++) {
        struct qdpx_selection *x = &s->selections[j];
        for (size_t k = 0; k < x->ncodings; k++) {
            free(x->codings[k].guid);
            free(x->codings[k].code_guid);
            free(x->codings[k].user_guid);
            free(x->codings[k].created_at);
        }
        free(x->codings);
        free(x->guid);
        free(x->user_guid);
        free(x->created_at);
    }
    free(s->selections);
    free(s->guid);
    free(s->name);
    free(s->text);
    free(s->user_guid);
    free(s->created_at);
}

void qdpx_free(struct qdpx_project *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nusers; i++) {
        free(p->users[i].guid);
        free(p->users[i].name);
    }
    for (size_t i = 0; i < p->nsources; i++)
        free_source(&p->sources[i]);
    for (size_t i = 0; i < p->nvariables; i++) {
        free(p->variables[i].guid);
        free(p->variables[i].name);
    }
    for (size_t i = 0; i < p->ncases; i++) {
        struct qdpx_case *k = &p->cases[i];
        for (size_t j = 0; j < k->nvalues; j++)
            free(k->values[j].text);
        free(k->values);
        free(k->sources);
        free(k->guid);
        free(k->name);
    }
    for (size_t i = 0; i < p->nskipped; i++) {
        free(p->skipped[i].guid);
        free(p->skipped[i].name);
    }
    free(p->skipped);
    free(p->users);
    free(p->sources);
    free(p->variables);
    free(p->cases);
    free(p->name);
    free(p->origin);
    codebook_free(&p->codebook);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------ */
/* checking                                                            */

static int canonical_guid(const char *g)
{
    return g != NULL && strlen(g) == CODEBOOK_GUID_LEN && codebook_valid_guid(g) &&
           strspn(g, "0123456789abcdef-") == CODEBOOK_GUID_LEN;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Whether s is an xsd:dateTime: YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm]. */
static int valid_datetime(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !digits(s + i, 1) : s[i] != shape[i])
            return 0;
    int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return 0;
    if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 59)
        return 0;
    const char *t = s + sizeof shape - 1;
    if (*t == '.') {
        size_t n = strspn(t + 1, "0123456789");
        if (n == 0)
            return 0;
        t += 1 + n;
    }
    if (*t == 'Z')
        return t[1] == '\0';
    if (*t == '+' || *t == '-')
        return strlen(t) == 6 && digits(t + 1, 2) && t[3] == ':' && digits(t + 4, 2) &&
               num(t + 1, 2) <= 14 && num(t + 4, 2) <= 59;
    return *t == '\0';
}

/* Whether s is an xsd:integer (decimal 0) or an xsd:decimal (decimal 1). */
static int valid_number(const char *s, int decimal)
{
    s += *s == '+' || *s == '-';
    size_t a = strspn(s, "0123456789");
    if (!decimal)
        return a > 0 && s[a] == '\0';
    if (s[a] != '.')
        return a > 0 && s[a] == '\0';
    size_t b = strspn(s + a + 1, "0123456789");
    return a + b > 0 && s[a + 1 + b] == '\0';
}

struct guid_ref {
    const char *guid;
    const char *kind;
};

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const struct guid_ref *)a)->guid, ((const struct guid_ref *)b)->guid);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every GUID of p with what it names (NULL when memory runs out); *n set. */
static struct guid_ref *all_guids(const struct qdpx_project *p, size_t *n)
{
    size_t total = p->nusers + p->codebook.ncodes + p->nsources + p->nvariables + p->ncases;
    for (size_t i = 0; i < p->nsources; i++) {
        total += p->sources[i].nselections;
        for (size_t j = 0; j < p->sources[i].nselections; j++)
            total += p->sources[i].selections[j].ncodings;
    }
    struct guid_ref *r = malloc((total ? total : 1) * sizeof *r);
    if (r == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < p->nusers; i++)
        r[k++] = (struct guid_ref){p->users[i].guid, "user"};
    for (size_t i = 0; i < p->codebook.ncodes; i++)
        r[k++] = (struct guid_ref){p->codebook.codes[i].guid, "code"};
    for (size_t i = 0; i < p->nvariables; i++)
        r[k++] = (struct guid_ref){p->variables[i].guid, "variable"};
    for (size_t i = 0; i < p->ncases; i++)
        r[k++] = (struct guid_ref){p->cases[i].guid, "case"};
    for (size_t i = 0; i < p->nsources; i++) {
        const struct qdpx_source *s = &p->sources[i];
        r[k++] = (struct guid_ref){s->guid, "source"};
        for (size_t j = 0; j < s->nselections; j++) {
            r[k++] = (struct guid_ref){s->selections[j].guid, "selection"};
            for (size_t m = 0; m < s->selections[j].ncodings; m++)
                r[k++] = (struct guid_ref){s->selections[j].codings[m].guid, "coding"};
        }
    }
    *n = k;
    return r;
}

/* GUIDs well formed and unique across the project. */
static int check_guids(const struct qdpx_project *p, struct jr_ctx *c)
{
    size_t n = 0;
    struct guid_ref *r = all_guids(p, &n);
    if (r == NULL)
        return jr_oom(c);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!canonical_guid(r[i].guid))
            rc = jr_fail(c, NULL, "a %s's guid is not a lower-case UUID (8-4-4-4-12 hexadecimal "
                         "digits)", r[i].kind);
    if (rc == 0)
        qsort(r, n, sizeof *r, cmp_ref);
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(r[i - 1].guid, r[i].guid) == 0)
            rc = jr_fail(c, NULL, "guid %s names both a %s and a %s", r[i].guid, r[i - 1].kind,
                         r[i].kind);
    free(r);
    return rc;
}

static int check_name(struct jr_ctx *c, const char *what, const char *name, int required)
{
    if (name == NULL)
        return required ? jr_fail(c, what, "the name is missing") : 0;
    return jr_check_text(c, what, name, strlen(name), JR_ONE_LINE, QDPX_NAME_MAX);
}

static int check_date(struct jr_ctx *c, const char *what, const char *d)
{
    if (d == NULL || valid_datetime(d))
        return 0;
    char q[64];
    jr_quote_safe(d, strlen(d), q, sizeof q);
    return jr_fail(c, what, "'%s' is not a date and time (YYYY-MM-DDThh:mm:ssZ)", q);
}

/* A sorted copy of the n strings at stride bytes from base (NULL on OOM). */
static const char **sorted(const void *base, size_t n, size_t stride)
{
    const char **a = malloc((n ? n : 1) * sizeof *a);
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        a[i] = *(char *const *)((const char *)base + i * stride);
    qsort(a, n, sizeof *a, cmp_str);
    return a;
}

static int known(const char **set, size_t n, const char *g)
{
    return bsearch(&g, set, n, sizeof *set, cmp_str) != NULL;
}

struct refs {
    const char **users, **codes;
    size_t nusers, ncodes;
};

static int check_user(struct jr_ctx *c, const struct refs *f, const char *what, const char *u)
{
    if (u == NULL || known(f->users, f->nusers, u))
        return 0;
    return jr_fail(c, what, "creatingUser %.40s is not among the project's users", u);
}

static int check_selection(struct jr_ctx *c, const struct refs *f, const struct qdpx_selection *x,
                           size_t length)
{
    char w[80];
    snprintf(w, sizeof w, "selection %.40s", x->guid);
    if (x->start >= x->end || x->end > length)
        return jr_fail(c, w, "positions %zu..%zu do not fit a text of %zu characters "
                       "(0 <= start < end <= length)", x->start, x->end, length);
    if (check_user(c, f, w, x->user_guid) || check_date(c, w, x->created_at))
        return -1;
    for (size_t k = 0; k < x->ncodings; k++) {
        const struct qdpx_coding *g = &x->codings[k];
        char wc[80];
        snprintf(wc, sizeof wc, "coding %.40s", g->guid);
        if (g->code_guid == NULL || !known(f->codes, f->ncodes, g->code_guid))
            return jr_fail(c, wc, "code %.40s is not in the project's codebook",
                           g->code_guid ? g->code_guid : "(none)");
        if (check_user(c, f, wc, g->user_guid) || check_date(c, wc, g->created_at))
            return -1;
    }
    return 0;
}

static int check_source(struct jr_ctx *c, const struct refs *f, const struct qdpx_source *s,
                        size_t *nsel)
{
    char w[80];
    snprintf(w, sizeof w, "source %.40s", s->guid);
    if (check_name(c, w, s->name, 0) || check_user(c, f, w, s->user_guid) ||
        check_date(c, w, s->created_at))
        return -1;
    if (s->text == NULL)
        return jr_fail(c, w, "the source has no text");
    size_t n = strlen(s->text);
    if (n > QDPX_MAX_ENTRY)
        return jr_fail(c, w, "%zu bytes of text; the limit is %zu", n, QDPX_MAX_ENTRY);
    if (utf8_invalid_at(s->text, n) != (size_t)-1)
        return jr_fail(c, w, "the text is not valid UTF-8");
    size_t length = utf8_codepoints(s->text, n);
    *nsel += s->nselections;
    if (*nsel > QDPX_MAX_SELECTIONS)
        return jr_fail(c, NULL, "more than %d selections", QDPX_MAX_SELECTIONS);
    for (size_t j = 0; j < s->nselections; j++)
        if (check_selection(c, f, &s->selections[j], length) != 0)
            return -1;
    return 0;
}

static int check_case(struct jr_ctx *c, const struct qdpx_project *p, const struct qdpx_case *k)
{
    char w[80];
    snprintf(w, sizeof w, "case %.40s", k->guid);
    if (check_name(c, w, k->name, 0))
        return -1;
    for (size_t j = 0; j < k->nvalues; j++) {
        const struct qdpx_value *v = &k->values[j];
        if (v->variable >= p->nvariables || v->text == NULL)
            return jr_fail(c, w, "value %zu names no variable of the project", j + 1);
        enum qdpx_var_type t = p->variables[v->variable].type;
        if (jr_check_text(c, w, v->text, strlen(v->text), JR_MULTI_LINE, VALUE_MAX) != 0)
            return -1;
        if (t != QDPX_VAR_TEXT && !valid_number(v->text, t == QDPX_VAR_FLOAT)) {
            char q[64];
            jr_quote_safe(v->text, strlen(v->text), q, sizeof q);
            return jr_fail(c, w, "'%s' is not %s", q, t == QDPX_VAR_FLOAT ? "a decimal number"
                                                                           : "a whole number");
        }
    }
    for (size_t j = 0; j < k->nsources; j++)
        if (k->sources[j] >= p->nsources)
            return jr_fail(c, w, "source reference %zu names no source of the project", j + 1);
    return 0;
}

static int check_parts(const struct qdpx_project *p, struct jr_ctx *c, const struct refs *f)
{
    for (size_t i = 0; i < p->nusers; i++)
        if (check_name(c, "user", p->users[i].name, 0) != 0)
            return -1;
    for (size_t i = 0; i < p->nvariables; i++) {
        if (check_name(c, "variable", p->variables[i].name, 1) != 0)
            return -1;
        if ((unsigned)p->variables[i].type > QDPX_VAR_FLOAT)
            return jr_fail(c, "variable", "unknown type %d", (int)p->variables[i].type);
    }
    size_t nsel = 0;
    for (size_t i = 0; i < p->nsources; i++)
        if (check_source(c, f, &p->sources[i], &nsel) != 0)
            return -1;
    for (size_t i = 0; i < p->ncases; i++)
        if (check_case(c, p, &p->cases[i]) != 0)
            return -1;
    return 0;
}

int qdpx_check(const struct qdpx_project *p, const char *source, duet_err *e)
{
    struct jr_ctx c = {source != NULL ? source : "project", e};
    if (check_name(&c, "project", p->name, 1) != 0)
        return -1;
    if (p->origin != NULL &&
        jr_check_text(&c, "origin", p->origin, strlen(p->origin), JR_ONE_LINE, QDPX_NAME_MAX))
        return -1;
    if (p->codebook.ncodes > 0 && codebook_check(&p->codebook, c.src, e) != 0)
        return -1;
    if (p->nsources > QDPX_MAX_SOURCES || p->nusers > QDPX_MAX_SOURCES ||
        p->ncases > QDPX_MAX_SOURCES || p->nvariables > QDPX_MAX_SOURCES)
        return jr_fail(&c, NULL, "more than %d sources, users, cases or variables",
                       QDPX_MAX_SOURCES);
    if (check_guids(p, &c) != 0)
        return -1;
    struct refs f = {sorted(p->users, p->nusers, sizeof *p->users),
                     sorted(p->codebook.codes, p->codebook.ncodes, sizeof *p->codebook.codes),
                     p->nusers, p->codebook.ncodes};
    int rc = f.users && f.codes ? check_parts(p, &c, &f) : jr_oom(&c);
    free(f.users);
    free(f.codes);
    return rc;
}

/* ------------------------------------------------------------------ */
/* comparing                                                           */

static int same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_selection(const struct qdpx_selection *x, const struct qdpx_selection *y)
{
    if (!same(x->guid, y->guid) || x->start != y->start || x->end != y->end ||
        !same(x->user_guid, y->user_guid) || x->ncodings != y->ncodings)
        return 0;
    for (size_t k = 0; k < x->ncodings; k++)
        if (!same(x->codings[k].guid, y->codings[k].guid) ||
            !same(x->codings[k].code_guid, y->codings[k].code_guid) ||
            !same(x->codings[k].user_guid, y->codings[k].user_guid))
            return 0;
    return 1;
}

int qdpx_equal(const struct qdpx_project *a, const struct qdpx_project *b)
{
    if (!codebook_equal(&a->codebook, &b->codebook) || a->nusers != b->nusers ||
        a->nsources != b->nsources)
        return 0;
    for (size_t i = 0; i < a->nusers; i++)
        if (!same(a->users[i].guid, b->users[i].guid) || !same(a->users[i].name, b->users[i].name))
            return 0;
    for (size_t i = 0; i < a->nsources; i++) {
        const struct qdpx_source *x = &a->sources[i], *y = &b->sources[i];
        if (!same(x->guid, y->guid) || !same(x->name, y->name) || !same(x->text, y->text) ||
            x->nselections != y->nselections)
            return 0;
        for (size_t j = 0; j < x->nselections; j++)
            if (!same_selection(&x->selections[j], &y->selections[j]))
                return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* writing project.qde                                                 */

static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    if (value == NULL)
        return 0;
    return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value) < 0 ? -1 : 0;
}

static int start(xmlTextWriterPtr w, const char *name)
{
    return xmlTextWriterStartElement(w, BAD_CAST name) < 0 ? -1 : 0;
}

static int end(xmlTextWriterPtr w)
{
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* <NAME targetGUID="g"/> */
static int ref(xmlTextWriterPtr w, const char *name, const char *g)
{
    return start(w, name) | attr(w, "targetGUID", g) | end(w);
}

static int write_users(xmlTextWriterPtr w, const struct qdpx_project *p)
{
    int rc = p->nusers ? start(w, "Users") : 0;
    for (size_t i = 0; i < p->nusers && rc == 0; i++)
        rc |= start(w, "User") | attr(w, "guid", p->users[i].guid) |
              attr(w, "name", p->users[i].name) | end(w);
    return rc | (p->nusers ? end(w) : 0);
}

static const char *const type_names[] = {"Text", "Integer", "Float"};
static const char *const value_names[] = {"TextValue", "IntegerValue", "FloatValue"};

static int write_variables(xmlTextWriterPtr w, const struct qdpx_project *p)
{
    int rc = p->nvariables ? start(w, "Variables") : 0;
    for (size_t i = 0; i < p->nvariables && rc == 0; i++)
        rc |= start(w, "Variable") | attr(w, "guid", p->variables[i].guid) |
              attr(w, "name", p->variables[i].name) |
              attr(w, "typeOfVariable", type_names[p->variables[i].type]) | end(w);
    return rc | (p->nvariables ? end(w) : 0);
}

static int write_case(xmlTextWriterPtr w, const struct qdpx_project *p, const struct qdpx_case *k)
{
    int rc = start(w, "Case") | attr(w, "guid", k->guid) | attr(w, "name", k->name);
    for (size_t j = 0; j < k->nvalues && rc == 0; j++) {
        const struct qdpx_variable *v = &p->variables[k->values[j].variable];
        rc |= start(w, "VariableValue") | ref(w, "VariableRef", v->guid);
        rc |= xmlTextWriterWriteElement(w, BAD_CAST value_names[v->type],
                                        BAD_CAST k->values[j].text) < 0;
        rc |= end(w);
    }
    for (size_t j = 0; j < k->nsources && rc == 0; j++)
        rc |= ref(w, "SourceRef", p->sources[k->sources[j]].guid);
    return rc | end(w);
}

static int write_selection(xmlTextWriterPtr w, const struct qdpx_selection *x)
{
    char s[32], t[32];
    snprintf(s, sizeof s, "%zu", x->start);
    snprintf(t, sizeof t, "%zu", x->end);
    int rc = start(w, "PlainTextSelection") | attr(w, "guid", x->guid) |
             attr(w, "startPosition", s) | attr(w, "endPosition", t) |
             attr(w, "creatingUser", x->user_guid) | attr(w, "creationDateTime", x->created_at);
    for (size_t k = 0; k < x->ncodings && rc == 0; k++) {
        const struct qdpx_coding *g = &x->codings[k];
        rc |= start(w, "Coding") | attr(w, "guid", g->guid) |
              attr(w, "creatingUser", g->user_guid) | attr(w, "creationDateTime", g->created_at) |
              ref(w, "CodeRef", g->code_guid) | end(w);
    }
    return rc | end(w);
}

static int write_source(xmlTextWriterPtr w, const struct qdpx_source *s)
{
    char path[CODEBOOK_GUID_LEN + sizeof INTERNAL + 8];
    snprintf(path, sizeof path, INTERNAL "%s.txt", s->guid);
    int rc = start(w, "TextSource") | attr(w, "guid", s->guid) | attr(w, "name", s->name) |
             attr(w, "plainTextPath", path) | attr(w, "creatingUser", s->user_guid) |
             attr(w, "creationDateTime", s->created_at);
    for (size_t j = 0; j < s->nselections && rc == 0; j++)
        rc |= write_selection(w, &s->selections[j]);
    return rc | end(w);
}

static int write_project(xmlTextWriterPtr w, const struct qdpx_project *p)
{
    char origin[128];
    if (p->codebook.name != NULL)
        qdc_origin(&p->codebook, origin, sizeof origin);
    int rc = xmlTextWriterSetIndent(w, 1) < 0;
    rc |= xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0;
    rc |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
    rc |= start(w, "Project") | attr(w, "xmlns", QDPX_NAMESPACE) | attr(w, "name", p->name) |
          attr(w, "origin", p->codebook.name != NULL ? origin : p->origin);
    rc |= rc == 0 ? write_users(w, p) : 0;
    if (rc == 0 && p->codebook.ncodes > 0)
        rc |= start(w, "CodeBook") | qdc_write_codes(w, &p->codebook) | end(w);
    rc |= rc == 0 ? write_variables(w, p) : 0;
    rc |= p->ncases && rc == 0 ? start(w, "Cases") : 0;
    for (size_t i = 0; i < p->ncases && rc == 0; i++)
        rc |= write_case(w, p, &p->cases[i]);
    rc |= p->ncases && rc == 0 ? end(w) : 0;
    rc |= p->nsources && rc == 0 ? start(w, "Sources") : 0;
    for (size_t i = 0; i < p->nsources && rc == 0; i++)
        rc |= write_source(w, &p->sources[i]);
    rc |= xmlTextWriterEndDocument(w) < 0;   /* closes every open element */
    return rc ? -1 : 0;
}

char *qdpx_write_xml(const struct qdpx_project *p, size_t *len, duet_err *e)
{
    if (qdpx_check(p, "project", e) != 0)
        return NULL;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        return duet_errf(e, DUET_EINTERNAL, "out of memory"), NULL;
    }
    int rc = write_project(w, p);
    xmlFreeTextWriter(w);
    char *out = NULL;
    if (rc == 0) {
        size_t n = (size_t)xmlBufferLength(buf);
        out = malloc(n + 1);
        if (out) {
            memcpy(out, xmlBufferContent(buf), n);
            out[n] = '\0';
            *len = n;
        }
    }
    xmlBufferFree(buf);
    if (out == NULL)
        duet_errf(e, DUET_EINTERNAL, "writing the project as REFI-QDA XML failed");
    return out;
}

/* ------------------------------------------------------------------ */
/* writing the zip                                                     */

/* Adds len bytes at data as name; owned (freed by libzip) when own is set. */
static int add_entry(zip_t *z, const char *name, const void *data, size_t len, int own)
{
    zip_source_t *s = zip_source_buffer(z, data, len, own);
    if (s == NULL) {
        if (own)
            free((void *)data);
        return -1;
    }
    if (zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
        zip_source_free(s);
        return -1;
    }
    return 0;
}

/* A source's file: its text, with a byte order mark put in front when the
** text itself starts with one (a reader strips one). */
static int add_source(zip_t *z, const struct qdpx_source *s)
{
    char name[CODEBOOK_GUID_LEN + 16];
    snprintf(name, sizeof name, "sources/%s.txt", s->guid);
    size_t n = strlen(s->text);
    if (strncmp(s->text, BOM, 3) != 0)
        return add_entry(z, name, s->text, n, 0);
    char *t = malloc(n + 3);
    if (t == NULL)
        return -1;
    memcpy(t, BOM, 3);
    memcpy(t + 3, s->text, n);
    return add_entry(z, name, t, n + 3, 1);
}

/* The bytes a written zip source holds (malloc'd), or NULL. */
static void *source_bytes(zip_source_t *src, size_t *len)
{
    zip_stat_t st;
    if (zip_source_stat(src, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(src) != 0)
        return NULL;
    char *out = malloc(st.size ? st.size : 1);
    zip_int64_t got = out ? zip_source_read(src, out, st.size) : -1;
    zip_source_close(src);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(out);
        return NULL;
    }
    *len = (size_t)st.size;
    return out;
}

void *qdpx_write(const struct qdpx_project *p, size_t *len, duet_err *e)
{
    size_t xlen;
    char *xml = qdpx_write_xml(p, &xlen, e);
    if (xml == NULL)
        return NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    void *out = NULL;
    if (z != NULL) {
        zip_source_keep(src);
        int rc = add_entry(z, "project.qde", xml, xlen, 0);
        for (size_t i = 0; i < p->nsources && rc == 0; i++)
            rc = add_source(z, &p->sources[i]);
        if (rc == 0 && zip_close(z) == 0)
            out = source_bytes(src, len);
        else
            zip_discard(z);
    }
    zip_source_free(src);
    zip_error_fini(&ze);
    free(xml);
    if (out == NULL)
        duet_errf(e, DUET_EINTERNAL, "writing the project as a .qdpx zip failed");
    return out;
}

static int write_all(int fd, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

int qdpx_write_file(const struct qdpx_project *p, const char *path, duet_err *e)
{
    size_t n;
    char *zip = qdpx_write(p, &n, e);
    if (zip == NULL)
        return -1;
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (tmp == NULL) {
        free(zip);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp), rc = fd < 0 ? -1 : 0, err = errno;
    if (rc == 0 && (write_all(fd, zip, n) != 0 || fsync(fd) != 0))
        rc = -1, err = errno;
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = -1, err = errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1, err = errno;
    if (rc != 0 && fd >= 0)
        unlink(tmp);
    free(tmp);
    free(zip);
    if (rc != 0)
        return duet_errf(e, DUET_EIO, "%s: cannot be written: %s", path, strerror(err));
    return 0;
}

/* ------------------------------------------------------------------ */
/* reading: the zip                                                    */

struct reader {
    const char *src;        /* the .qdpx, for messages */
    const char *qde;        /* the project XML's entry name, for messages */
    duet_err *e;
    zip_t *z;
    size_t total;           /* bytes read from entries so far */
    size_t nselections, ncodings;
    struct qdpx_project *p;
    unsigned flags;         /* QDPX_TEXT_ONLY */
};

static int fail_at(struct reader *r, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "SRC: project.qde:LINE: reason" (the entry's own name when it has another). */
static int fail_at(struct reader *r, xmlNodePtr n, const char *fmt, ...)
{
    char reason[DUET_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (n == NULL)
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: %s", r->src, r->qde, reason);
    return duet_errf(r->e, DUET_EINPUT, "%s: %s:%d: %s", r->src, r->qde, n->line, reason);
}

static int oom(struct reader *r)
{
    return duet_errf(r->e, DUET_EINTERNAL, "%s: out of memory", r->src);
}

/* Reads entry idx (called name in messages) whole into *out (malloc'd,
** NUL-terminated, *len bytes), bounded by its stated size and the limits. */
static int read_entry(struct reader *r, zip_int64_t idx, const char *name, char **out,
                      size_t *len)
{
    zip_stat_t st;
    if (zip_stat_index(r->z, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: its size is unknown", r->src, name);
    if (st.size > QDPX_MAX_ENTRY)
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: %llu bytes uncompressed; an entry may "
                         "have at most %zu", r->src, name, (unsigned long long)st.size,
                         QDPX_MAX_ENTRY);
    if (r->total + st.size > QDPX_MAX_TOTAL)
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: more than %zu bytes uncompressed in all",
                         r->src, name, QDPX_MAX_TOTAL);
    zip_file_t *f = zip_fopen_index(r->z, (zip_uint64_t)idx, 0);
    if (f == NULL)
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: cannot be read: %s", r->src, name,
                         zip_strerror(r->z));
    char *buf = malloc(st.size + 1), extra;
    size_t got = 0;
    zip_int64_t n = 1;
    while (buf != NULL && got < st.size && n > 0)
        if ((n = zip_fread(f, buf + got, st.size - got)) > 0)
            got += (size_t)n;
    if (n >= 0 && got == st.size)
        n = zip_fread(f, &extra, 1);   /* must be the end */
    char msg[128] = "";
    if (buf == NULL)
        snprintf(msg, sizeof msg, "out of memory");
    else if (n < 0)
        snprintf(msg, sizeof msg, "damaged: %s", zip_file_strerror(f));
    else if (n > 0 || got != st.size)
        snprintf(msg, sizeof msg, "damaged: its data does not match its stated size");
    zip_fclose(f);
    if (msg[0] != '\0') {
        free(buf);
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: %s", r->src, name, msg);
    }
    buf[got] = '\0';
    r->total += got;
    *out = buf;
    *len = got;
    return 0;
}

/* The index of entry name: exactly, else in Sources/ for sources/, else
** ignoring case; -1 when absent. */
static zip_int64_t locate(zip_t *z, const char *name)
{
    zip_int64_t i = zip_name_locate(z, name, 0);
    if (i < 0 && strncmp(name, "sources/", 8) == 0) {
        char *alt = strdup(name);
        if (alt != NULL) {
            alt[0] = 'S';
            i = zip_name_locate(z, alt, 0);
            free(alt);
        }
    }
    return i >= 0 ? i : zip_name_locate(z, name, ZIP_FL_NOCASE);
}

/* ------------------------------------------------------------------ */
/* reading: project.qde                                                */

/* Parses project.qde into *doc: well formed, no DOCTYPE, our namespace,
** valid against Project.xsd (the checks .qdc reading makes too). */
static int parse(struct reader *r, const char *data, size_t len, xmlDocPtr *doc)
{
    struct qdc_where at = {r->src, r->qde};
    *doc = qdc_parse_valid(data, len, "Project", QDPX_NAMESPACE, qdpx_schema_xsd, "project",
                           &at, r->e);
    return *doc ? 0 : -1;
}

static int is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c != NULL; c = c->next)
        if (is_elem(c, name))
            return c;
    return NULL;
}

/* Attribute name of n into *out (malloc'd, NULL when absent). */
static int prop(struct reader *r, xmlNodePtr n, const char *name, char **out)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    *out = NULL;
    if (v == NULL)
        return 0;
    *out = strdup((const char *)v);
    xmlFree(v);
    return *out ? 0 : oom(r);
}

/* A GUID attribute in canonical form (NULL when absent). */
static int guid(struct reader *r, xmlNodePtr n, const char *name, char **out)
{
    if (prop(r, n, name, out) != 0)
        return -1;
    if (*out == NULL)
        return 0;
    if (!codebook_valid_guid(*out)) {   /* the schema has checked it; be sure */
        free(*out);
        *out = NULL;
        return fail_at(r, n, "%s is not a UUID", name);
    }
    char g[CODEBOOK_GUID_LEN + 1];
    codebook_canonical_guid(*out, g);
    memcpy(*out, g, sizeof g);   /* the canonical form is never longer */
    return 0;
}

/* Grows the array whose pointer is at arr_p (size-byte items, *n used) by
** one zeroed item and returns it; NULL with the error set past max. */
static void *grow(struct reader *r, void *arr_p, size_t *n, size_t size, size_t max,
                  xmlNodePtr at, const char *what)
{
    void *arr;
    memcpy(&arr, arr_p, sizeof arr);
    if (*n >= max)
        return fail_at(r, at, "more than %zu %s", max, what), NULL;
    if ((*n & (*n - 1)) == 0) {   /* 0, 1, 2, 4, ...: double */
        void *b = realloc(arr, (*n ? *n * 2 : 1) * size);
        if (b == NULL)
            return oom(r), NULL;
        arr = b;
        memcpy(arr_p, &arr, sizeof arr);
    }
    char *item = (char *)arr + *n * size;
    memset(item, 0, size);
    (*n)++;
    return item;
}

static int read_users(struct reader *r, xmlNodePtr users)
{
    for (xmlNodePtr n = users ? users->children : NULL; n != NULL; n = n->next) {
        if (!is_elem(n, "User"))
            continue;
        struct qdpx_user *u = grow(r, &r->p->users, &r->p->nusers, sizeof *u,
                                   QDPX_MAX_SOURCES, n, "users");
        if (u == NULL || guid(r, n, "guid", &u->guid) || prop(r, n, "name", &u->name))
            return -1;
    }
    return 0;
}

static int read_variables(struct reader *r, xmlNodePtr vars)
{
    for (xmlNodePtr n = vars ? vars->children : NULL; n != NULL; n = n->next) {
        if (!is_elem(n, "Variable"))
            continue;
        struct qdpx_variable *v = grow(r, &r->p->variables, &r->p->nvariables, sizeof *v,
                                       QDPX_MAX_SOURCES, n, "variables");
        char *t = NULL;
        if (v == NULL || guid(r, n, "guid", &v->guid) || prop(r, n, "name", &v->name) ||
            prop(r, n, "typeOfVariable", &t))
            return -1;
        /* Boolean, Date and DateTime are kept as text, as written. */
        v->type = t && strcmp(t, "Integer") == 0 ? QDPX_VAR_INTEGER
                : t && strcmp(t, "Float") == 0   ? QDPX_VAR_FLOAT
                                                 : QDPX_VAR_TEXT;
        free(t);
    }
    return 0;
}

/* The text content of n, trimmed of XML white space unless keep is set. */
static int content(struct reader *r, xmlNodePtr n, int keep, char **out)
{
    xmlChar *v = xmlNodeGetContent(n);
    if (v == NULL)
        return oom(r);
    const char *s = (const char *)v, *ws = " \t\r\n";
    size_t len = strlen(s);
    if (!keep) {
        s += strspn(s, ws);
        len = strlen(s);
        while (len > 0 && strchr(ws, s[len - 1]) != NULL)
            len--;
    }
    *out = strndup(s, len);
    xmlFree(v);
    return *out ? 0 : oom(r);
}

/* ------------------------------------------------------------------ */
/* reading: sources                                                    */

/* The text of source s at n from its plainTextPath (internal://NAME). */
static int text_from_path(struct reader *r, xmlNodePtr n, struct qdpx_source *s, const char *path)
{
    char q[64];
    jr_quote_safe(path, strlen(path), q, sizeof q);
    if (strncmp(path, INTERNAL, strlen(INTERNAL)) != 0 || path[strlen(INTERNAL)] == '\0')
        return fail_at(r, n, "source '%.40s': plainTextPath '%s' is not inside the archive; "
                       "duet reads only internal:// paths", s->guid, q);
    const char *base = path + strlen(INTERNAL);
    if (strlen(base) > 1024)
        return fail_at(r, n, "source '%.40s': plainTextPath '%s' is too long", s->guid, q);
    char name[1100];
    snprintf(name, sizeof name, "sources/%s", base);
    zip_int64_t i = locate(r->z, name);
    if (i < 0)
        return fail_at(r, n, "source '%.40s': sources/%s is not in the archive", s->guid,
                       q + strlen(INTERNAL));
    jr_quote_safe(name, strlen(name), q, sizeof q);
    size_t len;
    if (read_entry(r, i, q, &s->text, &len) != 0)
        return -1;
    size_t bad = utf8_invalid_at(s->text, len);
    if (bad != (size_t)-1)
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: not valid UTF-8 at byte %zu (duet reads "
                         "text sources as UTF-8)", r->src, q, bad);
    if (strlen(s->text) != len)
        return duet_errf(r->e, DUET_EINPUT, "%s: %s: holds a NUL byte; not a plain text",
                         r->src, q);
    if (strncmp(s->text, BOM, 3) == 0)
        memmove(s->text, s->text + 3, len - 2);
    return 0;
}

/* A whole number in 0..SIZE_MAX from attribute name (validated as an
** xsd:integer by the schema). */
static int position(struct reader *r, xmlNodePtr n, const char *name, size_t *out)
{
    char *v;
    if (prop(r, n, name, &v) != 0)
        return -1;
    const char *s = v ? v + strspn(v, " \t\r\n") : "";
    s += *s == '+';
    char *endp;
    errno = 0;
    unsigned long long x = *s >= '0' && *s <= '9' ? strtoull(s, &endp, 10) : 0;
    int ok = *s >= '0' && *s <= '9' && errno == 0 && endp[strspn(endp, " \t\r\n")] == '\0' &&
             x <= SIZE_MAX;
    free(v);
    if (!ok)
        return fail_at(r, n, "%s is not a position in the text (0 or more)", name);
    *out = (size_t)x;
    return 0;
}

static int read_coding(struct reader *r, xmlNodePtr n, struct qdpx_selection *x)
{
    if (++r->ncodings > QDPX_MAX_SELECTIONS)
        return fail_at(r, n, "more than %d codings", QDPX_MAX_SELECTIONS);
    struct qdpx_coding *g = grow(r, &x->codings, &x->ncodings, sizeof *g, QDPX_MAX_SELECTIONS,
                                 n, "codings");
    if (g == NULL || guid(r, n, "guid", &g->guid) || guid(r, n, "creatingUser", &g->user_guid) ||
        prop(r, n, "creationDateTime", &g->created_at))
        return -1;
    xmlNodePtr cr = child(n, "CodeRef");
    return cr ? guid(r, cr, "targetGUID", &g->code_guid) : fail_at(r, n, "a Coding has no CodeRef");
}

static int read_selection(struct reader *r, xmlNodePtr n, struct qdpx_source *s, size_t length)
{
    if (++r->nselections > QDPX_MAX_SELECTIONS)
        return fail_at(r, n, "more than %d selections", QDPX_MAX_SELECTIONS);
    struct qdpx_selection *x = grow(r, &s->selections, &s->nselections, sizeof *x,
                                    QDPX_MAX_SELECTIONS, n, "selections");
    if (x == NULL || guid(r, n, "guid", &x->guid) || guid(r, n, "creatingUser", &x->user_guid) ||
        prop(r, n, "creationDateTime", &x->created_at) ||
        position(r, n, "startPosition", &x->start) || position(r, n, "endPosition", &x->end))
        return -1;
    if (x->start >= x->end || x->end > length)
        return fail_at(r, n, "selection %s: positions %zu..%zu do not fit the text of source "
                       "'%.40s' (%zu characters; 0 <= start < end <= length)", x->guid, x->start,
                       x->end, s->guid, length);
    for (xmlNodePtr c = n->children; c != NULL; c = c->next)
        if (is_elem(c, "Coding") && read_coding(r, c, x) != 0)
            return -1;
    return 0;
}

static int read_source(struct reader *r, xmlNodePtr n)
{
    struct qdpx_source *s = grow(r, &r->p->sources, &r->p->nsources, sizeof *s,
                                 QDPX_MAX_SOURCES, n, "sources");
    char *path = NULL;
    if (s == NULL || guid(r, n, "guid", &s->guid) || prop(r, n, "name", &s->name) ||
        guid(r, n, "creatingUser", &s->user_guid) ||
        prop(r, n, "creationDateTime", &s->created_at) || prop(r, n, "plainTextPath", &path))
        return -1;
    xmlNodePtr inline_text = child(n, "PlainTextContent");
    int rc = inline_text ? content(r, inline_text, 1, &s->text)
             : path      ? text_from_path(r, n, s, path)
                         : fail_at(r, n, "source '%.40s' has no text: neither PlainTextContent "
                                   "nor plainTextPath", s->guid);
    free(path);
    if (rc != 0)
        return -1;
    if (child(n, "Coding") != NULL)
        return fail_at(r, child(n, "Coding"), "source '%.40s': a coding of a whole source is "
                       "not supported; duet keeps codings of selections", s->guid);
    size_t length = utf8_codepoints(s->text, strlen(s->text));
    for (xmlNodePtr c = n->children; c != NULL; c = c->next)
        if (is_elem(c, "PlainTextSelection") && read_selection(r, c, s, length) != 0)
            return -1;
    return 0;
}

/* What a source element other than TextSource holds, in the words messages
** and summaries use; NULL for anything else. */
static const char *source_kind(xmlNodePtr n)
{
    static const char *const kinds[][2] = {{"PictureSource", "picture"}, {"PDFSource", "pdf"},
                                           {"AudioSource", "audio"}, {"VideoSource", "video"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (is_elem(n, kinds[i][0]))
            return kinds[i][1];
    return NULL;
}

/* Adds to *nsel the elements under n named ...Selection (PictureSelection,
** PDFSelection, AudioSelection, VideoSelection, TranscriptSelection, and
** the PlainTextSelection of a PDF's text Representation) and to *ncod the
** Coding elements, at any depth. */
static void count_under(xmlNodePtr n, size_t *nsel, size_t *ncod)
{
    for (xmlNodePtr c = n->children; c != NULL;) {
        if (c->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)c->name;
            size_t l = strlen(name);
            if (l >= 9 && strcmp(name + l - 9, "Selection") == 0)
                (*nsel)++;
            else if (strcmp(name, "Coding") == 0)
                (*ncod)++;
            if (c->children != NULL) {
                c = c->children;
                continue;
            }
        }
        while (c != n && c->next == NULL)
            c = c->parent;
        c = c == n ? NULL : c->next;
    }
}

/* Lists the non-text source at n (kind as source_kind says) as skipped. */
static int skip_source(struct reader *r, xmlNodePtr n, const char *kind)
{
    struct qdpx_skipped *k = grow(r, &r->p->skipped, &r->p->nskipped, sizeof *k,
                                  QDPX_MAX_SOURCES, n, "sources");
    if (k == NULL || guid(r, n, "guid", &k->guid) || prop(r, n, "name", &k->name))
        return -1;
    k->kind = kind;
    count_under(n, &k->nselections, &k->ncodings);
    return 0;
}

/* Without QDPX_TEXT_ONLY, refuses the first source that is not a text,
** before any text is read, so that the message names the real reason (and
** says how many there are and how to import the rest). With it, reads the
** text sources and lists the others as skipped. */
static int read_sources(struct reader *r, xmlNodePtr sources)
{
    xmlNodePtr first = NULL;
    size_t others = 0;
    for (xmlNodePtr n = sources ? sources->children : NULL; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !is_elem(n, "TextSource") && others++ == 0)
            first = n;
    if (first != NULL && !(r->flags & QDPX_TEXT_ONLY)) {
        char *name = NULL;
        if (prop(r, first, "name", &name) != 0)
            return -1;
        char q[64];
        jr_quote_safe(name ? name : "", name ? strlen(name) : 0, q, sizeof q);
        free(name);
        return fail_at(r, first, "duet imports text sources only; '%s' is a %.20s (%zu of the "
                       "project's sources %s not text%s; --text-only imports the text sources "
                       "and skips %s)", q, (const char *)first->name, others,
                       others == 1 ? "is" : "are", others == 1 ? "" : "s",
                       others == 1 ? "it" : "them");
    }
    for (xmlNodePtr n = sources ? sources->children : NULL; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *kind = source_kind(n);
        int rc = is_elem(n, "TextSource") ? read_source(r, n)
                 : kind                   ? skip_source(r, n, kind)
                                          : fail_at(r, n, "'%.40s' is not a kind of source duet "
                                                    "knows", (const char *)n->name);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* reading: cases                                                      */

/* GUIDs of sources or variables, sorted, with their indices: cases may
** name many of many. */
struct index {
    const char *guid;
    size_t i;
};

static int cmp_index(const void *a, const void *b)
{
    return strcmp(((const struct index *)a)->guid, ((const struct index *)b)->guid);
}

/* An index of the n items whose guid is the char * at the start of each
** stride-byte item (NULL when memory runs out). */
static struct index *index_of(const void *base, size_t n, size_t stride)
{
    struct index *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; x != NULL && i < n; i++)
        x[i] = (struct index){*(char *const *)((const char *)base + i * stride), i};
    if (x != NULL)
        qsort(x, n, sizeof *x, cmp_index);
    return x;
}

/* The index of guid g in x (n entries), or -1. */
static long find(const struct index *x, size_t n, const char *g)
{
    struct index key = {g, 0};
    const struct index *hit = g ? bsearch(&key, x, n, sizeof *x, cmp_index) : NULL;
    return hit ? (long)hit->i : -1;
}

struct case_ctx {
    struct index *variables, *sources, *skipped;
};

static int read_value(struct reader *r, const struct case_ctx *cx, xmlNodePtr n,
                      struct qdpx_case *k)
{
    xmlNodePtr vr = child(n, "VariableRef"), v = vr ? vr->next : NULL;
    while (v != NULL && v->type != XML_ELEMENT_NODE)
        v = v->next;
    if (v == NULL)
        return 0;   /* no value given */
    char *g = NULL;
    if (vr == NULL || guid(r, vr, "targetGUID", &g) != 0)
        return vr ? -1 : fail_at(r, n, "a VariableValue has no VariableRef");
    long i = find(cx->variables, r->p->nvariables, g);
    free(g);
    if (i < 0)
        return fail_at(r, vr, "case '%.40s': the variable is not among the project's "
                       "variables", k->guid);
    struct qdpx_value *x = grow(r, &k->values, &k->nvalues, sizeof *x, QDPX_MAX_SOURCES, n,
                                "values");
    if (x == NULL)
        return -1;
    x->variable = (size_t)i;
    return content(r, v, is_elem(v, "TextValue"), &x->text);
}

static int read_source_ref(struct reader *r, const struct case_ctx *cx, xmlNodePtr n,
                           struct qdpx_case *k)
{
    char *g = NULL;
    if (guid(r, n, "targetGUID", &g) != 0)
        return -1;
    long i = find(cx->sources, r->p->nsources, g);
    long skipped = i < 0 ? find(cx->skipped, r->p->nskipped, g) : -1;
    free(g);
    if (skipped >= 0)
        return 0;   /* a source passed over (QDPX_TEXT_ONLY): so is the reference */
    if (i < 0)
        return fail_at(r, n, "case '%.40s': SourceRef names no text source of the project",
                       k->guid);
    size_t *s = grow(r, &k->sources, &k->nsources, sizeof *s, QDPX_MAX_SOURCES, n, "sources");
    if (s == NULL)
        return -1;
    *s = (size_t)i;
    return 0;
}

static int read_case(struct reader *r, const struct case_ctx *cx, xmlNodePtr n)
{
    struct qdpx_case *k = grow(r, &r->p->cases, &r->p->ncases, sizeof *k, QDPX_MAX_SOURCES, n,
                               "cases");
    if (k == NULL || guid(r, n, "guid", &k->guid) || prop(r, n, "name", &k->name))
        return -1;
    for (xmlNodePtr c = n->children; c != NULL; c = c->next)
        if ((is_elem(c, "VariableValue") && read_value(r, cx, c, k) != 0) ||
            (is_elem(c, "SourceRef") && read_source_ref(r, cx, c, k) != 0))
            return -1;
    return 0;
}

static int read_cases(struct reader *r, xmlNodePtr cases)
{
    struct qdpx_project *p = r->p;
    struct case_ctx cx = {index_of(p->variables, p->nvariables, sizeof *p->variables),
                          index_of(p->sources, p->nsources, sizeof *p->sources),
                          index_of(p->skipped, p->nskipped, sizeof *p->skipped)};
    int rc = cx.variables && cx.sources && cx.skipped ? 0 : oom(r);
    for (xmlNodePtr n = cases ? cases->children : NULL; rc == 0 && n != NULL; n = n->next)
        if (is_elem(n, "Case"))
            rc = read_case(r, &cx, n);
    free(cx.variables);
    free(cx.sources);
    free(cx.skipped);
    return rc;
}

/* ------------------------------------------------------------------ */
/* reading: the whole                                                  */

static int walk(struct reader *r, xmlNodePtr root, const char *fallback)
{
    struct qdpx_project *p = r->p;
    if (prop(r, root, "name", &p->name) || prop(r, root, "origin", &p->origin))
        return -1;
    if (qdc_from_origin(p->origin, fallback, &p->codebook) != 0)
        return oom(r);
    xmlNodePtr codes = child(child(root, "CodeBook"), "Codes");
    char prefix[80];
    snprintf(prefix, sizeof prefix, "%s:", r->qde);
    if (read_users(r, child(root, "Users")) != 0 ||
        (codes && qdc_read_codes(codes, prefix, &p->codebook, r->src, r->e) != 0) ||
        read_variables(r, child(root, "Variables")) != 0 ||
        read_sources(r, child(root, "Sources")) != 0 || read_cases(r, child(root, "Cases")) != 0)
        return -1;
    char at[DUET_ERR_MAX];
    snprintf(at, sizeof at, "%s: %s", r->src, r->qde);
    return qdpx_check(p, at, r->e);
}

/* The project XML: project.qde, else the one .qde at the top of the archive
** (ATLAS.ti names it after the project); its name goes in *name (n bytes,
** quoted safely for messages). -1 with the error set when there is none or
** more than one. */
static zip_int64_t find_qde(struct reader *r, char *name, size_t n)
{
    snprintf(name, n, "project.qde");
    zip_int64_t i = locate(r->z, "project.qde");
    if (i >= 0)
        return i;
    zip_int64_t count = zip_get_num_entries(r->z, 0), found = -1;
    size_t nfound = 0;
    char list[160] = "";
    for (zip_int64_t k = 0; k < count && k < (zip_int64_t)QDPX_MAX_SOURCES * 4; k++) {
        const char *e = zip_get_name(r->z, (zip_uint64_t)k, 0);
        size_t el = e ? strlen(e) : 0;
        if (el < 5 || strchr(e, '/') != NULL || strchr(e, '\\') != NULL ||
            strcasecmp(e + el - 4, ".qde") != 0)
            continue;
        char q[64];
        jr_quote_safe(e, el, q, sizeof q);
        if (nfound++ == 0) {
            found = k;
            snprintf(name, n, "%s", q);
        }
        size_t ll = strlen(list);
        if (nfound <= 3)
            snprintf(list + ll, sizeof list - ll, "%s%s", nfound > 1 ? ", " : "", q);
        else if (nfound == 4)
            snprintf(list + ll, sizeof list - ll, ", ...");
    }
    if (nfound == 1)
        return found;
    if (nfound > 1)
        duet_errf(r->e, DUET_EINPUT, "%s: no project.qde in the archive, and %zu other .qde "
                  "files (%s); a REFI-QDA project holds one", r->src, nfound, list);
    else
        duet_errf(r->e, DUET_EINPUT, "%s: no project.qde in the archive; not a REFI-QDA "
                  "project (.qdpx)", r->src);
    return -1;
}

static int read_project(struct reader *r, const char *fallback)
{
    char name[64];
    zip_int64_t i = find_qde(r, name, sizeof name);
    if (i < 0)
        return -1;
    r->qde = name;
    char *xml;
    size_t len;
    if (read_entry(r, i, name, &xml, &len) != 0)
        return -1;
    xmlDocPtr doc = NULL;
    int rc = parse(r, xml, len, &doc);
    free(xml);
    if (rc == 0)
        rc = walk(r, xmlDocGetRootElement(doc), fallback);
    xmlFreeDoc(doc);
    return rc;
}

int qdpx_read(const void *data, size_t len, const char *source, const char *fallback_codebook,
              struct qdpx_project *out, duet_err *e)
{
    return qdpx_read_with(data, len, source, fallback_codebook, 0, out, e);
}

int qdpx_read_with(const void *data, size_t len, const char *source,
                   const char *fallback_codebook, unsigned flags, struct qdpx_project *out,
                   duet_err *e)
{
    struct qdpx_project tmp;
    memset(&tmp, 0, sizeof tmp);
    duet_err scratch;
    struct reader r = {source != NULL ? source : "project.qdpx", "project.qde", e ? e : &scratch,
                       NULL, 0, 0, 0, &tmp, flags};
    if (data == NULL || len == 0)
        return duet_errf(e, DUET_EINPUT, "%s: the file is empty; expected a REFI-QDA project "
                         "(.qdpx)", r.src);
    if (len > QDPX_MAX_BYTES)
        return duet_errf(e, DUET_EINPUT, "%s: %zu bytes; a project may have at most %zu",
                         r.src, len, QDPX_MAX_BYTES);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    r.z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (r.z == NULL) {
        duet_errf(e, DUET_EINPUT, "%s: not a zip archive (a .qdpx is a zip holding "
                  "project.qde): %s", r.src, zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return -1;
    }
    zip_error_fini(&ze);
    int rc = read_project(&r, fallback_codebook != NULL ? fallback_codebook : "imported");
    zip_discard(r.z);
    if (rc != 0) {
        qdpx_free(&tmp);
        return -1;
    }
    *out = tmp;
    return 0;
}

int qdpx_read_file(const char *path, const char *fallback_codebook, struct qdpx_project *out,
                   duet_err *e)
{
    return qdpx_read_file_with(path, fallback_codebook, 0, out, e);
}

int qdpx_read_file_with(const char *path, const char *fallback_codebook, unsigned flags,
                        struct qdpx_project *out, duet_err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return duet_errf(e, DUET_EIO, "%s: cannot be opened: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > QDPX_MAX_BYTES) {
        fclose(f);
        return duet_errf(e, DUET_EINPUT, "%s: not a regular file of at most %zu bytes", path,
                         QDPX_MAX_BYTES);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n ? n : 1);
    size_t got = buf ? fread(buf, 1, n, f) : 0;
    fclose(f);
    if (buf == NULL || got != n) {
        free(buf);
        return duet_errf(e, DUET_EIO, "%s: cannot be read", path);
    }
    int rc = qdpx_read_with(buf, n, path, fallback_codebook, flags, out, e);
    free(buf);
    return rc;
}
