# chinwag's image: `docker compose up -d --build` (compose.yaml) or `docker build -t chinwag .`
# Two stages: wheels are built where pip and the sources are, and only they reach the image.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# chinwag and every dependency as wheels (they all publish wheels for this platform)
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHINWAG_DATA_DIR=/data
# A user of its own, without privileges, owning only the data volume.
RUN groupadd --system --gid 10001 chinwag \
    && useradd --system --uid 10001 --gid chinwag --home-dir /data --no-create-home chinwag \
    && mkdir /data \
    && chown chinwag:chinwag /data
COPY --from=build /wheels /wheels
# The versions are the wheels' own, resolved in the build stage from pyproject.toml.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir --no-index --find-links=/wheels chinwag \
    && rm -rf /wheels
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/chinwag-entrypoint
USER 10001:10001
WORKDIR /data
# SQLite file, uploads, mail outbox, generated key (CHINWAG_DATA_DIR)
VOLUME ["/data"]
EXPOSE 8000
# Liveness: /healthz answers while the process serves (no curl in a slim image: Python's own).
# It probes port 8000, the CMD's: change both together.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["chinwag-entrypoint"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
