using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Worker.Cli;

namespace Kiln.Worker.Bench;

/// <summary>
/// <c>kiln-worker bench sdr</c>: labels one sector (all layers, random replica id) and reports
/// nodes/s per layer and overall against the SHA-256 limit of one core measured in the same run:
/// <c>openssl speed -evp sha256 -bytes 1024</c> bytes/s ÷ 1280 (the 20 blocks one label hashes),
/// unknown without openssl. <c>--batch K</c> then labels K sectors together on one thread
/// (<see cref="SdrLabeler.LabelBatch(ParentCache, ReadOnlySpan{byte}, int, IReadOnlyList{string}, LabelKernel, IProgress{LabelingProgress}?, CancellationToken)"/>)
/// and reports their aggregate labels/s, per core, against that limit and against the single sector.
/// Per core is labels ÷ the time the labeling thread spent on a CPU while labeling (labeling time less
/// the time it waited for a core, from Linux schedstat), comparable with openssl's figure (user CPU
/// time): a shared machine does not count against it, and the report shows the wait. Without
/// schedstat per core is labels/s of the one labeling thread.
/// </summary>
internal static class SdrBench
{
    /// <summary>Labeling runs on one thread.</summary>
    private const int LabelingThreads = 1;

    public static Command Command()
    {
        var size = BenchCommands.SectorSizeOption("8MiB");
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var kernel = new Option<LabelKernel>("--kernel") { Description = "SHA-256 kernel: Auto, Native (SHA-NI) or Managed", DefaultValueFactory = _ => LabelKernel.Auto };
        var batch = new Option<int>("--batch") { Description = "after the single sector, label this many sectors together (2 x sector size of memory each)", DefaultValueFactory = _ => 1 };
        var cmd = new Command("sdr", "Measure SDR labeling (PreCommit1) throughput on one sector, then optionally a batch of sectors") { size, json, kernel, batch };
        cmd.SetAction(async (parse, ct) =>
        {
            var report = await RunAsync(SectorSizes.Parse(parse.GetValue(size)!), parse.GetValue(kernel), parse.GetValue(batch), parse.GetValue(json) ? null : Console.Error, ct).ConfigureAwait(false);
            Console.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            return 0;
        });
        return cmd;
    }

    public static async Task<SdrBenchReport> RunAsync(ulong sectorSize, LabelKernel kernel, int batch, TextWriter? log, CancellationToken ct)
    {
        if (batch < 1)
        {
            throw new ArgumentException($"--batch must be at least 1, got {batch}");
        }

        var proof = SealProofInfo.ForSectorSize(sectorSize);
        var resolved = LayerLabeler.Resolve(kernel);
        log?.WriteLine("measuring the SHA-256 limit of one core ...");
        var (limit, limitSource) = MeasureShaLimit();
        log?.WriteLine($"parent cache for {proof.Name} ...");
        var cacheStarted = Stopwatch.GetTimestamp();
        using var parents = await ParentCache.OpenOrCreateAsync(proof, ParentCacheOptions.FromEnvironment(), null, ct).ConfigureAwait(false);
        var cacheTime = Stopwatch.GetElapsedTime(cacheStarted);
        var progress = log == null ? null : new ConsoleProgress(log);
        var started = Stopwatch.GetTimestamp();
        var single = await LabelAsync(parents, proof, 1, resolved, progress, ct).ConfigureAwait(false);
        log?.WriteLine();
        BatchReport? batchReport = null;
        if (batch > 1)
        {
            log?.WriteLine($"batch of {batch} sectors ...");
            var run = await LabelAsync(parents, proof, batch, resolved, progress, ct).ConfigureAwait(false);
            log?.WriteLine();
            batchReport = new BatchReport(batch, run.Layers, run.LabelsPerSecond, LabelingThreads, run.LabelsPerCoreSecond, run.WaitedForCore, run.LabelsPerCoreSecond / limit, run.LabelsPerCoreSecond / single.LabelsPerCoreSecond);
        }

        return new SdrBenchReport(
            proof.Name,
            sectorSize,
            resolved.ToString(),
            single.Layers,
            single.LabelsPerSecond,
            single.LabelsPerCoreSecond,
            single.WaitedForCore,
            limit,
            limitSource,
            single.LabelsPerCoreSecond / limit,
            batchReport,
            Stopwatch.GetElapsedTime(started).TotalSeconds,
            cacheTime.TotalSeconds,
            Process.GetCurrentProcess().PeakWorkingSet64);
    }

