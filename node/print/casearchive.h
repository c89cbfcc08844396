/*
 * casearchive — the archive of a closed case (立卷归档; docs/casefile.md "Archives"): one
 * POSIX tar file, written by libarchive, of the cover and index, every form the case has
 * content for, every document decrypted, the case's signed chain with the keys and
 * certificates to check it, and a manifest of every member's SHA-256 signed by this
 * node's key. The layout and the manifest are common/archcheck.h's, which checks them.
 *
 * Streamed: each member is written to the file descriptor as it is made, one form or one
 * document in memory at a time (a document is at most [documents] max_file_kb), so a case
 * of 200 MiB of documents costs the memory of its largest document. Runs on a thread of
 * the pool (it renders PDFs and reads blobs), in a read transaction.
 */
#ifndef JIEFEN_CASEARCHIVE_H
#define JIEFEN_CASEARCHIVE_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "store.h"

#define CASEARCHIVE_ERR_MAX 256

/* Whether case v, as this node (self, id) holds it, can be archived now: 0, or JF_EINVAL
 * with the Chinese reason in why (CASEARCHIVE_ERR_MAX): not closed, this node not enrolled
 * (no certificate to sign with), or documents still in transit (not under the blob
 * directory dir); or a store error. */
int casearchive_ready(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                      const char *dir, const Jiefen__CaseView *v, char *why);

/* Writes the archive of case_id as this node (self, signing with id) holds it to fd, the
 * directory of the documents' blobs being dir. Checks casearchive_ready() first, so that a
 * refusal writes nothing. 0; JF_ENOTFOUND (no such case); JF_EINVAL with why; -ENOMEM,
 * -EIO (fd refused the bytes: the reader went away), or a store error. Does not close fd. */
int casearchive_write(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                      const char *dir, const char *case_id, int fd, char *why);

#endif
