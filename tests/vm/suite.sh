#!/bin/bash
# suite.sh - the VM lane's guest side: the kernel tests and the guest-only tests on Debian's kernel, one closing line.
# Run by `make check-vm` through tools/vm-run, in the guest, from a copy of the tree.
cd "$(dirname "$0")/../.."
echo "guest: $(uname -r), lsm: $(cat /sys/kernel/security/lsm 2>/dev/null)"
export BF_GUEST=1
exec tests/run.sh guest
