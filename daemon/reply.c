/* reply.c: encoding an answer and sending it to the peer that asked (see reply.h). */
#include "reply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "log.h"
#include "metrics.h"
#include "period.h"

void reply_send(void *sock, struct pending *p, const struct proto_msg *reply)
{
	char *buf;
	size_t len;
	if (proto_encode(reply, &buf, &len) < 0) {
		log_warnx("cannot encode a %s reply", proto_type_name(reply->type));
		return;
	}
	int type = 0, flags = 0;
	size_t tl = sizeof(type);
	zmq_getsockopt(sock, ZMQ_TYPE, &type, &tl);
	if (type == ZMQ_ROUTER)
		flags = ZMQ_DONTWAIT; /* never blocks: a full peer loses the reply (and asks again) */
	zmq_msg_t id;
	zmq_msg_init(&id);
	zmq_msg_copy(&id, &p->identity);
	zmq_msg_send(&id, sock, ZMQ_SNDMORE | flags);
	zmq_msg_close(&id);
	if (p->delim)
		zmq_send(sock, "", 0, ZMQ_SNDMORE | flags);
	if (zmq_send(sock, buf, len, flags) < 0)
		log_warn("reply to %s", p->who);
	free(buf);
}

/* ---- the sentence of a refusal: one table of request x code ---- */

/* What else a row asks of the request, beyond its type and code. */
enum reply_when {
	WHEN_ANY,
	WHEN_JABATAN,      /* a jabatan named, no indicator: the jabatan is what is unknown */
	WHEN_ID,           /* a history of one event id */
	WHEN_AFTER,        /* a page after a cursor (snapshot, history) */
	WHEN_CUMULATIVE,   /* its period is an s.d. one, 2022Q2SD */
	WHEN_WRITE,        /* it writes: a lock or an unlock, a target set, a note written */
	WHEN_KEY_GONE,     /* its key left the authorised clients since it connected */
};

/* The sentences several requests share: a code or a cursor of a read that names nothing. */
#define SAY_INDICATOR "Kode indikator tidak ada di katalog; lihat daftarnya dengan iki list indicators."
#define SAY_ORGUNIT                                                                              \
	"Kode desa/kelurahan tidak dikenal; lihat daftarnya dengan iki list orgunits (kode "     \
	"Kemendagri, misalnya 35.27.03.2001)."
#define SAY_AFTER "Penanda halaman (after) tidak dikenal; mintalah lagi dari halaman pertama."

#define ANY_REQUEST 0 /* a row for a request of any type: the checks before its type's */

/*
 * Every refusal ikid sends as an error reply (reply_error), by request type and code, and the
 * sentence it says: the first row that fits (a request's own rows come before those of any
 * request); NULL: the code's own (iki_strerror, include/iki.c), which fits there. A pair not
 * here is not one ikid makes. Read from server.c (identify, reply, reply_locks, reply_targets,
 * reply_note, hand_over, target_check, note_check), reader.c (reply_values, reply_history,
 * reply_notes), authz.c (authz_request), store*.c (query_check, store_query, store_history, the
 * cursors, the commit) and the decoder (which keeps a message's type when it refuses it: a
 * history with neither id nor indicator, a target or a note to write without an indicator, is
 * its bad_field). The events of a submit are refused one by one in its results, with store.c's
 * and authz.c's sentences. check_words drives each pair, and each event's, through the real ikid,
 * but for a read's busy (every reader's queue full), which check_readers drives.
 */
