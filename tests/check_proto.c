/* check_proto.c: the codec against PROTOCOL.md's golden bytes, hostile input, periods and codes. */
#include <check.h>
#include <errno.h>
#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "lakip.h"
#include "mpack.h"
#include "period.h"
#include "proto.h"
#include "proto_int.h"
#include "suite.h"

#define PROTOCOL_MD "proto/PROTOCOL.md" /* the tests run from the repository's top */

/* ---- helpers ---- */

/* Read a whole file into a NUL-terminated malloc'd buffer. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open (run the tests from the repository's top)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Hex byte pairs separated by blanks, from p up to end, into out (at most max bytes). */
static size_t unhex(const char *p, const char *end, unsigned char *out, size_t max)
{
	size_t n = 0;
	while (p < end) {
		unsigned v;
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
			p++;
			continue;
		}
		ck_assert_msg(end - p >= 2 && sscanf(p, "%2x", &v) == 1 && n < max, "bad hex near: %.20s", p);
		out[n++] = (unsigned char)v;
		p += 2;
	}
	return n;
}

/* Decode the bytes written in hex into *m; returns the decoder's verdict. */
static int decode_hex(const char *hex, struct proto_msg *m)
{
	static unsigned char bytes[4096];
	size_t n = unhex(hex, hex + strlen(hex), bytes, sizeof(bytes));
	return proto_decode(bytes, n, m);
}

/* The verdict alone. */
static int verdict(const char *hex)
{
	struct proto_msg m;
	int rc = decode_hex(hex, &m);
	proto_msg_clear(&m);
	return rc;
}

/* Decode raw bytes and return the decoder's verdict. */
static int decode_raw(const void *bytes, size_t n)
{
	struct proto_msg m;
	int rc = proto_decode(bytes, n, &m);
	proto_msg_clear(&m);
	return rc;
}

/* Encode m, decode it into *back, and check that re-encoding gives the very same bytes. */
static void round_trip(const struct proto_msg *m, struct proto_msg *back)
{
	char *buf, *again;
	size_t len, len2;
	ck_assert_int_eq(proto_encode(m, &buf, &len), 0);
	ck_assert_int_eq(proto_decode(buf, len, back), 0);
	ck_assert_int_eq(proto_encode(back, &again, &len2), 0);
	ck_assert_msg(len == len2 && memcmp(buf, again, len) == 0, "re-encoding differs");
	free(buf);
	free(again);
}

/* Pieces of hand-written messages (PROTOCOL.md, "Encoding"). */
#define V1 "a1 76 01 "                                   /* "v": 1 */
#define TQUERY "a4 74 79 70 65 a5 71 75 65 72 79 "       /* "type": "query" */
#define TSUBMIT "a4 74 79 70 65 a6 73 75 62 6d 69 74 "   /* "type": "submit" */
#define TVALUES "a4 74 79 70 65 a6 76 61 6c 75 65 73 "   /* "type": "values" */
#define TUPDATE "a4 74 79 70 65 a6 75 70 64 61 74 65 "   /* "type": "update" */
#define TSUBMITTED "a4 74 79 70 65 a9 73 75 62 6d 69 74 74 65 64 " /* "type": "submitted" */
#define REQ1 "a3 72 65 71 01 "                           /* "req": 1 */
#define KPERIOD "a6 70 65 72 69 6f 64 "                  /* "period" */
#define P2022 "a4 32 30 32 32 "                          /* "2022" */
#define KX "a1 78 "                                      /* "x", a key nobody knows */
#define QUERY3 V1 TQUERY REQ1                            /* a query's envelope, 3 keys */

/* ---- golden examples: every hex block of PROTOCOL.md decodes and re-encodes byte for byte ---- */

/*
 * The next golden example of PROTOCOL.md after *p: its name into name (64 bytes), its bytes into
 * bytes (at most max); *p moves past it. Returns how many bytes, or 0 when there is none left.
 */
static size_t next_golden(char **p, char *name, unsigned char *bytes, size_t max)
{
	if ((*p = strstr(*p, "<!-- golden: ")) == NULL)
		return 0;
	ck_assert_int_eq(sscanf(*p, "<!-- golden: %63s", name), 1);
	/* The hex block follows the marker at once (blank lines at most). */
	char *start = strchr(*p, '\n');
	ck_assert_msg(start != NULL, "%s: marker at the end of the page", name);
	start += strspn(start, " \r\n");
	ck_assert_msg(strncmp(start, "```hex\n", 7) == 0, "%s: no ```hex block right after it", name);
	start += 7;
	char *end = strstr(start, "```");
	ck_assert_msg(end != NULL, "%s: unterminated", name);
	size_t n = unhex(start, end, bytes, max);
	ck_assert_msg(n > 0, "%s: empty", name);
	*p = end + 3;
	return n;
}

START_TEST(test_protocol_md_goldens_round_trip)
{
	char *doc = slurp(PROTOCOL_MD), *p = doc;
	int found = 0;
	bool types[PROTO_TYPE_LAST + 1] = {false};
	static unsigned char bytes[65536];
	char name[64];
	size_t n;
	while ((n = next_golden(&p, name, bytes, sizeof(bytes))) > 0) {
		struct proto_msg m;
		int rc = proto_decode(bytes, n, &m);
		ck_assert_msg(rc == 0, "%s: does not decode (%s)", name, iki_code_name(rc));
		char *out;
		size_t len;
		ck_assert_int_eq(proto_encode(&m, &out, &len), 0);
		ck_assert_msg(len == n && memcmp(out, bytes, n) == 0, "%s: re-encodes differently", name);
		ck_assert(m.type >= PROTO_SUBMIT && m.type <= PROTO_TYPE_LAST);
		types[m.type] = true;
		free(out);
		proto_msg_clear(&m);
		found++;
	}
	ck_assert_int_ge(found, 7);
	for (int t = PROTO_SUBMIT; t <= PROTO_TYPE_LAST; t++)
		ck_assert_msg(types[t], "no golden example of a %s", proto_type_name((enum proto_type)t));
	free(doc);
}
END_TEST

/* A packer's writer that refuses the one write reaching byte at, as a failed allocation would,
 * then takes every later write (so only an encoder that checks each write stops there). */
struct flaky {
	size_t at, written;
	bool failed;
	size_t after; /* bytes taken after the failure */
	unsigned char buf[65536];
};

static int flaky_write(void *data, const char *buf, size_t len)
{
	struct flaky *f = data;
	if (!f->failed && f->written + len > f->at) {
		f->failed = true;
		return -1;
	}
	if (f->failed)
		f->after += len;
	else
		memcpy(f->buf + f->written, buf, len);
	f->written += len;
	return 0;
}

/* Every golden message, with a write failing at each byte k of it: the encoder stops at the
 * failed write and says so, and proto_encode within k bytes hands out nothing. */
START_TEST(test_a_failed_write_is_an_error_never_a_truncated_message)
{
	char *doc = slurp(PROTOCOL_MD), *p = doc;
	static unsigned char bytes[65536];
	static struct flaky f;
	char name[64];
	size_t n;
	int found = 0;
	while ((n = next_golden(&p, name, bytes, sizeof(bytes))) > 0) {
		struct proto_msg m;
		ck_assert_int_eq(proto_decode(bytes, n, &m), 0);
		for (size_t k = 0; k <= n; k++) {
			msgpack_packer pk;
			memset(&f, 0, sizeof(f));
			f.at = k;
			msgpack_packer_init(&pk, &f, flaky_write);
			int rc = proto_pack(&pk, &m);
			if (k == n) {
				ck_assert_msg(rc == 0 && !f.failed && f.written == n && !memcmp(f.buf, bytes, n),
					      "%s: not written whole", name);
				break;
			}
			ck_assert_msg(rc == -ENOMEM && f.failed, "%s: write at byte %zu failed, rc %d", name,
				      k, rc);
			ck_assert_msg(f.after == 0, "%s: %zu bytes written after the write at byte %zu failed",
				      name, f.after, k);
			char *out = (char *)"untouched";
			size_t len = 7;
			ck_assert_int_eq(proto_encode_within(&m, k, &out, &len), IKI_ETOOBIG);
			ck_assert_msg(!strcmp(out, "untouched") && len == 7, "%s: output within %zu bytes", name, k);
		}
		proto_msg_clear(&m);
		found++;
	}
	ck_assert_int_ge(found, 7);
	free(doc);
}
END_TEST

/* A few goldens' fields, read back: the page's annotations say what the bytes mean. */
START_TEST(test_golden_bytes_mean_what_the_page_says)
{
	struct proto_msg m;
	/* update-seq-7 */
	ck_assert_int_eq(decode_hex("84 a1 76 01 a4 74 79 70 65 a6 75 70 64 61 74 65"
				    "a3 73 65 71 07 a5 76 61 6c 75 65 87 a9 69 6e 64"
				    "69 63 61 74 6f 72 a5 69 6b 69 30 36 a7 6f 72 67"
				    "75 6e 69 74 ad 33 35 2e 32 37 2e 30 33 2e 32 30"
				    "30 32 a6 70 65 72 69 6f 64 a6 32 30 32 32 30 33"
				    "a3 6e 75 6d 0b a3 64 65 6e 0c a6 66 61 63 74 6f"
				    "72 64 a5 76 61 6c 75 65 cb 40 56 ea aa aa aa aa aa",
				    &m),
			 0);
	ck_assert_int_eq(m.type, PROTO_UPDATE);
	ck_assert_int_eq(m.seq, 7);
	ck_assert_int_eq(m.req, 0);
	ck_assert_int_eq(m.n_values, 1);
	ck_assert_str_eq(m.values[0].indicator, "iki06");
	ck_assert_str_eq(m.values[0].orgunit, "35.27.03.2002");
	ck_assert_str_eq(m.values[0].period, "202203");
	ck_assert_int_eq(m.values[0].num, 11);
	ck_assert_int_eq(m.values[0].den, 12);
	ck_assert_int_eq(m.values[0].factor, 100);
	char topic[128];
	proto_topic(&m.values[0], topic, sizeof(topic));
	ck_assert_str_eq(topic, "iki06/35.27.03.2002/202203");
	double r;
	ck_assert(proto_value_ratio(&m.values[0], &r));
	ck_assert_double_eq_tol(r, 91.6666666666, 1e-9);
	proto_msg_clear(&m);
}
END_TEST

