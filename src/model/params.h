/*
** params.h — the parameters of the pair identity model (spec §8): one
** struct, its defaults, a table of names, parsing and validation.
**
** Every parameter is known by its spec name ("power_patient"); the table
** drives --help, the JSON summary, `--NAME VALUE` on the command line and
** sweeps. Nothing here prints.
*/
#ifndef DUET_MODEL_PARAMS_H
#define DUET_MODEL_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SIM_DIMS_MAX    64
#define SIM_MODULES_MAX 10000
#define SIM_PAIRS_MAX   4294967296ull   /* the pair index is one 32-bit counter word */

typedef struct sim_params {
    /* The run. */
    uint64_t pairs;            /* P, 1 .. 2^32 */
    int modules;               /* M, 1 .. 10000 */
    int dims;                  /* K, 1 .. 64 */
    uint64_t seed;             /* the Philox key, any 64-bit value */
    /* The model (spec §3-§4). */
    double prescription;       /* c: pi_L = +c, pi_S = -c */
    double init_spread;
    double tau_patient;
    double tau_system;
    double tau_spread;
    double coordination;
    double power_patient;      /* s_0; s_1 = 1 - s_0 */
    double action_noise;
    double externality;
    double response_cost;
    double resistance_loss;
    double accept;
    double reject;
    double learning;
    double assimilation;
    double repulsion;
    double self_consistency;
    double home_pull;
    double norm_noise;
} sim_params;

enum sim_param_kind {
    SIM_PARAM_COUNT,           /* a whole number (pairs, modules, dims, seed) */
    SIM_PARAM_REAL             /* a finite real number: a model parameter */
};

typedef struct sim_param_info {
    const char *name;          /* spec name, snake_case */
    enum sim_param_kind kind;
    const char *def;           /* the default, as text */
    const char *range;         /* the accepted values, for people: "(0, 1)" */
    const char *help;          /* one line: what it means */
} sim_param_info;

/* Sets every parameter to its spec §8 default. */
void sim_params_default(sim_params *p);

/* The table, in spec §8 order: the four run settings first (pairs,
** modules, dims, seed), then the model parameters. Indices 0 ..
** sim_params_count()-1; the entries are static. */
size_t sim_params_count(void);
const sim_param_info *sim_params_info(size_t i);
/* True for entries that are model parameters (the "parameters" object of
** the summary) rather than run settings. */
int sim_params_is_model(size_t i);

/* The index of a parameter by name; '-' is accepted for '_'
** ("power-patient"). -1 when there is no such parameter. */
int sim_params_find(const char *name);

/* Parses value and sets the parameter called name, checking its own range
** (cross-parameter rules wait for sim_params_validate). On failure *p is
** unchanged and *e says which parameter and why. */
int sim_params_set(sim_params *p, const char *name, const char *value, duet_err *e);

/* The value of parameter i as a double (counts are converted; seeds above
** 2^53 lose precision, use p->seed for those). */
double sim_params_get(const sim_params *p, size_t i);

/* Checks every parameter and the rules between them (accept <= reject).
** Returns 0, or -1 with a message naming the first bad parameter. */
int sim_params_validate(const sim_params *p, duet_err *e);

#endif
