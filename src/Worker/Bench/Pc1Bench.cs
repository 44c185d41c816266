using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Proofs.Sdr.Pool;
using Kiln.Worker.Cli;

namespace Kiln.Worker.Bench;

/// <summary>
/// <c>kiln-worker bench pc1</c>: N PC1 labeling jobs of one proof type at once (every layer of N sectors
/// with random replica ids, layer files written), each on its own thread — with two sector-sized buffers
/// per job (2N·S), through a shared <see cref="LabelPool"/> of <c>--pool-size</c>, or (<c>--batch</c>)
/// hashed together by the batched kernel, the sectors split over the cores. Reports wall time,
/// aggregate labels/s, labels/s per core, peak RSS and the pool's high-water mark; <c>--compare</c>
/// runs 2N·S, (3N+1)·S/2 and (N+1)·S one after the other and prints the ratios. With <c>--rounds R</c>
/// each of the N slots runs R jobs back to back, as a sealing host does, so the figure is the steady
/// state rather than one wave of jobs that start and end together.
/// </summary>
internal static class Pc1Bench
{
    public static Command Command()
    {
        var size = BenchCommands.SectorSizeOption("8MiB");
        var sectors = new Option<int>("--sectors") { Description = "PC1 jobs to run at once (N)", DefaultValueFactory = _ => 2 };
        var poolSize = new Option<string?>("--pool-size") { Description = "label pool size (e.g. 28MiB); default: no pool, two buffers per job" };
        var batch = new Option<bool>("--batch") { Description = "hash the sectors together with the batched kernel (one batch per core)" };
        var compare = new Option<bool>("--compare") { Description = "run without a pool, with the default pool (3N+1)·S/2 and the minimum (N+1)·S, and print the ratios" };
        var rounds = new Option<int>("--rounds") { Description = "jobs each of the N slots runs back to back", DefaultValueFactory = _ => 1 };
        var dir = new Option<string?>("--dir") { Description = "where the layer files go (default: a temporary directory)" };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var cmd = new Command("pc1", "Measure N concurrent PC1 labeling jobs, with or without the shared label pool") { size, sectors, poolSize, batch, compare, rounds, dir, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var n = parse.GetValue(sectors);
            if (n < 1)
            {
                throw new ArgumentException($"--sectors must be at least 1, got {n}");
            }

            var r = parse.GetValue(rounds);
            if (r < 1)
            {
                throw new ArgumentException($"--rounds must be at least 1, got {r}");
            }

            var work = new BenchWork(n, r, parse.GetValue(dir));

            var pool = parse.GetValue(poolSize) is { Length: > 0 } p ? SectorSizes.Parse(p) : (ulong?)null;
            if (pool is not null && parse.GetValue(batch))
            {
                throw new ArgumentException("--batch labels sectors in lockstep with their own buffers; it does not combine with --pool-size");
            }

            var proof = SealProofInfo.ForSectorSize(sectorSize);
            if (pool is { } checkedSize)
            {
                LabelPoolLayout.Create(sectorSize, n, LabelPoolOptions.DefaultBlockSize, checkedSize); // bad sizes fail before any work
            }

            var log = parse.GetValue(json) ? null : Console.Error;
            log?.WriteLine($"parent cache for {proof.Name} ...");
            using var parents = await ParentCache.OpenOrCreateAsync(proof, ParentCacheOptions.FromEnvironment(), null, ct).ConfigureAwait(false);
            Prefault(parents); // every run starts with the parent cache resident, as on a host that seals all day
            var runs = new List<Pc1BenchReport>();
            if (parse.GetValue(compare))
            {
                foreach (var size in new ulong?[] { null, LabelPoolLayout.DefaultFor(sectorSize, n), LabelPoolLayout.MinimumFor(sectorSize, n) })
                {
                    runs.Add(await RunAsync(parents, proof, work, size, false, log, ct).ConfigureAwait(false));
                }
            }
            else
            {
                runs.Add(await RunAsync(parents, proof, work, pool, parse.GetValue(batch), log, ct).ConfigureAwait(false));
            }

            Console.WriteLine(parse.GetValue(json)
                ? (runs.Count == 1 ? runs[0].ToJson() : JsonSerializer.Serialize(runs, Pc1BenchReport.Json))
                : string.Join(Environment.NewLine, runs.Select(r => r.ToText(runs[0]))));
            return 0;
        });
        return cmd;
    }

    /// <summary>N slots, R rounds each, layer files under <c>Directory</c> (a temporary directory when null).</summary>
    internal sealed record BenchWork(int Sectors, int Rounds, string? Directory);

    public static async Task<Pc1BenchReport> RunAsync(ParentCache parents, SealProofInfo proof, BenchWork work, ulong? poolSize, bool batch, TextWriter? log, CancellationToken ct)
    {
        var sectors = work.Sectors;
        var layout = poolSize is { } size ? LabelPoolLayout.Create(proof.SectorSize, sectors, LabelPoolOptions.DefaultBlockSize, size) : null;
        var mode = layout is not null ? $"pool {SectorSizes.Format(layout.PoolSize)}" : batch ? "batched" : $"own buffers ({SectorSizes.Format(2 * proof.SectorSize * (ulong)sectors)})";
        log?.WriteLine($"{sectors} × {proof.Name} PC1 × {work.Rounds} rounds, {mode} ...");
        if (work.Directory is not null)
        {
            System.IO.Directory.CreateDirectory(work.Directory);
        }

        var root = work.Directory is null
            ? System.IO.Directory.CreateTempSubdirectory("kiln-bench-pc1-")
            : System.IO.Directory.CreateDirectory(Path.Combine(Path.GetFullPath(work.Directory), "kiln-bench-pc1-" + Guid.NewGuid().ToString("N")[..8]));
        using var pool = layout is null ? null : new LabelPool(layout);
        try
        {
            ResetPeakRss();
            var baseline = Rss();
            var cores = Environment.ProcessorCount;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            Task[] jobs;
            if (batch)
            {
                // One batch per core, the sectors dealt round-robin.
                jobs = [.. Enumerable.Range(0, Math.Min(cores, sectors)).Select(t => Start(
                    () =>
                    {
                        var mine = Enumerable.Range(0, sectors).Where(s => s % cores == t).ToArray();
                        for (var round = 0; round < work.Rounds; round++)
                        {
                            var dirs = mine.Select(s => JobDirectory(root, s, round)).ToArray();
                            SdrLabeler.LabelBatch(parents, ReplicaIds(mine.Length), proof.Layers, dirs, LabelKernel.Auto, null, ct);
                            Array.ForEach(dirs, d => System.IO.Directory.Delete(d, recursive: true));
                        }
                    },
                    ct))];
            }
            else
            {
                jobs = [.. Enumerable.Range(0, sectors).Select(s => Start(
                    () =>
                    {
                        for (var round = 0; round < work.Rounds; round++)
                        {
                            var dir = JobDirectory(root, s, round);
                            _ = pool is null
                                ? SdrLabeler.Label(parents, ReplicaIds(1), proof.Layers, dir, LabelKernel.Auto, null, ct)
                                : PooledSdrLabeler.Label(pool, parents, ReplicaIds(1), proof.Layers, dir, LabelKernel.Auto, null, ct);
                            System.IO.Directory.Delete(dir, recursive: true);
                        }
                    },
                    ct))];
            }

            await Task.WhenAll(jobs).ConfigureAwait(false);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var labels = (double)proof.Nodes * proof.Layers * sectors * work.Rounds;
            var threads = batch ? Math.Min(cores, sectors) : sectors;
            return new Pc1BenchReport(
                proof.Name,
                sectors,
                work.Rounds,
                mode,
                layout?.PoolSize ?? (batch ? 0 : 2 * proof.SectorSize * (ulong)sectors),
                pool is null ? 0 : (ulong)pool.HighWaterBlocks * pool.BlockSize,
                wall,
                labels / wall,
                labels / wall / Math.Min(cores, threads),
                cpu,
                PeakRss(),
                baseline,
                parents.Nodes * ParentCache.RowBytes);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static string JobDirectory(DirectoryInfo root, int slot, int round) =>
        Path.Combine(root.FullName, string.Create(CultureInfo.InvariantCulture, $"s{slot}-r{round}"));

    private static byte[] ReplicaIds(int count)
    {
        var ids = RandomNumberGenerator.GetBytes(32 * count);
        for (var s = 0; s < count; s++)
        {
            ids[(32 * s) + 31] &= 0x3F;
        }

        return ids;
    }

    /// <summary>Reads one byte of every page of the parent cache so its pages are in memory before any run is timed.</summary>
    private static void Prefault(ParentCache parents)
    {
        const ulong NodesPerPage = 4096 / ParentCache.RowBytes;
        uint sum = 0;
        for (ulong v = 0; v < parents.Nodes; v += NodesPerPage)
        {
            sum += parents.Parents(v)[0];
        }

        GC.KeepAlive(sum);
    }

    private static Task Start(Action labeling, CancellationToken ct) =>
        Task.Factory.StartNew(labeling, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Resets the kernel's peak-RSS mark (VmHWM) so each run reports its own peak (Linux; ignored elsewhere).</summary>
    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static long PeakRss() => StatusField("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    private static long Rss() => StatusField("VmRSS:") ?? Environment.WorkingSet;

    private static long? StatusField(string name)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is not null && long.TryParse(kb, CultureInfo.InvariantCulture, out var v) ? v * 1024 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One <c>bench pc1</c> run. Label memory is the pool (or 2N·S of own buffers); per core divides by the cores the jobs could use.</summary>
internal sealed record Pc1BenchReport(
    string Proof,
    int Sectors,
    int Rounds,
    string Mode,
    ulong PoolBytes,
    ulong PoolHighWaterBytes,
    double WallSeconds,
    double LabelsPerSecond,
    double LabelsPerSecondPerCore,
    double CpuSeconds,
    long PeakRssBytes,
    long BaselineRssBytes,
    ulong ParentCacheBytes)
{
    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToText(Pc1BenchReport baseline)
    {
        static string MiB(double bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Sectors} × {Proof} × {Rounds} rounds, {Mode}: wall {WallSeconds:F2} s, {LabelsPerSecond:N0} labels/s ({LabelsPerSecondPerCore:N0} per core, CPU {CpuSeconds:F1} s)");
        if (!ReferenceEquals(baseline, this))
        {
            text.Append(CultureInfo.InvariantCulture, $", {LabelsPerSecond / baseline.LabelsPerSecond:F3} × the first run");
        }

        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"  label memory {MiB(PoolBytes)}");
        if (PoolHighWaterBytes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" (high water {MiB(PoolHighWaterBytes)})");
        }

        text.Append(CultureInfo.InvariantCulture, $", parent cache {MiB(ParentCacheBytes)}, RSS before {MiB(BaselineRssBytes)}, peak RSS {MiB(PeakRssBytes)} = {(double)PeakRssBytes / (PoolBytes + ParentCacheBytes):F2} × (label memory + parent cache)");
        return text.ToString();
    }
}
