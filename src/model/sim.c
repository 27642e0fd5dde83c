/*
** sim.c — the pair identity model (spec §3-§6), four pairs at a time.
**
** How it is fast: a pair-module needs 16 normal deviates at K = 4, so
** Philox and log/sin/cos dominate. Pairs run in blocks of four lanes, one
** pair per lane of a 4 x double vector (GCC vector extensions), and the
** normals are made in the kernel itself: Philox (AVX2 intrinsics where
** the CPU has AVX2 and FMA, else Random123 lane by lane) and log, sin, cos
** from fdlibm's polynomials, computed on several vectors side by side. The
** same model code is compiled twice, for AVX2+FMA and for the baseline
** x86-64 (SSE2), and chosen at run time.
**
** Why the numbers are right and reproducible:
**  - fdlibm's kernels are within 1 ulp and the reduction of 2 pi u is exact
**    in u, so each normal is within a few ulp of spec §2's libm formula
**    (model/philox.c); FMA contraction (AVX2 path only) moves results by
**    ulps. The tests hold both paths to 1e-9 of the golden file and of a
**    scalar reference;
**  - lanes never mix: a pair's numbers depend only on its index, never on
**    the block, thread or process that ran it (tail lanes of a block
**    recompute a real pair and are ignored), so output is byte-identical
**    for any thread count on a given machine;
**  - summaries use integer counts and exact sums (sim_xsum): any split of
**    the pairs, merged in any order, gives bit-identical totals.
*/
#include "model/sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "model/philox.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define SIM_HAVE_AVX2 1
#include <immintrin.h>
#else
#define SIM_HAVE_AVX2 0
#endif

#define W 4                          /* lanes (pairs) per block */

/* A block's worth of doubles / of 64-bit masks: one AVX2 register. */
typedef double vd __attribute__((vector_size(8 * W)));
typedef long long vl __attribute__((vector_size(8 * W)));
typedef unsigned long long vu __attribute__((vector_size(8 * W)));

static const char *const regime_names[SIM_NREGIMES] = {
    "polarised", "partnership", "patient_native", "system_native", "stalled"};

const char *sim_regime_name(enum sim_regime r)
{
    return (unsigned)r < SIM_NREGIMES ? regime_names[r] : "unknown";
}

/* ---- Exact sums ----------------------------------------------------------- */

#define XSUM_PENDING_MAX (1u << 29)  /* each addition adds < 2^33 to a limb */

void sim_xsum_init(sim_xsum *s)
{
    memset(s, 0, sizeof *s);
}

/* Brings every limb but the top one into [0, 2^32); the value is unchanged. */
static void xsum_carry(sim_xsum *s)
{
    for (int i = 0; i < SIM_XSUM_LIMBS - 1; i++) {
        int64_t c = s->limb[i] >> 32;          /* floor division by 2^32 */
        s->limb[i] -= c * 4294967296LL;
        s->limb[i + 1] += c;
    }
    s->pending = 0;
}

void sim_xsum_add(sim_xsum *s, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned ex = (unsigned)(bits >> 52) & 0x7FF;
    uint64_t m = bits & ((1ull << 52) - 1);
    int neg = (int)(bits >> 63);
    if (ex == 0x7FF) {
        s->special |= m ? 1u : neg ? 4u : 2u;
        return;
    }
    /* x = m * 2^(pos - 1074) with m < 2^53. */
    unsigned pos = 0;
    if (ex) {
        m |= 1ull << 52;
        pos = ex - 1;
    }
    if (m == 0)
        return;
    unsigned idx = pos >> 5, sh = pos & 31;
    uint64_t a = (m & 0xFFFFFFFFu) << sh;      /* < 2^63 */
    uint64_t b = (m >> 32) << sh;              /* < 2^52 */
    int64_t l0 = (int64_t)(a & 0xFFFFFFFFu);
    int64_t l1 = (int64_t)(a >> 32) + (int64_t)(b & 0xFFFFFFFFu);
    int64_t l2 = (int64_t)(b >> 32);
    if (neg) {
        s->limb[idx] -= l0;
        s->limb[idx + 1] -= l1;
        s->limb[idx + 2] -= l2;
    } else {
        s->limb[idx] += l0;
        s->limb[idx + 1] += l1;
        s->limb[idx + 2] += l2;
    }
    if (++s->pending >= XSUM_PENDING_MAX)
        xsum_carry(s);
}

void sim_xsum_merge(sim_xsum *into, const sim_xsum *from)
{
    sim_xsum f = *from;
    xsum_carry(&f);
    xsum_carry(into);
    for (int i = 0; i < SIM_XSUM_LIMBS; i++)
        into->limb[i] += f.limb[i];
    into->special |= f.special;
    xsum_carry(into);
}

double sim_xsum_value(const sim_xsum *s)
{
    if (s->special & 1u || (s->special & 6u) == 6u)
        return NAN;
    if (s->special & 2u)
        return INFINITY;
    if (s->special & 4u)
        return -INFINITY;
    sim_xsum t = *s;
    xsum_carry(&t);
    /* After the carry pass every limb but the top one is in [0, 2^32), so
    ** the total is negative exactly when the top limb is; then convert
    ** the magnitude (the top limb alone would overflow a double). */
    double sign = 1;
    if (t.limb[SIM_XSUM_LIMBS - 1] < 0) {
        sign = -1;
        for (int i = 0; i < SIM_XSUM_LIMBS; i++)
            t.limb[i] = -t.limb[i];
        xsum_carry(&t);
    }
    /* From the smallest limb up: each term is exact; the result depends
    ** only on the exact total, never on how it was reached. */
    double r = 0;
    for (int i = 0; i < SIM_XSUM_LIMBS; i++)
        if (t.limb[i])
            r += ldexp((double)t.limb[i], 32 * i - 1074);
    return sign * r;
}

