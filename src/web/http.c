/*
** http.c — form, cookie, listen-address and route parsing (see http.h).
*/
#include "web/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Why text may not be used: invalid UTF-8 or a control character. Tab, CR
** and LF are allowed only when ws is set (in values: a textarea sends CR LF;
** a name is plain, so that it can be echoed into a message or a log line). */
static const char *bad_text(const char *s, size_t n, int ws)
{
    if (utf8_invalid_at(s, n) != (size_t)-1)
        return "text that is not valid UTF-8";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int allowed_ws = ws && (c == '\t' || c == '\r' || c == '\n');
        if ((c < 0x20 && !allowed_ws) || c == 0x7f)
            return "a control character";
    }
    return NULL;
}

/* Decodes s[0..n) (plus = space when form) into a new string that passes
** bad_text(.., ws). */
static char *decode(const char *s, size_t n, int form, int ws, const char **why)
{
    char *out = malloc(n + 1);
    if (out == NULL) {
        *why = "out of memory";
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                *why = "a malformed percent escape";
                return NULL;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && form) {
            c = ' ';
        }
        out[k++] = (char)c;
    }
    out[k] = '\0';
    if ((*why = bad_text(out, k, ws)) != NULL) {
        free(out);
        return NULL;
    }
    return out;
}

/* How many bytes of the valid UTF-8 name to quote in a message: at most
** max, never cutting a character in two (the message goes into a page). */
static int quote_len(const char *name, size_t max)
{
    size_t n = strlen(name);
    if (n <= max)
        return (int)n;
    while (max > 0 && ((unsigned char)name[max] & 0xC0) == 0x80)
        max--;   /* name[max] continues a character: cut before that character */
    return (int)max;
}

void http_form_free(struct http_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->f[i].name);
        free(f->f[i].value);
    }
    free(f->f);
    f->f = NULL;
    f->n = 0;
}

static int name_too_long(duet_err *e)
{
    return duet_errf(e, DUET_EINPUT, "a field name is too long (at most %d bytes)",
                     HTTP_MAX_NAME);
}

int http_form_parse(const char *s, size_t len, struct http_form *out, duet_err *e)
{
    out->f = NULL;
    out->n = 0;
    size_t cap = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            size_t eq = i;
            while (eq < end && s[eq] != '=')
                eq++;
            if (out->n == HTTP_MAX_FIELDS)
                return duet_errf(e, DUET_EINPUT, "too many fields (at most %d)", HTTP_MAX_FIELDS);
            /* The limit is on the decoded name, as in http_form_add; each
            ** decoded byte takes at most 3 encoded ones. */
            if (eq - i > 3 * HTTP_MAX_NAME)
                return name_too_long(e);
            if (out->n == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                struct http_field *nf = realloc(out->f, ncap * sizeof *nf);
                if (nf == NULL)
                    return duet_errf(e, DUET_EINTERNAL, "out of memory");
                out->f = nf;
                cap = ncap;
            }
            const char *why = NULL;
            char *name = decode(s + i, eq - i, 1, 0, &why);
            if (name == NULL)
                return duet_errf(e, DUET_EINPUT, "field %zu: the name has %s", out->n + 1, why);
            if (strlen(name) > HTTP_MAX_NAME) {
                free(name);
                return name_too_long(e);
            }
            char *value = decode(eq < end ? s + eq + 1 : s + end,
                                 eq < end ? end - eq - 1 : 0, 1, 1, &why);
            if (value == NULL) {
                duet_errf(e, DUET_EINPUT, "field '%.*s': the value has %s",
                          quote_len(name, 64), name, why);
                free(name);
                return -1;
            }
            out->f[out->n].name = name;
            out->f[out->n].value = value;
            out->n++;
        }
        i = end + 1;
    }
    return 0;
}

