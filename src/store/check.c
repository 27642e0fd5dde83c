/*
** check.c — bounds and shapes of what may be written to the store.
*/
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

int db_check_text(const char *field, const char *v, size_t max, int required,
                  int multiline, duet_err *e)
{
    if (v == NULL || *v == '\0') {
        if (required)
            return duet_errf(e, DUET_EINPUT, "%s is required", field);
        return 0;
    }
    size_t n = strlen(v);
    if (n > max)
        return duet_errf(e, DUET_EINPUT, "%s is too long (%zu bytes; at most %zu)", field, n, max);
    size_t bad = utf8_invalid_at(v, n);
    if (bad != (size_t)-1)
        return duet_errf(e, DUET_EINPUT, "%s is not valid UTF-8 (byte %zu)", field, bad + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f) {
            if (multiline && (c == '\n' || c == '\t' || c == '\r'))
                continue;
            return duet_errf(e, DUET_EINPUT, "%s contains a control character (byte %zu)",
                             field, i + 1);
        }
    }
    return 0;
}

int db_check_key(const char *field, const char *v, duet_err *e)
{
    if (v == NULL || *v == '\0')
        return duet_errf(e, DUET_EINPUT, "%s is required", field);
    size_t n = strlen(v);
    if (n > 64)
        return duet_errf(e, DUET_EINPUT, "%s '%.64s...' is too long (at most 64 characters)",
                         field, v);
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !(i > 0 && (c == '.' || c == '_' || c == '-')))
            return duet_errf(e, DUET_EINPUT,
                             "%s '%s' may contain only letters, digits, '.', '_' and '-' "
                             "(and must start with a letter or digit)", field, v);
    }
    return 0;
}

int db_check_date(const char *field, const char *v, int required, duet_err *e)
{
    if (v == NULL || *v == '\0') {
        if (required)
            return duet_errf(e, DUET_EINPUT, "%s is required (YYYY-MM-DD)", field);
        return 0;
    }
    int digits = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    for (int i = 0; digits && i < 10; i++)
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
            digits = 0;
    int y = 0, m = 0, d = 0;
    if (digits) {
        y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
        m = (v[5] - '0') * 10 + (v[6] - '0');
        d = (v[8] - '0') * 10 + (v[9] - '0');
    }
    if (!digits || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return duet_errf(e, DUET_EINPUT, "%s '%s' is not a date of the form YYYY-MM-DD",
                         field, v);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return duet_errf(e, DUET_EINPUT, "%s '%s' is not a real date", field, v);
    return 0;
}
