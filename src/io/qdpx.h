/*
** qdpx.h — REFI-QDA project exchange (.qdpx: a zip holding project.qde,
** namespace urn:QDA-XML:project:1.0, and the text sources under sources/),
** so that coded reflections and field notes travel to and from NVivo,
** ATLAS.ti, MAXQDA, QualCoder and others (docs/coding.md).
**
** A project in memory is plain data: its users (coders), its codebook
** (io/codebook.h), its text sources with their selections and codings, and
** its cases with variables. Positions count Unicode code points from 0,
** end exclusive, as REFI-QDA does. The writer builds the XML with libxml2
** and the zip with libzip; the reader opens the zip with libzip (bounded
** sizes, no path taken from the archive is used to touch the file system),
** parses project.qde (or, when there is none, the one .qde at the top of
** the archive: ATLAS.ti names it after the project) without network access
** or entity expansion, refuses a
** document type declaration and a foreign namespace, validates against the
** REFI-QDA Project.xsd compiled in from data/refi-qda/Project.xsd, takes a
** source's text from PlainTextContent or from its plainTextPath
** ("internal://NAME" in sources/ or Sources/), and checks every reference.
** A file is taken whole or refused whole; one holding a source that is not
** a text (a picture, PDF, audio or video) is refused for it before any text
** is read, unless QDPX_TEXT_ONLY asks to skip such sources, with everything
** on them, and list them in the project's skipped. Names are bounded at
** QDPX_NAME_MAX characters, no fewer than the tools write (docs/coding.md).
** Nothing here prints or exits.
*/
#ifndef DUET_IO_QDPX_H
#define DUET_IO_QDPX_H

#include <stddef.h>

#include "core/err.h"
#include "io/codebook.h"

#define QDPX_NAMESPACE      "urn:QDA-XML:project:1.0"
#define QDPX_MAX_BYTES      ((size_t)256 * 1024 * 1024)  /* the .qdpx file */
#define QDPX_MAX_ENTRY      ((size_t)64 * 1024 * 1024)   /* one entry, uncompressed */
#define QDPX_MAX_TOTAL      ((size_t)512 * 1024 * 1024)  /* all entries read, uncompressed */
#define QDPX_MAX_SOURCES    100000
#define QDPX_MAX_SELECTIONS 1000000
#define QDPX_NAME_MAX       1000                         /* characters in a name */

struct qdpx_user {
    char *guid;                 /* canonical lower-case UUID */
    char *name;
};

struct qdpx_coding {
    char *guid;
    char *code_guid;            /* a code of the project's codebook */
    char *user_guid;            /* a user of the project, or NULL */
    char *created_at;           /* xsd:dateTime, or NULL */
};

struct qdpx_selection {
    char *guid;
    size_t start, end;          /* code points, 0 <= start < end <= length */
    char *user_guid;            /* a user of the project, or NULL */
    char *created_at;           /* or NULL */
    size_t ncodings;
    struct qdpx_coding *codings;
};

struct qdpx_source {
    char *guid;
    char *name;
    char *text;                 /* UTF-8, NUL-terminated */
    char *user_guid;            /* creating user, or NULL */
    char *created_at;           /* or NULL */
    size_t nselections;
    struct qdpx_selection *selections;
};

enum qdpx_var_type { QDPX_VAR_TEXT = 0, QDPX_VAR_INTEGER, QDPX_VAR_FLOAT };

struct qdpx_variable {
    char *guid;
    char *name;
    enum qdpx_var_type type;
};

struct qdpx_value {
    size_t variable;            /* index into project.variables */
    char *text;                 /* the value as written (text, integer or decimal) */
};

struct qdpx_case {
    char *guid;
    char *name;
    size_t nvalues;
    struct qdpx_value *values;
    size_t nsources;
    size_t *sources;            /* indices into project.sources */
};

