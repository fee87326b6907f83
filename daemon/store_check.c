/* store_check.c: checking the store against its log (verify) and copying it while it runs
 * (backup). Part of the storage module (store_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iki.h"
#include "store_int.h"

/* ---- verify: recompute into a scratch store, compare ---- */

/*
 * A scratch store for store_verify, on the same catalog: an LMDB file made and unlinked at once
 * (nothing to clean up, whatever happens), without lock file or syncs. Its one transaction is
 * never committed: LMDB keeps it in memory, and writes to the file only what outgrows that.
 */
static int scratch_open(const struct store *s, struct store **out)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/iki-verify-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	close(fd);
	struct store *x = calloc(1, sizeof(*x));
	int rc = x ? st_env_open(path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, s->map_max, &x->env)
		   : -ENOMEM;
	unlink(path);
	if (rc == 0) {
		x->cat = s->cat;
		x->map_size = x->map_max = s->map_max;
		rc = st_open_dbs(x);
	}
	if (rc < 0) {
		store_close(&x);
		return rc;
	}
	*out = x;
	return 0;
}

/* What a comparison needs: the stored side (a snapshot of s) and the recomputed one (x). */
struct verify {
	const struct store *s;
	MDB_txn *stored;
	struct store *x;
	MDB_txn *recomputed;
	struct store_report *rep;
};

/*
 * Copy the log of the snapshot into the scratch batch, with an id index made from it: the
 * scratch store then holds what the store would hold had its derived databases been dropped.
 */
struct log_copy {
	const struct verify *vf;
	struct store_batch *b;
};

static int log_copy_one(void *arg, const MDB_val *key, const MDB_val *val)
{
	const struct log_copy *c = arg;
	struct store_batch *b = c->b;
	const struct store *x = c->vf->x;
	struct proto_event ev;
	uint64_t rs;
	char own[ST_KEY_MAX];
	MDB_val k = *key, v = *val;
	if (k.mv_size != 8 || st_record_parse_full(&v, &ev, NULL, 0, NULL, &rs) < 0)
		return st_map_err(MDB_CORRUPTED); /* the truth itself is unreadable: no comparison */
	/* its id, or when that went first to another event, its cell's key (as ikid did) */
	MDB_val ik = {strlen(ev.id), ev.id}, seq = k; /* a put refused points seq elsewhere */
	int rc = mdb_put(b->txn, x->dbi[ST_DB_EVENTS], &k, &v, MDB_APPEND);
	if (rc == 0)
		rc = mdb_put(b->txn, x->dbi[ST_DB_IDS], &ik, &seq, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		rc = st_id_key_of(b->txn, x, &ev, st_get_be64(k.mv_data), rs, own, &ik.mv_size);
		ik.mv_data = own;
		seq = k;
		if (rc == 0)
			rc = mdb_put(b->txn, x->dbi[ST_DB_IDS], &ik, &seq, MDB_NOOVERWRITE);
		else
			rc = MDB_CORRUPTED; /* what a void voids is not in the log */
	}
	if (rc == MDB_KEYEXIST)
		rc = 0; /* an id twice in a cell: the index comparison shows it */
	b->events = st_get_be64(k.mv_data);
	c->vf->rep->events++;
	return st_map_err(rc);
}

static int log_copy(const struct verify *vf, struct store_batch *b)
{
	struct log_copy c = {vf, b};
	return st_each(vf->stored, vf->s->dbi[ST_DB_EVENTS], NULL, log_copy_one, &c);
}

