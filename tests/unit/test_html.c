/*
** test_html.c — the escaping HTML writer in web/html: html_text, each
** directive of html_printf and the JSON data block. Expected strings are
** written out by hand from html.h and the HTML spec's escaping rules.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

static void test_printf_s_escapes_r_does_not(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_printf(&b, "<p class=\"%s\">%s</p>%R", "x\" onmouseover=\"alert(1)",
                "<script>alert('hi')</script>", "<br>");
    assert_string_equal(str(&b), "<p class=\"x&quot; onmouseover=&quot;alert(1)\">"
                                 "&lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt;</p><br>");
    buf_reset(&b);
    html_printf(&b, "[%s][%R]", (const char *)NULL, (const char *)NULL);
    assert_string_equal(str(&b), "[][]");
    buf_reset(&b);
    html_printf(&b, "no directives & no escaping of the format <b>");
    assert_string_equal(str(&b), "no directives & no escaping of the format <b>");
    buf_free(&b);
}

static void test_printf_numbers(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_printf(&b, "%d|%d|%d", 0, -42, 2147483647);
    assert_string_equal(str(&b), "0|-42|2147483647");
    buf_reset(&b);
    html_printf(&b, "%D|%D|%D", (int64_t)9007199254740993, (int64_t)-1,
                (int64_t)(-9223372036854775807 - 1));
    assert_string_equal(str(&b), "9007199254740993|-1|-9223372036854775808");
    buf_reset(&b);
    /* %g writes the shortest form that reads back as the same double, with at
    ** most 17 significant digits. */
    html_printf(&b, "%g|%g|%g|%g|%g", 0.5, 100.0, -2.25, 0.0, 1e21);
    assert_string_equal(str(&b), "0.5|100|-2.25|0|1e+21");
    buf_reset(&b);
    html_printf(&b, "%g|%g|%g", 0.1, 1.0 / 3.0, 0.1 + 0.2);
    assert_string_equal(str(&b), "0.1|0.3333333333333333|0.30000000000000004");
    buf_reset(&b);
    html_printf(&b, "%g|%g", 123456789012345678.0, 1e-7);
    assert_string_equal(str(&b), "1.2345678901234568e+17|1e-07");
    buf_free(&b);
}

static void test_printf_percent_and_unknown(void **state)
{
    (void)state;
    duet_buf b;
    buf_init(&b, 1 << 16);
    html_printf(&b, "100%% of %d", 5);
    assert_string_equal(str(&b), "100% of 5");
    buf_reset(&b);
    /* An unknown directive writes nothing and takes no argument. */
    html_printf(&b, "a%xb%s", "c");
    assert_string_equal(str(&b), "abc");
    buf_reset(&b);
    html_printf(&b, "50%");          /* a lone % at the end writes nothing */
    assert_string_equal(str(&b), "50");
    buf_reset(&b);
    html_printf(&b, "%s%d%s", "<", 1, ">");
    assert_string_equal(str(&b), "&lt;1&gt;");
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
        cmocka_unit_test(test_printf_s_escapes_r_does_not),
        cmocka_unit_test(test_printf_numbers),
        cmocka_unit_test(test_printf_percent_and_unknown),
        cmocka_unit_test(test_json_block),
        cmocka_unit_test(test_scroll_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
