/*
** test_instrument.c — the instrument format: the default instrument's content,
** round trips, one test per validation rule (asserting the exact message),
** answer checks and reverse scoring.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/instrument.h"

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static int streq_null(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static void assert_instruments_equal(const struct instrument *a,
                                     const struct instrument *b)
{
    assert_true(streq_null(a->name, b->name));
    assert_true(streq_null(a->title, b->title));
    assert_true(streq_null(a->description, b->description));
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->nconstructs, b->nconstructs);
    assert_int_equal(a->nitems, b->nitems);
    for (size_t i = 0; i < a->nconstructs; i++) {
        const struct instrument_construct *x = &a->constructs[i], *y = &b->constructs[i];
        assert_true(streq_null(x->name, y->name));
        assert_true(streq_null(x->label, y->label));
        assert_true(streq_null(x->description, y->description));
        assert_int_equal(x->bipolar, y->bipolar);
    }
    for (size_t i = 0; i < a->nitems; i++) {
        const struct instrument_item *x = &a->items[i], *y = &b->items[i];
        assert_true(streq_null(x->name, y->name));
        assert_true(streq_null(x->construct, y->construct));
        assert_true(streq_null(x->text, y->text));
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->min, y->min);
        assert_int_equal(x->max, y->max);
        assert_int_equal(x->reverse, y->reverse);
        assert_int_equal(x->max_length, y->max_length);
        assert_int_equal(x->max_entries, y->max_entries);
        assert_true(streq_null(x->labels_json, y->labels_json));
    }
}

/* Parses text, expects failure with exactly msg, and checks *out untouched. */
static void expect_error(const char *text, const char *msg)
{
    struct instrument out;
    memset(&out, 0xA5, sizeof out);
    struct instrument copy = out;
    duet_err e;
    duet_err_clear(&e);
    int rc = instrument_parse(text, strlen(text), "instrument.json", &out, &e);
    if (rc == 0) {
        instrument_free(&out);
        fail_msg("parsed, expected: %s", msg);
    }
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    assert_memory_equal(&out, &copy, sizeof out);
}

static void expect_ok(const char *text, struct instrument *out)
{
    duet_err e;
    duet_err_clear(&e);
    int rc = instrument_parse(text, strlen(text), "instrument.json", out, &e);
    if (rc != 0)
        fail_msg("unexpected error: %s", e.msg);
}

/* A small valid instrument; HEAD ... TAIL wrap the items array. */
#define HEAD "{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, " \
             "\"title\": \"T\", \"constructs\": [{\"name\": \"voice\", \"label\": \"Voice\"}], " \
             "\"items\": ["
#define SCALE1 "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", " \
               "\"text\": \"Q\", \"min\": 1, \"max\": 7}"
#define TAIL "]}"

/* ------------------------------------------------------------------ */
/* the default instrument                                              */

static const struct instrument_item *item(const struct instrument *ins, const char *name)
{
    const struct instrument_item *it = instrument_find_item(ins, name);
    if (it == NULL)
        fail_msg("default instrument has no item '%s'", name);
    return it;
}

static void check_construct(const struct instrument *ins, const char *name,
                            size_t nmin, size_t nmax, size_t rmin, int bipolar)
{
    const struct instrument_construct *k = instrument_find_construct(ins, name);
    if (k == NULL)
        fail_msg("default instrument has no construct '%s'", name);
    assert_int_equal(k->bipolar, bipolar);
    size_t n = 0, nrev = 0;
    for (size_t i = 0; i < ins->nitems; i++) {
        const struct instrument_item *it = &ins->items[i];
        if (it->construct == NULL || strcmp(it->construct, name) != 0)
            continue;
        n++;
        nrev += it->reverse != 0;
        if (strcmp(name, "participation") != 0) {
            assert_int_equal(it->type, ITEM_SCALE);
            assert_int_equal(it->min, 1);
            assert_int_equal(it->max, 7);
            assert_non_null(it->labels_json);
            assert_non_null(strstr(it->labels_json, "\"1\":"));
            assert_non_null(strstr(it->labels_json, "\"4\":"));
            assert_non_null(strstr(it->labels_json, "\"7\":"));
        }
    }
    if (n < nmin || n > nmax)
        fail_msg("construct '%s' has %zu items, expected %zu..%zu", name, n, nmin, nmax);
    if (nrev < rmin)
        fail_msg("construct '%s' has %zu reverse items, expected >= %zu", name, nrev, rmin);
    assert_int_equal(instrument_construct_nitems(ins, name), n);
}

