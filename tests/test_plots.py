"""Figures: each plot function draws the data it is given."""

import numpy as np
import pytest

from hgf_tutorial import plots
from tests import reference

# --- figures of the simulate and likelihood pages ---------------------------------


def test_running_mean_is_a_centred_average():
    values = np.array([0, 0, 1, 1, 1, 0, 0])
    out = plots.running_mean(values, window=3)
    np.testing.assert_allclose(out[1:-1], np.convolve(values, np.ones(3) / 3, mode="valid"))
    assert out[0] == pytest.approx(0.0)  # only two points at the edge: (0 + 0) / 2
    assert out[-1] == pytest.approx(0.0)


def test_plot_inputs_draws_every_trial(inputs):
    fig = plots.plot_inputs(inputs, window=20)
    ax = fig.axes[0]
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(offsets[:, 1], inputs)
    np.testing.assert_array_equal(offsets[:, 0], np.arange(inputs.size))
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), plots.running_mean(inputs, 20))
    # the running mean of a 0/1 sequence stays in [0, 1] and follows it
    assert 0 <= line.get_ydata().min() and line.get_ydata().max() <= 1


def test_plot_response_model_curves_are_the_unit_square_sigmoid():
    temperatures = (0.5, 1.0, 5.0)
    fig = plots.plot_response_model(temperatures)
    lines = fig.axes[0].get_lines()
    assert len(lines) == len(temperatures)
    for line, t in zip(lines, temperatures, strict=True):
        m, p = line.get_xdata(), line.get_ydata()
        np.testing.assert_allclose(p, m**t / (m**t + (1 - m) ** t), rtol=1e-10)
    assert fig.axes[0].get_legend().get_texts()[1].get_text() == "$t$ = 1"
    # t = 1 reproduces the belief
    np.testing.assert_allclose(lines[1].get_ydata(), lines[1].get_xdata(), rtol=1e-10)


def test_plot_population_densities_and_participants(group):
    fig = plots.plot_population((-4.0, 1.0), (0.5, 0.5), data=group)
    ax_omega, ax_t = fig.axes
    density, rug = ax_omega.get_lines()
    x, y = density.get_xdata(), density.get_ydata()
    assert np.trapezoid(y, x) == pytest.approx(1.0, abs=1e-3)
    assert x[np.argmax(y)] == pytest.approx(-4.0, abs=0.02)
    np.testing.assert_array_equal(rug.get_xdata(), group.tonic_volatility.values)
    density_t, rug_t = ax_t.get_lines()
    # log-normal: mode exp(mu - sigma^2) = exp(0.25)
    t_mode = density_t.get_xdata()[np.argmax(density_t.get_ydata())]
    assert t_mode == pytest.approx(np.exp(0.25), abs=0.02)
    np.testing.assert_array_equal(rug_t.get_xdata(), group.inverse_temperature.values)


def test_plot_beliefs_rows_show_each_participant(group):
    fig = plots.plot_beliefs(group, [3, 9])
    assert len(fig.axes) == 2
    for ax, p in zip(fig.axes, [3, 9], strict=True):
        (belief,) = ax.get_lines()
        np.testing.assert_allclose(belief.get_ydata(), group.expected_mean.values[p])
        inputs, responses = ax.collections
        np.testing.assert_array_equal(inputs.get_offsets()[:, 1], group.inputs.values)
        np.testing.assert_array_equal(
            responses.get_offsets()[:, 1] > 0.5, group.responses.values[p] == 1
        )
        assert f"{group.tonic_volatility.values[p]:.2f}" in ax.get_title(loc="left")


def test_plot_loglik_profile_marks_truth_and_maximum():
    grid = np.linspace(-6, -2, 41)
    loglik = -((grid + 4.3) ** 2)
    t_grid = np.geomspace(0.5, 10, 30)
    t_loglik = -(np.log(t_grid / 2.0) ** 2)
    fig = plots.plot_loglik_profile(grid, loglik, -4.0, t_grid, t_loglik, 2.0)
    ax_omega, ax_t = fig.axes
    curve, truth, best = ax_omega.get_lines()
    np.testing.assert_array_equal(curve.get_ydata(), loglik)
    assert truth.get_xdata()[0] == -4.0
    assert best.get_xdata()[0] == pytest.approx(-4.3)
    curve_t, truth_t, best_t = ax_t.get_lines()
    assert truth_t.get_xdata()[0] == 2.0
    assert best_t.get_xdata()[0] == t_grid[np.argmax(t_loglik)]
    assert ax_t.get_xscale() == "log"


# --- figures of the sampling and loo pages -----------------------------------------


