"""A fit and the data it was fitted to: are the draws whole, and do the data belong?

Every function that combines a fit with a dataset (the pointwise log-likelihood,
replications, per-participant tables, recovery tables) goes through
:func:`matched_data`, which pairs them by participant label, never by position,
and checks the dataset against the responses the fit saw (its ``observed_data``);
and every function that reads posterior draws goes through :func:`whole_draws`,
which refuses an empty or NaN-padded posterior (a fit stopped early) instead of
computing with it.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

#: The dims that index draws.
SAMPLE_DIMS = ("chain", "draw")


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _show(values, limit: int = 5) -> str:
    values = [_plain(v) for v in values]
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _group(idata, group: str) -> xr.Dataset:
    """One group of a fit (DataTree or InferenceData) as a Dataset, or ``ValueError``."""
    try:
        node = idata[group]
    except (KeyError, TypeError):
        node = getattr(idata, group, None)
    if node is None:
        raise ValueError(f"`idata` has no {group!r} group: sample the model first.")
    return node.to_dataset() if isinstance(node, xr.DataTree) else node


def whole_draws(idata, names=None, *, group: str = "posterior") -> xr.Dataset:
    """The fit's draws of ``names``, checked to be whole.

    A sampler stopped early (Ctrl-C) can leave a posterior with no draws, or
    with chains of unequal length padded with NaN. Computing with it gives
    errors far from the cause or, worse, results that look whole. This refuses
    both, naming the variable and where its draws stop.

    Parameters
    ----------
    idata : xarray.DataTree or arviz.InferenceData
    names : sequence of str, optional
        The variables needed; by default every variable of the group.
    group : str
        ``"posterior"`` or ``"prior"``.

    Returns
    -------
    xarray.Dataset
        The group's variables ``names``.

    Raises
    ------
    ValueError
        When the group or a variable is missing, there are no draws, or a
        variable has a NaN or infinite value.
    """
    draws = _group(idata, group)
    names = list(draws.data_vars) if names is None else list(names)
    for name in names:
        if name not in draws:
            raise ValueError(
                f"`idata`'s {group} has no `{name}` variable; it has {list(draws.data_vars)}."
            )
    sizes = {dim: draws.sizes.get(dim, 0) for dim in SAMPLE_DIMS}
    if 0 in sizes.values():
        raise ValueError(
            f"`idata`'s {group} has no draws ({sizes}): the sampler stopped before its "
            "first kept draw. Sample again."
        )
    for name in names:
        values = draws[name]
        bad = ~np.isfinite(values)
        if bool(bad.any()):
            other = [d for d in values.dims if d not in SAMPLE_DIMS]
            per_draw = bad.any(other) if other else bad
            where = []
            for chain in range(per_draw.sizes["chain"]):
                row = per_draw.isel(chain=chain).to_numpy()
                if row.any():
                    where.append(f"chain {chain} from draw {int(np.argmax(row))}")
            raise ValueError(
                f"`idata`'s {group} has NaN or infinite values in `{name}` ({'; '.join(where)}): "
                "the fit is not whole (was the sampler interrupted?). Keep the draws every "
                "chain completed, e.g. `idata.isel(draw=slice(0, n))`, or sample again."
            )
    return draws[names]


def parameter_draws(idata, family="hgf2", *, group: str = "posterior") -> dict:
    """Each participant-level parameter's draws; a fixed parameter's value in every draw.

    What the log-likelihood (:func:`~hgf_tutorial.add_log_likelihood`) and the
    replications (:func:`~hgf_tutorial.replicate_sequences`) evaluate the model
    at: each parameter is read from the fit's ``group``, else from its
    ``constant_data`` group, where a parameter held fixed
    (``build_group_model(..., fixed={...})``, or ``pm.Data(<name>, ...)`` in a
    model of one's own) is stored.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of ``family``'s model (or its prior draws).
    family : {"hgf2", "hgf3", "rw"} or Family
    group : {"posterior", "prior"}
        The group holding the draws.

    Returns
    -------
    dict of str to xarray.DataArray, dims (chain, draw, participant)
        The family's parameters in order, then ``inverse_temperature``; a fixed
        parameter repeats its value over the group's chains and draws.

    Raises
    ------
    ValueError
        When a parameter is in neither group, saying how to give a fixed one,
        or when the draws are not whole (:func:`whole_draws`).
    """
    from hgf_tutorial.families import get_family

    family = get_family(family)
    names = (*family.parameter_names, "inverse_temperature")
    draws = _group(idata, group)
    constant = _group(idata, "constant_data") if "constant_data" in idata else None
    draws = whole_draws(idata, [name for name in names if name in draws], group=group)
    values = {}
    for name in names:
        if name in draws:
            value = draws[name]
        elif constant is not None and name in constant:
            value = constant[name]
            if "participant" not in value.dims and "participant" in draws.dims:
                value = value.expand_dims(participant=draws["participant"].values)
            value = value.expand_dims(chain=draws["chain"].values, draw=draws["draw"].values)
        else:
            raise ValueError(
                f"`idata` has no `{name}` (family {family.name!r}): it is neither in the "
                f"{group!r} group nor in 'constant_data'. A parameter held fixed must be "
                f"stored with the fit: give it with build_group_model(..., "
                f"fixed={{{name!r}: value}}), or as pm.Data({name!r}, values, "
                "dims='participant') in a model of your own."
            )
        values[name] = value.transpose("chain", "draw", "participant")
    return values


def participant_labels(values) -> list:
    """The ``participant`` labels of a dataset or fit group, as plain Python values."""
    return [_plain(v) for v in np.asarray(values["participant"])]


def matched_data(idata, data, *, group: str = "posterior"):
    """``data`` with its participants in the fit's order, checked against the fit.

    A fit and a dataset are paired by participant label: re-reading the same
    table in another row order gives the same participants in another order,
    and each participant's draws must meet that participant's data. Then the
    dataset's scored responses (participant, trial and value; see
    :func:`hgf_tutorial.model.observations`) must be the ones the fit saw, its
    ``observed_data`` group's ``responses``, so that a dataset with one more gap,
    other answers or other participants is refused.

    Parameters
    ----------
    idata : xarray.DataTree or arviz.InferenceData
        A fit of :func:`~hgf_tutorial.build_group_model`, with the ``group`` of
        draws and, as :func:`~hgf_tutorial.sample` returns it, ``observed_data``.
    data : xarray.Dataset or mapping
        The data the model was fitted to; a dataset without ``responses`` (the
        true parameters of a simulation, say) is matched by label only.
    group : str
        The group whose ``participant`` labels set the order.

    Returns
    -------
    xarray.Dataset or mapping
        ``data`` in the fit's participant order (``data`` itself when the order
        is already the fit's, or when neither names its participants).

    Raises
    ------
    ValueError
        Saying what differs: the numbers of participants, the labels (those
        only in the data and those only in the fit), the scored points, or the
        first differing response.
    """
    from hgf_tutorial.model import observations

    draws = _group(idata, group)
    if "participant" not in draws.dims:
        raise ValueError(f"`idata`'s {group} has no 'participant' dimension.")
    n_fit = draws.sizes["participant"]
    labelled = "participant" in draws.coords and "participant" in data
    if labelled:
        fit_labels = participant_labels(draws)
        data_labels = participant_labels(data)
        if fit_labels != data_labels:
            only_data = [v for v in data_labels if v not in set(fit_labels)]
            only_fit = [v for v in fit_labels if v not in set(data_labels)]
            if only_data or only_fit or len(data_labels) != len(fit_labels):
                raise ValueError(
                    f"`data`'s participants are not the fit's ({len(data_labels)} in `data`, "
                    f"{n_fit} in the fit; only in `data`: [{_show(only_data)}], only in the "
                    f"fit: [{_show(only_fit)}]): pass the dataset the model was fitted to."
                )
            if not isinstance(data, xr.Dataset):
                raise ValueError(
                    "`data` has the fit's participants in another order: pass it as an "
                    "xarray Dataset, so that it can be put in the fit's order."
                )
            data = data.sel(participant=np.asarray(draws["participant"]))
    if "responses" not in data:  # e.g. simulated truth alone: labels are all to match
        n_data = data.sizes["participant"] if isinstance(data, xr.Dataset) else None
        if n_data is not None and n_data != n_fit:
            raise ValueError(f"The fit has {n_fit} participants but `data` has {n_data}.")
        return data
    observed = observations(data)
    if observed.shape[0] != n_fit:
        raise ValueError(
            f"The fit has {n_fit} participants but `data` has {observed.shape[0]}: pass "
            "the dataset the model was fitted to."
        )
    _check_observed(idata, observed)
    return data


def _check_observed(idata, observed) -> None:
    """The dataset's scored responses are the fit's observed data, or ``ValueError``."""
    try:
        fit = _group(idata, "observed_data")
    except ValueError:
        return  # a fit without its data (built by hand): nothing to compare with
    if "responses" not in fit:
        return
    fit_values = np.asarray(fit["responses"]).ravel()
    participant, trial = observed.index
    values = observed.responses[participant, trial]
    points = list(zip(_labels_of(observed.participants[participant]), trial.tolist(), strict=True))
    dim = fit["responses"].dims[0]
    fit_coords = fit["responses"].coords
    if "participant" in fit_coords and "trial" in fit_coords:
        fit_points = list(
            zip(
                _labels_of(np.asarray(fit_coords["participant"])),
                np.asarray(fit_coords["trial"]).tolist(),
                strict=True,
            )
        )
        if fit_points != points:
            only_data = sorted(set(points) - set(fit_points), key=repr)
            only_fit = sorted(set(fit_points) - set(points), key=repr)
            raise ValueError(
                f"`data` scores {len(points)} responses, the fit saw {len(fit_points)} "
                f"(along {dim!r}); (participant, trial) scored only in `data`: "
                f"[{_show(only_data)}], only in the fit: [{_show(only_fit)}]. A gap, a "
                "trial or a participant differs: pass the dataset the model was fitted to."
            )
    elif fit_values.size != values.size:
        raise ValueError(
            f"`data` scores {values.size} responses, the fit saw {fit_values.size}: pass "
            "the dataset the model was fitted to."
        )
    differ = np.flatnonzero(fit_values != values)
    if differ.size:
        k = differ[0]
        label, t = points[k]
        raise ValueError(
            f"`data`'s responses differ from the fit's in {differ.size} place(s); the first: "
            f"participant {label!r} trial {t} is {int(values[k])} in `data` and "
            f"{int(fit_values[k])} in the fit. Pass the dataset the model was fitted to."
        )


def _labels_of(values) -> list:
    return [_plain(v) for v in np.asarray(values)]
