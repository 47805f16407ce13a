/* test_article.c - unit tests for article.h: raw text to title, body, date,
 * language and source URL; excerpts; language detection; the seed files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verbatim/article.h"
#include "verbatim/text.h"

static vb_article parse_ok(const char *raw)
{
    vb_article a;
    vb_status rc = vb_article_parse(raw, strlen(raw), &a);
    if (rc != VB_OK) fail_msg("vb_article_parse failed (%d) on: %s", (int)rc, raw);
    assert_non_null(a.body);
    assert_int_equal(a.body_len, strlen(a.body));
    assert_true(vb_utf8_valid(a.body, a.body_len));
    return a;
}

static void expect_date(const vb_article *a, const char *want)
{
    char buf[11];
    vb_date_format(&a->date, buf);
    assert_string_equal(buf, want);
}

static bool contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

/* ---- the crawler's date marker ------------------------------------------ */

static void marker_gives_month_and_no_title(void **state)
{
    (void)state;
    vb_article a = parse_ok(" date 2020-06 Amazon a d\xC3\xA9" "cid\xC3\xA9 d\xE2\x80\x99interdire \xC3\xA0 la police "
                            "d\xE2\x80\x99utiliser son logiciel.\n\nLa suite de l\xE2\x80\x99" "article est ici.\n");
    assert_null(a.title);
    expect_date(&a, "2020-06");
    assert_int_equal(a.date.precision, VB_PRECISION_MONTH);
    assert_int_equal(a.date.year, 2020);
    assert_int_equal(a.date.month, 6);
    assert_int_equal(a.date.day, 0);
    assert_false(contains(a.body, "date"));
    assert_false(contains(a.body, "2020-06"));
    assert_string_equal(a.body, "Amazon a d\xC3\xA9" "cid\xC3\xA9 d\xE2\x80\x99interdire \xC3\xA0 la police "
                                "d\xE2\x80\x99utiliser son logiciel.\n\nLa suite de l\xE2\x80\x99" "article est ici.");
    vb_article_free(&a);
}

static void marker_variants(void **state)
{
    (void)state;
    vb_article a = parse_ok("date 2019 Le texte commence ici et parle de la police.");
    expect_date(&a, "2019");
    assert_int_equal(a.date.precision, VB_PRECISION_YEAR);
    assert_string_equal(a.body, "Le texte commence ici et parle de la police.");
    vb_article_free(&a);

    a = parse_ok(" date 2018-05-03 Le texte commence ici et parle de la police.");
    expect_date(&a, "2018-05-03");
    assert_int_equal(a.date.precision, VB_PRECISION_DAY);
    vb_article_free(&a);

    /* not a real date: not a marker, the words stay */
    a = parse_ok(" date 2021-02-30 Le texte commence ici et parle de la police.\n\nSuite du texte.");
    assert_int_equal(a.date.precision, VB_PRECISION_NONE);
    assert_true(contains(a.body, "2021-02-30"));
    vb_article_free(&a);

    /* "date" further in is just a word */
    a = parse_ok("Le texte commence ici.\n\nLa date 2020-06 est dans le texte et parle de la police.");
    assert_true(contains(a.body, "La date 2020-06 est"));
    vb_article_free(&a);
}

/* BUG (article.c, date_marker): a UTF-8 byte order mark before the marker
 * hides it. trim() already skips U+FEFF, so the first line is read, but
 * date_marker() only skips ' ' and '\t': the date is lost and "date 2020-06"
 * stays at the start of the body. */
static void marker_after_byte_order_mark(void **state)
{
    (void)state;
    vb_article a = parse_ok("\xEF\xBB\xBF date 2020-06 Amazon a d\xC3\xA9" "cid\xC3\xA9 d'interdire la police.\n\n"
                            "Suite du texte.");
    expect_date(&a, "2020-06");
    assert_string_equal(a.body, "Amazon a d\xC3\xA9" "cid\xC3\xA9 d'interdire la police.\n\nSuite du texte.");
    vb_article_free(&a);
}

