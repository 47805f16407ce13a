/* api.c - the v1 API: routes, parameters, handlers, problem details.
 *
 * Each handler validates every parameter before it reads anything, so a bad
 * request is a 4xx naming the parameter and value at fault, never a 500. */
#include "verbatim/api.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/files.h"
#include "verbatim/query.h"
#include "verbatim/text.h"
#include "verbatim/version.h"

extern const char vb_openapi_json[];

static vb_metrics_fn metrics_fn;
void vb_api_set_metrics(vb_metrics_fn fn) { metrics_fn = fn; }

void vb_response_free(vb_response *res)
{
    free(res->body);
    res->body = NULL;
    free(res->link);
    res->link = NULL;
}

static void set_json(vb_response *res, int status, json_t *doc)
{
    res->status = status;
    res->content_type = "application/json; charset=utf-8";
    res->body = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
    res->len = res->body ? strlen(res->body) : 0;
    json_decref(doc);
}

void vb_api_problem(vb_response *res, int status, const char *type, const char *title, const char *detail,
                    const char *target)
{
    char clean[512];
    snprintf(clean, sizeof clean, "%s", detail);
    vb_utf8_escape_invalid(clean, sizeof clean); /* the detail quotes client bytes */
    detail = clean;
    /* The whole target, however long: the sanitizer may turn each byte into
     * %XX and stops a byte short of the end. NULL when out of memory, then
     * json_pack fails and vb_api_handle answers 503. */
    if (!target) target = "/";
    size_t size = 3 * strlen(target) + 2;
    char *instance = malloc(size);
    if (instance) {
        instance[0] = '\0';
        vb_target_sanitize(instance, size, target);
    }
    vb_response_free(res);
    json_t *doc = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", title, "status", status, "detail",
                            detail, "instance", instance);
    free(instance);
    set_json(res, status, doc);
    res->content_type = "application/problem+json";
    res->cacheable = false;
}

#define BAD(res, req, detail) vb_api_problem(res, 400, "/problems/invalid-parameter", "Invalid parameter", detail, (req)->target)
#define NOT_FOUND(res, req, detail) vb_api_problem(res, 404, "/problems/not-found", "Not found", detail, (req)->target)

/* ---- request context ------------------------------------------------------- */

typedef struct ctx {
    const vb_api_config *cfg;
    vb_reader *reader;
    const vb_api_request *req;
    vb_response *res;
    vb_target target;
    char base[512];   /* scheme://host[:port] of links */
    const char *route;
} ctx;

static bool host_ok(const char *h)
{
    if (!h || !*h || strlen(h) > 255) return false;
    for (const char *p = h; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(".-:[]_", *p)))
            return false;
    return true;
}

static void set_base(ctx *c)
{
    if (c->cfg->public_url && *c->cfg->public_url) {
        snprintf(c->base, sizeof c->base, "%s", c->cfg->public_url);
        size_t n = strlen(c->base);
        while (n > 0 && c->base[n - 1] == '/') c->base[--n] = '\0';
    } else {
        snprintf(c->base, sizeof c->base, "http://%s", host_ok(c->req->host) ? c->req->host : c->cfg->listen);
    }
}

/* base + path + the query without cursor, then cursor if given: malloc'd,
 * or NULL when out of memory. Never cut: the query may be tens of KiB
 * (MAX_TARGET in http.c), and a link cut short loses its cursor, so that a
 * client following links.next gets a first page again, for ever. Sized for
 * the worst case: every byte of a name or value escaped to %XX, plus the
 * terminator and the byte vb_url_escape keeps spare. */
static char *list_url(const ctx *c, const char *cursor)
{
    size_t size = strlen(c->base) + strlen(c->target.path) + (cursor ? strlen("&cursor=") + strlen(cursor) : 0) + 2;
    for (size_t i = 0; i < c->target.count; i++)
        size += 2 + 3 * (strlen(c->target.params[i].name) + strlen(c->target.params[i].value));
    char *out = malloc(size);
    if (!out) return NULL;
    snprintf(out, size, "%s%s", c->base, c->target.path);
    bool first = true;
    for (size_t i = 0; i < c->target.count; i++) {
        if (!strcmp(c->target.params[i].name, "cursor")) continue;
        strncat(out, first ? "?" : "&", size - strlen(out) - 1);
        vb_url_escape(out, size, c->target.params[i].name);
        strncat(out, "=", size - strlen(out) - 1);
        vb_url_escape(out, size, c->target.params[i].value);
        first = false;
    }
    if (cursor) {
        strncat(out, first ? "?cursor=" : "&cursor=", size - strlen(out) - 1);
        strncat(out, cursor, size - strlen(out) - 1);
    }
    return out;
}

