/* receiptdir — 回单 as files in the exchange folder (receiptdir.h). */
#include "outbox/receiptdir.h"
#include "clock.h"
#include "durfile.h"
#include "error.h"
#include "outbox/httppost.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define NO_MAX 64

int receiptdir_name_ok(const char *no)
{
    size_t n = no ? strlen(no) : 0;
    return n > 0 && n <= NO_MAX && strspn(no, NAME_CHARS) == n;
}

/* Makes dir unless it is there. 0 or a negative errno. */
static int make_dir(const char *dir)
{
    return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

/* <drop_dir>/<system>/receipts into dir, made when missing (not drop_dir itself). */
static int receipts_dir(const char *drop_dir, const char *system, char dir[PATH_MAX],
                        char *why, size_t whylen)
{
    struct stat sb;
    int n = snprintf(dir, PATH_MAX, "%s/%s", drop_dir, system);
    int rc = n < 0 || n >= PATH_MAX - 10 ? -ENAMETOOLONG : 0;
    if (rc == 0 && stat(drop_dir, &sb))
        rc = -errno;
    if (rc) {
        snprintf(why, whylen, "交换目录不可用：%s（%s）", drop_dir, jf_strerror(rc));
        return rc;
    }
    if ((rc = make_dir(dir)) == 0) {
        strcat(dir, "/receipts");
        rc = make_dir(dir);
    }
    if (rc)
        snprintf(why, whylen, "交换目录不可写：%s（%s）", dir, jf_strerror(rc));
    return rc;
}

int receiptdir_write(const char *drop_dir, const char *system, const char *secret,
                     const char *order_no, const char *key, const char *body, char *why,
                     size_t whylen)
{
    if (!receiptdir_name_ok(order_no) || !receiptdir_name_ok(key)) {
        snprintf(why, whylen, "工单号不能用作交换目录的文件名");
        return JF_EINVAL;
    }
    char dir[PATH_MAX], name[2 * NO_MAX + 16], sig_name[sizeof name + 4];
    char ts[24], sig[65], line[96];
    int rc = receipts_dir(drop_dir, system, dir, why, whylen);
    if (rc)
        return rc;
    snprintf(name, sizeof name, "%s.%s.json", order_no, key);
    snprintf(sig_name, sizeof sig_name, "%s.sig", name);
    snprintf(ts, sizeof ts, "%lld", (long long)clock_now_ms());
    httppost_sign(secret, ts, body, sig);
    int len = snprintf(line, sizeof line, "%s %s\n", ts, sig);
    rc = durfile_put(dir, sig_name, line, (size_t)len, 0644);
    if (rc == 0)
        rc = durfile_put(dir, name, body, strlen(body), 0644);
    if (rc)
        snprintf(why, whylen, "交换目录不可写：%s/%s（%s）", dir, name,
                 jf_strerror(rc));
    return rc;
}
