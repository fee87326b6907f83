/* report.h: iki report: the office's LAKIP accountability tables of a year, from ikid. */
#ifndef IKI_REPORT_H
#define IKI_REPORT_H

#include "iki_client.h"

/*
 * The "iki report" command: argv[0] is "report". Asks ikid (through o) for its catalog and the
 * values of the year and its triwulan, and writes the tables (tables.h, xlsx.h) to standard output
 * or a file, or a PDF of their HTML made by the weasyprint program to a file. Returns iki's exit
 * status: 0, 1 (ikid refused), 2 (usage, output file, no or a failed weasyprint), 3 (ikid
 * unreachable); exits 2 or 3 itself when the client cannot be opened (cli_connect).
 */
int cmd_report(const struct iki_client_options *o, int argc, char **argv);

#endif
