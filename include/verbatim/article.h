/* article.h - raw article text in, cleaned article out: body, title, date,
 * language and source URL.
 *
 * Pure: no I/O, no database. The text must already be valid UTF-8. */
#ifndef VERBATIM_ARTICLE_H
#define VERBATIM_ARTICLE_H

#include <stddef.h>

#include "verbatim/dates.h"
#include "verbatim/status.h"

typedef struct vb_article {
    char *title;      /* the headline, or NULL */
    char *body;       /* cleaned text, paragraphs separated by "\n\n" */
    size_t body_len;  /* bytes */
    vb_date date;     /* precision NONE when the text gives no date */
    char lang[3];     /* "fr" or "en" */
    char *source_url; /* the article's own URL when the text gives it, or NULL */
    size_t word_count;
    size_t mojibake_repaired; /* sequences repaired before parsing */
} vb_article;

/* Parses raw[0..n) (valid UTF-8). On VB_OK the caller owns *out and frees it
 * with vb_article_free. VB_ENOMEM on allocation failure, VB_EINVAL when no
 * text is left once the site chrome is removed. */
vb_status vb_article_parse(const char *raw, size_t n, vb_article *out);

/* Frees what vb_article_parse allocated; a zeroed article is fine. */
void vb_article_free(vb_article *a);

/* The first words of body, about max_chars code points, cut at a word
 * boundary and ended with "…" when cut. New string, or NULL if out of memory. */
char *vb_excerpt(const char *body, size_t max_chars);

/* "fr" or "en", by counting each language's most common words. */
const char *vb_detect_lang(const char *text, size_t n);

#endif
