/*
** project.c — the coding work as a REFI-QDA project (io/qdpx.h), out and in.
**
** Export reads only through the view "codable", so a project never holds a
** private reflection or anything of a person who withdrew. Every codable
** reflection and observation gets its source row (and GUID) first, so that
** texts not coded yet travel too and keep their identity on the next
** export. Pseudonymising replaces the full display names duet knows (every
** partnership member's) in names and texts, and moves the selections with
** the text; a name written another way is not caught, which docs/coding.md
** says plainly. The same replacement serves the JSON and CSV exports of
** codings (store_coding_each_pseudonymised), and store_pseudonym_map names
** people in the responses and sorts exports.
**
** Import writes everything in one transaction and refuses GUIDs that are
** already here, so a project cannot be imported twice or over the work it
** came from.
*/
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "io/codebook.h"
#include "io/qdpx.h"

static char *dup_col(sqlite3_stmt *s, int i, int *oom)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    if (t == NULL)
        return NULL;
    char *d = strdup((const char *)t);
    *oom |= d == NULL;
    return d;
}

/* Makes the source rows that codable reflections and observations lack. */
static int make_sources(struct store *st, const char *cohort, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT kind, doc_id FROM codable WHERE source_id IS NULL "
                                  "AND kind <> 'imported' AND (?1 IS NULL OR cohort = ?1) "
                                  "ORDER BY cohort, partnership, module, kind, doc_id", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, cohort);
    struct { char kind[16]; int64_t id; } *todo = NULL;
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        void *t = realloc(todo, (n + 1) * sizeof *todo);
        if (t == NULL)
            break;
        todo = t;
        snprintf(todo[n].kind, sizeof todo[n].kind, "%s", (const char *)sqlite3_column_text(s, 0));
        todo[n++].id = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        free(todo);
        return rc == SQLITE_ROW ? duet_errf(e, DUET_EINTERNAL, "out of memory")
                                : db_fail(st, "reading documents", e);
    }
    int started, ok = 1;
    if (n && db_tx_begin(st, &started, e) != 0) {
        free(todo);
        return -1;
    }
    for (size_t i = 0; ok && i < n; i++) {
        int64_t sid;
        ok = db_source_make(st, todo[i].kind, todo[i].id, &sid, e) == 0;
    }
    free(todo);
    return n ? db_tx_end(st, started, ok, e) : 0;
}

/* The codebook the exported codings use (see store.h). */
static int export_codebook(struct store *st, const char *cohort, struct codebook *cb,
                           duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT DISTINCT b.name, b.version FROM codable d "
                                  "JOIN selection x ON x.source_id = d.source_id "
                                  "JOIN coding g ON g.selection_id = x.id "
                                  "JOIN code c ON c.id = g.code_id "
                                  "JOIN codebook b ON b.id = c.codebook_id "
                                  "WHERE ?1 IS NULL OR d.cohort = ?1 ORDER BY b.name, b.version",
                              e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, cohort);
    char name[64] = "", names[512] = "";
    int version = 0, n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
        version = sqlite3_column_int(s, 1);
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s'%s' version %d", n ? ", " : "", name,
                 version);
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_fail(st, "reading codebooks", e);
    if (n > 1)
        return duet_errf(e, DUET_ECONFLICT, "the codings use codes of %d codebooks (%s); a "
                         "REFI-QDA project holds one", n, names);
    if (n == 0) {
        s = db_prep(st, "SELECT name, version FROM codebook "
                        "ORDER BY name = 'starter' DESC, id DESC LIMIT 1", e);
        if (s == NULL)
            return -1;
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
            version = sqlite3_column_int(s, 1);
        }
        sqlite3_reset(s);
        if (rc == SQLITE_DONE) {
            memset(cb, 0, sizeof *cb);
            cb->name = strdup("none");
            cb->version = 1;
            return cb->name ? 0 : duet_errf(e, DUET_EINTERNAL, "out of memory");
        }
        if (rc != SQLITE_ROW)
            return db_fail(st, "reading codebooks", e);
    }
    return store_codebook_get(st, name, version, cb, e);
}

