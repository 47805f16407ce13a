/* http.c - the HTTP server: all of libmicrohttpd lives here.
 *
 * Settings, and why:
 *  - MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL with a thread pool:
 *    the manual's fastest mode on Linux; each worker owns its connections,
 *    so a worker's SQLite connection is never shared.
 *  - MHD_USE_ITC: required by MHD_quiesce_daemon, for graceful stops.
 *  - connection limit (1024), per-IP limit (256), idle timeout (15 s) and
 *    per-connection memory limit are explicit flags. The memory limit is
 *    32 KiB by default: libmicrohttpd 0.9.75 zeroes the whole pool (a
 *    memset of the limit) between keep-alive requests, so its size is paid
 *    on every request. Under wrk -t1 -c64 on cached /v1/speakers, __memset
 *    was 24% of the server's CPU at 64 KiB, and the CPU per request
 *    8.7-9.0 us at 64 KiB, 6.9-7.0 us at 32 KiB, 6.6-6.9 us at 16 KiB.
 *    32 KiB keeps most of that gain and still holds a request line or a
 *    header of some 31 KiB, or an 8 KiB line with 8 KiB of headers in up
 *    to 200 lines (each header line also takes some 64 bytes of the pool).
 *    Beyond the limit libmicrohttpd answers 414/431 itself.
 *  - The raw request target comes from the URI log callback, before MHD
 *    decodes it, so that the API can refuse bad percent-encoding (MHD would
 *    decode "%zz" leniently) and keep "+" apart from "%2B".
 *  - Answers are queued on the second call of the access handler: queued
 *    on the first, libmicrohttpd closes the keep-alive connection.
 *  - A request deadline of our own (--timeout + 1 s for a whole request,
 *    kept by a watchdog thread; see tracked_conn): libmicrohttpd's idle
 *    timeout alone lets a trickling client hold a connection for ever. */
#include "verbatim/http.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "verbatim/log.h"
#include "verbatim/metrics.h"
#include "verbatim/query.h"

#define MAX_TARGET (64 * 1024)
#define MAX_HEADERS (64 * 1024)
#define GZIP_MIN 1024

/* The response cache. The corpus changes only when it is reloaded, so a
 * response is a function of the request target, the Host (links are
 * absolute) and the corpus version: each 200 is rendered once, kept as
 * ready libmicrohttpd responses (plain and gzip, with their ETags), and
 * queued again for the next identical request without touching SQLite.
 * Memory is bounded: the bodies held never exceed cache_size bytes (least
 * recently used entries of a shard go first), and a reload empties it. */
#define SHARDS 64
typedef struct cache_entry {
    struct cache_entry *next, *prev; /* LRU list of its shard, most recent first */
    uint64_t hash;
    char *key;
    long long version;
    struct MHD_Response *plain, *zipped; /* zipped: NULL when the body is small */
    char etag[48], etag_zipped[48];
    const char *route; /* for the metrics of cache hits */
    size_t bytes;
    size_t link_len; /* of its Link header, 0 without one */
} cache_entry;

typedef struct cache_shard {
    pthread_mutex_t lock;
    cache_entry *head, *tail;
} cache_shard;

/* The request deadline. libmicrohttpd 0.9.75 restarts a connection's idle
 * timer at every byte it receives, so a client that trickles a header byte
 * a second holds its connection, and a slot of every limit, for ever. Each
 * connection is tracked from the moment it opens, or finishes a request,
 * until its next request is read whole; when that takes longer than
 * --timeout, a watchdog thread shuts the socket down and libmicrohttpd,
 * reading end of file, closes the connection. The fd stays valid while the
 * watchdog holds the lock: libmicrohttpd reports a connection closed before
 * it closes the socket, and that report takes the lock. */
typedef struct tracked_conn {
    struct tracked_conn *next, *prev;
    int fd;
    atomic_llong waiting_since_ns; /* monotonic; 0 while a request is answered */
    bool shut;
} tracked_conn;

struct vb_http {
    struct MHD_Daemon *daemon;
    vb_http_config cfg;
    char cache_control[64];
    atomic_int in_flight;
    atomic_bool stopping; /* answers say Connection: close, so keep-alive clients leave */
    atomic_llong version;
    atomic_size_t cached_bytes;
    cache_shard shards[SHARDS];
    pthread_mutex_t conns_lock; /* the tracked connections and the watchdog */
    pthread_cond_t watchdog_wake;
    tracked_conn *conns;
    pthread_t watchdog;
    bool watchdog_running, watchdog_stop;
};

