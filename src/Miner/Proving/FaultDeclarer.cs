using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Proving;

/// <summary>
/// Declarations ahead of a deadline, as Lotus's window PoSt scheduler makes them when a deadline opens for the
/// deadline after next (storage/wdpost/wdpost_run_faults.go asyncFaultRecover, declareRecoveries): every faulty sector
/// of that deadline's partitions not yet recovering is checked (<see cref="SectorChecker"/>) and the readable ones are
/// declared recovered (<c>DeclareFaultsRecovered</c>), at most <see cref="ProvingOptions.MaxPartitionsPerRecoveryMessage"/>
/// partitions a message and <see cref="ProvingOptions.RecoveringSectorLimit"/> sectors in all; then every live sector
/// not faulty is checked and the unreadable ones are declared faulty (<c>DeclareFaults</c>, one message, as Lotus's
/// declareFaults did). Each message is sent from a funded control or worker address, max fee
/// <see cref="ProvingOptions.MaxWindowPoStGasFee"/>, and waited for.
/// </summary>
/// <remarks>
/// Lotus stopped calling declareFaults at the Ignition upgrade (actors v3 charge a skipped sector the same as a declared
/// fault) and removed it later; Kiln keeps it, on by default (<see cref="ProvingOptions.DeclareFaults"/>), because a
/// sector declared faulty ahead is not read during the deadline: a hanging disk then costs its sectors, not the
/// deadline's time.
/// </remarks>
public sealed partial class FaultDeclarer(IChain chain, SectorChecker checker, ulong minerId, ProvingOptions options, ILogger logger)
{
    /// <summary>builtin-actors miner policy declarations_max: declarations (partitions) one DeclareFaults(Recovered) may carry.</summary>
    public const int DeclarationsMax = 3000;

    private readonly MinerMessageSender _sender = new(chain, minerId);

    /// <summary>The deadline Lotus declares for when <paramref name="open"/> opens: the one after next.</summary>
    public static int DeclarationDeadline(DeadlineInfo open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return (open.Index + 2) % open.WPoStPeriodDeadlines;
    }

    /// <summary>
    /// Checks the partitions of <paramref name="deadline"/> and declares its recoveries, then its faults; what was
    /// declared, the messages, and the bad sectors with their reasons.
    /// </summary>
    public async Task<FaultDeclarations> DeclareAsync(int deadline, IReadOnlyList<ProvingSector> held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        var partitions = await chain.DeadlinePartitionsAsync(minerId, deadline, cancellationToken).ConfigureAwait(false);
        var recoveries = await RecoveriesAsync(deadline, partitions, held, cancellationToken).ConfigureAwait(false);
        var recoveryMessages = new List<Cid>();
        foreach (var batch in recoveries)
        {
            var parameters = new DeclareFaultsRecoveredParams(batch).ToCbor();
            var sectors = string.Join(',', batch.SelectMany(r => r.Sectors));
            recoveryMessages.Add(await SendAndWaitAsync(MinerMethods.DeclareFaultsRecovered, parameters, $"DeclareFaultsRecovered of deadline {deadline} sectors {sectors}", cancellationToken).ConfigureAwait(false));
            Log.RecoveriesDeclared(logger, recoveryMessages[^1], deadline, sectors);
        }

        var (faults, bad) = options.DeclareFaults
            ? await FaultsAsync(deadline, partitions, held, cancellationToken).ConfigureAwait(false)
            : ([], new Dictionary<ulong, string>());
        var faultMessages = new List<Cid>();
        foreach (var batch in faults.Chunk(DeclarationsMax))
        {
            var parameters = new DeclareFaultsParams(batch).ToCbor();
            var sectors = string.Join(',', batch.SelectMany(f => f.Sectors));
            faultMessages.Add(await SendAndWaitAsync(MinerMethods.DeclareFaults, parameters, $"DeclareFaults of deadline {deadline} sectors {sectors}", cancellationToken).ConfigureAwait(false));
            Log.FaultsDeclared(logger, faultMessages[^1], deadline, sectors, string.Join("; ", bad.Select(b => $"{b.Key}: {b.Value}")));
        }

        return new FaultDeclarations(deadline, [.. recoveries.SelectMany(r => r)], recoveryMessages, faults, faultMessages, bad);
    }

