/*
** test_codebook.c — codebooks: the starter codebook and that it is the
** shipped data file, the JSON reader's validation messages, the canonical
** JSON round trip, and REFI-QDA (.qdc) export then import giving back the
** starter codebook exactly, non-ASCII names included; refusals of foreign,
** invalid and unsafe .qdc files; the compiled-in schema is the shipped file.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/codebook.h"
#include "io/qdc.h"
#include "store/store.h"
#include "testlib.h"

static void expect_error(const char *json, const char *want)
{
    struct codebook cb;
    duet_err e;
    memset(&e, 0, sizeof e);
    int rc = codebook_parse(json, strlen(json), "cb.json", &cb, &e);
    if (rc == 0 || strcmp(e.msg, want) != 0)
        fail_msg("for %s\n  want: %s\n  got:  %s", json, want, rc == 0 ? "(accepted)" : e.msg);
}

static void expect_qdc_error(const char *xml, const char *want)
{
    struct codebook cb;
    duet_err e;
    memset(&e, 0, sizeof e);
    int rc = qdc_read(xml, strlen(xml), "x.qdc", "x", &cb, &e);
    if (rc == 0 || strstr(e.msg, want) == NULL)
        fail_msg("for %s\n  want: %s\n  got:  %s", xml, want, rc == 0 ? "(accepted)" : e.msg);
}

static void test_starter(void **state)
{
    (void)state;
    struct codebook cb;
    duet_err e;
    assert_int_equal(codebook_load_starter(&cb, &e), 0);
    assert_string_equal(cb.name, CODEBOOK_STARTER_NAME);
    assert_int_equal(cb.version, 1);
    assert_true(cb.ncodes >= 14);
    int levers = -1, candour = 0;
    for (size_t i = 0; i < cb.ncodes; i++) {
        const struct codebook_code *k = &cb.codes[i];
        assert_non_null(k->definition);
        assert_non_null(k->when_to_use);
        assert_non_null(k->when_not_to_use);
        assert_non_null(k->example);
        assert_non_null(k->colour);
        if (strcmp(k->name, "Levers") == 0)
            levers = (int)i;
        if (strcmp(k->name, "Duty of candour") == 0) {
            candour = 1;
            assert_int_equal(k->parent, levers);
            assert_int_equal(k->depth, 1);
        }
    }
    assert_true(levers >= 0 && candour);
    codebook_free(&cb);
}

/* Regenerate src/io/codebook_starter.c and src/io/qdc_schema.c with
** scripts/embed.sh after editing the data files. */
static void test_embedded_are_the_data_files(void **state)
{
    (void)state;
    tl_file_equals("data/codebooks/starter.json", codebook_starter_json);
    tl_file_equals("data/refi-qda/Codebook.xsd", qdc_schema_xsd);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    struct codebook a, b;
    duet_err e;
    assert_int_equal(codebook_load_starter(&a, &e), 0);
    char *j = codebook_to_json(&a);
    assert_non_null(j);
    assert_string_equal(j, codebook_starter_json);   /* the shipped file is canonical */
    assert_int_equal(codebook_parse(j, strlen(j), "j", &b, &e), 0);
    assert_true(codebook_equal(&a, &b));
    free(j);
    codebook_free(&a);
    codebook_free(&b);
}

static void test_qdc_round_trip(void **state)
{
    (void)state;
    struct codebook a, b;
    duet_err e;
    assert_int_equal(codebook_load_starter(&a, &e), 0);
    int found = 0;
    for (size_t i = 0; i < a.ncodes; i++)
        found |= strcmp(a.codes[i].name, "Carers\xe2\x80\x99 rights \xe2\x80\x94 "
                                         "\xe2\x80\x9cvoice\xe2\x80\x9d") == 0;
    assert_true(found);
    size_t len;
    char *x = qdc_write(&a, &len, &e);
    assert_non_null(x);
    assert_non_null(strstr(x, "xmlns=\"urn:QDA-XML:codebook:1.0\""));
    assert_non_null(strstr(x, "When not to use: "));
    assert_int_equal(qdc_read(x, len, "s.qdc", "fallback", &b, &e), 0);
    assert_true(codebook_equal(&a, &b));
    size_t len2;
    char *y = qdc_write(&b, &len2, &e);
    assert_non_null(y);
    assert_int_equal(len, len2);
    assert_memory_equal(x, y, len);
    free(x);
    free(y);
    codebook_free(&a);
    codebook_free(&b);
}