static vb_status check_params(ctx *c, const char *const *allowed)
{
    char detail[256];
    bool dup;
    if (vb_params_check(&c->target, allowed, detail, &dup) != VB_OK) {
        vb_api_problem(c->res, 400, dup ? "/problems/duplicate-parameter" : "/problems/unknown-parameter",
                       dup ? "Duplicate parameter" : "Unknown parameter", detail, c->req->target);
        return VB_EINVAL;
    }
    return VB_OK;
}

static void internal_error(ctx *c)
{
    vb_api_problem(c->res, 500, "/problems/internal", "Internal error", "the database could not answer; see the server log",
                   c->req->target);
}

static void overloaded(ctx *c)
{
    vb_api_problem(c->res, 503, "/problems/overloaded", "Overloaded", "out of memory", c->req->target);
}

/* Answers a page of a list with the envelope and the Link header. Takes
 * extra_meta. */
static void send_page(ctx *c, vb_page *page, const vb_list_query *q, json_t *extra_meta)
{
    char cursor[1024], *next = NULL, *link = NULL;
    char *self = list_url(c, vb_param_get(&c->target, "cursor"));
    if (page->more) {
        vb_cursor_encode(&page->last, vb_query_hash(c->route, &c->target), cursor, sizeof cursor);
        next = list_url(c, cursor);
        size_t size = next ? strlen(next) + sizeof "<>; rel=\"next\"" : 0;
        if (next && (link = malloc(size))) snprintf(link, size, "<%s>; rel=\"next\"", next);
    }
    if (!self || (page->more && !link)) { /* a 503, never a page with a link cut or missing */
        overloaded(c);
        json_decref(extra_meta);
        goto done;
    }
    json_t *meta = json_pack("{s:I, s:i}", "total", (json_int_t)page->total, "limit", q->limit);
    json_t *links = json_pack("{s:s}", "self", self);
    if (page->more) {
        json_object_set_new(meta, "next", json_string(cursor));
        json_object_set_new(links, "next", json_string(next));
    } else {
        json_object_set_new(meta, "next", json_null());
        json_object_set_new(links, "next", json_null());
    }
    if (extra_meta) json_object_update(meta, extra_meta);
    json_decref(extra_meta);
    set_json(c->res, 200, json_pack("{s:o, s:o, s:o}", "data", page->items, "meta", meta, "links", links));
    page->items = NULL;
    c->res->cacheable = true;
    c->res->link = link; /* the response owns it now */
    link = NULL;
done:
    free(self);
    free(next);
    free(link);
}

/* limit and cursor, shared by every list. */
static vb_status parse_paging(ctx *c, vb_list_query *q)
{
    char detail[256];
    if (vb_parse_limit(vb_param_get(&c->target, "limit"), &q->limit, detail) != VB_OK) {
        BAD(c->res, c->req, detail);
        return VB_EINVAL;
    }
    const char *cursor = vb_param_get(&c->target, "cursor");
    if (cursor) {
        vb_status rc = vb_cursor_decode(cursor, vb_query_hash(c->route, &c->target), &q->after);
        if (rc == VB_ENOTFOUND) {
            vb_api_problem(c->res, 410, "/problems/cursor-expired", "Cursor expired",
                           "cursor: this cursor's format is no longer served; start over from the first page", c->req->target);
            return VB_EINVAL;
        }
        if (rc != VB_OK) {
            vb_api_problem(c->res, 400, "/problems/invalid-cursor", "Invalid cursor",
                           "cursor: not a cursor of this list (take it from the previous page's links.next, with the same filters and sort)",
                           c->req->target);
            return VB_EINVAL;
        }
        q->has_after = true;
    }
    return VB_OK;
}

static vb_status parse_text_search(ctx *c, vb_list_query *q, char **fts)
{
    char detail[256];
    const char *text = vb_param_get(&c->target, "q");
    *fts = NULL;
    if (!text) return VB_OK;
    if (!(*fts = vb_fts_expression(text, detail))) {
        BAD(c->res, c->req, detail);
        return VB_EINVAL;
    }
    q->fts = *fts;
    return VB_OK;
}

