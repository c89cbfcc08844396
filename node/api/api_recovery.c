/* api_recovery — a node rebuilt from its parent (docs/operations.md, "Rebuilding a lost
 * node"; node/case/recovery.h):
 *   GET  /api/v1/recovery            whether the own chain is still being fetched back, and
 *                                    which cases' sealed parts this node cannot read
 *   POST /api/v1/recovery/approvals  {node, reason}: a county director's approval to open
 *                                    that node's parts with the recovery key (its file)
 *   POST /api/v1/recovery/reseal     {recovery_key, approval}: re-seal them to this node
 */
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/recovery.h"
#include "cert.h"
#include "crypto.h"
#include "error.h"
#include "log/eventlog.h"

#include <stdlib.h>
#include <string.h>

struct sealed_list {
    json_t *cases;
    json_int_t parts, recoverable;
};

static int add_sealed(const struct recovery_case *rc, void *arg)
{
    struct sealed_list *l = arg;
    l->parts += rc->parts;
    l->recoverable += rc->recoverable;
    if (l->cases)
        json_array_append_new(l->cases, json_pack("{s:s, s:i, s:i}", "case_id", rc->case_id,
                                                  "parts", rc->parts, "recoverable",
                                                  rc->recoverable));
    return 0;
}

/* What a person should read about it, in Chinese. */
static const char *recovery_message(int rebuilding, json_int_t parts, json_int_t recoverable)
{
    if (rebuilding)
        return "本节点正在从上级取回原有记录（重建中），完成前不能写入";
    if (!parts)
        return NULL;
    if (recoverable)
        return "部分案件的当事人信息仍为密封状态：请县级中心批准后，用县级恢复密钥执行 "
               "jiefenctl recovery reseal 恢复";
    return "部分案件的当事人信息无法恢复：写入时未配置县级恢复密钥";
}

json_t *api_recovery_json(struct api *api, MDB_txn *txn, int with_cases)
{
    uint64_t floor = 0, head = 0;
    uint8_t hash[CRYPTO_HASH_LEN];
    struct sealed_list l = {with_cases ? json_array() : NULL, 0, 0};
    const char *self = api->dep.cfg->node_id;
    int rc = store_meta_get_u64(api->dep.st, txn, EVENTLOG_CHAIN_FLOOR, &floor);
    if (rc == 0)
        rc = eventlog_head(api->dep.st, txn, self, &head, hash);
    /* Only a rebuilt node lacks parts of its own events: the others skip the walk. */
    if (rc == 0 && floor)
        rc = recovery_each_sealed(api->dep.st, txn, self, add_sealed, &l);
    if (rc) {
        json_decref(l.cases);
        return NULL;
    }
    int rebuilding = head < floor;
    json_t *out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:b, s:s?}", "rebuilding", rebuilding,
                            "chain_floor", (json_int_t)floor, "own_head", (json_int_t)head,
                            "sealed_parts", l.parts, "recoverable_parts", l.recoverable,
                            "recovery_key", api->dep.cfg->recovery_public_key[0] != 0,
                            "message", recovery_message(rebuilding, l.parts, l.recoverable));
    if (l.cases)
        json_object_set_new(out, "sealed_cases", l.cases);
    return out;
}

void route_recovery(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    MDB_txn *txn;
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    json_t *out = api_recovery_json(c->api, txn, 1);
    store_txn_abort(txn);
    if (!out)
        return reply_store_error(c, JF_ECORRUPT);
    reply_json(c, 200, out);
}

static int approve_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct config *cfg = o->c->api->dep.cfg;
    const char *node = api_str(o->in, "node"), *why = NULL;
    char *file = NULL;
    int rc = recovery_approve(tx, cfg->node_id, cfg->tier, node, api_str(o->in, "reason"),
                              &file, &why);
    if (rc == JF_EINVAL && strcmp(why, "reason") == 0)
        return op_refuse(o, 400, "invalid_field", "reason", "请说明批准恢复的理由（reason）");
    if (rc == JF_EINVAL)
        return op_refuse(o, 400, "invalid_field", "node",
                         "节点 %s 不是本节点的下级，或本节点不是县级（或更高）节点，不能批准恢复",
                         node);
    if (rc == 0 && !(o->out = json_pack("{s:s, s:s}", "node", node, "approval", file)))
        rc = -ENOMEM;
    free(file);
    return rc;
}

void route_recovery_approve(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, approve_apply, NULL);
}

/* The approval file of the body, checked: its id into id. 0 or op_refuse's JF_EINVAL. */
static int body_approval(eventlog_tx *tx, struct api_op *o, char id[RECOVERY_ID_MAX])
{
    char why[256];
    uint8_t *env = NULL;
    size_t len = 0;
    const char *text = api_str(o->in, "approval");
    if (!text[0])
        return op_refuse(o, 400, "missing_field", "approval",
                         "缺少县级中心的恢复批准文件（approval）");
    int rc = cert_dearmor(RECOVERY_APPROVAL_KIND, text, &env, &len, why, sizeof why);
    if (rc == 0)
        rc = recovery_check(tx->st, tx->txn, o->c->api->dep.cfg->node_id, env, len, id, why,
                            sizeof why);
    free(env);
    return rc == JF_EINVAL ? op_refuse(o, 400, "invalid_field", "approval", "%s", why) : rc;
}

static int reseal_apply(eventlog_tx *tx, struct api_op *o)
{
    char id[RECOVERY_ID_MAX];
    uint8_t pk[32], sk[32];
    unsigned parts = 0, cases = 0;
    int rc = body_approval(tx, o, id);
    if (rc)
        return rc;
    if (crypto_recovery_parse(api_str(o->in, "recovery_key"), pk, sk))
        return op_refuse(o, 400, "invalid_field", "recovery_key",
                         "恢复密钥无效：应为 jiefend recovery-key 生成的 recovery.key 文件内容");
    rc = recovery_reseal(tx, o->c->api->dep.cfg->node_id, pk, sk, id, &parts, &cases);
    crypto_wipe(sk, sizeof sk);
    if (rc == JF_ECRYPTO)
        return op_refuse(o, 400, "wrong_key", "recovery_key",
                         "此恢复密钥打不开本节点的密封信息：不是本县配置的恢复密钥");
    if (rc == 0)
        o->out = json_pack("{s:i, s:i, s:s}", "parts", parts, "cases", cases, "approval", id);
    return rc;
}

void route_recovery_reseal(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, reseal_apply, NULL);
}
