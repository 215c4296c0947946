"""The benchmark script runs its sections end to end on tiny settings and writes figures that make sense."""
import json
import subprocess
import sys

import pytest

from agent.training.recipes import LONG_UPDATES


def test_benchmark_model_search_selfplay_and_scaleout_sections_run(tmp_path):
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, "-m", "scripts.benchmark", "--sections", "model", "search", "selfplay", "scaleout",
                    "--games", "leduc_poker", "--selfplay-games", "2", "--selfplay-simulations", "4",
                    "--scaleout-game", "kuhn_poker", "--no-scaleout-ray",  # Ray's actors: tests/test_ray.py
                    "--model-games", "leduc_poker", "--presets", "tiny", "--batches", "2", "--searches", "1", "3",
                    "--simulations", "4", "--particles", "2", "--json", str(out)],
                   check=True, capture_output=True)
    figures = json.loads(out.read_text())
    rows = figures["search"]
    assert [r["searches"] for r in rows] == [1, 3]
    assert all(r["sims_per_s"] > 0 and 0.0 <= r["outside_share"] <= 1.0 for r in rows)
    assert {r["batch"] for r in figures["model"]["throughput"]} == {2}
    (row,) = figures["selfplay"]
    assert row["game"] == "leduc_poker" and row["game_steps_per_s"] > 0 and row["updates_per_s"] > 0
    assert 0.0 <= row["world_share"] <= 1.0 and row["h_ms"] > 0
    assert 0 < row["read"] <= row["tokens"] <= row["tokens_max"]
    assert 1 <= row["decisions_per_game"] <= 8  # leduc: at most four actions a round, two rounds
    expected = LONG_UPDATES / row["updates_per_s"] * row["game_steps_per_s"] / row["decisions_per_game"]
    assert abs(row["games_per_48_updates"] - expected) < 1e-6 * expected  # what the learner's 48 updates take
    kinds = figures["scaleout"]
    assert [r["kind"] for r in kinds][:2] == ["one process", "worker process"]
    assert all(r["games_per_s"] > 0 and r["updates_per_s"] > 0 and r["iteration_s"] > 0 for r in kinds)
    # the figure follows from the others: the learner's games a second over one actor's
    one = next((r for r in kinds if r["actors"] == 1), kinds[1])
    assert kinds[0]["actors_to_feed"] == pytest.approx(kinds[0]["updates_per_s"] / kinds[0]["updates_per_game"]
                                                       / one["games_per_s"])
    # on paper, a GPU learner is bounded by the CPU's part of an update, which is less than the CPU's whole update
    bound = kinds[0]
    assert bound["ops_per_update"] > 100 and bound["dispatch_us"] > 0 and bound["batch_s"] > 0
    assert bound["gpu_updates_per_s_at_most"] > kinds[0]["updates_per_s"]


def test_benchmark_refuses_an_unknown_section():
    run = subprocess.run([sys.executable, "-m", "scripts.benchmark", "--sections", "speed"], capture_output=True,
                         text=True)
    assert run.returncode != 0 and "unknown benchmark sections ['speed']" in run.stderr


def test_benchmark_beliefs_section_runs(tmp_path):
    out = tmp_path / "bench.json"
    subprocess.run([sys.executable, "-m", "scripts.benchmark", "--sections", "beliefs", "--belief-games", "kuhn_poker",
                    "crazy_eights", "--belief-particles", "2", "--presets", "tiny", "--json", str(out)],
                   check=True, capture_output=True)
    rows = json.loads(out.read_text())["beliefs"]
    assert [(r["game"], r["particles"]) for r in rows] == [("kuhn_poker", 2), ("crazy_eights", 2)]
    assert all(r[k] > 0 for r in rows for k in ("walk_ms", "walk_alone_ms", "free_ms"))


@pytest.mark.parametrize("flags, says", [(["--belief-games", "hearts", "heartz"], "unknown game 'heartz'"),
                                         (["--selfplay-preset", "huge"], "unknown presets ['huge']")])
def test_benchmark_refuses_unknown_games_and_presets_before_measuring(flags, says):
    run = subprocess.run([sys.executable, "-m", "scripts.benchmark", "--sections", "tokenizer", *flags],
                         capture_output=True, text=True)
    assert run.returncode != 0 and says in run.stderr and "Traceback" not in run.stderr
    assert "tokenizer" not in run.stdout  # refused before the first section
