/*
** auth.c — accounts, passwords, sessions and API tokens (see auth.h).
**
** Secrets leave this file only to the caller who asked for them: the store
** sees Argon2id hashes and SHA-256 digests, never a password or a token.
** Every sign-in with wrong credentials — unknown person, wrong password,
** disabled account — runs one Argon2id verify and ends with the same
** message, so neither the answer nor its timing says who has an account.
**
** The only global state is what must be shared by every thread of a server:
** the count of running hashes, the dummy hash and the rate-limit tables,
** each behind its own mutex (lock order: dummy, then hashes).
*/
#include "app/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "store/store.h"

_Static_assert(sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
               AUTH_TOKEN_SIZE, "AUTH_TOKEN_SIZE holds base64url of 32 bytes");
_Static_assert(crypto_pwhash_STRBYTES <= AUTH_HASH_MAX && AUTH_HASH_MAX == STORE_HASH_MAX,
               "hashes fit the store");
_Static_assert(AUTH_TOKEN_SIZE <= STORE_CSRF_MAX, "form tokens fit the store");
_Static_assert(AUTH_TOKEN_DAYS_MAX == STORE_TOKEN_DAYS_MAX, "one bound on a token's life");

#define WRONG_CREDENTIALS "the person key or the password is wrong"
#define SESSION_ENDED "the session has ended; sign in again"
#define TOKEN_INVALID "the API token is not valid (expired or revoked, or its account disabled)"

/* ---- roles ---- */

static const char *const role_names[] = {"", "participant", "facilitator", "researcher",
                                         "admin"};

const char *auth_role_name(enum auth_role r)
{
    return (unsigned)r <= AUTH_ADMIN ? role_names[r] : "";
}

int auth_role_parse(const char *s, enum auth_role *out, duet_err *e)
{
    for (int r = AUTH_PARTICIPANT; r <= AUTH_ADMIN; r++) {
        if (s && strcmp(s, role_names[r]) == 0) {
            *out = (enum auth_role)r;
            return 0;
        }
    }
    return duet_errf(e, DUET_EINPUT, "role '%s' is not one of participant, facilitator, "
                     "researcher, admin", s ? s : "");
}

/* ---- random tokens and their digests ---- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ok;

static void sodium_start(void) { sodium_ok = sodium_init() >= 0; }

static int crypto_ready(duet_err *e)
{
    pthread_once(&sodium_once, sodium_start);
    return sodium_ok ? 0 : duet_errf(e, DUET_EINTERNAL, "libsodium could not be initialised");
}

/* 256 random bits, base64url without padding: 43 characters. */
static void token_new(char out[AUTH_TOKEN_SIZE])
{
    unsigned char bin[32];
    randombytes_buf(bin, sizeof bin);
    sodium_bin2base64(out, AUTH_TOKEN_SIZE, bin, sizeof bin,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bin, sizeof bin);
}

