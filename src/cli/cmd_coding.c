/*
** cmd_coding.c — `duet coding ...`: coding passages of codable documents,
** exporting the codings (JSON, CSV, REFI-QDA .qdpx) and importing .qdpx;
** and `duet analyse agreement` (docs/coding.md).
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/intercoder.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "io/csv.h"
#include "io/qdpx.h"
#include "store/store.h"

#define MAX_CODERS_ARG 4096     /* bytes of a --coders list */

/* "reflection" / "observation" / "imported" and a positive id. */
static int parse_doc(const char *cmd, const char *kind, const char *id, long long *out)
{
    if (strcmp(kind, "reflection") != 0 && strcmp(kind, "observation") != 0 &&
        strcmp(kind, "imported") != 0)
        return cli_usage_error(cmd, "document kind '%s' is not one of reflection, observation, "
                                    "imported", kind);
    if (cli_parse_long(id, 1, INT64_MAX, out) != 0)
        return cli_usage_error(cmd, "document id '%s' is not a positive whole number", id);
    return CLI_OK;
}

/* The document named by the only two arguments left (argv[first], argv[first + 1]:
** KIND ID), and the
** store; returns CLI_OK or the exit code after saying what is wrong. */
static int open_doc(struct cli *c, const char *cmd, int argc, char **argv, int first,
                    long long *id, struct store **st)
{
    if (first != argc - 2)
        return cli_usage_error(cmd, "give a document: KIND ID");
    int rc = parse_doc(cmd, argv[first], argv[first + 1], id);
    if (rc != CLI_OK)
        return rc;
    *st = cli_store(c);
    return *st ? CLI_OK : CLI_EUSER;
}

static int coding_documents(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"kind", "id", "cohort", "partnership", "module",
                                       "pseudonym", "length", "selections"};
    const char *cohort = NULL, *coder = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &cohort, 0, 0, "C", "only this cohort", NULL},
        {"coder", CLI_STR, &coder, 0, 0, "KEY", "with this coder's selections", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("coding documents", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc)
        return cli_usage_error("coding documents", "unexpected argument '%s'", argv[first]);
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    return cli_emit_list(store_coding_documents(st, cohort, coder, &e), json, cols, 8, &e);
}

