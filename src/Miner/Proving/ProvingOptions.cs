using Kiln.Miner.Chain;
using Kiln.Proofs.Snark;

namespace Kiln.Miner.Proving;

/// <summary>
/// Lotus's <c>[Proving]</c> section plus the chain's pace. The proving loop is off unless enabled
/// (<c>kiln-miner run --proving</c>; the devnet turns it on). Window PoSt proofs are submitted to the chain
/// (<see cref="SubmitWindowPoSt"/>); Winning PoSt proofs are verified and logged.
/// </summary>
public sealed class ProvingOptions
{
    public static readonly TimeSpan DefaultPartitionTimeout = TimeSpan.FromMinutes(20);

    /// <summary>
    /// A winning proof is only worth something within the epoch it was drawn for: Lotus's mainnet block delay is 30 s.
    /// </summary>
    public static readonly TimeSpan DefaultWinningPoStTimeout = TimeSpan.FromSeconds(30);

    public const int DefaultMaxRetries = 3;

    public static readonly TimeSpan DefaultEpochDuration = TimeSpan.FromMilliseconds(100);

    public const int DefaultWinningEvery = 100;

    public const int DefaultMaxPartitionsPerWorker = 1;

    /// <summary>Lotus's default <c>ParallelCheckLimit</c>.</summary>
    public const int DefaultParallelCheckLimit = 32;

    /// <summary>Lotus's default <c>SingleCheckTimeout</c>.</summary>
    public static readonly TimeSpan DefaultSingleCheckTimeout = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan DefaultChainPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>Whether the miner runs the proving loop (Window PoSt per deadline, Winning PoSt rounds). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Send each proven deadline's Window PoSt to the chain (<c>SubmitWindowedPoSt</c>); on by default. Off, proofs are
    /// verified and recorded only.
    /// </summary>
    public bool SubmitWindowPoSt { get; set; } = true;

    /// <summary>Max fee of one SubmitWindowedPoSt (Lotus [Fees] MaxWindowPoStGasFee, 5 FIL).</summary>
    public Kiln.Api.Chain.TokenAmount MaxWindowPoStGasFee { get; set; } = new(5_000_000_000_000_000_000);

    /// <summary>At most this many partitions in one SubmitWindowedPoSt (Lotus [Proving] MaxPartitionsPerPoStMessage; 0: the policy's limit).</summary>
    public int MaxPartitionsPerPoStMessage { get; set; }

    /// <summary>
    /// A partition with recovering sectors goes alone in its SubmitWindowedPoSt (Lotus [Proving]
    /// SingleRecoveringPartitionPerPostMessage: a recovering partition's message costs more gas). Off by default.
    /// </summary>
    public bool SingleRecoveringPartitionPerPostMessage { get; set; }

    /// <summary>
    /// Declare unreadable sectors faulty ahead of their deadline (<c>DeclareFaults</c>, as Lotus's wdpost declareFaults did
    /// before the Ignition upgrade); on by default. Readable faulty sectors are always declared recovered.
    /// </summary>
    public bool DeclareFaults { get; set; } = true;

    /// <summary>At most this many partitions in one DeclareFaultsRecovered (Lotus [Proving] MaxPartitionsPerRecoveryMessage; 0: the policy's limit).</summary>
    public int MaxPartitionsPerRecoveryMessage { get; set; }

    /// <summary>At most this many sectors declared recovered for one deadline (Lotus LOTUS_RECOVERING_SECTOR_LIMIT; 0: no limit).</summary>
    public int RecoveringSectorLimit { get; set; }

