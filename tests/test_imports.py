"""Importing the package: no process-wide warning filters, no false alarm about XLA_FLAGS.

Each case runs in a fresh Python process, without the XLA flag that this test
process (which imported pyhgf) put into the environment.
"""

import os
import subprocess
import sys

PYHGF_WARNING = "pyhgf sets --xla_cpu_use_thunk_runtime=false"
OUR_WARNING = "pyhgf's XLA flag came too late"


def _run(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    return result


#: What the package imports from other libraries. Some of them add warning filters
#: of their own when imported (SciPy, NumPy's matrix), so the test imports them
#: first and then looks at what importing the package itself adds.
DEPENDENCIES = (
    "pyhgf, pyhgf.model, jax, jax.numpy, jax.experimental.shard_map, pymc, pytensor.tensor, "
    "arviz, scipy.stats, scipy.special, matplotlib.pyplot, graphviz, numpy, pandas, xarray"
)


def test_import_leaves_the_warning_filters_as_it_found_them():
    out = _run(
        "import warnings\n"
        f"import {DEPENDENCIES}\n"
        "before = list(warnings.filters)\n"
        "import hgf_tutorial\n"
        "from hgf_tutorial import assignment, checks, data, plots, scaling\n"
        "added = [f for f in warnings.filters if f not in before]\n"
        "removed = [f for f in before if f not in warnings.filters]\n"
        "print('ADDED', added, 'REMOVED', removed)\n"
    ).stdout
    assert "ADDED [] REMOVED []" in out, out


def test_arviz_before_the_package_sets_the_flag_without_a_warning():
    result = _run(
        "import os\n"
        "import arviz\n"
        "import hgf_tutorial\n"
        "print('FLAGS', os.environ.get('XLA_FLAGS'))\n"
    )
    assert "FLAGS --xla_cpu_use_thunk_runtime=false" in result.stdout
    assert PYHGF_WARNING not in result.stderr
    assert OUR_WARNING not in result.stderr


def test_a_jax_computation_before_the_package_gets_one_plain_warning():
    result = _run(
        "import jax.numpy as jnp\njnp.zeros(1).block_until_ready()\nimport hgf_tutorial\n"
    )
    assert result.stderr.count(OUR_WARNING) == 1, result.stderr
    assert PYHGF_WARNING not in result.stderr
