/*
** writelimit.h — the write limit of app/ratelimit.h applied to requests.
*/
#ifndef DUET_WEB_WRITELIMIT_H
#define DUET_WEB_WRITELIMIT_H

#include "web/web.h"

/* For a state-changing request (any method but GET, HEAD and OPTIONS) by a
** signed-in account that access has allowed: takes one write from the
** account's bucket. Over the limit, fills rs with 429, a Retry-After header
** and a plain message (a JSON error for the API, a page otherwise) and
** returns 1; otherwise returns 0. Signing out is never limited. */
int web_write_limited(struct web_req *rq, struct web_res *rs, int is_api);

#endif