/* A source that is not a text, passed over with QDPX_TEXT_ONLY. */
struct qdpx_skipped {
    char *guid;                 /* canonical lower-case UUID */
    char *name;                 /* as written, or NULL */
    const char *kind;           /* "picture", "pdf", "audio" or "video" (static) */
    size_t nselections;         /* its selections of every kind (a PDF's text
                                   representation's included) */
    size_t ncodings;            /* codings of it or of its selections */
};

struct qdpx_project {
    char *name;                 /* Project name */
    char *origin;               /* writing tool, or NULL */
    size_t nusers;
    struct qdpx_user *users;
    struct codebook codebook;   /* ncodes may be 0 */
    size_t nsources;
    struct qdpx_source *sources;
    size_t nvariables;
    struct qdpx_variable *variables;
    size_t ncases;
    struct qdpx_case *cases;
    size_t nskipped;            /* read with QDPX_TEXT_ONLY: sources passed over, */
    struct qdpx_skipped *skipped;   /* in the file's order; not written or checked */
};

/* qdpx_read_with flags. */
#define QDPX_TEXT_ONLY 1u       /* skip picture, PDF, audio and video sources */

/* data/refi-qda/Project.xsd, compiled in from src/io/qdpx_schema.c. */
extern const char qdpx_schema_xsd[];

/* Checks a project built by any reader or by the store: GUIDs well formed
** and unique across users, codes, sources, selections, codings, variables
** and cases; every reference resolves; positions inside their source's
** text; names one line and at most QDPX_NAME_MAX characters. Returns 0, or
** -1 with *e set to "source: what: reason". */
int qdpx_check(const struct qdpx_project *p, const char *source, duet_err *e);

/* Writes p as a .qdpx zip to path (created or replaced; written to a
** temporary file in the same folder and renamed, so a failure leaves no
** partial file). Sources go in as sources/GUID.txt with plainTextPath
** "internal://GUID.txt". Returns 0 or -1 with *e set. */
int qdpx_write_file(const struct qdpx_project *p, const char *path, duet_err *e);

/* p as the bytes of a .qdpx zip (malloc'd, *len bytes), as qdpx_write_file
** writes them; NULL with *e set. */
void *qdpx_write(const struct qdpx_project *p, size_t *len, duet_err *e);

/* The project.qde XML of p alone (malloc'd, *len bytes), for tests and
** validation. */
char *qdpx_write_xml(const struct qdpx_project *p, size_t *len, duet_err *e);

/* Reads a .qdpx held in memory (len bytes). fallback_codebook names the
** codebook (see codebook.h) when the file does not carry a duet origin.
** source (borrowed) starts every message ("x.qdpx: project.qde:12: ...").
** Fills *out (qdpx_free) and returns 0, or returns -1 with *e set and *out
** untouched. */
int qdpx_read(const void *data, size_t len, const char *source, const char *fallback_codebook,
              struct qdpx_project *out, duet_err *e);

/* qdpx_read with flags (QDPX_TEXT_ONLY or 0). With QDPX_TEXT_ONLY, a
** picture, PDF, audio or video source is not refused but passed over with
** its selections and codings and listed in out->skipped; a case's reference
** to it is dropped. Everything else is read and checked as qdpx_read does. */
int qdpx_read_with(const void *data, size_t len, const char *source,
                   const char *fallback_codebook, unsigned flags, struct qdpx_project *out,
                   duet_err *e);

/* Reads the file at path (at most QDPX_MAX_BYTES) with qdpx_read. */
int qdpx_read_file(const char *path, const char *fallback_codebook, struct qdpx_project *out,
                   duet_err *e);

/* qdpx_read_file with flags, as qdpx_read_with. */
int qdpx_read_file_with(const char *path, const char *fallback_codebook, unsigned flags,
                        struct qdpx_project *out, duet_err *e);

/* Whether a and b hold the same codebook, users, sources (guid, name,
** text), selections (guid, positions, user) and codings (guid, code, user),
** in the same order. Dates and cases are not compared. */
int qdpx_equal(const struct qdpx_project *a, const struct qdpx_project *b);

/* Frees everything *p owns and zeroes it; safe on a zeroed struct. */
void qdpx_free(struct qdpx_project *p);

#endif
