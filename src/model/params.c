/*
** params.c — the parameter table, parsing and the range rules.
**
** One table drives everything: name, where the value lives in the struct,
** its default, the rule it must satisfy and its meaning. Adding a
** parameter means adding a struct field and one row here.
*/
#include "model/params.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum rule {
    RULE_COUNT,      /* whole number in lo .. hi */
    RULE_ANY_U64,    /* any unsigned 64-bit number (seed) */
    RULE_POSITIVE,   /* > 0 */
    RULE_NONNEG,     /* >= 0 */
    RULE_OPEN01      /* in (0, 1) */
};

struct row {
    sim_param_info info;
    size_t off;
    enum rule rule;
    uint64_t lo, hi;         /* RULE_COUNT only */
    int model;               /* a model parameter (not a run setting) */
};

#define COUNT(f, lo_, hi_, d, r, h) \
    {{#f, SIM_PARAM_COUNT, d, r, h}, offsetof(sim_params, f), RULE_COUNT, lo_, hi_, 0}
#define REAL(f, rule_, d, r, h) \
    {{#f, SIM_PARAM_REAL, d, r, h}, offsetof(sim_params, f), rule_, 0, 0, 1}

static const struct row rows[] = {
    COUNT(pairs, 1, SIM_PAIRS_MAX, "1000", "1 .. 4294967296",
          "number of patient-leader / system-leader pairs simulated"),
    COUNT(modules, 1, SIM_MODULES_MAX, "8", "1 .. 10000",
          "number of programme modules each pair goes through"),
    COUNT(dims, 1, SIM_DIMS_MAX, "4", "1 .. 64",
          "number of norm dimensions (unspoken rules)"),
    {{"seed", SIM_PARAM_COUNT, "1", "0 .. 2^64-1", "the random seed (Philox key)"},
     offsetof(sim_params, seed), RULE_ANY_U64, 0, 0, 0},
    REAL(prescription, RULE_POSITIVE, "1.0", "> 0",
         "c: the patient ideal is +c and the system ideal -c on every dimension"),
    REAL(init_spread, RULE_NONNEG, "0.5", ">= 0",
         "spread of each person's starting norms around their side's ideal"),
    REAL(tau_patient, RULE_POSITIVE, "1.0", "> 0",
         "median identity strength of patient leaders"),
    REAL(tau_system, RULE_POSITIVE, "1.0", "> 0",
         "median identity strength of system leaders"),
    REAL(tau_spread, RULE_NONNEG, "0.3", ">= 0",
         "log-normal spread of identity strength between people"),
    REAL(coordination, RULE_NONNEG, "1.0", ">= 0",
         "cost of acting at cross purposes with the partner"),
    REAL(power_patient, RULE_OPEN01, "0.3", "(0, 1)",
         "patient leader's share of power (the system leader holds the rest)"),
    REAL(action_noise, RULE_NONNEG, "0.1", ">= 0",
         "noise on each action around the equilibrium"),
    REAL(externality, RULE_NONNEG, "0.5", ">= 0",
         "loss from seeing the partner act against one's norms"),
    REAL(response_cost, RULE_NONNEG, "1.0", ">= 0",
         "cost of pushing back against the partner (power makes it cheaper)"),
    REAL(resistance_loss, RULE_NONNEG, "0.5", ">= 0",
         "loss suffered when the partner pushes back"),
    REAL(accept, RULE_NONNEG, "1.2", ">= 0, <= reject",
         "distance below which the partner's behaviour pulls norms closer"),
    REAL(reject, RULE_NONNEG, "1.8", ">= accept",
         "distance above which the partner's behaviour pushes norms away"),
    REAL(learning, RULE_NONNEG, "0.3", ">= 0",
         "rate at which norms change each module"),
    REAL(assimilation, RULE_NONNEG, "1.0", ">= 0",
         "pull towards the partner inside the latitude of acceptance"),
    REAL(repulsion, RULE_NONNEG, "0.5", ">= 0",
         "push away from the partner beyond the latitude of rejection"),
    REAL(self_consistency, RULE_NONNEG, "0.3", ">= 0",
         "pull of one's own actions on one's norms"),
    REAL(home_pull, RULE_NONNEG, "0.05", ">= 0",
         "pull back towards one's own side's ideal"),
    REAL(norm_noise, RULE_NONNEG, "0.05", ">= 0",
         "noise on each norm update"),
};

#define NROWS (sizeof rows / sizeof rows[0])

void sim_params_default(sim_params *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < NROWS; i++) {
        duet_err e;
        int rc = sim_params_set(p, rows[i].info.name, rows[i].info.def, &e);
        (void)rc;   /* the defaults are valid; test_model checks it */
    }
}

size_t sim_params_count(void)
{
    return NROWS;
}

const sim_param_info *sim_params_info(size_t i)
{
    return i < NROWS ? &rows[i].info : NULL;
}

int sim_params_is_model(size_t i)
{
    return i < NROWS && rows[i].model;
}

int sim_params_find(const char *name)
{
    for (size_t i = 0; i < NROWS; i++) {
        const char *a = rows[i].info.name, *b = name;
        while (*a && (*a == *b || (*a == '_' && *b == '-'))) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0')
            return (int)i;
    }
    return -1;
}

static uint64_t *u64_at(sim_params *p, size_t i)
{
    return (uint64_t *)((char *)p + rows[i].off);
}

static int *int_at(sim_params *p, size_t i)
{
    return (int *)((char *)p + rows[i].off);
}

static double *real_at(sim_params *p, size_t i)
{
    return (double *)((char *)p + rows[i].off);
}

/* pairs and seed are uint64_t; modules and dims are int. */
static int is_u64(size_t i)
{
    return rows[i].off == offsetof(sim_params, pairs) ||
           rows[i].off == offsetof(sim_params, seed);
}

double sim_params_get(const sim_params *p, size_t i)
{
    sim_params *q = (sim_params *)p;
    if (i >= NROWS)
        return NAN;
    if (rows[i].info.kind == SIM_PARAM_REAL)
        return *real_at(q, i);
    return is_u64(i) ? (double)*u64_at(q, i) : (double)*int_at(q, i);
}

/* Checks one value against its row's rule. */
static int check_real(size_t i, double v, duet_err *e)
{
    const char *n = rows[i].info.name;
    if (!isfinite(v))
        return duet_errf(e, DUET_EINPUT, "parameter '%s': %g is not a finite number", n, v);
    switch (rows[i].rule) {
    case RULE_POSITIVE:
        if (!(v > 0))
            return duet_errf(e, DUET_EINPUT, "parameter '%s': %.15g is not positive (it must be > 0)",
                             n, v);
        break;
    case RULE_NONNEG:
        if (v < 0)
            return duet_errf(e, DUET_EINPUT, "parameter '%s': %.15g is negative (it must be >= 0)",
                             n, v);
        break;
    case RULE_OPEN01:
        if (!(v > 0 && v < 1))
            return duet_errf(e, DUET_EINPUT, "parameter '%s': %.15g is outside (0, 1)", n, v);
        break;
    default:
        break;
    }
    return 0;
}

static int check_count(size_t i, uint64_t v, duet_err *e)
{
    if (rows[i].rule == RULE_COUNT && (v < rows[i].lo || v > rows[i].hi))
        return duet_errf(e, DUET_EINPUT, "parameter '%s': %llu is outside %s",
                         rows[i].info.name, (unsigned long long)v, rows[i].info.range);
    return 0;
}

/* A whole decimal number, no sign, no spaces, no trailing text. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (!isdigit((unsigned char)s[0]))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int sim_params_set(sim_params *p, const char *name, const char *value, duet_err *e)
{
    int i = sim_params_find(name);
    if (i < 0)
        return duet_errf(e, DUET_EINPUT, "unknown parameter '%s'", name);
    const char *n = rows[i].info.name;
    if (value == NULL || *value == '\0')
        return duet_errf(e, DUET_EINPUT, "parameter '%s': a value is needed", n);
    if (rows[i].info.kind == SIM_PARAM_COUNT) {
        uint64_t v;
        if (parse_u64(value, &v) != 0) {
            if (value[0] == '-' && rows[i].rule == RULE_COUNT)
                return duet_errf(e, DUET_EINPUT, "parameter '%s': %s is outside %s", n, value,
                                 rows[i].info.range);
            return duet_errf(e, DUET_EINPUT, "parameter '%s': '%s' is not a whole number in %s",
                             n, value, rows[i].info.range);
        }
        if (check_count((size_t)i, v, e) != 0)
            return -1;
        if (is_u64((size_t)i))
            *u64_at(p, (size_t)i) = v;
        else
            *int_at(p, (size_t)i) = (int)v;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end != '\0' || isspace((unsigned char)value[0]))
        return duet_errf(e, DUET_EINPUT, "parameter '%s': '%s' is not a number", n, value);
    if (errno == ERANGE && isinf(v))
        return duet_errf(e, DUET_EINPUT, "parameter '%s': '%s' is too large", n, value);
    if (check_real((size_t)i, v, e) != 0)
        return -1;
    *real_at(p, (size_t)i) = v;
    return 0;
}

int sim_params_validate(const sim_params *p, duet_err *e)
{
    sim_params *q = (sim_params *)p;
    for (size_t i = 0; i < NROWS; i++) {
        if (rows[i].info.kind == SIM_PARAM_REAL) {
            if (check_real(i, *real_at(q, i), e) != 0)
                return -1;
        } else {
            uint64_t v = is_u64(i) ? *u64_at(q, i) : (uint64_t)(int64_t)*int_at(q, i);
            if (!is_u64(i) && *int_at(q, i) < 0)
                return duet_errf(e, DUET_EINPUT, "parameter '%s': %d is outside %s",
                                 rows[i].info.name, *int_at(q, i), rows[i].info.range);
            if (check_count(i, v, e) != 0)
                return -1;
        }
    }
    if (p->accept > p->reject)
        return duet_errf(e, DUET_EINPUT,
                         "parameter 'accept': %.15g is above 'reject' (%.15g); the latitude of "
                         "acceptance must end where the latitude of rejection begins, or before",
                         p->accept, p->reject);
    return 0;
}
