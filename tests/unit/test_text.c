/* test_text.c - unit tests for text.h: UTF-8 validation and length, folding,
 * slugs, mojibake repair, word counts. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verbatim/text.h"

#define VALID(lit) vb_utf8_valid((lit), sizeof(lit) - 1)

/* ---- vb_utf8_valid ------------------------------------------------------- */

static void utf8_valid_accepts_well_formed(void **state)
{
    (void)state;
    assert_true(vb_utf8_valid("", 0));
    assert_true(VALID("plain ASCII"));
    assert_true(VALID("S\xC3\xA9" "curit\xC3\xA9"));          /* Sécurité */
    assert_true(VALID("\xE2\x80\x99"));                        /* ’ */
    assert_true(VALID("\xC2\xAB\xC2\xA0" "x" "\xC2\xA0\xC2\xBB")); /* « x » with no-break spaces */
    assert_true(VALID("\xF0\x9F\x98\x80"));                    /* U+1F600 */
    assert_true(VALID("\xF4\x8F\xBF\xBF"));                    /* U+10FFFF, the last code point */
    assert_true(VALID("\xEF\xBF\xBD"));                        /* U+FFFD itself is a real character */
    assert_true(VALID("\xED\x9F\xBF"));                        /* U+D7FF, just below the surrogates */
    assert_true(VALID("\xEE\x80\x80"));                        /* U+E000, just above them */
    assert_true(VALID("\xC2\x80"));                            /* U+0080, smallest 2-byte form */
    assert_true(VALID("\xE0\xA0\x80"));                        /* U+0800, smallest 3-byte form */
    assert_true(VALID("\xF0\x90\x80\x80"));                    /* U+10000, smallest 4-byte form */
}

static void utf8_valid_rejects_overlongs(void **state)
{
    (void)state;
    assert_false(VALID("\xC0\x80"));             /* NUL, overlong */
    assert_false(VALID("\xC0\xAF"));             /* '/', overlong */
    assert_false(VALID("\xC1\xBF"));
    assert_false(VALID("\xE0\x80\xAF"));         /* '/', 3-byte overlong */
    assert_false(VALID("\xE0\x9F\xBF"));         /* U+07FF in 3 bytes */
    assert_false(VALID("\xF0\x80\x80\xAF"));     /* '/', 4-byte overlong */
    assert_false(VALID("\xF0\x8F\xBF\xBF"));     /* U+FFFF in 4 bytes */
}

static void utf8_valid_rejects_surrogates_and_out_of_range(void **state)
{
    (void)state;
    assert_false(VALID("\xED\xA0\x80"));         /* U+D800 */
    assert_false(VALID("\xED\xBF\xBF"));         /* U+DFFF */
    assert_false(VALID("\xED\xA0\xBD\xED\xB8\x80")); /* a CESU-8 surrogate pair */
    assert_false(VALID("\xF4\x90\x80\x80"));     /* U+110000 */
    assert_false(VALID("\xF5\x80\x80\x80"));
    assert_false(VALID("\xFE"));
    assert_false(VALID("\xFF"));
}

static void utf8_valid_rejects_truncated_and_stray(void **state)
{
    (void)state;
    assert_false(VALID("\xC3"));                 /* lead byte, then the end */
    assert_false(VALID("abc\xC3"));
    assert_false(VALID("\xE2\x80"));             /* ’ cut short */
    assert_false(VALID("\xF0\x9F\x98"));
    assert_false(VALID("\xE2\x80x"));            /* continuation replaced by ASCII */
    assert_false(VALID("\x80"));                 /* stray continuation */
    assert_false(VALID("a\xBF" "b"));
    assert_false(VALID("caf\xE9"));              /* Latin-1 é */
    /* n bounds the check: the same bytes are valid up to the cut, not past it. */
    const char *s = "\xC3\xA9\xC3\xA9";
    assert_true(vb_utf8_valid(s, 4));
    assert_true(vb_utf8_valid(s, 2));
    assert_false(vb_utf8_valid(s, 3));
}

/* ---- vb_utf8_length, decode, encode -------------------------------------- */

