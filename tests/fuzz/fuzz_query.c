/* fuzz_query.c - the request target as api.c reads it: vb_target_parse,
 * vb_path_segments, vb_params_check, then each parameter's reader
 * (vb_parse_dates, vb_fts_expression, vb_parse_limit, vb_cursor_decode), and
 * vb_target_sanitize. Input: a raw request target ("/v1/articles?date=2020").
 * The same bytes also make a keyset for a cursor encode/decode round trip. */
#include "fuzz.h"
#include "verbatim/query.h"

static void check_detail(const char *detail, const char *who)
{
    FUZZ_CHECK(memchr(detail, '\0', 256) != NULL, "%s: detail is not terminated", who);
    FUZZ_CHECK(detail[0] != '\0', "%s: VB_EINVAL with no detail", who);
    /* The detail goes into a problem response as a JSON string. */
    FUZZ_CHECK(vb_utf8_valid(detail, strlen(detail)) || fuzz_known("problem-detail-utf8"),
               "%s: detail '%s' is not valid UTF-8", who, detail);
}

static void check_decoded(const char *s, const char *who)
{
    size_t n = strlen(s);
    FUZZ_CHECK(vb_utf8_valid(s, n), "%s '%s' is not valid UTF-8", who, s);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7F, "%s '%s' has control byte 0x%02X", who, s,
                   (unsigned char)s[i]);
}

/* An FTS5 expression made only of strings: "..." with "" for a quote inside,
 * optionally followed by *, separated by one space. Nothing else may reach
 * the database as syntax. */
static void check_fts(const char *e, const char *q)
{
    const char *p = e;
    FUZZ_CHECK(*p, "vb_fts_expression('%s') is empty", q);
    while (*p) {
        FUZZ_CHECK(*p == '"', "vb_fts_expression('%s') = '%s': byte %zu is outside a string", q, e, (size_t)(p - e));
        p++;
        for (;;) {
            FUZZ_CHECK(*p, "vb_fts_expression('%s') = '%s': unterminated string", q, e);
            if (*p == '"' && p[1] == '"') { p += 2; continue; }
            if (*p == '"') break;
            p++;
        }
        p++;
        if (*p == '*') p++;
        if (*p) {
            FUZZ_CHECK(*p == ' ' && p[1] == '"', "vb_fts_expression('%s') = '%s': bad separator at %zu", q, e,
                       (size_t)(p - e));
            p++;
        }
    }
    FUZZ_CHECK(vb_utf8_valid(e, strlen(e)), "vb_fts_expression('%s') is not valid UTF-8", q);
}

static void check_cursor(const vb_target *t, const char *route, const char *cursor)
{
    unsigned long long h = vb_query_hash(route, t);
    vb_keyset k;
    vb_status rc = vb_cursor_decode(cursor, h, &k);
    FUZZ_CHECK(rc == VB_OK || rc == VB_EINVAL || rc == VB_ENOTFOUND, "vb_cursor_decode: status %d", (int)rc);
    if (rc != VB_OK) return;
    FUZZ_CHECK(memchr(k.text, '\0', sizeof k.text) && memchr(k.id, '\0', sizeof k.id), "keyset not terminated");
    /* What decodes encodes back to a cursor that decodes the same. */
    char again[1024];
    vb_keyset k2;
    vb_cursor_encode(&k, h, again, sizeof again);
    FUZZ_CHECK(vb_cursor_decode(again, h, &k2) == VB_OK, "cursor '%s' re-encoded as '%s' does not decode", cursor,
               again);
    FUZZ_CHECK(k2.num == k.num && k2.pos == k.pos && !strcmp(k2.text, k.text) && !strcmp(k2.id, k.id),
               "cursor '%s' does not round-trip", cursor);
}

/* A keyset from raw bytes: num, pos, then text and id (the bytes up to a NUL
 * or the field separator 0x1F, which the ids and folded names a keyset holds
 * never contain). */
