/* proto.h: iki's wire format: msgpack maps in ZeroMQ frames. Pure codec, no I/O (PROTOCOL.md). */
#ifndef IKI_PROTO_H
#define IKI_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MSG_MAX (4u << 20) /* bytes in one message; also the sockets' ZMQ_MAXMSGSIZE */
#define PROTO_EVENTS_MAX 5000    /* events in one submit */
#define PROTO_VALUES_MAX 100000  /* values in one reply */
#define PROTO_DEPTH_MAX 4        /* nesting of containers in any valid message */
#define PROTO_ID_MAX 64          /* event ids and case ids, bytes */
#define PROTO_CODE_MAX 48        /* element, case type and indicator codes */
#define PROTO_ORGUNIT_MAX 24     /* "35.27.03.2001" */
#define PROTO_DATE_MAX 10        /* "2022-03-15" */
#define PROTO_CHECK_MAX 47        /* a broken validation rule in words */
#define PROTO_PERIOD_MAX 8       /* "2022Q1", "202203", "2022Q2SD" */
#define PROTO_COMMENT_MAX 500
#define PROTO_TEXT_MAX 400       /* names, jabatan, messages */
#define PROTO_REPORTERS_MAX 63   /* an element's reported_by list, codes joined with " " */
#define PROTO_HEARTBEAT_TOPIC "heartbeat" /* topic frame of heartbeats on PUB */
#define PROTO_CURSOR_MAX 128     /* a page's cursor ("after", "next"), bytes */
#define PROTO_PAGE_MAX 20000     /* entries a request may ask for in one page ("limit") */

/* Message types; the wire carries the names in parentheses. */
enum proto_type {
	PROTO_SUBMIT = 1, /* "submit": client -> ikid, a batch of events */
	PROTO_SUBMITTED,  /* "submitted": ikid -> client, one result per event, same order */
	PROTO_QUERY,      /* "query": client -> ikid, indicator values for an org unit and period */
	PROTO_VALUES,     /* "values": ikid -> client, the answer to a query */
	PROTO_ERROR,      /* "error": ikid -> client, the whole request was refused */
	PROTO_UPDATE,     /* "update": ikid -> subscribers (PUB), one changed indicator value */
	PROTO_SNAPSHOT,   /* "snapshot": client -> ikid, every stored value, with the seq it is at */
	PROTO_HEARTBEAT,  /* "heartbeat": ikid -> subscribers (PUB) when idle, with the last seq */
	PROTO_DESCRIBE,   /* "describe": client -> ikid, what the catalog holds */
	PROTO_CATALOG,    /* "catalog": ikid -> client, the indicators and org units it serves */
	PROTO_LOCK,       /* "lock": client -> ikid, lock or unlock a period (admin), or list */
	PROTO_LOCKS,      /* "locks": ikid -> client, the locked periods */
	PROTO_HISTORY,    /* "history": client -> ikid, an event's correction chain */
	PROTO_EVENTS,     /* "events": ikid -> client, stored events with who and when */
	PROTO_TARGET,     /* "target": client -> ikid, set a target (admin), or list them */
	PROTO_TARGETS,    /* "targets": ikid -> client, the targets set */
	PROTO_WHOAMI,     /* "whoami": client -> ikid, who ikid takes this key for */
	PROTO_IDENTITY,   /* "identity": ikid -> client, the key's name, role, scope, elements */
	PROTO_NOTE,       /* "note": client -> ikid, write an analysis note (admin), or list them */
	PROTO_NOTES,      /* "notes": ikid -> client, the notes (or one note's versions) */
};
#define PROTO_TYPE_LAST PROTO_NOTES

/* Event operations: add to a flow, set a state, open or close a case; void an earlier event. */
enum proto_op {
	PROTO_OP_NONE = 0, PROTO_OP_ADD, PROTO_OP_SET, PROTO_OP_OPEN, PROTO_OP_CLOSE, PROTO_OP_VOID
};

enum proto_status { PROTO_STATUS_OK = 0, PROTO_STATUS_DUPLICATE, PROTO_STATUS_ERROR };

