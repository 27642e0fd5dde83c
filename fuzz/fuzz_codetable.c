/*
** fuzz_codetable.c — libFuzzer target for the coding-table CSV reader of
** `duet stats alpha` and `duet stats kappa` (io/codetable).
**
** Any input is refused with a message, leaving the result empty, or read
** into units × coders that keep codetable.h's promises: label codes are
** whole numbers below nlabels (or NaN where a cell is missing), a missing
** cell is missing in both views, the values view is one of the two, and
** asking for numbers either succeeds or says which cell is not one.
*/
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/codetable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct codetable t;
    duet_err e = {0};
    if (codetable_parse(&t, data, size, "fuzz.csv", &e) != 0) {
        CHECK(e.msg[0] != '\0');
        CHECK(t.nu == 0 && t.num == NULL && t.lab == NULL);
        codetable_free(&t);
        return 0;
    }
    CHECK(t.nu >= 1 && t.nc >= 1);
    for (size_t c = 0; c < t.nc; c++)
        CHECK(t.coder[c] != NULL);
    for (size_t k = 0; k < t.nu * t.nc; k++) {
        double l = t.lab[k];
        CHECK(isnan(l) || (l >= 0 && l == floor(l) && l < (double)t.nlabels));
        if (isnan(l))
            CHECK(isnan(t.num[k]));
    }
    const double *v = codetable_values(&t);
    CHECK(v == t.num || v == t.lab);
    duet_err ne = {0};
    const double *n = codetable_numbers(&t, "the fuzzer needs numbers", &ne);
    if (n == NULL)
        CHECK(ne.msg[0] != '\0' && t.text_line > 0 && v == t.lab);
    else
        CHECK(n == t.num && v == t.num);
    codetable_free(&t);
    return 0;
}
