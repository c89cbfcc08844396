/* Who saw what (access.h) as a caller sees it: an access event is recorded with its purpose
 * and never the personal data; a view without a purpose (or with an unknown one) is refused
 * and changes nothing; what the policy reserves needs an approval, decided by someone else
 * than the requester, used once, within its day; a refused one is never usable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/access.h"
#include "case/agenda.h"
#include "error.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

/* One call of the module in an operation of the group commit, as `actor`. */
struct call {
    const char *actor, *what, *purpose, *approval, *case_id, *id, *reason;
    const char *policy;
    int approve;
    char out[ACCESS_ID_MAX], why[256];
    const char *field;
    enum { RECORD, CHECK, REQUEST, DECIDE } op;
};

static int call_apply(eventlog_tx *tx, void *arg)
{
    struct call *c = arg;
    tx->actor = c->actor;
    switch (c->op) {
    case RECORD:
        return access_record(tx, c->case_id, c->what, c->purpose, 3, c->approval);
    case CHECK:
        return access_check(tx, c->policy, c->case_id, c->what, c->out, c->why, sizeof c->why);
    case REQUEST:
        return access_request(tx, c->case_id, c->what, c->purpose, c->reason, c->out,
                              &c->field);
    default:
        return access_decide(tx, "v1", c->id, c->approve, c->reason, c->why, sizeof c->why);
    }
}

static int run(struct case_node *f, struct call *c)
{
    int rc = cn_run(f, call_apply, c);
    printf("  %s %s %s -> %d%s%s\n", c->actor, c->what ? c->what : "", c->id ? c->id : "", rc,
           c->why[0] ? " " : "", c->why);
    return rc;
}

struct listed {
    unsigned n;
    char what[64], purpose[32], actor[32], case_id[64], approval[64];
    uint32_t count;
};

static int list_one(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__AccessView *v = (const Jiefen__AccessView *)m;
    struct listed *l = arg;
    if (l->n++ == 0) { /* the newest */
        snprintf(l->what, sizeof l->what, "%s", v->access->what);
        snprintf(l->purpose, sizeof l->purpose, "%s", v->access->purpose);
        snprintf(l->actor, sizeof l->actor, "%s", v->actor);
        snprintf(l->case_id, sizeof l->case_id, "%s", v->case_id);
        snprintf(l->approval, sizeof l->approval, "%s", v->access->approval);
        l->count = v->access->count;
    }
    return 0;
}

static struct listed listed(struct case_node *f)
{
    struct listed l = {0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(access_each(f->st, txn, list_one, &l), 0);
    store_txn_abort(txn);
    return l;
}

static int bytes_hold(struct case_node *f, uint64_t seq, const char *needle)
{
    MDB_txn *txn;
    MDB_val d;
    int found = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_event_get(f->st, txn, "v1", seq, &d), 0);
    for (size_t i = 0; i + strlen(needle) <= d.mv_size && !found; i++)
        found = memcmp((char *)d.mv_data + i, needle, strlen(needle)) == 0;
    store_txn_abort(txn);
    return found;
}

static void test_records_without_personal_data(void **state)
{
    struct case_node *f = *state;
    char case_id[64], idn[19];
    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(7, idn), NULL,
                                  case_id), 0);
    uint64_t head = cn_head(f);
    struct call c = {.actor = "zhang", .what = "parties", .purpose = "办案", .case_id = case_id};
    assert_int_equal(run(f, &c), 0);
    assert_int_equal(cn_head(f), head + 1);
    struct listed l = listed(f);
    printf("  %u: %s %s %s %s\n", l.n, l.actor, l.what, l.purpose, l.case_id);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.what, "parties");
    assert_string_equal(l.purpose, "casework");  /* the code, whichever way it was given */
    assert_string_equal(l.actor, "zhang");
    assert_string_equal(l.case_id, case_id);
    assert_false(bytes_hold(f, head + 1, "张三"));
    assert_false(bytes_hold(f, head + 1, idn));
    /* A search: node level, its count. */
    c = (struct call){.actor = "zhang", .what = "search", .purpose = "audit", .case_id = ""};
    assert_int_equal(run(f, &c), 0);
    l = listed(f);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.case_id, "");
    assert_int_equal(l.count, 3);
}

static void test_refuses_without_purpose(void **state)
{
    struct case_node *f = *state;
    uint64_t head = cn_head(f);
    const char *purposes[] = {"", NULL, "看看", "CASEWORK"};
    for (size_t i = 0; i < 4; i++) {
        struct call c = {.actor = "zhang", .what = "parties", .purpose = purposes[i],
                         .case_id = "v1-2026-000001"};
        assert_int_equal(run(f, &c), JF_EINVAL);
    }
    const char *whats[] = {"", "everything", "form:", "document:a/b"};
    for (size_t i = 0; i < 4; i++) {
        struct call c = {.actor = "zhang", .what = whats[i], .purpose = "办案", .case_id = ""};
        assert_int_equal(run(f, &c), JF_EINVAL);
    }
    assert_int_equal(cn_head(f), head);
    assert_int_equal(listed(f).n, 0);
}

