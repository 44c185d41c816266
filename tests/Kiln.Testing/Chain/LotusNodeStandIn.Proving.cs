using System.Collections.Concurrent;
using Kiln.Testing.Chain.Cbor;

namespace Kiln.Testing.Chain;

/// <summary>
/// The miner-actor model's proving side: SubmitWindowedPoSt (method 5), DeclareFaults (10) and DeclareFaultsRecovered
/// (11), checked and applied as builtin-actors' miner actor does (actors/miner/src/lib.rs submit_windowed_post,
/// declare_faults, declare_faults_recovered; partition_state.rs record_faults, declare_faults_recovered,
/// record_skipped_faults, recover_faults), with the partitions' faulty and recovering sets that StateMinerPartitions shows.
/// </summary>
public sealed partial class LotusNodeStandIn
{
    /// <summary>go-state-types crypto.DomainSeparationTag_PoStChainCommit.</summary>
    public const long PoStChainCommitTag = 9;

    private readonly SortedSet<ulong> _faulty = [];
    private readonly SortedSet<ulong> _recovering = [];
    private readonly List<ProvenPartition> _proven = [];
    private readonly ConcurrentQueue<DecodedWindowPoSt> _windowPoSts = new();
    private readonly ConcurrentQueue<DecodedFaultDeclarations> _faultDeclarations = new();
    private readonly ConcurrentQueue<DecodedRecoveryDeclarations> _recoveryDeclarations = new();

    /// <summary>Every SubmitWindowedPoSt pushed, decoded.</summary>
    public IReadOnlyCollection<DecodedWindowPoSt> WindowPoSts => _windowPoSts;

    /// <summary>Every DeclareFaults pushed, decoded.</summary>
    public IReadOnlyCollection<DecodedFaultDeclarations> FaultDeclarations => _faultDeclarations;

    /// <summary>Every DeclareFaultsRecovered pushed, decoded.</summary>
    public IReadOnlyCollection<DecodedRecoveryDeclarations> RecoveryDeclarations => _recoveryDeclarations;

    /// <summary>The miner's Window PoSt proof type (go-state-types abi.RegisteredPoStProof, StackedDrgWindow*V1_1 for the seal proof's size).</summary>
    public long WindowPoStProofType => ProofFacts.WindowPoStProof;

    /// <summary>The sectors faulty right now.</summary>
    public IReadOnlyList<ulong> FaultySectors
    {
        get
        {
            lock (_lock)
            {
                return [.. _faulty];
            }
        }
    }

    /// <summary>The faulty sectors declared recovered and not yet proven.</summary>
    public IReadOnlyList<ulong> RecoveringSectors
    {
        get
        {
            lock (_lock)
            {
                return [.. _recovering];
            }
        }
    }

    /// <summary>Each partition a landed Window PoSt proved: (deadline, partition, the height it executed at, the message).</summary>
    public IReadOnlyList<(ulong Deadline, ulong Partition, long Height, string MessageCid)> ProvenPartitions
    {
        get
        {
            lock (_lock)
            {
                return [.. _proven.Select(p => (p.Deadline, p.Partition, p.Height, p.MessageCid))];
            }
        }
    }

    /// <summary>
    /// The ticket randomness the node answers StateGetRandomnessFromTickets with (and the actor checks ChainCommitRand
    /// against, drawn with <see cref="PoStChainCommitTag"/> and no entropy).
    /// </summary>
    public static byte[] TicketRandomness(long tag, long epoch, byte[] entropy) => DrawRandomness(beacon: false, tag, epoch, entropy);

