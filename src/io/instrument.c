/*
** instrument.c — parsing, validation and canonical output of
** "duet-instrument/1" JSON (format: docs/instruments.md).
**
** Every key is checked against an allow-list and every value against its
** type and bounds before anything is kept; a failed parse frees what it built
** and leaves the caller's struct alone. Messages name the source, the path to
** the element (items[3].max) and the reason. Nothing here prints or exits.
*/
#include "io/instrument.h"


#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "io/jsonread.h"

_Static_assert(INSTRUMENT_NAME_MAX == JR_NAME_MAX, "names are read by jr_get_name");

/* Limits on strings, in characters (code points). */
#define TITLE_MAX        200
#define DESCRIPTION_MAX  4000
#define LABEL_MAX        200
#define ITEM_TEXT_MAX    2000

/* ------------------------------------------------------------------ */
/* typed getters                                                       */

static int get_bool(struct jr_ctx *c, json_t *obj, const char *path,
                    const char *key, int *out)
{
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, key);
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return jr_fail(c, p, "expected true or false, found %s", jr_kind(v));
    *out = json_is_true(v);
    return 0;
}

/* ------------------------------------------------------------------ */
/* constructs and items                                                */

static int parse_construct(struct jr_ctx *c, json_t *v, const char *path,
                           struct instrument_construct *k)
{
    static const char *const keys[] = {"name", "label", "description", "bipolar", NULL};
    if (!json_is_object(v))
        return jr_fail(c, path, "expected an object, found %s", jr_kind(v));
    if (jr_check_keys(c, v, path, keys) != 0
        || jr_get_name(c, v, path, "name", 1, 0, &k->name) != 0
        || jr_get_string(c, v, path, "label", 1, JR_ONE_LINE, LABEL_MAX, &k->label) != 0
        || jr_get_string(c, v, path, "description", 0, JR_MULTI_LINE, DESCRIPTION_MAX,
                         &k->description) != 0
        || get_bool(c, v, path, "bipolar", &k->bipolar) != 0)
        return -1;
    return 0;
}

/* Parses a decimal integer key written canonically ("7", "-2"; not "07",
** "+7", "-0"). Returns 0 and *x, or -1. */
static int canonical_int(const char *s, long *x)
{
    const char *d = s;
    if (*d == '-')
        d++;
    size_t n = strlen(d);
    if (n == 0 || n > 6)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (d[i] < '0' || d[i] > '9')
            return -1;
    if (d[0] == '0' && (n > 1 || d != s))
        return -1;
    *x = strtol(s, NULL, 10);
    return 0;
}

