/* text.c - UTF-8 text: validation, decoding, folding, slugs, mojibake repair.
 *
 * Folding is deliberately small: ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic cover the French and English corpora this serves. Anything else
 * folds to itself, which keeps matching exact rather than wrong. */
#include "verbatim/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

uint32_t vb_utf8_next_wide(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t at = *i;
    unsigned char c = u[at];
    uint32_t cp, min;
    size_t len;

    if (c < 0x80) { *i = at + 1; return c; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else goto invalid;
    if (at + len > n) goto invalid;
    for (size_t k = 1; k < len; k++) {
        if ((u[at + k] & 0xC0) != 0x80) goto invalid;
        cp = (cp << 6) | (u[at + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto invalid;
    *i = at + len;
    return cp;
invalid:
    *i = at + 1;
    return 0xFFFD;
}

size_t vb_utf8_put(char *out, uint32_t cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t vb_ascii_run(const char *s, size_t n)
{
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL) break;
    }
    while (i < n && (unsigned char)s[i] < 0x80) i++;
    return i;
}

bool vb_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        i += vb_ascii_run(s + i, n - i);
        if (i == n) break;
        size_t at = i;
        uint32_t cp = vb_utf8_next(s, n, &i);
        /* U+FFFD decoded from its own 3 bytes is fine; from one byte it is not. */
        if (cp == 0xFFFD && i - at == 1) return false;
    }
    return true;
}

void vb_utf8_escape_invalid(char *s, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), i = 0, len = 0;
    char *copy = malloc(n + 1);
    if (!copy) { s[0] = '\0'; return; }
    memcpy(copy, s, n + 1);
    while (i < n) {
        size_t at = i;
        uint32_t cp = vb_utf8_next(copy, n, &i);
        bool bad = cp == 0xFFFD && i - at == 1;
        size_t need = bad ? 3 : i - at;
        if (len + need + 1 > size) break;
        if (bad) {
            s[len++] = '%';
            s[len++] = hex[(unsigned char)copy[at] >> 4];
            s[len++] = hex[(unsigned char)copy[at] & 15];
        } else {
            memcpy(s + len, copy + at, need);
            len += need;
        }
    }
    s[len] = '\0';
    free(copy);
}

size_t vb_utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
    return count;
}

uint32_t *vb_utf8_decode(const char *s, size_t n, size_t *out_len)
{
    uint32_t *cp = malloc((n + 1) * sizeof *cp);
    size_t i = 0, k = 0;
    if (!cp) return NULL;
    const unsigned char *u = (const unsigned char *)s;
    while (i < n) {
        uint64_t w;
        if (i + 8 <= n && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ULL))) {
            for (size_t j = 0; j < 8; j++) cp[k + j] = u[i + j]; /* eight ASCII bytes, unrolled */
            k += 8;
            i += 8;
        } else {
            cp[k++] = vb_utf8_next(s, n, &i);
        }
    }
    cp[k] = 0;
    *out_len = k;
    return cp;
}

char *vb_utf8_encode(const uint32_t *cp, size_t n)
{
    char *out = malloc(n * 4 + 1);
    size_t len = 0;
    if (!out) return NULL;
    for (size_t k = 0; k < n; k++) len += vb_utf8_put(out + len, cp[k]);
    out[len] = '\0';
    return out;
}

/* Base letters of U+00C0..U+00FF and U+0100..U+017F; '*' marks the ones that
 * fold to two letters or to themselves, handled in vb_fold_cp. */
static const char latin1_base[] = "aaaaaa*ceeeeiiiidnooooo*ouuuuy**aaaaaa*ceeeeiiiidnooooo*ouuuuy*y";
static const char latin_ext_a_base[] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllll"
    "lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
_Static_assert(sizeof latin1_base == 65 && sizeof latin_ext_a_base == 129, "one letter per code point");

