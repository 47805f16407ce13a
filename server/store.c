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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verbatim/log.h"
#include "verbatim/text.h"

extern const char vb_schema_sql[];

#define SCHEMA_TAG "verbatim-1"

struct vb_store {
    sqlite3 *db;
    sqlite3_stmt *seen_get, *seen_put, *del_quotes, *del_article, *ins_article, *ins_quote;
};

#define CACHE_SIZE 96
struct vb_reader {
    sqlite3 *db;
    struct {
        char *sql;
        sqlite3_stmt *stmt;
    } cache[CACHE_SIZE];
    size_t cached;
    bool in_txn;
};

/* ---- helpers --------------------------------------------------------------- */

static vb_status exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        vb_log("error", "sqlite: %s", err ? err : sqlite3_errmsg(db));
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

static json_t *link(const char *base, const char *prefix, const char *id, const char *suffix)
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

vb_status vb_store_open(const char *path, vb_store **out, char err[256])
{
    vb_store *s = calloc(1, sizeof *s);
    err[0] = '\0';
    *out = NULL;
    if (!s) return VB_ENOMEM;
    if (open_rw(path, &s->db) != VB_OK) { free(s); snprintf(err, 256, "cannot open %s", path); return VB_ERR; }
    char why[256];
    if (foreign_or_broken(s->db, why)) {
        char aside[4096];
        sqlite3_close(s->db);
        snprintf(aside, sizeof aside, "%s.corrupt-%ld", path, (long)time(NULL));
        if (rename(path, aside) != 0) {
            snprintf(err, 256, "%.80s: %.80s, and it cannot be moved aside", path, why);
            free(s);
            return VB_ERR;
        }
        char wal[4096];
        snprintf(wal, sizeof wal, "%s-wal", path);
        remove(wal);
        snprintf(wal, sizeof wal, "%s-shm", path);
        remove(wal);
        snprintf(err, 256, "%.60s: %.80s; moved it aside to *.corrupt-%ld and rebuilding from the articles", path, why, (long)time(NULL));
        if (open_rw(path, &s->db) != VB_OK) { free(s); return VB_ERR; }
    }
    if (exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;") ||
        exec(s->db, vb_schema_sql) ||
        exec(s->db, "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '" SCHEMA_TAG "'), ('version', '0');"
                    "CREATE TEMP TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY) WITHOUT ROWID;") ||
        prepare(s->db, "SELECT content_hash FROM articles WHERE id = ?1", &s->seen_get) ||
        prepare(s->db, "INSERT OR IGNORE INTO temp.seen (id) VALUES (?1)", &s->seen_put) ||
        prepare(s->db, "DELETE FROM quotes WHERE article = (SELECT rowid FROM articles WHERE id = ?1)", &s->del_quotes) ||
        prepare(s->db, "DELETE FROM articles WHERE id = ?1", &s->del_article) ||
        prepare(s->db,
                "INSERT INTO articles (id, source_file, content_hash, title, date, date_precision, first_day,"
                " last_day, undated, lang, source_url, excerpt, body, word_count, quote_count)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                &s->ins_article) ||
        prepare(s->db,
                "INSERT INTO quotes (id, article, position, text, speaker_name, speaker_kind, aliases, role, cue,"
                " start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                &s->ins_quote)) {
        snprintf(err, 256, "cannot prepare database %s", path);
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
    sqlite3_close(s->db);
    free(s);
}

const char *vb_store_error(vb_store *s) { return s && s->db ? sqlite3_errmsg(s->db) : "no database"; }

vb_status vb_store_begin(vb_store *s)
{
    return exec(s->db, "BEGIN IMMEDIATE; DELETE FROM temp.seen;");
}

vb_status vb_store_commit(vb_store *s) { return exec(s->db, "COMMIT"); }

void vb_store_rollback(vb_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static vb_status step_done(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
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

vb_status vb_store_put(vb_store *s, const vb_document *doc, const char *hash)
{
    const vb_article *a = &doc->article;
    char date[11], *excerpt;
    sqlite3_stmt *st = s->ins_article;
    vb_date_format(&a->date, date);
    bind_text(s->del_quotes, 1, doc->id);
    if (step_done(s->db, s->del_quotes) != VB_OK) return VB_ERR;
    bind_text(s->del_article, 1, doc->id);
    if (step_done(s->db, s->del_article) != VB_OK) return VB_ERR;
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
    }
    return VB_OK;
}

/* ---- merging speakers across articles -------------------------------------- */

typedef struct name_map {
    char **keys;
    size_t *values;
    size_t mask, count;
} name_map;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Index of key, inserting it with value `next` if absent; SIZE_MAX on OOM. */
static size_t map_get(name_map *m, const char *key, size_t next, bool *added)
{
    if ((m->count + 1) * 2 > m->mask + 1 || !m->keys) {
        size_t size = m->keys ? (m->mask + 1) * 2 : 1024;
        char **keys = calloc(size, sizeof *keys);
        size_t *values = calloc(size, sizeof *values);
        if (!keys || !values) { free(keys); free(values); return SIZE_MAX; }
        for (size_t i = 0; m->keys && i <= m->mask; i++) {
            if (!m->keys[i]) continue;
            size_t j = hash_str(m->keys[i]) & (size - 1);
            while (keys[j]) j = (j + 1) & (size - 1);
            keys[j] = m->keys[i];
            values[j] = m->values[i];
        }
        free(m->keys);
        free(m->values);
        m->keys = keys;
        m->values = values;
        m->mask = size - 1;
    }
    size_t i = hash_str(key) & m->mask;
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key)) { *added = false; return m->values[i]; }
        i = (i + 1) & m->mask;
    }
    if (!(m->keys[i] = strdup(key))) return SIZE_MAX;
    m->values[i] = next;
    m->count++;
    *added = true;
    return next;
}

static void map_free(name_map *m)
{
    for (size_t i = 0; m->keys && i <= m->mask; i++) free(m->keys[i]);
    free(m->keys);
    free(m->values);
}

static size_t find_root(size_t *parent, size_t i)
{
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

typedef struct mention_row {
    sqlite3_int64 quote, article;
    size_t node;
} mention_row;

/* Nodes are slugs of names; quotes name one, aliases join two. */
static vb_status merge_speakers(vb_store *s)
{
    vb_status rc = VB_ERR;
    sqlite3_stmt *st = NULL;
    name_map map = {0};
    size_t *parent = NULL, nodes = 0, cap = 0, rows = 0, row_cap = 0;
    mention_row *mentions = NULL;

    if (exec(s->db, "DELETE FROM speakers; DELETE FROM speaker_names; DELETE FROM article_speakers;"
                    "UPDATE quotes SET speaker = NULL WHERE speaker IS NOT NULL;"
                    "CREATE TEMP TABLE IF NOT EXISTS mention (quote INTEGER PRIMARY KEY, root INTEGER NOT NULL);"
                    "DELETE FROM temp.mention;"))
        return VB_ERR;
    if (prepare(s->db, "SELECT rowid, article, speaker_name, aliases FROM quotes WHERE speaker_name IS NOT NULL", &st))
        return VB_ERR;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_str(st, 2), *aliases = (const char *)sqlite3_column_text(st, 3);
        char *slug = vb_slug(name);
        bool added;
        if (!slug) goto done;
        if (!*slug) { free(slug); continue; }
        if (nodes == cap) {
            size_t *grown = realloc(parent, (cap = cap ? cap * 2 : 1024) * sizeof *grown);
            if (!grown) { free(slug); goto done; }
            parent = grown;
        }
        size_t node = map_get(&map, slug, nodes, &added);
        free(slug);
        if (node == SIZE_MAX) goto done;
        if (added) { parent[nodes] = nodes; nodes++; }
        for (const char *a = aliases; a && *a;) {
            size_t len = strcspn(a, "\x1f");
            char alias[512];
            snprintf(alias, sizeof alias, "%.*s", (int)(len < 511 ? len : 511), a);
            char *aslug = vb_slug(alias);
            if (aslug && *aslug) {
                if (nodes == cap) {
                    size_t *grown = realloc(parent, (cap *= 2) * sizeof *grown);
                    if (!grown) { free(aslug); goto done; }
                    parent = grown;
                }
                size_t other = map_get(&map, aslug, nodes, &added);
                if (other == SIZE_MAX) { free(aslug); goto done; }
                if (added) { parent[nodes] = nodes; nodes++; }
                parent[find_root(parent, other)] = find_root(parent, node);
            }
            free(aslug);
            a += len;
            if (*a) a++;
        }
        if (rows == row_cap) {
            mention_row *grown = realloc(mentions, (row_cap = row_cap ? row_cap * 2 : 1024) * sizeof *grown);
            if (!grown) goto done;
            mentions = grown;
        }
        mentions[rows++] = (mention_row){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), node};
    }
    if (step != SQLITE_DONE) goto done;
    sqlite3_finalize(st);
    st = NULL;

    /* Each quote's component, then everything else in SQL. */
    if (prepare(s->db, "INSERT INTO temp.mention (quote, root) VALUES (?1, ?2)", &st)) goto done;
    for (size_t i = 0; i < rows; i++) {
        sqlite3_bind_int64(st, 1, mentions[i].quote);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)find_root(parent, mentions[i].node));
        if (step_done(s->db, st) != VB_OK) goto done;
    }
    sqlite3_finalize(st);
    st = NULL;
    /* The canonical name of a component: the name its quotes use most, the
     * longest on a tie; its kind likewise. */
    if (exec(s->db,
             "CREATE TEMP TABLE IF NOT EXISTS canon (root INTEGER PRIMARY KEY, name TEXT, kind TEXT);"
             "DELETE FROM temp.canon;"
             "INSERT INTO temp.canon (root, name, kind)"
             " SELECT root, name, kind FROM ("
             "  SELECT m.root, q.speaker_name AS name,"
             "   (SELECT q2.speaker_kind FROM quotes q2 JOIN temp.mention m2 ON m2.quote = q2.rowid"
             "     WHERE m2.root = m.root GROUP BY q2.speaker_kind ORDER BY count(*) DESC, q2.speaker_kind LIMIT 1) AS kind,"
             "   row_number() OVER (PARTITION BY m.root ORDER BY count(*) DESC, length(q.speaker_name) DESC, q.speaker_name) AS r"
             "  FROM quotes q JOIN temp.mention m ON m.quote = q.rowid GROUP BY m.root, q.speaker_name)"
             " WHERE r = 1;"))
        goto done;
    /* ids: slugs of canonical names; two components with one slug merge. */
    if (prepare(s->db, "SELECT root, name FROM temp.canon", &st)) goto done;
    sqlite3_stmt *upd = NULL;
    if (prepare(s->db, "UPDATE quotes SET speaker = ?1 WHERE rowid IN (SELECT quote FROM temp.mention WHERE root = ?2)", &upd)) goto done;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char *slug = vb_slug(col_str(st, 1));
        if (!slug) { sqlite3_finalize(upd); goto done; }
        bind_text(upd, 1, slug);
        sqlite3_bind_int64(upd, 2, sqlite3_column_int64(st, 0));
        free(slug);
        if (step_done(s->db, upd) != VB_OK) { sqlite3_finalize(upd); goto done; }
    }
    sqlite3_finalize(upd);
    sqlite3_finalize(st);
    st = NULL;
    if (exec(s->db,
             "INSERT INTO article_speakers (article, speaker, quote_count, first_quote)"
             " SELECT article, speaker, count(*), min(position) FROM quotes WHERE speaker IS NOT NULL"
             " GROUP BY article, speaker;"
             "INSERT INTO speakers (id, name, name_fold, kind, aliases, roles, quote_count, article_count, first_date, last_date)"
             " SELECT q.speaker,"
             "  (SELECT c.name FROM temp.canon c JOIN temp.mention m ON m.root = c.root JOIN quotes q3 ON q3.rowid = m.quote"
             "    WHERE q3.speaker = q.speaker GROUP BY c.name ORDER BY count(*) DESC, c.name LIMIT 1),"
             "  '', "
             "  (SELECT c.kind FROM temp.canon c JOIN temp.mention m ON m.root = c.root JOIN quotes q3 ON q3.rowid = m.quote"
             "    WHERE q3.speaker = q.speaker GROUP BY c.kind ORDER BY count(*) DESC LIMIT 1),"
             "  '[]',"
             "  (SELECT json_group_array(role) FROM (SELECT role FROM quotes q4 WHERE q4.speaker = q.speaker AND role IS NOT NULL"
             "    GROUP BY role ORDER BY count(*) DESC, min(q4.rowid))),"
             "  count(*), count(DISTINCT q.article),"
             "  (SELECT a.date FROM articles a WHERE a.rowid IN (SELECT article FROM quotes q5 WHERE q5.speaker = q.speaker)"
             "    AND a.undated = 0 ORDER BY a.first_day, a.id LIMIT 1),"
             "  (SELECT a.date FROM articles a WHERE a.rowid IN (SELECT article FROM quotes q5 WHERE q5.speaker = q.speaker)"
             "    AND a.undated = 0 ORDER BY a.first_day DESC, a.id LIMIT 1)"
             " FROM quotes q WHERE q.speaker IS NOT NULL GROUP BY q.speaker;"))
        goto done;
    /* Folded names and aliases, computed in C (SQLite cannot fold accents). */
    if (prepare(s->db,
                "SELECT s.id, s.name, s.kind, (SELECT json_group_array(n) FROM (SELECT DISTINCT n FROM ("
                "  SELECT speaker_name AS n FROM quotes WHERE speaker = s.id"
                "  UNION SELECT value AS n FROM quotes, json_each('[\"' || replace(replace(replace(aliases, '\\', '\\\\'), '\"', '\\\"'), char(31), '\",\"') || '\"]')"
                "   WHERE speaker = s.id AND aliases IS NOT NULL)))"
                " FROM speakers s",
                &st))
        goto done;
    sqlite3_stmt *set_names = NULL, *add_form = NULL;
    if (prepare(s->db, "UPDATE speakers SET name_fold = ?2, aliases = ?3 WHERE id = ?1", &set_names) ||
        prepare(s->db, "INSERT OR IGNORE INTO speaker_names (form, speaker) VALUES (?1, ?2)", &add_form)) {
        sqlite3_finalize(set_names);
        goto done;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = col_str(st, 0), *name = col_str(st, 1), *kind = col_str(st, 2);
        json_t *names = col_parsed(st, 3), *aliases = json_array(), *v;
        char *fold = vb_fold(name);
        size_t k;
        bind_text(add_form, 1, id);
        bind_text(add_form, 2, id);
        step_done(s->db, add_form);
        bind_text(add_form, 1, fold);
        bind_text(add_form, 2, id);
        step_done(s->db, add_form);
        if (fold && !strcmp(kind, "person") && strrchr(fold, ' ')) {
            bind_text(add_form, 1, strrchr(fold, ' ') + 1);
            bind_text(add_form, 2, id);
            step_done(s->db, add_form);
        }
        json_array_foreach(names, k, v) {
            const char *alias = json_string_value(v);
            if (!alias || !strcmp(alias, name)) continue;
            char *af = vb_fold(alias);
            if (af && fold && strcmp(af, fold) != 0) {
                json_array_append_new(aliases, json_string(alias));
                bind_text(add_form, 1, af);
                bind_text(add_form, 2, id);
                step_done(s->db, add_form);
            }
            free(af);
        }
        char *aliases_text = json_dumps(aliases, JSON_COMPACT);
        bind_text(set_names, 1, id);
        bind_text(set_names, 2, fold ? fold : "");
        bind_text(set_names, 3, aliases_text ? aliases_text : "[]");
        step_done(s->db, set_names);
        free(aliases_text);
        free(fold);
        json_decref(names);
        json_decref(aliases);
    }
    sqlite3_finalize(set_names);
    sqlite3_finalize(add_form);
    if (step != SQLITE_DONE) goto done;
    rc = VB_OK;
