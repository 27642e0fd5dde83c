/*
** cmd_codebook.c — `duet codebook import|export|list|show`: codebooks as
** duet-codebook/1 JSON or REFI-QDA .qdc (docs/coding.md).
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "io/codebook.h"
#include "io/csv.h"
#include "io/jsonread.h"
#include "io/qdc.h"
#include "store/store.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* A codebook name from a file name: "My Codes.qdc" -> "my-codes". */
static void name_from_path(const char *path, char out[(JR_NAME_MAX + 1)])
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = 0;
    if (!((b[0] >= 'a' && b[0] <= 'z') || (b[0] >= 'A' && b[0] <= 'Z')))
        out[n++] = 'c';
    for (; *b && *b != '.' && n < (JR_NAME_MAX + 1) - 1; b++) {
        char ch = *b;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        out[n++] = ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_') ? ch : '-';
    }
    out[n] = '\0';
}

static int codebook_import(struct cli *c, int argc, char **argv)
{
    if (argc != 2)
        return cli_usage_error("codebook import", "give exactly one FILE.json or FILE.qdc");
    const char *path = argv[1];
    int qdc = ends_with(path, ".qdc");
    if (!qdc && !ends_with(path, ".json"))
        return cli_usage_error("codebook import", "'%s' is neither .json (duet-codebook/1) nor "
                               ".qdc (REFI-QDA)", path);
    duet_err e;
    char *data;
    size_t len;
    if (csv_read_file(path, CODEBOOK_MAX_BYTES, &data, &len, &e) != 0)
        return cli_fail(&e);
    struct codebook cb;
    char fallback[(JR_NAME_MAX + 1)];
    name_from_path(path, fallback);
    int rc = qdc ? qdc_read(data, len, path, fallback, &cb, &e)
                 : codebook_parse(data, len, path, &cb, &e);
    free(data);
    if (rc != 0)
        return cli_fail(&e);
    struct store *st = cli_store(c);
    if (st == NULL) {
        codebook_free(&cb);
        return CLI_EUSER;
    }
    rc = store_codebook_add(st, &cb, NULL, &e);
    if (rc == 0)
        printf("imported codebook '%s' version %d (%zu codes)\n", cb.name, cb.version, cb.ncodes);
    codebook_free(&cb);
    return rc == 0 ? CLI_OK : cli_fail(&e);
}

static int codebook_export(struct cli *c, int argc, char **argv)
{
    int qdc = 0, first;
    long long version = 0;
    const char *out = NULL;
    const struct cli_opt opts[] = {
        {"qdc", CLI_FLAG, &qdc, 0, 0, NULL, "as a REFI-QDA codebook (.qdc)", NULL},
        {"out", CLI_STR, &out, 0, 0, "FILE", "write there (default: stdout)", NULL},
        {"version", CLI_LONG, &version, 1, CODEBOOK_MAX_VERSION, "V",
         "that version (default: the latest)", "--version '%s' is not a version number"},
        {0}};
    int prc = cli_parse_opts("codebook export", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1)
        return cli_usage_error("codebook export", "give exactly one NAME");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct codebook cb;
    if (store_codebook_get(st, argv[first], (int)version, &cb, &e) != 0)
        return cli_fail(&e);
    size_t len = 0;
    char *text = qdc ? qdc_write(&cb, &len, &e) : codebook_to_json(&cb);
    codebook_free(&cb);
    if (text == NULL)
        return qdc ? cli_fail(&e) : cli_failf("out of memory");
    if (!qdc)
        len = strlen(text);
    FILE *f = cli_open_out(out, &e);
    if (f == NULL) {
        free(text);
        return cli_fail(&e);
    }
    int ok = fwrite(text, 1, len, f) == len;
    free(text);
    if (cli_close_out(f, out, ok, &e) != 0)
        return cli_fail(&e);
    return CLI_OK;
}