/* Name a mismatch by its key: quantity, org unit and period; case; event id. */
static void describe_key(const struct catalog *cat, int db, const MDB_val *k,
			 struct store_mismatch *m)
{
	char buf[ST_KEY_MAX + 1], date[PROTO_DATE_MAX + 1] = "";
	const char *part[3];
	size_t n = st_key_split(k, buf, part);
	m->what = db == ST_DB_AGG ? "sum" : db == ST_DB_LATEST ? "state" : db == ST_DB_STATES ? "state set"
		: db == ST_DB_CASES ? "case" : db == ST_DB_IDS ? "id" : st_db_names[db];
	if (db == ST_DB_CASES) {
		snprintf(m->name, sizeof(m->name), "%.48s %.64s", part[0], part[1]);
		snprintf(m->orgunit, sizeof(m->orgunit), "%.24s", part[2]);
		return;
	}
	if (db != ST_DB_AGG && db != ST_DB_LATEST && db != ST_DB_STATES) {
		snprintf(m->name, sizeof(m->name), "%.120s", buf); /* an event id */
		return;
	}
	size_t off = (size_t)(part[2] - buf);
	if (db == ST_DB_STATES && off + 12 <= n) { /* the date of the set, as st_state_key writes it */
		const uint8_t *d = (const uint8_t *)k->mv_data + off;
		uint32_t u = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
		period_date_format((int32_t)(u ^ 0x80000000u), date);
	}
	snprintf(m->name, sizeof(m->name), "%.56s%s%s", part[0], date[0] ? " set on " : "", date);
	snprintf(m->orgunit, sizeof(m->orgunit), "%.24s", part[1]);
	if (db != ST_DB_STATES)
		snprintf(m->period, sizeof(m->period), "%.7s", part[2]);
	int q = catalog_quantity_find(cat, part[0]);
	if (q >= 0 && cat->quantities[q].n_indicators > 0)
		snprintf(m->indicator, sizeof(m->indicator), "%s",
			 cat->indicators[cat->quantities[q].indicators[0]].code);
}

/* A stored or recomputed value in words (v NULL: there is none). */
static void describe_value(int db, const MDB_val *v, char *out, size_t n, struct store_mismatch *m)
{
	char d1[PROTO_DATE_MAX + 1], d2[PROTO_DATE_MAX + 1];
	int64_t x;
	struct st_latest l;
	struct st_case c;
	if (!v) {
		snprintf(out, n, "%s", db == ST_DB_AGG ? "0 (none)" : "none");
	} else if ((db == ST_DB_AGG || db == ST_DB_STATES) && v->mv_size == sizeof(x)) {
		memcpy(&x, v->mv_data, sizeof(x));
		snprintf(out, n, "%lld", (long long)x);
	} else if (db == ST_DB_LATEST && v->mv_size == sizeof(l)) {
		memcpy(&l, v->mv_data, sizeof(l));
		period_date_format(l.date, d1);
		snprintf(out, n, "%lld (set on %s)", (long long)l.value, d1);
	} else if (db == ST_DB_CASES && v->mv_size == sizeof(c)) {
		memcpy(&c, v->mv_data, sizeof(c));
		period_date_format(c.opened, d1);
		period_date_format(c.closed, d2);
		snprintf(out, n, "opened %s, %s%s", d1, c.closed == ST_CASE_OPEN ? "open" : "closed ",
			 c.closed == ST_CASE_OPEN ? "" : d2);
		if (!m->orgunit[0])
			snprintf(m->orgunit, sizeof(m->orgunit), "%.24s", c.orgunit);
	} else if (db == ST_DB_IDS && v->mv_size == 8) {
		snprintf(out, n, "event #%llu", (unsigned long long)st_get_be64(v->mv_data));
	} else if (db == ST_DB_VOIDED) {
		snprintf(out, n, "by %.*s", (int)(v->mv_size < 40 ? v->mv_size : 40),
			 (const char *)v->mv_data);
	} else {
		snprintf(out, n, "%zu bytes", v->mv_size);
	}
}

