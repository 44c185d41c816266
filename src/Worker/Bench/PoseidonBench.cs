using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Kiln.Proofs.Fields;
using Kiln.Proofs.Hashing;

namespace Kiln.Worker.Bench;

/// <summary>
/// <c>kiln-worker bench poseidon</c>: Poseidon hashes/s per arity (2 and 8: tree nodes, 11: the
/// column hash of 32/64 GiB sectors), one chain of dependent hashes per thread, against two
/// baselines measured in the same run: the reference permutation (what the sparse form saves) and
/// one Fr multiplication (the hash's cost in multiplications, which dominate it).
/// </summary>
internal static class PoseidonBench
{
    private static readonly int[] DefaultArities = [2, 8, 11];

    public static Command Command()
    {
        var arity = new Option<int[]>("--arity") { Description = "arity to measure (2, 4, 8, 11, 16, 24, 36), several allowed; default 2, 8 and 11", AllowMultipleArgumentsPerToken = true };
        var seconds = new Option<double>("--seconds") { Description = "measuring time per arity", DefaultValueFactory = _ => 2.0 };
        var threads = new Option<int>("--threads") { Description = "threads hashing at once (each its own chain)", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var cmd = new Command("poseidon", "Measure Poseidon hashes/s (tree nodes, column hashes)") { arity, seconds, threads, json };
        cmd.SetAction((parse, ct) =>
        {
            var arities = parse.GetValue(arity) is { Length: > 0 } given ? given : DefaultArities;
            var report = Run(arities, parse.GetValue(seconds), parse.GetValue(threads), parse.GetValue(json) ? null : Console.Error, ct);
            Console.WriteLine(parse.GetValue(json) ? report.ToJson() : report.ToText());
            return Task.FromResult(0);
        });
        return cmd;
    }

    public static PoseidonBenchReport Run(IReadOnlyList<int> arities, double seconds, int threads, TextWriter? log, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        foreach (var a in arities)
        {
            _ = PoseidonConstants.ForArity(a);
        }

        log?.WriteLine("measuring one Fr multiplication ...");
        var mulNanoseconds = MeasureMultiply(Math.Min(seconds, 1.0));
        var results = new List<ArityReport>();
        foreach (var a in arities)
        {
            ct.ThrowIfCancellationRequested();
            log?.WriteLine($"arity {a} ...");
            var constants = PoseidonConstants.ForArity(a);
            var fast = Measure(seconds, threads, inputs => PoseidonHash.Hash(inputs, constants), a, ct);
            var reference = Measure(Math.Max(seconds / 4, 0.1), 1, inputs => PoseidonHash.HashReference(inputs, constants, constants.DomainTag), a, ct);
            var row = MeasureRow(seconds, a, ct);
            results.Add(new ArityReport(
                a,
                constants.PartialRounds,
                fast.Total,
                fast.Best,
                1e9 / fast.Best,
                reference.Best,
                fast.Best / reference.Best,
                1e9 / fast.Best / mulNanoseconds)
            {
                RowHashesPerSecond = row,
            });
        }

        return new PoseidonBenchReport(threads, mulNanoseconds, [.. results]);
    }

    /// <summary>
    /// Hashes/s over the whole run (all threads) and in the best tenth of it on one thread (the
    /// figure least disturbed by other work on the machine); each thread feeds every result back
    /// as its next first input.
    /// </summary>
    private static (double Total, double Best) Measure(double seconds, int threads, Func<Fr[], Fr> hash, int arity, CancellationToken ct)
    {
        const int Slices = 10;
        var totals = new double[threads];
        var bests = new double[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct }, t =>
        {
            var inputs = new Fr[arity];
            for (var i = 0; i < arity; i++)
            {
                inputs[i] = Fr.FromUInt64((ulong)((t * 1000) + i + 1));
            }

            // Warm up (tiered JIT) before timing.
            for (var i = 0; i < 200; i++)
            {
                inputs[0] = hash(inputs);
            }

            long done = 0;
            var started = Stopwatch.GetTimestamp();
            for (var slice = 0; slice < Slices; slice++)
            {
                long sliceDone = 0;
                var sliceStarted = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(sliceStarted).TotalSeconds < seconds / Slices)
                {
                    for (var i = 0; i < 16; i++)
                    {
                        inputs[0] = hash(inputs);
                    }

                    sliceDone += 16;
                }

                bests[t] = Math.Max(bests[t], sliceDone / Stopwatch.GetElapsedTime(sliceStarted).TotalSeconds);
                done += sliceDone;
            }

            totals[t] = done / Stopwatch.GetElapsedTime(started).TotalSeconds;
        });
        return (totals.Sum(), bests.Max());
    }

    /// <summary>
    /// Hashes/s of the byte-level tree-row path PC2 and the proofs use (<see cref="PoseidonHash.HashGroups"/>), one
    /// thread, best tenth of the run, 1,024 groups per call.
    /// </summary>
    private static double MeasureRow(double seconds, int arity, CancellationToken ct)
    {
        const int Groups = 1024;
        var input = new byte[Groups * arity * Fr.ByteLength];
        for (var i = 0; i < Groups * arity; i++)
        {
            Fr.FromUInt64((ulong)i + 1).WriteBytes(input.AsSpan(i * Fr.ByteLength, Fr.ByteLength));
        }

        var output = new byte[Groups * Fr.ByteLength];
        PoseidonHash.HashGroups(input, output, arity);
        var best = 0.0;
        for (var slice = 0; slice < 10; slice++)
        {
            ct.ThrowIfCancellationRequested();
            long done = 0;
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds / 10)
            {
                PoseidonHash.HashGroups(input, output, arity);
                done += Groups;
            }

            best = Math.Max(best, done / Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        return best;
    }

    /// <summary>Nanoseconds per Fr multiplication in a dependent chain, best of ten slices.</summary>
    private static double MeasureMultiply(double seconds)
    {
        var x = Fr.FromUInt64(3);
        var y = Fr.FromUInt64(7);
        x = MultiplyChain(x, y, 100_000);
        var best = double.MaxValue;
        for (var slice = 0; slice < 10; slice++)
        {
            long done = 0;
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds / 10)
            {
                x = MultiplyChain(x, y, 10_000);
                done += 10_000;
            }

            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalNanoseconds / done);
        }

        return x.IsZero ? double.NaN : best;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Fr MultiplyChain(Fr x, Fr y, int count)
    {
        for (var i = 0; i < count; i++)
        {
            x *= y;
        }

        return x;
    }
}

