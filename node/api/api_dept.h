/*
 * api_dept — departments through the API (docs/api.md, 入驻部门): the node's department
 * table (list, add, edit), a department's queue (部门工作台), and the department actions on
 * a case: routing to a lead and helpers (分流), signing for it (签收), returning it (退回)
 * and feeding back progress or the result (反馈). A department's account acts only for its
 * own department and sees only the cases routed to it.
 */
#ifndef JIEFEN_API_DEPT_H
#define JIEFEN_API_DEPT_H

#include "api/api_core.h"

/* Handles POST /api/v1/cases/{id}/departments/{route|sign|return|feedback}: `id` is the
 * URL-encoded id (id_len bytes), `verb` what follows it. 0 if it was a department action
 * (answered), -1 if not (nothing answered). */
int api_dept_case_action(struct api_call *c, const http_request *r, const char *id,
                         size_t id_len, const char *verb);

/* The routes of api.c's table. */
void route_departments(struct api_call *c, const http_request *r, const char *tail);
void route_department_add(struct api_call *c, const http_request *r, const char *tail);
void route_department_edit(struct api_call *c, const http_request *r, const char *tail);
void route_department_queue(struct api_call *c, const http_request *r, const char *tail);

#endif
