/* i18n.c: choosing the client's language (Indonesian unless asked otherwise) and its catalog. */
#include "i18n.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IKI_LOCALEDIR
#define IKI_LOCALEDIR "/usr/local/share/locale"
#endif

/*
 * LANG=C (or POSIX) is a person asking for the untranslated program. C.UTF-8 is not: Debian's
 * images and many servers set it only to get UTF-8, so it speaks the office's language.
 */
/* The locale variable POSIX says LC_MESSAGES comes from, NULL when none is set. */
static const char *messages_locale(void)
{
	static const char *const names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

static bool is_c_locale(const char *l)
{
	return !strcmp(l, "C") || !strcmp(l, "POSIX");
}

/* dir/locale when dir/locale/id/LC_MESSAGES/iki.mo exists (dir: the binary's directory). */
static bool catalog_beside_binary(char *out, size_t n)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return false;
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	char mo[4200];
	int m = snprintf(mo, sizeof(mo), "%s/locale/id/LC_MESSAGES/" IKI_TEXTDOMAIN ".mo", exe);
	if (m < 0 || (size_t)m >= sizeof(mo) || access(mo, R_OK) != 0)
		return false;
	m = snprintf(out, n, "%s/locale", exe);
	return m > 0 && (size_t)m < n;
}

void i18n_init(void)
{
	const char *l = messages_locale();
	if (l && is_c_locale(l))
		return; /* English: the msgids */
	/* gettext translates nothing in the "C" locale, which is what an unset LANG or a locale
	 * the machine lacks gives: C.UTF-8 (built into glibc) lets LANGUAGE choose. */
	const char *got = setlocale(LC_MESSAGES, "");
	if (!got || !strcmp(got, "C"))
		setlocale(LC_MESSAGES, "C.UTF-8");
	const char *language = getenv("LANGUAGE");
	if (!language || !*language) /* a LANGUAGE the person set wins */
		setenv("LANGUAGE", "id", 1);
	char dir[4200];
	const char *env = getenv("IKI_LOCALEDIR");
	if (env && *env)
		bindtextdomain(IKI_TEXTDOMAIN, env);
	else if (catalog_beside_binary(dir, sizeof(dir)))
		bindtextdomain(IKI_TEXTDOMAIN, dir);
	else
		bindtextdomain(IKI_TEXTDOMAIN, IKI_LOCALEDIR);
	bind_textdomain_codeset(IKI_TEXTDOMAIN, "UTF-8");
}
