/* query.c - the request target and what its parameters mean. */
#include "verbatim/query.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/dates.h"
#include "verbatim/text.h"

/* Every detail quotes what the client sent, cut to a few bytes: cut it at a
 * character boundary too, so that the problem stays valid UTF-8 JSON. */
#define DETAIL(...) (snprintf(detail, 256, __VA_ARGS__), vb_utf8_escape_invalid(detail, 256))

static int hex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char *vb_percent_decode(const char *s, size_t n, bool plus_is_space, vb_status *rc)
{
    char *out = malloc(n + 1);
    size_t len = 0;
    *rc = VB_ENOMEM;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) goto bad;
            out[len++] = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[len++] = ' ';
        } else {
            out[len++] = s[i];
        }
    }
    out[len] = '\0';
    if (!vb_utf8_valid(out, len)) goto bad;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7F) goto bad;
    *rc = VB_OK;
    return out;
bad:
    free(out);
    *rc = VB_EINVAL;
    return NULL;
}

void vb_target_sanitize(char *buf, size_t size, const char *raw)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n = strlen(buf);
    for (const unsigned char *p = (const unsigned char *)raw; *p && n + 4 < size; p++) {
        bool escape_ok = *p == '%' && hex((char)p[1]) >= 0 && hex((char)p[2]) >= 0;
        if (*p > 0x20 && *p < 0x7F && *p != '"' && *p != '\\' && (*p != '%' || escape_ok)) {
            buf[n++] = (char)*p;
        } else {
            buf[n++] = '%';
            buf[n++] = digits[*p >> 4];
            buf[n++] = digits[*p & 15];
        }
    }
    buf[n] = '\0';
}

vb_status vb_target_parse(const char *raw, vb_target *out, char detail[256])
{
    const char *q = strchr(raw, '?');
    size_t path_len = q ? (size_t)(q - raw) : strlen(raw), cap = 8;
    vb_status rc;
    memset(out, 0, sizeof *out);
    detail[0] = '\0';
    if (!(out->path = malloc(path_len + 1))) return VB_ENOMEM;
    memcpy(out->path, raw, path_len);
    out->path[path_len] = '\0';
    if (!q) return VB_OK;
    if (!(out->params = malloc(cap * sizeof *out->params))) return VB_ENOMEM;
    for (const char *p = q + 1; *p;) {
        size_t len = strcspn(p, "&");
        if (len > 0) {
            size_t eq = strcspn(p, "=");
            if (eq > len) eq = len;
            if (out->count == cap) {
                vb_param *grown = realloc(out->params, (cap *= 2) * sizeof *grown);
                if (!grown) return VB_ENOMEM;
                out->params = grown;
            }
            vb_param *param = &out->params[out->count];
            param->name = vb_percent_decode(p, eq, true, &rc);
            if (!param->name) {
                if (rc == VB_EINVAL) DETAIL("query: parameter name '%.*s' is not valid percent-encoded UTF-8", (int)(eq < 60 ? eq : 60), p);
                return rc;
            }
            param->value = vb_percent_decode(p + (eq < len ? eq + 1 : eq), eq < len ? len - eq - 1 : 0, true, &rc);
            if (!param->value) {
                if (rc == VB_EINVAL) DETAIL("%.60s: value is not valid percent-encoded UTF-8", param->name);
                free(param->name);
                return rc;
            }
            out->count++;
        }
        p += len;
        if (*p == '&') p++;
    }
    return VB_OK;
}

void vb_target_free(vb_target *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->count; i++) {
        free(t->params[i].name);
        free(t->params[i].value);
    }
    free(t->params);
    free(t->path);
    memset(t, 0, sizeof *t);
}

vb_status vb_path_segments(const char *path, char **segs, size_t max, size_t *count, char detail[256])
{
    vb_status rc;
    *count = 0;
    if (path[0] != '/') { DETAIL("path must start with '/'"); return VB_EINVAL; }
    if (path[1] == '\0') return VB_OK;
    for (const char *p = path + 1;;) {
        size_t len = strcspn(p, "/");
        if (*count == max) { DETAIL("no such path"); return VB_ENOTFOUND; }
        if (len == 0) { DETAIL("no such path (empty segment)"); return VB_ENOTFOUND; }
        segs[*count] = vb_percent_decode(p, len, false, &rc);
        if (!segs[*count]) {
            if (rc == VB_EINVAL) DETAIL("path segment '%.*s' is not valid percent-encoded UTF-8", (int)(len < 60 ? len : 60), p);
            return rc;
        }
        (*count)++;
        p += len;
        if (*p == '\0') break;
        p++;
    }
    return VB_OK;
}

