/*
 * gen_corpus — writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/):
 * real signed envelopes, enrolment requests and bundles (armoured and raw), link messages
 * with up and down batches, and a few HTTP requests. The keys are the fixed ones of
 * fuzz_keys.h and every time is fixed, so the output is the same byte for byte on every
 * run (Ed25519 signatures are deterministic).
 *
 *   build-fuzz/tests/fuzz/fuzz_gen_corpus tests/fuzz/corpus
 */
#include "cert.h"
#include "crypto.h"
#include "envelope.h"
#include "fuzz_keys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1767225600000LL   /* 2026-01-01T00:00:00Z */

static const char *out_dir;
static char key_dir[4096];

static void die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s\n", what);
    exit(1);
}

static void write_file(const char *target, const char *name, const void *buf, size_t len)
{
    char path[4600];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", out_dir, target);
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        die("cannot create a corpus directory");
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
        die("cannot write a seed");
    printf("%s\n", path);
}

/* crypto.c makes identities only from key files: write the fixed seed to one. */
static crypto_identity *identity(enum fuzz_key k)
{
    char path[4200], hex[80];
    uint8_t seed[32];
    crypto_identity *id = NULL;
    FILE *f;

    memset(seed, (int)k, sizeof seed);
    sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
    snprintf(path, sizeof path, "%s/%02x.key", key_dir, (unsigned)k);
    f = fopen(path, "w");
    if (!f || chmod(path, 0600) < 0 || fprintf(f, "%s\n", hex) < 0 || fclose(f) != 0 ||
        crypto_identity_load(path, &id) != 0)
        die("cannot make a fixed identity");
    unlink(path);
    return id;
}

/* ---- certificates -------------------------------------------------------------------- */

static void issue(const crypto_identity *issuer, const char *issuer_id,
                  const crypto_identity *subject, const char *id, const char *name, int tier,
                  Jiefen__SignedCert *out)
{
    Jiefen__Certificate c = JIEFEN__CERTIFICATE__INIT;

    c.node_id = (char *)id;
    c.name = (char *)name;
    c.tier = tier;
    c.public_key.data = (uint8_t *)crypto_identity_pk(subject);
    c.public_key.len = CRYPTO_PK_LEN;
    c.issuer = (char *)issuer_id;
    c.issued_ms = T0;
    if (cert_sign(issuer, &c, out))
        die("cert_sign");
}

static uint8_t *pack_signed_cert(const Jiefen__SignedCert *sc, size_t *len)
{
    uint8_t *buf;

    *len = jiefen__signed_cert__get_packed_size(sc);
    if (!(buf = malloc(*len ? *len : 1)))
        die("out of memory");
    jiefen__signed_cert__pack(sc, buf);
    return buf;
}

static void write_armored(const char *name, const char *kind, const uint8_t *buf, size_t len)
{
    char *text = cert_armor(kind, buf, len);

    if (!text)
        die("cert_armor");
    write_file("cert", name, text, strlen(text));
    free(text);
}

/* ---- events -------------------------------------------------------------------------- */

struct chain {                  /* one origin's log as it is being written */
    const crypto_identity *id;
    const char *origin;
    uint64_t seq;
    uint8_t head[CRYPTO_HASH_LEN];
};

/* Signs ev as the next event of c; returns the Envelope bytes (malloc'd). */
static ProtobufCBinaryData append(struct chain *c, Jiefen__Event *ev)
{
    ProtobufCBinaryData out;
    uint8_t prev[CRYPTO_HASH_LEN];

    memcpy(prev, c->head, sizeof prev);
    ev->origin = (char *)c->origin;
    ev->seq = ++c->seq;
    ev->prev_hash.data = prev;
    ev->prev_hash.len = sizeof prev;
    ev->time_ms = T0 + (int64_t)c->seq * 60000;
    if (!ev->actor)
        ev->actor = "admin";
    if (envelope_sign(c->id, ev, &out.data, &out.len, c->head))
        die("envelope_sign");
    return out;
}

static ProtobufCBinaryData ev_node_created(struct chain *c, const char *name, int tier)
{
    Jiefen__NodeCreated nc = JIEFEN__NODE_CREATED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    nc.node_id = (char *)c->origin;
    nc.name = (char *)name;
    nc.tier = tier;
    nc.public_key.data = (uint8_t *)crypto_identity_pk(c->id);
    nc.public_key.len = CRYPTO_PK_LEN;
    nc.time_zone = "Asia/Shanghai";
    ev.body_case = JIEFEN__EVENT__BODY_NODE_CREATED;
    ev.node_created = &nc;
    return append(c, &ev);
}

