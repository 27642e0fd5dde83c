/*
** test_auth.c — accounts, passwords, sessions and API tokens (app/auth.h),
** the account tables of the store behind them, cohort staff, the demo
** sign-ins and the upgrade of a version-1 database.
**
** Every test gets its own fresh database file (mkstemp in /tmp), removed
** afterwards, and forgets the in-memory rate limits first. The programme is
** made by hand: cohort "Cohort 1" with partnership P1 (amira.k, patient
** leader, with sam.t, commissioner), and the facilitator fac.h. Times are
** passed in (T0 and offsets from it), so timeouts and windows are tested
** without waiting. Expected messages are written by hand, never copied from
** what the code under test returned.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/auth.h"
#include "app/setup.h"
#include "core/err.h"
#include "store/store.h"
#include "testlib.h"

#define NOW "2026-03-01T09:00:00Z"
#define T0 ((int64_t)1772355600)   /* 2026-03-01T09:00:00Z */
#define MIN 60
#define HOUR 3600
#define PW "correct horse battery"
#define WRONG "the person key or the password is wrong"
#define ENDED "the session has ended; sign in again"
#define BAD_TOKEN "the API token is not valid (expired or revoked, or its account disabled)"

/* ------------------------------------------------------------------ */
/* fixture and helpers                                                 */

static void add_person(struct store *st, const char *key, const char *name)
{
    struct store_person p = {key, name, "Org", NULL};
    OK(store_person_add(st, &p, NULL, e));
}

/* The common world (tl_world_open: programme "Alpha", cohort "Cohort 1",
** partnership P1 of amira.k and sam.t) and the facilitator fac.h. */
static int setup(void **state)
{
    struct tl_world *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    auth_reset_limits();
    if (tl_world_open(f, "auth", 0) != 0) {
        free(f);
        return -1;
    }
    add_person(f->st, "fac.h", "Helen (facilitator)");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct tl_world *f = *state;
    tl_world_close(f);
    free(f);
    return 0;
}

static void add_user(struct store *st, const char *person, const char *role)
{
    OK(auth_user_add(st, person, role, PW, e));
}

/* A token for person that lasts days; its text into token. */
static int64_t make_token(struct store *st, const char *person, const char *label, int days,
                          char token[AUTH_TOKEN_SIZE])
{
    struct auth_token_made t;
    OK(auth_token_create(st, person, label, days, &t, e));
    memcpy(token, t.token, AUTH_TOKEN_SIZE);
    return t.id;
}

static struct auth_session login(struct store *st, const char *person, int64_t now)
{
    struct auth_session s;
    OK(auth_login(st, person, PW, "192.0.2.1", now, &s, e));
    return s;
}

/* ------------------------------------------------------------------ */
/* roles and the password policy                                       */

static void test_roles(void **state)
{
    (void)state;
    static const char *const names[] = {"participant", "facilitator", "researcher", "admin"};
    static const enum auth_role roles[] = {AUTH_PARTICIPANT, AUTH_FACILITATOR,
                                           AUTH_RESEARCHER, AUTH_ADMIN};
    for (int i = 0; i < 4; i++) {
        enum auth_role r = AUTH_NONE;
        OK(auth_role_parse(names[i], &r, e));
        assert_int_equal(r, roles[i]);
        assert_string_equal(auth_role_name(roles[i]), names[i]);
    }
    assert_string_equal(auth_role_name(AUTH_NONE), "");
    enum auth_role r = AUTH_ADMIN;
    REFUSED(auth_role_parse("Admin", &r, e), DUET_EINPUT,
            "role 'Admin' is not one of participant, facilitator, researcher, admin");
    REFUSED(auth_role_parse(NULL, &r, e), DUET_EINPUT,
            "role '' is not one of participant, facilitator, researcher, admin");
    assert_int_equal(r, AUTH_ADMIN);
}

static void test_policy(void **state)
{
    (void)state;
    REFUSED(auth_password_policy("kestrel", e), DUET_EINPUT,
            "the password has 7 characters; use at least 8");
    OK(auth_password_policy("kestrel9", e));
    /* Characters, not bytes: 7 characters in 9 bytes, then 8 in 10. */
    REFUSED(auth_password_policy("\xc3\xb1" "and\xc3\xba" "es", e), DUET_EINPUT,
            "the password has 7 characters; use at least 8");
    OK(auth_password_policy("\xc3\xb1" "and\xc3\xba" "es!", e));
    /* 7 CJK characters are 21 bytes and still too short. */
    REFUSED(auth_password_policy("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x91"
                                 "\xe3\x82\xb9\xe3\x83\xaf", e),
            DUET_EINPUT, "the password has 7 characters; use at least 8");
    REFUSED(auth_password_policy("x", e), DUET_EINPUT,
            "the password has 1 character; use at least 8");
    REFUSED(auth_password_policy("", e), DUET_EINPUT, "the password is empty");
    REFUSED(auth_password_policy(NULL, e), DUET_EINPUT, "the password is empty");

    const char *common = "the password is one of the most common passwords; choose another "
                         "(a few unrelated words make a good one)";
    REFUSED(auth_password_policy("password1", e), DUET_EINPUT, common);
    REFUSED(auth_password_policy("PassWord1", e), DUET_EINPUT, common);
    REFUSED(auth_password_policy("LIVERPOOL", e), DUET_EINPUT, common);
    REFUSED(auth_password_policy("12345678", e), DUET_EINPUT, common);
    OK(auth_password_policy("liverpool docks at dawn", e));

    /* The longest: 256 letters a..w over and over (a 23-letter sequence
    ** repeated is not refused: only sequences of up to 4 are). */
    char longest[AUTH_PASSWORD_MAX + 2];
    for (int i = 0; i < AUTH_PASSWORD_MAX; i++)
        longest[i] = (char)('a' + i % 23);
    longest[AUTH_PASSWORD_MAX] = '\0';
    OK(auth_password_policy(longest, e));
    longest[AUTH_PASSWORD_MAX] = 'k';
    longest[AUTH_PASSWORD_MAX + 1] = '\0';
    REFUSED(auth_password_policy(longest, e), DUET_EINPUT,
            "the password is longer than 256 bytes");

    REFUSED(auth_password_policy("abc\xff\xfe" "defgh", e), DUET_EINPUT,
            "the password is not valid UTF-8");
    REFUSED(auth_password_policy("\xc0\xaf" "abcdefgh", e), DUET_EINPUT,
            "the password is not valid UTF-8");   /* an overlong '/' */
}

