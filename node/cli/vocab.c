/*
 * vocab — the names of the API's codes (vocab.h).
 */
#include "vocab.h"

#include <stddef.h>
#include <string.h>

const struct vocab vocab_statuses[] = {
    {"open", "办理中"}, {"escalated", "已上报"}, {"resolved", "已化解"},
    {"closed", "已办结"}, {"guided", "已引导"}, {NULL, NULL}};
const struct vocab vocab_risks[] = {
    {"blue", "蓝"}, {"yellow", "黄"}, {"orange", "橙"}, {"red", "红"}, {NULL, NULL}};
static const struct vocab matter_types[] = {
    {"petition", "信访事项"}, {"dispute_mediation", "纠纷调处"},
    {"legal_service", "法律服务"}, {"general_service", "综合服务"}, {NULL, NULL}};
static const struct vocab sources[] = {
    {"walk_in", "来访"}, {"grid_screening", "网格员排查"}, {"hotline_12345", "12345热线"},
    {"online", "网上受理"}, {"referral", "转交"}, {NULL, NULL}};
static const struct vocab complexities[] = {
    {"simple", "简易"}, {"complex", "复杂"}, {NULL, NULL}};
const struct vocab vocab_roles[] = {
    {"applicant", "申请人"}, {"respondent", "被申请人"}, {"third_party", "第三人"},
    {NULL, NULL}};
const struct vocab vocab_refusals[] = {
    {"mechanism_mismatch", "未加密的连接"}, {"unenrolled_key", "未登记的密钥"},
    {"protocol_error", "协议错误"}, {"handshake_failed", "握手未完成"},
    {"dropped_before_hello", "未发消息即断开"}, {"protocol_too_old", "链路协议过旧"},
    {NULL, NULL}};
const struct vocab vocab_tiers[] = {
    {"village", "村"}, {"township", "乡镇"}, {"county", "县"}, {"city", "市"},
    {"province", "省"}, {NULL, NULL}};
static const struct vocab outcomes[] = {
    {"agreement", "调解成功"}, {"partial", "部分达成"}, {"failed", "调解不成"}, {NULL, NULL}};
static const struct vocab methods[] = {
    {"people", "人民调解"}, {"administrative", "行政调解"}, {"judicial", "司法调解"},
    {"lawyer", "律师调解"}, {"specialist", "专业性调解委员会"},
    /* and of a follow-up visit (回访): codes apart from the mediation methods' */
    {"phone", "电话"}, {"visit", "上门"}, {"sms", "短信"}, {"office", "来访"}, {NULL, NULL}};
static const struct vocab performances[] = {
    {"performed", "已履行"}, {"partly", "部分履行"}, {"not_performed", "未履行"}, {NULL, NULL}};
static const struct vocab actives[] = {{"true", "在用"}, {"false", "已停用"}, {NULL, NULL}};
static const struct vocab channels[] = {
    {"court", "法院判决"}, {"arbitration", "仲裁裁决"}, {"review", "行政复议"}, {NULL, NULL}};
static const struct vocab referrals[] = {
    {"court", "诉调对接(法院)"}, {"arbitration", "仲裁"}, {NULL, NULL}};
static const struct vocab satisfactions[] = {
    {"satisfied", "满意"}, {"basically_satisfied", "基本满意"}, {"dissatisfied", "不满意"},
    {NULL, NULL}};
static const struct vocab wheres[] = {
    {"here", "本节点办理"}, {"above", "已在上级办理"}, {"below", "在下级办理"},
    {"elsewhere", "在其他节点办理"}, {NULL, NULL}};
/* The states of an extension, and of a report (docs/ledger.md). */
static const struct vocab states[] = {
    {"pending", "待上级审批"}, {"approved", "已批准"}, {"refused", "未批准"},
    {"draft", "草稿"}, {"submitted", "已报送"}, {"accepted", "已接收"}, {"returned", "已退回"},
    {"absent", "未报送"}, {"missing", "标注缺报"},
    /* of a follow-up visit (回访) */
    {"due", "待回访"}, {"overdue", "回访逾期"}, {"on_time", "按期回访"}, {"late", "逾期回访"},
    {NULL, NULL}};
