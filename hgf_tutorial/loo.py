"""The pointwise log-likelihood group that ArviZ's LOO needs."""

from __future__ import annotations

import functools
import math

import jax
import numpy as np
import xarray as xr

from hgf_tutorial.families import HGF2, Family, get_family
from hgf_tutorial.likelihood import family_logp, participant_logp
from hgf_tutorial.model import _check_data

#: Default bound on the JAX working set of one chunk (the output of one chunk).
DEFAULT_CHUNK_BYTES = 64 * 2**20


@jax.jit
def _draws_logp(volatility, temperature, responses, inputs):
    """(draws, participants) parameters -> (draws, participants, trials - 1)."""
    per_participant = jax.vmap(participant_logp, in_axes=(0, 0, 0, 0))
    return jax.vmap(per_participant, in_axes=(0, 0, None, None))(
        volatility, temperature, responses, inputs
    )


@functools.cache
def _family_draws_logp(family: Family):
    """:func:`_draws_logp` for any family: (params dict, t, responses, inputs) -> logp.

    Each entry of the params dict and ``t`` has shape (draws, participants); the
    two-level HGF uses :func:`_draws_logp` itself.
    """
    if family == HGF2:
        return lambda params, t, y, u: _draws_logp(params["volatility"], t, y, u)

    def draws_logp(params, temperature, responses, inputs):
        per_participant = jax.vmap(functools.partial(family_logp, family), in_axes=(0, 0, 0, 0))
        return jax.vmap(per_participant, in_axes=(0, 0, None, None))(
            params, temperature, responses, inputs
        )

    return jax.jit(draws_logp)


def chunk_size(n_participants: int, n_trials: int, max_bytes: int) -> int:
    """How many posterior draws fit in one chunk of at most ``max_bytes`` of output."""
    per_draw = n_participants * (n_trials - 1) * 8
    return max(1, max_bytes // per_draw)


def add_log_likelihood(
    idata,
    data,
    *,
    max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    family: str | Family = "hgf2",
):
    """Add the pointwise ``log_likelihood`` group computed from the posterior draws.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`~hgf_tutorial.sample`, with ``volatility`` and
        ``inverse_temperature`` (chain, draw, participant) in its posterior (or
        the parameters of ``family``).
    data : xarray.Dataset
        The data the model was fitted to (``responses``, ``inputs``).
    max_chunk_bytes : int
        Draws are evaluated in chunks whose output is at most this many bytes,
        so JAX's working memory stays bounded whatever the posterior size.
    family : {"hgf2", "hgf3", "rw"} or Family
        The model family that was fitted (see :mod:`hgf_tutorial.families`).

    Returns
    -------
    xarray.DataTree
        ``idata`` with a ``log_likelihood`` group holding ``responses`` with dims
        ``(chain, draw, participant, trial)``, trial 1 to n_trials - 1 (the first
        trial is not part of the likelihood). Modified in place and returned.
    """
    family = get_family(family)
    responses, inputs = _check_data(data)
    if "posterior" not in idata:
        raise ValueError("`idata` has no posterior group: sample the model first.")
    posterior = idata["posterior"]
    names = (*family.parameter_names, "inverse_temperature")
    for name in names:
        if name not in posterior:
            raise ValueError(f"`idata` posterior has no `{name}` variable.")
    draws = {name: posterior[name].transpose("chain", "draw", "participant") for name in names}
    temperature = draws["inverse_temperature"]
    n_chains, n_draws, n_participants = temperature.shape
    if n_participants != responses.shape[0]:
        raise ValueError(
            f"The posterior has {n_participants} participants but `data` has {responses.shape[0]}."
        )
    if max_chunk_bytes <= 0:
        raise ValueError(f"`max_chunk_bytes` must be positive, got {max_chunk_bytes}.")
    n_trials = responses.shape[1]
    if inputs.ndim == 1:
        inputs = np.broadcast_to(inputs, responses.shape)

    flat = {name: np.asarray(value).reshape(-1, n_participants) for name, value in draws.items()}
    flat_temperature = flat.pop("inverse_temperature")
    n_samples = flat_temperature.shape[0]
    # equal chunks (the last one padded by fewer than n_chunks draws): one compilation
    n_chunks = math.ceil(n_samples / chunk_size(n_participants, n_trials, max_chunk_bytes))
    step = math.ceil(n_samples / n_chunks)
    draws_logp = _family_draws_logp(family)
    out = np.empty((n_samples, n_participants, n_trials - 1))
    responses_f = responses.astype(float)
    for start in range(0, n_samples, step):
        stop = min(start + step, n_samples)
        rows = np.minimum(np.arange(start, start + step), n_samples - 1)
        params = {name: value[rows] for name, value in flat.items()}
        block = draws_logp(params, flat_temperature[rows], responses_f, inputs)
        out[start:stop] = np.asarray(block)[: stop - start]

    log_likelihood = xr.Dataset(
        {
            "responses": (
                ("chain", "draw", "participant", "trial"),
                out.reshape(n_chains, n_draws, n_participants, n_trials - 1),
            )
        },
        coords={
            "chain": temperature["chain"].values,
            "draw": temperature["draw"].values,
            "participant": temperature["participant"].values,
            "trial": np.arange(1, n_trials),
        },
        attrs={"n_chunks": n_chunks, "draws_per_chunk": step},
    )
    idata["log_likelihood"] = log_likelihood
    return idata
