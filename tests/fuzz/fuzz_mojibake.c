/* fuzz_mojibake.c - the text functions that see crawled text: mojibake
 * repair, folding and slugs. Their input is valid UTF-8 (the pipeline checks
 * it first, the API decodes and checks every parameter), so the input is
 * made valid UTF-8 here: kept when it is, else its bad bytes become U+FFFD. */
#include "fuzz.h"

static void check_fold(const char *s)
{
    char *f = vb_fold(s);
    FUZZ_CHECK(f != NULL, "vb_fold returned NULL");
    size_t n = strlen(f);
    FUZZ_CHECK(n <= 2 * strlen(s), "vb_fold: %zu bytes from %zu", n, strlen(s));
    FUZZ_CHECK(vb_utf8_valid(f, n), "vb_fold('%s') is not valid UTF-8", s);
    FUZZ_CHECK(n == 0 || (f[0] != ' ' && f[n - 1] != ' '), "vb_fold('%s') = '%s' is not trimmed", s, f);
    FUZZ_CHECK(!strstr(f, "  "), "vb_fold('%s') = '%s' has a double space", s, f);
    for (size_t i = 0; i < n;) { /* nothing left that folds: no capital, no accent, no other space */
        uint32_t cp = vb_utf8_next(f, n, &i), out[2];
        FUZZ_CHECK(vb_fold_cp(cp, out) == 1 && out[0] == cp, "vb_fold('%s') = '%s' keeps U+%04X, which folds", s, f,
                   (unsigned)cp);
        FUZZ_CHECK(cp == ' ' || !vb_is_space(cp), "vb_fold('%s') = '%s' keeps space U+%04X", s, f, (unsigned)cp);
    }
    char *again = vb_fold(f);
    FUZZ_CHECK(again && !strcmp(again, f), "vb_fold is not idempotent: '%s' -> '%s' -> '%s'", s, f, again);
    free(again);
    free(f);
}

static void check_slug(const char *s)
{
    char *g = vb_slug(s);
    FUZZ_CHECK(g != NULL, "vb_slug returned NULL");
    size_t n = strlen(g);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((g[i] >= 'a' && g[i] <= 'z') || (g[i] >= '0' && g[i] <= '9') || g[i] == '-',
                   "vb_slug('%s') = '%s' has byte 0x%02X", s, g, (unsigned char)g[i]);
    FUZZ_CHECK(n == 0 || (g[0] != '-' && g[n - 1] != '-'), "vb_slug('%s') = '%s' has a dash at an end", s, g);
    FUZZ_CHECK(!strstr(g, "--"), "vb_slug('%s') = '%s' has a double dash", s, g);
    char *again = vb_slug(g);
    FUZZ_CHECK(again && !strcmp(again, g), "vb_slug is not idempotent: '%s' -> '%s' -> '%s'", s, g, again);
    free(again);
    free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n, out_len = (size_t)-1, repaired = (size_t)-1;
    char *s = fuzz_utf8(data, size, &n);

    char *r = vb_mojibake_repair(s, n, &out_len, &repaired);
    FUZZ_CHECK(r != NULL, "vb_mojibake_repair returned NULL");
    FUZZ_CHECK(out_len <= 4 * n, "vb_mojibake_repair: %zu bytes from %zu", out_len, n);
    FUZZ_CHECK(r[out_len] == '\0', "vb_mojibake_repair: not NUL-terminated at %zu", out_len);
    FUZZ_CHECK(vb_utf8_valid(r, out_len), "vb_mojibake_repair: output is not valid UTF-8");
    FUZZ_CHECK(repaired <= vb_utf8_length(s, n), "vb_mojibake_repair: %zu repairs in %zu code points", repaired,
               vb_utf8_length(s, n));
    if (repaired == 0)
        FUZZ_CHECK(out_len == n && memcmp(r, s, n) == 0, "vb_mojibake_repair changed the text with no repair");
    else
        FUZZ_CHECK(out_len < n, "vb_mojibake_repair: %zu repairs but %zu bytes from %zu", repaired, out_len, n);
    free(r);

    /* vb_fold and vb_slug take C strings: the text up to its first NUL. */
    check_fold(s);
    check_slug(s);
    free(s);
    return 0;
}
