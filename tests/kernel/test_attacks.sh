#!/bin/bash
# test_attacks.sh - every escape route in tests/attacks/ run against the real agent, judged against tests/attacks/expected.tsv.
#
# Each export route runs tainted (it opens the test camera first, which the
# policy allows it) under a policy that lets tainted processes send only to
# 127.0.0.1:PORT. The third parties are 127.0.0.2:PORT, [::1]:PORT, unix
# sockets and the lo link, all heard by one listener outside the test cgroup
# (icmp_ping runs in a private network namespace with a listener of its own).
# "through" is proven by the listener receiving the route's bytes, "blocked"
# by EPERM with nothing received, "killed" by SIGKILL with nothing received.
# A route whose outcome differs from expected.tsv is a FAIL. Where this
# kernel lacks a hook the agent reports missing (biofence status), the row
# of tests/attacks/gaps.tsv for that gap is the expectation instead.
#
# Capture routes are judged by the camera call itself: the open, or, on a
# camera that streams (vivid, in the VM lane), a DQBUF or EXPBUF on a
# descriptor already open. Where biofence cameras lists no vivid node,
# those routes are "not run" (gaps.tsv: no-vivid), a SKIP, never a claim.
# Self-protection routes (kind protect) attack the agent itself, so they
# run last, against an agent of their own (its own cgroup, pins and temp
# dir), and are judged by what the runner finds afterwards: the map value,
# the pins, the agent running, answering and still enforcing.
#
# With BF_ATTACK_ROWS=1 (tools/attack-matrix), one "ROW:" line per route
# (route, outcome, expected, status, why, evidence; tab-separated) follows,
# from which docs/attack-matrix.md gets this kernel's column.
# Builds nothing: make builds build/tests/attacks/.
. "$(dirname "$0")/lib.sh"
bf_setup

ATK=$BUILD/tests/attacks
EXPECTED=$ROOT/tests/attacks/expected.tsv
GAPS=$ROOT/tests/attacks/gaps.tsv
# Programs that serve routes but are not routes themselves.
SUPPORT="listener curlish camera_app"
LISTEN_PID=
HOLDER_PID=
PRIOR_PID=
PORT=

# lib.sh cleans the cgroup (every attack and holder ran in it), pins and TMP
# (the self-protection routes' agent cleans up after itself in its subshell);
# the listener runs outside the cgroup, so it is ours to stop.
at_cleanup() {
	local rc=$?
	[ -n "$LISTEN_PID" ] && kill "$LISTEN_PID" 2>/dev/null && wait "$LISTEN_PID" 2>/dev/null
	[ -s "$TMP/ns-listener.pid" ] && kill "$(cat "$TMP/ns-listener.pid")" 2>/dev/null
	(exit $rc)
	bf_cleanup
}
trap at_cleanup EXIT

# The program a route runs: its own, except where routes share one.
route_prog() {
	case $1 in
	app_opens | copy_binary | hard_link) echo camera_app ;;
	af_packet_late) echo af_packet ;;
	memfd_handoff | sysv_handoff) echo shm_handoff ;;
	netcam_udp_pull) echo netcam_pull ;;
	*) echo "$1" ;;
	esac
}
routes=$(awk -F'\t' '!/^#/ && NF { print $1 }' "$EXPECTED")
protect_routes=$(awk -F'\t' '!/^#/ && $2 == "protect" { print $1 }' "$EXPECTED" | xargs)
for r in $routes $SUPPORT; do
	p=$(route_prog "$r")
	[ -x "$ATK/$p" ] || { fail "attack program $ATK/$p is not built (make check builds it)"; exit 1; }