static const struct reply_row {
	enum proto_type type; /* ANY_REQUEST: any */
	int code;
	enum reply_when when;
	const char *sentence;
} REPLY_ROWS[] = {
	/* a key that left the clients file while connected: whatever it asks */
	{ANY_REQUEST, IKI_EFORBIDDEN, WHEN_KEY_GONE,
	 "Kunci Anda tidak lagi terdaftar di ikid (daftar klien diubah sejak tersambung); minta "
	 "operator memeriksa daftar klien, lalu sambung lagi."},

	{PROTO_SUBMIT, IKI_EFORBIDDEN, WHEN_ANY,
	 "Kunci Anda hanya untuk melihat data, tidak untuk mengirim; data dikirim dengan kunci "
	 "petugas desa/kelurahan atau bagian (minta ke operator)."},
	{PROTO_SUBMIT, IKI_ESTORAGE, WHEN_ANY, NULL},
	{PROTO_SUBMIT, IKI_EFULL, WHEN_ANY, NULL},

	{PROTO_QUERY, IKI_EINDICATOR, WHEN_JABATAN,
	 "Jabatan itu tidak ada di katalog; lihat daftarnya dengan iki list jabatan (huruf besar "
	 "atau kecil tidak dibedakan)."},
	{PROTO_QUERY, IKI_EINDICATOR, WHEN_ANY, SAY_INDICATOR},
	{PROTO_QUERY, IKI_EORGUNIT, WHEN_ANY, SAY_ORGUNIT},
	{PROTO_QUERY, IKI_EPERIOD, WHEN_ANY, NULL},
	{PROTO_QUERY, IKI_EPENDING, WHEN_ANY, NULL},
	{PROTO_QUERY, IKI_EBUSY, WHEN_ANY, NULL}, /* the readers' queue full */

	{PROTO_SNAPSHOT, IKI_EINDICATOR, WHEN_ANY, SAY_INDICATOR},
	{PROTO_SNAPSHOT, IKI_EORGUNIT, WHEN_ANY, SAY_ORGUNIT},
	{PROTO_SNAPSHOT, IKI_EPERIOD, WHEN_ANY, NULL},
	{PROTO_SNAPSHOT, IKI_EFIELD, WHEN_AFTER, SAY_AFTER},
	{PROTO_SNAPSHOT, IKI_EPENDING, WHEN_ANY, NULL},
	{PROTO_SNAPSHOT, IKI_EBUSY, WHEN_ANY, NULL}, /* the readers' queue full */

	{PROTO_HISTORY, IKI_EREF, WHEN_ID,
	 "Tidak ada kejadian tersimpan dengan ID itu yang boleh dilihat kunci Anda; periksa ID-nya."},
	{PROTO_HISTORY, IKI_EINDICATOR, WHEN_ANY, SAY_INDICATOR},
	{PROTO_HISTORY, IKI_EORGUNIT, WHEN_ANY, SAY_ORGUNIT},
	{PROTO_HISTORY, IKI_EPERIOD, WHEN_ANY, NULL},
	{PROTO_HISTORY, IKI_EFIELD, WHEN_AFTER, SAY_AFTER},
	{PROTO_HISTORY, IKI_EPENDING, WHEN_ANY, NULL},
	{PROTO_HISTORY, IKI_EBUSY, WHEN_ANY, NULL}, /* the readers' queue full */

	{PROTO_DESCRIBE, IKI_EPENDING, WHEN_ANY, NULL},
	{PROTO_DESCRIBE, IKI_EBUSY, WHEN_ANY, NULL}, /* the readers' queue full */
	{PROTO_WHOAMI, IKI_EPENDING, WHEN_ANY, NULL},
	{PROTO_WHOAMI, IKI_EBUSY, WHEN_ANY, NULL}, /* the readers' queue full */

	{PROTO_LOCK, IKI_EFORBIDDEN, WHEN_WRITE,
	 "Hanya kunci admin yang boleh mengunci atau membuka periode; minta admin kecamatan "
	 "melakukannya."},
	{PROTO_LOCK, IKI_EPERIOD, WHEN_CUMULATIVE,
	 "Periode s.d. (sejak 1 Januari) tidak dikunci sendiri: kunci triwulan atau bulannya."},
	{PROTO_LOCK, IKI_EPERIOD, WHEN_ANY,
	 "Periode yang dikunci ialah tahun, triwulan atau bulan: tulis 2022, 2022Q1 atau 202203."},
	{PROTO_LOCK, IKI_ESTORAGE, WHEN_ANY, NULL},
	{PROTO_LOCK, IKI_EFULL, WHEN_ANY, NULL},

	{PROTO_TARGET, IKI_EFORBIDDEN, WHEN_WRITE,
	 "Hanya kunci admin yang boleh menetapkan target; minta admin kecamatan menetapkannya."},
	{PROTO_TARGET, IKI_EINDICATOR, WHEN_ANY, SAY_INDICATOR},
	{PROTO_TARGET, IKI_EORGUNIT, WHEN_ANY, SAY_ORGUNIT},
	{PROTO_TARGET, IKI_EPERIOD, WHEN_CUMULATIVE,
	 "Periode s.d. (sejak 1 Januari) tidak diberi target sendiri: targetnya ialah target "
	 "triwulan atau bulan tempat ia berakhir."},
	{PROTO_TARGET, IKI_EPERIOD, WHEN_ANY,
	 "Target ditetapkan untuk tahun atau triwulan: tulis 2022 atau 2022Q1 (bulan memakai target "
	 "triwulannya)."},
	{PROTO_TARGET, IKI_EVALUE, WHEN_ANY,
	 "Target ialah persentase di atas 0 sampai 1.000, misalnya 95 atau 87,5."},
	{PROTO_TARGET, IKI_ESTORAGE, WHEN_ANY, NULL},
	{PROTO_TARGET, IKI_EFULL, WHEN_ANY, NULL},

	{PROTO_NOTE, IKI_EFORBIDDEN, WHEN_WRITE,
	 "Hanya kunci admin yang boleh menulis analisis; minta admin kecamatan menuliskannya."},
	{PROTO_NOTE, IKI_EINDICATOR, WHEN_ANY, SAY_INDICATOR},
	{PROTO_NOTE, IKI_EORGUNIT, WHEN_ANY, SAY_ORGUNIT},
	{PROTO_NOTE, IKI_EPERIOD, WHEN_ANY, NULL},
	{PROTO_NOTE, IKI_ESTORAGE, WHEN_ANY, NULL},
	{PROTO_NOTE, IKI_EFULL, WHEN_ANY, NULL},
	{PROTO_NOTE, IKI_EPENDING, WHEN_ANY, NULL},
	{PROTO_NOTE, IKI_EBUSY, WHEN_ANY, NULL}, /* the readers' queue full */

	/* any request, before its type is looked at: its frames, its msgpack, its fields (a
	 * whole-message bad_field names no field: the decoder does not say which) */
	{ANY_REQUEST, IKI_EMALFORMED, WHEN_ANY, NULL},
	{ANY_REQUEST, IKI_EVERSION, WHEN_ANY, NULL},
	{ANY_REQUEST, IKI_ETYPE, WHEN_ANY, NULL}, /* unknown, or one ikid sends but is not sent */
	{ANY_REQUEST, IKI_EFIELD, WHEN_ANY, NULL},
	{ANY_REQUEST, IKI_ETOOBIG, WHEN_ANY, NULL},
	{ANY_REQUEST, IKI_EINTERNAL, WHEN_ANY, NULL}, /* out of memory, a bug */
};

