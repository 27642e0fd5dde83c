/*
** instrument.h — questionnaires as data ("duet-instrument/1" JSON).
**
** An instrument is a list of constructs (what is measured) and items (the
** questions). Programmes write their own; docs/instruments.md is the format's
** reference. The parser checks everything it is given against a declared
** allow-list: unknown keys, wrong types, out-of-range numbers, oversize or
** invalid strings and dangling references are refused with the path to the
** offending element ("instrument.json: items[3]: unknown key 'revrse'").
** It never prints, never exits and never keeps a pointer into its input.
*/
#ifndef DUET_IO_INSTRUMENT_H
#define DUET_IO_INSTRUMENT_H

#include <stddef.h>

#include "core/err.h"

#define INSTRUMENT_FORMAT            "duet-instrument/1"
#define INSTRUMENT_MAX_BYTES         ((size_t)1024 * 1024) /* whole JSON text */
#define INSTRUMENT_NAME_MAX          48     /* [a-z][a-z0-9_]{0,47} */
#define INSTRUMENT_MAX_CONSTRUCTS    64
#define INSTRUMENT_MAX_ITEMS         256
#define INSTRUMENT_MAX_VERSION       1000000
#define INSTRUMENT_SCALE_LIMIT       1000   /* |min|, |max| <= this */
#define INSTRUMENT_SCALE_MAX_POINTS  11     /* max - min + 1 in 2..11 */
#define INSTRUMENT_LADDER_RUNGS      8
#define INSTRUMENT_TEXT_MAX          20000  /* upper bound for max_length */
#define INSTRUMENT_TEXT_DEFAULT      4000   /* max_length when absent */
#define INSTRUMENT_LIST_MAX          100    /* upper bound for max_entries */
#define INSTRUMENT_LIST_DEFAULT      10     /* max_entries when absent */
#define INSTRUMENT_ENTRY_MAX         500    /* characters in one list entry */

enum item_type { ITEM_SCALE, ITEM_LADDER, ITEM_TEXT, ITEM_LIST };

/* All strings are owned by the instrument, NUL-terminated, valid UTF-8. */
struct instrument_construct {
    char *name;
    char *label;
    char *description;   /* NULL when absent */
    int bipolar;         /* 1: the ideal is the scale midpoint, not the top */
};

struct instrument_item {
    char *name;
    char *construct;     /* name of a declared construct; NULL for text/list */
    char *text;          /* the question as shown */
    enum item_type type;
    int min, max;        /* scale: as declared; ladder: 1..8; text/list: 0 */
    int reverse;         /* scale only; 0 elsewhere */
    int max_length;      /* text: characters (code points); 0 elsewhere */
    int max_entries;     /* list: entries; 0 elsewhere */
    char *labels_json;   /* scale/ladder: compact JSON object {"1":"..."} with
                            keys in numeric order, or NULL; text/list: NULL */
};

struct instrument {
    char *name;
    char *title;
    char *description;   /* NULL when absent */
    int version;
    size_t nconstructs, nitems;
    struct instrument_construct *constructs;
    struct instrument_item *items;
};

/* The default instrument, data/instruments/partnership-checkin.json embedded
** at build time (NUL-terminated). */
extern const char instrument_default_json[];

/* Parses and validates the len bytes at json (need not be NUL-terminated).
** source (borrowed; e.g. the file name, or NULL for "instrument") starts every
** message. All or nothing: on success fills *out (release with
** instrument_free) and returns 0; on failure returns -1 with *e set
** (DUET_EINPUT, or DUET_EINTERNAL when memory runs out) and *out untouched. */
int instrument_parse(const char *json, size_t len, const char *source,
                     struct instrument *out, duet_err *e);

/* Parses instrument_default_json. Fails only when memory runs out. */
int instrument_load_default(struct instrument *out, duet_err *e);

/* Frees everything *ins owns and zeroes it; safe on a zeroed struct and on
** NULL. */
void instrument_free(struct instrument *ins);

/* Canonical JSON text (malloc'd, caller frees; NULL when memory runs out):
** fixed key order, every default written out, two-space indent, final
** newline. instrument_parse of the result gives an equal instrument. */
char *instrument_to_json(const struct instrument *ins);

/* "scale", "ladder", "text" or "list" ("unknown" for anything else). */
const char *instrument_item_type_name(enum item_type t);

/* Look-ups by name; NULL when there is none. Borrowed pointers. */
const struct instrument_item *instrument_find_item(const struct instrument *ins,
                                                   const char *name);
const struct instrument_construct *
instrument_find_construct(const struct instrument *ins, const char *name);

/* Number of items that belong to construct `name`. */
size_t instrument_construct_nitems(const struct instrument *ins, const char *name);

/* Validates one answer, given as the len bytes at value, for item it. An
** empty value means "not answered" and is not passed here.
**   scale/ladder: a whole number in min..max, optionally surrounded by
**                 spaces or tabs ("9 is outside the scale 1..7",
**                 "'abc' is not a whole number"); *num (if num is not NULL)
**                 receives the raw value, not flipped;
**   text:         valid UTF-8, at most max_length characters, no control
**                 characters other than tab, LF and CR;
**   list:         entries separated by LF, at most max_entries of them, each
**                 non-empty, at most INSTRUMENT_ENTRY_MAX characters, valid
**                 UTF-8, no control characters other than tab.
** For text and list *num is not written. Returns 0, or -1 with *e set
** (DUET_EINPUT) and a message that does not name the item (the caller
** prefixes file, line and column). */
int instrument_check_value(const struct instrument_item *it, const char *value,
                           size_t len, double *num, duet_err *e);

/* The value used for scoring: min + max - raw for reverse-keyed items, raw
** otherwise. Bipolar constructs are not folded here: their items are scored
** like any other and their ideal is instrument_item_midpoint. */
double instrument_scored_value(const struct instrument_item *it, double raw);

/* (min + max) / 2: the ideal of an item in a bipolar construct. */
double instrument_item_midpoint(const struct instrument_item *it);

#endif
