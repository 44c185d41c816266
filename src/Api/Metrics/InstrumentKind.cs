using System.Diagnostics.Metrics;

namespace Kiln.Api.Metrics;

/// <summary>The kinds of <see cref="Instrument"/> the exporter aggregates, and how each reads.</summary>
internal enum InstrumentKind
{
    /// <summary><see cref="Counter{T}"/>: measurements are increments, summed per tag set; a Prometheus counter.</summary>
    Counter,

    /// <summary><see cref="UpDownCounter{T}"/>: increments that may be negative, summed; a Prometheus gauge.</summary>
    UpDownCounter,

    /// <summary><see cref="Gauge{T}"/>: the last value recorded; a Prometheus gauge.</summary>
    Gauge,

    /// <summary><see cref="Histogram{T}"/>: counted into buckets; a Prometheus histogram.</summary>
    Histogram,

    /// <summary><see cref="ObservableCounter{T}"/>: running totals observed at scrape; a Prometheus counter.</summary>
    ObservableCounter,

    /// <summary><see cref="ObservableUpDownCounter{T}"/>: totals observed at scrape; a Prometheus gauge.</summary>
    ObservableUpDownCounter,

    /// <summary><see cref="ObservableGauge{T}"/>: values observed at scrape; a Prometheus gauge.</summary>
    ObservableGauge,
}
