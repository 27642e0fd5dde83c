/*
** checkin.c — checking, saving and submitting one person's check-in (see
** checkin.h). Submitting goes through the ingest, so a check-in made on the
** web is validated and written exactly as one imported from a CSV file.
*/
#include "app/checkin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/ingest.h"
#include "core/utf8.h"
#include "io/instrument.h"
#include "store/store.h"

const struct instrument *checkin_instrument(struct store *st, duet_err *e)
{
    return store_instrument_current(st, CHECKIN_INSTRUMENT, e);
}

int checkin_item_required(const struct instrument_item *it)
{
    return it->type == ITEM_SCALE || it->type == ITEM_LADDER;
}

/* Sets errors[name] to a message, keeping the first problem of an item. */
static void problem(json_t *errors, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(json_t *errors, const char *name, const char *fmt, ...)
{
    if (json_object_get(errors, name))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object_set_new(errors, name, json_string(msg));
}

/* Copies s with CRLF and lone CR turned into LF (forms send CRLF). */
static char *lf_only(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            *o++ = '\n';
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* A scale or ladder answer: an integer, or a string holding one. 1 answered,
** 0 not answered, -1 a problem (reported). */
static int number_answer(const struct instrument_item *it, int q, json_t *v, json_t *errors,
                         json_t **canon)
{
    json_int_t x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (blank(s, n))
            return 0;
        double num;
        duet_err ignored;
        if (instrument_check_value(it, s, n, &num, &ignored) != 0)
            goto bad;
        x = (json_int_t)num;
    } else {
        goto bad;
    }
    if (x < it->min || x > it->max)
        goto bad;
    *canon = json_integer(x);
    return 1;
bad:
    problem(errors, it->name, "Question %d: the answer must be a whole number from %d to %d", q,
            it->min, it->max);
    return -1;
}

/* A text answer: a string, line breaks made LF. */
static int text_answer(const struct instrument_item *it, int q, json_t *v, json_t *errors,
                       json_t **canon)
{
    if (!json_is_string(v)) {
        problem(errors, it->name, "Question %d: the answer must be text", q);
        return -1;
    }
    if (blank(json_string_value(v), json_string_length(v)))
        return 0;
    char *s = lf_only(json_string_value(v), json_string_length(v));
    if (s == NULL)
        return -2;
    size_t n = strlen(s), chars = utf8_codepoints(s, n);
    duet_err e;
    int rc = 1;
    if (chars > (size_t)it->max_length) {
        problem(errors, it->name, "Question %d: the answer must be %d characters or fewer "
                "(it has %zu)", q, it->max_length, chars);
        rc = -1;
    } else if (instrument_check_value(it, s, n, NULL, &e) != 0) {
        problem(errors, it->name, "Question %d: %s", q, e.msg);
        rc = -1;
    } else {
        *canon = json_stringn(s, n);
    }
    free(s);
    return rc;
}

/* Appends the entry s[0..n) to list, trimmed of spaces and tabs; blank
** entries are dropped. */
static void list_entry(json_t *list, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n > 0)
        json_array_append_new(list, json_stringn(s, n));
}

/* The entries of a list answer: an array of strings, or one string with an
** entry per line. NULL when v is neither. */
static json_t *list_entries(json_t *v)
{
    json_t *list = json_array();
    if (json_is_string(v)) {
        char *s = lf_only(json_string_value(v), json_string_length(v));
        if (s == NULL) {
            json_decref(list);
            return NULL;
        }
        for (char *p = s, *nl; ; p = nl + 1) {
            nl = strchr(p, '\n');
            list_entry(list, p, nl ? (size_t)(nl - p) : strlen(p));
            if (nl == NULL)
                break;
        }
        free(s);
        return list;
    }
    size_t i;
    json_t *x;
    if (!json_is_array(v))
        goto bad;
    json_array_foreach(v, i, x) {
        if (!json_is_string(x) || memchr(json_string_value(x), '\n', json_string_length(x)) ||
            memchr(json_string_value(x), '\r', json_string_length(x)))
            goto bad;
        list_entry(list, json_string_value(x), json_string_length(x));
    }
    return list;
bad:
    json_decref(list);
    return NULL;
}

