/* test_sha256.c - SHA-256 of files against the FIPS 180-2 vectors, and the errors a missing file gives. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sha256.h"

static void digest_of(const char *content, size_t len, char hex[65])
{
	char path[] = "/tmp/bfsha.XXXXXX";
	uint8_t d[32];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	assert_int_equal(bf_sha256_file(path, d), 0);
	unlink(path);
	bf_sha256_hex(d, hex);
}

static void test_known_vectors(void **state)
{
	char hex[65];

	digest_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Larger than one read buffer, so the update loop runs more than once. */
static void test_multi_buffer(void **state)
{
	size_t len = 1000000;
	char *a = malloc(len), hex[65];

	assert_non_null(a);
	memset(a, 'a', len);
	digest_of(a, len, hex);
	free(a);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_missing_file(void **state)
{
	uint8_t d[32];

	assert_int_equal(bf_sha256_file("/nonexistent/bfsha", d), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_multi_buffer),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
