/* store.c - the SQLite store: all of verbatim's SQL.
 *
 * Writes happen in one transaction per load, on one connection. Reads use
 * one read-only connection per worker thread; with WAL, a reader inside its
 * transaction keeps seeing the corpus as it was when the request started,
 * while a reload commits the next one. Speakers are merged across articles
 * at the end of each load that changed something: two names are one speaker
 * when their slugs are equal or when an article gave one as the other's
 * acronym ("American Civil Liberties Union (ACLU)"). */
#include "verbatim/store.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#include "verbatim/log.h"
#include "verbatim/text.h"

extern const char vb_schema_sql[];

#define SCHEMA_TAG "verbatim-1"

struct vb_store {
    sqlite3 *db;
    sqlite3_stmt *seen_get, *seen_put, *del_quotes, *del_article, *ins_article, *ins_quote, *put_file, *del_file;
    /* The first rows inserted since the text index last caught up (0:
     * none). Each insert takes max(rowid) + 1 and a load deletes only rows
     * older than its own, so every row from these on is new and not in
     * the index yet: vb_store_index adds them in one statement. */
    sqlite3_int64 first_article, first_quote;
};

#define CACHE_SIZE 96
struct vb_reader {
    sqlite3 *db;
    vb_corpus corpus; /* as read by the last vb_reader_begin */
    struct {
        char *sql;
        sqlite3_stmt *stmt;
    } cache[CACHE_SIZE];
    size_t cached;
    bool in_txn;
};

/* ---- helpers --------------------------------------------------------------- */

/* The system error behind the last failed write on this thread: SQLite
 * does not always keep it (sqlite3_system_errno), errno does. */
static _Thread_local int write_errno;

static vb_status exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    errno = 0;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        write_errno = errno;
        vb_log("error", "sqlite: %s%s%s", err ? err : sqlite3_errmsg(db), errno ? ": " : "", errno ? strerror(errno) : "");
        sqlite3_free(err);
        return VB_ERR;
    }
    return VB_OK;
}

static vb_status prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK) {
        vb_log("error", "sqlite: %s in: %.80s", sqlite3_errmsg(db), sql);
        return VB_ERR;
    }
    return VB_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return json_null();
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    default: return json_stringn((const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
    }
}

/* A column holding JSON text (json_group_array, aliases, roles). */
static json_t *col_parsed(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    json_t *v = s ? json_loads(s, 0, NULL) : NULL;
    return v ? v : json_array();
}

static const char *col_str(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

void vb_url_escape(char *buf, size_t size, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(buf);
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            buf[n++] = (char)*p;
        } else {
            buf[n++] = '%';
            buf[n++] = hex[*p >> 4];
            buf[n++] = hex[*p & 15];
        }
    }
    buf[n] = '\0';
}

static json_t *make_link(const char *base, const char *prefix, const char *id, const char *suffix)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", base, prefix);
    vb_url_escape(url, sizeof url, id);
    if (suffix) strncat(url, suffix, sizeof url - strlen(url) - 1);
    return json_string(url);
}

/* ---- writing --------------------------------------------------------------- */

static bool foreign_or_broken(sqlite3 *db, char err[256])
{
    sqlite3_stmt *st;
    int tables = 0;
    bool ours = false;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, 256, "not a usable SQLite database (%s)", sqlite3_errmsg(db));
        return true;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        snprintf(err, 256, "not a usable SQLite database (%s)", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return true;
    }
    tables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (tables == 0) return false;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema'", -1, &st, NULL) == SQLITE_OK) {
        ours = sqlite3_step(st) == SQLITE_ROW && !strcmp(col_str(st, 0), SCHEMA_TAG);
        sqlite3_finalize(st);
    }
    if (!ours) snprintf(err, 256, "not a verbatim database (schema %s missing)", SCHEMA_TAG);
    if (ours && sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) != SQLITE_ROW || strcmp(col_str(st, 0), "ok") != 0) {
            snprintf(err, 256, "database fails its integrity check");
            ours = false;
        }
        sqlite3_finalize(st);
    }
    return !ours;
}

static vb_status open_rw(const char *path, sqlite3 **db)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        vb_log("error", "cannot open database %s: %s", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        *db = NULL;
        return VB_ERR;
    }
    sqlite3_busy_timeout(*db, 10000);
    return VB_OK;
}

vb_status vb_store_open(const char *path, vb_store **out, char err[512])
{
    vb_store *s = calloc(1, sizeof *s);
    err[0] = '\0';
    *out = NULL;
    if (!s) return VB_ENOMEM;
    if (open_rw(path, &s->db) != VB_OK) { free(s); snprintf(err, 512, "cannot open %s", path); return VB_ERR; }
    char why[256];
    if (foreign_or_broken(s->db, why)) {
        char aside[4096];
        sqlite3_close(s->db);
        /* a name not taken yet: two bad files in one second keep both */
        for (int k = 0; k < 1000; k++) {
            if (k == 0) snprintf(aside, sizeof aside, "%s.corrupt-%ld", path, (long)time(NULL));
            else snprintf(aside, sizeof aside, "%s.corrupt-%ld-%d", path, (long)time(NULL), k);
            if (access(aside, F_OK) != 0) break;
        }
        if (rename(path, aside) != 0) {
            snprintf(err, 512, "%.250s: %.80s, and it cannot be moved aside (%.100s)", path, why, strerror(errno));
            free(s);
            return VB_ERR;
        }
        char wal[4096];
        snprintf(wal, sizeof wal, "%s-wal", path);
        remove(wal);
        snprintf(wal, sizeof wal, "%s-shm", path);
        remove(wal);
        snprintf(err, 512, "%.170s: %.80s; moved it aside to %.200s and rebuilding from the articles", path, why, aside);
        if (open_rw(path, &s->db) != VB_OK) { free(s); return VB_ERR; }
    }
    /* A load is one large transaction: a 64 MB page cache keeps its B-tree
     * pages in memory until the commit writes them once. */
    if (exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                    "PRAGMA cache_size = -65536;") ||
        exec(s->db, vb_schema_sql) ||
        exec(s->db, "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '" SCHEMA_TAG "'), ('version', '0');"
                    "CREATE TEMP TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY) WITHOUT ROWID;") ||
        prepare(s->db, "SELECT content_hash FROM articles WHERE id = ?1", &s->seen_get) ||
        prepare(s->db, "INSERT OR IGNORE INTO temp.seen (id) VALUES (?1)", &s->seen_put) ||
        prepare(s->db, "DELETE FROM quotes WHERE article = (SELECT rowid FROM articles WHERE id = ?1)", &s->del_quotes) ||
        prepare(s->db, "DELETE FROM articles WHERE id = ?1", &s->del_article) ||
        prepare(s->db, "INSERT OR REPLACE INTO article_files (id, size, mtime_ns, ctime_ns, inode) VALUES (?1, ?2, ?3, ?4, ?5)",
                &s->put_file) ||
        prepare(s->db, "DELETE FROM article_files WHERE id = ?1", &s->del_file) ||
        prepare(s->db,
                "INSERT INTO articles (id, source_file, content_hash, title, date, date_precision, first_day,"
                " last_day, undated, lang, source_url, excerpt, body, word_count, quote_count)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                &s->ins_article) ||
        prepare(s->db,
                "INSERT INTO quotes (id, article, position, text, speaker_name, speaker_kind, aliases, role, cue,"
                " start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                &s->ins_quote)) {
        snprintf(err, 512, "cannot prepare database %s", path);
        vb_store_close(s);
        return VB_ERR;
    }
    *out = s;
    return VB_OK;
}

void vb_store_close(vb_store *s)
{
    if (!s) return;
    sqlite3_finalize(s->seen_get);
    sqlite3_finalize(s->seen_put);
    sqlite3_finalize(s->del_quotes);
    sqlite3_finalize(s->del_article);
    sqlite3_finalize(s->ins_article);
    sqlite3_finalize(s->ins_quote);
    sqlite3_finalize(s->put_file);
    sqlite3_finalize(s->del_file);
    sqlite3_close(s->db);
    free(s);
}

const char *vb_store_error(vb_store *s)
{
    /* SQLite says "disk I/O error"; the system says why (File too large). */
    static _Thread_local char message[512];
    if (!s || !s->db) return "no database";
    int sys = sqlite3_system_errno(s->db);
    if (!sys) sys = write_errno;
    if (sys) snprintf(message, sizeof message, "%s: %s", sqlite3_errmsg(s->db), strerror(sys));
    else snprintf(message, sizeof message, "%s", sqlite3_errmsg(s->db));
    return message;
}

vb_status vb_store_begin(vb_store *s)
{
    s->first_article = s->first_quote = 0;
    return exec(s->db, "BEGIN IMMEDIATE; DELETE FROM temp.seen;");
}

vb_status vb_store_commit(vb_store *s) { return exec(s->db, "COMMIT"); }

void vb_store_release_memory(vb_store *s)
{
    if (s && s->db) sqlite3_db_release_memory(s->db);
}

void vb_store_rollback(vb_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static vb_status step_done(sqlite3 *db, sqlite3_stmt *st)
{
    errno = 0;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) write_errno = errno;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        vb_log("error", "sqlite: %s", sqlite3_errmsg(db));
        return VB_ERR;
    }
    return VB_OK;
}