done
# Every attack program has a row, every row names a route once: the table is the one place.
missing=
for src in "$ROOT"/tests/attacks/*.c; do
	p=$(basename "$src" .c)
	case " $SUPPORT " in *" $p "*) continue ;; esac
	grep -q "^$p	" "$EXPECTED" || missing="$missing $p"
done
expect "every attack program has an expected outcome" "" "${missing# }"
expect "every route appears once in expected.tsv" "" "$(sort <<< "$routes" | uniq -d | tr '\n' ' ' | sed 's/ $//')"

# Copies in TMP: the policy names these inodes, and the hard link must share their filesystem.
mkdir "$TMP/bin" "$TMP/out" "$TMP/copy" "$TMP/link"
cp "$ATK"/* "$TMP/bin/"
# A camera with a driver behind it (1:7 is /dev/full: reads give zeros), for the
# routes that need a real descriptor to hold, pass on or reopen.
mknod "$TMP/held" c 1 7
chmod 666 "$TMP/held"
# A template store (template_read, template_peek): each file holds its route's
# token, so the listener can tell whose bytes it got.
mkdir "$TMP/store"
for r in template_read template_peek; do printf 'bf-attack route=%s; face-bytes\n' "$r" > "$TMP/store/$r.tpl"; done
# A camera that streams, for the routes that use a descriptor already open:
# vivid's first capture node, as biofence cameras names it (the VM lane loads it).
VIVID=$("$CLI" cameras 2>/dev/null | awk '/ driver "vivid" / && /-vid-cap"/ { print $1; exit }')
NO_VIVID="no vivid capture node here (biofence cameras: $("$CLI" cameras 2>&1 | head -1 | sed 's/^biofence: //'))"

# A network camera in a namespace of its own (lib.sh netcam_up): it streams
# over TCP and UDP to whoever asks, and pushes UDP frames unasked to this
# side's PUSHPORT (netcam_push listens there).
netcam_up || { fail "could not make the network camera's namespace"; exit 1; }
PUSHPORT=$((20000 + RANDOM % 40000))
netcam_serve "$HELPERS/bf_stream" serve tcp "$NC_CAM" 8554
netcam_serve "$HELPERS/bf_stream" serve udp "$NC_CAM" 8555
netcam_serve "$HELPERS/bf_stream" push udp "$NC_HOST" "$PUSHPORT"

# The listener first: its port goes into the policy. A port taken by someone else: try another.
for _ in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 40000))
	"$ATK/listener" "$PORT" "$TMP/third.sock" "$TMP/third-dgram.sock" "@$ID" \
		> "$TMP/listen.out" 2> "$TMP/listen.err" &
	LISTEN_PID=$!
	for _ in $(seq 30); do
		grep -q '^ready' "$TMP/listen.out" && break
		kill -0 "$LISTEN_PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^ready' "$TMP/listen.out" && break
	kill "$LISTEN_PID" 2>/dev/null
	wait "$LISTEN_PID" 2>/dev/null
	LISTEN_PID=
	rm -f "$TMP/third.sock" "$TMP/third-dgram.sock"
done
[ -n "$LISTEN_PID" ] || { fail "listener: $(cat "$TMP/listen.err")"; exit 1; }
T4=127.0.0.2:$PORT

{
	echo "mode enforce"
	echo "camera cam  path \"$TMP/video0\""
	echo "camera held path \"$TMP/held\""
	# Every route that runs tainted is an app allowed both cameras; the
	# non-apps (prior_holder, pidfd_getfd, second_node, proc_fd_reopen,
	# curlish) are not.
	apps=$(awk -F'\t' '!/^#/ && $2 == "export" { print $1 }' "$EXPECTED" |
		while read -r r; do [ "$(route_prog "$r")" = "$r" ] && echo "$r"; done |
		grep -v -x -e prior_holder -e pidfd_getfd)
	for a in $apps camera_app; do echo "app $a exe \"$TMP/bin/$a\""; done
	# netcam_export is the one app that may pull the network camera's stream.
	echo "camera netcam     net $NC_CAM tcp 8554 rtsp"
	echo "camera netcam-rtp net $NC_CAM udp rtsp"
	# An ONVIF camera: its WS-Discovery probes are captures of it (onvif_probe).
	echo "camera netcam-onvif net $NC_CAM tcp 80 onvif"
	echo "capture allow netcam_export netcam"
	# netcam_stale pulls inside a consent window and reads on after it.
	echo "app netcam_stale exe \"$TMP/bin/netcam_stale\""
	echo "capture allow netcam_stale netcam consent entry window 30s"
	echo "dest allowed     127.0.0.1 tcp $PORT"
	echo "dest allowed-udp 127.0.0.1 udp $PORT"
	for a in $apps camera_app; do echo "capture allow $a cam"; echo "capture allow $a held"; done
	if [ -n "$VIVID" ]; then
		# stale_fd captures under consent, expbuf without; each is the only app for vivid.
		echo "camera vivid path \"$VIVID\""
		echo "app stale_fd exe \"$TMP/bin/stale_fd\""
		echo "app expbuf exe \"$TMP/bin/expbuf\""
		echo "capture allow stale_fd vivid consent entry window 30s"
		echo "capture allow expbuf vivid"
		# stale_fd dequeues again just after its window ends: the agent's
		# holder check must not kill it first (on a backend without LSM that
		# check is what ends the stream, and it is not this route).
		echo "window-grace 30s"
	fi
	# template_peek holds the templates; template_read is another app, and may not open them.
	echo "template-store template_peek \"$TMP/store\""
	echo "capture deny any any"
	echo "export allow any allowed"
	echo "export allow any allowed-udp"
	echo "export deny any any"
	# socket_handoff passes its socket over a name its child may reach.
	echo "ipc allow socket_handoff unix \"$TMP/handoff.sock\""
} | policy "$TMP/p.policy"

# bg_cg CMD...: in the test cgroup, in the background; $! is CMD's own pid (sh execs it).
bg_cg() {
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$@" &
}
holds() { ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "-> $2\$"; }

# The prior holder opens its camera before there is any agent to judge it.
bg_cg "$TMP/bin/prior_holder" "$TMP/held" "$TMP/go" "$T4" > "$TMP/prior.out" 2>&1
PRIOR_PID=$!
for _ in $(seq 30); do holds "$PRIOR_PID" "$TMP/held" && break; sleep 0.1; done

agent_start "$TMP/p.policy" --consent "$TMP/consent.jsonl" || { fail "agent start"; exit 1; }
touch "$TMP/go"
"$CLI" consent grant --control "$CTL" --id g-net --subject p-2 --purpose entry --cameras netcam \
	--expires +1d --notice v1 >/dev/null
[ -n "$VIVID" ] && "$CLI" consent grant --control "$CTL" --id g1 --subject p-1 --purpose entry \
	--cameras vivid --expires +1d --notice v1 >/dev/null

# in_cg through timeout: a hung route is a failure, never a hung make check.
run_cg() { in_cg timeout 15 "$@"; }

run_route() {
	local r=$1 bin=$TMP/bin/$1 cam=$TMP/video0
	case $r in
	allowed_dest) run_cg "$bin" "$cam" "127.0.0.1:$PORT" ;;
	tcp_connect | udp_connect | udp_sendto | sendmmsg | tcp_fastopen | io_uring_connect | \
	io_uring_sendmsg | io_uring_sqpoll | fork_connect | double_fork_setsid | pre_taint_socket | \
	ptrace_peek | pipe_handoff | raw_inet)
		run_cg "$bin" "$cam" "$T4" ;;
	template_read | template_peek) run_cg "$bin" "$TMP/store/$r.tpl" "$T4" ;;
	ipv6) run_cg "$bin" "$cam" "[::1]:$PORT" ;;
	ipv4_mapped) run_cg "$bin" "$cam" "[::ffff:127.0.0.2]:$PORT" ;;
	exec_helper) run_cg "$bin" "$cam" "$TMP/bin/curlish" "$T4" ;;
	af_packet) run_cg "$bin" "$cam" "$T4" lo ;;
	af_packet_late) run_cg "$TMP/bin/af_packet" "$cam" "$T4" lo 2500 ;;
	unix_path) run_cg "$bin" "$cam" "$TMP/third.sock" ;;
	unix_dgram) run_cg "$bin" "$cam" "$TMP/third-dgram.sock" ;;
	unix_abstract) run_cg "$bin" "$cam" "@$ID" ;;
	unix_listen) run_cg "$bin" "$cam" "$TMP/tainted-listener.sock" "$T4" ;;
	shm_handoff) run_cg "$bin" "$cam" "/$ID-shm" "$T4" ;;
	memfd_handoff) run_cg "$TMP/bin/shm_handoff" "$cam" memfd "$T4" ;;
	sysv_handoff) run_cg "$TMP/bin/shm_handoff" "$cam" sysv "$T4" ;;
	scm_rights) run_cg "$bin" "$TMP/held" "$T4" ;;
	netcam_pull) run_cg "$bin" tcp "$NC_CAM:8554" ;;
	netcam_udp_pull) run_cg "$TMP/bin/netcam_pull" udp "$NC_CAM:8555" ;;
	netcam_export) run_cg "$bin" "$NC_CAM:8554" "$T4" ;;
	netcam_push) run_cg "$bin" "$NC_HOST:$PUSHPORT" ;;
	onvif_probe) run_cg "$bin" 239.255.255.250:3702 ;;
	socket_handoff) run_cg "$bin" "$cam" "$T4" "$TMP/handoff.sock" ;;
	prior_holder)
		# Started before the agent (above); its line is already on its way.
		wait "$PRIOR_PID"
		local rc=$?
		PRIOR_PID=
		cat "$TMP/prior.out"
		return $rc ;;
	app_opens) run_cg "$TMP/bin/camera_app" "$r" "$cam" ;;
	copy_binary)
		cp "$TMP/bin/camera_app" "$TMP/copy/camera_app"
		run_cg "$TMP/copy/camera_app" "$r" "$cam" ;;
	hard_link)
		ln "$TMP/bin/camera_app" "$TMP/link/camera_app"
		run_cg "$TMP/link/camera_app" "$r" "$cam" ;;
	proc_fd_reopen | pidfd_getfd)
		# The app holds the camera; a non-app borrows it: through /proc, or with pidfd_getfd.
		bg_cg "$TMP/bin/camera_app" holder "$TMP/held" 20 > "$TMP/holder.out" 2>&1
		HOLDER_PID=$!
		for _ in $(seq 30); do holds "$HOLDER_PID" "$TMP/held" && break; sleep 0.1; done
		if [ "$r" = proc_fd_reopen ]; then
			run_cg "$bin" "$TMP/held" "$HOLDER_PID"
		else
			run_cg "$bin" "$TMP/held" "$HOLDER_PID" "$T4"
		fi
		local rc=$?
		kill "$HOLDER_PID" 2>/dev/null
		wait "$HOLDER_PID" 2>/dev/null
		HOLDER_PID=
		return $rc ;;
	second_node) run_cg "$bin" "$cam" "$TMP" ;;
	netcam_stale)
		# A 3 s window; the route reads one frame inside it, then again once the agent has logged its end.
		local nwin npid
		nwin=$("$CLI" window open --control "$CTL" --consent g-net --app netcam_stale --camera netcam \
			--for 3s --json | jq -r '.window.id // empty')
		[ -n "$nwin" ] || { echo "route=$r result=error detail=no consent window opened"; return 1; }
		bg_cg timeout 60 "$bin" "$NC_CAM:8554" "$TMP/nstale.ready" "$TMP/nstale.go"
		npid=$!
		for _ in $(seq 100); do
			{ [ -e "$TMP/nstale.ready" ] || ! kill -0 "$npid" 2>/dev/null; } && break
			sleep 0.1
		done
		wait_for ".kind == \"consent\" and .event == \"window-expire\" and .consent.window.id == $nwin" 1 30
		touch "$TMP/nstale.go"
		wait "$npid"
		return $? ;;
	stale_fd)
		[ -n "$VIVID" ] || { echo "route=$r result=notrun detail=$NO_VIVID"; return 0; }
		# A window of 8 s: long enough to open and stream under TCG, short enough to wait out.
		local win pid
		win=$("$CLI" window open --control "$CTL" --consent g1 --app stale_fd --camera vivid --for 8s --json |
			jq -r '.window.id // empty')
		[ -n "$win" ] || { echo "route=$r result=error detail=no consent window opened"; return 1; }
		bg_cg timeout 90 "$bin" "$VIVID" 3 "$TMP/stale.ready" "$TMP/stale.go"
		pid=$!
		for _ in $(seq 300); do
			{ [ -e "$TMP/stale.ready" ] || ! kill -0 "$pid" 2>/dev/null; } && break
			sleep 0.1
		done
		# Stale once the agent has logged the window's end, not before; without
		# that record the run proves nothing (the last line is the one judged).
		if ! wait_for ".kind == \"consent\" and .event == \"window-expire\" and .consent.window.id == $win" 1 30; then
			touch "$TMP/stale.go"
			wait "$pid"
			echo "route=$r result=error detail=the agent never logged the end of window $win"
			return 1
		fi
		touch "$TMP/stale.go"
		wait "$pid" ;;
	expbuf)
		[ -n "$VIVID" ] || { echo "route=$r result=notrun detail=$NO_VIVID"; return 0; }
		# The non-app: the same bytes under another name, another inode.
		cp "$TMP/bin/expbuf" "$TMP/copy/expbuf_nonapp"
		run_cg "$bin" "$VIVID" "$TMP/copy/expbuf_nonapp" ;;
	icmp_ping)
		# Ping sockets are off on this host (as on Debian 12 by default): turn them on
		# in a private network namespace only, with a second listener there as the
		# third party. No named netns, nothing outlives the command.
		if ! unshare -n true 2>/dev/null; then
			echo "route=$r result=skip detail=no private network namespace here (unshare -n)"
			return 0
		fi
		unshare -n sh -c '
			ip link set lo up && echo "0 2147483647" > /proc/sys/net/ipv4/ping_group_range || exit 97
			"$1" "$2" "$3" "$4" "$5" > "$6" 2>&1 &
			echo $! > "$7"
			i=0
			while [ $i -lt 30 ] && ! grep -q "^ready" "$6"; do sleep 0.1; i=$((i + 1)); done
			sh -c "echo \$\$ > \"\$0/cgroup.procs\" && exec timeout 15 \"\$@\"" "$8" "$9" "${10}" 127.0.0.2
			rc=$?
			sleep 0.3
			kill "$(cat "$7")"
			exit $rc' sh "$ATK/listener" "$PORT" "$TMP/ns-third.sock" "$TMP/ns-third-dgram.sock" "@$ID-ns" \
			"$TMP/listen-ns.out" "$TMP/ns-listener.pid" "$CG" "$bin" "$cam"
		local rc=$?
		# The namespace's listener is gone with it: never kill that pid again.
		rm -f "$TMP/ns-listener.pid"
		[ $rc -eq 97 ] && echo "route=$r result=skip detail=could not set up lo and ping sockets in a private network namespace"
		return $rc ;;
	*) echo "route=$r result=error detail=the runner has no way to run this route"; return 1 ;;
	esac
}

for r in $routes; do
	case " $protect_routes " in *" $r "*) continue ;; esac
	run_route "$r" > "$TMP/out/$r" 2>&1
	echo $? > "$TMP/out/$r.rc"
done
# The channel routes again, RACE_RUNS times each: the helper's read and the
# tainted write meet on two CPUs, and a channel that lost that race (the
# reader registering just after the writer looked) let the bytes out
# untainted, once in a CI run. Judged by the senders' own lines here; the
# first run of each, above, is judged by the listener too.
RACE_ROUTES="unix_listen pipe_handoff socket_handoff"
RACE_RUNS=${BF_ATTACK_RACE_RUNS:-15}
# Without BPF LSM these routes go through, by design: nothing to race.
"$CLI" status --json --control "$CTL" --pin-dir "$PIN" | jq -e '.status.backends.lsm | startswith("enforcing")' >/dev/null ||
	RACE_ROUTES=
for r in $RACE_ROUTES; do
	for i in $(seq "$RACE_RUNS"); do
		rm -f "$TMP/tainted-listener.sock" "$TMP/handoff.sock" "/dev/shm/$ID-shm"
		run_route "$r" 2>&1 | grep "^route=$r " | tail -1 | sed -n 's/^route=[^ ]* result=\([a-z]*\) .*/\1/p'
	done > "$TMP/out/$r.race"
