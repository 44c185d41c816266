using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Proving;

/// <summary>
/// Puts a deadline's Window PoSt on chain as Lotus's window PoSt scheduler does (storage/wdpost/wdpost_run.go
/// runPoStCycle, BatchPartitions, runSubmitPoST, submitPoStMessage): the deadline's partitions from the chain,
/// grouped into messages of at most the policy's partitions per message, each batch proven over its partitions'
/// sectors to prove (live less faulty, plus recovering) and sent as one <c>SubmitWindowedPoSt</c> naming the
/// partitions, the proof, and <c>ChainCommitEpoch</c> / <c>ChainCommitRand</c> at the deadline's challenge epoch,
/// value 0, max fee <see cref="ProvingOptions.MaxWindowPoStGasFee"/>; then waited for and its receipt recorded.
/// </summary>
/// <remarks>
/// Lotus proves every sector of a partition, standing a good sector in for each faulty or skipped one
/// (wdpost_run.go sectorsForProof), so the proof's sector list is the partition's whole sector set. Kiln proves the
/// sectors themselves and so submits only batches where that list and Kiln's are the same: no faulty, recovering or
/// skipped sector, every sector held by this miner, partitions in sector order. Any other batch is not submitted and
/// the deadline records why.
/// </remarks>
public sealed partial class WindowPoStSubmitter(IChain chain, ulong minerId, ProvingOptions options, ILogger logger)
{
    /// <summary>go-state-types miner policy AddressedSectorsMax: sectors a Window PoSt message may address.</summary>
    public const int AddressedSectorsMax = 25_000;

    /// <summary>go-state-types miner policy PoStedPartitionsMax: partitions one SubmitWindowedPoSt may prove.</summary>
    public const int PoStedPartitionsMax = 3;

    private readonly MinerMessageSender _sender = new(chain, minerId);

    /// <summary>
    /// Lotus BatchPartitions with chain/actors/policy GetMaxPoStPartitions: min(PoStedPartitionsMax, AddressedSectorsMax
    /// / sectors per partition), and at most <paramref name="configured"/> when set (Lotus [Proving]
    /// MaxPartitionsPerPoStMessage). (Lotus's further cap, AddressedPartitionsMax, is far above both.)
    /// </summary>
    public static int PartitionsPerMessage(int sectorsPerPartition, int configured)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sectorsPerPartition, 1);
        var perMessage = Math.Min(AddressedSectorsMax / sectorsPerPartition, PoStedPartitionsMax);
        return configured > 0 ? Math.Min(perMessage, configured) : perMessage;
    }

    /// <summary>The deadline's partitions (with their indexes) in batches of <paramref name="perMessage"/>, in index order.</summary>
    public static IReadOnlyList<IReadOnlyList<(int Index, Partition Partition)>> Batch(IReadOnlyList<Partition> partitions, int perMessage)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return [.. partitions.Select((p, i) => (i, p)).Chunk(perMessage).Select(c => (IReadOnlyList<(int, Partition)>)c)];
    }

    /// <summary>
    /// The sectors one batch proves, in Lotus's order (partition by partition, each ascending), or why Kiln cannot
    /// prove this batch the way Lotus would.
    /// </summary>
    public static (IReadOnlyList<ProvingSector> Sectors, string? Refusal) SectorsFor(IReadOnlyList<(int Index, Partition Partition)> batch, IReadOnlyDictionary<ulong, ProvingSector> held)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(held);
        var sectors = new List<ProvingSector>();
        foreach (var (index, p) in batch)
        {
            if (!p.FaultySectors.IsEmpty || !p.RecoveringSectors.IsEmpty)
            {
                return ([], $"partition {index} has faulty or recovering sectors ({string.Join(',', p.FaultySectors.Union(p.RecoveringSectors))}): Lotus stands good sectors in for them (wdpost_run.go sectorsForProof), which Kiln does not do yet");
            }

            var missing = p.AllSectors.Where(n => !held.ContainsKey(n)).ToList();
            if (missing.Count > 0)
            {
                return ([], $"partition {index} holds sectors this miner does not prove ({string.Join(',', missing)})");
            }

            sectors.AddRange(p.AllSectors.Select(n => held[n]));
        }

        if (!sectors.Select(s => s.Number).SequenceEqual(sectors.Select(s => s.Number).Order()))
        {
            return ([], "the batch's partitions are not in sector order: Lotus proves them partition by partition, Kiln's prover in sector order");
        }

        return (sectors, null);
    }

    /// <summary>
    /// Sends one batch's proof and waits for its receipt (Lotus MessageConfidence); the message and its exit code are
    /// added to <paramref name="timeline"/>.
    /// </summary>
    /// <exception cref="PoStException">The message failed on chain (its exit code named).</exception>
    public async Task<Cid> SubmitAsync(DeadlineInfo deadline, IReadOnlyList<int> partitions, PoStProof proof, PoStTimeline timeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(timeline);
        var start = timeline.Now;
        var commitRand = await chain.ChainCommitRandomnessAsync(deadline.Challenge, cancellationToken).ConfigureAwait(false);
        var parameters = new SubmitWindowedPoStParams((ulong)deadline.Index, [.. partitions.Select(i => new PoStPartition((ulong)i, BitField.Empty))], [proof], deadline.Challenge, commitRand);
        var (cid, message) = await _sender.SendAsync(MinerMethods.SubmitWindowedPoSt, TokenAmount.Zero, options.MaxWindowPoStGasFee, parameters.ToCbor(), $"SubmitWindowedPoSt of deadline {deadline.Index} partitions {string.Join(',', partitions)}", cancellationToken).ConfigureAwait(false);
        Log.Submitted(logger, cid, deadline.Index, string.Join(',', partitions), message.From);
        timeline.Local("submit", start, partitions.Count, detail: $"SubmitWindowedPoSt {cid} from {message.From} for partitions {string.Join(',', partitions)}");

        start = timeline.Now;
        var lookup = await chain.WaitMessageAsync(cid, ChainPolicy.MessageConfidence, cancellationToken).ConfigureAwait(false);
        var exit = lookup.Receipt.ExitCode;
        timeline.Local("receipt", start, partitions.Count, exit == ExitCodes.Ok ? "Succeeded" : "Failed", $"{cid} at epoch {lookup.Height}: exit {ExitCodes.Describe(exit)}");
        if (exit != ExitCodes.Ok)
        {
            throw new PoStException($"SubmitWindowedPoSt {cid} of deadline {deadline.Index} failed on chain: exit {ExitCodes.Describe(exit)}", isRetryable: false);
        }

        return cid;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6040, EventName = "WindowPoStSubmitted", Level = LogLevel.Information, Message = "Submitted window post: {Message} (deadline {Deadline}, partitions {Partitions}, from {From})")]
        public static partial void Submitted(ILogger logger, Cid message, int deadline, string partitions, Address from);
    }
}
