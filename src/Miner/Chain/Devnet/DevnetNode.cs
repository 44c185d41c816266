using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Kiln.Api.Chain;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>
/// The devnet chain: a small chain inside the miner's process that answers the full-node calls of
/// <see cref="IFullNodeApi"/> as a Lotus node does, so the miner runs <see cref="FullNodeChain"/> over it exactly as
/// over a real node. Epochs of <see cref="DevnetNodeOptions.EpochDuration"/> count from a genesis on the injected
/// <see cref="TimeProvider"/>; ticket and beacon randomness are derived from the devnet seed, the tag, the epoch and
/// the entropy, so a draw never changes and a devnet run is reproducible. One miner actor lives on it: pushed
/// messages are included at the next epoch and executed there, <c>PreCommitSectorBatch2</c> and
/// <c>ProveCommitSectors3</c> decoded with Kiln's decoders and checked as builtin-actors' miner actor checks them
/// (numbers, randomness epochs, expiration bounds, funds, the challenge delay), active sectors assigned to deadlines
/// and partitions as builtin-actors assigns them, and each deadline's end processed as the actor's cron processes it
/// (partitions without a Window PoSt faulted). The state lives in <see cref="DevnetNodeOptions.StatePath"/>, so a
/// restarted miner finds its pre-commits and sectors and the epochs keep counting.
/// </summary>
/// <remarks>
/// The devnet verifies no SNARK: seal proofs, aggregates and signatures are accepted as they come. Its chain never
/// reorganises, has no other miners, no market and no verified registry, and gas is estimated but never charged.
/// </remarks>
public sealed partial class DevnetNode : IFullNodeApi
{
    /// <summary>The name of the state file in a miner repo.</summary>
    public const string StateFileName = "devnet-chain.json";

    /// <summary>The network version the devnet runs (go-state-types network.Version28, Lotus's 2k devnet genesis version).</summary>
    public const uint NetworkVersion = 28;

    /// <summary>The endpoint a <see cref="FullNodeChain"/> over the devnet names in its messages.</summary>
    public static readonly Uri Endpoint = new("devnet:in-process");

    private readonly DevnetNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DevnetNode> _logger;
    private readonly Lock _lock = new();
    private readonly DevnetState _state;
    private readonly byte[] _keyPrefix;

    /// <summary>
    /// The devnet chain of <paramref name="options"/>: loaded from <see cref="DevnetNodeOptions.StatePath"/> when that
    /// file exists (its genesis, messages and sectors), else a new chain whose genesis is now.
    /// </summary>
    /// <exception cref="InvalidDataException">The state file cannot be read or belongs to another miner.</exception>
    public DevnetNode(DevnetNodeOptions options, TimeProvider time, ILogger<DevnetNode> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.EpochDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PreCommitChallengeDelay);
        _options = options;
        _time = time;
        _logger = logger;
        _keyPrefix = SHA256.HashData(Encoding.UTF8.GetBytes(options.Seed + "/tipset"))[..8];
        PartitionSectors = (ulong)PoStProofInfo.ForSectorSize(options.SectorSize, PoStType.Window).SectorsPerPartition;
        var loaded = options.StatePath is { } path ? DevnetState.Load(path) : null;
        if (loaded is not null && loaded.MinerId != options.MinerId)
        {
            throw new InvalidDataException($"devnet chain state {options.StatePath} holds miner f0{loaded.MinerId}, not f0{options.MinerId}; move it away to start a new devnet chain");
        }

        _state = loaded ?? NewState(options, time.GetUtcNow());
        Genesis = DateTimeOffset.FromUnixTimeMilliseconds(_state.GenesisUnixMilliseconds);
        if (loaded is null || _state.DeadlinesClosedThrough is null)
        {
            // A new chain has closed no deadline; an older state file's past deadlines are left as they were.
            _state.DeadlinesClosedThrough ??= CurrentEpoch;
            Save();
        }

