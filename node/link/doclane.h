/*
 * doclane — the documents of a case follow it (一案一卷 travels whole). When a case is
 * moved to this node (escalation, hand-down), the fold notes it (store `docwant`); the
 * lane finds the documents of those cases whose blobs are not here and asks the node the
 * case came from for each, DocWant by DocChunk: chunks of DOCLANE_CHUNK bytes, at most
 * DOCLANE_WINDOW asked ahead per blob, at most DOCLANE_PARALLEL blobs at once (a blob being
 * checked holds no place), each chunk appended to the partial blob (written on the loop, its
 * write-back started; fsynced and checked on the thread pool when complete; blob.h), so after a disconnect or a kill -9 at either end the transfer
 * resumes from the partial blob's length. A complete blob is checked against its hash: a
 * bad one is dropped and fetched again from 0, and counted. The keys never travel here:
 * they are in the move's sealed copies (casefile.h); a blob is ciphertext.
 *
 * The chunks share the link's socket with the events, but never hold them back for long:
 * only what the receiver asked for is sent, so at most DOCLANE_WINDOW * DOCLANE_PARALLEL
 * chunks (2 MiB) are ever queued ahead of an event batch (the lane is pulled, not pushed). A node that got a case and moved it on before its blobs arrived keeps
 * fetching them, and answers `missing` meanwhile to the node above it, which asks again:
 * documents reach a county through a township.
 */
#ifndef JIEFEN_DOCLANE_H
#define JIEFEN_DOCLANE_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#include <jansson.h>
#include <uv.h>

#define DOCLANE_CHUNK (256 * 1024)
#define DOCLANE_PARALLEL 2
#define DOCLANE_WINDOW 4        /* pieces of one blob asked for ahead of those received */
#define DOCLANE_RETRY_MS 2000   /* a want unanswered (or answered `missing`) is asked again */

typedef struct doclane doclane;

/* Sends m to the linked node `peer` (the parent or a child): 0, or a negative code when it
 * cannot now (the lane asks again later). */
typedef int (*doclane_send_fn)(void *arg, const char *peer, const Jiefen__LinkMessage *m);

/* The lane of node `self` (all borrowed, must outlive it). 0 or -ENOMEM. Its timer is a
 * handle of loop, closed with the loop's other handles; free after the loop has ended. */
int doclane_new(uv_loop_t *loop, store *st, eventlog *log, const crypto_identity *id,
                const char *self, doclane_send_fn send, void *arg, doclane **out);

/* Accepts NULL and clears the caller's pointer. */
void doclane_free(doclane **dl);

/* Events came in (a case may have been moved here): look for missing blobs soon. */
void doclane_changed(doclane *dl);

/* A DocWant or DocChunk from the linked node `peer`. */
void doclane_received(doclane *dl, const char *peer, const Jiefen__LinkMessage *m);

/* {"wanted", "chunks_in", "bytes_in", "chunks_out", "bytes_out", "completed", "bad_blobs"}:
 * the lane's counters since start. New reference. */
json_t *doclane_json(const doclane *dl);

#endif
