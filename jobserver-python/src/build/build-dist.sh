#!/usr/bin/env bash
# Builds a Python distribution (wheel, egg) with the pinned setuptools of runtime/tools:
#
#   build-dist.sh <tools dir> <source dir> <work dir> <dist dir> <maven version> <bdist command>...
#
# <source dir> holds setup.py. Everything the build writes goes under <work dir> (egg-info, build/) and
# <dist dir> (the distributions and nothing else; both are emptied first), never into the sources.
# setup.py finds the Maven version in PEP 440 form in JOBSERVER_VERSION (0.1.0-SNAPSHOT: 0.1.0.dev0).
# Nothing is downloaded.
set -euo pipefail

fail() {
  echo "[python-dist] ERROR: $*" >&2
  exit 1
}

[ $# -ge 6 ] || fail "usage: build-dist.sh <tools dir> <source dir> <work dir> <dist dir> <maven version> <bdist command>..."
tools=$(cd "$1" && pwd) || fail "no tools directory $1 (the build installs it in generate-resources)"
source_dir=$2
work=$3
dist=$4
maven_version=$5
shift 5

case "$maven_version" in
  *-SNAPSHOT) version="${maven_version%-SNAPSHOT}.dev0" ;;
  *) version=$maven_version ;;
esac

rm -rf "$work" "$dist"
mkdir -p "$work" "$dist"
work=$(cd "$work" && pwd)
dist=$(cd "$dist" && pwd)
commands=()
for command in "$@"; do
  commands+=("$command" --dist-dir "$dist")
done

# Eggs are built through setuptools' deprecated install command: said once here, not in every build.
# Byte code is compiled into the build directory only (the sources are not imported); with
# PYTHONDONTWRITEBYTECODE set, setuptools warns once per command instead.
(cd "$source_dir" &&
  env -u PYTHONDONTWRITEBYTECODE PYTHONPATH="$tools" JOBSERVER_VERSION="$version" \
    PYTHONWARNINGS="ignore:setup.py install is deprecated" \
    python3 setup.py --quiet egg_info --egg-base "$work" build --build-base "$work/build" "${commands[@]}") ||
  fail "setup.py in $source_dir failed"

built=("$dist"/*)
[ -f "${built[0]}" ] || fail "setup.py in $source_dir built nothing"
echo "[python-dist] ${built[*]}"