size_t vb_fold_cp(uint32_t cp, uint32_t out[2])
{
    if (cp < 0x80) {
        out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
        return 1;
    }
    switch (cp) {
    case 0x00C6: case 0x00E6: out[0] = 'a'; out[1] = 'e'; return 2;
    case 0x0152: case 0x0153: out[0] = 'o'; out[1] = 'e'; return 2;
    case 0x00DF: out[0] = 's'; out[1] = 's'; return 2;
    case 0x00DE: case 0x00FE: out[0] = 't'; out[1] = 'h'; return 2;
    case 0x2019: case 0x2018: case 0x02BC: case 0x0060: case 0x00B4: out[0] = '\''; return 1;
    case 0x00A0: case 0x202F: case 0x2009: out[0] = ' '; return 1;
    default: break;
    }
    if (cp >= 0xC0 && cp <= 0xFF && latin1_base[cp - 0xC0] != '*') {
        out[0] = (uint32_t)latin1_base[cp - 0xC0];
        return 1;
    }
    if (cp >= 0x100 && cp <= 0x17F && latin_ext_a_base[cp - 0x100] != '*') {
        out[0] = (uint32_t)latin_ext_a_base[cp - 0x100];
        return 1;
    }
    if (cp >= 0x300 && cp <= 0x36F) return 0; /* combining accents */
    if (cp >= 0x391 && cp <= 0x3A9) { out[0] = cp + 0x20; return 1; }
    if (cp >= 0x410 && cp <= 0x42F) { out[0] = cp + 0x20; return 1; }
    if (cp >= 0x400 && cp <= 0x40F) { out[0] = cp + 0x50; return 1; }
    out[0] = cp;
    return 1;
}

bool vb_is_space_wide(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0x00A0 || cp == 0x202F || cp == 0x2009 || cp == 0x2007 || cp == 0x200A ||
           cp == 0x2002 || cp == 0x2003 || cp == 0x3000 || cp == 0x0085;
}

bool vb_is_alnum_wide(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp == 0xD7 || cp == 0xF7) return false;
    if (cp >= 0xC0 && cp <= 0x24F) return true;           /* Latin */
    if (cp == 0xAA || cp == 0xBA || cp == 0xB5) return true;
    if (cp >= 0x370 && cp <= 0x3FF && cp != 0x37E && cp != 0x387) return true; /* Greek */
    if (cp >= 0x400 && cp <= 0x52F) return true;          /* Cyrillic */
    if (cp >= 0x300 && cp <= 0x36F) return true;          /* combining marks join words */
    if (cp >= 0x1E00 && cp <= 0x1EFF) return true;        /* Latin Extended Additional */
    if (cp >= 0x4E00 && cp <= 0x9FFF) return true;        /* CJK */
    return false;
}

bool vb_is_upper_wide(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z') return true;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return true;
    if (cp >= 0x100 && cp <= 0x17F) {
        uint32_t f[2];
        /* In Latin Extended-A, capitals sit at even code points except
         * U+0139..U+0148 and U+0179..U+017E, where they are odd. */
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return (cp & 1) == 1;
        (void)f;
        return (cp & 1) == 0 && cp != 0x138;
    }
    if (cp >= 0x391 && cp <= 0x3A9) return true;
    if (cp >= 0x400 && cp <= 0x42F) return true;
    return false;
}

char *vb_fold(const char *s)
{
    size_t n = strlen(s), i = 0, len = 0;
    char *out = malloc(n * 3 + 1); /* an invalid byte folds to U+FFFD: 3 bytes for 1 */
    bool pending_space = false;
    if (!out) return NULL;
    while (i < n) {
        uint32_t f[2], cp = vb_utf8_next(s, n, &i);
        size_t k = vb_fold_cp(cp, f);
        for (size_t j = 0; j < k; j++) {
            if (vb_is_space(f[j])) { pending_space = len > 0; continue; }
            if (pending_space) { out[len++] = ' '; pending_space = false; }
            len += vb_utf8_put(out + len, f[j]);
        }
    }
    out[len] = '\0';
    return out;
}

char *vb_slug(const char *s)
{
    char *folded = vb_fold(s), *out;
    size_t len = 0;
    bool dash = false;
    if (!folded) return NULL;
    out = malloc(strlen(folded) + 1);
    if (!out) { free(folded); return NULL; }
    for (const char *p = folded; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && len > 0) out[len++] = '-';
            dash = false;
            out[len++] = (char)c;
        } else {
            dash = true;
        }
    }
    out[len] = '\0';
    free(folded);
    return out;
}

