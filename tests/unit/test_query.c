/* test_query.c - unit tests for query.h: request targets, percent-decoding,
 * path segments, parameter checks, dates, full-text expressions, limits,
 * cursors and query hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "verbatim/query.h"

/* ---- vb_target_parse ----------------------------------------------------- */

static void target_path_only(void **state)
{
    (void)state;
    vb_target t;
    char detail[256] = "x";
    assert_int_equal(vb_target_parse("/v1/articles", &t, detail), VB_OK);
    assert_string_equal(t.path, "/v1/articles");
    assert_int_equal(t.count, 0);
    assert_null(vb_param_get(&t, "q"));
    assert_string_equal(detail, "");
    vb_target_free(&t);
    assert_null(t.path);
    vb_target_free(NULL);

    /* the path stays percent-encoded */
    assert_int_equal(vb_target_parse("/v1/speakers/nicole%2Dozer?x=1", &t, detail), VB_OK);
    assert_string_equal(t.path, "/v1/speakers/nicole%2Dozer");
    vb_target_free(&t);
}

static void target_params_split_and_decoded(void **state)
{
    (void)state;
    vb_target t;
    char detail[256];
    assert_int_equal(vb_target_parse("/v1/articles?date=2020-06&q=a+b&speaker=caf%C3%A9%20cr%C3%A8me&x=1%2B1", &t, detail),
                     VB_OK);
    assert_string_equal(t.path, "/v1/articles");
    assert_int_equal(t.count, 4);
    assert_string_equal(t.params[0].name, "date");
    assert_string_equal(t.params[0].value, "2020-06");
    assert_string_equal(vb_param_get(&t, "q"), "a b");          /* '+' is a space */
    assert_string_equal(vb_param_get(&t, "speaker"), "caf\xC3\xA9 cr\xC3\xA8me"); /* %20 too */
    assert_string_equal(vb_param_get(&t, "x"), "1+1");          /* %2B is a '+' */
    assert_null(vb_param_get(&t, "cursor"));
    vb_target_free(&t);
}

static void target_odd_but_valid_shapes(void **state)
{
    (void)state;
    vb_target t;
    char detail[256];
    assert_int_equal(vb_target_parse("/p?flag&a=&&b=c=d&%71=enc&", &t, detail), VB_OK);
    assert_string_equal(t.path, "/p");
    assert_int_equal(t.count, 4);
    assert_string_equal(vb_param_get(&t, "flag"), "");
    assert_string_equal(vb_param_get(&t, "a"), "");
    assert_string_equal(vb_param_get(&t, "b"), "c=d");
    assert_string_equal(vb_param_get(&t, "q"), "enc"); /* names are decoded too */
    vb_target_free(&t);

    assert_int_equal(vb_target_parse("/p?", &t, detail), VB_OK);
    assert_string_equal(t.path, "/p");
    assert_int_equal(t.count, 0);
    vb_target_free(&t);

    /* many parameters: the array grows */
    char raw[1024] = "/p?";
    for (int i = 0; i < 40; i++) snprintf(raw + strlen(raw), sizeof raw - strlen(raw), "k%d=v%d&", i, i);
    assert_int_equal(vb_target_parse(raw, &t, detail), VB_OK);
    assert_int_equal(t.count, 40);
    assert_string_equal(vb_param_get(&t, "k39"), "v39");
    vb_target_free(&t);
}

static void expect_target_einval(const char *raw, const char *detail_has)
{
    vb_target t;
    char detail[256] = "";
    vb_status rc = vb_target_parse(raw, &t, detail);
    if (rc != VB_EINVAL) fail_msg("%s: want VB_EINVAL, got %d", raw, (int)rc);
    if (!detail[0]) fail_msg("%s: no detail", raw);
    if (detail_has && !strstr(detail, detail_has)) fail_msg("%s: detail '%s' lacks '%s'", raw, detail, detail_has);
    vb_target_free(&t);
}