done:
    if (rc != VB_OK) vb_log("error", "merging speakers failed: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    map_free(&map);
    free(parent);
    free(mentions);
    return rc;
}

vb_status vb_store_finish(vb_store *s, bool changed, double seconds, size_t *removed)
{
    char sql[512], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    *removed = 0;
    if (exec(s->db, "DELETE FROM quotes WHERE article IN (SELECT rowid FROM articles WHERE id NOT IN (SELECT id FROM temp.seen));"
                    "DELETE FROM articles WHERE id NOT IN (SELECT id FROM temp.seen);"))
        return VB_ERR;
    *removed = (size_t)sqlite3_changes(s->db);
    if (changed || *removed) {
        if (merge_speakers(s) != VB_OK) return VB_ERR;
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
        "SELECT (SELECT value FROM meta WHERE key = 'version'), (SELECT count(*) FROM articles),"
        " (SELECT count(*) FROM quotes), (SELECT count(*) FROM speakers),"
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
    json_object_set_new(o, "links", json_pack("{s:o}", "self", link(base, "/v1/articles/", id, NULL)));
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
    json_object_set_new(o, "links", json_pack("{s:o}", "self", link(base, "/v1/quotes/", col_str(st, 0), NULL)));
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
    json_object_set_new(o, "links", json_pack("{s:o, s:o}", "self", link(base, "/v1/speakers/", id, NULL), "quotes",
                                              link(base, "/v1/speakers/", id, "/quotes")));
    return o;
}

/* Filters shared by the article and quote lists, as SQL over alias a. */
static void article_filters(sql_buf *w, const vb_list_query *q, bool quotes)
{
    if (q->has_dates) add(w, " AND a.undated = 0 AND a.first_day <= ?2 AND a.last_day >= ?1");
    if (q->lang) add(w, " AND a.lang = ?3");
    if (q->fts && !quotes) add(w, " AND a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?4)");
    if (q->fts && quotes) add(w, " AND q.rowid IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?4)");
    if (q->speaker_ids && !quotes)
        add(w, " AND a.rowid IN (SELECT article FROM article_speakers WHERE speaker IN (SELECT value FROM json_each(?5)))");
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

vb_status vb_reader_articles(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page)
{
    sql_buf w = {{0}, 0}, sql = {{0}, 0};
    bool desc = q->sort != VB_SORT_DATE_ASC;
    memset(page, 0, sizeof *page);
    article_filters(&w, q, false);
    add(&sql, "SELECT count(*) FROM articles a WHERE 1");
    add(&sql, w.s);
    if (count_rows(r, sql.s, q, &page->total) != VB_OK) return VB_ERR;

    sql.n = 0;
    sql.s[0] = '\0';
    add(&sql, "SELECT " ARTICLE_SUMMARY_COLS " FROM articles a WHERE 1");
    add(&sql, w.s);
    if (q->has_after)
        add(&sql, desc ? " AND (a.undated > ?10 OR (a.undated = ?10 AND (a.first_day < ?11 OR (a.first_day = ?11 AND a.id > ?12))))"
                       : " AND (a.undated > ?10 OR (a.undated = ?10 AND (a.first_day > ?11 OR (a.first_day = ?11 AND a.id > ?12))))");
    add(&sql, desc ? " ORDER BY a.undated, a.first_day DESC, a.id LIMIT ?13" : " ORDER BY a.undated, a.first_day, a.id LIMIT ?13");
    sqlite3_stmt *st = stmt(r, sql.s);
    if (!st) return VB_ERR;
    bind_filters(st, q);
    if (q->has_after) {
        sqlite3_bind_int64(st, 10, q->after.num / 100000000);
        sqlite3_bind_int64(st, 11, q->after.num % 100000000);
        bind_text(st, 12, q->after.text);
    }
    sqlite3_bind_int(st, 13, q->limit + 1);
    page->items = json_array();
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == q->limit) { page->more = true; break; }
        json_array_append_new(page->items, article_summary(st, 0, base));
        page->last.num = sqlite3_column_int64(st, 9) * 100000000 + sqlite3_column_int64(st, 10);
        snprintf(page->last.text, sizeof page->last.text, "%s", col_str(st, 0));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) { json_decref(page->items); page->items = NULL; return VB_ERR; }
    return VB_OK;
}

