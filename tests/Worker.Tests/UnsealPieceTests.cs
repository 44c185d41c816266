using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Fr32;
using Kiln.Proofs.Sdr;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Worker.Sealing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests;

/// <summary>
/// kiln-worker's UnsealPiece (Lotus storage/sealer/worker_local.go LocalWorker.UnsealPiece) and PreCommit2 with its check, on
/// a 2 KiB sector of two known pieces sealed through <see cref="SealingTasks"/> into the worker's own storage.
/// </summary>
public sealed class UnsealPieceTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly SectorRef Sector = new(new SectorId(1000, 5), RegisteredSealProof.StackedDrg2KiBV1_1);
    private static readonly byte[] Ticket = Enumerable.Repeat((byte)0x11, 32).ToArray();

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kiln-uns-" + Guid.NewGuid().ToString("N"));
    private readonly MemSectorIndex _index = new();
    private readonly byte[] _first = new byte[1016];
    private readonly byte[] _second = new byte[1016];
    private LocalStore _store = null!;
    private SealingTasks _tasks = null!;
    private LocalStorageMeta _main = null!;
    private LocalStorageMeta _other = null!;
    private SectorCids _cids;

    public async Task InitializeAsync()
    {
        _store = new LocalStore(_index, new LocalStoreOptions { Urls = ["http://worker.test/remote"] });
        _main = await _store.AttachAsync(Path.Combine(_dir, "main"), init: true, canSeal: true, canStore: true, ct: Ct);
        _tasks = new SealingTasks(_store, new ParentCacheOptions { Directory = Path.Combine(_dir, "parents") }, NullLogger.Instance);
        new Random(21).NextBytes(_first);
        new Random(22).NextBytes(_second);
        var p1 = await _tasks.AddPieceAsync(Sector, [], 1016, new MemoryStream(_first), Ct);
        var p2 = await _tasks.AddPieceAsync(Sector, [1016], 1016, new MemoryStream(_second), Ct);
        var pc1 = await _tasks.PreCommit1Async(Sector, Ticket, [p1, p2], Ct);
        _cids = await _tasks.PreCommit2Async(Sector, pc1, Ct);

        // A second path, attached after sealing, for copies.
        _other = await _store.AttachAsync(Path.Combine(_dir, "other"), init: true, canSeal: true, canStore: true, ct: Ct);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private string UnsealedPath => _store.SectorPath(_main.ID, Sector.ID, SectorFileType.Unsealed);

    [Fact]
    public void Pc2_passed_its_commit1_check_and_left_no_journal_in_the_cache()
    {
        var cache = _store.SectorPath(_main.ID, Sector.ID, SectorFileType.Cache);
        var names = Directory.GetFiles(cache).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["p_aux", "sc-02-data-layer-1.dat", "sc-02-data-layer-2.dat", "sc-02-data-tree-c.dat", "sc-02-data-tree-d.dat", "sc-02-data-tree-r-last.dat", "t_aux"],
            names);
    }

    [Fact]
    public async Task The_second_piece_comes_back_after_the_unsealed_file_is_removed_and_copies_are_cleaned_up()
    {
        await _store.RemoveAsync(Sector.ID, SectorFileType.Unsealed, force: true, keepIn: [], Ct);
        Assert.Empty(await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Unsealed, 0, false, Ct));

        // A non-primary copy of the sealed file and cache in the other path, as a Fetch with AcquireCopy leaves it.
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache })
        {
            var from = _store.SectorPath(_main.ID, Sector.ID, t);
            var to = _store.SectorPath(_other.ID, Sector.ID, t);
            if (t == SectorFileType.Cache)
            {
                Directory.CreateDirectory(to);
                foreach (var f in Directory.GetFiles(from))
                {
                    File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
                }
            }
            else
            {
                File.Copy(from, to);
            }

            await _index.StorageDeclareSectorAsync(_other.ID, Sector.ID, t, false, Ct);
        }

        await _tasks.UnsealPieceAsync(Sector, 1016, 1016, Ticket, _cids.Unsealed, Ct);

        var found = await _index.StorageFindSectorAsync(Sector.ID, SectorFileType.Unsealed, 0, false, Ct);
        var holder = Assert.Single(found);
        var path = _store.SectorPath(holder.ID, Sector.ID, SectorFileType.Unsealed);
        var file = await File.ReadAllBytesAsync(path);
        var back = new byte[1016];
        Fr32Padding.Unpad(file.AsSpan(1024, 1024), back);
        Assert.Equal(_second, back);

        // The copies are gone from disk and index; the primary sealed file and cache stay.
        foreach (var t in new[] { SectorFileType.Sealed, SectorFileType.Cache })
        {
            Assert.False(Path.Exists(_store.SectorPath(_other.ID, Sector.ID, t)));
            var left = Assert.Single(await _index.StorageFindSectorAsync(Sector.ID, t, 0, false, Ct));
            Assert.Equal(_main.ID, left.ID);
            Assert.True(Path.Exists(_store.SectorPath(_main.ID, Sector.ID, t)));
        }

        // Asked again (the whole sector, as Lotus's manager asks), only the first piece is decoded; then nothing is left to do.
        await _tasks.UnsealPieceAsync(Sector, 0, 2032, Ticket, _cids.Unsealed, Ct);
        file = await File.ReadAllBytesAsync(path);
        Fr32Padding.Unpad(file.AsSpan(0, 1024), back);
        Assert.Equal(_first, back);
        var written = File.GetLastWriteTimeUtc(path);
        await _tasks.UnsealPieceAsync(Sector, 0, 2032, Ticket, _cids.Unsealed, Ct);
        Assert.Equal(file, await File.ReadAllBytesAsync(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task A_wrong_comm_d_fails_naming_the_sector_and_keeps_the_unsealed_file()
    {
        var path = UnsealedPath;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            // Lotus partialfile Free of the second piece.
            RandomAccess.Write(handle, new byte[1024], 1024);
            Kiln.Proofs.Pieces.PartialFile.WriteTrailer(handle, 2048, [(0, 1024)]);
        }

        var before = await File.ReadAllBytesAsync(path);
        var wrong = ProofsMapping.UnsealedCid(Kiln.Proofs.Pieces.ZeroComm.ForPaddedSize(2048).ToArray());
        var e = await Assert.ThrowsAsync<ProofsException>(() => _tasks.UnsealPieceAsync(Sector, 1016, 1016, Ticket, wrong, Ct));
        Assert.Contains(Sector.ID.ToSectorName(), e.Message, StringComparison.Ordinal);
        Assert.Contains("not Fr32-padded", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));

        var sealedCid = await Assert.ThrowsAsync<ProofsException>(() => _tasks.UnsealPieceAsync(Sector, 1016, 1016, Ticket, _cids.Sealed, Ct));
        Assert.Contains("not an unsealed sector CID", sealedCid.Message, StringComparison.Ordinal);

        var outside = await Assert.ThrowsAsync<ProofsException>(() => _tasks.UnsealPieceAsync(Sector, 2032, 127, Ticket, _cids.Unsealed, Ct));
        Assert.Contains("outside the 2048-byte sector", outside.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }
}
