"""The package layout: one home per concept, no import cycles, paths the docs show."""

from __future__ import annotations

import ast
import importlib
import re
import warnings
from pathlib import Path

import pytest

import seqpred
from seqpred.base import Tags

PACKAGE = Path(seqpred.__file__).parent
REPO = PACKAGE.parents[1]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                skipped |= {id(n) for sub in node.body for n in ast.walk(sub)}
    return skipped


def import_graph() -> dict[str, set[str]]:
    """Module -> the seqpred modules it imports, anywhere but under TYPE_CHECKING.

    Imports inside functions count too: a cycle hidden in a function is still
    a cycle in the design. ``from package import name`` points at the
    submodule ``package.name`` when there is one, else at the package.
    """
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skipped = _type_checking_nodes(tree)
        edges = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{name}: relative import"
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in modules:
                        edges.add(full)
                    elif node.module in modules:
                        edges.add(node.module)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of the graph as a list of modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_top_level_holds_at_most_ten_modules_and_no_cli_helpers():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= 10, modules
    assert not [m for m in modules if m.startswith("_cli")]
    assert not [m for m in modules if m.startswith("_io")]


def _defined(predicate) -> list[str]:
    hits = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if predicate(node):
                hits.append(name)
    return hits


def test_shared_helpers_exist_once():
    assigns_array = _defined(
        lambda n: (
            isinstance(n, (ast.Assign, ast.AnnAssign))
            and any(
                isinstance(t, ast.Name) and t.id == "Array"
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            )
        )
    )
    assert assigns_array == ["seqpred._typing"]
    for helper in ("_is_int", "_is_real", "_say", "_check_sample_args"):
        found = _defined(
            lambda n, h=helper: isinstance(n, ast.FunctionDef) and n.name == h
        )
        assert found == [], f"{helper} is defined in {found}"
    sampling = _defined(
        lambda n: isinstance(n, ast.FunctionDef) and n.name == "check_sampling_args"
    )
    assert sampling == ["seqpred._params"]


def test_each_task_package_owns_its_contract():
    from seqpred.base import TASKS

    packages = {
        "next-item": "next_item",
        "classify": "classify",
        "forecast": "forecast",
        "seq2seq": "seq2seq",
        "generate": "generate",
        "anomaly": "anomaly",
    }
    assert set(packages) == set(TASKS)
    for task, package in packages.items():
        base = importlib.import_module(f"seqpred.models.{package}.base")
        mixins = [
            obj
            for obj in vars(base).values()
            if isinstance(obj, type) and obj.__dict__.get("_task") == task
        ]
        assert len(mixins) == 1, f"{package}/base.py: {mixins}"


def test_every_registered_class_takes_its_task_from_its_mixin():
    for name, (target, task) in seqpred._registry.REGISTRY.items():
        module, _, cls_name = target.partition(":")
        if task in ("next-item", "classify", "forecast", "seq2seq", "generate"):
            path = _modules()[module]
            text = path.read_text()
            assert re.search(r"Tags\([^)]*task=", text) is None, (
                f"{name}: {path.name} sets task= by hand"
            )


def test_a_tag_that_contradicts_the_mixin_is_refused():
    from seqpred.models.classify import ClassifierMixin

    with pytest.raises(TypeError, match="implements the 'classify' contract"):

        class Confused(ClassifierMixin):  # noqa: F841
            _tags = Tags(task="forecast")

    class Fine(ClassifierMixin):
        _tags = Tags(probabilistic=False)

    assert Fine.get_tags().task == "classify"
    assert not Fine.get_tags().probabilistic


def test_tasks_of_every_model_class():
    from seqpred.models.anomaly import SequenceAnomalyScorer
    from seqpred.models.next_item import OnlineMixture

    assert SequenceAnomalyScorer.get_tags().task == "anomaly"
    assert OnlineMixture.get_tags().task == "next-item"
    assert callable(OnlineMixture.predict_top_k)