static int export_users(struct store *st, struct qdpx_project *p, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT guid, name FROM coder ORDER BY id", e);
    if (s == NULL)
        return -1;
    int rc, oom = 0;
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct qdpx_user *u = realloc(p->users, (p->nusers + 1) * sizeof *u);
        if (u == NULL) {
            oom = 1;
            break;
        }
        p->users = u;
        u += p->nusers++;
        u->guid = dup_col(s, 0, &oom);
        u->name = dup_col(s, 1, &oom);
    }
    sqlite3_reset(s);
    if (oom)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    return rc == SQLITE_DONE ? 0 : db_fail(st, "reading coders", e);
}

/* Names and pseudonyms of every partnership member: rows of three strings
** (partnership code, display name, pseudonym), longest names first so that
** "Sam Taylor-Jones" is replaced before "Sam Taylor". */
struct names { char **v; size_t n; };

static int load_names(struct store *st, struct names *nm, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT t.code, p.display_name, t.code || '-' || "
                                  "CASE r.side WHEN 'lived_experience' THEN 'L' ELSE 'S' END || "
                                  "(SELECT count(*) FROM membership m2 JOIN role r2 ON "
                                  "r2.id = m2.role_id WHERE m2.partnership_id = m.partnership_id "
                                  "AND r2.side = r.side AND m2.person_id <= m.person_id) "
                                  "FROM membership m JOIN partnership t ON t.id = m.partnership_id "
                                  "JOIN person p ON p.id = m.person_id JOIN role r ON "
                                  "r.id = m.role_id WHERE p.erased_at IS NULL AND "
                                  "length(p.display_name) >= 3 "
                                  "ORDER BY length(p.display_name) DESC, t.code, p.id", e);
    if (s == NULL)
        return -1;
    int rc, oom = 0;
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char **v = realloc(nm->v, (nm->n + 1) * 3 * sizeof *v);
        if (v == NULL) {
            oom = 1;
            break;
        }
        nm->v = v;
        for (int k = 0; k < 3; k++)
            v[nm->n * 3 + k] = dup_col(s, k, &oom);
        nm->n++;
    }
    sqlite3_reset(s);
    if (oom)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    return rc == SQLITE_DONE ? 0 : db_fail(st, "reading names", e);
}

static void names_free(struct names *nm)
{
    for (size_t i = 0; i < nm->n * 3; i++)
        free(nm->v[i]);
    free(nm->v);
}

