/* api_net — the API routes of the tier network: enrolment (一机一账号), directives down
 * the tree with their acknowledgements, the node registry and link quarantine. Each
 * state change is an event appended through the group commit; a refusal changes nothing. */
#include "api/api_case.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/caseindex.h"
#include "case/directive.h"
#include "cert.h"
#include "clock.h"
#include "error.h"
#include "log/fold.h"
#include "log/eventlog.h"
#include "log/ingest.h"
#include "log/quarantine.h"
#include "log.h"
#include "case/party.h"
#include "log/registry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- enrolment ---------------------------------------------------------------------- */

/* This node's certificate and chain as recorded at enrolment (or root), or NULL. */
static Jiefen__EnrolBundle *own_bundle(store *st, MDB_txn *txn)
{
    Jiefen__EnrolBundle *b = NULL;
    STORE_GET_MESSAGE(txn, st->meta, "own_bundle", 10, &jiefen__enrol_bundle__descriptor, &b);
    return b;
}

static int save_bundle(store *st, MDB_txn *txn, const Jiefen__EnrolBundle *b)
{
    return store_put_message(txn, st->meta, "own_bundle", 10, &b->base);
}

/* A certificate issued by this node now (to itself, for a root). Clear with
 * cert_signed_clear(). */
static int issue(struct api *api, eventlog_tx *tx, const char *id, const char *name, int tier,
                 ProtobufCBinaryData pk, Jiefen__SignedCert *out)
{
    Jiefen__Certificate cert = JIEFEN__CERTIFICATE__INIT;
    cert.node_id = (char *)id;
    cert.name = (char *)name;
    cert.tier = tier;
    cert.public_key = pk;
    cert.issuer = (char *)api->dep.cfg->node_id;
    cert.issued_ms = tx->now_ms;
    return cert_sign(api->dep.id, &cert, out);
}

void route_enrol_request(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct api *api = c->api;
    size_t len;
    uint8_t *req =
        cert_request_make(api->dep.id, api->dep.cfg->node_id, api->dep.cfg->node_name,
                          api->dep.cfg->tier, clock_now_ms(), &len);
    char *text = req ? cert_armor("ENROL-REQUEST", req, len) : NULL;
    free(req);
    if (!text)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    reply_json(c, 200, json_pack("{s:s, s:s, s:s}", "request", text, "node_id",
                                 api->dep.cfg->node_id, "tier", config_tier_name(api->dep.cfg->tier)));
    free(text);
}

static int enrol_root_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    Jiefen__EnrolBundle *have = own_bundle(tx->st, tx->txn);
    if (have) {
        jiefen__enrol_bundle__free_unpacked(have, NULL);
        return op_refuse(o, 409, "already_enrolled", NULL, "本节点已有证书，不能再设为根节点");
    }
    Jiefen__SignedCert sc;
    ProtobufCBinaryData pk = {CRYPTO_PK_LEN, (uint8_t *)crypto_identity_pk(api->dep.id)};
    int rc = issue(api, tx, api->dep.cfg->node_id, api->dep.cfg->node_name,
                   api->dep.cfg->tier, pk, &sc);
    if (rc)
        return rc;
    Jiefen__Enrolled en = JIEFEN__ENROLLED__INIT;
    en.cert = &sc;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ENROLLED;
    ev.enrolled = &en;
    Jiefen__EnrolBundle b = JIEFEN__ENROL_BUNDLE__INIT;
    b.cert = &sc;
    if ((rc = op_append(tx, o, &ev)) == 0 && (rc = save_bundle(tx->st, tx->txn, &b)) == 0 &&
        (rc = party_key_create(tx->st, tx->txn, api->dep.id)) == 0)
        o->out = json_pack("{s:s, s:b}", "node_id", api->dep.cfg->node_id, "root", 1);
    cert_signed_clear(&sc);
    return rc;
}

void route_enrol_root(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    op_submit(c, NULL, enrol_root_apply, NULL);
}

