/* include.c - reads policy files, checks who may write them, follows includes, feeds the digest. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy_int.h"

#define POLICY_SIZE_MAX (16u << 20)	/* policies are written by people; anything bigger is a mistake */

/* Relative includes follow the including file, so a policy tree can be moved as a whole. */
static char *include_path(struct parser *ps, const char *pat, bool wild)
{
	const char *slash = strrchr(ps->file, '/');
	size_t dlen, i;
	char *out, *o;

	if (pat[0] == '/' || ps->in_memory || !slash)
		return bf_policy_strdup(ps, pat);
	dlen = (size_t)(slash - ps->file) + 1;
	out = malloc(2 * dlen + strlen(pat) + 1);
	if (!out) {
		bf_policy_fail(ps, -ENOMEM);
		return NULL;
	}
	/* the directory is literal text, so glob must not read its metacharacters */
	for (i = 0, o = out; i < dlen; i++) {
		if (wild && strchr("*?[\\", ps->file[i]))
			*o++ = '\\';
		*o++ = ps->file[i];
	}
	strcpy(o, pat);
	return out;
}

/* glob's error callback has no context pointer; this remembers why it stopped. */
static _Thread_local struct {
	char path[4096];
	int err;
} glob_failure;

/* A missing directory just matches nothing; an unreadable one hides files and must fail. */
static int glob_error(const char *path, int err)
{
	if (err == ENOENT || err == ENOTDIR)
		return 0;
	snprintf(glob_failure.path, sizeof(glob_failure.path), "%s", path);
	glob_failure.err = err;
	return 1;
}

/*
 * glibc's glob recurses once per directory level of a pattern with
 * wildcards in it: a pattern of thousands of levels ran the parser out of
 * stack (fuzz_policy). No real include needs more than a few.
 */
#define INCLUDE_GLOB_LEVELS_MAX 32

static void include_glob(struct parser *ps, const char *full, const struct bf_src *at)
{
	size_t levels = 0;
	glob_t g;
	size_t i;
	int rc;

	for (const char *c = full; *c; c++)
		levels += *c == '/';
	if (levels > INCLUDE_GLOB_LEVELS_MAX) {
		bf_policy_report(ps, true, at, ++ps->next_ord,
				 "include pattern with wildcards has %zu directory levels: at most %d", levels,
				 INCLUDE_GLOB_LEVELS_MAX);
		return;
	}
	memset(&g, 0, sizeof(g));
	glob_failure.err = 0;
	rc = glob(full, 0, glob_error, &g);
	if (rc == 0) {
		for (i = 0; i < g.gl_pathc && !ps->fatal; i++)
			bf_policy_parse_file(ps, g.gl_pathv[i], at);
	} else if (rc == GLOB_NOSPACE) {
		bf_policy_fail(ps, -ENOMEM);
	} else if (rc == GLOB_ABORTED) {
		bf_policy_report(ps, true, at, ++ps->next_ord, "cannot read include \"%s\": %s",
				 glob_failure.err ? glob_failure.path : full,
				 strerror(glob_failure.err ? glob_failure.err : EIO));
	}
	globfree(&g);
}

void bf_policy_stmt_include(struct parser *ps)
{
	const struct tok *t;
	struct bf_src at;
	char *pat, *full;
	bool wild;

	ps->cur = 1;
	t = bf_lex_value(ps, false, "a quoted file name or glob", "include");
	if (!t || bf_lex_end(ps))
		return;
	at = bf_policy_src(ps, 1);
	if (ps->depth >= INCLUDE_DEPTH_MAX) {
		bf_policy_err_at(ps, 1, "includes nested more than %d deep", INCLUDE_DEPTH_MAX);
		return;
	}
	/* the included files reuse the token buffer */
	pat = bf_policy_strdup(ps, t->text);
	if (!pat)
		return;
	wild = strpbrk(pat, "*?[") != NULL;
	full = include_path(ps, pat, wild);
	ps->depth++;
	if (full && wild)
		include_glob(ps, full, &at);
	else if (full)
		bf_policy_parse_file(ps, full, &at);
	ps->depth--;
	free(full);
	free(pat);
}

