using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Proofs.PoSt;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>
/// The devnet miner actor's proving methods: SubmitWindowedPoSt (5), DeclareFaults (10) and DeclareFaultsRecovered
/// (11), checked and applied as builtin-actors' miner actor does (actors/miner/src/lib.rs submit_windowed_post,
/// declare_faults, declare_faults_recovered; partition_state.rs record_faults, declare_faults_recovered,
/// record_skipped_faults, recover_faults). The devnet verifies no SNARK: a Window PoSt's proof is only checked to be there.
/// </summary>
public sealed partial class DevnetNode
{
    /// <summary>Each partition a landed Window PoSt proved, in order: its deadline, partition and the epoch it executed at.</summary>
    public IReadOnlyList<(int Deadline, int Partition, long Epoch)> ProvenPartitions
    {
        get
        {
            lock (_lock)
            {
                Advance();
                return [.. _state.PoSts.Select(p => (p.Deadline, p.Partition, p.Epoch))];
            }
        }
    }

    private static bool IsProvingMethod(ulong method) =>
        method is MinerMethods.SubmitWindowedPoSt or MinerMethods.DeclareFaults or MinerMethods.DeclareFaultsRecovered;

    private (long ExitCode, byte[]? Return, string? Error) InvokeProving(ChainMessage message, long epoch) => message.Method switch
    {
        MinerMethods.SubmitWindowedPoSt => SubmitWindowedPoSt(SubmitWindowedPoStParams.FromCbor(message.Params), epoch),
        MinerMethods.DeclareFaults => Declare([.. DeclareFaultsParams.FromCbor(message.Params).Faults.Select(f => (f.Deadline, f.Partition, f.Sectors))], epoch, recovered: false),
        _ => Declare([.. DeclareFaultsRecoveredParams.FromCbor(message.Params).Recoveries.Select(r => (r.Deadline, r.Partition, r.Sectors))], epoch, recovered: true),
    };

    /// <summary>
    /// SubmitWindowedPoSt at <paramref name="epoch"/>: the current deadline, one proof of the miner's Window PoSt type,
    /// the chain commitment after the deadline's challenge and before now with the chain's randomness there, partitions
    /// that exist (else ErrNotFound) with skipped sectors inside them. Skipped sectors become faulty (their recoveries
    /// retracted); recovering sectors the proof covered are healthy again.
    /// </summary>
    private (long ExitCode, byte[]? Return, string? Error) SubmitWindowedPoSt(SubmitWindowedPoStParams p, long epoch)
    {
        if (p.Deadline >= DeadlineInfo.PeriodDeadlines)
        {
            return Illegal($"invalid deadline {p.Deadline} of {DeadlineInfo.PeriodDeadlines}");
        }

        var current = DeadlineInfo.At(epoch, _options.PeriodOffset);
        if (p.Deadline != (ulong)current.Index)
        {
            return Illegal($"invalid deadline {p.Deadline} at epoch {epoch}, expected {current.Index}");
        }

        if (p.Partitions.Count == 0)
        {
            return Illegal("no partitions to prove");
        }

        if (p.Proofs.Count != 1)
        {
            return Illegal($"expected exactly one proof, got {p.Proofs.Count}");
        }

        var proofType = PoStProofInfo.ForSectorSize(_options.SectorSize, PoStType.Window).Proof;
        if (p.Proofs[0].ProofType != proofType)
        {
            return Illegal($"expected proof of type {proofType}, got {p.Proofs[0].ProofType}");
        }

        if (p.Proofs[0].ProofBytes is not { Length: > 0 })
        {
            return Illegal("empty proof bytes");
        }

        if (p.ChainCommitEpoch >= epoch)
        {
            return Illegal($"PoSt chain commitment {p.ChainCommitEpoch} must be in the past (inclusion at {epoch})");
        }

        if (p.ChainCommitEpoch < current.Challenge)
        {
            return Illegal($"PoSt chain commitment {p.ChainCommitEpoch} too far in the past, must be after {current.Challenge}");
        }

        if (p.ChainCommitRand is not { Length: 32 } rand)
        {
            return Illegal($"ChainCommitRand is {p.ChainCommitRand?.Length ?? 0} bytes, randomness is 32");
        }

        if (!rand.AsSpan().SequenceEqual(Draw("tickets", DomainSeparationTag.PoStChainCommit, p.ChainCommitEpoch, [], epoch)))
        {
            return Illegal($"post commit randomness mismatched at epoch {p.ChainCommitEpoch}");
        }

        var plan = new List<(int Partition, Dictionary<ulong, DevnetState.SectorEntry> Members, HashSet<ulong> Skipped)>();
        foreach (var partition in p.Partitions)
        {
            var members = PartitionMembers((int)p.Deadline, partition.Index);
            if (members.Count == 0)
            {
                return (ExitCodes.ErrNotFound, null, $"no such partition {partition.Index} in deadline {p.Deadline}");
            }

            if (partition.Skipped.FirstOrDefault(s => !members.ContainsKey(s), ulong.MaxValue) is var outside && outside != ulong.MaxValue)
            {
                return Illegal($"skipped faults contain sector {outside}, outside partition {partition.Index} of deadline {p.Deadline}");
            }

            var already = _state.PoSts.Any(x => x.Deadline == (int)p.Deadline && x.Partition == (int)partition.Index && x.Epoch >= current.Open);
            if (!already && plan.TrueForAll(x => x.Partition != (int)partition.Index))
            {
                plan.Add(((int)partition.Index, members, [.. partition.Skipped]));
            }
        }

        foreach (var (partition, members, skipped) in plan)
        {
            foreach (var (number, sector) in members)
            {
                if (skipped.Contains(number))
                {
                    sector.Faulty = true;
                    sector.Recovering = false;
                }
                else if (sector.Recovering)
                {
                    sector.Faulty = false;
                    sector.Recovering = false;
                }
            }

            _state.PoSts.Add(new DevnetState.PoStEntry { Deadline = (int)p.Deadline, Partition = partition, Epoch = epoch });
        }

        return (ExitCodes.Ok, null, null);
    }

