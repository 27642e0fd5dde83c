/*
** test_qdpx.c — REFI-QDA projects (.qdpx): a hand-built project (two users,
** a three-code codebook with a child code, two sources, one of them
** non-ASCII, selections whose code point positions are worked out by hand,
** cases with variables) written and read back equal, through memory and
** through a file; the XML validates against data/refi-qda/Project.xsd on
** its own; files from other tools (Sources/ folder, inline
** PlainTextContent, upper-case GUIDs, a byte order mark) are accepted;
** foreign, unsafe, inconsistent and oversized files are refused whole with
** a message saying why; pictures, PDFs and recordings refuse a file unless
** QDPX_TEXT_ONLY skips them, counted by hand.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <zip.h>

#include "io/qdpx.h"
#include "testlib.h"

#define U1 "11111111-1111-4111-8111-111111111111"
#define U2 "22222222-2222-4222-8222-222222222222"
#define C1 "c0000001-0000-4000-8000-000000000001"
#define C2 "c0000002-0000-4000-8000-000000000002"
#define C3 "c0000003-0000-4000-8000-000000000003"
#define S1 "50000001-0000-4000-8000-000000000001"
#define S2 "50000002-0000-4000-8000-000000000002"
#define NS "urn:QDA-XML:project:1.0"

/* "Ça va — naïve café 😊 ok": 23 code points, 31 bytes. */
#define TEXT1 "\xc3\x87" "a va \xe2\x80\x94 na\xc3\xafve caf\xc3\xa9 \xf0\x9f\x98\x8a ok"
#define TEXT2 "plain ASCII text about trust."

static char *sdup(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    assert_true(s == NULL || d != NULL);
    return d;
}

static void code(struct codebook *cb, const char *guid, const char *name, long parent,
                 size_t position, const char *colour, const char *definition)
{
    struct codebook_code *k = codebook_append(cb);
    assert_non_null(k);
    k->guid = sdup(guid);
    k->name = sdup(name);
    k->parent = parent;
    k->position = position;
    k->depth = parent < 0 ? 0 : 1;
    k->colour = sdup(colour);
    k->definition = sdup(definition);
}

static struct qdpx_selection *selection(struct qdpx_source *s, const char *guid, size_t start,
                                        size_t end, const char *user)
{
    s->selections = realloc(s->selections, (s->nselections + 1) * sizeof *s->selections);
    assert_non_null(s->selections);
    struct qdpx_selection *x = &s->selections[s->nselections++];
    memset(x, 0, sizeof *x);
    x->guid = sdup(guid);
    x->start = start;
    x->end = end;
    x->user_guid = sdup(user);
    x->created_at = sdup("2026-11-26T10:00:00Z");
    return x;
}

static void coding(struct qdpx_selection *x, const char *guid, const char *code_guid,
                   const char *user)
{
    x->codings = realloc(x->codings, (x->ncodings + 1) * sizeof *x->codings);
    assert_non_null(x->codings);
    struct qdpx_coding *g = &x->codings[x->ncodings++];
    g->guid = sdup(guid);
    g->code_guid = sdup(code_guid);
    g->user_guid = sdup(user);
    g->created_at = sdup(user ? "2026-11-26T10:05:00.5+01:00" : NULL);
}

static void build(struct qdpx_project *p)
{
    memset(p, 0, sizeof *p);
    p->name = sdup("Reflections \xe2\x80\x94 cohort 3");
    p->nusers = 2;
    p->users = calloc(2, sizeof *p->users);
    p->users[0] = (struct qdpx_user){sdup(U1), sdup("Ama")};
    p->users[1] = (struct qdpx_user){sdup(U2), sdup("Jos\xc3\xa9")};
    p->codebook.name = sdup("reflect");
    p->codebook.version = 3;
    code(&p->codebook, C1, "Trust", -1, 0, "#1F77B4", "Confidence in the partner");
    code(&p->codebook, C2, "Broken promise", 0, 0, NULL, NULL);
    code(&p->codebook, C3, "Caf\xc3\xa9 talk", -1, 1, "#FF7F0E", NULL);

    p->nsources = 2;
    p->sources = calloc(2, sizeof *p->sources);
    struct qdpx_source *a = &p->sources[0], *b = &p->sources[1];
    a->guid = sdup(S1);
    a->name = sdup("Field note 1 \xe2\x80\x94 caf\xc3\xa9");
    a->text = sdup(TEXT1);
    a->user_guid = sdup(U1);
    a->created_at = sdup("2026-11-26T09:00:00Z");
    /* Counted by hand: "naïve" is 8..13, "café 😊" 14..20, "ok" 21..23. */
    struct qdpx_selection *x = selection(a, "5e100001-0000-4000-8000-000000000001", 8, 13, U1);
    coding(x, "c0d10001-0000-4000-8000-000000000001", C1, U1);
    coding(x, "c0d10002-0000-4000-8000-000000000002", C2, U2);
    x = selection(a, "5e100002-0000-4000-8000-000000000002", 14, 20, U2);
    coding(x, "c0d10003-0000-4000-8000-000000000003", C3, NULL);
    selection(a, "5e100003-0000-4000-8000-000000000003", 21, 23, NULL);
    b->guid = sdup(S2);
    b->name = sdup("Plain");
    b->text = sdup(TEXT2);
    x = selection(b, "5e100004-0000-4000-8000-000000000004", 6, 11, NULL);
    coding(x, "c0d10004-0000-4000-8000-000000000004", C1, U2);

    p->nvariables = 2;
    p->variables = calloc(2, sizeof *p->variables);
    p->variables[0] = (struct qdpx_variable){sdup("7a000001-0000-4000-8000-000000000001"),
                                             sdup("Role"), QDPX_VAR_TEXT};
    p->variables[1] = (struct qdpx_variable){sdup("7a000002-0000-4000-8000-000000000002"),
                                             sdup("Years"), QDPX_VAR_INTEGER};
    p->ncases = 1;
    p->cases = calloc(1, sizeof *p->cases);
    struct qdpx_case *k = &p->cases[0];
    k->guid = sdup("ca5e0001-0000-4000-8000-000000000001");
    k->name = sdup("Partnership A");
    k->nvalues = 2;
    k->values = calloc(2, sizeof *k->values);
    k->values[0] = (struct qdpx_value){0, sdup("Carer & friend <x>")};
    k->values[1] = (struct qdpx_value){1, sdup("12")};
    k->nsources = 1;
    k->sources = calloc(1, sizeof *k->sources);
    k->sources[0] = 0;
}

