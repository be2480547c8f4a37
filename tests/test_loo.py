import numpy as np
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial.loo import chunk_size
from tests import reference


@pytest.fixture(scope="module")
def small():
    return ht.simulate_group(3, seed=4)


def fake_posterior(n_chains, n_draws, n_participants, seed=0):
    """Parameter draws laid out as PyMC returns them (not a sampler: just values)."""
    rng = np.random.default_rng(seed)
    coords = {
        "chain": np.arange(n_chains),
        "draw": np.arange(n_draws),
        "participant": np.arange(n_participants),
    }
    posterior = xr.Dataset(
        {
            "volatility": (
                ("chain", "draw", "participant"),
                rng.normal(-4, 1, (n_chains, n_draws, n_participants)),
            ),
            "inverse_temperature": (
                ("chain", "draw", "participant"),
                np.exp(rng.normal(0.5, 0.5, (n_chains, n_draws, n_participants))),
            ),
        },
        coords=coords,
    )
    return xr.DataTree.from_dict({"posterior": posterior})


def test_dims_shape_and_values(small):
    idata = ht.add_log_likelihood(fake_posterior(2, 5, 3), small)
    ll = idata["log_likelihood"]["responses"]
    assert ll.dims == ("chain", "draw", "observation")
    assert ll.shape == (2, 5, 3 * 319)
    # every participant's trials 1..319 in turn, labelled along the observation dim
    np.testing.assert_array_equal(ll["trial"].values, np.tile(np.arange(1, 320), 3))
    np.testing.assert_array_equal(ll["participant"].values, np.repeat([0, 1, 2], 319))
    post = idata["posterior"]
    for chain, draw, participant in [(0, 0, 0), (1, 4, 2), (0, 3, 1)]:
        v = float(post["volatility"][chain, draw, participant])
        t = float(post["inverse_temperature"][chain, draw, participant])
        want = reference.participant_logp(
            v, t, small.responses.values[participant], small.inputs.values
        )
        got = ll[chain, draw].where(ll["participant"] == participant, drop=True)
        np.testing.assert_allclose(got.values, want, atol=1e-8)


def test_chunking_bounds_the_work_and_changes_nothing(small):
    whole = ht.add_log_likelihood(fake_posterior(2, 7, 3), small)
    one_draw = 3 * 319 * 8
    chunked = ht.add_log_likelihood(
        fake_posterior(2, 7, 3), small, max_chunk_bytes=2 * one_draw + 5
    )
    np.testing.assert_array_equal(
        whole["log_likelihood"]["responses"].values, chunked["log_likelihood"]["responses"].values
    )
    attrs = chunked["log_likelihood"].attrs
    assert attrs["draws_per_chunk"] == 2
    assert attrs["n_chunks"] == 7  # 14 draws, 2 per chunk
    assert whole["log_likelihood"].attrs["n_chunks"] == 1


def test_uneven_chunks_are_padded_so_jax_compiles_once(small):
    from hgf_tutorial.loo import _draws_logp

    whole = ht.add_log_likelihood(fake_posterior(1, 13, 3, seed=2), small)
    jitted = _draws_logp(ht.get_family("hgf2"))
    before = jitted._cache_size()
    # at most 5 draws per chunk: 13 draws in 3 chunks of 5, 5 and 3 (padded to 5)
    chunked = ht.add_log_likelihood(
        fake_posterior(1, 13, 3, seed=2), small, max_chunk_bytes=5 * 3 * 319 * 8
    )
    assert jitted._cache_size() - before <= 1
    attrs = chunked["log_likelihood"].attrs
    assert (attrs["n_chunks"], attrs["draws_per_chunk"]) == (3, 5)
    np.testing.assert_array_equal(
        whole["log_likelihood"]["responses"].values, chunked["log_likelihood"]["responses"].values
    )