static int word_char(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* A text with names replaced, and where its positions went: rep[] are the
** replacements in order, each the code points [from, to) of the original
** that became [nfrom, nto). */
struct ptext {
    char *text;
    struct rep { size_t from, to, nfrom, nto; } *rep;
    size_t nrep;
};

static void ptext_free(struct ptext *t)
{
    free(t->text);
    free(t->rep);
    memset(t, 0, sizeof *t);
}

/* Whether names row i applies to a text of partnership code: a member of
** several partnerships is named by the pseudonym of this one. */
static int row_applies(const struct names *nm, size_t i, const char *code)
{
    if (code == NULL || strcmp(nm->v[i * 3], code) == 0)
        return 1;
    for (size_t j = 0; j < nm->n; j++)
        if (j != i && strcmp(nm->v[j * 3 + 1], nm->v[i * 3 + 1]) == 0 &&
            strcmp(nm->v[j * 3], code) == 0)
            return 0;
    return 1;
}

static size_t codepoints(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* text (of partnership code, NULL: any) with every whole-word occurrence of
** a member's display name replaced by their pseudonym, in one pass from the
** left, the longest name first at each place; 0, or -1 when memory runs
** out (*out is then empty). */
static int pseudonymise(const char *text, const struct names *nm, const char *code,
                        struct ptext *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strlen(text), cap = n + 1, len = 0, cp = 0, ncp = 0, rcap = 0;
    char *o = malloc(cap);
    if (o == NULL)
        return -1;
    for (const char *q = text; *q;) {
        const char *name = NULL, *pseudo = NULL;
        size_t ln = 0;
        if (q == text || !word_char((unsigned char)q[-1]))
            for (size_t i = 0; i < nm->n && name == NULL; i++) {
                const char *x = nm->v[i * 3 + 1];
                ln = strlen(x);
                if (strncmp(q, x, ln) == 0 && !word_char((unsigned char)q[ln]) &&
                    row_applies(nm, i, code)) {
                    name = x;
                    pseudo = nm->v[i * 3 + 2];
                }
            }
        const char *add = name ? pseudo : q;
        size_t la = name ? strlen(pseudo) : 1;
        if (len + la + 1 > cap) {
            cap = 2 * (len + la + 1);
            char *t = realloc(o, cap);
            if (t == NULL)
                goto nomem;
            o = t;
        }
        memcpy(o + len, add, la);
        len += la;
        if (name == NULL) {
            size_t c = ((unsigned char)*q & 0xC0) != 0x80;
            cp += c;
            ncp += c;
            q++;
            continue;
        }
        if (out->nrep == rcap) {
            rcap = rcap ? 2 * rcap : 8;
            struct rep *r = realloc(out->rep, rcap * sizeof *r);
            if (r == NULL)
                goto nomem;
            out->rep = r;
        }
        struct rep *r = &out->rep[out->nrep++];
        r->from = cp;
        r->to = cp += codepoints(name, ln);
        r->nfrom = ncp;
        r->nto = ncp += codepoints(pseudo, la);
        q += ln;
    }
    o[len] = '\0';
    out->text = o;
    return 0;
nomem:
    free(o);
    free(out->rep);
    memset(out, 0, sizeof *out);
    return -1;
}

/* Position pos (code points of the original text) in the replaced one. A
** position inside a replaced name goes to the start of its pseudonym, or to
** its end for the end of a passage, so a passage never keeps part of one. */
static size_t ptext_pos(const struct ptext *t, size_t pos, int end)
{
    size_t to = 0, nto = 0;
    for (size_t i = 0; i < t->nrep && t->rep[i].from < pos; i++) {
        if (pos < t->rep[i].to)
            return end ? t->rep[i].nto : t->rep[i].nfrom;
        to = t->rep[i].to;
        nto = t->rep[i].nto;
    }
    return nto + (pos - to);
}

static int export_selections(struct store *st, int64_t source, struct qdpx_source *src,
                             duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT x.id, x.guid, x.start_pos, x.end_pos, k.guid, "
                                  "x.created_at FROM selection x JOIN coder k ON "
                                  "k.id = x.coder_id WHERE x.source_id = ? "
                                  "ORDER BY x.start_pos, x.end_pos, x.guid", e);
    sqlite3_stmt *g = s ? db_prep(st, "SELECT g.guid, c.guid, g.created_at FROM coding g "
                                      "JOIN code c ON c.id = g.code_id "
                                      "WHERE g.selection_id = ? ORDER BY g.guid", e)
                        : NULL;
    if (g == NULL)
        return -1;
    sqlite3_bind_int64(s, 1, source);
    int rc, oom = 0, grc = SQLITE_DONE;
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct qdpx_selection *x = realloc(src->selections,
                                           (src->nselections + 1) * sizeof *x);
        if (x == NULL) {
            oom = 1;
            break;
        }
        src->selections = x;
        x += src->nselections++;
        memset(x, 0, sizeof *x);
        x->guid = dup_col(s, 1, &oom);
        x->start = (size_t)sqlite3_column_int64(s, 2);
        x->end = (size_t)sqlite3_column_int64(s, 3);
        x->user_guid = dup_col(s, 4, &oom);
        x->created_at = dup_col(s, 5, &oom);
        sqlite3_bind_int64(g, 1, sqlite3_column_int64(s, 0));
        while (!oom && (grc = sqlite3_step(g)) == SQLITE_ROW) {
            struct qdpx_coding *c = realloc(x->codings, (x->ncodings + 1) * sizeof *c);
            if (c == NULL) {
                oom = 1;
                break;
            }
            x->codings = c;
            c += x->ncodings++;
            c->guid = dup_col(g, 0, &oom);
            c->code_guid = dup_col(g, 1, &oom);
            c->user_guid = x->user_guid ? strdup(x->user_guid) : NULL;
            oom |= x->user_guid && c->user_guid == NULL;
            c->created_at = dup_col(g, 2, &oom);
        }
        sqlite3_reset(g);
        if (grc != SQLITE_DONE && !oom)
            break;
    }
    sqlite3_reset(s);
    if (oom)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (grc != SQLITE_DONE || rc != SQLITE_DONE)
        return db_fail(st, "reading selections", e);
    return 0;
}

