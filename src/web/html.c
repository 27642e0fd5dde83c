/*
** html.c — escaping HTML writer (see html.h).
*/
#include "web/html.h"

#include <inttypes.h>
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

/* The shortest of %.15g, %.16g, %.17g that reads back as v: %.17g always
** does, but writes 0.1 as 0.10000000000000001. */
static void put_double(duet_buf *b, double v)
{
    char s[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (prec == 17 || strtod(s, NULL) == v)
            break;
    }
    buf_puts(b, s);
}

void html_vprintf(duet_buf *b, const char *fmt, va_list ap)
{
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        buf_append(b, run, (size_t)(p - run));
        p++;
        switch (*p) {
        case 's': html_text(b, va_arg(ap, const char *)); break;
        case 'R': { const char *r = va_arg(ap, const char *); if (r) buf_puts(b, r); break; }
        case 'd': buf_printf(b, "%d", va_arg(ap, int)); break;
        case 'D': buf_printf(b, "%" PRId64, va_arg(ap, int64_t)); break;
        case 'g': put_double(b, va_arg(ap, double)); break;
        case '%': buf_putc(b, '%'); break;
        case '\0': p--; break;
        default: break;
        }
        run = p + 1;
    }
    buf_puts(b, run);
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