/* NIST SP 800-63B's context-specific words and repetitive passwords: a
** password made of one character, or of one short sequence (1 to 4
** characters) said again and again, and one containing "duet", whatever
** the case. Examples made by hand. */
static void test_policy_repetition_and_service_name(void **state)
{
    (void)state;
    const char *one = "the password is one character repeated; choose one that is harder "
                      "to guess";
    const char *seq = "the password is a short sequence repeated (such as 'abcabcabc'); "
                      "choose one that is harder to guess";
    const char *duet = "the password contains the name of this service ('duet'); choose one "
                       "without it";
    REFUSED(auth_password_policy("aaaaaaaa", e), DUET_EINPUT, one);
    REFUSED(auth_password_policy("zzzzzzzzz", e), DUET_EINPUT, one);
    REFUSED(auth_password_policy("AAAAaaaa", e), DUET_EINPUT, one);   /* whatever the case */
    /* Characters, not bytes: 8 times U+00F1 is 16 bytes of two kinds. */
    REFUSED(auth_password_policy("\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1"
                                 "\xc3\xb1", e), DUET_EINPUT, one);
    REFUSED(auth_password_policy("abababab", e), DUET_EINPUT, seq);           /* 'ab' x 4 */
    REFUSED(auth_password_policy("abcabcabc", e), DUET_EINPUT, seq);          /* 'abc' x 3 */
    REFUSED(auth_password_policy("xyzXYZxyz", e), DUET_EINPUT, seq);          /* any case */
    REFUSED(auth_password_policy("1234123412341234", e), DUET_EINPUT, seq);   /* '1234' x 4 */
    REFUSED(auth_password_policy("k9!k9!k9!k9!", e), DUET_EINPUT, seq);       /* 'k9!' x 4 */
    /* Not the whole password, or a sequence longer than 4: accepted. */
    OK(auth_password_policy("abab1212", e));
    OK(auth_password_policy("abcabcab", e));
    OK(auth_password_policy("abcdeabcde", e));
    OK(auth_password_policy("aaaaaaaab", e));

    REFUSED(auth_password_policy("duet rehearsal night", e), DUET_EINPUT, duet);
    REFUSED(auth_password_policy("my-DUET-password-7", e), DUET_EINPUT, duet);
    REFUSED(auth_password_policy("minuetDuEt", e), DUET_EINPUT, duet);
    OK(auth_password_policy("du et is not one word", e));
    OK(auth_password_policy("a duel at dawn", e));
}

/* The sign-in name (person key) and the words of the display name (4
** characters or more) may not be in the password, whatever the case: the
** fixture's people are amira.k "Amira K", sam.t "Sam T" and fac.h
** "Helen (facilitator)". Refused before any account is made. */
static void test_policy_personal_words(void **state)
{
    struct tl_world *f = *state;
    add_person(f->st, "mj.oneill", "Mary-Jane O'Neill");
    add_person(f->st, "zoe.b", "Zo\xc3\xab Bront\xc3\xab");   /* Zoë Brontë */
    REFUSED(auth_user_add(f->st, "amira.k", "participant", "my amira.k secret", e), DUET_EINPUT,
            "the password contains the sign-in name 'amira.k'; choose one without it");
    REFUSED(auth_user_add(f->st, "amira.k", "participant", "xAMIRA.Kx lantern", e),
            DUET_EINPUT, "the password contains the sign-in name 'amira.k'; choose one "
            "without it");
    REFUSED(auth_user_add(f->st, "amira.k", "participant", "amira sings loudly", e),
            DUET_EINPUT, "the password contains 'Amira' from the person's name; choose one "
            "without it");
    REFUSED(auth_user_add(f->st, "fac.h", "facilitator", "the FACILITATOR rocks", e),
            DUET_EINPUT, "the password contains 'facilitator' from the person's name; choose "
            "one without it");
    REFUSED(auth_user_add(f->st, "fac.h", "facilitator", "helen of troy!!", e), DUET_EINPUT,
            "the password contains 'Helen' from the person's name; choose one without it");
    /* Words are split at anything but letters and digits. */
    REFUSED(auth_user_add(f->st, "mj.oneill", "participant", "janet and john", e), DUET_EINPUT,
            "the password contains 'Jane' from the person's name; choose one without it");
    REFUSED(auth_user_add(f->st, "mj.oneill", "participant", "oneill-neill-nil", e),
            DUET_EINPUT, "the password contains 'Neill' from the person's name; choose one "
            "without it");
    /* Letters outside ASCII count as letters; only A-Z are folded. */
    REFUSED(auth_user_add(f->st, "zoe.b", "participant", "BRONT\xc3\xab fan club", e),
            DUET_EINPUT, "the password contains 'Bront\xc3\xab' from the person's name; "
            "choose one without it");
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM account"), 0);
    /* Shorter words ("Sam"; "Zoe" with its diaeresis: 3 characters in 4 bytes; "O") and
    ** parts of the key ("mj") are not checked: these are accepted. */
    OK(auth_user_add(f->st, "sam.t", "participant", "sam likes tea!", e));
    OK(auth_user_add(f->st, "zoe.b", "participant", "zo\xc3\xab paints wrens", e));
    OK(auth_user_add(f->st, "mj.oneill", "participant", "mj o walks far", e));
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM account"), 3);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* src/app/common_passwords.c is generated from data/common-passwords.txt;
** the two must hold the same entries (tests run from the repository root). */
static void test_common_list_matches_file(void **state)
{
    (void)state;
    FILE *f = fopen("data/common-passwords.txt", "r");
    if (f == NULL)
        fail_msg("data/common-passwords.txt: cannot open (run from the repository root)");
    char *lines[2048];
    size_t n = 0;
    char buf[512];
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        if (buf[0] == '\0' || buf[0] == '#')
            continue;
        assert_true(n < 2048);
        lines[n++] = strdup(buf);
    }
    fclose(f);
    qsort(lines, n, sizeof lines[0], cmp_str);

    const char *const *list;
    size_t count = auth_common_passwords(&list);
    assert_true(count >= 300);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(list[i], lines[i]);
        assert_true(strlen(list[i]) >= AUTH_PASSWORD_MIN);
        for (const char *p = list[i]; *p; p++)
            assert_false(*p >= 'A' && *p <= 'Z');
        if (i > 0)   /* strictly sorted: the policy bisects */
            assert_true(strcmp(list[i - 1], list[i]) < 0);
        free(lines[i]);
    }
}

