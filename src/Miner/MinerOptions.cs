using Kiln.Miner.Proving;
using Kiln.Miner.Scheduling;
using Kiln.Proofs;

namespace Kiln.Miner;

/// <summary>Who this miner is: its actor, sector size and network prefix.</summary>
public sealed class MinerOptions
{
    public const ulong DefaultActorId = 1000;

    public const string DefaultSectorSize = "2KiB";

    /// <summary>The miner actor's id (t01000 on a devnet). Default <see cref="DefaultActorId"/>.</summary>
    public ulong ActorId { get; set; } = DefaultActorId;

    /// <summary>
    /// A PostgreSQL database for the miner's state (<c>--db</c> or <c>KILN_MINER_DB</c>: a <c>postgres://</c> URL or an
    /// Npgsql connection string). Today it holds the sector index; the rest stays in the repo's SQLite files. Null (the
    /// default): everything in the repo's SQLite files.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>Sector size of this miner. Default <see cref="DefaultSectorSize"/>.</summary>
    public string SectorSize { get; set; } = DefaultSectorSize;

    /// <summary>Address network prefix: 't' for test networks and devnets, 'f' for mainnet. Default 't'.</summary>
    public char Network { get; set; } = 't';

    /// <summary>Chain block delay reported by Version, in seconds (Lotus mainnet 30). Default 30.</summary>
    public ulong BlockDelay { get; set; } = 30;

    /// <summary>
    /// A state at which the sector pipeline holds sectors instead of going on (for example PreCommit2 on a cluster
    /// that has no PC2 workers yet); held sectors go on when the miner starts without it. Default null: every stage runs.
    /// </summary>
    public global::Kiln.Miner.Sealing.SectorState? HoldSectorsAt { get; set; }

    /// <summary>Scheduling windows per worker and the miner-wide fetch limit.</summary>
    public SchedulerOptions Scheduling { get; set; } = new();

    /// <summary>Window and Winning PoSt: the proving loop (off by default), built-in proving and re-dispatch limits.</summary>
    public ProvingOptions Proving { get; set; } = new();

    /// <summary>Lotus's [Sealing] batching and [Fees] batch fee caps.</summary>
    public global::Kiln.Miner.Sealing.SealingOptions Sealing { get; set; } = new();

    /// <summary>
    /// How often the miner writes <c>&lt;db&gt;.sqlite.bak</c> of every database with SQLite's online backup API (it also
    /// does on a clean shutdown). Zero: only at shutdown. Default one hour.
    /// </summary>
    public TimeSpan DatabaseBackupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How the miner watches its workers: heartbeat interval, Session timeout, when a worker is lost.</summary>
    public Workers.WorkerRegistryOptions Workers { get; set; } = new();

    /// <summary>How long an answered worker call is remembered (duplicate Return* rejected) before it is forgotten. Default one hour.</summary>
    public TimeSpan CallRetention { get; set; } = Calls.CallRegistry.DefaultRetention;

    public string ActorAddress => Network + "0" + ActorId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ulong SectorBytes => SectorSizes.Parse(SectorSize);

    /// <summary>Takes every setting of <paramref name="source"/> (the option objects it holds are shared, not copied).</summary>
    public void CopyFrom(MinerOptions source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ActorId = source.ActorId;
        Database = source.Database;
        SectorSize = source.SectorSize;
        Network = source.Network;
        BlockDelay = source.BlockDelay;
        HoldSectorsAt = source.HoldSectorsAt;
        Scheduling = source.Scheduling;
        Proving = source.Proving;
        Sealing = source.Sealing;
        Workers = source.Workers;
        DatabaseBackupInterval = source.DatabaseBackupInterval;
        CallRetention = source.CallRetention;
    }

    public void Validate()
    {
        Sealing.Validate();
        if (Network is not ('t' or 'f'))
        {
            throw new InvalidOperationException($"network prefix must be 't' or 'f', not '{Network}'");
        }

        if (Database is { Length: > 0 } database)
        {
            try
            {
                Kiln.Stores.Sql.PostgresConnection.Normalize(database);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException("--db / KILN_MINER_DB: " + e.Message, e);
            }
        }

        if (DatabaseBackupInterval < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"database backup interval must not be negative, not {DatabaseBackupInterval}");
        }

        if (CallRetention <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"call retention must be positive, not {CallRetention}");
        }

        SealProofInfo.ForSectorSize(SectorBytes);
        Workers.Validate();
        Scheduling.Validate();
        Proving.Validate();
    }
}
