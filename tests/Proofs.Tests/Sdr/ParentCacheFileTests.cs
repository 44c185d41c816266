using System.Security.Cryptography;
using Kiln.Proofs.Sdr;
using Kiln.Testing;

namespace Kiln.Proofs.Tests.Sdr;

/// <summary>OpenOrCreateAsync against real files in a temporary directory.</summary>
public sealed class ParentCacheFileTests : IDisposable
{
    private const string Digest2KiBV1_1 = "840057702eea7652cf97e04306c30fe57174714d90de156a25eddd6075c25b97";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kiln-parents-" + Guid.NewGuid().ToString("N"));

    private ParentCacheOptions Options(bool verify = false) => new()
    {
        Directory = _directory,
        VerifyCache = verify,
        LockPollInterval = TimeSpan.FromMilliseconds(20),
    };

    private static SealProofInfo Proof => SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1);

    private string ExpectedPath => Path.Combine(_directory, "v28-sdr-parent-494d91dc80f2df5272c4b9e129bc7ade9405225993af9fe34e6542a39a47554b.cache");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Creates_the_file_with_the_rust_name_size_and_bytes_then_reuses_it()
    {
        using (var cache = await ParentCache.OpenOrCreateAsync(Proof, Options()))
        {
            Assert.Equal(ExpectedPath, cache.Path);
            Assert.Equal(64UL, cache.Nodes);
            var expected = new uint[14];
            new StackedGraph(Proof).Parents(63, expected);
            Assert.Equal(expected, cache.Parents(63).ToArray());
        }

        Assert.Equal(64 * 56, new FileInfo(ExpectedPath).Length);
        Assert.Equal(Digest2KiBV1_1, Hash(ExpectedPath));

        // Second open maps the same file instead of writing it again.
        var written = File.GetLastWriteTimeUtc(ExpectedPath);
        File.SetLastWriteTimeUtc(ExpectedPath, written.AddDays(-1));
        using (var again = await ParentCache.OpenOrCreateAsync(Proof, Options(verify: true)))
        {
            Assert.Equal(ExpectedPath, again.Path);
        }

        Assert.Equal(written.AddDays(-1), File.GetLastWriteTimeUtc(ExpectedPath));
    }

    [Fact]
    public async Task A_truncated_file_is_regenerated()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllBytesAsync(ExpectedPath, new byte[1000]);

        using var cache = await ParentCache.OpenOrCreateAsync(Proof, Options());
        Assert.Equal(64 * 56, new FileInfo(ExpectedPath).Length);
        Assert.Equal(Digest2KiBV1_1, Hash(ExpectedPath));
    }

    [Fact]
    public async Task A_corrupted_file_is_regenerated_when_verification_is_on()
    {
        using (await ParentCache.OpenOrCreateAsync(Proof, Options()))
        {
        }

        var bytes = await File.ReadAllBytesAsync(ExpectedPath);
        bytes[100] ^= 0xFF;
        await File.WriteAllBytesAsync(ExpectedPath, bytes);

        // Without verification the (same-size) file is trusted, as in rust-fil-proofs.
        using (var trusted = await ParentCache.OpenOrCreateAsync(Proof, Options(verify: false)))
        {
            Assert.NotEqual(Digest2KiBV1_1, Hash(ExpectedPath));
        }

        using var cache = await ParentCache.OpenOrCreateAsync(Proof, Options(verify: true));
        Assert.Equal(Digest2KiBV1_1, Hash(ExpectedPath));
    }

    [Fact]
    public async Task Concurrent_callers_both_succeed_with_identical_bytes()
    {
        var proof = SealProofInfo.Get(RegisteredSealProof.StackedDrg8MiBV1_1);
        var first = ParentCache.OpenOrCreateAsync(proof, Options());
        var second = ParentCache.OpenOrCreateAsync(proof, Options());
        using var a = await first;
        using var b = await second;

        Assert.Equal(a.Path, b.Path);
        Assert.Equal(a.Nodes, b.Nodes);
        Assert.True(Rows(a).SequenceEqual(Rows(b)));
        Assert.Equal("03cd13565ded97c240a5f52e54295ad127bd0461b57904cb3a4d79b097bbecab", Hash(a.Path!));
    }

    [Fact]
    public async Task Waits_for_another_writer_holding_the_exclusive_lock_then_opens_its_file()
    {
        Directory.CreateDirectory(_directory);
        var graph = new StackedGraph(Proof);
        Task<ParentCache> opening;

        var clock = new WatchedTimeProvider();
        var options = Options();
        options.Time = clock;

        // Play the other process: create-new + exclusive lock, write slowly.
        await using (var writer = new FileStream(ExpectedPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            opening = ParentCache.OpenOrCreateAsync(Proof, options);

            // Each look finds the file locked and sets a timer to look again; while the writer holds it, it keeps waiting.
            for (var look = 0; look < 3; look++)
            {
                await clock.WaitForTimerAsync(options.LockPollInterval);
                Assert.False(opening.IsCompleted);
                clock.Advance(options.LockPollInterval);
            }

            await clock.WaitForTimerAsync(options.LockPollInterval);
            await ParentCache.WriteAsync(graph, writer);
        }

        Assert.False(opening.IsCompleted);
        clock.Advance(options.LockPollInterval);
        using var cache = await opening.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ExpectedPath, cache.Path);
        Assert.Equal(Digest2KiBV1_1, Hash(ExpectedPath));
    }

    [Fact]
    public async Task Synthetic_proofs_are_not_in_the_manifest_and_are_generated_without_a_digest_check()
    {
        var proof = SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1_1_Feat_SyntheticPoRep);
        var graph = new StackedGraph(proof);
        Assert.False(ParentCacheManifest.TryGet(graph.CacheId, out _));

        using var cache = await ParentCache.OpenOrCreateAsync(proof, Options(verify: true));
        Assert.Equal(Path.Combine(_directory, "v28-sdr-parent-1aa0c04f9b6b2ba6ece696274b0f0b53438c9acd1ae1b3943d837bacb65ad66b.cache"), cache.Path);
        Assert.Equal(Convert.ToHexStringLower(await ParentCache.ComputeDigestAsync(graph)), Hash(cache.Path!));
    }

    [Fact]
    public void Manifest_holds_the_ten_upstream_entries()
    {
        Assert.Equal(10, ParentCacheManifest.Count);
        foreach (var info in SealProofInfo.All)
        {
            var inManifest = ParentCacheManifest.TryGet(new StackedGraph(info).CacheId, out var entry);
            Assert.Equal(info.Features == SealProofFeatures.None, inManifest);
            if (inManifest)
            {
                Assert.Equal(info.SectorSize, entry.SectorSize);
            }
        }
    }

    [Fact]
    public void In_memory_cache_rows_equal_the_graph()
    {
        var graph = new StackedGraph(SealProofInfo.Get(RegisteredSealProof.StackedDrg2KiBV1));
        using var cache = ParentCache.CreateInMemory(graph);
        Assert.Null(cache.Path);
        var expected = new uint[14];
        for (ulong node = 0; node < graph.Nodes; node++)
        {
            graph.Parents(node, expected);
            Assert.Equal(expected, cache.Parents(node).ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Parents(64).Length);
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cache.Parents(0).Length);
    }

    private static unsafe uint[] Rows(ParentCache cache)
        => new ReadOnlySpan<uint>(cache.Pointer, checked((int)(cache.Nodes * 14))).ToArray();

    private static string Hash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