#define HEAD "{\"format\": \"duet-codebook/1\", \"name\": \"t\", \"version\": 1, "

/* A Description another tool wrote without labels is the definition, kept
** whole even when a line of it looks like a label, and it is written back as
** it was, so it reads back the same (a bug the fuzzer found). */
static void test_qdc_unlabelled_description(void **state)
{
    (void)state;
    const char *xml = "<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">"
                      "<Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"B\" "
                      "isCodable=\"true\"><Description>free text\nExample: second</Description>"
                      "</Code></Codes></CodeBook>";
    struct codebook a, b;
    duet_err e;
    assert_int_equal(qdc_read(xml, strlen(xml), "x.qdc", "x", &a, &e), 0);
    assert_string_equal(a.codes[0].definition, "free text\nExample: second");
    assert_null(a.codes[0].example);
    size_t len;
    char *x = qdc_write(&a, &len, &e);
    assert_non_null(x);
    assert_non_null(strstr(x, "<Description>free text\nExample: second</Description>"));
    assert_int_equal(qdc_read(x, len, "y.qdc", "x", &b, &e), 0);
    assert_true(codebook_equal(&a, &b));
    free(x);
    codebook_free(&a);
    codebook_free(&b);
    /* Labels out of order cannot be read back the same: refused. */
    expect_qdc_error("<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">"
                     "<Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"B\" "
                     "isCodable=\"true\"><Description>When not to use: a\nWhen not to use: b"
                     "</Description></Code></Codes></CodeBook>",
                     "reads as that field's label");
}

static void test_json_errors(void **state)
{
    (void)state;
    expect_error("[]", "cb.json: the top level must be a JSON object, not an array");
    expect_error("{\"format\": \"duet-qset/1\"}",
                 "cb.json: format: 'duet-qset/1' is not supported; expected 'duet-codebook/1'");
    expect_error(HEAD "\"codes\": []}", "cb.json: codes: a codebook needs at least one code");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\", \"colour\": \"red\"}]}",
                 "cb.json: codes[0].colour: 'red' is not a colour #RRGGBB (e.g. \"#1F77B4\")");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\", \"guid\": \"nope\"}]}",
                 "cb.json: codes[0].guid: 'nope' is not a UUID (8-4-4-4-12 hexadecimal "
                 "digits); leave it out and duet makes one");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\", \"colur\": \"#000000\"}]}",
                 "cb.json: codes[0]: unknown key 'colur'");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\"}, {\"name\": \"A\"}]}",
                 "cb.json: code 'A': two codes with this name under the same parent");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\", \"children\": [{\"name\": \"B\", "
                 "\"when_to_use\": \"x\\ny\"}]}]}",
                 "cb.json: codes[0].children[0].when_to_use: control character U+000A is not allowed (this text must be one line)");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\", \"guid\": "
                 "\"00000000-0000-4000-8000-000000000000\"}, {\"name\": \"B\", \"guid\": "
                 "\"00000000-0000-4000-8000-000000000000\"}]}",
                 "cb.json: code 'B': guid 00000000-0000-4000-8000-000000000000 is also the "
                 "guid of code 1");
    expect_error(HEAD "\"codes\": [{\"name\": \"A\", \"definition\": \"one\\nExample: two\", "
                 "\"example\": \"three\"}]}",
                 "cb.json: code 'A': a line of the definition starts with 'Example: ', which "
                 "reads as that field's label when the codebook is exchanged; reword the line");
    /* A missing guid is made, and colours are kept in upper case. */
    struct codebook cb;
    duet_err e;
    const char *ok = HEAD "\"codes\": [{\"name\": \"A\", \"colour\": \"#abcdef\"}]}";
    assert_int_equal(codebook_parse(ok, strlen(ok), "ok", &cb, &e), 0);
    assert_true(codebook_valid_guid(cb.codes[0].guid));
    assert_string_equal(cb.codes[0].colour, "#ABCDEF");
    codebook_free(&cb);
}