vb_status vb_reader_quotes(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page)
{
    sql_buf w = {{0}, 0}, sql = {{0}, 0};
    memset(page, 0, sizeof *page);
    article_filters(&w, q, true);
    add(&sql, "SELECT count(*) FROM quotes q JOIN articles a ON a.rowid = q.article WHERE 1");
    add(&sql, w.s);
    if (count_rows(r, sql.s, q, &page->total) != VB_OK) return VB_ERR;

    sql.n = 0;
    sql.s[0] = '\0';
    add(&sql, "SELECT " QUOTE_COLS QUOTE_FROM " WHERE 1");
    add(&sql, w.s);
    if (q->has_after)
        add(&sql, " AND (a.undated > ?10 OR (a.undated = ?10 AND (a.first_day < ?11 OR (a.first_day = ?11 AND"
                  " (a.id > ?12 OR (a.id = ?12 AND q.position > ?14))))))");
    add(&sql, " ORDER BY a.undated, a.first_day DESC, a.id, q.position LIMIT ?13");
    sqlite3_stmt *st = stmt(r, sql.s);
    if (!st) return VB_ERR;
    bind_filters(st, q);
    if (q->has_after) {
        sqlite3_bind_int64(st, 10, q->after.num / 100000000);
        sqlite3_bind_int64(st, 11, q->after.num % 100000000);
        bind_text(st, 12, q->after.id);
        sqlite3_bind_int64(st, 14, q->after.pos);
    }
    sqlite3_bind_int(st, 13, q->limit + 1);
    page->items = json_array();
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == q->limit) { page->more = true; break; }
        json_array_append_new(page->items, quote_object(st, base));
        page->last.num = sqlite3_column_int64(st, 13) * 100000000 + sqlite3_column_int64(st, 14);
        snprintf(page->last.id, sizeof page->last.id, "%s", col_str(st, 7));
        page->last.pos = sqlite3_column_int64(st, 15);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) { json_decref(page->items); page->items = NULL; return VB_ERR; }
    return VB_OK;
}