/* Whether s can be a token at all; anything else is refused before hashing
** it, so a client cannot make the server digest megabytes. */
static int token_shape_ok(const char *s)
{
    if (s == NULL || strnlen(s, AUTH_TOKEN_SIZE) != AUTH_TOKEN_SIZE - 1)
        return 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static void token_digest(const char *token, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

/* ---- the password policy ---- */

static int cmp_entry(const void *key, const void *entry)
{
    return strcmp(key, *(const char *const *)entry);
}

static int is_common(const char *pw, size_t n)
{
    char lower[AUTH_PASSWORD_MAX + 1];
    for (size_t i = 0; i < n; i++)
        lower[i] = pw[i] >= 'A' && pw[i] <= 'Z' ? (char)(pw[i] - 'A' + 'a') : pw[i];
    lower[n] = '\0';
    const char *const *list;
    size_t count = auth_common_passwords(&list);
    return bsearch(lower, list, count, sizeof *list, cmp_entry) != NULL;
}

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether the nlen bytes at needle occur in the hlen bytes at hay, A-Z
** folded to a-z (other bytes compared as they are). */
static int contains_folded(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0 || nlen > hlen)
        return 0;
    for (size_t i = 0; i + nlen <= hlen; i++) {
        size_t k = 0;
        while (k < nlen && fold(hay[i + k]) == fold(needle[k]))
            k++;
        if (k == nlen)
            return 1;
    }
    return 0;
}

/* The password (valid UTF-8, n bytes, chars code points) as the same
** sequence of 1..AUTH_REPEAT_MAX code points said two or more times, A-Z
** folded: 0 when it is not, else the length of the sequence. */
static size_t repeat_period(const char *pw, size_t n, size_t chars)
{
    size_t start[AUTH_PASSWORD_MAX + 1];   /* byte offset of each code point, and n */
    for (size_t i = 0; i <= chars; i++)
        start[i] = i == 0 ? 0 : utf8_offset(pw, n, i);
    for (size_t p = 1; p <= AUTH_REPEAT_MAX && 2 * p <= chars; p++) {
        if (chars % p != 0)
            continue;
        size_t i = p;
        for (; i < chars; i++) {
            size_t a = start[i - p], la = start[i - p + 1] - a;
            size_t b = start[i], lb = start[i + 1] - b;
            if (la != lb || !contains_folded(pw + a, la, pw + b, lb))
                break;
        }
        if (i == chars)
            return p;
    }
    return 0;
}

/* A byte that belongs to a word of a name: an ASCII letter or digit, or any
** byte of a character outside ASCII. */
static int word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

int auth_password_policy(const char *password, duet_err *e)
{
    if (password == NULL || *password == '\0')
        return duet_errf(e, DUET_EINPUT, "the password is empty");
    size_t n = strnlen(password, AUTH_PASSWORD_MAX + 1);
    if (n > AUTH_PASSWORD_MAX)
        return duet_errf(e, DUET_EINPUT, "the password is longer than %d bytes",
                         AUTH_PASSWORD_MAX);
    if (utf8_invalid_at(password, n) != (size_t)-1)
        return duet_errf(e, DUET_EINPUT, "the password is not valid UTF-8");
    size_t chars = utf8_codepoints(password, n);
    if (chars < AUTH_PASSWORD_MIN)
        return duet_errf(e, DUET_EINPUT, "the password has %zu character%s; use at least %d",
                         chars, chars == 1 ? "" : "s", AUTH_PASSWORD_MIN);
    size_t period = repeat_period(password, n, chars);
    if (period == 1)
        return duet_errf(e, DUET_EINPUT, "the password is one character repeated; choose one "
                         "that is harder to guess");
    if (period > 1)
        return duet_errf(e, DUET_EINPUT, "the password is a short sequence repeated (such as "
                         "'abcabcabc'); choose one that is harder to guess");
    if (is_common(password, n))
        return duet_errf(e, DUET_EINPUT, "the password is one of the most common passwords; "
                         "choose another (a few unrelated words make a good one)");
    if (contains_folded(password, n, AUTH_SERVICE_NAME, strlen(AUTH_SERVICE_NAME)))
        return duet_errf(e, DUET_EINPUT, "the password contains the name of this service "
                         "('%s'); choose one without it", AUTH_SERVICE_NAME);
    return 0;
}

int auth_password_check(const char *password, const char *person, const char *display_name,
                        duet_err *e)
{
    if (auth_password_policy(password, e) != 0)
        return -1;
    size_t n = strlen(password);
    if (person && contains_folded(password, n, person, strlen(person)))
        return duet_errf(e, DUET_EINPUT, "the password contains the sign-in name '%s'; choose "
                         "one without it", person);
    const char *w = display_name ? display_name : "";
    while (*w) {
        if (!word_byte((unsigned char)*w)) {
            w++;
            continue;
        }
        size_t len = 0;
        while (w[len] && word_byte((unsigned char)w[len]))
            len++;
        /* Names are valid UTF-8 (the store checks), so a word is too. */
        if (utf8_codepoints(w, len) >= AUTH_NAME_WORD_MIN && contains_folded(password, n, w, len))
            return duet_errf(e, DUET_EINPUT, "the password contains '%.*s' from the person's "
                             "name; choose one without it", (int)len, w);
        w += len;
    }
    return 0;
}

/* ---- hashing, at most AUTH_HASH_CONCURRENCY at once ----
** Each Argon2id hash takes 64 MiB for about a tenth of a second; without a
** bound, a burst of sign-ins would exhaust memory. */

static pthread_mutex_t hash_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hash_cv = PTHREAD_COND_INITIALIZER;
static int hashes_running;

static void hash_slot_take(void)
{
    pthread_mutex_lock(&hash_mu);
    while (hashes_running >= AUTH_HASH_CONCURRENCY)
        pthread_cond_wait(&hash_cv, &hash_mu);
    hashes_running++;
    pthread_mutex_unlock(&hash_mu);
}

static void hash_slot_give(void)
{
    pthread_mutex_lock(&hash_mu);
    hashes_running--;
    pthread_cond_signal(&hash_cv);
    pthread_mutex_unlock(&hash_mu);
}

int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], duet_err *e)
{
    size_t n = strnlen(password, AUTH_PASSWORD_MAX + 1);
    if (n > AUTH_PASSWORD_MAX)
        return duet_errf(e, DUET_EINPUT, "the password is longer than %d bytes",
                         AUTH_PASSWORD_MAX);
    if (crypto_ready(e) != 0)
        return -1;
    hash_slot_take();
    int rc = crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    hash_slot_give();
    if (rc != 0)
        return duet_errf(e, DUET_EINTERNAL, "not enough memory to hash a password");
    return 0;
}