done
# Let the last bytes land before judging "nothing received".
sleep 0.5
kill "$LISTEN_PID" 2>/dev/null
wait "$LISTEN_PID" 2>/dev/null
LISTEN_PID=

# --- Self-protection routes, last: they attack the agent they run under ---
# In a subshell, with lib.sh's own setup and cleanup for a second agent: its
# own cgroup, pins and temp dir (ID-self), detached and removed when the
# subshell exits, however it exits. Where BPF LSM is missing the routes
# overwrite its maps, unpin it and kill it: that agent is theirs to break.
# Each route leaves in $TMP/out its program's line and ROUTE.after: "intact:
# ..." or "damaged: ...", what a user would check once the attack is over.
OUTDIR=$TMP/out
protect_phase() (
	ID=$ID-self
	NC_NS=	# the network camera is the main run's to take down
	CG=$CG2/$ID
	PIN=/sys/fs/bpf/$ID
	TMP= AGENT_PID= LOG= CTL=
	bf_setup
	mkdir "$TMP/bin"
	for p in camera_app $protect_routes; do cp "$ATK/$p" "$TMP/bin/"; done
	cp "$ATK/camera_app" "$TMP/bin/intruder"
	mknod "$TMP/held" c 1 7
	chmod 666 "$TMP/held"
	policy "$TMP/p.policy" <<EOP
mode enforce
camera cam  path "$TMP/video0"
camera held path "$TMP/held"
app holder exe "$TMP/bin/camera_app"
capture allow holder held
capture deny any any
EOP
	if ! agent_start "$TMP/p.policy"; then
		for r in $protect_routes; do
			echo "route=$r result=error detail=the agent of its own did not start: $(tail -c 200 "$TMP/agent.err" | tr '\n' ' ')" > "$OUTDIR/$r"
			echo 1 > "$OUTDIR/$r.rc"
		done
		exit 0
	fi
	# A tainted process for map_write to untaint: the app holding its camera.
	bg_cg "$TMP/bin/camera_app" holder "$TMP/held" 300 > "$TMP/holder.out" 2>&1
	HOLDER=$!
	for _ in $(seq 30); do holds "$HOLDER" "$TMP/held" && break; sleep 0.1; done

	# Read through read-only fds, which biofence leaves open to all (bpftool
	# opens a pin read-write, so it is refused where the agent protects itself).
	active() { "$HELPERS/bf_bpfpoke" map-get "$PIN/maps/bf_active" 0 | awk 'NF == 2 { print "slot " $1 ", policy_seq " $2 }'; }
	taint_of() { "$HELPERS/bf_bpfpoke" map-get "$PIN/maps/bf_taint" "$1" | grep -v '^none$'; }
	# The agent runs (not stopped), answers, and a non-app still cannot open the camera.
	agent_ok() {
		local st p
		if agent_gone "$AGENT_PID"; then echo "the agent is gone"; return 1; fi
		st=$(awk '{ print $3 }' "/proc/$AGENT_PID/stat" 2>/dev/null)
		case $st in T | t) echo "the agent is left stopped ($st)"; return 1 ;; esac
		"$CLI" status --control "$CTL" >/dev/null 2>&1 || { echo "the agent does not answer biofence status"; return 1; }
		p=$(in_cg "$TMP/bin/intruder" probe "$TMP/video0" | sed -n 's/^route=probe result=[a-z]* detail=//p')
		case $p in
		*EPERM*) echo "the agent runs, answers biofence status and still enforces (a non-app's camera open: EPERM)" ;;
		*) echo "the agent runs, but a non-app's camera $p"; return 1 ;;
		esac
	}

	protect_route() {
		local r=$1 bin=$TMP/bin/$1 a0 t0 a1 t1 ok okrc
		case $r in
		map_write)
			a0=$(active) t0=$(taint_of "$HOLDER")
			if [ -z "$t0" ]; then
				echo "route=$r result=error detail=the holder (pid $HOLDER) is not in bf_taint: nothing to delete"
				echo "intact: -" > "$OUTDIR/$r.after"
				return 1
			fi
			in_cg timeout 15 "$bin" "$PIN" "$HOLDER"
			a1=$(active) t1=$(taint_of "$HOLDER")
			ok=$(agent_ok)
			okrc=$?
			if [ "$a0" = "$a1" ] && [ "$t0" = "$t1" ] && [ $okrc -eq 0 ]; then
				echo "intact: read back, bf_active[0] ($a1) and the holder's taint entry are unchanged; $ok"
			else
				echo "damaged: read back, bf_active[0] is $a1 (was $a0), the holder's taint entry is $([ "$t0" = "$t1" ] && echo unchanged || echo "${t1:-gone}"); $ok"
			fi > "$OUTDIR/$r.after" ;;
		pin_unlink)
			in_cg timeout 15 "$bin" "$PIN"
			if [ -e "$PIN/links/bf_dev" ] && [ -e "$PIN/maps/bf_taint" ]; then
				# The pins, then the agent: only what this route could have broken.
				if ok=$(agent_ok); then echo "intact: both pins are still there; $ok"; else echo "damaged: both pins are still there, but $ok"; fi
			else
				echo "damaged: links/bf_dev $([ -e "$PIN/links/bf_dev" ] && echo "still there" || echo gone), maps/bf_taint $([ -e "$PIN/maps/bf_taint" ] && echo "still there" || echo gone)"
			fi > "$OUTDIR/$r.after" ;;
		ptrace_agent)
			in_cg timeout 15 "$bin" "$AGENT_PID"
			if ok=$(agent_ok); then echo "intact: $ok"; else echo "damaged: $ok"; fi > "$OUTDIR/$r.after" ;;
		kill_agent)
			in_cg timeout 15 "$bin" "$AGENT_PID"
			for _ in $(seq 30); do agent_gone "$AGENT_PID" && break; sleep 0.1; done
			if ok=$(agent_ok); then
				echo "intact: $ok"
			else
				# Reaped here, so lib's cleanup finds no agent and detaches the pins itself.
				wait "$AGENT_PID"
				echo "damaged: the agent is gone (exit status $?)"
				AGENT_PID=
			fi > "$OUTDIR/$r.after" ;;
		*) echo "route=$r result=error detail=the runner has no way to run this route"; return 1 ;;
		esac
	}
	for r in $protect_routes; do
		protect_route "$r" > "$OUTDIR/$r" 2>&1
		echo $? > "$OUTDIR/$r.rc"
	done
	# Each refusal is the agent's, and an inspector can see it.
	for r in $protect_routes; do
		grep -q "^route=$r result=blocked " "$OUTDIR/$r" || continue
		case $r in map_write) ev=map-write ;; pin_unlink) ev=pin-unlink ;; ptrace_agent) ev=ptrace ;; kill_agent) ev=signal ;; esac
		check "$r: the refusal is in the audit log" wait_for \
			".kind == \"protect\" and .event == \"$ev\" and .verdict == \"deny\" and .enforced == true and .comm == \"$r\"" 1 10
	done
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
)
[ -n "$protect_routes" ] && protect_phase

