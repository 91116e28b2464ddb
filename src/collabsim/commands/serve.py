"""``collabsim dashboard`` and ``collabsim workshop``: the servers, until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib

from collabsim.commands import (
    UsageError,
    check_seed,
    check_writable,
)
from collabsim.scenarios import available


def dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C, on the socket bound (and checked) first."""
    from collabsim.dashboard import CannotListen, listen, serve
    from collabsim.dashboard.contract import INSTALL
    from collabsim.dashboard.offline import OfflineAssetsMissing

    try:  # bound now, so a port in use is said plainly before Solara starts
        sock = listen(args.host, args.port)
    except CannotListen as error:
        raise UsageError(str(error)) from None
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a session ends
            serve(open_browser=args.open, sock=sock)
    except OfflineAssetsMissing as error:  # the extra's browser assets are not installed
        raise UsageError(str(error)) from None
    except ImportError as error:
        if (error.name or "").partition(".")[0] == "collabsim":
            raise  # our own module failing to import is a bug, not a missing extra
        raise UsageError(
            f"the dashboard needs the dashboard extra, which is not installed "
            f"({error}); install it with: {INSTALL}"
        ) from None
    return 0


def workshop(args: argparse.Namespace) -> int:
    """Serve a workshop room until Ctrl-C, on the socket bound (and checked) first."""
    from collabsim.dashboard import CannotListen, listen
    from collabsim.workshop import INSTALL as WORKSHOP_INSTALL
    from collabsim.workshop.room import NEVER_MEETS, scenarios

    playable = scenarios()
    if args.scenario not in playable:
        why = f"{NEVER_MEETS}; " if args.scenario in available() else ""
        raise UsageError(
            f"--scenario {args.scenario!r} is not allowed: {why}expected one of "
            f"{', '.join(playable)}"
        )
    check_seed(args.seed)
    try:
        from collabsim.workshop.server import serve
    except ImportError as error:
        if (error.name or "").partition(".")[0] == "collabsim":
            raise
        raise UsageError(
            f"the workshop needs the workshop extra, which is not installed "
            f"({error}); install it with: {WORKSHOP_INSTALL}"
        ) from None
    try:
        posts = None if args.posts is None else [int(p) for p in args.posts.split(",")]
    except ValueError:
        raise UsageError(
            f"--posts {args.posts!r} is not allowed: expected post numbers separated by commas"
        ) from None
    check_writable(args.out)  # sessions are saved there: found out now, not at the end
    try:
        sock = listen(args.host, args.port)
    except CannotListen as error:
        raise UsageError(str(error)) from None
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a session ends
        try:
            serve(
                sock,
                scenario=args.scenario,
                seed=args.seed,
                out=args.out,
                posts=posts,
                announce=lambda line: print(line, flush=True),
            )
        except ValueError as error:  # posts that cannot be dealt, found before serving
            raise UsageError(f"--{error}") from None
    return 0


# --- collabsim scenarios ---------------------------------------------------------------
