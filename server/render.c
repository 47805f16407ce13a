/* render.c - JSON of a parsed document (no database: speaker ids are the
 * slugs of this article's names, links are relative). */
#include "verbatim/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"

static json_t *string_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *date_or_null(const vb_date *d)
{
    char buf[11];
    vb_date_format(d, buf);
    return buf[0] ? json_string(buf) : json_null();
}

json_t *vb_render_document(const vb_document *doc)
{
    const vb_article *a = &doc->article;
    json_t *o = json_object(), *quotes = json_array(), *speakers = json_array(), *article_ref;
    char path[512];
    char *excerpt = vb_excerpt(a->body, 200);
    const char *precision = vb_precision_name(a->date.precision);

    snprintf(path, sizeof path, "/v1/articles/%s", doc->id);
    article_ref = json_pack("{s:s, s:o, s:o, s:o}", "id", doc->id, "title", string_or_null(a->title),
                            "date", date_or_null(&a->date), "precision", string_or_null(precision));
    json_object_del(article_ref, "precision");
    json_object_set_new(article_ref, "date_precision", string_or_null(precision));

    for (size_t i = 0; i < doc->quotes.count; i++) {
        const vb_quote *q = &doc->quotes.items[i];
        char id[300], self[400];
        json_t *speaker = json_null();
        snprintf(id, sizeof id, "%s-%zu", doc->id, i + 1);
        snprintf(self, sizeof self, "/v1/quotes/%s", id);
        if (q->speaker) {
            char *slug = vb_slug(q->speaker);
            speaker = json_pack("{s:s, s:s, s:s}", "id", slug ? slug : "", "name", q->speaker, "kind",
                                vb_kind_name(q->kind) ? vb_kind_name(q->kind) : "anonymous");
            bool seen = false;
            size_t k;
            json_t *v;
            json_array_foreach(speakers, k, v) seen |= slug && !strcmp(json_string_value(v), slug);
            if (!seen && slug) json_array_append_new(speakers, json_string(slug));
            free(slug);
        }
        json_array_append_new(quotes, json_pack("{s:s, s:s, s:o, s:o, s:o, s:O, s:{s:I, s:I}, s:{s:s}}",
            "id", id, "text", q->text, "speaker", speaker, "role", string_or_null(q->role),
            "cue", string_or_null(q->cue), "article", article_ref,
            "offsets", "start", (json_int_t)q->start, "end", (json_int_t)q->end, "links", "self", self));
    }
    json_object_set_new(o, "id", json_string(doc->id));
    json_object_set_new(o, "title", string_or_null(a->title));
    json_object_set_new(o, "date", date_or_null(&a->date));
    json_object_set_new(o, "date_precision", string_or_null(precision));
    json_object_set_new(o, "lang", json_string(a->lang));
    json_object_set_new(o, "source_url", string_or_null(a->source_url));
    json_object_set_new(o, "excerpt", string_or_null(excerpt));
    json_object_set_new(o, "quote_count", json_integer((json_int_t)doc->quotes.count));
    json_object_set_new(o, "speakers", speakers);
    json_object_set_new(o, "links", json_pack("{s:s}", "self", path));
    json_object_set_new(o, "body", json_string(a->body));
    json_object_set_new(o, "word_count", json_integer((json_int_t)a->word_count));
    json_object_set_new(o, "source_file", json_string(doc->source_file));
    json_object_set_new(o, "quotes", quotes);
    json_object_set_new(o, "file", json_string(doc->source_file));
    json_decref(article_ref);
    free(excerpt);
    return o;
}
