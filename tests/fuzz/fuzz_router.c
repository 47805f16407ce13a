/* fuzz_router.c - vb_api_handle with no database (NULL reader, not ready):
 * any method, target and Host header. It must answer 200..599 and never
 * crash; every answer that is not 2xx is a problem document (JSON with
 * "status" equal to the response's status).
 *
 * Input: "METHOD\nTARGET\nHOST" (HOST optional: no Host header when the
 * second newline is missing). A first byte 0x00..0x07 is a set of flags:
 * 1 sets public_url, 2 sets a web_root that does not exist, 4 registers a
 * metrics function. */
#include <jansson.h>

#include "fuzz.h"
#include "verbatim/api.h"

static char *metrics(size_t *len)
{
    char *s = strdup("verbatim_up 1\n");
    if (s) *len = strlen(s);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned flags = 0;
    if (size > 0 && data[0] <= 7) { flags = data[0]; data++; size--; }
    char *buf = fuzz_strndup(data, size);
    char *method = buf, *target = "", *host = NULL;
    char *nl = strchr(buf, '\n');
    if (nl) {
        *nl = '\0';
        target = nl + 1;
        if ((nl = strchr(target, '\n'))) { *nl = '\0'; host = nl + 1; }
    }
    vb_api_config cfg = {flags & 1 ? "https://verbatim.example/api/" : NULL, "127.0.0.1:8080",
                         flags & 2 ? "/nonexistent/verbatim-fuzz-web-root" : NULL};
    vb_api_set_metrics(flags & 4 ? metrics : NULL);
    vb_api_request req = {method, target, host, false};
    vb_response res;
    memset(&res, 0xA5, sizeof res);
    vb_api_handle(&cfg, NULL, &req, &res);

    FUZZ_CHECK(res.status >= 200 && res.status <= 599, "status %d", res.status);
    FUZZ_CHECK(res.content_type != NULL, "status %d with no content type", res.status);
    FUZZ_CHECK(res.route != NULL, "status %d with no route", res.status);
    FUZZ_CHECK(res.link == NULL, "a Link header with no corpus to list: %s", res.link); /* only lists have one */
    /* A problem whose detail is not UTF-8 cannot be rendered: a 405 with no
     * body, or another status turned into a 503 "overloaded". */
    int known = fuzz_known("problem-detail-utf8");
    if (known && !res.body && res.status == 405) { free(buf); return 0; }
    FUZZ_CHECK(res.body != NULL || res.status == 304, "status %d with no body", res.status);
    if (res.status < 200 || res.status > 299) {
        FUZZ_CHECK(res.len == strlen(res.body), "len %zu, body of %zu bytes", res.len, strlen(res.body));
        json_error_t err;
        json_t *doc = json_loads(res.body, 0, &err);
        FUZZ_CHECK(json_is_object(doc), "status %d: body is not a JSON object (%s): %s", res.status, err.text, res.body);
        json_t *st = json_object_get(doc, "status");
        FUZZ_CHECK(json_is_integer(st) && json_integer_value(st) == res.status, "status %d, body says %s", res.status,
                   res.body);
        const char *type = json_string_value(json_object_get(doc, "type"));
        FUZZ_CHECK(type && json_is_string(json_object_get(doc, "title")), "problem without type or title: %s", res.body);
        /* Nothing runs out of memory here: "overloaded" means a response
         * that could not be rendered. */
        FUZZ_CHECK(known || strcmp(type, "/problems/overloaded") != 0, "status %d overloaded with no memory shortage: %s",
                   res.status, res.body);
        FUZZ_CHECK(!strcmp(res.content_type, "application/problem+json"), "problem served as %s", res.content_type);
        json_decref(doc);
    } else if (strcmp(res.route, "/v1/openapi.json") != 0 && !strncmp(res.content_type, "application/json", 16)) {
        json_t *doc = json_loads(res.body, 0, NULL);
        FUZZ_CHECK(doc != NULL, "status %d: JSON body does not parse: %s", res.status, res.body);
        json_decref(doc);
    }
    vb_response_free(&res);
    free(buf);
    return 0;
}
