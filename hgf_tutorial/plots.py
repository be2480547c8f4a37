"""Figures for the book. Each function draws one figure and returns it."""

from __future__ import annotations

import graphviz
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
from scipy import stats

from hgf_tutorial.perception import response_probability

#: The pages of the workflow in the order of ``_toc.yml``'s first part: each
#: page's file (under ``book/``), its box's text, and the modules behind it.
WORKFLOW_PAGES = (
    ("simulate", "Simulating a\ngroup of agents", ("simulate",)),
    ("likelihood", "From one participant\nto many", ("likelihood", "perception")),
    ("sampling", "The hierarchical model\nand sampling", ("model", "sampling")),
    ("loo", "Pointwise log-likelihood\nand leave-one-out", ("loo",)),
    ("own_data", "Fitting your\nown data", ("data",)),
    ("scaling", "Scaling up", ("scaling",)),
)


def workflow_diagram() -> graphviz.Digraph:
    """The tutorial's workflow: one box per page, in order, with the modules behind it."""
    graph = graphviz.Digraph("workflow", graph_attr={"bgcolor": "transparent"})
    graph.attr(
        "node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"
    )
    boxes = [
        (page, f"{number}. {title}\n({', '.join(modules)})")
        for number, (page, title, modules) in enumerate(WORKFLOW_PAGES, start=1)
    ]
    # two rows, so that the figure keeps a readable size on the page
    half = (len(boxes) + 1) // 2
    for row in (boxes[:half], boxes[half:]):
        with graph.subgraph() as same_row:
            same_row.attr(rank="same")
            for page, label in row:
                same_row.node(page, label)
    for (a, *_), (b, *_) in zip(WORKFLOW_PAGES, WORKFLOW_PAGES[1:], strict=False):
        graph.edge(a, b)
    return graph


# ---------------------------------------------------------------------------
# Posterior predictive checks (book/predictive.md)

#: Colours shared by the figures: true simulation values (reference lines, the
#: identity line of recovery plots) are always TRUTH_COLOUR; observations outside
#: a predicted interval, intervals that miss, and flagged values are MISS_COLOUR.
OBSERVED_COLOUR = "black"
PREDICTED_COLOUR = "#3b75af"
TRUTH_COLOUR = "#c0392b"
MISS_COLOUR = "#e08a2c"
BELIEF_COLOUR = "#2e8b57"


def plot_choice_rates(observed, interval, *, belief=None, inputs=None, prob=0.9) -> Figure:
    """Observed against predicted choice rate over trials, with the beliefs.

    Parameters
    ----------
    observed : xarray.DataArray, dims (trial,)
        Observed proportion of "1" responses (e.g. from
        :func:`~hgf_tutorial.predictive.group_choice_rate`).
    interval : xarray.Dataset, dims (trial,)
        ``lower``, ``median`` and ``upper`` of the same statistic of the
        replications (:func:`~hgf_tutorial.predictive.predictive_interval`).
    belief : xarray.DataArray, dims (trial,), optional
        A belief trajectory to draw along (e.g. the group's mean expected mean).
    inputs : array, shape (n_trials,), optional
        The 0/1 inputs, drawn as ticks above (1) and below (0) the plot.
    prob : float
        Mass of the interval, for the legend.
    """
    trial = np.asarray(observed["trial"])
    with plt.rc_context(BOOK_STYLE):
        fig = plt.figure(figsize=(10, 4.2), layout="constrained")
        ax = fig.subplots()
        ax.fill_between(
            trial,
            interval["lower"].values,
            interval["upper"].values,
            color=PREDICTED_COLOUR,
            alpha=0.25,
            linewidth=0,
            label=f"predicted, {prob:.0%} interval",
        )
        ax.plot(
            trial,
            interval["median"].values,
            color=PREDICTED_COLOUR,
            lw=1.5,
            label="predicted, median",
        )
        ax.plot(trial, observed.values, color=OBSERVED_COLOUR, lw=1.5, label="observed")
        last = trial[-1]
        if belief is not None:
            belief_trial = (
                np.asarray(belief["trial"]) if "trial" in getattr(belief, "coords", {}) else trial
            )
            ax.plot(
                belief_trial,
                np.asarray(belief),
                color=BELIEF_COLOUR,
                lw=1.5,
                ls="--",
                label="mean belief $m_1$",
            )
            last = max(last, belief_trial[-1])
        if inputs is not None:
            inputs = np.asarray(inputs)
            input_trial = np.arange(inputs.size)
            ax.plot(
                input_trial,
                np.where(inputs == 1, 1.04, -0.04),
                "|",
                color="0.45",
                ms=5,
                label="input",
            )
            last = max(last, input_trial[-1])
        ax.set_ylim(-0.08, 1.08)
        ax.set_xlim(0, last)
        ax.set_xlabel("Trial")
        ax.set_ylabel('Proportion of "1" responses')
        fig.legend(loc="outside lower center", ncol=3, frameon=False)
    return _finish(fig)


def _interval_panel(ax, value, interval, *, sizes, label=None):
    """Predictive intervals and medians with the observed values, one x position each.

    ``sizes`` is (interval line width, median marker size, observed marker size);
    observed values outside their interval are drawn in the miss colour. Shared by
    the per-participant and the per-group checks. Returns the x positions.
    """
    width, median_size, point_size = sizes
    lower, upper = interval["lower"].values, interval["upper"].values
    x = np.arange(value.size)
    ax.vlines(x, lower, upper, color=PREDICTED_COLOUR, lw=width, alpha=0.45, label=label)
    ax.plot(
        x,
        interval["median"].values,
        "_",
        color=PREDICTED_COLOUR,
        ms=median_size,
        mew=2,
        label="predicted, median",
    )
    outside = (value < lower) | (value > upper)
    ax.plot(
        x[~outside], value[~outside], "o", color=OBSERVED_COLOUR, ms=point_size, label="observed"
    )
    if outside.any():
        ax.plot(
            x[outside],
            value[outside],
            "o",
            color=MISS_COLOUR,
            ms=point_size,
            label="observed, outside",
        )
    return x


def _interval_handles(*, sizes):
    """Legend handles matching :func:`_interval_panel`'s marks, in its order."""
    width, median_size, point_size = sizes
    return [
        Line2D([], [], color=PREDICTED_COLOUR, lw=width, alpha=0.45),
        Line2D([], [], color=PREDICTED_COLOUR, marker="_", ms=median_size, mew=2, ls=""),
        Line2D([], [], color=OBSERVED_COLOUR, marker="o", ms=point_size, ls=""),
        Line2D([], [], color=MISS_COLOUR, marker="o", ms=point_size, ls=""),
    ]


def plot_participant_checks(observed: dict, intervals: dict, *, prob=0.9) -> Figure:
    """One panel per statistic: each participant's observed value against its interval.

    Parameters
    ----------
    observed : dict of str to xarray.DataArray, dims (participant,)
        Statistic name (used as the panel's axis label) to the observed values.
    intervals : dict of str to xarray.Dataset, dims (participant,)
        The same names to ``lower``, ``median`` and ``upper`` of the replications.
    prob : float
        Mass of the intervals, for the legend.

    Observed values outside their interval are drawn in red.
    """
    names = list(observed)
    with plt.rc_context(BOOK_STYLE):
        fig = plt.figure(figsize=(5 * len(names), 4), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(names)))
        for ax, name in zip(axes, names, strict=True):
            value = np.asarray(observed[name], dtype=float)
            x = _interval_panel(
                ax, value, intervals[name], sizes=(5, 14, 6), label=f"predicted, {prob:.0%}"
            )
            ax.set_xticks(x, [str(p) for p in np.asarray(observed[name]["participant"])])
            ax.set_xlabel("Participant")
            ax.set_ylabel(name)
            # one legend for all panels, below them, with every kind of mark
        handles = _interval_handles(sizes=(5, 14, 6))
        labels = [
            f"predicted, {prob:.0%} interval",
            "predicted, median",
            "observed, inside",
            "observed, outside",
        ]
        fig.legend(handles, labels, loc="outside lower center", ncol=4, frameon=False)
    return _finish(fig)


# ---------------------------------------------------------------------------
# Parameter recovery (book/recovery.md)