/* Validates a labels object against min..max and stores it as compact JSON
** with keys in numeric order (NULL for an empty object). A ladder needs a
** label for every rung. */
static int parse_labels(struct jr_ctx *c, json_t *item, const char *path,
                        struct instrument_item *it)
{
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, "labels");
    json_t *v = json_object_get(item, "labels");
    if (v == NULL) {
        if (it->type == ITEM_LADDER)
            return jr_fail(c, path, "missing 'labels' (a ladder needs a label for "
                           "each rung 1..%d)", INSTRUMENT_LADDER_RUNGS);
        return 0;
    }
    if (!json_is_object(v))
        return jr_fail(c, p, "expected an object, found %s", jr_kind(v));
    const char *key;
    json_t *lv;
    json_object_foreach(v, key, lv) {
        char q[64];
        jr_quote_safe(key, strlen(key), q, sizeof q);
        long x;
        if (canonical_int(key, &x) != 0)
            return jr_fail(c, p, "key '%s' is not a whole number written plainly "
                           "(e.g. \"1\", \"7\")", q);
        if (x < it->min || x > it->max)
            return jr_fail(c, p, "key '%s' is outside the %s %d..%d", q,
                           instrument_item_type_name(it->type), it->min, it->max);
        char lp[JR_PATH_MAX];
        jr_subpath(lp, sizeof lp, p, key);
        if (!json_is_string(lv))
            return jr_fail(c, lp, "expected a string, found %s", jr_kind(lv));
        if (json_string_length(lv) == 0)
            return jr_fail(c, lp, "must not be empty");
        if (jr_check_text(c, lp, json_string_value(lv), json_string_length(lv),
                          JR_ONE_LINE, LABEL_MAX) != 0)
            return -1;
    }
    if (json_object_size(v) == 0) {
        if (it->type == ITEM_LADDER)
            return jr_fail(c, p, "a ladder needs a label for each rung 1..%d",
                           INSTRUMENT_LADDER_RUNGS);
        return 0;
    }
    json_t *sorted = json_object();
    if (sorted == NULL)
        return jr_oom(c);
    for (int x = it->min; x <= it->max; x++) {
        char num[16];
        snprintf(num, sizeof num, "%d", x);
        json_t *lab = json_object_get(v, num);
        if (lab == NULL) {
            if (it->type == ITEM_LADDER) {
                json_decref(sorted);
                return jr_fail(c, p, "missing a label for rung %d (a ladder needs "
                               "one for each rung 1..%d)", x, INSTRUMENT_LADDER_RUNGS);
            }
            continue;
        }
        if (json_object_set(sorted, num, lab) != 0) {
            json_decref(sorted);
            return jr_oom(c);
        }
    }
    it->labels_json = json_dumps(sorted, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(sorted);
    if (it->labels_json == NULL)
        return jr_oom(c);
    return 0;
}

static int parse_type(struct jr_ctx *c, json_t *v, const char *path, enum item_type *t)
{
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, "type");
    json_t *tv = json_object_get(v, "type");
    if (tv == NULL)
        return jr_fail(c, path, "missing 'type' (scale, ladder, text or list)");
    if (!json_is_string(tv))
        return jr_fail(c, p, "expected a string, found %s", jr_kind(tv));
    const char *s = json_string_value(tv);
    static const enum item_type all[] = {ITEM_SCALE, ITEM_LADDER, ITEM_TEXT, ITEM_LIST};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(s, instrument_item_type_name(all[i])) == 0) {
            *t = all[i];
            return 0;
        }
    }
    char q[64];
    jr_quote_safe(s, json_string_length(tv), q, sizeof q);
    return jr_fail(c, p, "'%s' is not an item type (scale, ladder, text or list)", q);
}

/* Refuses key on an item of a type it does not apply to. */
static int not_on(struct jr_ctx *c, json_t *v, const char *path, const char *key,
                  enum item_type t, const char *why)
{
    if (json_object_get(v, key) == NULL)
        return 0;
    char p[JR_PATH_MAX];
    jr_subpath(p, sizeof p, path, key);
    return jr_fail(c, p, "not allowed on a %s item (%s)",
                   instrument_item_type_name(t), why);
}