static void target_malformed(void **state)
{
    (void)state;
    expect_target_einval("/v1/articles?q=%zz", "q");
    expect_target_einval("/v1/articles?q=abc%f", "q");
    expect_target_einval("/v1/articles?q=%", "q");
    expect_target_einval("/v1/articles?q=%4", "q");
    expect_target_einval("/v1/articles?q=%ff", "q");        /* not UTF-8 once decoded */
    expect_target_einval("/v1/articles?q=%C3", "q");        /* truncated UTF-8 */
    expect_target_einval("/v1/articles?q=%C0%AF", "q");     /* overlong */
    expect_target_einval("/v1/articles?q=%ED%A0%80", "q");  /* surrogate */
    expect_target_einval("/v1/articles?q=a%0Ab", "q");      /* control characters */
    expect_target_einval("/v1/articles?q=%00", "q");
    expect_target_einval("/v1/articles?q=%7F", "q");
    expect_target_einval("/v1/articles?q=%09", "q");
    expect_target_einval("/v1/articles?q=a\tb", "q");       /* a raw one too */
    expect_target_einval("/v1/articles?date=2020&q%zz=1", "parameter name");
    expect_target_einval("/v1/articles?%ff=1", "parameter name");
    /* an error after good parameters frees them (run under ASan/valgrind to see) */
    expect_target_einval("/v1/articles?a=1&b=2&c=%zz", "c");
}

/* ---- vb_path_segments ---------------------------------------------------- */

static void free_segs(char **segs, size_t count)
{
    for (size_t i = 0; i < count; i++) free(segs[i]);
}

static void path_segments_decoded(void **state)
{
    (void)state;
    char *segs[4];
    size_t count = 99;
    char detail[256];
    assert_int_equal(vb_path_segments("/", segs, 4, &count, detail), VB_OK);
    assert_int_equal(count, 0);
    assert_int_equal(vb_path_segments("/v1/speakers/nicole%2Dozer", segs, 4, &count, detail), VB_OK);
    assert_int_equal(count, 3);
    assert_string_equal(segs[0], "v1");
    assert_string_equal(segs[1], "speakers");
    assert_string_equal(segs[2], "nicole-ozer");
    free_segs(segs, count);
    /* an encoded slash is part of its segment, '+' is a plus */
    assert_int_equal(vb_path_segments("/v1/speakers/a%2Fb+c", segs, 4, &count, detail), VB_OK);
    assert_int_equal(count, 3);
    assert_string_equal(segs[2], "a/b+c");
    free_segs(segs, count);
    assert_int_equal(vb_path_segments("/v1/speakers/fr%C3%A9" "d%C3%A9ric", segs, 4, &count, detail), VB_OK);
    assert_string_equal(segs[2], "fr\xC3\xA9" "d\xC3\xA9ric");
    free_segs(segs, count);
    assert_int_equal(vb_path_segments("/a/b/c/d", segs, 4, &count, detail), VB_OK);
    assert_int_equal(count, 4);
    free_segs(segs, count);
}

/* query.h says VB_EINVAL for a trailing slash or too many segments; the code
 * (and api.c, and docs: "a path that is no route answers 404") use
 * VB_ENOTFOUND. These tests follow the code; the header comment is stale. */
static void path_segments_no_such_path(void **state)
{
    (void)state;
    char *segs[4];
    size_t count;
    char detail[256];
    const char *paths[] = {"/v1/articles/", "/v1//articles", "//", "/a/b/c/d/e"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        detail[0] = '\0';
        vb_status rc = vb_path_segments(paths[i], segs, 4, &count, detail);
        if (rc != VB_ENOTFOUND) fail_msg("%s: want VB_ENOTFOUND, got %d", paths[i], (int)rc);
        assert_true(detail[0] != '\0');
        free_segs(segs, count);
    }
}

static void path_segments_malformed(void **state)
{
    (void)state;
    char *segs[4];
    size_t count;
    char detail[256];
    const char *paths[] = {"/v1/%zz", "/v1/articles/%f", "/v1/%ff", "/v1/a%0Ab", "/v1/%C3", "v1/articles", ""};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        detail[0] = '\0';
        count = 0;
        vb_status rc = vb_path_segments(paths[i], segs, 4, &count, detail);
        if (rc != VB_EINVAL) fail_msg("'%s': want VB_EINVAL, got %d", paths[i], (int)rc);
        assert_true(detail[0] != '\0');
        free_segs(segs, count);
    }
}