static int list_answer(const struct instrument_item *it, int q, json_t *v, json_t *errors,
                       json_t **canon)
{
    json_t *list = list_entries(v);
    if (list == NULL) {
        problem(errors, it->name, "Question %d: the answer must be a list of text, one "
                "entry per line", q);
        return -1;
    }
    size_t n = json_array_size(list), i;
    if (n == 0) {
        json_decref(list);
        return 0;
    }
    if (n > (size_t)it->max_entries) {
        problem(errors, it->name, "Question %d: write %d things or fewer, one per line "
                "(there are %zu)", q, it->max_entries, n);
        json_decref(list);
        return -1;
    }
    json_t *x;
    size_t bytes = 0;
    int rc = 1;
    json_array_foreach(list, i, x) {
        size_t chars = utf8_codepoints(json_string_value(x), json_string_length(x));
        bytes += json_string_length(x) + 1;
        if (rc == 1 && chars > INSTRUMENT_ENTRY_MAX) {
            problem(errors, it->name, "Question %d: each line must be %d characters or fewer "
                    "(line %zu has %zu)", q, INSTRUMENT_ENTRY_MAX, i + 1, chars);
            rc = -1;
        }
    }
    /* The joined answer must also pass the check the ingest makes. */
    duet_buf b;
    buf_init(&b, bytes + 1);
    duet_err e;
    if (rc == 1 && checkin_value_text(list, &b) != 0)
        rc = -2;
    if (rc == 1 && instrument_check_value(it, b.data, b.len, NULL, &e) != 0) {
        problem(errors, it->name, "Question %d: %s", q, e.msg);
        rc = -1;
    }
    buf_free(&b);
    if (rc == 1)
        *canon = list;
    else
        json_decref(list);
    return rc;
}

int checkin_normalise(const struct instrument *ins, json_t *answers, int complete,
                      json_t **out, json_t *errors)
{
    *out = NULL;
    if (!json_is_object(answers) || !json_is_object(errors))
        return -1;
    int problems = 0;
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v) {
        if (instrument_find_item(ins, key) == NULL) {
            problem(errors, key, "There is no question '%.64s' in this check-in", key);
            problems++;
        }
    }
    json_t *canon = json_object();
    for (size_t k = 0; canon && k < ins->nitems; k++) {
        const struct instrument_item *it = &ins->items[k];
        int q = (int)k + 1, rc = 0;
        json_t *c = NULL;
        v = json_object_get(answers, it->name);
        if (v && !json_is_null(v)) {
            if (it->type == ITEM_SCALE || it->type == ITEM_LADDER)
                rc = number_answer(it, q, v, errors, &c);
            else if (it->type == ITEM_TEXT)
                rc = text_answer(it, q, v, errors, &c);
            else
                rc = list_answer(it, q, v, errors, &c);
        }
        if (rc == -2) {   /* out of memory */
            json_decref(canon);
            return -1;
        }
        if (rc == 1)
            json_object_set_new(canon, it->name, c);
        else if (rc < 0)
            problems++;
        else if (complete && checkin_item_required(it)) {
            problem(errors, it->name, "Select an answer to question %d", q);
            problems++;
        }
    }
    *out = canon;
    return canon ? problems : -1;
}

int checkin_value_text(const json_t *v, duet_buf *b)
{
    buf_reset(b);
    if (json_is_integer(v))
        return buf_printf(b, "%lld", (long long)json_integer_value(v));
    if (json_is_string(v))
        return buf_append(b, json_string_value(v), json_string_length(v));
    if (!json_is_array(v))
        return -1;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (!json_is_string(x) || (i > 0 && buf_putc(b, '\n') != 0) ||
            buf_append(b, json_string_value(x), json_string_length(x)) != 0)
            return -1;
    }
    return 0;
}

/* Normalises and reports problems as one DUET_EINPUT error. */
static int normalise_or_fail(const struct instrument *ins, json_t *answers, int complete,
                             json_t *errors, json_t **canon, duet_err *e)
{
    int n = checkin_normalise(ins, answers, complete, canon, errors);
    if (n < 0)
        return json_is_object(answers) ? duet_errf(e, DUET_EINTERNAL, "out of memory")
                                       : duet_errf(e, DUET_EINPUT, "the answers must be an "
                                                   "object of item names and values");
    if (n > 0) {
        json_decref(*canon);
        *canon = NULL;
        return duet_errf(e, DUET_EINPUT, n == 1 ? "%d answer needs changing"
                                                : "%d answers need changing", n);
    }
    return 0;
}

/* The ids of the person, the partnership and its module. */
static int ids_of(struct store *st, const char *partnership, int module, const char *person,
                  int64_t ids[3], duet_err *e)
{
    int64_t cohort;
    if (store_person_id(st, person, &ids[0], e) != 0 ||
        store_partnership_id(st, partnership, &ids[1], &cohort, e) != 0)
        return -1;
    if (store_module_id(st, cohort, module, &ids[2], e) != 0)
        return duet_errf(e, DUET_ENOTFOUND, "module %d does not exist in the cohort of "
                         "partnership '%s'", module, partnership);
    return 0;
}