/* ---- headline ------------------------------------------------------------ */

static void repeated_headline_becomes_title(void **state)
{
    (void)state;
    vb_article a = parse_ok("Amazon sous pression pour arr\xC3\xAAter de vendre sa technologie\n\n"
                            "Amazon sous pression pour arr\xC3\xAAter de vendre sa technologie\n\n"
                            "Quelques jours apr\xC3\xA8s les premiers coups de feu, Amazon a \xC3\xA9t\xC3\xA9 bombard\xC3\xA9 "
                            "d\xE2\x80\x99une p\xC3\xA9tition.\n\n"
                            "La suite de l\xE2\x80\x99" "article parle de la police.");
    assert_non_null(a.title);
    assert_string_equal(a.title, "Amazon sous pression pour arr\xC3\xAAter de vendre sa technologie");
    assert_false(contains(a.body, "sous pression"));
    assert_true(strncmp(a.body, "Quelques jours", 14) == 0);
    assert_true(contains(a.body, "\n\nLa suite"));
    vb_article_free(&a);
}

static void headline_printed_again_further_down(void **state)
{
    (void)state;
    vb_article a = parse_ok("Un titre pour la police\n\nUn titre pour la police\n\nPremier paragraphe de l'article.\n\n"
                            "Un titre pour la police\n\nDernier paragraphe de l'article.");
    assert_non_null(a.title);
    assert_string_equal(a.title, "Un titre pour la police");
    assert_string_equal(a.body, "Premier paragraphe de l'article.\n\nDernier paragraphe de l'article.");
    vb_article_free(&a);
}

static void headline_glued_to_a_kicker(void **state)
{
    (void)state;
    /* "SECURITEMarseille : ..." printed before "Marseille : ...": the tail is the title. */
    vb_article a = parse_ok("SECURITEMarseille : la ville compte 500 cam\xC3\xA9ras\n\n"
                            "Marseille : la ville compte 500 cam\xC3\xA9ras\n\n"
                            "La mairie a install\xC3\xA9 de nouvelles cam\xC3\xA9ras dans le centre.");
    assert_non_null(a.title);
    assert_string_equal(a.title, "Marseille : la ville compte 500 cam\xC3\xA9ras");
    assert_string_equal(a.body, "La mairie a install\xC3\xA9 de nouvelles cam\xC3\xA9ras dans le centre.");
    vb_article_free(&a);
}

static void single_title_like_first_line(void **state)
{
    (void)state;
    vb_article a = parse_ok("Un titre pour la police\n\nLe premier paragraphe de l'article, qui est une phrase.");
    assert_non_null(a.title);
    assert_string_equal(a.title, "Un titre pour la police");
    assert_string_equal(a.body, "Le premier paragraphe de l'article, qui est une phrase.");
    vb_article_free(&a);

    /* a first line that ends like a sentence is not a headline */
    a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nLe deuxi\xC3\xA8me paragraphe.");
    assert_null(a.title);
    assert_true(strncmp(a.body, "La police", 9) == 0);
    vb_article_free(&a);
}

/* ---- chrome -------------------------------------------------------------- */

static void chrome_lines_removed(void **state)
{
    (void)state;
    vb_article a = parse_ok("Skip to main content\n\n"
                            "La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n"
                            "Lire et commenter\n"
                            "Plus d'articles\n"
                            "En vid\xC3\xA9o\n"
                            "Deuxi\xC3\xA8me paragraphe de l'article.\n"
                            "Sur le m\xC3\xAAme sujet\n"
                            "PARTAGER :\n"
                            "  Lire aussi  \n"
                            "Plus d\xE2\x80\x99" "articles\n");
    assert_null(a.title);
    assert_string_equal(a.body, "La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nDeuxi\xC3\xA8me paragraphe de l'article.");
    vb_article_free(&a);
}