static void test_policy(void **state)
{
    (void)state;
    assert_true(access_needs_approval("archive", "archive"));
    assert_false(access_needs_approval("archive", "form:receipt"));
    assert_true(access_needs_approval("archive,print", "form:receipt"));
    assert_true(access_needs_approval("copy", "document:ab12"));
    assert_true(access_needs_approval("print,copy", "copy:parties"));
    assert_false(access_needs_approval("archive,print,copy", "parties"));
    assert_false(access_needs_approval("archive,print,copy", "search"));
    assert_false(access_needs_approval("", "archive"));
    assert_false(access_needs_approval("archived", "archive"));
}

static int pending_items(struct case_node *f)
{
    MDB_txn *txn;
    uint64_t counts[AGENDA_N];
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(agenda_count(f->st, txn, counts), 0);
    store_txn_abort(txn);
    return (int)counts[AGENDA_ACCESS];
}

static void test_approval_used_once(void **state)
{
    struct case_node *f = *state;
    const char *cid = "v1-2026-000009";
    struct call chk = {.actor = "wang", .what = "archive", .policy = "archive", .case_id = cid,
                       .op = CHECK};
    assert_int_equal(run(f, &chk), JF_EINVAL);   /* none asked for */
    /* Asked, then refused by the director: not usable. */
    struct call req = {.actor = "wang", .what = "archive", .purpose = "复核", .case_id = cid,
                       .reason = "移交档案室", .op = REQUEST};
    assert_int_equal(run(f, &req), 0);
    char first[ACCESS_ID_MAX];
    snprintf(first, sizeof first, "%s", req.out);
    assert_int_equal(pending_items(f), 1);
    struct call own = {.actor = "wang", .id = first, .approve = 1, .op = DECIDE};
    assert_int_equal(run(f, &own), JF_EINVAL);   /* not one's own */
    struct call no_reason = {.actor = "boss", .id = first, .approve = 0, .op = DECIDE};
    assert_int_equal(run(f, &no_reason), JF_EINVAL);
    struct call refuse = {.actor = "boss", .id = first, .approve = 0, .reason = "不必要",
                          .op = DECIDE};
    assert_int_equal(run(f, &refuse), 0);
    assert_int_equal(pending_items(f), 0);
    assert_int_equal(run(f, &refuse), JF_EINVAL);  /* decided already */
    memset(chk.why, 0, sizeof chk.why);
    assert_int_equal(run(f, &chk), JF_EINVAL);
    struct call use_refused = {.actor = "wang", .what = "archive", .purpose = "复核",
                               .case_id = cid, .approval = first};
    assert_int_equal(run(f, &use_refused), JF_EINVAL);
    /* Asked again, approved: usable once, by the requester only. */
    req.out[0] = 0;
    assert_int_equal(run(f, &req), 0);
    struct call approve = {.actor = "boss", .id = req.out, .approve = 1, .op = DECIDE};
    assert_int_equal(run(f, &approve), 0);
    struct call other = chk;
    other.actor = "li";
    assert_int_equal(run(f, &other), JF_EINVAL);
    assert_int_equal(run(f, &chk), 0);
    assert_string_equal(chk.out, req.out);
    struct call use = {.actor = "wang", .what = "archive", .purpose = "复核", .case_id = cid,
                       .approval = chk.out};
    assert_int_equal(run(f, &use), 0);
    assert_string_equal(listed(f).approval, req.out);
    uint64_t head = cn_head(f);
    assert_int_equal(run(f, &use), JF_EINVAL);   /* used */
    assert_int_equal(run(f, &chk), JF_EINVAL);
    assert_non_null(strstr(chk.why, "已使用"));
    assert_int_equal(cn_head(f), head);
    /* An approval not used within its day has expired. */
    req.out[0] = 0;
    assert_int_equal(run(f, &req), 0);
    approve.id = req.out;
    assert_int_equal(run(f, &approve), 0);
    cn_set_now(clock_now_ms() + ACCESS_VALID_MS + 1000);
    assert_int_equal(run(f, &chk), JF_EINVAL);
    assert_non_null(strstr(chk.why, "过期"));
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        CN_TEST(test_records_without_personal_data, v1),
        CN_TEST(test_refuses_without_purpose, v1),
        cmocka_unit_test(test_policy),
        CN_TEST(test_approval_used_once, v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
