/*
** philox.c — scalar Philox4x32-10 (Random123's own implementation) and
** Box–Muller exactly as spec §2 writes it.
*/
#include "model/philox.h"

#include <math.h>

#include <Random123/philox.h>

void philox_key(uint64_t seed, uint32_t key[2])
{
    key[0] = (uint32_t)(seed & 0xFFFFFFFFu);
    key[1] = (uint32_t)(seed >> 32);
}

void philox_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t r = philox4x32_R(10, c, k);
    for (int i = 0; i < 4; i++)
        out[i] = r.v[i];
}

void philox_normals(uint64_t seed, uint32_t p, uint32_t t, uint32_t stream, uint32_t b,
                    double z[4])
{
    uint32_t key[2], ctr[4] = {p, t, stream, b}, x[4];
    philox_key(seed, key);
    philox_block(ctr, key, x);
    for (int h = 0; h < 2; h++) {
        double r = sqrt(-2.0 * log(philox_u01(x[2 * h])));
        double a = 2.0 * M_PI * philox_u01(x[2 * h + 1]);
        z[2 * h] = r * cos(a);
        z[2 * h + 1] = r * sin(a);
    }
}

double philox_normal(uint64_t seed, uint32_t p, uint32_t t, uint32_t stream, uint32_t j)
{
    double z[4];
    philox_normals(seed, p, t, stream, j / 4, z);
    return z[j % 4];
}
