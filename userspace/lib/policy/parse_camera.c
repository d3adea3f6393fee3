/* parse_camera.c - "camera NAME class|path|v4l2 ...": which device nodes a name stands for. */
#include <errno.h>
#include <string.h>

#include "policy/policy_int.h"

const char *const bf_policy_v4l2_keys[3] = { "driver", "card", "bus" };
static const char *const camera_keys[] = { "class", "path", "v4l2" };

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

		if (k == 3 && t && t->type == TOK_WORD && bf_lex_key(ps, camera_keys, 3) == 3) {
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

static int camera_key(struct parser *ps, void *def, size_t key)
{
	struct bf_camera *c = def;

	if (key == 0)
		return camera_classes(ps, c);
	return key == 1 ? camera_paths(ps, c) : camera_v4l2(ps, c);
}

/* The statement itself: parser.c runs it through bf_policy_keys. */
const struct bf_keyset bf_policy_camera_keys = {
	.kind = K_CAMERA, .keys = camera_keys, .n_keys = 3, .take = camera_key,
	.expected = "class, path or v4l2",
	.none = "expected class, path or v4l2 after the camera name",
};