typedef struct request_state {
    char *target; /* points to target_text: one allocation a request */
    size_t target_len;
    struct timespec started;
    int status;
    size_t bytes;
    size_t request_bytes; /* request line and headers, as they sit in the connection's memory */
    const char *route;
    char method[16];
    bool seen; /* the access handler ran once: the headers are in */
    char target_text[];
} request_state;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_connection(void *cls, struct MHD_Connection *con, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    vb_http *h = cls;
    tracked_conn *tc = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!fd || !(tc = calloc(1, sizeof *tc))) return; /* untracked: only the idle timeout applies */
        tc->fd = fd->connect_fd;
        atomic_store(&tc->waiting_since_ns, now_ns());
        pthread_mutex_lock(&h->conns_lock);
        tc->next = h->conns;
        if (h->conns) h->conns->prev = tc;
        h->conns = tc;
        pthread_mutex_unlock(&h->conns_lock);
        *socket_context = tc;
    } else if (tc) {
        pthread_mutex_lock(&h->conns_lock);
        if (tc->prev) tc->prev->next = tc->next; else h->conns = tc->next;
        if (tc->next) tc->next->prev = tc->prev;
        pthread_mutex_unlock(&h->conns_lock);
        free(tc);
        *socket_context = NULL;
    }
}

static tracked_conn *tracked(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void *watchdog_main(void *arg)
{
    vb_http *h = arg;
    /* One second past the idle timeout (which libmicrohttpd keeps to the
     * second): a connection that merely went quiet is closed by that timer
     * first, so this one closes only those that kept sending, too slowly. */
    long long limit = ((long long)h->cfg.timeout + 1) * 1000000000LL;
    pthread_mutex_lock(&h->conns_lock);
    while (!h->watchdog_stop) {
        struct timespec wake;
        clock_gettime(CLOCK_REALTIME, &wake);
        wake.tv_nsec += 250000000L; /* a deadline is kept to a quarter second */
        if (wake.tv_nsec >= 1000000000L) { wake.tv_sec++; wake.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&h->watchdog_wake, &h->conns_lock, &wake);
        long long now = now_ns();
        for (tracked_conn *tc = h->conns; tc; tc = tc->next) {
            long long since = atomic_load(&tc->waiting_since_ns);
            if (tc->shut || !since || now - since <= limit) continue;
            shutdown(tc->fd, SHUT_RDWR);
            tc->shut = true;
            vb_metrics_connection_event("request_deadline");
        }
    }
    pthread_mutex_unlock(&h->conns_lock);
    return NULL;
}

static double elapsed(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
    vb_http *h = cls;
    if (!uri) uri = "/";
    size_t len = strlen(uri);
    request_state *st = malloc(sizeof *st + len + 1);
    (void)con;
    if (!st) return NULL;
    memset(st, 0, sizeof *st);
    st->target = memcpy(st->target_text, uri, len + 1);
    st->target_len = len;
    /* libmicrohttpd calls this before it splits the query string into
     * arguments in the connection's memory pool, and says so. We parse the
     * query ourselves (query.c), and a query of thousands of parameters
     * exhausts that pool and stalls the connection in 0.9.75: so end the
     * string it is about to parse right after the '?'. The copy above is
     * what the API reads. */
    char *q = memchr(uri, '?', len);
    if (q && q[1]) q[1] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &st->started);
    st->route = "other";
    atomic_fetch_add(&h->in_flight, 1);
    return st;
}

static char *put_number(char *p, unsigned long long v)
{
    char digits[24], *d = digits + sizeof digits;
    do *--d = (char)('0' + v % 10); while (v /= 10);
    size_t n = (size_t)(digits + sizeof digits - d);
    memcpy(p, d, n);
    return p + n;
}

/* "GET /v1/speakers 200 3140 35us": the access log's line, a line per
 * request, so written without printf. Method and target are sanitized
 * (printable ASCII, no quote or backslash), as vb_log_clean asks. */
