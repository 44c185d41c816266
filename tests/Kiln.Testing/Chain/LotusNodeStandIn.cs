using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Kiln.Testing.Chain.Cbor;
using Microsoft.AspNetCore.Builder;

namespace Kiln.Testing.Chain;

/// <summary>
/// A stateful stand-in Lotus full node on a loopback Kestrel port: JSON-RPC 2.0 at <c>POST /rpc/v1</c> (bearer token
/// checked) answering the methods of Lotus api/api_full.go that sealing and proving call, shaped as Lotus's
/// build/openrpc/full.json examples. It keeps a chain whose head the test advances (<see cref="MineAsync"/>,
/// <see cref="StartMining"/>); pushed messages get the sender's next nonce, are included in the next mined tipset
/// and executed there against a small miner-actor model (pre-commits, activations, deadlines and partitions).
/// Messages to the miner are decoded with its own strict CBOR decoder (not Kiln's), so it checks Kiln's encoder.
/// Fault knobs: <see cref="SetDownAsync"/>, <see cref="FailNext"/>, <see cref="Reorg"/>, <see cref="Garbage"/>,
/// <see cref="Lag"/>, and wallet balances (<see cref="SetWalletBalance"/>).
/// </summary>
public sealed partial class LotusNodeStandIn : IAsyncDisposable
{
    public const string Token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJBbGxvdyI6WyJyZWFkIiwid3JpdGUiLCJzaWduIl19.lotus-stand-in";

    /// <summary>go-state-types exitcode.ErrIllegalArgument.</summary>
    public const long ErrIllegalArgument = 16;

    /// <summary>go-state-types exitcode.ErrForbidden.</summary>
    public const long ErrForbidden = 18;

    /// <summary>go-state-types exitcode.ErrInsufficientFunds.</summary>
    public const long ErrInsufficientFunds = 19;

    private readonly Lock _lock = new();
    private readonly Dictionary<long, int> _generation = [];
    private readonly List<MessageState> _mempool = [];
    private readonly Dictionary<string, MessageState> _messages = [];
    private readonly Dictionary<string, ulong> _nonces = [];
    private readonly SortedDictionary<ulong, PreCommitState> _preCommits = [];
    private readonly SortedDictionary<ulong, ActiveSector> _sectors = [];
    private readonly SortedSet<ulong> _allocated = [];
    private readonly Dictionary<ulong, byte[]> _keyById = [];
    private readonly Dictionary<string, BigInteger> _balances = [];
    private readonly Dictionary<ulong, long> _failNext = [];
    private readonly ConcurrentDictionary<string, GarbageKind> _garbage = new();
    private readonly ConcurrentQueue<PushedMessage> _pushed = new();
    private readonly ConcurrentQueue<DecodedPreCommitBatch> _preCommitBatches = new();
    private readonly ConcurrentQueue<DecodedProveCommit> _proveCommits = new();
    private readonly ConcurrentQueue<RandomnessDraw> _draws = new();
    private readonly ConcurrentQueue<string> _rejections = new();
    private readonly ConcurrentQueue<(string Method, JsonElement Params)> _calls = new();
    private readonly List<ulong> _controlIds = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _serving = new();
    private WebApplication? _app;
    private ITimer? _miningTimer;
    private long _head;
    private BigInteger _available = BigInteger.Parse("10000000000000000000", CultureInfo.InvariantCulture);
    private int _activeWaits;

    private LotusNodeStandIn(long startHeight, char network, bool blsWorker)
    {
        _head = startHeight;
        Network = network;
        // Key addresses: a BLS (protocol 3, 48-byte key) or secp256k1 (protocol 1, 20-byte hash) worker, a secp256k1 owner; test keys, never verified.
        WorkerKey = blsWorker ? AddressText.ToText([3, .. Synthetic("worker", 48)], network) : AddressText.ToText([1, .. Synthetic("worker", 20)], network);
        OwnerKey = AddressText.ToText([1, .. Synthetic("owner", 20)], network);
        _keyById[WorkerId] = AddressText.ToBytes(WorkerKey);
        _keyById[OwnerId] = AddressText.ToBytes(OwnerKey);
        _balances[Hex(AddressText.ToBytes(WorkerKey))] = BigInteger.Parse("100000000000000000000", CultureInfo.InvariantCulture);
    }