static vb_status parse_speaker(ctx *c, vb_list_query *q, char **ids, json_t **matched)
{
    const char *speaker = vb_param_get(&c->target, "speaker");
    *ids = NULL;
    *matched = NULL;
    if (!speaker) return VB_OK;
    char *fold = vb_fold(speaker);
    if (!fold || !*fold) {
        free(fold);
        BAD(c->res, c->req, "speaker: empty; give a speaker id, a name, an alias or a last name");
        return VB_EINVAL;
    }
    vb_status rc = vb_reader_find_speakers(c->reader, fold, matched, ids);
    free(fold);
    if (rc != VB_OK) { internal_error(c); return VB_ERR; }
    q->speaker_ids = *ids;
    return VB_OK;
}

static vb_status parse_dates_params(ctx *c, vb_list_query *q, const char *date)
{
    char detail[256];
    if (vb_parse_dates(date, vb_param_get(&c->target, "from"), vb_param_get(&c->target, "to"), q, detail) != VB_OK) {
        BAD(c->res, c->req, detail);
        return VB_EINVAL;
    }
    return VB_OK;
}

/* ---- handlers ---------------------------------------------------------------- */

static void articles(ctx *c, const char *period)
{
    static const char *const allowed[] = {"date", "from", "to", "q", "speaker", "lang", "sort", "limit", "cursor", NULL};
    static const char *const allowed_period[] = {"from", "to", "q", "speaker", "lang", "sort", "limit", "cursor", NULL};
    vb_list_query q = {0};
    char *fts = NULL, *ids = NULL, detail[256];
    json_t *matched = NULL;
    vb_page page = {0};
    if (check_params(c, period ? allowed_period : allowed)) return;
    if (period) {
        vb_date d;
        if (vb_date_parse(period, &d) != VB_OK) {
            snprintf(detail, sizeof detail, "period: '%.40s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", period);
            BAD(c->res, c->req, detail);
            return;
        }
    }
    if (parse_dates_params(c, &q, period ? period : vb_param_get(&c->target, "date"))) return;
    const char *lang = vb_param_get(&c->target, "lang"), *sort = vb_param_get(&c->target, "sort");
    if (lang && strcmp(lang, "fr") && strcmp(lang, "en")) {
        snprintf(detail, sizeof detail, "lang: '%.40s' is not a language of the corpus (fr or en)", lang);
        BAD(c->res, c->req, detail);
        return;
    }
    q.lang = lang;
    if (sort && strcmp(sort, "-date") && strcmp(sort, "date")) {
        snprintf(detail, sizeof detail, "sort: '%.40s' is not a sort order (-date or date)", sort);
        BAD(c->res, c->req, detail);
        return;
    }
    q.sort = sort && !strcmp(sort, "date") ? VB_SORT_DATE_ASC : VB_SORT_DATE_DESC;
    if (parse_paging(c, &q) || parse_text_search(c, &q, &fts) || parse_speaker(c, &q, &ids, &matched)) goto done;
    if (vb_reader_articles(c->reader, &q, c->base, &page) != VB_OK) { internal_error(c); goto done; }
    send_page(c, &page, &q, NULL);
done:
    json_decref(page.items);
    json_decref(matched);
    free(fts);
    free(ids);
}

static void quotes(ctx *c, const char *speaker_id)
{
    static const char *const allowed[] = {"speaker", "q", "article", "date", "from", "to", "limit", "cursor", NULL};
    static const char *const allowed_one[] = {"q", "article", "date", "from", "to", "limit", "cursor", NULL};
    vb_list_query q = {0};
    char *fts = NULL, *ids = NULL;
    json_t *matched = NULL, *extra = NULL;
    vb_page page = {0};
    if (check_params(c, speaker_id ? allowed_one : allowed)) return;
    if (parse_dates_params(c, &q, vb_param_get(&c->target, "date")) || parse_paging(c, &q) ||
        parse_text_search(c, &q, &fts))
        goto done;
    q.article = vb_param_get(&c->target, "article");
    if (speaker_id) {
        json_t *sp = NULL;
        vb_status rc = vb_reader_speaker(c->reader, speaker_id, c->base, &sp);
        json_decref(sp);
        if (rc == VB_ENOTFOUND) { NOT_FOUND(c->res, c->req, "no speaker has this id"); goto done; }
        if (rc != VB_OK) { internal_error(c); goto done; }
        json_t *one = json_pack("[s]", speaker_id);
        ids = json_dumps(one, JSON_COMPACT);
        json_decref(one);
        q.speaker_ids = ids;
    } else {
        if (parse_speaker(c, &q, &ids, &matched)) goto done;
        if (matched) extra = json_pack("{s:O}", "speakers", matched);
    }
    if (vb_reader_quotes(c->reader, &q, c->base, &page) != VB_OK) { internal_error(c); json_decref(extra); goto done; }
    send_page(c, &page, &q, extra);
done:
    json_decref(page.items);
    json_decref(matched);
    free(fts);
    free(ids);
}