    /// <summary>
    /// DeclareFaults / DeclareFaultsRecovered at <paramref name="epoch"/>: each declaration's deadline before its fault
    /// cutoff (the deadline's next occurrence that has not closed), its partition there (else ErrNotFound) and its
    /// sectors in it. Faults mark sectors faulty and retract their recoveries; recoveries mark faulty sectors recovering
    /// (sectors that are not faulty are ignored).
    /// </summary>
    private (long ExitCode, byte[]? Return, string? Error) Declare(IReadOnlyList<(ulong Deadline, ulong Partition, BitField Sectors)> declarations, long epoch, bool recovered)
    {
        var current = DeadlineInfo.At(epoch, _options.PeriodOffset);
        var plan = new List<(Dictionary<ulong, DevnetState.SectorEntry> Members, BitField Sectors)>();
        foreach (var (deadline, partition, sectors) in declarations)
        {
            if (deadline >= DeadlineInfo.PeriodDeadlines)
            {
                return Illegal($"invalid deadline {deadline} of {DeadlineInfo.PeriodDeadlines}");
            }

            var open = current.PeriodStart + ((long)deadline * DeadlineInfo.ChallengeWindow);
            if (open + DeadlineInfo.ChallengeWindow <= epoch)
            {
                open += DeadlineInfo.ProvingPeriod;
            }

            if (epoch >= open - DeadlineInfo.DeclarationCutoff)
            {
                return Illegal($"late fault or recovery declaration for deadline {deadline} at epoch {epoch} (its cutoff was {open - DeadlineInfo.DeclarationCutoff})");
            }

            var members = PartitionMembers((int)deadline, partition);
            if (members.Count == 0)
            {
                return (ExitCodes.ErrNotFound, null, $"no such partition {partition} in deadline {deadline}");
            }

            if (sectors.FirstOrDefault(s => !members.ContainsKey(s), ulong.MaxValue) is var outside && outside != ulong.MaxValue)
            {
                return Illegal($"sector {outside} is not assigned to partition {partition} of deadline {deadline}");
            }

            plan.Add((members, sectors));
        }

        foreach (var (members, sectors) in plan)
        {
            foreach (var n in sectors)
            {
                var sector = members[n];
                if (recovered)
                {
                    sector.Recovering |= sector.Faulty;
                }
                else
                {
                    sector.Faulty = true;
                    sector.Recovering = false;
                }
            }
        }

        return (ExitCodes.Ok, null, null);
    }

    private Dictionary<ulong, DevnetState.SectorEntry> PartitionMembers(int deadline, ulong partition) =>
        _state.Sectors.Where(s => s.Value.Deadline == deadline && (ulong)s.Value.Partition == partition).ToDictionary(s => s.Key, s => s.Value);
}
