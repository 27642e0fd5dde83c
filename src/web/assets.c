/*
** assets.c — the in-memory asset table (see assets.h).
*/
#include "web/assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "web/web.h"

#define ASSETS_MAX 256
#define ASSET_SIZE_MAX (8 * 1024 * 1024)

static struct asset {
    char *name;       /* relative path, as requested after /assets/ */
    char *data;
    size_t len;
    const char *type;
} assets[ASSETS_MAX];
static size_t nassets;

const char *assets_type(const char *name)
{
    static const struct { const char *ext, *type; } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static int safe_name(const char *s)
{
    if (*s == '\0' || *s == '/' || strstr(s, "..") != NULL || strlen(s) > 200)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_' || *p == '/'))
            return 0;
    return 1;
}

static int load_one(const char *dir, const char *name, duet_err *e)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return duet_errf(e, DUET_EIO, "%s: listed in the manifest but cannot be read", path);
    duet_buf b;
    buf_init(&b, ASSET_SIZE_MAX);
    int ok = buf_read_stream(&b, f) == 0;
    fclose(f);
    if (!ok) {
        buf_free(&b);
        return duet_errf(e, DUET_EIO, "%s: larger than %d MiB", path, ASSET_SIZE_MAX >> 20);
    }
    struct asset *a = &assets[nassets];
    a->len = b.len;
    a->data = b.data ? buf_take(&b) : strdup("");
    a->name = strdup(name);
    a->type = assets_type(name);
    if (a->data == NULL || a->name == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    nassets++;
    return 0;
}

int assets_load(const char *dir, duet_err *e)
{
    assets_free();
    if (dir == NULL)
        return 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return duet_errf(e, DUET_EIO, "%s: cannot open the asset manifest (run make to build "
                         "the front-end assets)", path);
    char line[512];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (!safe_name(line))
            rc = duet_errf(e, DUET_EINPUT, "%s:%d: '%s' is not a plain relative file name",
                           path, lineno, line);
        else if (nassets == ASSETS_MAX)
            rc = duet_errf(e, DUET_EINPUT, "%s:%d: more than %d assets", path, lineno, ASSETS_MAX);
        else
            rc = load_one(dir, line, e);
    }
    fclose(f);
    if (rc != 0)
        assets_free();
    return rc;
}

void assets_free(void)
{
    for (size_t i = 0; i < nassets; i++) {
        free(assets[i].name);
        free(assets[i].data);
    }
    nassets = 0;
}

int web_asset(const char *path, struct web_res *rs)
{
    for (size_t i = 0; i < nassets; i++) {
        if (strcmp(assets[i].name, path) == 0) {
            rs->status = 200;
            rs->content_type = assets[i].type;
            buf_free(&rs->body);
            rs->body.data = assets[i].data;   /* borrowed: sent as persistent memory */
            rs->body.len = assets[i].len;
            rs->cacheable = 1;
            return 1;
        }
    }
    return 0;
}
