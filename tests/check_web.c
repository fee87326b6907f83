/*
 * check_web.c: ikiweb's sessions and users modules on their own: ids and CSRF tokens random and
 * distinct, idle and absolute expiry, ending a user's sessions, the oldest session dropped at
 * the limit, lock-outs per user and per address, the users and tokens files written and read
 * back (0600, hashes only), Argon2id checks (an unknown name answered like a wrong password).
 * The HTTP side is tests/web_api.py.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "harness.h"
#include "session.h"
#include "suite.h"
#include "users.h"

START_TEST(test_session_ids_are_random_and_looked_up)
{
	struct session_options o = {0};
	struct sessions *s = sessions_new(&o);
	char id1[SESSION_ID_LEN + 1], c1[SESSION_ID_LEN + 1], id2[SESSION_ID_LEN + 1],
		c2[SESSION_ID_LEN + 1];
	struct session_info si;
	ck_assert_int_eq(sessions_create(s, "a", id1, c1), 0);
	ck_assert_int_eq(sessions_create(s, "b", id2, c2), 0);
	ck_assert_uint_eq(strlen(id1), SESSION_ID_LEN);
	ck_assert_str_ne(id1, id2);
	ck_assert_str_ne(id1, c1);
	ck_assert_int_eq(sessions_lookup(s, id1, &si), 0);
	ck_assert_str_eq(si.user, "a");
	ck_assert_str_eq(si.csrf, c1);
	id1[5] ^= 1;
	ck_assert_int_eq(sessions_lookup(s, id1, &si), -ENOENT);
	ck_assert_int_eq(sessions_lookup(s, "short", &si), -ENOENT);
	sessions_end(s, id2);
	ck_assert_int_eq(sessions_lookup(s, id2, &si), -ENOENT);
	sessions_free(&s);
	ck_assert_ptr_null(s);
	sessions_free(&s);
}
END_TEST

START_TEST(test_session_idle_and_absolute_expiry)
{
	struct session_options o = {.idle_s = 1, .max_s = 3};
	struct sessions *s = sessions_new(&o);
	char id[SESSION_ID_LEN + 1], csrf[SESSION_ID_LEN + 1], id2[SESSION_ID_LEN + 1];
	struct session_info si;
	sessions_create(s, "a", id, csrf);
	sessions_create(s, "b", id2, csrf);
	harness_sleep_ms(2100);
	ck_assert_int_eq(sessions_lookup(s, id, &si), -ENOENT); /* idle 2 s > 1 s */
	sessions_free(&s);
	s = sessions_new(&(struct session_options){.idle_s = 2, .max_s = 3});
	sessions_create(s, "a", id, csrf);
	for (int i = 0; i < 3; i++) { /* kept busy: only the absolute limit ends it */
		harness_sleep_ms(900);
		ck_assert_int_eq(sessions_lookup(s, id, &si), 0);
	}
	harness_sleep_ms(1100);
	ck_assert_int_eq(sessions_lookup(s, id, &si), -ENOENT);
	sessions_free(&s);
}
END_TEST

START_TEST(test_session_limit_drops_the_oldest_and_end_user)
{
	struct sessions *s = sessions_new(&(struct session_options){.max_sessions = 3});
	char id[4][SESSION_ID_LEN + 1], csrf[SESSION_ID_LEN + 1];
	struct session_info si;
	sessions_create(s, "a", id[0], csrf);
	harness_sleep_ms(20); /* a later creation time */
	for (int i = 1; i < 4; i++)
		sessions_create(s, i == 3 ? "c" : "b", id[i], csrf);
	ck_assert_int_eq(sessions_lookup(s, id[0], &si), -ENOENT);
	ck_assert_int_eq(sessions_lookup(s, id[3], &si), 0);
	sessions_end_user(s, "b");
	ck_assert_int_eq(sessions_lookup(s, id[1], &si), -ENOENT);
	ck_assert_int_eq(sessions_lookup(s, id[2], &si), -ENOENT);
	ck_assert_int_eq(sessions_lookup(s, id[3], &si), 0);
	sessions_free(&s);
}
END_TEST

START_TEST(test_lockout_per_user_and_per_address)
{
	struct sessions *s = sessions_new(&(struct session_options){.login_attempts = 3});
	int retry = 0;
	for (int i = 0; i < 2; i++)
		sessions_login_failed(s, "u", "10.0.0.1");
	ck_assert_int_eq(sessions_login_allowed(s, "u", "10.0.0.1", &retry), 0);
	sessions_login_failed(s, "u", "10.0.0.1");
	ck_assert_int_eq(sessions_login_allowed(s, "u", "10.0.0.2", &retry), -EAGAIN);
	ck_assert_int_gt(retry, SESSION_LOCKOUT_S - 5);
	ck_assert_int_le(retry, SESSION_LOCKOUT_S);
	ck_assert_int_eq(sessions_login_allowed(s, "v", "10.0.0.1", &retry), 0);
	for (int i = 0; i < 9; i++) /* 3 + 9 = 12 = 4 x 3 from one address */
		sessions_login_failed(s, i % 2 ? "x" : "y", "10.0.0.1");
	ck_assert_int_eq(sessions_login_allowed(s, "v", "10.0.0.1", &retry), -EAGAIN);
	ck_assert_int_eq(sessions_login_allowed(s, "v", "10.0.0.3", &retry), 0);
	sessions_free(&s);
}
END_TEST

