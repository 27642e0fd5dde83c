/*
** html.h — writing HTML with escaping by default, checked by the compiler.
**
** html_printf takes the standard printf conversions (%s %c %d %i %u %x %ld
** %lld %zu %" PRId64 " %g %.17g %%, with flags, width and precision) and
** carries a format attribute, so -Wformat checks every call. Every %s and
** %c is escaped (& < > " ' become entities) after its width and precision
** are applied to the source text: %.3s of "<b>x" writes "&lt;b&gt;". Text
** written with %s may come from anyone: it can never open a tag or leave a
** quoted attribute. There is no raw conversion.
**
** Markup that is not written by a format comes in two kinds only:
**   html_raw(b, "lit")            a string literal (anything else does not
**   html_raw_if(b, cond, "lit")   compile), the second only when cond holds
**   html_fragment(b, &frag)       markup this writer built earlier into
**                                 another buffer (a fragment), appended as is
**
** Overflow: a duet_buf has a hard cap; an append past it empties the buf and
** sets its overflowed flag (core/buf.h). The server answers a body that
** overflowed with a 500, never with the truncated page.
*/
#ifndef DUET_WEB_HTML_H
#define DUET_WEB_HTML_H

#include <inttypes.h>
#include <stdarg.h>

#include "core/buf.h"

/* Appends s escaped (NULL writes nothing). */
void html_text(duet_buf *b, const char *s);
/* Appends fmt with its conversions, %s and %c escaped (a NULL %s writes
** nothing; %n and %p are programming errors and write nothing). */
void html_printf(duet_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void html_vprintf(duet_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends trusted markup: only a string literal compiles ("" lit "" is a
** syntax error for anything else). html_raw_if appends it only when cond. */
#define html_raw(b, lit) html_raw_literal_((b), "" lit "")
#define html_raw_if(b, cond, lit) ((cond) ? html_raw_literal_((b), "" lit "") : (void)0)
void html_raw_literal_(duet_buf *b, const char *lit);

/* Appends a fragment: markup this writer built into frag (with html_printf,
** html_raw...), as is. Nothing else may be passed. */
void html_fragment(duet_buf *b, const duet_buf *frag);

/* A wide table's container (NHS.UK frontend's scroll component): a region
** that scrolls sideways on a narrow screen while the page does not, named
** by label_fmt (html_printf's format; give the table's caption) and
** reachable with the keyboard (tabindex 0; nhsuk-frontend's script drops it
** while nothing overflows). Close it with html_scroll_end after </table>. */
void html_scroll_begin(duet_buf *b, const char *label_fmt, ...)
    __attribute__((format(printf, 2, 3)));
void html_scroll_end(duet_buf *b);

/* Appends s as the inside of a <script type="application/json"> data block:
** JSON whose "<", ">" and "&" are written as \u003c... so the block cannot
** be closed early. */
void html_json_block(duet_buf *b, const char *json);

#endif