def _fake_posterior(n_chains=2, n_draws=200, n_participants=4, seed=0):
    """A posterior DataTree with the model's variable names and known draws."""
    import xarray as xr

    rng = np.random.default_rng(seed)
    dims = ("chain", "draw")
    scalars = {
        "mu_volatility": rng.normal(-4, 0.5, (n_chains, n_draws)),
        "sigma_volatility": np.abs(rng.normal(1, 0.2, (n_chains, n_draws))),
        "mu_temperature": rng.normal(0.5, 0.2, (n_chains, n_draws)),
        "sigma_temperature": np.abs(rng.normal(0.5, 0.1, (n_chains, n_draws))),
    }
    shape = (n_chains, n_draws, n_participants)
    posterior = xr.Dataset(
        {name: (dims, values) for name, values in scalars.items()}
        | {
            "volatility": (dims + ("participant",), rng.normal(-4, 1, shape)),
            "inverse_temperature": (dims + ("participant",), rng.lognormal(0.5, 0.3, shape)),
        },
        coords={"participant": np.arange(n_participants)},
    )
    return xr.DataTree.from_dict({"posterior": posterior})


def test_plot_prior_predictive_histograms_the_simulated_rates(group):
    import xarray as xr

    rng = np.random.default_rng(1)
    simulated = xr.DataArray(
        rng.binomial(1, 0.3, (1, 50, 10, group.sizes["trial"])),
        dims=("chain", "draw", "participant", "trial"),
    )
    fig = plots.plot_prior_predictive(simulated, group)
    ax_rate, ax_agree = fig.axes
    # one vertical line per participant at its observed statistic
    rates = [line.get_xdata()[0] for line in ax_rate.get_lines()]
    np.testing.assert_allclose(rates, group.responses.mean("trial").values)
    agree = [line.get_xdata()[0] for line in ax_agree.get_lines()]
    np.testing.assert_allclose(agree, (group.responses == group.inputs).mean("trial").values)
    # the histogram holds all 50 x 10 simulated choice rates, centred near 0.3
    heights = np.array([patch.get_height() for patch in ax_rate.patches])
    centres = np.array([patch.get_x() + patch.get_width() / 2 for patch in ax_rate.patches])
    assert np.sum(heights * 0.02) == pytest.approx(1.0)
    assert np.average(centres, weights=heights) == pytest.approx(0.3, abs=0.02)


def test_plot_rank_histograms_counts_every_draw():
    idata = _fake_posterior(n_chains=3, n_draws=200)
    fig = plots.plot_rank_histograms(idata, ["mu_volatility", "sigma_temperature"], n_bins=10)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 2
    for ax in visible:
        steps = ax.get_lines()[:3]
        for step in steps:
            assert step.get_ydata().sum() == 200  # each chain's draws, all binned
        # independent draws: every bin near the uniform count 200 / 10
        assert np.all(np.abs(np.concatenate([s.get_ydata() for s in steps]) - 20) < 20)


def test_plot_rank_histograms_show_a_stuck_chain():
    idata = _fake_posterior(n_chains=2, n_draws=400)
    # chain 1 sits above chain 0: it takes all the high ranks
    idata["posterior"]["mu_volatility"].values[1] += 10.0
    fig = plots.plot_rank_histograms(idata, ["mu_volatility"], n_bins=4)
    chain0, chain1 = fig.axes[0].get_lines()[:2]
    np.testing.assert_array_equal(chain0.get_ydata(), [200, 200, 0, 0])
    np.testing.assert_array_equal(chain1.get_ydata(), [0, 0, 200, 200])


def test_plot_group_posteriors_marks_interval_and_truth():
    idata = _fake_posterior()
    truths = {"mu_volatility": -4.0, "sigma_volatility": 1.0, "mu_temperature": 0.5,
              "sigma_temperature": 0.5}  # fmt: skip
    sample = {name: value + 0.1 for name, value in truths.items()}
    fig = plots.plot_group_posteriors(idata, truths, prob=0.9, sample_values=sample)
    for ax, name in zip(fig.axes, plots.GROUP_PARAMETERS, strict=True):
        interval, truth, sample_line = ax.get_lines()
        draws = idata["posterior"][name].values.ravel()
        np.testing.assert_allclose(interval.get_xdata(), np.quantile(draws, [0.05, 0.95]))
        assert truth.get_xdata()[0] == truths[name]
        assert sample_line.get_xdata()[0] == pytest.approx(sample[name])


def test_plot_individual_estimates_plots_means_against_truth():
    import xarray as xr

    idata = _fake_posterior(n_participants=4)
    data = xr.Dataset(
        {
            "tonic_volatility": ("participant", [-5.0, -4.0, -3.5, -3.0]),
            "inverse_temperature": ("participant", [0.8, 1.5, 2.0, 3.0]),
        },
        coords={"participant": np.arange(4)},
    )
    fig = plots.plot_individual_estimates(idata, data, prob=0.9)
    posterior = idata["posterior"]
    ax_omega, ax_t = fig.axes
    for ax, name, truth_name in [
        (ax_omega, "volatility", "tonic_volatility"),
        (ax_t, "inverse_temperature", "inverse_temperature"),
    ]:
        points = ax.containers[0].lines[0]
        np.testing.assert_array_equal(points.get_xdata(), data[truth_name].values)
        np.testing.assert_allclose(
            points.get_ydata(), posterior[name].mean(("chain", "draw")).values
        )
    group_line = [line for line in ax_omega.get_lines() if line.get_linestyle() == ":"][0]
    assert group_line.get_ydata()[0] == pytest.approx(float(posterior["mu_volatility"].mean()))
    assert ax_t.get_xscale() == "log"


