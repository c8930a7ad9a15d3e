#!/usr/bin/env bash
# Checks the Promela model of one cell (Model/cell.pml) with spin, as listed in Model/checks.txt:
# every bounded configuration must hold (exhaustive search, no assertion violated) and every
# mutant must be refuted (spin finds the named property violated and writes a trail).
#
#   Scripts/check-model.sh                 the bounded configurations and the mutants (minutes)
#   Scripts/check-model.sh --long          the larger configurations, bitstate search (hours;
#                                          each stops after LONG_SECONDS, 3600 by default)
#   Scripts/check-model.sh --trails DIR    also keeps each mutant's trail in DIR, with its macros
#                                          and its replay (`spin -t <macros> cell.pml`: the steps
#                                          that lead to the violation, one line each)
#
# Needs spin and a C compiler (Debian: apt-get install spin gcc).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=bounded
trails=""
while [ $# -gt 0 ]; do
    case "$1" in
        --long) mode=long ;;
        --trails) trails="$(mkdir -p "$2" && cd "$2" && pwd)"; shift ;;
        *) echo "usage: $0 [--long] [--trails DIR]" >&2; exit 2 ;;
    esac
    shift
done
for tool in spin gcc; do
    command -v "$tool" >/dev/null || { echo "check-model: $tool is missing (apt-get install spin gcc)" >&2; exit 2; }
done

model="$PWD/Model/cell.pml"
checks="$PWD/Model/checks.txt"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
long_seconds="${LONG_SECONDS:-3600}"
failed=0
passed=0
stopped=0

# Figures from pan's report: states stored, depth reached, seconds.
figures() {
    local stored depth seconds
    stored=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$1" | head -1)
    depth=$(sed -n 's/.*depth reached \([0-9]*\).*/\1/p' "$1" | head -1)
    seconds=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds.*/\1/p' "$1" | head -1)
    echo "${stored:-?} states, depth ${depth:-?}, ${seconds:-?} s"
}

# Builds pan for one configuration in its own directory: build DIR CFLAGS DEFINES...
build() {
    local dir="$1" cflags="$2"
    shift 2
    mkdir -p "$dir"
    cp "$model" "$dir/cell.pml"
    (cd "$dir" && spin "$@" -a cell.pml >spin.out 2>&1 && gcc -O2 $cflags -w -o pan pan.c) || {
        cat "$dir/spin.out" >&2
        return 1
    }
}

# A configuration must hold: check NAME DEFINES...
check() {
    local name="$1" dir="$work/$mode-$1"
    shift
    build "$dir" "-DSAFETY -DCOLLAPSE" "$@"
    (cd "$dir" && ./pan -m10000 >pan.out 2>&1) || true
    if grep -q "errors: 0" "$dir/pan.out" && ! grep -q "assertion violated\|max search depth too small" "$dir/pan.out"; then
        echo "model $name holds: $(figures "$dir/pan.out")"
        passed=$((passed + 1))
    else
        echo "model $name FAILS: $(grep -m1 "assertion violated\|errors:\|max search depth" "$dir/pan.out")"
        failed=$((failed + 1))
    fi
}

# A larger configuration, bitstate search bounded in time: long NAME DEFINES...
long() {
    local name="$1" dir="$work/long-$1"
    shift
    build "$dir" "-DSAFETY -DBITSTATE" "$@"
    (cd "$dir" && timeout "$long_seconds" ./pan -m100000 -w32 >pan.out 2>&1) || true
    if grep -q "errors: 0" "$dir/pan.out" && ! grep -q "assertion violated" "$dir/pan.out"; then
        echo "long $name holds (bitstate): $(figures "$dir/pan.out")"
        passed=$((passed + 1))
    elif ! grep -q "errors:" "$dir/pan.out"; then
        echo "long $name stopped after ${long_seconds} s without a violation: $(tail -1 "$dir/pan.out")"
        stopped=$((stopped + 1))
    else
        echo "long $name FAILS: $(grep -m1 "assertion violated\|errors:" "$dir/pan.out")"
        failed=$((failed + 1))
    fi
}

# A mutant must be refuted on its property: mutant MACRO PROPERTY DEFINES...
mutant() {
    local macro="$1" property="$2" dir="$work/mutant-$1"
    shift 2
    build "$dir" "-DSAFETY -DCOLLAPSE" "$@" "-D$macro"
    (cd "$dir" && ./pan -m10000 >pan.out 2>&1) || true
    local violated
    violated=$(grep -m1 "assertion violated" "$dir/pan.out" || true)
    if [[ "$violated" == *"($property&&"* ]] && [ -f "$dir/cell.pml.trail" ]; then
        echo "mutant $macro refuted: $property violated, trail of $(grep -c . "$dir/cell.pml.trail") steps ($(figures "$dir/pan.out"))"
        passed=$((passed + 1))
        if [ -n "$trails" ]; then
            cp "$dir/cell.pml.trail" "$trails/$macro.trail"
            echo "$* -D$macro" >"$trails/$macro.defines"
            (cd "$dir" && spin -t "$@" "-D$macro" cell.pml >"$trails/$macro.txt" 2>&1) || true
        fi
    else
        echo "mutant $macro SURVIVES: ${violated:-no assertion violated} (expected $property)"
        failed=$((failed + 1))
    fi
}

started=$SECONDS
declare -A defines
while read -r kind name rest; do
    case "$kind" in
        model) defines[$name]="$rest"; [ "$mode" = bounded ] && check "$name" $rest ;;
        long) [ "$mode" = long ] && long "$name" $rest ;;
        mutant)
            read -r base property <<<"$rest"
            [ "$mode" = bounded ] && mutant "$name" "$property" ${defines[$base]}
            ;;
        "" | "#"*) ;;
        *) echo "check-model: unknown line in $checks: $kind $name $rest" >&2; exit 2 ;;
    esac
done <"$checks"
echo "model check ($mode): $passed passed, $failed failed, $stopped stopped at the time limit, in $((SECONDS - started)) s"
[ "$failed" -eq 0 ]