/*
 * One event. The decoder checks types and lengths only; meaning (known element, real date) is
 * for the daemon. An event whose own fields are broken decodes with err set (IKI_EFIELD, and
 * err_field names the field), so the rest of its batch can still be applied.
 */
struct proto_event {
	char id[PROTO_ID_MAX + 1];
	char element[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char date[PROTO_DATE_MAX + 1];
	enum proto_op op;
	int64_t value;
	bool no_value; /* decoded without a value (value 1): refused for an element's add or set */
	char case_id[PROTO_ID_MAX + 1]; /* "" when none */
	char comment[PROTO_COMMENT_MAX + 1];
	char ref[PROTO_ID_MAX + 1];     /* an earlier event's id: op void voids it; any other op
					 * replaces it (voids it and stands in its place); "" */
	int err;
	char err_field[16];
};

/* The outcome of one event: status, and for errors a stable code and a sentence. */
struct proto_result {
	enum proto_status status;
	int code; /* 0, or an IKI_E* code */
	char message[PROTO_TEXT_MAX + 1];
};

/* A query: empty strings mean "any" (indicator, jabatan) or "the kecamatan" (orgunit). */
struct proto_query {
	char indicator[PROTO_CODE_MAX + 1];
	char jabatan[PROTO_TEXT_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1];
};

/* One indicator value: num / den x factor, undefined (no data) when den is 0. */
struct proto_value {
	char indicator[PROTO_CODE_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];    /* may be "" in updates */
	char jabatan[PROTO_TEXT_MAX + 1]; /* positions, joined with "; "; may be "" */
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1];
	int64_t num;
	int64_t den;
	int64_t factor;
	/* Accountability (when the indicator has a target for the period; else has_target false): */
	bool has_target;
	int64_t target;          /* hundredths of a percent: 9550 is 95.50 % */
	bool revised;            /* the target was changed (target perubahan) since ... */
	int64_t target_original; /* ... this first one */
	bool has_capaian;        /* a target and data (den > 0) */
	double capaian;          /* percent; lakip.h */
	char predikat[32];       /* its band, e.g. "Sangat Baik" */
	char check[PROTO_CHECK_MAX + 1]; /* the validation rule it breaks, in words ("pembilang <=
					  * penyebut"): perlu diperiksa; "" when none */
};

#define PROTO_KOP_LINES 4 /* letterhead lines of a printed report, above the office's name */

/* What a printed report takes from the catalog (a "catalog" message): its letterhead and who
 * signs it. Every field "" when the catalog gives none. */
struct proto_letter {
	char kop[PROTO_KOP_LINES][PROTO_TEXT_MAX + 1]; /* "PEMERINTAH KABUPATEN SAMPANG", ... */
	int n_kop;
	char place[PROTO_TEXT_MAX + 1]; /* where it is signed: "Sampang" */
	char title[PROTO_TEXT_MAX + 1]; /* the signer's office: "CAMAT SAMPANG" */
	char name[PROTO_TEXT_MAX + 1];  /* the signer, with degrees */
	char rank[PROTO_TEXT_MAX + 1];  /* pangkat / golongan: "Pembina TK. I" */
	char nip[PROTO_TEXT_MAX + 1];   /* "19780720 199804 1 001" */
};

/* The signature fields of a letter, by their names on the wire and in the catalog ("sign_place",
 * ...), each a PROTO_TEXT_MAX + 1 field of struct proto_letter at off. */
struct proto_letter_field {
	const char *key;
	size_t off;
};
#define PROTO_LETTER_FIELDS 5
extern const struct proto_letter_field proto_letter_fields[PROTO_LETTER_FIELDS];

/* An indicator as the catalog describes it (a "catalog" message). */
struct proto_indicator {
	char indicator[PROTO_CODE_MAX + 1];
	char rows[32];                      /* the document's rows, "22, 23"; may be "" */
	char name[PROTO_TEXT_MAX + 1];
	char jabatan[PROTO_TEXT_MAX + 1];   /* positions joined with "; " */
	char sasaran[PROTO_TEXT_MAX + 1];
	char kind[16];
	char numerator[PROTO_TEXT_MAX + 1]; /* in words: the quantities' names joined with " + " */
	char denominator[PROTO_TEXT_MAX + 1];
	int64_t factor;
	bool down;                          /* less is better */
	char source[PROTO_TEXT_MAX + 1];    /* sumber data */
};

