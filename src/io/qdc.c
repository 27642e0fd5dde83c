/*
** qdc.c — REFI-QDA codebook (.qdc) export and import with libxml2.
**
** Import never touches the network (XML_PARSE_NONET), never expands
** entities (no XML_PARSE_NOENT, no DTD loading) and refuses any document
** type declaration outright, so external entities (XXE) and entity bombs
** cannot reach it. A document is kept only after the namespace, the
** REFI-QDA schema and codebook_check all accept it. Nothing here prints or
** exits; libxml2's own error output is captured, never shown.
*/
#include "io/qdc.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsonread.h"

#define L_DEF   CODEBOOK_LABEL_DEFINITION
#define L_USE   CODEBOOK_LABEL_USE
#define L_NOT   CODEBOOK_LABEL_NOT
#define L_EX    CODEBOOK_LABEL_EXAMPLE

/* ------------------------------------------------------------------ */
/* export                                                              */

/* The Description text of k (malloc'd), or NULL when k has nothing to say
** (*oom set when memory ran out). */
static char *description(const struct codebook_code *k, int *oom)
{
    const char *v[] = {k->definition, k->when_to_use, k->when_not_to_use, k->example};
    const char *l[] = {L_DEF, L_USE, L_NOT, L_EX};
    /* A definition alone is written as it is (what other tools write and
    ** read), unless it starts like a label: the reader keeps an unlabelled
    ** Description whole, so it reads back the same. */
    int plain = k->definition && !k->when_to_use && !k->when_not_to_use && !k->example;
    for (size_t i = 0; plain && i < 4; i++)
        plain = strncmp(k->definition, l[i], strlen(l[i])) != 0;
    if (plain) {
        char *s = strdup(k->definition);
        *oom = s == NULL;
        return s;
    }
    size_t n = 0;
    for (size_t i = 0; i < 4; i++)
        n += v[i] ? strlen(l[i]) + strlen(v[i]) + 1 : 0;
    if (n == 0)
        return NULL;
    char *s = malloc(n + 1), *p = s;
    if (s == NULL) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < 4; i++)
        if (v[i])
            p += sprintf(p, "%s%s%s", p == s ? "" : "\n", l[i], v[i]);
    return s;
}

static int write_code(xmlTextWriterPtr w, const struct codebook *cb, size_t i, size_t *next)
{
    const struct codebook_code *k = &cb->codes[i];
    int oom = 0, rc = 0;
    char *d = description(k, &oom);
    if (oom)
        return -1;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "Code") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "guid", BAD_CAST k->guid) < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST k->name) < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "isCodable", BAD_CAST "true") < 0;
    if (k->colour)
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "color", BAD_CAST k->colour) < 0;
    if (d)
        rc |= xmlTextWriterWriteElement(w, BAD_CAST "Description", BAD_CAST d) < 0;
    free(d);
    size_t j = i + 1;
    while (rc == 0 && j < cb->ncodes && cb->codes[j].parent == (long)i)
        rc |= write_code(w, cb, j, &j);
    rc |= xmlTextWriterEndElement(w) < 0;
    *next = j;
    return rc ? -1 : 0;
}

int qdc_write_codes(xmlTextWriterPtr w, const struct codebook *cb)
{
    int rc = xmlTextWriterStartElement(w, BAD_CAST "Codes") < 0;
    size_t i = 0;
    while (rc == 0 && i < cb->ncodes)
        rc |= write_code(w, cb, i, &i);
    rc |= xmlTextWriterEndElement(w) < 0;
    return rc ? -1 : 0;
}

void qdc_origin(const struct codebook *cb, char *out, size_t n)
{
    snprintf(out, n, "duet codebook %s version %d", cb->name, cb->version);
}

char *qdc_write(const struct codebook *cb, size_t *len, duet_err *e)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        return duet_errf(e, DUET_EINTERNAL, "out of memory"), NULL;
    }
    char origin[128];
    qdc_origin(cb, origin, sizeof origin);
    int rc = 0;
    rc |= xmlTextWriterSetIndent(w, 1) < 0;
    rc |= xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0;
    rc |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "CodeBook") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST QDC_NAMESPACE) < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "origin", BAD_CAST origin) < 0;
    rc |= rc == 0 ? qdc_write_codes(w, cb) : 0;
    rc |= xmlTextWriterEndDocument(w) < 0;   /* closes every open element */
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
        duet_errf(e, DUET_EINTERNAL, "writing the codebook as .qdc failed");
    return out;
}

