/* metrics.c - Prometheus counters, lock-free. */
#include "verbatim/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const routes[] = {"/", "/healthz", "/readyz", "/metrics", "/v1", "/v1/openapi.json",
                                     "/v1/articles", "/v1/articles/{id}", "/v1/dates", "/v1/dates/{period}",
                                     "/v1/speakers", "/v1/speakers/{id}", "/v1/speakers/{id}/quotes",
                                     "/v1/quotes", "/v1/quotes/{id}", "other"};
#define ROUTES (sizeof routes / sizeof routes[0])
static const int statuses[] = {200, 204, 304, 400, 404, 405, 410, 414, 431, 500, 503, 0};
#define STATUSES (sizeof statuses / sizeof statuses[0])
static const double buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define BUCKETS (sizeof buckets / sizeof buckets[0])

/* The request counters, a set per thread: every worker counts every request,
 * and two threads adding to one cache line pass it to and fro (measured: the
 * shared counters cost about 3 % of a cached request). A thread takes the
 * next set the first time it counts; past SETS threads, sets are shared,
 * which the atomics keep correct. /metrics adds the sets up. */
#define SETS 16
typedef struct counters {
    atomic_ullong requests[ROUTES][STATUSES];
    atomic_ullong histogram[BUCKETS + 1];
    atomic_ullong latency_micros_sum, latency_count;
} __attribute__((aligned(64))) counters;
static counters sets[SETS];
static atomic_uint sets_taken;
static atomic_llong corpus_version, corpus_articles, corpus_quotes, corpus_speakers;
static atomic_ullong loads_ok, loads_failed, last_load_micros, last_load_time;
#define EVENTS 4
static atomic_ullong conn_events[EVENTS];
static const char *const events[EVENTS] = {"uri_too_long", "headers_too_large", "timeout", "request_deadline"};
static time_t started;

