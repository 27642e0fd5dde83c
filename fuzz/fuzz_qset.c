/*
** fuzz_qset.c — libFuzzer target for qset_parse.
**
** Any input must either be refused with a message or parse into a Q-set
** whose canonical JSON parses back to the same canonical JSON, whose
** dimensions all have a positive largest mean (qset_dimension_max), and
** whose grid values look up to their own columns. Build with
** clang -fsanitize=fuzzer,address,undefined (see scripts/fuzz.sh).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/qset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qset a;
    duet_err e;
    if (qset_parse((const char *)data, size, "fuzz", &a, &e) != 0) {
        if (e.msg[0] == '\0' || strlen(e.msg) >= sizeof e.msg)
            abort();
        return 0;
    }
    char *j1 = qset_to_json(&a);
    if (j1 == NULL)
        abort();
    struct qset b;
    if (qset_parse(j1, strlen(j1), "canonical", &b, &e) != 0)
        abort();   /* canonical output must parse */
    char *j2 = qset_to_json(&b);
    if (j2 == NULL || strcmp(j1, j2) != 0)
        abort();   /* and be a fixed point */
    for (size_t k = 0; k < a.ndims; k++)
        if (!(qset_dimension_max(&a, k) > 0))
            abort();
    for (size_t c = 0; c < a.ncols; c++)
        if (qset_column(&a, a.value[c]) != (long)c)
            abort();
    for (size_t i = 0; i < a.nstatements; i++)
        if (qset_statement_index(&a, a.statements[i].id, strlen(a.statements[i].id)) != (long)i)
            abort();
    free(j1);
    free(j2);
    qset_free(&a);
    qset_free(&b);
    return 0;
}
