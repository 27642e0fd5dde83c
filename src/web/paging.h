/*
** paging.h — long lists in pages: ?limit= and ?cursor=, and the link to
** the next page.
**
** A list endpoint answers at most `limit` rows (1..WEB_LIMIT_MAX, default
** WEB_LIMIT_DEFAULT) and "next": the path and query of the next page, or
** null on the last. A cursor is opaque to clients: they follow "next" (or
** pass its cursor back) and never build one. Each list says what its
** cursor holds (the last row's key); the store then reads at most limit + 1
** rows from there, the extra row only telling whether there is a next page.
*/
#ifndef DUET_WEB_PAGING_H
#define DUET_WEB_PAGING_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "web/web.h"

#define WEB_LIMIT_DEFAULT 100
#define WEB_LIMIT_MAX 500
#define WEB_CURSOR_MAX 128          /* bytes of a cursor */

struct web_paging {
    int64_t limit;
    const char *cursor;             /* NULL on the first page; borrowed from the query */
};

/* Reads ?limit= (a whole number 1..WEB_LIMIT_MAX; absent: the default) and
** ?cursor= (1..WEB_CURSOR_MAX of [A-Za-z0-9._-]). DUET_EINPUT naming the
** parameter when either is wrong. */
int web_paging_read(const struct web_req *rq, struct web_paging *pg, duet_err *e);

/* The error for a cursor this list did not give (DUET_EINPUT); returns -1. */
int web_paging_bad_cursor(const struct web_paging *pg, duet_err *e);

/* Reads a cursor of n whole numbers (1..3) joined by '.' ("17", "3.17") into
** out; with no cursor, out is all zeros. The bad-cursor error otherwise. */
int web_paging_ints(const struct web_paging *pg, int n, int64_t out[], duet_err *e);

/* "next": rq's path and query with limit and cursor set for the page after
** the one answered (a new JSON string), or JSON null when next_cursor is
** NULL (the last page). Other query parameters are kept. */
json_t *web_paging_next(const struct web_req *rq, const struct web_paging *pg,
                        const char *next_cursor);

/* Answers a bad ?limit= or ?cursor= (400): a JSON error for the API, an
** error page otherwise. */
void web_paging_fail(struct web_req *rq, struct web_res *rs, int is_api, const duet_err *e);

#endif
