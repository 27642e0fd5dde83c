/*
** cmd_transfer.c — `duet import`, `duet export` and `duet audit`.
*/
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "app/responses.h"
#include "app/sorts.h"
#include "cli/cli.h"
#include "io/csv.h"
#include "store/store.h"

static int import_responses(struct cli *c, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error("import responses", "give exactly one FILE.csv");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct responses_stats s;
    if (responses_import(st, argv[1], &s, &e) != 0)
        return cli_fail(&e);
    printf("imported %zu responses in %zu check-ins from %s\n", s.rows, s.checkins, argv[1]);
    return CLI_OK;
}

static int import_sorts(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"cohort", required_argument, NULL, 'c'},
                                         {"module", required_argument, NULL, 'm'},
                                         {"qset", required_argument, NULL, 'q'}, {0}};
    struct sorts_import_options o = {0};
    long long v;
    int ch;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, opts, "import sorts")) != -1) {
        switch (ch) {
        case 'c': o.cohort = optarg; break;
        case 'q': o.qset = optarg; break;
        case 'm':
            if (cli_parse_long(optarg, 1, 10000, &v) != 0)
                return cli_usage_error("import sorts", "--module '%s' is not a module number",
                                       optarg);
            o.module = (int)v;
            break;
        default: return CLI_EUSAGE;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("import sorts", "give exactly one FILE.csv");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct sorts_import_stats s;
    if (sorts_import(st, argv[optind], &o, &s, &e) != 0)
        return cli_fail(&e);
    printf("imported %zu sorts of %zu statements from %s\n", s.sorts, s.statements,
           argv[optind]);
    return CLI_OK;
}

int cmd_import(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"responses", import_responses,
         "responses FILE.csv\n"
         "  Imports check-in answers in long format with the header\n"
         "  cohort,module,partnership,person,item,value (cohort name, module number,\n"
         "  partnership code, person key, item name, answer). All rows or none: the\n"
         "  first problem is reported with its file, line, column and reason.\n"},
        {"sorts", import_sorts,
         "sorts FILE.csv [--cohort C] [--module M] [--qset NAME]\n"
         "  Imports Q-sorts laid out statements x persons, as Q-method tools exchange\n"
         "  them: the header is 'statement' and then one column per person (their key,\n"
         "  or key@module), each row a statement id and its grid value in every sort.\n"
         "  --cohort finds each person's partnership in that cohort (a person in no\n"
         "  partnership, or in several, is refused); --module is the module of columns\n"
         "  named by key alone; --qset defaults to norms-default. All sorts or none: the\n"
         "  first problem is reported with its file, line, column and reason.\n"},
    };
    return cli_dispatch(c, "import", "Import data from files.", subs, 2, argc, argv);
}

