# The image docker-compose.yml runs as web (gunicorn), worker, browser-worker and beat (celery).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Debian's Chromium for browser captures (CAPTURE_BROWSER_ENABLED turns on when it is there),
# with its setuid sandbox helper: Docker's default seccomp profile forbids the user namespaces
# Chromium otherwise builds its sandbox from. The processes run as the unprivileged user
# below, so Chromium keeps its sandbox (it runs without one only as root, in development).
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium chromium-sandbox \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Production settings (DEBUG=false) serve hashed, compressed static files through whitenoise;
# the key here only lets settings load during the build.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 claimtrail \
    && mkdir -p var/media/.work var/celery \
    && chown -R claimtrail var

USER claimtrail
EXPOSE 8000
CMD ["gunicorn", "claimtrail.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", \
     "--access-logfile", "-", "--no-control-socket"]
