/* logkey.h - the host key that signs audit-log checkpoints: Ed25519 through OpenSSL, never hand-written. */
#ifndef BF_LOGKEY_H
#define BF_LOGKEY_H

#include <stdbool.h>
#include <stddef.h>

#define BF_DEFAULT_LOG_KEY "/etc/biofence/log.key"
#define BF_LOGKEY_ID_LEN   17      /* 16 hex digits and the NUL */
#define BF_LOGKEY_SIG_B64  89      /* base64 of a 64-byte signature, and the NUL */

struct bf_logkey;

/*
 * Makes a new key pair: PATH (private, PKCS#8 PEM, 0600) and PATH.pub
 * (public, PEM, 0644). Refuses to replace an existing key (-EEXIST): a
 * lost private key leaves old checkpoints verifiable, a replaced one
 * would not. The directories above PATH that are missing are made, 0700.
 * ID gets the key id.
 */
int bf_logkey_generate(const char *path, char id[BF_LOGKEY_ID_LEN]);

/*
 * Moves the key pair at PATH aside, for a new one to be made: to
 * PATH.ID and PATH.ID.pub, ID the old key's id (into OLD_ID), so the
 * checkpoints it signed stay verifiable. Never over an existing file
 * (-EEXIST). -ENOENT when there is no key, -EINVAL when it is no key.
 */
int bf_logkey_retire(const char *path, char old_id[BF_LOGKEY_ID_LEN]);

/*
 * Loads a private key (for signing) or, with PUBLIC, a public one. A
 * private key must be a regular file owned by root and readable by no one
 * else (-EPERM otherwise: whoever reads it can forge checkpoints).
 */
int bf_logkey_load(const char *path, bool public, struct bf_logkey **out);
void bf_logkey_free(struct bf_logkey *k);
/* First 16 hex digits of the SHA-256 of the raw 32-byte public key. */
const char *bf_logkey_id(const struct bf_logkey *k);

/* The message a checkpoint signs: it names the host, its own seq, and the chain head it covers. */
int bf_logkey_message(char *buf, size_t len, const char *host, unsigned long long seq,
		      const char *prev);
int bf_logkey_sign(const struct bf_logkey *k, const char *msg, char sig[BF_LOGKEY_SIG_B64]);
/* 0 if SIG is K's signature of MSG, -EBADMSG if not, -EINVAL if SIG is not base64 of 64 bytes. */
int bf_logkey_verify(const struct bf_logkey *k, const char *msg, const char *sig);

#endif /* BF_LOGKEY_H */