/* ---- Summaries ------------------------------------------------------------ */

void sim_summary_init(sim_summary *s)
{
    memset(s, 0, sizeof *s);
}

void sim_summary_merge(sim_summary *into, const sim_summary *from)
{
    into->pairs += from->pairs;
    into->pair_modules += from->pair_modules;
    for (int r = 0; r < SIM_NREGIMES; r++)
        into->regime[r] += from->regime[r];
    for (int m = 0; m < 2; m++) {
        into->resisted[m] += from->resisted[m];
        sim_xsum_merge(&into->final_quality[m], &from->final_quality[m]);
    }
    sim_xsum_merge(&into->balance, &from->balance);
    sim_xsum_merge(&into->d0, &from->d0);
    sim_xsum_merge(&into->dm, &from->dm);
}

void sim_summary_stats(const sim_summary *s, sim_stats *out)
{
    double np = s->pairs ? (double)s->pairs : NAN;
    double npm = s->pair_modules ? (double)s->pair_modules : NAN;
    out->pairs = s->pairs;
    for (int r = 0; r < SIM_NREGIMES; r++)
        out->regime[r] = (double)s->regime[r] / np;
    for (int m = 0; m < 2; m++) {
        out->final_quality[m] = sim_xsum_value(&s->final_quality[m]) / np;
        out->resistance_rate[m] = (double)s->resisted[m] / npm;
    }
    out->balance = sim_xsum_value(&s->balance) / npm;
    out->d0 = sim_xsum_value(&s->d0) / np;
    out->dm = sim_xsum_value(&s->dm) / np;
}

/* A real, or null when it is not finite (JSON has no NaN). */
static json_t *jreal(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *sim_summary_json(const sim_summary *s, const sim_params *p)
{
    sim_stats st;
    sim_summary_stats(s, &st);
    json_t *o = json_object(), *reg = json_object(), *q = json_object(),
           *res = json_object(), *par = json_object();
    if (!o || !reg || !q || !res || !par)
        goto fail;
    int bad = 0;
    bad |= json_object_set_new(o, "pairs", json_integer((json_int_t)s->pairs));
    bad |= json_object_set_new(o, "modules", json_integer(p->modules));
    bad |= json_object_set_new(o, "dims", json_integer(p->dims));
    if (p->seed <= (uint64_t)INT64_MAX) {
        bad |= json_object_set_new(o, "seed", json_integer((json_int_t)p->seed));
    } else {
        char buf[32];   /* jansson integers are signed 64-bit: larger seeds as text */
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)p->seed);
        bad |= json_object_set_new(o, "seed", json_string(buf));
    }
    /* Regimes in the order people read them. */
    static const enum sim_regime order[SIM_NREGIMES] = {
        SIM_PARTNERSHIP, SIM_PATIENT_NATIVE, SIM_SYSTEM_NATIVE, SIM_POLARISED, SIM_STALLED};
    for (int i = 0; i < SIM_NREGIMES; i++)
        bad |= json_object_set_new(reg, sim_regime_name(order[i]), jreal(st.regime[order[i]]));
    bad |= json_object_set_new(q, "patient", jreal(st.final_quality[0]));
    bad |= json_object_set_new(q, "system", jreal(st.final_quality[1]));
    bad |= json_object_set_new(res, "patient", jreal(st.resistance_rate[0]));
    bad |= json_object_set_new(res, "system", jreal(st.resistance_rate[1]));
    for (size_t i = 0; i < sim_params_count(); i++)
        if (sim_params_is_model(i))
            bad |= json_object_set_new(par, sim_params_info(i)->name,
                                       jreal(sim_params_get(p, i)));
    bad |= json_object_set_new(o, "regimes", reg);
    reg = NULL;
    bad |= json_object_set_new(o, "mean_final_quality", q);
    q = NULL;
    bad |= json_object_set_new(o, "resistance_rate", res);
    res = NULL;
    bad |= json_object_set_new(o, "mean_balance", jreal(st.balance));
    bad |= json_object_set_new(o, "mean_d0", jreal(st.d0));
    bad |= json_object_set_new(o, "mean_dm", jreal(st.dm));
    bad |= json_object_set_new(o, "parameters", par);
    par = NULL;
    if (bad)
        goto fail;
    return o;
fail:
    json_decref(o);
    json_decref(reg);
    json_decref(q);
    json_decref(res);
    json_decref(par);
    return NULL;
}

/* ---- Trajectories --------------------------------------------------------- */

