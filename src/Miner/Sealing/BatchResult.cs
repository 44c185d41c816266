using Kiln.Api.Types;

namespace Kiln.Miner.Sealing;

/// <summary>
/// One batch sent (Lotus sealiface.PreCommitBatchRes / CommitBatchRes): its sectors, the message (null when sending
/// failed), the error, and the sectors that failed alone with why.
/// </summary>
public sealed record BatchResult(IReadOnlyList<ulong> Sectors, Cid? Message, string? Error)
{
    public IReadOnlyDictionary<ulong, string> FailedSectors { get; init; } = new Dictionary<ulong, string>();
}