static int coding_show(struct cli *c, int argc, char **argv)
{
    const char *coder = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"coder", CLI_STR, &coder, 0, 0, "KEY", "only this coder's selections", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("coding show", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    long long id;
    struct store *st = NULL;
    int rc = open_doc(c, "coding show", argc, argv, first, &id, &st);
    if (rc != CLI_OK)
        return rc;
    duet_err e;
    json_t *doc = store_coding_document(st, argv[first], id, &e);
    json_t *sel = doc ? store_coding_selections(st, argv[first], id, coder, &e) : NULL;
    if (sel == NULL) {
        json_decref(doc);
        return cli_fail(&e);
    }
    if (!json) {   /* for people: the codes of a passage as one cell */
        size_t i, k;
        json_t *s, *x;
        json_array_foreach(sel, i, s) {
            char names[1024] = "";
            json_array_foreach(json_object_get(s, "codes"), k, x) {
                size_t n = strlen(names);
                snprintf(names + n, sizeof names - n, "%s%s", k ? ", " : "",
                         json_string_value(json_object_get(x, "name")));
            }
            json_object_set_new(s, "codes", json_string(names));
            json_object_del(s, "created_at");
        }
    }
    json_object_set_new(doc, "selections", sel);
    return cli_emit_one(doc, json, &e);
}

static int coding_add(struct cli *c, int argc, char **argv)
{
    const char *coder = NULL;
    int first;
    const struct cli_opt opts[] = {
        {"coder", CLI_STR, &coder, 0, 0, "PERSON", "who codes", NULL}, {0}};
    int prc = cli_parse_opts("coding add", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (coder == NULL)
        return cli_usage_error("coding add", "say who codes: --coder PERSON");
    if (argc - first < 5)
        return cli_usage_error("coding add", "give KIND ID START END CODE...");
    long long id, start, end;
    int rc = parse_doc("coding add", argv[first], argv[first + 1], &id);
    if (rc != CLI_OK)
        return rc;
    if (cli_parse_long(argv[first + 2], 0, INT32_MAX, &start) != 0 ||
        cli_parse_long(argv[first + 3], 0, INT32_MAX, &end) != 0)
        return cli_usage_error("coding add", "START and END are character positions (0 or more)");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    char guid[40];
    if (store_coding_add(st, argv[first], id, coder, (size_t)start, (size_t)end,
                         (const char *const *)argv + first + 4, (size_t)(argc - first - 4),
                         guid, &e) != 0)
        return cli_fail(&e);
    printf("%s\n", guid);
    return CLI_OK;
}

static int coding_remove(struct cli *c, int argc, char **argv)
{
    const char *coder = NULL;
    int first;
    const struct cli_opt opts[] = {
        {"coder", CLI_STR, &coder, 0, 0, "PERSON", "who codes", NULL}, {0}};
    int prc = cli_parse_opts("coding remove", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (coder == NULL || first != argc - 1)
        return cli_usage_error("coding remove", "give SELECTION --coder PERSON");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    return store_coding_remove(st, argv[first], coder, &e) == 0 ? CLI_OK : cli_fail(&e);
}

static int coding_blind(struct cli *c, int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0))
        return cli_usage_error("coding blind", "give on, off or nothing");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    duet_err e;
    int blind;
    if (argc == 2 && store_coding_set_blind(st, strcmp(argv[1], "on") == 0, &e) != 0)
        return cli_fail(&e);
    if (store_coding_blind(st, &blind, &e) != 0)
        return cli_fail(&e);
    printf("blind coding is %s: %s\n", blind ? "on" : "off",
           blind ? "each coder sees only their own codings"
                 : "coders see each other's codings");
    return CLI_OK;
}

static int coding_coders(struct cli *c, int argc, char **argv)
{
    static const char *const cols[] = {"coder", "imported", "selections", "codings"};
    static const struct cli_list l = {"coding coders", NULL, 0, store_coder_list, NULL, cols, 4};
    return cli_run_list(c, argc, argv, &l);
}

static int coding_memo(struct cli *c, int argc, char **argv)
{
    const char *coding = NULL, *text = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"coding", CLI_STR, &coding, 0, 0, "SELECTION", "the memo is about this coding", NULL},
        {"text", CLI_STR, &text, 0, 0, "TEXT", "add a memo", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("coding memo", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    long long id;
    struct store *st = NULL;
    int rc = open_doc(c, "coding memo", argc, argv, first, &id, &st);
    if (rc != CLI_OK)
        return rc;
    duet_err e;
    if (text && store_coding_memo_add(st, argv[first], id, coding, text, c->actor, NULL,
                                      &e) != 0)
        return cli_fail(&e);
    static const char *const cols[] = {"target", "coding", "author", "created_at", "text"};
    return cli_emit_list(store_coding_memo_list(st, argv[first], id, &e), json, cols, 5, &e);
}

/* ---- export ---- */

struct csv_out {
    FILE *f;
    enum csv_cells how;
    size_t rows;
};

static int csv_row(void *ctx, const struct store_coding_row *r, duet_err *e)
{
    struct csv_out *o = ctx;
    char id[24], module[16], start[24], end[24];
    snprintf(id, sizeof id, "%lld", (long long)r->doc_id);
    snprintf(module, sizeof module, "%d", r->module);
    snprintf(start, sizeof start, "%zu", r->start);
    snprintf(end, sizeof end, "%zu", r->end);
    const char *f[] = {r->cohort ? r->cohort : "", r->partnership ? r->partnership : "",
                       r->module ? module : "", r->kind, id, r->source,
                       r->pseudonym ? r->pseudonym : "", r->side ? r->side : "", r->coder,
                       r->selection, start, end, r->code, r->code_name, r->passage};
    if (csv_write_row_as(o->f, o->how, f, sizeof f / sizeof f[0]) != 0)
        return duet_errf(e, DUET_EIO, "writing the CSV failed");
    o->rows++;
    return 0;
}

static int json_row(void *ctx, const struct store_coding_row *r, duet_err *e)
{
    json_t *rows = ctx;
    json_t *o = json_pack("{s:s?, s:s?, s:o, s:s, s:I, s:s, s:s?, s:s?, s:s, s:s, s:I, s:I, "
                          "s:s, s:s, s:s}",
                          "cohort", r->cohort, "partnership", r->partnership, "module",
                          r->module ? json_integer(r->module) : json_null(), "kind", r->kind,
                          "document", (json_int_t)r->doc_id, "source", r->source, "author",
                          r->pseudonym, "side", r->side, "coder", r->coder, "selection",
                          r->selection, "start", (json_int_t)r->start, "end",
                          (json_int_t)r->end, "code", r->code, "code_name", r->code_name,
                          "passage", r->passage);
    if (o == NULL || json_array_append_new(rows, o) != 0)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    return 0;
}

static int export_qdpx(struct store *st, const char *cohort, int pseudonymise, const char *out)
{
    duet_err e;
    struct qdpx_project p;
    if (store_qdpx_export(st, cohort, pseudonymise, &p, &e) != 0)
        return cli_fail(&e);
    int rc = qdpx_write_file(&p, out, &e);
    size_t nsel = 0;
    for (size_t i = 0; i < p.nsources; i++)
        nsel += p.sources[i].nselections;
    if (rc == 0)
        fprintf(stderr, "wrote %s: %zu sources, %zu selections, %zu codes, %zu users%s\n", out,
                p.nsources, nsel, p.codebook.ncodes, p.nusers,
                pseudonymise ? " (pseudonymised)" : " (with names)");
    qdpx_free(&p);
    return rc == 0 ? CLI_OK : cli_fail(&e);
}

static int coding_export(struct cli *c, int argc, char **argv)
{
    const char *cohort = NULL, *out = NULL;
    int csv = 0, qdpx = 0, names = 0, pseudo = 0, exact = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &cohort, 0, 0, "C", "only this cohort", NULL},
        {"csv", CLI_FLAG, &csv, 0, 0, NULL, "as CSV", NULL},
        {"qdpx", CLI_FLAG, &qdpx, 0, 0, NULL, "as a REFI-QDA project", NULL},
        {"names", CLI_FLAG, &names, 0, 0, NULL, "with people's names", NULL},
        {"pseudonymise", CLI_FLAG, &pseudo, 0, 0, NULL, "with pseudonyms (the default)", NULL},
        {"exact", CLI_FLAG, &exact, 0, 0, NULL, "with --csv: cells exactly as stored", NULL},
        {"out", CLI_STR, &out, 0, 0, "FILE", "write there (default: stdout)", NULL},
        {0}};
    int prc = cli_parse_opts("coding export", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc)
        return cli_usage_error("coding export", "unexpected argument '%s'", argv[first]);
    if (csv && qdpx)
        return cli_usage_error("coding export", "choose one of --csv and --qdpx");
    if (qdpx && (out == NULL || strcmp(out, "-") == 0))
        return cli_usage_error("coding export", "--qdpx writes a zip file: give --out FILE.qdpx");
    if (names && pseudo)
        return cli_usage_error("coding export", "choose one of --names and --pseudonymise "
                                                "(pseudonyms are the default)");
    if (exact && !csv)
        return cli_usage_error("coding export", "--exact goes with --csv (JSON and .qdpx "
                                                "keep every character already)");
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    if (qdpx)
        return export_qdpx(st, cohort, !names, out);
    /* Authors are pseudonyms in every case; names decides the passages. */
    int (*each)(struct store *, const char *, store_coding_fn, void *, duet_err *) =
        names ? store_coding_each : store_coding_each_pseudonymised;
    duet_err e;
    FILE *f = cli_open_out(out, &e);
    if (f == NULL)
        return cli_fail(&e);
    int ok;
    if (csv) {
        static const char *const head[] = {"cohort", "partnership", "module", "kind",
                                           "document", "source", "author", "side", "coder",
                                           "selection", "start", "end", "code", "code_name",
                                           "passage"};
        struct csv_out o = {f, exact ? CSV_EXACT : CSV_SAFE, 0};
        ok = csv_write_row_as(f, o.how, head, sizeof head / sizeof head[0]) == 0 &&
             each(st, cohort, csv_row, &o, &e) == 0;
    } else {
        json_t *rows = json_array();
        ok = rows && each(st, cohort, json_row, rows, &e) == 0;
        if (ok) {
            char *s = json_dumps(rows, JSON_REAL_PRECISION(17) | JSON_INDENT(2));
            ok = s && fputs(s, f) >= 0 && fputc('\n', f) != EOF;
            free(s);
        }
        json_decref(rows);
    }
    if (cli_close_out(f, out, ok, &e) != 0 || !ok)
        return cli_fail(&e);
    return CLI_OK;
}

