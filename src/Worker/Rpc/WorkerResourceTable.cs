using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Worker.Rpc;

/// <summary>
/// The resource table kiln-worker reports in <c>Info</c> (as Lotus storage/sealer/worker_local.go
/// <c>LocalWorker.Info</c> reports storiface <c>ParseResourceEnv</c>'s table), built in three layers, each
/// winning over the one before:
/// <list type="number">
/// <item>Lotus's default table (<see cref="ResourceTable.Default"/>).</item>
/// <item>With a label pool, the PC1 rows of every proof of the pool's sector size: <c>MaxConcurrent</c> = N, the jobs
/// the pool admits; <c>MaxMemory</c> = the pool's share per job (<see cref="LabelPoolLayout.PerJobSize"/>) and
/// <c>MinMemory</c> = the smaller of the default and that share. lotus-miner then hands the worker as many PC1s as
/// the pool runs and counts each at its share of the pool (a pool of <c>2N·S</c>, no sharing, reads as Lotus's own
/// figures). Other sizes and task types keep the defaults.</item>
/// <item>The worker's environment overrides <c>&lt;SHORT&gt;_[&lt;SIZE&gt;_]&lt;FIELD&gt;</c>, e.g.
/// <c>PC1_32G_MAX_CONCURRENT=4</c> or <c>PC1_MAX_MEMORY=…</c>: an explicit variable always has the last word, pool or not.</item>
/// </list>
/// </summary>
public static class WorkerResourceTable
{
    /// <summary>The table for <c>Info</c>: defaults, then the pool's PC1 rows (when <paramref name="pool"/> is set), then the environment.</summary>
    public static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> For(
        LabelPoolLayout? pool,
        Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return ResourceTable.WithOverrides(pool is null ? ResourceTable.Default : WithPool(ResourceTable.Default, pool), environment);
    }

    /// <summary><paramref name="table"/> with the PC1 rows of the pool's sector size sized by the pool.</summary>
    public static IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> WithPool(
        IReadOnlyDictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>> table,
        LabelPoolLayout pool)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(pool);
        var result = new Dictionary<TaskType, IReadOnlyDictionary<RegisteredSealProof, Resources>>(table);
        if (table.TryGetValue(TaskType.PreCommit1, out var pc1))
        {
            var share = pool.PerJobSize;
            result[TaskType.PreCommit1] = pc1.ToDictionary(
                row => row.Key,
                row => SectorSize(row.Key) == pool.SectorSize
                    ? row.Value with { MaxConcurrent = pool.Jobs, MaxMemory = share, MinMemory = Math.Min(row.Value.MinMemory, share) }
                    : row.Value);
        }

        return result;
    }

    private static ulong? SectorSize(RegisteredSealProof proof)
    {
        try
        {
            return SealProofInfo.Get(proof).SectorSize;
        }
        catch (ProofsException)
        {
            return null;
        }
    }
}
