/* fuzz_catalog.c: libFuzzer on the catalog reader. Whatever the file holds, catalog_load must load
 * it or list its errors, never crash, leak or read out of bounds. The reader takes a path, so each
 * input is written to a file of this process's own first. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/iki-fuzz-catalog-%d.conf", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load(path, &c, &errors);
	if ((rc == 0) != (c != NULL))
		abort(); /* a catalog exactly when it loaded */
	catalog_free(&c);
	free(errors);
	return 0;
}
