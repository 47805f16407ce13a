/* api.h - the v1 API: routes, parameters, handlers, problem details.
 *
 * Knows nothing of libmicrohttpd: a request comes in as method, raw target
 * and host, a response goes out as status, body and the few headers that
 * depend on the route. HTTP-wide headers (CORS, caching, compression) are
 * http.c's job. */
#ifndef VERBATIM_API_H
#define VERBATIM_API_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/store.h"

typedef struct vb_api_config {
    const char *public_url; /* or NULL */
    const char *listen;     /* fallback host for links */
    const char *web_root;   /* folder of the frontend's static files */
} vb_api_config;

typedef struct vb_api_request {
    const char *method;
    const char *target; /* raw request target, as sent */
    const char *host;   /* Host header, or NULL */
    bool ready;         /* a corpus is loaded */
} vb_api_request;

typedef struct vb_response {
    int status;
    char *body;               /* malloc'd, owned by the response */
    size_t len;
    const char *content_type;
    bool cacheable;           /* 200 to GET of corpus data: ETag and Cache-Control public */
    long long corpus_version; /* goes into the ETag */
    char *link;               /* Link header value, malloc'd, owned by the response; or NULL */
    const char *route;        /* route pattern, for metrics */
} vb_response;

/* Answers req, reading with r (may be NULL before the first load). */
void vb_api_handle(const vb_api_config *cfg, vb_reader *r, const vb_api_request *req, vb_response *res);

/* A problem response (RFC 9457). */
void vb_api_problem(vb_response *res, int status, const char *type, const char *title, const char *detail,
                    const char *target);

/* Frees body and link (and sets them NULL: calling it twice is safe). */
void vb_response_free(vb_response *res);

/* The metrics text is rendered by the server; the API only routes to it. */
typedef char *(*vb_metrics_fn)(size_t *len);
void vb_api_set_metrics(vb_metrics_fn fn);

#endif
