using Kiln.Api.Types;

namespace Kiln.Miner.Rpc;

/// <summary>
/// Lotus sealiface.CommitBatchRes, one commit batch sent by <c>SectorCommitFlush</c>: its sectors, those that failed
/// alone with why, the message (null when sending failed) and the error that failed all of them.
/// </summary>
public sealed record CommitBatchRes(IReadOnlyList<ulong> Sectors, IReadOnlyDictionary<ulong, string> FailedSectors, Cid Msg, string Error);
