/*
** sweep.h — grids of parameter points for the pair identity model.
**
** A grid (GRID.json, see docs/model.md) fixes some parameters and varies
** others over lists or from/to/steps ranges. Its points are numbered
** g = 0, 1, ... with the first varied parameter changing slowest and the
** replicate fastest; point g runs with seed `seed + g` (spec §7), so its
** summary equals `duet simulate` at that point with that seed, whatever the
** number of threads or processes.
*/
#ifndef DUET_MODEL_SWEEP_H
#define DUET_MODEL_SWEEP_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "model/params.h"
#include "model/sim.h"

#define SWEEP_MAX_BYTES   ((size_t)1 << 20)
#define SWEEP_MAX_VALUES  10000
#define SWEEP_MAX_POINTS  10000000ull

struct sweep_axis {
    int param;            /* index in the parameter table */
    size_t nvalues;
    double *values;       /* owned */
};

struct sweep_grid {
    sim_params base;      /* fixed parameters and run settings */
    uint64_t replicates;  /* >= 1 */
    size_t naxes;
    struct sweep_axis *axes;   /* owned */
    uint64_t npoints;     /* product of nvalues, times replicates */
};

/* Parses and validates a grid (every point is checked, so a run never
** stops half way on a bad point). All or nothing; messages start with
** source. replicates > 0 overrides the file's "replicates". */
int sweep_grid_parse(const char *json, size_t len, const char *source, uint64_t replicates,
                     struct sweep_grid *g, duet_err *e);
void sweep_grid_free(struct sweep_grid *g);

/* The parameters of point g (seed = base seed + g) and its replicate. */
int sweep_point(const struct sweep_grid *grid, uint64_t g, sim_params *out, uint64_t *replicate,
                duet_err *e);

/* Runs points [first, last) into out[0 .. last-first), over `threads`
** OpenMP threads (one point per thread at a time). */
int sweep_run(const struct sweep_grid *grid, uint64_t first, uint64_t last, int threads,
              sim_summary *out, sim_progress_fn progress, void *progress_ctx, duet_err *e);

/* The output CSV: point,replicate,seed,<varied parameters>,pairs,modules,
** partnership,patient_native,system_native,polarised,stalled,
** final_quality_patient,final_quality_system,resistance_patient,
** resistance_system,mean_balance,mean_d0,mean_dm (%.17g numbers). */
int sweep_csv_header(FILE *f, const struct sweep_grid *grid, duet_err *e);
int sweep_csv_row(FILE *f, const struct sweep_grid *grid, uint64_t g, const sim_summary *s,
                  duet_err *e);

#endif
