/* archcheck — the offline check of a case archive (archcheck.h). */
#include "archcheck.h"
#include "cert.h"
#include "crypto.h"
#include "envelope.h"
#include "jiefen.pb-c.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEPT_MAX (1024 * 1024)   /* the members read whole: manifest, signature, chain */
#define CERTS_MAX 8

struct member {
    char name[ARCHCHECK_NAME_MAX];
    char sha[65];
    uint64_t size;
    uint8_t *data;   /* kept for the manifest, the signature and the chain; else NULL */
    int listed;
};

struct check {
    struct archcheck_result *r;
    struct member *m;
    size_t n;
};

static void fault(struct archcheck_result *r, const char *member, const char *code,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fault(struct archcheck_result *r, const char *member, const char *code,
                  const char *fmt, ...)
{
    va_list ap;
    r->valid = 0;
    if (r->n_faults++ >= ARCHCHECK_FAULTS_MAX)
        return;
    struct archcheck_fault *f = &r->faults[r->n_faults - 1];
    snprintf(f->member, sizeof f->member, "%s", member);
    snprintf(f->code, sizeof f->code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

static int keeps(const char *name)
{
    return strcmp(name, ARCHCHECK_MANIFEST) == 0 || strcmp(name, ARCHCHECK_SIGNATURE) == 0 ||
           strncmp(name, "chain/", 6) == 0;
}

/* Reads the entry's data into m: its hash and size, and the bytes when kept. */
static int read_member(struct archive *a, struct member *m)
{
    char buf[64 * 1024];
    ssize_t got;
    struct archcheck_sha *s = archcheck_sha_new();
    int keep = keeps(m->name);
    if (!s)
        return -ENOMEM;
    while ((got = archive_read_data(a, buf, sizeof buf)) > 0) {
        archcheck_sha_update(s, buf, (size_t)got);
        if (keep && m->size + (size_t)got <= KEPT_MAX) {
            uint8_t *d = realloc(m->data, m->size + (size_t)got + 1);
            if (!d) {
                archcheck_sha_final(s, m->sha);
                return -ENOMEM;
            }
            memcpy(d + m->size, buf, (size_t)got);
            m->data = d;
            m->data[m->size + (size_t)got] = '\0';
        }
        m->size += (uint64_t)got;
    }
    archcheck_sha_final(s, m->sha);
    return got < 0 ? -EIO : 0;
}

static int read_all(struct check *k, const char *path)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int rc = 0, st;
    if (!a)
        return -ENOMEM;
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK) {
        rc = errno ? -errno : -EIO;
        fault(k->r, "", "not_archive", "无法读取：%s", archive_error_string(a));
        archive_read_free(a);
        return rc == -ENOENT ? rc : 0;
    }
    /* ARCHIVE_WARN: a name that the locale cannot show, read as UTF-8 below. */
    while (rc == 0 && ((st = archive_read_next_header(a, &e)) == ARCHIVE_OK || st == ARCHIVE_WARN)) {
        struct member *m = realloc(k->m, (k->n + 1) * sizeof *m);
        if (!m) {
            rc = -ENOMEM;
            break;
        }
        k->m = m;
        m = &k->m[k->n++];
        memset(m, 0, sizeof *m);
        const char *name = archive_entry_pathname_utf8(e);
        if (!name)
            name = archive_entry_pathname(e);
        snprintf(m->name, sizeof m->name, "%s", name ? name : "");
        if ((rc = read_member(a, m)) == -EIO) {
            fault(k->r, m->name, "damaged", "此文件已损坏，读不完：%s", archive_error_string(a));
            rc = 0;
            break;
        }
    }
    if (rc == 0 && st != ARCHIVE_EOF && st != ARCHIVE_OK && st != ARCHIVE_WARN && k->r->valid)
        fault(k->r, k->n ? k->m[k->n - 1].name : "", "damaged",
              "归档文件在此之后已损坏：%s", archive_error_string(a));
    archive_read_free(a);
    return rc;
}

static struct member *find(struct check *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->m[i].name, name) == 0)
            return &k->m[i];
    return NULL;
}

/* ---- the signer ----------------------------------------------------------------------- */

