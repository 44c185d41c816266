using System.Formats.Cbor;
using System.Numerics;
using System.Security.Cryptography;
using Kiln.Api.Chain;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>The devnet's message pool and the miner actor's methods it executes.</summary>
public sealed partial class DevnetNode
{
    /// <summary>Gas premium the devnet fills in when the message has none, attoFIL.</summary>
    private static readonly BigInteger DefaultGasPremium = 100_000;

    /// <summary>Gas fee cap the devnet fills in when the message has none, attoFIL (0.1 nanoFIL per gas unit).</summary>
    private static readonly BigInteger DefaultGasFeeCap = 100_000_000;

    /// <summary>
    /// As Lotus's MpoolPushMessage: the sender's next nonce, a gas estimate where the message has none (the fee cap
    /// lowered so that gas limit × fee cap stays within <see cref="MessageSendSpec.MaxFee"/>, as Lotus's capGasFee), a
    /// check that the sender can pay value and gas, and a signature (synthetic: the devnet's wallet holds the owner's
    /// and worker's keys). The message is included at the next epoch and executed there.
    /// </summary>
    public Task<SignedMessage> MpoolPushMessageAsync(ChainMessage message, MessageSendSpec? spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.From.Protocol != AddressProtocol.Id || !(message.From.Id == _options.WorkerId || message.From.Id == _options.OwnerId))
        {
            throw new RpcException(1, $"mpool push: the devnet wallet holds no key for {message.From} (it holds the owner {OwnerAddress} and the worker {WorkerAddress})");
        }