/* A message over PROTO_MSG_MAX is refused whole by the encoder (the packer's failure is seen). */
/* A catalog's letterhead and signature go out and come back; more than 4 kop lines is refused. */
START_TEST(test_catalog_letter_round_trips)
{
	struct proto_msg m = {.type = PROTO_CATALOG, .req = 3, .year = 2022}, back;
	struct proto_indicator ind = {.indicator = "iki01", .name = "n", .kind = "count",
				      .numerator = "a", .denominator = "b", .factor = 100};
	struct proto_orgunit ou = {.code = "35.27.03", .name = "Sampang"};
	m.indicators = &ind;
	m.n_indicators = 1;
	m.orgunits = &ou;
	m.n_orgunits = 1;
	m.letter.n_kop = 2;
	snprintf(m.letter.kop[0], sizeof(m.letter.kop[0]), "Pemerintah Kabupaten Sampang");
	snprintf(m.letter.kop[1], sizeof(m.letter.kop[1]), "Jl. Uji 1");
	snprintf(m.letter.title, sizeof(m.letter.title), "CAMAT SAMPANG");
	snprintf(m.letter.nip, sizeof(m.letter.nip), "19780720 199804 1 001");
	char *out;
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &out, &len), 0);
	ck_assert_int_eq(proto_decode(out, len, &back), 0);
	ck_assert_int_eq(back.letter.n_kop, 2);
	ck_assert_str_eq(back.letter.kop[1], "Jl. Uji 1");
	ck_assert_str_eq(back.letter.title, "CAMAT SAMPANG");
	ck_assert_str_eq(back.letter.nip, "19780720 199804 1 001");
	ck_assert_str_eq(back.letter.place, "");
	proto_msg_clear(&back);
	free(out);
	/* five lines, by hand: the catalog message is refused */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 6);
	msgpack_pack_str_with_body(&pk, "v", 1);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_str_with_body(&pk, "type", 4);
	msgpack_pack_str_with_body(&pk, "catalog", 7);
	msgpack_pack_str_with_body(&pk, "req", 3);
	msgpack_pack_int(&pk, 3);
	msgpack_pack_str_with_body(&pk, "indicators", 10);
	msgpack_pack_array(&pk, 0);
	msgpack_pack_str_with_body(&pk, "orgunits", 8);
	msgpack_pack_array(&pk, 0);
	msgpack_pack_str_with_body(&pk, "kop", 3);
	msgpack_pack_array(&pk, 5);
	for (int i = 0; i < 5; i++)
		msgpack_pack_str_with_body(&pk, "baris", 5);
	ck_assert_int_eq(proto_decode(sb.data, sb.size, &back), IKI_EFIELD);
	proto_msg_clear(&back);
	msgpack_sbuffer_destroy(&sb);
}
END_TEST

START_TEST(test_encoder_refuses_a_message_over_the_limit)
{
	size_t n = 12000;
	struct proto_value *v = calloc(n, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].indicator, sizeof(v[i].indicator), "iki%02zu", i % 24);
		memset(v[i].name, 'n', PROTO_TEXT_MAX);
		memset(v[i].jabatan, 'j', PROTO_TEXT_MAX);
		snprintf(v[i].orgunit, sizeof(v[i].orgunit), "35.27.03");
		snprintf(v[i].period, sizeof(v[i].period), "2022");
	}
	struct proto_msg m = {.type = PROTO_VALUES, .req = 1, .values = v, .n_values = n};
	char *buf = NULL;
	size_t len = 0;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), IKI_ETOOBIG);
	ck_assert_ptr_null(buf);
	/* the same values, few enough, encode */
	m.n_values = 4000;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), 0);
	ck_assert_uint_le(len, PROTO_MSG_MAX);
	free(buf);
	free(v);
}
END_TEST

/* ---- the catalog's elements ---- */

START_TEST(test_catalog_elements_round_trip_every_field)
{
	struct proto_element e[2] = {
	    {.code = "sarpras_ada", .name = "Sarana", .unit = "state", .aggregate = "last",
	     .ops = {PROTO_OP_SET}, .n_ops = 1, .min = 0, .max = 1000, .limit_days = -1,
	     .reported_by = "umum desa trantib"},
	    {.code = "lap", .name = "Laporan", .is_case = true, .ops = {PROTO_OP_OPEN, PROTO_OP_CLOSE},
	     .n_ops = 2, .min = 1, .max = 1, .limit_days = 0, .close_at_open = true,
	     .schedule = "lap_q", .every = "quarter"},
	};
	struct proto_msg m = {.type = PROTO_CATALOG, .req = 3, .elements = e, .n_elements = 2}, back;
	round_trip(&m, &back);
	ck_assert_int_eq(back.n_elements, 2);
	const struct proto_element *a = &back.elements[0], *b = &back.elements[1];
	ck_assert_str_eq(a->code, "sarpras_ada");
	ck_assert(!a->is_case);
	ck_assert_str_eq(a->unit, "state");
	ck_assert_str_eq(a->aggregate, "last");
	ck_assert_int_eq(a->n_ops, 1);
	ck_assert_int_eq(a->ops[0], PROTO_OP_SET);
	ck_assert_int_eq(a->max, 1000);
	ck_assert_int_eq(a->limit_days, -1);
	ck_assert_str_eq(a->reported_by, "umum desa trantib");
	ck_assert(b->is_case && b->close_at_open);
	ck_assert_int_eq(b->limit_days, 0);
	ck_assert_int_eq(b->ops[1], PROTO_OP_CLOSE);
	ck_assert_int_eq(b->min, 1);
	ck_assert_str_eq(b->reported_by, "");
	ck_assert_str_eq(b->schedule, "lap_q");
	ck_assert_str_eq(b->every, "quarter");
	proto_msg_clear(&back);
	/* an ikid without elements: none decoded, none written */
	struct proto_msg old = {.type = PROTO_CATALOG, .req = 3};
	round_trip(&old, &back);
	ck_assert_int_eq(back.n_elements, 0);
	proto_msg_clear(&back);
	/* an element without ops cannot be encoded */
	e[0].n_ops = 0;
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), IKI_EFIELD);
}
END_TEST

/* A catalog whose one element is the map written in hex (its header included). */
#define CATALOG_EL(map)                                                                            \
	"86" V1 "a4 74 79 70 65 a7 63 61 74 61 6c 6f 67" REQ1 "aa 69 6e 64 69 63 61 74 6f 72 73 90"  \
	"a8 6f 72 67 75 6e 69 74 73 90 a8 65 6c 65 6d 65 6e 74 73 91" map
#define EL_CODE "a4 63 6f 64 65 a1 78 "                 /* "code": "x" */
#define EL_NAME "a4 6e 61 6d 65 a1 58 "                 /* "name": "X" */
#define EL_KIND "a4 6b 69 6e 64 a7 65 6c 65 6d 65 6e 74 " /* "kind": "element" */
#define EL_OPS "a3 6f 70 73 91 a3 61 64 64 "            /* "ops": ["add"] */
#define EL_MINMAX "a3 6d 69 6e 00 a3 6d 61 78 05 "      /* "min": 0, "max": 5 */
#define EL_BASE EL_CODE EL_NAME EL_KIND EL_OPS EL_MINMAX /* 6 keys */

START_TEST(test_catalog_elements_are_checked)
{
	struct proto_msg m;
	ck_assert_int_eq(decode_hex(CATALOG_EL("86" EL_BASE), &m), 0);
	ck_assert_int_eq(m.n_elements, 1);
	ck_assert_int_eq(m.elements[0].max, 5);
	proto_msg_clear(&m);
	/* "reported_by": ["a", "b"] */
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "ab 72 65 70 6f 72 74 65 64 5f 62 79 92 a1 61 a1 62")), 0);
	/* a word with a blank, an empty word, a word not a string, not an array */
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "ab 72 65 70 6f 72 74 65 64 5f 62 79 91 a3 61 20 62")), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "ab 72 65 70 6f 72 74 65 64 5f 62 79 91 a0")), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "ab 72 65 70 6f 72 74 65 64 5f 62 79 91 01")), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "ab 72 65 70 6f 72 74 65 64 5f 62 79 a1 61")), IKI_EFIELD);
	/* min above max; max missing; kind unknown; ops void, empty, three, not strings */
	ck_assert_int_eq(verdict(CATALOG_EL("86" EL_CODE EL_NAME EL_KIND EL_OPS "a3 6d 69 6e 06 a3 6d 61 78 05")), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("84" EL_CODE EL_NAME EL_KIND EL_OPS)), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("86" EL_CODE EL_NAME "a4 6b 69 6e 64 a1 7a" EL_OPS EL_MINMAX)), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("86" EL_CODE EL_NAME EL_KIND "a3 6f 70 73 91 a4 76 6f 69 64" EL_MINMAX)), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("86" EL_CODE EL_NAME EL_KIND "a3 6f 70 73 90" EL_MINMAX)), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("86" EL_CODE EL_NAME EL_KIND "a3 6f 70 73 93 a3 61 64 64 a3 61 64 64 a3 61 64 64" EL_MINMAX)), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("86" EL_CODE EL_NAME EL_KIND "a3 6f 70 73 91 01" EL_MINMAX)), IKI_EFIELD);
	/* limit_days -2, count_close "close", schedule without every */
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "aa 6c 69 6d 69 74 5f 64 61 79 73 fe")), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "ab 63 6f 75 6e 74 5f 63 6c 6f 73 65 a5 63 6c 6f 73 65")), IKI_EFIELD);
	ck_assert_int_eq(verdict(CATALOG_EL("87" EL_BASE "a8 73 63 68 65 64 75 6c 65 a1 73")), IKI_EFIELD);
	/* an element that is not a map */
	ck_assert_int_eq(verdict(CATALOG_EL("01")), IKI_EFIELD);
}
END_TEST

/* ---- LAKIP arithmetic: capaian and predikat ---- */

