/* dhis2_cmd.h: iki import --dhis2 and iki export --dhis2: DHIS2's dataValueSets to and from ikid. */
#ifndef IKI_DHIS2_CMD_H
#define IKI_DHIS2_CMD_H

#include "iki_client.h"

/*
 * "iki import --dhis2 FILE --map MAP": each data value of a dataValueSets file (JSON or CSV)
 * whose data element and org unit the map names becomes an event with an id derived from
 * (dataElement, period, orgUnit, categoryOptionCombo); a value changed since an earlier import
 * becomes a correction (ref) of the event that counts now, an unchanged one adds nothing, a
 * deleted one voids it. argv[0] is "import". Returns iki's exit status (cli.h).
 */
int cmd_import(const struct iki_client_options *o, int argc, char **argv);

/*
 * "iki export --dhis2 --map MAP --period P [--format json|csv] [-o FILE]": the period's values
 * of the mapped data elements (each org unit's own, as DHIS2 stores them) and indicators (at
 * every mapped org unit) as a dataValueSets document. argv[0] is "export".
 */
int cmd_export(const struct iki_client_options *o, int argc, char **argv);

#endif
