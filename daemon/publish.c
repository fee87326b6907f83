/* publish.c: every changed value, and the heartbeat, on the PUB socket (see publish.h). */
#include "publish.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "metrics.h"
#include "period.h"
#include "proto.h"

#define PUBLISH_MSG_MAX 4096 /* an update's encoding: its strings are bounded (proto.h) */

struct publisher {
	void *pub;
	const struct catalog *cat;
	const struct targets *targets;
	int heartbeat_ms;
	uint64_t last_seq;   /* the last seq published (or stored, at startup) */
	int64_t last_pub_ms; /* when the last update or heartbeat went out */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int publisher_new(void *pub, const struct catalog *cat, const struct targets *t,
		  int heartbeat_ms, uint64_t last_seq, struct publisher **out)
{
	struct publisher *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (struct publisher){pub, cat, t, heartbeat_ms, last_seq, now_ms()};
	*out = p;
	return 0;
}

void publisher_free(struct publisher **pp)
{
	if (!pp)
		return;
	free(*pp);
	*pp = NULL;
}

/* Send one message on PUB, never blocking: a subscriber that cannot keep up loses messages.
 * An update or a heartbeat is encoded on the stack (a few hundred bytes): nothing allocated. */
static void pub_send(struct publisher *p, const char *topic, const struct proto_msg *m)
{
	char buf[PUBLISH_MSG_MAX];
	size_t len;
	if (proto_encode_to(m, buf, sizeof(buf), &len) < 0)
		return;
	zmq_send(p->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(p->pub, buf, len, ZMQ_DONTWAIT);
	p->last_pub_ms = now_ms();
}

/* Subscribers learn the stream is alive, and that they missed something when the seq is past
 * theirs. */
void publish_heartbeat(struct publisher *p)
{
	if (publish_due_ms(p) > 0)
		return;
	struct proto_msg m = {.type = PROTO_HEARTBEAT, .seq = p->last_seq};
	metrics_heartbeat(); /* counted first: a scrape after it arrives sees it */
	pub_send(p, PROTO_HEARTBEAT_TOPIC, &m);
}

int64_t publish_due_ms(const struct publisher *p)
{
	int64_t left = p->heartbeat_ms - (now_ms() - p->last_pub_ms);
	return left > 0 ? left : 0;
}

void publish_change(struct publisher *p, const struct store_change *c)
{
	const struct catalog *cat = p->cat;
	struct proto_value v = {.num = c->num, .den = c->den};
	struct proto_msg m = {.type = PROTO_UPDATE, .seq = c->seq, .values = &v, .n_values = 1};
	char topic[PROTO_CODE_MAX + PROTO_ORGUNIT_MAX + PROTO_PERIOD_MAX + 4];
	memcpy(v.indicator, cat->indicators[c->indicator].code, /* codes fit: catalog.c */
	       strnlen(cat->indicators[c->indicator].code, sizeof(v.indicator) - 1));
	memcpy(v.orgunit, cat->orgunits[c->orgunit].code,
	       strnlen(cat->orgunits[c->orgunit].code, sizeof(v.orgunit) - 1));
	period_format(c->period, v.period);
	v.factor = cat->indicators[c->indicator].factor;
	targets_decorate(p->targets, cat, c->indicator, c->orgunit, c->period, &v);
	proto_topic(&v, topic, sizeof(topic));
	metrics_publish();
	pub_send(p, topic, &m);
	p->last_seq = c->seq;
}
