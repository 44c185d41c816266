using System.Net;
using Kiln.Api.Types;
using Kiln.Miner.Repo;
using Kiln.Stores;
using Kiln.Stores.Index;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Hosting;

/// <summary>
/// <c>kiln-miner run --db</c>: the sector index lives in PostgreSQL (a restarted miner with a fresh repo finds its
/// declarations there), and a second miner actor on the same database is refused at start.
/// </summary>
public sealed class PostgresMinerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-pgminer-").FullName;
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_index_is_in_PostgreSQL_and_outlives_the_repo()
    {
        var storage = new StorageId(Guid.NewGuid().ToString());
        var sector = new SectorId(1000, 42);
        await using (var first = await StartAsync("repo-1", 1000))
        {
            Assert.Equal("postgres", ((SqlSectorIndex)first.Miner.Index).Backend);
            await first.Miner.Index.StorageAttachAsync(new StorageInfo(storage, ["http://10.0.0.9:3456/remote"], 10, 0, false, true, null, null, null, null, null, null), new FsStat(1L << 40, 1L << 39, 1L << 39, 0, 0, 0), CancellationToken.None);
            await first.Miner.Index.StorageDeclareSectorAsync(storage, sector, SectorFileType.Sealed, true, CancellationToken.None);
        }

        // A new repo (another host, say) on the same database sees the same index.
        await using var second = await StartAsync("repo-2", 1000);
        var found = await second.Miner.Index.StorageFindSectorAsync(sector, SectorFileType.Sealed, 0, false, CancellationToken.None);
        Assert.Equal(storage, Assert.Single(found).ID);
    }

    [Fact]
    public async Task A_second_miner_actor_on_the_same_database_is_refused_at_start()
    {
        await using (await StartAsync("repo-1", 1000))
        {
        }

        var e = await Assert.ThrowsAsync<StoresException>(() => StartAsync("repo-2", 1001));
        Assert.Contains("holds the state of miner f01000", e.Message, StringComparison.Ordinal);
    }

    private Task<MinerHost> StartAsync(string repo, ulong actor) =>
        MinerHost.StartAsync(
            MinerRepo.Open(Path.Combine(_dir, repo)),
            new MinerOptions { ActorId = actor, Database = _database.ConnectionString },
            new IPEndPoint(IPAddress.Loopback, 0),
            TimeProvider.System,
            CancellationToken.None);
}