static int password_verify(const char *hash, const char *password)
{
    size_t n = strnlen(password, AUTH_PASSWORD_MAX + 1);
    hash_slot_take();
    int ok = n <= AUTH_PASSWORD_MAX && crypto_pwhash_str_verify(hash, password, n) == 0;
    hash_slot_give();
    return ok;
}

/* A hash of a random password, made once, to verify against when the
** person has no account: the sign-in then costs what a real one costs. */
static pthread_mutex_t dummy_mu = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[AUTH_HASH_MAX];

static int dummy_hash_get(char out[AUTH_HASH_MAX], duet_err *e)
{
    pthread_mutex_lock(&dummy_mu);
    int rc = 0;
    if (dummy_hash[0] == '\0') {
        char pw[AUTH_TOKEN_SIZE];
        token_new(pw);
        rc = auth_password_hash(pw, dummy_hash, e);
        if (rc != 0)
            dummy_hash[0] = '\0';
    }
    if (rc == 0)
        memcpy(out, dummy_hash, AUTH_HASH_MAX);
    pthread_mutex_unlock(&dummy_mu);
    return rc;
}

/* ---- rate limits ----
** Failures are counted per person key and per client address in two fixed
** tables, so memory stays bounded whatever clients send. A full table
** gives up the entry least worth keeping: a free one, else one whose
** window has passed, else the one with the fewest failures (the oldest of
** those). Flooding a table with new keys therefore cannot wipe out the
** count of a key under attack. */

#define LIMIT_SLOTS 1024

struct limit_entry {
    char key[80];          /* "" when free; longer keys are cut */
    int64_t start;         /* when the window began (first counted attempt) */
    int fails;
};

struct limit_table {
    struct limit_entry slot[LIMIT_SLOTS];
};

static pthread_mutex_t limit_mu = PTHREAD_MUTEX_INITIALIZER;
static struct limit_table by_account, by_addr;

static int limit_expired(const struct limit_entry *x, int64_t now)
{
    return now - x->start >= AUTH_FAIL_WINDOW;
}

/* -2 free, -1 expired, else the failures: the lower, the less worth keeping. */
static int limit_rank(const struct limit_entry *x, int64_t now)
{
    if (x->key[0] == '\0')
        return -2;
    return limit_expired(x, now) ? -1 : x->fails;
}