static int parse_item(struct jr_ctx *c, json_t *v, const char *path,
                      const struct instrument *ins, struct instrument_item *it)
{
    static const char *const keys[] = {"name", "type", "construct", "text", "min",
                                       "max", "reverse", "labels", "max_length",
                                       "max_entries", NULL};
    if (!json_is_object(v))
        return jr_fail(c, path, "expected an object, found %s", jr_kind(v));
    if (jr_check_keys(c, v, path, keys) != 0
        || jr_get_name(c, v, path, "name", 1, 0, &it->name) != 0
        || parse_type(c, v, path, &it->type) != 0
        || jr_get_string(c, v, path, "text", 1, JR_MULTI_LINE, ITEM_TEXT_MAX,
                         &it->text) != 0)
        return -1;

    enum item_type t = it->type;
    const char *only_scale = "only scale items can be reverse-keyed";
    const char *only_rated = "only scale and ladder items have it";
    if (t != ITEM_SCALE && not_on(c, v, path, "reverse", t, only_scale) != 0)
        return -1;
    if (t == ITEM_TEXT || t == ITEM_LIST) {
        if (not_on(c, v, path, "construct", t,
                   "only scale and ladder items belong to a construct") != 0
            || not_on(c, v, path, "min", t, only_rated) != 0
            || not_on(c, v, path, "max", t, only_rated) != 0
            || not_on(c, v, path, "labels", t, only_rated) != 0)
            return -1;
    }
    if (t != ITEM_TEXT && not_on(c, v, path, "max_length", t,
                                 "only text items have it") != 0)
        return -1;
    if (t != ITEM_LIST && not_on(c, v, path, "max_entries", t,
                                 "only list items have it") != 0)
        return -1;

    char p[JR_PATH_MAX];
    switch (t) {
    case ITEM_SCALE:
    case ITEM_LADDER: {
        if (jr_get_name(c, v, path, "construct", 0, 0, &it->construct) != 0)
            return -1;
        if (it->construct == NULL)
            return jr_fail(c, path, "missing 'construct' (%s items belong to a "
                           "construct)", instrument_item_type_name(t));
        if (instrument_find_construct(ins, it->construct) == NULL) {
            jr_subpath(p, sizeof p, path, "construct");
            return jr_fail(c, p, "'%s' is not a declared construct", it->construct);
        }
        if (t == ITEM_SCALE) {
            if (jr_get_int(c, v, path, "min", 1, -INSTRUMENT_SCALE_LIMIT,
                           INSTRUMENT_SCALE_LIMIT, &it->min, NULL) != 0
                || jr_get_int(c, v, path, "max", 1, -INSTRUMENT_SCALE_LIMIT,
                              INSTRUMENT_SCALE_LIMIT, &it->max, NULL) != 0
                || get_bool(c, v, path, "reverse", &it->reverse) != 0)
                return -1;
            jr_subpath(p, sizeof p, path, "max");
            if (it->max < it->min)
                return jr_fail(c, p, "%d is less than min %d", it->max, it->min);
            int points = it->max - it->min + 1;
            if (points < 2 || points > INSTRUMENT_SCALE_MAX_POINTS)
                return jr_fail(c, path, "the scale %d..%d has %d point%s; a scale "
                               "needs 2 to %d", it->min, it->max, points,
                               points == 1 ? "" : "s", INSTRUMENT_SCALE_MAX_POINTS);
        } else {
            int lo = 1, hi = INSTRUMENT_LADDER_RUNGS;
            if (jr_get_int(c, v, path, "min", 0, -INSTRUMENT_SCALE_LIMIT,
                           INSTRUMENT_SCALE_LIMIT, &lo, NULL) != 0
                || jr_get_int(c, v, path, "max", 0, -INSTRUMENT_SCALE_LIMIT,
                              INSTRUMENT_SCALE_LIMIT, &hi, NULL) != 0)
                return -1;
            if (lo != 1 || hi != INSTRUMENT_LADDER_RUNGS)
                return jr_fail(c, path, "a ladder runs 1..%d, not %d..%d",
                               INSTRUMENT_LADDER_RUNGS, lo, hi);
            it->min = 1;
            it->max = INSTRUMENT_LADDER_RUNGS;
        }
        return parse_labels(c, v, path, it);
    }
    case ITEM_TEXT:
        it->max_length = INSTRUMENT_TEXT_DEFAULT;
        return jr_get_int(c, v, path, "max_length", 0, 1, INSTRUMENT_TEXT_MAX,
                          &it->max_length, NULL);
    case ITEM_LIST:
        it->max_entries = INSTRUMENT_LIST_DEFAULT;
        return jr_get_int(c, v, path, "max_entries", 0, 1, INSTRUMENT_LIST_MAX,
                          &it->max_entries, NULL);
    }
    return 0;
}

