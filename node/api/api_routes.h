/*
 * api_routes — the handlers of the route modules, for api.c's one route table (and for
 * each module, to define them as declared). A handler answers its call exactly once.
 */
#ifndef JIEFEN_API_ROUTES_H
#define JIEFEN_API_ROUTES_H

#include "api/api_core.h"

/* api_node.c: the node as a whole. */
void route_status(struct api_call *c, const http_request *r, const char *tail);
void route_reference(struct api_call *c, const http_request *r, const char *tail);
void route_metrics(struct api_call *c, const http_request *r, const char *tail);
void route_verify(struct api_call *c, const http_request *r, const char *tail);

/* api_backup.c: a backup of this node into a new directory. */
void route_backup(struct api_call *c, const http_request *r, const char *tail);

/* api_case.c: reading cases; api_case_act.c: taking them in and acting on them. */
void route_case_show(struct api_call *c, const http_request *r, const char *tail);
void route_case_list(struct api_call *c, const http_request *r, const char *tail);
void route_supervision(struct api_call *c, const http_request *r, const char *tail);
void route_case_new(struct api_call *c, const http_request *r, const char *tail);
void route_case_action(struct api_call *c, const http_request *r, const char *tail);

/* api_form.c: the printable forms (ID/forms/FORM.pdf, reached through route_case_show),
 * the "records" action of a case (api_case_act.c's table), and receipts. */
struct api_op;
void route_case_form(struct api_call *c, const http_request *r, const char *tail);
/* api_archive.c: a closed case's archive (ID/archive, reached through route_case_show). */
void route_case_archive(struct api_call *c, const http_request *r, const char *tail);
int api_record_apply(eventlog_tx *tx, struct api_op *o, struct api *api,
                     const Jiefen__CaseView *v);
/* api_appointment.c: the case action `appointment` (its body's keys and its apply). */
extern const char *const api_appointment_keys[];
int api_appointment_apply(eventlog_tx *tx, struct api_op *o, struct api *api,
                          const Jiefen__CaseView *v);
void route_receipt_verify(struct api_call *c, const http_request *r, const char *tail);
void route_receipt_root(struct api_call *c, const http_request *r, const char *tail);
/* api_roster.c: the rosters (名册); api_followup.c: the follow-up queue (回访). */
void route_roster_list(struct api_call *c, const http_request *r, const char *tail);
void route_roster_add(struct api_call *c, const http_request *r, const char *tail);
void route_roster_person(struct api_call *c, const http_request *r, const char *tail);
void route_followups(struct api_call *c, const http_request *r, const char *tail);

/* api_party.c: finding a person, and the record of searches. */
void route_party_find(struct api_call *c, const http_request *r, const char *tail);
void route_party_log(struct api_call *c, const http_request *r, const char *tail);

/* api_access.c: who saw what (查阅记录) and approvals (摘抄复印报批). */
void route_access_list(struct api_call *c, const http_request *r, const char *tail);
void route_access_requests(struct api_call *c, const http_request *r, const char *tail);
void route_access_request(struct api_call *c, const http_request *r, const char *tail);
void route_access_decide(struct api_call *c, const http_request *r, const char *tail);
void route_access_copy(struct api_call *c, const http_request *r, const char *tail);

/* api_console.c: the embedded web console, served without the token or a session. */
int api_console_path(const char *path);
void route_console(struct api_call *c, const http_request *r, const char *tail);

/* api_ledger.c: the ledger figures and spreadsheet. */
void route_ledger(struct api_call *c, const http_request *r, const char *tail);
void route_dashboard(struct api_call *c, const http_request *r, const char *tail);
void route_ledger_export(struct api_call *c, const http_request *r, const char *tail);

/* api_report.c: reports up the tree, and early warnings. */
void route_report_draft(struct api_call *c, const http_request *r, const char *tail);
void route_report_submit(struct api_call *c, const http_request *r, const char *tail);
void route_report_review(struct api_call *c, const http_request *r, const char *tail);
void route_reports(struct api_call *c, const http_request *r, const char *tail);
void route_report_export(struct api_call *c, const http_request *r, const char *tail);
void route_warnings(struct api_call *c, const http_request *r, const char *tail);

/* api_recovery.c: a node rebuilt from its parent, its sealed parts (case/recovery.h). The
 * JSON of GET /api/v1/recovery (with its list of cases or without), also in status; NULL on
 * a store error. */
