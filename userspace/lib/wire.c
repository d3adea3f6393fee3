/* wire.c - bytes between biofence's processes: a growing writer and a bounds-checked reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "wire.h"

void bf_wput(struct bf_wbuf *w, const void *data, size_t n)
{
	/* Nothing to copy: an empty array may well be NULL, which memcpy may not be given. */
	if (w->err || !n)
		return;
	if (n > BF_WIRE_MAX - w->len) {
		w->err = -E2BIG;
		return;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *np;

		while (cap < w->len + n)
			cap *= 2;
		np = realloc(w->p, cap);
		if (!np) {
			w->err = -ENOMEM;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
	memcpy(w->p + w->len, data, n);
	w->len += n;
}

void bf_wput_u8(struct bf_wbuf *w, uint8_t v)
{
	bf_wput(w, &v, sizeof(v));
}

void bf_wput_u32(struct bf_wbuf *w, uint32_t v)
{
	bf_wput(w, &v, sizeof(v));
}

void bf_wput_u64(struct bf_wbuf *w, uint64_t v)
{
	bf_wput(w, &v, sizeof(v));
}

void bf_wput_str(struct bf_wbuf *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (s && n >= UINT32_MAX) {
		w->err = w->err ?: -E2BIG;
		return;
	}
	bf_wput_u32(w, s ? (uint32_t)n : UINT32_MAX);
	if (s)
		bf_wput(w, s, n);
}

void bf_wbuf_free(struct bf_wbuf *w)
{
	free(w->p);
	memset(w, 0, sizeof(*w));
}

void bf_rfail(struct bf_rbuf *r)
{
	r->err = -EBADMSG;
}

void bf_rget(struct bf_rbuf *r, void *data, size_t n)
{
	if (!n)
		return;
	if (r->err || n > r->len - r->off) {
		bf_rfail(r);
		memset(data, 0, n);
		return;
	}
	memcpy(data, r->p + r->off, n);
	r->off += n;
}

uint8_t bf_rget_u8(struct bf_rbuf *r)
{
	uint8_t v;

	bf_rget(r, &v, sizeof(v));
	return v;
}

uint32_t bf_rget_u32(struct bf_rbuf *r)
{
	uint32_t v;

	bf_rget(r, &v, sizeof(v));
	return v;
}

uint64_t bf_rget_u64(struct bf_rbuf *r)
{
	uint64_t v;

	bf_rget(r, &v, sizeof(v));
	return v;
}

bool bf_rget_bool(struct bf_rbuf *r)
{
	uint8_t v = bf_rget_u8(r);

	if (v > 1)
		bf_rfail(r);
	return v == 1;
}

/* The length of the next string, its bytes checked: (size_t)-1 for NULL, 0 on error too (err set). */
static size_t str_len(struct bf_rbuf *r, size_t max, bool nullable)
{
	uint32_t n = bf_rget_u32(r);

	if (r->err)
		return 0;
	if (n == UINT32_MAX) {
		if (!nullable)
			bf_rfail(r);
		return nullable ? (size_t)-1 : 0;
	}
	if (n > max || n > r->len - r->off || memchr(r->p + r->off, 0, n)) {
		bf_rfail(r);
		return 0;
	}
	return n;
}

char *bf_rget_str(struct bf_rbuf *r, size_t max, bool nullable)
{
	size_t n = str_len(r, max, nullable);
	char *s;

	if (r->err || n == (size_t)-1)
		return NULL;
	s = malloc(n + 1);
	if (!s) {
		bf_rfail(r);
		return NULL;
	}
	memcpy(s, r->p + r->off, n);
	s[n] = 0;
	r->off += n;
	return s;
}

void bf_rget_strbuf(struct bf_rbuf *r, char *buf, size_t len)
{
	size_t n = str_len(r, len - 1, false);

	buf[0] = 0;
	if (r->err)
		return;
	memcpy(buf, r->p + r->off, n);
	buf[n] = 0;
	r->off += n;
}

size_t bf_rget_count(struct bf_rbuf *r, size_t max, size_t min_size)
{
	uint32_t n = bf_rget_u32(r);

	if (r->err)
		return 0;
	if (n > max || (min_size && n > (r->len - r->off) / min_size)) {
		bf_rfail(r);
		return 0;
	}
	return n;
}

/* ---- JSON values ---- */

enum { J_NULL, J_FALSE, J_TRUE, J_INT, J_DOUBLE, J_STRING, J_ARRAY, J_OBJECT };

void bf_wput_json(struct bf_wbuf *w, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		bf_wput_u8(w, J_NULL);
		break;
	case json_type_boolean:
		bf_wput_u8(w, json_object_get_boolean(v) ? J_TRUE : J_FALSE);
		break;
	case json_type_int:
		bf_wput_u8(w, J_INT);
		bf_wput_u64(w, (uint64_t)json_object_get_int64(v));
		break;
	case json_type_double: {
		double d = json_object_get_double(v);

		bf_wput_u8(w, J_DOUBLE);
		bf_wput(w, &d, sizeof(d));
		break;
	}
	case json_type_string:
		bf_wput_u8(w, J_STRING);
		bf_wput_str(w, json_object_get_string(v));
		break;
	case json_type_array:
		bf_wput_u8(w, J_ARRAY);
		bf_wput_u32(w, (uint32_t)json_object_array_length(v));
		for (size_t i = 0; i < json_object_array_length(v); i++)
			bf_wput_json(w, json_object_array_get_idx(v, i));
		break;
	case json_type_object:
		bf_wput_u8(w, J_OBJECT);
		bf_wput_u32(w, (uint32_t)json_object_object_length(v));
		json_object_object_foreach(v, k, m) {
			bf_wput_str(w, k);
			bf_wput_json(w, m);
		}
		break;
	}
}

