using System.Diagnostics.Metrics;
using System.Text;

namespace Kiln.Api.Metrics;

/// <summary>
/// Serves <see cref="System.Diagnostics.Metrics"/> instruments in the Prometheus text format (version 0.0.4), as
/// Lotus serves its metrics at <c>/debug/metrics</c>. A <see cref="MeterListener"/> aggregates the instruments of
/// the meters <see cref="PrometheusExporterOptions"/> selects from the moment the exporter is created: counters and
/// up-down counters summed per tag set, gauges' last values, histograms in cumulative buckets; observable
/// instruments are read at each scrape. Output is sorted by family name, then label set.
/// <para>
/// Why not OpenTelemetry's exporter (<c>OpenTelemetry.Exporter.Prometheus.AspNetCore</c>): it restores here, and its
/// family names are the same as these (<c>kiln_stores_fetch_requests_total</c>,
/// <c>kiln_stores_fetch_duration_seconds</c>), but it is published only as a prerelease (1.20.1-beta.1); it adds an
/// <c>otel_scope_name</c> label to every series and a <c>target_info</c> family, so the label sets operators'
/// dashboards and alerts match on today change; its histograms take OpenTelemetry's default buckets (0 to 10000,
/// whatever the unit) unless a view is configured per instrument, where this exporter picks seconds or bytes bounds
/// from the unit; and its meter provider selects meters by name (<c>AddMeter</c>), where
/// <see cref="PrometheusExporterOptions.Scope"/> also selects by the host's <see cref="IMeterFactory"/>, which keeps
/// two hosts in one process (the in-process test tier) from exporting each other's meters. Revisit when a stable
/// release exists.
/// </para>
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The Content-Type of <see cref="Collect"/>'s text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Bucket bounds of histograms in seconds (unless the instrument advises its own): 1 ms to a day, for sealing tasks and scheduler passes alike.</summary>
    internal static readonly double[] SecondsBounds =
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

    /// <summary>Bucket bounds of histograms in milliseconds: 1 ms to 10 min.</summary>
    internal static readonly double[] MillisecondsBounds =
        [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000, 600000];

    /// <summary>Bucket bounds of histograms in bytes: 1 KiB to 64 GiB in powers of four.</summary>
    internal static readonly double[] BytesBounds =
        [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824, 4294967296, 17179869184, 68719476736];

    /// <summary>OpenTelemetry's default bounds, for histograms of any other unit.</summary>
    internal static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly PrometheusExporterOptions _options;
    private readonly MeterListener _listener;
    private readonly Dictionary<Instrument, MetricStream> _streams = [];
    private readonly Lock _streamsLock = new();
    private readonly Lock _collectLock = new();
    private long _generation;

    public PrometheusExporter(PrometheusExporterOptions? options = null)
    {
        _options = options ?? new PrometheusExporterOptions();
        _listener = new MeterListener
        {
            InstrumentPublished = Publish,
            MeasurementsCompleted = (instrument, _) =>
            {
                lock (_streamsLock)
                {
                    _streams.Remove(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<byte>((_, m, tags, state) => Record(state, m, tags));
        _listener.SetMeasurementEventCallback<short>((_, m, tags, state) => Record(state, m, tags));
        _listener.SetMeasurementEventCallback<int>((_, m, tags, state) => Record(state, m, tags));
        _listener.SetMeasurementEventCallback<long>((_, m, tags, state) => Record(state, m, tags));
        _listener.SetMeasurementEventCallback<float>((_, m, tags, state) => Record(state, m, tags));
        _listener.SetMeasurementEventCallback<double>((_, m, tags, state) => Record(state, m, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, m, tags, state) => Record(state, (double)m, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every series in the Prometheus text format.</summary>
    public string Collect()
    {
        lock (_collectLock)
        {
            var generation = Interlocked.Increment(ref _generation);
            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException)
            {
                // An observable callback that throws loses its own series for this scrape, not the others'.
            }

            MetricStream[] streams;
            lock (_streamsLock)
            {
                streams = [.. _streams.Values];
            }

            var text = new StringBuilder();
            // Instruments that map to one name (the same instrument of two meters) are one family; the first kind wins.
            foreach (var family in streams.GroupBy(s => s.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var first = family.First();
                var members = family.Where(s => s.Kind == first.Kind && s.Bounds.AsSpan().SequenceEqual(first.Bounds)).ToList();
                var series = members.SelectMany(s => s.Snapshot(generation)).GroupBy(s => s.Labels, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
                if (series.Count == 0)
                {
                    continue;
                }

                var description = members.Select(s => s.Instrument.Description).FirstOrDefault(d => !string.IsNullOrEmpty(d));
                if (description is not null)
                {
                    text.Append("# HELP ").Append(family.Key).Append(' ');
                    PrometheusNames.AppendEscaped(text, description, quotes: false);
                    text.Append('\n');
                }

                text.Append("# TYPE ").Append(family.Key).Append(' ').Append(first.Type).Append('\n');
                foreach (var same in series)
                {
                    if (first.Kind == InstrumentKind.Histogram)
                    {
                        WriteHistogram(text, family.Key, same.Key, first.Bounds, same);
                    }
                    else
                    {
                        // Sums add up across meters; a gauge shows the newest meter's value.
                        var value = first.Kind is InstrumentKind.Counter or InstrumentKind.UpDownCounter
                            ? same.Sum(s => Volatile.Read(ref s.Value))
                            : Volatile.Read(ref same.Last().Value);
                        WriteSample(text, family.Key, same.Key, null, value);
                    }
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private static void WriteHistogram(StringBuilder text, string name, string labels, double[] bounds, IEnumerable<MetricStream.Series> series)
    {
        var counts = new long[bounds.Length + 1];
        var sum = 0.0;
        foreach (var s in series)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                counts[i] += Volatile.Read(ref s.Buckets![i]);
            }

            sum += Volatile.Read(ref s.Value);
        }

        // _count is the +Inf bucket, so the two agree even while measurements arrive.
        var cumulative = 0L;
        for (var i = 0; i < bounds.Length; i++)
        {
            cumulative += counts[i];
            WriteSample(text, name + "_bucket", labels, PrometheusNames.Number(bounds[i]), cumulative);
        }

        cumulative += counts[^1];
        WriteSample(text, name + "_bucket", labels, "+Inf", cumulative);
        WriteSample(text, name + "_sum", labels, null, sum);
        WriteSample(text, name + "_count", labels, null, cumulative);
    }

    private static void WriteSample(StringBuilder text, string name, string labels, string? le, double value)
    {
        text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(PrometheusNames.Number(value)).Append('\n');
    }

    private static void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var (stream, exporter) = ((MetricStream, PrometheusExporter))state!;
        stream.Record(value, tags, Volatile.Read(ref exporter._generation));
    }

    private void Publish(Instrument instrument, MeterListener listener)
    {
        if (!_options.Accepts(instrument.Meter) || KindOf(instrument) is not { } kind)
        {
            return;
        }

        var stream = new MetricStream(instrument, kind, kind == InstrumentKind.Histogram ? BoundsOf(instrument) : null);
        lock (_streamsLock)
        {
            _streams[instrument] = stream;
        }

        listener.EnableMeasurementEvents(instrument, (stream, this));
    }

    private static InstrumentKind? KindOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? InstrumentKind.Counter
            : definition == typeof(UpDownCounter<>) ? InstrumentKind.UpDownCounter
            : definition == typeof(Gauge<>) ? InstrumentKind.Gauge
            : definition == typeof(Histogram<>) ? InstrumentKind.Histogram
            : definition == typeof(ObservableCounter<>) ? InstrumentKind.ObservableCounter
            : definition == typeof(ObservableUpDownCounter<>) ? InstrumentKind.ObservableUpDownCounter
            : definition == typeof(ObservableGauge<>) ? InstrumentKind.ObservableGauge
            : null;
    }

    /// <summary>The instrument's advised bounds (<see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>), else a default for its unit.</summary>
    private static double[] BoundsOf(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<decimal> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            return [.. advised.Where(b => !double.IsNaN(b) && !double.IsInfinity(b)).Distinct().Order()];
        }

        return instrument.Unit switch
        {
            "s" => SecondsBounds,
            "ms" => MillisecondsBounds,
            "By" => BytesBounds,
            _ => DefaultBounds,
        };
    }
}
