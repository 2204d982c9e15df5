"""The ``seqpred`` command line: fit, predict, evaluate, datasets, demo.

The commands parse their arguments, call the public API and print; they hold
no logic the API lacks. Results go to stdout (a table, or ``--format
json|csv``); progress and errors go to stderr. Exit codes: 0 success, 1 a
data or runtime error (one line; ``--debug`` adds the traceback), 2 a usage
error (an unknown option, a missing argument, an unknown model or a parameter
value the estimator rejects).

Examples
--------
>>> from seqpred.cli import main
>>> main(["--version"])
seqpred ...
0
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

import seqpred
from seqpred._registry import auto_name
from seqpred.cli import compare as compare_command
from seqpred.cli import compress as compress_command
from seqpred.cli import generate as generate_command
from seqpred.cli import serve as serve_command
from seqpred.cli.args import parse_key_values
from seqpred.cli.auto import describe_choice, is_auto, read_for_auto
from seqpred.cli.model_files import check_output, load_model, save_model
from seqpred.cli.output import (
    OutputFormat,
    emit,
    format_seconds,
    format_size,
    step,
)
from seqpred.cli.tasks import (
    TASK_HANDLERS,
    DataSource,
    EvaluateOptions,
    PredictOptions,
    handler_for,
    model_tokens,
    reject_options,
    remember_tokens,
    with_model_tokens,
)
from seqpred.data.readers import FORMATS
from seqpred.exceptions import InvalidParameterError, SeqpredError

__all__ = ["app", "app_main", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C

app = typer.Typer(
    name="seqpred",
    help="Predictions with sequences: next item, classification, generation, seq2seq.",
    epilog="Example: seqpred demo --quick",
    add_completion=True,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@dataclass
class _State:
    """Per-invocation options of the group, shared with ``main``."""

    debug: bool = False


class TokenMode(str, Enum):
    """How ``--input`` strings are split into items."""

    whitespace = "whitespace"
    chars = "chars"


def _version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"seqpred {seqpred.__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="SEQPRED_DEBUG",
            help="Show the full traceback of an error.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Predictions with sequences: next item, classification, generation, seq2seq."""
    if isinstance(ctx.obj, _State):
        ctx.obj.debug = debug


# -- shared options ------------------------------------------------------------------


_DATA_FORMATS = f"auto (from the extension or content), {', '.join(FORMATS)}"
_DATA_FORMAT_HELP = f"Input format: {_DATA_FORMATS}; see 'seqpred datasets'."
DataFormatOption = Annotated[
    str,
    typer.Option(
        "--data-format",
        help=_DATA_FORMAT_HELP,
    ),
]
DataOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--data-option",
        metavar="KEY=VALUE",
        help="A reader option (repeatable), e.g. --data-option tokens=chars.",
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format on stdout."),
]
ModelFileArgument = Annotated[
    Path, typer.Argument(metavar="MODEL", help="A .seqpred file from 'fit'.")
]
HorizonOption = Annotated[
    int | None,
    typer.Option("--horizon", min=1, help="Steps ahead to forecast (forecast models)."),
]
PlotOption = Annotated[
    Path | None,
    typer.Option(
        "--plot", metavar="PNG", help="Save a forecast plot (forecast models)."
    ),
]
StepsOption = Annotated[
    int | None,
    typer.Option(
        "--steps",
        min=1,
        help="Items ahead: continuations of this many items (next-item models).",
    ),
]


def _source(path: Path, data_format: str, options: Sequence[str] | None) -> DataSource:
    return DataSource(path, data_format, parse_key_values(options, "--data-option"))


def _task_of(estimator: Any) -> str:
    return str(estimator.get_tags().task)


# -- commands -------------------------------------------------------------------------


