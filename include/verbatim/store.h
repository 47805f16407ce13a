/* store.h - the SQLite store: all of verbatim's SQL.
 *
 * Two faces. vb_store writes: one load is one transaction (begin, put each
 * changed document, finish, commit), so a failed load leaves the previous
 * corpus as it was. vb_reader reads: one read-only connection per worker
 * thread, statements prepared once and kept, and each request in one read
 * transaction, so it sees one corpus version from start to end. Readers
 * build the JSON of what they read (jansson, new references). */
#ifndef VERBATIM_STORE_H
#define VERBATIM_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "verbatim/document.h"
#include "verbatim/files.h"
#include "verbatim/status.h"

/* ---- writing ------------------------------------------------------------- */

typedef struct vb_store vb_store;

/* Opens (creating if needed) the database at path and applies the schema.
 * A file that is not a usable SQLite database is moved aside to
 * path.corrupt-<time> and a new one is made; err says so. */
vb_status vb_store_open(const char *path, vb_store **out, char err[512]);
void vb_store_close(vb_store *s);
const char *vb_store_error(vb_store *s);

vb_status vb_store_begin(vb_store *s);

/* Gives back the page cache a load filled (64 MB at most): a serving
 * process keeps its store open between loads. */
void vb_store_release_memory(vb_store *s);
vb_status vb_store_commit(vb_store *s);
void vb_store_rollback(vb_store *s);

/* The content hash stored for article id: VB_OK, or VB_ENOTFOUND. Marks the
 * article as seen in this load either way. */
vb_status vb_store_seen(vb_store *s, const char *id, char hash[72]);

/* Marks article id as seen in this load (it stays in the corpus). */
vb_status vb_store_mark_seen(vb_store *s, const char *id);

/* A stored article: its id, content hash, and the identity of the file it
 * was read from (has_file false when none was kept). */
typedef struct vb_known_article {
    char *id, *hash;
    bool has_file;
    vb_file_id file;
} vb_known_article;

/* Every stored article, sorted by id (byte order): a new array of new
 * strings, freed with vb_store_known_free. */
vb_status vb_store_known(vb_store *s, vb_known_article **known, size_t *count);
void vb_store_known_free(vb_known_article *known, size_t count);

/* Stores doc as article doc->id; known: an article of that id may be
 * stored already, and is replaced (false skips looking for it). */
vb_status vb_store_put(vb_store *s, const vb_document *doc, const char *hash, bool known);

/* Keeps file as the identity of article id's file; NULL forgets it. */
vb_status vb_store_file(vb_store *s, const char *id, const vb_file_id *file);

/* Adds the articles and quotes put since the last call to the full-text
 * indexes. One statement for many rows is far cheaper than one per row;
 * vb_store_finish calls it for what is left. */
vb_status vb_store_index(vb_store *s);

/* Seconds spent in each step of vb_store_finish. */
typedef struct vb_finish_times {
    double text_index, speakers;
} vb_finish_times;

/* Ends a load: removes the articles not seen, indexes the new text, merges
 * speakers across articles when anything changed, and bumps the corpus
 * version. *removed gets the number of articles removed. */
vb_status vb_store_finish(vb_store *s, bool changed, double seconds, size_t *removed, vb_finish_times *times);

/* ---- reading ------------------------------------------------------------- */

typedef struct vb_reader vb_reader;

typedef struct vb_corpus {
    long long version; /* 0: nothing loaded yet */
    long long articles, quotes, speakers;
    char loaded_at[32]; /* ISO 8601, UTC */
    double load_seconds;
} vb_corpus;

/* A keyset position: the sort key and id of the last item of a page. */
typedef struct vb_keyset {
    long long num;     /* undated flag * 1e9 + day, or a count */
    char text[256];    /* an id or a folded name */
    char id[256];      /* article id, for quotes */
    long long pos;     /* quote position */
} vb_keyset;

typedef enum vb_sort { VB_SORT_DATE_DESC, VB_SORT_DATE_ASC, VB_SORT_COUNT_DESC, VB_SORT_NAME } vb_sort;

typedef struct vb_list_query {
    int limit;
    vb_sort sort;
    bool has_after;
    vb_keyset after;
    bool has_dates;
    int from_day, to_day;      /* inclusive YYYYMMDD bounds (overlap rule) */
    const char *fts;           /* FTS5 expression, or NULL */
    const char *speaker_ids;   /* JSON array of speaker ids, or NULL for no filter */
    const char *lang;          /* or NULL */
    const char *kind;          /* speakers: or NULL */
    const char *name_part;     /* speakers: folded substring of a name or alias, or NULL */
    const char *article;       /* quotes: an article id, or NULL */
} vb_list_query;

typedef struct vb_page {
    json_t *items;      /* new reference: array */
    long long total;    /* items matching, all pages */
    bool more;          /* another page follows */
    vb_keyset last;     /* position of the last item */
} vb_page;

vb_status vb_reader_open(const char *path, vb_reader **out);
void vb_reader_close(vb_reader *r);

/* Starts the request's read transaction and reads the corpus' version. */
vb_status vb_reader_begin(vb_reader *r, vb_corpus *corpus);
void vb_reader_end(vb_reader *r);

/* base is the absolute URL prefix of links ("http://host:port"). */
vb_status vb_reader_articles(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page);
vb_status vb_reader_quotes(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page);
vb_status vb_reader_speakers(vb_reader *r, const vb_list_query *q, const char *base, vb_page *page);

/* One resource, VB_ENOTFOUND if there is none. */
vb_status vb_reader_article(vb_reader *r, const char *id, const char *base, json_t **out);
vb_status vb_reader_quote(vb_reader *r, const char *id, const char *base, json_t **out);
vb_status vb_reader_speaker(vb_reader *r, const char *id, const char *base, json_t **out);

/* The speakers a folded name, alias, id or person's last name designates:
 * *matched gets [{"id","name","kind"}], *ids a JSON array text of their ids
 * (malloc'd). */
vb_status vb_reader_find_speakers(vb_reader *r, const char *folded, json_t **matched, char **ids);

/* The timeline: granularity 1 (year), 2 (month) or 3 (day). */
vb_status vb_reader_dates(vb_reader *r, int granularity, json_t **data, long long *undated, long long *total);

/* Appends s to buf percent-encoded for a URL path segment or query value. */
void vb_url_escape(char *buf, size_t size, const char *s);

#endif
