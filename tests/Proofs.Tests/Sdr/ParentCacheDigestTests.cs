using System.Diagnostics;
using Kiln.Proofs.Sdr;
using Xunit.Abstractions;

namespace Kiln.Proofs.Tests.Sdr;

/// <summary>Whole-file SHA-256 of generated parent caches: the graphs of rust-fil-proofs create_label/multi.rs <c>test_create_labels</c>
/// and the upstream manifest storage-proofs-porep/parent_cache.json.</summary>
[Collection(LargeCacheCollection.Name)]
public class ParentCacheDigestTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("A", 64, 0x00, ProofsApiVersion.V1_0_0, "3da49221e2ed55371b86d0bf3d6526fcf128af61bed904f966428db1b531750d")]
    [InlineData("B", 128, 0x00, ProofsApiVersion.V1_0_0, "59f0e851a363b501c427a69b2323ff7f3fa60208aa676179664449f3d49d3864")]
    [InlineData("C", 64, 0x7b, ProofsApiVersion.V1_1_0, "a0843575fb8fda74f650b059e9af48c1e6bd0a6b7bfbc716ed7689fbaa0a42f4")]
    [InlineData("D", 128, 0x7b, ProofsApiVersion.V1_1_0, "c53fc721376640c2ec90346e14bcbd0d56b9ad182dab8b02f60c896ae2867dae")]
    public async Task Test_graph_cache_digests(string @case, int nodes, int porepByte, ProofsApiVersion version, string digest)
    {
        var graph = new StackedGraph(Enumerable.Repeat((byte)porepByte, 32).ToArray(), (ulong)nodes, version);
        Assert.Equal(digest, Convert.ToHexStringLower(await ParentCache.ComputeDigestAsync(graph)));

        // The written stream and the in-memory cache carry the same bytes.
        using var stream = new MemoryStream();
        Assert.Equal(digest, Convert.ToHexStringLower(await ParentCache.WriteAsync(graph, stream)));
        Assert.Equal(nodes * 56, stream.Length);
        Assert.Equal(digest, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream.ToArray())));
        using var cache = ParentCache.CreateInMemory(graph);
        Assert.Equal(digest, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(AllRows(cache)))));
        Assert.NotNull(@case);
    }

    [Theory]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1)]
    [InlineData(RegisteredSealProof.StackedDrg8MiBV1)]
    [InlineData(RegisteredSealProof.StackedDrg512MiBV1)]
    [InlineData(RegisteredSealProof.StackedDrg2KiBV1_1)]
    [InlineData(RegisteredSealProof.StackedDrg8MiBV1_1)]
    [InlineData(RegisteredSealProof.StackedDrg512MiBV1_1)]
    public async Task Manifest_digest_of_every_proof_up_to_512MiB(RegisteredSealProof proof)
    {
        var graph = new StackedGraph(SealProofInfo.Get(proof));
        Assert.True(ParentCacheManifest.TryGet(graph.CacheId, out var entry));
        Assert.Equal(SealProofInfo.Get(proof).SectorSize, entry.SectorSize);

        var watch = Stopwatch.StartNew();
        var digest = await ParentCache.ComputeDigestAsync(graph);
        watch.Stop();
        output.WriteLine($"{proof}: {graph.Nodes} nodes, {graph.CacheSize >> 20} MiB in {watch.Elapsed.TotalSeconds:F2} s = {graph.Nodes / watch.Elapsed.TotalSeconds / 1e6:F2} M nodes/s on {Environment.ProcessorCount} cores");
        Assert.Equal(Convert.ToHexStringLower(entry.Digest), Convert.ToHexStringLower(digest));
    }

    private static unsafe ReadOnlySpan<uint> AllRows(ParentCache cache)
        => new(cache.Pointer, checked((int)(cache.Nodes * StackedGraph.Degree)));
}