def test_plot_pareto_k_places_each_observation():
    from types import SimpleNamespace

    import xarray as xr

    k = np.zeros((3, 5))
    k[1, 2] = 0.9  # one bad observation: participant 1, trial 3
    loo = SimpleNamespace(
        pareto_k=xr.DataArray(
            k,
            dims=("participant", "trial"),
            coords={"participant": [0, 1, 2], "trial": range(1, 6)},
        ),
        good_k=0.7,
    )
    fig = plots.plot_pareto_k(loo)
    ax = fig.axes[0]
    assert len(ax.collections) == 3
    offsets = np.concatenate([c.get_offsets() for c in ax.collections])
    np.testing.assert_array_equal(offsets[:, 0], np.arange(15))
    np.testing.assert_array_equal(offsets[:, 1], k.ravel())
    labels = [text.get_text() for text in ax.texts]
    assert labels == ["participant 1, trial 3"]


# --- figures of the predictive-checks and recovery pages ----------------------------


def _interval(lower, median, upper, dim):
    import xarray as xr

    return xr.Dataset(
        {
            "lower": (dim, np.asarray(lower, float)),
            "median": (dim, np.asarray(median, float)),
            "upper": (dim, np.asarray(upper, float)),
        }
    )


def test_plot_choice_rates_draws_observed_predicted_and_beliefs(group):
    import xarray as xr

    from hgf_tutorial import predictive

    observed = predictive.group_choice_rate(group.responses, window=10)
    interval = _interval(observed - 0.1, observed, observed + 0.1, "trial")
    belief = group.expected_mean.mean("participant")
    fig = plots.plot_choice_rates(observed, interval, belief=belief, inputs=group.inputs.values)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["observed"].get_ydata(), observed.values)
    np.testing.assert_array_equal(lines["predicted, median"].get_ydata(), observed.values)
    np.testing.assert_allclose(lines["mean belief $m_1$"].get_ydata(), belief.values)
    ticks = lines["input"].get_ydata()
    np.testing.assert_array_equal(ticks > 0.5, group.inputs.values == 1)
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].max() == pytest.approx(np.nanmax(observed.values) + 0.1)
    assert isinstance(observed, xr.DataArray)
    assert ax.get_xlabel() == "Trial"


def test_plot_participant_checks_marks_values_outside_their_interval():
    import xarray as xr

    coords = {"participant": [0, 1, 2, 3]}
    observed = {
        "switch rate": xr.DataArray([0.2, 0.5, 0.3, 0.9], dims="participant", coords=coords),
        "proportion of 1": xr.DataArray([0.4, 0.5, 0.6, 0.5], dims="participant", coords=coords),
    }
    intervals = {
        "switch rate": _interval([0.1] * 4, [0.25] * 4, [0.4] * 4, "participant"),
        "proportion of 1": _interval([0.3] * 4, [0.5] * 4, [0.7] * 4, "participant"),
    }
    fig = plots.plot_participant_checks(observed, intervals)
    ax_switch, ax_prop = fig.axes
    lines = {line.get_label(): line for line in ax_switch.get_lines()}
    np.testing.assert_array_equal(lines["observed"].get_ydata(), [0.2, 0.3])
    np.testing.assert_array_equal(lines["observed, outside"].get_xdata(), [1, 3])
    np.testing.assert_array_equal(lines["observed, outside"].get_ydata(), [0.5, 0.9])
    segments = ax_switch.collections[0].get_segments()
    assert [tuple(s[:, 1]) for s in segments] == [(0.1, 0.4)] * 4
    assert ax_switch.get_ylabel() == "switch rate"
    labels = [line.get_label() for line in ax_prop.get_lines()]
    assert "observed, outside" not in labels


def test_plot_recovery_points_are_truth_against_posterior_mean():
    import pandas as pd

    rows = []
    for name, true, mean in (
        ("volatility", [-5.0, -4.0, -3.0], [-4.6, -4.0, -3.3]),
        ("inverse_temperature", [1.0, 2.0, 4.0], [1.2, 2.0, 3.5]),
    ):
        for i, (t, m) in enumerate(zip(true, mean, strict=True)):
            rows.append(
                {
                    "parameter": name,
                    "participant": i,
                    "true": t,
                    "mean": m,
                    "lower": m - 0.3,
                    "upper": m + 0.3,
                }
            )
    table = pd.DataFrame(rows)
    table["covered"] = (table["lower"] <= table["true"]) & (table["true"] <= table["upper"])
    metrics = pd.DataFrame(
        {"r": [0.9, 0.8], "coverage": [1.0, 1.0], "n": [3, 3]},
        index=["volatility", "log_inverse_temperature"],
    )
    fig = plots.plot_recovery(
        table, group_means={"volatility": -4.0, "inverse_temperature": 2.0}, metrics=metrics
    )
    ax_v, ax_t = fig.axes
    lines = {line.get_label(): line for line in ax_v.get_lines()}
    covered = table[(table.parameter == "volatility") & table.covered]
    missed = table[(table.parameter == "volatility") & ~table.covered]
    np.testing.assert_allclose(lines["posterior mean"].get_xdata(), covered["true"])
    np.testing.assert_allclose(lines["posterior mean"].get_ydata(), covered["mean"])
    np.testing.assert_allclose(lines["interval misses truth"].get_ydata(), missed["mean"])
    identity = lines["identity (truth)"]
    np.testing.assert_array_equal(identity.get_xdata(), identity.get_ydata())
    assert lines["group mean"].get_ydata()[0] == -4.0
    assert "r = 0.90" in ax_v.get_title() and "r = 0.80" in ax_t.get_title()
    assert ax_t.get_xscale() == "log" and ax_t.get_yscale() == "log"


