using System.Diagnostics.Metrics;

namespace Kiln.Stores;

/// <summary>Instruments of sector storage, on one meter named <see cref="MeterName"/>.</summary>
internal static class StoresMetrics
{
    public const string MeterName = "Kiln.Stores";

    /// <summary>Tag <c>outcome</c> of a fetch that wrote the file.</summary>
    public static readonly KeyValuePair<string, object?> Fetched = new("outcome", "fetched");

    /// <summary>Tag <c>outcome</c> of a fetch that failed.</summary>
    public static readonly KeyValuePair<string, object?> FetchFailed = new("outcome", "failed");

    private static readonly Meter Meter = new(MeterName);

    /// <summary>GET requests sent to fetch sector files from another host.</summary>
    public static readonly Counter<long> FetchRequests = Meter.CreateCounter<long>(
        "kiln.stores.fetch.requests", "{request}", "GET requests sent to fetch sector files from another host.");

    /// <summary>Bytes received by sector fetches.</summary>
    public static readonly Counter<long> FetchBytes = Meter.CreateCounter<long>(
        "kiln.stores.fetch.bytes", "By", "Bytes received by sector fetches.");

    /// <summary>Seconds one sector file fetch took, from the request to the last byte written, tagged <c>outcome</c> = <c>fetched</c> or <c>failed</c>.</summary>
    public static readonly Histogram<double> FetchDuration = Meter.CreateHistogram<double>(
        "kiln.stores.fetch.duration", "s", "Seconds one sector file fetch took, from the request to the last byte written.");

    /// <summary><c>POST /vanilla/single</c> requests sent to another host for a PoSt vanilla proof.</summary>
    public static readonly Counter<long> VanillaRequests = Meter.CreateCounter<long>(
        "kiln.stores.vanilla.requests", "{request}", "Requests sent to another host for a PoSt vanilla proof.");

    /// <summary>Sectors a batch vanilla read skipped (unreadable or timed out).</summary>
    public static readonly Counter<long> VanillaSkipped = Meter.CreateCounter<long>(
        "kiln.stores.vanilla.skipped", "{sector}", "Sectors a batch vanilla read skipped (unreadable or timed out).");

    /// <summary>
    /// Milliseconds to get one sector's vanilla proof in a batch read (local or from a holder), tagged
    /// <c>outcome</c> = <c>read</c> or <c>skipped</c>.
    /// </summary>
    public static readonly Histogram<double> VanillaReadDuration = Meter.CreateHistogram<double>(
        "kiln.stores.vanilla.read.duration", "ms", "Milliseconds to get one sector's vanilla proof in a batch read, local or from a holder.");
}
