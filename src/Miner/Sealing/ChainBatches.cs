using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Sealing;

/// <summary>
/// The miner's two message batches: pre-commits sent as one PreCommitSectorBatch2 (Lotus storage/pipeline/
/// precommit_batch.go processPreCommitBatch) and proofs as one ProveCommitSectors3 (commit_batch.go processBatchV2),
/// each through <see cref="MinerMessageSender"/>, with the deposit or pledge as value less what the miner actor's available balance
/// covers when <see cref="SealingOptions.CollateralFromMinerBalance"/> is on (utils.go collateralSendAmount).
/// </summary>
/// <remarks>
/// Proofs are never aggregated: Kiln binds no aggregator (libfilcrypto's aggregate_seal_proofs), so every batch
/// carries one proof per sector, which ProveCommitSectors3 accepts at any size; Lotus aggregates from MinCommitBatch up.
/// </remarks>
public sealed partial class ChainBatches : IBatchQueues, IAsyncDisposable
{
    private readonly IChain _chain;
    private readonly MinerMessageSender _sender;
    private readonly ulong _minerId;
    private readonly SealingOptions _options;
    private readonly ILogger _logger;

    public ChainBatches(IChain chain, ulong minerId, SealingOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);
        _chain = chain;
        _sender = new MinerMessageSender(chain, minerId);
        _minerId = minerId;
        _options = options;
        _logger = logger;
        PreCommits = new MessageBatcher<PreCommitEntry>("precommit", options.MaxPreCommitBatch, options.PreCommitBatchWait, options.PreCommitBatchSlack, SendPreCommitsAsync, time, logger);
        Commits = new MessageBatcher<CommitEntry>("commit", options.MaxCommitBatch, options.CommitBatchWait, options.CommitBatchSlack, SendCommitsAsync, time, logger);
        if (options.MaxCommitBatch >= options.MinCommitBatch && options.MinCommitBatch >= ChainPolicy.MinAggregatedSectors)
        {
            Log.NoAggregation(logger, options.MinCommitBatch);
        }
    }

    public MessageBatcher<PreCommitEntry> PreCommits { get; }

    public MessageBatcher<CommitEntry> Commits { get; }

    public IReadOnlyList<PendingBatchEntry> PendingPreCommits => PreCommits.Pending;

    public IReadOnlyList<PendingBatchEntry> PendingCommits => Commits.Pending;

    public Task<IReadOnlyList<BatchResult>> FlushPreCommitsAsync(CancellationToken cancellationToken) => PreCommits.FlushAsync(cancellationToken);

    public Task<IReadOnlyList<BatchResult>> FlushCommitsAsync(CancellationToken cancellationToken) => Commits.FlushAsync(cancellationToken);

    /// <summary>The PreCommitSectorBatch2 params of <paramref name="entries"/> and the deposit they lock.</summary>
    public static (PreCommitSectorBatchParams2 Params, TokenAmount Deposit) PreCommitParams(IReadOnlyList<BatchEntry<PreCommitEntry>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var deposit = entries.Aggregate(TokenAmount.Zero, (sum, e) => sum + e.Value.Deposit);
        return (new PreCommitSectorBatchParams2([.. entries.Select(e => e.Value.Info)]), deposit);
    }

    private async Task<IReadOnlyList<BatchResult>> SendPreCommitsAsync(IReadOnlyList<BatchEntry<PreCommitEntry>> entries, CancellationToken cancellationToken)
    {
        var (parameters, deposit) = PreCommitParams(entries);
        var value = await CollateralToSendAsync(deposit, cancellationToken).ConfigureAwait(false);
        var maxFee = _options.MaxPreCommitBatchGasFeePerSector * entries.Count;
        var (cid, message) = await _sender.SendAsync(MinerMethods.PreCommitSectorBatch2, value, maxFee, parameters.ToCbor(), $"PreCommitSectorBatch2 of {entries.Count} sectors (deposit {deposit})", cancellationToken).ConfigureAwait(false);
        Log.Sent(_logger, "PreCommitSectorBatch2", cid, message.From, entries.Count, message.Value, maxFee, message.Params.Length);
        return [new BatchResult([.. entries.Select(e => e.Sector)], cid, null)];
    }

    private async Task<IReadOnlyList<BatchResult>> SendCommitsAsync(IReadOnlyList<BatchEntry<CommitEntry>> entries, CancellationToken cancellationToken)
    {
        var pledge = entries.Aggregate(TokenAmount.Zero, (sum, e) => sum + e.Value.Pledge);
        var parameters = new ProveCommitSectors3Params
        {
            SectorActivations = [.. entries.Select(e => e.Value.Activation)],
            SectorProofs = [.. entries.Select(e => e.Value.Proof)],
            RequireActivationSuccess = _options.RequireActivationSuccess,
            RequireNotificationSuccess = _options.RequireNotificationSuccess,
        };
        var value = await CollateralToSendAsync(pledge, cancellationToken).ConfigureAwait(false);
        var maxFee = _options.MaxCommitBatchGasFeePerSector * entries.Count;
        var (cid, message) = await _sender.SendAsync(MinerMethods.ProveCommitSectors3, value, maxFee, parameters.ToCbor(), $"ProveCommitSectors3 of {entries.Count} sectors (pledge {pledge})", cancellationToken).ConfigureAwait(false);
        Log.Sent(_logger, "ProveCommitSectors3", cid, message.From, entries.Count, message.Value, maxFee, message.Params.Length);
        return [new BatchResult([.. entries.Select(e => e.Sector)], cid, null)];
    }

    /// <summary>
    /// Lotus utils.go collateralSendAmount: the whole amount, or with CollateralFromMinerBalance what the miner actor's
    /// available balance (less the buffer) does not cover.
    /// </summary>
    private async Task<TokenAmount> CollateralToSendAsync(TokenAmount collateral, CancellationToken cancellationToken)
    {
        if (!_options.CollateralFromMinerBalance)
        {
            return collateral;
        }

        var available = await _chain.AvailableBalanceAsync(_minerId, cancellationToken).ConfigureAwait(false) - _options.AvailableBalanceBuffer;
        var send = collateral - (available.Atto.Sign > 0 ? available : TokenAmount.Zero);
        return send.Atto.Sign > 0 ? send : TokenAmount.Zero;
    }

    public async ValueTask DisposeAsync()
    {
        await PreCommits.DisposeAsync().ConfigureAwait(false);
        await Commits.DisposeAsync().ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5023, EventName = "BatchMessageSent", Level = LogLevel.Information, Message = "sent {Method} {Message} from {From}: {Count} sectors, value {Value}, max fee {MaxFee}, params {ParamsBytes} bytes")]
        public static partial void Sent(ILogger logger, string method, Cid message, Address from, int count, TokenAmount value, TokenAmount maxFee, int paramsBytes);

        [LoggerMessage(EventId = 5024, EventName = "CommitAggregationUnavailable", Level = LogLevel.Information, Message = "commit batches of {Min} or more sectors are not aggregated: no proof aggregator (libfilcrypto aggregate_seal_proofs) is bound; each proof is sent on its own in ProveCommitSectors3")]
        public static partial void NoAggregation(ILogger logger, int min);
    }
}
