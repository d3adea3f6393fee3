/* wire.h - bytes between biofence's processes: a growing writer and a bounds-checked reader of fixed-width fields. */
#ifndef BF_WIRE_H
#define BF_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Both ends are the same build on the same host, so integers travel in
 * host order. The reader trusts nothing: every length is checked against
 * what is left and against a caller's limit, and the first failure
 * sticks (err), so a decoder reads on and checks err once at the end.
 */
struct bf_wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;                /* 0, or -ENOMEM / -E2BIG: everything after is dropped */
};

struct bf_rbuf {
	const uint8_t *p;
	size_t len, off;
	int err;                /* 0, or -EBADMSG: every later read gives zeros */
};

#define BF_WIRE_MAX (64u << 20)  /* the largest message either end accepts */

void bf_wput(struct bf_wbuf *w, const void *data, size_t n);
void bf_wput_u8(struct bf_wbuf *w, uint8_t v);
void bf_wput_u32(struct bf_wbuf *w, uint32_t v);
void bf_wput_u64(struct bf_wbuf *w, uint64_t v);
/* A string as its length then its bytes; NULL travels as length UINT32_MAX. */
void bf_wput_str(struct bf_wbuf *w, const char *s);
void bf_wbuf_free(struct bf_wbuf *w);

void bf_rget(struct bf_rbuf *r, void *data, size_t n);
uint8_t bf_rget_u8(struct bf_rbuf *r);
uint32_t bf_rget_u32(struct bf_rbuf *r);
uint64_t bf_rget_u64(struct bf_rbuf *r);
bool bf_rget_bool(struct bf_rbuf *r);    /* 0 or 1, anything else is an error */
/*
 * A string of at most MAX bytes without a NUL in it, into a fresh
 * allocation (NULL when it travelled as NULL and NULLABLE; else an error).
 */
char *bf_rget_str(struct bf_rbuf *r, size_t max, bool nullable);
/* The same into BUF of LEN bytes: shorter than LEN, no NUL inside. */
void bf_rget_strbuf(struct bf_rbuf *r, char *buf, size_t len);
/* A count of items of at least MIN_SIZE bytes each, at most MAX: never more than the bytes left allow. */
size_t bf_rget_count(struct bf_rbuf *r, size_t max, size_t min_size);
void bf_rfail(struct bf_rbuf *r);

/*
 * A JSON value as typed items, no text: a control request parsed by the
 * unprivileged parser reaches the agent this way, so that the agent never
 * parses JSON text a client wrote. Rebuilding is a bounded walk: at most
 * BF_WIRE_JSON_DEPTH levels, strings without NUL, keys at most
 * BF_WIRE_JSON_KEY bytes; NULL with r->err set on anything else. A JSON
 * null travels too, and comes back as NULL with r->err 0.
 */
#define BF_WIRE_JSON_DEPTH 16
#define BF_WIRE_JSON_KEY   256

struct json_object;
void bf_wput_json(struct bf_wbuf *w, struct json_object *v);
struct json_object *bf_rget_json(struct bf_rbuf *r);

#endif /* BF_WIRE_H */