#define QHEAD "<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">"

static void test_qdc_errors(void **state)
{
    (void)state;
    expect_qdc_error("", "x.qdc: the file is empty");
    expect_qdc_error("not xml", "x.qdc: line 1: not well-formed XML: ");
    expect_qdc_error("<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:other\"><Codes/></CodeBook>",
                     "x.qdc: line 2: not a REFI-QDA codebook: the root element is 'CodeBook' in "
                     "namespace 'urn:other'");
    expect_qdc_error(QHEAD "\n<Codes>\n<Code name=\"A\" isCodable=\"true\"/></Codes></CodeBook>",
                     "x.qdc: line 4: does not follow the REFI-QDA codebook schema: Element "
                     "'{urn:QDA-XML:codebook:1.0}Code': The attribute 'guid' is required but "
                     "missing.");
    expect_qdc_error("<?xml version=\"1.0\"?>\n<!DOCTYPE c [<!ENTITY e SYSTEM "
                     "\"file:///etc/passwd\">]>\n<CodeBook "
                     "xmlns=\"urn:QDA-XML:codebook:1.0\"/>",
                     "x.qdc: a document type declaration (<!DOCTYPE ...>) is not allowed");
    expect_qdc_error(QHEAD "<Codes><Code guid=\"00000000-0000-4000-8000-000000000000\" name=\"A\" "
                     "isCodable=\"true\"/><Code guid=\"00000000-0000-4000-8000-000000000000\" "
                     "name=\"B\" isCodable=\"true\"/></Codes></CodeBook>",
                     "x.qdc: code 'B': guid 00000000-0000-4000-8000-000000000000 is also");
    /* A foreign file: named by the caller, #RGB widened, free text kept. */
    const char *x = QHEAD "<Codes><Code guid=\"{ABCDEF00-0000-4000-8000-000000000000}\" "
                          "name=\"A\" isCodable=\"false\" color=\"#abc\"><Description>Just "
                          "text.\nTwo lines.</Description></Code></Codes></CodeBook>";
    struct codebook cb;
    duet_err e;
    assert_int_equal(qdc_read(x, strlen(x), "x.qdc", "from-file", &cb, &e), 0);
    assert_string_equal(cb.name, "from-file");
    assert_int_equal(cb.version, 1);
    assert_string_equal(cb.codes[0].guid, "abcdef00-0000-4000-8000-000000000000");
    assert_string_equal(cb.codes[0].colour, "#AABBCC");
    assert_string_equal(cb.codes[0].definition, "Just text.\nTwo lines.");
    assert_null(cb.codes[0].example);
    codebook_free(&cb);
}

/* ---- limits as real tools need them -------------------------------- */

/* n copies of the UTF-8 character ch (malloc'd). */
static char *repeat(const char *ch, size_t n)
{
    size_t l = strlen(ch);
    char *s = malloc(n * l + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * l, ch, l);
    s[n * l] = '\0';
    return s;
}

/* A .qdc with one code named name (malloc'd). */
static char *qdc_named(const char *name)
{
    const char *fmt = "<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">"
                      "<Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"%s\" "
                      "isCodable=\"true\"/></Codes></CodeBook>";
    size_t n = strlen(fmt) + strlen(name) + 1;
    char *x = malloc(n);
    assert_non_null(x);
    snprintf(x, n, fmt, name);
    return x;
}