static void test_default_content(void **state)
{
    (void)state;
    struct instrument ins;
    duet_err e;
    if (instrument_load_default(&ins, &e) != 0)
        fail_msg("%s", e.msg);
    assert_string_equal(ins.name, "partnership-checkin");
    assert_int_equal(ins.version, 1);
    assert_int_equal(ins.nconstructs, 8);

    check_construct(&ins, "voice", 3, 3, 1, 0);
    check_construct(&ins, "power", 2, 2, 0, 1);
    check_construct(&ins, "trust", 3, 3, 1, 0);
    check_construct(&ins, "purpose", 3, 3, 1, 0);
    check_construct(&ins, "safety", 4, 5, 2, 0);
    check_construct(&ins, "resistance", 2, 2, 0, 0);
    check_construct(&ins, "strain", 2, 2, 0, 0);
    check_construct(&ins, "participation", 1, 1, 0, 0);

    /* voice: heard, changes decisions, one reverse (holding back) */
    assert_false(item(&ins, "voice_1")->reverse);
    assert_false(item(&ins, "voice_2")->reverse);
    assert_true(item(&ins, "voice_3")->reverse);
    assert_false(item(&ins, "power_1")->reverse);
    assert_false(item(&ins, "power_2")->reverse);
    assert_non_null(strstr(item(&ins, "power_1")->labels_json, "system side decided everything"));

    const struct instrument_item *rung = item(&ins, "rung");
    assert_int_equal(rung->type, ITEM_LADDER);
    assert_string_equal(rung->construct, "participation");
    assert_int_equal(rung->min, 1);
    assert_int_equal(rung->max, 8);
    assert_false(rung->reverse);
    assert_string_equal(rung->text,
                        "Which of these best describes how the last module worked for you?");
    for (int r = 1; r <= 8; r++) {
        char key[8];
        snprintf(key, sizeof key, "\"%d\":", r);
        assert_non_null(strstr(rung->labels_json, key));
    }

    const char *texts[] = {"discoveries", "issues_addressed", "helped", "hindered"};
    for (size_t i = 0; i < 4; i++) {
        const struct instrument_item *it = item(&ins, texts[i]);
        assert_int_equal(it->type, ITEM_TEXT);
        assert_null(it->construct);
        assert_true(it->max_length > 0 && it->max_length <= 20000);
    }
    const char *lists[] = {"drivers", "concerns", "accountabilities"};
    for (size_t i = 0; i < 3; i++) {
        const struct instrument_item *it = item(&ins, lists[i]);
        assert_int_equal(it->type, ITEM_LIST);
        assert_null(it->construct);
        assert_true(it->max_entries > 0);
    }
    /* nothing else: 3+2+3+3+safety+2+2 scale items, the rung, 4 texts, 3 lists */
    size_t nsafety = instrument_construct_nitems(&ins, "safety");
    assert_int_equal(ins.nitems, 15 + nsafety + 1 + 4 + 3);
    instrument_free(&ins);
    assert_null(ins.items);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct instrument a, b;
    duet_err e;
    assert_int_equal(instrument_load_default(&a, &e), 0);
    char *j1 = instrument_to_json(&a);
    assert_non_null(j1);
    if (instrument_parse(j1, strlen(j1), "canonical", &b, &e) != 0)
        fail_msg("%s", e.msg);
    assert_instruments_equal(&a, &b);
    char *j2 = instrument_to_json(&b);
    assert_string_equal(j1, j2);
    free(j1);
    free(j2);
    instrument_free(&a);
    instrument_free(&b);

    /* defaults written out; absent optional fields stay absent */
    struct instrument c, d;
    expect_ok("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 2, "
              "\"title\": \"T\", \"items\": [{\"name\": \"a\", \"type\": \"text\", "
              "\"text\": \"Q\"}, {\"name\": \"b\", \"type\": \"list\", \"text\": \"Q\"}]}", &c);
    assert_null(c.description);
    assert_int_equal(c.nconstructs, 0);
    assert_int_equal(c.items[0].max_length, INSTRUMENT_TEXT_DEFAULT);
    assert_int_equal(c.items[1].max_entries, INSTRUMENT_LIST_DEFAULT);
    char *j3 = instrument_to_json(&c);
    assert_non_null(strstr(j3, "\"max_length\": 4000"));
    assert_null(strstr(j3, "description"));
    expect_ok(j3, &d);
    assert_instruments_equal(&c, &d);
    free(j3);
    instrument_free(&c);
    instrument_free(&d);
}

