"""Independent NumPy implementations used as references by the tests.

Written from the update equations in SPEC.md, with plain Python loops, sharing no
code with ``hgf_tutorial``.
"""

import numpy as np


def binary_hgf_beliefs(
    omega_2: float, inputs, mu2: float = 0.0, pi2: float = 1.0, observed=None
) -> np.ndarray:
    """First-level expected mean before each trial of a two-level binary HGF.

    ``observed`` (0/1 per trial, default all 1): on a trial whose input was not
    shown the posterior is the prediction (``pi2 = pi2_hat``, ``mu2`` unchanged;
    SPEC "Real data").
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


def unit_square_sigmoid(m, t):
    return m**t / (m**t + (1.0 - m) ** t)


def participant_logp(omega_2, t, responses, inputs) -> np.ndarray:
    """Pointwise log-probability, first trial dropped."""
    p = unit_square_sigmoid(binary_hgf_beliefs(omega_2, inputs), t)
    responses = np.asarray(responses)
    out = np.where(responses == 1, np.log(p), np.log(1.0 - p))
    return out[1:]
