"""Figures for the book. Each function draws one figure and returns it."""

from __future__ import annotations

import graphviz
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from hgf_tutorial.perception import response_probability


def workflow_diagram() -> graphviz.Digraph:
    """The tutorial's workflow, one box per page, with the module behind it."""
    graph = graphviz.Digraph("workflow", graph_attr={"rankdir": "LR", "bgcolor": "transparent"})
    graph.attr(
        "node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"
    )
    steps = [
        ("simulate", "Simulate a group\n(simulate)"),
        ("likelihood", "Log-probability of\none participant, vmapped\n(likelihood)"),
        ("model", "Hierarchical model\nin PyMC\n(model)"),
        ("sampling", "NUTS and\ndiagnostics\n(sampling)"),
        ("loo", "Pointwise log-lik.\nand LOO\n(loo)"),
    ]
    for name, label in steps:
        graph.node(name, label)
    for (a, _), (b, _) in zip(steps, steps[1:], strict=False):
        graph.edge(a, b)
    return graph


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

#: Colour of data (inputs), of a model quantity, and of true simulation values.
INPUT_COLOR = "0.35"
TRUE_COLOR = "#c0392b"


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
        A dataset from :func:`~hgf_tutorial.simulate_group`; its participants'
        ``tonic_volatility`` and ``inverse_temperature`` are marked.
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
            if data is not None:
                values = np.asarray(data[name])
                ax.plot(
                    values,
                    np.zeros_like(values),
                    "|",
                    color=TRUE_COLOR,
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


def plot_beliefs(data, participants) -> Figure:
    """Inputs, beliefs and responses of a few simulated participants, one row each.

    Parameters
    ----------
    data : xarray.Dataset
        From :func:`~hgf_tutorial.simulate_group`.
    participants : sequence of int
        Participant labels (values of the ``participant`` coordinate) to draw.
    """
    participants = list(participants)
    inputs = np.asarray(data["inputs"])
    trials = np.arange(inputs.shape[-1])
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
        for ax, p in zip(axes[:, 0], participants, strict=True):
            one = data.sel(participant=p)
            responses = np.asarray(one["responses"])
            ax.scatter(
                trials, inputs, marker="o", s=6, color=INPUT_COLOR, alpha=0.6, label="input $u$"
            )
            ax.scatter(
                trials,
                np.where(responses == 1, 1.12, -0.12),
                marker="|",
                s=40,
                color="C1",
                label="response",
            )
            ax.plot(trials, np.asarray(one["expected_mean"]), color="C0", lw=2, label="belief $m$")
            ax.set_title(
                f"participant {p}:  "
                + r"$\omega_2$"
                + f" = {float(one['tonic_volatility']):.2f},  "
                + f"$t$ = {float(one['inverse_temperature']):.2f}",
                loc="left",
            )
            ax.set(ylabel="P($u$ = 1)", yticks=[0, 0.5, 1], ylim=(-0.22, 1.22))
        axes[-1, 0].set(xlabel="trial", xlim=(-2, trials[-1] + 2))
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncol=3, frameon=False)
    return _finish(fig)


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
            ax.axvline(true, color=TRUE_COLOR, ls="--", lw=1.5, label="true value")
            best = np.argmax(loglik)
            ax.plot(grid[best], loglik[best], "o", color="C0", ms=7, label="grid maximum")
            ax.set(xlabel=label)
        axes[1].set_xscale("log")
        for ax in axes:
            ax.set_ylabel("log-likelihood (nats)")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncol=3, frameon=False)
    return _finish(fig)
