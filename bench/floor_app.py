"""The floor of the cold-start benchmark: a Flask app with nothing but /healthz.

bench/coldstart.py serves it under the same gunicorn and gunicorn.conf.py as
the two apps, so what is left above it is exlibris' own start-up.
"""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/healthz", "healthz", lambda: {"status": "ok"})
    return app
