/* test_dates.c - unit tests for dates.h: parsing and formatting, periods,
 * datelines, RFC 2822 stamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "verbatim/dates.h"

static void expect_parse(const char *s, int y, int m, int d, vb_precision p)
{
    vb_date out = {-1, -1, -1, VB_PRECISION_NONE};
    assert_int_equal(vb_date_parse(s, &out), VB_OK);
    assert_int_equal(out.year, y);
    assert_int_equal(out.month, m);
    assert_int_equal(out.day, d);
    assert_int_equal(out.precision, p);
}

static void expect_parse_fails(const char *s)
{
    vb_date out = {1, 2, 3, VB_PRECISION_DAY};
    if (vb_date_parse(s, &out) != VB_EINVAL) fail_msg("vb_date_parse(\"%s\") should be VB_EINVAL", s);
    /* a failed parse leaves *out alone */
    assert_int_equal(out.year, 1);
    assert_int_equal(out.precision, VB_PRECISION_DAY);
}

static void date_parse_valid(void **state)
{
    (void)state;
    expect_parse("2020", 2020, 0, 0, VB_PRECISION_YEAR);
    expect_parse("2020-06", 2020, 6, 0, VB_PRECISION_MONTH);
    expect_parse("2020-06-11", 2020, 6, 11, VB_PRECISION_DAY);
    expect_parse("2024-02-29", 2024, 2, 29, VB_PRECISION_DAY);
    expect_parse("2000-02-29", 2000, 2, 29, VB_PRECISION_DAY); /* divisible by 400 */
    expect_parse("1000-01-01", 1000, 1, 1, VB_PRECISION_DAY);
    expect_parse("9999-12-31", 9999, 12, 31, VB_PRECISION_DAY);
    expect_parse("2020-12", 2020, 12, 0, VB_PRECISION_MONTH);
}

static void date_parse_invalid(void **state)
{
    (void)state;
    const char *bad[] = {"2020-13", "2020-00", "2021-02-30", "2023-02-29", "1900-02-29", "2020-04-31",
                         "2020-06-00", "2020-06-32", "20-06", "2020-6", "2020-6-11", "2020-06-1", "",
                         "2020-06-11x", "x2020", "202", "20200", "2020/06", "2020-06/11", "0999", "999",
                         "abcd", "2020-ab", " 2020", "2020 ", "+202", "-2020", "2020-06-11T00:00",
                         "2020-1a", "2020--6"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) expect_parse_fails(bad[i]);
}

static void date_format_round_trip(void **state)
{
    (void)state;
    const char *forms[] = {"2020", "2020-06", "2020-06-11", "2024-02-29", "1999-12-31"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        vb_date d;
        char buf[11] = "xxxxxxxxxx";
        assert_int_equal(vb_date_parse(forms[i], &d), VB_OK);
        vb_date_format(&d, buf);
        assert_string_equal(buf, forms[i]);
    }
    vb_date none = {0, 0, 0, VB_PRECISION_NONE};
    char buf[11] = "xxxxxxxxxx";
    vb_date_format(&none, buf);
    assert_string_equal(buf, "");
    vb_date early = {2020, 1, 5, VB_PRECISION_DAY};
    vb_date_format(&early, buf);
    assert_string_equal(buf, "2020-01-05"); /* zero-padded */
}

static void precision_names(void **state)
{
    (void)state;
    assert_string_equal(vb_precision_name(VB_PRECISION_DAY), "day");
    assert_string_equal(vb_precision_name(VB_PRECISION_MONTH), "month");
    assert_string_equal(vb_precision_name(VB_PRECISION_YEAR), "year");
    assert_null(vb_precision_name(VB_PRECISION_NONE));
}

