/*
** cmd_sweep.c — `duet sweep GRID.json`: the model over a grid of parameter
** points, in parallel with OpenMP threads and (built with `make MPI=1`, run
** under mpirun) across MPI processes. Output is byte-identical for any
** number of threads and processes: each point's summary depends only on its
** parameters and seed, and rank 0 writes the rows in point order.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef DUET_MPI
#include <mpi.h>
/* Summaries per message, so a message stays far below INT_MAX bytes. */
#define MPI_CHUNK 100000u
#endif

#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "model/sweep.h"

static const char usage[] =
    "sweep GRID.json [--replicates R] [--out FILE.csv] [--threads T]\n"
    "  Runs the pair identity model at every point of a parameter grid and writes one\n"
    "  CSV row per point: its parameters and summary (regime shares, mean final\n"
    "  quality and resistance rate per side, mean balance, D0, DM). Point g uses seed\n"
    "  `seed + g`, so a row equals `duet simulate` at that point with that seed.\n"
    "  GRID.json: {\"pairs\": 1000, \"modules\": 8, \"seed\": 1, \"replicates\": 1,\n"
    "              \"fixed\": {\"learning\": 0.2},\n"
    "              \"vary\": [{\"name\": \"power_patient\", \"values\": [0.1, 0.3, 0.5]},\n"
    "                       {\"name\": \"accept\", \"from\": 0.8, \"to\": 1.6, \"steps\": 5}]}\n"
    "  The first varied parameter changes slowest, the replicate fastest.\n"
    "  Built with `make MPI=1`, `mpirun -n P duet sweep ...` shares the points among P\n"
    "  processes; the output is the same for any P and T.\n";

struct progress { int on; };

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct progress *p = ctx;
    if (!p->on)
        return;
    int width = 40, filled = total ? (int)(done * (uint64_t)width / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %llu/%llu points", filled,
            "========================================", width - filled, "",
            (unsigned long long)done, (unsigned long long)total);
    if (done == total)
        fputc('\n', stderr);
}

int cmd_sweep(struct cli *c, int argc, char **argv)
{
    (void)c;
    long long replicates = 0, threads = 1;
    const char *out = NULL;
    int first;
    const struct cli_opt opts[] = {
        {"replicates", CLI_LONG, &replicates, 1, 100000, "R",
         "replicates per point (default: the grid's)", NULL},
        {"out", CLI_FILE, &out, 0, 0, "FILE.csv", "write the rows there (default: stdout)", NULL},
        {"threads", CLI_LONG, &threads, 1, 1024, "T", "OpenMP threads (default 1)", NULL},
        {0}};
    int prc = cli_parse_opts("sweep", usage, opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1)
        return cli_usage_error("sweep", "give exactly one GRID.json");
    const char *path = argv[first];


    int rank = 0, nranks = 1;
#ifdef DUET_MPI
    MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
#endif
    duet_err e;
    char *data = NULL;
    size_t len = 0;
    struct sweep_grid grid;
    int rc = csv_read_file(path, SWEEP_MAX_BYTES, &data, &len, &e);
    if (rc == 0)
        rc = sweep_grid_parse(data, len, path, (uint64_t)replicates, &grid, &e);
    free(data);
    if (rc != 0) {
#ifdef DUET_MPI
        MPI_Finalize();
#endif
        return rank == 0 ? cli_fail(&e) : CLI_EUSER;
    }
    /* Rank r computes the contiguous block [lo(r), lo(r+1)). */
    uint64_t n = grid.npoints;
    uint64_t lo = n * (uint64_t)rank / (uint64_t)nranks;
    uint64_t hi = n * (uint64_t)(rank + 1) / (uint64_t)nranks;
    sim_summary *sums = calloc(rank == 0 ? (n ? n : 1) : (hi - lo ? hi - lo : 1), sizeof *sums);
    if (sums == NULL) {
        sweep_grid_free(&grid);
        return cli_failf("out of memory for %llu summaries", (unsigned long long)n);
    }
    struct progress prog = {rank == 0 && isatty(STDERR_FILENO)};
    rc = sweep_run(&grid, lo, hi, (int)threads, sums, show_progress, &prog, &e);
#ifdef DUET_MPI
    /* Everyone learns whether anyone failed; then rank 0 collects the blocks. */
    int bad = rc != 0, anybad = 0;
    MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (anybad && rc == 0)
        rc = duet_errf(&e, DUET_EINTERNAL, "another process failed");
    if (!anybad) {
        if (rank == 0) {
            for (int r = 1; r < nranks; r++) {
                uint64_t rlo = n * (uint64_t)r / (uint64_t)nranks;
                uint64_t rhi = n * (uint64_t)(r + 1) / (uint64_t)nranks;
                for (uint64_t k = rlo; k < rhi; k += MPI_CHUNK) {
                    uint64_t m = rhi - k < MPI_CHUNK ? rhi - k : MPI_CHUNK;
                    MPI_Recv(sums + k, (int)(m * sizeof *sums), MPI_BYTE, r, 0, MPI_COMM_WORLD,
                             MPI_STATUS_IGNORE);
                }
            }
        } else {
            for (uint64_t k = lo; k < hi; k += MPI_CHUNK) {
                uint64_t m = hi - k < MPI_CHUNK ? hi - k : MPI_CHUNK;
                MPI_Send(sums + (k - lo), (int)(m * sizeof *sums), MPI_BYTE, 0, 0, MPI_COMM_WORLD);
            }
        }
    }
#endif
    if (rc == 0 && rank == 0) {
        FILE *f = cli_open_out(out, &e);
        int ok = f != NULL;
        if (ok) {
            ok = sweep_csv_header(f, &grid, &e) == 0;
            for (uint64_t g = 0; ok && g < n; g++)
                ok = sweep_csv_row(f, &grid, g, &sums[g], &e) == 0;
            ok = cli_close_out(f, out, ok, ok ? &e : NULL) == 0;
        }
        rc = ok ? 0 : -1;
        if (ok && out)
            fprintf(stderr, "wrote %llu grid points to %s\n", (unsigned long long)n, out);
    }
    free(sums);
    sweep_grid_free(&grid);
#ifdef DUET_MPI
    MPI_Finalize();
#endif
    if (rc != 0)
        return rank == 0 ? cli_fail(&e) : CLI_EUSER;
    return CLI_OK;
}
