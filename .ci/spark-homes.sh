#!/usr/bin/env bash
# Spark distributions for SparkHomeIT (contexts launched through a SPARK_HOME's bin/spark-submit): the
# pyspark package from PyPI ships a full one (pyspark/bin/spark-submit, pyspark/jars/). Each version goes
# into .ci-cache/spark-homes/<version> (pip install --target: never the system site-packages); a version
# already there is left as it is. The distribution is <dir>/<version>/pyspark.
#
# Two Spark 4 versions, neither the one the build bundles (4.2.0), so that a context reporting its
# version can only have run on the distribution: about 455 MB downloaded and 480 MB installed each.
# --no-deps: py4j serves Python only, spark-submit needs none of it.
#
# Sourced by .ci/run; also run alone on a development machine:
#   bash .ci/spark-homes.sh
JOBSERVER_SPARK_HOME_VERSIONS=(4.3.0 4.1.1)

ci_spark_homes() {
  local root version target
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.ci-cache/spark-homes"
  mkdir -p "$root"
  for version in "${JOBSERVER_SPARK_HOME_VERSIONS[@]}"; do
    target="$root/$version"
    if [ -x "$target/pyspark/bin/spark-submit" ]; then
      echo "[spark-homes] Spark $version: already in $target"
      continue
    fi
    echo "[spark-homes] Spark $version: installing pyspark==$version into $target"
    local started=$SECONDS
    # into a temporary directory first, so that an interrupted install is never taken for a complete one
    rm -rf "$target.partial"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
      --target "$target.partial" "pyspark==$version" ||
      { echo "[spark-homes] ERROR: pip install pyspark==$version failed" >&2; return 1; }
    rm -rf "$target"
    mv "$target.partial" "$target"
    echo "[spark-homes] Spark $version: $(du -sh "$target" | cut -f1) in $((SECONDS - started)) s"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ci_spark_homes
fi