    /// <summary>Labels every layer of <paramref name="sectors"/> sectors with random replica ids in temporary directories, on one thread.</summary>
    private static async Task<LabelingRun> LabelAsync(ParentCache parents, SealProofInfo proof, int sectors, LabelKernel kernel, IProgress<LabelingProgress>? progress, CancellationToken ct)
    {
        var replicaIds = RandomNumberGenerator.GetBytes(32 * sectors);
        for (var s = 0; s < sectors; s++)
        {
            replicaIds[(32 * s) + 31] &= 0x3F;
        }

        var root = Directory.CreateTempSubdirectory("kiln-bench-sdr-");
        try
        {
            var dirs = Enumerable.Range(0, sectors).Select(s => Path.Combine(root.FullName, "s" + s.ToString(CultureInfo.InvariantCulture))).ToArray();
            var (times, waited) = await Task.Factory.StartNew(
                () =>
                {
                    var before = ThreadWaitSeconds();
                    var labeled = SdrLabeler.LabelBatch(parents, replicaIds, proof.Layers, dirs, kernel, progress, ct);
                    return (labeled, ThreadWaitSeconds() - before);
                },
                ct,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);
            var labels = proof.Nodes * (ulong)proof.Layers * (ulong)sectors;
            var seconds = times.Sum(t => t.TotalSeconds);

            // Labeling does not block, so while it runs the thread is either on a CPU or waiting for one.
            // The wait is counted over the whole run (layer files too), hence the floor.
            var onCpu = waited is { } w ? Math.Max(seconds - w, seconds / 10) : seconds / LabelingThreads;
            return new LabelingRun(
                times.Select((t, i) => new LayerReport(i + 1, t.TotalSeconds, proof.Nodes * (ulong)sectors / t.TotalSeconds)).ToArray(),
                labels / seconds,
                labels / onCpu,
                waited / seconds);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>Seconds the calling thread has waited, runnable, for a CPU (/proc/thread-self/schedstat); null where there is none.</summary>
    private static double? ThreadWaitSeconds()
    {
        try
        {
            var fields = File.ReadAllText("/proc/thread-self/schedstat").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 2 && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var wait) ? wait / 1e9 : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Labels/s one core's SHA-256 allows: openssl's bytes/s over 1 KiB messages ÷ 1280 bytes per label; null without openssl.</summary>
    internal static (double? LabelsPerSecond, string Source) MeasureShaLimit()
    {
        return OpenSslSpeed() is { } bytesPerSecond
            ? (bytesPerSecond / 1280, "openssl speed -evp sha256 -bytes 1024")
            : (null, "unknown: openssl is not on PATH");
    }

    /// <summary>Runs openssl's own benchmark for one second; null when openssl is not there.</summary>
    private static double? OpenSslSpeed()
    {
        try
        {
            var psi = new ProcessStartInfo("openssl", "speed -evp sha256 -bytes 1024 -seconds 1")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi);
            if (p == null)
            {
                return null;
            }

            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            // last line: "sha256   1063824.23k" (1000s of bytes per second)
            var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("sha256", StringComparison.Ordinal));
            var field = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (field != null && field.EndsWith('k') && double.TryParse(field[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var k))
            {
                return k * 1000;
            }

            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private sealed class ConsoleProgress(TextWriter log) : IProgress<LabelingProgress>
    {
        public void Report(LabelingProgress value)
        {
            var pct = 100.0 * value.NodesDone / value.Nodes;
            log.Write(string.Create(CultureInfo.InvariantCulture, $"\rlayer {value.Layer}/{value.Layers} {pct,6:F1}%"));
        }
    }
}

internal sealed record LayerReport(int Layer, double Seconds, double NodesPerSecond);

/// <summary>One labeling run: labels/s over the labeling time, per second the thread was on a CPU, and the share of the labeling time it waited for one.</summary>
internal sealed record LabelingRun(LayerReport[] Layers, double LabelsPerSecond, double LabelsPerCoreSecond, double? WaitedForCore);

/// <summary>K sectors labeled together: aggregate labels/s, per core, and the ratios to the SHA-256 limit and to one sector (per core both).</summary>
internal sealed record BatchReport(
    int Sectors,
    LayerReport[] Layers,
    double LabelsPerSecond,
    int LabelingThreads,
    double LabelsPerSecondPerCore,
    double? WaitedForCore,
    double? RatioToLimit,
    double RatioToSingle);

internal sealed record SdrBenchReport(
    string Proof,
    ulong SectorSize,
    string Kernel,
    LayerReport[] Layers,
    double NodesPerSecond,
    double NodesPerSecondPerCore,
    double? WaitedForCore,
    double? LimitLabelsPerSecond,
    string LimitSource,
    double? RatioToLimit,
    BatchReport? Batch,
    double WallSeconds,
    double ParentCacheSeconds,
    long PeakRssBytes)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToText()
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"SDR {Proof} ({SectorSizes.Format(SectorSize)}), kernel {Kernel}"),
        };
        foreach (var l in Layers)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  layer {l.Layer,2}: {l.Seconds,8:F3} s  {l.NodesPerSecond,12:N0} nodes/s"));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"overall:   {NodesPerSecond,12:N0} nodes/s, per core {NodesPerSecondPerCore,12:N0}{Waited(WaitedForCore)}"));
        lines.Add(LimitLabelsPerSecond is { } limit
            ? string.Create(CultureInfo.InvariantCulture, $"SHA-256 limit (1 core): {limit,12:N0} labels/s ({LimitSource})  ratio per core {RatioToLimit:F3}")
            : $"SHA-256 limit (1 core): {LimitSource}");
        if (Batch is { } b)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"batch of {b.Sectors} sectors, {b.LabelingThreads} labeling thread:"));
            foreach (var l in b.Layers)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"  layer {l.Layer,2}: {l.Seconds,8:F3} s  {l.NodesPerSecond,12:N0} labels/s"));
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture, $"aggregate: {b.LabelsPerSecond,12:N0} labels/s, per core {b.LabelsPerSecondPerCore,12:N0}{Waited(b.WaitedForCore)}"));
            var limitRatio = b.RatioToLimit is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:F3} x the SHA-256 limit") : "the SHA-256 limit is unknown";
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"per core:  {limitRatio}, {b.RatioToSingle:F3} x one sector"));
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"parent cache: {ParentCacheSeconds:F2} s, wall: {WallSeconds:F2} s, peak RSS: {PeakRssBytes / (1024.0 * 1024.0):F1} MiB"));
        return string.Join(Environment.NewLine, lines);
    }

    private static string Waited(double? share) =>
        share is { } w ? string.Create(CultureInfo.InvariantCulture, $"  (waited for a core {100 * w:F0}% of the time)") : string.Empty;
}
