using System.Globalization;
using Kiln.Api.Types;
using Kiln.Stores;

namespace Kiln.Miner.Devnet;

/// <summary>
/// The sectors <c>kiln-miner devnet --fail-sector N</c> (or <c>kiln-miner devnet fail-sector N</c> on a running devnet)
/// made unreadable to PoSt: while a sector is here, the devnet miner's sector index refuses to name the holders of its
/// sealed and cache files (<see cref="FailSectorIndex"/>), so every vanilla proof read of it fails — the miner's own
/// reads (a local Window PoSt, <c>proving check</c>) and the PoSt workers' reads, which ask the miner's index over
/// <c>StorageFindSector</c> — exactly as a sector whose storage went away. It takes effect once the sector is sealed
/// (Proving): its sealing reads are left alone, so <c>devnet --fail-sector N</c> can name a sector the devnet has yet
/// to seal. <c>--off</c> makes it readable again.
/// Devnet only: a miner on a full node has none of this.
/// </summary>
public sealed partial class DevnetSectorFailures(ILogger<DevnetSectorFailures> logger)
{
    private readonly Lock _lock = new();
    private readonly SortedSet<ulong> _failed = [];

    /// <summary>The failed sectors, ascending.</summary>
    public IReadOnlyList<ulong> Failed
    {
        get
        {
            lock (_lock)
            {
                return [.. _failed];
            }
        }
    }

    /// <summary>Whether sector <paramref name="number"/> is failed now.</summary>
    public bool IsFailed(ulong number)
    {
        lock (_lock)
        {
            return _failed.Contains(number);
        }
    }

    /// <summary>Makes sector <paramref name="number"/> unreadable (<paramref name="failed"/>) or readable again; says so in the log when it changes.</summary>
    public void Set(ulong number, bool failed)
    {
        bool changed;
        lock (_lock)
        {
            changed = failed ? _failed.Add(number) : _failed.Remove(number);
        }

        if (changed && failed)
        {
            Log.Failed(logger, number);
        }
        else if (changed)
        {
            Log.Restored(logger, number);
        }
    }

    /// <summary>The error every read of a failed sector gets, naming the sector and the devnet flag behind it.</summary>
    public static StoresException Unreadable(SectorId sector) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"sector {sector.ToSectorName()} is unreadable on purpose: failed by devnet --fail-sector {sector.Number} (`kiln-miner devnet fail-sector {sector.Number} --off` makes it readable again)"));

    private static partial class Log
    {
        [LoggerMessage(EventId = 6080, EventName = "DevnetSectorFailed", Level = LogLevel.Warning, Message = "devnet --fail-sector {Sector} is ON: sector {Sector}'s sealed and cache files are hidden from PoSt reads, so its Window PoSt skips it and it should be declared faulty; `kiln-miner devnet fail-sector {Sector} --off` makes it readable again")]
        public static partial void Failed(ILogger logger, ulong sector);

        [LoggerMessage(EventId = 6081, EventName = "DevnetSectorRestored", Level = LogLevel.Warning, Message = "devnet --fail-sector {Sector} is OFF: sector {Sector} is readable again and should be declared recovered")]
        public static partial void Restored(ILogger logger, ulong sector);
    }
}
