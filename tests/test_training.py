"""The training run: exact resume, kill -9 between checkpoints, clear errors for bad runs and configs."""
import dataclasses
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from agent.agent import Agent, load_agent
from agent.evaluation.exploitability import exploitability
from agent.manifest import write_manifest
from agent.model.config import preset
from agent.model.losses import LossConfig
from agent.rundir import RunDir
from agent.search import SearchConfig
from agent.training.config import PLAY, SELFPLAY, TrainConfig
from agent.training.loop import start, train
from agent.training.play_choice import CANDIDATES
from agent.training.trainer import Trainer, learning_rate
from scripts.train import parse


def tiny_config(out: pathlib.Path, **over) -> TrainConfig:
    """A run small enough for a test: kuhn_poker, tiny preset, few games, simulations and updates."""
    base = dict(game="kuhn_poker", out=out, preset="tiny", seed=3, device="cpu", steps=12, minutes=10.0, actor="inline",
                wandb_mode="disabled", games_per_iteration=6, selfplay=SearchConfig(simulations=6, particles=2),
                play=dataclasses.replace(PLAY, simulations=6, particles=2), choose_play=False, final_games=0,
                final_exploitability=False,
                updates_per_iteration=4, batch_size=16, eval_every=2, eval_games=10, checkpoint_every=1)
    return TrainConfig(**(base | over))


def weights(run: pathlib.Path) -> dict:
    return load_file(RunDir(run).latest() / "model" / "model.safetensors")


@pytest.mark.parametrize("average, weighting, actor, decay", [(0.0, "uniform", "inline", "constant"),
                                                              (0.8, "linear", "process", "cosine")])