vb_status vb_store_seen(vb_store *s, const char *id, char hash[72])
{
    vb_status rc = VB_ENOTFOUND;
    bind_text(s->seen_put, 1, id);
    if (step_done(s->db, s->seen_put) != VB_OK) return VB_ERR;
    bind_text(s->seen_get, 1, id);
    if (sqlite3_step(s->seen_get) == SQLITE_ROW) {
        snprintf(hash, 72, "%s", col_str(s->seen_get, 0));
        rc = VB_OK;
    }
    sqlite3_reset(s->seen_get);
    sqlite3_clear_bindings(s->seen_get);
    return rc;
}

vb_status vb_store_mark_seen(vb_store *s, const char *id)
{
    bind_text(s->seen_put, 1, id);
    return step_done(s->db, s->seen_put);
}

vb_status vb_store_known(vb_store *s, vb_known_article **known, size_t *count)
{
    sqlite3_stmt *st;
    size_t n = 0, cap = 1024;
    vb_known_article *k = malloc(cap * sizeof *k);
    *known = NULL;
    *count = 0;
    if (!k) return VB_ENOMEM;
    if (prepare(s->db,
                "SELECT a.id, a.content_hash, f.size, f.mtime_ns, f.ctime_ns, f.inode FROM articles a"
                " LEFT JOIN article_files f ON f.id = a.id ORDER BY a.id COLLATE BINARY",
                &st)) {
        free(k);
        return VB_ERR;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            vb_known_article *grown = realloc(k, (cap *= 2) * sizeof *grown);
            if (!grown) { rc = SQLITE_NOMEM; break; }
            k = grown;
        }
        vb_known_article *a = &k[n++];
        a->id = strdup(col_str(st, 0));
        a->hash = strdup(col_str(st, 1));
        a->has_file = sqlite3_column_type(st, 2) != SQLITE_NULL;
        a->file = (vb_file_id){sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
                               sqlite3_column_int64(st, 5)};
        if (!a->id || !a->hash) { rc = SQLITE_NOMEM; break; }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) { vb_store_known_free(k, n); return VB_ERR; }
    *known = k;
    *count = n;
    return VB_OK;
}

void vb_store_known_free(vb_known_article *known, size_t count)
{
    for (size_t i = 0; known && i < count; i++) {
        free(known[i].id);
        free(known[i].hash);
    }
    free(known);
}

vb_status vb_store_file(vb_store *s, const char *id, const vb_file_id *file)
{
    sqlite3_stmt *st = file ? s->put_file : s->del_file;
    bind_text(st, 1, id);
    if (file) {
        sqlite3_bind_int64(st, 2, file->size);
        sqlite3_bind_int64(st, 3, file->mtime_ns);
        sqlite3_bind_int64(st, 4, file->ctime_ns);
        sqlite3_bind_int64(st, 5, file->inode);
    }
    return step_done(s->db, st);
}

vb_status vb_store_put(vb_store *s, const vb_document *doc, const char *hash, bool known)
{
    const vb_article *a = &doc->article;
    char date[11], *excerpt;
    sqlite3_stmt *st = s->ins_article;
    vb_date_format(&a->date, date);
    if (known) {
        bind_text(s->del_quotes, 1, doc->id);
        if (step_done(s->db, s->del_quotes) != VB_OK) return VB_ERR;
        bind_text(s->del_article, 1, doc->id);
        if (step_done(s->db, s->del_article) != VB_OK) return VB_ERR;
    }
    if (!(excerpt = vb_excerpt(a->body, 200))) return VB_ENOMEM;
    bool dated = a->date.precision != VB_PRECISION_NONE;
    bind_text(st, 1, doc->id);
    bind_text(st, 2, doc->source_file);
    bind_text(st, 3, hash);
    bind_text(st, 4, a->title);
    bind_text(st, 5, dated ? date : NULL);
    bind_text(st, 6, vb_precision_name(a->date.precision));
    sqlite3_bind_int(st, 7, vb_date_first_day(&a->date));
    sqlite3_bind_int(st, 8, vb_date_last_day(&a->date));
    sqlite3_bind_int(st, 9, !dated);
    bind_text(st, 10, a->lang);
    bind_text(st, 11, a->source_url);
    bind_text(st, 12, excerpt);
    sqlite3_bind_text(st, 13, a->body, (int)a->body_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)a->word_count);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)doc->quotes.count);
    free(excerpt);
    if (step_done(s->db, st) != VB_OK) return VB_ERR;
    sqlite3_int64 article = sqlite3_last_insert_rowid(s->db);
    if (!s->first_article) s->first_article = article;
    for (size_t i = 0; i < doc->quotes.count; i++) {
        const vb_quote *q = &doc->quotes.items[i];
        char id[600];
        snprintf(id, sizeof id, "%s-%zu", doc->id, i + 1);
        st = s->ins_quote;
        bind_text(st, 1, id);
        sqlite3_bind_int64(st, 2, article);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)i + 1);
        bind_text(st, 4, q->text);
        bind_text(st, 5, q->speaker);
        bind_text(st, 6, q->speaker ? vb_kind_name(q->kind) : NULL);
        bind_text(st, 7, q->aliases);
        bind_text(st, 8, q->role);
        bind_text(st, 9, q->cue);
        sqlite3_bind_int64(st, 10, (sqlite3_int64)q->start);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)q->end);
        if (step_done(s->db, st) != VB_OK) return VB_ERR;
        if (!s->first_quote) s->first_quote = sqlite3_last_insert_rowid(s->db);
    }
    return VB_OK;
}

/* ---- merging speakers across articles -------------------------------------- */

