/*
 * receipt — the outbox adapter (courier.h) that delivers 回单 to an outside system of
 * [interop] (the 12345 hotline, 信访), over httppost.h. Each attempt POSTs JSON
 *   {"order_no", "case_id", "result", "centre", "idempotency_key"}
 * to the system's receipt_url (a court's also with "court_case_no", its 案号, and the
 * mediation's result: agreement | no_agreement | withdrawn); a court's 司法确认 application
 * (var "kind" = confirmation_application) as {"kind", "application_no", "case_id",
 * "centre", "idempotency_key", "court_case_no"?, "documents"}, the documents made when it is
 * sent by the wiring's maker (below), signed with its key. 2xx: sent, the answer's "receipt_no"
 * (or its first bytes) kept as the message's answer; 409 (the system already has this
 * idempotency key): sent; 408, 429, 5xx, timeouts and refused connections: retry; any other
 * status: failed.
 *
 * A system with no receipt_url while [interop] drop_dir is set (an offline site) gets the
 * same body as a file in the exchange folder instead (receiptdir.h): sent once it is durable
 * there; a folder that cannot be written is a retry with the reason. Never a court's: a
 * 司法确认 application carries the parties' names in its PDFs, which are never written out
 * in clear; a court without receipt_url waits for one (docs/interop.md).
 */
#ifndef JIEFEN_RECEIPT_H
#define JIEFEN_RECEIPT_H

#include "config_interop.h"
#include "outbox/courier.h"

#include <jansson.h>

typedef struct receipt receipt;

/* How a system's 回单 travel, decided at start from the config. */
enum receipt_delivery {
    RECEIPT_NONE,   /* no receipt_url and no folder (or a court): they wait in the outbox */
    RECEIPT_HTTP,   /* POSTed to receipt_url */
    RECEIPT_FOLDER, /* written to <drop_dir>/<system>/receipts/ */
};

/* The delivery of system s under cfg: receipt_url first, else the exchange folder when
 * drop_dir is set and s is not a court, else none. */
enum receipt_delivery receipt_delivery_of(const struct config_interop *cfg,
                                          const struct config_interop_system *s);

/* The documents of a 司法确认 application: the case file's 申请书 and 调解协议书 as PDF, which
 * print/ renders above this layer, so the wiring (node/couriers.c) hands the adapter this
 * maker. It runs on the courier's thread and sets *docs to a JSON array of {"form", "title",
 * "name", "mime", "content_base64"} (the caller's): 0; JF_EINVAL with why (Chinese, no
 * personal data) when the case cannot make them (the message fails); else a retry. */
struct receipt_documents {
    int (*make)(void *arg, const char *case_id, json_t **docs, char *why, size_t whylen);
    void *arg;
};

/* The adapter of system s (borrowed with cfg and docs: they outlive it) of centre `centre`,
 * with cfg's retry rules and no quiet hours, expiry or rate limit. NULL without memory.
 * Call from the main thread before any thread starts. */
receipt *receipt_new(const struct config_interop *cfg, const struct config_interop_system *s,
                     const char *centre, const struct receipt_documents *docs,
                     struct courier_adapter *out);

void receipt_free(receipt **r);

#endif
