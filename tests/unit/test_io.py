"""Tests of seqpred.io: round trips, hooks, refusals and every corrupt-file case."""

from __future__ import annotations

import io as stdio
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from seqpred import io
from seqpred._registry import REGISTRY
from seqpred.base import BaseEstimator
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import InvalidParameterError, ModelFileError
from seqpred.models.next_item import MarkovPredictor

TRAIN = [list("abcabcabd"), list("bcabca"), list("cabcab"), list("abdabd")]
QUERIES = [list("ab"), list("ca"), list("d"), [], list("zz")]


# -- toy estimators (registered per test with the ``toys`` fixture) ----------------


class ToyState(BaseEstimator):
    """Hold one value of every kind the generic capture supports."""

    def __init__(self, width=2, names=None):
        self.width = width
        self.names = names

    def fit(self, X=None, y=None):
        self._reset()
        self.table_ = np.arange(6, dtype=np.int32).reshape(2, 3)
        self.pair_ = (np.array([1.5, 2.5]), "x")
        self.by_id_ = {3: np.array([True, False]), "k": [1, None, 2.5]}
        self.kinds_ = {"a", "b"}
        self.frozen_ = frozenset({(1, 2)})
        self.scalar_ = np.float32(0.25)
        self.labels_ = np.array(["x", "yy"])
        self.nan_ = math.nan
        self.vocabulary_ = Vocabulary(["a", 7]).freeze()
        self.inner_ = Inner(alpha=0.5).fit()
        self.n_ = 3
        self._cache = "not saved"
        self._mark_fitted()
        return self


