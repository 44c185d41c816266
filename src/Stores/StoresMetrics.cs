using System.Diagnostics.Metrics;

namespace Kiln.Stores;

/// <summary>Instruments of sector storage, on one meter named <see cref="MeterName"/>.</summary>
internal static class StoresMetrics
{
    public const string MeterName = "Kiln.Stores";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>GET requests sent to fetch sector files from another host.</summary>
    public static readonly Counter<long> FetchRequests = Meter.CreateCounter<long>("kiln.stores.fetch.requests", "{request}");

    /// <summary>Bytes received by sector fetches.</summary>
    public static readonly Counter<long> FetchBytes = Meter.CreateCounter<long>("kiln.stores.fetch.bytes", "By");

    /// <summary><c>POST /vanilla/single</c> requests sent to another host for a PoSt vanilla proof.</summary>
    public static readonly Counter<long> VanillaRequests = Meter.CreateCounter<long>("kiln.stores.vanilla.requests", "{request}");

    /// <summary>Sectors a batch vanilla read skipped (unreadable or timed out).</summary>
    public static readonly Counter<long> VanillaSkipped = Meter.CreateCounter<long>("kiln.stores.vanilla.skipped", "{sector}");

    /// <summary>
    /// Milliseconds to get one sector's vanilla proof in a batch read (local or from a holder), tagged
    /// <c>outcome</c> = <c>read</c> or <c>skipped</c>.
    /// </summary>
    public static readonly Histogram<double> VanillaReadDuration = Meter.CreateHistogram<double>("kiln.stores.vanilla.read.duration", "ms");
}
