/* log.h - one line per event on stderr, as text or JSON lines.
 *
 * Control characters in logged values are escaped: a request can never
 * forge a log line. */
#ifndef VERBATIM_LOG_H
#define VERBATIM_LOG_H

#include <stdbool.h>
#include <stddef.h>

void vb_log_set_json(bool json);

/* Buffers info lines (access log) until vb_log_flush; warnings and errors
 * are always written at once. */
void vb_log_buffer(void);
void vb_log_flush(void);

/* printf-style; level is "info", "warn" or "error". */
void vb_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line whose n bytes of msg are known clean (printable ASCII, no quote
 * or backslash): written as they are, without formatting. The access log's
 * path, a line per request. */
void vb_log_clean(const char *level, const char *msg, size_t n);

#endif