static void test_labels_canonical(void **state)
{
    (void)state;
    struct instrument ins;
    expect_ok(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
              "\"text\": \"Q\", \"min\": 0, \"max\": 10, \"reverse\": true, "
              "\"labels\": {\"10\": \"Top\", \"0\": \"Bottom\", \"5\": \"Mid\"}}" TAIL, &ins);
    assert_string_equal(ins.items[0].labels_json,
                        "{\"0\":\"Bottom\",\"5\":\"Mid\",\"10\":\"Top\"}");
    assert_true(ins.items[0].reverse);
    instrument_free(&ins);
}

/* ------------------------------------------------------------------ */
/* validation: one message per rule                                    */

static void test_err_unknown_key(void **state)
{
    (void)state;
    expect_error(HEAD SCALE1 ", {\"name\": \"voice_2\", \"construct\": \"voice\", "
                 "\"type\": \"scale\", \"text\": \"Q\", \"min\": 1, \"max\": 7, "
                 "\"revrse\": true}" TAIL,
                 "instrument.json: items[1]: unknown key 'revrse'");
    expect_error("{\"format\": \"duet-instrument/1\", \"nmae\": \"t\"}",
                 "instrument.json: unknown key 'nmae'");
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": \"T\", \"constructs\": [{\"name\": \"voice\", "
                 "\"label\": \"Voice\", \"bipolr\": true}], \"items\": []}",
                 "instrument.json: constructs[0]: unknown key 'bipolr'");
}

static void test_err_duplicate_item(void **state)
{
    (void)state;
    expect_error(HEAD SCALE1 ", " SCALE1 TAIL,
                 "instrument.json: items[1].name: duplicate item name 'voice_1' "
                 "(also items[0])");
}

static void test_err_duplicate_key(void **state)
{
    (void)state;
    const char *text = "{\"format\": \"duet-instrument/1\", \"name\": \"a\", \"name\": \"b\"}";
    duet_err e;
    struct instrument out;
    assert_int_equal(instrument_parse(text, strlen(text), "instrument.json", &out, &e), -1);
    assert_non_null(strstr(e.msg, "instrument.json:1:"));
    assert_non_null(strstr(e.msg, "duplicate object key"));
}

static void test_err_bad_name(void **state)
{
    (void)state;
    expect_error(HEAD "{\"name\": \"Voice 1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 1, \"max\": 7}" TAIL,
                 "instrument.json: items[0].name: 'Voice 1' is not a valid name (use "
                 "lower-case letters, digits and _, start with a letter, at most 48 "
                 "characters)");
    expect_error(HEAD "{\"name\": \"1voice\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 1, \"max\": 7}" TAIL,
                 "instrument.json: items[0].name: '1voice' is not a valid name (use "
                 "lower-case letters, digits and _, start with a letter, at most 48 "
                 "characters)");
    /* 49 characters */
    expect_error(HEAD "{\"name\": \"a123456789012345678901234567890123456789012345678\", "
                 "\"construct\": \"voice\", \"type\": \"scale\", \"text\": \"Q\", "
                 "\"min\": 1, \"max\": 7}" TAIL,
                 "instrument.json: items[0].name: 'a12345678901234567890123456789012345678"
                 "9...' is not a valid name (use lower-case letters, digits and _, start "
                 "with a letter, at most 48 characters)");
}

