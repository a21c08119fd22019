"""Log formatting that keeps patient data out of log files.

An exception's message may carry the values that caused it (a name, a date of
birth); the traceback's frames say where it happened without them. So logged
tracebacks keep every frame and the exception's type, never its message.
"""

import logging
import traceback
from types import TracebackType

ExcInfo = (
    tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
)


class RedactingFormatter(logging.Formatter):
    def formatException(self, ei: ExcInfo) -> str:
        exc_type, _exc, tb = ei
        if exc_type is None:
            # logger.exception() outside an except block: no exception, no
            # message to withhold ("NoneType: None", as logging writes it).
            return super().formatException(ei)
        frames = "".join(traceback.format_tb(tb))
        name = f"{exc_type.__module__}.{exc_type.__qualname__}"
        return (
            f"Traceback (most recent call last):\n{frames}{name}:"
            " (message withheld: it may hold patient data)"
        )