static void percent_decode_direct(void **state)
{
    (void)state;
    vb_status rc;
    char *s = vb_percent_decode("a+b%2B%41", 9, true, &rc);
    assert_int_equal(rc, VB_OK);
    assert_string_equal(s, "a b+A");
    free(s);
    s = vb_percent_decode("a+b", 3, false, &rc);
    assert_int_equal(rc, VB_OK);
    assert_string_equal(s, "a+b");
    free(s);
    s = vb_percent_decode("abc%2", 4, true, &rc); /* n bounds the input: "abc%" */
    assert_null(s);
    assert_int_equal(rc, VB_EINVAL);
    s = vb_percent_decode("", 0, true, &rc);
    assert_int_equal(rc, VB_OK);
    assert_string_equal(s, "");
    free(s);
}

/* ---- vb_params_check ----------------------------------------------------- */

static void params_check(void **state)
{
    (void)state;
    static const char *const allowed[] = {"date", "q", "limit", NULL};
    static const char *const none[] = {NULL};
    vb_target t;
    char detail[256];
    bool dup = true;

    assert_int_equal(vb_target_parse("/v1/articles?date=2020&q=x&limit=5", &t, detail), VB_OK);
    assert_int_equal(vb_params_check(&t, allowed, detail, &dup), VB_OK);
    assert_false(dup);
    vb_target_free(&t);

    assert_int_equal(vb_target_parse("/v1/articles?date=2020&bogus=1&other=2", &t, detail), VB_OK);
    detail[0] = '\0';
    assert_int_equal(vb_params_check(&t, allowed, detail, &dup), VB_EINVAL);
    assert_false(dup);
    assert_non_null(strstr(detail, "bogus"));
    assert_non_null(strstr(detail, "other"));     /* every unknown one is named */
    assert_non_null(strstr(detail, "date, q, limit"));
    vb_target_free(&t);

    assert_int_equal(vb_target_parse("/v1/articles?q=a&date=2020&q=b", &t, detail), VB_OK);
    detail[0] = '\0';
    assert_int_equal(vb_params_check(&t, allowed, detail, &dup), VB_EINVAL);
    assert_true(dup);
    assert_non_null(strstr(detail, "q"));
    vb_target_free(&t);

    /* unknown wins over duplicate */
    assert_int_equal(vb_target_parse("/healthz?x=1&x=1", &t, detail), VB_OK);
    assert_int_equal(vb_params_check(&t, none, detail, &dup), VB_EINVAL);
    assert_false(dup);
    assert_non_null(strstr(detail, "'x'"));
    assert_non_null(strstr(detail, "none"));
    vb_target_free(&t);

    assert_int_equal(vb_target_parse("/healthz", &t, detail), VB_OK);
    assert_int_equal(vb_params_check(&t, none, detail, &dup), VB_OK);
    vb_target_free(&t);
}

/* ---- vb_parse_dates ------------------------------------------------------ */

static void parse_dates_bounds(void **state)
{
    (void)state;
    vb_list_query q;
    char detail[256];
    memset(&q, 0, sizeof q);
    assert_int_equal(vb_parse_dates(NULL, NULL, NULL, &q, detail), VB_OK);
    assert_false(q.has_dates);

    assert_int_equal(vb_parse_dates("2020-06", NULL, NULL, &q, detail), VB_OK);
    assert_true(q.has_dates);
    assert_int_equal(q.from_day, 20200601);
    assert_int_equal(q.to_day, 20200630);

    assert_int_equal(vb_parse_dates(NULL, "2020-06", "2020-06-10", &q, detail), VB_OK);
    assert_int_equal(q.from_day, 20200601); /* first day of from's period */
    assert_int_equal(q.to_day, 20200610);   /* last day of to's period */

    assert_int_equal(vb_parse_dates(NULL, NULL, "2020", &q, detail), VB_OK);
    assert_true(q.has_dates);
    assert_int_equal(q.to_day, 20201231);
    assert_true(q.from_day <= 10000101);

    assert_int_equal(vb_parse_dates(NULL, "2024-02", NULL, &q, detail), VB_OK);
    assert_int_equal(q.from_day, 20240201);
    assert_true(q.to_day >= 99991231);

    /* date and from/to together: the intersection */
    assert_int_equal(vb_parse_dates("2020", "2020-06", "2020-09-15", &q, detail), VB_OK);
    assert_int_equal(q.from_day, 20200601);
    assert_int_equal(q.to_day, 20200915);

    /* from and to in one period is fine, and so is from's day = to's last */
    assert_int_equal(vb_parse_dates(NULL, "2020-06", "2020-06", &q, detail), VB_OK);
    assert_int_equal(vb_parse_dates(NULL, "2020-06-30", "2020-06", &q, detail), VB_OK);
    assert_int_equal(vb_parse_dates(NULL, "2020-06", "2020-06-01", &q, detail), VB_OK);
}

