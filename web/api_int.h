/* api_int.h: what the API's files (api.c: routes, auth, login; api_data.c: the data endpoints)
 * share. Private to them. */
#ifndef IKI_WEB_API_INT_H
#define IKI_WEB_API_INT_H

#include <json-c/json.h>

#include "api.h"
#include "session.h"

/* Who is asking: a person with a session, or a machine with a token acting as a user. */
struct who {
	struct web_user user;
	bool bearer;
	char session[SESSION_ID_LEN + 1];
	char csrf[SESSION_ID_LEN + 1];
};

/* Answer with a JSON object (taken), status status. */
void api_json(struct web_resp *rs, int status, json_object **o);

/* Answer with {"error":{code,message}}. */
void api_error(struct web_resp *rs, int status, const char *code, const char *message);

/* Answer with ikid's refusal rc (msg: its sentence, may be ""), or 503 when ikid is away. */
void api_ikid_error(struct web_resp *rs, int rc, const char *msg);

/* A URL argument copied into dst (size n): 0, 1 when absent (dst ""), -1 when too long. */
int api_arg(const struct web_req *rq, const char *name, char *dst, size_t n);

/* The data endpoints (api_data.c). */
void api_describe(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_values(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_series(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_stream(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_events(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_mine(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_history(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);
void api_report(struct app *a, const struct web_req *rq, const struct who *w, struct web_resp *rs);

#endif
