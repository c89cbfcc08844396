/* utf8 (common/utf8.h): one decoder for the daemon, its exports and jiefenctl. Valid
 * sequences decode to their code point and length; a byte that starts no valid sequence
 * (overlong, surrogate, past U+10FFFF, cut short, a stray continuation) decodes alone to
 * UTF8_BAD and never reads past the NUL; lengths count code points; wide characters take
 * two columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "utf8.h"

#include <stdio.h>
#include <string.h>

static void check_next(const char *s, size_t want_len, uint32_t want_cp)
{
    uint32_t cp;
    size_t n = utf8_next(s, &cp);
    printf("  %-18s -> length %zu, U+%04X\n", s[0] ? "(bytes)" : "(empty)", n, (unsigned)cp);
    assert_int_equal(n, want_len);
    assert_int_equal(cp, want_cp);
}

static void test_decodes_each_length(void **state)
{
    (void)state;
    check_next("a", 1, 'a');
    check_next("\xC3\xA9", 2, 0xE9);              /* é */
    check_next("\xE4\xB8\x9C", 3, 0x4E1C);        /* 东 */
    check_next("\xF0\xA0\x80\x80", 4, 0x20000);   /* CJK Extension B */
    check_next("\xEF\xBF\xBD", 3, 0xFFFD);
}

static void test_bad_bytes_decode_alone(void **state)
{
    (void)state;
    check_next("\xC0\xAF", 1, UTF8_BAD);         /* overlong '/' */
    check_next("\xE0\x80\xAF", 1, UTF8_BAD);     /* overlong, 3 bytes */
    check_next("\xED\xA0\x80", 1, UTF8_BAD);     /* a surrogate */
    check_next("\xF4\x90\x80\x80", 1, UTF8_BAD); /* past U+10FFFF */
    check_next("\xF5\x80\x80\x80", 1, UTF8_BAD);
    check_next("\x80", 1, UTF8_BAD);             /* a stray continuation */
    check_next("\xE4\xB8", 1, UTF8_BAD);         /* cut short by the NUL: not read past */
    check_next("\xE4" "a", 1, UTF8_BAD);
}

static void test_valid_and_chars(void **state)
{
    (void)state;
    assert_true(utf8_valid(""));
    assert_true(utf8_valid("张三 Zhang San"));
    assert_false(utf8_valid("ab\xFF"));
    assert_false(utf8_valid("\xED\xBF\xBF"));
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars("东村3组"), 4);
    assert_int_equal(utf8_chars("\xF0\xA0\x80\x80x"), 2);
    assert_int_equal(utf8_chars("a\xFF" "b"), 3); /* a bad byte counts as one */
}

static void test_widths(void **state)
{
    (void)state;
    assert_int_equal(utf8_width('a'), 1);
    assert_int_equal(utf8_width(0xE9), 1);
    assert_int_equal(utf8_width(0x4E1C), 2);  /* 东 */
    assert_int_equal(utf8_width(0x3001), 2);  /* 、 */
    assert_int_equal(utf8_width(0xFF0C), 2);  /* full-width comma */
    assert_int_equal(utf8_width(0xAC00), 2);  /* hangul */
    assert_int_equal(utf8_width(0x20000), 2);
    assert_int_equal(utf8_width(0x303F), 1);  /* half-fill space is narrow */
    assert_int_equal(utf8_width(0xFF61), 1);  /* half-width katakana punctuation */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decodes_each_length),
        cmocka_unit_test(test_bad_bytes_decode_alone),
        cmocka_unit_test(test_valid_and_chars),
        cmocka_unit_test(test_widths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
