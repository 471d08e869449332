"""`bilan-clas --self-test` checks an installation and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

NO_KEYCHAIN = "keyring.backends.null.Keyring"  # a child process never touches the real keychain


def test_self_test_exits_zero(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("bilan-clas")
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "PYTHON_KEYRING_BACKEND": NO_KEYCHAIN,
    }
    done = subprocess.run(
        [str(command), "--self-test"], capture_output=True, text=True, timeout=120, env=environment, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Auto-test réussi :")
