using Kiln.Api.Types;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Testing;

namespace Kiln.Cluster.Tests;

/// <summary>
/// The lotus-bench 2 KiB sector sealed once (t01000, sector 1) and copied under other sector numbers into storage
/// paths: the sealed file and the whole cache (p_aux, t_aux, trees). A copy is a valid replica for PoSt under its new
/// number, since PoSt challenges derive from the sector number and the proofs check against the same comm_r.
/// </summary>
public sealed class BenchSectorTemplate : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-bench-sector-").FullName;

    private string Root => Path.Combine(_dir, "store");

    private static string Name(ulong number) => new SectorId(BenchSector.Miner, number).ToSectorName();

    public async Task InitializeAsync()
    {
        using var index = await SqlSectorIndex.OpenSqliteAsync(Path.Combine(_dir, "index.sqlite"), TimeProvider.System, CancellationToken.None);
        var store = new LocalStore(index, new LocalStoreOptions { StorageConfigFile = Path.Combine(_dir, "storage.json"), Urls = ["http://127.0.0.1:1/remote"] });
        await BenchSector.SealAsync(store, index, Root, Path.Combine(_dir, "work"));
    }

    /// <summary>Writes copies of the sealed sector as <paramref name="numbers"/> under <paramref name="root"/>'s sealed/ and cache/.</summary>
    public void CopyTo(string root, IEnumerable<ulong> numbers)
    {
        foreach (var n in numbers)
        {
            Directory.CreateDirectory(Path.Combine(root, "sealed"));
            File.Copy(Path.Combine(Root, "sealed", Name(1)), Path.Combine(root, "sealed", Name(n)));
            var cache = Directory.CreateDirectory(Path.Combine(root, "cache", Name(n))).FullName;
            foreach (var f in Directory.GetFiles(Path.Combine(Root, "cache", Name(1))))
            {
                File.Copy(f, Path.Combine(cache, Path.GetFileName(f)));
            }
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