static void round_trip(const uint8_t *data, size_t size)
{
    vb_keyset k, out;
    unsigned long long h = 0;
    size_t at = 0;
    memset(&k, 0, sizeof k);
    if (size >= 8) { memcpy(&k.num, data, 8); at = 8; }
    if (size >= 16) { memcpy(&k.pos, data + 8, 8); at = 16; }
    if (size >= 24) { memcpy(&h, data + 16, 8); at = 24; }
    char *fields[2] = {k.text, k.id};
    for (int f = 0; f < 2; f++) {
        size_t len = 0;
        while (at < size && data[at] != 0 && data[at] != 0x1F && len + 1 < sizeof k.text) fields[f][len++] = (char)data[at++];
        fields[f][len] = '\0';
        if (at < size) at++;
    }
    char cursor[1024];
    vb_cursor_encode(&k, h, cursor, sizeof cursor);
    for (const char *p = cursor; *p; p++)
        FUZZ_CHECK((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                       *p == '_',
                   "cursor '%s' is not base64url", cursor);
    vb_status rc = vb_cursor_decode(cursor, h, &out);
    FUZZ_CHECK(rc == VB_OK, "vb_cursor_decode(vb_cursor_encode(k)) = %d, cursor '%s'", (int)rc, cursor);
    FUZZ_CHECK(out.num == k.num && out.pos == k.pos && !strcmp(out.text, k.text) && !strcmp(out.id, k.id),
               "keyset (%lld, %lld, '%s', '%s') came back as (%lld, %lld, '%s', '%s')", k.num, k.pos, k.text, k.id,
               out.num, out.pos, out.text, out.id);
    FUZZ_CHECK(vb_cursor_decode(cursor, h ^ 1, &out) == VB_EINVAL, "a cursor decodes for another query");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *raw = fuzz_strndup(data, size), detail[256], sanitized[2048] = "";
    vb_target t;

    vb_target_sanitize(sanitized, sizeof sanitized, raw);
    for (const char *p = sanitized; *p; p++)
        FUZZ_CHECK(*p > 0x20 && *p < 0x7F && *p != '"' && *p != '\\', "sanitized target has byte 0x%02X",
                   (unsigned char)*p);

    round_trip(data, size);

    memset(detail, 'x', sizeof detail);
    vb_status rc = vb_target_parse(raw, &t, detail);
    if (rc != VB_OK) {
        FUZZ_CHECK(rc == VB_EINVAL, "vb_target_parse: status %d", (int)rc);
        check_detail(detail, "vb_target_parse");
        vb_target_free(&t);
        free(raw);
        return 0;
    }
    FUZZ_CHECK(t.path && strlen(t.path) <= strlen(raw), "path");
    for (size_t i = 0; i < t.count; i++) {
        check_decoded(t.params[i].name, "parameter name");
        check_decoded(t.params[i].value, "parameter value");
    }

    char *segs[4] = {0};
    size_t count = 0;
    memset(detail, 'x', sizeof detail);
    rc = vb_path_segments(t.path, segs, 4, &count, detail);
    FUZZ_CHECK(count <= 4, "%zu segments", count);
    if (rc == VB_OK) {
        for (size_t i = 0; i < count; i++) {
            check_decoded(segs[i], "path segment");
            FUZZ_CHECK(segs[i][0], "empty path segment");
        }
    } else {
        FUZZ_CHECK(rc == VB_EINVAL || rc == VB_ENOTFOUND, "vb_path_segments: status %d", (int)rc);
        check_detail(detail, "vb_path_segments");
    }
    for (size_t i = 0; i < count; i++) free(segs[i]);

    static const char *const allowed[] = {"date", "from", "to", "q", "lang", "sort", "speaker", "limit", "cursor", NULL};
    static const char *const none[] = {NULL};
    bool dup = true;
    memset(detail, 'x', sizeof detail);
    if (vb_params_check(&t, allowed, detail, &dup) != VB_OK) check_detail(detail, "vb_params_check");
    else FUZZ_CHECK(!dup, "duplicate set on success");
    memset(detail, 'x', sizeof detail);
    if (vb_params_check(&t, none, detail, &dup) != VB_OK) check_detail(detail, "vb_params_check(none)");
    else FUZZ_CHECK(t.count == 0, "no parameter allowed, %zu accepted", t.count);

    vb_list_query q;
    memset(&q, 0, sizeof q);
    memset(detail, 'x', sizeof detail);
    if (vb_parse_dates(vb_param_get(&t, "date"), vb_param_get(&t, "from"), vb_param_get(&t, "to"), &q, detail) == VB_OK) {
        FUZZ_CHECK(q.from_day >= 0 && q.to_day <= 99991231, "days %d..%d", q.from_day, q.to_day);
    } else {
        check_detail(detail, "vb_parse_dates");
    }

    const char *text = vb_param_get(&t, "q");
    if (text) {
        memset(detail, 'x', sizeof detail);
        char *e = vb_fts_expression(text, detail);
        if (e) check_fts(e, text);
        else check_detail(detail, "vb_fts_expression");
        free(e);
    }

    int limit = -1;
    memset(detail, 'x', sizeof detail);
    if (vb_parse_limit(vb_param_get(&t, "limit"), &limit, detail) == VB_OK)
        FUZZ_CHECK(limit >= 1 && limit <= 100, "limit %d", limit);
    else
        check_detail(detail, "vb_parse_limit");

    const char *cursor = vb_param_get(&t, "cursor");
    if (cursor) check_cursor(&t, "/v1/articles", cursor);

    vb_target_free(&t);
    free(raw);
    return 0;
}