/* A source's name: "reflection 12, P03, module 2, by P03-L1". */
static char *source_name(sqlite3_stmt *s, int pseudonymise)
{
    const char *kind = (const char *)sqlite3_column_text(s, 0);
    if (strcmp(kind, "imported") == 0)
        return strdup((const char *)sqlite3_column_text(s, 7));
    char buf[512], module[32] = "";
    if (sqlite3_column_type(s, 4) != SQLITE_NULL)
        snprintf(module, sizeof module, ", module %d", sqlite3_column_int(s, 4));
    const char *who = (const char *)sqlite3_column_text(s, pseudonymise ? 5 : 6);
    if (strcmp(kind, "observation") == 0 && pseudonymise)
        who = "an observer";
    snprintf(buf, sizeof buf, "%s %lld, %s%s, by %s", kind,
             (long long)sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 3),
             module, who ? who : "?");
    return strdup(buf);
}

/* Moves source src's selections to where its replaced text has them. */
static void remap_selections(struct qdpx_source *src, const struct ptext *t)
{
    for (size_t j = 0; j < src->nselections; j++) {
        struct qdpx_selection *x = &src->selections[j];
        x->start = ptext_pos(t, x->start, 0);
        x->end = ptext_pos(t, x->end, 1);
    }
}

static int export_sources(struct store *st, const char *cohort, int pseudo,
                          struct qdpx_project *p, int64_t **ids, char ***codes, duet_err *e)
{
    struct names nm = {0};
    if (pseudo && load_names(st, &nm, e) != 0)
        return -1;
    /* Where each pseudonymised text's positions went, to move selections. */
    struct ptext *moved = NULL;
    /* Columns: 0 kind, 1 id, 2 source guid, 3 partnership, 4 module, 5
    ** pseudonym, 6 author, 7 name/text for imported, 8 text, 9 created. */
    sqlite3_stmt *s = db_prep(st, "SELECT d.kind, d.doc_id, so.guid, d.partnership, d.module, "
                                  "d.pseudonym, d.author, so.name, d.text, d.created_at, so.id "
                                  "FROM codable d JOIN source so ON so.id = d.source_id "
                                  "WHERE ?1 IS NULL OR d.cohort = ?1 ORDER BY so.id", e);
    if (s == NULL) {
        names_free(&nm);
        return -1;
    }
    db_bind_text(s, 1, cohort);
    int rc, oom = 0;
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        size_t n = p->nsources + 1;
        struct qdpx_source *src = realloc(p->sources, n * sizeof *src);
        int64_t *ni = src ? realloc(*ids, n * sizeof *ni) : NULL;
        char **nc = ni ? realloc(*codes, n * sizeof *nc) : NULL;
        struct ptext *nm2 = nc ? realloc(moved, n * sizeof *nm2) : NULL;
        if (src) p->sources = src;
        if (ni) *ids = ni;
        if (nc) *codes = nc;
        if (nm2) moved = nm2;
        if (nm2 == NULL) {
            oom = 1;
            break;
        }
        memset(&moved[n - 1], 0, sizeof *moved);
        src += p->nsources++;
        memset(src, 0, sizeof *src);
        (*ids)[n - 1] = sqlite3_column_int64(s, 10);
        (*codes)[n - 1] = dup_col(s, 3, &oom);
        src->guid = dup_col(s, 2, &oom);
        src->name = source_name(s, pseudo);
        const char *text = (const char *)sqlite3_column_text(s, 8);
        int imported = strcmp((const char *)sqlite3_column_text(s, 0), "imported") == 0;
        if (pseudo && !imported && text) {
            if (pseudonymise(text, &nm, (*codes)[n - 1], &moved[n - 1]) == 0) {
                src->text = moved[n - 1].text;
                moved[n - 1].text = NULL;
            }
        } else {
            src->text = strdup(text ? text : "");
        }
        src->created_at = dup_col(s, 9, &oom);
        oom |= src->name == NULL || src->text == NULL;
    }
    sqlite3_reset(s);
    names_free(&nm);
    int bad = oom ? duet_errf(e, DUET_EINTERNAL, "out of memory")
                  : rc != SQLITE_DONE ? db_fail(st, "reading documents", e) : 0;
    for (size_t i = 0; bad == 0 && i < p->nsources; i++) {
        bad = export_selections(st, (*ids)[i], &p->sources[i], e);
        if (bad == 0)
            remap_selections(&p->sources[i], &moved[i]);
    }
    for (size_t i = 0; moved && i < p->nsources; i++)
        ptext_free(&moved[i]);
    free(moved);
    return bad;
}