# The process that actually sends, as the audit log names it (comm: 15 characters).
sender_comm() {
	case $1 in
	exec_helper) echo curlish ;;
	*) p=$(route_prog "$1"); echo "${p:0:15}" ;;
	esac
}

# judge ROUTE KIND: sets OUTCOME and DETAIL from the program's line, its exit and the listener.
judge() {
	local r=$1 kind=$2 line res rc got where
	line=$(grep "^route=$r " "$TMP/out/$r" | tail -1)
	rc=$(cat "$TMP/out/$r.rc")
	res=$(sed -n 's/^route=[^ ]* result=\([a-z]*\) .*/\1/p' <<< "$line")
	DETAIL=${line#* detail=}
	if [ -z "$line" ]; then
		if [ "$rc" = 137 ]; then
			res=killed DETAIL="SIGKILL before it could report"
		else
			res=error DETAIL="no result line (exit $rc): $(head -c 200 "$TMP/out/$r" | tr '\n' ' ')"
		fi
	fi
	OUTCOME=$res
	[ "$res" = notrun ] && OUTCOME="not run"
	if [ "$kind" = protect ]; then
		judge_protect "$r"
		return 0
	fi
	[ "$kind" = export ] || return 0
	got=$(cat "$TMP"/listen*.out | grep -F "route=$r;")
	# Name the socket that heard it; the link only when no socket did.
	where=$(awk '{ print $2 }' <<< "$got" | sort -u | grep -v '^link:' | tr '\n' ' ' | sed 's/ $//')
	[ -n "$where" ] || where=$(awk '{ print $2 }' <<< "$got" | sort -u | tr '\n' ' ' | sed 's/ $//')
	case $res in
	through)
		if [ -n "$got" ]; then
			DETAIL="$DETAIL; received by $where"
		else
			OUTCOME=error DETAIL="$DETAIL; but no listener received anything"
		fi ;;
	blocked | killed)
		if [ -n "$got" ]; then
			OUTCOME=through DETAIL="$DETAIL; yet $where received its bytes"
		else
			DETAIL="$DETAIL; nothing received"
		fi ;;
	esac
}

