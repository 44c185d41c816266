using System.Net;
using System.Text.Json;
using Kiln.Api.Auth;
using Kiln.Api.Chain;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;

namespace Kiln.Miner.Chain;

/// <summary>
/// The chain as a Lotus full node sees it (<c>FULLNODE_API_INFO</c>), over JSON-RPC v1: the head from
/// <c>ChainHead</c>, seal tickets from <c>StateGetRandomnessFromTickets</c>, interactive seeds and PoSt randomness
/// from <c>StateGetRandomnessFromBeacon</c> (each with the miner's ID address in CBOR as entropy), deadlines from
/// <c>StateMinerProvingDeadline</c> and the sectors to prove from <c>StateMinerPartitions</c>, each at the head
/// tipset's key, as Lotus's sealing pipeline and window PoSt scheduler ask for them.
/// Waiting for an epoch polls the head every <see cref="PollInterval"/>, riding out an unreachable node.
/// </summary>
public sealed partial class FullNodeChain : IChain
{
    private readonly IFullNodeApi _api;
    private readonly char _network;
    private readonly TimeProvider _time;
    private readonly ILogger<FullNodeChain> _logger;

    /// <summary>JSON-RPC's parse error: the client could not read the node's answer.</summary>
    private const int ParseError = -32700;

    /// <summary>The deadlines' sector sets at the last head they were read at (replaced whole, never mutated).</summary>
    private volatile Assignment? _assignment;

    /// <summary>The network's parameters, read once.</summary>
    private NetworkParams? _params;

    public FullNodeChain(IFullNodeApi api, Uri endpoint, char network, TimeSpan pollInterval, TimeProvider time, ILogger<FullNodeChain> logger)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        if (network is not ('t' or 'f'))
        {
            throw new ArgumentOutOfRangeException(nameof(network), network, "network prefix must be 't' or 'f'");
        }

        _api = api;
        Endpoint = endpoint;
        _network = network;
        PollInterval = pollInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>The node's RPC URL (<c>http://host:port/rpc/v1</c>).</summary>
    public Uri Endpoint { get; }

    public TimeSpan PollInterval { get; }

    /// <summary>
    /// A chain on the node <paramref name="apiInfo"/> names (<c>TOKEN:/ip4/127.0.0.1/tcp/1234/http</c>, as in
    /// <c>FULLNODE_API_INFO</c>; of a comma-separated list the first). Nothing is dialled until the first call.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="apiInfo"/> is not <c>[TOKEN:]MULTIADDR</c> or <c>[TOKEN:]URL</c>.</exception>
    public static FullNodeChain Connect(string apiInfo, char network, TimeSpan pollInterval, TimeProvider time, ILogger<FullNodeChain> logger, HttpClient? http = null)
    {
        var (endpoint, token) = ParseApiInfo(apiInfo);
        var rpc = RpcClient.Create(endpoint, new RpcClientOptions { Token = token, HttpClient = http, TimeProvider = time });
        return new FullNodeChain(rpc.CreateProxy<IFullNodeApi>(), endpoint, network, pollInterval, time, logger);
    }

    /// <summary>The HTTP endpoint (<c>/rpc/v1</c>) and token of a <c>FULLNODE_API_INFO</c> value.</summary>
    /// <exception cref="FormatException">Not an API info string.</exception>
    public static (Uri Endpoint, string? Token) ParseApiInfo(string apiInfo)
    {
        ArgumentNullException.ThrowIfNull(apiInfo);
        var first = apiInfo.Split(',', StringSplitOptions.TrimEntries)[0];
        try
        {
            var info = ApiInfo.Parse(first);
            var endpoint = info.HttpUrl("v1");
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
            {
                throw new FormatException($"scheme '{endpoint.Scheme}' is not http, https, ws or wss");
            }

            return (endpoint, info.Token);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException(
                $"{ApiInfo.FullNodeEnvironmentVariable} '{Redact(first)}' is not TOKEN:MULTIADDR (e.g. TOKEN:/ip4/127.0.0.1/tcp/1234/http) or TOKEN:URL: {e.Message}", e);
        }
    }