/* The exporting node's key, from its certificates checked up to root. 0 or -1 (faulted). */
static int signer_key(struct check *k, const uint8_t *root, size_t root_len, uint8_t pk[32])
{
    Jiefen__SignedCert *root_sc = jiefen__signed_cert__unpack(NULL, root_len, root);
    Jiefen__SignedCert *up[CERTS_MAX + 1] = {0};
    Jiefen__Certificate *leaf = NULL;
    char name[64], err[CERT_ERR_MAX];
    size_t n = 0;
    int rc = -1;
    for (; n < CERTS_MAX; n++) {
        snprintf(name, sizeof name, "chain/certs/%zu.cert", n);
        struct member *m = find(k, name);
        if (!m || !m->data || !(up[n] = jiefen__signed_cert__unpack(NULL, m->size, m->data)))
            break;
    }
    if (!root_sc || cert_decode(root_sc, &leaf))
        fault(k->r, "", "bad_root", "所给根证书无效");
    else if (n == 0 && strcmp(leaf->node_id, k->r->node_id))
        fault(k->r, "chain/certs/0.cert", "unknown_node", "归档中没有导出节点 %s 的证书",
              k->r->node_id);
    else if (n && (jiefen__certificate__free_unpacked(leaf, NULL), leaf = NULL,
                   cert_decode(up[0], &leaf) || strcmp(leaf->node_id, k->r->node_id)))
        fault(k->r, "chain/certs/0.cert", "unknown_node", "归档中导出节点 %s 的证书不符",
              k->r->node_id);
    else {
        up[n] = root_sc;
        if (n && cert_chain_check(up[0], up + 1, n, err, sizeof err))
            fault(k->r, "chain/certs/0.cert", "not_signed_by_root",
                  "导出节点的证书不是由根证书逐级签发的（%s）", err);
        else {
            memcpy(pk, leaf->public_key.data, 32);
            snprintf(k->r->node_name, sizeof k->r->node_name, "%s", leaf->name);
            rc = 0;
        }
    }
    for (size_t i = 0; i < n; i++)
        jiefen__signed_cert__free_unpacked(up[i], NULL);
    if (leaf)
        jiefen__certificate__free_unpacked(leaf, NULL);
    if (root_sc)
        jiefen__signed_cert__free_unpacked(root_sc, NULL);
    return rc;
}

/* ---- the manifest --------------------------------------------------------------------- */

struct keys {
    char origin[8][129];
    uint8_t pk[8][32];
    size_t n;
};

static void manifest_line(struct check *k, struct keys *ks, char *line)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return;
    *sp++ = '\0';
    if (strcmp(line, "case") == 0)
        snprintf(k->r->case_id, sizeof k->r->case_id, "%s", sp);
    else if (strcmp(line, "node") == 0)
        snprintf(k->r->node_id, sizeof k->r->node_id, "%s", sp);
    else if (strcmp(line, "time") == 0)
        k->r->time_ms = strtoll(sp, NULL, 10);
    else if (strcmp(line, "key") == 0 && ks->n < 8) {
        char *hex = strchr(sp, ' ');
        if (hex && (*hex++ = '\0', crypto_unhex(hex, ks->pk[ks->n], 32) == 0))
            snprintf(ks->origin[ks->n++], sizeof ks->origin[0], "%s", sp);
    } else if (strcmp(line, "member") == 0) {
        char sha[65] = "", *name = NULL;
        unsigned long long size = 0;
        int off = 0;
        if (sscanf(sp, "%64s %llu %n", sha, &size, &off) == 2 && off > 0)
            name = sp + off;
        struct member *m = name ? find(k, name) : NULL;
        if (!name)
            fault(k->r, ARCHCHECK_MANIFEST, "malformed", "清单中有一行格式错误");
        else if (!m)
            fault(k->r, name, "missing_member", "清单列出的文件不在归档中");
        else if (strcmp(m->sha, sha) || m->size != size)
            fault(k->r, name, "hash_mismatch", "SHA-256 与清单不符：内容被改动");
        if (m)
            m->listed = 1;
    }
}