/* Whether a stored value (a) and its recomputation (b) agree; NULL: there is none. */
static bool same_value(int db, const MDB_val *a, const MDB_val *b)
{
	if (db == ST_DB_AGG) { /* no sum, and a sum of 0, are the same */
		int64_t x = 0, y = 0;
		if ((a && a->mv_size != sizeof(x)) || (b && b->mv_size != sizeof(y)))
			return false;
		if (a)
			memcpy(&x, a->mv_data, sizeof(x));
		if (b)
			memcpy(&y, b->mv_data, sizeof(y));
		return x == y && x <= STORE_SUM_MAX && x >= -STORE_SUM_MAX; /* past it: wrapped */
	}
	if (!a || !b)
		return false;
	if (db == ST_DB_LATEST && a->mv_size == sizeof(struct st_latest) && b->mv_size == a->mv_size) {
		struct st_latest x, y; /* field by field: padding holds anything */
		memcpy(&x, a->mv_data, sizeof(x));
		memcpy(&y, b->mv_data, sizeof(y));
		return x.date == y.date && x.value == y.value;
	}
	if (db == ST_DB_CASES && a->mv_size == sizeof(struct st_case) && b->mv_size == a->mv_size) {
		struct st_case x, y;
		memcpy(&x, a->mv_data, sizeof(x));
		memcpy(&y, b->mv_data, sizeof(y));
		return x.opened == y.opened && x.closed == y.closed && x.open_seq == y.open_seq &&
		       x.close_seq == y.close_seq && strncmp(x.orgunit, y.orgunit, sizeof(x.orgunit)) == 0;
	}
	return a->mv_size == b->mv_size && memcmp(a->mv_data, b->mv_data, a->mv_size) == 0;
}

static void mismatch(const struct verify *vf, int db, const MDB_val *k, const MDB_val *stored,
		     const MDB_val *recomputed)
{
	struct store_report *rep = vf->rep;
	if (rep->mismatches++ >= STORE_REPORT_SHOWN)
		return;
	struct store_mismatch *m = &rep->shown[rep->n_shown++];
	memset(m, 0, sizeof(*m));
	describe_key(vf->s->cat, db, k, m);
	describe_value(db, stored, m->stored, sizeof(m->stored), m);
	describe_value(db, recomputed, m->recomputed, sizeof(m->recomputed), m);
}