    /// <summary>The address network letter: 'f' (mainnet) or 't' (test networks).</summary>
    public char Network { get; }

    /// <summary>The miner actor's ID.</summary>
    public ulong MinerId { get; } = 1000;

    public ulong OwnerId { get; } = 1001;

    public ulong WorkerId { get; } = 1002;

    /// <summary>The miner's ID address text (<c>f01000</c>).</summary>
    public string Miner => AddressText.IdText(MinerId, Network);

    /// <summary>The worker's ID address text.</summary>
    public string Worker => AddressText.IdText(WorkerId, Network);

    /// <summary>The worker's BLS key address text (the signer; what a pushed message's From resolves to).</summary>
    public string WorkerKey { get; }

    public string OwnerKey { get; }

    /// <summary>The miner's seal proof (go-state-types abi.RegisteredSealProof); 5 = StackedDrg2KiBV1_1. Sets SectorSize and partition size.</summary>
    public long SealProofType { get; set; } = 5;

    /// <summary>Lotus build PreCommitChallengeDelay (10 in the 2k devnet build params).</summary>
    public long PreCommitChallengeDelay { get; set; } = 10;

    public uint NetworkVersion { get; set; } = 25;

    public long BlockDelaySecs { get; set; } = 4;

    /// <summary>Miner policy WPoStChallengeWindow (mainnet 60); the proving period is 48 windows.</summary>
    public long WPoStChallengeWindow { get; set; } = 60;

    /// <summary>The proving period's offset: periods start at epochs ≡ this modulo the period.</summary>
    public long ProvingPeriodOffset { get; set; }

    /// <summary>What StateMinerPreCommitDepositForPower answers, per sector; each pre-commit locks it.</summary>
    public BigInteger PreCommitDepositPerSector { get; set; } = 1_000_000_000_000_000;

    /// <summary>What StateMinerInitialPledgeCollateral answers, per sector; each activation locks it.</summary>
    public BigInteger InitialPledgePerSector { get; set; } = 2_000_000_000_000_000;

    /// <summary>The miner actor's available balance (grows by message values, shrinks by deposits and pledges).</summary>
    public BigInteger MinerAvailableBalance
    {
        get
        {
            lock (_lock)
            {
                return _available;
            }
        }

        set
        {
            lock (_lock)
            {
                _available = value;
            }
        }
    }

    /// <summary>The base fee the gas estimate builds the fee cap on, attoFIL per gas unit.</summary>
    public BigInteger BaseFee { get; set; } = 100;

    /// <summary>While true, the head stops advancing: <see cref="MineAsync"/> and the mining timer do nothing.</summary>
    public bool Lag { get; set; }

    public int Port { get; private set; }

    /// <summary><c>FULLNODE_API_INFO</c> / <c>--fullnode-api-info</c> for this node.</summary>
    public string ApiInfo => Token + ":/ip4/127.0.0.1/tcp/" + Port.ToString(CultureInfo.InvariantCulture) + "/http";

