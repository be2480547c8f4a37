"""A fit interrupted with Ctrl-C: a real SIGINT sent to a process that is sampling.

The child process samples a small model in quick mode with very many draws (or very
many tuning steps), and writes the sampler's progress to a file as PyMC's own
progress bar receives it, so that the signal arrives when the chains are where the
test wants them: drawing, or still tuning.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

CHILD = textwrap.dedent(
    """
    import json, sys, warnings
    import hgf_tutorial as ht
    import numpy as np
    from pymc.sampling import mcmc

    progress_file, tune, draws = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    update = mcmc.NutpieProgressBarManager.update

    def record(self, progress):
        with open(progress_file, "w") as f:
            json.dump([[p.finished_draws, bool(p.tuning)] for p in progress], f)
        return update(self, progress)

    mcmc.NutpieProgressBarManager.update = record
    data = ht.simulate_group(2, inputs=ht.load_inputs()[:40])
    model = ht.build_group_model(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            idata = ht.sample(model, tune=tune, draws=draws, chains=2)
        except KeyboardInterrupt as error:
            print(json.dumps({"interrupt": str(error)}))
            sys.exit(0)
    posterior = idata["posterior"]
    volatility = posterior["volatility"].values
    out = {
        "sizes": dict(posterior.sizes),
        "stats_draws": int(idata["sample_stats"].sizes["draw"]),
        "nan": int(np.isnan(volatility).sum()),
        "attrs": posterior.attrs.get("interrupted"),
        "warnings": [str(w.message) for w in caught if "interrupted" in str(w.message)],
    }
    ht.add_log_likelihood(idata, data)
    out["log_likelihood_draws"] = int(idata["log_likelihood"].sizes["draw"])
    print(json.dumps(out))
    """
)


def interrupt(tmp_path: Path, tune: int, draws: int, ready) -> dict:
    """Run the child, send SIGINT once ``ready(progress)`` holds, return its JSON."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    progress_file = tmp_path / "progress.json"
    env = {**os.environ, "HGF_TUTORIAL_QUICK": "1", "HGF_TUTORIAL_PROGRESS": "0"}
    child = subprocess.Popen(
        [sys.executable, str(script), str(progress_file), str(tune), str(draws)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[1],
    )
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            if child.poll() is not None:
                break
            try:
                progress = json.loads(progress_file.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                progress = None
            if progress and ready(progress):
                child.send_signal(signal.SIGINT)
                break
            time.sleep(0.2)
        else:
            pytest.fail("the child never reached the point to interrupt")
        stdout, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_interrupted_while_drawing_keeps_the_draws_every_chain_completed(tmp_path):
    tune, draws = 50, 10**7
    out = interrupt(tmp_path, tune, draws, lambda p: all(n > tune + 30 and not t for n, t in p))
    kept = out["sizes"]["draw"]
    assert 0 < kept < draws and out["sizes"]["chain"] == 2
    assert out["nan"] == 0 and out["stats_draws"] == kept
    assert out["log_likelihood_draws"] == kept
    # the warning says where each chain stopped and what was kept; the fit says it too
    assert len(out["warnings"]) == 1
    message = out["warnings"][0]
    assert f"The fit keeps the first {kept} draws of every chain" in message
    assert "chain 0 after" in message and "chain 1 after" in message
    assert out["attrs"] == message


def test_interrupted_while_tuning_raises_keyboard_interrupt(tmp_path):
    out = interrupt(tmp_path, 10**7, 100, lambda p: all(n > 20 and t for n, t in p))
    assert "interrupted before every chain had kept a draw" in out["interrupt"]
