/* logreview.c - filters and summaries over audit records, for `biofence log show` and `biofence log stats` (docs/log-review.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/logreview.h"
#include "rfc3339.h"

static const char *const known_kinds[BF_LR_KINDS] = {
	"agent", "capture", "export", "ipc", "socket", "consent", "lost", "checkpoint",
	"taint", "protect", "store",
};

const char *const bf_lr_headers[BF_LR_COLS] = {
	"TIME", "KIND", "VERDICT", "APP", "OBJECT", "PID/COMM", "RULE",
};

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool u64_of(struct json_object *o, const char *key, uint64_t *out)
{
	struct json_object *v = member(o, key);

	if (!v || !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return false;
	*out = (uint64_t)json_object_get_int64(v);
	return true;
}

/* The fields review reads; a field of the wrong type counts as absent rather than failing the record. */
static void fill(struct bf_lr_rec *r)
{
	struct json_object *o = r->obj, *c = member(o, "consent"), *d = member(o, "dest");

	/* A network camera's capture record has its address where an export has its dest. */
	if (!d)
		d = member(o, "net");
	struct json_object *lw = member(c, "last_window"), *en = member(o, "enforced");

	r->event = str_of(o, "event");
	r->verdict = str_of(o, "verdict");
	r->rule = str_of(o, "rule");
	r->app = str_of(o, "app");
	r->comm = str_of(o, "comm");
	r->camera = str_of(o, "camera");
	r->device = str_of(o, "device");
	r->dest_ip = str_of(d, "ip");
	r->dest_proto = str_of(d, "proto");
	r->has_port = u64_of(d, "port", &r->port);
	r->dest_set = str_of(o, "dest_set");
	r->unix_addr = str_of(member(o, "unix"), "address");
	r->has_pid = u64_of(o, "pid", &r->pid);
	r->consent_id = str_of(c, "id") ? str_of(c, "id") : str_of(lw, "id");
	/* a refused window names the consent it asked for only in the request when the ledger lacks it */
	if (!r->consent_id)
		r->consent_id = str_of(member(o, "request"), "consent");
	r->subject = str_of(c, "subject") ? str_of(c, "subject") : str_of(lw, "subject");
	r->has_window = u64_of(member(c, "window"), "id", &r->window_id);
	r->has_enforced = en && json_object_is_type(en, json_type_boolean);
	r->enforced = r->has_enforced && json_object_get_boolean(en);
	u64_of(o, "count", &r->count);
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

int bf_lr_parse(const char *line, size_t len, struct bf_lr_rec *r)
{
	struct json_tokener *tok;
	struct json_object *o;
	bool whole;

	memset(r, 0, sizeof(*r));
	/* json-c stops at a NUL: bytes after it would go unseen */
	if (len > INT_MAX || memchr(line, '\0', len))
		return -EINVAL;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, line, (int)len);
	whole = o && json_tokener_get_error(tok) == json_tokener_success &&
		only_space(line + json_tokener_get_parse_end(tok), len - json_tokener_get_parse_end(tok));
	json_tokener_free(tok);
	r->obj = o;
	r->kind = str_of(o, "kind");
	r->time = str_of(o, "time");
	if (!whole || !json_object_is_type(o, json_type_object) || !r->kind || !r->time ||
	    bf_parse_rfc3339(r->time, &r->time_ns)) {
		bf_lr_rec_free(r);
		return -EINVAL;
	}
	fill(r);
	return 0;
}

void bf_lr_rec_free(struct bf_lr_rec *r)
{
	json_object_put(r->obj);
	memset(r, 0, sizeof(*r));
}

int bf_lr_getline(FILE *fp, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	bool over = false;
	int c;

	while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			over = true;
	}
	if (c == EOF && ferror(fp))
		return -EIO;
	if (c == EOF && n == 0 && !over)
		return 0;
	buf[n] = '\0';
	*len = n;
	return over ? -EFBIG : 1;
}

