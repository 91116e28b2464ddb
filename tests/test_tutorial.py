"""docs/tutorial.ipynb runs from top to bottom, quickly, and is committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

import collabsim

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"
#: Processor seconds the notebook's kernel may use, its start included. Processor time,
#: not the clock's: on a machine shared with other work the clock says more about them.
BUDGET = 60
#: Seconds a cell may take before the run is abandoned.
CELL_TIMEOUT = 900


def test_the_tutorial_is_committed_without_outputs():
    notebook = nbformat.read(TUTORIAL, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_the_tutorial_runs_in_under_a_minute(tmp_path):
    collabsim.run(collabsim.scenario("beston"), seed=0, steps=1)  # compiled kernels cached
    notebook = nbformat.read(TUTORIAL, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with client.setup_kernel():
        kernel = psutil.Process(client.km.provisioner.process.pid)
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)  # raises CellExecutionError if a cell fails
        used = kernel.cpu_times()
    seconds = used.user + used.system
    assert seconds < BUDGET, f"the tutorial used {seconds:.0f} s of processor time"
    outputs = "".join(
        str(out) for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs
    )
    assert "mu_star" in outputs and "CollaborationModel(scenario='beston', week 26" in outputs
    assert (tmp_path / "results" / "tutorial_sweep" / "runs.parquet").exists()
