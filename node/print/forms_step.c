#include "print/forms_layout.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof a / sizeof a[0])

/* A heading and its text, the text indented as a paragraph. */
static void section(struct pdf *p, const char *heading, const char *text)
{
    char buf[8192];
    pdf_text(p, heading, 1);
    snprintf(buf, sizeof buf, "　　%s", text[0] ? text : "（无）");
    pdf_text(p, buf, 0);
}

void forms_mediation_record(struct pdf *p, const struct formdata *d, const char *qr)
{
    (void)qr;
    const Jiefen__FormsContent *c = d->rec.content[RECORD_MEDIATION];
    char date[64], apps[1024], resp[1024];
    static const double w[] = {0.18, 0.32, 0.18, 0.32};
    const char *cells[] = {
        "调解时间", formdata_date_text(record_value(c, "date"), date, sizeof date),
        "调解地点", record_value(c, "place"),
        "申请人", forms_party_names(d, "applicant", apps, sizeof apps),
        "被申请人", forms_party_names(d, "respondent", resp, sizeof resp),
        "调解员", record_value(c, "mediator"),
        "记录人", record_value(c, "recorder"),
    };
    pdf_title(p, "调解笔录");
    forms_number(p, d);
    pdf_table(p, cells, N(cells) / 4, 4, w, PDF_LABEL_COLUMNS);
    pdf_space(p, 12);
    section(p, "申请人陈述：", record_value(c, "applicant_statement"));
    section(p, "被申请人陈述：", record_value(c, "respondent_statement"));
    section(p, "调解情况：", record_value(c, "mediator_notes"));
    pdf_text(p, "以上笔录经当事人阅读（或向其宣读），确认无误。", 0);
    static const char *const sign[] = {"申请人", "被申请人", "调解员", "记录人"};
    forms_signatures(p, sign, N(sign));
}

void forms_agreement(struct pdf *p, const struct formdata *d, const char *qr)
{
    const Jiefen__FormsContent *c = d->rec.content[RECORD_AGREEMENT];
    char deadline[64], text[8192];
    pdf_title(p, "人民调解协议书");
    forms_number(p, d);
    pdf_text(p, "当事人基本情况：", 1);
    forms_parties(p, d);
    pdf_space(p, 10);
    section(p, "纠纷主要事实、争议事项：", record_value(c, "facts"));
    section(p, "经调解，双方当事人自愿达成如下协议：", record_value(c, "terms"));
    snprintf(text, sizeof text, "　　履行方式：%s；履行期限：%s 前履行完毕。",
             record_value(c, "method"),
             formdata_date_text(record_value(c, "deadline"), deadline, sizeof deadline));
    pdf_text(p, "履行方式、时限：", 1);
    pdf_text(p, text, 0);
    pdf_text(p, "　　本协议自各方当事人签名（盖章）、人民调解员签名并加盖调解组织印章之日起生效。"
                "本协议一式三份，双方当事人、调解组织各持一份。",
             0);
    snprintf(text, sizeof text, "调解员：%s", record_value(c, "mediator"));
    pdf_text(p, text, 0);
    static const char *const sign[] = {"申请人", "被申请人", "人民调解员"};
    forms_signatures(p, sign, N(sign));
    forms_qr(p, d, qr, "协议书");
    snprintf(text, sizeof text, "%s（盖章）", d->self_name);
    pdf_note(p, text, 1);
}

void forms_confirmation(struct pdf *p, const struct formdata *d, const char *qr)
{
    (void)qr;
    const Jiefen__FormsContent *c = d->rec.content[RECORD_CONFIRMATION];
    char text[8192];
    pdf_title(p, "司法确认申请书");
    forms_number(p, d);
    pdf_text(p, "申请人：", 1);
    forms_parties(p, d);
    pdf_space(p, 10);
    section(p, "请求事项：", record_value(c, "request"));
    section(p, "事实与理由：", record_value(c, "reasons"));
    pdf_text(p, "　　申请人保证：出于解决纠纷的目的自愿达成调解协议，没有恶意串通、规避法律的行为；"
                "如因调解协议内容违法或损害他人合法权益而给他人造成损失的，愿意承担相应的法律责任。",
             0);
    pdf_text(p, "此致", 0);
    snprintf(text, sizeof text, "%s", record_value(c, "court"));
    pdf_text(p, text, 1);
    static const char *const sign[] = {"申请人", "申请人"};
    forms_signatures(p, sign, N(sign));
    pdf_text(p, "附：人民调解协议书一份", 0);
}

void forms_follow_up(struct pdf *p, const struct formdata *d, const char *qr)
{
    (void)qr;
    const Jiefen__CaseView *v = d->v;
    const Jiefen__FormsContent *c = d->rec.content[RECORD_FOLLOW_UP];
    char date[64], names[1024];
    static const double w[] = {0.18, 0.32, 0.18, 0.32};
    const char *cells[] = {
        "回访日期", formdata_date_text(record_value(c, "date"), date, sizeof date),
        "回访方式", record_value(c, "method"),
        "回访人", record_value(c, "visitor"),
        "被回访人", forms_party_names(d, "applicant", names, sizeof names),
        "纠纷类别", forms_ref(&ref_categories, v->category),
        "满意程度", v->satisfaction[0] ? forms_ref(&ref_satisfactions, v->satisfaction)
                                       : "□满意  □基本满意  □不满意",
    };
    static const double one[] = {0.18, 0.82};
    const char *more[] = {"办理结果", v->result};
    pdf_title(p, "矛盾纠纷回访单");
    forms_number(p, d);
    pdf_table(p, cells, N(cells) / 4, 4, w, PDF_LABEL_COLUMNS);
    pdf_table(p, more, 1, 2, one, PDF_LABEL_COLUMNS);
    pdf_space(p, 12);
    section(p, "协议履行情况：", record_value(c, "performance"));
    section(p, "当事人意见：", record_value(c, "opinion"));
    static const char *const sign[] = {"被回访人", "回访人"};
    forms_signatures(p, sign, N(sign));
}