int bf_lr_scan(FILE *fp, char *buf, size_t cap, bf_lr_each_fn each, void *ctx,
	       uint64_t *not_records, uint64_t *first_bad)
{
	struct bf_lr_rec rec;
	size_t len;
	int r, err;

	for (uint64_t line = 1;; line++) {
		r = bf_lr_getline(fp, buf, cap, &len);
		if (r == 0 || r == -EIO)
			return r;
		err = r == 1 ? bf_lr_parse(buf, len, &rec) : -EINVAL;
		if (err == -ENOMEM)
			return err;
		if (err) {
			/* counted, never skipped in silence: the reader is told how many and where */
			if (!*first_bad)
				*first_bad = line;
			(*not_records)++;
			continue;
		}
		err = each(ctx, buf, len, &rec);
		bf_lr_rec_free(&rec);
		if (err)
			return err;
	}
}

int bf_parse_reltime(const char *s, const char *units, int64_t now_ns, int64_t *ns)
{
	static const struct {
		char unit;
		int64_t ns;
	} known[] = { { 's', BF_NS_PER_SEC }, { 'm', 60 * BF_NS_PER_SEC }, { 'h', 3600 * BF_NS_PER_SEC },
		      { 'd', 86400 * BF_NS_PER_SEC }, { 'w', 7 * 86400 * BF_NS_PER_SEC } };
	bool later = s[0] == '+';
	const char *p = s + 1;
	int64_t n = 0, unit = 0;

	if (!later && s[0] != '-')
		return -EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	for (size_t i = 0; *p && strchr(units, *p) && i < sizeof(known) / sizeof(known[0]); i++)
		if (*p == known[i].unit)
			unit = known[i].ns;
	/* the shape first, so a malformed string is never reported as a range error */
	if (p == s + 1 || !unit || p[1])
		return -EINVAL;
	for (const char *q = s + 1; q < p; q++) {
		if (n > (INT64_MAX - (*q - '0')) / 10)
			return -ERANGE;
		n = n * 10 + (*q - '0');
	}
	/* before 1970 or past 2262 is outside what a record's time can say */
	if (now_ns < 0 || n > (later ? INT64_MAX - now_ns : now_ns) / unit)
		return -ERANGE;
	*ns = later ? now_ns + n * unit : now_ns - n * unit;
	return 0;
}

int bf_lr_parse_time(const char *s, int64_t now_ns, int64_t *ns)
{
	if (strcmp(s, "now") == 0) {
		*ns = now_ns;
		return 0;
	}
	return s[0] == '-' ? bf_parse_reltime(s, "smhdw", now_ns, ns) : bf_parse_rfc3339(s, ns);
}

