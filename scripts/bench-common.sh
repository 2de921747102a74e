# Shared by scripts/bench and scripts/bench-http/run: timing and the result table.
# Needs $work (where results go).

# measure NAME CMD... : runs CMD, records "wall rss_kb" in $work/NAME.time
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" || {
    echo "bench: $name failed:" >&2; tail -20 "$work/$name.err" >&2; exit 1; }
}

# row LABEL IMPL... : one result line per implementation, with its time relative to luaflow's
# (luaflow's own line first)
row() {
  local label=$1; shift
  read -r lf_wall _ < "$work/luaflow_$label.time"
  for impl in "$@"; do
    read -r wall rss < "$work/${impl}_$label.time"
    ratio=$(awk -v a="$wall" -v b="$lf_wall" 'BEGIN { printf "%.2f", a / b }')
    printf '%-10s %-10s %9.2f %10.1f %12s\n' "$label" "$impl" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$ratio"
  done
}

# header : the table's column names
header() {
  printf '%-10s %-10s %9s %10s %12s\n' job impl wall_s rss_MB "x_vs_luaflow"
}
