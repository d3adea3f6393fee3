/* fuzz_logverify.c - libFuzzer harness: any bytes as an audit log, verified as `biofence log verify` does (chain, checkpoints, torn tail); its first line also as a head. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit/logverify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_lv_report rep;
	struct bf_lv_head head;
	char path[64], line[256];
	const char *files[1] = { path };
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	int fd = memfd_create("fuzz-log", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		memset(&rep, 0, sizeof(rep));
		bf_logverify(files, 1, NULL, NULL, NULL, &rep);
		/* The first line read as a head file is ("SEQ HASH"), then the log checked against it. */
		if (n < sizeof(line)) {
			memcpy(line, data, n);
			line[n] = '\0';
			if (bf_lv_parse_head(line, &head) == 0) {
				memset(&rep, 0, sizeof(rep));
				bf_logverify(files, 1, &head, NULL, NULL, &rep);
			}
		}
	}
	close(fd);
	return 0;
}