static void parse_dates_errors(void **state)
{
    (void)state;
    vb_list_query q;
    char detail[256];
    memset(&q, 0, sizeof q);
    detail[0] = '\0';
    assert_int_equal(vb_parse_dates(NULL, "2020-07", "2020-06-30", &q, detail), VB_EINVAL);
    assert_non_null(strstr(detail, "from"));
    assert_non_null(strstr(detail, "2020-07"));
    assert_non_null(strstr(detail, "to"));
    assert_non_null(strstr(detail, "2020-06-30"));
    detail[0] = '\0';
    assert_int_equal(vb_parse_dates(NULL, "2021", "2020", &q, detail), VB_EINVAL);
    assert_non_null(strstr(detail, "2021"));

    const struct { const char *date, *from, *to, *name, *value; } bad[] = {
        {"2020-13", NULL, NULL, "date", "2020-13"},
        {"2021-02-30", NULL, NULL, "date", "2021-02-30"},
        {"20-06", NULL, NULL, "date", "20-06"},
        {NULL, "2020-6", NULL, "from", "2020-6"},
        {NULL, NULL, "", "to", NULL},
        {NULL, "2020-01", "june", "to", "june"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        detail[0] = '\0';
        if (vb_parse_dates(bad[i].date, bad[i].from, bad[i].to, &q, detail) != VB_EINVAL) fail_msg("case %zu: want VB_EINVAL", i);
        if (strncmp(detail, bad[i].name, strlen(bad[i].name))) fail_msg("case %zu: detail '%s' should name %s", i, detail, bad[i].name);
        if (bad[i].value && !strstr(detail, bad[i].value)) fail_msg("case %zu: detail '%s' should quote the value", i, detail);
    }
}

/* ---- vb_fts_expression --------------------------------------------------- */

static void expect_fts(const char *q, const char *want)
{
    char detail[256] = "";
    char *got = vb_fts_expression(q, detail);
    if (!got) fail_msg("q '%s': NULL (%s)", q, detail);
    if (strcmp(got, want)) fail_msg("q '%s': got %s, want %s", q, got, want);
    free(got);
}

static void expect_fts_none(const char *q)
{
    char detail[256] = "";
    char *got = vb_fts_expression(q, detail);
    if (got) fail_msg("q '%s': want NULL, got %s", q, got);
    if (!strstr(detail, "q")) fail_msg("q '%s': detail '%s'", q, detail);
}

static void fts_words_quoted(void **state)
{
    (void)state;
    expect_fts("police", "\"police\"");
    expect_fts("reconnaissance faciale", "\"reconnaissance\" \"faciale\"");
    expect_fts("  a \t b  ", "\"a\" \"b\"");
    expect_fts("s\xC3\xA9" "curit\xC3\xA9", "\"s\xC3\xA9" "curit\xC3\xA9\"");
}

static void fts_prefix_and_phrase(void **state)
{
    (void)state;
    expect_fts("reconnai*", "\"reconnai\"*");
    expect_fts("\"reconnaissance faciale\"", "\"reconnaissance faciale\"");
    expect_fts("\"reconnaissance faciale\" police*", "\"reconnaissance faciale\" \"police\"*");
    expect_fts("amazon\"reconnaissance faciale\"", "\"amazon\" \"reconnaissance faciale\"");
    expect_fts("\"unclosed phrase", "\"unclosed phrase\"");
}

static void fts_syntax_neutralised(void **state)
{
    (void)state;
    expect_fts("a AND b", "\"a\" \"AND\" \"b\"");
    expect_fts("a OR b NOT c", "\"a\" \"OR\" \"b\" \"NOT\" \"c\"");
    expect_fts("NEAR(a b)", "\"NEAR(a\" \"b)\"");
    expect_fts("( a )", "\"a\"");
    expect_fts("title:police", "\"title:police\"");
    expect_fts("^start", "\"^start\"");
    expect_fts("-minus", "\"-minus\"");
    expect_fts("a*b", "\"a*b\"");
    expect_fts("{a b}:c", "\"{a\" \"b}:c\"");
}

static void fts_no_word(void **state)
{
    (void)state;
    expect_fts_none("");
    expect_fts_none("   ");
    expect_fts_none("*");
    expect_fts_none("\"\"");
    expect_fts_none("( ) : ^ - * + , ; \" \"");
    expect_fts_none("\xE2\x80\x94 \xC2\xAB \xC2\xBB");
}

/* ---- vb_parse_limit ------------------------------------------------------ */

static void parse_limit(void **state)
{
    (void)state;
    int limit = -1;
    char detail[256];
    assert_int_equal(vb_parse_limit(NULL, &limit, detail), VB_OK);
    assert_int_equal(limit, 20);
    assert_int_equal(vb_parse_limit("1", &limit, detail), VB_OK);
    assert_int_equal(limit, 1);
    assert_int_equal(vb_parse_limit("100", &limit, detail), VB_OK);
    assert_int_equal(limit, 100);
    assert_int_equal(vb_parse_limit("42", &limit, detail), VB_OK);
    assert_int_equal(limit, 42);
    const char *bad[] = {"0", "101", "abc", "", "1e2", "-1", "+5", " 5", "5 ", "1000", "99999999999", "2.5", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        detail[0] = '\0';
        if (vb_parse_limit(bad[i], &limit, detail) != VB_EINVAL) fail_msg("limit '%s' should be VB_EINVAL", bad[i]);
        assert_non_null(strstr(detail, "limit"));
    }
}

/* ---- cursors ------------------------------------------------------------- */

static vb_keyset keyset(long long num, long long pos, const char *text, const char *id)
{
    vb_keyset k;
    memset(&k, 0, sizeof k);
    k.num = num;
    k.pos = pos;
    snprintf(k.text, sizeof k.text, "%s", text);
    snprintf(k.id, sizeof k.id, "%s", id);
    return k;
}

static void cursor_round_trip(void **state)
{
    (void)state;
    const vb_keyset cases[] = {
        keyset(20200611, 0, "000_82893d1c11ed07a5", ""),
        keyset(1000000000LL + 20200601, 7, "003_4cb64669dd0f76e2", "003_4cb64669dd0f76e2"),
        keyset(-5, -1, "nicole ozer", "x"),
        keyset(0, 0, "", ""),
        keyset(3, 12, "s\xC3\xA9" "curit\xC3\xA9 \xE2\x80\x99", "id with spaces & symbols=/?"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[1024];
        vb_keyset back;
        vb_cursor_encode(&cases[i], 0x1234567890abcdefULL, out, sizeof out);
        assert_true(strlen(out) > 0);
        assert_int_equal(strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), strlen(out));
        assert_int_equal(vb_cursor_decode(out, 0x1234567890abcdefULL, &back), VB_OK);
        assert_true(back.num == cases[i].num);
        assert_true(back.pos == cases[i].pos);
        assert_string_equal(back.text, cases[i].text);
        assert_string_equal(back.id, cases[i].id);
    }
    /* the longest keys fit */
    vb_keyset big;
    memset(&big, 'a', sizeof big);
    big.text[sizeof big.text - 1] = '\0';
    big.id[sizeof big.id - 1] = '\0';
    big.num = 9223372036854775807LL;
    big.pos = -9223372036854775807LL - 1;
    char out[1200];
    vb_keyset back;
    vb_cursor_encode(&big, 42, out, sizeof out);
    assert_int_equal(vb_cursor_decode(out, 42, &back), VB_OK);
    assert_string_equal(back.text, big.text);
    assert_string_equal(back.id, big.id);
    assert_true(back.num == big.num);
    assert_true(back.pos == big.pos);
}

static void cursor_tampered(void **state)
{
    (void)state;
    vb_keyset k = keyset(20200611, 3, "000_82893d1c11ed07a5", "000_82893d1c11ed07a5"), back;
    char good[1024], bad[1024];
    vb_cursor_encode(&k, 7, good, sizeof good);
    size_t n = strlen(good);
    /* every single-character change in the body of the cursor is caught */
    for (size_t i = 0; i + 1 < n; i++) {
        memcpy(bad, good, n + 1);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        if (vb_cursor_decode(bad, 7, &back) != VB_EINVAL) fail_msg("change at %zu of %s accepted", i, good);
    }
    memcpy(bad, good, n + 1);
    bad[n / 2] = '!';
    assert_int_equal(vb_cursor_decode(bad, 7, &back), VB_EINVAL);
    bad[n / 2] = '=';
    assert_int_equal(vb_cursor_decode(bad, 7, &back), VB_EINVAL);
    memcpy(bad, good, n + 1);
    bad[n - 4] = '\0'; /* truncated */
    assert_int_equal(vb_cursor_decode(bad, 7, &back), VB_EINVAL);
    memcpy(bad, good, n + 1);
    strcat(bad, "AAAA"); /* extended */
    assert_int_equal(vb_cursor_decode(bad, 7, &back), VB_EINVAL);
    assert_int_equal(vb_cursor_decode("", 7, &back), VB_EINVAL);
    assert_int_equal(vb_cursor_decode("abc", 7, &back), VB_EINVAL);
    assert_int_equal(vb_cursor_decode("not a cursor", 7, &back), VB_EINVAL);
    char huge[2000];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(vb_cursor_decode(huge, 7, &back), VB_EINVAL);
}

static void cursor_other_query(void **state)
{
    (void)state;
    vb_keyset k = keyset(20200611, 3, "a", "b"), back;
    char out[1024];
    vb_cursor_encode(&k, 7, out, sizeof out);
    assert_int_equal(vb_cursor_decode(out, 8, &back), VB_EINVAL);
    assert_int_equal(vb_cursor_decode(out, 0, &back), VB_EINVAL);
    assert_int_equal(vb_cursor_decode(out, 7, &back), VB_OK);
}

/* An older cursor format ('1'), with a valid checksum, built by hand the way
 * query.c builds its cursors: VB_ENOTFOUND (410), not VB_EINVAL. */
static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void b64url(const char *raw, size_t n, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t len = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)raw[i] << 16;
        if (i + 1 < n) v |= (uint32_t)(unsigned char)raw[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)raw[i + 2];
        out[len++] = b64[(v >> 18) & 63];
        out[len++] = b64[(v >> 12) & 63];
        if (i + 1 < n) out[len++] = b64[(v >> 6) & 63];
        if (i + 2 < n) out[len++] = b64[v & 63];
    }
    out[len] = '\0';
}

