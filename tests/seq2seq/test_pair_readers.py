"""Pair readers: tab-separated, SCAN and parallel files, with file:line errors."""

import gzip

import pytest

from seqpred.data.readers import read_pairs, read_parallel, read_scan
from seqpred.data.readers.pairs import tokenize
from seqpred.exceptions import EmptySequenceError, InvalidParameterError, ParseError


def test_read_pairs_chars_strips_padding(tmp_path):
    path = tmp_path / "add.tsv"
    path.write_text("892+176\t1068\n743+8  \t751 \n\n12+3\t15\n")
    assert read_pairs(path, tokens="chars") == (
        ["892+176", "743+8", "12+3"],
        ["1068", "751", "15"],
    )


def test_read_pairs_tokens_and_empty_output(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("jump twice\tJUMP JUMP\r\nwait\t\n")
    assert read_pairs(path) == ([["jump", "twice"], ["wait"]], [["JUMP", "JUMP"], []])
    words = read_pairs(path, tokens="words", lowercase=True)
    assert words[1][0] == ["jump", "jump"]


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a\tb\nno tab here\n", 2, "one tab"),
        ("a\tb\n\nx\ty\tz\n", 3, "got 2"),
        ("a\tb\n  \tb\n", 2, "the input .before the tab. is empty"),
    ],
)
def test_read_pairs_errors_name_the_line(tmp_path, text, line, needle):
    path = tmp_path / "bad.tsv"
    path.write_text(text)
    with pytest.raises(ParseError, match=needle) as info:
        read_pairs(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}:")


def test_read_pairs_bad_encoding_and_empty_file(tmp_path):
    path = tmp_path / "latin.tsv"
    path.write_bytes(b"a\tb\n\xe9\tc\n")
    with pytest.raises(ParseError, match="utf-8") as info:
        read_pairs(path)
    assert info.value.line == 2
    blank = tmp_path / "blank.tsv"
    blank.write_text("\n\n \n")
    with pytest.raises(EmptySequenceError):
        read_pairs(blank)
    with pytest.raises(InvalidParameterError):
        read_pairs(path, tokens="bytes")


def test_read_scan(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_text(
        "IN: jump twice OUT: I_JUMP I_JUMP\nIN: walk left OUT: I_TURN_LEFT I_WALK\n"
    )
    assert read_scan(path) == (
        [["jump", "twice"], ["walk", "left"]],
        [["I_JUMP", "I_JUMP"], ["I_TURN_LEFT", "I_WALK"]],
    )
    path.write_text("IN: jump OUT: I_JUMP\njump OUT: I_JUMP\n")
    with pytest.raises(ParseError, match="IN:") as info:
        read_scan(path)
    assert info.value.line == 2
    path.write_text("IN: OUT: I_JUMP\n")
    with pytest.raises(ParseError) as info:
        read_scan(path)
    assert info.value.line == 1


def test_read_parallel_gzip_and_mismatch(tmp_path):
    source, target = tmp_path / "a.en.gz", tmp_path / "a.de"
    source.write_bytes(gzip.compress(b"A dog runs.\nTwo cats!\n"))
    target.write_text("Ein Hund rennt.\nZwei Katzen!\n")
    inputs, outputs = read_parallel(source, target, lowercase=True)
    assert inputs[1] == ["two", "cats", "!"]
    assert outputs[0] == ["ein", "hund", "rennt", "."]
    target.write_text("Ein Hund rennt.\n")
    with pytest.raises(ParseError, match="align") as info:
        read_parallel(source, target)
    assert info.value.line == 2
    assert info.value.path == str(source)


def test_tokenize_modes():
    assert tokenize("Hi, you.", "words") == ["Hi", ",", "you", "."]
    assert tokenize(" a b ", "whitespace") == ["a", "b"]
    assert tokenize(" a b ", "chars") == "a b"


def test_real_scan_and_addition_files(shared_data):
    folder = shared_data / "seq2seq"
    commands, actions = read_scan(folder / "scan/simple_split/tasks_train_simple.txt")
    assert len(commands) == 16728 and max(len(a) for a in actions) == 48
    inputs, outputs = read_pairs(folder / "addition/addition3_val.tsv", tokens="chars")
    assert len(inputs) == 5000
    assert all(int(a) + int(b) == int(s) for (a, b), s in
               zip((x.split("+") for x in inputs), outputs))  # fmt: skip