@app.command(
    epilog="Example: seqpred fit sessions.txt --param order=2 -o model.seqpred"
)
def fit(
    data: Annotated[
        Path,
        typer.Argument(
            metavar="DATA", help="Training sequences: a file, or - for standard input."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Where to save the model (signed when SEQPRED_MODEL_KEY is set).",
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --output file.")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Registry name; see 'seqpred datasets'; 'auto' chooses one by "
            "validation (default: the task's default, "
            f"{', '.join(f'{k}: {v}' for k, v in DEFAULT_MODELS.items())}).",
        ),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help=f"The task: {', '.join(TASK_HANDLERS)} (default: the model's "
            "task, else next-item).",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            metavar="KEY=VALUE",
            help="A model parameter (repeatable); values are JSON when they "
            "parse (2, 0.5, null, true), else strings.",
        ),
    ] = None,
    horizon: HorizonOption = None,
    data_format: Annotated[
        str,
        typer.Option(
            "--data-format",
            "--format",
            help=f"Input format (also --format, as fit prints no table): "
            f"{_DATA_FORMATS}.",
        ),
    ] = "auto",
    data_option: DataOptions = None,
) -> None:
    """Fit a model on a file of sequences and save it."""
    check_output(output, force=force, inputs=[data])  # before any work
    params = parse_key_values(param, "--param")
    if horizon is not None:
        params["horizon"] = horizon
    source = _source(data, data_format, data_option)
    read = None
    if is_auto(model) and task is None:  # the task from the data (read once)
        task, read = read_for_auto(source)
    model, task = _model_and_task(model, task)
    estimator = _build_estimator(model, task, params)
    _show_progress(estimator, params)
    handler = handler_for(task)
    arguments, description = read or handler.fit_arguments(source)
    try:
        with step(f"fitting {estimator!r}"):
            start = time.perf_counter()
            estimator.fit(*arguments)
            seconds = time.perf_counter() - start
    except KeyboardInterrupt:
        sys.stderr.write(
            "interrupted (Ctrl-C) before anything was learned: nothing was saved\n"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    remember_tokens(estimator, source)
    save_model(estimator, output, force=force)
    note = ""
    if getattr(estimator, "stop_reason_", None) == "interrupted":
        note = (
            f" (interrupted by Ctrl-C: the weights of epoch "
            f"{estimator.best_epoch_} are saved)"
        )
    typer.echo(
        f"fitted {estimator!r} on {description} in {format_seconds(seconds)}; "
        f"saved {output} ({format_size(output.stat().st_size)}){note}"
    )
    if hasattr(estimator, "leaderboard_"):  # an auto model: say what it chose
        typer.echo(describe_choice(estimator))


DEFAULT_MODELS = {
    "next-item": "markov",
    "classify": "kmer",
    "forecast": "naive",
    "seq2seq": "seq2seq-ppm",
}
"""The model ``fit`` uses for a task when ``--model`` is not given."""


def _model_and_task(model: str | None, task: str | None) -> tuple[str, str]:
    """Fill in ``--model`` from ``--task`` or ``--task`` from ``--model``."""
    if is_auto(model):  # the task's auto model, registered as "auto-<task>"
        return auto_name(task), str(task)
    if model is None:
        task = task or "next-item"
        if task not in DEFAULT_MODELS:
            raise InvalidParameterError(
                f"--task must be one of {list(DEFAULT_MODELS)}; got {task!r}."
            )
        return DEFAULT_MODELS[task], task
    if task is None:
        seqpred.create(model)  # an unknown name lists the models
        task = seqpred.available()[model.lower()]
    return model, task


def _show_progress(estimator: Any, params: dict[str, Any]) -> None:
    """Turn on progress bars of long fits when stderr is a terminal."""
    if "verbose" in params or "verbose" not in estimator.get_params(deep=False):
        return
    if sys.stderr.isatty():
        estimator.set_params(verbose=1)


def _build_estimator(name: str, task: str, params: dict[str, Any]) -> Any:
    """Create the estimator and check its parameters before any data is read."""
    estimator = seqpred.create(name, **params)  # an unknown name lists the models
    serves = seqpred.available()[name.lower()]
    if serves != task:
        raise InvalidParameterError(
            f"model {name!r} serves task {serves!r}, not {task!r}; models for "
            f"{task!r}: {sorted(seqpred.available(task))}. Pass --model with one "
            f"of them, or --task {serves} (or leave --task out)."
        )
    estimator._validate_params()  # a bad --param fails here, not after reading
    return estimator


@app.command(
    epilog="Example: seqpred predict model.seqpred --input 'home search' --top-k 3"
)
def predict(
    model_file: ModelFileArgument,
    query: Annotated[
        list[str] | None,
        typer.Option(
            "--input",
            "-i",
            metavar="SEQUENCE",
            help="A query sequence, items separated by whitespace (repeatable).",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="A file of query sequences (any input format; - is standard input).",
        ),
    ] = None,
    top_k: Annotated[
        int, typer.Option("--top-k", "-k", min=1, help="Candidates per query.")
    ] = 5,
    tokens: Annotated[
        TokenMode | None,
        typer.Option(
            "--tokens",
            help="Split --input on whitespace or into chars (default: as the "
            "model's training data was split).",
        ),
    ] = None,
    horizon: HorizonOption = None,
    steps: StepsOption = None,
    plot: PlotOption = None,
    fmt: FormatOption = OutputFormat.table,
    data_format: DataFormatOption = "auto",
    data_option: DataOptions = None,
) -> None:
    """Predict with a saved model: next items, labels, outputs or forecasts."""
    estimator = load_model(model_file)
    source = None if file is None else _source(file, data_format, data_option)
    options = PredictOptions(
        inputs=list(query or []),
        tokens=model_tokens(estimator, None if tokens is None else tokens.value),
        source=None if source is None else with_model_tokens(estimator, source),
        top_k=top_k,
        horizon=horizon,
        plot=plot,
        fmt=fmt,
        steps=steps,
    )
    task = _task_of(estimator)
    if task != "next-item":
        reject_options(task, steps=steps)
    handler_for(task).predict(estimator, options)


@app.command(
    epilog="Example: seqpred evaluate model.seqpred test.txt --window 5 --k 10"
)
def evaluate(
    model_file: ModelFileArgument,
    data: Annotated[
        Path,
        typer.Argument(
            metavar="DATA", help="Test sequences: a file, or - for standard input."
        ),
    ],
    window: Annotated[
        int | None,
        typer.Option(
            "--window",
            "-w",
            min=1,
            help="Query length (default: the whole prefix; next-item models).",
        ),
    ] = None,
    consequent: Annotated[
        int,
        typer.Option(
            "--consequent",
            "-c",
            min=1,
            help="Held-out items at each sequence's end (next-item models).",
        ),
    ] = 1,
    k: Annotated[int, typer.Option("--k", min=1, help="Cut-off of HR@k, MRR@k.")] = 10,
    horizon: HorizonOption = None,
    steps: StepsOption = None,
    plot: PlotOption = None,
    fmt: FormatOption = OutputFormat.table,
    data_format: DataFormatOption = "auto",
    data_option: DataOptions = None,
) -> None:
    """Evaluate a saved model on held-out data; the metrics suit its task."""
    estimator = load_model(model_file)
    options = EvaluateOptions(
        source=with_model_tokens(estimator, _source(data, data_format, data_option)),
        window=window,
        consequent=consequent,
        k=k,
        horizon=horizon,
        plot=plot,
        fmt=fmt,
        steps=steps,
    )
    task = _task_of(estimator)
    if task != "next-item":
        reject_options(task, steps=steps)
    handler_for(task).evaluate(estimator, options)


@app.command(epilog="Example: seqpred datasets --format json")
def datasets(fmt: FormatOption = OutputFormat.table) -> None:
    """List the input formats seqpred reads and the registered models."""
    formats = [
        [name, description, example.replace("\n", "\\n")]
        for name, (description, example) in FORMATS.items()
    ]
    models = [
        [name, task, _model_params(name)] for name, task in seqpred.available().items()
    ]
    if fmt is OutputFormat.table:
        emit(fmt, header=["format", "description", "example"], rows=formats)
        sys.stdout.write("\n")
        emit(fmt, header=["model", "task", "parameters (defaults)"], rows=models)
        return
    rows = [["format", *row] for row in formats] + [["model", *row] for row in models]
    emit(
        fmt,
        header=["kind", "name", "description", "detail"],
        rows=rows,
        data={
            "formats": [
                dict(zip(["name", "description", "example"], r)) for r in formats
            ],
            "models": [dict(zip(["name", "task", "parameters"], r)) for r in models],
        },
    )


def _model_params(name: str) -> str:
    try:
        params = seqpred.create(name).get_params(deep=False)
    except ImportError as exc:  # an optional dependency (torch) is missing
        return f"(unavailable: {exc})"
    return ", ".join(f"{key}={value!r}" for key, value in params.items())


@app.command(epilog="Example: seqpred demo --quick --seed 1")
def demo(
    quick: Annotated[
        bool, typer.Option("--quick", help="Smaller data; finishes in a second.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the data.")] = 0,
) -> None:
    """Run a guided tour of the four problems on synthetic data; needs no files."""
    from seqpred.cli.demo.tour import run_demo

    run_demo(quick=quick, seed=seed)


# -- commands of other modules: generation and compression ---------------------------

app.command(epilog=generate_command.EPILOG)(generate_command.generate)
app.command(epilog="Example: seqpred compress book1 -o book1.sqz --model cm")(
    compress_command.compress
)
app.command(epilog="Example: seqpred decompress book1.sqz -o book1.out")(
    compress_command.decompress
)
app.command(epilog=serve_command.EPILOG)(serve_command.serve)
app.command(epilog=compare_command.EPILOG)(compare_command.compare)


# -- entry points -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line in-process and return its exit code.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        0 on success, 1 on a data or runtime error, 2 on a usage error.
    """
    state = _State()
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="seqpred", standalone_mode=True, obj=state)
    except SystemExit as exc:
        return _exit_code(exc.code)
    except Exception as exc:  # the one place where errors become exit codes
        return _report(exc, debug=state.debug)
    return EXIT_OK


def _exit_code(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return EXIT_ERROR


def _report(exc: BaseException, *, debug: bool) -> int:
    """Print one ``error:`` line (after the traceback with ``--debug``)."""
    if isinstance(exc, InvalidParameterError):
        code, message = EXIT_USAGE, str(exc)
    elif isinstance(exc, OSError) and exc.filename is not None:
        code, message = EXIT_ERROR, f"{exc.strerror or exc}: {exc.filename}"
    elif isinstance(exc, (SeqpredError, OSError)):
        code, message = EXIT_ERROR, str(exc)
    else:
        code = EXIT_ERROR
        message = (
            f"unexpected {type(exc).__name__}: {exc} (this is a bug in seqpred; "
            "rerun with --debug and report the traceback)"
        )
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return code


def app_main() -> None:
    """Console-script entry point: ``sys.exit(main())``."""
    sys.exit(main())
