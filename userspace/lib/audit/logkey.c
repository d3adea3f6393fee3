/* logkey.c - the host key that signs audit-log checkpoints: Ed25519 through OpenSSL, never hand-written. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "audit/logkey.h"
#include "sha256.h"

struct bf_logkey {
	EVP_PKEY *pkey;
	char id[BF_LOGKEY_ID_LEN];
};

static int key_id(EVP_PKEY *pkey, char id[BF_LOGKEY_ID_LEN])
{
	unsigned char raw[32];
	size_t len = sizeof(raw);
	uint8_t digest[32];
	char hex[65];

	if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != sizeof(raw) ||
	    bf_sha256_buf(raw, len, digest))
		return -EIO;
	bf_sha256_hex(digest, hex);
	memcpy(id, hex, BF_LOGKEY_ID_LEN - 1);
	id[BF_LOGKEY_ID_LEN - 1] = '\0';
	return 0;
}

/* O_EXCL: a key is never replaced in place. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *pkey, bool public)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode), ok;
	FILE *f;

	if (fd < 0)
		return -errno;
	fchmod(fd, mode);	/* whatever the umask */
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	ok = public ? PEM_write_PUBKEY(f, pkey) : PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL);
	if (fflush(f) != 0 || fsync(fd) != 0)
		ok = 0;
	fclose(f);
	if (!ok) {
		unlink(path);
		return -EIO;
	}
	return 0;
}

/* The key's directory and any missing above it, 0700: only root reads where the private key lives. */
static int mkdir_parents(const char *path)
{
	char dir[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int bf_logkey_retire(const char *path, char old_id[BF_LOGKEY_ID_LEN])
{
	char pub[PATH_MAX], to[PATH_MAX], to_pub[PATH_MAX];
	struct bf_logkey *k = NULL;
	int err;

	if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub))
		return -ENAMETOOLONG;
	/* the id names the old pair: it is what the checkpoints it signed carry as "key" */
	err = bf_logkey_load(pub, true, &k);
	if (err == -ENOENT)
		err = bf_logkey_load(path, false, &k);
	if (err)
		return err;
	memcpy(old_id, k->id, BF_LOGKEY_ID_LEN);
	bf_logkey_free(k);
	if (snprintf(to, sizeof(to), "%s.%s", path, old_id) >= (int)sizeof(to) ||
	    snprintf(to_pub, sizeof(to_pub), "%s.%s.pub", path, old_id) >= (int)sizeof(to_pub))
		return -ENAMETOOLONG;
	/* never over another file: a pair moved aside before must stay */
	if (renameat2(AT_FDCWD, path, AT_FDCWD, to, RENAME_NOREPLACE) < 0 && errno != ENOENT)
		return -errno;
	if (renameat2(AT_FDCWD, pub, AT_FDCWD, to_pub, RENAME_NOREPLACE) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int bf_logkey_generate(const char *path, char id[BF_LOGKEY_ID_LEN])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	char pub[PATH_MAX];
	EVP_PKEY *pkey = NULL;
	int err;

	if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub)) {
		EVP_PKEY_CTX_free(ctx);
		return -ENAMETOOLONG;
	}
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return -EIO;
	}
	EVP_PKEY_CTX_free(ctx);
	if (access(pub, F_OK) == 0)
		err = -EEXIST;
	else
		err = mkdir_parents(path);
	if (!err)
		err = write_pem(path, 0600, pkey, false);
	if (!err) {
		err = write_pem(pub, 0644, pkey, true);
		if (err)
			unlink(path);
	}
	if (!err)
		err = key_id(pkey, id);
	EVP_PKEY_free(pkey);
	return err;
}

int bf_logkey_load(const char *path, bool public, struct bf_logkey **out)
{
	struct bf_logkey *k;
	struct stat st;
	FILE *f;

	*out = NULL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!public && (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
			(st.st_mode & 077))) {
		fclose(f);
		return -EPERM;
	}
	k = calloc(1, sizeof(*k));
	if (k)
		k->pkey = public ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k || !k->pkey || EVP_PKEY_get_id(k->pkey) != EVP_PKEY_ED25519 || key_id(k->pkey, k->id)) {
		bf_logkey_free(k);
		return k ? -EINVAL : -ENOMEM;
	}
	*out = k;
	return 0;
}

void bf_logkey_free(struct bf_logkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *bf_logkey_id(const struct bf_logkey *k)
{
	return k->id;
}

int bf_logkey_message(char *buf, size_t len, const char *host, unsigned long long seq,
		      const char *prev)
{
	int n = snprintf(buf, len, "biofence-checkpoint-v1 %s %llu %s", host, seq, prev);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int bf_logkey_sign(const struct bf_logkey *k, const char *msg, char sig[BF_LOGKEY_SIG_B64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char raw[64];
	size_t len = sizeof(raw);
	int ok;

	/* Ed25519 signs the message itself: no digest is named. */
	ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestSign(ctx, raw, &len, (const unsigned char *)msg, strlen(msg)) == 1 &&
	     len == sizeof(raw);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	EVP_EncodeBlock((unsigned char *)sig, raw, (int)len);
	return 0;
}

int bf_logkey_verify(const struct bf_logkey *k, const char *msg, const char *sig)
{
	unsigned char raw[66];
	EVP_MD_CTX *ctx;
	int n, ok;

	if (strlen(sig) != BF_LOGKEY_SIG_B64 - 1)
		return -EINVAL;
	n = EVP_DecodeBlock(raw, (const unsigned char *)sig, (int)strlen(sig));
	if (n != 66)	/* 64 bytes plus the two the padding decodes to */
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, raw, 64, (const unsigned char *)msg, strlen(msg)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EBADMSG;
}