# --- figures of the model comparison page ---------------------------------------------


def test_plot_family_beliefs_draws_each_trajectory(inputs):
    beliefs = {
        "hgf2": ("two-level", np.linspace(0.2, 0.8, inputs.size)),
        "rw": ("Rescorla-Wagner", np.full(inputs.size, 0.5)),
    }
    fig = plots.plot_family_beliefs(inputs, beliefs)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.collections[0].get_offsets()[:, 1], inputs)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["two-level", "Rescorla-Wagner"]
    for line, (_, values) in zip(lines, beliefs.values(), strict=True):
        np.testing.assert_allclose(line.get_ydata(), values)
    assert lines[0].get_color() == plots.FAMILY_COLORS["hgf2"]


def test_plot_model_comparison_places_differences_and_errors():
    import pandas as pd

    table = pd.DataFrame(
        {"elpd_diff": [0.0, -1.5, -30.0], "dse": [0.0, 1.2, 7.0], "weight": [0.7, 0.3, 0.0]},
        index=["hgf2", "hgf3", "rw"],
    )
    fig = plots.plot_model_comparison({"panel": table}, {"rw": "Rescorla-Wagner"})
    ax = fig.axes[0]
    assert len(ax.containers) == 6  # two error bars per model
    for row, (_, values) in enumerate(table.iterrows()):
        wide, narrow = ax.containers[2 * row], ax.containers[2 * row + 1]
        x, y = narrow.lines[0].get_data()
        assert x[0] == pytest.approx(values["elpd_diff"]) and y[0] == -row
        for container, k in ((narrow, 1), (wide, 2)):
            (segment,) = container.lines[2][0].get_segments()
            np.testing.assert_allclose(
                segment[:, 0],
                [
                    values["elpd_diff"] - k * values["dse"],
                    values["elpd_diff"] + k * values["dse"],
                ],
            )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["hgf2", "hgf3", "Rescorla-Wagner"]
    assert [t.get_text() for t in ax.texts] == ["weight 0.70", "weight 0.30", "weight 0.00"]


# --- figures of the scaling page ---------------------------------------------------


