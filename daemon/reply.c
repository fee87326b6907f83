/* reply.c: encoding an answer and sending it to the peer that asked (see reply.h). */
#include "reply.h"

#include <errno.h>
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

const char *reply_sentence(const struct proto_msg *req, int code)
{
	const struct proto_query *q = &req->query;
	struct period p;
	bool query = req->type == PROTO_QUERY || req->type == PROTO_SNAPSHOT ||
		     req->type == PROTO_HISTORY || req->type == PROTO_TARGET;
	if (code == IKI_EINDICATOR && query && !q->indicator[0] && q->jabatan[0])
		return "Jabatan itu tidak ada di katalog; lihat daftarnya dengan iki list jabatan "
		       "(huruf besar atau kecil tidak dibedakan).";
	if (code == IKI_EREF && req->type == PROTO_HISTORY && req->id[0])
		return "Tidak ada kejadian tersimpan dengan ID itu yang boleh dilihat kunci Anda; periksa "
		       "ID-nya.";
	if (code == IKI_EPERIOD && (req->type == PROTO_LOCK || req->type == PROTO_TARGET) &&
	    period_parse(q->period, &p) == 0 && period_is_cumulative(p))
		return req->type == PROTO_LOCK
			   ? "Periode s.d. (sejak 1 Januari) tidak dikunci sendiri: kunci triwulan atau "
			     "bulannya."
			   : "Periode s.d. (sejak 1 Januari) tidak diberi target sendiri: targetnya "
			     "ialah target triwulan atau bulan tempat ia berakhir.";
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
	const char *sentence = reply_sentence(&p->msg, code);
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
