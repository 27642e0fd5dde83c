/*
** server.h — `duet serve`: the HTTP server.
*/
#ifndef DUET_WEB_SERVER_H
#define DUET_WEB_SERVER_H

#include <stdio.h>

#include "core/err.h"

struct web_config {
    const char *db_path;
    char host[64];
    int port;
    int threads;               /* worker threads (epoll each); 0 = 2 per core, at least 4 */
    const char *assets_dir;    /* folder with manifest.txt (from scripts/assets.sh) */
    const char *tls_cert;      /* PEM files: both or neither */
    const char *tls_key;
    FILE *access_log;          /* one JSON object per request; NULL = none */
    int per_ip_connections;    /* 0 = 128 */
    int timeout_s;             /* idle connection timeout; 0 = 30 */
    int head_timeout_s;        /* the whole request head must arrive within this
                                  (from the connection or the previous response);
                                  0 = 10 */
    /* Called once listening, with the address (e.g. to print it). */
    void (*on_ready)(const struct web_config *cfg, void *ctx);
    void *ctx;
};

/* Serves until SIGINT or SIGTERM, then stops accepting, lets requests in
** progress finish, closes the database and returns 0. */
int web_serve(const struct web_config *cfg, duet_err *e);

#endif
