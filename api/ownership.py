"""Object-level authorisation in one place: a row that is not the caller's is as good as missing (404)."""

from api.exceptions import NotFound
from api.extensions import db

# Ids are 32-bit integer primary keys (PostgreSQL `integer`); a larger id from a URL or a body names no row, and
# looking it up would make the driver overflow (a 500) instead of answering 404.
MAX_ID = 2**31 - 1


def get_owned(model, user, object_id: int, what: str):
    """The row of `model` with this id if it belongs to `user`; `NotFound` otherwise."""
    return get_owned_by(model, user.id, object_id, what)


def get_owned_by(model, user_id: int, object_id: int, what: str, fresh: bool = False):
    """`get_owned` for a caller known only by id (a hot path that need not load the user's row); `fresh` reads
    the row again even if this session holds it."""
    row = db.session.get(model, object_id, populate_existing=fresh) if 0 < object_id <= MAX_ID else None
    if row is None or row.user_id != user_id:
        raise NotFound(f"{what} {object_id} not found")
    return row
