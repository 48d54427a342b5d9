# shellcheck shell=bash
# Shared by scripts/test and scripts/demo: find Python >= 3.12, make the project's virtualenv,
# and start/stop the local services (testbed, moto, chart repository) the tests and demo use.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
VENV=${VENV:-$ROOT/.venv}
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}

log() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*" >&2; }

# The first Python >= 3.12 (ansible-core 2.20+ needs it): $PYTHON, then python3.13/3.12 on PATH,
# then pyenv's installed versions (a pyenv shim only runs the active version, so use full paths).
find_python() {
  local candidates=() c
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3.14 python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    for c in "$(pyenv root)"/versions/3.1[2-9]*/bin/python3; do candidates+=("$c"); done
  fi
  for c in /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || c=$(command -v "$c" 2>/dev/null) || continue
    [ -n "$c" ] || continue
    if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  echo "no Python >= 3.12 found (ansible-core 2.20+ needs it): install one or set PYTHON=/path/to/python3.12" >&2
  return 1
}

# The virtualenv's pip, quiet: it warns once per package about this machine's unused local index folders, and
# those lines are dropped to keep CI's log readable.
_pip() {
  "$VENV/bin/python" -m pip -q --disable-pip-version-check "$@" \
    2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$" >&2)
}

# (Re)creates $VENV when requirements change; a second call is a quick check.
ensure_venv() {
  local stamp want py
  want=$(cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" "$ROOT/constraints-dev.txt" | sha256sum | cut -c1-16)
  stamp="$VENV/.requirements-$want"
  if [ -f "$stamp" ] && [ -x "$VENV/bin/python" ]; then return 0; fi
  py=$(find_python)
  log "creating virtualenv $VENV with $py ($("$py" -V 2>&1))"
  if [ -e "$VENV" ] && [ ! -f "$VENV/pyvenv.cfg" ]; then
    echo "$VENV exists and is not a virtualenv; move it away or set VENV" >&2; return 1
  fi
  "$py" -m venv --clear "$VENV"
  # uv installs the same pinned set in about a tenth of pip's time (about 10 s against 70 s cold on 2 cores,
  # most of it ansible's 40,000 files); pip when uv cannot be had.
  if _pip install 'uv>=0.9'; then
    (cd "$ROOT" && "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" -r requirements-dev.txt)
  else
    log "uv unavailable: installing with pip"
    _pip install -U pip && (cd "$ROOT" && _pip install -r requirements-dev.txt)
  fi
  touch "$stamp"
  log "virtualenv ready"
}

# Bytecode of the virtualenv's packages, written as they are first imported, in .cache/pycache. uv installs no
# .pyc files (pip compiles at install; uv's --compile-bytecode took 34 s for all 26,000 files here), and where
# PYTHONDONTWRITEBYTECODE is set, as on these machines, every process compiled what it imports again: `import boto3`
# 0.66 s against 0.17 s, and ansible-playbook's start 0.8 s against 0.5 s, in every module call and every run.
use_bytecode_cache() {
  unset PYTHONDONTWRITEBYTECODE
  export PYTHONPYCACHEPREFIX="$ROOT/.cache/pycache"
}

# A directory that makes the checkout importable as ansible_collections.selfmanaged.wandb.
ensure_collection_path() {
  COLLECTIONS_DIR="$ROOT/.cache/collections"
  mkdir -p "$COLLECTIONS_DIR/ansible_collections/selfmanaged"
  ln -sfn "$ROOT" "$COLLECTIONS_DIR/ansible_collections/selfmanaged/wandb"
  export COLLECTIONS_DIR
}

# Programs the checks need from Debian's packages (ansible-test's shellcheck sanity test skips
# itself without shellcheck, which would pass silently).
ensure_system_tools() {
  command -v shellcheck >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing shellcheck with apt-get"
    { apt-get install -y -qq shellcheck || { apt-get update -qq && apt-get install -y -qq shellcheck; }; } >/dev/null 2>&1
  fi
  command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is required (apt-get install shellcheck)" >&2; return 1; }
}

ensure_testbed_tools() {
  [ -x "$SHARED/testbed/up" ] || { echo "missing $SHARED/testbed (the shared testbed must sit beside the checkout)" >&2; return 1; }
}
