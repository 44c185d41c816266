using Kiln.Api.Chain;
using System.Net.Sockets;
using System.Threading.Channels;
using Kiln.Api.Types;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Tests.Chain;

/// <summary>
/// An in-process <see cref="IFullNodeApi"/>: a head at <see cref="Height"/>, fixed ticket and beacon randomness, and a
/// switch that makes every call fail as an unreachable node does (connection refused). Reports every call.
/// </summary>
internal sealed class ScriptedFullNodeApi : IFullNodeApi
{
    private long _height = 5000;
    private volatile bool _down;

    /// <summary>Every call by method name, as it is made.</summary>
    public Channel<string> Calls { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Every randomness request: method, tag, epoch, entropy.</summary>
    public Channel<(string Method, DomainSeparationTag Tag, long Epoch, byte[] Entropy)> Draws { get; } = Channel.CreateUnbounded<(string, DomainSeparationTag, long, byte[])>();

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public long Height
    {
        get => Interlocked.Read(ref _height);
        set => Interlocked.Exchange(ref _height, value);
    }

    public byte[] Ticket { get; } = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i))];

    public byte[] Beacon { get; } = [.. Enumerable.Range(0, 32).Select(i => (byte)(0x10 + i))];

    public Task<TipSet> ChainHeadAsync(CancellationToken ct)
    {
        Answerable("ChainHead");
        return Task.FromResult(new TipSet([Cid.Parse(FakeFullNode.HeadCid)], [], Height));
    }

    public Task<DeadlineInfo> StateMinerProvingDeadlineAsync(string miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        Answerable("StateMinerProvingDeadline");
        return Task.FromResult(DeadlineInfo.At(Height));
    }

    public Task<IReadOnlyList<Partition>> StateMinerPartitionsAsync(string miner, ulong deadline, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        Answerable("StateMinerPartitions");
        return Task.FromResult<IReadOnlyList<Partition>>([]);
    }

    public Task<byte[]> StateGetRandomnessFromTicketsAsync(DomainSeparationTag tag, long epoch, byte[] entropy, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        Answerable("StateGetRandomnessFromTickets");
        Draws.Writer.TryWrite(("StateGetRandomnessFromTickets", tag, epoch, entropy));
        return Task.FromResult(Ticket);
    }

    public Task<byte[]> StateGetRandomnessFromBeaconAsync(DomainSeparationTag tag, long epoch, byte[] entropy, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        Answerable("StateGetRandomnessFromBeacon");
        Draws.Writer.TryWrite(("StateGetRandomnessFromBeacon", tag, epoch, entropy));
        return Task.FromResult(Beacon);
    }

    private void Answerable(string method)
    {
        Calls.Writer.TryWrite(method);
        if (Down)
        {
            throw new HttpRequestException("Connection refused (127.0.0.1:1234)", new SocketException((int)SocketError.ConnectionRefused));
        }
    }

    /// <summary>Pre-commits on chain by sector number (StateSectorPreCommitInfo answers null for the others).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<ulong, SectorPreCommitOnChainInfo> PreCommits { get; } = new();

    public Task<NetworkParams> StateGetNetworkParamsAsync(CancellationToken ct)
    {
        Answerable("StateGetNetworkParams");
        return Task.FromResult(new NetworkParams { NetworkName = "mainnet", BlockDelaySecs = 30, PreCommitChallengeDelay = 150 });
    }

    public Task<uint> StateNetworkVersionAsync(IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<TipSet> ChainGetTipSetByHeightAsync(long epoch, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<MinerInfo> StateMinerInfoAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<BitField?> StateMinerAllocatedAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        Answerable("StateMinerAllocated");
        return Task.FromResult<BitField?>(BitField.FromSet(PreCommits.Keys));
    }

    public Task<bool> StateMinerSectorAllocatedAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfoAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        Answerable("StateSectorPreCommitInfo");
        return Task.FromResult(PreCommits.GetValueOrDefault(number));
    }

    public Task<TokenAmount> StateMinerPreCommitDepositForPowerAsync(Address miner, SectorPreCommitInfo info, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<TokenAmount> StateMinerInitialPledgeCollateralAsync(Address miner, SectorPreCommitInfo info, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<TokenAmount> StateMinerAvailableBalanceAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<TokenAmount> WalletBalanceAsync(Address address, CancellationToken ct) => throw new NotSupportedException();

    public Task<Address> StateLookupIDAsync(Address address, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<SignedMessage> MpoolPushMessageAsync(ChainMessage message, MessageSendSpec? spec, CancellationToken ct) => throw new NotSupportedException();

    public Task<MsgLookup> StateWaitMsgAsync(Cid message, ulong confidence, long limit, bool allowReplaced, CancellationToken ct) => throw new NotSupportedException();

    public Task<MsgLookup?> StateSearchMsgAsync(IReadOnlyList<Cid> tipSetKey, Cid message, long limit, bool allowReplaced, CancellationToken ct) => throw new NotSupportedException();

    public Task<SectorOnChainInfo?> StateSectorGetInfoAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<SectorPartitionLocation?> StateSectorPartitionAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<MiningBaseInfo?> MinerGetBaseInfoAsync(Address miner, long epoch, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) => throw new NotSupportedException();

    public Task<BlockMsg> MinerCreateBlockAsync(BlockTemplate template, CancellationToken ct) => throw new NotSupportedException();

    public Task SyncSubmitBlockAsync(BlockMsg block, CancellationToken ct) => throw new NotSupportedException();

    public Task<IReadOnlyList<SignedMessage>> MpoolSelectAsync(IReadOnlyList<Cid> tipSetKey, double ticketQuality, CancellationToken ct) => throw new NotSupportedException();

    public Task<Signature> WalletSignAsync(Address address, byte[] data, CancellationToken ct) => throw new NotSupportedException();

    public Task<BeaconEntry> StateGetBeaconEntryAsync(long epoch, CancellationToken ct) => throw new NotSupportedException();
}
