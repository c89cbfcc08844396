/* The store behind bench_inbox.py: N synthetic cases (default 100,000) written straight into
 * the store of a township created by `jiefend init` (stopped), with their to-do items as the
 * case fold keeps them (agenda_of_case, agenda_case_update), under ten registered villages:
 * a third open here (time limits spread over 60 days around now, so some are overdue and
 * some due within the day), one in fifty escalated from a village untouched since, one in
 * a hundred asking this township for more time at a village, the others closed, one in
 * ten of those without its follow-up visit.
 *
 *   bench_inbox_fill DIR SELF [N]     DIR the node's data directory, SELF its node id */
#include "case/case.h"
#include "case/agenda.h"
#include "clock.h"
#include "log/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400000LL

static void fill(Jiefen__CaseView *v, long i, const char *self, int64_t now, char *id,
                 char *village, char **origins, char **holders)
{
    jiefen__case_view__init(v);
    snprintf(id, 40, "%s-2026-%07ld", self, i);
    snprintf(village, 32, "bv%ld", i % 10);
    v->case_id = id;
    v->summary = "宅基地边界争议，双方对界址各执一词";
    v->village = village;
    v->opened_ms = v->holder_since_ms = now - (i % 60) * DAY;
    v->due_ms = now + (i % 60 - 30) * DAY + (i % 24) * 3600000LL;
    v->epoch = 1;
    v->holder = (char *)self;
    v->status = JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    origins[0] = (char *)self;
    v->event_origins = origins;
    v->n_event_origins = 1;
    holders[0] = village;
    holders[1] = (char *)self;
    v->period_holders = holders;
    if (i % 50 == 0) {            /* escalated from the village, not touched here yet */
        v->epoch = 2;
        v->n_period_holders = 2;
        v->previous_holder = village;
        origins[0] = village;
    } else if (i % 100 == 1) {    /* held at the village, asking for more time */
        v->holder = village;
        v->ext_state = "pending";
        v->ext_epoch = 1;
        origins[0] = village;
    } else if (i % 3) {
        v->status = JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED;
        v->closed_ms = v->opened_ms + DAY;
        v->closed_at_node = (char *)self;
        v->satisfaction = i % 10 == 2 ? "" : "satisfied";
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_inbox_fill DIR SELF [N]\n");
        return 2;
    }
    const char *self = argv[2];
    long n = argc > 3 ? atol(argv[3]) : 100000;
    int64_t now = clock_now_ms();
    store *st;
    uint8_t pk[32] = {0};
    char id[40], village[32], *origins[1], *holders[2], path[4096];
    snprintf(path, sizeof path, "%s/store", argv[1]);
    int rc = store_open(path, (size_t)1 << 30, 0, &st);
    for (long i = 0; rc == 0 && i < n;) {
        MDB_txn *txn;
        if ((rc = store_txn_begin(st, 0, &txn)))
            break;
        for (int k = 0; i == 0 && rc == 0 && k < 10; k++) {
            snprintf(village, sizeof village, "bv%d", k);
            rc = registry_put(st, txn, village, "测试村", JIEFEN__TIER__TIER_VILLAGE, pk, self);
        }
        struct registry_tree rt = {st, txn};
        case_tree tree = {registry_tree_depth, &rt, self};
        for (long end = i + 10000; rc == 0 && i < n && i < end; i++) {
            Jiefen__CaseView v;
            int64_t due[AGENDA_N];
            fill(&v, i, self, now, id, village, origins, holders);
            rc = store_put_message(txn, st->cases, id, strlen(id), &v.base);
            if (rc == 0)
                rc = agenda_case_update(st, txn, id, 0, NULL, agenda_of_case(&v, self, &tree, due),
                                      due);
        }
        rc = rc ? (store_txn_abort(txn), rc) : store_txn_commit(txn);
    }
    if (rc) {
        fprintf(stderr, "bench_inbox_fill: %d\n", rc);
        return 1;
    }
    uint64_t counts[AGENDA_N];
    MDB_txn *txn;
    if (store_txn_begin(st, MDB_RDONLY, &txn) == 0 && agenda_count(st, txn, counts) == 0) {
        printf("inbox: %ld cases written; to-do items:", n);
        for (int k = 0; k < AGENDA_N; k++)
            printf(" %s %llu", agenda_kind_code(k), (unsigned long long)counts[k]);
        printf("\n");
    }
    store_txn_abort(txn);
    store_close(&st);
    return 0;
}