        lock (_lock)
        {
            Advance();
            var from = message.From.Id;
            var gasLimit = message.GasLimit > 0 ? message.GasLimit : EstimateGas(message);
            var feeCap = message.GasFeeCap.Atto > 0 ? message.GasFeeCap.Atto : DefaultGasFeeCap;
            var premium = message.GasPremium.Atto > 0 ? message.GasPremium.Atto : DefaultGasPremium;
            if (spec is not null && spec.MaxFee.Atto > 0 && feeCap * gasLimit > spec.MaxFee.Atto)
            {
                feeCap = spec.MaxFee.Atto / gasLimit;
                premium = BigInteger.Min(premium, feeCap);
            }

            var cost = message.Value.Atto + (feeCap * gasLimit);
            if (Balance(from) < new TokenAmount(cost))
            {
                throw new RpcException(1, $"mpool push: not enough funds including cost of gas: {message.From} has {Balance(from).Atto} attoFIL, the message needs {cost} attoFIL");
            }

            _state.Nonces.TryGetValue(from, out var nonce);
            _state.Nonces[from] = nonce + 1;
            var filled = message with { Nonce = nonce, GasLimit = gasLimit, GasFeeCap = new TokenAmount(feeCap), GasPremium = new TokenAmount(premium) };
            var cid = filled.Cid();
            _state.Messages.Add(new DevnetState.MessageEntry
            {
                Cid = cid.ToString(),
                Cbor = filled.ToCbor(),
                FromId = from,
                IncludedEpoch = CurrentEpoch + 1,
            });
            Save();
            return Task.FromResult(new SignedMessage(filled, new Signature(2, SyntheticSignature(cid))) { Cid = cid });
        }
    }

    /// <summary>Waits on the devnet clock until the message is included and <paramref name="confidence"/> epochs are on top of it; a message never pushed is waited for, as Lotus does.</summary>
    public async Task<MsgLookup> StateWaitMsgAsync(Cid message, ulong confidence, long limit, bool allowReplaced, CancellationToken ct)
    {
        var key = message.ToString();
        while (true)
        {
            lock (_lock)
            {
                Advance();
                var head = CurrentEpoch;
                var entry = _state.Messages.Find(m => m.Cid == key);
                if (entry is { Executed: true } && head >= entry.IncludedEpoch + (long)confidence)
                {
                    return Lookup(message, entry);
                }
            }

            // Looked at again next epoch (a message not yet included, or reorganised, too), as a node's head moves.
            await Task.Delay(_options.EpochDuration, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Where the message landed at or before the tipset, or null when it is not on chain there.</summary>
    public Task<MsgLookup?> StateSearchMsgAsync(IReadOnlyList<Cid> tipSetKey, Cid message, long limit, bool allowReplaced, CancellationToken ct)
    {
        var height = HeightOf(tipSetKey);
        var key = message.ToString();
        lock (_lock)
        {
            Advance();
            var entry = _state.Messages.Find(m => m.Cid == key);
            return Task.FromResult(entry is { Executed: true } && entry.IncludedEpoch <= height ? Lookup(message, entry) : null);
        }
    }

    private MsgLookup Lookup(Cid message, DevnetState.MessageEntry entry) =>
        new(message, new MessageReceipt(entry.ExitCode, entry.Return, entry.GasUsed), TipSetKey(entry.IncludedEpoch), entry.IncludedEpoch);

    private static long EstimateGas(ChainMessage message) => 20_000_000 + (message.Params.Length * 10_000L);

    private byte[] SyntheticSignature(Cid cid)
    {
        var signature = new byte[96];
        for (var i = 0; i < 3; i++)
        {
            SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(_options.Seed + "/signature"), (byte)i, .. cid.ToBytes()]).CopyTo(signature, i * 32);
        }

        return signature;
    }

    /// <summary>
    /// Brings the chain up to the current epoch (under the lock): every message included at or before it executed in
    /// push order, and every deadline that closed on the way processed at its close, after the messages of its last
    /// epoch and before those of the next (<see cref="CloseDeadlines"/>), as the miner actor's cron runs at the end of
    /// a deadline's last epoch.
    /// </summary>
    private void Advance()
    {
        var head = CurrentEpoch;
        var changed = CloseDeadlines(head);
        changed |= ExecuteThrough(head);
        if (changed)
        {
            Save();
        }
    }

    /// <summary>Executes, in push order, every message not yet executed that was included at or before <paramref name="epoch"/>; whether any was.</summary>
    private bool ExecuteThrough(long epoch)
    {
        var executed = false;
        foreach (var entry in _state.Messages)
        {
            if (entry.Executed || entry.IncludedEpoch > epoch)
            {
                continue;
            }

            var message = ChainMessage.FromCbor(entry.Cbor, _options.Network);
            var (exit, ret, error) = Execute(message, entry.FromId, entry.IncludedEpoch);
            entry.Executed = true;
            entry.ExitCode = exit;
            entry.Return = ret;
            entry.Error = error;
            entry.GasUsed = message.GasLimit * 4 / 5;
            executed = true;
            if (exit == ExitCodes.Ok)
            {
                Log.Executed(_logger, entry.Cid, message.Method, entry.IncludedEpoch, exit);
            }
            else
            {
                Log.Failed(_logger, entry.Cid, message.Method, entry.IncludedEpoch, exit, error ?? "");
            }
        }

        return executed;
    }

    /// <summary>One message at <paramref name="epoch"/>: the value moves to the miner, the method runs; a failure reverts both.</summary>
    private (long ExitCode, byte[]? Return, string? Error) Execute(ChainMessage message, ulong from, long epoch)
    {
        if (message.To.Protocol != AddressProtocol.Id || !KnownActor(message.To.Id))
        {
            return (ExitCodes.SysErrInvalidReceiver, null, $"actor {message.To} not found");
        }

        if (Balance(from) < message.Value)
        {
            return (ExitCodes.SysErrInsufficientFunds, null, $"sender {message.From} cannot pay the value {message.Value.Atto} attoFIL");
        }

        var to = message.To.Id;
        SetBalance(from, Balance(from) - message.Value);
        SetBalance(to, Balance(to) + message.Value);
        var result = to != _options.MinerId
            ? (message.Method == 0 ? (ExitCodes.Ok, null, null) : (ActorPolicy.ErrUnhandledMessage, null, $"account actor {message.To} has no method {message.Method}"))
            : InvokeMiner(message, from, epoch);
        if (result.Item1 != ExitCodes.Ok)
        {
            SetBalance(to, Balance(to) - message.Value);
            SetBalance(from, Balance(from) + message.Value);
        }

        return result;
    }

    private (long ExitCode, byte[]? Return, string? Error) InvokeMiner(ChainMessage message, ulong from, long epoch)
    {
        if (message.Method == 0)
        {
            return (ExitCodes.Ok, null, null);
        }

        if (message.Method is not (MinerMethods.PreCommitSectorBatch2 or MinerMethods.ProveCommitSectors3) && !IsProvingMethod(message.Method))
        {
            return (ActorPolicy.ErrUnhandledMessage, null, $"the devnet's miner actor does not handle method {message.Method}");
        }

        if (from != _options.WorkerId && from != _options.OwnerId)
        {
            return (ExitCodes.ErrForbidden, null, $"caller {message.From} is not the miner's worker {WorkerAddress} or a control address");
        }

        try
        {
            return message.Method switch
            {
                MinerMethods.PreCommitSectorBatch2 => PreCommitBatch(PreCommitSectorBatchParams2.FromCbor(message.Params), epoch),
                MinerMethods.ProveCommitSectors3 => ProveCommit(ProveCommitSectors3Params.FromCbor(message.Params), epoch),
                _ => InvokeProving(message, epoch),
            };
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return (ActorPolicy.ErrSerialization, null, $"method {message.Method} params do not decode: {e.Message}");
        }
    }

    /// <summary>
    /// builtin-actors miner PreCommitSectorBatch2, all or nothing: batch size, seal proof type, sector numbers not yet
    /// allocated, the sealed CID's prefix, seal randomness before now and within MaxPreCommitRandomnessLookback,
    /// expiration bounds, no deals (the devnet has no market), and the deposits within the available balance.
    /// </summary>
    private (long ExitCode, byte[]? Return, string? Error) PreCommitBatch(PreCommitSectorBatchParams2 batch, long epoch)
    {
        var sectors = batch.Sectors;
        if (sectors.Count is 0 or > ActorPolicy.PreCommitSectorBatchMaxSize)
        {
            return Illegal($"batch of {sectors.Count} pre-commits: must be 1 to {ActorPolicy.PreCommitSectorBatchMaxSize}");
        }

        var seen = new HashSet<ulong>();
        foreach (var s in sectors)
        {
            var n = s.SectorNumber;
            if (s.SealProof != _options.SealProof)
            {
                return Illegal($"sector {n}: seal proof {s.SealProof} is not the miner's {_options.SealProof}");
            }

            if (n > ActorPolicy.MaxSectorNumber)
            {
                return Illegal($"sector number {n} is out of range");
            }

            if (_state.Allocated.Contains(n) || !seen.Add(n))
            {
                return Illegal($"sector {n} already allocated");
            }

            if (!IsSealedCid(s.SealedCID))
            {
                return Illegal($"sector {n}: sealed CID {s.SealedCID} is not a sealed commitment (codec 0xf102, poseidon-bls12_381-a2-fc1)");
            }

            if (s.SealRandEpoch >= epoch)
            {
                return Illegal($"sector {n}: seal challenge epoch {s.SealRandEpoch} must be before now {epoch}");
            }

            if (s.SealRandEpoch < epoch - ActorPolicy.MaxPreCommitRandomnessLookback)
            {
                return Illegal($"sector {n}: seal challenge epoch {s.SealRandEpoch} too old, must be after {epoch - ActorPolicy.MaxPreCommitRandomnessLookback}");
            }

            if (s.Expiration <= epoch || s.Expiration - epoch < ActorPolicy.MinSectorExpiration)
            {
                return Illegal($"sector {n}: expiration {s.Expiration} is less than {ActorPolicy.MinSectorExpiration} epochs after now {epoch}");
            }

            if (s.Expiration > epoch + ActorPolicy.MaxSectorExpirationExtension)
            {
                return Illegal($"sector {n}: expiration {s.Expiration} is more than {ActorPolicy.MaxSectorExpirationExtension} epochs after now {epoch}");
            }

            if (s.DealIDs is { Count: > 0 })
            {
                return Illegal($"sector {n}: deal ids given, but the devnet has no market actor");
            }
        }

        var deposit = PreCommitDeposit * sectors.Count;
        var available = AvailableBalance();
        if (available < deposit)
        {
            return (ExitCodes.ErrInsufficientFunds, null, $"insufficient funds {available.Atto} attoFIL for pre-commit deposit {deposit.Atto} attoFIL");
        }

        foreach (var s in sectors)
        {
            _state.Allocated.Add(s.SectorNumber);
            _state.PreCommits[s.SectorNumber] = new DevnetState.PreCommitEntry
            {
                SealProof = (long)s.SealProof,
                SealedCid = s.SealedCID.ToString(),
                SealRandEpoch = s.SealRandEpoch,
                DealIds = [.. s.DealIDs ?? []],
                Expiration = s.Expiration,
                UnsealedCid = s.UnsealedCid?.ToString(),
                Deposit = Text(PreCommitDeposit),
                PreCommitEpoch = epoch,
            };
        }

        _state.PreCommitDeposits = Text(Amount(_state.PreCommitDeposits) + deposit);
        return (ExitCodes.Ok, null, null);
    }

    /// <summary>
    /// builtin-actors miner ProveCommitSectors3: one proof per activation or one aggregate (the devnet verifies
    /// neither), every sector pre-committed (else ErrNotFound), each proven after its interactive epoch (else
    /// ErrForbidden for that sector) and before its prove-commit deadline; activated sectors unlock their deposit,
    /// lock their pledge and go to a deadline and partition. The receipt returns the BatchReturn.
    /// </summary>
    private (long ExitCode, byte[]? Return, string? Error) ProveCommit(ProveCommitSectors3Params p, long epoch)
    {
        var activations = p.SectorActivations;
        if (activations.Count == 0)
        {
            return Illegal("no sector activations");
        }

        if (p.AggregateProof.Length > 0)
        {
            if (p.SectorProofs.Count > 0 || p.AggregateProofType is null)
            {
                return Illegal("an aggregate proof goes with no sector proofs and an aggregate proof type");
            }

            if (activations.Count > ActorPolicy.MaxAggregatedSectors)
            {
                return Illegal($"an aggregate proof covers at most {ActorPolicy.MaxAggregatedSectors} sectors, not {activations.Count}");
            }
        }
        else if (p.SectorProofs.Count != activations.Count)
        {
            return Illegal($"{p.SectorProofs.Count} sector proofs for {activations.Count} activations");
        }

        var numbers = new HashSet<ulong>();
        foreach (var a in activations)
        {
            if (!numbers.Add(a.SectorNumber))
            {
                return Illegal($"sector {a.SectorNumber} activated twice");
            }

            if (!_state.PreCommits.ContainsKey(a.SectorNumber))
            {
                return (ExitCodes.ErrNotFound, null, $"sector {a.SectorNumber} not pre-committed");
            }
        }

        var fails = new List<(ulong Index, long ExitCode)>();
        var ok = new List<ulong>();
        for (var i = 0; i < activations.Count; i++)
        {
            var a = activations[i];
            var pre = _state.PreCommits[a.SectorNumber];
            var code = ExitCodes.Ok;
            if (epoch <= pre.PreCommitEpoch + _options.PreCommitChallengeDelay)
            {
                code = ExitCodes.ErrForbidden; // too early to prove: the interactive epoch has not passed
            }
            else if (epoch > pre.PreCommitEpoch + ActorPolicy.MaxProveCommitDuration)
            {
                code = ExitCodes.ErrIllegalArgument; // the pre-commit has expired
            }
            else if (a.Pieces.Any(piece => piece.VerifiedAllocationKey is not null || piece.Notify.Count > 0))
            {
                code = ExitCodes.ErrIllegalArgument; // no verified registry or market to notify on the devnet
            }
            else if (p.AggregateProof.Length == 0 && p.SectorProofs[i].Length == 0)
            {
                code = ExitCodes.ErrIllegalArgument;
            }

            if (code == ExitCodes.Ok)
            {
                ok.Add(a.SectorNumber);
            }
            else
            {
                fails.Add(((ulong)i, code));
            }
        }

        if (ok.Count == 0 || (p.RequireActivationSuccess && fails.Count > 0))
        {
            return Illegal($"sector activation failed: {string.Join(", ", fails.Select(f => $"sector {activations[(int)f.Index].SectorNumber}: {ExitName(f.ExitCode)}"))}");
        }

        var unlocked = ok.Aggregate(TokenAmount.Zero, (sum, n) => sum + Amount(_state.PreCommits[n].Deposit));
        var pledge = InitialPledge * ok.Count;
        var available = AvailableBalance() + unlocked;
        if (available < pledge)
        {
            return (ExitCodes.ErrInsufficientFunds, null, $"insufficient funds {available.Atto} attoFIL for initial pledge {pledge.Atto} attoFIL");
        }

        foreach (var n in ok)
        {
            var pre = _state.PreCommits[n];
            _state.PreCommits.Remove(n);
            var deadline = ChooseDeadline(epoch);
            _state.Sectors[n] = new DevnetState.SectorEntry
            {
                SealProof = pre.SealProof,
                SealedCid = pre.SealedCid,
                Activation = epoch,
                Expiration = pre.Expiration,
                InitialPledge = Text(InitialPledge),
                Deadline = deadline,
                Partition = NextPartition(deadline),
            };
        }

        _state.PreCommitDeposits = Text(Amount(_state.PreCommitDeposits) - unlocked);
        _state.InitialPledge = Text(Amount(_state.InitialPledge) + pledge);
        return (ExitCodes.Ok, new BatchReturn((ulong)ok.Count, fails).ToCbor(), null);
    }

    private static (long ExitCode, byte[]? Return, string? Error) Illegal(string why) => (ExitCodes.ErrIllegalArgument, null, why);

    private static string ExitName(long code) => code switch
    {
        ExitCodes.ErrIllegalArgument => "ErrIllegalArgument(16)",
        ExitCodes.ErrNotFound => "ErrNotFound(17)",
        ExitCodes.ErrForbidden => "ErrForbidden(18)",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A sealed-sector CID: CIDv1, codec fil-commitment-sealed (0xf102), multihash poseidon-bls12_381-a2-fc1 (0xb401) of 32 bytes.</summary>
    private static bool IsSealedCid(Cid cid) =>
        cid.TryGetBytes(out var bytes, out _) && bytes.Length == 40 && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x01, 0x82, 0xe2, 0x03, 0x81, 0xe8, 0x02, 0x20 });

    /// <summary>
    /// The deadline a sector activated at <paramref name="epoch"/> goes to, after builtin-actors' deadline assignment
    /// (miner/src/deadline_assignment.rs): never the current or the next deadline (they are immutable), then the one
    /// that needs the fewest partitions after taking the sector, then the one with the fewest live sectors, then the
    /// lowest index. Sectors never die on the devnet, so live sectors are all sectors.
    /// </summary>
    private int ChooseDeadline(long epoch)
    {
        var current = DeadlineInfo.At(epoch, _options.PeriodOffset).Index;
        var next = (current + 1) % DeadlineInfo.PeriodDeadlines;
        var live = new int[DeadlineInfo.PeriodDeadlines];
        foreach (var s in _state.Sectors.Values)
        {
            live[s.Deadline]++;
        }

        return Enumerable.Range(0, DeadlineInfo.PeriodDeadlines)
            .Where(d => d != current && d != next)
            .OrderBy(d => ((ulong)live[d] + PartitionSectors) / PartitionSectors) // partitions after assignment: ceil((live + 1) / size)
            .ThenBy(d => live[d])
            .ThenBy(d => d)
            .First();
    }

    /// <summary>The partition a new sector of <paramref name="deadline"/> fills: the last one while it has room, else a new one.</summary>
    private int NextPartition(int deadline) =>
        (int)((ulong)_state.Sectors.Values.Count(s => s.Deadline == deadline) / PartitionSectors);
}
