/* store_batch.c: a write batch: the delta table and its journal, the batch's transaction, the
 * redo of what it did once the map grew, and the commit. Part of the storage module
 * (store_int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iki.h"
#include "store_int.h"

/* ---- batches: the delta table (open addressing, keyed by quantity, org unit, period) ---- */

#define ST_SPARE_MAX ((size_t)1 << 18) /* slots a delta table kept between batches may have */

/* Every input bit moves the low bits the table's index takes (a 64-bit mix, splitmix's). */
static size_t delta_hash(int q, int ou, struct period p)
{
	uint64_t h = (uint64_t)(uint32_t)q << 40 ^ (uint64_t)(uint32_t)ou << 16 ^
		     (uint64_t)(uint32_t)p.year << 5 ^ (uint64_t)(uint32_t)p.kind << 2 ^
		     (uint64_t)(uint32_t)p.n;
	h ^= (uint64_t)(uint32_t)p.n << 58;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return (size_t)(h ^ (h >> 31));
}

static bool delta_same(const struct st_delta *d, int q, int ou, struct period p)
{
	return d->q == q && d->ou == ou && d->p.kind == p.kind && d->p.year == p.year && d->p.n == p.n;
}

static int delta_grow(struct store_batch *b)
{
	size_t cap = b->cap ? b->cap * 2 : 1024;
	struct st_delta *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < b->cap; i++) {
		struct st_delta *d = &b->slots[i];
		if (d->gen != b->gen)
			continue;
		size_t j = delta_hash(d->q, d->ou, d->p) & (cap - 1);
		while (slots[j].gen == b->gen)
			j = (j + 1) & (cap - 1);
		slots[j] = *d;
	}
	free(b->slots);
	b->slots = slots;
	b->cap = cap;
	return 0;
}

/* Note a delta while journaling, so that it can be taken back. */
static void journal(struct store_batch *b, int q, int ou, struct period p, int64_t d)
{
	struct st_undo u = {q, ou, p, d};
	struct st_undo *j = st_push(b->journal, &b->n_journal, &b->cap_journal, 64, &u, sizeof(u));
	if (!j)
		b->err = -ENOMEM;
	else
		b->journal = j;
}

/* The slot of (q, ou, p), made (with the stored sum as its base) when missing; NULL on error. */
static struct st_delta *delta_slot(struct store_batch *b, int q, int ou, struct period p)
{
	if ((b->used + 1) * 2 > b->cap && (b->err = delta_grow(b)) < 0)
		return NULL;
	size_t j = delta_hash(q, ou, p) & (b->cap - 1);
	while (b->slots[j].gen == b->gen && !delta_same(&b->slots[j], q, ou, p))
		j = (j + 1) & (b->cap - 1);
	struct st_delta *slot = &b->slots[j];
	if (slot->gen != b->gen) {
		int64_t base = st_sum_read(b->txn, b->s->dbi[ST_DB_AGG], b->s->cat, q, ou, p);
		*slot = (struct st_delta){q, ou, p, 0, b->gen, base};
		b->used++;
	}
	return slot;
}

/* Whether adding d to the slot keeps its sum within the bound (and int64_t). */
static bool delta_fits(const struct st_delta *slot, int64_t d)
{
	int64_t t;
	if (__builtin_add_overflow(slot->base, slot->d, &t) || __builtin_add_overflow(t, d, &t))
		return false;
	return t <= STORE_SUM_MAX && t >= -STORE_SUM_MAX;
}

/*
 * Add d to the slot of (q, ou, p) and of every ancestor of ou: values roll up the tree. When any
 * of them would leave the bound, nothing is added and b->overflow is set (the event is refused).
 */
void st_delta_add(struct store_batch *b, int q, int ou, struct period p, int64_t d)
{
	const struct catalog *cat = b->s->cat;
	if (b->err || b->overflow)
		return;
	for (int o = ou; o >= 0; o = cat->orgunits[o].parent) {
		struct st_delta *slot = delta_slot(b, q, o, p);
		if (!slot)
			return;
		if (!delta_fits(slot, d)) {
			b->overflow = true;
			return;
		}
	}
	if (b->journaling)
		journal(b, q, ou, p, d);
	for (int o = ou; o >= 0 && b->err == 0; o = cat->orgunits[o].parent) {
		struct st_delta *slot = delta_slot(b, q, o, p);
		if (slot)
			slot->d += d;
	}
}

/* Add d to quantity q at ou for the month, quarter and year of date. */
void st_delta_add_date(struct store_batch *b, int q, int ou, int32_t date, int64_t d)
{
	for (int k = 0; k < ST_N_KINDS; k++)
		st_delta_add(b, q, ou, period_of_date(date, st_kinds[k]), d);
}

