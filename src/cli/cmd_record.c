/*
** cmd_record.c — recording what happens: `duet checkin`, `duet reflection`,
** `duet observation` and `duet consent`.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/ingest.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/json.h"
#include "io/csv.h"
#include "store/store.h"

#define CHECKIN_FILE_MAX ((size_t)1 << 20)

/* Adds one answer, or prints why it is refused. */
static int add_answer(struct ingest *g, const char *partnership, const char *person,
                      const char *module, const char *item, const char *value, size_t value_len)
{
    struct ingest_answer a = {NULL, 0, module, strlen(module), partnership, strlen(partnership),
                              person, strlen(person), item, strlen(item), value, value_len, 0};
    enum ingest_field field;
    duet_err e;
    if (ingest_add(g, &a, &field, &e) != 0) {
        if (field == INGEST_VALUE || field == INGEST_ITEM)
            duet_err_prefix(&e, "answer '%s'", item);
        return cli_fail(&e);
    }
    return CLI_OK;
}

/* Answers from a JSON file: {"partnership", "person", "module", "answers": {item: value}}. */
static int answers_from_file(struct ingest *g, const char *path, const char **partnership,
                             const char **person, char module[16], json_t **keep)
{
    duet_err e;
    char *data;
    size_t len;
    if (csv_read_file(path, CHECKIN_FILE_MAX, &data, &len, &e) != 0)
        return cli_fail(&e);
    json_t *doc = duet_json_load(data, len, 0, path, &e);
    free(data);
    if (doc == NULL)
        return cli_fail(&e);
    *keep = doc;
    json_t *answers = json_object_get(doc, "answers");
    json_t *mod = json_object_get(doc, "module");
    if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "partnership")) ||
        !json_is_string(json_object_get(doc, "person")) || !json_is_integer(mod) ||
        !json_is_object(answers))
        return cli_failf("%s: expected an object with \"partnership\" (text), \"person\" (text), "
                         "\"module\" (a number) and \"answers\" (an object)", path);
    const char *k;
    json_t *kv;
    json_object_foreach(doc, k, kv) {
        if (strcmp(k, "partnership") && strcmp(k, "person") && strcmp(k, "module") &&
            strcmp(k, "answers"))
            return cli_failf("%s: unknown key '%s' (expected partnership, person, module, "
                             "answers)", path, k);
    }
    if (json_object_size(answers) == 0)
        return cli_failf("%s: \"answers\" is empty; a check-in needs at least one answer", path);
    *partnership = json_string_value(json_object_get(doc, "partnership"));
    *person = json_string_value(json_object_get(doc, "person"));
    snprintf(module, 16, "%lld", (long long)json_integer_value(mod));
    const char *item;
    json_t *v;
    json_object_foreach(answers, item, v) {
        char num[32];
        char *joined = NULL;
        const char *value;
        size_t vlen;
        if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            value = num;
            vlen = strlen(num);
        } else if (json_is_string(v)) {
            value = json_string_value(v);
            vlen = json_string_length(v);
        } else if (json_is_array(v)) {
            /* A list answer: entries joined by newlines. */
            size_t i, total = 0;
            json_t *x;
            json_array_foreach(v, i, x) {
                if (!json_is_string(x))
                    return cli_failf("%s: answers.%s: list entries must be text", path, item);
                total += json_string_length(x) + 1;
            }
            joined = malloc(total + 1);
            if (joined == NULL)
                return cli_failf("out of memory");
            size_t off = 0;
            json_array_foreach(v, i, x) {
                if (i)
                    joined[off++] = '\n';
                memcpy(joined + off, json_string_value(x), json_string_length(x));
                off += json_string_length(x);
            }
            joined[off] = '\0';
            value = joined;
            vlen = off;
        } else {
            return cli_failf("%s: answers.%s: expected a whole number, text or a list of text",
                             path, item);
        }
        int rc = add_answer(g, *partnership, *person, module, item, value, vlen);
        free(joined);
        if (rc)
            return rc;
    }
    return CLI_OK;
}

