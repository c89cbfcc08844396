/*
 * receipt — the text a receipt's QR code holds (受理回执, 调解协议书), and its offline check.
 *
 * The text is "JFR1." followed by unpadded base64url of a FormsReceipt message: the kind
 * (receipt | agreement), the case number, the BLAKE2b-256 hash of the event that made the
 * paper (the case_opened event, the agreement record), the signing node's id, the event's
 * time, the node's certificate chain up to but not including the root, and the node's
 * Ed25519 signature over the line "jiefen-receipt-1 KIND CASE HASHHEX NODE TIME". Anyone
 * holding the tree's root certificate can check it with no network: the chain must lead
 * from the signer to that root, and the signature must be the signer's. About 510
 * characters for a village under a township under a county root: a version-17 QR code,
 * well inside what a phone reads.
 *
 * This header includes nothing of the project, so jiefenctl can check a receipt offline
 * (docs/architecture.md lets node/cli use common/receipt).
 */
#ifndef JIEFEN_RECEIPT_H
#define JIEFEN_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#define RECEIPT_PREFIX "JFR1."
#define RECEIPT_ID_MAX 128

/* Why a text is not a valid receipt (negative, 0 is valid). */
enum receipt_fault {
    RECEIPT_OK = 0,
    RECEIPT_MALFORMED = -1,     /* not a receipt text, or damaged */
    RECEIPT_UNKNOWN_NODE = -2,  /* no certificate of the signing node in it */
    RECEIPT_NOT_ROOT = -3,      /* its certificates do not lead to the root given */
    RECEIPT_BAD_SIGNATURE = -4, /* the node's signature does not match the contents */
    RECEIPT_BAD_ROOT = -5,      /* the root certificate given is not one */
};

/* What a valid receipt says. */
struct receipt_info {
    char kind[16];
    char case_id[RECEIPT_ID_MAX + 1];
    char node_id[RECEIPT_ID_MAX + 1];
    char node_name[RECEIPT_ID_MAX * 4 + 1];   /* from the signer's certificate */
    char event_hash[65];                      /* lower-case hex */
    int64_t time_ms;
};

/* Makes the text of a receipt. `chain` holds n packed SignedCert messages (the signer's
 * first, the root excluded); sign(msg, len, sig, arg) signs with the node's key. *out is
 * malloc'd (free it). 0, -ENOMEM or -EINVAL (bad kind, ids too long, hash not 32 bytes). */
int receipt_make(const char *kind, const char *case_id, const uint8_t event_hash[32],
                 const char *node_id, int64_t time_ms, const uint8_t *const *chain,
                 const size_t *chain_len, size_t n,
                 void (*sign)(const uint8_t *msg, size_t len, uint8_t sig[64], void *arg),
                 void *arg, char **out);

/* Checks text against the root certificate (packed SignedCert, self-signed). Fills *info
 * when valid. Returns RECEIPT_OK or the fault; a valid text may carry surrounding blanks. */
int receipt_verify(const char *text, const uint8_t *root, size_t root_len,
                   struct receipt_info *info);

/* The fault's code (malformed, unknown_node, ...) and its Chinese message. */
const char *receipt_fault_code(int fault);
const char *receipt_fault_message(int fault);

/* A root certificate file ("JIEFEN ROOT-CERT\n<base64>\n") into *out (malloc'd). 0, or
 * RECEIPT_BAD_ROOT. */
int receipt_root_read(const char *text, uint8_t **out, size_t *len);

#endif
