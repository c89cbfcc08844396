#include "ctl_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 5000L
#define TOTAL_TIMEOUT_MS 120000L
/* Far above any reply the API sends (a page is at most 500 cases); a runaway peer stops
 * here instead of eating the memory. */
#define MAX_REPLY ((size_t)64 * 1024 * 1024)

struct ctl_client {
    CURL *curl;
    char *dir;
    char *addr_path;             /* DIR/jiefend.addr, for messages */
    char *addr;                  /* HOST:PORT */
    char *time_zone;             /* the node's, from the same file; NULL if absent */
    char *token;                 /* wiped before it is freed */
    char *errmsg;                /* last failure, NULL when none or out of memory */
    int last_rc;
    char *reply;                 /* the body being received */
    size_t reply_len, reply_cap;
    int reply_oom, reply_too_large;
    int sink;                    /* -1, or where a download's 2xx body goes */
    size_t sunk;                 /* bytes written there */
    int sink_errno;              /* why writing there failed, 0 if it did not */
    char errbuf[CURL_ERROR_SIZE];  /* curl writes at most CURL_ERROR_SIZE bytes here */
};

static const char *const ctl_messages[] = {
    "jiefend 未运行（没有 jiefend.addr）",
    "jiefend.addr 无法读取或不是 HOST:PORT",
    "admin.token 不存在、无法读取或为空",
    "无法连接 jiefend",
    "jiefend 没有及时回复",
    "jiefend 的回复无法使用",
    "libcurl 出错",
    "下载中途中断",
};

const char *ctl_strerror(int code)
{
    if (code >= CTL_EBASE && code < CTL_ELAST)
        return ctl_messages[code - CTL_EBASE];
    if (code < 0)
        return strerror(-code);
    return code == 0 ? "成功" : "未知错误";
}

/* ---- errors -------------------------------------------------------------------------- */

static void clear_error(ctl_client *c)
{
    free(c->errmsg);
    c->errmsg = NULL;
    c->last_rc = 0;
}

/* Records the failure `rc` with a formatted message and returns rc. */
static int set_error(ctl_client *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_error(ctl_client *c, int rc, const char *fmt, ...)
{
    va_list ap;
    clear_error(c);
    c->last_rc = rc;
    va_start(ap, fmt);
    if (vasprintf(&c->errmsg, fmt, ap) < 0)
        c->errmsg = NULL;   /* ctl_client_errmsg() falls back to ctl_strerror() */
    va_end(ap);
    return rc;
}

const char *ctl_client_errmsg(const ctl_client *c)
{
    if (!c || !c->last_rc)
        return "";
    return c->errmsg ? c->errmsg : ctl_strerror(c->last_rc);
}

/* ---- the data directory -------------------------------------------------------------- */

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

/* DIR/name, malloc'd; NULL when out of memory. */
static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    char *path = NULL;
    if (asprintf(&path, "%.*s/%s", (int)n, dir, name) < 0)
        return NULL;
    return path;
}

/* Reads line `index` (from 0) of `path` into *line (malloc'd, without its line end; ""
 * when the file has no such line). Unbuffered, so no stdio buffer keeps a copy of a
 * secret. 0 or -errno. */
static int read_line(const char *path, int index, char **line)
{
    *line = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    int rc = setvbuf(f, NULL, _IONBF, 0) == 0 ? 0 : -EIO;
    size_t cap = 0;
    ssize_t n = 0;
    errno = 0;
    /* getline() reports ENOMEM without setting the stream's error flag */
    for (int i = 0; i <= index && rc == 0 && n >= 0; i++)
        if ((n = getline(line, &cap, f)) < 0 && (ferror(f) || errno == ENOMEM))
            rc = errno ? -errno : -EIO;
    if (fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && !*line && !(*line = calloc(1, 1)))
        rc = -ENOMEM;
    if (rc) {
        if (*line)
            explicit_bzero(*line, cap);
        free(*line);
        *line = NULL;
        return rc;
    }
    if (n < 0)         /* no such line: getline() may leave the buffer unterminated */
        (*line)[0] = 0;
    (*line)[strcspn(*line, "\r\n")] = 0;
    return 0;
}

/* HOST:PORT with HOST a name, an IPv4 address or a bracketed IPv6 address. */
static int addr_valid(const char *a)
{
    const char *colon = strrchr(a, ':');
    if (!colon || colon == a)
        return 0;
    const char *port = colon + 1;
    size_t plen = strlen(port), hlen = (size_t)(colon - a);
    if (plen == 0 || plen > 5 || strspn(port, "0123456789") != plen)
        return 0;
    long p = strtol(port, NULL, 10);
    if (p < 1 || p > 65535)
        return 0;
    if (a[0] == '[')
        return hlen > 2 && a[hlen - 1] == ']' &&
               strspn(a + 1, "0123456789abcdefABCDEF:.") == hlen - 2;
    return strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == hlen;
}