    /// <summary>The RPC endpoint.</summary>
    public Uri Endpoint => new("http://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + "/rpc/v1");

    public long Height
    {
        get
        {
            lock (_lock)
            {
                return _head;
            }
        }
    }

    public bool IsDown { get; private set; }

    /// <summary>StateWaitMsg calls blocked right now.</summary>
    public int ActiveWaits => Volatile.Read(ref _activeWaits);

    /// <summary>Every call (method, params), in arrival order.</summary>
    public IReadOnlyCollection<(string Method, JsonElement Params)> Calls => _calls;

    /// <summary>Every message MpoolPushMessage accepted.</summary>
    public IReadOnlyCollection<PushedMessage> Pushed => _pushed;

    public IReadOnlyCollection<DecodedPreCommitBatch> PreCommitBatches => _preCommitBatches;

    public IReadOnlyCollection<DecodedProveCommit> ProveCommits => _proveCommits;

    public IReadOnlyCollection<RandomnessDraw> Draws => _draws;

    /// <summary>Why pushes were refused (malformed params, funds, unknown sender), one line each.</summary>
    public IReadOnlyCollection<string> Rejections => _rejections;

    /// <summary>
    /// Starts the node on a free loopback port with its head at <paramref name="startHeight"/>; the worker's key is BLS
    /// (f3/t3) when <paramref name="blsWorker"/>, else secp256k1 (f1/t1).
    /// </summary>
    public static async Task<LotusNodeStandIn> StartAsync(long startHeight = 1000, char network = 'f', bool blsWorker = true)
    {
        if (network is not ('f' or 't'))
        {
            throw new ArgumentOutOfRangeException(nameof(network), "the network letter is f or t");
        }

        var node = new LotusNodeStandIn(startHeight, network, blsWorker);
        await node.ListenAsync();
        return node;
    }

    /// <summary>Adds a control address (a secp256k1 key with an ID); returns its ID address text and key address text.</summary>
    public (string Id, string Key) AddControlAddress()
    {
        lock (_lock)
        {
            var id = WorkerId + 1 + (ulong)_controlIds.Count;
            var key = AddressText.ToText([1, .. Synthetic("control" + id.ToString(CultureInfo.InvariantCulture), 20)], Network);
            _keyById[id] = AddressText.ToBytes(key);
            _controlIds.Add(id);
            return (AddressText.IdText(id, Network), key);
        }
    }

    /// <summary>Marks sector numbers allocated in the miner actor, as sectors an earlier installation pre-committed would be.</summary>
    public void Allocate(params ulong[] numbers)
    {
        lock (_lock)
        {
            foreach (var n in numbers)
            {
                _allocated.Add(n);
            }
        }
    }

    /// <summary>Sets an address's wallet balance (attoFIL); an ID address sets its key address's.</summary>
    public void SetWalletBalance(string address, BigInteger atto)
    {
        lock (_lock)
        {
            _balances[Hex(ResolveKeyLocked(AddressText.ToBytes(address)) ?? AddressText.ToBytes(address))] = atto;
            Pulse();
        }
    }

    public BigInteger WalletBalanceOf(string address)
    {
        lock (_lock)
        {
            return BalanceLocked(AddressText.ToBytes(address));
        }
    }

    /// <summary>Advances the head by <paramref name="epochs"/>, including and executing pending messages in the first new tipset. Does nothing while <see cref="Lag"/>.</summary>
    public Task MineAsync(int epochs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        lock (_lock)
        {
            if (Lag)
            {
                return Task.CompletedTask;
            }

            for (var i = 0; i < epochs; i++)
            {
                _head++;
                _generation.Remove(_head);
                var batch = _mempool.ToList();
                _mempool.Clear();
                foreach (var message in batch)
                {
                    ExecuteLocked(message, _head);
                }
            }

            Pulse();
        }

        return Task.CompletedTask;
    }

    /// <summary>Mines one tipset every <paramref name="blockTime"/> of <paramref name="time"/> (the system clock when null).</summary>
    public void StartMining(TimeSpan blockTime, TimeProvider? time = null)
    {
        StopMining();
        _miningTimer = (time ?? TimeProvider.System).CreateTimer(_ => _ = MineAsync(1), null, blockTime, blockTime);
    }

    public void StopMining()
    {
        _miningTimer?.Dispose();
        _miningTimer = null;
    }

    /// <summary>The next executed message with method number <paramref name="method"/> gets <paramref name="exitCode"/> in its receipt and changes nothing.</summary>
    public void FailNext(ulong method, long exitCode)
    {
        lock (_lock)
        {
            _failNext[method] = exitCode;
        }
    }

    /// <summary>
    /// Undoes the inclusion of <paramref name="messageCid"/>: its tipset and those after it get new keys, StateSearchMsg
    /// answers null, and its pre-commits, allocations and activations are removed (activated sectors go back to
    /// pre-committed). With <paramref name="reinclude"/> the message goes back to the mempool and lands in the next mined tipset.
    /// </summary>
    public void Reorg(string messageCid, bool reinclude = false)
    {
        lock (_lock)
        {
            if (!_messages.TryGetValue(messageCid, out var message) || message.IncludedAt is not { } height)
            {
                throw new InvalidOperationException($"message {messageCid} is not on chain");
            }

            UndoLocked(message);
            for (var h = height; h <= _head; h++)
            {
                _generation[h] = _generation.GetValueOrDefault(h) + 1;
            }

            if (reinclude)
            {
                _mempool.Add(message);
            }

            Pulse();
        }
    }

    /// <summary>Makes <paramref name="method"/> (e.g. <c>Filecoin.ChainHead</c>) answer garbage of <paramref name="kind"/> until <see cref="ClearGarbage"/>.</summary>
    public void Garbage(string method, GarbageKind kind = GarbageKind.MalformedJson) => _garbage[method] = kind;

    public void ClearGarbage(string method) => _garbage.TryRemove(method, out _);

    /// <summary>
    /// Takes the node down (the listener closes: connections are refused and open long-polls are cut, as when a
    /// Lotus node stops) or brings it back on the same port with its chain intact.
    /// </summary>
    public async Task SetDownAsync(bool down)
    {
        if (down == IsDown)
        {
            return;
        }

        if (down)
        {
            IsDown = true;
            await StopListeningAsync();
        }
        else
        {
            await ListenAsync();
            IsDown = false;
        }
    }

    /// <summary>
    /// The receipt of an included message: exit code, return bytes, the height of the tipset that included it (the
    /// epoch it executed at; StateWaitMsg's lookup names the next tipset), and the actor's reason for a failure.
    /// </summary>
    public (long ExitCode, byte[]? Return, long Height, string? Reason)? ReceiptOf(string messageCid)
    {
        lock (_lock)
        {
            return _messages.TryGetValue(messageCid, out var m) && m.IncludedAt is { } h ? (m.ExitCode, m.Return, h, m.Reason) : null;
        }
    }

    /// <summary>A pre-committed sector's epoch and seal random epoch, or null.</summary>
    public (long PreCommitEpoch, long SealRandEpoch, string SealedCid)? PreCommitOf(ulong number)
    {
        lock (_lock)
        {
            return _preCommits.TryGetValue(number, out var p) ? (p.Epoch, p.Info.SealRandEpoch, p.Info.SealedCidText) : null;
        }
    }

    /// <summary>An active sector's activation epoch, deadline and partition, or null.</summary>
    public (long Activation, ulong Deadline, ulong Partition)? SectorOf(ulong number)
    {
        lock (_lock)
        {
            return _sectors.TryGetValue(number, out var s) ? (s.Activation, s.Deadline, s.Partition) : null;
        }
    }

    /// <summary>Completes when <paramref name="condition"/> holds, re-checked at every change of the node's state.</summary>
    public async Task WaitUntilAsync(Func<LotusNodeStandIn, bool> condition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(condition);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            await changed.WaitAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        StopMining();
        if (!IsDown)
        {
            await StopListeningAsync();
        }
    }

    /// <summary>Wakes every waiter; called with the lock held after each state change.</summary>
    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    /// <summary>The synthetic block CID that is the tipset key at <paramref name="height"/> (changes when a reorg replaces it).</summary>
    private string TipSetKeyLocked(long height) =>
        CidText.Encode(CidText.OfDagCbor(new TupleCborWriter().Array(3).Text("kiln-lotus-stand-in block").Int(height).UInt((ulong)_generation.GetValueOrDefault(height)).ToArray()));

    private byte[]? ResolveKeyLocked(byte[] address) =>
        AddressText.IdOf(address) is { } id ? _keyById.GetValueOrDefault(id) : address;

    private ulong? ResolveIdLocked(byte[] address)
    {
        if (AddressText.IdOf(address) is { } id)
        {
            return id;
        }

        foreach (var (id2, key) in _keyById)
        {
            if (key.AsSpan().SequenceEqual(address))
            {
                return id2;
            }
        }

        return null;
    }

    private BigInteger BalanceLocked(byte[] address) =>
        _balances.GetValueOrDefault(Hex(ResolveKeyLocked(address) ?? address));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static byte[] Synthetic(string label, int length)
    {
        return Blake2bHash.Hash(System.Text.Encoding.UTF8.GetBytes("kiln-lotus-stand-in " + label), length);
    }
}