START_TEST(test_capaian_up_and_down)
{
	double c;
	ck_assert(lakip_capaian(90.0, 100.0, true, &c));
	ck_assert_double_eq_tol(c, 90.0, 1e-9);
	ck_assert(lakip_capaian(45.0, 90.0, true, &c));
	ck_assert_double_eq_tol(c, 50.0, 1e-9);
	/* less is better: 2 x target - realisasi, over the target */
	ck_assert(lakip_capaian(8.0, 10.0, false, &c));
	ck_assert_double_eq_tol(c, 120.0, 1e-9);
	ck_assert(lakip_capaian(25.0, 10.0, false, &c));
	ck_assert_double_eq_tol(c, -50.0, 1e-9);
	ck_assert(!lakip_capaian(50.0, 0.0, true, &c));
	ck_assert(!lakip_capaian(50.0, -1.0, false, &c));
}
END_TEST

START_TEST(test_predikat_bands_at_their_edges)
{
	struct lakip_bands b;
	lakip_bands_default(&b);
	static const struct {
		double capaian;
		const char *band;
	} cases[] = {
	    {150.0, "Sangat Baik"}, {91.0, "Sangat Baik"}, {90.996, "Sangat Baik"},
	    {90.994, "Baik"},       {76.0, "Baik"},        {75.99, "Cukup"},
	    {66.0, "Cukup"},        {65.5, "Kurang"},      {51.0, "Kurang"},
	    {50.99, "Sangat Kurang"}, {0.0, "Sangat Kurang"}, {-20.0, "Sangat Kurang"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(!strcmp(lakip_predikat(&b, cases[i].capaian), cases[i].band),
			      "%.3f: %s, want %s", cases[i].capaian, lakip_predikat(&b, cases[i].capaian),
			      cases[i].band);
	struct lakip_bands none = {.n = 0};
	ck_assert_str_eq(lakip_predikat(&none, 50), "");
}
END_TEST

START_TEST(test_percentages_parse_in_hundredths)
{
	int64_t v;
	ck_assert(lakip_parse_percent("95", 100000, &v) && v == 9500);
	ck_assert(lakip_parse_percent("95.5", 100000, &v) && v == 9550);
	ck_assert(lakip_parse_percent("95,25", 100000, &v) && v == 9525);
	ck_assert(lakip_parse_percent("0", 100000, &v) && v == 0);
	ck_assert(lakip_parse_percent("1000", 100000, &v) && v == 100000);
	static const char *const bad[] = {"", "-5", "95.", "95.123", "1000.01", "9 5", "95%",
					  "abc", ".5", "1e2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!lakip_parse_percent(bad[i], 100000, &v), "'%s' parsed", bad[i]);
}
END_TEST

START_TEST(test_hundredths_are_written_as_indonesian_writes_them)
{
	static const struct {
		int64_t x;
		const char *text;
	} cases[] = {{9550, "95,5"}, {9525, "95,25"}, {9500, "95"}, {500000, "5.000"},
		     {100001, "1.000,01"}, {0, "0"}, {-5, "-0,05"}, {-123450, "-1.234,5"},
		     {INT64_MIN, "-92.233.720.368.547.758,08"}};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(lakip_hundredths(cases[i].x, buf, sizeof(buf)), cases[i].text);
	ck_assert_str_eq(lakip_hundredths(123450, buf, 4), "1.2"); /* cut, still a string */
}
END_TEST

START_TEST(test_encode_to_a_buffer_is_encode_byte_for_byte)
{
	struct proto_value v = {.indicator = "iki06", .orgunit = "35.27.03.2002", .period = "2022Q1SD",
				.num = 11, .den = 12, .factor = 100, .has_target = true,
				.target = 9000, .has_capaian = true, .capaian = 101.85,
				.predikat = "Sangat Baik"};
	struct proto_msg m = {.type = PROTO_UPDATE, .seq = 77, .values = &v, .n_values = 1};
	char *heap, buf[4096], topic[64];
	size_t n_heap, n;
	ck_assert_int_eq(proto_encode(&m, &heap, &n_heap), 0);
	ck_assert_int_eq(proto_encode_to(&m, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, n_heap);
	ck_assert_int_eq(memcmp(buf, heap, n), 0);
	for (size_t cap = 0; cap < n_heap; cap += 7) /* short of room: refused, never cut */
		ck_assert_int_eq(proto_encode_to(&m, buf, cap, &n), IKI_ETOOBIG);
	struct proto_msg two = m;
	two.n_values = 2; /* what proto_encode refuses, this does too */
	ck_assert_int_eq(proto_encode_to(&two, buf, sizeof(buf), &n), IKI_EFIELD);
	free(heap);
	proto_topic(&v, topic, sizeof(topic));
	ck_assert_str_eq(topic, "iki06/35.27.03.2002/2022Q1SD");
	proto_topic(&v, topic, 10); /* cut as snprintf cuts */
	ck_assert_str_eq(topic, "iki06/35.");
	proto_topic(&v, topic, 6);
	ck_assert_str_eq(topic, "iki06");
}
END_TEST

START_TEST(test_value_with_target_capaian_round_trips)
{
	struct proto_value v[2] = {
		{.indicator = "iki06", .orgunit = "35.27.03", .period = "2022", .num = 9, .den = 10,
		 .factor = 100, .has_target = true, .target = 9550, .revised = true,
		 .target_original = 9000, .has_capaian = true, .capaian = 94.24083769633508,
		 .predikat = "Sangat Baik"},
		{.indicator = "iki07", .orgunit = "35.27.03", .period = "2022", .factor = 100,
		 .has_target = true, .target = 10000}, /* a target, no data: no capaian */
	};
	struct proto_msg m = {.type = PROTO_VALUES, .req = 3, .values = v, .n_values = 2}, b;
	round_trip(&m, &b);
	ck_assert_int_eq(b.n_values, 2);
	ck_assert(b.values[0].has_target && b.values[0].target == 9550);
	ck_assert(b.values[0].revised && b.values[0].target_original == 9000);
	ck_assert(b.values[0].has_capaian);
	ck_assert_double_eq(b.values[0].capaian, v[0].capaian);
	ck_assert_str_eq(b.values[0].predikat, "Sangat Baik");
	ck_assert(b.values[1].has_target && !b.values[1].revised && !b.values[1].has_capaian);
	ck_assert_str_eq(b.values[1].predikat, "");
	proto_msg_clear(&b);
}
END_TEST

/* ---- round trips of every type ---- */

START_TEST(test_submit_round_trip_keeps_every_field)
{
	struct proto_event ev[3] = {
		{.id = "a1", .element = "surat", .orgunit = "35.27.03.2001", .date = "2022-03-01",
		 .op = PROTO_OP_ADD, .value = 12, .comment = "agenda \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"},
		{.id = "a2", .element = "akta", .orgunit = "35.27.03", .date = "2022-03-02",
		 .op = PROTO_OP_CLOSE, .value = 1, .case_id = "k/7"},
		{.id = "a3", .element = "desa_tertib", .orgunit = "35.27.03.2002", .date = "2022-03-03",
		 .op = PROTO_OP_SET, .value = INT64_MIN},
	};
	memset(ev[2].id, 'x', PROTO_ID_MAX); /* exactly at the limit */
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = UINT64_MAX, .events = ev, .n_events = 3}, b;
	round_trip(&m, &b);
	ck_assert_int_eq(b.type, PROTO_SUBMIT);
	ck_assert(b.req == UINT64_MAX);
	ck_assert_int_eq(b.n_events, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(memcmp(&b.events[i], &ev[i], sizeof(ev[i])), 0);
	proto_msg_clear(&b);

	struct proto_msg empty = {.type = PROTO_SUBMIT, .req = 2};
	round_trip(&empty, &b);
	ck_assert_int_eq(b.n_events, 0);
	proto_msg_clear(&b);
}
END_TEST

START_TEST(test_submitted_error_and_update_round_trip)
{
	struct proto_result res[3] = {{PROTO_STATUS_OK, 0, ""},
				      {PROTO_STATUS_DUPLICATE, 0, ""},
				      {PROTO_STATUS_ERROR, IKI_EORGUNIT, "Kode desa tidak dikenal."}};
	struct proto_msg m = {.type = PROTO_SUBMITTED, .req = 7, .results = res, .n_results = 3}, b;
	round_trip(&m, &b);
	ck_assert_int_eq(b.type, PROTO_SUBMITTED);
	ck_assert_int_eq(b.req, 7);
	ck_assert_int_eq(b.n_results, 3);
	ck_assert_int_eq(b.results[0].status, PROTO_STATUS_OK);
	ck_assert_int_eq(b.results[1].status, PROTO_STATUS_DUPLICATE);
	ck_assert_int_eq(b.results[2].status, PROTO_STATUS_ERROR);
	ck_assert_int_eq(b.results[2].code, IKI_EORGUNIT);
	ck_assert_str_eq(b.results[2].message, res[2].message);
	proto_msg_clear(&b);

	struct proto_value v = {.indicator = "iki01", .orgunit = "35.27.03", .period = "2022Q1",
				.num = 13, .den = 0, .factor = 100};
	struct proto_msg u = {.type = PROTO_UPDATE, .seq = 99, .values = &v, .n_values = 1};
	round_trip(&u, &b);
	ck_assert_int_eq(b.type, PROTO_UPDATE);
	ck_assert_int_eq(b.seq, 99);
	ck_assert_int_eq(b.n_values, 1);
	ck_assert_int_eq(memcmp(&b.values[0], &v, sizeof(v)), 0);
	double r;
	ck_assert(!proto_value_ratio(&b.values[0], &r)); /* no data, never 0 % */
	proto_msg_clear(&b);
	proto_msg_clear(&b); /* twice is safe */

	for (int code = IKI_EMALFORMED; code > IKI_ELAST; code--) {
		struct proto_msg e = {.type = PROTO_ERROR, .req = 3, .code = code};
		snprintf(e.message, sizeof(e.message), "%s", iki_strerror(code));
		round_trip(&e, &b);
		ck_assert_int_eq(b.type, PROTO_ERROR);
		ck_assert_int_eq(b.req, 3);
		ck_assert_int_eq(b.code, code);
		ck_assert_str_eq(b.message, e.message);
		proto_msg_clear(&b);
	}
}
END_TEST

START_TEST(test_query_snapshot_values_round_trip)
{
	struct proto_msg q = {.type = PROTO_QUERY, .req = 4}, b;
	snprintf(q.query.indicator, sizeof(q.query.indicator), "iki06");
	snprintf(q.query.jabatan, sizeof(q.query.jabatan), "Kasubbag Umum");
	snprintf(q.query.orgunit, sizeof(q.query.orgunit), "35.27.03.2002");
	snprintf(q.query.period, sizeof(q.query.period), "2022Q1");
	round_trip(&q, &b);
	ck_assert_int_eq(b.type, PROTO_QUERY);
	ck_assert_int_eq(b.req, 4);
	ck_assert_int_eq(memcmp(&b.query, &q.query, sizeof(q.query)), 0);
	proto_msg_clear(&b);

	struct proto_msg only = {.type = PROTO_QUERY, .req = 5};
	snprintf(only.query.period, sizeof(only.query.period), "202203");
	round_trip(&only, &b);
	ck_assert_int_eq(memcmp(&b.query, &only.query, sizeof(only.query)), 0);
	proto_msg_clear(&b);

	/* A snapshot may name nothing: only v, type and req travel. */
	struct proto_msg s = {.type = PROTO_SNAPSHOT, .req = 6};
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(&s, &buf, &len), 0);
	ck_assert_int_eq(((unsigned char *)buf)[0], 0x83);
	free(buf);
	round_trip(&s, &b);
	ck_assert_int_eq(b.type, PROTO_SNAPSHOT);
	ck_assert_str_eq(b.query.period, "");
	proto_msg_clear(&b);
	s.query = q.query;
	round_trip(&s, &b);
	ck_assert_int_eq(memcmp(&b.query, &q.query, sizeof(q.query)), 0);
	proto_msg_clear(&b);

	struct proto_value vals[2] = {
		{.indicator = "iki06", .name = "Rasio surat", .jabatan = "Kasubbag Umum; Camat",
		 .orgunit = "35.27.03.2002", .period = "2022Q1", .num = 11, .den = 12, .factor = 100},
		{.indicator = "iki20", .orgunit = "35.27.03", .period = "2022", .num = 0, .den = 0,
		 .factor = 1},
	};
	struct proto_msg v = {.type = PROTO_VALUES, .req = 8, .values = vals, .n_values = 2, .seq = 12};
	round_trip(&v, &b);
	ck_assert_int_eq(b.type, PROTO_VALUES);
	ck_assert_int_eq(b.req, 8);
	ck_assert_int_eq(b.seq, 12);
	ck_assert_int_eq(b.n_values, 2);
	ck_assert_int_eq(memcmp(b.values, vals, sizeof(vals)), 0);
	proto_msg_clear(&b);
	v.seq = 0; /* a query's answer: no seq */
	v.n_values = 0;
	round_trip(&v, &b);
	ck_assert_int_eq(b.seq, 0);
	ck_assert_int_eq(b.n_values, 0);
	proto_msg_clear(&b);
}
END_TEST

START_TEST(test_pages_cursor_and_limit_round_trip_and_are_checked)
{
	struct proto_msg m = {.type = PROTO_SNAPSHOT, .req = 4, .limit = 500}, back;
	snprintf(m.after, sizeof(m.after), "surat/35.27.03.2001/202203");
	round_trip(&m, &back);
	ck_assert_str_eq(back.after, "surat/35.27.03.2001/202203");
	ck_assert_uint_eq(back.limit, 500);
	proto_msg_clear(&back);
	struct proto_msg h = {.type = PROTO_HISTORY, .req = 5, .limit = 2};
	snprintf(h.query.indicator, sizeof(h.query.indicator), "surat");
	snprintf(h.query.period, sizeof(h.query.period), "2022");
	snprintf(h.after, sizeof(h.after), "1234");
	round_trip(&h, &back);
	ck_assert_str_eq(back.after, "1234");
	ck_assert_uint_eq(back.limit, 2);
	proto_msg_clear(&back);
	struct proto_msg v = {.type = PROTO_VALUES, .req = 4, .seq = 9}, e = {.type = PROTO_EVENTS};
	snprintf(v.next, sizeof(v.next), "akta/35.27.03/2022");
	round_trip(&v, &back);
	ck_assert_str_eq(back.next, "akta/35.27.03/2022");
	proto_msg_clear(&back);
	snprintf(e.next, sizeof(e.next), "77");
	round_trip(&e, &back);
	ck_assert_str_eq(back.next, "77");
	proto_msg_clear(&back);
	struct proto_msg last = {.type = PROTO_VALUES, .req = 4};
	round_trip(&last, &back); /* the last page names no next */
	ck_assert_str_eq(back.next, "");
	proto_msg_clear(&back);
	/* a limit of 0, past PROTO_PAGE_MAX, or not a number; a cursor that is not a string */
	ck_assert_int_eq(verdict("84 " V1 "a4 74 79 70 65 a8 73 6e 61 70 73 68 6f 74 "
				 "a5 6c 69 6d 69 74 00 " REQ1), IKI_EFIELD);
	ck_assert_int_eq(verdict("84 " V1 "a4 74 79 70 65 a8 73 6e 61 70 73 68 6f 74 "
				 "a5 6c 69 6d 69 74 cd 4e 21 " REQ1), IKI_EFIELD); /* 20001 */
	ck_assert_int_eq(verdict("84 " V1 "a4 74 79 70 65 a8 73 6e 61 70 73 68 6f 74 "
				 "a5 6c 69 6d 69 74 cd 4e 20 " REQ1), 0); /* 20000 */
	ck_assert_int_eq(verdict("84 " V1 "a4 74 79 70 65 a8 73 6e 61 70 73 68 6f 74 "
				 "a5 61 66 74 65 72 01 " REQ1), IKI_EFIELD);
}
END_TEST

START_TEST(test_encoder_refuses_what_the_decoder_would)
{
	char *buf = NULL;
	size_t len;
	struct proto_value v[2] = {{.indicator = "a", .orgunit = "b", .period = "2022"},
				   {.indicator = "a", .orgunit = "b", .period = "2022"}};
	struct proto_msg u = {.type = PROTO_UPDATE, .values = v, .n_values = 2};
	ck_assert_int_eq(proto_encode(&u, &buf, &len), IKI_EFIELD);
	u.n_values = 0;
	ck_assert_int_eq(proto_encode(&u, &buf, &len), IKI_EFIELD);
	struct proto_msg t = {.type = (enum proto_type)0};
	ck_assert_int_eq(proto_encode(&t, &buf, &len), IKI_EFIELD);
	t.type = (enum proto_type)99;
	ck_assert_int_eq(proto_encode(&t, &buf, &len), IKI_EFIELD);
	struct proto_event e = {.id = "x", .element = "y", .orgunit = "z", .date = "2022-01-01"};
	struct proto_msg s = {.type = PROTO_SUBMIT, .events = &e, .n_events = 1};
	ck_assert_int_eq(proto_encode(&s, &buf, &len), IKI_EFIELD); /* op none */
	e.op = (enum proto_op)9;
	ck_assert_int_eq(proto_encode(&s, &buf, &len), IKI_EFIELD);
	s.n_events = PROTO_EVENTS_MAX + 1;
	ck_assert_int_eq(proto_encode(&s, &buf, &len), IKI_EFIELD);
	struct proto_result r = {.status = (enum proto_status)5};
	struct proto_msg sd = {.type = PROTO_SUBMITTED, .results = &r, .n_results = 1};
	ck_assert_int_eq(proto_encode(&sd, &buf, &len), IKI_EFIELD);
	struct proto_msg vv = {.type = PROTO_VALUES, .n_values = PROTO_VALUES_MAX + 1};
	ck_assert_int_eq(proto_encode(&vv, &buf, &len), IKI_EFIELD);
	ck_assert_ptr_null(buf);
}
END_TEST

/* ---- the envelope: version, type, req; integer formats ---- */

START_TEST(test_envelope_version_type_and_req)
{
	struct proto_msg m;
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD P2022), 0);

	/* v: any integer format, value 1; otherwise bad_version, or bad_field when not an integer */
	ck_assert_int_eq(verdict("84 a1 76 d0 01" TQUERY REQ1 KPERIOD P2022), 0);
	ck_assert_int_eq(verdict("84 a1 76 cd 00 01" TQUERY REQ1 KPERIOD P2022), 0);
	ck_assert_int_eq(verdict("84 a1 76 cf 00 00 00 00 00 00 00 01" TQUERY REQ1 KPERIOD P2022), 0);
	ck_assert_int_eq(decode_hex("84 a1 76 02" TQUERY "a3 72 65 71 09" KPERIOD P2022, &m), IKI_EVERSION);
	ck_assert_int_eq(m.req, 9); /* echoed in the error */
	proto_msg_clear(&m);
	ck_assert_int_eq(verdict("84 a1 76 ff" TQUERY REQ1 KPERIOD P2022), IKI_EVERSION); /* -1 */
	ck_assert_int_eq(verdict("84 a1 76 00" TQUERY REQ1 KPERIOD P2022), IKI_EVERSION);
	ck_assert_int_eq(verdict("84 a1 76 cf ff ff ff ff ff ff ff ff" TQUERY REQ1 KPERIOD P2022),
			 IKI_EFIELD); /* over int64 */
	ck_assert_int_eq(verdict("84 a1 76 a1 31" TQUERY REQ1 KPERIOD P2022), IKI_EFIELD); /* "1" */
	ck_assert_int_eq(verdict("84 a1 76 cb 3f f0 00 00 00 00 00 00" TQUERY REQ1 KPERIOD P2022),
			 IKI_EFIELD); /* 1.0 */
	ck_assert_int_eq(verdict("84 a1 76 c0" TQUERY REQ1 KPERIOD P2022), IKI_EFIELD); /* nil */
	ck_assert_int_eq(decode_hex("83" TQUERY "a3 72 65 71 09" KPERIOD P2022, &m), IKI_EFIELD);
	ck_assert_int_eq(m.req, 0); /* req is read after v */
	proto_msg_clear(&m);

	/* type: one of the names; otherwise bad_type, req still echoed */
	ck_assert_int_eq(decode_hex("84" V1 "a4 74 79 70 65 a8 73 68 75 74 64 6f 77 6e a3 72 65 71 09"
				    KPERIOD P2022, &m),
			 IKI_ETYPE); /* "shutdown" */
	ck_assert_int_eq(m.req, 9);
	proto_msg_clear(&m);
	ck_assert_int_eq(verdict("84" V1 "a4 74 79 70 65 a5 51 55 45 52 59" REQ1 KPERIOD P2022),
			 IKI_ETYPE); /* "QUERY" */
	ck_assert_int_eq(verdict("84" V1 "a4 74 79 70 65 c0" REQ1 KPERIOD P2022), IKI_ETYPE);
	ck_assert_int_eq(verdict("84" V1 "a4 74 79 70 65 03" REQ1 KPERIOD P2022), IKI_ETYPE);
	ck_assert_int_eq(verdict("83" V1 REQ1 KPERIOD P2022), IKI_ETYPE);

	/* req: any non-negative integer; absent or negative is served as 0 */
	ck_assert_int_eq(decode_hex("84" V1 TQUERY "a3 72 65 71 d0 05" KPERIOD P2022, &m), 0);
	ck_assert_int_eq(m.req, 5); /* "d0 05 is 5" */
	proto_msg_clear(&m);
	ck_assert_int_eq(decode_hex("84" V1 TQUERY "a3 72 65 71 cf ff ff ff ff ff ff ff ff" KPERIOD P2022,
				    &m),
			 0);
	ck_assert(m.req == UINT64_MAX);
	proto_msg_clear(&m);
	ck_assert_int_eq(decode_hex("84" V1 TQUERY "a3 72 65 71 ff" KPERIOD P2022, &m), 0);
	ck_assert_int_eq(m.req, 0);
	proto_msg_clear(&m);
	ck_assert_int_eq(decode_hex("83" V1 TQUERY KPERIOD P2022, &m), 0);
	ck_assert_int_eq(m.req, 0);
	proto_msg_clear(&m);

	/* a body failure keeps type and req, so the error reply can be matched */
	ck_assert_int_eq(decode_hex("83 a1 76 01" TQUERY "a3 72 65 71 0b", &m), IKI_EFIELD);
	ck_assert_int_eq(m.type, PROTO_QUERY);
	ck_assert_int_eq(m.req, 11);
	ck_assert_ptr_null(m.values);
	proto_msg_clear(&m);

	/* keys nobody knows are ignored, whatever they hold */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "82 a1 61 91 01 a1 62 c3"), 0);
	ck_assert_int_eq(verdict("85" QUERY3 KX "cb 40 09 21 fb 54 44 2d 18" KPERIOD P2022), 0);
}
END_TEST

