/*
** fuzz_qdpx.c — libFuzzer target for qdpx_read (REFI-QDA projects: a zip
** holding project.qde and text sources).
**
** Any input must either be refused with a message or read into a project
** that qdpx_check accepts, whose .qdpx export reads back to an equal project
** and whose project.qde XML is a fixed point of export and import. Build
** with clang -fsanitize=fuzzer,address,undefined (see scripts/fuzz.sh).
**
** An input starting "PK" is taken as the .qdpx itself. Any other input is
** project.qde, then NUL-separated "NAME\nDATA" entries, zipped here without
** compression: mutating a real zip mostly breaks its checksums, so this
** form lets the fuzzer reach the XML and the references.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "io/qdpx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add(zip_t *z, const char *name, const uint8_t *d, size_t n)
{
    zip_source_t *s = zip_source_buffer(z, d, n, 0);
    zip_int64_t i = s ? zip_file_add(z, name, s, ZIP_FL_OVERWRITE) : -1;
    if (i < 0)
        zip_source_free(s);
    else
        zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

/* The entries of a non-zip input as zip bytes (malloc'd), or NULL. */
static void *zip_of(const uint8_t *data, size_t size, size_t *len)
{
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, NULL);
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, NULL) : NULL;
    if (z == NULL) {
        zip_source_free(src);
        return NULL;
    }
    zip_source_keep(src);
    const uint8_t *end = data + size, *p = data;   /* data may be empty */
    for (int first = 1;; first = 0) {
        const uint8_t *nul = memchr(p, 0, (size_t)(end - p)), *stop = nul ? nul : end;
        const uint8_t *nl = first ? NULL : memchr(p, '\n', (size_t)(stop - p));
        char name[128] = "project.qde";
        if (nl != NULL && (size_t)(nl - p) < sizeof name) {
            memcpy(name, p, (size_t)(nl - p));
            name[nl - p] = '\0';
        }
        const uint8_t *body = nl ? nl + 1 : p;
        if (first || nl != NULL)
            add(z, name, body, (size_t)(stop - body));
        if (nul == NULL)
            break;
        p = nul + 1;
    }
    void *out = NULL;
    zip_stat_t st;
    if (zip_close(z) != 0) {
        zip_discard(z);
    } else if (zip_source_stat(src, &st) == 0 && zip_source_open(src) == 0) {
        out = malloc(st.size ? st.size : 1);
        if (out && zip_source_read(src, out, st.size) != (zip_int64_t)st.size) {
            free(out);
            out = NULL;
        }
        zip_source_close(src);
        *len = st.size;
    }
    zip_source_free(src);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qdpx_project a, b;
    duet_err e;
    size_t zlen = size;
    void *in = size >= 2 && data[0] == 'P' && data[1] == 'K' ? NULL : zip_of(data, size, &zlen);
    int rc = qdpx_read(in ? in : data, zlen, "fuzz", "fuzz", &a, &e);
    free(in);
    if (rc != 0) {
        if (e.msg[0] == '\0' || strlen(e.msg) >= sizeof e.msg)
            abort();
        return 0;
    }
    if (qdpx_check(&a, "fuzz", &e) != 0)
        abort();
    size_t n, n1, n2;
    void *zip = qdpx_write(&a, &n, &e);
    if (zip == NULL || qdpx_read(zip, n, "export", "other", &b, &e) != 0)
        abort();   /* our own export must read back */
    if (!qdpx_equal(&a, &b))
        abort();
    char *x1 = qdpx_write_xml(&a, &n1, &e), *x2 = qdpx_write_xml(&b, &n2, &e);
    if (x1 == NULL || x2 == NULL || n1 != n2 || memcmp(x1, x2, n1) != 0)
        abort();   /* and be a fixed point */
    free(zip);
    free(x1);
    free(x2);
    qdpx_free(&a);
    qdpx_free(&b);
    return 0;
}