def plot_recovery(table, *, group_means: dict | None = None, metrics=None) -> Figure:
    """Posterior means and intervals against the true parameters, with shrinkage.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~hgf_tutorial.recovery.recovery_table`.
    group_means : dict, optional
        ``{"volatility": ..., "inverse_temperature": ...}``: the fitted group
        location on each parameter's own scale (for the temperature, the
        population median ``exp(mu_temperature)``), drawn as a horizontal line.
    metrics : pandas.DataFrame, optional
        From :func:`~hgf_tutorial.recovery.recovery_metrics`; puts r in the titles.

    Each point is one participant: its true value on x, its posterior mean on y,
    its interval as a bar. The identity line is perfect recovery; the grey
    segment from the identity line to the point is the shift of the estimate,
    which for a hierarchical fit points towards the group mean (shrinkage). The
    temperature panel has log axes.
    """
    panels = [
        ("volatility", r"$\omega_2$", "volatility"),
        ("inverse_temperature", "inverse temperature $t$", "log_inverse_temperature"),
    ]
    with plt.rc_context(BOOK_STYLE):
        fig = plt.figure(figsize=(11, 5), layout="constrained")
        axes = fig.subplots(1, 2)
        for ax, (name, label, metric) in zip(axes, panels, strict=True):
            rows = table[table["parameter"] == name]
            true, mean = rows["true"].to_numpy(), rows["mean"].to_numpy()
            lower, upper = rows["lower"].to_numpy(), rows["upper"].to_numpy()
            ax.vlines(
                true, lower, upper, color=PREDICTED_COLOUR, alpha=0.35, lw=2, label="90% interval"
            )
            ax.vlines(true, true, mean, color="0.35", lw=1.2, label="shift from the truth")
            covered = rows["covered"].to_numpy()
            ax.plot(
                true[covered],
                mean[covered],
                "o",
                color=PREDICTED_COLOUR,
                ms=6,
                label="posterior mean",
            )
            if (~covered).any():
                ax.plot(
                    true[~covered],
                    mean[~covered],
                    "o",
                    color=MISS_COLOUR,
                    ms=6,
                    label="interval misses truth",
                )
            low = min(true.min(), lower.min())
            high = max(true.max(), upper.max())
            ax.plot(
                [low, high],
                [low, high],
                color=TRUTH_COLOUR,
                lw=1.5,
                ls="--",
                label="identity (truth)",
            )
            if group_means is not None and name in group_means:
                ax.axhline(group_means[name], color="0.5", lw=1, ls=":", label="group mean")
            if name == "inverse_temperature":
                ticks = [0.25, 0.5, 1, 2, 4, 8]
                ax.set_xscale("log")
                ax.set_yscale("log")
                for axis in (ax.xaxis, ax.yaxis):
                    axis.set_major_locator(FixedLocator(ticks))
                    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                    axis.set_minor_formatter(NullFormatter())
                ax.set_xlim(low / 1.1, high * 1.1)
                ax.set_ylim(low / 1.1, high * 1.1)
            title = label
            if metrics is not None and metric in metrics.index:
                scale = " (log scale)" if name == "inverse_temperature" else ""
                title += f": r = {metrics.loc[metric, 'r']:.2f}{scale}"
            ax.set_title(title)
            ax.set_xlabel(f"true {label}")
            ax.set_ylabel(f"posterior {label}")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False)
    return _finish(fig)


# --- Figures of the "simulate" and "likelihood" pages --------------------------------

#: Shared look of the book's matplotlib figures: readable fonts, no top/right spines.
BOOK_STYLE = {
    "font.size": 14,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "xtick.labelsize": 12.5,
    "ytick.labelsize": 12.5,
    "legend.fontsize": 12.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 110,
    "savefig.bbox": "tight",
}

#: Colour of data (inputs).
INPUT_COLOR = "0.35"


def _finish(fig: Figure) -> Figure:
    """Detach ``fig`` from pyplot so that a notebook shows it once, as the cell's value."""
    plt.close(fig)
    return fig