static void chrome_words_inside_a_sentence_stay(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n"
                            "Il faut lire et commenter ce rapport avant lundi.");
    assert_true(contains(a.body, "Il faut lire et commenter ce rapport avant lundi."));
    vb_article_free(&a);
}

static void only_chrome_is_einval(void **state)
{
    (void)state;
    const char *inputs[] = {
        "Skip to main content\nLire et commenter\nPlus d'articles\nEn vid\xC3\xA9o\nSur le m\xC3\xAAme sujet\n",
        "",
        "  \n\n\t\n",
        " date 2020-06 ",
        "19 Juin, 2018\n\nLire et commenter",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        vb_article a;
        memset(&a, 0x5A, sizeof a);
        vb_status rc = vb_article_parse(inputs[i], strlen(inputs[i]), &a);
        if (rc != VB_EINVAL) fail_msg("input %zu: want VB_EINVAL, got %d", i, (int)rc);
        /* nothing left to free, and freeing is harmless */
        assert_null(a.title);
        assert_null(a.body);
        assert_null(a.source_url);
        vb_article_free(&a);
    }
    vb_article_free(NULL);
}

/* ---- dates --------------------------------------------------------------- */

static void dateline_removed_and_used(void **state)
{
    (void)state;
    vb_article a = parse_ok("Skip to main content\n\n19 Juin, 2018\n\n"
                            "La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nLe deuxi\xC3\xA8me paragraphe.");
    expect_date(&a, "2018-06-19");
    assert_int_equal(a.date.precision, VB_PRECISION_DAY);
    assert_false(contains(a.body, "Juin"));
    assert_false(contains(a.body, "2018"));
    vb_article_free(&a);

    a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n"
                 "Publi\xC3\xA9 le 9 d\xC3\xA9" "cembre 2014 \xC3\xA0 21h59 - Derni\xC3\xA8re mise \xC3\xA0 jour le 29 octobre "
                 "2022 \xC3\xA0 13h44\n\nLe deuxi\xC3\xA8me paragraphe.");
    expect_date(&a, "2014-12-09");
    assert_false(contains(a.body, "Publi"));
    vb_article_free(&a);
}

static void first_dateline_wins(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n4 juin 2020\n\nLe deuxi\xC3\xA8me paragraphe.\n\n"
                            "June 19, 2018");
    expect_date(&a, "2020-06-04");
    assert_false(contains(a.body, "June"));
    vb_article_free(&a);
}

static void rfc2822_footer_gives_day(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n"
                            "Cet article est une traduction automatique d\xE2\x80\x99un post publi\xC3\xA9 sur le site "
                            "d\xE2\x80\x99" "Electronic Frontier Foundation \xC3\xA0 l\xE2\x80\x99URL "
                            "https://www.eff.org/deeplinks/2020/06/ibm-amazon le Thu, 11 Jun 2020 01:08:42 +0000.");
    expect_date(&a, "2020-06-11");
    assert_int_equal(a.date.precision, VB_PRECISION_DAY);
    assert_non_null(a.source_url);
    assert_string_equal(a.source_url, "https://www.eff.org/deeplinks/2020/06/ibm-amazon");
    vb_article_free(&a);
}

static void marker_refined_by_agreeing_dateline(void **state)
{
    (void)state;
    vb_article a = parse_ok(" date 2020-06 La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nvendredi 12 juin 2020\n\n"
                            "Le deuxi\xC3\xA8me paragraphe.");
    expect_date(&a, "2020-06-12");
    assert_int_equal(a.date.precision, VB_PRECISION_DAY);
    assert_false(contains(a.body, "vendredi"));
    vb_article_free(&a);

    /* a dateline outside the marker's month does not override it */
    a = parse_ok(" date 2020-06 La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n30 mai 2020\n\nLe deuxi\xC3\xA8me paragraphe.");
    expect_date(&a, "2020-06");
    vb_article_free(&a);

    /* a stamp refines the marker too */
    a = parse_ok(" date 2020 La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nPost du Thu, 11 Jun 2020 01:08:42 +0000.");
    expect_date(&a, "2020-06-11");
    vb_article_free(&a);
}

