"""gunicorn settings of both apps: the image's command and demo/stack.py both load this file.

APP picks the app (service or worker) and PORT the port, as Cloud Run sets
them; gunicorn reads this file before the app exists, so it reads those two
itself (the app's own settings stay in common/settings.py).

- service: I/O bound, 1 process × 8 threads; Cloud Run sends it 8 at once.
- worker: CPU bound (stamping), 1 process × 2 threads, and Cloud Run
  concurrency 2 (terraform/run.tf), so Cloud Run adds instances instead of
  queueing.
- timeout 0: request deadlines are Cloud Run's. graceful_timeout 8: Cloud Run
  gives 10 s between SIGTERM and SIGKILL.
- forwarded_allow_ips "*": Cloud Run's front end is the only peer.
"""

import os

_app = os.environ.get("APP", "service")
bind = f":{os.environ.get('PORT', '8080')}"
workers = 1
threads = {"service": 8, "worker": 2}.get(_app, 1)
timeout = 0
graceful_timeout = 8
forwarded_allow_ips = "*"