/* The options of export responses and export dictionary; names NULL where
** the export names nobody (--names is then refused as unknown). */
static int export_opts(int argc, char **argv, const char *cmd, const char **out,
                       const char **purpose, int *json, int *names, int *exact)
{
    static const struct option all[] = {{"out", required_argument, NULL, 'o'},
                                        {"purpose", required_argument, NULL, 'p'},
                                        {"json", no_argument, NULL, 'j'},
                                        {"exact", no_argument, NULL, 'x'},
                                        {"names", no_argument, NULL, 'n'}, {0}};
    static const struct option nameless[] = {{"out", required_argument, NULL, 'o'},
                                             {"purpose", required_argument, NULL, 'p'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"exact", no_argument, NULL, 'x'}, {0}};
    int ch;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, names ? all : nameless, cmd)) != -1) {
        switch (ch) {
        case 'o': *out = optarg; break;
        case 'p': *purpose = optarg; break;
        case 'j': *json = 1; break;
        case 'x': *exact = 1; break;
        case 'n': *names = 1; break;
        default: return CLI_EUSAGE;
        }
    }
    if (optind != argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

static int export_responses(struct cli *c, int argc, char **argv)
{
    const char *out = NULL, *purpose = "research";
    int json = 0, names = 0, exact = 0;
    int rc = export_opts(argc, argv, "export responses", &out, &purpose, &json, &names, &exact);
    if (rc)
        return rc;
    if (json)
        return cli_usage_error("export responses", "the responses export is CSV only");
    if (strcmp(purpose, "all") != 0 && strcmp(purpose, "research") != 0)
        return cli_usage_error("export responses", "--purpose is 'research' or 'all'");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    FILE *f = cli_open_out(out, &e);
    if (f == NULL)
        return cli_fail(&e);
    size_t rows = 0;
    unsigned flags = (names ? RESPONSES_NAMES : 0u) | (exact ? RESPONSES_EXACT : 0u);
    int ok = responses_export(st, f, strcmp(purpose, "all") == 0 ? NULL : purpose, flags, &rows,
                              &e) == 0;
    if (cli_close_out(f, out, ok, ok ? &e : NULL) != 0)
        return cli_fail(&e);
    if (out)
        fprintf(stderr, "wrote %zu responses to %s\n", rows, out);
    return CLI_OK;
}

static int export_dictionary(struct cli *c, int argc, char **argv)
{
    const char *out = NULL, *purpose = NULL;
    int json = 0, exact = 0;
    int rc = export_opts(argc, argv, "export dictionary", &out, &purpose, &json, NULL, &exact);
    if (rc)
        return rc;
    if (purpose)
        return cli_usage_error("export dictionary", "--purpose applies to responses only");
    if (json && exact)
        return cli_usage_error("export dictionary", "--exact goes with CSV (JSON keeps every "
                                                    "character already)");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    FILE *f = cli_open_out(out, &e);
    if (f == NULL)
        return cli_fail(&e);
    int ok;
    if (json) {
        json_t *items = store_item_list(st, &e);
        ok = items && json_dumpf(items, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF;
        json_decref(items);
    } else {
        ok = responses_dictionary_csv(st, f, exact ? CSV_EXACT : CSV_SAFE, &e) == 0;
    }
    if (cli_close_out(f, out, ok, ok ? &e : NULL) != 0)
        return cli_fail(&e);
    return CLI_OK;
}

static int export_sorts(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"cohort", required_argument, NULL, 'c'},
                                         {"module", required_argument, NULL, 'm'},
                                         {"qset", required_argument, NULL, 'q'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"purpose", required_argument, NULL, 'p'},
                                         {"names", no_argument, NULL, 'n'},
                                         {"exact", no_argument, NULL, 'x'}, {0}};
    struct sorts_export_options o = {.purpose = "research"};
    const char *out = NULL;
    long long v;
    int ch;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, opts, "export sorts")) != -1) {
        switch (ch) {
        case 'c': o.cohort = optarg; break;
        case 'q': o.qset = optarg; break;
        case 'o': out = optarg; break;
        case 'p': o.purpose = optarg; break;
        case 'n': o.names = 1; break;
        case 'x': o.exact = 1; break;
        case 'm':
            if (cli_parse_long(optarg, 1, 10000, &v) != 0)
                return cli_usage_error("export sorts", "--module '%s' is not a module number",
                                       optarg);
            o.module = (int)v;
            break;
        default: return CLI_EUSAGE;
        }
    }
    if (optind != argc)
        return cli_usage_error("export sorts", "unexpected argument '%s'", argv[optind]);
    if (strcmp(o.purpose, "all") != 0 && strcmp(o.purpose, "research") != 0)
        return cli_usage_error("export sorts", "--purpose is 'research' or 'all'");
    if (strcmp(o.purpose, "all") == 0)
        o.purpose = NULL;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    FILE *f = cli_open_out(out, &e);
    if (f == NULL)
        return cli_fail(&e);
    size_t n = 0;
    int ok = sorts_export(st, f, &o, &n, &e) == 0;
    if (cli_close_out(f, out, ok, ok ? &e : NULL) != 0 || !ok)
        return cli_fail(&e);
    if (out)
        fprintf(stderr, "wrote %zu sorts to %s\n", n, out);
    return CLI_OK;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"responses", export_responses,
         "responses [--out FILE.csv] [--purpose research|all] [--names] [--exact]\n"
         "  Writes every check-in answer in the import format. --purpose research (the\n"
         "  default) leaves out everyone whose research consent is not in force; 'all'\n"
         "  is for moving a programme between databases. People are named by\n"
         "  pseudonym (P03-L1) unless --names gives their keys. Cells that a\n"
         "  spreadsheet would run as formulas (starting with = + - @, tab or CR) get a\n"
         "  ' in front unless --exact. A file to import again needs --names --exact.\n"},
        {"dictionary", export_dictionary,
         "dictionary [--out FILE] [--json | --exact]\n"
         "  The data dictionary: one row per item with its instrument, construct, type,\n"
         "  scale, reverse keying and wording. --exact as for responses.\n"},
        {"sorts", export_sorts,
         "sorts [--cohort C] [--module M] [--qset NAME] [--out FILE.csv]\n"
         "      [--purpose research|all] [--names] [--exact]\n"
         "  Writes Q-sorts statements x persons, the layout 'duet import sorts' reads:\n"
         "  one row per statement, one column per sort, named by the person's\n"
         "  pseudonym (P03-L1), or their key with --names, alone with --module, or\n"
         "  followed by @module for every module. The cohort and the Q-set default\n"
         "  to the only ones with sorts. --purpose and --exact as for responses; a\n"
         "  file to import again needs --names.\n"},
    };
    return cli_dispatch(c, "export", "Export data to files.", subs, 3, argc, argv);
}

