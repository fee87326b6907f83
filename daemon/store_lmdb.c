/* store_lmdb.c: what is LMDB's rather than the store's: its codes, the environment, the map's
 * growth. Part of the storage module (store_int.h). */
#include <errno.h>
#include <unistd.h>

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

/*
 * A read transaction (LMDB's code). When ikid grew the map since this process mapped it (verify,
 * backup), map the new size and begin again.
 */
int st_read_begin(MDB_env *env, MDB_txn **txn)
{
	int rc = mdb_txn_begin(env, NULL, MDB_RDONLY, txn);
	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(env, 0)) == 0)
		rc = mdb_txn_begin(env, NULL, MDB_RDONLY, txn);
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
