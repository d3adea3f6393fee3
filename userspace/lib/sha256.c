/* sha256.c - SHA-256 of files and buffers through OpenSSL's EVP interface. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sha256.h"

int bf_sha256_fd(int fd, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	unsigned int len = 32;
	ssize_t n;
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		err = -EIO;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (!EVP_DigestFinal_ex(ctx, out, &len))
		err = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	return err;
}

int bf_sha256_file(const char *path, uint8_t out[32])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = bf_sha256_fd(fd, out);
	close(fd);
	return err;
}

void bf_sha256_hex(const uint8_t digest[32], char hex[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

int bf_sha256_buf(const void *buf, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	/* The one-shot digest: no context to leak on an error path. */
	if (!EVP_Digest(buf, n, out, &len, EVP_sha256(), NULL))
		return -EIO;
	return len == 32 ? 0 : -EIO;
}
