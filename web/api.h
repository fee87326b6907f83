/* api.h: ikiweb's HTTP API (proto/WEBAPI.md): routing, authentication, and each endpoint. */
#ifndef IKI_WEB_API_H
#define IKI_WEB_API_H

#include "app.h"
#include "http.h"

/* Answer one request (read in full) into rs: an API endpoint, or a static file of app->www. */
void api_handle(struct app *a, const struct web_req *rq, struct web_resp *rs);

#endif