int bf_lr_set_kinds(struct bf_lr_filter *f, char *list, const char **bad)
{
	char *save = NULL;

	f->n_kinds = 0;
	for (char *k = strtok_r(list, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		size_t i = 0, j = 0;

		while (i < BF_LR_KINDS && strcmp(known_kinds[i], k) != 0)
			i++;
		if (i == BF_LR_KINDS) {
			*bad = k;
			return -EINVAL;
		}
		while (j < f->n_kinds && strcmp(f->kinds[j], k) != 0)
			j++;
		if (j == f->n_kinds)
			f->kinds[f->n_kinds++] = known_kinds[i];
	}
	if (!f->n_kinds) {
		*bad = "";
		return -EINVAL;
	}
	return 0;
}

bool bf_lr_in_range(const struct bf_lr_filter *f, int64_t ns)
{
	return (!f->has_since || ns >= f->since_ns) && (!f->has_until || ns < f->until_ns);
}

/* "::ffff:1.2.3.4" and "1.2.3.4" differ as text only: compare addresses when both are addresses. */
static bool same_ip(const char *want, const char *ip)
{
	unsigned char a[16], b[16];

	if (!ip)
		return false;
	if (strcmp(want, ip) == 0)
		return true;
	return inet_pton(AF_INET6, want, a) == 1 && inet_pton(AF_INET6, ip, b) == 1 &&
	       memcmp(a, b, sizeof(a)) == 0;
}

static bool kind_listed(const struct bf_lr_filter *f, const char *kind)
{
	for (size_t i = 0; i < f->n_kinds; i++)
		if (eq(kind, f->kinds[i]))
			return true;
	return false;
}

bool bf_lr_match(const struct bf_lr_filter *f, const struct bf_lr_rec *r)
{
	if (!bf_lr_in_range(f, r->time_ns))
		return false;
	if (f->n_kinds && !kind_listed(f, r->kind))
		return false;
	if (f->verdict && !eq(r->verdict, f->verdict))
		return false;
	if (f->app && !eq(r->app, f->app))
		return false;
	/* a network camera's records are found by its address too; they are captures, never a dest's */
	if (f->camera && !eq(r->camera, f->camera) && !eq(r->device, f->camera) &&
	    !(eq(r->kind, "capture") && same_ip(f->camera, r->dest_ip)))
		return false;
	if (f->dest && (eq(r->kind, "capture") ||
			(!eq(r->dest_set, f->dest) && !same_ip(f->dest, r->dest_ip) &&
			 !eq(r->unix_addr, f->dest))))
		return false;
	if (f->consent && !eq(r->consent_id, f->consent))
		return false;
	if (f->subject && !eq(r->subject, f->subject))
		return false;
	return true;
}

/* Appends to a cell, cutting at its end: a cell is for the eye, the record stays whole in --json. */
static void cat(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	if (s && used + 1 < len)
		snprintf(buf + used, len - used, "%s", s);
}

/* PRE, S and POST appended when S is there; nothing when it is NULL. */
static void cat3(char *buf, size_t len, const char *pre, const char *s, const char *post)
{
	if (!s)
		return;
	cat(buf, len, pre);
	cat(buf, len, s);
	cat(buf, len, post);
}

/* "10.0.0.5:443/tcp", "[fd00::5]:554/tcp": a dest's or a network camera's address. */
static void addr_port(const struct bf_lr_rec *r, char *b, size_t len)
{
	char port[24] = "";
	bool v6 = r->dest_ip && strchr(r->dest_ip, ':');

	if (r->has_port)
		snprintf(port, sizeof(port), ":%llu", (unsigned long long)r->port);
	cat3(b, len, v6 ? "[" : "", r->dest_ip ? r->dest_ip : "?", v6 ? "]" : "");
	cat(b, len, port);
	cat3(b, len, "/", r->dest_proto, "");
}

static void dest_object(const struct bf_lr_rec *r, char *b, size_t len)
{
	if (eq(r->event, "quota-hit")) {
		cat(b, len, "quota ");
		cat(b, len, str_of(member(r->obj, "quota"), "name"));
		return;
	}
	addr_port(r, b, len);
	cat3(b, len, " (", r->dest_set, ")");
}

static void consent_object(const struct bf_lr_rec *r, char *b, size_t len)
{
	char win[32];
	const char *code = str_of(member(r->obj, "error"), "code");

	if (r->has_window) {
		snprintf(win, sizeof(win), "window %llu ", (unsigned long long)r->window_id);
		cat(b, len, win);
	}
	cat3(b, len, "", r->camera, " ");
	cat3(b, len, "consent ", r->consent_id, "");
	cat3(b, len, " (", r->subject, ")");
	cat3(b, len, *b ? ": " : "", code, "");
}

static void other_object(const struct bf_lr_rec *r, char *b, size_t len)
{
	struct json_object *so = member(r->obj, "socket");
	uint64_t seq;

	if (eq(r->kind, "lost")) {
		snprintf(b, len, "%llu events lost", (unsigned long long)r->count);
	} else if (eq(r->kind, "checkpoint") && u64_of(r->obj, "covers_seq", &seq)) {
		snprintf(b, len, "covers seq %llu", (unsigned long long)seq);
	} else if (so) {
		cat(b, len, str_of(so, "family"));
		cat(b, len, "/");
		cat(b, len, str_of(so, "type"));
	} else if (r->unix_addr) {
		cat(b, len, r->unix_addr);
	} else if (eq(r->kind, "store") && str_of(r->obj, "store")) {
		/* the store, then the name touched under it: "/var/lib/gate/templates: alice.tpl" */
		cat(b, len, str_of(r->obj, "store"));
		cat3(b, len, ": ", str_of(r->obj, "file"), "");
	} else if (eq(r->kind, "store") && str_of(r->obj, "target_comm")) {
		cat3(b, len, "holder ", str_of(r->obj, "target_comm"), "");
	} else {
		cat(b, len, str_of(r->obj, "reason"));
	}
}

/* What the record is about, by kind: the column an inspector scans. */
static void object_cell(const struct bf_lr_rec *r, char *b, size_t len)
{
	b[0] = '\0';
	if (eq(r->kind, "capture") && !r->device && r->dest_ip) {
		/* a network camera: its name, and the address that was reached */
		cat3(b, len, r->camera ? r->camera : "", r->camera ? " (" : "", "");
		addr_port(r, b, len);
		cat(b, len, r->camera ? ")" : "");
	} else if (eq(r->kind, "capture")) {
		cat(b, len, r->camera ? r->camera : r->device);
		if (r->camera)
			cat3(b, len, " (", r->device, ")");
	} else if (eq(r->kind, "export")) {
		dest_object(r, b, len);
	} else if (eq(r->kind, "consent")) {
		consent_object(r, b, len);
	} else {
		other_object(r, b, len);
	}
	if (!b[0])
		cat(b, len, "-");
}

void bf_lr_row(const struct bf_lr_rec *r, struct bf_lr_row *row)
{
	char (*c)[BF_LR_CELL] = row->cell;

	memset(row, 0, sizeof(*row));
	cat(c[0], BF_LR_CELL, r->time);
	cat(c[1], BF_LR_CELL, r->kind);
	if (r->event) {
		cat(c[1], BF_LR_CELL, "/");
		cat(c[1], BF_LR_CELL, r->event);
	}
	cat(c[2], BF_LR_CELL, r->verdict ? r->verdict : "-");
	/* in audit mode a deny was only written down: the reader must not take it as enforced */
	if (r->verdict && r->has_enforced && !r->enforced)
		cat(c[2], BF_LR_CELL, "(audit)");
	cat(c[3], BF_LR_CELL, r->app ? r->app : "-");
	object_cell(r, c[4], BF_LR_CELL);
	if (r->has_pid)
		snprintf(c[5], BF_LR_CELL, "%llu", (unsigned long long)r->pid);
	if (r->comm) {
		cat(c[5], BF_LR_CELL, r->has_pid ? "/" : "");
		cat(c[5], BF_LR_CELL, r->comm);
	}
	if (!c[5][0])
		cat(c[5], BF_LR_CELL, "-");
	cat(c[6], BF_LR_CELL, r->rule ? r->rule : "-");
}

/* FNV-1a over both keys, with a separator no policy name holds so ("ab","c") != ("a","bc"). */
static uint64_t hash_keys(const char *k1, const char *k2)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = k1; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0x1f) * 1099511628211ull;
	for (const char *p = k2 ? k2 : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h;
}