def running_mean(values, window: int = 20) -> np.ndarray:
    """Centred running mean of ``values``, over fewer points near the ends.

    Parameters
    ----------
    values : array, shape (n,)
    window : int
        Number of points averaged (odd windows are centred exactly).

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    values = np.asarray(values, dtype=float)
    kernel = np.ones(window)
    return np.convolve(values, kernel, mode="same") / np.convolve(
        np.ones_like(values), kernel, mode="same"
    )


def plot_inputs(inputs, *, window: int = 20) -> Figure:
    """The binary input sequence, one tick per trial, with its running mean.

    Parameters
    ----------
    inputs : array, shape (n_trials,)
        0/1 stimulus-outcome associations.
    window : int
        Width (trials) of the running mean that shows how often ``u = 1`` locally.
    """
    inputs = np.asarray(inputs)
    trials = np.arange(inputs.shape[0])
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
        ax.scatter(trials, inputs, marker="|", s=80, color=INPUT_COLOR, label="input $u$")
        ax.plot(
            trials,
            running_mean(inputs, window),
            color="C0",
            lw=2,
            label=f"{window}-trial running mean",
        )
        ax.set(xlabel="trial", ylabel="$u$", yticks=[0, 0.5, 1], ylim=(-0.1, 1.1))
        ax.set_xlim(-2, trials[-1] + 2)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.22), ncol=2, frameon=False)
    return _finish(fig)


def plot_response_model(temperatures=(0.5, 1.0, 2.0, 5.0, 20.0)) -> Figure:
    """P(response = 1) as a function of the belief, one curve per inverse temperature.

    Parameters
    ----------
    temperatures : sequence of float
        Inverse temperatures ``t > 0`` to draw.
    """
    belief = np.linspace(0.001, 0.999, 500)
    colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(temperatures)))
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
        for t, color in zip(temperatures, colors, strict=True):
            p = np.asarray(response_probability(belief, t))
            ax.plot(belief, p, color=color, lw=2, label=f"$t$ = {t:g}")
        ax.set(
            xlabel="belief $m$ = expected P($u$ = 1)",
            ylabel="P(response = 1)",
            xlim=(0, 1),
            ylim=(0, 1),
        )
        ax.legend(title="inverse temperature", loc="center left", bbox_to_anchor=(1.02, 0.5))
    return _finish(fig)


def plot_population(volatility=(-4.0, 1.0), log_temperature=(0.5, 0.5), *, data=None) -> Figure:
    """Population densities of omega_2 and of t, with the simulated participants as ticks.

    Parameters
    ----------
    volatility, log_temperature : (mean, sd)
        ``omega_2 ~ Normal(*volatility)``, ``log t ~ Normal(*log_temperature)``.
    data : xarray.Dataset, optional
        A dataset from :func:`~hgf_tutorial.simulate_group` (or
        :func:`~hgf_tutorial.data.simulate_study`); its participants' true
        ``tonic_volatility`` and ``inverse_temperature`` are marked. A dataset
        without them (a lab's, from :func:`~hgf_tutorial.data.from_dataframe`)
        marks nothing: its parameters are unknown.
    """
    v_mean, v_sd = volatility
    t_mean, t_sd = log_temperature
    omega = np.linspace(v_mean - 4 * v_sd, v_mean + 4 * v_sd, 400)
    t = np.linspace(1e-3, np.exp(t_mean + 3.5 * t_sd), 400)
    panels = [
        (omega, stats.norm(v_mean, v_sd).pdf(omega), "tonic_volatility", r"$\omega_2$"),
        (
            t,
            stats.lognorm(s=t_sd, scale=np.exp(t_mean)).pdf(t),
            "inverse_temperature",
            "inverse temperature $t$",
        ),
    ]
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
        for ax, (x, density, name, label) in zip(axes, panels, strict=True):
            ax.plot(x, density, color="C0", lw=2, label="population density")
            ax.fill_between(x, density, color="C0", alpha=0.15)
            values = _truth(data, name)
            if values is not None:
                ax.plot(
                    values,
                    np.zeros_like(values),
                    "|",
                    color=TRUTH_COLOUR,
                    markersize=22,
                    mew=2,
                    label=f"{values.size} simulated participants",
                )
            ax.set(xlabel=label, ylabel="density", ylim=(0, None))
        axes[0].set_title(r"$\omega_2 \sim$ Normal" + f"({v_mean:g}, {v_sd:g})")
        axes[1].set_title(r"$\log t \sim$ Normal" + f"({t_mean:g}, {t_sd:g})")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    return _finish(fig)


#: True parameters a simulated dataset may hold (name in the data, label in figures).
TRUTH_LABELS = {
    "tonic_volatility": r"$\omega_2$",
    "tonic_volatility_3": r"$\omega_3$",
    "learning_rate": r"$\alpha$",
    "inverse_temperature": "$t$",
}


def _truth(data, name):
    """``data[name]`` as an array, one value per participant; None where there is none.

    Simulated datasets carry each participant's true parameters; a lab's dataset
    (:func:`~hgf_tutorial.data.from_dataframe`) does not, and a figure then draws
    no truth.
    """
    if data is None or name not in getattr(data, "data_vars", ()):
        return None
    values = data[name]
    if values.dims != ("participant",):
        return None
    return np.asarray(values, dtype=float)


def _mask(data, name) -> np.ndarray:
    """The mask ``data[name]`` (participant, trial) as bool; all True where it has none."""
    shape = data["responses"].transpose("participant", "trial").shape
    if name not in data:
        return np.ones(shape, dtype=bool)
    mask = data[name].broadcast_like(data["responses"]).transpose("participant", "trial")
    return np.asarray(mask, dtype=bool)


def _n_trials(data) -> np.ndarray:
    """Each participant's number of trials (``n_trials``; the whole grid without it)."""
    n_participants, n_max = data["responses"].transpose("participant", "trial").shape
    if "n_trials" in data:
        return np.asarray(data["n_trials"], dtype=np.int64)
    return np.full(n_participants, n_max, dtype=np.int64)


def _shade_trials(ax, trials, colour, label, *, half_width: float, alpha: float) -> None:
    """A shaded column over each trial in ``trials``, labelled once in the legend."""
    for k, trial in enumerate(trials):
        ax.axvspan(
            trial - half_width,
            trial + half_width,
            color=colour,
            alpha=alpha,
            lw=0,
            label=label if k == 0 else None,
        )


def plot_beliefs(data, participants, *, beliefs=None) -> Figure:
    """Inputs, beliefs and responses of a few participants, one row each.

    Each row draws only its participant's own trials (the first ``n_trials``),
    and only what was observed: an outcome that was not shown (aborted trial) is
    no input dot and a missing answer (time-out) no response tick; each gap is a
    shaded column instead.

    Parameters
    ----------
    data : xarray.Dataset
        From :func:`~hgf_tutorial.simulate_group`, or a study in
        :func:`~hgf_tutorial.data.from_dataframe`'s layout (ragged participants,
        the masks ``observed_input`` and ``observed_response``).
    participants : sequence
        Participant labels (values of the ``participant`` coordinate) to draw.
    beliefs : xarray.DataArray or array, shape (n_participants, n_trials), optional
        The belief before each trial, for every participant of ``data`` (a
        DataArray with dims ``participant`` and ``trial`` is matched by label;
        an array by position). Defaults to ``data["expected_mean"]``, which
        simulated datasets have; with neither, no belief is drawn. For a lab's
        data, e.g. the beliefs at each participant's posterior mean::

            arrays = hgf_tutorial.model.observations(data)
            omega = idata["posterior"]["volatility"].mean(("chain", "draw")).values
            beliefs = hgf_tutorial.likelihood.group_beliefs(
                ht.get_family("hgf2"), {"volatility": omega},
                arrays.inputs, arrays.observed_input)

    Returns
    -------
    matplotlib.figure.Figure
        One axis per participant: the shown inputs (``ax.collections[0]``, dots
        at 0 and 1), the given responses (``ax.collections[1]``, ticks above for
        1 and below for 0), the belief (``ax.get_lines()[0]``, when there is
        one) and one shaded column (a patch) per gap, labelled ``"outcome not
        shown"`` or ``"no response"``. The title names the participant, their
        number of trials when they stopped early, and the true parameters when
        ``data`` holds them.
    """
    participants = list(participants)
    labels = list(np.asarray(data["participant"]))
    missing = [p for p in participants if p not in labels]
    if missing or not participants:
        raise ValueError(
            f"`participants` must name participants of `data`; {missing or 'none'} "
            f"{'are' if missing else 'were given'} not among {labels[:10]}"
            f"{' ...' if len(labels) > 10 else ''}."
        )
    rows = [labels.index(p) for p in participants]
    responses = np.asarray(data["responses"].transpose("participant", "trial"))
    inputs = np.asarray(
        data["inputs"].broadcast_like(data["responses"]).transpose("participant", "trial")
    )
    shown = _mask(data, "observed_input")
    answered = _mask(data, "observed_response")
    n_trials = _n_trials(data)
    n_max = responses.shape[1]
    belief = _beliefs_grid(data, beliefs, responses.shape)
    trials = np.arange(n_max)
    gaps = ((ABORTED_TRIAL_COLOUR, "outcome not shown"), (MISSED_RESPONSE_COLOUR, "no response"))
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(
            len(participants),
            1,
            figsize=(10, 2.4 * len(participants) + 0.6),
            sharex=True,
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        for ax, p, row in zip(axes[:, 0], participants, rows, strict=True):
            n = int(n_trials[row])
            x = trials[:n]
            seen, gave = shown[row, :n], answered[row, :n]
            ax.scatter(
                x[seen],
                inputs[row, :n][seen],
                marker="o",
                s=6,
                color=INPUT_COLOR,
                alpha=0.6,
                label="input $u$",
            )
            ax.scatter(
                x[gave],
                np.where(responses[row, :n][gave] == 1, 1.12, -0.12),
                marker="|",
                s=40,
                color="C1",
                label="response",
            )
            if belief is not None:
                ax.plot(x, belief[row, :n], color="C0", lw=2, label="belief $m$")
            for (colour, gap), observed in zip(gaps, (seen, gave), strict=True):
                _shade_trials(ax, x[~observed], colour, gap, half_width=0.5, alpha=0.3)
            title = f"participant {p}"
            if n < n_max:
                title += f" ({n} of {n_max} trials)"
            truth = [
                f"{label} = {float(values[row]):.2f}"
                for name, label in TRUTH_LABELS.items()
                if (values := _truth(data, name)) is not None
            ]
            if truth:
                title += ":  " + ",  ".join(truth)
            ax.set_title(title, loc="left")
            ax.set(ylabel="P($u$ = 1)", yticks=[0, 0.5, 1], ylim=(-0.22, 1.22))
        last = int(n_trials[rows].max()) - 1
        axes[-1, 0].set(xlabel="trial", xlim=(-2, last + 2))
        legend = {}
        for ax in axes[:, 0]:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                legend.setdefault(label, handle)
        fig.legend(
            list(legend.values()), list(legend), loc="outside upper center", ncol=3, frameon=False
        )
    return _finish(fig)


def _beliefs_grid(data, beliefs, shape):
    """The beliefs to draw as an array (participant, trial), or None."""
    if beliefs is None:
        if "expected_mean" not in data:
            return None
        beliefs = data["expected_mean"]
    if hasattr(beliefs, "dims") and "participant" in getattr(beliefs, "coords", {}):
        beliefs = beliefs.sel(participant=data["participant"].values)
        beliefs = beliefs.transpose("participant", "trial")
    array = np.asarray(beliefs, dtype=float)
    if array.shape != shape:
        raise ValueError(
            f"`beliefs` must have one value per participant and trial of `data`, shape "
            f"{shape}, got {array.shape}."
        )
    return array


def plot_loglik_profile(
    volatility_grid,
    volatility_loglik,
    true_volatility: float,
    temperature_grid,
    temperature_loglik,
    true_temperature: float,
) -> Figure:
    """Log-likelihood of one participant along omega_2 and along t, true values marked.

    Parameters
    ----------
    volatility_grid, volatility_loglik : array, shape (n,)
        omega_2 values and the summed log-likelihood at each (t held at its true value).
    true_volatility : float
    temperature_grid, temperature_loglik : array, shape (k,)
        Inverse temperatures and the log-likelihood at each (omega_2 held at its
        true value); drawn on a logarithmic axis.
    true_temperature : float
    """
    panels = [
        (
            volatility_grid,
            volatility_loglik,
            true_volatility,
            r"$\omega_2$ ($t$ at its true value)",
        ),
        (
            temperature_grid,
            temperature_loglik,
            true_temperature,
            r"inverse temperature $t$ ($\omega_2$ at its true value)",
        ),
    ]
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
        for ax, (grid, loglik, true, label) in zip(axes, panels, strict=True):
            grid = np.asarray(grid, dtype=float)
            loglik = np.asarray(loglik, dtype=float)
            ax.plot(grid, loglik, color="C0", lw=2, label="log-likelihood")
            ax.axvline(true, color=TRUTH_COLOUR, ls="--", lw=1.5, label="true value")
            best = np.argmax(loglik)
            ax.plot(grid[best], loglik[best], "o", color="C0", ms=7, label="grid maximum")
            ax.set(xlabel=label)
        axes[1].set_xscale("log")
        for ax in axes:
            ax.set_ylabel("log-likelihood (nats)")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncol=3, frameon=False)
    return _finish(fig)


# --- Fitting and leave-one-out figures (pages "sampling" and "loo") -----------------

GROUP_PARAMETERS = ("mu_volatility", "sigma_volatility", "mu_temperature", "sigma_temperature")
GROUP_LABELS = {
    "mu_volatility": r"$\mu_\omega$",
    "sigma_volatility": r"$\sigma_\omega$",
    "mu_temperature": r"$\mu_t$ (mean of $\log t$)",
    "sigma_temperature": r"$\sigma_t$ (sd of $\log t$)",
}


def _draws(values):
    """Pool the (chain, draw) dimensions of an xarray object into one ``sample`` dim."""
    return values.stack(sample=("chain", "draw"))


def plot_prior_predictive(prior_responses, data):
    """Choice rate and agreement with the input: prior predictive draws vs the data.

    Both statistics are taken over the same trials in the data and in every
    draw: the trials on which the participant answered (padding after an early
    stop and time-outs left out), and for the agreement only those whose
    outcome was also shown.

    Parameters
    ----------
    prior_responses : xarray.DataArray
        0/1 responses simulated from the prior: whole sequences, dims (chain,
        draw, participant, trial), as from
        ``ht.replicate_sequences(prior, data, group="prior")``; or the scored
        responses, dims (chain, draw, observation), as
        ``prior["prior_predictive"]["responses"]`` (then only the scored
        trials count, in the data too; see
        :func:`hgf_tutorial.likelihood.scored_responses`).
    data : xarray.Dataset
        ``responses`` (participant, trial) and ``inputs`` (trial or participant,
        trial), as from :func:`~hgf_tutorial.simulate_group` or
        :func:`~hgf_tutorial.data.from_dataframe` (with its masks).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels; each has a histogram of the statistic over all prior draws
        and participants, and one vertical line per observed participant.
    """
    responses = np.asarray(data["responses"].transpose("participant", "trial"))
    inputs = np.asarray(
        data["inputs"].broadcast_like(data["responses"]).transpose("participant", "trial")
    )
    simulated, counted = _prior_sequences(prior_responses, data, responses.shape)
    agreeing = counted & _mask(data, "observed_input")

    def share(values, mask):
        with np.errstate(invalid="ignore", divide="ignore"):
            return (values * mask).sum(axis=-1) / mask.sum(axis=-1)

    statistics = [
        (
            "choice rate: share of responses = 1",
            share(simulated == 1, counted).ravel(),
            share(responses == 1, counted),
        ),
        (
            "share of responses equal to the input",
            share(simulated == inputs, agreeing).ravel(),
            share(responses == inputs, agreeing),
        ),
    ]
    bins = np.linspace(0.0, 1.0, 51)
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(
            1, 2, sharey=True, figsize=(9.5, 3.8), layout="constrained", squeeze=False
        )
        for ax, (label, prior_values, observed) in zip(axes[0], statistics, strict=True):
            ax.hist(
                prior_values[np.isfinite(prior_values)],
                bins=bins,
                density=True,
                color="C0",
                alpha=0.6,
                label="prior predictive: every draw and participant",
            )
            for i, value in enumerate(observed[np.isfinite(observed)]):
                ax.axvline(
                    value,
                    color="black",
                    lw=1,
                    label="the data: one line per participant" if i == 0 else None,
                )
            ax.set_xlabel(label)
            ax.set_xlim(0, 1)
        axes[0, 0].set_ylabel("density")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    return _finish(fig)


def _prior_sequences(prior_responses, data, shape):
    """Simulated responses as (draws, participant, trial) and the trials that count."""
    dims = getattr(prior_responses, "dims", None)
    if dims is None or not {"chain", "draw"} <= set(dims):
        raise ValueError(
            "`prior_responses` must be an xarray.DataArray with dims (chain, draw, "
            "participant, trial) or (chain, draw, observation), got "
            f"{type(prior_responses).__name__}."
        )
    if "observation" in dims:
        from hgf_tutorial.model import observations

        scored = observations(data).scored
        values = np.asarray(prior_responses.transpose("chain", "draw", "observation"))
        values = values.reshape(-1, values.shape[-1])
        if values.shape[1] != scored.sum():
            raise ValueError(
                f"`prior_responses` has {values.shape[1]} observations, `data` "
                f"{int(scored.sum())} scored responses: pass the prior draws of the "
                "model fitted to `data`."
            )
        grid = np.zeros((values.shape[0], *shape), dtype=values.dtype)
        grid[:, scored] = values
        return grid, scored
    if not {"participant", "trial"} <= set(dims):
        raise ValueError(
            "`prior_responses` must have dims (chain, draw, participant, trial) or "
            f"(chain, draw, observation), got {dims}."
        )
    values = np.asarray(prior_responses.transpose("chain", "draw", "participant", "trial"))
    if values.shape[2:] != shape:
        raise ValueError(
            f"`prior_responses` has {values.shape[2:]} (participant, trial), `data` "
            f"{shape}: simulate the sequences of `data`'s participants "
            "(ht.replicate_sequences(prior, data, group='prior'))."
        )
    return values.reshape(-1, *shape), _mask(data, "observed_response")


def plot_rank_histograms(idata, var_names=GROUP_PARAMETERS, *, n_bins: int = 20):
    """Rank histograms of each chain, one panel per scalar variable.

    All draws of a variable are ranked together; each chain's ranks are binned.
    Chains that explore the same distribution give flat histograms
    (Vehtari et al. 2021).

    Parameters
    ----------
    idata : xarray.DataTree
        With a ``posterior`` group.
    var_names : sequence of str
        Scalar posterior variables (dims chain, draw).
    n_bins : int
        Number of rank bins.

    Returns
    -------
    matplotlib.figure.Figure
        One step line per chain and panel (``ax.lines[:n_chains]``), a dashed line
        at the count a uniform rank distribution gives, and a band holding 99% of
        the counts under uniformity.
    """
    posterior = idata["posterior"]
    var_names = _posterior_names(posterior, var_names)
    ncols = 2
    nrows = int(np.ceil(len(var_names) / ncols))
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(
            nrows,
            ncols,
            sharey=True,
            figsize=(9.5, 3.2 * nrows),
            layout="constrained",
            squeeze=False,
        )
        for ax, name in zip(axes.ravel(), var_names, strict=False):
            values = posterior[name].transpose("chain", "draw").values
            n_chains, n_draws = values.shape
            ranks = stats.rankdata(values.ravel()).reshape(values.shape)
            edges = np.linspace(0.5, values.size + 0.5, n_bins + 1)
            expected = n_draws / n_bins
            low, high = stats.binom.ppf([0.005, 0.995], n_draws, 1 / n_bins)
            ax.axhspan(low, high, color="0.9", zorder=0)
            for chain in range(n_chains):
                counts, _ = np.histogram(ranks[chain], bins=edges)
                centres = np.arange(n_bins)
                ax.step(centres, counts, where="mid", lw=1.6, label=f"chain {chain}")
            ax.axhline(expected, color="0.3", ls="--", lw=1)
            ax.set_title(GROUP_LABELS.get(name, name))
            ax.set_xticks([0, n_bins - 1], ["lowest", "highest"])
            ax.set_ylim(0, 2 * expected)
        for ax in axes.ravel()[len(var_names) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("draws per bin")
        axes[0, 0].legend(loc="lower left", ncols=2, frameon=False, fontsize=10)
    return _finish(fig)


def _posterior_names(posterior, var_names) -> list[str]:
    """``var_names`` as a list, or ``ValueError`` naming those the posterior lacks."""
    var_names = [var_names] if isinstance(var_names, str) else list(var_names)
    missing = [name for name in var_names if name not in posterior]
    if missing:
        raise ValueError(
            f"`var_names`: the posterior has no {missing} (a parameter held fixed or "
            "given a formula has no group mean or spread); its variables are "
            f"{list(posterior.data_vars)}."
        )
    return var_names


def plot_group_posteriors(
    idata, truths=None, *, prob: float = 0.94, sample_values=None, var_names=GROUP_PARAMETERS
):
    """Posterior of each group-level parameter, with the value used to simulate.

    Parameters
    ----------
    idata : xarray.DataTree
        With a ``posterior`` group holding the scalar ``var_names``.
    truths : mapping of str to float, optional
        The population values the data were simulated with (red dashed lines);
        leave it out for a lab's data, whose population values are unknown (a
        name it lacks gets no line).
    prob : float
        Probability mass of the equal-tailed interval drawn under each histogram.
    sample_values : mapping of str to float, optional
        The same quantity computed from the simulated participants themselves
        (e.g. the mean of their ten omega_2 values; black dotted lines).
    var_names : sequence of str
        Which variables, one panel each (two per row).

    Returns
    -------
    matplotlib.figure.Figure
        Per panel: a histogram of the pooled draws, the interval as a thick
        horizontal line (``ax.lines[0]``), the simulation value as a vertical line
        (``ax.lines[1]``) when ``truths`` has it, and the sample value (the next
        line) when given.
    """
    posterior = idata["posterior"]
    var_names = _posterior_names(posterior, var_names)
    truths = {} if truths is None else truths
    tail = (1 - prob) / 2
    n_participants = posterior.sizes.get("participant")
    sample_label = (
        f"the {n_participants} simulated participants"
        if n_participants
        else "the simulated participants"
    )
    ncols = 2
    nrows = int(np.ceil(len(var_names) / ncols))
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(9.5, 3.0 * nrows), layout="constrained", squeeze=False
        )
        for ax, name in zip(axes.ravel(), var_names, strict=False):
            draws = posterior[name].values.ravel()
            low, high = np.quantile(draws, [tail, 1 - tail])
            ax.hist(draws, bins=60, density=True, color="C0", alpha=0.55)
            ax.plot(
                [low, high],
                [0, 0],
                color="black",
                lw=5,
                solid_capstyle="butt",
                label=f"{prob:.0%} interval",
                clip_on=False,
            )
            if name in truths:
                ax.axvline(
                    truths[name], color=TRUTH_COLOUR, ls="--", lw=2, label="simulation value"
                )
            if sample_values is not None and name in sample_values:
                ax.axvline(sample_values[name], color="black", ls=":", lw=2, label=sample_label)
            ax.set_xlabel(GROUP_LABELS.get(name, name))
            ax.set_yticks([])
        for ax in axes.ravel()[len(var_names) :]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("posterior density")
        legend = {}
        for ax in axes.ravel():
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                legend.setdefault(label, handle)
        fig.legend(
            list(legend.values()), list(legend), loc="outside lower center", ncols=3, frameon=False
        )
    return _finish(fig)


#: The participant-level parameters :func:`plot_individual_estimates` draws when the
#: posterior has them: (name, true values' name in simulated data, group location,
#: label, scale). The location is ``mu_<name>``'s posterior mean on the identity
#: scale and the median of its inverse link otherwise (the population median).
INDIVIDUAL_PANELS = (
    ("volatility", "tonic_volatility", "mu_volatility", r"$\omega_2$", "identity"),
    ("volatility_3", "tonic_volatility_3", "mu_volatility_3", r"$\omega_3$", "identity"),
    ("learning_rate", "learning_rate", "mu_learning_rate", r"$\alpha$", "logit"),
    (
        "inverse_temperature",
        "inverse_temperature",
        "mu_temperature",
        "inverse temperature $t$",
        "log",
    ),
)


def plot_individual_estimates(idata, data=None, *, prob: float = 0.94):
    """Each participant's posterior, against the value they were simulated with if known.

    One panel per participant-level parameter in the posterior (``volatility``,
    ``volatility_3``, ``learning_rate``, ``inverse_temperature``; a parameter held
    fixed has none). Where ``data`` holds the true values (simulated data), the
    posterior means are drawn against them with the identity line; otherwise (a
    lab's data) against the participants, one position each.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior with the participant-level parameters (chain, draw,
        participant) and, where the model has them, the group locations
        ``mu_volatility``, ``mu_temperature``, ...
    data : xarray.Dataset, optional
        The dataset the model was fitted to: its participants' order is used,
        and its true ``tonic_volatility``, ``inverse_temperature``, ... (of
        :func:`~hgf_tutorial.simulate_group` or
        :func:`~hgf_tutorial.data.simulate_study`) where it has them.
    prob : float
        Probability mass of the equal-tailed intervals.

    Returns
    -------
    matplotlib.figure.Figure
        Per panel, the posterior means with their intervals
        (``ax.containers[0]``; x = the truth, or the participant's position
        ``0, 1, ...`` with the labels as ticks), the identity line (with the
        truth only) and the posterior of the group's location as a dotted line
        (``exp(mu_temperature)``'s median for the temperature: the population
        median; none when the model has no ``mu_<name>``). The temperature has a
        log axis.
    """
    posterior = idata["posterior"]
    if data is not None and "participant" in posterior.coords:
        labels = data["participant"].values
        fitted = posterior["participant"].values
        if len(labels) != len(fitted) or set(map(str, labels)) != set(map(str, fitted)):
            raise ValueError(
                f"`idata` has participants {list(fitted)[:5]}..., `data` {list(labels)[:5]}...: "
                "pass the dataset the model was fitted to."
            )
        posterior = posterior.to_dataset() if hasattr(posterior, "to_dataset") else posterior
        posterior = posterior.sel(participant=labels)
    panels = [
        panel
        for panel in INDIVIDUAL_PANELS
        if panel[0] in posterior and "participant" in posterior[panel[0]].dims
    ]
    if not panels:
        raise ValueError(
            "`idata`'s posterior has none of the participant-level parameters "
            f"{[panel[0] for panel in INDIVIDUAL_PANELS]}."
        )
    tail = (1 - prob) / 2
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(
            1, len(panels), figsize=(4.75 * len(panels), 4.6), layout="constrained", squeeze=False
        )
        for ax, (name, true_name, group_name, label, scale) in zip(axes[0], panels, strict=True):
            draws = _draws(posterior[name]).transpose("participant", "sample").values
            mean = draws.mean(axis=1)
            low, high = np.quantile(draws, [tail, 1 - tail], axis=1)
            participants = posterior["participant"].values
            truth = _truth(data, true_name)
            x = truth if truth is not None else np.arange(mean.size)
            ax.errorbar(
                x,
                mean,
                yerr=[mean - low, high - mean],
                fmt="o",
                color="C0",
                ecolor="C0",
                elinewidth=1.5,
                capsize=3,
                ms=6,
                label=f"posterior mean, {prob:.0%} interval",
            )
            if group_name in posterior:
                location = posterior[group_name]
                if scale == "identity":
                    group = float(location.mean())
                else:
                    inverse = np.exp if scale == "log" else _expit
                    group = float(np.median(inverse(np.asarray(location))))
                ax.axhline(group, color="black", ls=":", lw=1.5, label="group location (posterior)")
            log = scale == "log"
            if truth is not None:
                _identity_panel(ax, truth, mean, low, high, participants, log=log)
                ax.set_xlabel(f"true {label}")
            else:
                ax.set_xticks(x, [str(p) for p in participants])
                if mean.size > 8:
                    ax.tick_params(axis="x", labelrotation=90, labelsize=10)
                ax.set_xlim(-0.6, mean.size - 0.4)
                ax.set_xlabel("participant")
                if log:
                    ax.set_yscale("log")
                    for formatter in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
                        formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.set_ylabel(f"estimated {label}")
        axes[0, 0].legend(loc="upper left", frameon=False, fontsize=10)
    return _finish(fig)


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _identity_panel(ax, truth, mean, low, high, participants, *, log):
    """The identity line, participant labels and square limits of an estimate-vs-truth panel."""
    lims = [min(truth.min(), low.min()), max(truth.max(), high.max())]
    pad = (lims[1] / lims[0]) ** 0.05 if log else (lims[1] - lims[0]) * 0.05
    lims = [lims[0] / pad, lims[1] * pad] if log else [lims[0] - pad, lims[1] + pad]
    ax.plot(lims, lims, color="0.4", lw=1, label="identity")
    for i, (x, y) in enumerate(zip(truth, mean, strict=True)):
        ax.annotate(
            str(participants[i]),
            (x, y),
            xytext=(5, -3),
            textcoords="offset points",
            fontsize=10,
            color="0.3",
        )
    if log:
        ticks = [t for t in (0.25, 0.5, 1, 2, 4, 8) if lims[0] <= t <= lims[1]]
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_ticks(ticks, [f"{t:g}" for t in ticks])
            axis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlim(lims)
    ax.set_ylim(lims)
    ax.set_aspect("equal")


def plot_pareto_k(loo, *, threshold=None):
    """Pareto k of each observation, grouped by participant.

    Parameters
    ----------
    loo : arviz ELPDData
        From ``az.loo(idata, pointwise=True)``; ``loo.pareto_k`` has dims
        (participant, trial), or ``observation`` with participant and trial
        coordinates, as for a fit of the model.
    threshold : float, optional
        The reliability threshold; defaults to ``loo.good_k``.

    Returns
    -------
    matplotlib.figure.Figure
        One scatter per participant (``ax.collections``, in participant order;
        x = position of the observation in the participant-major order,
        y = k), the threshold line, and a label on every point above it.
    """
    k = loo.pareto_k
    if "observation" in k.dims:
        from hgf_tutorial.data import to_grid

        k = to_grid(k)
    k = k.transpose("participant", "trial")
    threshold = float(loo.good_k if threshold is None else threshold)
    participants = k["participant"].values
    trials = k["trial"].values
    n_trials = len(trials)
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(1, 1, figsize=(9.5, 4.0), layout="constrained", squeeze=False)
        ax = axes[0, 0]
        for i, participant in enumerate(participants):
            x = i * n_trials + np.arange(n_trials)
            ax.scatter(x, k.values[i], s=8, color="C0" if i % 2 == 0 else "#8fb3d9", linewidths=0)
            for j in np.flatnonzero(k.values[i] > threshold):
                ax.plot(x[j], k.values[i, j], "o", color=MISS_COLOUR, ms=6)
                ax.annotate(
                    f"participant {participant}, trial {trials[j]}",
                    (x[j], k.values[i, j]),
                    xytext=(8, -4),
                    textcoords="offset points",
                    fontsize=10,
                )
        ax.axhline(threshold, color=MISS_COLOUR, ls="--", lw=1.5, label=f"k = {threshold:g}")
        ax.set_xticks(np.arange(len(participants)) * n_trials + n_trials / 2, participants)
        ax.set_xlabel("observation, grouped by participant")
        ax.set_ylabel("Pareto $k$")
        ax.legend(loc="upper left", frameon=False)
    return _finish(fig)


# ---------------------------------------------------------------------------
# Comparing model families (book/compare.md)

#: One colour per model family, the same on every comparison figure.
FAMILY_COLORS = {"hgf2": "C0", "hgf3": "C2", "rw": "C1"}


def plot_family_beliefs(inputs, beliefs) -> Figure:
    """Belief trajectories of several learners on the same inputs.

    Parameters
    ----------
    inputs : array, shape (n_trials,)
        The 0/1 inputs, drawn as ticks at 0 and 1.
    beliefs : mapping of str to (label, array of shape (n_trials,))
        Family name (for its colour) to a legend label and the belief before
        each trial. One line per entry, in order (``ax.get_lines()``).
    """
    inputs = np.asarray(inputs)
    trials = np.arange(inputs.shape[0])
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
        ax.scatter(trials, inputs, marker="|", s=60, color=INPUT_COLOR, label="input $u$")
        for name, (label, values) in beliefs.items():
            ax.plot(trials, np.asarray(values), color=FAMILY_COLORS.get(name), lw=2, label=label)
        ax.set(xlabel="trial", ylabel="belief P($u$ = 1)", ylim=(-0.05, 1.05))
        ax.set_xlim(-2, trials[-1] + 2)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.25), ncol=2, frameon=False)
    return _finish(fig)