/* Strings interned to small integers: names, roles, slugs. */
typedef struct interner {
    char **strings;   /* by id */
    size_t count, cap;
    size_t *slots;    /* hash table of id + 1 */
    size_t mask;
} interner;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The id of s, added if new; SIZE_MAX when out of memory. */
static size_t intern(interner *in, const char *s)
{
    if (!in->slots || (in->count + 1) * 2 > in->mask + 1) {
        size_t size = in->slots ? (in->mask + 1) * 2 : 1024;
        size_t *slots = calloc(size, sizeof *slots);
        if (!slots) return SIZE_MAX;
        for (size_t id = 0; id < in->count; id++) {
            size_t j = hash_str(in->strings[id]) & (size - 1);
            while (slots[j]) j = (j + 1) & (size - 1);
            slots[j] = id + 1;
        }
        free(in->slots);
        in->slots = slots;
        in->mask = size - 1;
    }
    size_t j = hash_str(s) & in->mask;
    for (; in->slots[j]; j = (j + 1) & in->mask)
        if (!strcmp(in->strings[in->slots[j] - 1], s)) return in->slots[j] - 1;
    if (in->count == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 1024;
        char **grown = realloc(in->strings, cap * sizeof *grown);
        if (!grown) return SIZE_MAX;
        in->strings = grown;
        in->cap = cap;
    }
    if (!(in->strings[in->count] = strdup(s))) return SIZE_MAX;
    in->slots[j] = in->count + 1;
    return in->count++;
}

static void interner_free(interner *in)
{
    for (size_t i = 0; i < in->count; i++) free(in->strings[i]);
    free(in->strings);
    free(in->slots);
}

/* Counts of (a, b) pairs: which names, kinds, roles a speaker was seen with. */
typedef struct pair_count {
    size_t a, b, count, first; /* first: order of first sight */
} pair_count;

typedef struct pair_counts {
    pair_count *items;
    size_t count, cap, seen;
    size_t *slots;
    size_t mask;
} pair_counts;

static bool pair_add(pair_counts *p, size_t a, size_t b)
{
    if (!p->slots || (p->count + 1) * 2 > p->mask + 1) {
        size_t size = p->slots ? (p->mask + 1) * 2 : 1024;
        size_t *slots = calloc(size, sizeof *slots);
        if (!slots) return false;
        for (size_t i = 0; i < p->count; i++) {
            size_t j = (p->items[i].a * 31 + p->items[i].b * 1000003) & (size - 1);
            while (slots[j]) j = (j + 1) & (size - 1);
            slots[j] = i + 1;
        }
        free(p->slots);
        p->slots = slots;
        p->mask = size - 1;
    }
    size_t j = (a * 31 + b * 1000003) & p->mask;
    for (; p->slots[j]; j = (j + 1) & p->mask) {
        pair_count *c = &p->items[p->slots[j] - 1];
        if (c->a == a && c->b == b) { c->count++; return true; }
    }
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        pair_count *grown = realloc(p->items, cap * sizeof *grown);
        if (!grown) return false;
        p->items = grown;
        p->cap = cap;
    }
    p->items[p->count] = (pair_count){a, b, 1, p->seen++};
    p->slots[j] = ++p->count;
    return true;
}

