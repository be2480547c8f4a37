"""Independent NumPy implementations used as references by the tests.

Written from the update equations of ``book/conventions.md``, with plain Python
loops, sharing no code with ``hgf_tutorial``.
"""

import numpy as np
from scipy import special
from scipy.special import expit

LOG_FLOAT_MAX = np.log(np.finfo(float).max)


def binary_hgf_beliefs(
    omega_2: float, inputs, mu2: float = 0.0, pi2: float = 1.0, observed=None
) -> np.ndarray:
    """First-level expected mean before each trial of a two-level binary HGF.

    ``observed`` (0/1 per trial, default all 1): on a trial whose input was not
    shown the posterior is the prediction (``pi2 = pi2_hat``, ``mu2`` unchanged;
    ``book/conventions.md``, "Gaps in real data").
    """
    if observed is None:
        observed = np.ones(len(inputs))
    beliefs = []
    for u, seen in zip(inputs, observed, strict=True):
        pi2_hat = 1.0 / (1.0 / pi2 + np.exp(omega_2))
        m1 = 1.0 / (1.0 + np.exp(-mu2))
        beliefs.append(m1)
        if seen:
            pi2 = pi2_hat + m1 * (1.0 - m1)
            mu2 = mu2 + (u - m1) / pi2
        else:
            pi2 = pi2_hat
    return np.array(beliefs)


def scored(answered, shown) -> np.ndarray:
    """The responses a likelihood scores, by a loop over trials (last axis).

    Answered, and some outcome shown on an earlier trial: never the first trial,
    nor an answer given while every earlier outcome was aborted (the belief is
    then the prior, whatever the parameters).
    """
    answered = np.asarray(answered, dtype=bool)
    shown = np.asarray(shown, dtype=bool)
    out = np.zeros(answered.shape, dtype=bool)
    for index in np.ndindex(answered.shape[:-1]):
        for k in range(answered.shape[-1]):
            out[index + (k,)] = answered[index + (k,)] and shown[index][:k].any()
    return out


def unit_square_sigmoid(m, t):
    return m**t / (m**t + (1.0 - m) ** t)


def participant_logp(omega_2, t, responses, inputs) -> np.ndarray:
    """Pointwise log-probability, first trial dropped."""
    p = unit_square_sigmoid(binary_hgf_beliefs(omega_2, inputs), t)
    responses = np.asarray(responses)
    out = np.where(responses == 1, np.log(p), np.log(1.0 - p))
    return out[1:]


