"""Helpers for the hierarchical HGF tutorial site.

Importing this package imports :mod:`pyhgf`, which adds
``--xla_cpu_use_thunk_runtime=false`` to ``XLA_FLAGS`` (gradients through its
scan are several times slower on XLA's newer CPU runtime), and switches JAX to
64-bit floats so that it matches PyTensor.

XLA reads that flag when JAX first computes something, not when JAX is
imported. So ``import arviz`` (which imports JAX) before ``import
hgf_tutorial`` costs nothing (``benchmarks/import_order.py``), and the warning
pyhgf gives whenever JAX was imported before it is silenced here in that case.
Only a JAX computation before this import makes the flag too late; then this
package says so, once, in its own words.
"""

import sys
import warnings

_PYHGF_TOO_LATE = "pyhgf sets --xla_cpu_use_thunk_runtime=false"


def _jax_has_computed() -> bool | None:
    """Whether JAX has started its backends (read XLA_FLAGS); None if it cannot tell."""
    if "jax" not in sys.modules:
        return False
    try:
        from jax._src.xla_bridge import backends_are_initialized
    except ImportError:
        return None
    return backends_are_initialized()


def _import_pyhgf() -> None:
    """Import pyhgf so that its XLA flag takes effect, and warn only when it cannot."""
    if "pyhgf" in sys.modules:  # imported already: it has set its flag, or warned
        return
    computed = _jax_has_computed()
    with warnings.catch_warnings():
        if computed is not None:  # else leave pyhgf's own warning as it is
            warnings.filterwarnings("ignore", message=_PYHGF_TOO_LATE, category=RuntimeWarning)
        import pyhgf
    if computed and pyhgf.LEGACY_CPU_RUNTIME_FLAG:
        warnings.warn(
            "JAX computed something before `import hgf_tutorial`, so pyhgf's XLA flag "
            "came too late: a value+gradient of the likelihood then took 2.4-5.5x as "
            "long at 10 participants (benchmarks/import_order.py). Restart the kernel "
            "and import hgf_tutorial before running anything in JAX; importing JAX or "
            "ArviZ first is fine.",
            RuntimeWarning,
            stacklevel=3,
        )


_import_pyhgf()

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

from hgf_tutorial.families import FAMILIES, Family, get_family  # noqa: E402
from hgf_tutorial.fit import converged, diagnose  # noqa: E402
from hgf_tutorial.likelihood import (  # noqa: E402
    family_logp,
    group_logp,
    participant_logp,
    pointwise_logp,
)
from hgf_tutorial.loo import add_log_likelihood  # noqa: E402
from hgf_tutorial.model import build_group_model, observe_responses  # noqa: E402
from hgf_tutorial.perception import (  # noqa: E402
    belief_trajectory,
    response_probability,
)
from hgf_tutorial.predictive import (  # noqa: E402
    posterior_predictive,
    replicate_sequences,
    simulate_sticky_group,
)
from hgf_tutorial.recovery import simulate_responses_for, spread_parameters  # noqa: E402
from hgf_tutorial.sampling import is_quick, sample  # noqa: E402
from hgf_tutorial.simulate import load_inputs, load_participant, simulate_group  # noqa: E402

__all__ = [
    "FAMILIES",
    "Family",
    "add_log_likelihood",
    "belief_trajectory",
    "build_group_model",
    "converged",
    "diagnose",
    "family_logp",
    "get_family",
    "group_logp",
    "is_quick",
    "load_inputs",
    "load_participant",
    "observe_responses",
    "participant_logp",
    "pointwise_logp",
    "posterior_predictive",
    "replicate_sequences",
    "response_probability",
    "sample",
    "simulate_group",
    "simulate_responses_for",
    "simulate_sticky_group",
    "spread_parameters",
]
