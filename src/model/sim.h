/*
** sim.h — the pair identity model (spec §3-§6): one pair's trajectory, or
** many pairs' summary, bit-for-bit the same whatever the thread count.
**
** Two ways in:
**   sim_run_pair()  one pair, every number of every module (sim_traj);
**   sim_run()       pairs [p0, p1) on T threads into a sim_summary, with an
**                   optional callback that sees each pair's trajectory in
**                   pair order (used to stream the trajectory CSV).
** A pair's numbers depend only on the parameters, the seed and its index,
** never on which thread, block or process computed it. Nothing here prints
** to the terminal or exits; sim_csv_* write only to the FILE they are given.
*/
#ifndef DUET_MODEL_SIM_H
#define DUET_MODEL_SIM_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "model/params.h"

enum sim_regime {              /* spec §5, in the order the rules are tried */
    SIM_POLARISED,
    SIM_PARTNERSHIP,
    SIM_PATIENT_NATIVE,
    SIM_SYSTEM_NATIVE,
    SIM_STALLED,
    SIM_NREGIMES
};

/* "polarised", "partnership", "patient_native", "system_native", "stalled". */
const char *sim_regime_name(enum sim_regime r);

/* ---- One pair ---------------------------------------------------------- */

/* Everything that happens to one pair. Member m = 0 is the patient leader,
** m = 1 the system leader; modules t = 1 .. M; k = 0 .. K-1. Use the
** accessors below rather than the layout. Owned by the caller:
** sim_traj_init() allocates, sim_traj_free() releases. */
typedef struct sim_traj {
    int modules, dims;         /* M, K */
    uint64_t pair;             /* the pair index p */
    double tau[2];             /* identity strengths tau_0, tau_1 */
    double *action;            /* [M][2][K]   a_i in module t          */
    double *norm;              /* [M+1][2][K] n_i after module t; t = 0: initial */
    double *quality;           /* [M][2]      q_i                      */
    double *strain;            /* [M][2]      e_i                      */
    unsigned char *resisted;   /* [M][2]      r_i (0 or 1)             */
    double *gap;               /* [M]         g                        */
    double *balance;           /* [M]         b                        */
    double *distance;          /* [M+1]       RMS(n_0 - n_1) after module t; [0] = D0 */
    enum sim_regime regime;    /* spec §5 */
    double d0, dm;             /* D0, DM */
    double x[2], xbar;         /* positions x_0, x_1 and the meeting point */
} sim_traj;

int sim_traj_init(sim_traj *tr, int modules, int dims, duet_err *e);
void sim_traj_free(sim_traj *tr);

/* t = 1 .. M (0 .. M for norms and distance), m = 0 or 1; each points at K values. */
static inline const double *sim_traj_action(const sim_traj *tr, int t, int m)
{
    return tr->action + ((size_t)(t - 1) * 2 + (size_t)m) * (size_t)tr->dims;
}
static inline const double *sim_traj_norm(const sim_traj *tr, int t, int m)
{
    return tr->norm + ((size_t)t * 2 + (size_t)m) * (size_t)tr->dims;
}
static inline double sim_traj_quality(const sim_traj *tr, int t, int m)
{
    return tr->quality[(size_t)(t - 1) * 2 + (size_t)m];
}
static inline double sim_traj_strain(const sim_traj *tr, int t, int m)
{
    return tr->strain[(size_t)(t - 1) * 2 + (size_t)m];
}
static inline int sim_traj_resisted(const sim_traj *tr, int t, int m)
{
    return tr->resisted[(size_t)(t - 1) * 2 + (size_t)m];
}

/* Runs pair `pair` (0 .. 2^32-1) for p->modules modules with p->dims
** dimensions; tr must have been initialised with those sizes. Validates p. */
int sim_run_pair(const sim_params *p, uint64_t pair, sim_traj *tr, duet_err *e);

/* ---- Many pairs -------------------------------------------------------- */

