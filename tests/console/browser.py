"""Real headless Chromium (Debian's chromium + chromedriver) driven by selenium, downloading nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"


@contextmanager
def chromium(download_dir: Path | None = None, width: int = 1280, height: int = 720) -> Iterator[webdriver.Chrome]:
    with tempfile.TemporaryDirectory(prefix="bilan-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--lang=fr-FR",
        ):
            options.add_argument(flag)
        if download_dir is not None:
            options.add_experimental_option(
                "prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False}
            )
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        try:
            driver.set_page_load_timeout(60)
            yield driver
        finally:
            driver.quit()
