using Kiln.Api;
using Kiln.Api.Types;

namespace Kiln.Miner.Chain;

/// <summary>
/// The part of Lotus's full-node API (api/api_full.go, served at <c>/rpc/v1</c>) that sealing and proving read. Addresses are
/// Lotus address strings (<c>f01000</c>, <c>t01000</c>); a tipset key is the JSON array of its block CIDs.
/// </summary>
[RpcNamespace("Filecoin")]
public interface IFullNodeApi
{
    /// <summary>The heaviest tipset.</summary>
    [Perm(Permission.Read)]
    Task<TipSet> ChainHeadAsync(CancellationToken ct);

    /// <summary>The miner's deadline at the tipset (go-state-types <c>dline.Info</c>).</summary>
    [Perm(Permission.Read)]
    Task<DeadlineInfo> StateMinerProvingDeadlineAsync(string miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The partitions of deadline <paramref name="deadline"/> at the tipset.</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<Partition>> StateMinerPartitionsAsync(string miner, ulong deadline, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>Ticket randomness for <paramref name="tag"/> at <paramref name="epoch"/>, mixed with <paramref name="entropy"/> (base64 on the wire).</summary>
    [Perm(Permission.Read)]
    Task<byte[]> StateGetRandomnessFromTicketsAsync(DomainSeparationTag tag, long epoch, byte[] entropy, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>Beacon randomness for <paramref name="tag"/> at <paramref name="epoch"/>, mixed with <paramref name="entropy"/> (base64 on the wire).</summary>
    [Perm(Permission.Read)]
    Task<byte[]> StateGetRandomnessFromBeaconAsync(DomainSeparationTag tag, long epoch, byte[] entropy, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);
}
