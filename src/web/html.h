/*
** html.h — writing HTML with escaping by default.
**
** html_printf understands a small format language of its own, so the safe
** thing is the short thing to write:
**   %s   text, escaped for element content and quoted attribute values
**   %R   raw, trusted markup (only for strings built by this program)
**   %d   int      %D  int64_t     %g  double (up to 17 significant digits)
**   %%   a percent sign
** Anything else is a programming error and writes nothing for it.
** Text written with %s may come from anyone: & < > " ' are escaped, so it
** can never open a tag or leave a quoted attribute.
*/
#ifndef DUET_WEB_HTML_H
#define DUET_WEB_HTML_H

#include <stdarg.h>

#include "core/buf.h"

/* Appends s escaped (NULL writes nothing). */
void html_text(duet_buf *b, const char *s);
void html_printf(duet_buf *b, const char *fmt, ...);
void html_vprintf(duet_buf *b, const char *fmt, va_list ap);

/* A wide table's container (NHS.UK frontend's scroll component): a region
** that scrolls sideways on a narrow screen while the page does not, named
** by label_fmt (html_printf's format; give the table's caption) and
** reachable with the keyboard (tabindex 0; nhsuk-frontend's script drops it
** while nothing overflows). Close it with html_scroll_end after </table>. */
void html_scroll_begin(duet_buf *b, const char *label_fmt, ...);
void html_scroll_end(duet_buf *b);

/* Appends s as the inside of a <script type="application/json"> data block:
** JSON whose "<", ">" and "&" are written as \u003c... so the block cannot
** be closed early. */
void html_json_block(duet_buf *b, const char *json);

#endif
