/* metrics.h - Prometheus counters: requests by route and status, latency,
 * corpus size and the last load. Lock-free (atomics); any thread may record. */
#ifndef VERBATIM_METRICS_H
#define VERBATIM_METRICS_H

#include <stddef.h>

void vb_metrics_request(const char *route, int status, double seconds);

/* After a load: its outcome, duration and the corpus' size. */
void vb_metrics_load(int ok, double seconds, long long version, long long articles, long long quotes, long long speakers);

/* Connections refused or answered with an error by the HTTP layer itself. */
void vb_metrics_connection_event(const char *what);

/* The exposition text (new malloc'd string, *len bytes). */
char *vb_metrics_render(size_t *len);

#endif
