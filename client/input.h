/* input.h: events from the files clerks keep: CSV (RFC 4180) and JSON lines. */
#ifndef IKI_INPUT_H
#define IKI_INPUT_H

#include <stddef.h>

#include "proto.h"

#define INPUT_ERR_MAX 512 /* a buffer this size holds any message of this module */

enum input_format { INPUT_AUTO = 0, INPUT_CSV, INPUT_JSONL };

/* Events read from a file, each with the line its record starts on (1-based). */
struct input {
	struct proto_event *events;
	int *lines;
	size_t n;
};

/* The format named by s ("csv", "jsonl" or "json"). Returns 0, or -EINVAL. */
int input_format_parse(const char *s, enum input_format *fmt);

/*
 * Read every event of a file (path "-": standard input). fmt INPUT_AUTO takes the format from
 * the extension (.csv; .jsonl or .json: JSON lines; case ignored) and refuses other names.
 *
 * CSV: RFC 4180 (quoted fields with commas, doubled quotes and newlines; LF or CRLF; a UTF-8
 * byte-order mark is skipped). A header row names the columns, in any order: id, element,
 * orgunit, date, op, value, case, comment (case ignored); element, orgunit and date are
 * required, an unknown or repeated column is an error. JSON lines: one object per line with the
 * same keys; value a whole number, the others strings; null is the same as absent.
 *
 * In both, op defaults to add and an empty value to 1; element, orgunit and date may not be
 * empty. An event without an id gets "g-<16 hex>-<k>": FNV-1a 64 over element, orgunit, date,
 * op name, value in decimal, case and comment, each followed by a NUL byte, and k counting the
 * id-less events of that content in the file from 1; so the same file gives the same ids every
 * time, and two identical rows are two events.
 *
 * Returns 0 with *in filled (free with input_free), or -EINVAL for a bad file, -errno when it
 * cannot be read; then *in is empty and err (size n) holds "file:line: field: problem", in
 * English with the clerk's Indonesian in parentheses where the data is at fault.
 */
int input_read(const char *path, enum input_format fmt, struct input *in, char *err, size_t n);

/* Parse text as a CSV document (name is for messages). Same contract as input_read. */
int input_parse_csv(const char *name, const char *text, size_t len, struct input *in, char *err,
		    size_t n);

/* Parse text as JSON lines (name is for messages). Same contract as input_read. */
int input_parse_jsonl(const char *name, const char *text, size_t len, struct input *in, char *err,
		      size_t n);

/*
 * Set one field of an event from text: "id", "element", "orgunit", "date", "op", "value",
 * "case" or "comment". Returns 0, or -EINVAL with "field: problem" in err (size n).
 */
int input_set_field(struct proto_event *ev, const char *field, const char *val, char *err,
		    size_t n);

/* Check that element, orgunit and date are set. Returns 0, or -EINVAL with err as above. */
int input_check_event(const struct proto_event *ev, char *err, size_t n);

/* Give ids to the events without one (see input_read). Returns 0, or -ENOMEM. */
int input_fill_ids(struct input *in);

/* Free what in holds and empty it. Safe on an empty input and twice. */
void input_free(struct input *in);

#endif
