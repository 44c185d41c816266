using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Snark;
using Kiln.Stores;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Stores.PoSt;
using Kiln.Stores.Remote;
using Kiln.Worker.Cli;
using Kiln.Worker.Run;

namespace Kiln.Worker.Bench;

/// <summary>
/// <c>kiln-worker bench vanilla-fetch</c>: what a PoSt worker holding no sectors sees when it reads one Window PoSt
/// partition's vanilla proofs (2349 sectors, the 32 GiB partition size, by default) from storage nodes over
/// loopback HTTP. Each node is a Kestrel host serving <c>/remote</c> from its own storage path; the sectors are
/// copies of one synthetic sealed sector under their own numbers (their challenges differ), spread round-robin
/// over the nodes and declared in a shared index. The reader is the one PoSt workers use
/// (<see cref="PartitionProver.ReadVanillasAsync"/>, <c>--parallel</c> reads at once); every proof is verified
/// afterwards. Reports proofs/s over the wall time and per-sector latency (p50/p99/max) from the reader's
/// <c>kiln.stores.vanilla.read.duration</c> histogram.
/// </summary>
internal static class VanillaFetchBench
{
    private const ulong Miner = 1000;
    private const string Token = "vanilla-fetch-bench";

    public static Command Command()
    {
        var size = BenchCommands.SectorSizeOption("2KiB");
        var dir = new Option<string?>("--dir") { Description = "working directory (storage nodes and the synthetic sector); default: a temporary directory removed afterwards" };
        var sectors = new Option<int>("--sectors") { Description = "sectors in the partition (32 GiB window partitions hold 2349)", DefaultValueFactory = _ => 2349 };
        var nodes = new Option<int>("--nodes") { Description = "storage nodes serving the sectors over loopback", DefaultValueFactory = _ => 2 };
        var parallel = new Option<int>("--parallel") { Description = "vanilla reads at once (kiln-worker --post-parallel-reads)", DefaultValueFactory = _ => PartitionProverOptions.DefaultParallelReads };
        var rounds = new Option<int>("--rounds") { Description = "timed reads of the whole partition (each with new randomness)", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text" };
        var cmd = new Command("vanilla-fetch", "Measure reading one partition's vanilla proofs from storage nodes over loopback HTTP") { size, dir, sectors, nodes, parallel, rounds, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(dir);
            var work = given ?? Directory.CreateTempSubdirectory("kiln-vanilla-fetch-").FullName;
            try
            {
                var report = await RunAsync(
                    SectorSizes.Parse(parse.GetValue(size)!), work, parse.GetValue(sectors), parse.GetValue(nodes), parse.GetValue(parallel), parse.GetValue(rounds), parse.GetValue(json) ? null : Console.Error, ct).ConfigureAwait(false);
                Console.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            }
            finally
            {
                if (given == null)
                {
                    Directory.Delete(work, recursive: true);
                }
            }

            return 0;
        });
        return cmd;
    }