static int checkin_add(struct cli *c, int argc, char **argv)
{
    const char *partnership = NULL, *person = NULL, *module = NULL, *file = NULL;
    const char *given[256];
    struct cli_strs answers = {given, 0, 256};
    int first;
    const struct cli_opt opts[] = {
        {"partnership", CLI_STR, &partnership, 0, 0, "CODE", "whose check-in", NULL},
        {"person", CLI_STR, &person, 0, 0, "KEY", "who answered", NULL},
        {"module", CLI_STR, &module, 0, 0, "N", "at which module", NULL},
        {"answer", CLI_LIST, &answers, 0, 0, "ITEM=VALUE", "one answer", NULL},
        {"file", CLI_STR, &file, 0, 0, "FILE.json", "the whole check-in", NULL},
        {0}};
    int prc = cli_parse_opts("checkin add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    for (size_t i = 0; i < answers.n; i++)
        if (strchr(answers.v[i], '=') == NULL || answers.v[i][0] == '=')
            return cli_usage_error("checkin add", "--answer '%s' is not ITEM=VALUE",
                                   answers.v[i]);
    size_t nanswers = answers.n;
    if (first != argc)
        return cli_usage_error("checkin add", "unexpected argument '%s'", argv[first]);
    if (file && (partnership || person || module || nanswers))
        return cli_usage_error("checkin add", "give either --file or the other options, not both");
    if (!file && (!partnership || !person || !module || nanswers == 0))
        return cli_usage_error("checkin add", "give --partnership, --person, --module and at "
                               "least one --answer ITEM=VALUE (or --file)");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    struct ingest *g = ingest_new(st);
    if (g == NULL)
        return cli_failf("out of memory");
    int rc = CLI_OK;
    json_t *doc = NULL;
    char modbuf[16];
    if (file) {
        rc = answers_from_file(g, file, &partnership, &person, modbuf, &doc);
        module = modbuf;
    } else {
        for (size_t i = 0; i < answers.n && rc == CLI_OK; i++) {
            const char *arg = answers.v[i];
            const char *eq = strchr(arg, '=');
            char item[64];
            snprintf(item, sizeof item, "%.*s", (int)(eq - arg), arg);
            rc = add_answer(g, partnership, person, module, item, eq + 1, strlen(eq + 1));
        }
    }
    size_t nc = 0, na = 0;
    duet_err e;
    if (rc == CLI_OK && ingest_commit(g, &nc, &na, &e) != 0)
        rc = cli_fail(&e);
    if (rc == CLI_OK)
        printf("recorded the check-in of '%s' for partnership '%s' at module %s (%zu answers)\n",
               person, partnership, module, na);
    ingest_free(g);
    json_decref(doc);
    return rc;
}

int cmd_checkin(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", checkin_add,
         "add --partnership CODE --person KEY --module N --answer ITEM=VALUE [--answer ...]\n"
         "    | add --file CHECKIN.json\n"
         "  Records one participant's answers at one module, all or nothing. Items are\n"
         "  those of an instrument (see 'duet instrument show partnership-checkin').\n"
         "  CHECKIN.json: {\"partnership\": \"P01\", \"person\": \"amira.k\", \"module\": 2,\n"
         "                 \"answers\": {\"voice_1\": 5, \"discoveries\": \"...\",\n"
         "                             \"drivers\": [\"...\", \"...\"]}}\n"},
    };
    return cli_dispatch(c, "checkin", "Check-ins: a participant's answers at a module.", subs, 1,
                        argc, argv);
}

/* Text from --text or --text-file (bounded). */
static int read_text(const char *text, const char *file, char **out)
{
    duet_err e;
    size_t len;
    if (file) {
        if (csv_read_file(file, 1 << 20, out, &len, &e) != 0)
            return cli_fail(&e);
        return CLI_OK;
    }
    *out = strdup(text);
    return *out ? CLI_OK : cli_failf("out of memory");
}

