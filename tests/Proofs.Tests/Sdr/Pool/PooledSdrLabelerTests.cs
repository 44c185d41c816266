using System.Security.Cryptography;
using Kiln.Proofs.Interop;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;

namespace Kiln.Proofs.Tests.Sdr.Pool;

/// <summary>PC1 labeling with its layers in a shared <see cref="LabelPool"/>: the same layer files as single-sector labeling.</summary>
public sealed class PooledSdrLabelerTests(ProductionGraphs graphs) : IClassFixture<ProductionGraphs>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-pooled-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<LabelKernel> Kernels() => new(KilnNative.IsAvailable ? [LabelKernel.Managed, LabelKernel.Native] : [LabelKernel.Managed]);

    /// <summary>Case C (rust-fil-proofs test_create_labels' 2 KiB V1_1_0 setup: 64 nodes, porep 7b×32, replica 09×32) — sha256 of each of the 11 layer files.</summary>
    private static string[] CaseCLayerDigests => SdrLabelVectorTests.LayerDigests["C"];

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static byte[] ReplicaId(int seed)
    {
        var id = new byte[32];
        new Random(seed).NextBytes(id);
        id[31] &= 0x3F;
        return id;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public async Task Three_jobs_in_a_minimum_pool_reproduce_the_eleven_layer_vectors_and_single_sector_labels(LabelKernel kernel)
    {
        using var parents = ParentCache.CreateInMemory(new StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));
        // 64 nodes = 2 KiB; 16 blocks of 4 nodes per layer; (N+1)·S: the jobs must take turns.
        using var pool = new LabelPool(LabelPoolLayout.Create(2048, 3, 128, 4 * 2048));
        var ids = new[] { Enumerable.Repeat((byte)9, 32).ToArray(), ReplicaId(1), ReplicaId(2) };
        var dirs = ids.Select((_, i) => Path.Combine(_dir, $"pooled-{i}")).ToArray();

        await Task.WhenAll(ids.Select((id, i) => Task.Factory.StartNew(
            () => PooledSdrLabeler.Label(pool, parents, id, 11, dirs[i], kernel),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        Assert.Equal(CaseCLayerDigests, Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(dirs[0], l))));
        for (var i = 1; i < ids.Length; i++)
        {
            var single = Path.Combine(_dir, $"single-{i}");
            SdrLabeler.Label(parents, ids[i], 11, single, kernel);
            for (var l = 1; l <= 11; l++)
            {
                Assert.Equal(Sha(CacheFiles.Layer(single, l)), Sha(CacheFiles.Layer(dirs[i], l)));
            }
        }

        Assert.Equal(0, pool.BlocksInUse);
        Assert.True(pool.HighWaterBlocks <= pool.TotalBlocks);
        Assert.Equal(0, pool.ActiveJobs);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public async Task Two_8MiB_jobs_in_the_default_pool_reproduce_the_zero_sector_layers(LabelKernel kernel)
    {
        // StackedDrg8MiBV1_1 zero sector, replica_id 49808a3f…4f3e (t01000, sector 1, ticket 01×32); the second job labels another sector beside it.
        var parents = graphs.Get(RegisteredSealProof.StackedDrg8MiBV1_1);
        using var pool = new LabelPool(LabelPoolLayout.Create(8 << 20, 2, LabelPoolOptions.DefaultBlockSize, null));
        Assert.Equal(16, pool.BlocksPerLayer);
        Assert.Equal((3UL * 2 + 1) * (8 << 20) / 2, pool.Layout.PoolSize);
        var vector = Convert.FromHexString("49808a3f801fc76f8e0a19e5f87f2810b61d0fb8cef7816a7396ab91d1774f3e");
        var dirs = new[] { Path.Combine(_dir, "v"), Path.Combine(_dir, "w") };

        await Task.WhenAll(new[] { vector, ReplicaId(7) }.Select((id, i) => Task.Factory.StartNew(
            () => PooledSdrLabeler.Label(pool, parents, id, 2, dirs[i], kernel),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        Assert.Equal("7c8f81d4aca9695372220103a96b81705e5f3bc43e7790cc584508cbea1e54a4", Sha(CacheFiles.Layer(dirs[0], 1)));
        Assert.Equal("d9b98d32f3828161ac062e32ed9f4e07662e97f8d4707e3343f6553c1d02ddcb", Sha(CacheFiles.Layer(dirs[0], 2)));
        Assert.Equal(0, pool.BlocksInUse);
    }

    [Fact]
    public void A_job_resumes_from_its_layer_files_reading_the_last_one_back_into_the_pool()
    {
        using var parents = ParentCache.CreateInMemory(new StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));
        using var pool = new LabelPool(LabelPoolLayout.Create(2048, 1, 128, null));
        var dir = Path.Combine(_dir, "resume");
        SdrLabeler.Label(parents, Enumerable.Repeat((byte)9, 32).ToArray(), 11, dir);
        for (var l = 6; l <= 11; l++)
        {
            File.Delete(CacheFiles.Layer(dir, l));
        }

        File.WriteAllBytes(CacheFiles.Temporary(CacheFiles.Layer(dir, 6)), [1, 2, 3]); // a torn write from the crash

        var times = PooledSdrLabeler.Label(pool, parents, Enumerable.Repeat((byte)9, 32).ToArray(), 11, dir);

        Assert.All(times.Take(5), t => Assert.Equal(TimeSpan.Zero, t));
        Assert.Equal(CaseCLayerDigests, Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(dir, l))));
        Assert.False(File.Exists(CacheFiles.Temporary(CacheFiles.Layer(dir, 6))));
        Assert.Equal(0, pool.BlocksInUse);
    }

    [Fact]
    public async Task A_cancelled_job_gives_its_blocks_back_and_the_next_job_runs()
    {
        var parents = graphs.Get(RegisteredSealProof.StackedDrg8MiBV1_1);
        using var pool = new LabelPool(LabelPoolLayout.Create(8 << 20, 1, LabelPoolOptions.DefaultBlockSize, null));
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Layer == 1 && p.NodesDone > 100_000)
            {
                cts.Cancel();
            }
        });

        var cancelled = Task.Factory.StartNew(
            () => PooledSdrLabeler.Label(pool, parents, ReplicaId(3), 2, Path.Combine(_dir, "x"), LabelKernel.Auto, progress, cts.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(0, pool.BlocksInUse);
        Assert.Equal(0, pool.ActiveJobs);
        Assert.False(File.Exists(CacheFiles.Layer(Path.Combine(_dir, "x"), 1)));

        PooledSdrLabeler.Label(pool, parents, ReplicaId(3), 1, Path.Combine(_dir, "y"));
        Assert.True(File.Exists(CacheFiles.Layer(Path.Combine(_dir, "y"), 1)));
    }

    [Fact]
    public void A_pool_for_another_sector_size_is_refused()
    {
        using var parents = ParentCache.CreateInMemory(new StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));
        using var pool = new LabelPool(LabelPoolLayout.Create(4096, 1, 128, null));
        var e = Assert.Throws<ArgumentException>(() => PooledSdrLabeler.Label(pool, parents, new byte[32], 2, Path.Combine(_dir, "z")));
        Assert.Contains("4096-byte sectors", e.Message, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<LabelingProgress> report) : IProgress<LabelingProgress>
    {
        public void Report(LabelingProgress value) => report(value);
    }
}
