#include "case/reference.h"

#include <string.h>

#define TABLE(var, kind, arr) \
    const struct ref_table var = {kind, arr, sizeof arr / sizeof arr[0]}

static const struct ref_entry categories[] = {
    {"land_ownership", "土地权属", "自然资源局"},
    {"land_compensation", "征地补偿安置", "自然资源局"},
    {"land_contract", "土地承包经营", "农业农村局"},
    {"labour_wages", "劳动人事与欠薪", "人力资源和社会保障局"},
    {"medical", "医疗纠纷", "卫生健康局"},
    {"consumer", "消费维权", "市场监督管理局(12315)"},
    {"elderly_care", "养老服务", "民政局"},
    {"adoption_guardianship", "收养监护", "民政局"},
    {"housing_expropriation", "房屋征收", "住房和城乡建设局"},
    {"construction", "建筑市场与工程质量", "住房和城乡建设局"},
    {"property_management", "物业服务", "住房和城乡建设局"},
    {"pollution", "环境污染", "生态环境局"},
    {"school", "涉校涉教", "教育局"},
    {"financial_consumer", "金融消费", "金融监督管理机构"},
    {"marriage_family", "婚姻家庭", "妇联、司法局"},
    {"traffic_accident", "交通事故", "公安局"},
    {"minor_offence", "治安及轻微刑事", "公安局"},
    {"neighbourhood", "邻里纠纷", "司法所(人民调解委员会)"},
    {"other", "其他", "司法局"},
};
TABLE(ref_categories, "categories", categories);

static const struct ref_entry matter_types[] = {
    {"petition", "信访事项", NULL},
    {"dispute_mediation", "纠纷调处", NULL},
    {"legal_service", "法律服务", NULL},
    {"general_service", "综合服务", NULL},
};
TABLE(ref_matter_types, "matter_types", matter_types);

static const struct ref_entry sources[] = {
    {"walk_in", "来访", NULL},
    {"grid_screening", "网格员排查", NULL},
    {"hotline_12345", "12345热线", NULL},
    {"online", "网上受理", NULL},
    {"referral", "转交", NULL},
    {"court", "法院委派", NULL},
};
TABLE(ref_sources, "sources", sources);

/* Indexes of these follow the proto enums, whose 0 is "unspecified". */
static const struct ref_entry complexities[] = {
    {"simple", "简易", NULL},
    {"complex", "复杂", NULL},
};
TABLE(ref_complexities, "complexities", complexities);

static const struct ref_entry risks[] = {
    {"blue", "蓝", "调解员"},
    {"yellow", "黄", "中心主任"},
    {"orange", "橙", "乡镇党委书记"},
    {"red", "红", "县委政法委书记"},
};
TABLE(ref_risks, "risks", risks);

static const struct ref_entry roles[] = {
    {"applicant", "申请人", NULL},
    {"respondent", "被申请人", NULL},
    {"third_party", "第三人", NULL},
};
TABLE(ref_roles, "roles", roles);

static const struct ref_entry statuses[] = {
    {"open", "办理中", NULL},
    {"escalated", "已上报", NULL},
    {"resolved", "已化解", NULL},
    {"closed", "已办结", NULL},
    {"guided", "已引导", NULL},
};
TABLE(ref_statuses, "statuses", statuses);

/* Follows the proto enum Outcome. */
static const struct ref_entry outcomes[] = {
    {"agreement", "调解成功", NULL},
    {"partial", "部分达成", NULL},
    {"failed", "调解不成", NULL},
};
TABLE(ref_outcomes, "outcomes", outcomes);

static const struct ref_entry methods[] = {
    {"people", "人民调解", NULL},
    {"administrative", "行政调解", NULL},
    {"judicial", "司法调解", NULL},
    {"lawyer", "律师调解", NULL},
    {"specialist", "专业性调解委员会", NULL},
};
TABLE(ref_methods, "methods", methods);

static const struct ref_entry referrals[] = {
    {"court", "诉调对接(法院)", NULL},
    {"arbitration", "仲裁", NULL},
};
TABLE(ref_referrals, "referrals", referrals);

/* Where a matter already decided was closed: answered with guidance, not reopened. */
static const struct ref_entry channels[] = {
    {"court", "法院判决", NULL},
    {"arbitration", "仲裁裁决", NULL},
    {"review", "行政复议", NULL},
};
TABLE(ref_channels, "channels", channels);

static const struct ref_entry satisfactions[] = {
    {"satisfied", "满意", NULL},
    {"basically_satisfied", "基本满意", NULL},
    {"dissatisfied", "不满意", NULL},
};
TABLE(ref_satisfactions, "satisfactions", satisfactions);

/* 查阅目的: why someone opens personal data (access.h). */
static const struct ref_entry purposes[] = {
    {"casework", "办案", NULL},  {"follow_up", "回访", NULL}, {"supervision", "督办", NULL},
    {"audit", "审计", NULL},     {"review", "复核", NULL},    {"other", "其他", NULL},
};
TABLE(ref_purposes, "purposes", purposes);
/* 回访 (follow-up visits) and 名册 (rosters). */
static const struct ref_entry followup_methods[] = {
    {"phone", "电话", NULL},
    {"visit", "上门", NULL},
    {"sms", "短信", NULL},
    {"office", "来访", NULL},
};
TABLE(ref_followup_methods, "followup_methods", followup_methods);

static const struct ref_entry performances[] = {
    {"performed", "已履行", NULL},
    {"partly", "部分履行", NULL},
    {"not_performed", "未履行", NULL},
};
TABLE(ref_performances, "performances", performances);

static const struct ref_entry roster_kinds[] = {
    {"mediator", "人民调解员", NULL},
    {"lawyer", "律师", NULL},
    {"adviser", "法律顾问", NULL},
    {"expert", "专家", NULL},
};
TABLE(ref_roster_kinds, "roster_kinds", roster_kinds);

const struct ref_table *const ref_all[] = {
    &ref_categories, &ref_matter_types, &ref_sources,   &ref_complexities, &ref_risks,
    &ref_roles,      &ref_statuses,     &ref_outcomes,  &ref_methods,      &ref_referrals,
    &ref_channels,   &ref_satisfactions, &ref_purposes, &ref_followup_methods,
    &ref_performances, &ref_roster_kinds, NULL,
};

int ref_index(const struct ref_table *t, const char *s)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->entries[i].code, s) == 0 || strcmp(t->entries[i].name, s) == 0)
            return (int)i;
    return -1;
}

const struct ref_entry *ref_find(const struct ref_table *t, const char *s)
{
    int i = ref_index(t, s);
    return i < 0 ? NULL : &t->entries[i];
}
