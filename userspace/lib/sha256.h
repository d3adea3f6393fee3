/* sha256.h - SHA-256 of files and buffers through OpenSSL's EVP (no hand-written crypto). */
#ifndef BF_SHA256_H
#define BF_SHA256_H

#include <stddef.h>
#include <stdint.h>

int bf_sha256_file(const char *path, uint8_t out[32]);
int bf_sha256_fd(int fd, uint8_t out[32]);
/* SHA-256 of N bytes at BUF: 0 or -ENOMEM / -EIO. */
int bf_sha256_buf(const void *buf, size_t n, uint8_t out[32]);
void bf_sha256_hex(const uint8_t digest[32], char hex[65]);

#endif /* BF_SHA256_H */
