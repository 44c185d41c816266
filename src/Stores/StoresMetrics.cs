using System.Diagnostics.Metrics;

namespace Kiln.Stores;

/// <summary>
/// Instruments of sector storage, on one meter named <see cref="MeterName"/> made by the host's
/// <see cref="IMeterFactory"/> (so two hosts in one process count apart, and the meter ends with its host).
/// Durations are in seconds (unit <c>s</c>, as OpenTelemetry's semantic conventions ask), so Prometheus names end in
/// <c>_seconds</c>.
/// </summary>
public sealed class StoresMetrics
{
    public const string MeterName = "Kiln.Stores";

    private static readonly KeyValuePair<string, object?> Fetched = new("outcome", "fetched");
    private static readonly KeyValuePair<string, object?> FetchFailed = new("outcome", "failed");
    private static readonly KeyValuePair<string, object?> Read = new("outcome", "read");
    private static readonly KeyValuePair<string, object?> Skipped = new("outcome", "skipped");

    private readonly Counter<long> _fetchRequests;
    private readonly Counter<long> _fetchBytes;
    private readonly Histogram<double> _fetchDuration;
    private readonly Counter<long> _vanillaRequests;
    private readonly Counter<long> _vanillaSkipped;
    private readonly Histogram<double> _vanillaReadDuration;

    /// <summary>The instruments on a meter <paramref name="factory"/> makes (the host's).</summary>
    public StoresMetrics(IMeterFactory factory)
        : this(Create(factory))
    {
    }

    /// <summary>The instruments on <paramref name="meter"/> (tests give their own).</summary>
    public StoresMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _fetchRequests = meter.CreateCounter<long>(
            "kiln.stores.fetch.requests", "{request}", "GET requests sent to fetch sector files from another host.");
        _fetchBytes = meter.CreateCounter<long>("kiln.stores.fetch.bytes", "By", "Bytes received by sector fetches.");
        _fetchDuration = meter.CreateHistogram<double>(
            "kiln.stores.fetch.duration", "s", "Seconds one sector file fetch took, from the request to the last byte written, by outcome (fetched or failed).");
        _vanillaRequests = meter.CreateCounter<long>(
            "kiln.stores.vanilla.requests", "{request}", "Requests sent to another host for a PoSt vanilla proof.");
        _vanillaSkipped = meter.CreateCounter<long>(
            "kiln.stores.vanilla.skipped", "{sector}", "Sectors a batch vanilla read skipped (unreadable or timed out).");
        _vanillaReadDuration = meter.CreateHistogram<double>(
            "kiln.stores.vanilla.read.duration", "s", "Seconds to get one sector's vanilla proof in a batch read, local or from a holder, by outcome (read or skipped).");
    }

    /// <summary>A GET for a sector file was sent to another host.</summary>
    public void FetchRequested() => _fetchRequests.Add(1);

    /// <summary>A sector file fetch ended: <paramref name="bytes"/> written when it succeeded, null when it failed.</summary>
    public void FetchEnded(long? bytes, TimeSpan duration)
    {
        if (bytes is { } written)
        {
            _fetchBytes.Add(written);
        }

        _fetchDuration.Record(duration.TotalSeconds, bytes is null ? FetchFailed : Fetched);
    }

    /// <summary>A vanilla proof was asked of another host.</summary>
    public void VanillaRequested() => _vanillaRequests.Add(1);

    /// <summary>One sector's vanilla proof in a batch read was read, or skipped.</summary>
    public void VanillaReadEnded(bool skipped, TimeSpan duration)
    {
        if (skipped)
        {
            _vanillaSkipped.Add(1);
        }

        _vanillaReadDuration.Record(duration.TotalSeconds, skipped ? Skipped : Read);
    }

    private static Meter Create(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Create(MeterName);
    }
}