/* Rules that need the whole instrument: every construct has items, and the
** items of one construct share one type and one scale. */
static int check_constructs(struct jr_ctx *c, const struct instrument *ins)
{
    for (size_t k = 0; k < ins->nconstructs; k++) {
        const struct instrument_construct *con = &ins->constructs[k];
        const struct instrument_item *first = NULL;
        size_t firsti = 0;
        char path[JR_PATH_MAX];
        for (size_t i = 0; i < ins->nitems; i++) {
            const struct instrument_item *it = &ins->items[i];
            if (it->construct == NULL || strcmp(it->construct, con->name) != 0)
                continue;
            snprintf(path, sizeof path, "items[%zu]", i);
            if (con->bipolar && it->type != ITEM_SCALE)
                return jr_fail(c, path, "construct '%s' is bipolar; only scale "
                               "items can belong to it", con->name);
            if (first == NULL) {
                first = it;
                firsti = i;
                continue;
            }
            if (it->type != first->type)
                return jr_fail(c, path, "construct '%s' mixes %s items (items[%zu]) "
                               "and %s items", con->name,
                               instrument_item_type_name(first->type), firsti,
                               instrument_item_type_name(it->type));
            if (it->min != first->min || it->max != first->max)
                return jr_fail(c, path, "construct '%s' uses the scale %d..%d "
                               "(items[%zu]) but this item uses %d..%d; the items "
                               "of a construct must share one scale", con->name,
                               first->min, first->max, firsti, it->min, it->max);
        }
        if (first == NULL) {
            snprintf(path, sizeof path, "constructs[%zu]", k);
            return jr_fail(c, path, "construct '%s' has no items", con->name);
        }
    }
    return 0;
}

static int parse_root(struct jr_ctx *c, json_t *root, struct instrument *ins)
{
    static const char *const keys[] = {"format", "name", "version", "title",
                                       "description", "constructs", "items", NULL};
    if (!json_is_object(root))
        return jr_fail(c, NULL, "the top level must be a JSON object, not %s",
                       jr_kind(root));
    /* The format first: a different format explains every later error. */
    json_t *fmt = json_object_get(root, "format");
    if (fmt == NULL)
        return jr_fail(c, NULL, "missing 'format' (expected \"%s\")", INSTRUMENT_FORMAT);
    if (!json_is_string(fmt))
        return jr_fail(c, "format", "expected a string, found %s", jr_kind(fmt));
    if (strcmp(json_string_value(fmt), INSTRUMENT_FORMAT) != 0) {
        char q[64];
        jr_quote_safe(json_string_value(fmt), json_string_length(fmt), q, sizeof q);
        return jr_fail(c, "format", "'%s' is not supported; expected '%s'", q,
                       INSTRUMENT_FORMAT);
    }
    if (jr_check_keys(c, root, "", keys) != 0
        || jr_get_name(c, root, "", "name", 1, 1, &ins->name) != 0
        || jr_get_int(c, root, "", "version", 1, 1, INSTRUMENT_MAX_VERSION,
                      &ins->version, NULL) != 0
        || jr_get_string(c, root, "", "title", 1, JR_ONE_LINE, TITLE_MAX,
                         &ins->title) != 0
        || jr_get_string(c, root, "", "description", 0, JR_MULTI_LINE, DESCRIPTION_MAX,
                         &ins->description) != 0)
        return -1;

    char path[JR_PATH_MAX];
    json_t *cons = json_object_get(root, "constructs");
    if (cons != NULL) {
        if (!json_is_array(cons))
            return jr_fail(c, "constructs", "expected an array, found %s", jr_kind(cons));
        size_t n = json_array_size(cons);
        if (n > INSTRUMENT_MAX_CONSTRUCTS)
            return jr_fail(c, "constructs", "%zu constructs; the limit is %d", n,
                           INSTRUMENT_MAX_CONSTRUCTS);
        if (n > 0) {
            ins->constructs = calloc(n, sizeof *ins->constructs);
            if (ins->constructs == NULL)
                return jr_oom(c);
        }
        for (size_t i = 0; i < n; i++) {
            snprintf(path, sizeof path, "constructs[%zu]", i);
            struct instrument_construct *k = &ins->constructs[i];
            ins->nconstructs = i + 1;   /* so that instrument_free sees it */
            if (parse_construct(c, json_array_get(cons, i), path, k) != 0)
                return -1;
            for (size_t j = 0; j < i; j++)
                if (strcmp(ins->constructs[j].name, k->name) == 0) {
                    snprintf(path, sizeof path, "constructs[%zu].name", i);
                    return jr_fail(c, path, "duplicate construct name '%s' (also "
                                   "constructs[%zu])", k->name, j);
                }
        }
    }

    json_t *items = json_object_get(root, "items");
    if (items == NULL)
        return jr_fail(c, NULL, "missing 'items'");
    if (!json_is_array(items))
        return jr_fail(c, "items", "expected an array, found %s", jr_kind(items));
    size_t n = json_array_size(items);
    if (n == 0)
        return jr_fail(c, "items", "an instrument needs at least one item");
    if (n > INSTRUMENT_MAX_ITEMS)
        return jr_fail(c, "items", "%zu items; the limit is %d", n, INSTRUMENT_MAX_ITEMS);
    ins->items = calloc(n, sizeof *ins->items);
    if (ins->items == NULL)
        return jr_oom(c);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "items[%zu]", i);
        struct instrument_item *it = &ins->items[i];
        ins->nitems = i + 1;
        if (parse_item(c, json_array_get(items, i), path, ins, it) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ins->items[j].name, it->name) == 0) {
                snprintf(path, sizeof path, "items[%zu].name", i);
                return jr_fail(c, path, "duplicate item name '%s' (also items[%zu])",
                               it->name, j);
            }
    }
    return check_constructs(c, ins);
}

