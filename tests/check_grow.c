/* check_grow.c: the one growable array (mem/grow.c): doubling, its limits, what a failure keeps. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "suite.h"

START_TEST(test_room_doubles_and_the_elements_stay)
{
	int *a = NULL;
	size_t n = 0, cap = 0, reallocs = 0;
	for (int i = 0; i < 100000; i++) {
		size_t was = cap;
		ck_assert_int_eq(grow((void **)&a, &cap, n + 1, sizeof(*a)), 0);
		ck_assert_uint_ge(cap, n + 1);
		if (cap != was) {
			ck_assert(was == 0 ? cap == GROW_MIN : cap == 2 * was);
			reallocs++;
		}
		a[n++] = i;
	}
	for (int i = 0; i < 100000; i++)
		ck_assert_int_eq(a[i], i);
	ck_assert_uint_le(reallocs, 14); /* 16 ... 131072: doubling, not one at a time */
	free(a);
}
END_TEST

START_TEST(test_a_large_need_is_met_at_once_and_room_enough_changes_nothing)
{
	char *b = NULL;
	size_t cap = 0;
	ck_assert_int_eq(grow((void **)&b, &cap, 100000, 1), 0);
	ck_assert_uint_eq(cap, 131072);
	char *was = b;
	memset(b, 'x', 100000);
	ck_assert_int_eq(grow((void **)&b, &cap, 131072, 1), 0);
	ck_assert(b == was && cap == 131072);
	ck_assert_int_eq(grow((void **)&b, &cap, 0, 1), 0);
	ck_assert(b == was && cap == 131072);
	free(b);
}
END_TEST

START_TEST(test_an_overflowing_size_fails_and_keeps_the_array)
{
	long *a = NULL;
	size_t cap = 0;
	ck_assert_int_eq(grow((void **)&a, &cap, 4, sizeof(*a)), 0);
	long *was = a;
	size_t was_cap = cap;
	a[0] = 7;
	ck_assert_int_eq(grow((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -ENOMEM);
	ck_assert_int_eq(grow((void **)&a, &cap, SIZE_MAX, 1), -ENOMEM);
	ck_assert(a == was && cap == was_cap && a[0] == 7);
	free(a);
}
END_TEST

static Suite *grow_suite(void)
{
	Suite *s = suite_create("grow");
	TCase *tc = tcase_create("grow");
	tcase_add_test(tc, test_room_doubles_and_the_elements_stay);
	tcase_add_test(tc, test_a_large_need_is_met_at_once_and_room_enough_changes_nothing);
	tcase_add_test(tc, test_an_overflowing_size_fails_and_keeps_the_array);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(grow_suite)
