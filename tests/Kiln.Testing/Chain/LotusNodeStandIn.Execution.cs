using System.Numerics;
using Kiln.Testing.Chain.Cbor;

namespace Kiln.Testing.Chain;

/// <summary>The miner-actor model: executing included messages, and undoing them on a reorg.</summary>
public sealed partial class LotusNodeStandIn
{
    /// <summary>go-state-types exitcode.ErrNotFound.</summary>
    public const long ErrNotFound = 17;

    /// <summary>builtin-actors miner policy WPoStPeriodDeadlines.</summary>
    public const int WPoStPeriodDeadlines = 48;

    /// <summary>Executes <paramref name="m"/> in the tipset at <paramref name="height"/>, like the VM applying it: a receipt, and state changes on success only.</summary>
    private void ExecuteLocked(MessageState m, long height)
    {
        m.IncludedAt = height;
        m.ExitCode = 0;
        m.Return = null;
        m.Reason = null;
        m.Effects = new Effects();
        m.GasUsed = Math.Min(m.Pushed.GasLimit, 1_000_000 + (100 * m.Pushed.Params.Length));
        if (_failNext.Remove(m.Pushed.Method, out var forced))
        {
            m.ExitCode = forced;
            m.Reason = $"exit code {forced} set by FailNext";
            return;
        }

        var from = AddressText.ToBytes(m.Pushed.From);
        var toMiner = AddressText.IdOf(AddressText.ToBytes(m.Pushed.To)) == MinerId;
        if (toMiner && (m.Pushed.Method is MinerParamsDecoder.PreCommitSectorBatch2 or MinerParamsDecoder.ProveCommitSectors3 || IsProvingMethod(m.Pushed.Method)))
        {
            var senderId = ResolveIdLocked(from);
            if (senderId != WorkerId && !(senderId is { } sid && _controlIds.Contains(sid)))
            {
                Fail(m, ErrForbidden, $"caller {m.Pushed.From} is not the worker {Worker} or a control address of miner {Miner}");
                return;
            }

            if (IsProvingMethod(m.Pushed.Method))
            {
                ExecuteProvingLocked(m, height);
            }
            else if (m.Pushed.Method == MinerParamsDecoder.PreCommitSectorBatch2)
            {
                PreCommitLocked(m, height);
            }
            else
            {
                ProveCommitLocked(m, height);
            }
        }

        if (m.ExitCode == 0)
        {
            var key = Hex(from);
            _balances[key] = _balances.GetValueOrDefault(key) - m.Pushed.Value;
            m.Effects!.Spent = m.Pushed.Value;
            if (toMiner)
            {
                _available += m.Pushed.Value;
                m.Effects!.AvailableDelta += m.Pushed.Value;
            }
        }
    }

    private void PreCommitLocked(MessageState m, long height)
    {
        var sectors = MinerParamsDecoder.DecodePreCommitSectorBatch2(m.Pushed.Params);
        var seen = new HashSet<ulong>();
        foreach (var s in sectors)
        {
            if (s.SealProof != SealProofType)
            {
                Fail(m, ErrIllegalArgument, $"sector {s.SectorNumber}: seal proof {s.SealProof} does not match the miner's {SealProofType}");
                return;
            }

            if (_allocated.Contains(s.SectorNumber) || !seen.Add(s.SectorNumber))
            {
                Fail(m, ErrIllegalArgument, $"sector {s.SectorNumber} already allocated");
                return;
            }

            if (s.SealRandEpoch >= height)
            {
                Fail(m, ErrIllegalArgument, $"sector {s.SectorNumber}: seal challenge epoch {s.SealRandEpoch} must be before now ({height})");
                return;
            }

            if (s.Expiration <= height)
            {
                Fail(m, ErrIllegalArgument, $"sector {s.SectorNumber}: expiration {s.Expiration} is not after now ({height})");
                return;
            }
        }

        var deposit = PreCommitDepositPerSector * sectors.Count;
        // The message's value is credited first; the deposit then comes out of the available balance.
        var available = _available + m.Pushed.Value;
        if (available < deposit)
        {
            Fail(m, ErrInsufficientFunds, $"insufficient funds for pre-commit deposit: {available} available, {deposit} required");
            return;
        }

        foreach (var s in sectors)
        {
            _allocated.Add(s.SectorNumber);
            _preCommits[s.SectorNumber] = new PreCommitState(s, height, PreCommitDepositPerSector, m.Pushed.Cid);
            m.Effects!.Allocated.Add(s.SectorNumber);
            m.Effects!.PreCommitted.Add(s.SectorNumber);
        }

        _available -= deposit;
        m.Effects!.AvailableDelta -= deposit;
    }