static void access_line(const request_state *st, unsigned long long micros, bool completed)
{
    static const char early[] = " (connection ended early)";
    char line[sizeof st->method + 512 + 3 * 24 + sizeof early], *p = line;
    const char *m = st->method[0] ? st->method : "-";
    for (; *m; m++) *p++ = *m > 0x20 && *m < 0x7F && *m != '"' && *m != '\\' ? *m : '?';
    *p++ = ' ';
    p[0] = '\0';
    vb_target_sanitize(p, 512, st->target ? st->target : "");
    p += strlen(p);
    *p++ = ' ';
    p = put_number(p, (unsigned long long)st->status);
    *p++ = ' ';
    p = put_number(p, st->bytes);
    *p++ = ' ';
    p = put_number(p, micros);
    memcpy(p, "us", 2);
    p += 2;
    if (!completed) { memcpy(p, early, sizeof early - 1); p += sizeof early - 1; }
    vb_log_clean("info", line, (size_t)(p - line));
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    vb_http *h = cls;
    request_state *st = *req_cls;
    (void)con;
    if (!st) return;
    double seconds = elapsed(&st->started);
    if (st->status) {
        vb_metrics_request(st->route, st->status, seconds);
        access_line(st, (unsigned long long)(seconds * 1e6 + 0.5), toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    } else if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) {
        vb_metrics_connection_event("timeout");
    }
    free(st);
    *req_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
    tracked_conn *tc = tracked(con);
    if (tc) atomic_store(&tc->waiting_since_ns, now_ns()); /* the next request's clock starts */
}

/* ---- headers ---------------------------------------------------------------- */

static bool accepts_gzip(struct MHD_Connection *con)
{
    const char *ae = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (!ae) return false;
    for (const char *p = ae; *p;) {
        while (*p == ' ' || *p == ',') p++;
        size_t len = strcspn(p, ",");
        size_t name = strcspn(p, ";, ");
        if ((name == 4 && !strncasecmp(p, "gzip", 4)) || (name == 1 && *p == '*')) {
            const char *q = memchr(p, ';', len);
            if (!q) return true;
            const char *eq = strchr(q, '=');
            if (!eq || eq > p + len || strtod(eq + 1, NULL) > 0) return true;
            return false;
        }
        p += len;
    }
    return false;
}

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Does If-None-Match name etag (weak comparison, as RFC 9110 asks)? */
static bool none_match(struct MHD_Connection *con, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    size_t etag_len = strlen(etag);
    if (!inm) return false;
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == '*') return true;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        size_t len = strcspn(p, ",");
        while (len > 0 && p[len - 1] == ' ') len--;
        if (len == etag_len && !memcmp(p, etag, len)) return true;
        p += strcspn(p, ",");
    }
    return false;
}

static char *gzip(const char *body, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    char *out = malloc(cap);
    if (!out) { deflateEnd(&z); return NULL; }
    z.next_in = (Bytef *)(uintptr_t)body;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) { deflateEnd(&z); free(out); return NULL; }
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

typedef struct header_tally {
    size_t bytes; /* as sent: "Key: value\r\n" */
    size_t lines;
    int hosts;
} header_tally;

static enum MHD_Result tally_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    header_tally *t = cls;
    (void)kind;
    t->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
    t->lines++;
    if (!strcasecmp(key, MHD_HTTP_HEADER_HOST)) t->hosts++;
    return MHD_YES;
}

static void common_headers(const vb_http *h, struct MHD_Response *r)
{
    MHD_add_response_header(r, "Access-Control-Allow-Origin", h->cfg.cors_origin);
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "ETag, Link");
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin, Accept-Encoding");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

/* Only header-safe characters of the preflight's requested headers. */
static void safe_header_list(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; in && *in && n + 1 < size; in++)
        if ((*in >= 'a' && *in <= 'z') || (*in >= 'A' && *in <= 'Z') || (*in >= '0' && *in <= '9') || strchr("-_, ", *in))
            out[n++] = *in;
    out[n] = '\0';
}

