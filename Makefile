# Makefile - builds the BPF objects, skeletons, the agent, the CLI and the tests.
#
#   make            build everything into build/
#   make deps       install Debian's build and test packages (idempotent)
#   make run        run biofenced on this host with policies/default.policy
#   make check      build and run every test, the VM lane (6.1) included; closes with "N passed, N failed"
#                   (SANITIZE=1: the host's tests and the fuzzers on an ASan+UBSan build in build-san/)
#   make check-host the host's tests only (unit, CLI, kernel on this kernel)
#   make check-vm   the VM lane: the kernel tests and real capture on Debian 12's kernel
#                   under qemu (KERNEL=6.1, the default, or KERNEL=6.12)
#   make check-vm-all  the VM lane on both of Debian 12's kernels
#   make check-fresh   the first `make check`, then the first `make run`, each on a pristine
#                      Debian 12 root (downloads a system)
#   make bench      run the benchmarks (docs/benchmarks.md)
#   make fuzz       run each libFuzzer harness for FUZZ_SECONDS (default 60; docs/fuzzing.md)
#   make bench-vm   the BPF LSM programs' cost beside an empty LSM program, in the VM lane's guest
#                   (KERNEL=6.1, the default, or KERNEL=6.12; docs/vm-lane.md, "LSM cost")
#   make attack-matrix  run the attack tests and regenerate docs/attack-matrix.md
#   make install    install the agent, the CLI, the unit, the default policy, ... under
#                   DESTDIR (default /) and PREFIX (default /usr/local; /usr is the package's layout)
#   make uninstall  remove what install put there, except the policy, the logs and the state
#   make deb        build the Debian package (dpkg-buildpackage from a copy of the tree); .deb in build/deb/

OUT      := build
# make check SANITIZE=1: the agent, the CLI, the helpers and the unit tests built with
# ASan+UBSan (UBSan fatal) into build-san/, where the host's tests run them; the fuzzers
# are sanitized anyway. The VM lane's guest has no sanitizer runtime: it is left out.
ifeq ($(SANITIZE),1)
OUT      := build-san
EXTRA_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
export BF_BUILD := $(abspath build-san)
# A leak is a failure like any other report; the fuzzers' own settings are theirs.
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS := print_stacktrace=1
endif
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= cc
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

# The network-camera tests' real cameras and client (test_netcam_streams):
# GStreamer's RTSP server, ffmpeg. Only the tests need them: not `make run`.
STREAM_PKGS := ffmpeg gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base \
	gstreamer1.0-plugins-good python3-gi

# The fuzzers' runtime (libFuzzer, ASan, UBSan): only the tests need it, not `make run`.
FUZZ_PKGS := libclang-rt-14-dev

# The VM lane's own: qemu, the guest's busybox, and what unpacks a kernel .deb.
VM_PKGS := qemu-system-x86 busybox-static cpio kmod xz-utils zstd
KERNEL   ?= 6.1

DEPS_PKGS := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libcmocka-dev \
	libjson-c-dev libssl-dev libseccomp-dev libcap-dev pkg-config jq socat iproute2 make gcc \
	rsyslog chromium libsystemd-dev mandoc man-db groff-base logrotate

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS   ?= -O2 -g
# EXTRA_CFLAGS, e.g. "-fsanitize=address,undefined", also reaches the link.
CFLAGS   += -std=c11 -D_GNU_SOURCE $(WARN) -I include -I $(OUT) $(EXTRA_CFLAGS)
# Recursive (=), not :=, so pkg-config runs at link time, after `deps` has
# installed what it asks about: on a fresh machine, parse-time expansion found
# nothing and the first link failed (undefined json_object_put and friends).
LDLIBS    = $(shell pkg-config --libs libbpf json-c libcrypto libsystemd libcap libseccomp) -lelf -lz -lresolv -lpthread

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I include -I $(OUT)

