using System.CommandLine;
using Kiln.Api;
using Kiln.Api.Chain;
using Kiln.Miner.Sealing;

namespace Kiln.Miner.Cli;

/// <summary>
/// <c>kiln-miner run</c>'s flags for Lotus's <c>[Sealing]</c> batching and <c>[Fees]</c> batch caps (Lotus
/// node/config/types.go SealingConfig, MinerFeeConfig), named after the config keys. Unset, they keep Lotus's defaults
/// against a full node; on the devnet chain the batch waits and the failed-state cooldown left at those defaults become a
/// few epochs (<see cref="SealingOptions.UseDevnetPace"/>), so a devnet sector does not wait a day in a batch.
/// </summary>
internal sealed class SealingFlags
{
    private readonly Option<int?> _maxPreCommitBatch = new("--max-precommit-batch") { Description = "send a PreCommitSectorBatch2 as soon as it holds this many sectors (Lotus [Sealing] MaxPreCommitBatch, 256)" };
    private readonly Option<string?> _preCommitBatchWait = new("--precommit-batch-wait") { Description = "the longest a pre-commit waits in its batch, e.g. 24h (Lotus [Sealing] PreCommitBatchWait; devnet: 10 epochs)" };
    private readonly Option<string?> _preCommitBatchSlack = new("--precommit-batch-slack") { Description = "send the pre-commit batch this long before the earliest ticket expires, e.g. 3h (Lotus [Sealing] PreCommitBatchSlack)" };
    private readonly Option<int?> _minCommitBatch = new("--min-commit-batch") { Description = "aggregate commit batches from this many sectors when an aggregator is present (Lotus [Sealing] MinCommitBatch, 4)" };
    private readonly Option<int?> _maxCommitBatch = new("--max-commit-batch") { Description = "send a ProveCommitSectors3 as soon as it holds this many sectors (Lotus [Sealing] MaxCommitBatch, 819)" };
    private readonly Option<string?> _commitBatchWait = new("--commit-batch-wait") { Description = "the longest a proof waits in its batch, e.g. 24h (Lotus [Sealing] CommitBatchWait; devnet: 10 epochs)" };
    private readonly Option<string?> _commitBatchSlack = new("--commit-batch-slack") { Description = "send the commit batch this long before the earliest prove-commit deadline, e.g. 1h (Lotus [Sealing] CommitBatchSlack)" };
    private readonly Option<string?> _preCommitFee = new("--max-precommit-batch-gas-fee") { Description = "max fee per sector of a pre-commit batch, e.g. 0.02 or \"0.02 FIL\" (Lotus [Fees] MaxPreCommitBatchGasFee.PerSector)" };
    private readonly Option<string?> _commitFee = new("--max-commit-batch-gas-fee") { Description = "max fee per sector of a commit batch, e.g. 0.03 (Lotus [Fees] MaxCommitBatchGasFee.PerSector)" };
    private readonly Option<bool> _fromBalance = new("--collateral-from-miner-balance") { Description = "pay deposits and pledges from the miner actor's available balance first (Lotus [Sealing] CollateralFromMinerBalance)" };
    private readonly Option<string?> _balanceBuffer = new("--available-balance-buffer") { Description = "of the miner's available balance, keep this much, e.g. 10 (Lotus [Sealing] AvailableBalanceBuffer)" };
    private readonly Option<string?> _ccLifetime = new("--cc-sector-lifetime") { Description = "lifetime of a CC sector, e.g. 12960h (Lotus [Sealing] CommittedCapacitySectorLifetime; default 540 days)" };
    private readonly Option<string?> _minRetry = new("--min-retry-time") { Description = "how long a PreCommitFailed or CommitFailed sector waits before its retry, e.g. 1m (Lotus MinRetryTime; devnet: 10 epochs)" };

    /// <summary>The flags, to add to a command.</summary>
    public IEnumerable<Option> All =>
        [_maxPreCommitBatch, _preCommitBatchWait, _preCommitBatchSlack, _minCommitBatch, _maxCommitBatch, _commitBatchWait, _commitBatchSlack, _preCommitFee, _commitFee, _fromBalance, _balanceBuffer, _ccLifetime, _minRetry];

    /// <summary>Applies what was given (the devnet's pace for what was not is set when the miner opens its chain).</summary>
    public void Apply(ParseResult parse, SealingOptions sealing)
    {
        sealing.MaxPreCommitBatch = parse.GetValue(_maxPreCommitBatch) ?? sealing.MaxPreCommitBatch;
        sealing.PreCommitBatchWait = Duration(parse, _preCommitBatchWait) ?? sealing.PreCommitBatchWait;
        sealing.PreCommitBatchSlack = Duration(parse, _preCommitBatchSlack) ?? sealing.PreCommitBatchSlack;
        sealing.MinCommitBatch = parse.GetValue(_minCommitBatch) ?? sealing.MinCommitBatch;
        sealing.MaxCommitBatch = parse.GetValue(_maxCommitBatch) ?? sealing.MaxCommitBatch;
        sealing.CommitBatchWait = Duration(parse, _commitBatchWait) ?? sealing.CommitBatchWait;
        sealing.CommitBatchSlack = Duration(parse, _commitBatchSlack) ?? sealing.CommitBatchSlack;
        sealing.MaxPreCommitBatchGasFeePerSector = Fil(parse, _preCommitFee) ?? sealing.MaxPreCommitBatchGasFeePerSector;
        sealing.MaxCommitBatchGasFeePerSector = Fil(parse, _commitFee) ?? sealing.MaxCommitBatchGasFeePerSector;
        sealing.CollateralFromMinerBalance = parse.GetValue(_fromBalance);
        sealing.AvailableBalanceBuffer = Fil(parse, _balanceBuffer) ?? sealing.AvailableBalanceBuffer;
        sealing.CommittedCapacitySectorLifetime = Duration(parse, _ccLifetime) ?? sealing.CommittedCapacitySectorLifetime;
        sealing.MinRetryTime = Duration(parse, _minRetry) ?? sealing.MinRetryTime;
        sealing.Validate();
    }

    private static TimeSpan? Duration(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { } text ? GoFormat.ParseDuration(text, option.Name) : null;

    private static TokenAmount? Fil(ParseResult parse, Option<string?> option)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return null;
        }

        try
        {
            return TokenAmount.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{option.Name}: {e.Message}", e);
        }
    }
}