# A self-protection route's line against what the runner found afterwards (ROUTE.after).
judge_protect() {
	local r=$1 after state
	after=$(cat "$TMP/out/$r.after" 2>/dev/null)
	state=${after%%: *}
	after=${after#*: }
	case $OUTCOME in
	blocked)
		if [ "$state" = intact ]; then
			DETAIL="$DETAIL; $after"
		else
			OUTCOME=through DETAIL="$DETAIL; yet $after"
		fi ;;
	through)
		# A read leaves nothing behind to check: ptrace_agent proves its
		# reads by what they got, the agent's own ELF header.
		if [ "$state" = damaged ] || { [ "$r" = ptrace_agent ] && [[ $DETAIL == *"ELF header"* ]]; }; then
			DETAIL="$DETAIL; $after"
		else
			OUTCOME=error DETAIL="$DETAIL; but $after"
		fi ;;
	esac
}

# The gaps this kernel has, as the agent itself reports them.
status_json=$("$CLI" status --json --control "$CTL" --pin-dir "$PIN")
KGAPS=
jq -e '.status.backends.ipc | startswith("NOT ENFORCED")' <<< "$status_json" >/dev/null && KGAPS="$KGAPS no-unix-hooks"
jq -e '.status.backends.lsm | startswith("enforcing")' <<< "$status_json" >/dev/null || KGAPS="$KGAPS no-lsm"
jq -e '.status.backends.protection | startswith("on")' <<< "$status_json" >/dev/null || KGAPS="$KGAPS no-protect"
# No camera that streams: first, so its rows win over no-lsm's. In the VM lane
# (BF_KERNEL_PKG) vivid is loaded by design, and its absence is a failure.
[ -z "$VIVID" ] && [ -z "${BF_KERNEL_PKG:-}" ] && KGAPS="no-vivid $KGAPS"

