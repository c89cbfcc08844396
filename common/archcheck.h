/*
 * archcheck — the archive of a closed case (立卷归档, docs/casefile.md "Archives"): the
 * manifest's format, shared by the node that writes an archive (node/print/casearchive.c)
 * and everyone who checks one offline against the tree's root certificate (jiefenctl
 * archive verify).
 *
 * An archive is a POSIX tar (pax) file. Its members, in order: the cover and index PDF
 * (cover.pdf), the forms (forms/CODE.pdf), the documents decrypted (documents/NN-NAME), the
 * case's signed chain (chain/events/NNNN-ORIGIN-SEQ.env: each packed Envelope, the event's
 * bytes exactly as signed and the origin's signature), the exporting node's certificate
 * chain without the root (chain/certs/N.cert: packed SignedCert, the node's own first),
 * then manifest.txt and manifest.sig. The manifest is UTF-8 text, one record a line:
 *
 *   jiefen-archive-1
 *   case CASE_ID
 *   node NODE_ID
 *   time MS
 *   key ORIGIN HEX32          the Ed25519 key of each origin of the chain's events
 *   member SHA256HEX SIZE NAME   every member before manifest.txt
 *
 * manifest.sig holds the exporting node's Ed25519 signature over manifest.txt's bytes, in
 * hex. The check: the node's certificates lead to the root given; the signature is the
 * node's; every member listed is there with its SHA-256 and size, and nothing else is;
 * every event decodes, belongs to the case, is signed by its origin's key as the signed
 * manifest names it, and each event that follows another of the same origin (seq + 1)
 * names that event's hash as its prev_hash. Each fault names the member and what failed.
 *
 * This header includes nothing of the project, so jiefenctl can use it
 * (docs/architecture.md lets node/cli use common/archcheck).
 */
#ifndef JIEFEN_ARCHCHECK_H
#define JIEFEN_ARCHCHECK_H

#include <stddef.h>
#include <stdint.h>

#define ARCHCHECK_MAGIC "jiefen-archive-1"
#define ARCHCHECK_MANIFEST "manifest.txt"
#define ARCHCHECK_SIGNATURE "manifest.sig"
#define ARCHCHECK_FAULTS_MAX 16
#define ARCHCHECK_NAME_MAX 512

/* One thing found wrong: the member (or "" for the whole file), a code and a message in
 * Chinese naming what failed. */
struct archcheck_fault {
    char member[ARCHCHECK_NAME_MAX];
    char code[32];
    char message[256];
};

struct archcheck_result {
    int valid;
    char case_id[129], node_id[129], node_name[513];
    int64_t time_ms;
    size_t members, events;
    size_t n_faults;               /* the first ARCHCHECK_FAULTS_MAX are kept */
    struct archcheck_fault faults[ARCHCHECK_FAULTS_MAX];
};

/* Checks the archive file at path against root (a packed self-signed SignedCert). Fills
 * *r (valid, or its faults). 0, or -errno when the file cannot be read at all. */
int archcheck_file(const char *path, const uint8_t *root, size_t root_len,
                   struct archcheck_result *r);

/* The lowercase hex SHA-256 of what a streaming hash has taken in (65 bytes). */
struct archcheck_sha;
struct archcheck_sha *archcheck_sha_new(void);
void archcheck_sha_update(struct archcheck_sha *s, const void *buf, size_t len);
void archcheck_sha_final(struct archcheck_sha *s, char hex[65]);   /* and frees s */

#endif
