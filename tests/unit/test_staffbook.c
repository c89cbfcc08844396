/* Staff book and staff notices: a staff account's number is sealed (never in clear in the
 * store file) and shown masked; a wrong number is refused and changes nothing; a notice
 * reaches the enabled accounts of its role and department that have a number, once per
 * key however often it is asked; removing a number or disabling the account stops them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/notice.h"
#include "error.h"
#include "outbox/staffbook.h"
#include "testutil.h"

#include <string.h>

#define DEPT_PHONE "13911112222"
#define DIR_PHONE "13922223333"
#define OTHER_PHONE "13933334444"

struct book_op {
    const char *user, *role, *dept, *phone;
    int disabled;
};

static int set_apply(eventlog_tx *tx, void *arg)
{
    const struct book_op *b = arg;
    return staffbook_set(tx, b->user, b->role, b->dept, b->disabled, b->phone);
}

static int set(struct test_solo *f, const char *user, const char *role, const char *dept,
               int disabled, const char *phone)
{
    struct book_op b = {user, role, dept, phone, disabled};
    return test_eventlog_run(f->log, set_apply, &b);
}

struct sign_op {
    const crypto_identity *id;
    int64_t due;
};

static int overdue_apply(eventlog_tx *tx, void *arg)
{
    const struct sign_op *s = arg;
    return notice_sign_overdue(tx, s->id, "v1-2026-000001", "司法所", s->due);
}

static int count_one(const Jiefen__NotifyRecord *rec, void *arg)
{
    (void)rec;
    (*(int *)arg)++;
    return 0;
}

static int messages(struct test_solo *f)
{
    MDB_txn *txn;
    int n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(outbox_each(f->st, txn, 0, count_one, &n), 0);
    store_txn_abort(txn);
    return n;
}

static void masked(struct test_solo *f, const char *user, const char *want)
{
    MDB_txn *txn;
    char out[OUTBOX_MASK_MAX];
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(staffbook_masked(f->st, txn, user, out), 0);
    store_txn_abort(txn);
    assert_string_equal(out, want);
}

static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 21];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void test_sealed_masked_refused(void **state)
{
    struct test_solo *f = *state;
    char path[4200];
    assert_int_equal(set(f, "sfs", "department", "司法所", 0, DEPT_PHONE), 0);
    masked(f, "sfs", "139****2222");
    masked(f, "nobody", "");
    assert_int_equal(set(f, "sfs", "department", "司法所", 0, "0951-5012345"), JF_EINVAL);
    assert_int_equal(set(f, "sfs", "department", "司法所", 0, "1391111222"), JF_EINVAL);
    masked(f, "sfs", "139****2222");  /* unchanged */
    /* Without a number and none given: no entry at all. */
    assert_int_equal(set(f, "li", "mediator", "", 0, NULL), 0);
    masked(f, "li", "");
    snprintf(path, sizeof path, "%s/store/data.mdb", f->dir);
    assert_false(file_has(path, DEPT_PHONE));
}

static void test_notice_once_by_role_and_department(void **state)
{
    struct test_solo *f = *state;
    assert_int_equal(set(f, "sfs", "department", "司法所", 0, DEPT_PHONE), 0);
    assert_int_equal(set(f, "pcs", "department", "派出所", 0, OTHER_PHONE), 0);
    assert_int_equal(set(f, "zhu", "director", "", 0, DIR_PHONE), 0);
    assert_int_equal(set(f, "li", "mediator", "", 0, NULL), 0);
    struct sign_op s = {f->id, 1765000000000};
    assert_int_equal(test_eventlog_run(f->log, overdue_apply, &s), 0);
    assert_int_equal(messages(f), 2);  /* 司法所's account and the director */
    assert_int_equal(test_eventlog_run(f->log, overdue_apply, &s), 0);
    assert_int_equal(messages(f), 2);  /* once */
    s.due += 3600000;                  /* another limit: a new notice */
    assert_int_equal(test_eventlog_run(f->log, overdue_apply, &s), 0);
    assert_int_equal(messages(f), 4);
    /* Disabled, or without a number: nothing more. */
    assert_int_equal(set(f, "zhu", "director", "", 1, NULL), 0);
    assert_int_equal(set(f, "sfs", "department", "司法所", 0, ""), 0);
    masked(f, "sfs", "");
    s.due += 3600000;
    assert_int_equal(test_eventlog_run(f->log, overdue_apply, &s), 0);
    assert_int_equal(messages(f), 4);
}

static int once_apply(eventlog_tx *tx, void *arg)
{
    int *rcs = arg;
    rcs[0] = notify_queue_once(tx, "k1", "receipt", DEPT_PHONE, "", NULL, 0);
    rcs[1] = notify_queue_once(tx, "k1", "receipt", DEPT_PHONE, "", NULL, 0);
    rcs[2] = notify_queue_once(tx, "", "receipt", DEPT_PHONE, "", NULL, 0);
    return 0;
}

static void test_queue_once(void **state)
{
    struct test_solo *f = *state;
    int rcs[3];
    assert_int_equal(test_eventlog_run(f->log, once_apply, rcs), 0);
    assert_int_equal(rcs[0], 0);
    assert_int_equal(rcs[1], 1);
    assert_int_equal(rcs[2], JF_EINVAL);
    assert_int_equal(messages(f), 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_solo_setup, test_solo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sealed_masked_refused),
        T(test_notice_once_by_role_and_department),
        T(test_queue_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