def test_torch_models_import_from_their_task_package():
    pytest.importorskip("torch")
    from seqpred.models.classify import NeuralSequenceClassifier
    from seqpred.models.forecast import EncoderDecoderForecaster, NeuralForecaster
    from seqpred.models.generate import PianoRollModel
    from seqpred.models.next_item import (
        NeuralLanguageModel,
        RNNNextItem,
        TransformerNextItem,
    )
    from seqpred.models.seq2seq import Seq2SeqNetwork, TransformerSeq2Seq

    tasks = {
        NeuralSequenceClassifier: "classify",
        EncoderDecoderForecaster: "forecast",
        NeuralForecaster: "forecast",
        PianoRollModel: "generate",
        NeuralLanguageModel: "next-item",
        RNNNextItem: "next-item",
        TransformerNextItem: "next-item",
        Seq2SeqNetwork: "seq2seq",
        TransformerSeq2Seq: "seq2seq",
    }
    for cls, task in tasks.items():
        assert cls.get_tags().task == task, cls


def test_unknown_lazy_name_is_an_attribute_error():
    import seqpred.models.next_item as next_item

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        next_item.Nope  # noqa: B018


# -- the paths the README and docs show ---------------------------------------------

_IMPORT = re.compile(r"^\s*(?:>>> )?from (seqpred[\w.]*) import ([\w, ()]+)$", re.M)


def _documented_imports() -> list[tuple[str, str, str]]:
    found = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for module, names in _IMPORT.findall(path.read_text()):
            for name in names.strip("()").split(","):
                if name.strip():
                    found.append((path.name, module, name.strip()))
    return found


def test_docs_show_imports():
    assert len(_documented_imports()) >= 20


@pytest.mark.parametrize(
    "doc, module, name", _documented_imports(), ids=lambda v: str(v)
)
def test_every_documented_import_works_without_warning(doc, module, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        imported = importlib.import_module(module)
        try:
            if not hasattr(imported, name):  # a subpackage: from seqpred import spark
                importlib.import_module(f"{module}.{name}")
            getattr(imported, name)
        except ImportError as exc:  # a torch model where torch is missing
            pytest.skip(str(exc))


# -- old paths keep working for one release, with a warning -------------------------

MOVED = [
    ("seqpred.tasks.anomaly", "SequenceAnomalyScorer", "seqpred.models.anomaly"),
    ("seqpred.tasks.classify", "KmerClassifier", "seqpred.models.classify"),
    ("seqpred.tasks.forecast", "SeasonalNaive", "seqpred.models.forecast"),
    ("seqpred.tasks.forecast", "backtest", "seqpred.evaluate.forecast"),
    ("seqpred.tasks.generate", "SequenceGenerator", "seqpred.models.generate"),
    ("seqpred.tasks.seq2seq", "PPMSeq2Seq", "seqpred.models.seq2seq"),
    ("seqpred.tasks.seq2seq", "read_pairs", "seqpred.data.readers.pairs"),
    ("seqpred.models.markov", "PPM", "seqpred.models.next_item"),
    ("seqpred.evaluate.nab", "read_nab", "seqpred.data.readers.nab"),
]


@pytest.mark.parametrize("old, name, new", MOVED, ids=lambda v: str(v))
def test_old_paths_warn_and_forward(old, name, new):
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=re.escape(new)):
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)


# -- imports flow one way ------------------------------------------------------------

LAYERS = [
    ("seqpred._typing", 0),
    ("seqpred._version", 0),
    ("seqpred._lazy", 0),
    ("seqpred._numba", 0),
    ("seqpred.exceptions", 0),
    ("seqpred._params", 0),
    ("seqpred.base", 1),
    ("seqpred._registry", 1),
    ("seqpred.data", 2),
    ("seqpred.evaluate", 3),
    ("seqpred.nn", 4),
    ("seqpred.models", 5),
    ("seqpred.models.auto", 5),  # what every task's auto model shares
    ("seqpred.io", 6),
    ("seqpred.compress", 6),
    ("seqpred.testing", 6),
    ("seqpred", 7),  # the package's own __init__: the public names
    ("seqpred.serve", 7),  # the HTTP service: models, io, data, evaluate below it
    ("seqpred.cli", 8),
    ("seqpred.spark", 8),  # fit and score on Apache Spark: models, io, data below it
    ("seqpred.__main__", 9),
    ("seqpred.tasks", 9),  # deprecated forwards
]
"""Each module's layer: a module imports only from its own layer or lower ones."""


def _layer(module: str) -> int:
    matches = [
        (len(p), r) for p, r in LAYERS if module == p or module.startswith(p + ".")
    ]
    assert matches, f"{module} has no layer in LAYERS"
    return max(matches)[1]


def test_imports_flow_downward():
    upward = [
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert upward == [], upward