#define ZONE_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+-"

static int load_addr(ctl_client *c)
{
    if (!(c->addr_path = path_in(c->dir, "jiefend.addr")))
        return set_error(c, -ENOMEM, "内存不足");
    int rc = read_line(c->addr_path, 0, &c->addr);
    if (rc == -ENOENT)
        return set_error(c, CTL_ENOTRUNNING, "jiefend 未在 %s 运行（没有 %s）", c->dir,
                         c->addr_path);
    if (rc == -ENOMEM)
        return set_error(c, rc, "内存不足");
    if (rc)
        return set_error(c, CTL_EADDR, "无法读取 %s：%s", c->addr_path, strerror(-rc));
    if (!addr_valid(c->addr))
        return set_error(c, CTL_EADDR, "%s 中不是 HOST:PORT", c->addr_path);
    /* The second line, the node's time zone, is absent in files of older versions. */
    if ((rc = read_line(c->addr_path, 1, &c->time_zone)) == -ENOMEM)
        return set_error(c, rc, "内存不足");
    if (rc || strspn(c->time_zone, ZONE_CHARS) != strlen(c->time_zone)) {
        free(c->time_zone);
        c->time_zone = NULL;
    }
    return 0;
}

const char *ctl_client_time_zone(const ctl_client *c)
{
    return c->time_zone && c->time_zone[0] ? c->time_zone : NULL;
}

/* A token goes into a header line: no control characters, so no header injection. */
static int token_valid(const char *t)
{
    if (!t[0])
        return 0;
    for (; *t; t++)
        if ((unsigned char)*t < 0x20 || *t == 0x7f)
            return 0;
    return 1;
}

static int load_token(ctl_client *c)
{
    char *path = path_in(c->dir, "admin.token");
    if (!path)
        return set_error(c, -ENOMEM, "内存不足");
    int rc = read_line(path, 0, &c->token);
    if (rc == -ENOMEM)
        rc = set_error(c, rc, "内存不足");
    else if (rc)
        rc = set_error(c, CTL_ETOKEN, "无法读取管理令牌 %s：%s", path,
                       strerror(-rc));
    else if (!token_valid(c->token))
        rc = set_error(c, CTL_ETOKEN, "%s 中没有令牌", path);
    free(path);
    return rc;
}

static void forget_node(ctl_client *c)
{
    wipe_free(c->token);
    free(c->addr);
    free(c->time_zone);
    free(c->addr_path);
    free(c->dir);
    c->token = c->addr = c->time_zone = c->addr_path = c->dir = NULL;
}

int ctl_client_open(ctl_client *c, const char *dir)
{
    if (!c || !dir || !dir[0])
        return -EINVAL;
    forget_node(c);
    clear_error(c);
    if (!(c->dir = strdup(dir)))
        return set_error(c, -ENOMEM, "内存不足");
    int rc = load_addr(c);
    if (rc == 0)
        rc = load_token(c);
    if (rc)
        forget_node(c);   /* keeps the message */
    return rc;
}

/* ---- the client ---------------------------------------------------------------------- */

/* Whether the data arriving goes to the download's file: there is one, and the reply is a
 * success (the status is known once the headers are in, before any of the body). */
static int to_sink(ctl_client *c)
{
    long status = 0;
    return c->sink >= 0 &&
           curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
           status >= 200 && status < 300;
}

static size_t sink_write(ctl_client *c, const char *p, size_t n)
{
    for (size_t left = n; left > 0;) {
        ssize_t w = write(c->sink, p, left);
        if (w < 0 && errno != EINTR) {
            c->sink_errno = errno;
            return 0;   /* curl stops with CURLE_WRITE_ERROR */
        }
        if (w > 0)
            p += w, left -= (size_t)w;
    }
    c->sunk += n;
    return n;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
    ctl_client *c = arg;
    size_t n = size * nmemb;
    if (to_sink(c))
        return sink_write(c, ptr, n);
    if (n > MAX_REPLY - c->reply_len) {
        c->reply_too_large = 1;
        return 0;
    }
    if (c->reply_len + n + 1 > c->reply_cap) {
        size_t cap = c->reply_cap ? c->reply_cap : 4096;
        while (cap < c->reply_len + n + 1)
            cap *= 2;
        char *p = realloc(c->reply, cap);
        if (!p) {
            c->reply_oom = 1;
            return 0;
        }
        c->reply = p, c->reply_cap = cap;
    }
    memcpy(c->reply + c->reply_len, ptr, n);
    c->reply_len += n;
    c->reply[c->reply_len] = 0;
    return n;
}