static bool same_keys(const struct bf_lr_entry *e, const char *k1, const char *k2)
{
	return strcmp(e->k1, k1) == 0 && strcmp(e->k2 ? e->k2 : "", k2 ? k2 : "") == 0;
}

static struct bf_lr_entry *probe(struct bf_lr_entry *slot, size_t n_slot, const char *k1, const char *k2)
{
	size_t i = (size_t)hash_keys(k1, k2) & (n_slot - 1);

	while (slot[i].k1 && !same_keys(&slot[i], k1, k2))
		i = (i + 1) & (n_slot - 1);
	return &slot[i];
}

/* Kept at most half full, so a probe ends soon; the cap bounds it at 32768 slots. */
static int grow(struct bf_lr_map *m)
{
	size_t n_slot = m->n_slot ? m->n_slot * 2 : 64;
	struct bf_lr_entry *slot = calloc(n_slot, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_slot; i++)
		if (m->slot[i].k1)
			*probe(slot, n_slot, m->slot[i].k1, m->slot[i].k2) = m->slot[i];
	free(m->slot);
	m->slot = slot;
	m->n_slot = n_slot;
	return 0;
}

int bf_lr_map_add(struct bf_lr_map *m, const char *k1, const char *k2, int which, uint64_t by)
{
	struct bf_lr_entry *e;

	k1 = k1 ? k1 : "";
	if ((m->n + 1) * 2 > m->n_slot && m->n < BF_LR_MAP_CAP && grow(m))
		return -ENOMEM;
	e = probe(m->slot, m->n_slot, k1, k2);
	if (!e->k1) {
		if (m->n >= BF_LR_MAP_CAP) {
			m->capped = true;
			m->others[which] += by;
			return 0;
		}
		e->k1 = strdup(k1);
		e->k2 = k2 ? strdup(k2) : NULL;
		if (!e->k1 || (k2 && !e->k2)) {
			free(e->k1);
			free(e->k2);
			e->k1 = e->k2 = NULL;
			return -ENOMEM;
		}
		m->n++;
	}
	e->n[which] += by;
	return 0;
}

