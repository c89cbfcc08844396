#include "print/forms_layout.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof a / sizeof a[0])

const char *forms_ref(const struct ref_table *t, const char *code)
{
    const struct ref_entry *e = ref_find(t, code);
    return e ? e->name : code;
}

/* The name of an enum value (1-based) in a table, "" when out of range. */
static const char *ref_enum(const struct ref_table *t, int value)
{
    return value >= 1 && (size_t)value <= t->count ? t->entries[value - 1].name : "";
}

void forms_number(struct pdf *p, const struct formdata *d)
{
    char line[256];
    snprintf(line, sizeof line, "案件编号：%s", d->v->case_id);
    pdf_note(p, line, 1);
}

const char *forms_party_names(const struct formdata *d, const char *role, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; d->opening && i < d->opening->n_parties; i++) {
        const Jiefen__Party *pt = d->opening->parties[i];
        if (role[0] && strcmp(pt->role, role))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", used ? "、" : "", pt->name);
    }
    return buf;
}

void forms_parties(struct pdf *p, const struct formdata *d)
{
    static const double w[] = {0.14, 0.1, 0.3, 0.2, 0.26};
    enum { COLS = 5, ROWS_MAX = 17 };
    const char *cells[ROWS_MAX * COLS] = {"身份", "姓名", "公民身份号码", "联系电话", "住址"};
    size_t rows = 1;
    for (size_t i = 0; d->opening && i < d->opening->n_parties && rows < ROWS_MAX; i++, rows++) {
        const Jiefen__Party *pt = d->opening->parties[i];
        const char *row[COLS] = {forms_ref(&ref_roles, pt->role), pt->name, pt->id_number,
                                 pt->phone, pt->address};
        memcpy(&cells[rows * COLS], row, sizeof row);
    }
    pdf_table(p, cells, rows, COLS, w, PDF_HEADER_ROW);
}

void forms_signatures(struct pdf *p, const char *const *labels, size_t n)
{
    char line[512];
    pdf_space(p, 12);
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%s（签名）：__________    日期：____年___月___日",
                 labels[i]);
        pdf_text(p, line, 0);
        pdf_space(p, 6);
    }
}

void forms_qr(struct pdf *p, const struct formdata *d, const char *qr, const char *what)
{
    char caption[1024];
    if (!qr) {
        pdf_note(p, "（本节点尚未登记入网，此件不带核验二维码）", 0);
        return;
    }
    snprintf(caption, sizeof caption,
             "核验二维码：此%s由 %s 签发。扫码所得文本可用 jiefenctl receipt verify 或控制台"
             "“核验回执”页对照根证书核验，任何改动都会被发现。",
             what, d->self_name);
    if (pdf_qr(p, qr, 150, caption))
        pdf_note(p, "（核验文本过长，无法生成二维码）", 0);
}

void forms_intake_register(struct pdf *p, const struct formdata *d, const char *qr)
{
    (void)qr;
    const Jiefen__CaseView *v = d->v;
    char opened[64], due[64];
    static const double w[] = {0.18, 0.32, 0.18, 0.32};
    const char *cells[] = {
        "受理日期", formdata_date(v->opened_ms, opened, sizeof opened),
        "受理单位", d->opened_name,
        "纠纷来源", forms_ref(&ref_sources, v->source),
        "纠纷类别", forms_ref(&ref_categories, v->category),
        "事项类型", forms_ref(&ref_matter_types, v->matter_type),
        "所在村", v->village,
        "复杂程度", ref_enum(&ref_complexities, v->complexity),
        "风险等级", ref_enum(&ref_risks, v->risk),
        "归口部门", v->department,
        "办结时限", v->due_ms > 0 ? formdata_date(v->due_ms, due, sizeof due) : "",
    };
    static const double one[] = {0.18, 0.82};
    const char *summary[] = {"纠纷概要", v->summary, "登记人", d->opened_by};
    pdf_title(p, "矛盾纠纷受理登记表");
    forms_number(p, d);
    pdf_table(p, cells, N(cells) / 4, 4, w, PDF_LABEL_COLUMNS);
    pdf_space(p, 10);
    pdf_text(p, "当事人基本情况", 1);
    forms_parties(p, d);
    pdf_space(p, 10);
    pdf_table(p, summary, 2, 2, one, PDF_LABEL_COLUMNS);
    static const char *const sign[] = {"当事人", "登记人"};
    forms_signatures(p, sign, N(sign));
}

