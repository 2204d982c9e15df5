"""UCR/UEA time-series files: .ts and UCR text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seqpred.data.readers import read_ucr
from seqpred.exceptions import InvalidParameterError, ParseError

HEADER = "@problemName toy\n@timeStamps false\n@univariate true\n"


@pytest.fixture
def ucr_data(shared_data: Path) -> Path:
    root = shared_data / "ucr"
    if not root.is_dir():
        pytest.skip("shared UCR data directory is absent")
    return root


def write(tmp_path: Path, text: str, name: str = "toy.ts") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_ts_univariate_with_labels(tmp_path):
    text = (
        "# comment\n" + HEADER + "@equalLength true\n@seriesLength 3\n"
        "@classLabel true up down\n@data\n1,2,3:up\n3,2.5,-1e-1:down\n"
    )
    ss = read_ucr(write(tmp_path, text))
    assert ss.kind == "numeric" and ss.n_features == 1
    assert ss.values[:, 0].tolist() == [1.0, 2.0, 3.0, 3.0, 2.5, -0.1]
    assert ss.labels.tolist() == ["up", "down"]


def test_ts_multivariate_unequal_length(tmp_path):
    text = (
        "@univariate false\n@dimensions 2\n@equalLength false\n"
        "@classLabel true a b\n@data\n1,2,3:10,20,30:a\n4:40:b\n"
    )
    ss = read_ucr(write(tmp_path, text))
    assert ss.lengths.tolist() == [3, 1]
    assert ss[0].tolist() == [[1, 10], [2, 20], [3, 30]]
    assert ss[1].tolist() == [[4, 40]]


def test_ts_without_labels(tmp_path):
    ss = read_ucr(write(tmp_path, "@classLabel false\n@data\n1,2\n3,4\n"))
    assert ss.labels is None
    assert ss.lengths.tolist() == [2, 2]


@pytest.mark.parametrize(
    ("body", "line", "pattern"),
    [
        (
            "@equalLength true\n@classLabel true a\n@data\n1,2,3:a\n1,2:a\n",
            5,
            "has 2 values; expected 3",
        ),
        (
            "@dimensions 2\n@classLabel true a\n@data\n1,2:3,4:a\n1,2:3:a\n",
            5,
            "differ in length",
        ),
        ("@dimensions 2\n@classLabel true a\n@data\n1,2:a\n", 4, "1 dimension"),
        ("@classLabel true a\n@data\n1,?,3:a\n", 3, "missing values"),
        ("@classLabel true a\n@data\n1,x,3:a\n", 3, "'x' is not a number"),
        ("@classLabel true a\n@data\n1,,3:a\n", 3, "'' is not a number"),
        ("@classLabel true a b\n@data\n1,2:c\n", 3, "'c' is not declared"),
        ("@classLabel true a\n@data\n1,2\n", 3, "no label"),
        ("@classLabel true a\n1,2:a\n", 2, "data before @data"),
        ("@timeStamps true\n@data\n(1,2)\n", 1, "not supported"),
        ("@equalLength maybe\n@data\n1\n", 1, "true or false"),
        ("@classLabel true a\n@data\n\n", 2, "no series"),
    ],
)
def test_ts_errors_report_line(tmp_path, body, line, pattern):
    path = write(tmp_path, body)
    with pytest.raises(ParseError, match=pattern) as info:
        read_ucr(path)
    assert info.value.line == line
    assert info.value.path == str(path)


def test_ts_missing_values_as_nan(tmp_path):
    path = write(tmp_path, "@classLabel true a\n@data\n1,?,3:a\n")
    ss = read_ucr(path, missing="nan")
    assert np.isnan(ss.values[1, 0]) and ss.values[2, 0] == 3
    with pytest.raises(InvalidParameterError, match="missing must be"):
        read_ucr(path, missing="drop")


def test_ucr_text_comma_and_whitespace(tmp_path):
    comma = write(tmp_path, "1,0.5,0.25\n2,1,2\n", "a.csv")
    ss = read_ucr(comma)
    assert ss.labels.tolist() == ["1", "2"]
    assert ss.values[:, 0].tolist() == [0.5, 0.25, 1.0, 2.0]
    spaced = write(tmp_path, "  1.0000000e+00  -5.0e-01   2\n 2.0000000e+00 1 NaN\n")
    ss = read_ucr(write(tmp_path, spaced.read_text(), "b.txt"))
    assert ss.labels.tolist() == ["1", "2"]
    assert ss.lengths.tolist() == [2, 1]  # trailing NaN padding dropped
    ss = read_ucr(write(tmp_path, "cat 1 2\ndog 3 4\n", "c.txt"))
    assert ss.labels.tolist() == ["cat", "dog"]


def test_ucr_text_errors(tmp_path):
    with pytest.raises(ParseError, match="'x' is not a number") as info:
        read_ucr(write(tmp_path, "1,2,3\n1,x,3\n", "a.txt"))
    assert info.value.line == 2
    with pytest.raises(ParseError, match="missing value") as info:
        read_ucr(write(tmp_path, "1 2 3\n1 NaN 3\n", "b.txt"))
    assert info.value.line == 2
    ss = read_ucr(tmp_path / "b.txt", missing="nan")
    assert ss.lengths.tolist() == [2, 2]


@pytest.mark.parametrize(
    ("dataset", "split", "n", "length", "dims", "classes"),
    [
        ("Coffee", "TRAIN", 28, 286, 1, ["0", "1"]),
        ("Coffee", "TEST", 28, 286, 1, ["0", "1"]),
        ("GunPoint", "TRAIN", 50, 150, 1, ["1", "2"]),
        ("GunPoint", "TEST", 150, 150, 1, ["1", "2"]),
        ("ItalyPowerDemand", "TRAIN", 67, 24, 1, ["1", "2"]),
        ("ArrowHead", "TRAIN", 36, 251, 1, ["0", "1", "2"]),
        ("BasicMotions", "TRAIN", 40, 100, 6, None),
        ("JapaneseVowels", "TRAIN", 270, None, 12, [str(i) for i in range(1, 10)]),
    ],
)
def test_shared_ucr_shapes(ucr_data, dataset, split, n, length, dims, classes):
    suffix = ".txt" if dataset == "Coffee" else ".ts"
    ss = read_ucr(ucr_data / dataset / f"{dataset}_{split}{suffix}")
    assert len(ss) == n
    assert ss.n_features == dims
    if length is None:
        assert 7 <= ss.lengths.min() < ss.lengths.max() <= 29
    else:
        assert set(ss.lengths.tolist()) == {length}
    if classes is not None:
        assert sorted(set(ss.labels.tolist())) == classes


def test_shared_basic_motions_layout(ucr_data):
    path = ucr_data / "BasicMotions" / "BasicMotions_TRAIN.ts"
    ss = read_ucr(path)
    lines = path.read_text().split("@data", 1)[1].split()
    first = lines[0].split(":")
    expected = np.array([[float(v) for v in dim.split(",")] for dim in first[:-1]]).T
    np.testing.assert_array_equal(ss[0], expected)
    assert ss.labels[0] == first[-1]
