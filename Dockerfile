# Rapport hub image: `docker run IMAGE` serves the API; `docker run IMAGE worker` runs a worker.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/rapport
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY adapters ./adapters
COPY mappings ./mappings
COPY identity ./identity
COPY webhooks ./webhooks
RUN /opt/rapport/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/rapport/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 rapport && mkdir /data && chown rapport /data
COPY --from=build /opt/rapport /opt/rapport
ENV PATH=/opt/rapport/bin:$PATH \
    RAPPORT_DATABASE_URL=sqlite:////data/rapport.db \
    PYTHONUNBUFFERED=1
USER rapport
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)" || exit 1
ENTRYPOINT ["rapport"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
