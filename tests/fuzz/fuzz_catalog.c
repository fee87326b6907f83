/* fuzz_catalog.c: libFuzzer on the catalog reader. Whatever the file holds, catalog_load must load
 * it or list its errors, never crash, leak or read out of bounds; a catalog it loads must hang
 * together (every code found where it is, every index in range). The reader takes a path, so each
 * input is written to a file of this process's own first: in $TMPDIR, else /dev/shm (memory),
 * else /tmp; it is removed at exit. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

static void remove_file(void)
{
	unlink(path);
}

static const char *scratch_dir(void)
{
	const char *t = getenv("TMPDIR");
	if (t && t[0])
		return t;
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* What a loaded catalog promises the daemon: lookups find each code at its own index, and every
 * index it holds points inside its arrays. */
static void check_catalog(const struct catalog *c)
{
	char buf[PROTO_TEXT_MAX + 1];
	check(c->n_orgunits > 0 && c->orgunits[0].parent == -1);
	for (int i = 0; i < c->n_orgunits; i++)
		check(catalog_orgunit_find(c, c->orgunits[i].code) == i &&
		      c->orgunits[i].parent < c->n_orgunits && (i == 0 || c->orgunits[i].parent >= 0));
	for (int i = 0; i < c->n_elements; i++)
		check(catalog_element_find(c, c->elements[i].code) == i &&
		      c->elements[i].quantity >= 0 && c->elements[i].quantity < c->n_quantities &&
		      catalog_reporters(c, c->elements[i].code) != NULL);
	for (int i = 0; i < c->n_casetypes; i++)
		check(catalog_casetype_find(c, c->casetypes[i].code) == i &&
		      c->casetypes[i].quantity >= 0 && c->casetypes[i].quantity + 2 < c->n_quantities);
	for (int i = 0; i < c->n_quantities; i++)
		check(catalog_quantity_find(c, c->quantities[i].code) == i);
	for (int i = 0; i < c->n_indicators; i++) {
		const struct catalog_indicator *d = &c->indicators[i];
		check(catalog_indicator_find(c, d->code) == i);
		for (int t = 0; t < d->n_num; t++)
			check(d->num[t] >= 0 && d->num[t] < c->n_quantities);
		for (int t = 0; t < d->n_den; t++)
			check(d->den[t] >= 0 && d->den[t] < c->n_quantities);
		catalog_formula_words(c, i, false, buf, sizeof(buf));
		catalog_formula_words(c, i, true, buf, sizeof(buf));
		catalog_indicator_jabatan(c, i, buf, sizeof(buf));
		catalog_target(c, i, (struct period){.kind = PERIOD_QUARTER, .year = 2022, .n = 3});
	}
	for (int i = 0; i < c->n_schedules; i++)
		check(c->schedules[i].ct >= 0 && c->schedules[i].ct < c->n_casetypes &&
		      c->schedules[i].ou >= 0 && c->schedules[i].ou < c->n_orgunits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/iki-fuzz-catalog-%d.conf", scratch_dir(),
			 (int)getpid());
		atexit(remove_file);
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load(path, &c, &errors);
	check((rc == 0) == (c != NULL)); /* a catalog exactly when it loaded */
	check(rc == 0 || rc == -ENOMEM || errors != NULL); /* and a refusal says why */
	if (c)
		check_catalog(c);
	catalog_free(&c);
	free(errors);
	return 0;
}
