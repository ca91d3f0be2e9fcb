# reconciler in a container, for admins without Python (a Windows desktop with Docker or
# Podman) and for CI systems that run images. Built from this checkout, never from the index:
#
#   docker build -t reconciler .
#   docker run --rm -v "$PWD:/work" reconciler validate manifests/
#
# Two stages: the first builds this project's wheel and the wheels of its dependencies; the
# second, a slim Python with no build tools, installs only those wheels and runs as a user
# without privileges. Credentials come in as environment variables (docs/credentials.md).
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
# Only what the wheel is built from (pyproject names README.md and LICENSE in its metadata).
COPY pyproject.toml README.md LICENSE ./
COPY reconciler/ reconciler/
RUN python -m pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /wheels . \
 && python -m pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels /wheels/m365_office_reconciler-*.whl

FROM python:${PYTHON_VERSION}-slim AS runtime
LABEL org.opencontainers.image.title="reconciler" \
      org.opencontainers.image.description="Microsoft 365 Apps (Office) policy as code: validate, plan, apply, drift" \
      org.opencontainers.image.source="https://github.com/m365-office-reconciler/reconciler" \
      org.opencontainers.image.licenses="MIT"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
# --no-index: the runtime stage installs exactly the wheels built above, nothing else.
RUN python -m pip install --no-cache-dir --no-index --find-links /wheels /wheels/m365_office_reconciler-*.whl \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin reconciler
USER 10001:10001
# Mount the manifest repository here; reports, plans and .reconciler/ are written here too.
WORKDIR /work
ENTRYPOINT ["reconciler"]
CMD ["--help"]