def plot_model_comparison(comparisons, labels=None) -> Figure:
    """ELPD differences from the best model, with their standard errors.

    One panel per comparison, one row per model (best on top). The dot is
    ``elpd_diff`` (the model's ELPD minus the best one's: 0 for the best,
    negative for the others, as ArviZ 1.x reports it); the thick bar spans one
    ``dse`` either side and the thin bar two; the stacking weight is written at
    the right.

    Parameters
    ----------
    comparisons : mapping of str to pandas.DataFrame
        Panel title to the output of :func:`arviz.compare` (index: model names;
        columns ``elpd_diff``, ``dse``, ``weight``).
    labels : mapping of str to str, optional
        Display names of the models.

    Notes
    -----
    Each panel holds, per model in row order, one ``errorbar`` container for
    the two-``dse`` bar then one for the one-``dse`` bar with the dot
    (``ax.containers``); rows are at y = 0 (best), -1, -2, ...
    """
    labels = labels or {}
    n_rows = sum(len(table) for table in comparisons.values())
    height = 1.3 * len(comparisons) + 0.75 * n_rows
    with plt.rc_context(BOOK_STYLE):
        fig, axes = plt.subplots(
            len(comparisons), 1, figsize=(9, height), layout="constrained", squeeze=False
        )
        for ax, (title, table) in zip(axes[:, 0], comparisons.items(), strict=True):
            for row, (name, values) in enumerate(table.iterrows()):
                y = -row
                diff, dse = float(values["elpd_diff"]), float(values["dse"])
                color = FAMILY_COLORS.get(name, "0.3")
                ax.errorbar(
                    diff, y, xerr=2 * dse, fmt="none", ecolor=color, elinewidth=1.2, capsize=4
                )
                ax.errorbar(diff, y, xerr=dse, fmt="o", color=color, ms=8, elinewidth=4)
                ax.annotate(
                    f"weight {float(values['weight']):.2f}",
                    (1.0, y),
                    xycoords=("axes fraction", "data"),
                    xytext=(8, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=12,
                )
            ax.axvline(0.0, color="0.5", ls="--", lw=1)
            ax.set_yticks(-np.arange(len(table)), [labels.get(m, m) for m in table.index])
            ax.set_ylim(-len(table) + 0.5, 0.5)
            ax.set_title(title, loc="left")
            ax.set_xlabel("ELPD difference from the best model")
    return _finish(fig)


# ---------------------------------------------------------------------------
# Speed and scale (book/scaling.md; the tables come from benchmarks/)


def _wrap(text: str, width: int = 34) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width))


