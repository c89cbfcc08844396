/*
 * cmd_interop — `interop refused`: the work orders from outside systems (12345, 信访) the
 * node refused (GET /api/v1/interop/refused), newest first, with what was wrong; and the
 * 外部工单 lines of `case show` (cmd_interop_print_of_case), with a court's 案号 and deadline
 * (诉前委派); `interop filings FILE`: court filings by linkage tag (POST
 * /api/v1/linkage/filings). An administrator's.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#define REFUSED_COLS 6

static const char *const refused_head[REFUSED_COLS] = {"编号", "外部系统", "工单号",
                                                       "收到时间", "途径", "拒收原因"};

static int refused_row(struct table *t, const json_t *m, const void *arg)
{
    char id[24], at[32];
    (void)arg;
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
    const char *via = field_str(m, "via");
    const char *row[REFUSED_COLS] = {
        id, field_str(m, "system_name"), field_str(m, "order_no"),
        field_time(m, "received_ms", "%Y-%m-%d %H:%M", at, sizeof at),
        via[0] == 'f' ? "交换目录" : "接口", field_str(m, "reason")};
    return table_add(t, row);
}

/* 诉前委派: the court's 案号 and the deadline it set. */
static void print_court(const json_t *court)
{
    if (!json_is_object(court))
        return;
    printf("  法院案号: %s\n  委派期限: %s（含当日）\n", field_str(court, "case_no"),
           field_str(court, "deadline"));
}

void cmd_interop_print_of_case(const json_t *r)
{
    const json_t *io = json_object_get(r, "interop");
    if (!json_is_object(io))
        return;
    printf("\n外部工单: %s %s\n", field_str(io, "system_name"), field_str(io, "order_no"));
    print_court(json_object_get(io, "court"));
    const json_t *rc = json_object_get(io, "receipt");
    if (!json_is_object(rc)) {
        printf("  回单: 尚未办结，未发送\n");
        return;
    }
    printf("  回单: %s（%s）", field_str(rc, "result_name"), field_str(rc, "status_name"));
    if (field_str(rc, "answer")[0])
        printf("，对方回执 %s", field_str(rc, "answer"));
    if (field_str(rc, "last_error")[0])
        printf("，最近错误 %s", field_str(rc, "last_error"));
    printf("\n");
}

void cmd_interop_print_confirmation(const json_t *r)
{
    const json_t *cf = json_object_get(json_object_get(r, "case"), "confirmation");
    if (!json_is_object(cf))
        return;
    printf("\n司法确认: %s（申请编号 %s", field_str(cf, "decision_name"),
           field_str(cf, "application_no"));
    if (field_str(cf, "ruling_no")[0])
        printf("，裁定书 %s", field_str(cf, "ruling_no"));
    if (field_str(cf, "reason")[0])
        printf("，理由：%s", field_str(cf, "reason"));
    printf("）\n");
}

int cmd_interop_refused(struct ctl *ctl, int argc, char **argv)
{
    static const struct api_table t = {refused_head, REFUSED_COLS, refused_row,
                                       "没有被拒收的外部工单", NULL};
    return api_show_table(ctl, argc, argv, "interop refused", "/api/v1/interop/refused",
                          "refused", &t);
}

/* `interop filings FILE|-`: court filings by linkage tag (docs/interop.md), a JSON file
 * {"filings": [{"tag", "village", "date"}]} posted as it is. */
int cmd_interop_filings(struct ctl *ctl, int argc, char **argv)
{
    const char *file = NULL;
    char *body = NULL;
    size_t len = 0;
    json_t *r = NULL;
    int rc = args_parse(argc, argv, "interop filings", args_none, "FILE", &file, args_take_none, NULL);
    if (rc == 0)
        rc = args_read_file(file, &body, &len);
    if (rc == 0)
        rc = api_call(ctl, "POST", "/api/v1/linkage/filings", body, len, &r);
    if (rc == 0 && ctl->json)
        rc = api_print_json(r);
    else if (rc == 0)
        printf("已收到起诉登记 %" JSON_INTEGER_FORMAT " 条，新增 %" JSON_INTEGER_FORMAT
               " 条（重复的只记一次）\n",
               json_integer_value(json_object_get(r, "received")),
               json_integer_value(json_object_get(r, "added")));
    json_decref(r);
    free(body);
    return rc;
}