/* Decodes an armoured file from the request, or refuses naming the field. */
static int dearmor_field(struct api_op *o, const char *field, const char *kind, uint8_t **buf,
                         size_t *len)
{
    char why[128];
    const char *text = api_str(o->in, field);
    if (!text[0])
        return op_refuse(o, 400, "missing_field", field, "缺少 %s", field);
    if (cert_dearmor(kind, text, buf, len, why, sizeof why))
        return op_refuse(o, 400, "invalid_field", field, "%s", why);
    return 0;
}

static const char *tier_label(int tier)
{
    const char *t = config_tier_name(tier);
    return t ? t : "unknown";
}

/* A successor (a child rebuilt on an empty disk, docs/operations.md) must be a child of
 * ours, unrevoked, asking with a new key. Frees known. */
static int check_successor(struct api_op *o, Jiefen__NodeInfo *known,
                           const Jiefen__EnrolRequest *req)
{
    const char *self = o->c->api->dep.cfg->node_id;
    int ours = known && !known->revoked && strcmp(known->parent, self) == 0 &&
               known->tier == req->tier;
    int same = ours && known->public_key.len == CRYPTO_PK_LEN &&
               memcmp(known->public_key.data, req->public_key.data, CRYPTO_PK_LEN) == 0;
    registry_free(&known);
    if (!ours)
        return op_refuse(o, 409, "not_a_child", "request",
                         "节点 %s 不是本节点的下级（或已吊销、层级不符），不能作为重建节点接入",
                         req->node_id);
    if (same)
        return op_refuse(o, 409, "same_key", "request",
                         "申请中的密钥与节点 %s 现有密钥相同：重建节点须使用新密钥",
                         req->node_id);
    return 0;
}

/* Why this node cannot take `req` as its child, or NULL. */
static int check_request(struct api_op *o, MDB_txn *txn, const Jiefen__EnrolRequest *req)
{
    struct api *api = o->c->api;
    Jiefen__NodeInfo *known = NULL;
    if (config_valid_node_id(req->node_id))
        return op_refuse(o, 400, "invalid_field", "request", "申请中的节点编号无效");
    if ((int)req->tier >= api->dep.cfg->tier)
        return op_refuse(o, 400, "wrong_tier", "request",
                      "层级不符：%s 级节点不能接入 %s 级节点之下", tier_label(req->tier),
                      tier_label(api->dep.cfg->tier));
    int rc = registry_get(api->dep.st, txn, req->node_id, &known);
    if (rc)
        return rc;
    if (json_is_true(json_object_get(o->in, "successor")))
        return check_successor(o, known, req);
    /* The same child asking again (its bundle was lost) gets a new bundle; anyone else
     * asking for a used id is refused. */
    int again = known && !known->revoked &&
                strcmp(known->parent, api->dep.cfg->node_id) == 0 &&
                known->public_key.len == CRYPTO_PK_LEN &&
                memcmp(known->public_key.data, req->public_key.data, CRYPTO_PK_LEN) == 0;
    int taken = (known && !again) || strcmp(req->node_id, api->dep.cfg->node_id) == 0;
    registry_free(&known);
    if (taken)
        return op_refuse(o, 409, "duplicate_id", "request", "节点编号 %s 已被使用", req->node_id);
    return 0;
}

/* The key rotation of a rebuilt child: its new certificate, the key it had, and the first
 * seq the new key signs (after every event of it this node holds), as the event to append. */
static int successor_event(eventlog_tx *tx, const char *child, Jiefen__SignedCert *sc,
                           uint8_t old_pk[CRYPTO_PK_LEN], Jiefen__RebuildSuccession *su,
                           Jiefen__Event *ev)
{
    uint64_t head;
    uint8_t hash[CRYPTO_HASH_LEN];
    int rc = registry_key(tx->st, tx->txn, child, old_pk);
    if (rc == 0)
        rc = eventlog_head(tx->st, tx->txn, child, &head, hash);
    if (rc)
        return rc;
    su->cert = sc;
    su->previous_key = (ProtobufCBinaryData){CRYPTO_PK_LEN, old_pk};
    su->from_seq = head + 1;
    ev->body_case = JIEFEN__EVENT__BODY_REBUILD_SUCCESSION;
    ev->rebuild_succession = su;
    log_info("enrol", "%s rebuilt: a new key signs its events from seq %llu", child,
             (unsigned long long)su->from_seq);
    return 0;
}