        Log.Started(
            _logger,
            options.StatePath ?? "memory",
            Genesis,
            options.EpochDuration,
            MinerText,
            options.PreCommitChallengeDelay,
            _state.Sectors.Count,
            _state.PreCommits.Count);
    }

    /// <summary>When epoch 0 began.</summary>
    public DateTimeOffset Genesis { get; }

    /// <summary>The epoch the clock is in now.</summary>
    public long CurrentEpoch => Math.Max(0, (_time.GetUtcNow() - Genesis).Ticks / _options.EpochDuration.Ticks);

    /// <summary>The length of one epoch.</summary>
    public TimeSpan EpochDuration => _options.EpochDuration;

    /// <summary>Epochs after a pre-commit before its seed can be drawn and it can be proven.</summary>
    public long PreCommitChallengeDelay => _options.PreCommitChallengeDelay;

    /// <summary>Proving periods start at epochs congruent to this modulo the proving period.</summary>
    public long PeriodOffset => _options.PeriodOffset;

    /// <summary>Sectors per Window PoSt partition (go-state-types WindowPoStPartitionSectors of the miner's proof).</summary>
    public ulong PartitionSectors { get; }

    /// <summary>The miner actor's ID address.</summary>
    public Address MinerAddress => Address.FromId(_options.MinerId, _options.Network);

    /// <summary>The worker's ID address: the sender of the miner's messages.</summary>
    public Address WorkerAddress => Address.FromId(_options.WorkerId, _options.Network);

    /// <summary>The owner's ID address.</summary>
    public Address OwnerAddress => Address.FromId(_options.OwnerId, _options.Network);

    /// <summary>The synthetic tipset key of the tipset at <paramref name="height"/>: one identity CID naming the devnet and the height.</summary>
    public IReadOnlyList<Cid> TipSetKey(long height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var bytes = new byte[4 + 16];
        bytes[0] = 0x01; // CIDv1
        bytes[1] = 0x71; // dag-cbor
        bytes[2] = 0x00; // identity multihash
        bytes[3] = 16;
        _keyPrefix.CopyTo(bytes, 4);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(12), height);
        return [Cid.FromBytes(bytes)];
    }

    /// <summary>
    /// Genesis-active sectors, as lotus-seed pre-seal puts them in a devnet's genesis: allocated, active since their
    /// activation epoch (the current epoch, 0 at genesis) and assigned to <paramref name="deadline"/> when given (filling
    /// its partitions in order), else to deadlines as activation assigns them. For proving tests that need sectors on
    /// chain without sealing them through messages.
    /// </summary>
    /// <exception cref="ArgumentException">A number is already allocated, or the deadline is out of range.</exception>
    public void Preseal(IEnumerable<ulong> numbers, Cid sealedCid, int? deadline = null)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (deadline is < 0 or >= DeadlineInfo.PeriodDeadlines)
        {
            throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "a deadline index is 0 to 47");
        }

        lock (_lock)
        {
            Advance();
            var epoch = CurrentEpoch;
            var list = numbers.ToList();
            foreach (var n in list)
            {
                if (_state.Allocated.Contains(n) || list.Count(x => x == n) > 1)
                {
                    throw new ArgumentException($"sector {n} is already allocated on the devnet chain", nameof(numbers));
                }
            }

            foreach (var n in list)
            {
                _state.Allocated.Add(n);
                var dl = deadline ?? ChooseDeadline(epoch);
                _state.Sectors[n] = new DevnetState.SectorEntry
                {
                    SealProof = (long)_options.SealProof,
                    SealedCid = sealedCid.ToString(),
                    Activation = epoch,
                    Expiration = epoch + ActorPolicy.MinSectorExpiration + ActorPolicy.EpochsInDay,
                    Deadline = dl,
                    Partition = NextPartition(dl),
                };
            }

            Save();
            Log.Presealed(_logger, list.Count, MinerText, epoch);
        }
    }

    public Task<TipSet> ChainHeadAsync(CancellationToken ct)
    {
        var head = CurrentEpoch;
        return Task.FromResult(new TipSet(TipSetKey(head), [], head));
    }

    public Task<TipSet> ChainGetTipSetByHeightAsync(long epoch, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        var from = HeightOf(tipSetKey);
        if (epoch < 0 || epoch > from)
        {
            throw new RpcException(1, $"looking for tipset with height greater than start point (height {epoch}, start {from})");
        }

        return Task.FromResult(new TipSet(TipSetKey(epoch), [], epoch));
    }

    public Task<DeadlineInfo> StateMinerProvingDeadlineAsync(string miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        return Task.FromResult(DeadlineInfo.At(HeightOf(tipSetKey), _options.PeriodOffset));
    }

    /// <summary>The deadline's partitions, each filled to <see cref="PartitionSectors"/>, all live; faulty and recovering as declared and proven, active when not faulty.</summary>
    public Task<IReadOnlyList<Partition>> StateMinerPartitionsAsync(string miner, ulong deadline, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        if (deadline >= DeadlineInfo.PeriodDeadlines)
        {
            throw new RpcException(1, $"invalid deadline {deadline}: a miner has {DeadlineInfo.PeriodDeadlines}");
        }

        HeightOf(tipSetKey);
        lock (_lock)
        {
            Advance();
            var partitions = _state.Sectors.Where(s => s.Value.Deadline == (int)deadline)
                .GroupBy(s => s.Value.Partition)
                .OrderBy(g => g.Key)
                .Select(g =>
                {
                    var all = BitField.FromSet(g.Select(s => s.Key));
                    var faulty = BitField.FromSet(g.Where(s => s.Value.Faulty).Select(s => s.Key));
                    var recovering = BitField.FromSet(g.Where(s => s.Value.Recovering).Select(s => s.Key));
                    return new Partition(all, faulty, recovering, all, all.Subtract(faulty));
                })
                .ToList();
            return Task.FromResult<IReadOnlyList<Partition>>(partitions);
        }
    }

    public Task<byte[]> StateGetRandomnessFromTicketsAsync(DomainSeparationTag tag, long epoch, byte[] entropy, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) =>
        Task.FromResult(Draw("tickets", tag, epoch, entropy, HeightOf(tipSetKey)));

    public Task<byte[]> StateGetRandomnessFromBeaconAsync(DomainSeparationTag tag, long epoch, byte[] entropy, IReadOnlyList<Cid> tipSetKey, CancellationToken ct) =>
        Task.FromResult(Draw("beacon", tag, epoch, entropy, HeightOf(tipSetKey)));

    /// <summary>
    /// Lotus's 2k devnet parameters: PreCommitChallengeDelay as configured (10 by default, as params_2k.go); the block
    /// delay is the devnet's epoch rounded up to whole seconds (Lotus's 2k build has 4 s; the devnet's epochs are shorter).
    /// </summary>
    public Task<NetworkParams> StateGetNetworkParamsAsync(CancellationToken ct) =>
        Task.FromResult(new NetworkParams
        {
            NetworkName = "kiln-devnet",
            BlockDelaySecs = (ulong)Math.Max(1, Math.Ceiling(_options.EpochDuration.TotalSeconds)),
            PreCommitChallengeDelay = _options.PreCommitChallengeDelay,
        });

    public Task<uint> StateNetworkVersionAsync(IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        HeightOf(tipSetKey);
        return Task.FromResult(NetworkVersion);
    }

    public Task<MinerInfo> StateMinerInfoAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        HeightOf(tipSetKey);
        return Task.FromResult(new MinerInfo
        {
            Owner = OwnerAddress,
            Worker = WorkerAddress,
            ControlAddresses = [],
            Beneficiary = OwnerAddress,
            SectorSize = _options.SectorSize,
            WindowPoStPartitionSectors = PartitionSectors,
            WindowPoStProofType = PoStProofInfo.ForSectorSize(_options.SectorSize, PoStType.Window).Proof,
        });
    }

    public Task<BitField?> StateMinerAllocatedAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        HeightOf(tipSetKey);
        lock (_lock)
        {
            Advance();
            return Task.FromResult<BitField?>(BitField.FromSet(_state.Allocated));
        }
    }

    public Task<bool> StateMinerSectorAllocatedAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        HeightOf(tipSetKey);
        lock (_lock)
        {
            Advance();
            return Task.FromResult(_state.Allocated.Contains(number));
        }
    }

    public Task<SectorPreCommitOnChainInfo?> StateSectorPreCommitInfoAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        HeightOf(tipSetKey);
        lock (_lock)
        {
            Advance();
            if (!_state.PreCommits.TryGetValue(number, out var p))
            {
                return Task.FromResult<SectorPreCommitOnChainInfo?>(null);
            }

            var info = new SectorPreCommitInfo
            {
                SealProof = (RegisteredSealProof)p.SealProof,
                SectorNumber = number,
                SealedCID = Cid.Parse(p.SealedCid),
                SealRandEpoch = p.SealRandEpoch,
                DealIDs = p.DealIds,
                Expiration = p.Expiration,
                UnsealedCid = p.UnsealedCid is null ? null : Cid.Parse(p.UnsealedCid),
            };
            return Task.FromResult<SectorPreCommitOnChainInfo?>(new SectorPreCommitOnChainInfo(info, Amount(p.Deposit), p.PreCommitEpoch));
        }
    }

    /// <summary>The devnet's deposit: <see cref="ActorPolicy.PreCommitDepositPerByte"/> per byte of sector (not Lotus's power-based formula).</summary>
    public Task<TokenAmount> StateMinerPreCommitDepositForPowerAsync(Address miner, SectorPreCommitInfo info, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        return Task.FromResult(PreCommitDeposit);
    }

    /// <summary>The devnet's pledge: <see cref="ActorPolicy.InitialPledgePerByte"/> per byte of sector (not Lotus's power-based formula).</summary>
    public Task<TokenAmount> StateMinerInitialPledgeCollateralAsync(Address miner, SectorPreCommitInfo info, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        return Task.FromResult(InitialPledge);
    }

    public Task<TokenAmount> StateMinerAvailableBalanceAsync(Address miner, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        lock (_lock)
        {
            Advance();
            return Task.FromResult(AvailableBalance());
        }
    }

    public Task<TokenAmount> WalletBalanceAsync(Address address, CancellationToken ct)
    {
        lock (_lock)
        {
            Advance();
            return Task.FromResult(address.Protocol == AddressProtocol.Id ? Balance(address.Id) : TokenAmount.Zero);
        }
    }

    public Task<Address> StateLookupIDAsync(Address address, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        if (address.Protocol == AddressProtocol.Id && KnownActor(address.Id))
        {
            return Task.FromResult(address);
        }

        throw new RpcException(1, $"resolution lookup failed ({address}): actor not found on the devnet chain");
    }

    public Task<SectorOnChainInfo?> StateSectorGetInfoAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        HeightOf(tipSetKey);
        lock (_lock)
        {
            Advance();
            if (!_state.Sectors.TryGetValue(number, out var s))
            {
                return Task.FromResult<SectorOnChainInfo?>(null);
            }

            return Task.FromResult<SectorOnChainInfo?>(new SectorOnChainInfo
            {
                SectorNumber = number,
                SealProof = (RegisteredSealProof)s.SealProof,
                SealedCID = Cid.Parse(s.SealedCid),
                Activation = s.Activation,
                Expiration = s.Expiration,
                DealWeight = TokenAmount.Zero,
                VerifiedDealWeight = TokenAmount.Zero,
                InitialPledge = Amount(s.InitialPledge),
            });
        }
    }

    public Task<SectorPartitionLocation?> StateSectorPartitionAsync(Address miner, ulong number, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        HeightOf(tipSetKey);
        lock (_lock)
        {
            Advance();
            return Task.FromResult(_state.Sectors.TryGetValue(number, out var s) ? new SectorPartitionLocation((ulong)s.Deadline, (ulong)s.Partition) : null);
        }
    }

    /// <summary>The miner's address text, e.g. t01000.</summary>
    private string MinerText => _options.Network + "0" + _options.MinerId.ToString(CultureInfo.InvariantCulture);

    private TokenAmount PreCommitDeposit => new(ActorPolicy.PreCommitDepositPerByte * _options.SectorSize);

    private TokenAmount InitialPledge => new(ActorPolicy.InitialPledgePerByte * _options.SectorSize);

    private static DevnetState NewState(DevnetNodeOptions options, DateTimeOffset now)
    {
        var state = new DevnetState { GenesisUnixMilliseconds = now.ToUnixTimeMilliseconds(), MinerId = options.MinerId, DeadlinesClosedThrough = 0 };
        state.Balances[options.MinerId] = options.MinerBalance.Atto.ToString(CultureInfo.InvariantCulture);
        state.Balances[options.OwnerId] = options.OwnerBalance.Atto.ToString(CultureInfo.InvariantCulture);
        state.Balances[options.WorkerId] = options.WorkerBalance.Atto.ToString(CultureInfo.InvariantCulture);
        return state;
    }

    private static TokenAmount Amount(string atto) => new(BigInteger.Parse(atto, CultureInfo.InvariantCulture));

    private static string Text(TokenAmount amount) => amount.Atto.ToString(CultureInfo.InvariantCulture);

    private bool KnownActor(ulong id) => id == _options.MinerId || id == _options.OwnerId || id == _options.WorkerId;

    private TokenAmount Balance(ulong id) => _state.Balances.TryGetValue(id, out var b) ? Amount(b) : TokenAmount.Zero;

    private void SetBalance(ulong id, TokenAmount amount) => _state.Balances[id] = Text(amount);

    /// <summary>The miner's balance less its locked pre-commit deposits and initial pledge.</summary>
    private TokenAmount AvailableBalance() => Balance(_options.MinerId) - Amount(_state.PreCommitDeposits) - Amount(_state.InitialPledge);

    private void Save()
    {
        if (_options.StatePath is { } path)
        {
            _state.Save(path);
        }
    }

    /// <summary>The height of a tipset key: the head for an empty key (Lotus's EmptyTSK), else the height a devnet key names.</summary>
    private long HeightOf(IReadOnlyList<Cid>? key)
    {
        var head = CurrentEpoch;
        if (key is null || key.Count == 0)
        {
            return head;
        }

        if (key.Count == 1 && key[0].TryGetBytes(out var bytes, out _) && bytes.Length == 20 && bytes.AsSpan(0, 4).SequenceEqual(new byte[] { 0x01, 0x71, 0x00, 16 })
            && bytes.AsSpan(4, 8).SequenceEqual(_keyPrefix))
        {
            var height = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(12));
            if (height >= 0 && height <= head)
            {
                return height;
            }
        }

        throw new RpcException(1, $"loading tipset {string.Join(",", key)}: not found on the devnet chain (head {head})");
    }

    /// <summary>Throws as a node does for an actor it does not have, unless <paramref name="miner"/> is the devnet's miner (any network prefix).</summary>
    private void CheckMiner(string miner)
    {
        if (miner is { Length: > 2 } && miner[0] is 't' or 'f' && miner[1] == '0'
            && ulong.TryParse(miner.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id == _options.MinerId)
        {
            return;
        }

        throw new RpcException(1, $"failed to load miner actor {miner}: actor not found (the devnet's miner is {_options.Network}0{_options.MinerId})");
    }

    private void CheckMiner(Address miner)
    {
        if (miner.Protocol != AddressProtocol.Id || miner.Id != _options.MinerId)
        {
            throw new RpcException(1, $"failed to load miner actor {miner}: actor not found (the devnet's miner is {_options.Network}0{_options.MinerId})");
        }
    }

    /// <summary>
    /// Randomness as Lotus draws it (chain/rand DrawRandomnessFromBase): a hash of the tag, the chain's value at the
    /// epoch, the epoch and the entropy, where the devnet's value at an epoch is a hash of its seed, the kind
    /// (tickets or beacon) and the epoch. Negative epochs are allowed (Lotus looks them up at genesis); the future is not.
    /// </summary>
    private byte[] Draw(string kind, DomainSeparationTag tag, long epoch, byte[] entropy, long atHeight)
    {
        ArgumentNullException.ThrowIfNull(entropy);
        if (epoch > atHeight)
        {
            throw new RpcException(1, $"cannot draw randomness from the future: epoch {epoch} is after the tipset's height {atHeight}");
        }

        var seed = Encoding.UTF8.GetBytes(_options.Seed + "/" + kind);
        var chainValue = new byte[seed.Length + 8];
        seed.CopyTo(chainValue, 0);
        BinaryPrimitives.WriteInt64BigEndian(chainValue.AsSpan(seed.Length), epoch);
        var input = new byte[8 + 32 + 8 + entropy.Length];
        BinaryPrimitives.WriteInt64BigEndian(input, (long)tag);
        SHA256.HashData(chainValue).CopyTo(input, 8);
        BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(40), epoch);
        entropy.CopyTo(input, 48);
        return SHA256.HashData(input);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6310, EventName = "DevnetChainStarted", Level = LogLevel.Information, Message = "devnet chain: in-process chain (state {Path}, genesis {Genesis:o}, epochs of {Epoch}), miner {Miner}, PreCommitChallengeDelay {Delay}; {Sectors} active sectors, {PreCommits} pre-commits. It verifies no SNARK: seal proofs are accepted unchecked")]
        public static partial void Started(ILogger logger, string path, DateTimeOffset genesis, TimeSpan epoch, string miner, long delay, int sectors, int preCommits);

        [LoggerMessage(EventId = 6311, EventName = "DevnetPresealed", Level = LogLevel.Information, Message = "devnet chain: {Count} pre-sealed sectors of {Miner} active at epoch {Epoch}")]
        public static partial void Presealed(ILogger logger, int count, string miner, long epoch);

        [LoggerMessage(EventId = 6312, EventName = "DevnetMessageExecuted", Level = LogLevel.Debug, Message = "devnet chain: message {Cid} (method {Method}) executed at epoch {Epoch}: exit code {ExitCode}")]
        public static partial void Executed(ILogger logger, string cid, ulong method, long epoch, long exitCode);

        [LoggerMessage(EventId = 6313, EventName = "DevnetMessageFailed", Level = LogLevel.Information, Message = "devnet chain: message {Cid} (method {Method}) failed at epoch {Epoch}: exit code {ExitCode}: {Reason}")]
        public static partial void Failed(ILogger logger, string cid, ulong method, long epoch, long exitCode, string reason);
    }
}
