/*
** rng.h — a small deterministic generator (splitmix64) for synthetic data.
** Not for cryptography and not the model's generator (see model/philox.h).
*/
#ifndef DUET_CORE_RNG_H
#define DUET_CORE_RNG_H

#include <stdint.h>

typedef struct rng { uint64_t s; } rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);              /* [0, 1) */
double rng_normal(rng *r);               /* standard normal */
int rng_int(rng *r, int lo, int hi);     /* uniform in lo..hi inclusive */

#endif
