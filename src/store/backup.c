/*
** backup.c — consistent copies of a live database, and putting one back.
**
** A backup is made with SQLite's online backup API from a read transaction
** held open on the source for the whole copy: the copy is the database as
** it was when that transaction began, while other connections (a running
** server) go on reading and writing it (in WAL mode a reader blocks no
** one). Pages are copied in steps of BACKUP_STEP_PAGES; a step that finds
** the source or the copy busy or locked is retried. The copy is written to
** FILE.tmp (mode 0600, rollback-journal mode, so it is one self-contained
** file), synced, and only then renamed to FILE.
**
** A restore first copies the file beside the target and checks that copy —
** integrity, foreign keys, schema version, audit chain — so what is checked
** is exactly what is installed; then it takes an exclusive lock on the
** target (which fails while any other process has it open, a server
** included), folds the target's write-ahead log in and removes it, and
** renames the checked copy over the target. Nothing is changed before every
** check has passed.
*/
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_STEP_PAGES 256           /* pages per sqlite3_backup_step */
#define BACKUP_BUSY_MS (30 * 1000)      /* how long to retry a busy or locked step */
#define BACKUP_RETRY_MS 20
#define PATH_MAX_BYTES 4096

/* ---- files ---- */

static int path_join(char *out, size_t n, const char *a, const char *b, duet_err *e)
{
    if ((size_t)snprintf(out, n, "%s%s", a, b) >= n)
        return duet_errf(e, DUET_EINPUT, "the path '%.200s…' is too long", a);
    return 0;
}

/* Removes path's -journal, -wal and -shm (those that exist). */
static void remove_sidecars(const char *path)
{
    static const char *const sfx[] = {"-journal", "-wal", "-shm"};
    char side[PATH_MAX_BYTES + 16];
    for (int i = 0; i < 3; i++) {
        snprintf(side, sizeof side, "%s%s", path, sfx[i]);
        unlink(side);
    }
}

/* Syncs the folder holding path, so a rename in it is on disk. */
static int sync_dir_of(const char *path, duet_err *e)
{
    char copy[PATH_MAX_BYTES];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return duet_errf(e, DUET_EIO, "cannot open the folder of '%s': %s", path, strerror(errno));
    int rc = fsync(fd);
    close(fd);
    if (rc != 0 && errno != EINVAL)   /* some file systems cannot sync a folder */
        return duet_errf(e, DUET_EIO, "cannot sync the folder of '%s': %s", path, strerror(errno));
    return 0;
}

static int sync_file(const char *path, duet_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return duet_errf(e, DUET_EIO, "cannot sync '%s': %s", path, strerror(err));
    }
    close(fd);
    return 0;
}

/* Renames from to to; without replace, refuses (DUET_ECONFLICT) when to
** exists, atomically where the file system allows. */
static int move_into_place(const char *from, const char *to, int replace, duet_err *e)
{
    if (replace) {
        if (rename(from, to) != 0)
            return duet_errf(e, DUET_EIO, "cannot rename '%s' to '%s': %s", from, to,
                             strerror(errno));
        return 0;
    }
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return duet_errf(e, DUET_ECONFLICT, "'%s' exists; choose another name or add --force "
                         "to replace it", to);
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return duet_errf(e, DUET_EIO, "cannot rename '%s' to '%s': %s", from, to,
                         strerror(errno));
    /* No RENAME_NOREPLACE here: a hard link refuses an existing name too. */
    if (link(from, to) == 0) {
        unlink(from);
        return 0;
    }
    if (errno == EEXIST)
        return duet_errf(e, DUET_ECONFLICT, "'%s' exists; choose another name or add --force "
                         "to replace it", to);
    return duet_errf(e, DUET_EIO, "cannot rename '%s' to '%s': %s", from, to, strerror(errno));
}

