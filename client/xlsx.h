/* xlsx.h: the LAKIP tables (iki report --format xlsx) as an Excel workbook, with libxlsxwriter. */
#ifndef IKI_XLSX_H
#define IKI_XLSX_H

#include "tables.h"

/*
 * Write the tables of t (borrowed, as tables_write takes them) as one worksheet to path, or to
 * standard output when path is NULL (through a temporary file: libxlsxwriter writes files).
 * Numbers are numbers (realisasi of a percentage indicator, targets and capaian as percent
 * cells, 0,00 %; numerator and denominator as integers), a value without data an empty cell;
 * each jabatan a titled block of rows grouped as an outline level; the two header rows frozen
 * and repeated on every printed page; A4 landscape, one page wide. Returns 0, -ENOMEM, or -EIO
 * (the file could not be written; errno-style).
 */
int xlsx_write(const struct tables *t, const char *path);

#endif