static enum MHD_Result queue(struct MHD_Connection *con, request_state *st, unsigned status, struct MHD_Response *r, size_t bytes)
{
    st->status = (int)status;
    st->bytes = bytes;
    enum MHD_Result ok = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* libmicrohttpd writes a response's headers into the connection's memory
 * (--memory-limit), beside the request it still holds; when they do not fit
 * it closes the connection without an answer. A Link header is as long as
 * the request target, or three times as long once escaped, so a long query
 * could lose its answer: then the header is left out (links.next in the body
 * is whole). The room kept for the other headers is twice what they take. */
#define HEADER_ROOM 2048
static bool link_fits(const vb_http *h, const request_state *st, size_t link_len)
{
    return st->request_bytes + link_len + HEADER_ROOM <= h->cfg.memory_limit;
}

static void drop_link_unless_fits(const vb_http *h, const request_state *st, vb_response *res)
{
    if (res->link && !link_fits(h, st, strlen(res->link))) {
        free(res->link);
        res->link = NULL;
    }
}

/* A response with every header of the API: content type, CORS, Vary,
 * caching, and the route's own (Link, Allow, Retry-After). Takes body. */
static struct MHD_Response *build(const vb_http *h, unsigned status, char *body, size_t len, const vb_response *res,
                                  const char *etag, bool zipped)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(body); return NULL; }
    common_headers(h, r);
    if (status != MHD_HTTP_NOT_MODIFIED) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    if (zipped) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (atomic_load(&h->stopping)) MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    if (etag && etag[0]) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, h->cache_control);
    } else {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (res->link && (status == 200 || status == MHD_HTTP_NOT_MODIFIED))
        MHD_add_response_header(r, MHD_HTTP_HEADER_LINK, res->link);
    if (res->content_type && !strncmp(res->content_type, "text/html", 9))
        MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE) MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    return r;
}

static void make_etag(const vb_response *res, bool zipped, char out[48])
{
    char corpus[32];
    int k = snprintf(corpus, sizeof corpus, "%lld:", res->corpus_version);
    uint64_t tag = fnv(res->body, res->len, fnv(corpus, (size_t)k, 1469598103934665603ULL));
    snprintf(out, 48, "\"%016llx%s\"", (unsigned long long)tag, zipped ? "-gz" : "");
}

/* A 304 for etag, with the headers a 200 would carry but the body's.
 * link (or NULL) stays the caller's. */
static enum MHD_Result not_modified(const vb_http *h, struct MHD_Connection *con, request_state *st, const char *etag,
                                    char *link)
{
    vb_response res;
    memset(&res, 0, sizeof res);
    res.link = link;
    struct MHD_Response *r = build(h, MHD_HTTP_NOT_MODIFIED, NULL, 0, &res, etag, false);
    if (!r) return MHD_NO;
    return queue(con, st, MHD_HTTP_NOT_MODIFIED, r, 0);
}

/* Answers res without caching it (errors, health, metrics, no cache).
 * Takes res: frees what it holds. */
static enum MHD_Result answer(vb_http *h, struct MHD_Connection *con, request_state *st, vb_response *res)
{
    unsigned status = (unsigned)res->status;
    char etag[48] = "";
    bool zipped = false;
    char *body = res->body;
    size_t len = res->len;
    st->route = res->route;
    drop_link_unless_fits(h, st, res);
    if (len > GZIP_MIN && accepts_gzip(con)) {
        size_t zlen;
        char *z = gzip(body, len, &zlen);
        if (z) { zipped = true; body = z; len = zlen; }
    }
    if (res->cacheable && status == 200) {
        make_etag(res, zipped, etag);
        if (none_match(con, etag)) {
            if (zipped) free(body);
            enum MHD_Result ok = not_modified(h, con, st, etag, res->link);
            vb_response_free(res);
            return ok;
        }
    }
    if (!zipped) res->body = NULL; /* the response takes it (else the gzip form replaces it) */
    struct MHD_Response *r = build(h, status, body, len, res, etag, zipped);
    vb_response_free(res);         /* build copied the headers */
    if (!r) return MHD_NO;
    return queue(con, st, status, r, len);
}

static uint64_t key_hash(const char *key) { return fnv(key, strlen(key), 1469598103934665603ULL); }

static void entry_free(cache_entry *e)
{
    if (!e) return;
    if (e->plain) MHD_destroy_response(e->plain);
    if (e->zipped) MHD_destroy_response(e->zipped);
    free(e->key);
    free(e);
}

static void unlink_entry(cache_shard *sh, cache_entry *e)
{
    if (e->prev) e->prev->next = e->next; else sh->head = e->next;
    if (e->next) e->next->prev = e->prev; else sh->tail = e->prev;
    e->next = e->prev = NULL;
}