static int add_variable(struct qdpx_project *p, const char *name, enum qdpx_var_type type)
{
    struct qdpx_variable *v = realloc(p->variables, (p->nvariables + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    p->variables = v;
    v += p->nvariables++;
    char guid[CODEBOOK_GUID_LEN + 1];
    codebook_new_guid(guid);
    v->guid = strdup(guid);
    v->name = strdup(name);
    v->type = type;
    return v->guid && v->name ? 0 : -1;
}

/* A case per partnership with sources, variables cohort, kind, members and
** project_title. codes[i] is source i's partnership (NULL: imported). */
static int export_cases(struct store *st, struct qdpx_project *p, char **codes, duet_err *e)
{
    if (add_variable(p, "cohort", QDPX_VAR_TEXT) != 0 ||
        add_variable(p, "kind", QDPX_VAR_TEXT) != 0 ||
        add_variable(p, "members", QDPX_VAR_INTEGER) != 0 ||
        add_variable(p, "project_title", QDPX_VAR_TEXT) != 0)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    sqlite3_stmt *s = db_prep(st, "SELECT c.name, t.kind, (SELECT count(*) FROM membership m "
                                  "WHERE m.partnership_id = t.id), t.project_title "
                                  "FROM partnership t JOIN cohort c ON c.id = t.cohort_id "
                                  "WHERE t.code = ?", e);
    if (s == NULL)
        return -1;
    int oom = 0;
    for (size_t i = 0; !oom && i < p->nsources; i++) {
        if (codes[i] == NULL)
            continue;
        struct qdpx_case *k = NULL;
        for (size_t j = 0; j < p->ncases && !k; j++)
            if (strcmp(p->cases[j].name, codes[i]) == 0)
                k = &p->cases[j];
        if (k == NULL) {
            k = realloc(p->cases, (p->ncases + 1) * sizeof *k);
            if (k == NULL) {
                oom = 1;
                break;
            }
            p->cases = k;
            k += p->ncases++;
            memset(k, 0, sizeof *k);
            char guid[CODEBOOK_GUID_LEN + 1];
            codebook_new_guid(guid);
            k->guid = strdup(guid);
            k->name = strdup(codes[i]);
            k->values = calloc(4, sizeof *k->values);
            oom |= !k->guid || !k->name || !k->values;
            db_bind_text(s, 1, codes[i]);
            if (!oom && sqlite3_step(s) == SQLITE_ROW) {
                k->nvalues = 4;
                for (int v = 0; v < 4; v++) {
                    k->values[v].variable = p->nvariables - 4 + (size_t)v;
                    k->values[v].text = dup_col(s, v, &oom);
                    if (k->values[v].text == NULL)
                        k->values[v].text = strdup(""), oom |= k->values[v].text == NULL;
                }
            }
            sqlite3_reset(s);
        }
        size_t *ns = oom ? NULL : realloc(k->sources, (k->nsources + 1) * sizeof *ns);
        if (ns == NULL) {
            oom = 1;
            break;
        }
        k->sources = ns;
        ns[k->nsources++] = i;
    }
    return oom ? duet_errf(e, DUET_EINTERNAL, "out of memory") : 0;
}

int store_qdpx_export(struct store *st, const char *cohort, int pseudonymise,
                      struct qdpx_project *out, duet_err *e)
{
    struct qdpx_project p;
    memset(&p, 0, sizeof p);
    int64_t *ids = NULL;
    char **codes = NULL;
    int64_t cid;
    if (cohort && db_cohort_id(st, cohort, &cid, e) != 0)
        return -1;
    int ok = make_sources(st, cohort, e) == 0 && export_codebook(st, cohort, &p.codebook, e) == 0;
    char name[160];
    snprintf(name, sizeof name, "duet coding%s%.100s", cohort ? ": " : "", cohort ? cohort : "");
    p.name = strdup(name);
    p.origin = strdup("duet");
    ok = ok && p.name && p.origin;
    ok = ok && export_users(st, &p, e) == 0 &&
         export_sources(st, cohort, pseudonymise, &p, &ids, &codes, e) == 0 &&
         export_cases(st, &p, codes, e) == 0 && qdpx_check(&p, "export", e) == 0;
    for (size_t i = 0; i < p.nsources; i++)
        free(codes ? codes[i] : NULL);
    free(codes);
    free(ids);
    if (!ok) {
        if (p.name == NULL || p.origin == NULL)
            duet_errf(e, DUET_EINTERNAL, "out of memory");
        qdpx_free(&p);
        return -1;
    }
    *out = p;
    return 0;
}

/* ---- pseudonyms in the other exports ---- */

json_t *store_pseudonym_map(struct store *st, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT t.code, p.key, t.code || '-' || "
                                  "CASE r.side WHEN 'lived_experience' THEN 'L' ELSE 'S' END || "
                                  "(SELECT count(*) FROM membership m2 JOIN role r2 ON "
                                  "r2.id = m2.role_id WHERE m2.partnership_id = m.partnership_id "
                                  "AND r2.side = r.side AND m2.person_id <= m.person_id) "
                                  "FROM membership m JOIN partnership t ON t.id = m.partnership_id "
                                  "JOIN person p ON p.id = m.person_id JOIN role r ON "
                                  "r.id = m.role_id ORDER BY t.code, p.id", e);
    if (s == NULL)
        return NULL;
    json_t *map = json_object();
    int rc = SQLITE_DONE, oom = map == NULL;
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char key[160];
        snprintf(key, sizeof key, "%s/%s", (const char *)sqlite3_column_text(s, 0),
                 (const char *)sqlite3_column_text(s, 1));
        oom = json_object_set_new(map, key,
                                  json_string((const char *)sqlite3_column_text(s, 2))) != 0;
    }
    sqlite3_reset(s);
    if (oom || rc != SQLITE_DONE) {
        json_decref(map);
        if (oom)
            duet_errf(e, DUET_EINTERNAL, "out of memory");
        else
            db_fail(st, "reading pseudonyms", e);
        return NULL;
    }
    return map;
}

