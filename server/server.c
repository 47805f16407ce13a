/* server.c - `verbatimd serve`.
 *
 * Threads: the main thread waits for signals; a loader thread loads the
 * articles at start and again at each SIGHUP; libmicrohttpd's workers answer
 * requests, each with its own read-only SQLite connection (opened on its
 * first request, closed when the worker ends). The server answers /healthz
 * from the start and the corpus once a load has committed. */
#include "verbatim/server.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__ /* (defined by the headers above) */
#include <malloc.h>
#endif

#include "verbatim/api.h"
#include "verbatim/http.h"
#include "verbatim/ingest.h"
#include "verbatim/log.h"
#include "verbatim/metrics.h"
#include "verbatim/store.h"

#ifndef VB_SOURCE_DIR
#define VB_SOURCE_DIR "."
#endif

static atomic_bool ready;
static pthread_key_t reader_key;

typedef struct loader {
    const vb_config *cfg;
    vb_store *store;
    vb_http *http;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool reload, stop;
} loader;

static bool is_ready(void) { return atomic_load(&ready); }

static void close_reader(void *r) { vb_reader_close(r); }

typedef struct handler_ctx {
    const vb_config *cfg;
    vb_api_config api;
} handler_ctx;

static void handle(void *cls, const vb_api_request *req, vb_response *res)
{
    handler_ctx *h = cls;
    vb_reader *r = pthread_getspecific(reader_key);
    if (!r && atomic_load(&ready)) {
        if (vb_reader_open(h->cfg->db, &r) == VB_OK) pthread_setspecific(reader_key, r);
    }
    vb_api_handle(&h->api, r, req, res);
}

static void load_once(loader *l)
{
    vb_load_stats stats;
    vb_status rc = vb_ingest(l->store, l->cfg->articles, l->cfg->max_file_size, &stats);
    /* What the load held is not needed until the next one: the writer's
     * page cache, and the heap the parsed documents took (glibc keeps
     * freed memory unless asked). */
    vb_store_release_memory(l->store);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    if (rc == VB_OK) {
        vb_reader *r;
        vb_corpus c = {0};
        if (vb_reader_open(l->cfg->db, &r) == VB_OK) {
            if (vb_reader_begin(r, &c) == VB_OK) vb_reader_end(r);
            vb_reader_close(r);
        }
        vb_metrics_load(1, stats.seconds, c.version, c.articles, c.quotes, c.speakers);
        vb_http_set_version(l->http, c.version);
        vb_log("info", "loaded %s: %zu files, %zu parsed, %zu unchanged, %zu skipped, %zu removed; corpus version %lld "
                       "(%lld articles, %lld quotes, %lld speakers) in %.3f s",
               l->cfg->articles, stats.files, stats.parsed, stats.unchanged, stats.skipped, stats.removed, c.version,
               c.articles, c.quotes, c.speakers, stats.seconds);
        atomic_store(&ready, true);
    } else {
        /* A previous corpus in the database still serves. */
        vb_reader *r;
        vb_corpus c = {0};
        if (vb_reader_open(l->cfg->db, &r) == VB_OK) {
            if (vb_reader_begin(r, &c) == VB_OK) vb_reader_end(r);
            vb_reader_close(r);
        }
        vb_metrics_load(0, stats.seconds, c.version, c.articles, c.quotes, c.speakers);
        if (c.version > 0) {
            vb_http_set_version(l->http, c.version);
            vb_log("warn", "load failed; serving the previous corpus (version %lld)", c.version);
            atomic_store(&ready, true);
        }
    }
}

static void *loader_main(void *arg)
{
    loader *l = arg;
    load_once(l);
    pthread_mutex_lock(&l->lock);
    while (!l->stop) {
        if (l->reload) {
            l->reload = false;
            pthread_mutex_unlock(&l->lock);
            vb_log("info", "SIGHUP: reloading %s", l->cfg->articles);
            load_once(l);
            pthread_mutex_lock(&l->lock);
            continue;
        }
        /* Wake a few times a second to flush the access log. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&l->wake, &l->lock, &until);
        vb_log_flush();
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

/* The frontend's folder, or NULL (then / answers a small built-in page and
 * says so in the log) when it is missing. */
static const char *web_root(const char *path)
{
    struct stat st;
    if (path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return path;
    vb_log("warn", "web root %s is not a folder: / answers a built-in page (set --web-root)", path ? path : "(none)");
    return NULL;
}

int vb_serve(const vb_config *cfg)
{
    sigset_t signals;
    loader l = {.cfg = cfg, .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};
    pthread_t loader_thread;
    vb_http *http = NULL;
    char err[512];
    int status = 1;

    /* Signals go to the main thread alone: block them before any thread starts. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a write over RLIMIT_FSIZE fails the load (EFBIG), never the process */
    vb_log_buffer();

    vb_status rc = vb_store_open(cfg->db, &l.store, err);
    if (err[0]) vb_log(rc == VB_OK ? "warn" : "error", "%s", err);
    if (rc != VB_OK) return 1;
    if (pthread_key_create(&reader_key, close_reader) != 0) { vb_store_close(l.store); return 1; }
    vb_api_set_metrics(vb_metrics_render);

    handler_ctx hctx = {cfg, {cfg->public_url, cfg->listen, web_root(cfg->web_root)}};
    vb_http_config hc = {cfg->listen, cfg->threads, cfg->connection_limit, cfg->per_ip_limit, cfg->timeout,
                         cfg->memory_limit, cfg->cors_origin, cfg->cache_max_age, cfg->cache_size, cfg->public_url,
                         handle, &hctx, is_ready};
    if (vb_http_start(&hc, &http) != VB_OK) goto close_store;
    l.http = http;
    if (pthread_create(&loader_thread, NULL, loader_main, &l) != 0) goto stop_http;
    vb_log("info", "verbatimd serving http://%s/ (articles %s, database %s, %u threads)", cfg->listen, cfg->articles,
           cfg->db, cfg->threads);

    for (;;) {
        int sig;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGHUP) {
            pthread_mutex_lock(&l.lock);
            l.reload = true;
            pthread_cond_signal(&l.wake);
            pthread_mutex_unlock(&l.lock);
            continue;
        }
        vb_log("info", "%s: stopping; finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
    status = 0;
    pthread_mutex_lock(&l.lock);
    l.stop = true;
    pthread_cond_signal(&l.wake);
    pthread_mutex_unlock(&l.lock);
    pthread_join(loader_thread, NULL);
stop_http:
    vb_http_stop(http, 10);
close_store:
    vb_store_close(l.store);
    /* The main thread never served, but be tidy if it ever does. */
    vb_reader *r = pthread_getspecific(reader_key);
    if (r) vb_reader_close(r);
    vb_log("info", "stopped");
    vb_log_flush();
    return status;
}
