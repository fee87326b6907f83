/* store.c: opening and closing the store: its databases, the schema, the map. Part of the
 * storage module (store_int.h). */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "iki.h"
#include "store_int.h"

/* Open every database: made when missing, unless read only (no meta then: no store here). */
int st_open_dbs(struct store *s)
{
	MDB_txn *txn;
	int rc = st_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &txn);
	if (rc < 0)
		return rc;
	int i = 0;
	for (; rc == 0 && i < ST_DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, st_db_names[i], s->read_only ? 0 : MDB_CREATE, &s->dbi[i]);
		if (rc == MDB_NOTFOUND && i == ST_DB_NOTES) { /* read only, a store older than notes */
			s->no_notes = true;
			rc = 0;
		}
	}
	uint64_t schema = rc == 0 ? st_meta_get(txn, s->dbi[ST_DB_META], "schema") : 0;
	s->upgrade = schema != 0 && schema < STORE_SCHEMA;
	if (rc == 0 && !s->read_only && schema != STORE_SCHEMA)
		rc = st_meta_put(txn, s->dbi[ST_DB_META], "schema", STORE_SCHEMA) < 0 ? MDB_PANIC : 0;
	if (rc == 0)
		return st_txn_commit(&txn); /* a read's too: its databases' handles stay open */
	st_txn_abort(&txn);
	return rc == MDB_NOTFOUND && i == 1 ? -ENOENT : st_map_err(rc);
}

/* Note the map's actual size (at least what the file holds); drop what killed readers left. */
static void map_note(struct store *s)
{
	MDB_envinfo info;
	int dead;
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	if (s->map_max < s->map_size)
		s->map_max = s->map_size;
	if (!s->read_only)
		mdb_reader_check(s->env, &dead); /* a verify or backup killed mid-read */
}

int store_open(const char *dir, const struct catalog *cat, const struct store_options *opts,
	       struct store **out)
{
	struct store_options o = opts ? *opts : (struct store_options){0};
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cat = cat;
	s->read_only = o.read_only;
	s->grow_init = pthread_rwlock_init(&s->grow, NULL) == 0;
	s->map_max = st_page_round(o.map_max ? o.map_max : STORE_MAP_MAX);
	size_t map = st_page_round(o.map_size ? o.map_size : STORE_MAP_INITIAL);
	unsigned flags = (o.no_sync ? MDB_NOSYNC : 0) | (o.read_only ? MDB_RDONLY : 0);
	if (!o.read_only && mkdir(dir, 0750) < 0 && errno != EEXIST) {
		int e = -errno;
		store_close(&s);
		return e;
	}
	/* Read only, the map is the size the writer recorded, and follows it when it grows. */
	int rc = st_env_open(dir, flags, o.read_only ? 0 : map < s->map_max ? map : s->map_max, &s->env);
	if (rc == 0)
		rc = st_open_dbs(s);
	if (rc == 0)
		map_note(s);
	uint64_t replayed, skipped;
	if (rc == 0 && s->upgrade && !s->read_only) /* the new schema's derived databases */
		rc = store_rebuild(s, &replayed, &skipped);
	if (rc < 0) {
		store_close(&s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_read_enter(struct store *s)
{
	if (s->grow_init)
		pthread_rwlock_rdlock(&s->grow);
}

void store_read_leave(struct store *s)
{
	if (s->grow_init)
		pthread_rwlock_unlock(&s->grow);
}

void store_map_size(const struct store *s, size_t *size, size_t *max)
{
	*size = s->map_size;
	*max = s->map_max;
}

void store_map_use(struct store *s, size_t *size, size_t *used)
{
	MDB_envinfo info;
	MDB_stat st;
	*size = *used = 0;
	if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0)
		return;
	*size = info.me_mapsize;
	*used = ((size_t)info.me_last_pgno + 1) * st.ms_psize;
}

void store_close(struct store **sp)
{
	struct store *s = sp ? *sp : NULL;
	if (!s)
		return;
	store_abort(&s->open_batch);
	free(s->spare_slots);
	if (s->env)
		mdb_env_close(s->env);
	if (s->grow_init)
		pthread_rwlock_destroy(&s->grow);
	free(s);
	*sp = NULL;
}

int store_readers_check(struct store *s, int *dead)
{
	*dead = 0;
	return st_map_err(mdb_reader_check(s->env, dead));
}
