namespace Kiln.Miner.Chain.Devnet;

/// <summary>
/// The end of each deadline, as builtin-actors' miner actor processes it in its cron (actors/miner/src/lib.rs
/// handle_proving_deadline, state.rs advance_deadline, deadline_state.rs process_deadline_end, partition_state.rs
/// record_missed_post): every partition of the closing deadline that no Window PoSt proved in its challenge window has
/// its live sectors marked faulty and its recoveries dropped; partitions proven keep theirs. The deadline's PoSt
/// submissions then count for nothing in its next window (they are looked up by the window they landed in).
/// </summary>
/// <remarks>
/// The devnet charges no fault fee or penalty and never terminates a sector, however long it stays faulty (the actor
/// terminates sectors faulty for FaultMaxAge, 42 days).
/// </remarks>
public sealed partial class DevnetNode
{
    /// <summary>Each partition whose deadline closed without a Window PoSt for it, in order: its deadline, partition and the deadline's close epoch.</summary>
    public IReadOnlyList<(int Deadline, int Partition, long Close)> MissedPartitions
    {
        get
        {
            lock (_lock)
            {
                Advance();
                return [.. _state.Missed.Select(p => (p.Deadline, p.Partition, p.Epoch))];
            }
        }
    }

    /// <summary>
    /// Processes every deadline that closed after <see cref="DevnetState.DeadlinesClosedThrough"/> and at or before
    /// <paramref name="head"/>: the messages included up to its last epoch first, then its end. Whether the state changed.
    /// </summary>
    private bool CloseDeadlines(long head)
    {
        var through = _state.DeadlinesClosedThrough ?? head;
        var changed = false;
        var quietSince = through;
        for (var close = NextClose(through); close <= head; close = NextClose(close))
        {
            if (ExecuteThrough(close - 1))
            {
                quietSince = close - 1;
            }

            CloseDeadline(DeadlineInfo.At(close - 1, _options.PeriodOffset));
            _state.DeadlinesClosedThrough = close;
            changed = true;
            if (close - quietSince > DeadlineInfo.ProvingPeriod + DeadlineInfo.ChallengeWindow && !_state.Messages.Exists(m => !m.Executed && m.IncludedEpoch <= head))
            {
                // Every deadline has closed unproven since the last message landed: every live sector is faulty and
                // none recovering, so the closes still to come change nothing (a miner stopped for days catches up at once).
                _state.DeadlinesClosedThrough = head - PositiveModulo(head - _options.PeriodOffset, DeadlineInfo.ChallengeWindow);
                break;
            }
        }

        return changed;
    }

    /// <summary>
    /// builtin-actors deadline_state.rs process_deadline_end for <paramref name="deadline"/>: each partition without a
    /// PoSt in the deadline's window records a missed PoSt (partition_state.rs record_missed_post: all live sectors
    /// faulty, recoveries dropped), unless it has no recovering sector and every sector already faulty.
    /// </summary>
    private void CloseDeadline(DeadlineInfo deadline)
    {
        var proven = _state.PoSts
            .Where(p => p.Deadline == deadline.Index && p.Epoch >= deadline.Open && p.Epoch < deadline.Close)
            .Select(p => p.Partition)
            .ToHashSet();
        var missed = new List<int>();
        var faulted = 0;
        var dropped = 0;
        foreach (var partition in _state.Sectors.Values.Where(s => s.Deadline == deadline.Index).GroupBy(s => s.Partition).OrderBy(g => g.Key))
        {
            if (proven.Contains(partition.Key) || partition.All(s => s.Faulty && !s.Recovering))
            {
                continue;
            }

            foreach (var sector in partition)
            {
                faulted += sector.Faulty ? 0 : 1;
                dropped += sector.Recovering ? 1 : 0;
                sector.Faulty = true;
                sector.Recovering = false;
            }

            missed.Add(partition.Key);
            _state.Missed.Add(new DevnetState.PoStEntry { Deadline = deadline.Index, Partition = partition.Key, Epoch = deadline.Close });
        }

        if (missed.Count > 0)
        {
            Log.DeadlineMissed(_logger, deadline.Index, deadline.Open, deadline.Close, string.Join(",", missed), faulted, dropped);
        }
    }

    /// <summary>The first deadline close after <paramref name="epoch"/>: closes fall on epochs congruent to the period offset modulo the challenge window.</summary>
    private long NextClose(long epoch) =>
        epoch + 1 + PositiveModulo(_options.PeriodOffset - (epoch + 1), DeadlineInfo.ChallengeWindow);

    private static long PositiveModulo(long value, long modulus) => ((value % modulus) + modulus) % modulus;

    private static partial class Log
    {
        [LoggerMessage(EventId = 6390, EventName = "DevnetDeadlineMissed", Level = LogLevel.Warning, Message = "devnet chain: deadline {Deadline} (epochs {Open}..{Close}) closed without a Window PoSt for partitions {Partitions}: {Faulted} sectors marked faulty, {Dropped} recoveries dropped, as the miner actor records a missed PoSt")]
        public static partial void DeadlineMissed(ILogger logger, int deadline, long open, long close, string partitions, int faulted, int dropped);
    }
}