static int by_owner_then_count(const void *x, const void *y)
{
    const pair_count *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

static size_t find_root(size_t *parent, size_t i)
{
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

typedef struct mention_row {
    sqlite3_int64 quote, article;
    int position, first_day;
    bool dated;
    size_t node, name, role, date; /* role, date: interned, or SIZE_MAX */
    unsigned char kind;
} mention_row;

typedef struct speaker_acc {
    size_t name, kind, quotes, articles, first, last; /* first/last: rows of the dates */
    sqlite3_int64 last_article;
} speaker_acc;

static const char *const kind_names[] = {"person", "organization", "group", "anonymous"};

static unsigned char kind_of(const char *k)
{
    for (unsigned char i = 0; i < 4; i++)
        if (k && !strcmp(k, kind_names[i])) return i;
    return 3;
}

/* Merges the speakers of every quote, in C and in one pass over the quotes:
 * names are nodes (their slugs), an article's acronym ties two nodes; each
 * component is one speaker, named by the name its quotes use most (the
 * longest on a tie), of the kind they give it most. Then the speakers,
 * their names and their articles are written. */
static vb_status merge_speakers(vb_store *s)
{
    vb_status rc = VB_ERR;
    sqlite3_stmt *st = NULL, *upd = NULL, *ins = NULL, *form = NULL, *art = NULL;
    interner strings = {0}, slugs = {0};
    pair_counts names = {0}, kinds = {0}, roles = {0};
    mention_row *rows = NULL;
    size_t *parent = NULL, nrows = 0, row_cap = 0, parent_cap = 0;
    speaker_acc *acc = NULL;

    if (exec(s->db, "DELETE FROM speakers; DELETE FROM speaker_names; DELETE FROM article_speakers;"
                    "UPDATE quotes SET speaker = NULL WHERE speaker IS NOT NULL;"))
        return VB_ERR;
    if (prepare(s->db,
                "SELECT q.rowid, q.article, q.position, q.speaker_name, q.speaker_kind, q.aliases, q.role, a.date,"
                " a.first_day, a.undated FROM quotes q JOIN articles a ON a.rowid = q.article"
                " WHERE q.speaker_name IS NOT NULL ORDER BY q.article, q.position",
                &st))
        return VB_ERR;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_str(st, 3), *aliases = (const char *)sqlite3_column_text(st, 5);
        const char *role = (const char *)sqlite3_column_text(st, 6), *date = (const char *)sqlite3_column_text(st, 7);
        char *slug = vb_slug(name);
        if (!slug) goto done;
        if (!*slug) { free(slug); continue; }
        size_t nodes_before = slugs.count, node = intern(&slugs, slug);
        free(slug);
        if (node == SIZE_MAX) goto done;
        if (slugs.count > parent_cap) {
            size_t *grown = realloc(parent, (parent_cap = slugs.count * 2 + 64) * sizeof *grown);
            if (!grown) goto done;
            parent = grown;
        }
        for (size_t k = nodes_before; k < slugs.count; k++) parent[k] = k;
        if (nrows == row_cap) {
            mention_row *grown = realloc(rows, (row_cap = row_cap ? row_cap * 2 : 4096) * sizeof *grown);
            if (!grown) goto done;
            rows = grown;
        }
        mention_row *r = &rows[nrows++];
        r->quote = sqlite3_column_int64(st, 0);
        r->article = sqlite3_column_int64(st, 1);
        r->position = sqlite3_column_int(st, 2);
        r->name = intern(&strings, name);
        r->kind = kind_of((const char *)sqlite3_column_text(st, 4));
        r->role = role ? intern(&strings, role) : SIZE_MAX;
        r->date = date ? intern(&strings, date) : SIZE_MAX;
        r->first_day = sqlite3_column_int(st, 8);
        r->dated = sqlite3_column_int(st, 9) == 0;
        r->node = node;
        if (r->name == SIZE_MAX) goto done;
        /* "American Civil Liberties Union (ACLU)": the two names are one */
        for (const char *p = aliases; p && *p;) {
            size_t len = strcspn(p, "\x1f");
            char alias[512];
            snprintf(alias, sizeof alias, "%.*s", (int)(len < 511 ? len : 511), p);
            char *aslug = vb_slug(alias);
            if (aslug && *aslug) {
                size_t before = slugs.count, other = intern(&slugs, aslug);
                if (other == SIZE_MAX) { free(aslug); goto done; }
                if (slugs.count > parent_cap) {
                    size_t *grown = realloc(parent, (parent_cap = slugs.count * 2 + 64) * sizeof *grown);
                    if (!grown) { free(aslug); goto done; }
                    parent = grown;
                }
                for (size_t k = before; k < slugs.count; k++) parent[k] = k;
                parent[find_root(parent, other)] = find_root(parent, node);
                size_t alias_id = intern(&strings, alias);
                if (alias_id == SIZE_MAX || !pair_add(&names, node, alias_id)) { free(aslug); goto done; }
                names.items[names.count - 1].count = 0; /* an alias is a name, not a use of it */
            }
            free(aslug);
            p += len;
            if (*p) p++;
        }
    }
    if (step != SQLITE_DONE) goto done;
    sqlite3_finalize(st);
    st = NULL;

    /* Counts per component root. */
    for (size_t i = 0; i < nrows; i++) {
        size_t root = find_root(parent, rows[i].node);
        rows[i].node = root;
        if (!pair_add(&names, root, rows[i].name) || !pair_add(&kinds, root, rows[i].kind)) goto done;
        if (rows[i].role != SIZE_MAX && !pair_add(&roles, root, rows[i].role)) goto done;
    }
    for (size_t i = 0; i < names.count; i++) names.items[i].a = find_root(parent, names.items[i].a);
    qsort(names.items, names.count, sizeof *names.items, by_owner_then_count);
    qsort(kinds.items, kinds.count, sizeof *kinds.items, by_owner_then_count);
    qsort(roles.items, roles.count, sizeof *roles.items, by_owner_then_count);

    if (!(acc = calloc(slugs.count + 1, sizeof *acc))) goto done;
    for (size_t i = 0; i < slugs.count; i++) acc[i] = (speaker_acc){SIZE_MAX, 0, 0, 0, SIZE_MAX, SIZE_MAX, -1};
    /* canonical name: most used, longest on a tie (a name seen only as an
     * alias has count 0 and never wins over a used one) */
    for (size_t i = 0, best = 0; i < names.count; i++) {
        pair_count *c = &names.items[i];
        speaker_acc *sp = &acc[c->a];
        if (sp->name == SIZE_MAX) { sp->name = c->b; best = i; continue; } /* sorted: the most used comes first */
        if (c->count == names.items[best].count && strlen(strings.strings[c->b]) > strlen(strings.strings[sp->name])) {
            sp->name = c->b;
            best = i;
        }
    }
    for (size_t i = kinds.count; i-- > 0;) acc[kinds.items[i].a].kind = kinds.items[i].b; /* the first of each owner wins */
    for (size_t i = 0; i < nrows; i++) {
        speaker_acc *sp = &acc[rows[i].node];
        sp->quotes++;
        if (sp->last_article != rows[i].article) { sp->articles++; sp->last_article = rows[i].article; }
        if (rows[i].dated) {
            if (sp->first == SIZE_MAX || rows[i].first_day < rows[sp->first].first_day) sp->first = i;
            if (sp->last == SIZE_MAX || rows[i].first_day > rows[sp->last].first_day) sp->last = i;
        }
    }

    if (prepare(s->db, "UPDATE quotes SET speaker = ?1 WHERE rowid = ?2", &upd) ||
        prepare(s->db, "INSERT INTO speakers (id, name, name_fold, kind, aliases, roles, quote_count, article_count,"
                       " first_date, last_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &ins) ||
        prepare(s->db, "INSERT OR IGNORE INTO speaker_names (form, speaker) VALUES (?1, ?2)", &form) ||
        prepare(s->db, "INSERT INTO article_speakers (article, speaker, quote_count, first_quote) VALUES (?1, ?2, ?3, ?4)", &art))
        goto done;
    /* Speakers, their forms: one pass over the roots, in name order. */
    char **ids = calloc(slugs.count + 1, sizeof *ids);
    if (!ids) goto done;
    size_t ni = 0, ri = 0;
    for (size_t root = 0; root < slugs.count; root++) {
        speaker_acc *sp = &acc[root];
        if (!sp->quotes || sp->name == SIZE_MAX) continue;
        const char *name = strings.strings[sp->name];
        char *id = vb_slug(name), *fold = vb_fold(name);
        json_t *aliases = json_array(), *role_list = json_array();
        if (!id || !fold) { free(id); free(fold); json_decref(aliases); json_decref(role_list); break; }
        ids[root] = id;
        bind_text(form, 1, id); bind_text(form, 2, id); step_done(s->db, form);
        bind_text(form, 1, fold); bind_text(form, 2, id); step_done(s->db, form);
        if (sp->kind == 0 && strrchr(fold, ' ')) { bind_text(form, 1, strrchr(fold, ' ') + 1); bind_text(form, 2, id); step_done(s->db, form); }
        while (ni < names.count && names.items[ni].a < root) ni++;
        for (; ni < names.count && names.items[ni].a == root; ni++) {
            const char *alias = strings.strings[names.items[ni].b];
            char *af = vb_fold(alias);
            if (af && strcmp(af, fold) != 0) {
                bool dup = false;
                size_t k;
                json_t *v;
                json_array_foreach(aliases, k, v) {
                    char *vf = vb_fold(json_string_value(v));
                    dup |= vf && !strcmp(vf, af);
                    free(vf);
                }
                if (!dup) json_array_append_new(aliases, json_string(alias));
                bind_text(form, 1, af); bind_text(form, 2, id); step_done(s->db, form);
            }
            free(af);
        }
        while (ri < roles.count && roles.items[ri].a < root) ri++;
        for (; ri < roles.count && roles.items[ri].a == root; ri++)
            json_array_append_new(role_list, json_string(strings.strings[roles.items[ri].b]));
        char *aliases_text = json_dumps(aliases, JSON_COMPACT), *roles_text = json_dumps(role_list, JSON_COMPACT);
        bind_text(ins, 1, id);
        bind_text(ins, 2, name);
        bind_text(ins, 3, fold);
        bind_text(ins, 4, kind_names[sp->kind]);
        bind_text(ins, 5, aliases_text ? aliases_text : "[]");
        bind_text(ins, 6, roles_text ? roles_text : "[]");
        sqlite3_bind_int64(ins, 7, (sqlite3_int64)sp->quotes);
        sqlite3_bind_int64(ins, 8, (sqlite3_int64)sp->articles);
        bind_text(ins, 9, sp->first != SIZE_MAX ? strings.strings[rows[sp->first].date] : NULL);
        bind_text(ins, 10, sp->last != SIZE_MAX ? strings.strings[rows[sp->last].date] : NULL);
        vb_status w = step_done(s->db, ins);
        free(aliases_text);
        free(roles_text);
        free(fold);
        json_decref(aliases);
        json_decref(role_list);
        if (w != VB_OK) break;
    }
    /* Quotes and article_speakers: rows are in article order. */
    size_t group_start = 0;
    bool ok = true;
    for (size_t i = 0; i < nrows && ok; i++) {
        const char *id = ids[rows[i].node];
        if (!id) continue;
        bind_text(upd, 1, id);
        sqlite3_bind_int64(upd, 2, rows[i].quote);
        ok = step_done(s->db, upd) == VB_OK;
        if (i + 1 == nrows || rows[i + 1].article != rows[i].article) {
            /* one article's speakers: count and first quote of each */
            for (size_t j = group_start; j <= i && ok; j++) {
                bool first = true;
                for (size_t k = group_start; k < j && first; k++) first = rows[k].node != rows[j].node;
                if (!first || !ids[rows[j].node]) continue;
                int count = 0;
                for (size_t k = j; k <= i; k++) count += rows[k].node == rows[j].node;
                sqlite3_bind_int64(art, 1, rows[j].article);
                bind_text(art, 2, ids[rows[j].node]);
                sqlite3_bind_int(art, 3, count);
                sqlite3_bind_int(art, 4, rows[j].position);
                ok = step_done(s->db, art) == VB_OK;
            }
            group_start = i + 1;
        }
    }
    for (size_t i = 0; i < slugs.count; i++) free(ids[i]);
    free(ids);
    if (ok) rc = VB_OK;
done:
    if (rc != VB_OK) vb_log("error", "merging speakers failed: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    sqlite3_finalize(upd);
    sqlite3_finalize(ins);
    sqlite3_finalize(form);
    sqlite3_finalize(art);
    interner_free(&strings);
    interner_free(&slugs);
    free(names.items); free(names.slots);
    free(kinds.items); free(kinds.slots);
    free(roles.items); free(roles.slots);
    free(rows);
    free(parent);
    free(acc);
    return rc;
}

vb_status vb_store_index(vb_store *s)
{
    char sql[160];
    if (s->first_article) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO articles_fts (rowid, title, body) SELECT rowid, title, body FROM articles WHERE rowid >= %lld",
                 (long long)s->first_article);
        if (exec(s->db, sql)) return VB_ERR;
        s->first_article = 0;
    }
    if (s->first_quote) {
        snprintf(sql, sizeof sql, "INSERT INTO quotes_fts (rowid, text) SELECT rowid, text FROM quotes WHERE rowid >= %lld",
                 (long long)s->first_quote);
        if (exec(s->db, sql)) return VB_ERR;
        s->first_quote = 0;
    }
    return VB_OK;
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

vb_status vb_store_finish(vb_store *s, bool changed, double seconds, size_t *removed, vb_finish_times *times)
{
    char sql[512], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    *removed = 0;
    times->text_index = times->speakers = 0;
    if (exec(s->db, "DELETE FROM quotes WHERE article IN (SELECT rowid FROM articles WHERE id NOT IN (SELECT id FROM temp.seen));"
                    "DELETE FROM articles WHERE id NOT IN (SELECT id FROM temp.seen);"))
        return VB_ERR;
    *removed = (size_t)sqlite3_changes(s->db);
    if (*removed && exec(s->db, "DELETE FROM article_files WHERE id NOT IN (SELECT id FROM articles)")) return VB_ERR;
    double t0 = monotonic();
    if (vb_store_index(s) != VB_OK) return VB_ERR;
    double t1 = monotonic();
    times->text_index = t1 - t0;
    if (changed || *removed) {
        if (merge_speakers(s) != VB_OK) return VB_ERR;
        times->speakers = monotonic() - t1;
        /* counted once here, not by every request (10^5 rows take ms) */
        if (exec(s->db, "INSERT OR REPLACE INTO meta (key, value) VALUES"
                        " ('articles', (SELECT count(*) FROM articles)), ('quotes', (SELECT count(*) FROM quotes)),"
                        " ('speakers', (SELECT count(*) FROM speakers))"))
            return VB_ERR;
        if (exec(s->db, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")) return VB_ERR;
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO meta (key, value) VALUES ('loaded_at', '%s'), ('load_seconds', '%.6f');", stamp,
             seconds);
    return exec(s->db, sql);
}

/* ---- reading --------------------------------------------------------------- */

vb_status vb_reader_open(const char *path, vb_reader **out)
{
    vb_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return VB_ENOMEM;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        vb_log("error", "cannot open database %s read-only: %s", path, sqlite3_errmsg(r->db));
        sqlite3_close(r->db);
        free(r);
        return VB_ERR;
    }
    sqlite3_busy_timeout(r->db, 5000);
    /* Every list has its index; an automatic one is built per statement,
     * from every row a filter matches (0.4 s for 41,000 quotes at 10^5
     * articles), when SQLite guesses wrong. */
    sqlite3_exec(r->db, "PRAGMA automatic_index = OFF", NULL, NULL, NULL);
    *out = r;
    return VB_OK;
}

void vb_reader_close(vb_reader *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->cached; i++) {
        sqlite3_finalize(r->cache[i].stmt);
        free(r->cache[i].sql);
    }
    sqlite3_close(r->db);
    free(r);
}

/* The statement for sql, prepared once per connection. */
static sqlite3_stmt *stmt(vb_reader *r, const char *sql)
{
    for (size_t i = 0; i < r->cached; i++)
        if (!strcmp(r->cache[i].sql, sql)) {
            sqlite3_reset(r->cache[i].stmt);
            sqlite3_clear_bindings(r->cache[i].stmt);
            return r->cache[i].stmt;
        }
    sqlite3_stmt *st;
    if (prepare(r->db, sql, &st) != VB_OK) return NULL;
    if (r->cached == CACHE_SIZE) { /* full: forget the oldest */
        sqlite3_finalize(r->cache[0].stmt);
        free(r->cache[0].sql);
        memmove(&r->cache[0], &r->cache[1], (CACHE_SIZE - 1) * sizeof r->cache[0]);
        r->cached--;
    }
    r->cache[r->cached].sql = strdup(sql);
    if (!r->cache[r->cached].sql) { sqlite3_finalize(st); return NULL; }
    r->cache[r->cached++].stmt = st;
    return st;
}

vb_status vb_reader_begin(vb_reader *r, vb_corpus *c)
{
    memset(c, 0, sizeof *c);
    if (exec(r->db, "BEGIN") != VB_OK) return VB_ERR;
    r->in_txn = true;
    sqlite3_stmt *st = stmt(r,
        "SELECT (SELECT value FROM meta WHERE key = 'version'),"
        " coalesce((SELECT value FROM meta WHERE key = 'articles'), (SELECT count(*) FROM articles)),"
        " coalesce((SELECT value FROM meta WHERE key = 'quotes'), (SELECT count(*) FROM quotes)),"
        " coalesce((SELECT value FROM meta WHERE key = 'speakers'), (SELECT count(*) FROM speakers)),"
        " (SELECT value FROM meta WHERE key = 'loaded_at'), (SELECT value FROM meta WHERE key = 'load_seconds')");
    if (!st) return VB_ERR;
    if (sqlite3_step(st) != SQLITE_ROW) { sqlite3_reset(st); return VB_ERR; }
    c->version = sqlite3_column_int64(st, 0);
    c->articles = sqlite3_column_int64(st, 1);
    c->quotes = sqlite3_column_int64(st, 2);
    c->speakers = sqlite3_column_int64(st, 3);
    snprintf(c->loaded_at, sizeof c->loaded_at, "%s", col_str(st, 4));
    c->load_seconds = sqlite3_column_double(st, 5);
    sqlite3_reset(st);
    r->corpus = *c;
    return VB_OK;
}

void vb_reader_end(vb_reader *r)
{
    if (r->in_txn) sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    r->in_txn = false;
}

/* SQL text builder: fixed buffer, large enough for every query we build. */
typedef struct sql_buf {
    char s[4096];
    size_t n;
} sql_buf;

static void add(sql_buf *b, const char *text)
{
    size_t k = strlen(text);
    if (b->n + k < sizeof b->s) { memcpy(b->s + b->n, text, k + 1); b->n += k; }
}

#define ARTICLE_SUMMARY_COLS \
    "a.id, a.title, a.date, a.date_precision, a.lang, a.source_url, a.excerpt, a.quote_count," \
    " (SELECT json_group_array(speaker) FROM (SELECT speaker FROM article_speakers WHERE article = a.rowid" \
    " ORDER BY first_quote)), a.undated, a.first_day"

static json_t *article_summary(sqlite3_stmt *st, int c, const char *base)
{
    json_t *o = json_object();
    const char *id = col_str(st, c);
    json_object_set_new(o, "id", col_json(st, c));
    json_object_set_new(o, "title", col_json(st, c + 1));
    json_object_set_new(o, "date", col_json(st, c + 2));
    json_object_set_new(o, "date_precision", col_json(st, c + 3));
    json_object_set_new(o, "lang", col_json(st, c + 4));
    json_object_set_new(o, "source_url", col_json(st, c + 5));
    json_object_set_new(o, "excerpt", col_json(st, c + 6));
    json_object_set_new(o, "quote_count", col_json(st, c + 7));
    json_object_set_new(o, "speakers", col_parsed(st, c + 8));
    json_object_set_new(o, "links", json_pack("{s:o}", "self", make_link(base, "/v1/articles/", id, NULL)));
    return o;
}

#define QUOTE_COLS \
    "q.id, q.text, s.id, s.name, s.kind, q.role, q.cue, a.id, a.title, a.date, a.date_precision, q.start, q.end," \
    " a.undated, a.first_day, q.position"
#define QUOTE_FROM " FROM quotes q JOIN articles a ON a.rowid = q.article LEFT JOIN speakers s ON s.id = q.speaker"

static json_t *quote_object(sqlite3_stmt *st, const char *base)
{
    json_t *o = json_object(), *speaker = json_null();
    if (sqlite3_column_type(st, 2) != SQLITE_NULL)
        speaker = json_pack("{s:o, s:o, s:o}", "id", col_json(st, 2), "name", col_json(st, 3), "kind", col_json(st, 4));
    json_object_set_new(o, "id", col_json(st, 0));
    json_object_set_new(o, "text", col_json(st, 1));
    json_object_set_new(o, "speaker", speaker);
    json_object_set_new(o, "role", col_json(st, 5));
    json_object_set_new(o, "cue", col_json(st, 6));
    json_object_set_new(o, "article", json_pack("{s:o, s:o, s:o, s:o}", "id", col_json(st, 7), "title", col_json(st, 8),
                                                "date", col_json(st, 9), "date_precision", col_json(st, 10)));
    json_object_set_new(o, "offsets", json_pack("{s:o, s:o}", "start", col_json(st, 11), "end", col_json(st, 12)));
    json_object_set_new(o, "links", json_pack("{s:o}", "self", make_link(base, "/v1/quotes/", col_str(st, 0), NULL)));
    return o;
}

#define SPEAKER_COLS \
    "s.id, s.name, s.kind, s.aliases, s.roles, s.quote_count, s.article_count, s.first_date, s.last_date, s.name_fold"

static json_t *speaker_object(sqlite3_stmt *st, const char *base)
{
    json_t *o = json_object();
    const char *id = col_str(st, 0);
    json_object_set_new(o, "id", col_json(st, 0));
    json_object_set_new(o, "name", col_json(st, 1));
    json_object_set_new(o, "kind", col_json(st, 2));
    json_object_set_new(o, "aliases", col_parsed(st, 3));
    json_object_set_new(o, "roles", col_parsed(st, 4));
    json_object_set_new(o, "quote_count", col_json(st, 5));
    json_object_set_new(o, "article_count", col_json(st, 6));
    json_object_set_new(o, "first_date", col_json(st, 7));
    json_object_set_new(o, "last_date", col_json(st, 8));
    json_object_set_new(o, "links", json_pack("{s:o, s:o}", "self", make_link(base, "/v1/speakers/", id, NULL), "quotes",
                                              make_link(base, "/v1/speakers/", id, "/quotes")));
    return o;
}

/* The newest-first sort key of articles_newest (db/schema.sql), and that
 * of a cursor (?10 undated, ?11 first day). */
#define NEWEST "(a.undated * 100000000 - a.first_day)"
#define NEWEST_AFTER "(?10 * 100000000 - ?11)"

/* The filters shared by the article and quote lists, as SQL over aliases
 * a (and q). walk: the rows will be visited in the order of
 * the list, so the matches of words or speakers are only checked, never
 * the way in ("+" keeps SQLite from using them to find rows). */
static void article_filters(sql_buf *w, const vb_list_query *q, bool quotes, bool walk)
{
    const char *check = walk ? " AND +" : " AND ";
    /* Overlap: first_day <= to and last_day >= from. A date spans at most
     * a year, 1130 in YYYYMMDD numbers (0101 to 1231), so first_day >=
     * from - 1130 too: a bounded range in either index. */
    if (q->has_dates)
        add(w, " AND a.undated = 0 AND a.first_day <= ?2 AND a.last_day >= ?1"
               " AND a.first_day >= ?1 - 1130 AND " NEWEST " BETWEEN -?2 AND 1130 - ?1");
    if (q->lang) add(w, " AND a.lang = ?3");
    if (q->fts) {
        add(w, check);
        add(w, quotes ? "q.rowid IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?4)"
                      : "a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?4)");
    }
    if (q->speaker_ids && !quotes) {
        add(w, check);
        add(w, "a.rowid IN (SELECT article FROM article_speakers WHERE speaker IN (SELECT value FROM json_each(?5)))");
    }
    if (q->speaker_ids && quotes) add(w, " AND q.speaker IN (SELECT value FROM json_each(?5))");
    if (q->article) add(w, " AND a.id = ?6");
}

static void bind_filters(sqlite3_stmt *st, const vb_list_query *q)
{
    if (q->has_dates) { sqlite3_bind_int(st, 1, q->from_day); sqlite3_bind_int(st, 2, q->to_day); }
    if (q->lang) bind_text(st, 3, q->lang);
    if (q->fts) bind_text(st, 4, q->fts);
    if (q->speaker_ids) bind_text(st, 5, q->speaker_ids);
    if (q->article) bind_text(st, 6, q->article);
    if (q->kind) bind_text(st, 7, q->kind);
    if (q->name_part) bind_text(st, 8, q->name_part);
}

static vb_status count_rows(vb_reader *r, const char *sql, const vb_list_query *q, long long *total)
{
    sqlite3_stmt *st = stmt(r, sql);
    if (!st) return VB_ERR;
    bind_filters(st, q);
    int rc = sqlite3_step(st);
    *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VB_OK : VB_ERR;
}

/* One kind of list: how to read a row into JSON and its keyset position,
 * and how to bind a keyset position to ?10 (flag or text), ?11 (day or
 * count), ?12 (id) and ?14 (quote position). */
typedef struct list_kind {
    const char *count_from;  /* "FROM ... WHERE 1" for the total */
    enum { OF_ARTICLES, OF_QUOTES, OF_SPEAKERS } corpus_total; /* the total when nothing filters */
    const char *key;         /* what names a row: "a.rowid" */
    const char *keys_from;   /* "FROM ... WHERE 1" to find the page's rows */
    const char *select_from; /* "SELECT cols FROM ... WHERE 1" to read them */
    json_t *(*row)(sqlite3_stmt *st, const char *base, vb_keyset *last);
    void (*bind_after)(sqlite3_stmt *st, const vb_keyset *after);
} list_kind;

/* Total, then one page: filters in where, keyset condition in after, order
 * in order; one row more than the limit says whether a next page exists.
 * The page's rows are found first by their keys alone, and only they are
 * read whole: a filter that matches thousands (words, a speaker) sorts
 * thousands of keys, not thousands of rows with their excerpts and
 * speaker lists. */
/* Two ways to a page when words or speakers filter: find every match and
 * sort them (cost: the matches), or walk the list in order and keep the
 * matches (cost: about limit / density rows). walk (may be NULL) is the
 * second, taken when the matches are dense enough for it to be cheaper:
 * density > sqrt(limit / rows), where both costs meet. */
typedef struct list_walk {
    const list_kind *kind;
    const char *where;
} list_walk;

/* The total of a list filtered by words or speakers alone, counted in
 * their own index rather than row by row (NULL: count the rows). */
static const char *direct_count(const vb_list_query *q, bool quotes)
{
    if (q->has_dates || q->lang || q->article || (q->fts && q->speaker_ids)) return NULL;
    if (q->fts) return quotes ? "SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?4"
                              : "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?4";
    if (q->speaker_ids)
        return quotes ? "SELECT count(*) FROM quotes WHERE speaker IN (SELECT value FROM json_each(?5))"
                      : "SELECT count(DISTINCT article) FROM article_speakers WHERE speaker IN (SELECT value FROM json_each(?5))";
    return NULL;
}

static vb_status run_list(vb_reader *r, const list_kind *k, const char *where, const list_walk *walk, const char *after,
                          const char *order, const vb_list_query *q, const char *base, vb_page *page)
{
    sql_buf sql = {{0}, 0};
    memset(page, 0, sizeof *page);
    long long all = k->corpus_total == OF_ARTICLES ? r->corpus.articles
                  : k->corpus_total == OF_QUOTES   ? r->corpus.quotes
                                                   : r->corpus.speakers;
    const char *direct = k->corpus_total == OF_SPEAKERS ? NULL : direct_count(q, k->corpus_total == OF_QUOTES);
    if (!where[0] && r->corpus.version) {
        page->total = all;
    } else if (direct) {
        if (count_rows(r, direct, q, &page->total) != VB_OK) return VB_ERR;
    } else {
        add(&sql, "SELECT count(*) ");
        add(&sql, k->count_from);
        add(&sql, where);
        if (count_rows(r, sql.s, q, &page->total) != VB_OK) return VB_ERR;
    }
    if (walk && r->corpus.version && (double)page->total * (double)page->total > (double)(q->limit + 1) * (double)all) {
        k = walk->kind;
        where = walk->where;
    }
    sql.n = 0;
    sql.s[0] = '\0';
    add(&sql, k->select_from);
    add(&sql, " AND ");
    add(&sql, k->key);
    add(&sql, " IN (SELECT ");
    add(&sql, k->key);
    add(&sql, " ");
    add(&sql, k->keys_from);
    add(&sql, where);
    if (q->has_after) add(&sql, after);
    add(&sql, order);
    add(&sql, " LIMIT ?13)");
    add(&sql, order);
    sqlite3_stmt *st = stmt(r, sql.s);
    if (!st) return VB_ERR;
    bind_filters(st, q);
    if (q->has_after) k->bind_after(st, &q->after);
    sqlite3_bind_int(st, 13, q->limit + 1);
    page->items = json_array();
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == q->limit) { page->more = true; break; }
        json_array_append_new(page->items, k->row(st, base, &page->last));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) { json_decref(page->items); page->items = NULL; return VB_ERR; }
    return VB_OK;
}