/* The import's summary: what was stored, and the sources passed over. */
static json_t *import_summary(const char *path, const struct qdpx_project *p)
{
    size_t nsel = 0, ncod = 0, ssel = 0, scod = 0;
    for (size_t i = 0; i < p->nsources; i++)
        for (size_t j = 0; j < p->sources[i].nselections; j++, nsel++)
            ncod += p->sources[i].selections[j].ncodings;
    json_t *skipped = json_array();
    for (size_t i = 0; skipped && i < p->nskipped; i++) {
        const struct qdpx_skipped *k = &p->skipped[i];
        ssel += k->nselections;
        scod += k->ncodings;
        json_array_append_new(skipped, json_pack("{s:s?, s:s, s:s, s:I, s:I}", "name", k->name,
                                                 "kind", k->kind, "guid", k->guid,
                                                 "selections", (json_int_t)k->nselections,
                                                 "codings", (json_int_t)k->ncodings));
    }
    return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I}", "file", path,
                     "codebook", p->codebook.name, "codebook_version", p->codebook.version,
                     "codes", (json_int_t)p->codebook.ncodes, "users", (json_int_t)p->nusers,
                     "sources", (json_int_t)p->nsources, "selections", (json_int_t)nsel,
                     "codings", (json_int_t)ncod, "skipped_sources", skipped,
                     "skipped_selections", (json_int_t)ssel, "skipped_codings",
                     (json_int_t)scod);
}