    /// <summary>Lotus's <c>LOTUS_RECOVERING_SECTOR_LIMIT</c> (storage/wdpost/wdpost_run_faults.go): 0 when unset.</summary>
    /// <exception cref="InvalidOperationException">The variable is set but not a non-negative number.</exception>
    public static int RecoveringSectorLimitFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("LOTUS_RECOVERING_SECTOR_LIMIT");
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit)
            ? limit
            : throw new InvalidOperationException($"LOTUS_RECOVERING_SECTOR_LIMIT must be a number of sectors, got \"{value}\"");
    }

    /// <summary>
    /// Epochs before a deadline closes at which a Window PoSt not yet on chain raises an alarm (a warning in the log and
    /// the deadline's timeline). Default 15 (a quarter of the 60-epoch window).
    /// </summary>
    public int SubmitAlarmEpochs { get; set; } = 15;

    /// <summary>Lotus <c>DisableBuiltinWindowPoSt</c>: never prove Window PoSt on the miner itself, even with no window worker. Default false.</summary>
    public bool DisableBuiltinWindowPoSt { get; set; }

    /// <summary>Lotus <c>DisableBuiltinWinningPoSt</c>: never prove Winning PoSt on the miner itself. Default false.</summary>
    public bool DisableBuiltinWinningPoSt { get; set; }

    /// <summary>
    /// How long one proof partition may run on a worker before it is given up there and dispatched to another
    /// (Lotus's <c>PartitionCheckTimeout</c> is 20 min). Default <see cref="DefaultPartitionTimeout"/>.
    /// </summary>
    public TimeSpan PartitionTimeout { get; set; } = DefaultPartitionTimeout;

    /// <summary>
    /// How long one winning PoSt worker may take over GenerateWinningPoSt before the round moves on to the next ready
    /// winning worker. Worker RPC clients have no timeout of their own (go-jsonrpc's have none), so this bounds the
    /// call. Default <see cref="DefaultWinningPoStTimeout"/>.
    /// </summary>
    public TimeSpan WinningPoStTimeout { get; set; } = DefaultWinningPoStTimeout;

    /// <summary>Re-dispatches of one partition after a connection error or timeout. Default <see cref="DefaultMaxRetries"/>.</summary>
    public int MaxRetries { get; set; } = DefaultMaxRetries;

    /// <summary>
    /// When set, a partition still running after this long is also started on an idle window worker and the first
    /// answer wins. Default null: no hedging.
    /// </summary>
    public TimeSpan? HedgeAfter { get; set; }

    /// <summary>Partitions one PoSt worker runs at once. Default <see cref="DefaultMaxPartitionsPerWorker"/> (one GPU task).</summary>
    public int MaxPartitionsPerWorker { get; set; } = DefaultMaxPartitionsPerWorker;

    /// <summary>
    /// Lotus <c>ParallelCheckLimit</c>: at most this many sectors' vanilla proofs read at once when the miner proves a
    /// partition itself. Default <see cref="DefaultParallelCheckLimit"/>.
    /// </summary>
    public int ParallelCheckLimit { get; set; } = DefaultParallelCheckLimit;

    /// <summary>
    /// Lotus <c>SingleCheckTimeout</c>: how long one sector's vanilla proof may take to read when the miner proves
    /// itself before the sector is skipped. Default <see cref="DefaultSingleCheckTimeout"/>.
    /// </summary>
    public TimeSpan SingleCheckTimeout { get; set; } = DefaultSingleCheckTimeout;

    /// <summary>How the miner's own <see cref="Kiln.Stores.PoSt.PartitionProver"/> reads vanilla proofs.</summary>
    public Kiln.Stores.PoSt.PartitionProverOptions LocalReads() =>
        new() { ParallelReads = ParallelCheckLimit, ReadTimeout = SingleCheckTimeout };

    /// <summary>
    /// Length of one devnet epoch. With 60-epoch challenge windows and 48 deadlines the default
    /// <see cref="DefaultEpochDuration"/> makes a deadline 6 s and a proving period under 5 min.
    /// </summary>
    public TimeSpan EpochDuration { get; set; } = DefaultEpochDuration;

    /// <summary>
    /// The Lotus full node the miner follows, for sealing tickets and seeds as for proving, as <c>FULLNODE_API_INFO</c>
    /// gives it (<c>TOKEN:/ip4/127.0.0.1/tcp/1234/http</c>; <c>kiln-miner run --fullnode-api-info</c>). Default null: the
    /// devnet chain.
    /// </summary>
    public string? FullNodeApiInfo { get; set; }

    /// <summary>How often the full node's head is polled while waiting for an epoch. Default <see cref="DefaultChainPollInterval"/>.</summary>
    public TimeSpan ChainPollInterval { get; set; } = DefaultChainPollInterval;

    /// <summary>A Winning PoSt round runs every this many epochs. Default <see cref="DefaultWinningEvery"/>.</summary>
    public int WinningEvery { get; set; } = DefaultWinningEvery;

    /// <summary>
    /// Whether the miner produces blocks on a full-node chain (Lotus config <c>[Subsystems] EnableMining</c>): a round on
    /// every new head, won rounds made into blocks. Off, Winning PoSt runs every <see cref="WinningEvery"/> epochs and
    /// is only logged (for a Kiln that proves beside another block producer of the same miner). Default true.
    /// </summary>
    public bool EnableMining { get; set; } = true;

    /// <summary>The SNARK prover for built-in proving, merging and verification (FILCRYPTO_LIB, insecure test proofs).</summary>
    public SnarkProverOptions Snark { get; set; } = new();

    public void Validate()
    {
        Snark.Validate();
        if (PartitionTimeout <= TimeSpan.Zero || WinningPoStTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Proving.PartitionTimeout and Proving.WinningPoStTimeout must be positive");
        }

        if (MaxRetries < 0 || MaxPartitionsPerWorker < 1 || WinningEvery < 1)
        {
            throw new InvalidOperationException("Proving.MaxRetries must be >= 0, MaxPartitionsPerWorker and WinningEvery >= 1");
        }

        if (MaxPartitionsPerRecoveryMessage < 0 || RecoveringSectorLimit < 0 || SubmitAlarmEpochs < 0)
        {
            throw new InvalidOperationException($"Proving.MaxPartitionsPerRecoveryMessage (got {MaxPartitionsPerRecoveryMessage}), RecoveringSectorLimit (got {RecoveringSectorLimit}) and SubmitAlarmEpochs (got {SubmitAlarmEpochs}) must not be negative");
        }

        if (MaxPartitionsPerPoStMessage < 0 || MaxWindowPoStGasFee.Atto.Sign < 0)
        {
            throw new InvalidOperationException($"Proving.MaxPartitionsPerPoStMessage (got {MaxPartitionsPerPoStMessage}) and MaxWindowPoStGasFee (got {MaxWindowPoStGasFee}) must not be negative");
        }

        if (ParallelCheckLimit < 1 || SingleCheckTimeout < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Proving.ParallelCheckLimit must be >= 1 (got {ParallelCheckLimit}) and Proving.SingleCheckTimeout not negative (got {SingleCheckTimeout})");
        }

        if (EpochDuration <= TimeSpan.Zero || ChainPollInterval <= TimeSpan.Zero || HedgeAfter is { } h && h <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Proving.EpochDuration, Proving.ChainPollInterval and Proving.HedgeAfter must be positive");
        }

        if (FullNodeApiInfo is { Length: > 0 } info)
        {
            try
            {
                FullNodeChain.ParseApiInfo(info);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException("Proving.FullNodeApiInfo: " + e.Message, e);
            }
        }
    }
}