int sim_traj_init(sim_traj *tr, int modules, int dims, duet_err *e)
{
    memset(tr, 0, sizeof *tr);
    if (modules < 1 || modules > SIM_MODULES_MAX || dims < 1 || dims > SIM_DIMS_MAX)
        return duet_errf(e, DUET_EINPUT, "trajectory of %d modules x %d dims is out of range",
                         modules, dims);
    size_t M = (size_t)modules, K = (size_t)dims;
    tr->modules = modules;
    tr->dims = dims;
    tr->action = malloc(M * 2 * K * sizeof(double));
    tr->norm = malloc((M + 1) * 2 * K * sizeof(double));
    tr->quality = malloc(M * 2 * sizeof(double));
    tr->strain = malloc(M * 2 * sizeof(double));
    tr->resisted = malloc(M * 2);
    tr->gap = malloc(M * sizeof(double));
    tr->balance = malloc(M * sizeof(double));
    tr->distance = malloc((M + 1) * sizeof(double));
    if (!tr->action || !tr->norm || !tr->quality || !tr->strain || !tr->resisted ||
        !tr->gap || !tr->balance || !tr->distance) {
        sim_traj_free(tr);
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    }
    return 0;
}

void sim_traj_free(sim_traj *tr)
{
    if (tr == NULL)
        return;
    free(tr->action);
    free(tr->norm);
    free(tr->quality);
    free(tr->strain);
    free(tr->resisted);
    free(tr->gap);
    free(tr->balance);
    free(tr->distance);
    memset(tr, 0, sizeof *tr);
}

/* ---- The kernel ----------------------------------------------------------- */

/* Everything the kernel needs, derived once from the parameters. */
struct sctx {
    int K, M;
    uint64_t seed;
    uint32_t key[2];
    uint32_t rk0[10], rk1[10];       /* Philox round keys */
    vl vk0[10], vk1[10];            /* the same, in every lane (AVX2 Philox) */
    double invK;
    double pi[2], s[2], kap[2], rthr[2], taubar[2];
    double init_spread, sig, an, ext, rl, acc, rej, lr, as, rep, sc, hp, nn, c;
    int avx2;
};

/* What the summary needs from one lane. */
struct lane_out {
    enum sim_regime regime;
    double d0, dm, qfinal[2], balance_sum;
    uint32_t resisted[2];
};

static void sctx_init(struct sctx *c, const sim_params *p, int portable)
{
    memset(c, 0, sizeof *c);
    c->K = p->dims;
    c->M = p->modules;
    c->seed = p->seed;
    philox_key(p->seed, c->key);
    for (int r = 0; r < 10; r++) {
        c->rk0[r] = c->key[0] + (uint32_t)r * PHILOX_W0;
        c->rk1[r] = c->key[1] + (uint32_t)r * PHILOX_W1;
        for (int l = 0; l < W; l++) {
            c->vk0[r][l] = c->rk0[r];
            c->vk1[r][l] = c->rk1[r];
        }
    }
    c->invK = 1.0 / p->dims;
    c->c = p->prescription;
    c->pi[0] = p->prescription;
    c->pi[1] = -p->prescription;
    c->s[0] = p->power_patient;
    c->s[1] = 1 - p->power_patient;
    for (int i = 0; i < 2; i++) {
        c->kap[i] = 2 * p->coordination * (1 - c->s[i]);
        c->rthr[i] = 2 * p->response_cost * (1 - c->s[i]);
    }
    c->taubar[0] = p->tau_patient;
    c->taubar[1] = p->tau_system;
    c->init_spread = p->init_spread;
    c->sig = p->tau_spread;
    c->an = p->action_noise;
    c->ext = p->externality;
    c->rl = p->resistance_loss;
    c->acc = p->accept;
    c->rej = p->reject;
    c->lr = p->learning;
    c->as = p->assimilation;
    c->rep = p->repulsion;
    c->sc = p->self_consistency;
    c->hp = p->home_pull;
    c->nn = p->norm_noise;
    c->avx2 = !portable && sim_simd_available();
}

#define ALWAYS static inline __attribute__((always_inline))

/* x in every lane. */
#define vsplat(x) ((vd){0} + (double)(x))

/* a where mask is set, else b (mask lanes are all ones or all zeros, as
** vector comparisons give). A macro: a function taking vectors by value
** draws ABI notes from GCC even when always inlined. */
#define vsel(mask, a, b) ((vd)((((vl)(a)) & (mask)) | (((vl)(b)) & ~(mask))))

/* out = sqrt(x), exactly, lane by lane. With -fno-math-errno (see the
** Makefile) GCC turns the loop into one vsqrtpd, or two sqrtpd. */
#define VSQRT(out, x)                                                           \
    do {                                                                       \
        double t_[W];                                                          \
        const vd x_ = (x);                                                     \
        memcpy(t_, &x_, sizeof t_);                                            \
        for (int l_ = 0; l_ < W; l_++)                                         \
            t_[l_] = __builtin_sqrt(t_[l_]);                                   \
        memcpy(&(out), t_, sizeof t_);                                         \
    } while (0)

/* The functions below work on G independent vectors side by side, step
** by step: one log or sin/cos alone is a long chain of dependent
** operations that leaves most of the core idle. */
#define G 4
#define EACH(j) _Pragma("GCC unroll 4") for (int j = 0; j < G; j++)