static void first_and_last_days(void **state)
{
    (void)state;
    vb_date d;
    assert_int_equal(vb_date_parse("2020-06", &d), VB_OK);
    assert_int_equal(vb_date_first_day(&d), 20200601);
    assert_int_equal(vb_date_last_day(&d), 20200630);
    assert_int_equal(vb_date_parse("2020", &d), VB_OK);
    assert_int_equal(vb_date_first_day(&d), 20200101);
    assert_int_equal(vb_date_last_day(&d), 20201231);
    assert_int_equal(vb_date_parse("2024-02", &d), VB_OK);
    assert_int_equal(vb_date_first_day(&d), 20240201);
    assert_int_equal(vb_date_last_day(&d), 20240229);
    assert_int_equal(vb_date_parse("2023-02", &d), VB_OK);
    assert_int_equal(vb_date_last_day(&d), 20230228);
    assert_int_equal(vb_date_parse("1900-02", &d), VB_OK);
    assert_int_equal(vb_date_last_day(&d), 19000228);
    assert_int_equal(vb_date_parse("2020-07", &d), VB_OK);
    assert_int_equal(vb_date_last_day(&d), 20200731);
    assert_int_equal(vb_date_parse("2020-06-11", &d), VB_OK);
    assert_int_equal(vb_date_first_day(&d), 20200611);
    assert_int_equal(vb_date_last_day(&d), 20200611);
    vb_date none = {0, 0, 0, VB_PRECISION_NONE};
    assert_int_equal(vb_date_first_day(&none), 0);
    assert_int_equal(vb_date_last_day(&none), 0);
}

static void date_valid_checks(void **state)
{
    (void)state;
    assert_true(vb_date_valid(2020, 0, 0));
    assert_true(vb_date_valid(2020, 6, 0));
    assert_true(vb_date_valid(2024, 2, 29));
    assert_false(vb_date_valid(2023, 2, 29));
    assert_false(vb_date_valid(2020, 0, 5)); /* a day without a month */
    assert_false(vb_date_valid(999, 1, 1));
    assert_false(vb_date_valid(10000, 1, 1));
    assert_false(vb_date_valid(2020, 13, 0));
    assert_false(vb_date_valid(2020, -1, 0));
    assert_false(vb_date_valid(2020, 6, 31));
}

static void date_within(void **state)
{
    (void)state;
    vb_date y, m, d, other;
    assert_int_equal(vb_date_parse("2020", &y), VB_OK);
    assert_int_equal(vb_date_parse("2020-06", &m), VB_OK);
    assert_int_equal(vb_date_parse("2020-06-11", &d), VB_OK);
    assert_true(vb_date_within(&y, &m));
    assert_true(vb_date_within(&y, &d));
    assert_true(vb_date_within(&m, &d));
    assert_true(vb_date_within(&d, &d));
    assert_false(vb_date_within(&m, &y)); /* a year is not inside a month */
    assert_false(vb_date_within(&d, &m));
    assert_int_equal(vb_date_parse("2020-07-01", &other), VB_OK);
    assert_false(vb_date_within(&m, &other));
    assert_int_equal(vb_date_parse("2021-06-11", &other), VB_OK);
    assert_false(vb_date_within(&y, &other));
    assert_int_equal(vb_date_parse("2020-05-31", &other), VB_OK);
    assert_false(vb_date_within(&m, &other));
    assert_int_equal(vb_date_parse("2020-06-30", &other), VB_OK);
    assert_true(vb_date_within(&m, &other));
}

/* ---- datelines ----------------------------------------------------------- */

static void expect_dateline(const char *line, int y, int m, int d)
{
    vb_date out = {0, 0, 0, VB_PRECISION_NONE};
    if (!vb_dateline(line, strlen(line), &out)) fail_msg("\"%s\" should be a dateline", line);
    assert_int_equal(out.year, y);
    assert_int_equal(out.month, m);
    assert_int_equal(out.day, d);
    assert_int_equal(out.precision, d ? VB_PRECISION_DAY : VB_PRECISION_MONTH);
}

