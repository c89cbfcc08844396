/*
 * cmd — the handlers of jiefenctl's command table (jiefenctl.c), by the module that holds
 * them. Each takes the run and its argv (argv[0] the last command word) and returns the exit
 * code. The case actions, the ledger and the reports are actions (action.h).
 */
#ifndef JIEFEN_CLI_CMD_H
#define JIEFEN_CLI_CMD_H

#include "ctl.h"
#include "table.h"

#include <jansson.h>

/* cmd_backup.c */
int cmd_backup(struct ctl *ctl, int argc, char **argv);

/* cmd_status.c */
int cmd_status(struct ctl *ctl, int argc, char **argv);
int cmd_verify(struct ctl *ctl, int argc, char **argv);

/* cmd_case.c */
int cmd_case_new(struct ctl *ctl, int argc, char **argv);
int cmd_case_show(struct ctl *ctl, int argc, char **argv);

/* A party {role, name, id_number, phone, address} as a row of 身份, 姓名, 身份证号码,
 * 联系电话, 住址 (a table_row_fn of table.h). */
struct table;
int cmd_party_row(struct table *t, const json_t *p, const void *arg);
/* cmd_form.c */
int cmd_case_record(struct ctl *ctl, int argc, char **argv);
int cmd_case_print(struct ctl *ctl, int argc, char **argv);
int cmd_receipt_verify(struct ctl *ctl, int argc, char **argv);
int cmd_receipt_root(struct ctl *ctl, int argc, char **argv);
/* cmd_archive.c: the archive of a closed case and its offline check. */
int cmd_case_archive(struct ctl *ctl, int argc, char **argv);
int cmd_archive_verify(struct ctl *ctl, int argc, char **argv);
/* cmd_document.c */
int cmd_case_attach(struct ctl *ctl, int argc, char **argv);
int cmd_case_documents(struct ctl *ctl, int argc, char **argv);
int cmd_case_document(struct ctl *ctl, int argc, char **argv);

/* cmd_case_list.c */
int cmd_case_list(struct ctl *ctl, int argc, char **argv);

/* cmd_supervision.c */
int cmd_supervision(struct ctl *ctl, int argc, char **argv);

/* cmd_party.c */
int cmd_party_find(struct ctl *ctl, int argc, char **argv);
int cmd_party_log(struct ctl *ctl, int argc, char **argv);
/* cmd_inbox.c */
int cmd_inbox(struct ctl *ctl, int argc, char **argv);

/* cmd_enrol.c */
int cmd_enrol_root(struct ctl *ctl, int argc, char **argv);
int cmd_enrol_request(struct ctl *ctl, int argc, char **argv);
int cmd_enrol_approve(struct ctl *ctl, int argc, char **argv);
int cmd_enrol_install(struct ctl *ctl, int argc, char **argv);
int cmd_recovery(struct ctl *ctl, int argc, char **argv);
int cmd_recovery_approve(struct ctl *ctl, int argc, char **argv);
int cmd_recovery_reseal(struct ctl *ctl, int argc, char **argv);
int cmd_enrol_revoke(struct ctl *ctl, int argc, char **argv);

/* cmd_network.c */
int cmd_nodes(struct ctl *ctl, int argc, char **argv);
int cmd_directive_send(struct ctl *ctl, int argc, char **argv);
int cmd_directive_list(struct ctl *ctl, int argc, char **argv);
int cmd_directive_ack(struct ctl *ctl, int argc, char **argv);
int cmd_link_clear_quarantine(struct ctl *ctl, int argc, char **argv);
int cmd_link_quarantine(struct ctl *ctl, int argc, char **argv);

/* cmd_hazard.c: the rest of `hazard` and `review` are actions */
int cmd_hazard_convert(struct ctl *ctl, int argc, char **argv);
/* cmd_department.c */
int cmd_department_list(struct ctl *ctl, int argc, char **argv);

/* cmd_user.c */
int cmd_user_add(struct ctl *ctl, int argc, char **argv);
int cmd_user_passwd(struct ctl *ctl, int argc, char **argv);
int cmd_user_phone(struct ctl *ctl, int argc, char **argv);
int cmd_user_switch(struct ctl *ctl, int argc, char **argv);   /* disable and enable */
int cmd_user_list(struct ctl *ctl, int argc, char **argv);

/* cmd_outbox.c; and its columns and row of a message, for the SMS of `case show` */
#define CMD_OUTBOX_COLS 8
extern const char *const cmd_outbox_head[CMD_OUTBOX_COLS];
int cmd_outbox_row(struct table *t, const json_t *m, const void *arg);
int cmd_outbox(struct ctl *ctl, int argc, char **argv);

/* cmd_interop.c: `interop refused`, and the 外部工单 of `case show` */
int cmd_interop_refused(struct ctl *ctl, int argc, char **argv);
int cmd_interop_filings(struct ctl *ctl, int argc, char **argv); /* court filings by tag */
void cmd_interop_print_of_case(const json_t *r);
/* The 司法确认 of `case show` (its application, the court's ruling). */
void cmd_interop_print_confirmation(const json_t *r);

/* cmd_webhook.c: `webhook list|dead|retry ID|discard ID` */
int cmd_webhook_list(struct ctl *ctl, int argc, char **argv);
int cmd_webhook_dead(struct ctl *ctl, int argc, char **argv);
int cmd_webhook_retry(struct ctl *ctl, int argc, char **argv);
int cmd_webhook_discard(struct ctl *ctl, int argc, char **argv);

/* cmd_device.c: `device list|approve ID|revoke ID` (一机一账号) */
int cmd_device_list(struct ctl *ctl, int argc, char **argv);
int cmd_device_approve(struct ctl *ctl, int argc, char **argv);
int cmd_device_revoke(struct ctl *ctl, int argc, char **argv);

#endif
