/* test_logkey.c - the checkpoint signing key: made once, guarded, and a signature that proves only what it signs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bf_test.h"
#include "audit/logkey.h"

struct fixture {
	char dir[64];
	char key[128];
	char pub[140];
};

static int setup(void **state)
{
	static struct fixture f;

	snprintf(f.dir, sizeof(f.dir), "/tmp/bf-logkey-XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(f.key, sizeof(f.key), "%s/log.key", f.dir);
	snprintf(f.pub, sizeof(f.pub), "%s.pub", f.key);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bft_rm_tree(f->dir);
	return 0;
}

static const char prev[] = "1f0e4b3a6c5d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b";

static void test_sign_and_verify(void **state)
{
	struct fixture *f = *state;
	struct bf_logkey *priv, *pub;
	char id[BF_LOGKEY_ID_LEN], msg[256], other[256], sig[BF_LOGKEY_SIG_B64];
	struct stat st;

	assert_int_equal(bf_logkey_generate(f->key, id), 0);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->pub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(bf_logkey_load(f->key, false, &priv), 0);
	assert_int_equal(bf_logkey_load(f->pub, true, &pub), 0);
	assert_string_equal(bf_logkey_id(priv), id);
	assert_string_equal(bf_logkey_id(pub), id);
	assert_int_equal(bf_logkey_message(msg, sizeof(msg), "gate1", 1000, prev), 0);
	assert_string_equal(msg, "biofence-checkpoint-v1 gate1 1000 1f0e4b3a6c5d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b");
	assert_int_equal(bf_logkey_sign(priv, msg, sig), 0);
	assert_int_equal(strlen(sig), BF_LOGKEY_SIG_B64 - 1);
	assert_int_equal(bf_logkey_verify(pub, msg, sig), 0);
	/* another seq, host or chain head: the signature proves nothing about it */
	bf_logkey_message(other, sizeof(other), "gate1", 1001, prev);
	assert_int_equal(bf_logkey_verify(pub, other, sig), -EBADMSG);
	bf_logkey_message(other, sizeof(other), "gate2", 1000, prev);
	assert_int_equal(bf_logkey_verify(pub, other, sig), -EBADMSG);
	/* a changed signature */
	sig[10] = sig[10] == 'A' ? 'B' : 'A';
	assert_int_equal(bf_logkey_verify(pub, msg, sig), -EBADMSG);
	assert_int_equal(bf_logkey_verify(pub, msg, "not base64"), -EINVAL);
	bf_logkey_free(priv);
	bf_logkey_free(pub);
}

static void test_other_key_does_not_verify(void **state)
{
	struct fixture *f = *state;
	struct bf_logkey *priv, *pub2;
	char id[BF_LOGKEY_ID_LEN], id2[BF_LOGKEY_ID_LEN], key2[160], pub2path[170];
	char msg[256], sig[BF_LOGKEY_SIG_B64];

	assert_int_equal(bf_logkey_generate(f->key, id), 0);
	snprintf(key2, sizeof(key2), "%s/other.key", f->dir);
	snprintf(pub2path, sizeof(pub2path), "%s.pub", key2);
	assert_int_equal(bf_logkey_generate(key2, id2), 0);
	assert_string_not_equal(id, id2);
	assert_int_equal(bf_logkey_load(f->key, false, &priv), 0);
	assert_int_equal(bf_logkey_load(pub2path, true, &pub2), 0);
	bf_logkey_message(msg, sizeof(msg), "gate1", 5, prev);
	assert_int_equal(bf_logkey_sign(priv, msg, sig), 0);
	assert_int_equal(bf_logkey_verify(pub2, msg, sig), -EBADMSG);
	bf_logkey_free(priv);
	bf_logkey_free(pub2);
}

static void test_key_is_guarded(void **state)
{
	struct fixture *f = *state;
	char id[BF_LOGKEY_ID_LEN];
	struct bf_logkey *k;

	assert_int_equal(bf_logkey_generate(f->key, id), 0);
	/* never replaced: old checkpoints must stay verifiable */
	assert_int_equal(bf_logkey_generate(f->key, id), -EEXIST);
	assert_int_equal(chmod(f->key, 0640), 0);
	assert_int_equal(bf_logkey_load(f->key, false, &k), -EPERM);
	assert_null(k);
	assert_int_equal(bf_logkey_load(f->pub, false, &k), -EPERM);	/* 0644 */
	assert_int_equal(bf_logkey_load("/nonexistent/log.key", false, &k), -ENOENT);
	/* a public key is not a private one */
	assert_int_equal(chmod(f->pub, 0600), 0);
	assert_int_equal(bf_logkey_load(f->pub, false, &k), -EINVAL);
}

/* The key's directory is made (0700) when missing, as for /etc/biofence on a fresh host. */
static void test_generate_makes_dir(void **state)
{
	struct fixture *f = *state;
	char key[200], dir[160], id[BF_LOGKEY_ID_LEN];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/etc/biofence", f->dir);
	snprintf(key, sizeof(key), "%s/log.key", dir);
	assert_int_equal(bf_logkey_generate(key, id), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* an existing directory is left as it is */
	assert_int_equal(chmod(dir, 0750), 0);
	snprintf(key, sizeof(key), "%s/other.key", dir);
	assert_int_equal(bf_logkey_generate(key, id), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
}

/* Retired, the old pair moves to FILE.ID and FILE.ID.pub, and still verifies what it signed. */
static void test_retire(void **state)
{
	struct fixture *f = *state;
	char id[BF_LOGKEY_ID_LEN], old[BF_LOGKEY_ID_LEN], id2[BF_LOGKEY_ID_LEN], moved[200], sig[BF_LOGKEY_SIG_B64];
	struct bf_logkey *k, *pub;

	assert_int_equal(bf_logkey_retire(f->key, old), -ENOENT);
	assert_int_equal(bf_logkey_generate(f->key, id), 0);
	assert_int_equal(bf_logkey_load(f->key, false, &k), 0);
	assert_int_equal(bf_logkey_sign(k, "m", sig), 0);
	bf_logkey_free(k);
	assert_int_equal(bf_logkey_retire(f->key, old), 0);
	assert_string_equal(old, id);
	assert_int_equal(access(f->key, F_OK), -1);
	assert_int_equal(access(f->pub, F_OK), -1);
	snprintf(moved, sizeof(moved), "%s.%s.pub", f->key, old);
	assert_int_equal(bf_logkey_load(moved, true, &pub), 0);
	assert_int_equal(bf_logkey_verify(pub, "m", sig), 0);
	bf_logkey_free(pub);
	assert_int_equal(bf_logkey_generate(f->key, id2), 0);
	assert_string_not_equal(id, id2);
	/* a moved-aside pair is never overwritten */
	snprintf(moved, sizeof(moved), "%s.%s", f->key, id2);
	assert_int_equal(mkdir(moved, 0700), 0);
	assert_int_equal(bf_logkey_retire(f->key, old), -EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sign_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_key_does_not_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_is_guarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generate_makes_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
