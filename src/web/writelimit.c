/*
** writelimit.c — refuses writes over an account's rate (see writelimit.h).
*/
#include "web/writelimit.h"

#include <stdio.h>
#include <string.h>

#include "app/ratelimit.h"

int web_write_limited(struct web_req *rq, struct web_res *rs, int is_api)
{
    const char *m = rq->method;
    if (rq->who == NULL || strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
        strcmp(m, "OPTIONS") == 0 || strcmp(rq->path, "/sign-out") == 0)
        return 0;
    int64_t wait;
    duet_err e;
    if (ratelimit_write(rq->who->account_id, rq->who->role, ratelimit_now_ms(), &wait, &e) == 0)
        return 0;
    snprintf(rs->retry_after, sizeof rs->retry_after, "%lld", (long long)wait);
    if (is_api) {
        web_json_error(rs, 429, "%s", e.msg);
    } else {
        char msg[256];
        snprintf(msg, sizeof msg, "You have made a lot of changes in a short time. Wait %lld "
                 "second%s, then try again.", (long long)wait, wait == 1 ? "" : "s");
        page_error(rq, rs, 429, msg);
    }
    return 1;
}
