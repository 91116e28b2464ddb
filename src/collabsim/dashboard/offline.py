"""Serving the dashboard with no internet connection.

Hospital and workshop rooms are often offline. By default Solara fetches its
JavaScript and fonts from a CDN at run time, and reports telemetry; with no internet
the page never leaves its loading screen. Here:

- every asset comes from the local cache that the ``solara-assets`` package fills
  (``<venv>/share/solara/cdn``);
- the CDN address points at a closed port on this machine, so a missing asset fails
  at once, locally, instead of the server reaching out;
- telemetry is switched off.

``configure_offline`` must run before Solara is imported, since Solara reads these
settings at import time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from collabsim.dashboard.contract import INSTALL

#: Where Solara's server looks for cached CDN assets (``solara.server.settings``).
CACHE = Path(sys.prefix) / "share" / "solara" / "cdn"
#: The CDN packages the page needs to render (any version), as cached by ``solara-assets``.
REQUIRED_ASSETS: tuple[str, ...] = ("@widgetti/solara-vuetify-app", "requirejs", "font-awesome")
#: A port nothing listens on: asset requests that miss the cache fail here, locally.
NOWHERE = "http://127.0.0.1:9/"

_SETTINGS = {
    "SOLARA_ASSETS_CDN": NOWHERE,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_TELEMETRY_SENTRY_ENABLE": "False",
}


class OfflineAssetsMissing(RuntimeError):
    """The local copy of Solara's browser assets is missing or incomplete."""


def missing_assets(cache: Path = CACHE) -> list[str]:
    """Names of the required assets that are not in the local cache."""
    return [name for name in REQUIRED_ASSETS if not any(cache.glob(f"{name}@*"))]


def configure_offline() -> None:
    """Point Solara at local assets only and turn off its telemetry.

    Raises:
        OfflineAssetsMissing: The asset cache lacks what the page needs, with how to
            fill it.
    """
    missing = missing_assets()
    if missing:
        raise OfflineAssetsMissing(
            f"Solara's browser assets are missing from {CACHE} ({', '.join(missing)}); "
            f"the dashboard would not load without internet. Install them with: {INSTALL} "
            "(it brings solara-assets)"
        )
    if "solara" in sys.modules:
        raise RuntimeError("configure_offline() must run before solara is imported")
    os.environ.update(_SETTINGS)
