/*
** fuzz_http.c — libFuzzer target for the request parsers in web/http (and
** the escaping writer in web/html that puts what they return into pages).
**
** An input that starts like a request line ("GET ", "POST " and so on) is
** a whole HTTP/1.1 request as a browser writes it (the chromium-* seeds were
** recorded from Chromium by fuzz/capture-http.mjs): its path goes to
** http_route_match, its query string and its body to http_form_parse, its
** Cookie header to http_cookie_get for the cookies duet sets, and its Origin
** and Host headers to http_same_origin, as the server hands them on.
**
** Any other input is a form body for http_form_parse: it is refused with a
** message that is valid UTF-8, or every field obeys http.h's rules and
** survives being encoded again and parsed back unchanged. The input is then
** split at its first NUL or newline into A and B (B ends at the next one) to
** drive http_cookie_get(A, B), http_route_match(patterns, A),
** http_parse_listen(A), http_same_origin(A, B, tls), http_safe_path(A) and
** http_media_type_is(A, ...), each checked against its contract. Any broken rule aborts, so libFuzzer reports it.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "web/html.h"
#include "web/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static int valid_utf8(const char *s)
{
    return utf8_invalid_at(s, strlen(s)) == (size_t)-1;
}

/* No control characters; tab, CR and LF only when ws. */
static int plain(const char *s, int ws)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0x7f || (c < 0x20 && !(ws && (c == '\t' || c == '\r' || c == '\n'))))
            return 0;
    }
    return 1;
}

/* Percent-encodes s as a form would (every byte but letters and digits). */
static void encode(duet_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

static void fuzz_form(const char *s, size_t n)
{
    struct http_form f;
    duet_err e = {0};
    if (http_form_parse(s, n, &f, &e) != 0) {
        CHECK(e.msg[0] != '\0' && valid_utf8(e.msg));
        http_form_free(&f);
        return;
    }
    CHECK(f.n <= HTTP_MAX_FIELDS);
    duet_buf again;
    buf_init(&again, 1 << 22);
    for (size_t i = 0; i < f.n; i++) {
        const char *name = f.f[i].name, *value = f.f[i].value;
        CHECK(strlen(name) <= HTTP_MAX_NAME);
        CHECK(valid_utf8(name) && plain(name, 0));
        CHECK(valid_utf8(value) && plain(value, 1));
        /* The first field of that name is the one returned. */
        const char *got = http_form_get(&f, name);
        size_t first = 0;
        while (strcmp(f.f[first].name, name) != 0)
            first++;
        CHECK(got == f.f[first].value);
        if (i)
            buf_putc(&again, '&');
        encode(&again, name);
        buf_putc(&again, '=');
        encode(&again, value);
    }
    /* Encoded again, the form parses back to the same fields. */
    struct http_form g;
    CHECK(http_form_parse(again.data ? again.data : "", again.len, &g, &e) == 0);
    CHECK(g.n == f.n);
    for (size_t i = 0; i < f.n; i++) {
        CHECK(strcmp(g.f[i].name, f.f[i].name) == 0);
        CHECK(strcmp(g.f[i].value, f.f[i].value) == 0);
    }
    http_form_free(&g);
    buf_free(&again);
    /* Fields that parsed are accepted by http_form_add too. */
    struct http_form h = {0};
    for (size_t i = 0; i < f.n; i++)
        CHECK(http_form_add(&h, f.f[i].name, f.f[i].value, &e) == 0);
    http_form_free(&h);
    http_form_free(&f);
}

static void fuzz_cookie(const char *header, const char *name, size_t outsz)
{
    char out[256];
    if (outsz > sizeof out)
        outsz = sizeof out;
    memset(out, 'X', sizeof out);
    if (http_cookie_get(header, name, out, outsz)) {
        size_t vl = strnlen(out, outsz);
        CHECK(vl < outsz);
        CHECK(strchr(out, ';') == NULL);
        /* "name=value" is in the header. */
        char *pair = malloc(strlen(name) + vl + 2);
        CHECK(pair != NULL);
        sprintf(pair, "%s=%s", name, out);
        CHECK(strstr(header, pair) != NULL);
        free(pair);
    }
    CHECK(outsz == sizeof out || out[outsz] == 'X');   /* nothing written past outsz */
}

static void fuzz_route(const char *path, size_t bufsz)
{
    static const char *const patterns[] = {
        "/", "/sign-in", "/partnerships/{code}", "/partnerships/{code}/modules/{n}",
        "/api/v1/partnerships/{code}/modules/{n}/checkin", "/cohorts/{code}/people/{key}/",
        "/partnerships/{code}/reflections", "/coding/{kind}/{id}", "/{a}/{b}/{c}",
    };
    char buf[512];
    const char *params[3];
    if (bufsz > sizeof buf)
        bufsz = sizeof buf;
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        for (int maxp = 1; maxp <= 3; maxp += 2) {
            int n = http_route_match(patterns[i], path, buf, bufsz, params, maxp);
            CHECK(n >= -1 && n <= maxp);
            if (n >= 0)
                CHECK(strlen(path) < bufsz);
            for (int k = 0; k < n; k++) {
                CHECK(params[k] >= buf && params[k] < buf + bufsz);
                CHECK(params[k][0] != '\0' && strchr(params[k], '/') == NULL);
                CHECK(valid_utf8(params[k]) && plain(params[k], 0));
            }
        }
    }
}

