using Kiln.Api.Types;

namespace Kiln.Miner.Scheduling;

/// <summary>What the tasks running on one worker use, and Lotus's admission rule (sched_resources.go CanHandleRequest).</summary>
public sealed class ActiveResources
{
    private readonly Dictionary<TaskType, int> _taskCounts = [];

    public ulong MemUsedMin { get; private set; }

    public ulong MemUsedMax { get; private set; }

    public ulong CpuUse { get; private set; }

    public double GpuUsed { get; private set; }

    public int Count(TaskType task) => _taskCounts.GetValueOrDefault(task);

    /// <summary>A copy a scheduling pass can plan with without holding the scheduler's lock.</summary>
    public ActiveResources Clone()
    {
        var copy = new ActiveResources { MemUsedMin = MemUsedMin, MemUsedMax = MemUsedMax, CpuUse = CpuUse, GpuUsed = GpuUsed };
        foreach (var (task, n) in _taskCounts)
        {
            copy._taskCounts[task] = n;
        }

        return copy;
    }

    public IReadOnlyDictionary<TaskType, int> TaskCounts => _taskCounts;

    /// <summary>Threads a task takes on this worker: MaxParallelism, −1 meaning 92% of the cores (GPU value when it runs on a GPU).</summary>
    public static ulong Threads(Resources r, ulong cpus, int gpus)
    {
        var mp = r.MaxParallelism;
        if (r.GPUUtilization > 0 && gpus > 0 && r.MaxParallelismGPU != 0)
        {
            mp = r.MaxParallelismGPU;
        }

        if (mp == -1)
        {
            var n = cpus * 92 / 100;
            return n == 0 ? cpus : n;
        }

        return (ulong)Math.Max(0, mp);
    }

    /// <summary>Whether a task needing <paramref name="need"/> fits next to what already runs.</summary>
    public bool CanHandle(Resources need, TaskType task, WorkerInfo info)
    {
        if (need.MaxConcurrent > 0 && Count(task) >= need.MaxConcurrent)
        {
            return false;
        }

        if (info.IgnoreResources)
        {
            return true;
        }

        var res = info.Resources;
        var memNeeded = need.MinMemory + need.BaseMinMemory;
        if (MemUsedMin > res.MemPhysical || memNeeded > res.MemPhysical - MemUsedMin)
        {
            return false;
        }

        var vmemNeeded = need.MaxMemory + need.BaseMinMemory;
        var vmemUsed = Math.Max(MemUsedMax, res.MemUsed + res.MemSwapUsed);
        var vmemTotal = res.MemPhysical + res.MemSwap;
        if (vmemUsed > vmemTotal || vmemNeeded > vmemTotal - vmemUsed)
        {
            return false;
        }

        var gpus = res.GPUs?.Count ?? 0;
        if (CpuUse + Threads(need, res.CPUs, gpus) > res.CPUs)
        {
            return false;
        }

        return gpus == 0 || need.GPUUtilization <= 0 || GpuUsed + need.GPUUtilization <= gpus;
    }

    /// <summary>max of the cpu, memory, virtual memory and gpu ratios (Lotus's utilization).</summary>
    public double Utilization(WorkerInfo info)
    {
        var res = info.Resources;
        var u = res.CPUs == 0 ? 0 : (double)CpuUse / res.CPUs;
        u = Math.Max(u, res.MemPhysical == 0 ? 0 : (double)MemUsedMin / res.MemPhysical);
        var vmemTotal = res.MemPhysical + res.MemSwap;
        u = Math.Max(u, vmemTotal == 0 ? 0 : (double)Math.Max(MemUsedMax, res.MemUsed + res.MemSwapUsed) / vmemTotal);
        var gpus = res.GPUs?.Count ?? 0;
        return gpus == 0 ? u : Math.Max(u, GpuUsed / gpus);
    }

    public void Add(Resources need, TaskType task, WorkerInfo info)
    {
        MemUsedMin += need.MinMemory;
        MemUsedMax += need.MaxMemory;
        CpuUse += Threads(need, info.Resources.CPUs, info.Resources.GPUs?.Count ?? 0);
        if ((info.Resources.GPUs?.Count ?? 0) > 0)
        {
            GpuUsed += need.GPUUtilization;
        }

        _taskCounts[task] = Count(task) + 1;
    }

    public void Remove(Resources need, TaskType task, WorkerInfo info)
    {
        MemUsedMin -= need.MinMemory;
        MemUsedMax -= need.MaxMemory;
        CpuUse -= Threads(need, info.Resources.CPUs, info.Resources.GPUs?.Count ?? 0);
        if ((info.Resources.GPUs?.Count ?? 0) > 0)
        {
            GpuUsed -= need.GPUUtilization;
        }

        _taskCounts[task] = Count(task) - 1;
    }
}
