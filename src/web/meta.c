/*
** meta.c — the API's description of itself and of the caller.
*/
#include <jansson.h>
#include <string.h>

#include "web/web.h"

/* docs/openapi.json, embedded by the Makefile. */
extern const char openapi_json[];

static void get_openapi(struct web_req *rq, struct web_res *rs)
{
    (void)rq;
    rs->content_type = "application/json";
    buf_puts(&rs->body, openapi_json);
}

static void get_me(struct web_req *rq, struct web_res *rs)
{
    const struct auth_principal *w = rq->who;
    json_t *me = json_pack("{s:s, s:s}", "person", w->person_key, "role",
                           auth_role_name(w->role));
    if (me && access_sees_identities(w))
        json_object_set_new(me, "display_name", json_string(w->display_name));
    web_json(rs, 200, me);
}

const struct web_route web_routes_meta[] = {
    {"GET", "/api/v1/openapi.json", ACCESS_PUBLIC, WEB_OBJ_NONE, get_openapi},
    {"GET", "/api/v1/me", ACCESS_SIGNED_IN, WEB_OBJ_NONE, get_me},
    {NULL, NULL, 0, 0, NULL},
};
