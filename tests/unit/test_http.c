/*
** test_http.c — the request parsers in web/http: form bodies and query
** strings, cookies, --listen addresses, route patterns, the Origin check,
** repeated fields, media types and the redirect-target check.
** Expected values are worked out by hand from http.h, RFC 3986 (percent
** encoding), the HTML form encoding (+ is a space), RFC 6265 (cookies) and
** RFC 3629 (UTF-8); every refusal is checked against its exact message.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "web/http.h"

/* ---- http_form_parse ---- */

static int parse(const char *s, struct http_form *f, duet_err *e)
{
    return http_form_parse(s, strlen(s), f, e);
}

/* Parsing s fails with DUET_EINPUT and exactly msg. */
static void form_refused(const char *s, const char *msg)
{
    struct http_form f;
    duet_err e;
    assert_int_equal(parse(s, &f, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    /* The message is shown on a page: it must itself be valid UTF-8. */
    assert_true(utf8_invalid_at(e.msg, strlen(e.msg)) == (size_t)-1);
    http_form_free(&f);
    assert_null(f.f);
    assert_int_equal(f.n, 0);
}

static void test_form_basic_fields(void **state)
{
    (void)state;
    struct http_form f;
    duet_err e;
    assert_int_equal(parse("csrf=abc123&note=hello", &f, &e), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.f[0].name, "csrf");
    assert_string_equal(f.f[0].value, "abc123");
    assert_string_equal(f.f[1].name, "note");
    assert_string_equal(f.f[1].value, "hello");
    assert_string_equal(http_form_get(&f, "note"), "hello");
    assert_null(http_form_get(&f, "missing"));
    assert_null(http_form_get(&f, "not"));    /* a prefix of a name is not the name */
    http_form_free(&f);

    assert_int_equal(parse("", &f, &e), 0);
    assert_int_equal(f.n, 0);
    assert_null(http_form_get(&f, "a"));
    http_form_free(&f);

    /* Only the first '=' separates: the rest belongs to the value. */
    assert_int_equal(parse("expr=a=b", &f, &e), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.f[0].value, "a=b");
    http_form_free(&f);

    /* Parsing stops at len, not at a NUL. */
    assert_int_equal(http_form_parse("a=1&b=2", 3, &f, &e), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.f[0].value, "1");
    http_form_free(&f);
}

static void test_form_decoding(void **state)
{
    (void)state;
    struct http_form f;
    duet_err e;
    assert_int_equal(parse("full+name=Ann+O%27Neill&x=%41%62%63&y=a%2Bb&z=%2a%2A", &f, &e), 0);
    assert_int_equal(f.n, 4);
    assert_string_equal(f.f[0].name, "full name");
    assert_string_equal(f.f[0].value, "Ann O'Neill");
    assert_string_equal(f.f[1].value, "Abc");
    assert_string_equal(f.f[2].value, "a+b");        /* %2B is a literal plus */
    assert_string_equal(f.f[3].value, "**");         /* hex digits in either case */
    http_form_free(&f);

    /* UTF-8 passes through: é is C3 A9, the pound sign C2 A3, an emoji F0 9F 98 80. */
    assert_int_equal(parse("note=caf%C3%A9+%C2%A35+%F0%9F%98%80&raw=\xc3\xa9", &f, &e), 0);
    assert_string_equal(http_form_get(&f, "note"), "caf\xc3\xa9 \xc2\xa3" "5 \xf0\x9f\x98\x80");
    assert_string_equal(http_form_get(&f, "raw"), "\xc3\xa9");
    http_form_free(&f);

    /* Tab, CR and LF are allowed in values (a textarea sends CR LF). */
    assert_int_equal(parse("note=line+1%0D%0Aline%092", &f, &e), 0);
    assert_string_equal(http_form_get(&f, "note"), "line 1\r\nline\t2");
    http_form_free(&f);
}

static void test_form_missing_equals_and_empty_pairs(void **state)
{
    (void)state;
    struct http_form f;
    duet_err e;
    assert_int_equal(parse("&&remember&a=&&b=2&", &f, &e), 0);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.f[0].name, "remember");
    assert_string_equal(f.f[0].value, "");
    assert_string_equal(f.f[1].name, "a");
    assert_string_equal(f.f[1].value, "");
    assert_string_equal(f.f[2].name, "b");
    assert_string_equal(f.f[2].value, "2");
    assert_string_equal(http_form_get(&f, "remember"), "");
    http_form_free(&f);

    assert_int_equal(parse("&&&", &f, &e), 0);
    assert_int_equal(f.n, 0);
    http_form_free(&f);
}

static void test_form_duplicates_first_wins(void **state)
{
    (void)state;
    struct http_form f;
    duet_err e;
    assert_int_equal(parse("role=participant&role=admin&item=1&item=2", &f, &e), 0);
    assert_int_equal(f.n, 4);
    assert_string_equal(http_form_get(&f, "role"), "participant");
    assert_string_equal(http_form_get(&f, "item"), "1");
    http_form_free(&f);
}

static void test_form_malformed_escapes(void **state)
{
    (void)state;
    form_refused("note=%", "field 'note': the value has a malformed percent escape");
    form_refused("note=%4", "field 'note': the value has a malformed percent escape");
    form_refused("note=%zz", "field 'note': the value has a malformed percent escape");
    form_refused("note=%4g", "field 'note': the value has a malformed percent escape");
    form_refused("note=%g4", "field 'note': the value has a malformed percent escape");
    form_refused("note=100%+sure", "field 'note': the value has a malformed percent escape");
    /* An escape cut short by the end of the pair, not of the input. */
    form_refused("note=%4&x=1", "field 'note': the value has a malformed percent escape");
    /* In a name the field has no name yet: it is counted instead. */
    form_refused("%zz=1", "field 1: the name has a malformed percent escape");
    form_refused("a=1&&b%=2", "field 2: the name has a malformed percent escape");
}

static void test_form_control_characters(void **state)
{
    (void)state;
    form_refused("note=a%00b", "field 'note': the value has a control character");
    form_refused("note=%01", "field 'note': the value has a control character");
    form_refused("note=%1B%5B2J", "field 'note': the value has a control character");
    form_refused("note=%7F", "field 'note': the value has a control character");
    form_refused("note=a\x01", "field 'note': the value has a control character");
    form_refused("n%00=1", "field 1: the name has a control character");
    /* Names are plain: the tab, CR and LF that values may hold are refused. */
    form_refused("na%0Ame=1", "field 1: the name has a control character");
    form_refused("a=1&x%09=2", "field 2: the name has a control character");
    form_refused("x%0D=2", "field 1: the name has a control character");
}

static void test_form_invalid_utf8(void **state)
{
    (void)state;
    const char *msg = "field 'note': the value has text that is not valid UTF-8";
    form_refused("note=%C3%28", msg);            /* lead byte, then no continuation */
    form_refused("note=%C0%AF", msg);            /* overlong '/' */
    form_refused("note=%E0%80%AF", msg);         /* overlong '/' in three bytes */
    form_refused("note=%ED%A0%80", msg);         /* surrogate U+D800 */
    form_refused("note=%F4%90%80%80", msg);      /* U+110000 */
    form_refused("note=%FF", msg);
    form_refused("note=%C3", msg);               /* truncated */
    form_refused("note=%80", msg);               /* lone continuation */
    form_refused("note=\xc3\x28", msg);          /* raw bytes too */
    form_refused("%C3%28=1", "field 1: the name has text that is not valid UTF-8");
}

/* "a=1&a=1&..." with n fields. */
static char *many_fields(size_t n)
{
    char *s = malloc(4 * n + 1);
    assert_non_null(s);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(s, i ? "&a=1" : "a=1");
    return s;
}

static void test_form_field_limit(void **state)
{
    (void)state;
    struct http_form f;
    duet_err e;
    char *s = many_fields(HTTP_MAX_FIELDS);
    assert_int_equal(parse(s, &f, &e), 0);
    assert_int_equal(f.n, 256);
    http_form_free(&f);
    free(s);

    s = many_fields(HTTP_MAX_FIELDS + 1);
    form_refused(s, "too many fields (at most 256)");
    free(s);
}

static void test_form_name_limit(void **state)
{
    (void)state;
    struct http_form f;
    duet_err e;
    char s[400];
    memset(s, 'n', 128);
    strcpy(s + 128, "=v");
    assert_int_equal(parse(s, &f, &e), 0);
    assert_int_equal(strlen(f.f[0].name), 128);
    http_form_free(&f);

    memset(s, 'n', 129);
    strcpy(s + 129, "=v");
    form_refused(s, "a field name is too long (at most 128 bytes)");
    /* The limit is on the decoded name: %41 is one byte. */
    s[0] = '\0';
    for (int i = 0; i < 128; i++)
        strcat(s, "%41");
    strcat(s, "=v");
    assert_int_equal(parse(s, &f, &e), 0);
    assert_int_equal(strlen(f.f[0].name), 128);
    assert_int_equal(f.f[0].name[127], 'A');
    http_form_free(&f);
    s[0] = '\0';
    for (int i = 0; i < 129; i++)
        strcat(s, "%41");
    strcat(s, "=v");
    form_refused(s, "a field name is too long (at most 128 bytes)");
    s[0] = '\0';    /* 383 bytes encoded, 129 decoded */
    for (int i = 0; i < 127; i++)
        strcat(s, "%41");
    strcat(s, "AA=v");
    form_refused(s, "a field name is too long (at most 128 bytes)");
    /* Without '=' the whole pair is the name. */
    memset(s, 'n', 129);
    s[129] = '\0';
    form_refused(s, "a field name is too long (at most 128 bytes)");
}

/* A refused value names its field in at most 64 bytes, and never cuts a
** character in two (the message goes into a page and into JSON). */
static void test_form_message_names_field_whole_characters(void **state)
{
    (void)state;
    char s[200];
    char want[300];
    char a63[64];
    memset(a63, 'a', 63);
    a63[63] = '\0';
    /* 63 bytes of 'a', then é (2 bytes): the 64-byte cut falls inside é. */
    snprintf(s, sizeof s, "%s%%C3%%A9=%%", a63);
    snprintf(want, sizeof want, "field '%s': the value has a malformed percent escape", a63);
    form_refused(s, want);
    /* 64 bytes of 'a' and more: cut at 64. */
    snprintf(s, sizeof s, "%sabc=%%zz", a63);
    snprintf(want, sizeof want, "field '%sa': the value has a malformed percent escape", a63);
    form_refused(s, want);
}

/* ---- http_form_add ---- */

static void test_form_add(void **state)
{
    (void)state;
    struct http_form f = {0};
    duet_err e;
    assert_int_equal(http_form_add(&f, "next", "/partnerships/P01", &e), 0);
    assert_int_equal(http_form_add(&f, "flag", NULL, &e), 0);
    assert_int_equal(http_form_add(&f, "next", "/other", &e), 0);
    assert_int_equal(http_form_add(&f, "note", "line\r\n\ttab caf\xc3\xa9", &e), 0);
    assert_int_equal(f.n, 4);
    assert_string_equal(http_form_get(&f, "next"), "/partnerships/P01");
    assert_string_equal(http_form_get(&f, "flag"), "");
    assert_string_equal(http_form_get(&f, "note"), "line\r\n\ttab caf\xc3\xa9");

    assert_int_equal(http_form_add(&f, "note", "a\x1b", &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, "field 'note' has a control character");
    assert_int_equal(http_form_add(&f, "note", "\xc0\xaf", &e), -1);
    assert_string_equal(e.msg, "field 'note' has text that is not valid UTF-8");
    /* A bad name is not repeated in the message. */
    assert_int_equal(http_form_add(&f, "na\nme", "v", &e), -1);
    assert_string_equal(e.msg, "a field name has a control character");
    assert_int_equal(http_form_add(&f, "\xff", "v", &e), -1);
    assert_string_equal(e.msg, "a field name has text that is not valid UTF-8");
    assert_int_equal(f.n, 4);   /* nothing was added by the refusals */

    char name[200];
    memset(name, 'n', 129);
    name[129] = '\0';
    assert_int_equal(http_form_add(&f, name, "v", &e), -1);
    assert_string_equal(e.msg, "a field name is too long (at most 128 bytes)");
    name[128] = '\0';
    assert_int_equal(http_form_add(&f, name, "v", &e), 0);
    http_form_free(&f);

    for (int i = 0; i < HTTP_MAX_FIELDS; i++)
        assert_int_equal(http_form_add(&f, "a", "1", &e), 0);
    assert_int_equal(http_form_add(&f, "a", "1", &e), -1);
    assert_string_equal(e.msg, "too many fields (at most 256)");
    assert_int_equal(f.n, 256);
    http_form_free(&f);
}

/* ---- http_cookie_get ---- */

static void test_cookie_get(void **state)
{
    (void)state;
    char v[64];
    assert_int_equal(http_cookie_get("duet_session=abc", "duet_session", v, sizeof v), 1);
    assert_string_equal(v, "abc");
    assert_int_equal(http_cookie_get("a=1; duet_session=s3cr3t; b=2", "duet_session", v,
                                     sizeof v), 1);
    assert_string_equal(v, "s3cr3t");
    assert_int_equal(http_cookie_get("a=1;b=2;c=3", "c", v, sizeof v), 1);
    assert_string_equal(v, "3");
    assert_int_equal(http_cookie_get("a=1;  \tb=2 ;c=3", "b", v, sizeof v), 1);
    assert_string_equal(v, "2");     /* spaces around the pair are not the value */
    assert_int_equal(http_cookie_get("a=1; b=x=y", "b", v, sizeof v), 1);
    assert_string_equal(v, "x=y");
    assert_int_equal(http_cookie_get("a=1; b=", "b", v, sizeof v), 1);
    assert_string_equal(v, "");
    /* The first of two with the same name. */
    assert_int_equal(http_cookie_get("s=first; s=second", "s", v, sizeof v), 1);
    assert_string_equal(v, "first");
}

static void test_cookie_names_match_whole(void **state)
{
    (void)state;
    char v[64];
    assert_int_equal(http_cookie_get("xduet_session=evil", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("duet_session_old=evil", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("duet_sessio=evil", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("duet_session", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("xduet_session=evil; duet_session=good", "duet_session",
                                     v, sizeof v), 1);
    assert_string_equal(v, "good");
    assert_int_equal(http_cookie_get("a=duet_session=evil", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get(";;; ", "duet_session", v, sizeof v), 0);
    assert_int_equal(http_cookie_get(NULL, "duet_session", v, sizeof v), 0);
}

static void test_cookie_too_long(void **state)
{
    (void)state;
    char v[4];
    assert_int_equal(http_cookie_get("s=abc", "s", v, sizeof v), 1);   /* 3 + NUL fits */
    assert_string_equal(v, "abc");
    assert_int_equal(http_cookie_get("s=abcd", "s", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("s=abcd; t=1", "s", v, sizeof v), 0);
    assert_int_equal(http_cookie_get("s=a", "s", v, 0), 0);
}

/* ---- http_parse_listen ---- */

static void listen_ok(const char *s, const char *host, int port)
{
    char h[64];
    int p = -1;
    duet_err e;
    assert_int_equal(http_parse_listen(s, h, sizeof h, &p, &e), 0);
    assert_string_equal(h, host);
    assert_int_equal(p, port);
}

static void listen_refused(const char *s, const char *msg)
{
    char h[64];
    int p = -1;
    duet_err e;
    assert_int_equal(http_parse_listen(s, h, sizeof h, &p, &e), -1);
    assert_int_equal(e.code, DUET_EINPUT);
    assert_string_equal(e.msg, msg);
    assert_int_equal(p, -1);
}

static void test_parse_listen(void **state)
{
    (void)state;
    listen_ok("127.0.0.1:8080", "127.0.0.1", 8080);
    listen_ok("0.0.0.0:80", "0.0.0.0", 80);
    listen_ok(":9000", "127.0.0.1", 9000);
    listen_ok("9000", "127.0.0.1", 9000);
    listen_ok("[::1]:8080", "::1", 8080);
    listen_ok("[::]:1", "::", 1);
    listen_ok("10.0.0.1:65535", "10.0.0.1", 65535);

    listen_refused("0", "--listen '0': the port must be a number 1..65535");
    listen_refused("127.0.0.1:0", "--listen '127.0.0.1:0': the port must be a number 1..65535");
    listen_refused("65536", "--listen '65536': the port must be a number 1..65535");
    listen_refused("99999999999999999999",
                   "--listen '99999999999999999999': the port must be a number 1..65535");
    listen_refused("abc", "--listen 'abc': the port must be a number 1..65535");
    listen_refused("localhost:http", "--listen 'localhost:http': the port must be a number 1..65535");
    listen_refused("127.0.0.1:", "--listen '127.0.0.1:': the port must be a number 1..65535");
    listen_refused("", "--listen '': the port must be a number 1..65535");
    listen_refused(":", "--listen ':': the port must be a number 1..65535");
    listen_refused("8080x", "--listen '8080x': the port must be a number 1..65535");
    listen_refused("-1", "--listen '-1': the port must be a number 1..65535");
    /* Only digits: strtol would also take a sign or leading blanks. */
    listen_refused("+80", "--listen '+80': the port must be a number 1..65535");
    listen_refused(" 80", "--listen ' 80': the port must be a number 1..65535");
    listen_refused("127.0.0.1: 80", "--listen '127.0.0.1: 80': the port must be a number 1..65535");
    listen_refused("[]:8080", "--listen '[]:8080': the host is missing or too long");
    listen_refused("[::1]8080", "--listen '[::1]8080': write an IPv6 address as [::1]:8080");
    listen_refused("[::1", "--listen '[::1': write an IPv6 address as [::1]:8080");
    listen_refused("[::1]:", "--listen '[::1]:': the port must be a number 1..65535");
}

static void test_parse_listen_host_size(void **state)
{
    (void)state;
    char h[10];
    int p = 0;
    duet_err e;
    /* "127.0.0.1" is 9 bytes: it needs 10 with the NUL. */
    assert_int_equal(http_parse_listen("127.0.0.1:80", h, 10, &p, &e), 0);
    assert_string_equal(h, "127.0.0.1");
    assert_int_equal(http_parse_listen("127.0.0.1:80", h, 9, &p, &e), -1);
    assert_string_equal(e.msg, "--listen '127.0.0.1:80': the host is missing or too long");
    assert_int_equal(http_parse_listen("80", h, 9, &p, &e), -1);
}

/* ---- http_route_match ---- */

static void test_route_literal(void **state)
{
    (void)state;
    char buf[256];
    const char *params[4];
    assert_int_equal(http_route_match("/sign-in", "/sign-in", buf, sizeof buf, params, 4), 0);
    assert_int_equal(http_route_match("/", "/", buf, sizeof buf, params, 4), 0);
    assert_int_equal(http_route_match("/sign-in", "/sign-in/", buf, sizeof buf, params, 4), -1);
    assert_int_equal(http_route_match("/sign-in", "/sign-inx", buf, sizeof buf, params, 4), -1);
    assert_int_equal(http_route_match("/sign-in", "/sign", buf, sizeof buf, params, 4), -1);
    assert_int_equal(http_route_match("/sign-in", "/SIGN-IN", buf, sizeof buf, params, 4), -1);
    assert_int_equal(http_route_match("/", "", buf, sizeof buf, params, 4), -1);
}

static void test_route_captures(void **state)
{
    (void)state;
    char buf[256];
    const char *params[4];
    const char *pat = "/partnerships/{code}/modules/{n}";
    assert_int_equal(http_route_match("/partnerships/{code}", "/partnerships/P01", buf,
                                      sizeof buf, params, 4), 1);
    assert_string_equal(params[0], "P01");
    assert_int_equal(http_route_match(pat, "/partnerships/P01/modules/3", buf, sizeof buf,
                                      params, 4), 2);
    assert_string_equal(params[0], "P01");
    assert_string_equal(params[1], "3");
    /* The captures point into buf, not into the path. */
    assert_true(params[0] >= buf && params[0] < buf + sizeof buf);
    assert_int_equal(http_route_match("/api/v1/partnerships/{code}/modules/{n}/checkin",
                                      "/api/v1/partnerships/P12/modules/10/checkin", buf,
                                      sizeof buf, params, 4), 2);
    assert_string_equal(params[0], "P12");
    assert_string_equal(params[1], "10");
}

static void test_route_decoding(void **state)
{
    (void)state;
    char buf[256];
    const char *params[4];
    const char *pat = "/partnerships/{code}";
    assert_int_equal(http_route_match(pat, "/partnerships/P%2001", buf, sizeof buf, params, 4), 1);
    assert_string_equal(params[0], "P 01");
    assert_int_equal(http_route_match(pat, "/partnerships/caf%c3%a9", buf, sizeof buf, params, 4), 1);
    assert_string_equal(params[0], "caf\xc3\xa9");
    /* A path is not a form: + stays a plus. */
    assert_int_equal(http_route_match(pat, "/partnerships/a+b", buf, sizeof buf, params, 4), 1);
    assert_string_equal(params[0], "a+b");
    assert_int_equal(http_route_match(pat, "/partnerships/%2541", buf, sizeof buf, params, 4), 1);
    assert_string_equal(params[0], "%41");   /* decoded once only */
    /* Decoding in place leaves the next segment intact. */
    assert_int_equal(http_route_match("/partnerships/{code}/modules/{n}",
                                      "/partnerships/%50%30%31/modules/%37", buf, sizeof buf,
                                      params, 4), 2);
    assert_string_equal(params[0], "P01");
    assert_string_equal(params[1], "7");
}

static void test_route_refusals(void **state)
{
    (void)state;
    char buf[256];
    const char *params[4];
    const char *one = "/partnerships/{code}";
    const char *two = "/partnerships/{code}/modules/{n}";
#define NO(pat, path) \
    assert_int_equal(http_route_match(pat, path, buf, sizeof buf, params, 4), -1)
    NO(one, "/partnerships/P01/");              /* trailing slash */
    NO(one, "/partnerships/");                  /* empty capture */
    NO(one, "/partnerships");
    NO(one, "/partnerships/P01/modules");       /* extra segments */
    NO(two, "/partnerships/P01/modules/3/x");
    NO(two, "/partnerships//modules/3");        /* empty segment */
    NO(two, "/partnerships/P01/modules/");
    NO(two, "/partnerships/P01/modules");
    NO(two, "/partnerships/P01/module/3");
    NO(one, "/partnerships/P%2F01");            /* an encoded slash */
    NO(one, "/partnerships/P%2f01");
    NO(one, "/partnerships/P%0A01");            /* control characters */
    NO(one, "/partnerships/P%09");
    NO(one, "/partnerships/P%0D");
    NO(one, "/partnerships/P%00");
    NO(one, "/partnerships/P%7F");
    NO(one, "/partnerships/%");                 /* malformed escapes */
    NO(one, "/partnerships/P%4");
    NO(one, "/partnerships/P%zz");
    NO(one, "/partnerships/%C3%28");            /* invalid UTF-8 */
    NO(one, "/partnerships/%C0%AF");
#undef NO
    /* More captures than params has room for. */
    assert_int_equal(http_route_match(two, "/partnerships/P01/modules/3", buf, sizeof buf,
                                      params, 1), -1);
    assert_int_equal(http_route_match(one, "/partnerships/P01", buf, sizeof buf, params, 0), -1);
    /* The path must fit in buf with its NUL. */
    assert_int_equal(http_route_match(one, "/partnerships/P01", buf, 17, params, 4), -1);
    assert_int_equal(http_route_match(one, "/partnerships/P01", buf, 18, params, 4), 1);
}

/* ---- http_same_origin ---- */

static void test_same_origin(void **state)
{
    (void)state;
    assert_int_equal(http_same_origin("http://127.0.0.1:8080", "127.0.0.1:8080", 0), 1);
    assert_int_equal(http_same_origin("https://duet.example.org", "duet.example.org", 1), 1);
    assert_int_equal(http_same_origin(NULL, "127.0.0.1:8080", 0), 1);
    assert_int_equal(http_same_origin(NULL, NULL, 1), 1);
    assert_int_equal(http_same_origin("http://127.0.0.1:8080", NULL, 0), 0);
    assert_int_equal(http_same_origin("http://evil.example", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("http://127.0.0.1:8081", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("http://127.0.0.1", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("http://127.0.0.1:8080.evil", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("http://127.0.0.1:8080/", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("null", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("127.0.0.1:8080", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("ftp://127.0.0.1:8080", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("", "", 0), 0);
    assert_int_equal(http_same_origin("", "", 1), 0);
}

/* The scheme must be the server's own (RFC 6454: an origin is scheme,
** host and port); the scheme's case does not matter (RFC 3986 3.1). */
static void test_same_origin_scheme(void **state)
{
    (void)state;
    assert_int_equal(http_same_origin("https://127.0.0.1:8080", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("http://127.0.0.1:8080", "127.0.0.1:8080", 1), 0);
    assert_int_equal(http_same_origin("https://duet.example.org", "duet.example.org", 0), 0);
    assert_int_equal(http_same_origin("HTTP://127.0.0.1:8080", "127.0.0.1:8080", 0), 1);
    assert_int_equal(http_same_origin("HTTPS://127.0.0.1:8080", "127.0.0.1:8080", 1), 1);
    assert_int_equal(http_same_origin("HTTPS://127.0.0.1:8080", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("http:/127.0.0.1:8080", "127.0.0.1:8080", 0), 0);
    assert_int_equal(http_same_origin("https:", "", 1), 0);
}

/* ---- http_form_repeated ---- */

static void test_form_repeated(void **state)
{
    (void)state;
    static const char *const codes[] = {"code", NULL};
    struct http_form f;
    duet_err e;
    assert_int_equal(parse("a=1&b=2&c=3", &f, &e), 0);
    assert_null(http_form_repeated(&f, NULL));
    http_form_free(&f);
    assert_int_equal(parse("a=1&b=2&a=3", &f, &e), 0);
    assert_string_equal(http_form_repeated(&f, NULL), "a");
    assert_string_equal(http_form_repeated(&f, codes), "a");
    http_form_free(&f);
    /* The same name written two ways is the same name once decoded. */
    assert_int_equal(parse("na%6De=x&name=y", &f, &e), 0);
    assert_string_equal(http_form_repeated(&f, NULL), "name");
    http_form_free(&f);
    /* Empty values count too; a listed name may repeat, others may not. */
    assert_int_equal(parse("code=A&code=B&csrf=t&code=C&csrf=", &f, &e), 0);
    assert_string_equal(http_form_repeated(&f, codes), "csrf");
    http_form_free(&f);
    assert_int_equal(parse("code=A&code=B&csrf=t", &f, &e), 0);
    assert_null(http_form_repeated(&f, codes));
    assert_string_equal(http_form_repeated(&f, NULL), "code");
    http_form_free(&f);
    /* Names differ by case: two fields. */
    assert_int_equal(parse("A=1&a=2", &f, &e), 0);
    assert_null(http_form_repeated(&f, NULL));
    http_form_free(&f);
    assert_int_equal(parse("", &f, &e), 0);
    assert_null(http_form_repeated(&f, NULL));
    http_form_free(&f);
}

/* ---- http_media_type_is ---- */

static void test_media_type(void **state)
{
    (void)state;
    const char *json = "application/json";
    /* RFC 9110 8.3.1: type and subtype and parameter names are case-
    ** insensitive; OWS around ';'; a value may be quoted. */
    static const char *const yes[] = {
        "application/json", "Application/JSON", "application/json; charset=utf-8",
        "application/json;charset=UTF-8", "application/json ; charset=\"utf-8\"",
        "  application/json  ", "application/json;\tCharset=Utf-8",
    };
    static const char *const no[] = {
        "", "text/plain", "text/plain; charset=utf-8", "application/jsonx", "application/json-seq",
        "application/json+x", "text/json", "application/json; charset=utf-16",
        "application/json; charset=latin1", "application/json; charset=utf-8x",
        "application/json; charset=\"utf-8", "application/json; charset=utf-8; q=1",
        "application/json; foo=bar", "application/json;", "application/json, text/plain",
        "application/json charset=utf-8", "xapplication/json", "application/ json",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!http_media_type_is(yes[i], json))
            fail_msg("'%s' should be %s", yes[i], json);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (http_media_type_is(no[i], json))
            fail_msg("'%s' should not be %s", no[i], json);
    assert_int_equal(http_media_type_is(NULL, json), 0);
    const char *form = "application/x-www-form-urlencoded";
    assert_int_equal(http_media_type_is("application/x-www-form-urlencoded", form), 1);
    assert_int_equal(http_media_type_is("application/x-www-form-urlencoded;charset=UTF-8", form), 1);
    assert_int_equal(http_media_type_is("application/x-www-form-urlencodedX", form), 0);
    assert_int_equal(http_media_type_is("multipart/form-data; boundary=x", form), 0);
}

/* ---- http_safe_path ---- */

/* Each of these is resolved by the WHATWG URL parser, against a base of
** http://h/, either to another origin ("//evil", "/\evil" after tab and
** backslash handling), to a scheme ("javascript:"), or to something that
** decodes to one; each must be refused. */
static void test_safe_path_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        NULL, "", "home", "evil.com", "//evil.com", "///evil.com", "/\\evil.com", "\\/evil.com",
        "\\\\evil.com", "/\t/evil.com", "\t//evil.com", " //evil.com", "/ /evil.com",
        "/\n/evil.com", "/\r/evil.com", "/\r\nLocation: x", "/\x01", "/\x1f", "/\x7f",
        "/\xc2\x85/evil", "/\xe2\x80\xa8/evil", "/\xe2\x80\xa9", "/\xc2\xa0", "/\xef\xbc\x8f\xef\xbc\x8f",
        "/\xc3\xa9", "/\xff", "https://evil.com", "http://evil.com", "https:/evil.com",
        "javascript:alert(1)", "/a:b", "/@evil.com", "/x#y", "/x\"y", "/x<y", "/x>y",
        "/x`y", "/x^y", "/x{y", "/x|y", "/x[y",
        "/%2F%2Fevil.com", "/%2f%2fevil.com", "/%2F", "/%5Cevil", "/%5c", "/%09", "/%0a",
        "/%0D%0A", "/%00", "/%1F", "/%7F", "/%7f", "/%2e%2e/x", "/%2E", "/.%2F%2Fevil",
        "/%C2%85", "/%c2%9f", "/%E2%80%A8", "/%E2%80%a9", "/%C3", "/%C3%28", "/%FF", "/%C0%AF",
        "/%", "/%2", "/%zz", "/%2g", "/%g2",
        "/.", "/..", "/./x", "/../x", "/a/./b", "/a/../b", "/a/..", "/..?x=1", "/a//b",
        "/..//evil.com", "/.//evil.com",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (http_safe_path(bad[i]))
            fail_msg("bad[%zu] '%s' was accepted", i, bad[i] ? bad[i] : "(null)");
    /* Longer than HTTP_SAFE_PATH_MAX (400) bytes. */
    char longp[402];
    longp[0] = '/';
    memset(longp + 1, 'a', 400);
    longp[401] = '\0';
    assert_int_equal(http_safe_path(longp), 0);
    longp[400] = '\0';   /* exactly 400 */
    assert_int_equal(http_safe_path(longp), 1);
}

static void test_safe_path_kept(void **state)
{
    (void)state;
    static const char *const good[] = {
        "/", "/home", "/partnerships/P01", "/cohorts/Demo%20cohort%202026", "/reflections?x=1",
        "/partnerships/P01/modules/1/checkin", "/cohorts/Caf%C3%A9", "/cohorts/%E2%82%AC",
        "/x?a=1&b=2", "/x!$'()*+,;=", "/a-b_c.d~e", "/.well-known", "/...", "/a..b", "/a/.b",
        "/x?a=./..", "/x?y=?", "/x/", "/%41", "/%25", "/%20", "/%F0%9F%98%80",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!http_safe_path(good[i]))
            fail_msg("good[%zu] '%s' was refused", i, good[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_basic_fields),
        cmocka_unit_test(test_form_decoding),
        cmocka_unit_test(test_form_missing_equals_and_empty_pairs),
        cmocka_unit_test(test_form_duplicates_first_wins),
        cmocka_unit_test(test_form_malformed_escapes),
        cmocka_unit_test(test_form_control_characters),
        cmocka_unit_test(test_form_invalid_utf8),
        cmocka_unit_test(test_form_field_limit),
        cmocka_unit_test(test_form_name_limit),
        cmocka_unit_test(test_form_message_names_field_whole_characters),
        cmocka_unit_test(test_form_add),
        cmocka_unit_test(test_cookie_get),
        cmocka_unit_test(test_cookie_names_match_whole),
        cmocka_unit_test(test_cookie_too_long),
        cmocka_unit_test(test_parse_listen),
        cmocka_unit_test(test_parse_listen_host_size),
        cmocka_unit_test(test_route_literal),
        cmocka_unit_test(test_route_captures),
        cmocka_unit_test(test_route_decoding),
        cmocka_unit_test(test_route_refusals),
        cmocka_unit_test(test_same_origin),
        cmocka_unit_test(test_same_origin_scheme),
        cmocka_unit_test(test_form_repeated),
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_safe_path_refusals),
        cmocka_unit_test(test_safe_path_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
