/*
 * report — reports up the tree (DESIGN.md rule 9): which tier submits which kind, the
 * periods and their due moments in the node's time zone, and the fold of the report events
 * into the `reports` database (submitted, then accepted or returned by the parent).
 *
 *   daily    日排查   villages    a local day                 due `grace_hours` after it
 * ends weekly   周分析   townships   Monday to Sunday            due `grace_hours` after it
 * ends monthly  月研判   counties+   a calendar month            due `grace_hours` after it
 * ends ledger   综合台账  every tier  a calendar month            due the end of day
 *                                                              `ledger_due_day` of the next
 * month
 *   quarterly 季度分析研判 every tier  Jan/Apr/Jul/Oct 1 to the next   due `grace_hours` after
 *   halfyear  半年分析研判 every tier  Jan 1 or Jul 1, six months      due `grace_hours` after
 *   meeting   月研判会议记录 townships a calendar month            due `grace_hours` after
 */
#ifndef JIEFEN_REPORT_H
#define JIEFEN_REPORT_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <stdint.h>

#define REPORT_GRACE_MS (12 * 3600000LL)
#define REPORT_LEDGER_DUE_DAY 25

struct report_period {
    char kind[16];
    char period[16];             /* first local date, YYYY-MM-DD */
    int64_t from_ms, to_ms, due_ms;
};

/* Checks kind and period (a weekly starts on a Monday, a monthly or ledger on the 1st) and
 * fills p. NULL, or what is wrong (Chinese, for the API's message). */
const char *report_period_parse(const char *kind, const char *period, struct report_period *p);

/* As report_period_parse, and refused unless written as p->period is ("2026-03-10", not
 * "2026-3-10"): what a person submits is kept under one spelling. */
const char *report_period_read(const char *kind, const char *period, struct report_period *p);

/* The period of `kind` that contains ms. */
void report_period_at(const char *kind, int64_t ms, struct report_period *p);

/* 1 if kind is one of the kinds above. */
int report_kind_valid(const char *kind);
#define REPORT_KINDS_TEXT "报告类型应为 daily、weekly、monthly、ledger、quarterly、halfyear 或 meeting"

/* 1 for the reviews (分析研判: quarterly, halfyear, and the township's monthly meeting
 * record), which carry a ReviewRecord (decisions, action items; for a meeting its date,
 * attendees and the cases discussed) besides the figures and the analysis. */
int report_kind_is_review(const char *kind);

/* 1 if a node of this tier submits reports of this kind. */
int report_kind_for_tier(const char *kind, int tier);

/* 1 if ni is a child of `self` (enrolled, not revoked) that owes it reports of this kind. */
int report_child_expected(const Jiefen__NodeInfo *ni, const char *self, const char *kind);

/* The Chinese names staff read: of a kind (日排查…) and of a state (草稿, 已报送, 已接收,
 * 已退回); an unknown one as it is. */
const char *report_kind_name(const char *kind);
const char *report_state_name(const char *state);

/* The kind a parent of tier `tier` expects from its children for its own `kind`, e.g. a
 * township's weekly rests on its villages' dailies; NULL if none is required. */
const char *report_child_kind(const char *kind);

/* Reads a report view (NULL if absent). Free with jiefen__report_view__free_unpacked. */
int report_get(store *st, MDB_txn *txn, const char *origin, const char *kind,
               const char *period, Jiefen__ReportView **out);

/* Stores this node's draft of a period (state "draft", figures as of now_ms) unless a
 * report of that period is already here. 1 if stored, 0 if not, or a store error. */
int report_draft_put(store *st, MDB_txn *txn, const char *self,
                     const struct report_period *p, const char *figures, int64_t now_ms);

/* Folds a report_submitted or report_reviewed event. 0, JF_EINVAL or a store error. */
int report_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

#endif