/* Parses the signed manifest (its signature checked) into ks; marks listed members. */
static void check_manifest(struct check *k, const uint8_t *root, size_t root_len,
                           struct keys *ks)
{
    struct member *man = find(k, ARCHCHECK_MANIFEST), *sig = find(k, ARCHCHECK_SIGNATURE);
    uint8_t pk[32], s[64];
    if (!man || !man->data || !sig || !sig->data) {
        fault(k->r, man ? ARCHCHECK_SIGNATURE : ARCHCHECK_MANIFEST, "manifest_missing",
              "归档中没有签名的清单");
        return;
    }
    if (strncmp((char *)man->data, ARCHCHECK_MAGIC "\n", sizeof ARCHCHECK_MAGIC)) {
        fault(k->r, ARCHCHECK_MANIFEST, "malformed", "清单不是 %s 格式", ARCHCHECK_MAGIC);
        return;
    }
    char *text = strdup((char *)man->data), *save = NULL;
    if (!text)
        return;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (strncmp(l, "member ", 7))
            manifest_line(k, ks, l);
    free(text);
    if (signer_key(k, root, root_len, pk))
        return;
    sig->data[sig->size < 128 ? sig->size : 128] = '\0';
    if (sig->size < 128 || crypto_unhex((char *)sig->data, s, sizeof s) ||
        crypto_ed25519_verify(pk, man->data, man->size, s)) {
        fault(k->r, ARCHCHECK_MANIFEST, "bad_signature",
              "清单的签名不是导出节点的：清单或签名被改动");
        return;
    }
    text = strdup((char *)man->data);
    for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
        if (strncmp(l, "member ", 7) == 0)
            manifest_line(k, ks, l);
    free(text);
    man->listed = sig->listed = 1;
    for (size_t i = 0; i < k->n; i++)
        if (!k->m[i].listed)
            fault(k->r, k->m[i].name, "unlisted_member", "此文件不在签名的清单中");
}

/* ---- the chain ------------------------------------------------------------------------ */

static const uint8_t *origin_key(const struct keys *ks, const char *origin)
{
    for (size_t i = 0; i < ks->n; i++)
        if (strcmp(ks->origin[i], origin) == 0)
            return ks->pk[i];
    return NULL;
}

/* Checks the event in m; last[i] is the previous event of origin i (checked). */
static void check_event(struct check *k, const struct keys *ks, struct member *m,
                        envelope **last)
{
    envelope *e = NULL, **prev = NULL;
    const uint8_t *pk;
    k->r->events++;
    if (!m->data || envelope_decode(m->data, m->size, &e)) {
        fault(k->r, m->name, "bad_event", "不是有效的签名事件");
        return;
    }
    if (strcmp(e->event->case_id, k->r->case_id))
        fault(k->r, m->name, "wrong_case", "事件不属于案件 %s", k->r->case_id);
    else if (!(pk = origin_key(ks, e->event->origin)))
        fault(k->r, m->name, "unknown_origin", "清单中没有节点 %s 的公钥", e->event->origin);
    else if (envelope_verify(e, pk))
        fault(k->r, m->name, "event_signature", "事件的签名不符：内容被改动");
    else {
        prev = &last[(size_t)(pk - ks->pk[0]) / 32];
        if (*prev && (*prev)->event->seq + 1 == e->event->seq &&
            memcmp((*prev)->hash, e->event->prev_hash.data, CRYPTO_HASH_LEN))
            fault(k->r, m->name, "broken_link", "事件的 prev_hash 与同一节点前一事件的哈希不符");
        envelope_free(prev);
        *prev = e;
        return;
    }
    envelope_free(&e);
}

int archcheck_file(const char *path, const uint8_t *root, size_t root_len,
                   struct archcheck_result *r)
{
    struct check k = {.r = r};
    struct keys ks = {0};
    envelope *last[8] = {0};
    memset(r, 0, sizeof *r);
    r->valid = 1;
    int rc = read_all(&k, path);
    if (rc == 0 && r->valid) {
        r->members = k.n;
        check_manifest(&k, root, root_len, &ks);
    }
    for (size_t i = 0; rc == 0 && ks.n && i < k.n; i++)
        if (strncmp(k.m[i].name, "chain/events/", 13) == 0)
            check_event(&k, &ks, &k.m[i], last);
    for (size_t i = 0; i < 8; i++)
        envelope_free(&last[i]);
    for (size_t i = 0; i < k.n; i++)
        free(k.m[i].data);
    free(k.m);
    return rc;
}
