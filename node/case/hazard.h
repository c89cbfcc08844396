/*
 * hazard — the register of brewing hazards (苗头隐患, DESIGN.md rule 14, issue 16): dangers
 * that are not yet disputes, registered at a node (where, what, category, risk colour, who
 * watches it), checked in on at dates due by the colour's policy, then either converted
 * into a case (opened by the normal intake) or closed as resolved. Each step is a signed
 * event of the origin's log, so every ancestor folds the same views (the `hazards`
 * database) and sees its subtree's register. Only the origin acts on its hazards.
 *
 *   hazards  'h' hazard id  -> HazardView
 *            'c' case id    -> hazard id: the case a hazard became (linked both ways)
 *
 * A watched hazard at its origin is a to-do item (agenda.h, AGENDA_HAZARD) due at its next
 * check-in; the inbox lists it once that time has passed.
 */
#ifndef JIEFEN_HAZARD_H
#define JIEFEN_HAZARD_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <stdint.h>

#define HAZARD_ID_MAX 64
#define HAZARD_TITLE_MAX 200
#define HAZARD_TEXT_MAX 4000

/* Days between check-ins by colour (policy): red weekly, orange fortnightly, yellow
 * monthly, blue quarterly. An unknown colour counts as blue. */
int hazard_checkin_days(int risk);

/* When the next check-in of a hazard of colour `risk` checked at from_ms is due. */
int64_t hazard_next_due(int risk, int64_t from_ms);

/* The id this node gives its n-th hazard ("YH-<origin>-<n>") into buf (HAZARD_ID_MAX + 1
 * bytes); n comes from hazard_next_number. 0, or JF_EINVAL when it does not fit. */
int hazard_id_make(const char *origin, uint64_t n, char *buf);

/* The number of this node's next hazard (1, 2, ...), counted in the store's meta. */
int hazard_next_number(store *st, MDB_txn *txn, uint64_t *n);

/* Folds hazard_registered, hazard_checkin, hazard_converted and hazard_closed: JF_EINVAL
 * for an event that does not apply (an id not of its origin, a second registration, a step
 * by another node, a step on a hazard no longer watched), else 0 or a store error. */
int hazard_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Reads a hazard (*out NULL if absent); free with hazard_free. 0 or a store error. */
int hazard_get(store *st, MDB_txn *txn, const char *id, Jiefen__HazardView **out);
void hazard_free(Jiefen__HazardView **v);

/* The hazard case_id was converted from into buf (HAZARD_ID_MAX + 1 bytes; "" if none). */
int hazard_of_case(store *st, MDB_txn *txn, const char *case_id, char *buf);

/* Calls fn with each hazard (a HazardView) in id order until it returns non-zero
 * (STORE_STOP ends the walk quietly, a negative code is returned; JF_ECORRUPT: a view does
 * not unpack). The view lives during the call. */
int hazard_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* Hazards of one village and category registered at or after since_ms, into *n. */
int hazard_count_cluster(store *st, MDB_txn *txn, const char *village, const char *category,
                         int64_t since_ms, uint32_t *n);

/* The register's figures of node `self`'s subtree over [from_ms, to_ms) (docs/ledger.md):
 * registered in the period, converted into cases, closed as resolved, and still watched at
 * at_ms (the period's end, or now if sooner), of which overdue (check-in due before at_ms). */
struct hazard_figures {
    uint64_t registered, converted, resolved, watching, overdue;
};
int hazard_figures(store *st, MDB_txn *txn, const char *self, int64_t from_ms, int64_t to_ms,
                   int64_t at_ms, struct hazard_figures *out);

/* "watching", "converted", "closed" as staff read them (监测中, 已转为案件, 已化解). */
const char *hazard_state_name(const char *state);

#endif
