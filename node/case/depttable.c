/* depttable — the departments of this node's centre (depttable.h). */
#include "case/depttable.h"
#include "error.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The departments the seeds seat in a township or county centre (seeds 000, 002). */
static const struct {
    const char *name, *duty;
} defaults[] = {
    {"司法所", "人民调解、法律服务、社区矫正"},
    {"派出所", "治安纠纷、交通事故、轻微刑事"},
    {"信访办", "信访事项受理与督办"},
    {"人社所", "劳动人事争议、欠薪"},
    {"农业农村办", "土地承包经营、农村集体经济"},
    {"自然资源所", "土地权属、征地补偿"},
    {"人民法庭", "诉前调解、司法确认"},
    {"妇联", "婚姻家庭、妇女儿童权益"},
    {"综治中心", "统筹协调、跨部门事项"},
    {"市场监管所", "消费维权、市场秩序"},
};
#define N_DEFAULTS (sizeof defaults / sizeof defaults[0])

#define PREFIX "dept:"
#define PREFIX_LEN 5

const char *depttable_bad_name(const char *name)
{
    if (!name || !name[0])
        return "部门名称不能为空";
    if (strlen(name) > DEPT_NAME_MAX)
        return "部门名称过长（最多 20 个汉字）";
    if (!utf8_valid(name))
        return "部门名称不是有效的 UTF-8 文字";
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == ',' || *p == 0x7f)
            return "部门名称不能含逗号或控制字符";
    if (strstr(name, "，"))
        return "部门名称不能含逗号或控制字符";
    return NULL;
}

static int default_index(const char *name)
{
    for (size_t i = 0; i < N_DEFAULTS; i++)
        if (strcmp(defaults[i].name, name) == 0)
            return (int)i;
    return -1;
}

static size_t key_of(const char *name, char *buf)
{
    size_t n = strlen(name);
    memcpy(buf, PREFIX, PREFIX_LEN);
    memcpy(buf + PREFIX_LEN, name, n);
    return PREFIX_LEN + n;
}

/* A default as a new record (the system allocator, like an unpacked one). */
static Jiefen__DeptRecord *default_record(size_t i)
{
    Jiefen__DeptRecord *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    jiefen__dept_record__init(r);
    r->name = strdup(defaults[i].name);
    r->duty = strdup(defaults[i].duty);
    r->order = (uint32_t)i + 1;
    if (!r->name || !r->duty) {
        free(r->name);
        free(r->duty);
        free(r);
        return NULL;
    }
    return r;
}

int depttable_get(store *st, MDB_txn *txn, const char *name, Jiefen__DeptRecord **out)
{
    char key[PREFIX_LEN + DEPT_NAME_MAX];
    *out = NULL;
    if (depttable_bad_name(name))
        return 0;
    int rc = STORE_GET_MESSAGE(txn, st->meta, key, key_of(name, key),
                               &jiefen__dept_record__descriptor, out);
    if (rc || *out)
        return rc;
    int i = default_index(name);
    if (i >= 0 && !(*out = default_record((size_t)i)))
        return -ENOMEM;
    return 0;
}

/* The walk of the departments added: the defaults' edits (already given) skipped. */
struct each {
    store_message_fn fn;
    void *arg;
};

static int each_added(const ProtobufCMessage *m, void *arg)
{
    const struct each *e = arg;
    const Jiefen__DeptRecord *r = (const Jiefen__DeptRecord *)m;
    return default_index(r->name) >= 0 ? 0 : e->fn(m, e->arg);
}

int depttable_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    int rc = 0;
    for (size_t i = 0; i < N_DEFAULTS && rc == 0; i++) {
        Jiefen__DeptRecord *r = NULL;
        if ((rc = depttable_get(st, txn, defaults[i].name, &r)) == 0)
            rc = r ? fn(&r->base, arg) : -ENOMEM;
        depttable_free(&r);
    }
    if (rc)
        return rc == STORE_STOP ? 0 : rc;
    struct each e = {fn, arg};
    struct store_range range = {.prefix = PREFIX, .prefix_len = PREFIX_LEN};
    return store_walk_messages(txn, st->meta, &range, &jiefen__dept_record__descriptor,
                               each_added, &e);
}

int depttable_put(store *st, MDB_txn *txn, const Jiefen__DeptRecord *r)
{
    char key[PREFIX_LEN + DEPT_NAME_MAX];
    if (depttable_bad_name(r->name))
        return JF_EINVAL;
    return store_put_message(txn, st->meta, key, key_of(r->name, key), &r->base);
}

void depttable_free(Jiefen__DeptRecord **r)
{
    if (!r || !*r)
        return;
    jiefen__dept_record__free_unpacked(*r, NULL);
    *r = NULL;
}
