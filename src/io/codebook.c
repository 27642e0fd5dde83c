/*
** codebook.c — parsing, validation and canonical output of
** "duet-codebook/1" JSON (format: docs/coding.md), and the rules every
** codebook obeys whichever reader built it (codebook_check).
**
** Keys are checked against an allow-list and values against type and bounds
** before anything is kept; a failed parse frees what it built and leaves the
** caller's struct alone. Nothing here prints or exits.
*/
#include "io/codebook.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "io/jsonread.h"

_Static_assert(JR_NAME_MAX == 48, "codebook names are read by jr_get_name");

/* ------------------------------------------------------------------ */
/* GUIDs                                                               */

static int hexdigit(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

int codebook_valid_guid(const char *s)
{
    size_t n = strlen(s);
    if (n == CODEBOOK_GUID_LEN + 2 && s[0] == '{' && s[n - 1] == '}') {
        s++;
        n -= 2;
    }
    if (n != CODEBOOK_GUID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !hexdigit(s[i]))
            return 0;
    }
    return 1;
}

void codebook_canonical_guid(const char *s, char out[CODEBOOK_GUID_LEN + 1])
{
    if (s[0] == '{')
        s++;
    for (size_t i = 0; i < CODEBOOK_GUID_LEN; i++) {
        char ch = s[i];
        out[i] = (ch >= 'A' && ch <= 'F') ? (char)(ch - 'A' + 'a') : ch;
    }
    out[CODEBOOK_GUID_LEN] = '\0';
}

