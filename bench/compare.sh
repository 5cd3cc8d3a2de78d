#!/usr/bin/env bash
# bench/compare.sh [-n RUNS] [-p REV] [-b PROJECT_DIR]... [LOCK_DIR...] —
# measures, side by side on one machine:
#
#   npm:  lock2nix npm against node2nix 1.11 and against `jq .` (the parse
#         floor), and, with -p, against lock2nix built from the git
#         revision REV (a previous release); and
#         `nix-instantiate --eval --strict` of lock2nix's output
#         (every fetcher attribute forced) against a baseline that parses the
#         lockfile at evaluation time with builtins.fromJSON and maps it to
#         the same fetchers;
#   dune: lock2nix dune against reading the lock directory (`cat`, the I/O
#         floor), and the evaluation of its output against a baseline that
#         reads each .pkg file at evaluation time and pulls the URL and
#         checksum out with builtins.match;
#   build: for each -b PROJECT_DIR, bench/build.sh: `npm ci` against
#         building nodeModules with Nix, cold and after a one-package bump.
#
# Prints markdown tables. Translations (lock2nix, jq, node2nix, cat) are
# measured as users run them, the collector on, by bench/cputime: CPU time
# (user + system, minimum and median over RUNS runs), median wall time and
# peak RSS; CPU time is the figure of merit, as it drifts least with the
# machine's load. Evaluations: median wall time and peak RSS, and
# instruction counts (callgrind) when valgrind is there.
# LOCK_DIRs holding a package-lock.json go to the npm table, those holding
# a dune.lock folder to the dune table. Default: the largest lockfiles of
# ../shared/corpus, one per lockfile version, and every dune lock there.
# node2nix is installed from the npm registry into a temporary folder.
# Needs go, npm, jq, nix-instantiate and GNU time (/usr/bin/time).
set -euo pipefail
runs=5
prev_rev=""
build_dirs=()
while [ $# -gt 0 ]; do
  case $1 in
    -n) runs=$2; shift 2 ;;
    -p) prev_rev=$2; shift 2 ;;
    -b) build_dirs+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus="$repo/../shared/corpus"
npm_dirs=() dune_dirs=()
for d in "$@"; do
  if [ -f "$d/package-lock.json" ]; then npm_dirs+=("$d")
  elif [ -d "$d/dune.lock" ]; then dune_dirs+=("$d")
  else echo "$d: no package-lock.json or dune.lock" >&2; exit 1; fi