# biofence's programs, one file per hook family (devices, sockets, processes, LSM, self-protection),
# linked into one object so the agent loads one skeleton with one set of maps (bpf/maps.bpf.h);
# every other bpf/*.bpf.c is an object of its own (the LSM probe, the benchmark's floor).
BF_PARTS  := devices sockets procs lsm_files lsm_net lsm_mem lsm_store protect
PART_OBJS := $(patsubst %,$(OUT)/bpf/%.bpf.o,$(BF_PARTS))
BPF_SRCS  := $(filter-out $(patsubst %,bpf/%.bpf.c,$(BF_PARTS)),$(wildcard bpf/*.bpf.c))
SKELS     := $(OUT)/biofence.skel.h $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

# Three rooms, one direction: lib/ is shared and sees only itself; agent/ (the
# daemon) and cli/ (the biofence command) see lib/ and never each other. The
# include paths each is compiled with are what enforce it.
LIB_INC   := -I userspace/lib
AGENT_INC := -I userspace/lib -I userspace/agent
CLI_INC   := -I userspace/lib -I userspace/cli
# lib/ is split by concern (policy/, audit/, consent/, bpf/ and the rest at its top);
# files include each other as "audit/audit.h", from -I userspace/lib.
LIB_SRCS  := $(sort $(shell find userspace/lib -name '*.c'))
LIB_OBJS  := $(patsubst userspace/lib/%.c,$(OUT)/obj/lib/%.o,$(LIB_SRCS))
LIB       := $(OUT)/libbiofence.a
AGENT_SRCS := $(filter-out userspace/agent/biofenced.c,$(wildcard userspace/agent/*.c))
AGENT_OBJS := $(patsubst userspace/agent/%.c,$(OUT)/obj/agent/%.o,$(AGENT_SRCS))
AGENT_LIB := $(OUT)/libbiofence-agent.a
CLI_SRCS  := $(filter-out userspace/cli/biofence.c,$(wildcard userspace/cli/*.c))
CLI_OBJS  := $(patsubst userspace/cli/%.c,$(OUT)/obj/cli/%.o,$(CLI_SRCS))
CLI_LIB   := $(OUT)/libbiofence-cli.a

# The unit tests mirror the source tree: tests/unit/lib/audit/test_audit.c tests userspace/lib/audit/audit.c.
UNIT_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/unit/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(OUT)/tests/helpers/%,$(HELPER_SRCS))
ATTACK_SRCS := $(wildcard tests/attacks/*.c)
ATTACK_BINS := $(patsubst tests/attacks/%.c,$(OUT)/tests/attacks/%,$(ATTACK_SRCS))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(OUT)/bench/%,$(BENCH_SRCS))

.PHONY: all deps vm-deps stream-deps fuzz-deps run check check-host check-vm check-vm-all check-fresh unit kernel bench bench-vm attack-matrix fuzz clean
.PHONY: install uninstall deb
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUT)/biofenced $(OUT)/biofence

# Every target that builds needs the toolchain: each reaches `deps` (order-only,
# so it never forces a rebuild), which installs what is missing as root, or
# stops at once naming the missing packages and `make deps`.
deps:
	@./tools/deps.sh $(DEPS_PKGS)

vm-deps:
	@./tools/deps.sh $(VM_PKGS)

stream-deps:
	@./tools/deps.sh $(STREAM_PKGS)

fuzz-deps:
	@./tools/deps.sh $(FUZZ_PKGS)

# vmlinux.h is generated from the build host's kernel BTF (see README).
$(OUT)/vmlinux.h: | deps
	@mkdir -p $(OUT)
	@test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux: this kernel lacks CONFIG_DEBUG_INFO_BTF, which biofence needs at run time too" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUT)/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard bpf/*.h) include/biofence.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard bpf/*.h) include/biofence.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/biofence.bpf.o: $(PART_OBJS)
	$(BPFTOOL) gen object $@ $^

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# The embedded default policy: the agent's fail-closed fallback.
$(OUT)/default_policy.h: policies/default.policy
	@mkdir -p $(@D)
	{ echo '/* generated from policies/default.policy */'; \
	  echo 'static const char bf_default_policy_text[] ='; \
	  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $<; echo ';'; } > $@

LIB_HDRS := $(shell find userspace/lib -name '*.h') include/biofence.h $(SKELS) $(OUT)/default_policy.h

$(OUT)/obj/lib/%.o: userspace/lib/%.c $(LIB_HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIB_INC) -c $< -o $@

$(OUT)/obj/agent/%.o: userspace/agent/%.c $(LIB_HDRS) $(wildcard userspace/agent/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(AGENT_INC) -c $< -o $@

$(OUT)/obj/cli/%.o: userspace/cli/%.c $(LIB_HDRS) $(wildcard userspace/cli/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CLI_INC) -c $< -o $@

# Made afresh, members appended (q): `ar r` keys members by base name, so
# lib/policy/check.o would silently replace any other check.o.
$(LIB): $(LIB_OBJS)
	rm -f $@ && $(AR) qcs $@ $^

$(AGENT_LIB): $(AGENT_OBJS)
	rm -f $@ && $(AR) qcs $@ $^

$(CLI_LIB): $(CLI_OBJS)
	rm -f $@ && $(AR) qcs $@ $^

# Each program links its own room and the library, nothing else.
$(OUT)/biofenced: userspace/agent/biofenced.c $(AGENT_LIB) $(LIB) $(SKELS)
	$(CC) $(CFLAGS) $(AGENT_INC) $< $(AGENT_LIB) $(LIB) $(LDLIBS) -o $@

$(OUT)/biofence: userspace/cli/biofence.c $(CLI_LIB) $(LIB)
	$(CC) $(CFLAGS) $(CLI_INC) $< $(CLI_LIB) $(LIB) $(LDLIBS) -o $@

# A unit test sees what its room sees: lib/ tests link the library alone, agent/ and cli/
# tests their room and the library.
UNIT_CFLAGS = $(CFLAGS) -I tests/unit
$(OUT)/tests/unit/lib/%: tests/unit/lib/%.c tests/unit/bf_test.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(LIB_INC) $< $(LIB) $(LDLIBS) -lcmocka -o $@

# tests/unit/agent/ files not named test_* are the agent tests' shared fixtures.
AGENT_TEST_SUPPORT := $(filter-out tests/unit/agent/test_%,$(wildcard tests/unit/agent/*.c))
$(OUT)/tests/unit/agent/%: tests/unit/agent/%.c tests/unit/bf_test.h $(wildcard tests/unit/agent/*.h) $(AGENT_TEST_SUPPORT) $(AGENT_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(AGENT_INC) -I tests/unit/agent $< $(AGENT_TEST_SUPPORT) $(AGENT_LIB) $(LIB) $(LDLIBS) -lcmocka -o $@

$(OUT)/tests/unit/cli/%: tests/unit/cli/%.c tests/unit/bf_test.h $(CLI_LIB) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(CLI_INC) $< $(CLI_LIB) $(LIB) $(LDLIBS) -lcmocka -o $@

$(OUT)/tests/helpers/%: tests/helpers/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@

# The one helper that speaks bpf(2): what a root process that is not the agent may do to biofence.
$(OUT)/tests/helpers/bf_bpfpoke: tests/helpers/bf_bpfpoke.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@

# The attack programs (one per escape route in tests/attacks/expected.tsv) and their listener,
# run by tests/kernel/test_attacks.sh.
$(OUT)/tests/attacks/%: tests/attacks/%.c $(wildcard tests/attacks/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@

$(OUT)/bench/%: bench/%.c $(LIB) $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIB_INC) $< $(LIB) $(LDLIBS) -o $@

# libFuzzer harnesses (tests/fuzz/), one per parser of outside input: the library and the
# agent's room built again with clang's coverage and ASan+UBSan, into build/fuzz/.
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SAN   := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -I include -I $(OUT) $(FUZZ_SAN)
FUZZ_LIB   := $(OUT)/fuzz/libbiofence.a
FUZZ_AGENT_LIB := $(OUT)/fuzz/libbiofence-agent.a
FUZZ_SECONDS ?= 60

$(OUT)/fuzz/obj/lib/%.o: userspace/lib/%.c $(LIB_HDRS) | deps fuzz-deps
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(LIB_INC) -c $< -o $@

$(OUT)/fuzz/obj/agent/%.o: userspace/agent/%.c $(LIB_HDRS) $(wildcard userspace/agent/*.h) | deps fuzz-deps
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(AGENT_INC) -c $< -o $@

$(FUZZ_LIB): $(patsubst userspace/lib/%.c,$(OUT)/fuzz/obj/lib/%.o,$(LIB_SRCS))
	rm -f $@ && $(AR) qcs $@ $^

$(FUZZ_AGENT_LIB): $(patsubst userspace/agent/%.c,$(OUT)/fuzz/obj/agent/%.o,$(AGENT_SRCS))
	rm -f $@ && $(AR) qcs $@ $^

# The control protocol is fuzzed through the agent's own dispatcher, on the unit tests' fake kernel.
$(OUT)/fuzz/fuzz_ctl: tests/fuzz/fuzz_ctl.c $(AGENT_TEST_SUPPORT) $(wildcard tests/unit/agent/*.h) $(FUZZ_AGENT_LIB) $(FUZZ_LIB)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(AGENT_INC) -I tests/unit -I tests/unit/agent $< \
		$(AGENT_TEST_SUPPORT) $(FUZZ_AGENT_LIB) $(FUZZ_LIB) $(LDLIBS) -lcmocka -o $@

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(LIB_INC) $< $(FUZZ_LIB) $(LDLIBS) -o $@

# Each harness for FUZZ_SECONDS (default 60) on its seed corpus (tests/fuzz/corpus/); a crash
# fails it and leaves the input in build/fuzz/. `make check` runs each for 30 s.
fuzz: deps fuzz-deps $(FUZZ_BINS)
	@./tests/fuzz/run.sh $(FUZZ_SECONDS)

# RUN_FLAGS adds agent flags, e.g. RUN_FLAGS="--cgroup /sys/fs/cgroup/unified/test --pin-dir ...".
RUN_FLAGS ?=
run: deps all
	@echo "biofenced: enforcing policies/default.policy; Ctrl-C stops the agent, not the enforcement"
	@echo "           (the pinned programs stay; 'build/biofence detach' removes them)"
	$(OUT)/biofenced --policy policies/default.policy --echo $(RUN_FLAGS)

# The benches are built too, so a change to a library they call cannot break `make bench` unseen.
TEST_BINS := all $(UNIT_BINS) $(HELPER_BINS) $(ATTACK_BINS) $(BENCH_BINS) $(FUZZ_BINS)

# The build inside check runs on every core: a fresh clone builds about 150 programs and objects.
# SANITIZE=1: the host's tests with the fuzzers (30 s each, one at a time) beside them; no lane.
ifeq ($(SANITIZE),1)
check: deps stream-deps fuzz-deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(TEST_BINS)
	@./tests/fuzz/run.sh 30 > $(OUT)/check-fuzz.log 2>&1 & fz=$$!; \
	  ./tests/run.sh > $(OUT)/check-host.log 2>&1; h=$$?; cat $(OUT)/check-host.log; \
	  wait $$fz; z=$$?; cat $(OUT)/check-fuzz.log; \
	  ./tests/total.sh $(OUT)/check-host.log $(OUT)/check-fuzz.log; \
	  test $$h -eq 0 -a $$z -eq 0
else
# The VM lane (its output shown as it comes) beside the host's tests and then the fuzzers
# (30 s each), whose logs follow it; the last line adds them up. Measured: the lane's emulator
# keeps one core busy (94% of one core over its 12 min), and the host's tests mostly wait on the
# kernel and the agent, so on 2 cores the host's part no longer adds its minutes to the lane's.
# They run niced: the lane's guest has timeouts of its own, the host's part has slack.
check: deps vm-deps stream-deps fuzz-deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(TEST_BINS)
	@echo "check: the host's tests, then the fuzzers, run beside the VM lane: $(OUT)/check-host.log, $(OUT)/check-fuzz.log"
	@rm -f $(OUT)/check-host.rc $(OUT)/check-fuzz.rc; \
	( nice -n 10 ./tests/run.sh > $(OUT)/check-host.log 2>&1; echo $$? > $(OUT)/check-host.rc; \
	   nice -n 19 ./tests/fuzz/run.sh 30 > $(OUT)/check-fuzz.log 2>&1; echo $$? > $(OUT)/check-fuzz.rc ) & bg=$$!; \
	  ./tests/vm/check.sh 6.1; v=$$?; wait $$bg; \
	  h=$$(cat $(OUT)/check-host.rc 2>/dev/null || echo 1); z=$$(cat $(OUT)/check-fuzz.rc 2>/dev/null || echo 1); \
	  cat $(OUT)/check-host.log $(OUT)/check-fuzz.log; \
	  ./tests/total.sh $(OUT)/check-host.log $(OUT)/check-fuzz.log $(OUT)/check-vm-6.1.log; \
	  test $$h -eq 0 -a $$z -eq 0 -a $$v -eq 0
endif

check-host: deps stream-deps fuzz-deps $(TEST_BINS)
	@./tests/run.sh

check-vm: deps vm-deps stream-deps fuzz-deps $(TEST_BINS)
	@./tests/vm/check.sh $(KERNEL)

# Not part of check: it mmdebstraps a root and installs every package into it.
check-fresh:
	@./tests/fresh.sh check && ./tests/fresh.sh run

check-vm-all: deps vm-deps stream-deps fuzz-deps $(TEST_BINS)
	@./tests/vm/check.sh 6.1; a=$$?; ./tests/vm/check.sh 6.12; b=$$?; test $$a -eq 0 -a $$b -eq 0

unit: all $(UNIT_BINS)
	@./tests/run.sh unit

kernel: all stream-deps $(HELPER_BINS) $(ATTACK_BINS)
	@./tests/run.sh kernel

bench: deps all $(BENCH_BINS) $(HELPER_BINS)
	@./bench/run.sh

# Not part of check. One boot: LSM programs run for the whole machine, so they are
# only ever attached in the throwaway guest. The table is kept in build/bench-vm-KERNEL.log.
bench-vm: deps vm-deps all $(OUT)/bench/lsm_bench $(OUT)/bench/verstat
	@bash -c 'set -o pipefail; ./tools/vm-run --kernel $(KERNEL) --timeout $${BF_VM_TIMEOUT:-1200} \
	  bench/lsm.sh $(OUT)/bench/lsm_bench $(OUT)/bench/verstat 2>&1 | tee $(OUT)/bench-vm-$(KERNEL).log'

# The matrix is the test's output, never hand-written: the runner rewrites it
# only when every route behaved as tests/attacks/expected.tsv says.
attack-matrix: deps vm-deps all $(HELPER_BINS) $(ATTACK_BINS)
	@./tools/attack-matrix

clean:
	rm -rf $(OUT)

# Installation layout. The binaries' built-in defaults (/etc/biofence, /var/log/biofence,
# /var/lib/biofence, /run/biofence, /sys/fs/bpf/biofence) do not move with PREFIX.
DESTDIR    ?=
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
LOGDIR     ?= /var/log/biofence
STATEDIR   ?= /var/lib/biofence
# Debian 12 keeps packaged units in /lib; a local install belongs in /etc.
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,/etc/systemd/system)
INSTALL    ?= install

# Man pages and the logrotate file are installed when they exist.
install: all
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSCONFDIR)/biofence
	$(INSTALL) -m 0755 $(OUT)/biofenced $(DESTDIR)$(SBINDIR)/biofenced
	$(INSTALL) -m 0755 $(OUT)/biofence $(DESTDIR)$(BINDIR)/biofence
	@# Never overwrite an admin's policy.
	test -e $(DESTDIR)$(SYSCONFDIR)/biofence/biofence.policy || \
		$(INSTALL) -m 0644 policies/default.policy $(DESTDIR)$(SYSCONFDIR)/biofence/biofence.policy
	sed -e 's|/usr/sbin/biofenced|$(SBINDIR)/biofenced|g' -e 's|/usr/bin/biofence|$(BINDIR)/biofence|g' \
		dist/biofenced.service > $(DESTDIR)$(UNITDIR)/biofenced.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/biofenced.service
	$(INSTALL) -m 0644 dist/bash-completion/biofence $(DESTDIR)$(BASHCOMPDIR)/biofence
	ln -sf biofence $(DESTDIR)$(BASHCOMPDIR)/biofenced
	set -e; for s in 1 5 8; do \
		for f in man/*.$$s; do test -f "$$f" || continue; \
			$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man$$s; \
			$(INSTALL) -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man$$s/; done; done
	if test -f dist/logrotate.d/biofence; then \
		$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/logrotate.d && \
		$(INSTALL) -m 0644 dist/logrotate.d/biofence $(DESTDIR)$(SYSCONFDIR)/logrotate.d/biofence; fi
	$(INSTALL) -d -m 0750 $(DESTDIR)$(LOGDIR)
	$(INSTALL) -d -m 0700 $(DESTDIR)$(STATEDIR)
	@test -n "$(DESTDIR)" || ! test -d /run/systemd/system || systemctl daemon-reload

# The policy, the audit log and the consent ledger are records: uninstall leaves them,
# and leaves the pinned programs enforcing ('biofence detach' first to stop enforcement).
uninstall:
	-test -n "$(DESTDIR)" || ! test -d /run/systemd/system || systemctl disable --now biofenced.service
	rm -f $(DESTDIR)$(SBINDIR)/biofenced $(DESTDIR)$(BINDIR)/biofence \
		$(DESTDIR)$(UNITDIR)/biofenced.service $(DESTDIR)$(BASHCOMPDIR)/biofence \
		$(DESTDIR)$(BASHCOMPDIR)/biofenced \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/biofence
	for f in man/*.1 man/*.5 man/*.8; do test -f "$$f" || continue; \
		rm -f $(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; done
	@echo "uninstall: kept $(SYSCONFDIR)/biofence, $(LOGDIR), $(STATEDIR) and the pins in /sys/fs/bpf/biofence"

# dpkg-buildpackage writes into the parent directory: build in a copy under /tmp, keep the .debs.
deb: deps
	@./tools/deps.sh dpkg-dev debhelper fakeroot
	@tmp=$$(mktemp -d /tmp/bf-deb-build.XXXXXX) && trap 'rm -rf "$$tmp"' EXIT && \
	  mkdir "$$tmp/biofence" && \
	  tar -cf - --exclude=./$(OUT) --exclude=./.git . | tar -xf - -C "$$tmp/biofence" && \
	  ( cd "$$tmp/biofence" && dpkg-buildpackage -us -uc -b ) && \
	  mkdir -p $(OUT)/deb && cp "$$tmp"/*.deb "$$tmp"/*.buildinfo "$$tmp"/*.changes $(OUT)/deb/ && \
	  ls -l $(OUT)/deb
