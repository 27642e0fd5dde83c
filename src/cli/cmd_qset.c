/*
** cmd_qset.c — `duet qset import|list|show` (Q-sets of norm statements) and
** `duet sort add|list|show` (one person's Q-sort).
*/
#include <stdlib.h>
#include <string.h>

#include "app/sorts.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "io/qset.h"
#include "store/store.h"

static int qset_import(struct cli *c, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error("qset import", "give exactly one FILE.json");
    duet_err e;
    char *data;
    size_t len;
    if (csv_read_file(argv[1], QSET_MAX_BYTES, &data, &len, &e) != 0)
        return cli_fail(&e);
    struct qset q;
    int rc = qset_parse(data, len, argv[1], &q, &e);
    free(data);
    if (rc != 0)
        return cli_fail(&e);
    struct store *st = cli_store(c);
    if (st == NULL) {
        qset_free(&q);
        return CLI_EUSER;
    }
    rc = store_qset_add(st, &q, NULL, &e);
    if (rc == 0)
        printf("imported Q-set '%s' version %d (%zu statements on %zu dimensions)\n", q.name,
               q.version, q.nstatements, q.ndims);
    qset_free(&q);
    return rc == 0 ? CLI_OK : cli_fail(&e);
}

static int qset_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"name", "version", "statements", "sorts", "title"};
    static const struct cli_list l = {"qset list", NULL, 0, store_qset_list, NULL, cols, 5};
    return cli_run_list(c, argc, argv, &l);
}

static const char show_usage[] =
    CLI_OWN_HELP "show NAME [--version V] [--json]\n"
    "  Shows a Q-set's dimensions, grid and statements (--json: its definition).\n";

static int qset_show(struct cli *c, int argc, char **argv)
{
    long long version = 0;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"version", CLI_LONG, &version, 1, QSET_MAX_VERSION, "V", "that version (default: the latest)",
         "--version '%s' is not a version number"},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "its full definition, as JSON", NULL},
        {0}};
    int rc = cli_parse_opts("qset show", show_usage, opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc - 1)
        return cli_usage_error("qset show", "give exactly one NAME");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    json_t *def = store_qset_show(st, argv[first], (int)version, &e);
    if (def == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, def);
    printf("%s (version %lld): %s\n\n", json_string_value(json_object_get(def, "name")),
           (long long)json_integer_value(json_object_get(def, "version")),
           json_string_value(json_object_get(def, "title")));
    static const char *const dcols[] = {"name", "label", "lived_experience_pole", "system_pole"};
    cli_print_table(stdout, json_object_get(def, "dimensions"), dcols, 4);
    fputs("\ngrid: ", stdout);
    size_t i;
    json_t *col;
    json_array_foreach(json_object_get(def, "grid"), i, col) {
        long long v = json_integer_value(json_object_get(col, "value"));
        printf("%s%s%lld:%lld", i ? "  " : "", v > 0 ? "+" : "", v,
               (long long)json_integer_value(json_object_get(col, "count")));
    }
    fputs("  (column:statements)\n\n", stdout);
    static const char *const scols[] = {"id", "dimension", "polarity", "text"};
    cli_print_table(stdout, json_object_get(def, "statements"), scols, 4);
    json_decref(def);
    return CLI_OK;
}

int cmd_qset(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"import", qset_import,
         "import FILE.json\n"
         "  Stores a Q-set defined in the duet-qset/1 format of docs/norms.md: its norm\n"
         "  dimensions, its forced grid and its statements. Nothing is stored if it is\n"
         "  invalid. ('duet init' stores the default Q-set, norms-default.)\n"},
        {"list", qset_list, "list [--json]\n  Lists stored Q-sets with their number of sorts.\n"},
        {"show", qset_show, show_usage},
    };
    return cli_dispatch(c, "qset", "Q-sets: norm statements to sort (\"unspoken rules\").", subs,
                        3, argc, argv);
}

/* --person, --partnership and --module of `sort add` and `sort show`. */
struct sort_args {
    const char *person, *partnership, *qset, *file;
    long long module;
    int json;
};