    /// <summary>
    /// Lotus declareRecoveries: per partition, the faulty sectors not yet recovering that check good, cut to the
    /// recovering-sector limit, in messages of at most the configured partitions.
    /// </summary>
    private async Task<IReadOnlyList<IReadOnlyList<RecoveryDeclaration>>> RecoveriesAsync(int deadline, IReadOnlyList<Partition> partitions, IReadOnlyList<ProvingSector> held, CancellationToken cancellationToken)
    {
        var batches = new List<List<RecoveryDeclaration>> { new() };
        ulong total = 0;
        var limit = (ulong)options.RecoveringSectorLimit;
        var perMessage = Math.Min(options.MaxPartitionsPerRecoveryMessage > 0 ? options.MaxPartitionsPerRecoveryMessage : DeclarationsMax, DeclarationsMax);
        for (var index = 0; index < partitions.Count; index++)
        {
            var unrecovered = partitions[index].FaultySectors.Subtract(partitions[index].RecoveringSectors);
            if (unrecovered.IsEmpty)
            {
                continue;
            }

            var bad = await checker.CheckAsync(unrecovered, held, cancellationToken).ConfigureAwait(false);
            var recovered = unrecovered.Where(n => !bad.ContainsKey(n)).ToList();
            if (recovered.Count == 0)
            {
                continue;
            }

            if (limit > 0 && (ulong)recovered.Count > limit - total)
            {
                Log.RecoveryLimited(logger, deadline, (int)(limit - total), limit);
                recovered = recovered[..(int)(limit - total)];
            }

            if (batches[^1].Count >= perMessage)
            {
                batches.Add([]);
            }

            batches[^1].Add(new RecoveryDeclaration((ulong)deadline, (ulong)index, BitField.FromSet(recovered)));
            total += (ulong)recovered.Count;
            if (limit > 0 && total >= limit)
            {
                break;
            }
        }

        return [.. batches.Where(b => b.Count > 0)];
    }

    /// <summary>Lotus declareFaults: per partition, the live sectors not yet faulty that check bad.</summary>
    private async Task<(IReadOnlyList<FaultDeclaration> Faults, IReadOnlyDictionary<ulong, string> Bad)> FaultsAsync(int deadline, IReadOnlyList<Partition> partitions, IReadOnlyList<ProvingSector> held, CancellationToken cancellationToken)
    {
        var faults = new List<FaultDeclaration>();
        var reasons = new Dictionary<ulong, string>();
        for (var index = 0; index < partitions.Count; index++)
        {
            var nonFaulty = partitions[index].LiveSectors.Subtract(partitions[index].FaultySectors);
            if (nonFaulty.IsEmpty)
            {
                continue;
            }

            var bad = await checker.CheckAsync(nonFaulty, held, cancellationToken).ConfigureAwait(false);
            if (bad.Count == 0)
            {
                continue;
            }

            foreach (var (n, why) in bad)
            {
                reasons[n] = why;
            }

            faults.Add(new FaultDeclaration((ulong)deadline, (ulong)index, BitField.FromSet(bad.Keys)));
        }

        return (faults, reasons);
    }

    private async Task<Cid> SendAndWaitAsync(ulong method, byte[] parameters, string what, CancellationToken cancellationToken)
    {
        var (cid, _) = await _sender.SendAsync(method, TokenAmount.Zero, options.MaxWindowPoStGasFee, parameters, what, cancellationToken).ConfigureAwait(false);
        var lookup = await chain.WaitMessageAsync(cid, ChainPolicy.MessageConfidence, cancellationToken).ConfigureAwait(false);
        if (lookup.Receipt.ExitCode != ExitCodes.Ok)
        {
            throw new PoStException($"{what}: message {cid} failed on chain: exit {ExitCodes.Describe(lookup.Receipt.ExitCode)}", isRetryable: false);
        }

        return cid;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6041, EventName = "RecoveriesDeclared", Level = LogLevel.Warning, Message = "declare faults recovered message {Message}: deadline {Deadline} sectors {Sectors}")]
        public static partial void RecoveriesDeclared(ILogger logger, Cid message, int deadline, string sectors);

        [LoggerMessage(EventId = 6042, EventName = "FaultsDeclared", Level = LogLevel.Error, Message = "DETECTED FAULTY SECTORS, declare faults message {Message}: deadline {Deadline} sectors {Sectors} ({Reasons})")]
        public static partial void FaultsDeclared(ILogger logger, Cid message, int deadline, string sectors, string reasons);

        [LoggerMessage(EventId = 6043, EventName = "RecoveryLimited", Level = LogLevel.Warning, Message = "deadline {Deadline}: only declaring {Count} more sectors recovered to respect the recovering sector limit {Limit}")]
        public static partial void RecoveryLimited(ILogger logger, int deadline, int count, ulong limit);
    }
}
