"""``python -m collabsim.dashboard [--host HOST] [--port PORT] [--open] [--app PAGE]``.

``--port 0`` serves on any free port; the address is printed once it is served.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from collabsim.dashboard import APP, DEFAULT_HOST, DEFAULT_PORT, CannotListen, listen, serve


def main(argv: list[str] | None = None) -> None:
    """Parse the options and serve the dashboard; a port that cannot be used is one line."""
    parser = argparse.ArgumentParser(
        prog="python -m collabsim.dashboard", description="Serve the collabsim workshop dashboard."
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine "
        "only; 0.0.0.0 lets other devices in the room connect)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default: {DEFAULT_PORT}; 0: any free port)",
    )
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    parser.add_argument(
        "--app",
        default=APP,
        help="serve this Solara page instead, offline too: a module or a .py "
        "file, e.g. docs/solaraviz_app.py (Mesa's SolaraViz)",
    )
    args = parser.parse_args(argv)
    app = args.app
    if app.endswith(".py"):  # a page file: found from here, whatever the server's folder
        if not Path(app).is_file():
            parser.exit(2, f"{parser.prog}: error: --app {app}: no such file\n")
        app = str(Path(app).resolve())
    try:
        sock = listen(args.host, args.port)
    except CannotListen as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    serve(open_browser=args.open, sock=sock, app=app)


if __name__ == "__main__":
    main()