/* Serves key from the cache if it holds it for the current corpus. */
static bool cache_serve(vb_http *h, struct MHD_Connection *con, request_state *st, const char *key)
{
    uint64_t hash = key_hash(key);
    cache_shard *sh = &h->shards[hash % SHARDS];
    long long version = atomic_load(&h->version);
    bool served = false;
    pthread_mutex_lock(&sh->lock);
    for (cache_entry *e = sh->head; e; e = e->next) {
        if (e->hash != hash || e->version != version || strcmp(e->key, key) != 0) continue;
        if (e->link_len && !link_fits(h, st, e->link_len)) break; /* rendered again, without its Link */
        bool zipped = e->zipped && accepts_gzip(con);
        const char *etag = zipped ? e->etag_zipped : e->etag;
        if (e != sh->head) { unlink_entry(sh, e); e->next = sh->head; if (sh->head) sh->head->prev = e; sh->head = e; if (!sh->tail) sh->tail = e; }
        st->route = e->route;
        if (none_match(con, etag)) {
            /* Copies: once the lock is released, another worker may evict e.
             * The link is as long as the target, so it is copied whole. */
            const char *link = MHD_get_response_header(e->plain, MHD_HTTP_HEADER_LINK);
            char *link_copy = link ? strdup(link) : NULL;
            char etag_copy[48];
            snprintf(etag_copy, sizeof etag_copy, "%s", etag);
            pthread_mutex_unlock(&sh->lock);
            if (link && !link_copy) return false; /* out of memory: answer as if not cached */
            not_modified(h, con, st, etag_copy, link_copy);
            free(link_copy);
            return true;
        }
        st->status = 200;
        st->bytes = e->bytes;
        served = MHD_queue_response(con, MHD_HTTP_OK, zipped ? e->zipped : e->plain) == MHD_YES;
        break;
    }
    pthread_mutex_unlock(&sh->lock);
    return served;
}

/* Takes res, as answer does. */
static enum MHD_Result cache_insert_and_serve(vb_http *h, struct MHD_Connection *con, request_state *st, const char *key,
                                              vb_response *res)
{
    cache_entry *e = calloc(1, sizeof *e);
    size_t zlen = 0;
    char *z = NULL;
    if (!e || !(e->key = strdup(key))) { free(e); return answer(h, con, st, res); }
    e->link_len = res->link ? strlen(res->link) : 0;
    if (e->link_len && !link_fits(h, st, e->link_len)) { /* answered without its Link, and not kept without it */
        free(e->key);
        free(e);
        return answer(h, con, st, res);
    }
    e->hash = key_hash(key);
    e->version = res->corpus_version;
    make_etag(res, false, e->etag);
    if (res->len > GZIP_MIN && (z = gzip(res->body, res->len, &zlen)) != NULL) make_etag(res, true, e->etag_zipped);
    size_t plain_len = res->len;
    char *plain = res->body;
    res->body = NULL;
    e->plain = build(h, 200, plain, plain_len, res, e->etag, false);
    if (z) e->zipped = build(h, 200, z, zlen, res, e->etag_zipped, true);
    if (!e->plain || (z && !e->zipped)) { entry_free(e); vb_response_free(res); return MHD_NO; }
    e->route = res->route;
    e->bytes = plain_len + zlen + strlen(key) + sizeof *e;
    st->route = res->route;

    bool zipped = e->zipped && accepts_gzip(con);
    const char *etag = zipped ? e->etag_zipped : e->etag;
    enum MHD_Result ok;
    if (none_match(con, etag)) ok = not_modified(h, con, st, etag, res->link);
    else {
        st->status = 200;
        st->bytes = zipped ? zlen : plain_len;
        ok = MHD_queue_response(con, MHD_HTTP_OK, zipped ? e->zipped : e->plain);
    }
    vb_response_free(res); /* the entry's responses hold copies of its headers */
    /* Keep it if it fits; make room from the cold end of its shard. */
    cache_shard *sh = &h->shards[e->hash % SHARDS];
    if (e->bytes > h->cfg.cache_size / 4) { entry_free(e); return ok; }
    pthread_mutex_lock(&sh->lock);
    while (atomic_load(&h->cached_bytes) + e->bytes > h->cfg.cache_size && sh->tail) {
        cache_entry *old = sh->tail;
        unlink_entry(sh, old);
        atomic_fetch_sub(&h->cached_bytes, old->bytes);
        entry_free(old);
    }
    if (atomic_load(&h->cached_bytes) + e->bytes > h->cfg.cache_size) {
        pthread_mutex_unlock(&sh->lock);
        entry_free(e);
        return ok;
    }
    for (cache_entry *x = sh->head; x; x = x->next)
        if (x->hash == e->hash && !strcmp(x->key, e->key)) { /* raced: another worker rendered it */
            unlink_entry(sh, x);
            atomic_fetch_sub(&h->cached_bytes, x->bytes);
            entry_free(x);
            break;
        }
    e->next = sh->head;
    if (sh->head) sh->head->prev = e;
    sh->head = e;
    if (!sh->tail) sh->tail = e;
    atomic_fetch_add(&h->cached_bytes, e->bytes);
    pthread_mutex_unlock(&sh->lock);
    return ok;
}

