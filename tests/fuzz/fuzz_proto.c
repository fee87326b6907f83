/* fuzz_proto.c: libFuzzer on the decoder. Whatever the bytes, proto_decode must not crash, leak or
 * read out of bounds; a refusal must own nothing; what it accepts must encode, and the encoding
 * must decode to a message that encodes to the same bytes again (the codec is stable). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refused message owns nothing (proto.h: "leaves *m cleared", but for type and req). */
static void assert_cleared(const struct proto_msg *m)
{
	if (m->events || m->n_events || m->results || m->n_results || m->values || m->n_values ||
	    m->indicators || m->orgunits || m->locks || m->stored || m->targets)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_msg m, again;
	char *one = NULL, *two = NULL;
	size_t n1 = 0, n2 = 0;
	if (proto_decode(data, size, &m) != 0) {
		assert_cleared(&m);
		return 0;
	}
	if (proto_encode(&m, &one, &n1) == 0) {
		if (proto_decode(one, n1, &again) != 0)
			abort(); /* ikid would send what it cannot read back */
		if (proto_encode(&again, &two, &n2) != 0 || n1 != n2 || memcmp(one, two, n1) != 0)
			abort(); /* not stable */
		proto_msg_clear(&again);
	}
	free(one);
	free(two);
	proto_msg_clear(&m);
	return 0;
}
