"""Signed tokens (itsdangerous, one salt per purpose, rotating keys) and password hashing (argon2id)."""

from __future__ import annotations

import hashlib
import secrets
import time
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from landform.core.settings import get_settings

_hasher = PasswordHasher()
# Verified against when no user matches, so a miss costs as long as a hit (no timing enumeration).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class TokenInvalid(Exception):
    """A signed token is forged, for another purpose, or mangled."""


class TokenExpired(TokenInvalid):
    """A signed token is genuine but too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return _serializer_for(purpose, tuple(get_settings().security.secret_keys))


@lru_cache(maxsize=64)
def _serializer_for(purpose: str, keys: tuple[str, ...]) -> URLSafeTimedSerializer:
    # Made once per purpose and key list: every form submission checks a token.
    # itsdangerous signs with the last key and verifies with all of them.
    return URLSafeTimedSerializer(list(reversed(keys)), salt=f"landform.{purpose}")


def sign(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: int | None = None) -> Any:
    serializer = _serializer(purpose)
    try:
        return serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except BadSignature as error:
        raise TokenInvalid(str(error)) from error


def unsign_with_age(purpose: str, token: str, max_age: int | None = None) -> tuple[Any, float]:
    """The payload and the token's age in seconds."""

    serializer = _serializer(purpose)
    try:
        payload, issued = serializer.loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except BadSignature as error:
        raise TokenInvalid(str(error)) from error
    return payload, time.time() - issued.timestamp()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does: a reset link carrying it works once."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def new_api_key() -> str:
    return "lf_" + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # API keys are 256 random bits: a fast hash is enough, and lets every request look one up.
    return hashlib.sha256(key.encode()).hexdigest()