def test_plot_sampler_benchmark_bars_are_the_ratios():
    import pandas as pd

    table = pd.DataFrame(
        {
            "label": ["original", "fast", "risky"],
            "ratio": [1.0, 3.2, 2.0],
            "ratio_min": [1.0, 3.0, 1.5],
            "ratio_max": [1.0, 3.5, 2.5],
            "wall_s": [16.0, 12.4, 20.0],
            "divergences": [0, 0, 2],
            "max_rhat": [1.002, 1.004, 1.3],
        }
    )
    fig = plots.plot_sampler_benchmark(table, goal=3.0)
    ax = fig.axes[0]
    bars = ax.patches[:3]
    np.testing.assert_allclose([b.get_width() for b in bars], table["ratio"])
    np.testing.assert_allclose([b.get_y() + b.get_height() / 2 for b in bars], [0, -1, -2])
    # only the configuration whose chains disagreed is hatched
    assert [b.get_hatch() for b in bars] == [None, None, "//"]
    table.loc[2, "max_rhat"] = 1.003  # divergences alone are counted, not hatched
    again = plots.plot_sampler_benchmark(table, goal=3.0).axes[0]
    assert [b.get_hatch() for b in again.patches[:3]] == [None, None, None]
    (segments,) = [c for c in ax.collections if len(c.get_segments()) == 3]
    ends = [s[:, 0] for s in segments.get_segments()]
    np.testing.assert_allclose(ends, [[1, 1], [3, 3.5], [1.5, 2.5]])
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [1.0, 3.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["original", "fast", "risky"]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["1.00x, 16 s", "3.20x, 12 s", "2.00x, 20 s, 2 div."]
    # labels sit right of the bar or of its range, whichever is longer
    np.testing.assert_allclose([t.xy[0] for t in ax.texts], [1.0, 3.5, 2.5])


def test_plot_scaling_cost_lines_follow_the_table():
    import pandas as pd

    n = [10, 100, 1000]
    table = pd.DataFrame(
        {
            "n_participants": n * 2,
            "method": ["vmap"] * 3 + ["chunks"] * 3,
            "ms_value_grad": [0.2, 2.0, 80.0, 0.25, 2.1, 20.0],
        }
    )
    table["us_per_participant"] = 1e3 * table["ms_value_grad"] / table["n_participants"]
    fig = plots.plot_scaling_cost(table.iloc[::-1])  # order of rows does not matter
    ax_ms, ax_pp = fig.axes
    labels = [line.get_label() for line in ax_ms.get_lines()]
    assert labels == ["chunks", "vmap"]
    chunks, vmap = ax_pp.get_lines()
    np.testing.assert_array_equal(vmap.get_xdata(), n)
    np.testing.assert_allclose(vmap.get_ydata(), [20.0, 20.0, 80.0])
    np.testing.assert_allclose(chunks.get_ydata(), [25.0, 21.0, 20.0])
    np.testing.assert_allclose(ax_ms.get_lines()[1].get_ydata(), [0.2, 2.0, 80.0])
    assert ax_ms.get_xscale() == "log" and ax_ms.get_yscale() == "log"


def test_plot_fit_cost_minutes_per_fit_and_per_1000_effective_samples():
    import pandas as pd

    runs = pd.DataFrame(
        {
            "n_participants": [1000, 10, 100],
            "wall_s": [3600.0, 12.0, 120.0],
            "min_ess_bulk": [1200.0, 2400.0, 2000.0],
            "grad_evals_per_draw": [40.0, 6.0, 20.0],
        }
    )
    fig = plots.plot_fit_cost(runs)
    ax_time, ax_steps = fig.axes
    whole, per_1000 = ax_time.get_lines()
    np.testing.assert_array_equal(whole.get_xdata(), [10, 100, 1000])
    np.testing.assert_allclose(whole.get_ydata(), [0.2, 2.0, 60.0])
    np.testing.assert_allclose(per_1000.get_ydata(), [0.2 / 2.4, 1.0, 50.0])
    np.testing.assert_allclose(ax_steps.get_lines()[0].get_ydata(), [6.0, 20.0, 40.0])
    assert ax_time.get_yscale() == "log"


def test_plot_advi_against_nuts_means_and_sd_ratios():
    import pandas as pd

    table = pd.DataFrame(
        {
            "variable": ["volatility"] * 3 + ["inverse_temperature"] * 2,
            "nuts_mean": [-3.0, -2.0, -1.0, 2.0, 3.0],
            "nuts_sd": [0.5, 0.4, 0.2, 0.3, 0.3],
            "advi_mean": [-2.9, -2.1, -1.0, 2.2, 2.8],
            "advi_sd": [0.25, 0.3, 0.2, 0.1, 0.2],
        }
    )
    fig = plots.plot_advi_against_nuts(table, "volatility")
    ax_mean, ax_sd = fig.axes
    means = ax_mean.collections[0].get_offsets()
    np.testing.assert_allclose(means, [[-3.0, -2.9], [-2.0, -2.1], [-1.0, -1.0]])
    ratios = ax_sd.collections[0].get_offsets()[:, 1]
    np.testing.assert_allclose(ratios, [0.5, 0.75, 1.0])
    with pytest.raises(ValueError, match="no rows"):
        plots.plot_advi_against_nuts(table, "learning_rate")


def test_plot_loglik_memory_bars_and_result_sizes():
    import pandas as pd

    table = pd.DataFrame(
        {
            "n_participants": [10, 10, 100, 100],
            "chains": [4, 4, 4, 4],
            "draws": [1000, 1000, 100, 100],
            "mode": ["default chunks", "one block", "default chunks", "one block"],
            "extra_peak_mb": [150.0, 210.0, 1030.0, 1980.0],
            "result_mb": [97.0, 97.0, 974.0, 974.0],
        }
    )
    fig = plots.plot_loglik_memory(table)
    ax = fig.axes[0]
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, [150.0, 1030.0, 210.0, 1980.0])
    (ticks,) = ax.collections
    np.testing.assert_allclose([s[0, 1] for s in ticks.get_segments()], [97.0, 974.0])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["10 participants\n4 x 1000 draws", "100 participants\n4 x 100 draws"]


# --- figures of the page on a study's own data --------------------------------------


def test_plot_gaps_marks_each_gap_and_draws_only_what_was_observed():
    belief = np.array([0.5, 0.6, 0.6, 0.7, 0.65, 0.66])
    inputs = np.array([1, 0, 1, 1, 0, 1])
    shown = np.array([True, False, True, True, True, True])
    responses = np.array([1, 1, 0, 1, 1, 0])
    answered = np.array([True, True, True, False, True, True])
    trials = np.arange(10, 16)
    fig = plots.plot_gaps(belief, inputs, shown, responses, answered, trials=trials)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    belief_line = lines["belief $m_1$ before the trial"]
    np.testing.assert_array_equal(belief_line.get_xdata(), trials)
    np.testing.assert_array_equal(belief_line.get_ydata(), belief)
    # the aborted trial's input is not drawn, nor the time-out's response
    np.testing.assert_array_equal(lines["input $u$ (outcome shown)"].get_xdata(), trials[shown])
    np.testing.assert_array_equal(lines["response"].get_xdata(), trials[answered])
    np.testing.assert_array_equal(lines["response"].get_ydata() > 0.5, responses[answered] == 1)
    spans = {patch.get_label(): patch for patch in ax.patches}
    aborted = spans["outcome not shown (aborted trial)"]
    missed = spans["no response (time-out)"]
    assert len(ax.patches) == 2
    assert aborted.get_x() + aborted.get_width() / 2 == pytest.approx(11)
    assert missed.get_x() + missed.get_width() / 2 == pytest.approx(13)
    with pytest.raises(ValueError, match="observed_input"):
        plots.plot_gaps(belief, inputs, shown[:-1], responses, answered)