static struct limit_entry *limit_lookup(struct limit_table *t, const char *key)
{
    char cut[sizeof t->slot[0].key];
    snprintf(cut, sizeof cut, "%s", key);
    for (int i = 0; i < LIMIT_SLOTS; i++)
        if (t->slot[i].key[0] && strcmp(t->slot[i].key, cut) == 0)
            return &t->slot[i];
    return NULL;
}

/* The entry for key, created (evicting) when missing, restarted when its
** window has passed. */
static struct limit_entry *limit_get(struct limit_table *t, const char *key, int64_t now)
{
    struct limit_entry *x = limit_lookup(t, key);
    if (x == NULL) {
        x = &t->slot[0];
        for (int i = 1; i < LIMIT_SLOTS; i++) {
            struct limit_entry *y = &t->slot[i];
            int ry = limit_rank(y, now), rx = limit_rank(x, now);
            if (ry < rx || (ry == rx && y->start < x->start))
                x = y;
        }
        snprintf(x->key, sizeof x->key, "%s", key);
        x->start = now;
        x->fails = 0;
    } else if (limit_expired(x, now)) {
        x->start = now;
        x->fails = 0;
    }
    return x;
}

/* Counts an attempt before it is checked (so parallel attempts cannot slip
** past the limit); returns -1 and the seconds to wait when over a limit. */
static int limit_begin(const char *person, const char *addr, int64_t now, int64_t *wait)
{
    pthread_mutex_lock(&limit_mu);
    struct limit_entry *a = limit_get(&by_account, person, now);
    struct limit_entry *b = addr ? limit_get(&by_addr, addr, now) : NULL;
    int rc = 0;
    *wait = 0;
    if (a->fails >= AUTH_FAILS_PER_ACCOUNT) {
        *wait = a->start + AUTH_FAIL_WINDOW - now;
        rc = -1;
    }
    if (b && b->fails >= AUTH_FAILS_PER_ADDR) {
        int64_t w = b->start + AUTH_FAIL_WINDOW - now;
        *wait = w > *wait ? w : *wait;
        rc = -1;
    }
    if (rc == 0) {
        a->fails++;
        if (b)
            b->fails++;
    }
    pthread_mutex_unlock(&limit_mu);
    return rc;
}

/* Takes back an attempt that limit_begin counted but that did not fail on
** credentials; after a successful sign-in (signed_in) the account's count
** starts again. The address keeps its other failures: many people may share
** one address, and one success says nothing about the rest. */
static void limit_settle(const char *person, const char *addr, int signed_in)
{
    pthread_mutex_lock(&limit_mu);
    struct limit_entry *a = limit_lookup(&by_account, person);
    if (a && signed_in)
        a->fails = 0;
    else if (a && a->fails > 0)
        a->fails--;
    struct limit_entry *b = addr ? limit_lookup(&by_addr, addr) : NULL;
    if (b && b->fails > 0)
        b->fails--;
    pthread_mutex_unlock(&limit_mu);
}

void auth_reset_limits(void)
{
    pthread_mutex_lock(&limit_mu);
    memset(&by_account, 0, sizeof by_account);
    memset(&by_addr, 0, sizeof by_addr);
    pthread_mutex_unlock(&limit_mu);
}

/* ---- accounts ---- */

static void principal_from(const struct store_account *a, struct auth_principal *who)
{
    memset(who, 0, sizeof *who);
    who->account_id = a->id;
    who->person_id = a->person_id;
    if (auth_role_parse(a->role, &who->role, NULL) != 0)
        who->role = AUTH_NONE;   /* the schema's CHECK makes this impossible */
    snprintf(who->person_key, sizeof who->person_key, "%s", a->person_key);
    snprintf(who->display_name, sizeof who->display_name, "%s", a->display_name);
}

/* Copies a store error unless it is "not found"; returns 1 for not found. */
static int not_found(const duet_err *got, duet_err *e)
{
    if (got->code == DUET_ENOTFOUND)
        return 1;
    if (e)
        *e = *got;
    return 0;
}

