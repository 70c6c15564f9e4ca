"""gunicorn settings for secondstory behind a reverse proxy (see docs/deployment.md).

Used by deploy/systemd/secondstory-web.service and the container image:

    gunicorn --config deploy/gunicorn.conf.py

Options given on the command line, or in GUNICORN_CMD_ARGS, win over these.
"""

from __future__ import annotations

import os

wsgi_app = "secondstory.wsgi:application"

# Only the reverse proxy on this machine talks to gunicorn; the container image binds
# 0.0.0.0:8000 on its command line instead.
bind = ["127.0.0.1:8000"]

# One process per core, four threads each: a page is mostly Python, which holds the
# interpreter lock, so more processes than cores only take turns (docs/performance.md).
# WEB_CONCURRENCY (gunicorn's own variable) sets another number of processes.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)
threads = 4

# A request that takes longer is killed and logged; graceful stops let requests finish.
timeout = 60
graceful_timeout = 30
# An idle kept-alive connection stays open longer than the proxy keeps one it may reuse
# (keepalive_timeout 60s in deploy/nginx/secondstory.conf): otherwise gunicorn can close it
# while the proxy's next request is on its way, and that request gets no answer (502).
keepalive = 75

# The proxy sets X-Forwarded-For and X-Forwarded-Proto; gunicorn believes them only from
# these addresses (Django's side: SECONDSTORY_HTTPS or SECONDSTORY_TRUST_FORWARDED_PROTO,
# SECONDSTORY_PROXY_COUNT). FORWARDED_ALLOW_IPS is gunicorn's own variable for it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

accesslog = "-"
errorlog = "-"
