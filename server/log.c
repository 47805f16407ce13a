/* log.c - one line per event on stderr, as text or JSON lines. */
#include "verbatim/log.h"

#include "verbatim/text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool as_json;
static bool buffered;
static char buffer[1 << 16];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void vb_log_set_json(bool json) { as_json = json; }

void vb_log_buffer(void)
{
    /* Before any other thread logs: a full buffer, flushed by vb_log_flush
     * (a serving process calls it a few times a second). One write a batch
     * instead of one a request keeps the access log cheap under load. */
    setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
    buffered = true;
}

void vb_log_flush(void)
{
    pthread_mutex_lock(&lock);
    fflush(stderr);
    pthread_mutex_unlock(&lock);
}

void vb_log_clean(const char *level, const char *msg, size_t n)
{
    static _Thread_local char stamp[32];
    static _Thread_local time_t stamp_second = -1;
    char line[4096 + 96];
    size_t len = 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != stamp_second) { /* a serving thread logs thousands of lines a second: format each second once */
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        stamp_second = ts.tv_sec;
    }
    int ms = (int)(ts.tv_nsec / 1000000);
    char frac[6] = {'.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z', '\0'};
#define PUT(s, k) (memcpy(line + len, (s), (k)), len += (k))
#define PUTS(s) PUT((s), strlen(s))
    if (n > 4096) n = 4096;
    if (as_json) {
        PUTS("{\"time\":\"");
        PUTS(stamp);
        PUT(frac, 5);
        PUTS("\",\"level\":\"");
        PUTS(level);
        PUTS("\",\"msg\":\"");
        PUT(msg, n);
        PUTS("\"}\n");
    } else {
        PUTS(stamp);
        PUT(frac, 5);
        PUTS(" ");
        PUTS(level);
        PUTS(" ");
        PUT(msg, n);
        PUTS("\n");
    }
#undef PUT
#undef PUTS
    pthread_mutex_lock(&lock);
    fwrite(line, 1, len, stderr);
    /* Access lines may wait in the buffer for vb_log_flush; the rest not. */
    if (level[0] != 'i' || !buffered) fflush(stderr);
    pthread_mutex_unlock(&lock);
}

void vb_log(const char *level, const char *fmt, ...)
{
    char msg[2048], clean[4096];
    size_t n = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vb_utf8_escape_invalid(msg, sizeof msg); /* file names and requests may hold any byte */
    for (const unsigned char *p = (const unsigned char *)msg; *p && n + 7 < sizeof clean; p++) {
        if (*p < 0x20 || *p == 0x7F || (as_json && (*p == '"' || *p == '\\'))) {
            if (as_json && (*p == '"' || *p == '\\')) { clean[n++] = '\\'; clean[n++] = (char)*p; }
            else n += (size_t)snprintf(clean + n, sizeof clean - n, as_json ? "\\u%04x" : "\\x%02x", *p);
        } else {
            clean[n++] = (char)*p;
        }
    }
    clean[n] = '\0';
    vb_log_clean(level, clean, n);
}
