/* input.h: events from files clerks keep: CSV (RFC 4180) and JSON lines. */
#ifndef IKI_INPUT_H
#define IKI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

enum input_format { INPUT_AUTO = 0, INPUT_CSV, INPUT_JSONL };

/*
 * Events read from a file, each with the line it starts on and its row's identity in the file:
 * its number (a "no" or "nomor" column: the nomor agenda) when the file has one, else "#N" for
 * the N-th row; "" for a row with an id of its own (that id is its identity).
 */
struct input {
	struct proto_event *events;
	int *lines;
	char (*rows)[PROTO_ID_MAX + 1];
	size_t n, cap; /* cap: the room of each of the three */
	bool numbered; /* the file has a number column */
};

/*
 * Read every event of a file (path "-" is stdin). The format comes from the extension (.csv,
 * .jsonl, .json) unless given. CSV needs a header naming its columns, any of id, element,
 * orgunit, date, op, value, case, comment, ref, no in any order. Ids are not made here: the
 * outbox gives each row's event its id (iki_outbox_put_file, by the row identities in rows).
 * Reentrant. Returns 0, or -1 with a "file:line: message" into err (size n).
 */
int input_read(const char *path, enum input_format fmt, struct input *in, char *err, size_t n);

/* A whole file (path "-" is stdin) in a malloc'd buffer, *len its size; NULL with errno (EIO:
 * a read failed). */
char *input_slurp(const char *path, size_t *len);

/* Parse text as a CSV document (name is for messages). Same contract as input_read. */
int input_parse_csv(const char *name, const char *text, size_t len, struct input *in, char *err,
		    size_t n);

/* Parse text as JSON lines. Same contract as input_read. */
int input_parse_jsonl(const char *name, const char *text, size_t len, struct input *in, char *err,
		      size_t n);

/* Set one field of an event from text ("id", "element", ...). Returns 0, or -1 with err set. An
 * empty value sets no_value. */
int input_set_field(struct proto_event *ev, const char *field, const char *val, char *err,
		    size_t n);

/* An add or a set needs a value (no_value is refused): 0, or -1 with a sentence in err. */
int input_check_value(const struct proto_event *ev, char *err, size_t n);

/*
 * Give each row without an id its identity (see struct input); a number used by two rows is an
 * error (-1 with err filled, in freed). Returns 0 or -1.
 */
int input_fill_rows(struct input *in, const char *name, char *err, size_t n);

/* Free what in holds. */
void input_free(struct input *in);

#endif
