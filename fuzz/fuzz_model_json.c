/*
** fuzz_model_json.c — libFuzzer target for the model's JSON readers: sweep
** grids, calibration targets and priors, and parameter values.
**
** The first byte picks the reader; the rest is its input. Any input must be
** refused with a message or accepted, never crash, leak or hang. Build with
** clang -fsanitize=fuzzer,address,undefined (see scripts/fuzz.sh).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/abc.h"
#include "model/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_have_message(int rc, const duet_err *e)
{
    if (rc != 0 && (e->msg[0] == '\0' || strlen(e->msg) >= sizeof e->msg))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    duet_err e = {0};
    switch (data[0] % 4) {
    case 0: {
        struct sweep_grid g;
        int rc = sweep_grid_parse(json, len, "fuzz", 0, &g, &e);
        must_have_message(rc, &e);
        if (rc == 0) {
            if (g.npoints == 0)
                abort();
            sim_params p;
            if (sweep_point(&g, g.npoints - 1, &p, NULL, &e) != 0 ||
                sim_params_validate(&p, &e) != 0)
                abort();   /* every point was validated by the parser */
            sweep_grid_free(&g);
        }
        break;
    }
    case 1: {
        struct abc_target t;
        sim_params base;
        sim_params_default(&base);
        must_have_message(abc_target_parse(json, len, "fuzz", &t, &base, &e), &e);
        break;
    }
    case 2: {
        struct abc_prior pr[3] = {{sim_params_find("power_patient"), 0.05, 0.95},
                                  {sim_params_find("accept"), 0.2, 1.8},
                                  {sim_params_find("learning"), 0, 1}};
        int rc = abc_priors_parse(json, len, "fuzz", pr, 3, &e);
        must_have_message(rc, &e);
        if (rc == 0)
            for (int i = 0; i < 3; i++)
                if (!(pr[i].lo < pr[i].hi))
                    abort();
        break;
    }
    default: {
        /* "name=value": parameter parsing. */
        char buf[256];
        size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
        memcpy(buf, json, n);
        buf[n] = '\0';
        char *eq = strchr(buf, '=');
        if (eq == NULL)
            break;
        *eq = '\0';
        sim_params p;
        sim_params_default(&p);
        must_have_message(sim_params_set(&p, buf, eq + 1, &e), &e);
        break;
    }
    }
    return 0;
}
