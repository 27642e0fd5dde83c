/*
** qdc.h — REFI-QDA codebook exchange (.qdc, namespace urn:QDA-XML:codebook:1.0),
** so that codebooks travel to and from NVivo, ATLAS.ti, MAXQDA, QualCoder
** and others (docs/coding.md).
**
** Export writes CodeBook/Codes/Code elements (guid, name, isCodable, color)
** nested as the tree is, with the definition, when to use, when not to use
** and the example written into Description under clear labels. Import
** parses with libxml2 without network access and without expanding
** entities, refuses a document type declaration, checks the namespace,
** sets aside an empty Sets (Taguette writes one; the schema wants a Set in
** it), validates against the REFI-QDA Codebook.xsd compiled in from
** data/refi-qda/Codebook.xsd, and ends with codebook_check: a file is taken
** whole or refused whole with the first problem's line and message. Sets are
** not kept. Nothing here prints or exits.
*/
#ifndef DUET_IO_QDC_H
#define DUET_IO_QDC_H

#include <stddef.h>

#include "core/err.h"
#include "io/codebook.h"

#define QDC_NAMESPACE "urn:QDA-XML:codebook:1.0"
#define QDC_MAX_BYTES CODEBOOK_MAX_BYTES

/* data/refi-qda/Codebook.xsd, compiled in from src/io/qdc_schema.c. */
extern const char qdc_schema_xsd[];

/* The .qdc text of cb (malloc'd, NUL-terminated, *len bytes without the NUL),
** UTF-8, with origin="duet codebook NAME version N". NULL with *e set when
** memory runs out or libxml2 fails. */
char *qdc_write(const struct codebook *cb, size_t *len, duet_err *e);

/* Reads a .qdc (len bytes). The codebook's name and version come from an
** origin attribute written by qdc_write; otherwise the name is fallback_name
** (a codebook name; see codebook.h) and the version 1. source (borrowed)
** starts every message ("x.qdc:12: ..."). Fills *out (codebook_free) and
** returns 0, or returns -1 with *e set and *out untouched. */
int qdc_read(const char *data, size_t len, const char *source, const char *fallback_name,
             struct codebook *out, duet_err *e);

/* Shared with the project reader and writer (io/qdpx.h), whose CodeBook
** holds the same Codes element. libxml2's types are named by their struct
** tags so that this header needs no libxml2 include. */
struct _xmlTextWriter;
struct _xmlNode;

/* Writes a Codes element with cb's codes (at least one) nested as the tree
** is. Returns 0, or -1 when libxml2 fails or memory runs out. */
int qdc_write_codes(struct _xmlTextWriter *w, const struct codebook *cb);

/* "duet codebook NAME version N" for cb into out (n bytes). */
void qdc_origin(const struct codebook *cb, char *out, size_t n);

/* Sets cb->name and cb->version from an origin written by qdc_origin, or to
** fallback and 1 when origin (which may be NULL) is anything else. Returns
** -1 when memory runs out. */
int qdc_from_origin(const char *origin, const char *fallback, struct codebook *cb);

/* Appends the Code elements under codes (a Codes element) to cb in
** pre-order. Messages read "source: ATLINE: reason" (at is "line " for a
** .qdc, "project.qde:" for a project). Returns 0 or -1 with *e set; cb is
** then partly filled and the caller frees it. */
/* Where a REFI-QDA document is, for messages: src (the file) and, inside a
** .qdpx, entry ("project.qde"); NULL entry reads "SRC: line N: ...", an
** entry "SRC: ENTRY:N: ...". */
struct qdc_where {
    const char *src;
    const char *entry;
};
/* Parses len bytes of REFI-QDA XML the safe way (no document type
** declaration, no network, no entity expansion), checks that the root
** element is root in namespace ns, removes any Sets directly under the root
** that holds no element (duet keeps no sets), and validates the document
** against the schema xsd (NUL-terminated text); kind ("codebook", "project") names the
** document in messages. Returns the document (free with xmlFreeDoc), or
** NULL with *e set to the first problem and its line. */
struct _xmlDoc *qdc_parse_valid(const char *data, size_t len, const char *root,
                                const char *ns, const char *xsd, const char *kind,
                                const struct qdc_where *at, duet_err *e);

int qdc_read_codes(struct _xmlNode *codes, const char *at, struct codebook *cb,
                   const char *source, duet_err *e);

#endif