/* out[j] = ln u[j * stride] for u in [2^-33, 1): fdlibm's e_log.c (error
** below 1 ulp) without its special cases, which u never meets. */
ALWAYS void vlog01(const vd *u, int stride, vd *out)
{
    vd k[G], f[G], hfsq[G], s[G], z[G], w[G], t1[G], t2[G];
    EACH(j) {
        /* u = 2^k m with m in [sqrt(1/2), sqrt(2)), by integer steps (as
        ** musl does): shift the bits so that m's range starts the binade. */
        const vu ix = (vu)u[j * stride] + (0x3FF0000000000000ull - 0x3FE6A09E00000000ull);
        const vd m = (vd)((ix & 0x000FFFFFFFFFFFFFull) + 0x3FE6A09E00000000ull);
        /* The biased exponent as a double, exactly: read 2^52 + e as a double. */
        k[j] = (vd)((ix >> 52) | 0x4330000000000000ull) - vsplat(0x1p52 + 1023);
        f[j] = m - vsplat(1.0);
    }
    EACH(j) s[j] = f[j] / (vsplat(2.0) + f[j]);
    EACH(j) hfsq[j] = vsplat(0.5) * f[j] * f[j];
    EACH(j) {
        z[j] = s[j] * s[j];
        w[j] = z[j] * z[j];
    }
    EACH(j) {
        t1[j] = w[j] * (vsplat(3.999999999940941908e-01) +
                        w[j] * (vsplat(2.222219843214978396e-01) +
                                w[j] * vsplat(1.531383769920937332e-01)));
        t2[j] = z[j] * (vsplat(6.666666666666735130e-01) +
                        w[j] * (vsplat(2.857142874366239149e-01) +
                                w[j] * (vsplat(1.818357216161805012e-01) +
                                        w[j] * vsplat(1.479819860511658591e-01))));
    }
    EACH(j) {
        const vd R = t2[j] + t1[j];
        out[j] = k[j] * vsplat(6.93147180369123816490e-01) -
                 ((hfsq[j] - (s[j] * (hfsq[j] + R) + k[j] * vsplat(1.90821492927058770002e-10))) -
                  f[j]);
    }
}

/* c[j], s[j] = cos and sin of 2 pi u[j stride], u in (0, 1). The reduction is
** exact in u: u = n/4 + r with |r| <= 1/8; then fdlibm's k_sin.c and
** k_cos.c kernels (error below 1 ulp) on theta = 2 pi r, |theta| <= pi/4,
** and the quadrant n mod 4 picks and signs the results. */
ALWAYS void vsincos2pi(const vd *u, int stride, vd *c, vd *s)
{
    const vd shifter = vsplat(0x1.8p52);
    vl q[G];
    vd x[G], z[G], sn[G], cs[G];
    EACH(j) {
        const vd uj = u[j * stride];
        const vd t = uj * vsplat(4.0) + shifter;          /* rounds 4u to an integer */
        q[j] = (vl)t & 3;
        x[j] = vsplat(6.283185307179586) * (uj - (t - shifter) * vsplat(0.25));
    }
    EACH(j) z[j] = x[j] * x[j];
    EACH(j) {   /* k_sin.c */
        const vd rs = vsplat(8.33333333332248946124e-03) +
                      z[j] * (vsplat(-1.98412698298579493134e-04) +
                              z[j] * (vsplat(2.75573137070700676789e-06) +
                                      z[j] * (vsplat(-2.50507602534068634195e-08) +
                                              z[j] * vsplat(1.58969099521155010221e-10))));
        sn[j] = x[j] + z[j] * x[j] * (vsplat(-1.66666666666666324348e-01) + z[j] * rs);
    }
    EACH(j) {   /* k_cos.c */
        const vd w = z[j] * z[j];
        const vd rc = z[j] * (vsplat(4.16666666666666019037e-02) +
                              z[j] * (vsplat(-1.38888888888741095749e-03) +
                                      z[j] * vsplat(2.48015872894767294178e-05))) +
                      w * w * (vsplat(-2.75573143513906633035e-07) +
                               z[j] * (vsplat(2.08757232129817482790e-09) +
                                       z[j] * vsplat(-1.13596475577881948265e-11)));
        const vd hz = vsplat(0.5) * z[j], wc = vsplat(1.0) - hz;
        cs[j] = wc + (((vsplat(1.0) - wc) - hz) + z[j] * rc);
    }
    EACH(j) {
        /* Quadrant q: (cos, sin) = (C, S), (-S, C), (-C, -S), (S, -C); bit 1
        ** of q + 1 and of q, moved to bit 63, are the signs. */
        const vl swap = (q[j] & 1) == 1;
        const vu q1 = (vu)q[j];
        c[j] = (vd)((vu)vsel(swap, sn[j], cs[j]) ^ (((q1 + 1) >> 1) << 63));
        s[j] = (vd)((vu)vsel(swap, cs[j], sn[j]) ^ ((q1 >> 1) << 63));
    }
}

/* Box-Muller on Philox words held as u(x): u[4 i + 0..3] -> z[4 i + 0..3],
** for an even number of blocks. */
ALWAYS void normals(const vd *u, int nblocks, vd *z)
{
    for (int i = 0; i < nblocks; i += 2, u += 8, z += 8) {
        /* Words 0 and 2 of two blocks feed log, words 1 and 3 sin/cos. */
        vd lg[G], c[G], s[G];
        vlog01(u, 2, lg);
        vsincos2pi(u + 1, 2, c, s);
        EACH(j) {
            vd r;
            VSQRT(r, vsplat(-2.0) * lg[j]);
            z[2 * j] = r * c[j];
            z[2 * j + 1] = r * s[j];
        }
    }
}

