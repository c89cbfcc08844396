/*
 * api_document — the documents of a case file over HTTP (docs/api.md, "Documents"):
 * attaching one (the raw file is the body, its name, kind and note are query parameters,
 * so a large file is neither encoded nor copied into JSON), the list with what is still in
 * transit to this node, and the download. Attaching is the holder's staff's (the roles that
 * meet the parties, case.parties); reading too, wherever the case file can be opened.
 */
#ifndef JIEFEN_API_DOCUMENT_H
#define JIEFEN_API_DOCUMENT_H

#include "api/api_core.h"

/* Whether a request is an upload, whose body may reach [documents] max_file_kb (the
 * server's hook, struct http_limits.is_upload). */
int api_document_upload(const char *method, const char *path);

/* If tail ("ID/documents" or "ID/documents/DOC", after /api/v1/cases/) names documents,
 * answers the request and returns 1; otherwise returns 0 and leaves it (api.c asks before
 * the case routes). */
int api_document_route(struct api_call *c, const http_request *r, const char *tail);

#endif
