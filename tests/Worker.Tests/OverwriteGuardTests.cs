using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Worker.Sealing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests;

/// <summary>
/// Regression: PreCommit1 used to force-remove the sealed file and cache of a sector the index declares (Lotus
/// worker_local.go SealPreCommit1 cleans up "previous failed attempts"), so a PC1 asked for a proven sector's number
/// rewrote its replica. PC1 now refuses when a declared copy may be finalized (FIN cleared the cache, or it sits in a
/// store-only path), and still clears an unfinalized earlier attempt as Lotus does; a new sector's AddPiece refuses
/// to replace a declared unsealed file.
/// </summary>
public sealed class OverwriteGuardTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly SectorRef Sector = new(new SectorId(1000, 1), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly byte[] Ticket = Enumerable.Repeat((byte)0x42, 32).ToArray();

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-guard-" + Guid.NewGuid().ToString("N"));
    private readonly MemSectorIndex _index = new();
    private LocalStore _store = null!;
    private SealingTasks _tasks = null!;
    private LocalStorageMeta _path = null!;
    private PieceInfo _piece;
    private SectorCids _cids;

    public async Task InitializeAsync()
    {
        _store = new LocalStore(_index, new LocalStoreOptions { Urls = ["http://worker.test/remote"] });
        _path = await _store.AttachAsync(Path.Combine(_dir, "main"), init: true, canSeal: true, canStore: true, ct: Ct);
        _tasks = new SealingTasks(_store, new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") }, NullLogger.Instance);
        var data = new byte[2032];
        new Random(13).NextBytes(data);
        _piece = await _tasks.AddPieceAsync(Sector, [], 2032, new MemoryStream(data), Ct);
        var pc1 = await _tasks.PreCommit1Async(Sector, Ticket, [_piece], Ct);
        _cids = await _tasks.PreCommit2Async(Sector, pc1, Ct);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Every file of the sector in the path with its SHA-256 and length.</summary>
    private Dictionary<string, string> Snapshot()
    {
        var files = new List<string> { _store.SectorPath(_path.ID, Sector.ID, SectorFileType.Sealed), _store.SectorPath(_path.ID, Sector.ID, SectorFileType.Unsealed) };
        files.AddRange(Directory.GetFiles(_store.SectorPath(_path.ID, Sector.ID, SectorFileType.Cache)));
        return files.ToDictionary(f => f, f => $"{new FileInfo(f).Length}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}");
    }

    [Fact]
    public async Task PreCommit1_of_a_finalized_sector_is_refused_and_no_file_is_touched()
    {
        ClearCache.Run(_store.SectorPath(_path.ID, Sector.ID, SectorFileType.Cache));
        var before = Snapshot();
        Assert.Equal(5, before.Count); // sealed, unsealed and the finalized cache (p_aux, t_aux, tree_r_last)

        var e = await Assert.ThrowsAsync<SectorExistsException>(() => _tasks.PreCommit1Async(Sector, Enumerable.Repeat((byte)0x43, 32).ToArray(), [_piece], Ct));
        Assert.Contains("PC1 of sector s-t01000-1 refused", e.Message, StringComparison.Ordinal);
        Assert.Contains($"sealed in storage {_path.ID}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"cache in storage {_path.ID}", e.Message, StringComparison.Ordinal);

        Assert.Equal(before, Snapshot());
        Assert.Single(await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Sealed, 0, false, Ct));
        Assert.Single(await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Cache, 0, false, Ct));
    }

    [Fact]
    public async Task AddPiece_of_a_new_sector_whose_unsealed_file_is_declared_is_refused_and_the_file_is_kept()
    {
        var before = Snapshot();
        var e = await Assert.ThrowsAsync<SectorExistsException>(() => _tasks.AddPieceAsync(Sector, [], 2032, new MemoryStream(new byte[2032]), Ct));
        Assert.Contains("AP of sector s-t01000-1 refused", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task PreCommit1_retried_over_an_unfinalized_attempt_clears_it_as_Lotus_does_and_seals_again()
    {
        // Lotus worker_local.go SealPreCommit1: "cleanup previous failed attempts if they exist" before PC1. The sector
        // here finished PC2 but not FIN, as after a lotus-miner PreCommitFailed → PreCommit1 retry.
        var pc1 = await _tasks.PreCommit1Async(Sector, Ticket, [_piece], Ct);
        Assert.Equal(_cids, await _tasks.PreCommit2Async(Sector, pc1, Ct));
        Assert.Single(await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Sealed, 0, false, Ct));
        Assert.Single(await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Cache, 0, false, Ct));
    }

    [Fact]
    public async Task After_the_miner_drops_the_declarations_PreCommit1_seals_again_to_the_same_commitments()
    {
        // The miner's re-seal of a sector it never recorded past PC1: it drops the declarations, then asks again.
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache })
        {
            await _index.StorageDropSectorAsync(_path.ID, Sector.ID, t, Ct);
        }

        var pc1 = await _tasks.PreCommit1Async(Sector, Ticket, [_piece], Ct);
        Assert.Equal(_cids, await _tasks.PreCommit2Async(Sector, pc1, Ct));
        Assert.Single(await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Sealed, 0, false, Ct));
    }
}