vb_status vb_reader_speakers(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page)
{
    sql_buf w = {{0}, 0}, sql = {{0}, 0};
    bool by_name = q->sort == VB_SORT_NAME;
    memset(page, 0, sizeof *page);
    if (q->kind) add(&w, " AND s.kind = ?7");
    if (q->name_part) add(&w, " AND s.id IN (SELECT speaker FROM speaker_names WHERE instr(form, ?8) > 0)");
    add(&sql, "SELECT count(*) FROM speakers s WHERE 1");
    add(&sql, w.s);
    if (count_rows(r, sql.s, q, &page->total) != VB_OK) return VB_ERR;

    sql.n = 0;
    sql.s[0] = '\0';
    add(&sql, "SELECT " SPEAKER_COLS " FROM speakers s WHERE 1");
    add(&sql, w.s);
    if (q->has_after)
        add(&sql, by_name ? " AND (s.name_fold > ?10 OR (s.name_fold = ?10 AND s.id > ?12))"
                          : " AND (s.quote_count < ?11 OR (s.quote_count = ?11 AND s.id > ?12))");
    add(&sql, by_name ? " ORDER BY s.name_fold, s.id LIMIT ?13" : " ORDER BY s.quote_count DESC, s.id LIMIT ?13");
    sqlite3_stmt *st = stmt(r, sql.s);
    if (!st) return VB_ERR;
    bind_filters(st, q);
    if (q->has_after) {
        if (by_name) bind_text(st, 10, q->after.text);
        else sqlite3_bind_int64(st, 11, q->after.num);
        bind_text(st, 12, q->after.id);
    }
    sqlite3_bind_int(st, 13, q->limit + 1);
    page->items = json_array();
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n++ == q->limit) { page->more = true; break; }
        json_array_append_new(page->items, speaker_object(st, base));
        page->last.num = sqlite3_column_int64(st, 5);
        snprintf(page->last.text, sizeof page->last.text, "%s", col_str(st, 9));
        snprintf(page->last.id, sizeof page->last.id, "%s", col_str(st, 0));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) { json_decref(page->items); page->items = NULL; return VB_ERR; }
    return VB_OK;
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
