/*
** ratelimit.h — limits on how fast one account may change data.
**
** Every state-changing web request (POST, PUT, PATCH, DELETE) that access
** allows takes one token from its account's bucket; an empty bucket means
** the request is refused with DUET_ELIMIT and the seconds to wait, before
** anything is written. Buckets refill continuously at the role's rate up
** to its burst:
**
**   participants                 RATELIMIT_PARTICIPANT_PER_MINUTE a minute,
**                                bursts of RATELIMIT_PARTICIPANT_BURST
**   facilitators, researchers,   RATELIMIT_STAFF_PER_MINUTE a minute,
**   administrators               bursts of RATELIMIT_STAFF_BURST
**
** The bucket is the account's, whatever the credential: every session and
** every API token of an account share it, so more sessions or more tokens
** buy no more writes. The buckets live in memory, in one fixed-size table
** behind a mutex (thread-safe, shared by every thread of a server); when
** the table is full, the entry least worth keeping (the fullest bucket,
** which is what a new entry starts as) gives way, so memory stays bounded
** and flooding the table with accounts cannot refill a drained bucket
** early.
*/
#ifndef DUET_APP_RATELIMIT_H
#define DUET_APP_RATELIMIT_H

#include <stdint.h>

#include "app/auth.h"
#include "core/err.h"

#define RATELIMIT_PARTICIPANT_PER_MINUTE 60
#define RATELIMIT_PARTICIPANT_BURST 20
#define RATELIMIT_STAFF_PER_MINUTE 300
#define RATELIMIT_STAFF_BURST 100
#define RATELIMIT_SLOTS 4096          /* accounts tracked at once */

/* The rate (tokens a minute) and burst (bucket size) of a role; AUTH_NONE
** gets the participants'. */
void ratelimit_rate(enum auth_role role, int *per_minute, int *burst);

/* Takes one write from account_id's bucket at now_ms (milliseconds on a
** clock that never goes back: ratelimit_now_ms). Returns 0 when allowed;
** otherwise -1 with *retry_after (may be NULL) set to the whole seconds
** until a token is back (at least 1) and DUET_ELIMIT in *e. */
int ratelimit_write(int64_t account_id, enum auth_role role, int64_t now_ms,
                    int64_t *retry_after, duet_err *e);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t ratelimit_now_ms(void);

/* Forgets every bucket (tests). */
void ratelimit_reset(void);

#endif