static uint64_t total(const struct bf_lr_entry *e)
{
	return e->n[0] + e->n[1] + e->n[2];
}

static int by_count(const void *a, const void *b)
{
	const struct bf_lr_entry *x = *(const struct bf_lr_entry *const *)a;
	const struct bf_lr_entry *y = *(const struct bf_lr_entry *const *)b;
	int c;

	if (total(x) != total(y))
		return total(x) > total(y) ? -1 : 1;
	c = strcmp(x->k1, y->k1);
	return c ? c : strcmp(x->k2 ? x->k2 : "", y->k2 ? y->k2 : "");
}

int bf_lr_map_sorted(const struct bf_lr_map *m, const struct bf_lr_entry ***out)
{
	const struct bf_lr_entry **v = calloc(m->n + 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_slot; i++)
		if (m->slot[i].k1)
			v[n++] = &m->slot[i];
	qsort(v, n, sizeof(*v), by_count);
	*out = v;
	return 0;
}

void bf_lr_map_free(struct bf_lr_map *m)
{
	for (size_t i = 0; i < m->n_slot; i++) {
		free(m->slot[i].k1);
		free(m->slot[i].k2);
	}
	free(m->slot);
	memset(m, 0, sizeof(*m));
}

static void down_add(struct bf_lr_downtime *d, const struct bf_lr_filter *f, int64_t from,
		     int64_t to, bool crash)
{
	int64_t span;

	if (f->has_since && from < f->since_ns)
		from = f->since_ns;
	if (f->has_until && to > f->until_ns)
		to = f->until_ns;
	/* also a start stamped before the record it follows (a clock step): no downtime to show */
	if (to <= from)
		return;
	d->intervals++;
	d->crashes += crash;
	/* Times come from the file: a forged or broken log may span centuries. Saturate, never wrap. */
	if (__builtin_sub_overflow(to, from, &span) || __builtin_add_overflow(d->total_ns, span, &d->total_ns))
		d->total_ns = INT64_MAX;
	if (d->n == BF_LR_DOWN_LIST) {
		d->unlisted++;
		return;
	}
	d->list[d->n++] = (struct bf_lr_down){ .from_ns = from, .to_ns = to, .crash = crash };
}

