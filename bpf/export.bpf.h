/* export.bpf.h - where a tainted process sends to, as the export rules name it: the destination sets of an address and port. */
#ifndef BF_EXPORT_BPF_H
#define BF_EXPORT_BPF_H

#include "decide.bpf.h"

#define BF_IPPROTO_TCP 6
#define BF_IPPROTO_UDP 17

/* IPv4 lives at ::ffff:a.b.c.d so one trie and one rule set serve both families. */
static __always_inline void bf_map_v4(__u8 *addr, __u32 ip4_be)
{
	__builtin_memset(addr, 0, 10);
	addr[10] = 0xff;
	addr[11] = 0xff;
	__builtin_memcpy(addr + 12, &ip4_be, 4);
}

/*
 * The sets ADDR:PORT/PROTO is in under key slot KSLOT, where PORT_ANY
 * holds the sets that take any port: dest sets, or network cameras.
 */
static __always_inline __u64 bf_net_sets(const __u8 *addr, __u16 port, __u8 proto, const __u64 *port_any,
					 __u32 kslot)
{
	struct bf_dest_key dk = { .prefixlen = 32 + 128 };
	struct bf_port_key pk = { .slot = kslot, .port = port };
	__u64 sets, ports = port_any[BF_PROTO_ANY];

	dk.slot[3] = kslot;
	__builtin_memcpy(dk.addr, addr, 16);
	sets = bf_lookup_mask(&bf_dest, &dk);
	if (!sets)
		return 0;
	if (proto == BF_IPPROTO_TCP)
		pk.proto = BF_PROTO_TCP;
	else if (proto == BF_IPPROTO_UDP)
		pk.proto = BF_PROTO_UDP;
	if (pk.proto) {
		ports |= port_any[pk.proto];
		ports |= bf_lookup_mask(&bf_port, &pk);
	}
	return sets & ports;
}

static __always_inline __u64 bf_dest_sets(const struct bf_event *e, const struct bf_slot_config *cfg,
					  __u32 slot)
{
	return bf_net_sets(e->addr, e->port, e->proto, cfg->port_any, slot);
}

#endif /* BF_EXPORT_BPF_H */
