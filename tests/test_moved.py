"""Old module paths still import, give the module at its new path and say so on stderr."""

import importlib
import subprocess
import sys

import pytest

from shiftmsa.moved import MOVED_MODULES


@pytest.mark.parametrize("old, new", sorted(MOVED_MODULES.items()))
def test_every_old_path_names_a_module_that_exists(old, new):
    assert importlib.util.find_spec(new) is not None, new


def test_an_old_path_imports_the_new_module_with_a_warning_on_stderr():
    code = ("from shiftmsa.training.experiment import Experiment\n"
            "import shiftmsa.experiments.experiment as new\n"
            "assert Experiment is new.Experiment\n"
            "from shiftmsa.training.search.space import shipped_spaces\n"
            "assert 'schedule' in shipped_spaces()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "shiftmsa.training.experiment moved to shiftmsa.experiments.experiment" in done.stderr
    assert "FutureWarning" in done.stderr