static void cursor_older_format(void **state)
{
    (void)state;
    char raw[256], out[400];
    vb_keyset back;
    int n = snprintf(raw, sizeof raw, "1\x1f%016llx\x1f%lld\x1f%lld\x1f%s\x1f%s", 7ULL, 20200611LL, 0LL, "a", "b");
    n += snprintf(raw + n, sizeof raw - (size_t)n, "\x1f%08llx",
                  (unsigned long long)(fnv(raw, (size_t)n, 0xcbf29ce484222325ULL ^ 0x7665726261ULL) & 0xffffffffULL));
    b64url(raw, (size_t)n, out);
    assert_int_equal(vb_cursor_decode(out, 7, &back), VB_ENOTFOUND);

    /* the same built with format '2' is accepted: the construction is right */
    raw[0] = '2';
    n = snprintf(raw, sizeof raw, "2\x1f%016llx\x1f%lld\x1f%lld\x1f%s\x1f%s", 7ULL, 20200611LL, 0LL, "a", "b");
    n += snprintf(raw + n, sizeof raw - (size_t)n, "\x1f%08llx",
                  (unsigned long long)(fnv(raw, (size_t)n, 0xcbf29ce484222325ULL ^ 0x7665726261ULL) & 0xffffffffULL));
    b64url(raw, (size_t)n, out);
    assert_int_equal(vb_cursor_decode(out, 7, &back), VB_OK);
    assert_string_equal(back.text, "a");
}