static int issue_cert(eventlog_tx *tx, struct api_op *o, const Jiefen__EnrolRequest *req,
                      const Jiefen__EnrolBundle *own)
{
    struct api *api = o->c->api;
    Jiefen__SignedCert sc;
    int rc = issue(api, tx, req->node_id, req->name, req->tier, req->public_key, &sc);
    if (rc)
        return rc;
    Jiefen__ChildEnrolled ce = JIEFEN__CHILD_ENROLLED__INIT;
    ce.cert = &sc;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CHILD_ENROLLED;
    ev.child_enrolled = &ce;
    Jiefen__RebuildSuccession su = JIEFEN__REBUILD_SUCCESSION__INIT;
    uint8_t old_pk[CRYPTO_PK_LEN];
    if (json_is_true(json_object_get(o->in, "successor")) &&
        (rc = successor_event(tx, req->node_id, &sc, old_pk, &su, &ev)))
        goto out;
    /* The child's chain: our certificate, then ours up to the root. */
    Jiefen__SignedCert *chain[17];
    size_t nchain = 0;
    chain[nchain++] = own->cert;
    for (size_t i = 0; i < own->n_chain && nchain < 17; i++)
        chain[nchain++] = own->chain[i];
    const char *endpoint = api_str(o->in, "endpoint");
    Jiefen__EnrolBundle b = JIEFEN__ENROL_BUNDLE__INIT;
    b.cert = &sc;
    b.chain = chain;
    b.n_chain = nchain;
    b.parent_endpoint = (char *)(endpoint[0] ? endpoint : api->dep.cfg->link_listen);
    b.rebuild_previous_key = su.previous_key;
    b.rebuild_from_seq = su.from_seq;
    if ((rc = party_key_box(tx->st, tx->txn, api->dep.id, req->public_key.data, &b.party_key)))
        log_error("enrol", "the party key could not be boxed for %s: %s", req->node_id,
                  jf_strerror(rc));
    if (rc == 0 && (rc = op_append(tx, o, &ev)) == 0) {
        size_t len = jiefen__enrol_bundle__get_packed_size(&b);
        uint8_t *buf = malloc(len);
        char *text = NULL;
        if (buf) {
            jiefen__enrol_bundle__pack(&b, buf);
            text = cert_armor("ENROL-BUNDLE", buf, len);
        }
        o->out = text ? json_pack("{s:s, s:s, s:s}", "bundle", text, "node_id", req->node_id,
                                  "endpoint", b.parent_endpoint)
                      : NULL;
        rc = o->out ? 0 : -ENOMEM;
        free(buf);
        free(text);
    }
    free(b.party_key.data);
out:
    cert_signed_clear(&sc);
    return rc;
}

static int enrol_approve_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    uint8_t *buf = NULL;
    size_t len;
    Jiefen__EnrolRequest *req = NULL;
    Jiefen__EnrolBundle *own = own_bundle(tx->st, tx->txn);
    int rc;
    if (!own)
        rc = op_refuse(o, 409, "not_enrolled", NULL,
                    "本节点尚未接入上级（根节点请先执行 enrol root），不能接入下级");
    else if (!api->dep.cfg->link_listen[0])
        rc = op_refuse(o, 409, "not_listening", NULL,
                    "本节点未配置 [link] listen，下级无法连接");
    else if ((rc = dearmor_field(o, "request", "ENROL-REQUEST", &buf, &len)) == 0 &&
             cert_request_open(buf, len, &req))
        rc = op_refuse(o, 400, "invalid_field", "request", "申请文件签名无效或已损坏");
    if (rc == 0 && (rc = check_request(o, tx->txn, req)) == 0)
        rc = issue_cert(tx, o, req, own);
    if (req)
        jiefen__enrol_request__free_unpacked(req, NULL);
    if (own)
        jiefen__enrol_bundle__free_unpacked(own, NULL);
    free(buf);
    return rc;
}

