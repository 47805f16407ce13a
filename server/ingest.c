/* ingest.c - loading a folder of articles into the store. */
#include "verbatim/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verbatim/document.h"
#include "verbatim/files.h"
#include "verbatim/log.h"
#include "verbatim/version.h"

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.txt names of dir, sorted, so every load sees files in one order. */
static vb_status list_articles(const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 64;
    *names = NULL;
    *count = 0;
    if (!d) { vb_log("error", "cannot open articles folder %s: %s", dir, strerror(errno)); return VB_ERR; }
    if (!(*names = malloc(cap * sizeof **names))) { closedir(d); return VB_ENOMEM; }
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0 || e->d_name[0] == '.') continue;
        if (*count == cap) {
            char **grown = realloc(*names, (cap *= 2) * sizeof *grown);
            if (!grown) goto oom;
            *names = grown;
        }
        if (!((*names)[*count] = strdup(e->d_name))) goto oom;
        (*count)++;
    }
    closedir(d);
    qsort(*names, *count, sizeof **names, by_name);
    return VB_OK;
oom:
    closedir(d);
    for (size_t i = 0; i < *count; i++) free((*names)[i]);
    free(*names);
    *names = NULL;
    return VB_ENOMEM;
}

/* Content hash: the bytes, their length and the extractor's version, so a
 * new extractor re-parses everything. FNV-1a 64 over the bytes. */
static void content_hash(const char *data, size_t len, char out[72])
{
    uint64_t h = 1469598103934665603ULL, h2 = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
        h2 = (h2 ^ (unsigned char)data[i]) * 0x100000001B3ULL + (h2 >> 29);
    }
    snprintf(out, 72, "x%s:%zu:%016llx%016llx", VB_EXTRACTOR_VERSION, len, (unsigned long long)h, (unsigned long long)h2);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

vb_status vb_ingest(vb_store *s, const char *dir, size_t max_file_size, vb_load_stats *stats)
{
    char **names = NULL, path[4096];
    size_t count = 0;
    vb_status rc;
    double started = now_seconds();
    memset(stats, 0, sizeof *stats);
    if ((rc = list_articles(dir, &names, &count)) != VB_OK) return rc;
    if ((rc = vb_store_begin(s)) != VB_OK) goto done;
    stats->files = count;
    for (size_t i = 0; i < count; i++) {
        char *data = NULL, why[96] = "", hash[72], stored[72];
        size_t len;
        vb_document doc;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        vb_status st = vb_read_file(path, max_file_size, &data, &len, why);
        if (st == VB_ENOMEM) { rc = st; goto rollback; }
        if (st != VB_OK) {
            vb_log("warn", "skipped article %s: %s", path, why);
            stats->skipped++;
            continue;
        }
        size_t id_len = strlen(names[i]) - 4;
        char id[1024];
        snprintf(id, sizeof id, "%.*s", (int)(id_len < sizeof id - 1 ? id_len : sizeof id - 1), names[i]);
        content_hash(data, len, hash);
        st = vb_store_seen(s, id, stored);
        if (st == VB_ERR) { free(data); rc = VB_ERR; goto rollback; }
        if (st == VB_OK && !strcmp(stored, hash)) {
            stats->unchanged++;
            free(data);
            continue;
        }
        st = vb_document_parse(names[i], data, len, &doc, why);
        free(data);
        if (st == VB_ENOMEM) { rc = st; goto rollback; }
        if (st != VB_OK) {
            /* A file that was good before and is bad now keeps its last good
             * version (it was marked seen): nothing is lost to a bad write. */
            vb_log("warn", "skipped article %s: %s", path, why);
            stats->skipped++;
            continue;
        }
        if ((rc = vb_store_put(s, &doc, hash)) != VB_OK) { vb_document_free(&doc); goto rollback; }
        stats->parsed++;
        stats->quotes += doc.quotes.count;
        vb_document_free(&doc);
    }
    stats->seconds = now_seconds() - started;
    if ((rc = vb_store_finish(s, stats->parsed > 0, stats->seconds, &stats->removed)) != VB_OK) goto rollback;
    if ((rc = vb_store_commit(s)) != VB_OK) goto rollback;
    stats->seconds = now_seconds() - started;
    goto done;
rollback:
    vb_log("error", "load of %s failed (%s); the previous corpus stays", dir, vb_store_error(s));
    vb_store_rollback(s);
done:
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
    return rc;
}

int vb_ingest_command(const vb_config *cfg)
{
    vb_store *s;
    vb_load_stats stats;
    char err[256];
    vb_status rc = vb_store_open(cfg->db, &s, err);
    if (err[0]) vb_log(rc == VB_OK ? "warn" : "error", "%s", err);
    if (rc != VB_OK) return 1;
    rc = vb_ingest(s, cfg->articles, cfg->max_file_size, &stats);
    vb_store_close(s);
    if (rc != VB_OK) return 1;
    printf("ingest: %zu files: %zu parsed, %zu unchanged, %zu skipped, %zu removed; %zu quotes extracted; %.3f s\n",
           stats.files, stats.parsed, stats.unchanged, stats.skipped, stats.removed, stats.quotes, stats.seconds);
    return 0;
}
