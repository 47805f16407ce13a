/* text.h - UTF-8 text: validation, decoding, folding, slugs, mojibake repair.
 *
 * Pure functions, no I/O. Strings are UTF-8 unless a name says "cp" (an array
 * of Unicode code points). Functions returning char * return a new malloc'd,
 * NUL-terminated string owned by the caller, or NULL when out of memory. */
#ifndef VERBATIM_TEXT_H
#define VERBATIM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s[*i] (n bytes in all) and advances *i. Invalid
 * or truncated sequences decode as U+FFFD and advance by one byte. ASCII,
 * most of any text, is decoded inline. */
uint32_t vb_utf8_next_wide(const char *s, size_t n, size_t *i);

static inline uint32_t vb_utf8_next(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) { ++*i; return c; }
    return vb_utf8_next_wide(s, n, i);
}

/* Length of the run of ASCII bytes at the start of s[0..n): news text is
 * mostly ASCII, and a run is checked eight bytes at a time. */
size_t vb_ascii_run(const char *s, size_t n);

/* Appends the UTF-8 form of cp to out (at least 4 bytes free); returns the
 * number of bytes written. */
size_t vb_utf8_put(char *out, uint32_t cp);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool vb_utf8_valid(const char *s, size_t n);

/* Rewrites, in place, every byte of s (NUL-terminated, in a buffer of size
 * bytes) that is not part of valid UTF-8 as "%XX": a message that quotes
 * what a client sent stays valid UTF-8 and still names the value. Cut at a
 * character boundary if it no longer fits. */
void vb_utf8_escape_invalid(char *s, size_t size);

/* Number of code points in s[0..n) (s must be valid UTF-8). */
size_t vb_utf8_length(const char *s, size_t n);

/* Decodes s[0..n) to a new array of code points; *out_len gets its length.
 * Returns NULL when out of memory. */
uint32_t *vb_utf8_decode(const char *s, size_t n, size_t *out_len);

/* Encodes cp[0..n) as a new NUL-terminated UTF-8 string. */
char *vb_utf8_encode(const uint32_t *cp, size_t n);

/* Folds one code point for matching: lowercase, accents removed, typographic
 * apostrophes as '. Writes 1 or 2 code points (œ -> o e) to out, returns how
 * many. */
size_t vb_fold_cp(uint32_t cp, uint32_t out[2]);

/* Folded copy of s: case, accents, apostrophes folded, runs of white space
 * as one space, trimmed. */
char *vb_fold(const char *s);

/* Slug of s: folded, ASCII letters and digits kept, every other run as one
 * '-', no '-' at either end ("Nicole Ozer" -> "nicole-ozer"). */
char *vb_slug(const char *s);

/* Letters and digits, any script (an approximation good for Latin, Greek and
 * Cyrillic text, the scripts of our corpora). The ASCII cases are inline:
 * they are most of any text. */
bool vb_is_alnum_wide(uint32_t cp);
bool vb_is_upper_wide(uint32_t cp);
bool vb_is_space_wide(uint32_t cp);

static inline bool vb_is_alnum(uint32_t cp)
{
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return vb_is_alnum_wide(cp);
}

static inline bool vb_is_upper(uint32_t cp)
{
    if (cp < 0x80) return cp >= 'A' && cp <= 'Z';
    return vb_is_upper_wide(cp);
}

static inline bool vb_is_space(uint32_t cp)
{
    if (cp < 0x80) return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return vb_is_space_wide(cp);
}

/* Repairs mojibake: UTF-8 text that was decoded as Latin-1, Windows-1252 or
 * Windows-1250 and encoded again ("Ã©", "Ă©", "â€™" for "é", "é", "’").
 * A run is repaired only where its bytes form valid UTF-8 in exactly one way;
 * everything else is kept. Returns a new string of *out_len bytes, and sets
 * *repaired to the number of sequences repaired. */
char *vb_mojibake_repair(const char *s, size_t n, size_t *out_len, size_t *repaired);

/* Number of "words" (runs of letters and digits) in s. */
size_t vb_word_count(const char *s, size_t n);

/* Does s hold an ASCII digit? */
bool vb_has_digit(const char *s, size_t n);

#endif