/* Philox words of blocks (pid[l], t, s0 + i, b), i < ns, b < nb, as u(x):
** u[(i nb + b) 4 + w][l] for word w. The portable way: Random123 per lane. */
static void philox_u_portable(const struct sctx *c, const uint32_t pid[W], uint32_t t,
                              uint32_t s0, int ns, int nb, vd *u)
{
    for (int i = 0; i < ns; i++) {
        for (int b = 0; b < nb; b++) {
            vd *o = u + ((size_t)i * (size_t)nb + (size_t)b) * 4;
            for (int l = 0; l < W; l++) {
                uint32_t ctr[4] = {pid[l], t, s0 + (uint32_t)i, (uint32_t)b}, x[4];
                philox_block(ctr, c->key, x);
                for (int w = 0; w < 4; w++)
                    o[w][l] = philox_u01(x[w]);
            }
        }
    }
}

#if SIM_HAVE_AVX2
/* The same with AVX2: each 32-bit word sits in the low half of a 64-bit
** lane, so _mm256_mul_epu32 gives Philox's full 64-bit product. Two
** blocks run interleaved, since one alone is a chain of dependent steps. */
__attribute__((target("avx2"), noinline))
static void philox_u_avx2(const struct sctx *c, const uint32_t pid[W], uint32_t t,
                          uint32_t s0, int ns, int nb, vd *u)
{
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
    const __m256i magic = _mm256_set1_epi64x(0x4330000000000000ll);    /* 2^52 */
    const __m256d bias = _mm256_set1_pd(0x1p52 - 0.5), scale = _mm256_set1_pd(0x1p-32);
    const __m256i pv = _mm256_set_epi64x(pid[3], pid[2], pid[1], pid[0]);
    const __m256i tv = _mm256_set1_epi64x(t);
    const int n = ns * nb;                  /* block j: stream s0 + j / nb, b = j % nb */
    for (int j = 0; j < n; j += 2) {
        __m256i x[2][4];
        for (int h = 0; h < 2; h++) {
            int jj = j + h < n ? j + h : j;
            x[h][0] = pv;
            x[h][1] = tv;
            x[h][2] = _mm256_set1_epi64x(s0 + (uint32_t)(jj / nb));
            x[h][3] = _mm256_set1_epi64x(jj % nb);
        }
#pragma GCC unroll 10
        for (int r = 0; r < 10; r++) {
            const __m256i k0 = _mm256_load_si256((const __m256i *)&c->vk0[r]);
            const __m256i k1 = _mm256_load_si256((const __m256i *)&c->vk1[r]);
#pragma GCC unroll 2
            for (int h = 0; h < 2; h++) {
                __m256i p0 = _mm256_mul_epu32(x[h][0], m0), p1 = _mm256_mul_epu32(x[h][2], m1);
                /* Bits above 31 are garbage but harmless: mul_epu32 reads
                ** only the low halves, and the outputs are masked below. */
                x[h][0] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x[h][1]), k0);
                x[h][1] = p1;
                x[h][2] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x[h][3]), k1);
                x[h][3] = p0;
            }
        }
        for (int h = 0; h < 2 && j + h < n; h++) {
            double *o = (double *)(u + (size_t)(j + h) * 4);
            for (int w = 0; w < 4; w++) {
                /* The word under the exponent bits of 2^52 reads as the
                ** double 2^52 + x; less 2^52 - 1/2 that is x + 1/2, exactly. */
                __m256d d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_blend_epi32(x[h][w], magic, 0xAA)),
                                          bias);
                _mm256_storeu_pd(o + W * w, _mm256_mul_pd(d, scale));
            }
        }
    }
}
#endif