/* ---- structural refusals ---- */

START_TEST(test_trailing_and_truncated_bytes_are_malformed)
{
	struct proto_msg q = {.type = PROTO_QUERY, .req = 1};
	snprintf(q.query.period, sizeof(q.query.period), "2022");
	snprintf(q.query.jabatan, sizeof(q.query.jabatan), "%0300d", 7); /* a str16 inside */
	char *buf, *more;
	size_t len;
	ck_assert_int_eq(proto_encode(&q, &buf, &len), 0);
	ck_assert_int_eq(decode_raw(buf, len), 0);
	more = malloc(len + 1);
	memcpy(more, buf, len);
	more[len] = '\xc0';
	ck_assert_int_eq(decode_raw(more, len + 1), IKI_EMALFORMED);
	more[len] = '\x00';
	ck_assert_int_eq(decode_raw(more, len + 1), IKI_EMALFORMED);
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_msg(decode_raw(buf, cut) == IKI_EMALFORMED, "cut at %zu", cut);
	free(more);
	free(buf);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD P2022 "84" QUERY3 KPERIOD P2022), IKI_EMALFORMED);
}
END_TEST

START_TEST(test_bin_ext_and_reserved_bytes_are_malformed)
{
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "c4 04 32 30 32 32"), IKI_EMALFORMED); /* bin8 */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "c5 00 04 32 30 32 32"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "c6 00 00 00 04 32 30 32 32"), IKI_EMALFORMED);
	/* even under a key nobody knows */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "c7 01 05 00"), IKI_EMALFORMED); /* ext8 */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "c8 00 01 05 00"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "c9 00 00 00 01 05 00"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "d4 05 00"), IKI_EMALFORMED); /* fixext1 */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "d8 05 00 00 00 00 00 00 00 00 00 00"
				 "00 00 00 00 00 00"),
			 IKI_EMALFORMED); /* fixext16 */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "91 d6 ff 00 00 00 00"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "c1"), IKI_EMALFORMED); /* reserved */
}
END_TEST