def plot_sampler_benchmark(table, *, goal: float = 3.0) -> Figure:
    """ESS per second of each sampler configuration against the original call.

    Parameters
    ----------
    table : pandas.DataFrame
        ``benchmarks/results/samplers.csv``: one row per configuration with
        ``label``, ``ratio`` (median ESS/s over the original call's),
        ``ratio_min``, ``ratio_max``, ``wall_s``, ``divergences`` and
        ``max_rhat``.
    goal : float
        Ratio drawn as a dashed reference line.

    Notes
    -----
    One horizontal bar per row of ``table``, top to bottom (y = 0, -1, ...),
    width ``ratio``, with a line from ``ratio_min`` to ``ratio_max``; bars of
    configurations whose chains disagreed (an r-hat above 1.01 in some round)
    are hatched. Each bar is labelled with its ratio, its median wall time and,
    where there were any, the divergent transitions summed over the rounds (on
    this model most configurations have one now and then, so they are counted
    rather than flagged).
    """
    n = len(table)
    y = -np.arange(n)
    ok = np.asarray(table["max_rhat"]) <= 1.01
    ratio = np.asarray(table["ratio"], dtype=float)
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(9, 1.2 + 0.55 * n), layout="constrained")
        bars = ax.barh(y, ratio, color=PREDICTED_COLOUR, height=0.65)
        for bar, good in zip(bars, ok, strict=True):
            if not good:
                bar.set_hatch("//")
                bar.set_facecolor("#9dbbd8")
        ax.hlines(y, table["ratio_min"], table["ratio_max"], color="black", lw=1.5)
        ax.axvline(1.0, color="0.4", lw=1)
        ax.axvline(goal, color=MISS_COLOUR, ls="--", lw=1.5)
        right_ends = np.fmax(ratio, np.asarray(table["ratio_max"], dtype=float))
        rows = zip(y, ratio, right_ends, table["wall_s"], table["divergences"], strict=True)
        for yi, value, end, wall, divergent in rows:
            ax.annotate(
                f"{value:.2f}x, {wall:.0f} s" + (f", {divergent:.0f} div." if divergent else ""),
                (end, yi),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=12,
            )
        ax.set_yticks(y, [_wrap(label, 30) for label in table["label"]])
        ax.set_xlabel("ESS per second / original call's")
        ax.set_xlim(0, max(goal, float(np.nanmax(right_ends))) * 1.3)
        handles = [
            Line2D([], [], color=MISS_COLOUR, ls="--", label=f"goal: {goal:g}x"),
            plt.Rectangle((0, 0), 1, 1, facecolor="#9dbbd8", hatch="//", label="r-hat > 1.01"),
        ]
        ax.legend(
            handles=handles, loc="lower center", bbox_to_anchor=(0.4, 1.0), ncol=2, frameon=False
        )
    return _finish(fig)