# gap_row ROUTE: this kernel's expectation from gaps.tsv ("exp<TAB>status<TAB>why"), if a gap applies.
gap_row() {
	local g
	for g in $KGAPS; do
		awk -F'\t' -v g="$g" -v r="$1" '$1 == g && $2 == r { print $3 "\t" $4 "\t" $5; exit }' "$GAPS"
	done | head -1
}

declare -A OUT DET
matched=0 differed=0
while IFS=$'\t' read -r r kind exp status why what; do
	case $r in '#'* | '') continue ;; esac
	override=$(gap_row "$r")
	[ -n "$override" ] && IFS=$'\t' read -r exp status why <<< "$override"
	judge "$r" "$kind"
	# Ports, paths, names and pids change every run: the matrix must not.
	DETAIL=${DETAIL//$PORT/P}
	DETAIL=${DETAIL//$TMP/\$TMP}
	DET[$r]=$(sed -E "s#$ID#ID#g; s#/proc/[0-9]+/#/proc/PID/#g" <<< "$DETAIL")
	OUT[$r]=$OUTCOME
	if [ "$OUTCOME" = skip ]; then
		skip "$r: could not run here: ${DET[$r]}"
		differed=$((differed + 1))
	elif [ "$OUTCOME" = "not run" ] && [ "$exp" = "not run" ]; then
		# As gaps.tsv expects: a device this host lacks, not a kernel feature,
		# so a SKIP even under CI (as test_v4l2 does without vivid).
		echo "SKIP: $TEST: $r: not run here: ${DET[$r]}"
		matched=$((matched + 1))
	elif [ "$OUTCOME" = "$exp" ]; then
		pass "$r: $OUTCOME ($status)"
		matched=$((matched + 1))
	else
		fail "$r: want $exp, got $OUTCOME: ${DET[$r]}"
		differed=$((differed + 1))
	fi
	[ -n "${BF_ATTACK_ROWS:-}" ] && printf 'ROW:\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$OUTCOME" "$exp" "$status" "$why" "${DET[$r]}"
done < "$EXPECTED"

# A blocked send is also a logged one: the EPERM came from biofence, and an
# inspector can see it. A kill is logged too, as the agent's termination.
unlogged=
for r in $routes; do
	grep -q "^$r	export	" "$EXPECTED" || continue
	case ${OUT[$r]} in
	blocked) what='(.kind != "capture" or .event == "use") and .verdict == "deny"' ;;
	killed) what='.event == "terminate" and .enforced == true' ;;
	*) continue ;;
	esac
	wait_for "$what and .comm == \"$(sender_comm "$r")\"" 1 2 || unlogged="$unlogged $r"