done
if [ $# -eq 0 ] && [ ${#build_dirs[@]} -eq 0 ]; then
  for d in overleaf__overleaf.2023-12 aws__aws-toolkit-vscode hackmdio__codimd ether__etherpad-lite__src.2023-12; do
    [ -d "$corpus/npm/$d" ] && npm_dirs+=("$corpus/npm/$d")
  done
  for d in "$corpus"/dune/*/; do
    [ -d "$d/dune.lock" ] && dune_dirs+=("${d%/}")
  done
fi
[ ${#npm_dirs[@]} -gt 0 ] || [ ${#dune_dirs[@]} -gt 0 ] || [ ${#build_dirs[@]} -gt 0 ] || {
  echo "no lockfiles to measure (is ../shared/corpus there?)" >&2
  exit 1
}
work=$(mktemp -d)
cleanup() {
  [ -z "$prev_rev" ] || git -C "$repo" worktree remove --force "$work/prev-src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Built as the flake builds it (nix/package.nix): static, without cgo.
(cd "$repo" && CGO_ENABLED=0 go build -o "$work/lock2nix" ./cmd/lock2nix && go build -o "$work/cputime" ./bench/cputime)
if [ -n "$prev_rev" ]; then
  git -C "$repo" worktree add --detach "$work/prev-src" "$prev_rev" >/dev/null 2>&1
  (cd "$work/prev-src" && CGO_ENABLED=0 go build -o "$work/lock2nix-prev" ./cmd/lock2nix)
fi
node2nix=""
if [ ${#npm_dirs[@]} -gt 0 ] &&
  (cd "$work" && npm install --silent --no-audit --no-fund --prefix "$work/n2n" node2nix@1.11 >/dev/null 2>&1); then
  node2nix="$work/n2n/node_modules/.bin/node2nix"
fi
export NIX_CONFIG=$'sandbox = false\nsubstituters ='

# The tools compared in one row run in turn, run after run, so that the
# machine's drifting load falls on all of them alike.
#
# cpu LABEL CMD... [--- LABEL CMD...]... — runs the commands by
# bench/cputime; sets cells[LABEL] ("12.3 ms CPU (median 13.0), 40 ms
# wall, 21 MB" or "fails: …") and cpu[LABEL] (the minimum CPU time, or "").
declare -A cells cpu
cpu() {
  local labels=() args=() next=1 line
  cells=() cpu=()
  for a in "$@"; do
    if [ "$next" = 1 ]; then labels+=("$a") next=0; continue; fi
    if [ "$a" = --- ]; then next=1; fi
    args+=("$a")
  done
  local i=0
  while IFS= read -r line; do
    cells[${labels[$i]}]=$(jq -r 'if .failed then "fails: " + (.failed | .[0:80]) else "\(.cpu_min_ms * 10 | round / 10) ms CPU (median \(.cpu_median_ms * 10 | round / 10)), \(.wall_median_ms | round) ms wall, \(.peak_rss_mb | floor) MB" end' <<<"$line")
    cpu[${labels[$i]}]=$(jq -r 'if .failed then "" else .cpu_min_ms end' <<<"$line")
    i=$((i + 1))
  done < <("$work/cputime" -n "$runs" -json "${args[@]}")
}
#
# once LABEL CMD... — one run of CMD, timed in the shell (no process in
# between); its time joins LABEL's. A failure ends LABEL's runs.
declare -A times failed
once() {
  local label=$1 t0 t1
  shift
  [ -n "${failed[$label]:-}" ] && return
  t0=$EPOCHREALTIME
  if ! "$@" >/dev/null 2>"$work/err"; then
    failed[$label]="fails: $(grep -v '^ *at \|^Command exited' "$work/err" | tail -n 1 | cut -c1-60)"
    return
  fi
  t1=$EPOCHREALTIME
  times[$label]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) * 1000}') "
}

# summary LABEL CMD... — sets ms (LABEL's median milliseconds), mb (peak
# RSS of one more run of CMD, under GNU time) and cell ("ms, MB"), or cell
# "fails: <last line of the error output>" and ms "".
summary() {
  local label=$1
  shift
  if [ -n "${failed[$label]:-}" ]; then
    cell=${failed[$label]} ms="" mb=""
    return
  fi
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
  # shellcheck disable=SC2086 # one time a word
  ms=$(printf '%s\n' ${times[$label]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mb=$(($(tail -n 1 "$work/rss") / 1024))
  cell="$ms ms, $mb MB"
}

# ratio A B — A/B to two places, or "–".
ratio() {
  if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; else echo "–"; fi
}

# evals OURS BASE — times both expressions (cells ev and base) and, when
# valgrind is there, counts the instructions each costs Nix (cell ins:
# "ours / baseline" in millions; instruction counts do not drift with the
# machine's load as wall times do).
evals() {
  local i
  times=() failed=()
  for ((i = 0; i < runs; i++)); do
    once ev nix-instantiate --eval --strict -E "$1"
    once base nix-instantiate --eval --strict -E "$2"
  done
  summary ev nix-instantiate --eval --strict -E "$1"
  ev=$cell
  summary base nix-instantiate --eval --strict -E "$2"
  base=$cell
  ins="–"
  if command -v valgrind >/dev/null; then
    ins="$(instructions "$1") / $(instructions "$2")"
  fi
}

instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null nix-instantiate --eval --strict -E "$1" 2>&1 >/dev/null |
    awk '/Collected/ {printf "%.0fM", $4 / 1e6}'
}

# What generated files get from nixpkgs, stubbed: fetchers return their
# arguments, so that forcing the result forces every fetcher attribute.
stub='{ stdenv = { }; nodejs = { }; ocaml = { }; dune_3 = { }; opam-installer = { }; pkgs = { }; fetchurl = a: { inherit (a) url hash; }; fetchGit = a: a; fetchurlUnpinned = url: { inherit url; }; src = "/src"; }'
forced='builtins.deepSeq s (builtins.length (builtins.attrNames s))'

if [ ${#npm_dirs[@]} -gt 0 ]; then
  prev_head="" prev_sep=""
  if [ -n "$prev_rev" ]; then
    prev_head=" lock2nix $prev_rev (previous release) | ÷ previous |" prev_sep="---|---|"
  fi
  echo "| lockfile | v | entries | lock2nix npm |$prev_head jq . (parse floor) | ÷ jq | node2nix 1.11 | ÷ node2nix | eval lock2nix output | eval fromJSON baseline | eval instructions, output / baseline |"
  echo "|---|---|---|---|$prev_sep---|---|---|---|---|---|---|"
  for dir in "${npm_dirs[@]}"; do
    name=$(basename "$dir")
    lock="$dir/package-lock.json"
    ver=$(jq .lockfileVersion "$lock")
    entries=$(jq '(.packages // .dependencies) | length' "$lock")
    l2n_cmd=("$work/lock2nix" npm "$dir" -o "$work/out.nix" --registry https://registry.npm.test/ --allow-unpinned)
    n2n_cmd=("$node2nix" -l package-lock.json -i package.json -o np.nix -c d.nix -e ne.nix)
    rm -rf "$work/n2n-run" && mkdir "$work/n2n-run" && cp "$dir/package.json" "$lock" "$work/n2n-run/"
    set -- l2n "${l2n_cmd[@]}" --- jq jq . "$lock"
    if [ -n "$prev_rev" ]; then
      set -- "$@" --- prev "$work/lock2nix-prev" "${l2n_cmd[@]:1:3}" "$work/out-prev.nix" "${l2n_cmd[@]:5}"
    fi
    if [ -n "$node2nix" ]; then
      # shellcheck disable=SC2016 # expanded by that sh
      set -- "$@" --- n2n sh -c 'cd "$1" && shift && exec "$@"' sh "$work/n2n-run" "${n2n_cmd[@]}"
    fi
    cpu "$@"
    l2n=${cells[l2n]} jqc=${cells[jq]}
    prev=""
    if [ -n "$prev_rev" ]; then
      prev=" ${cells[prev]} | $(ratio "${cpu[l2n]}" "${cpu[prev]}") |"
    fi
    n2n="not installed" n2n_ms=""
    if [ -n "$node2nix" ]; then
      n2n=${cells[n2n]} n2n_ms=${cpu[n2n]}
      if [ -n "$n2n_ms" ] && ! grep -q 'sources = {$' "$work/n2n-run/np.nix" 2>/dev/null; then
        n2n="$n2n (no packages read)" n2n_ms=""
      fi
    fi
    # The data file's sources, through the builders' fetchers.
    s="((import $repo { pkgs.callPackage = fn: fn; }).npm ({ file = $work/out.nix; } // $stub)).sources"
    evals "let s = $s; in $forced" "
      let
        lock = builtins.fromJSON (builtins.readFile $lock);
        fetchurl = a: { inherit (a) url hash; };
        # v2 and v3: the flat packages map; v1: the dependencies tree, walked.
        walk = deps: builtins.concatLists (map (e: [ e ] ++ walk (e.dependencies or { })) (builtins.attrValues deps));
        entries = if lock ? packages then builtins.attrValues lock.packages else walk (lock.dependencies or { });
        tarballs = builtins.filter (e: e ? resolved && e ? integrity) entries;
        s = builtins.listToAttrs (map (e: { name = e.resolved; value = fetchurl { url = e.resolved; hash = e.integrity; }; }) tarballs);
      in $forced"
    echo "| $name | $ver | $entries | $l2n |$prev $jqc | $(ratio "${cpu[l2n]}" "${cpu[jq]}") | $n2n | $(ratio "${cpu[l2n]}" "$n2n_ms") | $ev | $base | $ins |"
  done
  echo
fi

if [ ${#dune_dirs[@]} -gt 0 ]; then
  echo "| lock directory | packages | lock2nix dune | cat (read floor) | ÷ cat | eval lock2nix output | eval readFile + match baseline | eval instructions, output / baseline |"
  echo "|---|---|---|---|---|---|---|---|"
  for dir in "${dune_dirs[@]}"; do
    name=$(basename "$dir")
    pkgs=$(find "$dir/dune.lock" -name '*.pkg' | wc -l)
    # Git sources the lock leaves unpinned are pinned to a placeholder
    # commit: nothing is fetched here.
    pins=()
    for f in "$dir"/dune.lock/*.pkg; do
      if grep -q -E 'url "?git' "$f" && ! grep -q -E 'url "?git[^ ]*#[0-9a-f]{40}' "$f"; then
        p=$(basename "$f" .pkg)
        pins+=(--pin "${p%%.*}=0000000000000000000000000000000000000000")
      fi
    done
    l2n_cmd=("$work/lock2nix" dune "$dir" -o "$work/out.nix" "${pins[@]}")
    # shellcheck disable=SC2016 # expanded by that sh
    cat_cmd=(sh -c 'cat "$1"/dune.lock/*' sh "$dir")
    cpu l2n "${l2n_cmd[@]}" --- cat "${cat_cmd[@]}"
    l2n=${cells[l2n]} catc=${cells[cat]}
    # The data file's sources, through the builders' fetchers.
    s="((import $repo { pkgs.callPackage = fn: fn; }).dune ({ file = $work/out.nix; } // $stub)).sources"
    # The baseline: the approach of tools that read the lock at evaluation
    # time; every .pkg file read, its fetch's URL and checksum matched out.
    evals "let s = $s; in $forced" "
      let
        dir = $dir/dune.lock;
        files = builtins.filter (f: builtins.match \".*[.]pkg\" f != null) (builtins.attrNames (builtins.readDir dir));
        fetchurl = a: { inherit (a) url hash; };
        source = f:
          let m = builtins.match \".*[(]fetch[[:space:]]+[(]url ([^)]+)[)][[:space:]]+[(]checksum ([^)]+)[)].*\" (builtins.readFile (dir + \"/\${f}\"));
          in if m == null then [ ] else [ { name = f; value = fetchurl { url = builtins.elemAt m 0; hash = builtins.elemAt m 1; }; } ];
        s = builtins.listToAttrs (builtins.concatMap source files);
      in $forced"
    echo "| $name | $pkgs | $l2n | $catc | $(ratio "${cpu[l2n]}" "${cpu[cat]}") | $ev | $base | $ins |"
  done
  echo
fi
if [ ${#npm_dirs[@]} -gt 0 ] || [ ${#dune_dirs[@]} -gt 0 ]; then
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg), GOMAXPROCS ${GOMAXPROCS:-unset}, $runs runs each (translations: minimum and median CPU time, median wall time, peak RSS; evaluations: median wall time, peak RSS)."
fi
if [ ${#build_dirs[@]} -gt 0 ]; then
  [ ${#npm_dirs[@]} -eq 0 ] && [ ${#dune_dirs[@]} -eq 0 ] || echo
  "$repo/bench/build.sh" -n "$runs" "${build_dirs[@]}"
fi
