/* pin_unlink.c - attack: root, not the agent, unlinks biofence's pins in bpffs: the link that attaches the camera check, and the taint table. */
#include "attack.h"

#define ROUTE "pin_unlink"

/*
 * usage: pin_unlink PIN_DIR
 * A pinned link is what keeps a program attached once no process holds
 * it: unlinking PIN_DIR/links/bf_dev lets the camera check go with the
 * agent; unlinking PIN_DIR/maps/bf_taint loses the taint set across a
 * restart. The runner checks afterwards that both pins are still there.
 */
int main(int argc, char **argv)
{
	char link[512], map[512];
	int el, em;

	if (argc != 2) {
		fprintf(stderr, "usage: " ROUTE " PIN_DIR\n");
		return 2;
	}
	snprintf(link, sizeof(link), "%s/links/bf_dev", argv[1]);
	snprintf(map, sizeof(map), "%s/maps/bf_taint", argv[1]);
	el = unlink(link) < 0 ? errno : 0;
	em = unlink(map) < 0 ? errno : 0;
	if (el == 0 || em == 0)
		at_result(ROUTE, "through", "unlink links/bf_dev: %s, unlink maps/bf_taint: %s", at_errname(el),
			  at_errname(em));
	else if (el == EPERM && em == EPERM)
		at_result(ROUTE, "blocked", "unlink links/bf_dev: EPERM, unlink maps/bf_taint: EPERM");
	else
		at_result(ROUTE, "error", "unlink links/bf_dev: %s, unlink maps/bf_taint: %s", at_errname(el),
			  at_errname(em));
	return 0;
}
