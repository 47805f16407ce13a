/* ingest.c - loading a folder of articles into the store. */
#include "verbatim/ingest.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verbatim/document.h"
#include "verbatim/files.h"
#include "verbatim/log.h"
#include "verbatim/text.h"
#include "verbatim/version.h"

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.txt names of dir, sorted, so every load sees files in one order. */
static vb_status list_articles(const char *dir, char ***names, size_t *count, size_t *bad_names)
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
        /* The name is the article's id in every URL: it must be text. */
        bool control = false;
        for (size_t k = 0; k < n; k++) control |= (unsigned char)e->d_name[k] < 0x20 || e->d_name[k] == 0x7F;
        if (control || !vb_utf8_valid(e->d_name, n)) {
            vb_log("warn", "skipped article %s/%s: its file name is not UTF-8 text, so it cannot be an id", dir, e->d_name);
            ++*bad_names;
            continue;
        }
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

/* The load runs on two threads: a reader reads, hashes and parses files in
 * order (pure work), the caller's thread writes them to SQLite, through a
 * small bounded queue; so parsing and writing overlap. */
typedef enum item_kind { ITEM_DOC, ITEM_UNCHANGED, ITEM_SKIPPED, ITEM_FATAL } item_kind;

typedef struct item {
    item_kind kind;
    vb_document doc;
    char id[1024];
    char hash[72];
    char why[160];
    vb_status status;
    bool known;     /* the store has an article of this id */
    bool keep_file; /* the writer records file as the article's file */
    vb_file_id file;
} item;

/* The writer indexes text every INDEX_BATCH articles; the queue holds
 * more than that, so that the reader keeps parsing meanwhile. */
#define QUEUE 256
#define INDEX_BATCH 128
typedef struct pipeline {
    const char *dir;
    size_t max_file_size;
    char **names;
    size_t count;
    vb_known_article *known;
    size_t known_count;
    item queue[QUEUE];
    size_t head, tail, queued;
    bool done, abort;
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
} pipeline;