static int reflection_add(struct cli *c, int argc, char **argv)
{
    const char *person = NULL, *partnership = NULL, *visibility = "private", *text = NULL,
               *file = NULL;
    long long module = 0;
    int first;
    const struct cli_opt opts[] = {
        {"person", CLI_STR, &person, 0, 0, "KEY", "whose reflection", NULL},
        {"partnership", CLI_STR, &partnership, 0, 0, "CODE", "in which partnership", NULL},
        {"module", CLI_LONG, &module, 1, 1000, "N", "at which module",
         "--module '%s' is not a module number"},
        {"visibility", CLI_STR, &visibility, 0, 0, "WHO", "who may read it (default private)",
         NULL},
        {"text", CLI_STR, &text, 0, 0, "TEXT", "the reflection", NULL},
        {"text-file", CLI_STR, &file, 0, 0, "FILE", "the reflection, from a file", NULL},
        {0}};
    int prc = cli_parse_opts("reflection add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc || !person || !partnership || (!text == !file))
        return cli_usage_error("reflection add", "give --person, --partnership and one of "
                               "--text or --text-file");
    struct store *st = cli_store(c);
    char *body = NULL;
    int rc = st ? read_text(text, file, &body) : CLI_EUSER;
    if (rc)
        return rc;
    duet_err e;
    int64_t id;
    if (store_reflection_add(st, person, partnership, (int)module, visibility, body, &id, &e) != 0)
        rc = cli_fail(&e);
    else
        printf("recorded %s reflection %lld\n", visibility, (long long)id);
    free(body);
    return rc;
}

static int reflection_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"id", "person", "module", "visibility", "text"};
    static const struct cli_list l = {"reflection list", "partnership", 1, NULL,
                                      store_reflection_list, cols, 5};
    return cli_run_list(c, argc, argv, &l);
}

int cmd_reflection(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", reflection_add,
         "add --person KEY --partnership CODE [--module N]\n"
         "    [--visibility private|partner|programme] (--text TEXT | --text-file FILE)\n"
         "  Records a participant's reflection. 'private' (the default) is for the author\n"
         "  only, 'partner' is shared with the partnership, 'programme' with the team.\n"},
        {"list", reflection_list, "list --partnership CODE [--json]\n"
                                  "  Lists a partnership's reflections (an administrator's view).\n"},
    };
    return cli_dispatch(c, "reflection", "Reflections written by participants.", subs, 2, argc,
                        argv);
}

static int observation_add(struct cli *c, int argc, char **argv)
{
    struct store_observation o = {.talk_share_lived = NAN, .decisions_lived = -1,
                                  .decisions_system = -1};
    const char *text = NULL, *file = NULL;
    long long module = 0, lived = -1, sys = -1;
    int first;
    const struct cli_opt opts[] = {
        {"observer", CLI_STR, &o.observer, 0, 0, "KEY", "who observed", NULL},
        {"partnership", CLI_STR, &o.partnership, 0, 0, "CODE", "which partnership", NULL},
        {"module", CLI_LONG, &module, 1, 1000, "N", "at which module",
         "--module '%s' is not a module number"},
        {"text", CLI_STR, &text, 0, 0, "TEXT", "the note", NULL},
        {"text-file", CLI_STR, &file, 0, 0, "FILE", "the note, from a file", NULL},
        {"talk-share", CLI_DOUBLE, &o.talk_share_lived, 0, 0, "X",
         "the lived-experience member's share of the talk", NULL},
        {"decisions-lived", CLI_LONG, &lived, 0, 1000, "N", "decisions they led",
         "'%s' is not a count 0..1000"},
        {"decisions-system", CLI_LONG, &sys, 0, 1000, "N", "decisions the system side led",
         "'%s' is not a count 0..1000"},
        {0}};
    int prc = cli_parse_opts("observation add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    o.module = (int)module;
    o.decisions_lived = (int)lived;
    o.decisions_system = (int)sys;
    if (first != argc || !o.observer || !o.partnership || !o.module || (!text == !file))
        return cli_usage_error("observation add", "give --observer, --partnership, --module and "
                               "one of --text or --text-file");
    struct store *st = cli_store(c);
    char *body = NULL;
    int rc = st ? read_text(text, file, &body) : CLI_EUSER;
    if (rc)
        return rc;
    o.text = body;
    duet_err e;
    int64_t id;
    if (store_observation_add(st, &o, &id, &e) != 0)
        rc = cli_fail(&e);
    else
        printf("recorded observation %lld\n", (long long)id);
    free(body);
    return rc;
}

static int observation_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"module", "observer", "talk_share_lived",
                                       "decisions_lived", "decisions_system", "text"};
    static const struct cli_list l = {"observation list", "partnership", 1, NULL,
                                      store_observation_list, cols, 6};
    return cli_run_list(c, argc, argv, &l);
}

