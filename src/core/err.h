/*
** err.h — duet's error value.
**
** Every fallible library function takes a `duet_err *` and returns 0 on
** success or -1 on failure, having filled in a code and a one-line message
** written for the person at the keyboard ("responses.csv:17: column 'value':
** 9 is outside the scale 1..7"). Nothing below the CLI prints or exits.
*/
#ifndef DUET_CORE_ERR_H
#define DUET_CORE_ERR_H

#include <stddef.h>

enum duet_errcode {
    DUET_OK = 0,
    DUET_EINPUT,     /* the user's input is wrong: fix it and try again */
    DUET_ENOTFOUND,  /* a named record does not exist */
    DUET_ECONFLICT,  /* the record already exists or breaks a rule */
    DUET_EIO,        /* a file or the database could not be read or written */
    DUET_EINTERNAL,  /* a bug or an exhausted resource */
    DUET_EDENIED,    /* wrong credentials, an ended session, or not allowed */
    DUET_ELIMIT      /* too many attempts: wait and try again */
};

#define DUET_ERR_MAX 1024

typedef struct duet_err {
    enum duet_errcode code;
    char msg[DUET_ERR_MAX];
} duet_err;

/* Sets *e (when e is not NULL) and returns -1, so callers can write
** `return duet_errf(e, DUET_EINPUT, "...", ...);`. */
int duet_errf(duet_err *e, enum duet_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of an existing message (e.g. a file name). */
void duet_err_prefix(duet_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void duet_err_clear(duet_err *e);

#endif