static struct json_object *get_json(struct bf_rbuf *r, unsigned depth);

static struct json_object *get_container(struct bf_rbuf *r, bool object, unsigned depth)
{
	/* Each member is at least a type byte (and a key's length): the count cannot outrun the bytes. */
	size_t n = bf_rget_count(r, UINT32_MAX, object ? 5 : 1);
	struct json_object *c = object ? json_object_new_object() : json_object_new_array();

	if (!c)
		bf_rfail(r);
	for (size_t i = 0; !r->err && i < n; i++) {
		char *key = object ? bf_rget_str(r, BF_WIRE_JSON_KEY, false) : NULL;
		struct json_object *m = r->err ? NULL : get_json(r, depth + 1);

		if (!r->err && object)
			json_object_object_add(c, key, m);
		else if (!r->err)
			json_object_array_add(c, m);
		else
			json_object_put(m);
		free(key);
	}
	if (r->err) {
		json_object_put(c);
		return NULL;
	}
	return c;
}

static struct json_object *get_json(struct bf_rbuf *r, unsigned depth)
{
	uint8_t t = bf_rget_u8(r);

	if (r->err || depth > BF_WIRE_JSON_DEPTH) {
		bf_rfail(r);
		return NULL;
	}
	switch (t) {
	case J_NULL:
		return NULL;
	case J_FALSE:
	case J_TRUE:
		return json_object_new_boolean(t == J_TRUE);
	case J_INT:
		return json_object_new_int64((int64_t)bf_rget_u64(r));
	case J_DOUBLE: {
		double d;

		bf_rget(r, &d, sizeof(d));
		return r->err ? NULL : json_object_new_double(d);
	}
	case J_STRING: {
		char *s = bf_rget_str(r, BF_WIRE_MAX, false);
		struct json_object *o = s ? json_object_new_string(s) : NULL;

		free(s);
		return o;
	}
	case J_ARRAY:
	case J_OBJECT:
		return get_container(r, t == J_OBJECT, depth);
	}
	bf_rfail(r);
	return NULL;
}

struct json_object *bf_rget_json(struct bf_rbuf *r)
{
	struct json_object *o = get_json(r, 0);

	if (r->err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
