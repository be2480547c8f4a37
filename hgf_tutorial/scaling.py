"""Code behind the "Scaling up" page: benchmark tables, sharding.

The sharded functions illustrate how participants could be split between
devices; :func:`hgf_tutorial.sample` does not use them (see the page's section
"Several devices").

The benchmarks themselves live in ``benchmarks/`` (outside the package); their
tables are committed under ``benchmarks/results/`` and read here, so the page
shows measurements without re-running them.
"""

from __future__ import annotations

import json
import urllib.request
from importlib import metadata
from pathlib import Path

import jax
import jax.numpy as jnp
import pandas as pd
from jax.experimental.shard_map import shard_map
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from hgf_tutorial.likelihood import group_logp, pointwise_logp

#: Where the benchmark tables are, relative to a checkout of the repository.
RESULTS_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "results"

#: Name of the participant axis of a device mesh.
PARTICIPANT_AXIS = "participant"


def _installed_from() -> tuple[str, str] | None:
    """(repository URL, commit) recorded by pip for a ``git+`` install, if any."""
    try:
        text = metadata.distribution("hgf-tutorial").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    info = json.loads(text)
    commit = info.get("vcs_info", {}).get("commit_id")
    if not commit:
        return None
    return info["url"].removesuffix(".git"), commit


def results_file(name: str) -> Path | str:
    """Path (or URL) of one committed benchmark result, e.g. ``"samplers.csv"``.

    In a checkout of the repository the file is read from
    ``benchmarks/results/``. Where only the package is installed (Colab), it is
    read from the repository at the commit pip installed.
    """
    local = RESULTS_DIR / name
    if local.exists():
        return local
    origin = _installed_from()
    if origin is None or not origin[0].startswith("https://github.com/"):
        raise FileNotFoundError(
            f"{local} does not exist. Clone the repository (the benchmark tables are "
            "committed under benchmarks/results/) or run `make bench`."
        )
    url, commit = origin
    repo = url.removeprefix("https://github.com/")
    return f"https://raw.githubusercontent.com/{repo}/{commit}/benchmarks/results/{name}"


def read_results(name: str):
    """A committed benchmark result: a DataFrame for ``.csv``, a dict for ``.json``."""
    where = results_file(name)
    if name.endswith(".csv"):
        return pd.read_csv(where)
    if isinstance(where, Path):
        return json.loads(where.read_text())
    with urllib.request.urlopen(where, timeout=30) as response:  # noqa: S310 (https only)
        return json.loads(response.read())


def participant_mesh(devices=None) -> Mesh:
    """A one-dimensional device mesh whose axis is the participants.

    Parameters
    ----------
    devices : sequence of jax.Device, optional
        Defaults to every device JAX sees (``jax.devices()``).
    """
    devices = jax.devices() if devices is None else list(devices)
    return Mesh(devices, axis_names=(PARTICIPANT_AXIS,))


def shard_participants(mesh: Mesh, *arrays):
    """Place arrays on ``mesh``, split along their first (participant) axis.

    The number of participants must be a multiple of the number of devices.
    """
    sharding = NamedSharding(mesh, PartitionSpec(PARTICIPANT_AXIS))
    return tuple(jax.device_put(jnp.asarray(a, dtype=float), sharding) for a in arrays)


def sharded_pointwise_logp(mesh: Mesh, inputs):
    """:func:`~hgf_tutorial.pointwise_logp`, each device taking its own participants.

    Parameters
    ----------
    mesh : jax.sharding.Mesh
        From :func:`participant_mesh`.
    inputs : array, shape (n_trials,)
        The input sequence every participant saw (copied to every device).

    Returns
    -------
    callable
        ``f(tonic_volatility, inverse_temperature, responses)`` -> array of shape
        (n_participants, n_trials - 1), split over the devices like its
        arguments (as returned by :func:`shard_participants`). Jitted.
    """
    inputs = jnp.asarray(inputs, dtype=float)
    split = PartitionSpec(PARTICIPANT_AXIS)

    def local(volatility, temperature, responses):
        return pointwise_logp(volatility, temperature, responses, inputs)

    # check_rep=False: pyhgf's scan starts from attributes that are the same on
    # every device and makes them per-participant, which shard_map's check of
    # replicated values rejects although the result is right.
    return jax.jit(
        shard_map(local, mesh=mesh, in_specs=(split,) * 3, out_specs=split, check_rep=False)
    )


def sharded_value_and_grad(mesh: Mesh, inputs):
    """Summed log-density per device and its gradient, split over the devices.

    Every device evaluates :func:`~hgf_tutorial.group_logp` and its gradient
    for the participants it holds. The devices' values are returned side by
    side, not added on the devices: XLA's legacy CPU runtime, which pyhgf
    selects for speed, cannot run the cross-device sum (``psum``), so the sum
    is left to the host (``np.asarray(values).sum()``). On GPUs a
    ``jax.lax.psum`` inside ``local`` would do it on the devices.

    Parameters
    ----------
    mesh : jax.sharding.Mesh
        From :func:`participant_mesh`.
    inputs : array, shape (n_trials,)
        The input sequence every participant saw (copied to every device).

    Returns
    -------
    callable
        ``f(tonic_volatility, inverse_temperature, responses) -> (values,
        (grad_volatility, grad_temperature))``, jitted: ``values`` has one
        partial sum per device; the gradients are split like the parameters.
    """
    inputs = jnp.asarray(inputs, dtype=float)
    split = PartitionSpec(PARTICIPANT_AXIS)

    def local(volatility, temperature, responses):
        def total(v, t):
            return group_logp(v, t, responses, inputs)

        value_and_grad = jax.value_and_grad(total, argnums=(0, 1))
        value, grads = value_and_grad(volatility, temperature)
        return value[None], grads

    # check_rep=False: see sharded_pointwise_logp
    mapped = shard_map(
        local,
        mesh=mesh,
        in_specs=(split,) * 3,
        out_specs=(split, (split, split)),
        check_rep=False,
    )
    return jax.jit(mapped)
