/*
** json.c — jansson parsing with duet's error message.
*/
#include "core/json.h"

json_t *duet_json_load(const char *data, size_t len, size_t flags, const char *src, duet_err *e)
{
    json_error_t jerr;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES | flags, &jerr);
    if (doc == NULL) {
        if (jerr.line >= 1)
            duet_errf(e, DUET_EINPUT, "%s:%d:%d: invalid JSON: %s", src, jerr.line, jerr.column,
                      jerr.text);
        else
            duet_errf(e, DUET_EINPUT, "%s: invalid JSON: %s", src, jerr.text);
    }
    return doc;
}
