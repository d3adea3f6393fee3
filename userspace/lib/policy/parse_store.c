/* parse_store.c - "template-store APP "PATH" [audit]": the files of face templates only their holder app may touch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

/* Directories a store may not be nor lie under: the system's own files, or no files at all. */
static const char *const system_dirs[] = {
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin",
	"/sys", "/usr",
};

/* Top-level directories a store may lie under but not be: every program needs them. */
static const char *const shared_dirs[] = {
	"/home", "/media", "/mnt", "/opt", "/root", "/run", "/srv", "/tmp", "/var",
};

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A "." or ".." component, or an empty one ("//"), would make the path mean something else. */
static bool plain_components(const char *path)
{
	const char *c = path;

	while (*c == '/') {
		const char *end = strchr(c + 1, '/');
		size_t n = end ? (size_t)(end - c - 1) : strlen(c + 1);

		if (n == 0 && end)
			return false;
		if ((n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
			return false;
		if (!end)
			break;
		c = end;
	}
	return true;
}

/* Checks the path token at ps->cur (already known to be absolute); 0 or -EINVAL, reported. */
static int check_path(struct parser *ps, size_t at, char *path)
{
	size_t i, n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';	/* "/var/lib/gate/" is "/var/lib/gate" */
	if (!plain_components(path)) {
		bf_policy_err_at(ps, at, "template store \"%s\" has an empty, \".\" or \"..\" component",
				 path);
		return -EINVAL;
	}
	if (strcmp(path, "/") == 0) {
		bf_policy_err_at(ps, at, "template store \"/\" would lock every other program out of "
				 "every file");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		if (under(path, system_dirs[i])) {
			bf_policy_err_at(ps, at, "template store \"%s\" is under %s, which holds the "
					 "system's own files (keep templates under /var/lib or /srv)",
					 path, system_dirs[i]);
			return -EINVAL;
		}
	}
	for (i = 0; i < sizeof(shared_dirs) / sizeof(shared_dirs[0]); i++) {
		if (strcmp(path, shared_dirs[i]) == 0) {
			bf_policy_err_at(ps, at, "template store \"%s\" would lock every other program "
					 "out of %s (name the directory the templates are in)",
					 path, path);
			return -EINVAL;
		}
	}
	return 0;
}

void bf_policy_stmt_template_store(struct parser *ps)
{
	struct bf_store_ast *st;
	struct pending_store *pd;
	const struct tok *t;
	size_t app_at, path_at;
	char *path;

	ps->cur = 1;
	if (bf_lex_peek_word(ps, "any")) {
		bf_policy_err_at(ps, 1, "template-store any would let every program open the "
				 "templates (name the app that holds them)");
		return;
	}
	if (bf_policy_check_name(ps, K_APP, false))
		return;
	app_at = ps->cur++;
	path_at = ps->cur;
	t = bf_lex_path(ps, "a quoted path", "the app name", "template store",
			"must be an absolute path");
	if (!t)
		return;
	path = bf_policy_strdup(ps, t->text);
	if (!path)
		return;
	if (check_path(ps, path_at, path))
		goto fail;
	st = BF_SLOT(ps, ps->p->stores, ps->p->n_stores);
	pd = st ? BF_SLOT(ps, ps->pstores, ps->p->n_stores) : NULL;
	if (!pd)
		goto fail;
	if (bf_lex_peek_word(ps, "audit")) {
		st->audit = true;
		ps->cur++;
	}
	if (bf_lex_end(ps))
		goto fail;
	st->app = -2;
	st->path = path;
	st->src = bf_policy_src(ps, 0);
	st->app_src = bf_policy_src(ps, app_at);
	st->path_src = bf_policy_src(ps, path_at);
	memcpy(pd->app, ps->toks[app_at].text, strlen(ps->toks[app_at].text) + 1);
	pd->ord = ps->ord;
	ps->p->n_stores++;
	return;
fail:
	free(path);
}

/* Once every app is known: each store's app, and what lines naming one path must agree on. */
void bf_policy_check_stores(struct parser *ps)
{
	struct bf_policy *p = ps->p;
	size_t i, j, distinct = 0;

	for (i = 0; i < p->n_stores && !ps->fatal; i++) {
		struct bf_store_ast *st = &p->stores[i];
		const struct pending_store *pd = &ps->pstores[i];
		bool first = true;

		st->app = bf_policy_resolve_ref(ps, K_APP, pd->app, &st->app_src, pd->ord);
		if (st->app >= 0 && !p->apps[st->app].exe)
			bf_policy_report(ps, false, &st->app_src, pd->ord,
					 "app \"%s\" has no exe key: any program run as it may open "
					 "the templates", pd->app);
		for (j = 0; j < i; j++) {
			const struct bf_store_ast *o = &p->stores[j];

			if (strcmp(o->path, st->path) != 0)
				continue;
			first = false;
			if (o->audit != st->audit) {
				bf_policy_report(ps, true, &st->path_src, pd->ord,
						 "template store \"%s\" is%s audit at %s:%u: a store is "
						 "audited as a whole", st->path, o->audit ? "" : " not",
						 o->src.file, o->src.line);
				break;
			}
			if (o->app == st->app && st->app >= 0) {
				bf_policy_report(ps, false, &st->src, pd->ord,
						 "template store \"%s\" given twice for \"%s\" (first at "
						 "%s:%u)", st->path, pd->app, o->src.file, o->src.line);
				break;
			}
		}
		if (first && ++distinct == BF_POLICY_MAX_STORES + 1)
			bf_policy_report(ps, true, &st->path_src, pd->ord,
					 "more than %d template stores (the kernel tables hold %d)",
					 BF_POLICY_MAX_STORES, BF_POLICY_MAX_STORES);
	}
}
