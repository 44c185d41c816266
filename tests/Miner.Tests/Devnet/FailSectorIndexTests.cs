using Kiln.Api.Types;
using Kiln.Miner.Devnet;
using Kiln.Stores;
using Kiln.Stores.Index;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Miner.Tests.Devnet;

/// <summary>
/// The devnet miner's index under <c>--fail-sector</c>: a failed sector that is sealed has no replica files for any
/// reader, with an error naming the flag; one still sealing keeps them; other file types and sectors are untouched.
/// </summary>
public sealed class FailSectorIndexTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly SectorId Five = new(1000, 5);
    private static readonly SectorId Six = new(1000, 6);

    [Fact]
    public async Task A_failed_sealed_sector_s_replica_files_are_refused_until_it_is_turned_off()
    {
        var (index, failures, sealing) = await IndexAsync();
        failures.Set(5, failed: true);

        var refused = await Assert.ThrowsAsync<StoresException>(() => index.StorageFindSectorAsync(Five, SectorFileType.Sealed | SectorFileType.Cache, 0, false, None));
        Assert.Equal("sector s-t01000-5 is unreadable on purpose: failed by devnet --fail-sector 5 (`kiln-miner devnet fail-sector 5 --off` makes it readable again)", refused.Message);
        await Assert.ThrowsAsync<StoresException>(() => index.StorageFindSectorAsync(Five, SectorFileType.Cache, 0, false, None));
        Assert.Single(await index.StorageFindSectorAsync(Five, SectorFileType.Unsealed, 0, false, None));
        Assert.Single(await index.StorageFindSectorAsync(Six, SectorFileType.Sealed | SectorFileType.Cache, 0, false, None));

        // Still sealing: its workers read and write its files as ever.
        sealing.Add(5);
        Assert.Single(await index.StorageFindSectorAsync(Five, SectorFileType.Sealed | SectorFileType.Cache, 0, false, None));
        sealing.Remove(5);

        failures.Set(5, failed: false);
        Assert.Empty(failures.Failed);
        Assert.Single(await index.StorageFindSectorAsync(Five, SectorFileType.Sealed | SectorFileType.Cache, 0, false, None));
    }

    private static async Task<(ISectorIndex Index, DevnetSectorFailures Failures, HashSet<ulong> Sealing)> IndexAsync()
    {
        var inner = new MemSectorIndex();
        var id = new StorageId(Guid.NewGuid().ToString());
        await inner.StorageAttachAsync(new StorageInfo(id, ["http://10.0.0.9:3456/remote"], 10, 0, true, true, null, null, null, null, null, null), new FsStat(1L << 40, 1L << 39, 1L << 39, 0, 0, 0), None);
        foreach (var sector in new[] { Five, Six })
        {
            await inner.StorageDeclareSectorAsync(id, sector, SectorFileType.Sealed | SectorFileType.Cache | SectorFileType.Unsealed, true, None);
        }

        var failures = new DevnetSectorFailures(NullLogger<DevnetSectorFailures>.Instance);
        var sealing = new HashSet<ulong>();
        return (new FailSectorIndex(inner, failures, (n, _) => Task.FromResult(sealing.Contains(n))), failures, sealing);
    }
}