static void cache_clear(vb_http *h)
{
    for (size_t i = 0; i < SHARDS; i++) {
        cache_shard *sh = &h->shards[i];
        pthread_mutex_lock(&sh->lock);
        for (cache_entry *e = sh->head, *next; e; e = next) {
            next = e->next;
            atomic_fetch_sub(&h->cached_bytes, e->bytes);
            entry_free(e);
        }
        sh->head = sh->tail = NULL;
        pthread_mutex_unlock(&sh->lock);
    }
}

void vb_http_set_version(vb_http *h, long long version)
{
    if (!h) return;
    atomic_store(&h->version, version);
    cache_clear(h);
}

size_t vb_http_cache_bytes(vb_http *h) { return h ? atomic_load(&h->cached_bytes) : 0; }

/* ---- the request ----------------------------------------------------------- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    vb_http *h = cls;
    request_state *st = *req_cls;
    vb_response res;
    struct MHD_Response *r;
    (void)url;
    (void)upload_data;
    if (!st) return MHD_NO; /* out of memory in on_uri */
    if (st->status) { *upload_data_size = 0; return MHD_YES; } /* a body we do not read */
    /* Answering on the first call makes libmicrohttpd close the connection
     * (it cannot know yet whether a body follows): answer on the second. */
    if (!st->seen) { st->seen = true; return MHD_YES; }
    /* No route takes a body: discard it, then answer (405 for the method). */
    if (*upload_data_size) { *upload_data_size = 0; return MHD_YES; }
    size_t method_len = strnlen(method, sizeof st->method - 1);
    memcpy(st->method, method, method_len);
    st->method[method_len] = '\0';
    tracked_conn *tc = tracked(con);
    if (tc) atomic_store(&tc->waiting_since_ns, 0); /* read whole, in time */

    header_tally headers = {0};
    MHD_get_connection_values(con, MHD_HEADER_KIND, tally_header, &headers);
    /* libmicrohttpd also keeps a record of some 64 bytes per header line */
    st->request_bytes = st->target_len + strlen(method) + headers.bytes + 64 * headers.lines + 16;
    if (headers.hosts > 1 || (headers.hosts == 0 && !strcmp(version, MHD_HTTP_VERSION_1_1))) {
        /* RFC 9112 3.2: exactly one Host in HTTP/1.1 */
        memset(&res, 0, sizeof res);
        res.route = "other";
        vb_api_problem(&res, 400, "/problems/malformed-request", "Malformed request",
                       headers.hosts ? "Host: given more than once" : "Host: missing (HTTP/1.1 requires it)", st->target);
        return answer(h, con, st, &res);
    }

    if (!strcmp(method, "OPTIONS")) {
        char allowed[512];
        safe_header_list(MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Access-Control-Request-Headers"), allowed, sizeof allowed);
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        common_headers(h, r);
        MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        if (allowed[0]) MHD_add_response_header(r, "Access-Control-Allow-Headers", allowed);
        MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        st->route = "other";
        return queue(con, st, MHD_HTTP_NO_CONTENT, r, 0);
    }

    memset(&res, 0, sizeof res);
    res.route = "other";
    size_t target_len = st->target_len;
    if (target_len > MAX_TARGET) {
        vb_metrics_connection_event("uri_too_long");
        vb_api_problem(&res, 414, "/problems/uri-too-long", "URI too long", "the request target is over 64 KiB", "/");
        return answer(h, con, st, &res);
    }
    if (headers.bytes > MAX_HEADERS) {
        vb_metrics_connection_event("headers_too_large");
        vb_api_problem(&res, 431, "/problems/headers-too-large", "Request headers too large", "the request headers are over 64 KiB", st->target);
        return answer(h, con, st, &res);
    }
    const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    bool cache = h->cfg.cache_size > 0 && (!strcmp(method, "GET") || !strcmp(method, "HEAD")) &&
                 !atomic_load(&h->stopping); /* cached answers would keep connections open */
    char key[2048];
    if (cache) { /* "HOST\x1fTARGET" (no host when links come from --public-url) */
        const char *key_host = h->cfg.public_url || !host ? "" : host;
        size_t host_len = strlen(key_host);
        cache = host_len + 1 + target_len < sizeof key;
        if (cache) {
            memcpy(key, key_host, host_len);
            key[host_len] = '\x1f';
            memcpy(key + host_len + 1, st->target, target_len + 1);
        }
    }
    if (cache && cache_serve(h, con, st, key)) return MHD_YES;

    vb_api_request req = {method, st->target, host, h->cfg.ready ? h->cfg.ready() : true};
    h->cfg.handler(h->cfg.handler_cls, &req, &res);
    if (cache && res.cacheable && res.status == 200 && res.corpus_version == atomic_load(&h->version))
        return cache_insert_and_serve(h, con, st, key, &res);
    return answer(h, con, st, &res);
}