const char *store_pseudonym_of(const json_t *map, const char *code, const char *person)
{
    char key[160];
    if (code == NULL || person == NULL)
        return NULL;
    snprintf(key, sizeof key, "%s/%s", code, person);
    return json_string_value(json_object_get(map, key));
}

/* The walk of store_coding_each_pseudonymised: the current document's
** replaced text, made once per document (rows come document by document). */
struct pctx {
    struct store *st;
    store_coding_fn fn;
    void *ctx;
    struct names nm;
    char kind[16];
    int64_t id;
    struct ptext t;
    char *passage;
};

static int pseudo_row(void *c, const struct store_coding_row *r, duet_err *e)
{
    struct pctx *x = c;
    if (r->partnership == NULL || strcmp(r->kind, "imported") == 0)
        return x->fn(x->ctx, r, e);   /* imported texts go as they are, as in projects */
    if (x->t.text == NULL || x->id != r->doc_id || strcmp(x->kind, r->kind) != 0) {
        ptext_free(&x->t);
        sqlite3_stmt *s = db_prep(x->st, "SELECT text FROM codable WHERE kind = ? AND "
                                         "doc_id = ?", e);
        if (s == NULL)
            return -1;
        db_bind_text(s, 1, r->kind);
        sqlite3_bind_int64(s, 2, r->doc_id);
        int rc = sqlite3_step(s);
        const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
        int bad = pseudonymise(text ? text : "", &x->nm, r->partnership, &x->t);
        sqlite3_reset(s);
        if (rc != SQLITE_ROW)
            return db_fail(x->st, "reading a document", e);
        if (bad)
            return duet_errf(e, DUET_EINTERNAL, "out of memory");
        snprintf(x->kind, sizeof x->kind, "%s", r->kind);
        x->id = r->doc_id;
    }
    size_t n = strlen(x->t.text);
    size_t a = utf8_offset(x->t.text, n, ptext_pos(&x->t, r->start, 0));
    size_t b = utf8_offset(x->t.text, n, ptext_pos(&x->t, r->end, 1));
    if (b < a)
        b = a;
    char *p = realloc(x->passage, b - a + 1);
    if (p == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    x->passage = p;
    memcpy(p, x->t.text + a, b - a);
    p[b - a] = '\0';
    struct store_coding_row y = *r;
    y.passage = p;
    return x->fn(x->ctx, &y, e);
}

int store_coding_each_pseudonymised(struct store *st, const char *cohort, store_coding_fn fn,
                                    void *ctx, duet_err *e)
{
    struct pctx x;
    memset(&x, 0, sizeof x);
    x.st = st;
    x.fn = fn;
    x.ctx = ctx;
    int rc = load_names(st, &x.nm, e) == 0 ? store_coding_each(st, cohort, pseudo_row, &x, e)
                                           : -1;
    names_free(&x.nm);
    ptext_free(&x.t);
    free(x.passage);
    return rc;
}

/* ---- import ---- */

static int guid_taken(struct store *st, const char *table, const char *guid, duet_err *e)
{
    /* db_prep caches statements by the address of their text: literals only. */
    const char *sql = strcmp(table, "source") == 0    ? "SELECT 1 FROM source WHERE guid = ?"
                      : strcmp(table, "selection") == 0 ? "SELECT 1 FROM selection WHERE guid = ?"
                                                        : "SELECT 1 FROM coding WHERE guid = ?";
    sqlite3_stmt *s = db_prep(st, sql, e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, guid);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return duet_errf(e, DUET_ECONFLICT, "%s %s is already in this database (was this "
                         "project imported before, or exported from here?); nothing was "
                         "imported", table, guid);
    return rc == SQLITE_DONE ? 0 : db_fail(st, "reading GUIDs", e);
}

/* The stored codebook's id, adding it when new and refusing a different
** one under the same name and version. */
static int import_codebook(struct store *st, const struct codebook *cb, int64_t *id,
                           duet_err *e)
{
    struct codebook have;
    duet_err tmp;
    if (store_codebook_get(st, cb->name, cb->version, &have, &tmp) == 0) {
        int same = codebook_equal(&have, cb);
        codebook_free(&have);
        if (!same)
            return duet_errf(e, DUET_ECONFLICT, "codebook '%s' version %d is already stored "
                             "with other codes; import under another name with --codebook",
                             cb->name, cb->version);
        sqlite3_stmt *s = db_prep(st, "SELECT id FROM codebook WHERE name = ? AND version = ?",
                                  e);
        if (s == NULL)
            return -1;
        db_bind_text(s, 1, cb->name);
        sqlite3_bind_int(s, 2, cb->version);
        int rc = sqlite3_step(s);
        *id = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        return rc == SQLITE_ROW ? 0 : db_fail(st, "reading a codebook", e);
    }
    if (tmp.code != DUET_ENOTFOUND) {
        *e = tmp;
        return -1;
    }
    return store_codebook_add(st, cb, id, e);
}

static int import_user(struct store *st, const struct qdpx_user *u, int64_t *id, duet_err *e)
{
    sqlite3_stmt *s = db_prep(st, "SELECT id FROM coder WHERE guid = ?", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, u->guid);
    int rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;   /* the same person coding here and elsewhere */
    if (rc != SQLITE_DONE)
        return db_fail(st, "reading coders", e);
    s = db_prep(st, "INSERT INTO coder (guid, name) VALUES (?,?)", e);
    if (s == NULL)
        return -1;
    const char *name = u->name && *u->name ? u->name : u->guid;
    db_bind_text(s, 1, u->guid);
    db_bind_text(s, 2, name);
    return db_insert_audited(st, s, "coder",
                             json_pack("{s:s, s:s}", "guid", u->guid, "name", name), "coder",
                             id, e);
}

static int64_t find_id(const struct qdpx_project *p, const int64_t *user_ids, const char *guid)
{
    for (size_t i = 0; guid && i < p->nusers; i++)
        if (strcmp(p->users[i].guid, guid) == 0)
            return user_ids[i];
    return 0;
}

/* A coder for selections that name no user: one per import. */
static int anonymous_coder(struct store *st, int64_t *id, duet_err *e)
{
    if (*id)
        return 0;
    struct qdpx_user u;
    char guid[CODEBOOK_GUID_LEN + 1];
    codebook_new_guid(guid);
    u.guid = guid;
    u.name = (char *)"(unnamed coder)";
    return import_user(st, &u, id, e);
}

static int insert_source(struct store *st, const struct qdpx_source *src, int64_t *id,
                         duet_err *e)
{
    char now[32];
    db_now(now);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO source (guid, name, content, created_at) "
                                  "VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, src->guid);
    db_bind_text(s, 2, src->name ? src->name : src->guid);
    db_bind_text(s, 3, src->text);
    db_bind_text(s, 4, src->created_at ? src->created_at : now);
    return db_insert_audited(st, s, "source",
                             json_pack("{s:s, s:s, s:s}", "guid", src->guid, "kind", "imported",
                                       "name", src->name ? src->name : src->guid),
                             "source", id, e);
}

static int insert_selection(struct store *st, const struct qdpx_selection *x, int64_t source,
                            int64_t coder, int64_t *id, duet_err *e)
{
    char now[32];
    db_now(now);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO selection (guid, source_id, start_pos, end_pos, "
                                  "coder_id, created_at) VALUES (?,?,?,?,?,?)", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, x->guid);
    sqlite3_bind_int64(s, 2, source);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)x->start);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)x->end);
    sqlite3_bind_int64(s, 5, coder);
    db_bind_text(s, 6, x->created_at ? x->created_at : now);
    return db_insert_audited(st, s, "selection",
                             json_pack("{s:s, s:I, s:I, s:I, s:I}", "guid", x->guid,
                                       "source_id", (json_int_t)source, "start",
                                       (json_int_t)x->start, "end", (json_int_t)x->end,
                                       "coder_id", (json_int_t)coder),
                             "selection", id, e);
}