static void fuzz_listen(const char *s)
{
    char host[64];
    int port = 0;
    duet_err e = {0};
    if (http_parse_listen(s, host, sizeof host, &port, &e) == 0) {
        CHECK(port >= 1 && port <= 65535);
        CHECK(host[0] != '\0' && strlen(host) < sizeof host);
    } else {
        CHECK(e.msg[0] != '\0');
    }
}

static void fuzz_origin(const char *origin, const char *host)
{
    for (int tls = 0; tls < 2; tls++) {
        if (http_same_origin(origin, host, tls)) {
            size_t n = tls ? 8 : 7;
            CHECK(strncasecmp(origin, tls ? "https://" : "http://", n) == 0);
            CHECK(strcmp(origin + n, host) == 0);
        }
    }
}

/* An accepted redirect target starts with one '/', and holds only the
** allowed characters, no "//", no backslash and no escape of '/', '\',
** '.' or a C0 control. */
static void fuzz_safe_path(const char *s)
{
    if (!http_safe_path(s))
        return;
    CHECK(s[0] == '/' && s[1] != '/' && strstr(s, "//") == NULL && strlen(s) <= HTTP_SAFE_PATH_MAX);
    for (const char *p = s; *p; p++) {
        CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=/?%",
                     *p) != NULL);
        if (*p == '%') {
            char hex[3] = {p[1], p[2], '\0'};
            long v = strtol(hex, NULL, 16);
            CHECK(v >= 0x20 && v != 0x7f && v != '/' && v != '\\' && v != '.');
        }
    }
}

static void fuzz_media_type(const char *s)
{
    if (http_media_type_is(s, "application/json")) {
        const char *p = s + strspn(s, " \t");
        CHECK(strncasecmp(p, "application/json", 16) == 0);
    }
}

/* Whatever %s is given, the page gets no markup characters from it. */
static void fuzz_html(const char *s)
{
    duet_buf b;
    buf_init(&b, 1 << 22);
    html_printf(&b, "<p title=\"%s\">%s</p>", s, s);
    if (b.data != NULL) {
        const char *inner = b.data + strlen("<p title=\"");
        size_t n = b.len - strlen("<p title=\"") - strlen("</p>");
        for (size_t i = 0; i < n; i++)
            CHECK(inner[i] != '<' && inner[i] != '\'' && (inner[i] != '"' || inner[i + 1] == '>'));
    }
    buf_reset(&b);
    html_json_block(&b, s);
    if (b.data != NULL)
        CHECK(strpbrk(b.data, "<>&") == NULL);
    buf_free(&b);
}

