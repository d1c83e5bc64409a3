"""Password rules (OWASP ASVS 6.2): long enough, not too long to type, no composition rules, not common.

`common-passwords.txt.gz` beside this file holds about 40,000 of the passwords most often found in
breaches, lower-cased: the union of Django's list (Royce Williams' 20,000, BSD licence) and zxcvbn's
(30,000 from Mark Burnett's list, MIT licence). A password on it is refused whatever its length.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from landform.core.i18n import gettext as _

PASSWORD_MIN = 12
# ASVS asks to allow at least 64; argon2 hashes any length in the same time, the cap only stops abuse.
PASSWORD_MAX = 128
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


class PasswordRefused(ValueError):
    """A password that breaks a rule; the message says which, for the person choosing it."""


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


def check_password(password: str, *, personal: tuple[str, ...] = ()) -> None:
    """Raise PasswordRefused unless `password` may be used; `personal` are the person's own words (e-mail)."""
    # Length counts characters as people see them, so "é" typed two ways counts once.
    length = len(unicodedata.normalize("NFC", password))
    if length < PASSWORD_MIN:
        raise PasswordRefused(_("Use at least %(n)d characters.", n=PASSWORD_MIN))
    if length > PASSWORD_MAX:
        raise PasswordRefused(_("Use at most %(n)d characters.", n=PASSWORD_MAX))
    lowered = password.lower()
    if lowered in common_passwords() or any(word and lowered == word.lower() for word in personal):
        raise PasswordRefused(
            _("This password is one of the most used ones, which attackers try first. Please choose another.")
        )