static void test_err_scale_bounds(void **state)
{
    (void)state;
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 5, \"max\": 1}" TAIL,
                 "instrument.json: items[0].max: 1 is less than min 5");
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 3, \"max\": 3}" TAIL,
                 "instrument.json: items[0]: the scale 3..3 has 1 point; a scale needs "
                 "2 to 11");
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 0, \"max\": 11}" TAIL,
                 "instrument.json: items[0]: the scale 0..11 has 12 points; a scale "
                 "needs 2 to 11");
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 1.5, \"max\": 7}" TAIL,
                 "instrument.json: items[0].min: expected a whole number, found 1.5");
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"max\": 7}" TAIL,
                 "instrument.json: items[0]: missing 'min'");
}

static void test_err_undeclared_construct(void **state)
{
    (void)state;
    expect_error(HEAD SCALE1 ", {\"name\": \"voice_2\", \"construct\": \"voyce\", "
                 "\"type\": \"scale\", \"text\": \"Q\", \"min\": 1, \"max\": 7}" TAIL,
                 "instrument.json: items[1].construct: 'voyce' is not a declared construct");
    expect_error(HEAD "{\"name\": \"voice_1\", \"type\": \"scale\", \"text\": \"Q\", "
                 "\"min\": 1, \"max\": 7}" TAIL,
                 "instrument.json: items[0]: missing 'construct' (scale items belong "
                 "to a construct)");
}

static void test_err_type_specific_keys(void **state)
{
    (void)state;
    expect_error(HEAD SCALE1 ", {\"name\": \"notes\", \"type\": \"text\", \"text\": \"Q\", "
                 "\"reverse\": true}" TAIL,
                 "instrument.json: items[1].reverse: not allowed on a text item (only "
                 "scale items can be reverse-keyed)");
    expect_error(HEAD SCALE1 ", {\"name\": \"notes\", \"type\": \"text\", \"text\": \"Q\", "
                 "\"construct\": \"voice\"}" TAIL,
                 "instrument.json: items[1].construct: not allowed on a text item (only "
                 "scale and ladder items belong to a construct)");
    expect_error(HEAD SCALE1 ", {\"name\": \"todo\", \"type\": \"list\", \"text\": \"Q\", "
                 "\"max_length\": 10}" TAIL,
                 "instrument.json: items[1].max_length: not allowed on a list item (only "
                 "text items have it)");
    expect_error(HEAD SCALE1 ", {\"name\": \"todo\", \"type\": \"sclae\", \"text\": \"Q\"}" TAIL,
                 "instrument.json: items[1].type: 'sclae' is not an item type (scale, "
                 "ladder, text or list)");
    expect_error(HEAD SCALE1 ", {\"name\": \"notes\", \"type\": \"text\", \"text\": \"Q\", "
                 "\"max_length\": 20001}" TAIL,
                 "instrument.json: items[1].max_length: 20001 is outside the allowed "
                 "range 1..20000");
}

static void test_err_ladder(void **state)
{
    (void)state;
    const char *cons = "{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                       "\"title\": \"T\", \"constructs\": [{\"name\": \"p\", \"label\": \"P\"}], "
                       "\"items\": [{\"name\": \"rung\", \"construct\": \"p\", \"type\": "
                       "\"ladder\", \"text\": \"Q\", ";
    char buf[1024];
    snprintf(buf, sizeof buf, "%s\"min\": 1, \"max\": 7, \"labels\": {\"1\": \"a\"}}]}", cons);
    expect_error(buf, "instrument.json: items[0]: a ladder runs 1..8, not 1..7");
    snprintf(buf, sizeof buf, "%s\"labels\": {\"1\": \"a\", \"2\": \"b\", \"3\": \"c\", "
             "\"4\": \"d\", \"6\": \"f\", \"7\": \"g\", \"8\": \"h\"}}]}", cons);
    expect_error(buf, "instrument.json: items[0].labels: missing a label for rung 5 (a "
                 "ladder needs one for each rung 1..8)");
    snprintf(buf, sizeof buf, "%s\"reverse\": false}]}", cons);
    expect_error(buf, "instrument.json: items[0].reverse: not allowed on a ladder item "
                 "(only scale items can be reverse-keyed)");
}

