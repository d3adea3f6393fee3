/* policy.c - the public entry points: parse a policy from a file or a string, and free it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

static int cmp_diag(const void *a, const void *b)
{
	const struct pdiag *x = a, *y = b;

	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int move_diags(struct parser *ps, struct bf_diags *d)
{
	char **nm;
	size_t i;

	if (!d || !ps->n_diags)
		return 0;
	nm = realloc(d->msgs, (d->n + ps->n_diags) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	d->msgs = nm;
	for (i = 0; i < ps->n_diags; i++) {
		nm[d->n++] = ps->diags[i].msg;
		ps->diags[i].msg = NULL;
		if (ps->diags[i].error)
			d->n_errors++;
	}
	return 0;
}

static void parser_free(struct parser *ps)
{
	size_t i;

	for (i = 0; i < ps->n_diags; i++)
		free(ps->diags[i].msg);
	free(ps->diags);
	free(ps->pend);
	free(ps->pbrokers);
	free(ps->pstores);
	free(ps->toks);
	free(ps->scratch);
	EVP_MD_CTX_free(ps->md);
	bf_policy_names_free(ps);
	free(ps->root);
	bf_policy_free(ps->p);
}

static int parser_init(struct parser *ps, unsigned flags)
{
	memset(ps, 0, sizeof(*ps));
	ps->flags = flags;
	ps->p = calloc(1, sizeof(*ps->p));
	ps->md = EVP_MD_CTX_new();
	if (!ps->p || !ps->md || EVP_DigestInit_ex(ps->md, EVP_sha256(), NULL) != 1) {
		parser_free(ps);
		return -ENOMEM;
	}
	ps->p->max_window_ms = BF_MAX_WINDOW_DEFAULT_MS;
	ps->p->grace_ms = BF_GRACE_DEFAULT_MS;
	ps->p->dns_ttl_min_s = BF_DNS_TTL_MIN_DEFAULT_S;
	ps->p->dns_ttl_max_s = BF_DNS_TTL_MAX_DEFAULT_S;
	return 0;
}

static int parser_finish(struct parser *ps, struct bf_diags *diags, struct bf_policy **out)
{
	size_t i, n_errors = 0;
	unsigned mdlen;
	int rc;

	if (!ps->fatal)
		bf_policy_check(ps);
	if (EVP_DigestFinal_ex(ps->md, ps->p->digest, &mdlen) != 1)
		bf_policy_fail(ps, -EIO);
	if (ps->n_diags)
		qsort(ps->diags, ps->n_diags, sizeof(*ps->diags), cmp_diag);
	for (i = 0; i < ps->n_diags; i++)
		n_errors += ps->diags[i].error;
	if (move_diags(ps, diags))
		bf_policy_fail(ps, -ENOMEM);
	rc = ps->fatal ? ps->fatal : n_errors ? -EINVAL : 0;
	if (rc == 0) {
		*out = ps->p;
		ps->p = NULL;
	}
	parser_free(ps);
	return rc;
}

int bf_policy_parse(const char *path, unsigned flags, struct bf_policy **out,
		    struct bf_diags *diags)
{
	struct parser ps;
	int rc, frc;

	*out = NULL;
	rc = parser_init(&ps, flags);
	if (rc)
		return rc;
	ps.root = bf_policy_root_of(path);	/* NULL (unreadable): the open below says why */
	rc = bf_policy_parse_file(&ps, path, NULL);
	frc = parser_finish(&ps, diags, out);
	/* an unreadable main file is worth its own errno to the caller */
	return rc && frc != -ENOMEM ? rc : frc;
}

int bf_policy_parse_string(const char *name, const char *text, unsigned flags,
			   struct bf_policy **out, struct bf_diags *diags)
{
	struct parser ps;
	size_t len = strlen(text);
	const char *file;
	int rc;

	*out = NULL;
	rc = parser_init(&ps, flags);
	if (rc)
		return rc;
	file = bf_policy_add_file(&ps, name, text, len);
	if (file) {
		ps.file = file;
		ps.in_memory = true;
		bf_policy_parse_text(&ps, text, len);
	}
	return parser_finish(&ps, diags, out);
}

/* Frees N strings and the array that holds them. */
static void free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_dest(struct bf_dest *d)
{
	free_strs(d->hosts, d->n_hosts);
	free(d->host_src);
	free(d->cidrs);
	free(d->cidr_src);
	free(d->ports);
}

static void free_camera(struct bf_camera *c)
{
	free_dest(&c->net);
	free_strs(c->paths, c->n_paths);
	free(c->path_src);
	free(c->v4l2.driver);
	free(c->v4l2.card);
	free(c->v4l2.bus);
}

static void free_app(struct bf_app *a)
{
	free(a->exe);
	free(a->unit);
	free(a->cgroup);
	free(a->user);
}

void bf_policy_free(struct bf_policy *p)
{
	size_t i;

	if (!p)
		return;
	free_strs(p->files, p->n_files);
	free(p->unix_addrs);
	free(p->rules);
	free(p->brokers);
	for (i = 0; i < p->n_stores; i++)
		free(p->stores[i].path);
	free(p->stores);
	for (i = 0; i < p->n_cameras; i++)
		free_camera(&p->cameras[i]);
	free(p->cameras);
	for (i = 0; i < p->n_apps; i++)
		free_app(&p->apps[i]);
	free(p->apps);
	for (i = 0; i < p->n_dests; i++)
		free_dest(&p->dests[i]);
	free(p->dests);
	free(p);
}

void bf_diags_free(struct bf_diags *d)
{
	if (!d)
		return;
	free_strs(d->msgs, d->n);
	/* emptied, not just freed: a caller may collect into it again */
	memset(d, 0, sizeof(*d));
}
