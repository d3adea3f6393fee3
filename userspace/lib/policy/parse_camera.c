/* parse_camera.c - "camera NAME class|path|v4l2 ..." or "camera NAME net ...": which device nodes or network cameras a name stands for. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy_int.h"

const char *const bf_policy_v4l2_keys[3] = { "driver", "card", "bus" };
static const char *const camera_keys[] = { "class", "path", "v4l2", "net" };
#define N_CAMERA_KEYS 4
#define KEY_NET 3

/* What a network camera may be said to speak, in enum bf_net_speaks order from 1. */
static const char *const speaks_words[] = { "rtsp", "http", "onvif", NULL };
/* Where a network camera's address spec ends: what it speaks, or a key that has no place there. */
static const char *const net_stop[] = { "rtsp", "http", "onvif", "class", "path", "v4l2", "net", NULL };

const char *bf_net_speaks_word(enum bf_net_speaks s)
{
	return s >= BF_SPEAKS_RTSP && s <= BF_SPEAKS_ONVIF ? speaks_words[s - 1] : NULL;
}

static unsigned class_bit(const char *s)
{
	if (strcmp(s, "video") == 0)
		return BF_CLASS_VIDEO;
	if (strcmp(s, "media") == 0)
		return BF_CLASS_MEDIA;
	if (strcmp(s, "usb") == 0)
		return BF_CLASS_USB;
	return 0;
}

static int camera_classes(struct parser *ps, struct bf_camera *c)
{
	do {
		const struct tok *t = bf_lex_peek(ps);
		unsigned bit;

		if (!t || t->type != TOK_WORD) {
			bf_policy_err_at(ps, ps->cur,
					 "expected a camera class (video, media or usb)");
			return -EINVAL;
		}
		bit = class_bit(t->text);
		if (!bit) {
			bf_policy_err_at(ps, ps->cur,
					 "unknown class \"%s\" (expected video, media or usb)",
					 t->text);
			return -EINVAL;
		}
		c->classes |= bit;
		ps->cur++;
	} while (bf_lex_comma(ps));
	return 0;
}

static int camera_paths(struct parser *ps, struct bf_camera *c)
{
	do {
		size_t i = ps->cur;
		const struct tok *t = bf_lex_path(ps, "a quoted device path", "path", "device path",
						  "must be absolute");
		char **np;
		struct bf_src *ns;

		if (!t)
			return -EINVAL;
		np = BF_SLOT(ps, c->paths, c->n_paths);
		ns = np ? BF_SLOT(ps, c->path_src, c->n_paths) : NULL;
		if (!ns || !(*np = bf_policy_strdup(ps, t->text)))
			return -ENOMEM;
		*ns = bf_policy_src(ps, i);
		c->n_paths++;
	} while (bf_lex_comma(ps));
	return 0;
}

/* One "driver|card|bus VALUE" of a v4l2 identity: a quoted, exact, non-empty value. */
static int v4l2_field(struct parser *ps, const char *key, char **slot)
{
	const struct tok *t;
	size_t i;

	if (*slot) {
		bf_policy_err_at(ps, ps->cur, "key \"%s\" given twice", key);
		return -EINVAL;
	}
	ps->cur++;
	i = ps->cur;
	t = bf_lex_value(ps, false, "a quoted value", key);
	if (!t)
		return -EINVAL;
	if (!t->text[0]) {
		bf_policy_err_at(ps, i, "empty %s (a v4l2 identity value is matched exactly)", key);
		return -EINVAL;
	}
	if (strlen(t->text) >= BF_V4L2_FIELD_MAX) {
		bf_policy_err_at(ps, i, "%s is longer than %d bytes", key, BF_V4L2_FIELD_MAX - 1);
		return -EINVAL;
	}
	*slot = bf_policy_strdup(ps, t->text);
	return *slot ? 0 : -ENOMEM;
}

/* "v4l2" then driver, card and bus in any order, each at most once, at least one. */
static int camera_v4l2(struct parser *ps, struct bf_camera *c)
{
	char **slots[] = { &c->v4l2.driver, &c->v4l2.card, &c->v4l2.bus };
	size_t n = 0;

	c->v4l2.src = bf_policy_src(ps, ps->cur - 1);
	for (;;) {
		const struct tok *t = bf_lex_peek(ps);
		size_t k = bf_lex_key(ps, bf_policy_v4l2_keys, 3);

		if (k == 3 && t && t->type == TOK_WORD && bf_lex_key(ps, camera_keys, N_CAMERA_KEYS) == N_CAMERA_KEYS) {
			bf_policy_err_at(ps, ps->cur,
					 "unknown v4l2 key \"%s\" (expected driver, card or bus)", t->text);
			return -EINVAL;
		}
		if (k == 3 && t && t->type == TOK_COMMA) {
			bf_policy_err_at(ps, ps->cur,
					 "unexpected \",\" (a camera has one v4l2 identity; "
					 "its fields are separated by spaces)");
			return -EINVAL;
		}
		if (k == 3)
			break;
		if (v4l2_field(ps, bf_policy_v4l2_keys[k], slots[k]))
			return -EINVAL;
		n++;
	}
	if (!n) {
		bf_policy_err_at(ps, ps->cur, "expected driver, card or bus after v4l2");
		return -EINVAL;
	}
	return 0;
}