static const unsigned char ascii_alnum[128] = {['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1};

/* High bit of each byte of w (all ASCII) that lies in [lo, hi]. */
static inline uint64_t bytes_within(uint64_t w, unsigned lo, unsigned hi)
{
    const uint64_t ones = 0x0101010101010101ULL;
    return (w + ones * (128 - lo)) & ~(w + ones * (127 - hi)) & 0x8080808080808080ULL;
}

bool vb_has_digit(const char *s, size_t n)
{
    size_t i = 0;
    for (uint64_t w; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL) { /* bytes_within holds for ASCII bytes only */
            for (size_t j = i; j < i + 8; j++)
                if (s[j] >= '0' && s[j] <= '9') return true;
        } else if (bytes_within(w, '0', '9')) {
            return true;
        }
    }
    for (; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9') return true;
    return false;
}

size_t vb_word_count(const char *s, size_t n)
{
    size_t i = 0, words = 0;
    unsigned in_word = 0;
    while (i < n) {
        uint64_t w;
        if (i + 8 <= n) {
            /* the ASCII bytes among the next eight, at once: a word starts at
             * each letter or digit that follows anything else */
            memcpy(&w, s + i, 8);
            uint64_t high = w & 0x8080808080808080ULL;
            unsigned ascii = high ? (unsigned)__builtin_ctzll(high) >> 3 : 8;
            if (ascii > 0) {
                uint64_t keep = ascii == 8 ? ~0ULL : (1ULL << 8 * ascii) - 1; /* carries only go up: the rest is cut */
                uint64_t alnum = (bytes_within(w, '0', '9') | bytes_within(w | 0x2020202020202020ULL, 'a', 'z')) & keep;
                uint64_t starts = alnum & ~(alnum << 8 | (uint64_t)in_word << 7);
                words += (size_t)((starts >> 7) * 0x0101010101010101ULL >> 56); /* one bit per byte: their sum */
                in_word = (unsigned)(alnum >> (8 * ascii - 1)) & 1;
                i += ascii;
                continue;
            }
        }
        unsigned char c = (unsigned char)s[i];
        unsigned a;
        if (c < 0x80) { a = ascii_alnum[c]; i++; }
        else a = vb_is_alnum(vb_utf8_next(s, n, &i));
        words += a & ~in_word;
        in_word = a;
    }
    return words;
}

/* ---- mojibake ------------------------------------------------------------ */

/* Code points of bytes 0x80..0xFF in Windows-1252 and Windows-1250 (0: none). */
static const uint16_t cp1252_high[128] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    0x00A0, 0x00A1, 0x00A2, 0x00A3, 0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00BD, 0x00BE, 0x00BF,
    0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
    0x00D0, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00D7, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
    0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
    0x00F0, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x00F7, 0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x00FF};
static const uint16_t cp1250_high[128] = {
    0x20AC, 0, 0x201A, 0, 0x201E, 0x2026, 0x2020, 0x2021, 0, 0x2030, 0x0160, 0x2039, 0x015A, 0x0164, 0x017D, 0x0179,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0, 0x2122, 0x0161, 0x203A, 0x015B, 0x0165, 0x017E, 0x017A,
    0x00A0, 0x02C7, 0x02D8, 0x0141, 0x00A4, 0x0104, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x015E, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x017B,
    0x00B0, 0x00B1, 0x02DB, 0x0142, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x0105, 0x015F, 0x00BB, 0x013D, 0x02DD, 0x013E, 0x017C,
    0x0154, 0x00C1, 0x00C2, 0x0102, 0x00C4, 0x0139, 0x0106, 0x00C7, 0x010C, 0x00C9, 0x0118, 0x00CB, 0x011A, 0x00CD, 0x00CE, 0x010E,
    0x0110, 0x0143, 0x0147, 0x00D3, 0x00D4, 0x0150, 0x00D6, 0x00D7, 0x0158, 0x016E, 0x00DA, 0x0170, 0x00DC, 0x00DD, 0x0162, 0x00DF,
    0x0155, 0x00E1, 0x00E2, 0x0103, 0x00E4, 0x013A, 0x0107, 0x00E7, 0x010D, 0x00E9, 0x0119, 0x00EB, 0x011B, 0x00ED, 0x00EE, 0x010F,
    0x0111, 0x0144, 0x0148, 0x00F3, 0x00F4, 0x0151, 0x00F6, 0x00F7, 0x0159, 0x016F, 0x00FA, 0x0171, 0x00FC, 0x00FD, 0x0163, 0x02D9};

/* Inverse tables, code point -> byte, for the code points the two code
 * pages use (all below U+2200), built once. 0: no byte. */
#define INVERSE_SIZE 0x2200
static uint8_t inverse_1252[INVERSE_SIZE], inverse_1250[INVERSE_SIZE];
static pthread_once_t inverse_once = PTHREAD_ONCE_INIT;

static void build_inverse(void)
{
    for (uint32_t cp = 0x80; cp <= 0xFF; cp++) {
        /* Latin-1 fills the holes, as browsers and Python do. */
        inverse_1252[cp] = (uint8_t)cp;
        if (cp <= 0x9F && cp1250_high[cp - 0x80] == 0) inverse_1250[cp] = (uint8_t)cp;
    }
    for (int b = 0; b < 128; b++) {
        if (cp1252_high[b]) inverse_1252[cp1252_high[b]] = (uint8_t)(0x80 + b);
        if (cp1250_high[b]) inverse_1250[cp1250_high[b]] = (uint8_t)(0x80 + b);
    }
}

/* The byte that code point cp came from if the text was decoded with table;
 * -1 if none. */
static int byte_of(uint32_t cp, const uint16_t *table)
{
    if (cp < 0x80) return (int)cp;
    if (cp >= INVERSE_SIZE) return -1;
    uint8_t b = table == cp1252_high ? inverse_1252[cp] : inverse_1250[cp];
    return b ? b : -1;
}

/* Code points that mojibake repair may produce: what real text is made of. */
static bool plausible(uint32_t cp)
{
    return (cp >= 0xA0 && cp <= 0x17F) || (cp >= 0x370 && cp <= 0x4FF) ||
           (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2010 && cp <= 0x206F) ||
           cp == 0x20AC || cp == 0x2122 || cp == 0x0192 || cp == 0x02C6 || cp == 0x02DC;
}

/* Tries to read one mojibake'd UTF-8 sequence at cp[i] under table; returns
 * the code point and sets *used to the code points consumed, or 0. */
static uint32_t try_repair(const uint32_t *cp, size_t n, size_t i, const uint16_t *table, size_t *used)
{
    int b0 = byte_of(cp[i], table);
    size_t len;
    char bytes[4];
    size_t at = 0;
    uint32_t out;
    if (b0 < 0xC2 || b0 > 0xF4) return 0;
    len = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    if (i + len > n) return 0;
    bytes[0] = (char)b0;
    for (size_t k = 1; k < len; k++) {
        int b = byte_of(cp[i + k], table);
        if (b < 0x80 || b > 0xBF) return 0;
        bytes[k] = (char)b;
    }
    out = vb_utf8_next(bytes, len, &at);
    if (at != len || out == 0xFFFD || !plausible(out)) return 0;
    *used = len;
    return out;
}

/* Mojibake always puts side by side a character that stands for a UTF-8
 * lead byte (Ã, Â, Ă, ...) and one that stands for a continuation byte (©,
 * », €, ™, ...); text without such a pair has nothing to repair, which is
 * most text. */
static bool lead_like(uint32_t cp) { return (cp >= 0xC2 && cp <= 0xF4) || (cp >= 0x100 && cp <= 0x17F); }

static bool continuation_like(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x100 && cp <= 0x17F) || (cp >= 0x2C6 && cp <= 0x2DD) ||
           (cp >= 0x2013 && cp <= 0x203A) || cp == 0x20AC || cp == 0x2122 || cp == 0x192;
}

