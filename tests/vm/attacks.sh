#!/bin/bash
# attacks.sh - the VM lane's attack run for tools/attack-matrix: every escape route on this guest's kernel, with ROW lines.
cd "$(dirname "$0")/../.."
BF_GUEST=1 BF_ATTACK_ROWS=1 exec bash tests/kernel/test_attacks.sh
