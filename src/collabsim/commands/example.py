"""``collabsim example``: the shipped example experiments, listed or written out.

Without a name it lists the examples with a line on each; with one it writes a copy
(``--out`` a file or an existing folder; the working folder by default), never over an
existing file. Each file's opening lines say how to run it.
"""

from __future__ import annotations

import argparse

from collabsim import experiments
from collabsim.commands import UsageError, writing_to


def example(args: argparse.Namespace) -> int:
    """Run ``collabsim example [NAME] [--out PATH]``; return the exit status."""
    if args.name is None:
        if args.out is not None:
            raise UsageError(
                "--out needs the NAME of the example to write (see 'collabsim example')"
            )
        available = experiments.names()
        width = max(len(name) for name in available)
        for name in available:
            print(f"{name:<{width}}  {experiments.headline(name)}")
        return 0
    try:
        with writing_to(args.out if args.out is not None else args.name, what="the example"):
            written = experiments.write(args.name, args.out)
    except experiments.UnknownExample as error:
        raise UsageError(str(error)) from None
    print(f"wrote {written}")
    return 0
