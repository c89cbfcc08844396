/* api_archive — GET /api/v1/cases/{id}/archive (docs/api.md "Archive of a closed case"):
 * the export is an access event, recorded (with the approval the policy asks for archives)
 * in the group commit before a byte is made; then a pool thread writes the tar
 * (print/casearchive.h) into a pipe, and the loop passes what comes out of the pipe on to
 * the client as a streamed answer, reading more only once the client has taken what was
 * sent: neither end holds the archive. */
#include "api/api_op.h"
#include "api/api_routes.h"
#include "blob.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "log/work.h"
#include "print/casearchive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct archive_job {
    struct api_call *c;
    http_req *req;          /* the stream's, once begun; NULL when the client went */
    char id[128], purpose[32], dir[BLOB_PATH_MAX], why[CASEARCHIVE_ERR_MAX];
    int wfd;                /* the pipe's end the pool thread writes */
    uv_pipe_t pipe;         /* the end the loop reads */
    int begun, eof, done, rc, closing, pipe_closed, answered;
};

/* ---- the access event ----------------------------------------------------------------- */

static int archive_access(eventlog_tx *tx, struct api_op *o)
{
    struct archive_job *j = o->data;
    struct api *api = o->c->api;
    char approval[ACCESS_ID_MAX], why[256];
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, j->id, &v);
    if (rc || !v)
        return rc ? rc : op_refuse(o, 404, "not_found", NULL, "无此案件：%s", j->id);
    const char *purpose = access_use_purpose(v, api->dep.cfg->node_id, j->purpose);
    if (v->status != CASE_STATUS(CLOSED))
        rc = op_refuse(o, 409, "case_not_closed", NULL, "案件 %s 尚未办结，办结后才能立卷归档",
                       v->case_id);
    else if ((rc = casearchive_ready(tx->st, tx->txn, api->dep.id, api->dep.cfg->node_id, j->dir,
                                     v, j->why)) == JF_EINVAL)
        rc = op_refuse(o, 409, "archive_not_ready", NULL, "%s", j->why);
    else if (rc == 0 && !purpose)
        rc = op_refuse(o, 400, "invalid_purpose", "purpose",
                       "导出案件 %s 的归档须说明查阅目的（purpose）", v->case_id);
    else if (rc == 0 && (rc = access_check(tx, api->dep.cfg->access_approval_for, v->case_id,
                                           "archive", approval, why, sizeof why)) == JF_EINVAL)
        rc = op_refuse(o, 403, "approval_required", "archive", "%s", why);
    if (rc == 0)
        rc = access_record(tx, v->case_id, "archive", purpose, 0, approval);
    case_view_free(&v);
    return rc;
}

/* ---- the pool thread ------------------------------------------------------------------ */

static int archive_work(MDB_txn *txn, void *arg)
{
    struct archive_job *j = arg;
    struct api *api = j->c->api;
    int rc = casearchive_write(api->dep.st, txn, api->dep.id, api->dep.cfg->node_id, j->dir,
                               j->id, j->wfd, j->why);
    close(j->wfd);   /* the loop's end reads the end of the file */
    j->wfd = -1;
    return rc;
}

/* ---- the loop: the pipe to the client ------------------------------------------------- */

static void maybe_free(struct archive_job *j)
{
    if (j->pipe_closed && j->done)
        free(j);
}

static void on_closed(uv_handle_t *h)
{
    struct archive_job *j = h->data;
    j->pipe_closed = 1;
    maybe_free(j);
}

/* Closing the loop's end makes the pool thread's next write fail, so it ends. */
static void close_pipe(struct archive_job *j)
{
    if (!j->closing) {
        j->closing = 1;
        uv_close((uv_handle_t *)&j->pipe, on_closed);
    }
}

/* Once the pool thread is done and the pipe read to its end: the stream ends, or, if
 * nothing was sent, the refusal is the answer. */
static void answer(struct archive_job *j)
{
    if (!j->done || !j->eof || j->answered)
        return;
    j->answered = 1;
    if (j->rc)
        log_warn("archive", "case %s: no archive (%s)", j->id, jf_strerror(j->rc));
    else
        log_info("archive", "case %s: archive exported", j->id);
    if (j->begun && j->req && j->rc)
        http_stream_abort(j->req);   /* the client sees an error, not a short archive */
    else if (j->begun && j->req)
        http_stream_end(j->req);
    else if (j->begun)
        return;
    else if (j->rc == JF_EINVAL)
        reply_error(j->c, 409, "archive_not_ready", NULL, "%s", j->why);
    else if (j->rc == JF_ENOTFOUND)
        reply_error(j->c, 404, "not_found", NULL, "无此案件：%s", j->id);
    else
        reply_store_error(j->c, j->rc ? j->rc : -EIO);
    j->req = NULL;
}

