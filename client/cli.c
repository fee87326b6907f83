/* cli.c: what every iki command shares: exit statuses, connecting, saying why ikid is out of reach. */
#include "cli.h"
#include "i18n.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

struct iki_client *cli_connect(const struct iki_client_options *o)
{
	struct iki_client *c = NULL;
	int rc = iki_client_open(o, &c);
	if (rc == -EINVAL && !o->key_file && !o->server_key) {
		char safe[256];
		fprintf(stderr, _("iki: '%s' is not an address of ikid: write it like "
				  "tcp://10.0.0.5:7470\n"), cli_safe(o->request, safe, sizeof(safe)));
		exit(EXIT_USAGE);
	}
	if (rc == -EINVAL || rc == -ENOENT || rc == -EACCES) {
		fprintf(stderr, _("iki: keys: %s (-k %s, -S %s): give both, a key pair from 'iki keygen' "
			"and ikid's public key\n"), rc == -EINVAL ? _("not a usable key") : strerror(-rc),
			o->key_file ? o->key_file : _("missing"), o->server_key ? o->server_key : _("missing"));
		exit(EXIT_USAGE);
	}
	if (rc < 0) {
		fprintf(stderr, _("iki: cannot connect to %s: %s\n"), o->request, iki_strerror(rc));
		exit(EXIT_UNREACHABLE);
	}
	return c;
}

int cli_unreachable(const struct iki_client_options *o, struct iki_client **c, int rc)
{
	const char *problem = rc == IKI_ETIMEOUT ? iki_client_problem(*c) : NULL;
	if (problem)
		fprintf(stderr, "iki: %s: %s\n", o->request, problem);
	else if (rc == IKI_ETIMEOUT)
		fprintf(stderr, _("iki: ikid at %s did not answer within %d s (is it running?)\n"),
			o->request, o->timeout_ms / 1000);
	else
		fprintf(stderr, "iki: %s: %s\n", iki_code_name(rc), iki_strerror(rc));
	iki_client_close(c);
	return EXIT_UNREACHABLE;
}

int cli_refused(const char *cmd, struct iki_client **c, const struct iki_client_options *o, int rc,
		const char *message)
{
	if (rc == IKI_ETIMEOUT || (rc < 0 && rc > -IKI_EBASE))
		return cli_unreachable(o, c, rc);
	fprintf(stderr, "iki %s: %s: %s\n", cmd, iki_code_name(rc),
		message && *message ? message : iki_strerror(rc));
	iki_client_close(c);
	return EXIT_REJECTED;
}

void cli_field(char *dst, size_t n, const char *cmd, const char *name, const char *val)
{
	if (strlen(val) >= n) {
		fprintf(stderr, _("iki %s: --%s is too long\n"), cmd, name);
		exit(EXIT_USAGE);
	}
	memcpy(dst, val, strlen(val) + 1);
}

json_object *cli_value_json(const struct proto_value *v, const uint64_t *seq)
{
	json_object *o = json_object_new_object();
	double r;
	json_object_object_add(o, "indicator", json_object_new_string(v->indicator));
	if (!seq) { /* a query's values carry them; updates do not */
		json_object_object_add(o, "name", json_object_new_string(v->name));
		json_object_object_add(o, "jabatan", json_object_new_string(v->jabatan));
	}
	json_object_object_add(o, "orgunit", json_object_new_string(v->orgunit));
	json_object_object_add(o, "period", json_object_new_string(v->period));
	json_object_object_add(o, "num", json_object_new_int64(v->num));
	json_object_object_add(o, "den", json_object_new_int64(v->den));
	json_object_object_add(o, "factor", json_object_new_int64(v->factor));
	json_object_object_add(o, "value",
			       proto_value_ratio(v, &r) ? json_object_new_double(r) : NULL);
	if (v->has_target)
		json_object_object_add(o, "target", json_object_new_double((double)v->target / 100));
	if (v->has_target && v->revised)
		json_object_object_add(o, "target_original",
				       json_object_new_double((double)v->target_original / 100));
	if (v->has_capaian) {
		json_object_object_add(o, "capaian", json_object_new_double(v->capaian));
		json_object_object_add(o, "predikat", json_object_new_string(v->predikat));
	}
	if (v->check[0]) /* the validation rule it breaks: perlu diperiksa */
		json_object_object_add(o, "check", json_object_new_string(v->check));
	if (seq)
		json_object_object_add(o, "seq", json_object_new_uint64(*seq));
	return o;
}

const char *cli_safe(const char *s, char *buf, size_t n)
{
	size_t i = 0;
	for (; s && *s && i + 1 < n; s++, i++) {
		unsigned char c = (unsigned char)*s;
		/* C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F): some terminals take U+009B
		 * for CSI, so they go the way of C0 and DEL. */
		if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f) {
			buf[i] = '?';
			s++;
		} else {
			buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	}
	if (n)
		buf[i] = '\0';
	return buf;
}

int cli_budget_year(const struct proto_msg *catalog)
{
	if (catalog && catalog->year)
		return catalog->year; /* the catalog's 'year' */
	int year = 0;
	const char *t = catalog ? catalog->title : ""; /* else a year its title names */
	for (size_t i = 0; t[i]; i++) {
		bool alone = (i == 0 || t[i - 1] < '0' || t[i - 1] > '9') &&
			     !(t[i + 1] == 0 || t[i + 2] == 0 || t[i + 3] == 0) &&
			     (t[i + 4] < '0' || t[i + 4] > '9');
		if (alone && t[i] == '2' && t[i + 1] == '0' && t[i + 2] >= '0' && t[i + 2] <= '9' &&
		    t[i + 3] >= '0' && t[i + 3] <= '9')
			year = 2000 + (t[i + 2] - '0') * 10 + (t[i + 3] - '0');
	}
	if (year)
		return year;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	return tm.tm_year + 1900;
}

const char *cli_period_words(const char *period, char *buf, size_t n)
{
	static const char *const months[12] = {
	    N_("January"), N_("February"), N_("March"),	   N_("April"),	  N_("May"),	  N_("June"),
	    N_("July"),	   N_("August"),   N_("September"), N_("October"), N_("November"), N_("December")};
	static const char *const quarters[4] = {"I", "II", "III", "IV"};
	size_t len = strlen(period);
	bool digits = len >= 4 && strspn(period, "0123456789") >= 4;
	if (digits && len == 4)
		snprintf(buf, n, _("the year %s"), period);
	else if (digits && len == 6 && period[4] == 'Q' && period[5] >= '1' && period[5] <= '4')
		snprintf(buf, n, _("triwulan %s %.4s"), quarters[period[5] - '1'], period);
	else if (digits && len == 6 && strspn(period, "0123456789") == 6 && atoi(period + 4) >= 1 &&
		 atoi(period + 4) <= 12)
		snprintf(buf, n, "%s %.4s", _(months[atoi(period + 4) - 1]), period);
	else
		snprintf(buf, n, "%s", period);
	return buf;
}
