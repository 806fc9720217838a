#!/usr/bin/env bash
# Sourced by start.sh and e2e-server.sh (and the watchdog). Each child runs in a
# process group of its own (setsid) and its pid goes into `pids`, so stopping it
# reaches every descendant, even one a dying parent left behind, and a
# terminal's Ctrl-C reaches only the script, which then stops the children in
# order: the worker, the web server, then the database.
#
# A kill -9 runs no trap. So a watchdog (scripts/watchdog.sh, in a session of
# its own) watches the script and whatever launched it (npm, Playwright): if
# one of them dies, it has the script stop everything in order, or, when the
# script is gone too, stops what the state file lists itself.

PROCESS_GROUPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pids=()
STATE_FILE=""
WATCHDOG_PID=""

# Field n (1-based, as in proc(5)) of /proc/PID/stat; empty when PID is gone. The
# command name in field 2 may hold spaces, so fields are counted after its ")".
proc_stat_field() {
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  read -r -a fields <<<"${stat##*) }"
  echo "${fields[$(($2 - 3))]:-}"
}

proc_ppid() { proc_stat_field "$1" 4; }
proc_pgid() { proc_stat_field "$1" 5; }

# Our launcher: the parent and, when that is the `sh -c` through which npm and
# Playwright run a command, the parent's parent too.
launcher_pids() {
  local parent="$PPID" comm
  echo "$parent"
  comm="$(cat "/proc/$parent/comm" 2>/dev/null || true)"
  if [[ "$comm" == "sh" || "$comm" == "dash" ]]; then proc_ppid "$parent"; fi
}

# Starts the watchdog over this script and its launcher; call once, first.
start_watchdog() {
  STATE_FILE="$(mktemp "${TMPDIR:-/tmp}/nba-lab-processes.XXXXXX")"
  # shellcheck disable=SC2046
  setsid bash "$PROCESS_GROUPS_ROOT/scripts/watchdog.sh" "$STATE_FILE" "$$" $(launcher_pids) </dev/null &
  WATCHDOG_PID=$!
}

# Runs "$@" in a process group of its own, remembered for stop_groups and the watchdog.
start_group() {
  setsid "$@" &
  pids+=($!)
  if [[ -n "$STATE_FILE" ]]; then echo "group $!" >>"$STATE_FILE"; fi
}

# The embedded database's data folder, which the watchdog stops last if it has to.
track_db() {
  if [[ -n "$STATE_FILE" ]]; then echo "db $1" >>"$STATE_FILE"; fi
}

# The script stopped everything itself: the watchdog has nothing left to do.
stop_watchdog() {
  if [[ -n "$STATE_FILE" ]]; then rm -f "$STATE_FILE"; fi
  if [[ -n "$WATCHDOG_PID" ]]; then kill -TERM "$WATCHDOG_PID" 2>/dev/null || true; fi
}

# TERM every child's group, wait up to 10 s for all of them, then KILL what is left.
stop_groups() {
  local pgid
  for pgid in "${pids[@]}"; do kill -TERM -- "-$pgid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    local alive=0
    for pgid in "${pids[@]}"; do kill -0 -- "-$pgid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && return 0
    sleep 0.1
  done
  for pgid in "${pids[@]}"; do kill -KILL -- "-$pgid" 2>/dev/null || true; done
}
