using System.Diagnostics.Metrics;
using System.Text;

namespace Kiln.Api.Metrics;

/// <summary>
/// What the exporter keeps of one instrument: a series per distinct tag set, found without allocating on the
/// recording path (a copy-on-write array scanned by an order-independent hash of the tags), updated with
/// interlocked operations so concurrent measurements all count.
/// </summary>
internal sealed class MetricStream
{
    private readonly Lock _lock = new();
    private Series[] _series = [];

    public MetricStream(Instrument instrument, InstrumentKind kind, double[]? bounds)
    {
        Instrument = instrument;
        Kind = kind;
        Bounds = bounds ?? [];
        var monotonic = kind is InstrumentKind.Counter or InstrumentKind.ObservableCounter;
        Name = PrometheusNames.Metric(instrument.Name, instrument.Unit, monotonic, gauge: !monotonic && kind != InstrumentKind.Histogram);
    }

    public Instrument Instrument { get; }

    public InstrumentKind Kind { get; }

    /// <summary>The family name: <c>kiln_stores_fetch_bytes_total</c>.</summary>
    public string Name { get; }

    /// <summary>Upper bounds of the histogram's buckets (without +Inf); empty for other kinds.</summary>
    public double[] Bounds { get; }

    public string Type => Kind switch
    {
        InstrumentKind.Counter or InstrumentKind.ObservableCounter => "counter",
        InstrumentKind.Histogram => "histogram",
        _ => "gauge",
    };

    public bool IsObservable => Kind is InstrumentKind.ObservableCounter or InstrumentKind.ObservableUpDownCounter or InstrumentKind.ObservableGauge;

    /// <summary>One measurement; <paramref name="generation"/> marks observations of the current scrape.</summary>
    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, long generation)
    {
        var series = Find(tags);
        switch (Kind)
        {
            case InstrumentKind.Counter:
            case InstrumentKind.UpDownCounter:
                Add(ref series.Value, value);
                break;
            case InstrumentKind.Histogram:
                if (double.IsNaN(value))
                {
                    return;
                }

                var bucket = Array.BinarySearch(Bounds, value);
                Interlocked.Increment(ref series.Buckets![bucket < 0 ? ~bucket : bucket]);
                Add(ref series.Value, value);
                break;
            default:
                // Gauges keep the last value; observable counters report running totals.
                Volatile.Write(ref series.Value, value);
                Volatile.Write(ref series.Generation, generation);
                break;
        }
    }

    /// <summary>The series to print now: observable ones only when observed in <paramref name="generation"/>.</summary>
    public IEnumerable<Series> Snapshot(long generation)
    {
        var all = Volatile.Read(ref _series);
        return IsObservable ? all.Where(s => Volatile.Read(ref s.Generation) == generation) : all;
    }

    private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = Hash(tags);
        var found = Scan(Volatile.Read(ref _series), hash, tags);
        if (found is not null)
        {
            return found;
        }

        lock (_lock)
        {
            found = Scan(_series, hash, tags);
            if (found is null)
            {
                found = new Series(hash, tags, Kind == InstrumentKind.Histogram ? Bounds.Length + 1 : 0);
                Volatile.Write(ref _series, [.. _series, found]);
            }

            return found;
        }
    }

    private static Series? Scan(Series[] all, int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var s in all)
        {
            if (s.Hash == hash && s.Matches(tags))
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>The same for the same tags in any order.</summary>
    private static int Hash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = tags.Length;
        foreach (var tag in tags)
        {
            hash += HashCode.Combine(tag.Key, tag.Value);
        }

        return hash;
    }

    private static void Add(ref double location, double value)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>One tag set's state: a sum or last value, and a histogram's per-bucket counts (not cumulative).</summary>
    internal sealed class Series
    {
        private readonly KeyValuePair<string, object?>[] _tags;

        public Series(int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags, int buckets)
        {
            Hash = hash;
            _tags = tags.ToArray();
            Buckets = buckets > 0 ? new long[buckets] : null;
            Labels = FormatLabels(_tags);
        }

        public int Hash { get; }

        /// <summary>The label set as printed, sorted by label name: <c>outcome="ok",task="PC1"</c> (empty without tags).</summary>
        public string Labels { get; }

        /// <summary>A sum, last value or observed total; a histogram's sum of values. Fields, for Interlocked and Volatile.</summary>
        public double Value;

        /// <summary>The scrape an observable series was last observed in.</summary>
        public long Generation;

        public long[]? Buckets { get; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != _tags.Length)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                var found = false;
                foreach (var mine in _tags)
                {
                    if (string.Equals(mine.Key, tag.Key, StringComparison.Ordinal) && Equals(mine.Value, tag.Value))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }

        private static string FormatLabels(KeyValuePair<string, object?>[] tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var text = new StringBuilder();
            foreach (var (name, value) in tags.Select(t => (Name: PrometheusNames.Label(t.Key), t.Value)).OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(name).Append("=\"");
                PrometheusNames.AppendEscaped(text, PrometheusNames.LabelValue(value));
                text.Append('"');
            }

            return text.ToString();
        }
    }
}