const char *vb_param_get(const vb_target *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (!strcmp(t->params[i].name, name)) return t->params[i].value;
    return NULL;
}

vb_status vb_params_check(const vb_target *t, const char *const *allowed, char detail[256], bool *duplicate)
{
    char unknown[200] = "";
    *duplicate = false;
    for (size_t i = 0; i < t->count; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++) ok = !strcmp(*a, t->params[i].name);
        if (!ok) {
            size_t n = strlen(unknown);
            snprintf(unknown + n, sizeof unknown - n, "%s'%.40s'", n ? ", " : "", t->params[i].name);
        }
    }
    if (unknown[0]) {
        char list[160] = "";
        for (const char *const *a = allowed; *a; a++) {
            size_t n = strlen(list);
            snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", *a);
        }
        DETAIL("unknown parameter %.120s; this endpoint takes: %.90s", unknown, list[0] ? list : "none");
        return VB_EINVAL;
    }
    for (size_t i = 0; i < t->count; i++)
        for (size_t j = i + 1; j < t->count; j++)
            if (!strcmp(t->params[i].name, t->params[j].name)) {
                DETAIL("%.60s: given more than once", t->params[i].name);
                *duplicate = true;
                return VB_EINVAL;
            }
    return VB_OK;
}

static vb_status one_date(const char *name, const char *value, vb_date *d, char detail[256])
{
    if (vb_date_parse(value, d) != VB_OK) {
        DETAIL("%s: '%.40s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", name, value);
        return VB_EINVAL;
    }
    return VB_OK;
}

vb_status vb_parse_dates(const char *date, const char *from, const char *to, vb_list_query *q, char detail[256])
{
    vb_date d, f, t;
    q->has_dates = false;
    q->from_day = 0;
    q->to_day = 99991231;
    if (date) {
        if (one_date("date", date, &d, detail)) return VB_EINVAL;
        q->from_day = vb_date_first_day(&d);
        q->to_day = vb_date_last_day(&d);
        q->has_dates = true;
    }
    if (from && one_date("from", from, &f, detail)) return VB_EINVAL;
    if (to && one_date("to", to, &t, detail)) return VB_EINVAL;
    if (from && to && vb_date_first_day(&f) > vb_date_last_day(&t)) {
        DETAIL("from: '%s' is later than to: '%s'", from, to);
        return VB_EINVAL;
    }
    if (from) {
        int day = vb_date_first_day(&f);
        if (day > q->from_day) q->from_day = day;
        q->has_dates = true;
    }
    if (to) {
        int day = vb_date_last_day(&t);
        if (day < q->to_day) q->to_day = day;
        q->has_dates = true;
    }
    return VB_OK;
}

/* Appends one FTS5 string for text[0..n) ("" doubled), as a prefix if asked. */
static bool add_term(char **out, size_t *len, size_t *cap, const char *text, size_t n, bool prefix)
{
    bool has_word = false;
    for (size_t i = 0; i < n;) {
        uint32_t cp = vb_utf8_next(text, n, &i);
        has_word |= vb_is_alnum(cp);
    }
    if (!has_word) return true;
    if (*len + 2 * n + 8 > *cap) {
        *cap = (*len + 2 * n + 8) * 2;
        char *grown = realloc(*out, *cap);
        if (!grown) return false;
        *out = grown;
    }
    if (*len) (*out)[(*len)++] = ' ';
    (*out)[(*len)++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '"') (*out)[(*len)++] = '"';
        (*out)[(*len)++] = text[i];
    }
    (*out)[(*len)++] = '"';
    if (prefix) (*out)[(*len)++] = '*';
    (*out)[*len] = '\0';
    return true;
}

char *vb_fts_expression(const char *q, char detail[256])
{
    size_t cap = strlen(q) * 2 + 16, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = '\0';
    for (const char *p = q; *p;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        const char *start;
        size_t n;
        bool prefix = false;
        if (*p == '"') {
            start = ++p;
            while (*p && *p != '"') p++;
            n = (size_t)(p - start);
            if (*p == '"') p++;
        } else {
            start = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '"') p++;
            n = (size_t)(p - start);
            if (n > 1 && start[n - 1] == '*') { prefix = true; n--; }
            /* Other '*'s and FTS syntax in a word stay literal text. */
        }
        if (!add_term(&out, &len, &cap, start, n, prefix)) { free(out); return NULL; }
    }
    if (len == 0) {
        DETAIL("q: '%.60s' has no word to search for", q);
        free(out);
        return NULL;
    }
    return out;
}

