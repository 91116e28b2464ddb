"""The README's Python, run as written and in order, as a reader pastes it into a session.

Each block runs in one namespace after the ones before it (the later blocks use what the
earlier made: ``collabsim`` imported, the sweep's folder written), in a folder of its own.
A line whose comment says what it shows (``expr  # True: ...``, or a value's repr) is
checked against what it shows.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: A line that shows a value: an expression, two spaces, and what it is said to show.
SHOWN = re.compile(r"^(?P<expression>[\w.]+(?: == [\w.(\"\), =]+)?)  # (?P<said>.+)$")


def python_blocks() -> list[str]:
    """The README's fenced Python blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def shown(block: str) -> list[tuple[str, str]]:
    """The (expression, what it is said to show) of the block's lines that show a value."""
    lines = (SHOWN.match(line) for line in block.splitlines())
    return [(line["expression"], line["said"]) for line in lines if line]


def test_the_readme_python_runs_as_written_and_shows_what_it_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks()
    assert len(blocks) >= 6  # a block lost to a broken fence would not run
    namespace: dict = {}
    checked = 0
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md, Python block {number}", "exec"), namespace)
        for expression, said in shown(block):
            value = eval(expression, namespace)
            if said.startswith(("True", "False")):
                assert value is (said.split(":")[0] == "True"), (number, expression)
                checked += 1
            elif said.startswith(type(value).__name__ + "("):
                assert repr(value) == said, (number, expression)
                checked += 1
    assert checked >= 2  # the run that repeats itself and the model's repr
    assert (tmp_path / "results" / "partner_cede" / "runs.parquet").is_file()
