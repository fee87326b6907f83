/* schedule.h: the reports the catalog's schedules make due, opened as cases in the store. */
#ifndef IKI_SCHEDULE_H
#define IKI_SCHEDULE_H

#include <stdint.h>

#include "catalog.h"
#include "store.h"

#define SCHEDULE_WHO "jadwal" /* who the log names for the cases a schedule opens */

/*
 * Open, for every schedule and every period of its years, the case of the report due then (id
 * "jadwal/<schedule>/<period>", case "<schedule>/<period>", dated on the period's last day), in
 * the store's log like any event. Already opened ones are duplicates: run it at every start.
 * *opened and *refused count what was opened now and what the store refused (a locked period).
 * Returns 0 or a storage code.
 */
int schedule_open_all(struct store *st, const struct catalog *cat, uint64_t *opened,
		      uint64_t *refused);

#endif
