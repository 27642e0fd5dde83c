/*
** auth.h — accounts, passwords, sessions and API tokens.
**
** An account gives a person (store person key) one role. Passwords are
** hashed with Argon2id (libsodium crypto_pwhash_str); at most
** AUTH_HASH_CONCURRENCY hashes run at once so a burst of sign-ins cannot
** exhaust memory. Session and API tokens are 256-bit random values shown to
** the client once, base64url-encoded; the store keeps only their SHA-256.
**
** Sign-in attempts are limited per account and per client address in
** memory (thread-safe): after AUTH_FAILS_PER_ACCOUNT failures for one
** account, or AUTH_FAILS_PER_ADDR from one address, within
** AUTH_FAIL_WINDOW seconds, further attempts fail with DUET_ELIMIT until
** the window passes. Wrong credentials fail with DUET_EDENIED and the same
** message whether or not the person exists.
*/
#ifndef DUET_APP_AUTH_H
#define DUET_APP_AUTH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct store;

enum auth_role { AUTH_NONE = 0, AUTH_PARTICIPANT, AUTH_FACILITATOR, AUTH_RESEARCHER, AUTH_ADMIN };

#define AUTH_HASH_CONCURRENCY 2
#define AUTH_FAILS_PER_ACCOUNT 5
#define AUTH_FAILS_PER_ADDR 20
#define AUTH_FAIL_WINDOW (15 * 60)
#define AUTH_IDLE_TIMEOUT (30 * 60)        /* seconds without a request */
#define AUTH_ABSOLUTE_TIMEOUT (12 * 3600)  /* seconds since sign-in */
#define AUTH_PASSWORD_MIN 8                /* characters (code points) */
#define AUTH_PASSWORD_MAX 256              /* bytes */
#define AUTH_TOKEN_SIZE 44                 /* base64url of 32 bytes + NUL */
#define AUTH_TOUCH_INTERVAL 60             /* seconds between last_seen writes */
#define AUTH_HASH_MAX 128                  /* an encoded Argon2id hash + NUL */
#define AUTH_TOKEN_DAYS_DEFAULT 90         /* an API token's life unless told */
#define AUTH_TOKEN_DAYS_MAX 366            /* the longest (STORE_TOKEN_DAYS_MAX) */
#define AUTH_REPEAT_MAX 4                  /* longest sequence refused when repeated */
#define AUTH_NAME_WORD_MIN 4               /* shortest word of a name refused in a password */
#define AUTH_SERVICE_NAME "duet"           /* refused in passwords, in any case */

/* "participant", "facilitator", "researcher", "admin" ("" for AUTH_NONE). */
const char *auth_role_name(enum auth_role r);
/* 0 and *out set, or -1 with a message listing the roles. */
int auth_role_parse(const char *s, enum auth_role *out, duet_err *e);

/* Who is making a request. */
struct auth_principal {
    int64_t account_id;
    int64_t person_id;
    enum auth_role role;
    char person_key[72];
    char display_name[256];
};

struct auth_session {
    char token[AUTH_TOKEN_SIZE];   /* the cookie value */
    char csrf[AUTH_TOKEN_SIZE];    /* the form token bound to this session */
    int64_t created_at;            /* unix seconds */
    struct auth_principal who;
};

/* At least AUTH_PASSWORD_MIN characters, at most AUTH_PASSWORD_MAX bytes,
** valid UTF-8; not one character or one sequence of at most
** AUTH_REPEAT_MAX characters repeated ("aaaaaaaa", "abcabcabc"); not one
** of the common passwords (data/common-passwords.txt); not containing
** AUTH_SERVICE_NAME. Letters A-Z are compared without case. No composition
** rules. The message says which rule the password broke. */
int auth_password_policy(const char *password, duet_err *e);
/* auth_password_policy, and (NIST SP 800-63B's context-specific words) the
** password must not contain the person key, nor any word of the display
** name of AUTH_NAME_WORD_MIN characters or more (words are runs of letters
** and digits; characters outside ASCII count as letters), A-Z compared
** without case. person and display_name may be NULL. auth_user_add applies
** this, so the CLI and the web refuse the same passwords. */
int auth_password_check(const char *password, const char *person, const char *display_name,
                        duet_err *e);

/* The common-password list compiled in (src/app/common_passwords.c,
** generated from data/common-passwords.txt): lower case, sorted bytewise.
** Sets *list to static storage and returns the number of entries. */
size_t auth_common_passwords(const char *const **list);

/* Hashes password (at most AUTH_PASSWORD_MAX bytes) with Argon2id into out,
** waiting while AUTH_HASH_CONCURRENCY hashes run. Does not apply the policy.
** DUET_EINTERNAL when memory runs out. */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX], duet_err *e);

/* Accounts. The person must exist and have no account yet; the password
** must pass auth_password_check for the person. */
int auth_user_add(struct store *st, const char *person, const char *role,
                  const char *password, duet_err *e);
/* Rows {person, display_name, role, created_at, disabled_at}; never hashes. */
json_t *auth_user_list(struct store *st, duet_err *e);
/* Disables the account, ends its sessions and revokes its API tokens. */
int auth_user_disable(struct store *st, const char *person, duet_err *e);

/* Clears disabled_at (audited); refuses an account that is not disabled.
** The sessions and tokens ended by disabling stay ended. */
int auth_user_enable(struct store *st, const char *person, duet_err *e);

/* A token just made: shown to its owner once, then only its digest is kept. */
struct auth_token_made {
    char token[AUTH_TOKEN_SIZE];
    int64_t id;                    /* as duet token list and revoke name it */
    char created_at[32];           /* ISO 8601 */
    char expires_at[32];
};
/* A personal API bearer token for person's (enabled) account, valid for
** days (1..AUTH_TOKEN_DAYS_MAX) from now. out is untouched on failure. */
int auth_token_create(struct store *st, const char *person, const char *label, int days,
                      struct auth_token_made *out, duet_err *e);
/* The principal a bearer token stands for; DUET_EDENIED when unknown,
** revoked, expired or the account is disabled. Records when the token was
** last used (at most once a minute). */
int auth_token_resume(struct store *st, const char *token, struct auth_principal *out,
                      duet_err *e);
/* The tokens of person's account (NULL: of every account): rows {id,
** person, label, created_at, expires_at, last_used_at, revoked_at, status},
** never a token or its digest (store_token_list). */
json_t *auth_token_list(struct store *st, const char *person, duet_err *e);
/* Revokes token id (audited); person (may be NULL) gets whose it was. */
int auth_token_revoke(struct store *st, int64_t id, char person[72], duet_err *e);

/* Checks the rate limits, verifies the password and opens a new session
** (a new random token: sessions are never carried over from before sign-in).
** addr is the client address, used only for rate limiting. */
int auth_login(struct store *st, const char *person, const char *password, const char *addr,
               int64_t now, struct auth_session *out, duet_err *e);
/* The session of a cookie token; DUET_EDENIED when unknown, ended, idle for
** longer than AUTH_IDLE_TIMEOUT or older than AUTH_ABSOLUTE_TIMEOUT, or the
** account is disabled. Records the request time (at most once a minute, so
** reading pages does not write on every request). */
int auth_session_resume(struct store *st, const char *token, int64_t now,
                        struct auth_session *out, duet_err *e);
/* Ends the session server-side; a later resume with the token fails. */
int auth_logout(struct store *st, const char *token, int64_t now, duet_err *e);

/* Forgets every rate-limit counter (tests). */
void auth_reset_limits(void);

#endif
