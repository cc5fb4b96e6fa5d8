#!/usr/bin/env bash
# What Tests/Integration/browser.sh needs: Debian's headless Chromium and its driver, and
# Selenium from PyPI. Idempotent: installs only what is missing.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
fi
if ! python3 -c "import selenium" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check "selenium>=4.20,<5"
fi
chromium --version
chromedriver --version
python3 -c "import selenium; print('selenium', selenium.__version__)"
