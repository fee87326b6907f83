/*
 * period.h: calendar dates and period ids, pure functions. DHIS2's ids (2022, 2022Q1, 202203) and
 * the cumulative periods of a LAKIP's "s.d." (sampai dengan) figures: 2022Q2SD is 1 January 2022
 * through the end of triwulan II, 202205SD through the end of May.
 */
#ifndef IKI_PERIOD_H
#define IKI_PERIOD_H

#include <stdint.h>

#define PERIOD_YEAR_MIN 2000
#define PERIOD_YEAR_MAX 2099
#define PERIOD_ID_MAX 9 /* "2022Q1", "202203", "2022", "2022Q2SD": at most 8 characters, plus NUL */
#define PERIOD_FED_MAX 16 /* cumulative periods one month feeds: 12 months and 4 quarters at most */

/* The stored kinds (month, quarter, year), then the cumulative ones, read from them. */
enum period_kind {
	PERIOD_MONTH = 1,
	PERIOD_QUARTER = 2,
	PERIOD_YEAR = 3,
	PERIOD_MONTH_SD = 4,   /* "202205SD": 1 January through the end of month n */
	PERIOD_QUARTER_SD = 5, /* "2022Q2SD": 1 January through the end of quarter n */
};

struct period {
	enum period_kind kind;
	int year;
	int n; /* month 1-12, quarter 1-4 (of a cumulative period: its last), 0 for a year */
};

/*
 * Parse "YYYY-MM-DD" (exactly that, a real calendar date, year within PERIOD_YEAR_MIN..MAX) into
 * days since 1970-01-01. Returns 0, or IKI_EDATE.
 */
int period_date_parse(const char *s, int32_t *days);

/* Format days since 1970-01-01 as "YYYY-MM-DD" into buf (at least 11 bytes). */
void period_date_format(int32_t days, char *buf);

/* Split days since 1970-01-01 into year, month (1-12) and day (1-31). */
void period_date_split(int32_t days, int *year, int *month, int *day);

/* The period of the given kind that holds a date. */
struct period period_of_date(int32_t days, enum period_kind kind);

/* Parse "2022", "2022Q1", "202203", "2022Q1SD" or "202203SD". Returns 0, or IKI_EPERIOD. */
int period_parse(const char *s, struct period *p);

/* Format a period id into buf (at least PERIOD_ID_MAX bytes). */
void period_format(struct period p, char *buf);

/* First and last day (days since 1970-01-01) of a period (of a cumulative one: 1 January). */
void period_bounds(struct period p, int32_t *first, int32_t *last);

/* Whether p is a cumulative period (PERIOD_MONTH_SD or PERIOD_QUARTER_SD). */
int period_is_cumulative(struct period p);

/* The stored period a cumulative one ends with (2022Q2SD: 2022Q2); any other p itself. */
struct period period_base(struct period p);

/*
 * The stored periods whose sum is the flow of cumulative period p, into parts (at most 6):
 * the whole quarters before its last quarter, then its months within that quarter (202205SD:
 * 2022Q1, 202204, 202205; 2022Q3SD: 2022Q1, 2022Q2, 2022Q3). Returns how many.
 */
int period_cumulative_parts(struct period p, struct period *parts);

/*
 * The cumulative periods whose figure a change in stored period p changes, into fed (at most
 * PERIOD_FED_MAX); returns how many. Of a flow (sums), a month feeds its own and every later
 * cumulative month and quarter of its year (a quarter and the year feed none: their months
 * do). Of a stock (a level, not a sum), a month or quarter feeds only its own cumulative period:
 * a stock's "s.d." figure is its figure at the period's end.
 */
int period_cumulative_fed(struct period p, int stock, struct period *fed);

#endif