class Inner(BaseEstimator):
    """A nested estimator (as a classifier holds one model per class)."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X=None, y=None):
        self.weights_ = np.ones(3) * self.alpha
        self._mark_fitted()
        return self


class ToyHooks(BaseEstimator):
    """Keep state in a private object; save it through the hooks."""

    def __init__(self, scale=1):
        self.scale = scale

    def fit(self, X=None, y=None):
        self._store = {"w": np.full(4, float(self.scale))}
        self.note_ = "fitted"
        self._mark_fitted()
        return self

    def _get_state(self):
        return {"w": self._store["w"], "note_": self.note_}

    def _set_state(self, state):
        self._store = {"w": state["w"]}
        self.note_ = state["note_"]

    def _extra_files(self):
        from safetensors.numpy import save

        return {"weights.safetensors": save({"w": self._store["w"]})}

    def _load_extra_files(self, files):
        from safetensors.numpy import load

        self.loaded_ = load(files["weights.safetensors"])["w"]


class ToyBadExtra(ToyHooks):
    """Return an unsafe member name."""

    def _extra_files(self):
        return {"../evil": b"x"}


class ToyHolder(BaseEstimator):
    """Hold nested estimators that write extra files (as an ensemble of nets)."""

    def __init__(self, n=2):
        self.n = n

    def fit(self, X=None, y=None):
        self.members_ = [ToyHooks(scale=i + 1).fit() for i in range(self.n)]
        self.single_ = ToyHooks(scale=7).fit()
        self._mark_fitted()
        return self


@pytest.fixture
def toys(monkeypatch):
    for name, cls in [
        ("toy-state", ToyState),
        ("toy-inner", Inner),
        ("toy-hooks", ToyHooks),
        ("toy-bad-extra", ToyBadExtra),
        ("toy-holder", ToyHolder),
    ]:
        target = f"{cls.__module__}:{cls.__qualname__}"
        monkeypatch.setitem(REGISTRY, name, (target, "next-item"))


@pytest.fixture
def markov_file(tmp_path):
    model = MarkovPredictor(order=2, fallback="most_frequent").fit(TRAIN)
    return model, io.save(model, tmp_path / "model.seqpred")


# -- helpers ------------------------------------------------------------------------


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def rewrite(path: Path, edit_manifest=None, edit_members=None, rehash=True) -> None:
    """Rewrite a model file with an edited manifest and/or members."""
    import hashlib

    members = read_members(path)
    manifest = json.loads(members.pop("manifest.json"))
    if edit_members:
        edit_members(members)
    if rehash:
        manifest["checksums"] = {
            name: hashlib.sha256(data).hexdigest() for name, data in members.items()
        }
    if edit_manifest:
        edit_manifest(manifest)
    write_members(path, {"manifest.json": json.dumps(manifest).encode(), **members})


def load_error(path: Path) -> str:
    with pytest.raises(ModelFileError) as info:
        io.load(path)
    assert str(path) in str(info.value)
    return str(info.value)


# -- round trips ------------------------------------------------------------------


def test_markov_round_trip_gives_same_predictions(markov_file):
    model, path = markov_file
    twin = io.load(path)
    assert type(twin) is MarkovPredictor and twin.is_fitted
    assert twin.get_params() == model.get_params()
    assert twin.predict(QUERIES) == model.predict(QUERIES)
    assert twin.predict_top_k(QUERIES, k=3) == model.predict_top_k(QUERIES, k=3)
    np.testing.assert_array_equal(
        twin.predict_proba(QUERIES), model.predict_proba(QUERIES)
    )
    assert twin.vocabulary_ == model.vocabulary_
    with pytest.raises(Exception, match="frozen"):
        twin.vocabulary_.add("new")


def test_save_returns_path_and_accepts_str(tmp_path):
    model = MarkovPredictor(order=1).fit(TRAIN)
    path = io.save(model, str(tmp_path / "m.seqpred"))
    assert path == tmp_path / "m.seqpred"
    assert io.load(str(path)).predict([["a"]]) == model.predict([["a"]])


def test_unfitted_round_trip_stays_unfitted(tmp_path):
    path = io.save(MarkovPredictor(order=4, on_unknown="error"), tmp_path / "m")
    twin = io.load(path)
    assert not twin.is_fitted
    assert twin.get_params()["order"] == 4
    assert twin.get_params()["on_unknown"] == "error"


def test_same_model_gives_identical_bytes(tmp_path):
    model = MarkovPredictor(order=2).fit(TRAIN)
    a = io.save(model, tmp_path / "a").read_bytes()
    b = io.save(model, tmp_path / "b").read_bytes()
    assert a == b


def test_manifest_describes_the_model(markov_file):
    _, path = markov_file
    manifest = io.read_manifest(path)
    assert manifest["format"] == "seqpred-model"
    assert manifest["format_version"] == io.FORMAT_VERSION == 1
    assert manifest["model"] == "markov"
    assert manifest["class"] == "MarkovPredictor"
    assert manifest["params"]["order"] == 2
    assert manifest["params"]["fallback"] == "most_frequent"
    assert manifest["tags"]["task"] == "next-item"
    assert manifest["fitted"] is True
    assert "vocabulary_" in manifest["state"]
    assert set(manifest["checksums"]) == {"arrays.npz"}


def test_generic_state_round_trips_every_supported_kind(tmp_path, toys):
    model = ToyState(names=("a", "b")).fit()
    twin = io.load(io.save(model, tmp_path / "t.seqpred"))
    assert twin.is_fitted and twin.names == ("a", "b")
    np.testing.assert_array_equal(twin.table_, model.table_)
    assert twin.table_.dtype == np.int32
    assert isinstance(twin.pair_, tuple) and twin.pair_[1] == "x"
    np.testing.assert_array_equal(twin.pair_[0], [1.5, 2.5])
    assert set(twin.by_id_) == {3, "k"} and twin.by_id_["k"] == [1, None, 2.5]
    np.testing.assert_array_equal(twin.by_id_[3], [True, False])
    assert twin.kinds_ == {"a", "b"} and twin.frozen_ == frozenset({(1, 2)})
    assert twin.scalar_ == np.float32(0.25) and twin.scalar_.dtype == np.float32
    assert twin.labels_.tolist() == ["x", "yy"]
    assert math.isnan(twin.nan_)
    assert twin.vocabulary_.symbols == ["a", 7]
    assert isinstance(twin.inner_, Inner) and twin.inner_.is_fitted
    np.testing.assert_array_equal(twin.inner_.weights_, [0.5] * 3)
    assert twin.n_ == 3 and not hasattr(twin, "_cache")


def test_state_and_extra_file_hooks(tmp_path, toys):
    model = ToyHooks(scale=3).fit()
    path = io.save(model, tmp_path / "h.seqpred")
    assert set(read_members(path)) == {
        "manifest.json",
        "arrays.npz",
        "weights.safetensors",
    }
    twin = io.load(path)
    np.testing.assert_array_equal(twin._store["w"], [3.0] * 4)
    np.testing.assert_array_equal(twin.loaded_, [3.0] * 4)
    assert twin.note_ == "fitted" and twin.is_fitted


def test_nested_estimators_get_their_own_extra_files(tmp_path, toys):
    path = io.save(ToyHolder(n=2).fit(), tmp_path / "n.seqpred")
    manifest = io.read_manifest(path)
    assert manifest["extra_files"] == []
    assert len(manifest["nested_files"]) == 3
    assert all(name.startswith("part") for name in manifest["nested_files"])
    twin = io.load(path)
    assert [m.loaded_.tolist() for m in twin.members_] == [[1.0] * 4, [2.0] * 4]
    np.testing.assert_array_equal(twin.single_.loaded_, [7.0] * 4)
    assert all(m.is_fitted for m in [*twin.members_, twin.single_])


def test_nested_file_map_pointing_nowhere_is_corrupt(tmp_path, toys):
    path = io.save(ToyHolder(n=1).fit(), tmp_path / "n.seqpred")

    def unlist(manifest):
        manifest["nested_files"] = manifest["nested_files"][:1]

    def drop(members):
        for name in sorted(n for n in members if n.startswith("part"))[1:]:
            del members[name]

    rewrite(path, edit_manifest=unlist, edit_members=drop)
    assert "are not listed as nested_files" in load_error(path)


# -- refusals at save time ------------------------------------------------------------


def test_generator_parameter_is_refused_with_fix(tmp_path, toys):
    model = ToyState(width=np.random.default_rng(0))
    with pytest.raises(ModelFileError, match=r"width.*set_params\(width=0\)"):
        io.save(model, tmp_path / "g.seqpred")
    assert not (tmp_path / "g.seqpred").exists()


def test_unsupported_attribute_is_named(tmp_path, toys):
    model = ToyState().fit()
    model.thing_ = object()
    with pytest.raises(ModelFileError, match=r"ToyState\.thing_ of type object"):
        io.save(model, tmp_path / "u.seqpred")


def test_object_array_is_refused(tmp_path, toys):
    model = ToyState().fit()
    model.table_ = np.array([{"a": 1}], dtype=object)
    with pytest.raises(ModelFileError, match="table_.*dtype object"):
        io.save(model, tmp_path / "o.seqpred")


def test_unsaveable_vocabulary_symbol_is_named(tmp_path, toys):
    model = ToyState().fit()
    model.vocabulary_ = Vocabulary([("a", 1)])
    with pytest.raises(ModelFileError, match="vocabulary_"):
        io.save(model, tmp_path / "v.seqpred")


def test_unregistered_class_is_refused(tmp_path):
    with pytest.raises(InvalidParameterError, match="not a registered"):
        io.save(Inner().fit(), tmp_path / "x.seqpred")


def test_non_estimator_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="expected a seqpred estimator"):
        io.save({"not": "a model"}, tmp_path / "x.seqpred")  # type: ignore[arg-type]


def test_unsafe_extra_member_name_is_refused(tmp_path, toys):
    with pytest.raises(ModelFileError, match="member name '../evil'"):
        io.save(ToyBadExtra().fit(), tmp_path / "x.seqpred")


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        io.save(MarkovPredictor(), tmp_path / "nope" / "m.seqpred")


def test_save_onto_a_directory(tmp_path):
    with pytest.raises(ModelFileError, match="is a directory"):
        io.save(MarkovPredictor(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_save_keeps_the_old_file(tmp_path, markov_file, monkeypatch):
    model, path = markov_file
    before = path.read_bytes()

    def explode(handle, members):
        handle.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(io._files, "write_zip", explode)
    with pytest.raises(KeyboardInterrupt):
        io.save(MarkovPredictor(order=1).fit(TRAIN), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.seqpred"]


def test_overwrite_keeps_file_mode(tmp_path, markov_file):
    _, path = markov_file
    os.chmod(path, 0o600)
    io.save(MarkovPredictor(order=1).fit(TRAIN), path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert io.load(path).order == 1


# -- corrupt, truncated and foreign files ----------------------------------------------


def test_missing_file(tmp_path):
    assert "no such model file" in load_error(tmp_path / "absent.seqpred")


def test_directory_instead_of_file(tmp_path):
    assert "is a directory" in load_error(tmp_path)


@pytest.mark.parametrize(
    "content", [b"", b"hello, I am a text file\n", b"PK\x03\x04garbage"]
)
def test_foreign_bytes(tmp_path, content):
    path = tmp_path / "foreign.seqpred"
    path.write_bytes(content)
    assert "not a seqpred model file" in load_error(path)


def test_truncated_file(markov_file):
    _, path = markov_file
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated or corrupt" in load_error(path)


def test_flipped_byte_in_compressed_member(markov_file):
    _, path = markov_file
    data = bytearray(path.read_bytes())
    offset = data.index(b"arrays.npz") + 40  # inside the member's data
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    message = load_error(path)
    assert "corrupt" in message


def test_zip_without_manifest(tmp_path):
    path = tmp_path / "other.zip"
    write_members(path, {"readme.txt": b"hi"})
    assert "without manifest.json" in load_error(path)


def test_plain_npz_file(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, a=np.arange(3))
    assert "without manifest.json" in load_error(path)


def test_manifest_not_json(markov_file):
    _, path = markov_file
    members = read_members(path)
    members["manifest.json"] = b"{not json"
    write_members(path, members)
    assert "manifest.json is not valid JSON" in load_error(path)


@pytest.mark.parametrize("manifest", [b"[1, 2]", b'{"format": "keras"}', b"{}"])
def test_foreign_manifest(markov_file, manifest):
    _, path = markov_file
    members = read_members(path)
    members["manifest.json"] = manifest
    write_members(path, members)
    assert "not a seqpred model file" in load_error(path)


def test_newer_format_version(markov_file):
    _, path = markov_file

    def newer(m):
        m["format_version"] = 2
        m["seqpred_version"] = "9.0"

    rewrite(path, edit_manifest=newer)
    message = load_error(path)
    assert "format version 2" in message and "9.0" in message
    assert "Upgrade seqpred" in message


@pytest.mark.parametrize("version", [0, "1", None, 1.0, True])
def test_invalid_format_version(markov_file, version):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m.update(format_version=version))
    assert "invalid format_version" in load_error(path)


def test_checksum_mismatch(markov_file):
    _, path = markov_file

    def tamper(members):
        arrays = dict(np.load(stdio.BytesIO(members["arrays.npz"])))
        arrays["a0"] = arrays["a0"] + 1
        buffer = stdio.BytesIO()
        np.savez(buffer, **arrays)
        members["arrays.npz"] = buffer.getvalue()

    rewrite(path, edit_members=tamper, rehash=False)
    assert "does not match its SHA-256 checksum" in load_error(path)


def test_missing_member(markov_file):
    _, path = markov_file
    rewrite(path, edit_members=lambda m: m.pop("arrays.npz"), rehash=False)
    assert "missing the member(s) ['arrays.npz']" in load_error(path)


def test_unlisted_member(markov_file):
    _, path = markov_file
    rewrite(path, edit_members=lambda m: m.update(x=b"1"), rehash=False)
    assert "does not list" in load_error(path)


def test_missing_checksums_table(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m.pop("checksums"))
    assert "checksums" in load_error(path)


def test_unknown_model_name(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m.update(model="gpt-17"))
    message = load_error(path)
    assert "'gpt-17'" in message and "does not register" in message


def test_module_path_in_file_is_never_imported(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m.update(model="os.path:join"))
    assert "does not register" in load_error(path)


def test_class_mismatch(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m.update({"class": "PPM"}))
    assert "registers MarkovPredictor" in load_error(path)


def test_unknown_parameter(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m["params"].update(depth=3))
    assert "parameters do not fit" in load_error(path)


def test_invalid_parameter_value(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m["params"].update(order=-1))
    assert "order must be" in load_error(path)


def test_state_name_that_is_not_a_fitted_attribute(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m["state"].update(predict=1))
    assert "'predict' is not a fitted attribute name" in load_error(path)


def test_unknown_value_kind(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m["state"].update(x_={"t": "pickle"}))
    assert "unknown value kind 'pickle'" in load_error(path)


def test_array_missing_from_npz(markov_file):
    _, path = markov_file
    node = {"t": "array", "key": "a999"}
    rewrite(path, edit_manifest=lambda m: m["state"].update(x_=node))
    assert "'a999' is missing" in load_error(path)


def test_bad_vocabulary_node(markov_file):
    _, path = markov_file
    node = {"t": "vocabulary", "value": {"symbols": [["unhashable"]]}}
    rewrite(path, edit_manifest=lambda m: m["state"].update(vocabulary_=node))
    assert "vocabulary_" in load_error(path)


def test_state_hook_flag_without_hook(markov_file):
    _, path = markov_file
    rewrite(path, edit_manifest=lambda m: m.update(state_hook=True))
    assert "no _set_state hook" in load_error(path)


def test_extra_member_without_load_hook(markov_file):
    _, path = markov_file

    def add(members):
        members["w.safetensors"] = b"123"

    rewrite(
        path,
        edit_members=add,
        edit_manifest=lambda m: m.update(extra_files=["w.safetensors"]),
    )
    assert "no _load_extra_files hook" in load_error(path)


class _Boom:
    ran = False

    def __reduce__(self):
        return (_Boom._explode, ())

    @staticmethod
    def _explode():
        _Boom.ran = True
        return "boom"


def test_pickled_array_is_refused_without_running_code(markov_file):
    _, path = markov_file

    def plant(members):
        arrays = dict(np.load(stdio.BytesIO(members["arrays.npz"])))
        arrays["a0"] = np.array([_Boom()], dtype=object)
        buffer = stdio.BytesIO()
        np.savez(buffer, **arrays)  # np.savez pickles object arrays
        members["arrays.npz"] = buffer.getvalue()

    rewrite(path, edit_members=plant)
    assert "holds Python objects" in load_error(path)
    assert not _Boom.ran


def test_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError):
        io.load(tmp_path / "absent")


def _manifest_of(path: Path) -> dict[str, Any]:
    return json.loads(read_members(path)["manifest.json"])


def test_nested_estimator_keeps_fitted_flag(tmp_path, toys):
    model = ToyState().fit()
    model.inner_ = Inner()  # unfitted nested estimator
    path = io.save(model, tmp_path / "n.seqpred")
    assert _manifest_of(path)["state"]["inner_"]["fitted"] is False
    assert not io.load(path).inner_.is_fitted
