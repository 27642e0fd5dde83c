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
** validates against the REFI-QDA Codebook.xsd compiled in from
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

#endif
