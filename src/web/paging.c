/*
** paging.c — ?limit=, ?cursor= and the next page's link (see paging.h).
*/
#include "web/paging.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"

static int cursor_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > WEB_CURSOR_MAX)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int web_paging_read(const struct web_req *rq, struct web_paging *pg, duet_err *e)
{
    pg->limit = WEB_LIMIT_DEFAULT;
    pg->cursor = NULL;
    const char *l = http_form_get(&rq->query, "limit");
    if (l) {
        int64_t v = 0;
        size_t n = strlen(l);
        int ok = n >= 1 && n <= 4;
        for (size_t i = 0; ok && i < n; i++) {
            ok = l[i] >= '0' && l[i] <= '9';
            v = v * 10 + (l[i] - '0');
        }
        if (!ok || v < 1 || v > WEB_LIMIT_MAX)
            return duet_errf(e, DUET_EINPUT, "limit '%.16s%s' is not a whole number from 1 to %d",
                             l, strlen(l) > 16 ? "…" : "", WEB_LIMIT_MAX);
        pg->limit = v;
    }
    const char *c = http_form_get(&rq->query, "cursor");
    if (c) {
        pg->cursor = c;
        if (!cursor_ok(c))
            return web_paging_bad_cursor(pg, e);
    }
    return 0;
}

int web_paging_bad_cursor(const struct web_paging *pg, duet_err *e)
{
    const char *c = pg->cursor ? pg->cursor : "";
    return duet_errf(e, DUET_EINPUT, "cursor '%.32s%s' is not one this list gave (follow the "
                     "'next' link of the page before)", c, strlen(c) > 32 ? "…" : "");
}

int web_paging_ints(const struct web_paging *pg, int n, int64_t out[], duet_err *e)
{
    for (int k = 0; k < n; k++)
        out[k] = 0;
    if (pg->cursor == NULL)
        return 0;
    const char *p = pg->cursor;
    for (int k = 0; k < n; k++) {
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (++digits > 18)
                return web_paging_bad_cursor(pg, e);
            out[k] = out[k] * 10 + (*p - '0');
        }
        if (digits == 0 || (k + 1 < n ? *p != '.' : *p != '\0'))
            return web_paging_bad_cursor(pg, e);
        if (k + 1 < n)
            p++;
    }
    return 0;
}

/* Appends s percent-encoded for a query string; -1 when the buffer is full. */
static int put_encoded(duet_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int bad = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && !bad; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            bad = buf_putc(b, (char)c) != 0;
        else
            bad = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]) != 0;
    }
    return bad ? -1 : 0;
}

json_t *web_paging_next(const struct web_req *rq, const struct web_paging *pg,
                        const char *next_cursor)
{
    if (next_cursor == NULL)
        return json_null();
    duet_buf b;
    buf_init(&b, 64 * 1024);
    int bad = buf_puts(&b, rq->path) != 0;   /* as sent: its escapes are kept */
    char sep = '?';
    for (size_t i = 0; i < rq->query.n && !bad; i++) {
        const struct http_field *f = &rq->query.f[i];
        if (strcmp(f->name, "limit") == 0 || strcmp(f->name, "cursor") == 0)
            continue;
        bad = buf_putc(&b, sep) != 0 || put_encoded(&b, f->name) != 0 ||
              buf_putc(&b, '=') != 0 || put_encoded(&b, f->value) != 0;
        sep = '&';
    }
    bad = bad || buf_printf(&b, "%climit=%lld&cursor=", sep, (long long)pg->limit) != 0 ||
          put_encoded(&b, next_cursor) != 0;
    json_t *v = !bad && b.data ? json_stringn(b.data, b.len) : NULL;
    buf_free(&b);
    return v ? v : json_null();
}

void web_paging_fail(struct web_req *rq, struct web_res *rs, int is_api, const duet_err *e)
{
    if (is_api) {
        web_json_error(rs, 400, "%s", e->msg);
    } else {
        char msg[DUET_ERR_MAX + 64];
        snprintf(msg, sizeof msg, "The address is not valid: %s.", e->msg);
        page_error(rq, rs, 400, msg);
    }
}
