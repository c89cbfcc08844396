/*
 * receiptdir — 回单 as files in the exchange folder of an offline site (docs/interop.md,
 * "Offline: the exchange folder"): the way back of the orders the site drops in
 * <drop_dir>/<system>/. The receipt adapter (receipt.h) hands it the exact JSON body the
 * HTTP adapter would POST; it writes
 *
 *   <drop_dir>/<system>/receipts/<order_no>.<idempotency_key>.json.sig
 *       "<timestamp ms> <signature>\n": lower-case hex of HMAC-SHA256(the system's key,
 *       timestamp "\n" body), as the HTTP adapter's X-Timestamp and X-Signature (httppost.h)
 *   <drop_dir>/<system>/receipts/<order_no>.<idempotency_key>.json   the body, last
 *
 * each whole and durable (durfile.h): the .json appears after its .sig, and a retry (after
 * a kill -9 between writing and recording it sent) rewrites the same two files, never a
 * second pair. <drop_dir> must exist (an unmounted disk is not written around);
 * <system>/ and receipts/ are made (0755) when missing. Runs on the courier's thread.
 */
#ifndef JIEFEN_RECEIPTDIR_H
#define JIEFEN_RECEIPTDIR_H

#include <stddef.h>

/* The order numbers the folder takes: 1-64 of letters, digits, '-' and '_'; 1 if no is one. */
int receiptdir_name_ok(const char *no);

/* Writes body (the 回单 of order_no, its idempotency key `key`) signed with secret as above.
 * 0; JF_EINVAL when order_no or key is not a file name (why says so: refused for good); or a
 * negative errno when the folder cannot be written (why names the path and the error, in
 * Chinese: a retry). */
int receiptdir_write(const char *drop_dir, const char *system, const char *secret,
                     const char *order_no, const char *key, const char *body, char *why,
                     size_t whylen);

#endif