def test_chunk_size_for_a_large_study():
    # 1000 participants x 319 trials in float64 is 2.55 MB per draw: a 64 MiB chunk
    # holds 26 draws, so 4000 draws take 154 chunks instead of one 10 GB block.
    assert chunk_size(1000 * 319, 64 * 2**20) == 26
    assert chunk_size(10 * 319, 1) == 1


def test_rejects_mismatched_posterior(small):
    with pytest.raises(ValueError, match=r"3 in `data`, 2 in the fit; only in `data`: \[2\]"):
        ht.add_log_likelihood(fake_posterior(1, 2, 2), small)
    with pytest.raises(ValueError, match="no 'posterior' group"):
        ht.add_log_likelihood(xr.DataTree(), small)


def test_select_participants_keeps_their_draws_and_observations(small):
    from hgf_tutorial.loo import select_participants

    idata = ht.add_log_likelihood(fake_posterior(2, 4, 3), small)
    kept = select_participants(idata, [2, 0])
    post = kept["posterior"]["volatility"]
    np.testing.assert_array_equal(post["participant"].values, [2, 0])
    np.testing.assert_array_equal(
        post.values, idata["posterior"]["volatility"].values[:, :, [2, 0]]
    )
    ll = kept["log_likelihood"]["responses"]
    full = idata["log_likelihood"]["responses"].values
    # participant 0's then participant 2's observations, in the stored order
    np.testing.assert_array_equal(ll.values, np.concatenate([full[..., :319], full[..., 638:]], -1))
    assert set(ll["participant"].values.tolist()) == {0, 2}
    # the pointwise values add up to those participants' share of the total
    assert float(ll.sum()) == pytest.approx(float(full[..., :319].sum() + full[..., 638:].sum()))
    with pytest.raises(ValueError, match=r"lacks: \[7\]"):
        select_participants(idata, [0, 7])


def test_extend_inferencedata_false_returns_a_new_tree(small):
    idata = fake_posterior(1, 3, 3)
    alone = ht.add_log_likelihood(idata, small, extend_inferencedata=False)
    assert "log_likelihood" not in idata.children
    assert set(alone.children) == {"log_likelihood"}
    extended = ht.add_log_likelihood(idata, small)
    assert extended is idata
    np.testing.assert_array_equal(
        alone["log_likelihood"]["responses"].values, idata["log_likelihood"]["responses"].values
    )


def test_float32_storage_halves_the_group_and_rounds_the_reference_values(small):
    full = ht.add_log_likelihood(fake_posterior(2, 5, 3), small)["log_likelihood"]["responses"]
    half = ht.add_log_likelihood(fake_posterior(2, 5, 3), small, dtype="float32")
    half = half["log_likelihood"]["responses"]
    assert half.dtype == np.float32
    assert half.nbytes * 2 == full.nbytes
    # each value is the NumPy reference rounded to float32
    post = fake_posterior(2, 5, 3)["posterior"]
    v = float(post["volatility"][1, 2, 0])
    t = float(post["inverse_temperature"][1, 2, 0])
    want = reference.participant_logp(v, t, small.responses.values[0], small.inputs.values)
    got = half[1, 2].where(half["participant"] == 0, drop=True).values
    np.testing.assert_allclose(got, want, rtol=2**-23, atol=1e-12)


def test_thinned_posterior_gives_the_thinned_log_likelihood(small):
    idata = fake_posterior(2, 8, 3)
    full = ht.add_log_likelihood(idata, small, extend_inferencedata=False)
    thinned = ht.add_log_likelihood(idata.isel(draw=slice(None, None, 4)), small)
    got = thinned["log_likelihood"]["responses"]
    assert got.sizes["draw"] == 2
    np.testing.assert_array_equal(got.values, full["log_likelihood"]["responses"].values[:, ::4])


def test_rejects_other_storage_types(small):
    with pytest.raises(ValueError, match="`dtype`"):
        ht.add_log_likelihood(fake_posterior(1, 2, 3), small, dtype="float16")
