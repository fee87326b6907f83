/* iki.h: what the daemon, the clients and outside programs share: error codes and limits. */
#ifndef IKI_H
#define IKI_H

#include <stdbool.h>

#include <stddef.h>

/*
 * Error codes. Functions return 0 on success and a negative code on failure: -errno where one
 * fits, otherwise one of these. Each code has a stable wire name (iki_code_name) and a sentence
 * in Bahasa Indonesia a village clerk can act on (iki_strerror). Never renumber or rename: the
 * wire names are part of the protocol (proto/PROTOCOL.md).
 */
enum iki_err {
	IKI_OK = 0,
	IKI_EBASE = 1000,
	IKI_EMALFORMED = -1001,    /* msgpack did not decode, or trailing bytes */
	IKI_EVERSION = -1002,      /* unknown protocol version */
	IKI_ETYPE = -1003,         /* unknown message type */
	IKI_EFIELD = -1004,        /* a field is missing, of the wrong type, or too long */
	IKI_ETOOBIG = -1005,       /* message or container over the limits */
	IKI_EELEMENT = -1006,      /* data element or case type not in the catalog */
	IKI_EORGUNIT = -1007,      /* org unit not in the catalog */
	IKI_EDATE = -1008,         /* not a real calendar date, or outside the years served */
	IKI_EOP = -1009,           /* operation does not fit the element (set on a flow, ...) */
	IKI_EVALUE = -1010,        /* value out of range for the element */
	IKI_ECONFLICT = -1011,     /* same event id, different content */
	IKI_ECASEID = -1012,       /* case event without a case id */
	IKI_ECASEUNKNOWN = -1013,  /* close/follow-up for a case never opened */
	IKI_ECASEOPEN = -1014,     /* case id already opened */
	IKI_ECASECLOSED = -1015,   /* case already closed */
	IKI_ECASEDATE = -1016,     /* closed before it was opened */
	IKI_EINDICATOR = -1017,    /* unknown indicator in a query */
	IKI_EPERIOD = -1018,       /* not a period id like 2022, 2022Q1, 202203 */
	IKI_ESTORAGE = -1019,      /* the daemon could not write; nothing was stored */
	IKI_EFULL = -1020,         /* the database is full; nothing was stored */
	IKI_EBUSY = -1021,         /* shutting down, or every reader busy; retry later */
	IKI_ETIMEOUT = -1022,      /* no reply in time (client side) */
	IKI_ECATALOG = -1023,      /* the catalog file has errors */
	IKI_EINTERNAL = -1024,     /* a bug: please report it */
	IKI_EFORBIDDEN = -1025,    /* the client's role may not make this request */
	IKI_ESCOPE = -1026,        /* the event's village or data element is outside the key's scope */
	IKI_EREF = -1027,          /* a correction names an event id that is not stored */
	IKI_EVOIDED = -1028,       /* a correction names an event already voided or replaced */
	IKI_ELOCKED = -1029,       /* the event's date is in a locked period */
	IKI_EOVERFLOW = -1030,     /* the event would take a stored sum past its bound (10^18) */
	IKI_EPENDING = -1031,      /* too many requests of this peer not answered yet */
	IKI_EYEAR = -1032,         /* the event is dated outside the catalog's budget year */
	IKI_ELAST = -1033
};

/* Stable wire name of an error code ("unknown_element"), or "error" for an unknown code. */
const char *iki_code_name(int code);

/* The error code for a wire name, or IKI_EINTERNAL when the name is unknown. */
int iki_code_from_name(const char *name);

/* Whether ikid, answering code, asks to be asked again in a moment (busy: its readers' queue is
 * full, or it is stopping; too_many_pending: this connection's reads wait for answers). */
bool iki_code_busy(int code);

/*
 * A sentence in Bahasa Indonesia for a code, for clerks. For -errno codes, strerror's text.
 * Returns a static string; never NULL.
 */
const char *iki_strerror(int code);

/*
 * Offset of the first byte of s[0..n) that is not well-formed UTF-8 (NUL bytes, overlong forms,
 * surrogates and code points over U+10FFFF are not), or n when all of it is.
 */
size_t iki_utf8_check(const void *s, size_t n);

/* Drop an incomplete UTF-8 sequence at the end of s (left by a cut at a byte limit). */
void iki_utf8_trim(char *s);

#endif
