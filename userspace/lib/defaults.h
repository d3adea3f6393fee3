/* defaults.h - where the agent and the CLI look by default: one place, so both always agree. */
#ifndef BF_DEFAULTS_H
#define BF_DEFAULTS_H

#define BF_DEFAULT_POLICY   "/etc/biofence/biofence.policy"
#define BF_DEFAULT_PIN_DIR  "/sys/fs/bpf/biofence"
#define BF_DEFAULT_LOG      "/var/log/biofence/audit.jsonl"
#define BF_DEFAULT_CONTROL  "/run/biofence/control.sock"

#endif