def test_plot_deleted_rows_shows_the_difference_and_its_largest_value():
    trials = np.array([1, 2, 4, 5, 6])
    belief = np.array([0.5, 0.55, 0.6, 0.62, 0.64])
    deleted = np.array([0.5, 0.55, 0.5, 0.7, 0.63])
    fig = plots.plot_deleted_rows(trials, belief, deleted, [3])
    ax_belief, ax_diff = fig.axes
    top = {line.get_label(): line for line in ax_belief.get_lines()}
    np.testing.assert_array_equal(top["gaps kept (masks)"].get_ydata(), belief)
    np.testing.assert_array_equal(top["rows deleted"].get_ydata(), deleted)
    np.testing.assert_array_equal(top["deleted row"].get_xdata(), [3])
    bottom = {line.get_label(): line for line in ax_diff.get_lines()}
    difference = bottom["rows deleted - gaps kept"]
    np.testing.assert_array_equal(difference.get_xdata(), trials)
    np.testing.assert_allclose(difference.get_ydata(), deleted - belief)
    largest = bottom["largest difference"]
    assert largest.get_xdata()[0] == 4
    assert largest.get_ydata()[0] == pytest.approx(-0.1)
    with pytest.raises(ValueError, match="one shape"):
        plots.plot_deleted_rows(trials, belief, deleted[:-1], [3])


# --- figures of the "Comparing groups" page -----------------------------------------


def test_highest_density_interval_is_the_narrowest_holding_prob():
    rng = np.random.default_rng(3)
    draws = rng.gamma(2.0, 1.0, 1000)  # skewed: the HDI is not the central interval
    low, high = plots.highest_density_interval(draws, 0.9)
    assert np.mean((draws >= low) & (draws <= high)) >= 0.9
    ordered = np.sort(draws)  # brute force: every window of 900 sorted draws
    widths = [ordered[i + 899] - ordered[i] for i in range(len(ordered) - 899)]
    assert high - low == pytest.approx(min(widths))
    central = np.quantile(draws, [0.05, 0.95])
    assert high - low < central[1] - central[0]
    assert low < central[0]  # shifted towards the mode


def test_plot_prior_differences_marks_interval_and_values():
    rng = np.random.default_rng(0)
    omega = rng.normal(0, 1, 2000)
    ratio = np.exp(rng.normal(0, 0.5, 2000))
    fig = plots.plot_prior_differences(
        {"omega": omega, "ratio": ratio},
        marks={"omega": {"simulated": 1.0, "other": -2.0}},
        prob=0.9,
        log_x=("ratio",),
    )
    ax_omega, ax_ratio = fig.axes
    interval, simulated, other = ax_omega.get_lines()
    np.testing.assert_allclose(interval.get_xdata(), np.quantile(omega, [0.05, 0.95]))
    assert simulated.get_xdata()[0] == 1.0 and simulated.get_label() == "simulated"
    assert other.get_xdata()[0] == -2.0
    assert ax_ratio.get_xscale() == "log" and ax_omega.get_xscale() == "linear"
    (ratio_interval,) = ax_ratio.get_lines()
    np.testing.assert_allclose(ratio_interval.get_xdata(), np.quantile(ratio, [0.05, 0.95]))


def test_plot_group_difference_draws_each_hdi_and_the_truth():
    rng = np.random.default_rng(1)
    one = rng.normal(1.0, 0.3, (2, 500))
    two = rng.normal(0.8, 0.5, 1000)
    fig = plots.plot_group_difference({"one model": one, "separately": two}, truth=1.0, prob=0.9)
    (ax,) = fig.axes
    first, second, truth, zero = ax.get_lines()
    np.testing.assert_allclose(first.get_xdata(), plots.highest_density_interval(one, 0.9))
    np.testing.assert_allclose(second.get_xdata(), plots.highest_density_interval(two, 0.9))
    assert first.get_ydata()[0] > second.get_ydata()[0]  # stacked below the axis
    assert first.get_label() == "one model (90% HDI)"
    assert truth.get_xdata()[0] == 1.0 and zero.get_xdata()[0] == 0.0


def test_plot_group_checks_marks_groups_outside_their_interval():
    import xarray as xr

    coords = {"group": ["control", "patient"]}
    observed = {
        "switch rate": xr.DataArray([0.2, 0.5], dims="group", coords=coords),
        "proportion of 1": xr.DataArray([0.45, 0.55], dims="group", coords=coords),
    }
    intervals = {
        "switch rate": _interval([0.1, 0.1], [0.2, 0.2], [0.3, 0.3], "group"),
        "proportion of 1": _interval([0.4, 0.5], [0.45, 0.55], [0.5, 0.6], "group"),
    }
    fig = plots.plot_group_checks(observed, intervals, prob=0.9)
    ax_switch, ax_prop = fig.axes[:2]
    lines = {line.get_label(): line for line in ax_switch.get_lines()}
    np.testing.assert_array_equal(lines["observed"].get_ydata(), [0.2])
    np.testing.assert_array_equal(lines["observed, outside"].get_xdata(), [1])
    segments = ax_switch.collections[0].get_segments()
    assert [tuple(s[:, 1]) for s in segments] == [(0.1, 0.3)] * 2
    assert [t.get_text() for t in ax_switch.get_xticklabels()] == ["control", "patient"]
    assert "observed, outside" not in [line.get_label() for line in ax_prop.get_lines()]


