/*
** ratelimit.c — token buckets of writes per account (see ratelimit.h).
**
** One table of RATELIMIT_SLOTS entries behind one mutex. An entry keeps
** the tokens left at its last use; the refill since then is computed when
** it is next looked at, so nothing runs in the background.
*/
#include "app/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

struct bucket {
    int64_t account_id;   /* 0 when free */
    int64_t last_ms;      /* when tokens was last brought up to date */
    double tokens;
    double rate, burst;   /* of the account's role at its last write (rate: per ms) */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct bucket table[RATELIMIT_SLOTS];

void ratelimit_rate(enum auth_role role, int *per_minute, int *burst)
{
    int staff = role == AUTH_FACILITATOR || role == AUTH_RESEARCHER || role == AUTH_ADMIN;
    *per_minute = staff ? RATELIMIT_STAFF_PER_MINUTE : RATELIMIT_PARTICIPANT_PER_MINUTE;
    *burst = staff ? RATELIMIT_STAFF_BURST : RATELIMIT_PARTICIPANT_BURST;
}

/* The tokens b holds at now_ms after refilling at rate (per ms) up to burst. */
static double refilled(const struct bucket *b, int64_t now_ms, double rate, double burst)
{
    int64_t dt = now_ms > b->last_ms ? now_ms - b->last_ms : 0;
    double t = b->tokens + (double)dt * rate;
    return t < burst ? t : burst;
}

/* The entry of account_id, or the one to give way to it: a free entry,
** else the fullest bucket (as a fraction of its own burst), the least
** recently used of those. A full bucket is exactly what a new entry starts
** as, so giving it up loses nothing. */
static struct bucket *lookup(int64_t account_id, int64_t now_ms, int *found)
{
    struct bucket *victim = NULL;
    double victim_fill = -1;
    for (int i = 0; i < RATELIMIT_SLOTS; i++) {
        struct bucket *b = &table[i];
        if (b->account_id == account_id) {
            *found = 1;
            return b;
        }
        double fill;
        if (b->account_id == 0) {
            fill = 2;   /* free: better than any bucket in use */
        } else {
            fill = refilled(b, now_ms, b->rate, b->burst) / b->burst;
        }
        if (fill > victim_fill || (fill == victim_fill && b->last_ms < victim->last_ms)) {
            victim = b;
            victim_fill = fill;
        }
    }
    *found = 0;
    return victim;
}

int ratelimit_write(int64_t account_id, enum auth_role role, int64_t now_ms,
                    int64_t *retry_after, duet_err *e)
{
    int per_minute, burst;
    ratelimit_rate(role, &per_minute, &burst);
    double rate = per_minute / 60000.0;   /* tokens per millisecond */
    int rc = 0;
    int64_t wait = 0;
    pthread_mutex_lock(&mu);
    int found;
    struct bucket *b = lookup(account_id, now_ms, &found);
    if (!found) {
        b->account_id = account_id;
        b->tokens = burst;
        b->last_ms = now_ms;
    }
    b->rate = rate;
    b->burst = burst;
    b->tokens = refilled(b, now_ms, rate, burst);
    if (now_ms > b->last_ms)
        b->last_ms = now_ms;
    if (b->tokens >= 1) {
        b->tokens -= 1;
    } else {
        wait = (int64_t)ceil((1 - b->tokens) / rate / 1000.0);
        if (wait < 1)
            wait = 1;
        rc = -1;
    }
    pthread_mutex_unlock(&mu);
    if (retry_after)
        *retry_after = wait;
    if (rc != 0)
        return duet_errf(e, DUET_ELIMIT, "too many changes in a short time (at most %d a "
                         "minute, %d at once); try again in %lld second%s", per_minute, burst,
                         (long long)wait, wait == 1 ? "" : "s");
    return 0;
}

int64_t ratelimit_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ratelimit_reset(void)
{
    pthread_mutex_lock(&mu);
    memset(table, 0, sizeof table);
    pthread_mutex_unlock(&mu);
}
