/*
** relcsv.c — the relationships analysis as CSV (see relcsv.h). The columns
** and their order are documented in docs/analysis.md, section 4; they never
** name a person, so the file is the same for every reader. The CLI writes
** it too (duet analyse relationships --csv), so both give the same bytes.
*/
#include "analysis/relcsv.h"

#include <stdio.h>
#include <string.h>

#include "io/csv.h"

#define NUM_MAX 40

/* A number at full precision, or "" when it is missing. */
static const char *num(const json_t *v, char buf[NUM_MAX])
{
    if (!json_is_number(v))
        return "";
    snprintf(buf, NUM_MAX, "%.17g", json_number_value(v));
    return buf;
}

static int header(const struct rel_data *d, enum csv_cells how, duet_buf *out)
{
    static const char *const head[] = {
        "cohort", "partnership", "module", "quality_lived_experience", "quality_system",
        "quality_gap", "tokenism_signal", "resistance_met_lived_experience",
        "resistance_met_system", "power_balance", "compromise_share_lived"};
    size_t nh = sizeof head / sizeof head[0];
    for (size_t i = 0; i < nh; i++)
        if ((i && buf_putc(out, ',') != 0) || csv_buf_field_as(out, how, head[i], strlen(head[i])) != 0)
            return -1;
    for (size_t c = 0; c < d->nconstructs; c++) {
        char a[160], b[160];
        snprintf(a, sizeof a, "%s_lived_experience", d->construct[c]);
        snprintf(b, sizeof b, "%s_system", d->construct[c]);
        if (buf_putc(out, ',') != 0 || csv_buf_field_as(out, how, a, strlen(a)) != 0 ||
            buf_putc(out, ',') != 0 || csv_buf_field_as(out, how, b, strlen(b)) != 0)
            return -1;
    }
    return buf_putc(out, '\n');
}

/* One partnership-module row. */
static int row(const struct rel_data *d, const json_t *p, const json_t *m, enum csv_cells how,
               duet_buf *out)
{
    char b[9][NUM_MAX], mod[24];
    const json_t *sides = json_object_get(m, "sides");
    const json_t *lived = json_object_get(sides, "lived_experience");
    const json_t *sys = json_object_get(sides, "system");
    const json_t *res = json_object_get(m, "resistance_met");
    const json_t *sig = json_object_get(m, "tokenism_signal");
    snprintf(mod, sizeof mod, "%lld", (long long)json_integer_value(json_object_get(m, "module")));
    const char *cohort = json_string_value(json_object_get(p, "cohort"));
    const char *code = json_string_value(json_object_get(p, "partnership"));
    const char *fields[] = {
        cohort ? cohort : "", code ? code : "", mod,
        num(json_object_get(lived, "quality"), b[0]), num(json_object_get(sys, "quality"), b[1]),
        num(json_object_get(json_object_get(m, "gap"), "quality"), b[2]),
        json_is_true(sig) ? "1" : json_is_false(sig) ? "0" : "",
        num(json_object_get(res, "lived_experience"), b[3]),
        num(json_object_get(res, "system"), b[4]), num(json_object_get(m, "power_balance"), b[5]),
        num(json_object_get(m, "compromise_share_lived"), b[6])};
    size_t nf = sizeof fields / sizeof fields[0];
    for (size_t j = 0; j < nf; j++)
        if ((j && buf_putc(out, ',') != 0) || csv_buf_field_as(out, how, fields[j], strlen(fields[j])) != 0)
            return -1;
    for (size_t c = 0; c < d->nconstructs; c++) {
        const char *x = num(json_object_get(lived, d->construct[c]), b[7]);
        const char *y = num(json_object_get(sys, d->construct[c]), b[8]);
        if (buf_putc(out, ',') != 0 || buf_puts(out, x) != 0 || buf_putc(out, ',') != 0 ||
            buf_puts(out, y) != 0)
            return -1;
    }
    return buf_putc(out, '\n');
}

int rel_csv(const struct rel_data *d, const json_t *report, enum csv_cells how, duet_buf *out)
{
    if (header(d, how, out) != 0)
        return -1;
    size_t i, k;
    const json_t *p, *m;
    json_array_foreach(json_object_get(report, "partnerships"), i, p)
        json_array_foreach(json_object_get(p, "modules"), k, m)
            if (row(d, p, m, how, out) != 0)
                return -1;
    return 0;
}
