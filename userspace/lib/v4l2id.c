/* v4l2id.c - read V4L2 node identities from sysfs: name, dev, the parent device's driver and bus, without opening any node. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "v4l2id.h"

#define MAX_NODES 4096	/* VIDEO_NUM_DEVICES is 256: anything past this is not sysfs */

/* A sysfs attribute without its trailing newline. */
static int read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return 0;
}

/* The last component a symlink points at: device/driver -> .../drivers/vivid gives "vivid". */
static int link_base(const char *dir, const char *link, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, link) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	if (snprintf(buf, len, "%s", base ? base + 1 : target) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Cut PATH at its last '/': its parent directory, in place; false at the top. */
static bool up(char *path)
{
	char *s = strrchr(path, '/');

	if (!s || s == path)
		return false;
	*s = '\0';
	return true;
}

/*
 * usb_make_path()'s "usb-BUS-DEVPATH", which uvcvideo and most USB drivers
 * report as bus_info: BUS is the host controller's device name, the parent
 * of the root hub "usbN"; DEVPATH is the USB device's devpath attribute.
 * DEV is the parent of the node: a USB interface or device.
 */
static int usb_bus(char *dev, char *buf, size_t len)
{
	char devpath[64];

	/* An interface ("1-1:1.0") has no devpath; its parent, the device, has. */
	if (read_attr(dev, "devpath", devpath, sizeof(devpath)) != 0 &&
	    (!up(dev) || read_attr(dev, "devpath", devpath, sizeof(devpath)) != 0))
		return -ENOENT;
	for (int i = 0; i < 16 && up(dev); i++) {
		unsigned busnum;
		char tail;

		if (sscanf(base_of(dev), "usb%u%c", &busnum, &tail) != 1)
			continue;
		if (!up(dev))
			break;
		return snprintf(buf, len, "usb-%s-%s", base_of(dev), devpath) < (int)len ? 0 : -ENAMETOOLONG;
	}
	return -ENOENT;
}

/*
 * The bus_info the V4L2 core gives a node by default: "PCI:NAME" and
 * "platform:NAME" as media_set_bus_info() writes them, usb_make_path() for
 * USB, "SUBSYSTEM:NAME" for any other bus. A driver may report another
 * string through VIDIOC_QUERYCAP (vivid: "platform:vivid-000"); the policy
 * matches this one, which anyone can read without opening the camera.
 */
static void node_bus(const char *node_dir, char *buf, size_t len)
{
	char link[PATH_MAX], dev[PATH_MAX], subsys[NAME_MAX + 1];
	int n;

	buf[0] = '\0';
	if (snprintf(link, sizeof(link), "%s/device", node_dir) >= (int)sizeof(link) ||
	    !realpath(link, dev) || link_base(dev, "subsystem", subsys, sizeof(subsys)) != 0)
		return;
	if (strcmp(subsys, "usb") == 0)
		n = usb_bus(dev, buf, len);
	else if (strcmp(subsys, "pci") == 0)
		n = snprintf(buf, len, "PCI:%s", base_of(dev)) < (int)len ? 0 : -ENAMETOOLONG;
	else
		n = snprintf(buf, len, "%s:%s", subsys, base_of(dev)) < (int)len ? 0 : -ENAMETOOLONG;
	/* A cut-off value could equal a shorter one a policy names: none at all instead. */
	if (n)
		buf[0] = '\0';
}

int bf_v4l2_read_node(const char *sysfs, const char *name, struct bf_v4l2_node *out)
{
	char dir[PATH_MAX], dev[32];
	int err;

	memset(out, 0, sizeof(*out));
	if (snprintf(dir, sizeof(dir), "%s/class/video4linux/%s", sysfs, name) >= (int)sizeof(dir) ||
	    strlen(name) >= sizeof(out->name))
		return -ENAMETOOLONG;
	memcpy(out->name, name, strlen(name) + 1);
	err = read_attr(dir, "dev", dev, sizeof(dev));
	if (err)
		return err;
	if (sscanf(dev, "%u:%u", &out->major, &out->minor) != 2)
		return -EINVAL;
	err = read_attr(dir, "name", out->card, sizeof(out->card));
	if (err)
		return err;
	/* An unbound parent has no driver link: an empty driver, which no selector names. */
	if (link_base(dir, "device/driver", out->driver, sizeof(out->driver)) != 0)
		out->driver[0] = '\0';
	/* read_attr cuts a long name: never match on a prefix. */
	if (strlen(out->card) >= sizeof(out->card) - 1)
		out->card[0] = '\0';
	node_bus(dir, out->bus, sizeof(out->bus));
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct bf_v4l2_node *)a)->name, ((const struct bf_v4l2_node *)b)->name);
}

int bf_v4l2_nodes(const char *sysfs, struct bf_v4l2_node **out, size_t *n_out)
{
	struct bf_v4l2_node *nodes = NULL;
	char dir[PATH_MAX];
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	*n_out = 0;
	snprintf(dir, sizeof(dir), "%s/class/video4linux", sysfs);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < MAX_NODES) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			void *nv = realloc(nodes, (cap = cap ? 2 * cap : 16) * sizeof(*nodes));

			if (!nv) {
				free(nodes);
				closedir(d);
				return -ENOMEM;
			}
			nodes = nv;
		}
		/* A node unplugged between readdir and here is simply not there. */
		if (bf_v4l2_read_node(sysfs, de->d_name, &nodes[n]) == 0)
			n++;
	}
	closedir(d);
	if (n)
		qsort(nodes, n, sizeof(*nodes), by_name);
	*out = nodes;
	*n_out = n;
	return 0;
}

bool bf_v4l2_match(const struct bf_v4l2_ident *id, const struct bf_v4l2_node *node)
{
	if (!id->driver && !id->card && !id->bus)
		return false;
	return (!id->driver || strcmp(id->driver, node->driver) == 0) &&
	       (!id->card || strcmp(id->card, node->card) == 0) &&
	       (!id->bus || strcmp(id->bus, node->bus) == 0);
}
