/*
** buf.h — a growable byte buffer with a hard cap (after curl's dynbuf).
**
** Input can never make a buf grow past its cap: an append that would exceed
** it fails, frees the contents and leaves the buf empty. The data are always
** NUL-terminated so they can be used as a C string. A failed append also
** sets overflowed, so a writer that goes on appending cannot hide the loss.
*/
#ifndef DUET_CORE_BUF_H
#define DUET_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct duet_buf {
    char *data;     /* owned; NULL until the first append */
    size_t len;
    size_t cap;     /* allocated bytes */
    size_t max;     /* hard limit on len */
    int overflowed; /* set when an append failed; cleared by init and reset */
} duet_buf;

void buf_init(duet_buf *b, size_t max);
void buf_free(duet_buf *b);
void buf_reset(duet_buf *b);   /* len = 0, keeps the memory */
/* Return 0, or -1 when the cap or memory is exhausted (the buf is then freed). */
int buf_append(duet_buf *b, const void *p, size_t n);
int buf_puts(duet_buf *b, const char *s);
int buf_putc(duet_buf *b, char c);
int buf_printf(duet_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends everything left in f; -1 when the cap is reached or reading fails. */
int buf_read_stream(duet_buf *b, FILE *f);
/* Hands the data to the caller (who frees it) and empties the buf. */
char *buf_take(duet_buf *b);

#endif
