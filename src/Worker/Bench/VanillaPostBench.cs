using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Kiln.Proofs;
using Kiln.Proofs.PoSt;
using Kiln.Worker.Cli;

namespace Kiln.Worker.Bench;

/// <summary>
/// <c>kiln-worker bench vanilla-post</c>: Window PoSt vanilla proofs (<c>generate_single_vanilla_proof</c>,
/// 10 challenges) of a synthetic sealed sector — random canonical replica, its tree-r-last and a p_aux —
/// for many randomness values: p50/p99/max milliseconds per sector proof and sector proofs/s. The
/// sector is built once per <c>--dir</c> and reused by later runs.
/// </summary>
internal static class VanillaPostBench
{
    public static Command Command()
    {
        var size = BenchCommands.SectorSizeOption("8MiB");
        var dir = new Option<string?>("--dir") { Description = "where the synthetic sector lives (reused when present); default: a temporary directory removed afterwards" };
        var sectors = new Option<int>("--sectors") { Description = "sector proofs to generate (each for its own randomness and sector number)", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "sector proofs generated at once", DefaultValueFactory = _ => 1 };
        var challengeThreads = new Option<int>("--challenge-threads") { Description = "threads proving the challenges of one sector (rust-fil-proofs uses all cores)", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text" };
        var cmd = new Command("vanilla-post", "Measure Window PoSt vanilla proof generation on a synthetic sealed sector") { size, dir, sectors, threads, challengeThreads, json };
        cmd.SetAction((parse, ct) =>
        {
            var sectorSize = SectorSizes.Parse(parse.GetValue(size)!);
            var given = parse.GetValue(dir);
            var work = given ?? Directory.CreateTempSubdirectory("kiln-vanilla-post-").FullName;
            try
            {
                var report = Run(sectorSize, work, parse.GetValue(sectors), parse.GetValue(threads), parse.GetValue(challengeThreads), parse.GetValue(json) ? null : Console.Error, ct);
                Console.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            }
            finally
            {
                if (given == null)
                {
                    Directory.Delete(work, recursive: true);
                }
            }

            return Task.FromResult(0);
        });
        return cmd;
    }

    public static VanillaPostBenchReport Run(ulong sectorSize, string dir, int sectors, int threads, int challengeThreads, TextWriter? log, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sectors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(challengeThreads, 1);
        var info = PoStProofInfo.ForSectorSize(sectorSize, PoStType.Window);

        var started = Stopwatch.GetTimestamp();
        var sector = SyntheticSector.TryOpen(dir, sectorSize);
        var reused = sector != null;
        if (sector == null)
        {
            log?.WriteLine($"building a synthetic {SectorSizes.Format(sectorSize)} sector (replica, tree-r-last, p_aux) in {dir} ...");
            sector = SyntheticSector.Create(dir, sectorSize, new Random(), Environment.ProcessorCount);
        }

        var buildSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        log?.WriteLine(reused ? $"reusing the synthetic sector in {dir}" : string.Create(CultureInfo.InvariantCulture, $"built in {buildSeconds:F1} s"));

        // One proof before timing (JIT, first page-in of tree-r-last), checked by the verifier.
        var random = new Random(1);
        var (warmRandomness, warmChallenges) = Challenges(info, random, 1);
        var warm = VanillaPoSt.GenerateSingleVanillaProof(sector.Replica(info.Proof, 1), warmChallenges);
        if (!VanillaPoSt.VerifyVanillaProof(info.Proof, warmRandomness, 1, sector.CommR, warm, out var failure))
        {
            throw new InvalidOperationException("the benchmark's own vanilla proof does not verify: " + failure);
        }

        var inputs = Enumerable.Range(0, sectors).Select(k => Challenges(info, random, (ulong)k + 2).Challenges).ToArray();
        var milliseconds = new double[sectors];
        log?.WriteLine($"{sectors} Window vanilla proofs ({info.ChallengeCount} challenges each), {threads} at a time, {challengeThreads} thread(s) each ...");
        var wall = Stopwatch.GetTimestamp();
        Parallel.For(0, sectors, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct }, k =>
        {
            var one = Stopwatch.GetTimestamp();
            VanillaPoSt.GenerateSingleVanillaProof(sector.Replica(info.Proof, (ulong)k + 2), inputs[k], challengeThreads);
            milliseconds[k] = Stopwatch.GetElapsedTime(one).TotalMilliseconds;
        });
        var wallSeconds = Stopwatch.GetElapsedTime(wall).TotalSeconds;

        Array.Sort(milliseconds);
        return new VanillaPostBenchReport(
            info.Name,
            SectorSizes.Format(sectorSize),
            dir,
            reused,
            buildSeconds,
            sectors,
            threads,
            challengeThreads,
            info.ChallengeCount,
            warm.Length,
            Percentile(milliseconds, 0.50),
            Percentile(milliseconds, 0.99),
            milliseconds[^1],
            milliseconds.Average(),
            sectors / wallSeconds);
    }

    /// <summary>Random safe randomness (top two bits cleared, as Lotus does) and the sector's challenges under it.</summary>
    private static (byte[] Randomness, ulong[] Challenges) Challenges(PoStProofInfo info, Random random, ulong sectorId)
    {
        var raw = new byte[PoStRandomness.Length];
        random.NextBytes(raw);
        var randomness = PoStRandomness.ToFieldElement(raw);
        return (randomness, PoStChallenges.SectorChallenges(info, randomness, sectorId));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double q) => sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];
}

/// <summary>One run: latencies per sector proof (ms) and sector proofs per second of wall time.</summary>
internal sealed record VanillaPostBenchReport(
    string Proof,
    string SectorSize,
    string Dir,
    bool Reused,
    double BuildSeconds,
    int Sectors,
    int Threads,
    int ChallengeThreads,
    int Challenges,
    int ProofBytes,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    double ProofsPerSecond)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToText() => string.Join(Environment.NewLine, new[]
    {
        string.Create(CultureInfo.InvariantCulture, $"{Proof}: {Sectors} vanilla proofs of a synthetic {SectorSize} sector ({Challenges} challenges, {ProofBytes} bytes each), {Threads} at a time, {ChallengeThreads} thread(s) each"),
        string.Create(CultureInfo.InvariantCulture, $"  per sector proof: p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, max {MaxMs:F2} ms, mean {MeanMs:F2} ms"),
        string.Create(CultureInfo.InvariantCulture, $"  {ProofsPerSecond:F1} sector proofs/s"),
        string.Create(CultureInfo.InvariantCulture, $"  sector in {Dir} ({(Reused ? "reused" : $"built in {BuildSeconds:F1} s")})"),
    });
}
