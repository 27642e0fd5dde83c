/*
** test_project.c — the coding work as a REFI-QDA project (store/project.c):
** export from one database, validate against the REFI-QDA schema with
** xmllint (another tool than the one that wrote it), import into a fresh
** database and export again: codebook, users, sources (text byte for
** byte, non-ASCII included), selections and codings come back exactly.
** Also: pseudonymising, what is never exported, and refusals.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/codebook.h"
#include "io/qdpx.h"
#include "store/store.h"
#include "testlib.h"

#define X "00000000-0000-4000-8000-0000000000aa"
#define Y "00000000-0000-4000-8000-0000000000bb"
#define Z "00000000-0000-4000-8000-0000000000cc"

static const char book[] =
    "{\"format\": \"duet-codebook/1\", \"name\": \"rt\", \"version\": 2, \"codes\": ["
    " {\"guid\": \"" X "\", \"name\": \"Voix\", \"colour\": \"#AA0000\","
    "  \"definition\": \"Qui parle — et qui écoute\", \"children\": ["
    "   {\"guid\": \"" Z "\", \"name\": \"Écoute\"}]},"
    " {\"guid\": \"" Y "\", \"name\": \"Trust\"}]}";

/* Non-ASCII in three scripts, an emoji outside the BMP, a line break. */
static const char lived_text[] =
    "Amira Khan said: \xc3\x87" "a va \xe2\x80\x94 na\xc3\xafve caf\xc3\xa9 \xf0\x9f\x98\x8a\n"
    "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac and more.";
static const char system_text[] = "We met Amira Khan twice; Amira Khanum is someone else.";

struct fx {
    char dir[64], db1[96], db2[96], file1[96], file2[96];
    struct store *st;
    int64_t lived, sys, priv;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/duet-test-project-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->db1, sizeof f->db1, "%s/one.db", f->dir);
    snprintf(f->db2, sizeof f->db2, "%s/two.db", f->dir);
    snprintf(f->file1, sizeof f->file1, "%s/one.qdpx", f->dir);
    snprintf(f->file2, sizeof f->file2, "%s/two.qdpx", f->dir);
    duet_err e0;
    if (store_open(f->db1, &f->st, &e0) != 0)
        return -1;
    *state = f;
    struct store *st = f->st;
    struct codebook cb;
    OK(codebook_parse(book, strlen(book), "test", &cb, e));
    OK(store_codebook_add(st, &cb, NULL, e));
    codebook_free(&cb);
    OK(store_programme_add(st, "RT", NULL, NULL, e));
    OK(store_cohort_add(st, "RT", "C", NULL, NULL, e));
    OK(store_module_add(st, "C", 1, NULL, NULL, NULL, e));
    tl_person(st, "amira", "Amira Khan", 1);
    tl_person(st, "sam", "Sam Lee", 1);
    struct store_member mem[] = {{"amira", "patient_leader"}, {"sam", "clinician"}};
    struct store_partnership p = {"C", "P1", "Faster discharge", NULL, 2, mem};
    OK(store_partnership_add(st, &p, NULL, e));
    OK(store_reflection_add(st, "amira", "P1", 1, "programme", lived_text, &f->lived, e));
    OK(store_reflection_add(st, "sam", "P1", 1, "programme", system_text, &f->sys, e));
    OK(store_reflection_add(st, "amira", "P1", 1, "private", "PRIVATE-MARKER", &f->priv, e));
    tl_person(st, "r1", "Rae One", 0);
    tl_person(st, "r2", "Ros Two", 0);
    OK(store_account_add(st, "r1", "researcher", "x", NULL, e));
    OK(store_account_add(st, "r2", "researcher", "x", NULL, e));
    /* "Ça va — naïve" is code points 17..30 of lived_text; the emoji is 36. */
    const char *xz[] = {X, Z}, *y[] = {Y}, *x[] = {X};
    OK(store_coding_add(st, "reflection", f->lived, "r1", 17, 30, xz, 2, NULL, e));
    OK(store_coding_add(st, "reflection", f->lived, "r2", 36, 37, y, 1, NULL, e));
    OK(store_coding_add(st, "reflection", f->sys, "r2", 0, 6, x, 1, NULL, e));
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    store_close(f->st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* project.qde of a .qdpx validates against the REFI-QDA Project.xsd (the
** REFI-QDA standard's schema, data/refi-qda/Project.xsd; run from the
** repository's top, as tests/run.sh does) with xmllint, independently of
** duet's own reader. */
static void validates(const char *file)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "unzip -p '%s' project.qde | xmllint --noout --schema "
             "data/refi-qda/Project.xsd - 2>/dev/null", file);
    if (system(cmd) != 0)
        fail_msg("%s does not validate against Project.xsd (%s)", file, cmd);
}