    /// <summary>The miner's ID address as the node reads it, e.g. <c>t01000</c>.</summary>
    public string MinerAddress(ulong minerId) => MinerIdAddress(minerId).ToString();

    /// <summary>The head tipset.</summary>
    public Task<TipSet> HeadAsync(CancellationToken cancellationToken) =>
        CallAsync("ChainHead", _api.ChainHeadAsync, cancellationToken);

    /// <summary>The miner's ID address on this network.</summary>
    public Address MinerIdAddress(ulong minerId) => Address.FromId(minerId, _network);

    /// <summary>The network's parameters (StateGetNetworkParams), read once and kept.</summary>
    public async Task<NetworkParams> NetworkParamsAsync(CancellationToken cancellationToken) =>
        _params ??= await CallAsync("StateGetNetworkParams", _api.StateGetNetworkParamsAsync, cancellationToken).ConfigureAwait(false)
            ?? throw new ChainException($"full node {Endpoint}: StateGetNetworkParams answered null", isRetryable: false);

    public async Task<MinerInfo> MinerInfoAsync(ulong minerId, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var info = await CallAsync("StateMinerInfo", c => _api.StateMinerInfoAsync(MinerIdAddress(minerId), head.Cids, c), cancellationToken).ConfigureAwait(false);
        if (info is null || !info.Worker.IsDefined)
        {
            throw new ChainException($"full node {Endpoint}: StateMinerInfo({MinerIdAddress(minerId)}) answered no worker address: is the miner actor on this network?", isRetryable: false);
        }

        return info;
    }

    public async Task<BitField> AllocatedSectorsAsync(ulong minerId, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return await CallAsync("StateMinerAllocated", c => _api.StateMinerAllocatedAsync(MinerIdAddress(minerId), head.Cids, c), cancellationToken).ConfigureAwait(false) ?? BitField.Empty;
    }