vb_status vb_parse_limit(const char *s, int *limit, char detail[256])
{
    *limit = 20;
    if (!s) return VB_OK;
    int v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 3) goto bad;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') goto bad;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 100) goto bad;
    *limit = v;
    return VB_OK;
bad:
    DETAIL("limit: '%.20s' is not a whole number from 1 to 100", s);
    return VB_EINVAL;
}

/* ---- cursors ------------------------------------------------------------- */

#define CURSOR_FORMAT '2'
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

unsigned long long vb_query_hash(const char *route, const vb_target *t)
{
    /* Order-independent: the XOR of each parameter's hash. */
    uint64_t h = fnv(route, strlen(route), 1469598103934665603ULL);
    for (size_t i = 0; i < t->count; i++) {
        if (!strcmp(t->params[i].name, "cursor") || !strcmp(t->params[i].name, "limit")) continue;
        uint64_t p = fnv(t->params[i].name, strlen(t->params[i].name), 1469598103934665603ULL);
        p = fnv("=", 1, p);
        h ^= fnv(t->params[i].value, strlen(t->params[i].value), p) * 31;
    }
    return h;
}

void vb_cursor_encode(const vb_keyset *k, unsigned long long query_hash, char *out, size_t size)
{
    char raw[700];
    int n = snprintf(raw, sizeof raw, "%c\x1f%016llx\x1f%lld\x1f%lld\x1f%s\x1f%s", CURSOR_FORMAT, query_hash, k->num,
                     k->pos, k->text, k->id);
    if (n < 0 || (size_t)n >= sizeof raw - 20) n = (int)(sizeof raw - 20);
    n += snprintf(raw + n, sizeof raw - (size_t)n, "\x1f%08llx",
                  (unsigned long long)(fnv(raw, (size_t)n, 0xcbf29ce484222325ULL ^ 0x7665726261ULL) & 0xffffffffULL));
    size_t len = 0;
    for (int i = 0; i < n && len + 5 < size; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)raw[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)raw[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)raw[i + 2];
        out[len++] = b64[(v >> 18) & 63];
        out[len++] = b64[(v >> 12) & 63];
        if (i + 1 < n) out[len++] = b64[(v >> 6) & 63];
        if (i + 2 < n) out[len++] = b64[v & 63];
    }
    out[len] = '\0';
}

vb_status vb_cursor_decode(const char *s, unsigned long long query_hash, vb_keyset *k)
{
    char raw[700];
    size_t n = strlen(s), len = 0;
    uint32_t acc = 0;
    int bits = 0;
    memset(k, 0, sizeof *k);
    if (n == 0 || n > 900) return VB_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(b64, s[i]);
        if (!p || !s[i]) return VB_EINVAL;
        acc = (acc << 6) | (uint32_t)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len + 1 >= sizeof raw) return VB_EINVAL;
            raw[len++] = (char)((acc >> bits) & 0xFF);
        }
    }
    raw[len] = '\0';
    if (memchr(raw, '\0', len)) return VB_EINVAL;
    /* checksum: the last field */
    char *last = strrchr(raw, '\x1f');
    if (!last || strlen(last + 1) != 8) return VB_EINVAL;
    unsigned long long sum = strtoull(last + 1, NULL, 16);
    if (sum != (fnv(raw, (size_t)(last - raw), 0xcbf29ce484222325ULL ^ 0x7665726261ULL) & 0xffffffffULL)) return VB_EINVAL;
    *last = '\0';
    if (raw[0] != CURSOR_FORMAT) return VB_ENOTFOUND;
    char *fields[6];
    size_t count = 0;
    for (char *p = raw; count < 6; count++) {
        fields[count] = p;
        char *sep = strchr(p, '\x1f');
        if (!sep) { count++; break; }
        *sep = '\0';
        p = sep + 1;
    }
    if (count != 6) return VB_EINVAL;
    if (strtoull(fields[1], NULL, 16) != query_hash) return VB_EINVAL;
    k->num = strtoll(fields[2], NULL, 10);
    k->pos = strtoll(fields[3], NULL, 10);
    snprintf(k->text, sizeof k->text, "%s", fields[4]);
    snprintf(k->id, sizeof k->id, "%s", fields[5]);
    return VB_OK;
}