int cmd_observation(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"add", observation_add,
         "add --observer KEY --partnership CODE --module N (--text TEXT | --text-file FILE)\n"
         "    [--talk-share 0..1] [--decisions-lived N] [--decisions-system N]\n"
         "  Records a facilitator's or observer's field note; --talk-share is the share of\n"
         "  talk by the lived-experience side, the decision counts who initiated decisions.\n"},
        {"list", observation_list, "list --partnership CODE [--json]\n"
                                   "  Lists a partnership's observations.\n"},
    };
    return cli_dispatch(c, "observation", "Observers' field notes.", subs, 2, argc, argv);
}

static int consent_change(struct cli *c, int argc, char **argv, int give)
{
    const char *person = NULL, *purpose = NULL, *version = "1";
    const char *cmd = give ? "consent give" : "consent withdraw";
    int first;
    const struct cli_opt opts[] = {
        {"person", CLI_STR, &person, 0, 0, "KEY", "whose consent", NULL},
        {"purpose", CLI_STR, &purpose, 0, 0, "PURPOSE", "for what", NULL},
        {"version", CLI_STR, &version, 0, 0, "V", "of which consent form (default 1)", NULL},
        {0}};
    int prc = cli_parse_opts(cmd, "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc || !person || !purpose)
        return cli_usage_error(cmd, "give --person KEY and --purpose PURPOSE");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    int64_t pid = 0;
    int rc = give ? store_consent_give(st, person, purpose, version, &e)
                  : store_person_id(st, person, &pid, &e) != 0
                        ? -1 : store_consent_withdraw(st, person, purpose, &e);
    if (rc != 0)
        return cli_fail(&e);
    if (give)
        printf("recorded consent of '%s' for %s (version %s)\n", person, purpose, version);
    else if (strcmp(purpose, "research") == 0)
        printf("recorded the withdrawal of '%s' from research; their identifiable content was "
               "erased and their key (and sign-in name) is now 'withdrawn-%lld'\n", person,
               (long long)pid);
    else
        printf("recorded the withdrawal of '%s' from %s\n", person, purpose);
    return CLI_OK;
}

static int consent_give(struct cli *c, int argc, char **argv) { return consent_change(c, argc, argv, 1); }
static int consent_withdraw(struct cli *c, int argc, char **argv) { return consent_change(c, argc, argv, 0); }

static int consent_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"purpose", "version", "given_at", "withdrawn_at"};
    static const struct cli_list l = {"consent list", "person", 1, NULL, store_consent_list,
                                      cols, 4};
    return cli_run_list(c, argc, argv, &l);
}

int cmd_consent(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"give", consent_give, "give --person KEY --purpose research|quotes|contact [--version V]\n"
                               "  Records consent for one purpose.\n"},
        {"withdraw", consent_withdraw,
         "withdraw --person KEY --purpose research|quotes|contact\n"
         "  Records a withdrawal; it is final. Withdrawing 'research' leaves the person out of\n"
         "  every analysis and export and erases their name, contact, reflections, free-text\n"
         "  answers and Q-sorts from the store and the audit log; their key, and the name\n"
         "  they sign in with, becomes withdrawn-ID (printed).\n"},
        {"list", consent_list, "list --person KEY [--json]\n  Lists a person's consent records.\n"},
    };
    return cli_dispatch(c, "consent", "Consent, per person and purpose.", subs, 3, argc, argv);
}
