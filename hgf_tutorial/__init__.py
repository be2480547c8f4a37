"""Helpers for the hierarchical HGF tutorial site.

Importing this package first imports :mod:`pyhgf` (so that pyhgf can set the XLA
flag that keeps gradients through its scan fast, which it can only do before JAX
is imported) and switches JAX to 64-bit floats so that it matches PyTensor.
"""

import pyhgf  # noqa: F401  (must come before jax: pyhgf sets XLA_FLAGS on import)

import jax

jax.config.update("jax_enable_x64", True)

from hgf_tutorial.families import FAMILIES, Family, get_family  # noqa: E402
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