/* A real MAXQDA 24 project that duet refused named a code in 124 characters
** (the limit was 120; MAXQDA's manuals up to 2022 say 63). Code names are now
** bounded at CODEBOOK_CODE_NAME_MAX = 1000 characters, counted as characters
** (here 'é', two bytes each), in .qdc, in JSON and in the store alike; one
** more is refused with a message naming the limit. */
static void test_long_code_names(void **state)
{
    (void)state;
    assert_int_equal(CODEBOOK_CODE_NAME_MAX, 1000);
    const char *n124 = "REGION - Europe - Eastern, Central and South-Eastern Europe "
                       "(Poland, Hungary, Romania, Austria, Czechia, Slovakia, Slovenia)";
    assert_int_equal(strlen(n124), 124);   /* ASCII: 124 bytes, 124 characters */
    char *n1000 = repeat("\xc3\xa9", 1000), *n1001 = repeat("\xc3\xa9", 1001);
    const char *names[] = {n124, n1000};
    struct codebook cb;
    duet_err e;
    for (size_t i = 0; i < 2; i++) {
        char *x = qdc_named(names[i]);
        if (qdc_read(x, strlen(x), "x.qdc", "long", &cb, &e) != 0)
            fail_msg("name %zu refused: %s", i, e.msg);
        assert_string_equal(cb.codes[0].name, names[i]);
        codebook_free(&cb);
        free(x);
    }
    char *x = qdc_named(n1001);
    expect_qdc_error(x, "1001 characters; the limit is 1000");
    free(x);
    /* JSON codebooks follow the same rule */
    char json[4200];
    snprintf(json, sizeof json, HEAD "\"codes\": [{\"name\": \"%s\"}]}", n1000);
    assert_int_equal(codebook_parse(json, strlen(json), "cb.json", &cb, &e), 0);
    codebook_free(&cb);
    snprintf(json, sizeof json, HEAD "\"codes\": [{\"name\": \"%s\"}]}", n1001);
    assert_int_equal(codebook_parse(json, strlen(json), "cb.json", &cb, &e), -1);
    assert_non_null(strstr(e.msg, "1001 characters; the limit is 1000"));
    /* and the store keeps the longest name whole */
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "codebook"), 0);
    unlink(path);
    struct store *st;
    assert_int_equal(store_open(path, &st, &e), 0);
    x = qdc_named(n1000);
    assert_int_equal(qdc_read(x, strlen(x), "x.qdc", "long", &cb, &e), 0);
    if (store_codebook_add(st, &cb, NULL, &e) != 0)
        fail_msg("%s", e.msg);
    struct codebook back;
    assert_int_equal(store_codebook_get(st, "long", 1, &back, &e), 0);
    assert_true(codebook_equal(&cb, &back));
    codebook_free(&back);
    codebook_free(&cb);
    free(x);
    store_close(st);
    tl_remove_db(path);
    free(n1000);
    free(n1001);
}

