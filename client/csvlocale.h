/* csvlocale.h: CSV as Excel writes it with Indonesian settings (';', decimal comma, dd/mm/yyyy). */
#ifndef IKI_CSVLOCALE_H
#define IKI_CSVLOCALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The separator of a CSV text, guessed from its first record (quoted parts left out): ';' (what
 * Excel writes under Indonesian regional settings, where the comma is the decimal mark), '\t',
 * or ',' (RFC 4180), whichever appears most; ',' on a tie or when none does.
 */
char csvlocale_sep(const char *text, size_t len);

/*
 * The event field a header cell names, compared without case and surrounding blanks: the
 * English names (element, orgunit, ...) and the Indonesian ones of ikiweb's templates ("Kode
 * Elemen", "Kode Wilayah", "Tanggal", "Jumlah", ...). Returns the field's English name, "no"
 * for the row's number (No, Nomor, Nomor Agenda), "" for a column only for people to read
 * ("Nama Elemen", "Nama Wilayah", an empty header cell), NULL for a name not known. *indonesian
 * is set when the name is an Indonesian one. The result is static.
 */
const char *csvlocale_column(const char *header, bool *indonesian);

/*
 * A whole number as Indonesian settings write it: "1.234" (dots group thousands), "12,00"
 * (a decimal comma with zeros only), "12"; blanks and a non-breaking space around or between
 * groups are ignored. Returns 0 with *v set, or -1 (a fraction, a word, a negative number, over
 * 10^15, dots not grouping by three).
 */
int csvlocale_integer(const char *s, long long *v);

/*
 * A date as a day/month/year ("14/03/2022", "1-3-2022", "14.03.2022") or as ISO
 * ("2022-03-14") into out ("2022-03-14", 11 bytes). Returns 0, or -1 when it is neither or not
 * a real day of 2000-2099.
 */
int csvlocale_date(const char *s, char out[11]);

/*
 * An op written in Indonesian (tambah, tetapkan, buka, tutup, selesai, batal) or English
 * (add, set, open, close, void), any case: the English name, or NULL.
 */
const char *csvlocale_op(const char *s);

/*
 * The text as UTF-8. Excel's plain "CSV" (not "CSV UTF-8") is Windows-1252: when text is not
 * valid UTF-8 it is taken as Windows-1252 and converted. Returns a malloc'd copy (NUL-terminated,
 * its length in *out_len) when it converted, NULL when text was UTF-8 already (or out of
 * memory: *out_len is then (size_t)-1).
 */
char *csvlocale_utf8(const char *text, size_t len, size_t *out_len);

/*
 * Read one record of CSV text (RFC 4180 quoting, fields separated by sep, records by CRLF, LF
 * or CR) from *p, before end, into fields: max fields of fsize bytes each, one after another,
 * NUL-terminated; fields past max are read and dropped. *line is advanced by the line breaks
 * read. Returns the number of fields (0 at the end of the text), or -1 on a broken quote or a
 * field longer than fsize - 1.
 */
int csvlocale_record(const char **p, const char *end, char sep, char *fields, size_t fsize,
		     int max, int *line);

/*
 * Write one CSV field to f, after a separator unless first: quoted when it holds sep, a quote
 * or a line break; a text that a spreadsheet would take for a formula (=, +, -, @ first) gets
 * a leading apostrophe, unless it is a number (numeric: the caller wrote it).
 */
void csvlocale_put(FILE *f, const char *s, char sep, bool first, bool numeric);

#endif
