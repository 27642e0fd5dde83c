/*
** cache.c — the web's per-thread cache of derived results (see cache.h).
*/
#include "web/cache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

struct web_cache {
    int64_t version;                 /* the store's data version of the entries */
    size_t n, next;                  /* entries in use; the next to replace */
    struct {
        char key[WEB_CACHE_KEY];
        json_t *value;
    } e[WEB_CACHE_MAX];
};

static void clear(struct web_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        json_decref(c->e[i].value);
    c->n = c->next = 0;
}

struct web_cache *web_cache_new(void)
{
    struct web_cache *c = calloc(1, sizeof *c);
    if (c)
        c->version = -1;
    return c;
}

void web_cache_free(struct web_cache *c)
{
    if (c == NULL)
        return;
    clear(c);
    free(c);
}

json_t *web_cache_get(struct web_cache *c, struct store *st, const char *key)
{
    if (c == NULL)
        return NULL;
    int64_t v = store_data_version(st);
    if (v < 0 || v != c->version) {
        clear(c);
        c->version = v;
        return NULL;
    }
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0)
            return json_incref(c->e[i].value);
    return NULL;
}

void web_cache_put(struct web_cache *c, struct store *st, const char *key, json_t *value)
{
    /* Only after a get has recorded the version the value was computed from,
    ** and only if the data are still as they were then. */
    if (c == NULL || c->version < 0 || value == NULL || strlen(key) >= WEB_CACHE_KEY)
        return;
    if (store_data_version(st) != c->version)
        return;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].key, key) == 0) {
            json_decref(c->e[i].value);
            c->e[i].value = json_incref(value);
            return;
        }
    }
    size_t i;
    if (c->n < WEB_CACHE_MAX) {
        i = c->n++;
    } else {
        i = c->next;   /* the oldest entry: they were stored in index order */
        c->next = (c->next + 1) % WEB_CACHE_MAX;
        json_decref(c->e[i].value);
    }
    snprintf(c->e[i].key, sizeof c->e[i].key, "%s", key);
    c->e[i].value = json_incref(value);
}
