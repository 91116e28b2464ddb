"""The workshop dashboard: a browser page that lets a room pull the model's levers.

``serve()`` starts it (``collabsim dashboard`` on the command line, or
``python -m collabsim.dashboard``). It needs the ``dashboard`` extra
(``pip install "collabsim[dashboard]"``): Solara and its locally served browser assets.
Modules: ``app`` (the page), ``controls`` (levers, run controls, what-ifs),
``network_view``, ``live_plots``, ``monitors``, ``session`` (one workshop's models per
browser session), ``export`` (CSV and PNG downloads) and ``offline`` (no internet
needed).
"""

from __future__ import annotations

import os

#: The module Solara serves.
APP = "collabsim.dashboard.app"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
          open_browser: bool = False) -> None:
    """Serve the dashboard until interrupted, with every asset served locally.

    Args:
        host: Address to listen on; the default is this machine only. Give
            ``0.0.0.0`` to let participants' devices on the room's network connect.
        port: Port to listen on.
        open_browser: Whether to open the page in the default browser.
    """
    from collabsim.dashboard.offline import configure_offline

    configure_offline()  # before Solara is imported: it reads its settings then
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")  # keep the plots clear
    from solara.__main__ import run

    from collabsim.dashboard.session import Workshop

    Workshop()  # compile the model's kernels now, not on the first visitor's click
    args = [APP, "--host", host, "--port", str(port), "--production", "--no-check-version",
            "--log-level-uvicorn", "warning"]
    from click.exceptions import Abort

    try:
        run.main(args=[*args, "--open" if open_browser else "--no-open"],
                 standalone_mode=False)
    except Abort:  # Ctrl-C: the usual way a workshop's server is stopped
        return
