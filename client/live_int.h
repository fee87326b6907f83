/* live_int.h: what iki watch's live table shares between its files (client/live.c, the terminal
 * and the loop; live_model.c, the values; live_draw.c, the frames); nothing else includes it.
 * Functions shared here begin with view_ (the view: the table on the screen). */
#ifndef IKI_LIVE_INT_H
#define IKI_LIVE_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "iki_client.h"

#define LIVE_FRAME_MS 250   /* at most 4 redraws a second */
#define LIVE_TICK_MS 1000   /* ages and highlights move on at least this often */
#define LIVE_RECENT_MS 3000 /* a changed row stays highlighted this long */
#define LIVE_KEY_MS 100	    /* keys are read at least this often */
#define LIVE_HEAD 3	    /* lines above the rows: two of status, one of headings */

/* ---- the table's model: every value shown, in catalog order ---- */

/* One value on the screen. */
struct row {
	char indicator[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1];
	int ind, ou;	 /* places in the catalog; INT_MAX when it does not list the code */
	long period_key; /* a year, then each quarter followed by its months */
	int64_t num, den, factor;
	bool has_capaian;
	double capaian;
	char predikat[32];
	char check[PROTO_CHECK_MAX + 1]; /* the validation rule it breaks: perlu diperiksa */
	int64_t changed_ms; /* when an update last changed it (monotonic); 0: never */
	int trend;	    /* that change: +1 up, -1 down, 0 new or the same ratio */
};

/* A row's place in the order by latest change. */
struct order {
	int64_t changed_ms;
	size_t at;
};

/* A catalog code and its place in the catalog, for a binary search by code. */
struct rank {
	const char *code;
	int at;
};

struct view {
	const struct iki_client_options *o;
	const struct proto_query *filter;
	struct iki_stream *s;
	struct proto_msg cat;	 /* ikid's catalog (describe); empty when it would not say */
	struct rank *inds, *ous; /* the catalog's codes, sorted */
	struct row *rows;	 /* sorted in catalog order */
	struct row *old;	 /* while a snapshot comes in: the rows it replaces */
	size_t n_old;
	bool had; /* a snapshot was shown before: the next one marks what it changes */
	size_t n, cap, loading; /* loading: snapshot values still to come */
	struct order *order;	/* rows by latest change (when by_change) */
	bool by_change;
	size_t top; /* first row on the screen */
	int height, width, code_w;
	char **shown; /* each screen line as drawn */
	int n_shown;
	bool dirty, full, tty_in;
	int64_t drawn_ms;
	char problem[160]; /* shown in the header while ikid does not answer */
	struct termios saved;
	volatile sig_atomic_t *stop; /* the command's: set by SIGINT, SIGTERM and q */
};

/* ---- the model (live_model.c) ---- */

/* Ask ikid for names and order (a view without them shows codes in code order). */
void view_catalog(struct view *v, struct iki_client *c);
/* Take one event of the stream into the model, at now (monotonic milliseconds). */
void view_apply(struct view *v, const struct iki_stream_event *ev, int64_t now);
/* Free what the view holds (not v itself). */
void view_free(struct view *v);
/*
 * 2022 -> 2022000000, 2022Q1 -> 2022010000, 202203 -> 2022010300, each cumulative period just
 * after the period it ends with (2022Q1SD -> 2022010001); LONG_MAX for what is not a period.
 */
long view_period_key(const char *p);

/* ---- drawing (live_draw.c) ---- */

/* Draw a frame: only the lines that differ from what the screen shows (all after a resize). */
void view_draw(struct view *v, int64_t now);
/* Write all of buf to stdout (a terminal may take it in parts). */
void view_write(const char *buf, size_t len);

#endif