/* ------------------------------------------------------------------ */
/* public API                                                          */

int instrument_parse(const char *json, size_t len, const char *source,
                     struct instrument *out, duet_err *e)
{
    struct jr_ctx c = {source != NULL ? source : "instrument", e};
    json_t *root = jr_load(&c, json, len, INSTRUMENT_MAX_BYTES, "an instrument");
    if (root == NULL)
        return -1;
    struct instrument tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = parse_root(&c, root, &tmp);
    json_decref(root);
    if (rc != 0) {
        instrument_free(&tmp);
        return -1;
    }
    *out = tmp;
    return 0;
}

int instrument_load_default(struct instrument *out, duet_err *e)
{
    return instrument_parse(instrument_default_json, strlen(instrument_default_json),
                            "partnership-checkin.json", out, e);
}

void instrument_free(struct instrument *ins)
{
    if (ins == NULL)
        return;
    for (size_t i = 0; i < ins->nconstructs && ins->constructs != NULL; i++) {
        free(ins->constructs[i].name);
        free(ins->constructs[i].label);
        free(ins->constructs[i].description);
    }
    for (size_t i = 0; i < ins->nitems && ins->items != NULL; i++) {
        free(ins->items[i].name);
        free(ins->items[i].construct);
        free(ins->items[i].text);
        free(ins->items[i].labels_json);
    }
    free(ins->constructs);
    free(ins->items);
    free(ins->name);
    free(ins->title);
    free(ins->description);
    memset(ins, 0, sizeof *ins);
}

const char *instrument_item_type_name(enum item_type t)
{
    switch (t) {
    case ITEM_SCALE:  return "scale";
    case ITEM_LADDER: return "ladder";
    case ITEM_TEXT:   return "text";
    case ITEM_LIST:   return "list";
    }
    return "unknown";
}

const struct instrument_item *instrument_find_item(const struct instrument *ins,
                                                   const char *name)
{
    for (size_t i = 0; i < ins->nitems; i++)
        if (strcmp(ins->items[i].name, name) == 0)
            return &ins->items[i];
    return NULL;
}

