"""Sign and verify model files with a shared key (HMAC-SHA256).

A signed file holds one more member, ``manifest.sig``: the HMAC-SHA256 of
``manifest.json`` under the key. The manifest holds the SHA-256 of every
other member, so the signature covers every byte of the model; and it is
checked **before** the manifest is parsed, so a file without a valid
signature gets no further than the zip directory.

Examples
--------
>>> signature = sign(b'{"format": "seqpred-model"}', b"secret")
>>> signature.startswith(b"hmac-sha256:")
True
>>> matches(b'{"format": "seqpred-model"}', signature, b"secret")
True
>>> matches(b'{"format": "seqpred-model"}', signature, b"other key")
False
"""

from __future__ import annotations

import hashlib
import hmac

from seqpred.exceptions import InvalidParameterError

__all__ = ["ENV_KEY", "KeyLike", "SIGNATURE", "as_key", "matches", "sign"]

SIGNATURE = "manifest.sig"
"""The member holding the signature of ``manifest.json``."""

ENV_KEY = "SEQPRED_MODEL_KEY"
"""The environment variable the command line reads the signing key from."""

KeyLike = bytes | bytearray | str

_PREFIX = b"hmac-sha256:"
_DOMAIN = b"seqpred-model-signature-v1\n"  # a key used elsewhere signs other bytes
MAX_SIGNATURE = 256
"""Largest ``manifest.sig`` member read (a signature is 76 bytes)."""


def as_key(key: object, who: str) -> bytes:
    """Return ``key`` as bytes; a str is encoded as UTF-8; refuse empty keys."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)) or not key:
        raise InvalidParameterError(
            f"{who}: key must be non-empty bytes or str; got {type(key).__name__}. "
            "Use a long random secret, e.g. key=secrets.token_bytes(32), stored "
            "where only the services that write and read the models can read it."
        )
    return bytes(key)


def sign(manifest: bytes, key: bytes) -> bytes:
    """Return the ``manifest.sig`` member for ``manifest`` under ``key``."""
    digest = hmac.new(key, _DOMAIN + manifest, hashlib.sha256).hexdigest()
    return _PREFIX + digest.encode("ascii")


def matches(manifest: bytes, signature: bytes, key: bytes) -> bool:
    """Return whether ``signature`` is ``manifest``'s under ``key`` (constant time)."""
    return hmac.compare_digest(sign(manifest, key), signature)