int http_form_add(struct http_form *f, const char *name, const char *value, duet_err *e)
{
    if (f->n == HTTP_MAX_FIELDS)
        return duet_errf(e, DUET_EINPUT, "too many fields (at most %d)", HTTP_MAX_FIELDS);
    if (strlen(name) > HTTP_MAX_NAME)
        return name_too_long(e);
    /* The same checks as decode(); a bad name is not repeated in the message. */
    const char *why = bad_text(name, strlen(name), 0);
    if (why != NULL)
        return duet_errf(e, DUET_EINPUT, "a field name has %s", why);
    if (value != NULL && (why = bad_text(value, strlen(value), 1)) != NULL)
        return duet_errf(e, DUET_EINPUT, "field '%.*s' has %s", quote_len(name, 64), name, why);
    struct http_field *nf = realloc(f->f, (f->n + 1) * sizeof *nf);
    if (nf == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    f->f = nf;
    f->f[f->n].name = strdup(name);
    f->f[f->n].value = strdup(value ? value : "");
    if (f->f[f->n].name == NULL || f->f[f->n].value == NULL) {
        free(f->f[f->n].name);
        free(f->f[f->n].value);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    f->n++;
    return 0;
}

const char *http_form_get(const struct http_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->f[i].name, name) == 0)
            return f->f[i].value;
    return NULL;
}

int http_cookie_get(const char *header, const char *name, char *out, size_t outsz)
{
    if (header == NULL || outsz == 0)
        return 0;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = n - nl - 1;
            while (vl > 0 && (p[nl + 1 + vl - 1] == ' ' || p[nl + 1 + vl - 1] == '\t'))
                vl--;
            if (vl + 1 > outsz)
                return 0;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return 1;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return 0;
}

int http_parse_listen(const char *s, char *host, size_t hostsz, int *port, duet_err *e)
{
    const char *portstr = s;
    size_t hl = 0;
    const char *h = "127.0.0.1";
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return duet_errf(e, DUET_EINPUT, "--listen '%s': write an IPv6 address as [::1]:8080", s);
        h = s + 1;
        hl = (size_t)(close - s - 1);
        portstr = close + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon) {
            h = s;
            hl = (size_t)(colon - s);
            portstr = colon + 1;
            if (hl == 0) {
                h = "127.0.0.1";
                hl = strlen(h);
            }
        } else {
            hl = strlen(h);
        }
    }
    if (hl + 1 > hostsz || hl == 0)
        return duet_errf(e, DUET_EINPUT, "--listen '%s': the host is missing or too long", s);
    /* Digits only (strtol alone would also take blanks and a sign). */
    size_t digits = strspn(portstr, "0123456789");
    long p = digits > 0 && digits <= 5 && portstr[digits] == '\0' ? strtol(portstr, NULL, 10) : 0;
    if (p < 1 || p > 65535)
        return duet_errf(e, DUET_EINPUT, "--listen '%s': the port must be a number 1..65535", s);
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 0;
}

int http_route_match(const char *pattern, const char *path, char *buf, size_t bufsz,
                     const char **params, int maxp)
{
    size_t pl = strlen(path);
    if (pl + 1 > bufsz)
        return -1;
    memcpy(buf, path, pl + 1);
    int np = 0;
    const char *p = pattern;
    char *q = buf;
    while (*p && *q) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL || np == maxp)
                return -1;
            char *seg = q;
            while (*q && *q != '/')
                q++;
            char saved = *q;
            *q = '\0';
            if (seg == q)
                return -1;
            const char *why = NULL;
            char *dec = decode(seg, (size_t)(q - seg), 0, 1, &why);
            if (dec == NULL)
                return -1;
            size_t dl = strlen(dec);
            int bad = dl == 0 || strchr(dec, '/') != NULL || strpbrk(dec, "\t\r\n") != NULL;
            if (!bad)
                memcpy(seg, dec, dl + 1);   /* decoding never lengthens */
            free(dec);
            if (bad)
                return -1;
            params[np++] = seg;
            p = close + 1;
            if (saved == '\0')
                break;
            q++;
            if (*p != '/')
                return -1;
            p++;
        } else {
            if (*p != *q)
                return -1;
            p++;
            q++;
        }
    }
    return (*p == '\0' && *q == '\0') ? np : -1;
}

int http_same_origin(const char *origin, const char *host)
{
    if (origin == NULL)
        return 1;
    if (host == NULL)
        return 0;
    const char *rest = NULL;
    if (strncmp(origin, "http://", 7) == 0)
        rest = origin + 7;
    else if (strncmp(origin, "https://", 8) == 0)
        rest = origin + 8;
    else
        return 0;
    return strcmp(rest, host) == 0;
}
