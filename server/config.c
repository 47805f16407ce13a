/* config.c - verbatimd's settings, from flags, environment and defaults. */
#include "verbatim/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VB_SOURCE_DIR
#define VB_SOURCE_DIR "."
#endif

typedef enum kind { STR, UINT, SIZE } kind;

typedef struct option {
    const char *flag, *env, *fallback, *help;
    kind type;
    size_t offset;
} option;

#define OPT(f, e, d, t, field, h) {f, e, d, h, t, offsetof(vb_config, field)}
static const option options[] = {
    OPT("--articles", "VERBATIM_ARTICLES", VB_SOURCE_DIR "/db/articles", STR, articles, "folder of article *.txt files"),
    OPT("--db", "VERBATIM_DB", VB_SOURCE_DIR "/build/verbatim.db", STR, db, "SQLite database file"),
    OPT("--listen", "VERBATIM_LISTEN", "127.0.0.1:8080", STR, listen, "address to serve on, HOST:PORT"),
    OPT("--threads", "VERBATIM_THREADS", "2", UINT, threads, "worker threads"),
    OPT("--cors-origin", "VERBATIM_CORS_ORIGIN", "*", STR, cors_origin, "Access-Control-Allow-Origin"),
    OPT("--cache-max-age", "VERBATIM_CACHE_MAX_AGE", "60", UINT, cache_max_age, "Cache-Control max-age, seconds"),
    OPT("--public-url", "VERBATIM_PUBLIC_URL", NULL, STR, public_url, "base URL of links, e.g. https://api.example.org"),
    OPT("--connection-limit", "VERBATIM_CONNECTION_LIMIT", "1024", UINT, connection_limit, "open connections at most"),
    OPT("--per-ip-limit", "VERBATIM_PER_IP_LIMIT", "256", UINT, per_ip_limit, "open connections per client IP"),
    OPT("--timeout", "VERBATIM_TIMEOUT", "15", UINT, timeout, "idle connection timeout, seconds; a whole request must arrive within it + 1 s"),
    OPT("--memory-limit", "VERBATIM_MEMORY_LIMIT", "32768", SIZE, memory_limit, "bytes per connection (request line, headers, response headers)"),
    OPT("--max-file-size", "VERBATIM_MAX_FILE_SIZE", "10485760", SIZE, max_file_size, "article files larger than this are skipped"),
    OPT("--cache-size", "VERBATIM_CACHE_SIZE", "67108864", SIZE, cache_size, "bytes of rendered responses kept in memory, 0 for none"),
    OPT("--log-format", "VERBATIM_LOG_FORMAT", "text", STR, log_format, "text or json"),
    OPT("--web-root", "VERBATIM_WEB_ROOT", VB_SOURCE_DIR "/web", STR, web_root, "folder of the web frontend served at /"),
};
#define OPTION_COUNT (sizeof options / sizeof options[0])

static vb_status set(vb_config *cfg, const option *o, const char *value, char err[256])
{
    void *field = (char *)cfg + o->offset;
    if (o->type == STR) { *(const char **)field = value; return VB_OK; }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || (o->type == UINT && v > 1000000)) {
        snprintf(err, 256, "%s: '%s' is not a valid number", o->flag, value);
        return VB_EINVAL;
    }
    if (o->type == UINT) *(unsigned *)field = (unsigned)v;
    else *(size_t *)field = (size_t)v;
    return VB_OK;
}

void vb_config_usage(void)
{
    printf("usage: verbatimd serve   [options]   load the articles, serve the v1 API; SIGHUP reloads\n"
           "       verbatimd ingest  [options]   load the articles into the database and exit\n"
           "       verbatimd extract FILE...     print each file's article and quotes as JSON\n"
           "       verbatimd --help | --version\n\noptions (flag, environment variable, default):\n");
    for (size_t i = 0; i < OPTION_COUNT; i++)
        printf("  %-18s %-26s %s (default: %s)\n", options[i].flag, options[i].env, options[i].help,
               options[i].fallback ? options[i].fallback : "none: from the Host header");
}

/* Environment, then defaults, for every option no flag set: flags win, and
 * a bad variable is an error only where it is used. */
static vb_status fill_unset(vb_config *cfg, const bool *given, char err[256])
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        if (given[i]) continue;
        const char *v = getenv(options[i].env);
        if (v && *v) {
            if (set(cfg, &options[i], v, err) != VB_OK) {
                size_t n = strlen(err);
                snprintf(err + n, 256 - n, " (from %s)", options[i].env);
                return VB_EINVAL;
            }
        } else if (options[i].fallback && set(cfg, &options[i], options[i].fallback, err) != VB_OK) {
            return VB_EINVAL;
        }
    }
    return VB_OK;
}

vb_status vb_config_parse(int argc, char **argv, vb_config *cfg, char err[256])
{
    bool given[OPTION_COUNT] = {false};
    memset(cfg, 0, sizeof *cfg);
    err[0] = '\0';
    if (argc < 2) {
        char ignored[256];
        cfg->command = VB_CMD_HELP;
        fill_unset(cfg, given, ignored);
        return VB_OK;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help") || !strcmp(cmd, "--version") ||
        !strcmp(cmd, "-V")) {
        cfg->command = cmd[2] == 'v' || cmd[1] == 'V' ? VB_CMD_VERSION : VB_CMD_HELP;
        char ignored[256];
        fill_unset(cfg, given, ignored); /* --help works whatever the environment says */
        return VB_OK;
    }
    if (!strcmp(cmd, "serve")) cfg->command = VB_CMD_SERVE;
    else if (!strcmp(cmd, "ingest")) cfg->command = VB_CMD_INGEST;
    else if (!strcmp(cmd, "extract")) cfg->command = VB_CMD_EXTRACT;
    else { snprintf(err, 256, "unknown command '%s' (serve, ingest, extract, --help, --version)", cmd); return VB_EINVAL; }
    if (cfg->command == VB_CMD_EXTRACT) {
        cfg->files = argv + 2;
        cfg->file_count = argc - 2;
        if (cfg->file_count == 0) { snprintf(err, 256, "extract: name at least one file"); return VB_EINVAL; }
        return fill_unset(cfg, given, err);
    }
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            char ignored[256];
            cfg->command = VB_CMD_HELP;
            fill_unset(cfg, given, ignored);
            return VB_OK;
        }
        const option *o = NULL;
        size_t len = strcspn(arg, "=");
        for (size_t k = 0; k < OPTION_COUNT && !o; k++)
            if (strlen(options[k].flag) == len && !strncmp(arg, options[k].flag, len)) o = &options[k];
        if (!o) { snprintf(err, 256, "unknown option '%.200s' (see --help)", arg); return VB_EINVAL; }
        given[o - options] = true;
        if (arg[len] == '=') value = arg + len + 1;
        else if (i + 1 < argc) value = argv[++i];
        else { snprintf(err, 256, "%s needs a value", o->flag); return VB_EINVAL; }
        if (set(cfg, o, value, err) != VB_OK) return VB_EINVAL;
    }
    if (fill_unset(cfg, given, err) != VB_OK) return VB_EINVAL;
    if (cfg->threads == 0 || cfg->threads > 256) { snprintf(err, 256, "--threads: 1 to 256"); return VB_EINVAL; }
    if (strcmp(cfg->log_format, "text") && strcmp(cfg->log_format, "json")) {
        snprintf(err, 256, "--log-format: text or json, not '%s'", cfg->log_format);
        return VB_EINVAL;
    }
    if (cfg->memory_limit < 16384) { snprintf(err, 256, "--memory-limit: at least 16384 bytes"); return VB_EINVAL; }
    return VB_OK;
}
