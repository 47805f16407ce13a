/* fuzz_article.c - vb_document_parse: the bytes of one crawled file through
 * the whole pipeline (checks, mojibake repair, cleaning, dates, quotes,
 * speakers), then what `verbatimd extract` and the store do with the result
 * (render, excerpt, slugs). Input: the file's bytes. */
#include <jansson.h>

#include "fuzz.h"
#include "verbatim/document.h"
#include "verbatim/render.h"

static void check_date(const vb_date *d)
{
    switch (d->precision) {
    case VB_PRECISION_NONE:
        break;
    case VB_PRECISION_YEAR:
        FUZZ_CHECK(d->month == 0 && d->day == 0 && vb_date_valid(d->year, 0, 0), "year %d-%d-%d", d->year, d->month,
                   d->day);
        break;
    case VB_PRECISION_MONTH:
        FUZZ_CHECK(d->month > 0 && d->day == 0 && vb_date_valid(d->year, d->month, 0), "month %d-%d-%d", d->year,
                   d->month, d->day);
        break;
    case VB_PRECISION_DAY:
        FUZZ_CHECK(d->month > 0 && d->day > 0 && vb_date_valid(d->year, d->month, d->day), "day %d-%d-%d", d->year,
                   d->month, d->day);
        break;
    default:
        FUZZ_CHECK(0, "precision %d", (int)d->precision);
    }
}

static void check_article(const vb_article *a)
{
    FUZZ_CHECK(a->body && a->body_len > 0, "no body");
    FUZZ_CHECK(strlen(a->body) == a->body_len, "body_len %zu, strlen %zu", a->body_len, strlen(a->body));
    FUZZ_CHECK(vb_utf8_valid(a->body, a->body_len), "body is not valid UTF-8");
    FUZZ_CHECK(a->body[0] != '\n' && a->body[a->body_len - 1] != '\n' && !strstr(a->body, "\n\n\n"),
               "empty paragraph in the body");
    FUZZ_CHECK(fuzz_cstr_utf8(a->title), "title is not valid UTF-8");
    FUZZ_CHECK(!strcmp(a->lang, "fr") || !strcmp(a->lang, "en"), "lang '%.3s'", a->lang);
    FUZZ_CHECK(a->word_count == vb_word_count(a->body, a->body_len), "word_count");
    check_date(&a->date);
    if (a->source_url) {
        const char *u = a->source_url;
        FUZZ_CHECK(!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8), "source_url '%s'", u);
        for (const char *p = u; *p; p++)
            FUZZ_CHECK(*p > ' ' && (unsigned char)*p < 0x7F, "source_url '%s' has byte 0x%02X", u, (unsigned char)*p);
    }
}

static void check_excerpt(const char *body, size_t max)
{
    char *e = vb_excerpt(body, max);
    FUZZ_CHECK(e != NULL, "vb_excerpt returned NULL");
    size_t n = strlen(e);
    FUZZ_CHECK(vb_utf8_valid(e, n), "excerpt '%s' is not valid UTF-8", e);
    /* the words, then "…": max_chars + 1 code points at most (see test_article.c) */
    size_t bound = max + 1 + (size_t)fuzz_known("excerpt-length");
    FUZZ_CHECK(vb_utf8_length(e, n) <= bound, "excerpt of %zu code points for max %zu", vb_utf8_length(e, n), max);
    free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vb_document doc;
    char why[96];
    memset(why, 'x', sizeof why);
    vb_status rc = vb_document_parse("fuzz.txt", (const char *)data, size, &doc, why);
    FUZZ_CHECK(memchr(why, '\0', sizeof why) != NULL, "why is not terminated");
    if (rc != VB_OK) {
        FUZZ_CHECK(rc == VB_EINVAL, "status %d", (int)rc);
        FUZZ_CHECK(why[0] != '\0', "VB_EINVAL with no reason");
        return 0;
    }
    FUZZ_CHECK(!strcmp(doc.id, "fuzz") && !strcmp(doc.source_file, "fuzz.txt"), "id '%s', file '%s'", doc.id,
               doc.source_file);
    check_article(&doc.article);
    fuzz_check_quotes(doc.article.body, doc.article.body_len, &doc.quotes);
    check_excerpt(doc.article.body, 200);
    check_excerpt(doc.article.body, 12);

    /* What extract prints (JSON written by hand in render.c): it must parse,
     * and lose nothing on the way. */
    size_t len = 0;
    char *text = vb_render_document(&doc, &len);
    FUZZ_CHECK(text != NULL, "vb_render_document returned NULL");
    FUZZ_CHECK(len == strlen(text), "render: len %zu, strlen %zu", len, strlen(text));
    json_error_t err;
    json_t *o = json_loadb(text, len, 0, &err);
    FUZZ_CHECK(json_is_object(o), "rendered document does not parse: %s (line %d col %d): %.300s", err.text,
               err.line, err.column, text);
    json_t *quotes = json_object_get(o, "quotes");
    FUZZ_CHECK(json_is_array(quotes) && json_array_size(quotes) == doc.quotes.count,
               "rendered %zu quotes of %zu", json_array_size(quotes), doc.quotes.count);
    const char *body = json_string_value(json_object_get(o, "body"));
    FUZZ_CHECK(body && !strcmp(body, doc.article.body), "rendered body differs from the body");
    for (size_t i = 0; i < doc.quotes.count; i++) {
        const vb_quote *q = &doc.quotes.items[i];
        const char *qt = json_string_value(json_object_get(json_array_get(quotes, i), "text"));
        FUZZ_CHECK(qt && !strcmp(qt, q->text), "rendered quote %zu text differs", i);
        if (!q->speaker) continue;
        char *slug = vb_slug(q->speaker);
        FUZZ_CHECK(slug != NULL, "vb_slug returned NULL");
        free(slug);
    }
    json_decref(o);
    free(text);
    vb_document_free(&doc);
    return 0;
}