static void speakers(ctx *c)
{
    static const char *const allowed[] = {"q", "kind", "sort", "limit", "cursor", NULL};
    vb_list_query q = {0};
    char detail[256], *name_part = NULL;
    vb_page page = {0};
    if (check_params(c, allowed)) return;
    const char *kind = vb_param_get(&c->target, "kind"), *sort = vb_param_get(&c->target, "sort");
    const char *text = vb_param_get(&c->target, "q");
    if (kind && strcmp(kind, "person") && strcmp(kind, "organization") && strcmp(kind, "group") && strcmp(kind, "anonymous")) {
        snprintf(detail, sizeof detail, "kind: '%.40s' is not a kind (person, organization, group, anonymous)", kind);
        BAD(c->res, c->req, detail);
        return;
    }
    if (sort && strcmp(sort, "-quote_count") && strcmp(sort, "name")) {
        snprintf(detail, sizeof detail, "sort: '%.40s' is not a sort order (-quote_count or name)", sort);
        BAD(c->res, c->req, detail);
        return;
    }
    if (text) {
        name_part = vb_fold(text);
        if (!name_part || !*name_part) {
            free(name_part);
            BAD(c->res, c->req, "q: empty; give part of a name");
            return;
        }
    }
    q.kind = kind;
    q.name_part = name_part;
    q.sort = sort && !strcmp(sort, "name") ? VB_SORT_NAME : VB_SORT_COUNT_DESC;
    if (parse_paging(c, &q)) goto done;
    if (vb_reader_speakers(c->reader, &q, c->base, &page) != VB_OK) { internal_error(c); goto done; }
    send_page(c, &page, &q, NULL);
done:
    json_decref(page.items);
    free(name_part);
}

static void dates(ctx *c)
{
    static const char *const allowed[] = {"granularity", NULL};
    char detail[256];
    json_t *data;
    long long undated, total;
    if (check_params(c, allowed)) return;
    const char *g = vb_param_get(&c->target, "granularity");
    int granularity = 2;
    if (g && !strcmp(g, "year")) granularity = 1;
    else if (g && !strcmp(g, "day")) granularity = 3;
    else if (g && strcmp(g, "month")) {
        snprintf(detail, sizeof detail, "granularity: '%.40s' is not one of year, month, day", g);
        BAD(c->res, c->req, detail);
        return;
    }
    if (vb_reader_dates(c->reader, granularity, &data, &undated, &total) != VB_OK) { internal_error(c); return; }
    static const char *const names[] = {NULL, "year", "month", "day"};
    set_json(c->res, 200, json_pack("{s:o, s:{s:I, s:I, s:s}}", "data", data, "meta", "total", (json_int_t)total,
                                    "undated", (json_int_t)undated, "granularity", names[granularity]));
    c->res->cacheable = true;
}

typedef vb_status (*one_fn)(vb_reader *, const char *, const char *, json_t **);

static void one(ctx *c, one_fn fn, const char *id, const char *what)
{
    static const char *const none[] = {NULL};
    json_t *o;
    char detail[256];
    if (check_params(c, none)) return;
    vb_status rc = fn(c->reader, id, c->base, &o);
    if (rc == VB_ENOTFOUND) {
        snprintf(detail, sizeof detail, "no %s has the id '%.80s'", what, id);
        NOT_FOUND(c->res, c->req, detail);
        return;
    }
    if (rc != VB_OK) { internal_error(c); return; }
    set_json(c->res, 200, json_pack("{s:o}", "data", o));
    c->res->cacheable = true;
}

