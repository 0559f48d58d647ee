# pages-audit in a container: docker build -t pages-audit . && docker run --rm -v "$PWD:/work" \
#   -e VK_TOKEN pages-audit run registry/courts.yaml --out report
# The same commands tests/e2e/test_wheel.py runs in a fresh virtual environment: build the wheel,
# install it with its extras, run the console script.
FROM python:3.11-slim AS build
COPY . /src
RUN pip wheel --no-cache-dir --no-deps -w /dist /src

FROM python:3.11-slim
# WeasyPrint's Pango for `notices --pdf`, and a font with Cyrillic
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /dist /dist
RUN WHEEL="$(ls /dist/pages_audit-*.whl)" \
 && pip install --no-cache-dir "${WHEEL}[world,postgres,pdf]" && rm -rf /dist
WORKDIR /work
ENTRYPOINT ["pages-audit"]
CMD ["--help"]