/* ------------------------------------------------------------------ */
/* hashing and accounts                                                */

static void test_hash_round_trip(void **state)
{
    (void)state;
    char h1[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
    OK(auth_password_hash(PW, h1, e));
    OK(auth_password_hash(PW, h2, e));
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_string_not_equal(h1, h2);   /* a fresh salt each time */
    assert_int_equal(crypto_pwhash_str_verify(h1, PW, strlen(PW)), 0);
    assert_int_equal(crypto_pwhash_str_verify(h2, PW, strlen(PW)), 0);
    assert_int_not_equal(crypto_pwhash_str_verify(h1, "correct horse battery!", 22), 0);
}

static void test_user_add_and_list(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    add_user(f->st, "fac.h", "facilitator");
    REFUSED(auth_user_add(f->st, "amira.k", "admin", "another good password", e),
            DUET_ECONFLICT, "an account for person 'amira.k' already exists");
    REFUSED(auth_user_add(f->st, "nobody", "admin", PW, e), DUET_ENOTFOUND,
            "person 'nobody' does not exist");
    REFUSED(auth_user_add(f->st, "sam.t", "owner", PW, e), DUET_EINPUT,
            "role 'owner' is not one of participant, facilitator, researcher, admin");
    REFUSED(auth_user_add(f->st, "sam.t", "admin", "Sam.T", e), DUET_EINPUT,
            "the password has 5 characters; use at least 8");
    REFUSED(auth_user_add(f->st, "sam.t", "admin", "qwerty123", e), DUET_EINPUT,
            "the password is one of the most common passwords; choose another "
            "(a few unrelated words make a good one)");
    add_person(f->st, "longname.k", "Long");
    REFUSED(auth_user_add(f->st, "longname.k", "admin", "LongName.K", e), DUET_EINPUT,
            "the password contains the sign-in name 'longname.k'; choose one without it");
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM account"), 2);

    json_t *list;
    OK((list = auth_user_list(f->st, e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    json_t *first = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(first, "person")), "amira.k");
    assert_string_equal(json_string_value(json_object_get(first, "display_name")), "Amira K");
    assert_string_equal(json_string_value(json_object_get(first, "role")), "participant");
    assert_string_equal(json_string_value(json_object_get(first, "created_at")), NOW);
    assert_true(json_is_null(json_object_get(first, "disabled_at")));
    assert_int_equal(json_object_size(first), 5);   /* no hash, no id */
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "role")),
                        "facilitator");
    json_decref(list);

    /* The store has the Argon2id hash; the audit log has neither it nor the
    ** password: only the person id and the role. */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM account WHERE "
                                      "password_hash LIKE '$argon2id$%'"), 2);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit_payload WHERE "
                                      "new_value LIKE '%argon2%' OR new_value LIKE '%horse%'"), 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit a JOIN audit_payload p "
                                      "ON p.seq = a.seq WHERE a.tbl = 'account' AND "
                                      "p.new_value = '{\"person_id\":1,\"role\":\"participant\"}'"),
                     1);
    struct store_audit_report r;
    OK(store_audit_verify(f->st, &r, e));
    assert_int_equal(r.first_bad, 0);
}

/* ------------------------------------------------------------------ */
/* sessions                                                            */

static void test_login_resume_logout(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s = login(f->st, "amira.k", T0);
    assert_int_equal(strlen(s.token), AUTH_TOKEN_SIZE - 1);
    assert_int_equal(strlen(s.csrf), AUTH_TOKEN_SIZE - 1);
    assert_string_not_equal(s.token, s.csrf);
    assert_int_equal(s.created_at, T0);
    assert_int_equal(s.who.role, AUTH_PARTICIPANT);
    assert_int_equal(s.who.person_id, 1);
    assert_true(s.who.account_id > 0);
    assert_string_equal(s.who.person_key, "amira.k");
    assert_string_equal(s.who.display_name, "Amira K");
    /* Only the digest is stored. */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM session WHERE length(token_hash) = 32"),
                     1);

    struct auth_session r;
    OK(auth_session_resume(f->st, s.token, T0 + 5 * MIN, &r, e));
    assert_string_equal(r.token, s.token);
    assert_string_equal(r.csrf, s.csrf);
    assert_int_equal(r.created_at, T0);
    assert_int_equal(r.who.account_id, s.who.account_id);
    assert_string_equal(r.who.person_key, "amira.k");
    assert_int_equal(r.who.role, AUTH_PARTICIPANT);

    OK(auth_logout(f->st, s.token, T0 + 6 * MIN, e));
    REFUSED(auth_session_resume(f->st, s.token, T0 + 7 * MIN, &r, e), DUET_EDENIED, ENDED);
    OK(auth_logout(f->st, s.token, T0 + 8 * MIN, e));     /* again: nothing to do */
    OK(auth_logout(f->st, "not a token", T0 + 8 * MIN, e));
    REFUSED(auth_session_resume(f->st, "not a token", T0, &r, e), DUET_EDENIED, ENDED);
    REFUSED(auth_session_resume(f->st, NULL, T0, &r, e), DUET_EDENIED, ENDED);
    /* Right shape, never issued. */
    REFUSED(auth_session_resume(f->st, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", T0, &r, e),
            DUET_EDENIED, ENDED);
}

