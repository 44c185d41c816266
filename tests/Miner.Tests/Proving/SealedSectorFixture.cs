using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Proofs;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Kiln.Testing;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// The lotus-bench 2 KiB sector (t01000, sector 1, zero ticket, one zero piece) sealed by Kiln's PreCommit1/2 into a
/// LocalStore path of a temporary directory, with a <see cref="Kiln.Stores.Remote.VanillaProofReader"/> over it (local first, then the index's holders).
/// </summary>
public sealed class SealedSectorFixture : IAsyncLifetime
{
    public const string CommR = BenchSector.CommR;

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-post-").FullName;
    private SqlSectorIndex _index = null!;

    public ProvingSector Sector { get; } = new(1, RegisteredSealProof.StackedDrg2KiBV1_1, Cid.Parse(CommR));

    public IVanillaSource Vanillas { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ct = CancellationToken.None;
        _index = await SqlSectorIndex.OpenSqliteAsync(Path.Combine(_dir, "index.sqlite"), TimeProvider.System, ct);
        var store = new LocalStore(_index, new LocalStoreOptions { StorageConfigFile = Path.Combine(_dir, "storage.json"), Urls = ["http://127.0.0.1:1/remote"] });
        await BenchSector.SealAsync(store, _index, Path.Combine(_dir, "store"), Path.Combine(_dir, "work"), ct: ct);
        Vanillas = new Kiln.Stores.Remote.VanillaProofReader(store, _index, new HttpClient(), new Kiln.Stores.Remote.VanillaReaderOptions());
    }

    public Task DisposeAsync()
    {
        _index.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
