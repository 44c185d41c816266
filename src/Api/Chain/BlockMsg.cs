using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>
/// Lotus <c>types.BlockMsg</c> (MinerCreateBlock's answer, SyncSubmitBlock's argument): the signed header and the
/// CIDs of its BLS and secp256k1 messages.
/// </summary>
public sealed record BlockMsg
{
    public BlockHeader Header { get; init; } = new();

    public IReadOnlyList<Cid> BlsMessages { get; init; } = [];

    public IReadOnlyList<Cid> SecpkMessages { get; init; } = [];

    /// <summary>Lotus <c>BlockMsg.Cid()</c>: the header's CID.</summary>
    public Cid Cid() => Header.Cid();
}
