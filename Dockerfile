# Multi-stage build of the one binary: static (no cgo: the SQLite driver is
# pure Go), run as a non-root user, `serve` by default.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hubspot-quickbooks ./cmd/hubspot-quickbooks

# distroless/static: CA certificates and time zone data, no shell, no
# package manager; :nonroot runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hubspot-quickbooks /usr/local/bin/hubspot-quickbooks
# The embedded SQLite store lives under ./data unless DATABASE_URL is set.
WORKDIR /home/nonroot
USER nonroot:nonroot
ENV HTTP_ADDR=:8080 DEBUG_ADDR=:9090
EXPOSE 8080 9090
# The image has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/hubspot-quickbooks", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/hubspot-quickbooks"]
CMD ["serve"]
