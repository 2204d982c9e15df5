"""Classifiers on the command line: the handler of :mod:`seqpred.cli.tasks`.

``seqpred fit reviews.txt --task classify --model kmer --data-option
labels=first -o m.seqpred`` trains on labelled lines; ``seqpred predict
m.seqpred -i 'a fine film'`` prints the label and the class probabilities;
``seqpred evaluate m.seqpred test.txt --data-option labels=first`` prints
accuracy, balanced accuracy, macro-F1, the confusion matrix and per-class
precision, recall and F1.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import numpy as np

from seqpred.cli.output import OutputFormat, emit, step
from seqpred.cli.tasks import (
    DataSource,
    EvaluateOptions,
    PredictOptions,
    reject_options,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.evaluate.metrics import (
    classification_report,
)
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["describe", "evaluate", "fit_arguments", "predict"]

TASK = "classify"


def describe(sequences: SequenceSet) -> str:
    """Summarise labelled data: ``"40 sequences (400 items, 4 symbols), 2 classes"``."""
    vocabulary = sequences.vocabulary
    unit = "steps" if vocabulary is None else "items"
    kind = "" if vocabulary is None else f", {len(vocabulary)} symbols"
    n_classes = len(np.unique(np.asarray(sequences.labels)))
    return (
        f"{len(sequences):,} sequences ({sequences.n_steps:,} {unit}{kind}), "
        f"{n_classes} classes"
    )


def _labelled(source: DataSource) -> SequenceSet:
    sequences = source.read()
    if sequences.labels is None:
        _labelled_error(source)
    return sequences


def _labelled_error(source: DataSource) -> NoReturn:
    raise DataError(
        f"{source.path}: the sequences have no class labels; for 'label "
        "tokens...' lines add --data-option labels=first, for a table name "
        "the label column with --data-option label_col=NAME."
    )


def fit_arguments(source: DataSource) -> tuple[tuple[Any, ...], str]:
    """Read labelled training sequences: ``fit(sequences)`` (labels inside)."""
    sequences, roles = source.read_with_roles()
    if sequences.labels is None:
        _labelled_error(source)
    description = describe(sequences)
    if roles is not None:
        description += f" from columns {roles}"
    return (sequences,), description


def _queries(estimator: Any, options: PredictOptions) -> tuple[list[Any], list[str]]:
    """Return the sequences to classify and how each is shown."""
    numeric = estimator.get_tags().input_kind == "numeric"
    queries: list[Any] = []
    shown: list[str] = []
    for text, tokens in zip(options.inputs, options.split_inputs()):
        if numeric:
            try:
                queries.append(np.array([float(t) for t in text.split()]))
            except ValueError:
                raise DataError(
                    f"predict: this model classifies numeric series; got {text!r}. "
                    "Pass numbers separated by spaces, e.g. -i '0.1 0.5 0.9'."
                ) from None
        else:
            queries.append(tokens)
        shown.append(text)
    if options.source is not None:
        data = options.source.read()
        if numeric:
            queries.extend(data[i] for i in range(len(data)))
            shown.extend(
                f"{options.source.path.name}:{i + 1}" for i in range(len(data))
            )
        else:
            lists = data.to_lists()
            queries.extend(lists)
            sep = "" if options.tokens == "chars" else " "
            shown.extend(sep.join(str(s) for s in q) for q in lists)
    return queries, shown


def predict(estimator: Any, options: PredictOptions) -> None:
    """Print each input's predicted label and its class probabilities."""
    reject_options(TASK, horizon=options.horizon, plot=options.plot)
    if not options.inputs and options.source is None:
        raise InvalidParameterError(
            "predict: give --input 'a fine film' (repeatable) or --file FILE."
        )
    queries, shown = _queries(estimator, options)
    labels = estimator.predict(queries)
    classes = [_plain(c) for c in estimator.classes_]
    proba = estimator.predict_proba(queries)
    header = ["input", "label", *[f"P({c})" for c in classes]]
    rows = [
        [text, _plain(label), *[round(float(p), 4) for p in row]]
        for text, label, row in zip(shown, labels, proba)
    ]
    data = [
        {
            "input": text,
            "label": _plain(label),
            "proba": {str(c): float(p) for c, p in zip(classes, row)},
        }
        for text, label, row in zip(shown, labels, proba)
    ]
    emit(options.fmt, header=header, rows=rows, data=data)


def evaluate(estimator: Any, options: EvaluateOptions) -> None:
    """Print accuracy, balanced accuracy, macro-F1, confusion matrix, per-class F1."""
    reject_options(
        TASK, window=options.window, horizon=options.horizon, plot=options.plot
    )
    sequences = _labelled(options.source)
    with step(f"classifying {len(sequences):,} sequences"):
        predicted = np.asarray(estimator.predict(sequences))
    truth = np.asarray(sequences.labels)
    if truth.dtype.kind != predicted.dtype.kind:  # labels read as text, say
        truth, predicted = truth.astype(str), predicted.astype(str)
    report = classification_report(truth, predicted)
    if options.fmt is OutputFormat.json:
        emit(options.fmt, header=[], rows=[], data=report)
        return
    summary = [
        [name, report[name]] for name in ("accuracy", "balanced_accuracy", "macro_f1")
    ]
    summary.append(["n_sequences", report["n_sequences"]])
    classes = report["classes"]
    if options.fmt is OutputFormat.csv:  # one table: a row per (section, ...)
        emit(options.fmt, header=_CSV_HEADER, rows=_csv_rows(report, summary))
        return
    emit(options.fmt, header=["metric", "value"], rows=summary)
    sys.stdout.write("\n")
    emit(
        options.fmt,
        header=["true \\ predicted", *classes],
        rows=[[c, *row] for c, row in zip(classes, report["confusion_matrix"])],
    )
    sys.stdout.write("\n")
    per_class = report["per_class"]
    emit(
        options.fmt,
        header=["class", "precision", "recall", "f1", "support"],
        rows=[[c, *per_class[c].values()] for c in classes],
    )


_CSV_HEADER = ["section", "class", "predicted", "metric", "value"]


def _csv_rows(report: dict[str, Any], summary: list[list[Any]]) -> list[list[Any]]:
    """Flatten the report into one long table (tidy CSV)."""
    rows: list[list[Any]] = [["summary", "", "", name, v] for name, v in summary]
    classes = report["classes"]
    for truth, counts in zip(classes, report["confusion_matrix"]):
        rows += [
            ["confusion", truth, predicted, "count", n]
            for predicted, n in zip(classes, counts)
        ]
    for c in classes:
        rows += [
            ["per_class", c, "", metric, value]
            for metric, value in report["per_class"][c].items()
        ]
    return rows


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
