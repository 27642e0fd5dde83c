/*
** fuzz_qsortcsv.c — libFuzzer target for the Q-sort CSV reader of `duet
** stats qfactor` (io/qsortcsv).
**
** Any input is refused with a message, leaving the result empty, or read
** into statements × sorts that keep qsortcsv.h's promises: at least two
** sorts, every name and id non-empty, every place a whole number within
** 1000000 of 0, and the line of each statement's row increasing.
*/
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/qsortcsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qsortcsv q;
    duet_err e = {0};
    if (qsortcsv_parse(&q, data, size, "fuzz.csv", &e) != 0) {
        CHECK(e.msg[0] != '\0');
        CHECK(q.n == 0 && q.N == 0 && q.x == NULL);
        qsortcsv_free(&q);
        return 0;
    }
    CHECK(q.n >= 2 && q.N >= 1);
    CHECK(q.n <= QSORTCSV_MAX_SORTS && q.N <= QSORTCSV_MAX_STATEMENTS);
    for (size_t j = 0; j < q.n; j++)
        CHECK(q.sort[j] && q.sort[j][0] != '\0');
    for (size_t i = 0; i < q.N; i++) {
        CHECK(q.stmt[i] && q.stmt[i][0] != '\0');
        CHECK(i == 0 || q.line[i] > q.line[i - 1]);
    }
    for (size_t k = 0; k < q.n * q.N; k++)
        CHECK(q.x[k] == floor(q.x[k]) && fabs(q.x[k]) <= 1000000);
    qsortcsv_free(&q);
    return 0;
}
