using Kiln.Api.Types;
using Kiln.Stores.Local;

namespace Kiln.Stores.Tests.Fetch;

/// <summary>
/// MoveStorage, RemoveCopies and Remove as Lotus's storage/paths local.go (<c>Local.MoveStorage</c>,
/// <c>Local.RemoveCopies</c>, <c>Local.Remove</c>) and remote.go (<c>Remote.MoveStorage</c>, <c>Remote.RemoveCopies</c>,
/// <c>Remote.Remove</c>) do them, on the two in-process hosts of <see cref="RemoteFetcherTests"/>.
/// </summary>
public sealed partial class RemoteFetcherTests
{
    private const string Name = "s-t01000-9";
    private static readonly SectorFileType SealedCache = SectorFileType.Sealed | SectorFileType.Cache;

    private static bool Gone(string root, string type) =>
        !File.Exists(Path.Combine(root, type, Name)) && !Directory.Exists(Path.Combine(root, type, Name));

    /// <summary>(storage id, primary) of every declaration of <paramref name="type"/>.</summary>
    private async Task<List<(string Id, bool Primary)>> HoldersAsync(SectorFileType type) =>
        [.. (await _index.StorageFindSectorAsync(S9.ID, type, 0, false, Ct)).Select(h => (h.ID.Value, h.Primary)).Order()];

    [Fact]
    public async Task MoveStorage_moves_from_the_sealing_path_to_the_heaviest_store_path_and_redeclares()
    {
        var seal = await _b.Store.AttachAsync(_dir.Sub("seal"), init: true, canSeal: true, ct: Ct);
        var light = await _b.Store.AttachAsync(_dir.Sub("light"), init: true, weight: 1, canStore: true, ct: Ct);
        var heavy = await _b.Store.AttachAsync(_dir.Sub("heavy"), init: true, weight: 1000, canStore: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("seal"), seal.ID);

        await FetcherOn(_b).MoveStorageAsync(S9, SealedCache, Ct);

        AssertSector(_dir.Sub("heavy"), files);
        Assert.True(Gone(_dir.Sub("seal"), "sealed") && Gone(_dir.Sub("seal"), "cache"));
        Assert.True(Gone(_dir.Sub("light"), "sealed"));
        Assert.Equal([(heavy.ID.Value, true)], await HoldersAsync(SectorFileType.Sealed));
        Assert.Equal([(heavy.ID.Value, true)], await HoldersAsync(SectorFileType.Cache));
        Assert.NotEqual(light.ID, heavy.ID);
    }

    [Fact]
    public async Task MoveStorage_on_a_shared_path_that_can_store_copies_nothing()
    {
        // One path, attached by both hosts, sealing and storing: source and destination are the same storage id.
        var shared = await _a.Store.AttachAsync(_dir.Sub("shared"), init: true, canSeal: true, canStore: true, ct: Ct);
        await _b.Store.AttachAsync(_dir.Sub("shared"), init: false, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("shared"), shared.ID);
        var sealedInode = File.GetLastWriteTimeUtc(Path.Combine(_dir.Sub("shared"), "sealed", Name));
        var fetcher = FetcherOn(_b);

        await fetcher.MoveStorageAsync(S9, SealedCache, Ct);

        AssertSector(_dir.Sub("shared"), files);
        Assert.Equal(sealedInode, File.GetLastWriteTimeUtc(Path.Combine(_dir.Sub("shared"), "sealed", Name)));
        Assert.Equal(0, fetcher.FetchRequests);
        Assert.Equal([(shared.ID.Value, true)], await HoldersAsync(SectorFileType.Sealed));
    }

    [Fact]
    public async Task MoveStorage_with_no_store_path_is_a_retryable_error_and_leaves_the_sector_where_it_was()
    {
        var seal = await _b.Store.AttachAsync(_dir.Sub("seal"), init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("seal"), seal.ID);

        var e = await Assert.ThrowsAsync<StoresException>(() => FetcherOn(_b).MoveStorageAsync(S9, SealedCache, Ct));

        Assert.True(e.IsRetryable);
        Assert.Contains(Name, e.Message, StringComparison.Ordinal);
        Assert.Contains("storage path", e.Message, StringComparison.Ordinal);
        AssertSector(_dir.Sub("seal"), files);
        Assert.Equal([(seal.ID.Value, true)], await HoldersAsync(SectorFileType.Sealed));
    }

