"""The hierarchical PyMC model around the vmapped HGF likelihood.

One construction serves every model family and every dataset: the participants'
beliefs come from one JAX function (:func:`hgf_tutorial.likelihood.group_beliefs`,
differentiated in forward mode) wrapped as a PyTensor operation with ``wrap_jax``,
and each scored response is a Bernoulli variable with log-odds
``t * logit(belief)``, which is exactly the unit-square sigmoid
``m^t / (m^t + (1 - m)^t)``. The observed variable holds the scored responses
only (answered, not a participant's first trial), one per entry of its
``observation`` dimension, so PyMC's own pointwise log-likelihood, prior and
posterior predictive draws and ArviZ's LOO all line up with the data.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pytensor import wrap_jax
from pytensor.compile.sharedvalue import SharedVariable
from pytensor.graph.basic import Constant, Variable

from hgf_tutorial import _validation as check
from hgf_tutorial.families import Family, Parameter, get_family
from hgf_tutorial.likelihood import forward_derivatives, group_beliefs, scored_responses
from hgf_tutorial.perception import response_probability
from hgf_tutorial.predictors import (
    TEMPERATURE_MEAN_PRIOR,
    Design,
    check_predictors,
    design_matrix,
)

PARAMETERIZATIONS = ("centered", "noncentered")


@dataclass(frozen=True)
class Observations:
    """A dataset as the model uses it: every array (participant, trial).

    Attributes
    ----------
    participants : numpy.ndarray, shape (n_participants,)
        The participant labels.
    inputs : numpy.ndarray of float
        The inputs each participant saw, 0 where not shown.
    observed_input : numpy.ndarray of float
        1 where the input was shown, 0 where not (aborted trial, padding).
    responses : numpy.ndarray of int
        The responses, 0 where there was none.
    scored : numpy.ndarray of bool
        The responses the likelihood scores: answered, after an outcome was
        shown (so never the first trial; see
        :func:`hgf_tutorial.likelihood.scored_responses`).
    """

    participants: np.ndarray
    inputs: np.ndarray
    observed_input: np.ndarray
    responses: np.ndarray
    scored: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.responses.shape

    @property
    def index(self) -> tuple[np.ndarray, np.ndarray]:
        """(participant position, trial) of each scored response, participant by participant."""
        return np.nonzero(self.scored)


def observations(data) -> Observations:
    """The arrays of ``data`` the model needs, checked.

    Parameters
    ----------
    data : xarray.Dataset or mapping
        ``responses`` (participant, trial) and ``inputs`` (trial) or (participant,
        trial), as from :func:`~hgf_tutorial.simulate_group` (every trial observed),
        or a dataset from :func:`hgf_tutorial.data.from_dataframe` with the masks
        ``observed_response`` and ``observed_input`` (participant, trial).

    Returns
    -------
    Observations
    """
    try:
        responses = data["responses"]
        inputs = data["inputs"]
    except (KeyError, TypeError):
        raise ValueError(
            "`data` must be a dataset with `responses` (participant, trial) and "
            "`inputs` (trial or participant, trial) variables, as returned by "
            "`simulate_group` or `data.from_dataframe`."
        ) from None
    responses_np = check.as_binary_array(responses, "data['responses']", ndim=(2,))
    inputs_np = check.as_binary_array(inputs, "data['inputs']", ndim=(1, 2))
    check.check_shapes_match(responses_np, inputs_np)
    n_participants, n_trials = responses_np.shape
    if n_participants < 1:
        raise ValueError("`data['responses']` must have at least 1 participant.")
    masks = {}
    for name in ("observed_response", "observed_input"):
        if name in data:
            mask = check.as_binary_array(data[name], f"data[{name!r}]", ndim=(2,))
            if mask.shape != responses_np.shape:
                raise ValueError(
                    f"`data[{name!r}]` has shape {mask.shape}, `data['responses']` "
                    f"{responses_np.shape}: they must match."
                )
            masks[name] = mask.astype(bool)
        else:
            masks[name] = np.ones(responses_np.shape, dtype=bool)
    scored = scored_responses(masks["observed_response"], masks["observed_input"])
    unscored = ~scored.any(axis=1)
    participants = (
        np.asarray(data["participant"]) if "participant" in data else np.arange(n_participants)
    )
    if unscored.any():
        raise ValueError(
            "`data` has participants without a scored response (an answer after the "
            f"first shown outcome): {participants[unscored].tolist()}."
        )
    return Observations(
        participants=participants,
        inputs=np.broadcast_to(inputs_np, responses_np.shape) * masks["observed_input"],
        observed_input=masks["observed_input"].astype(float),
        responses=(responses_np * masks["observed_response"]).astype(int),
        scored=scored,
    )


@functools.cache
def _beliefs_op(family: Family):
    """``wrap_jax`` of :func:`~hgf_tutorial.likelihood.group_beliefs`, forward-mode derivatives."""
    return wrap_jax(forward_derivatives(functools.partial(group_beliefs, family)))


def _group_beliefs(family: Family, params: dict, inputs, observed_input, shape):
    """The beliefs (participant, trial) as a PyTensor expression of the parameters.

    ``wrap_jax`` traces the JAX function when the graph is built, so it needs
    static shapes: ``specify_shape`` states them (``broadcast_to`` first turns a
    scalar parameter into one value per participant).
    """
    batch = shape[:1]
    params = {
        name: pt.specify_shape(pt.broadcast_to(pt.as_tensor(x, dtype="float64"), batch), batch)
        for name, x in params.items()
    }
    inputs = pt.specify_shape(pt.cast(inputs, "float64"), shape)
    observed_input = pt.specify_shape(pt.cast(observed_input, "float64"), shape)
    return _beliefs_op(family)(params, inputs, observed_input)


def observe_responses(
    data, params: dict, inverse_temperature, *, family: str | Family = "hgf2", name="responses"
):
    """Add the observed responses of ``data`` to the model being built.

    The likelihood of every model here: the family's beliefs for each participant
    and trial, and for each scored response a Bernoulli with log-odds
    ``t * logit(belief)`` (the unit-square sigmoid). Call it inside
    ``with pm.Model(...)``, with parameters of any prior structure; call it again
    with another name for another dataset (a second session, another task).

    Parameters
    ----------
    data : xarray.Dataset
        As for :func:`observations`.
    params : dict
        The family's perceptual parameters by name (``{"volatility": ...}`` for
        hgf2), tensors of shape (n_participants,), in the order of ``data``'s
        participants.
    inverse_temperature : tensor, shape (n_participants,) or scalar
    family : {"hgf2", "hgf3", "rw"} or Family
    name : str
        Name of the observed variable. Its dimension is ``observation`` for the
        default name and ``<name>_observation`` otherwise; the inputs and their
        mask are stored as data variables ``inputs`` and ``observed_input``, and
        each observation's participant and trial are labelled ``participant``
        and ``trial`` (see :func:`label_observations`), all prefixed by
        ``<name>_`` for another name, so that the function can be called once
        per dataset (two sessions, two tasks) in one model.

    Returns
    -------
    TensorVariable
        The observed Bernoulli variable, one entry per scored response (in the
        order participant by participant, trial by trial).

    Raises
    ------
    ValueError
        Called outside ``with pm.Model(...)``; for ``data`` as for
        :func:`observations`; for ``params`` without exactly the family's
        parameters; for a parameter or ``inverse_temperature`` of more than one
        dimension, or whose length is known when the model is built (an array,
        a fixed shape, a model variable with dims) and is not the number of
        participants. A length known only symbolically is not checked.
    """
    family = get_family(family)
    try:
        model = pm.modelcontext(None)
    except TypeError:
        raise ValueError(
            "`observe_responses` adds the responses to the model being built: call it inside "
            "`with pm.Model(coords=...) as model:`, after the priors of its parameters."
        ) from None
    if not isinstance(params, dict) or set(params) != set(family.parameter_names):
        raise ValueError(
            f"`params` must be a dict with the keys {list(family.parameter_names)} "
            f"for family {family.name!r}, got {params!r}."
        )
    observed = observations(data)
    for key, value in params.items():
        _check_per_participant(value, f"params[{key!r}]", observed.shape[0], model)
    _check_per_participant(inverse_temperature, "inverse_temperature", observed.shape[0], model)
    prefix = "" if name == "responses" else f"{name}_"
    dim = f"{prefix}observation"
    participant_index, trial_index = observed.index
    model.add_coord(dim, np.arange(participant_index.size))
    labels = getattr(model, "observation_labels", {})
    labels[name] = {
        "dim": dim,
        f"{prefix}participant": observed.participants[participant_index],
        f"{prefix}trial": trial_index,
    }
    model.observation_labels = labels

    grid = None
    if name == "responses":
        grid = ("participant", "trial")
        if "participant" not in model.coords:
            model.add_coord("participant", observed.participants)
        if "trial" not in model.coords:
            model.add_coord("trial", np.arange(observed.shape[1]))
    inputs = pm.Data(f"{prefix}inputs", observed.inputs, dims=grid)
    shown = pm.Data(f"{prefix}observed_input", observed.observed_input, dims=grid)
    beliefs = _group_beliefs(family, params, inputs, shown, observed.shape)
    scored_belief = beliefs[participant_index, trial_index]
    temperature = pt.broadcast_to(pt.as_tensor(inverse_temperature), observed.shape[:1])
    log_odds = temperature[participant_index] * (pt.log(scored_belief) - pt.log1p(-scored_belief))
    return pm.Bernoulli(
        name,
        logit_p=log_odds,
        observed=observed.responses[participant_index, trial_index],
        dims=dim,
    )


def _static_shape(value, model: pm.Model) -> tuple | None:
    """``value``'s shape where it is known when the model is built, entries None where not.

    An array's shape; a PyTensor variable's static shape, with a model variable's
    dim lengths filled in from the model (their current values). None for what
    cannot be inspected.
    """
    if not isinstance(value, Variable):
        try:
            return np.shape(np.asarray(value, dtype=float))
        except (TypeError, ValueError):
            return None
    shape = list(value.type.shape)
    dims = model.named_vars_to_dims.get(value.name) if value.name in model.named_vars else None
    if dims and model.named_vars[value.name] is value:
        for axis, dim in enumerate(dims):
            length = model.dim_lengths.get(dim)
            if shape[axis] is None and isinstance(length, Constant):
                shape[axis] = int(length.data)
            elif shape[axis] is None and isinstance(length, SharedVariable):
                shape[axis] = int(length.get_value())
    return tuple(shape)


def _check_per_participant(value, name: str, n_participants: int, model: pm.Model) -> None:
    """``ValueError`` for a parameter that is not a scalar or one value per participant."""
    shape = _static_shape(value, model)
    if shape is None or shape == ():
        return
    if len(shape) > 1:
        shown = tuple("?" if s is None else s for s in shape)
        raise ValueError(
            f"`{name}` must be a scalar or one value per participant, shape "
            f"({n_participants},); it has {len(shape)} dimensions, shape {shown}."
        )
    if shape[0] is not None and shape[0] != n_participants:
        raise ValueError(
            f"`{name}` has length {shape[0]} but `data` has {n_participants} participants: "
            "give one value per participant, in the order of data's participants."
        )


def label_observations(idata, model: pm.Model):
    """Put each observation's participant and trial on the fit's observation dimension.

    PyMC labels the observed variable's dimension ``observation`` by position;
    this adds the participant label and the trial as coordinates along it
    (``participant`` and ``trial``; ``<name>_participant`` and ``<name>_trial``
    for an observed variable called ``<name>``), in every group where they do
    not clash with a dimension of the same name (observed data, log-likelihood,
    posterior predictive), so that ``groupby("participant")`` and
    :func:`hgf_tutorial.data.to_grid` work. Modifies ``idata`` in place.
    """
    for labels in getattr(model, "observation_labels", {}).values():
        dim = labels["dim"]
        coords = {key: (dim, value) for key, value in labels.items() if key != "dim"}
        for group in ("observed_data", "log_likelihood", "posterior_predictive"):
            if group not in idata.children:
                continue
            dataset = idata[group].to_dataset()
            if dim not in dataset.dims or set(coords) & set(dataset.dims):
                continue
            idata[group] = dataset.assign_coords(coords)


@functools.cache
def _response_probabilities(family: Family):
    """Jitted ``(params dict of (n,), t (n,), inputs, observed_input) -> P(response = 1)``."""

    def probabilities(params, inverse_temperature, inputs, observed_input):
        beliefs = group_beliefs(family, params, inputs, observed_input)
        return response_probability(beliefs, inverse_temperature[:, None])

    return jax.jit(probabilities)


def simulate_responses(
    family, params, inverse_temperature, inputs, *, observed_input=None, rng=None
) -> np.ndarray:
    """Draw 0/1 responses on every trial from any family's agent model.

    Parameters
    ----------
    family : {"hgf2", "hgf3", "rw"} or Family
    params : dict
        Arrays of shape (n,) by parameter name (see :func:`~hgf_tutorial.family_logp`).
    inverse_temperature : array, shape (n,)
    inputs : array, shape (n_trials,) or (n, n_trials)
    observed_input : array, shape of ``inputs``, optional
        1 where the input was shown, 0 where not (the belief is not updated); the
        agent still answers on that trial.
    rng : numpy.random.Generator or seed, optional

    Returns
    -------
    numpy.ndarray of int, shape (n, n_trials)
    """
    family = get_family(family)
    rng = np.random.default_rng(rng)
    temperature = np.atleast_1d(np.asarray(inverse_temperature, dtype=float))
    n = temperature.shape[0]
    values = {
        name: np.broadcast_to(np.asarray(params[name], dtype=float), (n,))
        for name in family.parameter_names
    }
    inputs = np.asarray(inputs, dtype=float)
    shape = (n, inputs.shape[-1])
    inputs = np.broadcast_to(inputs, shape)
    shown = np.ones(shape) if observed_input is None else np.broadcast_to(observed_input, shape)
    p = _response_probabilities(family)(
        {k: jnp.asarray(v) for k, v in values.items()},
        jnp.asarray(temperature),
        jnp.asarray(inputs),
        jnp.asarray(shown, dtype=float),
    )
    return rng.binomial(1, np.asarray(p))


def build_group_model(
    data,
    *,
    predictors: dict[str, str] | None = None,
    parameterization: str | dict = "centered",
    family: str | Family = "hgf2",
    fixed: dict[str, float] | None = None,
) -> pm.Model:
    """The hierarchical model of the tutorial, for any model family.

    ``mu_volatility ~ Normal(-5, 5)``, ``sigma_volatility ~ HalfNormal(10)``,
    ``volatility[i] ~ Normal(mu_volatility, sigma_volatility)``;
    ``mu_temperature ~ Normal(0, 2)``, ``sigma_temperature ~ HalfNormal(2)``,
    ``inverse_temperature[i] ~ LogNormal(mu_temperature, sigma_temperature)``;
    the responses follow the two-level binary HGF with the unit-square sigmoid.

    Other families swap the perceptual model and its parameters (each with a
    ``mu_<name>``, ``sigma_<name>`` group prior, see
    :mod:`hgf_tutorial.families`) and keep the temperature and response model.

    Parameters
    ----------
    data : xarray.Dataset or mapping
        ``responses`` (participant, trial) of 0/1 and ``inputs`` (trial) or
        (participant, trial), as from :func:`~hgf_tutorial.simulate_group`, with
        the masks ``observed_response`` and ``observed_input`` where some trials
        have gaps (:func:`hgf_tutorial.data.from_dataframe`).
    predictors : dict, optional
        Regressions on participant-level parameters: a parameter of the family
        (``"volatility"``, ``"volatility_3"``, ``"learning_rate"``) or
        ``"inverse_temperature"``, to the right-hand side of a formula over the
        dataset's participant-level covariates, e.g. ``{"volatility": "1 + group +
        age"}`` (see :mod:`hgf_tutorial.predictors` for the coding: treatment
        contrasts against the first level, numeric covariates standardised). For
        such a parameter ``mu_<name>`` is replaced by coefficients ``beta_<name>``
        (dim ``<name>_term``, labelled by the design matrix's columns,
        ``"Intercept"``, ``"group[T.patient]"``, ``"age"``) and the participants'
        mean on the link scale (omega as it is, log t, logit alpha) is
        ``design_<name> @ beta_<name>``; the spread stays: ``beta_volatility``
        goes with ``sigma_volatility``, ``beta_learning_rate`` with
        ``sigma_learning_rate``, ``beta_inverse_temperature`` with
        ``sigma_temperature``. The intercept's prior is the group-mean prior
        the parameter has without a formula (``Normal(-5, 5)`` for omega_2,
        ``Normal(0, 2)`` for log t); each slope's is ``Normal(0, s)``, ``s``
        from :data:`hgf_tutorial.predictors.SLOPE_PRIOR_SD` (1 for omega_2 and
        logit alpha, 0.5 for omega_3 and log t, per SD of a numeric covariate
        or per level contrast). The deterministic ``beta_<name>_per_unit``
        holds the coefficients per unit of each numeric covariate (intercept at
        covariate value 0); the means and SDs used to standardise are the data
        ``covariate_mean`` and ``covariate_sd`` (dim ``numeric_covariate``), and
        ``model.predictors`` maps each parameter to its
        :class:`~hgf_tutorial.predictors.Design`. Without ``predictors`` (None
        or ``{}``) the model is the one described above, unchanged.
    parameterization : {"centered", "noncentered"} or dict
        ``"noncentered"`` samples standard-normal offsets ``z`` and builds the
        participant parameters from them as deterministics. A dict chooses per
        parameter, e.g. ``{"volatility_3": "noncentered"}``; parameters it does
        not name (``inverse_temperature`` included) are centred.
    family : {"hgf2", "hgf3", "rw"} or Family
        The perceptual model: two-level HGF (default), three-level HGF, or
        Rescorla-Wagner.
    fixed : dict, optional
        Parameters held at a constant instead of estimated, e.g.
        ``{"volatility_3": -6.0}`` for the three-level HGF with omega_3 fixed,
        a common choice when the data say little about it. Keys are parameters
        of the family or ``"inverse_temperature"``; values are a finite number
        (every participant) or an array of one value per participant, in the
        order of ``data``'s participants (on the parameter's own scale: an
        inverse temperature above 0, a learning rate in (0, 1)). A fixed
        parameter has no group prior (no ``mu_<name>``, ``sigma_<name>``; for
        the temperature no ``mu_temperature``, ``sigma_temperature``) and no
        random variable: its values enter as ``pm.Data(<name>, values,
        dims="participant")``, so that a fit keeps them in its
        ``constant_data`` group (saved with it), where
        :func:`~hgf_tutorial.add_log_likelihood`,
        :func:`~hgf_tutorial.replicate_sequences` and
        :func:`~hgf_tutorial.fit.parameter_draws` read them. A fixed parameter
        may not also have a formula in ``predictors`` or an entry in a
        ``parameterization`` dict.

    Returns
    -------
    pymc.Model
        With coords ``participant``, ``trial`` and ``observation``; the observed
        variable ``responses`` holds the scored responses (see
        :func:`observe_responses`), one per ``observation``.

    Notes
    -----
    The model keeps the original tutorial's names: ``volatility`` is omega_2
    (``tonic_volatility`` in :func:`~hgf_tutorial.simulate_group`'s data and in
    :func:`~hgf_tutorial.participant_logp`'s arguments), ``volatility_3`` is
    omega_3 (``tonic_volatility_3`` in the data), and ``mu_temperature`` and
    ``sigma_temperature`` are the mean and standard deviation of
    log(``inverse_temperature``). The table "Names used in the code" on the
    likelihood page (``book/likelihood.md``) maps every symbol, model variable,
    data variable and argument to each other.
    """
    family = get_family(family)
    observed = observations(data)
    constants = _fixed_values(fixed, family, observed.shape[0])
    for argument, value in (("predictors", predictors), ("parameterization", parameterization)):
        both = sorted(set(constants) & set(value)) if isinstance(value, dict) else []
        if both:
            raise ValueError(
                f"`fixed` and `{argument}` both name {both}: a fixed parameter is not "
                f"estimated, so it takes no entry in `{argument}`."
            )
    layout = _layout(parameterization, family)
    designs = _predictor_designs(data, predictors, family)
    coords = {"participant": observed.participants, "trial": np.arange(observed.shape[1])}
    coords.update({f"{name}_term": design.terms for name, design in designs.items()})

    with pm.Model(coords=coords) as model:
        _store_scaling(designs)
        # group level: mu_<name> (or a regression, beta_<name>) and sigma_<name>
        # for each perceptual parameter
        group = {
            p.name: _group_prior(p)
            if p.name not in designs
            else _regression_prior(designs[p.name], p.group_mean, f"sigma_{p.name}", p.group_sd)
            for p in family.parameters
            if p.name not in constants
        }
        if "inverse_temperature" in designs:
            mu_temperature, sigma_temperature = _regression_prior(
                designs["inverse_temperature"], TEMPERATURE_MEAN_PRIOR, "sigma_temperature", 2.0
            )
        elif "inverse_temperature" not in constants:
            # float64 constants: PyTensor stores a Python float that float32 can
            # hold as float32, and the prior's log-density would lose about 1e-8
            mu_temperature = pm.Normal("mu_temperature", mu=np.float64(0.0), sigma=np.float64(2.0))
            sigma_temperature = pm.HalfNormal("sigma_temperature", sigma=np.float64(2.0))

        perceptual = {
            p.name: pm.Data(p.name, constants[p.name], dims="participant")
            if p.name in constants
            else _participant_prior(p, *group[p.name])
            if layout[p.name] == "centered"
            else _participant_noncentered(p, *group[p.name])
            for p in family.parameters
        }
        if "inverse_temperature" in constants:
            inverse_temperature = pm.Data(
                "inverse_temperature", constants["inverse_temperature"], dims="participant"
            )
        elif layout["inverse_temperature"] == "centered":
            inverse_temperature = pm.LogNormal(
                "inverse_temperature",
                mu=mu_temperature,
                sigma=sigma_temperature,
                dims="participant",
            )
        else:
            z_temperature = pm.Normal("z_temperature", 0.0, 1.0, dims="participant")
            inverse_temperature = pm.Deterministic(
                "inverse_temperature",
                pt.exp(mu_temperature + sigma_temperature * z_temperature),
                dims="participant",
            )

        observe_responses(data, perceptual, inverse_temperature, family=family)
    if designs:
        model.predictors = designs
    return model


def _predictor_designs(data, predictors, family: Family) -> dict[str, Design]:
    """The checked design matrix of each parameter ``predictors`` gives a formula."""
    names = (*family.parameter_names, "inverse_temperature")
    formulas = check_predictors(predictors, names)
    return {name: design_matrix(data, name, formula) for name, formula in formulas.items()}


def _store_scaling(designs: dict[str, Design]) -> None:
    """The numeric covariates' means and SDs as data ``covariate_mean``, ``covariate_sd``."""
    scaling = {}
    for design in designs.values():
        scaling.update(design.scaling)
    if not scaling:
        return
    pm.modelcontext(None).add_coord("numeric_covariate", list(scaling))
    means, sds = np.array(list(scaling.values()), dtype=np.float64).T
    pm.Data("covariate_mean", means, dims="numeric_covariate")
    pm.Data("covariate_sd", sds, dims="numeric_covariate")


def _regression_prior(design: Design, intercept_prior, sigma_name: str, sigma_sd: float):
    """``beta_<name>``, the participants' mean ``X @ beta`` and ``sigma_<name>``.

    The intercept's prior is ``Normal(*intercept_prior)`` (the parameter's
    group-mean prior), each slope's ``Normal(0, design.slope_sd)``; the spread is
    ``sigma_name ~ HalfNormal(sigma_sd)`` as without a formula.
    """
    name = design.parameter
    dim = f"{name}_term"
    loc = np.zeros(len(design.terms), dtype=np.float64)
    scale = np.full(len(design.terms), design.slope_sd, dtype=np.float64)
    intercept = design.terms.index("Intercept")
    loc[intercept], scale[intercept] = np.float64(intercept_prior)
    beta = pm.Normal(f"beta_{name}", mu=loc, sigma=scale, dims=dim)
    sigma = pm.HalfNormal(sigma_name, sigma=np.float64(sigma_sd))
    matrix = pm.Data(f"design_{name}", design.matrix, dims=("participant", dim))
    pm.Deterministic(f"beta_{name}_per_unit", pt.dot(design.per_unit, beta), dims=dim)
    return pt.dot(matrix, beta), sigma


def _layout(parameterization, family: Family) -> dict[str, str]:
    """``"centered"`` or ``"noncentered"`` for each participant-level parameter."""
    names = (*family.parameter_names, "inverse_temperature")
    if isinstance(parameterization, str):
        if parameterization not in PARAMETERIZATIONS:
            raise ValueError(
                f"`parameterization` must be one of {PARAMETERIZATIONS} or a dict, "
                f"got {parameterization!r}."
            )
        return dict.fromkeys(names, parameterization)
    if not isinstance(parameterization, dict):
        raise ValueError(
            f"`parameterization` must be a string or a dict, got {parameterization!r}."
        )
    layout = dict.fromkeys(names, "centered")
    for name, value in parameterization.items():
        if name not in layout:
            raise ValueError(
                f"`parameterization` names {name!r}, which is not a parameter of family "
                f"{family.name!r}; they are {list(names)}."
            )
        if value not in PARAMETERIZATIONS:
            raise ValueError(
                f"`parameterization[{name!r}]` must be one of {PARAMETERIZATIONS}, got {value!r}."
            )
        layout[name] = value
    return layout


def _fixed_values(fixed, family: Family, n_participants: int) -> dict[str, np.ndarray]:
    """Each parameter ``fixed`` names, as float64 values of shape (n_participants,)."""
    if fixed is None:
        return {}
    if not isinstance(fixed, dict):
        raise ValueError(
            "`fixed` must be a dict from a parameter name to its value, e.g. "
            f"{{'volatility_3': -6.0}}, got {fixed!r}."
        )
    links = {p.name: p.link for p in family.parameters} | {"inverse_temperature": "log"}
    values = {}
    for name, value in fixed.items():
        if name not in links:
            raise ValueError(
                f"`fixed` names {name!r}, which is not a parameter of family "
                f"{family.name!r}; it has {list(links)}."
            )
        label = f"fixed[{name!r}]"
        if isinstance(value, bool | np.bool_):
            raise ValueError(f"`{label}` must be a number, got {value!r}.")
        array = check.finite_array(value, label)
        if array.ndim == 0:
            array = np.full(n_participants, float(array))
        elif array.shape != (n_participants,):
            raise ValueError(
                f"`{label}` must be one number or one value per participant "
                f"({n_participants}), got shape {array.shape}."
            )
        if links[name] == "log" and (array <= 0).any():
            raise ValueError(f"`{label}` must be positive (an inverse temperature), got {value!r}.")
        if links[name] == "logit" and ((array <= 0) | (array >= 1)).any():
            raise ValueError(f"`{label}` must lie strictly between 0 and 1, got {value!r}.")
        values[name] = array.astype(np.float64)
    return values


def _group_prior(parameter: Parameter):
    """``mu_<name> ~ Normal(*group_mean)`` and ``sigma_<name> ~ HalfNormal(group_sd)``."""
    mean, sd = np.float64(parameter.group_mean)
    mu = pm.Normal(f"mu_{parameter.name}", mu=mean, sigma=sd)
    sigma = pm.HalfNormal(f"sigma_{parameter.name}", sigma=np.float64(parameter.group_sd))
    return mu, sigma


def _participant_prior(parameter: Parameter, mu, sigma):
    """One value per participant: Normal on the identity link, LogitNormal on the logit."""
    if parameter.link == "logit":
        # PyMC's LogitNormal has no default transform: without the log-odds one
        # NUTS would step outside (0, 1), and nutpie's jittered starts fail.
        return pm.LogitNormal(
            parameter.name,
            mu=mu,
            sigma=sigma,
            dims="participant",
            default_transform=pm.distributions.transforms.logodds,
        )
    return pm.Normal(parameter.name, mu=mu, sigma=sigma, dims="participant")


def _participant_noncentered(parameter: Parameter, mu, sigma):
    """Standard-normal offsets ``z_<name>`` and the deterministic ``<name>`` built from them."""
    z = pm.Normal(f"z_{parameter.name}", 0.0, 1.0, dims="participant")
    value = mu + sigma * z
    if parameter.link == "logit":
        value = pm.math.invlogit(value)
    return pm.Deterministic(parameter.name, value, dims="participant")