static const struct qdpx_source *source_named(const struct qdpx_project *p, const char *part)
{
    for (size_t i = 0; i < p->nsources; i++)
        if (strstr(p->sources[i].name, part))
            return &p->sources[i];
    return NULL;
}

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    struct qdpx_project a, read, b;
    OK(store_qdpx_export(f->st, NULL, 0, &a, e));
    OK(qdpx_write_file(&a, f->file1, e));
    validates(f->file1);
    OK(qdpx_read_file(f->file1, "other", &read, e));
    assert_true(qdpx_equal(&a, &read));
    /* What was coded: 2 sources with their text, 2 users, 3 selections. */
    assert_int_equal(a.nsources, 2);
    assert_int_equal(a.nusers, 2);
    const struct qdpx_source *l = source_named(&a, "by Amira Khan");
    assert_non_null(l);
    assert_string_equal(l->text, lived_text);
    assert_int_equal(l->nselections, 2);
    assert_int_equal(l->selections[0].start, 17);
    assert_int_equal(l->selections[0].end, 30);
    assert_int_equal(l->selections[0].ncodings, 2);
    assert_string_equal(a.codebook.name, "rt");
    assert_int_equal(a.codebook.version, 2);
    assert_int_equal(a.ncases, 1);
    assert_string_equal(a.cases[0].name, "P1");
    for (size_t i = 0; i < a.nsources; i++)
        assert_null(strstr(a.sources[i].text, "PRIVATE-MARKER"));

    struct store *two;
    duet_err e0;
    if (store_open(f->db2, &two, &e0) != 0)
        fail_msg("%s", e0.msg);
    OK(store_qdpx_import(two, &read, e));
    OK(store_qdpx_export(two, NULL, 0, &b, e));
    OK(qdpx_write_file(&b, f->file2, e));
    validates(f->file2);
    assert_true(qdpx_equal(&a, &b));
    struct codebook orig, back;
    OK(codebook_parse(book, strlen(book), "test", &orig, e));
    OK(store_codebook_get(two, "rt", 2, &back, e));
    assert_true(codebook_equal(&orig, &back));
    /* Importing it again is refused whole: nothing changes. */
    json_t *before = store_coder_list(two, &e0);
    duet_err e;
    assert_int_equal(store_qdpx_import(two, &read, &e), -1);
    assert_non_null(strstr(e.msg, "already in this database"));
    json_t *after = store_coder_list(two, &e0);
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    codebook_free(&orig);
    codebook_free(&back);
    store_close(two);
    qdpx_free(&a);
    qdpx_free(&read);
    qdpx_free(&b);
}

/* Pseudonymised: names of people in source names and texts become
** pseudonyms; a longer name that merely starts with one is left alone. */
static void test_pseudonymised(void **state)
{
    struct fx *f = *state;
    struct qdpx_project p;
    OK(store_qdpx_export(f->st, NULL, 1, &p, e));
    const struct qdpx_source *l = source_named(&p, "by P1-L1");
    const struct qdpx_source *s = source_named(&p, "by P1-S1");
    assert_non_null(l);
    assert_non_null(s);
    assert_null(strstr(l->text, "Amira Khan"));
    assert_non_null(strstr(l->text, "P1-L1 said"));
    assert_string_equal(s->text, "We met P1-L1 twice; Amira Khanum is someone else.");
    for (size_t i = 0; i < p.nsources; i++)
        assert_null(strstr(p.sources[i].name, "Sam Lee"));
    qdpx_free(&p);
}

/* The code points [a, b) of s, in a static buffer. */
static const char *cut(const char *s, size_t a, size_t b)
{
    static char out[256];
    size_t i = 0, cp = 0, n = 0;
    for (; s[i] && cp < b; i++) {
        int lead = ((unsigned char)s[i] & 0xC0) != 0x80;
        if (lead && i > 0)
            cp++;
        if (lead && cp >= b)
            break;
        if (cp >= a && n + 1 < sizeof out)
            out[n++] = s[i];
    }
    out[n] = '\0';
    return out;
}