/* A name from a file, on one line: control characters as '?', at most
** NAME_SHOWN bytes (cut at a character's start) and "..." after. */
#define NAME_SHOWN 200
static void print_name(FILE *f, const char *s)
{
    size_t n = strlen(s), take = n;
    if (take > NAME_SHOWN) {
        take = NAME_SHOWN;
        while (take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80)
            take--;
    }
    for (size_t i = 0; i < take; i++) {
        unsigned char ch = (unsigned char)s[i];
        fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
    }
    if (take < n)
        fputs("...", f);
}

/* On stderr: the sources --text-only passed over, one line each. */
static void report_skipped(const struct qdpx_project *p, json_t *sum)
{
    if (p->nskipped == 0)
        return;
    fprintf(stderr, "skipped %zu source%s that %s not text%s, with %lld selection%s and %lld "
            "coding%s on them:\n", p->nskipped, p->nskipped == 1 ? "" : "s",
            p->nskipped == 1 ? "is" : "are", p->nskipped == 1 ? "" : "s",
            json_integer_value(json_object_get(sum, "skipped_selections")),
            json_integer_value(json_object_get(sum, "skipped_selections")) == 1 ? "" : "s",
            json_integer_value(json_object_get(sum, "skipped_codings")),
            json_integer_value(json_object_get(sum, "skipped_codings")) == 1 ? "" : "s");
    for (size_t i = 0; i < p->nskipped; i++) {
        const struct qdpx_skipped *k = &p->skipped[i];
        fprintf(stderr, "  %s '", k->kind);
        print_name(stderr, k->name ? k->name : k->guid);
        fprintf(stderr, "': %zu selection%s, %zu coding%s\n", k->nselections,
                k->nselections == 1 ? "" : "s", k->ncodings, k->ncodings == 1 ? "" : "s");
    }
}

