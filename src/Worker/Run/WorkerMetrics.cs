using System.Diagnostics.Metrics;
using Kiln.Api.Metrics;
using Kiln.Api.Types;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Stores;

namespace Kiln.Worker.Run;

/// <summary>
/// kiln-worker's instruments, on one meter named <see cref="MeterName"/> (made by the host's
/// <see cref="IMeterFactory"/>, so it ends with the host): the tasks it executes and their durations, and the PC1
/// label pool's blocks.
/// </summary>
public sealed class WorkerMetrics
{
    public const string MeterName = "Kiln.Worker";

    private readonly Meter _meter;
    private readonly TaskInstruments _tasks;

    public WorkerMetrics(IMeterFactory factory)
        : this(Create(factory), new StoresMetrics(factory))
    {
    }

    /// <summary>The instruments on <paramref name="meter"/> (tests give their own), the stores' on the same meter.</summary>
    public WorkerMetrics(Meter meter)
        : this(meter, new StoresMetrics(meter))
    {
    }

    private WorkerMetrics(Meter meter, StoresMetrics stores)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        Stores = stores;
        _tasks = new TaskInstruments(meter, "kiln.worker", "Tasks this worker executed");
    }

    /// <summary>The instruments of the sector storage this process fetches and reads vanilla proofs through.</summary>
    public StoresMetrics Stores { get; }

    /// <summary>A task ended with <paramref name="outcome"/> (<see cref="TaskInstruments.Succeeded"/>, <see cref="TaskInstruments.Failed"/>, <see cref="TaskInstruments.Aborted"/>).</summary>
    public void TaskFinished(TaskType task, string outcome, TimeSpan duration) => _tasks.Finished(task, outcome, duration);

    /// <summary>Gauges read at each scrape: the label pool's blocks (in use, in all, bytes in use) and its PC1 jobs.</summary>
    public void Observe(LabelPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _meter.CreateObservableGauge("kiln.worker.label_pool.blocks.used", () => pool.BlocksInUse, "{block}", "Label pool blocks held by PC1 jobs now.");
        _meter.CreateObservableGauge("kiln.worker.label_pool.blocks.limit", () => pool.TotalBlocks, "{block}", "Blocks in the label pool.");
        _meter.CreateObservableGauge(
            "kiln.worker.label_pool.used", () => (long)pool.BlocksInUse * (long)pool.BlockSize, "By", "Bytes of the label pool held by PC1 jobs now.");
        _meter.CreateObservableGauge("kiln.worker.label_pool.jobs.active", () => pool.ActiveJobs, "{job}", "PC1 jobs labelling in the pool now.");
        _meter.CreateObservableGauge("kiln.worker.label_pool.jobs.queued", () => pool.QueuedJobs, "{job}", "PC1 jobs waiting for a place in the pool.");
    }

    private static Meter Create(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Create(MeterName);
    }
}