int auth_user_add(struct store *st, const char *person, const char *role,
                  const char *password, duet_err *e)
{
    enum auth_role r;
    if (auth_role_parse(role, &r, e) != 0 || auth_password_policy(password, e) != 0)
        return -1;
    json_t *who = store_person_show(st, person, e);
    if (who == NULL)
        return -1;
    int rc = auth_password_check(password, person,
                                 json_string_value(json_object_get(who, "display_name")), e);
    json_decref(who);
    if (rc != 0)
        return -1;
    /* Refuse a second account before spending a hash on it. */
    struct store_account a;
    duet_err look;
    if (store_account_get(st, person, &a, &look) == 0)
        return duet_errf(e, DUET_ECONFLICT, "an account for person '%s' already exists", person);
    if (!not_found(&look, e))
        return -1;
    char hash[AUTH_HASH_MAX];
    if (auth_password_hash(password, hash, e) != 0)
        return -1;
    return store_account_add(st, person, role, hash, NULL, e);
}

json_t *auth_user_list(struct store *st, duet_err *e)
{
    return store_account_list(st, e);
}

int auth_user_disable(struct store *st, const char *person, duet_err *e)
{
    if (store_begin(st, e) != 0)
        return -1;
    int64_t id;
    int64_t now = (int64_t)time(NULL);
    if (store_account_disable(st, person, &id, e) != 0 ||
        store_session_end_all(st, id, now, e) != 0 || store_token_revoke_all(st, id, e) != 0) {
        store_rollback(st);
        return -1;
    }
    return store_commit(st, e);
}

int auth_user_enable(struct store *st, const char *person, duet_err *e)
{
    return store_account_enable(st, person, NULL, e);
}

/* ---- API tokens ---- */

int auth_token_create(struct store *st, const char *person, const char *label, int days,
                      struct auth_token_made *out, duet_err *e)
{
    if (days < 1 || days > AUTH_TOKEN_DAYS_MAX)
        return duet_errf(e, DUET_EINPUT, "a token lasts 1 to %d days, not %d",
                         AUTH_TOKEN_DAYS_MAX, days);
    struct store_account a;
    if (crypto_ready(e) != 0 || store_account_get(st, person, &a, e) != 0)
        return -1;
    if (a.disabled)
        return duet_errf(e, DUET_ECONFLICT, "the account of person '%s' is disabled", person);
    struct auth_token_made t;
    unsigned char digest[32];
    memset(&t, 0, sizeof t);
    token_new(t.token);
    token_digest(t.token, digest);
    struct store_token_made made;
    if (store_token_insert(st, digest, a.id, label, days, &made, e) != 0) {
        sodium_memzero(&t, sizeof t);
        return -1;
    }
    t.id = made.id;
    memcpy(t.created_at, made.created_at, sizeof t.created_at);
    memcpy(t.expires_at, made.expires_at, sizeof t.expires_at);
    *out = t;
    sodium_memzero(&t, sizeof t);
    return 0;
}

json_t *auth_token_list(struct store *st, const char *person, duet_err *e)
{
    return store_token_list(st, person, e);
}

int auth_token_revoke(struct store *st, int64_t id, char person[72], duet_err *e)
{
    return store_token_revoke(st, id, person, e);
}

int auth_token_resume(struct store *st, const char *token, struct auth_principal *out,
                      duet_err *e)
{
    if (!token_shape_ok(token))
        return duet_errf(e, DUET_EDENIED, TOKEN_INVALID);
    unsigned char digest[32];
    token_digest(token, digest);
    struct store_account a;
    int64_t id;
    duet_err look;
    if (store_token_get(st, digest, &a, &id, &look) != 0)
        return not_found(&look, e) ? duet_errf(e, DUET_EDENIED, TOKEN_INVALID) : -1;
    if (a.disabled)
        return duet_errf(e, DUET_EDENIED, TOKEN_INVALID);
    /* As with sessions, a failed record of use is not the request's failure. */
    duet_err ignored;
    store_token_touch(st, id, &ignored);
    principal_from(&a, out);
    return 0;
}

