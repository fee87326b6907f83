/* journal.c: the users' recent events (see journal.h). */
#include "journal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"
#include "iki.h"
#include "jsonout.h"

#define JOURNAL_LINE_MAX 4096 /* an entry: an event (comment <= 500 bytes) and a result */

struct journal {
	char dir[4096];
	pthread_mutex_t lock;
};

int journal_open(const char *dir, struct journal **out)
{
	struct journal *j = calloc(1, sizeof(*j));
	*out = NULL;
	if (!j)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int rc = -errno;
		free(j);
		return rc;
	}
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	pthread_mutex_init(&j->lock, NULL);
	*out = j;
	return 0;
}

void journal_close(struct journal **jp)
{
	if (!jp || !*jp)
		return;
	pthread_mutex_destroy(&(*jp)->lock);
	free(*jp);
	*jp = NULL;
}

/* Every line of the user's file, malloc'd (each malloc'd too), *n of them; NULL when none. */
static char **read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char **lines = NULL, buf[JOURNAL_LINE_MAX];
	size_t cap = 0;
	*n = 0;
	if (!f)
		return NULL;
	while (fgets(buf, sizeof(buf), f)) {
		if (grow((void **)&lines, &cap, *n + 1, sizeof(*lines)) < 0 || !(lines[*n] = strdup(buf)))
			break;
		(*n)++;
	}
	fclose(f);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Keep only the last JOURNAL_KEEP lines of the file (a rewrite and a rename). */
static void trim(const char *path)
{
	char tmp[4300];
	size_t n;
	char **lines = read_lines(path, &n);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = n > JOURNAL_KEEP ? fopen(tmp, "w") : NULL;
	if (f) {
		for (size_t i = n - JOURNAL_KEEP; i < n; i++)
			fputs(lines[i], f);
		if (fclose(f) == 0)
			rename(tmp, path);
		else
			unlink(tmp);
	}
	free_lines(lines, n);
}

int journal_append(struct journal *j, const char *user, const struct proto_event *ev,
		   const struct proto_result *res, size_t n, long long at_ms)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", j->dir, user);
	pthread_mutex_lock(&j->lock);
	FILE *f = fopen(path, "a");
	int rc = f ? 0 : -errno;
	for (size_t i = 0; f && i < n; i++) {
		json_object *o = jsonout_event(&ev[i]), *r = jsonout_result(ev[i].id, &res[i]);
		json_object *v;
		json_object_object_add(o, "status", json_object_get(
				       json_object_object_get_ex(r, "status", &v) ? v : NULL));
		json_object_object_add(o, "code", json_object_new_string(
				       res[i].status == PROTO_STATUS_ERROR ? iki_code_name(res[i].code) : ""));
		json_object_object_add(o, "message", json_object_new_string(
				       res[i].status == PROTO_STATUS_ERROR
					       ? (res[i].message[0] ? res[i].message : iki_strerror(res[i].code))
					       : ""));
		json_object_object_add(o, "at", json_object_new_int64(at_ms));
		json_object_put(r);
		char *line = jsonout_take(&o);
		if (line)
			fprintf(f, "%s\n", line);
		free(line);
	}
	if (f && fclose(f) != 0)
		rc = -EIO;
	if (rc == 0 && stat(path, &st) == 0 && st.st_size > (off_t)JOURNAL_KEEP * 800)
		trim(path);
	pthread_mutex_unlock(&j->lock);
	return rc;
}

json_object *journal_read(struct journal *j, const char *user, size_t limit)
{
	char path[4200];
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", j->dir, user);
	pthread_mutex_lock(&j->lock);
	char **lines = read_lines(path, &n);
	pthread_mutex_unlock(&j->lock);
	json_object *a = json_object_new_array();
	for (size_t i = n; a && i-- > 0 && json_object_array_length(a) < limit;) {
		json_object *o = json_tokener_parse(lines[i]);
		if (o)
			json_object_array_add(a, o);
	}
	free_lines(lines, n);
	return a;
}