    private void ProveCommitLocked(MessageState m, long height)
    {
        var (activations, proofs, aggregate, aggregateType, requireActivation, _) = MinerParamsDecoder.DecodeProveCommitSectors3(m.Pushed.Params);
        if (activations.Count == 0)
        {
            Fail(m, ErrIllegalArgument, "no sectors to activate");
            return;
        }

        if (aggregate.Length > 0)
        {
            if (proofs.Count != 0 || aggregateType is null)
            {
                Fail(m, ErrIllegalArgument, "an aggregate proof needs AggregateProofType and no per-sector proofs");
                return;
            }
        }
        else if (proofs.Count != activations.Count || aggregateType is not null)
        {
            Fail(m, ErrIllegalArgument, $"{activations.Count} sector activations need as many sector proofs (got {proofs.Count}) and no AggregateProofType");
            return;
        }

        var failCodes = new List<(ulong Index, long Code)>();
        var good = new List<PreCommitState>();
        var reasons = new List<string>();
        var seen = new HashSet<ulong>();
        for (var i = 0; i < activations.Count; i++)
        {
            var number = activations[i].SectorNumber;
            string? reason = null;
            var code = ErrIllegalArgument;
            if (!seen.Add(number))
            {
                reason = $"sector {number} listed twice";
            }
            else if (!_preCommits.TryGetValue(number, out var pre))
            {
                reason = _sectors.ContainsKey(number) ? $"sector {number} is already active" : $"no pre-commit for sector {number}";
                code = _sectors.ContainsKey(number) ? ErrIllegalArgument : ErrNotFound;
            }
            else if (pre.Epoch + PreCommitChallengeDelay >= height)
            {
                // builtin-actors miner: "too early to prove sector" is ErrForbidden.
                reason = $"sector {number}: too early to prove, seed epoch {pre.Epoch + PreCommitChallengeDelay} is not behind the inclusion height {height}";
                code = ErrForbidden;
            }
            else if (aggregate.Length == 0 && proofs[i].Length == 0)
            {
                reason = $"sector {number}: empty proof";
            }
            else
            {
                good.Add(pre);
            }

            if (reason is not null)
            {
                failCodes.Add(((ulong)i, code));
                reasons.Add(reason);
            }
        }

        if (good.Count == 0 || (requireActivation && failCodes.Count > 0))
        {
            // The whole message fails with the first sector's failure.
            Fail(m, failCodes[0].Code, string.Join("; ", reasons));
            return;
        }

        var pledge = InitialPledgePerSector * good.Count;
        var released = good.Aggregate(BigInteger.Zero, (sum, p) => sum + p.Deposit);
        var available = _available + m.Pushed.Value + released;
        if (available < pledge)
        {
            Fail(m, ErrInsufficientFunds, $"insufficient funds for initial pledge: {available} available, {pledge} required");
            return;
        }

        foreach (var pre in good)
        {
            var number = pre.Info.SectorNumber;
            var (deadline, partition) = AssignLocked(height);
            _preCommits.Remove(number);
            _sectors[number] = new ActiveSector(pre, height, deadline, partition, InitialPledgePerSector, m.Pushed.Cid);
            m.Effects!.Activated.Add(pre);
        }

        _available += released - pledge;
        m.Effects!.AvailableDelta += released - pledge;
        m.Reason = reasons.Count > 0 ? string.Join("; ", reasons) : null;

        // go-state-types builtin/batch BatchReturn: (SuccessCount, FailCodes [(Idx, Code)]).
        var w = new TupleCborWriter().Array(2).UInt((ulong)good.Count).Array(failCodes.Count);
        foreach (var (index, code) in failCodes)
        {
            w.Array(2).UInt(index).UInt((ulong)code);
        }

        m.Return = w.ToArray();
    }

