#!/usr/bin/env bash
# Builds the Linux bundle of the workstation (PyInstaller onedir) from this checkout:
#
#   installer/build-linux.sh [DIST_DIR [WORK_DIR]]
#
# The bundle is DIST_DIR/workstation/ (default build/installer/dist/workstation/): the executable
# `workstation`, its `_internal/` folder, and next to them workstation.toml.example, the
# .desktop entry and the icon. WORK_DIR (default build/installer/work) keeps PyInstaller's
# intermediate files. Uses .venv (created, with the project and its `installer` extra, when
# missing). Prints the bundle's size and file count; exits non-zero on any failure.
# Needs objdump (Debian: binutils; scripts/setup.sh installs it) and ldd.
set -euo pipefail
cd "$(dirname "$0")/.."

dist=$(realpath -m "${1:-build/installer/dist}")
work=$(realpath -m "${2:-build/installer/work}")

for tool in objdump ldd; do
  command -v "$tool" >/dev/null 2>&1 \
    || { echo "Для сборки нужна программа $tool (Debian: apt-get install binutils)" >&2; exit 1; }
done

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
if ! .venv/bin/python -c 'import PyInstaller, workstation' 2>/dev/null; then
  echo "== устанавливаю проект и PyInstaller в .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[installer]'
fi

echo "== PyInstaller $(.venv/bin/pyinstaller --version): $dist/workstation"
started=$(date +%s)
.venv/bin/pyinstaller --noconfirm --log-level "${PYI_LOG_LEVEL:-ERROR}" \
  --distpath "$dist" --workpath "$work" installer/workstation.spec

bundle="$dist/workstation"
[ -x "$bundle/workstation" ] || { echo "Сборка не создала $bundle/workstation" >&2; exit 1; }
cp installer/workstation.toml.example installer/registry-workstation.desktop \
  installer/icons/registry-workstation.svg "$bundle/"
# A smoke test that needs no display: the bundled Python starts and finds the application.
"$bundle/workstation" --version

echo "== собрано за $(( $(date +%s) - started )) с"
echo "размер: $(du -sh "$bundle" | cut -f1) ($(du -sb "$bundle" | cut -f1) байт)"
echo "файлов: $(find "$bundle" -type f | wc -l)"
