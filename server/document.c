/* document.c - one article file, from bytes to article and quotes. */
#include "verbatim/document.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/text.h"

static char *strdup_n(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (out) { memcpy(out, s, n); out[n] = '\0'; }
    return out;
}

vb_status vb_document_parse(const char *name, const char *raw, size_t n, vb_document *doc, char why[96])
{
    vb_status rc;
    size_t name_len = strlen(name);
    memset(doc, 0, sizeof *doc);
    why[0] = '\0';
    if (n == 0) { snprintf(why, 96, "empty"); return VB_EINVAL; }
    const char *nul = memchr(raw, '\0', n);
    if (nul) { snprintf(why, 96, "binary (NUL byte at offset %zu)", (size_t)(nul - raw)); return VB_EINVAL; }
    if (!vb_utf8_valid(raw, n)) {
        size_t i = 0;
        while (i < n) {
            size_t at = i;
            uint32_t cp = vb_utf8_next(raw, n, &i);
            if (cp == 0xFFFD && i - at == 1) {
                snprintf(why, 96, "not UTF-8 (byte 0x%02X at offset %zu)", (unsigned char)raw[at], at);
                break;
            }
        }
        return VB_EINVAL;
    }
    /* Control characters other than white space mark a binary file. */
    size_t controls = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t w;
        if (i % 8 == 0 && i + 8 <= n) { /* skip words with no byte below 0x20, most of them */
            memcpy(&w, raw + i, 8);
            if (!((w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL)) { i += 7; continue; }
        }
        unsigned char c = (unsigned char)raw[i];
        controls += c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f';
    }
    if (controls > n / 100 + 2) { snprintf(why, 96, "binary (%zu control bytes)", controls); return VB_EINVAL; }

    doc->source_file = strdup_n(name, name_len);
    if (name_len > 4 && strcmp(name + name_len - 4, ".txt") == 0) name_len -= 4;
    doc->id = strdup_n(name, name_len);
    if (!doc->id || !doc->source_file) { rc = VB_ENOMEM; goto fail; }
    rc = vb_article_parse(raw, n, &doc->article);
    if (rc == VB_EINVAL) snprintf(why, 96, "no text once site chrome is removed");
    if (rc != VB_OK) goto fail;
    rc = vb_extract_quotes(doc->article.body, doc->article.body_len, doc->article.lang, &doc->quotes);
    if (rc != VB_OK) goto fail;
    return VB_OK;
fail:
    vb_document_free(doc);
    return rc;
}

void vb_document_free(vb_document *doc)
{
    if (!doc) return;
    free(doc->id);
    free(doc->source_file);
    vb_article_free(&doc->article);
    vb_quotes_free(&doc->quotes);
    memset(doc, 0, sizeof *doc);
}
