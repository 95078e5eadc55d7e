# Sourced by scripts/demo and scripts/test: makes the project-local virtual environment and keeps it
# in step with pyproject.toml and the native sources. Re-running is cheap when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VIDLITE_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
EXTRAS="${VIDLITE_EXTRAS:-export,openvino,litert,dev}"

# Drops pip's warnings about local mirror folders this machine kind lists but lacks.
quiet_pip() { grep -v "is ignored: it is neither" || true; }
log() { printf '\033[1m[vidlite]\033[0m %s\n' "$*" >&2; }

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtual environment $VENV"
  "$PY" -m venv "$VENV"
fi
# Install stamp: what the environment was built from. Any change re-runs the (incremental) install.
stamp_now=$(cd "$ROOT" && { echo "$EXTRAS"; cat pyproject.toml CMakeLists.txt; find native -type f \( -name '*.cc' -o -name '*.h' -o -name 'CMakeLists.txt' \) -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.vidlite-stamp" 2>/dev/null)" != "$stamp_now" ]; then
  log "installing vidlite[$EXTRAS] into $VENV (first time: a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip 2> >(quiet_pip >&2)
  # Build requirements in the venv itself, so editable rebuilds reuse one CMake build tree.
  "$VENV/bin/python" -m pip install -q "scikit-build-core>=0.10" "pybind11>=3.0" 2> >(quiet_pip >&2)
  "$VENV/bin/python" -m pip install -q --no-build-isolation -e "$ROOT[$EXTRAS]" 2> >(quiet_pip >&2)
  echo "$stamp_now" > "$VENV/.vidlite-stamp"
fi
export PATH="$VENV/bin:$PATH"