/// <summary>
/// One arity: <see cref="HashesPerSecond"/> over the whole run and all threads; the rest from the
/// best tenth of the run on one thread.
/// </summary>
internal sealed record ArityReport(
    int Arity,
    int PartialRounds,
    double HashesPerSecond,
    double BestHashesPerSecondPerThread,
    double NanosecondsPerHash,
    double ReferenceHashesPerSecond,
    double SpeedupOverReference,
    double MultiplicationsPerHash)
{
    /// <summary>Hashes/s on one thread through the byte-level tree-row path.</summary>
    public double RowHashesPerSecond { get; init; }
}

internal sealed record PoseidonBenchReport(int Threads, double NanosecondsPerMultiplication, ArityReport[] Arities)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToText()
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Poseidon (neptune, MerkleTree tag), {Threads} thread(s); one Fr multiplication: {NanosecondsPerMultiplication:F1} ns (best)"),
            "  arity   hashes/s   best/thread   ns/hash   reference/s   speed-up   cost in Fr muls   tree row/s",
        };
        foreach (var a in Arities)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {a.Arity,5} {a.HashesPerSecond,10:N0} {a.BestHashesPerSecondPerThread,13:N0} {a.NanosecondsPerHash,9:N0} {a.ReferenceHashesPerSecond,13:N0} {a.SpeedupOverReference,9:F2}x {a.MultiplicationsPerHash,12:N0} {a.RowHashesPerSecond,12:N0}"));
        }

        lines.Add("  (hashes/s: whole run, all threads; the other columns: best tenth of the run on one thread;");
        lines.Add("   tree row/s: byte-level rows of 1,024 groups, as PC2 and the proofs hash them)");

        return string.Join(Environment.NewLine, lines);
    }
}
