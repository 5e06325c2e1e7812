"""Checks shared by every service entry point."""

from __future__ import annotations

from app.services.errors import DomainError


def clean_text(value: object, what: str, limit: int, allow_empty: bool = False) -> str:
    """Return `value` unchanged if it is acceptable text, else raise DomainError.

    Text is stored exactly as given; only what no database can hold is refused.
    """
    if not isinstance(value, str):
        raise DomainError(f"{what} must be text.")
    if not allow_empty and not value.strip():
        raise DomainError(f"{what} is empty. Write something first.")
    if len(value) > limit:
        raise DomainError(f"{what} is too long: {len(value):,} characters, at most {limit:,}.")
    if "\x00" in value:
        raise DomainError(f"{what} contains a null character, which cannot be stored.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DomainError(f"{what} contains characters that are not valid Unicode.") from exc
    return value


def check_choice(value: object, what: str, choices: tuple[str, ...]) -> str:
    """Return `value` if it is one of `choices`, else raise DomainError."""
    if not isinstance(value, str) or value not in choices:
        raise DomainError(f"{what} must be one of: {', '.join(choices)}.")
    return value


def check_id(value: object, what: str) -> str:
    """Return `value` if it looks like a record id, else raise DomainError.

    Ids are printable ASCII (UUIDs); anything else (a lone surrogate, a null, a list) names
    no record and would only fail later, deep in the database driver.
    """
    if (not isinstance(value, str) or not value or len(value) > 36
            or not value.isascii() or not value.isprintable()):
        raise DomainError(f"Unknown {what}.")
    return value
