using Kiln.Api.Types;

namespace Kiln.Miner.Rpc;

/// <summary>
/// Lotus sealiface.PreCommitBatchRes, one pre-commit batch sent by <c>SectorPreCommitFlush</c>: its sectors, the
/// message (null when sending failed) and the error that failed all of them (empty when the message went out).
/// </summary>
public sealed record PreCommitBatchRes(IReadOnlyList<ulong> Sectors, Cid Msg, string Error);