const struct instrument_construct *
instrument_find_construct(const struct instrument *ins, const char *name)
{
    for (size_t i = 0; i < ins->nconstructs; i++)
        if (ins->constructs[i].name != NULL && strcmp(ins->constructs[i].name, name) == 0)
            return &ins->constructs[i];
    return NULL;
}

size_t instrument_construct_nitems(const struct instrument *ins, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < ins->nitems; i++)
        if (ins->items[i].construct != NULL && strcmp(ins->items[i].construct, name) == 0)
            n++;
    return n;
}

/* json_object_set_new that tolerates a NULL value (reported as failure). */
static int put(json_t *obj, const char *key, json_t *v)
{
    if (v == NULL)
        return -1;
    return json_object_set_new(obj, key, v);
}

static json_t *item_to_json(const struct instrument_item *it)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int rc = put(o, "name", json_string(it->name));
    rc |= put(o, "type", json_string(instrument_item_type_name(it->type)));
    rc |= put(o, "text", json_string(it->text));
    if (it->construct != NULL)
        rc |= put(o, "construct", json_string(it->construct));
    switch (it->type) {
    case ITEM_SCALE:
    case ITEM_LADDER:
        rc |= put(o, "min", json_integer(it->min));
        rc |= put(o, "max", json_integer(it->max));
        if (it->type == ITEM_SCALE)
            rc |= put(o, "reverse", json_boolean(it->reverse));
        if (it->labels_json != NULL)
            rc |= put(o, "labels", json_loads(it->labels_json, 0, NULL));
        break;
    case ITEM_TEXT:
        rc |= put(o, "max_length", json_integer(it->max_length));
        break;
    case ITEM_LIST:
        rc |= put(o, "max_entries", json_integer(it->max_entries));
        break;
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *instrument_to_json(const struct instrument *ins)
{
    json_t *root = json_object();
    json_t *cons = json_array();
    json_t *items = json_array();
    int rc = (root == NULL || cons == NULL || items == NULL) ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < ins->nconstructs; i++) {
        const struct instrument_construct *k = &ins->constructs[i];
        json_t *o = json_object();
        if (o == NULL) {
            rc = -1;
            break;
        }
        rc |= put(o, "name", json_string(k->name));
        rc |= put(o, "label", json_string(k->label));
        if (k->description != NULL)
            rc |= put(o, "description", json_string(k->description));
        rc |= put(o, "bipolar", json_boolean(k->bipolar));
        rc |= json_array_append_new(cons, o);
    }
    for (size_t i = 0; rc == 0 && i < ins->nitems; i++) {
        json_t *o = item_to_json(&ins->items[i]);
        rc |= o == NULL ? -1 : json_array_append_new(items, o);
    }
    char *text = NULL;
    if (rc == 0) {
        rc |= put(root, "format", json_string(INSTRUMENT_FORMAT));
        rc |= put(root, "name", json_string(ins->name));
        rc |= put(root, "version", json_integer(ins->version));
        rc |= put(root, "title", json_string(ins->title));
        if (ins->description != NULL)
            rc |= put(root, "description", json_string(ins->description));
        rc |= json_object_set(root, "constructs", cons);
        rc |= json_object_set(root, "items", items);
    }
    if (rc == 0)
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(cons);
    json_decref(items);
    json_decref(root);
    if (text == NULL)
        return NULL;
    size_t n = strlen(text);
    char *withnl = realloc(text, n + 2);
    if (withnl == NULL) {
        free(text);
        return NULL;
    }
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    return withnl;
}

/* ------------------------------------------------------------------ */
/* answers                                                             */