/* LMDB's default key order: bytes, then the shorter first. */
static int key_cmp(const MDB_val *a, const MDB_val *b)
{
	size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
	int c = n ? memcmp(a->mv_data, b->mv_data, n) : 0;
	return c ? c : (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

/* Walk one database on both sides in key order (a merge), comparing every key either holds. */
static int compare_db(const struct verify *vf, int db)
{
	MDB_cursor *a = NULL, *b = NULL;
	MDB_val ka, va, kb, vb;
	int rc = mdb_cursor_open(vf->stored, vf->s->dbi[db], &a);
	if (rc == 0)
		rc = mdb_cursor_open(vf->recomputed, vf->x->dbi[db], &b);
	int ra = rc ? rc : mdb_cursor_get(a, &ka, &va, MDB_FIRST);
	int rb = rc ? rc : mdb_cursor_get(b, &kb, &vb, MDB_FIRST);
	while (ra == 0 || rb == 0) {
		int c = ra ? 1 : rb ? -1 : key_cmp(&ka, &kb);
		vf->rep->compared++;
		if (!same_value(db, c <= 0 ? &va : NULL, c >= 0 ? &vb : NULL))
			mismatch(vf, db, c <= 0 ? &ka : &kb, c <= 0 ? &va : NULL, c >= 0 ? &vb : NULL);
		if (c <= 0)
			ra = mdb_cursor_get(a, &ka, &va, MDB_NEXT);
		if (c >= 0)
			rb = mdb_cursor_get(b, &kb, &vb, MDB_NEXT);
	}
	if (a)
		mdb_cursor_close(a);
	if (b)
		mdb_cursor_close(b);
	rc = rc ? rc : ra != MDB_NOTFOUND ? ra : rb != MDB_NOTFOUND ? rb : 0;
	return st_map_err(rc);
}

/* The event counter against the log, then every derived database and the id index. */
static int compare_all(const struct verify *vf, uint64_t log_events)
{
	uint64_t counted = st_meta_get(vf->stored, vf->s->dbi[ST_DB_META], "events");
	vf->rep->compared++;
	if (counted != log_events && vf->rep->mismatches++ < STORE_REPORT_SHOWN) {
		struct store_mismatch *m = &vf->rep->shown[vf->rep->n_shown++];
		memset(m, 0, sizeof(*m));
		m->what = "count";
		snprintf(m->name, sizeof(m->name), "events");
		snprintf(m->stored, sizeof(m->stored), "%llu", (unsigned long long)counted);
		snprintf(m->recomputed, sizeof(m->recomputed), "%llu", (unsigned long long)log_events);
	}
	int rc = compare_db(vf, ST_DB_IDS);
	for (size_t i = 0; rc == 0 && i < sizeof(st_derived) / sizeof(st_derived[0]); i++)
		rc = compare_db(vf, st_derived[i]);
	return rc;
}

/* Recompute into the scratch store and compare, the stored side read in txn. */
static int verify_read(MDB_txn *txn, const struct store *s, void *arg)
{
	struct verify *vf = arg;
	struct store_batch *b = NULL;
	uint64_t replayed = 0;
	(void)s;
	vf->stored = txn;
	int rc = store_begin(vf->x, &b);
	if (rc == 0) {
		vf->recomputed = b->txn;
		b->whole_log = true;
		rc = log_copy(vf, b);
	}
	/* store_rebuild's st_replay, into the scratch store: the same code recomputes both ways. */
	if (rc == 0)
		rc = st_replay(b, &replayed, &vf->rep->skipped);
	if (rc == 0) {
		st_fold(b);
		rc = b->err;
	}
	if (rc == 0)
		rc = compare_all(vf, b->events);
	store_abort(&b);
	return rc;
}

int store_verify(struct store *s, struct store_report *rep)
{
	struct verify vf = {s, NULL, NULL, NULL, rep};
	memset(rep, 0, sizeof(*rep));
	int rc = scratch_open(s, &vf.x);
	if (rc == 0)
		rc = st_read(s, verify_read, &vf);
	store_close(&vf.x);
	return rc;
}

/* ---- backup ---- */

/* Sync a directory, so that a rename in it is durable. */
static int dir_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* The compacted copy of env's current snapshot into fd, from its start. */
static int copy_into(MDB_env *env, int fd)
{
	int rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
	if (rc == MDB_MAP_RESIZED && mdb_env_set_mapsize(env, 0) == 0) { /* ikid grew it */
		if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
			return -errno;
		rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
	}
	if (rc != 0)
		return st_map_err(rc);
	return fsync(fd) < 0 ? -errno : 0;
}

/* The number of events in a copy, read back: the copy opens. */
static int copy_count(MDB_txn *txn, const struct store *s, void *arg)
{
	MDB_dbi meta;
	(void)s;
	int rc = mdb_dbi_open(txn, st_db_names[ST_DB_META], 0, &meta);
	if (rc == 0)
		*(uint64_t *)arg = st_meta_get(txn, meta, "events");
	return st_map_err(rc);
}

static int copy_events(const char *dir, uint64_t *events)
{
	struct store copy = {0};
	int rc = st_env_open(dir, MDB_RDONLY | MDB_NOLOCK, 0, &copy.env);
	if (rc < 0)
		return rc;
	rc = st_read(&copy, copy_count, events);
	mdb_env_close(copy.env);
	return rc;
}

int store_backup(const char *dir, const char *dest, uint64_t *events)
{
	char data[4096], part[4200];
	MDB_env *env;
	snprintf(data, sizeof(data), "%s/data.mdb", dest);
	snprintf(part, sizeof(part), "%s.partial", data);
	if (mkdir(dest, 0750) < 0 && errno != EEXIST)
		return -errno;
	if (access(data, F_OK) == 0)
		return -EEXIST;
	int rc = st_env_open(dir, MDB_RDONLY, 0, &env);
	if (rc < 0)
		return rc;
	int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	rc = fd < 0 ? -errno : copy_into(env, fd);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = -errno;
	mdb_env_close(env);
	/* Only a whole copy is named data.mdb: a backup cut short never looks like a store. */
	if (rc == 0 && rename(part, data) < 0)
		rc = -errno;
	if (rc == 0)
		rc = dir_sync(dest);
	if (rc < 0) {
		unlink(part);
		return rc;
	}
	return copy_events(dest, events);
}
