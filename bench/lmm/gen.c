/*
** gen.c — the mixed-model benchmark's data set, and duet's side of the race.
**
**   gen PAIRS MODULES CSV              write the data set as CSV (for lmer)
**   gen PAIRS MODULES --fit RUNS [--ml]
**                                      fit it with lmm_fit RUNS times
**
** The data: PAIRS partnerships x 2 members (side 0 and 1) x MODULES modules,
** one row each, with a person-level predictor x:
**   y = 3 + 0.1 module + 0.3 side + 0.5 x + u_pair + v_person + e,
**   u ~ N(0, 0.6^2), v ~ N(0, 0.4^2), e ~ N(0, 1), x ~ N(0, 1),
** drawn from core/rng (splitmix64) with a fixed seed, so both modes see the
** same numbers (the CSV has 17 significant digits). Columns of the CSV:
** y, module, side, x, pair, person (person numbered across pairs).
**
** --fit makes the data in memory, then times lmm_fit of
**   y ~ 1 + module + side + x + (1 | pair) + (1 | person)
** (REML, or ML with --ml) on the wall clock, RUNS times, and prints
** "key value" lines: every run's seconds, the best, and the estimates with
** 17 significant digits for run.sh to compare with lmer's.
**
** A bench tool: progress and errors go to stderr; exits non-zero on failure.
*/
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "core/rng.h"
#include "stats/lmm.h"

#define P 4   /* intercept, module, side, x */

struct data {
    size_t n;
    double *y, *x;
    uint32_t *pair, *person;
};

static int make(size_t pairs, size_t modules, struct data *d)
{
    d->n = pairs * 2 * modules;
    d->y = malloc(d->n * sizeof *d->y);
    d->x = malloc(d->n * P * sizeof *d->x);
    d->pair = malloc(d->n * sizeof *d->pair);
    d->person = malloc(d->n * sizeof *d->person);
    if (d->y == NULL || d->x == NULL || d->pair == NULL || d->person == NULL)
        return -1;
    rng r;
    rng_seed(&r, 20240611);
    size_t i = 0;
    for (size_t pr = 0; pr < pairs; pr++) {
        double u = 0.6 * rng_normal(&r);
        for (int side = 0; side < 2; side++) {
            double v = 0.4 * rng_normal(&r);
            for (size_t m = 0; m < modules; m++, i++) {
                double xv = rng_normal(&r);
                double *row = d->x + i * P;
                row[0] = 1;
                row[1] = (double)m;
                row[2] = side;
                row[3] = xv;
                d->y[i] = 3 + 0.1 * (double)m + 0.3 * side + 0.5 * xv + u + v + rng_normal(&r);
                d->pair[i] = (uint32_t)pr;
                d->person[i] = (uint32_t)(2 * pr + (size_t)side);
            }
        }
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_csv(const struct data *d, const char *path)
{
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        perror(path);
        return -1;
    }
    fputs("y,module,side,x,pair,person\n", fp);
    for (size_t i = 0; i < d->n; i++) {
        const double *row = d->x + i * P;
        fprintf(fp, "%.17g,%g,%g,%.17g,%" PRIu32 ",%" PRIu32 "\n", d->y[i], row[1], row[2],
                row[3], d->pair[i], d->person[i]);
    }
    if (fclose(fp) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

static int fit(const struct data *dd, size_t pairs, int runs, int reml)
{
    static const char *const names[P] = {"(Intercept)", "module", "side", "x"};
    struct lmm_data d = {.n = dd->n, .p = P, .y = dd->y, .x = dd->x, .nfactors = 2,
                         .g = {dd->pair, dd->person}, .q = {pairs, 2 * pairs},
                         .xnames = names};
    struct lmm_fit f = {0};
    double best = 1e300;
    for (int r = 0; r < runs; r++) {
        duet_err e;
        if (r > 0)
            lmm_fit_free(&f);
        double t0 = now();
        if (lmm_fit(&d, reml, &f, &e) != 0) {
            fprintf(stderr, "gen: %s\n", e.msg);
            return -1;
        }
        double t = now() - t0;
        printf("run %.6f\n", t);
        if (t < best)
            best = t;
    }
    printf("best %.6f\n", best);
    for (size_t j = 0; j < P; j++)
        printf("beta[%zu] %.17g\nse[%zu] %.17g\n", j, f.beta[j], j, f.se[j]);
    printf("tau2[0] %.17g\ntau2[1] %.17g\nsigma2 %.17g\nloglik %.17g\n", f.tau2[0], f.tau2[1],
           f.sigma2, f.loglik);
    printf("converged %d\nsingular %d\nnested %d\nevaluations %d\n", f.converged, f.singular,
           f.nested, f.iterations);
    lmm_fit_free(&f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen PAIRS MODULES CSV | gen PAIRS MODULES --fit RUNS [--ml]\n");
        return 2;
    }
    size_t pairs = strtoul(argv[1], NULL, 10), modules = strtoul(argv[2], NULL, 10);
    if (pairs < 2 || modules < 1) {
        fprintf(stderr, "gen: need PAIRS >= 2 and MODULES >= 1\n");
        return 2;
    }
    struct data d;
    if (make(pairs, modules, &d) != 0) {
        fprintf(stderr, "gen: out of memory\n");
        return 1;
    }
    int rc;
    if (strcmp(argv[3], "--fit") == 0) {
        int runs = argc > 4 ? atoi(argv[4]) : 3;
        int reml = !(argc > 5 && strcmp(argv[5], "--ml") == 0);
        rc = fit(&d, pairs, runs < 1 ? 1 : runs, reml);
    } else {
        rc = write_csv(&d, argv[3]);
    }
    free(d.y);
    free(d.x);
    free(d.pair);
    free(d.person);
    return rc == 0 ? 0 : 1;
}
