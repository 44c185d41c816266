using System.Net;
using System.Security.Cryptography;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Snark;
using Kiln.Stores.Index;
using Kiln.Stores.PoSt;
using Kiln.Stores.Remote;
using Kiln.Stores.Tests.Support;
using Kiln.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Stores.Tests.Remote;

/// <summary>
/// <see cref="VanillaProofReader"/> over two in-process hosts sharing one index: host A holds the lotus-bench 2 KiB
/// sector, host B holds nothing and reads through A's <c>/remote/vanilla/single</c>.
/// </summary>
public sealed class VanillaProofReaderTests : IAsyncLifetime
{
    private const string VectorSha256 = "2a1def6184097d681ff65e3ad0dcad0d2d619f3efc9be1bc1f4784415763561a";
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly RegisteredPoStProof Window2KiB = (RegisteredPoStProof)10;
    private readonly TempDir _dir = new();
    private readonly MemSectorIndex _index = new();
    private StoreHost _a = null!;
    private StoreHost _b = null!;
    private StorageId _aStorage;

    public async Task InitializeAsync()
    {
        _a = await StoreHost.StartAsync("a.test", _index);
        _b = await StoreHost.StartAsync("b.test", _index);
        _aStorage = (await BenchSector.SealAsync(_a.Store, _index, _dir.Sub("a"), _dir.Sub("work"), ct: Ct)).ID;
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _dir.Dispose();
    }

    private static PostSectorChallenge Challenge(ulong sector, params ulong[] challenges) =>
        new((RegisteredSealProof)5, sector, Cid.Parse(BenchSector.CommR), challenges, false);

    private static PostSectorChallenge VectorChallenge(ulong sector = 1) => Challenge(sector, 23, 6, 60, 28, 53, 28, 61, 55, 8, 46);

    private static VanillaProofReader Reader(StoreHost on, MemSectorIndex index, HttpMessageHandler handler) =>
        new(on.Store, index, new HttpClient(handler), new VanillaReaderOptions { AuthToken = StoreHost.AdminToken });

    /// <summary>Many sectors read through <paramref name="reader"/> the way PoSt reads them: bounded and timed.</summary>
    private static PartitionProver Partitions(VanillaProofReader reader, int parallel = 32, TimeSpan timeout = default, TimeProvider? time = null) =>
        new(reader, new InsecureTestProver(), new PartitionProverOptions { ParallelReads = parallel, ReadTimeout = timeout }, time);

    [Fact]
    public async Task Local_sectors_are_read_without_http()
    {
        var reader = Reader(_a, _index, new FakeHandler((_, _) => throw new InvalidOperationException("no HTTP expected")));
        var proof = await reader.ReadAsync(BenchSector.Miner, Window2KiB, VectorChallenge(), Ct);
        Assert.Equal(VectorSha256, Convert.ToHexStringLower(SHA256.HashData(proof)));
        Assert.Equal(0, reader.RemoteRequests);
    }

    [Fact]
    public async Task Sectors_elsewhere_are_read_from_their_holder()
    {
        using var router = new HostRouter(_a, _b);
        var reader = Reader(_b, _index, router);
        var proof = await reader.ReadAsync(BenchSector.Miner, Window2KiB, VectorChallenge(), Ct);
        Assert.Equal(VectorSha256, Convert.ToHexStringLower(SHA256.HashData(proof)));
        Assert.Equal(1, reader.RemoteRequests);

        // A bad challenge fails at the holder (500): an error, and in a batch a skip.
        var bad = await Partitions(reader).ReadVanillasAsync(BenchSector.Miner, Window2KiB, [VectorChallenge(), Challenge(1, 64), VectorChallenge(9)], Ct);
        Assert.Equal([1UL, 9UL], bad.Skipped);
        Assert.NotNull(bad.Proofs[0]);
        Assert.Null(bad.Proofs[1]);
        Assert.Null(bad.Proofs[2]);
        await Assert.ThrowsAsync<StoresException>(() => reader.ReadAsync(BenchSector.Miner, Window2KiB, Challenge(1, 64), Ct));
    }