static void no_date_is_none(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nLe deuxi\xC3\xA8me paragraphe.");
    assert_int_equal(a.date.precision, VB_PRECISION_NONE);
    expect_date(&a, "");
    vb_article_free(&a);
}

static void story_dates_never_used(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes le 22 juin dernier.\n\n"
                            "le 22 juin dernier\n\n"
                            "Amazon a annonc\xC3\xA9 le 4 juin 2020 un moratoire\n\n"
                            "jeudi 23 d\xC3\xA9" "cembre\n\n"
                            "En juin 2020, la police a arr\xC3\xAAt\xC3\xA9 trois personnes.");
    assert_int_equal(a.date.precision, VB_PRECISION_NONE);
    assert_true(contains(a.body, "le 22 juin dernier\n\n"));
    assert_true(contains(a.body, "le 4 juin 2020 un moratoire"));
    assert_true(contains(a.body, "jeudi 23 d\xC3\xA9" "cembre"));
    vb_article_free(&a);
}

/* ---- body ---------------------------------------------------------------- */

static void paragraphs_joined_by_blank_line(void **state)
{
    (void)state;
    vb_article a = parse_ok("Premier paragraphe de l'article.\r\n"
                            "Deuxi\xC3\xA8me   paragraphe\tavec   des blancs.\r\n\r\n\r\n"
                            "   \xC2\xA0Troisi\xC3\xA8me paragraphe.\xC2\xA0  \n"
                            "\n\n\n");
    assert_string_equal(a.body, "Premier paragraphe de l'article.\n\n"
                                "Deuxi\xC3\xA8me paragraphe avec des blancs.\n\n"
                                "Troisi\xC3\xA8me paragraphe.");
    assert_int_equal(a.word_count, vb_word_count(a.body, a.body_len));
    assert_int_equal(a.word_count, 12);
    vb_article_free(&a);
}

static void consecutive_duplicate_paragraph_once(void **state)
{
    (void)state;
    vb_article a = parse_ok("Premier paragraphe de l'article.\n\nUne l\xC3\xA9gende de photo.\n\nUne l\xC3\xA9gende de photo.\n\n"
                            "Dernier paragraphe.");
    assert_string_equal(a.body, "Premier paragraphe de l'article.\n\nUne l\xC3\xA9gende de photo.\n\nDernier paragraphe.");
    vb_article_free(&a);
}

static void mojibake_repaired_before_parsing(void **state)
{
    (void)state;
    vb_article a = parse_ok("La s\xC3\x83\xC2\xA9" "curit\xC3\x83\xC2\xA9 de l\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2\xC3\x83\xC2\xA9t\xC3\x83\xC2\xA9.\n\n"
                            "Le deuxi\xC3\xA8me paragraphe.");
    assert_int_equal(a.mojibake_repaired, 5);
    assert_true(contains(a.body, "La s\xC3\xA9" "curit\xC3\xA9 de l\xE2\x80\x99\xC3\xA9t\xC3\xA9."));
    vb_article_free(&a);

    a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nSuite.");
    assert_int_equal(a.mojibake_repaired, 0);
    vb_article_free(&a);
}

/* ---- language ------------------------------------------------------------ */

static void lang_of_short_texts(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes dans le centre de la ville.\n\n"
                            "Elle dit que les manifestants sont partis.");
    assert_string_equal(a.lang, "fr");
    vb_article_free(&a);
    a = parse_ok("The police arrested three people in the city centre.\n\n"
                 "It said that the protesters had left and that the streets were calm.");
    assert_string_equal(a.lang, "en");
    vb_article_free(&a);
}

