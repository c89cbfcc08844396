#include "case/doctype.h"
#include "error.h"

#include <errno.h>
#include <magic.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *code, *name;
} kinds[] = {
    {"evidence", "证据"}, {"agreement", "协议"}, {"record", "笔录"},
    {"ruling", "裁定/文书"}, {"other", "其他"},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* What a case file may hold: images, PDF, office documents (Microsoft and OpenDocument). */
static const struct {
    const char *mime, *name;
} allowed[] = {
    {"image/jpeg", "JPEG 图片"},
    {"image/png", "PNG 图片"},
    {"image/gif", "GIF 图片"},
    {"image/webp", "WebP 图片"},
    {"image/tiff", "TIFF 扫描件"},
    {"image/bmp", "BMP 图片"},
    {"application/pdf", "PDF 文档"},
    {"application/msword", "Word 文档"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档"},
    {"application/vnd.ms-excel", "Excel 表格"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"},
    {"application/vnd.ms-powerpoint", "PowerPoint 演示文稿"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation",
     "PowerPoint 演示文稿"},
    {"application/vnd.oasis.opendocument.text", "ODF 文档"},
    {"application/vnd.oasis.opendocument.spreadsheet", "ODF 表格"},
};
#define N_ALLOWED (sizeof allowed / sizeof allowed[0])

const char *doctype_kind_name(const char *kind)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(kinds[i].code, kind) == 0)
            return kinds[i].name;
    return NULL;
}

const char *doctype_kind_code(const char *kind)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(kinds[i].code, kind) == 0 || strcmp(kinds[i].name, kind) == 0)
            return kinds[i].code;
    return strcmp(kind, "裁定") == 0 || strcmp(kind, "文书") == 0 ? "ruling" : NULL;
}

static int allowed_index(const char *mime)
{
    for (size_t i = 0; i < N_ALLOWED; i++)
        if (strcmp(allowed[i].mime, mime) == 0)
            return (int)i;
    return -1;
}

int doctype_check(const void *buf, size_t len, char *mime)
{
    /* MAGIC_NO_CHECK_COMPRESS: a compressed payload is refused as what it is, not
     * looked into. A magic handle is a few ms to load: uploads are rare, so one per call
     * keeps no state across threads. */
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (!m)
        return -ENOMEM;
    const char *t = magic_load(m, NULL) == 0 ? magic_buffer(m, buf, len) : NULL;
    int rc = t ? 0 : JF_ECONFIG;
    snprintf(mime, DOCTYPE_MIME_MAX, "%s", t ? t : "");
    magic_close(m);
    if (rc == 0 && allowed_index(mime) < 0)
        rc = JF_EINVAL;
    return rc;
}

const char *doctype_mime_name(const char *mime)
{
    int i = allowed_index(mime);
    return i < 0 ? mime : allowed[i].name;
}