static void test_touch_at_most_once_a_minute(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s = login(f->st, "amira.k", T0), r;
    OK(auth_session_resume(f->st, s.token, T0 + 30, &r, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_seen FROM session"), T0);
    OK(auth_session_resume(f->st, s.token, T0 + 60, &r, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_seen FROM session"), T0);
    OK(auth_session_resume(f->st, s.token, T0 + 61, &r, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_seen FROM session"), T0 + 61);
    /* A request that arrives late with an older time never moves it back. */
    unsigned char digest[32];
    crypto_hash_sha256(digest, (const unsigned char *)s.token, strlen(s.token));
    OK(store_session_touch(f->st, digest, T0 + 30, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_seen FROM session"), T0 + 61);
    OK(store_session_touch(f->st, digest, T0 + 90, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_seen FROM session"), T0 + 90);
}

static void test_idle_timeout(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s = login(f->st, "amira.k", T0), r;
    REFUSED(auth_session_resume(f->st, s.token, T0 + 31 * MIN, &r, e), DUET_EDENIED, ENDED);

    s = login(f->st, "amira.k", T0);
    OK(auth_session_resume(f->st, s.token, T0 + 29 * MIN, &r, e));
    OK(auth_session_resume(f->st, s.token, T0 + 58 * MIN, &r, e));   /* 29 min idle */
    REFUSED(auth_session_resume(f->st, s.token, T0 + 89 * MIN, &r, e), DUET_EDENIED, ENDED);
}

static void test_absolute_timeout(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s = login(f->st, "amira.k", T0), r;
    int64_t t = T0;
    for (t = T0 + 10 * MIN; t <= T0 + 12 * HOUR; t += 10 * MIN)
        OK(auth_session_resume(f->st, s.token, t, &r, e));
    /* Busy all along, never idle: still refused after 12 hours. */
    assert_true(t > T0 + 12 * HOUR);
    REFUSED(auth_session_resume(f->st, s.token, t, &r, e), DUET_EDENIED, ENDED);
}

static void test_no_fixation(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session a = login(f->st, "amira.k", T0);
    struct auth_session b = login(f->st, "amira.k", T0 + 1);
    assert_string_not_equal(a.token, b.token);
    assert_string_not_equal(a.csrf, b.csrf);
    struct auth_session r;
    OK(auth_logout(f->st, a.token, T0 + 2, e));
    REFUSED(auth_session_resume(f->st, a.token, T0 + 3, &r, e), DUET_EDENIED, ENDED);
    OK(auth_session_resume(f->st, b.token, T0 + 3, &r, e));
    assert_string_equal(r.csrf, b.csrf);
}

static void test_sessions_pruned_at_sign_in(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    add_user(f->st, "sam.t", "participant");
    struct auth_session a = login(f->st, "amira.k", T0);
    struct auth_session b = login(f->st, "amira.k", T0);
    login(f->st, "sam.t", T0 + 20 * MIN);
    OK(auth_logout(f->st, b.token, T0 + 20 * MIN, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM session"), 3);
    /* a is idle for 40 minutes and b ended: both go; sam's (20 minutes) stays. */
    login(f->st, "sam.t", T0 + 40 * MIN);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM session"), 2);
    struct auth_session r;
    REFUSED(auth_session_resume(f->st, a.token, T0 + 40 * MIN, &r, e), DUET_EDENIED, ENDED);
}

/* ------------------------------------------------------------------ */
/* wrong credentials and rate limits                                   */

static void test_same_answer_for_every_wrong_sign_in(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    add_user(f->st, "sam.t", "participant");
    OK(auth_user_disable(f->st, "sam.t", e));
    struct auth_session s;
    memset(&s, 0x5a, sizeof s);
    REFUSED(auth_login(f->st, "amira.k", "not the password", "192.0.2.1", T0, &s, e),
            DUET_EDENIED, WRONG);
    REFUSED(auth_login(f->st, "nobody", PW, "192.0.2.1", T0, &s, e), DUET_EDENIED, WRONG);
    REFUSED(auth_login(f->st, "fac.h", PW, "192.0.2.1", T0, &s, e), DUET_EDENIED, WRONG);
    REFUSED(auth_login(f->st, "sam.t", PW, "192.0.2.1", T0, &s, e), DUET_EDENIED, WRONG);
    REFUSED(auth_login(f->st, "amira.k", "", "192.0.2.1", T0, &s, e), DUET_EDENIED, WRONG);
    /* The output is untouched on failure. */
    assert_int_equal((unsigned char)s.token[0], 0x5a);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM session"), 0);
}

static void test_rate_limit_per_account(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s;
    for (int i = 0; i < AUTH_FAILS_PER_ACCOUNT; i++)
        REFUSED(auth_login(f->st, "amira.k", "guess guess", "192.0.2.1", T0 + i, &s, e),
                DUET_EDENIED, WRONG);
    /* The right password does not help now, nor from another address. */
    REFUSED(auth_login(f->st, "amira.k", PW, "192.0.2.1", T0 + 10, &s, e), DUET_ELIMIT,
            "too many failed sign-in attempts; try again in 15 minutes");
    REFUSED(auth_login(f->st, "amira.k", PW, "198.51.100.7", T0 + 14 * MIN, &s, e),
            DUET_ELIMIT, "too many failed sign-in attempts; try again in 1 minute");
    /* Other accounts are not affected. */
    add_user(f->st, "sam.t", "participant");
    login(f->st, "sam.t", T0 + 10);
    /* Once the window has passed, it works. */
    OK(auth_login(f->st, "amira.k", PW, "192.0.2.1", T0 + AUTH_FAIL_WINDOW, &s, e));
}

static void test_success_starts_the_count_again(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < AUTH_FAILS_PER_ACCOUNT - 1; i++)
            REFUSED(auth_login(f->st, "amira.k", "guess guess", NULL, T0 + i, &s, e),
                    DUET_EDENIED, WRONG);
        OK(auth_login(f->st, "amira.k", PW, NULL, T0 + 10, &s, e));
    }
}

/* One address trying many keys is stopped by its own limit; and thousands
** of new keys from it cannot push a key under attack out of the bounded
** tables (attempts over a limit cost no hash, so the flood is cheap). */
static void test_rate_limit_per_address(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    add_user(f->st, "sam.t", "participant");
    struct auth_session s;
    for (int i = 0; i < AUTH_FAILS_PER_ACCOUNT; i++)
        REFUSED(auth_login(f->st, "sam.t", "guess guess", NULL, T0, &s, e), DUET_EDENIED, WRONG);
    for (int i = 0; i < AUTH_FAILS_PER_ADDR; i++) {
        char key[32];
        snprintf(key, sizeof key, "guess.%d", i);
        REFUSED(auth_login(f->st, key, PW, "203.0.113.9", T0, &s, e), DUET_EDENIED, WRONG);
    }
    REFUSED(auth_login(f->st, "amira.k", PW, "203.0.113.9", T0 + 1, &s, e), DUET_ELIMIT,
            "too many failed sign-in attempts; try again in 15 minutes");
    OK(auth_login(f->st, "amira.k", PW, "192.0.2.1", T0 + 1, &s, e));

    for (int i = 0; i < 3000; i++) {
        char key[32];
        snprintf(key, sizeof key, "flood.%d", i);
        REFUSED(auth_login(f->st, key, "guess", "203.0.113.9", T0 + 2, &s, e), DUET_ELIMIT,
                "too many failed sign-in attempts; try again in 15 minutes");
    }
    REFUSED(auth_login(f->st, "sam.t", PW, "192.0.2.1", T0 + 3, &s, e), DUET_ELIMIT,
            "too many failed sign-in attempts; try again in 15 minutes");
    OK(auth_login(f->st, "amira.k", PW, "203.0.113.9", T0 + AUTH_FAIL_WINDOW, &s, e));
}

/* ------------------------------------------------------------------ */
/* disabling and API tokens                                            */

static void test_disable_ends_sessions_and_tokens(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    struct auth_session s = login(f->st, "amira.k", T0), r;
    char token[AUTH_TOKEN_SIZE];
    make_token(f->st, "amira.k", "laptop", 90, token);
    struct auth_principal who;
    OK(auth_token_resume(f->st, token, &who, e));

    OK(auth_user_disable(f->st, "amira.k", e));
    REFUSED(auth_session_resume(f->st, s.token, T0 + 1, &r, e), DUET_EDENIED, ENDED);
    REFUSED(auth_token_resume(f->st, token, &who, e), DUET_EDENIED, BAD_TOKEN);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM session WHERE ended_at IS NULL"), 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM api_token WHERE revoked_at IS NULL"),
                     0);
    struct auth_token_made t;
    REFUSED(auth_token_create(f->st, "amira.k", NULL, 90, &t, e), DUET_ECONFLICT,
            "the account of person 'amira.k' is disabled");
    REFUSED(auth_user_disable(f->st, "amira.k", e), DUET_ECONFLICT,
            "the account of person 'amira.k' is already disabled");
    REFUSED(auth_user_disable(f->st, "sam.t", e), DUET_ENOTFOUND,
            "person 'sam.t' has no account");
    json_t *list;
    OK((list = auth_user_list(f->st, e)) == NULL);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0),
                                                          "disabled_at")), NOW);
    json_decref(list);
}

static void test_tokens(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "fac.h", "facilitator");
    char t1[AUTH_TOKEN_SIZE], t2[AUTH_TOKEN_SIZE];
    make_token(f->st, "fac.h", "laptop", 90, t1);
    make_token(f->st, "fac.h", NULL, 90, t2);
    assert_int_equal(strlen(t1), AUTH_TOKEN_SIZE - 1);
    assert_string_not_equal(t1, t2);
    struct auth_principal who;
    OK(auth_token_resume(f->st, t1, &who, e));
    assert_int_equal(who.role, AUTH_FACILITATOR);
    assert_string_equal(who.person_key, "fac.h");
    assert_string_equal(who.display_name, "Helen (facilitator)");
    OK(auth_token_resume(f->st, t2, &who, e));

    /* A session token is not an API token, nor is anything else. */
    struct auth_session s = login(f->st, "fac.h", T0);
    REFUSED(auth_token_resume(f->st, s.token, &who, e), DUET_EDENIED, BAD_TOKEN);
    REFUSED(auth_token_resume(f->st, "", &who, e), DUET_EDENIED, BAD_TOKEN);
    char longer[128];
    snprintf(longer, sizeof longer, "%sA", t1);
    REFUSED(auth_token_resume(f->st, longer, &who, e), DUET_EDENIED, BAD_TOKEN);
    struct auth_token_made t;
    REFUSED(auth_token_create(f->st, "sam.t", NULL, 90, &t, e), DUET_ENOTFOUND,
            "person 'sam.t' has no account");
    REFUSED(auth_token_create(f->st, "fac.h", "two\nlines", 90, &t, e), DUET_EINPUT,
            "token label contains a control character (byte 4)");
    REFUSED(auth_token_create(f->st, "fac.h", NULL, 0, &t, e), DUET_EINPUT,
            "a token lasts 1 to 366 days, not 0");
    REFUSED(auth_token_create(f->st, "fac.h", NULL, -1, &t, e), DUET_EINPUT,
            "a token lasts 1 to 366 days, not -1");
    REFUSED(auth_token_create(f->st, "fac.h", NULL, 367, &t, e), DUET_EINPUT,
            "a token lasts 1 to 366 days, not 367");

    /* The audit log records that a token was made and until when (90 days
    ** after 2026-03-01 is 2026-05-30), not the token. */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit a JOIN audit_payload p "
                                      "ON p.seq = a.seq WHERE a.tbl = 'api_token' AND "
                                      "p.new_value = '{\"account_id\":1,\"expires_at\":"
                                      "\"2026-05-30T09:00:00Z\",\"label\":\"laptop\"}'"),
                     1);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM api_token WHERE "
                                      "length(token_hash) = 32"), 2);
}