static int read_all(int fd, char **out, size_t *outlen)
{
	size_t cap = 0, len = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int rc;

	for (;;) {
		if (len == cap) {
			rc = cap >= POLICY_SIZE_MAX ? -EFBIG : 0;
			cap = cap ? 2 * cap : 8192;
			nb = rc ? NULL : realloc(buf, cap);
			if (!nb) {
				free(buf);
				return rc ? rc : -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			free(buf);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* What a policy file must be and is not: a regular file; NULL when it is one. */
static const char *not_regular(mode_t mode)
{
	if (S_ISREG(mode))
		return NULL;
	return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket" :
	       S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device" : "not a file";
}

/*
 * Only a regular file is read. O_NONBLOCK: opening a FIFO with no writer
 * would otherwise wait for one forever, and check or reload with it
 * (a hostile include "/run/some.fifo"). *WHAT names anything else.
 */
static int load_file(const char *path, struct stat *st, char **buf, size_t *len, const char **what)
{
	int fd, rc;

	*what = NULL;
	/* A socket cannot be opened at all (ENXIO): say what it is, as for the rest. */
	if (stat(path, st) == 0 && (*what = not_regular(st->st_mode)))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) != 0)
		rc = -errno;
	else if ((*what = not_regular(st->st_mode)))
		rc = -EINVAL;
	else
		rc = read_all(fd, buf, len);
	close(fd);
	return rc;
}

/* Interns PATH in p->files and feeds its bytes to the policy digest, in read order. */
const char *bf_policy_add_file(struct parser *ps, const char *path, const char *buf, size_t len)
{
	struct bf_policy *p = ps->p;
	char **nf = BF_SLOT(ps, p->files, p->n_files);
	char *s = nf ? bf_policy_strdup(ps, path) : NULL;

	if (!s)
		return NULL;
	*nf = s;
	p->n_files++;
	if (EVP_DigestUpdate(ps->md, buf, len) != 1)
		bf_policy_fail(ps, -EIO);
	return s;
}

/* A policy anyone but root can edit lets them grant themselves the camera. */
static void check_perms(struct parser *ps, const char *file, const struct stat *st)
{
	bool strict = ps->flags & BF_PARSE_STRICT_PERMS;
	struct bf_src at = { file, 1, 1 };
	unsigned long ord = ++ps->next_ord;

	if (st->st_mode & S_IWGRP)
		bf_policy_report(ps, strict, &at, ord,
				 strict ? "refusing %s: group-writable" : "%s is group-writable",
				 file);
	if (st->st_mode & S_IWOTH)
		bf_policy_report(ps, strict, &at, ord,
				 strict ? "refusing %s: world-writable" : "%s is world-writable",
				 file);
	if (st->st_uid != 0)
		bf_policy_report(ps, strict, &at, ord, strict ? "refusing %s: owned by uid %u, not root" :
				 "%s is owned by uid %u, not root", file, (unsigned)st->st_uid);
}

static bool on_stack(const struct parser *ps, const struct stat *st)
{
	size_t i;

	for (i = 0; i < ps->n_stack; i++)
		if (ps->stack[i].dev == st->st_dev && ps->stack[i].ino == st->st_ino)
			return true;
	return false;
}

char *bf_policy_root_of(const char *main_file)
{
	char *rp = realpath(main_file, NULL), *slash;

	if (!rp)
		return NULL;
	slash = strrchr(rp, '/');
	if (slash == rp)
		slash[1] = '\0';	/* a policy in / has the whole tree */
	else if (slash)
		*slash = '\0';
	return rp;
}

/* An include that resolves (symlinks followed) outside the main policy's directory is refused, unread. */
static bool outside_root(struct parser *ps, const char *path, const struct bf_src *at)
{
	size_t rl = ps->root ? strlen(ps->root) : 0;
	bool out;
	char *rp;

	if (!at || !ps->root || !(rp = realpath(path, NULL)))
		return false;	/* the main file, a text policy, or missing: the open says so */
	out = strncmp(rp, ps->root, rl) != 0 || (rp[rl] != '/' && strcmp(ps->root, "/") != 0);
	if (out && strcmp(rp, path) != 0)
		bf_policy_report(ps, true, at, ++ps->next_ord, "include \"%s\" resolves to %s, outside "
				 "the policy's directory %s: includes stay in it", path, rp, ps->root);
	else if (out)
		bf_policy_report(ps, true, at, ++ps->next_ord, "include \"%s\" is outside the policy's "
				 "directory %s: includes stay in it", path, ps->root);
	free(rp);
	return out;
}

/* AT is the include string that named PATH, or NULL for the main file. */
int bf_policy_parse_file(struct parser *ps, const char *path, const struct bf_src *at)
{
	const char *saved_file = ps->file, *file;
	bool saved_mem = ps->in_memory;
	const char *what;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (outside_root(ps, path, at))
		return -EACCES;
	rc = load_file(path, &st, &buf, &len, &what);

	if (rc == -ENOMEM) {
		bf_policy_fail(ps, rc);
	} else if (rc && at) {
		bf_policy_report(ps, true, at, ++ps->next_ord, "cannot read include \"%s\": %s%s", path,
				 what ? "it is " : "", what ? what : strerror(-rc));
	} else if (rc) {
		struct bf_src top = { path, 1, 1 };

		bf_policy_report(ps, true, &top, ++ps->next_ord, "cannot read policy: %s%s",
				 what ? "it is " : "", what ? what : strerror(-rc));
	} else if (on_stack(ps, &st)) {
		bf_policy_report(ps, true, at, ++ps->next_ord,
				 "include cycle: \"%s\" is already being read", path);
		rc = -ELOOP;
	} else if ((file = bf_policy_add_file(ps, path, buf, len))) {
		check_perms(ps, file, &st);
		ps->stack[ps->n_stack++] = (struct file_id){ st.st_dev, st.st_ino };
		ps->file = file;
		ps->in_memory = false;
		bf_policy_parse_text(ps, buf, len);
		ps->n_stack--;
		ps->file = saved_file;
		ps->in_memory = saved_mem;
	}
	free(buf);
	return rc;
}