# --- every figure that takes a dataset or a fit, on a lab's own table ----------------
# (from_dataframe: no true parameters, participants of unequal length, both kinds of gap)


@pytest.fixture(scope="module")
def table():
    """A lab's export: 6 participants, 3 of whom stop early, with time-outs and aborted trials."""
    from hgf_tutorial import data

    return data.to_dataframe(data.simulate_study(6, seed=10))


@pytest.fixture(scope="module")
def own(table):
    from hgf_tutorial import data

    return data.from_dataframe(table, covariates=["group", "age"])


def _rows(table, label):
    """A participant's rows in trial order, with their positions 0, 1, ..."""
    return table[table["participant"] == label].sort_values("trial").reset_index(drop=True)


def test_own_table_is_ragged_and_gappy(table):
    counts = table.groupby("participant").size()
    assert sorted(counts) == [246, 282, 308, 320, 320, 320]
    assert table["input"].isna().any() and table["response"].isna().any()


def test_plot_beliefs_on_own_data_draws_each_participant_up_to_their_last_trial(table, own):
    chosen = ["sub-01", "sub-02", "sub-03"]
    fig = plots.plot_beliefs(own, chosen)
    assert len(fig.axes) == 3
    for ax, label in zip(fig.axes, chosen, strict=True):
        rows = _rows(table, label)
        shown = rows["input"].notna().to_numpy()
        answered = rows["response"].notna().to_numpy()
        inputs, responses = ax.collections
        # the inputs shown, at their positions: an aborted trial is no input 0
        np.testing.assert_array_equal(inputs.get_offsets()[:, 0], np.flatnonzero(shown))
        np.testing.assert_array_equal(inputs.get_offsets()[:, 1], rows["input"][shown])
        np.testing.assert_array_equal(responses.get_offsets()[:, 0], np.flatnonzero(answered))
        np.testing.assert_array_equal(
            responses.get_offsets()[:, 1] > 0.5, rows["response"][answered] == 1
        )
        assert inputs.get_offsets()[:, 0].max() < len(rows)  # nothing in the padding
        # one shaded column per gap, centred on its trial
        centres = sorted(p.get_x() + p.get_width() / 2 for p in ax.patches)
        gaps = np.sort(np.concatenate([np.flatnonzero(~shown), np.flatnonzero(~answered)]))
        np.testing.assert_allclose(centres, gaps)
        # no truth and no beliefs in a lab's table: no belief line, no parameters
        assert ax.get_lines() == []
        title = ax.get_title(loc="left")
        assert "=" not in title
        assert (f"({len(rows)} of 320 trials)" in title) == (len(rows) < 320)
    assert fig.axes[0].get_xlim()[1] == pytest.approx(321)  # the longest drawn: 320 trials


def test_plot_beliefs_draws_given_beliefs_over_each_participants_trials(table, own):
    beliefs = np.linspace(0.1, 0.9, own.sizes["trial"])[None, :] * np.ones((6, 1))
    beliefs[2] = 0.25
    fig = plots.plot_beliefs(own, ["sub-03", "sub-06"], beliefs=beliefs)
    for ax, label, row in zip(fig.axes, ["sub-03", "sub-06"], [2, 5], strict=True):
        (line,) = ax.get_lines()
        n = len(_rows(table, label))
        np.testing.assert_array_equal(line.get_xdata(), np.arange(n))
        np.testing.assert_array_equal(line.get_ydata(), beliefs[row, :n])
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == 246
    with pytest.raises(ValueError, match="`beliefs`"):
        plots.plot_beliefs(own, ["sub-03"], beliefs=beliefs[:, :10])
    with pytest.raises(ValueError, match="`participants`"):
        plots.plot_beliefs(own, ["sub-99"])


def test_plot_beliefs_on_a_simulated_study_shows_truth_and_beliefs():
    from hgf_tutorial import data

    study = data.simulate_study(6, seed=10)
    fig = plots.plot_beliefs(study, ["sub-03"])
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    n = int(study["n_trials"].values[2])
    assert n == 246 and len(line.get_xdata()) == n
    np.testing.assert_array_equal(line.get_ydata(), study["expected_mean"].values[2, :n])
    assert f"= {study['tonic_volatility'].values[2]:.2f}" in ax.get_title(loc="left")


def test_plot_population_marks_no_participants_without_their_true_values(own):
    fig = plots.plot_population(data=own)
    for ax in fig.axes:
        (density,) = ax.get_lines()  # the density alone: no rug of unknown values


