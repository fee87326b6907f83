/* jsonout.h: ikiweb's JSON: ikid's values, catalog, events and results as the API writes them
 * (proto/WEBAPI.md), and the events it reads. */
#ifndef IKI_WEB_JSONOUT_H
#define IKI_WEB_JSONOUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

/* A value; name and jabatan (may be NULL: the value's own) fill what updates lack. Owned. */
json_object *jsonout_value(const struct proto_value *v, const char *name, const char *jabatan);

/* Whether a reported_by list ("umum desa") names who (a section code, or "desa"). */
bool jsonout_reports(const char *reported_by, const char *who);

/* The catalog message as GET /api/describe gives it. Owned. */
json_object *jsonout_catalog(const struct proto_msg *m);

/* An event (id, element, orgunit, date, op, value, case, comment, ref). Owned. */
json_object *jsonout_event(const struct proto_event *e);

/* A stored event of a history (the event, seq, at, who, voided_by, dropped). Owned. */
json_object *jsonout_stored(const struct proto_stored *s);

/* A result {"id","status"[,"code","message"]}. Owned. */
json_object *jsonout_result(const char *id, const struct proto_result *r);

/*
 * Read an event from a JSON object: fields as jsonout_event, op default add, value default 1
 * (as iki submit). Returns 0, or -1 with the name of the bad or missing field in err (size n).
 */
int jsonout_parse_event(json_object *o, struct proto_event *e, char *err, size_t n);

/* {"error":{"code","message"}} as a string (malloc'd), or NULL without memory. */
char *jsonout_error(const char *code, const char *message);

/* A JSON object's text, malloc'd (compact), and release the object. NULL without memory. */
char *jsonout_take(json_object **o);

#endif
