/*
** philox.h — the model's random numbers (spec §2): Philox4x32-10 from
** Random123 and the Box–Muller normal deviates built on it.
**
** Everything here is a pure function of (seed, counter): no state, so a
** pair's numbers do not depend on threads, ranks or the order of work.
** The vectorised copy used by the simulator (model/sim.c) must agree with
** these functions; the tests hold both to the spec's known answers.
*/
#ifndef DUET_MODEL_PHILOX_H
#define DUET_MODEL_PHILOX_H

#include <stdint.h>

/* Random123's Weyl key increments and round multipliers for Philox4x32. */
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u

/* The key of a 64-bit seed: (seed mod 2^32, floor(seed / 2^32)). */
void philox_key(uint64_t seed, uint32_t key[2]);

/* One Philox4x32-10 block: out = philox4x32(ctr, key), 10 rounds. */
void philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* u(x) = (x + 0.5) * 2^-32, in (0, 1): exact in double. */
static inline double philox_u01(uint32_t x)
{
    return ((double)x + 0.5) * 0x1p-32;
}

/* The four standard normals of block (p, t, stream, b) under seed:
** z0 = sqrt(-2 ln u(x0)) cos(2 pi u(x1)), z1 = ... sin(...), and z2, z3
** from x2, x3 the same way. */
void philox_normals(uint64_t seed, uint32_t p, uint32_t t, uint32_t stream, uint32_t b,
                    double z[4]);

/* The j-th standard normal of stream (p, t, stream): element j mod 4 of
** block j / 4. Convenient for tests and one-off draws; the simulator
** draws whole blocks. */
double philox_normal(uint64_t seed, uint32_t p, uint32_t t, uint32_t stream, uint32_t j);

#endif
