/*
** codebook.h — codebooks as data ("duet-codebook/1" JSON): the codes that
** qualitative coding applies to passages, as a tree, each with a definition,
** when to use it, when not to, an example and a colour (docs/coding.md).
**
** A codebook in memory keeps its codes flat in pre-order (a parent before its
** children, siblings in their order), each pointing at its parent by index.
** Both readers (this JSON one and the REFI-QDA one in io/qdc.h) finish with
** codebook_check, so one set of rules holds whatever the source. Nothing here
** prints, exits or keeps a pointer into its input.
*/
#ifndef DUET_IO_CODEBOOK_H
#define DUET_IO_CODEBOOK_H

#include <stddef.h>

#include "core/err.h"

#define CODEBOOK_FORMAT       "duet-codebook/1"
#define CODEBOOK_STARTER_NAME "starter"        /* the codebook duet ships */
#define CODEBOOK_MAX_BYTES    ((size_t)4 * 1024 * 1024)
#define CODEBOOK_MAX_VERSION  1000000
#define CODEBOOK_MAX_CODES    2000
/* Bounds no lower than what QDA tools write (docs/coding.md): MAXQDA nests
** codes 10 levels deep and MAXQDA 24 writes code names of 124 characters;
** code memos have no stated limit in MAXQDA, ATLAS.ti or QualCoder. */
#define CODEBOOK_MAX_DEPTH    16     /* levels of the tree */
#define CODEBOOK_CODE_NAME_MAX 1000  /* characters */
#define CODEBOOK_TEXT_MAX     20000  /* characters in a definition, example, ... */
#define CODEBOOK_GUID_LEN     36     /* 8-4-4-4-12 hex digits, lower case */

/* The labels that REFI-QDA exchange (io/qdc.c) writes before each field in a
** code's Description, one field a line, the definition first. */
#define CODEBOOK_LABEL_DEFINITION "Definition: "
#define CODEBOOK_LABEL_USE        "When to use: "
#define CODEBOOK_LABEL_NOT        "When not to use: "
#define CODEBOOK_LABEL_EXAMPLE    "Example: "

/* All strings owned by the codebook, NUL-terminated, valid UTF-8. Optional
** ones are NULL when absent. */
struct codebook_code {
    char *guid;             /* lower-case UUID */
    char *name;             /* one line; unique among its siblings */
    char *definition;       /* may span lines */
    char *when_to_use;      /* one line */
    char *when_not_to_use;  /* one line */
    char *example;          /* one line */
    char *colour;           /* "#RRGGBB", upper case */
    long parent;            /* index of the parent code, -1 at the top */
    size_t position;        /* 0-based among its siblings */
    size_t depth;           /* 0 at the top */
};

struct codebook {
    char *name;             /* [a-z][a-z0-9_-]{0,47} */
    int version;            /* 1..CODEBOOK_MAX_VERSION */
    size_t ncodes;
    struct codebook_code *codes;   /* pre-order */
};

/* The starter codebook, data/codebooks/starter.json, compiled in from
** src/io/codebook_starter.c (NUL-terminated). */
extern const char codebook_starter_json[];

/* Parses and validates duet-codebook/1 JSON (len bytes, need not be
** NUL-terminated); source (borrowed, or NULL for "codebook") starts every
** message ("starter.json: codes[2].children[0].colour: ..."). Codes without a
** "guid" get a new random one. All or nothing: fills *out (release with
** codebook_free) and returns 0, or returns -1 with *e set and *out untouched. */
int codebook_parse(const char *json, size_t len, const char *source, struct codebook *out,
                   duet_err *e);

/* Parses codebook_starter_json. Fails only when memory runs out. */
int codebook_load_starter(struct codebook *out, duet_err *e);

/* Checks every rule on a codebook built by any reader: name, version, the
** number of codes and the depth, GUIDs (well formed, unique), code names
** (one line, 1..CODEBOOK_CODE_NAME_MAX characters, unique among siblings),
** texts, colours, and that parents come before their children. When a
** code's Description is written with labels (it has a when to use, when not
** to use or example, or its definition starts with a label), no later line
** of its definition may start with those fields' labels, which would read
** back as the field in REFI-QDA exchange. Returns 0,
** or -1 with *e set to "source: code 'X': reason". */
int codebook_check(const struct codebook *cb, const char *source, duet_err *e);

/* Canonical JSON (malloc'd; NULL when memory runs out): fixed key order,
** two-space indent, final newline, GUIDs included. codebook_parse of it gives
** an equal codebook. */
char *codebook_to_json(const struct codebook *cb);

/* Whether a and b hold the same name, version and codes (every field). */
int codebook_equal(const struct codebook *a, const struct codebook *b);

/* A new random (version 4) UUID in lower case into out. */
void codebook_new_guid(char out[CODEBOOK_GUID_LEN + 1]);

/* Whether s is a UUID (8-4-4-4-12 hex digits, either case, optionally in
** braces as REFI-QDA allows). */
int codebook_valid_guid(const char *s);

/* Writes the canonical form of guid s (lower case, no braces) to out. */
void codebook_canonical_guid(const char *s, char out[CODEBOOK_GUID_LEN + 1]);

/* Appends a zeroed code to cb (parent -1); returns it or NULL when memory
** runs out or CODEBOOK_MAX_CODES is reached. */
struct codebook_code *codebook_append(struct codebook *cb);

/* Frees everything *cb owns and zeroes it; safe on a zeroed struct and NULL. */
void codebook_free(struct codebook *cb);

#endif
