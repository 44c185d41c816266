using System.Text.Json;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>
/// Everything a <see cref="DevnetNode"/> keeps, as written to its state file: the genesis time (so epochs keep counting
/// across restarts), the balances, every pushed message with its receipt once executed, the allocated sector numbers,
/// pre-commits and active sectors with their deadline and partition. Amounts are decimal attoFIL strings, CIDs their text.
/// </summary>
internal sealed class DevnetState
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Epoch 0 began at this many milliseconds after the Unix epoch.</summary>
    public long GenesisUnixMilliseconds { get; set; }

    public ulong MinerId { get; set; }

    /// <summary>Balances in attoFIL by actor id (miner, owner, worker).</summary>
    public Dictionary<ulong, string> Balances { get; set; } = [];

    /// <summary>The next nonce of each sending actor id.</summary>
    public Dictionary<ulong, ulong> Nonces { get; set; } = [];

    public List<MessageEntry> Messages { get; set; } = [];

    /// <summary>Every sector number ever allocated (pre-committed or pre-sealed).</summary>
    public SortedSet<ulong> Allocated { get; set; } = [];

    public SortedDictionary<ulong, PreCommitEntry> PreCommits { get; set; } = [];

    public SortedDictionary<ulong, SectorEntry> Sectors { get; set; } = [];

    /// <summary>Each partition a landed Window PoSt proved.</summary>
    public List<PoStEntry> PoSts { get; set; } = [];

    /// <summary>
    /// The close epoch of the last deadline whose end the miner actor processed (missed PoSts faulted); null in a state
    /// written before deadlines were processed, whose past closes are then taken as processed when it is loaded.
    /// </summary>
    public long? DeadlinesClosedThrough { get; set; }

    /// <summary>Each partition whose deadline closed without a Window PoSt for it (<see cref="PoStEntry.Epoch"/> is the close).</summary>
    public List<PoStEntry> Missed { get; set; } = [];

    /// <summary>Pre-commit deposits the miner has locked, attoFIL.</summary>
    public string PreCommitDeposits { get; set; } = "0";

    /// <summary>Initial pledge the miner has locked, attoFIL.</summary>
    public string InitialPledge { get; set; } = "0";

    public static DevnetState? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DevnetState>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException($"devnet chain state {path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"devnet chain state {path} is not a devnet chain Kiln can read: {e.Message}; move it away to start a new devnet chain", e);
        }
    }

    /// <summary>Writes the state beside <paramref name="path"/> and moves it over, so a crash leaves the old or the new state, never half of one.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>A pushed message, its inclusion epoch and, once executed there, its receipt.</summary>
    internal sealed class MessageEntry
    {
        public string Cid { get; set; } = "";

        /// <summary>The message's CBOR (Lotus types.Message).</summary>
        public byte[] Cbor { get; set; } = [];

        public ulong FromId { get; set; }

        public long IncludedEpoch { get; set; }

        public bool Executed { get; set; }

        public long ExitCode { get; set; }

        public byte[]? Return { get; set; }

        public long GasUsed { get; set; }

        /// <summary>Why the actor refused it, for the log.</summary>
        public string? Error { get; set; }
    }

    /// <summary>go-state-types miner.SectorPreCommitOnChainInfo, flattened.</summary>
    internal sealed class PreCommitEntry
    {
        public long SealProof { get; set; }

        public string SealedCid { get; set; } = "";

        public long SealRandEpoch { get; set; }

        public List<ulong> DealIds { get; set; } = [];

        public long Expiration { get; set; }

        public string? UnsealedCid { get; set; }

        public string Deposit { get; set; } = "0";

        public long PreCommitEpoch { get; set; }
    }

    /// <summary>An active sector and where it is proven.</summary>
    internal sealed class SectorEntry
    {
        public long SealProof { get; set; }

        public string SealedCid { get; set; } = "";

        public long Activation { get; set; }

        public long Expiration { get; set; }

        public string InitialPledge { get; set; } = "0";

        public int Deadline { get; set; }

        public int Partition { get; set; }

        /// <summary>Declared faulty, or skipped by a Window PoSt.</summary>
        public bool Faulty { get; set; }

        /// <summary>Faulty and declared recovered, to be proven by the deadline's next Window PoSt.</summary>
        public bool Recovering { get; set; }
    }

    /// <summary>A partition proven by a Window PoSt at <see cref="Epoch"/>.</summary>
    internal sealed class PoStEntry
    {
        public int Deadline { get; set; }

        public int Partition { get; set; }

        public long Epoch { get; set; }
    }

    /// <summary>Blocks the miner submitted (SyncSubmitBlock): how many, and the CIDs of the last ones.</summary>
    public BlockLog Blocks { get; set; } = new();

    /// <summary>The miner's submitted blocks: a count, the last height, and the last <see cref="Keep"/> CIDs.</summary>
    internal sealed class BlockLog
    {
        public const int Keep = 16;

        public long Count { get; set; }

        public long LastHeight { get; set; } = -1;

        public List<string> LastCids { get; set; } = [];
    }
}