def plot_scaling_cost(table) -> Figure:
    """Cost of one value+gradient evaluation against the number of participants.

    Parameters
    ----------
    table : pandas.DataFrame
        ``benchmarks/results/scaling_cost.csv``: columns ``n_participants``,
        ``method``, ``ms_value_grad`` (median milliseconds per call) and
        ``us_per_participant``.

    Notes
    -----
    One line per ``method`` in each panel, in the order the methods first
    appear: left, milliseconds per call (log-log); right, microseconds per
    participant (log x).
    """
    with plt.rc_context(BOOK_STYLE):
        fig, (ax_ms, ax_pp) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
        for method in dict.fromkeys(table["method"]):
            part = table[table["method"] == method].sort_values("n_participants")
            n = np.asarray(part["n_participants"])
            ax_ms.plot(n, part["ms_value_grad"], "o-", lw=2, label=method)
            ax_pp.plot(n, part["us_per_participant"], "o-", lw=2, label=method)
        ax_ms.set(xscale="log", yscale="log", xlabel="participants", ylabel="ms per value+gradient")
        ax_pp.set(xscale="log", xlabel="participants", ylabel="µs per participant")
        ax_pp.set_ylim(bottom=0)
        ax_ms.legend(frameon=False)
    return _finish(fig)


def plot_fit_cost(runs) -> Figure:
    """What a NUTS fit costs as the cohort grows: wall time and gradient evaluations.

    Parameters
    ----------
    runs : pandas.DataFrame
        Rows of ``benchmarks/results/large_fit_runs.csv``: columns
        ``n_participants``, ``wall_s``, ``min_ess_bulk`` and
        ``grad_evals_per_draw``, one run per group size.

    Notes
    -----
    Left: minutes per fit and minutes per 1000 effective samples (the smallest
    bulk ESS over all parameters), log-log; right: gradient evaluations per draw
    (tuning included), log x. Points are the measured runs, joined in order of
    group size.
    """
    runs = runs.sort_values("n_participants")
    n = np.asarray(runs["n_participants"], dtype=float)
    minutes = np.asarray(runs["wall_s"], dtype=float) / 60
    per_1000 = minutes * 1000 / np.asarray(runs["min_ess_bulk"], dtype=float)
    with plt.rc_context(BOOK_STYLE):
        fig, (ax_time, ax_steps) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
        ax_time.plot(n, minutes, "o-", lw=2, label="the whole fit")
        ax_time.plot(n, per_1000, "s--", lw=2, label="per 1000 effective samples")
        ax_time.set(xscale="log", yscale="log", xlabel="participants", ylabel="minutes")
        ax_time.legend(frameon=False)
        ax_steps.plot(n, runs["grad_evals_per_draw"], "o-", lw=2, color="C2")
        ax_steps.set(xscale="log", xlabel="participants", ylabel="gradient evaluations per draw")
        ax_steps.set_ylim(bottom=0)
    return _finish(fig)