static void detect_lang_examples(void **state)
{
    (void)state;
    const char *fr = "Amazon a d\xC3\xA9" "cid\xC3\xA9 d'interdire \xC3\xA0 la police d'utiliser son logiciel pendant un an.";
    const char *en = "Amazon said on Wednesday that it is banning police use of its software for a year.";
    assert_string_equal(vb_detect_lang(fr, strlen(fr)), "fr");
    assert_string_equal(vb_detect_lang(en, strlen(en)), "en");
    assert_string_equal(vb_detect_lang("", 0), "fr"); /* nothing to count: the default */
    const char *caps = "THE COMPANY SAID THAT IT WAS WORKING WITH THE POLICE";
    assert_string_equal(vb_detect_lang(caps, strlen(caps)), "en");
    /* n bounds what is read */
    const char *mixed = "le la les des et the the the the the the";
    assert_string_equal(vb_detect_lang(mixed, 15), "fr");
    assert_string_equal(vb_detect_lang(mixed, strlen(mixed)), "en");
}

/* ---- source URL ---------------------------------------------------------- */

static void source_url_after_lead_in(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\n"
                            "Traduction d'un post publi\xC3\xA9 \xC3\xA0 l'URL https://example.org/news/a-b?c=1, le 3 mai.");
    assert_non_null(a.source_url);
    assert_string_equal(a.source_url, "https://example.org/news/a-b?c=1");
    vb_article_free(&a);

    a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nSource : http://example.org/x/y.html.");
    assert_non_null(a.source_url);
    assert_string_equal(a.source_url, "http://example.org/x/y.html");
    vb_article_free(&a);
}

static void source_url_bare_line_in_second_half(void **state)
{
    (void)state;
    vb_article a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nLe deuxi\xC3\xA8me paragraphe.\n\n"
                            "https://www.aclu.org/news/first\n\nhttps://www.aclu.org/letter/second");
    assert_non_null(a.source_url);
    assert_string_equal(a.source_url, "https://www.aclu.org/news/first");
    vb_article_free(&a);

    /* a URL inside a sentence, or none at all: no source */
    a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nVoir https://example.org/rapport pour le d\xC3\xA9tail.");
    assert_null(a.source_url);
    vb_article_free(&a);
    a = parse_ok("La police a arr\xC3\xAAt\xC3\xA9 trois personnes.\n\nLe deuxi\xC3\xA8me paragraphe.");
    assert_null(a.source_url);
    vb_article_free(&a);
}

/* ---- excerpts ------------------------------------------------------------ */

static void excerpt_short_body_unchanged(void **state)
{
    (void)state;
    char *e = vb_excerpt("Un texte court.", 200);
    assert_non_null(e);
    assert_string_equal(e, "Un texte court.");
    free(e);
    e = vb_excerpt("", 10);
    assert_non_null(e);
    assert_string_equal(e, "");
    free(e);
    /* exactly max_chars code points: not cut */
    e = vb_excerpt("\xC3\xA9t\xC3\xA9 \xC3\xA0 Paris", 12);
    assert_non_null(e);
    assert_string_equal(e, "\xC3\xA9t\xC3\xA9 \xC3\xA0 Paris");
    free(e);
}

static void excerpt_cuts_at_word_boundary(void **state)
{
    (void)state;
    const char *body = "La reconnaissance faciale, utilis\xC3\xA9" "e par la police, inqui\xC3\xA8te les associations.";
    char *e = vb_excerpt(body, 30);
    assert_non_null(e);
    /* "La reconnaissance faciale, uti" is 30 code points: back to the last space,
     * the comma dropped, then the ellipsis */
    assert_string_equal(e, "La reconnaissance faciale\xE2\x80\xA6");
    free(e);

    e = vb_excerpt(body, 45);
    assert_non_null(e);
    size_t n = strlen(e);
    assert_true(n > 3 && !strcmp(e + n - 3, "\xE2\x80\xA6"));
    assert_true(vb_utf8_length(e, n) <= 46);
    assert_true(strncmp(body, e, n - 3) == 0);
    assert_true(body[n - 3] == ' ' || body[n - 3] == ','); /* ended on a whole word */
    free(e);
}