START_TEST(test_good_login_clears_the_count)
{
	struct sessions *s = sessions_new(&(struct session_options){.login_attempts = 3});
	int retry;
	sessions_login_failed(s, "u", "a");
	sessions_login_failed(s, "u", "a");
	sessions_login_ok(s, "u");
	sessions_login_failed(s, "u", "a");
	ck_assert_int_eq(sessions_login_allowed(s, "u", "a", &retry), 0);
	sessions_free(&s);
}
END_TEST

static char dir[128];

static void scratch_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iki-check-web-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void scratch_teardown(void)
{
	harness_rmtree(dir);
}

START_TEST(test_users_and_tokens_round_trip)
{
	struct users *u = NULL;
	char err[200] = "", secret[64], path[256];
	struct web_user w = {.name = "desa-x", .role = "clerk", .scope = "35.27.03.2001",
			     .display = "Petugas Desa X"};
	struct stat st;
	ck_assert_int_eq(users_load(dir, &u, err, sizeof(err)), 0); /* no files: empty */
	ck_assert_uint_eq(users_count(u), 0);
	ck_assert_int_eq(users_hash_password(&w, "rahasia-sekali"), 0);
	ck_assert_str_ne(w.hash, "rahasia-sekali");
	ck_assert_int_eq(users_add(u, &w), 0);
	ck_assert_int_eq(users_add(u, &w), -EEXIST);
	ck_assert_int_eq(users_token_add(u, "t1", "desa-x", true, false, secret, sizeof(secret)), 0);
	ck_assert_int_eq(users_token_add(u, "t2", "nobody", true, true, secret + 0, 64), -EINVAL);
	ck_assert_int_eq(strncmp(secret, "iki_", 4), 0);
	ck_assert_int_eq(users_save(u), 0);
	users_free(&u);
	snprintf(path, sizeof(path), "%s/tokens", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	FILE *f = fopen(path, "r");
	char text[1024] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	ck_assert_ptr_null(strstr(text, secret + 4)); /* only its hash */
	ck_assert_int_eq(users_load(dir, &u, err, sizeof(err)), 0);
	const struct web_user *got = users_find(u, "desa-x");
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->scope, "35.27.03.2001");
	ck_assert_str_eq(got->display, "Petugas Desa X");
	ck_assert_int_eq(users_check_password(got, "rahasia-sekali"), 0);
	ck_assert_int_eq(users_check_password(got, "rahasia-sekalI"), -EACCES);
	ck_assert_int_eq(users_check_password(NULL, "rahasia-sekali"), -EACCES);
	const struct web_token *t = users_token_find(u, secret);
	ck_assert_ptr_nonnull(t);
	ck_assert(t->read && !t->submit);
	secret[10] ^= 1;
	ck_assert_ptr_null(users_token_find(u, secret));
	ck_assert_int_eq(users_del(u, "desa-x"), 0);
	ck_assert_uint_eq(users_token_count(u), 0); /* its tokens went with it */
	users_free(&u);
}
END_TEST

START_TEST(test_users_file_errors_name_the_line)
{
	struct users *u = NULL;
	char err[300] = "", path[256];
	snprintf(path, sizeof(path), "%s/users", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "# comment\nok\tviewer\t-\t$argon2id$v=19$x\tOk\nbad name\tadmin\t-\t$argon2id$\tX\n");
	fclose(f);
	ck_assert_int_eq(users_load(dir, &u, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(u);
	ck_assert_ptr_nonnull(strstr(err, "users:3"));
}
END_TEST

START_TEST(test_names_roles_scopes)
{
	ck_assert(users_name_ok("desa-aengsareh"));
	ck_assert(users_name_ok("a.b_c@d"));
	ck_assert(!users_name_ok(""));
	ck_assert(!users_name_ok("a b"));
	ck_assert(!users_name_ok("a\tb"));
	ck_assert(!users_name_ok("../x"));
	ck_assert(users_role_ok("admin", "-"));
	ck_assert(!users_role_ok("admin", "35.27.03.2001"));
	ck_assert(users_role_ok("clerk", "35.27.03.2001"));
	ck_assert(!users_role_ok("clerk", "-"));
	ck_assert(users_role_ok("section", "umum"));
	ck_assert(!users_role_ok("root", "-"));
}
END_TEST

static Suite *web_suite(void)
{
	Suite *s = suite_create("web");
	TCase *t = tcase_create("sessions");
	tcase_set_timeout(t, 30);
	tcase_add_test(t, test_session_ids_are_random_and_looked_up);
	tcase_add_test(t, test_session_idle_and_absolute_expiry);
	tcase_add_test(t, test_session_limit_drops_the_oldest_and_end_user);
	tcase_add_test(t, test_lockout_per_user_and_per_address);
	tcase_add_test(t, test_good_login_clears_the_count);
	suite_add_tcase(s, t);
	t = tcase_create("users");
	tcase_set_timeout(t, 30);
	tcase_add_checked_fixture(t, scratch_setup, scratch_teardown);
	tcase_add_test(t, test_users_and_tokens_round_trip);
	tcase_add_test(t, test_users_file_errors_name_the_line);
	tcase_add_test(t, test_names_roles_scopes);
	suite_add_tcase(s, t);
	return s;
}

static Suite *make(void)
{
	if (sodium_init() < 0)
		abort();
	return web_suite();
}

SUITE_MAIN(make)
