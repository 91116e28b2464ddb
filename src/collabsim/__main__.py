"""``python -m collabsim``: the ``collabsim`` command (see ``collabsim.cli``)."""

from collabsim.cli import run_command

if __name__ == "__main__":
    run_command()
