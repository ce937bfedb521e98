# One image for the Cloud Run services: APP=service (the public webhook edge),
# APP=worker (the private Pub/Sub push endpoint that stamps and mails) or
# APP=dashboard (the author's pages, behind Identity-Aware Proxy).
# Cloud Build builds it once per commit and deploys it to each (cloudbuild.yaml).
FROM python:3.11.14-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# System packages from the one list the tests and CI use too (role `runtime`:
# the fonts that draw buyers' names in every script). Debian versions are not
# pinned: a pin breaks the build as soon as the mirror moves on, and the base
# tag fixes the release.
COPY system-packages.txt ./
COPY tools/system-packages.sh tools/
RUN bash tools/system-packages.sh ensure runtime \
 && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged identity; the code below stays root-owned, so the app
# cannot rewrite itself.
RUN groupadd --system --gid 10001 exlibris \
 && useradd --system --uid 10001 --gid exlibris --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin exlibris

# Requirements before code: a code change reuses the dependency layer. Exactly
# the lock, every file checked against its hash.
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements.txt

COPY . ./
# The `exlibris` console script; the code stays in /app (editable, no copy).
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e .
# The buyer's languages: every catalog in the repository compiled (common/i18n), as
# `make locales` does on a laptop. The .mo files are build output, never committed.
RUN find common/i18n/locales -name '*.po' \
      -exec sh -c 'pybabel -q compile -i "$1" -o "${1%.po}.mo"' _ {} \;

USER 10001:10001

# gunicorn.conf.py holds the flags of both apps (threads per APP, timeouts);
# `make run` and the tests start gunicorn with the same file. exec makes
# gunicorn PID 1, so Cloud Run's SIGTERM reaches it.
CMD ["/bin/sh", "-c", "\
case \"$APP\" in \
  service|worker|dashboard) ;; \
  *) echo \"APP must be service, worker or dashboard, got '$APP'\" >&2; exit 64 ;; \
esac; \
exec gunicorn --config gunicorn.conf.py \"$APP.app:create_app()\""]
