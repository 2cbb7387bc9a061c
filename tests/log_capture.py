"""Every log record that any logger makes while a block runs, at any level, whatever its handlers, its level or
whether it propagates (the app's "fitcoach" logger does not reach the root, so a handler on one logger or on
the root misses records)."""

from __future__ import annotations

import logging
import traceback
from contextlib import contextmanager


def _loggers() -> list[logging.Logger]:
    known = [value for value in logging.Logger.manager.loggerDict.values() if isinstance(value, logging.Logger)]
    return [logging.getLogger(), *known]


@contextmanager
def every_log_record():
    """Yield the list of records made inside the block; every logger is set to DEBUG meanwhile, then restored."""
    records: list[logging.LogRecord] = []
    call_handlers = logging.Logger.callHandlers

    def recording(logger, record):
        records.append(record)
        call_handlers(logger, record)

    saved = [(logger, logger.level, logger.disabled) for logger in _loggers()]
    disabled_below = logging.root.manager.disable
    logging.disable(logging.NOTSET)
    for logger, _, _ in saved:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    logging.Logger.callHandlers = recording
    try:
        yield records
    finally:
        logging.Logger.callHandlers = call_handlers
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
        logging.disable(disabled_below)


def record_text(record: logging.LogRecord) -> str:
    """All that a handler could write of a record: its message, its arguments and extra fields, the exception
    with its traceback and the stack."""
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the format: their repr below still counts
        message = str(record.msg)
    parts = [message, repr(vars(record))]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)
