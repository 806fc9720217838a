#!/usr/bin/env bash
# Started by scripts/process-groups.sh in a session of its own:
#   watchdog.sh STATE_FILE SCRIPT_PID [LAUNCHER_PID...]
# Polls every second. When the script or its launcher (npm, Playwright) has died
# while the state file still exists (so no clean stop happened), it asks a
# living script to stop everything in order (SIGTERM, as Ctrl-C would), and
# stops what the script can no longer stop: each child's process group listed
# in the state file, then the database. A clean stop removes the state file and
# this process with it.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/process-groups.sh"
state="$1"
script="$2"
shift 2
watched=("$script" "$@")

alive() { kill -0 "$1" 2>/dev/null; }

gone=""
while [[ -f "$state" && -z "$gone" ]]; do
  for pid in "${watched[@]}"; do
    if ! alive "$pid"; then gone="$pid"; fi
  done
  [[ -n "$gone" ]] || sleep 1
done
[[ -f "$state" ]] || exit 0

# Every descendant of $1 in process group $2: the step a script is running (npx and
# the node under it), but not the children it started in groups of their own.
step_processes() {
  local root="$1" pgid="$2" stat pid parent
  declare -A children=()
  for stat in /proc/[0-9]*/stat; do
    pid="${stat#/proc/}"
    pid="${pid%/stat}"
    parent="$(proc_ppid "$pid")"
    [[ -n "$parent" ]] && children[$parent]+="$pid "
  done
  local queue=("$root") next
  while ((${#queue[@]})); do
    next="${queue[0]}"
    queue=("${queue[@]:1}")
    for pid in ${children[$next]:-}; do
      if [[ "$(proc_pgid "$pid")" == "$pgid" ]]; then
        echo "$pid"
        queue+=("$pid")
      fi
    done
  done
}

if alive "$script"; then
  echo "[watchdog] process $gone, which started this app, has gone; stopping the app" >&2
  # The step the script is waiting for (a build, the seed) shares its process group;
  # bash runs the stop only once that step has ended, so end the step now, all of it.
  for pid in $(step_processes "$script" "$(proc_pgid "$script")"); do kill -TERM "$pid" 2>/dev/null || true; done
  kill -TERM "$script" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive "$script" || break
    sleep 0.1
  done
fi
[[ -f "$state" ]] || exit 0

# The script died without stopping its children: stop them here, then the database.
echo "[watchdog] stopping what the stopped script left running" >&2
db=""
while read -r kind value; do
  case "$kind" in
    group) pids+=("$value") ;;
    db) db="$value" ;;
  esac
done <"$state"
stop_groups
if [[ -n "$db" ]]; then bash "$PROCESS_GROUPS_ROOT/scripts/db.sh" stop "$db"; fi
rm -f "$state"