START_TEST(test_not_a_map_bad_keys_and_duplicates)
{
	ck_assert_int_eq(verdict(""), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("93 01 02 03"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("a4 32 30 32 32"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("c0"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("80"), IKI_EFIELD); /* an empty map: v missing */
	/* a key that is not a string */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "01 01"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "c0 01"), IKI_EMALFORMED);
	/* a key twice at the top, even with the same value */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KPERIOD P2022), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "a3 72 65 71 02"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("86" QUERY3 KPERIOD P2022 KX "01" KX "02"), IKI_EMALFORMED);
	/* keys differing only in case are different keys */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "a6 50 45 52 49 4f 44 01"), 0);
}
END_TEST

START_TEST(test_nesting_depth_and_counts)
{
	/* {"x": [[[1]]]} and {"x": [[[[]]]]} pass; {"x": [[[[1]]]]} is too deep */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "91 91 91 01"), 0);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "91 91 91 90"), 0);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "91 91 91 91 01"), IKI_ETOOBIG);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "81 a1 61 81 a1 62 81 a1 63 01"), 0);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "81 a1 61 81 a1 62 81 a1 63 81 a1 64 01"),
			 IKI_ETOOBIG);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "91 91 91 91 91 91 91 91 91 91 c0"),
			 IKI_ETOOBIG);
	/* counts and lengths are checked against the bytes left, before anything is allocated */
	ck_assert_int_eq(verdict("84" V1 TSUBMIT REQ1 "a6 65 76 65 6e 74 73 dd ff ff ff ff"),
			 IKI_EMALFORMED);
	ck_assert_int_eq(verdict("84" V1 TSUBMIT REQ1 "a6 65 76 65 6e 74 73 dd ee 6b 28 00 80 80"),
			 IKI_EMALFORMED);
	ck_assert_int_eq(verdict("84" V1 TSUBMIT REQ1 "a6 65 76 65 6e 74 73 dc ff ff 80"),
			 IKI_EMALFORMED);
	ck_assert_int_eq(verdict("df ff ff ff ff" V1), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("de 00 05" QUERY3 KPERIOD P2022), IKI_EMALFORMED); /* 5 pairs, 4 there */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "db ff ff ff ff 32"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "da 00 05 32 30 32 32"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "d9"), IKI_EMALFORMED);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "cd 01"), IKI_EMALFORMED);
	/* a frame over the message limit, whatever it holds */
	size_t big = PROTO_MSG_MAX + 1;
	char *huge = calloc(1, big);
	ck_assert_ptr_nonnull(huge);
	ck_assert_int_eq(decode_raw(huge, big), IKI_ETOOBIG);
	free(huge);
}
END_TEST

/* One key/value pair of a hand-built map. */
struct kv {
	const char *k;
	char t; /* 's' string (s, n bytes or strlen), 'i' int, 'u' uint64, 'n' nil, 'f' float, 'b' bool */
	const char *s;
	int64_t i;
	size_t n;
};

static void pack_kv(msgpack_packer *pk, const struct kv *kv)
{
	msgpack_pack_str_with_body(pk, kv->k, strlen(kv->k));
	switch (kv->t) {
	case 's': msgpack_pack_str_with_body(pk, kv->s, kv->n ? kv->n : strlen(kv->s)); break;
	case 'i': msgpack_pack_int64(pk, kv->i); break;
	case 'u': msgpack_pack_uint64(pk, (uint64_t)kv->i); break;
	case 'n': msgpack_pack_nil(pk); break;
	case 'f': msgpack_pack_double(pk, 1.0); break;
	default: msgpack_pack_true(pk); break;
	}
}

static const struct kv base_event[] = {
	{"id", 's', "e1", 0, 0},
	{"element", 's', "surat_masuk", 0, 0},
	{"orgunit", 's', "35.27.03.2001", 0, 0},
	{"date", 's', "2022-03-01", 0, 0},
	{"op", 's', "add", 0, 0},
};

/* An event: the base fields but drop (NULL: none), plus the extras (up to two). */
static void pack_event(msgpack_packer *pk, const char *drop, const struct kv *x1, const struct kv *x2)
{
	size_t n = 0;
	for (size_t i = 0; i < 5; i++)
		n += !drop || strcmp(base_event[i].k, drop) != 0;
	msgpack_pack_map(pk, n + (x1 != NULL) + (x2 != NULL));
	for (size_t i = 0; i < 5; i++)
		if (!drop || strcmp(base_event[i].k, drop) != 0)
			pack_kv(pk, &base_event[i]);
	if (x1)
		pack_kv(pk, x1);
	if (x2)
		pack_kv(pk, x2);
}

/* Start a fresh buffer holding a submit's envelope and the header of n_events events. */
static void pack_submit_envelope(msgpack_sbuffer *sb, msgpack_packer *pk, size_t n_events)
{
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(pk, 4);
	msgpack_pack_str_with_body(pk, "v", 1);
	msgpack_pack_int(pk, 1);
	msgpack_pack_str_with_body(pk, "type", 4);
	msgpack_pack_str_with_body(pk, "submit", 6);
	msgpack_pack_str_with_body(pk, "req", 3);
	msgpack_pack_int(pk, 1);
	msgpack_pack_str_with_body(pk, "events", 6);
	msgpack_pack_array(pk, n_events);
}

