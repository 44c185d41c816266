using Kiln.Api.Types;
using Kiln.Miner.Proving;
using Kiln.Proofs;
using Kiln.Proofs.Pieces;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Seal;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Proving;

/// <summary>
/// The lotus-bench 2 KiB sector (t01000, sector 1, zero ticket, one zero piece) sealed by Kiln's PreCommit1/2 into a
/// LocalStore path of a temporary directory, with a <see cref="StorageVanillaSource"/> over it (local first, then the index's holders).
/// </summary>
public sealed class SealedSectorFixture : IAsyncLifetime
{
    public const string CommR = "bagboea4b5abcbrshxgmmpaucffwp2elaofbcrvb7hmcu3653o4lsw2arlor4hn3c";

    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-post-").FullName;
    private SqliteSectorIndex _index = null!;

    public ProvingSector Sector { get; } = new(1, RegisteredSealProof.StackedDrg2KiBV1_1, Cid.Parse(CommR));

    public IVanillaSource Vanillas { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ct = CancellationToken.None;
        _index = await SqliteSectorIndex.OpenAsync(Path.Combine(_dir, "index.sqlite"), TimeProvider.System, ct);
        var store = new LocalStore(_index, new LocalStoreOptions { StorageConfigFile = Path.Combine(_dir, "storage.json"), Urls = ["http://127.0.0.1:1/remote"] });
        var root = Path.Combine(_dir, "store");
        var meta = await store.AttachAsync(root, init: true, canSeal: true, canStore: true, ct: ct);
        var info = SealProofInfo.Get(SealProof.StackedDrg2KiBV1_1);
        var unsealed = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName, "unsealed");
        var piece = (await AddPiece.WriteAsync(unsealed, 2048, [], new UnpaddedPieceSize(2032), new MemoryStream(new byte[2032]), ct)).Piece;
        var cache = Path.Combine(root, "cache", "s-t01000-1");
        var sealedPath = Path.Combine(root, "sealed", "s-t01000-1");
        var pc1 = await PreCommit1.RunAsync(new PreCommit1Request(info, unsealed, sealedPath, cache, 1000, 1, new byte[32], [piece]), new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") });
        Assert.Equal(CommR, (await PreCommit2.RunAsync(pc1, cache, sealedPath)).SealedCid);
        await _index.StorageDeclareSectorAsync(meta.ID, new SectorId(1000, 1), SectorFileType.Sealed | SectorFileType.Cache, true, ct);
        var reader = new Kiln.Stores.Remote.VanillaProofReader(store, _index, new HttpClient(), new Kiln.Stores.Remote.VanillaReaderOptions());
        Vanillas = new StorageVanillaSource(reader, NullLogger<StorageVanillaSource>.Instance);
    }

    public Task DisposeAsync()
    {
        _index.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}