static int insert_coding(struct store *st, const struct qdpx_coding *c, int64_t selection,
                         int64_t codebook, duet_err *e)
{
    sqlite3_stmt *q = db_prep(st, "SELECT id FROM code WHERE codebook_id = ? AND guid = ?", e);
    if (q == NULL)
        return -1;
    sqlite3_bind_int64(q, 1, codebook);
    db_bind_text(q, 2, c->code_guid);
    int rc = sqlite3_step(q);
    int64_t code = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? duet_errf(e, DUET_EINPUT, "coding %s names code %s, which "
                                             "is not in the codebook", c->guid, c->code_guid)
                                 : db_fail(st, "reading codes", e);
    char now[32];
    db_now(now);
    sqlite3_stmt *s = db_prep(st, "INSERT INTO coding (guid, selection_id, code_id, created_at) "
                                  "VALUES (?,?,?,?)", e);
    if (s == NULL)
        return -1;
    db_bind_text(s, 1, c->guid);
    sqlite3_bind_int64(s, 2, selection);
    sqlite3_bind_int64(s, 3, code);
    db_bind_text(s, 4, c->created_at ? c->created_at : now);
    return db_insert_audited(st, s, "coding",
                             json_pack("{s:s, s:I, s:I}", "guid", c->guid, "selection_id",
                                       (json_int_t)selection, "code_id", (json_int_t)code),
                             "the same code twice on one passage", NULL, e);
}