void route_enrol_approve(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, enrol_approve_apply, NULL);
}

/* The bundle must be for this very node: same id, key and tier. */
static int check_bundle(struct api_op *o, const Jiefen__EnrolBundle *b,
                        Jiefen__Certificate **out)
{
    struct api *api = o->c->api;
    char why[CERT_ERR_MAX];
    Jiefen__Certificate *issuer = NULL;
    if (!b->cert || cert_chain_check(b->cert, b->chain, b->n_chain, why, sizeof why))
        return op_refuse(o, 400, "invalid_field", "bundle", "证书链无效：%s",
                      b->cert ? why : "缺少证书");
    if (cert_decode(b->chain[0], &issuer) ||
        cert_open(b->cert, issuer->public_key.data, out)) {
        if (issuer)
            jiefen__certificate__free_unpacked(issuer, NULL);
        return op_refuse(o, 400, "invalid_field", "bundle", "证书无效");
    }
    jiefen__certificate__free_unpacked(issuer, NULL);
    Jiefen__Certificate *c = *out;
    if (strcmp(c->node_id, api->dep.cfg->node_id) || (int)c->tier != api->dep.cfg->tier ||
        memcmp(c->public_key.data, crypto_identity_pk(api->dep.id), CRYPTO_PK_LEN))
        return op_refuse(o, 400, "wrong_node", "bundle",
                      "此证书属于节点 %s，不是本节点 %s", c->node_id, api->dep.cfg->node_id);
    if (!b->parent_endpoint[0])
        return op_refuse(o, 400, "invalid_field", "bundle", "证书包缺少上级地址");
    return 0;
}

/* A successor's bundle: no event yet (its chain is fetched back first, selfsync.h); the
 * ancestors, its own key history and the chain floor are recorded. */
static int install_successor(eventlog_tx *tx, const Jiefen__EnrolBundle *b,
                             const Jiefen__Certificate *c)
{
    const char *self = c->node_id;
    int rc = b->rebuild_previous_key.len == CRYPTO_PK_LEN ? 0 : JF_EINVAL;
    if (rc == 0)
        rc = fold_enrolment_chain(tx->st, tx->txn, b->chain[0], b->chain + 1, b->n_chain - 1);
    if (rc == 0)
        rc = registry_put(tx->st, tx->txn, self, c->name, c->tier,
                          b->rebuild_previous_key.data, c->issuer);
    if (rc == 0)
        rc = registry_succeed(tx->st, tx->txn, self, c->public_key.data, b->rebuild_from_seq);
    if (rc == 0)
        rc = store_meta_put_u64(tx->st, tx->txn, EVENTLOG_CHAIN_FLOOR, b->rebuild_from_seq - 1);
    return rc;
}

static int install(eventlog_tx *tx, struct api_op *o, const Jiefen__EnrolBundle *b,
                   const Jiefen__Certificate *c)
{
    Jiefen__Enrolled en = JIEFEN__ENROLLED__INIT;
    en.cert = b->cert;
    en.chain = b->chain;
    en.n_chain = b->n_chain;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ENROLLED;
    ev.enrolled = &en;
    int rc = party_key_install(tx->st, tx->txn, o->c->api->dep.id, &b->party_key);
    if (rc == JF_ECRYPTO)
        return op_refuse(o, 400, "invalid_field", "bundle", "证书包中的当事人标识密钥无法解开");
    if (rc == 0)
        rc = b->rebuild_from_seq ? install_successor(tx, b, c) : op_append(tx, o, &ev);
    if (rc == 0)
        rc = save_bundle(tx->st, tx->txn, b);
    if (rc == 0)
        rc = store_put(tx->txn, tx->st->meta, "parent", 6, c->issuer, strlen(c->issuer), 0);
    if (rc == 0)
        rc = store_put(tx->txn, tx->st->meta, "parent_endpoint", 15, b->parent_endpoint,
                       strlen(b->parent_endpoint), 0);
    return rc;
}

