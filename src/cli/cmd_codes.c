/*
** cmd_codes.c — `duet analyse codes`: how often each code was applied, by
** side and module, and which codes go together (analysis/codes.h).
*/
#include <stdio.h>
#include <string.h>

#include "analysis/codes.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "store/store.h"

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long count(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* A number at full precision for CSV ("" when null). */
static const char *full(const json_t *v, char *buf, size_t n)
{
    if (!json_is_number(v))
        return "";
    snprintf(buf, n, "%.17g", json_number_value(v));
    return buf;
}

/* "3/10 (30%)", or "0/0" when nothing was coded. */
static const char *share(const json_t *side, char *buf, size_t n)
{
    json_t *p = json_object_get(side, "proportion");
    if (json_is_number(p))
        snprintf(buf, n, "%lld/%lld (%.0f%%)", count(side, "count"), count(side, "coded"),
                 100 * json_number_value(p));
    else
        snprintf(buf, n, "%lld/%lld", count(side, "count"), count(side, "coded"));
    return buf;
}

static const char *small(const json_t *v, char *buf, size_t n)
{
    if (!json_is_number(v))
        return "-";
    snprintf(buf, n, "%.3g", json_number_value(v));
    return buf;
}

static const char *reading(const char *cls)
{
    if (strcmp(cls, "lived_experience") == 0)
        return "lived experience";
    if (strcmp(cls, "one_side") == 0)
        return "one side only";
    return cls;
}

/* The by-side rows, one per code (docs/cli.md lists the columns). */
static int write_csv(FILE *f, json_t *r, enum csv_cells how)
{
    static const char *const head[] = {
        "cohort", "coder", "code", "name", "lived_experience_count", "lived_experience_coded",
        "lived_experience_proportion", "system_count", "system_coded", "system_proportion",
        "observations", "imported", "n_documents", "p", "q", "classification"};
    enum { NH = sizeof head / sizeof head[0] };
    if (csv_write_row_as(f, how, head, NH) != 0)
        return -1;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "by_side"), i, row) {
        json_t *l = json_object_get(row, "lived_experience"), *s = json_object_get(row, "system");
        char b[11][40];
        snprintf(b[0], 40, "%lld", count(l, "count"));
        snprintf(b[1], 40, "%lld", count(l, "coded"));
        snprintf(b[2], 40, "%lld", count(s, "count"));
        snprintf(b[3], 40, "%lld", count(s, "coded"));
        snprintf(b[4], 40, "%lld", count(row, "observations"));
        snprintf(b[5], 40, "%lld", count(row, "imported"));
        snprintf(b[6], 40, "%lld", count(json_array_get(json_object_get(r, "codes"), i),
                                         "n_documents"));
        const char *fields[NH] = {
            str(r, "cohort"), str(r, "coder"), str(row, "code"), str(row, "name"), b[0], b[1],
            full(json_object_get(l, "proportion"), b[7], 40), b[2], b[3],
            full(json_object_get(s, "proportion"), b[8], 40), b[4], b[5], b[6],
            full(json_object_get(row, "p"), b[9], 40), full(json_object_get(row, "q"), b[10], 40),
            str(row, "classification")};
        if (csv_write_row_as(f, how, fields, NH) != 0)
            return -1;
    }
    return 0;
}