/* ---- vb_query_hash ------------------------------------------------------- */

static unsigned long long hash_of(const char *route, const char *raw)
{
    vb_target t;
    char detail[256];
    assert_int_equal(vb_target_parse(raw, &t, detail), VB_OK);
    unsigned long long h = vb_query_hash(route, &t);
    vb_target_free(&t);
    return h;
}

static void query_hash(void **state)
{
    (void)state;
    unsigned long long base = hash_of("/v1/articles", "/v1/articles?date=2020&q=police&sort=date");
    assert_true(base == hash_of("/v1/articles", "/v1/articles?sort=date&q=police&date=2020"));
    assert_true(base == hash_of("/v1/articles", "/v1/articles?q=police&date=2020&sort=date&limit=5"));
    assert_true(base == hash_of("/v1/articles", "/v1/articles?cursor=abc&q=police&date=2020&sort=date"));
    assert_true(base == hash_of("/v1/articles", "/v1/articles?date=2020&q=p%6Flice&sort=date")); /* decoded values */
    assert_true(base != hash_of("/v1/quotes", "/v1/articles?date=2020&q=police&sort=date"));
    assert_true(base != hash_of("/v1/articles", "/v1/articles?date=2021&q=police&sort=date"));
    assert_true(base != hash_of("/v1/articles", "/v1/articles?date=2020&q=police"));
    assert_true(base != hash_of("/v1/articles", "/v1/articles?date=2020&q=police&sort=date&lang=fr"));
    assert_true(hash_of("/v1/articles", "/v1/articles?a=bc") != hash_of("/v1/articles", "/v1/articles?ab=c"));
    assert_true(hash_of("/v1/articles", "/v1/articles?a=1&b=2") != hash_of("/v1/articles", "/v1/articles?a=2&b=1"));
    assert_true(hash_of("/v1/articles", "/v1/articles") == hash_of("/v1/articles", "/v1/articles?limit=3&cursor=x"));
}