START_TEST(test_one_broken_event_does_not_spoil_its_batch)
{
	static char long_id[PROTO_ID_MAX + 2], long_comment[PROTO_COMMENT_MAX + 2];
	memset(long_id, 'i', PROTO_ID_MAX + 1);
	memset(long_comment, 'c', PROTO_COMMENT_MAX + 1);
	const struct kv id_long = {"id", 's', long_id, 0, 0},
			id_int = {"id", 'i', NULL, 5, 0},
			el_int = {"element", 'i', NULL, 3, 0},
			ou_empty = {"orgunit", 's', "", 0, 0},
			op_bad = {"op", 's', "delete", 0, 0},
			op_set = {"op", 's', "set", 0, 0},
			val_nil = {"value", 'n', NULL, 0, 0},
			val_float = {"value", 'f', NULL, 0, 0},
			val_big = {"value", 'u', NULL, INT64_MIN, 0}, /* 2^63 as uint64 */
			val_min = {"value", 'i', NULL, INT64_MIN, 0},
			val_bool = {"value", 'b', NULL, 0, 0},
			case_long = {"case", 's', long_id, 0, 0},
			comment_long = {"comment", 's', long_comment, 0, 0},
			comment_ok = {"comment", 's', long_comment + 1, 0, 0}, /* exactly 500 */
			date_utf8 = {"date", 's', "2022-03-0\xff", 0, 0},
			comment_nul = {"comment", 's', "a\0b", 0, 3},
			extra = {"zzz", 'b', NULL, 0, 0};
	struct {
		const char *drop;
		const struct kv *x1, *x2;
		const char *field; /* err_field, or NULL when the event is fine */
		int64_t value;
		bool none; /* decoded without a value (no_value): ikid's store refuses an add, a set */
	} cases[] = {
		{NULL, NULL, NULL, NULL, 1, true},        /* add without value: no_value */
		{"id", &id_long, NULL, "id", 0, false},
		{"id", &id_int, NULL, "id", 0, false},
		{"id", NULL, NULL, "id", 0, false},
		{"element", &el_int, NULL, "element", 0, false},
		{"orgunit", &ou_empty, NULL, "orgunit", 0, false},
		{"date", NULL, NULL, "date", 0, false},
		{"date", &date_utf8, NULL, "date", 0, false},
		{"op", &op_bad, NULL, "op", 0, false},
		{"op", NULL, NULL, "op", 0, false},
		{"op", &op_set, NULL, NULL, 1, true},     /* a set's too: refused by the store */
		{NULL, &val_nil, NULL, NULL, 1, true},    /* nil is no value */
		{NULL, &val_float, NULL, "value", 0, false},
		{NULL, &val_big, NULL, "value", 0, false},
		{NULL, &val_bool, NULL, "value", 0, false},
		{NULL, &val_min, NULL, NULL, INT64_MIN, false},  /* range is the daemon's business */
		{NULL, &case_long, NULL, "case", 0, false},
		{NULL, &comment_long, NULL, "comment", 0, false},
		{NULL, &comment_nul, NULL, "comment", 0, false},
		{NULL, &comment_ok, &extra, NULL, 1, true}, /* at the limit, and an unknown key */
		{"element", &el_int, &val_nil, "element", 0, false}, /* the first broken field is named */
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct proto_msg m;
	pack_submit_envelope(&sb, &pk, n);
	for (size_t i = 0; i < n; i++)
		pack_event(&pk, cases[i].drop, cases[i].x1, cases[i].x2);
	ck_assert_int_eq(proto_decode(sb.data, sb.size, &m), 0);
	ck_assert_int_eq(m.n_events, n);
	for (size_t i = 0; i < n; i++) {
		const struct proto_event *e = &m.events[i];
		if (cases[i].field) {
			ck_assert_msg(e->err == IKI_EFIELD, "event %zu: err %d", i, e->err);
			ck_assert_msg(strcmp(e->err_field, cases[i].field) == 0, "event %zu: field %s, not %s",
				      i, e->err_field, cases[i].field);
		} else {
			ck_assert_msg(e->err == 0, "event %zu: err %d (%s)", i, e->err, e->err_field);
			ck_assert_str_eq(e->id, "e1");
			ck_assert_str_eq(e->orgunit, "35.27.03.2001");
			ck_assert_int_eq(e->op, cases[i].x1 == &op_set ? PROTO_OP_SET : PROTO_OP_ADD);
			ck_assert(e->value == cases[i].value);
			ck_assert_msg(e->no_value == cases[i].none, "event %zu: no_value %d", i,
				      e->no_value);
		}
	}
	proto_msg_clear(&m);
	msgpack_sbuffer_destroy(&sb);
}
END_TEST

/* A submit whose events array is given as hex. */
#define SUBMIT_EVENTS(arr) "84" V1 TSUBMIT REQ1 "a6 65 76 65 6e 74 73 " arr

START_TEST(test_array_level_problems_refuse_the_whole_submit)
{
	ck_assert_int_eq(verdict(SUBMIT_EVENTS("90")), 0);
	ck_assert_int_eq(verdict("83" V1 TSUBMIT REQ1), IKI_EFIELD);                    /* no events */
	ck_assert_int_eq(verdict(SUBMIT_EVENTS("c0")), IKI_EFIELD);                     /* nil */
	ck_assert_int_eq(verdict(SUBMIT_EVENTS("80")), IKI_EFIELD);                     /* a map */
	ck_assert_int_eq(verdict(SUBMIT_EVENTS("92 80 01")), IKI_EFIELD);               /* not a map */
	ck_assert_int_eq(verdict(SUBMIT_EVENTS("91 82 a2 69 64 a1 61 a2 69 64 a1 62")), /* id twice */
			 IKI_EFIELD);
	ck_assert_int_eq(verdict(SUBMIT_EVENTS("91 81 01 01")), IKI_EFIELD);            /* int key */

	/* 5000 events pass (each broken: no fields), 5001 are too many */
	for (size_t n = PROTO_EVENTS_MAX; n <= PROTO_EVENTS_MAX + 1; n++) {
		msgpack_sbuffer sb;
		msgpack_packer pk;
		struct proto_msg m;
		pack_submit_envelope(&sb, &pk, n);
		for (size_t i = 0; i < n; i++)
			msgpack_pack_map(&pk, 0);
		int rc = proto_decode(sb.data, sb.size, &m);
		if (n == PROTO_EVENTS_MAX) {
			ck_assert_int_eq(rc, 0);
			ck_assert_int_eq(m.n_events, PROTO_EVENTS_MAX);
			ck_assert_int_eq(m.events[n - 1].err, IKI_EFIELD);
			ck_assert_str_eq(m.events[n - 1].err_field, "id");
		} else {
			ck_assert_int_eq(rc, IKI_ETOOBIG);
			ck_assert_int_eq(m.type, PROTO_SUBMIT);
			ck_assert_int_eq(m.req, 1);
			ck_assert_ptr_null(m.events);
		}
		proto_msg_clear(&m);
		msgpack_sbuffer_destroy(&sb);
	}
}
END_TEST

START_TEST(test_strings_utf8_nil_and_sizes)
{
	/* the query's period: exactly 8 bytes pass (meaning is the daemon's), 9 do not */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a8 32 30 32 32 51 32 53 44"), 0); /* 2022Q2SD */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a9 32 30 32 32 51 32 53 44 31"), IKI_EFIELD);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "d9 04 32 30 32 32"), 0); /* str8 is a str */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "da 00 04 32 30 32 32"), 0);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "db 00 00 00 04 32 30 32 32"), 0);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a0"), IKI_EFIELD);  /* empty, required */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "c0"), IKI_EFIELD);  /* nil is not absent */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "cd 07 e6"), IKI_EFIELD); /* 2022, an int */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "91 a4 32 30 32 32"), IKI_EFIELD);
	/* invalid UTF-8 in any string read */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 32 30 ff 32"), IKI_EFIELD);
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 32 c0 af 32"), IKI_EFIELD);    /* overlong */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 e0 80 af 32"), IKI_EFIELD);    /* overlong */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 ed a0 80 32"), IKI_EFIELD);    /* surrogate */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 f4 90 80 80"), IKI_EFIELD);    /* > U+10FFFF */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 32 30 32 e2"), IKI_EFIELD);    /* cut short */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 32 80 32 32"), IKI_EFIELD);    /* lone cont. */
	ck_assert_int_eq(verdict("84" QUERY3 KPERIOD "a4 32 00 32 32"), IKI_EFIELD);    /* NUL */
	/* well-formed multibyte text passes: e-acute, euro, an emoji */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "a7 6a 61 62 61 74 61 6e"
				 "a9 c3 a9 e2 82 ac f0 9f 98 80"),
			 0);
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "a7 6a 61 62 61 74 61 6e a2 c3 28"),
			 IKI_EFIELD);
	/* an unknown key's string is not read, so not checked */
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 KX "a2 ff fe"), 0);

	/* optional query strings at and over their limits */
	char hex[4096];
	for (int extra = 0; extra <= 1; extra++) {
		int n = PROTO_TEXT_MAX + extra, len = 0;
		len += snprintf(hex + len, sizeof(hex) - len,
				"85" QUERY3 KPERIOD P2022 "a7 6a 61 62 61 74 61 6e da %02x %02x", n >> 8, n & 0xff);
		for (int i = 0; i < n; i++)
			len += snprintf(hex + len, sizeof(hex) - len, " 61");
		ck_assert_int_eq(verdict(hex), extra ? IKI_EFIELD : 0);
	}
	ck_assert_int_eq(verdict("85" QUERY3 KPERIOD P2022 "a7 6f 72 67 75 6e 69 74 b9"
				 "31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31 31"),
			 IKI_EFIELD); /* orgunit, 25 bytes */
}
END_TEST

