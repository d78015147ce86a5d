package main

import (
	"math"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveMetricsHandler serves /metrics with client_golang: a registry of
// the server's own (never the global default) holding the Go and process
// collectors and a collector that turns serveMetrics' families into
// constant metrics at scrape time.
func serveMetricsHandler(m *serveMetrics) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		servePromCollector{m},
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// servePromCollector is unchecked (Describe sends nothing): which series
// exist depends on what is known at scrape time.
type servePromCollector struct{ m *serveMetrics }

func (servePromCollector) Describe(chan<- *prometheus.Desc) {}

func (c servePromCollector) Collect(ch chan<- prometheus.Metric) {
	for _, fam := range c.m.families(c.m.now()) {
		if fam.kind == "histogram" {
			var count uint64
			var sum float64
			buckets := make(map[float64]uint64)
			for _, s := range fam.samples {
				switch s.suffix {
				case "_count":
					count = uint64(s.value)
				case "_sum":
					sum = s.value
				case "_bucket":
					if le, err := strconv.ParseFloat(s.labels[1], 64); err == nil && !math.IsInf(le, 1) {
						buckets[le] = uint64(s.value)
					}
				}
			}
			ch <- prometheus.MustNewConstHistogram(prometheus.NewDesc(fam.name, fam.help, nil, nil), count, sum, buckets)
			continue
		}
		vt := prometheus.GaugeValue
		if fam.kind == "counter" {
			vt = prometheus.CounterValue
		}
		for _, s := range fam.samples {
			var names, values []string
			for i := 0; i+1 < len(s.labels); i += 2 {
				names, values = append(names, s.labels[i]), append(values, s.labels[i+1])
			}
			ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(fam.name, fam.help, names, nil), vt, s.value, values...)
		}
	}
}