/* Start journaling the deltas of one event, so that they can be taken back. */
void st_journal_start(struct store_batch *b)
{
	b->journaling = true;
	b->overflow = false;
	b->n_journal = 0;
}

/* Take back the deltas journaled for the event being derived, and end journaling. */
void st_journal_undo(struct store_batch *b)
{
	b->journaling = false;
	b->overflow = false;
	for (size_t i = b->n_journal; i-- > 0 && b->err == 0;)
		st_delta_add(b, b->journal[i].q, b->journal[i].ou, b->journal[i].p, -b->journal[i].d);
}

/* ---- the batch ---- */

/* Begin the batch's transaction from what is committed (again, once the map grew). */
static int batch_start(struct store_batch *b)
{
	const struct store *s = b->s;
	int rc = st_txn_begin(s->env, NULL, 0, &b->txn);
	if (rc < 0)
		return rc;
	if (++b->gen == 0) { /* wrapped: every slot's generation could be taken for this one's */
		memset(b->slots, 0, b->cap * sizeof(*b->slots));
		b->gen = 1;
	}
	b->used = 0;
	b->n_extra = 0;
	b->events = b->events_begun = st_meta_get(b->txn, s->dbi[ST_DB_META], "events");
	b->pubseq = st_meta_get(b->txn, s->dbi[ST_DB_META], "pubseq");
	return 0;
}

int store_begin(struct store *s, struct store_batch **out)
{
	if (s->open_batch)
		return -EBUSY;
	struct store_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->s = s;
	b->slots = s->spare_slots; /* emptied by batch_start: a new generation */
	b->cap = s->spare_cap;
	b->gen = s->spare_gen;
	s->spare_slots = NULL;
	s->spare_cap = 0;
	int rc = b->slots ? 0 : delta_grow(b);
	if (rc == 0)
		rc = batch_start(b);
	if (rc < 0) {
		store_abort(&b);
		return rc;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	b->now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	s->open_batch = b;
	*out = b;
	return 0;
}

void store_abort(struct store_batch **bp)
{
	struct store_batch *b = bp ? *bp : NULL;
	if (!b)
		return;
	st_txn_abort(&b->txn);
	if (b->s->open_batch == b)
		b->s->open_batch = NULL;
	if (!b->s->spare_slots && b->cap <= ST_SPARE_MAX) { /* kept for the next batch */
		b->s->spare_slots = b->slots;
		b->s->spare_cap = b->cap;
		b->s->spare_gen = b->gen;
	} else {
		free(b->slots);
	}
	free(b->journal);
	for (size_t i = 0; i < b->n_redo; i++)
		free((char *)b->redo[i].who);
	free(b->redo);
	free(b->extra);
	free(b);
	*bp = NULL;
}

/* ---- redo: the batch again, once the map grew ---- */

/* Keep r (with a copy of r->who), to do it again once the map grew. */
static int redo_keep(struct store_batch *b, const struct st_redo *r)
{
	struct st_redo kept = *r;
	if (!(kept.who = strdup(r->who ? r->who : "")))
		return b->err = -ENOMEM;
	struct st_redo *more = st_push(b->redo, &b->n_redo, &b->cap_redo, 64, &kept, sizeof(kept));
	if (!more) {
		free((char *)kept.who);
		return b->err = -ENOMEM;
	}
	b->redo = more;
	return 0;
}

/*
 * The map was full (b->err is IKI_EFULL): drop the transaction, grow the map, and do what the
 * batch did so far again in a new one: the same operations on the same committed state, so the
 * same outcome for each. Returns 0 when the batch may go on, else the error that ends it
 * (IKI_EFULL at the maximum size).
 */
static int batch_regrow(struct store_batch *b)
{
	while (b->err == IKI_EFULL && !b->whole_log) {
		st_txn_abort(&b->txn);
		int rc = st_env_grow(b->s);
		if (rc == 0)
			rc = batch_start(b);
		if (rc < 0)
			return b->err = rc;
		b->err = 0;
		for (size_t i = 0; i < b->n_redo && b->err == 0; i++)
			b->redo[i].op(b, &b->redo[i], NULL);
	}
	return b->err;
}

/*
 * The one way a batch writes: r->op(b, r, out), and while the map is full, the map grown and the
 * batch redone before another try; then r kept when it wrote, for the next growth.
 */
int st_write(struct store_batch *b, const struct st_redo *r, void *out)
{
	int rc;
	do
		rc = r->op(b, r, out);
	while (b->err == IKI_EFULL && batch_regrow(b) == 0);
	if (rc == 0 && b->err == 0)
		redo_keep(b, r);
	return b->err ? b->err : rc;
}

/* ---- commit: fold deltas, list the changed indicator values ---- */

/* Add each slot's delta to its stored sum. Returns how many indicator values may have changed. */
size_t st_fold(struct store_batch *b)
{
	const struct store *s = b->s;
	size_t touched = 0;
	for (size_t i = 0; i < b->cap && b->err == 0; i++) {
		struct st_delta *d = &b->slots[i];
		if (d->gen != b->gen || d->d == 0)
			continue;
		char key[ST_KEY_MAX];
		int64_t x = d->base + d->d; /* within STORE_SUM_MAX: st_delta_add checked it */
		MDB_val k = {st_agg_key(s->cat, d->q, d->ou, d->p, key), key}, v = {sizeof(x), &x};
		b->err = st_map_err(mdb_put(b->txn, s->dbi[ST_DB_AGG], &k, &v, 0));
		touched += (size_t)s->cat->quantities[d->q].n_indicators;
	}
	return touched;
}

/*
 * A stored sum as changes_list reads it, once folded: the delta table's (base + d, what fold
 * wrote), else read and kept there with d 0 (so read once: the values of one batch share most
 * of their sums, an indicator's at a month, its quarter, its year and the cumulative periods
 * they feed, two indicators over one quantity). Fold is done: a slot of d 0 writes nothing; a
 * retry after the map grew starts from an empty table (batch_start).
 */
static int64_t folded_sum(void *arg, int q, int ou, struct period p)
{
	struct store_batch *b = arg;
	const struct st_delta *slot = delta_slot(b, q, ou, p);
	return slot ? slot->base + slot->d : 0; /* NULL: out of memory, b->err says so */
}

/* The indicator values the folded deltas touch, each once, read back and numbered. */
static int changes_list(struct store_batch *b, size_t touched, struct store_change **out, size_t *n)
{
	const struct catalog *cat = b->s->cat;
	struct store_change *ch = calloc(touched * (1 + PERIOD_FED_MAX) + b->n_extra + 1, sizeof(*ch));
	size_t m = 0;
	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_extra; i++)
		ch[m++] = b->extra[i];
	for (size_t i = 0; i < b->cap; i++) {
		const struct st_delta *d = &b->slots[i];
		if (d->gen != b->gen || d->d == 0)
			continue;
		const struct catalog_quantity *q = &cat->quantities[d->q];
		struct period fed[1 + PERIOD_FED_MAX] = {d->p};
		int n_fed = 1 + period_cumulative_fed(d->p, q->stock, fed + 1);
		for (int j = 0; j < q->n_indicators; j++)
			for (int f = 0; f < n_fed; f++)
				ch[m++] = (struct store_change){0, q->indicators[j], d->ou, fed[f], 0, 0};
	}
	size_t u = st_changes_unique(ch, m);
	for (size_t i = 0; i < u; i++) {
		ch[i].seq = ++b->pubseq;
		st_value_sum(folded_sum, b, cat, ch[i].indicator, ch[i].orgunit, ch[i].period,
			     &ch[i].num, &ch[i].den);
	}
	*out = ch;
	*n = u;
	return 0;
}

