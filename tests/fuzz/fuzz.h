/* fuzz.h - what every fuzz target shares: the libFuzzer entry point's
 * prototype, a check that aborts with a message (so libFuzzer saves the
 * input, and the replay names the file), and input helpers.
 *
 * The targets build two ways: with clang -fsanitize=fuzzer (make fuzz-build)
 * and with tests/fuzz/replay.c as main (make fuzz-replay). */
#ifndef VERBATIM_FUZZ_H
#define VERBATIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbatim/quotes.h"
#include "verbatim/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: when it does not hold, say which and
 * abort, which libFuzzer and the replay both report as a crash. */
#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* True when failure `name` is in $VB_FUZZ_KNOWN (comma-separated): a failure
 * already reported and not fixed yet, which a fuzzing session may tolerate
 * so it goes on exploring (make fuzz VB_FUZZ_KNOWN=problem-detail-utf8,...).
 * The replay never sets it: regressions fail until the code is fixed.
 * Names: problem-detail-utf8 (a problem detail that is not UTF-8, so the
 * problem cannot be rendered), excerpt-length (vb_excerpt longer than
 * max_chars + 1 code points). */
static inline int fuzz_known(const char *name)
{
    const char *list = getenv("VB_FUZZ_KNOWN");
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, name, n)) return 1;
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

/* data[0..size) as a new NUL-terminated string (it may hold NULs itself). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* data[0..size) made valid UTF-8: kept as is when it already is, else
 * decoded (bad bytes become U+FFFD) and encoded again. *len gets the bytes. */
static inline char *fuzz_utf8(const uint8_t *data, size_t size, size_t *len)
{
    const char *s = (const char *)data;
    if (vb_utf8_valid(s, size)) {
        *len = size;
        return fuzz_strndup(data, size);
    }
    size_t count = 0;
    uint32_t *cp = vb_utf8_decode(s, size, &count);
    if (!cp) abort();
    char *out = vb_utf8_encode(cp, count);
    free(cp);
    if (!out) abort();
    size_t n = 0;
    /* the encoded string may hold NULs: measure it from the code points again */
    for (size_t i = 0; i < size;) {
        uint32_t c = vb_utf8_next(s, size, &i);
        n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    *len = n;
    return out;
}

/* True when s is NUL-terminated valid UTF-8 (NULL is fine: nothing to check). */
static inline int fuzz_cstr_utf8(const char *s)
{
    return !s || vb_utf8_valid(s, strlen(s));
}

/* Byte offset of code point `cp` in s[0..n) (valid UTF-8); n if past the end. */
static inline size_t fuzz_cp_offset(const char *s, size_t n, size_t cp)
{
    size_t i = 0;
    for (size_t k = 0; k < cp && i < n; k++) vb_utf8_next(s, n, &i);
    return i;
}

/* What vb_extract_quotes promises about q for body[0..len) (valid UTF-8):
 * offsets within the body's code points, start <= end, quotes in text order
 * and not overlapping, text == body[start..end), every string valid UTF-8,
 * a known kind. */
static inline void fuzz_check_quotes(const char *body, size_t len, const vb_quotes *q)
{
    size_t cps = vb_utf8_length(body, len), prev_start = 0, prev_end = 0;
    FUZZ_CHECK(q->count == 0 || q->items, "count %zu with no items", q->count);
    for (size_t i = 0; i < q->count; i++) {
        const vb_quote *x = &q->items[i];
        FUZZ_CHECK(x->start <= x->end, "quote %zu: start %zu > end %zu", i, x->start, x->end);
        FUZZ_CHECK(x->end <= cps, "quote %zu: end %zu past the body's %zu code points", i, x->end, cps);
        if (i > 0) {
            FUZZ_CHECK(x->start >= prev_start, "quote %zu starts at %zu, before quote %zu (%zu)", i, x->start, i - 1,
                       prev_start);
            FUZZ_CHECK(x->start >= prev_end, "quote %zu [%zu, %zu) overlaps quote %zu [%zu, %zu)", i, x->start, x->end,
                       i - 1, prev_start, prev_end);
        }
        prev_start = x->start;
        prev_end = x->end;
        FUZZ_CHECK(x->text != NULL, "quote %zu has no text", i);
        size_t a = fuzz_cp_offset(body, len, x->start), b = fuzz_cp_offset(body, len, x->end);
        FUZZ_CHECK(memcmp(x->text, body + a, b - a) == 0 && x->text[b - a] == '\0',
                   "quote %zu: text '%s' is not body[%zu..%zu) '%.*s'", i, x->text, x->start, x->end, (int)(b - a),
                   body + a);
        FUZZ_CHECK(fuzz_cstr_utf8(x->cue) && fuzz_cstr_utf8(x->speaker) && fuzz_cstr_utf8(x->role) &&
                       fuzz_cstr_utf8(x->aliases),
                   "quote %zu: a string is not valid UTF-8", i);
        FUZZ_CHECK(x->kind >= VB_KIND_NONE && x->kind <= VB_KIND_ANONYMOUS, "quote %zu: kind %d", i, (int)x->kind);
        FUZZ_CHECK(!x->speaker || x->speaker[0], "quote %zu: empty speaker name", i);
    }
}

#endif
