"""Object-level authorisation in one place: a row that is not the caller's is as good as missing (404)."""

from api.exceptions import NotFound
from api.extensions import db


def get_owned(model, user, object_id: int, what: str):
    """The row of `model` with this id if it belongs to `user`; `NotFound` otherwise."""
    row = db.session.get(model, object_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"{what} {object_id} not found")
    return row