json_t *api_recovery_json(struct api *api, MDB_txn *txn, int with_cases);
void route_recovery(struct api_call *c, const http_request *r, const char *tail);
void route_recovery_approve(struct api_call *c, const http_request *r, const char *tail);
void route_recovery_reseal(struct api_call *c, const http_request *r, const char *tail);

/* api_hazard.c: the 苗头隐患 register. */
void route_hazard_list(struct api_call *c, const http_request *r, const char *tail);
void route_hazard_add(struct api_call *c, const http_request *r, const char *tail);
void route_hazard_show(struct api_call *c, const http_request *r, const char *tail);
void route_hazard_action(struct api_call *c, const http_request *r, const char *tail);

/* api_session.c: who is asking, and sessions (login, logout, own password).
 * api_identify answers the request itself (and returns -1) when a session cookie is
 * expired or void, or when a session's state-changing request lacks its CSRF token;
 * otherwise it fills c->who (API_AUTH_NONE: neither a token nor a cookie) and returns 0. */
int api_identify(struct api_call *c, const http_request *r);
void route_session_login(struct api_call *c, const http_request *r, const char *tail);
void route_session_show(struct api_call *c, const http_request *r, const char *tail);
void route_session_logout(struct api_call *c, const http_request *r, const char *tail);
void route_session_passwd(struct api_call *c, const http_request *r, const char *tail);
void route_session_expiry(struct api_call *c, const http_request *r, const char *tail);
void route_session_touch(struct api_call *c, const http_request *r, const char *tail);
/* Removes ended sessions from the store, in the next group commit. */
void api_session_sweep(struct api *api);

/* api_user.c: the node's users, for its administrators. */
void route_users(struct api_call *c, const http_request *r, const char *tail);
void route_user_add(struct api_call *c, const http_request *r, const char *tail);
void route_user_action(struct api_call *c, const http_request *r, const char *tail);
void route_session_phone(struct api_call *c, const http_request *r, const char *tail);

/* api_inbox.c: what waits for the caller (待办); events.c: its live stream. */
void route_inbox(struct api_call *c, const http_request *r, const char *tail);
void route_events(struct api_call *c, const http_request *r, const char *tail);

/* api_net.c: enrolment, directives, links. */
void route_enrol_request(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_root(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_approve(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_install(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_revoke(struct api_call *c, const http_request *r, const char *tail);
void route_nodes(struct api_call *c, const http_request *r, const char *tail);
void route_directive_send(struct api_call *c, const http_request *r, const char *tail);
void route_directive_list(struct api_call *c, const http_request *r, const char *tail);
void route_directive_ack(struct api_call *c, const http_request *r, const char *tail);
void route_quarantine_clear(struct api_call *c, const http_request *r, const char *tail);
void route_quarantine_list(struct api_call *c, const http_request *r, const char *tail);

/* api_outbox.c: the outbox of messages to outside systems (SMS), for administrators. */
void route_outbox(struct api_call *c, const http_request *r, const char *tail);

/* api_interop.c: work orders from outside systems (12345, 信访) and the refused ones. */
void route_interop_order(struct api_call *c, const http_request *r, const char *tail);
void route_interop_refused(struct api_call *c, const http_request *r, const char *tail);
/* api_court.c: 司法确认, the case action `confirmation` and the court's ruling. */
int api_court_apply(eventlog_tx *tx, struct api_op *o, struct api *api,
                    const Jiefen__CaseView *v);
void route_interop_ruling(struct api_call *c, const http_request *r, const char *tail);
/* api_interop.c: court filings by linkage tag, signed by a court (an [interop] system) or
 * posted by a node administrator. */
void route_interop_filings(struct api_call *c, const http_request *r, const char *tail);
void route_linkage_filings(struct api_call *c, const http_request *r, const char *tail);

/* api_device.c: 一机一账号, the devices of accounts and their approval. */
void route_devices(struct api_call *c, const http_request *r, const char *tail);
void route_device_action(struct api_call *c, const http_request *r, const char *tail);
/* api_webhook.c: the [webhook NAME] subscribers and their dead letters (投递失败). */
void route_webhooks(struct api_call *c, const http_request *r, const char *tail);
void route_webhook_dead(struct api_call *c, const http_request *r, const char *tail);
void route_webhook_dead_action(struct api_call *c, const http_request *r, const char *tail);
/* The Chinese name of a webhook event kind ("case.closed" → 案件办结), else the code. */
const char *api_webhook_kind_name(const char *code);

#endif
