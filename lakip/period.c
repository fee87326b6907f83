/* period.c: calendar arithmetic for event dates and period ids, without the C library's time zone. */
#include "period.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "iki.h"

/* Howard Hinnant's days_from_civil: proleptic Gregorian, exact for any year we accept. */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void period_date_split(int32_t days, int *year, int *month, int *day)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int m = mp + (mp < 10 ? 3 : -9);
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = m;
	*year = yoe + era * 400 + (m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Parse exactly n decimal digits. Returns the number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int period_date_parse(const char *s, int32_t *days)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return IKI_EDATE;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX || m < 1 || m > 12)
		return IKI_EDATE;
	if (d < 1 || d > days_in_month(y, m))
		return IKI_EDATE;
	*days = days_from_civil(y, m, d);
	return 0;
}

void period_date_format(int32_t days, char *buf)
{
	int y, m, d;
	period_date_split(days, &y, &m, &d);
	snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

struct period period_of_date(int32_t days, enum period_kind kind)
{
	int y, m, d;
	period_date_split(days, &y, &m, &d);
	struct period p = {kind, y, 0};
	if (kind == PERIOD_MONTH)
		p.n = m;
	else if (kind == PERIOD_QUARTER)
		p.n = (m - 1) / 3 + 1;
	return p;
}

int period_parse(const char *s, struct period *p)
{
	size_t len = strlen(s);
	if (len == 8 && s[6] == 'S' && s[7] == 'D') { /* a cumulative period: its last, then "SD" */
		char base[7];
		memcpy(base, s, 6);
		base[6] = '\0';
		if (period_parse(base, p) < 0)
			return IKI_EPERIOD;
		p->kind = p->kind == PERIOD_MONTH ? PERIOD_MONTH_SD : PERIOD_QUARTER_SD;
		return 0;
	}
	int y = len >= 4 ? digits(s, 4) : -1;
	if (y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX)
		return IKI_EPERIOD;
	if (len == 4) {
		*p = (struct period){PERIOD_YEAR, y, 0};
		return 0;
	}
	if (len == 6 && s[4] == 'Q' && s[5] >= '1' && s[5] <= '4') {
		*p = (struct period){PERIOD_QUARTER, y, s[5] - '0'};
		return 0;
	}
	int m = len == 6 ? digits(s + 4, 2) : -1;
	if (m < 1 || m > 12)
		return IKI_EPERIOD;
	*p = (struct period){PERIOD_MONTH, y, m};
	return 0;
}

/* Written digit by digit, not with snprintf: ikid formats a period for every sum it reads or
 * writes (its key), and snprintf was a tenth of its time per single-event request. */
void period_format(struct period p, char *buf)
{
	unsigned y = (unsigned)p.year % 10000u, n;
	bool sd = period_is_cumulative(p);
	char *o = buf;
	p = period_base(p);
	*o++ = (char)('0' + y / 1000);
	*o++ = (char)('0' + y / 100 % 10);
	*o++ = (char)('0' + y / 10 % 10);
	*o++ = (char)('0' + y % 10);
	if (p.kind == PERIOD_MONTH) {
		n = (unsigned)p.n % 100u;
		*o++ = (char)('0' + n / 10);
		*o++ = (char)('0' + n % 10);
	} else if (p.kind == PERIOD_QUARTER) {
		*o++ = 'Q';
		*o++ = (char)('0' + (unsigned)p.n % 10u);
	} else {
		sd = false;
	}
	if (sd) {
		*o++ = 'S';
		*o++ = 'D';
	}
	*o = '\0';
}

int period_is_cumulative(struct period p)
{
	return p.kind == PERIOD_MONTH_SD || p.kind == PERIOD_QUARTER_SD;
}

struct period period_base(struct period p)
{
	if (p.kind == PERIOD_MONTH_SD)
		p.kind = PERIOD_MONTH;
	else if (p.kind == PERIOD_QUARTER_SD)
		p.kind = PERIOD_QUARTER;
	return p;
}

int period_cumulative_parts(struct period p, struct period *parts)
{
	int n = 0, q = p.kind == PERIOD_MONTH_SD ? (p.n - 1) / 3 + 1 : p.n;
	for (int k = 1; k < q; k++)
		parts[n++] = (struct period){PERIOD_QUARTER, p.year, k};
	if (p.kind == PERIOD_QUARTER_SD)
		parts[n++] = (struct period){PERIOD_QUARTER, p.year, q};
	else
		for (int m = 3 * q - 2; m <= p.n; m++)
			parts[n++] = (struct period){PERIOD_MONTH, p.year, m};
	return n;
}

int period_cumulative_fed(struct period p, int stock, struct period *fed)
{
	int n = 0;
	if (stock && (p.kind == PERIOD_MONTH || p.kind == PERIOD_QUARTER)) {
		fed[n] = p;
		fed[n++].kind = p.kind == PERIOD_MONTH ? PERIOD_MONTH_SD : PERIOD_QUARTER_SD;
	} else if (!stock && p.kind == PERIOD_MONTH) {
		for (int m = p.n; m <= 12; m++)
			fed[n++] = (struct period){PERIOD_MONTH_SD, p.year, m};
		for (int q = (p.n - 1) / 3 + 1; q <= 4; q++)
			fed[n++] = (struct period){PERIOD_QUARTER_SD, p.year, q};
	}
	return n;
}

void period_bounds(struct period p, int32_t *first, int32_t *last)
{
	int m0 = 1, m1 = 12;
	if (p.kind == PERIOD_MONTH_SD)
		m1 = p.n;
	else if (p.kind == PERIOD_QUARTER_SD)
		m1 = 3 * p.n;
	else if (p.kind == PERIOD_MONTH)
		m0 = m1 = p.n;
	else if (p.kind == PERIOD_QUARTER)
		m0 = 3 * p.n - 2, m1 = 3 * p.n;
	*first = days_from_civil(p.year, m0, 1);
	*last = days_from_civil(p.year, m1, days_in_month(p.year, m1));
}