static const vb_known_article *find_known(const pipeline *p, const char *id)
{
    size_t lo = 0, hi = p->known_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(p->known[mid].id, id);
        if (c == 0) return &p->known[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static bool push(pipeline *p, const item *it)
{
    pthread_mutex_lock(&p->lock);
    while (p->queued == QUEUE && !p->abort) pthread_cond_wait(&p->not_full, &p->lock);
    bool ok = !p->abort;
    if (ok) {
        p->queue[p->tail] = *it;
        p->tail = (p->tail + 1) % QUEUE;
        p->queued++;
        pthread_cond_signal(&p->not_empty);
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}

/* false when the reader is done and the queue empty */
static bool pop(pipeline *p, item *it)
{
    pthread_mutex_lock(&p->lock);
    while (p->queued == 0 && !p->done) pthread_cond_wait(&p->not_empty, &p->lock);
    bool ok = p->queued > 0;
    if (ok) {
        *it = p->queue[p->head];
        p->head = (p->head + 1) % QUEUE;
        p->queued--;
        pthread_cond_signal(&p->not_full);
    }
    pthread_mutex_unlock(&p->lock);
    return ok;
}

static void *reader_main(void *arg)
{
    pipeline *p = arg;
    char path[4096], current[32];
    /* Hashes made by this extractor start so (see content_hash). */
    int current_len = snprintf(current, sizeof current, "x%s:", VB_EXTRACTOR_VERSION);
    for (size_t i = 0; i < p->count; i++) {
        item it;
        char *data = NULL;
        size_t len;
        memset(&it, 0, sizeof it);
        size_t id_len = strlen(p->names[i]) - 4;
        snprintf(it.id, sizeof it.id, "%.*s", (int)(id_len < sizeof it.id - 1 ? id_len : sizeof it.id - 1), p->names[i]);
        snprintf(path, sizeof path, "%s/%s", p->dir, p->names[i]);
        char why[96] = "";
        const vb_known_article *known = find_known(p, it.id);
        it.known = known != NULL;
        /* A file just as it was when this extractor read it is unchanged:
         * no need to read it again (a restart on 10^5 files reads none). */
        if (known && known->has_file && !strncmp(known->hash, current, (size_t)current_len) &&
            vb_file_identity(path, &it.file) && vb_file_id_equal(&it.file, &known->file)) {
            it.kind = ITEM_UNCHANGED;
            if (!push(p, &it)) break;
            continue;
        }
        vb_status st = vb_read_file(path, p->max_file_size, &data, &len, why, &it.file);
        if (st == VB_ENOMEM) {
            it.kind = ITEM_FATAL;
        } else if (st != VB_OK) {
            it.kind = ITEM_SKIPPED;
            snprintf(it.why, sizeof it.why, "%s", why);
        } else {
            content_hash(data, len, it.hash);
            it.keep_file = vb_file_id_settled(&it.file);
            if (known && !strcmp(known->hash, it.hash)) {
                it.kind = ITEM_UNCHANGED;
            } else {
                st = vb_document_parse(p->names[i], data, len, &it.doc, why);
                it.kind = st == VB_OK ? ITEM_DOC : st == VB_ENOMEM ? ITEM_FATAL : ITEM_SKIPPED;
                snprintf(it.why, sizeof it.why, "%s", why);
            }
        }
        free(data);
        if (!push(p, &it)) {
            vb_document_free(&it.doc);
            break;
        }
        if (it.kind == ITEM_FATAL) break;
    }
    pthread_mutex_lock(&p->lock);
    p->done = true;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

vb_status vb_ingest(vb_store *s, const char *dir, size_t max_file_size, vb_load_stats *stats)
{
    pipeline p;
    pthread_t reader;
    vb_status rc;
    double started = now_seconds();
    item it;
    memset(stats, 0, sizeof *stats);
    memset(&p, 0, sizeof p);
    p.dir = dir;
    p.max_file_size = max_file_size;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.not_empty, NULL);
    pthread_cond_init(&p.not_full, NULL);
    size_t bad_names = 0;
    if ((rc = list_articles(dir, &p.names, &p.count, &bad_names)) != VB_OK) goto destroy;
    stats->skipped = bad_names;
    if (p.count == 0) {
        /* An empty folder is far more often a volume that did not mount
         * than a corpus: never let it wipe the one being served. */
        vb_log("error", "no *.txt article in %s: load refused; the previous corpus stays", dir);
        rc = VB_ERR;
        goto destroy;
    }
    if ((rc = vb_store_begin(s)) != VB_OK) goto done;
    if ((rc = vb_store_known(s, &p.known, &p.known_count)) != VB_OK) goto rollback_early;
    stats->files = p.count + bad_names;
    if (pthread_create(&reader, NULL, reader_main, &p) != 0) { rc = VB_ERR; goto rollback_early; }
    rc = VB_OK;
    while (pop(&p, &it)) {
        if (rc != VB_OK) { vb_document_free(&it.doc); continue; } /* drain after a failure */
        if (it.kind == ITEM_FATAL) { rc = VB_ENOMEM; continue; }
        /* Every file present is seen: a file that was good and is bad now
         * keeps its last good version; nothing is lost to a bad write. */
        if ((rc = vb_store_mark_seen(s, it.id)) != VB_OK) { vb_document_free(&it.doc); continue; }
        if (it.kind == ITEM_UNCHANGED) {
            stats->unchanged++;
            /* read and found the same: remember the file as it is now */
            if (it.hash[0]) rc = vb_store_file(s, it.id, it.keep_file ? &it.file : NULL);
        } else if (it.kind == ITEM_SKIPPED) {
            vb_log("warn", "skipped article %s/%s.txt: %s", dir, it.id, it.why);
            stats->skipped++;
        } else {
            rc = vb_store_put(s, &it.doc, it.hash, it.known);
            if (rc == VB_OK) rc = vb_store_file(s, it.id, it.keep_file ? &it.file : NULL);
            if (rc == VB_OK) {
                stats->parsed++;
                stats->quotes += it.doc.quotes.count;
                if (stats->parsed % INDEX_BATCH == 0) rc = vb_store_index(s);
            }
            vb_document_free(&it.doc);
        }
        if (rc != VB_OK) { /* stop the reader; drain what it queued */
            pthread_mutex_lock(&p.lock);
            p.abort = true;
            pthread_cond_broadcast(&p.not_full);
            pthread_mutex_unlock(&p.lock);
        }
    }
    pthread_join(reader, NULL);
    if (rc != VB_OK) goto rollback;
    stats->seconds = stats->files_seconds = now_seconds() - started;
    if ((rc = vb_store_finish(s, stats->parsed > 0, stats->seconds, &stats->removed, &stats->phases)) != VB_OK)
        goto rollback;
    if ((rc = vb_store_commit(s)) != VB_OK) goto rollback;
    stats->seconds = now_seconds() - started;
    goto done;
rollback_early:
rollback:
    vb_log("error", "load of %s failed (%s); the previous corpus stays", dir,
           rc == VB_ENOMEM ? "out of memory" : vb_store_error(s));
    vb_store_rollback(s);
done:
    vb_store_known_free(p.known, p.known_count);
    for (size_t i = 0; i < p.count; i++) free(p.names[i]);
    free(p.names);
destroy:
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.not_empty);
    pthread_cond_destroy(&p.not_full);
    return rc;
}

int vb_ingest_command(const vb_config *cfg)
{
    signal(SIGXFSZ, SIG_IGN); /* a write over RLIMIT_FSIZE fails the load (EFBIG), never the process */
    vb_store *s;
    vb_load_stats stats;
    char err[512];
    vb_status rc = vb_store_open(cfg->db, &s, err);
    if (err[0]) vb_log(rc == VB_OK ? "warn" : "error", "%s", err);
    if (rc != VB_OK) return 1;
    rc = vb_ingest(s, cfg->articles, cfg->max_file_size, &stats);
    vb_store_close(s);
    if (rc != VB_OK) return 1;
    printf("ingest: %zu files: %zu parsed, %zu unchanged, %zu skipped, %zu removed; %zu quotes extracted; %.3f s"
           " (files %.3f s, text index %.3f s, speakers %.3f s, commit %.3f s)\n",
           stats.files, stats.parsed, stats.unchanged, stats.skipped, stats.removed, stats.quotes, stats.seconds,
           stats.files_seconds, stats.phases.text_index, stats.phases.speakers,
           stats.seconds - stats.files_seconds - stats.phases.text_index - stats.phases.speakers);
    return 0;
}
