# syntax=docker/dockerfile:1
# SEMH Provision: one image for web (gunicorn), worker and beat (Celery). See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/var/lib/semh/media

# WeasyPrint (PDF reports) needs Pango and HarfBuzz; the PDF templates use DejaVu fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        fontconfig \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 semh \
    && useradd --system --uid 1000 --gid semh --create-home --home-dir /home/semh semh

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. pyproject lists no packages of
# its own (the apps run from /app), so `pip install .` needs only pyproject.toml.
COPY pyproject.toml ./
RUN pip install .

# The code stays owned by root: the app user can read it, not change it.
COPY . .

# Whitenoise's manifest storage (DEBUG=0) needs the collected files in the image. The settings
# refuse to load without a SECRET_KEY (and a shared cache), so this step alone gets a throwaway
# key and the in-process cache; neither is kept as ENV and the containers are given their own.
RUN DEBUG=0 SECRET_KEY=collectstatic-build-step-only-not-a-real-key CACHE_URL=locmem:// \
    python manage.py collectstatic --noinput

# Generated PDFs live here; compose mounts a named volume that web and worker share.
RUN mkdir -p "$MEDIA_ROOT" && chown semh:semh "$MEDIA_ROOT"

USER semh

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
