/* parse_app.c - "app NAME exe|unit|cgroup|user ...": which processes a name stands for. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/policy_int.h"
#include "sha256.h"

/* Catches a typo'd path or a stale pin at check time instead of as a silent non-match in the kernel. */
static int check_exe(struct parser *ps, const struct bf_app *a, size_t exe_i, size_t sha_i)
{
	struct stat st;
	uint8_t md[32];
	char hex[BF_SHA256_HEX];
	int rc;

	if (ps->flags & BF_PARSE_NO_FS_CHECKS)
		return 0;
	if (stat(a->exe, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			bf_policy_err_at(ps, exe_i, "exe \"%s\" does not exist", a->exe);
		else
			bf_policy_err_at(ps, exe_i, "cannot check exe \"%s\": %s", a->exe,
					 strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode)) {
		bf_policy_err_at(ps, exe_i, "exe \"%s\" is not a regular file", a->exe);
		return -EINVAL;
	}
	if (!a->sha256[0])
		return 0;
	rc = bf_sha256_file(a->exe, md);
	if (rc) {
		bf_policy_err_at(ps, sha_i, "cannot read exe \"%s\" to check its sha256: %s",
				 a->exe, strerror(-rc));
		return -EINVAL;
	}
	bf_sha256_hex(md, hex);
	if (strcmp(hex, a->sha256) != 0) {
		bf_policy_err_at(ps, sha_i, "sha256 mismatch for \"%s\": file has %s", a->exe, hex);
		return -EINVAL;
	}
	return 0;
}

static int app_sha(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur, n;
	const struct tok *t = bf_lex_value(ps, false, "a quoted sha256 (64 hex digits)", "sha256");

	if (!t)
		return -EINVAL;
	for (n = 0; n < 64 && t->text[n]; n++) {
		char c = t->text[n];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
		a->sha256[n] = c;
	}
	if (n != 64 || t->text[64]) {
		a->sha256[0] = '\0';
		bf_policy_err_at(ps, i, "malformed sha256 \"%s\": expected 64 hex digits", t->text);
		return -EINVAL;
	}
	a->sha256[64] = '\0';
	a->sha_src = bf_policy_src(ps, i);
	return 0;
}

/* Keeps the text of token I, the value just taken, and where it was. */
static int keep(struct parser *ps, size_t i, char **dst, struct bf_src *src)
{
	*dst = bf_policy_strdup(ps, ps->toks[i].text);
	*src = bf_policy_src(ps, i);
	return *dst ? 0 : -ENOMEM;
}

static int app_exe(struct parser *ps, struct bf_app *a)
{
	size_t exe_i = ps->cur, sha_i = 0;

	if (!bf_lex_path(ps, "a quoted absolute path", "exe", "exe", "must be an absolute path"))
		return -EINVAL;
	if (keep(ps, exe_i, &a->exe, &a->exe_src))
		return -ENOMEM;
	if (bf_lex_peek_word(ps, "sha256")) {
		ps->cur++;
		sha_i = ps->cur;
		if (app_sha(ps, a))
			return -EINVAL;
	}
	return check_exe(ps, a, exe_i, sha_i);
}

/* No '/', blanks or ':' in unit or user names: those could never match and are surely typos. */
static bool plain_value(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 256 && !strpbrk(s, "/: \t");
}

static int app_unit(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur;
	const struct tok *t = bf_lex_value(ps, true, "a unit name", "unit");

	if (!t)
		return -EINVAL;
	/* the cgroup directory carries the full name, so "nvr" would silently never match */
	if (!plain_value(t->text) || !strchr(t->text, '.')) {
		bf_policy_err_at(ps, i, "bad unit name \"%s\" (expected a full unit name such as "
				 "\"nvr.service\")", t->text);
		return -EINVAL;
	}
	return keep(ps, i, &a->unit, &a->unit_src);
}

static int app_cgroup(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur;

	if (!bf_lex_path(ps, "a quoted cgroup path", "cgroup", "cgroup", "must start with \"/\""))
		return -EINVAL;
	return keep(ps, i, &a->cgroup, &a->cgroup_src);
}

static int app_user(struct parser *ps, struct bf_app *a)
{
	size_t i = ps->cur;
	const struct tok *t = bf_lex_value(ps, true, "a user name or uid", "user");

	if (!t)
		return -EINVAL;
	if (!plain_value(t->text)) {
		bf_policy_err_at(ps, i, "bad user \"%s\"", t->text);
		return -EINVAL;
	}
	return keep(ps, i, &a->user, &a->user_src);
}

/* A sha256 pins the exe just named, so on its own it is misplaced; the cursor is past it. */
static int app_lone_sha(struct parser *ps, struct bf_app *a)
{
	bf_policy_err_at(ps, ps->cur - 1, a->sha256[0] ? "key \"sha256\" given twice" :
			 "sha256 must come right after exe \"PATH\"");
	return -EINVAL;
}

/* "sha256" is last and left out of the expected keys: it is only valid after exe. */
static const char *const app_keys[] = { "exe", "unit", "cgroup", "user", "sha256" };
static int (*const app_fns[])(struct parser *ps, struct bf_app *a) = {
	app_exe, app_unit, app_cgroup, app_user, app_lone_sha,
};

static int app_key(struct parser *ps, void *def, size_t key)
{
	return app_fns[key](ps, def);
}

/* The statement itself: parser.c runs it through bf_policy_keys. */
const struct bf_keyset bf_policy_app_keys = {
	.kind = K_APP, .keys = app_keys, .n_keys = 5, .take = app_key,
	.expected = "exe, unit, cgroup or user",
	.none = "expected an app key (exe, unit, cgroup or user)",
};