static bool may_hold_mojibake(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t prev = 0;
    while (i < n) {
        /* a pair needs two code points over 0x7F: ASCII only ends one */
        if ((unsigned char)s[i] < 0x80) { prev = 0; i += vb_ascii_run(s + i, n - i); continue; }
        uint32_t cp = vb_utf8_next(s, n, &i);
        if (lead_like(prev) && continuation_like(cp)) return true;
        prev = cp;
    }
    return false;
}

char *vb_mojibake_repair(const char *s, size_t n, size_t *out_len, size_t *repaired)
{
    if (!may_hold_mojibake(s, n)) {
        char *copy = malloc(n + 1);
        if (!copy) return NULL;
        memcpy(copy, s, n);
        copy[n] = '\0';
        *out_len = n;
        if (repaired) *repaired = 0;
        return copy;
    }
    pthread_once(&inverse_once, build_inverse);
    size_t count = 0, len = 0, fixed = 0;
    uint32_t *cp = vb_utf8_decode(s, n, &count);
    char *out;
    if (!cp) return NULL;
    out = malloc(count * 4 + 1);
    if (!out) { free(cp); return NULL; }
    for (size_t i = 0; i < count;) {
        size_t used_w = 0, used_c = 0;
        uint32_t w = cp[i] >= 0x80 ? try_repair(cp, count, i, cp1252_high, &used_w) : 0;
        uint32_t c = cp[i] >= 0x80 ? try_repair(cp, count, i, cp1250_high, &used_c) : 0;
        if (w && c && (w != c || used_w != used_c)) w = c = 0; /* ambiguous: keep */
        if (w || c) {
            len += vb_utf8_put(out + len, w ? w : c);
            i += w ? used_w : used_c;
            fixed++;
            continue;
        }
        len += vb_utf8_put(out + len, cp[i]);
        i++;
    }
    out[len] = '\0';
    free(cp);
    *out_len = len;
    if (repaired) *repaired = fixed;
    return out;
}