/* The value of header name (case-insensitive) in head[0..n), NUL-terminated
** in a malloc'd copy, or NULL when there is none. */
static char *header(const char *head, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = head, *end = head + n; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *stop = eol ? eol : end;
        if ((size_t)(stop - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            while (v < stop && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = stop;
            if (ve > v && ve[-1] == '\r')
                ve--;
            char *out = malloc((size_t)(ve - v) + 1);
            CHECK(out != NULL);
            memcpy(out, v, (size_t)(ve - v));
            out[ve - v] = '\0';
            return out;
        }
        p = eol ? eol + 1 : end;
    }
    return NULL;
}

/* A whole request: "METHOD TARGET VERSION\r\n", headers, "\r\n", body. */
static void fuzz_request(const char *s, size_t n)
{
    const char *hend = NULL;
    for (size_t i = 0; i + 3 < n && hend == NULL; i++)
        if (memcmp(s + i, "\r\n\r\n", 4) == 0)
            hend = s + i;
    const char *body = hend ? hend + 4 : s + n;
    size_t hlen = (size_t)((hend ? hend : s + n) - s);
    const char *eol = memchr(s, '\n', hlen);
    size_t llen = eol ? (size_t)(eol - s) : hlen;
    const char *sp1 = memchr(s, ' ', llen);
    const char *t = sp1 ? sp1 + 1 : s + llen;
    const char *sp2 = memchr(t, ' ', (size_t)(s + llen - t));
    size_t tlen = (size_t)((sp2 ? sp2 : s + llen) - t);
    char *target = malloc(tlen + 1);
    CHECK(target != NULL);
    memcpy(target, t, tlen);
    target[tlen] = '\0';
    char *q = memchr(target, '?', tlen);
    if (q != NULL) {
        *q++ = '\0';
        fuzz_form(q, strlen(q));        /* the query string, as the server parses it */
    }
    fuzz_route(target, 512);
    fuzz_route(target, 1 + tlen % 64);
    fuzz_html(target);
    const char *heads = eol ? eol + 1 : s + hlen;
    size_t hn = (size_t)(s + hlen - heads);
    char *cookie = header(heads, hn, "Cookie"), *origin = header(heads, hn, "Origin"),
         *host = header(heads, hn, "Host");
    if (cookie != NULL) {
        fuzz_cookie(cookie, "duet_session", 256);
        fuzz_cookie(cookie, "__Host-duet_session", 256);
        fuzz_cookie(cookie, "duet_signin", 33);
        fuzz_cookie(cookie, "duet_session", 1 + hn % 64);
    }
    if (host != NULL) {
        if (origin != NULL)
            fuzz_origin(origin, host);
        fuzz_listen(host);
    }
    fuzz_form(body, (size_t)(s + n - body));
    free(cookie);
    free(origin);
    free(host);
    free(target);
}

/* Whether s starts with an HTTP method and a space. */
static int is_request(const uint8_t *s, size_t n)
{
    static const char *const methods[] = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS "};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (n >= strlen(methods[i]) && memcmp(s, methods[i], strlen(methods[i])) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (is_request(data, size)) {
        fuzz_request((const char *)data, size);
        return 0;
    }
    fuzz_form((const char *)data, size);

    /* A: up to the first NUL or newline; B: from there to the next. */
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *a = copy;
    size_t al = strcspn(a, "\n");
    char *b = a + al;
    if (al < size) {
        *b++ = '\0';
        b[strcspn(b, "\n")] = '\0';
    }
    size_t outsz = size ? 1 + data[size - 1] % 64 : 1;
    fuzz_cookie(a, *b ? b : "duet_session", outsz);
    fuzz_cookie(a, "duet_session", 256);
    fuzz_route(a, 512);
    fuzz_route(a, outsz);
    fuzz_listen(a);
    fuzz_origin(a, b);
    fuzz_origin(b, a);
    fuzz_safe_path(a);
    fuzz_media_type(a);
    fuzz_html(a);
    free(copy);
    return 0;
}
