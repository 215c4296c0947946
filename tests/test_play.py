"""scripts.play: a scripted human plays against a tiny untrained agent; what is printed is checked against the real
games (returns, moves, never another seat's hidden cards), bad input re-prompts, q quits, CLI errors are one line."""
import random
import re

import pytest
import torch

import games
from agent.agent import load_agent
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.files import save_model
from scripts.play import main, play

FAST = {"simulations": 4, "particles": 2}


class Human:
    """A scripted human: gives `answers` in order, then always move 0; keeps everything printed and asked."""

    def __init__(self, answers=()):
        self.answers, self.lines, self.prompts = list(answers), [], []

    def write(self, text=""):
        self.lines.append(str(text))

    def read(self, prompt):
        self.prompts.append(prompt)
        self.lines.append(prompt)
        return self.answers.pop(0) if self.answers else "0"

    def games(self) -> list[str]:
        """The text printed during each game, from its header to (not including) its game-over line."""
        text = "\n".join(self.lines)
        return [chunk.split("\n--- game over ---")[0] for chunk in text.split("=== game ")[1:]]

    def endings(self) -> list[list[str]]:
        """The lines printed after each game's game-over line, up to its returns line."""
        text = "\n".join(self.lines)
        return [chunk.split("\n--- game over ---\n")[1].split("\nreturns:")[0].split("\n")
                for chunk in text.split("=== game ")[1:]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A run directory with an untrained tiny model per game; one torch thread meanwhile (tiny searches are
    many small ops, which extra threads only slow down on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    out = {}
    for name in ("kuhn_poker", "leduc_poker"):
        out[name] = tmp_path_factory.mktemp(name)
        save_model(Model(preset("tiny"), GameSpec.of(games.load(name))), out[name] / "model")
    yield out
    torch.set_num_threads(threads)


def steps(final):
    """(state before, action) for every step of a finished game, replayed from its history."""
    state = final.get_game().new_initial_state()
    for action in final.history():
        yield state.clone(), action
        state.apply_action(action)


@pytest.mark.parametrize("game", ["kuhn_poker", "leduc_poker"])
@pytest.mark.parametrize("seat", [0, 1])
def test_printed_moves_and_returns_are_the_real_games(runs, game, seat):
    agent = load_agent(runs[game], seed=seat, **FAST)
    human = Human()
    finished = play(agent, seat, 2, random.Random(seat), human.read, human.write)
    assert len(finished) == 2 and all(s.is_terminal() for s in finished)
    text = "\n".join(human.lines)
    moves = [line for line in human.lines if line.startswith(("you play:", "agent ("))]
    expected = [f"you play: {agent.adapter.spoken(s, a)}" if s.current_player() == seat
                else f"agent (seat {s.current_player()}) plays: {agent.adapter.spoken(s, a)}"
                for f in finished for s, a in steps(f) if not s.is_chance_node()]
    assert moves == expected
    shown = [[float(v) for v in re.findall(r"\) ([-+][\d.e+]+)", line)] for line in human.lines
             if line.startswith("returns:")]
    assert shown == [pytest.approx(s.returns()) for s in finished]
    total = [a + b for a, b in zip(*(s.returns() for s in finished))]
    last = [line for line in human.lines if line.startswith("total after 2 game(s):")]
    assert [float(v) for v in re.findall(r"\) ([-+][\d.e+]+)", last[0])] == pytest.approx(total)
    assert f"seat {seat} (you)" in text and f"seat {1 - seat} (agent)" in text


def money(state) -> list[int]:
    """The chips each player holds, from OpenSpiel's leduc state string (each starts with 100)."""
    return [int(x) for x in next(line for line in str(state).splitlines() if line.startswith("Money")).split(":")[1]
            .split()]


@pytest.mark.parametrize("seed", range(40))
def test_moves_are_said_in_the_tables_words(seed):
    """Poker's words against the chips: a check puts nothing in and owes nothing, a call evens the chips, a fold
    ends the game losing what was put in (in kuhn, the ante)."""
    rng = random.Random(seed)
    for name in ("kuhn_poker", "leduc_poker"):
        adapter = games.load(name)
        state = adapter.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                state.apply_action(rng.choice(state.legal_actions()))
                continue
            action, actor = rng.choice(state.legal_actions()), state.current_player()
            word, before = adapter.spoken(state, action), state.clone()
            state.apply_action(action)
            if name == "leduc_poker":
                owed = money(before)[actor] > min(money(before))
                assert word in (("fold", "call", "raise") if owed else ("check", "bet"))
                if state.is_terminal() and word in ("check", "call"):  # a showdown for what each put in, alike
                    assert abs(state.returns()[actor]) in (0, 100 - min(money(before)))
                elif word == "check":
                    assert money(state) == money(before)
                elif word == "call":
                    assert money(state)[actor] == min(money(before))
                if word == "fold":
                    assert state.is_terminal() and state.returns()[actor] == money(before)[actor] - 100
            else:
                assert word == ("check", "bet", "fold", "call")[2 * (1 in before.history()[2:]) + action]
                if word == "fold":
                    assert state.is_terminal() and state.returns()[actor] == -1  # the ante, no more


def test_the_pot_is_what_the_players_put_in(runs):
    """The pot shown on each turn against OpenSpiel's money: 200 chips at the start, less what the players hold."""
    agent = load_agent(runs["leduc_poker"], **FAST)
    for seed in range(3):
        human = Human()
        [final] = play(agent, 0, 1, random.Random(seed), human.read, human.write)
        turns = [s for s, _ in steps(final) if s.current_player() == 0]
        pots = [line for line in human.games()[0].split("\n") if line.startswith("pot ")]
        assert pots == [f"pot {200 - sum(money(s))}" for s in turns]


@pytest.mark.parametrize("game", ["kuhn_poker", "leduc_poker"])
def test_the_human_sees_no_hidden_card_until_the_showdown_shows_them_all(runs, game):
    agent = load_agent(runs[game], **FAST)
    tok = agent.tok
    for seat in (0, 1):
        for seed in range(3):
            human = Human()
            [final] = play(agent, seat, 1, random.Random(seed), human.read, human.write)
            [text], [ending] = human.games(), human.endings()
            turns = [s for s, _ in steps(final) if s.current_player() == seat]
            assert "[Observer" not in text and "Chance outcome" not in text  # no raw OpenSpiel strings
            theirs = card_word(agent, final, 1 - seat)
            for s in turns:
                assert str(s) not in text  # the full state shows both private cards
                own = set(tok.describe(tok.encode_observation(s, seat)))
                secret = [w for w in tok.describe(tok.encode_hidden(s, seat)) if w not in own]
                assert secret and not [w for w in secret if re.search(rf"\b{w}\b", text)]
            assert f"your cards: {card_word(agent, final, seat)}" in text
            deals = [line for line in text.split("\n") if line.startswith("chance:")][:2]  # seat 0's, seat 1's
            assert deals[1 - seat] == f"chance: agent (seat {1 - seat}): deal ?" and theirs not in text
            assert ending[0] == f"  agent (seat {1 - seat}) deal: {theirs}"  # then the showdown shows it


def card_word(agent, final, seat: int) -> str:
    """The vocabulary's word for the card OpenSpiel dealt to `seat` (the history's first actions are the deals)."""
    initial = final.get_game().new_initial_state()
    return agent.adapter.step(agent.adapter.initial_context() | {"dealt": seat}, initial, -1,
                              final.history()[seat], initial)[0].payload[0]


def test_bad_input_reprompts_and_move_text_is_accepted(runs):
    agent = load_agent(runs["kuhn_poker"], **FAST)
    human = Human(["7", "-1", "dance", "Bet"])
    [final] = play(agent, 0, 1, random.Random(0), human.read, human.write)
    assert final.is_terminal() and len(human.prompts) >= 4
    errors = [line for line in human.lines if line.startswith("not a legal move")]
    assert [e.split(";")[0] for e in errors] == ["not a legal move: '7'", "not a legal move: '-1'",
                                                 "not a legal move: 'dance'"]
    assert "number from 0 to 1" in errors[0] and "q to quit" in errors[0]
    first = next(s.action_to_string(0, a) for s, a in steps(final) if s.current_player() == 0)
    assert first == "Bet"
    assert any(line.startswith("returns:") for line in human.lines)


def test_q_quits_cleanly(runs):
    agent = load_agent(runs["leduc_poker"], **FAST)
    human = Human(["q"])
    assert play(agent, 0, 3, random.Random(0), human.read, human.write) == []
    assert human.lines[-1] == "quit." and not any(line.startswith("returns:") for line in human.lines)

    def eof(prompt):
        raise EOFError
    assert play(agent, 1, 1, random.Random(0), eof, Human().write) == []


def test_cli_plays_and_reports_errors_in_one_line(runs, tmp_path):
    with pytest.raises(SystemExit, match=r"^error: run directory .*nowhere does not exist"):
        main(["--run", str(tmp_path / "nowhere")])
    with pytest.raises(SystemExit, match=r"^error: .* holds no checkpoint"):
        main(["--run", str(tmp_path)])
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.json").write_text("{broken")
    with pytest.raises(SystemExit, match=r"^error: "):
        main(["--run", str(tmp_path)])
    with pytest.raises(SystemExit, match=r"^error: --seat 2 does not exist in kuhn_poker \(seats 0..1\)"):
        main(["--run", str(runs["kuhn_poker"]), "--seat", "2"])
    human = Human()
    main(["--run", str(runs["kuhn_poker"]), "--seat", "1", "--games", "2", "--play.simulations", "4",
          "--play.particles", "2", "--device", "cpu"], human.read, human.write)
    assert sum(line.startswith("returns:") for line in human.lines) == 2