/* Dates sort as (undated, first day): one number, undated * 10^8 + day. */
static void bind_date_key(sqlite3_stmt *st, const vb_keyset *after)
{
    sqlite3_bind_int64(st, 10, after->num / 100000000);
    sqlite3_bind_int64(st, 11, after->num % 100000000);
}

static json_t *article_row(sqlite3_stmt *st, const char *base, vb_keyset *last)
{
    last->num = sqlite3_column_int64(st, 9) * 100000000 + sqlite3_column_int64(st, 10);
    snprintf(last->text, sizeof last->text, "%s", col_str(st, 0));
    return article_summary(st, 0, base);
}

static void bind_article_after(sqlite3_stmt *st, const vb_keyset *after)
{
    bind_date_key(st, after);
    bind_text(st, 12, after->text);
}

vb_status vb_reader_articles(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page)
{
    static const list_kind kind = {"FROM articles a WHERE 1", OF_ARTICLES, "a.rowid", "FROM articles a WHERE 1",
                                   "SELECT " ARTICLE_SUMMARY_COLS " FROM articles a WHERE 1", article_row,
                                   bind_article_after};
    sql_buf w = {{0}, 0}, walk_w = {{0}, 0};
    bool desc = q->sort != VB_SORT_DATE_ASC;
    article_filters(&w, q, false, false);
    article_filters(&walk_w, q, false, true);
    list_walk walk = {&kind, walk_w.s};
    /* The cursor as a position in an index (articles_newest, _oldest):
     * the page after it is one seek, at any depth. */
    return run_list(r, &kind, w.s, q->fts || q->speaker_ids ? &walk : NULL,
                    desc ? " AND " NEWEST " >= " NEWEST_AFTER " AND (" NEWEST " > " NEWEST_AFTER " OR a.id > ?12)"
                         : " AND (a.undated, a.first_day, a.id) > (?10, ?11, ?12)",
                    desc ? " ORDER BY " NEWEST ", a.id" : " ORDER BY a.undated, a.first_day, a.id",
                    q, base, page);
}

