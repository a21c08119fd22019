"""gunicorn's logger without query strings in its error log.

The access log format (deploy/gunicorn.conf.py) leaves queries out, but gunicorn
also names the request in its error log: "Error handling request GET
/api/v1/patients/?search=..." when a worker times out mid-request, and the
raw request line when one is malformed. Searches put patient names in the
query, so everything from a "?" to the end of the quoted part or line is
replaced before the record is written.
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

_QUERY = re.compile(r"\?[^'\"\n]*")
REDACTED = "?[query removed]"


def without_queries(text: str) -> str:
    return _QUERY.sub(REDACTED, text)


class _QueryRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = without_queries(record.getMessage())
        record.args = ()
        if record.exc_info:
            # Formatters reuse exc_text when it is set, so the traceback
            # (which repeats the exception's message) is written redacted.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = without_queries(text)
        return True


class QuerylessLogger(Logger):
    """`logger_class` in deploy/gunicorn.conf.py."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(
            isinstance(f, _QueryRedactingFilter) for f in self.error_log.filters
        ):
            self.error_log.addFilter(_QueryRedactingFilter())
