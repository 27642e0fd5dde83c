/*
** fuzz_qdc.c — libFuzzer target for qdc_read (REFI-QDA codebooks).
**
** Any input must either be refused with a message or read into a codebook
** that codebook_check accepts, whose .qdc export reads back to an equal
** codebook and exports to the same bytes, and whose canonical JSON parses
** back to an equal codebook. Build with clang -fsanitize=fuzzer,address,
** undefined (see scripts/fuzz.sh).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/codebook.h"
#include "io/qdc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct codebook a, b, c;
    duet_err e;
    if (qdc_read((const char *)data, size, "fuzz", "fuzz", &a, &e) != 0) {
        if (e.msg[0] == '\0' || strlen(e.msg) >= sizeof e.msg)
            abort();
        return 0;
    }
    if (codebook_check(&a, "fuzz", &e) != 0)
        abort();
    size_t n1, n2;
    char *x1 = qdc_write(&a, &n1, &e);
    if (x1 == NULL || qdc_read(x1, n1, "export", "other", &b, &e) != 0)
        abort();   /* our own export must read back */
    if (!codebook_equal(&a, &b))
        abort();
    char *x2 = qdc_write(&b, &n2, &e);
    if (x2 == NULL || n1 != n2 || memcmp(x1, x2, n1) != 0)
        abort();   /* and be a fixed point */
    char *j = codebook_to_json(&a);
    if (j == NULL || codebook_parse(j, strlen(j), "json", &c, &e) != 0)
        abort();
    if (!codebook_equal(&a, &c))
        abort();
    free(x1);
    free(x2);
    free(j);
    codebook_free(&a);
    codebook_free(&b);
    codebook_free(&c);
    return 0;
}
