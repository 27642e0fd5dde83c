/*
** utf8.h — strict UTF-8 validation (RFC 3629: no overlongs, no surrogates,
** nothing above U+10FFFF).
*/
#ifndef DUET_CORE_UTF8_H
#define DUET_CORE_UTF8_H

#include <stddef.h>

/* Returns the byte offset of the first invalid sequence, or (size_t)-1 when
** the n bytes at s are valid UTF-8. */
size_t utf8_invalid_at(const char *s, size_t n);

/* Number of code points in valid UTF-8. */
size_t utf8_codepoints(const char *s, size_t n);

/* The byte offset of code point number cp (from 0) in valid UTF-8 of n
** bytes; n when cp is the number of code points or more. */
size_t utf8_offset(const char *s, size_t n, size_t cp);

#endif
