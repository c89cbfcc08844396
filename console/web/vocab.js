// vocab — the Chinese names of the API's codes (docs/api.md "Vocabulary"). The tables of
// GET /api/v1/reference (categories with their departments, …) are merged in at login, so
// the node's own reference data wins over these defaults.

const names = {
  status: { open: '办理中', escalated: '已上报', resolved: '已化解', closed: '已办结', guided: '已引导至法定途径' },
  risk: { blue: '蓝', yellow: '黄', orange: '橙', red: '红' },
  matter_type: { petition: '信访事项', dispute_mediation: '纠纷调处', legal_service: '法律服务', general_service: '综合服务' },
  source: { walk_in: '来访', grid_screening: '网格员排查', hotline_12345: '12345热线', online: '网上受理', referral: '转交' },
  complexity: { simple: '简易', complex: '复杂' },
  method: { people: '人民调解', administrative: '行政调解', judicial: '司法调解', lawyer: '律师调解', specialist: '专业性调解委员会' },
  outcome: { agreement: '调解成功', partial: '部分达成', failed: '调解不成' },
  referral: { court: '诉调对接(法院)', arbitration: '仲裁' },
  channel: { court: '法院判决', arbitration: '仲裁裁决', review: '行政复议' },
  satisfaction: { satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意' },
  followup_method: { phone: '电话', visit: '上门', sms: '短信', office: '来访' },
  performance: { performed: '已履行', partly: '部分履行', not_performed: '未履行' },
  followup_state: { due: '待回访', overdue: '回访逾期', on_time: '按期回访', late: '逾期回访' },
  roster_kind: { mediator: '人民调解员', lawyer: '律师', adviser: '法律顾问', expert: '专家' },
  party_role: { applicant: '申请人', respondent: '被申请人', third_party: '第三人' },
  purpose: { casework: '办案', follow_up: '回访', supervision: '督办', audit: '审计', review: '复核', other: '其他' },
  where: { here: '本节点', above: '上级', below: '下级', elsewhere: '其他节点' },
  tier: { village: '村（社区）', township: '乡镇（街道）', county: '县（区）', city: '市', province: '省' },
  role: { clerk: '窗口受理', mediator: '调解员', director: '中心主任', leader: '领导', admin: '管理员', department: '入驻部门' },
  directive_kind: { supervise: '督办', screening: '排查', notice: '通知' },
  report_kind: { daily: '日排查', weekly: '周分析', monthly: '月研判', ledger: '综合台账', quarterly: '季度分析研判', halfyear: '半年分析研判', meeting: '月研判会议记录' },
  report_state: { draft: '草稿', submitted: '已上报', accepted: '已接收', returned: '已退回', absent: '未报送', missing: '标注缺报' },
  figure: { taken_in: '受理', closed: '办结', guided: '引导至法定途径', petitions: '信访事项' },
  warning_rule: { category_cluster: '同类纠纷聚集', repeat_escalation: '反复上报', red_risk: '红色风险', clock_skew: '时钟偏差', hazard_cluster: '同类隐患聚集', dept_sign_overdue: '部门签收逾期' },
  refusal: {
    mechanism_mismatch: '未加密的连接', unenrolled_key: '未登记的密钥', protocol_error: '协议错误',
    handshake_failed: '握手未完成', dropped_before_hello: '未发消息即断开（如超大帧）',
    protocol_too_old: '链路协议过旧（需升级）',
  },
  category: {},
  event: {
    case_opened: '受理登记', case_routed: '分流', case_guided: '引导至法定途径', attempt: '调解',
    case_moved: '移交', risk_changed: '风险等级调整', leader_assigned: '领导包案',
    leader_ack: '包案确认', leader_progress: '包案进展', leader_required: '需领导包案',
    deadline: '时限', extension_requested: '申请延期', extension_decided: '延期审批',
    case_closed: '办结', follow_up: '回访', forms_record: '录入文书', doc_attached: '添加材料',
    confirm_applied: '申请司法确认', confirm_ruled: '司法确认裁定',
    dept_routed: '分流至部门', dept_signed: '部门签收', dept_returned: '部门退回',
    dept_feedback: '部门反馈', dept_sign_overdue: '部门签收逾期', appointment_set: '调解预约',
  },
  record: { mediation_record: '调解笔录', agreement: '调解协议书', confirmation_application: '司法确认申请书', follow_up: '回访单' },
  move: { escalate: '上报', handdown: '交办', return: '退回', reopen: '重新办理' },
  deadline: { warning: '即将到期预警', overdue: '已超期' },
};

// The name of `code` in table `kind`, or the code itself.
export function name(kind, code) {
  const t = names[kind];
  return (t && code in t) ? t[code] : (code || '');
}

// [[code, name], …] of a table, in its order.
export function options(kind) {
  return Object.entries(names[kind] || {});
}

// Merges GET /api/v1/reference: {categories: [{code, name, department}], matter_types, …}.
export const departments = {};
// The intake form's rules from GET /api/v1/reference "intake": {limits, deadline}.
export const intakeRules = { limits: {}, deadline: null };
// The courts 司法确认 may be applied to, from GET /api/v1/reference "courts": [{code, name}].
export const courts = [];
export function mergeReference(ref) {
  const map = {
    categories: 'category', matter_types: 'matter_type', sources: 'source', complexities: 'complexity',
    risks: 'risk', roles: 'party_role', statuses: 'status', outcomes: 'outcome', methods: 'method',
    referrals: 'referral', channels: 'channel', satisfactions: 'satisfaction', purposes: 'purpose',
    followup_methods: 'followup_method', performances: 'performance', roster_kinds: 'roster_kind',
  };
  for (const [key, kind] of Object.entries(map)) {
    if (!Array.isArray(ref[key])) continue;
    names[kind] = Object.fromEntries(ref[key].map((e) => [e.code, e.name]));
    if (key === 'categories') for (const e of ref[key]) departments[e.code] = e.department || '';
  }
  if (ref.intake) Object.assign(intakeRules, ref.intake);
  if (Array.isArray(ref.courts)) courts.splice(0, courts.length, ...ref.courts);
}