/*
 * Fold the deltas, list the changes, commit: one try. A batch that wrote nothing (resent events,
 * rejections) has nothing to commit, and so is answered even when the map is full.
 */
static void commit_once(struct store_batch *b, struct store_change **changes, size_t *n_changes)
{
	MDB_dbi meta = b->s->dbi[ST_DB_META];
	size_t touched = st_fold(b);
	if (b->err == 0 && touched == 0 && b->n_redo == 0 && !b->whole_log &&
	    b->events == b->events_begun) {
		st_txn_abort(&b->txn);
		return;
	}
	if (b->err == 0)
		b->err = changes_list(b, touched, changes, n_changes);
	if (b->err == 0)
		b->err = st_meta_put(b->txn, meta, "events", b->events);
	if (b->err == 0)
		b->err = st_meta_put(b->txn, meta, "pubseq", b->pubseq);
	if (b->err == 0)
		b->err = st_txn_commit(&b->txn);
}

int store_commit(struct store_batch **bp, struct store_change **changes, size_t *n_changes)
{
	struct store_batch *b = *bp;
	*changes = NULL;
	*n_changes = 0;
	do {
		free(*changes);
		*changes = NULL;
		*n_changes = 0;
		commit_once(b, changes, n_changes);
	} while (b->err == IKI_EFULL && batch_regrow(b) == 0);
	int rc = b->err;
	if (rc < 0) {
		free(*changes);
		*changes = NULL;
		*n_changes = 0;
	}
	store_abort(bp);
	return rc;
}