static bool reply_when(enum reply_when w, const struct pending *p)
{
	const struct proto_msg *m = &p->msg;
	const struct proto_query *q = &m->query;
	struct period per;
	switch (w) {
	case WHEN_ANY: return true;
	case WHEN_JABATAN: return !q->indicator[0] && q->jabatan[0];
	case WHEN_ID: return m->id[0] != '\0';
	case WHEN_AFTER: return m->after[0] != '\0';
	case WHEN_CUMULATIVE: return period_parse(q->period, &per) == 0 && period_is_cumulative(per);
	case WHEN_WRITE:
		return (m->type == PROTO_LOCK && q->period[0]) ||
		       (m->type == PROTO_TARGET && m->has_target) || (m->type == PROTO_NOTE && m->has_note);
	case WHEN_KEY_GONE: return p->client.role == AUTH_NONE;
	}
	return false;
}

const char *reply_sentence(const struct pending *p, int code)
{
	for (size_t i = 0; i < sizeof(REPLY_ROWS) / sizeof(REPLY_ROWS[0]); i++) {
		const struct reply_row *r = &REPLY_ROWS[i];
		if (r->code == code && (r->type == ANY_REQUEST || r->type == p->msg.type) &&
		    reply_when(r->when, p))
			return r->sentence ? r->sentence : iki_strerror(code);
	}
	return iki_strerror(code);
}

int reply_code(int code)
{
	if (code < 0 && code > -IKI_EBASE) /* a system error: the wire carries only iki's codes */
		return code == -EBUSY ? IKI_EBUSY : IKI_EINTERNAL;
	return code;
}

void reply_error(void *sock, struct pending *p, int code, const char *detail)
{
	if (code < 0 && code > -IKI_EBASE)
		log_warnx("request from %s failed: %s", p->who, strerror(-code));
	code = reply_code(code);
	metrics_request_error(code);
	struct proto_msg r = {.type = PROTO_ERROR, .req = p->msg.req, .code = code};
	const char *sentence = reply_sentence(p, code);
	if (detail && detail[0])
		snprintf(r.message, sizeof(r.message), "%s (%s)", sentence, detail);
	else
		snprintf(r.message, sizeof(r.message), "%s", sentence);
	iki_utf8_trim(r.message); /* the detail comes from the client and may have been cut */
	reply_send(sock, p, &r);
}

const char *reply_detail(const struct proto_query *q, int rc)
{
	switch (rc) {
	case IKI_EINDICATOR: return q->indicator[0] ? q->indicator : q->jabatan;
	case IKI_EORGUNIT: return q->orgunit;
	case IKI_EPERIOD: return q->period;
	default: return NULL;
	}
}
