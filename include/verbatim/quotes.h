/* quotes.h - direct quotes in an article body, with who said them.
 *
 * Pure: body text in, quotes out. Offsets are Unicode code point positions in
 * the body, so body[start..end) is the quote's text. The stages, in order:
 * spans (quotation marks, nesting, multi-paragraph quotes), cues (the speech
 * verb or "selon" that attributes a span, before or after it), speaker
 * mentions (the noun phrase the cue points at), and resolution (pronouns and
 * descriptions to the entity the article means; see speakers.h). */
#ifndef VERBATIM_QUOTES_H
#define VERBATIM_QUOTES_H

#include <stddef.h>

#include "verbatim/status.h"

typedef enum vb_kind {
    VB_KIND_NONE = 0,
    VB_KIND_PERSON,
    VB_KIND_ORGANIZATION,
    VB_KIND_GROUP,
    VB_KIND_ANONYMOUS
} vb_kind;

typedef struct vb_quote {
    size_t start, end; /* code point offsets of the text in the body */
    char *text;        /* body[start..end) */
    char *cue;         /* the attributing words ("a réagi", "selon"), or NULL */
    char *speaker;     /* canonical name, or NULL when no reader could name one */
    char *role;        /* the speaker's role as the article gives it, or NULL */
    vb_kind kind;
    char *aliases;     /* other names of the speaker in this article, "\x1f"-separated, or NULL */
} vb_quote;

typedef struct vb_quotes {
    vb_quote *items;
    size_t count;
} vb_quotes;

/* Extracts the quotes of body[0..len) (valid UTF-8), in text order. lang is
 * "fr" or "en" (both languages' cues are tried either way; lang only orders
 * preferences). On VB_OK the caller frees *out with vb_quotes_free. */
vb_status vb_extract_quotes(const char *body, size_t len, const char *lang, vb_quotes *out);

void vb_quotes_free(vb_quotes *q);

const char *vb_kind_name(vb_kind k); /* "person", ... or NULL */

#endif
