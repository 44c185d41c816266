using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Tests.Chain;

/// <summary>The sealing half of <see cref="IChain"/> for test chains that only serve proving: every call is refused.</summary>
internal abstract class ProvingOnlyChain
{
    public virtual Task<TipSet> HeadAsync(CancellationToken cancellationToken) => throw Refused();

    public virtual Task<NetworkParams> NetworkParamsAsync(CancellationToken cancellationToken) => throw Refused();

    public Task<MinerInfo> MinerInfoAsync(ulong minerId, CancellationToken cancellationToken) => throw Refused();

    /// <summary>No sector number is allocated on a proving-only chain.</summary>
    public Task<BitField> AllocatedSectorsAsync(ulong minerId, CancellationToken cancellationToken) => Task.FromResult(BitField.Empty);

    public Task<SectorPreCommitOnChainInfo?> PreCommitInfoAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) => throw Refused();

    public Task<TokenAmount> PreCommitDepositAsync(ulong minerId, SectorPreCommitInfo info, CancellationToken cancellationToken) => throw Refused();

    public Task<TokenAmount> InitialPledgeAsync(ulong minerId, SectorPreCommitInfo info, CancellationToken cancellationToken) => throw Refused();

    public Task<TokenAmount> AvailableBalanceAsync(ulong minerId, CancellationToken cancellationToken) => throw Refused();

    public Task<TokenAmount> WalletBalanceAsync(Address address, CancellationToken cancellationToken) => throw Refused();

    public Task<Cid> SendAsync(ChainMessage message, TokenAmount maxFee, CancellationToken cancellationToken) => throw Refused();

    public Task<MsgLookup> WaitMessageAsync(Cid message, ulong confidence, CancellationToken cancellationToken) => throw Refused();

    public Task<MsgLookup?> SearchMessageAsync(Cid message, CancellationToken cancellationToken) => throw Refused();

    public Task<SectorOnChainInfo?> SectorInfoAsync(ulong minerId, ulong sectorNumber, IReadOnlyList<Cid>? tipSet, CancellationToken cancellationToken) => throw Refused();

    public Task<SectorPartitionLocation?> SectorPartitionAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken) => throw Refused();

    public virtual Task<IReadOnlyList<Partition>> DeadlinePartitionsAsync(ulong minerId, int deadline, CancellationToken cancellationToken) => throw Refused();

    public Task<byte[]> ChainCommitRandomnessAsync(long epoch, CancellationToken cancellationToken) => throw Refused();

    private static NotSupportedException Refused() => new("a proving-only test chain seals nothing");
}