static ProtobufCBinaryData ev_case_opened(struct chain *c, const char *case_id)
{
    static char *roles[] = {"applicant", "respondent"};
    uint8_t sealed_hash[CRYPTO_HASH_LEN];
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    memset(sealed_hash, 0x5a, sizeof sealed_hash);
    o.case_id = (char *)case_id;
    o.category = "neighbour";
    o.department = "司法所";
    o.matter_type = "宅基地";
    o.village = "东村";
    o.source = "walk_in";
    o.summary = "两户因宅基地边界发生争执";
    o.complexity = JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE;
    o.risk = JIEFEN__RISK__RISK_YELLOW;
    o.due_ms = T0 + 15LL * 86400000;
    o.party_count = 2;
    o.party_roles = roles;
    o.n_party_roles = 2;
    ev.case_id = (char *)case_id;
    ev.sealed_hash.data = sealed_hash;
    ev.sealed_hash.len = sizeof sealed_hash;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    return append(c, &ev);
}

static ProtobufCBinaryData ev_child_enrolled(struct chain *c, Jiefen__SignedCert *sc)
{
    Jiefen__ChildEnrolled ce = JIEFEN__CHILD_ENROLLED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    ce.cert = sc;
    ev.body_case = JIEFEN__EVENT__BODY_CHILD_ENROLLED;
    ev.child_enrolled = &ce;
    return append(c, &ev);
}

static ProtobufCBinaryData ev_enrolled(struct chain *c, Jiefen__SignedCert *sc,
                                       Jiefen__SignedCert **chain, size_t n)
{
    Jiefen__Enrolled en = JIEFEN__ENROLLED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    en.cert = sc;
    en.chain = chain;
    en.n_chain = n;
    ev.body_case = JIEFEN__EVENT__BODY_ENROLLED;
    ev.enrolled = &en;
    return append(c, &ev);
}

static ProtobufCBinaryData ev_directive(struct chain *c, const char *kind, char **targets,
                                        size_t n, int subtree)
{
    Jiefen__Directive d = JIEFEN__DIRECTIVE__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    d.kind = (char *)kind;
    d.title = "开展矛盾纠纷排查";
    d.body = "各乡镇于本周内完成排查并上报";
    d.targets = targets;
    d.n_targets = n;
    d.subtree = subtree;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE;
    ev.directive = &d;
    return append(c, &ev);
}

static ProtobufCBinaryData ev_directive_ack(struct chain *c, const char *origin, uint64_t seq)
{
    Jiefen__DirectiveAck a = JIEFEN__DIRECTIVE_ACK__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    a.origin = (char *)origin;
    a.seq = seq;
    a.note = "已收到";
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE_ACK;
    ev.directive_ack = &a;
    return append(c, &ev);
}

static ProtobufCBinaryData ev_child_revoked(struct chain *c, const char *node_id)
{
    Jiefen__ChildRevoked r = JIEFEN__CHILD_REVOKED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;

    r.node_id = (char *)node_id;
    r.reason = "设备遗失";
    ev.body_case = JIEFEN__EVENT__BODY_CHILD_REVOKED;
    ev.child_revoked = &r;
    return append(c, &ev);
}

/* ---- link messages ------------------------------------------------------------------- */

static void write_link(const char *name, const Jiefen__LinkMessage *m)
{
    size_t len = jiefen__link_message__get_packed_size(m);
    uint8_t *buf = malloc(len ? len : 1);

    if (!buf)
        die("out of memory");
    jiefen__link_message__pack(m, buf);
    write_file("linkmsg", name, buf, len);
    free(buf);
}

static void write_up(const char *name, ProtobufCBinaryData *envs, size_t n)
{
    Jiefen__UpBatch b = JIEFEN__UP_BATCH__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;

    b.envelopes = envs;
    b.n_envelopes = n;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_UP;
    m.up = &b;
    write_link(name, &m);
}

static void write_down(const char *name, uint64_t first, ProtobufCBinaryData *envs, size_t n)
{
    Jiefen__DownBatch b = JIEFEN__DOWN_BATCH__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;

    b.first_qseq = first;
    b.envelopes = envs;
    b.n_envelopes = n;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN;
    m.down = &b;
    write_link(name, &m);
}

static void write_small_links(void)
{
    static char *origins[] = {FUZZ_CHILD, FUZZ_GRAND};
    static uint64_t seqs[] = {3, 1};
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__Heads hd = JIEFEN__HEADS__INIT;
    Jiefen__DownAck a = JIEFEN__DOWN_ACK__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;

    h.node_id = FUZZ_CHILD;
    h.down_cursor = 1;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    m.hello = &h;
    write_link("hello.bin", &m);
    hd.origins = origins;
    hd.n_origins = 2;
    hd.seqs = seqs;
    hd.n_seqs = 2;
    hd.resync = 1;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HEADS;
    m.heads = &hd;
    write_link("heads.bin", &m);
    a.qseq = 2;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN_ACK;
    m.down_ack = &a;
    write_link("down_ack.bin", &m);
}