void bf_lr_downtime_feed(struct bf_lr_downtime *d, const struct bf_lr_filter *f,
			 const struct bf_lr_rec *r)
{
	bool agent = eq(r->kind, "agent");

	/*
	 * "starting" is the agent's first record, written before it loads
	 * anything: it ends the downtime. Records it writes while starting up
	 * must not be mistaken for signs of the agent before it.
	 */
	if (agent && eq(r->event, "start") && d->starting) {
		d->starting = false;
		return;
	}
	if (agent && eq(r->event, "starting"))
		d->starting = true;
	if (agent && (eq(r->event, "start") || eq(r->event, "starting"))) {
		/* no stop before this start: the agent died; the last record is when it was last seen alive */
		if (d->stopped)
			down_add(d, f, d->stop_ns, r->time_ns, false);
		else if (d->seen)
			down_add(d, f, d->last_ns, r->time_ns, true);
		d->stopped = false;
		d->seen = true;
		d->last_ns = r->time_ns;
		return;
	}
	if (agent && eq(r->event, "stop") && !d->stopped) {
		d->stopped = true;
		d->stop_ns = r->time_ns;
	}
	/* the latest, not the last: a restarted agent logs what happened while it was down at those times */
	if (!d->seen || r->time_ns > d->last_ns)
		d->last_ns = r->time_ns;
	d->seen = true;
}

static int add_capture(struct bf_lr_stats *s, const struct bf_lr_rec *r)
{
	const char *cam = r->camera ? r->camera : r->device ? r->device : "?";
	const char *app = r->app ? r->app : "-";
	int err = 0;

	if (eq(r->verdict, "allow")) {
		err = bf_lr_map_add(&s->captures, cam, app, 0, 1);
		if (r->has_window)
			s->cap_window++;
		else
			s->cap_no_window++;
	} else if (eq(r->verdict, "deny")) {
		err = bf_lr_map_add(&s->captures, cam, app, 1, 1);
		if (!err && r->has_enforced && !r->enforced)
			err = bf_lr_map_add(&s->captures, cam, app, 2, 1);
		if (member(member(r->obj, "consent"), "reason"))
			s->cap_consent_deny++;
	}
	return err;
}

static int add_export(struct bf_lr_stats *s, const struct bf_lr_rec *r)
{
	const char *set = r->dest_set ? r->dest_set : "-";
	int err;

	/* a quota hit is a period's verdict on an app and set, not one packet */
	if (eq(r->event, "quota-hit")) {
		const char *q = str_of(member(r->obj, "quota"), "name");

		s->quota_hits++;
		return bf_lr_map_add(&s->quotas, q ? q : "?", NULL, 0, 1);
	}
	if (eq(r->verdict, "allow"))
		return bf_lr_map_add(&s->exports, set, NULL, 0, 1);
	if (!eq(r->verdict, "deny"))
		return 0;
	err = bf_lr_map_add(&s->exports, set, NULL, 1, 1);
	return err ? err : bf_lr_map_add(&s->deny_ips, r->dest_ip ? r->dest_ip : "?", NULL, 0, 1);
}

static void add_consent(struct bf_lr_stats *s, const struct bf_lr_rec *r)
{
	if (eq(r->event, "window-open"))
		s->win_open++;
	else if (eq(r->event, "window-refuse"))
		s->win_refuse++;
	else if (eq(r->event, "window-expire"))
		s->win_expire++;
	else if (eq(r->event, "window-close"))
		s->win_close++;
}

/* Denials by rule are the kernel's decisions; a refused window or a quota hit has its own count. */
static bool is_decision_denial(const struct bf_lr_rec *r)
{
	return eq(r->verdict, "deny") && !eq(r->event, "quota-hit") &&
	       (eq(r->kind, "capture") || eq(r->kind, "export") || eq(r->kind, "ipc") ||
		eq(r->kind, "socket") || eq(r->kind, "store"));
}