static int import_source(struct store *st, const struct qdpx_project *p,
                         const struct qdpx_source *src, const int64_t *users, int64_t codebook,
                         int64_t *anon, duet_err *e)
{
    int64_t sid, xid;
    if (guid_taken(st, "source", src->guid, e) != 0 || insert_source(st, src, &sid, e) != 0)
        return -1;
    for (size_t j = 0; j < src->nselections; j++) {
        const struct qdpx_selection *x = &src->selections[j];
        /* A selection belongs to one coder in duet: its creating user, else
        ** the first coding's, else the import's unnamed coder. */
        const char *ug = x->user_guid;
        if (ug == NULL && x->ncodings)
            ug = x->codings[0].user_guid;
        int64_t coder = find_id(p, users, ug);
        if (coder == 0 && anonymous_coder(st, anon, e) != 0)
            return -1;
        if (guid_taken(st, "selection", x->guid, e) != 0 ||
            insert_selection(st, x, sid, coder ? coder : *anon, &xid, e) != 0)
            return -1;
        for (size_t k = 0; k < x->ncodings; k++)
            if (guid_taken(st, "coding", x->codings[k].guid, e) != 0 ||
                insert_coding(st, &x->codings[k], xid, codebook, e) != 0)
                return -1;
    }
    return 0;
}

int store_qdpx_import(struct store *st, const struct qdpx_project *p, duet_err *e)
{
    if (qdpx_check(p, "import", e) != 0)
        return -1;
    int64_t *users = calloc(p->nusers ? p->nusers : 1, sizeof *users);
    if (users == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    int started;
    if (db_tx_begin(st, &started, e) != 0) {
        free(users);
        return -1;
    }
    int64_t codebook = 0, anon = 0;
    int ok = p->codebook.ncodes == 0 || import_codebook(st, &p->codebook, &codebook, e) == 0;
    for (size_t i = 0; ok && i < p->nusers; i++)
        ok = import_user(st, &p->users[i], &users[i], e) == 0;
    for (size_t i = 0; ok && i < p->nsources; i++)
        ok = import_source(st, p, &p->sources[i], users, codebook, &anon, e) == 0;
    free(users);
    return db_tx_end(st, started, ok, e);
}