void codebook_new_guid(char out[CODEBOOK_GUID_LEN + 1])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got < sizeof b) {   /* no kernel randomness: still unique enough per run */
        unsigned long long t = (unsigned long long)time(NULL) ^ (unsigned long long)(size_t)out;
        for (size_t i = got; i < sizeof b; i++, t = t * 6364136223846793005ULL + 1442695040888963407ULL)
            b[i] = (unsigned char)(t >> 56);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    snprintf(out, CODEBOOK_GUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* ------------------------------------------------------------------ */
/* building and freeing                                                */

struct codebook_code *codebook_append(struct codebook *cb)
{
    if (cb->ncodes >= CODEBOOK_MAX_CODES)
        return NULL;
    struct codebook_code *c = realloc(cb->codes, (cb->ncodes + 1) * sizeof *c);
    if (c == NULL)
        return NULL;
    cb->codes = c;
    c = &cb->codes[cb->ncodes++];
    memset(c, 0, sizeof *c);
    c->parent = -1;
    return c;
}

static void code_free(struct codebook_code *c)
{
    free(c->guid);
    free(c->name);
    free(c->definition);
    free(c->when_to_use);
    free(c->when_not_to_use);
    free(c->example);
    free(c->colour);
}

void codebook_free(struct codebook *cb)
{
    if (cb == NULL)
        return;
    for (size_t i = 0; i < cb->ncodes && cb->codes != NULL; i++)
        code_free(&cb->codes[i]);
    free(cb->codes);
    free(cb->name);
    memset(cb, 0, sizeof *cb);
}

/* ------------------------------------------------------------------ */
/* the rules                                                           */

static int valid_colour(const char *s)
{
    if (s[0] != '#' || strlen(s) != 7)
        return 0;
    for (size_t i = 1; i < 7; i++)
        if (!hexdigit(s[i]))
            return 0;
    return 1;
}

int codebook_check(const struct codebook *cb, const char *source, duet_err *e)
{
    struct jr_ctx c = {source != NULL ? source : "codebook", e};
    if (cb->name == NULL || !jr_valid_name(cb->name, strlen(cb->name), 1))
        return jr_fail(&c, "name", "not a valid codebook name (lower-case letters, digits, '_' "
                       "or '-', starting with a letter, at most %d characters)", JR_NAME_MAX);
    if (cb->version < 1 || cb->version > CODEBOOK_MAX_VERSION)
        return jr_fail(&c, "version", "%d is outside 1..%d", cb->version, CODEBOOK_MAX_VERSION);
    if (cb->ncodes == 0)
        return jr_fail(&c, NULL, "the codebook has no codes");
    if (cb->ncodes > CODEBOOK_MAX_CODES)
        return jr_fail(&c, NULL, "%zu codes; the limit is %d", cb->ncodes, CODEBOOK_MAX_CODES);
    for (size_t i = 0; i < cb->ncodes; i++) {
        const struct codebook_code *k = &cb->codes[i];
        char p[JR_PATH_MAX], q[64];
        if (k->name == NULL)
            return jr_fail(&c, NULL, "code %zu has no name", i + 1);
        jr_quote_safe(k->name, strlen(k->name), q, sizeof q);
        snprintf(p, sizeof p, "code '%s'", q);
        if (jr_check_text(&c, p, k->name, strlen(k->name), JR_ONE_LINE,
                          CODEBOOK_CODE_NAME_MAX) != 0)
            return -1;
        if (k->name[0] == '\0')
            return jr_fail(&c, NULL, "code %zu has an empty name", i + 1);
        if (k->guid == NULL || !codebook_valid_guid(k->guid) || k->guid[0] == '{' ||
            strspn(k->guid, "0123456789abcdef-") != CODEBOOK_GUID_LEN)
            return jr_fail(&c, p, "the guid is not a lower-case UUID "
                           "(8-4-4-4-12 hexadecimal digits)");
        struct { const char *v; const char *what; enum jr_textkind kind; } t[] = {
            {k->definition, "definition", JR_MULTI_LINE},
            {k->when_to_use, "when to use", JR_ONE_LINE},
            {k->when_not_to_use, "when not to use", JR_ONE_LINE},
            {k->example, "example", JR_ONE_LINE}};
        for (size_t j = 0; j < sizeof t / sizeof t[0]; j++) {
            if (t[j].v == NULL)
                continue;
            char pp[JR_PATH_MAX];
            snprintf(pp, sizeof pp, "%s: %s", p, t[j].what);
            if (t[j].v[0] == '\0')
                return jr_fail(&c, pp, "empty (leave it out instead)");
            if (jr_check_text(&c, pp, t[j].v, strlen(t[j].v), t[j].kind, CODEBOOK_TEXT_MAX) != 0)
                return -1;
        }
        static const char *const later[] = {CODEBOOK_LABEL_USE, CODEBOOK_LABEL_NOT,
                                            CODEBOOK_LABEL_EXAMPLE};
        int labelled = k->definition && (k->when_to_use || k->when_not_to_use || k->example ||
                                         strncmp(k->definition, CODEBOOK_LABEL_DEFINITION,
                                                 strlen(CODEBOOK_LABEL_DEFINITION)) == 0);
        for (size_t j = 0; k->definition && j < 3; j++)
            labelled |= strncmp(k->definition, later[j], strlen(later[j])) == 0;
        if (labelled) {
            for (const char *l = strchr(k->definition, '\n'); l; l = strchr(l + 1, '\n'))
                for (size_t j = 0; j < 3; j++)
                    if (strncmp(l + 1, later[j], strlen(later[j])) == 0)
                        return jr_fail(&c, p, "a line of the definition starts with '%s', "
                                       "which reads as that field's label when the codebook "
                                       "is exchanged; reword the line", later[j]);
        }
        if (k->colour != NULL && (!valid_colour(k->colour) ||
                                  strpbrk(k->colour, "abcdef") != NULL))
            return jr_fail(&c, p, "colour '%.16s' is not #RRGGBB (six upper-case hexadecimal "
                           "digits)", k->colour);
        if (k->parent >= (long)i || k->parent < -1)
            return jr_fail(&c, p, "its parent does not come before it");
        size_t depth = k->parent < 0 ? 0 : cb->codes[k->parent].depth + 1;
        if (depth != k->depth)
            return jr_fail(&c, p, "its depth does not match its parent");
        if (depth >= CODEBOOK_MAX_DEPTH)
            return jr_fail(&c, p, "codes nest at most %d levels deep", CODEBOOK_MAX_DEPTH);
        for (size_t j = 0; j < i; j++) {
            const struct codebook_code *o = &cb->codes[j];
            if (strcmp(o->guid, k->guid) == 0)
                return jr_fail(&c, p, "guid %s is also the guid of code %zu", k->guid, j + 1);
            if (o->parent == k->parent && strcmp(o->name, k->name) == 0)
                return jr_fail(&c, p, "two codes with this name under the same parent");
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static int parse_code(struct jr_ctx *c, json_t *v, const char *path, long parent, size_t depth,
                      size_t position, struct codebook *cb)
{
    static const char *const keys[] = {"guid", "name", "definition", "when_to_use",
                                       "when_not_to_use", "example", "colour", "children", NULL};
    if (!json_is_object(v))
        return jr_fail(c, path, "expected an object, found %s", jr_kind(v));
    if (jr_check_keys(c, v, path, keys) != 0)
        return -1;
    if (depth >= CODEBOOK_MAX_DEPTH)
        return jr_fail(c, path, "codes nest at most %d levels deep", CODEBOOK_MAX_DEPTH);
    struct codebook_code *k = codebook_append(cb);
    if (k == NULL)
        return cb->ncodes >= CODEBOOK_MAX_CODES
                   ? jr_fail(c, path, "more than %d codes", CODEBOOK_MAX_CODES)
                   : jr_oom(c);
    long self = (long)cb->ncodes - 1;
    k->parent = parent;
    k->depth = depth;
    k->position = position;
    if (jr_get_string(c, v, path, "name", 1, JR_ONE_LINE, CODEBOOK_CODE_NAME_MAX, &k->name) != 0 ||
        jr_get_string(c, v, path, "definition", 0, JR_MULTI_LINE, CODEBOOK_TEXT_MAX,
                      &k->definition) != 0 ||
        jr_get_string(c, v, path, "when_to_use", 0, JR_ONE_LINE, CODEBOOK_TEXT_MAX,
                      &k->when_to_use) != 0 ||
        jr_get_string(c, v, path, "when_not_to_use", 0, JR_ONE_LINE, CODEBOOK_TEXT_MAX,
                      &k->when_not_to_use) != 0 ||
        jr_get_string(c, v, path, "example", 0, JR_ONE_LINE, CODEBOOK_TEXT_MAX, &k->example) != 0 ||
        jr_get_string(c, v, path, "colour", 0, JR_ONE_LINE, 7, &k->colour) != 0 ||
        jr_get_string(c, v, path, "guid", 0, JR_ONE_LINE, CODEBOOK_GUID_LEN + 2, &k->guid) != 0)
        return -1;
    char p[JR_PATH_MAX];
    if (k->colour != NULL) {
        if (!valid_colour(k->colour)) {
            jr_subpath(p, sizeof p, path, "colour");
            return jr_fail(c, p, "'%s' is not a colour #RRGGBB (e.g. \"#1F77B4\")", k->colour);
        }
        for (char *s = k->colour; *s; s++)
            if (*s >= 'a' && *s <= 'f')
                *s = (char)(*s - 'a' + 'A');
    }
    char g[CODEBOOK_GUID_LEN + 1];
    if (k->guid != NULL) {
        if (!codebook_valid_guid(k->guid)) {
            jr_subpath(p, sizeof p, path, "guid");
            return jr_fail(c, p, "'%s' is not a UUID (8-4-4-4-12 hexadecimal digits); leave it "
                           "out and duet makes one", k->guid);
        }
        codebook_canonical_guid(k->guid, g);
    } else {
        codebook_new_guid(g);
    }
    free(k->guid);
    k->guid = strdup(g);
    if (k->guid == NULL)
        return jr_oom(c);
    json_t *ch = json_object_get(v, "children");
    if (ch == NULL)
        return 0;
    jr_subpath(p, sizeof p, path, "children");
    if (!json_is_array(ch))
        return jr_fail(c, p, "expected an array, found %s", jr_kind(ch));
    for (size_t i = 0; i < json_array_size(ch); i++) {
        char q[JR_PATH_MAX];
        snprintf(q, sizeof q, "%s[%zu]", p, i);
        if (parse_code(c, json_array_get(ch, i), q, self, depth + 1, i, cb) != 0)
            return -1;
    }
    return 0;
}

static int parse_root(struct jr_ctx *c, json_t *root, struct codebook *cb)
{
    static const char *const keys[] = {"format", "name", "version", "codes", NULL};
    if (!json_is_object(root))
        return jr_fail(c, NULL, "the top level must be a JSON object, not %s", jr_kind(root));
    json_t *fmt = json_object_get(root, "format");
    if (fmt == NULL)
        return jr_fail(c, NULL, "missing 'format' (expected \"%s\")", CODEBOOK_FORMAT);
    if (!json_is_string(fmt))
        return jr_fail(c, "format", "expected a string, found %s", jr_kind(fmt));
    if (strcmp(json_string_value(fmt), CODEBOOK_FORMAT) != 0) {
        char q[64];
        jr_quote_safe(json_string_value(fmt), json_string_length(fmt), q, sizeof q);
        return jr_fail(c, "format", "'%s' is not supported; expected '%s'", q, CODEBOOK_FORMAT);
    }
    if (jr_check_keys(c, root, "", keys) != 0 ||
        jr_get_name(c, root, "", "name", 1, 1, &cb->name) != 0 ||
        jr_get_int(c, root, "", "version", 1, 1, CODEBOOK_MAX_VERSION, &cb->version, NULL) != 0)
        return -1;
    json_t *codes = json_object_get(root, "codes");
    if (codes == NULL)
        return jr_fail(c, NULL, "missing 'codes'");
    if (!json_is_array(codes))
        return jr_fail(c, "codes", "expected an array, found %s", jr_kind(codes));
    if (json_array_size(codes) == 0)
        return jr_fail(c, "codes", "a codebook needs at least one code");
    for (size_t i = 0; i < json_array_size(codes); i++) {
        char p[JR_PATH_MAX];
        snprintf(p, sizeof p, "codes[%zu]", i);
        if (parse_code(c, json_array_get(codes, i), p, -1, 0, i, cb) != 0)
            return -1;
    }
    return codebook_check(cb, c->src, c->e) == 0 ? 0 : -1;
}

int codebook_parse(const char *json, size_t len, const char *source, struct codebook *out,
                   duet_err *e)
{
    struct jr_ctx c = {source != NULL ? source : "codebook", e};
    json_t *root = jr_load(&c, json, len, CODEBOOK_MAX_BYTES, "a codebook");
    if (root == NULL)
        return -1;
    struct codebook tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = parse_root(&c, root, &tmp);
    json_decref(root);
    if (rc != 0) {
        codebook_free(&tmp);
        return -1;
    }
    *out = tmp;
    return 0;
}

int codebook_load_starter(struct codebook *out, duet_err *e)
{
    return codebook_parse(codebook_starter_json, strlen(codebook_starter_json), "starter.json",
                          out, e);
}

static int put(json_t *obj, const char *key, const char *v)
{
    return v == NULL ? 0 : json_object_set_new(obj, key, json_string(v));
}

/* Code i and its subtree as a JSON object; *next is the index after it. */
static json_t *code_json(const struct codebook *cb, size_t i, size_t *next)
{
    const struct codebook_code *k = &cb->codes[i];
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int rc = put(o, "guid", k->guid) | put(o, "name", k->name) |
             put(o, "definition", k->definition) | put(o, "when_to_use", k->when_to_use) |
             put(o, "when_not_to_use", k->when_not_to_use) | put(o, "example", k->example) |
             put(o, "colour", k->colour);
    size_t j = i + 1;
    json_t *ch = NULL;
    while (rc == 0 && j < cb->ncodes && cb->codes[j].parent == (long)i) {
        if (ch == NULL && (ch = json_array()) == NULL) {
            rc = -1;
            break;
        }
        json_t *c = code_json(cb, j, &j);
        rc |= c == NULL ? -1 : json_array_append_new(ch, c);
    }
    if (ch != NULL && rc == 0)
        rc |= json_object_set_new(o, "children", ch);
    else
        json_decref(ch);
    *next = j;
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *codebook_to_json(const struct codebook *cb)
{
    json_t *root = json_object(), *codes = json_array();
    int rc = root == NULL || codes == NULL ? -1 : 0;
    if (rc == 0) {
        rc |= json_object_set_new(root, "format", json_string(CODEBOOK_FORMAT));
        rc |= json_object_set_new(root, "name", json_string(cb->name));
        rc |= json_object_set_new(root, "version", json_integer(cb->version));
    }
    size_t i = 0;
    while (rc == 0 && i < cb->ncodes) {
        json_t *c = code_json(cb, i, &i);
        rc |= c == NULL ? -1 : json_array_append_new(codes, c);
    }
    char *text = NULL;
    if (rc == 0 && json_object_set(root, "codes", codes) == 0)
        text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(codes);
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

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int codebook_equal(const struct codebook *a, const struct codebook *b)
{
    if (!same(a->name, b->name) || a->version != b->version || a->ncodes != b->ncodes)
        return 0;
    for (size_t i = 0; i < a->ncodes; i++) {
        const struct codebook_code *x = &a->codes[i], *y = &b->codes[i];
        if (!same(x->guid, y->guid) || !same(x->name, y->name) ||
            !same(x->definition, y->definition) || !same(x->when_to_use, y->when_to_use) ||
            !same(x->when_not_to_use, y->when_not_to_use) || !same(x->example, y->example) ||
            !same(x->colour, y->colour) || x->parent != y->parent ||
            x->position != y->position || x->depth != y->depth)
            return 0;
    }
    return 1;
}
