using Kiln.Miner.Sealing;

namespace Kiln.Miner.Ui;

/// <summary>
/// One sector of the sealing pipeline: its state (Lotus's FSM names), last change and error, and its on-chain state —
/// the pre-commit and prove-commit messages with their receipts' exit codes, the epoch the chain activated it, and the
/// deadline and partition holding it. For a failed sector, the state whose step failed and the attempts so far.
/// </summary>
public sealed record DashboardSector(ulong Number, string State, DateTimeOffset Created, DateTimeOffset Updated, string? Error)
{
    /// <summary>The epoch the seal ticket was drawn at.</summary>
    public long? TicketEpoch { get; init; }

    /// <summary>The PreCommitSectorBatch2 message's CID, once sent.</summary>
    public string? PreCommitMessage { get; init; }

    /// <summary>The pre-commit receipt's exit code, once the message landed.</summary>
    public long? PreCommitExitCode { get; init; }

    /// <summary>The ProveCommitSectors3 message's CID, once sent.</summary>
    public string? CommitMessage { get; init; }

    /// <summary>The prove-commit receipt's exit code, once the message landed.</summary>
    public long? CommitExitCode { get; init; }

    /// <summary>The epoch the chain activated the sector.</summary>
    public long? ActivationEpoch { get; init; }

    /// <summary>The expiration epoch the sector was pre-committed with.</summary>
    public long? Expiration { get; init; }

    /// <summary>The deadline holding the sector on chain.</summary>
    public int? Deadline { get; init; }

    /// <summary>The partition of <see cref="Deadline"/> holding the sector.</summary>
    public int? Partition { get; init; }

    /// <summary>For a Failed sector, the state whose step failed.</summary>
    public string? FailedIn { get; init; }

    /// <summary>Failed attempts in a row at the current step.</summary>
    public int Retries { get; init; }

    /// <summary>The row of <paramref name="s"/>.</summary>
    public static DashboardSector From(SectorRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new DashboardSector(s.Number, s.State.ToString(), s.Created, s.Updated, s.Error)
        {
            TicketEpoch = s.TicketEpoch,
            PreCommitMessage = s.PreCommitMessage?.ToString(),
            PreCommitExitCode = s.PreCommitExitCode,
            CommitMessage = s.CommitMessage?.ToString(),
            CommitExitCode = s.CommitExitCode,
            ActivationEpoch = s.ActivationEpoch,
            Expiration = s.Expiration,
            Deadline = s.Deadline,
            Partition = s.Partition,
            FailedIn = s.FailedIn?.ToString(),
            Retries = s.Retries,
        };
    }
}