static int audit_verify(struct cli *c, int argc, char **argv)
{
    int json = argc == 2 && strcmp(argv[1], "--json") == 0;
    if (argc != 1 && !json)
        return cli_usage_error("audit verify", "takes only --json");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct store_audit_report r;
    if (store_audit_verify(st, &r, &e) != 0)
        return cli_fail(&e);
    if (json) {
        int rc = cli_print_json(stdout, json_pack("{s:b, s:I, s:I, s:I, s:I, s:s}", "intact",
                                                  r.first_bad == 0, "entries",
                                                  (json_int_t)r.entries, "erased_payloads",
                                                  (json_int_t)r.erased_payloads,
                                                  "redacted_actors",
                                                  (json_int_t)r.redacted_actors, "first_bad",
                                                  (json_int_t)r.first_bad, "head", r.head));
        return rc ? rc : (r.first_bad ? CLI_EUSER : CLI_OK);
    }
    if (r.first_bad)
        return cli_failf("the audit log is broken at entry %lld of %lld: it was changed after "
                         "it was written", (long long)r.first_bad, (long long)r.entries);
    printf("the audit log is intact: %lld entries (%lld payloads erased and %lld actors "
           "redacted on withdrawal)\nhead %s\n", (long long)r.entries,
           (long long)r.erased_payloads, (long long)r.redacted_actors, r.head);
    return CLI_OK;
}

static int audit_list(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'n'},
                                         {"json", no_argument, NULL, 'j'}, {0}};
    long long limit = 20;
    int json = 0, ch;
    optind = 0;
    while ((ch = cli_getopt(argc, argv, opts, "audit list")) != -1) {
        if (ch == '?')
            return CLI_EUSAGE;
        if (ch == 'j')
            json = 1;
        else if (cli_parse_long(optarg, 1, 1000000000, &limit) != 0)
            return cli_usage_error("audit list", "--limit '%s' is not a positive number", optarg);
    }
    if (optind != argc)
        return cli_usage_error("audit list", "unexpected argument '%s'", argv[optind]);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    static const char *const cols[] = {"seq", "at", "actor", "table", "row_id", "action"};
    return cli_emit_list(store_audit_list(st, limit, &e), json, cols, 6, &e);
}

int cmd_audit(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"verify", audit_verify,
         "verify [--json]\n"
         "  Recomputes the hash chain of the audit log; exits 1 if any entry was changed.\n"
         "  Keep the printed head hash elsewhere to detect truncation too.\n"},
        {"list", audit_list, "list [--limit N] [--json]\n  Lists the latest audit entries.\n"},
    };
    return cli_dispatch(c, "audit", "The append-only, hash-chained audit log.", subs, 2, argc,
                        argv);
}