static int enrol_install_apply(eventlog_tx *tx, struct api_op *o)
{
    uint8_t *buf = NULL;
    size_t len;
    Jiefen__EnrolBundle *b = NULL, *own = own_bundle(tx->st, tx->txn);
    Jiefen__Certificate *c = NULL;
    int rc;
    if (own)
        rc = op_refuse(o, 409, "already_enrolled", NULL, "本节点已接入，不能重复安装证书");
    else if ((rc = dearmor_field(o, "bundle", "ENROL-BUNDLE", &buf, &len)) == 0 &&
             !(b = jiefen__enrol_bundle__unpack(NULL, len, buf)))
        rc = op_refuse(o, 400, "invalid_field", "bundle", "证书包已损坏");
    if (rc == 0 && (rc = check_bundle(o, b, &c)) == 0 && (rc = install(tx, o, b, c)) == 0)
        o->out = json_pack("{s:s, s:s, s:b}", "parent", c->issuer, "endpoint",
                           b->parent_endpoint, "successor", b->rebuild_from_seq > 0);
    if (c)
        jiefen__certificate__free_unpacked(c, NULL);
    if (b)
        jiefen__enrol_bundle__free_unpacked(b, NULL);
    if (own)
        jiefen__enrol_bundle__free_unpacked(own, NULL);
    free(buf);
    return rc;
}

static void after_install(struct api *api)
{
    if (api->dep.uplink_start(api->dep.arg))
        log_error("node", "enrolled, but the uplink did not start");
}

void route_enrol_install(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, enrol_install_apply, after_install);
}

static int enrol_revoke_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    const char *id = api_str(o->in, "node_id");
    Jiefen__NodeInfo *ni = NULL;
    int rc = registry_get(tx->st, tx->txn, id, &ni);
    if (rc)
        return rc;
    if (!ni || strcmp(ni->parent, api->dep.cfg->node_id))
        rc = op_refuse(o, 404, "not_found", "node_id", "%s 不是本节点的下级", id[0] ? id : "（空）");
    else if (ni->revoked)
        rc = op_refuse(o, 409, "already_revoked", "node_id", "%s 已被撤销", id);
    registry_free(&ni);
    if (rc)
        return rc;
    Jiefen__ChildRevoked cr = JIEFEN__CHILD_REVOKED__INIT;
    cr.node_id = (char *)id;
    cr.reason = (char *)api_str(o->in, "reason");
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CHILD_REVOKED;
    ev.child_revoked = &cr;
    if ((rc = op_append(tx, o, &ev)) == 0)
        o->out = json_pack("{s:s, s:b}", "node_id", id, "revoked", 1);
    return rc;
}

static void after_revoke(struct api *api)
{
    /* Existing connections passed ZAP before; make every child pass it again. */
    if (*api->dep.down && downlink_reset(*api->dep.down))
        log_error("downlink", "could not rebind after a revocation");
}

void route_enrol_revoke(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, enrol_revoke_apply, after_revoke);
}

/* ---- registry ----------------------------------------------------------------------- */

static const char *relation(struct api *api, MDB_txn *txn, const char *id)
{
    if (strcmp(id, api->dep.cfg->node_id) == 0)
        return "self";
    if (registry_depth_below(api->dep.st, txn, id, api->dep.cfg->node_id) > 0)
        return "descendant";
    if (registry_depth_below(api->dep.st, txn, api->dep.cfg->node_id, id) > 0)
        return "ancestor";
    return "other";
}

struct nodes_list {
    struct api *api;
    MDB_txn *txn;
    json_t *list;
};

static int add_node(const Jiefen__NodeInfo *ni, void *arg)
{
    struct nodes_list *l = arg;
    char pk[65] = "";
    if (ni->public_key.len == 32)
        crypto_hex(ni->public_key.data, 32, pk);
    json_array_append_new(
        l->list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "id", ni->node_id, "name",
                           ni->name, "tier", tier_label(ni->tier), "parent", ni->parent,
                           "revoked", ni->revoked, "relation",
                           relation(l->api, l->txn, ni->node_id), "public_key", pk));
    return 0;
}