static void test_err_labels(void **state)
{
    (void)state;
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 1, \"max\": 7, \"labels\": {\"9\": \"x\"}}" TAIL,
                 "instrument.json: items[0].labels: key '9' is outside the scale 1..7");
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 1, \"max\": 7, \"labels\": {\"07\": \"x\"}}" TAIL,
                 "instrument.json: items[0].labels: key '07' is not a whole number "
                 "written plainly (e.g. \"1\", \"7\")");
    expect_error(HEAD "{\"name\": \"voice_1\", \"construct\": \"voice\", \"type\": \"scale\", "
                 "\"text\": \"Q\", \"min\": 1, \"max\": 7, \"labels\": {\"7\": 3}}" TAIL,
                 "instrument.json: items[0].labels.7: expected a string, found a whole number");
}

static void test_err_format(void **state)
{
    (void)state;
    expect_error("{\"format\": \"duet-instrument/2\", \"name\": \"t\"}",
                 "instrument.json: format: 'duet-instrument/2' is not supported; "
                 "expected 'duet-instrument/1'");
    expect_error("{\"name\": \"t\"}",
                 "instrument.json: missing 'format' (expected \"duet-instrument/1\")");
}

static void test_err_oversize_string(void **state)
{
    (void)state;
    char title[202];
    memset(title, 'x', 201);
    title[201] = '\0';
    char buf[1024];
    snprintf(buf, sizeof buf, "{\"format\": \"duet-instrument/1\", \"name\": \"t\", "
             "\"version\": 1, \"title\": \"%s\", \"items\": []}", title);
    expect_error(buf, "instrument.json: title: 201 characters; the limit is 200");
    /* 200 two-byte characters are within the limit (characters, not bytes) */
    char wide[512] = "";
    for (int i = 0; i < 200; i++)
        strcat(wide, "\xc3\xa9");
    snprintf(buf, sizeof buf, "{\"format\": \"duet-instrument/1\", \"name\": \"t\", "
             "\"version\": 1, \"title\": \"%s\", \"items\": [{\"name\": \"a\", "
             "\"type\": \"text\", \"text\": \"Q\"}]}", wide);
    struct instrument ins;
    expect_ok(buf, &ins);
    instrument_free(&ins);
    /* the whole text is capped */
    size_t big = INSTRUMENT_MAX_BYTES + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    duet_err e;
    assert_int_equal(instrument_parse(huge, big, "instrument.json", &ins, &e), -1);
    assert_string_equal(e.msg, "instrument.json: 1048577 bytes; an instrument may "
                        "have at most 1048576");
    free(huge);
}

static void test_err_strings(void **state)
{
    (void)state;
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": \"two\\nlines\", \"items\": []}",
                 "instrument.json: title: control character U+000A is not allowed (this "
                 "text must be one line)");
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": \"\", \"items\": []}",
                 "instrument.json: title: must not be empty");
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": 5, \"items\": []}",
                 "instrument.json: title: expected a string, found a whole number");
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 0, "
                 "\"title\": \"T\", \"items\": []}",
                 "instrument.json: version: 0 is outside the allowed range 1..1000000");
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": \"T\", \"items\": []}",
                 "instrument.json: items: an instrument needs at least one item");
    /* invalid UTF-8 is refused by jansson */
    const char bad[] = "{\"format\": \"duet-instrument/1\", \"title\": \"\xff\"}";
    struct instrument out;
    duet_err e;
    assert_int_equal(instrument_parse(bad, strlen(bad), "instrument.json", &out, &e), -1);
    assert_non_null(strstr(e.msg, "instrument.json:1:"));
}

static void test_err_non_object_root(void **state)
{
    (void)state;
    expect_error("[1, 2]", "instrument.json: the top level must be a JSON object, not "
                 "an array");
    expect_error("\"x\"", "instrument.json: the top level must be a JSON object, not "
                 "a string");
}

