/* query.h - the request target: path, query parameters, percent-decoding,
 * and what parameters mean (dates, full-text search, cursors).
 *
 * Pure: strings in, values out, with a detail for the problem response when
 * the input is bad. */
#ifndef VERBATIM_QUERY_H
#define VERBATIM_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "verbatim/status.h"
#include "verbatim/store.h"

typedef struct vb_param {
    char *name, *value; /* decoded, valid UTF-8 */
} vb_param;

typedef struct vb_target {
    char *path;          /* still percent-encoded; split it with vb_path_segments */
    vb_param *params;
    size_t count;
} vb_target;

/* Splits "/v1/articles?date=2020-06&q=a+b" into path and decoded params.
 * VB_EINVAL with detail for a malformed escape, a value or name that is not
 * UTF-8 once decoded, or a control character. */
vb_status vb_target_parse(const char *raw, vb_target *out, char detail[256]);
void vb_target_free(vb_target *t);

/* Decodes path segments: "/v1/speakers/nicole%2Dozer" -> {"v1", "speakers",
 * "nicole-ozer"}. VB_EINVAL on bad encoding; VB_ENOTFOUND (no such path) on
 * more than max segments or an empty one (a trailing slash). */
vb_status vb_path_segments(const char *path, char **segs, size_t max, size_t *count, char detail[256]);

/* Percent-decodes s[0..n) into a new string (plus_is_space for query
 * strings); NULL with VB_EINVAL in *rc when malformed or not UTF-8. */
char *vb_percent_decode(const char *s, size_t n, bool plus_is_space, vb_status *rc);

/* Appends to buf the raw target made safe to echo: every byte outside
 * printable ASCII, and a '%' that starts no escape, percent-encoded. */
void vb_target_sanitize(char *buf, size_t size, const char *raw);

/* The value of param name, or NULL. */
const char *vb_param_get(const vb_target *t, const char *name);

/* 400 checks: names not in allowed (NULL-terminated), or given twice. */
vb_status vb_params_check(const vb_target *t, const char *const *allowed, char detail[256], bool *duplicate);

/* date/from/to into q->has_dates, q->from_day, q->to_day. */
vb_status vb_parse_dates(const char *date, const char *from, const char *to, vb_list_query *q, char detail[256]);

/* An FTS5 expression for q: every word quoted (so search syntax never reaches
 * the database as syntax), "word*" as a prefix, "a phrase" as a phrase.
 * New string, or NULL with detail when q has no word. */
char *vb_fts_expression(const char *q, char detail[256]);

/* limit: 1..100, default 20. */
vb_status vb_parse_limit(const char *s, int *limit, char detail[256]);

/* Cursors: opaque base64url strings holding a keyset position, a format
 * version and a hash of the query they belong to. */
void vb_cursor_encode(const vb_keyset *k, unsigned long long query_hash, char *out, size_t size);
/* VB_EINVAL: not ours, or another query's (400); VB_ENOTFOUND: an older
 * format (410). */
vb_status vb_cursor_decode(const char *s, unsigned long long query_hash, vb_keyset *k);

/* Hash of the endpoint and every parameter but cursor and limit. */
unsigned long long vb_query_hash(const char *route, const vb_target *t);

#endif
