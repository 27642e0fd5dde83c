/*
** cmd_backup.c — `duet backup FILE` and `duet restore FILE`.
*/
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"

static const char backup_usage[] =
    "usage: duet backup FILE [--force] [--json]\n\n"
    "Writes a consistent copy of the database (--db) to FILE while it is in use:\n"
    "a running server goes on reading and writing, and the copy is the database\n"
    "as it was when the backup began. The copy is written to FILE.tmp (readable by\n"
    "its owner only), synced, and renamed to FILE when complete; then its audit\n"
    "chain is verified. Restore it with 'duet restore FILE'.\n\n"
    "Exits 1 if the copy's audit log is broken (the copy is kept). See\n"
    "docs/operations.md for scheduling backups.\n";

static const char restore_usage[] =
    "usage: duet restore FILE [--force] [--json]\n"
    "       duet restore --check FILE [--json]\n\n"
    "Replaces the database (--db) by the backup FILE, after checking a copy of FILE:\n"
    "PRAGMA integrity_check and foreign_key_check, a schema version this duet\n"
    "knows, and an intact audit chain. Nothing is changed unless every check\n"
    "passes. The copy is made beside the database, synced and renamed over it;\n"
    "the old database's -wal and -shm files are folded in and removed.\n\n"
    "Stop 'duet serve' first: a database that another program has open is not\n"
    "replaced.\n";

/* FILE and the flags (--check only for restore); an exit code (--help, a
** usage error), or -1 to go on. */
static int parse(int argc, char **argv, const char *cmd, const char *usage, int with_check,
                 const char **file, int *force, int *check, int *json)
{
    *force = *check = *json = 0;
    const struct cli_opt opts[] = {
        {"force", CLI_FLAG, force, 0, 0, NULL,
         with_check ? "replace the database if it exists (otherwise that is refused)"
                    : "replace FILE if it exists (otherwise that is refused)", NULL},
        {"json", CLI_FLAG, json, 0, 0, NULL, "print the summary as JSON", NULL},
        {with_check ? "check" : NULL, CLI_FLAG, check, 0, 0, NULL,
         "only check FILE (on a copy in $TMPDIR); change nothing", NULL},
        {0}};
    int first, rc = cli_parse_opts(cmd, usage, opts, argc, argv, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc)
        return cli_usage_error(cmd, "name the backup file");
    if (first + 1 < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[first + 1]);
    *file = argv[first];
    if (**file == '\0')
        return cli_usage_error(cmd, "the backup file name is empty");
    if (*check && *force)
        return cli_usage_error(cmd, "--check changes nothing; it does not go with --force");
    return -1;
}

int cmd_backup(struct cli *c, int argc, char **argv)
{
    const char *file;
    int force, check, json;
    int rc = parse(argc, argv, "backup", backup_usage, 0, &file, &force, &check, &json);
    if (rc >= 0)
        return rc;
    struct store *st = cli_store(c);
    if (st == NULL)
        return CLI_EUSER;
    struct store_backup_report r;
    duet_err e;
    if (store_backup(st, file, force, &r, &e) != 0)
        return cli_fail(&e);
    if (json) {
        rc = cli_print_json(stdout, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:i, s:I, "
                                              "s:b, s:I, s:s}",
                                              "file", file, "database", c->db_path, "pages",
                                              (json_int_t)r.pages, "page_size",
                                              (json_int_t)r.page_size, "bytes",
                                              (json_int_t)r.bytes, "steps", (json_int_t)r.steps,
                                              "retries", (json_int_t)r.retries,
                                              "schema_version", r.schema_version,
                                              "audit_entries", (json_int_t)r.audit_entries,
                                              "audit_intact", r.audit_first_bad == 0,
                                              "audit_first_bad",
                                              (json_int_t)r.audit_first_bad, "audit_head",
                                              r.audit_head));
        if (rc != CLI_OK)
            return rc;
    } else {
        printf("backed up %s to %s: %lld pages of %lld bytes (%lld bytes), schema version %d\n",
               c->db_path, file, (long long)r.pages, (long long)r.page_size, (long long)r.bytes,
               r.schema_version);
        if (r.audit_first_bad == 0)
            printf("audit log intact: %lld entries, head %s\n", (long long)r.audit_entries,
                   r.audit_head);
    }
    if (r.audit_first_bad)
        return cli_failf("the backup is written, but the audit log in it is broken at entry "
                         "%lld of %lld: it was changed after it was written ('duet restore' "
                         "will refuse this backup)", (long long)r.audit_first_bad,
                         (long long)r.audit_entries);
    return CLI_OK;
}

int cmd_restore(struct cli *c, int argc, char **argv)
{
    const char *file;
    int force, check, json;
    int rc = parse(argc, argv, "restore", restore_usage, 1, &file, &force, &check, &json);
    if (rc >= 0)
        return rc;
    struct store_restore_report r;
    duet_err e;
    if (check) {
        const char *tmp = getenv("TMPDIR");
        rc = store_backup_check(file, tmp && *tmp ? tmp : "/tmp", &r, &e);
    } else {
        rc = store_restore(file, c->db_path, force, &r, &e);
    }
    if (rc != 0)
        return cli_fail(&e);
    if (json)
        return cli_print_json(stdout, json_pack("{s:s, s:o, s:b, s:b, s:I, s:I, s:I, s:i, s:I, "
                                                "s:I, s:s}",
                                                "file", file, "database",
                                                check ? json_null() : json_string(c->db_path),
                                                "checked_only", check, "replaced", r.replaced,
                                                "pages", (json_int_t)r.pages, "page_size",
                                                (json_int_t)r.page_size, "bytes",
                                                (json_int_t)r.bytes, "schema_version",
                                                r.schema_version, "audit_entries",
                                                (json_int_t)r.audit_entries, "erased_payloads",
                                                (json_int_t)r.erased_payloads, "audit_head",
                                                r.audit_head));
    if (check)
        printf("%s is a sound backup: %lld pages of %lld bytes, schema version %d\n", file,
               (long long)r.pages, (long long)r.page_size, r.schema_version);
    else
        printf("restored %s from %s%s: %lld pages of %lld bytes, schema version %d\n",
               c->db_path, file, r.replaced ? " (the database that was there is replaced)" : "",
               (long long)r.pages, (long long)r.page_size, r.schema_version);
    printf("audit log intact: %lld entries (%lld payloads erased on withdrawal), head %s\n",
           (long long)r.audit_entries, (long long)r.erased_payloads, r.audit_head);
    return CLI_OK;
}