/* Case event kinds (the schema's names), how a case moved, deadline kinds, report kinds. */
const struct vocab vocab_kinds[] = {
    {"case_opened", "受理"}, {"case_routed", "分流"}, {"case_guided", "引导"},
    {"attempt", "调解"}, {"case_moved", "移交"}, {"risk_changed", "风险调整"},
    {"leader_assigned", "领导包案"}, {"leader_ack", "签收包案"},
    {"leader_progress", "包案进展"}, {"leader_required", "需领导包案"},
    {"deadline", "期限提醒"}, {"extension_requested", "申请延期"},
    {"extension_decided", "延期审批"}, {"case_closed", "办结"}, {"follow_up", "回访"}, {"doc_attached", "添加材料"},
    {"confirm_applied", "申请司法确认"}, {"confirm_ruled", "司法确认裁定"},
    {"forms_record", "录入文书"}, {"mediation_record", "调解笔录"}, {"agreement", "调解协议书"},
    {"confirmation_application", "司法确认申请书"},
    {"escalate", "上报"}, {"handdown", "交办"}, {"warning", "临期预警"},
    {"overdue", "已超期"}, {"daily", "日排查"}, {"weekly", "周分析"}, {"monthly", "月研判"},
    {"ledger", "综合台账"}, {"quarterly", "季度分析研判"}, {"halfyear", "半年分析研判"},
    {"meeting", "月研判会议记录"}, {NULL, NULL}};
/* The figures of a report compared with the parent's own computation. */
static const struct vocab figures[] = {
    {"taken_in", "受理"}, {"closed", "办结"}, {"guided", "引导"}, {"petitions", "信访事项"},
    {NULL, NULL}};
/* Booleans are shown through their key's vocabulary; "" leaves a [...] part out. */
static const struct vocab confirmations[] = {
    {"true", "申请司法确认"}, {"false", ""}, {NULL, NULL}};
static const struct vocab approvals[] = {{"true", "批准"}, {"false", "不批准"}, {NULL, NULL}};
static const struct vocab automatics[] = {{"true", "自动"}, {"false", ""}, {NULL, NULL}};
static const struct vocab withdrawals[] = {{"true", "当事人撤回"}, {"false", ""}, {NULL, NULL}};
static const struct vocab acks[] = {{"true", "已签收"}, {"false", "未签收"}, {NULL, NULL}};
static const struct vocab overdues[] = {{"true", "已超期"}, {"false", "未超期"}, {NULL, NULL}};
static const struct vocab leader_needs[] = {
    {"true", "需安排领导包案（3221）"}, {"false", ""}, {NULL, NULL}};
static const struct vocab lates[] = {{"true", "逾期"}, {"false", "按时"}, {NULL, NULL}};

/* The vocabulary of the values at each key, wherever the key is; of the member names when
 * the value is an object (the ledger's figures by tier). */
static const struct {
    const char *key;
    const struct vocab *vocab;
} key_vocabs[] = {
    {"status", vocab_statuses},        {"stored_status", vocab_statuses},
    {"risk", vocab_risks},             {"matter_type", matter_types},
    {"source", sources},               {"complexity", complexities},
    {"tier", vocab_tiers},             {"outcome", outcomes},
    {"last_outcome", outcomes},        {"method", methods},
    {"channel", channels},             {"guided_channel", channels},
    {"referral", referrals},           {"satisfaction", satisfactions},
    {"where", wheres},                 {"state", states},
    {"kind", vocab_kinds},             {"approved", approvals},
    {"judicial_confirmation", confirmations}, {"automatic", automatics},
    {"acknowledged", acks},            {"overdue", overdues},
    {"needs_leader", leader_needs},    {"late", lates},
    {"figure", figures},               {"closed_at_tier", vocab_tiers},
    {"escalation_rate", vocab_tiers},  {"performance", performances},
    {"active", actives},               {"withdrawn", withdrawals},
};

const char *vocab_name(const struct vocab *v, const char *code)
{
    for (; v->code; v++)
        if (strcmp(v->code, code) == 0)
            return v->name;
    return code;
}

const struct vocab *vocab_of_key(const char *key)
{
    for (size_t i = 0; i < sizeof key_vocabs / sizeof key_vocabs[0]; i++)
        if (strcmp(key_vocabs[i].key, key) == 0)
            return key_vocabs[i].vocab;
    return NULL;
}

const char *vocab_shown(const char *key, const char *code)
{
    const struct vocab *v = vocab_of_key(key);
    if (v)
        return vocab_name(v, code);
    if (strcmp(code, "true") == 0 || strcmp(code, "false") == 0)
        return code[0] == 't' ? "是" : "否";
    return code;
}