int sim_simd_available(void)
{
#if SIM_HAVE_AVX2
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* Normals of streams s0 .. s0+ns-1 at module t: stream i's j-th normal
** goes to z[i * 4 nb + j]. u is scratch of the same size. */
ALWAYS void draw(const struct sctx *c, const uint32_t pid[W], uint32_t t, uint32_t s0, int ns,
                 int nb, vd *u, vd *z)
{
#if SIM_HAVE_AVX2
    if (c->avx2)
        philox_u_avx2(c, pid, t, s0, ns, nb, u);
    else
#endif
        philox_u_portable(c, pid, t, s0, ns, nb, u);
    normals(u, ns * nb, z);
}

/* Runs pairs p0 .. p0+nl-1 (nl <= W) through spec §3-§5, filling tr[l]
** when tr is not NULL and out[l] always. Lanes nl .. W-1 rerun pair p0. */
ALWAYS void kernel_body(const struct sctx *c, uint64_t p0, int nl, sim_traj *const *tr,
                        struct lane_out *out)
{
    const int K = c->K, M = c->M, nb = (K + 3) / 4, S = 4 * nb;
    uint32_t pid[W];
    for (int l = 0; l < W; l++)
        pid[l] = (uint32_t)(p0 + (uint64_t)(l < nl ? l : 0));

    vd n0[SIM_DIMS_MAX], n1[SIM_DIMS_MAX], a0[SIM_DIMS_MAX], a1[SIM_DIMS_MAX];
    vd ubuf[4 * SIM_DIMS_MAX], zbuf[4 * SIM_DIMS_MAX];
    const vd invK = vsplat(c->invK), one = vsplat(1.0), zero = vsplat(0.0);

    /* t = 0: initial norms (streams 0, 1) and identity strengths (stream 2);
    ** stream 3 is drawn only to keep the block count even. */
    draw(c, pid, 0, 0, 4, nb, ubuf, zbuf);
    const vd pi0 = vsplat(c->pi[0]), pi1 = vsplat(c->pi[1]), spread = vsplat(c->init_spread);
    vd sd = zero;
    for (int k = 0; k < K; k++) {
        n0[k] = pi0 + spread * zbuf[k];
        n1[k] = pi1 + spread * zbuf[S + k];
        const vd d = n0[k] - n1[k];
        sd += d * d;
    }
    vd d0;
    VSQRT(d0, sd * invK);
    vd tau0, tau1;
    for (int l = 0; l < W; l++) {
        tau0[l] = c->taubar[0] * exp(c->sig * zbuf[2 * S][l] - c->sig * c->sig / 2);
        tau1[l] = c->taubar[1] * exp(c->sig * zbuf[2 * S + 1][l] - c->sig * c->sig / 2);
    }
    const vd kap0 = vsplat(c->kap[0]), kap1 = vsplat(c->kap[1]);
    const vd lam0 = kap0 / (kap0 + tau0), lam1 = kap1 / (kap1 + tau1);
    const vd c00 = one - lam0, c01 = lam0 * (one - lam1);
    const vd c11 = one - lam1, c10 = lam1 * (one - lam0);
    const vd rden = one / (one - lam0 * lam1);
    if (tr) {
        for (int l = 0; l < nl; l++) {
            tr[l]->pair = pid[l];
            tr[l]->tau[0] = tau0[l];
            tr[l]->tau[1] = tau1[l];
            tr[l]->distance[0] = d0[l];
            for (int k = 0; k < K; k++) {
                tr[l]->norm[k] = n0[k][l];
                tr[l]->norm[K + k] = n1[k][l];
            }
        }
    }

    const vd an = vsplat(c->an), ext = vsplat(c->ext), rl = vsplat(c->rl);
    const vd rthr0 = vsplat(c->rthr[0]), rthr1 = vsplat(c->rthr[1]);
    const vd acc = vsplat(c->acc), rej = vsplat(c->rej), as = vsplat(c->as),
              nrep = vsplat(-c->rep), lr = vsplat(c->lr), sc = vsplat(c->sc),
              hp = vsplat(c->hp), nn = vsplat(c->nn), halfv = vsplat(0.5);
    vd bal_sum = zero, res0 = zero, res1 = zero, q0 = zero, q1 = zero, dist = d0;
    for (int t = 1; t <= M; t++) {
        /* Streams 3, 4: action noise; 5, 6: norm noise. */
        draw(c, pid, (uint32_t)t, 3, 4, nb, ubuf, zbuf);
        const vd *za0 = zbuf, *za1 = zbuf + S, *zn0 = zbuf + 2 * S, *zn1 = zbuf + 3 * S;
        /* Actions: the Nash equilibrium plus noise; what each experiences. */
        vd sd0 = zero, sd1 = zero, se0 = zero, se1 = zero, sg = zero;
        for (int k = 0; k < K; k++) {
            const vd x0 = (c00 * n0[k] + c01 * n1[k]) * rden + an * za0[k];
            const vd x1 = (c11 * n1[k] + c10 * n0[k]) * rden + an * za1[k];
            a0[k] = x0;
            a1[k] = x1;
            const vd u = x1 - n0[k], v = x0 - n1[k], f0 = x0 - n0[k], f1 = x1 - n1[k],
                      g = x0 - x1;
            sd0 += u * u;
            sd1 += v * v;
            se0 += f0 * f0;
            se1 += f1 * f1;
            sg += g * g;
        }
        const vd d0sq = sd0 * invK, d1sq = sd1 * invK, e0sq = se0 * invK, e1sq = se1 * invK,
                  g2 = sg * invK;
        vd dd0, dd1, e0, e1;
        VSQRT(dd0, d0sq);
        VSQRT(dd1, d1sq);
        VSQRT(e0, e0sq);
        VSQRT(e1, e1sq);
        const vd r0 = vsel(ext * d0sq > rthr0, one, zero);
        const vd r1 = vsel(ext * d1sq > rthr1, one, zero);
        q0 = one / (one + (kap0 * g2 + tau0 * e0sq + ext * d0sq + rl * r1));
        q1 = one / (one + (kap1 * g2 + tau1 * e1sq + ext * d1sq + rl * r0));
        const vd es = e0 + e1;
        const vd b = vsel(es == zero, halfv, e0 / es);
        bal_sum += b;
        res0 += r0;
        res1 += r1;
        /* Norm update, simultaneous. */
        const vd w0 = vsel(dd0 < acc, as, vsel(dd0 > rej, nrep, zero));
        const vd w1 = vsel(dd1 < acc, as, vsel(dd1 > rej, nrep, zero));
        vd sdist = zero;
        for (int k = 0; k < K; k++) {
            const vd m0 = n0[k], m1 = n1[k];
            const vd y0 = m0 + lr * (w0 * (a1[k] - m0) + sc * (a0[k] - m0) + hp * (pi0 - m0)) +
                           nn * zn0[k];
            const vd y1 = m1 + lr * (w1 * (a0[k] - m1) + sc * (a1[k] - m1) + hp * (pi1 - m1)) +
                           nn * zn1[k];
            n0[k] = y0;
            n1[k] = y1;
            const vd d = y0 - y1;
            sdist += d * d;
        }
        if (tr || t == M)
            VSQRT(dist, sdist * invK);
        if (tr) {
            vd g;
            VSQRT(g, g2);
            for (int l = 0; l < nl; l++) {
                sim_traj *T = tr[l];
                size_t i2 = (size_t)(t - 1) * 2;
                double *act = T->action + i2 * (size_t)K;
                double *nrm = T->norm + (i2 + 2) * (size_t)K;
                for (int k = 0; k < K; k++) {
                    act[k] = a0[k][l];
                    act[K + k] = a1[k][l];
                    nrm[k] = n0[k][l];
                    nrm[K + k] = n1[k][l];
                }
                T->quality[i2] = q0[l];
                T->quality[i2 + 1] = q1[l];
                T->strain[i2] = e0[l];
                T->strain[i2 + 1] = e1[l];
                T->resisted[i2] = r0[l] != 0;
                T->resisted[i2 + 1] = r1[l] != 0;
                T->gap[t - 1] = g[l];
                T->balance[t - 1] = b[l];
                T->distance[t] = dist[l];
            }
        }
    }

    /* Outcome (spec §5). */
    for (int l = 0; l < nl; l++) {
        double x0 = 0, x1 = 0;
        for (int k = 0; k < K; k++) {
            x0 += n0[k][l];
            x1 += n1[k][l];
        }
        x0 = x0 * c->invK / c->c;
        x1 = x1 * c->invK / c->c;
        double xbar = (x0 + x1) / 2, D0 = d0[l], DM = dist[l];
        enum sim_regime rg;
        if (DM > 1.1 * D0)
            rg = SIM_POLARISED;
        else if (DM < 0.6 * D0 && fabs(xbar) <= 1.0 / 3)
            rg = SIM_PARTNERSHIP;
        else if (DM < 0.6 * D0 && xbar < -1.0 / 3)
            rg = SIM_PATIENT_NATIVE;
        else if (DM < 0.6 * D0 && xbar > 1.0 / 3)
            rg = SIM_SYSTEM_NATIVE;
        else
            rg = SIM_STALLED;
        out[l].regime = rg;
        out[l].d0 = D0;
        out[l].dm = DM;
        out[l].qfinal[0] = q0[l];
        out[l].qfinal[1] = q1[l];
        out[l].balance_sum = bal_sum[l];
        out[l].resisted[0] = (uint32_t)res0[l];
        out[l].resisted[1] = (uint32_t)res1[l];
        if (tr) {
            tr[l]->regime = rg;
            tr[l]->d0 = D0;
            tr[l]->dm = DM;
            tr[l]->x[0] = x0;
            tr[l]->x[1] = x1;
            tr[l]->xbar = xbar;
        }
    }
}

static void kernel_portable(const struct sctx *c, uint64_t p0, int nl, sim_traj *const *tr,
                            struct lane_out *out)
{
    kernel_body(c, p0, nl, tr, out);
}

#if SIM_HAVE_AVX2
__attribute__((target("avx2,fma")))
static void kernel_avx2(const struct sctx *c, uint64_t p0, int nl, sim_traj *const *tr,
                        struct lane_out *out)
{
    kernel_body(c, p0, nl, tr, out);
}
#endif

static void kernel(const struct sctx *c, uint64_t p0, int nl, sim_traj *const *tr,
                   struct lane_out *out)
{
#if SIM_HAVE_AVX2
    if (c->avx2) {
        kernel_avx2(c, p0, nl, tr, out);
        return;
    }
#endif
    kernel_portable(c, p0, nl, tr, out);
}

static void summary_add(sim_summary *s, const struct lane_out *o, int modules)
{
    s->pairs++;
    s->pair_modules += (uint64_t)modules;
    s->regime[o->regime]++;
    for (int m = 0; m < 2; m++) {
        s->resisted[m] += o->resisted[m];
        sim_xsum_add(&s->final_quality[m], o->qfinal[m]);
    }
    sim_xsum_add(&s->balance, o->balance_sum);
    sim_xsum_add(&s->d0, o->d0);
    sim_xsum_add(&s->dm, o->dm);
}

/* ---- Drivers -------------------------------------------------------------- */

int sim_run_pair(const sim_params *p, uint64_t pair, sim_traj *tr, duet_err *e)
{
    if (sim_params_validate(p, e) != 0)
        return -1;
    if (pair >= SIM_PAIRS_MAX)
        return duet_errf(e, DUET_EINPUT, "pair %llu is outside 0 .. 4294967295",
                         (unsigned long long)pair);
    if (tr->modules != p->modules || tr->dims != p->dims)
        return duet_errf(e, DUET_EINTERNAL, "trajectory sized %d x %d, parameters %d x %d",
                         tr->modules, tr->dims, p->modules, p->dims);
    struct sctx c;
    sctx_init(&c, p, 0);
    struct lane_out out[W];
    sim_traj *trs[W] = {tr, NULL, NULL, NULL};
    kernel(&c, pair, 1, trs, out);
    return 0;
}

#define CHUNK 1024                   /* pairs per unit of work (a multiple of W) */

int sim_run(const sim_params *p, uint64_t p0, uint64_t p1, const sim_opts *o,
            sim_summary *sum, duet_err *e)
{
    static const sim_opts none = {0};
    if (o == NULL)
        o = &none;
    if (sim_params_validate(p, e) != 0)
        return -1;
    if (p0 > p1 || p1 > SIM_PAIRS_MAX)
        return duet_errf(e, DUET_EINPUT, "pairs %llu .. %llu are outside 0 .. 4294967296",
                         (unsigned long long)p0, (unsigned long long)p1);
    struct sctx c;
    sctx_init(&c, p, o->portable);
    int threads = o->threads > 1 ? o->threads : 1;
    uint64_t total = p1 - p0;

    if (o->on_pair == NULL) {
        uint64_t nchunks = (total + CHUNK - 1) / CHUNK, done = 0;
#pragma omp parallel num_threads(threads)
        {
            /* Each thread's own summary, on its own stack (no false sharing). */
            sim_summary mine_s, *mine = &mine_s;
            sim_summary_init(mine);
#pragma omp for schedule(dynamic, 1) nowait
            for (uint64_t ch = 0; ch < nchunks; ch++) {
                uint64_t a = p0 + ch * CHUNK, z = a + CHUNK < p1 ? a + CHUNK : p1;
                struct lane_out out[W];
                for (uint64_t q = a; q < z; q += W) {
                    int nl = z - q < W ? (int)(z - q) : W;
                    kernel(&c, q, nl, NULL, out);
                    for (int l = 0; l < nl; l++)
                        summary_add(mine, &out[l], c.M);
                }
                uint64_t d;
#pragma omp atomic capture
                d = done += z - a;
                if (o->progress && omp_get_thread_num() == 0)
                    o->progress(o->progress_ctx, d, total);
            }
            /* Exact sums: the merge order cannot change the result. */
#pragma omp critical(sim_run_merge)
            sim_summary_merge(sum, mine);
        }
        if (o->progress)
            o->progress(o->progress_ctx, total, total);
        return 0;
    }

    /* With a callback: rounds of R pairs computed in parallel into
    ** trajectories, then handed over in pair order from this thread. */
    size_t per = ((size_t)c.M * 4 * (size_t)c.K + (size_t)c.M * 8 + 2 * (size_t)c.K) *
                 sizeof(double);
    size_t R = (64u << 20) / per;    /* about 64 MiB of trajectories at most */
    if (R > 256)
        R = 256;
    R = R / W * W;
    if (R < W)
        R = W;
    if (R > total)
        R = (size_t)(total + W - 1) / W * W;
    if (R == 0)
        return 0;
    sim_traj *trs = calloc(R, sizeof *trs);
    struct lane_out *outs = calloc(R, sizeof *outs);
    int rc = 0;
    if (trs == NULL || outs == NULL) {
        rc = duet_errf(e, DUET_EINTERNAL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < R && rc == 0; i++)
        rc = sim_traj_init(&trs[i], c.M, c.K, e);
    for (uint64_t a = p0; a < p1 && rc == 0; a += R) {
        uint64_t z = a + R < p1 ? a + R : p1;
        long nblk = (long)((z - a + W - 1) / W);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (long bk = 0; bk < nblk; bk++) {
            uint64_t q = a + (uint64_t)bk * W;
            int nl = z - q < W ? (int)(z - q) : W;
            sim_traj *tp[W] = {NULL, NULL, NULL, NULL};
            for (int l = 0; l < nl; l++)
                tp[l] = &trs[bk * W + l];
            kernel(&c, q, nl, tp, &outs[bk * W]);
        }
        for (uint64_t q = a; q < z && rc == 0; q++) {
            summary_add(sum, &outs[q - a], c.M);
            rc = o->on_pair(o->pair_ctx, &trs[q - a], e) ? -1 : 0;
        }
        if (o->progress && rc == 0)
            o->progress(o->progress_ctx, z - p0, total);
    }
done:
    if (trs)
        for (size_t i = 0; i < R; i++)
            sim_traj_free(&trs[i]);
    free(trs);
    free(outs);
    return rc;
}

/* ---- CSV ------------------------------------------------------------------ */

int sim_csv_header(FILE *f, int dims, duet_err *e)
{
    fputs("pair,module,member,side", f);
    for (int k = 1; k <= dims; k++)
        fprintf(f, ",action_%d", k);
    for (int k = 1; k <= dims; k++)
        fprintf(f, ",norm_%d", k);
    fputs(",quality,strain,resisted,gap,balance,distance\n", f);
    if (ferror(f))
        return duet_errf(e, DUET_EIO, "writing the trajectory failed");
    return 0;
}

int sim_csv_pair(FILE *f, const sim_traj *tr, duet_err *e)
{
    static const char *const side[2] = {"patient", "system"};
    const int K = tr->dims;
    for (int t = 1; t <= tr->modules; t++) {
        for (int m = 0; m < 2; m++) {
            const double *a = sim_traj_action(tr, t, m), *n = sim_traj_norm(tr, t, m);
            fprintf(f, "%llu,%d,%d,%s", (unsigned long long)tr->pair, t, m, side[m]);
            for (int k = 0; k < K; k++)
                fprintf(f, ",%.17g", a[k]);
            for (int k = 0; k < K; k++)
                fprintf(f, ",%.17g", n[k]);
            fprintf(f, ",%.17g,%.17g,%d,%.17g,%.17g,%.17g\n", sim_traj_quality(tr, t, m),
                    sim_traj_strain(tr, t, m), sim_traj_resisted(tr, t, m), tr->gap[t - 1],
                    tr->balance[t - 1], tr->distance[t]);
        }
    }
    if (ferror(f))
        return duet_errf(e, DUET_EIO, "writing the trajectory failed");
    return 0;
}
