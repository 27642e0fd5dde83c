/*
** ingest.c — resolve, validate, group and write check-in answers.
*/
#include "app/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/strmap.h"
#include "io/instrument.h"
#include "store/store.h"

struct item_info { struct store_item it; };
struct part_info { int64_t id, cohort_id; };
struct answer {
    int64_t item_id;
    size_t checkin;      /* index into g->checkins */
    size_t line;
    int has_num;
    double num;
    char *text;          /* owned */
    size_t text_len;
};
struct checkin {
    int64_t person_id, partnership_id, module_id, instrument_id;
    size_t line;         /* first line that mentions it */
    char *person, *partnership;   /* owned: names for messages */
    int module;
    size_t first, n;     /* its answers, after grouping */
};

struct ingest {
    struct store *st;
    strmap cohorts, parts, persons, items, modules, members, groups;
    int64_t *cohort_ids;      size_t ncohort, capcohort;
    struct part_info *partv;  size_t npart, cappart;
    int64_t *person_ids;      size_t nperson, capperson;
    struct item_info *itemv;  size_t nitem, capitem;
    int64_t *module_ids;      size_t nmodule, capmodule;
    struct answer *answers;   size_t nanswers, capanswers;
    struct checkin *checkins; size_t ncheckins, capcheckins;
    const char *source;       /* borrowed: file name for messages, or NULL */
    /* The previous answer's check-in: rows of one check-in usually follow each
    ** other, and then only the item and the value need resolving. */
    struct {
        int valid;
        duet_buf key;         /* cohort \0 module \0 partnership \0 person */
        struct part_info part;
        int64_t person_id, module_id;
        size_t checkin;
    } last;
};

/* The bytes that identify an answer's check-in, for comparison with the last. */
static int where_key(duet_buf *b, const struct ingest_answer *a)
{
    buf_reset(b);
    return buf_append(b, a->cohort ? a->cohort : "", a->cohort ? a->cohort_len : 0) ||
           buf_putc(b, '\0') || buf_append(b, a->module, a->module_len) ||
           buf_putc(b, '\0') || buf_append(b, a->partnership, a->partnership_len) ||
           buf_putc(b, '\0') || buf_append(b, a->person, a->person_len);
}

static int same_checkin(const struct ingest *g, const struct ingest_answer *a)
{
    if (!g->last.valid)
        return 0;
    const char *k = g->last.key.data;
    size_t n = g->last.key.len, off = 0;
    const char *parts[4] = {a->cohort ? a->cohort : "", a->module, a->partnership, a->person};
    size_t lens[4] = {a->cohort ? a->cohort_len : 0, a->module_len, a->partnership_len,
                      a->person_len};
    for (int i = 0; i < 4; i++) {
        if (off + lens[i] > n || memcmp(k + off, parts[i], lens[i]) != 0)
            return 0;
        off += lens[i];
        if (i < 3 && (off >= n || k[off] != '\0'))
            return 0;
        off += i < 3;
    }
    return off == n;
}

void ingest_set_source(struct ingest *g, const char *source) { g->source = source; }

const char *ingest_field_name(enum ingest_field f)
{
    static const char *const names[] = {"cohort", "module", "partnership", "person", "item",
                                        "value"};
    return names[f];
}

struct ingest *ingest_new(struct store *st)
{
    struct ingest *g = calloc(1, sizeof *g);
    if (g) {
        g->st = st;
        buf_init(&g->last.key, 4 * 65536 + 4);
    }
    return g;
}

void ingest_free(struct ingest *g)
{
    if (g == NULL)
        return;
    strmap *maps[] = {&g->cohorts, &g->parts, &g->persons, &g->items, &g->modules,
                      &g->members, &g->groups};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        strmap_free(maps[i]);
    for (size_t i = 0; i < g->nanswers; i++)
        free(g->answers[i].text);
    for (size_t i = 0; i < g->ncheckins; i++) {
        free(g->checkins[i].person);
        free(g->checkins[i].partnership);
    }
    free(g->cohort_ids);
    free(g->partv);
    free(g->person_ids);
    free(g->itemv);
    free(g->module_ids);
    free(g->answers);
    free(g->checkins);
    buf_free(&g->last.key);
    free(g);
}