/* A token stops working when its expires_at passes: the clock (DUET_NOW)
** is moved by hand. 7 days from 2026-03-01T09:00:00Z is 2026-03-08T09:00:00Z. */
static void test_token_expiry(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "fac.h", "facilitator");
    char week[AUTH_TOKEN_SIZE], day[AUTH_TOKEN_SIZE];
    struct auth_token_made t;
    OK(auth_token_create(f->st, "fac.h", "a week", 7, &t, e));
    memcpy(week, t.token, sizeof week);
    assert_string_equal(t.created_at, NOW);
    assert_string_equal(t.expires_at, "2026-03-08T09:00:00Z");
    make_token(f->st, "fac.h", "a day", 1, day);
    struct auth_principal who;
    setenv("DUET_NOW", "2026-03-02T08:59:59Z", 1);
    OK(auth_token_resume(f->st, day, &who, e));
    setenv("DUET_NOW", "2026-03-02T09:00:00Z", 1);   /* the moment it expires */
    REFUSED(auth_token_resume(f->st, day, &who, e), DUET_EDENIED, BAD_TOKEN);
    OK(auth_token_resume(f->st, week, &who, e));
    setenv("DUET_NOW", "2026-03-08T09:00:01Z", 1);
    REFUSED(auth_token_resume(f->st, week, &who, e), DUET_EDENIED, BAD_TOKEN);
    json_t *list;
    OK((list = auth_token_list(f->st, NULL, e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "status")),
                        "expired");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "status")),
                        "expired");
    json_decref(list);
    setenv("DUET_NOW", NOW, 1);
}

