"""The one version string of Bilan Clas: the package's own metadata (pyproject.toml), bundle included."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["APP_VERSION"]

try:
    APP_VERSION = version("bilan-clas")
except PackageNotFoundError:  # a source tree never installed: still runs, says so
    APP_VERSION = "0.0.0+source"