static json_t *quote_row(sqlite3_stmt *st, const char *base, vb_keyset *last)
{
    last->num = sqlite3_column_int64(st, 13) * 100000000 + sqlite3_column_int64(st, 14);
    snprintf(last->id, sizeof last->id, "%s", col_str(st, 7));
    last->pos = sqlite3_column_int64(st, 15);
    return quote_object(st, base);
}

static void bind_quote_after(sqlite3_stmt *st, const vb_keyset *after)
{
    bind_date_key(st, after);
    bind_text(st, 12, after->id);
    sqlite3_bind_int64(st, 14, after->pos);
}

vb_status vb_reader_quotes(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page)
{
    /* In order: the articles, walked in date order (CROSS JOIN keeps that
     * loop outside), give their quotes in order and nothing is sorted,
     * however deep the page. Filtered by speakers or words, when the
     * matches are few, they are found first (an index each) and sorted
     * (see list_walk). */
#define QUOTES_JOINED "FROM quotes q JOIN articles a ON a.rowid = q.article WHERE 1"
    static const list_kind matching = {QUOTES_JOINED, OF_QUOTES, "q.rowid", QUOTES_JOINED,
                                       "SELECT " QUOTE_COLS QUOTE_FROM " WHERE 1", quote_row, bind_quote_after};
    static const list_kind in_order = {QUOTES_JOINED, OF_QUOTES, "q.rowid",
                                       "FROM articles a CROSS JOIN quotes q ON q.article = a.rowid WHERE 1",
                                       "SELECT " QUOTE_COLS QUOTE_FROM " WHERE 1", quote_row, bind_quote_after};
#undef QUOTES_JOINED
    bool matches = q->speaker_ids || q->fts;
    const list_kind *kind = matches ? &matching : &in_order;
    sql_buf w = {{0}, 0}, walk_w = {{0}, 0};
    article_filters(&w, q, true, false);
    article_filters(&walk_w, q, true, true);
    list_walk walk = {&in_order, walk_w.s};
    /* The articles at or after the cursor's (a seek in articles_newest),
     * then the quotes after its position within its own article. */
    return run_list(r, kind, w.s, matches ? &walk : NULL,
                    " AND " NEWEST " >= " NEWEST_AFTER " AND (" NEWEST " > " NEWEST_AFTER " OR a.id >= ?12)"
                    " AND (" NEWEST " > " NEWEST_AFTER " OR a.id > ?12 OR q.position > ?14)",
                    " ORDER BY " NEWEST ", a.id, q.position", q, base, page);
}