/* last_used_at is written when a token is used, at most once a minute. */
static void test_token_last_used(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "fac.h", "facilitator");
    char token[AUTH_TOKEN_SIZE];
    make_token(f->st, "fac.h", NULL, 90, token);
    assert_int_equal(tl_sql_int(f->path, "SELECT last_used_at IS NULL FROM api_token"), 1);
    struct auth_principal who;
    OK(auth_token_resume(f->st, token, &who, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_used_at = '" NOW "' FROM api_token"), 1);
    setenv("DUET_NOW", "2026-03-01T09:01:00Z", 1);   /* 60 s later: not yet */
    OK(auth_token_resume(f->st, token, &who, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_used_at = '" NOW "' FROM api_token"), 1);
    setenv("DUET_NOW", "2026-03-01T09:01:01Z", 1);
    OK(auth_token_resume(f->st, token, &who, e));
    assert_int_equal(tl_sql_int(f->path, "SELECT last_used_at = '2026-03-01T09:01:01Z' "
                                      "FROM api_token"), 1);
    setenv("DUET_NOW", NOW, 1);
    /* Use is not audited: only the token's creation is there. */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE tbl = 'api_token'"), 1);
}

static void test_token_list_and_revoke(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "fac.h", "facilitator");
    add_user(f->st, "amira.k", "participant");
    char t1[AUTH_TOKEN_SIZE], t2[AUTH_TOKEN_SIZE], t3[AUTH_TOKEN_SIZE];
    int64_t id1 = make_token(f->st, "fac.h", "laptop", 90, t1);
    int64_t id2 = make_token(f->st, "fac.h", "server", 30, t2);
    int64_t id3 = make_token(f->st, "amira.k", NULL, 90, t3);
    assert_true(id1 < id2 && id2 < id3);

    json_t *list;
    OK((list = auth_token_list(f->st, "fac.h", e)) == NULL);
    assert_int_equal(json_array_size(list), 2);
    json_t *row = json_array_get(list, 1);
    assert_int_equal(json_integer_value(json_object_get(row, "id")), id2);
    assert_string_equal(json_string_value(json_object_get(row, "person")), "fac.h");
    assert_string_equal(json_string_value(json_object_get(row, "label")), "server");
    assert_string_equal(json_string_value(json_object_get(row, "created_at")), NOW);
    assert_string_equal(json_string_value(json_object_get(row, "expires_at")),
                        "2026-03-31T09:00:00Z");
    assert_true(json_is_null(json_object_get(row, "last_used_at")));
    assert_true(json_is_null(json_object_get(row, "revoked_at")));
    assert_string_equal(json_string_value(json_object_get(row, "status")), "active");
    assert_int_equal(json_object_size(row), 8);   /* no token, no digest */
    json_decref(list);
    OK((list = auth_token_list(f->st, NULL, e)) == NULL);
    assert_int_equal(json_array_size(list), 3);
    json_decref(list);
    OK((list = auth_token_list(f->st, "sam.t", e)) == NULL);   /* a person without one */
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    REFUSED(auth_token_list(f->st, "nobody", e) == NULL ? -1 : 0, DUET_ENOTFOUND,
            "person 'nobody' does not exist");

    char person[72] = "";
    OK(auth_token_revoke(f->st, id2, person, e));
    assert_string_equal(person, "fac.h");
    struct auth_principal who;
    REFUSED(auth_token_resume(f->st, t2, &who, e), DUET_EDENIED, BAD_TOKEN);
    OK(auth_token_resume(f->st, t1, &who, e));   /* the others still work */
    OK(auth_token_resume(f->st, t3, &who, e));
    REFUSED(auth_token_revoke(f->st, id2, NULL, e), DUET_ECONFLICT,
            "API token 2 is already revoked");
    REFUSED(auth_token_revoke(f->st, 99, NULL, e), DUET_ENOTFOUND,
            "API token 99 does not exist (see 'duet token list')");
    OK((list = auth_token_list(f->st, "fac.h", e)) == NULL);
    row = json_array_get(list, 1);
    assert_string_equal(json_string_value(json_object_get(row, "status")), "revoked");
    assert_string_equal(json_string_value(json_object_get(row, "revoked_at")), NOW);
    json_decref(list);
    /* Audited as a change of revoked_at, without the token or its digest. */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit a JOIN audit_payload p "
                                      "ON p.seq = a.seq WHERE a.tbl = 'api_token' AND "
                                      "a.action = 'update' AND a.row_id = 2 AND "
                                      "p.old_value = '{\"revoked_at\":null}' AND "
                                      "p.new_value = '{\"revoked_at\":\"" NOW "\"}'"), 1);

    /* Disabling revokes the rest of fac.h's tokens, each audited. */
    OK(auth_user_disable(f->st, "fac.h", e));
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE tbl = 'api_token' AND "
                                      "action = 'update' AND row_id IN (1, 2)"), 2);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM api_token WHERE revoked_at IS NULL"),
                     1);   /* amira.k's */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit_payload WHERE "
                                      "new_value LIKE '%hash%' OR old_value LIKE '%hash%'"), 0);
    struct store_audit_report r;
    OK(store_audit_verify(f->st, &r, e));
    assert_int_equal(r.first_bad, 0);
}

