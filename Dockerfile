# Multi-stage build of the one binary: static (no cgo: the SQLite driver is
# pure Go), run as a non-root user, `serve` by default.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hubspot-quickbooks ./cmd/hubspot-quickbooks

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hubspot-quickbooks /usr/local/bin/hubspot-quickbooks
# The embedded SQLite store lives under ./data unless DATABASE_URL is set.
WORKDIR /home/nonroot
USER nonroot:nonroot
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/hubspot-quickbooks"]
CMD ["serve"]
