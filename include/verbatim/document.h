/* document.h - one article file, from bytes to article and quotes.
 *
 * The pipeline of one file: checks (empty, binary, not UTF-8), text
 * cleaning and article parsing (article.h), quote extraction and speaker
 * resolution (quotes.h). Pure: the caller reads the file. */
#ifndef VERBATIM_DOCUMENT_H
#define VERBATIM_DOCUMENT_H

#include <stddef.h>

#include "verbatim/article.h"
#include "verbatim/quotes.h"
#include "verbatim/status.h"

typedef struct vb_document {
    char *id;          /* file name without ".txt" */
    char *source_file; /* file name */
    vb_article article;
    vb_quotes quotes;
} vb_document;

/* Parses raw[0..n) read from file `name` (a base name). On VB_EINVAL,
 * *why says in a few words what is wrong with the bytes ("empty", "binary
 * (NUL byte at 120)", "not UTF-8 (byte 0xE9 at 3)", "no text"). On VB_OK the
 * caller frees *doc with vb_document_free. */
vb_status vb_document_parse(const char *name, const char *raw, size_t n, vb_document *doc, char why[96]);

void vb_document_free(vb_document *doc);

#endif