/* Makes room for one more element in a growable array. */
static int reserve(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*v, c * size);
    if (p == NULL)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}
#define RESERVE(arr, n, cap) reserve((void **)&(arr), &(cap), (n), sizeof *(arr))

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int oom(duet_err *e) { return duet_errf(e, DUET_EINTERNAL, "out of memory"); }

/* Looks a name up in map; on a miss asks the store via fn and caches. */
static int cached_name(struct ingest *g, strmap *map, const char *s, size_t n, size_t *idx,
                       int (*fetch)(struct ingest *, const char *, size_t *, duet_err *),
                       duet_err *e)
{
    if (strmap_get(map, s, n, idx))
        return 0;
    char *name = dupn(s, n);
    if (name == NULL)
        return oom(e);
    int rc = fetch(g, name, idx, e);
    free(name);
    if (rc == 0 && strmap_put(map, s, n, *idx) != 0)
        return oom(e);
    return rc;
}

static int fetch_cohort(struct ingest *g, const char *name, size_t *idx, duet_err *e)
{
    int64_t id;
    if (store_cohort_id(g->st, name, &id, e) != 0 || RESERVE(g->cohort_ids, g->ncohort, g->capcohort))
        return e->code ? -1 : oom(e);
    g->cohort_ids[g->ncohort] = id;
    *idx = g->ncohort++;
    return 0;
}

static int fetch_part(struct ingest *g, const char *code, size_t *idx, duet_err *e)
{
    struct part_info p;
    if (store_partnership_id(g->st, code, &p.id, &p.cohort_id, e) != 0 ||
        RESERVE(g->partv, g->npart, g->cappart))
        return e->code ? -1 : oom(e);
    g->partv[g->npart] = p;
    *idx = g->npart++;
    return 0;
}

static int fetch_person(struct ingest *g, const char *key, size_t *idx, duet_err *e)
{
    int64_t id;
    if (store_person_id(g->st, key, &id, e) != 0 || RESERVE(g->person_ids, g->nperson, g->capperson))
        return e->code ? -1 : oom(e);
    g->person_ids[g->nperson] = id;
    *idx = g->nperson++;
    return 0;
}

static int fetch_item(struct ingest *g, const char *name, size_t *idx, duet_err *e)
{
    struct store_item it;
    if (store_item_get(g->st, name, &it, e) != 0 || RESERVE(g->itemv, g->nitem, g->capitem))
        return e->code ? -1 : oom(e);
    g->itemv[g->nitem].it = it;
    *idx = g->nitem++;
    return 0;
}

static int parse_module(const char *s, size_t n, int *out)
{
    if (n == 0 || n > 4)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return v >= 1 ? 0 : -1;
}