void route_nodes(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct nodes_list l = {c->api, NULL, json_array()};
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &l.txn);
    if (rc == 0) {
        rc = registry_each(c->api->dep.st, l.txn, add_node, &l);
        store_txn_abort(l.txn);
    }
    if (rc) {
        json_decref(l.list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "nodes", l.list));
}

/* ---- directives (交办, 督办, 通知) ----------------------------------------------------
 */

static const char *const directive_kinds[] = {"supervise", "screening", "notice"};

static int acked_by(const Jiefen__DirectiveView *v, const char *node)
{
    for (size_t i = 0; i < v->n_acked_by; i++)
        if (strcmp(v->acked_by[i], node) == 0)
            return 1;
    return 0;
}

/* {"id", "name"} of a node, named from the registry (the id when unknown). */
static json_t *named_node(struct api *api, MDB_txn *txn, const char *id)
{
    char name[128];
    return json_pack("{s:s, s:s}", "id", id, "name",
                     api_node_name(api->dep.st, txn, id, name, sizeof name));
}

static json_t *directive_json(struct api *api, MDB_txn *txn, const Jiefen__DirectiveView *v)
{
    const Jiefen__Directive *d = v->directive;
    char name[128], person[ACCOUNT_NAME_MAX * 4 + 1];
    json_t *acks = json_array(), *pending = json_array(), *targets = json_array();
    json_t *pending_nodes = json_array(), *target_nodes = json_array();
    for (size_t i = 0; i < v->n_acked_by; i++)
        json_array_append_new(
            acks, json_pack("{s:s, s:s, s:I, s:s}", "node", v->acked_by[i], "node_name",
                            api_node_name(api->dep.st, txn, v->acked_by[i], name, sizeof name),
                            "time_ms", (json_int_t)v->acked_ms[i], "note",
                            i < v->n_ack_notes ? v->ack_notes[i] : ""));
    for (size_t i = 0; i < v->n_addressees; i++)
        if (!acked_by(v, v->addressees[i])) {
            json_array_append_new(pending, json_string(v->addressees[i]));
            json_array_append_new(pending_nodes, named_node(api, txn, v->addressees[i]));
        }
    for (size_t i = 0; i < d->n_targets; i++) {
        json_array_append_new(targets, json_string(d->targets[i]));
        json_array_append_new(target_nodes, named_node(api, txn, d->targets[i]));
    }
    char id[80];
    snprintf(id, sizeof id, "%s/%llu", v->origin, (unsigned long long)v->seq);
    int to_me = strcmp(v->origin, api->dep.cfg->node_id) != 0 &&
                directive_addresses(api->dep.st, txn, d, api->dep.cfg->node_id);
    json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b,"
                          " s:o, s:o}",
                          "id", id, "origin", v->origin, "seq", (json_int_t)v->seq, "time_ms",
                          (json_int_t)v->time_ms, "actor", v->actor, "kind", d->kind, "title",
                          d->title, "body", d->body, "case_id", d->case_id, "targets", targets,
                          "subtree", d->subtree, "addressed_to_me", to_me, "awaiting_me",
                          to_me && !acked_by(v, api->dep.cfg->node_id), "acks", acks,
                          "pending", pending);
    json_object_set_new(j, "origin_name",
                        json_string(api_node_name(api->dep.st, txn, v->origin, name,
                                                  sizeof name)));
    json_object_set_new(j, "actor_name",
                        json_string(api_actor_name(api->dep.st, txn, v->actor, v->actor_name,
                                                   person, sizeof person)));
    json_object_set_new(j, "target_nodes", target_nodes);
    json_object_set_new(j, "pending_nodes", pending_nodes);
    return j;
}

/* Fills the directive's targets from "to": a list of node ids strictly below this node,
 * or "all" (this node's whole subtree). */