static json_t *speaker_row(sqlite3_stmt *st, const char *base, vb_keyset *last)
{
    last->num = sqlite3_column_int64(st, 5);
    snprintf(last->text, sizeof last->text, "%s", col_str(st, 9));
    snprintf(last->id, sizeof last->id, "%s", col_str(st, 0));
    return speaker_object(st, base);
}

static void bind_speaker_after(sqlite3_stmt *st, const vb_keyset *after)
{
    bind_text(st, 10, after->text);
    sqlite3_bind_int64(st, 11, after->num);
    bind_text(st, 12, after->id);
}

vb_status vb_reader_speakers(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page)
{
    static const list_kind kind = {"FROM speakers s WHERE 1", OF_SPEAKERS, "s.id", "FROM speakers s WHERE 1",
                                   "SELECT " SPEAKER_COLS " FROM speakers s WHERE 1", speaker_row, bind_speaker_after};
    sql_buf w = {{0}, 0};
    bool by_name = q->sort == VB_SORT_NAME;
    if (q->kind) add(&w, " AND s.kind = ?7");
    if (q->name_part) add(&w, " AND s.id IN (SELECT speaker FROM speaker_names WHERE instr(form, ?8) > 0)");
    return run_list(r, &kind, w.s, NULL,
                    by_name ? " AND (s.name_fold > ?10 OR (s.name_fold = ?10 AND s.id > ?12))"
                            : " AND (s.quote_count < ?11 OR (s.quote_count = ?11 AND s.id > ?12))",
                    by_name ? " ORDER BY s.name_fold, s.id" : " ORDER BY s.quote_count DESC, s.id",
                    q, base, page);
}

