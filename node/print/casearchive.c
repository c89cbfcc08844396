/* casearchive — a closed case as one tar file (casearchive.h). */
#include "print/casearchive.h"
#include "archcheck.h"
#include "blob.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/document.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "log/registry.h"
#include "module.h"
#include "print/formdata.h"
#include "print/forms.h"
#include "zipout.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORIGINS_MAX 8

struct writer {
    const struct zipout_ops *ops;
    struct zipout *a;
    char *manifest;
    size_t mlen, mcap;
    int64_t now_ms;
    store *st;
    MDB_txn *txn;
    const crypto_identity *id;
    const char *self, *dir;
    size_t docs;
};

static int refuse(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, CASEARCHIVE_ERR_MAX, fmt, ap);
    va_end(ap);
    return JF_EINVAL;
}

static int manifest_add(struct writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int manifest_add(struct writer *w, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(w->manifest + w->mlen, w->mcap - w->mlen, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -EINVAL;
        if ((size_t)n < w->mcap - w->mlen) {
            w->mlen += (size_t)n;
            return 0;
        }
        char *m = realloc(w->manifest, w->mcap * 2 + (size_t)n);
        if (!m)
            return -ENOMEM;
        w->manifest = m;
        w->mcap = w->mcap * 2 + (size_t)n;
    }
}

/* Writes one member; listed in the manifest unless it is the manifest or its signature. */
static int add_member(struct writer *w, const char *name, const void *data, size_t len)
{
    struct archcheck_sha *s = archcheck_sha_new();
    char sha[65];
    int rc = s ? 0 : -ENOMEM;
    if (rc == 0 && w->ops->entry(w->a, name, (int64_t)len))
        rc = -EIO;
    for (size_t off = 0; rc == 0 && off < len;) {
        size_t n = len - off < 64 * 1024 ? len - off : 64 * 1024;
        if (w->ops->data(w->a, (const char *)data + off, n))
            rc = -EIO;
        else
            archcheck_sha_update(s, (const char *)data + off, n), off += n;
    }
    if (s)
        archcheck_sha_final(s, sha);
    if (rc == 0 && strcmp(name, ARCHCHECK_MANIFEST) && strcmp(name, ARCHCHECK_SIGNATURE))
        rc = manifest_add(w, "member %s %zu %s\n", sha, len, name);
    return rc;
}

/* ---- the members ---------------------------------------------------------------------- */

/* One form as forms/CODE.pdf (the cover as cover.pdf); a form without its content is left
 * out, except the cover, whose refusal is the archive's (why). */
static int add_form(struct writer *w, const char *case_id, int f, char *why)
{
    char name[64], skip[FORMS_ERR_MAX];
    uint8_t *pdf = NULL;
    size_t len = 0;
    int rc = forms_render(w->st, w->txn, w->id, w->self, case_id, f, &pdf, &len,
                          f == FORM_COVER ? why : skip);
    if (rc == JF_EINVAL && f != FORM_COVER)
        rc = 0;
    else if (rc == 0) {
        snprintf(name, sizeof name, f == FORM_COVER ? "cover.pdf" : "forms/%s.pdf",
                 forms_names[f].code);
        rc = add_member(w, name, pdf, len);
    }
    free(pdf);
    return rc;
}

static int add_forms(struct writer *w, const char *case_id, char *why)
{
    int rc = add_form(w, case_id, FORM_COVER, why);
    for (int f = 0; rc == 0 && f < FORMS; f++)
        if (f != FORM_COVER)
            rc = add_form(w, case_id, f, why);
    return rc;
}

static int add_document(const Jiefen__Event *ev, const Jiefen__DocSecret *s, void *arg)
{
    struct writer *w = arg;
    uint8_t *plain = NULL;
    size_t len = 0;
    char name[ARCHCHECK_NAME_MAX];
    int n = snprintf(name, sizeof name, "documents/%02zu-", ++w->docs);
    snprintf(name + n, sizeof name - (size_t)n, "%s", s->name);
    for (char *p = name + n; *p; p++)   /* one line of the manifest, one member's name */
        if ((unsigned char)*p < 0x20 || *p == '/')
            *p = '_';
    int rc = document_open(w->dir, ev->doc_attached->blob_hash.data, s->key.data, &plain, &len);
    if (rc == 0)
        rc = add_member(w, name, plain, len);
    crypto_wipe(plain, len);
    free(plain);
    return rc;
}

/* The chain's events as stored (packed Envelopes), and the key of each origin. */
static int add_chain(struct writer *w, const Jiefen__CaseView *v)
{
    char origins[ORIGINS_MAX][128], name[ARCHCHECK_NAME_MAX], hex[65];
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < v->n_event_origins && i < v->n_event_seqs; i++) {
        MDB_val val;
        size_t k = 0;
        while (k < n && strcmp(origins[k], v->event_origins[i]))
            k++;
        if (k == n && n < ORIGINS_MAX)
            snprintf(origins[n++], sizeof origins[0], "%s", v->event_origins[i]);
        snprintf(name, sizeof name, "chain/events/%04zu-%s-%" PRIu64 ".env", i + 1,
                 v->event_origins[i], v->event_seqs[i]);
        if ((rc = store_event_get(w->st, w->txn, v->event_origins[i], v->event_seqs[i], &val)) ==
            0)
            rc = add_member(w, name, val.mv_data, val.mv_size);
    }
    for (size_t k = 0; rc == 0 && k < n; k++) {
        uint8_t pk[CRYPTO_PK_LEN];
        if (strcmp(origins[k], w->self) == 0)
            memcpy(pk, crypto_identity_pk(w->id), sizeof pk);
        else if ((rc = registry_key(w->st, w->txn, origins[k], pk)))
            break;
        crypto_hex(pk, sizeof pk, hex);
        rc = manifest_add(w, "key %s %s\n", origins[k], hex);
    }
    return rc;
}

