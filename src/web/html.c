/*
** html.c — escaping HTML writer (see html.h).
*/
#include "web/html.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void html_text(duet_buf *b, const char *s)
{
    if (s == NULL)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, rep);
        run = p + 1;
    }
    buf_puts(b, run);
}

/* Formats one conversion, spec (a NUL-terminated "%...c"), into a buf,
** escaping it when esc. */
#define FMT1(b, esc, spec, ...) do { \
        int n_ = snprintf(NULL, 0, spec, __VA_ARGS__); \
        if (n_ < 0) break; \
        char small_[64]; \
        char *t_ = (size_t)n_ < sizeof small_ ? small_ : malloc((size_t)n_ + 1); \
        if (t_ == NULL) { buf_fail(b); break; } \
        snprintf(t_, (size_t)n_ + 1, spec, __VA_ARGS__); \
        if (esc) html_text(b, t_); else buf_append(b, t_, (size_t)n_); \
        if (t_ != small_) free(t_); \
    } while (0)

/* Marks b overflowed (out of memory counts as overflow: the page is lost). */
static void buf_fail(duet_buf *b)
{
    buf_free(b);
    b->overflowed = 1;
}

void html_vprintf(duet_buf *b, const char *fmt, va_list ap)
{
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        buf_append(b, run, (size_t)(p - run));
        const char *start = p++;
        if (*p == '%') {
            buf_putc(b, '%');
            run = p + 1;
            continue;
        }
        /* flags, width, precision, length, conversion */
        int stars[2], nstars = 0;
        while (*p && strchr("-+ #0", *p))
            p++;
        if (*p == '*') { stars[nstars++] = va_arg(ap, int); p++; }
        else while (*p >= '0' && *p <= '9') p++;
        if (*p == '.') {
            p++;
            if (*p == '*') { stars[nstars++] = va_arg(ap, int); p++; }
            else while (*p >= '0' && *p <= '9') p++;
        }
        char len[3] = "";
        if ((p[0] == 'h' && p[1] == 'h') || (p[0] == 'l' && p[1] == 'l')) {
            len[0] = p[0]; len[1] = p[1]; p += 2;
        } else if (*p && strchr("hlzjtL", *p)) {
            len[0] = *p++;
        }
        if (*p == '\0' || (size_t)(p - start) + 1 >= 32) {   /* unfinished */
            run = p;
            if (*p == '\0')
                p--;
            continue;
        }
        char spec[32];
        memcpy(spec, start, (size_t)(p - start) + 1);
        spec[p - start + 1] = '\0';
        char c = *p;
        run = p + 1;
#define CONV(esc, T) do { T v_ = va_arg(ap, T); \
        if (nstars == 0) FMT1(b, esc, spec, v_); \
        else if (nstars == 1) FMT1(b, esc, spec, stars[0], v_); \
        else FMT1(b, esc, spec, stars[0], stars[1], v_); } while (0)
        switch (c) {
        case 'd': case 'i':
            if (len[0] == 'l' && len[1] == 'l') CONV(0, long long);
            else if (len[0] == 'l') CONV(0, long);
            else if (len[0] == 'z') CONV(0, ptrdiff_t);
            else if (len[0] == 'j') CONV(0, intmax_t);
            else if (len[0] == 't') CONV(0, ptrdiff_t);
            else CONV(0, int);
            break;
        case 'u': case 'o': case 'x': case 'X':
            if (len[0] == 'l' && len[1] == 'l') CONV(0, unsigned long long);
            else if (len[0] == 'l') CONV(0, unsigned long);
            else if (len[0] == 'z') CONV(0, size_t);
            else if (len[0] == 'j') CONV(0, uintmax_t);
            else if (len[0] == 't') CONV(0, size_t);
            else CONV(0, unsigned);
            break;
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
            if (len[0] == 'L') CONV(0, long double);
            else CONV(0, double);
            break;
        case 'c':
            CONV(1, int);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                break;
            if (spec[1] == 's')   /* plain %s: no copy */
                html_text(b, s);
            else if (nstars == 0) FMT1(b, 1, spec, s);
            else if (nstars == 1) FMT1(b, 1, spec, stars[0], s);
            else FMT1(b, 1, spec, stars[0], stars[1], s);
            break;
        }
        case 'p': (void)va_arg(ap, void *); break;
        case 'n': (void)va_arg(ap, int *); break;
        default: break;
        }
#undef CONV
    }
    buf_puts(b, run);
}

void html_raw_literal_(duet_buf *b, const char *lit)
{
    buf_puts(b, lit);
}

void html_fragment(duet_buf *b, const duet_buf *frag)
{
    if (frag->overflowed)
        buf_fail(b);
    else if (frag->len)
        buf_append(b, frag->data, frag->len);
}

void html_printf(duet_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    html_vprintf(b, fmt, ap);
    va_end(ap);
}

void html_scroll_begin(duet_buf *b, const char *label_fmt, ...)
{
    html_printf(b, "<div class=\"nhsuk-scroll\" data-module=\"nhsuk-scroll\">"
                   "<div class=\"nhsuk-scroll__content\" role=\"region\" tabindex=\"0\" "
                   "aria-label=\"");
    va_list ap;
    va_start(ap, label_fmt);
    html_vprintf(b, label_fmt, ap);
    va_end(ap);
    html_printf(b, "\">\n");
}

void html_scroll_end(duet_buf *b)
{
    html_printf(b, "</div></div>\n");
}

void html_json_block(duet_buf *b, const char *json)
{
    const char *run = json;
    for (const char *p = json; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '<': rep = "\\u003c"; break;
        case '>': rep = "\\u003e"; break;
        case '&': rep = "\\u0026"; break;
        default: continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, rep);
        run = p + 1;
    }
    buf_puts(b, run);
}
