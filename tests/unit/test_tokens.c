/* test_tokens.c - unit tests for tokens.h: splitting a body into tokens and
 * the word lists asked of each (short words by key, longer ones by hash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verbatim/tokens.h"

static void lists_of_short_and_long_words(void **state)
{
    (void)state;
    assert_true(vb_lex_has(VB_LEX_DET, "le"));          /* 2 bytes: by key */
    assert_true(vb_lex_has(VB_LEX_STOP_EN, "said"));    /* 4 bytes: by key */
    assert_true(vb_lex_has(VB_LEX_SPEECH, "said"));
    assert_true(vb_lex_has(VB_LEX_SPEECH, "declare"));  /* 7 bytes: by hash */
    assert_true(vb_lex_has(VB_LEX_SPEECH, "expliquaient"));
    assert_true(vb_lex_has(VB_LEX_HUMAN, "porte-parole"));
    assert_true(vb_lex_has(VB_LEX_CONNECTOR, "von"));
    assert_true(vb_lex_has(VB_LEX_PREPOSITION, "dans"));
    assert_false(vb_lex_has(VB_LEX_DET, "lo"));
    assert_false(vb_lex_has(VB_LEX_SPEECH, "declarex"));
    assert_false(vb_lex_has(VB_LEX_SPEECH, ""));
    uint32_t le = vb_lex_lists("le", 2);
    assert_true((le >> VB_LEX_DET) & 1);
    assert_true((le >> VB_LEX_STOP_FR) & 1);
    assert_false((le >> VB_LEX_STOP_EN) & 1);
    assert_int_equal(vb_lex_lists("the", 3) & (1u << VB_LEX_STOP_FR), 0);
    char longer[64];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(vb_lex_lists(longer, strlen(longer)), 0); /* longer than any listed word */
}

static uint32_t packed(const char *w)
{
    uint32_t key = 0;
    for (size_t j = 0; w[j]; j++) key |= (uint32_t)(unsigned char)w[j] << 8 * j;
    return key;
}

static void short_words_packed_as_by_text(void **state)
{
    (void)state;
    static const char *const words[] = {"le", "la", "de", "the", "a", "of", "said", "dit", "il", "elle", "qui",
                                        "2020", "x", "zzzz", "l'", "d'", "et", "and", "was", "est"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        assert_int_equal(vb_lex_lists_short(packed(words[i])), vb_lex_lists(words[i], strlen(words[i])));
    assert_true((vb_lex_lists_short(packed("le")) >> VB_LEX_STOP_FR) & 1);
    assert_true((vb_lex_lists_short(packed("the")) >> VB_LEX_STOP_EN) & 1);
    assert_int_equal(vb_lex_lists_short(0), 0);
}

static void tokens_fold_and_classify(void **state)
{
    (void)state;
    const char *body = "\xC2\xAB Oui \xC2\xBB, a d\xC3\xA9" "clar\xC3\xA9 M. Dupont, porte-parole d\xE2\x80\x99" "Amazon. "
                       "A-t-elle dit ? AT&T";
    vb_text t;
    assert_true(vb_text_init(&t, body, strlen(body)));
    const char *want[] = {"\xC2\xAB", "oui", "\xC2\xBB", ",", "a", "declare", "m", ".", "dupont", ",",
                          "porte-parole", "d'", "amazon", ".", "a-t-elle", "dit", "?", "at&t"};
    assert_int_equal(t.count, sizeof want / sizeof *want);
    for (size_t i = 0; i < t.count; i++) assert_string_equal(t.tok[i].fold, want[i]);
    assert_true(vb_tok_is(&t.tok[5], VB_LEX_SPEECH));
    assert_true(t.tok[5].word && !t.tok[5].cap);
    assert_true(vb_tok_is(&t.tok[6], VB_LEX_TITLE) && t.tok[6].cap);
    assert_true(vb_tok_is(&t.tok[10], VB_LEX_HUMAN));
    assert_true(vb_tok_is(&t.tok[11], VB_LEX_DET));
    char pronoun[8];
    assert_true(vb_tok_inverted(&t.tok[14], VB_LEX_AUX, pronoun)); /* "a" with "elle" */
    assert_string_equal(pronoun, "elle");
    assert_false(vb_tok_inverted(&t.tok[15], VB_LEX_AUX, pronoun));
    assert_string_equal(pronoun, "");
    assert_true(t.tok[17].upper); /* AT&T */
    assert_false(t.tok[8].upper);
    /* offsets are code points: "Oui" after "« " */
    assert_int_equal(t.tok[1].start, 2);
    assert_int_equal(t.tok[1].end, 5);
    vb_text_free(&t);
}

static void tokens_cut_long_words(void **state)
{
    (void)state;
    char body[200];
    memset(body, 'X', 120);
    strcpy(body + 120, " fin");
    vb_text t;
    assert_true(vb_text_init(&t, body, strlen(body)));
    assert_int_equal(t.count, 2);
    assert_true(strlen(t.tok[0].fold) <= VB_FOLD_MAX);
    assert_int_equal(t.tok[0].end, 120); /* cut in its text, not in the body */
    assert_true(t.tok[0].upper);
    assert_string_equal(t.tok[1].fold, "fin");
    vb_text_free(&t);
    /* invalid bytes fold to U+FFFD: more bytes than they took */
    const char bad[] = "\xFF\xFE\xFD ok";
    assert_true(vb_text_init(&t, bad, sizeof bad - 1));
    assert_int_equal(t.count, 4);
    assert_string_equal(t.tok[0].fold, "\xEF\xBF\xBD");
    assert_string_equal(t.tok[3].fold, "ok");
    vb_text_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_of_short_and_long_words),
        cmocka_unit_test(short_words_packed_as_by_text),
        cmocka_unit_test(tokens_fold_and_classify),
        cmocka_unit_test(tokens_cut_long_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