def plot_advi_against_nuts(table, name: str) -> Figure:
    """Participants' posterior means and SDs from ADVI against those from NUTS.

    Parameters
    ----------
    table : pandas.DataFrame
        ``benchmarks/results/advi_participants.csv``: one row per participant and
        parameter, columns ``variable``, ``nuts_mean``, ``nuts_sd``,
        ``advi_mean``, ``advi_sd``.
    name : str
        The parameter (``variable``) to draw.

    Notes
    -----
    Left: ADVI's posterior mean against NUTS's (grey line: equality); right: the
    ratio of ADVI's posterior SD to NUTS's per participant, against NUTS's mean
    (grey line: 1, equal width).
    """
    rows = table[table["variable"] == name]
    if rows.empty:
        raise ValueError(f"`table` has no rows for variable {name!r}.")
    nuts_mean, advi_mean = rows["nuts_mean"].to_numpy(), rows["advi_mean"].to_numpy()
    ratio = rows["advi_sd"].to_numpy() / rows["nuts_sd"].to_numpy()
    with plt.rc_context(BOOK_STYLE):
        fig, (ax_mean, ax_sd) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
        low = min(nuts_mean.min(), advi_mean.min())
        high = max(nuts_mean.max(), advi_mean.max())
        ax_mean.plot([low, high], [low, high], color="0.6", lw=1)
        ax_mean.scatter(nuts_mean, advi_mean, s=14, alpha=0.8)
        ax_mean.set(xlabel=f"NUTS posterior mean of {name}", ylabel="ADVI posterior mean")
        ax_sd.axhline(1.0, color="0.6", lw=1)
        ax_sd.scatter(nuts_mean, ratio, s=14, alpha=0.8, color="C1")
        ax_sd.set(xlabel=f"NUTS posterior mean of {name}", ylabel="ADVI SD / NUTS SD")
        ax_sd.set_ylim(bottom=0)
    return _finish(fig)


def plot_loglik_memory(table) -> Figure:
    """Peak memory of ``add_log_likelihood``, in chunks against one block.

    Parameters
    ----------
    table : pandas.DataFrame
        ``benchmarks/results/scaling_memory.csv``: columns ``n_participants``,
        ``mode``, ``extra_peak_mb`` (peak resident memory during the call minus
        the resident memory before it) and ``result_mb`` (size of the result).

    Notes
    -----
    Grouped bars, one group per ``n_participants`` (ascending), one bar per
    ``mode`` in order of first appearance; the black tick on each group marks
    ``result_mb``, the memory the result itself needs.
    """
    modes = list(dict.fromkeys(table["mode"]))
    sizes = sorted(set(table["n_participants"]))
    width = 0.8 / len(modes)
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
        x = np.arange(len(sizes))
        for i, mode in enumerate(modes):
            part = table[table["mode"] == mode].set_index("n_participants").reindex(sizes)
            ax.bar(x + (i - (len(modes) - 1) / 2) * width, part["extra_peak_mb"], width, label=mode)
        result = table.groupby("n_participants")["result_mb"].first().reindex(sizes)
        ax.hlines(result, x - 0.45, x + 0.45, color="black", lw=2, label="size of the result")
        labels = []
        for n in sizes:
            row = table[table["n_participants"] == n].iloc[0]
            labels.append(f"{n} participants\n{row['chains']} x {row['draws']} draws")
        ax.set_xticks(x, labels)
        ax.set(yscale="log", ylabel="peak memory added (MB)")
        ax.legend(frameon=False)
    return _finish(fig)


# ---------------------------------------------------------------------------
# A study's own data (book/own_data.md)

#: Colours of the two kinds of gap: a response missing (time-out) and an input
#: missing (aborted trial, outcome not shown).
MISSED_RESPONSE_COLOUR = MISS_COLOUR
ABORTED_TRIAL_COLOUR = "#8e44ad"


def plot_gaps(
    belief, inputs, observed_input, responses, observed_response, *, trials=None, title=None
) -> Figure:
    """One participant's beliefs over a stretch of trials, with the gaps marked.

    Parameters
    ----------
    belief : array, shape (n,)
        The belief before each trial (``m1``, from
        :func:`~hgf_tutorial.belief_trajectory` with the input mask).
    inputs, responses : array, shape (n,)
        0/1 values; where not observed their value is ignored.
    observed_input, observed_response : array of bool, shape (n,)
        False where the outcome was not shown (aborted trial) and where the
        participant did not answer (time-out).
    trials : array, shape (n,), optional
        The trials' numbers, for the x axis; defaults to ``0 .. n - 1``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One panel: the belief as a line (label ``"belief $m_1$ before the trial"``),
        the shown inputs as dots at 0 and 1, the answers as ticks above (1) and
        below (0), and one shaded column per gap, labelled ``"outcome not shown
        (aborted trial)"`` or ``"no response (time-out)"``.
    """
    belief = np.asarray(belief, dtype=float)
    n = belief.shape[0]
    trials = np.arange(n) if trials is None else np.asarray(trials)
    inputs = np.asarray(inputs)
    responses = np.asarray(responses)
    shown = np.asarray(observed_input, dtype=bool)
    answered = np.asarray(observed_response, dtype=bool)
    for name, array in (
        ("inputs", inputs),
        ("observed_input", shown),
        ("responses", responses),
        ("observed_response", answered),
        ("trials", trials),
    ):
        if array.shape != belief.shape:
            raise ValueError(f"`{name}` has shape {array.shape}, `belief` {belief.shape}.")
    gaps = [
        (~shown, ABORTED_TRIAL_COLOUR, "outcome not shown (aborted trial)"),
        (~answered, MISSED_RESPONSE_COLOUR, "no response (time-out)"),
    ]
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(10, 4.2), layout="constrained")
        for where, colour, label in gaps:
            _shade_trials(ax, trials[where], colour, label, half_width=0.45, alpha=0.25)
        ax.plot(
            trials[shown],
            inputs[shown],
            "o",
            ms=5,
            color=INPUT_COLOR,
            label="input $u$ (outcome shown)",
        )
        ax.plot(
            trials[answered],
            np.where(responses[answered] == 1, 1.12, -0.12),
            "|",
            ms=12,
            mew=2,
            color="C1",
            label="response",
        )
        ax.plot(
            trials,
            belief,
            "-o",
            ms=3.5,
            lw=2,
            color=BELIEF_COLOUR,
            label="belief $m_1$ before the trial",
        )
        ax.set(xlabel="trial", ylabel="P($u$ = 1)", yticks=[0, 0.5, 1], ylim=(-0.22, 1.22))
        ax.set_xlim(trials[0] - 1, trials[-1] + 1)
        if title:
            ax.set_title(title, loc="left")
        fig.legend(loc="outside lower center", ncol=3, frameon=False)
    return _finish(fig)


