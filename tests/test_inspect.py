"""scripts.inspect: a long game's episode stays readable (lines cut with a count, what is new since a player's last
decision), it says where it stopped showing decisions, and its returns are the real game's."""
import re

import pyspiel

from scripts.inspect import Args, cut, episode_lines

KUHN_CARDS = {"RJ": 0, "RQ": 1, "RK": 2}


def test_a_hearts_episode_is_a_few_pages_not_sixty_kilobytes():
    lines = episode_lines(Args(game="hearts", seed=3))
    text = "\n".join(lines)
    assert len(text) < 25_000, len(text)
    assert max(len(line) for line in lines) < 160 + 60  # a label, then at most --width characters of tokens
    assert re.search(r"\.\.\. \(\+\d+ words\)", text)  # cut lines say how much is left out
    shown = sum(line.startswith("-- decision") for line in lines)
    [stop] = [line for line in lines if "not shown" in line]
    hidden, total = map(int, re.fullmatch(r"\.\.\. (\d+) more decisions not shown \(--max-steps 40\); the game "
                                          r"ended after (\d+)", stop.strip()).groups())
    assert shown == 40 and hidden == total - 40
    assert lines[-1].startswith("returns: player 0 ")


def test_cut_keeps_whole_words_and_counts_the_rest():
    words = [f"w{i}" for i in range(100)]
    assert cut(words, 0) == " ".join(words)
    for width in (20, 40):
        short = cut(words, width)
        kept = short.split("...")[0].split()
        assert len(short) <= width  # the note of what was left out fits in the width too
        assert kept == words[:len(kept)] and short.endswith(f"(+{100 - len(kept)} words)") and len(kept) >= 1


def test_the_printed_kuhn_episode_replays_to_the_printed_returns():
    """Rebuilt from what it prints alone (the deals each player is shown, the moves taken), the episode reaches in
    OpenSpiel the returns the script printed."""
    for seed in range(10):
        lines = episode_lines(Args(game="kuhn_poker", seed=seed, full=True))
        deals = {}
        for line in lines:
            if line.strip().startswith("observation"):
                pos = int(re.search(r"pos(\d)", line)[1])
                deals[pos] = KUHN_CARDS[re.search(r"me deal (R[JQK])", line)[1]]
        state = pyspiel.load_game("kuhn_poker").new_initial_state()
        state.apply_action(deals[0])
        state.apply_action(deals[1])
        for line in lines:
            if line.strip().startswith("takes:"):
                state.apply_action({"pass": 0, "bet": 1}[line.split()[-1]])
        assert state.is_terminal()
        assert lines[-1] == f"returns: player 0 {state.returns()[0]:+g}, player 1 {state.returns()[1]:+g}"
        assert not any("not shown" in line for line in lines)


def test_fewer_decisions_shown_say_how_many_were_left_out():
    full = episode_lines(Args(game="leduc_poker", seed=5))
    total = sum(line.startswith("-- decision") for line in full)
    cut_short = episode_lines(Args(game="leduc_poker", seed=5, max_steps=1))
    assert sum(line.startswith("-- decision") for line in cut_short) == 1
    assert f"... {total - 1} more decisions not shown (--max-steps 1); the game ended after {total}" in cut_short
    assert cut_short[-1] == full[-1]  # the same episode, to the same returns