/* ---- sessions ---- */

/* A new session for an account that has just proved who it is. Sessions
** that can no longer be resumed are removed first, so the table holds only
** live ones (plus those of people who stopped coming, until the next sign-in
** of anyone). */
static int session_open(struct store *st, const struct store_account *a, int64_t now,
                        struct auth_session *out, duet_err *e)
{
    struct auth_session s;
    memset(&s, 0, sizeof s);
    unsigned char digest[32];
    token_new(s.token);
    token_new(s.csrf);
    token_digest(s.token, digest);
    if (store_session_prune(st, now - AUTH_IDLE_TIMEOUT, now - AUTH_ABSOLUTE_TIMEOUT, e) != 0 ||
        store_session_insert(st, digest, a->id, s.csrf, now, e) != 0)
        return -1;
    s.created_at = now;
    principal_from(a, &s.who);
    *out = s;
    return 0;
}

int auth_login(struct store *st, const char *person, const char *password, const char *addr,
               int64_t now, struct auth_session *out, duet_err *e)
{
    if (person == NULL || password == NULL)
        return duet_errf(e, DUET_EINPUT, "give a person key and a password");
    /* The dummy hash is made before anything else, so the first sign-in of
    ** an unknown person does not take longer than others. */
    char dummy[AUTH_HASH_MAX];
    if (crypto_ready(e) != 0 || dummy_hash_get(dummy, e) != 0)
        return -1;
    int64_t wait;
    if (limit_begin(person, addr, now, &wait) != 0) {
        long long minutes = wait > 60 ? (long long)(wait + 59) / 60 : 1;
        return duet_errf(e, DUET_ELIMIT, "too many failed sign-in attempts; try again in "
                         "%lld minute%s", minutes, minutes == 1 ? "" : "s");
    }
    struct store_account a;
    duet_err look;
    int found = store_account_get(st, person, &a, &look) == 0;
    if (!found && !not_found(&look, e)) {
        limit_settle(person, addr, 0);
        return -1;
    }
    int right = password_verify(found ? a.password_hash : dummy, password);
    if (!found || !right || a.disabled)
        return duet_errf(e, DUET_EDENIED, WRONG_CREDENTIALS);
    limit_settle(person, addr, 1);
    return session_open(st, &a, now, out, e);
}

int auth_session_resume(struct store *st, const char *token, int64_t now,
                        struct auth_session *out, duet_err *e)
{
    if (!token_shape_ok(token))
        return duet_errf(e, DUET_EDENIED, SESSION_ENDED);
    unsigned char digest[32];
    token_digest(token, digest);
    struct store_session s;
    duet_err look;
    if (store_session_get(st, digest, &s, &look) != 0)
        return not_found(&look, e) ? duet_errf(e, DUET_EDENIED, SESSION_ENDED) : -1;
    if (s.ended || s.account.disabled || now - s.last_seen > AUTH_IDLE_TIMEOUT ||
        now - s.created_at > AUTH_ABSOLUTE_TIMEOUT)
        return duet_errf(e, DUET_EDENIED, SESSION_ENDED);
    /* Reading pages should not write on every request: last_seen is only
    ** recorded once a minute. A failed write is not the request's failure
    ** (the worst it does is end an idle session a minute early). */
    if (now - s.last_seen > AUTH_TOUCH_INTERVAL) {
        duet_err ignored;
        store_session_touch(st, digest, now, &ignored);
    }
    memset(out, 0, sizeof *out);
    memcpy(out->token, token, AUTH_TOKEN_SIZE);
    snprintf(out->csrf, sizeof out->csrf, "%s", s.csrf);
    out->created_at = s.created_at;
    principal_from(&s.account, &out->who);
    return 0;
}

int auth_logout(struct store *st, const char *token, int64_t now, duet_err *e)
{
    /* Signing out of something that is not a session leaves nothing to do. */
    if (!token_shape_ok(token))
        return 0;
    unsigned char digest[32];
    token_digest(token, digest);
    return store_session_end(st, digest, now, e);
}