def _synthetic_sequences(own, value_on_answered, value_elsewhere, n_draws=5):
    import xarray as xr

    answered = own["observed_response"].values
    grid = np.where(answered, value_on_answered, value_elsewhere)
    return xr.DataArray(
        np.broadcast_to(grid, (1, n_draws, *grid.shape)).copy(),
        dims=("chain", "draw", "participant", "trial"),
    )


def test_plot_prior_predictive_counts_answered_trials_only(table, own):
    # every simulated answer 1 where the participant answered, 0 in the gaps and the
    # padding: a rate over the answered trials is exactly 1
    simulated = _synthetic_sequences(own, 1, 0)
    fig = plots.plot_prior_predictive(simulated, own)
    ax_rate, ax_agree = fig.axes
    heights = np.array([patch.get_height() for patch in ax_rate.patches])
    assert heights[-1] > 0 and (heights[:-1] == 0).all()
    # the data's statistics, one line per participant, from the table itself
    by_participant = table.groupby("participant", sort=False)
    rates = by_participant["response"].apply(lambda r: r.dropna().mean())
    both = table.dropna(subset=["input", "response"])
    agree = both.groupby("participant", sort=False).apply(
        lambda rows: (rows["response"] == rows["input"]).mean(), include_groups=False
    )
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in ax_rate.get_lines()], rates)
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in ax_agree.get_lines()], agree)


def test_plot_prior_predictive_takes_the_scored_responses_of_the_prior_predictive(table, own):
    import xarray as xr

    scored = reference.scored(own["observed_response"].values, own["observed_input"].values)
    values = own["responses"].values[scored]
    simulated = xr.DataArray(
        np.broadcast_to(values, (1, 3, values.size)), dims=("chain", "draw", "observation")
    )
    fig = plots.plot_prior_predictive(simulated, own)
    ax_rate, _ = fig.axes
    # the scored responses: answered, after an outcome was shown (reference.scored)
    rates = [own["responses"].values[i][scored[i]].mean() for i in range(scored.shape[0])]
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in ax_rate.get_lines()], rates)
    with pytest.raises(ValueError, match="`prior_responses`"):
        plots.plot_prior_predictive(simulated.isel(observation=slice(1, None)), own)


def _own_posterior(own, *, reverse=False, temperature=True, seed=0):
    import xarray as xr

    rng = np.random.default_rng(seed)
    labels = own["participant"].values[::-1] if reverse else own["participant"].values
    shape = (2, 100, labels.size)
    dims = ("chain", "draw", "participant")
    variables = {
        "mu_volatility": (("chain", "draw"), rng.normal(-4, 0.3, shape[:2])),
        "volatility": (dims, rng.normal(np.arange(labels.size) - 6.0, 0.2, shape)),
    }
    if temperature:
        variables["mu_temperature"] = (("chain", "draw"), rng.normal(0.5, 0.1, shape[:2]))
        variables["inverse_temperature"] = (dims, rng.lognormal(0.5, 0.3, shape))
    posterior = xr.Dataset(variables, coords={"participant": labels})
    return xr.DataTree.from_dict({"posterior": posterior})


def test_plot_individual_estimates_without_truth_draws_each_participant(own):
    idata = _own_posterior(own, reverse=True)
    fig = plots.plot_individual_estimates(idata, own)
    ax_omega, ax_t = fig.axes
    labels = list(own["participant"].values)
    for ax, name in [(ax_omega, "volatility"), (ax_t, "inverse_temperature")]:
        points = ax.containers[0].lines[0]
        np.testing.assert_array_equal(points.get_xdata(), np.arange(6))
        # in the data's order, whatever the fit's
        means = idata["posterior"][name].mean(("chain", "draw")).sel(participant=labels)
        np.testing.assert_allclose(points.get_ydata(), means.values)
        assert [t.get_text() for t in ax.get_xticklabels()] == labels
        assert "identity" not in ax.get_legend_handles_labels()[1] + [
            line.get_label() for line in ax.get_lines()
        ]
    group = [line for line in ax_omega.get_lines() if line.get_linestyle() == ":"][0]
    assert group.get_ydata()[0] == pytest.approx(float(idata["posterior"]["mu_volatility"].mean()))
    assert ax_t.get_yscale() == "log"


def test_plot_individual_estimates_skips_a_fixed_parameter(own):
    fig = plots.plot_individual_estimates(_own_posterior(own, temperature=False), own)
    assert len(fig.axes) == 1
    assert fig.axes[0].get_ylabel() == r"estimated $\omega_2$"


def test_plot_group_posteriors_without_truths_draws_no_truth_line():
    idata = _fake_posterior()
    fig = plots.plot_group_posteriors(idata)
    for ax in fig.axes:
        (interval,) = ax.get_lines()
        assert interval.get_label() == "94% interval"


def test_group_figures_name_variables_the_posterior_lacks():
    idata = _fake_posterior()
    del idata["posterior"]["mu_temperature"]
    for plot in (plots.plot_group_posteriors, plots.plot_rank_histograms):
        with pytest.raises(ValueError, match=r"`var_names`.*\['mu_temperature'\]"):
            plot(idata)