/* BUG (minor; article.c, vb_excerpt): when the code point at max_chars is a
 * space or punctuation, the text before it already ends on a whole word, but
 * vb_excerpt backs up to the previous space and drops that last word:
 * vb_excerpt("hello world foo", 11) gives "hello…", want "hello world…". */
static void excerpt_keeps_a_word_that_ends_at_the_limit(void **state)
{
    (void)state;
    char *e = vb_excerpt("hello world foo", 11);
    assert_non_null(e);
    assert_string_equal(e, "hello world\xE2\x80\xA6");
    free(e);
    e = vb_excerpt("hello world, foo", 11);
    assert_non_null(e);
    assert_string_equal(e, "hello world\xE2\x80\xA6");
    free(e);
}

static void excerpt_joins_paragraphs(void **state)
{
    (void)state;
    char *e = vb_excerpt("Premier paragraphe.\n\nDeuxi\xC3\xA8me paragraphe qui est bien plus long que le reste.", 40);
    assert_non_null(e);
    assert_false(contains(e, "\n"));
    assert_false(contains(e, "  "));
    assert_true(strncmp(e, "Premier paragraphe. Deuxi\xC3\xA8me", 27) == 0);
    assert_true(contains(e, "\xE2\x80\xA6"));
    free(e);
}

/* ---- the seed files ------------------------------------------------------ */

static char *read_seed(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/db/articles/%s", VB_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *n = fread(buf, 1, (1 << 20) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

typedef struct seed {
    const char *file, *title, *date, *source_url;
} seed;

static const seed seeds[] = {
    {"000_82893d1c11ed07a5.txt", NULL, "2020-06", NULL},
    {"001_8497a3ff43de7201.txt",
     "Amazon sous pression pour arr\xC3\xAAter de vendre sa technologie de reconnaissance faciale \xC3\xA0 la police",
     "2018-06-19",
     "https://www.aclu.org/news/shareholders-community-groups-consumers-demand-amazon-stop-selling-face-surveillance-system"},
    {"002_c7e1ffec61aa0579.txt", NULL, "2018-05", NULL},
    {"003_4cb64669dd0f76e2.txt",
     "IBM et Amazon acceptent de prendre du recul par rapport \xC3\xA0 la reconnaissance faciale. O\xC3\xB9 est Microsoft?",
     "2020-06-11", "https://www.eff.org/deeplinks/2020/06/ibm-amazon-end-and-pause-fr-programs-where-microsoft"},
    {"004_c91aedd2850b107a.txt",
     "La reconnaissance faciale utilis\xC3\xA9" "e pour rep\xC3\xA9rer les migrants ? Amazon fait pol\xC3\xA9mique aux Etats-Unis",
     "", NULL},
};

static void seed_files_match_gold(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        const seed *s = &seeds[i];
        size_t n;
        char *raw = read_seed(s->file, &n);
        vb_article a;
        if (vb_article_parse(raw, n, &a) != VB_OK) fail_msg("%s: parse failed", s->file);
        char date[11];
        vb_date_format(&a.date, date);
        if (strcmp(date, s->date)) fail_msg("%s: date '%s', want '%s'", s->file, date, s->date);
        if (!s->title != !a.title || (s->title && strcmp(s->title, a.title)))
            fail_msg("%s: title '%s', want '%s'", s->file, a.title ? a.title : "(null)", s->title ? s->title : "(null)");
        if (!s->source_url != !a.source_url || (s->source_url && strcmp(s->source_url, a.source_url)))
            fail_msg("%s: source_url '%s', want '%s'", s->file, a.source_url ? a.source_url : "(null)",
                     s->source_url ? s->source_url : "(null)");
        assert_string_equal(a.lang, "fr");
        /* the chrome and the title are not in the body */
        assert_false(contains(a.body, "Skip to main content"));
        assert_false(contains(a.body, "Lire et commenter"));
        assert_false(contains(a.body, "Plus d'articles"));
        assert_false(contains(a.body, "Sur le m\xC3\xAAme sujet"));
        assert_false(contains(a.body, "\n\nEn vid\xC3\xA9o\n\n"));
        if (s->title) assert_true(strncmp(a.body, s->title, strlen(s->title)) != 0);
        assert_false(strncmp(a.body, " date", 5) == 0 || strncmp(a.body, "date ", 5) == 0);
        assert_true(a.word_count > 100);
        vb_article_free(&a);
        free(raw);
    }
}