    public async Task<SectorPreCommitOnChainInfo?> PreCommitInfoAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return await CallAsync("StateSectorPreCommitInfo", c => _api.StateSectorPreCommitInfoAsync(MinerIdAddress(minerId), sectorNumber, head.Cids, c), cancellationToken).ConfigureAwait(false);
    }

    public async Task<TokenAmount> PreCommitDepositAsync(ulong minerId, SectorPreCommitInfo info, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return NonNegative("StateMinerPreCommitDepositForPower", await CallAsync("StateMinerPreCommitDepositForPower", c => _api.StateMinerPreCommitDepositForPowerAsync(MinerIdAddress(minerId), info, head.Cids, c), cancellationToken).ConfigureAwait(false));
    }

    public async Task<TokenAmount> InitialPledgeAsync(ulong minerId, SectorPreCommitInfo info, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return NonNegative("StateMinerInitialPledgeCollateral", await CallAsync("StateMinerInitialPledgeCollateral", c => _api.StateMinerInitialPledgeCollateralAsync(MinerIdAddress(minerId), info, head.Cids, c), cancellationToken).ConfigureAwait(false));
    }

    public async Task<TokenAmount> AvailableBalanceAsync(ulong minerId, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return await CallAsync("StateMinerAvailableBalance", c => _api.StateMinerAvailableBalanceAsync(MinerIdAddress(minerId), head.Cids, c), cancellationToken).ConfigureAwait(false);
    }

    public async Task<TokenAmount> WalletBalanceAsync(Address address, CancellationToken cancellationToken) =>
        NonNegative("WalletBalance", await CallAsync("WalletBalance", c => _api.WalletBalanceAsync(address, c), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// MpoolPushMessage with <c>MessageSendSpec{MaxFee}</c> (Lotus storage/pipeline/utils.go sendMsg): the node fills
    /// nonce and gas and signs with the sender's key. A refusal (e.g. not enough funds) is not retried here: it names
    /// the sender and the amount the message carries.
    /// </summary>
    public async Task<Cid> SendAsync(ChainMessage message, TokenAmount maxFee, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var spec = new MessageSendSpec { MaxFee = maxFee };
        SignedMessage? signed;
        try
        {
            signed = await CallAsync("MpoolPushMessage", c => _api.MpoolPushMessageAsync(message, spec, c), cancellationToken).ConfigureAwait(false);
        }
        catch (ChainException e) when (!e.IsRetryable)
        {
            throw new ChainException($"{e.Message} (from {message.From}, value {message.Value}, max fee {maxFee}, method {message.Method})", isRetryable: false, e);
        }

        if (signed is null || !signed.Cid.IsDefined)
        {
            throw new ChainException($"full node {Endpoint}: MpoolPushMessage answered no message CID", isRetryable: false);
        }

        return signed.Cid;
    }

    public async Task<MsgLookup> WaitMessageAsync(Cid message, ulong confidence, CancellationToken cancellationToken)
    {
        // Lotus api.LookbackNoLimit (-1) and allowReplaced as Lotus's sealing waits (states_sealing.go handlePreCommitWait).
        var lookup = await CallAsync("StateWaitMsg", c => _api.StateWaitMsgAsync(message, confidence, -1, true, c), cancellationToken).ConfigureAwait(false);
        return CheckLookup(lookup, message, "StateWaitMsg") ?? throw new ChainException($"full node {Endpoint}: StateWaitMsg({message}) answered null", isRetryable: true);
    }

    public async Task<MsgLookup?> SearchMessageAsync(Cid message, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return CheckLookup(await CallAsync("StateSearchMsg", c => _api.StateSearchMsgAsync(head.Cids, message, -1, true, c), cancellationToken).ConfigureAwait(false), message, "StateSearchMsg");
    }

    public async Task<SectorOnChainInfo?> SectorInfoAsync(ulong minerId, ulong sectorNumber, IReadOnlyList<Cid>? tipSet, CancellationToken cancellationToken)
    {
        var key = tipSet ?? (await HeadAsync(cancellationToken).ConfigureAwait(false)).Cids;
        var info = await CallAsync("StateSectorGetInfo", c => _api.StateSectorGetInfoAsync(MinerIdAddress(minerId), sectorNumber, key, c), cancellationToken).ConfigureAwait(false);
        if (info is not null && info.SectorNumber != sectorNumber)
        {
            throw new ChainException($"full node {Endpoint}: StateSectorGetInfo({sectorNumber}) answered sector {info.SectorNumber}", isRetryable: false);
        }

        return info;
    }

    public async Task<SectorPartitionLocation?> SectorPartitionAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var location = await CallAsync("StateSectorPartition", c => _api.StateSectorPartitionAsync(MinerIdAddress(minerId), sectorNumber, head.Cids, c), cancellationToken).ConfigureAwait(false);
        if (location is { Deadline: >= DeadlineInfo.PeriodDeadlines })
        {
            throw new ChainException($"full node {Endpoint}: StateSectorPartition({sectorNumber}) answered deadline {location.Deadline}, past the last ({DeadlineInfo.PeriodDeadlines - 1})", isRetryable: false);
        }

        return location;
    }

    /// <summary>A lookup of another message than asked, or with no tipset, is the node answering garbage.</summary>
    private MsgLookup? CheckLookup(MsgLookup? lookup, Cid message, string method)
    {
        if (lookup is null)
        {
            return null;
        }

        if (lookup.Receipt is null || lookup.TipSet is null || lookup.TipSet.Count == 0)
        {
            throw new ChainException($"full node {Endpoint}: {method}({message}) answered a lookup with no receipt or tipset", isRetryable: false);
        }

        return lookup;
    }

    private TokenAmount NonNegative(string method, TokenAmount amount) =>
        amount.Atto.Sign >= 0 ? amount : throw new ChainException($"full node {Endpoint}: {method} answered a negative amount ({amount.Atto} attoFIL)", isRetryable: false);

    public async Task<long> HeadEpochAsync(CancellationToken cancellationToken) =>
        (await HeadAsync(cancellationToken).ConfigureAwait(false)).Height;

    /// <summary>Polls the head until it reaches <paramref name="epoch"/>; while the node is unreachable, logs and keeps polling.</summary>
    public async Task WaitForEpochAsync(long epoch, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (await HeadEpochAsync(cancellationToken).ConfigureAwait(false) >= epoch)
                {
                    return;
                }
            }
            catch (ChainException e) when (e.IsRetryable)
            {
                Log.HeadUnavailable(_logger, Endpoint, e.Message);
            }

            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<DeadlineInfo> ProvingDeadlineAsync(ulong minerId, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var miner = MinerAddress(minerId);
        return await CallAsync("StateMinerProvingDeadline", c => _api.StateMinerProvingDeadlineAsync(miner, head.Cids, c), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A seal ticket as Lotus's sealing pipeline draws one: <c>StateGetRandomnessFromTickets(SealRandomness, head −
    /// SealRandomnessLookback, CBOR(miner address), head)</c>.
    /// </summary>
    public async Task<ChainRandomness> SealTicketAsync(ulong minerId, ulong sectorNumber, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var epoch = head.Height - ChainPolicy.SealRandomnessLookback;
        var entropy = IdAddressCbor(minerId);
        var ticket = await CallAsync("StateGetRandomnessFromTickets", c => _api.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.SealRandomness, epoch, entropy, head.Cids, c), cancellationToken).ConfigureAwait(false);
        return new ChainRandomness(
            ticket ?? throw new ChainException($"full node {Endpoint}: StateGetRandomnessFromTickets(SealRandomness, {epoch}) for sector {sectorNumber} answered null", isRetryable: false),
            epoch);
    }

    /// <summary>
    /// Waits until the head is <see cref="ChainPolicy.InteractivePoRepConfidence"/> epochs past the seed epoch
    /// (<paramref name="preCommitEpoch"/> + the network's PreCommitChallengeDelay), then draws
    /// <c>StateGetRandomnessFromBeacon(InteractiveSealChallengeSeed, seed epoch, CBOR(miner address), head)</c>.
    /// </summary>
    public async Task<ChainRandomness> InteractiveSeedAsync(ulong minerId, ulong sectorNumber, long preCommitEpoch, CancellationToken cancellationToken)
    {
        var epoch = preCommitEpoch + (await NetworkParamsAsync(cancellationToken).ConfigureAwait(false)).PreCommitChallengeDelay;
        await WaitForEpochAsync(epoch + ChainPolicy.InteractivePoRepConfidence, cancellationToken).ConfigureAwait(false);
        var seed = await RandomnessAsync(DomainSeparationTag.InteractiveSealChallengeSeed, minerId, epoch, cancellationToken).ConfigureAwait(false);
        return new ChainRandomness(seed, epoch);
    }

    /// <summary>Those of <paramref name="sectors"/> in the union over the deadline's partitions of <see cref="Partition.ToProve"/>.</summary>
    public async Task<IReadOnlyList<ulong>> DeadlineSectorsAsync(ulong minerId, DeadlineInfo deadline, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentNullException.ThrowIfNull(sectors);
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var partitions = await PartitionsAsync(minerId, deadline.Index, head, cancellationToken).ConfigureAwait(false);
        var toProve = partitions.Aggregate(BitField.Empty, (all, p) => all.Union(p.ToProve));
        return [.. sectors.Where(toProve.Contains)];
    }

    /// <summary>
    /// Each of <paramref name="sectors"/> at the deadline whose partitions hold it (<see cref="Partition.AllSectors"/>),
    /// from <c>StateMinerPartitions</c> of every deadline of the proving period at one head. The deadlines' sector sets
    /// are kept until the head moves, so a dashboard polling every few seconds asks the node once per epoch.
    /// </summary>
    public async Task<IReadOnlyDictionary<ulong, int>> SectorDeadlinesAsync(ulong minerId, IReadOnlyCollection<ulong> sectors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sectors);
        var assigned = new Dictionary<ulong, int>();
        if (sectors.Count == 0)
        {
            return assigned;
        }

        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var deadlines = _assignment is { } kept && kept.Miner == minerId && kept.Height == head.Height && kept.Head.SequenceEqual(head.Cids)
            ? kept.Deadlines
            : await ReadAssignmentAsync(minerId, head, cancellationToken).ConfigureAwait(false);
        for (var index = 0; index < deadlines.Count; index++)
        {
            foreach (var n in sectors.Where(deadlines[index].Contains))
            {
                assigned[n] = index;
            }
        }

        return assigned;
    }

    /// <summary>The sectors of every deadline at <paramref name="head"/>, kept as <see cref="_assignment"/>.</summary>
    private async Task<IReadOnlyList<BitField>> ReadAssignmentAsync(ulong minerId, TipSet head, CancellationToken cancellationToken)
    {
        var miner = MinerAddress(minerId);
        var current = await CallAsync("StateMinerProvingDeadline", c => _api.StateMinerProvingDeadlineAsync(miner, head.Cids, c), cancellationToken).ConfigureAwait(false);
        var deadlines = new BitField[current.WPoStPeriodDeadlines];
        for (var index = 0; index < deadlines.Length; index++)
        {
            deadlines[index] = (await PartitionsAsync(minerId, index, head, cancellationToken).ConfigureAwait(false)).Aggregate(BitField.Empty, (union, p) => union.Union(p.AllSectors));
        }

        _assignment = new Assignment(minerId, head.Height, head.Cids, deadlines);
        return deadlines;
    }

    private async Task<IReadOnlyList<Partition>> PartitionsAsync(ulong minerId, int deadline, TipSet head, CancellationToken cancellationToken)
    {
        var miner = MinerAddress(minerId);
        return await CallAsync("StateMinerPartitions", c => _api.StateMinerPartitionsAsync(miner, (ulong)deadline, head.Cids, c), cancellationToken).ConfigureAwait(false) ?? [];
    }

    public async Task<IReadOnlyList<Partition>> DeadlinePartitionsAsync(ulong minerId, int deadline, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deadline);
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        return await PartitionsAsync(minerId, deadline, head, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> ChainCommitRandomnessAsync(long epoch, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var randomness = await CallAsync("StateGetRandomnessFromTickets", c => _api.StateGetRandomnessFromTicketsAsync(DomainSeparationTag.PoStChainCommit, epoch, [], head.Cids, c), cancellationToken).ConfigureAwait(false);
        return randomness is { Length: 32 }
            ? randomness
            : throw new ChainException($"full node {Endpoint}: StateGetRandomnessFromTickets(PoStChainCommit, {epoch}) answered {randomness?.Length ?? 0} bytes, not 32", isRetryable: false);
    }

    public Task<byte[]> WindowPoStRandomnessAsync(ulong minerId, DeadlineInfo deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        return RandomnessAsync(DomainSeparationTag.WindowedPoStChallengeSeed, minerId, deadline.Challenge, cancellationToken);
    }

    public Task<byte[]> WinningPoStRandomnessAsync(ulong minerId, long epoch, CancellationToken cancellationToken) =>
        RandomnessAsync(DomainSeparationTag.WinningPoStChallengeSeed, minerId, epoch, cancellationToken);

    /// <summary>
    /// go-address <c>MarshalCBOR</c> of the ID address <c>f0{id}</c>: a CBOR byte string (major type 2) holding the
    /// protocol byte 0 and the id as unsigned LEB128; f01000 is <c>43 00 e8 07</c>.
    /// </summary>
    public static byte[] IdAddressCbor(ulong id) => Kiln.Api.Chain.Address.FromId(id).ToCbor();

    private async Task<byte[]> RandomnessAsync(DomainSeparationTag tag, ulong minerId, long epoch, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(cancellationToken).ConfigureAwait(false);
        var entropy = IdAddressCbor(minerId);
        var randomness = await CallAsync("StateGetRandomnessFromBeacon", c => _api.StateGetRandomnessFromBeaconAsync(tag, epoch, entropy, head.Cids, c), cancellationToken).ConfigureAwait(false);
        return randomness ?? throw new ChainException($"full node {Endpoint}: StateGetRandomnessFromBeacon({tag}, {epoch}) answered null", isRetryable: false);
    }

    /// <summary>One RPC call, its failures turned into <see cref="ChainException"/>s that name the node and the method.</summary>
    private async Task<T> CallAsync<T>(string method, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.IsConnectionError)
        {
            throw new ChainException($"full node {Endpoint}: {method}: connection lost: {e.Message}", isRetryable: true, e);
        }
        catch (RpcException e) when (e.Code == ParseError)
        {
            throw new ChainException($"full node {Endpoint}: {method} answered JSON Kiln cannot read: {e.Message}", isRetryable: false, e);
        }
        catch (RpcException e)
        {
            throw new ChainException($"full node {Endpoint}: {method} failed: {e.Message} (JSON-RPC error {e.Code})", isRetryable: false, e);
        }
        catch (HttpRequestException e) when (e.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ChainException($"full node {Endpoint}: {method}: the node rejected the token ({(int)e.StatusCode}); check the token in {ApiInfo.FullNodeEnvironmentVariable}", isRetryable: false, e);
        }
        catch (HttpRequestException e)
        {
            throw new ChainException($"full node {Endpoint} unreachable: {method}: {e.Message}", isRetryable: e.StatusCode is null or >= HttpStatusCode.InternalServerError, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChainException($"full node {Endpoint}: {method} timed out", isRetryable: true, e);
        }
        catch (JsonException e)
        {
            throw new ChainException($"full node {Endpoint}: {method} answered JSON Kiln cannot read: {e.Message}", isRetryable: false, e);
        }
    }

    /// <summary>The API info with its token cut short, for error messages.</summary>
    private static string Redact(string apiInfo)
    {
        var info = ApiInfo.Parse(apiInfo);
        return info.Token is { Length: > 8 } token ? token[..4] + "…:" + info.Address : apiInfo;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6300, EventName = "ChainHeadUnavailable", Level = LogLevel.Warning, Message = "full node {Endpoint}: no chain head, polling again: {Reason}")]
        public static partial void HeadUnavailable(ILogger logger, Uri endpoint, string reason);
    }

    private sealed record Assignment(ulong Miner, long Height, IReadOnlyList<Cid> Head, IReadOnlyList<BitField> Deadlines);

    public async Task<MiningBaseInfo?> MiningBaseInfoAsync(ulong minerId, long round, IReadOnlyList<Cid> baseKey, CancellationToken cancellationToken)
    {
        var info = await CallAsync("MinerGetBaseInfo", c => _api.MinerGetBaseInfoAsync(MinerIdAddress(minerId), round, baseKey, c), cancellationToken).ConfigureAwait(false);
        if (info is { EligibleForMining: true } && (info.MinerPower.Sign < 0 || info.NetworkPower.Sign <= 0))
        {
            throw new ChainException($"full node {Endpoint}: MinerGetBaseInfo({MinerIdAddress(minerId)}, {round}) answered miner power {info.MinerPower} of network power {info.NetworkPower}", isRetryable: false);
        }

        return info;
    }

    public async Task<Signature> SignAsync(Address signer, byte[] data, CancellationToken cancellationToken) =>
        await CallAsync("WalletSign", c => _api.WalletSignAsync(signer, data, c), cancellationToken).ConfigureAwait(false)
            ?? throw new ChainException($"full node {Endpoint}: WalletSign({signer}) answered no signature", isRetryable: false);

    public async Task<IReadOnlyList<SignedMessage>> SelectMessagesAsync(IReadOnlyList<Cid> baseKey, double ticketQuality, CancellationToken cancellationToken) =>
        await CallAsync("MpoolSelect", c => _api.MpoolSelectAsync(baseKey, ticketQuality, c), cancellationToken).ConfigureAwait(false) ?? [];

    public async Task<BlockMsg> CreateBlockAsync(BlockTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var block = await CallAsync("MinerCreateBlock", c => _api.MinerCreateBlockAsync(template, c), cancellationToken).ConfigureAwait(false);
        if (block?.Header is null || block.Header.Height != template.Epoch)
        {
            throw new ChainException($"full node {Endpoint}: MinerCreateBlock for epoch {template.Epoch} answered a block at height {block?.Header?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}", isRetryable: false);
        }

        return block;
    }

    public Task SubmitBlockAsync(BlockMsg block, CancellationToken cancellationToken) =>
        CallAsync("SyncSubmitBlock", async c =>
        {
            await _api.SyncSubmitBlockAsync(block, c).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<BeaconEntry> BeaconEntryAsync(long epoch, CancellationToken cancellationToken) =>
        await CallAsync("StateGetBeaconEntry", c => _api.StateGetBeaconEntryAsync(epoch, c), cancellationToken).ConfigureAwait(false)
            ?? throw new ChainException($"full node {Endpoint}: StateGetBeaconEntry({epoch}) answered null", isRetryable: true);
}