/* ---- HTTP ---------------------------------------------------------------------------- */

/* A request; with `body`, Content-Length and the body are added after `head`. */
static void write_request(const char *name, const char *head, const char *body)
{
    char text[2048];
    int n = body ? snprintf(text, sizeof text, "%sContent-Length: %zu\r\n\r\n%s", head,
                            strlen(body), body)
                 : snprintf(text, sizeof text, "%s", head);

    if (n < 0 || (size_t)n >= sizeof text)
        die("request too long");
    write_file("http", name, text, (size_t)n);
}

static void write_http(void)
{
    write_request("get_status.txt",
                  "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                  "Authorization: Bearer 0123456789abcdef\r\n\r\n", NULL);
    write_request("get_cases_query.txt",
                  "GET /api/v1/cases?status=open&risk=red&village=%E4%B8%9C%E6%9D%91"
                  "&from=2026-01-01&limit=10&q=a+b%20c HTTP/1.1\r\nHost: localhost\r\n"
                  "Origin: http://localhost\r\n\r\n", NULL);
    write_request("get_case_id.txt",
                  "GET /api/v1/cases/v-dongcun-2026-000001#frag HTTP/1.1\r\nHost: x\r\n\r\n",
                  NULL);
    write_request("post_case.txt",
                  "POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nAuthorization: Bearer t\r\n",
                  "{\"category\":\"neighbour\",\"summary\":\"\\u4e89\\u6267\"}");
    write_request("post_expect.txt",
                  "POST /api/v1/directives HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                  "Content-Type: application/json\r\n", "{\"to\":\"all\"}\n");
    write_request("pipelined.txt",
                  "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"
                  "POST /api/v1/verify HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                  "GET /api/v1/nodes?x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                  NULL);
    write_request("http10.txt", "GET /api/v1/reference HTTP/1.0\r\n\r\n", NULL);
    write_request("chunked.txt",
                  "POST /api/v1/cases HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                  "\r\n5\r\nhello\r\n0\r\n\r\n", NULL);
    write_request("too_large.txt",
                  "POST /api/v1/cases HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n"
                  "\r\n{}", NULL);
    write_request("odd_headers.txt",
                  "GET /api/v1/status HTTP/1.1\r\nHost:   spaced \t\r\n"
                  "X-Long-Header-Name-Over-24-Bytes: v\r\nHOST: second\r\n"
                  "Authorization: Bearer\r\n  continued\r\n\r\n", NULL);
    write_request("bad_method.txt", "BREW /pot HTTP/1.1\r\nHost: h\r\n\r\n", NULL);
    write_request("session_cookie.txt",
                  "DELETE /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Cookie: theme=dark; jiefen_session=0123456789abcdef0123456789abcdef"
                  "0123456789abcdef0123456789abcdef;x=\r\n"
                  "X-CSRF-Token: fedcba9876543210\r\n\r\n", NULL);
}

int main(int argc, char **argv)
{
    crypto_identity *parent, *self, *child, *grand;
    Jiefen__SignedCert root = JIEFEN__SIGNED_CERT__INIT, county = JIEFEN__SIGNED_CERT__INIT,
                       town = JIEFEN__SIGNED_CERT__INIT, village = JIEFEN__SIGNED_CERT__INIT;
    uint8_t *buf;
    size_t len;

    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus DIR   (DIR: tests/fuzz/corpus)\n");
        return 2;
    }
    out_dir = argv[1];
    if (crypto_init())
        die("crypto_init");
    if (mkdir(out_dir, 0755) < 0 && errno != EEXIST)
        die("cannot create the output directory");
    snprintf(key_dir, sizeof key_dir, "%s/jiefen-gen-corpus-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(key_dir))
        die("mkdtemp");
    parent = identity(FUZZ_KEY_PARENT);
    self = identity(FUZZ_KEY_SELF);
    child = identity(FUZZ_KEY_CHILD);
    grand = identity(FUZZ_KEY_GRAND);
    rmdir(key_dir);

    /* cert: s-city (root) > c-self > t-child, t-child's request and bundle. */
    issue(parent, FUZZ_PARENT, parent, FUZZ_PARENT, "银川市", JIEFEN__TIER__TIER_CITY, &root);
    issue(parent, FUZZ_PARENT, self, FUZZ_SELF, "贺兰县", JIEFEN__TIER__TIER_COUNTY, &county);
    issue(self, FUZZ_SELF, child, FUZZ_CHILD, "习岗镇", JIEFEN__TIER__TIER_TOWNSHIP, &town);
    issue(child, FUZZ_CHILD, grand, FUZZ_GRAND, "东村", JIEFEN__TIER__TIER_VILLAGE, &village);

    buf = cert_request_make(child, FUZZ_CHILD, "习岗镇", JIEFEN__TIER__TIER_TOWNSHIP, T0, &len);
    if (!buf)
        die("cert_request_make");
    write_file("cert", "request.bin", buf, len);
    write_armored("request.txt", "ENROL-REQUEST", buf, len);
    write_armored("request_as_bundle.txt", "ENROL-BUNDLE", buf, len);
    free(buf);

    Jiefen__SignedCert *chain[] = {&county, &root};
    Jiefen__EnrolBundle bundle = JIEFEN__ENROL_BUNDLE__INIT;
    bundle.cert = &town;
    bundle.chain = chain;
    bundle.n_chain = 2;
    bundle.parent_endpoint = "tcp://127.0.0.1:7101";
    len = jiefen__enrol_bundle__get_packed_size(&bundle);
    if (!(buf = malloc(len)))
        die("out of memory");
    jiefen__enrol_bundle__pack(&bundle, buf);
    write_file("cert", "bundle.bin", buf, len);
    write_armored("bundle.txt", "ENROL-BUNDLE", buf, len);
    free(buf);
    bundle.n_chain = 1;   /* stops short of the root */
    len = jiefen__enrol_bundle__get_packed_size(&bundle);
    if (!(buf = malloc(len)))
        die("out of memory");
    jiefen__enrol_bundle__pack(&bundle, buf);
    write_file("cert", "bundle_short.bin", buf, len);
    free(buf);
    buf = pack_signed_cert(&root, &len);
    write_file("cert", "root.bin", buf, len);
    free(buf);
    buf = pack_signed_cert(&county, &len);
    write_file("cert", "county.bin", buf, len);
    free(buf);
    write_file("cert", "bad_base64.txt", "JIEFEN ENROL-BUNDLE\nAAA*==\n", 27);

    /* t-child's log: enrols v-grand, opens a case, acks the parent's directive... */
    struct chain c = {child, FUZZ_CHILD, 0, {0}}, g = {grand, FUZZ_GRAND, 0, {0}},
                 p = {parent, FUZZ_PARENT, 0, {0}};
    ProtobufCBinaryData up[10], down[2];
    size_t n = 0;
    up[n++] = ev_node_created(&c, "习岗镇", JIEFEN__TIER__TIER_TOWNSHIP);
    up[n++] = ev_child_enrolled(&c, &village);
    up[n++] = ev_case_opened(&c, FUZZ_CHILD "-2026-000001");
    up[n++] = ev_directive_ack(&c, FUZZ_PARENT, 1);
    up[n++] = ev_enrolled(&c, &town, chain, 2);
    up[n++] = ev_node_created(&g, "东村", JIEFEN__TIER__TIER_VILLAGE);
    up[n++] = ev_case_opened(&g, FUZZ_GRAND "-2026-000001");
    up[n++] = ev_child_revoked(&c, FUZZ_GRAND);

    write_file("envelope", "node_created.bin", up[0].data, up[0].len);
    write_file("envelope", "child_enrolled.bin", up[1].data, up[1].len);
    write_file("envelope", "case_opened.bin", up[2].data, up[2].len);
    write_file("envelope", "directive_ack.bin", up[3].data, up[3].len);
    write_file("envelope", "enrolled.bin", up[4].data, up[4].len);
    write_file("envelope", "child_revoked.bin", up[7].data, up[7].len);
    write_file("envelope", "other_signer.bin", up[5].data, up[5].len);

    write_up("up_subtree.bin", up, n);
    write_up("up_first3.bin", up, 3);
    write_up("up_grand_only.bin", up + 5, 2);

    static char *targets[] = {FUZZ_SELF, FUZZ_CHILD};
    static char *one[] = {FUZZ_GRAND};
    down[0] = ev_directive(&p, "screening", targets, 2, 1);
    down[1] = ev_directive(&p, "notice", one, 1, 0);
    write_file("envelope", "directive.bin", down[0].data, down[0].len);
    write_down("down_directives.bin", 1, down, 2);
    write_down("down_second.bin", 2, down + 1, 1);
    write_small_links();

    write_http();

    for (size_t i = 0; i < n; i++)
        free(up[i].data);
    free(down[0].data);
    free(down[1].data);
    cert_signed_clear(&root);
    cert_signed_clear(&county);
    cert_signed_clear(&town);
    cert_signed_clear(&village);
    crypto_identity_free(&parent);
    crypto_identity_free(&self);
    crypto_identity_free(&child);
    crypto_identity_free(&grand);
    return 0;
}
