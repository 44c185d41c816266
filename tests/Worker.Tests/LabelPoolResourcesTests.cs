using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Worker.Cli;
using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests;

/// <summary>
/// The label pool and hugepage variables bind onto the run options, are checked at start, and shape the PC1 rows of
/// the resource table the worker reports, under the PC1_* overrides (unit: no I/O).
/// </summary>
public sealed class LabelPoolResourcesTests
{
    private const ulong GiB = 1UL << 30;
    private const ulong Sector32G = 32 * GiB;

    private static readonly RegisteredSealProof[] Proofs32G =
    [
        RegisteredSealProof.StackedDrg32GiBV1, RegisteredSealProof.StackedDrg32GiBV1_1, RegisteredSealProof.StackedDrg32GiBV1_1_Feat_SyntheticPoRep,
    ];

    private static WorkerOptions Bind(Dictionary<string, string> env) =>
        RunCommand.Bind(WorkerCli.Build().Parse("run"), name => env.GetValueOrDefault(name));

    [Fact]
    public void Pool_and_hugepage_variables_bind_onto_the_run_options()
    {
        var options = Bind(new()
        {
            ["MEM_POOL_SIZE"] = "304GiB",
            ["FIL_PROOFS_P1_TASKS"] = "6",
            ["FIL_PROOFS_P1_BLOCK"] = "16MiB",
            ["HUGEPAGE_FILES_PATH"] = "/mnt/huge_1g/pc1_1",
        });
        Assert.True(options.LabelPool.Enabled);
        Assert.Equal(304 * GiB, options.LabelPool.PoolSize);
        Assert.Equal(6, options.LabelPool.Jobs);
        Assert.Equal(16UL << 20, options.LabelPool.BlockSize);
        Assert.Equal("/mnt/huge_1g/pc1_1/numa_$NUMA_NODE_INDEX", options.HugepageFiles.Pattern);
        var layout = options.LabelPoolFor(Sector32G)!;
        Assert.Equal(6, layout.Jobs);
        Assert.Equal(2048, layout.BlocksPerLayer);

        var plain = Bind([]);
        Assert.False(plain.LabelPool.Enabled);
        Assert.False(plain.HugepageFiles.Enabled);
        Assert.Null(plain.LabelPoolFor(Sector32G));
    }

