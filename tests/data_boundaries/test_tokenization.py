"""A model remembers how its text was split into items; the CLI splits the same way.

On the old main ``seqpred predict dna.seqpred -i ACGTACGTAA`` took the input
as one token for a model fitted with ``--data-option tokens=chars``, and a
character-level text model answered "(no match)" to ``-i ROMEO``.
"""

from __future__ import annotations

import json
import random


def _dna(tmp_path):
    rng = random.Random(0)
    lines = ["".join(rng.choice("AC") + "GT" for _ in range(10)) for _ in range(40)]
    path = tmp_path / "dna.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_chars_model_splits_inputs_into_chars(cli, tmp_path):
    model = tmp_path / "dna.seqpred"
    code, _, err = cli(
        "fit", _dna(tmp_path), "--data-option", "tokens=chars", "-p", "order=2",
        "-o", model,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = cli("predict", model, "-i", "ACGTAC", "-f", "json")
    assert code == 0, err
    row = json.loads(out)[0]
    assert row["query"] == list("ACGTAC")
    assert row["prediction"] == "G"  # after 'AC' always comes 'G'


def test_contradicting_tokens_are_refused_naming_both(cli, tmp_path):
    model = tmp_path / "dna.seqpred"
    cli("fit", _dna(tmp_path), "--data-option", "tokens=chars", "-o", model)
    code, _, err = cli("predict", model, "-i", "ACGT", "--tokens", "whitespace")
    assert code == 2
    assert "--tokens whitespace" in err and "'chars'" in err
    code, _, err = cli(
        "evaluate", model, _dna(tmp_path), "--data-option", "tokens=whitespace"
    )
    assert code == 2 and "tokens=whitespace" in err


def test_evaluate_and_predict_file_read_text_as_the_model_did(cli, tmp_path):
    model = tmp_path / "dna.seqpred"
    data = _dna(tmp_path)
    cli("fit", data, "--data-option", "tokens=chars", "-o", model)
    code, out, err = cli("evaluate", model, data, "-f", "json")
    assert code == 0, err
    assert json.loads(out)["accuracy"] > 0.4  # per character, not per line
    code, out, err = cli("predict", model, "--file", data, "-f", "json")
    assert code == 0, err
    assert len(json.loads(out)[0]["query"]) == 30


def test_word_model_keeps_whitespace_tokens(cli, tmp_path):
    text = tmp_path / "play.txt"
    text.write_text("ROMEO speaks\nROMEO speaks again\nJULIET answers\n" * 3)
    model = tmp_path / "words.seqpred"
    cli("fit", text, "-o", model)
    code, out, err = cli("predict", model, "-i", "ROMEO", "-f", "json")
    assert code == 0, err
    assert json.loads(out)[0]["prediction"] == "speaks"