static int sort_args(int argc, char **argv, const char *cmd, int want_file, struct sort_args *a)
{
    memset(a, 0, sizeof *a);
    const struct cli_opt opts[] = {
        {"person", CLI_STR, &a->person, 0, 0, "KEY", "whose sort", NULL},
        {"partnership", CLI_STR, &a->partnership, 0, 0, "CODE", "in which partnership", NULL},
        {"module", CLI_LONG, &a->module, 1, 10000, "N", "at which module",
         "--module '%s' is not a module number"},
        {"qset", CLI_STR, &a->qset, 0, 0, "NAME", "the Q-set (default norms-default)", NULL},
        {"file", CLI_STR, &a->file, 0, 0, "SORT.csv", "the sort (add)", NULL},
        {"json", CLI_FLAG, &a->json, 0, 0, NULL, "print JSON (show)", NULL},
        {0}};
    int first, rc = cli_parse_opts(cmd, "", opts, argc, argv, &first);
    if (rc >= 0)
        return rc == CLI_OK ? CLI_EUSAGE : rc; /* its --help is cli_dispatch's */
    if (first != argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[first]);
    if (!a->person || !a->partnership || !a->module || (want_file && !a->file))
        return cli_usage_error(cmd, "give --person, --partnership and --module%s",
                               want_file ? " and --file" : "");
    if (!want_file && a->file)
        return cli_usage_error(cmd, "--file applies to 'sort add' only");
    if (want_file && a->json)
        return cli_usage_error(cmd, "--json applies to 'sort show' only");
    return CLI_OK;
}

static int sort_add(struct cli *c, int argc, char **argv)
{
    struct sort_args a;
    int rc = sort_args(argc, argv, "sort add", 1, &a);
    if (rc)
        return rc;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct sorts_sort s = {a.person, a.partnership, (int)a.module, a.qset, 0, "cli", 0, NULL};
    if (sorts_add_file(st, &s, a.file, &e) != 0)
        return cli_fail(&e);
    printf("added the sort of '%s' for partnership '%s' at module %lld (Q-set '%s')\n", a.person,
           a.partnership, a.module, a.qset ? a.qset : QSET_DEFAULT_NAME);
    return CLI_OK;
}

static int sort_show(struct cli *c, int argc, char **argv)
{
    struct sort_args a;
    int rc = sort_args(argc, argv, "sort show", 0, &a);
    if (rc)
        return rc;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    int64_t pid, tid, cid, mid;
    if (store_person_id(st, a.person, &pid, &e) != 0 ||
        store_partnership_id(st, a.partnership, &tid, &cid, &e) != 0 ||
        store_module_id(st, cid, (int)a.module, &mid, &e) != 0)
        return cli_fail(&e);
    json_t *s = store_qsort_get(st, pid, tid, mid, a.qset, &e);
    if (s == NULL)
        return cli_fail(&e);
    if (a.json)
        return cli_print_json(stdout, s);
    printf("sort of %s for %s at module %lld (Q-set '%s' version %lld, %s)\n", a.person,
           a.partnership, a.module, json_string_value(json_object_get(s, "qset")),
           (long long)json_integer_value(json_object_get(s, "qset_version")),
           json_string_value(json_object_get(s, "created_at")));
    /* The grid, highest column first: the statements placed in each. */
    json_t *values = json_object_get(s, "values");
    long long hi = -1000, lo = 1000;
    const char *id;
    json_t *v;
    json_object_foreach(values, id, v) {
        long long x = json_integer_value(v);
        hi = x > hi ? x : hi;
        lo = x < lo ? x : lo;
    }
    for (long long x = hi; x >= lo; x--) {
        char col[24];
        snprintf(col, sizeof col, "%s%lld", x > 0 ? "+" : "", x);
        printf("%3s:", col);
        json_object_foreach(values, id, v)
            if (json_integer_value(v) == x)
                printf(" %s", id);
        putchar('\n');
    }
    json_decref(s);
    return CLI_OK;
}

static int sort_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"cohort", "module", "partnership", "person", "side",
                                       "qset", "source", "created_at"};
    const char *cohort = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &cohort, 0, 0, "CODE", "only this cohort's sorts", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int rc = cli_parse_opts("sort list", "", opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc)
        return cli_usage_error("sort list", "unexpected argument '%s'", argv[first]);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    return cli_emit_list(store_qsort_list(st, cohort, NULL, &e), json, cols, 8, &e);
}

int cmd_sort(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", sort_add,
         "add --person KEY --partnership CODE --module N --file SORT.csv [--qset NAME]\n"
         "  Records one person's Q-sort at one module. SORT.csv has the header\n"
         "  statement,value and one row per statement of the Q-set (default\n"
         "  norms-default) with the grid column it was placed in (e.g. s01,+3). The sort\n"
         "  must place every statement once and fill each column of the grid exactly;\n"
         "  nothing is stored otherwise. For many sorts at once see 'duet import sorts'.\n"},
        {"show", sort_show,
         "show --person KEY --partnership CODE --module N [--qset NAME] [--json]\n"
         "  Shows a recorded sort, column by column.\n"},
        {"list", sort_list,
         "list [--cohort C] [--json]\n"
         "  Lists who has sorted which Q-set at which module.\n"},
    };
    return cli_dispatch(c, "sort", "Q-sorts: a person's placing of norm statements on a grid.",
                        subs, 3, argc, argv);
}