done
expect "every blocked or killed export route is in the audit log" "" "${unlogged# }"
check "the prior holder was found by the start scan" \
	wait_for '.kind == "capture" and .event == "held_at_start" and .comm == "prior_holder"' 1 2
if [ "${OUT[socket_handoff]}" = blocked ]; then
	check "socket_handoff: the untainted sender was judged by the taint its socket carries" \
		wait_for '.kind == "export" and .comm == "socket_handoff" and .verdict == "deny" and .taint.via == "socket" and .hook == "lsm/socket_sendmsg"' 1 2
fi
# The reader may be tainted from the writer's side (it was already waiting in
# read()), and gone before the agent reads /proc: matched by channel, not comm.
if [ "${OUT[pipe_handoff]}" = blocked ]; then
	check "pipe_handoff: the helper was tainted by reading the pipe, and a taint record says so" \
		wait_for '.kind == "taint" and .event == "pipe" and .hook == "lsm/file_permission" and .taint.origin_pid > 0 and .pid != .taint.origin_pid' 1 2
fi
# Each shared-memory route's own helper, tainted by its own parent, as the
# program's helper= line names them; the hook is where the taint moved (the
# mapping, or the segment's attach), whichever side came second.
for r in shm_handoff memfd_handoff sysv_handoff; do
	[ "${OUT[$r]}" = blocked ] || continue
	read -r hp op <<< "$(sed -n 's/^helper=\([0-9]*\) origin=\([0-9]*\)$/\1 \2/p' "$TMP/out/$r" | tail -1)"
	hook=lsm/mmap_file
	[ "$r" = sysv_handoff ] && hook=lsm/shm_shmat
	check "$r: its helper (pid ${hp:-?}) was tainted through shared memory by its parent, at $hook" \
		wait_for ".kind == \"taint\" and .event == \"shm\" and .hook == \"$hook\" and .pid == ${hp:-0} and .taint.origin_pid == ${op:-0}" 1 2