/* The code points start..end of UTF-8 text s, as a new string. */
static char *substring(const char *s, size_t start, size_t end)
{
    size_t i = 0, cp = 0, from = 0;
    for (; s[i] != '\0'; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (cp == start)
            from = i;
        if (cp == end)
            break;
        cp++;
    }
    return strndup(s + from, i - from);
}

static void test_positions_by_hand(void **state)
{
    (void)state;
    struct qdpx_project p;
    build(&p);
    const char *want[] = {"na\xc3\xafve", "caf\xc3\xa9 \xf0\x9f\x98\x8a", "ok"};
    for (size_t j = 0; j < 3; j++) {
        const struct qdpx_selection *x = &p.sources[0].selections[j];
        char *s = substring(p.sources[0].text, x->start, x->end);
        assert_string_equal(s, want[j]);
        free(s);
    }
    duet_err e;
    if (qdpx_check(&p, "p", &e) != 0)
        fail_msg("%s", e.msg);
    qdpx_free(&p);
    qdpx_free(&p);   /* safe on a zeroed struct */
}

static void read_back(const void *zip, size_t len, struct qdpx_project *out)
{
    duet_err e;
    if (qdpx_read(zip, len, "t.qdpx", "fallback", out, &e) != 0)
        fail_msg("%s", e.msg);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct qdpx_project a, b;
    duet_err e;
    build(&a);
    size_t len;
    void *zip = qdpx_write(&a, &len, &e);
    if (zip == NULL)
        fail_msg("%s", e.msg);
    read_back(zip, len, &b);
    assert_true(qdpx_equal(&a, &b));
    assert_string_equal(b.codebook.name, "reflect");   /* from the duet origin */
    assert_int_equal(b.codebook.version, 3);
    assert_string_equal(b.name, a.name);
    assert_string_equal(b.sources[0].created_at, "2026-11-26T09:00:00Z");
    assert_int_equal(b.ncases, 1);
    assert_int_equal(b.cases[0].nvalues, 2);
    assert_string_equal(b.cases[0].values[0].text, "Carer & friend <x>");
    assert_int_equal(b.cases[0].values[1].variable, 1);
    assert_int_equal(b.cases[0].nsources, 1);
    assert_int_equal(b.variables[1].type, QDPX_VAR_INTEGER);
    /* the text file is in the zip as sources/GUID.txt */
    zip_source_t *src = zip_source_buffer_create(zip, len, 0, NULL);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, NULL);
    assert_non_null(z);
    assert_true(zip_name_locate(z, "sources/" S1 ".txt", 0) >= 0);
    assert_true(zip_name_locate(z, "project.qde", 0) >= 0);
    zip_discard(z);
    /* a second write gives the same XML */
    size_t n1, n2;
    char *x1 = qdpx_write_xml(&a, &n1, &e), *x2 = qdpx_write_xml(&b, &n2, &e);
    assert_non_null(x1);
    assert_non_null(x2);
    assert_int_equal(n1, n2);
    assert_memory_equal(x1, x2, n1);
    assert_non_null(strstr(x1, "plainTextPath=\"internal://" S1 ".txt\""));
    assert_non_null(strstr(x1, "origin=\"duet codebook reflect version 3\""));
    b.sources[0].selections[0].start = 9;
    assert_false(qdpx_equal(&a, &b));
    free(x1);
    free(x2);
    free(zip);
    qdpx_free(&a);
    qdpx_free(&b);
}