def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path, average, weighting, actor, decay):
    over = dict(average=average, replay_weighting=weighting, actor=actor, lr_decay=decay, lr_decay_steps=12)
    whole = train(tiny_config(tmp_path / "whole", **over), quiet=True)
    records = [json.loads(line) for line in (tmp_path / "whole" / "metrics.jsonl").read_text().splitlines()]
    last_lr = records[-2]["learn/lr"]  # the schedule reached the learner (the last line is the run's summary)
    assert last_lr == learning_rate(whole.cfg, 11) and (last_lr < whole.cfg.lr) == (decay != "constant")
    published = load_agent(tmp_path / "whole")  # plays with the run's play search; self-play searched otherwise
    assert published.cfg == whole.agent.cfg and (published.cfg.root, whole.cfg.selfplay.root) == ("gumbel", "puct")
    first = train(tiny_config(tmp_path / "split", steps=8, **over), quiet=True)
    assert first.updates == 8
    # resumed by the same command (its actor too: a worker process leaves the learner one torch thread fewer, and
    # another thread count sums the same floats in another order)
    resumed = train(tiny_config(tmp_path / "split", steps=12, resume=True, actor=actor), quiet=True)
    if average:  # the published weights are the average, not the online weights, and both resume exactly
        online = load_file(RunDir(tmp_path / "whole").latest() / "online" / "model.safetensors")
        assert any(not torch.equal(online[k], v) for k, v in weights(tmp_path / "whole").items())
        again = load_file(RunDir(tmp_path / "split").latest() / "online" / "model.safetensors")
        assert all(torch.equal(online[k], again[k]) for k in online)
    assert (resumed.updates, resumed.games, resumed.iterations) == (whole.updates, whole.games, whole.iterations)
    a, b = weights(tmp_path / "whole"), weights(tmp_path / "split")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert (RunDir(tmp_path / "whole").latest() / "replay.jsonl").read_text() == \
        (RunDir(tmp_path / "split").latest() / "replay.jsonl").read_text()
    lines = (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    summaries = [line for line in lines if json.loads(line).get("summary")]
    assert len(lines) - len(summaries) == whole.iterations  # one record per iteration, none repeated by the resume
    assert summaries == lines[-1:]  # and one summary, the resumed run's: the first part's end is dropped


def test_the_runs_summary_is_its_last_record(tmp_path):
    """The final games and exploitability reach metrics.jsonl (and so W&B) as the run's last line."""
    summary = train(tiny_config(tmp_path / "run", final_games=10, final_exploitability=True), quiet=True)
    last = json.loads((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()[-1])
    assert last["summary"] and last["updates"] == summary.updates == 12
    assert last["summary/vs_random/games"] == summary.versus_random["games"] == 10
    assert last["summary/vs_random/mean_return"] == summary.versus_random["mean_return"]
    assert 0 <= last["summary/exploitability"] == summary.exploitability <= 4  # kuhn's payoffs are at most 2


def test_how_often_a_run_evaluates_does_not_change_what_it_learns(tmp_path):
    """On leduc, whose games are long enough for the generator's depth-3 figures at every iteration."""
    often = train(tiny_config(tmp_path / "often", eval_every=1, game="leduc_poker"), quiet=True)
    rarely = train(tiny_config(tmp_path / "rarely", eval_every=100, game="leduc_poker"), quiet=True)
    records = [json.loads(line) for line in (tmp_path / "often" / "metrics.jsonl").read_text().splitlines()]
    # it did evaluate (replay samples, generator) at every iteration
    assert all("generator/d0/precision" in r for r in records if not r.get("summary"))
    assert (often.updates, often.games) == (rarely.updates, rarely.games)
    a, b = weights(tmp_path / "often"), weights(tmp_path / "rarely")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_the_published_play_search_is_the_lowest_measured_one_and_measures_so_again(tmp_path):
    run = train(tiny_config(tmp_path / "run", choose_play=True), quiet=True)
    name, figures = run.play_choice
    assert list(figures) == list(CANDIDATES)
    record = json.loads((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()[-1])
    assert record["play/chosen"] == name
    assert {k: record[f"play/exploitability/{k}"] for k in CANDIDATES} == figures
    i, n = list(CANDIDATES).index(name), len(CANDIDATES)
    published = [load_agent(tmp_path / "run", seed=run.cfg.seed + 1000 + k) for k in (i, n + i)]  # both draws
    assert published[0].cfg == dataclasses.replace(run.cfg.play, **CANDIDATES[name])
    # the files hold what was measured: the worse of the chosen candidate's two draws
    assert max(exploitability(a) for a in published) == pytest.approx(figures[name])
    # measured again here, candidate by candidate and draw by draw: the published one has the lowest worse draw
    model = published[0].model
    draws = {c: [exploitability(Agent(model.spec.game, model, search=dataclasses.replace(run.cfg.play, **fields),
                                      seed=run.cfg.seed + 1000 + k + d * n)) for d in range(2)]
             for k, (c, fields) in enumerate(CANDIDATES.items())}
    assert figures == pytest.approx({c: max(d) for c, d in draws.items()})
    assert figures[name] == min(figures.values())
    assert len({round(v, 6) for v in figures.values()}) > 2, figures  # distinct figures: "lowest" is a real choice


def train_command(out: pathlib.Path, steps: int, *extra: str) -> list[str]:
    """scripts.train on tiny_config's settings (checkpoints every 2 iterations, no evaluation) from the command line."""
    return [sys.executable, "-m", "scripts.train", "--game", "kuhn_poker", "--out", str(out), "--preset", "tiny",
            "--steps", str(steps), "--games-per-iteration", "6", "--selfplay.simulations", "6",
            "--selfplay.particles", "2",
            "--updates-per-iteration", "4", "--batch-size", "16", "--eval-every", "100", "--eval-games", "10",
            "--checkpoint-every", "2", "--wandb-mode", "disabled", "--device", "cpu", "--no-choose-play", *extra]


def wait_for_a_checkpoint(out: pathlib.Path, seconds: float = 120) -> None:
    """Until the run in `out` has written a checkpoint: LATEST, not a named one, which the run's keep-newest-two
    rule may delete between two looks."""
    deadline = time.time() + seconds
    while time.time() < deadline and not (out / "LATEST").exists():
        time.sleep(0.2)


def test_kill_minus_nine_between_checkpoints_then_resume(tmp_path):
    """A run killed with -9 part-way and resumed ends with the checkpoint an uninterrupted run of the same command
    ends with: the same weights, bit for bit, and the same replay."""
    out, whole = tmp_path / "run", tmp_path / "whole"
    cmd = train_command(out, 40)
    reference = subprocess.run(train_command(whole, 40, "--final-games", "0", "--no-final-exploitability"),
                               capture_output=True, text=True, timeout=300)
    assert reference.returncode == 0, reference.stderr[-2000:]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_a_checkpoint(out)
    time.sleep(0.5)  # let it get past the checkpoint, into the next iteration
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (out / "LATEST").exists()
    stopped_at = RunDir(out).latest().name
    assert stopped_at < "ckpt-000010"  # killed part-way
    done = subprocess.run(cmd + ["--resume", "--final-games", "12"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "vs uniform random (12 games)" in done.stdout  # the resumed run takes the summary's size from the command
    first = int(re.search(r"^it (\d+) \|", done.stdout, re.M)[1])
    assert first == int(stopped_at.split("-")[1]) + 1  # it went on from the checkpoint, not from the start
    a, b = weights(out), weights(whole)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert (RunDir(out).latest() / "replay.jsonl").read_text() == (RunDir(whole).latest() / "replay.jsonl").read_text()
    resumed = train(tiny_config(out, steps=40, resume=True), quiet=True)  # nothing left to do: loads and stops
    assert resumed.updates == 40 and RunDir(out).latest().name == RunDir(whole).latest().name
    summary = subprocess.run(cmd + ["--resume", "--final-games", "0"], capture_output=True, text=True, timeout=300)
    assert summary.returncode == 0 and "vs uniform random" not in summary.stdout
    assert re.search(rf"^run directory +{re.escape(str(out))}$", summary.stdout, re.M), summary.stdout


STEPS = ("model", "state", "manifest", "text")  # tests.slow_checkpoints' names for the steps of a checkpoint write


@pytest.mark.slow
def test_kill_minus_nine_at_twenty_random_moments_then_resume(tmp_path):
    """Killed with -9 twenty times, ten at a random moment of the run and ten while a checkpoint is being written
    (a random step of a random write), each run resumes and ends with the uninterrupted run's checkpoint: the
    same weights, bit for bit, and the same replay."""
    rng = random.Random(0)
    whole = tmp_path / "whole"
    began = time.monotonic()
    reference = subprocess.run(train_command(whole, 40), capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - began
    assert reference.returncode == 0, reference.stderr[-2000:]
    struck = []
    for trial in range(20):
        out, marker = tmp_path / f"run{trial}", tmp_path / f"marker{trial}"
        cmd = [sys.executable, "-m", "tests.slow_checkpoints", str(marker)] + train_command(out, 40)[3:]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if trial % 2:  # while a checkpoint is written: a step of a random write, at a random point of its pause
            step, n = STEPS[trial // 2 % len(STEPS)], rng.randrange(1, 6)  # a run of 40 updates writes 5
            while proc.poll() is None and (not marker.exists() or marker.read_text().split().count(step) < n):
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.3))
            struck.append(f"{step} {n}" if proc.poll() is None else "too late")
        else:
            time.sleep(rng.uniform(0, seconds))
            struck.append("any")
        proc.kill()
        proc.wait()
        if not RunDir(out).has_checkpoints():  # killed before its first checkpoint: it starts again
            shutil.rmtree(out, ignore_errors=True)
            done = subprocess.run(train_command(out, 40), capture_output=True, text=True, timeout=300)
        else:
            done = subprocess.run(train_command(out, 40, "--resume"), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (trial, struck[-1], done.stderr[-2000:])
        a, b = weights(out), weights(whole)
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), (trial, struck[-1])
        assert (RunDir(out).latest() / "replay.jsonl").read_text() == (
            RunDir(whole).latest() / "replay.jsonl").read_text(), (trial, struck[-1])
        shutil.rmtree(out)
    assert "too late" not in struck, struck  # every kill came while the run was going


def test_ctrl_c_stops_learner_and_worker_with_a_message_not_a_traceback(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen(train_command(out, 400, "--actor", "process"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as in a terminal
    wait_for_a_checkpoint(out)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole process group, the self-play worker included
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in output, output[-2000:]
    assert f"continue with: python -m scripts.train --out {out} --resume" in output
    with pytest.raises(ProcessLookupError):  # the worker is gone with the learner
        os.killpg(proc.pid, 0)


def test_a_ctrl_c_that_a_finalizer_swallows_still_stops_the_run(tmp_path, monkeypatch):
    class Finalized:  # Python drops an exception raised in __del__ ("Exception ignored"): Ctrl-C landing there
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # the handler runs here, inside the finalizer

    learn, calls = Trainer.learn, []

    def learn_then_ctrl_c(self):
        calls.append(1)
        if len(calls) == 2:
            Finalized()
        return learn(self)

    monkeypatch.setattr(Trainer, "learn", learn_then_ctrl_c)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (xdist may ignore it)
    hook = sys.unraisablehook
    try:
        with pytest.raises(KeyboardInterrupt):
            train(tiny_config(tmp_path / "run", steps=40), quiet=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(calls) == 2  # stopped at the next iteration, not at the budget's end
    assert signal.getsignal(signal.SIGINT) is previous and sys.unraisablehook is hook  # both given back


@pytest.mark.parametrize("decay", ["linear", "cosine"])
def test_the_learning_rate_schedules_are_torchs(decay):
    cfg = TrainConfig(lr=2e-3, lr_decay=decay, lr_final=0.1, lr_decay_steps=10).resolved()
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cfg.lr)
    sched = (torch.optim.lr_scheduler.LinearLR(opt, 1.0, cfg.lr_final, total_iters=10) if decay == "linear" else
             torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=cfg.lr * cfg.lr_final))
    for update in range(11):
        assert learning_rate(cfg, update) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-9)
        opt.step()
        sched.step()
    assert learning_rate(cfg, 50) == pytest.approx(cfg.lr * cfg.lr_final)  # it stays at the end
    assert TrainConfig(steps=700).resolved().lr_decay_steps == 700  # by default the run's budget


def test_refusals_say_what_is_wrong(tmp_path):
    train(tiny_config(tmp_path / "run", steps=4), quiet=True)
    with pytest.raises(FileExistsError, match="--resume"):
        train(tiny_config(tmp_path / "run", steps=8), quiet=True)
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        train(tiny_config(tmp_path / "empty", resume=True), quiet=True)
    ckpt = RunDir(tmp_path / "run").latest()
    (ckpt / "trainer.pt").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="no checkpoint in .* verifies: ckpt-000001 .trainer.pt does not match"):
        train(tiny_config(tmp_path / "run", steps=8, resume=True), quiet=True)
    write_manifest(ckpt)  # files that verify but cannot be read: from another version, say
    with pytest.raises(ValueError, match="corrupt"):
        train(tiny_config(tmp_path / "run", steps=8, resume=True), quiet=True)
    assert (ckpt / "replay.jsonl").exists() and (tmp_path / "run" / "metrics.jsonl").exists()  # nothing lost
    (ckpt / "model" / "model.safetensors").write_bytes(b"\0" * 10)
    write_manifest(ckpt)
    with pytest.raises(ValueError, match="safetensors"):
        train(tiny_config(tmp_path / "run", steps=8, resume=True), quiet=True)


def test_a_checkpoint_whose_game_spec_differs_from_this_codes_is_refused(tmp_path):
    """A run saved by a version of the code that described the game otherwise (a head more or less, another
    spec) is refused on --resume with the fields that differ named, not loaded half-way."""
    train(tiny_config(tmp_path / "run", steps=4), quiet=True)
    path = RunDir(tmp_path / "run").latest() / "model" / "model.json"
    saved = json.loads(path.read_text())
    saved["game"]["zero_sum"] = not saved["game"]["zero_sum"]
    path.write_text(json.dumps(saved))
    write_manifest(path.parent.parent)  # as another version would have sealed it
    with pytest.raises(ValueError, match="another version of this code.*'zero_sum'.*start a new run"):
        train(tiny_config(tmp_path / "run", steps=8, resume=True), quiet=True)


def test_config_file_and_flags(tmp_path):
    cfg = tiny_config(tmp_path / "x", steps=7)
    path = tmp_path / "config.json"
    path.write_text(cfg.to_json())
    loaded = parse(["--config", str(path), "--selfplay.simulations", "3", "--play.gumbel-c-scale", "0.5"])
    assert (loaded.steps, loaded.selfplay.simulations, loaded.game) == (7, 3, "kuhn_poker")
    assert loaded.play == dataclasses.replace(cfg.play, gumbel_c_scale=0.5) and loaded.selfplay.particles == 2
    path.write_text('{"gmae": "kuhn_poker"}')
    with pytest.raises(SystemExit, match="unknown options"):
        parse(["--config", str(path)])
    with pytest.raises(ValueError, match="device must be"):
        train(tiny_config(tmp_path / "y", device="tpu"), quiet=True)
    with pytest.raises(ValueError, match="lr_decay must be one of 'constant', 'linear', 'cosine', got 'step'"):
        train(tiny_config(tmp_path / "z", lr_decay="step"), quiet=True)  # as a config file could say


def test_a_config_json_with_the_searches_flat_loads_nested(tmp_path):
    """config.json as runs wrote it before the searches were nested: every flat search field lands in its search."""
    flat = {"game": "kuhn_poker", "simulations": 48, "particles": 3, "root": "gumbel", "gumbel_c_scale": 0.5,
            "mmd_eta": 2.0, "mmd_alpha": 0.1, "play_root": "puct", "play_c_scale": 0.03, "play_particles": 5,
            "play_simulations": 20, "play_repeats": 2, "inner_play": "prior_others", "steps": 9}
    cfg = TrainConfig.from_json(json.dumps(flat))
    assert cfg.selfplay == dataclasses.replace(SELFPLAY, simulations=48, particles=3, root="gumbel",
                                               gumbel_c_scale=0.5, mmd_eta=2.0, mmd_alpha=0.1,
                                               inner_play="prior_others")
    assert cfg.play == dataclasses.replace(PLAY, root="puct", gumbel_c_scale=0.03, particles=5, simulations=20,
                                           repeats=2, inner_play="prior_others")
    assert (cfg.steps, cfg.game) == (9, "kuhn_poker")
    assert TrainConfig.from_json(cfg.to_json()) == cfg  # and today's shape round-trips
    with pytest.raises(ValueError, match=r"config's play: simulations, particles and repeats must be >= 1"):
        TrainConfig.from_json(json.dumps({"play": dataclasses.asdict(PLAY) | {"simulations": 0}}))


def test_loss_weights_are_options_that_a_config_file_keeps(tmp_path):
    cfg = parse(["--losses.generator", "2.5", "--losses.belief", "0"])
    assert (cfg.losses.generator, cfg.losses.belief, cfg.losses.policy) == (2.5, 0.0, 1.0)
    path = tmp_path / "config.json"
    path.write_text(cfg.to_json())
    assert parse(["--config", str(path), "--losses.policy", "3"]).losses == dataclasses.replace(cfg.losses, policy=3.0)
    saved = json.loads(cfg.to_json())
    del saved["losses"]  # a run's config.json from before the weights were options
    path.write_text(json.dumps(saved))
    assert parse(["--config", str(path)]).losses == LossConfig()
    for bad, says in [({"genrator": 2.0}, r"unknown options \[.genrator.\]"), ({"generator": -1.0}, ">= 0"),
                      ({"value": "high"}, ">= 0")]:
        path.write_text(json.dumps(saved | {"losses": bad}))
        with pytest.raises(SystemExit, match=says):
            parse(["--config", str(path)])
    with pytest.raises(SystemExit):  # tyro prints "loss weights must be finite numbers >= 0"
        parse(["--losses.generator", "nan"])


def test_model_fields_over_the_preset_build_the_runs_model_and_bad_ones_are_refused(tmp_path):
    cfg = parse(["--game", "kuhn_poker", "--model", "dynamics_layers", "2", "coverage", "0.9"])
    assert cfg.model == {"dynamics_layers": 2, "coverage": 0.9}
    trainer = Trainer(tiny_config(tmp_path / "run", model={"dynamics_layers": 2}))
    try:  # the model the run trains has the field, the rest is the preset's
        assert trainer.model.cfg == preset("tiny", dynamics_layers=2)
        assert len(trainer.model.dynamics_net.encoder.layer) == 2
    finally:
        trainer.close()
    with pytest.raises(ValueError, match=r"unknown model config fields \['depth'\]"):
        TrainConfig(model={"depth": 2})
    with pytest.raises(ValueError, match="model config dynamics_layers must be >= 1, got 0"):
        TrainConfig(model={"dynamics_layers": 0})
    # each value is read as its field's type: a share may be 0 (min-p truncation off), a count must be whole
    assert preset("tiny", **parse(["--model", "min_ratio", "0"]).model).min_ratio == 0.0
    with pytest.raises(ValueError, match="model config width takes a whole number, got 64.5"):
        TrainConfig(model={"width": 64.5})
    # checked against the run's own preset: base is 256 wide, so 6 heads do not divide it
    with pytest.raises(ValueError, match="width 256 must be a multiple of heads 6"):
        TrainConfig(preset="base", model={"heads": 6})


def test_a_zero_generator_weight_leaves_the_generator_to_weight_decay_alone(tmp_path):
    """The learner uses the run's weights: with the generator's at 0, AdamW moves G's input layer (which only
    the generator term reaches) by its decay alone, p * (1 - lr * weight_decay); at 1 it learns."""
    moved = {}
    for weight in (0.0, 1.0):
        trainer = Trainer(tiny_config(tmp_path / str(weight), updates_per_iteration=1,
                                      losses=LossConfig(generator=weight)))
        try:
            trainer.play()
            before = trainer.model.generator_in.weight.detach().clone()
            terms = trainer.learn()
        finally:
            trainer.close()
        lr = trainer.opt.param_groups[0]["lr"]
        decayed = before * (1 - lr * trainer.cfg.weight_decay)
        moved[weight] = float((trainer.model.generator_in.weight.detach() - decayed).abs().max())
        assert terms["loss/generator"] > 0  # measured and reported either way
    assert moved[0.0] == 0.0 and moved[1.0] > 1e-4


@pytest.mark.parametrize("game", ["kuhn_poker", "leduc_poker", "liars_dice"])
def test_the_adapter_quotes_uniform_randoms_exploitability_as_openspiel_computes_it(game):
    from open_spiel.python import policy
    from open_spiel.python.algorithms import exploitability

    import games

    adapter = games.load(game)
    uniform = policy.UniformRandomPolicy(adapter.game)
    assert adapter.uniform_exploitability == pytest.approx(exploitability.exploitability(adapter.game, uniform),
                                                           abs=5e-5)


@pytest.mark.slow
def test_a_default_kuhn_run_is_exploitable_by_at_most_a_tenth(tmp_path):
    """Issue 5's kuhn floor (uniform random: 0.458): default settings with the main job's tiny preset for their
    4000 updates (self-play in a worker process), then the play search the run published, measured with two seeds
    the run did not use."""
    run = train(TrainConfig(game="kuhn_poker", out=tmp_path / "run", preset="tiny", minutes=30.0,
                            wandb_mode="disabled"), quiet=True)
    assert run.updates == 4000
    figures = [exploitability(load_agent(tmp_path / "run", seed=seed)) for seed in (7, 8)]
    assert max(figures) <= 0.1, (run.play_choice, figures)


def test_the_auto_preset_is_tiny_on_a_cpu_and_base_on_a_gpu(monkeypatch):
    assert TrainConfig(device="cpu").resolved().preset == "tiny"
    assert TrainConfig(device="cpu", preset="small").resolved().preset == "small"  # an explicit one is kept
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert TrainConfig(device="auto").resolved().preset == "base"


def test_the_progress_bar_ends_where_the_first_budget_does():
    from agent.training.loop import budget_end

    assert budget_end(100, 10_000, rate=4.0, seconds_left=60.0) == 340  # time binds: 100 + 4 * 60
    assert budget_end(100, 200, rate=4.0, seconds_left=60.0) == 200  # steps bind
    assert budget_end(100, 10_000, rate=4.0, seconds_left=-5.0) == 100  # out of time: where it is


def test_a_resumed_run_has_only_what_is_left_of_its_minutes(tmp_path):
    """--minutes is the run's budget, not each session's: a run that spent it and is resumed trains no further
    (it used to start the budget again), and the seconds trained are kept in the checkpoint."""
    first = train(tiny_config(tmp_path / "run", steps=10_000, minutes=0.02, final_games=0), quiet=True)
    trainer = start(tiny_config(tmp_path / "run", steps=10_000, minutes=0.02, resume=True))
    spent = trainer.trained_s
    trainer.close()
    assert spent >= 0.02 * 60 and first.updates > 0
    again = train(tiny_config(tmp_path / "run", steps=10_000, minutes=0.02, resume=True), quiet=True)
    assert again.updates == first.updates and again.iterations == first.iterations
    more = train(tiny_config(tmp_path / "run", steps=first.updates + 4, minutes=10.0, resume=True), quiet=True)
    assert more.updates == first.updates + 4  # a larger budget leaves time to go on


def test_a_resumed_run_keeps_its_budget_unless_given_and_says_what_it_ignores(tmp_path, caplog, capsys):
    """`--out RUN --resume` (what an interrupted run's message says to type) continues with the run's own budget,
    not the defaults; a new budget is taken, other flags are ignored with a warning naming them; a spent budget
    says so instead of training nothing silently."""
    run = tmp_path / "run"
    first = train(tiny_config(run, steps=8), quiet=True)
    cfg = parse(["--out", str(run), "--resume"])
    assert (cfg.steps, cfg.minutes, cfg.game, cfg.config) == (8, 10.0, "kuhn_poker", None)
    assert parse(["--out", str(run), "--resume", "--steps", "12"]).steps == 12
    again = train(parse(["--out", str(run), "--resume", "--steps", "12", "--eval-games", "3"]))
    assert again.updates == 12 and again.cfg.eval_games == first.cfg.eval_games
    assert "ignored: eval_games" in caplog.text
    train(parse(["--out", str(run), "--resume"]))
    printed = capsys.readouterr()
    assert "nothing to train: the run has made 12 updates" in printed.out + printed.err


def test_config_and_recipe_take_the_equals_form(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(tiny_config(tmp_path / "x", steps=7).to_json())
    assert parse([f"--config={path}"]).steps == 7 and parse([f"--config={path}"]).config == path
    assert parse(["--recipe=liars_dice"]).minutes == parse(["--recipe", "liars_dice"]).minutes == 6.0
    with pytest.raises(SystemExit, match="--recipe needs a game name"):
        parse(["--recipe"])
