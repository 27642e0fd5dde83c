/*
** gen.c — writes a units × coders agreement file for bench/alpha/run.sh:
** a header 'unit,c1,...', then per unit a true category 1..CATS and each
** coder's value: missing with probability MISS, another category at random
** with probability 0.2, the true one otherwise (core/rng.h, fixed seed).
**
**   gen UNITS CODERS CATS MISS SEED > codings.csv
*/
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: gen UNITS CODERS CATS MISS SEED\n");
        return 2;
    }
    long units = atol(argv[1]), coders = atol(argv[2]), cats = atol(argv[3]);
    double miss = atof(argv[4]);
    rng g;
    rng_seed(&g, (uint64_t)strtoull(argv[5], NULL, 10));
    if (units < 1 || coders < 2 || cats < 2 || cats > 1000) {
        fprintf(stderr, "gen: bad sizes\n");
        return 2;
    }
    printf("unit");
    for (long c = 1; c <= coders; c++)
        printf(",c%ld", c);
    printf("\n");
    for (long u = 1; u <= units; u++) {
        int truth = rng_int(&g, 1, (int)cats);
        printf("u%ld", u);
        for (long c = 0; c < coders; c++) {
            if (rng_uniform(&g) < miss) {
                printf(",");
                continue;
            }
            int v = rng_uniform(&g) < 0.2 ? rng_int(&g, 1, (int)cats) : truth;
            printf(",%d", v);
        }
        printf("\n");
    }
    return ferror(stdout) ? 1 : 0;
}
