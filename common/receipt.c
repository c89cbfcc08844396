#include "receipt.h"
#include "cert.h"
#include "crypto.h"
#include "jiefen.pb-c.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define CHAIN_MAX 8

/* The line the node signs: every field but the chain and the signature. */
static int signed_line(const Jiefen__FormsReceipt *r, char *buf, size_t len)
{
    char hex[65];
    crypto_hex(r->event_hash.data, 32, hex);
    int n = snprintf(buf, len, "jiefen-receipt-1 %s %s %s %s %lld", r->kind, r->case_id, hex,
                     r->node_id, (long long)r->time_ms);
    return n < 0 || (size_t)n >= len ? -1 : n;
}

static int valid_kind(const char *kind)
{
    return strcmp(kind, "receipt") == 0 || strcmp(kind, "agreement") == 0;
}

static int valid_id(const char *s)
{
    return s[0] && strlen(s) <= RECEIPT_ID_MAX && !strchr(s, ' ');
}

int receipt_make(const char *kind, const char *case_id, const uint8_t event_hash[32],
                 const char *node_id, int64_t time_ms, const uint8_t *const *chain,
                 const size_t *chain_len, size_t n,
                 void (*sign)(const uint8_t *msg, size_t len, uint8_t sig[64], void *arg),
                 void *arg, char **out)
{
    Jiefen__FormsReceipt r = JIEFEN__FORMS_RECEIPT__INIT;
    Jiefen__SignedCert *certs[CHAIN_MAX] = {0};
    uint8_t sig[64], *packed = NULL;
    char line[512];
    int rc = -EINVAL;
    *out = NULL;
    if (!valid_kind(kind) || !valid_id(case_id) || !valid_id(node_id) || n > CHAIN_MAX)
        return -EINVAL;
    r.kind = (char *)kind;
    r.case_id = (char *)case_id;
    r.event_hash = (ProtobufCBinaryData){32, (uint8_t *)event_hash};
    r.node_id = (char *)node_id;
    r.time_ms = time_ms;
    for (size_t i = 0; i < n; i++)
        if (!(certs[i] = jiefen__signed_cert__unpack(NULL, chain_len[i], chain[i])))
            goto out;
    r.chain = certs;
    r.n_chain = n;
    if (signed_line(&r, line, sizeof line) < 0)
        goto out;
    sign((const uint8_t *)line, strlen(line), sig, arg);
    r.signature = (ProtobufCBinaryData){64, sig};
    size_t plen = jiefen__forms_receipt__get_packed_size(&r);
    size_t tlen = sizeof RECEIPT_PREFIX - 1 + sodium_base64_ENCODED_LEN(plen, B64);
    rc = -ENOMEM;
    if (!(packed = malloc(plen)) || !(*out = malloc(tlen)))
        goto out;
    jiefen__forms_receipt__pack(&r, packed);
    memcpy(*out, RECEIPT_PREFIX, sizeof RECEIPT_PREFIX - 1);
    sodium_bin2base64(*out + sizeof RECEIPT_PREFIX - 1, tlen - (sizeof RECEIPT_PREFIX - 1),
                      packed, plen, B64);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        if (certs[i])
            jiefen__signed_cert__free_unpacked(certs[i], NULL);
    free(packed);
    return rc;
}