static int coding_import(struct cli *c, int argc, char **argv)
{
    const char *name = "imported";
    unsigned flags = 0;
    int json = 0, text_only = 0, first;
    const struct cli_opt opts[] = {
        {"codebook", CLI_STR, &name, 0, 0, "NAME", "the codebook's name (default imported)",
         NULL},
        {"text-only", CLI_FLAG, &text_only, 0, 0, NULL, "import the text sources only", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print the summary as JSON", NULL},
        {0}};
    int prc = cli_parse_opts("coding import", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (text_only)
        flags |= QDPX_TEXT_ONLY;
    if (first != argc - 1)
        return cli_usage_error("coding import", "give exactly one FILE.qdpx");
    const char *path = argv[first];
    duet_err e;
    struct qdpx_project p;
    if (qdpx_read_file_with(path, name, flags, &p, &e) != 0)
        return cli_fail(&e);
    struct store *st = cli_store(c);
    int rc = st ? store_qdpx_import(st, &p, &e) : -1;
    json_t *sum = rc == 0 ? import_summary(path, &p) : NULL;
    int out = CLI_OK;
    if (rc == 0 && sum == NULL)
        out = cli_failf("out of memory");
    else if (rc == 0) {
        report_skipped(&p, sum);
        if (json)
            out = cli_print_json(stdout, json_incref(sum));
        else
            printf("imported %s: codebook '%s' version %d (%zu codes), %zu users, %zu sources, "
                   "%lld selections\n", path, p.codebook.name, p.codebook.version,
                   p.codebook.ncodes, p.nusers, p.nsources,
                   json_integer_value(json_object_get(sum, "selections")));
    }
    json_decref(sum);
    qdpx_free(&p);
    if (st == NULL)
        return CLI_EUSER;
    return rc == 0 ? out : cli_fail(&e);
}

int cmd_coding(struct cli *c, int argc, char **argv)
{
    static const struct cli_sub subs[] = {
        {"documents", coding_documents,
         "documents [--cohort C] [--coder PERSON] [--json]\n"
         "  Lists the codable documents: reflections their authors shared with the\n"
         "  programme (research consent in force), observers' notes on partnerships\n"
         "  whose members all consent to research, and imported texts. Authors appear\n"
         "  as pseudonyms. 'selections' counts the coder's (default: everyone's).\n"},
        {"show", coding_show,
         "show KIND ID [--coder PERSON] [--json]\n"
         "  One document (KIND: reflection, observation or imported), its text and its\n"
         "  selections with their codes (only PERSON's with --coder).\n"},
        {"add", coding_add,
         "add KIND ID START END CODE... --coder PERSON\n"
         "  PERSON (who has an account) applies the codes (GUIDs, see 'duet codebook\n"
         "  show NAME --json') to the passage from character START to END (Unicode\n"
         "  code points from 0, END excluded). Prints the selection's GUID.\n"},
        {"remove", coding_remove,
         "remove SELECTION --coder PERSON\n"
         "  Removes one of PERSON's selections and its codings.\n"},
        {"blind", coding_blind,
         "blind [on|off]\n"
         "  Shows or sets blind coding: while on (the default), each coder sees only\n"
         "  their own codings in the web app; 'off' reveals everyone's to everyone.\n"},
        {"coders", coding_coders, "coders [--json]\n  Lists coders and how much each coded.\n"},
        {"memo", coding_memo,
         "memo KIND ID [--text TEXT [--coding GUID]] [--json]\n"
         "  Adds a memo to a document (or to one of its codings), then lists the\n"
         "  document's memos.\n"},
        {"export", coding_export,
         "export [--cohort C] [--csv [--exact] | --qdpx] [--names] [--out FILE]\n"
         "  Writes every coding of the codable documents: JSON (default) or CSV, one\n"
         "  row per code applied to a passage, with the passage's text; or with --qdpx\n"
         "  a REFI-QDA project (codebook, coders, documents as text sources, selections,\n"
         "  codings, a case per partnership) for NVivo, ATLAS.ti, MAXQDA, QualCoder.\n"
         "  People are named by pseudonym (P03-L1): authors, and every member's full\n"
         "  display name in the texts and passages. --names keeps the names as written\n"
         "  (--pseudonymise, the default, is still accepted). CSV cells that a\n"
         "  spreadsheet would run as formulas (starting with = + - @, tab or CR) get a\n"
         "  ' in front; --exact writes every cell as it is, for programs.\n"},
        {"import", coding_import,
         "import FILE.qdpx [--codebook NAME] [--text-only] [--json]\n"
         "  Imports a REFI-QDA project: its codebook (named NAME, default 'imported',\n"
         "  unless duet wrote it), its users as coders, its text sources, selections\n"
         "  and codings. An invalid file is refused whole and nothing is stored. A\n"
         "  project holding pictures, PDFs, audio or video is refused, unless\n"
         "  --text-only: then those sources, with their selections and codings, are\n"
         "  skipped and listed on stderr (and under skipped_sources with --json).\n"},
    };
    return cli_dispatch(c, "coding", "Coding passages of reflections and observers' notes.",
                        subs, sizeof subs / sizeof subs[0], argc, argv);
}

/* ---- duet analyse agreement ---- */

static void print_agreement(json_t *r)
{
    char buf[64];
    printf("coders: ");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "coders"), i, x)
        printf("%s%s", i ? ", " : "", json_string_value(x));
    printf("\ndocuments coded: %lld (by two coders or more: %lld); units (segments): %lld\n\n",
           json_integer_value(json_object_get(r, "documents")),
           json_integer_value(json_object_get(r, "documents_shared")),
           json_integer_value(json_object_get(r, "units")));
    printf("%-36s %8s %10s %9s %8s\n", "code", "alpha", "agreement", "pairable", "applied");
    json_t *all = json_object_get(r, "all_codes");
    json_array_foreach(json_object_get(r, "codes"), i, x) {
        json_t *a = json_object_get(x, "alpha"), *p = json_object_get(x, "percent_agreement");
        snprintf(buf, sizeof buf, "%.3f", json_number_value(a));
        printf("%-36.36s %8s ", json_string_value(json_object_get(x, "name")),
               json_is_null(a) ? "-" : buf);
        snprintf(buf, sizeof buf, "%.1f%%", 100 * json_number_value(p));
        printf("%10s %9lld %8lld\n", json_is_null(p) ? "-" : buf,
               json_integer_value(json_object_get(x, "units_pairable")),
               json_integer_value(json_object_get(x, "units_applied")));
    }
    json_t *a = json_object_get(all, "alpha"), *p = json_object_get(all, "percent_agreement");
    snprintf(buf, sizeof buf, "%.3f", json_number_value(a));
    printf("%-36s %8s ", "(all codes)", json_is_null(a) ? "-" : buf);
    snprintf(buf, sizeof buf, "%.1f%%", 100 * json_number_value(p));
    printf("%10s %9lld\n", json_is_null(p) ? "-" : buf,
           json_integer_value(json_object_get(all, "units_pairable")));
    printf("\n'-': undefined (see --json for why: e.g. every coder gave the same value).\n");
}

