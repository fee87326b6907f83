/* period.h: calendar dates and DHIS2-style period ids (2022, 2022Q1, 202203), pure functions. */
#ifndef IKI_PERIOD_H
#define IKI_PERIOD_H

#include <stdint.h>

#define PERIOD_YEAR_MIN 2000
#define PERIOD_YEAR_MAX 2099
#define PERIOD_ID_MAX 8 /* "2022Q1", "202203", "2022": at most 6 characters, plus NUL */

enum period_kind { PERIOD_MONTH = 1, PERIOD_QUARTER = 2, PERIOD_YEAR = 3 };

struct period {
	enum period_kind kind;
	int year;
	int n; /* month 1-12, quarter 1-4, 0 for a year */
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

/* Parse "2022", "2022Q1" or "202203". Returns 0, or IKI_EPERIOD. */
int period_parse(const char *s, struct period *p);

/* Format a period id into buf (at least PERIOD_ID_MAX bytes). */
void period_format(struct period p, char *buf);

/* First and last day (days since 1970-01-01) of a period. */
void period_bounds(struct period p, int32_t *first, int32_t *last);

#endif
