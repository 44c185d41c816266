using System.Security.Cryptography;
using Kiln.Proofs.Sdr;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Proofs.Tests.Sdr;

/// <summary>PC1 jobs that start together are labeled as one batch, with the single-sector layer files.</summary>
public sealed class LabelBatcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-batcher-").FullName;
    private readonly ParentCache _parents = ParentCache.CreateInMemory(new StackedGraph(Enumerable.Repeat((byte)0x7b, 32).ToArray(), 64, ProofsApiVersion.V1_1_0));

    public void Dispose()
    {
        _parents.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static byte[] Id(int seed)
    {
        var id = new byte[32];
        new Random(seed).NextBytes(id);
        id[31] &= 0x3F;
        return id;
    }

    [Fact]
    public async Task Jobs_arriving_together_are_one_batch_and_match_single_sector_labels()
    {
        var batcher = new LabelBatcher(3, TimeSpan.FromMinutes(10));
        var ids = new[] { Enumerable.Repeat((byte)9, 32).ToArray(), Id(1), Id(2) };
        var dirs = ids.Select((_, i) => Path.Combine(_dir, $"b{i}")).ToArray();

        // The third arrival fills the batch: no waiting for the (long) gather time.
        await Task.WhenAll(ids.Select((id, i) => batcher.LabelAsync(_parents, id, 11, dirs[i], LabelKernel.Auto, CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, batcher.Batches);
        Assert.Equal(SdrLabelVectorTests.LayerDigests["C"], Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(dirs[0], l))));
        for (var i = 1; i < ids.Length; i++)
        {
            var single = Path.Combine(_dir, $"s{i}");
            SdrLabeler.Label(_parents, ids[i], 11, single);
            Assert.Equal(Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(single, l))), Enumerable.Range(1, 11).Select(l => Sha(CacheFiles.Layer(dirs[i], l))));
        }
    }

    [Fact]
    public async Task A_lone_job_starts_after_the_gather_time_and_a_cancelled_one_leaves_the_batch()
    {
        // The gather window runs on a fake clock: the cancellation lands inside it however slow the host is.
        var time = new FakeTimeProvider();
        var batcher = new LabelBatcher(4, TimeSpan.FromMilliseconds(300), time);
        using var cts = new CancellationTokenSource();
        var leaving = batcher.LabelAsync(_parents, Id(5), 2, Path.Combine(_dir, "gone"), LabelKernel.Auto, cts.Token);
        var staying = batcher.LabelAsync(_parents, Id(6), 2, Path.Combine(_dir, "kept"), LabelKernel.Auto, CancellationToken.None);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);

        time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.Equal(0, batcher.Batches);
        Assert.False(staying.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await staying.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, batcher.Batches);
        Assert.True(File.Exists(CacheFiles.Layer(Path.Combine(_dir, "kept"), 2)));
        Assert.False(Directory.Exists(Path.Combine(_dir, "gone")));
    }

    [Fact]
    public async Task A_batch_that_fails_fails_every_job_in_it()
    {
        var batcher = new LabelBatcher(2, TimeSpan.FromMinutes(10));
        var dir = Path.Combine(_dir, "same");
        var a = batcher.LabelAsync(_parents, Id(1), 2, dir, LabelKernel.Auto, CancellationToken.None);
        var b = batcher.LabelAsync(_parents, Id(2), 2, dir, LabelKernel.Auto, CancellationToken.None);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => a);
        Assert.Contains("its own cache directory", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => b);
    }
}