def hgf3_step(omega_2, omega_3, state, u, seen, *, aborted="pyhgf"):
    """One trial of the three-level binary HGF (kappa = 1, time step 1), pyhgf 0.3.2's.

    Observed trials: written from the update equations in pyhgf's source
    (prediction: ``updates/prediction/continuous.py`` and ``binary.py``; level 2:
    ``posterior/continuous/continuous_node_posterior_update.py``; level 3, the
    default "unbounded" volatility update:
    ``continuous_node_posterior_update_unbounded.py``). Two things differ from
    Mathys et al. (2014): level 2's predicted volatility includes the Gaussian
    moment correction ``exp(omega_2 + mu3_hat + 1 / (2 pi3_hat))``, and level 3 is
    updated with the "unbounded" scheme: the posterior is a mixture of two
    Gaussian approximations of the level-3 posterior, one expanded at the
    prediction and one at the mode found with the Lambert W function, mixed
    according to the log-density at each mean. Lambert W comes from SciPy here.

    Aborted trials (``seen`` 0), ``aborted="pyhgf"``: what pyhgf's
    ``Network.input_data`` documents for its ``observed`` mask. The binary node
    sends no prediction error, so level 2 keeps its mean and its precision decays
    by one step of its Gaussian random walk, ``pi2 = 1 / (1 / pi2 + exp(omega_2 +
    mu3))`` (``precision_update_missing_values``: the current level-3 mean, without
    the ``1 / (2 pi3_hat)`` term of the prediction); level 3 has no observed check
    and runs its usual update on that level-2 posterior.
    ``aborted="prediction"``: every level's posterior is its prediction
    (``book/conventions.md``, "Gaps in real data").

    Returns
    -------
    m1, (mu2, pi2, mu3, pi3)
        The belief before the trial and the state after it.
    """
    mu2, pi2, mu3, pi3 = state
    mu3_hat = mu3
    pi3_hat = 1.0 / (1.0 / pi3 + np.exp(omega_3))
    previous_variance = 1.0 / pi2
    mu2_hat = mu2
    pi2_hat = 1.0 / (1.0 / pi2 + np.exp(omega_2 + mu3_hat + 1.0 / (2.0 * pi3_hat)))
    m1 = min(max(expit(mu2_hat), 1e-6), 1.0 - 1e-6)
    if not seen and aborted == "prediction":
        return m1, (mu2_hat, pi2_hat, mu3_hat, pi3_hat)
    if seen:
        pi2 = min(pi2_hat + m1 * (1.0 - m1), 1e10)
        mu2 = mu2_hat + (u - m1) / pi2
    else:
        pi2 = 1.0 / (1.0 / pi2 + np.exp(omega_2 + mu3_hat))

    spread = 1.0 / pi2 + (mu2 - mu2_hat) ** 2
    log_prev = np.log(previous_variance)
    gamma = mu3_hat + omega_2
    w = expit(gamma - log_prev)
    pi_a = pi3_hat + 0.5 * w * (1.0 - w)
    mu_a = mu3_hat + w / (2.0 * pi_a) * (pi2_hat * spread - 1.0)
    log_z = np.log(spread) - np.log(2.0 * pi3_hat) + 0.5 / pi3_hat - gamma
    z = np.exp(min(log_z, LOG_FLOAT_MAX))
    x = gamma + special.lambertw(z).real - 0.5 / pi3_hat - omega_2
    w2 = expit(x + omega_2 - log_prev)
    d2 = spread * np.exp(-np.logaddexp(log_prev, x + omega_2)) - 1.0
    pi_b = pi3_hat + 0.5 * w2 * (w2 + (2.0 * w2 - 1.0) * d2)
    if pi_b <= 0:
        pi_b = pi3_hat + 0.5 * w2 * (1.0 - w2)
    mu_b = x + (0.5 * w2 * d2 - pi3_hat * (x - mu3_hat)) / pi_b
    log_density = []
    for mean in (mu_a, mu_b):
        log_variance = np.logaddexp(log_prev, mean + omega_2)
        log_density.append(
            -0.5 * log_variance
            - 0.5 * spread * np.exp(-log_variance)
            - 0.5 * pi3_hat * (mean - mu3_hat) ** 2
        )
    b = expit(log_density[1] - log_density[0])
    mu3 = (1.0 - b) * mu_a + b * mu_b
    variance3 = (1.0 - b) / pi_a + b / pi_b + b * (1.0 - b) * (mu_a - mu_b) ** 2
    return m1, (mu2, pi2, mu3, min(1.0 / variance3, 1e10))


def hgf3_states(omega_2, omega_3, inputs, shown=None, *, aborted="pyhgf"):
    """:func:`hgf3_step` over the trials from ``mu2 = mu3 = 0``, ``pi2 = pi3 = 1``.

    ``shown`` (0/1 per trial) defaults to every input shown.

    Returns
    -------
    dict of arrays (n_trials,)
        ``m1`` (belief before each trial), and ``mu2``, ``pi2``, ``mu3``, ``pi3``
        after each trial.
    """
    if shown is None:
        shown = np.ones(len(inputs))
    state = (0.0, 1.0, 0.0, 1.0)
    out = {key: [] for key in ("m1", "mu2", "pi2", "mu3", "pi3")}
    for u, seen in zip(inputs, shown, strict=True):
        m1, state = hgf3_step(omega_2, omega_3, state, u, seen, aborted=aborted)
        out["m1"].append(m1)
        for key, value in zip(("mu2", "pi2", "mu3", "pi3"), state, strict=True):
            out[key].append(value)
    return {key: np.array(value) for key, value in out.items()}


def rw_beliefs(alpha, inputs, shown=None):
    """Rescorla-Wagner, ``v <- v + alpha (u - v)`` only on observed inputs, clipped.

    ``shown`` (0/1 per trial) defaults to every input shown.
    """
    if shown is None:
        shown = np.ones(len(inputs))
    v, values = 0.5, []
    for u, seen in zip(inputs, shown, strict=True):
        values.append(v)
        if seen:
            v = v + alpha * (u - v)
    return np.clip(np.array(values), 1e-6, 1 - 1e-6)