vb_status vb_reader_article(vb_reader *r, const char *id, const char *base, json_t **out)
{
    sqlite3_stmt *st = stmt(r, "SELECT " ARTICLE_SUMMARY_COLS ", a.body, a.word_count, a.source_file, a.rowid"
                               " FROM articles a WHERE a.id = ?1");
    *out = NULL;
    if (!st) return VB_ERR;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) { sqlite3_reset(st); return rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ERR; }
    json_t *o = article_summary(st, 0, base);
    json_object_set_new(o, "body", col_json(st, 11));
    json_object_set_new(o, "word_count", col_json(st, 12));
    json_object_set_new(o, "source_file", col_json(st, 13));
    sqlite3_int64 rowid = sqlite3_column_int64(st, 14);
    sqlite3_reset(st);
    json_t *quotes = json_array();
    st = stmt(r, "SELECT " QUOTE_COLS QUOTE_FROM " WHERE q.article = ?1 ORDER BY q.position");
    if (!st) { json_decref(o); json_decref(quotes); return VB_ERR; }
    sqlite3_bind_int64(st, 1, rowid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) json_array_append_new(quotes, quote_object(st, base));
    sqlite3_reset(st);
    json_object_set_new(o, "quotes", quotes);
    if (rc != SQLITE_DONE) { json_decref(o); return VB_ERR; }
    *out = o;
    return VB_OK;
}

vb_status vb_reader_quote(vb_reader *r, const char *id, const char *base, json_t **out)
{
    sqlite3_stmt *st = stmt(r, "SELECT " QUOTE_COLS QUOTE_FROM " WHERE q.id = ?1");
    *out = NULL;
    if (!st) return VB_ERR;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *out = quote_object(st, base);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VB_OK : rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ERR;
}

vb_status vb_reader_speaker(vb_reader *r, const char *id, const char *base, json_t **out)
{
    sqlite3_stmt *st = stmt(r, "SELECT " SPEAKER_COLS " FROM speakers s WHERE s.id = ?1");
    *out = NULL;
    if (!st) return VB_ERR;
    bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) { sqlite3_reset(st); return rc == SQLITE_DONE ? VB_ENOTFOUND : VB_ERR; }
    json_t *o = speaker_object(st, base), *articles = json_array();
    sqlite3_reset(st);
    st = stmt(r, "SELECT " ARTICLE_SUMMARY_COLS ", x.quote_count FROM article_speakers x JOIN articles a ON a.rowid = x.article"
                 " WHERE x.speaker = ?1 ORDER BY a.undated, a.first_day DESC, a.id");
    if (!st) { json_decref(o); json_decref(articles); return VB_ERR; }
    bind_text(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *summary = article_summary(st, 0, base);
        json_object_set_new(summary, "quote_count", col_json(st, 11));
        json_array_append_new(articles, summary);
    }
    sqlite3_reset(st);
    json_object_set_new(o, "articles", articles);
    if (rc != SQLITE_DONE) { json_decref(o); return VB_ERR; }
    *out = o;
    return VB_OK;
}

vb_status vb_reader_find_speakers(vb_reader *r, const char *folded, json_t **matched, char **ids)
{
    sqlite3_stmt *st = stmt(r, "SELECT s.id, s.name, s.kind FROM speakers s WHERE s.id IN"
                               " (SELECT speaker FROM speaker_names WHERE form = ?1) ORDER BY s.quote_count DESC, s.id");
    json_t *list = json_array(), *id_list = json_array();
    int rc;
    *matched = NULL;
    *ids = NULL;
    if (!st) { json_decref(list); json_decref(id_list); return VB_ERR; }
    bind_text(st, 1, folded);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "id", col_json(st, 0), "name", col_json(st, 1), "kind", col_json(st, 2)));
        json_array_append_new(id_list, col_json(st, 0));
    }
    sqlite3_reset(st);
    *ids = json_dumps(id_list, JSON_COMPACT);
    json_decref(id_list);
    if (rc != SQLITE_DONE || !*ids) { json_decref(list); free(*ids); *ids = NULL; return VB_ERR; }
    *matched = list;
    return VB_OK;
}

vb_status vb_reader_dates(vb_reader *r, int granularity, json_t **data, long long *undated, long long *total)
{
    /* A period is cut to the granularity unless the date is coarser. */
    static const char *const sql[] = {
        NULL,
        "SELECT substr(date, 1, 4) AS p, count(*) FROM articles WHERE undated = 0 GROUP BY p ORDER BY p",
        "SELECT substr(date, 1, 7) AS p, count(*) FROM articles WHERE undated = 0 GROUP BY p ORDER BY p",
        "SELECT date AS p, count(*) FROM articles WHERE undated = 0 GROUP BY p ORDER BY p"};
    sqlite3_stmt *st = stmt(r, sql[granularity]);
    int rc;
    *data = NULL;
    if (!st) return VB_ERR;
    json_t *list = json_array();
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(list, json_pack("{s:o, s:o}", "period", col_json(st, 0), "count", col_json(st, 1)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) { json_decref(list); return VB_ERR; }
    st = stmt(r, "SELECT count(*), coalesce(sum(undated), 0) FROM articles");
    if (!st || sqlite3_step(st) != SQLITE_ROW) { if (st) sqlite3_reset(st); json_decref(list); return VB_ERR; }
    *total = sqlite3_column_int64(st, 0);
    *undated = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    *data = list;
    return VB_OK;
}
