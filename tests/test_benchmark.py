"""The benchmark script runs its sections end to end on tiny settings and writes figures that make sense."""
import json
import subprocess
import sys


def test_benchmark_model_search_and_selfplay_sections_run(tmp_path):
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, "-m", "scripts.benchmark", "--sections", "model", "search", "selfplay",
                    "--selfplay-games", "2", "--model-games", "leduc_poker", "--presets", "tiny", "--batches", "2",
                    "--searches", "1", "3", "--simulations", "4", "--particles", "2", "--json", str(out)],
                   check=True, capture_output=True)
    figures = json.loads(out.read_text())
    rows = figures["search"]
    assert [r["searches"] for r in rows] == [1, 3]
    assert all(r["sims_per_s"] > 0 and 0.0 <= r["outside_share"] <= 1.0 for r in rows)
    assert {r["batch"] for r in figures["model"]["throughput"]} == {2}
    assert figures["selfplay"][0]["game_steps_per_s"] > 0 and figures["selfplay"][0]["updates_per_s"] > 0


def test_benchmark_refuses_an_unknown_section():
    run = subprocess.run([sys.executable, "-m", "scripts.benchmark", "--sections", "speed"], capture_output=True,
                         text=True)
    assert run.returncode != 0 and "unknown benchmark sections ['speed']" in run.stderr