/*
 * An address no camera can have: every address (a prefix of 0), this
 * host's loopback, or the unspecified address. Fills WHY.
 */
static bool net_addr_refused(const struct bf_cidr *c, char *why, size_t len)
{
	static const uint8_t v4map[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t loop6[16] = { [15] = 1 };
	static const uint8_t zero[16];
	unsigned bits = c->v4 ? c->prefix - 96u : c->prefix;

	if (bits == 0)
		snprintf(why, len, "every address as a camera would make every connect a capture: "
			 "name the camera's address or its subnet");
	else if (c->v4 && c->addr[12] == 127)
		snprintf(why, len, "a loopback address is this host itself, not a camera");
	else if (!c->v4 && c->prefix == 128 && memcmp(c->addr, loop6, 16) == 0)
		snprintf(why, len, "::1 is this host itself, not a camera");
	else if (c->v4 ? memcmp(c->addr + 12, zero, 4) == 0 && memcmp(c->addr, v4map, 12) == 0 :
			 memcmp(c->addr, zero, 16) == 0)
		snprintf(why, len, "the unspecified address is no camera's");
	else
		return false;
	return true;
}

/* After the net key: its addresses, protocol and ports as a dest's, then what it speaks. */
static int camera_net_spec(struct parser *ps, struct bf_camera *c)
{
	const struct tok *t;
	size_t at = ps->cur - 1, first = ps->cur;
	char why[160];

	if (c->classes || c->n_paths || c->v4l2.src.line) {
		bf_policy_err_at(ps, at, "a camera is device nodes (class, path, v4l2) or a network "
				 "camera (net), not both: define two cameras");
		return -EINVAL;
	}
	c->is_net = true;
	c->net_src = bf_policy_src(ps, at);
	c->net.ord = ps->ord;
	if (bf_policy_net_spec(ps, &c->net, net_stop))
		return -EINVAL;
	if (c->net.any) {
		bf_policy_err_at(ps, first, "a network camera is an address or a camera subnet, not any "
				 "(every connect would be a capture)");
		return -EINVAL;
	}
	for (size_t i = 0; i < c->net.n_cidrs; i++) {
		if (!net_addr_refused(&c->net.cidrs[i], why, sizeof(why)))
			continue;
		bf_policy_report(ps, true, &c->net.cidr_src[i], ps->ord, "%s", why);
		return -EINVAL;
	}
	for (size_t k = 0; speaks_words[k]; k++) {
		if (!bf_lex_peek_word(ps, speaks_words[k]))
			continue;
		c->speaks = (enum bf_net_speaks)(k + 1);
		ps->cur++;
		break;
	}
	t = bf_lex_peek(ps);
	if (t && bf_lex_key(ps, camera_keys, N_CAMERA_KEYS) < N_CAMERA_KEYS) {
		bf_policy_err_at(ps, ps->cur, "a network camera has no %s: a camera is device nodes or "
				 "a network camera (net), not both", t->text);
		return -EINVAL;
	}
	if (t) {
		bf_policy_err_at(ps, ps->cur, "unexpected \"%s\" after a network camera's %s "
				 "(it may end with rtsp, http or onvif)", t->text,
				 c->speaks ? "protocol word" : c->net.n_ports ? "ports" : "addresses");
		return -EINVAL;
	}
	return 0;
}

/* A network camera with an error keeps no address: later checks have nothing to say about it. */
static int camera_net(struct parser *ps, struct bf_camera *c)
{
	int err = camera_net_spec(ps, c);

	if (err)
		c->net.n_cidrs = 0;
	return err;
}

static int camera_key(struct parser *ps, void *def, size_t key)
{
	struct bf_camera *c = def;

	if (key == KEY_NET)
		return camera_net(ps, c);
	if (c->is_net) {
		bf_policy_err_at(ps, ps->cur - 1, "a network camera has no %s: a camera is device "
				 "nodes or a network camera (net), not both", camera_keys[key]);
		return -EINVAL;
	}
	if (key == 0)
		return camera_classes(ps, c);
	return key == 1 ? camera_paths(ps, c) : camera_v4l2(ps, c);
}

/* The statement itself: parser.c runs it through bf_policy_keys. */
const struct bf_keyset bf_policy_camera_keys = {
	.kind = K_CAMERA, .keys = camera_keys, .n_keys = N_CAMERA_KEYS, .take = camera_key,
	.expected = "class, path, v4l2 or net",
	.none = "expected class, path, v4l2 or net after the camera name",
};
