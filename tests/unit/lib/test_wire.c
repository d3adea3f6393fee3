/* test_wire.c - unit tests for the bytes between biofence's processes: fixed fields, strings and JSON values, and a reader that no hostile message gets past. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "wire.h"

static void test_fields(void **state)
{
	struct bf_wbuf w = { 0 };
	struct bf_rbuf r;
	char buf[8], *s;

	bf_wput_u8(&w, 1);
	bf_wput_u32(&w, 0xdeadbeef);
	bf_wput_u64(&w, 1ull << 40);
	bf_wput_str(&w, "gate");
	bf_wput_str(&w, NULL);
	bf_wput_str(&w, "lobby");
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_true(bf_rget_bool(&r));
	assert_int_equal(bf_rget_u32(&r), 0xdeadbeef);
	assert_int_equal(bf_rget_u64(&r), 1ull << 40);
	s = bf_rget_str(&r, 16, false);
	assert_string_equal(s, "gate");
	free(s);
	assert_null(bf_rget_str(&r, 16, true));
	assert_int_equal(r.err, 0);
	bf_rget_strbuf(&r, buf, sizeof(buf));
	assert_string_equal(buf, "lobby");
	assert_int_equal(r.off, r.len);
	/* Past the end: an error that sticks, and zeros. */
	assert_int_equal(bf_rget_u32(&r), 0);
	assert_int_equal(r.err, -EBADMSG);
	assert_int_equal(bf_rget_u8(&r), 0);
	bf_wbuf_free(&w);
}

/* A boolean is 0 or 1; a count cannot promise more items than bytes remain; a string not longer than its limit. */
static void test_hostile_fields(void **state)
{
	const uint8_t two = 2, big[] = { 0xff, 0xff, 0xff, 0x00, 0, 0, 0, 0 }, str[] = { 5, 0, 0, 0, 'a', 'b' };
	struct bf_rbuf r = { .p = &two, .len = 1 };

	bf_rget_bool(&r);
	assert_int_equal(r.err, -EBADMSG);
	r = (struct bf_rbuf){ .p = big, .len = sizeof(big) };
	assert_int_equal(bf_rget_count(&r, UINT32_MAX, 1), 0);
	assert_int_equal(r.err, -EBADMSG);
	r = (struct bf_rbuf){ .p = str, .len = sizeof(str) };
	assert_null(bf_rget_str(&r, 100, false));   /* 5 bytes promised, 2 there */
	assert_int_equal(r.err, -EBADMSG);
}

static void test_json(void **state)
{
	const char *text = "{\"cmd\":\"window-open\",\"n\":-9007199254740993,\"d\":0.25,\"t\":true,\"f\":false,"
			   "\"z\":null,\"a\":[[],{},\"\\u00e9\",[1,[2,[3]]]],\"o\":{\"k\":{\"k\":\"v\"}}}";
	struct json_object *in = json_tokener_parse(text), *out;
	struct bf_wbuf w = { 0 };
	struct bf_rbuf r;

	assert_non_null(in);
	bf_wput_json(&w, in);
	assert_int_equal(w.err, 0);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	out = bf_rget_json(&r);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.off, r.len);
	assert_true(json_object_equal(in, out));
	/* Every strict prefix is refused. */
	for (size_t len = 0; len < w.len; len++) {
		struct bf_rbuf t = { .p = w.p, .len = len };

		assert_null(bf_rget_json(&t));
		assert_int_equal(t.err, -EBADMSG);
	}
	json_object_put(in);
	json_object_put(out);
	bf_wbuf_free(&w);
}

/* Deeper than BF_WIRE_JSON_DEPTH, an unknown type, a key with a NUL: refused, nothing leaked. */
static void test_hostile_json(void **state)
{
	struct bf_wbuf w = { 0 };
	struct bf_rbuf r;
	const uint8_t unknown = 9;

	for (int i = 0; i <= BF_WIRE_JSON_DEPTH + 1; i++) {
		bf_wput_u8(&w, 6);	/* an array of one */
		bf_wput_u32(&w, 1);
	}
	bf_wput_u8(&w, 0);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_null(bf_rget_json(&r));
	assert_int_equal(r.err, -EBADMSG);
	bf_wbuf_free(&w);

	r = (struct bf_rbuf){ .p = &unknown, .len = 1 };
	assert_null(bf_rget_json(&r));
	assert_int_equal(r.err, -EBADMSG);

	bf_wput_u8(&w, 7);	/* an object of one member */
	bf_wput_u32(&w, 1);
	bf_wput_u32(&w, 3);
	bf_wput(&w, "c\0d", 3);
	bf_wput_u8(&w, 0);
	r = (struct bf_rbuf){ .p = w.p, .len = w.len };
	assert_null(bf_rget_json(&r));
	assert_int_equal(r.err, -EBADMSG);
	bf_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_hostile_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
