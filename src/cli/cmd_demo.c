/*
** cmd_demo.c — `duet demo`: a complete synthetic programme to explore.
*/
#include <stdio.h>
#include <string.h>

#include "app/setup.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"

/* The first (lived-experience) member of P01 and of P02: examples of
** participant sign-ins. Returns an array of person keys. */
static json_t *example_participants(struct store *st)
{
    json_t *keys = json_array();
    static const char *const codes[] = {"P01", "P02"};
    for (size_t i = 0; i < 2; i++) {
        duet_err ignored;
        json_t *p = store_partnership_show(st, codes[i], &ignored);
        json_t *first = json_array_get(json_object_get(p, "members"), 0);
        json_t *key = json_object_get(first, "person");
        if (key)
            json_array_append(keys, key);
        json_decref(p);
    }
    return keys;
}

static const struct {
    const char *role, *person, *password;
} team_sign_ins[] = {
    {"facilitator", SETUP_DEMO_FACILITATOR, SETUP_DEMO_PASSWORD_FACILITATOR},
    {"researcher", SETUP_DEMO_RESEARCHER, SETUP_DEMO_PASSWORD_RESEARCHER},
    {"admin", SETUP_DEMO_ADMIN, SETUP_DEMO_PASSWORD_ADMIN},
};

/* [{role, people, password}], participants first (borrows examples). */
static json_t *sign_ins_json(json_t *examples)
{
    json_t *a = json_array();
    json_array_append_new(a, json_pack("{s:s, s:O, s:b, s:s}", "role", "participant",
                                       "people", examples, "every_partnership_member", 1,
                                       "password", SETUP_DEMO_PASSWORD_PARTICIPANT));
    for (size_t i = 0; i < sizeof team_sign_ins / sizeof team_sign_ins[0]; i++)
        json_array_append_new(a, json_pack("{s:s, s:[s], s:b, s:s}", "role",
                                           team_sign_ins[i].role, "people",
                                           team_sign_ins[i].person,
                                           "every_partnership_member", 0, "password",
                                           team_sign_ins[i].password));
    return a;
}

static void print_sign_ins(json_t *examples)
{
    char who[160] = "";
    size_t i;
    json_t *key;
    json_array_foreach(examples, i, key) {
        size_t n = strlen(who);
        snprintf(who + n, sizeof who - n, "%s%s", json_string_value(key), ", ");
    }
    size_t n = strlen(who);
    snprintf(who + n, sizeof who - n, "... (every partnership member)");
    int w = (int)strlen(who);   /* the widest cell of the person column */
    printf("sign-ins for the web application (published demo passwords: never use them "
           "for real data):\n  %-12s %-*s  %s\n", "role", w, "person", "password");
    printf("  %-12s %-*s  %s\n", "participant", w, who, SETUP_DEMO_PASSWORD_PARTICIPANT);
    for (i = 0; i < sizeof team_sign_ins / sizeof team_sign_ins[0]; i++)
        printf("  %-12s %-*s  %s\n", team_sign_ins[i].role, w, team_sign_ins[i].person,
               team_sign_ins[i].password);
}

int cmd_demo(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "demo [--pairs N] [--modules M] [--seed S] [--structure-only] [--sign-ins] [--json]\n"
        "  Creates a realistic synthetic programme in the database: one cohort, N\n"
        "  partnerships (default 12; at least one triad and one expert-by-experience +\n"
        "  regulator pair), M modules (default 6), everyone's check-ins with plausible\n"
        "  trajectories (some improving, some tokenistic, some polarising), Q-sorts of\n"
        "  the default norm statements at the first and last module, reflections,\n"
        "  observations and consent. The same seed gives the same programme.\n"
        "  --json adds each partnership's course and the regime of the identity model\n"
        "  it was drawn in (\"courses\"; see docs/norms.md).\n"
        "  --structure-only creates the people, partnerships and modules but no answers\n"
        "  or notes (e.g. to import an exported responses file into).\n"
        "  --sign-ins also creates accounts for the web application: every partnership\n"
        "  member, a facilitator who runs the cohort, a researcher and an admin, with\n"
        "  published passwords (printed at the end); never use them for real data.\n";
    struct demo_options o = {.structure_only = 0};
    long long pairs = 12, modules = 6, seed = 1;
    int json = 0, sign_ins = 0, first;
    const struct cli_opt opts[] = {
        {"pairs", CLI_LONG, &pairs, 3, 500, "N", "partnerships (default 12)",
         "--pairs '%s' is not a number in 3..500"},
        {"modules", CLI_LONG, &modules, 2, 50, "M", "modules (default 6)",
         "--modules '%s' is not a number in 2..50"},
        {"seed", CLI_LONG, &seed, 0, 9007199254740991LL, "S",
         "the random seed (default 1): the same seed, the same programme",
         "--seed '%s' is not a non-negative whole number"},
        {"structure-only", CLI_FLAG, &o.structure_only, 0, 0, NULL,
         "people, partnerships and modules, but no answers or notes", NULL},
        {"sign-ins", CLI_FLAG, &sign_ins, 0, 0, NULL,
         "also accounts for the web application, with published passwords", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print the summary as JSON, with the courses",
         NULL},
        {0}};
    int rc = cli_parse_opts("demo", usage, opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc)
        return cli_usage_error("demo", "unexpected argument '%s'", argv[first]);
    o.pairs = (int)pairs;
    o.modules = (int)modules;
    o.seed = (uint64_t)seed;
    c->create = 1;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct demo_report r;
    /* With sign-ins, the programme and its accounts are made all or nothing. */
    if (store_begin(st, &e) != 0 || setup_demo(st, &o, &r, &e) != 0 ||
        (sign_ins && setup_demo_accounts(st, r.cohort, &e) != 0) || store_commit(st, &e) != 0) {
        store_rollback(st);
        return cli_fail(&e);
    }
    json_t *examples = sign_ins ? example_participants(st) : NULL;
    if (json) {
        json_t *out = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
                                "programme", r.programme, "cohort", r.cohort,
                                "partnerships", r.partnerships, "people", r.people,
                                "modules", o.modules, "checkins", r.checkins,
                                "answers", r.answers, "reflections", r.reflections,
                                "observations", r.observations, "sorts", r.sorts);
        json_t *courses = json_array();
        for (int i = 0; out && courses && i < r.partnerships; i++) {
            char code[16];
            snprintf(code, sizeof code, "P%02d", i + 1);
            json_array_append_new(courses, json_pack("{s:s, s:s, s:s?}", "partnership", code,
                                                     "course", setup_demo_archetype(i),
                                                     "regime", r.regime[i]));
        }
        if (out)
            json_object_set_new(out, "courses", courses);
        else
            json_decref(courses);
        if (out && sign_ins)
            json_object_set_new(out, "sign_ins", sign_ins_json(examples));
        json_decref(examples);
        return cli_print_json(stdout, out);
    }
    printf("created the demo programme '%s' in %s:\n"
           "  cohort '%s': %d partnerships, %d people, %d modules\n"
           "  %d check-ins (%d answers), %d Q-sorts, %d reflections, %d observations\n",
           r.programme, c->db_path, r.cohort, r.partnerships, r.people, o.modules, r.checkins,
           r.answers, r.sorts, r.reflections, r.observations);
    if (sign_ins)
        print_sign_ins(examples);
    json_decref(examples);
    return CLI_OK;
}