static void index_page(ctx *c, const vb_corpus *corpus)
{
    static const char *const none[] = {NULL};
    char url[9][600];
    static const char *const paths[] = {"/v1/articles", "/v1/dates", "/v1/speakers", "/v1/quotes", "/v1/openapi.json",
                                        "/healthz", "/readyz", "/metrics", "/"};
    if (check_params(c, none)) return;
    for (int i = 0; i < 9; i++) snprintf(url[i], sizeof url[i], "%s%s", c->base, paths[i]);
    set_json(c->res, 200, json_pack("{s:{s:s, s:s, s:{s:I, s:I, s:I, s:I, s:s}}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
        "data", "name", "verbatim", "version", VB_VERSION, "corpus", "version", (json_int_t)corpus->version,
        "articles", (json_int_t)corpus->articles, "quotes", (json_int_t)corpus->quotes,
        "speakers", (json_int_t)corpus->speakers, "loaded_at", corpus->loaded_at,
        "links", "articles", url[0], "dates", url[1], "speakers", url[2], "quotes", url[3], "openapi", url[4],
        "health", url[5], "ready", url[6], "metrics", url[7], "web", url[8]));
    c->res->cacheable = true;
}

/* ---- static files ------------------------------------------------------------ */

static const char *content_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js") || !strcmp(dot, ".mjs")) return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".css")) return "text/css; charset=utf-8";
    if (!strcmp(dot, ".svg")) return "image/svg+xml";
    if (!strcmp(dot, ".png")) return "image/png";
    if (!strcmp(dot, ".ico")) return "image/x-icon";
    if (!strcmp(dot, ".json")) return "application/json; charset=utf-8";
    if (!strcmp(dot, ".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

static const char fallback_page[] =
    "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>verbatim</title>"
    "<h1>verbatim</h1><p>Who said what, and when. The API: <a href=\"/v1\">/v1</a>, "
    "<a href=\"/v1/articles\">articles</a>, <a href=\"/v1/speakers\">speakers</a>, "
    "<a href=\"/v1/quotes\">quotes</a>, <a href=\"/v1/dates\">dates</a>, "
    "<a href=\"/v1/openapi.json\">OpenAPI</a>.</p></html>\n";

static bool serve_static(ctx *c, char **segs, size_t count)
{
    char path[4096], why[96];
    size_t n = 0;
    n += (size_t)snprintf(path, sizeof path, "%s", c->cfg->web_root ? c->cfg->web_root : "");
    if (count == 0) {
        strncat(path, "/index.html", sizeof path - strlen(path) - 1);
    } else {
        for (size_t i = 0; i < count; i++) {
            for (const char *p = segs[i]; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.", *p)))
                    return false;
            if (segs[i][0] == '.') return false;
            n = strlen(path);
            snprintf(path + n, sizeof path - n, "/%s", segs[i]);
        }
    }
    char *data = NULL;
    size_t len = 0;
    if (!c->cfg->web_root || vb_read_file(path, 8 << 20, &data, &len, why, NULL) != VB_OK) {
        if (count != 0) return false;
        data = strdup(fallback_page);
        if (!data) return false;
        len = strlen(data);
        strcpy(path, "index.html");
    }
    c->res->status = 200;
    c->res->body = data;
    c->res->len = len;
    c->res->content_type = content_type_of(path);
    c->res->cacheable = true;
    return true;
}

/* ---- routing --------------------------------------------------------------- */

void vb_api_handle(const vb_api_config *cfg, vb_reader *r, const vb_api_request *req, vb_response *res)
{
    ctx c = {cfg, r, req, res, {0}, "", ""};
    char *segs[4] = {0}, detail[256];
    size_t count = 0;
    vb_corpus corpus;
    bool in_txn = false;
    static const char *const none[] = {NULL};

    memset(res, 0, sizeof *res);
    res->route = "other";
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        snprintf(detail, sizeof detail, "method %.20s is not allowed; use GET, HEAD or OPTIONS", req->method);
        vb_api_problem(res, 405, "/problems/method-not-allowed", "Method not allowed", detail, req->target);
        return;
    }
    /* "GET http://host/v1 HTTP/1.1" (absolute form, RFC 9112 3.2.2): the
     * path starts after the authority. */
    const char *target = req->target;
    if (!strncmp(target, "http://", 7) || !strncmp(target, "https://", 8)) {
        const char *path = strchr(target + (target[4] == 's' ? 8 : 7), '/');
        target = path ? path : "/";
    }
    vb_status rc = vb_target_parse(target, &c.target, detail);
    if (rc == VB_OK) rc = vb_path_segments(c.target.path, segs, 4, &count, detail);
    if (rc == VB_EINVAL) {
        vb_api_problem(res, 400, "/problems/malformed-request", "Malformed request", detail, req->target);
        goto done;
    }
    if (rc == VB_ENOTFOUND) { NOT_FOUND(res, req, "no such path"); goto done; }
    if (rc != VB_OK) { overloaded(&c); goto done; }
    set_base(&c);

#define IS(i, s) (count > (i) && !strcmp(segs[i], (s)))
    if (count == 1 && IS(0, "healthz")) {
        c.route = res->route = "/healthz";
        if (check_params(&c, none)) goto done;
        set_json(res, 200, json_pack("{s:s}", "status", "ok"));
        goto done;
    }
    if (count == 1 && IS(0, "metrics")) {
        c.route = res->route = "/metrics";
        if (check_params(&c, none)) goto done;
        res->status = 200;
        res->content_type = "text/plain; version=0.0.4; charset=utf-8";
        res->body = metrics_fn ? metrics_fn(&res->len) : strdup("");
        if (!metrics_fn && res->body) res->len = 0;
        goto done;
    }
    if (count == 2 && IS(0, "v1") && IS(1, "openapi.json")) {
        c.route = res->route = "/v1/openapi.json";
        if (check_params(&c, none)) goto done;
        res->status = 200;
        res->content_type = "application/json; charset=utf-8";
        res->body = strdup(vb_openapi_json);
        res->len = res->body ? strlen(res->body) : 0;
        res->cacheable = true;
        goto done;
    }
    if (!(count >= 1 && (IS(0, "v1") || IS(0, "readyz")))) {
        /* Static files take any query (cache busting, tracking tags): the
         * files do not depend on it. */
        res->route = "/";
        if (!serve_static(&c, segs, count)) NOT_FOUND(res, req, "no such path");
        goto done;
    }
    /* Everything else reads the corpus. */
    if (!req->ready || !r || vb_reader_begin(r, &corpus) != VB_OK || corpus.version == 0) {
        res->route = IS(0, "readyz") ? "/readyz" : "/v1";
        vb_api_problem(res, 503, "/problems/not-ready", "Not ready", "the corpus is not loaded yet; try again shortly", req->target);
        goto done;
    }
    in_txn = true;
    res->corpus_version = corpus.version;
    if (count == 1 && IS(0, "readyz")) {
        c.route = res->route = "/readyz";
        if (check_params(&c, none)) goto done;
        set_json(res, 200, json_pack("{s:s, s:I, s:I}", "status", "ready", "corpus_version", (json_int_t)corpus.version,
                                     "articles", (json_int_t)corpus.articles));
        goto done;
    }
    if (count == 1) { c.route = res->route = "/v1"; index_page(&c, &corpus); goto done; }
    if (IS(1, "articles") && count == 2) { c.route = res->route = "/v1/articles"; articles(&c, NULL); goto done; }
    if (IS(1, "articles") && count == 3) { c.route = res->route = "/v1/articles/{id}"; one(&c, vb_reader_article, segs[2], "article"); goto done; }
    if (IS(1, "dates") && count == 2) { c.route = res->route = "/v1/dates"; dates(&c); goto done; }
    if (IS(1, "dates") && count == 3) { c.route = res->route = "/v1/dates/{period}"; articles(&c, segs[2]); goto done; }
    if (IS(1, "speakers") && count == 2) { c.route = res->route = "/v1/speakers"; speakers(&c); goto done; }
    if (IS(1, "speakers") && count == 3) { c.route = res->route = "/v1/speakers/{id}"; one(&c, vb_reader_speaker, segs[2], "speaker"); goto done; }
    if (IS(1, "speakers") && count == 4 && IS(3, "quotes")) { c.route = res->route = "/v1/speakers/{id}/quotes"; quotes(&c, segs[2]); goto done; }
    if (IS(1, "quotes") && count == 2) { c.route = res->route = "/v1/quotes"; quotes(&c, NULL); goto done; }
    if (IS(1, "quotes") && count == 3) { c.route = res->route = "/v1/quotes/{id}"; one(&c, vb_reader_quote, segs[2], "quote"); goto done; }
    NOT_FOUND(res, req, "no such path");
#undef IS
done:
    if (in_txn) vb_reader_end(r);
    for (size_t i = 0; i < count; i++) free(segs[i]);
    vb_target_free(&c.target);
    if (!res->body && res->status != 304) { /* out of memory while rendering */
        free(res->link);
        res->link = NULL;
        res->status = 503;
        res->content_type = "application/problem+json";
        res->body = strdup("{\"type\":\"/problems/overloaded\",\"title\":\"Overloaded\",\"status\":503,\"detail\":\"out of memory\"}");
        res->len = res->body ? strlen(res->body) : 0;
        res->cacheable = false;
    }
}