static void print_report(json_t *r)
{
    json_t *n = json_object_get(r, "n_documents_coded");
    const char *cohort = str(r, "cohort"), *coder = str(r, "coder");
    printf("Code frequencies%s%s%s, %s%s%s\n", *cohort ? " in cohort '" : " in every cohort",
           cohort, *cohort ? "'" : "", *coder ? "coded by '" : "every coder", coder,
           *coder ? "'" : "");
    printf("coded documents: %lld (reflections by lived-experience members %lld, by system "
           "members %lld; observers' notes %lld; imported texts %lld)\n", count(n, "all"),
           count(n, "lived_experience"), count(n, "system"), count(n, "observations"),
           count(n, "imported"));
    json_t *codes = json_object_get(r, "codes");
    size_t k = json_array_size(codes), i, j;
    if (k == 0) {
        printf("\nNo coded documents yet.\n");
        return;
    }
    printf("\nBy side: coded reflections with the code, of those coded on each side\n");
    printf("%4s  %-18s %-18s %5s %9s %9s  %-16s %s\n", "#", "lived experience", "system", "obs",
           "p", "q", "reading", "code");
    json_t *row;
    json_array_foreach(json_object_get(r, "by_side"), i, row) {
        char a[64], b[64], p[32], q[32];
        printf("%4zu  %-18s %-18s %5lld %9s %9s  %-16s %s\n", i + 1,
               share(json_object_get(row, "lived_experience"), a, sizeof a),
               share(json_object_get(row, "system"), b, sizeof b), count(row, "observations"),
               small(json_object_get(row, "p"), p, sizeof p),
               small(json_object_get(row, "q"), q, sizeof q),
               reading(str(row, "classification")), str(row, "name"));
    }

    printf("\nBy module: coded documents with the code, of those coded at the module\n");
    json_t *bm = json_object_get(r, "by_module");
    size_t nm = k ? json_array_size(bm) / k : 0;
    printf("%4s ", "#");
    for (size_t m = 0; m < nm; m++) {
        char h[32];
        snprintf(h, sizeof h, "module %lld", count(json_array_get(bm, m), "module"));
        printf(" %-18s", h);
    }
    printf("  code\n");
    for (i = 0; i < k; i++) {
        printf("%4zu ", i + 1);
        for (size_t m = 0; m < nm; m++) {
            char s[64];
            printf(" %-18s", share(json_array_get(bm, i * nm + m), s, sizeof s));
        }
        printf("  %s\n", str(json_array_get(codes, i), "name"));
    }

    printf("\nCo-occurrence: documents where one coder put both codes on overlapping "
           "passages\n(the diagonal: documents with the code); columns are the codes' "
           "numbers\n");
    printf("%4s ", "#");
    for (j = 0; j < k; j++)
        printf(" %5zu", j + 1);
    printf("  code\n");
    json_t *matrix = json_object_get(json_object_get(r, "co_occurrence"), "matrix"), *line;
    json_array_foreach(matrix, i, line) {
        printf("%4zu ", i + 1);
        for (j = 0; j < k; j++)
            printf(" %5lld", (long long)json_integer_value(json_array_get(line, j)));
        printf("  %s\n", str(json_array_get(codes, i), "name"));
    }
    printf("\nThe unit is the document: a code is in a document when a coder applied it to any "
           "passage\nof it. p: Fisher's exact test, lived experience vs system; q: "
           "Benjamini-Hochberg over the\ncodes tested; a code is side-specific when q < 0.05. "
           "docs/coding.md explains every number.\n");
}

/* Its --help is the usage text in cmd_analyse.c's table (cli_dispatch). */
int cmd_analyse_codes(struct cli *c, int argc, char **argv)
{
    const char *cohort = NULL, *coder = NULL;
    int json = 0, csv = 0, exact = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &cohort, 0, 0, "C", "only this cohort", NULL},
        {"coder", CLI_STR, &coder, 0, 0, "KEY", "only this coder's codings", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {"csv", CLI_FLAG, &csv, 0, 0, NULL, "print CSV", NULL},
        {"exact", CLI_FLAG, &exact, 0, 0, NULL, "with --csv: cells exactly as stored", NULL},
        {0}};
    int rc = cli_parse_opts("analyse codes", "", opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc)
        return cli_usage_error("analyse codes", "unexpected argument '%s'", argv[first]);
    if (json && csv)
        return cli_usage_error("analyse codes", "choose one of --json and --csv");
    if (exact && !csv)
        return cli_usage_error("analyse codes", "--exact goes with --csv");
    if ((cohort && *cohort == '\0') || (coder && *coder == '\0'))
        return cli_usage_error("analyse codes", "--%s needs a value", cohort && !*cohort
                                                                         ? "cohort" : "coder");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    json_t *r = codes_report(st, cohort, coder, &e);
    if (r == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, r);
    if (csv) {
        rc = write_csv(stdout, r, exact ? CSV_EXACT : CSV_SAFE);
        json_decref(r);
        if (rc != 0 || fflush(stdout) != 0)
            return cli_failf("writing the CSV failed");
        return CLI_OK;
    }
    print_report(r);
    json_decref(r);
    return CLI_OK;
}
