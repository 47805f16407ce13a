/* render.c - JSON of a parsed document (no database: speaker ids are the
 * slugs of this article's names, links are relative). */
#include "verbatim/render.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"

void vb_buf_add_grown(vb_buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *grown = realloc(b->s, cap);
        if (!grown) { b->failed = true; return; }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void vb_buf_str(vb_buf *b, const char *s) { vb_buf_add(b, s, strlen(s)); }

/* Does any of the 8 bytes of v need escaping in JSON (under 0x20, '"' or
 * '\\')? The classic "has a zero byte" tests: exact about whether, not
 * about which. */
static bool needs_escape8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t quote = v ^ (ones * '"'), backslash = v ^ (ones * '\\');
    return (((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)) & highs;
}

void vb_buf_json(vb_buf *b, const char *s)
{
    if (!s) { vb_buf_add(b, "null", 4); return; }
    vb_buf_json_n(b, s, strlen(s));
}

/* The n bytes of s, escaped for a JSON string (no quotes around them). */
static void json_chars(vb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s, *end = s + n;
    for (const char *p = s; p < end; p++) {
        uint64_t v;
        while (end - p >= 8 && (memcpy(&v, p, 8), !needs_escape8(v))) p += 8; /* plain text, 8 bytes a step */
        if (p == end) break;
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\') continue; /* runs of plain bytes are copied at once */
        vb_buf_add(b, run, (size_t)(p - run));
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') { esc[1] = (char)c; vb_buf_add(b, esc, 2); }
        else if (c == '\n') vb_buf_add(b, "\\n", 2);
        else if (c == '\t') vb_buf_add(b, "\\t", 2);
        else if (c == '\r') vb_buf_add(b, "\\r", 2);
        else vb_buf_add(b, esc, 6);
        run = p + 1;
    }
    vb_buf_add(b, run, (size_t)(end - run));
}

void vb_buf_json_n(vb_buf *b, const char *s, size_t n)
{
    vb_buf_add(b, "\"", 1);
    json_chars(b, s, n);
    vb_buf_add(b, "\"", 1);
}

/* A literal: raw JSON text known when compiling. */
#define LIT(b, text) vb_buf_add((b), text, sizeof text - 1)
/* The first key of an object and the ones after it. */
#define KEY1(b, k) LIT(b, "\"" k "\":")
#define KEY(b, k) LIT(b, ",\"" k "\":")

static void number(vb_buf *b, size_t v)
{
    char digits[24], *p = digits + sizeof digits;
    do *--p = (char)('0' + v % 10); while (v /= 10);
    vb_buf_add(b, p, (size_t)(digits + sizeof digits - p));
}

/* A JSON string made of prefix, s and, if suffix is set, suffix; none of
 * them need escaping but s. */
static void json_joined(vb_buf *b, const char *prefix, const char *s, const char *suffix)
{
    LIT(b, "\"");
    vb_buf_str(b, prefix);
    json_chars(b, s, strlen(s));
    if (suffix) vb_buf_str(b, suffix);
    LIT(b, "\"");
}

char *vb_render_document(const vb_document *doc, size_t *len)
{
    const vb_article *a = &doc->article;
    vb_buf b = {0}, ref = {0};
    char date[11];
    const char *precision = vb_precision_name(a->date.precision);
    char *excerpt = vb_excerpt(a->body, 200);
    char **slugs = calloc(doc->quotes.count + 1, sizeof *slugs);
    vb_date_format(&a->date, date);

    /* {"id","title","date","date_precision"} of every quote's article */
    LIT(&ref, "{");
    KEY1(&ref, "id"); vb_buf_json(&ref, doc->id);
    KEY(&ref, "title"); vb_buf_json(&ref, a->title);
    KEY(&ref, "date"); vb_buf_json(&ref, date[0] ? date : NULL);
    KEY(&ref, "date_precision"); vb_buf_json(&ref, precision);
    LIT(&ref, "}");

    /* Room for all of it at once, as a rule: the body, and about twice the
     * text of each quote with its keys and its article. */
    size_t need = a->body_len + a->body_len / 8 + 1024;
    for (size_t i = 0; i < doc->quotes.count; i++)
        need += 2 * (doc->quotes.items[i].end - doc->quotes.items[i].start) + 512 + ref.n;
    if ((b.s = malloc(need))) b.cap = need;

    LIT(&b, "{");
    KEY1(&b, "id"); vb_buf_json(&b, doc->id);
    KEY(&b, "title"); vb_buf_json(&b, a->title);
    KEY(&b, "date"); vb_buf_json(&b, date[0] ? date : NULL);
    KEY(&b, "date_precision"); vb_buf_json(&b, precision);
    KEY(&b, "lang"); vb_buf_json(&b, a->lang);
    KEY(&b, "source_url"); vb_buf_json(&b, a->source_url);
    KEY(&b, "excerpt"); vb_buf_json(&b, excerpt);
    KEY(&b, "quote_count"); number(&b, doc->quotes.count);
    KEY(&b, "speakers");
    LIT(&b, "[");
    size_t distinct = 0;
    for (size_t i = 0; slugs && i < doc->quotes.count; i++) {
        if (!doc->quotes.items[i].speaker) continue;
        slugs[i] = vb_slug(doc->quotes.items[i].speaker);
        bool seen = false;
        for (size_t j = 0; j < i && slugs[i] && !seen; j++) seen = slugs[j] && !strcmp(slugs[j], slugs[i]);
        if (seen || !slugs[i]) continue;
        if (distinct++) LIT(&b, ",");
        vb_buf_json(&b, slugs[i]);
    }
    LIT(&b, "]");
    KEY(&b, "links"); LIT(&b, "{"); KEY1(&b, "self"); json_joined(&b, "/v1/articles/", doc->id, NULL); LIT(&b, "}");
    KEY(&b, "body"); vb_buf_json_n(&b, a->body, a->body_len);
    KEY(&b, "word_count"); number(&b, a->word_count);
    KEY(&b, "source_file"); vb_buf_json(&b, doc->source_file);
    KEY(&b, "quotes");
    LIT(&b, "[");
    for (size_t i = 0; i < doc->quotes.count; i++) {
        const vb_quote *q = &doc->quotes.items[i];
        char n[24];
        snprintf(n, sizeof n, "-%zu", i + 1);
        if (i) LIT(&b, ",");
        LIT(&b, "{");
        KEY1(&b, "id"); json_joined(&b, "", doc->id, n);
        KEY(&b, "text"); vb_buf_json(&b, q->text);
        KEY(&b, "speaker");
        if (q->speaker && slugs && slugs[i]) {
            LIT(&b, "{");
            KEY1(&b, "id"); vb_buf_json(&b, slugs[i]);
            KEY(&b, "name"); vb_buf_json(&b, q->speaker);
            KEY(&b, "kind"); vb_buf_json(&b, vb_kind_name(q->kind) ? vb_kind_name(q->kind) : "anonymous");
            LIT(&b, "}");
        } else {
            LIT(&b, "null");
        }
        KEY(&b, "role"); vb_buf_json(&b, q->role);
        KEY(&b, "cue"); vb_buf_json(&b, q->cue);
        KEY(&b, "article"); vb_buf_add(&b, ref.s ? ref.s : "null", ref.s ? ref.n : 4);
        KEY(&b, "offsets");
        LIT(&b, "{"); KEY1(&b, "start"); number(&b, q->start);
        KEY(&b, "end"); number(&b, q->end); LIT(&b, "}");
        KEY(&b, "links"); LIT(&b, "{"); KEY1(&b, "self"); json_joined(&b, "/v1/quotes/", doc->id, n); LIT(&b, "}");
        LIT(&b, "}");
    }
    LIT(&b, "]");
    KEY(&b, "file"); vb_buf_json(&b, doc->source_file);
    LIT(&b, "}");

    for (size_t i = 0; slugs && i < doc->quotes.count; i++) free(slugs[i]);
    free(slugs);
    free(excerpt);
    free(ref.s);
    if (b.failed || !b.s || !slugs || ref.failed) { free(b.s); return NULL; }
    *len = b.n;
    return b.s;
}