int cmd_analyse_agreement(struct cli *c, int argc, char **argv)
{
    struct intercoder_opts o = {0};
    const char *list = NULL;
    int json = 0, first;
    const struct cli_opt opts[] = {
        {"cohort", CLI_STR, &o.cohort, 0, 0, "C", "only this cohort", NULL},
        {"coders", CLI_STR, &list, 0, 0, "A,B", "only these coders", NULL},
        {"json", CLI_FLAG, &json, 0, 0, NULL, "print JSON", NULL},
        {0}};
    int prc = cli_parse_opts("analyse agreement", "", opts, argc, argv, &first);
    if (prc >= 0)
        return prc;
    if (first != argc)
        return cli_usage_error("analyse agreement", "unexpected argument '%s'", argv[first]);
    char *copy = NULL;
    const char *names[INTERCODER_MAX_CODERS];
    if (list) {
        if (strlen(list) > MAX_CODERS_ARG || (copy = strdup(list)) == NULL)
            return cli_usage_error("analyse agreement", "--coders is too long");
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (o.ncoders == INTERCODER_MAX_CODERS) {
                free(copy);
                return cli_usage_error("analyse agreement", "at most %d coders",
                                       INTERCODER_MAX_CODERS);
            }
            names[o.ncoders++] = t;
        }
        o.coders = names;
    }
    struct store *st = cli_store(c);
    duet_err e;
    json_t *r = st ? intercoder_report(st, &o, &e) : NULL;
    free(copy);
    if (st == NULL)
        return CLI_EUSER;
    if (r == NULL)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, r);
    print_agreement(r);
    json_decref(r);
    return CLI_OK;
}
