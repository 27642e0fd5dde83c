/*
** err.c — formatting of duet_err messages. Never allocates.
*/
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int duet_errf(duet_err *e, enum duet_errcode code, const char *fmt, ...)
{
    if (e == NULL)
        return -1;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void duet_err_prefix(duet_err *e, const char *fmt, ...)
{
    if (e == NULL)
        return;
    char old[DUET_ERR_MAX];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof e->msg - 2)
        return;
    size_t used = (size_t)n;
    e->msg[used++] = ':';
    e->msg[used++] = ' ';
    size_t room = sizeof e->msg - used - 1;
    size_t len = strnlen(old, room);
    memcpy(e->msg + used, old, len);
    e->msg[used + len] = '\0';
}

void duet_err_clear(duet_err *e)
{
    if (e == NULL)
        return;
    e->code = DUET_OK;
    e->msg[0] = '\0';
}