static void utf8_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(vb_utf8_length("", 0), 0);
    assert_int_equal(vb_utf8_length("abc", 3), 3);
    const char *s = "S\xC3\xA9" "curit\xC3\xA9"; /* Sécurité: 8 code points, 10 bytes */
    assert_int_equal(strlen(s), 10);
    assert_int_equal(vb_utf8_length(s, strlen(s)), 8);
    const char *q = "\xC2\xAB\xC2\xA0" "a" "\xE2\x80\x99" "b" "\xC2\xA0\xC2\xBB" "\xF0\x9F\x98\x80"; /* « a’b » 😀 */
    assert_int_equal(vb_utf8_length(q, strlen(q)), 8);
}

static void utf8_decode_encode_round_trip(void **state)
{
    (void)state;
    const char *s = "\xC2\xAB l\xE2\x80\x99\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 \xC2\xBB";
    size_t n = 0;
    uint32_t *cp = vb_utf8_decode(s, strlen(s), &n);
    assert_non_null(cp);
    assert_int_equal(n, vb_utf8_length(s, strlen(s)));
    assert_int_equal(cp[0], 0xAB);
    assert_int_equal(cp[3], 0x2019);
    assert_int_equal(cp[4], 0xE9);
    assert_int_equal(cp[8], 0x1F600);
    char *back = vb_utf8_encode(cp, n);
    assert_non_null(back);
    assert_string_equal(back, s);
    free(back);
    free(cp);
}

static void utf8_next_invalid_advances_one_byte(void **state)
{
    (void)state;
    const char *s = "\xE2\x80" "a";
    size_t i = 0;
    assert_int_equal(vb_utf8_next(s, 3, &i), 0xFFFD);
    assert_int_equal(i, 1);
    assert_int_equal(vb_utf8_next(s, 3, &i), 0xFFFD);
    assert_int_equal(i, 2);
    assert_int_equal(vb_utf8_next(s, 3, &i), 'a');
    assert_int_equal(i, 3);
}

/* ---- vb_fold ------------------------------------------------------------- */