/* An exact sum of doubles: every finite value is added without rounding
** into 32-bit limbs covering the whole double range, so the total does
** not depend on the order of the additions or on how the work was split.
** Plain data: may be copied, or sent between processes of one build. */
#define SIM_XSUM_LIMBS 67
typedef struct sim_xsum {
    int64_t limb[SIM_XSUM_LIMBS];   /* limb i weighs 2^(32 i - 1074) */
    uint32_t pending;               /* additions since the last carry pass */
    uint32_t special;               /* 1: a NaN was added, 2: +inf, 4: -inf */
} sim_xsum;

void sim_xsum_init(sim_xsum *s);
void sim_xsum_add(sim_xsum *s, double x);
void sim_xsum_merge(sim_xsum *into, const sim_xsum *from);
double sim_xsum_value(const sim_xsum *s);   /* the exact total, rounded */

/* What sim_run accumulates. Counts are exact integers and real-valued
** totals are sim_xsum, so merging summaries of any split of the pairs, in
** any order, gives bit-identical results. Plain data. */
typedef struct sim_summary {
    uint64_t pairs;                    /* pairs accumulated */
    uint64_t pair_modules;             /* sum over pairs of their modules */
    uint64_t regime[SIM_NREGIMES];
    uint64_t resisted[2];              /* member-modules with r_i = 1, per side */
    sim_xsum final_quality[2];         /* q_i in the last module */
    sim_xsum balance;                  /* b over every module */
    sim_xsum d0, dm;
} sim_summary;

void sim_summary_init(sim_summary *s);
void sim_summary_merge(sim_summary *into, const sim_summary *from);

/* The summary as means and shares (NaN where nothing was accumulated). */
typedef struct sim_stats {
    uint64_t pairs;
    double regime[SIM_NREGIMES];       /* fraction of pairs in each regime */
    double final_quality[2];           /* mean final quality, patient and system */
    double resistance_rate[2];         /* resisted member-modules / pair-modules */
    double balance;                    /* mean balance over pairs and modules */
    double d0, dm;                     /* mean D0 and DM */
} sim_stats;

void sim_summary_stats(const sim_summary *s, sim_stats *out);

/* The JSON summary of spec §6 (new reference; NULL when out of memory):
** {"pairs", "modules", "dims", "seed", "regimes": {name: fraction},
**  "mean_final_quality": {"patient", "system"}, "resistance_rate": {...},
**  "mean_balance", "mean_d0", "mean_dm", "parameters": {model parameters}}.
** Non-finite means (only possible with extreme parameters) become null. */
json_t *sim_summary_json(const sim_summary *s, const sim_params *p);

/* Called once per pair, in increasing pair order, never concurrently; tr is
** borrowed for the call. A non-zero return stops the run with that error. */
typedef int (*sim_pair_fn)(void *ctx, const sim_traj *tr, duet_err *e);
/* Called now and then from one thread with the pairs finished so far. */
typedef void (*sim_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct sim_opts {
    int threads;               /* OpenMP threads; 0 or 1 = one */
    sim_pair_fn on_pair;       /* optional: see every trajectory */
    void *pair_ctx;
    sim_progress_fn progress;  /* optional */
    void *progress_ctx;
    int portable;              /* 1: never use the AVX2 kernel (for tests) */
} sim_opts;

/* Runs pairs p0 .. p1-1 (p1 <= 2^32) with p's modules, dims and seed
** (p->pairs is not used) and adds them to *sum (initialise it first). o may
** be NULL for one thread and no callbacks. */
int sim_run(const sim_params *p, uint64_t p0, uint64_t p1, const sim_opts *o,
            sim_summary *sum, duet_err *e);

/* 1 when sim_run uses the AVX2 kernel on this machine. */
int sim_simd_available(void);

/* ---- The trajectory CSV (spec §6) -------------------------------------- */

/* The header line for K dimensions, then the 2 M rows of one pair
** (%.17g numbers). Both return 0, or -1 with a DUET_EIO error. */
int sim_csv_header(FILE *f, int dims, duet_err *e);
int sim_csv_pair(FILE *f, const sim_traj *tr, duet_err *e);

#endif
