/*
** assets.c — the in-memory asset table (see assets.h).
*/
#include "web/assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "web/web.h"

#define ASSETS_MAX 256
#define ASSET_SIZE_MAX (8 * 1024 * 1024)

/* The representations of a file, in order of preference for a client that
** accepts them all equally: brotli, gzip, then the file itself. */
enum { ENC_BR, ENC_GZIP, ENC_IDENTITY, ENC_N };
static const char *const enc_token[ENC_N] = {"br", "gzip", "identity"};
static const char *const enc_suffix[ENC_N] = {".br", ".gz", ""};

static struct asset {
    char *name;       /* relative path, as requested after /assets/ */
    char *hashed;     /* its content-hashed name (NAME.HASH.EXT), or NULL */
    char *href;       /* "/assets/" + hashed (or name): what pages link to */
    struct { char *data; size_t len; int have; } rep[ENC_N];
    const char *type;
} assets[ASSETS_MAX];
static size_t nassets;

#define CACHE_SHORT "public, max-age=3600"
#define CACHE_IMMUTABLE "public, max-age=31536000, immutable"

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

/* Reads dir/name into *data (a file of 0 bytes gives ""). */
static int read_file(const char *dir, const char *name, char **data, size_t *len, duet_err *e)
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
    *len = b.len;
    *data = b.data ? buf_take(&b) : strdup("");
    if (*data == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    return 0;
}

/* Whether hashed is name with ".HEX" (8 to 64 hex digits) before its
** extension: duet.css -> duet.3f2a9c1e4b5d.css. */
static int hashed_form(const char *name, const char *hashed)
{
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    if (dot == NULL || (slash && dot < slash))
        return 0;
    size_t stem = (size_t)(dot - name), ext = strlen(dot), len = strlen(hashed);
    if (len < stem + 1 + 8 + ext || strncmp(hashed, name, stem) != 0 || hashed[stem] != '.' ||
        strcmp(hashed + len - ext, dot) != 0)
        return 0;
    size_t ndigits = len - ext - stem - 1;
    if (ndigits > 64)
        return 0;
    for (size_t i = stem + 1; i < len - ext; i++)
        if (!((hashed[i] >= '0' && hashed[i] <= '9') || (hashed[i] >= 'a' && hashed[i] <= 'f')))
            return 0;
    return 1;
}

/* One manifest line: "NAME [HASHED [br] [gz]]" (fields split at spaces). */
static int load_line(const char *dir, char *line, const char *where, duet_err *e)
{
    char *field[4];
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (n == 4)
            return duet_errf(e, DUET_EINPUT, "%s: more than 4 fields", where);
        field[n++] = tok;
    }
    for (int i = 0; i < n && i < 2; i++)
        if (!safe_name(field[i]))
            return duet_errf(e, DUET_EINPUT, "%s: '%s' is not a plain relative file name",
                             where, field[i]);
    if (n >= 2 && !hashed_form(field[0], field[1]))
        return duet_errf(e, DUET_EINPUT, "%s: '%s' is not '%s' with a hex hash before its "
                         "extension", where, field[1], field[0]);
    if (nassets == ASSETS_MAX)
        return duet_errf(e, DUET_EINPUT, "%s: more than %d assets", where, ASSETS_MAX);
    struct asset *a = &assets[nassets];
    memset(a, 0, sizeof *a);
    nassets++;   /* counted now, so assets_free() frees whatever was loaded */
    a->type = assets_type(field[0]);
    a->name = strdup(field[0]);
    a->hashed = n >= 2 ? strdup(field[1]) : NULL;
    size_t hl = strlen("/assets/") + strlen(n >= 2 ? field[1] : field[0]) + 1;
    a->href = malloc(hl);
    if (a->name == NULL || (n >= 2 && a->hashed == NULL) || a->href == NULL)
        return duet_errf(e, DUET_EINTERNAL, "out of memory");
    snprintf(a->href, hl, "/assets/%s", n >= 2 ? field[1] : field[0]);
    for (int i = 2; i < n; i++) {
        int k = strcmp(field[i], "br") == 0 ? ENC_BR : strcmp(field[i], "gz") == 0 ? ENC_GZIP : -1;
        if (k < 0)
            return duet_errf(e, DUET_EINPUT, "%s: '%s' is not a precompressed copy (br or gz)",
                             where, field[i]);
        if (a->rep[k].have)
            return duet_errf(e, DUET_EINPUT, "%s: '%s' is listed twice", where, field[i]);
        a->rep[k].have = 1;
    }
    a->rep[ENC_IDENTITY].have = 1;
    for (int k = 0; k < ENC_N; k++) {
        if (!a->rep[k].have)
            continue;
        char file[300];
        snprintf(file, sizeof file, "%s%s", field[0], enc_suffix[k]);
        if (read_file(dir, file, &a->rep[k].data, &a->rep[k].len, e) != 0)
            return -1;
    }
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
        if (line[strspn(line, " \t")] == '\0' || line[0] == '#')
            continue;
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        rc = load_line(dir, line, where, e);
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
        free(assets[i].hashed);
        free(assets[i].href);
        for (int k = 0; k < ENC_N; k++)
            free(assets[i].rep[k].data);
    }
    nassets = 0;
}

