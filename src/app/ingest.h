/*
** ingest.h — validating and writing check-in answers, all or nothing.
**
** Both `duet import responses` and `duet checkin add` feed answers through
** an ingest: each answer is resolved (cohort, module, partnership, person,
** item) and validated as it is added; ingest_commit then refuses duplicate
** answers, duplicate check-ins and check-ins that already exist, and writes
** everything in one transaction. Nothing is written unless all is valid.
*/
#ifndef DUET_APP_INGEST_H
#define DUET_APP_INGEST_H

#include <stddef.h>

#include "core/err.h"

struct store;
struct ingest;

/* Which field an ingest_add error is about. */
enum ingest_field {
    INGEST_COHORT, INGEST_MODULE, INGEST_PARTNERSHIP, INGEST_PERSON, INGEST_ITEM,
    INGEST_VALUE
};

struct ingest_answer {
    const char *cohort; size_t cohort_len;   /* NULL: the partnership's cohort */
    const char *module; size_t module_len;   /* module number as text */
    const char *partnership; size_t partnership_len;
    const char *person; size_t person_len;
    const char *item; size_t item_len;
    const char *value; size_t value_len;
    size_t line;                             /* for messages; 0 = none */
};

struct ingest *ingest_new(struct store *st);
/* Names the file in messages from ingest_commit ("file:line: ..."). Borrowed. */
void ingest_set_source(struct ingest *g, const char *source);
void ingest_free(struct ingest *g);

/* Resolves and validates one answer. On error returns -1, sets *field to the
** field at fault and *e to a message that names neither file nor line. */
int ingest_add(struct ingest *g, const struct ingest_answer *a, enum ingest_field *field,
               duet_err *e);

/* Checks the batch as a whole and writes it in one transaction. Messages
** start with "line N: " when lines were given. */
int ingest_commit(struct ingest *g, size_t *checkins, size_t *answers, duet_err *e);

const char *ingest_field_name(enum ingest_field f);

#endif