static void expect_not_dateline(const char *line)
{
    vb_date out = {0, 0, 0, VB_PRECISION_NONE};
    if (vb_dateline(line, strlen(line), &out)) fail_msg("\"%s\" should not be a dateline", line);
}

static void datelines_french(void **state)
{
    (void)state;
    expect_dateline("19 Juin, 2018", 2018, 6, 19);
    expect_dateline("vendredi 4 d\xC3\xA9" "cembre 2020", 2020, 12, 4);
    expect_dateline("Avril 15, 2021", 2021, 4, 15);
    expect_dateline("le 14 F\xC3\xA9v 2022", 2022, 2, 14);
    expect_dateline("le 14 f\xC3\xA9v. 2022", 2022, 2, 14);
    expect_dateline("1er janvier 2021", 2021, 1, 1);
    expect_dateline("Publi\xC3\xA9 le 9 d\xC3\xA9" "cembre 2014 \xC3\xA0 21h59 - Derni\xC3\xA8re mise \xC3\xA0 jour le 29 "
                    "octobre 2022 \xC3\xA0 13h44",
                    2014, 12, 9);
    expect_dateline("Mis \xC3\xA0 jour le 3 ao\xC3\xBBt 2019 \xC3\xA0 10:05", 2019, 8, 3);
    expect_dateline("  LUNDI 1 JUIN 2020  ", 2020, 6, 1);
    expect_dateline("juin 2020", 2020, 6, 0);
}

static void datelines_english_and_numeric(void **state)
{
    (void)state;
    expect_dateline("June 19, 2018", 2018, 6, 19);
    expect_dateline("Thursday, June 11, 2020 | 01:08 PM", 2020, 6, 11);
    expect_dateline("Sept. 3, 2019", 2019, 9, 3);
    expect_dateline("2020-06-11", 2020, 6, 11);
    expect_dateline("29/10/2019", 2019, 10, 29);
    expect_dateline("29.10.2019", 2019, 10, 29);
    expect_dateline("Posted: 2020-06-11 09:30", 2020, 6, 11);
}

static void datelines_rejected(void **state)
{
    (void)state;
    expect_not_dateline("le 22 juin dernier");
    expect_not_dateline("jeudi 23 d\xC3\xA9" "cembre");
    expect_not_dateline("Amazon a annonc\xC3\xA9 le 4 juin 2020 un moratoire");
    expect_not_dateline("La ville compte 500 cam\xC3\xA9ras");
    expect_not_dateline("");
    expect_not_dateline("   ");
    expect_not_dateline("2020");
    expect_not_dateline("le");
    expect_not_dateline("30 f\xC3\xA9vrier 2021");     /* not a real day */
    expect_not_dateline("2021-02-30");
    expect_not_dateline("31/04/2020");
    expect_not_dateline("13/13/2020");
    expect_not_dateline("Le 4 juin 2020, Amazon a annonc\xC3\xA9 un moratoire.");
    expect_not_dateline("En juin 2020, la police a arr\xC3\xAAt\xC3\xA9 trois personnes");
    expect_not_dateline("Skip to main content");
    /* more than 200 bytes is a paragraph, whatever it says */
    char long_line[300];
    memset(long_line, 0, sizeof long_line);
    for (int i = 0; i < 14; i++) strcat(long_line, "le 4 juin 2020 "); /* 210 bytes */
    assert_true(strlen(long_line) > 200);
    expect_not_dateline(long_line);
}

/* BUG (dates.c, read_date): "June 19th, 2018" is not a dateline. The
 * tokenizer keeps "19th" as one token, so is_number() fails and the branch
 * that skips a separate "th"/"st"/"nd"/"rd" token can never match. */
static void datelines_english_ordinals(void **state)
{
    (void)state;
    expect_dateline("June 19th, 2018", 2018, 6, 19);
    expect_dateline("Published on June 1st, 2018", 2018, 6, 1);
    expect_dateline("March 22nd, 2019", 2019, 3, 22);
    expect_dateline("April 3rd 2020", 2020, 4, 3);
}

