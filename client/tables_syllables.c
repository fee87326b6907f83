/* tables_syllables.c: where an Indonesian word of a narrow cell may break, by its syllables
 * (tables_syllables, tables.h): the HTML's soft hyphens. */
#include "tables.h"

#include <stdbool.h>
#include <string.h>

static bool syl_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* The length of the consonant at w[i]: 2 for ng, ny, kh and sy (one sound each), else 1. */
static size_t syl_consonant(const char *w, size_t i, size_t n)
{
	if (i + 1 >= n)
		return 1;
	char a = w[i], b = w[i + 1];
	return (a == 'n' && (b == 'g' || b == 'y')) || (a == 'k' && b == 'h') || (a == 's' && b == 'y')
		       ? 2
		       : 1;
}

/* Whether consonants a b (their letters, a of len la) may begin a syllable together after a
 * prefix: a stop or f, then r or l (di-pro-ses, ke-pri-ha-tin-an). */
static bool syl_onset(const char *a, size_t la, char b)
{
	return (b == 'r' || b == 'l') && (la == 1 ? strchr("pbtdkgfv", a[0]) != NULL : !strncmp(a, "kh", 2));
}

/* Whether w (lowercase, n letters) begins with prefix p before a vowel. */
static bool syl_prefix(const char *w, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n > k && !strncmp(w, p, k) && syl_vowel(w[k]);
}

/* word (n characters) lowercased into w; false when it is no word to break: a character that is
 * not an ASCII letter, or two capitals (SKPD, RKA, PNS: abbreviations, read letter by letter). */
static bool syl_letters(const char *word, size_t n, char *w)
{
	int capitals = 0;
	for (size_t i = 0; i < n; i++) {
		char c = word[i];
		if (c >= 'A' && c <= 'Z') {
			capitals++;
			c = (char)(c - 'A' + 'a');
		}
		if (c < 'a' || c > 'z')
			return false;
		w[i] = c;
	}
	return capitals <= 1;
}

/* The sounds of a word: where each begins and its letters (a vowel 1, a consonant 1 or 2). */
struct syl_units {
	size_t start[TABLES_WORD_MAX], len[TABLES_WORD_MAX], n;
};

static void syl_units(const char *w, size_t n, struct syl_units *u)
{
	u->n = 0;
	for (size_t i = 0; i < n; i += u->len[u->n++]) {
		u->start[u->n] = i;
		u->len[u->n] = syl_vowel(w[i]) ? 1 : syl_consonant(w, i, n);
	}
}

/* Between each two vowels: one consonant goes to the next syllable, two are parted, of three the
 * first stays when the other two may begin a syllable (ben-trok); else none. */
static void syl_vowel_breaks(const char *w, const struct syl_units *u, bool *brk)
{
	const size_t *start = u->start, *len = u->len;
	for (size_t v = 0; v < u->n; v++) {
		if (!syl_vowel(w[start[v]]))
			continue;
		size_t next = v + 1;
		while (next < u->n && !syl_vowel(w[start[next]]))
			next++;
		size_t k = next - v - 1;
		if (next == u->n || k == 0)
			continue;
		size_t at = 0; /* where the break goes; 0: none */
		if (k == 1)
			at = start[v + 1];
		else if (k == 2 && !syl_onset(w + start[v + 1], len[v + 1], w[start[v + 2]]))
			at = start[v + 2];
		else if (k == 3 && w[start[v + 1]] != 's' && len[v + 3] == 1 &&
			 syl_onset(w + start[v + 2], len[v + 2], w[start[v + 3]]))
			at = start[v + 2]; /* s-tr is adminis-trasi but infra-struktur: neither */
		if (at)
			brk[at] = true;
	}
}

/* A final -an or -i (before -nya) after a consonant keeps it: lapor-an, not lapo-ran. */
static void syl_suffix(const char *w, size_t n, const struct syl_units *u, bool *brk)
{
	size_t base = n > 6 && !strncmp(w + n - 3, "nya", 3) ? n - 3 : n;
	size_t suffix = base >= 4 && !strncmp(w + base - 2, "an", 2) ? base - 2
			: base >= 3 && w[base - 1] == 'i'		  ? base - 1
									  : 0;
	for (size_t i = 1; suffix && i < u->n; i++)
		if (u->start[i] + u->len[i] == suffix && !syl_vowel(w[u->start[i]]))
			brk[u->start[i]] = false;
}

int tables_syllables(const char *word, size_t n, bool *brk)
{
	char w[TABLES_WORD_MAX];
	struct syl_units u;
	int count = 0;
	if (n < 5 || n > TABLES_WORD_MAX)
		return 0;
	memset(brk, 0, n * sizeof(*brk));
	if (!syl_letters(word, n, w))
		return 0;
	syl_units(w, n, &u);
	syl_vowel_breaks(w, &u, brk);
	/* a prefix before a vowel: ber-akhir or be-rakhir, peng-amat-an or pe-nga-mat-an */
	if (syl_prefix(w, n, "ber") || syl_prefix(w, n, "ter") || syl_prefix(w, n, "per") ||
	    syl_prefix(w, n, "meng") || syl_prefix(w, n, "peng"))
		brk[2] = false;
	syl_suffix(w, n, &u, brk);
	for (size_t i = 0; i < n; i++) {
		if (i < 2 || n - i < 3)
			brk[i] = false; /* 2 letters before a break at least, 3 after */
		count += brk[i];
	}
	return count;
}