    [Theory]
    [InlineData("MEM_POOL_SIZE", "a lot")]
    [InlineData("FIL_PROOFS_P1_BLOCK", "100")]
    [InlineData("FIL_PROOFS_P1_TASKS", "none")]
    [InlineData("HUGEPAGE_FILES_PATH_PATTERN", "/mnt/huge/numa")]
    public void Bad_values_stop_the_worker_naming_the_variable(string name, string value)
    {
        var e = Assert.Throws<ProofsException>(() => Bind(new() { [name] = value }));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_that_does_not_fit_the_miners_sectors_fails_at_start()
    {
        var options = Bind(new() { ["MEM_POOL_SIZE"] = "100GiB", ["FIL_PROOFS_P1_TASKS"] = "6" });
        var e = Assert.Throws<ProofsException>(() => options.LabelPoolFor(Sector32G));
        Assert.Contains("below the minimum", e.Message, StringComparison.Ordinal);

        // For 512 MiB sectors the same 100 GiB is more than six jobs can use (2N·S = 6 GiB).
        Assert.Contains("above the maximum", Assert.Throws<ProofsException>(() => options.LabelPoolFor(512UL << 20)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_pool_the_table_is_lotus_default_with_overrides()
    {
        var env = new Dictionary<string, string> { ["PC1_32G_MAX_CONCURRENT"] = "3" };
        var table = WorkerResourceTable.For(null, env.GetValueOrDefault);
        Assert.Equal(3, table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1].MaxConcurrent);
        Assert.Equal(ResourceTable.Default[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1] with { MaxConcurrent = 3 }, table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1]);
    }

    [Fact]
    public void A_pool_sets_pc1_concurrency_and_memory_to_its_jobs_and_share()
    {
        var layout = LabelPoolLayout.Create(Sector32G, 6, LabelPoolOptions.DefaultBlockSize, null);
        var table = WorkerResourceTable.For(layout, _ => null);
        var share = (19 * Sector32G / 2 + 5) / 6;
        foreach (var proof in Proofs32G)
        {
            var pc1 = table[TaskType.PreCommit1][proof];
            Assert.Equal(6, pc1.MaxConcurrent);
            Assert.Equal(share, pc1.MaxMemory);
            Assert.Equal(share, pc1.MinMemory);
            Assert.Equal(ResourceTable.Default[TaskType.PreCommit1][proof].BaseMinMemory, pc1.BaseMinMemory);
            Assert.Equal(1, pc1.MaxParallelism);
        }

        // N jobs at their share fill the pool exactly: lotus-miner schedules PC1 by pool capacity.
        Assert.InRange(6 * table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1].MaxMemory, layout.PoolSize, layout.PoolSize + 5);

        // Other sizes, unseal (PC1's figures in Lotus) and other tasks keep the defaults.
        Assert.Equal(ResourceTable.Default[TaskType.PreCommit1][RegisteredSealProof.StackedDrg64GiBV1_1], table[TaskType.PreCommit1][RegisteredSealProof.StackedDrg64GiBV1_1]);
        Assert.Equal(ResourceTable.Default[TaskType.Unseal][RegisteredSealProof.StackedDrg32GiBV1_1], table[TaskType.Unseal][RegisteredSealProof.StackedDrg32GiBV1_1]);
        Assert.Equal(ResourceTable.Default[TaskType.AddPiece][RegisteredSealProof.StackedDrg32GiBV1_1], table[TaskType.AddPiece][RegisteredSealProof.StackedDrg32GiBV1_1]);
    }

    [Fact]
    public void A_pool_without_sharing_reads_as_lotus_own_figures()
    {
        var layout = LabelPoolLayout.Create(Sector32G, 4, LabelPoolOptions.DefaultBlockSize, 8 * Sector32G);
        var pc1 = WorkerResourceTable.For(layout, _ => null)[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1];
        var lotus = ResourceTable.Default[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1];
        Assert.Equal(lotus with { MaxConcurrent = 4 }, pc1);
    }

    [Fact]
    public void Explicit_pc1_overrides_win_over_the_pool()
    {
        var layout = LabelPoolLayout.Create(Sector32G, 6, LabelPoolOptions.DefaultBlockSize, null);
        var env = new Dictionary<string, string>
        {
            ["PC1_32G_MAX_CONCURRENT"] = "4",
            ["PC1_MIN_MEMORY"] = "1000",
        };
        var pc1 = WorkerResourceTable.For(layout, env.GetValueOrDefault)[TaskType.PreCommit1][RegisteredSealProof.StackedDrg32GiBV1_1];
        Assert.Equal(4, pc1.MaxConcurrent);
        Assert.Equal(1000UL, pc1.MinMemory);
        Assert.Equal(layout.PerJobSize, pc1.MaxMemory);
    }

    [Fact]
    public async Task Info_reports_the_pool_shaped_table()
    {
        var options = Bind(new() { ["MEM_POOL_SIZE"] = "14KiB" });
        var layout = options.LabelPoolFor(2048)!;
        Assert.Equal(6, layout.Jobs);
        await using var api = new WorkerApi(options, null!, null!, null!, _ => null, NullLogger.Instance, layout);
        var info = await api.InfoAsync(CancellationToken.None);
        var pc1 = info.Resources.Resources![TaskType.PreCommit1][RegisteredSealProof.StackedDrg2KiBV1_1];
        Assert.Equal(6, pc1.MaxConcurrent);
        Assert.Equal((14UL * 1024 + 5) / 6, pc1.MaxMemory);
        Assert.Same(layout, api.LabelPool);
    }
}