START_TEST(test_replies_and_updates_are_checked_too)
{
	struct proto_msg m;
	/* submitted: unknown status, or an error without its message, refuses the whole reply */
	ck_assert_int_eq(verdict("84" V1 TSUBMITTED REQ1 "a7 72 65 73 75 6c 74 73 91 81"
				 "a6 73 74 61 74 75 73 a2 6f 6b"),
			 0);
	ck_assert_int_eq(verdict("84" V1 TSUBMITTED REQ1 "a7 72 65 73 75 6c 74 73 91 81"
				 "a6 73 74 61 74 75 73 a4 67 6f 6f 64"),
			 IKI_EFIELD); /* "good" */
	ck_assert_int_eq(verdict("84" V1 TSUBMITTED REQ1 "a7 72 65 73 75 6c 74 73 91 82"
				 "a6 73 74 61 74 75 73 a5 65 72 72 6f 72 a4 63 6f 64 65 a4 62 75 73 79"),
			 IKI_EFIELD); /* error without message */
	/* an error code name the decoder does not know: internal */
	ck_assert_int_eq(decode_hex("85" V1 "a4 74 79 70 65 a5 65 72 72 6f 72" REQ1
				    "a4 63 6f 64 65 a3 6e 65 77 a7 6d 65 73 73 61 67 65 a1 21",
				    &m),
			 0);
	ck_assert_int_eq(m.code, IKI_EINTERNAL);
	proto_msg_clear(&m);
	/* values: "value" is not read (nil or a number), factor defaults to 100, seq is optional */
	ck_assert_int_eq(decode_hex("84" V1 TVALUES REQ1 "a6 76 61 6c 75 65 73 91 86"
				    "a9 69 6e 64 69 63 61 74 6f 72 a1 61 a7 6f 72 67 75 6e 69 74 a1 62"
				    "a6 70 65 72 69 6f 64 a4 32 30 32 32 a3 6e 75 6d 01 a3 64 65 6e 02"
				    "a5 76 61 6c 75 65 a4 6a 75 6e 6b",
				    &m),
			 0);
	ck_assert_int_eq(m.n_values, 1);
	ck_assert_int_eq(m.values[0].factor, 100);
	ck_assert_int_eq(m.values[0].den, 2);
	ck_assert_int_eq(m.seq, 0);
	proto_msg_clear(&m);
	ck_assert_int_eq(verdict("84" V1 TVALUES REQ1 "a6 76 61 6c 75 65 73 91 82"
				 "a9 69 6e 64 69 63 61 74 6f 72 a1 61 a7 6f 72 67 75 6e 69 74 a1 62"),
			 IKI_EFIELD); /* no period, num, den */
	ck_assert_int_eq(verdict("85" V1 TVALUES REQ1 "a3 73 65 71 ff a6 76 61 6c 75 65 73 90"),
			 IKI_EFIELD); /* seq -1 */
	/* update: seq and a value map are required; the value map's keys are checked */
	ck_assert_int_eq(verdict("83" V1 TUPDATE "a3 73 65 71 07"), IKI_EFIELD);
	ck_assert_int_eq(verdict("84" V1 TUPDATE "a3 73 65 71 07 a5 76 61 6c 75 65 90"), IKI_EFIELD);
	ck_assert_int_eq(verdict("84" V1 TUPDATE "a3 73 65 71 07 a5 76 61 6c 75 65 82"
				 "a3 6e 75 6d 01 a3 6e 75 6d 02"),
			 IKI_EFIELD);
}
END_TEST

/* ---- periods and dates ---- */