int bf_lr_stats_add(struct bf_lr_stats *s, const struct bf_lr_filter *f, const struct bf_lr_rec *r)
{
	int err;

	bf_lr_downtime_feed(&s->down, f, r);
	if (!bf_lr_in_range(f, r->time_ns))
		return 0;
	s->records++;
	if (!s->any || r->time_ns < s->first_ns)
		s->first_ns = r->time_ns;
	if (!s->any || r->time_ns > s->last_ns)
		s->last_ns = r->time_ns;
	s->any = true;
	err = bf_lr_map_add(&s->kinds, r->kind, NULL, 0, 1);
	if (!err && is_decision_denial(r))
		err = bf_lr_map_add(&s->deny_rules, r->rule ? r->rule : "-", NULL, 0, 1);
	if (!err && eq(r->kind, "capture"))
		err = add_capture(s, r);
	else if (!err && eq(r->kind, "export"))
		err = add_export(s, r);
	else if (eq(r->kind, "consent"))
		add_consent(s, r);
	else if (eq(r->kind, "lost"))
		s->lost_records++, s->lost_events += r->count;
	else if (eq(r->kind, "checkpoint"))
		s->checkpoints++;
	return err;
}

void bf_lr_stats_free(struct bf_lr_stats *s)
{
	bf_lr_map_free(&s->kinds);
	bf_lr_map_free(&s->captures);
	bf_lr_map_free(&s->deny_rules);
	bf_lr_map_free(&s->exports);
	bf_lr_map_free(&s->deny_ips);
	bf_lr_map_free(&s->quotas);
}

/* How one bounded map becomes a JSON array: key names, counter names, how many rows to list. */
struct table_spec {
	const char *name, *k1, *k2;
	const char *c[3];
	size_t top;		/* 0: every row */
};

static void add_counts(struct json_object *row, const struct table_spec *t, const uint64_t *n)
{
	for (int i = 0; i < 3; i++)
		if (t->c[i])
			bf_json_add_u64(row, t->c[i], n[i]);
}

/* Rows beyond the cap or the top N are summed under "<name>_others": nothing counted goes unsaid. */
static int add_table(struct json_object *o, const struct bf_lr_map *m, const struct table_spec *t)
{
	const struct bf_lr_entry **v = NULL;
	struct json_object *arr, *row;
	uint64_t others[3] = { m->others[0], m->others[1], m->others[2] };
	bool more = m->capped;
	char key[96];

	if (bf_lr_map_sorted(m, &v) || !(arr = json_object_new_array())) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; v[i]; i++) {
		if (t->top && i >= t->top) {
			for (int j = 0; j < 3; j++)
				others[j] += v[i]->n[j];
			more = true;
			continue;
		}
		row = json_object_new_object();
		bf_json_add_str(row, t->k1, v[i]->k1);
		if (t->k2)
			bf_json_add_str(row, t->k2, v[i]->k2);
		add_counts(row, t, v[i]->n);
		json_object_array_add(arr, row);
	}
	free(v);
	json_object_object_add(o, t->name, arr);
	if (more) {
		snprintf(key, sizeof(key), "%s_others", t->name);
		row = json_object_new_object();
		add_counts(row, t, others);
		json_object_object_add(o, key, row);
	}
	return 0;
}

static void add_time(struct json_object *o, const char *key, int64_t ns)
{
	char buf[BF_RFC3339_BUFSZ];

	if (ns >= 0 && bf_format_rfc3339(buf, sizeof(buf), (uint64_t)ns) == 0)
		bf_json_add_str(o, key, buf);
}

static struct json_object *downtime_json(const struct bf_lr_downtime *d, const struct bf_lr_filter *f)
{
	struct json_object *o = json_object_new_object(), *list = json_object_new_array(), *e;
	int64_t since;

