/* http.h - the HTTP server: all of libmicrohttpd lives in http.c.
 *
 * A thread pool with epoll; explicit connection, per-IP, timeout and memory
 * limits; HTTP-wide semantics around the API's answers: HEAD, OPTIONS
 * preflight, CORS, Vary, ETag and If-None-Match, Cache-Control, gzip, the
 * 414/431 limits, and one access log line per request. */
#ifndef VERBATIM_HTTP_H
#define VERBATIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/api.h"
#include "verbatim/status.h"

typedef struct vb_http vb_http;

/* Answers one request; called on a worker thread. */
typedef void (*vb_handler)(void *cls, const vb_api_request *req, vb_response *res);

typedef struct vb_http_config {
    const char *listen;        /* HOST:PORT */
    unsigned threads, connection_limit, per_ip_limit, timeout;
    size_t memory_limit;
    const char *cors_origin;
    unsigned cache_max_age;
    size_t cache_size;         /* bytes of rendered responses kept; 0: no cache */
    const char *public_url;    /* set: links do not depend on Host */
    vb_handler handler;
    void *handler_cls;
    bool (*ready)(void);
} vb_http_config;

vb_status vb_http_start(const vb_http_config *cfg, vb_http **out);

/* After a load: the corpus version now served; empties the response cache. */
void vb_http_set_version(vb_http *h, long long version);

/* Bytes held by the response cache. */
size_t vb_http_cache_bytes(vb_http *h);

/* Stops accepting connections, waits up to grace_seconds for requests in
 * flight to finish, then stops. */
void vb_http_stop(vb_http *h, unsigned grace_seconds);

#endif