/* An org unit of the catalog. */
struct proto_orgunit {
	char code[PROTO_ORGUNIT_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];
	char kind[16];
	char parent[PROTO_ORGUNIT_MAX + 1]; /* "" for the root */
};

/*
 * A data element or a case type as the catalog describes it (a "catalog" message's "elements"):
 * what an entry form needs to send a valid event of it.
 */
struct proto_element {
	char code[PROTO_CODE_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];
	bool is_case;                               /* kind "case" (a case type), else "element" */
	char unit[16];                              /* count, amount, state, target; "" for a case */
	char aggregate[8];                          /* sum or last; "" for a case */
	enum proto_op ops[2];                       /* the ops ikid takes: add; set; open, close */
	int n_ops;
	int64_t min, max;                           /* the values ikid accepts, inclusive */
	int limit_days;                             /* a case's time limit in days; -1: none */
	bool close_at_open;                         /* a case's close counts in its open's period */
	char reported_by[PROTO_REPORTERS_MAX + 1];  /* who may send it: section codes and "desa",
						     * joined with " "; "" when nobody is named */
	char schedule[PROTO_CODE_MAX + 1];          /* a case ikid opens on a schedule: its code
						     * (case ids "<schedule>/<period>"); "" */
	char every[8];                              /* that schedule's period: month, quarter, year */
};

/* A locked period. */
struct proto_lock {
	char period[PROTO_PERIOD_MAX + 1];
	char who[64];   /* who locked it */
	uint64_t at_ms; /* when, milliseconds since the epoch */
};

/* A target set by an admin (over the catalog's defaults). */
struct proto_target {
	char indicator[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1]; /* a year or a quarter */
	int64_t target;                    /* hundredths of a percent */
	int64_t original;                  /* the period's first target */
	char who[64];
	uint64_t at_ms;
};

/*
 * A note on an indicator's value (the LAKIP's "analisis / keterangan"): what an admin wrote for
 * an indicator at an org unit for a period, who and when. Each write is kept: a note's history
 * is its versions, and an empty text clears it.
 */
struct proto_note {
	char indicator[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1];
	char text[PROTO_COMMENT_MAX + 1]; /* "" when cleared */
	char who[64];
	uint64_t at_ms;
};

/* A stored event, as a history tells it. */
struct proto_stored {
	struct proto_event ev;
	uint64_t seq;                     /* its place in ikid's log */
	uint64_t at_ms;                   /* when ikid stored it */
	char who[64];                     /* who sent it (the name of its key) */
	char voided_by[PROTO_ID_MAX + 1]; /* the event that voided or replaced it, or "" */
	bool dropped;                     /* a close that went with its case: the case's open was
					   * voided or replaced since */
};

/* An element or case type code (an "identity" message's "elements"). */
struct proto_code {
	char code[PROTO_CODE_MAX + 1];
};

/* Who ikid takes a key for (an "identity" message). */
struct proto_identity {
	char name[64];                 /* the name of the key in the clients file ("local") */
	char role[16];                 /* admin, section, clerk, viewer */
	char scope[PROTO_CODE_MAX + 1]; /* a clerk's village, a section's code; "" */
	struct proto_code *elements;   /* what it may submit (owned), catalog order */
	size_t n_elements;
};

