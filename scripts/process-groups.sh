#!/usr/bin/env bash
# Sourced by start.sh and e2e-server.sh. Each child runs in a process group of its
# own (setsid) and its pid goes into `pids`, so stopping it reaches every
# descendant, even one a dying parent left behind, and a terminal's Ctrl-C
# reaches only the script, which then stops the children in order.

pids=()

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