static void test_err_truncated(void **state)
{
    (void)state;
    expect_error("{\"format\": \"duet-instrument/1\",\n  \"name\": ",
                 "instrument.json:2:10: invalid JSON: unexpected token near end of file");
    expect_error("", "instrument.json: the input is empty; expected a JSON object");
    expect_error("  \n", "instrument.json:2:0: invalid JSON: unexpected token near end of file");
    expect_error("{\"format\": \"duet-instrument/1\"} x",
                 "instrument.json:1:33: invalid JSON: end of file expected near 'x'");
    struct instrument out;
    duet_err e;
    assert_int_equal(instrument_parse(NULL, 0, NULL, &out, &e), -1);
    assert_string_equal(e.msg, "instrument: the input is empty; expected a JSON object");
}

static void test_err_construct_rules(void **state)
{
    (void)state;
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": \"T\", \"constructs\": [{\"name\": \"voice\", \"label\": \"V\"}, "
                 "{\"name\": \"trust\", \"label\": \"T\"}], \"items\": [" SCALE1 "]}",
                 "instrument.json: constructs[1]: construct 'trust' has no items");
    expect_error("{\"format\": \"duet-instrument/1\", \"name\": \"t\", \"version\": 1, "
                 "\"title\": \"T\", \"constructs\": [{\"name\": \"voice\", \"label\": \"V\"}, "
                 "{\"name\": \"voice\", \"label\": \"T\"}], \"items\": [" SCALE1 "]}",
                 "instrument.json: constructs[1].name: duplicate construct name 'voice' "
                 "(also constructs[0])");
    expect_error(HEAD SCALE1 ", {\"name\": \"voice_2\", \"construct\": \"voice\", "
                 "\"type\": \"scale\", \"text\": \"Q\", \"min\": 1, \"max\": 5}" TAIL,
                 "instrument.json: items[1]: construct 'voice' uses the scale 1..7 "
                 "(items[0]) but this item uses 1..5; the items of a construct must "
                 "share one scale");
}

/* ------------------------------------------------------------------ */
/* answers                                                             */

static struct instrument_item mk(enum item_type t, int min, int max, int reverse)
{
    struct instrument_item it;
    memset(&it, 0, sizeof it);
    it.type = t;
    it.min = min;
    it.max = max;
    it.reverse = reverse;
    it.max_length = t == ITEM_TEXT ? 10 : 0;
    it.max_entries = t == ITEM_LIST ? 3 : 0;
    return it;
}

