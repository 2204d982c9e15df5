"""``seqpred compress`` and ``seqpred decompress``: files through the compressor.

Thin commands over :mod:`seqpred.compress`: read the file, call
:func:`~seqpred.compress.compress` or :func:`~seqpred.compress.decompress`,
write the result atomically (a temporary file in the same folder, then a
rename), and print original size, compressed size, bits per byte and
seconds. An existing output is kept unless ``--force`` is given. With
``--with MODEL.seqpred`` the file is coded by a saved, frozen seqpred model
instead (:mod:`seqpred.compress.model_coder`); decompression then needs the
same ``--with MODEL``.
"""

from __future__ import annotations

import os
import tempfile
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from seqpred.cli.output import OutputFormat, emit, format_seconds, format_size, step
from seqpred.exceptions import DataError

__all__ = ["SUFFIX", "compress", "decompress", "write_atomic"]

SUFFIX = ".sqz"


class CompressModel(str, Enum):
    """The models ``seqpred compress`` offers."""

    cm = "cm"
    ppm = "ppm"
    ppm_c = "ppm-c"
    ppm_d = "ppm-d"
    ppm_star = "ppm-star"
    ppm_star_c = "ppm-star-c"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format on stdout.")
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Overwrite the output file if it exists.")
]
PrimeOption = Annotated[
    Path | None,
    typer.Option(
        "--prime",
        metavar="FILE",
        help="A file the model reads first (e.g. training text); decompress "
        "needs the same file.",
    ),
]


WithOption = Annotated[
    Path | None,
    typer.Option(
        "--with",
        metavar="MODEL",
        help="A saved seqpred model (seqpred fit -o MODEL.seqpred) that codes the "
        "file, frozen, instead of --model; decompress needs the same file. "
        "Decoding calls the model once per symbol (a PPM: about 500-1,000 "
        "characters a second).",
    ),
]


def write_atomic(path: Path, data: bytes, *, force: bool) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader never sees a half-written file, and a failed write leaves any
    earlier file in place.

    Parameters
    ----------
    path : Path
        The file to write.
    data : bytes
        Its new content.
    force : bool
        Replace ``path`` if it exists.

    Raises
    ------
    DataError
        If ``path`` exists and ``force`` is false.
    """
    if path.exists() and not force:
        raise DataError(
            f"{path} exists; pass --force to overwrite it, or choose another -o."
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)  # read the umask: mkstemp made the file private
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _report(
    fmt: OutputFormat, name: str, original: int, compressed: int, seconds: float
) -> None:
    bits = 8 * compressed / original if original else 0.0
    values = {
        "file": name,
        "original_bytes": original,
        "compressed_bytes": compressed,
        "bits_per_byte": bits,
        "seconds": seconds,
    }
    if fmt is OutputFormat.table:
        typer.echo(
            f"{name}: {format_size(original)} -> {format_size(compressed)} "
            f"({original:,} -> {compressed:,} bytes), {bits:.4f} bits per byte, "
            f"{format_seconds(seconds)}"
        )
        return
    emit(fmt, header=list(values), rows=[list(values.values())], data=values)


def compress(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The file to compress.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=f"Compressed file (default FILE{SUFFIX})."),
    ] = None,
    model: Annotated[
        CompressModel,
        typer.Option(
            "--model",
            "-m",
            help="cm: context mixing (best); ppm: PPM with SEE and information "
            "inheritance (about 6x faster); ppm-c / ppm-d: plain PPM-C / PPM-D; "
            "ppm-star: PPM* (contexts of unbounded length, best PPM on "
            "repetitive data such as source code); ppm-star-c: plain PPM*C.",
        ),
    ] = CompressModel.cm,
    order: Annotated[
        int | None,
        typer.Option(
            "--order",
            min=1,
            help="Longest context in bytes (cm: 1-8, default 6; ppm, ppm-c, ppm-d: "
            "1-16, default 5; ppm-star takes none: its contexts are unbounded).",
        ),
    ] = None,
    memory: Annotated[
        int | None,
        typer.Option(
            "--memory",
            help="log2 of the model's table slots (ppm-star: of the bytes it "
            "indexes before starting again).",
        ),
    ] = None,
    prime: PrimeOption = None,
    with_model: WithOption = None,
    force: ForceOption = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Compress a file with an adaptive model (or a saved one) and arithmetic coding.

    Example: seqpred compress book1 -o book1.sqz --model cm
    (or: seqpred compress progl --model ppm-star;
    seqpred compress valid.txt --with ppm5.seqpred)
    """
    target = output if output is not None else file.with_name(file.name + SUFFIX)
    if target.exists() and not force:  # fail before the work, not after
        raise DataError(
            f"{target} exists; pass --force to overwrite it, or choose another -o."
        )
    if with_model is not None and (
        prime is not None
        or order is not None
        or memory is not None
        or model is not CompressModel.cm
    ):
        raise typer.BadParameter(
            "--with codes the file with the saved model alone; drop --model, "
            "--prime, --order and --memory",
            param_hint="'--with'",
        )
    data = file.read_bytes()
    primer = prime.read_bytes() if prime is not None else b""
    from seqpred.compress import compress as compress_bytes  # numba: lazily

    name = model.value if with_model is None else str(with_model)
    with step(f"compressing {file} ({name})"):
        start = time.perf_counter()
        if with_model is None:
            blob = compress_bytes(
                data, model=model.value, order=order, memory=memory, prime=primer
            )
        else:
            from seqpred.cli.model_files import model_key
            from seqpred.compress.model_coder import (
                compress_with_model,
                load_model_file,
            )

            coder, digest = load_model_file(with_model, key=model_key())
            blob = compress_with_model(data, coder, fingerprint=digest, progress=True)
        seconds = time.perf_counter() - start
    write_atomic(target, blob, force=force)
    _report(fmt, str(file), len(data), len(blob), seconds)


def decompress(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A file from 'seqpred compress' (.sqz)."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help=f"Restored file (default FILE without {SUFFIX})."
        ),
    ] = None,
    prime: PrimeOption = None,
    with_model: WithOption = None,
    force: ForceOption = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Restore a file made by 'seqpred compress' and check its CRC-32.

    Example: seqpred decompress book1.sqz -o book1.out
    (a file made with --with MODEL needs the same --with MODEL)
    """
    if output is None:
        if file.suffix != SUFFIX:
            raise typer.BadParameter(
                f"{file} does not end in {SUFFIX}; give the output file with -o",
                param_hint="'--output'",
            )
        output = file.with_suffix("")
    if output.exists() and not force:
        raise DataError(
            f"{output} exists; pass --force to overwrite it, or choose another -o."
        )
    blob = file.read_bytes()
    from seqpred.compress import decompress as decompress_bytes  # numba: lazily
    from seqpred.compress import read_header

    header = read_header(blob)
    primer = prime.read_bytes() if prime is not None else b""
    name = header.model if with_model is None else str(with_model)
    with step(f"decompressing {file} ({name})"):
        start = time.perf_counter()
        if with_model is None:
            data = decompress_bytes(blob, prime=primer)
        else:
            from seqpred.cli.model_files import model_key
            from seqpred.compress.model_coder import (
                decompress_with_model,
                load_model_file,
            )

            coder, digest = load_model_file(with_model, key=model_key())
            data = decompress_with_model(blob, coder, fingerprint=digest, progress=True)
        seconds = time.perf_counter() - start
    write_atomic(output, data, force=force)
    _report(fmt, str(output), len(data), len(blob), seconds)
