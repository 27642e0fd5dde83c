/*
** testlib.c — the helpers the unit tests share (see testlib.h): temporary
** database files, reading a database or a file behind the code's back, and
** the common test world. Linked into every tests/unit/test_*.c binary.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

/* Writes the n bytes of data to fd; 0 or -1. */
static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w <= 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

int tl_temp_file(char *out, size_t cap, const char *tag, const char *suffix, const void *data,
                 size_t n)
{
    int len = snprintf(out, cap, "/tmp/duet-test-%s-XXXXXX%s", tag, suffix);
    if (len < 0 || (size_t)len >= cap)
        return -1;
    int fd = mkstemps(out, (int)strlen(suffix));
    if (fd < 0)
        return -1;
    int bad = write_all(fd, data, n);
    if (close(fd) != 0 || bad) {
        unlink(out);
        return -1;
    }
    return 0;
}

int tl_write_file(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return -1;
    int bad = write_all(fd, data, n);
    if (close(fd) != 0 || bad)
        return -1;
    return 0;
}

int tl_temp_path(char *out, size_t cap, const char *tag)
{
    return tl_temp_file(out, cap, tag, "", NULL, 0);
}

void tl_remove_db(const char *path)
{
    char side[256];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

long long tl_sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

int tl_sql_exec(const char *path, const char *sql, char *msg, size_t cap)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *m = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &m);
    if (msg)
        snprintf(msg, cap, "%s", m ? m : "");
    sqlite3_free(m);
    sqlite3_close(db);
    return rc;
}

extern const char migration_001_initial[], migration_002_accounts[], migration_003_drafts[],
    migration_004_qsorts[], migration_005_codebook[], migration_006_coding[];

void tl_old_db(const char *path, int version, const char *sql)
{
    static const char *const steps[] = {migration_001_initial, migration_002_accounts,
                                        migration_003_drafts, migration_004_qsorts,
                                        migration_005_codebook, migration_006_coding};
    if (version < 1 || version > (int)(sizeof steps / sizeof steps[0]))
        fail_msg("tl_old_db: no schema version %d", version);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int i = 0; i < version; i++)
        assert_int_equal(sqlite3_exec(db, steps[i], NULL, NULL, NULL), SQLITE_OK);
    if (sql != NULL)
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

char *tl_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (cap + 4096) * 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char tl_qset_tiny[] =
    "{\"format\": \"duet-qset/1\", \"name\": \"tiny\", \"version\": 1, \"title\": \"Tiny\","
    " \"dimensions\": ["
    "  {\"name\": \"voice\", \"label\": \"Voice\", \"lived_experience_pole\": \"Speak up\","
    "   \"system_pole\": \"Defer\"},"
    "  {\"name\": \"pace\", \"label\": \"Pace\", \"lived_experience_pole\": \"Now\","
    "   \"system_pole\": \"Carefully\"}],"
    " \"grid\": [{\"value\": -2, \"count\": 1}, {\"value\": -1, \"count\": 2},"
    "  {\"value\": 0, \"count\": 2}, {\"value\": 1, \"count\": 2}, {\"value\": 2, \"count\": 1}],"
    " \"statements\": ["
    "  {\"id\": \"a\", \"text\": \"A\", \"dimension\": \"voice\", \"polarity\": 1},"
    "  {\"id\": \"b\", \"text\": \"B\", \"dimension\": \"voice\", \"polarity\": -1},"
    "  {\"id\": \"c\", \"text\": \"C\", \"dimension\": \"voice\", \"polarity\": 1},"
    "  {\"id\": \"d\", \"text\": \"D\", \"dimension\": \"voice\", \"polarity\": -1},"
    "  {\"id\": \"e\", \"text\": \"E\", \"dimension\": \"pace\", \"polarity\": 1},"
    "  {\"id\": \"f\", \"text\": \"F\", \"dimension\": \"pace\", \"polarity\": -1},"
    "  {\"id\": \"g\", \"text\": \"G\", \"dimension\": \"pace\", \"polarity\": 1},"
    "  {\"id\": \"h\", \"text\": \"H\", \"dimension\": \"pace\", \"polarity\": -1}]}";

void tl_file_equals(const char *path, const char *text)
{
    char *got = tl_read_file(path, NULL);
    if (got == NULL)
        skip();
    assert_string_equal(got, text);
    free(got);
}

void tl_person(struct store *st, const char *key, const char *name, int consent)
{
    struct store_person p = {key, name ? name : key, NULL, NULL};
    OK(store_person_add(st, &p, NULL, e));
    if (consent)
        OK(store_consent_give(st, key, "research", "v1", e));
}

int tl_store_open(struct tl_world *w, const char *tag)
{
    w->st = NULL;
    if (tl_temp_path(w->path, sizeof w->path, tag) != 0) {
        fprintf(stderr, "tl_store_open: no temporary file for '%s'\n", tag);
        return -1;
    }
    duet_err e;
    if (store_open(w->path, &w->st, &e) != 0) {
        fprintf(stderr, "store_open: %s\n", e.msg);
        tl_remove_db(w->path);
        w->st = NULL;
        return -1;
    }
    store_set_actor(w->st, "tester");
    return 0;
}

int tl_world_open(struct tl_world *w, const char *tag, int nmodules)
{
    if (tl_store_open(w, tag) != 0)
        return -1;
    struct store *st = w->st;
    struct store_person lived = {TL_LIVED, "Amira K", "Org", NULL};
    struct store_person system = {TL_SYSTEM, "Sam T", "Org", NULL};
    struct store_member m[] = {{TL_LIVED, "patient_leader"}, {TL_SYSTEM, "commissioner"}};
    struct store_partnership p = {TL_COHORT, TL_PARTNERSHIP, "", "", 2, m};
    duet_err e;
    int rc = store_programme_add(st, TL_PROGRAMME, "", NULL, &e);
    if (rc == 0)
        rc = store_cohort_add(st, TL_PROGRAMME, TL_COHORT, "2026-01-15", NULL, &e);
    for (int k = 1; rc == 0 && k <= nmodules; k++)
        rc = store_module_add(st, TL_COHORT, k, NULL, NULL, NULL, &e);
    if (rc == 0)
        rc = store_person_add(st, &lived, NULL, &e);
    if (rc == 0)
        rc = store_person_add(st, &system, NULL, &e);
    if (rc == 0)
        rc = store_partnership_add(st, &p, NULL, &e);
    if (rc != 0) {
        fprintf(stderr, "tl_world_open: %s\n", e.msg);
        tl_world_close(w);
        return -1;
    }
    return 0;
}

void tl_world_close(struct tl_world *w)
{
    store_close(w->st);
    w->st = NULL;
    tl_remove_db(w->path);
}