int ingest_add(struct ingest *g, const struct ingest_answer *a, enum ingest_field *field,
               duet_err *e)
{
    duet_err_clear(e);
    size_t pi, qi, ii, ci = 0;
    char key[96];
    int n = 0, ordinal = 0;
    struct part_info part;
    int64_t module_id, person_id;
    int same = same_checkin(g, a);
    if (same) {
        part = g->last.part;
        module_id = g->last.module_id;
        person_id = g->last.person_id;
        goto item;
    }

    *field = INGEST_PARTNERSHIP;
    if (cached_name(g, &g->parts, a->partnership, a->partnership_len, &pi, fetch_part, e) != 0)
        return -1;
    part = g->partv[pi];

    if (a->cohort) {
        *field = INGEST_COHORT;
        if (cached_name(g, &g->cohorts, a->cohort, a->cohort_len, &ci, fetch_cohort, e) != 0)
            return -1;
        if (g->cohort_ids[ci] != part.cohort_id)
            return duet_errf(e, DUET_EINPUT, "partnership '%.*s' is not in cohort '%.*s'",
                             (int)a->partnership_len, a->partnership, (int)a->cohort_len,
                             a->cohort);
    }

    *field = INGEST_MODULE;
    if (parse_module(a->module, a->module_len, &ordinal) != 0)
        return duet_errf(e, DUET_EINPUT, "'%.*s' is not a module number (1, 2, ...)",
                         (int)(a->module_len > 40 ? 40 : a->module_len), a->module);
    size_t mi;
    n = snprintf(key, sizeof key, "%lld:%d", (long long)part.cohort_id, ordinal);
    if (!strmap_get(&g->modules, key, (size_t)n, &mi)) {
        int64_t mid;
        if (store_module_id(g->st, part.cohort_id, ordinal, &mid, e) != 0)
            return duet_errf(e, DUET_EINPUT, "module %d does not exist in the cohort of "
                             "partnership '%.*s'", ordinal, (int)a->partnership_len,
                             a->partnership);
        if (RESERVE(g->module_ids, g->nmodule, g->capmodule) ||
            strmap_put(&g->modules, key, (size_t)n, g->nmodule) != 0)
            return oom(e);
        g->module_ids[g->nmodule] = mid;
        mi = g->nmodule++;
    }
    module_id = g->module_ids[mi];

    *field = INGEST_PERSON;
    if (cached_name(g, &g->persons, a->person, a->person_len, &qi, fetch_person, e) != 0)
        return -1;
    person_id = g->person_ids[qi];
    n = snprintf(key, sizeof key, "%lld:%lld", (long long)part.id, (long long)person_id);
    size_t dummy;
    if (!strmap_get(&g->members, key, (size_t)n, &dummy)) {
        const char *side;
        duet_err ignored;
        if (store_member_side(g->st, part.id, person_id, &side, &ignored) != 0)
            return duet_errf(e, DUET_EINPUT, "person '%.*s' is not a member of partnership '%.*s'",
                             (int)a->person_len, a->person, (int)a->partnership_len,
                             a->partnership);
        if (strmap_put(&g->members, key, (size_t)n, 1) != 0)
            return oom(e);
    }

item:
    *field = INGEST_ITEM;
    if (cached_name(g, &g->items, a->item, a->item_len, &ii, fetch_item, e) != 0)
        return -1;
    const struct store_item *it = &g->itemv[ii].it;

    *field = INGEST_VALUE;
    struct answer ans = {.item_id = it->id, .line = a->line};
    if (a->value_len == 0)
        return duet_errf(e, DUET_EINPUT, "the value is empty; leave out the row of an "
                         "unanswered item");
    struct instrument_item check = {.min = it->min, .max = it->max,
                                    .max_length = it->max_length,
                                    .max_entries = it->max_entries};
    if (strcmp(it->type, "scale") == 0)
        check.type = ITEM_SCALE;
    else if (strcmp(it->type, "ladder") == 0)
        check.type = ITEM_LADDER;
    else if (strcmp(it->type, "text") == 0)
        check.type = ITEM_TEXT;
    else
        check.type = ITEM_LIST;
    if (instrument_check_value(&check, a->value, a->value_len, &ans.num, e) != 0)
        return -1;
    if (check.type == ITEM_SCALE || check.type == ITEM_LADDER) {
        ans.has_num = 1;
    } else {
        ans.text = dupn(a->value, a->value_len);
        ans.text_len = a->value_len;
        if (ans.text == NULL)
            return oom(e);
    }

    /* Group answers into check-ins: one per person, partnership and module. */
    size_t k = g->last.checkin;
    if (!same)
        n = snprintf(key, sizeof key, "%lld:%lld:%lld", (long long)person_id, (long long)part.id,
                     (long long)module_id);
    if (!same && !strmap_get(&g->groups, key, (size_t)n, &k)) {
        if (RESERVE(g->checkins, g->ncheckins, g->capcheckins) ||
            strmap_put(&g->groups, key, (size_t)n, g->ncheckins) != 0) {
            free(ans.text);
            return oom(e);
        }
        k = g->ncheckins++;
        g->checkins[k] = (struct checkin){.person_id = person_id, .partnership_id = part.id,
                                          .module_id = module_id,
                                          .instrument_id = it->instrument_id, .line = a->line,
                                          .person = dupn(a->person, a->person_len),
                                          .partnership = dupn(a->partnership, a->partnership_len),
                                          .module = ordinal};
        if (g->checkins[k].person == NULL || g->checkins[k].partnership == NULL) {
            free(ans.text);
            return oom(e);
        }
    } else if (g->checkins[k].instrument_id != it->instrument_id) {
        free(ans.text);
        *field = INGEST_ITEM;
        return duet_errf(e, DUET_EINPUT, "item '%.*s' belongs to another instrument than the "
                         "other answers of this check-in", (int)a->item_len, a->item);
    }
    ans.checkin = k;
    if (RESERVE(g->answers, g->nanswers, g->capanswers)) {
        free(ans.text);
        return oom(e);
    }
    g->answers[g->nanswers++] = ans;
    if (!same) {
        g->last.valid = where_key(&g->last.key, a) == 0;
        g->last.part = part;
        g->last.person_id = person_id;
        g->last.module_id = module_id;
        g->last.checkin = k;
    }
    return 0;
}