def plot_deleted_rows(trials, belief, belief_deleted, deleted_trials, *, title=None) -> Figure:
    """Beliefs with the gaps kept as gaps against the same with their rows deleted.

    Parameters
    ----------
    trials : array, shape (n,)
        The trial numbers of the rows both versions keep.
    belief : array, shape (n,)
        The belief before each of those trials, gaps handled by the masks.
    belief_deleted : array, shape (n,)
        The belief before the same trials after the rows with a gap were deleted
        and the rest renumbered.
    deleted_trials : array
        The trial numbers of the deleted rows, drawn as ticks along the top of
        both panels.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Top: both beliefs (labels ``"gaps kept (masks)"`` and ``"rows
        deleted"``); bottom: their difference, ``belief_deleted - belief``
        (label ``"rows deleted - gaps kept"``), with the largest absolute
        difference marked (label ``"largest difference"``).
    """
    trials = np.asarray(trials)
    belief = np.asarray(belief, dtype=float)
    belief_deleted = np.asarray(belief_deleted, dtype=float)
    deleted_trials = np.asarray(deleted_trials)
    if not trials.shape == belief.shape == belief_deleted.shape:
        raise ValueError(
            f"`trials`, `belief` and `belief_deleted` must have one shape, got "
            f"{trials.shape}, {belief.shape} and {belief_deleted.shape}."
        )
    difference = belief_deleted - belief
    largest = int(np.argmax(np.abs(difference)))
    with plt.rc_context(BOOK_STYLE):
        fig, (ax_belief, ax_diff) = plt.subplots(
            2,
            1,
            figsize=(10, 5.6),
            sharex=True,
            height_ratios=(3, 2),
            layout="constrained",
        )
        ax_belief.plot(trials, belief, color=BELIEF_COLOUR, lw=2, label="gaps kept (masks)")
        ax_belief.plot(
            trials, belief_deleted, color=MISS_COLOUR, lw=1.5, ls="--", label="rows deleted"
        )
        ax_belief.set(ylabel="belief $m_1$", ylim=(-0.05, 1.12), yticks=[0, 0.5, 1])
        ax_diff.axhline(0, color="0.6", lw=1)
        ax_diff.plot(
            trials, difference, color=OBSERVED_COLOUR, lw=1.5, label="rows deleted - gaps kept"
        )
        ax_diff.plot(
            trials[largest],
            difference[largest],
            "o",
            color=TRUTH_COLOUR,
            ms=7,
            label="largest difference",
        )
        ax_diff.set(xlabel="trial", ylabel="difference")
        for ax in (ax_belief, ax_diff):
            ax.plot(
                deleted_trials,
                np.ones(deleted_trials.shape),
                "|",
                ms=10,
                color="0.35",
                transform=ax.get_xaxis_transform(),
                label="deleted row" if ax is ax_belief else None,
            )
        if title:
            ax_belief.set_title(title, loc="left")
        handles, labels = [], []
        for ax in (ax_belief, ax_diff):
            h, lab = ax.get_legend_handles_labels()
            handles += h
            labels += lab
        fig.legend(handles, labels, loc="outside lower center", ncol=3, frameon=False)
    return _finish(fig)


# --- Figures of the "Comparing groups" page ------------------------------------------


def highest_density_interval(values, prob: float = 0.94) -> tuple[float, float]:
    """The narrowest interval holding ``prob`` of ``values`` (pooled draws).

    Parameters
    ----------
    values : array_like
        Draws, any shape; they are pooled.
    prob : float in (0, 1)

    Returns
    -------
    (low, high) : tuple of float
        Of all intervals between two sorted draws that hold ``ceil(prob * n)``
        draws, the narrowest (ArviZ's ``hdi`` for a unimodal posterior).
    """
    draws = np.sort(np.asarray(values, dtype=float).ravel())
    n = draws.size
    keep = int(np.ceil(prob * n))
    widths = draws[keep - 1 :] - draws[: n - keep + 1]
    start = int(np.argmin(widths))
    return float(draws[start]), float(draws[start + keep - 1])


def plot_prior_differences(draws: dict, *, marks: dict | None = None, prob=0.95, log_x=()):
    """What a slope prior allows: one histogram of prior draws per quantity.

    Parameters
    ----------
    draws : dict of str to array_like
        Axis label to prior draws of a group difference (or ratio).
    marks : dict of str to dict of str to float, optional
        Per axis label, named reference values drawn as vertical lines (e.g. the
        difference simulated on the page).
    prob : float
        Mass of the central interval drawn under each histogram.
    log_x : sequence of str
        Labels whose panel has a logarithmic x axis (ratios).

    Returns
    -------
    matplotlib.figure.Figure
        Per panel: the histogram, the central interval as a thick line at 0
        (``ax.lines[0]``), then one vertical line per mark, in the order given.
    """
    marks = marks or {}
    tail = (1 - prob) / 2
    styles = [(TRUTH_COLOUR, "--"), ("black", ":"), ("0.45", "-.")]
    with plt.rc_context(BOOK_STYLE):
        fig = plt.figure(figsize=(5.2 * len(draws), 3.9), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(draws)))
        for ax, (name, values) in zip(axes, draws.items(), strict=True):
            values = np.asarray(values, dtype=float).ravel()
            low, high = np.quantile(values, [tail, 1 - tail])
            if name in log_x:
                bins = np.geomspace(values.min(), values.max(), 60)
                ax.set_xscale("log")
            else:
                bins = 60
            ax.hist(values, bins=bins, density=name not in log_x, color="C0", alpha=0.55)
            ax.plot(
                [low, high],
                [0, 0],
                color="black",
                lw=5,
                solid_capstyle="butt",
                label=f"central {prob:.0%} of the prior",
                clip_on=False,
            )
            for (label, value), (colour, style) in zip(
                marks.get(name, {}).items(), styles, strict=False
            ):
                ax.axvline(value, color=colour, ls=style, lw=2, label=label)
            ax.set_xlabel(name)
            ax.set_yticks([])
            ax.legend(frameon=False, loc="upper left", fontsize=11)
        axes[0].set_ylabel("prior draws")
    return _finish(fig)


def plot_group_difference(posteriors: dict, *, truth=None, prob=0.94) -> Figure:
    """Posteriors of one group difference, by the way each was obtained.

    Parameters
    ----------
    posteriors : dict of str to array_like
        A label (``"one model, group term"``) to draws of the difference; pooled.
    truth : float, optional
        The difference the data were simulated with (red dashed line).
    prob : float
        Mass of the highest-density interval drawn under each histogram.

    Returns
    -------
    matplotlib.figure.Figure
        One axis: per posterior, in order, a histogram and its HDI as a thick
        horizontal line (``ax.lines[i]``, below the axis at a height of its own);
        then the truth line, then a grey line at 0.
    """
    with plt.rc_context(BOOK_STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 4.4), layout="constrained")
        every = np.concatenate([np.asarray(v, float).ravel() for v in posteriors.values()])
        bins = np.linspace(min(every.min(), 0.0), every.max(), 70)
        heights = []
        for i, values in enumerate(posteriors.values()):
            values = np.asarray(values, dtype=float).ravel()
            counts, _, _ = ax.hist(
                values, bins=bins, density=True, histtype="stepfilled", alpha=0.35, color=f"C{i}"
            )
            ax.hist(values, bins=bins, density=True, histtype="step", lw=1.5, color=f"C{i}")
            heights.append(counts.max())
        offset = 0.06 * max(heights)
        for i, (label, values) in enumerate(posteriors.items()):
            low, high = highest_density_interval(values, prob)
            ax.plot(
                [low, high],
                [-offset * (i + 1)] * 2,
                color=f"C{i}",
                lw=5,
                solid_capstyle="butt",
                label=f"{label} ({prob:.0%} HDI)",
            )
        if truth is not None:
            ax.axvline(truth, color=TRUTH_COLOUR, ls="--", lw=2, label="simulated difference")
        ax.axvline(0.0, color="0.5", lw=1)
        ax.set_xlabel(r"patients $-$ controls, mean $\omega_2$")
        ax.set_ylabel("posterior density")
        ax.set_yticks([])
        fig.legend(loc="outside lower center", ncol=2, frameon=False)
    return _finish(fig)


def plot_group_checks(observed: dict, intervals: dict, *, prob=0.9) -> Figure:
    """One panel per statistic: each group's observed value against its interval.

    Parameters
    ----------
    observed : dict of str to xarray.DataArray, dims (group,)
        Statistic name (the panel's axis label) to the observed value per group.
    intervals : dict of str to xarray.Dataset, dims (group,)
        The same names to ``lower``, ``median`` and ``upper`` of the replications.
    prob : float
        Mass of the intervals, for the legend.

    Returns
    -------
    matplotlib.figure.Figure
        Per panel: the intervals (``ax.collections[0]``, one segment per group),
        the median (``"predicted, median"``) and the observed values
        (``"observed"``; those outside their interval ``"observed, outside"``).
    """
    names = list(observed)
    with plt.rc_context(BOOK_STYLE):
        fig = plt.figure(figsize=(4.2 * len(names), 3.9), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(names)))
        for ax, name in zip(axes, names, strict=True):
            value = np.asarray(observed[name], dtype=float)
            x = _interval_panel(ax, value, intervals[name], sizes=(8, 22, 7))
            ax.set_xticks(x, [str(g) for g in np.asarray(observed[name]["group"])])
            ax.set_xlim(-0.6, value.size - 0.4)
            ax.set_ylabel(name)
        handles = _interval_handles(sizes=(8, 22, 7))
        labels = [f"predicted, {prob:.0%}", "predicted, median", "observed", "observed, outside"]
        fig.legend(handles, labels, loc="outside lower center", ncol=4, frameon=False)
    return _finish(fig)