static int codebook_list(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"name", "version", "codes", "created_at"};
    static const struct cli_list l = {"codebook list", NULL, 0, store_codebook_list, NULL, cols,
                                      4};
    return cli_run_list(c, argc, argv, &l);
}

static int codebook_show(struct cli *c, int argc, char **argv)
{
    long long version = 0;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"version", CLI_LONG, &version, 1, CODEBOOK_MAX_VERSION, "V",
         "that version (default: the latest)", "--version '%s' is not a version number"},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("codebook show", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1)
        return cli_usage_error("codebook show", "give exactly one NAME");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    struct codebook cb;
    if (store_codebook_get(st, argv[first], (int)version, &cb, &e) != 0)
        return cli_fail(&e);
    if (json) {
        char *text = codebook_to_json(&cb);
        codebook_free(&cb);
        if (text == NULL)
            return cli_failf("out of memory");
        fputs(text, stdout);
        free(text);
        return CLI_OK;
    }
    printf("%s (version %d): %zu codes\n", cb.name, cb.version, cb.ncodes);
    for (size_t i = 0; i < cb.ncodes; i++) {
        const struct codebook_code *k = &cb.codes[i];
        int ind = 2 * (int)k->depth;
        printf("\n%*s%s%s%s\n", ind, "", k->name, k->colour ? "  " : "",
               k->colour ? k->colour : "");
        if (k->definition)
            printf("%*s  %s\n", ind, "", k->definition);
        if (k->when_to_use)
            printf("%*s  when to use: %s\n", ind, "", k->when_to_use);
        if (k->when_not_to_use)
            printf("%*s  when not to use: %s\n", ind, "", k->when_not_to_use);
        if (k->example)
            printf("%*s  example: %s\n", ind, "", k->example);
    }
    codebook_free(&cb);
    return CLI_OK;
}

static int codebook_memo(struct cli *c, int argc, char **argv)
{
    const char *code = NULL, *text = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"code", CLI_STR, &code, 0, 0, "CODE", "the memo is about this code", NULL},
        {"text", CLI_STR, &text, 0, 0, "TEXT", "add a memo", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("codebook memo", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc - 1)
        return cli_usage_error("codebook memo", "give exactly one NAME");
    if (code && !text)
        return cli_usage_error("codebook memo", "--code goes with --text");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    if (text && store_codebook_memo_add(st, argv[first], code, text, c->actor, NULL, &e) != 0)
        return cli_fail(&e);
    static const char *const cols[] = {"target", "code", "author", "created_at", "text"};
    return cli_emit_list(store_codebook_memo_list(st, argv[first], &e), json, cols, 5, &e);
}

int cmd_codebook(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"import", codebook_import,
         "import FILE.json|FILE.qdc\n"
         "  Stores a codebook: duet-codebook/1 JSON (docs/coding.md) or a REFI-QDA\n"
         "  codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder and others. A .qdc\n"
         "  is checked against the REFI-QDA schema; an invalid file is refused whole\n"
         "  and nothing is stored. A .qdc not written by duet is named after its file.\n"},
        {"export", codebook_export,
         "export NAME [--version V] [--qdc] [--out FILE]\n"
         "  Writes a codebook as duet-codebook/1 JSON, or with --qdc as a REFI-QDA\n"
         "  codebook (.qdc), to standard output or FILE.\n"},
        {"list", codebook_list, "list [--json]\n  Lists stored codebooks.\n"},
        {"show", codebook_show,
         "show NAME [--version V] [--json]\n"
         "  Shows a codebook's codes as a tree with their definitions (--json: the\n"
         "  duet-codebook/1 definition).\n"},
        {"memo", codebook_memo,
         "memo NAME [--text TEXT [--code GUID]] [--json]\n"
         "  Adds a memo to the codebook's latest version (or, with --code, to one of its\n"
         "  codes), then lists its memos.\n"},
    };
    return cli_dispatch(c, "codebook",
                        "Codebooks: the codes of qualitative coding, and exchange with QDA tools.",
                        subs, sizeof subs / sizeof subs[0], argc, argv);
}
