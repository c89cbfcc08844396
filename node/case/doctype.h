/*
 * doctype — what may be attached to a case file: the kinds of document (证据, 协议, 笔录,
 * 裁定/文书, 其他) and the types allowed, told by content (libmagic's MIME type of the
 * bytes), never by the file's name: photos and scans, PDF and office files. Executables,
 * scripts, archives and anything libmagic does not know are refused.
 */
#ifndef JIEFEN_DOCTYPE_H
#define JIEFEN_DOCTYPE_H

#include <stddef.h>

#define DOCTYPE_MIME_MAX 128

/* The Chinese name of a kind code ("evidence" → "证据"), NULL for an unknown code. */
const char *doctype_kind_name(const char *kind);

/* The code of a kind given by code or Chinese name, NULL when it is neither. */
const char *doctype_kind_code(const char *kind);

/* The MIME type of the bytes by content into mime (DOCTYPE_MIME_MAX bytes). 0 if the type
 * is allowed, JF_EINVAL if not (mime then names what was found), -ENOMEM or JF_ECONFIG
 * when libmagic cannot start. */
int doctype_check(const void *buf, size_t len, char *mime);

/* The Chinese name of an allowed MIME type ("PDF 文档"), or the type itself. */
const char *doctype_mime_name(const char *mime);

#endif
