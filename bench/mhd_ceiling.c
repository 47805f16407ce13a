/* mhd_ceiling.c - the fastest libmicrohttpd answers with verbatimd's settings.
 *
 *   mhd_ceiling [--memory-limit BYTES] [--threads N] HOST:PORT BODY_FILE [CONTENT_ENCODING]
 *
 * Answers every request with the bytes of BODY_FILE (read once, sent from
 * memory), Content-Type "application/json; charset=utf-8" and, if given, a
 * Content-Encoding header. The daemon is set up the way server/http.c sets up
 * verbatimd's: MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC,
 * a thread pool (2 threads unless --threads), 1024 connections, 256 per IP,
 * 15 s idle timeout, a per-connection memory limit (32768 bytes unless
 * --memory-limit; bench/run.py passes verbatimd's own defaults, read from its
 * --help), a listen backlog of 1024; it answers on the
 * second call of the access handler, as verbatimd does (answering on the
 * first makes libmicrohttpd close the connection). No routing, no cache
 * lookup, no logging: what is left is libmicrohttpd's own cost, the ceiling
 * verbatimd's throughput is a ratio of. Stops on SIGTERM or SIGINT. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct MHD_Response *response;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    static int seen_marker;
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (*req_cls == NULL) { /* first call: the headers are in; answer on the next */
        *req_cls = &seen_marker;
        return MHD_YES;
    }
    if (*upload_data_size) { *upload_data_size = 0; return MHD_YES; }
    return MHD_queue_response(con, MHD_HTTP_OK, response);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr;
    size_t len = 0;
    char host[64];
    sigset_t signals;
    int sig;
    size_t memory_limit = 32768;
    unsigned threads = 2;
    while (argc > 2 && !strncmp(argv[1], "--", 2)) {
        if (!strcmp(argv[1], "--memory-limit")) memory_limit = (size_t)strtoul(argv[2], NULL, 10);
        else if (!strcmp(argv[1], "--threads")) threads = (unsigned)strtoul(argv[2], NULL, 10);
        else break;
        argv += 2;
        argc -= 2;
    }
    if (argc < 3 || argc > 4 || memory_limit < 1024 || threads < 1) {
        fprintf(stderr, "usage: mhd_ceiling [--memory-limit BYTES] [--threads N] HOST:PORT BODY_FILE [CONTENT_ENCODING]\n");
        return 2;
    }
    const char *colon = strrchr(argv[1], ':');
    if (!colon || (size_t)(colon - argv[1]) >= sizeof host) { fprintf(stderr, "mhd_ceiling: bad HOST:PORT\n"); return 2; }
    memcpy(host, argv[1], (size_t)(colon - argv[1]));
    host[colon - argv[1]] = '\0';
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "mhd_ceiling: bad host %s\n", host); return 2; }
    char *body = slurp(argv[2], &len);
    if (!body) { perror(argv[2]); return 1; }
    response = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!response) return 1;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    if (argc == 4) MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_ENCODING, argv[3]);

    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before the daemon's threads start */
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL,
                                            NULL, on_request, NULL,
                                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
                                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)256,
                                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)15,
                                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                                            MHD_OPTION_END);
    if (!d) { fprintf(stderr, "mhd_ceiling: cannot listen on %s\n", argv[1]); return 1; }
    fprintf(stderr, "mhd_ceiling: %zu bytes on http://%s/ (%u threads, %zu bytes per connection)\n", len, argv[1],
            threads, memory_limit);
    while (sigwait(&signals, &sig) != 0) {}
    MHD_stop_daemon(d);
    MHD_destroy_response(response);
    return 0;
}