/* GAP (not a listed form, so skipped): English times with "a.m."/"p.m."
 * ("p" and "m" are not date words, only "am"/"pm" are), and ISO 8601 with a
 * time ("11T08" is one token). vb_dateline() also writes *out before it
 * finds the word that makes it return false. */
static void datelines_gaps(void **state)
{
    (void)state;
    skip(); /* GAP */
    expect_dateline("Updated June 11, 2020 at 1:08 p.m. EDT", 2020, 6, 11);
    expect_dateline("2020-06-11T08:42:00Z", 2020, 6, 11);
}

static void dateline_respects_length(void **state)
{
    (void)state;
    const char *s = "19 Juin, 2018 Amazon";
    vb_date out;
    assert_true(vb_dateline(s, 13, &out)); /* only "19 Juin, 2018" */
    assert_int_equal(out.day, 19);
    assert_false(vb_dateline(s, strlen(s), &out));
}

/* ---- RFC 2822 ------------------------------------------------------------ */

static void rfc2822_found(void **state)
{
    (void)state;
    const char *s = "Cet article est une traduction automatique d\xE2\x80\x99un post publi\xC3\xA9 \xC3\xA0 l\xE2\x80\x99URL "
                    "https://www.eff.org/x le Thu, 11 Jun 2020 01:08:42 +0000.";
    vb_date d = {0};
    assert_true(vb_find_rfc2822(s, strlen(s), &d));
    assert_int_equal(d.year, 2020);
    assert_int_equal(d.month, 6);
    assert_int_equal(d.day, 11);
    assert_int_equal(d.precision, VB_PRECISION_DAY);

    const char *end = "Mon, 1 Jun 2020 10:00:00 GMT";
    assert_true(vb_find_rfc2822(end, strlen(end), &d));
    assert_int_equal(d.day, 1);
    assert_int_equal(d.month, 6);
}

static void rfc2822_last_wins(void **state)
{
    (void)state;
    const char *s = "First Mon, 01 Jun 2020 10:00:00 +0000 then Wed, 03 Jun 2020 11:00:00 +0200 end";
    vb_date d = {0};
    assert_true(vb_find_rfc2822(s, strlen(s), &d));
    assert_int_equal(d.day, 3);
}

static void rfc2822_absent(void **state)
{
    (void)state;
    vb_date d = {1999, 1, 1, VB_PRECISION_DAY};
    const char *plain[] = {
        "Amazon a annonc\xC3\xA9 le 4 juin 2020 un moratoire d'un an.",
        "Thu, the 11th of June",
        "Thu, 11 Jun 2020",                 /* no time */
        "Thu, 31 Jun 2020 01:08:42 +0000",  /* no such day */
        "Mon, Tue, Wed",
        "Dimanche, 11 juin 2020 01:08",     /* French weekday, not RFC 2822 */
        "xThu, 11 Jun 2020 01:08:42 +0000", /* glued to a word */
        "",
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (vb_find_rfc2822(plain[i], strlen(plain[i]), &d)) fail_msg("no stamp in \"%s\"", plain[i]);
    assert_int_equal(d.year, 1999); /* untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_parse_valid),
        cmocka_unit_test(date_parse_invalid),
        cmocka_unit_test(date_format_round_trip),
        cmocka_unit_test(precision_names),
        cmocka_unit_test(first_and_last_days),
        cmocka_unit_test(date_valid_checks),
        cmocka_unit_test(date_within),
        cmocka_unit_test(datelines_french),
        cmocka_unit_test(datelines_english_and_numeric),
        cmocka_unit_test(datelines_rejected),
        cmocka_unit_test(datelines_english_ordinals),
        cmocka_unit_test(datelines_gaps),
        cmocka_unit_test(dateline_respects_length),
        cmocka_unit_test(rfc2822_found),
        cmocka_unit_test(rfc2822_last_wins),
        cmocka_unit_test(rfc2822_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