/* Normalises answers; when they have problems but the check-in was already
** submitted, says so instead (DUET_ECONFLICT): what is wrong with answers
** that cannot be sent any more does not matter. */
static int normalise_unless_done(struct store *st, const struct instrument *ins,
                                 const char *partnership, int module, const char *person,
                                 json_t *answers, int complete, json_t *errors, json_t **canon,
                                 duet_err *e)
{
    if (normalise_or_fail(ins, answers, complete, errors, canon, e) == 0)
        return 0;
    if (e->code != DUET_EINPUT)
        return -1;
    int64_t ids[3];
    int done = 0;
    duet_err tmp;
    if (ids_of(st, partnership, module, person, ids, &tmp) == 0 &&
        store_checkin_exists(st, ids[0], ids[1], ids[2], &done, &tmp) == 0 && done)
        return duet_errf(e, DUET_ECONFLICT, "the check-in for module %d has already been "
                         "submitted", module);
    return -1;
}

/* Feeds every canonical answer to the ingest. */
static int ingest_all(struct ingest *g, const struct instrument *ins, const char *partnership,
                      int module, const char *person, json_t *canon, json_t *errors,
                      duet_err *e)
{
    char mod[16];
    snprintf(mod, sizeof mod, "%d", module);
    duet_buf b;
    buf_init(&b, INSTRUMENT_MAX_BYTES);
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(canon, key, v) {
        if (checkin_value_text(v, &b) != 0) {
            rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
            break;
        }
        struct ingest_answer a = {NULL, 0, mod, strlen(mod), partnership, strlen(partnership),
                                  person, strlen(person), key, strlen(key),
                                  b.data ? b.data : "", b.len, 0};
        enum ingest_field field;
        if (ingest_add(g, &a, &field, e) != 0) {
            if (field == INGEST_ITEM || field == INGEST_VALUE) {
                const struct instrument_item *it = instrument_find_item(ins, key);
                problem(errors, key, "Question %d: %s",
                        it ? (int)(it - ins->items) + 1 : 0, e->msg);
            }
            rc = -1;
            break;
        }
    }
    buf_free(&b);
    return rc;
}

int checkin_submit(struct store *st, const struct instrument *ins, const char *partnership,
                   int module, const char *person, json_t *answers, json_t *errors,
                   json_t **stored, duet_err *e)
{
    if (stored)
        *stored = NULL;
    json_t *canon = NULL;
    int64_t ids[3];
    int rc = 0;
    if (normalise_unless_done(st, ins, partnership, module, person, answers, 1, errors, &canon,
                              e) != 0)
        return -1;
    if (json_object_size(canon) == 0) {
        json_decref(canon);
        return duet_errf(e, DUET_EINPUT, "answer at least one question");
    }
    /* Every look-up runs inside the write transaction: one lock for the
    ** whole check-in rather than one per item (the ingest resolves each). */
    struct ingest *g = ingest_new(st);
    if (g == NULL)
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (rc == 0)
        rc = store_begin(st, e);
    if (rc == 0) {
        rc = ids_of(st, partnership, module, person, ids, e);
        if (rc == 0)
            rc = ingest_all(g, ins, partnership, module, person, canon, errors, e);
        if (rc == 0)
            rc = ingest_commit(g, NULL, NULL, e);
        if (rc == 0)
            rc = store_draft_delete(st, ids[0], ids[1], ids[2], e);
        if (rc == 0)
            rc = store_commit(st, e);
        else
            store_rollback(st);
    }
    ingest_free(g);
    if (rc == 0 && stored)
        *stored = canon;
    else
        json_decref(canon);
    return rc;
}

int checkin_save_draft(struct store *st, const struct instrument *ins, const char *partnership,
                       int module, const char *person, json_t *answers, json_t *errors,
                       json_t **stored, duet_err *e)
{
    if (stored)
        *stored = NULL;
    json_t *canon = NULL;
    int64_t ids[3];
    int done = 0;
    if (normalise_unless_done(st, ins, partnership, module, person, answers, 0, errors, &canon,
                              e) != 0)
        return -1;
    int rc = ids_of(st, partnership, module, person, ids, e);
    if (rc == 0)
        rc = store_checkin_exists(st, ids[0], ids[1], ids[2], &done, e);
    if (rc == 0 && done)
        rc = duet_errf(e, DUET_ECONFLICT, "the check-in for module %d has already been "
                       "submitted", module);
    char *text = rc == 0 ? json_dumps(canon, JSON_COMPACT) : NULL;
    if (rc == 0 && text == NULL)
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (rc == 0)
        rc = store_draft_save(st, ids[0], ids[1], ids[2], text, e);
    free(text);
    if (rc == 0 && stored)
        *stored = canon;
    else
        json_decref(canon);
    return rc;
}
