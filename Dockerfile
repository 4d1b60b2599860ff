# Waypoint: the web service (webhooks, console, API) and its scheduler, for PostgreSQL in production.
# Build: docker build -t waypoint .      Run: see compose.yaml and docs/operations.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WAYPOINT_HOME=/var/lib/waypoint

WORKDIR /app
COPY constraints.txt pyproject.toml README.md ./
COPY bot ./bot
COPY casefile ./casefile
COPY console ./console
COPY conversations ./conversations
COPY notes ./notes
COPY scheduler ./scheduler
COPY templates ./templates
RUN pip install --constraint constraints.txt . \
    && useradd --system --uid 10001 --home-dir /var/lib/waypoint --create-home waypoint

USER waypoint
VOLUME ["/var/lib/waypoint"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# Migrations first (a no-op when current), then the service; SIGTERM stops it within 10 s.
CMD ["sh", "-c", "waypoint db upgrade && exec waypoint serve --host 0.0.0.0 --port 8000 --workers ${WAYPOINT_WORKERS:-2}"]