/* ---- lifecycle ------------------------------------------------------------- */

static bool parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1]) return false;
    size_t n = (size_t)(colon - listen);
    if (n >= sizeof host) return false;
    memcpy(host, listen, n);
    host[n] = '\0';
    if (host[0] == '[' && n > 2 && host[n - 1] == ']') { memmove(host, host + 1, n - 2); host[n - 2] = '\0'; }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res) != 0 || !res) return false;
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

vb_status vb_http_start(const vb_http_config *cfg, vb_http **out)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    vb_http *h = calloc(1, sizeof *h);
    *out = NULL;
    if (!h) return VB_ENOMEM;
    h->cfg = *cfg;
    for (size_t i = 0; i < SHARDS; i++) pthread_mutex_init(&h->shards[i].lock, NULL);
    pthread_mutex_init(&h->conns_lock, NULL);
    pthread_cond_init(&h->watchdog_wake, NULL);
    snprintf(h->cache_control, sizeof h->cache_control, "public, max-age=%u", cfg->cache_max_age);
    if (!parse_listen(cfg->listen, &addr, &addr_len)) {
        vb_log("error", "--listen: '%s' is not HOST:PORT", cfg->listen);
        free(h);
        return VB_EINVAL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->connection_limit,
                                 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_limit,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->memory_limit,
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                                 MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                                 MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        vb_log("error", "cannot listen on %s (in use, or not an address of this host)", cfg->listen);
        free(h);
        return VB_ERR;
    }
    if (cfg->timeout > 0) h->watchdog_running = pthread_create(&h->watchdog, NULL, watchdog_main, h) == 0;
    if (cfg->timeout > 0 && !h->watchdog_running)
        vb_log("warn", "no request deadline: cannot start its thread; only the idle timeout applies");
    /* (with --timeout 0 there is no idle timeout either, and no deadline) */
    *out = h;
    return VB_OK;
}

void vb_http_stop(vb_http *h, unsigned grace_seconds)
{
    if (!h) return;
    atomic_store(&h->stopping, true);
    MHD_socket listener = MHD_quiesce_daemon(h->daemon);
    if (listener != MHD_INVALID_SOCKET) close(listener);
    for (unsigned i = 0; i < grace_seconds * 100 && atomic_load(&h->in_flight) > 0; i++) usleep(10000);
    if (h->watchdog_running) {
        pthread_mutex_lock(&h->conns_lock);
        h->watchdog_stop = true;
        pthread_cond_signal(&h->watchdog_wake);
        pthread_mutex_unlock(&h->conns_lock);
        pthread_join(h->watchdog, NULL);
    }
    MHD_stop_daemon(h->daemon);
    pthread_mutex_destroy(&h->conns_lock);
    pthread_cond_destroy(&h->watchdog_wake);
    cache_clear(h);
    for (size_t i = 0; i < SHARDS; i++) pthread_mutex_destroy(&h->shards[i].lock);
    free(h);
}