static const struct qdpx_selection *selection_at(const struct qdpx_source *s, size_t start)
{
    for (size_t i = 0; i < s->nselections; i++)
        if (s->selections[i].start == start)
            return &s->selections[i];
    return NULL;
}

struct seen { char text[8][64]; size_t n; };

static int collect(void *ctx, const struct store_coding_row *r, duet_err *e)
{
    (void)e;
    struct seen *s = ctx;
    if (s->n < 8)
        snprintf(s->text[s->n++], sizeof s->text[0], "%zu-%zu:%s", r->start, r->end, r->passage);
    return 0;
}

static int seen_has(const struct seen *s, const char *want)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->text[i], want) == 0)
            return 1;
    return 0;
}

/* Pseudonymised texts are shorter or longer than the stored ones, so the
** selections move with the words: "Amira Khan" (10 code points) becomes
** "P1-L1" (5), so what came after it moves 5 to the left; a passage that
** cuts a name takes the whole pseudonym. The JSON and CSV exports cut
** their passages from the same replaced text. */
static void test_pseudonymised_selections(void **state)
{
    struct fx *f = *state;
    /* "ira Khan tw": code points 9..20 of "We met Amira Khan twice; ..." */
    const char *y[] = {Y};
    OK(store_coding_add(f->st, "reflection", f->sys, "r1", 9, 20, y, 1, NULL, e));
    struct qdpx_project p;
    OK(store_qdpx_export(f->st, NULL, 1, &p, e));
    const struct qdpx_source *l = source_named(&p, "by P1-L1");
    const struct qdpx_source *s = source_named(&p, "by P1-S1");
    assert_non_null(l);
    assert_non_null(s);
    /* 17..30 and 36..37 of the stored text: 12..25 and 31..32 now */
    assert_int_equal(l->nselections, 2);
    assert_non_null(selection_at(l, 12));
    assert_int_equal(selection_at(l, 12)->end, 25);
    assert_string_equal(cut(l->text, 12, 25), "\xc3\x87" "a va \xe2\x80\x94 na\xc3\xafve");
    assert_non_null(selection_at(l, 31));
    assert_int_equal(selection_at(l, 31)->end, 32);
    assert_string_equal(cut(l->text, 31, 32), "\xf0\x9f\x98\x8a");
    /* "We met" (0..6) stays; 9..20 starts inside the name: 7..15 */
    assert_non_null(selection_at(s, 0));
    assert_int_equal(selection_at(s, 0)->end, 6);
    assert_non_null(selection_at(s, 7));
    assert_int_equal(selection_at(s, 7)->end, 15);
    assert_string_equal(cut(s->text, 7, 15), "P1-L1 tw");
    qdpx_free(&p);
    /* a project file that holds them validates and reads back */
    OK(store_qdpx_export(f->st, NULL, 1, &p, e));
    OK(qdpx_write_file(&p, f->file2, e));
    qdpx_free(&p);
    validates(f->file2);

    struct seen all = {0}, named = {0};
    OK(store_coding_each_pseudonymised(f->st, NULL, collect, &all, e));
    assert_true(seen_has(&all, "17-30:\xc3\x87" "a va \xe2\x80\x94 na\xc3\xafve"));
    assert_true(seen_has(&all, "9-20:P1-L1 tw"));
    assert_true(seen_has(&all, "0-6:We met"));
    OK(store_coding_each(f->st, NULL, collect, &named, e));
    assert_true(seen_has(&named, "9-20:ira Khan tw"));

    json_t *map = store_pseudonym_map(f->st, NULL);
    assert_non_null(map);
    assert_string_equal(store_pseudonym_of(map, "P1", "amira"), "P1-L1");
    assert_string_equal(store_pseudonym_of(map, "P1", "sam"), "P1-S1");
    assert_null(store_pseudonym_of(map, "P1", "r1"));
    assert_null(store_pseudonym_of(map, "P2", "amira"));
    json_decref(map);
}

/* A project for one cohort that does not exist is refused. */
static void test_unknown_cohort(void **state)
{
    struct fx *f = *state;
    struct qdpx_project p;
    duet_err e;
    assert_int_equal(store_qdpx_export(f->st, "No such cohort", 0, &p, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_pseudonymised),
        cmocka_unit_test(test_pseudonymised_selections),
        cmocka_unit_test(test_unknown_cohort),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
