# Shell functions shared by bin/jobserver and bench/run (bash; sourced, not run).
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