static void on_gone(void *arg)
{
    struct archive_job *j = arg;
    j->req = NULL;
    close_pipe(j);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h, (void)hint;
    buf->base = malloc(64 * 1024);
    buf->len = buf->base ? 64 * 1024 : 0;
}

/* The first bytes: the answer becomes a stream. 0, or the client is gone. */
static int begin(struct archive_job *j)
{
    char headers[400];
    int n = snprintf(headers, sizeof headers,
                     "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                     "Content-Disposition: attachment; filename=\"archive-");
    for (const char *p = j->id; *p && n < 300; p++)
        headers[n++] = strchr("/\"\\", *p) || (unsigned char)*p < 0x20 ? '_' : *p;
    snprintf(headers + n, sizeof headers - (size_t)n, ".tar\"\r\n");
    j->begun = 1;
    j->req = j->c->req;
    int rc = http_stream_begin(j->req, 200, "application/x-tar", headers, on_gone, j);
    if (rc == UV_EBUSY)   /* answers owed before it on the connection: not a stream */
        http_respond(j->req, 409, "text/plain; charset=utf-8", "busy", 4, NULL);
    reply_streamed(j->c);
    j->c = NULL;
    if (rc)
        j->req = NULL;
    return rc;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

/* The client took what was sent: read on. */
static void on_drain(void *arg)
{
    struct archive_job *j = arg;
    http_stream_on_drain(j->req, NULL);
    if (uv_read_start((uv_stream_t *)&j->pipe, on_alloc, on_read) < 0)
        close_pipe(j);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct archive_job *j = s->data;
    if (n > 0 && !j->begun && begin(j))
        n = UV_ECONNRESET;
    if (n > 0 && http_stream_write(j->req, buf->base, (size_t)n)) {
        j->req = NULL;   /* cut off: the server freed it */
        n = UV_ECONNRESET;
    }
    free(buf->base);
    if (n > 0) {
        uv_read_stop(s);
        http_stream_on_drain(j->req, on_drain);
    } else if (n < 0) {
        j->eof = 1;
        close_pipe(j);
        answer(j);
    }
}

static void archive_done(int rc, void *arg)
{
    struct archive_job *j = arg;
    if (j->wfd >= 0)   /* the work never ran */
        close(j->wfd);
    j->wfd = -1;
    j->done = 1;
    j->rc = rc;
    answer(j);
    maybe_free(j);
}

/* Once the access event is durable. */
static void archive_start(struct api_call *c, void *data)
{
    struct archive_job *j = data;
    int fds[2];
    j->c = c;
    if (pipe2(fds, O_CLOEXEC)) {
        free(j);
        return reply_store_error(c, -errno);
    }
    (void)fcntl(fds[1], F_SETPIPE_SZ, 1024 * 1024);   /* fewer wake-ups; best effort */
    j->wfd = fds[1];
    j->pipe.data = j;
    if (uv_pipe_init(c->api->dep.loop, &j->pipe, 0) < 0) {
        close(fds[0]), close(fds[1]);
        free(j);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    int opened = uv_pipe_open(&j->pipe, fds[0]) == 0;
    if (!opened)
        close(fds[0]);
    if (!opened || uv_read_start((uv_stream_t *)&j->pipe, on_alloc, on_read) < 0) {
        j->eof = 1;   /* nothing will come: the answer waits for the work alone */
        close_pipe(j);
    }
    work_read(c->api->dep.work, archive_work, archive_done, j);
}

/* tail: "ID/archive" */
void route_case_archive(struct api_call *c, const http_request *r, const char *tail)
{
    struct archive_job *j = calloc(1, sizeof *j);
    size_t n = strlen(tail) - strlen("/archive");
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    j->c = c;
    j->wfd = -1;
    if (http_url_decode(tail, n, j->id, sizeof j->id, 0) <= 0 || strchr(j->id, '/')) {
        free(j);
        return reply_error(c, 404, "not_found", NULL, "无此案件");
    }
    if (api_permit(c, PERM_CASE_PARTIES)) {
        free(j);
        return;
    }
    if (api_query_param(r->query, "purpose", j->purpose, sizeof j->purpose) ||
        (j->purpose[0] && !access_purpose(j->purpose))) {
        free(j);
        return reply_error(c, 400, "invalid_purpose", "purpose",
                           "查阅目的无效：应为办案、回访、督办、审计、复核或其他");
    }
    int rc = blob_dir(c->api->dep.st, 0, j->dir);
    if (rc) {
        free(j);
        return reply_store_error(c, rc);
    }
    op_submit_then(c, json_object(), archive_access, archive_start, j);
}