/* A decoded message. Fields beyond type and req are used by the types noted beside them. */
struct proto_msg {
	enum proto_type type;
	uint64_t req;                 /* client's request number, echoed in the reply */
	struct proto_event *events;   /* submit (owned, n_events) */
	size_t n_events;
	bool submit_maps;             /* submit: its events as maps, the first form (set by the
				       * decoder when they came so); else the compact batch */
	struct proto_result *results; /* submitted (owned, n_results) */
	size_t n_results;
	struct proto_query query;     /* query; snapshot (every field optional) */
	struct proto_value *values;   /* values, update (owned; an update has exactly one) */
	size_t n_values;
	uint64_t seq;                 /* update: the daemon's publish sequence number; values: the
				       * sequence number the answer is consistent with (0: not sent);
				       * heartbeat: the last seq published */
	int code;                     /* error */
	char message[PROTO_TEXT_MAX + 1];
	char title[PROTO_TEXT_MAX + 1];       /* catalog */
	int year;                            /* catalog: its budget year; 0 when it names none */
	struct proto_letter letter;          /* catalog: a report's letterhead and signature */
	struct proto_indicator *indicators;  /* catalog (owned) */
	size_t n_indicators;
	struct proto_orgunit *orgunits;      /* catalog (owned) */
	size_t n_orgunits;
	struct proto_element *elements;      /* catalog (owned): data elements, then case types */
	size_t n_elements;
	bool unlock;                         /* lock: unlock query.period (else lock it; no
					      * period: only list) */
	struct proto_lock *locks;            /* locks (owned) */
	size_t n_locks;
	char id[PROTO_ID_MAX + 1];           /* history: the event asked about */
	struct proto_stored *stored;         /* events (owned) */
	size_t n_stored;
	bool has_target;                     /* target: set query.indicator/orgunit/period's
					      * target to target (else only list) */
	int64_t target;                      /* hundredths of a percent */
	struct proto_target *targets;        /* targets (owned) */
	size_t n_targets;
	bool has_note;                       /* note: write note_text for query.indicator/orgunit/
					      * period (else list the notes the query names) */
	bool note_history;                   /* note: every version of that one note, newest first */
	char note_text[PROTO_COMMENT_MAX + 1];
	struct proto_note *notes;            /* notes (owned) */
	size_t n_notes;
	/* Pages of a long answer (snapshot; a value's history; describe's org units): */
	char after[PROTO_CURSOR_MAX + 1];    /* snapshot, history, describe: go on after this
					      * cursor ("": from the start) */
	uint32_t limit;                      /* snapshot, history, describe: at most this many
					      * entries (1 ... PROTO_PAGE_MAX; 0: ikid's page) */
	char next[PROTO_CURSOR_MAX + 1];     /* values, events, catalog: the cursor of the next
					      * page, "" when this page is the last */
	struct proto_identity identity;      /* identity */
};

/*
 * Decode one message. The bytes must hold exactly one msgpack map, with nothing left over, and
 * pass the limits above. On success fills *m (call proto_msg_clear after) and returns 0; on
 * failure returns IKI_EMALFORMED, IKI_ETOOBIG, IKI_EVERSION, IKI_ETYPE or IKI_EFIELD, leaves *m
 * cleared, and may set m->type and m->req when they could be read, so the reply can be matched.
 */
int proto_decode(const void *buf, size_t len, struct proto_msg *m);

/*
 * Encode a message. On success *out is a malloc'd buffer the caller frees and returns 0; returns
 * -ENOMEM (any allocation of the packer failed: never a truncated message), IKI_ETOOBIG for a
 * message over PROTO_MSG_MAX bytes (the decoder would refuse it), or IKI_EFIELD for an unknown
 * type, op or status, an update without exactly one value, or more events or values than the limits. It does not check the strings: the fixed fields keep
 * them within their limits, and required ones must be filled by the caller (an empty required
 * string encodes, and the decoder refuses it with bad_field).
 */
int proto_encode(const struct proto_msg *m, char **out, size_t *len);

/*
 * Encode m into buf (cap bytes), allocating nothing: for a small message sent often (ikid's
 * updates). 0 and *len, IKI_ETOOBIG when it does not fit, or what proto_encode refuses.
 */
int proto_encode_to(const struct proto_msg *m, char *buf, size_t cap, size_t *len);

/* Free what a decoded message owns and zero it. Safe on a zeroed or already cleared message. */
void proto_msg_clear(struct proto_msg *m);

/* Wire names of types and ops; NULL when out of range. */
const char *proto_type_name(enum proto_type t);
const char *proto_op_name(enum proto_op op);

/* The value as a percentage-like ratio; false (no data) when den is 0. */
bool proto_value_ratio(const struct proto_value *v, double *ratio);

/* Topic of an update on the PUB socket: "<indicator>/<orgunit>/<period>" into buf (size n). */
void proto_topic(const struct proto_value *v, char *buf, size_t n);

#endif
