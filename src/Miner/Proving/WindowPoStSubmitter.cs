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
/// Lotus proves every sector of a partition, standing the first good sector in for each faulty or skipped one
/// (wdpost_run.go sectorsForProof), and its prover then drops the stand-ins again (storage/sealer/manager_post.go
/// generateWindowPoSt: dedupeSectorInfo, sorted by number); the actor's verifier sees the same set. So a batch proves
/// exactly its good sectors, in sector order, which is what Kiln's prover does; a sector to prove that is not good
/// (not held by this miner, or skipped by the prover) goes in its partition's <c>Skipped</c> bitfield, and a partition
/// with no good sector is left out of the message.
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

    /// <summary>
    /// The deadline's partitions (with their indexes) in batches of <paramref name="perMessage"/>, in index order; with
    /// <paramref name="singleRecovering"/> (Lotus [Proving] SingleRecoveringPartitionPerPostMessage) a partition with
    /// recovering sectors goes alone in its batch (Lotus BatchPartitions).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<(int Index, Partition Partition)>> Batch(IReadOnlyList<Partition> partitions, int perMessage, bool singleRecovering = false)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(perMessage, 1);
        var batches = new List<IReadOnlyList<(int, Partition)>>();
        var current = new List<(int, Partition)>();
        for (var i = 0; i < partitions.Count; i++)
        {
            if (singleRecovering && !partitions[i].RecoveringSectors.IsEmpty)
            {
                if (current.Count > 0)
                {
                    batches.Add(current);
                    current = [];
                }

                batches.Add([(i, partitions[i])]);
                continue;
            }

            if (current.Count >= perMessage)
            {
                batches.Add(current);
                current = [];
            }

            current.Add((i, partitions[i]));
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    /// <summary>
    /// Each partition of <paramref name="batch"/> as Lotus's runPoStCycle reads it: its sectors to prove
    /// (<see cref="Partition.ToProve"/>) and of those the ones this miner holds, which the batch's proof covers.
    /// </summary>
    public static IReadOnlyList<PartitionPlan> Plan(IReadOnlyList<(int Index, Partition Partition)> batch, IReadOnlyDictionary<ulong, ProvingSector> held)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(held);
        return [.. batch.Select(b =>
        {
            var toProve = b.Partition.ToProve;
            return new PartitionPlan(b.Index, toProve, [.. toProve.Where(held.ContainsKey).Select(n => held[n])]);
        })];
    }

    /// <summary>
    /// The partitions a proof of <paramref name="proven"/> posts (Lotus leaves out a partition with no good sector), each
    /// with its sectors to prove that the proof does not cover as <c>Skipped</c>.
    /// </summary>
    public static IReadOnlyList<PoStPartition> Posted(IReadOnlyList<PartitionPlan> plans, IReadOnlyCollection<ulong> proven)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(proven);
        var covered = proven.ToHashSet();
        return [.. plans
            .Where(p => p.Good.Any(s => covered.Contains(s.Number)))
            .Select(p => new PoStPartition((ulong)p.Index, BitField.FromSet(p.ToProve.Where(n => !covered.Contains(n)))))];
    }

    /// <summary>
    /// Sends one batch's proof and waits for its receipt (Lotus MessageConfidence); the message and its exit code are
    /// added to <paramref name="timeline"/>.
    /// </summary>
    /// <exception cref="PoStException">The message failed on chain (its exit code named).</exception>
    public async Task<Cid> SubmitAsync(DeadlineInfo deadline, IReadOnlyList<PoStPartition> partitions, PoStProof proof, PoStTimeline timeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(timeline);
        var start = timeline.Now;
        var commitRand = await chain.ChainCommitRandomnessAsync(deadline.Challenge, cancellationToken).ConfigureAwait(false);
        var parameters = new SubmitWindowedPoStParams((ulong)deadline.Index, partitions, [proof], deadline.Challenge, commitRand);
        var indexes = string.Join(',', partitions.Select(p => p.Index));
        var skipped = string.Join(',', partitions.SelectMany(p => p.Skipped));
        var (cid, message) = await _sender.SendAsync(MinerMethods.SubmitWindowedPoSt, TokenAmount.Zero, options.MaxWindowPoStGasFee, parameters.ToCbor(), $"SubmitWindowedPoSt of deadline {deadline.Index} partitions {indexes}", cancellationToken).ConfigureAwait(false);
        Log.Submitted(logger, cid, deadline.Index, indexes, message.From, skipped.Length == 0 ? "none" : skipped);
        timeline.Local("submit", start, partitions.Count, detail: $"SubmitWindowedPoSt {cid} from {message.From} for partitions {indexes}" + (skipped.Length == 0 ? "" : $", skipped sectors {skipped}"));

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
        [LoggerMessage(EventId = 6040, EventName = "WindowPoStSubmitted", Level = LogLevel.Information, Message = "Submitted window post: {Message} (deadline {Deadline}, partitions {Partitions}, from {From}, skipped {Skipped})")]
        public static partial void Submitted(ILogger logger, Cid message, int deadline, string partitions, Address from, string skipped);
    }
}
