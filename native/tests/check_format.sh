#!/bin/sh
# CTest vidlite_native_format: the native sources follow the repository's .clang-format. Exits 77
# (CTest SKIP_RETURN_CODE: reported as skipped, never as passed) where clang-format is not installed.
# Versions format a few constructs differently: the sources were formatted with Debian's 14.0.6.
root="$1"
if ! command -v clang-format >/dev/null; then
  echo "SKIPPED: clang-format not installed (Debian/Ubuntu: apt-get install clang-format)"
  exit 77
fi
cd "$root" || exit 1
clang-format --version
find native \( -name '*.h' -o -name '*.c' -o -name '*.cc' \) -print | sort | xargs clang-format --dry-run --Werror
