"""Production server settings: `gunicorn -c deploy/gunicorn.conf.py clinic.wsgi`
(README, "Deployment"). Values come from the environment through the same
typed readers as clinic/settings.py, so a typo stops the server at start-up.

Not at the repository root: gunicorn reads ./gunicorn.conf.py on its own, so
every server started there (the benchmark's too) would take these settings.
"""

import os

from clinic.core.env import env_int, env_networks, env_str

# A TCP address: behind a proxy the client address is worked out from the
# peer's address (clinic.core.client_address), which a unix socket does not have.
bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")
# gunicorn's own rule of thumb for sync workers.
workers = env_int("GUNICORN_WORKERS", default=2 * (os.cpu_count() or 1) + 1, minimum=1)

# The proxies Django believes about the client address (TRUSTED_PROXIES, see
# clinic.core.client_address) are the only ones gunicorn believes about the scheme
# (X-Forwarded-Proto) too. Empty, the default: no one; gunicorn's own default
# would trust 127.0.0.1.
forwarded_allow_ips = ",".join(env_networks("TRUSTED_PROXIES", []))

# Access log on stdout without the query string: searches put patient names
# there (?search=...). %(U)s is the path alone; %(r)s (the request line) and
# %(q)s would log the query. No header is logged (no %({...}i)s), nor %(u)s
# (the Basic auth user name) or %(f)s (the referrer, itself a URL with a query).
# %(h)s is the peer, i.e. the proxy when there is one; the proxy's own log has
# the client (and must leave queries out as well). %(p)s is the worker's pid.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s'
errorlog = "-"
loglevel = "info"
# gunicorn's error log names the request too (a worker timing out mid-request,
# a malformed request line); this logger drops the query from those lines.
logger_class = "clinic.core.gunicorn_log.QuerylessLogger"

# No runtime control socket (gunicornc): nothing here uses it, and its default
# path is per user, so a second server on the machine would take it over.
control_socket_disable = True
