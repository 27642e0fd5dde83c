/*
** cmd_instrument.c — `duet init` and `duet instrument import|list|show`.
*/
#include <stdlib.h>
#include <string.h>

#include "app/setup.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "io/instrument.h"
#include "store/store.h"

int cmd_init(struct cli *c, int argc, char **argv)
{
    static const char usage[] =
        "init\n"
        "  Creates the database (or upgrades its schema) and loads the default\n"
        "  'partnership-checkin' instrument and the default 'norms-default' Q-set if\n"
        "  they are not there yet, and the starter codebook (duet codebook show starter).\n";
    if (cli_help(argc, argv, usage))
        return CLI_OK;
    if (argc != 1)
        return cli_usage_error("init", "takes no arguments");
    c->create = 1;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (setup_default_instrument(st, &e) != 0 || setup_default_qset(st, &e) != 0 ||
        setup_default_codebook(st, &e) != 0)
        return cli_fail(&e);
    printf("%s is ready (schema version %d, with the default instrument and Q-set, and the "
           "starter codebook)\n",
           c->db_path, store_schema_version(st));
    return CLI_OK;
}

static int instrument_import(struct cli *c, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error("instrument import", "give exactly one FILE.json");
    duet_err e;
    char *data;
    size_t len;
    if (csv_read_file(argv[1], INSTRUMENT_MAX_BYTES, &data, &len, &e) != 0)
        return cli_fail(&e);
    struct instrument ins;
    int rc = instrument_parse(data, len, argv[1], &ins, &e);
    free(data);
    if (rc != 0)
        return cli_fail(&e);
    struct store *st = cli_store(c);
    if (st == NULL) {
        instrument_free(&ins);
        return CLI_EUSER;
    }
    rc = store_instrument_add(st, &ins, NULL, &e);
    if (rc == 0)
        printf("imported instrument '%s' version %d (%zu items)\n", ins.name, ins.version,
               ins.nitems);
    instrument_free(&ins);
    return rc == 0 ? CLI_OK : cli_fail(&e);
}

static int instrument_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"name", "version", "items", "title"};
    static const struct cli_list l = {"instrument list", NULL, 0, store_instrument_list, NULL,
                                      cols, 4};
    return cli_run_list(c, argc, argv, &l);
}

static const char show_usage[] =
    CLI_OWN_HELP "show NAME [--version V] [--json]\n"
    "  Shows an instrument's items (--json: its full definition).\n";

static int instrument_show(struct cli *c, int argc, char **argv)
{
    long long version = 0;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"version", CLI_LONG, &version, 1, 1000000, "V", "that version (default: the latest)",
         "--version '%s' is not a version number"},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "its full definition, as JSON", NULL},
        {0}};
    int rc = cli_parse_opts("instrument show", show_usage, opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first != argc - 1)
        return cli_usage_error("instrument show", "give exactly one NAME");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    json_t *def = store_instrument_show(st, argv[first], (int)version, &e);
    if (def == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, def);
    printf("%s (version %lld): %s\n\n", json_string_value(json_object_get(def, "name")),
           (long long)json_integer_value(json_object_get(def, "version")),
           json_string_value(json_object_get(def, "title")));
    static const char *const cols[] = {"name", "construct", "type", "min", "max", "reverse",
                                       "text"};
    cli_print_table(stdout, json_object_get(def, "items"), cols, 7);
    json_decref(def);
    return CLI_OK;
}

int cmd_instrument(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"import", instrument_import, "import FILE.json\n"
                                      "  Stores an instrument defined in the JSON format of\n"
                                      "  docs/instruments.md. Nothing is stored if it is invalid.\n"},
        {"list", instrument_list, "list [--json]\n  Lists stored instruments.\n"},
        {"show", instrument_show, show_usage},
    };
    return cli_dispatch(c, "instrument", "Instruments: the questionnaires of check-ins.", subs, 3,
                        argc, argv);
}