START_TEST(test_dates)
{
	int32_t d;
	char date[11];
	ck_assert_int_eq(period_date_parse("2022-02-29", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("2022-13-01", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("2024-02-29", &d), 0);
	period_date_format(d, date);
	ck_assert_str_eq(date, "2024-02-29");
	ck_assert_int_eq(period_date_parse("2000-02-29", &d), 0); /* divisible by 400 */
	static const char *const bad[] = {
		"2022-3-01", "2022-03-1", "2022-03-015", "2022/03/01", "2022-00-10", "2022-03-00",
		"2022-04-31", "2022-03-1a", " 2022-03-01", "1999-12-31", "2100-01-01", "1970-01-01",
		"", "20220301", "+022-03-01", "2022-03-32",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(period_date_parse(bad[i], &d) == IKI_EDATE, "%s accepted", bad[i]);
	ck_assert_int_eq(period_date_parse("2022-03-01", &d), 0);
	ck_assert_int_eq(d, 19052); /* days since 1970-01-01 */
	ck_assert_int_eq(period_date_parse("2000-01-01", &d), 0);
	ck_assert_int_eq(d, 10957);
	ck_assert_int_eq(period_date_parse("2099-12-31", &d), 0);
	ck_assert_int_eq(d, 47481);
	/* every day served formats and parses back to itself */
	for (int32_t day = 10957; day <= 47481; day++) {
		int32_t back;
		period_date_format(day, date);
		ck_assert_msg(period_date_parse(date, &back) == 0 && back == day, "%d: %s", day, date);
	}
	int y, mo, dd;
	period_date_split(19052, &y, &mo, &dd);
	ck_assert(y == 2022 && mo == 3 && dd == 1);
}
END_TEST

START_TEST(test_periods)
{
	int32_t d, first, last;
	struct period p;
	char buf[PERIOD_ID_MAX], date[11];
	ck_assert_int_eq(period_date_parse("2022-03-31", &d), 0);
	period_format(period_of_date(d, PERIOD_QUARTER), buf);
	ck_assert_str_eq(buf, "2022Q1");
	period_format(period_of_date(d, PERIOD_MONTH), buf);
	ck_assert_str_eq(buf, "202203");
	period_format(period_of_date(d, PERIOD_YEAR), buf);
	ck_assert_str_eq(buf, "2022");
	ck_assert_int_eq(period_date_parse("2022-10-01", &d), 0);
	period_format(period_of_date(d, PERIOD_QUARTER), buf);
	ck_assert_str_eq(buf, "2022Q4");

	ck_assert_int_eq(period_parse("2022", &p), 0);
	ck_assert(p.kind == PERIOD_YEAR && p.year == 2022 && p.n == 0);
	ck_assert_int_eq(period_parse("2022Q1", &p), 0);
	ck_assert(p.kind == PERIOD_QUARTER && p.year == 2022 && p.n == 1);
	ck_assert_int_eq(period_parse("202203", &p), 0);
	ck_assert(p.kind == PERIOD_MONTH && p.year == 2022 && p.n == 3);
	static const char *const bad[] = {"2022Q5", "2022Q0", "202213", "202200", "22", "2022-03",
					  "2022q1", "20223", "2022033", "1999", "2100", "", "2022 ",
					  "Q12022", "2022S1", "abcd"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(period_parse(bad[i], &p) == IKI_EPERIOD, "%s accepted", bad[i]);

	/* every period of a year formats and parses back */
	static const char *const ids[] = {"2024", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "202401",
					  "202402", "202412", "2000", "209912", "2022Q2SD", "202205SD",
					  "202212SD", "2099Q4SD", "2001Q1SD", "200001"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ck_assert_int_eq(period_parse(ids[i], &p), 0);
		period_format(p, buf);
		ck_assert_str_eq(buf, ids[i]);
	}

	struct {
		const char *id, *first, *last;
	} bounds[] = {
		{"2022", "2022-01-01", "2022-12-31"},     {"2022Q1", "2022-01-01", "2022-03-31"},
		{"2022Q2", "2022-04-01", "2022-06-30"},   {"2022Q4", "2022-10-01", "2022-12-31"},
		{"202202", "2022-02-01", "2022-02-28"},   {"202402", "2024-02-01", "2024-02-29"},
		{"2024Q1", "2024-01-01", "2024-03-31"},   {"202412", "2024-12-01", "2024-12-31"},
	};
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		ck_assert_int_eq(period_parse(bounds[i].id, &p), 0);
		period_bounds(p, &first, &last);
		period_date_format(first, date);
		ck_assert_str_eq(date, bounds[i].first);
		period_date_format(last, date);
		ck_assert_str_eq(date, bounds[i].last);
		/* every day inside falls in the period, the days either side do not */
		for (int32_t day = first - 1; day <= last + 1; day++) {
			char id[PERIOD_ID_MAX];
			period_format(period_of_date(day, p.kind), id);
			ck_assert_int_eq(strcmp(id, bounds[i].id) == 0, day >= first && day <= last);
		}
	}
	ck_assert_int_eq(period_parse("2024", &p), 0);
	period_bounds(p, &first, &last);
	ck_assert_int_eq(last - first + 1, 366);
}
END_TEST

/* The cumulative ("s.d.") periods: ids, bounds, what they sum and what feeds them. */
START_TEST(test_cumulative_periods)
{
	struct period p, parts[6], fed[PERIOD_FED_MAX];
	char buf[PERIOD_ID_MAX], date[11];
	int32_t first, last;
	ck_assert_int_eq(period_parse("2022Q2SD", &p), 0);
	ck_assert(p.kind == PERIOD_QUARTER_SD && p.year == 2022 && p.n == 2 && period_is_cumulative(p));
	ck_assert(period_base(p).kind == PERIOD_QUARTER && period_base(p).n == 2);
	ck_assert_int_eq(period_parse("202205SD", &p), 0);
	ck_assert(p.kind == PERIOD_MONTH_SD && p.year == 2022 && p.n == 5);
	static const char *const ids[] = {"2022Q1SD", "2022Q4SD", "202201SD", "202212SD", "2099Q3SD"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		ck_assert_int_eq(period_parse(ids[i], &p), 0);
		period_format(p, buf);
		ck_assert_str_eq(buf, ids[i]);
	}
	static const char *const bad[] = {"2022SD", "2022Q5SD", "2022Q0SD", "202213SD", "202200SD",
					  "2022Q1sd", "2022Q1S", "2022Q1SDX", "2022SDQ1", "SD2022Q1",
					  "2022Q1DS", "1999Q1SD", "20221SD"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(period_parse(bad[i], &p) == IKI_EPERIOD, "%s accepted", bad[i]);
	ck_assert_int_eq(period_parse("2024Q1SD", &p), 0);
	period_bounds(p, &first, &last);
	period_date_format(first, date);
	ck_assert_str_eq(date, "2024-01-01");
	period_date_format(last, date);
	ck_assert_str_eq(date, "2024-03-31");
	ck_assert_int_eq(period_parse("202402SD", &p), 0);
	period_bounds(p, &first, &last);
	period_date_format(last, date);
	ck_assert_str_eq(date, "2024-02-29");
	ck_assert_int_eq(last - first + 1, 60);

	/* its parts cover January to its end exactly once: every month of the span in one part */
	for (int kind = PERIOD_MONTH_SD; kind <= PERIOD_QUARTER_SD; kind++)
		for (int n = 1; n <= (kind == PERIOD_MONTH_SD ? 12 : 4); n++) {
			p = (struct period){kind, 2022, n};
			int k = period_cumulative_parts(p, parts), covered[13] = {0};
			ck_assert(k >= 1 && k <= 6);
			for (int i = 0; i < k; i++) {
				ck_assert(parts[i].kind == PERIOD_MONTH || parts[i].kind == PERIOD_QUARTER);
				int m0 = parts[i].kind == PERIOD_MONTH ? parts[i].n : 3 * parts[i].n - 2;
				int m1 = parts[i].kind == PERIOD_MONTH ? parts[i].n : 3 * parts[i].n;
				for (int m = m0; m <= m1; m++)
					covered[m]++;
			}
			int end = kind == PERIOD_MONTH_SD ? n : 3 * n;
			for (int m = 1; m <= 12; m++)
				ck_assert_int_eq(covered[m], m <= end);
		}
	period_parse("202205SD", &p);
	ck_assert_int_eq(period_cumulative_parts(p, parts), 3); /* 2022Q1, 202204, 202205 */
	period_format(parts[0], buf);
	ck_assert_str_eq(buf, "2022Q1");

	/* a flow's month feeds exactly the cumulative periods whose parts hold it */
	for (int m = 1; m <= 12; m++) {
		p = (struct period){PERIOD_MONTH, 2022, m};
		int k = period_cumulative_fed(p, 0, fed), want = 0;
		for (int kind = PERIOD_MONTH_SD; kind <= PERIOD_QUARTER_SD; kind++)
			for (int n = 1; n <= (kind == PERIOD_MONTH_SD ? 12 : 4); n++) {
				struct period c = {kind, 2022, n};
				int32_t cf, cl, mf, ml;
				period_bounds(c, &cf, &cl);
				period_bounds(p, &mf, &ml);
				bool holds = mf >= cf && ml <= cl, listed = false;
				for (int i = 0; i < k; i++)
					listed |= fed[i].kind == c.kind && fed[i].n == c.n && fed[i].year == 2022;
				ck_assert_msg(holds == listed, "month %d, %d/%d", m, kind, n);
				want += holds;
			}
		ck_assert_int_eq(k, want);
	}
	ck_assert_int_eq(period_cumulative_fed((struct period){PERIOD_MONTH, 2022, 1}, 0, fed), 16);
	ck_assert_int_eq(period_cumulative_fed((struct period){PERIOD_QUARTER, 2022, 1}, 0, fed), 0);
	ck_assert_int_eq(period_cumulative_fed((struct period){PERIOD_YEAR, 2022, 0}, 0, fed), 0);
	/* a stock's month and quarter feed their own cumulative twin only */
	ck_assert_int_eq(period_cumulative_fed((struct period){PERIOD_MONTH, 2022, 4}, 1, fed), 1);
	ck_assert(fed[0].kind == PERIOD_MONTH_SD && fed[0].n == 4);
	ck_assert_int_eq(period_cumulative_fed((struct period){PERIOD_QUARTER, 2022, 3}, 1, fed), 1);
	ck_assert(fed[0].kind == PERIOD_QUARTER_SD && fed[0].n == 3);
	ck_assert_int_eq(period_cumulative_fed((struct period){PERIOD_YEAR, 2022, 0}, 1, fed), 0);
}
END_TEST

/* ---- error codes ---- */

START_TEST(test_every_code_has_a_name_and_a_sentence)
{
	ck_assert_str_eq(iki_code_name(IKI_OK), "ok");
	ck_assert_int_eq(iki_code_from_name("ok"), IKI_OK);
	for (int code = IKI_EMALFORMED; code > IKI_ELAST; code--) {
		const char *name = iki_code_name(code);
		ck_assert_str_ne(name, "error");
		ck_assert_int_eq(iki_code_from_name(name), code);
		ck_assert_int_gt(strlen(iki_strerror(code)), 10);
		ck_assert_int_lt(strlen(name), 48); /* what the decoder reads as a code */
		for (const char *c = name; *c; c++)
			ck_assert_msg((*c >= 'a' && *c <= 'z') || *c == '_', "%s: not a plain name", name);
		for (int other = IKI_EMALFORMED; other > code; other--)
			ck_assert_str_ne(iki_code_name(other), name);
	}
	/* a few wire names the protocol page and clients rely on */
	ck_assert_str_eq(iki_code_name(IKI_EMALFORMED), "malformed");
	ck_assert_str_eq(iki_code_name(IKI_EVERSION), "bad_version");
	ck_assert_str_eq(iki_code_name(IKI_ETYPE), "bad_type");
	ck_assert_str_eq(iki_code_name(IKI_EFIELD), "bad_field");
	ck_assert_str_eq(iki_code_name(IKI_ETOOBIG), "too_big");
	ck_assert_str_eq(iki_code_name(IKI_EORGUNIT), "unknown_orgunit");
	ck_assert_str_eq(iki_code_name(IKI_ECONFLICT), "id_conflict");
	ck_assert_str_eq(iki_code_name(IKI_EPERIOD), "bad_period");
	ck_assert_str_eq(iki_code_name(IKI_EINTERNAL), "internal");
	ck_assert_int_eq(iki_code_from_name("no_such_code"), IKI_EINTERNAL);
	ck_assert_int_eq(iki_code_from_name("error"), IKI_EINTERNAL);
	ck_assert_str_eq(iki_code_name(-ENOMEM), "error");
	ck_assert_str_eq(iki_code_name(IKI_ELAST), "error");
	ck_assert_str_eq(iki_strerror(-ENOENT), strerror(ENOENT));
	for (int code = IKI_EMALFORMED; code > IKI_ELAST; code--) /* ask again in a moment: these */
		ck_assert(iki_code_busy(code) == (code == IKI_EBUSY || code == IKI_EPENDING));
	ck_assert(!iki_code_busy(0) && !iki_code_busy(-EBUSY));
	ck_assert_int_gt(strlen(iki_strerror(-5000)), 0);
	ck_assert_int_gt(strlen(iki_strerror(IKI_OK)), 0);
}
END_TEST

/* ---- wire names of types and ops ---- */

START_TEST(test_type_and_op_names)
{
	static const char *const types[] = {NULL,     "submit", "submitted", "query",
					    "values", "error",  "update",    "snapshot", "heartbeat",
					    "describe", "catalog", "lock", "locks", "history", "events",
					    "target", "targets", "whoami", "identity", "note", "notes"};
	for (int t = PROTO_SUBMIT; t <= PROTO_TYPE_LAST; t++)
		ck_assert_str_eq(proto_type_name((enum proto_type)t), types[t]);
	ck_assert_ptr_null(proto_type_name((enum proto_type)0));
	ck_assert_ptr_null(proto_type_name((enum proto_type)(PROTO_TYPE_LAST + 1)));
	ck_assert_str_eq(proto_op_name(PROTO_OP_ADD), "add");
	ck_assert_str_eq(proto_op_name(PROTO_OP_SET), "set");
	ck_assert_str_eq(proto_op_name(PROTO_OP_OPEN), "open");
	ck_assert_str_eq(proto_op_name(PROTO_OP_CLOSE), "close");
	ck_assert_str_eq(proto_op_name(PROTO_OP_VOID), "void");
	ck_assert_ptr_null(proto_op_name(PROTO_OP_NONE));
	ck_assert_ptr_null(proto_op_name((enum proto_op)6));
}
END_TEST

START_TEST(test_utf8_trim_drops_only_a_cut_sequence)
{
	char a[] = "Rp 5\xe2\x82\xac", b[] = "Rp 5\xe2\x82", c[] = "abc", d[] = "\xc3";
	iki_utf8_trim(a);
	ck_assert_str_eq(a, "Rp 5\xe2\x82\xac"); /* whole: kept */
	iki_utf8_trim(b);
	ck_assert_str_eq(b, "Rp 5");
	iki_utf8_trim(c);
	ck_assert_str_eq(c, "abc");
	iki_utf8_trim(d);
	ck_assert_str_eq(d, "");
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("codec");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_protocol_md_goldens_round_trip);
	tcase_add_test(tc, test_a_failed_write_is_an_error_never_a_truncated_message);
	tcase_add_test(tc, test_catalog_letter_round_trips);
	tcase_add_test(tc, test_golden_bytes_mean_what_the_page_says);
	tcase_add_test(tc, test_submit_round_trip_keeps_every_field);
	tcase_add_test(tc, test_catalog_elements_round_trip_every_field);
	tcase_add_test(tc, test_encoder_refuses_a_message_over_the_limit);
	tcase_add_test(tc, test_catalog_elements_are_checked);
	tcase_add_test(tc, test_capaian_up_and_down);
	tcase_add_test(tc, test_predikat_bands_at_their_edges);
	tcase_add_test(tc, test_percentages_parse_in_hundredths);
	tcase_add_test(tc, test_hundredths_are_written_as_indonesian_writes_them);
	tcase_add_test(tc, test_encode_to_a_buffer_is_encode_byte_for_byte);
	tcase_add_test(tc, test_value_with_target_capaian_round_trips);
	tcase_add_test(tc, test_submitted_error_and_update_round_trip);
	tcase_add_test(tc, test_query_snapshot_values_round_trip);
	tcase_add_test(tc, test_pages_cursor_and_limit_round_trip_and_are_checked);
	tcase_add_test(tc, test_encoder_refuses_what_the_decoder_would);
	tcase_add_test(tc, test_envelope_version_type_and_req);
	tcase_add_test(tc, test_trailing_and_truncated_bytes_are_malformed);
	tcase_add_test(tc, test_bin_ext_and_reserved_bytes_are_malformed);
	tcase_add_test(tc, test_not_a_map_bad_keys_and_duplicates);
	tcase_add_test(tc, test_nesting_depth_and_counts);
	tcase_add_test(tc, test_one_broken_event_does_not_spoil_its_batch);
	tcase_add_test(tc, test_array_level_problems_refuse_the_whole_submit);
	tcase_add_test(tc, test_strings_utf8_nil_and_sizes);
	tcase_add_test(tc, test_replies_and_updates_are_checked_too);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_periods);
	tcase_add_test(tc, test_cumulative_periods);
	tcase_add_test(tc, test_every_code_has_a_name_and_a_sentence);
	tcase_add_test(tc, test_type_and_op_names);
	tcase_add_test(tc, test_utf8_trim_drops_only_a_cut_sequence);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(proto_suite)