static void test_enable(void **state)
{
    struct tl_world *f = *state;
    add_user(f->st, "amira.k", "participant");
    char token[AUTH_TOKEN_SIZE];
    make_token(f->st, "amira.k", NULL, 90, token);
    REFUSED(auth_user_enable(f->st, "amira.k", e), DUET_ECONFLICT,
            "the account of person 'amira.k' is not disabled");
    REFUSED(auth_user_enable(f->st, "sam.t", e), DUET_ENOTFOUND, "person 'sam.t' has no account");
    struct auth_session s;
    setenv("DUET_NOW", "2026-03-02T10:00:00Z", 1);
    OK(auth_user_disable(f->st, "amira.k", e));
    setenv("DUET_NOW", NOW, 1);
    REFUSED(auth_login(f->st, "amira.k", PW, NULL, T0, &s, e), DUET_EDENIED, WRONG);
    OK(auth_user_enable(f->st, "amira.k", e));
    OK(auth_login(f->st, "amira.k", PW, NULL, T0 + 1, &s, e));
    /* The token revoked by disabling stays revoked. */
    struct auth_principal who;
    REFUSED(auth_token_resume(f->st, token, &who, e), DUET_EDENIED, BAD_TOKEN);
    make_token(f->st, "amira.k", NULL, 90, token);
    OK(auth_token_resume(f->st, token, &who, e));
    json_t *list;
    OK((list = auth_user_list(f->st, e)) == NULL);
    assert_true(json_is_null(json_object_get(json_array_get(list, 0), "disabled_at")));
    json_decref(list);
    /* Audited: disabled_at from when it was disabled back to null. */
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit a JOIN audit_payload p "
                                      "ON p.seq = a.seq WHERE a.tbl = 'account' AND "
                                      "a.action = 'update' AND "
                                      "p.old_value = '{\"disabled_at\":\"2026-03-02T10:00:00Z\"}' "
                                      "AND p.new_value = '{\"disabled_at\":null}'"), 1);
    REFUSED(auth_user_enable(f->st, "amira.k", e), DUET_ECONFLICT,
            "the account of person 'amira.k' is not disabled");
}

/* ------------------------------------------------------------------ */
/* cohort staff                                                        */

static void test_cohort_staff(void **state)
{
    struct tl_world *f = *state;
    OK(store_cohort_staff_add(f->st, "Cohort 1", "fac.h", e));
    REFUSED(store_cohort_staff_add(f->st, "Cohort 1", "fac.h", e), DUET_ECONFLICT,
            "person 'fac.h' is already staff of cohort 'Cohort 1'");
    REFUSED(store_cohort_staff_add(f->st, "Cohort 1", "amira.k", e), DUET_ECONFLICT,
            "person 'amira.k' is a member of partnership 'P1' in cohort 'Cohort 1'; staff "
            "cannot take part in the cohort they run");
    REFUSED(store_cohort_staff_add(f->st, "Cohort 9", "fac.h", e), DUET_ENOTFOUND,
            "cohort 'Cohort 9' does not exist");
    REFUSED(store_cohort_staff_add(f->st, "Cohort 1", "nobody", e), DUET_ENOTFOUND,
            "person 'nobody' does not exist");

    add_user(f->st, "fac.h", "facilitator");
    json_t *list;
    OK((list = store_cohort_staff_list(f->st, "Cohort 1", e)) == NULL);
    assert_int_equal(json_array_size(list), 1);
    json_t *row = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(row, "person")), "fac.h");
    assert_string_equal(json_string_value(json_object_get(row, "display_name")),
                        "Helen (facilitator)");
    assert_string_equal(json_string_value(json_object_get(row, "role")), "facilitator");
    json_decref(list);

    int64_t cid, fac, amira;
    OK(store_cohort_id(f->st, "Cohort 1", &cid, e));
    OK(store_person_id(f->st, "fac.h", &fac, e));
    OK(store_person_id(f->st, "amira.k", &amira, e));
    int yes = -1;
    OK(store_cohort_staff_is(f->st, cid, fac, &yes, e));
    assert_int_equal(yes, 1);
    OK(store_cohort_staff_is(f->st, cid, amira, &yes, e));
    assert_int_equal(yes, 0);
    assert_int_equal(tl_sql_int(f->path, "SELECT count(*) FROM audit WHERE tbl = 'cohort_staff'"), 1);
}

