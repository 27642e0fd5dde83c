/*
** strmap.h — a string → size_t hash map (open addressing, FNV-1a).
**
** Keys are copied into the map; values are indexes into the caller's own
** arrays. Used by importers to resolve names to records without a query
** per row.
*/
#ifndef DUET_CORE_STRMAP_H
#define DUET_CORE_STRMAP_H

#include <stddef.h>

typedef struct strmap {
    struct strmap_slot { char *key; size_t klen; size_t value; size_t hash; } *slots;
    size_t cap, count;
} strmap;

void strmap_init(strmap *m);
void strmap_free(strmap *m);
/* Returns 1 and sets *value when found, else 0. */
int strmap_get(const strmap *m, const char *key, size_t klen, size_t *value);
/* Inserts or replaces; 0, or -1 when out of memory. */
int strmap_put(strmap *m, const char *key, size_t klen, size_t value);

#endif
