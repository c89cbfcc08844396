/*
 * cmd_supervision — `supervision`: the lists of cases this node watches over (overdue, due
 * soon, risk, leader-owned...), a table each.
 */
#include "cmd.h"

#include "api.h"
#include "table.h"
#include "text.h"
#include "tpl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* The lists of the supervision view, in the reply's names. */
static const char *const supervision_lists[][2] = {
    {"overdue", "超期"},
    {"due_soon", "临近期限"},
    {"risk", "本级负责的风险案件"},
    {"leader_owned", "本级领导包案"},
    {"needs_leader", "需安排领导包案"},
    {"extensions_to_decide", "待本级审批的延期"},
};

/* A case as a row: the cells are templates over it (see tpl_expand()); the last is cut to
 * SUMMARY_CHARS. */
static const char *const supervision_cells[] = {
    "{id}", "{status}", "{holder_name}（{holder}）", "{risk}", "{due_ms}",
    "[{extension.days} 天]", "{summary}",
};
#define N_SUPERVISION_CELLS (sizeof supervision_cells / sizeof supervision_cells[0])

static int supervision_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    char *cell[N_SUPERVISION_CELLS] = {NULL};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < N_SUPERVISION_CELLS; i++)
        rc = !(cell[i] = tpl_expand(supervision_cells[i], c));
    if (rc == 0) {
        char *cut = text_truncate(cell[N_SUPERVISION_CELLS - 1], SUMMARY_CHARS);
        free(cell[N_SUPERVISION_CELLS - 1]);
        rc = !(cell[N_SUPERVISION_CELLS - 1] = cut);
    }
    if (rc == 0)
        rc = table_add(t, (const char *const *)cell);
    for (size_t i = 0; i < N_SUPERVISION_CELLS; i++)
        free(cell[i]);
    return rc;
}

static int print_supervision(const json_t *r)
{
    static const char *const head[N_SUPERVISION_CELLS] = {
        "案件编号", "状态", "承办节点", "风险", "办理期限", "延期", "摘要"};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof supervision_lists / sizeof supervision_lists[0];
         i++) {
        const json_t *list = json_object_get(r, supervision_lists[i][0]);
        printf("%s%s: ", i ? "\n" : "", supervision_lists[i][1]);
        if (json_array_size(list) == 0) {
            printf("无\n");
            continue;
        }
        printf("%zu\n", json_array_size(list));
        rc = table_show(NULL, 2, list, head, N_SUPERVISION_CELLS, supervision_row, NULL);
    }
    return rc;
}

int cmd_supervision(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = api_call(ctl, "GET", "/api/v1/supervision", NULL, 0, &r);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof supervision_lists / sizeof supervision_lists[0]; i++)
        if (!json_is_array(json_object_get(r, supervision_lists[i][0])) && rc == 0)
            rc = api_unexpected("a supervision list is missing");
    if (rc == 0)
        rc = ctl->json ? api_print_json(r) : print_supervision(r);
    json_decref(r);
    return rc;
}
