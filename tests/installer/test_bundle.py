"""The Linux bundle: ``installer/build-linux.sh`` builds it, and the bundled app takes the demo
screenshot offscreen. Prints (and records in the JUnit report) the bundle's size, file count,
build time and start times: the test output is where the team reads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workstation import __version__

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 900
RUN_TIMEOUT_S = 120

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle"),
]


def _size(folder: Path) -> tuple[int, int]:
    files = [path for path in folder.rglob("*") if path.is_file() and not path.is_symlink()]
    return sum(path.stat().st_size for path in files), len(files)


def _run(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, (
        f"{' '.join(command)} ended with {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return elapsed, done.stdout + done.stderr


def _check_screenshot(path: Path) -> str:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a readable PNG"
    assert (image.width(), image.height()) == (1366, 768)
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
    }
    assert len(colours) > 50, f"the screenshot is blank: {len(colours)} distinct colours"
    return f"{image.width()}x{image.height()}, {len(colours)} distinct colours"


def test_the_linux_bundle_builds_and_takes_the_demo_screenshot(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dist, work = tmp_path / "dist", tmp_path / "work"
    env = {key: value for key, value in os.environ.items() if key != "WORKSTATION_DB"}
    build_s, build_log = _run(
        [str(ROOT / "installer" / "build-linux.sh"), str(dist), str(work)], env, BUILD_TIMEOUT_S
    )
    bundle = dist / "workstation"
    executable = bundle / "workstation"
    assert executable.is_file() and os.access(executable, os.X_OK), build_log
    for name in ("workstation.toml.example", "registry-workstation.desktop"):
        assert (bundle / name).is_file(), name
    size, files = _size(bundle)

    env.update(WORKSTATION_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen")
    version_s, version = _run([str(executable), "--version"], env, RUN_TIMEOUT_S)
    assert version.strip() == f"workstation {__version__}"
    first = tmp_path / "first.png"
    # The first start creates and fills the demo database; the second finds it ready.
    first_s, _ = _run([str(executable), "--demo", "--screenshot", str(first)], env, RUN_TIMEOUT_S)
    first_image = _check_screenshot(first)
    second = tmp_path / "second.png"
    second_s, _ = _run(
        [str(executable), "--demo", "--screenshot", str(second)], env, RUN_TIMEOUT_S
    )
    _check_screenshot(second)
    config_s, config = _run(
        [str(executable), "config", "check", "--file", str(bundle / "workstation.toml.example")],
        env, RUN_TIMEOUT_S,
    )
    assert config.startswith("Настройки в порядке"), config

    figures = {
        "bundle_size_mib": round(size / 1024 / 1024, 1),
        "bundle_files": files,
        "build_s": round(build_s, 1),
        "start_version_s": round(version_s, 2),
        "start_demo_screenshot_first_s": round(first_s, 2),
        "start_demo_screenshot_s": round(second_s, 2),
        "start_config_check_s": round(config_s, 2),
    }
    # Printed, not record_property(): CI writes its JUnit report as xunit2, which has no
    # properties (pytest warns, and warnings are errors here).
    with capsys.disabled():
        print(
            f"\n== Linux bundle: {figures['bundle_size_mib']} MiB, {files} files, built in "
            f"{figures['build_s']} s\n"
            f"   start: --version {figures['start_version_s']} s; --demo --screenshot "
            f"{figures['start_demo_screenshot_s']} s ({figures['start_demo_screenshot_first_s']} s "
            f"on the first run, which creates the demo database); config check "
            f"{figures['start_config_check_s']} s\n"
            f"   screenshot: {first_image}"
        )
