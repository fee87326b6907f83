/* lakip.c: capaian and predikat (see lakip.h). */
#include "lakip.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void lakip_bands_default(struct lakip_bands *b)
{
	static const struct lakip_band five[] = {
		{9100, "Sangat Baik"}, {7600, "Baik"}, {6600, "Cukup"}, {5100, "Kurang"},
		{0, "Sangat Kurang"},
	};
	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < sizeof(five) / sizeof(five[0]); i++)
		b->band[b->n++] = five[i];
}

bool lakip_capaian(double realisasi, double target, bool up, double *capaian)
{
	if (!(target > 0))
		return false;
	*capaian = up ? realisasi / target * 100.0 : (2.0 * target - realisasi) / target * 100.0;
	return true;
}

const char *lakip_predikat(const struct lakip_bands *b, double capaian)
{
	if (b->n == 0)
		return "";
	/* Compared in hundredths, rounded as the report prints them: 90.996 shows as 91.00. */
	double h = capaian * 100.0;
	for (int i = 0; i < b->n - 1; i++)
		if (h + 0.5 >= (double)b->band[i].min)
			return b->band[i].name;
	return b->band[b->n - 1].name;
}

bool lakip_parse_percent(const char *s, int64_t max_hundredths, int64_t *out)
{
	int64_t whole = 0, frac = 0;
	int digits = 0, decimals = 0;
	const char *p = s;
	for (; isdigit((unsigned char)*p) && digits < 9; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits == 0)
		return false;
	if (*p == '.' || *p == ',') { /* Indonesian writes 95,5 */
		for (p++; isdigit((unsigned char)*p) && decimals < 2; p++, decimals++)
			frac = frac * 10 + (*p - '0');
		if (decimals == 0)
			return false;
		if (decimals == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return false;
	int64_t v = whole * 100 + frac;
	if (v > max_hundredths)
		return false;
	*out = v;
	return true;
}

const char *lakip_count(int64_t x, char *buf, size_t n)
{
	char digits[24];
	unsigned long long m = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
	int len = snprintf(digits, sizeof(digits), "%llu", m);
	size_t j = 0;
	if (x < 0 && j + 1 < n)
		buf[j++] = '-';
	for (int i = 0; i < len && j + 1 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0 && j + 2 < n)
			buf[j++] = '.';
		buf[j++] = digits[i];
	}
	if (n)
		buf[j < n ? j : n - 1] = '\0';
	return buf;
}

const char *lakip_hundredths(int64_t x, char *buf, size_t n)
{
	char whole[32];
	unsigned long long m = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
	unsigned frac = (unsigned)(m % 100);
	lakip_count((int64_t)(m / 100), whole, sizeof(whole));
	if (frac == 0)
		snprintf(buf, n, "%s%s", x < 0 ? "-" : "", whole);
	else if (frac % 10 == 0)
		snprintf(buf, n, "%s%s,%u", x < 0 ? "-" : "", whole, frac / 10);
	else
		snprintf(buf, n, "%s%s,%02u", x < 0 ? "-" : "", whole, frac);
	return buf;
}
