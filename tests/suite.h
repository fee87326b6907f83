/* suite.h: the one main() of every Check suite: run it, exit 1 when anything failed. */
#ifndef IKI_SUITE_H
#define IKI_SUITE_H

#include <check.h>

static inline int suite_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* int main(void) running the suite make() builds. */
#define SUITE_MAIN(make)                                                                   \
	int main(void)                                                                      \
	{                                                                                   \
		return suite_run(make());                                                   \
	}

#endif
