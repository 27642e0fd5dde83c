/*
** cache.h — the web's cache of derived results, one per worker thread.
**
** Pages and their API answers that are costly to compute and change only
** when the data do (a partnership's trajectory with its rendered section,
** who has sorted which Q-set in a cohort) are kept here, keyed by a string
** and by the store's data version (store_data_version): an entry is given
** back only while nothing has been committed since it was computed. When
** the version moves on, every entry is dropped. At most WEB_CACHE_MAX
** entries; when full, the oldest goes first.
**
** A cache belongs to one thread, like the store connection it goes with
** (server.c makes one for each), so it needs no lock. Values are shared by
** reference and must be treated as read-only.
*/
#ifndef DUET_WEB_CACHE_H
#define DUET_WEB_CACHE_H

#include <jansson.h>

struct store;

#define WEB_CACHE_MAX 64
#define WEB_CACHE_KEY 128             /* bytes of a key, with its NUL */

struct web_cache;

/* A new, empty cache (NULL when out of memory). web_cache_free accepts NULL. */
struct web_cache *web_cache_new(void);
void web_cache_free(struct web_cache *c);

/* The value stored under key (a new reference), or NULL when there is none
** or the data of st have changed since it was stored. c may be NULL (no
** cache: always NULL). */
json_t *web_cache_get(struct web_cache *c, struct store *st, const char *key);

/* Stores value (not stolen; the cache keeps its own reference) under key,
** as computed from the data st had at the web_cache_get before it: nothing
** is stored if anything was committed since (the value may be stale), or
** when key is longer than WEB_CACHE_KEY - 1 bytes, or c is NULL. */
void web_cache_put(struct web_cache *c, struct store *st, const char *key, json_t *value);

#endif
