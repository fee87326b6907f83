/* targets.c: targets, capaian and predikat of indicator values (see targets.h). */
#include "targets.h"

#include <stdio.h>

void targets_decorate(const struct catalog *cat, int ind, struct proto_value *v)
{
	struct period p;
	double realisasi;
	v->has_target = v->revised = v->has_capaian = false;
	v->predikat[0] = '\0';
	if (ind < 0 || period_parse(v->period, &p) < 0)
		return;
	int64_t t = catalog_target(cat, ind, p);
	if (t <= 0)
		return;
	v->has_target = true;
	v->target = t;
	if (proto_value_ratio(v, &realisasi) &&
	    lakip_capaian(realisasi, (double)t / 100.0,
			  cat->indicators[ind].polarity != CATALOG_DOWN, &v->capaian)) {
		v->has_capaian = true;
		snprintf(v->predikat, sizeof(v->predikat), "%s",
			 lakip_predikat(&cat->bands, v->capaian));
	}
}