    [Fact]
    public async Task MoveStorage_across_filesystems_copies_then_publishes_then_deletes_the_source()
    {
        // /dev/shm is a tmpfs, the temp dir is not: rename(2) fails with EXDEV and the copy path runs.
        if (!Directory.Exists("/dev/shm"))
        {
            Assert.Fail("this test needs /dev/shm (a tmpfs) to put the sealing path on another filesystem");
        }

        var shm = Path.Combine("/dev/shm", "kiln-move-" + Guid.NewGuid().ToString("N"));
        try
        {
            var seal = await _b.Store.AttachAsync(shm, init: true, canSeal: true, ct: Ct);
            var store = await _b.Store.AttachAsync(_dir.Sub("store"), init: true, canStore: true, ct: Ct);
            var files = await SealedSectorAsync(shm, seal.ID);

            await FetcherOn(_b).MoveStorageAsync(S9, SealedCache, Ct);

            AssertSector(_dir.Sub("store"), files);
            Assert.True(Gone(shm, "sealed") && Gone(shm, "cache"));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir.Sub("store"), "cache", SectorPathGuard.FetchingDir)));
            Assert.Equal([(store.ID.Value, true)], await HoldersAsync(SectorFileType.Cache));
        }
        finally
        {
            if (Directory.Exists(shm))
            {
                Directory.Delete(shm, recursive: true);
            }
        }
    }

    [Fact]
    public async Task MoveStorage_fetches_what_another_host_holds_into_its_store_path_and_the_source_is_deleted()
    {
        var seal = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canSeal: true, ct: Ct);
        var store = await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canStore: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("a"), seal.ID);
        var fetcher = FetcherOn(_b);

        await fetcher.MoveStorageAsync(S9, SealedCache, Ct);

        AssertSector(_dir.Sub("b"), files);
        Assert.Equal(2, fetcher.FetchRequests);
        Assert.True(Gone(_dir.Sub("a"), "sealed") && Gone(_dir.Sub("a"), "cache"));
        Assert.Equal([(store.ID.Value, true)], await HoldersAsync(SectorFileType.Sealed));
    }

    [Fact]
    public async Task RemoveCopies_keeps_the_primary_and_deletes_other_copies_here_and_on_other_hosts()
    {
        var primary = await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canStore: true, ct: Ct);
        var localCopy = await _b.Store.AttachAsync(_dir.Sub("b2"), init: true, canSeal: true, ct: Ct);
        var remoteCopy = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("b"), primary.ID);
        await SealedSectorAsync(_dir.Sub("b2"), localCopy.ID, primary: false);
        await SealedSectorAsync(_dir.Sub("a"), remoteCopy.ID, primary: false);

        var fetcher = FetcherOn(_b);
        await fetcher.RemoveCopiesAsync(S9.ID, SectorFileType.Sealed, Ct);
        await fetcher.RemoveCopiesAsync(S9.ID, SectorFileType.Cache, Ct);

        Assert.True(File.Exists(Path.Combine(_dir.Sub("b"), "sealed", Name)));
        Assert.True(Gone(_dir.Sub("b2"), "sealed") && Gone(_dir.Sub("b2"), "cache"));
        Assert.True(Gone(_dir.Sub("a"), "sealed") && Gone(_dir.Sub("a"), "cache"));
        Assert.Equal([(primary.ID.Value, true)], await HoldersAsync(SectorFileType.Sealed));
        Assert.Equal([(primary.ID.Value, true)], await HoldersAsync(SectorFileType.Cache));
        _ = files;
    }

    [Fact]
    public async Task RemoveCopies_without_a_primary_copy_removes_nothing()
    {
        var copy = await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        var files = await SealedSectorAsync(_dir.Sub("b"), copy.ID, primary: false);

        await FetcherOn(_b).RemoveCopiesAsync(S9.ID, SectorFileType.Sealed, Ct);

        AssertSector(_dir.Sub("b"), files);
        Assert.Equal([(copy.ID.Value, false)], await HoldersAsync(SectorFileType.Sealed));
    }

    [Fact]
    public async Task Remove_deletes_the_type_here_and_on_every_other_holder()
    {
        var b = await _b.Store.AttachAsync(_dir.Sub("b"), init: true, canSeal: true, ct: Ct);
        var a = await _a.Store.AttachAsync(_dir.Sub("a"), init: true, canStore: true, ct: Ct);
        foreach (var (root, id) in new[] { (_dir.Sub("b"), b.ID), (_dir.Sub("a"), a.ID) })
        {
            await File.WriteAllBytesAsync(Path.Combine(root, "unsealed", Name), new byte[2048 + 8]);
            await _index.StorageDeclareSectorAsync(id, S9.ID, SectorFileType.Unsealed, true, Ct);
        }

        await FetcherOn(_b).RemoveAsync(S9.ID, SectorFileType.Unsealed, force: true, keepIn: [], Ct);

        Assert.True(Gone(_dir.Sub("b"), "unsealed") && Gone(_dir.Sub("a"), "unsealed"));
        Assert.Empty(await HoldersAsync(SectorFileType.Unsealed));
    }

    [Fact]
    public void Move_refuses_different_base_names_and_an_existing_destination()
    {
        var from = Path.Combine(Directory.CreateDirectory(_dir.Sub("x")).FullName, Name);
        File.WriteAllBytes(from, [1, 2, 3]);
        Assert.Throws<StoresException>(() => SectorFileMove.Move(from, Path.Combine(_dir.Sub("y"), "s-t01000-10")));
        var to = Path.Combine(Directory.CreateDirectory(_dir.Sub("y")).FullName, Name);
        File.WriteAllBytes(to, [9]);
        Assert.Throws<StoresException>(() => SectorFileMove.Move(from, to));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(from));
        Assert.Equal([9], File.ReadAllBytes(to));
    }
}
