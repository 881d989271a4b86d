export { prometheusMetrics, type PrometheusMetricsOptions, type PrometheusStreamsMetrics } from './prometheus.js';
export { serveMetrics, parseMetricsPort, type MetricsServer, type MetricsServerOptions } from './http.js';
