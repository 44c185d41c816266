using System.Diagnostics.Metrics;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Miner.Jobs;
using Kiln.Miner.Scheduling;
using Kiln.Miner.Workers;
using Kiln.Stores;

namespace Kiln.Miner;

/// <summary>
/// kiln-miner's instruments, on one meter named <see cref="MeterName"/> (made by the host's
/// <see cref="IMeterFactory"/>, so it ends with the host): tasks handed to workers and their durations, Window PoSt
/// partition durations, the sealing scheduler's queue and pass time, connected workers.
/// </summary>
public sealed class MinerMetrics
{
    public const string MeterName = "Kiln.Miner";

    /// <summary>Bucket bounds of a scheduling pass, in seconds: 100 µs to 1 s (passes plan in memory).</summary>
    private static readonly double[] PassBounds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private static readonly KeyValuePair<string, object?> OnWorker = new("prover", "worker");
    private static readonly KeyValuePair<string, object?> OnMiner = new("prover", "miner");

    private readonly Meter _meter;
    private readonly TaskInstruments _tasks;
    private readonly Histogram<double> _partitionDuration;
    private readonly Histogram<double> _passDuration;

    public MinerMetrics(IMeterFactory factory)
        : this(Create(factory), new StoresMetrics(factory))
    {
    }

    /// <summary>The instruments on <paramref name="meter"/> (tests give their own), the stores' on the same meter.</summary>
    public MinerMetrics(Meter meter)
        : this(meter, new StoresMetrics(meter))
    {
    }

    private MinerMetrics(Meter meter, StoresMetrics stores)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        Stores = stores;
        _tasks = new TaskInstruments(meter, "kiln.miner", "Tasks the miner ran on workers (and PoSt it proved itself)");
        _partitionDuration = meter.CreateHistogram<double>(
            "kiln.miner.post.partition.duration", "s", "Seconds one Window PoSt partition attempt took, by prover (worker or miner) and outcome.");
        _passDuration = meter.CreateHistogram<double>(
            "kiln.miner.scheduler.pass.duration", "s", "Seconds one sealing scheduler pass took.", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = PassBounds });
    }

    /// <summary>The instruments of the sector storage this process fetches and reads vanilla proofs through.</summary>
    public StoresMetrics Stores { get; }

    /// <summary>A tracked task ended.</summary>
    public void TaskFinished(TaskType task, JobOutcome outcome, TimeSpan duration) => _tasks.Finished(task, Outcome(outcome), duration);

    /// <summary>A Window PoSt partition attempt ended; <paramref name="outcome"/> is the timeline's (Succeeded, Skipped, Failed, Aborted).</summary>
    public void PartitionFinished(bool local, string outcome, TimeSpan duration) =>
        _partitionDuration.Record(duration.TotalSeconds, local ? OnMiner : OnWorker, new KeyValuePair<string, object?>("outcome", Lower(outcome)));

    /// <summary>A sealing scheduler pass ended.</summary>
    public void SchedulerPass(TimeSpan duration) => _passDuration.Record(duration.TotalSeconds);

    /// <summary>Gauges read at each scrape: requests queued and fetches running in <paramref name="scheduler"/>.</summary>
    public void Observe(SealingScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _meter.CreateObservableGauge("kiln.miner.scheduler.queue", () => scheduler.QueueLength, "{request}", "Sealing requests waiting for a worker.");
        _meter.CreateObservableGauge("kiln.miner.scheduler.fetches", () => scheduler.FetchesRunning, "{fetch}", "Prepare steps (fetches to workers) running now.");
    }

    /// <summary>A gauge read at each scrape: workers connected to <paramref name="registry"/>, by kind and whether enabled.</summary>
    public void Observe(WorkerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _meter.CreateObservableGauge("kiln.miner.workers", () => WorkerCounts(registry), "{worker}", "Workers connected, by kind and whether enabled.");
    }

    private static IEnumerable<Measurement<int>> WorkerCounts(WorkerRegistry registry)
    {
        var workers = registry.Workers;
        foreach (var kind in Enum.GetValues<WorkerKind>())
        {
            foreach (var enabled in (bool[])[true, false])
            {
                yield return new Measurement<int>(
                    workers.Count(w => w.Kind == kind && w.Enabled == enabled),
                    new KeyValuePair<string, object?>("kind", Kind(kind)),
                    new KeyValuePair<string, object?>("enabled", enabled));
            }
        }
    }

    private static string Kind(WorkerKind kind) => kind switch
    {
        WorkerKind.Sealing => "sealing",
        WorkerKind.WindowPoSt => "windowpost",
        WorkerKind.WinningPoSt => "winningpost",
        _ => kind.ToString(),
    };

    private static string Outcome(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => TaskInstruments.Succeeded,
        JobOutcome.Failed => TaskInstruments.Failed,
        JobOutcome.Aborted => TaskInstruments.Aborted,
        _ => "running",
    };

    private static string Lower(string outcome) => outcome switch
    {
        "Succeeded" => "succeeded",
        "Skipped" => "skipped",
        "Failed" => "failed",
        "Aborted" => "aborted",
        _ => outcome,
    };

    private static Meter Create(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Create(MeterName);
    }
}