    /// <summary>
    /// A deadline and partition for a sector activated at <paramref name="height"/>: the deadline with the fewest live
    /// sectors that is neither the current nor the next one (builtin-actors assigns only to mutable deadlines), its
    /// last partition until that holds WindowPoStPartitionSectors.
    /// </summary>
    private (ulong Deadline, ulong Partition) AssignLocked(long height)
    {
        var current = (ulong)CurrentDeadlineIndex(height);
        var next = (current + 1) % WPoStPeriodDeadlines;
        var counts = new int[WPoStPeriodDeadlines];
        foreach (var s in _sectors.Values)
        {
            counts[s.Deadline]++;
        }

        var best = Enumerable.Range(0, WPoStPeriodDeadlines).Where(d => (ulong)d != current && (ulong)d != next).MinBy(d => counts[d]);
        return ((ulong)best, (ulong)(counts[best] / PartitionSectors));
    }

    private long CurrentDeadlineIndex(long height)
    {
        var period = WPoStChallengeWindow * WPoStPeriodDeadlines;
        var progress = (((height - ProvingPeriodOffset) % period) + period) % period;
        return progress / WPoStChallengeWindow;
    }

    private void UndoLocked(MessageState m)
    {
        var effects = m.Effects;
        if (effects is not null)
        {
            foreach (var number in effects.Allocated)
            {
                _allocated.Remove(number);
            }

            foreach (var number in effects.PreCommitted)
            {
                _preCommits.Remove(number);
            }

            foreach (var pre in effects.Activated)
            {
                _sectors.Remove(pre.Info.SectorNumber);
                _preCommits[pre.Info.SectorNumber] = pre;
            }

            UndoProvingLocked(effects);
            _available -= effects.AvailableDelta;
            var key = Hex(AddressText.ToBytes(m.Pushed.From));
            _balances[key] = _balances.GetValueOrDefault(key) + effects.Spent;
        }

        m.IncludedAt = null;
        m.Effects = null;
        m.ExitCode = 0;
        m.Return = null;
        m.Reason = null;
    }

    private static void Fail(MessageState m, long code, string reason)
    {
        m.ExitCode = code;
        m.Reason = reason;
    }

    private sealed class MessageState(PushedMessage pushed)
    {
        public PushedMessage Pushed { get; } = pushed;

        public long? IncludedAt { get; set; }

        public long ExitCode { get; set; }

        public byte[]? Return { get; set; }

        public long GasUsed { get; set; }

        public string? Reason { get; set; }

        public Effects? Effects { get; set; }
    }

    /// <summary>What executing a message changed, so that a reorg can take it back.</summary>
    private sealed class Effects
    {
        public List<ulong> Allocated { get; } = [];

        public List<ulong> PreCommitted { get; } = [];

        public List<PreCommitState> Activated { get; } = [];

        public List<ulong> FaultyAdded { get; } = [];

        public List<ulong> FaultyRemoved { get; } = [];

        public List<ulong> RecoveringAdded { get; } = [];

        public List<ulong> RecoveringRemoved { get; } = [];

        public List<ProvenPartition> Proven { get; } = [];

        public BigInteger AvailableDelta { get; set; }

        public BigInteger Spent { get; set; }
    }

    private sealed record PreCommitState(DecodedSectorPreCommit Info, long Epoch, BigInteger Deposit, string MessageCid);

    private sealed record ActiveSector(PreCommitState PreCommit, long Activation, ulong Deadline, ulong Partition, BigInteger Pledge, string MessageCid);
}