/* Code memos in MAXQDA, ATLAS.ti and QualCoder have no stated limit; a
** definition may now hold CODEBOOK_TEXT_MAX = 20000 characters (as long as a
** reflection may be), and one more is refused naming the limit. MAXQDA
** nests codes ten levels deep; duet takes sixteen. */
static void test_long_texts_and_deep_trees(void **state)
{
    (void)state;
    assert_int_equal(CODEBOOK_TEXT_MAX, 20000);
    assert_int_equal(CODEBOOK_MAX_DEPTH, 16);
    char *d = repeat("x", 20001);
    const char *fmt = QHEAD "<Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" "
                      "name=\"A\" isCodable=\"true\"><Description>%s</Description></Code>"
                      "</Codes></CodeBook>";
    size_t n = strlen(fmt) + 20002;
    char *x = malloc(n);
    assert_non_null(x);
    snprintf(x, n, fmt, d);
    expect_qdc_error(x, "x.qdc: code 'A': definition: 20001 characters; the limit is 20000");
    d[20000] = '\0';
    snprintf(x, n, fmt, d);
    struct codebook cb;
    duet_err e;
    if (qdc_read(x, strlen(x), "x.qdc", "t", &cb, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(strlen(cb.codes[0].definition), 20000);
    codebook_free(&cb);
    free(x);
    free(d);
    /* a chain of 16 codes, each the child of the one before, and of 17 */
    for (int levels = 16; levels <= 17; levels++) {
        char xml[8192];
        size_t at = (size_t)snprintf(xml, sizeof xml, QHEAD "<Codes>");
        for (int i = 0; i < levels; i++)
            at += (size_t)snprintf(xml + at, sizeof xml - at, "<Code guid=\"00000000-0000-4000-"
                                   "8000-0000000000%02d\" name=\"L%d\" isCodable=\"true\">", i, i);
        for (int i = 0; i < levels; i++)
            at += (size_t)snprintf(xml + at, sizeof xml - at, "</Code>");
        snprintf(xml + at, sizeof xml - at, "</Codes></CodeBook>");
        if (levels == 17) {
            expect_qdc_error(xml, "x.qdc: line 2: codes nest at most 16 levels deep");
            continue;
        }
        if (qdc_read(xml, strlen(xml), "x.qdc", "t", &cb, &e) != 0)
            fail_msg("%s", e.msg);
        assert_int_equal(cb.ncodes, 16);
        assert_int_equal(cb.codes[15].depth, 15);
        assert_int_equal(cb.codes[15].parent, 14);
        codebook_free(&cb);
    }
}

/* Taguette writes every codebook with an empty <Sets/>, which the schema
** does not allow (a Sets holds at least one Set). duet keeps no sets, so an
** empty one is passed over; a Sets with members is still checked. */
static void test_qdc_empty_sets(void **state)
{
    (void)state;
    const char *x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CodeBook xmlns=\"urn:QDA-"
                    "XML:codebook:1.0\" origin=\"Taguette 1.4.1\"><Codes><Code guid=\"0D62985D-"
                    "B147-5D01-A9B5-CAE5DCD98342\" name=\"interesting\" isCodable=\"true\"/>"
                    "</Codes><Sets/></CodeBook>";
    struct codebook cb;
    duet_err e;
    if (qdc_read(x, strlen(x), "t.qdc", "taguette", &cb, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(cb.ncodes, 1);
    assert_string_equal(cb.codes[0].guid, "0d62985d-b147-5d01-a9b5-cae5dcd98342");
    codebook_free(&cb);
    expect_qdc_error(QHEAD "<Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"A\" "
                     "isCodable=\"true\"/></Codes><Sets><Set name=\"s\"/></Sets></CodeBook>",
                     "x.qdc: line 2: does not follow the REFI-QDA codebook schema: Element "
                     "'{urn:QDA-XML:codebook:1.0}Set': The attribute 'guid' is required");
}

/* The store keeps a codebook exactly, refuses it twice, and takes memos on
** the codebook and on its codes (by GUID). */
static void test_store(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "codebook"), 0);
    unlink(path);
    struct store *st;
    duet_err e;
    assert_int_equal(store_open(path, &st, &e), 0);
    struct codebook a, b;
    assert_int_equal(codebook_load_starter(&a, &e), 0);
    assert_int_equal(store_codebook_add(st, &a, NULL, &e), 0);
    assert_int_equal(store_codebook_add(st, &a, NULL, &e), -1);
    assert_string_equal(e.msg, "codebook 'starter' version 1 already exists");
    assert_int_equal(store_codebook_get(st, "starter", 0, &b, &e), 0);
    assert_true(codebook_equal(&a, &b));
    assert_int_equal(store_codebook_memo_add(st, "starter", NULL, "Agreed in week 2.", NULL,
                                             NULL, &e), 0);
    assert_int_equal(store_codebook_memo_add(st, "starter", a.codes[1].guid,
                                             "Split from Voice?", "ana", NULL, &e), 0);
    assert_int_equal(store_codebook_memo_add(st, "starter", "00000000-0000-4000-8000-"
                                             "000000000000", "x", NULL, NULL, &e), -1);
    json_t *m = store_codebook_memo_list(st, "starter", &e);
    assert_non_null(m);
    assert_int_equal(json_array_size(m), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(m, 1), "code")),
                        a.codes[1].guid);
    json_decref(m);
    struct store_audit_report r;
    assert_int_equal(store_audit_verify(st, &r, &e), 0);
    assert_int_equal(r.first_bad, 0);
    assert_int_equal(r.entries, (int64_t)(1 + a.ncodes + 2));   /* every row audited */
    assert_int_equal(store_codebook_get(st, "nope", 0, &b, &e), -1);
    codebook_free(&a);
    codebook_free(&b);
    store_close(st);
    tl_remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starter),
        cmocka_unit_test(test_embedded_are_the_data_files),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_qdc_round_trip),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_qdc_unlabelled_description),
        cmocka_unit_test(test_qdc_errors),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_long_code_names),
        cmocka_unit_test(test_long_texts_and_deep_trees),
        cmocka_unit_test(test_qdc_empty_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
