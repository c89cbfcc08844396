#include "case/resident_id.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

char resident_id_check_char(const char *id17)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id17[i] - '0') * weights[i];
    return map[sum % 11];
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int valid_date(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= days[m - 1] + (m == 2 && is_leap(y));
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

const char *resident_id_check(const char *id, int64_t today_ms, char *buf, unsigned buflen)
{
    if (strlen(id) != 18)
        return "身份证号码应为18位";
    for (int i = 0; i < 17; i++)
        if (id[i] < '0' || id[i] > '9')
            return "身份证号码前17位应为数字";
    /* Province codes run from 11 (Beijing) to 82 (Macao); 10 and below do not exist. */
    int province = digits(id, 2);
    if (province < 11 || province > 82)
        return "身份证号码地区码无效";
    int y = digits(id + 6, 4), m = digits(id + 10, 2), d = digits(id + 12, 2);
    if (!valid_date(y, m, d))
        return "身份证号码出生日期无效";
    time_t now = (time_t)(today_ms / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    long birth = (long)y * 10000 + m * 100 + d;
    long today = (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if (birth > today)
        return "身份证号码出生日期晚于今天";
    char want = resident_id_check_char(id);
    char got = id[17] == 'x' ? 'X' : id[17];
    if (got != want) {
        snprintf(buf, buflen, "身份证号码校验位错误：应为 %c", want);
        return buf;
    }
    return NULL;
}

void resident_id_normalize(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)in;
    while (*s && o + 1 < outlen) {
        char c = 0;
        size_t used = 1;
        if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) {
            used = 3; /* U+3000 */
        } else if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) {
            c = (char)('0' + (s[2] - 0x90)), used = 3; /* U+FF10..FF19 */
        } else if ((s[0] == 0xEF && s[1] == 0xBC && s[2] == 0xB8) ||
                   (s[0] == 0xEF && s[1] == 0xBD && s[2] == 0x98)) {
            c = 'X', used = 3; /* U+FF38, U+FF58 */
        } else if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            c = 0;
        } else {
            c = *s == 'x' ? 'X' : (char)*s;
        }
        if (c)
            out[o++] = c;
        s += used;
    }
    out[o] = 0;
}
