/*
** http.c — form, cookie, listen-address and route parsing (see http.h).
*/
#include "web/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int http_same_origin(const char *origin, const char *host, int tls)
{
    if (origin == NULL)
        return 1;
    if (host == NULL)
        return 0;
    const char *scheme = tls ? "https://" : "http://";
    size_t n = strlen(scheme);
    return strncasecmp(origin, scheme, n) == 0 && strcmp(origin + n, host) == 0;
}

const char *http_form_repeated(const struct http_form *f, const char *const *may_repeat)
{
    for (size_t i = 0; i < f->n; i++) {
        int listed = 0;
        for (const char *const *m = may_repeat; m && *m && !listed; m++)
            listed = strcmp(*m, f->f[i].name) == 0;
        if (listed)
            continue;
        for (size_t j = i + 1; j < f->n; j++)
            if (strcmp(f->f[i].name, f->f[j].name) == 0)
                return f->f[i].name;
    }
    return NULL;
}

/* Skips optional whitespace (RFC 9110 OWS: spaces and tabs). */
static const char *ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int http_media_type_is(const char *content_type, const char *type)
{
    if (content_type == NULL)
        return 0;
    size_t n = strlen(type);
    const char *p = ows(content_type);
    if (strncasecmp(p, type, n) != 0)
        return 0;
    p = ows(p + n);
    if (*p == '\0')
        return 1;
    if (*p != ';')
        return 0;
    p = ows(p + 1);
    if (strncasecmp(p, "charset=", 8) != 0)
        return 0;
    p += 8;
    int quoted = *p == '"';
    p += quoted;
    if (strncasecmp(p, "utf-8", 5) != 0)
        return 0;
    p += 5;
    if (quoted && *p++ != '"')
        return 0;
    return *ows(p) == '\0';
}

/* The code point of the valid UTF-8 sequence at s (length *len). */
static unsigned long utf8_at(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xE0) {
        *len = 2;
        return ((unsigned long)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if (s[0] < 0xF0) {
        *len = 3;
        return ((unsigned long)(s[0] & 0x0F) << 12) | ((unsigned long)(s[1] & 0x3F) << 6) |
               (s[2] & 0x3F);
    }
    *len = 4;
    return ((unsigned long)(s[0] & 0x07) << 18) | ((unsigned long)(s[1] & 0x3F) << 12) |
           ((unsigned long)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

int http_safe_path(const char *s)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789-._~!$&'()*+,;=/?";
    if (s == NULL || s[0] != '/' || strstr(s, "//") != NULL)
        return 0;
    size_t n = strlen(s);
    if (n > HTTP_SAFE_PATH_MAX)
        return 0;
    unsigned char dec[HTTP_SAFE_PATH_MAX + 1];   /* the escapes' bytes, decoded */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int hi = hexval((unsigned char)s[i + 1]);
            int lo = hi < 0 ? -1 : hexval((unsigned char)s[i + 2]);
            if (lo < 0)
                return 0;
            c = (unsigned char)(hi * 16 + lo);
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '.')
                return 0;
            i += 2;
        } else if (strchr(plain, c) == NULL) {
            return 0;
        }
        dec[k++] = c;
    }
    /* No "." or ".." segment in the path (before any '?'). */
    for (const char *seg = s + 1; *seg && *seg != '?';) {
        size_t sl = strcspn(seg, "/?");
        if ((sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        seg += sl;
        if (*seg == '/')
            seg++;
    }
    /* What the escapes spell must be text: valid UTF-8 with no C1
    ** control and no line or paragraph separator. */
    if (utf8_invalid_at((const char *)dec, k) != (size_t)-1)
        return 0;
    for (size_t i = 0; i < k;) {
        size_t len;
        unsigned long cp = utf8_at(dec + i, &len);
        if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
            return 0;
        i += len;
    }
    return 1;
}