/* ------------------------------------------------------------------ */
/* demo sign-ins and the upgrade from version 1                        */

static void test_demo_accounts(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "auth"), 0);
    struct store *st;
    OK(store_open(path, &st, e));
    struct demo_options o = {.pairs = 3, .modules = 2, .seed = 1, .structure_only = 1};
    struct demo_report r;
    OK(setup_demo(st, &o, &r, e));
    OK(setup_demo_accounts(st, r.cohort, e));
    /* 2 + 2 + 3 members (P03 is a triad), the facilitator, researcher, admin. */
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM account"), 10);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM account WHERE role = 'participant'"), 7);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM account a JOIN person p ON "
                                   "p.id = a.person_id WHERE (p.key, a.role) IN (VALUES "
                                   "('fac.demo', 'facilitator'), ('res.demo', 'researcher'), "
                                   "('admin.demo', 'admin'))"), 3);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM cohort_staff s JOIN person p ON "
                                   "p.id = s.person_id WHERE p.key = 'fac.demo'"), 1);
    struct auth_session s;
    OK(auth_login(st, "amira.01a", SETUP_DEMO_PASSWORD_PARTICIPANT, NULL, T0, &s, e));
    assert_int_equal(s.who.role, AUTH_PARTICIPANT);
    OK(auth_login(st, "admin.demo", SETUP_DEMO_PASSWORD_ADMIN, NULL, T0, &s, e));
    assert_int_equal(s.who.role, AUTH_ADMIN);
    assert_string_equal(s.who.display_name, "Dana Whitfield (administrator)");
    /* Again: nothing changes. */
    long long entries = tl_sql_int(path, "SELECT count(*) FROM audit");
    OK(setup_demo_accounts(st, r.cohort, e));
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM audit"), entries);
    REFUSED(setup_demo_accounts(st, "No such cohort", e), DUET_ENOTFOUND,
            "cohort 'No such cohort' does not exist");
    store_close(st);
    tl_remove_db(path);
}

static void test_upgrade_from_version_1(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "auth"), 0);
    tl_old_db(path, 1, "PRAGMA user_version = 1; INSERT INTO person (key, "
                       "display_name, created_at) VALUES ('old.p', 'Old P', "
                       "'2025-01-01T00:00:00Z')");

    struct store *st;
    OK(store_open(path, &st, e));
    assert_true(store_schema_version(st) >= 2);
    OK(auth_user_add(st, "old.p", "researcher", PW, e));
    struct auth_session s;
    OK(auth_login(st, "old.p", PW, NULL, T0, &s, e));
    assert_string_equal(s.who.display_name, "Old P");
    store_close(st);
    assert_int_equal(tl_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                   "('account', 'session', 'api_token', 'cohort_staff')"), 4);
    tl_remove_db(path);
}

/* A token made before migration 7 had no end: after the upgrade it lasts
** 90 days from the upgrade (the real clock: SQLite's 'now'), no longer. */
static void test_upgrade_gives_old_tokens_an_end(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(tl_temp_path(path, sizeof path, "auth"), 0);
    tl_old_db(path, 6, "PRAGMA user_version = 6; INSERT INTO person (key, "
                       "display_name, created_at) VALUES ('old.p', 'Old P', "
                       "'2025-01-01T00:00:00Z'); INSERT INTO account (person_id, "
                       "role, password_hash, created_at) VALUES (1, 'researcher', "
                       "'x', '2025-01-01T00:00:00Z'); INSERT INTO api_token "
                       "(token_hash, account_id, created_at) VALUES "
                       "(zeroblob(32), 1, '2025-01-01T00:00:00Z')");
    struct store *st;
    OK(store_open(path, &st, e));
    store_close(st);
    assert_int_equal(tl_sql_int(path, "SELECT julianday(expires_at) - julianday('now') "
                                   "BETWEEN 89.99 AND 90.01 FROM api_token"), 1);
    assert_int_equal(tl_sql_int(path, "SELECT last_used_at IS NULL FROM api_token"), 1);
    tl_remove_db(path);
}

int main(void)
{
    setenv("DUET_NOW", NOW, 1);
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_policy_repetition_and_service_name),
        T(test_policy_personal_words),
        cmocka_unit_test(test_common_list_matches_file),
        cmocka_unit_test(test_hash_round_trip),
        T(test_user_add_and_list),
        T(test_login_resume_logout),
        T(test_touch_at_most_once_a_minute),
        T(test_idle_timeout),
        T(test_absolute_timeout),
        T(test_no_fixation),
        T(test_sessions_pruned_at_sign_in),
        T(test_same_answer_for_every_wrong_sign_in),
        T(test_rate_limit_per_account),
        T(test_success_starts_the_count_again),
        T(test_rate_limit_per_address),
        T(test_disable_ends_sessions_and_tokens),
        T(test_tokens),
        T(test_token_expiry),
        T(test_token_last_used),
        T(test_token_list_and_revoke),
        T(test_enable),
        T(test_cohort_staff),
        cmocka_unit_test(test_demo_accounts),
        cmocka_unit_test(test_upgrade_from_version_1),
        cmocka_unit_test(test_upgrade_gives_old_tokens_an_end),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
