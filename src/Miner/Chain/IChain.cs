using Kiln.Api.Chain;
using Kiln.Api.Types;

namespace Kiln.Miner.Chain;

/// <summary>
/// What the miner needs of the chain, for sealing and for proving: its head, a way to wait for an epoch, the seal
/// ticket and interactive seed of a sector, the miner's current deadline, which deadline proves which sectors, and
/// PoSt randomness, the miner actor's state (allocated numbers, pre-commits, active sectors and where they sit), funds,
/// and sending messages and waiting for them. One instance serves the sealing pipeline and the proving loop, so a miner
/// configured with a full node never seals with devnet randomness. <see cref="FullNodeChain"/> implements it over a
/// Lotus full node's API: a real node's JSON-RPC, or the in-process devnet chain (<see cref="Devnet.DevnetNode"/>), so the devnet runs the same path.
/// </summary>
/// <remarks>
/// A chain that cannot answer throws <see cref="ChainException"/>; its <see cref="ChainException.IsRetryable"/> says
/// whether asking again later may help.
/// </remarks>
public interface IChain
{
    /// <summary>The epoch of the chain's head.</summary>
    Task<long> HeadEpochAsync(CancellationToken cancellationToken);

    /// <summary>Completes once the chain has reached <paramref name="epoch"/>.</summary>
    Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken);

    /// <summary>
    /// The seal ticket of a sector about to be pre-committed: chain randomness for <c>SealRandomness</c> drawn
    /// <see cref="ChainPolicy.SealRandomnessLookback"/> epochs behind the head (Lotus storage/pipeline/states_sealing.go
    /// getTicket, StateGetRandomnessFromTickets), with the epoch it was drawn at.
    /// </summary>
    Task<ChainRandomness> SealTicketAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken);

    /// <summary>
    /// The interactive seal seed of a sector pre-committed at <paramref name="preCommitEpoch"/>: beacon randomness for
    /// <c>InteractiveSealChallengeSeed</c> at <c>preCommitEpoch + </c><see cref="ChainPolicy.PreCommitChallengeDelay"/>,
    /// available only once the chain is past that epoch (Lotus storage/pipeline/states_sealing.go handleWaitSeed); may
    /// wait for it.
    /// </summary>
    Task<ChainRandomness> InteractiveSeedAsync(ulong minerId, ulong sectorNumber, long preCommitEpoch, CancellationToken cancellationToken);

    /// <summary>The miner's deadline at the head (Lotus <c>StateMinerProvingDeadline</c>).</summary>
    Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken);

    /// <summary>
    /// Of <paramref name="sectors"/> (the miner's proving sectors), those the Window PoSt of <paramref name="deadline"/>
    /// must prove: on a full node those its partitions hold live and not faulty, or faulty and recovering
    /// (<see cref="Partition.ToProve"/>), on a Lotus node as on the in-process devnet chain.
    /// </summary>
    Task<IReadOnlyList<ulong>> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken);

    /// <summary>
    /// The deadline index (0 to <see cref="DeadlineInfo.WPoStPeriodDeadlines"/> − 1) each of <paramref name="sectors"/>
    /// is assigned to at the head; a sector the chain assigns to no deadline is left out. For counts per deadline.
    /// </summary>
    Task<IReadOnlyDictionary<ulong, int>> SectorDeadlinesAsync(ulong minerId, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken);

    /// <summary>The Window PoSt challenge randomness of <paramref name="deadline"/> (drawn at its challenge epoch).</summary>
    Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken);

    /// <summary>The Winning PoSt randomness of a round at <paramref name="epoch"/>.</summary>
    Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken);

    /// <summary>The head tipset.</summary>
    Task<TipSet> HeadAsync(CancellationToken cancellationToken);

    /// <summary>The network's parameters (PreCommitChallengeDelay, block delay), read once.</summary>
    Task<NetworkParams> NetworkParamsAsync(CancellationToken cancellationToken);

    /// <summary>The miner's info: worker and control addresses, sector size.</summary>
    Task<MinerInfo> MinerInfoAsync(ulong minerId, CancellationToken cancellationToken);

    /// <summary>Every sector number the miner actor has allocated.</summary>
    Task<BitField> AllocatedSectorsAsync(ulong minerId, CancellationToken cancellationToken);

    /// <summary>The sector's pre-commit on chain at the head, or null.</summary>
    Task<SectorPreCommitOnChainInfo?> PreCommitInfoAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken);

    /// <summary>The deposit a pre-commit of <paramref name="info"/> locks (StateMinerPreCommitDepositForPower).</summary>
    Task<TokenAmount> PreCommitDepositAsync(ulong minerId, SectorPreCommitInfo info, CancellationToken cancellationToken);

    /// <summary>The initial pledge the prove-commit of <paramref name="info"/>'s sector locks (StateMinerInitialPledgeCollateral).</summary>
    Task<TokenAmount> InitialPledgeAsync(ulong minerId, SectorPreCommitInfo info, CancellationToken cancellationToken);

    /// <summary>The miner actor's available balance.</summary>
    Task<TokenAmount> AvailableBalanceAsync(ulong minerId, CancellationToken cancellationToken);

    /// <summary>An address's wallet balance.</summary>
    Task<TokenAmount> WalletBalanceAsync(Address address, CancellationToken cancellationToken);

    /// <summary>Pushes <paramref name="message"/> to the node's mpool (MpoolPushMessage, gas within <paramref name="maxFee"/>); the signed message's CID.</summary>
    Task<Cid> SendAsync(ChainMessage message, TokenAmount maxFee, CancellationToken cancellationToken);

    /// <summary>Waits for the message to land with <paramref name="confidence"/> epochs on top (StateWaitMsg).</summary>
    Task<MsgLookup> WaitMessageAsync(Cid message, ulong confidence, CancellationToken cancellationToken);

    /// <summary>Where the message landed, or null when it is not on chain (StateSearchMsg).</summary>
    Task<MsgLookup?> SearchMessageAsync(Cid message, CancellationToken cancellationToken);

    /// <summary>The active sector's on-chain info at <paramref name="tipSet"/> (the head when null), or null.</summary>
    Task<SectorOnChainInfo?> SectorInfoAsync(ulong minerId, ulong sectorNumber, IReadOnlyList<Cid>? tipSet, CancellationToken cancellationToken);

    /// <summary>The deadline and partition holding the sector at the head, or null.</summary>
    Task<SectorPartitionLocation?> SectorPartitionAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken);

    /// <summary>The partitions of deadline <paramref name="deadline"/> at the head (StateMinerPartitions), in index order.</summary>
    Task<IReadOnlyList<Partition>> DeadlinePartitionsAsync(ulong minerId, int deadline, CancellationToken cancellationToken);

    /// <summary>
    /// The chain-commit randomness a Window PoSt names: ticket randomness for <c>PoStChainCommit</c> at
    /// <paramref name="epoch"/> with no entropy (Lotus storage/wdpost/wdpost_run.go runSubmitPoST).
    /// </summary>
    Task<byte[]> ChainCommitRandomnessAsync(long epoch, CancellationToken cancellationToken);

    /// <summary>
    /// The miner's mining base for <paramref name="round"/> on the tipset <paramref name="baseKey"/>
    /// (MinerGetBaseInfo); null when it has nothing eligible.
    /// </summary>
    Task<MiningBaseInfo?> MiningBaseInfoAsync(ulong minerId, long round, IReadOnlyList<Cid> baseKey, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this chain does not serve mining bases");

    /// <summary>A signature of <paramref name="data"/> by the wallet key <paramref name="signer"/> (WalletSign): the VRF of a ticket or an election.</summary>
    Task<Signature> SignAsync(Address signer, byte[] data, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this chain signs nothing");

    /// <summary>The pending messages for a block on <paramref name="baseKey"/> (MpoolSelect).</summary>
    Task<IReadOnlyList<SignedMessage>> SelectMessagesAsync(IReadOnlyList<Cid> baseKey, double ticketQuality, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this chain has no message pool");

    /// <summary>The block of <paramref name="template"/>, built and signed by the node (MinerCreateBlock).</summary>
    Task<BlockMsg> CreateBlockAsync(BlockTemplate template, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this chain creates no blocks");

    /// <summary>Publishes <paramref name="block"/> (SyncSubmitBlock).</summary>
    Task SubmitBlockAsync(BlockMsg block, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this chain takes no blocks");

    /// <summary>The beacon entry for <paramref name="epoch"/> (StateGetBeaconEntry).</summary>
    Task<BeaconEntry> BeaconEntryAsync(long epoch, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this chain has no beacon");
}
