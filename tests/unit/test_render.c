/* test_render.c - unit tests for render.h: JSON strings as `verbatimd
 * extract` writes them. The escaper looks at 8 bytes a step, so every
 * byte that needs escaping is tried at every position of such a step, and
 * jansson (a separate JSON reader) must read back the very string given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "verbatim/render.h"

/* s as a JSON string by vb_buf_json, read back by jansson: the same bytes. */
static void assert_round_trip(const char *s)
{
    vb_buf b = {0};
    vb_buf_json(&b, s);
    assert_false(b.failed);
    json_error_t err;
    json_t *v = json_loadb(b.s, b.n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    assert_non_null(v);
    assert_true(json_is_string(v));
    assert_int_equal(json_string_length(v), strlen(s));
    assert_memory_equal(json_string_value(v), s, strlen(s));
    json_decref(v);
    free(b.s);
}

static void json_plain_and_empty(void **state)
{
    (void)state;
    vb_buf b = {0};
    vb_buf_json(&b, "");
    vb_buf_json(&b, "abc");
    vb_buf_json(&b, NULL);
    vb_buf_json(&b, "exactly 16 bytes");
    assert_string_equal(b.s, "\"\"\"abc\"null\"exactly 16 bytes\"");
    free(b.s);
}

static void json_escapes_named(void **state)
{
    (void)state;
    vb_buf b = {0};
    vb_buf_json(&b, "a\"b\\c\nd\te\rf\x01g\x1f");
    assert_string_equal(b.s, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u001f\"");
    free(b.s);
}

static void json_every_special_byte_at_every_offset(void **state)
{
    (void)state;
    char s[40];
    for (int c = 1; c < 0x80; c++) {
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F && c != 'x') continue; /* plus a plain one */
        for (size_t at = 0; at < 24; at++) {
            for (size_t len = at + 1; len < sizeof s; len += 7) {
                memset(s, 'a', len);
                s[len] = '\0';
                s[at] = (char)c;
                assert_round_trip(s);
            }
        }
    }
}

static void json_utf8_passes_through(void **state)
{
    (void)state;
    /* bytes over 0x7F are never escaped, whatever their neighbours */
    assert_round_trip("\xC2\xAB Reconnaissance faciale \xC2\xBB, a d\xC3\xA9" "clar\xC3\xA9 l'\xC3\xA9lu\n");
    assert_round_trip("\xE2\x80\x9C" "\"" "\xE2\x80\x9D\xF0\x9F\x98\x80\\\x1F\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
    vb_buf b = {0};
    vb_buf_json(&b, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
    assert_string_equal(b.s, "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"");
    free(b.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_plain_and_empty),
        cmocka_unit_test(json_escapes_named),
        cmocka_unit_test(json_every_special_byte_at_every_offset),
        cmocka_unit_test(json_utf8_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
