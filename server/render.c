/* render.c - JSON of a parsed document (no database: speaker ids are the
 * slugs of this article's names, links are relative). */
#include "verbatim/render.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"

void vb_buf_add(vb_buf *b, const char *s, size_t n)
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
    static const char hex[] = "0123456789abcdef";
    if (!s) { vb_buf_add(b, "null", 4); return; }
    vb_buf_add(b, "\"", 1);
    const char *run = s, *end = s + strlen(s);
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
    vb_buf_add(b, "\"", 1);
}

static void key(vb_buf *b, const char *k, bool first)
{
    if (!first) vb_buf_add(b, ",", 1);
    vb_buf_json(b, k);
    vb_buf_add(b, ":", 1);
}

static void number(vb_buf *b, size_t v)
{
    char n[24];
    vb_buf_add(b, n, (size_t)snprintf(n, sizeof n, "%zu", v));
}

char *vb_render_document(const vb_document *doc, size_t *len)
{
    const vb_article *a = &doc->article;
    vb_buf b = {0}, ref = {0};
    char date[11], path[600];
    const char *precision = vb_precision_name(a->date.precision);
    char *excerpt = vb_excerpt(a->body, 200);
    char **slugs = calloc(doc->quotes.count + 1, sizeof *slugs);
    vb_date_format(&a->date, date);

    /* {"id","title","date","date_precision"} of every quote's article */
    vb_buf_str(&ref, "{");
    key(&ref, "id", true); vb_buf_json(&ref, doc->id);
    key(&ref, "title", false); vb_buf_json(&ref, a->title);
    key(&ref, "date", false); vb_buf_json(&ref, date[0] ? date : NULL);
    key(&ref, "date_precision", false); vb_buf_json(&ref, precision);
    vb_buf_str(&ref, "}");

    vb_buf_str(&b, "{");
    key(&b, "id", true); vb_buf_json(&b, doc->id);
    key(&b, "title", false); vb_buf_json(&b, a->title);
    key(&b, "date", false); vb_buf_json(&b, date[0] ? date : NULL);
    key(&b, "date_precision", false); vb_buf_json(&b, precision);
    key(&b, "lang", false); vb_buf_json(&b, a->lang);
    key(&b, "source_url", false); vb_buf_json(&b, a->source_url);
    key(&b, "excerpt", false); vb_buf_json(&b, excerpt);
    key(&b, "quote_count", false); number(&b, doc->quotes.count);
    key(&b, "speakers", false);
    vb_buf_str(&b, "[");
    size_t distinct = 0;
    for (size_t i = 0; slugs && i < doc->quotes.count; i++) {
        if (!doc->quotes.items[i].speaker) continue;
        slugs[i] = vb_slug(doc->quotes.items[i].speaker);
        bool seen = false;
        for (size_t j = 0; j < i && slugs[i] && !seen; j++) seen = slugs[j] && !strcmp(slugs[j], slugs[i]);
        if (seen || !slugs[i]) continue;
        if (distinct++) vb_buf_str(&b, ",");
        vb_buf_json(&b, slugs[i]);
    }
    vb_buf_str(&b, "]");
    snprintf(path, sizeof path, "/v1/articles/%s", doc->id);
    key(&b, "links", false); vb_buf_str(&b, "{"); key(&b, "self", true); vb_buf_json(&b, path); vb_buf_str(&b, "}");
    key(&b, "body", false); vb_buf_json(&b, a->body);
    key(&b, "word_count", false); number(&b, a->word_count);
    key(&b, "source_file", false); vb_buf_json(&b, doc->source_file);
    key(&b, "quotes", false);
    vb_buf_str(&b, "[");
    for (size_t i = 0; i < doc->quotes.count; i++) {
        const vb_quote *q = &doc->quotes.items[i];
        char id[640];
        snprintf(id, sizeof id, "%s-%zu", doc->id, i + 1);
        if (i) vb_buf_str(&b, ",");
        vb_buf_str(&b, "{");
        key(&b, "id", true); vb_buf_json(&b, id);
        key(&b, "text", false); vb_buf_json(&b, q->text);
        key(&b, "speaker", false);
        if (q->speaker && slugs && slugs[i]) {
            vb_buf_str(&b, "{");
            key(&b, "id", true); vb_buf_json(&b, slugs[i]);
            key(&b, "name", false); vb_buf_json(&b, q->speaker);
            key(&b, "kind", false); vb_buf_json(&b, vb_kind_name(q->kind) ? vb_kind_name(q->kind) : "anonymous");
            vb_buf_str(&b, "}");
        } else {
            vb_buf_str(&b, "null");
        }
        key(&b, "role", false); vb_buf_json(&b, q->role);
        key(&b, "cue", false); vb_buf_json(&b, q->cue);
        key(&b, "article", false); vb_buf_add(&b, ref.s ? ref.s : "null", ref.s ? ref.n : 4);
        key(&b, "offsets", false);
        vb_buf_str(&b, "{"); key(&b, "start", true); number(&b, q->start);
        key(&b, "end", false); number(&b, q->end); vb_buf_str(&b, "}");
        char self[700];
        snprintf(self, sizeof self, "/v1/quotes/%s", id);
        key(&b, "links", false); vb_buf_str(&b, "{"); key(&b, "self", true); vb_buf_json(&b, self); vb_buf_str(&b, "}");
        vb_buf_str(&b, "}");
    }
    vb_buf_str(&b, "]");
    key(&b, "file", false); vb_buf_json(&b, doc->source_file);
    vb_buf_str(&b, "}");

    for (size_t i = 0; slugs && i < doc->quotes.count; i++) free(slugs[i]);
    free(slugs);
    free(excerpt);
    free(ref.s);
    if (b.failed || !slugs || ref.failed) { free(b.s); return NULL; }
    *len = b.n;
    return b.s;
}
