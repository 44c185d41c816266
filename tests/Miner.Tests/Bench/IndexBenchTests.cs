using Kiln.Miner.Bench;

namespace Kiln.Miner.Tests.Bench;

/// <summary><c>kiln-miner bench index</c> on a small index: every declaration is found again, and group commit shares transactions.</summary>
public sealed class IndexBenchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-indexbench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_small_run_finds_every_sector_and_counts_its_transactions()
    {
        var single = await IndexBench.RunAsync(new IndexBenchOptions(Path.Combine(_dir, "single"), 2_000, 300, 8, 200, 3, GroupCommit: false), null, CancellationToken.None);
        var group = await IndexBench.RunAsync(new IndexBenchOptions(Path.Combine(_dir, "group"), 2_000, 300, 8, 200, 3), null, CancellationToken.None);

        Assert.Equal(300, single.Transactions); // one per declaration
        Assert.InRange(group.Transactions, 1, 300);
        Assert.All(new[] { single, group }, r =>
        {
            Assert.Equal((2_000L, 300, 8), (r.Sectors, r.Declarations, r.Clients));
            Assert.True(r.DeclarationsPerSecond > 0);
            Assert.True(r.FindP99 >= r.FindP50 && r.FindP50 > 0);
            Assert.True(r.AllocP99 >= r.AllocP50 && r.AllocP50 > 0);
            Assert.True(r.DatabaseBytes > 2_000 * 2 * 16, $"{r.DatabaseBytes} bytes for 4,600 declarations");
        });
    }
}