/* ---- vb_target_sanitize -------------------------------------------------- */

static void target_sanitize(void **state)
{
    (void)state;
    char buf[256] = "";
    vb_target_sanitize(buf, sizeof buf, "/v1/articles?q=a%20b&x=1");
    assert_string_equal(buf, "/v1/articles?q=a%20b&x=1"); /* already safe: unchanged */

    strcpy(buf, "see ");
    vb_target_sanitize(buf, sizeof buf, "/p?q=a b\n\t\x01\x7F");
    assert_string_equal(buf, "see /p?q=a%20b%0A%09%01%7F"); /* appended, controls escaped */

    buf[0] = '\0';
    vb_target_sanitize(buf, sizeof buf, "/p?q=100%&r=%zz&s=%4&t=%41");
    assert_string_equal(buf, "/p?q=100%25&r=%25zz&s=%254&t=%41"); /* a bare % is escaped */

    buf[0] = '\0';
    vb_target_sanitize(buf, sizeof buf, "/p?q=\"<x>\"\\caf\xC3\xA9");
    assert_string_equal(buf, "/p?q=%22<x>%22%5Ccaf%C3%A9");

    buf[0] = '\0';
    vb_target_sanitize(buf, sizeof buf, "/p?q=%");
    assert_string_equal(buf, "/p?q=%25");
}

static void target_sanitize_never_overflows(void **state)
{
    (void)state;
    char buf[16 + 8];
    memset(buf, '#', sizeof buf);
    buf[0] = '\0';
    vb_target_sanitize(buf, 16, "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c");
    assert_true(strlen(buf) < 16);
    assert_int_equal(strlen(buf) % 3, 0); /* whole escapes only */
    for (size_t i = 16; i < sizeof buf; i++) assert_int_equal(buf[i], '#');
    buf[0] = '\0';
    vb_target_sanitize(buf, 16, "/abcdefghijklmnopqrstuvwxyz");
    assert_true(strlen(buf) < 16);
    assert_true(strncmp(buf, "/abcdefghij", 11) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(target_path_only),
        cmocka_unit_test(target_params_split_and_decoded),
        cmocka_unit_test(target_odd_but_valid_shapes),
        cmocka_unit_test(target_malformed),
        cmocka_unit_test(path_segments_decoded),
        cmocka_unit_test(path_segments_no_such_path),
        cmocka_unit_test(path_segments_malformed),
        cmocka_unit_test(percent_decode_direct),
        cmocka_unit_test(params_check),
        cmocka_unit_test(parse_dates_bounds),
        cmocka_unit_test(parse_dates_errors),
        cmocka_unit_test(fts_words_quoted),
        cmocka_unit_test(fts_prefix_and_phrase),
        cmocka_unit_test(fts_syntax_neutralised),
        cmocka_unit_test(fts_no_word),
        cmocka_unit_test(parse_limit),
        cmocka_unit_test(cursor_round_trip),
        cmocka_unit_test(cursor_tampered),
        cmocka_unit_test(cursor_other_query),
        cmocka_unit_test(cursor_older_format),
        cmocka_unit_test(query_hash),
        cmocka_unit_test(target_sanitize),
        cmocka_unit_test(target_sanitize_never_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
