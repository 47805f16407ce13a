/* render.h - JSON of a parsed document, as `verbatimd extract` prints it:
 * the shape of GET /v1/articles/{id}'s data, plus "file".
 *
 * Written straight into a string (jansson's dump is the slowest part of an
 * extract run otherwise). */
#ifndef VERBATIM_RENDER_H
#define VERBATIM_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "verbatim/document.h"

/* New malloc'd JSON text of doc (*len bytes), or NULL when out of memory. */
char *vb_render_document(const vb_document *doc, size_t *len);

/* Appends s as a JSON string (quoted, escaped) to a growing buffer. */
typedef struct vb_buf {
    char *s;
    size_t n, cap;
    bool failed;
} vb_buf;

void vb_buf_add_grown(vb_buf *b, const char *s, size_t n);

/* Appends n bytes: inline while they fit (most calls add a few bytes). */
static inline void vb_buf_add(vb_buf *b, const char *s, size_t n)
{
    if (b->cap - b->n > n && !b->failed) { /* cap is 0 until the first growth */
        memcpy(b->s + b->n, s, n);
        b->n += n;
        b->s[b->n] = '\0';
        return;
    }
    vb_buf_add_grown(b, s, n);
}
void vb_buf_str(vb_buf *b, const char *s); /* raw */
void vb_buf_json(vb_buf *b, const char *s); /* a JSON string, or null for NULL */
void vb_buf_json_n(vb_buf *b, const char *s, size_t n); /* the n bytes of s as a JSON string */

#endif
