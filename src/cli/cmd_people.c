/*
** cmd_people.c — `duet person ...` and `duet partnership ...`.
*/
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"

static int person_add(struct cli *c, int argc, char **argv)
{
    struct store_person p = {0};
    int first;
    const struct cli_opt opts[] = {
        {"name", CLI_STR, &p.display_name, 0, 0, "NAME", "the name shown", NULL},
        {"organisation", CLI_STR, &p.organisation, 0, 0, "ORG", "where they work", NULL},
        {"contact", CLI_STR, &p.contact, 0, 0, "CONTACT", "how to reach them", NULL},
        {0}};
    int prc = cli_parse_opts("person add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1 || p.display_name == NULL)
        return cli_usage_error("person add", "give KEY and --name NAME");
    p.key = argv[first];
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (store_person_add(st, &p, NULL, &e) != 0)
        return cli_fail(&e);
    printf("added person '%s'\n", p.key);
    return CLI_OK;
}

static int person_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"key", "display_name", "organisation", "partnerships"};
    static const struct cli_list l = {"person list", NULL, 0, store_person_list, NULL, cols, 4};
    return cli_run_list(c, argc, argv, &l);
}

static int person_show(struct cli *c, int argc, char **argv)
{
    int json;
    const char *key;
    int rc = cli_json_args(argc, argv, "person show", &json, 1, &key);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    return cli_emit_one(store_person_show(st, key, &e), json, &e);
}

int cmd_person(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", person_add, "add KEY --name NAME [--organisation ORG] [--contact TEXT]\n"
                            "  Adds a person. KEY is a short unique handle (letters, digits, '.',\n"
                            "  '_', '-'), used in CSV files and commands, e.g. amira.k.\n"},
        {"list", person_list, "list [--json]\n  Lists people.\n"},
        {"show", person_show, "show KEY [--json]\n  Shows a person, their partnerships and consent.\n"},
    };
    return cli_dispatch(c, "person", "People: participants, facilitators, observers, researchers.",
                        subs, 3, argc, argv);
}

static int partnership_add(struct cli *c, int argc, char **argv)
{
    struct store_partnership p = {0};
    struct store_member members[4];
    char roles[4][96];
    const char *given[64];
    struct cli_strs member = {given, 0, 64};
    int first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &p.cohort, 0, 0, "COHORT", "the partnership's cohort", NULL},
        {"member", CLI_LIST, &member, 0, 0, "KEY:ROLE", "a member and their role", NULL},
        {"title", CLI_STR, &p.project_title, 0, 0, "TEXT", "the project's title", NULL},
        {"aim", CLI_STR, &p.project_aim, 0, 0, "TEXT", "the project's aim", NULL},
        {0}};
    int prc = cli_parse_opts("partnership add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    for (size_t i = 0; i < member.n; i++) {
        char *m = (char *)member.v[i]; /* an argv string */
        char *colon = strchr(m, ':');
        if (colon == NULL || colon == m || colon[1] == '\0')
            return cli_usage_error("partnership add", "--member '%s' is not KEY:ROLE", m);
        if (p.nmembers == 4)
            return cli_usage_error("partnership add", "at most three members");
        snprintf(roles[p.nmembers], sizeof roles[0], "%s", colon + 1);
        *colon = '\0';
        members[p.nmembers].person = m;
        members[p.nmembers].role = roles[p.nmembers];
        p.nmembers++;
    }
    if (first != argc - 1 || p.cohort == NULL)
        return cli_usage_error("partnership add", "give CODE, --cohort and --member KEY:ROLE "
                               "for each member");
    p.code = argv[first];
    p.members = members;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (store_partnership_add(st, &p, NULL, &e) != 0)
        return cli_fail(&e);
    printf("added %s '%s' to cohort '%s'\n", p.nmembers == 2 ? "pair" : "triad", p.code, p.cohort);
    return CLI_OK;
}

static int partnership_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"code", "cohort", "kind", "members", "project_title"};
    static const struct cli_list l = {"partnership list", "cohort", 0, NULL,
                                      store_partnership_list, cols, 5};
    return cli_run_list(c, argc, argv, &l);
}

static int partnership_show(struct cli *c, int argc, char **argv)
{
    int json;
    const char *code;
    int rc = cli_json_args(argc, argv, "partnership show", &json, 1, &code);
    struct store *st = rc ? NULL : cli_store(c);
    if (st == NULL)
        return rc ? rc : CLI_EUSER;
    duet_err e;
    return cli_emit_one(store_partnership_show(st, code, &e), json, &e);
}

static int partnership_roles(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"name", "side", "label"};
    static const struct cli_list l = {"partnership roles", NULL, 0, store_role_list, NULL, cols,
                                      3};
    return cli_run_list(c, argc, argv, &l);
}

static int partnership_log(struct cli *c, int argc, char **argv)
{
    const char *kind = NULL, *date = NULL, *text = NULL;
    int first;
    const struct cli_opt opts[] = {
        {"kind", CLI_STR, &kind, 0, 0, "KIND", "what happened", NULL},
        {"date", CLI_STR, &date, 0, 0, "DATE", "when", NULL},
        {"text", CLI_STR, &text, 0, 0, "TEXT", "the note", NULL},
        {0}};
    int prc = cli_parse_opts("partnership log", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1 || kind == NULL || date == NULL || text == NULL)
        return cli_usage_error("partnership log", "give CODE, --kind, --date and --text");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (store_project_log_add(st, argv[first], kind, text, date, NULL, &e) != 0)
        return cli_fail(&e);
    printf("logged %s for partnership '%s'\n", kind, argv[first]);
    return CLI_OK;
}

int cmd_partnership(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", partnership_add,
         "add CODE --cohort COHORT --member KEY:ROLE --member KEY:ROLE [--member KEY:ROLE]\n"
         "        [--title TEXT] [--aim TEXT]\n"
         "  Adds a pair (2 members) or triad (3), with at least one member on the\n"
         "  lived-experience side and one on the system side. Roles: see 'roles'.\n"},
        {"list", partnership_list, "list [--cohort COHORT] [--json]\n  Lists partnerships.\n"},
        {"show", partnership_show, "show CODE [--json]\n"
                                   "  Shows a partnership: members, project log, check-ins.\n"},
        {"roles", partnership_roles, "roles [--json]\n  Lists the role catalogue and each role's side.\n"},
        {"log", partnership_log, "log CODE --kind obstacle|lever|milestone --date YYYY-MM-DD --text TEXT\n"
                                 "  Records an obstacle met, a lever used or a milestone.\n"},
    };
    return cli_dispatch(c, "partnership", "Partnerships: pairs and triads and their projects.",
                        subs, 5, argc, argv);
}
