#!/usr/bin/env bash
# Install the Python packages of a hash-locked file into .venv.
#
#   scripts/install-python.sh requirements.lock install     # add what is missing (make run)
#   scripts/install-python.sh requirements-dev.lock sync    # exactly the lock (make test)
#
# Every package is checked against the lock's SHA-256. llama-cpp-python has no binary wheel: its
# hash-checked source is compiled once (about 5 minutes on 2 cores, progress shown) and the wheel is
# kept in $BANKMIND_WHEEL_CACHE (default ~/.cache/bankmind/wheels) under the source's SHA-256 and the
# CPU level it targets, so later installs, fresh clones included, take seconds.
#
# The build is portable, never -march=native: a wheel compiled on a machine with AVX-512 and reused
# from the cache on one without it dies with "Illegal instruction". x86-64 machines with AVX2, FMA
# and F16C (every server CPU since 2013) get the x86-64-v3 build; others the plain x86-64 one.
set -euo pipefail
lock=$1 mode=$2
venv=${VENV:-.venv}
uv="$venv/bin/uv"
cache=${BANKMIND_WHEEL_CACHE:-$HOME/.cache/bankmind/wheels}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split the lock: the source-only package, and everything else.
awk -v out="$work/rest.lock" -v src="$work/source.lock" '
  BEGIN { target = out }
  /^[A-Za-z0-9]/ { target = ($0 ~ /^llama-cpp-python==/) ? src : out }
  { print > target }' "$lock"
spec=$(head -n 1 "$work/source.lock" | sed 's/ \\$//')
sha=$(grep -o 'sha256:[0-9a-f]*' "$work/source.lock" | head -n 1 | cut -d: -f2)
case "$(uname -m)" in
  x86_64)
    if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && grep -qw f16c /proc/cpuinfo; then
      level=x86-64-v3
      cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF"
    else
      level=x86-64
      cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF -DGGML_AVX512=OFF"
    fi ;;
  *) level=$(uname -m)-generic cmake_args="-DGGML_NATIVE=OFF" ;;
esac
dir="$cache/${spec/==/-}-$sha-$level"

if ! ls "$dir"/*.whl >/dev/null 2>&1; then
  echo ">> building $spec for $level from its hash-checked source (once; about 5 minutes on 2 cores)"
  "$venv/bin/python" -m pip download --quiet --no-deps --no-binary :all: --require-hashes \
    -r "$work/source.lock" -d "$work/sdist"
  mkdir -p "$work/wheel"
  CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
    "$venv/bin/python" -m pip wheel --no-deps -v "$work"/sdist/*.tar.gz -w "$work/wheel" 2>&1 \
    | awk '/^[[:space:]]*\[[0-9]+\/[0-9]+\]/ { n = split($NF, p, "/"); print "   ", $1, p[n]; fflush() }
           /Successfully built|ERROR|error:/ { print; fflush() }' || true
  ls "$work"/wheel/*.whl >/dev/null 2>&1 || { echo "!! building $spec failed; see the lines above"; exit 1; }
  mkdir -p "$dir" && cp "$work"/wheel/*.whl "$dir/"
fi
wheel=$(ls "$dir"/*.whl | head -n 1)
echo "${spec%%==*} @ file://$(realpath "$wheel") --hash=sha256:$(sha256sum "$wheel" | cut -d' ' -f1)" > "$work/wheel.lock"

if [ "$mode" = sync ]; then
  "$uv" pip sync --python "$venv/bin/python" --require-hashes "$work/rest.lock" "$work/wheel.lock"
else
  "$uv" pip install --python "$venv/bin/python" --require-hashes -r "$work/rest.lock" -r "$work/wheel.lock"
fi
"$uv" pip install --quiet --python "$venv/bin/python" --no-deps -e .
