"""A fit and the data it was fitted to: are the draws whole, do the data belong, can it be trusted?

Every function that combines a fit with a dataset (the pointwise log-likelihood,
replications, per-participant tables, recovery tables) goes through
:func:`matched_data`, which pairs them by participant label, never by position,
and checks the dataset against the responses the fit saw (its ``observed_data``);
and every function that reads posterior draws goes through :func:`whole_draws`,
which refuses an empty or NaN-padded posterior (a fit stopped early) instead of
computing with it.

Whether a fit can be trusted has one definition, :func:`diagnose`: divergent
transitions at most :data:`MAX_DIVERGENT_FRACTION` of the draws, r-hat at most
:data:`MAX_RHAT` and bulk and tail ESS at least :data:`MIN_ESS`, over every
posterior variable. :func:`converged` says whether all of them hold,
:func:`report` says it in a paragraph with the next thing to try, and
:func:`~hgf_tutorial.sample` stores that paragraph with every fit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from hgf_tutorial._validation import plain

#: The dims that index draws.
SAMPLE_DIMS = ("chain", "draw")

#: The largest rank-normalised split r-hat (Vehtari et al. 2021) of a fit to trust.
MAX_RHAT = 1.01
#: The smallest bulk and tail effective sample size of a fit to trust.
MIN_ESS = 400
#: The largest share of divergent draws of a fit to trust: at most 4 in 4000, a
#: handful that does not move the summaries (the sampling page says why); none
#: at all in fewer than 1000 draws.
MAX_DIVERGENT_FRACTION = 0.001
#: The rows of :func:`diagnose`'s table, in order.
CHECKS = ("divergences", "r_hat", "ess_bulk", "ess_tail")
#: The fewest divergent draws :func:`report` says concentrate somewhere.
MIN_DIVERGENT_TO_LOCATE = 5
#: A group SD's divergent draws sit at its low (high) end when their median is at
#: or below this percentile of all its draws (at or above 100 minus it).
END_PERCENTILE = 25


def _show(values, limit: int = 5) -> str:
    values = [plain(v) for v in values]
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
    n_draws = draws.sizes["draw"]
    for name in names:
        done = completed_draws(draws[[name]], bad=lambda x: ~np.isfinite(x))
        if (done < n_draws).any():
            where = [f"chain {c} from draw {n}" for c, n in enumerate(done) if n < n_draws]
            raise ValueError(
                f"`idata`'s {group} has NaN or infinite values in `{name}` ({'; '.join(where)}): "
                "the fit is not whole (was the sampler interrupted?). Keep the draws every "
                "chain completed, e.g. `idata.isel(draw=slice(0, n))`, or sample again."
            )
    return draws[names]


def completed_draws(draws: xr.Dataset, *, bad=np.isnan) -> np.ndarray:
    """For each chain, how many draws come before the first bad value of any variable.

    ``bad`` marks the values that end a chain's complete draws: NaN by default
    (nutpie's padding of a chain stopped early); ``whole_draws`` also counts
    infinite values. A chain without a bad value has all its draws.

    Parameters
    ----------
    draws : xarray.Dataset
        Variables with ``chain`` and ``draw`` dims.
    bad : callable
        Array -> boolean array of the same shape.

    Returns
    -------
    numpy.ndarray of int, shape (n_chains,)
    """
    n_chains, n_draws = draws.sizes.get("chain", 0), draws.sizes.get("draw", 0)
    missing = np.zeros((n_chains, n_draws), dtype=bool)
    for variable in draws.data_vars.values():
        marked = bad(variable).transpose("chain", "draw", ...)
        other = [dim for dim in marked.dims if dim not in SAMPLE_DIMS]
        missing |= (marked.any(other) if other else marked).to_numpy()
    if n_draws == 0:
        return np.zeros(n_chains, dtype=int)
    return np.where(missing.any(axis=1), missing.argmax(axis=1), n_draws)


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
    return _labels_of(values["participant"])


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
    return [plain(v) for v in np.asarray(values)]


# --- can the fit be trusted? ----------------------------------------------------------


def diagnose(idata, var_names=None) -> pd.DataFrame:
    """The fit's convergence checks, one row each, against the project's limits.

    The one definition of a fit to trust, used by :func:`converged`, by
    :func:`~hgf_tutorial.sample` (which stores :func:`report`'s paragraph with
    the fit), by the self-check :func:`~hgf_tutorial.checks.check_convergence`
    in full mode and by the pages:

    - ``divergences``: divergent transitions (``sample_stats["diverging"]``) at
      most :data:`MAX_DIVERGENT_FRACTION` of the draws (4 in 4000; none in
      fewer than 1000);
    - ``r_hat``: the largest rank-normalised split r-hat (``az.rhat``) at most
      :data:`MAX_RHAT`;
    - ``ess_bulk`` and ``ess_tail``: the smallest effective sample sizes
      (``az.ess``, ``method="bulk"`` and ``"tail"``) at least :data:`MIN_ESS`.

    r-hat and ESS are computed for every value of every posterior variable
    (deterministics included), unless ``var_names`` says otherwise; nothing is
    left out silently. A value whose draws are all equal has no r-hat or ESS
    (ArviZ gives NaN): it is passed over, and the row's ``detail`` counts it.

    The limits are the same in quick mode (``HGF_TUTORIAL_QUICK=1``): 2 chains
    x 150 draws are not expected to meet them, and the table says so plainly;
    the pages assert convergence only in full mode.

    Parameters
    ----------
    idata : xarray.DataTree or arviz.InferenceData
        A fit, with ``posterior`` and ``sample_stats["diverging"]``, as
        :func:`~hgf_tutorial.sample` returns it.
    var_names : sequence of str, optional
        The posterior variables whose r-hat and ESS count; default: all.

    Returns
    -------
    pandas.DataFrame
        Indexed by check (:data:`CHECKS`), with columns ``value`` (the count of
        divergent draws, the largest r-hat, the smallest ESS), ``limit`` (the
        most divergent draws allowed in this many draws, :data:`MAX_RHAT`,
        :data:`MIN_ESS`), ``passed`` (bool), ``variable`` (where r-hat is
        largest or ESS smallest, with the index of that value, e.g.
        ``"volatility[sub-03]"``; empty for divergences) and ``detail`` (for
        divergences the count and share of the draws, else how many values
        were compared). ``attrs`` holds ``chains`` and ``draws`` (per chain) and
        ``divergent_draws``: where divergent draws sit in each group SD
        (each posterior variable named ``sigma_*``, whatever ``var_names``),
        one dict per value, the most off-centre first, with ``variable``,
        ``n_divergent``, ``median_divergent``, ``median_overall`` and
        ``percentile`` (the share of all the SD's draws, in %, at or below
        the divergent draws' median); empty without divergent draws; and
        ``noncentered``, the participant-level parameters sampled through
        standard-normal offsets (``z_<name>``, ``z_temperature``).

    Raises
    ------
    ValueError
        When the fit has no posterior, no draws or NaN draws (see
        :func:`whole_draws`), no ``sample_stats["diverging"]``, or
        ``var_names`` names a variable the posterior lacks.
    """
    import arviz as az

    if var_names is not None:
        if isinstance(var_names, str):
            raise ValueError(
                f"`var_names` must be a list of variable names, got the string {var_names!r}: "
                f"write [{var_names!r}]."
            )
        var_names = list(var_names)
        available = list(_group(idata, "posterior").data_vars)
        missing = [name for name in var_names if name not in available]
        if missing or not var_names:
            raise ValueError(
                f"`var_names` names {missing or 'no variable'}, not variables of the fit's "
                f"posterior; it has {available}."
            )
    posterior = whole_draws(idata)
    draws = posterior if var_names is None else posterior[var_names]
    diverging = _diverging(idata, posterior)
    n_chains, n_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    total = n_chains * n_draws
    n_divergent = int(diverging.sum())
    allowed = _allowed_divergences(total)

    rows = {
        "divergences": {
            "value": n_divergent,
            "limit": allowed,
            "passed": n_divergent <= allowed,
            "variable": "",
            "detail": (
                f"{n_divergent} of {total} draws ({100 * n_divergent / total:.2f} %); "
                f"at most {100 * MAX_DIVERGENT_FRACTION:g} % allowed"
            ),
        }
    }
    for check, values, worst, limit in (
        ("r_hat", az.rhat(draws), "largest", MAX_RHAT),
        ("ess_bulk", az.ess(draws, method="bulk"), "smallest", MIN_ESS),
        ("ess_tail", az.ess(draws, method="tail"), "smallest", MIN_ESS),
    ):
        value, where, n_values, n_constant = _extreme(values, largest=worst == "largest")
        passed = bool(value <= limit) if worst == "largest" else bool(value >= limit)
        detail = f"{worst} of {n_values} values"
        if check == "r_hat" and n_chains < 2:
            detail = "r-hat compares chains: it needs 2 or more"
        elif n_constant:
            detail += f"; {n_constant} constant over the draws, passed over"
        rows[check] = {
            "value": value,
            "limit": limit,
            "passed": passed,
            "variable": where,
            "detail": detail,
        }
    # object columns keep the count of divergent draws an int beside the floats
    table = pd.DataFrame(
        {
            column: pd.Series([rows[check][column] for check in CHECKS], dtype=dtype)
            for column, dtype in (
                ("value", object),
                ("limit", object),
                ("passed", bool),
                ("variable", object),
                ("detail", object),
            )
        }
    )
    table.index = pd.Index(CHECKS, name="check")
    table.attrs = {
        "chains": int(n_chains),
        "draws": int(n_draws),
        "divergent_draws": _divergent_location(posterior, diverging),
        "noncentered": _noncentered(posterior),
    }
    return table


def converged(idata, var_names=None) -> bool:
    """Whether every check of :func:`diagnose` passes: the fit can be trusted."""
    return bool(diagnose(idata, var_names)["passed"].all())


def report(diagnosis) -> str:
    """One paragraph on a :func:`diagnose` table: the numbers, and what to try next.

    It gives the draws, the divergent ones, the largest r-hat and the smallest
    bulk and tail ESS with their variables, where the divergent draws sit in the
    group SDs (when there are at least :data:`MIN_DIVERGENT_TO_LOCATE`), and, for
    a fit that fails a check, the next thing to try: divergent draws at the low
    end of a group SD (a funnel) call for the non-centred form of the
    parameter it spreads (``ht.build_group_model(...,
    parameterization={"inverse_temperature": "noncentered"})``), other
    divergences for a higher ``target_accept``, and a failing r-hat or ESS for
    more tuning and draws.

    Parameters
    ----------
    diagnosis : pandas.DataFrame
        What :func:`diagnose` returned.

    Raises
    ------
    ValueError
        When ``diagnosis`` is not such a table.
    """
    if not isinstance(diagnosis, pd.DataFrame) or not set(CHECKS) <= set(diagnosis.index):
        raise ValueError(
            f"`diagnosis` must be the table ht.diagnose(idata) returns, got "
            f"{type(diagnosis).__name__}."
        )
    from hgf_tutorial.sampling import is_quick

    rows = diagnosis.loc[list(CHECKS)]
    failed = [check for check in CHECKS if not bool(rows.loc[check, "passed"])]
    chains, draws = diagnosis.attrs.get("chains"), diagnosis.attrs.get("draws")
    n_divergent = int(rows.loc["divergences", "value"])
    if chains and draws:
        share = f"{100 * n_divergent / (chains * draws):.2f} % of the draws, "
        shape = f"{chains} chains x {draws} draws"
    else:
        share, shape = "", "The fit"
    sentences = [
        f"{shape}: {n_divergent} divergent transition{'' if n_divergent == 1 else 's'} "
        f"({share}at most {100 * MAX_DIVERGENT_FRACTION:g} % allowed); "
        f"{_rhat_phrase(rows.loc['r_hat'], chains)}; smallest ESS "
        f"{_number(rows.loc['ess_bulk', 'value'], 0)} bulk at "
        f"{rows.loc['ess_bulk', 'variable']} and {_number(rows.loc['ess_tail', 'value'], 0)} "
        f"tail at {rows.loc['ess_tail', 'variable']} (at least {MIN_ESS})."
    ]
    located = diagnosis.attrs.get("divergent_draws") or []
    funnel = None
    if n_divergent >= MIN_DIVERGENT_TO_LOCATE and located:
        spot = located[0]
        end = _end(spot["percentile"])
        if end == "middle":
            sentences.append(
                f"The divergent draws sit near the middle of every group SD (the most "
                f"off-centre, {_location(spot)})."
            )
        else:
            sentences.append(f"The divergent draws sit at the {end} end of {_location(spot)}.")
            if end == "low":
                funnel = spot["variable"]
    elif n_divergent:
        sentences.append(
            f"{n_divergent} divergent draw{'s are' if n_divergent > 1 else ' is'} too few to "
            "say where they concentrate."
        )
    if not failed:
        sentences.append("Every check passes: the draws can be used.")
    else:
        sentences.append(f"Not converged ({', '.join(failed)} failed).")
        if "divergences" in failed:
            sentences.append(_divergence_advice(funnel, diagnosis.attrs.get("noncentered", ())))
        if {"r_hat", "ess_bulk", "ess_tail"} & set(failed):
            sentences.append(
                "For r-hat and ESS: tune and draw longer (e.g. ht.sample(model, tune=1200, "
                "draws=2000)), and look at the trace of the worst variable."
            )
        if is_quick():
            sentences.append(
                "(Quick mode: chains this short are not expected to meet these limits.)"
            )
    return " ".join(sentences)


def _rhat_phrase(row, chains) -> str:
    """'largest r-hat 1.003 at volatility[sub-18] (at most 1.01)', or why there is none."""
    if chains is not None and chains < 2:
        return "no r-hat (it compares chains, and there is 1: sample 2 or more)"
    return f"largest r-hat {_number(row['value'], 3)} at {row['variable']} (at most {MAX_RHAT})"


def _allowed_divergences(total: int) -> int:
    """The most divergent draws of ``total`` that :data:`MAX_DIVERGENT_FRACTION` allows."""
    # the rounding guard keeps 0.001 * 4000 at 4 whatever the float error
    return int(math.floor(MAX_DIVERGENT_FRACTION * total + 1e-9))


def _diverging(idata, posterior: xr.Dataset) -> xr.DataArray:
    """``sample_stats["diverging"]`` as booleans (chain, draw), matching the posterior."""
    try:
        stats = _group(idata, "sample_stats")
    except ValueError:
        stats = {}
    if "diverging" not in stats:
        raise ValueError(
            "`idata` has no sample_stats['diverging']: pass the fit ht.sample returned."
        )
    diverging = stats["diverging"].astype(bool)
    sizes = {dim: posterior.sizes[dim] for dim in SAMPLE_DIMS}
    if set(diverging.dims) != set(SAMPLE_DIMS) or any(
        diverging.sizes[dim] != size for dim, size in sizes.items()
    ):
        raise ValueError(
            f"`idata`'s sample_stats['diverging'] has sizes {dict(diverging.sizes)}, its "
            f"posterior {sizes}: they must be of the same draws."
        )
    return diverging.transpose(*SAMPLE_DIMS)


def _extreme(values: xr.Dataset, *, largest: bool) -> tuple[float, str, int, int]:
    """The largest (smallest) value over all variables, where it is, how many, how many NaN."""
    best, where, n_values, n_constant = math.nan, "", 0, 0
    for variable in values.data_vars.values():
        array = np.asarray(variable.values, dtype=float)
        finite = np.isfinite(array)
        n_values += array.size
        n_constant += int((~finite).sum())
        if not finite.any():
            continue
        flat = np.where(finite, array, -np.inf if largest else np.inf).ravel()
        k = int(np.argmax(flat) if largest else np.argmin(flat))
        if math.isnan(best) or (flat[k] > best if largest else flat[k] < best):
            best, where = float(flat[k]), _label(variable, k)
    return best, where, n_values, n_constant


def _label(variable: xr.DataArray, k: int) -> str:
    """``name[index]`` of the ``k``-th value (C order) of ``variable``, by coordinate."""
    if not variable.dims:
        return str(variable.name)
    index = np.unravel_index(k, variable.shape)
    parts = []
    for dim, i in zip(variable.dims, index, strict=True):
        coord = variable.coords.get(dim)
        parts.append(str(plain(coord.values[i])) if coord is not None else str(int(i)))
    return f"{variable.name}[{', '.join(parts)}]"


def _divergent_location(posterior: xr.Dataset, diverging: xr.DataArray) -> list[dict]:
    """Where the divergent draws sit in each ``sigma_*`` value, the most off-centre first."""
    mask = diverging.to_numpy()
    if not mask.any():
        return []
    found = []
    for name, variable in posterior.data_vars.items():
        if not str(name).startswith("sigma_"):
            continue
        other = [dim for dim in variable.dims if dim not in SAMPLE_DIMS]
        values = variable.transpose(*SAMPLE_DIMS, *other)
        array = np.asarray(values.values, dtype=float).reshape(*mask.shape, -1)
        for j in range(array.shape[-1]):
            every, divergent = array[..., j].ravel(), array[..., j][mask]
            median = float(np.median(divergent))
            label = name if not other else _label(values.isel(chain=0, draw=0), j)
            found.append(
                {
                    "variable": str(label),
                    "n_divergent": int(mask.sum()),
                    "median_divergent": median,
                    "median_overall": float(np.median(every)),
                    "percentile": float(100 * np.mean(every <= median)),
                }
            )
    return sorted(found, key=lambda spot: -abs(spot["percentile"] - 50))


def _noncentered(posterior: xr.Dataset) -> list[str]:
    """The parameters whose offsets ``z_<name>`` the posterior holds (non-centred)."""
    names = [str(name)[2:] for name in posterior.data_vars if str(name).startswith("z_")]
    return ["inverse_temperature" if name == "temperature" else name for name in names]


def _parameter_of(sd_name: str) -> str:
    """The participant-level parameter a group SD ``sigma_<name>`` spreads."""
    base = sd_name.split("[")[0].removeprefix("sigma_")
    return "inverse_temperature" if base == "temperature" else base


def _end(percentile: float) -> str:
    if percentile <= END_PERCENTILE:
        return "low"
    if percentile >= 100 - END_PERCENTILE:
        return "high"
    return "middle"


def _location(spot: dict) -> str:
    return (
        f"{spot['variable']}: median {_number(spot['median_divergent'], 3, significant=True)} "
        f"vs {_number(spot['median_overall'], 3, significant=True)} overall, "
        f"{_percentile(spot['percentile'])}"
    )


def _divergence_advice(sd_name, noncentered) -> str:
    """What to try for too many divergent draws, low in the group SD ``sd_name`` or not."""
    raise_target = "raise target_accept (e.g. ht.sample(model, target_accept=0.95))"
    if sd_name is not None:
        parameter = _parameter_of(sd_name)
        funnel = (
            f"A funnel: where {sd_name} is small the participants' {parameter} values are "
            "squeezed together, and NUTS cannot follow."
        )
        if parameter in noncentered:
            return f"{funnel} {parameter} is non-centred already: {raise_target}."
        return (
            f"{funnel} Next, non-centre {parameter}: ht.build_group_model(data, "
            f"parameterization={{{parameter!r}: 'noncentered'}})."
        )
    return f"For the divergences: {raise_target}, and if they persist, look at where they occur."


def _number(value, digits: int, *, significant: bool = False) -> str:
    value = float(value)
    if math.isnan(value):
        return "nan"
    return f"{value:.{digits}g}" if significant else f"{value:.{digits}f}"


def _percentile(percent: float) -> str:
    """``"4th percentile"``; the ends as "below the 1st" and "above the 99th"."""
    if percent < 0.5:
        return "below the 1st percentile"
    if percent > 99.5:
        return "above the 99th percentile"
    return f"{_ordinal(round(percent))} percentile"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
