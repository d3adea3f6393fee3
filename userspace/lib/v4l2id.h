/* v4l2id.h - the identity (driver, card, bus) of each V4L2 device node as sysfs shows it, and matching a policy's v4l2 selector. */
#ifndef BF_V4L2ID_H
#define BF_V4L2ID_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

#define BF_SYSFS_ROOT "/sys"

/*
 * One node of SYSFS/class/video4linux. Read from sysfs only: opening the
 * node for VIDIOC_QUERYCAP would be judged by our own cgroup/dev program
 * when the agent runs inside the scope it guards (and taint the agent if
 * allowed), and may power up the sensor.
 */
struct bf_v4l2_node {
	char name[NAME_MAX + 1];        /* "video0", "vbi1", "v4l-subdev2" */
	uint32_t major, minor;
	char driver[BF_V4L2_FIELD_MAX]; /* device/driver's name; "" when none is bound */
	char card[BF_V4L2_FIELD_MAX];   /* the node's name attribute */
	char bus[BF_V4L2_FIELD_MAX];    /* derived from the parent device; "" when unknown */
};

/* The identity of SYSFS/class/video4linux/NAME; -ENOENT when it is gone. */
int bf_v4l2_read_node(const char *sysfs, const char *name, struct bf_v4l2_node *out);
/*
 * Every node under SYSFS/class/video4linux, sorted by name, into a
 * malloc'd array (*out, free it); no class directory (no V4L2 driver
 * loaded) is 0 nodes, not an error. Nodes that vanish while being read
 * are left out.
 */
int bf_v4l2_nodes(const char *sysfs, struct bf_v4l2_node **out, size_t *n);
/* True when every field ID gives equals the node's; an empty ID matches nothing. */
bool bf_v4l2_match(const struct bf_v4l2_ident *id, const struct bf_v4l2_node *node);

#endif /* BF_V4L2ID_H */
