"""scripts.results measures a finished run into a row of the results table and keeps the other games' rows."""
from __future__ import annotations

import json

from agent.training.loop import train
from scripts import results
from tests.test_training import tiny_config


def test_a_finished_run_becomes_a_row_and_other_rows_stay(tmp_path):
    runs = tmp_path / "runs"
    train(tiny_config(runs / "kuhn_poker", final_games=4), quiet=True)
    rows, md = tmp_path / "rows.json", tmp_path / "results.md"
    md.write_text("# Results\n\nSome text.\n")
    other = {"game": "hearts", "updates": 1, "games": 1, "vs_random": {"mean_return": 1.0, "ci95": 0.5,
             "table_mean": 0.0, "win_rate": 0.5, "games": 2}, "exploitability": None, "generator": {},
             "possible_worlds": 1.0, "worlds_drawn": 2, "seconds_per_move": 0.1, "date": "d", "commit": "c"}
    rows.write_text(json.dumps({"hearts": other}))
    results.main(results.Args(games=("kuhn_poker",), runs=runs, episodes=4, quality_positions=12, world_states=3,
                              worlds=2, results=md, rows=rows))
    row = json.loads(rows.read_text())["kuhn_poker"]
    assert row["updates"] == 12 and row["vs_random"]["games"] == 4
    assert row["possible_worlds"] == 1.0 and row["worlds_drawn"] == 6  # worlds are possible by construction
    assert 0.0 <= row["exploitability"] <= 1.0 and {"0", "1"} <= set(row["generator"])  # kuhn: 3 decisions at most
    text = md.read_text()
    assert text.startswith("# Results\n\nSome text.\n") and text.count("| kuhn_poker |") == 1
    assert text.index("| kuhn_poker |") < text.index("| hearts |")  # in the registry's order
    results.main(results.Args(games=("kuhn_poker",), runs=runs, episodes=4, quality_positions=12, world_states=3,
                              worlds=2, results=md, rows=rows, ismcts_matched=True,
                              ismcts_episodes=2))  # replaces its row in place
    assert md.read_text().count("| kuhn_poker |") == 1 and md.read_text().count("<!-- results-table:start -->") == 1
    ismcts = json.loads(rows.read_text())["kuhn_poker"]["vs_ismcts"]
    assert ismcts["games"] == 2 and ismcts["simulations"] >= 1  # as many as take the agent's time per move
    assert json.loads(rows.read_text())["kuhn_poker"]["vs_random"]["games"] == 4


def test_a_row_takes_the_runs_own_exploitability_where_it_measured_one(tmp_path):
    """The run's end measured its published agent's exploitability: the row reuses it rather than search at
    every information set again."""
    run = train(tiny_config(tmp_path / "kuhn_poker", final_games=4, final_exploitability=True), quiet=True)
    row = results.measure(tmp_path / "kuhn_poker", episodes=4, quality_positions=0, world_states=2, worlds=1,
                          say=lambda _: None)
    assert row["exploitability"] == run.exploitability is not None


def test_a_one_player_row_shows_what_uniform_random_gets_alone():
    """blackjack has no even seat: its row's figure to beat is uniform random's own return playing it."""
    from agent.evaluation.results_table import markdown

    match = {"mean_return": -0.19, "ci95": 0.13, "table_mean": -0.41, "win_rate": 0.4, "games": 200, "alone": True}
    row = {"game": "blackjack", "updates": 1, "games": 1, "vs_random": match, "vs_ismcts": match | {"simulations": 9},
           "exploitability": None, "generator": {}, "possible_worlds": 1.0, "worlds_drawn": 2,
           "seconds_per_move": 0.1, "date": "d", "commit": "c"}
    cells = markdown([row]).splitlines()[-1].split(" | ")
    assert cells[3] == "-0.19 ± 0.13 (alone -0.41), 200 games"
    assert cells[4:6] == ["-", "-"]  # no margin kept, and the table's mean is not 0: not inferred
    assert cells[7] == "-0.19 ± 0.13 (alone -0.41) (9 sims)"


def test_beats_random_means_the_margins_interval_clears_zero():
    """The "beats random" column is the issue's test: the margin over the figure to beat, its 95% interval
    excluding 0; a zero-sum row measured before margins were kept reads its mean as the margin."""
    from agent.evaluation.results_table import markdown

    def cells(match):
        row = {"game": "hearts", "updates": 1, "games": 1, "vs_random": match, "exploitability": None,
               "generator": {}, "possible_worlds": 1.0, "worlds_drawn": 2, "seconds_per_move": 0.1, "date": "d",
               "commit": "c"}
        return markdown([row]).splitlines()[-1].split(" | ")[4:6]

    base = {"mean_return": 20.3, "ci95": 0.92, "table_mean": 19.37, "win_rate": 0.69, "games": 200}
    assert cells(base | {"margin": 0.93, "margin_ci95": 0.88}) == ["+0.93 ± 0.88", "yes"]
    assert cells(base | {"margin": 0.93, "margin_ci95": 0.95}) == ["+0.93 ± 0.95", "no"]
    assert cells(base | {"margin": -2.0, "margin_ci95": 0.5}) == ["-2.00 ± 0.50", "no"]
    zero_sum = {"mean_return": 0.52, "ci95": 0.12, "table_mean": 0.0, "win_rate": 0.76, "games": 200}
    assert cells(zero_sum) == ["+0.52 ± 0.12", "yes"]
