#!/usr/bin/env bash
# Installs the Debian packages that the test suite uses as independent references:
# pydicom (+ its bundled real DICOM test files) and numpy, DCMTK, GDCM and OpenJPEG tools.
# Idempotent and quick when everything is present. Needs root (or sudo) only when
# something is missing. Set FEDCL_BENCH_DEPS=1 to add PyTorch (benchmarks and the
# PyTorch reference checks).
set -euo pipefail
pkgs=(python3-pydicom python3-numpy python3-pil dcmtk libgdcm-tools libopenjp2-tools libjpeg-turbo-progs dataset-fashion-mnist)
[ "${FEDCL_BENCH_DEPS:-0}" = 1 ] && pkgs+=(python3-torch)
pkgs+=(python3-torch) # packages/ssl unit tests check optimizers, safetensors export and the linear probe against PyTorch
[ "${FEDCL_BROWSER_DEPS:-1}" = 1 ] && pkgs+=(chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "test-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