/* Options that stay the same for every request. */
static int setup_curl(ctl_client *c)
{
    CURL *h = c->curl;
    if (curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK ||  /* ignore http_proxy */
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_USERAGENT, "jiefenctl") != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_WRITEDATA, c) != CURLE_OK)
        return -1;
#if LIBCURL_VERSION_NUM >= 0x075500
    if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK)
        return -1;
#endif
    return 0;
}

ctl_client *ctl_client_new(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    ctl_client *c = calloc(1, sizeof *c);
    if (!c) {
        curl_global_cleanup();
        return NULL;
    }
    c->sink = -1;
    if ((c->curl = curl_easy_init()) && setup_curl(c) == 0)
        return c;
    ctl_client_destroy(&c);   /* runs the matching curl_global_cleanup() */
    return NULL;
}

void ctl_client_destroy(ctl_client **cp)
{
    if (!cp || !*cp)
        return;
    ctl_client *c = *cp;
    forget_node(c);
    clear_error(c);
    free(c->reply);
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c);
    curl_global_cleanup();
    *cp = NULL;
}

char *ctl_client_escape(ctl_client *c, const char *s)
{
    if (!c || !s)
        return NULL;
    char *e = curl_easy_escape(c->curl, s, 0);
    if (!e)
        return NULL;
    char *copy = strdup(e);
    curl_free(e);
    return copy;
}

/* Appends a header line; on failure frees the whole list. */
static int add_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *l = curl_slist_append(*list, line);
    if (!l) {
        curl_slist_free_all(*list);
        *list = NULL;
        return -ENOMEM;
    }
    *list = l;
    return 0;
}

static void free_headers(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l; l = l->next)
        explicit_bzero(l->data, strlen(l->data));   /* one of them holds the token */
    curl_slist_free_all(list);
}

/* The request's header lines, or NULL when out of memory. `json`: only JSON is wanted. */
static struct curl_slist *make_headers(const ctl_client *c, int post, int json)
{
    struct curl_slist *list = NULL;
    char *auth = NULL;
    if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0)
        return NULL;
    int rc = add_header(&list, auth);
    wipe_free(auth);
    if (rc == 0)
        rc = add_header(&list, json ? "Accept: application/json" : "Accept: */*");
    if (rc == 0 && post)
        rc = add_header(&list, "Content-Type: application/json");
    if (rc == 0 && post)   /* no "Expect: 100-continue": send the body at once */
        rc = add_header(&list, "Expect:");
    return list;
}

static int set_method(ctl_client *c, int post, const char *body, size_t len)
{
    CURL *h = c->curl;
    if (!post)
        return curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) == CURLE_OK ? 0 : -1;
    if (curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "") != CURLE_OK)
        return -1;
    return 0;
}

/* Maps a failed transfer to a CTL_E* code with its message. */
static int transfer_error(ctl_client *c, CURLcode cc)
{
    const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc);
    if (cc == CURLE_OUT_OF_MEMORY || (cc == CURLE_WRITE_ERROR && c->reply_oom))
        return set_error(c, -ENOMEM, "内存不足");
    if (cc == CURLE_WRITE_ERROR && c->sink_errno)
        return set_error(c, -c->sink_errno, "无法写入正在下载的文件：%s",
                         strerror(c->sink_errno));
    if (cc == CURLE_WRITE_ERROR && c->reply_too_large)
        return set_error(c, CTL_EREPLY, "%s 的 jiefend 回复超过 %zu MiB",
                         c->addr, MAX_REPLY >> 20);
    if (c->sunk > 0)   /* the node cut it off (it failed), or the link broke */
        return set_error(c, CTL_ECUT, "下载中途中断（已收到 %zu 字节）：%s；文件未保存",
                         c->sunk, why);
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return set_error(c, CTL_ETIMEOUT, "%s 的 jiefend 没有回复：%s", c->addr, why);
    if (cc == CURLE_WEIRD_SERVER_REPLY || cc == CURLE_UNSUPPORTED_PROTOCOL ||
        cc == CURLE_BAD_CONTENT_ENCODING)
        return set_error(c, CTL_EREPLY, "%s 的 jiefend 回复无法使用：%s", c->addr, why);
    return set_error(c, CTL_ECONNECT, "无法连接 %s 的 jiefend（地址取自 %s）：%s", c->addr,
                     c->addr_path, why);
}

static int perform(ctl_client *c, long *status)
{
    c->errbuf[0] = 0;
    c->reply_len = 0;
    c->reply_oom = c->reply_too_large = 0;
    c->sunk = 0;
    c->sink_errno = 0;
    CURLcode cc = curl_easy_perform(c->curl);
    if (cc != CURLE_OK)
        return transfer_error(c, cc);
    if (curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status) != CURLE_OK ||
        *status < 100 || *status > 599) {
        *status = 0;
        return set_error(c, CTL_EREPLY, "%s 的 jiefend 回复中没有 HTTP 状态", c->addr);
    }
    return 0;
}