void vb_metrics_request(const char *route, int status, double seconds)
{
    size_t r = ROUTES - 1, s = STATUSES - 1, b = BUCKETS;
    for (size_t i = 0; i < ROUTES; i++)
        if (!strcmp(routes[i], route)) { r = i; break; }
    for (size_t i = 0; i + 1 < STATUSES; i++)
        if (statuses[i] == status) { s = i; break; }
    for (size_t i = 0; i < BUCKETS; i++)
        if (seconds <= buckets[i]) { b = i; break; }
    static _Thread_local counters *mine;
    if (!mine) mine = &sets[atomic_fetch_add(&sets_taken, 1) % SETS];
    atomic_fetch_add_explicit(&mine->requests[r][s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&mine->histogram[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&mine->latency_micros_sum, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
    atomic_fetch_add_explicit(&mine->latency_count, 1, memory_order_relaxed);
}

static unsigned long long sum(const atomic_ullong *first, size_t stride)
{
    unsigned long long total = 0;
    for (size_t i = 0; i < SETS; i++)
        total += atomic_load_explicit((const atomic_ullong *)((const char *)first + i * stride), memory_order_relaxed);
    return total;
}
#define SUM(field) sum(&sets[0].field, sizeof(counters))

void vb_metrics_load(int ok, double seconds, long long version, long long articles, long long quotes, long long speakers)
{
    if (!started) started = time(NULL);
    atomic_fetch_add(ok ? &loads_ok : &loads_failed, 1);
    atomic_store(&last_load_micros, (unsigned long long)(seconds * 1e6));
    atomic_store(&last_load_time, (unsigned long long)time(NULL));
    if (ok || version > 0) { /* a failed load may leave the previous corpus serving */
        atomic_store(&corpus_version, version);
        atomic_store(&corpus_articles, articles);
        atomic_store(&corpus_quotes, quotes);
        atomic_store(&corpus_speakers, speakers);
    }
}

void vb_metrics_connection_event(const char *what)
{
    for (size_t i = 0; i < EVENTS; i++)
        if (!strcmp(events[i], what)) atomic_fetch_add(&conn_events[i], 1);
}

typedef struct out {
    char *s;
    size_t n, cap;
} out;

static void emit(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(out *o, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(o->s ? o->s + o->n : NULL, o->s ? o->cap - o->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (o->s && o->n + (size_t)k < o->cap) { o->n += (size_t)k; return; }
        size_t cap = (o->cap + (size_t)k + 1) * 2;
        char *grown = realloc(o->s, cap);
        if (!grown) return;
        o->s = grown;
        o->cap = cap;
    }
}

char *vb_metrics_render(size_t *len)
{
    out o = {0};
    emit(&o, "# HELP verbatim_http_requests_total HTTP requests answered, by route pattern and status.\n"
             "# TYPE verbatim_http_requests_total counter\n");
    for (size_t r = 0; r < ROUTES; r++)
        for (size_t s = 0; s < STATUSES; s++) {
            unsigned long long v = SUM(requests[r][s]);
            if (!v) continue;
            if (statuses[s]) emit(&o, "verbatim_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", routes[r], statuses[s], v);
            else emit(&o, "verbatim_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", routes[r], v);
        }
    emit(&o, "# HELP verbatim_http_request_duration_seconds Time from request line to response queued.\n"
             "# TYPE verbatim_http_request_duration_seconds histogram\n");
    unsigned long long cumulative = 0;
    for (size_t b = 0; b <= BUCKETS; b++) {
        cumulative += SUM(histogram[b]);
        if (b < BUCKETS) emit(&o, "verbatim_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[b], cumulative);
        else emit(&o, "verbatim_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cumulative);
    }
    emit(&o, "verbatim_http_request_duration_seconds_sum %.6f\n", (double)SUM(latency_micros_sum) / 1e6);
    emit(&o, "verbatim_http_request_duration_seconds_count %llu\n", SUM(latency_count));
    emit(&o, "# HELP verbatim_http_connection_events_total Requests the HTTP layer refused before routing.\n"
             "# TYPE verbatim_http_connection_events_total counter\n");
    for (size_t i = 0; i < EVENTS; i++) emit(&o, "verbatim_http_connection_events_total{event=\"%s\"} %llu\n", events[i], atomic_load(&conn_events[i]));
    emit(&o, "# HELP verbatim_corpus_version Version of the corpus being served (grows at each load that changes it).\n"
             "# TYPE verbatim_corpus_version gauge\nverbatim_corpus_version %lld\n", atomic_load(&corpus_version));
    emit(&o, "# HELP verbatim_corpus_articles Articles in the corpus.\n# TYPE verbatim_corpus_articles gauge\n"
             "verbatim_corpus_articles %lld\n", atomic_load(&corpus_articles));
    emit(&o, "# HELP verbatim_corpus_quotes Quotes in the corpus.\n# TYPE verbatim_corpus_quotes gauge\n"
             "verbatim_corpus_quotes %lld\n", atomic_load(&corpus_quotes));
    emit(&o, "# HELP verbatim_corpus_speakers Speakers in the corpus.\n# TYPE verbatim_corpus_speakers gauge\n"
             "verbatim_corpus_speakers %lld\n", atomic_load(&corpus_speakers));
    emit(&o, "# HELP verbatim_loads_total Loads of the articles folder, by outcome.\n# TYPE verbatim_loads_total counter\n"
             "verbatim_loads_total{outcome=\"ok\"} %llu\nverbatim_loads_total{outcome=\"failed\"} %llu\n",
         atomic_load(&loads_ok), atomic_load(&loads_failed));
    emit(&o, "# HELP verbatim_last_load_duration_seconds Duration of the last load.\n"
             "# TYPE verbatim_last_load_duration_seconds gauge\nverbatim_last_load_duration_seconds %.6f\n",
         (double)atomic_load(&last_load_micros) / 1e6);
    emit(&o, "# HELP verbatim_last_load_timestamp_seconds When the last load ended (Unix time).\n"
             "# TYPE verbatim_last_load_timestamp_seconds gauge\nverbatim_last_load_timestamp_seconds %llu\n",
         atomic_load(&last_load_time));
    *len = o.n;
    return o.s;
}
