# shellcheck shell=bash
# Shell functions shared by the bin/ scripts, bench/run and bench/jobs-list/run (bash; sourced, not run).
# Ships in the distribution next to bin/jobserver.

# jobserver_jvm_options <options file> [<user option>...]
#
# Sets the array JOBSERVER_JVM_OPTIONS to the server's JVM options: the file's first, then the user's,
# so that the user's win (the JVM takes the last of a repeated option). The file holds one option per
# line, taken as it is after dropping comments (from '#') and the white space around it: no quote
# removal and no splitting, so an option may contain spaces. The file's collector (-XX:+Use...GC) is
# left out when a user option chooses one, as the JVM refuses two. A missing file gives no defaults.
jobserver_jvm_options() {
  local file=$1 option line user_gc=""
  shift
  for option in "$@"; do
    case "$option" in -XX:+Use*GC) user_gc=yes ;; esac
  done
  JOBSERVER_JVM_OPTIONS=()
  if [ -f "$file" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      line="${line%%#*}"
      line="${line#"${line%%[![:space:]]*}"}"
      line="${line%"${line##*[![:space:]]}"}"
      [ -z "$line" ] && continue
      case "$line" in -XX:+Use*GC) [ -n "$user_gc" ] && continue ;; esac
      JOBSERVER_JVM_OPTIONS+=("$line")
    done < "$file"
  fi
  JOBSERVER_JVM_OPTIONS+=("$@")
}

# jobserver_project_version <pom.xml>
#
# Prints the project's version: the <version> element that is a child of <project> itself, or, when it
# has none, that of its <parent> (which Maven then uses). Indentation, line breaks, comments, attributes
# and the versions of other elements (parent, dependencies, plugins), before or after it, do not
# matter. Fails with a message when there is none or when it is a property (${revision}): reading
# that would take Maven, which costs seconds at every start.
jobserver_project_version() {
  local pom=$1
  awk -v pom="$pom" '
    { doc = doc $0 "\n" }
    function trim(s) { gsub(/^[ \t\r\n]+|[ \t\r\n]+$/, "", s); return s }
    END {
      # comments first: they may hold anything, tags included
      while ((i = index(doc, "<!--")) > 0) {
        rest = substr(doc, i + 4)
        j = index(rest, "-->")
        doc = substr(doc, 1, i - 1) (j > 0 ? substr(rest, j + 3) : "")
      }
      depth = 0
      while (match(doc, /<[^>]*>/)) {
        text = substr(doc, 1, RSTART - 1)
        tag = substr(doc, RSTART + 1, RLENGTH - 2)
        doc = substr(doc, RSTART + RLENGTH)
        if (tag ~ /^[?!]/ || tag ~ /\/$/) continue  # declaration, processing instruction, empty element
        if (tag ~ /^\//) {
          if (depth == 2 && at[1] == "project" && at[2] == "version") { own = trim(text); break }
          if (depth == 3 && at[1] == "project" && at[2] == "parent" && at[3] == "version") inherited = trim(text)
          depth--
          continue
        }
        name = tag
        sub(/[ \t\r\n].*$/, "", name)
        sub(/^.*:/, "", name)  # a namespace prefix
        at[++depth] = name
      }
      version = own != "" ? own : inherited
      if (version == "") { print pom ": no <version> in <project> or its <parent>" > "/dev/stderr"; exit 1 }
      if (version ~ /\$\{/) { print pom ": the version is a property (" version "); give it literally" > "/dev/stderr"; exit 1 }
      print version
    }' "$pom"
}

# The installation's pid file and log directory, for bin/server_start.sh and bin/server_stop.sh:
# JOBSERVER_PID_DIR (default <home>/run) holds jobserver.pid, JOBSERVER_LOG_DIR (default <home>/logs)
# server.log. Sets JOBSERVER_PID_FILE and JOBSERVER_LOG_DIR.
jobserver_daemon_paths() {
  local home=$1
  # shellcheck disable=SC2034 # read by the scripts that source this file
  JOBSERVER_PID_FILE="${JOBSERVER_PID_DIR:-$home/run}/jobserver.pid"
  JOBSERVER_LOG_DIR="${JOBSERVER_LOG_DIR:-$home/logs}"
}

# jobserver_running <pid>
#
# Whether <pid> is alive and is a job server (or the script starting one): a pid file left by a server
# that died may name a process started since, which is not ours to report or to stop. The command line
# is read from /proc, or from ps where there is no /proc.
jobserver_running() {
  local pid=$1 args
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/cmdline" ]; then
    args="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
  else
    args="$(ps -o args= -p "$pid" 2>/dev/null)" || return 1
  fi
  case "$args" in
    *spark.jobserver.server.Main*|*bin/jobserver*|*bin/server_start.sh*) return 0 ;;
    *) return 1 ;;
  esac
}
