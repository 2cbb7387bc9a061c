"""Object-level authorisation in one place: a row that is not the caller's is as good as missing (404).

    get_owned(Plan, current_user, plan_id)          # the caller's plan 7, or NotFound("plan 7 not found")
    owned_query(Upload, current_user, kind="image") # a select of the caller's images, newest first

Every model a user owns has a `user_id` column and a `noun` (how a 404 names it).
"""

from sqlalchemy import select

from api.exceptions import InvalidInput, NotFound
from api.extensions import db

# Ids are 32-bit integer primary keys (PostgreSQL `integer`); a larger id from a URL or a body names no row, and
# looking it up would make the driver overflow (a 500) instead of answering 404.
MAX_ID = 2**31 - 1


def _user_id(user) -> int:
    return user if isinstance(user, int) else user.id


def get_owned(model, user, object_id: int, what: str | None = None, *, fresh: bool = False):
    """The row of `model` with this id if it belongs to `user` (their row, or only their id on a hot path that need
    not load it); `NotFound` naming it (`what`, by default the model's `noun`) otherwise. `fresh` reads the row
    again even if this session holds it."""
    row = db.session.get(model, object_id, populate_existing=fresh) if 0 < object_id <= MAX_ID else None
    if row is None or row.user_id != _user_id(user):
        raise NotFound(f"{what or model.noun} {object_id} not found")
    return row


def get_owned_from_body(model, user, value, field: str):
    """`get_owned` for an id sent in a body's `field`; `InvalidInput` naming the field when it is not an integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be an integer", details={field: "integer"})
    return get_owned(model, user, value)


def owned_query(model, user, *order_by, **filters):
    """A select of `user`'s rows of `model`, newest first unless `order_by` is given; each keyword filter
    (`kind="image"`) applies when its value is given (neither None nor empty)."""
    statement = select(model).where(model.user_id == _user_id(user))
    for name, value in filters.items():
        if value is not None and value != "":
            statement = statement.where(getattr(model, name) == value)
    return statement.order_by(*(order_by or (model.id.desc(),)))
