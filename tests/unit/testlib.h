/*
** testlib.h — the helpers the unit tests share: the OK and REFUSED checks,
** temporary database files, reading a database or a file behind the code's
** back, and a small test world (a store with a programme, a cohort, two
** people on the two sides and their partnership).
**
** The Makefile compiles testlib.c once per build folder and links it into
** every tests/unit/test_*.c binary. Include it after <cmocka.h> (and the
** headers cmocka needs before it). Every helper that can go wrong fails the
** running cmocka test itself (fail_msg or an assert), unless its contract
** says it returns an error instead: those are the ones a setup function
** calls, where a failing assert is not allowed.
*/
#ifndef DUET_TESTLIB_H
#define DUET_TESTLIB_H

#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

/* Runs call, which writes its error to a `duet_err *e` that the macro
** declares, and fails the test with the call's text and e->msg when it
** does not return 0. Write the call with `e` as its error argument:
** OK(store_cohort_add(st, "Alpha", "Cohort 1", NULL, NULL, e)). */
#define OK(call) do {                                                  \
        duet_err e_ = {0};                                             \
        duet_err *e = &e_;                                             \
        if ((call) != 0)                                               \
            fail_msg("%s failed: %s", #call, e_.msg);                  \
    } while (0)

/* Expects call (which writes to `e`, as for OK) to return -1 with error
** code want_code and exactly the message want_msg. */
#define REFUSED(call, want_code, want_msg) do {                        \
        duet_err e_ = {0};                                             \
        duet_err *e = &e_;                                             \
        assert_int_equal((call), -1);                                  \
        assert_string_equal(e_.msg, (want_msg));                       \
        assert_int_equal(e_.code, (want_code));                        \
    } while (0)

/* Writes a fresh, unique file name "/tmp/duet-test-TAG-XXXXXX" into out
** (cap bytes, at least 64) and creates the file, empty, so that no other
** test takes the name. Returns 0, or -1 (out unusable) when no file could
** be made: safe in a setup function. The caller removes the file
** (tl_remove_db removes a database and its side files). */
int tl_temp_path(char *out, size_t cap, const char *tag);

/* As tl_temp_path, with suffix (e.g. ".csv", or "") after the random part,
** and the file holding the n bytes of data. Returns 0, or -1 when the file
** could not be made or written (none is left behind then). The caller
** removes the file. */
int tl_temp_file(char *out, size_t cap, const char *tag, const char *suffix, const void *data,
                 size_t n);

/* Replaces what the existing file path holds with the n bytes of data.
** Returns 0, or -1 when the file cannot be opened or written. */
int tl_write_file(const char *path, const void *data, size_t n);

/* Removes the database file path and its SQLite side files (-wal, -shm);
** a file that does not exist is no error. */
void tl_remove_db(const char *path);

/* The first column of the first row of sql, as an integer, read from the
** database file path through a connection of the test's own (waiting up
** to 5 s for a lock). Fails the test when the file does not open, the SQL
** does not prepare (with SQLite's message) or gives no row. */
long long tl_sql_int(const char *path, const char *sql);

/* Runs sql on the database file path through a connection of the test's
** own (waiting up to 5 s for a lock), bypassing the store: for tampering
** with a file behind the store's back. Returns SQLite's result code and,
** when msg is not NULL, copies SQLite's message ("" for none) into msg
** (cap bytes). Fails the test when the file does not open. */
int tl_sql_exec(const char *path, const char *sql, char *msg, size_t cap);

/* Makes the database file path (existing and empty, as from tl_temp_path)
** at an old schema version: runs the embedded migrations 1 to version
** (1 to 6) on one connection of the test's own, then sql (when not NULL;
** it sets PRAGMA user_version and adds the old rows). Fails the test when
** any step does not give SQLITE_OK. For testing the upgrade of an old file. */
void tl_old_db(const char *path, int version, const char *sql);

/* The whole file path, read into a new buffer with a '\0' after the last
** byte; *len (when not NULL) gets the number of bytes, without the '\0'.
** Returns NULL when the file cannot be opened, read or held in memory.
** The caller frees the buffer. */
char *tl_read_file(const char *path, size_t *len);

/* Fails the test unless the file path holds exactly the string text;
** skips the test when the file cannot be read (run from elsewhere than the
** repository root). For checking that embedded data matches its file. */
void tl_file_equals(const char *path, const char *text);

/* Adds the person key with display name name (key when NULL), no
** organisation or email, and when consent is non-zero records their
** consent to "research" (version "v1"). Fails the test on any error. */
void tl_person(struct store *st, const char *key, const char *name, int consent);

/* The hand-written Q-set "tiny" (duet-qset/1, version 1, title "Tiny"):
** dimensions voice ("Speak up" / "Defer") and pace ("Now" / "Carefully");
** statements a..h with text A..H, a-d on voice and e-h on pace, polarities
** + - + - in each; the grid -2..+2 holding 1, 2, 2, 2, 1. */
extern const char tl_qset_tiny[];

/* A store on a fresh temporary file, owned by the test. */
struct tl_world {
    char path[64];        /* the database file */
    struct store *st;     /* open on path; actor "tester" */
};

/* The names of the world tl_world_open builds. */
#define TL_PROGRAMME "Alpha"
#define TL_COHORT "Cohort 1"           /* starts 2026-01-15 */
#define TL_LIVED "amira.k"             /* "Amira K", organisation "Org": patient_leader */
#define TL_SYSTEM "sam.t"              /* "Sam T", organisation "Org": commissioner */
#define TL_PARTNERSHIP "P1"            /* TL_LIVED with TL_SYSTEM, in TL_COHORT */

/* Opens an empty store (all migrations, nothing else) on a new temporary
** file named with tag (as tl_temp_path) and sets its actor to "tester".
** Returns 0, or -1 with a message on stderr and nothing left behind: safe
** in a setup function. Close it with tl_world_close. */
int tl_store_open(struct tl_world *w, const char *tag);

/* tl_store_open, then the common world: programme TL_PROGRAMME (empty
** description), cohort TL_COHORT starting 2026-01-15 with modules 1 to
** nmodules (no date or title; nmodules may be 0), the people TL_LIVED and
** TL_SYSTEM (no consent recorded) and partnership TL_PARTNERSHIP of the
** two (no project title or aim). Returns 0, or -1 with a message on stderr and nothing left
** behind. */
int tl_world_open(struct tl_world *w, const char *tag, int nmodules);

/* Closes the store and removes its file (and side files). */
void tl_world_close(struct tl_world *w);

#endif
