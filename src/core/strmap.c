/*
** strmap.c — open-addressing string map with linear probing.
*/
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

static size_t fnv1a(const char *s, size_t n)
{
    size_t h = (size_t)14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= (size_t)1099511628211ULL;
    }
    return h;
}

void strmap_init(strmap *m)
{
    m->slots = NULL;
    m->cap = m->count = 0;
}

void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    strmap_init(m);
}

static struct strmap_slot *find(const strmap *m, const char *key, size_t klen, size_t h)
{
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct strmap_slot *s = &m->slots[i];
        if (s->key == NULL)
            return s;
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
            return s;
    }
}

int strmap_get(const strmap *m, const char *key, size_t klen, size_t *value)
{
    if (m->cap == 0)
        return 0;
    struct strmap_slot *s = find(m, key, klen, fnv1a(key, klen));
    if (s->key == NULL)
        return 0;
    *value = s->value;
    return 1;
}

static int grow(strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct strmap_slot *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = calloc(cap, sizeof *m->slots);
    if (m->slots == NULL) {
        m->slots = old;
        return -1;
    }
    m->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key)
            *find(m, old[i].key, old[i].klen, old[i].hash) = old[i];
    free(old);
    return 0;
}

int strmap_put(strmap *m, const char *key, size_t klen, size_t value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != 0)
        return -1;
    size_t h = fnv1a(key, klen);
    struct strmap_slot *s = find(m, key, klen, h);
    if (s->key == NULL) {
        char *k = malloc(klen + 1);
        if (k == NULL)
            return -1;
        memcpy(k, key, klen);
        k[klen] = '\0';
        s->key = k;
        s->klen = klen;
        s->hash = h;
        m->count++;
    }
    s->value = value;
    return 0;
}
