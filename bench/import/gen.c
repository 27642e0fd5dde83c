/*
** gen.c — makes the import benchmark's input: a structure-only database and
** a responses CSV of a given number of rows that imports into it cleanly.
**
**   gen DB CSV ROWS [MODULES]
**
** DB gets the default instrument, programme "Bench programme", cohort
** "Bench cohort" with MODULES modules (default 8) and as many partnerships
** as ROWS needs (each pair: le.NNNNNN, patient leader, with sy.NNNNNN,
** clinician; both consent to research so the default export includes them).
** Everything goes through the public store API in one transaction; no SQL.
**
** CSV gets ROWS answers to the 21 numeric items of partnership-checkin, in
** the export's order (module, partnership, person, item), with values in
** range from a fixed hash of the row number: the same arguments always give
** the same bytes, and `duet export responses` of the imported database gives
** CSV back byte for byte. The last check-in may be partial.
**
** A bench tool: it prints progress to stderr and exits non-zero on failure.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/setup.h"
#include "store/store.h"

#define PROGRAMME "Bench programme"
#define COHORT "Bench cohort"
#define NITEMS 21

/* The numeric items of partnership-checkin in instrument order; the last is
** the 1..8 ladder, the others are 1..7 scales. */
static const char *const items[NITEMS] = {
    "voice_1", "voice_2", "voice_3", "power_1", "power_2", "trust_1", "trust_2",
    "trust_3", "purpose_1", "purpose_2", "purpose_3", "safety_1", "safety_2", "safety_3",
    "safety_4", "safety_5", "resistance_1", "resistance_2", "strain_1", "strain_2", "rung"};

static uint64_t mix(uint64_t x)   /* splitmix64's finaliser */
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int die(const char *what, const duet_err *e)
{
    fprintf(stderr, "gen: %s: %s\n", what, e ? e->msg : "failed");
    return 1;
}

static int make_structure(struct store *st, long pairs, int modules, duet_err *e)
{
    if (store_begin(st, e) != 0 || setup_default_instrument(st, e) != 0 ||
        store_programme_add(st, PROGRAMME, "Made by bench/import/gen.", NULL, e) != 0 ||
        store_cohort_add(st, PROGRAMME, COHORT, "2026-01-15", NULL, e) != 0)
        return -1;
    for (int m = 1; m <= modules; m++)
        if (store_module_add(st, COHORT, m, NULL, NULL, NULL, e) != 0)
            return -1;
    for (long i = 1; i <= pairs; i++) {
        char le[32], sy[32], code[32];
        snprintf(le, sizeof le, "le.%06ld", i);
        snprintf(sy, sizeof sy, "sy.%06ld", i);
        snprintf(code, sizeof code, "P%06ld", i);
        struct store_person a = {le, "Bench lived", NULL, NULL};
        struct store_person b = {sy, "Bench system", NULL, NULL};
        struct store_member mem[] = {{le, "patient_leader"}, {sy, "clinician"}};
        struct store_partnership p = {COHORT, code, NULL, NULL, 2, mem};
        if (store_person_add(st, &a, NULL, e) != 0 || store_person_add(st, &b, NULL, e) != 0 ||
            store_consent_give(st, le, "research", "bench", e) != 0 ||
            store_consent_give(st, sy, "research", "bench", e) != 0 ||
            store_partnership_add(st, &p, NULL, e) != 0)
            return -1;
    }
    return store_commit(st, e);
}

static int write_csv(const char *path, long rows, long pairs, int modules)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    fputs("cohort,module,partnership,person,item,value\n", f);
    long n = 0;
    for (int m = 1; m <= modules && n < rows; m++)
        for (long p = 1; p <= pairs && n < rows; p++)
            for (int side = 0; side < 2 && n < rows; side++)
                for (int k = 0; k < NITEMS && n < rows; k++, n++) {
                    int top = k == NITEMS - 1 ? 8 : 7;
                    int v = 1 + (int)(mix((uint64_t)n) % (uint64_t)top);
                    fprintf(f, COHORT ",%d,P%06ld,%s.%06ld,%s,%d\n", m, p,
                            side == 0 ? "le" : "sy", p, items[k], v);
                }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: gen DB CSV ROWS [MODULES]\n");
        return 2;
    }
    long rows = strtol(argv[3], NULL, 10);
    int modules = argc == 5 ? atoi(argv[4]) : 8;
    if (rows < 1 || rows > 100000000L || modules < 1 || modules > 1000) {
        fprintf(stderr, "gen: ROWS must be 1..100000000 and MODULES 1..1000\n");
        return 2;
    }
    long per_pair = 2L * NITEMS * modules;
    long pairs = (rows + per_pair - 1) / per_pair;
    if (pairs > 999999) {
        fprintf(stderr, "gen: %ld partnerships needed; use more modules\n", pairs);
        return 2;
    }

    duet_err e;
    struct store *st;
    if (store_open(argv[1], &st, &e) != 0)
        return die("opening the database", &e);
    store_set_actor(st, "bench");
    fprintf(stderr, "gen: %ld partnerships, %d modules, %ld rows\n", pairs, modules, rows);
    if (make_structure(st, pairs, modules, &e) != 0) {
        store_rollback(st);
        store_close(st);
        return die("making the structure", &e);
    }
    store_close(st);
    return write_csv(argv[2], rows, pairs, modules) == 0 ? 0 : 1;
}
