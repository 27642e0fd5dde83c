/*
** fuzz_instrument.c — libFuzzer target for instrument_parse.
**
** Any input must either be refused with a message or parse into an
** instrument whose canonical JSON parses back to the same canonical JSON.
** Every accepted item must also survive instrument_check_value on the input
** bytes (whatever the verdict) without crashing. Build with
** clang -fsanitize=fuzzer,address,undefined (see scripts/fuzz.sh).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/instrument.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct instrument a;
    duet_err e;
    if (instrument_parse((const char *)data, size, "fuzz", &a, &e) != 0) {
        if (e.msg[0] == '\0' || strlen(e.msg) >= sizeof e.msg)
            abort();
        return 0;
    }
    char *j1 = instrument_to_json(&a);
    if (j1 == NULL)
        abort();
    struct instrument b;
    if (instrument_parse(j1, strlen(j1), "canonical", &b, &e) != 0)
        abort();   /* canonical output must parse */
    char *j2 = instrument_to_json(&b);
    if (j2 == NULL || strcmp(j1, j2) != 0)
        abort();   /* and be a fixed point */
    for (size_t i = 0; i < a.nitems; i++) {
        double num;
        (void)instrument_check_value(&a.items[i], (const char *)data, size, &num, &e);
        (void)instrument_scored_value(&a.items[i], 4.0);
    }
    free(j1);
    free(j2);
    instrument_free(&a);
    instrument_free(&b);
    return 0;
}
