"""gunicorn settings of the apps: the image's command and demo/stack.py both load this file.

APP picks the app (service, worker or dashboard) and PORT the port, as Cloud Run sets
them; gunicorn reads this file before the app exists, so it reads those two
itself (the app's own settings stay in common/settings.py).

- service: I/O bound, 1 process × 8 threads; Cloud Run sends it 8 at once.
- worker: 1 process × 4 threads, Cloud Run concurrency 4 on 1 vCPU and 4 GiB
  (terraform/run.tf), so Cloud Run adds instances instead of queueing. From
  bench/burst.py (bench/README.md, "Burst"): one process, because each process
  prepares its own stamping plan and runs one Python thread at a time (the
  worker never used more than one core, with a core to spare), so a second
  vCPU idles. Four threads, because in the cloud a copy mostly waits on its
  15 storage requests: with storage 30 ms away an instance mailed about 50,
  100, 200 and 320 orders a minute at 1, 2, 4 and 8 threads, while on local
  disk threads changed nothing. Not more: each copy being written holds about
  twice the book, so 4 threads of a 300 MB book need about 2.8 GB.
- dashboard: the author's pages, 1 process × 4 threads: a few people, and a trace of an
  upload holds one core for seconds. With DASHBOARD_AUTH=local it refuses to start on
  anything but loopback (on_starting below, before gunicorn binds).
- timeout 0: request deadlines are Cloud Run's. graceful_timeout 8: Cloud Run
  gives 10 s between SIGTERM and SIGKILL.
- forwarded_allow_ips "*": Cloud Run's front end is the only peer.
- header_map "refuse": a header name with an underscore (X_Serverless_Authorization) maps
  to the same WSGI key as its dashed twin. gunicorn's default drops it silently, and the
  worker would then read the unchecked Authorization beside it; whether Cloud Run's front
  end checks the underscored spelling is not documented, so the request is refused (400)
  rather than guessed at (benoitc/gunicorn@72b8970, "silently drop or refuse header names
  w/ underscore"; nginx's underscores_in_headers off).
- control_socket_disable: gunicorn 25.1+ opens a control socket for `gunicornc` at
  $HOME/.gunicorn/gunicorn.ctl, one path for every gunicorn of the user: the service and
  the worker of `make run` took it from each other, and a stack stopped with Ctrl-C now
  and then left both servers running. Nothing here uses it, and on Cloud Run it would be
  a control interface inside the image.
"""

import os

_app = os.environ.get("APP", "service")
bind = f":{os.environ.get('PORT', '8080')}"
workers = 1
threads = {"service": 8, "worker": 4, "dashboard": 4}.get(_app, 1)
timeout = 0
graceful_timeout = 8
forwarded_allow_ips = "*"
header_map = "refuse"
control_socket_disable = True


def on_starting(server):
    """The dashboard's local mode checks who may connect by address: refuse a public bind."""
    if _app != "dashboard":
        return
    # Imported here: the service and the worker load this file too, and need neither.
    from common.settings import Settings
    from dashboard.auth import refuse_public_binds

    refuse_public_binds(Settings.from_env(), server.cfg.address)
