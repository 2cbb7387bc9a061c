"""Accounts service: registration, password checks, login, token revocation and profiles."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from api.exceptions import Conflict, InvalidInput
from api.extensions import db
from api.models import Profile, RevokedToken, User
from api.validation import all_of, one_of
from api.vocabulary import PROFILE_CHOICES, PROFILE_FIELDS, PROFILE_LIST_CHOICES, PROFILE_RANGES

MIN_PASSWORD_LENGTH = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
COMMON_PASSWORDS = frozenset(
    {"password123", "1234567890", "qwertyuiop", "password1234", "iloveyou123", "letmein1234", "welcome123"}
)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased; refused unless it looks like an address."""
    email = (email or "").strip().lower()
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise InvalidInput("email is not a valid address", details={"email": "not a valid address"})
    return email


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a password is too weak (empty when it is fine)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) < 16 and not (re.search(r"[A-Za-z]", password) and re.search(r"[^A-Za-z]", password)):
        problems.append("letters and at least one digit or symbol (or 16+ characters)")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("not a common or repetitive password")
    local_part = email.split("@")[0]
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("not containing your email name")
    return problems


def register_user(email: str, password: str, name: str) -> User:
    """Create a user with an empty profile; 422 for values that are not text or not valid, 409 when the email is
    taken."""
    given = {"email": email, "password": password, "name": name}
    wrong = {field: "must be text" for field, value in given.items() if not isinstance(value, str)}
    if wrong:
        raise InvalidInput("email, password and name must be text", details=wrong)
    email = normalise_email(email)
    name = (name or "").strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("name must be 1-100 characters", details={"name": "1-100 characters"})
    problems = password_problems(password or "", email)
    if problems:
        raise InvalidInput("the password is too weak", details={"password": problems})
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("an account with this email already exists", code="email_taken")
    user = User(email=email, name=name, password_hash=_hasher.hash(password), role="user")
    user.profile = Profile(equipment=[], limitations=[])
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None (also for values that are not text); takes the same time whether
    or not the email exists."""
    email, password = (value if isinstance(value, str) else "" for value in (email, password))
    try:
        email = normalise_email(email)
    except InvalidInput:
        email = ""
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def set_role(email: str, role: str) -> User:
    """Make an existing user an admin or a plain user (used by the CLI)."""
    if role not in ("user", "admin"):
        raise InvalidInput("role must be user or admin")
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise InvalidInput(f"no user with email {email}")
    user.role = role
    db.session.commit()
    return user


def revoke_token(jwt_payload: dict) -> None:
    """Remember a token's id until it would have expired anyway."""
    if db.session.get(RevokedToken, jwt_payload["jti"]) is None:
        db.session.add(
            RevokedToken(
                jti=jwt_payload["jti"],
                user_id=int(jwt_payload["sub"]),
                token_type=jwt_payload["type"],
                expires_at=datetime.fromtimestamp(jwt_payload["exp"], UTC),
            )
        )
        db.session.commit()


def is_token_revoked(jwt_payload: dict) -> bool:
    return db.session.get(RevokedToken, jwt_payload["jti"]) is not None


def validate_profile_changes(changes: dict) -> dict:
    """Check a partial profile against the pinned names, ranges and vocabularies; return it cleaned."""
    errors: dict[str, str] = {}
    clean: dict = {}
    allowed_fields = set(PROFILE_RANGES) | set(PROFILE_CHOICES) | set(PROFILE_LIST_CHOICES)
    for field, value in changes.items():
        if field not in allowed_fields:
            errors[field] = f"unknown field; allowed: {', '.join(sorted(allowed_fields))}"
        elif value is None:
            clean[field] = [] if field in PROFILE_LIST_CHOICES else None
        elif field in PROFILE_RANGES:
            low, high, kind = PROFILE_RANGES[field]
            if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and value != int(value)):
                errors[field] = f"must be {'a whole number' if kind is int else 'a number'}"
            elif not low <= value <= high:
                errors[field] = f"must be between {low} and {high}"
            else:
                clean[field] = kind(value)
        elif field in PROFILE_CHOICES:
            if one_of(errors, field, value, PROFILE_CHOICES[field]):
                clean[field] = value
        elif all_of(errors, field, value, PROFILE_LIST_CHOICES[field]):
            clean[field] = sorted(set(value), key=PROFILE_LIST_CHOICES[field].index)
    if errors:
        raise InvalidInput("the profile has invalid values", details=errors)
    return clean


def update_profile(user: User, changes: dict) -> Profile:
    """Apply validated changes to the user's profile."""
    clean = validate_profile_changes(changes)
    profile = user.profile or Profile(user_id=user.id, equipment=[], limitations=[])
    user.profile = profile
    for field, value in clean.items():
        setattr(profile, field, value)
    db.session.commit()
    return profile


def account_dict(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role}


def me_dict(user: User) -> dict:
    """The account with its training profile, flat; a profile value not set yet is None (lists are empty)."""
    profile = user.profile
    data = {**account_dict(user), "created_at": user.created_at}
    for field in PROFILE_FIELDS:
        data[field] = getattr(profile, field, None) if profile else None
    data["equipment"] = data["equipment"] or []
    data["limitations"] = data["limitations"] or []
    return data
