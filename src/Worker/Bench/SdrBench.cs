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
/// or, without openssl, .NET's SHA-256 streaming 1 KiB updates through one context.
/// </summary>
internal static class SdrBench
{
    public static Command Command()
    {
        var size = BenchCommands.SectorSizeOption("8MiB");
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var kernel = new Option<LabelKernel>("--kernel") { Description = "SHA-256 kernel: Auto, Native (SHA-NI) or Managed", DefaultValueFactory = _ => LabelKernel.Auto };
        var cmd = new Command("sdr", "Measure SDR labeling (PreCommit1) throughput on one sector") { size, json, kernel };
        cmd.SetAction(async (parse, ct) =>
        {
            var report = await RunAsync(SectorSizes.Parse(parse.GetValue(size)!), parse.GetValue(kernel), parse.GetValue(json) ? null : Console.Error, ct);
            Console.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            return 0;
        });
        return cmd;
    }

    public static async Task<SdrBenchReport> RunAsync(ulong sectorSize, LabelKernel kernel, TextWriter? log, CancellationToken ct)
    {
        var proof = SealProofInfo.ForSectorSize(sectorSize);
        var resolved = LayerLabeler.Resolve(kernel);
        log?.WriteLine("measuring the SHA-256 limit of one core ...");
        var (limit, limitSource) = MeasureShaLimit();
        log?.WriteLine($"parent cache for {proof.Name} ...");
        var cacheStarted = Stopwatch.GetTimestamp();
        using var parents = await ParentCache.OpenOrCreateAsync(proof, ParentCacheOptions.FromEnvironment(), null, ct);
        var cacheTime = Stopwatch.GetElapsedTime(cacheStarted);
        var replicaId = RandomNumberGenerator.GetBytes(32);
        replicaId[31] &= 0x3F;
        var dir = Directory.CreateTempSubdirectory("kiln-bench-sdr-");
        try
        {
            var progress = log == null ? null : new ConsoleProgress(log);
            var started = Stopwatch.GetTimestamp();
            var times = await Task.Factory.StartNew(() => SdrLabeler.Label(parents, replicaId, proof.Layers, dir.FullName, resolved, progress, ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var total = Stopwatch.GetElapsedTime(started);
            log?.WriteLine();
            var labelSeconds = times.Sum(t => t.TotalSeconds);
            return new SdrBenchReport(
                proof.Name,
                sectorSize,
                resolved.ToString(),
                times.Select((t, i) => new LayerReport(i + 1, t.TotalSeconds, proof.Nodes / t.TotalSeconds)).ToArray(),
                proof.Nodes * (ulong)proof.Layers / labelSeconds,
                limit,
                limitSource,
                proof.Nodes * (ulong)proof.Layers / labelSeconds / limit,
                total.TotalSeconds,
                cacheTime.TotalSeconds,
                Process.GetCurrentProcess().PeakWorkingSet64);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Labels/s one core's SHA-256 allows: bytes/s over 1 KiB messages ÷ 1280 bytes per label.</summary>
    internal static (double LabelsPerSecond, string Source) MeasureShaLimit()
    {
        var openssl = OpenSslSpeed();
        if (openssl is { } bytesPerSecond)
        {
            return (bytesPerSecond / 1280, "openssl speed -evp sha256 -bytes 1024");
        }

        // No openssl binary: stream 1 KiB updates through one .NET SHA-256 context (no per-call setup).
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1024];
        long hashed = 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < 1.0)
        {
            for (var i = 0; i < 1000; i++)
            {
                hash.AppendData(block);
            }

            hashed += 1000 * 1024;
        }

        return (hashed / Stopwatch.GetElapsedTime(started).TotalSeconds / 1280, ".NET SHA-256, 1 KiB updates");
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

internal sealed record SdrBenchReport(
    string Proof,
    ulong SectorSize,
    string Kernel,
    LayerReport[] Layers,
    double NodesPerSecond,
    double LimitLabelsPerSecond,
    string LimitSource,
    double RatioToLimit,
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

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"overall:   {NodesPerSecond,12:N0} nodes/s"));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"SHA-256 limit (1 core): {LimitLabelsPerSecond,12:N0} labels/s ({LimitSource})  ratio {RatioToLimit:F3}"));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"parent cache: {ParentCacheSeconds:F2} s, wall: {WallSeconds:F2} s, peak RSS: {PeakRssBytes / (1024.0 * 1024.0):F1} MiB"));
        return string.Join(Environment.NewLine, lines);
    }
}