static void seed_bodies_start_where_the_story_does(void **state)
{
    (void)state;
    size_t n;
    char *raw = read_seed("000_82893d1c11ed07a5.txt", &n);
    vb_article a;
    assert_int_equal(vb_article_parse(raw, n, &a), VB_OK);
    assert_true(strncmp(a.body, "Amazon a d\xC3\xA9" "cid\xC3\xA9 d\xE2\x80\x99interdire", 25) == 0);
    vb_article_free(&a);
    free(raw);

    raw = read_seed("001_8497a3ff43de7201.txt", &n);
    assert_int_equal(vb_article_parse(raw, n, &a), VB_OK);
    assert_true(strncmp(a.body, "Quelques jours apr\xC3\xA8s", 20) == 0);
    assert_false(contains(a.body, "19 Juin, 2018"));
    vb_article_free(&a);
    free(raw);

    raw = read_seed("004_c91aedd2850b107a.txt", &n);
    assert_int_equal(vb_article_parse(raw, n, &a), VB_OK);
    /* the trailing site chrome is gone, the last paragraph is the story's */
    size_t len = strlen(a.body);
    const char *tail = "sur 10 ans avec le Pentagone.";
    assert_true(len > strlen(tail) && strcmp(a.body + len - strlen(tail), tail) == 0);
    vb_article_free(&a);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marker_gives_month_and_no_title),
        cmocka_unit_test(marker_variants),
        cmocka_unit_test(marker_after_byte_order_mark),
        cmocka_unit_test(repeated_headline_becomes_title),
        cmocka_unit_test(headline_printed_again_further_down),
        cmocka_unit_test(headline_glued_to_a_kicker),
        cmocka_unit_test(single_title_like_first_line),
        cmocka_unit_test(chrome_lines_removed),
        cmocka_unit_test(chrome_words_inside_a_sentence_stay),
        cmocka_unit_test(only_chrome_is_einval),
        cmocka_unit_test(dateline_removed_and_used),
        cmocka_unit_test(first_dateline_wins),
        cmocka_unit_test(rfc2822_footer_gives_day),
        cmocka_unit_test(marker_refined_by_agreeing_dateline),
        cmocka_unit_test(no_date_is_none),
        cmocka_unit_test(story_dates_never_used),
        cmocka_unit_test(paragraphs_joined_by_blank_line),
        cmocka_unit_test(consecutive_duplicate_paragraph_once),
        cmocka_unit_test(mojibake_repaired_before_parsing),
        cmocka_unit_test(lang_of_short_texts),
        cmocka_unit_test(detect_lang_examples),
        cmocka_unit_test(source_url_after_lead_in),
        cmocka_unit_test(source_url_bare_line_in_second_half),
        cmocka_unit_test(excerpt_short_body_unchanged),
        cmocka_unit_test(excerpt_cuts_at_word_boundary),
        cmocka_unit_test(excerpt_keeps_a_word_that_ends_at_the_limit),
        cmocka_unit_test(excerpt_joins_paragraphs),
        cmocka_unit_test(seed_files_match_gold),
        cmocka_unit_test(seed_bodies_start_where_the_story_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
