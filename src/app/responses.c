/*
** responses.c — import and export of the long-format responses CSV.
*/
#include "app/responses.h"

#include <stdlib.h>
#include <string.h>

#include "app/ingest.h"
#include "io/csv.h"
#include "store/store.h"

static const char *const header[] = {"cohort", "module", "partnership", "person", "item",
                                     "value"};
#define NCOLS 6

/* Adds to a refusal of cell c why an export may have written it so: a ' in
** front of a formula-like cell (written for spreadsheets, not --exact), or,
** for a person (code: the row's partnership), a pseudonym (not --names). */
static void hint(duet_err *e, const csv_field *c, const csv_field *code)
{
    const char *why = NULL;
    if (c->n > 1 && c->p[0] == '\'' && csv_cell_risky(c->p + 1, c->n - 1))
        why = "the ' in front looks like the one an export for spreadsheets puts there; "
              "export with --exact to import again";
    size_t k = code ? code->n : 0, d = k + 2;
    if (code && c->n > d && memcmp(c->p, code->p, k) == 0 && c->p[k] == '-' &&
        (c->p[k + 1] == 'L' || c->p[k + 1] == 'S')) {
        while (d < c->n && c->p[d] >= '0' && c->p[d] <= '9')
            d++;
        if (d == c->n)
            why = "this looks like a pseudonym; export with --names to import again";
    }
    size_t n = strlen(e->msg);
    if (why && n < sizeof e->msg)
        snprintf(e->msg + n, sizeof e->msg - n, " (%s)", why);
}

int responses_import(struct store *st, const char *path, struct responses_stats *out,
                     duet_err *e)
{
    char *data = NULL;
    size_t len = 0;
    if (csv_read_file(path, RESPONSES_MAX_BYTES, &data, &len, e) != 0)
        return -1;
    csv_reader r;
    csv_reader_init(&r, data, len, path);
    struct ingest *g = ingest_new(st);
    int rc = g ? 0 : duet_errf(e, DUET_EINTERNAL, "out of memory");
    if (rc == 0) {
        ingest_set_source(g, path);
        rc = csv_expect_header(&r, header, NCOLS, e);
    }
    csv_record rec;
    size_t rows = 0;
    while (rc == 0) {
        int got = csv_next(&r, &rec, e);
        if (got <= 0) {
            rc = got;
            break;
        }
        const csv_field *f = rec.fields;
        struct ingest_answer a = {
            f[0].p, f[0].n, f[1].p, f[1].n, f[2].p, f[2].n,
            f[3].p, f[3].n, f[4].p, f[4].n, f[5].p, f[5].n, rec.line,
        };
        enum ingest_field field;
        if (ingest_add(g, &a, &field, e) != 0) {
            duet_err_prefix(e, "%s:%zu: column '%s'", path, rec.line, ingest_field_name(field));
            hint(e, &f[field], field == INGEST_PERSON ? &f[2] : NULL);
            rc = -1;
        }
        rows++;
    }
    if (rc == 0 && rows == 0)
        rc = duet_errf(e, DUET_EINPUT, "%s: no rows after the header; nothing imported", path);
    size_t checkins = 0, answers = 0;
    if (rc == 0 && ingest_commit(g, &checkins, &answers, e) != 0)
        rc = -1;
    if (rc == 0 && out) {
        out->rows = answers;
        out->checkins = checkins;
    }
    ingest_free(g);
    csv_reader_free(&r);
    free(data);
    return rc;
}

struct export_ctx { FILE *f; enum csv_cells how; json_t *pseudonyms; size_t rows; };

static int export_row(void *ctx, const struct store_response_row *row, duet_err *e)
{
    struct export_ctx *x = ctx;
    char module[16];
    snprintf(module, sizeof module, "%d", row->module);
    const char *person = row->person;
    if (x->pseudonyms) {
        person = store_pseudonym_of(x->pseudonyms, row->partnership, row->person);
        if (person == NULL)   /* answers are members' only; never a key instead */
            return duet_errf(e, DUET_EINTERNAL, "a response in partnership '%s' has no "
                             "pseudonym for its person", row->partnership);
    }
    const char *fields[NCOLS] = {row->cohort, module, row->partnership, person, row->item,
                                 row->value};
    if (csv_write_row_as(x->f, x->how, fields, NCOLS) != 0)
        return duet_errf(e, DUET_EIO, "writing the export failed");
    x->rows++;
    return 0;
}

int responses_export(struct store *st, FILE *f, const char *purpose, unsigned flags,
                     size_t *rows, duet_err *e)
{
    struct export_ctx x = {f, flags & RESPONSES_EXACT ? CSV_EXACT : CSV_SAFE, NULL, 0};
    if (!(flags & RESPONSES_NAMES) && (x.pseudonyms = store_pseudonym_map(st, e)) == NULL)
        return -1;
    int rc = 0;
    if (csv_write_row_as(f, x.how, header, NCOLS) != 0)
        rc = duet_errf(e, DUET_EIO, "writing the export failed");
    if (rc == 0)
        rc = store_responses_each(st, purpose, export_row, &x, e);
    json_decref(x.pseudonyms);
    if (rc == 0 && rows)
        *rows = x.rows;
    return rc ? -1 : 0;
}

int responses_dictionary_csv(struct store *st, FILE *f, enum csv_cells how, duet_err *e)
{
    static const char *const cols[] = {"item", "instrument", "instrument_version", "construct",
                                       "type", "min", "max", "reverse_keyed", "label"};
    static const char *const keys[] = {"item", "instrument", "instrument_version", "construct",
                                       "type", "min", "max", "reverse_keyed", "label"};
    enum { N = sizeof cols / sizeof cols[0] };
    json_t *items = store_item_list(st, e);
    if (items == NULL)
        return -1;
    int rc = csv_write_row_as(f, how, cols, N);
    size_t i;
    json_t *row;
    json_array_foreach(items, i, row) {
        char cells[N][32];
        const char *fields[N];
        for (size_t k = 0; k < N; k++) {
            json_t *v = json_object_get(row, keys[k]);
            if (json_is_string(v)) {
                fields[k] = json_string_value(v);
            } else if (json_is_boolean(v)) {
                fields[k] = json_is_true(v) ? "1" : "0";
            } else if (json_is_integer(v)) {
                snprintf(cells[k], sizeof cells[k], "%lld", (long long)json_integer_value(v));
                fields[k] = cells[k];
            } else {
                fields[k] = "";
            }
        }
        if (rc == 0)
            rc = csv_write_row_as(f, how, fields, N);
    }
    json_decref(items);
    return rc == 0 ? 0 : duet_errf(e, DUET_EIO, "writing the dictionary failed");
}
