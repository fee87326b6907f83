/* i18n.h: the client's words through GNU gettext: _() and N_(), and choosing the language. */
#ifndef IKI_I18N_H
#define IKI_I18N_H

#include <libintl.h>

/* The gettext domain of everything iki (and libiki) says to a person: po/id.po -> iki.mo. */
#define IKI_TEXTDOMAIN "iki"

/*
 * _() translates through the "iki" domain whatever the program's own textdomain is (libiki is
 * linked into other programs); N_() only marks a string for xgettext, for tables of strings
 * translated where they are printed. A format string keeps its msgid's conversions in order.
 */
#define _(s) dgettext(IKI_TEXTDOMAIN, s)
#define N_(s) s

/*
 * Choose the language of the messages and find the catalog; called first thing in main.
 * Bahasa Indonesia unless the person asked for English: LANG, LC_MESSAGES or LC_ALL (the first
 * one set, as POSIX orders them: LC_ALL, LC_MESSAGES, LANG) is exactly C or POSIX, or
 * LANGUAGE names a language before id (LANGUAGE=en). Unset variables, C.UTF-8 (what images
 * set for UTF-8), id_ID, en_US and every other locale give Indonesian (the office's
 * language; an English desktop that wants English sets LANGUAGE, as Ubuntu's does).
 * The catalog is looked for in IKI_LOCALEDIR when set, else beside the binary
 * (BUILD/locale/id/LC_MESSAGES/iki.mo, so BUILD/iki speaks Indonesian in the tree), else in
 * the compiled-in $(PREFIX)/share/locale. Only LC_MESSAGES is taken from the environment: numbers are
 * formatted and parsed the same way in every locale. Never fails: without a catalog, English.
 */
void i18n_init(void);

#endif