done
if [ "${OUT[ptrace_peek]}" = blocked ]; then
	check "ptrace_peek: the parent was tainted by reading its child's memory, and a taint record says so" \
		wait_for '.kind == "taint" and .event == "ptrace" and .comm == "ptrace_peek" and .hook == "lsm/ptrace_access_check"' 1 2
fi
if [ "${OUT[stale_fd]}" = blocked ]; then
	check "stale_fd: the refused dequeue is logged, and says the window expired" \
		wait_for '.kind == "capture" and .event == "use" and .use == "VIDIOC_DQBUF" and .verdict == "deny" and .comm == "stale_fd" and .consent.reason == "window expired"' 1 2
fi
if [ "${OUT[expbuf]}" = blocked ]; then
	check "expbuf: the refused export is logged, with the non-app that holds the fd" \
		wait_for '.kind == "capture" and .event == "use" and .use == "VIDIOC_EXPBUF" and .hook == "lsm/file_ioctl" and .verdict == "deny" and .comm == "expbuf_nonapp"' 1 2
fi
if [ "${OUT[unix_listen]}" = blocked ]; then
	check "unix_listen: the client was tainted by reading its unnamed socket, and a taint record says so" \
		wait_for '.kind == "taint" and .event == "unix" and .hook == "lsm/socket_recvmsg" and .taint.origin_pid > 0 and .pid != .taint.origin_pid' 1 2
fi
for r in $RACE_ROUTES; do
	[ "${OUT[$r]}" = blocked ] || continue	# the first run's FAIL says it already
	expect "$r: blocked in each of $RACE_RUNS more runs, reader and writer racing" \
		"$RACE_RUNS blocked" "$(sort "$TMP/out/$r.race" | uniq -c | awk '{ printf "%s%d %s", sep, $1, $2; sep = ", " }')"
done
agent_stop

[ -n "${BF_ATTACK_ROWS:-}" ] && echo "ROWS-END: kernel $(uname -r), $matched as expected, $differed not"
exit 0
