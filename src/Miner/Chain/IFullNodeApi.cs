using Kiln.Api;
using Kiln.Api.Chain;
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

    /// <summary>The network's parameters (Lotus api.NetworkParams): block delay, PreCommitChallengeDelay, network name.</summary>
    [Perm(Permission.Read)]
    Task<NetworkParams> StateGetNetworkParamsAsync(CancellationToken ct);

    /// <summary>The network version at the tipset.</summary>
    [Perm(Permission.Read)]
    Task<uint> StateNetworkVersionAsync(IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The tipset at <paramref name="epoch"/> on the chain of <paramref name="tipSetKey"/> (the one before it when the epoch is null).</summary>
    [Perm(Permission.Read)]
    Task<TipSet> ChainGetTipSetByHeightAsync(long epoch, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The miner's owner, worker and control addresses, sector size and partition size.</summary>
    [Perm(Permission.Read)]
    Task<MinerInfo> StateMinerInfoAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>Every sector number the miner has allocated (pre-committed or proven, ever).</summary>
    [Perm(Permission.Read)]
    Task<BitField?> StateMinerAllocatedAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>Whether sector number <paramref name="number"/> is allocated.</summary>
    [Perm(Permission.Read)]
    Task<bool> StateMinerSectorAllocatedAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The sector's pre-commit on chain, or null when it has none (never pre-committed, proven, or expired).</summary>
    [Perm(Permission.Read)]
    Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfoAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The deposit a pre-commit of <paramref name="info"/> locks.</summary>
    [Perm(Permission.Read)]
    Task<TokenAmount> StateMinerPreCommitDepositForPowerAsync(Address miner, SectorPreCommitInfo info, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The initial pledge a prove-commit of the sector pre-committed with <paramref name="info"/> locks.</summary>
    [Perm(Permission.Read)]
    Task<TokenAmount> StateMinerInitialPledgeCollateralAsync(Address miner, SectorPreCommitInfo info, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The miner actor's balance free of locked funds, pledge and vesting.</summary>
    [Perm(Permission.Read)]
    Task<TokenAmount> StateMinerAvailableBalanceAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>An address's balance.</summary>
    [Perm(Permission.Read)]
    Task<TokenAmount> WalletBalanceAsync(Address address, CancellationToken ct);

    /// <summary>The ID address of <paramref name="address"/>.</summary>
    [Perm(Permission.Read)]
    Task<Address> StateLookupIDAsync(Address address, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>Assigns the nonce, estimates gas within <paramref name="spec"/>'s max fee, signs with the sender's wallet key and pushes to the mpool.</summary>
    [Perm(Permission.Sign)]
    Task<SignedMessage> MpoolPushMessageAsync(ChainMessage message, MessageSendSpec? spec, CancellationToken ct);

    /// <summary>Blocks until the message is on chain with <paramref name="confidence"/> epochs on top; its receipt and tipset.</summary>
    [Perm(Permission.Read)]
    Task<MsgLookup> StateWaitMsgAsync(Cid message, ulong confidence, long limit, bool allowReplaced, CancellationToken ct);

    /// <summary>Where the message landed looking back from the tipset, or null when it is not on chain.</summary>
    [Perm(Permission.Read)]
    Task<MsgLookup?> StateSearchMsgAsync(IReadOnlyList<Cid> tipSetKey, Cid message, long limit, bool allowReplaced, CancellationToken ct);

    /// <summary>The sector's on-chain info once proven (active), or null.</summary>
    [Perm(Permission.Read)]
    Task<SectorOnChainInfo?> StateSectorGetInfoAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>The deadline and partition that hold the sector, or null when none does.</summary>
    [Perm(Permission.Read)]
    Task<SectorPartitionLocation?> StateSectorPartitionAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>
    /// The miner's mining base for round <paramref name="epoch"/> on the tipset: power, network power, the sectors a
    /// Winning PoSt may challenge, the worker key and beacon entries; null when the miner has nothing eligible.
    /// </summary>
    [Perm(Permission.Read)]
    Task<MiningBaseInfo?> MinerGetBaseInfoAsync(Address miner, long epoch, IReadOnlyList<Cid> tipSetKey, CancellationToken ct);

    /// <summary>Builds and signs (with the worker key) the block of <paramref name="template"/>.</summary>
    [Perm(Permission.Write)]
    Task<BlockMsg> MinerCreateBlockAsync(BlockTemplate template, CancellationToken ct);

    /// <summary>Validates the block and publishes it to the network.</summary>
    [Perm(Permission.Write)]
    Task SyncSubmitBlockAsync(BlockMsg block, CancellationToken ct);

    /// <summary>The pending messages to include in a block on the tipset, for a ticket of <paramref name="ticketQuality"/>.</summary>
    [Perm(Permission.Read)]
    Task<IReadOnlyList<SignedMessage>> MpoolSelectAsync(IReadOnlyList<Cid> tipSetKey, double ticketQuality, CancellationToken ct);

    /// <summary>Signs <paramref name="data"/> with the wallet key of <paramref name="address"/>.</summary>
    [Perm(Permission.Sign)]
    Task<Signature> WalletSignAsync(Address address, byte[] data, CancellationToken ct);

    /// <summary>The beacon entry for the Filecoin epoch (waits for it when it is not out yet).</summary>
    [Perm(Permission.Read)]
    Task<BeaconEntry> StateGetBeaconEntryAsync(long epoch, CancellationToken ct);
}
