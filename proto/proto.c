/* proto.c: what the codec's two directions share: the wire names, the letter's fields, the
 * messages' ownership; the decoder is proto_dec.c, the encoder proto_enc.c. */
#include "proto.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_int.h"

const char *const proto_type_names[PROTO_TYPE_LAST + 1] = {
	[PROTO_SUBMIT] = "submit", [PROTO_SUBMITTED] = "submitted", [PROTO_QUERY] = "query",
	[PROTO_VALUES] = "values", [PROTO_ERROR] = "error",         [PROTO_UPDATE] = "update",
	[PROTO_SNAPSHOT] = "snapshot", [PROTO_HEARTBEAT] = "heartbeat",
	[PROTO_DESCRIBE] = "describe", [PROTO_CATALOG] = "catalog", [PROTO_LOCK] = "lock",
	[PROTO_LOCKS] = "locks", [PROTO_HISTORY] = "history", [PROTO_EVENTS] = "events",
	[PROTO_TARGET] = "target", [PROTO_TARGETS] = "targets", [PROTO_WHOAMI] = "whoami",
	[PROTO_NOTE] = "note",     [PROTO_NOTES] = "notes",
	[PROTO_IDENTITY] = "identity",
};

const char *const proto_op_names[PROTO_OP_VOID + 1] = {
	[PROTO_OP_ADD] = "add", [PROTO_OP_SET] = "set", [PROTO_OP_OPEN] = "open", [PROTO_OP_CLOSE] = "close",
	[PROTO_OP_VOID] = "void",
};

const char *const proto_status_names[PROTO_STATUS_ERROR + 1] = {
	[PROTO_STATUS_OK] = "ok", [PROTO_STATUS_DUPLICATE] = "duplicate", [PROTO_STATUS_ERROR] = "error",
};

const char *proto_type_name(enum proto_type t)
{
	return (unsigned)t <= PROTO_TYPE_LAST ? proto_type_names[t] : NULL;
}

enum proto_page proto_page_keys(enum proto_type t)
{
	if (t == PROTO_SNAPSHOT || t == PROTO_HISTORY || t == PROTO_DESCRIBE)
		return PROTO_PAGE_REQUEST;
	if (t == PROTO_VALUES || t == PROTO_EVENTS || t == PROTO_CATALOG)
		return PROTO_PAGE_ANSWER;
	return PROTO_PAGE_NONE;
}

const char *proto_op_name(enum proto_op op)
{
	return (unsigned)op <= PROTO_OP_VOID ? proto_op_names[op] : NULL;
}

bool proto_value_ratio(const struct proto_value *v, double *ratio)
{
	if (v->den == 0)
		return false;
	*ratio = (double)v->num / (double)v->den * (double)v->factor;
	return true;
}

void proto_topic(const struct proto_value *v, char *buf, size_t n)
{
	const char *part[3] = {v->indicator, v->orgunit, v->period};
	size_t at = 0;
	for (int i = 0; i < 3 && n > 0; i++) { /* as snprintf "%s/%s/%s" would, without its cost */
		size_t k = strlen(part[i]);
		if (i > 0 && at + 1 < n)
			buf[at++] = '/';
		if (k > n - 1 - at)
			k = n - 1 - at;
		memcpy(buf + at, part[i], k);
		at += k;
	}
	if (n > 0)
		buf[at] = '\0';
}

void proto_msg_clear(struct proto_msg *m)
{
	free(m->events);
	free(m->results);
	free(m->values);
	free(m->indicators);
	free(m->orgunits);
	free(m->elements);
	free(m->locks);
	free(m->stored);
	free(m->targets);
	free(m->notes);
	free(m->identity.elements);
	memset(m, 0, sizeof(*m));
}

/* A report's letterhead and signature: "kop" (an array, when any) and the sign_ keys given. */
const struct proto_letter_field proto_letter_fields[PROTO_LETTER_FIELDS] = {
	{"sign_place", offsetof(struct proto_letter, place)},
	{"sign_title", offsetof(struct proto_letter, title)},
	{"sign_name", offsetof(struct proto_letter, name)},
	{"sign_rank", offsetof(struct proto_letter, rank)},
	{"sign_nip", offsetof(struct proto_letter, nip)},
};
