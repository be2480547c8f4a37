"""Figures: each plot function draws the data it is given."""

import numpy as np
import pytest

from hgf_tutorial import plots

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
