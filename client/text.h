/* text.h: UTF-8 text for terminal tables: widths, cells cut on character boundaries, wrapping. */
#ifndef IKI_TEXT_H
#define IKI_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

/*
 * Width of a UTF-8 string in terminal columns, counted as one column per character (the
 * catalog's Latin text, "×" and "–" are all one column wide).
 */
int text_width(const char *s);

/* Bytes of the longest prefix of s that is at most width characters, never inside a character. */
size_t text_cut(const char *s, int width);

/*
 * Print s to f in a cell of width columns plus one space: cut on a character boundary when
 * longer, padded with spaces when shorter.
 */
void text_cell(FILE *f, const char *s, int width);

/* One line of wrapped text: len bytes of the string from start. */
struct text_line {
	size_t start;
	size_t len;
};

/*
 * Break s into lines of at most width characters (width >= 1), at spaces where it can, inside a
 * word longer than a line where it must (on a character boundary). Fills at most max lines and
 * returns how many lines the whole text needs (0 for an empty string); a caller that gets more
 * than max shows the first max. Spaces at the breaks are dropped.
 */
int text_wrap(const char *s, int width, struct text_line *lines, int max);

/*
 * A number for people, as Indonesian writes it: thousands grouped with '.', decimals after ','
 * ("1.234.567,89" with decimals 2; "1.234" with 0); never "-0,00". Into buf (size n); returns
 * buf. Programs get plain numbers elsewhere (JSON, CSV: "1234567.89").
 */
const char *text_number(double x, int decimals, char *buf, size_t n);

/* The same for a whole count: "1.234.567". */
const char *text_count(long long x, char *buf, size_t n);

/*
 * The flag of a value that breaks its indicator's validation rule (rule: the value's `check`,
 * the rule in words as ikid sends it, "pembilang <= penyebut"): "perlu diperiksa (aturan:
 * pembilang <= penyebut)", or "" when rule is empty. Into buf (size n); returns buf.
 */
const char *text_check(const char *rule, char *buf, size_t n);

/*
 * A moment as people in Sampang read it, in WIB (Asia/Jakarta, UTC+7 all year since 1964),
 * whatever the machine's time zone: "2022-03-14 09:05:00 WIB" (seconds since the epoch).
 */
const char *text_wib(time_t t, char *buf, size_t n);

/* The WIB calendar of t (struct tm fields as gmtime gives them, shifted by 7 hours). */
void text_wib_tm(time_t t, struct tm *tm);

#endif
