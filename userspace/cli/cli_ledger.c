/* cli_ledger.c - the consent commands without an agent: the same answers, read from and appended to the ledger file directly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli_common.h"

/* Loads path into l (a missing file is an empty ledger). NULL, or the error reply. */
static struct json_object *load(const char *path, struct bf_ledger *l)
{
	struct bf_diags d = { 0 };
	struct json_object *err = NULL;
	int r = bf_ledger_load(path, l, &d);

	if (r == -EINVAL || r == -EFBIG)
		err = cli_error("ledger-invalid", &d,
				"the ledger %s is damaged; no grant is usable until it is repaired "
				"(docs/consent-ledger.md)", path);
	else if (r && r != -ENOENT)
		err = cli_error("ledger-io", NULL, "cannot read the ledger %s: %s", path,
				strerror(-r));
	bf_diags_free(&d);
	return err;
}

static struct json_object *cameras_json(const struct bf_consent_grant *g)
{
	struct json_object *arr = json_object_new_array();

	if (arr && g->any_camera)
		json_object_array_add(arr, bf_json_str("any"));
	for (size_t i = 0; arr && i < g->n_cameras; i++)
		json_object_array_add(arr, bf_json_str(g->cameras[i]));
	return arr;
}

/* Shaped as the agent's consent-list entries, so --json output is the same either way. */
static struct json_object *grant_json(const struct bf_consent_grant *g, int64_t now_ns)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	bf_json_add_str(o, "id", g->id);
	bf_json_add_str(o, "subject", g->subject);
	bf_json_add_str(o, "purpose", g->purpose);
	json_object_object_add(o, "cameras", cameras_json(g));
	cli_add_time(o, "granted", g->granted_ns);
	cli_add_time(o, "expires", g->expires_ns);
	bf_json_add_str(o, "notice", g->notice);
	if (g->guardian[0])
		bf_json_add_str(o, "guardian", g->guardian);
	bf_json_add_str(o, "state", cli_grant_state(g, now_ns));
	if (g->revoked)
		cli_add_time(o, "revoked", g->revoked_ns);
	return o;
}

/* {"ok":true,key:val}; takes val. */
static struct json_object *ok_reply(const char *key, struct json_object *val)
{
	struct json_object *o = val ? json_object_new_object() : NULL;

	if (!o) {
		json_object_put(val);
		return NULL;
	}
	bf_json_add_bool(o, "ok", true);
	json_object_object_add(o, key, val);
	return o;
}

/* A struct field holds what the option said, or the option is refused: never cut short. */
static int copy_token(char *dst, size_t len, const char *src)
{
	if (strlen(src) >= len)
		return -ENAMETOOLONG;
	strcpy(dst, src);
	return 0;
}

/* Fills g from a; g->cameras borrows a's strings. NULL, or the error reply. */
static struct json_object *fill_grant(struct bf_consent_grant *g, const struct cli_grant_args *a,
				      int64_t now_ns)
{
	const char *too_long = NULL;
	size_t max = sizeof(g->id) - 1;

	if (copy_token(g->subject, sizeof(g->subject), a->subject))
		too_long = "--subject";
	else if (copy_token(g->purpose, sizeof(g->purpose), a->purpose))
		too_long = "--purpose", max = sizeof(g->purpose) - 1;
	else if (copy_token(g->notice, sizeof(g->notice), a->notice))
		too_long = "--notice";
	else if (a->guardian && copy_token(g->guardian, sizeof(g->guardian), a->guardian))
		too_long = "--guardian";
	else if (a->id && copy_token(g->id, sizeof(g->id), a->id))
		too_long = "--id";
	if (too_long)
		return cli_error("bad-request", NULL, "%s is longer than %zu characters", too_long,
				 max);
	g->cameras = calloc(a->n_cameras ? a->n_cameras : 1, sizeof(*g->cameras));
	if (!g->cameras)
		return cli_error("internal", NULL, "out of memory");
	/* a second "any" stays in the list, so the ledger refuses it as the agent would */
	for (size_t i = 0; i < a->n_cameras; i++) {
		if (strcmp(a->cameras[i], "any") == 0 && !g->any_camera)
			g->any_camera = true;
		else
			g->cameras[g->n_cameras++] = a->cameras[i];
	}
	g->granted_ns = a->has_granted ? a->granted_ns : now_ns;
	g->expires_ns = a->expires_ns;
	return NULL;
}

/* A generated id collides only with one drawn in the same second: draw again, a few times. */
static int append_grant(const char *path, struct bf_consent_grant *g, bool gen_id, int64_t now_ns,
			struct bf_diags *d)
{
	int r = -EEXIST;