/* Sets URL, method and headers; *hdr receives the header list to free afterwards. */
static int prepare(ctl_client *c, int post, const char *path, const char *body, size_t len,
                   struct curl_slist **hdr)
{
    char *url = NULL;
    if (asprintf(&url, "http://%s%s", c->addr, path) < 0)
        return set_error(c, -ENOMEM, "内存不足");
    CURLcode cc = curl_easy_setopt(c->curl, CURLOPT_URL, url);   /* curl copies it */
    free(url);
    if (cc != CURLE_OK)
        return set_error(c, cc == CURLE_OUT_OF_MEMORY ? -ENOMEM : CTL_ECURL,
                         "%s 不是可用的地址：%s", path, curl_easy_strerror(cc));
    if (!(*hdr = make_headers(c, post, c->sink < 0)))
        return set_error(c, -ENOMEM, "内存不足");
    if (curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, *hdr) != CURLE_OK ||
        set_method(c, post, body, len) != 0)
        return set_error(c, CTL_ECURL, "libcurl 不接受请求的选项");
    return 0;
}

/* Leaves the handle without pointers into memory about to be freed. */
static int unprepare(ctl_client *c)
{
    if (curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL) != CURLE_OK ||
        curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L) != CURLE_OK)
        return set_error(c, CTL_ECURL, "libcurl 无法重置连接句柄");
    return 0;
}

/* jansson does not report every allocation failure as such (some look like syntax
 * errors), so while parsing a reply its allocator notes failures here. */
static json_malloc_t parse_malloc_next;
static int parse_malloc_failed;

static void *parse_malloc(size_t n)
{
    void *p = parse_malloc_next(n);
    parse_malloc_failed |= !p;
    return p;
}

/* *json is the reply parsed, or NULL when it is not JSON; -ENOMEM is ours, not the peer's.
 * Swaps jansson's allocator for the call: not thread-safe, as jiefenctl needs none. */
static int parse_reply(ctl_client *c, json_t **json)
{
    json_free_t free_fn;
    json_get_alloc_funcs(&parse_malloc_next, &free_fn);
    json_set_alloc_funcs(parse_malloc, free_fn);
    parse_malloc_failed = 0;
    *json = json_loadb(c->reply, c->reply_len, 0, NULL);
    json_set_alloc_funcs(parse_malloc_next, free_fn);
    if (!*json && parse_malloc_failed)
        return set_error(c, -ENOMEM, "内存不足");
    return 0;
}

/* One request and its complete reply: the body is in c->reply, or went to the sink. */
static int exchange(ctl_client *c, int post, const char *path, const char *body, size_t len,
                    long *status)
{
    clear_error(c);
    struct curl_slist *hdr = NULL;
    int rc = prepare(c, post, path, body, len, &hdr);
    if (rc == 0)
        rc = perform(c, status);
    int rc2 = unprepare(c);
    free_headers(hdr);
    if (rc == 0)
        rc = rc2;
    if (rc)
        *status = 0;
    return rc;
}

int ctl_client_request(ctl_client *c, const char *method, const char *path, const char *body,
                       size_t body_len, long *status, json_t **json)
{
    if (status)
        *status = 0;
    if (json)
        *json = NULL;
    if (!c || !method || !path || path[0] != '/' || !status || !json)
        return -EINVAL;
    int post = strcmp(method, "POST") == 0;
    if ((!post && (strcmp(method, "GET") != 0 || body)) || !c->addr || !c->token)
        return set_error(c, -EINVAL, "请求参数有误（或尚未打开节点）");
    int rc = exchange(c, post, path, body, body_len, status);
    if (rc == 0 && c->reply_len && (rc = parse_reply(c, json)) != 0)
        *status = 0;
    return rc;
}

int ctl_client_download(ctl_client *c, const char *path, int fd, long *status, size_t *written,
                        json_t **json)
{
    if (status)
        *status = 0;
    if (written)
        *written = 0;
    if (json)
        *json = NULL;
    if (!c || !path || path[0] != '/' || fd < 0 || !status || !written || !json)
        return -EINVAL;
    if (!c->addr || !c->token)
        return set_error(c, -EINVAL, "尚未打开节点");
    c->sink = fd;
    int rc = exchange(c, 0, path, NULL, 0, status);
    c->sink = -1;
    if (rc == 0 && *status >= 200 && *status < 300)
        *written = c->sunk;
    else if (rc == 0 && c->reply_len && (rc = parse_reply(c, json)) != 0)
        *status = 0;
    return rc;
}