/* Copies the bytes of from into the open file out (synced). */
static int copy_bytes(const char *from, int out, const char *out_name, int64_t *bytes,
                      duet_err *e)
{
    enum { BUF = 1 << 20 };
    char *buf = malloc(BUF);
    if (buf == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        free(buf);
        return duet_errf(e, DUET_EIO, "cannot open '%s': %s", from, strerror(errno));
    }
    int64_t total = 0;
    int rc = 0;
    while (rc == 0) {
        ssize_t n = read(in, buf, BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = duet_errf(e, DUET_EIO, "cannot read '%s': %s", from, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n && rc == 0;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                rc = duet_errf(e, DUET_EIO, "cannot write '%s': %s", out_name, strerror(errno));
            else
                off += w;
        }
        total += n;
    }
    close(in);
    free(buf);
    if (rc == 0 && fsync(out) != 0)
        rc = duet_errf(e, DUET_EIO, "cannot sync '%s': %s", out_name, strerror(errno));
    if (rc == 0)
        *bytes = total;
    return rc;
}

/* ---- a plain connection ---- */

static int conn_exec(sqlite3 *db, const char *sql, const char *what, duet_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        duet_errf(e, DUET_EIO, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int64_t conn_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Runs the audit check of the store on a plain connection. */
static int conn_audit(sqlite3 *db, struct store_audit_report *ar, duet_err *e)
{
    struct store *st = calloc(1, sizeof *st);
    if (st == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    st->db = db;
    int rc = store_audit_verify(st, ar, e);
    free(st);
    return rc;
}

/* ---- backup ---- */

int store_backup(struct store *st, const char *path, int force, struct store_backup_report *r,
                 duet_err *e)
{
    memset(r, 0, sizeof *r);
    if (path == NULL || *path == '\0')
        return duet_errf(e, DUET_EINPUT, "name the file to write the backup to");
    if (st->depth > 0)
        return duet_errf(e, DUET_EINTERNAL, "a backup cannot run inside a transaction");
    struct stat to, self;
    if (stat(path, &to) == 0) {
        if (stat(st->path, &self) == 0 && to.st_dev == self.st_dev && to.st_ino == self.st_ino)
            return duet_errf(e, DUET_EINPUT, "'%s' is the database itself; name another file",
                             path);
        if (S_ISDIR(to.st_mode))
            return duet_errf(e, DUET_EINPUT, "'%s' is a folder; name a file in it", path);
        if (!force)
            return duet_errf(e, DUET_ECONFLICT, "'%s' exists; choose another name or add "
                             "--force to replace it", path);
    }
    char tmp[PATH_MAX_BYTES];
    if (path_join(tmp, sizeof tmp, path, ".tmp", e) != 0)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return duet_errf(e, DUET_ECONFLICT, "'%s' exists: another backup is being written, or "
                         "one was stopped; remove it if none is running", tmp);
    if (fd < 0)
        return duet_errf(e, DUET_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    fchmod(fd, 0600);   /* whatever the umask: a backup holds personal data */
    close(fd);

    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int ok = 0, in_read = 0;
    if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        duet_errf(e, DUET_EIO, "cannot open '%s': %s", tmp,
                  dst ? sqlite3_errmsg(dst) : "out of memory");
        goto done;
    }
    /* The copy is discarded unless it is finished, so it needs no journal
    ** while it is written; it is synced once at the end. */
    if (conn_exec(dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;", tmp, e) != 0)
        goto done;
    /* One read transaction for the whole copy: one consistent snapshot. */
    if (conn_exec(st->db, "BEGIN; SELECT count(*) FROM sqlite_schema;",
                  "starting to read the database", e) != 0)
        goto done;
    in_read = 1;
    b = sqlite3_backup_init(dst, "main", st->db, "main");
    if (b == NULL) {
        duet_errf(e, DUET_EIO, "starting the backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    int rc, waited = 0;
    while ((rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES)) != SQLITE_DONE) {
        if (rc == SQLITE_OK) {
            r->steps++;
            continue;
        }
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waited < BACKUP_BUSY_MS) {
            r->retries++;
            sqlite3_sleep(BACKUP_RETRY_MS);
            waited += BACKUP_RETRY_MS;
            continue;
        }
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            duet_errf(e, DUET_EIO, "the database stayed busy for %d s; try again",
                      BACKUP_BUSY_MS / 1000);
        else
            duet_errf(e, DUET_EIO, "copying the database: %s", sqlite3_errstr(rc));
        goto done;
    }
    r->steps++;
    r->pages = sqlite3_backup_pagecount(b);
    rc = sqlite3_backup_finish(b);
    b = NULL;
    if (rc != SQLITE_OK) {
        duet_errf(e, DUET_EIO, "finishing the backup: %s", sqlite3_errmsg(dst));
        goto done;
    }
    conn_exec(st->db, "COMMIT", "ending the read", NULL);
    in_read = 0;
    /* The pages came from a WAL database; make the copy a plain one. */
    if (conn_exec(dst, "PRAGMA journal_mode = DELETE", tmp, e) != 0)
        goto done;
    r->page_size = conn_int(dst, "PRAGMA page_size");
    r->schema_version = (int)conn_int(dst, "PRAGMA user_version");
    struct store_audit_report ar;
    if (conn_audit(dst, &ar, e) != 0)
        goto done;
    r->audit_entries = ar.entries;
    r->audit_first_bad = ar.first_bad;
    memcpy(r->audit_head, ar.head, sizeof r->audit_head);
    if (sqlite3_close(dst) != SQLITE_OK) {
        duet_errf(e, DUET_EIO, "closing '%s': %s", tmp, sqlite3_errmsg(dst));
        goto done;
    }
    dst = NULL;
    struct stat sb;
    if (sync_file(tmp, e) != 0 || stat(tmp, &sb) != 0)
        goto done;
    r->bytes = (int64_t)sb.st_size;
    if (move_into_place(tmp, path, force, e) != 0 || sync_dir_of(path, e) != 0)
        goto done;
    ok = 1;
done:
    if (b)
        sqlite3_backup_finish(b);
    if (in_read)
        conn_exec(st->db, "ROLLBACK", "ending the read", NULL);
    if (dst)
        sqlite3_close(dst);
    if (!ok) {
        unlink(tmp);
        remove_sidecars(tmp);
        return -1;
    }
    return 0;
}

/* ---- checking a backup ---- */

/* The schema rows of db (tables, indexes, views, triggers; SQLite's own
** left out): "type name" and the SQL of each, as a JSON object. */
static json_t *schema_rows(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT type || ' ' || name, coalesce(sql, '') FROM "
                               "sqlite_schema WHERE name NOT LIKE 'sqlite_%'", -1, &s,
                           NULL) != SQLITE_OK)
        return NULL;
    json_t *rows = json_object();
    while (rows && sqlite3_step(s) == SQLITE_ROW)
        json_object_set_new(rows, (const char *)sqlite3_column_text(s, 0),
                            json_string((const char *)sqlite3_column_text(s, 1)));
    sqlite3_finalize(s);
    return rows;
}

/* Whether db's schema is exactly what this duet's migrations make at
** version: nothing missing, added or changed (the audit log's triggers
** included). */
static int schema_matches(sqlite3 *db, int version, const char *name, duet_err *e)
{
    sqlite3 *ref = NULL;
    json_t *want = NULL, *have = NULL;
    int ok = 0;
    if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        duet_errf(e, DUET_EINTERNAL, "out of memory");
        goto done;
    }
    for (int v = 1; v <= version; v++)
        if (conn_exec(ref, db_migration_sql(v), "building the reference schema", e) != 0)
            goto done;
    want = schema_rows(ref);
    have = schema_rows(db);
    if (want == NULL || have == NULL) {
        duet_errf(e, DUET_EIO, "reading the schema of '%s': %s", name, sqlite3_errmsg(db));
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(want, key, v) {
        json_t *got = json_object_get(have, key);
        if (got == NULL || !json_equal(got, v)) {
            duet_errf(e, DUET_EINPUT, "'%s' does not have the schema of version %d: %s is %s",
                      name, version, key, got ? "changed" : "missing");
            goto done;
        }
    }
    json_object_foreach(have, key, v) {
        if (json_object_get(want, key) == NULL) {
            duet_errf(e, DUET_EINPUT, "'%s' does not have the schema of version %d: %s is not "
                      "duet's", name, version, key);
            goto done;
        }
    }
    ok = 1;
done:
    json_decref(want);
    json_decref(have);
    sqlite3_close(ref);
    return ok ? 0 : -1;
}

/* Checks the database at copy (a private file, opened read-write: it is
** turned into rollback-journal mode); name is what messages call it. */
static int check_copy(const char *copy, const char *name, struct store_restore_report *r,
                      duet_err *e)
{
    sqlite3 *db = NULL;
    int ok = 0;
    if (sqlite3_open_v2(copy, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        duet_errf(e, DUET_EIO, "cannot open a copy of '%s': %s", name,
                  db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc == SQLITE_NOTADB) {
        duet_errf(e, DUET_EINPUT, "'%s' is not an SQLite database", name);
        goto done;
    }
    if (rc != SQLITE_OK) {
        duet_errf(e, DUET_EINPUT, "'%s' is damaged: %s", name, sqlite3_errmsg(db));
        goto done;
    }
    /* Structure: every page, index and constraint. */
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &s, NULL) != SQLITE_OK) {
        duet_errf(e, DUET_EINPUT, "'%s' is damaged: %s", name, sqlite3_errmsg(db));
        goto done;
    }
    rc = sqlite3_step(s);
    const char *first = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
    if (first == NULL || strcmp(first, "ok") != 0) {
        duet_errf(e, DUET_EINPUT, "'%s' is damaged (integrity check): %.300s", name,
                  first ? first : sqlite3_errmsg(db));
        sqlite3_finalize(s);
        goto done;
    }
    sqlite3_finalize(s);
    /* A duet database this duet can open. */
    int version = (int)conn_int(db, "PRAGMA user_version");
    if (version < 1 || conn_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                    "AND name IN ('audit', 'audit_payload')") != 2) {
        duet_errf(e, DUET_EINPUT, "'%s' is not a duet database", name);
        goto done;
    }
    if (version > db_schema_latest()) {
        duet_errf(e, DUET_EINPUT, "'%s' has schema version %d but this duet knows only up to "
                  "%d; restore it with a newer duet", name, version, db_schema_latest());
        goto done;
    }
    if (schema_matches(db, version, name, e) != 0)
        goto done;
    /* References: every foreign key points at a row. */
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK) {
        duet_errf(e, DUET_EINPUT, "'%s' is damaged: %s", name, sqlite3_errmsg(db));
        goto done;
    }
    int64_t bad = 0;
    char where[160] = "";
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (bad++ == 0)
            snprintf(where, sizeof where, "table %s row %lld",
                     (const char *)sqlite3_column_text(s, 0),
                     (long long)sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        duet_errf(e, DUET_EINPUT, "'%s' is damaged: %s", name, sqlite3_errmsg(db));
        goto done;
    }
    if (bad) {
        duet_errf(e, DUET_EINPUT, "'%s' has %lld row%s whose references point at nothing "
                  "(the first: %s)", name, (long long)bad, bad == 1 ? "" : "s", where);
        goto done;
    }
    /* History: the audit chain is intact. */
    struct store_audit_report ar;
    if (conn_audit(db, &ar, e) != 0) {
        duet_err_prefix(e, "'%s'", name);
        goto done;
    }
    if (ar.first_bad) {
        duet_errf(e, DUET_EINPUT, "the audit log of '%s' is broken at entry %lld of %lld: it "
                  "was changed after it was written", name, (long long)ar.first_bad,
                  (long long)ar.entries);
        goto done;
    }
    r->schema_version = version;
    r->pages = conn_int(db, "PRAGMA page_count");
    r->page_size = conn_int(db, "PRAGMA page_size");
    r->audit_entries = ar.entries;
    r->erased_payloads = ar.erased_payloads;
    memcpy(r->audit_head, ar.head, sizeof r->audit_head);
    ok = 1;
done:
    if (db && sqlite3_close(db) != SQLITE_OK && ok) {
        duet_errf(e, DUET_EIO, "closing a copy of '%s'", name);
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* The backup file, checked for what must hold before copying it. */
static int backup_file_ok(const char *file, struct stat *sb, duet_err *e)
{
    if (file == NULL || *file == '\0')
        return duet_errf(e, DUET_EINPUT, "name the backup file to restore");
    if (stat(file, sb) != 0)
        return duet_errf(e, errno == ENOENT ? DUET_ENOTFOUND : DUET_EIO, "'%s': %s", file,
                         strerror(errno));
    if (!S_ISREG(sb->st_mode))
        return duet_errf(e, DUET_EINPUT, "'%s' is not a file", file);
    char wal[PATH_MAX_BYTES + 8];
    struct stat ws;
    if (path_join(wal, sizeof wal, file, "-wal", e) != 0)
        return -1;
    if (stat(wal, &ws) == 0 && ws.st_size > 0)
        return duet_errf(e, DUET_EINPUT, "'%s' has a write-ahead log beside it ('%s'): it is a "
                         "database in use, not a backup; make a backup of it with "
                         "'duet backup'", file, wal);
    return 0;
}

/* A private copy of file in folder dir: *out_path (PATH_MAX_BYTES). */
static int private_copy(const char *file, const char *dir, const char *stem, char *out_path,
                        int64_t *bytes, duet_err *e)
{
    if ((size_t)snprintf(out_path, PATH_MAX_BYTES, "%s/.%s.restore-XXXXXX", dir, stem) >=
        PATH_MAX_BYTES)
        return duet_errf(e, DUET_EINPUT, "the path '%.200s…' is too long", dir);
    int fd = mkstemp(out_path);   /* mode 0600 */
    if (fd < 0)
        return duet_errf(e, DUET_EIO, "cannot create a file in '%s': %s", dir, strerror(errno));
    int rc = copy_bytes(file, fd, out_path, bytes, e);
    if (close(fd) != 0 && rc == 0)
        rc = duet_errf(e, DUET_EIO, "cannot write '%s': %s", out_path, strerror(errno));
    if (rc != 0)
        unlink(out_path);
    return rc;
}

int store_backup_check(const char *file, const char *scratch_dir,
                       struct store_restore_report *r, duet_err *e)
{
    memset(r, 0, sizeof *r);
    struct stat sb;
    if (backup_file_ok(file, &sb, e) != 0)
        return -1;
    char copy[PATH_MAX_BYTES];
    if (private_copy(file, scratch_dir && *scratch_dir ? scratch_dir : "/tmp", "duet-check",
                     copy, &r->bytes, e) != 0)
        return -1;
    int rc = check_copy(copy, file, r, e);
    unlink(copy);
    remove_sidecars(copy);
    return rc;
}

/* ---- restore ---- */

/* Takes the target for ourselves: an exclusive lock (refused while another
** process has the database open), its write-ahead log folded in and
** removed. *held is the connection holding the lock (close it after the
** rename). */
static int take_target(const char *db_path, sqlite3 **held, duet_err *e)
{
    sqlite3 *db = NULL;
    *held = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        duet_errf(e, DUET_EIO, "cannot open '%s': %s", db_path,
                  db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 0);
    char *msg = NULL;
    int rc = sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;",
                          NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        sqlite3_close(db);
        return duet_errf(e, DUET_ECONFLICT, "'%s' is in use by another program (is 'duet "
                         "serve' running on it?); stop it, then restore", db_path);
    }
    if (rc == SQLITE_NOTADB) {
        sqlite3_close(db);
        return duet_errf(e, DUET_EINPUT, "'%s' is not an SQLite database; move it away, then "
                         "restore", db_path);
    }
    if (rc != SQLITE_OK ||
        conn_exec(db, "PRAGMA journal_mode = DELETE", "folding in the write-ahead log of the "
                  "database being replaced", e) != 0) {
        if (rc != SQLITE_OK)
            duet_errf(e, DUET_EIO, "'%s': %s", db_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    *held = db;
    return 0;
}

int store_restore(const char *file, const char *db_path, int force,
                  struct store_restore_report *r, duet_err *e)
{
    memset(r, 0, sizeof *r);
    struct stat sb, tb;
    if (backup_file_ok(file, &sb, e) != 0)
        return -1;
    if (db_path == NULL || *db_path == '\0' || strcmp(db_path, ":memory:") == 0)
        return duet_errf(e, DUET_EINPUT, "name the database file to restore into");
    int exists = stat(db_path, &tb) == 0;
    if (exists && tb.st_dev == sb.st_dev && tb.st_ino == sb.st_ino)
        return duet_errf(e, DUET_EINPUT, "'%s' is the database itself", file);
    if (exists && !S_ISREG(tb.st_mode))
        return duet_errf(e, DUET_EINPUT, "'%s' is not a file", db_path);
    if (exists && !force)
        return duet_errf(e, DUET_ECONFLICT, "'%s' exists; add --force to replace it (make a "
                         "backup of it first)", db_path);
    char dirbuf[PATH_MAX_BYTES], basebuf[PATH_MAX_BYTES], copy[PATH_MAX_BYTES];
    snprintf(dirbuf, sizeof dirbuf, "%s", db_path);
    snprintf(basebuf, sizeof basebuf, "%s", db_path);
    const char *dir = dirname(dirbuf), *base = basename(basebuf);
    if (private_copy(file, dir, base, copy, &r->bytes, e) != 0)
        return -1;
    sqlite3 *held = NULL;
    int ok = 0;
    if (check_copy(copy, file, r, e) != 0 || sync_file(copy, e) != 0)
        goto done;
    if (exists)
        chmod(copy, tb.st_mode & 0777);   /* as the database it replaces; a new one stays 0600 */
    if (exists && take_target(db_path, &held, e) != 0)
        goto done;
    /* Whatever is beside the target belongs to the database being replaced
    ** (its log is folded in by now) or to none: left there, SQLite would
    ** apply it to the restored one. */
    remove_sidecars(db_path);
    if (move_into_place(copy, db_path, 1, e) != 0 || sync_dir_of(db_path, e) != 0)
        goto done;
    r->replaced = exists;
    ok = 1;
done:
    if (held)
        sqlite3_close(held);
    if (!ok) {
        unlink(copy);
        remove_sidecars(copy);
        return -1;
    }
    return 0;
}
