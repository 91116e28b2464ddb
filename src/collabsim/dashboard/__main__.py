"""``python -m collabsim.dashboard [--host HOST] [--port PORT] [--open]``."""

from __future__ import annotations

import argparse

from collabsim.dashboard import DEFAULT_HOST, DEFAULT_PORT, serve


def main(argv: list[str] | None = None) -> None:
    """Parse the options and serve the dashboard."""
    parser = argparse.ArgumentParser(prog="python -m collabsim.dashboard",
                                     description="Serve the collabsim workshop dashboard.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default: {DEFAULT_HOST}, this machine "
                        "only; 0.0.0.0 lets other devices in the room connect)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default: {DEFAULT_PORT})")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    args = parser.parse_args(argv)
    serve(args.host, args.port, open_browser=args.open)


if __name__ == "__main__":
    main()