    [Fact]
    public async Task Updated_sectors_are_proven_from_update_and_update_cache_locally_and_through_their_holder()
    {
        // Lotus storage/paths/local.go and remote.go GenerateSingleVanillaProof: PostSectorChallenge.Update selects
        // FTUpdate|FTUpdateCache instead of FTSealed|FTCache. The update replica here is sector 1's replica and tree
        // under sector 7's update names (the proof math is the same; only the files read differ), so the proof equals
        // the one generated straight from sector 1's files for sector id 7; sector 7 has no sealed file or cache to
        // fall back on.
        var a = _dir.Sub("a");
        var from = new SectorId(BenchSector.Miner, 1).ToSectorName();
        var to = new SectorId(BenchSector.Miner, 7).ToSectorName();
        Directory.CreateDirectory(Path.Combine(a, "update"));
        Directory.CreateDirectory(Path.Combine(a, "update-cache", to));
        File.Copy(Path.Combine(a, "sealed", from), Path.Combine(a, "update", to));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(a, "cache", from)))
        {
            File.Copy(file, Path.Combine(a, "update-cache", to, Path.GetFileName(file)));
        }

        await _index.StorageDeclareSectorAsync(_aStorage, new SectorId(BenchSector.Miner, 7), SectorFileType.Update | SectorFileType.UpdateCache, true, Ct);
        var updated = VectorChallenge(7) with { Update = true };
        var expected = Kiln.Proofs.PoSt.VanillaPoSt.GenerateSingleVanillaProof(
            new Kiln.Proofs.PoSt.PrivateReplicaInfo(
                RegisteredPoStProof.StackedDrgWindow2KiBV1_1,
                Path.Combine(a, "cache", from),
                Kiln.Proofs.Multiformats.CommCid.ParseSealedCid(BenchSector.CommR),
                Path.Combine(a, "sealed", from),
                7),
            [.. updated.Challenge!]);
        Assert.NotEqual(VectorSha256, Convert.ToHexStringLower(SHA256.HashData(expected)));

        var local = Reader(_a, _index, new FakeHandler((_, _) => throw new InvalidOperationException("no HTTP expected")));
        Assert.Equal(expected, await local.ReadAsync(BenchSector.Miner, Window2KiB, updated, Ct));

        using var router = new HostRouter(_a, _b);
        var remote = Reader(_b, _index, router);
        Assert.Equal(expected, await remote.ReadAsync(BenchSector.Miner, Window2KiB, updated, Ct));
        Assert.Equal(1, remote.RemoteRequests);

        // The same sector as a plain sealed sector: no sealed file or cache anywhere, so it is skipped, not proven
        // from the update files.
        var plain = await Partitions(remote).ReadVanillasAsync(BenchSector.Miner, Window2KiB, [VectorChallenge(7)], Ct);
        Assert.Equal([7UL], plain.Skipped);
    }

    [Fact]
    public async Task A_holder_answering_404_is_passed_over_for_the_next()
    {
        // A second storage path (on a host that says 404) claims the sector first; it is tried and passed over.
        var ghost = new StorageId(Guid.NewGuid().ToString());
        var sector = new SectorId(BenchSector.Miner, 1);
        await _index.StorageAttachAsync(new StorageInfo(ghost, ["http://ghost.test/remote"], 100, 0, true, true, [], [], [], [], [], []), new FsStat(1 << 30, 1 << 30, 1 << 30, 0, 0, 0), Ct);
        await _index.StorageDropSectorAsync(_aStorage, sector, SectorFileType.Sealed | SectorFileType.Cache, Ct);
        await _index.StorageDeclareSectorAsync(ghost, sector, SectorFileType.Sealed | SectorFileType.Cache, false, Ct);
        await _index.StorageDeclareSectorAsync(_aStorage, sector, SectorFileType.Sealed | SectorFileType.Cache, true, Ct);
        using var router = new HostRouter(_a, _b);
        var seen = new List<string>();
        var reader = Reader(_b, _index, new FakeHandler(async (request, ct) =>
        {
            seen.Add(request.RequestUri!.Host);
            return request.RequestUri.Host == "ghost.test"
                ? new HttpResponseMessage(HttpStatusCode.NotFound)
                : await new HttpMessageInvoker(router, disposeHandler: false).SendAsync(request, ct);
        }));
        var proof = await reader.ReadAsync(BenchSector.Miner, Window2KiB, VectorChallenge(), Ct);
        Assert.Equal(VectorSha256, Convert.ToHexStringLower(SHA256.HashData(proof)));
        Assert.Equal(["ghost.test", "a.test"], seen);
    }

    [Fact]
    public async Task An_offline_holder_means_skipped_not_thrown()
    {
        using var onlyB = new HostRouter(_b);
        var reader = Reader(_b, _index, onlyB);
        var read = await Partitions(reader).ReadVanillasAsync(BenchSector.Miner, Window2KiB, [VectorChallenge()], Ct);
        Assert.False(read.Complete);
        Assert.Equal([1UL], read.Skipped);
        Assert.Equal([null], read.Proofs);
    }

    [Fact]
    public async Task A_read_past_the_timeout_is_skipped()
    {
        var timeout = TimeSpan.FromSeconds(20);
        var clock = new FakeTimeProvider();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Reader(_b, _index, new FakeHandler(async (_, ct) =>
        {
            asked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        }));
        var reading = Partitions(reader, timeout: timeout, time: clock).ReadVanillasAsync(BenchSector.Miner, Window2KiB, [VectorChallenge()], Ct);

        // The holder never answers: the read waits until the timeout passes on the reader's clock, and no longer.
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(reading.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var read = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1UL], read.Skipped);
    }

    [Fact]
    public async Task No_more_than_the_configured_reads_run_at_once()
    {
        var sectors = Enumerable.Range(100, 12).Select(n => (ulong)n).ToArray();
        foreach (var n in sectors)
        {
            await _index.StorageDeclareSectorAsync(_aStorage, new SectorId(BenchSector.Miner, n), SectorFileType.Sealed | SectorFileType.Cache, true, Ct);
        }

        var running = 0;
        var most = 0;
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Reader(_b, _index, new FakeHandler(async (request, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (now == 3)
            {
                full.TrySetResult();
            }

            // Held until three reads are in flight: had the limit let more through, they would be counted by then.
            await answer.Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([(byte)now]) };
        }));
        var reading = Partitions(reader, parallel: 3).ReadVanillasAsync(BenchSector.Miner, Window2KiB, [.. sectors.Select(n => Challenge(n, 1))], Ct);
        await full.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, Volatile.Read(ref running));
        answer.SetResult();
        var read = await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(read.Complete);
        Assert.Equal(12, read.Proofs.Count(p => p is not null));
        Assert.Equal(3, most);
        Assert.Equal(12, reader.RemoteRequests);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>An HTTP handler that answers with a function.</summary>
    private sealed class FakeHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }
}
