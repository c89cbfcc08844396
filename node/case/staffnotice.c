/* staffnotice — the SMS to staff of the domain's moments (staffnotice.h). */
#include "case/staffnotice.h"
#include "error.h"
#include "outbox/staffbook.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#define ONCE_MAX 200

int staffnotice_time(int64_t ms, int with_time, char *out, size_t len)
{
    struct tm tm;
    time_t t = (time_t)(ms / 1000);
    const char *fmt = with_time ? "%-m月%-d日 %H:%M" : "%Y年%-m月%-d日";
    if (!localtime_r(&t, &tm) || !strftime(out, len, fmt, &tm))
        return JF_EINVAL;
    return 0;
}

/* Template tmpl about a department's part to the accounts `to`, once per kind. */
static int tell(eventlog_tx *tx, const crypto_identity *id, const struct staffbook_to *to,
                const char *tmpl, const char *case_id, const char *department, int64_t due_ms)
{
    char deadline[32], once[ONCE_MAX];
    if (staffnotice_time(due_ms, 1, deadline, sizeof deadline) ||
        snprintf(once, sizeof once, "%s:%s:%s:%" PRId64, tmpl, case_id, department, due_ms) >=
            (int)sizeof once)
        return JF_EINVAL;
    struct notify_var vars[] = {{"department", department}, {"deadline", deadline}};
    return staffbook_notify(tx, id, to, tmpl, case_id, once, vars, 2, NULL);
}

int staffnotice_routed(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                       const Jiefen__DeptRouted *d)
{
    struct staffbook_to to = {"department", d->lead, NULL};
    int rc = tell(tx, id, &to, "sign_reminder", case_id, d->lead, d->sign_due_ms);
    for (size_t i = 0; i < d->n_helpers && rc == 0; i++) {
        to.department = d->helpers[i];
        rc = tell(tx, id, &to, "sign_reminder", case_id, d->helpers[i], d->sign_due_ms);
    }
    return rc;
}

int staffnotice_sign_overdue(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                             const char *department, int64_t sign_due_ms)
{
    struct staffbook_to dept = {"department", department, NULL};
    struct staffbook_to director = {"director", NULL, NULL};
    int rc = tell(tx, id, &dept, "sign_overdue", case_id, department, sign_due_ms);
    return rc ? rc
              : tell(tx, id, &director, "sign_overdue_director", case_id, department,
                     sign_due_ms);
}

int staffnotice_followup(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                         const char *assignee, int64_t due_ms)
{
    char date[32], once[ONCE_MAX];
    if (!assignee || !assignee[0])
        return 0;
    if (staffnotice_time(due_ms, 0, date, sizeof date) ||
        snprintf(once, sizeof once, "followup_assigned:%s:%" PRId64, case_id, due_ms) >=
            (int)sizeof once)
        return JF_EINVAL;
    struct staffbook_to to = {NULL, NULL, assignee};
    struct notify_var var = {"date", date};
    return staffbook_notify(tx, id, &to, "followup_assigned", case_id, once, &var, 1, NULL);
}