/* The message inside text, or NULL when it is not one. */
static Jiefen__FormsReceipt *decode(const char *text)
{
    while (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t')
        text++;
    if (strncmp(text, RECEIPT_PREFIX, sizeof RECEIPT_PREFIX - 1))
        return NULL;
    const char *b = text + sizeof RECEIPT_PREFIX - 1;
    size_t blen = strcspn(b, " \r\n\t"), len;
    if (b[blen + strspn(b + blen, " \r\n\t")] != '\0')
        return NULL;
    uint8_t *bin = malloc(blen + 1);
    Jiefen__FormsReceipt *r = NULL;
    if (bin && sodium_base642bin(bin, blen + 1, b, blen, NULL, &len, NULL, B64) == 0)
        r = jiefen__forms_receipt__unpack(NULL, len, bin);
    free(bin);
    if (r && (!valid_kind(r->kind) || !valid_id(r->case_id) || !valid_id(r->node_id) ||
              r->event_hash.len != 32 || r->signature.len != 64 || r->n_chain >= CHAIN_MAX)) {
        jiefen__forms_receipt__free_unpacked(r, NULL);
        r = NULL;
    }
    return r;
}

/* The signer's key from the chain checked up to the root: RECEIPT_OK with *leaf set, or
 * the fault. `root` is open (self-signed, checked). */
static int signer(const Jiefen__FormsReceipt *r, Jiefen__SignedCert *root_sc,
                  const Jiefen__Certificate *root, Jiefen__Certificate **leaf)
{
    char err[CERT_ERR_MAX];
    Jiefen__SignedCert *up[CHAIN_MAX + 1];
    if (r->n_chain == 0) /* the root signed it itself */
        return strcmp(r->node_id, root->node_id) ? RECEIPT_UNKNOWN_NODE
                                                  : cert_decode(root_sc, leaf) ? RECEIPT_BAD_ROOT
                                                                               : RECEIPT_OK;
    if (cert_decode(r->chain[0], leaf))
        return RECEIPT_MALFORMED;
    if (strcmp((*leaf)->node_id, r->node_id))
        return RECEIPT_UNKNOWN_NODE;
    for (size_t i = 1; i < r->n_chain; i++)
        up[i - 1] = r->chain[i];
    up[r->n_chain - 1] = root_sc;
    return cert_chain_check(r->chain[0], up, r->n_chain, err, sizeof err) ? RECEIPT_NOT_ROOT
                                                                          : RECEIPT_OK;
}

static void fill_info(const Jiefen__FormsReceipt *r, const Jiefen__Certificate *leaf,
                      struct receipt_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->kind, sizeof info->kind, "%s", r->kind);
    snprintf(info->case_id, sizeof info->case_id, "%s", r->case_id);
    snprintf(info->node_id, sizeof info->node_id, "%s", r->node_id);
    snprintf(info->node_name, sizeof info->node_name, "%s", leaf->name);
    crypto_hex(r->event_hash.data, 32, info->event_hash);
    info->time_ms = r->time_ms;
}

int receipt_verify(const char *text, const uint8_t *root, size_t root_len,
                   struct receipt_info *info)
{
    Jiefen__SignedCert *root_sc = jiefen__signed_cert__unpack(NULL, root_len, root);
    Jiefen__Certificate *root_c = NULL, *leaf = NULL;
    Jiefen__FormsReceipt *r = NULL;
    char line[512];
    int rc = RECEIPT_BAD_ROOT;
    if (!root_sc || cert_open(root_sc, NULL, &root_c) || strcmp(root_c->issuer, root_c->node_id))
        goto out;
    rc = RECEIPT_MALFORMED;
    if (!(r = decode(text)) || signed_line(r, line, sizeof line) < 0)
        goto out;
    if ((rc = signer(r, root_sc, root_c, &leaf)))
        goto out;
    rc = crypto_ed25519_verify(leaf->public_key.data, (const uint8_t *)line, strlen(line),
                               r->signature.data)
             ? RECEIPT_BAD_SIGNATURE
             : RECEIPT_OK;
    if (rc == RECEIPT_OK)
        fill_info(r, leaf, info);
out:
    if (leaf)
        jiefen__certificate__free_unpacked(leaf, NULL);
    if (root_c)
        jiefen__certificate__free_unpacked(root_c, NULL);
    if (root_sc)
        jiefen__signed_cert__free_unpacked(root_sc, NULL);
    if (r)
        jiefen__forms_receipt__free_unpacked(r, NULL);
    return rc;
}

static const struct {
    int fault;
    const char *code, *message;
} faults[] = {
    {RECEIPT_OK, "valid", "回执有效：签名与证书链均核验无误"},
    {RECEIPT_MALFORMED, "malformed", "不是有效的回执文本（格式错误或已损坏）"},
    {RECEIPT_UNKNOWN_NODE, "unknown_node", "回执中没有签发节点的证书，无法确认签发节点"},
    {RECEIPT_NOT_ROOT, "not_signed_by_root", "签发节点的证书不是由根证书逐级签发的"},
    {RECEIPT_BAD_SIGNATURE, "bad_signature", "签名不符：回执内容被改动或伪造"},
    {RECEIPT_BAD_ROOT, "bad_root", "所给根证书无效"},
};

static size_t fault_index(int fault)
{
    for (size_t i = 1; i < sizeof faults / sizeof faults[0]; i++)
        if (faults[i].fault == fault)
            return i;
    return fault == RECEIPT_OK ? 0 : 1;
}

const char *receipt_fault_code(int fault)
{
    return faults[fault_index(fault)].code;
}

const char *receipt_fault_message(int fault)
{
    return faults[fault_index(fault)].message;
}

int receipt_root_read(const char *text, uint8_t **out, size_t *len)
{
    char err[CERT_ERR_MAX];
    return cert_dearmor("ROOT-CERT", text, out, len, err, sizeof err) ? RECEIPT_BAD_ROOT : 0;
}
