using System.Collections.Concurrent;
using Kiln.Miner.Chain;

namespace Kiln.Miner.Proving;

/// <summary>
/// Collects the steps of one Window PoSt deadline or Winning PoSt round while it is proven (partitions add theirs
/// concurrently); the prover stores them in the <see cref="PoStHistory"/> when the proof ends, however it ends.
/// </summary>
public sealed class PoStTimeline
{
    private readonly ConcurrentQueue<PoStTimelineEntry> _entries = new();
    private readonly TimeProvider _time;

    private PoStTimeline(string proof, long epoch, int deadline, TimeProvider time)
    {
        Proof = proof;
        Epoch = epoch;
        Deadline = deadline;
        _time = time;
        Started = time.GetUtcNow();
    }

    public string Proof { get; }

    public long Epoch { get; }

    public int Deadline { get; }

    /// <summary>When the timeline was opened (the proof's wall clock starts here).</summary>
    public DateTimeOffset Started { get; }

    public DateTimeOffset Now => _time.GetUtcNow();

    public static PoStTimeline ForDeadline(DeadlineInfo deadline, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        return new PoStTimeline(PoStTimelineEntry.WindowProof, deadline.Open, deadline.Index, time);
    }

    public static PoStTimeline ForWinningRound(long epoch, TimeProvider time) => new(PoStTimelineEntry.WinningProof, epoch, -1, time);

    /// <summary>The steps so far, in the order they started.</summary>
    public IReadOnlyList<PoStTimelineEntry> Entries => [.. _entries.OrderBy(e => e.Start)];

    /// <summary>A step the miner ran itself, from <paramref name="start"/> until now.</summary>
    public void Local(string phase, DateTimeOffset start, int sectors, string outcome = "Succeeded", string? detail = null, int? partition = null) =>
        Add(phase, partition, PoStJobs.LocalHost, Guid.Empty, start, Now, sectors, outcome, detail);

    public void Add(string phase, int? partition, string host, Guid worker, DateTimeOffset start, DateTimeOffset end, int sectors, string outcome, string? detail = null) =>
        _entries.Enqueue(new PoStTimelineEntry(Proof, Epoch, Deadline, phase, partition, host, worker, start, end, sectors, outcome, detail));

    /// <summary>
    /// A partition's vanilla reads and SNARK as its worker timed them (<c>KilnTimings</c>): the worker's clock is not
    /// the miner's, so both steps are placed back to back ending when the answer arrived.
    /// </summary>
    public void WorkerReported(int partition, string host, Guid worker, DateTimeOffset answered, Kiln.Api.Types.PoStTimings timings, int sectors) =>
        Reported(partition, host, worker, answered, timings, sectors, "worker-reported");

    /// <summary>
    /// A partition's vanilla reads and SNARK as its <see cref="Kiln.Stores.PoSt.PartitionProver"/> timed them, placed
    /// back to back ending at <paramref name="answered"/>; <paramref name="reporter"/> (e.g. "worker-reported") is
    /// added to the detail when the times come from another clock.
    /// </summary>
    public void Reported(int partition, string host, Guid worker, DateTimeOffset answered, Kiln.Api.Types.PoStTimings timings, int sectors, string? reporter)
    {
        ArgumentNullException.ThrowIfNull(timings);
        var snarkStart = answered - TimeSpan.FromMicroseconds(timings.SnarkMicros);
        var readStart = snarkStart - TimeSpan.FromMicroseconds(timings.VanillaMicros);
        Add("vanilla", partition, host, worker, readStart, snarkStart, sectors, timings.VanillasRead == sectors ? "Succeeded" : "Skipped", reporter is null ? $"{timings.VanillasRead} of {sectors} read" : $"{timings.VanillasRead} of {sectors} read; {reporter}");
        if (timings.SnarkMicros > 0)
        {
            Add("snark", partition, host, worker, snarkStart, answered, timings.VanillasRead, "Succeeded", reporter);
        }
    }
}