/* ------------------------------------------------------------------ */
/* import                                                              */

struct first_error {
    int set, line;
    char msg[200];
};

static void keep_first(void *ctx, xmlErrorPtr err)
{
    struct first_error *f = ctx;
    if (f->set || err == NULL)
        return;
    f->set = 1;
    f->line = err->line;
    snprintf(f->msg, sizeof f->msg, "%s", err->message ? err->message : "invalid");
    size_t n = strlen(f->msg);
    while (n > 0 && (f->msg[n - 1] == '\n' || f->msg[n - 1] == ' '))
        f->msg[--n] = '\0';
}

static int is_elem(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Cuts the last line of text (modified in place) off when it starts with
** label; *out gets a copy of its value (NULL when empty). Returns -1 when
** memory runs out. */
static int cut_last(char *text, const char *label, char **out)
{
    char *nl = strrchr(text, '\n'), *line = nl ? nl + 1 : text;
    size_t ln = strlen(label);
    if (strncmp(line, label, ln) != 0)
        return 0;
    if (line[ln] != '\0' && (*out = strdup(line + ln)) == NULL)
        return -1;
    *(nl ? nl : text) = '\0';
    return 0;
}

/* Splits a Description written by qdc_write back into its fields; any other
** text is the definition. */
static int split_description(const char *d, struct codebook_code *k)
{
    static const char *const labels[] = {L_DEF, L_USE, L_NOT, L_EX};
    int labelled = 0;
    for (size_t i = 0; i < 4; i++)
        labelled |= strncmp(d, labels[i], strlen(labels[i])) == 0;
    char *t = strdup(d);
    if (t == NULL)
        return -1;
    int rc = 0;
    if (labelled) {
        rc |= cut_last(t, L_EX, &k->example);
        rc |= cut_last(t, L_NOT, &k->when_not_to_use);
        rc |= cut_last(t, L_USE, &k->when_to_use);
        if (rc == 0 && strncmp(t, L_DEF, strlen(L_DEF)) == 0) {
            if (t[strlen(L_DEF)] != '\0')
                rc |= (k->definition = strdup(t + strlen(L_DEF))) == NULL ? -1 : 0;
        } else if (rc == 0 && t[0] != '\0') {
            labelled = 0;   /* not ours after all: keep the text whole */
        }
    }
    if (rc == 0 && !labelled) {
        free(k->example);
        free(k->when_not_to_use);
        free(k->when_to_use);
        k->example = k->when_not_to_use = k->when_to_use = NULL;
        if (d[0] != '\0')
            rc |= (k->definition = strdup(d)) == NULL ? -1 : 0;
    }
    free(t);
    return rc;
}

static char *prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (v == NULL)
        return NULL;
    char *s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

static int read_code(xmlNodePtr n, long parent, size_t depth, size_t position,
                     struct codebook *cb, const char *at, struct jr_ctx *c)
{
    if (depth >= CODEBOOK_MAX_DEPTH)
        return jr_fail(c, NULL, "%s%d: codes nest at most %d levels deep", at, n->line,
                       CODEBOOK_MAX_DEPTH);
    struct codebook_code *k = codebook_append(cb);
    if (k == NULL)
        return cb->ncodes >= CODEBOOK_MAX_CODES
                   ? jr_fail(c, NULL, "%s%d: more than %d codes", at, n->line,
                             CODEBOOK_MAX_CODES)
                   : jr_oom(c);
    long self = (long)cb->ncodes - 1;
    k->parent = parent;
    k->depth = depth;
    k->position = position;
    char *guid = prop(n, "guid");
    k->name = prop(n, "name");
    char *colour = prop(n, "color");
    if (guid == NULL || k->name == NULL) {
        free(guid);
        free(colour);
        return jr_oom(c);
    }
    char g[CODEBOOK_GUID_LEN + 1];
    if (!codebook_valid_guid(guid)) {   /* the schema has checked it; be sure */
        free(guid);
        free(colour);
        return jr_fail(c, NULL, "%s%d: a code's guid is not a UUID", at, n->line);
    }
    codebook_canonical_guid(guid, g);
    free(guid);
    k->guid = strdup(g);
    if (colour != NULL) {
        char full[8] = "#";
        size_t cl = strlen(colour);
        for (size_t i = 1; i < 7 && cl >= 4; i++) {
            char ch = cl == 4 ? colour[1 + (i - 1) / 2] : cl == 7 ? colour[i] : '0';
            full[i] = (ch >= 'a' && ch <= 'f') ? (char)(ch - 'a' + 'A') : ch;
        }
        full[7] = '\0';
        free(colour);
        k->colour = strdup(full);
        if (k->colour == NULL)
            return jr_oom(c);
    }
    if (k->guid == NULL)
        return jr_oom(c);
    size_t pos = 0;
    for (xmlNodePtr ch = n->children; ch != NULL; ch = ch->next) {
        if (is_elem(ch, "Description")) {
            xmlChar *d = xmlNodeGetContent(ch);
            int rc = d ? split_description((const char *)d, k) : 0;
            xmlFree(d);
            if (rc != 0)
                return jr_oom(c);
        } else if (is_elem(ch, "Code")) {
            if (read_code(ch, self, depth + 1, pos++, cb, at, c) != 0)
                return -1;
        }
    }
    return 0;
}

int qdc_read_codes(xmlNodePtr codes, const char *at, struct codebook *cb, const char *source,
                   duet_err *e)
{
    struct jr_ctx c = {source, e};
    size_t pos = 0;
    for (xmlNodePtr n = codes->children; n != NULL; n = n->next)
        if (is_elem(n, "Code") && read_code(n, -1, 0, pos++, cb, at, &c) != 0)
            return -1;
    return 0;
}

int qdc_from_origin(const char *o, const char *fallback, struct codebook *cb)
{
    cb->version = 1;
    char name[64] = "";
    int version = 0, end = 0;
    if (o != NULL && sscanf(o, "duet codebook %48s version %d%n", name, &version, &end) == 2 &&
        o[end] == '\0' && jr_valid_name(name, strlen(name), 1) && version >= 1 &&
        version <= CODEBOOK_MAX_VERSION) {
        cb->name = strdup(name);
        cb->version = version;
    } else {
        cb->name = strdup(fallback);
    }
    return cb->name != NULL ? 0 : -1;
}

static int fail_where(duet_err *e, const struct qdc_where *at, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "SRC: reason", "SRC: line N: reason", "SRC: ENTRY: reason" or
** "SRC: ENTRY:N: reason" (line 0: none). */
static int fail_where(duet_err *e, const struct qdc_where *at, int line, const char *fmt, ...)
{
    char reason[DUET_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (at->entry && line > 0)
        return duet_errf(e, DUET_EINPUT, "%s: %s:%d: %s", at->src, at->entry, line, reason);
    if (at->entry)
        return duet_errf(e, DUET_EINPUT, "%s: %s: %s", at->src, at->entry, reason);
    if (line > 0)
        return duet_errf(e, DUET_EINPUT, "%s: line %d: %s", at->src, line, reason);
    return duet_errf(e, DUET_EINPUT, "%s: %s", at->src, reason);
}

static int validate(xmlDocPtr doc, const char *xsd, const char *kind,
                    const struct qdc_where *at, duet_err *e)
{
    xmlSchemaParserCtxtPtr spc = xmlSchemaNewMemParserCtxt(xsd, (int)strlen(xsd));
    struct first_error se = {0}, fe = {0};
    if (spc)
        xmlSchemaSetParserStructuredErrors(spc, keep_first, &se);
    xmlSchemaPtr schema = spc ? xmlSchemaParse(spc) : NULL;
    xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    int rc = 0;
    if (vc == NULL) {
        rc = duet_errf(e, DUET_EINTERNAL, "the compiled-in REFI-QDA schema did not load");
    } else {
        xmlSchemaSetValidStructuredErrors(vc, keep_first, &fe);
        if (xmlSchemaValidateDoc(vc, doc) != 0)
            rc = fe.set ? fail_where(e, at, fe.line, "does not follow the REFI-QDA %s schema: "
                                     "%s", kind, fe.msg)
                        : fail_where(e, at, 0, "does not follow the REFI-QDA %s schema", kind);
    }
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(spc);
    return rc;
}

/* Removes every Sets element directly under root that holds no element.
** Taguette writes one into every codebook, which the schema does not allow
** (a Sets holds at least one Set); duet keeps no sets, so an empty one says
** nothing and is passed over rather than refused. */
static void drop_empty_sets(xmlNodePtr root)
{
    xmlNodePtr n = root->children;
    while (n != NULL) {
        xmlNodePtr next = n->next;
        int empty = is_elem(n, "Sets") && n->ns != NULL && root->ns != NULL &&
                    strcmp((const char *)n->ns->href, (const char *)root->ns->href) == 0;
        for (xmlNodePtr c = empty ? n->children : NULL; c != NULL; c = c->next)
            empty &= c->type != XML_ELEMENT_NODE;
        if (empty) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
        n = next;
    }
}

xmlDocPtr qdc_parse_valid(const char *data, size_t len, const char *root, const char *ns,
                          const char *xsd, const char *kind, const struct qdc_where *at,
                          duet_err *e)
{
    if (memmem(data, len, "<!DOCTYPE", 9) != NULL) {
        fail_where(e, at, 0, "a document type declaration (<!DOCTYPE ...>) is not allowed in "
                   "a %s", kind);
        return NULL;
    }
    if (len > (size_t)0x7fffffff) {
        fail_where(e, at, 0, "too large");
        return NULL;
    }
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    if (pc == NULL) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        return NULL;
    }
    xmlDocPtr doc = xmlCtxtReadMemory(pc, data, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    struct first_error fe = {0};
    if (doc == NULL)
        keep_first(&fe, xmlCtxtGetLastError(pc));
    xmlFreeParserCtxt(pc);
    if (doc == NULL) {
        if (fe.set)
            fail_where(e, at, fe.line, "not well-formed XML: %s", fe.msg);
        else
            fail_where(e, at, 0, "not well-formed XML");
        return NULL;
    }
    xmlNodePtr r = xmlDocGetRootElement(doc);
    int rc = 0;
    if (doc->intSubset != NULL || r == NULL) {
        rc = fail_where(e, at, 0, "not a REFI-QDA %s", kind);
    } else if (strcmp((const char *)r->name, root) != 0 || r->ns == NULL ||
               strcmp((const char *)r->ns->href, ns) != 0) {
        char q[64];
        const char *found = r->ns ? (const char *)r->ns->href : "";
        jr_quote_safe(found, strlen(found), q, sizeof q);
        rc = fail_where(e, at, r->line, "not a REFI-QDA %s: the root element is '%s' in "
                        "namespace '%s'; expected '%s' in namespace '%s'", kind,
                        strlen((const char *)r->name) < 40 ? (const char *)r->name : "?", q,
                        root, ns);
    }
    if (rc == 0) {
        drop_empty_sets(r);
        rc = validate(doc, xsd, kind, at, e);
    }
    if (rc != 0) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int qdc_read(const char *data, size_t len, const char *source, const char *fallback_name,
             struct codebook *out, duet_err *e)
{
    struct jr_ctx c = {source != NULL ? source : "codebook.qdc", e};
    if (data == NULL || len == 0)
        return jr_fail(&c, NULL, "the file is empty; expected a REFI-QDA codebook (XML)");
    if (len > QDC_MAX_BYTES)
        return jr_fail(&c, NULL, "%zu bytes; a codebook may have at most %zu", len,
                       QDC_MAX_BYTES);
    struct qdc_where at = {c.src, NULL};
    xmlDocPtr doc = qdc_parse_valid(data, len, "CodeBook", QDC_NAMESPACE, qdc_schema_xsd,
                                    "codebook", &at, e);
    if (doc == NULL)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    struct codebook tmp;
    memset(&tmp, 0, sizeof tmp);
    if (rc == 0) {
        char *o = prop(root, "origin");
        if (qdc_from_origin(o, fallback_name != NULL ? fallback_name : "imported", &tmp) != 0)
            rc = jr_oom(&c);
        free(o);
    }
    xmlNodePtr codes = NULL;
    for (xmlNodePtr n = rc == 0 ? root->children : NULL; n != NULL; n = n->next)
        if (is_elem(n, "Codes"))
            codes = n;
    if (rc == 0 && codes != NULL)
        rc = qdc_read_codes(codes, "line ", &tmp, c.src, e);
    if (rc == 0)
        rc = codebook_check(&tmp, c.src, e);
    xmlFreeDoc(doc);
    if (rc != 0) {
        codebook_free(&tmp);
        return -1;
    }
    *out = tmp;
    return 0;
}
