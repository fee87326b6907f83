/* targets.h: the target of each indicator value, and the capaian and predikat that follow. */
#ifndef IKI_TARGETS_H
#define IKI_TARGETS_H

#include "catalog.h"
#include "proto.h"

/*
 * Fill v's target, capaian and predikat from indicator ind's target for v's period (the
 * catalog's default), the indicator's polarity and the catalog's bands. A value without data
 * (den 0) gets its target but no capaian.
 */
void targets_decorate(const struct catalog *cat, int ind, struct proto_value *v);

#endif