static void expect_fold(const char *in, const char *want)
{
    char *got = vb_fold(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void fold_case_and_accents(void **state)
{
    (void)state;
    expect_fold("S\xC3\xA9" "curit\xC3\xA9", "securite");     /* Sécurité */
    expect_fold("OZER", "ozer");
    expect_fold("\xC3\x89TATS-UNIS", "etats-unis");           /* ÉTATS-UNIS */
    expect_fold("\xC3\x80 l\xC3\xA0 o\xC3\xB9 \xC3\xA7\xC3\xA0", "a la ou ca"); /* À là où çà */
    expect_fold("No\xC3\xABl \xC3\x8Ele", "noel ile");        /* Noël Île */
    expect_fold("P\xC3\xA9" "chenard", "pechenard");
    expect_fold("\xC5\x81\xC3\xB3" "d\xC5\xBA", "lodz");      /* Łódź */
    expect_fold("\xC4\x8C" "apek", "capek");                  /* Čapek */
    expect_fold("e\xCC\x81t\xC3\xA9", "ete");                 /* combining acute dropped */
}

static void fold_ligatures(void **state)
{
    (void)state;
    expect_fold("\xC5\x93uvre", "oeuvre");                    /* œuvre */
    expect_fold("\xC5\x92UVRE", "oeuvre");                    /* ŒUVRE */
    expect_fold("c\xC5\x93ur", "coeur");
    expect_fold("\xC3\x86sop", "aesop");                      /* Æsop */
    expect_fold("Stra\xC3\x9F" "e", "strasse");               /* Straße */
}

static void fold_apostrophes(void **state)
{
    (void)state;
    expect_fold("l\xE2\x80\x99" "ACLU", "l'aclu");            /* ’ */
    expect_fold("l\xE2\x80\x98" "a", "l'a");                  /* ‘ */
    expect_fold("l'ACLU", "l'aclu");
    expect_fold("aujourd\xCA\xBC" "hui", "aujourd'hui");      /* U+02BC */
}

static void fold_white_space(void **state)
{
    (void)state;
    expect_fold("  Nicole   Ozer  ", "nicole ozer");
    expect_fold("a\t\n\r b", "a b");
    expect_fold("a\xC2\xA0" "b", "a b");                      /* no-break space */
    expect_fold("a\xE2\x80\xAF" "b", "a b");                  /* narrow no-break space */
    expect_fold("a\xE2\x80\x89" "b", "a b");                  /* thin space */
    expect_fold("\xC2\xAB\xC2\xA0" "Oui\xC2\xA0\xC2\xBB", "\xC2\xAB oui \xC2\xBB");
    expect_fold("\xC2\xA0\xC2\xA0 x \xE2\x80\xAF", "x");
    expect_fold("", "");
    expect_fold(" \t\n", "");
}

static void fold_other_scripts(void **state)
{
    (void)state;
    expect_fold("\xCE\x91\xCE\x98\xCE\x97\xCE\x9D\xCE\x91", "\xCE\xB1\xCE\xB8\xCE\xB7\xCE\xBD\xCE\xB1"); /* ΑΘΗΝΑ */
    expect_fold("\xD0\x9C\xD0\x9E\xD0\xA1\xD0\x9A\xD0\x92\xD0\x90", "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"); /* МОСКВА */
    expect_fold("\xD0\x81", "\xD1\x91");                      /* Ё -> ё */
    expect_fold("\xE5\x8C\x97\xE4\xBA\xAC", "\xE5\x8C\x97\xE4\xBA\xAC"); /* CJK folds to itself */
}

static void fold_cp_counts(void **state)
{
    (void)state;
    uint32_t out[2];
    assert_int_equal(vb_fold_cp('A', out), 1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(vb_fold_cp(0x0153, out), 2); /* œ */
    assert_int_equal(out[0], 'o');
    assert_int_equal(out[1], 'e');
    assert_int_equal(vb_fold_cp(0x2019, out), 1);
    assert_int_equal(out[0], '\'');
    assert_int_equal(vb_fold_cp(0x0301, out), 0); /* combining acute */
}

/* ---- vb_slug ------------------------------------------------------------- */

static void expect_slug(const char *in, const char *want)
{
    char *got = vb_slug(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void slug_examples(void **state)
{
    (void)state;
    expect_slug("Nicole Ozer", "nicole-ozer");
    expect_slug("L'ACLU (Californie)", "l-aclu-californie");
    expect_slug("  \xC3\x89  ", "e");                         /* "  É  " */
    expect_slug("Fr\xC3\xA9" "d\xC3\xA9ric P\xC3\xA9" "chenard", "frederic-pechenard");
    expect_slug("l\xE2\x80\x99" "\xC3\x89tat", "l-etat");     /* l’État */
    expect_slug("Amazon.com", "amazon-com");
    expect_slug("--Jean--Pierre--", "jean-pierre");
    expect_slug("G7 2019", "g7-2019");
    expect_slug("\xC5\x92uvre", "oeuvre");
    expect_slug("", "");
    expect_slug("!!! ???", "");
}

/* ---- vb_mojibake_repair -------------------------------------------------- */

static void expect_repair(const char *in, const char *want, size_t want_count)
{
    size_t len = 12345, count = 12345;
    char *got = vb_mojibake_repair(in, strlen(in), &len, &count);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    assert_int_equal(count, want_count);
    free(got);
}

static void mojibake_latin1_and_cp1252(void **state)
{
    (void)state;
    expect_repair("S\xC3\x83\xC2\xA9" "curit\xC3\x83\xC2\xA9", "S\xC3\xA9" "curit\xC3\xA9", 2); /* SÃ©curitÃ© */
    expect_repair("\xC3\x83\xC2\xA9", "\xC3\xA9", 1);                                           /* Ã© -> é */
    expect_repair("l\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2" "ACLU", "l\xE2\x80\x99" "ACLU", 1);       /* â€™ -> ’ */
    expect_repair("\xC3\x82\xC2\xBB", "\xC2\xBB", 1);                                           /* Â» -> » */
    expect_repair("\xC3\x82\xC2\xAB\xC3\x82\xC2\xA0" "Oui", "\xC2\xAB\xC2\xA0" "Oui", 2);       /* Â«Â  */
    expect_repair("\xC3\xA2\xE2\x82\xAC\xC5\x93" "x" "\xC3\xA2\xE2\x82\xAC\xC2\x9D",
                  "\xE2\x80\x9C" "x" "\xE2\x80\x9D", 2);                                        /* â€œxâ€\x9d -> “x” */
    expect_repair("\xC3\x85\xE2\x80\x9C" "uvre", "\xC5\x93uvre", 1);                            /* Å“uvre -> œuvre */
}

static void mojibake_cp1250(void **state)
{
    (void)state;
    expect_repair("\xC4\x82\xC2\xA9", "\xC3\xA9", 1);                                           /* Ă© -> é */
    expect_repair("Ev\xC4\x82\xC2\xA9nement", "Ev\xC3\xA9nement", 1);
    expect_repair("\xC4\xB9\xCB\x87" "koda", "\xC5\xA1koda", 1);                                  /* Ĺˇkoda -> škoda */
    expect_repair("\xC4\xB9\xE2\x80\x9A\xC3\xB3" "d\xC5\xBA", "\xC5\x82\xC3\xB3" "d\xC5\xBA", 1); /* Ĺ‚ódź -> łódź */
}

/* Latin-1 decoding turns bytes 0x80..0x9F into C1 controls (U+0080..U+009F),
 * where Windows-1252 has letters and punctuation. */
static void mojibake_latin1_controls(void **state)
{
    (void)state;
    expect_repair("\xC3\x83\xC2\x89" "tat", "\xC3\x89" "tat", 1);                 /* Ã U+0089 -> É */
    expect_repair("l\xC3\xA2\xC2\x80\xC2\x99" "ACLU", "l\xE2\x80\x99" "ACLU", 1); /* â U+0080 U+0099 -> ’ */
}

static void mojibake_leaves_clean_text(void **state)
{
    (void)state;
    const char *clean[] = {
        "",
        "plain ASCII text",
        "S\xC3\xA9" "curit\xC3\xA9 et libert\xC3\xA9s",
        "\xC2\xAB\xC2\xA0Nous pr\xC3\xB4nons\xC2\xA0\xC2\xBB, a indiqu\xC3\xA9 l\xE2\x80\x99" "entreprise.",
        "\xC3\x89\xC2\xA0" "la une",                   /* a real É followed by a no-break space */
        "\xC3\x89\xC2\xBB",                            /* É» */
        "\xC3\x80\xC2\xA0" "Paris",                    /* À + no-break space */
        "S\xC3\xA3o Paulo, NA\xC3\x83O",               /* São, NÃO */
        "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1 \xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
        "\xF0\x9F\x98\x80 emoji",
        "co\xC3\xBBt \xE2\x82\xAC 20",                 /* coût € 20 */
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) expect_repair(clean[i], clean[i], 0);
}

static void mojibake_mixed_text(void **state)
{
    (void)state;
    /* One repaired run next to correct text, counted once each. */
    expect_repair("d\xC3\xA9j\xC3\xA0 l\xC3\x83\xC2\xA0 et l\xC3\xA0", "d\xC3\xA9j\xC3\xA0 l\xC3\xA0 et l\xC3\xA0", 1);
    size_t len = 0;
    char *got = vb_mojibake_repair("\xC3\x83\xC2\xA9t\xC3\x83\xC2\xA9", 9, &len, NULL); /* repaired may be NULL */
    assert_non_null(got);
    assert_string_equal(got, "\xC3\xA9t\xC3\xA9");
    free(got);
}

/* ---- vb_word_count ------------------------------------------------------- */

static void word_count_examples(void **state)
{
    (void)state;
    assert_int_equal(vb_word_count("", 0), 0);
    assert_int_equal(vb_word_count("   ", 3), 0);
    assert_int_equal(vb_word_count("one", 3), 1);
    const char *s = "Nicole Ozer, directrice de l\xE2\x80\x99" "ACLU.";
    assert_int_equal(vb_word_count(s, strlen(s)), 6); /* Nicole Ozer directrice de l ACLU */
    const char *t = "\xC2\xAB\xC2\xA0" "S\xC3\xA9" "curit\xC3\xA9\xC2\xA0\xC2\xBB en 2020 !";
    assert_int_equal(vb_word_count(t, strlen(t)), 3);
    const char *u = "porte-parole";
    assert_int_equal(vb_word_count(u, strlen(u)), 2);
    const char *v = "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 \xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1";
    assert_int_equal(vb_word_count(v, strlen(v)), 2);
    /* n bounds the count */
    assert_int_equal(vb_word_count("one two three", 7), 2);
}

/* ---- the fast paths against plain ones -------------------------------------
 *
 * Word counts, ASCII runs and decoding take eight bytes at a time where
 * they can; random mixes of ASCII, accented letters, marks, spaces and
 * invalid bytes, cut at every length, must give what a code point at a time
 * gives. */

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static size_t random_text(char *out, size_t max)
{
    static const char *const pieces[] = {"a", "Z", "7", " ", "  ", "\n", "-", "'", ",", "\xC3\xA9", "\xC3\x89",
                                         "\xE2\x80\x99", "\xC2\xAB", "\xC2\xA0", "\xCE\xB1", "\xE4\xB8\xAD",
                                         "\xF0\x9F\x98\x80", "\xFF", "\x80", "\xC3", "word", "Mot", "x1y2",
                                         "9", "/", "\xC2\xB0" /* a byte whose carry could hide a digit after it */};
    size_t n = 0;
    while (n < max - 8) {
        const char *p = pieces[rng() % (sizeof pieces / sizeof *pieces)];
        size_t k = strlen(p);
        memcpy(out + n, p, k);
        n += k;
        if (rng() % 16 == 0) break;
    }
    return n;
}

static size_t plain_word_count(const char *s, size_t n)
{
    size_t i = 0, words = 0;
    bool in_word = false;
    while (i < n) {
        bool a = vb_is_alnum(vb_utf8_next(s, n, &i));
        words += a && !in_word;
        in_word = a;
    }
    return words;
}

static void fast_paths_match_plain_ones(void **state)
{
    (void)state;
    char text[256];
    for (int round = 0; round < 20000; round++) {
        size_t n = random_text(text, sizeof text);
        for (size_t cut = 0; cut <= n; cut += 1 + (round & 3)) {
            assert_int_equal(vb_word_count(text, cut), plain_word_count(text, cut));
            size_t run = 0;
            while (run < cut && (unsigned char)text[run] < 0x80) run++;
            assert_int_equal(vb_ascii_run(text, cut), run);
            bool digit = false;
            for (size_t j = 0; j < cut; j++) digit |= text[j] >= '0' && text[j] <= '9';
            assert_int_equal(vb_has_digit(text, cut), digit);
            size_t len, plain_len = 0, i = 0;
            uint32_t *cp = vb_utf8_decode(text, cut, &len);
            assert_non_null(cp);
            while (i < cut) assert_int_equal(cp[plain_len++], vb_utf8_next(text, cut, &i));
            assert_int_equal(len, plain_len);
            free(cp);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_valid_accepts_well_formed),
        cmocka_unit_test(utf8_valid_rejects_overlongs),
        cmocka_unit_test(utf8_valid_rejects_surrogates_and_out_of_range),
        cmocka_unit_test(utf8_valid_rejects_truncated_and_stray),
        cmocka_unit_test(utf8_length_counts_code_points),
        cmocka_unit_test(utf8_decode_encode_round_trip),
        cmocka_unit_test(utf8_next_invalid_advances_one_byte),
        cmocka_unit_test(fold_case_and_accents),
        cmocka_unit_test(fold_ligatures),
        cmocka_unit_test(fold_apostrophes),
        cmocka_unit_test(fold_white_space),
        cmocka_unit_test(fold_other_scripts),
        cmocka_unit_test(fold_cp_counts),
        cmocka_unit_test(slug_examples),
        cmocka_unit_test(mojibake_latin1_and_cp1252),
        cmocka_unit_test(mojibake_cp1250),
        cmocka_unit_test(mojibake_latin1_controls),
        cmocka_unit_test(mojibake_leaves_clean_text),
        cmocka_unit_test(mojibake_mixed_text),
        cmocka_unit_test(word_count_examples),
        cmocka_unit_test(fast_paths_match_plain_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