static void expect_value_error(const struct instrument_item *it, const char *v,
                               size_t n, const char *msg)
{
    duet_err e;
    double num = -99;
    assert_int_equal(instrument_check_value(it, v, n, &num, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    assert_true(num == -99);
}

static void test_check_value(void **state)
{
    (void)state;
    duet_err e;
    double num = 0;
    struct instrument_item sc = mk(ITEM_SCALE, 1, 7, 0);
    assert_int_equal(instrument_check_value(&sc, "7", 1, &num, &e), 0);
    assert_true(num == 7.0);
    assert_int_equal(instrument_check_value(&sc, " 1\t", 3, &num, &e), 0);
    assert_true(num == 1.0);
    expect_value_error(&sc, "9", 1, "9 is outside the scale 1..7");
    expect_value_error(&sc, "0", 1, "0 is outside the scale 1..7");
    expect_value_error(&sc, "-3", 2, "-3 is outside the scale 1..7");
    expect_value_error(&sc, "99999999999999999999", 20,
                       "99999999999999999999 is outside the scale 1..7");
    expect_value_error(&sc, "abc", 3, "'abc' is not a whole number");
    expect_value_error(&sc, "4.5", 3, "'4.5' is not a whole number");
    expect_value_error(&sc, "-", 1, "'-' is not a whole number");
    expect_value_error(&sc, "", 0, "'' is not a whole number");
    expect_value_error(&sc, "4\n", 2, "'4?' is not a whole number");
    expect_value_error(&sc, "\xff", 1, "invalid UTF-8 at byte 1");

    struct instrument_item neg = mk(ITEM_SCALE, -3, 3, 0);
    assert_int_equal(instrument_check_value(&neg, "-3", 2, &num, &e), 0);
    assert_true(num == -3.0);

    struct instrument_item lad = mk(ITEM_LADDER, 1, 8, 0);
    assert_int_equal(instrument_check_value(&lad, "8", 1, NULL, &e), 0);
    expect_value_error(&lad, "9", 1, "9 is outside the ladder 1..8");

    struct instrument_item tx = mk(ITEM_TEXT, 0, 0, 0);
    num = -1;
    assert_int_equal(instrument_check_value(&tx, "line\r\nnext", 10, &num, &e), 0);
    assert_true(num == -1);   /* not written for text */
    /* ten characters of two bytes each */
    const char *ten = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
    assert_int_equal(instrument_check_value(&tx, ten, strlen(ten), NULL, &e), 0);
    expect_value_error(&tx, "abcdefghijk", 11, "11 characters; the limit is 10");
    expect_value_error(&tx, "a\0b", 3, "control character U+0000 at character 2 is "
                       "not allowed");
    expect_value_error(&tx, "\xc3\x28", 2, "invalid UTF-8 at byte 1");

    struct instrument_item li = mk(ITEM_LIST, 0, 0, 0);
    assert_int_equal(instrument_check_value(&li, "", 0, NULL, &e), 0);
    assert_int_equal(instrument_check_value(&li, "money\ntime\tand care\nrules", 25,
                                            NULL, &e), 0);
    expect_value_error(&li, "a\nb\nc\nd", 7, "4 entries; the limit is 3");
    expect_value_error(&li, "a\n\nc", 4, "entry 2 is empty");
    expect_value_error(&li, "a\n", 2, "entry 2 is empty");
    expect_value_error(&li, "a\r\nb", 4, "entry 1: control character U+000D is not allowed");
    char long_entry[600];
    long_entry[0] = 'a';
    long_entry[1] = '\n';
    memset(long_entry + 2, 'x', 501);
    expect_value_error(&li, long_entry, 503, "entry 2 has 501 characters; the limit is 500");
    memset(long_entry + 2, 'x', 500);
    assert_int_equal(instrument_check_value(&li, long_entry, 502, NULL, &e), 0);
}

static void test_scored_value(void **state)
{
    (void)state;
    struct instrument_item rev = mk(ITEM_SCALE, 1, 7, 1);
    assert_true(instrument_scored_value(&rev, 1) == 7.0);
    assert_true(instrument_scored_value(&rev, 7) == 1.0);
    assert_true(instrument_scored_value(&rev, 4) == 4.0);
    assert_true(instrument_scored_value(&rev, 2) == 6.0);
    struct instrument_item fwd = mk(ITEM_SCALE, 1, 7, 0);
    assert_true(instrument_scored_value(&fwd, 2) == 2.0);
    struct instrument_item zero = mk(ITEM_SCALE, 0, 10, 1);
    assert_true(instrument_scored_value(&zero, 3) == 7.0);
    assert_true(instrument_item_midpoint(&fwd) == 4.0);

    /* on the default instrument: voice_3 is reverse-keyed */
    struct instrument ins;
    duet_err e;
    assert_int_equal(instrument_load_default(&ins, &e), 0);
    const struct instrument_item *v3 = instrument_find_item(&ins, "voice_3");
    assert_non_null(v3);
    assert_true(instrument_scored_value(v3, 1) == 7.0);
    assert_true(instrument_scored_value(v3, 7) == 1.0);
    assert_true(instrument_scored_value(v3, 4) == 4.0);
    assert_string_equal(instrument_item_type_name(ITEM_LADDER), "ladder");
    instrument_free(&ins);
    instrument_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_content),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_labels_canonical),
        cmocka_unit_test(test_err_unknown_key),
        cmocka_unit_test(test_err_duplicate_item),
        cmocka_unit_test(test_err_duplicate_key),
        cmocka_unit_test(test_err_bad_name),
        cmocka_unit_test(test_err_scale_bounds),
        cmocka_unit_test(test_err_undeclared_construct),
        cmocka_unit_test(test_err_type_specific_keys),
        cmocka_unit_test(test_err_ladder),
        cmocka_unit_test(test_err_labels),
        cmocka_unit_test(test_err_format),
        cmocka_unit_test(test_err_oversize_string),
        cmocka_unit_test(test_err_strings),
        cmocka_unit_test(test_err_non_object_root),
        cmocka_unit_test(test_err_truncated),
        cmocka_unit_test(test_err_construct_rules),
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_scored_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
