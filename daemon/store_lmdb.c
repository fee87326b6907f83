/* store_lmdb.c: what is LMDB's rather than the store's: its codes, environments, the map's
 * growth, the one place transactions begin and end, walks over a database; and growing arrays.
 * Part of the storage module (store_int.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "iki.h"
#include "store_int.h"

/* The one place LMDB's codes become iki's. */
int st_map_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_MAP_FULL: return IKI_EFULL;
	case ENOMEM: return -ENOMEM;
	case EACCES: return -EACCES;
	case ENOENT: return -ENOENT;
	default: return IKI_ESTORAGE;
	}
}

/* An environment at path (flags as mdb_env_open's; map 0: the size the file records). */
int st_env_open(const char *path, unsigned flags, size_t map, MDB_env **out)
{
	MDB_env *env;
	int rc = mdb_env_create(&env);
	if (rc != 0)
		return st_map_err(rc);
	rc = mdb_env_set_maxdbs(env, ST_DB_COUNT);
	if (rc == 0 && map)
		rc = mdb_env_set_mapsize(env, map);
	if (rc == 0)
		rc = mdb_env_open(env, path, flags, 0640);
	if (rc != 0) {
		mdb_env_close(env);
		return st_map_err(rc);
	}
	*out = env;
	return 0;
}

/* ---- transactions: the one place they begin and end ---- */

/*
 * A transaction on env, nested in parent (or NULL). A read (flags MDB_RDONLY) finds the map grown
 * when ikid grew it since this process mapped it (verify, backup): it maps the new size and
 * begins again. Returns 0, or a code and *txn NULL.
 */
int st_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn)
{
	int rc = mdb_txn_begin(env, parent, flags, txn);
	if (rc == MDB_MAP_RESIZED && (flags & MDB_RDONLY) && (rc = mdb_env_set_mapsize(env, 0)) == 0)
		rc = mdb_txn_begin(env, parent, flags, txn);
	if (rc != 0)
		*txn = NULL;
	return st_map_err(rc);
}

int st_txn_commit(MDB_txn **txn)
{
	int rc = *txn ? mdb_txn_commit(*txn) : 0;
	*txn = NULL;
	return st_map_err(rc);
}

void st_txn_abort(MDB_txn **txn)
{
	if (*txn)
		mdb_txn_abort(*txn);
	*txn = NULL;
}

int st_read(const struct store *s, int (*fn)(MDB_txn *txn, const struct store *s, void *arg),
	    void *arg)
{
	MDB_txn *txn;
	int rc = st_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = fn(txn, s, arg);
	st_txn_abort(&txn);
	return rc;
}

/* Round up to a whole number of pages. */
size_t st_page_round(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;
	return (n + p - 1) / p * p;
}

/*
 * Double the map, up to its maximum. Only between transactions (LMDB's rule): the batch that
 * found the map full has dropped its own, and the store is used from one thread. Returns 0, or
 * IKI_EFULL at the maximum.
 */
int st_env_grow(struct store *s)
{
	if (s->map_size >= s->map_max)
		return IKI_EFULL;
	size_t next = s->map_size > s->map_max / 2 ? s->map_max : st_page_round(s->map_size * 2);
	if (s->grow_init) /* no read transaction of this process may be open meanwhile */
		pthread_rwlock_wrlock(&s->grow);
	int rc = mdb_env_set_mapsize(s->env, next);
	if (s->grow_init)
		pthread_rwlock_unlock(&s->grow);
	if (rc != 0)
		return st_map_err(rc);
	s->map_size = next;
	return 0;
}

/* ---- walks and arrays ---- */

int st_each(MDB_txn *txn, MDB_dbi dbi, const MDB_val *from,
	    int (*fn)(void *arg, const MDB_val *k, const MDB_val *v), void *arg)
{
	MDB_cursor *cur;
	MDB_val k = from ? *from : (MDB_val){0, NULL}, v;
	int rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return st_map_err(rc);
	int got = mdb_cursor_get(cur, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST);
	while (got == 0 && (rc = fn(arg, &k, &v)) == 0)
		got = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	mdb_cursor_close(cur);
	if (rc != 0)
		return rc;
	return got == MDB_NOTFOUND ? 0 : st_map_err(got); /* a cursor error: not a shorter walk */
}

/* A read of database db: st_each from its first entry. */
struct each {
	int db;
	int (*fn)(void *arg, const MDB_val *k, const MDB_val *v);
	void *arg;
};

static int each_read(MDB_txn *txn, const struct store *s, void *arg)
{
	const struct each *e = arg;
	return st_each(txn, s->dbi[e->db], NULL, e->fn, e->arg);
}

int st_read_each(const struct store *s, int db,
		 int (*fn)(void *arg, const MDB_val *k, const MDB_val *v), void *arg)
{
	struct each e = {db, fn, arg};
	return st_read(s, each_read, &e);
}

/* The room is grow()'s: it doubles, and an empty array's first room is at least first (the
 * callers' 32, 64 and 256 are GROW_MIN doubled, so the sizes are what they were). */
void *st_push(void *arr, size_t *n, size_t *cap, size_t first, const void *elem, size_t size)
{
	if (grow(&arr, cap, *n + 1 > first ? *n + 1 : first, size) < 0)
		return NULL;
	memcpy((char *)arr + *n * size, elem, size);
	(*n)++;
	return arr;
}
