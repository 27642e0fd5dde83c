/*
** cmd_transfer.c — `duet import`, `duet export` and `duet audit`.
*/
#include <stdlib.h>
#include <string.h>

#include "app/responses.h"
#include "app/sorts.h"
#include "cli/cli.h"
#include "cli/opts.h"
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
    struct sorts_import_options o = {0};
    long long module = 0;
    int first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &o.cohort, 0, 0, "COHORT", "the sorts' cohort", NULL},
        {"module", CLI_LONG, &module, 1, 10000, "N", "at this module",
         "--module '%s' is not a module number"},
        {"qset", CLI_STR, &o.qset, 0, 0, "NAME", "the Q-set (default norms-default)", NULL},
        {0}};
    int prc = cli_parse_opts("import sorts", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    o.module = (int)module;
    if (first != argc - 1)
        return cli_usage_error("import sorts", "give exactly one FILE.csv");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct sorts_import_stats s;
    if (sorts_import(st, argv[first], &o, &s, &e) != 0)
        return cli_fail(&e);
    printf("imported %zu sorts of %zu statements from %s\n", s.sorts, s.statements,
           argv[first]);
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
    int first;
    const struct cli_opt opts[] = {
        {"out", CLI_STR, out, 0, 0, "FILE", "write there (default: stdout)", NULL},
        {"purpose", CLI_STR, purpose, 0, 0, "PURPOSE", "research or all", NULL},
        {"json", CLI_FLAG, json, 0, 0, NULL, "print JSON", NULL},
        {"exact", CLI_FLAG, exact, 0, 0, NULL, "cells exactly as stored", NULL},
        {names ? "names" : NULL, CLI_FLAG, names, 0, 0, NULL, "with people's names", NULL},
        {0}};
    int prc = cli_parse_opts(cmd, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc == CLI_OK ? CLI_EUSAGE : prc; /* its --help is cli_dispatch's */
    if (first != argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[first]);
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
    struct sorts_export_options o = {.purpose = "research"};
    const char *out = NULL;
    long long module = 0;
    int first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &o.cohort, 0, 0, "COHORT", "only this cohort", NULL},
        {"module", CLI_LONG, &module, 1, 10000, "N", "only this module",
         "--module '%s' is not a module number"},
        {"qset", CLI_STR, &o.qset, 0, 0, "NAME", "only this Q-set", NULL},
        {"out", CLI_STR, &out, 0, 0, "FILE", "write there (default: stdout)", NULL},
        {"purpose", CLI_STR, &o.purpose, 0, 0, "PURPOSE", "research or all", NULL},
        {"names", CLI_FLAG, &o.names, 0, 0, NULL, "with people's names", NULL},
        {"exact", CLI_FLAG, &o.exact, 0, 0, NULL, "cells exactly as stored", NULL},
        {0}};
    int prc = cli_parse_opts("export sorts", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    o.module = (int)module;
    if (first != argc)
        return cli_usage_error("export sorts", "unexpected argument '%s'", argv[first]);
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
    long long limit = 20;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"limit", CLI_LONG, &limit, 1, 1000000000, "N", "the last N entries (default 20)",
         "--limit '%s' is not a positive number"},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("audit list", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc)
        return cli_usage_error("audit list", "unexpected argument '%s'", argv[first]);
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
