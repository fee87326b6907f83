/* input.h: events from files clerks keep: CSV (RFC 4180) and JSON lines. */
#ifndef IKI_INPUT_H
#define IKI_INPUT_H

#include <stddef.h>

#include "proto.h"

enum input_format { INPUT_AUTO = 0, INPUT_CSV, INPUT_JSONL };

/* Events read from a file, each with the line it starts on. */
struct input {
	struct proto_event *events;
	int *lines;
	size_t n;
};

/*
 * Read every event of a file (path "-" is stdin). The format comes from the extension (.csv,
 * .jsonl, .json) unless given. CSV needs a header naming its columns, any of id, element,
 * orgunit, date, op, value, case, comment in any order. Missing ids are made from the row's
 * content and its occurrence in the file, so reading the same file twice gives the same ids.
 * Returns 0, or -1 with a "file:line: message" into err (size n).
 */
int input_read(const char *path, enum input_format fmt, struct input *in, char *err, size_t n);

/* Parse text as a CSV document (name is for messages). Same contract as input_read. */
int input_parse_csv(const char *name, const char *text, size_t len, struct input *in, char *err,
		    size_t n);

/* Parse text as JSON lines. Same contract as input_read. */
int input_parse_jsonl(const char *name, const char *text, size_t len, struct input *in, char *err,
		      size_t n);

/* Set one field of an event from text ("id", "element", ...). Returns 0, or -1 with err set. */
int input_set_field(struct proto_event *ev, const char *field, const char *val, char *err,
		    size_t n);

/* Give ids to events without one: content hash + occurrence (see input_read). */
int input_fill_ids(struct input *in);

/* Free what in holds. */
void input_free(struct input *in);

#endif