static int add_cert(struct writer *w, size_t i, const Jiefen__SignedCert *sc)
{
    char name[64];
    size_t len = jiefen__signed_cert__get_packed_size(sc);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return -ENOMEM;
    jiefen__signed_cert__pack(sc, buf);
    snprintf(name, sizeof name, "chain/certs/%zu.cert", i);
    int rc = add_member(w, name, buf, len);
    free(buf);
    return rc;
}

/* This node's certificate and its issuers', the root left out (the checker brings it). */
static int add_certs(struct writer *w, char *why)
{
    Jiefen__EnrolBundle *b = NULL;
    int rc = formdata_bundle(w->st, w->txn, &b);
    if (rc == 0 && (!b || !b->cert))
        rc = refuse(why, "本节点尚未登记入网，没有证书为归档签名");
    for (size_t i = 0; rc == 0 && i < b->n_chain; i++)
        rc = add_cert(w, i, i == 0 ? b->cert : b->chain[i - 1]);
    if (b)
        jiefen__enrol_bundle__free_unpacked(b, NULL);
    return rc;
}

static int add_manifest(struct writer *w)
{
    uint8_t sig[CRYPTO_SIG_LEN];
    char hex[2 * CRYPTO_SIG_LEN + 2];
    crypto_ed25519_sign(w->id, (const uint8_t *)w->manifest, w->mlen, sig);
    crypto_hex(sig, sizeof sig, hex);
    strcat(hex, "\n");
    int rc = add_member(w, ARCHCHECK_MANIFEST, w->manifest, w->mlen);
    return rc ? rc : add_member(w, ARCHCHECK_SIGNATURE, hex, strlen(hex));
}

/* ---- the archive ---------------------------------------------------------------------- */

struct present {
    const char *dir;
    int missing;
};

static int doc_present(const Jiefen__Event *ev, const Jiefen__DocSecret *s, void *arg)
{
    struct present *p = arg;
    (void)s;
    p->missing += !blob_exists(p->dir, ev->doc_attached->blob_hash.data);
    return 0;
}

int casearchive_ready(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                      const char *dir, const Jiefen__CaseView *v, char *why)
{
    struct present p = {.dir = dir};
    Jiefen__EnrolBundle *b = NULL;
    if (v->status != CASE_STATUS(CLOSED))
        return refuse(why, "案件 %s 尚未办结，办结后才能立卷归档", v->case_id);
    int rc = formdata_bundle(st, txn, &b);
    if (rc == 0 && (!b || !b->cert))
        rc = refuse(why, "本节点尚未登记入网，没有证书为归档签名");
    if (b)
        jiefen__enrol_bundle__free_unpacked(b, NULL);
    if (rc == 0)
        rc = document_each(st, txn, id, self, v, doc_present, &p);
    if (rc == 0 && p.missing)
        rc = refuse(why, "案件 %s 还有 %d 份材料在途，到齐后才能立卷归档", v->case_id, p.missing);
    return rc;
}

static int write_all(struct writer *w, const Jiefen__CaseView *v, char *why)
{
    int rc = manifest_add(w, "%s\ncase %s\nnode %s\ntime %" PRId64 "\n", ARCHCHECK_MAGIC,
                          v->case_id, w->self, w->now_ms);
    if (rc == 0)
        rc = add_forms(w, v->case_id, why);
    if (rc == 0)
        rc = document_each(w->st, w->txn, w->id, w->self, v, add_document, w);
    if (rc == 0)
        rc = add_chain(w, v);
    if (rc == 0)
        rc = add_certs(w, why);
    if (rc == 0)
        rc = add_manifest(w);
    if (rc == 0 && w->ops->finish(w->a))
        rc = -EIO;
    return rc;
}

int casearchive_write(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                      const char *dir, const char *case_id, int fd, char *why)
{
    struct writer w = {.st = st, .txn = txn, .id = id, .self = self, .dir = dir,
                       .now_ms = clock_now_ms(), .mcap = 4096};
    Jiefen__CaseView *v = NULL;
    snprintf(why, CASEARCHIVE_ERR_MAX, "无法生成归档");
    int rc = caseindex_get(st, txn, case_id, &v);
    if (rc == 0 && !v)
        rc = JF_ENOTFOUND;
    if (rc == 0)
        rc = casearchive_ready(st, txn, id, self, dir, v, why);
    if (rc == 0 && !(w.ops = module_table(ZIPOUT_MODULE, ZIPOUT_OPS_SYMBOL)))
        rc = -EIO; /* module_table logged why */
    if (rc == 0 && !(w.manifest = malloc(w.mcap)))
        rc = -ENOMEM;
    char err[128];
    if (rc == 0 && !(w.a = w.ops->open(fd, ZIPOUT_TAR, err, sizeof err))) {
        log_error("archive", "case %s: %s", case_id, err);
        rc = -EIO;
    }
    /* Names are UTF-8 whatever the daemon's locale: libarchive converts them by this
     * thread's, and fails on Chinese under "C". */
    locale_t utf8 = rc == 0 ? newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0) : (locale_t)0;
    locale_t was = utf8 ? uselocale(utf8) : (locale_t)0;
    if (rc == 0 && !utf8)
        rc = -ENOMEM;
    if (rc == 0)
        rc = write_all(&w, v, why);
    if (utf8) {
        uselocale(was);
        freelocale(utf8);
    }
    if (w.a)
        w.ops->free(w.a);
    free(w.manifest);
    case_view_free(&v);
    return rc;
}