const char *assets_href(const char *href)
{
    if (strncmp(href, "/assets/", 8) != 0)
        return href;
    for (size_t i = 0; i < nassets; i++)
        if (strcmp(assets[i].name, href + 8) == 0)
            return assets[i].href;
    return href;
}

/* A qvalue (RFC 9110 12.4.2: "0" ["." 0*3DIGIT] or "1" ["." 0*3"0"]) in
** thousandths, from s up to end; -1 when it is not one. */
static int qvalue(const char *s, const char *end)
{
    if (s == end || (*s != '0' && *s != '1'))
        return -1;
    int q = (*s++ - '0') * 1000;
    if (s < end && *s == '.') {
        s++;
        for (int scale = 100; s < end && scale >= 1; scale /= 10, s++) {
            if (*s < '0' || *s > '9')
                return -1;
            q += (*s - '0') * scale;
        }
    }
    return s == end && q <= 1000 ? q : -1;
}

static int token_is(const char *s, size_t n, const char *tok)
{
    return strlen(tok) == n && strncasecmp(s, tok, n) == 0;
}

int assets_pick_encoding(const char *accept, int have_br, int have_gzip)
{
    if (accept == NULL)
        return ENC_IDENTITY;   /* no header: the file as it is */
    /* q of each coding: -1 = not named. */
    int q[ENC_N] = {-1, -1, -1}, star = -1;
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t tlen = (size_t)(p - tok);
        int weight = 1000;
        /* Parameters: only q counts; a malformed q makes the entry unacceptable. */
        while (*p && *p != ',') {
            while (*p == ' ' || *p == '\t' || *p == ';')
                p++;
            const char *par = p;
            while (*p && *p != ',' && *p != ';')
                p++;
            const char *pend = p;
            while (pend > par && (pend[-1] == ' ' || pend[-1] == '\t'))
                pend--;
            if (pend - par >= 2 && (par[0] == 'q' || par[0] == 'Q') && par[1] == '=') {
                int v = qvalue(par + 2, pend);
                weight = v < 0 ? 0 : v;
            }
        }
        if (token_is(tok, tlen, "br"))
            q[ENC_BR] = weight;
        else if (token_is(tok, tlen, "gzip") || token_is(tok, tlen, "x-gzip"))
            q[ENC_GZIP] = weight;
        else if (token_is(tok, tlen, "identity"))
            q[ENC_IDENTITY] = weight;
        else if (token_is(tok, tlen, "*"))
            star = weight;
    }
    /* Codings not named take *'s weight; identity is acceptable unless
    ** refused by name or by *;q=0 (RFC 9110 12.5.3). */
    for (int k = 0; k < ENC_N; k++)
        if (q[k] < 0)
            q[k] = star >= 0 ? star : (k == ENC_IDENTITY ? 1 : 0);
    if (!have_br)
        q[ENC_BR] = 0;
    if (!have_gzip)
        q[ENC_GZIP] = 0;
    int best = ENC_IDENTITY;   /* also when nothing is acceptable: send the file */
    int bestq = 0;
    for (int k = 0; k < ENC_N; k++)
        if (q[k] > bestq) {
            best = k;
            bestq = q[k];
        }
    return best;
}

int web_asset(const struct web_req *rq, const char *path, struct web_res *rs)
{
    for (size_t i = 0; i < nassets; i++) {
        struct asset *a = &assets[i];
        int immutable = a->hashed && strcmp(a->hashed, path) == 0;
        if (!immutable && strcmp(a->name, path) != 0)
            continue;
        int k = assets_pick_encoding(web_header(rq, "Accept-Encoding"), a->rep[ENC_BR].have,
                                     a->rep[ENC_GZIP].have);
        rs->status = 200;
        rs->content_type = a->type;
        buf_free(&rs->body);
        rs->body.data = a->rep[k].data;   /* borrowed: sent as persistent memory */
        rs->body.len = a->rep[k].len;
        rs->cacheable = 1;
        rs->cache_control = immutable ? CACHE_IMMUTABLE : CACHE_SHORT;
        rs->content_encoding = k == ENC_IDENTITY ? NULL : enc_token[k];
        rs->vary_encoding = a->rep[ENC_BR].have || a->rep[ENC_GZIP].have;
        return 1;
    }
    return 0;
}
