# One image for both Cloud Run services: APP=service (the public webhook edge)
# or APP=worker (the private Pub/Sub push endpoint that stamps and mails).
# Cloud Build builds it once per commit and deploys it twice (cloudbuild.yaml).
FROM python:3.11.14-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Fonts the stamping engine draws with: DejaVu Sans for Latin, Greek, Cyrillic,
# Arabic and Hebrew; WenQuanYi Micro Hei for Chinese, Japanese and Korean names
# (a TrueType font reportlab can subset). Another script's font goes on this
# one line. Debian versions are not pinned: a pin
# breaks the build as soon as the mirror moves on, and the base tag fixes the
# release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged identity; the code below stays root-owned, so the app
# cannot rewrite itself.
RUN groupadd --system --gid 10001 exlibris \
 && useradd --system --uid 10001 --gid exlibris --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin exlibris

WORKDIR /app

# Requirements before code: a code change reuses the dependency layer.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . ./

USER 10001:10001

# gunicorn per app: the service is I/O bound (1 process, 8 threads); the worker
# is CPU bound (1 process, 2 threads, and Cloud Run concurrency 2 in
# terraform/run.tf, so Cloud Run adds instances instead of queueing).
# --timeout 0 leaves request deadlines to Cloud Run. exec makes gunicorn PID 1,
# so Cloud Run's SIGTERM reaches it and it drains within the 10 s grace
# period. Cloud Run's front end is the only peer, so its X-Forwarded-* are trusted.
CMD ["/bin/sh", "-c", "\
case \"$APP\" in \
  service) threads=8 ;; \
  worker) threads=2 ;; \
  *) echo \"APP must be service or worker, got '$APP'\" >&2; exit 64 ;; \
esac; \
exec gunicorn --bind \":${PORT:-8080}\" --workers 1 --threads \"$threads\" --timeout 0 \
  --graceful-timeout 8 --forwarded-allow-ips '*' \"$APP.app:create_app()\""]