static int by_checkin_item(const void *pa, const void *pb)
{
    const struct answer *a = pa, *b = pb;
    if (a->checkin != b->checkin)
        return a->checkin < b->checkin ? -1 : 1;
    if (a->item_id != b->item_id)
        return a->item_id < b->item_id ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* "file:line: " or "line N: " or nothing, for messages about a line. */
static void where(const struct ingest *g, char *out, size_t n, size_t line)
{
    if (line && g->source)
        snprintf(out, n, "%s:%zu: ", g->source, line);
    else if (line)
        snprintf(out, n, "line %zu: ", line);
    else
        out[0] = '\0';
}

int ingest_commit(struct ingest *g, size_t *ncheckins, size_t *nanswers, duet_err *e)
{
    char at[512];
    qsort(g->answers, g->nanswers, sizeof *g->answers, by_checkin_item);
    for (size_t i = 0; i < g->nanswers; i++) {
        struct answer *a = &g->answers[i];
        struct checkin *c = &g->checkins[a->checkin];
        if (i == 0 || g->answers[i - 1].checkin != a->checkin) {
            c->first = i;
            c->n = 0;
        } else if (g->answers[i - 1].item_id == a->item_id) {
            where(g, at, sizeof at, a->line);
            if (a->line == 0)
                return duet_errf(e, DUET_EINPUT, "the same item is answered twice in one check-in");
            return duet_errf(e, DUET_EINPUT, "%sthe same item is answered twice in one check-in "
                             "(first on line %zu)", at, g->answers[i - 1].line);
        }
        c->n++;
    }
    struct store_answer *sa = malloc((g->nanswers ? g->nanswers : 1) * sizeof *sa);
    struct store_checkin *sc = malloc((g->ncheckins ? g->ncheckins : 1) * sizeof *sc);
    if (sa == NULL || sc == NULL) {
        free(sa);
        free(sc);
        return oom(e);
    }
    int rc = 0;
    for (size_t i = 0; i < g->ncheckins && rc == 0; i++) {
        const struct checkin *c = &g->checkins[i];
        int exists = 0;
        rc = store_checkin_exists(g->st, c->person_id, c->partnership_id, c->module_id,
                                  &exists, e);
        if (rc == 0 && exists) {
            where(g, at, sizeof at, c->line);
            rc = duet_errf(e, DUET_ECONFLICT, "%sa duplicate check-in: person '%s' already has "
                           "a check-in for partnership '%s' at module %d", at, c->person,
                           c->partnership, c->module);
        }
        sc[i] = (struct store_checkin){c->person_id, c->partnership_id, c->module_id,
                                       c->instrument_id, c->n, sa + c->first};
    }
    for (size_t i = 0; i < g->nanswers; i++) {
        const struct answer *a = &g->answers[i];
        sa[i] = (struct store_answer){a->item_id, a->has_num, a->num, a->text, a->text_len};
    }
    if (rc == 0)
        rc = store_checkins_insert(g->st, sc, g->ncheckins, e);
    free(sa);
    free(sc);
    if (rc == 0) {
        if (ncheckins)
            *ncheckins = g->ncheckins;
        if (nanswers)
            *nanswers = g->nanswers;
    }
    return rc;
}
