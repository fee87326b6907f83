/* schedule.c: the reports the catalog's schedules make due (see schedule.h). */
#include "schedule.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define SCHEDULE_BATCH 2000 /* events per transaction */

/* The opening event of the report due for period p under schedule x. */
static void due_event(const struct catalog *cat, const struct catalog_schedule *x, struct period p,
		      struct proto_event *ev)
{
	char pid[PERIOD_ID_MAX], due[16];
	int32_t first, last;
	period_format(p, pid);
	period_bounds(p, &first, &last);
	period_date_format(last + x->due_days, due);
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->id, sizeof(ev->id), "%s/%s/%s", SCHEDULE_WHO, x->code, pid);
	snprintf(ev->element, sizeof(ev->element), "%s", cat->casetypes[x->ct].code);
	snprintf(ev->orgunit, sizeof(ev->orgunit), "%s", cat->orgunits[x->ou].code);
	period_date_format(last, ev->date);
	ev->op = PROTO_OP_OPEN;
	ev->value = 1;
	snprintf(ev->case_id, sizeof(ev->case_id), "%s/%s", x->code, pid);
	snprintf(ev->comment, sizeof(ev->comment), "%s %s, jatuh tempo %s", x->name, pid, due);
}

/* Apply n events in one batch; count the outcomes. */
static int apply(struct store *st, const struct proto_event *ev, size_t n, uint64_t *opened,
		 uint64_t *refused)
{
	struct store_batch *b;
	struct store_change *ch = NULL;
	size_t n_ch = 0;
	int rc = store_begin(st, &b);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct proto_result res;
		rc = store_apply(b, &ev[i], SCHEDULE_WHO, &res);
		if (rc == 0 && res.status == PROTO_STATUS_OK)
			(*opened)++;
		if (rc == 0 && res.status == PROTO_STATUS_ERROR) {
			(*refused)++;
			log_warnx("schedule: %s not opened: %s", ev[i].id, res.message);
		}
	}
	if (rc < 0) {
		store_abort(&b);
		return rc;
	}
	rc = store_commit(&b, &ch, &n_ch); /* at start-up: nobody to publish to yet */
	free(ch);
	return rc;
}

int schedule_open_all(struct store *st, const struct catalog *cat, uint64_t *opened,
		      uint64_t *refused)
{
	struct proto_event *ev = calloc(SCHEDULE_BATCH, sizeof(*ev));
	size_t n = 0;
	int rc = ev ? 0 : -ENOMEM;
	*opened = *refused = 0;
	for (int i = 0; rc == 0 && i < cat->n_schedules; i++) {
		const struct catalog_schedule *x = &cat->schedules[i];
		for (int y = x->year_from; rc == 0 && y <= x->year_to; y++) {
			int count = x->every == PERIOD_MONTH ? 12 : x->every == PERIOD_QUARTER ? 4 : 1;
			for (int k = 1; rc == 0 && k <= count; k++) {
				struct period p = {x->every, y, x->every == PERIOD_YEAR ? 0 : k};
				due_event(cat, x, p, &ev[n++]);
				if (n == SCHEDULE_BATCH) {
					rc = apply(st, ev, n, opened, refused);
					n = 0;
				}
			}
		}
	}
	if (rc == 0 && n > 0)
		rc = apply(st, ev, n, opened, refused);
	free(ev);
	return rc;
}
