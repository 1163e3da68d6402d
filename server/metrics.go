package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Metrics are the service's Prometheus series, served on the debug port.
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	upstream  *prometheus.CounterVec
	cache     *prometheus.CounterVec
}

// NewMetrics registers the series in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "errors_total", Help: "Errors answered, by app error code.",
		}, []string{"code"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upstream_calls_total", Help: "Calls to QuickBooks and HubSpot by service, operation and outcome.",
		}, []string{"service", "op", "outcome"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cache_results_total", Help: "Cache lookups by result: hit, miss or error.",
		}, []string{"result"}),
	}
	m.registry.MustRegister(m.requests, m.durations, m.errors, m.upstream, m.cache,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics for the debug port.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

func (m *Metrics) observeRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.durations.WithLabelValues(route).Observe(d.Seconds())
}

func (m *Metrics) countError(code app.Code) {
	if m == nil {
		return
	}
	m.errors.WithLabelValues(string(code)).Inc()
}

// UpstreamCall counts one call to an upstream API; adapters get it as a
// callback.
func (m *Metrics) UpstreamCall(service, op, outcome string) {
	if m == nil {
		return
	}
	m.upstream.WithLabelValues(service, op, outcome).Inc()
}

// CacheResult counts one cache lookup; the cache gets it as a callback.
func (m *Metrics) CacheResult(result string) {
	if m == nil {
		return
	}
	m.cache.WithLabelValues(result).Inc()
}