/* The writer's XML against the shipped schema file, without the reader. */
static void test_xml_validates(void **state)
{
    (void)state;
    struct qdpx_project p;
    duet_err e;
    build(&p);
    size_t n;
    char *x = qdpx_write_xml(&p, &n, &e);
    assert_non_null(x);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt("data/refi-qda/Project.xsd");
    xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
    if (schema == NULL) {
        xmlSchemaFreeParserCtxt(pc);
        free(x);
        qdpx_free(&p);
        skip();
    }
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlDocPtr doc = xmlReadMemory(x, (int)n, NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    assert_int_equal(xmlSchemaValidateDoc(vc, doc), 0);
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
    free(x);
    qdpx_free(&p);
}

static void test_embedded_is_the_data_file(void **state)
{
    (void)state;
    tl_file_equals("data/refi-qda/Project.xsd", qdpx_schema_xsd);
}

static void test_write_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/duet-qdpx-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/p.qdpx", dir);
    snprintf(bad, sizeof bad, "%s/missing/p.qdpx", dir);
    struct qdpx_project a, b;
    duet_err e;
    build(&a);
    assert_int_equal(qdpx_write_file(&a, path, &e), 0);
    assert_int_equal(qdpx_write_file(&a, path, &e), 0);   /* replaces */
    assert_int_equal(qdpx_write_file(&a, bad, &e), -1);
    assert_non_null(strstr(e.msg, "cannot be written"));
    size_t entries = 0;
    DIR *d = opendir(dir);
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        entries += de->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 1);   /* no temporary file left behind */
    if (qdpx_read_file(path, "x", &b, &e) != 0)
        fail_msg("%s", e.msg);
    assert_true(qdpx_equal(&a, &b));
    /* an invalid project is not written at all */
    free(a.sources[1].selections[0].codings[0].code_guid);
    a.sources[1].selections[0].codings[0].code_guid = sdup(U1);
    unlink(path);
    assert_int_equal(qdpx_write_file(&a, path, &e), -1);
    assert_non_null(strstr(e.msg, "is not in the project's codebook"));
    assert_int_equal(access(path, F_OK), -1);
    rmdir(dir);
    qdpx_free(&a);
    qdpx_free(&b);
}

/* ------------------------------------------------------------------ */
/* files from elsewhere, built as zips in memory                       */

/* A zip (malloc'd, *len bytes) of the NULL-terminated name, data pairs. */
static void *make_zip(size_t *len, const char *const *entries)
{
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, NULL);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, NULL);
    assert_non_null(z);
    zip_source_keep(src);
    for (size_t i = 0; entries[i] != NULL; i += 2) {
        zip_source_t *s = zip_source_buffer(z, entries[i + 1], strlen(entries[i + 1]), 0);
        assert_true(zip_file_add(z, entries[i], s, 0) >= 0);
        zip_set_file_compression(z, (zip_uint64_t)(i / 2), ZIP_CM_STORE, 0);
    }
    assert_int_equal(zip_close(z), 0);
    zip_stat_t st;
    assert_int_equal(zip_source_stat(src, &st), 0);
    assert_int_equal(zip_source_open(src), 0);
    char *out = malloc(st.size);
    assert_int_equal(zip_source_read(src, out, st.size), (zip_int64_t)st.size);
    zip_source_close(src);
    zip_source_free(src);
    *len = st.size;
    return out;
}

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Project xmlns=\"" NS "\" name=\"t\">\n"
#define USERS "<Users><User guid=\"" U1 "\" name=\"Ama\"/></Users>\n"
#define CODES "<CodeBook><Codes><Code guid=\"" C1 "\" name=\"Trust\" isCodable=\"true\"/>" \
              "</Codes></CodeBook>\n"
#define SRC_OPEN(path) "<Sources><TextSource guid=\"" S1 "\" name=\"n\" plainTextPath=\"" path "\">"
#define SEL(s, e, user, code) "<PlainTextSelection guid=\"5e100001-0000-4000-8000-000000000001\" " \
    "startPosition=\"" s "\" endPosition=\"" e "\"" user "><Coding " \
    "guid=\"c0d10001-0000-4000-8000-000000000001\"><CodeRef targetGUID=\"" code "\"/></Coding>" \
    "</PlainTextSelection>"
#define TAIL "</TextSource></Sources>\n</Project>\n"

static int read_zip(const char *const *entries, struct qdpx_project *out, duet_err *e)
{
    size_t len;
    void *zip = make_zip(&len, entries);
    memset(e, 0, sizeof *e);
    int rc = qdpx_read(zip, len, "x.qdpx", "fallback", out, e);
    free(zip);
    return rc;
}

static void expect_refused(const char *const *entries, const char *want)
{
    struct qdpx_project p;
    memset(&p, 0x5a, sizeof p);
    duet_err e;
    int rc = read_zip(entries, &p, &e);
    if (rc == 0 || strstr(e.msg, want) == NULL)
        fail_msg("want: %s\n  got:  %s", want, rc == 0 ? "(accepted)" : e.msg);
    assert_int_equal(p.nusers, 0x5a5a5a5a5a5a5a5aULL);   /* *out untouched */
}

static void expect_refused_xml(const char *xml, const char *want)
{
    const char *entries[] = {"project.qde", xml, "sources/a.txt", "Ça va — naïve", NULL};
    expect_refused(entries, want);
}