static int directive_targets(struct api_op *o, MDB_txn *txn, Jiefen__Directive *d,
                             char **ids, size_t max)
{
    struct api *api = o->c->api;
    const json_t *to = json_object_get(o->in, "to");
    if (json_is_string(to) && strcmp(json_string_value(to), "all") == 0) {
        ids[0] = (char *)api->dep.cfg->node_id;
        d->n_targets = 1;
        d->subtree = 1;
        return 0;
    }
    if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > max)
        return op_refuse(o, 400, "invalid_field", "to", "下发对象应为节点编号列表或 \"all\"");
    for (size_t i = 0; i < json_array_size(to); i++) {
        const char *t = json_string_value(json_array_get(to, i));
        if (!t || registry_depth_below(api->dep.st, txn, t, api->dep.cfg->node_id) <= 0)
            return op_refuse(o, 400, "invalid_field", "to", "%s 不是本节点的下级节点",
                          t ? t : "（非文本）");
        ids[i] = (char *)t;
    }
    d->n_targets = json_array_size(to);
    d->subtree = json_is_true(json_object_get(o->in, "subtree"));
    return 0;
}

/* A directive may point only at a case this node knows (its own or its subtree's). */
static int directive_case_known(struct api_op *o, eventlog_tx *tx, const char *case_id)
{
    Jiefen__CaseView *cv = NULL;
    int rc = caseindex_get(tx->st, tx->txn, case_id, &cv);
    if (rc)
        return rc;
    if (!cv)
        return op_refuse(o, 400, "invalid_field", "case_id", "本节点及下级没有此案件：%s",
                         case_id);
    jiefen__case_view__free_unpacked(cv, NULL);
    return 0;
}

static int directive_send_apply(eventlog_tx *tx, struct api_op *o)
{
    char *ids[64];
    Jiefen__Directive d = JIEFEN__DIRECTIVE__INIT;
    const char *kind = api_str(o->in, "kind");
    size_t k = 0;
    while (k < 3 && strcmp(kind, directive_kinds[k]))
        k++;
    if (k == 3)
        return op_refuse(o, 400, "invalid_field", "kind", "类型应为 supervise、screening 或 notice");
    if (!api_str(o->in, "title")[0])
        return op_refuse(o, 400, "missing_field", "title", "缺少标题");
    d.targets = ids;
    int rc = directive_targets(o, tx->txn, &d, ids, 64);
    if (rc)
        return rc;
    d.kind = (char *)kind;
    d.title = (char *)api_str(o->in, "title");
    d.body = (char *)api_str(o->in, "body");
    d.case_id = (char *)api_str(o->in, "case_id");
    if (d.case_id[0] && (rc = directive_case_known(o, tx, d.case_id)))
        return rc;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE;
    ev.directive = &d;
    if ((rc = op_append(tx, o, &ev)))
        return rc;
    Jiefen__DirectiveView *v = NULL;
    if ((rc = directive_get(tx->st, tx->txn, ev.origin, ev.seq, &v)) == 0 && v) {
        o->out = json_pack("{s:o}", "directive", directive_json(o->c->api, tx->txn, v));
        jiefen__directive_view__free_unpacked(v, NULL);
    }
    return rc;
}

void route_directive_send(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, directive_send_apply, NULL);
}

/* Lists the directives this node knows (the walk of route_directive_list). */
struct directive_list {
    struct api *api;
    MDB_txn *txn;
    json_t *list;
    const char *case_id; /* only the directives about this case; "" for all */
};

static int add_directive(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct directive_list *l = arg;
    (void)key;
    Jiefen__DirectiveView *dv =
        jiefen__directive_view__unpack(NULL, val->mv_size, val->mv_data);
    if (!dv)
        return 0;
    if (dv->directive && (!l->case_id[0] || strcmp(dv->directive->case_id, l->case_id) == 0))
        json_array_append_new(l->list, directive_json(l->api, l->txn, dv));
    jiefen__directive_view__free_unpacked(dv, NULL);
    return 0;
}

void route_directive_list(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    char case_id[64];
    if (api_query_param(r->query, "case_id", case_id, sizeof case_id))
        return reply_error(c, 400, "invalid_field", "case_id", "案件编号格式不正确");
    struct directive_list l = {c->api, NULL, NULL, case_id};
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &l.txn);
    if (rc)
        return reply_store_error(c, rc);
    l.list = json_array();
    store_walk(l.txn, c->api->dep.st->directives, NULL, add_directive, &l);
    store_txn_abort(l.txn);
    reply_json(c, 200, json_pack("{s:o}", "directives", l.list));
}

