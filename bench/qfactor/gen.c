/*
** gen.c — the Q-methodology benchmark's data set.
**
**   gen STATEMENTS SORTS VIEWPOINTS SEED > sorts.csv
**
** Writes STATEMENTS × SORTS Q-sorts in the layout `duet stats qfactor` reads:
** a header "statement,p0001,p0002,…", then one row per statement (its id
** s001…, then its place in every sort). Realistic structure: each statement
** has a score on each of VIEWPOINTS latent viewpoints (standard normal);
** sort j holds viewpoint j mod VIEWPOINTS with a weight in 0.6 .. 1.0 (every
** tenth sort reversed), the other viewpoints with weights in −0.2 .. 0.2,
** plus N(0, 0.8²) noise, and is ranked onto a forced quasi-normal grid
** (the lowest score takes the lowest place; ties, which do not occur, by
** statement order). The grid has 13 columns −6 … +6 whose counts follow the
** normal curve and sum to STATEMENTS. Numbers come from core/rng
** (splitmix64) with the given seed, so the same arguments give the same bytes.
**
** A bench tool: errors go to stderr; exits non-zero on failure.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"

#define GRID_COLS 13

struct scored {
    double s;
    size_t i;
};

static int by_score(const void *pa, const void *pb)
{
    const struct scored *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s < b->s ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Counts per column −6 … +6 proportional to the normal density at
** −1.8 … +1.8 (in steps of 0.3: flatter than the normal curve, as Q grids
** are), rounded down, the remainder put in the middle. */
static void make_grid(size_t n, int *count)
{
    double w[GRID_COLS], total = 0.0;
    for (int c = 0; c < GRID_COLS; c++) {
        double x = (c - 6) * 0.3;
        w[c] = exp(-0.5 * x * x);
        total += w[c];
    }
    long used = 0;
    for (int c = 0; c < GRID_COLS; c++) {
        count[c] = (int)floor(w[c] / total * (double)n);
        if (count[c] < 1)
            count[c] = 1;
        used += count[c];
    }
    count[6] += (int)((long)n - used);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: gen STATEMENTS SORTS VIEWPOINTS SEED > sorts.csv\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10), m = strtoul(argv[2], NULL, 10),
           k = strtoul(argv[3], NULL, 10);
    unsigned long long seed = strtoull(argv[4], NULL, 10);
    if (n < GRID_COLS * 2 || m < 2 || k < 1 || k > 64) {
        fprintf(stderr, "gen: need at least %d statements, 2 sorts and 1..64 viewpoints\n",
                GRID_COLS * 2);
        return 2;
    }
    int count[GRID_COLS];
    make_grid(n, count);
    if (count[6] < 1) {
        fprintf(stderr, "gen: the grid does not fit %zu statements\n", n);
        return 1;
    }
    double *v = malloc(n * k * sizeof *v);
    int *x = malloc(n * m * sizeof *x);
    struct scored *sc = malloc(n * sizeof *sc);
    if (v == NULL || x == NULL || sc == NULL) {
        fprintf(stderr, "gen: out of memory\n");
        return 1;
    }
    rng r;
    rng_seed(&r, seed);
    for (size_t q = 0; q < n * k; q++)
        v[q] = rng_normal(&r);
    double w[64];
    for (size_t j = 0; j < m; j++) {
        size_t main = j % k;
        for (size_t l = 0; l < k; l++)
            w[l] = -0.2 + 0.4 * rng_uniform(&r);
        w[main] = (0.6 + 0.4 * rng_uniform(&r)) * (j % 10 == 9 ? -1.0 : 1.0);
        for (size_t i = 0; i < n; i++) {
            double s = 0.8 * rng_normal(&r);
            for (size_t l = 0; l < k; l++)
                s += w[l] * v[i * k + l];
            sc[i].s = s;
            sc[i].i = i;
        }
        qsort(sc, n, sizeof *sc, by_score);
        size_t pos = 0;
        for (int c = 0; c < GRID_COLS; c++)
            for (int q = 0; q < count[c]; q++)
                x[sc[pos++].i * m + j] = c - 6;
    }
    printf("statement");
    for (size_t j = 0; j < m; j++)
        printf(",p%04zu", j + 1);
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        printf("s%03zu", i + 1);
        for (size_t j = 0; j < m; j++)
            printf(",%d", x[i * m + j]);
        printf("\n");
    }
    free(v);
    free(x);
    free(sc);
    return ferror(stdout) ? 1 : 0;
}
