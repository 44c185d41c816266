using Kiln.Proofs.Merkle;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;
using Kiln.Worker.Bench;
using Kiln.Worker.Cli;

namespace Kiln.Proofs.Tests.PoSt;

/// <summary>An 8 MiB synthetic sealed sector on disk (random canonical replica, tree-r-last with rows_to_discard 2, p_aux), built once per test class.</summary>
public sealed class Synthetic8MiBSector : IDisposable
{
    public Synthetic8MiBSector()
    {
        Dir = Directory.CreateTempSubdirectory("kiln-post-8m-").FullName;
        Sector = SyntheticSector.Create(Dir, 8UL << 20, new Random(8), maxDegreeOfParallelism: 2);
    }

    public string Dir { get; }

    internal SyntheticSector Sector { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>Window and Winning vanilla proofs of an 8 MiB sector: a LevelCacheStore that drops two rows above the leaves.</summary>
public sealed class SyntheticSectorPoStTests(Synthetic8MiBSector fixture) : IClassFixture<Synthetic8MiBSector>
{
    private static readonly byte[] Randomness = Convert.FromHexString("2fb40fd7043336d645cd138963c6f960f649db53a0f532e264598e9f53e2ed23");

    private SyntheticSector Sector => fixture.Sector;

    [Fact]
    public void Tree_r_last_is_a_level_cache_of_rows_3_and_up()
    {
        Assert.Equal(2, Sector.Shape.RowsToDiscard);
        Assert.Equal(18720, new FileInfo(CacheFiles.TreeRLast(Sector.CacheDir, Sector.Shape, 0)).Length);
        Assert.Equal("sc-02-data-tree-r-last.dat", Path.GetFileName(CacheFiles.TreeRLast(Sector.CacheDir, Sector.Shape, 0)));
        var reopened = SyntheticSector.TryOpen(fixture.Dir, 8UL << 20);
        Assert.NotNull(reopened);
        Assert.Equal(Sector.CommR, reopened.CommR);
        Assert.Null(SyntheticSector.TryOpen(fixture.Dir, 512UL << 20));
    }

    [Theory]
    [InlineData(RegisteredPoStProof.StackedDrgWindow8MiBV1_1, 15280)]
    [InlineData(RegisteredPoStProof.StackedDrgWinning8MiBV1, 100176)]
    public void Vanilla_proofs_generate_and_verify(RegisteredPoStProof proof, int bytes)
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof, Randomness, [42])[42];

        var vanilla = VanillaPoSt.GenerateSingleVanillaProof(Sector.Replica(proof, 42), challenges, maxDegreeOfParallelism: 2);

        Assert.Equal(bytes, vanilla.Length);
        Assert.True(VanillaPoSt.VerifyVanillaProof(proof, Randomness, 42, Sector.CommR, vanilla, out var failure), failure);
        var parsed = FallbackPoStSectorProof.Parse(vanilla);
        Assert.All(parsed.Sectors[0].InclusionProofs, p => Assert.Equal(1516, MerkleProofBincode.GetByteLength(p)));
        Assert.Equal(challenges.Select(c => (long)c), parsed.Sectors[0].InclusionProofs.Select(p => p.LeafIndex));

        var tampered = (byte[])vanilla.Clone();
        tampered[vanilla.Length / 2] ^= 0x01;
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Randomness, 42, Sector.CommR, tampered));
    }

    [Fact]
    public void Legacy_window_proofs_verify_at_their_sector_position()
    {
        var proof = RegisteredPoStProof.StackedDrgWindow8MiBV1;
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(proof, Randomness, [5, 6]);

        var second = VanillaPoSt.GenerateSingleVanillaProof(Sector.Replica(proof, 6), challenges[6]);

        Assert.True(VanillaPoSt.VerifyVanillaProof(proof, Randomness, 6, Sector.CommR, second, sectorIndex: 1));
        Assert.False(VanillaPoSt.VerifyVanillaProof(proof, Randomness, 6, Sector.CommR, second, sectorIndex: 0));
    }

    [Fact]
    public void Proofs_of_every_leaf_of_one_discarded_subtree_and_the_sector_ends()
    {
        using var tree = SectorTree.OpenTreeRLast(Sector.Shape, Sector.CacheDir, Sector.ReplicaPath);
        Assert.Equal(Sector.CommRLast, tree.Root.ToArray());
        var leaves = Enumerable.Range(512 * 37, 512).Select(i => (long)i).Concat([0, (long)Sector.Shape.Nodes - 1]);
        foreach (var leaf in leaves)
        {
            Assert.True(tree.GenerateProof(leaf).Validate(leaf), $"leaf {leaf}");
        }
    }

    [Fact]
    public void Bench_reuses_the_sector_and_reports_latencies()
    {
        var report = VanillaPostBench.Run(8UL << 20, fixture.Dir, 6, 2, 1, null, CancellationToken.None);

        Assert.True(report.Reused);
        Assert.Equal(6, report.Sectors);
        Assert.Equal(15280, report.ProofBytes);
        Assert.True(report.P50Ms > 0 && report.P50Ms <= report.P99Ms && report.P99Ms <= report.MaxMs);
        Assert.True(report.ProofsPerSecond > 0);
        Assert.Contains("p99", report.ToText(), StringComparison.Ordinal);
        Assert.Contains("\"p99Ms\"", report.ToJson(), StringComparison.Ordinal);
        Assert.Contains(BenchCommands.Build().Subcommands, c => c.Name == "vanilla-post");
    }
}
