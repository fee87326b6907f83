/* live.c: iki watch's live table: ikid's values in place on a terminal, like top (live.h): the
 * terminal, the keys and the loop; the values are live_model.c's, the frames live_draw.c's. */
#define _DEFAULT_SOURCE /* SIGWINCH, TIOCGWINSZ */
#include "live.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "live_int.h"

/* Set by the signal handlers, read by the loop (a handler only sets a flag). */
static volatile sig_atomic_t resized, suspended;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		suspended = 1;
}

/* Catch sig with on_signal, without SA_RESTART: a wait ends at once and the loop looks. */
static void catch_signal(int sig)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_str(const char *s)
{
	view_write(s, strlen(s));
}

/* ---- the terminal ---- */

/* Take the terminal's size, and forget what was drawn: the next frame draws every line. */
static void term_size(struct view *v)
{
	struct winsize ws;
	int h = 24, w = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		h = ws.ws_row;
		w = ws.ws_col;
	}
	for (int i = 0; i < v->n_shown; i++)
		free(v->shown[i]);
	free(v->shown);
	v->shown = calloc((size_t)h, sizeof(*v->shown));
	v->n_shown = v->shown ? h : 0;
	v->height = h;
	v->width = w;
	v->full = true;
	write_str("\x1b[2J");
}

/* The alternate screen, no cursor, no line wrap; keys one at a time, not echoed. */
static void term_enter(struct view *v)
{
	v->tty_in = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &v->saved) == 0;
	if (v->tty_in) {
		struct termios t = v->saved;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	write_str("\x1b[?1049h\x1b[?25l\x1b[?7l");
	term_size(v);
}

/* Give the terminal back as it was. */
static void term_leave(struct view *v)
{
	write_str("\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l");
	if (v->tty_in)
		tcsetattr(STDIN_FILENO, TCSANOW, &v->saved);
}

/* Ctrl-Z: give the terminal back, stop; when continued, take it again and redraw. */
static void term_suspend(struct view *v)
{
	suspended = 0;
	term_leave(v);
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	catch_signal(SIGTSTP);
	term_enter(v);
}

/* The plain key that does what the escape sequence at k (after ESC) does; *used: its length. */
static char key_escape(const char *k, ssize_t n, ssize_t *used)
{
	static const struct {
		const char *seq;
		char key;
	} seqs[] = {
	    {"[A", 'k'},  {"OA", 'k'}, {"[B", 'j'}, {"OB", 'j'},  {"[5~", 'b'}, {"[6~", ' '},
	    {"[1~", 'g'}, {"[H", 'g'}, {"OH", 'g'}, {"[4~", 'G'}, {"[F", 'G'},	{"OF", 'G'},
	};
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		ssize_t len = (ssize_t)strlen(seqs[i].seq);
		if (n >= len && !memcmp(k, seqs[i].seq, (size_t)len)) {
			*used = len;
			return seqs[i].key;
		}
	}
	*used = 0;
	return 0;
}

/* Keys waiting on stdin: q quits; arrows, PgUp, PgDn, Home, End (or k j b space g G) scroll;
 * u switches the order. */
static void view_keys(struct view *v)
{
	char k[64];
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	if (!v->tty_in || poll(&p, 1, 0) <= 0)
		return;
	ssize_t n = read(STDIN_FILENO, k, sizeof(k));
	size_t body = v->height > LIVE_HEAD + 1 ? (size_t)(v->height - LIVE_HEAD - 1) : 1;
	for (ssize_t i = 0, used; i < n; i++) {
		char c = k[i];
		if (c == '\x1b') {
			c = key_escape(k + i + 1, n - i - 1, &used);
			i += used;
		}
		if (c == 'q' || c == 'Q')
			*v->stop = 1;
		else if (c == 'k' && v->top > 0)
			v->top--;
		else if (c == 'j')
			v->top++;
		else if (c == 'b')
			v->top = v->top > body ? v->top - body : 0;
		else if (c == ' ')
			v->top += body;
		else if (c == 'g')
			v->top = 0;
		else if (c == 'G')
			v->top = v->n; /* view_draw brings it back to the last page */
		else if (c == 'u')
			v->by_change = !v->by_change;
		v->dirty = true;
	}
}

/* ---- the table's loop ---- */

/*
 * Draw until stopped: a frame at most every LIVE_FRAME_MS while values change, and every
 * LIVE_TICK_MS anyway (ages, highlights that fade). ikid not answering a snapshot, or answering
 * busy, is shown and tried again; any other failure ends the view and is returned.
 */
static int run_table(struct view *v)
{
	int rc = 0;
	term_enter(v);
	while (!*v->stop) {
		if (suspended)
			term_suspend(v);
		if (resized) {
			resized = 0;
			term_size(v);
		}
		view_keys(v);
		int64_t now = now_ms();
		int64_t due = v->drawn_ms + (v->dirty ? LIVE_FRAME_MS : LIVE_TICK_MS);
		if ((now >= due || v->full) && v->loading == 0) {
			view_draw(v, now);
			continue;
		}
		int64_t wait = v->loading ? 0 : due - now < LIVE_KEY_MS ? due - now : LIVE_KEY_MS;
		struct iki_stream_event ev;
		rc = iki_stream_next(v->s, &ev, (int)wait);
		if (rc == 1)
			view_apply(v, &ev, now_ms());
		else if (rc == IKI_ETIMEOUT)
			snprintf(v->problem, sizeof(v->problem),
				 "ikid tidak menjawab; mencoba lagi");
		else if (iki_code_busy(rc)) /* the stream asks again, later */
			snprintf(v->problem, sizeof(v->problem),
				 "ikid sedang sibuk; meminta nilai lagi sebentar lagi");
		else if (rc < 0 && rc != -EINTR)
			break;
		rc = 0;
	}
	term_leave(v);
	return rc;
}


int live_run(const struct iki_client_options *o, struct iki_client *c, struct iki_stream *s,
	     const struct proto_query *filter, volatile sig_atomic_t *stop)
{
	struct view v = {.o = o, .filter = filter, .s = s, .stop = stop};
	catch_signal(SIGWINCH);
	catch_signal(SIGTSTP);
	view_catalog(&v, c);
	int rc = run_table(&v);
	view_free(&v);
	return rc;
}
