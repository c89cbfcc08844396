/*
 * throttle — a parent's defence against a child that keeps delivering envelopes that are
 * badly signed or unreadable: each one costs a signature check. After
 * link_throttle.invalid of them within window_ms, the child's up batches are refused
 * without being read for cooldown_ms (counted as "throttled", one per envelope refused);
 * then it is heard again, its count started afresh. Nothing is concluded about the
 * origins of what it sent.
 */
#ifndef JIEFEN_THROTTLE_H
#define JIEFEN_THROTTLE_H

#include "link/link.h"

/* 1 if p's up batches are to be refused unread at `now`. */
int throttle_active(const struct link_peer *p, int64_t now);

/* Counts what ingest refused as invalid in r against p; throttles p when that reaches
 * t->invalid within the window. */
void throttle_count(struct link_peer *p, const struct link_throttle *t,
                    const struct ingest_result *r, int64_t now);

#endif
