import numpy as np
import pytest

import hgf_tutorial as ht


@pytest.fixture(scope="session")
def inputs():
    return ht.load_inputs()


@pytest.fixture(scope="session")
def group():
    """The default simulated group (the original tutorial's dataset)."""
    return ht.simulate_group()


@pytest.fixture
def rng():
    return np.random.default_rng(5)