void forms_receipt(struct pdf *p, const struct formdata *d, const char *qr)
{
    const Jiefen__CaseView *v = d->v;
    char names[1024], opened[64], due[64], text[4096];
    pdf_title(p, "矛盾纠纷受理回执");
    forms_number(p, d);
    pdf_space(p, 8);
    snprintf(text, sizeof text, "%s：", forms_party_names(d, "applicant", names, sizeof names));
    pdf_text(p, text, 0);
    snprintf(text, sizeof text,
             "　　您反映的%s（%s）已于 %s 由 %s 受理登记，案件编号为 %s。我们将依照“限时办结”的"
             "要求，于 %s 前办结并向您反馈办理情况。请妥善保存本回执，凭案件编号查询办理进度。",
             forms_ref(&ref_categories, v->category), v->summary,
             formdata_date(v->opened_ms, opened, sizeof opened), d->opened_name, v->case_id,
             v->due_ms > 0 ? formdata_date(v->due_ms, due, sizeof due) : "规定期限");
    pdf_text(p, text, 0);
    snprintf(text, sizeof text, "受理人：%s", d->opened_by);
    pdf_text(p, text, 0);
    pdf_space(p, 10);
    forms_qr(p, d, qr, "回执");
    pdf_space(p, 10);
    snprintf(text, sizeof text, "%s（盖章）", d->opened_name);
    pdf_note(p, text, 1);
    pdf_note(p, formdata_date(v->opened_ms, opened, sizeof opened), 1);
}

void forms_cover(struct pdf *p, const struct formdata *d, const char *qr)
{
    (void)qr;
    const Jiefen__CaseView *v = d->v;
    char names[1024], opened[64], closed[64], count[32];
    snprintf(count, sizeof count, "%zu 项", d->n_events);
    static const double w[] = {0.22, 0.78};
    const char *cells[] = {
        "案件编号", v->case_id,
        "案由", forms_ref(&ref_categories, v->category),
        "当事人", d->opening ? forms_party_names(d, "", names, sizeof names) : "（本节点无法查看）",
        "受理单位", d->opened_name,
        "受理日期", formdata_date(v->opened_ms, opened, sizeof opened),
        "结案日期", v->closed_ms > 0 ? formdata_date(v->closed_ms, closed, sizeof closed) : "（未办结）",
        "办理结果", v->result,
        "卷内记录", count,
        "立卷单位", d->self_name,
    };
    pdf_space(p, 80);
    pdf_title(p, "矛盾纠纷调处卷宗");
    pdf_space(p, 40);
    pdf_table(p, cells, N(cells) / 2, 2, w, PDF_LABEL_COLUMNS);
    pdf_space(p, 10);
    static const char *const sign[] = {"立卷人", "审核人"};
    forms_signatures(p, sign, N(sign));
    pdf_page(p); /* the index on pages of its own */
    pdf_title(p, "卷内目录");
    forms_number(p, d);
    static const double iw[] = {0.07, 0.19, 0.16, 0.33, 0.25};
    enum { COLS = 5 };
    pdf_table(p, (const char *const[]){"序号", "时间", "事项", "内容摘要", "经办人（单位）"}, 1,
              COLS, iw, PDF_HEADER_ROW);
    for (size_t i = 0; i < d->n_events; i++) {
        const struct form_event *e = &d->events[i];
        char no[24], when[64], who[600];
        snprintf(no, sizeof no, "%zu", i + 1);
        formdata_date(e->time_ms, when, sizeof when);
        snprintf(who, sizeof who, "%s（%s）", e->actor, e->node);
        const char *row[COLS] = {no, when, e->kind, e->detail, who};
        pdf_table(p, row, 1, COLS, iw, PDF_PLAIN);
    }
}
