/* fuzz_quotes.c - vb_extract_quotes on a body, without the cleaning that
 * vb_article_parse does first (so marks, paragraphs and cues come in any
 * shape). The body must be valid UTF-8: the input is made so (kept when it
 * is, else its bad bytes become U+FFFD). */
#include "fuzz.h"
#include "verbatim/article.h"
#include "verbatim/quotes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    char *body = fuzz_utf8(data, size, &n);
    vb_quotes q;
    vb_status rc = vb_extract_quotes(body, n, vb_detect_lang(body, n), &q);
    FUZZ_CHECK(rc == VB_OK, "vb_extract_quotes: status %d", (int)rc);
    fuzz_check_quotes(body, n, &q);
    vb_quotes_free(&q);
    free(body);
    return 0;
}