    public static async Task<VanillaFetchReport> RunAsync(ulong sectorSize, string dir, int sectors, int nodes, int parallel, int rounds, TextWriter? log, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sectors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var info = PoStProofInfo.ForSectorSize(sectorSize, PoStType.Window);
        var seal = SealProofInfo.ForSectorSize(sectorSize);
        var source = Path.Combine(dir, "source");
        var synthetic = SyntheticSector.TryOpen(source, sectorSize) ?? SyntheticSector.Create(source, sectorSize, new Random(), Environment.ProcessorCount);
        var sealedCid = ProofsMapping.SealedCid(synthetic.CommR);

        var index = new MemSectorIndex();
        var hosts = new List<WebApplication>();
        try
        {
            var metas = new List<(LocalStorageMeta Meta, string Root)>();
            for (var n = 0; n < nodes; n++)
            {
                var (app, meta, root) = await StartNodeAsync(index, Path.Combine(dir, $"node-{n}"), ct).ConfigureAwait(false);
                hosts.Add(app);
                metas.Add((meta, root));
            }

            log?.WriteLine($"copying {sectors} sectors of {SectorSizes.Format(sectorSize)} onto {nodes} storage node(s) ...");
            for (var k = 0; k < sectors; k++)
            {
                var (meta, root) = metas[k % nodes];
                var sector = new SectorId(Miner, (ulong)k + 1);
                CopySector(synthetic, root, sector.ToSectorName());
                await index.StorageDeclareSectorAsync(meta.ID, sector, SectorFileType.Sealed | SectorFileType.Cache, true, ct).ConfigureAwait(false);
            }

            // The PoSt worker: no storage of its own, the index shared with the nodes (as workers share the miner's).
            var local = new LocalStore(index, new LocalStoreOptions { Urls = ["http://127.0.0.1:1/remote"] });
            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
            // The reader's instruments on a meter factory of this run only: the listener below hears no other reader.
            using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var meters = services.GetRequiredService<IMeterFactory>();
            var reader = new VanillaProofReader(local, index, http, new VanillaReaderOptions { AuthToken = Token });
            var partitions = new PartitionProver(reader, new InsecureTestProver(), new PartitionProverOptions { ParallelReads = parallel }, metrics: new StoresMetrics(meters));
            var numbers = Enumerable.Range(1, sectors).Select(n => (ulong)n).ToArray();

            var latencies = new ConcurrentBag<double>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name == "kiln.stores.vanilla.read.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, seconds, _, _) => latencies.Add(seconds * 1000));

            // One small round first (JIT, connections), not counted.
            await ReadRoundAsync(partitions, info, seal, sealedCid, numbers[..Math.Min(numbers.Length, 64)], Randomness(0), ct).ConfigureAwait(false);
            listener.Start();
            var perRound = new List<double>();
            var remoteBefore = reader.RemoteRequests;
            for (var r = 1; r <= rounds; r++)
            {
                log?.WriteLine($"round {r}: {sectors} vanilla proofs, {parallel} reads at once ...");
                var randomness = Randomness(r);
                var started = Stopwatch.GetTimestamp();
                var (proofs, skipped) = await ReadRoundAsync(partitions, info, seal, sealedCid, numbers, randomness, ct).ConfigureAwait(false);
                perRound.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (skipped.Count > 0)
                {
                    throw new InvalidOperationException($"round {r}: {skipped.Count} sectors were skipped ({string.Join(", ", skipped.Take(10))}...)");
                }

                for (var i = 0; i < proofs.Count; i++)
                {
                    if (!VanillaPoSt.VerifyVanillaProof(info.Proof, randomness, numbers[i], synthetic.CommR, proofs[i]!, out var failure, i))
                    {
                        throw new InvalidOperationException($"round {r}: the vanilla proof of sector {numbers[i]} does not verify: {failure}");
                    }
                }
            }

            listener.Dispose();
            var sorted = latencies.Order().ToArray();
            var wall = perRound.Sum();
            return new VanillaFetchReport(
                info.Name,
                SectorSizes.Format(sectorSize),
                sectors,
                nodes,
                parallel,
                rounds,
                reader.RemoteRequests - remoteBefore,
                sectors * rounds / wall,
                perRound.Min(),
                VanillaPostBench.Percentile(sorted, 0.50),
                VanillaPostBench.Percentile(sorted, 0.99),
                sorted[^1]);
        }
        finally
        {
            foreach (var app in hosts)
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<(IReadOnlyList<byte[]?> Proofs, IReadOnlyList<ulong> Skipped)> ReadRoundAsync(
        PartitionProver partitions, PoStProofInfo info, SealProofInfo seal, Cid sealedCid, ulong[] numbers, byte[] randomness, CancellationToken ct)
    {
        var challenges = PoStChallenges.GenerateFallbackSectorChallenges(info.Proof, randomness, numbers);
        var request = numbers.Select(n => new PostSectorChallenge(seal.Proof, n, sealedCid, challenges[n], false)).ToList();
        var read = await partitions.ReadVanillasAsync(Miner, info.Proof, request, ct).ConfigureAwait(false);
        return (read.Proofs, read.Skipped);
    }

    private static async Task<(WebApplication App, LocalStorageMeta Meta, string Root)> StartNodeAsync(ISectorIndex index, string root, CancellationToken ct)
    {
        var port = WorkerHost.FreePort(IPAddress.Loopback);
        var store = new LocalStore(index, new LocalStoreOptions { Urls = [$"http://127.0.0.1:{port}/remote"] });
        var meta = await store.AttachAsync(root, init: !File.Exists(Path.Combine(root, "sectorstore.json")), canStore: true, ct: ct).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapRemoteStore(store, index, (http, _) => ValueTask.FromResult(http.Request.Headers.Authorization.ToString() == "Bearer " + Token));
        await app.StartAsync(ct).ConfigureAwait(false);
        return (app, meta, root);
    }

    /// <summary>The synthetic sector's replica and cache files (p_aux, tree-r-last) under another sector name.</summary>
    private static void CopySector(SyntheticSector synthetic, string root, string name)
    {
        var cache = Directory.CreateDirectory(Path.Combine(root, "cache", name)).FullName;
        Directory.CreateDirectory(Path.Combine(root, "sealed"));
        File.Copy(synthetic.ReplicaPath, Path.Combine(root, "sealed", name), overwrite: true);
        foreach (var file in Directory.EnumerateFiles(synthetic.CacheDir))
        {
            File.Copy(file, Path.Combine(cache, Path.GetFileName(file)), overwrite: true);
        }
    }

    private static byte[] Randomness(int round)
    {
        var r = new byte[PoStRandomness.Length];
        new Random(round).NextBytes(r);
        return PoStRandomness.ToFieldElement(r);
    }
}

/// <summary>One run: proofs/s over all rounds' wall time, the fastest round, and per-sector read latency (ms).</summary>
internal sealed record VanillaFetchReport(
    string Proof,
    string SectorSize,
    int Sectors,
    int Nodes,
    int Parallel,
    int Rounds,
    long HttpRequests,
    double ProofsPerSecond,
    double FastestRoundSeconds,
    double P50Ms,
    double P99Ms,
    double MaxMs)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToText() => string.Join(Environment.NewLine, new[]
    {
        string.Create(CultureInfo.InvariantCulture, $"{Proof}: {Rounds} reads of one partition of {Sectors} {SectorSize} sectors from {Nodes} storage node(s) over loopback HTTP, {Parallel} at once ({HttpRequests} requests), every proof verified"),
        string.Create(CultureInfo.InvariantCulture, $"  {ProofsPerSecond:F0} vanilla proofs/s; fastest partition {FastestRoundSeconds:F2} s"),
        string.Create(CultureInfo.InvariantCulture, $"  per sector: p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, max {MaxMs:F2} ms"),
    });
}
