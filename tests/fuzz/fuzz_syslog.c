/* fuzz_syslog.c - libFuzzer harness: any bytes as an audit record line, its severity read and formatted as an RFC 5424 message, as --syslog sends it. */
#include <stdint.h>
#include <string.h>

#include "audit/syslog_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[2048], host[64] = "", ts[64];
	struct bf_syslog_msg m = {
		.facility = 10, .app = "biofenced", .pid = 42, .msgid = "audit",
		.msg = (const char *)data, .msg_len = size,
	};

	m.severity = bf_syslog_severity((const char *)data, size);
	/* The first bytes as the host name too: whatever the host is called, the header stays well-formed. */
	if (size >= 2) {
		size_t n = data[0] % sizeof(host);

		memcpy(host, data + 1, n < size - 1 ? n : size - 1);
		m.host = host;
	}
	if (size >= 8)
		memcpy(&m.realtime_ns, data, 8);
	bf_syslog_timestamp(ts, sizeof(ts), m.realtime_ns);
	if (m.severity >= 0)
		bf_syslog_format(out, sizeof(out), &m);
	return 0;
}
