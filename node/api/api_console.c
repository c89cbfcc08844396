/* api_console — serves the embedded web console (console_assets.h) at "/" and /console/...
 * without a login: the files hold no data, every figure comes from the API under the
 * session. Each file is revalidated by its ETag (Cache-Control: no-cache), so the pages of
 * an upgraded daemon replace the old ones at once and an unchanged file costs a 304. */
#include "api/api_routes.h"
#include "api/console_assets.h"

#include <stdio.h>
#include <string.h>

int api_console_path(const char *path)
{
    return strcmp(path, "/") == 0 || strncmp(path, "/console/", 9) == 0;
}

void route_console(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    char headers[128];
    const struct console_asset *a =
        console_asset_find(strcmp(r->path, "/") == 0 ? "/console/index.html" : r->path);
    if (!a)
        return reply_error(c, 404, "not_found", NULL, "无此页面");
    if (strcmp(r->method, "GET"))
        return reply_error(c, 405, "method_not_allowed", NULL, "不支持的请求方法 %s", r->method);
    snprintf(headers, sizeof headers, "Cache-Control: no-cache\r\nETag: %s\r\n", a->etag);
    if (strstr(r->if_none_match, a->etag))
        return reply_headers(c, 304, NULL, NULL, 0, headers);
    reply_headers(c, 200, a->type, (const char *)a->data, a->len, headers);
}
