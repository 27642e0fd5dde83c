/*
** test_html.c — the escaping HTML writer in web/html: html_text, each
** conversion of html_printf, html_raw/html_raw_if/html_fragment, overflow
** and the JSON data block. Expected strings are
** written out by hand from html.h and the HTML spec's escaping rules.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "web/html.h"

/* The contents of b as a string ("" when nothing was written). */
static const char *str(const duet_buf *b)
{
    return b->data ? b->data : "";
}

static void test_text_escapes(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_text(&b, "Tom & Jerry <b>\"hi\"</b> 'x'");
    assert_string_equal(str(&b),
                        "Tom &amp; Jerry &lt;b&gt;&quot;hi&quot;&lt;/b&gt; &#39;x&#39;");
    buf_reset(&b);
    html_text(&b, "&amp;");          /* already-escaped text is escaped again */
    assert_string_equal(str(&b), "&amp;amp;");
    buf_reset(&b);
    html_text(&b, "plain caf\xc3\xa9 = 5/6");   /* everything else passes through */
    assert_string_equal(str(&b), "plain caf\xc3\xa9 = 5/6");
    buf_reset(&b);
    html_text(&b, "<<>>");
    assert_string_equal(str(&b), "&lt;&lt;&gt;&gt;");
    buf_reset(&b);
    html_text(&b, "\"");
    assert_string_equal(str(&b), "&quot;");
    buf_reset(&b);
    html_text(&b, "");
    html_text(&b, NULL);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_printf_s_escapes(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_printf(&b, "<p class=\"%s\">%s</p>", "x\" onmouseover=\"alert(1)",
                "<script>alert('hi')</script>");
    assert_string_equal(str(&b), "<p class=\"x&quot; onmouseover=&quot;alert(1)\">"
                                 "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;</p>");
    buf_reset(&b);
    html_printf(&b, "no conversions & no escaping of the format <b>");
    assert_string_equal(str(&b), "no conversions & no escaping of the format <b>");
    buf_reset(&b);
    /* Width and precision apply to the source text, then it is escaped. */
    html_printf(&b, "[%.3s][%5s][%-4s][%.*s]", "<b>x", "<", "&", 2, "\"'\"");
    assert_string_equal(str(&b), "[&lt;b&gt;][    &lt;][&amp;   ][&quot;&#39;]");
    buf_reset(&b);
    html_printf(&b, "%c%c%c", '<', 'a', '\'');     /* %c is escaped too */
    assert_string_equal(str(&b), "&lt;a&#39;");
    buf_free(&b);
}

static void test_raw_and_fragment(void **state)
{
    (void)state;
    duet_buf b, frag;
    buf_init(&b, 1 << 16);
    html_raw(&b, "<br>");
    html_raw_if(&b, 1, " selected");
    html_raw_if(&b, 0, " checked");
    html_raw_if(&b, 2 > 1, "<b>\"&'</b>");
    assert_string_equal(str(&b), "<br> selected<b>\"&'</b>");
    buf_reset(&b);
    buf_init(&frag, 1 << 16);
    html_printf(&frag, "<em>%s</em>", "<i>");
    html_printf(&b, "<p>");
    html_fragment(&b, &frag);
    html_raw(&b, "</p>");
    assert_string_equal(str(&b), "<p><em>&lt;i&gt;</em></p>");
    buf_free(&frag);
    buf_free(&b);
}

static void test_printf_numbers(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_printf(&b, "%d|%d|%d|%i", 0, -42, 2147483647, 7);
    assert_string_equal(str(&b), "0|-42|2147483647|7");
    buf_reset(&b);
    html_printf(&b, "%" PRId64 "|%" PRId64 "|%" PRId64, (int64_t)9007199254740993,
                (int64_t)-1, (int64_t)(-9223372036854775807 - 1));
    assert_string_equal(str(&b), "9007199254740993|-1|-9223372036854775808");
    buf_reset(&b);
    html_printf(&b, "%zu|%ld|%lld|%u|%x|%05d|%-3d|%+d", (size_t)18446744073709551615u,
                -5L, 123456789012LL, 4000000000u, 255u, 42, 7, 3);
    assert_string_equal(str(&b), "18446744073709551615|-5|123456789012|4000000000|ff|00042|7  |+3");
    buf_reset(&b);
    html_printf(&b, "%g|%g|%g|%.17g|%.17g", 0.5, 100.0, 1e21, 0.1, 1.0 / 3.0);
    assert_string_equal(str(&b), "0.5|100|1e+21|0.10000000000000001|0.33333333333333331");
    buf_reset(&b);
    html_printf(&b, "%.2f|%*d|%.*f", 2.675, 4, 9, 1, 0.25);
    assert_string_equal(str(&b), "2.67|   9|0.2");
    buf_free(&b);
}

static void test_printf_percent(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_printf(&b, "100%% of %d", 5);
    assert_string_equal(str(&b), "100% of 5");
    buf_reset(&b);
    html_printf(&b, "%s%d%s", "<", 1, ">");
    assert_string_equal(str(&b), "&lt;1&gt;");
    buf_free(&b);
}

/* A page that outgrows its buffer is marked, not silently cut: the buf
** empties itself, and overflowed stays set however much is written after. */
static void test_overflow_is_recorded(void **state)
{
    (void)state;
    duet_buf b, frag;
    buf_init(&b, 16);
    html_printf(&b, "<p>%s</p>", "012345678");   /* 16 bytes: fits */
    assert_false(b.overflowed);
    assert_string_equal(str(&b), "<p>012345678</p>");
    buf_reset(&b);
    html_printf(&b, "<p>%s</p>", "0123456789abc");   /* 20 bytes > 16 */
    assert_true(b.overflowed);
    html_raw(&b, "<br>");                            /* fits again, but the loss stays */
    assert_true(b.overflowed);
    buf_reset(&b);
    assert_false(b.overflowed);
    html_printf(&b, "%d", 123456789);
    html_printf(&b, "%d", 123456789);               /* 18 bytes > 16, by a number */
    assert_true(b.overflowed);
    /* A fragment that overflowed spoils the page it is put into. */
    buf_init(&frag, 4);
    html_raw(&frag, "<b>long</b>");
    assert_true(frag.overflowed);
    buf_free(&b);
    buf_init(&b, 1 << 10);
    html_fragment(&b, &frag);
    assert_true(b.overflowed);
    buf_free(&frag);
    buf_free(&b);
}

static void test_json_block(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_json_block(&b, "{\"title\":\"</script><script>alert(1)</script>\",\"a\":\"x & y\"}");
    assert_string_equal(str(&b), "{\"title\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
                                 "\\u003c/script\\u003e\",\"a\":\"x \\u0026 y\"}");
    buf_reset(&b);
    html_json_block(&b, "[\"<!--\",\"-->\"]");
    assert_string_equal(str(&b), "[\"\\u003c!--\",\"--\\u003e\"]");
    buf_reset(&b);
    /* Quotes and other JSON are left as they are. */
    html_json_block(&b, "{\"k\":\"it's \\\"q\\\"\",\"n\":1.5}");
    assert_string_equal(str(&b), "{\"k\":\"it's \\\"q\\\"\",\"n\":1.5}");
    buf_free(&b);
}

/* The scroll region around a wide table: NHS.UK's scroll component, named
** by the caption (escaped: a quote cannot leave the attribute), then closed. */
static void test_scroll_region(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_scroll_begin(&b, "Field notes on %s, by module", "P\"1<");
    html_printf(&b, "<table></table>");
    html_scroll_end(&b);
    assert_string_equal(str(&b),
                        "<div class=\"nhsuk-scroll\" data-module=\"nhsuk-scroll\">"
                        "<div class=\"nhsuk-scroll__content\" role=\"region\" tabindex=\"0\" "
                        "aria-label=\"Field notes on P&quot;1&lt;, by module\">\n"
                        "<table></table></div></div>\n");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes),
        cmocka_unit_test(test_printf_s_escapes),
        cmocka_unit_test(test_raw_and_fragment),
        cmocka_unit_test(test_printf_numbers),
        cmocka_unit_test(test_printf_percent),
        cmocka_unit_test(test_overflow_is_recorded),
        cmocka_unit_test(test_json_block),
        cmocka_unit_test(test_scroll_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
