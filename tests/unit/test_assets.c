/*
** test_assets.c — web/assets: reading a manifest ("NAME [HASHED [br] [gz]]")
** and its refusals, assets_href, and the Accept-Encoding choice. Expected
** choices are worked by hand from RFC 9110 12.5.3 (q=0 refuses; a coding not
** named takes *'s q; identity stays acceptable unless refused).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "web/assets.h"

enum { BR = 0, GZIP = 1, IDENTITY = 2 };

static char dir[] = "/tmp/duet-test-assets-XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    put("a.css", "body{}");
    put("a.css.br", "BR");
    put("a.css.gz", "GZ");
    put("b.png", "PNG");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assets_free();
    const char *names[] = {"a.css", "a.css.br", "a.css.gz", "b.png", "manifest.txt"};
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}

static void test_load_and_href(void **state)
{
    (void)state;
    duet_err e = {0};
    put("manifest.txt", "a.css a.0123abcd4567.css br gz\nb.png\n");
    assert_int_equal(assets_load(dir, &e), 0);
    assert_string_equal(assets_href("/assets/a.css"), "/assets/a.0123abcd4567.css");
    assert_string_equal(assets_href("/assets/b.png"), "/assets/b.png");   /* no hashed name */
    assert_string_equal(assets_href("/assets/c.js"), "/assets/c.js");     /* not an asset */
    assets_free();
    assert_string_equal(assets_href("/assets/a.css"), "/assets/a.css");   /* table empty */
}

/* Each bad manifest is refused with a message naming the line and why. */
static void test_refusals(void **state)
{
    (void)state;
    static const struct { const char *manifest, *msg; } bad[] = {
        {"a.css a.css\n", "'a.css' is not 'a.css' with a hex hash before its extension"},
        {"a.css a.0123abc.css\n", "is not 'a.css' with a hex hash"},          /* 7 digits */
        {"a.css a.0123ABCD4567.css\n", "is not 'a.css' with a hex hash"},     /* upper case */
        {"a.css b.0123abcd4567.css\n", "is not 'a.css' with a hex hash"},
        {"a.css a.0123abcd4567.js\n", "is not 'a.css' with a hex hash"},
        {"a.css a.0123abcd4567.css zstd\n", "'zstd' is not a precompressed copy (br or gz)"},
        {"a.css a.0123abcd4567.css br br\n", "'br' is listed twice"},
        {"a.css a.0123abcd4567.css br gz x\n", "more than 4 fields"},
        {"../a.css\n", "'../a.css' is not a plain relative file name"},
        {"a.css ../a.0123abcd4567.css\n", "is not a plain relative file name"},
        {"b.png b.0123abcd4567.png br\n", "b.png.br: listed in the manifest but cannot be read"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        duet_err e = {0};
        put("manifest.txt", bad[i].manifest);
        assert_int_not_equal(assets_load(dir, &e), 0);
        if (strstr(e.msg, bad[i].msg) == NULL)
            fail_msg("manifest '%s': message '%s' lacks '%s'", bad[i].manifest, e.msg, bad[i].msg);
        assert_non_null(strstr(e.msg, "manifest.txt:1") ? e.msg : strstr(e.msg, "cannot be read"));
        /* Nothing of a refused manifest is served. */
        assert_string_equal(assets_href("/assets/a.css"), "/assets/a.css");
    }
}

static void test_pick_encoding(void **state)
{
    (void)state;
    static const struct { const char *accept; int br, gz, want; } cases[] = {
        {NULL, 1, 1, IDENTITY},                 /* no header: the file as it is */
        {"", 1, 1, IDENTITY},
        {"br, gzip", 1, 1, BR},
        {"gzip, deflate, br, zstd", 1, 1, BR},
        {"gzip", 1, 1, GZIP},
        {"br", 0, 1, IDENTITY},                 /* br wanted, but no br copy */
        {"br, gzip", 0, 1, GZIP},
        {"br, gzip", 0, 0, IDENTITY},
        {"br;q=0, gzip", 1, 1, GZIP},
        {"br;q=0.0, gzip;q=0.000", 1, 1, IDENTITY},
        {"gzip;q=1, br;q=0.5", 1, 1, GZIP},
        {"gzip;q=0.9, br;q=0.9", 1, 1, BR},
        {"identity;q=1, gzip;q=0.5", 1, 1, IDENTITY},
        {"identity, gzip", 1, 1, GZIP},         /* tie: gzip before identity */
        {"*", 1, 1, BR},
        {"*;q=0", 1, 1, IDENTITY},              /* nothing left: sent as it is */
        {"*;q=0.5, br;q=0", 1, 1, GZIP},
        {"*;q=0.5, identity;q=0.6", 1, 1, IDENTITY},
        {"Gzip;Q=0.5, BR;q=0.4", 1, 1, GZIP},
        {"x-gzip", 1, 1, GZIP},
        {"br;q=1.000", 1, 1, BR},
        {"br;q=1.001, gzip;q=0.1", 1, 1, GZIP}, /* not a qvalue: refused */
        {"br;q=2, gzip", 1, 1, GZIP},
        {"br;q=, gzip", 1, 1, GZIP},
        {"br;q=0.0001, gzip;q=0.1", 1, 1, GZIP},/* four decimals: not a qvalue */
        {"br ; q=0.5 , gzip ; q=0.6", 1, 1, GZIP},
        {"br;level=5", 1, 1, BR},               /* other parameters are ignored */
        {",,, ;;; ,", 1, 1, IDENTITY},
        {"brotli, gzipx", 1, 1, IDENTITY},      /* names must match whole */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = assets_pick_encoding(cases[i].accept, cases[i].br, cases[i].gz);
        if (got != cases[i].want)
            fail_msg("Accept-Encoding '%s' (br %d, gz %d): got %d, want %d",
                     cases[i].accept ? cases[i].accept : "(none)", cases[i].br, cases[i].gz,
                     got, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_href),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_pick_encoding),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
