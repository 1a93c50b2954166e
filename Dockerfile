# syntax=docker/dockerfile:1
# Briefing Bot image: build a wheel in a throw-away stage, run it as a non-root user.
#
#   docker build -t briefing-bot .
#   docker run -d --name briefing-bot -e DISCORD_TOKEN \
#       -v "$PWD/content:/app/content" -v briefing-data:/app/data briefing-bot
#
# The token comes only from the environment at run time (or a secret file named by
# discord.token_file); nothing secret is baked into any layer. .ci/docker-steps.sh runs
# the same install steps outside Docker.

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install /wheels/*.whl

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The bundled content; mount your own folder over /app/content to serve edited content.
COPY --chown=bot:bot content ./content
RUN mkdir -p /app/data && chown bot:bot /app/data
USER bot
VOLUME ["/app/content", "/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
CMD ["briefing-bot", "run"]
