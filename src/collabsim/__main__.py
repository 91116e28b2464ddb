"""``python -m collabsim``: the ``collabsim`` command (see ``collabsim.cli``)."""

import sys

from collabsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