static int check_number(const struct instrument_item *it, const char *value,
                        size_t len, double *num, duet_err *e)
{
    size_t a = 0, b = len;
    while (a < b && (value[a] == ' ' || value[a] == '\t'))
        a++;
    while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t'))
        b--;
    const char *s = value + a;
    size_t n = b - a;
    char q[64];
    jr_quote_safe(s, n, q, sizeof q);
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i == n)
        return duet_errf(e, DUET_EINPUT, "'%s' is not a whole number", q);
    long long x = 0;
    for (size_t k = i; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return duet_errf(e, DUET_EINPUT, "'%s' is not a whole number", q);
        if (x < 1000000000LL)
            x = x * 10 + (s[k] - '0');
    }
    if (s[0] == '-')
        x = -x;
    const char *what = it->type == ITEM_LADDER ? "ladder" : "scale";
    if (x < it->min || x > it->max)
        return duet_errf(e, DUET_EINPUT, "%s is outside the %s %d..%d", q, what,
                         it->min, it->max);
    if (num != NULL)
        *num = (double)x;
    return 0;
}

/* Checks s[0..n) for control characters other than those in allowed. */
static int find_control(const char *s, size_t n, const char *allowed, size_t *at)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 || ch == 0x7f) && (ch == 0 || strchr(allowed, ch) == NULL)) {
            *at = i;
            return 1;
        }
    }
    return 0;
}

int instrument_check_value(const struct instrument_item *it, const char *value,
                           size_t len, double *num, duet_err *e)
{
    if (value == NULL)
        len = 0;
    size_t bad = utf8_invalid_at(value, len);
    if (bad != (size_t)-1)
        return duet_errf(e, DUET_EINPUT, "invalid UTF-8 at byte %zu", bad + 1);
    size_t at;
    switch (it->type) {
    case ITEM_SCALE:
    case ITEM_LADDER:
        return check_number(it, value != NULL ? value : "", len, num, e);
    case ITEM_TEXT: {
        size_t chars = utf8_codepoints(value, len);
        if (chars > (size_t)it->max_length)
            return duet_errf(e, DUET_EINPUT, "%zu characters; the limit is %d",
                             chars, it->max_length);
        if (find_control(value, len, "\t\n\r", &at))
            return duet_errf(e, DUET_EINPUT, "control character U+%04X at "
                             "character %zu is not allowed",
                             (unsigned char)value[at], utf8_codepoints(value, at) + 1);
        return 0;
    }
    case ITEM_LIST: {
        if (len == 0)
            return 0;
        size_t nentries = 1;
        for (size_t i = 0; i < len; i++)
            nentries += value[i] == '\n';
        if (nentries > (size_t)it->max_entries)
            return duet_errf(e, DUET_EINPUT, "%zu entries; the limit is %d",
                             nentries, it->max_entries);
        size_t start = 0, entry = 0;
        for (;;) {
            const char *nl = memchr(value + start, '\n', len - start);
            size_t end = nl != NULL ? (size_t)(nl - value) : len;
            entry++;
            const char *s = value + start;
            size_t n = end - start;
            if (n == 0)
                return duet_errf(e, DUET_EINPUT, "entry %zu is empty", entry);
            size_t chars = utf8_codepoints(s, n);
            if (chars > INSTRUMENT_ENTRY_MAX)
                return duet_errf(e, DUET_EINPUT, "entry %zu has %zu characters; "
                                 "the limit is %d", entry, chars, INSTRUMENT_ENTRY_MAX);
            if (find_control(s, n, "\t", &at))
                return duet_errf(e, DUET_EINPUT, "entry %zu: control character "
                                 "U+%04X is not allowed", entry, (unsigned char)s[at]);
            if (nl == NULL)
                return 0;
            start = end + 1;
        }
    }
    }
    return duet_errf(e, DUET_EINTERNAL, "unknown item type %d", (int)it->type);
}

double instrument_scored_value(const struct instrument_item *it, double raw)
{
    if (it->type == ITEM_SCALE && it->reverse)
        return (double)it->min + (double)it->max - raw;
    return raw;
}

double instrument_item_midpoint(const struct instrument_item *it)
{
    return ((double)it->min + (double)it->max) / 2.0;
}