	for (int tries = 0; tries < 4 && r == -EEXIST; tries++) {
		if (gen_id && (r = cli_make_id(g->id, sizeof(g->id), now_ns)) < 0)
			return r;
		bf_diags_free(d);
		r = bf_ledger_append_grant(path, g, d);
		if (!gen_id)
			break;
	}
	return r;
}

static struct json_object *grant_error(int r, const char *path, const struct bf_consent_grant *g,
				       const struct bf_diags *d)
{
	switch (r) {
	case -EEXIST:
		return cli_error("exists", d, "a grant with id \"%s\" is already in %s", g->id, path);
	case -ENOENT:
		return cli_error("bad-request", d, "the guardian's grant \"%s\" is not in %s",
				 g->guardian, path);
	case -EINVAL:
	case -E2BIG:
		return cli_error("bad-request", d, "the grant does not pass the ledger's checks");
	default:
		return cli_error("ledger-io", d, "cannot append to the ledger %s: %s", path,
				 strerror(-r));
	}
}

struct json_object *cli_ledger_grant(const char *path, const struct cli_grant_args *a,
				     int64_t now_ns)
{
	struct bf_consent_grant g = { 0 };
	struct bf_diags d = { 0 };
	struct bf_ledger l;
	struct json_object *reply;
	int r;

	/* loaded first only to tell a damaged ledger from a bad record: append checks again */
	reply = load(path, &l);
	bf_ledger_free(&l);
	if (!reply)
		reply = fill_grant(&g, a, now_ns);
	if (!reply) {
		r = append_grant(path, &g, !a->id, now_ns, &d);
		reply = r ? grant_error(r, path, &g, &d) : ok_reply("grant", grant_json(&g, now_ns));
	}
	free(g.cameras);
	bf_diags_free(&d);
	return reply;
}

struct json_object *cli_ledger_revoke(const char *path, const char *id, int64_t time_ns)
{
	struct bf_diags d = { 0 };
	struct bf_ledger l;
	struct json_object *reply = load(path, &l);
	int r;

	bf_ledger_free(&l);
	if (reply)
		return reply;
	r = bf_ledger_append_revoke(path, id, time_ns, &d);
	if (r == 0)
		reply = ok_reply("revoked", bf_json_str(id));
	else if (r == -ENOENT)
		reply = cli_error("no-grant", NULL, "no grant with id \"%s\" in %s", id, path);
	else if (r == -EALREADY)
		reply = cli_error("already-revoked", &d, "grant \"%s\" was already revoked", id);
	else if (r == -EINVAL || r == -E2BIG)
		reply = cli_error("bad-request", &d, "the revoke does not pass the ledger's checks");
	else
		reply = cli_error("ledger-io", &d, "cannot append to the ledger %s: %s", path,
				  strerror(-r));
	bf_diags_free(&d);
	return reply;
}

struct json_object *cli_ledger_list(const char *path, int64_t now_ns)
{
	struct bf_ledger l;
	struct json_object *arr, *reply = load(path, &l);

	if (reply)
		return reply;
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < l.n_grants; i++)
		json_object_array_add(arr, grant_json(&l.grants[i], now_ns));
	bf_ledger_free(&l);
	return ok_reply("grants", arr);
}

/*
 * The state is the grant's own, as in the agent's list; but a minor's
 * grant is unusable while its guardian's is not active, which someone
 * looking at the one grant needs to be told.
 */
static void guardian_note(struct json_object *o, const struct bf_ledger *l,
			  const struct bf_consent_grant *g, int64_t now_ns)
{
	char note[256];

	/* guardians sit on earlier lines, so the chain ends; the bound is a belt */
	for (size_t hops = 0; g && g->guardian[0] && hops < l->n_grants; hops++) {
		const struct bf_consent_grant *gd = bf_ledger_find(l, g->guardian);
		const char *st = gd ? cli_grant_state(gd, now_ns) : "missing";

		if (strcmp(st, "active") != 0) {
			snprintf(note, sizeof(note), "not usable: the guardian's grant %s is %s",
				 g->guardian, st);
			bf_json_add_str(o, "note", note);
			return;
		}
		g = gd;
	}
}

struct json_object *cli_ledger_show(const char *path, const char *id, int64_t now_ns)
{
	struct bf_ledger l;
	const struct bf_consent_grant *g;
	struct json_object *o, *reply = load(path, &l);

	if (reply)
		return reply;
	g = bf_ledger_find(&l, id);
	if (!g) {
		reply = cli_error("no-grant", NULL, "no grant with id \"%s\" in %s", id, path);
	} else {
		o = grant_json(g, now_ns);
		if (o && strcmp(cli_grant_state(g, now_ns), "active") == 0)
			guardian_note(o, &l, g, now_ns);
		reply = ok_reply("grant", o);
	}
	bf_ledger_free(&l);
	return reply;
}
