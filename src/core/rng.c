/*
** rng.c — splitmix64 (Steele, Lea & Flood 2014) and Box–Muller normals.
*/
#include "core/rng.h"

#include <math.h>

void rng_seed(rng *r, uint64_t seed) { r->s = seed ^ 0x9E3779B97F4A7C15ULL; }

uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

double rng_normal(rng *r)
{
    double u = 1.0 - rng_uniform(r);   /* (0, 1] */
    double v = rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

int rng_int(rng *r, int lo, int hi)
{
    return lo + (int)(rng_uniform(r) * (double)(hi - lo + 1));
}
