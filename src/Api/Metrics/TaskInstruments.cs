using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kiln.Api.Types;

namespace Kiln.Api.Metrics;

/// <summary>
/// The task instruments kiln-miner and kiln-worker share the shape of: a counter <c>{prefix}.tasks</c> and a
/// histogram <c>{prefix}.task.duration</c> in seconds, both tagged <c>task</c> (Lotus's task id, e.g.
/// <c>seal/v0/precommit/1</c>) and <c>outcome</c>.
/// </summary>
public sealed class TaskInstruments
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Aborted = "aborted";

    private readonly Counter<long> _tasks;
    private readonly Histogram<double> _duration;

    /// <param name="meter">The process's meter.</param>
    /// <param name="prefix">The instrument names' start: <c>kiln.miner</c>.</param>
    /// <param name="tasks">What is counted, for the descriptions: "Tasks this worker executed".</param>
    public TaskInstruments(Meter meter, string prefix, string tasks)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _tasks = meter.CreateCounter<long>(prefix + ".tasks", "{task}", tasks + ", by task type and outcome.");
        _duration = meter.CreateHistogram<double>(prefix + ".task.duration", "s", "Seconds of each of the " + char.ToLowerInvariant(tasks[0]) + tasks[1..] + ", by task type and outcome.");
    }

    /// <summary>A task ended with <paramref name="outcome"/> (<see cref="Succeeded"/>, <see cref="Failed"/>, <see cref="Aborted"/>).</summary>
    public void Finished(TaskType task, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "task", TaskTypes.Id(task) }, { "outcome", outcome } };
        _tasks.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }
}
