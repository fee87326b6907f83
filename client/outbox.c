/* outbox.c: the client's durable outbox (LMDB): events captured, answered, refused; file rows. */
#define _DEFAULT_SOURCE /* mkdir's modes, open_memstream */
#include "outbox.h"

#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "grow.h"

#define OUTBOX_MAP (1ull << 30) /* 1 GiB of address space; the file grows as it is used */
#define REC_FIELDS 18

/*
 * Four tables: meta ("tag": this outbox's device tag, "next": the last number handed out),
 * events (big-endian seq -> the entry as NUL-separated text), ids (event id -> seq) and rows
 * (file "\x1f" row -> content hash, "\0", the row's last event id, "\0", 'l' live or 'v' voided).
 */
struct iki_outbox {
	MDB_env *env;
	MDB_dbi meta, events, ids, rows;
	char tag[9];
	char dir[4096];
};

/* LMDB's codes in the project's, in this one place. */
static int lmdb_code(int rc)
{
	if (rc == 0)
		return 0;
	if (rc > 0)
		return -rc;
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	return rc == MDB_MAP_FULL ? IKI_EFULL : IKI_ESTORAGE;
}

static void be64_put(unsigned char b[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)(v & 0xff);
}

static uint64_t be64_get(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

int iki_outbox_default_dir(char *buf, size_t n)
{
	const char *env = getenv("IKI_OUTBOX"), *xdg = getenv("XDG_STATE_HOME"),
		   *home = getenv("HOME");
	int len;
	if (env && *env)
		len = snprintf(buf, n, "%s", env);
	else if (xdg && *xdg)
		len = snprintf(buf, n, "%s/iki/outbox", xdg);
	else if (home && *home)
		len = snprintf(buf, n, "%s/.local/state/iki/outbox", home);
	else
		return -ENOENT;
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* mkdir -p, mode 0700 for what it makes. */
static int make_dirs(const char *path)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0700) < 0 && errno != EEXIST)
				return -errno;
			*s = '/';
		}
	return mkdir(p, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/* ---- entries as bytes ---- */

static void put_str(FILE *f, const char *s)
{
	fputs(s, f);
	fputc('\0', f);
}

/* The entry as NUL-separated text (malloc'd), or NULL. */
static char *rec_encode(const struct iki_outbox_entry *e, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "%c%c%d%c%" PRId64 "%c%" PRId64 "%c", (char)e->state, 0, e->duplicate, 0,
		(int64_t)e->code, 0, e->captured, 0);
	fprintf(f, "%" PRId64 "%c", e->answered, 0);
	const char *head[] = {e->owner, e->file, e->row, e->ev.id, e->ev.element, e->ev.orgunit,
			      e->ev.date},
		   *tail[] = {e->ev.case_id, e->ev.comment, e->ev.ref, e->message};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		put_str(f, head[i]);
	fprintf(f, "%d%c%" PRId64 "%c", (int)e->ev.op, 0, e->ev.value, 0);
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		put_str(f, tail[i]);
	return fclose(f) == 0 ? buf : (free(buf), NULL);
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* The entry from its bytes; IKI_ESTORAGE when they are not one. */
static int rec_decode(const char *b, size_t len, uint64_t seq, struct iki_outbox_entry *e)
{
	const char *f[REC_FIELDS];
	size_t k = 0;
	for (size_t i = 0, start = 0; i < len && k < REC_FIELDS; i++)
		if (b[i] == '\0') {
			f[k++] = b + start;
			start = i + 1;
		}
	if (k != REC_FIELDS)
		return IKI_ESTORAGE;
	memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->state = (enum iki_outbox_state)f[0][0];
	e->duplicate = f[1][0] == '1';
	e->code = atoi(f[2]);
	e->captured = strtoll(f[3], NULL, 10);
	e->answered = strtoll(f[4], NULL, 10);
	struct { char *dst; size_t size; int field; } text[] = {
		{e->owner, sizeof(e->owner), 5},	   {e->file, sizeof(e->file), 6},
		{e->row, sizeof(e->row), 7},		   {e->ev.id, sizeof(e->ev.id), 8},
		{e->ev.element, sizeof(e->ev.element), 9}, {e->ev.orgunit, sizeof(e->ev.orgunit), 10},
		{e->ev.date, sizeof(e->ev.date), 11},	   {e->ev.case_id, sizeof(e->ev.case_id), 14},
		{e->ev.comment, sizeof(e->ev.comment), 15}, {e->ev.ref, sizeof(e->ev.ref), 16},
		{e->message, sizeof(e->message), 17}};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		snprintf(text[i].dst, text[i].size, "%s", f[text[i].field]);
	e->ev.op = (enum proto_op)atoi(f[12]);
	e->ev.value = strtoll(f[13], NULL, 10);
	return 0;
}

/* ---- opening ---- */

/* A fresh device tag: 8 hex digits from /dev/urandom (the clock when it cannot be read). */
static void make_tag(char tag[9])
{
	unsigned char r[4] = {0};
	FILE *u = fopen("/dev/urandom", "rb");
	if (!u || fread(r, 1, sizeof(r), u) != sizeof(r)) {
		uint32_t t = (uint32_t)time(NULL) ^ (uint32_t)clock();
		memcpy(r, &t, sizeof(r));
	}
	if (u)
		fclose(u);
	snprintf(tag, 9, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

/* Open the tables and read (or make) the device tag. */
static int open_tables(struct iki_outbox *ob)
{
	MDB_txn *txn;
	MDB_val k = {3, "tag"}, v;
	int rc = mdb_txn_begin(ob->env, NULL, 0, &txn);
	if (rc)
		return lmdb_code(rc);
	rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &ob->meta);
	rc = rc ? rc : mdb_dbi_open(txn, "events", MDB_CREATE, &ob->events);
	rc = rc ? rc : mdb_dbi_open(txn, "ids", MDB_CREATE, &ob->ids);
	rc = rc ? rc : mdb_dbi_open(txn, "rows", MDB_CREATE, &ob->rows);
	rc = rc ? rc : mdb_get(txn, ob->meta, &k, &v);
	if (rc == 0 && v.mv_size == 8) {
		memcpy(ob->tag, v.mv_data, 8);
	} else if (rc == MDB_NOTFOUND) {
		make_tag(ob->tag);
		v = (MDB_val){8, ob->tag};
		rc = mdb_put(txn, ob->meta, &k, &v, 0);
	}
	if (rc) {
		mdb_txn_abort(txn);
		return lmdb_code(rc);
	}
	return lmdb_code(mdb_txn_commit(txn));
}

int iki_outbox_open(const char *dir, struct iki_outbox **out)
{
	struct iki_outbox *ob = calloc(1, sizeof(*ob));
	int rc = ob ? 0 : -ENOMEM;
	if (rc == 0 && dir)
		rc = snprintf(ob->dir, sizeof(ob->dir), "%s", dir) >= (int)sizeof(ob->dir)
			     ? -ENAMETOOLONG
			     : 0;
	else if (rc == 0)
		rc = iki_outbox_default_dir(ob->dir, sizeof(ob->dir));
	if (rc == 0)
		rc = make_dirs(ob->dir);
	if (rc == 0)
		rc = lmdb_code(mdb_env_create(&ob->env));
	if (rc == 0) {
		mdb_env_set_maxdbs(ob->env, 4);
		mdb_env_set_mapsize(ob->env, OUTBOX_MAP);
		rc = lmdb_code(mdb_env_open(ob->env, ob->dir, 0, 0600));
	}
	if (rc == 0)
		rc = open_tables(ob);
	if (rc < 0) {
		iki_outbox_close(&ob);
		return rc;
	}
	*out = ob;
	return 0;
}

void iki_outbox_close(struct iki_outbox **obp)
{
	struct iki_outbox *ob = obp ? *obp : NULL;
	if (!ob)
		return;
	if (ob->env)
		mdb_env_close(ob->env);
	free(ob);
	*obp = NULL;
}

const char *iki_outbox_dir(const struct iki_outbox *ob)
{
	return ob->dir;
}

/* ---- entries in a transaction ---- */

/* The next number of this outbox (seq and id share it). */
static int next_number(struct iki_outbox *ob, MDB_txn *txn, uint64_t *n)
{
	unsigned char b[8];
	MDB_val k = {4, "next"}, v;
	int rc = mdb_get(txn, ob->meta, &k, &v);
	*n = rc == 0 && v.mv_size == 8 ? be64_get(v.mv_data) + 1 : 1;
	if (rc && rc != MDB_NOTFOUND)
		return lmdb_code(rc);
	be64_put(b, *n);
	v = (MDB_val){8, b};
	return lmdb_code(mdb_put(txn, ob->meta, &k, &v, 0));
}

/* Write e under e->seq, and its id into the index. */
static int entry_write(struct iki_outbox *ob, MDB_txn *txn, const struct iki_outbox_entry *e)
{
	unsigned char b[8];
	size_t len;
	char *rec = rec_encode(e, &len);
	if (!rec)
		return -ENOMEM;
	be64_put(b, e->seq);
	MDB_val k = {8, b}, v = {len, rec}, ik = {strlen(e->ev.id), (void *)e->ev.id},
		iv = {8, b};
	int rc = mdb_put(txn, ob->events, &k, &v, 0);
	rc = rc ? rc : mdb_put(txn, ob->ids, &ik, &iv, 0);
	free(rec);
	return lmdb_code(rc);
}

/* The entry of an event id, or -ENOENT. */
static int entry_find(struct iki_outbox *ob, MDB_txn *txn, const char *id,
		      struct iki_outbox_entry *e)
{
	MDB_val ik = {strlen(id), (void *)id}, iv, v;
	int rc = mdb_get(txn, ob->ids, &ik, &iv);
	if (rc == 0 && iv.mv_size != 8)
		return IKI_ESTORAGE;
	rc = rc ? rc : mdb_get(txn, ob->events, &iv, &v);
	if (rc)
		return lmdb_code(rc);
	return rec_decode(v.mv_data, v.mv_size, be64_get(iv.mv_data), e);
}

/* Remove an entry and its id. */
static int entry_delete(struct iki_outbox *ob, MDB_txn *txn, const struct iki_outbox_entry *e)
{
	unsigned char b[8];
	be64_put(b, e->seq);
	MDB_val k = {8, b}, ik = {strlen(e->ev.id), (void *)e->ev.id};
	int rc = mdb_del(txn, ob->events, &k, NULL);
	if (rc == 0 || rc == MDB_NOTFOUND)
		rc = mdb_del(txn, ob->ids, &ik, NULL);
	return rc == MDB_NOTFOUND ? 0 : lmdb_code(rc);
}

/* A new pending entry for ev (an id made here when it has none), at the end of the order. */
static int entry_new(struct iki_outbox *ob, MDB_txn *txn, const char *owner, const char *file,
		     const char *row, struct proto_event *ev)
{
	struct iki_outbox_entry e = {.state = IKI_OUTBOX_PENDING, .captured = (int64_t)time(NULL)};
	int rc = next_number(ob, txn, &e.seq);
	if (rc < 0)
		return rc;
	if (!ev->id[0])
		snprintf(ev->id, sizeof(ev->id), "%s-%" PRIu64, ob->tag, e.seq);
	e.ev = *ev;
	e.ev.err = 0;
	e.ev.err_field[0] = '\0';
	COPY(e.owner, owner ? owner : "");
	COPY(e.file, file ? file : "");
	COPY(e.row, row ? row : "");
	return entry_write(ob, txn, &e);
}

/* Whether two events say the same (their ids aside). */
static bool same_event(const struct proto_event *a, const struct proto_event *b)
{
	return !strcmp(a->element, b->element) && !strcmp(a->orgunit, b->orgunit) &&
	       !strcmp(a->date, b->date) && a->op == b->op && a->value == b->value &&
	       !strcmp(a->case_id, b->case_id) && !strcmp(a->comment, b->comment) &&
	       !strcmp(a->ref, b->ref);
}

/* Make a refused entry pending again (its cause may be gone). */
static int entry_retry(struct iki_outbox *ob, MDB_txn *txn, struct iki_outbox_entry *e)
{
	if (e->state != IKI_OUTBOX_REFUSED)
		return 0;
	e->state = IKI_OUTBOX_PENDING;
	e->code = 0;
	e->message[0] = '\0';
	e->answered = 0;
	return entry_write(ob, txn, e);
}

/* iki_outbox_put's rule for one event with an id of its own (or none). */
static int put_one(struct iki_outbox *ob, MDB_txn *txn, const char *owner, const char *file,
		   struct proto_event *ev, enum iki_outbox_row *outcome)
{
	struct iki_outbox_entry old;
	int rc = ev->id[0] ? entry_find(ob, txn, ev->id, &old) : -ENOENT;
	*outcome = IKI_OUTBOX_ROW_NEW;
	if (rc == -ENOENT)
		return entry_new(ob, txn, owner, file, NULL, ev);
	if (rc < 0)
		return rc;
	*outcome = !same_event(&old.ev, ev)	       ? IKI_OUTBOX_ROW_CORRECTED
		   : old.state == IKI_OUTBOX_REFUSED ? IKI_OUTBOX_ROW_RETRIED
						     : IKI_OUTBOX_ROW_SAME;
	if (*outcome != IKI_OUTBOX_ROW_CORRECTED)
		return entry_retry(ob, txn, &old);
	rc = entry_delete(ob, txn, &old); /* other content: it goes again, after what is there */
	return rc < 0 ? rc : entry_new(ob, txn, owner, file, NULL, ev);
}

/* Commit (durably) when rc is 0, else abort; returns the first failure. */
static int txn_end(MDB_txn *txn, int rc)
{
	if (rc < 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	int c = lmdb_code(mdb_txn_commit(txn));
	return c < 0 ? c : rc;
}

int iki_outbox_put(struct iki_outbox *ob, const char *owner, struct proto_event *events, size_t n,
		   enum iki_outbox_row *outcome)
{
	MDB_txn *txn;
	int rc = lmdb_code(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		enum iki_outbox_row o;
		rc = put_one(ob, txn, owner, NULL, &events[i], &o);
		if (outcome)
			outcome[i] = o;
	}
	return txn_end(txn, rc);
}

/* ---- file rows ---- */

/* FNV-1a 64 over a string and its terminator. */
static uint64_t fnv(uint64_t h, const char *s)
{
	do {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	} while (*s++);
	return h;
}

/* A row's content as 16 hex digits (its id aside). */
static void row_hash(const struct proto_event *e, char out[17])
{
	char num[40];
	uint64_t h = 0xcbf29ce484222325ull;
	snprintf(num, sizeof(num), "%d/%" PRId64, (int)e->op, e->value);
	h = fnv(fnv(fnv(fnv(h, e->element), e->orgunit), e->date), num);
	h = fnv(fnv(fnv(h, e->case_id), e->comment), e->ref);
	snprintf(out, 17, "%016" PRIx64, h);
}

/* What the rows table holds for one row. */
struct row_rec {
	char hash[17];
	char id[PROTO_ID_MAX + 1];
	char state; /* 'l' live, 'v' voided */
};

/* The rows table's key of file and row, into buf. */
static MDB_val row_key(char *buf, size_t n, const char *file, const char *row)
{
	int len = snprintf(buf, n, "%s\x1f%s", file, row);
	return (MDB_val){len < 0 ? 0 : (size_t)len < n ? (size_t)len : n - 1, buf};
}

static int row_get(struct iki_outbox *ob, MDB_txn *txn, MDB_val *k, struct row_rec *r)
{
	MDB_val v;
	int rc = mdb_get(txn, ob->rows, k, &v);
	if (rc)
		return lmdb_code(rc);
	const char *b = v.mv_data;
	if (v.mv_size < 20 || b[16] != '\0' || b[v.mv_size - 2] != '\0')
		return IKI_ESTORAGE;
	memcpy(r->hash, b, 17);
	COPY(r->id, b + 17);
	r->state = b[v.mv_size - 1];
	return 0;
}

static int row_put(struct iki_outbox *ob, MDB_txn *txn, MDB_val *k, const struct row_rec *r)
{
	char buf[17 + PROTO_ID_MAX + 3];
	int len = snprintf(buf, sizeof(buf), "%s%c%s%c%c", r->hash, 0, r->id, 0, r->state);
	MDB_val v = {(size_t)len, buf};
	return lmdb_code(mdb_put(txn, ob->rows, k, &v, 0));
}

/* One row of a file: new, the same, or a correction of the row's last event. */
static int put_row(struct iki_outbox *ob, MDB_txn *txn, const char *owner, const char *file,
		   const char *row, struct proto_event *ev, enum iki_outbox_row *outcome)
{
	char kb[IKI_OUTBOX_FILE_MAX + PROTO_ID_MAX + 4];
	MDB_val k = row_key(kb, sizeof(kb), file, row);
	struct row_rec r, now = {.state = 'l'};
	struct iki_outbox_entry last;
	row_hash(ev, now.hash);
	int rc = row_get(ob, txn, &k, &r);
	int found = rc == 0 && r.state == 'l' ? entry_find(ob, txn, r.id, &last) : -ENOENT;
	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (found < 0 && found != -ENOENT)
		return found;
	rc = 0;
	ev->id[0] = '\0';
	*outcome = found == 0 && !strcmp(r.hash, now.hash) ? IKI_OUTBOX_ROW_SAME
		   : found == 0			       ? IKI_OUTBOX_ROW_CORRECTED
						       : IKI_OUTBOX_ROW_NEW;
	if (*outcome == IKI_OUTBOX_ROW_SAME) {
		COPY(ev->id, last.ev.id);
		*outcome = last.state == IKI_OUTBOX_REFUSED ? IKI_OUTBOX_ROW_RETRIED : *outcome;
		return entry_retry(ob, txn, &last);
	}
	if (*outcome == IKI_OUTBOX_ROW_CORRECTED && last.state == IKI_OUTBOX_REFUSED) {
		rc = entry_delete(ob, txn, &last); /* never stored: nothing to correct */
		*outcome = IKI_OUTBOX_ROW_NEW;
	} else if (*outcome == IKI_OUTBOX_ROW_CORRECTED) {
		COPY(ev->ref, last.ev.id);
	}
	rc = rc < 0 ? rc : entry_new(ob, txn, owner, file, row, ev);
	COPY(now.id, ev->id);
	return rc < 0 ? rc : row_put(ob, txn, &k, &now);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Void (or, refused, forget) the last event of a row gone from the file. */
static int void_row(struct iki_outbox *ob, MDB_txn *txn, const char *owner, MDB_val *k,
		    struct row_rec *r, const char *file)
{
	struct iki_outbox_entry last;
	int rc = entry_find(ob, txn, r->id, &last);
	if (rc == -ENOENT || (rc == 0 && last.state == IKI_OUTBOX_REFUSED)) {
		rc = rc == 0 ? entry_delete(ob, txn, &last) : 0;
		return rc < 0 ? rc : lmdb_code(mdb_del(txn, ob->rows, k, NULL));
	}
	if (rc < 0)
		return rc;
	struct proto_event v = {.op = PROTO_OP_VOID};
	COPY(v.ref, last.ev.id);
	COPY(v.comment, "baris tidak ada lagi di file");
	rc = entry_new(ob, txn, owner, file, last.row, &v);
	r->state = 'v';
	return rc < 0 ? rc : row_put(ob, txn, k, r);
}

/* Collect the rows of file (live ones) absent from sorted (n keys) into *gone (malloc'd). */
static int gone_rows(struct iki_outbox *ob, MDB_txn *txn, const char *file, const char **sorted,
		     size_t n, char (**gone)[PROTO_ID_MAX + 1], size_t *n_gone)
{
	char kb[IKI_OUTBOX_FILE_MAX + 4];
	MDB_val k = row_key(kb, sizeof(kb), file, ""), key = k, v;
	MDB_cursor *cur;
	size_t cap = 0;
	int rc = mdb_cursor_open(txn, ob->rows, &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &key, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT)) {
		if (key.mv_size < k.mv_size || memcmp(key.mv_data, k.mv_data, k.mv_size))
			break;
		char row[PROTO_ID_MAX + 1];
		const char *rp = row;
		size_t rl = key.mv_size - k.mv_size;
		rl = rl < PROTO_ID_MAX ? rl : PROTO_ID_MAX;
		memcpy(row, (char *)key.mv_data + k.mv_size, rl);
		row[rl] = '\0';
		if (v.mv_size == 0 || ((const char *)v.mv_data)[v.mv_size - 1] != 'l' ||
		    bsearch(&rp, sorted, n, sizeof(*sorted), cmp_str))
			continue;
		if (grow((void **)gone, &cap, *n_gone + 1, sizeof(**gone)) < 0) {
			rc = ENOMEM;
			break;
		}
		memcpy((*gone)[(*n_gone)++], row, rl + 1);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : lmdb_code(rc);
}

/* The rows of file captured before and absent from sorted: count them, or void them. */
static int missing_rows(struct iki_outbox *ob, MDB_txn *txn, const char *owner, const char *file,
			const char **sorted, size_t n, bool do_void,
			struct iki_outbox_file_report *rep)
{
	char (*gone)[PROTO_ID_MAX + 1] = NULL;
	size_t n_gone = 0;
	int rc = gone_rows(ob, txn, file, sorted, n, &gone, &n_gone);
	rep->missing = n_gone;
	if (n_gone)
		COPY(rep->first_missing, gone[0]);
	for (size_t i = 0; do_void && rc == 0 && i < n_gone; i++) {
		char kb[IKI_OUTBOX_FILE_MAX + PROTO_ID_MAX + 4];
		MDB_val k = row_key(kb, sizeof(kb), file, gone[i]);
		struct row_rec r;
		rc = row_get(ob, txn, &k, &r);
		rc = rc < 0 ? rc : void_row(ob, txn, owner, &k, &r, file);
		rep->voided += rc == 0;
	}
	free(gone);
	return rc;
}

int iki_outbox_put_file(struct iki_outbox *ob, const char *owner, const char *file,
			struct proto_event *events, const char *const *rows, size_t n,
			unsigned flags, enum iki_outbox_row *outcome,
			struct iki_outbox_file_report *rep)
{
	MDB_txn *txn;
	size_t nk = 0;
	const char **sorted = calloc(n ? n : 1, sizeof(*sorted));
	memset(rep, 0, sizeof(*rep));
	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; rows && i < n; i++)
		if (rows[i])
			sorted[nk++] = rows[i];
	qsort(sorted, nk, sizeof(*sorted), cmp_str);
	int rc = lmdb_code(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (rc == 0 && !(flags & IKI_OUTBOX_KEEP_MISSING))
		rc = missing_rows(ob, txn, owner, file, sorted, nk,
				  (flags & IKI_OUTBOX_VOID_MISSING) != 0, rep);
	free(sorted);
	if (rc == 0 && rep->missing > rep->voided)
		rc = 1; /* ask first: nothing is captured */
	for (size_t i = 0; i < n && rc == 0; i++) {
		enum iki_outbox_row o = IKI_OUTBOX_ROW_NEW;
		rc = rows && rows[i] ? put_row(ob, txn, owner, file, rows[i], &events[i], &o)
				     : put_one(ob, txn, owner, file, &events[i], &o);
		if (outcome)
			outcome[i] = o;
		rep->added += o == IKI_OUTBOX_ROW_NEW;
		rep->same += o == IKI_OUTBOX_ROW_SAME || o == IKI_OUTBOX_ROW_RETRIED;
		rep->corrected += o == IKI_OUTBOX_ROW_CORRECTED;
	}
	if (rc == 1) {
		mdb_txn_abort(txn);
		return 1;
	}
	return txn_end(txn, rc);
}

/* ---- reading ---- */

/* Call fn for each entry in capture order until it returns non-zero; returns that, or <0. */
static int each_entry(struct iki_outbox *ob, int (*fn)(const struct iki_outbox_entry *, void *),
		      void *arg)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn), stop = 0;
	rc = rc ? rc : mdb_cursor_open(txn, ob->events, &cur);
	if (rc) {
		if (txn)
			mdb_txn_abort(txn);
		return lmdb_code(rc);
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !stop;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct iki_outbox_entry e;
		if (k.mv_size == 8 && rec_decode(v.mv_data, v.mv_size, be64_get(k.mv_data), &e) == 0)
			stop = fn(&e, arg);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return stop ? stop : rc == MDB_NOTFOUND ? 0 : lmdb_code(rc);
}

/* The state's index: 0 pending, 1 delivered, 2 refused (its IKI_OUTBOX_LIST_* bit is 1 << it). */
static int state_index(enum iki_outbox_state s)
{
	return s == IKI_OUTBOX_PENDING ? 0 : s == IKI_OUTBOX_DELIVERED ? 1 : 2;
}

struct listing {
	unsigned mask;
	const char *owner;
	size_t max, n, cap;
	struct iki_outbox_entry *out;
	size_t counts[3];
};

static int list_one(const struct iki_outbox_entry *e, void *arg)
{
	struct listing *l = arg;
	if (!((1u << state_index(e->state)) & l->mask) || (l->owner && strcmp(l->owner, e->owner)))
		return 0;
	if (grow((void **)&l->out, &l->cap, l->n + 1, sizeof(*l->out)) < 0)
		return -ENOMEM;
	l->out[l->n++] = *e;
	return l->max && l->n >= l->max;
}

int iki_outbox_list(struct iki_outbox *ob, unsigned mask, const char *owner, size_t max,
		    struct iki_outbox_entry **out, size_t *n)
{
	struct listing l = {.mask = mask, .owner = owner, .max = max};
	int rc = each_entry(ob, list_one, &l);
	if (rc < 0) {
		free(l.out);
		return rc;
	}
	*out = l.out;
	*n = l.n;
	return 0;
}

static int count_one(const struct iki_outbox_entry *e, void *arg)
{
	struct listing *l = arg;
	if (!l->owner || !strcmp(l->owner, e->owner))
		l->counts[state_index(e->state)]++;
	return 0;
}

int iki_outbox_count(struct iki_outbox *ob, const char *owner, size_t *pending,
		     size_t *delivered, size_t *refused)
{
	struct listing l = {.owner = owner};
	int rc = each_entry(ob, count_one, &l);
	if (pending)
		*pending = l.counts[0];
	if (delivered)
		*delivered = l.counts[1];
	if (refused)
		*refused = l.counts[2];
	return rc < 0 ? rc : 0;
}

int iki_outbox_get(struct iki_outbox *ob, const char *id, struct iki_outbox_entry *e)
{
	MDB_txn *txn;
	int rc = lmdb_code(mdb_txn_begin(ob->env, NULL, MDB_RDONLY, &txn));
	if (rc < 0)
		return rc;
	rc = entry_find(ob, txn, id, e);
	mdb_txn_abort(txn);
	return rc;
}

/* ---- answers, drops and fixes ---- */

int outbox_code_transient(int code)
{
	return code == IKI_EBUSY || code == IKI_ESTORAGE || code == IKI_EFULL ||
	       code == IKI_EINTERNAL;
}

int outbox_answer(struct iki_outbox *ob, const uint64_t *seq, const struct proto_result *res,
		  size_t n)
{
	MDB_txn *txn;
	int rc = lmdb_code(mdb_txn_begin(ob->env, NULL, 0, &txn));
	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char b[8];
		MDB_val k = {8, b}, v;
		struct iki_outbox_entry e;
		be64_put(b, seq[i]);
		rc = lmdb_code(mdb_get(txn, ob->events, &k, &v));
		rc = rc < 0 ? rc : rec_decode(v.mv_data, v.mv_size, seq[i], &e);
		if (rc == -ENOENT) { /* dropped meanwhile */
			rc = 0;
			continue;
		}
		if (rc < 0 || (res[i].status == PROTO_STATUS_ERROR &&
			       outbox_code_transient(res[i].code)))
			continue;
		e.state = res[i].status == PROTO_STATUS_ERROR ? IKI_OUTBOX_REFUSED
							      : IKI_OUTBOX_DELIVERED;
		e.duplicate = res[i].status == PROTO_STATUS_DUPLICATE;
		e.code = res[i].status == PROTO_STATUS_ERROR ? res[i].code : 0;
		COPY(e.message, res[i].status == PROTO_STATUS_ERROR ? res[i].message : "");
		e.answered = (int64_t)time(NULL);
		rc = entry_write(ob, txn, &e);
	}
	return txn_end(txn, rc);
}

/* The refused entry of id, or -ENOENT / -EBUSY (not refused). */
static int find_refused(struct iki_outbox *ob, MDB_txn *txn, const char *id,
			struct iki_outbox_entry *e)
{
	int rc = entry_find(ob, txn, id, e);
	return rc < 0 ? rc : e->state == IKI_OUTBOX_REFUSED ? 0 : -EBUSY;
}

/* Point the file row of e (if any, and if it still names e) at new_id, or drop it. */
static int row_follow(struct iki_outbox *ob, MDB_txn *txn, const struct iki_outbox_entry *e,
		      const char *new_id)
{
	char kb[IKI_OUTBOX_FILE_MAX + PROTO_ID_MAX + 4];
	struct row_rec r;
	if (!e->row[0])
		return 0;
	MDB_val k = row_key(kb, sizeof(kb), e->file, e->row);
	int rc = row_get(ob, txn, &k, &r);
	if (rc == -ENOENT || (rc == 0 && strcmp(r.id, e->ev.id)))
		return 0;
	if (rc < 0)
		return rc;
	if (!new_id)
		return lmdb_code(mdb_del(txn, ob->rows, &k, NULL));
	COPY(r.id, new_id);
	return row_put(ob, txn, &k, &r);
}

int iki_outbox_drop(struct iki_outbox *ob, const char *id)
{
	MDB_txn *txn;
	struct iki_outbox_entry e;
	int rc = lmdb_code(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (rc < 0)
		return rc;
	rc = find_refused(ob, txn, id, &e);
	rc = rc < 0 ? rc : entry_delete(ob, txn, &e);
	rc = rc < 0 ? rc : row_follow(ob, txn, &e, NULL);
	return txn_end(txn, rc);
}

int iki_outbox_fix(struct iki_outbox *ob, const char *id, const struct proto_event *fixed,
		   char *new_id)
{
	MDB_txn *txn;
	struct iki_outbox_entry e;
	struct proto_event ev = *fixed;
	int rc = lmdb_code(mdb_txn_begin(ob->env, NULL, 0, &txn));
	if (rc < 0)
		return rc;
	rc = find_refused(ob, txn, id, &e);
	ev.id[0] = '\0';
	if (rc == 0 && !ev.ref[0])
		COPY(ev.ref, e.ev.ref);
	rc = rc < 0 ? rc : entry_delete(ob, txn, &e);
	rc = rc < 0 ? rc : entry_new(ob, txn, e.owner, e.file, e.row, &ev);
	rc = rc < 0 ? rc : row_follow(ob, txn, &e, ev.id);
	if (rc == 0)
		snprintf(new_id, PROTO_ID_MAX + 1, "%s", ev.id);
	return txn_end(txn, rc);
}