static int directive_ack_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    char origin[STORE_ORIGIN_MAX + 1];
    unsigned long long seq;
    const char *id = api_str(o->in, "id");
    Jiefen__DirectiveView *v = NULL;
    if (sscanf(id, "%32[a-z0-9-]/%llu", origin, &seq) != 2)
        return op_refuse(o, 400, "invalid_field", "id", "指令编号应为 来源节点/序号");
    int rc = directive_get(tx->st, tx->txn, origin, seq, &v);
    if (rc)
        return rc;
    if (!v)
        return op_refuse(o, 404, "not_found", "id", "无此指令：%s", id);
    if (!directive_addresses(tx->st, tx->txn, v->directive, api->dep.cfg->node_id))
        rc = op_refuse(o, 409, "not_addressed", "id", "此指令不是下发给本节点的");
    if (rc == 0 && acked_by(v, api->dep.cfg->node_id))
        rc = op_refuse(o, 409, "already_acknowledged", "id", "本节点已签收此指令");
    jiefen__directive_view__free_unpacked(v, NULL);
    if (rc)
        return rc;
    Jiefen__DirectiveAck a = JIEFEN__DIRECTIVE_ACK__INIT;
    a.origin = origin;
    a.seq = seq;
    a.note = (char *)api_str(o->in, "note");
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE_ACK;
    ev.directive_ack = &a;
    if ((rc = op_append(tx, o, &ev)) == 0)
        o->out = json_pack("{s:s, s:b}", "id", id, "acknowledged", 1);
    return rc;
}

void route_directive_ack(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, directive_ack_apply, NULL);
}

void route_quarantine_clear(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = api_body(c, r);
    if (!in)
        return;
    const char *origin = api_str(in, "origin");
    int rc = quarantine_clear(c->api->dep.st, origin);
    if (rc == 0) {
        log_warn("link", "quarantine of %s cleared by the operator", origin);
        reply_json(c, 200, json_pack("{s:s, s:b}", "origin", origin, "cleared", 1));
    } else if (rc == JF_ENOTFOUND) {
        reply_error(c, 404, "not_found", "origin", "%s 未被隔离", origin[0] ? origin : "（空）");
    } else {
        reply_store_error(c, rc);
    }
    json_decref(in);
}

/* ---- equivocation proofs ------------------------------------------------------------ */

struct proof_list {
    store *st;
    MDB_txn *txn;
    json_t *list;
};

/* A node's name as people know it, or its id when this node does not know it. */
static json_t *node_name(struct proof_list *l, const char *id)
{
    Jiefen__NodeInfo *ni = NULL;
    registry_get(l->st, l->txn, id, &ni);
    json_t *name = json_string(ni && ni->name[0] ? ni->name : id);
    registry_free(&ni);
    return name;
}

static int proof_json(const Jiefen__EquivocationRecord *r, void *arg)
{
    struct proof_list *l = arg;
    json_t *p = json_pack("{s:s, s:o, s:I, s:s, s:o, s:I, s:b}", "origin", r->proof->origin,
                          "origin_name", node_name(l, r->proof->origin), "seq",
                          (json_int_t)r->proof->seq, "detected_by", r->detected_by,
                          "detected_by_name", node_name(l, r->detected_by), "time_ms",
                          (json_int_t)r->time_ms, "quarantined",
                          quarantine_is(l->st, l->txn, r->proof->origin));
    return p && json_array_append_new(l->list, p) == 0 ? 0 : -ENOMEM;
}

void route_quarantine_list(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct proof_list l = {c->api->dep.st, NULL, json_array()};
    int rc = store_txn_begin(l.st, MDB_RDONLY, &l.txn);
    if (rc == 0) {
        rc = quarantine_each(l.st, l.txn, proof_json, &l);
        store_txn_abort(l.txn);
    }
    if (rc) {
        json_decref(l.list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "proofs", l.list));
}