static void test_accepts_other_tools(void **state)
{
    (void)state;
    struct qdpx_project p;
    duet_err e;
    /* Sources/ with a capital S, upper-case GUIDs in braces, a BOM, and a
    ** case-insensitive project.qde */
    const char *a[] = {"Project.QDE", HEAD USERS CODES
                       "<Sources><TextSource guid=\"{50000001-0000-4000-8000-00000000000A}\" "
                       "plainTextPath=\"internal://a.txt\" creatingUser=\"" U1 "\">"
                       SEL("8", "13", " creatingUser=\"" U1 "\"", "C0000001-0000-4000-8000-000000000001")
                       TAIL,
                       "Sources/a.txt", "\xef\xbb\xbf" TEXT1, NULL};
    if (read_zip(a, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(p.sources[0].guid, "50000001-0000-4000-8000-00000000000a");
    assert_string_equal(p.sources[0].text, TEXT1);
    assert_null(p.sources[0].name);
    assert_string_equal(p.sources[0].selections[0].codings[0].code_guid, C1);
    assert_string_equal(p.codebook.name, "fallback");   /* no duet origin */
    assert_int_equal(p.codebook.version, 1);
    qdpx_free(&p);
    /* PlainTextContent inline, no plainTextPath, no users, no codebook */
    const char *b[] = {"project.qde", HEAD "<Sources><TextSource guid=\"" S1 "\">"
                       "<PlainTextContent>" TEXT2 "</PlainTextContent>"
                       "<PlainTextSelection guid=\"5e100001-0000-4000-8000-000000000001\" "
                       "startPosition=\"0\" endPosition=\"29\"/>" TAIL, NULL};
    if (read_zip(b, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(p.sources[0].text, TEXT2);
    assert_int_equal(p.sources[0].selections[0].end, 29);
    assert_int_equal(p.codebook.ncodes, 0);
    qdpx_free(&p);
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refused_xml("<?xml version=\"1.0\"?><Project xmlns=\"urn:QDA-XML:codebook:1.0\" "
                       "name=\"t\"/>", "namespace 'urn:QDA-XML:codebook:1.0'; expected 'Project' "
                       "in namespace 'urn:QDA-XML:project:1.0'");
    expect_refused_xml("<?xml version=\"1.0\"?><!DOCTYPE Project [<!ENTITY x SYSTEM "
                       "\"file:///etc/passwd\">]><Project xmlns=\"" NS "\" name=\"&x;\"/>",
                       "x.qdpx: project.qde: a document type declaration");
    expect_refused_xml(HEAD "<Users/></Project>",
                       "x.qdpx: project.qde:3: does not follow the REFI-QDA project schema");
    expect_refused_xml(HEAD "<Sources", "x.qdpx: project.qde:3: not well-formed XML");
    /* selection past the end of the text (13 code points) */
    expect_refused_xml(HEAD USERS CODES SRC_OPEN("internal://a.txt") SEL("8", "14", "", C1) TAIL,
                       "x.qdpx: project.qde:5: selection 5e100001-0000-4000-8000-000000000001: "
                       "positions 8..14 do not fit");
    expect_refused_xml(HEAD USERS CODES SRC_OPEN("internal://a.txt") SEL("5", "5", "", C1) TAIL,
                       "positions 5..5 do not fit");
    expect_refused_xml(HEAD USERS CODES SRC_OPEN("internal://a.txt") SEL("8", "13", "", C2) TAIL,
                       "x.qdpx: project.qde: coding c0d10001-0000-4000-8000-000000000001: code "
                       C2 " is not in the project's codebook");
    expect_refused_xml(HEAD USERS CODES SRC_OPEN("internal://a.txt")
                       SEL("8", "13", " creatingUser=\"" U2 "\"", C1) TAIL,
                       "selection 5e100001-0000-4000-8000-000000000001: creatingUser " U2
                       " is not among the project's users");
    expect_refused_xml(HEAD USERS CODES SRC_OPEN("internal://b.txt") TAIL,
                       "x.qdpx: project.qde:5: source '" S1 "': sources/b.txt is not in the "
                       "archive");
    expect_refused_xml(HEAD USERS CODES SRC_OPEN("file:///etc/passwd") TAIL,
                       "plainTextPath 'file:///etc/passwd' is not inside the archive; duet reads "
                       "only internal:// paths");
    expect_refused_xml(HEAD "<Sources><PDFSource guid=\"" S1 "\" name=\"Minutes\"/></Sources>"
                       "</Project>", "duet imports text sources only; 'Minutes' is a PDFSource");
    expect_refused_xml(HEAD "<Variables><Variable guid=\"" C2 "\" name=\"Years\" "
                       "typeOfVariable=\"Integer\"/></Variables><Cases><Case guid=\"" C3 "\">"
                       "<VariableValue><VariableRef targetGUID=\"" C2 "\"/><TextValue>many"
                       "</TextValue></VariableValue></Case></Cases></Project>",
                       "case " C3 ": 'many' is not a whole number");
    expect_refused_xml(HEAD "<Cases><Case guid=\"" C3 "\"><SourceRef targetGUID=\"" S2 "\"/>"
                       "</Case></Cases></Project>",
                       "project.qde:3: case '" C3 "': SourceRef names no text source");
    expect_refused_xml(HEAD "<Sources><TextSource guid=\"" S1 "\"/></Sources></Project>",
                       "has no text: neither PlainTextContent nor plainTextPath");

    const char *no_project[] = {"sources/a.txt", "text", NULL};
    expect_refused(no_project, "x.qdpx: no project.qde in the archive");
    const char *bad_utf8[] = {"project.qde", HEAD SRC_OPEN("internal://a.txt") TAIL,
                              "sources/a.txt", "caf\xe9", NULL};
    expect_refused(bad_utf8, "x.qdpx: sources/a.txt: not valid UTF-8 at byte 3");

    struct qdpx_project p;
    duet_err e;
    assert_int_equal(qdpx_read("not a zip", 9, "x.qdpx", NULL, &p, &e), -1);
    assert_non_null(strstr(e.msg, "x.qdpx: not a zip archive"));
    assert_int_equal(qdpx_read("", 0, "x.qdpx", NULL, &p, &e), -1);
}

/* n copies of the UTF-8 character ch (malloc'd). */
static char *repeat(const char *ch, size_t n)
{
    size_t l = strlen(ch);
    char *r = malloc(n * l + 1);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++)
        memcpy(r + i * l, ch, l);
    r[n * l] = '\0';
    return r;
}

/* Names as long as real tools write them (docs/coding.md): a source, a user
** and a code named in up to QDPX_NAME_MAX = CODEBOOK_CODE_NAME_MAX = 1000
** characters ('ä', two bytes each), and the 124-character code name of a
** MAXQDA 24 project that the old limit of 120 refused; one more than the
** limit is refused naming it. */
static void test_long_names(void **state)
{
    (void)state;
    assert_int_equal(QDPX_NAME_MAX, 1000);
    char *n1000 = repeat("\xc3\xa4", 1000), *n1001 = repeat("\xc3\xa4", 1001);
    const char *n124 = "REGION - Europe - Eastern, Central and South-Eastern Europe "
                       "(Poland, Hungary, Romania, Austria, Czechia, Slovakia, Slovenia)";
    assert_int_equal(strlen(n124), 124);
    const char *fmt = HEAD "<Users><User guid=\"" U1 "\" name=\"%s\"/></Users>"
                      "<CodeBook><Codes><Code guid=\"" C1 "\" name=\"%s\" isCodable=\"true\"/>"
                      "<Code guid=\"" C2 "\" name=\"%s\" isCodable=\"true\"/></Codes></CodeBook>"
                      "<Sources><TextSource guid=\"" S1 "\" name=\"%s\" "
                      "plainTextPath=\"internal://a.txt\">" SEL("8", "13", "", C1) TAIL;
    size_t n = strlen(fmt) + 4 * strlen(n1001) + 1;
    char *xml = malloc(n);
    assert_non_null(xml);
    snprintf(xml, n, fmt, n1000, n124, n1000, n1000);
    const char *ok[] = {"project.qde", xml, "sources/a.txt", "Ça va — naïve", NULL};
    struct qdpx_project p;
    duet_err e;
    if (read_zip(ok, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(p.users[0].name, n1000);
    assert_string_equal(p.codebook.codes[0].name, n124);
    assert_string_equal(p.codebook.codes[1].name, n1000);
    assert_string_equal(p.sources[0].name, n1000);
    qdpx_free(&p);
    snprintf(xml, n, fmt, "Ama", "Trust", "Other", n1001);
    expect_refused_xml(xml, "source " S1 ": 1001 characters; the limit is 1000");
    snprintf(xml, n, fmt, n1001, "Trust", "Other", "n");
    expect_refused_xml(xml, "user: 1001 characters; the limit is 1000");
    snprintf(xml, n, fmt, "Ama", "Trust", n1001, "n");
    expect_refused_xml(xml, "1001 characters; the limit is 1000");
    free(xml);
    free(n1000);
    free(n1001);
}

/* ATLAS.ti 26 names the XML in its .qdpx after the project ("Trial.qde"),
** not project.qde as REFI-QDA says: one .qde at the top of the archive is
** read whatever its name, and messages name it; two are refused. */
static void test_qde_named_after_project(void **state)
{
    (void)state;
    const char *xml = HEAD USERS CODES SRC_OPEN("internal://a.txt") SEL("8", "13", "", C1) TAIL;
    const char *one[] = {"Trial.qde", xml, "sources/a.txt", "Ça va — naïve", NULL};
    struct qdpx_project p;
    duet_err e;
    if (read_zip(one, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.nsources, 1);
    assert_int_equal(p.sources[0].nselections, 1);
    qdpx_free(&p);
    const char *bad[] = {"Trial.qde", HEAD USERS CODES SRC_OPEN("internal://a.txt")
                         SEL("8", "14", "", C1) TAIL, "sources/a.txt", "Ça va — naïve", NULL};
    expect_refused(bad, "x.qdpx: Trial.qde:5: selection 5e100001-0000-4000-8000-000000000001: "
                   "positions 8..14 do not fit");
    const char *two[] = {"A.qde", xml, "B.qde", xml, NULL};
    expect_refused(two, "x.qdpx: no project.qde in the archive, and 2 other .qde files (A.qde, "
                   "B.qde); a REFI-QDA project holds one");
    const char *deep[] = {"old/project.qde", xml, NULL};
    expect_refused(deep, "x.qdpx: no project.qde in the archive");
}

/* A project that holds a picture, a PDF or a recording is refused for that,
** before any text is read: the message names the real reason even when the
** texts are missing too (the ATLAS.ti standard project of the fixtures). */
static void test_non_text_source_named_first(void **state)
{
    (void)state;
    expect_refused_xml(HEAD "<Sources><TextSource guid=\"" S1 "\" plainTextPath=\"internal://"
                       "missing.txt\"/><PictureSource guid=\"" S2 "\" name=\"cornflakes.jpg\" "
                       "path=\"internal://c.jpg\"/></Sources></Project>",
                       "x.qdpx: project.qde:3: duet imports text sources only; 'cornflakes.jpg' "
                       "is a PictureSource");
}

/* A project with a text and four sources that are not texts, each holding
** selections and codings in the places the schema allows them. Counted by
** hand: the picture has 1 selection and 3 codings (2 on the selection, 1 on
** the whole picture); the PDF 3 selections (a PDFSelection, the
** PlainTextSelection of that selection's Representation and one of the
** PDF's own Representation) and 2 codings; the audio none; the video 2
** selections (a TranscriptSelection and a VideoSelection) and 1 coding: 6
** selections and 6 codings skipped. The case names the text and the
** picture. Without QDPX_TEXT_ONLY the picture, the first of them, refuses
** the file; with it the text is read, the four are listed and the case keeps
** the text alone. The picture's and the PDF's files are not in the archive:
** nothing of a skipped source is read. */
#define MEDIA \
    "<Cases><Case guid=\"ca5e0001-0000-4000-8000-000000000001\" name=\"pair\">" \
    "<SourceRef targetGUID=\"" S1 "\"/><SourceRef targetGUID=\"" S2 "\"/></Case></Cases>" \
    "<Sources><TextSource guid=\"" S1 "\" name=\"n\" plainTextPath=\"internal://a.txt\">" \
    SEL("8", "13", "", C1) "</TextSource>" \
    "<PictureSource guid=\"" S2 "\" name=\"pic.jpg\" path=\"internal://p.jpg\">" \
    "<PictureSelection guid=\"5e100011-0000-4000-8000-000000000011\" firstX=\"1\" firstY=\"1\" " \
    "secondX=\"9\" secondY=\"9\"><Coding guid=\"c0d10011-0000-4000-8000-000000000011\">" \
    "<CodeRef targetGUID=\"" C1 "\"/></Coding><Coding guid=\"c0d10012-0000-4000-8000-" \
    "000000000012\"><CodeRef targetGUID=\"" C1 "\"/></Coding></PictureSelection>" \
    "<Coding guid=\"c0d10013-0000-4000-8000-000000000013\"><CodeRef targetGUID=\"" C1 "\"/>" \
    "</Coding></PictureSource>" \
    "<PDFSource guid=\"50000003-0000-4000-8000-000000000003\" name=\"r.pdf\" " \
    "path=\"internal://r.pdf\"><PDFSelection guid=\"5e100021-0000-4000-8000-000000000021\" " \
    "page=\"0\" firstX=\"1\" firstY=\"1\" secondX=\"9\" secondY=\"9\"><Representation " \
    "guid=\"7e900021-0000-4000-8000-000000000021\"><PlainTextContent>granola" \
    "</PlainTextContent><PlainTextSelection guid=\"5e100022-0000-4000-8000-000000000022\" " \
    "startPosition=\"0\" endPosition=\"7\"><Coding guid=\"c0d10021-0000-4000-8000-" \
    "000000000021\"><CodeRef targetGUID=\"" C1 "\"/></Coding></PlainTextSelection>" \
    "</Representation><Coding guid=\"c0d10022-0000-4000-8000-000000000022\"><CodeRef " \
    "targetGUID=\"" C1 "\"/></Coding></PDFSelection><Representation guid=\"7e900022-0000-" \
    "4000-8000-000000000022\" plainTextPath=\"internal://r.txt\"><PlainTextSelection " \
    "guid=\"5e100023-0000-4000-8000-000000000023\" startPosition=\"0\" endPosition=\"3\"/>" \
    "</Representation></PDFSource>" \
    "<AudioSource guid=\"50000004-0000-4000-8000-000000000004\" name=\"a.m4a\" " \
    "path=\"relative:///a.m4a\"/>" \
    "<VideoSource guid=\"50000005-0000-4000-8000-000000000005\" name=\"v.mp4\" " \
    "path=\"relative:///v.mp4\"><Transcript guid=\"7e900051-0000-4000-8000-000000000051\" " \
    "plainTextPath=\"internal://a.txt\"><TranscriptSelection guid=\"5e100051-0000-4000-8000-" \
    "000000000051\"><Coding guid=\"c0d10051-0000-4000-8000-000000000051\"><CodeRef " \
    "targetGUID=\"" C1 "\"/></Coding></TranscriptSelection></Transcript><VideoSelection " \
    "guid=\"5e100052-0000-4000-8000-000000000052\" begin=\"0\" end=\"10\"/></VideoSource>" \
    "</Sources>\n</Project>\n"

static int read_zip_with(const char *const *entries, unsigned flags, struct qdpx_project *out,
                         duet_err *e)
{
    size_t len;
    void *zip = make_zip(&len, entries);
    memset(e, 0, sizeof *e);
    int rc = qdpx_read_with(zip, len, "x.qdpx", "fallback", flags, out, e);
    free(zip);
    return rc;
}

static void test_text_only(void **state)
{
    (void)state;
    const char *entries[] = {"project.qde", HEAD USERS CODES MEDIA, "sources/a.txt",
                             "Ça va — naïve", NULL};
    /* by default: refused for the first of them, saying how many and what to do */
    expect_refused(entries, "x.qdpx: project.qde:5: duet imports text sources only; 'pic.jpg' "
                   "is a PictureSource (4 of the project's sources are not texts; --text-only "
                   "imports the text sources and skips them)");
    struct qdpx_project p;
    duet_err e;
    if (read_zip_with(entries, QDPX_TEXT_ONLY, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.nsources, 1);
    assert_string_equal(p.sources[0].guid, S1);
    assert_int_equal(p.sources[0].nselections, 1);
    assert_int_equal(p.sources[0].selections[0].ncodings, 1);
    assert_int_equal(p.nskipped, 4);
    static const char *const names[] = {"pic.jpg", "r.pdf", "a.m4a", "v.mp4"};
    static const char *const kinds[] = {"picture", "pdf", "audio", "video"};
    static const size_t sels[] = {1, 3, 0, 2}, cods[] = {3, 2, 0, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(p.skipped[i].name, names[i]);
        assert_string_equal(p.skipped[i].kind, kinds[i]);
        assert_int_equal(p.skipped[i].nselections, sels[i]);
        assert_int_equal(p.skipped[i].ncodings, cods[i]);
    }
    assert_string_equal(p.skipped[0].guid, S2);
    assert_int_equal(p.ncases, 1);
    assert_int_equal(p.cases[0].nsources, 1);   /* the picture's reference is dropped */
    assert_int_equal(p.cases[0].sources[0], 0);
    qdpx_free(&p);
    assert_int_equal(p.nskipped, 0);
    /* the flag changes nothing for a project of texts alone */
    const char *texts[] = {"project.qde", HEAD USERS CODES SRC_OPEN("internal://a.txt")
                           SEL("8", "13", "", C1) TAIL, "sources/a.txt", "Ça va — naïve", NULL};
    if (read_zip_with(texts, QDPX_TEXT_ONLY, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.nsources, 1);
    assert_int_equal(p.nskipped, 0);
    qdpx_free(&p);
    /* all or nothing still: a text selection past its text refuses the file,
    ** and a case naming a source that is nowhere in the project too */
    const char *bad[] = {"project.qde", HEAD USERS CODES MEDIA, "sources/a.txt", "Ça va", NULL};
    memset(&p, 0x5a, sizeof p);
    assert_int_equal(read_zip_with(bad, QDPX_TEXT_ONLY, &p, &e), -1);
    assert_non_null(strstr(e.msg, "positions 8..13 do not fit the text of source"));
    assert_int_equal(p.nskipped, 0x5a5a5a5a5a5a5a5aULL);   /* *out untouched */
    const char *nowhere[] = {"project.qde", HEAD USERS CODES
                             "<Cases><Case guid=\"ca5e0001-0000-4000-8000-000000000001\">"
                             "<SourceRef targetGUID=\"50000009-0000-4000-8000-000000000009\"/>"
                             "</Case></Cases><Sources><AudioSource guid=\"" S2 "\"/></Sources>"
                             "</Project>", NULL};
    assert_int_equal(read_zip_with(nowhere, QDPX_TEXT_ONLY, &p, &e), -1);
    assert_non_null(strstr(e.msg, "SourceRef names no text source of the project"));
}

/* What NVivo, MAXQDA and ATLAS.ti write around the parts duet keeps: a
** schemaLocation, basePath="", modifying users and dates, a User id, codes
** that may not be coded (isCodable="false") and lower-case colours, a
** selection with a name, a Description and no coding, notes, sets of
** sources, links and graphs; a text with CRLF line ends, whose positions
** count the CR (counted by hand: "one\r\ntwo" is 8 code points, "two" is
** 5..8). */
static void test_tool_shapes(void **state)
{
    (void)state;
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n"
        "<Project xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xsi:schemaLocation=\"urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/"
        "Project/v1.0/Project.xsd\" xmlns=\"" NS "\" origin=\"NVivo for Windows 12.6\" "
        "name=\"Untitled\" basePath=\"\" creatingUserGUID=\"" U1 "\" "
        "modifiedDateTime=\"2025-06-18T02:18:21Z\" modifyingUserGUID=\"" U1 "\">"
        "<Users><User guid=\"" U1 "\" id=\"SF\" name=\"coder\"/></Users>"
        "<CodeBook><Codes><Code guid=\"" C1 "\" name=\"Attitude roots\" isCodable=\"false\">"
        "<Code color=\"#00ff7f\" guid=\"" C2 "\" name=\"+Government\" isCodable=\"true\">"
        "<Description>Belief that\n\t\xe2\x80\xa2\ta tab and a bullet</Description></Code></Code>"
        "</Codes></CodeBook>"
        "<Sources><TextSource modifyingUser=\"" U1 "\" guid=\"" S1 "\" creatingUser=\"" U1 "\" "
        "creationDateTime=\"2024-10-18T23:23:46Z\" name=\"ICLS 2024 3-10\" "
        "plainTextPath=\"internal://" S1 ".txt\" richTextPath=\"internal://r.docx\" "
        "modifiedDateTime=\"2024-10-18T23:23:46Z\">"
        "<PlainTextSelection startPosition=\"5\" endPosition=\"8\" guid=\"5e100001-0000-4000-"
        "8000-000000000001\" name=\"two\" modifyingUser=\"" U1 "\" "
        "modifiedDateTime=\"2018-03-27T19:29:27Z\"><Description>a comment</Description>"
        "<Coding guid=\"c0d10001-0000-4000-8000-000000000001\" creatingUser=\"" U1 "\">"
        "<CodeRef targetGUID=\"" C2 "\"/></Coding></PlainTextSelection>"
        "<PlainTextSelection startPosition=\"0\" endPosition=\"3\" guid=\"5e100002-0000-4000-"
        "8000-000000000002\" name=\"one\"><Description>not coded</Description>"
        "</PlainTextSelection></TextSource></Sources>"
        "<Notes><Note guid=\"0e000001-0000-4000-8000-000000000001\" name=\"Plan\">"
        "<PlainTextContent>log</PlainTextContent></Note></Notes>"
        "<Links><Link guid=\"0e000002-0000-4000-8000-000000000002\" direction=\"OneWay\" "
        "originGUID=\"0e000001-0000-4000-8000-000000000001\" targetGUID=\"" S1 "\"/></Links>"
        "<Sets><Set guid=\"0e000003-0000-4000-8000-000000000003\" name=\"ICLS 2024\">"
        "<MemberSource targetGUID=\"" S1 "\"/></Set></Sets>"
        "<Graphs><Graph guid=\"0e000004-0000-4000-8000-000000000004\" name=\"Netzwerk\">"
        "<Vertex guid=\"0e000005-0000-4000-8000-000000000005\" firstX=\"1\" firstY=\"2\"/>"
        "</Graph></Graphs></Project>\n";
    const char *entries[] = {"project.qde", xml, "Sources/" S1 ".txt", "one\r\ntwo", NULL};
    struct qdpx_project p;
    duet_err e;
    if (read_zip(entries, &p, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(p.codebook.ncodes, 2);
    assert_int_equal(p.codebook.codes[1].parent, 0);
    assert_string_equal(p.codebook.codes[1].colour, "#00FF7F");
    assert_string_equal(p.codebook.codes[1].definition,
                        "Belief that\n\t\xe2\x80\xa2\ta tab and a bullet");
    assert_string_equal(p.sources[0].text, "one\r\ntwo");
    assert_int_equal(p.sources[0].nselections, 2);
    assert_int_equal(p.sources[0].selections[0].start, 5);
    assert_int_equal(p.sources[0].selections[0].end, 8);
    assert_int_equal(p.sources[0].selections[0].ncodings, 1);
    assert_int_equal(p.sources[0].selections[1].ncodings, 0);
    assert_string_equal(p.origin, "NVivo for Windows 12.6");
    qdpx_free(&p);
}

/* Sets the uncompressed size of every entry, in the local and the central
** headers, to claim. */
static void claim_size(unsigned char *z, size_t len, uint32_t claim)
{
    for (size_t i = 0; i + 46 <= len; i++) {
        size_t at = 0;
        if (memcmp(z + i, "PK\x03\x04", 4) == 0)
            at = i + 22;
        else if (memcmp(z + i, "PK\x01\x02", 4) == 0)
            at = i + 24;
        for (size_t b = 0; at && b < 4; b++)
            z[at + b] = (unsigned char)(claim >> (8 * b));
    }
}

static void test_zip_bomb(void **state)
{
    (void)state;
    const char *entries[] = {"project.qde", HEAD "</Project>", NULL};
    size_t len;
    unsigned char *zip = make_zip(&len, entries);
    claim_size(zip, len, 0xF0000000u);
    struct qdpx_project p;
    duet_err e;
    assert_int_equal(qdpx_read(zip, len, "x.qdpx", NULL, &p, &e), -1);
    assert_non_null(strstr(e.msg, "x.qdpx: project.qde: 4026531840 bytes uncompressed; an "
                           "entry may have at most"));
    /* a size that claims less than the entry holds */
    free(zip);
    zip = make_zip(&len, entries);
    claim_size(zip, len, 5);
    assert_int_equal(qdpx_read(zip, len, "x.qdpx", NULL, &p, &e), -1);
    assert_non_null(strstr(e.msg, "does not match its stated size"));
    free(zip);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_by_hand),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_xml_validates),
        cmocka_unit_test(test_embedded_is_the_data_file),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_accepts_other_tools),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_qde_named_after_project),
        cmocka_unit_test(test_non_text_source_named_first),
        cmocka_unit_test(test_text_only),
        cmocka_unit_test(test_tool_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