	bf_json_add_u64(o, "intervals", d->intervals);
	bf_json_add_u64(o, "crashes", d->crashes);
	bf_json_add_i64(o, "total_ms", d->total_ns / 1000000);
	for (size_t i = 0; i < d->n; i++) {
		e = json_object_new_object();
		add_time(e, "from", d->list[i].from_ns);
		add_time(e, "to", d->list[i].to_ns);
		bf_json_add_i64(e, "ms", (d->list[i].to_ns - d->list[i].from_ns) / 1000000);
		bf_json_add_str(e, "cause", d->list[i].crash ? "crash" : "stop");
		json_object_array_add(list, e);
	}
	json_object_object_add(o, "list", list);
	if (d->unlisted)
		bf_json_add_u64(o, "unlisted", d->unlisted);
	/* stopped and never started again within the files: down from then to their end */
	since = f->has_since && d->stop_ns < f->since_ns ? f->since_ns : d->stop_ns;
	if (d->stopped && (!f->has_until || since < f->until_ns)) {
		e = json_object_new_object();
		add_time(e, "since", since);
		json_object_object_add(o, "down_at_end", e);
	}
	return o;
}

static struct json_object *consent_json(const struct bf_lr_stats *s)
{
	struct json_object *o = json_object_new_object();

	bf_json_add_u64(o, "windows_opened", s->win_open);
	bf_json_add_u64(o, "windows_refused", s->win_refuse);
	bf_json_add_u64(o, "windows_expired", s->win_expire);
	bf_json_add_u64(o, "windows_closed", s->win_close);
	bf_json_add_u64(o, "captures_under_window", s->cap_window);
	bf_json_add_u64(o, "captures_without_window", s->cap_no_window);
	bf_json_add_u64(o, "captures_denied_by_consent", s->cap_consent_deny);
	return o;
}

static const struct table_spec tables[] = {
	{ "kinds", "kind", NULL, { "count" }, 0 },
	{ "captures", "camera", "app", { "allowed", "denied", "denied_not_enforced" }, 0 },
	{ "denials_by_rule", "rule", NULL, { "count" }, 0 },
	{ "exports", "dest_set", NULL, { "allowed", "denied" }, 0 },
	{ "export_denials_by_ip", "ip", NULL, { "count" }, BF_LR_TOP_IPS },
	{ "by_quota", "quota", NULL, { "count" }, 0 },
};

struct json_object *bf_lr_stats_json(const struct bf_lr_stats *s, const struct bf_lr_filter *f)
{
	const struct bf_lr_map *maps[] = { &s->kinds, &s->captures, &s->deny_rules, &s->exports,
					   &s->deny_ips, &s->quotas };
	struct json_object *o = json_object_new_object(), *q = json_object_new_object(), *lost;
	int err = !o || !q;

	bf_json_add_u64(o, "records", s->records);
	bf_json_add_u64(o, "not_records", s->not_records);
	if (s->any) {
		add_time(o, "first", s->first_ns);
		add_time(o, "last", s->last_ns);
	}
	if (f->has_since)
		add_time(o, "since", f->since_ns);
	if (f->has_until)
		add_time(o, "until", f->until_ns);
	/* every table but the last, which belongs under quota_hits */
	for (size_t i = 0; !err && i + 1 < sizeof(tables) / sizeof(tables[0]); i++)
		err = add_table(o, maps[i], &tables[i]);
	json_object_object_add(o, "consent", consent_json(s));
	lost = json_object_new_object();
	bf_json_add_u64(lost, "records", s->lost_records);
	bf_json_add_u64(lost, "events", s->lost_events);
	json_object_object_add(o, "lost", lost);
	json_object_object_add(o, "downtime", downtime_json(&s->down, f));
	bf_json_add_u64(q, "total", s->quota_hits);
	if (!err)
		err = add_table(q, maps[5], &tables[5]);
	json_object_object_add(o, "quota_hits", q);
	bf_json_add_u64(o, "checkpoints", s->checkpoints);
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
