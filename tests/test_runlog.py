"""The run's log: metrics.jsonl records, the summary line, and one titled panel per quantity in the plots."""
from __future__ import annotations

import json

import pytest
from PIL import Image

from agent.training.runlog import PLOTS, RunLog, records


def test_plots_draw_a_panel_per_quantity_present_and_leave_out_the_absent(tmp_path):
    log = RunLog(tmp_path, {}, "disabled", "test")
    for i in range(1, 6):
        log.log({"iteration": i, "updates": 4 * i, "loss/total": 3.0 / i, "loss/value": 1.0 / i,
                 "eval/mean_return": 0.1 * i, "eval/win_rate": 0.5})  # no exploitability, no generator figures
    log.summary({"iteration": 5, "updates": 20, "summary/games": 10})
    written = {p.name for p in log.plot()}
    assert written == {"losses.png", "versus_random.png"}  # generator.png has nothing to draw
    heights = {name: Image.open(tmp_path / name).size[1] for name in written}
    assert heights["versus_random.png"] == 2 * heights["losses.png"]  # two panels of the three, one for losses
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r.get("summary", False) for r in lines] == [False] * 5 + [True]
    assert all(len(panel) == 4 and panel[0] and panel[1] for panels in PLOTS.values() for panel in panels)


def test_a_torn_last_line_is_left_out_with_a_warning_and_a_damaged_middle_one_refused(tmp_path, caplog):
    """A process killed while appending leaves half a line: resuming drops it (and the records after the
    checkpoint); a line that is not JSON elsewhere is refused naming the file and the line."""
    log = RunLog(tmp_path, {}, "disabled", "test")
    for i in range(1, 4):
        log.log({"iteration": i, "updates": i})
    with log.path.open("a") as f:
        f.write('{"iteration": 4, "upd')
    assert [r["iteration"] for r in records(log.path)] == [1, 2, 3]
    assert "its last line (4) is cut short" in caplog.text
    log.keep_until(2)
    assert [json.loads(line)["iteration"] for line in log.path.read_text().splitlines()] == [1, 2]
    log.path.write_text('{"iteration": 1}\nnot json\n{"iteration": 2}\n')
    with pytest.raises(ValueError, match=r"metrics.jsonl: line 2 is not a JSON record"):
        records(log.path)