    /// <summary>
    /// Puts active sectors straight into <paramref name="deadline"/>, <paramref name="partition"/> (as sectors proven
    /// before the test began), activated at the head.
    /// </summary>
    public void Activate(ulong deadline, ulong partition, params ulong[] numbers)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(deadline, (ulong)WPoStPeriodDeadlines);
        ArgumentNullException.ThrowIfNull(numbers);
        lock (_lock)
        {
            foreach (var n in numbers)
            {
                var commR = Synthetic("comm_r " + n.ToString(System.Globalization.CultureInfo.InvariantCulture), 32);
                // CIDv1, fil-commitment-sealed (0xf102), poseidon-bls12_381-a2-fc1 (0xb401), 32-byte digest.
                byte[] sealedCid = [0x01, 0x82, 0xe2, 0x03, 0x81, 0xe8, 0x02, 0x20, .. commR];
                var info = new DecodedSectorPreCommit(SealProofType, n, sealedCid, commR, _head - 1, [], _head + 1_000_000, null);
                var pre = new PreCommitState(info, _head - 1, 0, "");
                _allocated.Add(n);
                _sectors[n] = new ActiveSector(pre, _head, deadline, partition, 0, "");
            }

            Pulse();
        }
    }

    private static byte[] DrawRandomness(bool beacon, long tag, long epoch, byte[] entropy) =>
        Blake2bHash.Hash(new TupleCborWriter().Array(4).Text(beacon ? "beacon" : "tickets").Int(tag).Int(epoch).Bytes(entropy).ToArray(), 32);

    /// <summary>Decodes the proving methods' params at push (gas estimation runs them); null for any other method.</summary>
    private Action? DecodeProvingAtPush(ulong method, byte[] parameters, Func<string> cid, string from, string to)
    {
        switch (method)
        {
            case MinerParamsDecoder.SubmitWindowedPoSt:
                var post = MinerParamsDecoder.DecodeSubmitWindowedPoSt(parameters);
                return () => _windowPoSts.Enqueue(new DecodedWindowPoSt(cid(), from, to, parameters, post.Deadline, post.Partitions, post.Proofs, post.ChainCommitEpoch, post.ChainCommitRand));
            case MinerParamsDecoder.DeclareFaults:
                var faults = MinerParamsDecoder.DecodeDeclarations(parameters, recovered: false);
                return () => _faultDeclarations.Enqueue(new DecodedFaultDeclarations(cid(), from, to, parameters, faults));
            case MinerParamsDecoder.DeclareFaultsRecovered:
                var recoveries = MinerParamsDecoder.DecodeDeclarations(parameters, recovered: true);
                return () => _recoveryDeclarations.Enqueue(new DecodedRecoveryDeclarations(cid(), from, to, parameters, recoveries));
            default:
                return null;
        }
    }

    private static bool IsProvingMethod(ulong method) =>
        method is MinerParamsDecoder.SubmitWindowedPoSt or MinerParamsDecoder.DeclareFaults or MinerParamsDecoder.DeclareFaultsRecovered;

    private void ExecuteProvingLocked(MessageState m, long height)
    {
        switch (m.Pushed.Method)
        {
            case MinerParamsDecoder.SubmitWindowedPoSt:
                SubmitWindowedPoStLocked(m, height);
                break;
            case MinerParamsDecoder.DeclareFaults:
                DeclareLocked(m, height, recovered: false);
                break;
            default:
                DeclareLocked(m, height, recovered: true);
                break;
        }
    }

    private void SubmitWindowedPoStLocked(MessageState m, long height)
    {
        var (deadline, partitions, proofs, commitEpoch, commitRand) = MinerParamsDecoder.DecodeSubmitWindowedPoSt(m.Pushed.Params);
        if (deadline >= WPoStPeriodDeadlines)
        {
            Fail(m, ErrIllegalArgument, $"invalid deadline {deadline} of {WPoStPeriodDeadlines}");
            return;
        }

        var current = (ulong)CurrentDeadlineIndex(height);
        if (deadline != current)
        {
            Fail(m, ErrIllegalArgument, $"invalid deadline {deadline} at epoch {height}, expected {current}");
            return;
        }

        if (partitions.Count == 0)
        {
            Fail(m, ErrIllegalArgument, "no partitions to prove");
            return;
        }

        if (proofs.Count != 1)
        {
            Fail(m, ErrIllegalArgument, $"expected exactly one proof, got {proofs.Count}");
            return;
        }

        if (proofs[0].ProofType != WindowPoStProofType)
        {
            Fail(m, ErrIllegalArgument, $"expected proof of type {WindowPoStProofType}, got {proofs[0].ProofType}");
            return;
        }

        if (proofs[0].ProofBytes.Length == 0)
        {
            Fail(m, ErrIllegalArgument, "empty proof bytes");
            return;
        }

        var challenge = DeadlineOpenLocked(height, deadline) - WPoStChallengeLookback;
        if (commitEpoch >= height)
        {
            Fail(m, ErrIllegalArgument, $"PoSt chain commitment {commitEpoch} must be in the past (inclusion at {height})");
            return;
        }

        if (commitEpoch < challenge)
        {
            Fail(m, ErrIllegalArgument, $"PoSt chain commitment {commitEpoch} too far in the past, must be after {challenge}");
            return;
        }

        if (commitRand.Length != 32)
        {
            Fail(m, ErrIllegalArgument, $"ChainCommitRand is {commitRand.Length} bytes, randomness is 32");
            return;
        }

        if (!commitRand.AsSpan().SequenceEqual(TicketRandomness(PoStChainCommitTag, commitEpoch, [])))
        {
            Fail(m, ErrIllegalArgument, $"post commit randomness mismatched at epoch {commitEpoch}");
            return;
        }

        var seen = new HashSet<ulong>();
        var plan = new List<(ulong Index, HashSet<ulong> Members, IReadOnlyList<ulong> Skipped)>();
        foreach (var p in partitions)
        {
            var members = PartitionMembersLocked(deadline, p.Index);
            if (members.Count == 0)
            {
                Fail(m, ErrNotFound, $"no such partition {p.Index} in deadline {deadline}");
                return;
            }

            if (p.Skipped.FirstOrDefault(s => !members.Contains(s), ulong.MaxValue) is var outside && outside != ulong.MaxValue)
            {
                Fail(m, ErrIllegalArgument, $"skipped faults contain sector {outside}, outside partition {p.Index} of deadline {deadline}");
                return;
            }

            if (seen.Add(p.Index) && !_proven.Any(x => x.Deadline == deadline && x.Partition == p.Index && x.Height >= DeadlineOpenLocked(height, deadline)))
            {
                plan.Add((p.Index, members, p.Skipped));
            }
        }

        var effects = m.Effects!;
        foreach (var (index, members, skipped) in plan)
        {
            // record_skipped_faults: skipped sectors not yet faulty become faulty; recoveries among them are retracted.
            foreach (var s in skipped)
            {
                if (_faulty.Add(s))
                {
                    effects.FaultyAdded.Add(s);
                }

                if (_recovering.Remove(s))
                {
                    effects.RecoveringRemoved.Add(s);
                }
            }

            // recover_faults: the declared recoveries the proof covered are healthy again.
            foreach (var s in members.Where(_recovering.Contains).ToList())
            {
                _recovering.Remove(s);
                effects.RecoveringRemoved.Add(s);
                if (_faulty.Remove(s))
                {
                    effects.FaultyRemoved.Add(s);
                }
            }

            var proven = new ProvenPartition(deadline, index, height, m.Pushed.Cid);
            _proven.Add(proven);
            effects.Proven.Add(proven);
        }
    }

    private void DeclareLocked(MessageState m, long height, bool recovered)
    {
        var declarations = MinerParamsDecoder.DecodeDeclarations(m.Pushed.Params, recovered);
        var checkedDeclarations = new List<(DecodedDeclaration Declaration, HashSet<ulong> Members)>();
        foreach (var d in declarations)
        {
            if (d.Deadline >= WPoStPeriodDeadlines)
            {
                Fail(m, ErrIllegalArgument, $"invalid deadline {d.Deadline} of {WPoStPeriodDeadlines}");
                return;
            }

            // declaration_deadline_info + validate_fr_declaration_deadline: the deadline's next occurrence that has
            // not closed must not be past its fault cutoff.
            var open = DeadlineOpenLocked(height, d.Deadline);
            if (open + WPoStChallengeWindow <= height)
            {
                open += WPoStChallengeWindow * WPoStPeriodDeadlines;
            }

            if (height >= open - FaultDeclarationCutoff)
            {
                Fail(m, ErrIllegalArgument, $"late fault or recovery declaration for deadline {d.Deadline} at epoch {height} (its cutoff was {open - FaultDeclarationCutoff})");
                return;
            }

            var members = PartitionMembersLocked(d.Deadline, d.Partition);
            if (members.Count == 0)
            {
                Fail(m, ErrNotFound, $"no such partition {d.Partition} in deadline {d.Deadline}");
                return;
            }

            if (d.Sectors.FirstOrDefault(s => !members.Contains(s), ulong.MaxValue) is var outside && outside != ulong.MaxValue)
            {
                Fail(m, ErrIllegalArgument, $"sector {outside} is not assigned to partition {d.Partition} of deadline {d.Deadline}");
                return;
            }

            checkedDeclarations.Add((d, members));
        }

        var effects = m.Effects!;
        foreach (var (d, _) in checkedDeclarations)
        {
            foreach (var s in d.Sectors)
            {
                if (recovered)
                {
                    // Sectors not faulty, or already recovering, are ignored.
                    if (_faulty.Contains(s) && _recovering.Add(s))
                    {
                        effects.RecoveringAdded.Add(s);
                    }
                }
                else
                {
                    if (_faulty.Add(s))
                    {
                        effects.FaultyAdded.Add(s);
                    }

                    if (_recovering.Remove(s))
                    {
                        effects.RecoveringRemoved.Add(s);
                    }
                }
            }
        }
    }

    /// <summary>The open epoch of <paramref name="deadline"/> in the proving period holding <paramref name="height"/>.</summary>
    private long DeadlineOpenLocked(long height, ulong deadline)
    {
        var period = WPoStChallengeWindow * WPoStPeriodDeadlines;
        var progress = (((height - ProvingPeriodOffset) % period) + period) % period;
        return height - progress + ((long)deadline * WPoStChallengeWindow);
    }

    private HashSet<ulong> PartitionMembersLocked(ulong deadline, ulong partition) =>
        [.. _sectors.Values.Where(s => s.Deadline == deadline && s.Partition == partition).Select(s => s.PreCommit.Info.SectorNumber)];

    private void UndoProvingLocked(Effects effects)
    {
        foreach (var s in effects.FaultyAdded)
        {
            _faulty.Remove(s);
        }

        foreach (var s in effects.FaultyRemoved)
        {
            _faulty.Add(s);
        }

        foreach (var s in effects.RecoveringAdded)
        {
            _recovering.Remove(s);
        }

        foreach (var s in effects.RecoveringRemoved)
        {
            _recovering.Add(s);
        }

        foreach (var p in effects.Proven)
        {
            _proven.Remove(p);
        }
    }

    private sealed record ProvenPartition(ulong Deadline, ulong Partition, long Height, string MessageCid);
}
